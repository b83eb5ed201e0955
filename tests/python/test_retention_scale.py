#!/usr/bin/python3
"""Retention at scale (issue 4), Debian's /usr/bin/python3.

Builds a database of 1,200 conversations and 120,000 messages quickly
(raw INSERTs in one transaction, old created_at values; the schema's
triggers fill seq, tokens, counters, previews and the search index), then
runs the batched retention functions from Python the way a cron job does —
delete_old_messages, archive_old_conversations, purge_deleted, each looped
until it returns 0 — timing every call.  It prints the longest single call
of each (the write lock is held for one call at a time) and checks:
  - no call did more than its batch;
  - the totals are exactly the rows that qualified beforehand;
  - every conversation's counters (message_count, total_tokens,
    last_message_at) equal a recount, and last_seq
    is unchanged (it never decreases);
  - the search index holds exactly the remaining messages (docsize rows,
    MATCH counts against LIKE counts, FTS5 'integrity-check');
  - chatflow_stats equals a recount.
Then langgraph_prune_checkpoints on two graphs' stores, 2,000 and 16,000
checkpoints (threads of 40, a channel value each): the VM steps a call
costs (counted by a progress handler, not timed) do not grow with the
store, a loop until 0 leaves the newest of each thread with the values
they name, and deletes the values no checkpoint names.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_retention_scale.py
The output ends with "python: N passed, M failed".  About 10-20 s.
"""
import json
import os
import shutil
import statistics
import sqlite3
import sys
import tempfile
import time
import unittest

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
NOW = "2026-06-01T00:00:00.000Z"
N_CONV = 1200           # conversations: owners acme and other, alternating
N_PER_CONV = 100        # messages each: 120,000 in all
# a generous bound on one call (about 20 ms for a batch of 200 here): an
# unbatched call over the 60,000+ old rows takes seconds
MAX_CALL_MS = float(os.environ.get("CHATFLOW_MAX_CALL_MS", "1000"))
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"]


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


COUNTER_PROBLEMS = """
SELECT c.id FROM chat_conversations AS c
 WHERE c.message_count IS NOT (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)
    OR c.total_tokens IS NOT (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id)
    OR c.last_seq IS NOT (SELECT last_seq FROM temp.seq_before WHERE id = c.id)
    OR c.last_seq < coalesce((SELECT max(seq) FROM chat_messages WHERE conversation_id = c.id), 0)
    OR c.last_message_at IS NOT (SELECT created_at FROM chat_messages WHERE conversation_id = c.id
                                  ORDER BY seq DESC LIMIT 1)
"""

STATS_RECOUNT = """
WITH c AS (SELECT * FROM chat_conversations WHERE ?1 IS NULL OR owner = ?1),
     m AS (SELECT m.* FROM chat_messages AS m JOIN c ON c.id = m.conversation_id)
SELECT json_object(
  'total_conversations', (SELECT count(*) FROM c),
  'active_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NULL AND archived_at IS NULL),
  'archived_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NULL AND archived_at IS NOT NULL),
  'deleted_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NOT NULL),
  'total_messages', (SELECT count(*) FROM m),
  'total_tokens', (SELECT coalesce(sum(tokens), 0) FROM m),
  'old_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NULL
      AND coalesce((SELECT max(created_at) FROM m WHERE m.conversation_id = c.id), c.created_at)
          < strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '-90 days')),
  'messages_last_30_days', (SELECT count(*) FROM m
      WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '-30 days')))
"""


