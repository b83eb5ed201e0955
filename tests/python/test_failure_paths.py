#!/usr/bin/python3
"""Failure paths of the write bracket (ext/write.c), as a driver sees them.

Every writing function is made to fail where a real deployment makes it
fail — the write lock held by another connection, and (rollback-journal
mode) the commit refused because a reader outlasts the busy timeout — and
after each failure we check what the caller is owed:

  * the call reports an error with SQLITE_BUSY as its result code and a
    "chatflow: database is locked (...)" text that is never "not an error";
  * a call that began in autocommit mode leaves autocommit on
    (conn.in_transaction is False, i.e. sqlite3_get_autocommit() = 1);
  * the database file is byte-for-byte what it was (nothing partial);
  * inside the caller's own transaction the failure leaves that transaction
    open with its earlier work.

Also the lost-write reproducer (two connections, journal_mode=DELETE,
busy timeout 200 ms) and the lock advice for each situation.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_failure_paths.py
The output ends with "python: N passed, M failed".
"""
import hashlib
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))

LOCKED = "chatflow: database is locked (database is locked): "
TIMEOUT_ADVICE = ("another connection held its lock past this connection's busy timeout "
                  "(%d ms); retry, or raise PRAGMA busy_timeout")


def connect(path, timeout_ms=50):
    db = sqlite3.connect(path, isolation_level=None, timeout=timeout_ms / 1000.0)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def one(db, sql, args=()):
    return db.execute(sql, args).fetchone()[0]


