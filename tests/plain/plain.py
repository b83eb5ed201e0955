#!/usr/bin/python3
"""Plain-sqlite test for chatflow (issue 2).

A database is written by chatflow (a first connection that loads the
extension), then opened by connections that do NOT load it: Python's
sqlite3 and the sqlite3 shell without .load.  The schema alone must keep
the invariants: invalid run transitions, a second active run and message
edits are refused with "chatflow: ..." texts; a raw INSERT of a message
gets seq, tokens and type filled and moves the counters; a raw DELETE of a
conversation cascades to runs, messages, interrupts, events and proposals.
The identity rules of migration 005 hold here too: ids never reused after
the newest row is deleted (an explicit old id refused), run_<n> checkpoints
only while run n is active, a soft delete by raw UPDATE cancelling the active
run, no writes into a deleted conversation, no NUL in text and no \\u0000 or
lone surrogate escape in JSON; LangGraph checkpoints only for a live
conversation and an active run, and purged with their conversation.
Everything runs with PRAGMA foreign_keys ON and OFF.  Reads work without
the extension.

Run: CHATFLOW_EXT=dist/chatflow SQLITE3=sqlite3 /usr/bin/python3 tests/plain/plain.py
The output ends with "plain: N passed, M failed".
"""
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

# The schema version this build creates: one per numbered migration in sql/.
import glob as _glob
SCHEMA_VERSION = len(_glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "sql", "[0-9][0-9][0-9]_*.sql")))


EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
SQLITE3 = os.environ.get("SQLITE3", "sqlite3")
T0 = "2026-01-01T00:00:00.000Z"

STATUSES = ["started", "awaiting_clarification", "awaiting_approval", "processing",
            "completed", "failed", "cancelled", "queued", "expired"]
ACTIVE = STATUSES[:4]
ALLOWED = {
    "started": {"processing", "awaiting_clarification", "awaiting_approval", "completed", "failed",
                "cancelled"},
    "processing": {"awaiting_clarification", "awaiting_approval", "completed", "failed", "cancelled"},
    "awaiting_clarification": {"processing", "failed", "cancelled", "expired"},
    "awaiting_approval": {"processing", "failed", "cancelled", "expired"},
    # queued -> started is allowed when no other run is active; a queued run
    # always has one ahead of it (test_queue_raw shows the start)
    "queued": {"started", "cancelled"},
    "completed": set(), "failed": set(), "cancelled": set(), "expired": set(),
}
# what the schema says of a move outside workflow_run_transitions (a trigger
# cannot format the statuses into its message)
RAW_TRANSITION = "chatflow: invalid run transition (not a move of workflow_run_transitions)"
IMMUTABLE = ("chatflow: messages are immutable: conversation_id, seq, uid, role, content and parts "
             "cannot be updated")

SETUP = """
SELECT chatflow_init();
SELECT chatflow_clock('%(t0)s');
SELECT create_conversation('acme', 'Bakery', '{"key": "k1", "uid": "u1"}');
SELECT create_conversation('acme', 'Other', '{"key": "k2", "uid": "u2"}');
SELECT add_message(1, 'system', 'Be terse.');
SELECT add_message(1, 'user', 'Plan a map', '{"parts": [{"type": "text", "text": "Plan a map"}]}');
SELECT start_run(1, 'topical_map', '{"seed": "bakery"}');
SELECT add_message(1, 'assistant', 'Who are your customers?', '{"tokens": 6}');
SELECT set_run_status(1, 'awaiting_clarification', 'clarification');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00ff00');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('external', x'01');
SELECT add_message(2, 'user', 'Other conversation');
SELECT start_run(2, 'topical_map');
SELECT complete_run(2);
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('thread-2', x'02');
""" % {"t0": T0}


def make_db(path):
    """Writes the fixture with the extension loaded, then closes."""
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    for stmt in SETUP.strip().split(";\n"):
        db.execute(stmt)
    db.close()


