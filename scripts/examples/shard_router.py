#!/usr/bin/python3
"""shard_router.py -- an example router over per-tenant chatflow shards.

One chatflow database file per group of owners (tenants), N files in all.
The router rule: an owner lives on shard
    int.from_bytes(sha256(owner as UTF-8)[:8], "big") % N
(stable across processes and languages; Python's hash() is not).  Every
conversation of an owner, with its messages and runs, is in that one file,
so each write is one call on one shard and every per-owner read -- the chat
list, search, stats, the history -- is the single-database call on that
shard.  What crosses shards is merged here:

  list(owners)      the chat lists of several owners (a user in several
                    workspaces), merged in conversation_list's order --
                    pinned first, then updated_at newest first -- with ties
                    broken by owner, then by id as conversation_list does;
                    the cursor is that position, and each owner's next page
                    is asked with a conversation_list cursor built from it.
  search(query)     search_messages over several owners or all shards,
                    merged newest first by (created_at, owner, message id):
                    an order that does not depend on the shard; the cursor is
                    that position.  search_messages has no cursor of its own,
                    so each page reads the newest 500 matches (its largest
                    limit) of each owner or shard and keeps those after the
                    cursor: a walk reaches the newest 500 matches of each.
  stats()           chatflow_stats() summed over the shards.

Addresses: ids are per file (two shards both have a conversation 1), so a
conversation's address is (owner, uid); the router finds it with
conversation_by_uid(uid, owner) on the owner's shard.  A uid is unique per
file; the generated ones (32 random hex digits) do not collide across
shards in practice, and a caller-supplied uid is safe as long as it is
looked up with its owner.  Moving an owner to another shard (a hot tenant,
a new shard) is move_owner(): export_conversation + import_conversation of
each of its conversations with the same uid, which gives new ids; the
router then keeps the owner in `moved`, the directory of exceptions to the
rule that the application stores and passes to the next router.

    from shard_router import ShardRouter
    r = ShardRouter(["shard-0.db", "shard-1.db", "shard-2.db"], "dist/chatflow")
    uid = r.create_conversation("acme", "Bakery map")
    r.add_message("acme", uid, "user", "Plan a topical map for our bakery")
    rows, cursor = r.list(["acme", "globex"], limit=20)
    hits, cursor = r.search("bakery", limit=20)
    r.stats("acme")

Runs with Debian's /usr/bin/python3 (its sqlite3 module loads extensions).
Tested by tests/scale/test_shard_router.py against one database holding the
same data (make test-shards); see docs/scale-out.md.
"""
import base64
import functools
import hashlib
import json
import sqlite3

SEARCH_DEPTH = 500      # search_messages' largest limit
ID_MAX = 9223372036854775807


def shard_index(owner, n):
    """The router rule: the shard of `owner` among n shards."""
    if not isinstance(owner, str) or not owner:
        raise ValueError("owner must be non-empty text")
    return int.from_bytes(hashlib.sha256(owner.encode("utf-8")).digest()[:8], "big") % n


def _encode(key):
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(cursor, size):
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError:
        raise ValueError("bad cursor %r" % cursor)
    if not isinstance(key, list) or len(key) != size:
        raise ValueError("bad cursor %r" % cursor)
    return key


def _list_cmp(a, b):
    """conversation_list's order (pinned first, updated_at newest first),
    then owner, then id newest first.  a, b: [pinned, updated_at, owner, id]."""
    for x, y, desc in ((a[0], b[0], True), (a[1], b[1], True), (a[2], b[2], False),
                       (a[3], b[3], True)):
        if x != y:
            return (-1 if x > y else 1) if desc else (-1 if x < y else 1)
    return 0


def _search_cmp(a, b):
    """Newest first: created_at, then owner, then message id newest first.
    a, b: [created_at, owner, message_id]."""
    for x, y, desc in ((a[0], b[0], True), (a[1], b[1], False), (a[2], b[2], True)):
        if x != y:
            return (-1 if x > y else 1) if desc else (-1 if x < y else 1)
    return 0


