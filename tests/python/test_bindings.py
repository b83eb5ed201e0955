#!/usr/bin/python3
"""Python bindings test for chatflow (issue 2), Debian's /usr/bin/python3.

Loads the extension with sqlite3.connect + enable_load_extension +
load_extension(CHATFLOW_EXT), walks a conversation and a run end to end,
closing and reopening the file between the steps, and checks that the
replay (seq order, contents, metadata, counters, run state, event log,
interrupt blob) is exactly preserved.  Also: errors surface as
sqlite3.OperationalError with the exact "chatflow: ..." text, functions
inside a caller's transaction roll back with it, PRAGMA foreign_keys ON
and OFF, Python's default isolation mode and isolation_level=None; and
Python's own timestamps, datetime.isoformat() of an aware datetime (any
offset, microseconds), taken as they are and stored as UTC milliseconds.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_bindings.py
The output ends with "python: N passed, M failed".
"""
import json
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import unittest
from datetime import datetime, timedelta, timezone

# The schema version this build creates: one per numbered migration in sql/.
import glob as _glob
SCHEMA_VERSION = len(_glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "sql", "[0-9][0-9][0-9]_*.sql")))


EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
T0 = "2026-01-01T00:00:00.000Z"
T1 = "2026-01-01T00:01:00.000Z"
T2 = "2026-01-01T00:02:00.000Z"
T3 = "2026-01-01T00:03:00.000Z"
T4 = "2026-01-01T00:04:00.000Z"

# An interrupt checkpoint: every byte value, NULs, invalid UTF-8, 70 KiB.
BLOB = bytes(range(256)) * 280 + b"\x00\xff\xfe\x00"

CONV_OPTS = {"key": "ticket-42", "uid": "conv-uid-42", "visibility": "public",
             "model": "gpt-4o-mini", "agent": "seo",
             "context": {"site": "bakery.example", "langs": ["fr", "en"]},
             "metadata": {"channel": "web", "n": 1}}
USER_PARTS = [{"type": "text", "text": "Build a topical map for our bakery"},
              {"type": "file", "mediaType": "image/png", "url": "https://x.example/a.png"}]
ASSIST_META = {"model": "gpt-4o-mini", "tokens": {"input": 120, "output": 18, "total": 138},
               "duration_ms": 840, "finish_reason": "stop", "reasoning_effort": "low"}
TOOL_PARTS = [{"type": "tool-result", "toolCallId": "call_1", "output": {"ok": True, "n": 3}}]


def connect(path, fk=None, **kw):
    kw.setdefault("isolation_level", None)
    db = sqlite3.connect(path, **kw)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    if fk is not None:
        db.execute("PRAGMA foreign_keys=%s" % ("ON" if fk else "OFF"))
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


SNAPSHOT_TABLES = {
    "chat_conversations": "id",
    "chat_messages": "conversation_id, seq",
    "workflow_runs": "id",
    "workflow_run_events": "id",
    "workflow_interrupts": "workflow_id",
    "workflow_proposals": "id",
    "chatflow_settings": "key",
}


def snapshot(db):
    """Every row of every chatflow table, in replay order, with exact types."""
    snap = {}
    for t, order in SNAPSHOT_TABLES.items():
        cur = db.execute("SELECT * FROM %s ORDER BY %s" % (t, order))
        cols = [d[0] for d in cur.description]
        snap[t] = [dict(zip(cols, r)) for r in cur.fetchall()]
    return snap


