#!/usr/bin/python3
"""Tests of scripts/chatflow-cleanup, the retention cron job (issue 4).

Each test builds a temporary database with the extension (Debian's
/usr/bin/python3 can load it), then runs the script in its own process —
with the real clock, so "old" data is written with this connection's clock
pinned to 2020 (chatflow_clock) and "recent" data with the clock unpinned.
Covers each step alone and together (--expire: runs and drafts ended, its
line, first of the steps, a held lock), batching, the dry run (changes nothing,
right counts, projected statistics equal to the real run's), the final
statistics table, --quiet, the terminal progress line, exit codes (bad
arguments, missing database, bad extension, uninitialised or old schema, a
locked database released in time or held too long), WAL mode; several
databases in one run (per-tenant shards): each cleaned under its "== DB"
line, the summed statistics, a failing database that does not stop the
others, the exit status of the first failure, the dry run and --quiet.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/cleanup/test_cleanup.py
The output ends with "cleanup: N passed, M failed".
"""
import os
import pty
import re
import select
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(REPO, "scripts", "chatflow-cleanup")
EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
OLD = "2020-01-01T00:00:00.000Z"
ALL_STEPS = ["--archive-days", "30", "--purge-deleted-days", "10", "--delete-messages-days", "60"]

TABLES = {  # every chatflow table with its order, for before/after snapshots
    "chat_conversations": "id", "chat_messages": "id", "workflow_runs": "id",
    "workflow_run_events": "id", "workflow_proposals": "id",
    "workflow_interrupts": "workflow_id", "chatflow_settings": "key",
}


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


def populate(db):
    """Eight conversations; ids in creation order:
    1 A  old, 3 old messages                  -> archived; messages deleted
    2 B  recent, 2 recent messages            -> untouched
    3 C  old, 2 old messages + 1 recent       -> not archived; 2 messages deleted
    4 D  old, 2 old messages, deleted in 2020 -> purged (2 messages + 1 conversation, its run)
    5 E  recent, 1 message, deleted now       -> untouched
    6 F  old, archived in 2020, no messages   -> untouched (already archived)
    7 G  old, 2 old messages, deleted now     -> not purged; 2 messages deleted
    8 H  old, no messages                     -> archived
    Every message has 10 tokens."""
    q = db.execute
    pin = lambda: q("SELECT chatflow_clock(?)", (OLD,))
    unpin = lambda: q("SELECT chatflow_clock(NULL)")
    msg = lambda c, text: q("SELECT add_message(?, 'user', ?, '{\"tokens\": 10}')", (c, text))
    q("SELECT chatflow_init()")
    pin()
    q("SELECT create_conversation('acme', 'A')")
    for t in ("a1", "a2", "a3"):
        msg(1, t)
    unpin()
    q("SELECT create_conversation('acme', 'B')")
    msg(2, "b1")
    msg(2, "b2")
    pin()
    q("SELECT create_conversation('acme', 'C')")
    msg(3, "c1")
    msg(3, "c2")
    unpin()
    msg(3, "c3 recent")
    pin()
    q("SELECT create_conversation('zeta', 'D')")
    msg(4, "d1")
    q("SELECT start_run(4, 'topical_map')")
    msg(4, "d2")
    q("SELECT delete_conversation(4)")
    unpin()
    q("SELECT create_conversation('zeta', 'E')")
    msg(5, "e1")
    q("SELECT delete_conversation(5)")
    pin()
    q("SELECT create_conversation('zeta', 'F')")
    q("UPDATE chat_conversations SET archived_at = ? WHERE id = 6", (OLD,))
    q("SELECT create_conversation('zeta', 'G')")
    msg(7, "g1")
    msg(7, "g2")
    q("SELECT create_conversation('zeta', 'H')")
    unpin()
    q("SELECT delete_conversation(7)")


STATS_BEFORE = {"total_conversations": 8, "active_conversations": 4, "archived_conversations": 1,
                "deleted_conversations": 3, "total_messages": 13, "total_tokens": 130,
                "old_conversations": 3, "messages_last_30_days": 4}
STATS_AFTER_ALL = {"total_conversations": 7, "active_conversations": 2, "archived_conversations": 3,
                   "deleted_conversations": 2, "total_messages": 4, "total_tokens": 40,
                   "old_conversations": 3, "messages_last_30_days": 4}

