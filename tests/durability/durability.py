#!/usr/bin/python3
"""kill -9 durability loop (issue 8): acknowledged messages survive a crash.

Each trial starts a child process (this script with --child) on a file
database with PRAGMA synchronous=FULL, in journal mode DELETE or WAL
(alternating trials, one file per mode that lives across all its trials, so
every trial also starts from a crash-recovered file).  The child writes
messages with add_message (varied sizes, a token count, several
conversations, now and then a new conversation) and after each call that
returned an id prints "<id> <n>" to its stdout pipe and flushes: a printed
id is an acknowledged write.  The parent kills it with SIGKILL at a random
moment (0-120 ms after its first acknowledgement), reads every line the
child printed, reopens the file without the extension and checks:

  - every acknowledged message is present with its content;
  - at most one message is present that was not acknowledged (the call
    that committed but was killed before it printed);
  - PRAGMA integrity_check is ok, and the search index's integrity-check;
  - each conversation's message_count, last_seq and total_tokens equal a
    recount of its messages;
  - the extension loads again and chatflow_init() reports the schema
    version without migrating anything.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/durability/durability.py [trials]
(default 30; `make durability` runs 300).  Prints the trial count, the
acknowledged messages and the losses, and ends with
"durability: N passed, M failed" (one check per trial, plus the totals).
"""
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))


def connect(path, ext=True):
    db = sqlite3.connect(path, isolation_level=None, timeout=10)
    if ext:
        db.enable_load_extension(True)
        db.load_extension(EXT)
        db.enable_load_extension(False)
    return db


def content_of(n):
    # deterministic from the child's counter: the parent recomputes it
    return ("m%d " % n) + ("lorem ipsum %d " % n) * ((n * 7919) % 97)


def child(path, journal, seed):
    db = connect(path)
    db.execute("PRAGMA journal_mode=%s" % journal)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("SELECT chatflow_init()")
    convs = [r[0] for r in db.execute("SELECT id FROM chat_conversations ORDER BY id")]
    if not convs:
        convs = [db.execute("SELECT create_conversation('dur', 'first')").fetchone()[0]]
    rnd = random.Random(seed)
    n = seed * 100000
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    while True:
        n += 1
        if rnd.random() < 0.03:
            convs.append(db.execute("SELECT create_conversation('dur', ?)",
                                    ("c%d" % n,)).fetchone()[0])
        conv = rnd.choice(convs)
        mid = db.execute("SELECT add_message(?, 'user', ?, json_object('tokens', ?))",
                         (conv, content_of(n), n % 50)).fetchone()[0]
        out.write("%d %d\n" % (mid, n))
        out.flush()


def check_db(path, acked, seen_before):
    """Returns (problems, lost, unacked_new, rows)."""
    problems = []
    db = connect(path, ext=False)
    rows = {r[0]: r[1] for r in db.execute("SELECT id, content FROM chat_messages")}
    lost = [mid for mid, n in acked.items() if rows.get(mid) != content_of(n)]
    unacked_new = [mid for mid in rows if mid not in acked and mid not in seen_before]
    ic = db.execute("PRAGMA integrity_check").fetchall()
    if ic != [("ok",)]:
        problems.append("integrity_check: %r" % ic[:5])
    for t in ("chat_messages_fts", "chat_titles_fts"):
        try:
            db.execute("INSERT INTO %s(%s) VALUES('integrity-check')" % (t, t))
        except sqlite3.Error as e:
            problems.append("%s integrity-check: %s" % (t, e))
    bad = db.execute(
        "SELECT c.id, c.message_count, c.last_seq, c.total_tokens,"
        "  (SELECT count(*) FROM chat_messages m WHERE m.conversation_id = c.id),"
        "  (SELECT coalesce(max(seq), 0) FROM chat_messages m WHERE m.conversation_id = c.id),"
        "  (SELECT coalesce(sum(tokens), 0) FROM chat_messages m WHERE m.conversation_id = c.id)"
        "  FROM chat_conversations c").fetchall()
    bad = [r for r in bad if r[1] != r[4] or r[2] != r[5] or r[3] != r[6]]
    if bad:
        problems.append("counters differ from a recount: %r" % bad[:3])
    db.close()
    db = connect(path)
    v = db.execute("SELECT chatflow_init()").fetchone()[0]
    nmig = db.execute("SELECT count(*) FROM chatflow_migrations").fetchone()[0]
    if v != nmig:
        problems.append("chatflow_init() returned %r with %r migrations recorded" % (v, nmig))
    db.close()
    return problems, lost, unacked_new, rows