class TmpDir(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-py-")
        self.path = os.path.join(self.dir, "chat.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assertChatflowError(self, db, sql, args, text, exc=sqlite3.OperationalError):
        with self.assertRaises(sqlite3.Error) as cm:
            db.execute(sql, args).fetchall()
        self.assertIs(type(cm.exception), exc)
        self.assertEqual(str(cm.exception), text)


class Walkthrough:
    """The end-to-end walk; run once with foreign_keys ON and once OFF."""
    FK = None

    def reopen(self, db):
        """Closes db, checks the file replays exactly as it was, returns a fresh connection."""
        before = snapshot(db)
        db.close()
        db = connect(self.path, fk=self.FK)
        self.assertEqual(snapshot(db), before)
        return db

    def test_walkthrough(self):
        db = connect(self.path, fk=self.FK)
        self.assertEqual(one(db, "PRAGMA foreign_keys"), 1 if self.FK else 0)

        # 1. init, idempotent across connections
        self.assertEqual(one(db, "SELECT chatflow_init()"), SCHEMA_VERSION)
        self.assertEqual(one(db, "SELECT chatflow_init()"), SCHEMA_VERSION)
        db = self.reopen(db)
        self.assertEqual(one(db, "SELECT chatflow_init()"), SCHEMA_VERSION)

        # 2. a conversation with key and options; find_or_create gives it back
        db.execute("SELECT chatflow_clock(?)", (T0,))
        cid = one(db, "SELECT create_conversation('acme', 'Bakery map', ?)", (json.dumps(CONV_OPTS),))
        self.assertEqual(cid, 1)
        db = self.reopen(db)
        self.assertEqual(one(db, "SELECT find_or_create_conversation('acme', 'ticket-42')"), cid)
        self.assertEqual(one(db, "SELECT find_or_create_conversation('acme', 'ticket-42', 'other', '{}')"), cid)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_conversations"), 1)
        row = db.execute("SELECT uid, owner, key, title, visibility, model, agent, context, metadata,"
                         " created_at, updated_at, message_count, last_seq, total_tokens,"
                         " last_message_at FROM chat_conversations WHERE id = ?", (cid,)).fetchone()
        self.assertEqual(row, ("conv-uid-42", "acme", "ticket-42", "Bakery map", "public",
                               "gpt-4o-mini", "seo", json.dumps(CONV_OPTS["context"], separators=(",", ":")),
                               json.dumps(CONV_OPTS["metadata"], separators=(",", ":")),
                               T0, T0, 0, 0, 0, None))
        # another owner's same key is another conversation
        db.execute("SELECT chatflow_clock(?)", (T0,))
        self.assertEqual(one(db, "SELECT find_or_create_conversation('globex', 'ticket-42')"), 2)

        # 3. a message of each role, with options
        db.execute("SELECT chatflow_clock(?)", (T1,))
        ids = [
            one(db, "SELECT add_message(?, 'system', 'You are an SEO strategist.')", (cid,)),
            one(db, "SELECT add_message(?, 'user', 'Build a topical map for our bakery', ?)",
                (cid, json.dumps({"parts": USER_PARTS, "metadata": {"client": "web"}, "tokens": 9}))),
            one(db, "SELECT add_message(?, 'assistant', 'Who are your customers?', ?)",
                (cid, json.dumps({"type": "clarification_request", "metadata": ASSIST_META,
                                  "tokens": 18}))),
            one(db, "SELECT add_message(?, 'tool', NULL, ?)",
                (cid, json.dumps({"parts": TOOL_PARTS, "attachments": [{"name": "serp.json"}],
                                  "tokens": 7}))),
        ]
        self.assertEqual(ids, [1, 2, 3, 4])
        db = self.reopen(db)
        rows = db.execute("SELECT id, seq, role, type, content, parts, attachments, metadata, tokens,"
                          " run_id, workflow_step, created_at FROM chat_messages"
                          " WHERE conversation_id = ? ORDER BY seq", (cid,)).fetchall()
        self.assertEqual([r[:5] for r in rows], [
            (1, 1, "system", "system", "You are an SEO strategist."),
            (2, 2, "user", "user_input", "Build a topical map for our bakery"),
            (3, 3, "assistant", "clarification_request", "Who are your customers?"),
            (4, 4, "tool", "tool_result", ""),
        ])
        self.assertEqual([json.loads(r[5]) if r[5] else None for r in rows],
                         [None, USER_PARTS, None, TOOL_PARTS])
        self.assertEqual([json.loads(r[6]) if r[6] else None for r in rows],
                         [None, None, None, [{"name": "serp.json"}]])
        self.assertEqual([json.loads(r[7]) if r[7] else None for r in rows],
                         [None, {"client": "web"}, ASSIST_META, None])
        # tokens: given, or ceil(chars / 4) of the content
        self.assertEqual([r[8] for r in rows], [(26 + 3) // 4, 9, 18, 7])
        self.assertEqual({(r[9], r[10], r[11]) for r in rows}, {(None, None, T1)})
        self.assertEqual(db.execute("SELECT message_count, last_seq, total_tokens, last_message_at,"
                                    " updated_at, title FROM chat_conversations WHERE id = ?",
                                    (cid,)).fetchone(),
                         (4, 4, 7 + 9 + 18 + 7, T1, T1, "Bakery map"))

        # 4. a run; messages now attach to it and copy its step
        db.execute("SELECT chatflow_clock(?)", (T2,))
        rid = one(db, "SELECT start_run(?, 'topical_map', '{\"seed\": \"bakery\"}')", (cid,))
        self.assertEqual(rid, 1)
        self.assertEqual(one(db, "SELECT active_run(?)", (cid,)), rid)
        self.assertEqual(one(db, "SELECT active_run(2)"), None)
        self.assertEqual(one(db, "SELECT run_workflow_id(?)", (rid,)), "run_1")
        self.assertChatflowError(db, "SELECT start_run(?, 'topical_map')", (cid,),
                                 "chatflow: conversation 1 already has an active run 1 (started)")
        db = self.reopen(db)
        self.assertEqual(json.loads(one(db, "SELECT run_status(?)", (rid,))), {
            "id": 1, "conversation_id": 1, "workflow": "topical_map", "status": "started",
            "current_step": "context_ingestion", "is_active": True, "is_awaiting_input": False,
            "started_at": T2, "completed_at": None, "error": None, "expires_at": None,
            "queue_position": None})
        db.execute("SELECT chatflow_clock(?)", (T2,))
        self.assertEqual(one(db, "SELECT set_run_status(?, 'awaiting_clarification', 'clarification')",
                             (rid,)), 1)
        db = self.reopen(db)
        st = json.loads(one(db, "SELECT run_status(?)", (rid,)))
        self.assertEqual((st["status"], st["current_step"], st["is_active"], st["is_awaiting_input"]),
                         ("awaiting_clarification", "clarification", True, True))
        self.assertChatflowError(db, "SELECT set_run_status(?, 'completed')", (rid,),
                                 "chatflow: invalid run transition awaiting_clarification -> completed (run 1)")

        # 5. the engine checkpoints: an interrupt blob, byte-identical after reopen
        db.execute("SELECT chatflow_clock(?)", (T2,))
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(?), ?)",
                   (rid, BLOB))
        db.execute("SELECT chatflow_clock(?)", (T3,))
        self.assertEqual(one(db, "SELECT add_message(?, 'user', 'Mostly locals.', ?)",
                             (cid, '{"type": "clarification_answer", "tokens": 3}')), 5)
        db = self.reopen(db)
        data = one(db, "SELECT data FROM workflow_interrupt WHERE workflow_id = 'run_1'")
        self.assertIs(type(data), bytes)
        self.assertEqual(data, BLOB)
        self.assertEqual(db.execute("SELECT workflow_id, created_at, updated_at FROM workflow_interrupts"
                                    ).fetchall(), [("run_1", T2, T2)])
        # saving again replaces the data and keeps created_at
        db.execute("SELECT chatflow_clock(?)", (T3,))
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', ?)", (BLOB[::-1],))
        db = self.reopen(db)
        self.assertEqual(db.execute("SELECT data, created_at, updated_at FROM workflow_interrupt"
                                    " WHERE workflow_id = 'run_1'").fetchall(), [(BLOB[::-1], T2, T3)])
        self.assertEqual(db.execute("SELECT run_id, workflow_step FROM chat_messages WHERE id = 5"
                                    ).fetchone(), (rid, "clarification"))

        # 6. processing, state merged with RFC 7396
        db.execute("SELECT chatflow_clock(?)", (T3,))
        self.assertEqual(one(db, "SELECT set_run_status(?, 'processing', 'pillar_proposal')", (rid,)), 1)
        self.assertEqual(json.loads(one(db, "SELECT merge_run_state(?, ?)", (rid, json.dumps(
            {"audience": "locals", "seed": None, "pillars": ["sourdough", "classes"],
             "nested": {"a": 1, "b": {"c": 2}}})))),
            {"audience": "locals", "pillars": ["sourdough", "classes"], "nested": {"a": 1, "b": {"c": 2}}})
        db = self.reopen(db)
        db.execute("SELECT chatflow_clock(?)", (T3,))
        self.assertEqual(json.loads(one(db, "SELECT merge_run_state(?, ?)", (rid, json.dumps(
            {"nested": {"b": None, "d": [1]}, "pillars": ["sourdough"]})))),
            {"audience": "locals", "pillars": ["sourdough"], "nested": {"a": 1, "d": [1]}})
        self.assertEqual(one(db, "SELECT add_message(?, 'assistant', 'Here is the map.', ?)",
                             (cid, json.dumps({"metadata": ASSIST_META, "tokens": 4}))), 6)
        db = self.reopen(db)
        self.assertEqual(json.loads(one(db, "SELECT state FROM workflow_runs WHERE id = ?", (rid,))),
                         {"audience": "locals", "pillars": ["sourdough"], "nested": {"a": 1, "d": [1]}})

        # 7. completed: the interrupt goes with it; terminal from then on
        db.execute("SELECT chatflow_clock(?)", (T4,))
        self.assertEqual(one(db, "SELECT complete_run(?)", (rid,)), 1)
        db = self.reopen(db)
        self.assertEqual(json.loads(one(db, "SELECT run_status(?)", (rid,))), {
            "id": 1, "conversation_id": 1, "workflow": "topical_map", "status": "completed",
            "current_step": "pillar_proposal", "is_active": False, "is_awaiting_input": False,
            "started_at": T2, "completed_at": T4, "error": None, "expires_at": None,
            "queue_position": None})
        self.assertEqual(one(db, "SELECT count(*) FROM workflow_interrupt"), 0)
        self.assertEqual(one(db, "SELECT active_run(?)", (cid,)), None)
        self.assertChatflowError(db, "SELECT set_run_status(?, 'processing')", (rid,),
                                 "chatflow: invalid run transition completed -> processing (run 1)")
        self.assertChatflowError(db, "SELECT merge_run_state(?, '{}')", (rid,),
                                 "chatflow: run 1 is completed; its state can no longer change")
        self.assertEqual(db.execute(
            "SELECT from_status, to_status, from_step, to_step, created_at FROM workflow_run_events"
            " WHERE run_id = ? ORDER BY id", (rid,)).fetchall(), [
            (None, "started", None, "context_ingestion", T2),
            ("started", "awaiting_clarification", "context_ingestion", "clarification", T2),
            ("awaiting_clarification", "processing", "clarification", "pillar_proposal", T3),
            ("processing", "completed", "pillar_proposal", "pillar_proposal", T4)])
        # after the run, a message has no run; a new run can start
        db.execute("SELECT chatflow_clock(?)", (T4,))
        self.assertEqual(one(db, "SELECT add_message(?, 'user', 'Thanks!', '{\"tokens\": 2}')", (cid,)), 7)
        self.assertEqual(db.execute("SELECT run_id, workflow_step FROM chat_messages WHERE id = 7"
                                    ).fetchone(), (None, None))

        # 8. the replay: seq order and budgets, after one more reopen
        db = self.reopen(db)
        hist = db.execute("SELECT seq, role, type, content, tokens, run_id, workflow_step"
                          " FROM chat_history(?)", (cid,)).fetchall()
        self.assertEqual(hist, [
            (1, "system", "system", "You are an SEO strategist.", 7, None, None),
            (2, "user", "user_input", "Build a topical map for our bakery", 9, None, None),
            (3, "assistant", "clarification_request", "Who are your customers?", 18, None, None),
            (4, "tool", "tool_result", "", 7, None, None),
            (5, "user", "clarification_answer", "Mostly locals.", 3, 1, "clarification"),
            (6, "assistant", "assistant_response", "Here is the map.", 4, 1, "pillar_proposal"),
            (7, "user", "user_input", "Thanks!", 2, None, None)])
        full = db.execute("SELECT id, seq, role, type, content, parts, attachments, metadata, tokens,"
                          " run_id, workflow_step, created_at FROM chat_messages"
                          " WHERE conversation_id = ? ORDER BY seq", (cid,)).fetchall()
        self.assertEqual(db.execute("SELECT id, seq, role, type, content, parts, attachments, metadata,"
                                    " tokens, run_id, workflow_step, created_at FROM chat_history(?)",
                                    (cid,)).fetchall(), full)
        # budget: system (7) always, then newest first while they fit: 2 + 4 + 3 = 16
        self.assertEqual([r[0] for r in db.execute("SELECT seq FROM chat_history(?, 16)", (cid,))],
                         [1, 5, 6, 7])
        self.assertEqual([r[0] for r in db.execute("SELECT seq FROM chat_history(?, 15)", (cid,))],
                         [1, 6, 7])
        self.assertEqual([r[0] for r in db.execute("SELECT seq FROM chat_history(?, 0)", (cid,))], [1])
        self.assertEqual([r[0] for r in db.execute("SELECT seq FROM chat_history(?, NULL, ?)",
                                                   (cid, rid))], [1, 5, 6])
        self.assertEqual(json.loads(one(db, "SELECT chat_history_json(?, 16)", (cid,))), [
            {"role": "system", "content": "You are an SEO strategist."},
            {"role": "user", "content": "Mostly locals."},
            {"role": "assistant", "content": "Here is the map."},
            {"role": "user", "content": "Thanks!"}])
        self.assertEqual(json.loads(one(db, "SELECT chat_history_json(?, 15, ?)", (cid, rid))), [
            {"role": "system", "content": "You are an SEO strategist."},
            {"role": "user", "content": "Mostly locals."},
            {"role": "assistant", "content": "Here is the map."}])
        # message 4, a tool result answering no call, is not replayed (OpenAI would refuse it)
        self.assertEqual([m["role"] for m in json.loads(one(db, "SELECT chat_history_json(?)", (cid,)))],
                         ["system", "user", "assistant", "user", "assistant", "user"])
        self.assertEqual(db.execute("SELECT message_count, last_seq, total_tokens, last_message_at"
                                    " FROM chat_conversations WHERE id = ?", (cid,)).fetchone(),
                         (7, 7, 7 + 9 + 18 + 7 + 3 + 4 + 2, T4))
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")
        self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])

        # 9. purge cascades (trigger-driven, whatever foreign_keys says)
        db.execute("SELECT chatflow_clock(?)", (T4,))
        rid2 = one(db, "SELECT start_run(?, 'topical_map')", (cid,))
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(?), x'00')",
                   (rid2,))
        self.assertEqual(one(db, "SELECT purge_conversation(?)", (cid,)), 1)
        db = self.reopen(db)
        self.assertEqual([one(db, "SELECT count(*) FROM %s" % t) for t in
                          ("chat_conversations", "chat_messages", "workflow_runs",
                           "workflow_run_events", "workflow_interrupts")], [1, 0, 0, 0, 0])
        db.close()


