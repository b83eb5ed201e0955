#!/usr/bin/python3
"""Regression test (run by tests/race/race.py): a chatflow write as the FIRST
statement of a deferred transaction should wait in the busy handler like
it does in autocommit mode, and a lock error should not read "(not an
error)".

  conn A: BEGIN IMMEDIATE; SELECT add_message(...)   -- holds the write lock 0.5 s
  conn B: BEGIN; SELECT add_message(...)             -- busy_timeout 5000

Expected: B waits ~0.5 s and gets its message id.  Seen before the fix: B failed at
once with "chatflow: database is locked (not an error); retry, or open the
transaction with BEGIN IMMEDIATE".  Cause: every writing function runs
cfCheckSchema (a read) before cfBegin takes the write lock, so the
caller's deferred transaction becomes a read transaction and SQLite
upgrades it without calling the busy handler; and cfBegin's cfEnd on
failure resets sqlite3_errmsg before the caller formats it.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/race/deferred_busy.py
Exit 0 when B waited and succeeded, 1 otherwise.
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))


def conn(path):
    db = sqlite3.connect(path, isolation_level=None, timeout=5, check_same_thread=False)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    return db


def main():
    tmp = tempfile.mkdtemp(prefix="chatflow-deferred-")
    try:
        path = os.path.join(tmp, "r.db")
        a = conn(path)
        a.execute("PRAGMA journal_mode=WAL")
        a.execute("SELECT chatflow_init()")
        a.execute("SELECT create_conversation('o')")
        b = conn(path)
        a.execute("BEGIN IMMEDIATE")
        a.execute("SELECT add_message(1, 'user', 'from a')")
        timer = threading.Timer(0.5, lambda: a.execute("COMMIT"))
        timer.start()
        t = time.monotonic()
        try:
            b.execute("BEGIN")
            mid = b.execute("SELECT add_message(1, 'user', 'from b')").fetchone()[0]
            b.execute("COMMIT")
            print("ok: deferred BEGIN + add_message waited %.2f s and got id %d"
                  % (time.monotonic() - t, mid))
            rc = 0
        except sqlite3.Error as e:
            print("FAIL after %.2f s: %s" % (time.monotonic() - t, e))
            rc = 1
        timer.join()
        a.close()
        b.close()
        return rc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