class RetentionScale(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="chatflow-retention-")
        cls.path = os.path.join(cls.tmp, "scale.db")
        db = connect(cls.path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("SELECT chatflow_clock(?)", (NOW,))
        db.execute("SELECT chatflow_init()")
        t0 = time.monotonic()
        db.execute("BEGIN")
        # Conversation i (1-based):
        #   i % 10 == 0: soft-deleted 2026-01-01 (purged at 30 days)
        #   i % 10 == 1: soft-deleted 2026-05-25 (kept at 30 days)
        #   i % 10 in (2, 3): all messages old (2024) -> emptied, then archived
        #   otherwise: messages from 2024 to 2026-05: the old ones go
        db.execute("""
            INSERT INTO chat_conversations (id, uid, owner, title, created_at, updated_at)
            WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < ?1)
            SELECT value, 'scale-' || value, iif(value % 2, 'acme', 'other'),
                   'Conversation ' || value || ' about ' || json_extract(?2, '$[' || (value % 7) || ']'),
                   '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z'
              FROM s""", (N_CONV, json.dumps(WORDS)))
        # message j (0-based) of conversation i: created j days + i seconds
        # after 2024-01-01 for i % 10 in (2, 3), else after 2026-02-20: 100
        # messages over 100 days, the first 41 before the 60-day cutoff
        db.execute("""
            INSERT INTO chat_messages (conversation_id, role, content, created_at)
            WITH RECURSIVE c(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM c WHERE value < ?1),
                           m(value) AS (SELECT 0 UNION ALL SELECT value + 1 FROM m WHERE value < ?2 - 1)
            SELECT c.value, iif(m.value % 2, 'assistant', 'user'),
                   'message ' || m.value || ' of ' || c.value || ' says '
                   || json_extract(?3, '$[' || ((c.value + m.value) % 7) || ']')
                   || iif(m.value % 13 = 0, ' ' || printf('%.200c', 'x'), ''),
                   strftime('%Y-%m-%dT%H:%M:%fZ',
                            iif(c.value % 10 IN (2, 3), '2024-01-01', '2026-02-20'),
                            '+' || m.value || ' days', '+' || c.value || ' seconds')
              FROM c, m ORDER BY c.value, m.value""",
                   (N_CONV, N_PER_CONV, json.dumps(WORDS)))
        db.execute("COMMIT")
        # raw INSERTs wait above the search mark; retention is measured on
        # indexed messages (deleting one takes it out of the index too)
        assert one(db, "SELECT chatflow_index()") == N_CONV * N_PER_CONV
        db.execute("SELECT chatflow_clock('2026-01-01T00:00:00.000Z')")
        for i in range(10, N_CONV + 1, 10):
            db.execute("SELECT delete_conversation(?)", (i,))
        db.execute("SELECT chatflow_clock('2026-05-25T00:00:00.000Z')")
        for i in range(1, N_CONV + 1, 10):
            db.execute("SELECT delete_conversation(?)", (i,))
        db.execute("SELECT chatflow_clock(?)", (NOW,))
        cls.build_seconds = time.monotonic() - t0
        db.execute("CREATE TEMP TABLE seq_before AS SELECT id, last_seq FROM chat_conversations")
        cls.db = db

    @classmethod
    def tearDownClass(cls):
        cls.db.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def loop(self, sql, batch):
        """Calls sql until it returns 0; returns (total, calls, longest ms, median ms)."""
        total = calls = 0
        times = []
        while True:
            t = time.perf_counter()
            n = one(self.db, sql)
            ms = (time.perf_counter() - t) * 1000.0
            times.append(ms)
            calls += 1
            self.assertGreaterEqual(n, 0)
            self.assertLessEqual(n, batch, "a call did more than its batch")
            if n == 0:
                return total, calls, max(times), statistics.median(times)
            total += n
            self.assertLess(calls, 100000, "no end")

    def check_exact(self, label):
        db = self.db
        bad = db.execute(COUNTER_PROBLEMS).fetchall()
        self.assertEqual(bad, [], "%s: counters differ from a recount" % label)
        nmsg = one(db, "SELECT count(*) FROM chat_messages")
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages WHERE id >"
                                 " (SELECT indexed_upto FROM chatflow_search_state)"), 0,
                         "%s: messages not indexed" % label)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages_fts_docsize"), nmsg,
                         "%s: index rows != messages" % label)
        self.assertEqual(one(db, """SELECT count(*) FROM chat_messages_fts_docsize AS d
                                     LEFT JOIN chat_messages AS m ON m.id = d.id WHERE m.id IS NULL"""), 0)
        for w in WORDS:
            self.assertEqual(
                one(db, "SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH ?", (w,)),
                one(db, "SELECT count(*) FROM chat_messages WHERE content LIKE ?", ("% says " + w + "%",)),
                "%s: MATCH %s" % (label, w))
        self.assertEqual(one(db, "SELECT count(*) FROM chat_titles_fts_docsize"),
                         one(db, "SELECT count(*) FROM chat_conversations WHERE title IS NOT NULL"))
        db.execute("INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check')")
        db.execute("INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check')")
        for owner in (None, "acme", "other"):
            got = json.loads(one(db, "SELECT chatflow_stats(?)" if owner else "SELECT chatflow_stats()",
                                 (owner,) if owner else ()))
            want = json.loads(one(db, STATS_RECOUNT, (owner, NOW)))
            self.assertEqual(got, want, "%s: chatflow_stats(%s)" % (label, owner))

    def test_retention(self):
        db = self.db
        nmsg = one(db, "SELECT count(*) FROM chat_messages")
        self.assertGreaterEqual(nmsg, 100000)
        print("built %d conversations, %d messages in %.1f s" % (
            one(db, "SELECT count(*) FROM chat_conversations"), nmsg, self.build_seconds))
        self.check_exact("built")

        # delete_old_messages(60): everything created before 2026-04-02
        cutoff = one(db, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-60 days')", (NOW,))
        want = one(db, "SELECT count(*) FROM chat_messages WHERE created_at < ?", (cutoff,))
        self.assertGreater(want, 50000)
        # the default batch (200)
        total, calls, longest, median = self.loop("SELECT delete_old_messages(60)", 200)
        print("delete_old_messages(60): %d messages in %d calls, longest call %.1f ms (median %.1f)"
              % (total, calls, longest, median))
        # bounded: deleting all of them in one call would take seconds
        self.assertLess(longest, MAX_CALL_MS)
        self.assertEqual(total, want)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages WHERE created_at < ?", (cutoff,)), 0)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages"), nmsg - want)
        self.check_exact("after delete_old_messages")

        # archive_old_conversations(90): the emptied ones (i % 10 in 2, 3),
        # old by their creation date
        want = one(db, """SELECT count(*) FROM chat_conversations WHERE deleted_at IS NULL
                           AND archived_at IS NULL AND coalesce(last_message_at, created_at)
                               < strftime('%Y-%m-%dT%H:%M:%fZ', ?, '-90 days')""", (NOW,))
        self.assertEqual(want, N_CONV // 10 * 2)
        total, calls, longest, median = self.loop("SELECT archive_old_conversations(90, 50)", 50)
        print("archive_old_conversations(90, 50): %d conversations in %d calls, longest call %.1f ms (median %.1f)"
              % (total, calls, longest, median))
        self.assertEqual(total, want)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_conversations WHERE archived_at = ?", (NOW,)), want)
        self.check_exact("after archive_old_conversations")

        # purge_deleted(30): the conversations deleted 2026-01-01 with their
        # remaining messages; those deleted 2026-05-25 stay
        want_conv = N_CONV // 10
        want_msg = one(db, """SELECT count(*) FROM chat_messages WHERE conversation_id IN
                               (SELECT id FROM chat_conversations WHERE deleted_at = '2026-01-01T00:00:00.000Z')""")
        self.assertGreater(want_msg, 1000)
        before = one(db, "SELECT count(*) FROM chat_messages")
        total, calls, longest, median = self.loop("SELECT purge_deleted(30, 1000)", 1000)
        print("purge_deleted(30, 1000): %d rows in %d calls, longest call %.1f ms (median %.1f)"
              % (total, calls, longest, median))
        self.assertLess(longest, MAX_CALL_MS)
        self.assertEqual(total, want_conv + want_msg)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_conversations"), N_CONV - want_conv)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_conversations WHERE deleted_at IS NOT NULL"),
                         N_CONV // 10)
        self.assertEqual(one(db, "SELECT count(*) FROM chat_messages"), before - want_msg)
        self.check_exact("after purge_deleted")

        # search agrees: a word's hits through search_messages (all owners,
        # deleted included, messages only) equal the rows holding it
        for w in WORDS[:2]:
            self.assertEqual(
                one(db, """SELECT count(*) FROM search_messages(?, NULL,
                             '{"deleted": true, "titles": false, "limit": 500}')""", (w,)),
                min(500, one(db, "SELECT count(*) FROM chat_messages WHERE content LIKE ?",
                             ("% says " + w + "%",))))
        # a second pass finds nothing to do
        self.assertEqual(one(db, "SELECT delete_old_messages(60, 1000)"), 0)
        self.assertEqual(one(db, "SELECT archive_old_conversations(90, 50)"), 0)
        self.assertEqual(one(db, "SELECT purge_deleted(30, 1000)"), 0)