class WalkthroughFkOn(Walkthrough, TmpDir):
    FK = True


class WalkthroughFkOff(Walkthrough, TmpDir):
    FK = False


class Errors(TmpDir):
    def test_uninitialised(self):
        db = connect(self.path)
        for sql in ("SELECT create_conversation('acme')", "SELECT add_message(1, 'user', 'x')",
                    "SELECT start_run(1, 'topical_map')", "SELECT run_status(1)",
                    "SELECT * FROM chat_history(1)"):
            self.assertChatflowError(db, sql, (), "chatflow: schema not initialised — run SELECT chatflow_init()")
        self.assertEqual(one(db, "SELECT count(*) FROM sqlite_master"), 0)

    def test_error_texts(self):
        db = connect(self.path)
        db.execute("SELECT chatflow_init()")
        db.execute("SELECT create_conversation('acme', 'T', '{\"key\": \"k\"}')")
        before = snapshot(db)
        cases = [
            ("SELECT add_message(1, 'admin', 'x')",
             "chatflow: invalid role 'admin' (expected system, user, assistant, tool)"),
            ("SELECT add_message(999, 'user', 'x')", "chatflow: unknown conversation 999"),
            ("SELECT add_message(1, 'user', '')",
             "chatflow: message content must not be empty unless parts are given"
             " or it is a tool result (tool_call_id)"),
            ("SELECT add_message(1, 'user', 'x', '{\"bogus\": 1}')",
             "chatflow: unknown option 'bogus' for add_message (expected type, parts, attachments,"
             " metadata, tokens, run_id, created_at, uid, tool_calls, tool_call_id, parent_id, now)"),
            ("SELECT add_message(1, 'user', 'x', '{not json')",
             "chatflow: add_message options is not valid JSON at offset 1: quoted object property name expected"),
            ("SELECT add_message(1, 'user', 'x', '{\"parts\": \"x\"}')",
             "chatflow: option 'parts' of add_message must be an array of parts, got a string"),
            ("SELECT create_conversation(NULL)", "chatflow: owner must not be NULL"),
            ("SELECT create_conversation('acme', 'x', '{\"key\": \"k\"}')",
             "chatflow: owner 'acme' already has a conversation with key 'k' (id 1)",
             sqlite3.IntegrityError),  # SQLITE_CONSTRAINT, kept as the result code
            ("SELECT set_run_status(1, 'bogus')",
             "chatflow: invalid run status 'bogus' (expected started, awaiting_clarification,"
             " awaiting_approval, processing, completed, failed, cancelled, queued, expired)"),
            ("SELECT set_run_status(42, 'processing')", "chatflow: unknown run 42"),
            ("SELECT run_status(42)", "chatflow: unknown run 42"),
        ]
        for sql, text, *exc in cases:
            with self.subTest(sql=sql):
                self.assertChatflowError(db, sql, (), text, *exc)
        self.assertEqual(snapshot(db), before)
        # a second run, through bound parameters
        rid = one(db, "SELECT start_run(?, ?)", (1, "topical_map"))
        self.assertChatflowError(db, "SELECT start_run(?, ?)", (1, "topical_map"),
                                 "chatflow: conversation 1 already has an active run %d (started)" % rid)
        self.assertChatflowError(db, "SELECT start_run(?, ?)", (1, "nope"),
                                 "chatflow: unknown workflow 'nope'")
        self.assertChatflowError(db, "SELECT start_run(?, ?, ?, ?)", (1, "topical_map", None, '{"on_active": "x"}'),
                                 "chatflow: invalid on_active 'x' (expected reject, cancel, enqueue, rollback)")
        db.execute("SELECT cancel_run(?)", (rid,))
        self.assertChatflowError(db, "SELECT start_run(?, ?)", (1, "nope"),
                                 "chatflow: unknown workflow 'nope'")
        self.assertChatflowError(db, "SELECT cancel_run(?)", (rid,),
                                 "chatflow: invalid run transition cancelled -> cancelled (run %d)" % rid)
        # raw SQL refused by the schema's triggers (RAISE(ABORT)) is a constraint error
        self.assertChatflowError(db, "UPDATE workflow_runs SET status = 'processing' WHERE id = ?", (rid,),
                                 "chatflow: invalid run transition (not a move of workflow_run_transitions)",
                                 sqlite3.IntegrityError)
        db.close()


