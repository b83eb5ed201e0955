#!/usr/bin/python3
"""Messages reach the search indexes in batches; search is never behind.

Migration 005 keeps chatflow_search_state.indexed_upto: the messages at or
below it are in chat_messages_fts (and chat_messages_trigram), the ones
above it wait, and search_messages reads those from a private in-memory
copy.  Checked here, with exact values:

  * freshness: a message is found by another connection right after its
    transaction commits (and not before), before and after a batch is
    indexed, also by a connection opened read-only or with query_only;
  * the batch: add_message moves the mark when 100 messages wait, fork and
    import likewise; chatflow_index() and chatflow_index(n);
  * the private copy follows every change: a new message, a deleted
    waiting message, a rolled-back insert or delete, the mark moved by
    another connection;
  * deleted messages leave the indexes whether they waited or not, and the
    indexes then pass FTS5's integrity-check against the content;
  * the rules of the mark for raw SQL (forward only, not past the sequence,
    the row kept), plain SQL indexing;
  * a waiting match ranked with both indexes' statistics: the same rank as
    once indexed, the newest best match first.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_search_batches.py
The output ends with "python: N passed, M failed".
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import unittest

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
BATCH = 100  # add_message indexes once this many messages wait (ext/index.c)


def connect(path, uri=False):
    db = sqlite3.connect(path, uri=uri, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def one(db, sql, args=()):
    return db.execute(sql, args).fetchone()[0]


def ids(db, query, options='{"titles": false}'):
    return sorted(r[0] for r in db.execute(
        "SELECT message_id FROM search_messages(?, NULL, ?)", (query, options)))


WAITING = "SELECT count(*) FROM chat_messages WHERE id > (SELECT indexed_upto FROM chatflow_search_state)"
MARK = "SELECT indexed_upto FROM chatflow_search_state"


class Batches(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-batches-")
        self.path = os.path.join(self.dir, "t.db")
        self.db = connect(self.path)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("SELECT chatflow_clock('2026-01-01T00:00:00.000Z')")
        self.assertEqual(one(self.db, "SELECT chatflow_init()"), 5)
        self.conv = one(self.db, "SELECT create_conversation('acme', 'Batches')")
        self.others = []

    def tearDown(self):
        for d in self.others:
            d.close()
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def other(self, uri=None):
        d = connect(uri or self.path, uri=bool(uri))
        self.others.append(d)
        return d

    def add(self, text, db=None):
        return one(db or self.db, "SELECT add_message(?, 'user', ?)", (self.conv, text))

    def check_indexes(self):
        """FTS5's own check of both message indexes against the content, with
        the mark moved to the end in a savepoint that is undone."""
        db = self.db
        db.execute("SAVEPOINT c")
        db.execute("UPDATE chatflow_search_state SET indexed_upto ="
                   " (SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages')")
        db.execute("INSERT INTO chat_messages_fts (chat_messages_fts, rank) VALUES ('integrity-check', 1)")
        db.execute("INSERT INTO chat_messages_trigram (chat_messages_trigram) VALUES ('integrity-check')")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages_fts_docsize"),
                         one(db, "SELECT count(*) FROM chat_messages"))
        db.execute("ROLLBACK TO c")
        db.execute("RELEASE c")

    def test_found_by_another_connection_at_commit(self):
        reader = self.other()
        first = self.add("sourdough starter")
        self.assertEqual(one(self.db, WAITING), 1)
        self.assertEqual(ids(reader, "sourdough"), [first])
        # not before the commit, and at once after it
        self.db.execute("BEGIN")
        second = self.add("sourdough loaf")
        self.assertEqual(ids(self.db, "sourdough"), [first, second])  # the writer sees its own
        self.assertEqual(ids(reader, "sourdough"), [first])
        self.db.execute("COMMIT")
        self.assertEqual(ids(reader, "sourdough"), [first, second])
        # across a batch: all found, waiting or indexed
        for i in range(BATCH + 20):
            self.add("batch message %d sourdough" % i)
        self.assertEqual(one(self.db, WAITING), 22)
        self.assertEqual(len(ids(reader, "sourdough", '{"titles": false, "limit": 500}')), BATCH + 22)
        self.assertEqual(ids(reader, "loaf"), [second])

    def test_read_only_and_query_only_connections(self):
        m = self.add("rye bread 東京")
        ro = self.other("file:%s?mode=ro" % self.path)
        self.assertEqual(ids(ro, "rye"), [m])
        self.assertEqual(ids(ro, "東京"), [m])
        qo = self.other()
        qo.execute("PRAGMA query_only = 1")
        self.assertEqual(ids(qo, "rye"), [m])
        self.assertEqual(ids(qo, "東"), [m])
        # nothing of it in the caller's TEMP schema or file
        self.assertEqual(one(qo, "SELECT count(*) FROM temp.sqlite_master"), 0)
        self.assertEqual(one(qo, "PRAGMA query_only"), 1)

    def test_add_message_indexes_a_batch(self):
        ids_ = [self.add("message %d" % i) for i in range(BATCH - 1)]
        self.assertEqual(one(self.db, MARK), 0)
        self.assertEqual(one(self.db, WAITING), BATCH - 1)
        ids_.append(self.add("message %d" % (BATCH - 1)))
        # the hundredth waiting message moves the mark to itself
        self.assertEqual(one(self.db, MARK), ids_[-1])
        self.assertEqual(one(self.db, WAITING), 0)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_fts_docsize"), BATCH)
        self.add("one more")
        self.assertEqual(one(self.db, WAITING), 1)
        self.check_indexes()

    def test_fork_and_import_index_a_batch(self):
        for i in range(BATCH + 5):
            self.add("to copy %d" % i)
        self.assertEqual(one(self.db, WAITING), 5)
        fork = one(self.db, "SELECT fork_conversation(?)", (self.conv,))
        self.assertEqual(one(self.db, WAITING), 0)
        self.assertEqual(one(self.db, MARK), one(self.db, "SELECT max(id) FROM chat_messages"))
        imported = one(self.db, "SELECT import_conversation('acme', export_conversation(?))", (fork,))
        self.assertEqual(one(self.db, WAITING), 0)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages WHERE conversation_id = ?",
                             (imported,)), BATCH + 5)
        self.assertEqual(len(ids(self.db, '"to copy 7"')), 3)
        self.check_indexes()

    def test_chatflow_index(self):
        raw = "INSERT INTO chat_messages (conversation_id, role, content) VALUES (?, 'user', ?)"
        for i in range(7):
            self.db.execute(raw, (self.conv, "raw %d" % i))
        self.assertEqual(one(self.db, WAITING), 7)
        self.assertEqual(one(self.db, "SELECT chatflow_index(3)"), 3)
        self.assertEqual(one(self.db, MARK), 3)
        self.assertEqual(one(self.db, "SELECT chatflow_index(3.0)"), 3)  # a JavaScript number
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 1)
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 0)
        self.assertEqual(ids(self.db, "raw"), list(range(1, 8)))
        for bad, got in ((0, "0"), (-1, "-1"), (1.5, "real 1.5"), ("3", "text '3'"), (None, "NULL"),
                         (10000001, "10000001")):
            with self.assertRaises(sqlite3.OperationalError) as cm:
                one(self.db, "SELECT chatflow_index(?)", (bad,))
            self.assertEqual(str(cm.exception),
                             "chatflow: max_messages must be an integer from 1 to 10000000, got " + got)
        self.check_indexes()

    def test_private_copy_follows_changes(self):
        a = self.add("kiwi one")
        b = self.add("kiwi two")
        reader = self.other()
        self.assertEqual(ids(reader, "kiwi"), [a, b])
        # a waiting message deleted: gone, and nothing to take out of the index
        self.db.execute("DELETE FROM chat_messages WHERE id = ?", (a,))
        self.assertEqual(ids(reader, "kiwi"), [b])
        self.assertEqual(ids(self.db, "kiwi"), [b])
        # a rolled-back insert and a rolled-back delete
        self.db.execute("BEGIN")
        c = self.add("kiwi three")
        self.assertEqual(ids(self.db, "kiwi"), [b, c])
        self.db.execute("ROLLBACK")
        self.assertEqual(ids(self.db, "kiwi"), [b])
        self.db.execute("BEGIN")
        self.db.execute("DELETE FROM chat_messages WHERE id = ?", (b,))
        self.assertEqual(ids(self.db, "kiwi"), [])
        self.db.execute("ROLLBACK")
        self.assertEqual(ids(self.db, "kiwi"), [b])
        # the mark moved by another connection: the copy is smaller, the
        # message found once, from the index
        self.assertEqual(one(reader, "SELECT chatflow_index()"), 1)
        self.assertEqual(ids(self.db, "kiwi"), [b])
        d = self.add("kiwi four")
        self.assertEqual(ids(reader, "kiwi"), [b, d])
        self.check_indexes()

    def test_an_id_given_again_after_a_rollback(self):
        # a rolled-back insert gives its id again (sqlite_sequence is rolled
        # back too): the copy of the waiting messages follows the text
        self.db.execute("SAVEPOINT a")
        self.assertEqual(self.add("alpha"), 1)
        self.assertEqual(ids(self.db, "alpha"), [1])
        self.db.execute("ROLLBACK TO a")
        self.db.execute("RELEASE a")
        self.assertEqual(self.add("beta"), 1)
        self.assertEqual((ids(self.db, "beta"), ids(self.db, "alpha")), ([1], []))
        self.db.execute("BEGIN")
        self.assertEqual(self.add("gamma"), 2)
        self.assertEqual(ids(self.db, "gamma"), [2])
        self.db.execute("ROLLBACK")
        self.assertEqual(self.add("delta"), 2)
        self.assertEqual((ids(self.db, "delta"), ids(self.db, "gamma"), ids(self.db, "beta")), ([2], [], [1]))
        # a rolled-back chatflow_index(): the mark back, the messages waiting
        self.db.execute("BEGIN")
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 2)
        self.db.execute("ROLLBACK")
        self.assertEqual(one(self.db, WAITING), 2)
        self.assertEqual((ids(self.db, "delta"), ids(self.db, "beta")), ([2], [1]))
        for i in range(BATCH - 2):
            self.add("more %d" % i)
        self.assertEqual(one(self.db, WAITING), 0)  # the hundredth waiting message indexed them
        self.check_indexes()

    def test_deleted_messages_leave_the_indexes(self):
        kept = self.add("fig kept 🍞")
        gone = self.add("fig gone 🍞")
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 2)
        waiting = self.add("fig waiting 🍞")
        self.db.execute("DELETE FROM chat_messages WHERE id IN (?, ?)", (gone, waiting))
        self.assertEqual(ids(self.db, "fig"), [kept])
        self.assertEqual(ids(self.db, "🍞"), [kept])
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_fts_docsize"), 1)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_trigram_docsize"), 1)
        # purge and retention alike
        self.add("fig again")
        self.assertEqual(one(self.db, "SELECT purge_conversation(?)", (self.conv,)), 1)
        self.assertEqual(ids(self.db, "fig"), [])
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_fts_docsize"), 0)
        self.check_indexes()

    def test_a_bulk_load_by_raw_sql_asks_for_chatflow_index(self):
        # more than 50,000 waiting: search says what to do instead of copying
        # them at every query
        self.db.execute("BEGIN")
        self.db.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50001)"
                        " INSERT INTO chat_messages (conversation_id, role, content)"
                        " SELECT ?, 'user', 'bulk ' || i FROM n", (self.conv,))
        self.db.execute("COMMIT")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            ids(self.db, "bulk")
        self.assertEqual(str(cm.exception), "chatflow: more than 50000 messages wait for the search index,"
                         " which search_messages reads without it: run SELECT chatflow_index()")
        self.assertEqual(one(self.db, "SELECT chatflow_index(1)"), 1)
        self.assertEqual(one(self.db, "SELECT count(*) FROM search_messages('bulk', NULL,"
                                      " '{\"titles\": false, \"limit\": 500}')"), 500)
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 50000)
        self.assertEqual(ids(self.db, '"bulk 50001"'), [50001])

    def test_mark_rules_for_raw_sql(self):
        for i in range(3):
            self.add("m %d" % i)
        refused = "chatflow: indexed_upto only moves forward, to at most the last message id"
        for sql in ("UPDATE chatflow_search_state SET indexed_upto = 4",
                    "UPDATE chatflow_search_state SET id = 2"):
            with self.assertRaises(sqlite3.IntegrityError) as cm:
                self.db.execute(sql)
            self.assertEqual(str(cm.exception), refused)
        self.db.execute("UPDATE chatflow_search_state SET indexed_upto = 2")
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            self.db.execute("UPDATE chatflow_search_state SET indexed_upto = 1")
        self.assertEqual(str(cm.exception), refused)
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            self.db.execute("DELETE FROM chatflow_search_state")
        self.assertEqual(str(cm.exception), "chatflow: chatflow_search_state keeps its row")
        for sql in ("INSERT INTO chatflow_search_state (id, indexed_upto) VALUES (2, 0)",
                    "REPLACE INTO chatflow_search_state (id, indexed_upto) VALUES (1, 0)",
                    "INSERT OR REPLACE INTO chatflow_search_state (id, indexed_upto) VALUES (1, 1000)"):
            with self.assertRaises(sqlite3.IntegrityError) as cm:
                self.db.execute(sql)
            self.assertEqual(str(cm.exception),
                             "chatflow: chatflow_search_state keeps its row; move indexed_upto with UPDATE")
        self.assertEqual(one(self.db, MARK), 2)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_fts_docsize"), 2)
        self.check_indexes()

    def test_rank_of_a_waiting_match_for_queries_of_several_phrases(self):
        # each phrase counted in the main index by its own number, also when
        # no indexed message matches the whole query
        for text in ("alpha one", "beta two", "gamma three", "delta four", "alpha gamma five"):
            self.add(text)
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 5)
        self.add("alpha beta")
        self.add("beta five beta")
        q = "SELECT message_id, rank FROM search_messages(?, NULL, '{\"titles\": false}')"
        for query in ("alpha OR beta", "alpha beta", "NEAR(alpha beta)", "beta OR gamma OR alpha",
                      "al* be*", "(alpha OR zzz) AND beta", "beta beta", '"alpha beta"'):
            waiting = dict(self.db.execute(q, (query,)).fetchall())
            self.db.execute("SAVEPOINT s")
            self.db.execute("SELECT chatflow_index()")
            indexed = dict(self.db.execute(q, (query,)).fetchall())
            self.db.execute("ROLLBACK TO s")
            self.db.execute("RELEASE s")
            self.assertEqual(sorted(waiting), sorted(indexed), query)
            for m in (6, 7):
                if m in indexed:
                    self.assertAlmostEqual(waiting[m], indexed[m], places=12, msg="%s, message %d" % (query, m))

    def test_same_rank_and_snippet_waiting_or_indexed(self):
        for text in ("The starter needs flour and water", "Water the plants", "Flour, water, salt"):
            self.add(text)
        q = "SELECT message_id, snippet, rank FROM search_messages(?, NULL, '{\"titles\": false}')"
        waiting = {r[0]: r[1:] for r in self.db.execute(q, ("water",))}
        self.db.execute("SELECT chatflow_index()")
        indexed = {r[0]: r[1:] for r in self.db.execute(q, ("water",))}
        self.assertEqual(sorted(waiting), [1, 2, 3])
        self.assertEqual({k: v[0] for k, v in waiting.items()}, {k: v[0] for k, v in indexed.items()})
        # the same three documents: the same bm25, up to JSON's 15 digits
        for k in waiting:
            self.assertAlmostEqual(waiting[k][1], indexed[k][1], places=12)


    def test_a_waiting_match_ranks_as_it_will_once_indexed(self):
        # 300 indexed messages, 30 of them with "bread": a new message that is
        # only "bread" is the best match, waiting or indexed, with the same
        # rank (bm25 over both indexes' statistics, not over the waiting few)
        for i in range(300):
            self.add(("bread recipe %d" % i) if i % 10 == 0 else ("filler text %d" % i))
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 0)  # the batches indexed them
        new = self.add("bread")
        self.assertEqual(one(self.db, WAITING), 1)
        q = "SELECT message_id, rank FROM search_messages('bread', NULL, '{\"titles\": false, \"limit\": 3}')"
        waiting = self.db.execute(q).fetchall()
        self.assertEqual(one(self.db, "SELECT chatflow_index()"), 1)
        indexed = self.db.execute(q).fetchall()
        self.assertEqual(waiting[0][0], new)
        self.assertEqual(indexed[0][0], new)
        self.assertAlmostEqual(waiting[0][1], indexed[0][1], places=12)
        self.assertLess(waiting[0][1], waiting[1][1])
        # a phrase and an OR: each phrase counted in both indexes
        self.add("fresh bread daily")
        for query in ('"fresh bread"', "bread OR filler", "fresh AND daily"):
            q = "SELECT message_id, rank FROM search_messages(?, NULL, '{\"titles\": false}') ORDER BY 1"
            waiting = dict(self.db.execute(q, (query,)).fetchall())
            self.db.execute("SAVEPOINT s")
            self.db.execute("SELECT chatflow_index()")
            indexed = dict(self.db.execute(q, (query,)).fetchall())
            self.db.execute("ROLLBACK TO s")
            self.db.execute("RELEASE s")
            self.assertAlmostEqual(waiting[new + 1], indexed[new + 1], places=12, msg=query)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("python: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