class ShardRouter:
    def __init__(self, paths, extension, init=True, moved=None):
        """paths: the shard files, in a fixed order (the order is part of
        the rule: shard i is paths[i]).  init: run chatflow_init() on each.
        moved: {owner: shard} of the owners moved off the rule's shard (see
        move_owner), which the application keeps and passes again."""
        if not paths:
            raise ValueError("no shard")
        self.paths = list(paths)
        self.moved = dict(moved or {})
        self.dbs = []
        for p in self.paths:
            db = sqlite3.connect(p, isolation_level=None, timeout=10)
            db.enable_load_extension(True)
            db.load_extension(extension)
            db.enable_load_extension(False)
            db.execute("PRAGMA busy_timeout = 5000")
            if init:
                db.execute("SELECT chatflow_init()")
            self.dbs.append(db)

    def close(self):
        for db in self.dbs:
            db.close()

    # -- the rule ------------------------------------------------------
    def shard_of(self, owner):
        if owner in self.moved:
            return self.moved[owner]
        return shard_index(owner, len(self.dbs))

    def db_for(self, owner):
        return self.dbs[self.shard_of(owner)]

    def pin_clock(self, ts):
        """chatflow_clock(ts) on every shard (NULL unpins)."""
        for db in self.dbs:
            db.execute("SELECT chatflow_clock(?)", (ts,))

    # -- writes: one call on the owner's shard ---------------------------
    def create_conversation(self, owner, title=None, options=None):
        """Creates the conversation on the owner's shard; returns its uid."""
        db = self.db_for(owner)
        cid = db.execute("SELECT create_conversation(?, ?, ?)",
                         (owner, title, json.dumps(options) if options else None)).fetchone()[0]
        return db.execute("SELECT uid FROM chat_conversations WHERE id = ?", (cid,)).fetchone()[0]

    def conversation_id(self, owner, uid):
        """The conversation's id on its shard; LookupError when the owner has
        no such live conversation."""
        cid = self.db_for(owner).execute("SELECT conversation_by_uid(?, ?)",
                                         (uid, owner)).fetchone()[0]
        if cid is None:
            raise LookupError("no conversation %r of owner %r" % (uid, owner))
        return cid

    def add_message(self, owner, uid, role, content, options=None):
        """add_message on the owner's shard; returns the message id there."""
        cid = self.conversation_id(owner, uid)
        return self.db_for(owner).execute(
            "SELECT add_message(?, ?, ?, ?)",
            (cid, role, content, json.dumps(options) if options else None)).fetchone()[0]

    def start_run(self, owner, uid, workflow, input_json=None):
        cid = self.conversation_id(owner, uid)
        return self.db_for(owner).execute("SELECT start_run(?, ?, ?)",
                                          (cid, workflow, input_json)).fetchone()[0]

    def move_owner(self, owner, dest):
        """Moves every conversation of `owner` -- archived and deleted ones
        too, with their messages, runs, events, proposals and checkpoints --
        to shard `dest`: export_conversation on the owner's shard,
        import_conversation on `dest` with the same uid, purge_conversation
        on the old shard; then the router sends the owner to `dest`
        (self.moved, to be kept by the application).  Ids are new, uids
        stay.  Not one transaction across two files: stop the owner's
        writes first; a move that stopped halfway is finished by calling it
        again (a conversation already copied is not copied twice).
        Returns the number of conversations moved."""
        src = self.shard_of(owner)
        if not 0 <= dest < len(self.dbs):
            raise ValueError("no shard %r" % dest)
        if src == dest:
            return 0
        sdb, ddb = self.dbs[src], self.dbs[dest]
        n = 0
        for cid, uid in sdb.execute("SELECT id, uid FROM chat_conversations WHERE owner = ?"
                                    " ORDER BY id", (owner,)).fetchall():
            doc = sdb.execute("SELECT export_conversation(?)", (cid,)).fetchone()[0]
            if ddb.execute("SELECT 1 FROM chat_conversations WHERE owner = ? AND uid = ?",
                           (owner, uid)).fetchone() is None:
                ddb.execute("SELECT import_conversation(?, ?, json_object('uid', ?))",
                            (owner, doc, uid))
            sdb.execute("SELECT purge_conversation(?)", (cid,))
            n += 1
        self.moved[owner] = dest
        return n

    # -- reads ------------------------------------------------------------
    def conversation(self, uid, owner):
        """The conversation with this uid if `owner` has it (not deleted),
        else None: {shard, id, uid, owner, title, message_count, updated_at}."""
        s = self.shard_of(owner)
        row = self.dbs[s].execute(
            "SELECT id, uid, owner, title, message_count, updated_at FROM chat_conversations"
            " WHERE id = conversation_by_uid(?, ?)", (uid, owner)).fetchone()
        if row is None:
            return None
        return dict(zip(("id", "uid", "owner", "title", "message_count", "updated_at"), row),
                    shard=s)

    def history(self, owner, uid, max_tokens=None):
        cid = self.conversation_id(owner, uid)
        return json.loads(self.db_for(owner).execute(
            "SELECT chat_history_json(?, ?)", (cid, max_tokens)).fetchone()[0])

    def list(self, owners, limit=50, after=None):
        """The merged chat list of `owners`: (rows, cursor of the next page
        or None).  Each row: {owner, uid, title, pinned, updated_at,
        message_count, last_message_preview}."""
        owners = sorted(set(owners))
        pos = _decode(after, 4) if after else None
        cand = []
        more_owner = False
        for owner in owners:
            opts = {"limit": limit}
            if pos is not None:
                p, u, o, i = pos
                # the owner's own cursor for the merged position
                if owner == o:
                    opts["after"] = "%d|%s|%d" % (p, u, i)
                elif owner < o:     # its rows at (p, u) come before the position
                    opts["after"] = "%d|%s|1" % (p, u)
                else:               # its rows at (p, u) come after it
                    opts["after"] = "%d|%s|%d" % (p, u, ID_MAX)
            for r in self.db_for(owner).execute(
                    "SELECT id, uid, title, pinned_at IS NOT NULL, updated_at, message_count,"
                    " last_message_preview, has_more FROM conversation_list(?, ?)",
                    (owner, json.dumps(opts))):
                more_owner = more_owner or r[7] == 1
                cand.append(([r[3], r[4], owner, r[0]],
                             {"owner": owner, "uid": r[1], "title": r[2], "pinned": r[3],
                              "updated_at": r[4], "message_count": r[5],
                              "last_message_preview": r[6]}))
        cand.sort(key=functools.cmp_to_key(lambda a, b: _list_cmp(a[0], b[0])))
        page = cand[:limit]
        # more: rows left over here, or an owner with more than it returned
        more = len(cand) > limit or more_owner
        return [row for _, row in page], (_encode(page[-1][0]) if more and page else None)

    def search(self, query, owners=None, limit=20, after=None):
        """search_messages newest first over `owners` (None: every shard),
        messages only: (rows, cursor of the next page or None).  Each row:
        {owner, uid, seq, role, created_at, title, snippet}."""
        pos = _decode(after, 3) if after else None
        opts = json.dumps({"order": "newest", "limit": SEARCH_DEPTH, "titles": False})
        if owners is None:
            streams = [(db, None) for db in self.dbs]
        else:
            streams = [(self.db_for(o), o) for o in sorted(set(owners))]
        cand = []
        for db, owner in streams:
            for r in db.execute(
                    "SELECT s.created_at, c.owner, s.message_id, c.uid, s.seq, s.role, s.title,"
                    " s.snippet FROM search_messages(?, ?, ?) AS s"
                    " JOIN chat_conversations AS c ON c.id = s.conversation_id",
                    (query, owner, opts)):
                key = [r[0], r[1], r[2]]
                if pos is not None and _search_cmp(key, pos) <= 0:
                    continue
                cand.append((key, {"owner": r[1], "uid": r[3], "seq": r[4], "role": r[5],
                                   "created_at": r[0], "title": r[6], "snippet": r[7]}))
        cand.sort(key=functools.cmp_to_key(lambda a, b: _search_cmp(a[0], b[0])))
        page = cand[:limit]
        return [row for _, row in page], (_encode(page[-1][0]) if len(cand) > limit else None)

    def stats(self, owner=None):
        """chatflow_stats(owner) on the owner's shard; without an owner the
        sum over every shard."""
        if owner is not None:
            return json.loads(self.db_for(owner).execute(
                "SELECT chatflow_stats(?)", (owner,)).fetchone()[0])
        total = {}
        for db in self.dbs:
            for k, v in json.loads(db.execute("SELECT chatflow_stats()").fetchone()[0]).items():
                total[k] = total.get(k, 0) + v
        return total