class Transactions(TmpDir):
    def setUp(self):
        super().setUp()
        db = connect(self.path)
        db.execute("SELECT chatflow_init()")
        db.execute("SELECT create_conversation('acme', 'T', '{\"key\": \"k\"}')")
        db.execute("SELECT add_message(1, 'user', 'first')")
        db.close()

    def _rollback_leaves_nothing(self, fk):
        db = connect(self.path, fk=fk)
        before = snapshot(db)
        db.execute("BEGIN")
        self.assertEqual(one(db, "SELECT create_conversation('acme', 'T2', '{\"key\": \"k2\"}')"), 2)
        self.assertEqual(one(db, "SELECT find_or_create_conversation('acme', 'k2')"), 2)
        self.assertEqual(one(db, "SELECT add_message(2, 'user', 'hello')"), 2)
        rid = one(db, "SELECT start_run(1, 'topical_map')")
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'in run')"), 3)
        db.execute("SELECT set_run_status(?, 'processing')", (rid,))
        db.execute("SELECT merge_run_state(?, '{\"a\": 1}')", (rid,))
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(?), x'01')",
                   (rid,))
        # a failing call inside the transaction leaves the caller's transaction open
        with self.assertRaises(sqlite3.OperationalError):
            db.execute("SELECT start_run(1, 'topical_map')").fetchall()
        self.assertTrue(db.in_transaction)
        self.assertEqual(one(db, "SELECT active_run(1)"), rid)
        db.execute("ROLLBACK")
        self.assertEqual(snapshot(db), before)
        db.close()
        db = connect(self.path, fk=fk)
        self.assertEqual(snapshot(db), before)
        db.close()

    def test_rollback_fk_on(self):
        self._rollback_leaves_nothing(True)

    def test_rollback_fk_off(self):
        self._rollback_leaves_nothing(False)

    def test_savepoint_of_caller_is_kept(self):
        db = connect(self.path)
        db.execute("BEGIN")
        db.execute("SAVEPOINT mine")
        db.execute("SELECT add_message(1, 'user', 'kept')")
        db.execute("SAVEPOINT inner")
        db.execute("SELECT add_message(1, 'user', 'dropped')")
        db.execute("ROLLBACK TO inner")
        db.execute("RELEASE mine")
        db.execute("COMMIT")
        db.close()
        db = connect(self.path)
        self.assertEqual(db.execute("SELECT seq, content FROM chat_messages ORDER BY seq").fetchall(),
                         [(1, "first"), (2, "kept")])
        self.assertEqual(one(db, "SELECT message_count FROM chat_conversations"), 2)

    def test_python_default_isolation(self):
        # Default mode: Python opens a transaction before INSERT/UPDATE/DELETE
        # only; a SELECT of a chatflow function runs in autocommit.
        db = connect(self.path, isolation_level="")
        self.assertEqual(db.isolation_level, "")
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'autocommitted')"), 2)
        self.assertFalse(db.in_transaction)
        # a DML statement opens Python's implicit transaction; functions join it
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('ext_1', x'aa')")
        self.assertTrue(db.in_transaction)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'rolled back')"), 3)
        db.rollback()
        self.assertEqual(one(db, "SELECT count(*) FROM workflow_interrupt"), 0)
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('ext_2', x'bb')")
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'committed')"), 3)
        db.commit()
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('ext_3', x'cc')")
        db.close()  # uncommitted: lost
        db = connect(self.path, isolation_level=None)
        self.assertEqual(db.execute("SELECT seq, content FROM chat_messages ORDER BY seq").fetchall(),
                         [(1, "first"), (2, "autocommitted"), (3, "committed")])
        self.assertEqual(db.execute("SELECT workflow_id, data FROM workflow_interrupt").fetchall(),
                         [("ext_2", b"\xbb")])
        self.assertEqual(db.execute("SELECT message_count, last_seq FROM chat_conversations").fetchone(),
                         (3, 3))

    def test_isolation_none(self):
        db = connect(self.path, isolation_level=None)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'a')"), 2)
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('ext_1', x'aa')")
        self.assertFalse(db.in_transaction)
        with self.assertRaises(sqlite3.OperationalError):
            db.execute("SELECT add_message(1, 'nobody', 'b')")
        self.assertFalse(db.in_transaction)
        db.close()
        db = connect(self.path)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages"), 2)
        self.assertEqual(one(db, "SELECT count(*) FROM workflow_interrupt"), 1)

    def test_with_block_rolls_back_on_exception(self):
        db = connect(self.path, isolation_level="")
        with self.assertRaises(sqlite3.OperationalError):
            with db:
                db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('ext_1', x'aa')")
                db.execute("SELECT add_message(1, 'user', 'in with')")
                db.execute("SELECT add_message(1, 'admin', 'boom')")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages"), 1)
        self.assertEqual(one(db, "SELECT count(*) FROM workflow_interrupt"), 0)