TABLE_ALL = """\
statistic               before  after  change
total_conversations          8      7      -1
active_conversations         4      2      -2
archived_conversations       1      3      +2
deleted_conversations        3      2      -1
total_messages              13      4      -9
total_tokens               130     40     -90
old_conversations            3      3
messages_last_30_days        4      4
"""

STEP_RE = {
    "archive": r"^archive_old_conversations\(30, 200\): archived 2 conversations in 1 batch, [0-9.]+ s$",
    "purge": r"^purge_deleted\(10, 200\): purged 3 rows in 1 batch, [0-9.]+ s$",
    "delete": r"^delete_old_messages\(60, 200\): deleted 7 messages in 1 batch, [0-9.]+ s$",
}


def parse_table(out):
    """{statistic: (before, after)} from the table at the end of the output."""
    lines = out.splitlines()
    start = [i for i, l in enumerate(lines) if l.startswith("statistic ")]
    assert len(start) == 1, out
    res = {}
    for l in lines[start[0] + 1:]:
        f = l.split()
        res[f[0]] = (int(f[1].replace(",", "")), int(f[2].replace(",", "")))
    return res


class Base(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-cleanup-")
        self.path = os.path.join(self.dir, "chat.db")
        self.db = connect(self.path)
        populate(self.db)

    def tearDown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_script(self, *args, env=None, timeout=60):
        e = dict(os.environ, CHATFLOW_EXT=EXT)
        if env is not None:
            e = env
        p = subprocess.run([SCRIPT] + list(args), capture_output=True, text=True, env=e,
                           timeout=timeout, cwd=self.dir)
        return p.returncode, p.stdout, p.stderr

    def assert_projection_equals_real_run(self, arg_sets):
        """For each set of arguments, on a fresh database: the dry run's
        projected statistics and counts are what the real run then does."""
        for args in arg_sets:
            self.db.close()
            shutil.rmtree(self.dir)
            self.setUp()
            rc, dry, err = self.run_script(self.path, *args, "--dry-run")
            self.assertEqual((rc, err), (0, ""), args)
            rc, real, err = self.run_script(self.path, *args)
            self.assertEqual((rc, err), (0, ""), args)
            self.assertEqual(parse_table(dry), parse_table(real), args)
            would = [int(re.search(r"would \w+ (\d+)", l).group(1)) for l in dry.splitlines() if "would" in l]
            did = [int(re.search(r"(?:ended|archived|purged|deleted) (\d+)", l).group(1))
                   for l in real.splitlines() if " in " in l and "):" in l]
            self.assertEqual(would, did, args)

    def stats(self):
        import json
        return json.loads(one(self.db, "SELECT chatflow_stats()"))

    def snapshot(self):
        return {t: self.db.execute("SELECT * FROM %s ORDER BY %s" % (t, o)).fetchall()
                for t, o in TABLES.items()}

    def ids(self, sql):
        return [r[0] for r in self.db.execute(sql)]

    def assertStep(self, out, *names):
        steps = [l for l in out.splitlines() if "(" in l and "):" in l]
        self.assertEqual(len(steps), len(names), out)
        for line, name in zip(steps, names):
            self.assertRegex(line, STEP_RE[name])


class TestSteps(Base):
    def test_data_as_described(self):
        self.assertEqual(self.stats(), STATS_BEFORE)

    def test_archive_only(self):
        snap = self.snapshot()
        rc, out, err = self.run_script(self.path, "--archive-days", "30")
        self.assertEqual((rc, err), (0, ""))
        self.assertStep(out, "archive")
        self.assertEqual(self.ids("SELECT id FROM chat_conversations WHERE archived_at IS NOT NULL"
                                  " ORDER BY id"), [1, 6, 8])
        self.assertEqual(one(self.db, "SELECT archived_at FROM chat_conversations WHERE id = 6"), OLD)
        self.assertEqual(self.snapshot()["chat_messages"], snap["chat_messages"])
        # a second run finds nothing to do
        rc, out, err = self.run_script(self.path, "--archive-days", "30")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[0],
                         r"^archive_old_conversations\(30, 200\): archived 0 conversations in 0 batches")

    def test_purge_only(self):
        rc, out, err = self.run_script(self.path, "--purge-deleted-days", "10")
        self.assertEqual((rc, err), (0, ""))
        self.assertStep(out, "purge")
        self.assertEqual(self.ids("SELECT id FROM chat_conversations ORDER BY id"), [1, 2, 3, 5, 6, 7, 8])
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages WHERE conversation_id = 4"), 0)
        self.assertEqual(one(self.db, "SELECT count(*) FROM workflow_runs"), 0)
        self.assertEqual(one(self.db, "SELECT count(*) FROM workflow_run_events"), 0)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages"), 11)

    def test_delete_messages_only(self):
        rc, out, err = self.run_script(self.path, "--delete-messages-days", "60")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[0],
                         r"^delete_old_messages\(60, 200\): deleted 9 messages in 1 batch, [0-9.]+ s$")
        self.assertEqual(self.db.execute("SELECT conversation_id, content FROM chat_messages ORDER BY id")
                         .fetchall(), [(2, "b1"), (2, "b2"), (3, "c3 recent"), (5, "e1")])
        # counters and last activity follow
        self.assertEqual(self.db.execute("SELECT id, message_count, total_tokens, last_message_at IS NULL"
                                         " FROM chat_conversations ORDER BY id").fetchall(),
                         [(1, 0, 0, 1), (2, 2, 20, 0), (3, 1, 10, 0), (4, 0, 0, 1), (5, 1, 10, 0),
                          (6, 0, 0, 1), (7, 0, 0, 1), (8, 0, 0, 1)])

    def test_all_steps_and_table(self):
        rc, out, err = self.run_script(self.path, *ALL_STEPS)
        self.assertEqual((rc, err), (0, ""))
        self.assertStep(out, "archive", "purge", "delete")
        self.assertTrue(out.endswith("\n\n" + TABLE_ALL), out)
        self.assertEqual(self.stats(), STATS_AFTER_ALL)
        self.assertEqual(self.ids("SELECT id FROM chat_conversations ORDER BY id"), [1, 2, 3, 5, 6, 7, 8])
        self.assertEqual(one(self.db, "SELECT group_concat(content, ',') FROM chat_messages"),
                         "b1,b2,c3 recent,e1")

    def test_counters_match_recount(self):
        rc, out, err = self.run_script(self.path, *ALL_STEPS, "--batch", "1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.db.execute(
            "SELECT c.id FROM chat_conversations AS c WHERE message_count <>"
            " (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id) OR total_tokens <>"
            " (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id)")
            .fetchall(), [])
        # search index: no old message is found any more
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'a1'"), 0)

    def test_batches(self):
        rc, out, err = self.run_script(self.path, *ALL_STEPS, "--batch", "2")
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        self.assertRegex(lines[0], r"^archive_old_conversations\(30, 2\): archived 2 conversations in 1 batch, ")
        # 2 messages, then 1 message + 1 conversation... of D: 3 rows in 2 calls
        self.assertRegex(lines[1], r"^purge_deleted\(10, 2\): purged 3 rows in 2 batches, ")
        self.assertRegex(lines[2], r"^delete_old_messages\(60, 2\): deleted 7 messages in 4 batches, ")
        self.assertEqual(self.stats(), STATS_AFTER_ALL)

    def test_keep_checkpoints(self):
        # LangGraph threads: 5 checkpoints of one, 2 of another; keep 3
        for thread, n in (("thread-a", 5), ("thread-b", 2)):
            for i in range(n):
                self.db.execute("SELECT langgraph_put(?, ?, x'7b7d', '{}')", (thread, "c-%d" % i))
        self.db.execute("SELECT langgraph_put_write('thread-a', 'c-0', 'task', 0, 'x', x'00')")
        rc, out, err = self.run_script(self.path, "--keep-checkpoints", "3", "--dry-run")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[1], r"^langgraph_prune_checkpoints\(3, 200\): would prune 2 checkpoints \(and the channel values only they name\)$")
        rc, out, err = self.run_script(self.path, "--keep-checkpoints", "3", "--batch", "1")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[0],
                         r"^langgraph_prune_checkpoints\(3, 1\): pruned 2 rows in 2 batches, ")
        self.assertEqual(self.db.execute("SELECT c.uid, group_concat(k.checkpoint_id) FROM langgraph_checkpoints AS k"
                                         " JOIN chat_conversations AS c ON c.id = k.conversation_id"
                                         " GROUP BY c.uid ORDER BY c.uid").fetchall(),
                         [("thread-a", "c-2,c-3,c-4"), ("thread-b", "c-0,c-1")])
        self.assertEqual(one(self.db, "SELECT count(*) FROM langgraph_writes"), 0)

    def test_index(self):
        # the messages of the data wait for the search index (fewer than a
        # batch); --index indexes them, search finds the same before and after
        waiting = "SELECT count(*) FROM chat_messages WHERE id > (SELECT indexed_upto FROM chatflow_search_state)"
        found = "SELECT count(*) FROM search_messages('b1', NULL, '{\"titles\": false}')"
        n = one(self.db, waiting)
        self.assertEqual((n, one(self.db, found)), (one(self.db, "SELECT count(*) FROM chat_messages"), 1))
        rc, out, err = self.run_script(self.path, "--dry-run", "--index")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.splitlines()[1], "chatflow_index(10000): would index at most %d messages" % n)
        self.assertEqual(one(self.db, waiting), n)
        rc, out, err = self.run_script(self.path, "--delete-messages-days", "60", "--index", "--batch", "1")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[1],
                         r"^chatflow_index\(50\): indexed %d messages in 1 batch, [0-9.]+ s$" % (n - 9))
        self.assertEqual((one(self.db, waiting), one(self.db, found)), (0, 1))
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_messages_fts_docsize"), n - 9)
        self.db.execute("INSERT INTO chat_messages_fts (chat_messages_fts, rank) VALUES ('integrity-check', 1)")

    def test_no_steps_prints_stats(self):
        snap = self.snapshot()
        rc, out, err = self.run_script(self.path)
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.splitlines()[0], "")
        self.assertEqual(parse_table(out), {k: (v, v) for k, v in STATS_BEFORE.items()})
        self.assertEqual(self.snapshot(), snap)

    def test_quiet(self):
        rc, out, err = self.run_script(self.path, *ALL_STEPS, "--quiet")
        self.assertEqual((rc, out, err), (0, "", ""))
        self.assertEqual(self.stats(), STATS_AFTER_ALL)

    def test_no_terminal_codes_when_not_a_tty(self):
        rc, out, err = self.run_script(self.path, *ALL_STEPS, "--batch", "1")
        self.assertEqual(rc, 0, err)
        self.assertNotIn("\r", out)
        self.assertNotIn("\033", out)

    def test_progress_line_on_a_terminal(self):
        master, slave = pty.openpty()
        p = subprocess.Popen([SCRIPT, self.path, "--delete-messages-days", "60", "--batch", "1"],
                             stdout=slave, stderr=subprocess.PIPE, env=dict(os.environ, CHATFLOW_EXT=EXT))
        os.close(slave)
        chunks = []
        while True:
            r, _, _ = select.select([master], [], [], 30)
            if not r:
                break
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        self.assertEqual(p.wait(timeout=30), 0)
        out = b"".join(chunks).decode()
        self.assertRegex(out, r"\r\033\[Kdelete_old_messages\(60, 1\): deleted [0-9] messages?, "
                              r"[0-9] batch(es)?, [0-9,]+/s")
        self.assertRegex(out, r"\r\033\[Kdelete_old_messages\(60, 1\): deleted 9 messages in 9 batches, ")


