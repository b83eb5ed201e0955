#!/usr/bin/python3
"""Double-texting race: start_run's four on_active strategies, and start_run
against expire_stale_runs(), from several processes on one WAL file.

Part 1 (strategies).  QUEUE_WORKERS processes (multiprocessing, 'spawn';
busy_timeout 10000, autocommit), released together by a barrier, loop over
random operations on three conversations: start_run with on_active reject,
cancel, enqueue or rollback (each call records the run id it was given),
add_message (which attaches to the active run), and ending the active run
(BEGIN IMMEDIATE; active_run; complete_run or cancel_run; COMMIT).  Then,
reading the file without the extension:
  - no worker crashed; no error but the expected ones (reject's "already
    has an active run");
  - at most one active run per conversation, now and at every moment of
    the event log (replayed in event order);
  - queue order is commit order: in each conversation the runs that left
    the queue for started did so in increasing id order (ids are given
    under the write lock, so in commit order);
  - no queued run is stranded: a conversation with a queued run has an
    active run;
  - no lost run: every id start_run returned is in the table, unless a
    later rollback on the same conversation (a larger returned id)
    deleted it; a rolled-back run left no message, event or proposal;
  - every run that went from queued to started had a lease from then;
    integrity_check is ok and message counters equal a recount.

Part 2 (expiry).  With runs.lease_seconds = 1 and runs that wait with a
one-second ttl_seconds, half the workers start runs (reject) and move
them to awaiting_clarification, the other half call expire_stale_runs()
in a loop.  Checks: no error but the expected refusals; at most one
active run per conversation; every run start_run returned exists; every
failed run failed with 'lease expired' and every expired run was
awaiting; each ended run has exactly one event into its final status.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/race/queue_race.py
Environment: QUEUE_WORKERS (8), QUEUE_OPS (operations per worker, 60).
Prints one line per check and "queue_race: N passed, M failed".
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

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
WORKERS = int(os.environ.get("QUEUE_WORKERS", "8"))
OPS = int(os.environ.get("QUEUE_OPS", "60"))
CONVS = [1, 2, 3]
ACTIVE = ("started", "awaiting_clarification", "awaiting_approval", "processing")
ACTIVE_SQL = "('started','awaiting_clarification','awaiting_approval','processing')"
REFUSAL = re.compile(r"^chatflow: conversation \d+ already has an active run \d+ \([a-z_]+\)$")
# ending a run that another worker ended (or rolled back) in between
GONE = re.compile(r"^chatflow: (run \d+ is (completed|cancelled|failed|expired)|unknown run \d+)")


def connect(path):
    db = sqlite3.connect(path, isolation_level=None, timeout=10.0)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.execute("PRAGMA busy_timeout = 10000")
    return db


def strategy_worker(wid, path, barrier, queue):
    out = {"wid": wid, "crash": None, "starts": [], "errors": [], "messages": []}
    try:
        rnd = random.Random(wid * 7919)
        db = connect(path)
        barrier.wait()
        for i in range(OPS):
            conv = rnd.choice(CONVS)
            op = rnd.random()
            try:
                if op < 0.6:
                    how = rnd.choice(["reject", "cancel", "enqueue", "rollback"])
                    run = db.execute("SELECT start_run(?, 'topical_map', NULL, ?)",
                                     (conv, '{"on_active": "%s"}' % how)).fetchone()[0]
                    out["starts"].append((conv, how, run))
                elif op < 0.8:
                    mid = db.execute("SELECT add_message(?, 'user', ?)",
                                     (conv, "w%d op%d" % (wid, i))).fetchone()[0]
                    out["messages"].append(mid)
                else:
                    db.execute("BEGIN IMMEDIATE")
                    try:
                        run = db.execute("SELECT active_run(?)", (conv,)).fetchone()[0]
                        if run is not None:
                            fn = rnd.choice(["complete_run", "cancel_run"])
                            db.execute("SELECT %s(?)" % fn, (run,)).fetchone()
                        db.execute("COMMIT")
                    except sqlite3.Error:
                        if db.in_transaction:
                            db.execute("ROLLBACK")
                        raise
            except sqlite3.Error as e:
                out["errors"].append(str(e))
        db.close()
    except Exception:
        out["crash"] = traceback.format_exc()
    queue.put(out)


def expiry_worker(wid, path, barrier, queue):
    out = {"wid": wid, "crash": None, "starts": [], "errors": [], "expired": 0}
    try:
        rnd = random.Random(wid * 104729)
        db = connect(path)
        barrier.wait()
        t_end = time.monotonic() + 6.0
        while time.monotonic() < t_end:
            try:
                if wid % 2:
                    out["expired"] += db.execute("SELECT expire_stale_runs()").fetchone()[0]
                    time.sleep(0.05)
                else:
                    conv = rnd.choice(CONVS)
                    run = db.execute("SELECT start_run(?, 'topical_map', NULL, '{\"ttl_seconds\": 1}')",
                                     (conv,)).fetchone()[0]
                    out["starts"].append((conv, "reject", run))
                    if rnd.random() < 0.5:
                        db.execute("SELECT advance_run(?)", (run,)).fetchone()
                    time.sleep(0.02)
            except sqlite3.Error as e:
                out["errors"].append(str(e))
                time.sleep(0.02)
        db.close()
    except Exception:
        out["crash"] = traceback.format_exc()
    queue.put(out)


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % what)
        else:
            self.failed += 1
            print("FAIL %s%s" % (what, ("\n     " + str(detail)) if detail else ""))


def race(path, target, n):
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(n)
    queue = ctx.Queue()
    procs = [ctx.Process(target=target, args=(w, path, barrier, queue)) for w in range(n)]
    for p in procs:
        p.start()
    results = []
    deadline = time.monotonic() + 120
    while len(results) < n and time.monotonic() < deadline:
        try:
            results.append(queue.get(timeout=max(0.1, deadline - time.monotonic())))
        except Exception:
            break
    for p in procs:
        p.join(max(0.1, deadline - time.monotonic()))
        if p.is_alive():
            p.terminate()
            p.join()
    return results


def fresh(tmp, name, setup):
    path = os.path.join(tmp, name)
    db = connect(path)
    db.execute("PRAGMA journal_mode=wal")
    db.execute("SELECT chatflow_init()")
    for conv in CONVS:
        db.execute("SELECT create_conversation('acme', 'c%d')" % conv)
    for sql in setup:
        db.execute(sql)
    db.close()
    return path


def one_active_in_log(db):
    """Replays the event log: the conversations where two runs were active at once."""
    active = {}
    bad = []
    for run, conv, frm, to in db.execute(
            "SELECT e.run_id, r.conversation_id, e.from_status, e.to_status"
            "  FROM workflow_run_events AS e JOIN workflow_runs AS r ON r.id = e.run_id ORDER BY e.id"):
        s = active.setdefault(conv, set())
        if to in ACTIVE:
            s.add(run)
        else:
            s.discard(run)
        if len(s) > 1:
            bad.append((conv, sorted(s)))
    return bad


def common(c, results, n, path):
    c.check("all %d workers reported" % n, len(results) == n, "%d reported" % len(results))
    crashes = [r["crash"] for r in results if r["crash"]]
    c.check("no worker crashed", not crashes, "\n".join(crashes))
    db = sqlite3.connect(path, isolation_level=None)  # no extension
    act = db.execute("SELECT conversation_id, count(*) FROM workflow_runs WHERE status IN %s"
                     " GROUP BY conversation_id HAVING count(*) > 1" % ACTIVE_SQL).fetchall()
    c.check("at most one active run per conversation now", not act, repr(act))
    bad = one_active_in_log(db)
    c.check("at most one active run per conversation at every moment of the event log",
            not bad, repr(bad[:5]))
    c.check("integrity_check is ok", db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    recount = db.execute(
        "SELECT count(*) FROM chat_conversations AS c WHERE message_count IS NOT"
        " (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)").fetchone()[0]
    c.check("message counters equal a recount", recount == 0, "%d differ" % recount)
    return db


def part_strategies(c, tmp):
    path = fresh(tmp, "strategies.db", [])
    results = race(path, strategy_worker, WORKERS)
    db = common(c, results, WORKERS, path)
    errors = [e for r in results for e in r["errors"]]
    unexpected = [e for e in errors if not (REFUSAL.match(e) or GONE.match(e))]
    c.check("no error but reject's refusals and runs ended meanwhile (%d of %d)"
            % (len(errors) - len(unexpected), len(errors)), not unexpected, repr(unexpected[:5]))
    starts = [s for r in results for s in r["starts"]]
    hows = {how for _, how, _ in starts}
    c.check("every strategy won at least once (%s)" % ", ".join(sorted(hows)),
            hows == {"reject", "cancel", "enqueue", "rollback"})
    rows = dict(db.execute("SELECT id, conversation_id FROM workflow_runs"))
    rollbacks = {}
    for conv, how, run in starts:
        if how == "rollback":
            rollbacks.setdefault(conv, []).append(run)
    lost = [(conv, how, run) for conv, how, run in starts
            if run not in rows and not any(rb > run for rb in rollbacks.get(conv, []))]
    c.check("no lost run: every id start_run returned exists or a later rollback deleted it "
            "(%d returned, %d in the table)" % (len(starts), len(rows)), not lost, repr(lost[:5]))
    wrong = [(conv, run) for conv, _, run in starts if run in rows and rows[run] != conv]
    c.check("each run belongs to the conversation it was started on", not wrong, repr(wrong[:5]))
    orphans = db.execute(
        "SELECT (SELECT count(*) FROM chat_messages WHERE run_id IS NOT NULL AND run_id NOT IN"
        " (SELECT id FROM workflow_runs)), (SELECT count(*) FROM workflow_run_events WHERE run_id"
        " NOT IN (SELECT id FROM workflow_runs))").fetchone()
    c.check("a rolled-back run left no message or event", orphans == (0, 0), repr(orphans))
    order_bad = []
    for conv in CONVS:
        ids = [r[0] for r in db.execute(
            "SELECT e.run_id FROM workflow_run_events AS e JOIN workflow_runs AS r ON r.id = e.run_id"
            " WHERE r.conversation_id = ? AND e.from_status = 'queued' AND e.to_status = 'started'"
            " ORDER BY e.id", (conv,))]
        if ids != sorted(ids):
            order_bad.append((conv, ids))
    n_promoted = db.execute("SELECT count(*) FROM workflow_run_events WHERE from_status = 'queued'"
                            " AND to_status = 'started'").fetchone()[0]
    c.check("queue order is commit order (%d runs left the queue)" % n_promoted,
            not order_bad and n_promoted > 0, repr(order_bad))
    stranded = db.execute(
        "SELECT DISTINCT conversation_id FROM workflow_runs AS q WHERE status = 'queued'"
        " AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE conversation_id = q.conversation_id"
        " AND status IN %s)" % ACTIVE_SQL).fetchall()
    c.check("no queued run stranded without an active run", not stranded, repr(stranded))
    nolease = db.execute(
        "SELECT count(*) FROM workflow_runs AS r WHERE status IN ('started', 'processing')"
        " AND lease_expires_at IS NULL").fetchone()[0]
    c.check("every started or processing run holds a lease", nolease == 0, "%d without" % nolease)
    db.close()


def part_expiry(c, tmp):
    path = fresh(tmp, "expiry.db", ["SELECT chatflow_config('runs.lease_seconds', '1')"])
    results = race(path, expiry_worker, WORKERS)
    db = common(c, results, WORKERS, path)
    errors = [e for r in results for e in r["errors"]]
    unexpected = [e for e in errors if not (REFUSAL.match(e) or GONE.match(e))]
    c.check("no error but refusals and runs ended meanwhile (%d of %d)"
            % (len(errors) - len(unexpected), len(errors)), not unexpected, repr(unexpected[:5]))
    starts = [s for r in results for s in r["starts"]]
    rows = dict(db.execute("SELECT id, status FROM workflow_runs"))
    lost = [s for s in starts if s[2] not in rows]
    c.check("every run start_run returned exists (%d runs)" % len(starts), starts and not lost,
            repr(lost[:5]))
    swept = sum(r["expired"] for r in results)
    ended = db.execute("SELECT count(*) FROM workflow_runs WHERE status IN ('failed', 'expired')"
                       ).fetchone()[0]
    c.check("runs ended as stale: %d by expire_stale_runs, %d in all (start_run did the rest)"
            % (swept, ended), ended >= swept and ended > 0)
    wrong = db.execute(
        "SELECT id, status, error FROM workflow_runs WHERE (status = 'failed' AND error IS NOT"
        " 'lease expired') OR (status = 'expired' AND id NOT IN (SELECT run_id FROM"
        " workflow_run_events WHERE to_status = 'expired' AND from_status IN"
        " ('awaiting_clarification', 'awaiting_approval')))").fetchall()
    c.check("failed runs failed with 'lease expired', expired runs were awaiting", not wrong,
            repr(wrong[:5]))
    twice = db.execute(
        "SELECT r.id, count(e.id) FROM workflow_runs AS r JOIN workflow_run_events AS e"
        " ON e.run_id = r.id AND e.to_status = r.status AND e.from_status IS NOT r.status"
        " WHERE r.status NOT IN %s GROUP BY r.id HAVING count(e.id) <> 1" % ACTIVE_SQL).fetchall()
    c.check("each ended run has exactly one event into its final status", not twice, repr(twice[:5]))
    db.close()


def main():
    c = Checks()
    tmp = tempfile.mkdtemp(prefix="chatflow-queue-race-")
    t0 = time.monotonic()
    try:
        part_strategies(c, tmp)
        part_expiry(c, tmp)
    except Exception:
        c.check("queue race harness ran", False, traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("queue_race: %d passed, %d failed (%.1f s)" % (c.passed, c.failed, time.monotonic() - t0))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