class LangGraphPruneScale(unittest.TestCase):
    PER_THREAD = 40

    def build(self, threads):
        path = os.path.join(self.tmp, "lg-%d.db" % threads)
        db = connect(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("SELECT chatflow_clock(?)", (NOW,))
        db.execute("SELECT chatflow_init()")
        db.execute("BEGIN")
        db.execute("""
            INSERT INTO chat_conversations (id, uid, owner, created_at, updated_at)
            WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < ?1)
            SELECT value, 'thread-' || value, 'langgraph', ?2, ?2 FROM s""", (threads, NOW))
        # checkpoint k of a thread names version k of channel "messages" and
        # version 1 of "topic"; a put_blob whose put never came in every
        # tenth thread (version 0 of "draft")
        db.execute("""
            INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint, channel_versions)
            WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s WHERE value < ?1),
                           k(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM k WHERE value < ?2)
            SELECT s.value, printf('c-%04d', k.value), x'00',
                   json_object('messages', CAST(k.value AS TEXT), 'topic', '1')
              FROM s, k ORDER BY s.value, k.value""", (threads, self.PER_THREAD))
        db.execute("""
            INSERT INTO langgraph_blobs (conversation_id, channel, version, value)
            SELECT conversation_id, v.key, CAST(v.value AS TEXT), x'01'
              FROM langgraph_checkpoints, json_each(channel_versions) AS v WHERE true
            ON CONFLICT DO NOTHING""")
        db.execute("""
            INSERT INTO langgraph_blobs (conversation_id, channel, version, value)
            SELECT id, 'draft', '0', x'02' FROM chat_conversations WHERE id % 10 = 0""")
        db.execute("COMMIT")
        return db

    @staticmethod
    def steps(db, sql):
        """(result, VM steps in hundreds) of one call."""
        n = [0]

        def tick():
            n[0] += 1
            return 0
        db.set_progress_handler(tick, 100)
        try:
            return one(db, sql), n[0]
        finally:
            db.set_progress_handler(None, 100)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="chatflow-prune-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_prune_cost_per_call(self):
        cost = {}
        for threads in (50, 400):
            db = self.build(threads)
            self.assertEqual(one(db, "SELECT count(*) FROM langgraph_checkpoints"), threads * self.PER_THREAD)
            calls = []
            left = one(db, "SELECT count(*) FROM langgraph_checkpoints")
            while True:
                n, k = self.steps(db, "SELECT langgraph_prune_checkpoints(1)")
                before, left = left, one(db, "SELECT count(*) FROM langgraph_checkpoints")
                calls.append((n, k, left < before))
                self.assertLessEqual(n, 400, "more than the batch of each")
                if n == 0:
                    break
                self.assertLess(len(calls), 10000, "no end")
            # the calls that deleted checkpoints (after them, a pass over
            # every group finds the values no checkpoint names)
            busy = sorted(k for n, k, pruned in calls if pruned)
            cost[threads] = (busy[0], busy[len(busy) // 2], busy[-1])
            self.assertEqual(sum(n for n, k, pruned in calls), threads * (self.PER_THREAD - 1) * 2 + threads // 10)
            # the newest checkpoint of each thread, and what it names
            self.assertEqual(db.execute("""
                SELECT count(*), min(checkpoint_id), max(checkpoint_id) FROM langgraph_checkpoints""").fetchone(),
                (threads, "c-%04d" % self.PER_THREAD, "c-%04d" % self.PER_THREAD))
            self.assertEqual(db.execute("""
                SELECT channel, version, count(*) FROM langgraph_blobs GROUP BY 1, 2 ORDER BY 1, 2""").fetchall(),
                [("messages", str(self.PER_THREAD), threads), ("topic", "1", threads)])
            self.assertEqual(one(db, "SELECT langgraph_prune_checkpoints(1)"), 0)
            db.close()
        print("VM steps (hundreds) of a call that deletes checkpoints, min / median / max: %d threads %s, %d threads %s"
              % (50, cost[50], 400, cost[400]))
        # 8 times the store: a call costs its batch, not the store
        self.assertLessEqual(cost[400][1], cost[50][1] * 1.5)
        self.assertLessEqual(cost[400][2], cost[50][2] * 1.5)


def main():
    suite = unittest.TestSuite()
    for case in (RetentionScale, LangGraphPruneScale):
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(case))
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = res.failures + res.errors
    print("python: %d passed, %d failed" % (max(0, res.testsRun - len(bad)), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