def add_stale(db):
    """For --expire, four more conversations (9 to 12): 9 a run whose lease
    lapsed in 2020, 10 a run that waits past its expires_at, 11 a draft
    without an append since 2020 ('half an answer': 4 tokens once aborted),
    12 a draft and a run of now, which stay."""
    q = db.execute
    q("SELECT chatflow_clock(?)", (OLD,))
    for _ in range(3):
        q("SELECT create_conversation('acme', 'stale')")
    q("SELECT start_run(9, 'topical_map')")
    q("SELECT start_run(10, 'topical_map', NULL, '{\"ttl_seconds\": 60}')")
    q("SELECT advance_run(3, '{}')")
    q("SELECT begin_message(11, 'assistant')")
    q("SELECT append_message(14, 'half an answer')")
    q("SELECT chatflow_clock(NULL)")
    q("SELECT create_conversation('acme', 'fresh')")
    q("SELECT begin_message(12, 'assistant')")
    q("SELECT start_run(12, 'topical_map')")


EXPIRE_LINE = ("1 run {} (lease lapsed), 1 run {} (waited past expires_at), "
               "1 draft {} (no append for 300 s)")


class TestExpire(Base):
    def setUp(self):
        Base.setUp(self)
        add_stale(self.db)

    def state(self):
        return (self.db.execute("SELECT id, status, error FROM workflow_runs WHERE id > 1 ORDER BY id").fetchall(),
                self.db.execute("SELECT id, status, tokens, metadata FROM chat_messages"
                                " WHERE id > 13 ORDER BY id").fetchall())

    def test_data_as_described(self):
        self.assertEqual(self.state(), (
            [(2, "started", None), (3, "awaiting_clarification", None), (4, "started", None)],
            [(14, "streaming", 0, None), (15, "streaming", 0, None)]))

    def test_expire(self):
        rc, out, err = self.run_script(self.path, "--expire")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[0], r"^expire_stale_runs\(\): ended 3 in [0-9.]+ s: %s$"
                         % re.escape(EXPIRE_LINE.format("failed", "expired", "aborted")))
        reason = '{"abort_reason":"no append for 300 seconds (messages.draft_timeout_seconds)"}'
        self.assertEqual(self.state(), (
            [(2, "failed", "lease expired"), (3, "expired", None), (4, "started", None)],
            [(14, "aborted", 4, reason), (15, "streaming", 0, None)]))
        # a second run finds nothing to end
        rc, out, err = self.run_script(self.path, "--expire")
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[0], r"^expire_stale_runs\(\): ended 0 in [0-9.]+ s$")

    def test_dry_run(self):
        snap = self.snapshot()
        rc, out, err = self.run_script(self.path, "--expire", "--dry-run")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.snapshot(), snap)
        self.assertEqual(out.splitlines()[1], "expire_stale_runs(): would end 3: "
                         + EXPIRE_LINE.format("to fail", "to expire", "to abort"))
        self.assertEqual(parse_table(out)["total_tokens"], (130, 134))

    def test_first_of_the_steps(self):
        rc, out, err = self.run_script(self.path, "--expire", *ALL_STEPS)
        self.assertEqual((rc, err), (0, ""))
        self.assertRegex(out.splitlines()[0], r"^expire_stale_runs\(\): ended 3 in ")
        self.assertRegex(out.splitlines()[1], r"^archive_old_conversations\(30, 200\): ")

    def test_projection_equals_real_run(self):
        self.assert_projection_equals_real_run(
            (["--expire"], ["--expire"] + ALL_STEPS, ["--expire", "--delete-messages-days", "0"],
             ["--expire", "--purge-deleted-days", "0"]))

    def test_locked(self):
        holder = connect(self.path)
        holder.execute("BEGIN IMMEDIATE")
        try:
            rc, out, err = self.run_script(self.path, "--expire", "--lock-timeout", "1")
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertEqual(rc, 3, err)
        self.assertIn("expire_stale_runs(): database is locked; gave up after 1 s", err)
        self.assertEqual(self.state()[0][0], (2, "started", None))


