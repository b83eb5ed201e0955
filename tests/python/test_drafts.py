#!/usr/bin/python3
"""Streaming drafts across connections and processes (issue 16, docs/drafts.md).

  * two connections: a writer process streams a draft (begin_message, one
    append_message per delta, finish_message, each its own transaction)
    while this process reads it with another connection, following it by
    offset (SELECT substr(content, :offset + 1), status ...), dropping its
    connection halfway and resuming from the offset it had; the reader's
    chat_history_json leaves the draft out until it is complete; WAL and
    rollback-journal databases;
  * a writer killed mid-stream (kill -9 of the child process): every
    append it had committed is there, the draft still 'streaming'; with a
    pinned clock expire_stale_runs() leaves it alone up to
    messages.draft_timeout_seconds after its last append and aborts it
    after, the text kept; chatflow_check() finds nothing wrong.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/python/test_drafts.py
The output ends with "python: N passed, M failed".
"""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))
T0 = "2026-01-01T00:00:00.000Z"

# The writer: begins a draft in conversation 1, prints its id, appends the
# deltas given as JSON (sleeping between them), finishes unless told not to
# (then appends forever, for the kill).
WRITER = r"""
import json, sqlite3, sys, time
path, ext, deltas, pause, finish = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4]), sys.argv[5] == "1"
db = sqlite3.connect(path, isolation_level=None)
db.enable_load_extension(True)
db.load_extension(ext)
db.execute("PRAGMA busy_timeout = 5000")
mid = db.execute("SELECT begin_message(1, 'assistant')").fetchone()[0]
print(mid, flush=True)
i = 0
while True:
    delta = deltas[i % len(deltas)]
    n = db.execute("SELECT append_message(?, ?)", (mid, delta)).fetchone()[0]
    print(n, flush=True)
    i += 1
    if finish and i == len(deltas):
        break
    time.sleep(pause)
db.execute("SELECT finish_message(?, '{\"metadata\": {\"model\": \"writer\"}}')", (mid,))
print("done", flush=True)
"""


