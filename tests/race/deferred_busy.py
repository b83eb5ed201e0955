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

Then the same for each writing function given a JSON argument, in WAL and
rollback-journal mode (found by an adversarial review): checking the JSON
used json_each on the caller's connection, a table-valued function of its
main schema, so the check opened a read transaction of main that the
deferred BEGIN kept, and the write lock then failed at once with "this
connection's transaction already reads the database".  The JSON is
checked on a private connection now (ext/json.c).

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/race/deferred_busy.py
Exit 0 when B waited and succeeded every time, 1 otherwise.
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


UI_MESSAGE = '{"id": "ui-1", "role": "user", "parts": [{"type": "text", "text": "Rye?"}]}'

# The database each JSON call starts from (each call is rolled back):
# conversation 1 with messages 1-2, run 1 (started) and proposal 1;
# conversation 2 with the draft 3 and LangGraph checkpoint c-0; conversation
# 3 with run 2 awaiting a clarification.
FIXTURE = [
    "SELECT create_conversation('acme', 'Sourdough', '{\"uid\": \"conv-sourdough\"}')",
    "SELECT add_message(1, 'user', 'How long does sourdough proof?')",
    "SELECT add_message(1, 'assistant', 'About 4 to 12 hours.')",
    "SELECT start_run(1, 'topical_map')",
    "SELECT add_proposal(1, 'pillar', 'Sourdough starters')",
    "SELECT create_conversation('acme', 'Rye', '{\"uid\": \"conv-rye\"}')",
    "SELECT begin_message(2, 'assistant')",
    "SELECT append_message(3, 'Rye is sour.')",
    "SELECT langgraph_put('conv-rye', 'c-0', x'00', '{}')",
    "SELECT create_conversation('acme', 'Wheat')",
    "SELECT start_run(3, 'topical_map')",
    "SELECT set_run_status(2, 'awaiting_clarification', 'context_ingestion')",
    "SELECT create_conversation('acme', 'Old')",
    "SELECT delete_conversation(4)",
]

# Every writing function that takes a JSON argument, with one.
JSON_CALLS = [
    "SELECT add_message(1, 'user', 'And the starter?', '{\"tokens\": 4}')",
    "SELECT add_ui_message(1, '%s', '{\"tokens\": 4}')" % UI_MESSAGE,
    "SELECT create_conversation('acme', 'New', '{\"metadata\": {\"a\": 1}}')",
    "SELECT update_conversation(1, '{\"title\": \"Rye breads\"}')",
    "SELECT begin_message(1, 'assistant', '{\"uid\": \"d-2\"}')",
    "SELECT finish_message(3, '{\"tokens\": 2}')",
    "SELECT start_run(2, 'topical_map', '{\"pages\": 1}', '{\"on_active\": \"cancel\"}')",
    "SELECT advance_run(1, '{\"pages\": 12}')",
    "SELECT resume_run(2, '{\"clarifications\": [{\"question_id\": \"city\", \"question\": \"Which city?\","
    " \"answer\": \"Berlin\"}]}')",
    "SELECT set_business_context(1, '{\"geo\": \"DE\"}')",
    "SELECT merge_run_state(1, '{\"pages\": 12}')",
    "SELECT validate_proposal(1, '{\"competition_level\": \"low\"}')",
    "SELECT edit_message(2, 'Between 4 and 12 hours.', '{\"uid\": \"m-edited\"}')",
    "SELECT fork_conversation(1, 2, '{\"uid\": \"conv-fork\"}')",
    # (the document as a parameter: export_conversation in the same
    # statement would read the database before the call)
    ("SELECT import_conversation('globex', ?)", "SELECT export_conversation(1)"),
    "SELECT delete_messages(1, '{\"after_seq\": 1}')",
    "SELECT langgraph_put('conv-rye', 'c-1', x'00', '{}')",
    "SELECT langgraph_put_blob('conv-rye', 'topic', '1', x'00', '{\"type\": \"json\"}')",
    "SELECT langgraph_put_write('conv-rye', 'c-0', 'task', 0, 'answer', x'3432', '{\"replace\": true}')",
    # options objects of the other writers (their option "now")
    "SELECT add_proposal(1, 'pillar', 'Rye', 'because', '{}')",
    "SELECT add_clarification(1, 'q1', 'Which city?', 'context_ingestion', '{}')",
    "SELECT approve_proposal(1, 'Starters', '{}')",
    "SELECT reject_proposal(1, 'no', '{}')",
    "SELECT heartbeat_run(1, 60, '{}')",
    "SELECT set_run_status(1, 'processing', 'context_ingestion', '{}')",
    "SELECT switch_branch(1, '{}')",
    "SELECT cancel_run(1, '{}')",
    "SELECT fail_run(1, 'worker died', '{}')",
    "SELECT complete_run(1, '{}')",
    "SELECT delete_conversation(1, '{}')",
    "SELECT restore_conversation(4, '{}')",
    "SELECT expire_stale_runs('{}')",
    "SELECT delete_old_messages(30, 10, '{}')",
    "SELECT archive_old_conversations(30, 10, '{}')",
    "SELECT purge_deleted(30, 10, '{}')",
    "SELECT chatflow_config('llm.model', 'x', '{}')",
]