class TestDryRun(Base):
    def test_changes_nothing_and_counts(self):
        snap = self.snapshot()
        st = os.stat(self.path)
        rc, out, err = self.run_script(self.path, *ALL_STEPS, "--dry-run")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(self.snapshot(), snap)
        self.assertEqual(os.stat(self.path).st_mtime_ns, st.st_mtime_ns)
        lines = out.splitlines()
        self.assertEqual(lines[:4], [
            "dry run: %s opened read-only, nothing is changed" % self.path,
            "archive_old_conversations(30, 200): would archive 2 conversations",
            "purge_deleted(10, 200): would purge 3 rows (2 messages, 1 conversation)",
            "delete_old_messages(60, 200): would delete 7 messages"])
        self.assertEqual(lines[5], "statistic               before  after (projected)  change")
        self.assertEqual(parse_table(out), {k: (STATS_BEFORE[k], STATS_AFTER_ALL[k]) for k in STATS_BEFORE})

    def test_delete_alone_counts_messages_of_deleted_conversations(self):
        rc, out, err = self.run_script(self.path, "--delete-messages-days", "60", "--dry-run")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.splitlines()[1], "delete_old_messages(60, 200): would delete 9 messages")

    def test_projection_equals_real_run(self):
        self.assert_projection_equals_real_run(
            (["--archive-days", "30"], ["--purge-deleted-days", "10"],
             ["--delete-messages-days", "60"], ["--delete-messages-days", "0"],
             ["--archive-days", "0", "--purge-deleted-days", "0"], ALL_STEPS))

    def test_dry_run_on_read_only_file(self):
        os.chmod(self.path, 0o444)
        try:
            rc, out, err = self.run_script(self.path, "--archive-days", "30", "--dry-run")
        finally:
            os.chmod(self.path, 0o644)
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("would archive 2 conversations", out)


