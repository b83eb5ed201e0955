#!/usr/bin/python3
"""Identity and integrity (DESIGN.md 6.1, migration 005) as a driver sees them.

Regression tests with exact values for the minimal inputs of each rule:

  * ids of conversations, messages and runs are never reused: tenant A's
    purged conversation 1 and run 1 are not handed to tenant B, and A's late
    writer (a message, a checkpoint saved under run_1) finds nothing;
  * a checkpoint named run_<n> is saved only while run n is active;
  * deleting a conversation cancels its active run, and the deleted
    conversation refuses raw writes; find_or_create_conversation refuses it
    with an error naming restore and purge;
  * a NUL character in text is refused and named as such;
  * the automatic title and the list preview never end inside a grapheme
    cluster (ZWJ family emoji, flag, skin tone, combining accent);
  * chatflow_init() stamps with the pinned clock;
  * a chatflow 0.1 database (tests/fixtures/chatflow-0.1.db) migrated by
    chatflow_init(): text still UTF-8, counters equal a recount,
    sqlite_sequence at the highest ids, no id given twice from then on.

The new-database tests run with PRAGMA foreign_keys ON and OFF.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_identity.py
The output ends with "python: N passed, M failed".
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
SQLITE3 = os.environ.get("SQLITE3", "sqlite3")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "chatflow-0.1.db")
FIXTURE_SQL = os.path.join(ROOT, "tests", "fixtures", "chatflow-0.1.sql")
FIXTURE_COMMIT = "1f52624"  # chatflow 0.1.0, schema version 4 (see make-0.1.sh)

T0 = "2026-01-01T00:00:00.000Z"
T1 = "2026-02-01T00:00:00.000Z"

CHECKPOINT_REFUSED = "chatflow: a checkpoint named run_<n> can be saved only while run n is active"

# Grapheme clusters of more than one code point.
FAMILY = "\U0001F468\u200d\U0001F469\u200d\U0001F467"  # man ZWJ woman ZWJ girl: 5 code points
FLAG = "\U0001F1EB\U0001F1F7"                          # regional indicators F R: 2
THUMB = "\U0001F44D\U0001F3FD"                         # thumbs up, medium skin tone: 2
E_ACUTE = "e\u0301"                                    # e, combining acute accent: 2
ELLIPSIS = "\u2026"


def connect(path, fk=None):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    if fk is not None:
        db.execute("PRAGMA foreign_keys=%s" % ("ON" if fk else "OFF"))
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


def rows(db, sql, args=()):
    return db.execute(sql, args).fetchall()


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-id-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assertFails(self, db, sql, args, text, exc=sqlite3.OperationalError):
        """sql fails with exactly text, as exc."""
        with self.assertRaises(sqlite3.Error) as cm:
            db.execute(sql, args).fetchall()
        self.assertEqual(str(cm.exception), text)
        self.assertIs(type(cm.exception), exc)
        self.assertFalse(db.in_transaction)


class NewDatabase:
    """A new database with the clock pinned at T0; run with foreign_keys ON and OFF."""
    FK = None

    def setUp(self):
        super().setUp()
        self.db = connect(os.path.join(self.dir, "new.db"), fk=self.FK)
        self.assertEqual(one(self.db, "PRAGMA foreign_keys"), 1 if self.FK else 0)
        self.assertEqual(one(self.db, "SELECT chatflow_clock(?)", (T0,)), T0)
        self.assertEqual(one(self.db, "SELECT chatflow_init()"), 5)

    def tearDown(self):
        self.db.close()
        super().tearDown()

    # -- the main database's schema ---------------------------------------------

    def test_schema_only_in_an_attached_database(self):
        # chatflow works on the main database: a schema in an attached one
        # is not taken for it (the calls wrote there, and search read main)
        other = connect(os.path.join(self.dir, "plain.db"))
        other.execute("ATTACH ? AS chat", (os.path.join(self.dir, "new.db"),))
        self.assertFails(other, "SELECT create_conversation('acme', 'x')", (),
                         "chatflow: schema not initialised — run SELECT chatflow_init()")
        self.assertEqual(one(other, "SELECT chatflow_init()"), 5)
        self.assertEqual(one(other, "SELECT count(*) FROM main.sqlite_schema WHERE name = 'chat_messages'"), 1)
        self.assertEqual(one(other, "SELECT create_conversation('acme', 'x')"), 1)
        self.assertEqual(one(other, "SELECT add_message(1, 'user', 'rye bread')"), 1)
        self.assertEqual(rows(other, "SELECT message_id FROM search_messages('rye')"), [(1,)])
        self.assertEqual(one(other, "SELECT count(*) FROM chat.chat_messages"), 0)
        other.close()

    # -- ids never reused ------------------------------------------------------

    def test_purged_ids_not_given_to_the_next_tenant(self):
        db = self.db
        self.assertEqual(one(db, "SELECT create_conversation('tenant_a', 'A')"), 1)
        self.assertEqual(one(db, "SELECT start_run(1, 'topical_map')"), 1)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'from A')"), 1)
        self.assertEqual(one(db, "SELECT purge_conversation(1)"), 1)
        self.assertEqual(one(db, "SELECT create_conversation('tenant_b', 'B')"), 2)
        self.assertEqual(one(db, "SELECT start_run(2, 'topical_map')"), 2)
        self.assertEqual(one(db, "SELECT add_message(2, 'user', 'from B')"), 2)
        # tenant A's late writer finds nothing to write to
        self.assertFails(db, "SELECT add_message(1, 'assistant', 'late answer for A')", (),
                         "chatflow: unknown conversation 1")
        self.assertFails(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01')",
                         (), CHECKPOINT_REFUSED, sqlite3.IntegrityError)
        self.assertFails(db, "SELECT advance_run(1)", (), "chatflow: unknown run 1")
        self.assertFails(db, "INSERT INTO chat_messages (conversation_id, role, content)"
                             " VALUES (1, 'assistant', 'late')", (),
                         "chatflow: unknown conversation for message", sqlite3.IntegrityError)
        # tenant B's rows are B's alone
        self.assertEqual(rows(db, "SELECT id, owner, message_count FROM chat_conversations"),
                         [(2, "tenant_b", 1)])
        self.assertEqual(rows(db, "SELECT id, conversation_id, role, content, run_id FROM chat_messages"),
                         [(2, 2, "user", "from B", 2)])
        self.assertEqual(rows(db, "SELECT id, conversation_id, status FROM workflow_runs"),
                         [(2, 2, "started")])
        self.assertEqual(rows(db, "SELECT workflow_id FROM workflow_interrupts"), [])
        self.assertEqual(rows(db, "SELECT name, seq FROM sqlite_sequence ORDER BY name"),
                         [("chat_conversations", 2), ("chat_messages", 2), ("workflow_proposals", 0),
                          ("workflow_run_events", 2), ("workflow_runs", 2)])

    def test_raw_insert_after_purge_takes_a_new_id(self):
        db = self.db
        self.assertEqual(one(db, "SELECT create_conversation('a', 'A')"), 1)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'x')"), 1)
        self.assertEqual(one(db, "SELECT start_run(1, 'topical_map')"), 1)
        self.assertEqual(one(db, "SELECT purge_conversation(1)"), 1)
        db.execute("INSERT INTO chat_conversations (owner) VALUES ('b')")
        self.assertEqual(one(db, "SELECT last_insert_rowid()"), 2)
        db.execute("INSERT INTO chat_messages (conversation_id, role, content) VALUES (2, 'user', 'y')")
        self.assertEqual(one(db, "SELECT last_insert_rowid()"), 2)
        db.execute("INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'topical_map')")
        self.assertEqual(one(db, "SELECT last_insert_rowid()"), 2)
        for sql, text in (
                ("INSERT INTO chat_conversations (id, owner) VALUES (1, 'b')",
                 "chatflow: conversation ids are never reused; omit id"),
                ("INSERT INTO chat_messages (id, conversation_id, role, content) VALUES (1, 2, 'user', 'z')",
                 "chatflow: message ids are never reused; omit id"),
                ("INSERT INTO workflow_runs (id, conversation_id, workflow, status)"
                 " VALUES (1, 2, 'topical_map', 'completed')",
                 "chatflow: run ids are never reused; omit id")):
            with self.subTest(sql=sql):
                self.assertFails(db, sql, (), text, sqlite3.IntegrityError)
        self.assertEqual(rows(db, "SELECT (SELECT group_concat(id) FROM chat_conversations),"
                                  " (SELECT group_concat(id) FROM chat_messages),"
                                  " (SELECT group_concat(id) FROM workflow_runs)"), [("2", "2", "2")])

    # -- checkpoints -------------------------------------------------------------

    def test_no_checkpoint_after_cancel(self):
        db = self.db
        self.assertEqual(one(db, "SELECT create_conversation('a', 'A')"), 1)
        self.assertEqual(one(db, "SELECT start_run(1, 'topical_map')"), 1)
        db.execute("INSERT INTO workflow_interrupt VALUES ('run_1', x'01', NULL, NULL)")
        self.assertEqual(rows(db, "SELECT workflow_id, data, created_at, updated_at FROM workflow_interrupts"),
                         [("run_1", b"\x01", T0, T0)])
        self.assertEqual(one(db, "SELECT cancel_run(1)"), 1)
        self.assertEqual(rows(db, "SELECT workflow_id FROM workflow_interrupts"), [])
        # the worker's late save, alone and inside its own transaction
        self.assertFails(db, "INSERT INTO workflow_interrupt VALUES ('run_1', x'02', NULL, NULL)", (),
                         CHECKPOINT_REFUSED, sqlite3.IntegrityError)
        db.execute("BEGIN")
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'03')")
        self.assertEqual(str(cm.exception), CHECKPOINT_REFUSED)
        db.execute("COMMIT")
        self.assertEqual(rows(db, "SELECT workflow_id FROM workflow_interrupts"), [])
        self.assertEqual(rows(db, "SELECT * FROM workflow_interrupt WHERE workflow_id = 'run_1'"), [])
        # other names are free-form
        db.execute("INSERT INTO workflow_interrupt VALUES ('thread-x', x'0a', NULL, NULL)")
        self.assertEqual(rows(db, "SELECT workflow_id, data FROM workflow_interrupts"), [("thread-x", b"\n")])

    # -- deleted conversations ---------------------------------------------------

    def test_delete_cancels_the_run_and_refuses_raw_writes(self):
        db = self.db
        self.assertEqual(one(db, "SELECT create_conversation('a', 'A')"), 1)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'hello')"), 1)
        self.assertEqual(one(db, "SELECT start_run(1, 'topical_map')"), 1)
        db.execute("INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01')")
        db.execute("SELECT chatflow_clock(?)", (T1,))
        self.assertEqual(one(db, "SELECT delete_conversation(1)"), 1)
        self.assertEqual(rows(db, "SELECT status, error, completed_at FROM workflow_runs WHERE id = 1"),
                         [("cancelled", "conversation deleted", T1)])
        self.assertEqual(rows(db, "SELECT transition, at FROM run_events WHERE run_id = 1 ORDER BY event_id"),
                         [("(new) -> started", T0), ("started -> cancelled", T1)])
        self.assertEqual(rows(db, "SELECT workflow_id FROM workflow_interrupts"), [])
        self.assertEqual(one(db, "SELECT active_run(1)"), None)
        self.assertFails(db, "INSERT INTO chat_messages (conversation_id, role, content)"
                             " VALUES (1, 'user', 'ghost')", (),
                         "chatflow: the conversation is deleted; restore it (restore_conversation)"
                         " before adding messages", sqlite3.IntegrityError)
        self.assertFails(db, "SELECT add_message(1, 'user', 'ghost')", (),
                         "chatflow: conversation 1 is deleted; restore_conversation(1) first")
        self.assertFails(db, "INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map')",
                         (), "chatflow: the conversation is deleted; restore it (restore_conversation)"
                             " before starting a run", sqlite3.IntegrityError)
        self.assertEqual(rows(db, "SELECT id, content FROM chat_messages"), [(1, "hello")])
        self.assertEqual(rows(db, "SELECT message_count, last_seq, deleted_at FROM chat_conversations"),
                         [(1, 1, T1)])

    def test_find_or_create_refuses_a_deleted_conversation(self):
        db = self.db
        self.assertEqual(one(db, "SELECT find_or_create_conversation('acme', 'k1', 'T')"), 1)
        self.assertEqual(one(db, "SELECT delete_conversation(1)"), 1)
        self.assertFails(db, "SELECT find_or_create_conversation('acme', 'k1', 'T')", (),
                         "chatflow: the conversation with key 'k1' of owner 'acme' (id 1) is deleted;"
                         " restore_conversation(1) first, or purge it to reuse the key")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_conversations"), 1)
        self.assertEqual(one(db, "SELECT restore_conversation(1)"), 1)
        self.assertEqual(one(db, "SELECT find_or_create_conversation('acme', 'k1', 'T')"), 1)
        self.assertEqual(one(db, "SELECT purge_conversation(1)"), 1)
        # the key is free again, under a new id
        self.assertEqual(one(db, "SELECT find_or_create_conversation('acme', 'k1', 'T')"), 2)

    # -- NUL -----------------------------------------------------------------------

    def test_nul_in_content_refused(self):
        db = self.db
        self.assertEqual(one(db, "SELECT create_conversation('a', 'A')"), 1)
        # a NUL is named as such, not as invalid UTF-8
        self.assertFails(db, "SELECT add_message(1, 'user', ?)", ("a\x00b",),
                         "chatflow: content contains a NUL character")
        self.assertFails(db, "SELECT add_message(1, 'user', ?)", ("\x00secret",),
                         "chatflow: content contains a NUL character")
        self.assertFails(db, "INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', ?)",
                         ("\x00secret",), "chatflow: message content contains a NUL character",
                         sqlite3.IntegrityError)
        self.assertFails(db, "INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', ?)",
                         ("a\x00b",), "chatflow: message content contains a NUL character",
                         sqlite3.IntegrityError)
        self.assertEqual(rows(db, "SELECT count(*) FROM chat_messages"), [(0,)])
        self.assertEqual(rows(db, "SELECT message_count, last_seq, title FROM chat_conversations"),
                         [(0, 0, "A")])

    # -- cuts for display ------------------------------------------------------------

    def title_of(self, content):
        cid = one(self.db, "SELECT create_conversation('t')")
        self.db.execute("SELECT add_message(?, 'user', ?)", (cid, content))
        return one(self.db, "SELECT title FROM chat_conversations WHERE id = ?", (cid,))

    def test_auto_title_keeps_grapheme_clusters_whole(self):
        # the cut (after the 79th character, "…" making the 80th) falls
        # inside the cluster: the whole cluster goes
        cases = [
            ("a" * 77 + FAMILY + " more words" + ELLIPSIS, "a" * 77 + ELLIPSIS),
            ("a" * 79 + FAMILY + " more words", "a" * 79 + ELLIPSIS),
            ("a" * 78 + FLAG + " more words", "a" * 78 + ELLIPSIS),
            ("a" * 78 + THUMB + " more words", "a" * 78 + ELLIPSIS),
            ("a" * 78 + E_ACUTE + " more words", "a" * 78 + ELLIPSIS),
            # the cluster ends exactly at the 79th character: it stays
            ("a" * 77 + FLAG + " more words", "a" * 77 + FLAG + ELLIPSIS),
            ("a" * 77 + THUMB + " more words", "a" * 77 + THUMB + ELLIPSIS),
            ("a" * 77 + E_ACUTE + "xyz", "a" * 77 + E_ACUTE + ELLIPSIS),
            # 80 characters or fewer: no cut
            ("a" * 75 + FAMILY, "a" * 75 + FAMILY),
        ]
        for content, title in cases:
            with self.subTest(content=content):
                got = self.title_of(content)
                self.assertEqual(got, title)
                self.assertLessEqual(len(got), 80)

    def test_list_preview_keeps_grapheme_clusters_whole(self):
        # the preview is the first 120 characters, cut back to a boundary
        cases = [
            ("b" * 118 + FAMILY + " tail", "b" * 118),
            ("b" * 119 + FLAG + " tail", "b" * 119),
            ("b" * 119 + THUMB + " tail", "b" * 119),
            ("b" * 119 + E_ACUTE + " tail", "b" * 119),
            ("b" * 118 + FLAG + " tail", "b" * 118 + FLAG),
            ("b" * 118 + THUMB + " tail", "b" * 118 + THUMB),
            ("b" * 118 + E_ACUTE + " tail", "b" * 118 + E_ACUTE),
            ("b" * 115 + FAMILY, "b" * 115 + FAMILY),
        ]
        ids = {}
        for content, _ in cases:
            cid = one(self.db, "SELECT create_conversation('p')")
            self.db.execute("SELECT add_message(?, 'assistant', ?)", (cid, content))
            ids[cid] = content
        listed = dict(rows(self.db, "SELECT id, last_message_preview FROM conversation_list('p')"))
        self.assertEqual(sorted(listed), sorted(ids))
        for cid, (content, preview) in zip(sorted(ids), cases):
            with self.subTest(content=content):
                self.assertEqual(listed[cid], preview)
                self.assertEqual(one(self.db, "SELECT chatflow_preview(?)", (content,)), preview)


class NewDatabaseFkOn(NewDatabase, Base):
    FK = True


class NewDatabaseFkOff(NewDatabase, Base):
    FK = False


class Init(Base):
    def test_init_stamps_with_the_pinned_clock(self):
        db = connect(os.path.join(self.dir, "init.db"))
        self.assertEqual(one(db, "SELECT chatflow_clock('2026-03-04T05:06:07.089Z')"),
                         "2026-03-04T05:06:07.089Z")
        self.assertEqual(one(db, "SELECT chatflow_init()"), 5)
        self.assertEqual(rows(db, "SELECT name, created_at FROM workflow_definitions"),
                         [("topical_map", "2026-03-04T05:06:07.089Z")])
        self.assertEqual(rows(db, "SELECT DISTINCT applied_at FROM chatflow_migrations"),
                         [("2026-03-04T05:06:07.089Z",)])
        db.close()


# ---------------------------------------------------------------- a 0.1 database

def build_fixture(dest):
    """tests/fixtures/chatflow-0.1.db when present (make-0.1.sh writes it);
    otherwise the same file built here from chatflow 0.1.0 in the
    repository's history, into dest.  Returns its path."""
    if os.path.exists(FIXTURE):
        return FIXTURE
    src = os.path.join(dest, "chatflow-0.1")
    os.makedirs(src)
    archive = subprocess.run(["git", "-C", ROOT, "archive", FIXTURE_COMMIT], capture_output=True)
    if archive.returncode != 0:
        raise RuntimeError("%s is missing and commit %s is not in this clone to rebuild it"
                           " (tests/fixtures/make-0.1.sh): %s"
                           % (FIXTURE, FIXTURE_COMMIT, archive.stderr.decode(errors="replace")))
    subprocess.run(["tar", "-x", "-C", src], input=archive.stdout, check=True)
    subprocess.run(["make", "-C", src, "-s"], check=True, capture_output=True)
    path = os.path.join(dest, "chatflow-0.1-built.db")
    with open(FIXTURE_SQL) as f:
        subprocess.run([SQLITE3, "-bail", "-cmd", ".load %s" % os.path.join(src, "dist", "chatflow"), path],
                       stdin=f, check=True, capture_output=True)
    return path


