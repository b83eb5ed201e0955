#!/usr/bin/python3
"""Acknowledged-write race (issue 8): N processes x M operations on one file,
in both journal modes (DELETE and WAL), with and without a busy timeout.

Each worker (multiprocessing, 'spawn'; Python sqlite3 with
isolation_level=None, so every call runs in autocommit) loops over
random operations: add_message, start_run followed later by cancel_run,
create_conversation, and reads (chat_history, export_conversation, and
a read transaction BEGIN; SELECT; 2 ms; COMMIT) whose shared locks make the
writers' commits wait.  Every call either returns a value (acknowledged) or
raises sqlite3.Error; right after every failed call the worker records
whether its connection is still inside a transaction (conn.in_transaction
must be False: the call began the transaction, so it must end it).  The
worker then closes its connection normally.

The parent then reopens the file without the extension and checks:
  - no worker crashed, every call either succeeded or raised an error;
  - no failed call left its connection in a transaction;
  - every acknowledged message, conversation and run is on disk (count of
    acknowledged ids vs rows, and each id with its content), and no row
    exists that no call acknowledged;
  - every acknowledged cancel_run left its run cancelled, at most one
    active run per conversation;
  - message_count / last_seq equal a recount; PRAGMA integrity_check ok.
It also prints, with a busy timeout, how long the calls that failed with
"database is locked" had waited (a call that gives up sooner than the
timeout would show here).

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/race/ack_race.py
Environment: ACK_WORKERS (6), ACK_OPS (operations per worker, 200),
ACK_MODES (default "delete:0 delete:2000 wal:0 wal:2000", journal:busy_ms).
Prints one line per check and "ack_race: N passed, M failed"; exit 1 on
any failure.
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
WORKERS = int(os.environ.get("ACK_WORKERS", "6"))
OPS = int(os.environ.get("ACK_OPS", "200"))
MODES = os.environ.get("ACK_MODES", "delete:0 delete:2000 wal:0 wal:2000").split()
NCONV = 3  # conversations created before the race


def connect(path, busy_ms):
    db = sqlite3.connect(path, timeout=busy_ms / 1000.0, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    db.execute("PRAGMA busy_timeout=%d" % busy_ms)
    return db


def worker(wid, path, busy_ms, barrier, queue):
    out = {"wid": wid, "msgs": [], "convs": [], "runs": [], "cancels": [], "errors": {},
           "open_after_fail": [], "lock_waits": [], "ops": 0, "crash": None}
    rnd = random.Random(7000 + wid)
    try:
        db = connect(path, busy_ms)
        barrier.wait(30)
        convs = list(range(1, NCONV + 1))
        mine = []  # runs this worker started and has not cancelled yet

        def call(op, sql, args):
            t = time.monotonic()
            try:
                return True, db.execute(sql, args).fetchone()[0]
            except sqlite3.Error as e:
                if "locked" in str(e):
                    out["lock_waits"].append(time.monotonic() - t)
                key = (op, re.sub(r"\d+", "N", str(e)))
                out["errors"][key] = out["errors"].get(key, 0) + 1
                if db.in_transaction:
                    out["open_after_fail"].append((op, str(e)))
                return False, None

        for i in range(OPS):
            out["ops"] += 1
            r = rnd.random()
            if r < 0.45:
                conv = rnd.choice(convs)
                content = "w%d op%d %s" % (wid, i, "x" * rnd.randint(0, 30))
                ok, mid = call("add_message", "SELECT add_message(?, 'user', ?)", (conv, content))
                if ok:
                    out["msgs"].append((mid, conv, content))
            elif r < 0.6:
                if mine and rnd.random() < 0.6:
                    run = mine.pop(0)
                    ok, _ = call("cancel_run", "SELECT cancel_run(?)", (run,))
                    if ok:
                        out["cancels"].append(run)
                    else:
                        mine.insert(0, run)
                else:
                    conv = rnd.choice(convs)
                    ok, run = call("start_run", "SELECT start_run(?, 'topical_map')", (conv,))
                    if ok:
                        out["runs"].append((run, conv))
                        mine.append(run)
            elif r < 0.9:
                conv = rnd.choice(convs)
                q = rnd.random()
                if q < 0.2:
                    call("read", "SELECT count(*) FROM chat_history(?)", (conv,))
                elif q < 0.4:
                    call("read", "SELECT length(export_conversation(?))", (conv,))
                else:
                    # a reader's own transaction that keeps its shared lock a
                    # moment (what an application iterating a cursor does)
                    try:
                        db.execute("BEGIN")
                        db.execute("SELECT count(*) FROM chat_messages").fetchone()
                        time.sleep(0.002)
                        db.execute("COMMIT")
                    except sqlite3.Error as e:
                        key = ("read transaction", re.sub(r"\d+", "N", str(e)))
                        out["errors"][key] = out["errors"].get(key, 0) + 1
                        if db.in_transaction:
                            db.execute("ROLLBACK")
            else:
                title = "w%d c%d" % (wid, i)
                ok, cid = call("create_conversation",
                               "SELECT create_conversation('race', ?)", (title,))
                if ok:
                    out["convs"].append((cid, title))
                    convs.append(cid)
        db.close()
    except Exception:
        out["crash"] = traceback.format_exc()
    queue.put(out)


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, (": " + detail) if detail else ""))


def run_mode(c, journal, busy_ms):
    tag = "[%s, busy_timeout %d]" % (journal, busy_ms)
    tmp = tempfile.mkdtemp(prefix="chatflow-ack-")
    path = os.path.join(tmp, "ack.db")
    try:
        db0 = connect(path, 5000)
        db0.execute("PRAGMA journal_mode=%s" % journal)
        db0.execute("SELECT chatflow_init()")
        for k in range(NCONV):
            db0.execute("SELECT create_conversation('race', 'seed %d')" % k)
        db0.close()
        ctx = mp.get_context("spawn")
        barrier = ctx.Barrier(WORKERS)
        queue = ctx.Queue()
        procs = [ctx.Process(target=worker, args=(w, path, busy_ms, barrier, queue))
                 for w in range(WORKERS)]
        for p in procs:
            p.start()
        results = []
        deadline = time.monotonic() + 120
        while len(results) < WORKERS and time.monotonic() < deadline:
            try:
                results.append(queue.get(timeout=max(0.1, deadline - time.monotonic())))
            except Exception:
                break
        for p in procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
                p.join()
        c.check("%s all %d workers reported" % (tag, WORKERS), len(results) == WORKERS,
                "%d reported" % len(results))
        crashes = [r["crash"] for r in results if r["crash"]]
        c.check("%s no worker crashed" % tag, not crashes, "\n".join(crashes))
        nops = sum(r["ops"] for r in results)
        nfail = sum(n for r in results for n in r["errors"].values())
        kinds = {}
        for r in results:
            for k, n in r["errors"].items():
                kinds[k] = kinds.get(k, 0) + n
        print("     %s %d calls, %d acknowledged, %d failed with an error"
              % (tag, nops, nops - nfail, nfail))
        for (op, e), n in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]:
            print("     %5d x %s: %s" % (n, op, e[:150]))
        waits = sorted(w for r in results for w in r["lock_waits"])
        if waits and busy_ms:
            early = [w for w in waits if w < busy_ms / 1000.0 * 0.9]
            print("     %s %d calls failed with 'locked', %d of them sooner than the busy timeout"
                  " (waited %.0f..%.0f ms)" % (tag, len(waits), len(early), waits[0] * 1000,
                                               waits[-1] * 1000))
        open_fail = [o for r in results for o in r["open_after_fail"]]
        c.check("%s no failed call left its connection in a transaction (%d failed calls)"
                % (tag, nfail), not open_fail,
                "%d left in_transaction True, e.g. %r" % (len(open_fail), open_fail[:3]))

        db = sqlite3.connect(path, isolation_level=None)  # no extension
        msgs = [m for r in results for m in r["msgs"]]
        rows = {r[0]: (r[1], r[2]) for r in db.execute(
            "SELECT id, conversation_id, content FROM chat_messages")}
        lost = [m for m in msgs if rows.get(m[0]) != (m[1], m[2])]
        c.check("%s every acknowledged message is on disk (%d acknowledged, %d rows, %d lost)"
                % (tag, len(msgs), len(rows), len(lost)),
                not lost and len(rows) == len(msgs), repr(lost[:3]))
        convs = [cv for r in results for cv in r["convs"]]
        crow = {r[0]: r[1] for r in db.execute("SELECT id, title FROM chat_conversations")}
        lostc = [cv for cv in convs if crow.get(cv[0]) != cv[1]]
        c.check("%s every acknowledged conversation is on disk (%d acknowledged, %d rows)"
                % (tag, len(convs), len(crow) - NCONV),
                not lostc and len(crow) == len(convs) + NCONV, repr(lostc[:3]))
        runs = [rn for r in results for rn in r["runs"]]
        rrow = {r[0]: (r[1], r[2]) for r in db.execute(
            "SELECT id, conversation_id, status FROM workflow_runs")}
        lostr = [rn for rn in runs if rrow.get(rn[0], (None,))[0] != rn[1]]
        c.check("%s every acknowledged run is on disk (%d acknowledged, %d rows)"
                % (tag, len(runs), len(rrow)), not lostr and len(rrow) == len(runs),
                repr(lostr[:3]))
        cancels = [x for r in results for x in r["cancels"]]
        badc = [x for x in cancels if rrow.get(x, (0, None))[1] != "cancelled"]
        c.check("%s every acknowledged cancel_run is on disk (%d)" % (tag, len(cancels)),
                not badc, repr(badc[:5]))
        act = db.execute(
            "SELECT conversation_id FROM workflow_runs WHERE status IN "
            "('started','awaiting_clarification','awaiting_approval','processing') "
            "GROUP BY conversation_id HAVING count(*) > 1").fetchall()
        c.check("%s at most one active run per conversation" % tag, not act, repr(act))
        cnt = db.execute(
            "SELECT c.id FROM chat_conversations c WHERE c.message_count <> "
            "(SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id)"
            " OR c.last_seq < (SELECT coalesce(max(seq), 0) FROM chat_messages m"
            "                  WHERE m.conversation_id = c.id)").fetchall()
        c.check("%s message_count and last_seq equal a recount" % tag, not cnt, repr(cnt))
        c.check("%s integrity_check ok" % tag,
                db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        db.close()
    except Exception:
        c.check("%s harness ran" % tag, False, traceback.format_exc())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    c = Checks()
    t0 = time.monotonic()
    for m in MODES:
        journal, busy = m.split(":")
        run_mode(c, journal, int(busy))
    print("     %d modes x %d workers x %d operations in %.1f s"
          % (len(MODES), WORKERS, OPS, time.monotonic() - t0))
    print("ack_race: %d passed, %d failed" % (c.passed, c.failed))
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