class TestExitCodes(Base):
    def assertUsage(self, *args, msg):
        rc, out, err = self.run_script(*args)
        self.assertEqual((rc, out), (1, ""), args)
        self.assertTrue(err.startswith("usage: chatflow-cleanup "), err)
        self.assertIn("chatflow-cleanup: error: " + msg, err)

    def test_bad_arguments(self):
        self.assertUsage(msg="the following arguments are required: DB")
        self.assertUsage(self.path, "--bogus", msg="unrecognized arguments: --bogus")
        self.assertUsage(self.path, "--archive-days", "-1",
                         msg="argument --archive-days: -1 is out of range (0 to 36500)")
        self.assertUsage(self.path, "--purge-deleted-days", "x",
                         msg="argument --purge-deleted-days: 'x' is not an integer")
        self.assertUsage(self.path, "--delete-messages-days", "36501",
                         msg="argument --delete-messages-days: 36501 is out of range (0 to 36500)")
        self.assertUsage(self.path, "--batch", "0", msg="argument --batch: 0 is out of range (1 to 10000)")
        self.assertUsage(self.path, "--batch", "10001",
                         msg="argument --batch: 10001 is out of range (1 to 10000)")
        self.assertUsage(self.path, "--lock-timeout", "0",
                         msg="argument --lock-timeout: 0 is out of range (0 < seconds <= 86400)")
        self.assertUsage(self.path, os.path.join(self.dir, ".", "chat.db"),
                         msg="%s is given twice" % os.path.join(self.dir, ".", "chat.db"))

    def test_help_names_expire(self):
        rc, out, err = self.run_script("--help")
        self.assertEqual(rc, 0, err)
        self.assertIn("--expire                  expire_stale_runs()", out)

    def test_help_documents_exit_codes(self):
        rc, out, err = self.run_script("--help")
        self.assertEqual((rc, err), (0, ""))
        for line in ("  0  success", "  1  usage error", "  2  database or extension error",
                     "  3  gave up on a locked database", "  4  schema not initialised"):
            self.assertIn("\n" + line, out)

    def test_missing_database(self):
        missing = os.path.join(self.dir, "nope.db")
        rc, out, err = self.run_script(missing, "--archive-days", "30")
        self.assertEqual((rc, out, err), (2, "", "chatflow-cleanup: %s: no such database file\n" % missing))
        self.assertFalse(os.path.exists(missing))

    def test_directory(self):
        rc, out, err = self.run_script(self.dir)
        self.assertEqual((rc, out, err), (2, "", "chatflow-cleanup: %s: is a directory, not a database file\n"
                                          % self.dir))

    def test_not_a_database(self):
        bad = os.path.join(self.dir, "text.db")
        with open(bad, "w") as f:
            f.write("this is not a database, just some text that is long enough" * 20)
        rc, out, err = self.run_script(bad, "--archive-days", "30")
        self.assertEqual((rc, out), (2, ""))
        self.assertEqual(err, "chatflow-cleanup: %s: file is not a database\n" % bad)

    def test_bad_extension(self):
        rc, out, err = self.run_script(self.path, "--archive-days", "30",
                                       "--extension", os.path.join(self.dir, "nothing"))
        self.assertEqual((rc, out), (2, ""))
        self.assertTrue(err.startswith("chatflow-cleanup: cannot load the chatflow extension %s: "
                                       % os.path.join(self.dir, "nothing")), err)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_conversations WHERE archived_at IS NOT NULL"), 1)

    def test_extension_from_environment_then_default(self):
        env = dict(os.environ, CHATFLOW_EXT=os.path.join(self.dir, "from-env"))
        rc, out, err = self.run_script(self.path, env=env)
        self.assertEqual(rc, 2)
        self.assertIn("cannot load the chatflow extension %s: " % os.path.join(self.dir, "from-env"), err)
        # without either: dist/chatflow of the script's repository, whatever the cwd
        env = {k: v for k, v in os.environ.items() if k != "CHATFLOW_EXT"}
        rc, out, err = self.run_script(self.path, env=env)
        default = os.path.join(REPO, "dist", "chatflow")
        if os.path.exists(default + ".so"):
            self.assertEqual((rc, err), (0, ""))
        else:
            self.assertEqual(rc, 2)
            self.assertIn("cannot load the chatflow extension %s: " % default, err)

    def test_uninitialised_schema(self):
        for name, setup in (("empty.db", None), ("other.db", "CREATE TABLE t (x); INSERT INTO t VALUES (1);")):
            path = os.path.join(self.dir, name)
            d = sqlite3.connect(path)
            if setup:
                d.executescript(setup)
            d.close()
            before = open(path, "rb").read()
            for args in ([], ["--archive-days", "30"], ["--dry-run", "--delete-messages-days", "1"]):
                rc, out, err = self.run_script(path, *args)
                self.assertEqual((rc, out), (4, ""), (name, args))
                self.assertEqual(err, "chatflow-cleanup: %s: chatflow schema not initialised; run SELECT "
                                      "chatflow_init() once (this cleanup job never creates a schema)\n" % path)
                self.assertEqual(open(path, "rb").read(), before, (name, args))

    def test_old_schema(self):
        latest = one(self.db, "SELECT max(version) FROM chatflow_migrations")
        self.db.execute("DELETE FROM chatflow_migrations WHERE version = ?", (latest,))
        rc, out, err = self.run_script(self.path, "--archive-days", "30")
        self.assertEqual((rc, out), (4, ""))
        self.assertEqual(err, "chatflow-cleanup: %s: chatflow: database schema is version %d, this chatflow "
                              "needs %d — run SELECT chatflow_init() (this cleanup job never migrates a "
                              "schema)\n" % (self.path, latest - 1, latest))
        self.assertEqual(one(self.db, "SELECT max(version) FROM chatflow_migrations"), latest - 1)

    def test_newer_schema(self):
        latest = one(self.db, "SELECT max(version) FROM chatflow_migrations")
        self.db.execute("INSERT INTO chatflow_migrations VALUES (?, 'future', ?)", (latest + 1, OLD))
        rc, out, err = self.run_script(self.path, "--archive-days", "30")
        self.assertEqual((rc, out), (2, ""))
        self.assertRegex(err, r"^chatflow-cleanup: .*: chatflow_stats\(\): chatflow: database schema is "
                              r"version %d, newer than this chatflow" % (latest + 1))