def connect(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    db.execute("PRAGMA busy_timeout = 5000")
    return db


def one(db, sql, args=()):
    row = db.execute(sql, args).fetchone()
    return row[0] if row is not None else None


class Drafts(unittest.TestCase):
    journal = "wal"

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="chatflow-drafts-")
        self.path = os.path.join(self.dir, "drafts.db")
        db = connect(self.path)
        db.execute("PRAGMA journal_mode = %s" % self.journal)
        db.execute("SELECT chatflow_init()")
        db.execute("SELECT create_conversation('acme', 'Streams')")
        db.execute("SELECT add_message(1, 'user', 'Tell me about bread.')")
        db.close()
        self.child = None

    def tearDown(self):
        if self.child and self.child.poll() is None:
            self.child.kill()
            self.child.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def writer(self, deltas, pause, finish=True):
        self.child = subprocess.Popen(
            [sys.executable, "-c", WRITER, self.path, EXT, json.dumps(deltas), str(pause),
             "1" if finish else "0"],
            stdout=subprocess.PIPE, text=True)
        return int(self.child.stdout.readline())

    def test_reader_follows_and_resumes(self):
        deltas = ["Bread ", "is ", "flour, ", "water, ", "salt ", "and ", "time; ", "sourdough ",
                  "adds ", "a ", "starter. ", "Crème ", "fraîche ", "is ", "not ", "bread. ", "🍞"]
        mid = self.writer(deltas, 0.03)
        want = "".join(deltas)
        reader = connect(self.path)
        offset, text, seen, reconnected = 0, "", [], False
        history_while_streaming = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            chunk, status = reader.execute(
                "SELECT substr(content, ? + 1), status FROM chat_messages WHERE id = ?",
                (offset, mid)).fetchone()
            text += chunk
            offset += len(chunk)
            seen.append((offset, status))
            if status == "streaming" and history_while_streaming is None and offset > 0:
                history_while_streaming = json.loads(one(reader, "SELECT chat_history_json(1)"))
            if status != "streaming":
                break
            if not reconnected and offset > len(want) // 3:
                # the reader loses its connection and comes back with its offset
                reader.close()
                reader = connect(self.path)
                reconnected = True
            time.sleep(0.01)
        self.assertEqual(self.child.wait(10), 0)
        self.assertTrue(reconnected)
        self.assertEqual(text, want)
        self.assertEqual(seen[-1], (len(want), "complete"))
        lengths = sorted({o for o, st in seen if st == "streaming"})
        self.assertGreater(len(lengths), 3, seen)          # it saw the draft grow
        self.assertEqual(lengths, sorted(lengths))
        self.assertEqual(history_while_streaming, [{"role": "user", "content": "Tell me about bread."}])
        self.assertEqual(json.loads(one(reader, "SELECT chat_history_json(1)"))[-1],
                         {"role": "assistant", "content": want})
        self.assertEqual(reader.execute("SELECT status, tokens, json_extract(metadata, '$.model')"
                                        " FROM chat_messages WHERE id = ?", (mid,)).fetchall(),
                         [("complete", (len(want) + 3) // 4, "writer")])
        self.assertEqual(reader.execute("SELECT * FROM chatflow_check() WHERE NOT ok").fetchall(), [])
        reader.close()

    def test_writer_killed_then_expired(self):
        mid = self.writer(["tick "], 0.01, finish=False)
        for _ in range(20):
            n = int(self.child.stdout.readline())   # committed appends, as the writer saw them
        os.kill(self.child.pid, signal.SIGKILL)
        self.child.wait()
        self.assertEqual(self.child.returncode, -signal.SIGKILL)
        db = connect(self.path)
        status, content, streamed_at = db.execute(
            "SELECT status, content, streamed_at FROM chat_messages WHERE id = ?", (mid,)).fetchone()
        self.assertEqual(status, "streaming")
        self.assertGreaterEqual(len(content), n)         # every append it reported is there
        self.assertEqual(content, "tick " * (len(content) // 5))
        self.assertEqual(db.execute("SELECT * FROM chatflow_check() WHERE NOT ok").fetchall(), [])
        # the writer's last append was at streamed_at (the real clock); the
        # timeout counts from there
        just_before = one(db, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+299.999 seconds')", (streamed_at,))
        just_after = one(db, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+300.001 seconds')", (streamed_at,))
        db.execute("SELECT chatflow_clock(?)", (just_before,))
        self.assertEqual(one(db, "SELECT expire_stale_runs()"), 0)
        self.assertEqual(one(db, "SELECT status FROM chat_messages WHERE id = ?", (mid,)), "streaming")
        db.execute("SELECT chatflow_clock(?)", (just_after,))
        self.assertEqual(one(db, "SELECT expire_stale_runs()"), 1)
        self.assertEqual(db.execute("SELECT status, content, tokens, json_extract(metadata, '$.abort_reason')"
                                    " FROM chat_messages WHERE id = ?", (mid,)).fetchall(),
                         [("aborted", content, (len(content) + 3) // 4,
                           "no append for 300 seconds (messages.draft_timeout_seconds)")])
        self.assertEqual(one(db, "SELECT expire_stale_runs()"), 0)
        self.assertEqual(json.loads(one(db, "SELECT chat_history_json(1)")),
                         [{"role": "user", "content": "Tell me about bread."}])
        with self.assertRaises(sqlite3.Error) as cm:
            db.execute("SELECT append_message(?, 'late')", (mid,))
        self.assertEqual(str(cm.exception), "chatflow: message %d is aborted, not streaming" % mid)
        self.assertEqual(db.execute("SELECT * FROM chatflow_check() WHERE NOT ok").fetchall(), [])
        db.close()


class DraftsRollbackJournal(Drafts):
    journal = "delete"


def main():
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    res = unittest.TextTestRunner(stream=sys.stdout, verbosity=2).run(suite)
    bad = {getattr(t, "test_case", t).id() for t, _ in res.failures + res.errors + res.skipped}
    bad |= {t.id() for t in res.unexpectedSuccesses}
    print("python: %d passed, %d failed" % (res.testsRun - len(bad), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
