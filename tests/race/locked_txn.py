#!/usr/bin/python3
"""Regression test (issue 8; run by tests/race/race.py): a writing call that
fails with "database is locked" in rollback-journal mode must end the
transaction it began, so later acknowledged writes are not lost.

  A, B: two connections to one file, journal_mode=DELETE, busy timeout 200 ms
  B: BEGIN; SELECT count(*) FROM chat_messages;    -- holds a SHARED lock
  A: SELECT add_message(1, 'user', 'first')        -- fails: database is locked
     A.in_transaction must be False right after the failure
  B: COMMIT
  A: add_message twice                             -- two ids
  close A, reopen: both messages are on disk

Seen before the fix: A stayed inside an open transaction after the failed
call, both later add_message calls "succeeded" inside it, and closing A
rolled them back (0 messages on disk).

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/race/locked_txn.py
Prints one line per check and exits 0 when all hold, 1 otherwise.
"""
import os
import shutil
import sqlite3
import sys
import tempfile

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))


def conn(path, timeout):
    db = sqlite3.connect(path, isolation_level=None, timeout=timeout)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    return db


def main():
    failed = 0

    def check(name, ok, detail=""):
        nonlocal failed
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if detail and not ok else ""))
        if not ok:
            failed += 1

    tmp = tempfile.mkdtemp(prefix="chatflow-locked-")
    try:
        path = os.path.join(tmp, "l.db")
        a = conn(path, 0.2)
        a.execute("PRAGMA journal_mode=DELETE")
        a.execute("PRAGMA busy_timeout=200")
        a.execute("SELECT chatflow_init()")
        a.execute("SELECT create_conversation('o')")
        b = conn(path, 0.2)
        b.execute("BEGIN")
        b.execute("SELECT count(*) FROM chat_messages").fetchone()
        err = None
        try:
            a.execute("SELECT add_message(1, 'user', 'first')").fetchone()
        except sqlite3.Error as e:
            err = str(e)
        check("add_message fails while a reader holds its lock", err is not None and "locked" in err,
              repr(err))
        check("the failed call left no transaction open (in_transaction False)",
              not a.in_transaction)
        if a.in_transaction:
            # what the pre-fix build does; go on to show the consequence
            pass
        b.execute("COMMIT")
        ids = []
        for text in ("second", "third"):
            try:
                ids.append(a.execute("SELECT add_message(1, 'user', ?)", (text,)).fetchone()[0])
            except sqlite3.Error as e:
                check("add_message after the reader committed", False, str(e))
        check("two add_message calls after the reader committed return ids", len(ids) == 2,
              repr(ids))
        check("in_transaction False after the successful calls", not a.in_transaction)
        a.close()
        b.close()
        c = sqlite3.connect(path, isolation_level=None)
        rows = [r[0] for r in c.execute("SELECT id FROM chat_messages ORDER BY id")]
        check("after close and reopen both acknowledged messages are on disk", rows == ids,
              "on disk %r, acknowledged %r" % (rows, ids))
        cnt = c.execute("SELECT message_count FROM chat_conversations WHERE id = 1").fetchone()[0]
        check("message_count equals the recount", cnt == len(rows), "%r vs %r" % (cnt, len(rows)))
        check("integrity_check ok", c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        c.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