class TestLocked(Base):
    def hold(self):
        holder = sqlite3.connect(self.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("UPDATE chatflow_settings SET key = key WHERE 0")
        return holder

    def start(self, *args):
        return subprocess.Popen([SCRIPT, self.path] + list(args), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=dict(os.environ, CHATFLOW_EXT=EXT))

    def released_in_time(self):
        holder = self.hold()
        t0 = time.monotonic()
        p = self.start(*ALL_STEPS, "--lock-timeout", "30")
        time.sleep(2.0)
        self.assertIsNone(p.poll(), "the script did not wait for the lock")
        holder.execute("COMMIT")
        holder.close()
        out, err = p.communicate(timeout=60)
        self.assertEqual((p.returncode, err), (0, ""))
        self.assertLess(time.monotonic() - t0, 20)
        lines = out.splitlines()
        self.assertRegex(lines[0], r"^archive_old_conversations\(30, 200\): archived 2 conversations in 1 "
                                   r"batch, [0-9.]+ s, waited [0-9.]+ s for the lock$")
        self.assertRegex(lines[1], STEP_RE["purge"])
        self.assertRegex(lines[2], STEP_RE["delete"])
        self.assertTrue(out.endswith("\n\n" + TABLE_ALL), out)
        self.assertEqual(self.stats(), STATS_AFTER_ALL)

    def test_retried_then_succeeds(self):
        self.released_in_time()

    def test_retried_then_succeeds_wal(self):
        self.assertEqual(one(self.db, "PRAGMA journal_mode = WAL"), "wal")
        self.released_in_time()

    def test_held_too_long(self):
        snap = self.snapshot()
        holder = self.hold()
        try:
            t0 = time.monotonic()
            p = self.start(*ALL_STEPS, "--lock-timeout", "1.5")
            out, err = p.communicate(timeout=60)
            elapsed = time.monotonic() - t0
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertEqual((p.returncode, out), (3, ""))
        self.assertEqual(err, "chatflow-cleanup: archive_old_conversations(30, 200): database is locked; "
                              "gave up after 1.5 s (--lock-timeout)\n")
        self.assertGreaterEqual(elapsed, 1.5)
        self.assertLess(elapsed, 15)
        self.assertEqual(self.snapshot(), snap)

    def test_dry_run_reads_under_a_write_lock(self):
        self.assertEqual(one(self.db, "PRAGMA journal_mode = WAL"), "wal")
        holder = self.hold()
        try:
            p = self.start(*ALL_STEPS, "--dry-run", "--lock-timeout", "1")
            out, err = p.communicate(timeout=60)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        self.assertEqual((p.returncode, err), (0, ""))
        self.assertIn("would delete 7 messages", out)


class TestSeveralDatabases(Base):
    """chatflow-cleanup DB DB ...: shards cleaned in turn with the same options."""

    def setUp(self):
        Base.setUp(self)
        self.path2 = os.path.join(self.dir, "shard-2.db")
        self.db2 = connect(self.path2)
        populate(self.db2)

    def tearDown(self):
        self.db2.close()
        Base.tearDown(self)

    def sections(self, out):
        """{header: text} of the "== ..." sections of the output."""
        res, cur = {}, None
        for line in out.splitlines(True):
            if line.startswith("== "):
                cur = line[3:].rstrip("\n")
                res[cur] = ""
            else:
                self.assertIsNotNone(cur, out)
                res[cur] += line
        return res

    def test_each_database_then_the_total(self):
        rc, out, err = self.run_script(self.path, self.path2, *ALL_STEPS)
        self.assertEqual((rc, err), (0, ""))
        sec = self.sections(out)
        self.assertEqual(list(sec), [self.path, self.path2, "total of 2 databases"])
        for p in (self.path, self.path2):
            self.assertStep(sec[p], "archive", "purge", "delete")
            self.assertTrue(sec[p].endswith("\n\n" + TABLE_ALL + "\n"), sec[p])
        self.assertEqual(parse_table(sec["total of 2 databases"]),
                         {k: (2 * STATS_BEFORE[k], 2 * STATS_AFTER_ALL[k]) for k in STATS_BEFORE})
        self.assertEqual(self.stats(), STATS_AFTER_ALL)
        import json
        self.assertEqual(json.loads(one(self.db2, "SELECT chatflow_stats()")), STATS_AFTER_ALL)

    def test_a_failing_database_does_not_stop_the_others(self):
        missing = os.path.join(self.dir, "nope.db")
        rc, out, err = self.run_script(self.path, missing, self.path2, "--archive-days", "30")
        self.assertEqual(rc, 2)
        self.assertEqual(err, "chatflow-cleanup: %s: no such database file\n" % missing)
        sec = self.sections(out)
        self.assertEqual(list(sec), [self.path, missing, self.path2,
                                     "total of the 2 databases done (1 failed)"])
        self.assertEqual(sec[missing], "\n")
        for db in (self.db, self.db2):
            self.assertEqual([r[0] for r in db.execute("SELECT id FROM chat_conversations WHERE"
                                                       " archived_at IS NOT NULL ORDER BY id")],
                             [1, 6, 8])
        self.assertFalse(os.path.exists(missing))

    def test_exit_status_of_the_first_failure(self):
        bare = os.path.join(self.dir, "bare.db")
        sqlite3.connect(bare).execute("CREATE TABLE t(x)").connection.close()
        missing = os.path.join(self.dir, "nope.db")
        rc, out, err = self.run_script(bare, self.path, missing, "--archive-days", "30")
        self.assertEqual(rc, 4)
        self.assertEqual(err.splitlines(), [
            "chatflow-cleanup: %s: chatflow schema not initialised; run SELECT chatflow_init() "
            "once (this cleanup job never creates a schema)" % bare,
            "chatflow-cleanup: %s: no such database file" % missing])
        self.assertIn("== total of the 1 database done (2 failed)\n", out)
        self.assertEqual(one(self.db, "SELECT count(*) FROM chat_conversations"
                                      " WHERE archived_at IS NOT NULL"), 3)

    def test_dry_run_and_quiet(self):
        snap = self.snapshot()
        rc, out, err = self.run_script(self.path, self.path2, *ALL_STEPS, "--dry-run")
        self.assertEqual((rc, err), (0, ""))
        sec = self.sections(out)
        self.assertEqual(list(sec), [self.path, self.path2, "total of 2 databases"])
        for p in (self.path, self.path2):
            self.assertIn("would delete 7 messages", sec[p])
        self.assertEqual(parse_table(sec["total of 2 databases"]),
                         {k: (2 * STATS_BEFORE[k], 2 * STATS_AFTER_ALL[k]) for k in STATS_BEFORE})
        self.assertEqual(self.snapshot(), snap)
        rc, out, err = self.run_script(self.path, self.path2, *ALL_STEPS, "--quiet")
        self.assertEqual((rc, out, err), (0, "", ""))
        self.assertEqual(self.stats(), STATS_AFTER_ALL)


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("cleanup: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
