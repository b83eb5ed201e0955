#!/usr/bin/python3
"""Multi-process race test for chatflow (issue 2).

Several processes (multiprocessing, 'spawn') open one WAL database file with
busy_timeout=10000 and, released together by a barrier:

  1. call chatflow_init() at the same moment on a fresh file;
  2. call find_or_create_conversation() on the same few keys;
  3. race add_message() and start_run() on those conversations, completing
     (processing -> completed) or cancelling the runs they won so that new
     runs can start.

Then the parent checks the database against what the workers were told:
at most one active run per conversation, runs in the table == the runs
start_run returned, seq exactly 1..n per conversation, counters equal a
recount, every returned message id present with its content, one id per
find_or_create key, and no error other than the expected active-run
refusals.  The output ends with "race: N passed, M failed".

Then it runs the regression scripts beside it: deferred_busy.py,
locked_txn.py (issue 8's reproducer), ack_race.py (acknowledged writes
survive a race in DELETE and WAL mode, with and without busy_timeout) and
queue_race.py (start_run's on_active strategies and expire_stale_runs
racing: one active run, queue order, no stranded or lost run).

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/race/race.py
Environment: RACE_WORKERS (6), RACE_OPS (ops per worker, 60), RACE_KEEP=1
keeps the database file, RACE_JOURNAL=delete runs on a rollback journal
instead of WAL.
"""
import multiprocessing as mp
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback

# The schema version this build creates: one per numbered migration in sql/.
import glob as _glob
SCHEMA_VERSION = len(_glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "sql", "[0-9][0-9][0-9]_*.sql")))


EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
WORKERS = int(os.environ.get("RACE_WORKERS", "6"))
OPS = int(os.environ.get("RACE_OPS", "60"))
JOURNAL = os.environ.get("RACE_JOURNAL", "wal")  # 'delete' tries the rollback journal
KEYS = ["k1", "k2", "k3"]
DEADLINE_S = 50.0  # the whole race must finish well under 60 s
ACTIVE_RE = re.compile(
    r"^chatflow: conversation (\d+) already has an active run (\d+) "
    r"\((started|awaiting_clarification|awaiting_approval|processing)\)$")


def connect(path):
    db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def scalar(db, sql, args=()):
    return db.execute(sql, args).fetchone()[0]


def worker(wid, path, barrier, queue):
    """Returns (via queue) a dict of everything the functions told it."""
    out = {"wid": wid, "init": None, "convs": {}, "messages": [], "runs": [],
           "ends": [], "opened": [], "errors": [], "crash": None, "ops": 0}
    rnd = random.Random(1000 + wid)
    try:
        db = connect(path)
        assert scalar(db, "PRAGMA journal_mode") == JOURNAL
        barrier.wait(30)
        try:
            out["init"] = scalar(db, "SELECT chatflow_init()")
        except sqlite3.Error as e:
            out["errors"].append(("chatflow_init", str(e)))
        barrier.wait(30)
        for key in KEYS:
            try:
                out["convs"][key] = scalar(
                    db, "SELECT find_or_create_conversation('race', ?, ?)", (key, "race " + key))
            except sqlite3.Error as e:
                out["errors"].append(("find_or_create_conversation", str(e)))
        barrier.wait(30)
        convs = list(out["convs"].values())
        mine = {}  # conversation id -> [run id, steps left before ending it]
        t_end = time.monotonic() + DEADLINE_S - 10
        for i in range(OPS):
            if time.monotonic() > t_end:
                break
            out["ops"] += 1
            conv = rnd.choice(convs)
            r = rnd.random()
            if conv in mine and mine[conv][1] <= 0:
                run, _ = mine.pop(conv)
                how = rnd.choice(["complete", "cancel", "processing+complete"])
                try:
                    if how == "complete":
                        scalar(db, "SELECT complete_run(?)", (run,))
                    elif how == "cancel":
                        scalar(db, "SELECT cancel_run(?)", (run,))
                    else:
                        scalar(db, "SELECT set_run_status(?, 'processing')", (run,))
                        scalar(db, "SELECT complete_run(?)", (run,))
                    out["ends"].append((conv, run, "cancelled" if how == "cancel" else "completed"))
                except sqlite3.Error as e:
                    out["errors"].append(("end_run", str(e)))
            elif r < 0.25:
                try:
                    run = scalar(db, "SELECT start_run(?, 'topical_map', ?)",
                                 (conv, '{"worker": %d, "op": %d}' % (wid, i)))
                    out["runs"].append((conv, run))
                    mine[conv] = [run, rnd.randint(0, 3)]
                except sqlite3.Error as e:
                    out["errors"].append(("start_run", str(e)))
            elif r < 0.35:
                # start a run and post its first message in one caller transaction
                content = "w%d op%d run opener" % (wid, i)
                try:
                    db.execute("BEGIN IMMEDIATE")
                    run = scalar(db, "SELECT start_run(?, 'topical_map')", (conv,))
                    mid = scalar(db, "SELECT add_message(?, 'user', ?)", (conv, content))
                    db.execute("COMMIT")
                    out["runs"].append((conv, run))
                    out["messages"].append((conv, mid, "user", content))
                    out["opened"].append((mid, run))
                    mine[conv] = [run, rnd.randint(0, 3)]
                except sqlite3.Error as e:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    out["errors"].append(("start_run", str(e)))
            else:
                if conv in mine:
                    mine[conv][1] -= 1
                content = "w%d op%d %s" % (wid, i, "x" * rnd.randint(0, 40))
                role = rnd.choice(["user", "assistant", "tool", "system"])
                try:
                    mid = scalar(db, "SELECT add_message(?, ?, ?)", (conv, role, content))
                    out["messages"].append((conv, mid, role, content))
                except sqlite3.Error as e:
                    out["errors"].append(("add_message", str(e)))
        # end what this worker still holds, so the race leaves no dangling runs
        for conv, (run, _) in mine.items():
            try:
                scalar(db, "SELECT complete_run(?)", (run,))
                out["ends"].append((conv, run, "completed"))
            except sqlite3.Error as e:
                out["errors"].append(("end_run", str(e)))
        db.close()
    except Exception:
        out["crash"] = traceback.format_exc()
    queue.put(out)


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, (": " + detail) if detail else ""))