def file_hash(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# Every writing function (DIRECTONLY and writes the database), with a call
# that succeeds on the fixture below.  complete_chat and generate_title are
# covered by tests/provider (they refuse to run inside a transaction and
# write in the same bracket).
CALLS = [
    ("chatflow_init", "SELECT chatflow_init()"),
    ("chatflow_config", "SELECT chatflow_config('llm.model', 'qwen3')"),
    ("create_conversation", "SELECT create_conversation('acme', 'New')"),
    ("find_or_create_conversation", "SELECT find_or_create_conversation('acme', 'k-new')"),
    ("add_message", "SELECT add_message(1, 'user', 'hello again')"),
    ("start_run", "SELECT start_run(2, 'topical_map')"),
    ("restore_conversation", "SELECT restore_conversation(3)"),
    ("delete_messages", "SELECT delete_messages(1, '{\"after_seq\": 0}')"),
    ("update_conversation", "SELECT update_conversation(1, '{\"title\": \"Renamed\", \"pinned\": true}')"),
    ("advance_run", "SELECT advance_run(1, '{\"ingested\": true}')"),
    ("resume_run", "SELECT resume_run(2, '{\"clarifications\": [{\"question_id\": \"q1\","
                   " \"question\": \"Where?\", \"answer\": \"Lyon\"}]}')"),
    ("set_run_status", "SELECT set_run_status(1, 'processing')"),
    ("heartbeat_run", "SELECT heartbeat_run(1, 60)"),
    ("merge_run_state", "SELECT merge_run_state(1, '{\"x\": 1}')"),
    ("set_business_context", "SELECT set_business_context(1, '{\"geo\": \"Lyon\"}')"),
    ("add_clarification", "SELECT add_clarification(1, 'q2', 'Who?', 'Bakers')"),
    ("add_proposal", "SELECT add_proposal(1, 'pillar', 'Sourdough')"),
    ("approve_proposal", "SELECT approve_proposal(1, 'Renamed')"),
    ("reject_proposal", "SELECT reject_proposal(1, 'not now')"),
    ("validate_proposal", "SELECT validate_proposal(1, '{\"competition_level\": \"low\"}')"),
    ("cancel_run", "SELECT cancel_run(3)"),
    ("fail_run", "SELECT fail_run(4, 'boom')"),
    ("complete_run", "SELECT complete_run(1)"),
    # streaming drafts (3, 4, 5 of the fixture; before delete_old_messages)
    ("begin_message", "SELECT begin_message(2, 'assistant')"),
    ("append_message", "SELECT append_message(3, 'delta')"),
    ("finish_message", "SELECT finish_message(4, '{\"parts\": [{\"type\": \"text\", \"text\": \"x\"}]}')"),
    ("abort_message", "SELECT abort_message(5, 'stopped')"),
    ("expire_stale_runs", "SELECT expire_stale_runs()"),
    ("archive_old_conversations", "SELECT archive_old_conversations(0)"),
    ("delete_old_messages", "SELECT delete_old_messages(0)"),
    ("purge_deleted", "SELECT purge_deleted(0)"),
    ("import_conversation", "SELECT import_conversation('acme', ?)"),
    ("fork_conversation", "SELECT fork_conversation(1)"),
    ("workflow_interrupt", "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('ext-1', x'00ff')"),
    ("langgraph_put", "SELECT langgraph_put('thread-7', 'c-3', x'00', '{}')"),
    ("langgraph_put_blob", "SELECT langgraph_put_blob('thread-7', 'messages', '1', x'00')"),
    ("langgraph_put_write", "SELECT langgraph_put_write('thread-7', 'c-2', 'task', 0, 'answer', x'00')"),
    ("langgraph_prune_checkpoints", "SELECT langgraph_prune_checkpoints(1)"),
    ("langgraph_delete_thread", "SELECT langgraph_delete_thread('thread-7')"),
    ("delete_conversation", "SELECT delete_conversation(2)"),
    ("purge_conversation", "SELECT purge_conversation(2)"),
]

# chatflow_init() of a database already at this build's schema writes
# nothing: outside a transaction it reads the version and answers, with no
# write lock (docs/setup.md).
WRITES_NOTHING_WHEN_CURRENT = ("chatflow_init",)
SCHEMA_VERSION = 5

# A plain SQL statement fails with SQLite's own text (no chatflow function
# is involved), with the same code.
PLAIN = ("workflow_interrupt",)


class Fixture(unittest.TestCase):
    journal = "delete"

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-fail-")
        self.path = os.path.join(self.dir, "f.db")
        db = connect(self.path)
        db.execute("PRAGMA journal_mode=%s" % self.journal)
        db.execute("SELECT chatflow_init()")
        db.execute("SELECT create_conversation('acme', 'Bakery', '{\"key\": \"k1\"}')")   # 1
        db.execute("SELECT add_message(1, 'user', 'Plan a topical map')")
        db.execute("SELECT start_run(1, 'topical_map')")                                  # run 1
        db.execute("SELECT add_proposal(1, 'pillar', 'Bread')")                           # proposal 1
        db.execute("SELECT create_conversation('acme', 'Other')")                          # 2
        db.execute("SELECT add_message(2, 'user', 'x')")
        db.execute("SELECT create_conversation('acme', 'Gone')")                           # 3
        db.execute("SELECT delete_conversation(3)")
        db.execute("SELECT create_conversation('acme', 'Waiting')")                        # 4
        db.execute("SELECT start_run(4, 'topical_map')")                                  # run 2
        db.execute("SELECT set_run_status(2, 'awaiting_clarification', 'clarification')")
        db.execute("SELECT create_conversation('acme', 'To cancel')")                      # 5
        db.execute("SELECT start_run(5, 'topical_map')")                                  # run 3
        db.execute("SELECT create_conversation('acme', 'To fail')")                        # 6
        db.execute("SELECT start_run(6, 'topical_map')")                                  # run 4
        db.execute("SELECT langgraph_put('thread-7', 'c-1', x'00', '{}')")                # 7
        db.execute("SELECT langgraph_put('thread-7', 'c-2', x'00', '{}')")
        for _ in range(3):                                                                # drafts 3, 4, 5
            db.execute("SELECT begin_message(2, 'assistant')")
        self.export = one(db, "SELECT export_conversation(2)")
        db.close()

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def args(self, sql):
        return (self.export,) if sql.endswith(", ?)") else ()


class LostWrites(Fixture):
    def test_reproducer_failed_commit_loses_nothing_later(self):
        """The reported reproducer: after a failed call, later calls must not
        run inside a transaction nobody opened (they were lost at close)."""
        a = connect(self.path, 200)
        b = connect(self.path, 200)
        b.execute("BEGIN")
        one(b, "SELECT count(*) FROM chat_messages")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            one(a, "SELECT add_message(1, 'user', 'first')")
        self.assertEqual(cm.exception.sqlite_errorcode, sqlite3.SQLITE_BUSY)
        self.assertEqual(str(cm.exception), LOCKED + TIMEOUT_ADVICE % 200)
        self.assertFalse(a.in_transaction)
        b.execute("COMMIT")
        ids = [one(a, "SELECT add_message(1, 'user', 'second')"),
               one(a, "SELECT add_message(1, 'user', 'third')")]
        self.assertFalse(a.in_transaction)
        a.close()
        b.close()
        c = connect(self.path)
        self.assertEqual(c.execute("SELECT id, content FROM chat_messages WHERE conversation_id = 1"
                                   " ORDER BY seq").fetchall(),
                         [(1, "Plan a topical map"), (ids[0], "second"), (ids[1], "third")])
        self.assertEqual(one(c, "SELECT message_count FROM chat_conversations WHERE id = 1"), 3)
        c.close()


class EveryWriter(Fixture):
    """Each writing function, failing in each lock situation."""

    def check_failed(self, a, name, sql, want_text):
        with self.assertRaises(sqlite3.Error, msg=name) as cm:
            a.execute(sql, self.args(sql)).fetchall()
        self.assertEqual(cm.exception.sqlite_errorcode, sqlite3.SQLITE_BUSY, name)
        self.assertEqual(str(cm.exception), "database is locked" if name in PLAIN else want_text, name)
        self.assertFalse(a.in_transaction, name)

    def check_every_call_locked_out(self, timeout_ms, want_text):
        """Another connection holds the write lock: every call fails, alone
        -- but chatflow_init() of a current schema, which writes nothing and
        answers without the lock (in its own transaction it waits as any)."""
        before = file_hash(self.path)
        a = connect(self.path, timeout_ms)
        b = connect(self.path, timeout_ms)
        b.execute("BEGIN IMMEDIATE")
        for name, sql in CALLS:
            with self.subTest(name):
                if name in WRITES_NOTHING_WHEN_CURRENT:
                    self.assertEqual(one(a, sql), SCHEMA_VERSION)
                    a.execute("BEGIN")
                    with self.assertRaises(sqlite3.Error, msg=name) as cm:
                        a.execute(sql).fetchall()
                    self.assertEqual(cm.exception.sqlite_errorcode, sqlite3.SQLITE_BUSY, name)
                    self.assertTrue(str(cm.exception).startswith(LOCKED), str(cm.exception))
                    self.assertTrue(a.in_transaction, name)  # the caller's, still open
                    a.execute("ROLLBACK")
                    continue
                self.check_failed(a, name, sql, want_text)
        b.execute("ROLLBACK")
        a.close()
        b.close()
        self.assertEqual(file_hash(self.path), before)

    def test_write_lock_held_by_another_connection(self):
        """Another connection holds the write lock past the busy timeout."""
        self.check_every_call_locked_out(30, LOCKED + TIMEOUT_ADVICE % 30)

    def test_no_busy_timeout_says_so(self):
        self.check_every_call_locked_out(0, LOCKED +
                                         "no busy timeout is set on this connection; set one "
                                         "(PRAGMA busy_timeout = 5000) so SQLite waits for the lock, or retry")

    def test_commit_refused_by_a_reader(self):
        """Rollback-journal mode: the write lock is free, but the commit needs
        every reader gone; the reader outlasts the busy timeout.  Every call
        that changed something fails at its commit and keeps nothing."""
        before = file_hash(self.path)
        a = connect(self.path, 30)
        b = connect(self.path, 30)
        b.execute("BEGIN")
        one(b, "SELECT count(*) FROM chat_messages")
        for name, sql in CALLS:
            with self.subTest(name):
                try:
                    a.execute(sql, self.args(sql)).fetchall()
                except sqlite3.Error as e:
                    self.assertEqual(e.sqlite_errorcode, sqlite3.SQLITE_BUSY, name)
                    self.assertEqual(str(e), "database is locked" if name in PLAIN
                                     else LOCKED + TIMEOUT_ADVICE % 30, name)
                else:
                    # Only calls that changed nothing can commit past a reader.
                    self.assertIn(name, ("chatflow_init", "expire_stale_runs", "purge_deleted",
                                         "archive_old_conversations", "delete_old_messages"))
                self.assertFalse(a.in_transaction, name)
        b.execute("COMMIT")
        a.close()
        b.close()
        self.assertEqual(file_hash(self.path), before)

    def test_every_writer_then_succeeds_and_persists(self):
        """After all the failures, each call succeeds and its work is on disk."""
        a = connect(self.path, 30)
        b = connect(self.path, 30)
        b.execute("BEGIN IMMEDIATE")
        for name, sql in CALLS:
            if name in WRITES_NOTHING_WHEN_CURRENT:
                self.assertEqual(one(a, sql), SCHEMA_VERSION)
                continue
            with self.assertRaises(sqlite3.OperationalError):
                a.execute(sql, self.args(sql)).fetchall()
        b.execute("ROLLBACK")
        b.close()
        changes = one(a, "SELECT total_changes()")
        for name, sql in CALLS:
            a.execute(sql, self.args(sql)).fetchall()
            self.assertFalse(a.in_transaction, name)
        self.assertGreater(one(a, "SELECT total_changes()"), changes)
        a.close()
        c = connect(self.path)
        self.assertEqual(one(c, "SELECT chatflow_config('llm.model')"), "qwen3")
        self.assertEqual(one(c, "SELECT count(*) FROM chat_conversations WHERE owner = 'acme'"), 9)
        self.assertEqual(one(c, "SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'ext-1'"), 1)
        self.assertEqual(c.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
        c.close()


class CallTime(Fixture):
    """The option now (the time of one call) lasts that call, whatever its
    end: a call refused by a lock, one that fails inside its write, one
    that succeeds inside the caller's transaction -- the next call without
    now reads the connection's clock again, and no statement clock row is
    left for the triggers."""
    PIN = "2031-01-01T00:00:00.000Z"
    NOW = '{"now": "2030-01-01T00:00:00Z"}'

    def last_message_time(self, db):
        return one(db, "SELECT created_at FROM chat_messages ORDER BY id DESC LIMIT 1")

    def test_now_does_not_outlive_its_call(self):
        a = connect(self.path, 30)
        b = connect(self.path, 30)
        a.execute("SELECT chatflow_clock(?)", (self.PIN,))
        b.execute("BEGIN IMMEDIATE")
        for sql in ("SELECT cancel_run(3, '%s')" % self.NOW,
                    "SELECT add_message(1, 'user', 'x', '%s')" % self.NOW,
                    "SELECT update_conversation(1, '{\"title\": \"T\"}', '%s')" % self.NOW,
                    "SELECT expire_stale_runs('%s')" % self.NOW):
            with self.subTest(sql):
                with self.assertRaises(sqlite3.OperationalError):
                    a.execute(sql).fetchall()
                self.assertFalse(a.in_transaction)
                self.assertEqual(one(a, "SELECT chatflow_clock()"), self.PIN)
        b.execute("ROLLBACK")
        b.close()
        # refused inside the write (a deleted conversation), then a success
        with self.assertRaises(sqlite3.OperationalError):
            a.execute("SELECT add_message(3, 'user', 'x', '%s')" % self.NOW).fetchall()
        self.assertEqual(one(a, "SELECT chatflow_clock()"), self.PIN)
        a.execute("SELECT add_message(1, 'user', 'pinned')").fetchall()
        self.assertEqual(self.last_message_time(a), self.PIN)
        # inside the caller's transaction: one call with now, one without
        a.execute("BEGIN")
        a.execute("SELECT add_message(1, 'user', 'given', '%s')" % self.NOW).fetchall()
        self.assertEqual(self.last_message_time(a), "2030-01-01T00:00:00.000Z")
        a.execute("SELECT add_message(1, 'user', 'pinned again')").fetchall()
        self.assertEqual(self.last_message_time(a), self.PIN)
        self.assertEqual(one(a, "SELECT count(*) FROM chatflow_statement_clock"), 0)
        a.execute("COMMIT")
        # unpinned, a call without now takes the real time
        a.execute("SELECT chatflow_clock(NULL)")
        a.execute("SELECT add_message(1, 'user', 'real', '%s')" % self.NOW).fetchall()
        a.execute("SELECT add_message(1, 'user', 'real')").fetchall()
        self.assertNotIn(self.last_message_time(a)[:4], ("2030", "2031"))
        self.assertEqual(one(a, "SELECT count(*) FROM chatflow_statement_clock"), 0)
        a.close()


class WalWriters(EveryWriter):
    journal = "wal"

    def test_commit_refused_by_a_reader(self):
        """In WAL mode a reader never blocks a commit: every call succeeds."""
        a = connect(self.path, 30)
        b = connect(self.path, 30)
        b.execute("BEGIN")
        n = one(b, "SELECT count(*) FROM chat_messages")
        for name, sql in CALLS:
            a.execute(sql, self.args(sql)).fetchall()
            self.assertFalse(a.in_transaction, name)
        self.assertEqual(one(b, "SELECT count(*) FROM chat_messages"), n)  # its snapshot
        b.execute("COMMIT")
        a.close()
        b.close()


class CallerTransaction(Fixture):
    def test_failure_inside_caller_transaction_keeps_it(self):
        a = connect(self.path, 30)
        a.execute("BEGIN IMMEDIATE")
        mid = one(a, "SELECT add_message(1, 'user', 'kept')")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            one(a, "SELECT add_message(99, 'user', 'x')")
        self.assertEqual(str(cm.exception), "chatflow: unknown conversation 99")
        self.assertEqual(cm.exception.sqlite_errorcode, sqlite3.SQLITE_ERROR)
        self.assertTrue(a.in_transaction)
        self.assertEqual(one(a, "SELECT content FROM chat_messages WHERE id = ?", (mid,)), "kept")
        a.execute("COMMIT")
        self.assertEqual(one(a, "SELECT count(*) FROM chat_messages WHERE content = 'kept'"), 1)
        a.close()

    def test_failure_in_autocommit_ends_the_transaction(self):
        a = connect(self.path, 30)
        for sql in ("SELECT add_message(99, 'user', 'x')",
                    "SELECT start_run(1, 'topical_map')",
                    "SELECT set_run_status(1, 'bogus')",
                    "SELECT resume_run(1, '{}')",
                    "SELECT import_conversation('acme', '{}')",
                    "INSERT INTO workflow_interrupt (workflow_id, data) VALUES (NULL, x'00')"):
            with self.assertRaises(sqlite3.Error, msg=sql):
                a.execute(sql).fetchall()
            self.assertFalse(a.in_transaction, sql)
        a.close()

    def test_deferred_transaction_that_read_cannot_wait(self):
        a = connect(self.path, 30)
        b = connect(self.path, 30)
        a.execute("BEGIN")
        one(a, "SELECT count(*) FROM chat_messages")
        b.execute("BEGIN IMMEDIATE")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            one(a, "SELECT add_message(1, 'user', 'x')")
        self.assertEqual(str(cm.exception), LOCKED +
                         "this connection's transaction already reads the database, so SQLite cannot "
                         "wait for the write lock; roll back and retry the transaction, or open it "
                         "with BEGIN IMMEDIATE")
        self.assertEqual(cm.exception.sqlite_errorcode, sqlite3.SQLITE_BUSY)
        self.assertTrue(a.in_transaction)  # the caller's: the caller ends it
        a.execute("ROLLBACK")
        b.execute("ROLLBACK")
        a.close()
        b.close()

    def test_argument_subquery_cannot_wait(self):
        """No transaction opened by the caller, but the statement's own
        argument read the database: SQLite cannot wait either; the advice
        says so instead of recommending BEGIN IMMEDIATE."""
        a = connect(self.path, 30)
        b = connect(self.path, 30)
        b.execute("BEGIN IMMEDIATE")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            one(a, "SELECT add_message((SELECT min(id) FROM chat_conversations), 'user', 'x')")
        self.assertEqual(str(cm.exception), LOCKED +
                         "the calling statement already reads the database (an argument subquery?), "
                         "so SQLite cannot wait for the write lock; run the read in its own statement "
                         "first, or retry")
        self.assertFalse(a.in_transaction)
        b.execute("ROLLBACK")
        cid = one(a, "SELECT min(id) FROM chat_conversations")
        self.assertGreater(one(a, "SELECT add_message(?, 'user', 'x')", (cid,)), 0)
        a.close()
        b.close()


class CallerTempStore(Fixture):
    """The first chatflow write of a caller's transaction keeps its
    statement journal in memory (ext/write.c cfTempStoreMemory): the
    caller's temp_store reads back as it set it, its TEMP objects stay,
    and a restore that an interrupt refused is done by the next call."""

    def test_caller_setting_kept(self):
        a = connect(self.path)
        for value in (0, 1, 2):
            with self.subTest(temp_store=value):
                a.execute("PRAGMA temp_store = %d" % value)
                a.execute("BEGIN")
                self.assertEqual(one(a, "SELECT add_message(2, 'user', 'batched') > 0"), 1)
                self.assertEqual(one(a, "PRAGMA temp_store"), value)
                a.execute("COMMIT")
                self.assertEqual(one(a, "PRAGMA temp_store"), value)
        a.execute("PRAGMA temp_store = DEFAULT")
        a.execute("CREATE TEMP TABLE mine (x)")
        a.execute("INSERT INTO mine VALUES (1)")
        a.execute("BEGIN")
        self.assertEqual(one(a, "SELECT add_message(2, 'user', 'with a temp table') > 0"), 1)
        a.execute("COMMIT")
        self.assertEqual(one(a, "SELECT x FROM mine"), 1)
        self.assertEqual(one(a, "PRAGMA temp_store"), 0)
        a.close()

    def test_interrupted_restore_done_by_the_next_call(self):
        a = connect(self.path)

        def interrupt_at_memory(action, arg1, arg2, db, trigger):
            if action == sqlite3.SQLITE_PRAGMA and arg1 == "temp_store" and (arg2 or "").upper() == "MEMORY":
                a.interrupt()
            return sqlite3.SQLITE_OK

        a.set_authorizer(interrupt_at_memory)
        a.execute("BEGIN")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            one(a, "SELECT add_message(2, 'user', 'x')")
        self.assertEqual(str(cm.exception), "chatflow: interrupted")
        a.execute("ROLLBACK")
        a.set_authorizer(None)
        self.assertEqual(one(a, "PRAGMA temp_store"), 2)  # the restore was refused
        self.assertEqual(one(a, "SELECT add_message(2, 'user', 'next') > 0"), 1)
        self.assertEqual(one(a, "PRAGMA temp_store"), 0)
        a.close()


class WritingStatement(Fixture):
    def test_called_from_a_statement_that_writes(self):
        """SQLite opens no savepoint while a writing statement runs; that is
        no lock to retry (it used to come back as SQLITE_BUSY)."""
        a = connect(self.path)
        a.execute("CREATE TABLE log (x)")
        for begin in (None, "BEGIN"):
            if begin:
                a.execute(begin)
            with self.assertRaises(sqlite3.OperationalError) as cm:
                a.execute("INSERT INTO log SELECT add_message(1, 'user', 'hi')")
            self.assertEqual(str(cm.exception),
                             "chatflow: a writing function cannot be called from a statement that writes"
                             " (INSERT ... SELECT f(...), UPDATE ... SET x = f(...)); call it in a SELECT of"
                             " its own and write its result in a second statement")
            self.assertEqual(cm.exception.sqlite_errorcode, sqlite3.SQLITE_ERROR)
            self.assertEqual(a.in_transaction, begin is not None)
            if begin:
                a.execute("ROLLBACK")
        self.assertEqual(one(a, "SELECT count(*) FROM log"), 0)
        self.assertEqual(one(a, "SELECT count(*) FROM chat_messages"), 5)
        a.close()


class ResultCodes(Fixture):
    def test_constraint_and_error_codes(self):
        a = connect(self.path)
        cases = [
            ("SELECT create_conversation('acme', 'x', '{\"key\": \"k1\"}')", sqlite3.SQLITE_CONSTRAINT,
             "chatflow: owner 'acme' already has a conversation with key 'k1' (id 1)"),
            ("SELECT add_message(99, 'user', 'x')", sqlite3.SQLITE_ERROR,
             "chatflow: unknown conversation 99"),
            ("SELECT set_run_status(1, 'completed'), set_run_status(1, 'processing')",
             sqlite3.SQLITE_ERROR, "chatflow: invalid run transition completed -> processing (run 1)"),
        ]
        for sql, code, text in cases:
            with self.subTest(sql):
                with self.assertRaises(sqlite3.Error) as cm:
                    a.execute(sql).fetchall()
                self.assertEqual(str(cm.exception), text)
                self.assertEqual(cm.exception.sqlite_errorcode & 0xff, code)
                self.assertFalse(a.in_transaction)
        a.close()


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(res.failures) + len(res.errors)
    print("python: %d passed, %d failed" % (res.testsRun - failed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
