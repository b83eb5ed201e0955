#!/usr/bin/python3
"""Tests of scripts/examples/shard_router.py, the per-tenant shard router.

The same workload -- conversations of eight owners created, pinned,
archived and deleted, messages added, many of them at the same pinned
instant so that the merge has ties to break -- is written through the
router over three shard files and, call for call, into one single
database.  Then:

  - the rule: the shard of each owner is pinned (sha256, stable), and each
    shard holds only the owners the rule sends there;
  - list: each owner's pages equal conversation_list on the single
    database; the merged list of several owners, walked with its cursor in
    pages of 3, equals the single database ordered by pinned, updated_at
    (newest first), owner, id -- no row twice, none missed;
  - search: newest first over all shards and over a set of owners, walked
    in pages of 4, equals search_messages on the single database in the
    same order (created_at, owner, message id);
  - stats: chatflow_stats(owner) and the sum over the shards equal the
    single database's;
  - addresses: ids repeat across shards, (owner, uid) does not; the lookup
    by uid answers only for the right owner; add_message through the wrong
    owner writes nothing;
  - each shard passes chatflow_check(); scripts/chatflow-cleanup over the
    three files reports the summed statistics;
  - move_owner: an owner moved to another shard keeps its list, search,
    stats, conversations, messages and runs (a waiting run included) but
    the ids; the other owners do not change; a router given the directory
    of moved owners finds it, one without looks on the rule's shard; a
    move stopped between copy and purge is finished by the next call.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/scale/test_shard_router.py
The output ends with "shards: N passed, M failed".
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "scripts", "examples"))
import shard_router  # noqa: E402

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
OWNERS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"]
# the rule, pinned: a change of hash or of its use moves tenants
SHARD_OF = {"acme": 0, "globex": 1, "initech": 1, "umbrella": 2, "hooli": 2, "stark": 1,
            "wayne": 2, "wonka": 2}
WORDS = ["bread", "sourdough", "pastry", "oven", "flour", "butter", "croissant", "rye"]


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


class Single:
    """The same calls on one database."""

    def __init__(self, path):
        self.db = connect(path)
        self.db.execute("SELECT chatflow_init()")

    def pin_clock(self, ts):
        self.db.execute("SELECT chatflow_clock(?)", (ts,))

    def create_conversation(self, owner, title, options):
        self.db.execute("SELECT create_conversation(?, ?, ?)", (owner, title, json.dumps(options)))

    def cid(self, owner, uid):
        return self.db.execute("SELECT conversation_by_uid(?, ?)", (uid, owner)).fetchone()[0]

    def add_message(self, owner, uid, role, content):
        self.db.execute("SELECT add_message(?, ?, ?)", (self.cid(owner, uid), role, content))

    def call(self, owner, uid, sql):
        self.db.execute(sql, (self.cid(owner, uid),))


def workload(router, single):
    """Writes the same data through the router and into the single database."""
    def both_clock(ts):
        router.pin_clock(ts)
        single.pin_clock(ts)

    def call(owner, uid, sql):
        router.db_for(owner).execute(sql, (router.conversation_id(owner, uid),))
        single.call(owner, uid, sql)

    n = 0
    for day in range(1, 5):
        # every owner's conversations of the day are created at one instant
        both_clock("2026-01-%02dT09:00:00.000Z" % day)
        for i, owner in enumerate(OWNERS):
            for k in range(1 + (i + day) % 3):
                uid = "c-%s-%d-%d" % (owner, day, k)
                title = "%s day %d #%d" % (owner, day, k)
                router.create_conversation(owner, title, {"uid": uid})
                single.create_conversation(owner, title, {"uid": uid})
        # messages, two instants a day, shared by several owners
        for half in (0, 1):
            both_clock("2026-01-%02dT1%d:00:00.000Z" % (day, half * 5))
            for i, owner in enumerate(OWNERS):
                if (i + day + half) % 4 == 0:
                    continue
                uid = "c-%s-%d-0" % (owner, day)
                for m in range(2):
                    n += 1
                    text = "%s %s note %d about %s" % (
                        WORDS[n % len(WORDS)], WORDS[(n * 3) % len(WORDS)], n, owner)
                    router.add_message(owner, uid, ("user", "assistant")[m], text)
                    single.add_message(owner, uid, ("user", "assistant")[m], text)
        both_clock("2026-01-%02dT20:00:00.000Z" % day)
        o = OWNERS[day % len(OWNERS)]
        call(o, "c-%s-%d-0" % (o, day), "SELECT update_conversation(?, '{\"pinned\": true}')")
        o = OWNERS[(day + 3) % len(OWNERS)]
        call(o, "c-%s-%d-0" % (o, day), "SELECT update_conversation(?, '{\"archived\": true}')")
        o = OWNERS[(day + 5) % len(OWNERS)]
        call(o, "c-%s-%d-0" % (o, day), "SELECT delete_conversation(?)")


class RouterTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="chatflow-shards-")
        cls.paths = [os.path.join(cls.dir, "shard-%d.db" % i) for i in range(3)]
        cls.router = shard_router.ShardRouter(cls.paths, EXT)
        cls.single = Single(os.path.join(cls.dir, "single.db"))
        workload(cls.router, cls.single)

    @classmethod
    def tearDownClass(cls):
        cls.router.close()
        cls.single.db.close()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def s(self, sql, args=()):
        return self.single.db.execute(sql, args).fetchall()

    # -- the rule ---------------------------------------------------------
    def test_rule_is_pinned_and_followed(self):
        self.assertEqual({o: shard_router.shard_index(o, 3) for o in OWNERS}, SHARD_OF)
        self.assertEqual({o: self.router.shard_of(o) for o in OWNERS}, SHARD_OF)
        for i, db in enumerate(self.router.dbs):
            owners = sorted(r[0] for r in db.execute("SELECT DISTINCT owner FROM chat_conversations"))
            self.assertEqual(owners, sorted(o for o in OWNERS if SHARD_OF[o] == i))
        with self.assertRaises(ValueError):
            shard_router.shard_index("", 3)

    # -- list ---------------------------------------------------------------
    def walk(self, fn, limit):
        rows, after, pages = [], None, 0
        while True:
            page, after = fn(limit=limit, after=after)
            pages += 1
            self.assertLessEqual(len(page), limit)
            rows += page
            if after is None:
                return rows, pages
            self.assertLess(pages, 1000)

    def test_list_of_one_owner_equals_the_single_database(self):
        for owner in OWNERS:
            rows, _ = self.walk(lambda **kw: self.router.list([owner], **kw), 2)
            want = [r[0] for r in self.s("SELECT uid FROM conversation_list(?, '{\"limit\": 500}')",
                                         (owner,))]
            self.assertEqual([r["uid"] for r in rows], want, owner)
            self.assertTrue(want)

    def test_merged_list_of_several_owners(self):
        owners = ["acme", "globex", "initech", "hooli", "wonka"]   # on all three shards
        rows, pages = self.walk(lambda **kw: self.router.list(owners, **kw), 3)
        want = self.s(
            "SELECT owner, uid, updated_at FROM chat_conversations WHERE owner IN (%s)"
            " AND deleted_at IS NULL AND archived_at IS NULL"
            " ORDER BY pinned_at IS NOT NULL DESC, updated_at DESC, owner, id DESC"
            % ",".join("?" * len(owners)), owners)
        self.assertEqual([(r["owner"], r["uid"], r["updated_at"]) for r in rows], want)
        self.assertEqual(pages, (len(want) + 2) // 3)
        # ties across owners and shards are what the cursor has to cross
        ties = self.s("SELECT updated_at, count(DISTINCT owner) FROM chat_conversations"
                      " WHERE owner IN (%s) AND deleted_at IS NULL AND archived_at IS NULL"
                      " GROUP BY updated_at HAVING count(DISTINCT owner) > 1"
                      % ",".join("?" * len(owners)), owners)
        self.assertTrue(ties)
        self.assertEqual(sum(r["pinned"] for r in rows[:4]), 3)   # pinned first

    def test_bad_cursor(self):
        with self.assertRaises(ValueError):
            self.router.list(["acme"], after="nonsense")
        with self.assertRaises(ValueError):
            self.router.search("bread", after=shard_router._encode([1, 2]))

    # -- search -------------------------------------------------------------
    def expected_search(self, query, owners=None):
        rows = self.s(
            "SELECT s.created_at, c.owner, s.message_id, c.uid, s.seq FROM search_messages(?, NULL,"
            " '{\"order\": \"newest\", \"limit\": 500, \"titles\": false}') AS s"
            " JOIN chat_conversations AS c ON c.id = s.conversation_id", (query,))
        if owners is not None:
            rows = [r for r in rows if r[1] in owners]
        # created_at newest first, then owner, then message id newest first
        rows.sort(key=lambda r: r[2], reverse=True)
        rows.sort(key=lambda r: r[1])
        rows.sort(key=lambda r: r[0], reverse=True)
        return [(r[1], r[3], r[4]) for r in rows]

    def test_search_every_shard_newest_first(self):
        for query in ("bread", "sourdough OR rye", "croissant"):
            rows, _ = self.walk(lambda **kw: self.router.search(query, **kw), 4)
            want = self.expected_search(query)
            self.assertEqual([(r["owner"], r["uid"], r["seq"]) for r in rows], want, query)
            self.assertGreater(len(want), 8, query)
            self.assertGreater(len({r["owner"] for r in rows}), 3)

    def test_search_some_owners(self):
        owners = ["acme", "stark", "wayne"]
        rows, _ = self.walk(lambda **kw: self.router.search("bread OR pastry", owners, **kw), 4)
        want = self.expected_search("bread OR pastry", owners)
        self.assertEqual([(r["owner"], r["uid"], r["seq"]) for r in rows], want)
        self.assertTrue(want)

    # -- stats ----------------------------------------------------------------
    def test_stats_per_owner_and_total(self):
        for owner in OWNERS:
            want = json.loads(self.s("SELECT chatflow_stats(?)", (owner,))[0][0])
            self.assertEqual(self.router.stats(owner), want, owner)
        total = json.loads(self.s("SELECT chatflow_stats()")[0][0])
        self.assertEqual(self.router.stats(), total)
        self.assertEqual(total["total_conversations"],
                         self.s("SELECT count(*) FROM chat_conversations")[0][0])

    # -- addresses ------------------------------------------------------------
    def test_ids_repeat_across_shards_owner_and_uid_do_not(self):
        ids = [set(r[0] for r in db.execute("SELECT id FROM chat_conversations"))
               for db in self.router.dbs]
        self.assertIn(1, ids[0] & ids[1] & ids[2])
        addrs = [r for db in self.router.dbs
                 for r in db.execute("SELECT owner, uid FROM chat_conversations")]
        self.assertEqual(len(addrs), len(set(addrs)))
        self.assertEqual(len(addrs), self.s("SELECT count(*) FROM chat_conversations")[0][0])

    def test_lookup_by_uid(self):
        c = self.router.conversation("c-globex-2-0", "globex")
        self.assertEqual((c["shard"], c["owner"], c["uid"], c["title"]),
                         (1, "globex", "c-globex-2-0", "globex day 2 #0"))
        self.assertEqual(c["message_count"],
                         self.s("SELECT message_count FROM chat_conversations WHERE uid = ?",
                                ("c-globex-2-0",))[0][0])
        self.assertIsNone(self.router.conversation("c-globex-2-0", "stark"))   # same shard
        self.assertIsNone(self.router.conversation("c-globex-2-0", "acme"))    # another shard
        self.assertIsNone(self.router.conversation("no-such-uid", "globex"))
        # deleted on day 1: OWNERS[6] = wayne
        self.assertIsNone(self.router.conversation("c-wayne-1-0", "wayne"))

    def test_write_through_the_wrong_owner_writes_nothing(self):
        before = [db.execute("SELECT count(*) FROM chat_messages").fetchone()[0]
                  for db in self.router.dbs]
        with self.assertRaises(LookupError):
            self.router.add_message("acme", "c-globex-2-0", "user", "not yours")
        after = [db.execute("SELECT count(*) FROM chat_messages").fetchone()[0]
                 for db in self.router.dbs]
        self.assertEqual(before, after)

    def test_history_through_the_router(self):
        hist = self.router.history("acme", "c-acme-1-0")
        want = json.loads(self.s("SELECT chat_history_json(conversation_by_uid('c-acme-1-0', 'acme'))")[0][0])
        self.assertEqual(hist, want)
        self.assertTrue(hist)

    # -- every shard sound; the cleanup job over all of them --------------------
    def test_chatflow_check_on_every_shard(self):
        for db in self.router.dbs:
            rows = db.execute('SELECT "check", ok FROM chatflow_check()').fetchall()
            self.assertGreaterEqual(len(rows), 19)
            self.assertEqual([r for r in rows if r[1] != 1], [])

    def test_cleanup_over_the_shards(self):
        p = subprocess.run([os.path.join(REPO, "scripts", "chatflow-cleanup")] + self.paths,
                           capture_output=True, text=True, env=dict(os.environ, CHATFLOW_EXT=EXT),
                           timeout=60)
        self.assertEqual((p.returncode, p.stderr), (0, ""))
        total = p.stdout.split("== total of 3 databases\n")[1]
        line = [l for l in total.splitlines() if l.startswith("total_conversations ")][0]
        n = self.router.stats()["total_conversations"]
        self.assertEqual(line.split()[1:], [str(n), str(n)])


class MoveTest(unittest.TestCase):
    """move_owner: an owner's conversations moved to another shard."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-shards-move-")
        self.paths = [os.path.join(self.dir, "shard-%d.db" % i) for i in range(3)]
        self.router = shard_router.ShardRouter(self.paths, EXT)
        self.single = Single(os.path.join(self.dir, "single.db"))
        workload(self.router, self.single)
        # a run in progress, to be moved with its state
        self.router.pin_clock("2026-01-05T00:00:00.000Z")
        self.run = self.router.start_run("acme", "c-acme-2-0", "topical_map")
        self.router.db_for("acme").execute("SELECT advance_run(?)", (self.run,))

    def tearDown(self):
        self.router.close()
        self.single.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def view(self, router, owner):
        lst, _ = self_walk(router.list, [owner], 500)
        hits, _ = router.search("bread OR pastry", [owner], limit=500)
        convs = router.db_for(owner).execute(
            "SELECT uid, title, message_count, last_seq, total_tokens, pinned_at, archived_at,"
            " deleted_at, created_at, updated_at, last_message_at FROM chat_conversations"
            " WHERE owner = ? ORDER BY uid", (owner,)).fetchall()
        msgs = router.db_for(owner).execute(
            "SELECT c.uid, m.seq, m.uid, m.role, m.content, m.tokens, m.created_at"
            " FROM chat_messages m JOIN chat_conversations c ON c.id = m.conversation_id"
            " WHERE c.owner = ? ORDER BY c.uid, m.seq", (owner,)).fetchall()
        runs = router.db_for(owner).execute(
            "SELECT c.uid, r.status, r.current_step, r.state,"
            " (SELECT count(*) FROM workflow_run_events e WHERE e.run_id = r.id)"
            " FROM workflow_runs r JOIN chat_conversations c ON c.id = r.conversation_id"
            " WHERE c.owner = ? ORDER BY c.uid, r.id", (owner,)).fetchall()
        return {"list": [r["uid"] for r in lst], "search": [(r["uid"], r["seq"]) for r in hits],
                "stats": router.stats(owner), "conversations": convs, "messages": msgs,
                "runs": runs}

    def test_move_keeps_everything_but_ids(self):
        src = SHARD_OF["acme"]
        dest = (src + 1) % 3
        before = self.view(self.router, "acme")
        others = {o: self.view(self.router, o) for o in OWNERS if o != "acme"}
        n = len(before["conversations"])
        self.assertEqual(self.router.move_owner("acme", dest), n)
        self.assertEqual(self.router.shard_of("acme"), dest)
        self.assertEqual(self.router.dbs[src].execute(
            "SELECT count(*) FROM chat_conversations WHERE owner = 'acme'").fetchone()[0], 0)
        after = self.view(self.router, "acme")
        self.assertEqual(after, before)
        self.assertTrue(before["runs"] and before["list"] and before["search"])
        self.assertIn(("c-acme-2-0", "awaiting_clarification", "clarification"),
                      [r[:3] for r in after["runs"]])
        # the other owners did not move or change
        self.assertEqual({o: self.view(self.router, o) for o in others}, others)
        self.assertEqual(self.router.conversation("c-acme-2-0", "acme")["shard"], dest)
        for db in self.router.dbs:
            self.assertEqual(db.execute("SELECT count(*) FROM chatflow_check() WHERE NOT ok")
                             .fetchone()[0], 0)
        # moving again is nothing; a router without the directory looks on
        # the rule's shard and finds nothing there
        self.assertEqual(self.router.move_owner("acme", dest), 0)
        fresh = shard_router.ShardRouter(self.paths, EXT, init=False)
        self.assertIsNone(fresh.conversation("c-acme-2-0", "acme"))
        fresh.close()
        told = shard_router.ShardRouter(self.paths, EXT, init=False, moved=self.router.moved)
        self.assertEqual(told.conversation("c-acme-2-0", "acme")["shard"], dest)
        told.close()

    def test_a_move_stopped_halfway_is_finished_by_the_next_call(self):
        src = SHARD_OF["acme"]
        dest = (src + 2) % 3
        before = self.view(self.router, "acme")
        sdb, ddb = self.router.dbs[src], self.router.dbs[dest]
        # the first conversation copied but not yet purged: a stop in between
        cid, uid = sdb.execute("SELECT id, uid FROM chat_conversations WHERE owner = 'acme'"
                               " ORDER BY id LIMIT 1").fetchone()
        doc = sdb.execute("SELECT export_conversation(?)", (cid,)).fetchone()[0]
        ddb.execute("SELECT import_conversation('acme', ?, json_object('uid', ?))", (doc, uid))
        self.assertEqual(self.router.move_owner("acme", dest), len(before["conversations"]))
        self.assertEqual(self.view(self.router, "acme"), before)


def self_walk(fn, owners, limit):
    rows, after = [], None
    while True:
        page, after = fn(owners, limit=limit, after=after)
        rows += page
        if after is None:
            return rows, None


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("shards: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