def main():
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    t0 = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="chatflow-durability-")
    passed = failed = 0
    totals = {"acked": 0, "lost": 0, "unacked": 0, "zero": 0}
    per_mode = {}
    state = {}
    try:
        for mode in ("delete", "wal"):
            path = os.path.join(tmp, "%s.db" % mode)
            state[mode] = {"path": path, "acked": {}, "seen": set()}
            per_mode[mode] = {"trials": 0, "acked": 0, "lost": 0}
        rnd = random.Random(int(os.environ.get("DURABILITY_SEED", "8")))
        for t in range(trials):
            mode = ("delete", "wal")[t % 2]
            st = state[mode]
            errf = tempfile.TemporaryFile(mode="w+")
            p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child",
                                  st["path"], mode, str(t + 1)],
                                 stdout=subprocess.PIPE, stderr=errf, text=True)
            first = p.stdout.readline()
            ok = first == "ready\n"
            lines = [] if ok else [first]
            if ok:
                lines.append(p.stdout.readline())  # the first acknowledgement
                time.sleep(rnd.uniform(0, 0.12))
            p.send_signal(signal.SIGKILL)
            # read through the same buffered reader as readline() (it may
            # already hold lines), up to the end of the pipe
            lines += p.stdout.read().splitlines()
            p.stdout.close()
            p.wait()
            errf.seek(0)
            err = errf.read()
            errf.close()
            new = {}
            for line in lines:
                parts = line.split()
                if len(parts) == 2 and parts[0].isdigit():
                    new[int(parts[0])] = int(parts[1])
            st["acked"].update(new)
            try:
                problems, lost, unacked, rows = check_db(st["path"], st["acked"], st["seen"])
            except Exception:
                problems, lost, unacked, rows = [traceback.format_exc()], [], [], {}
            if not ok:
                problems.append("child did not start: %r %s" % (first, err[-500:]))
            if len(unacked) > 1:
                problems.append("%d messages on disk that no call acknowledged" % len(unacked))
            if lost:
                problems.append("%d acknowledged messages lost: %r" % (len(lost), lost[:5]))
            st["seen"] = set(rows)
            per_mode[mode]["trials"] += 1
            per_mode[mode]["lost"] += len(lost)
            totals["lost"] += len(lost)
            totals["unacked"] += len(unacked)
            if problems:
                failed += 1
                print("FAIL trial %d (%s): %s" % (t + 1, mode, "; ".join(problems)))
            else:
                passed += 1
        for mode in ("delete", "wal"):
            n = len(state[mode]["acked"])
            per_mode[mode]["acked"] = n
            totals["acked"] += n
            print("     %s: %d trials, %d acknowledged messages, %d lost"
                  % (mode, per_mode[mode]["trials"], n, per_mode[mode]["lost"]))
        print("ok   %d of %d trials held (kill -9 at a random moment, synchronous=FULL)"
              % (passed, trials) if not failed else
              "FAIL %d of %d trials failed" % (failed, trials))
        print("     %d acknowledged messages in all, %d lost, %d committed but not yet "
              "acknowledged when killed, %.1f s"
              % (totals["acked"], totals["lost"], totals["unacked"], time.monotonic() - t0))
        if totals["acked"] < trials:
            failed += 1
            print("FAIL fewer acknowledged messages (%d) than trials" % totals["acked"])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("durability: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit(main())