class Timestamps(TmpDir):
    """Python's own timestamp text goes in as it is: isoformat() of an aware
    datetime is RFC 3339 (an offset, microseconds unless they are 0), and
    chatflow stores it as UTC milliseconds, the fraction truncated."""

    @staticmethod
    def canonical(dt):
        """What chatflow stores for the aware datetime dt."""
        u = dt.astimezone(timezone.utc)
        return u.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (u.microsecond // 1000)

    def setUp(self):
        super().setUp()
        self.db = connect(self.path)
        self.db.execute("SELECT chatflow_init()")
        self.db.execute("SELECT create_conversation('acme', 'Times')")

    def tearDown(self):
        self.db.close()
        super().tearDown()

    def created_at(self, text):
        mid = one(self.db, "SELECT add_message(1, 'user', 'x', json_object('created_at', ?))", (text,))
        return one(self.db, "SELECT created_at FROM chat_messages WHERE id = ?", (mid,))

    def test_now_isoformat(self):
        now = datetime.now(timezone.utc)
        text = now.isoformat()
        self.assertRegex(text, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$")
        self.assertEqual(self.created_at(text), self.canonical(now))
        whole = now.replace(microsecond=0)  # isoformat() leaves the fraction out
        self.assertEqual(whole.isoformat()[19:], "+00:00")
        self.assertEqual(self.created_at(whole.isoformat()), self.canonical(whole))

    def test_offset_isoformat(self):
        ist = timezone(timedelta(hours=5, minutes=30))
        dt = datetime(2026, 1, 1, 4, 0, 0, 987654, tzinfo=ist)
        self.assertEqual(dt.isoformat(), "2026-01-01T04:00:00.987654+05:30")
        self.assertEqual(self.created_at(dt.isoformat()), "2025-12-31T22:30:00.987Z")
        west = datetime(2024, 2, 29, 23, 0, 0, tzinfo=timezone(timedelta(hours=-1)))
        self.assertEqual(west.isoformat(), "2024-02-29T23:00:00-01:00")
        self.assertEqual(self.created_at(west.isoformat()), "2024-03-01T00:00:00.000Z")
        # back in Python: the same instant, to the millisecond
        stored = self.created_at(dt.isoformat())
        self.assertEqual(datetime.fromisoformat(stored.replace("Z", "+00:00")),
                         dt.replace(microsecond=987000))

    def test_clock_now_and_updated_since(self):
        paris = timezone(timedelta(hours=1))
        t = datetime(2030, 12, 2, 6, 0, 0, 250999, tzinfo=paris)  # after setUp's real time
        self.assertEqual(one(self.db, "SELECT chatflow_clock(?)", (t.isoformat(),)), "2030-12-02T05:00:00.250Z")
        self.db.execute("SELECT chatflow_clock(NULL)")
        later = t + timedelta(minutes=5)
        mid = one(self.db, "SELECT add_message(1, 'user', 'y', json_object('now', ?))", (later.isoformat(),))
        self.assertEqual(self.db.execute("SELECT m.created_at, c.updated_at FROM chat_messages m"
                                         " JOIN chat_conversations c ON c.id = m.conversation_id"
                                         " WHERE m.id = ?", (mid,)).fetchone(),
                         ("2030-12-02T05:05:00.250Z", "2030-12-02T05:05:00.250Z"))

        def rows(since):
            return [r[0] for r in self.db.execute(
                "SELECT id FROM conversation_list('acme', json_object('updated_since', ?))", (since.isoformat(),))]
        self.assertEqual(rows(later), [1])                                   # inclusive, truncated
        self.assertEqual(rows(later + timedelta(milliseconds=1)), [])

    def test_order_kept(self):
        # times of every offset: the stored texts sort as the instants do
        rnd = random.Random(7)
        base = datetime(2026, 6, 1, tzinfo=timezone.utc)
        times = []
        for _ in range(200):
            tz = timezone(timedelta(minutes=rnd.randint(-23 * 60 - 59, 23 * 60 + 59)))
            times.append((base + timedelta(microseconds=rnd.randint(0, 3 * 86400 * 10**6))).astimezone(tz))
        stored = [self.created_at(t.isoformat()) for t in times]
        self.assertEqual(stored, [self.canonical(t) for t in times])
        by_instant = [s for _, s in sorted(zip(times, stored), key=lambda p: p[0])]
        self.assertEqual(by_instant, sorted(stored))

    def test_local_time_refused(self):
        naive = datetime(2026, 12, 2, 5, 0, 0, 123456)  # no tzinfo: isoformat() has no offset
        self.assertChatflowError(self.db, "SELECT add_message(1, 'user', 'x', json_object('created_at', ?))",
                                 (naive.isoformat(),),
                                 "chatflow: invalid timestamp '2026-12-02T05:00:00.123456' for created_at"
                                 " (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)")
        self.assertChatflowError(self.db, "SELECT add_message(1, 'user', 'x', json_object('created_at', ?))",
                                 (str(naive),),  # a space for the T, and no offset
                                 "chatflow: invalid timestamp '2026-12-02 05:00:00.123456' for created_at"
                                 " (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)")
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages"), 0)

    def test_str_of_an_aware_datetime(self):
        # str() writes a space for the T, which RFC 3339's note allows
        t = datetime(2026, 12, 2, 10, 30, 0, 250000, tzinfo=timezone(timedelta(hours=5, minutes=30)))
        self.assertEqual(str(t), "2026-12-02 10:30:00.250000+05:30")
        mid = one(self.db, "SELECT add_message(1, 'user', 'x', json_object('created_at', ?))", (str(t),))
        self.assertEqual(one(self.db, "SELECT created_at FROM chat_messages WHERE id = ?", (mid,)),
                         "2026-12-02T05:00:00.250Z")


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("python: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    failed = len(bad)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