def json_calls(tmp, mode):
    """Each JSON call as the first statement of B's deferred BEGIN while A
    holds the write lock for 0.15 s: it must wait and succeed.  Returns the
    failures."""
    path = os.path.join(tmp, "json-%s.db" % mode)
    a = conn(path)
    a.execute("PRAGMA journal_mode=%s" % mode)
    a.execute("SELECT chatflow_init()")
    for sql in FIXTURE:
        a.execute(sql).fetchall()
    b = conn(path)
    bad = []

    def release():
        try:
            a.execute("COMMIT")
        except sqlite3.Error as e:  # B holding a read lock in DELETE mode
            bad.append("%s: the holder's COMMIT failed: %s" % (mode, e))
            a.execute("ROLLBACK")

    for call in JSON_CALLS:
        sql, args = call, ()
        if isinstance(call, tuple):
            sql, args = call[0], (a.execute(call[1]).fetchone()[0],)
        a.execute("BEGIN IMMEDIATE")
        timer = threading.Timer(0.15, release)
        timer.start()
        t = time.monotonic()
        try:
            b.execute("BEGIN")
            b.execute(sql, args).fetchall()
            waited = time.monotonic() - t
            if waited < 0.1:
                bad.append("%s %s: did not wait (%.2f s)" % (mode, sql, waited))
        except sqlite3.Error as e:
            bad.append("%s %s: %s" % (mode, sql, e))
        finally:
            timer.join()
            if b.in_transaction:
                b.execute("ROLLBACK")
    a.close()
    b.close()
    return bad


# Calls that cannot succeed fail at once, without waiting out the busy
# timeout under another connection's lock (their arguments are checked
# before the lock is taken).
BAD_CALLS = [
    ("SELECT edit_message(2, x'00')", "chatflow: content must be text, got blob"),
    ("SELECT edit_message(2, 'x', '{\"bogus\": 1}')",
     "chatflow: unknown option 'bogus' for edit_message (expected type, parts, attachments, metadata, tokens,"
     " run_id, created_at, uid, tool_calls, tool_call_id, now)"),
    ("SELECT add_message(1, 'user', 'x', '{\"tokens\": 4.5}')",
     "chatflow: option 'tokens' of add_message must be an integer, got a number"),
]


def bad_calls(tmp):
    """Each bad call under a held write lock (busy_timeout 5 s): its own
    error, at once.  Returns the failures."""
    path = os.path.join(tmp, "bad.db")
    a = conn(path)
    a.execute("PRAGMA journal_mode=WAL")
    a.execute("SELECT chatflow_init()")
    for sql in FIXTURE[:3]:
        a.execute(sql).fetchall()
    b = conn(path)
    bad = []
    a.execute("BEGIN IMMEDIATE")
    try:
        for sql, want in BAD_CALLS:
            t = time.monotonic()
            try:
                b.execute(sql).fetchall()
                bad.append("%s: succeeded" % sql)
            except sqlite3.Error as e:
                took = time.monotonic() - t
                if str(e) != want or took > 1.0:
                    bad.append("%s: %r after %.2f s" % (sql, str(e), took))
    finally:
        a.execute("ROLLBACK")
        a.close()
        b.close()
    return bad


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
        bad = bad_calls(tmp)
        for line in bad:
            print("FAIL: " + line)
        if bad:
            rc = 1
        else:
            print("ok: %d calls that cannot succeed failed at once under a held lock" % len(BAD_CALLS))
        for mode in ("WAL", "DELETE"):
            bad = json_calls(tmp, mode)
            for line in bad:
                print("FAIL: " + line)
            if bad:
                rc = 1
            else:
                print("ok: %s: %d writing functions given JSON waited for the lock and succeeded"
                      % (mode, len(JSON_CALLS)))
        return rc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