class FromVersion01(Base):
    @classmethod
    def setUpClass(cls):
        cls.fixture_dir = tempfile.mkdtemp(prefix="chatflow-id-fixture-")
        cls.fixture = build_fixture(cls.fixture_dir)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.fixture_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.dir, "v01.db")
        shutil.copyfile(self.fixture, self.path)
        self.db = connect(self.path)
        self.assertEqual(one(self.db, "SELECT max(version) FROM chatflow_migrations"), 4)
        self.assertEqual(one(self.db, "SELECT chatflow_clock(?)", (T1,)), T1)
        self.assertEqual(one(self.db, "SELECT chatflow_init()"), 5)

    def tearDown(self):
        self.db.close()
        super().tearDown()

    def fixture_copy(self):
        """Another copy of the 0.1 database, not migrated yet."""
        path = os.path.join(self.dir, "v01-copy.db")
        shutil.copyfile(self.fixture, path)
        return path

    def test_text_is_utf8_without_nul(self):
        db = self.db
        db.text_factory = bytes
        tables = [r[0].decode() for r in rows(
            db, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
        for t in ("chat_conversations", "chat_messages", "workflow_runs", "workflow_run_events",
                  "workflow_proposals", "workflow_interrupts", "workflow_definitions",
                  "chatflow_settings", "chatflow_migrations"):
            self.assertIn(t, tables)
        checked = 0
        for t in tables:
            cols = [r[1].decode() for r in rows(db, "PRAGMA table_info(%s)" % t)]
            for c in cols:
                for (v,) in rows(db, 'SELECT "%s" FROM "%s" WHERE typeof("%s") = \'text\'' % (c, t, c)):
                    with self.subTest(table=t, column=c, value=v):
                        self.assertNotIn(b"\x00", v)
                        v.decode("utf-8", errors="strict")
                    checked += 1
        db.text_factory = str
        # the fixture's non-ASCII text came through as it was written
        self.assertGreater(checked, 100)
        self.assertEqual(rows(db, "SELECT content FROM chat_messages WHERE conversation_id = 2 ORDER BY seq"),
                         [("我们的面包店在里昂开业了",), ("Félicitations 🍞🎉",)])
        self.assertEqual(one(db, "SELECT content FROM chat_messages WHERE id = 2"),
                         "Plan a topical map for our bakery 🥐")

    def test_counters_equal_a_recount(self):
        db = self.db
        stored = {r[0]: r[1:] for r in rows(
            db, "SELECT id, message_count, total_tokens, last_seq, last_message_at FROM chat_conversations")}
        recount = {}
        for cid in stored:
            msgs = rows(db, "SELECT seq, tokens, created_at FROM chat_messages WHERE conversation_id = ?"
                            " ORDER BY seq", (cid,))
            recount[cid] = (len(msgs), sum(m[1] for m in msgs), max((m[0] for m in msgs), default=0),
                            msgs[-1][2] if msgs else None)
        # last_seq never decreases: conversation 4's seq 3 was deleted by retention
        self.assertEqual({k: v[:3] for k, v in stored.items()},
                         {1: (3, 18, 3), 2: (2, 7, 2), 3: (1, 4, 1), 4: (2, 2, 3)})
        self.assertEqual({k: v[:2] + (v[3],) for k, v in stored.items()},
                         {k: v[:2] + (v[3],) for k, v in recount.items()})
        self.assertEqual({k: v[2] for k, v in recount.items()}, {1: 3, 2: 2, 3: 1, 4: 2})

    def test_sequences_hold_the_highest_ids(self):
        db = self.db
        seqs = dict(rows(db, "SELECT name, seq FROM sqlite_sequence"))
        self.assertEqual(seqs, {"chat_conversations": 4, "chat_messages": 8, "workflow_runs": 3,
                                "workflow_run_events": 8, "workflow_proposals": 2})
        for t in seqs:
            self.assertEqual(one(db, "SELECT max(id) FROM %s" % t), seqs[t], t)
        # the migration cancelled run 2 (its conversation was deleted while it ran)
        self.assertEqual(rows(db, "SELECT id, status, error, completed_at FROM workflow_runs ORDER BY id"),
                         [(1, "awaiting_approval", None, None),
                          (2, "cancelled", "conversation deleted", T1),
                          (3, "cancelled", None, "2026-01-03T00:00:00.000Z")])
        self.assertEqual(rows(db, "SELECT run_id, from_status, to_status, created_at FROM workflow_run_events"
                                  " WHERE id = 8"), [(2, "started", "cancelled", T1)])

    def test_schema_is_the_new_databases(self):
        # every table, index, trigger and view as chatflow_init() makes them
        # on a new database: the triggers of 0.1 that 005 retired (it runs
        # an INSERT into chat_messages through 2 triggers, not 0.1's 13) are
        # not created again as if they were the caller's, and the search
        # mark starts at the last message, indexed by 0.1's triggers
        fresh = connect(os.path.join(self.dir, "fresh.db"))
        try:
            self.assertEqual(one(fresh, "SELECT chatflow_init()"), 5)
            q = "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name"
            self.assertEqual(rows(self.db, q), rows(fresh, q))
        finally:
            fresh.close()
        # (8, the draft update trigger and the 3 on a draft's end: its tokens and its two indexes)
        self.assertEqual(one(self.db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
                                      " AND tbl_name = 'chat_messages'"), 12)
        self.assertEqual(one(self.db, "SELECT indexed_upto FROM chatflow_search_state"), 8)
        self.assertEqual(rows(self.db, "SELECT message_id FROM search_messages('bakery', NULL, '{\"titles\": false}')"),
                         [(2,)])

    def test_callers_trigger_with_a_long_name_kept(self):
        # a name longer than the migrations' text after any "TRIGGER ": the
        # scan for chatflow's own names must not read past that text
        # (make asan runs this test on the sanitizer build)
        name = "t" * 3000
        db = connect(self.fixture_copy())
        db.execute("CREATE TRIGGER %s AFTER DELETE ON chat_messages BEGIN SELECT 1; END" % name)
        self.assertEqual(one(db, "SELECT chatflow_init()"), 5)
        self.assertEqual(one(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?",
                             (name,)), 1)
        db.close()

    def test_migration_recounts_a_drifted_total(self):
        # 0.1's tokens trigger skipped an UPDATE from NULL, so a 0.1
        # database can hold a total_tokens short of its messages; no UPDATE
        # can set the counter afterwards, so migration 005 recounts
        path = self.fixture_copy()
        raw = sqlite3.connect(path)   # 0.1's schema alone, no extension
        raw.execute("UPDATE chat_messages SET tokens = NULL WHERE id = 2")
        raw.execute("UPDATE chat_messages SET tokens = 40 WHERE id = 2")
        raw.commit()
        drift = one(raw, "SELECT total_tokens - (SELECT sum(tokens) FROM chat_messages WHERE conversation_id = 1)"
                         " FROM chat_conversations WHERE id = 1")
        raw.close()
        self.assertLess(drift, 0)
        db = connect(path)
        self.assertEqual(one(db, "SELECT chatflow_init()"), 5)
        self.assertEqual(rows(db, "SELECT total_tokens, (SELECT sum(tokens) FROM chat_messages WHERE conversation_id = 1)"
                                  " FROM chat_conversations WHERE id = 1"), [(49, 49)])
        self.assertEqual(rows(db, "SELECT * FROM chatflow_check() WHERE NOT ok"), [])
        db.close()

    def test_migration_repairs_ended_runs(self):
        # 0.1's raw SQL could leave an ended run with a lease or without
        # completed_at; 0.2's triggers keep both from then on, and
        # migration 005 repairs what it copies
        path = self.fixture_copy()
        raw = sqlite3.connect(path)   # 0.1's schema alone, no extension
        raw.execute("UPDATE workflow_runs SET status = 'cancelled' WHERE id = 1")
        raw.execute("UPDATE workflow_runs SET lease_expires_at = '2026-01-05T00:00:00.000Z',"
                    " completed_at = NULL WHERE id = 1")
        raw.commit()
        self.assertEqual(rows(raw, "SELECT status, lease_expires_at, completed_at FROM workflow_runs WHERE id = 1"),
                         [("cancelled", "2026-01-05T00:00:00.000Z", None)])
        updated = one(raw, "SELECT updated_at FROM workflow_runs WHERE id = 1")
        raw.close()
        db = connect(path)
        self.assertEqual(one(db, "SELECT chatflow_init()"), 5)
        self.assertEqual(rows(db, "SELECT lease_expires_at, completed_at FROM workflow_runs WHERE id = 1"),
                         [(None, updated)])
        self.assertEqual(rows(db, "SELECT * FROM chatflow_check() WHERE NOT ok"), [])
        db.close()

    def test_a_row_that_fails_a_json_check_stops_the_migration(self):
        # JSON that SQLite 3.42-3.44's json_valid() let in (JSON5), here
        # written past the CHECK: the rebuild refuses it, after its second
        # attempt (the first may be SQLite 3.40's json_valid() out of memory,
        # schema.c), and nothing of the migration stays
        db = connect(self.fixture_copy())
        db.execute("PRAGMA ignore_check_constraints = ON")
        db.execute("UPDATE chat_conversations SET context = '{a: 1}' WHERE id = 2")
        db.execute("PRAGMA ignore_check_constraints = OFF")
        before = rows(db, "SELECT * FROM chat_conversations ORDER BY id")
        self.assertFails(db, "SELECT chatflow_init()", (),
                         "chatflow: migration 005_identity failed: CHECK constraint failed:"
                         " chatflow: conversation context must be a JSON object",
                         sqlite3.IntegrityError)
        self.assertEqual(one(db, "SELECT max(version) FROM chatflow_migrations"), 4)
        self.assertEqual(rows(db, "SELECT * FROM chat_conversations ORDER BY id"), before)
        self.assertEqual(one(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'chatflow_v4_%'"), 0)
        db.close()

    def test_version_read_again_after_a_rolled_back_init(self):
        # Inside one transaction a call trusts the schema version an earlier
        # call of that transaction read; a chatflow_init() that migrates
        # inside the caller's transaction, then rolled back, must not leave
        # that trust behind (the ROLLBACK does not move SQLite's data version).
        db = connect(self.fixture_copy(), fk=False)
        db.execute("BEGIN")
        self.assertEqual(one(db, "SELECT chatflow_init()"), 5)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'inside')"), 9)
        self.assertEqual(one(db, "SELECT add_message(1, 'user', 'inside again')"), 10)
        db.execute("ROLLBACK")
        self.assertEqual(one(db, "SELECT max(version) FROM chatflow_migrations"), 4)
        db.execute("BEGIN")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages"), 8)
        with self.assertRaises(sqlite3.OperationalError) as cm:
            db.execute("SELECT add_message(1, 'user', 'on version 4')").fetchall()
        self.assertEqual(str(cm.exception), "chatflow: database schema is version 4, this chatflow needs 5"
                                            " \u2014 run SELECT chatflow_init()")
        db.execute("ROLLBACK")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages"), 8)
        db.close()

    def test_no_id_given_twice_after_purging_the_highest(self):
        db = self.db
        # conversation 4 holds the highest conversation id, messages 7 and 8
        # and run 3
        self.assertEqual(rows(db, "SELECT group_concat(id) FROM chat_messages WHERE conversation_id = 4"),
                         [("7,8",)])
        self.assertEqual(one(db, "SELECT purge_conversation(4)"), 1)
        self.assertEqual(one(db, "SELECT create_conversation('tenant_d', 'New')"), 5)
        self.assertEqual(one(db, "SELECT add_message(5, 'user', 'new tenant')"), 9)
        self.assertEqual(one(db, "SELECT start_run(5, 'topical_map')"), 4)
        self.assertEqual(one(db, "SELECT purge_conversation(5)"), 1)
        self.assertEqual(one(db, "SELECT create_conversation('tenant_e', 'Newer')"), 6)
        self.assertEqual(one(db, "SELECT add_message(6, 'user', 'newer tenant')"), 10)
        self.assertEqual(one(db, "SELECT start_run(6, 'topical_map')"), 5)
        db.execute("INSERT INTO chat_conversations (owner) VALUES ('raw')")
        self.assertEqual(one(db, "SELECT last_insert_rowid()"), 7)
        self.assertFails(db, "SELECT add_message(5, 'assistant', 'late')", (),
                         "chatflow: unknown conversation 5")
        self.assertFails(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_4', x'04')", (),
                         CHECKPOINT_REFUSED, sqlite3.IntegrityError)
        self.assertEqual(rows(db, "SELECT id FROM chat_conversations ORDER BY id"),
                         [(1,), (2,), (3,), (6,), (7,)])
        self.assertEqual(one(db, "PRAGMA integrity_check"), "ok")


class SchemaTakenBack(Base):
    def test_rollback_to_before_init_reads_as_not_initialised(self):
        # chatflow_init() inside a savepoint the caller then rolls back: the
        # next call says what to do, whichever statement it reads with
        db = connect(os.path.join(self.dir, "back.db"))
        db.execute("SAVEPOINT s")
        self.assertEqual(one(db, "SELECT chatflow_init()"), 5)
        self.assertEqual(one(db, "SELECT create_conversation('a')"), 1)
        db.execute("ROLLBACK TO s")
        db.execute("RELEASE s")
        for sql in ("SELECT conversation_by_uid('x')", "SELECT create_conversation('a')"):
            with self.assertRaises(sqlite3.OperationalError) as cm:
                db.execute(sql).fetchall()
            self.assertEqual(str(cm.exception), "chatflow: schema not initialised \u2014 run SELECT chatflow_init()")
        self.assertFalse(db.in_transaction)
        db.close()


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("python: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