def plain(path, fk):
    """A connection that never loads the extension."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=%s" % ("ON" if fk else "OFF"))
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


def dump(db):
    out = {}
    for t in ("chat_conversations", "chat_messages", "workflow_runs", "workflow_run_events",
              "workflow_interrupts", "workflow_proposals"):
        out[t] = db.execute("SELECT * FROM %s ORDER BY rowid" % t).fetchall()
    return out


class Plain:
    FK = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="chatflow-plain-")
        cls.template = os.path.join(cls.dir, "template.db")
        make_db(cls.template)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.path = os.path.join(self.dir, "%s.db" % self._testMethodName)
        shutil.copyfile(self.template, self.path)
        self.db = plain(self.path, self.FK)
        self.assertEqual(one(self.db, "PRAGMA foreign_keys"), 1 if self.FK else 0)
        # the proposals table has no function in this issue: a raw row for the run
        self.db.execute("INSERT INTO workflow_proposals (run_id, kind, proposed_name) "
                        "VALUES (1, 'pillar', 'Sourdough')")

    def tearDown(self):
        self.db.close()

    def refused(self, sql, args, text):
        """sql fails with exactly text and changes nothing."""
        before = dump(self.db)
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            self.db.execute(sql, args)
        self.assertEqual(str(cm.exception), text)
        self.assertEqual(dump(self.db), before)

    # -- reads ---------------------------------------------------------------

    def test_no_extension_here(self):
        with self.assertRaisesRegex(sqlite3.OperationalError, "^no such function: chatflow_version$"):
            self.db.execute("SELECT chatflow_version()")
        with self.assertRaisesRegex(sqlite3.OperationalError, "^no such table: workflow_interrupt$"):
            self.db.execute("SELECT * FROM workflow_interrupt")

    def test_reads(self):
        db = self.db
        self.assertEqual(db.execute("SELECT seq, role, type, content, tokens, run_id, workflow_step"
                                    " FROM chat_messages WHERE conversation_id = 1 ORDER BY seq").fetchall(),
                         [(1, "system", "system", "Be terse.", 3, None, None),
                          (2, "user", "user_input", "Plan a map", 3, None, None),
                          (3, "assistant", "assistant_response", "Who are your customers?", 6, 1,
                           "context_ingestion")])
        self.assertEqual(json.loads(one(db, "SELECT parts FROM chat_messages WHERE id = 2")),
                         [{"type": "text", "text": "Plan a map"}])
        self.assertEqual(db.execute("SELECT id, uid, title, message_count, last_seq, total_tokens,"
                                    " last_message_at FROM chat_conversations ORDER BY id").fetchall(),
                         [(1, "u1", "Bakery", 3, 3, 12, T0), (2, "u2", "Other", 1, 1, 5, T0)])
        self.assertEqual(db.execute("SELECT id, conversation_id, status, current_step, state,"
                                    " completed_at FROM workflow_runs ORDER BY id").fetchall(),
                         [(1, 1, "awaiting_clarification", "clarification", '{"seed":"bakery"}', None),
                          (2, 2, "completed", "context_ingestion", "{}", T0)])
        self.assertEqual(db.execute("SELECT workflow_id, data FROM workflow_interrupts"
                                    " ORDER BY workflow_id").fetchall(),
                         [("external", b"\x01"), ("run_1", b"\x00\xff\x00"), ("thread-2", b"\x02")])
        self.assertEqual(one(db, "SELECT max(version) FROM chatflow_migrations"), SCHEMA_VERSION)
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")

    # -- run state machine -----------------------------------------------------

    def test_transition_table(self):
        """Every (from, to) pair by raw UPDATE: allowed ones pass, others are refused."""
        db = self.db
        checked = 0
        for frm, to in itertools.product(STATUSES, STATUSES):
            if frm == to:
                continue
            with self.subTest(frm=frm, to=to):
                db.execute("SAVEPOINT t")
                try:
                    # a conversation and a run sitting in status frm
                    db.execute("INSERT INTO chat_conversations (owner) VALUES ('t')")
                    conv = one(db, "SELECT last_insert_rowid()")
                    if frm == "queued":  # a queued run waits behind an active one
                        db.execute("INSERT INTO workflow_runs (conversation_id, workflow)"
                                   " VALUES (?, 'topical_map')", (conv,))
                    db.execute("INSERT INTO workflow_runs (conversation_id, workflow, status)"
                               " VALUES (?, 'topical_map', ?)", (conv, frm))
                    run = one(db, "SELECT last_insert_rowid()")
                    if frm == "queued" and to == "started":
                        with self.assertRaises(sqlite3.IntegrityError) as cm:
                            db.execute("UPDATE workflow_runs SET status = ? WHERE id = ?", (to, run))
                        self.assertEqual(str(cm.exception),
                                         "chatflow: the conversation already has an active run")
                    elif to in ALLOWED[frm]:
                        db.execute("UPDATE workflow_runs SET status = ? WHERE id = ?", (to, run))
                        self.assertEqual(one(db, "SELECT status FROM workflow_runs WHERE id = ?",
                                             (run,)), to)
                        self.assertEqual(db.execute(
                            "SELECT from_status, to_status FROM workflow_run_events"
                            " WHERE run_id = ? ORDER BY id", (run,)).fetchall(),
                            [(None, frm), (frm, to)])
                    else:
                        with self.assertRaises(sqlite3.IntegrityError) as cm:
                            db.execute("UPDATE workflow_runs SET status = ? WHERE id = ?", (to, run))
                        self.assertEqual(str(cm.exception),
                                         RAW_TRANSITION)
                        self.assertEqual(one(db, "SELECT status FROM workflow_runs WHERE id = ?",
                                             (run,)), frm)
                    checked += 1
                finally:
                    db.execute("ROLLBACK TO t")
                    db.execute("RELEASE t")
        self.assertEqual(checked, 72)

    def test_transitions_table(self):
        """The state machine is the table workflow_run_transitions, which raw SQL cannot change."""
        db = self.db
        rows = set(db.execute("SELECT from_status, to_status FROM workflow_run_transitions"))
        self.assertEqual(rows, {(f, t) for f, ts in ALLOWED.items() for t in ts})
        text = ("chatflow: workflow_run_transitions is the run state machine; only chatflow's"
                " migrations change it")
        self.refused("INSERT INTO workflow_run_transitions VALUES ('completed', 'started')", (), text)
        self.refused("DELETE FROM workflow_run_transitions WHERE from_status = 'queued'", (), text)
        self.refused("UPDATE workflow_run_transitions SET to_status = 'started'"
                     " WHERE from_status = 'queued'", (), text)

    def test_queue_raw(self):
        """Queued runs by raw SQL: the oldest starts when the active run ends or is deleted."""
        db = self.db
        self.refused("INSERT INTO workflow_runs (conversation_id, workflow, status)"
                     " VALUES (2, 'topical_map', 'queued')", (),
                     "chatflow: a queued run waits for the conversation's active run, and the"
                     " conversation has none; insert the run as started")
        for _ in range(3):
            db.execute("INSERT INTO workflow_runs (conversation_id, workflow, status, lease_expires_at)"
                       " VALUES (1, 'topical_map', 'queued', '2030-01-01T00:00:00.000Z')")
        self.assertEqual(db.execute("SELECT run_id, position, behind_run_id FROM run_queue").fetchall(),
                         [(3, 1, 1), (4, 2, 1), (5, 3, 1)])
        self.assertEqual(one(db, "SELECT count(lease_expires_at) FROM workflow_runs WHERE id > 2"), 0)
        self.refused("UPDATE workflow_runs SET status = 'started' WHERE id = 4", (),
                     "chatflow: the conversation already has an active run")
        db.execute("UPDATE workflow_runs SET status = 'cancelled' WHERE id = 1")
        self.assertEqual(db.execute("SELECT id, status, lease_expires_at IS NOT NULL,"
                                    " started_at > created_at OR started_at = created_at"
                                    " FROM workflow_runs WHERE id >= 3 ORDER BY id").fetchall(),
                         [(3, "started", 1, 1), (4, "queued", 0, 1), (5, "queued", 0, 1)])
        self.assertEqual(db.execute("SELECT run_id, from_status, to_status FROM workflow_run_events"
                                    " WHERE run_id IN (1, 3) ORDER BY id DESC LIMIT 2").fetchall(),
                         [(3, "queued", "started"), (1, "awaiting_clarification", "cancelled")])
        db.execute("UPDATE workflow_runs SET status = 'cancelled' WHERE id = 4")
        db.execute("DELETE FROM workflow_runs WHERE id = 3")
        self.assertEqual(db.execute("SELECT id, status FROM workflow_runs WHERE id >= 3"
                                    " ORDER BY id").fetchall(), [(4, "cancelled"), (5, "started")])
        self.assertEqual(db.execute("SELECT * FROM run_queue").fetchall(), [])
        # a soft delete cancels the queue before the active run, which starts none of it
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow, status)"
                   " VALUES (1, 'topical_map', 'queued')")
        db.execute("UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 1")
        self.assertEqual(db.execute("SELECT id, status, error FROM workflow_runs WHERE id >= 5"
                                    " ORDER BY id").fetchall(),
                         [(5, "cancelled", "conversation deleted"), (6, "cancelled", "conversation deleted")])

    def test_expiry_raw(self):
        """expires_at: set when an awaiting run starts to wait (awaiting_ttl_seconds), cleared after."""
        db = self.db
        self.refused("UPDATE workflow_runs SET status = 'expired' WHERE id = 2", (),
                     RAW_TRANSITION)
        self.refused("UPDATE workflow_runs SET expires_at = 'soon' WHERE id = 1", (),
                     "chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ")
        db.execute("UPDATE workflow_runs SET awaiting_ttl_seconds = 60 WHERE id = 1")
        db.execute("UPDATE workflow_runs SET status = 'processing' WHERE id = 1")
        self.assertEqual(one(db, "SELECT expires_at FROM workflow_runs WHERE id = 1"), None)
        db.execute("UPDATE workflow_runs SET status = 'awaiting_approval', current_step = 'pillar_proposal'"
                   " WHERE id = 1")
        self.assertEqual(one(db, "SELECT (julianday(expires_at) - julianday(updated_at)) * 86400"
                                 " BETWEEN 59.9 AND 60.1 FROM workflow_runs WHERE id = 1"), 1)
        db.execute("UPDATE workflow_runs SET status = 'expired' WHERE id = 1")
        self.assertEqual(db.execute("SELECT status, completed_at IS NOT NULL, lease_expires_at,"
                                    " expires_at IS NOT NULL FROM workflow_runs WHERE id = 1").fetchone(),
                         ("expired", 1, None, 1))
        self.refused("UPDATE workflow_runs SET status = 'processing' WHERE id = 1", (),
                     RAW_TRANSITION)
        self.assertEqual([r[0] for r in db.execute(
            "SELECT workflow_id FROM workflow_interrupts ORDER BY 1")], ["external", "thread-2"])

    def test_transition_refused_on_fixture(self):
        self.refused("UPDATE workflow_runs SET status = 'processing' WHERE id = 2", (),
                     RAW_TRANSITION)
        self.refused("UPDATE workflow_runs SET status = 'completed' WHERE id = 1", (),
                     RAW_TRANSITION)
        self.refused("UPDATE workflow_runs SET status = 'started' WHERE id = 1", (),
                     RAW_TRANSITION)
        self.refused("UPDATE workflow_runs SET conversation_id = 2 WHERE id = 1", (),
                     "chatflow: a run cannot move to another conversation or workflow")
        self.refused("UPDATE workflow_runs SET current_step = 'nope' WHERE id = 1", (),
                     "chatflow: current_step is not a step of the run's workflow")
        with self.assertRaisesRegex(sqlite3.IntegrityError, "^CHECK constraint failed: "):
            self.db.execute("UPDATE workflow_runs SET status = 'paused' WHERE id = 1")

    def test_allowed_update_and_end(self):
        db = self.db
        db.execute("UPDATE workflow_runs SET status = 'processing', current_step = 'pillar_proposal'"
                   " WHERE id = 1")
        db.execute("UPDATE workflow_runs SET status = 'completed' WHERE id = 1")
        row = db.execute("SELECT status, completed_at IS NOT NULL, updated_at > created_at"
                         " FROM workflow_runs WHERE id = 1").fetchone()
        self.assertEqual(row, ("completed", 1, 1))
        # the run's interrupt went with it; the others stay
        self.assertEqual([r[0] for r in db.execute(
            "SELECT workflow_id FROM workflow_interrupts ORDER BY 1")], ["external", "thread-2"])
        self.assertEqual(db.execute("SELECT from_status, to_status, from_step, to_step"
                                    " FROM workflow_run_events WHERE run_id = 1 ORDER BY id").fetchall(),
                         [(None, "started", None, "context_ingestion"),
                          ("started", "awaiting_clarification", "context_ingestion", "clarification"),
                          ("awaiting_clarification", "processing", "clarification", "pillar_proposal"),
                          ("processing", "completed", "pillar_proposal", "pillar_proposal")])
        self.refused("UPDATE workflow_run_events SET to_status = 'failed' WHERE run_id = 1", (),
                     "chatflow: workflow_run_events is append-only")
        self.refused("DELETE FROM workflow_run_events WHERE run_id = 1 AND to_status = 'completed'", (),
                     "chatflow: workflow_run_events is append-only: an event is deleted only with its run")
        self.assertEqual(db.execute("SELECT count(*) FROM workflow_run_events WHERE run_id = 1").fetchone(),
                         (4,))

    def test_ended_run_raw(self):
        """A run inserted as ended gets completed_at and no lease, as one
        that ends does; an ended run keeps them by raw UPDATE too."""
        db = self.db
        cid = one(db, "SELECT conversation_id FROM workflow_runs WHERE id = 1")
        for status in ("completed", "failed", "cancelled", "expired"):
            with self.subTest(status=status):
                db.execute("INSERT INTO workflow_runs (conversation_id, workflow, status, lease_expires_at)"
                           " VALUES (?, 'topical_map', ?, '2030-01-01T00:00:00.000Z')", (cid, status))
                rid = one(db, "SELECT last_insert_rowid()")
                self.assertEqual(db.execute("SELECT completed_at IS NOT NULL, lease_expires_at FROM workflow_runs"
                                            " WHERE id = ?", (rid,)).fetchall(), [(1, None)])
        kept = "chatflow: an ended run keeps its completed_at and holds no lease"
        self.refused("UPDATE workflow_runs SET completed_at = NULL WHERE id = ?", (rid,), kept)
        self.refused("UPDATE workflow_runs SET lease_expires_at = '2030-01-01T00:00:00.000Z' WHERE id = ?",
                     (rid,), kept)
        db.execute("UPDATE workflow_runs SET completed_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", (rid,))
        self.assertEqual(one(db, "SELECT completed_at FROM workflow_runs WHERE id = ?", (rid,)),
                         "2026-01-01T00:00:00.000Z")
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")

    # -- one active run ----------------------------------------------------------

    def test_second_active_run_refused(self):
        for st in ACTIVE:
            self.refused("INSERT INTO workflow_runs (conversation_id, workflow, status)"
                         " VALUES (1, 'topical_map', ?)", (st,),
                         "chatflow: the conversation already has an active run")
        # terminal runs may be inserted (history), active ones where none is active
        self.db.execute("INSERT INTO workflow_runs (conversation_id, workflow, status)"
                        " VALUES (1, 'topical_map', 'failed')")
        self.db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'topical_map')")
        new = one(self.db, "SELECT max(id) FROM workflow_runs")
        self.assertEqual(self.db.execute("SELECT status, current_step FROM workflow_runs WHERE id = ?",
                                         (new,)).fetchone(), ("started", "context_ingestion"))
        self.refused("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'topical_map')", (),
                     "chatflow: the conversation already has an active run")
        self.refused("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (99, 'topical_map')", (),
                     "chatflow: unknown conversation for run")
        self.refused("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'nope')", (),
                     "chatflow: unknown workflow for run")
        self.assertEqual(self.db.execute(
            "SELECT conversation_id, count(*) FROM workflow_runs WHERE status IN"
            " ('started','awaiting_clarification','awaiting_approval','processing')"
            " GROUP BY 1 ORDER BY 1").fetchall(), [(1, 1), (2, 1)])

    def test_replace_by_uid_refused(self):
        # INSERT OR REPLACE on a run's uid would delete the run without its
        # DELETE triggers (recursive_triggers off): its checkpoint run_<n>
        # would outlive it and take saves
        db = self.db
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow, uid) VALUES (2, 'topical_map', 'u1')")
        run = self.last_id()
        db.execute("INSERT INTO workflow_interrupts (workflow_id, data) VALUES (?, x'01')", ("run_%d" % run,))
        self.refused("INSERT OR REPLACE INTO workflow_runs (conversation_id, workflow, status, uid)"
                     " VALUES (2, 'topical_map', 'queued', 'u1')", (),
                     "chatflow: the conversation already has a run with this uid; change it with UPDATE")
        self.assertEqual(db.execute("SELECT id, status FROM workflow_runs WHERE uid = 'u1'").fetchall(),
                         [(run, "started")])

    def test_unique_index_backs_the_trigger(self):
        # even with the trigger out of the way, the partial unique index refuses
        db = self.db
        db.execute("BEGIN")
        db.execute("DROP TRIGGER workflow_runs_check_insert")
        with self.assertRaisesRegex(sqlite3.IntegrityError,
                                    r"^UNIQUE constraint failed: workflow_runs\.conversation_id$"):
            db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map')")
        db.execute("ROLLBACK")

    # -- messages ------------------------------------------------------------------

    def test_message_edits_refused(self):
        for col, val in (("content", "edited"), ("role", "assistant"), ("seq", 9), ("seq", 1),
                         ("parts", '[{"type": "text", "text": "x"}]'), ("parts", None),
                         ("conversation_id", 2)):
            with self.subTest(col=col, val=val):
                self.refused("UPDATE chat_messages SET %s = ? WHERE id = 2" % col, (val,), IMMUTABLE)
        self.refused("UPDATE chat_messages SET content = content || '!'", (), IMMUTABLE)
        # nor its time: last_message_at and retention's cutoff follow it
        for val in ("2020-01-01T00:00:00.000Z", "yesterday", None):
            self.refused("UPDATE chat_messages SET created_at = ? WHERE id = 3", (val,),
                         "chatflow: a message's created_at cannot change")
        # metadata is not immutable; tokens moves the conversation's total
        self.db.execute("UPDATE chat_messages SET metadata = '{\"flag\": 1}', tokens = 10 WHERE id = 2")
        self.assertEqual(self.db.execute("SELECT message_count, total_tokens FROM chat_conversations"
                                         " WHERE id = 1").fetchone(), (3, 3 + 10 + 6))

    def test_raw_insert_message(self):
        db = self.db
        db.execute("INSERT INTO chat_messages (conversation_id, role, content)"
                   " VALUES (1, 'user', 'Mostly locals, some tourists')")
        mid = one(db, "SELECT last_insert_rowid()")
        self.assertEqual(db.execute("SELECT seq, role, type, tokens FROM chat_messages WHERE id = ?",
                                    (mid,)).fetchone(), (4, "user", "user_input", (28 + 3) // 4))
        db.execute("INSERT INTO chat_messages (conversation_id, role, content, parts)"
                   " VALUES (1, 'tool', '', '[{\"type\": \"tool-result\", \"output\": 1}]')")
        mid2 = one(db, "SELECT last_insert_rowid()")
        parts = one(db, "SELECT parts FROM chat_messages WHERE id = ?", (mid2,))
        self.assertEqual(db.execute("SELECT seq, type, tokens FROM chat_messages WHERE id = ?",
                                    (mid2,)).fetchone(), (5, "tool_result", (len(parts) + 3) // 4))
        db.execute("INSERT INTO chat_messages (conversation_id, role, type, content, tokens)"
                   " VALUES (1, 'assistant', 'proposal', 'Pillars: bread', 40)")
        self.assertEqual(db.execute("SELECT seq, type, tokens FROM chat_messages WHERE id = ?",
                                    (one(db, "SELECT last_insert_rowid()"),)).fetchone(),
                         (6, "proposal", 40))
        row = db.execute(
            "SELECT message_count, last_seq, total_tokens,"
            " last_message_at = (SELECT created_at FROM chat_messages WHERE conversation_id = 1"
            "                     ORDER BY seq DESC LIMIT 1)"
            " FROM chat_conversations WHERE id = 1").fetchone()
        self.assertEqual(row, (6, 6, 3 + 3 + 6 + 7 + (len(parts) + 3) // 4 + 40, 1))
        self.assertEqual([r[0] for r in db.execute(
            "SELECT seq FROM chat_messages WHERE conversation_id = 1 ORDER BY seq")], [1, 2, 3, 4, 5, 6])
        self.assertEqual(one(db, "SELECT message_count FROM chat_conversations WHERE id = 2"), 1)
        # refusals
        self.refused("INSERT INTO chat_messages (conversation_id, role, content) VALUES (99, 'user', 'x')",
                     (), "chatflow: unknown conversation for message")
        self.refused("INSERT INTO chat_messages (conversation_id, seq, role, content)"
                     " VALUES (1, 3, 'user', 'x')", (),
                     "chatflow: message seq must be greater than the conversation's last seq")
        self.refused("INSERT INTO chat_messages (conversation_id, run_id, role, content)"
                     " VALUES (1, 2, 'user', 'x')", (),
                     "chatflow: message run_id names no run of this conversation")
        with self.assertRaisesRegex(sqlite3.IntegrityError, "^CHECK constraint failed: "):
            db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'admin', 'x')")
        with self.assertRaisesRegex(sqlite3.IntegrityError, "^CHECK constraint failed: "):
            db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', '')")
        self.refused("INSERT INTO chat_conversations (owner, message_count) VALUES ('x', 5)", (),
                     "chatflow: message_count, last_seq, total_tokens, last_message_at, "
                     "current_leaf_id and branched are maintained by chatflow; omit them")

    def test_message_time_that_does_not_exist(self):
        """A created_at in the form YYYY-MM-DDTHH:MM:SS.sssZ that names no
        time (month 19, February 30, hour 29) is refused like any other bad
        stamp: SQLite's date functions read it as NULL, so it escaped the
        clock cap and became the conversation's updated_at, holding it at
        the top of the list; retention's text cutoff never reached it."""
        stamp = "chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ"
        for bad in ("2026-19-39T29:59:59.999Z", "2026-02-30T00:00:00.000Z", "2026-01-01T24:00:00.000Z",
                    "2026-00-01T00:00:00.000Z"):
            with self.subTest(created_at=bad):
                self.refused("INSERT INTO chat_messages (conversation_id, role, content, created_at)"
                             " VALUES (2, 'user', 'x', ?)", (bad,), stamp)
                self.refused("INSERT INTO chat_messages (conversation_id, role, content, status, streamed_at)"
                             " VALUES (2, 'assistant', '', 'streaming', ?)", (bad,), stamp)
        # year 0000 names a time SQLite reads, but import_conversation (years
        # 1 to 9999) would refuse the message's export
        self.refused("INSERT INTO chat_messages (conversation_id, role, content, created_at)"
                     " VALUES (2, 'user', 'x', '0000-01-01T00:00:00.000Z')", (), stamp)
        self.db.execute("INSERT INTO chat_messages (conversation_id, role, content, created_at)"
                        " VALUES (2, 'user', 'x', '2024-02-29T23:59:59.999Z')")
        self.assertEqual(one(self.db, "SELECT updated_at < '2027' FROM chat_conversations WHERE id = 2"), 1)

    def test_proposal_timestamps(self):
        """A proposal's times hold UTC text YYYY-MM-DDTHH:MM:SS.sssZ, as a
        run's do: export_conversation writes them as they are and
        import_conversation refuses any other form, so a raw
        datetime('now') or 'yesterday' broke the round trip."""
        stamp = "chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ"
        self.refused("INSERT INTO workflow_proposals (run_id, kind, proposed_name, created_at)"
                     " VALUES (1, 'pillar', 'Rye', datetime('now'))", (), stamp)
        for col in ("created_at", "approved_at", "validated_at", "rejected_at"):
            with self.subTest(column=col):
                self.refused("UPDATE workflow_proposals SET %s = 'yesterday' WHERE run_id = 1" % col, (), stamp)
        self.db.execute("UPDATE workflow_proposals SET user_approved = 1, approved_at = ? WHERE run_id = 1", (T0,))
        self.assertEqual(one(self.db, "SELECT approved_at FROM workflow_proposals WHERE run_id = 1"), T0)

    def test_times_that_do_not_exist(self):
        """Every timestamp of a conversation, run, proposal or event names a
        time that exists, from year 1, as a message's created_at does:
        February 30 or month 13 passed the pattern, and year 0000 is a time
        SQLite reads, and export_conversation wrote them while
        import_conversation refused the document."""
        stamp = "chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ"
        for bad in ("2026-02-30T00:00:00.000Z", "2025-13-01T00:00:00.000Z", "2026-01-01T24:00:00.000Z",
                    "0000-01-01T00:00:00.000Z"):
            with self.subTest(stamp=bad):
                self.refused("INSERT INTO chat_conversations (owner, created_at) VALUES ('acme', ?)", (bad,), stamp)
                self.refused("INSERT INTO chat_conversations (owner, updated_at) VALUES ('acme', ?)", (bad,), stamp)
                for col in ("pinned_at", "archived_at", "deleted_at", "updated_at", "created_at"):
                    self.refused("UPDATE chat_conversations SET %s = ? WHERE id = 2" % col, (bad,), stamp)
                self.refused("INSERT INTO workflow_runs (conversation_id, workflow, started_at)"
                             " VALUES (2, 'topical_map', ?)", (bad,), stamp)
                for col in ("started_at", "created_at", "completed_at", "expires_at"):
                    self.refused("UPDATE workflow_runs SET %s = ? WHERE id = 2" % col, (bad,), stamp)
                self.refused("INSERT INTO workflow_proposals (run_id, kind, proposed_name, created_at)"
                             " VALUES (1, 'pillar', 'Rye', ?)", (bad,), stamp)
                self.refused("INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at)"
                             " VALUES (1, 'awaiting_clarification', 'awaiting_clarification', ?)", (bad,),
                             "chatflow: event created_at must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ")
        # a leap day exists, and so do the first and the last millisecond
        self.db.execute("UPDATE chat_conversations SET pinned_at = '2024-02-29T23:59:59.999Z',"
                        " archived_at = '0001-01-01T00:00:00.000Z', updated_at = '2024-02-29T00:00:00.000Z'"
                        " WHERE id = 2")
        self.db.execute("UPDATE workflow_runs SET completed_at = '9999-12-31T23:59:59.999Z' WHERE id = 2")
        self.assertEqual(self.db.execute("SELECT pinned_at, archived_at FROM chat_conversations WHERE id = 2").fetchone(),
                         ("2024-02-29T23:59:59.999Z", "0001-01-01T00:00:00.000Z"))

    def test_drafts_raw(self):
        """Streaming drafts (docs/drafts.md) by raw SQL alone: a draft counts
        0 tokens; its content only grows, by appending, while it streams;
        its status moves once; finishing estimates its tokens and indexes
        it once the search mark has passed it; an aborted one is never
        indexed; a soft delete aborts the conversation's drafts."""
        db = self.db
        db.execute("INSERT INTO chat_messages (conversation_id, role, status, streamed_at)"
                   " VALUES (1, 'assistant', 'streaming', ?)", (T0,))
        mid = one(db, "SELECT last_insert_rowid()")
        self.assertEqual(db.execute("SELECT seq, content, tokens, parent_id FROM chat_messages WHERE id = ?",
                                    (mid,)).fetchall(), [(4, "", 0, 3)])
        self.assertEqual(db.execute("SELECT message_count, total_tokens, current_leaf_id FROM chat_conversations"
                                    " WHERE id = 1").fetchall(), [(4, 12, mid)])
        for delta in ("Sour", "dough ", "bread."):
            db.execute("UPDATE chat_messages SET content = content || ?, streamed_at = ? WHERE id = ?",
                       (delta, T0, mid))
        self.assertEqual(one(db, "SELECT substr(content, 4 + 1) FROM chat_messages WHERE id = ?", (mid,)),
                         "dough bread.")
        appending = "chatflow: a streaming message's content only grows by appending"
        self.refused("UPDATE chat_messages SET content = 'Rye.' WHERE id = ?", (mid,), appending)
        self.refused("UPDATE chat_messages SET content = substr(content, 2) WHERE id = ?", (mid,), appending)
        self.refused("UPDATE chat_messages SET content = content || char(0) WHERE id = ?", (mid,),
                     "chatflow: message content contains a NUL character")
        self.refused("UPDATE chat_messages SET status = 'paused' WHERE id = ?", (mid,),
                     "chatflow: a message's status only moves from streaming to complete or aborted")
        self.refused("UPDATE chat_messages SET role = 'user' WHERE id = ?", (mid,), IMMUTABLE)
        self.refused("INSERT INTO chat_messages (conversation_id, role, status, tokens)"
                     " VALUES (1, 'assistant', 'streaming', 3)", (),
                     "chatflow: a streaming message counts no tokens until it finishes; omit tokens")
        # the search mark passes it while it streams: not indexed until it finishes
        db.execute("UPDATE chatflow_search_state SET indexed_upto ="
                   " (SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages')")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'sourdough'"), 0)
        db.execute("UPDATE chat_messages SET status = 'complete' WHERE id = ?", (mid,))
        self.assertEqual(db.execute("SELECT status, tokens FROM chat_messages WHERE id = ?", (mid,)).fetchall(),
                         [("complete", 4)])
        self.assertEqual(one(db, "SELECT total_tokens FROM chat_conversations WHERE id = 1"), 16)
        self.assertEqual(one(db, "SELECT rowid FROM chat_messages_fts WHERE chat_messages_fts MATCH 'sourdough'"), mid)
        self.refused("UPDATE chat_messages SET content = content || '!' WHERE id = ?", (mid,), IMMUTABLE)
        self.refused("UPDATE chat_messages SET status = 'streaming' WHERE id = ?", (mid,),
                     "chatflow: a message's status only moves from streaming to complete or aborted")
        # an aborted draft keeps its text, counts its tokens, is never indexed
        db.execute("INSERT INTO chat_messages (conversation_id, role, status) VALUES (1, 'assistant', 'streaming')")
        mid2 = one(db, "SELECT last_insert_rowid()")
        db.execute("UPDATE chat_messages SET content = content || 'Croissants' WHERE id = ?", (mid2,))
        db.execute("UPDATE chatflow_search_state SET indexed_upto ="
                   " (SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages')")
        db.execute("UPDATE chat_messages SET status = 'aborted',"
                   " metadata = json_object('abort_reason', 'raw') WHERE id = ?", (mid2,))
        self.assertEqual(db.execute("SELECT status, content, tokens FROM chat_messages WHERE id = ?",
                                    (mid2,)).fetchall(), [("aborted", "Croissants", 3)])
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'croissants'"), 0)
        self.refused("UPDATE chat_messages SET status = 'complete' WHERE id = ?", (mid2,),
                     "chatflow: a message's status only moves from streaming to complete or aborted")
        # deleting it removes nothing from the index (it was never there)
        db.execute("DELETE FROM chat_messages WHERE id = ?", (mid2,))
        # a soft delete aborts the conversation's drafts
        db.execute("INSERT INTO chat_messages (conversation_id, role, status) VALUES (1, 'assistant', 'streaming')")
        mid3 = one(db, "SELECT last_insert_rowid()")
        db.execute("UPDATE chat_conversations SET deleted_at = ? WHERE id = 1", (T0,))
        self.assertEqual(db.execute("SELECT status, json_extract(metadata, '$.abort_reason') FROM chat_messages"
                                    " WHERE id = ?", (mid3,)).fetchall(), [("aborted", "conversation deleted")])
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")

    def test_raw_tokens_updates_keep_the_total(self):
        """Every UPDATE of a message's tokens moves total_tokens, NULL
        counting 0 — from NULL too (0.1's trigger skipped that change and
        left the total short); a streaming draft takes no tokens."""
        db = self.db
        recount = ("SELECT total_tokens - (SELECT coalesce(sum(tokens), 0) FROM chat_messages"
                   " WHERE conversation_id = 1) FROM chat_conversations WHERE id = 1")
        mid = one(db, "SELECT max(id) FROM chat_messages WHERE conversation_id = 1")
        for value in (None, 40, None, None, 7, 0, 1000000000):
            with self.subTest(tokens=value):
                db.execute("UPDATE chat_messages SET tokens = ? WHERE id = ?", (value, mid))
                self.assertEqual(one(db, recount), 0)
        db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'twelve chars')")
        self.assertEqual(one(db, recount), 0)
        db.execute("INSERT INTO chat_messages (conversation_id, role, status) VALUES (1, 'assistant', 'streaming')")
        draft = one(db, "SELECT last_insert_rowid()")
        for value in (50, None):
            self.refused("UPDATE chat_messages SET tokens = ? WHERE id = ?", (value, draft),
                         "chatflow: a streaming message counts no tokens until it finishes; omit tokens")
        db.execute("UPDATE chat_messages SET content = 'Rye', status = 'complete', tokens = NULL WHERE id = ?",
                   (draft,))
        db.execute("UPDATE chat_messages SET tokens = 9 WHERE id = ?", (draft,))
        self.assertEqual(one(db, recount), 0)
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")

    def test_raw_delete_message_moves_counters(self):
        db = self.db
        db.execute("DELETE FROM chat_messages WHERE id = 3")
        self.assertEqual(db.execute("SELECT message_count, total_tokens, last_message_at"
                                    " FROM chat_conversations WHERE id = 1").fetchone(), (2, 6, T0))

    def test_message_tree(self):
        """Trees by raw SQL: a message without parent_id follows the current
        leaf, with one it starts a branch, 0 makes a first message; the
        parent stays in the conversation and never changes; a deleted
        message's children follow its parent; the leaf moves with it."""
        db = self.db
        tree = lambda: db.execute("SELECT id, parent_id FROM chat_messages WHERE conversation_id = 1"
                                  " ORDER BY seq").fetchall()
        leaf = lambda: db.execute("SELECT current_leaf_id, branched FROM chat_conversations"
                                  " WHERE id = 1").fetchone()
        self.assertEqual(tree(), [(1, None), (2, 1), (3, 2)])
        self.assertEqual(leaf(), (3, 0))
        db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'Bakers')")
        self.assertEqual(tree()[-1], (5, 3))
        self.assertEqual(leaf(), (5, 0))
        db.execute("INSERT INTO chat_messages (conversation_id, role, content, parent_id)"
                   " VALUES (1, 'assistant', 'Again', 2)")
        self.assertEqual(tree()[-1], (6, 2))
        self.assertEqual(leaf(), (6, 1))
        db.execute("INSERT INTO chat_messages (conversation_id, role, content, parent_id)"
                   " VALUES (1, 'system', 'Root', 0)")
        self.assertEqual(tree()[-1], (7, None))
        self.refused("INSERT INTO chat_messages (conversation_id, role, content, parent_id)"
                     " VALUES (1, 'user', 'x', 4)", (),
                     "chatflow: message parent_id names no message of this conversation")
        self.refused("UPDATE chat_messages SET parent_id = 1 WHERE id = 3", (),
                     "chatflow: a message's parent_id cannot change; add the message again under "
                     "another parent (add_message option parent_id)")
        self.refused("UPDATE chat_conversations SET current_leaf_id = 4 WHERE id = 1", (),
                     "chatflow: current_leaf_id must be a message of this conversation")
        self.refused("UPDATE chat_conversations SET branched = 0 WHERE id = 1", (),
                     "chatflow: message_count, total_tokens, last_message_at and branched follow "
                     "the messages; they cannot be set by hand")
        db.execute("UPDATE chat_conversations SET current_leaf_id = 5 WHERE id = 1")
        # a message in the middle: its children follow its parent
        db.execute("DELETE FROM chat_messages WHERE id = 2")
        self.assertEqual(tree(), [(1, None), (3, 1), (5, 3), (6, 1), (7, None)])
        # the leaf: its parent becomes the leaf; a first one: its children are first ones
        db.execute("DELETE FROM chat_messages WHERE id = 5")
        self.assertEqual(leaf(), (3, 1))
        db.execute("DELETE FROM chat_messages WHERE id = 1")
        self.assertEqual(tree(), [(3, None), (6, None), (7, None)])
        self.assertEqual(db.execute("SELECT message_count FROM chat_conversations WHERE id = 1")
                         .fetchone(), (3,))

    # -- conversations ---------------------------------------------------------------

    def test_conversation_constraints(self):
        db = self.db
        old = one(db, "SELECT updated_at FROM chat_conversations WHERE id = 2")
        db.execute("UPDATE chat_conversations SET title = 'Renamed' WHERE id = 2")
        self.assertNotEqual(one(db, "SELECT updated_at FROM chat_conversations WHERE id = 2"), old)
        with self.assertRaisesRegex(sqlite3.IntegrityError, "^CHECK constraint failed: "):
            db.execute("UPDATE chat_conversations SET title = ? WHERE id = 2", ("x" * 201,))
        with self.assertRaisesRegex(sqlite3.IntegrityError, "^CHECK constraint failed: "):
            db.execute("UPDATE chat_conversations SET metadata = '{bad' WHERE id = 2")
        with self.assertRaisesRegex(sqlite3.IntegrityError,
                                    r"^chatflow: a conversation with this id, uid or \(owner, key\) "
                                    r"already exists; change it with UPDATE$"):
            db.execute("INSERT INTO chat_conversations (owner, key) VALUES ('acme', 'k1')")
        # INSERT OR REPLACE would drop the conversation's messages and runs: refused
        with self.assertRaisesRegex(sqlite3.IntegrityError, r"^chatflow: a conversation with this id"):
            db.execute("INSERT OR REPLACE INTO chat_conversations (owner, key) VALUES ('acme', 'k1')")
        with self.assertRaisesRegex(sqlite3.IntegrityError, r"^chatflow: a conversation id cannot change$"):
            db.execute("UPDATE chat_conversations SET id = 999 WHERE id = 2")
        with self.assertRaisesRegex(sqlite3.IntegrityError,
                                    r"^chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS\.sssZ$"):
            db.execute("UPDATE chat_conversations SET pinned_at = datetime('now') WHERE id = 2")
        db.execute("INSERT INTO chat_conversations (owner, key) VALUES ('acme', 'k3')")
        self.assertEqual(db.execute("SELECT length(uid), message_count, last_seq, visibility"
                                    " FROM chat_conversations WHERE key = 'k3'").fetchone(),
                         (32, 0, 0, "private"))

    def test_purge_by_raw_delete_cascades(self):
        db = self.db
        before2 = {t: [r for r in rows] for t, rows in dump(db).items()}
        db.execute("DELETE FROM chat_conversations WHERE id = 1")
        counts = [one(db, "SELECT count(*) FROM %s WHERE %s" % (t, w)) for t, w in (
            ("chat_messages", "conversation_id = 1"),
            ("workflow_runs", "conversation_id = 1"),
            ("workflow_run_events", "run_id = 1"),
            ("workflow_proposals", "run_id = 1"),
            ("workflow_interrupts", "workflow_id = 'run_1'"))]
        self.assertEqual(counts, [0, 0, 0, 0, 0])
        # conversation 2 and the unrelated interrupt are untouched
        after = dump(db)
        self.assertEqual(after["chat_conversations"], [r for r in before2["chat_conversations"] if r[0] == 2])
        self.assertEqual(after["chat_messages"], [r for r in before2["chat_messages"] if r[1] == 2])
        self.assertEqual(after["workflow_runs"], [r for r in before2["workflow_runs"] if r[0] == 2])
        self.assertEqual([r[0] for r in after["workflow_interrupts"]], ["external", "thread-2"])
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")
        self.assertEqual(db.execute("PRAGMA foreign_key_check").fetchall(), [])

    def test_raw_delete_run_cascades(self):
        db = self.db
        db.execute("DELETE FROM workflow_runs WHERE id = 1")
        self.assertEqual([one(db, "SELECT count(*) FROM %s WHERE %s" % (t, w)) for t, w in (
            ("chat_messages", "run_id = 1"), ("workflow_run_events", "run_id = 1"),
            ("workflow_proposals", "run_id = 1"), ("workflow_interrupts", "workflow_id = 'run_1'"))],
            [0, 0, 0, 0])
        self.assertEqual(db.execute("SELECT message_count, last_seq FROM chat_conversations WHERE id = 1"
                                    ).fetchone(), (2, 3))

    # -- identity and integrity (migration 005) -------------------------------------------

    def last_id(self):
        return one(self.db, "SELECT last_insert_rowid()")

    def test_ids_never_reused_after_deleting_the_highest(self):
        db = self.db
        # the newest message (id 4, conversation 2) deleted: the next one is 5
        db.execute("DELETE FROM chat_messages WHERE id = 4")
        db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (2, 'user', 'again')")
        self.assertEqual(self.last_id(), 5)
        self.assertEqual(db.execute("SELECT id, seq FROM chat_messages WHERE conversation_id = 2").fetchall(),
                         [(5, 2)])
        # the newest run (id 2, completed) deleted: the next one is 3
        db.execute("DELETE FROM workflow_runs WHERE id = 2")
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'topical_map')")
        self.assertEqual(self.last_id(), 3)
        # the newest conversation (id 2) deleted, with its messages and runs: the next one is 3
        db.execute("DELETE FROM chat_conversations WHERE id = 2")
        db.execute("INSERT INTO chat_conversations (owner) VALUES ('late')")
        self.assertEqual(self.last_id(), 3)
        db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (3, 'user', 'x')")
        self.assertEqual(self.last_id(), 6)
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (3, 'topical_map')")
        self.assertEqual(self.last_id(), 4)
        # the newest proposal too
        db.execute("DELETE FROM workflow_proposals WHERE id = 1")
        db.execute("INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (1, 'pillar', 'Rye')")
        self.assertEqual(self.last_id(), 2)
        self.assertEqual(db.execute("SELECT name, seq FROM sqlite_sequence ORDER BY name").fetchall(),
                         [("chat_conversations", 3), ("chat_messages", 6), ("workflow_proposals", 2),
                          ("workflow_run_events", 6), ("workflow_runs", 4)])
        self.assertEqual(db.execute("SELECT id, owner FROM chat_conversations ORDER BY id").fetchall(),
                         [(1, "acme"), (3, "late")])
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")

    def test_explicit_reused_id_refused(self):
        db = self.db
        db.execute("DELETE FROM chat_messages WHERE id = 4")
        db.execute("DELETE FROM workflow_runs WHERE id = 2")
        db.execute("DELETE FROM chat_conversations WHERE id = 2")
        db.execute("DELETE FROM workflow_proposals WHERE id = 1")
        for sql, text in (
                # ids whose rows are gone
                ("INSERT INTO chat_conversations (id, owner) VALUES (2, 'late')",
                 "chatflow: conversation ids are never reused; omit id"),
                ("INSERT OR REPLACE INTO chat_conversations (id, owner) VALUES (2, 'late')",
                 "chatflow: conversation ids are never reused; omit id"),
                ("INSERT INTO chat_messages (id, conversation_id, role, content) VALUES (4, 1, 'user', 'x')",
                 "chatflow: message ids are never reused; omit id"),
                ("INSERT INTO workflow_runs (id, conversation_id, workflow, status)"
                 " VALUES (2, 1, 'topical_map', 'completed')",
                 "chatflow: run ids are never reused; omit id"),
                ("INSERT INTO workflow_proposals (id, run_id, kind, proposed_name) VALUES (1, 1, 'pillar', 'x')",
                 "chatflow: proposal ids are never reused; omit id"),
                # ids whose rows are there
                ("INSERT INTO chat_conversations (id, owner) VALUES (1, 'late')",
                 "chatflow: a conversation with this id, uid or (owner, key) already exists;"
                 " change it with UPDATE"),
                ("INSERT OR REPLACE INTO chat_messages (id, conversation_id, role, content)"
                 " VALUES (3, 1, 'user', 'x')",
                 "chatflow: a message with this id already exists; messages are immutable"),
                ("INSERT OR REPLACE INTO workflow_runs (id, conversation_id, workflow, status)"
                 " VALUES (1, 1, 'topical_map', 'completed')",
                 "chatflow: a run with this id already exists; change it with UPDATE")):
            with self.subTest(sql=sql):
                self.refused(sql, (), text)
        # an id above every one given is new
        db.execute("INSERT INTO chat_conversations (id, owner) VALUES (10, 'late')")
        db.execute("INSERT INTO chat_conversations (owner) VALUES ('later')")
        self.assertEqual(self.last_id(), 11)

    CHECKPOINT = "chatflow: a checkpoint named run_<n> can be saved only while run n is active"

    def test_run_checkpoints(self):
        db = self.db
        # run 2 has ended, run 99 does not exist
        for name in ("run_2", "run_99"):
            with self.subTest(name=name):
                self.refused("INSERT INTO workflow_interrupts (workflow_id, data) VALUES (?, x'02')", (name,),
                             self.CHECKPOINT)
        self.refused("UPDATE workflow_interrupts SET workflow_id = 'run_2' WHERE workflow_id = 'external'", (),
                     self.CHECKPOINT)
        # run 1 is active: its checkpoint is saved, replaced and updated
        db.execute("DELETE FROM workflow_interrupts WHERE workflow_id = 'run_1'")
        db.execute("INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_1', x'10')")
        db.execute("INSERT OR REPLACE INTO workflow_interrupts (workflow_id, data) VALUES ('run_1', x'11')")
        db.execute("UPDATE workflow_interrupts SET data = x'12' WHERE workflow_id = 'run_1'")
        # other names are free-form, run_01 too (run_workflow_id never writes a
        # leading zero)
        db.execute("INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('thread-x', x'0a')")
        db.execute("INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_01', x'0b')")
        self.assertEqual(db.execute("SELECT workflow_id, data FROM workflow_interrupts ORDER BY 1").fetchall(),
                         [("external", b"\x01"), ("run_01", b"\x0b"), ("run_1", b"\x12"),
                          ("thread-2", b"\x02"), ("thread-x", b"\x0a")])
        # ending run 1 drops its checkpoint, and a late save is refused
        db.execute("UPDATE workflow_runs SET status = 'cancelled' WHERE id = 1")
        self.refused("INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_1', x'13')", (),
                     self.CHECKPOINT)
        self.assertEqual([r[0] for r in db.execute("SELECT workflow_id FROM workflow_interrupts ORDER BY 1")],
                         ["external", "run_01", "thread-2", "thread-x"])

    def test_soft_delete_by_raw_update_cancels_the_run(self):
        db = self.db
        db.execute("UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 1")
        self.assertEqual(db.execute("SELECT status, error, completed_at GLOB '????-??-??T??:??:??.???Z',"
                                    " lease_expires_at FROM workflow_runs WHERE id = 1").fetchall(),
                         [("cancelled", "conversation deleted", 1, None)])
        self.assertEqual(db.execute("SELECT id, from_status, to_status, from_step, to_step,"
                                    " created_at = (SELECT completed_at FROM workflow_runs WHERE id = 1)"
                                    " FROM workflow_run_events WHERE run_id = 1 ORDER BY id").fetchall(),
                         [(1, None, "started", None, "context_ingestion", 0),
                          (2, "started", "awaiting_clarification", "context_ingestion", "clarification", 0),
                          (5, "awaiting_clarification", "cancelled", "clarification", "clarification", 1)])
        self.assertEqual([r[0] for r in db.execute("SELECT workflow_id FROM workflow_interrupts ORDER BY 1")],
                         ["external", "thread-2"])
        # a conversation whose run had ended: nothing to cancel, no event
        db.execute("UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 2")
        self.assertEqual(db.execute("SELECT id, status, error FROM workflow_runs ORDER BY id").fetchall(),
                         [(1, "cancelled", "conversation deleted"), (2, "completed", None)])
        self.assertEqual(one(db, "SELECT max(id) FROM workflow_run_events"), 5)

    def test_deleted_conversation_refuses_raw_writes(self):
        db = self.db
        db.execute("UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 1")
        deleted = "chatflow: the conversation is deleted; restore it (restore_conversation) before "
        run_deleted = "chatflow: the run's conversation is deleted; restore it (restore_conversation) first"
        for sql, text in (
                ("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'ghost')",
                 deleted + "adding messages"),
                ("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map')",
                 deleted + "starting a run"),
                ("INSERT INTO workflow_runs (conversation_id, workflow, status) VALUES (1, 'topical_map', 'failed')",
                 deleted + "starting a run"),
                ("UPDATE chat_conversations SET title = 'renamed' WHERE id = 1", deleted + "changing it"),
                ("UPDATE chat_conversations SET pinned_at = '2026-01-03T00:00:00.000Z' WHERE id = 1",
                 deleted + "changing it"),
                ("UPDATE chat_messages SET metadata = '{\"a\": 1}' WHERE id = 3", deleted + "changing its messages"),
                ("UPDATE chat_messages SET tokens = 1 WHERE conversation_id = 1", deleted + "changing its messages"),
                ("UPDATE workflow_runs SET state = '{\"x\": 1}' WHERE id = 1", run_deleted),
                ("UPDATE workflow_proposals SET user_approved = 1 WHERE run_id = 1", run_deleted),
                ("INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (1, 'pillar', 'x')",
                 run_deleted),
                ("INSERT INTO workflow_run_events (run_id, to_status) VALUES (1, 'started')", run_deleted),
                ("UPDATE workflow_runs SET error = 'hack' WHERE id = 1", run_deleted),
                ("UPDATE chat_conversations SET created_at = '2020-01-01T00:00:00.000Z' WHERE id = 1",
                 deleted + "changing it"),
                ("INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_1', x'01')", self.CHECKPOINT)):
            with self.subTest(sql=sql):
                self.refused(sql, (), text)
        # retention still deletes; restoring (deleted_at to NULL) lets writes in again
        db.execute("DELETE FROM chat_messages WHERE id = 3")
        db.execute("UPDATE chat_conversations SET deleted_at = NULL WHERE id = 1")
        db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'back')")
        self.assertEqual(db.execute("SELECT id, seq FROM chat_messages WHERE conversation_id = 1 ORDER BY seq"
                                    ).fetchall(), [(1, 1), (2, 2), (5, 4)])
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map')")
        self.assertEqual(self.last_id(), 3)

    def test_langgraph_checkpoints(self):
        """LangGraph checkpoints written by raw SQL keep chatflow's rules: a
        run's only while it is active and the thread's, none for a deleted
        conversation, a write only with its checkpoint; a purge takes them."""
        db = self.db
        by_run = ("chatflow: a checkpoint of run n can be saved only while run n is active in the"
                  " thread's conversation")
        deleted = ("chatflow: the conversation is deleted; restore it (restore_conversation) before"
                   " saving checkpoints")
        count = ("SELECT (SELECT count(*) FROM langgraph_checkpoints), (SELECT count(*) FROM langgraph_blobs),"
                 " (SELECT count(*) FROM langgraph_writes)")
        db.execute("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, run_id, checkpoint, metadata,"
                   " channel_versions) VALUES (1, 'c-1', 1, x'7b7d', '{\"source\": \"input\"}', '{\"messages\": \"1\"}')")
        db.execute("INSERT INTO langgraph_blobs (conversation_id, channel, version, value) VALUES (1, 'messages', '1', x'5b5d')")
        db.execute("INSERT INTO langgraph_writes (conversation_id, checkpoint_id, task_id, idx, channel, value)"
                   " VALUES (1, 'c-1', 't', -1, 'x', x'00')")
        self.assertEqual(db.execute("SELECT checkpoint_ns, type, created_at GLOB '????-??-??T*' FROM langgraph_checkpoints"
                                    ).fetchall(), [("", "json", 1)])
        for sql, text in (
                ("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, run_id, checkpoint)"
                 " VALUES (2, 'c-2', 2, x'00')", by_run),
                ("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, run_id, checkpoint)"
                 " VALUES (2, 'c-2', 1, x'00')", by_run),
                ("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint)"
                 " VALUES (99, 'c-2', x'00')", "chatflow: unknown conversation for checkpoint"),
                ("INSERT INTO langgraph_writes (conversation_id, checkpoint_id, task_id, idx, channel, value)"
                 " VALUES (1, 'c-9', 't', 0, 'x', x'00')", "chatflow: unknown checkpoint for pending write"),
                ("UPDATE langgraph_blobs SET value = x'00'", "chatflow: a channel value cannot change once saved"),
                ("UPDATE langgraph_checkpoints SET conversation_id = 2",
                 "chatflow: a checkpoint cannot move to another conversation, namespace or id")):
            with self.subTest(sql=sql):
                with self.assertRaises(sqlite3.IntegrityError) as cm:
                    db.execute(sql)
                self.assertEqual(str(cm.exception), text)
        self.assertEqual(db.execute(count).fetchone(), (1, 1, 1))
        # once the run has ended, it writes no more; what it wrote stays
        db.execute("UPDATE workflow_runs SET status = 'cancelled' WHERE id = 1")
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            db.execute("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, run_id, checkpoint)"
                       " VALUES (1, 'c-2', 1, x'00')")
        self.assertEqual(str(cm.exception), by_run)
        # a deleted conversation takes nothing until restored
        db.execute("UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 1")
        for sql in ("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint) VALUES (1, 'c-2', x'00')",
                    "INSERT INTO langgraph_blobs (conversation_id, channel, version, value) VALUES (1, 'x', '1', x'00')",
                    "INSERT INTO langgraph_writes (conversation_id, checkpoint_id, task_id, idx, channel, value)"
                    " VALUES (1, 'c-1', 't', 1, 'x', x'00')"):
            with self.subTest(sql=sql):
                with self.assertRaises(sqlite3.IntegrityError) as cm:
                    db.execute(sql)
                self.assertEqual(str(cm.exception), deleted)
        self.assertEqual(db.execute(count).fetchone(), (1, 1, 1))
        # a purge takes them along
        db.execute("DELETE FROM chat_conversations WHERE id = 1")
        self.assertEqual(db.execute(count).fetchone(), (0, 0, 0))

    def test_langgraph_rows_keep_their_owner(self):
        """A raw write cannot take a LangGraph row out from under its
        checkpoint or run: an INSERT OR REPLACE (or UPDATE OR REPLACE) onto
        another checkpoint's id would delete that checkpoint without its
        DELETE trigger (recursive_triggers off), leaving its pending writes
        without it; a channel value's run_id moved to a run of another
        conversation would have that run's rollback delete it."""
        db = self.db
        db.execute("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, run_id, checkpoint)"
                   " VALUES (1, 'c-1', 1, x'7b7d')")
        db.execute("INSERT INTO langgraph_writes (conversation_id, checkpoint_id, task_id, idx, channel, value)"
                   " VALUES (1, 'c-1', 't', 0, 'x', x'00')")
        db.execute("INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint)"
                   " VALUES (1, 'c-2', x'7b7d')")
        db.execute("INSERT INTO langgraph_blobs (conversation_id, channel, version, run_id, value)"
                   " VALUES (1, 'messages', '1', 1, x'5b5d')")
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'topical_map')")
        for sql, text in (
                ("INSERT OR REPLACE INTO langgraph_checkpoints (id, conversation_id, checkpoint_id, checkpoint)"
                 " SELECT id, 1, 'c-3', x'00' FROM langgraph_checkpoints WHERE checkpoint_id = 'c-1'",
                 "chatflow: a checkpoint with this id already exists; omit id"),
                ("UPDATE OR REPLACE langgraph_checkpoints SET id = (SELECT id FROM langgraph_checkpoints"
                 " WHERE checkpoint_id = 'c-1') WHERE checkpoint_id = 'c-2'",
                 "chatflow: a checkpoint cannot move to another conversation, namespace or id"),
                ("UPDATE langgraph_blobs SET run_id = (SELECT max(id) FROM workflow_runs WHERE conversation_id = 2)",
                 "chatflow: a channel value cannot change once saved")):
            with self.subTest(sql=sql):
                with self.assertRaises(sqlite3.IntegrityError) as cm:
                    db.execute(sql)
                self.assertEqual(str(cm.exception), text)
        self.assertEqual(db.execute("SELECT checkpoint_id FROM langgraph_checkpoints ORDER BY id").fetchall(),
                         [("c-1",), ("c-2",)])
        self.assertEqual(db.execute("SELECT checkpoint_id, task_id FROM langgraph_writes").fetchall(), [("c-1", "t")])
        self.assertEqual(db.execute("SELECT run_id FROM langgraph_blobs").fetchall(), [(1,)])
        # the other conversation's run goes: this thread's value stays
        db.execute("DELETE FROM workflow_runs WHERE conversation_id = 2")
        self.assertEqual(one(db, "SELECT count(*) FROM langgraph_blobs"), 1)
        # a value's run may be cleared (no rollback deletes it then)
        db.execute("UPDATE langgraph_blobs SET run_id = NULL")
        self.assertEqual(db.execute("SELECT run_id FROM langgraph_blobs").fetchall(), [(None,)])

    def test_nul_refused(self):
        content_nul = "chatflow: message content contains a NUL character"
        conv_nul = "chatflow: conversation owner, key, title, model or agent contains a NUL character"
        for sql, args, text in (
                ("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'a' || char(0) || 'b')",
                 (), content_nul),
                ("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', char(0) || 'secret')",
                 (), content_nul),
                ("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', ?)",
                 ("a\x00b",), content_nul),
                ("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', ?)",
                 ("\x00",), content_nul),
                ("INSERT INTO chat_conversations (owner, title) VALUES ('raw', ?)", ("a\x00b",), conv_nul),
                ("INSERT INTO chat_conversations (owner) VALUES (?)", ("\x00acme",), conv_nul),
                ("UPDATE chat_conversations SET title = char(0) WHERE id = 2", (), conv_nul)):
            with self.subTest(sql=sql, args=args):
                self.refused(sql, args, text)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages WHERE instr(CAST(content AS BLOB), x'00')"),
                         0)

    def test_json_escapes_refused(self):
        msg_nul = r"chatflow: message parts, attachments or metadata contain \u0000 (a NUL character)"
        msg_sur = "chatflow: message parts, attachments or metadata contain a lone surrogate"
        for sql, text in (
                (r"""INSERT INTO chat_messages (conversation_id, role, content, parts)
                     VALUES (1, 'user', 'p', '[{"type": "text", "text": "a\u0000b"}]')""", msg_nul),
                (r"""INSERT INTO chat_messages (conversation_id, role, content, parts)
                     VALUES (1, 'user', '', '[{"type": "text", "text": "\u0000"}]')""", msg_nul),
                (r"""INSERT INTO chat_messages (conversation_id, role, content, attachments)
                     VALUES (1, 'user', 'p', '[{"name": "\\\u0000"}]')""", msg_nul),
                (r"""INSERT INTO chat_messages (conversation_id, role, content, metadata)
                     VALUES (1, 'user', 'p', '{"a\u0000": 1}')""", msg_nul),
                (r"""INSERT INTO chat_messages (conversation_id, role, content, parts)
                     VALUES (1, 'user', 'p', '[{"type": "text", "text": "a\ud800b"}]')""", msg_sur),
                (r"""INSERT INTO chat_messages (conversation_id, role, content, metadata)
                     VALUES (1, 'user', 'p', '{"note": "\udc00"}')""", msg_sur),
                (r"""INSERT INTO chat_conversations (owner, context) VALUES ('raw', '{"a": "\u0000"}')""",
                 r"chatflow: conversation context or metadata contains \u0000 (a NUL character)"),
                (r"""UPDATE chat_conversations SET metadata = '{"a": "\ud800"}' WHERE id = 2""",
                 "chatflow: conversation context or metadata contains a lone surrogate"),
                (r"""UPDATE workflow_runs SET state = '{"a": "\u0000"}' WHERE id = 1""",
                 r"chatflow: run state or business_context contains \u0000 (a NUL character)"),
                (r"""UPDATE workflow_runs SET business_context = '{"a": "\udc00"}' WHERE id = 1""",
                 "chatflow: run state or business_context contains a lone surrogate"),
                (r"""UPDATE workflow_runs SET state = '{"a": "\ud83d"}', business_context = '{"b": "\ude00"}'
                     WHERE id = 1""",
                 "chatflow: run state or business_context contains a lone surrogate")):
            with self.subTest(sql=sql):
                self.refused(sql, (), text)
        # a surrogate pair in business_context is an emoji
        self.db.execute(r"""UPDATE workflow_runs SET business_context = '{"e": "\ud83d\ude00"}' WHERE id = 1""")
        self.assertEqual(one(self.db, "SELECT json_extract(business_context, '$.e') FROM workflow_runs WHERE id = 1"),
                         "\U0001F600")
        # an escaped backslash before u0000 is text; a surrogate pair is an emoji
        self.db.execute(r"""INSERT INTO chat_messages (conversation_id, role, content, parts)
                            VALUES (1, 'user', 'p', '[{"type": "text", "text": "\\u0000 \ud83d\ude00"}]')""")
        self.assertEqual(one(self.db, "SELECT json_extract(parts, '$[0].text') FROM chat_messages"
                                      " WHERE id = last_insert_rowid()"), "\\u0000 \U0001F600")

    def test_workflow_steps_refused(self):
        nul = r"chatflow: workflow steps contain \u0000 (a NUL character)"
        sur = "chatflow: workflow steps contain a lone surrogate"
        dup = "chatflow: workflow steps must not repeat a key within a step"
        self.db.execute("""INSERT INTO workflow_definitions (name, steps) VALUES ('unused', '[{"name": "a"}]')""")
        for sql, text in (
                (r"""INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": "a\u0000b"}, {"name": "c"}]')""",
                 nul),
                (r"""INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": "a\ud800"}]')""", sur),
                (r"""INSERT INTO workflow_definitions (name, steps)
                     VALUES ('w', '[{"name": "a", "name": "b"}, {"name": "b"}]')""", dup),
                (r"""UPDATE workflow_definitions SET steps = '[{"name": "\u0000"}]' WHERE name = 'unused'""", nul),
                (r"""UPDATE workflow_definitions SET steps = '[{"name": "\udc00"}]' WHERE name = 'unused'""", sur),
                (r"""UPDATE workflow_definitions SET steps = '[{"name": "a", "awaits": null, "awaits": "approval"}]'
                     WHERE name = 'unused'""", dup)):
            with self.subTest(sql=sql):
                before = self.db.execute("SELECT * FROM workflow_definitions ORDER BY name").fetchall()
                self.refused(sql, (), text)
                self.assertEqual(self.db.execute("SELECT * FROM workflow_definitions ORDER BY name").fetchall(),
                                 before)

    def test_forged_events_refused(self):
        to_bad = ("chatflow: event to_status must be started, awaiting_clarification, awaiting_approval, processing,"
                  " completed, failed, cancelled, queued or expired")
        chain = "chatflow: event from_status must be the to_status of the run's last event"
        second = "chatflow: event from_status is NULL only in a run's first event (its creation)"
        when = "chatflow: event created_at must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ"
        ins = ("INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at)"
               " VALUES (1, ?, ?, ?)")
        for args, text in (
                (("awaiting_clarification", "nonsense", T0), to_bad),
                (("bogus", "processing", T0), chain),
                (("started", "processing", T0), chain),
                ((None, "started", T0), second),
                (("awaiting_clarification", "processing", "yesterday"), when),
                (("awaiting_clarification", "processing", "garbage"), when),
                # the chain continued to a status the run is not at
                (("awaiting_clarification", "processing", T0),
                 "chatflow: event to_status must be the run's status: a run's events are logged by its changes")):
            with self.subTest(args=args):
                self.refused(ins, args, text)
        # the move from the last event's to_status passes
        self.db.execute(ins, ("awaiting_clarification", "awaiting_clarification", T0))

    def test_log_that_does_not_end_with_the_status(self):
        """A run whose log ends elsewhere (a 0.1 database's raw event) moves again once the move is appended."""
        db = self.db
        trigger = one(db, "SELECT sql FROM sqlite_schema WHERE name = 'workflow_run_events_check_insert'")
        db.execute("DROP TRIGGER workflow_run_events_check_insert")
        db.execute("INSERT INTO workflow_run_events (run_id, from_status, to_status)"
                   " VALUES (1, 'awaiting_clarification', 'processing')")
        db.execute(trigger)
        self.refused("UPDATE workflow_runs SET status = 'processing' WHERE id = 1", (),
                     "chatflow: event from_status must be the to_status of the run's last event")
        db.execute("INSERT INTO workflow_run_events (run_id, from_status, to_status)"
                   " VALUES (1, 'processing', 'awaiting_clarification')")
        db.execute("UPDATE workflow_runs SET status = 'processing' WHERE id = 1")
        self.assertEqual(one(db, "SELECT status FROM workflow_runs WHERE id = 1"), "processing")

    def test_checks_named(self):
        """A raw write that fails a CHECK is refused with the CHECK's name, never its expression."""
        tokens = "CHECK constraint failed: chatflow: message tokens must be an integer from 0 to 1000000000 or NULL"
        for sql, text in (
                ("UPDATE chat_messages SET tokens = -1 WHERE id = 1", tokens),
                ("INSERT INTO chat_messages (conversation_id, role, content, tokens) VALUES (1, 'user', 'x', -5)",
                 tokens),
                ("INSERT INTO chat_messages (conversation_id, role, content, tokens)"
                 " VALUES (1, 'user', 'x', 9000000000000000000)", tokens),
                ("UPDATE chat_messages SET metadata = '[]' WHERE id = 1",
                 "CHECK constraint failed: chatflow: message metadata must be a JSON object (or NULL)"),
                ("UPDATE chat_messages SET type = 'Bad Type' WHERE id = 1",
                 "CHECK constraint failed: chatflow: message type must be 1 to 64 characters of a-z, 0-9, _, . and -"),
                ("UPDATE chat_messages SET attachments = '{}' WHERE id = 1",
                 "CHECK constraint failed: chatflow: message attachments must be a JSON array (or NULL)"),
                ("UPDATE chat_conversations SET visibility = 'secret' WHERE id = 2",
                 "CHECK constraint failed: chatflow: visibility must be private or public"),
                ("UPDATE chat_conversations SET context = '[]' WHERE id = 2",
                 "CHECK constraint failed: chatflow: conversation context must be a JSON object"),
                ("UPDATE workflow_runs SET clarifications = '{}' WHERE id = 1",
                 "CHECK constraint failed: chatflow: run clarifications must be a JSON array"),
                ("UPDATE workflow_proposals SET validation = '{bad' WHERE run_id = 1",
                 "CHECK constraint failed: chatflow: proposal validation must be a JSON text (or NULL)")):
            with self.subTest(sql=sql):
                self.refused(sql, (), text)
        # the most tokens a message counts
        self.db.execute("UPDATE chat_messages SET tokens = 1000000000 WHERE id = 1")
        self.assertEqual(one(self.db, "SELECT total_tokens FROM chat_conversations WHERE id = 1"), 1000000009)

    def test_settings_refused(self):
        """A settings value that breaks its key's rule is refused here too (the
        triggers read settings as integers: 'abc' read as 0); good values and
        keys chatflow does not know are stored as written, and so are
        llm.base_url and llm.extra_body, whose rules are C's (checked by
        chatflow_config and before every model call)."""
        db = self.db
        cases = [
            ("runs.lease_seconds", "abc", "chatflow: runs.lease_seconds must be an integer from 1 to 86400"),
            ("runs.lease_seconds", "-5", "chatflow: runs.lease_seconds must be an integer from 1 to 86400"),
            ("runs.lease_seconds", "1e999", "chatflow: runs.lease_seconds must be an integer from 1 to 86400"),
            ("runs.lease_seconds", "", "chatflow: runs.lease_seconds must be an integer from 1 to 86400"),
            ("limits.max_content_chars", "0",
             "chatflow: limits.max_content_chars must be an integer from 1 to 10000000"),
            ("messages.draft_timeout_seconds", "604801",
             "chatflow: messages.draft_timeout_seconds must be an integer from 1 to 604800"),
            ("runs.awaiting_ttl_seconds", "soon",
             "chatflow: runs.awaiting_ttl_seconds must be an integer from 0 to 31536000"),
            ("llm.temperature", "warm", "chatflow: llm.temperature must be a number from 0 to 2"),
            ("llm.tls_verify", "no", "chatflow: llm.tls_verify must be 'on' or 'off'"),
        ]
        for key, value, text in cases:
            with self.subTest(key=key, value=value):
                self.refused("INSERT INTO chatflow_settings (key, value) VALUES (?, ?)", (key, value), text)
                self.assertEqual(one(db, "SELECT count(*) FROM chatflow_settings"), 0)
        db.execute("INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', '60'),"
                   " ('my.own', 'abc'), ('llm.model', NULL), ('llm.extra_body', '[1]'),"
                   " ('llm.base_url', 'ftp://example.com')")
        self.refused("UPDATE chatflow_settings SET value = '0' WHERE key = 'runs.lease_seconds'", (),
                     "chatflow: runs.lease_seconds must be an integer from 1 to 86400")
        self.refused("UPDATE chatflow_settings SET key = 'llm.timeout_ms' WHERE key = 'my.own'", (),
                     "chatflow: llm.timeout_ms must be an integer from 1 to 3600000")
        self.assertEqual(db.execute("SELECT key, value FROM chatflow_settings ORDER BY key").fetchall(),
                         [("llm.base_url", "ftp://example.com"), ("llm.extra_body", "[1]"), ("llm.model", None),
                          ("my.own", "abc"), ("runs.lease_seconds", "60")])
        # the lease the schema gives a raw run is the setting's
        db.execute("INSERT INTO chat_conversations (owner) VALUES ('t')")
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (last_insert_rowid(), 'topical_map')")
        self.assertEqual(one(db, "SELECT round((julianday(lease_expires_at) - julianday(created_at)) * 86400)"
                                 " FROM workflow_runs WHERE id = last_insert_rowid()"), 60.0)

    def test_shell_identity(self):
        self.db.execute("DELETE FROM chat_conversations WHERE id = 2")
        before = dump(self.db)
        cases = [
            ("INSERT INTO chat_conversations (id, owner) VALUES (2, 'late');",
             "chatflow: conversation ids are never reused; omit id"),
            ("INSERT INTO chat_messages (id, conversation_id, role, content) VALUES (4, 1, 'user', 'x');",
             "chatflow: message ids are never reused; omit id"),
            ("INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_2', x'02');", self.CHECKPOINT),
            ("INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', char(0) || 'x');",
             "chatflow: message content contains a NUL character"),
        ]
        for sql, text in cases:
            with self.subTest(sql=sql):
                rc, out, err = self.shell(sql)
                self.assertNotEqual(rc, 0)
                self.assertIn(text, err)
                self.assertEqual(dump(self.db), before)
        rc, out, err = self.shell(
            "INSERT INTO chat_conversations (owner) VALUES ('late');\n"
            "SELECT last_insert_rowid();\n"
            "UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 1;\n"
            "SELECT status, error FROM workflow_runs WHERE id = 1;\n")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, "3\ncancelled|conversation deleted\n")

    # -- the sqlite3 shell, without .load ----------------------------------------------

    def shell(self, sql):
        self.db.close()
        fk = "PRAGMA foreign_keys=%s;" % ("ON" if self.FK else "OFF")
        p = subprocess.run([SQLITE3, "-init", os.devnull, "-bail", "-batch", self.path], input=fk + "\n" + sql,
                           capture_output=True, text=True, timeout=30)
        self.db = plain(self.path, self.FK)
        return p.returncode, p.stdout, p.stderr

    def test_shell(self):
        before = dump(self.db)
        cases = [
            ("UPDATE workflow_runs SET status = 'processing' WHERE id = 2;",
             RAW_TRANSITION),
            ("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map');",
             "chatflow: the conversation already has an active run"),
            ("UPDATE chat_messages SET content = 'edited' WHERE id = 1;", IMMUTABLE),
            ("UPDATE chat_messages SET role = 'user' WHERE id = 1;", IMMUTABLE),
            ("UPDATE chat_messages SET seq = 7 WHERE id = 1;", IMMUTABLE),
            ("UPDATE chat_messages SET parts = '[]' WHERE id = 1;", IMMUTABLE),
            ("UPDATE chat_messages SET conversation_id = 2 WHERE id = 1;", IMMUTABLE),
            ("INSERT INTO chatflow_settings (key, value) VALUES ('runs.lease_seconds', 'abc');",
             "chatflow: runs.lease_seconds must be an integer from 1 to 86400"),
        ]
        for sql, text in cases:
            with self.subTest(sql=sql):
                rc, out, err = self.shell(sql)
                self.assertNotEqual(rc, 0)
                self.assertIn(text, err)
                self.assertEqual(dump(self.db), before)
        rc, out, err = self.shell("SELECT chatflow_version();")
        self.assertNotEqual(rc, 0)
        self.assertIn("no such function: chatflow_version", err)
        rc, out, err = self.shell(
            "INSERT INTO chat_messages (conversation_id, role, content) VALUES (2, 'assistant', 'ok');\n"
            "SELECT seq, type, tokens FROM chat_messages WHERE conversation_id = 2 ORDER BY seq;\n"
            "SELECT message_count, last_seq FROM chat_conversations WHERE id = 2;\n"
            "DELETE FROM chat_conversations WHERE id = 1;\n"
            "SELECT (SELECT count(*) FROM chat_messages WHERE conversation_id = 1),"
            " (SELECT count(*) FROM workflow_runs WHERE conversation_id = 1),"
            " (SELECT count(*) FROM workflow_run_events WHERE run_id = 1),"
            " (SELECT count(*) FROM workflow_proposals WHERE run_id = 1),"
            " (SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'run_1');\n")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, "1|user_input|5\n2|assistant_response|1\n2|2\n0|0|0|0|0\n")


class PlainFkOn(Plain, unittest.TestCase):
    FK = True


class PlainFkOff(Plain, unittest.TestCase):
    FK = False


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("plain: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