def main():
    t0 = time.monotonic()
    c = Checks()
    tmp = tempfile.mkdtemp(prefix="chatflow-race-")
    path = os.path.join(tmp, "race.db")
    try:
        # A fresh file in WAL mode; the schema is created by the racing workers.
        db0 = sqlite3.connect(path, isolation_level=None)
        c.check("fresh file in journal_mode %s" % JOURNAL,
                scalar(db0, "PRAGMA journal_mode=%s" % JOURNAL) == JOURNAL)
        db0.close()

        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(WORKERS)
        queue = ctx.Queue()
        procs = [ctx.Process(target=worker, args=(w, path, barrier, queue)) for w in range(WORKERS)]
        for p in procs:
            p.start()
        results = []
        deadline = t0 + DEADLINE_S
        while len(results) < WORKERS and time.monotonic() < deadline:
            try:
                results.append(queue.get(timeout=max(0.1, deadline - time.monotonic())))
            except Exception:
                break
        for p in procs:
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                p.terminate()
                p.join()
        elapsed = time.monotonic() - t0
        c.check("all %d workers reported within %.0f s" % (WORKERS, DEADLINE_S),
                len(results) == WORKERS, "%d reported" % len(results))
        crashes = [r["crash"] for r in results if r["crash"]]
        c.check("no worker crashed", not crashes, "\n".join(crashes))
        total_ops = sum(r["ops"] for r in results)
        c.check("a few hundred operations raced (%d)" % total_ops,
                total_ops >= WORKERS * OPS * 0.9, "only %d" % total_ops)

        # chatflow_init: everyone got the version, no error
        inits = {r["init"] for r in results}
        c.check("chatflow_init() at the same moment: every worker got version %d" % SCHEMA_VERSION,
                inits == {SCHEMA_VERSION}, repr(inits))

        # find_or_create_conversation: one id per key, for everyone
        per_key = {k: {r["convs"].get(k) for r in results} for k in KEYS}
        c.check("find_or_create_conversation returned one id per key to everyone",
                all(len(v) == 1 and None not in v for v in per_key.values()), repr(per_key))

        # errors: only active-run refusals from start_run, naming a real run
        errors = [(r["wid"], op, e) for r in results for op, e in r["errors"]]
        unexpected = [(w, op, e) for w, op, e in errors
                      if not (op == "start_run" and ACTIVE_RE.match(e))]
        c.check("no error other than 'already has an active run' refusals (%d refusals)" % len(errors),
                not unexpected,
                "\n  " + "\n  ".join("worker %d %s: %s" % u for u in unexpected[:20])
                + ("\n  ... %d in all" % len(unexpected) if len(unexpected) > 20 else ""))
        kinds = {}
        for _, op, e in unexpected:
            kinds[(op, re.sub(r"\d+", "N", e))] = kinds.get((op, re.sub(r"\d+", "N", e)), 0) + 1
        for (op, e), n in sorted(kinds.items()):
            print("     %4d x %s: %s" % (n, op, e))

        db = sqlite3.connect(path, isolation_level=None)  # plain reader, no extension
        conv_ids = sorted({v for vs in per_key.values() for v in vs if v is not None})
        c.check("exactly %d conversations exist" % len(KEYS),
                scalar(db, "SELECT count(*) FROM chat_conversations") == len(KEYS)
                and [r[0] for r in db.execute("SELECT id FROM chat_conversations ORDER BY id")]
                == conv_ids)

        # runs
        started = sorted(run for r in results for _, run in r["runs"])
        in_db = sorted(r[0] for r in db.execute("SELECT id FROM workflow_runs"))
        c.check("runs in the table are exactly the %d that start_run returned" % len(started),
                started == in_db and len(set(started)) == len(started),
                "returned %s, table %s" % (started, in_db))
        run_conv = {run: conv for r in results for conv, run in r["runs"]}
        db_run_conv = dict(db.execute("SELECT id, conversation_id FROM workflow_runs"))
        c.check("each run belongs to the conversation it was started on", run_conv == db_run_conv)
        act = db.execute(
            "SELECT conversation_id, count(*) FROM workflow_runs WHERE status IN "
            "('started','awaiting_clarification','awaiting_approval','processing') "
            "GROUP BY conversation_id HAVING count(*) > 1").fetchall()
        c.check("at most one active run per conversation", not act, repr(act))
        ends = {run: st for r in results for _, run, st in r["ends"]}
        db_status = dict(db.execute("SELECT id, status FROM workflow_runs"))
        c.check("every run ended as its worker ended it (none left active)",
                ends == db_status,
                repr({k: (ends.get(k), v) for k, v in db_status.items() if ends.get(k) != v}))
        c.check("more than one run per conversation over the race (runs were completed)",
                all(sum(1 for v in run_conv.values() if v == cv) >= 2 for cv in conv_ids),
                repr(started))
        # run lifetimes of one conversation never overlap: each run starts
        # after the previous one ended (events in id order)
        bad_overlap = []
        for cv in conv_ids:
            active = None
            for run, frm, to in db.execute(
                    "SELECT e.run_id, e.from_status, e.to_status FROM workflow_run_events e"
                    " JOIN workflow_runs r ON r.id = e.run_id WHERE r.conversation_id = ?"
                    " ORDER BY e.id", (cv,)):
                if frm is None:
                    if active is not None:
                        bad_overlap.append((cv, active, run))
                    active = run
                elif to in ("completed", "failed", "cancelled"):
                    if active == run:
                        active = None
        c.check("run lifetimes per conversation never overlap (event log)", not bad_overlap,
                repr(bad_overlap))
        refusals = [(w, e) for w, op, e in errors if op == "start_run"]
        bad_ref = [e for _, e in refusals
                   if (lambda m: m is None or run_conv.get(int(m.group(2))) != int(m.group(1)))(
                       ACTIVE_RE.match(e))]
        c.check("each refusal names a run of that conversation", not bad_ref, repr(bad_ref[:5]))

        # messages
        msgs = [m for r in results for m in r["messages"]]
        rows = {r[0]: r[1:] for r in db.execute(
            "SELECT id, conversation_id, role, content FROM chat_messages")}
        missing = [m for m in msgs if rows.get(m[1]) != (m[0], m[2], m[3])]
        c.check("every add_message id (%d) is present with its conversation, role, content"
                % len(msgs), not missing, repr(missing[:5]))
        c.check("no message in the table that add_message did not return",
                len(rows) == len(msgs) and len({m[1] for m in msgs}) == len(msgs),
                "%d rows, %d returned" % (len(rows), len(msgs)))
        gaps = []
        for cv in conv_ids:
            seqs = [r[0] for r in db.execute(
                "SELECT seq FROM chat_messages WHERE conversation_id = ? ORDER BY seq", (cv,))]
            if seqs != list(range(1, len(seqs) + 1)):
                gaps.append((cv, seqs))
        c.check("seq per conversation is exactly 1..n", not gaps, repr(gaps)[:500])
        # per worker, its own messages on a conversation come in the order it added them
        order_bad = []
        for r in results:
            for cv in conv_ids:
                ids = [mid for conv, mid, _, _ in r["messages"] if conv == cv]
                seqs = [db.execute("SELECT seq FROM chat_messages WHERE id = ?", (i,)).fetchone()[0]
                        for i in ids]
                if seqs != sorted(seqs):
                    order_bad.append((r["wid"], cv))
        c.check("each worker's messages replay in the order it added them", not order_bad,
                repr(order_bad))
        cnt = db.execute(
            "SELECT c.id, c.message_count, c.last_seq, c.total_tokens,"
            "       (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id),"
            "       (SELECT coalesce(max(seq), 0) FROM chat_messages m WHERE m.conversation_id = c.id),"
            "       (SELECT coalesce(sum(tokens), 0) FROM chat_messages m WHERE m.conversation_id = c.id)"
            "  FROM chat_conversations c").fetchall()
        c.check("message_count, last_seq, total_tokens equal a recount",
                all(r[1] == r[4] and r[2] == r[5] and r[3] == r[6] for r in cnt), repr(cnt))
        lm = db.execute(
            "SELECT c.id FROM chat_conversations c WHERE c.last_message_at IS NOT "
            "(SELECT created_at FROM chat_messages m WHERE m.conversation_id = c.id"
            " ORDER BY seq DESC LIMIT 1)").fetchall()
        c.check("last_message_at is the newest message's created_at", not lm, repr(lm))
        bad_run = db.execute(
            "SELECT m.id FROM chat_messages m LEFT JOIN workflow_runs r ON r.id = m.run_id"
            " WHERE m.run_id IS NOT NULL AND (r.id IS NULL OR r.conversation_id <> m.conversation_id"
            "   OR m.workflow_step IS NULL)").fetchall()
        c.check("messages attached to runs name a run of their conversation and its step",
                not bad_run, repr(bad_run[:5]))
        opened = [o for r in results for o in r["opened"]]
        bad_open = [(mid, run) for mid, run in opened
                    if db.execute("SELECT run_id FROM chat_messages WHERE id = ?",
                                  (mid,)).fetchone() != (run,)]
        c.check("a message added after start_run in the same BEGIN IMMEDIATE attaches to "
                "that run (%d)" % len(opened), opened and not bad_open, repr(bad_open[:5]))
        c.check("integrity_check is ok", scalar(db, "PRAGMA integrity_check") == "ok")
        db.close()
        elapsed = time.monotonic() - t0
        c.check("race finished in < 60 s (%.1f s)" % elapsed, elapsed < 60)
    except Exception:
        c.check("race harness ran", False, traceback.format_exc())
    finally:
        if os.environ.get("RACE_KEEP"):
            print("kept %s" % path)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    # Regression: a chatflow write opening a deferred transaction waits for
    # the lock like autocommit does (tests/race/deferred_busy.py).
    import subprocess
    here = os.path.dirname(os.path.abspath(__file__))
    r = subprocess.run([sys.executable, os.path.join(here, "deferred_busy.py")],
                       capture_output=True, text=True, timeout=60)
    c.check("deferred BEGIN + add_message, and each writer given JSON, waits for the write lock", r.returncode == 0,
            r.stdout + r.stderr)
    # Regression (issue 8): a call failing with "database is locked" in
    # rollback-journal mode ends its own transaction (tests/race/locked_txn.py),
    # and the acknowledged-write race in both journal modes, with and without
    # a busy timeout (tests/race/ack_race.py).
    for script, what in (("locked_txn.py", "a locked add_message leaves no transaction open "
                          "and later writes reach the disk"),
                         ("ack_race.py", "acknowledged-write race, DELETE and WAL, with and "
                          "without busy_timeout"),
                         ("queue_race.py", "double-texting race: the four on_active strategies, "
                          "and start_run against expire_stale_runs")):
        r = subprocess.run([sys.executable, os.path.join(here, script)],
                           capture_output=True, text=True, timeout=300)
        print("  --- %s" % script)
        for line in (r.stdout + r.stderr).splitlines():
            print("  " + line)
        c.check(what, r.returncode == 0, "%s exited %d" % (script, r.returncode))
    print("race: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
