#!/usr/bin/python3
"""Statement replication: the same SQL on two databases gives the same rows.

What a statement-replicating engine (rqlite and the like) does to chatflow:
every node runs the same statements, at its own moment.  The test runs one
log of statements -- every kind of writing call of a chat application,
each with what chatflow would otherwise generate supplied -- on two fresh
database files, some time apart, and compares every table of the two
files, the search index's shadow tables and sqlite_sequence included, row
by row.  It does so twice: LOG supplies the time with a connection-level
pin (chatflow_clock before each statement); LOG_NOW supplies it per call,
with the option now in each statement and no pin on the connection (only
the writes that are not a chatflow function call -- the workflow_interrupt
table -- take chatflow_clock around the statement, the documented route
for them), and also checks that no stamp anywhere is the wall clock.

The log covers: chatflow_init, create_conversation, find_or_create_conversation,
add_message (uid, tool calls), add_ui_message, update_conversation,
start_run (with input), heartbeat_run, advance_run, resume_run
(clarifications, approvals), add_proposal, validate_proposal,
merge_run_state, set_business_context, add_clarification, the
workflow_interrupt table, cancel_run / complete_run / fail_run,
start_run with on_active cancel and enqueue, expire_stale_runs,
fork_conversation (uid), import_conversation (uid) of an export,
delete_conversation / restore_conversation, delete_messages,
archive_old_conversations, delete_old_messages, purge_deleted,
purge_conversation, raw INSERTs with uid and created_at.

Run: CHATFLOW_EXT=dist/chatflow /usr/bin/python3 tests/scale/test_replay.py
Ends with "replay: N passed, M failed".
"""
import os
import shutil
import sqlite3
import sys
import tempfile
import time

from checks import Tally

EXT = os.path.abspath(os.environ.get("CHATFLOW_EXT", "dist/chatflow"))

UI = ('{"id": "ui-1", "role": "assistant", "parts": [{"type": "text", "text": "Pillars: bread"},'
      ' {"type": "tool-search", "toolCallId": "call-1", "state": "output-available",'
      ' "input": {"q": "bread"}, "output": {"hits": 3}}]}')

# One statement per entry; the clock is pinned to a new second before each.
LOG = [
    "SELECT chatflow_init()",
    "SELECT create_conversation('acme', 'Bakery map', '{\"uid\": \"conv-1\", \"key\": \"crm-1\"}')",
    "SELECT find_or_create_conversation('acme', 'crm-2', 'Second', '{\"uid\": \"conv-2\"}')",
    "SELECT find_or_create_conversation('acme', 'crm-2')",
    "SELECT create_conversation('zeta', NULL, '{\"uid\": \"conv-3\"}')",
    "SELECT add_message(1, 'system', 'You are an SEO strategist.', '{\"uid\": \"m-1\"}')",
    "SELECT add_message(1, 'user', 'Plan a topical map for our bakery', '{\"uid\": \"m-2\"}')",
    "SELECT add_message(3, 'user', 'Une recette de crème brûlée ?', '{\"uid\": \"m-3\"}')",
    "SELECT start_run(1, 'topical_map', '{\"seed\": \"bakery\"}')",
    "SELECT heartbeat_run(1, 600)",
    "SELECT advance_run(1, '{\"context\": \"a bakery in Lyon\"}')",
    "SELECT add_message(1, 'assistant', 'Who are your customers?',"
    " '{\"uid\": \"m-4\", \"type\": \"clarification_request\"}')",
    "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q1\","
    " \"question\": \"Who?\", \"answer\": \"locals\"}]}')",
    "SELECT add_clarification(1, 'q2', 'Where?', 'Lyon')",
    "SELECT set_business_context(1, '{\"offerings\": [\"bread\"], \"geo\": \"Lyon\"}')",
    "SELECT merge_run_state(1, '{\"notes\": {\"a\": 1}}')",
    "SELECT advance_run(1, '{\"clarified\": true}')",
    "SELECT add_proposal(1, 'pillar', 'Sourdough', 'most searched')",
    "SELECT add_proposal(1, 'pillar', 'Viennoiserie')",
    "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'cafe01')",
    "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 1}]}')",
    "SELECT validate_proposal(1, '{\"competition_level\": \"low\"}')",
    "SELECT advance_run(1)",
    "SELECT add_ui_message(1, '%s')" % UI.replace("'", "''"),
    "SELECT add_message(1, 'assistant', NULL, '{\"uid\": \"m-5\", \"tool_calls\": [{\"id\": \"call-2\","
    " \"type\": \"function\", \"function\": {\"name\": \"serp\", \"arguments\": \"{}\"}}]}')",
    "SELECT add_message(1, 'tool', '{\"rank\": 3}', '{\"uid\": \"m-6\", \"tool_call_id\": \"call-2\"}')",
    "SELECT complete_run(1)",
    "SELECT start_run(2, 'topical_map')",
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"enqueue\"}')",
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"cancel\"}')",
    "SELECT fail_run(active_run(2), 'worker crashed')",
    "SELECT start_run(3, 'topical_map', NULL, '{\"ttl_seconds\": 60}')",
    "SELECT advance_run(active_run(3))",
    "SELECT expire_stale_runs()",
    "SELECT update_conversation(1, '{\"title\": \"Bakery topical map\", \"pinned\": true}')",
    "SELECT fork_conversation(1, 2, '{\"uid\": \"fork-1\"}')",
    "SELECT add_message(4, 'user', 'Plan it for a patisserie instead', '{\"uid\": \"m-7\"}')",
    "SELECT import_conversation('globex', export_conversation(1), '{\"uid\": \"import-1\"}')",
    "SELECT delete_messages(4, '{\"after_seq\": 2}')",
    "SELECT delete_conversation(3)",
    "SELECT restore_conversation(3)",
    "SELECT delete_conversation(2)",
    "INSERT INTO chat_messages (conversation_id, role, content, uid, created_at)"
    " VALUES (1, 'user', 'raw insert', 'm-raw', '2026-03-01T12:00:00.000Z')",
    "SELECT archive_old_conversations(0)",
    "SELECT delete_old_messages(400)",
    "SELECT purge_deleted(0)",
    "SELECT purge_conversation(5)",
    "SELECT start_run(1, 'topical_map')",
    "INSERT INTO workflow_interrupt (workflow_id, data) SELECT run_workflow_id(active_run(1)), x'cafe02'",
    "SELECT advance_run(active_run(1))",
]

# The same log with the time given per call: @NOW is the statement's time
# (the option now); a "PIN " entry is no chatflow function (the
# workflow_interrupt table), so chatflow_clock is set around it.
N = '"now": "@NOW"'
LOG_NOW = [
    "SELECT chatflow_init('{%s}')" % N,
    "SELECT create_conversation('acme', 'Bakery map', '{\"uid\": \"conv-1\", \"key\": \"crm-1\", %s}')" % N,
    "SELECT find_or_create_conversation('acme', 'crm-2', 'Second', '{\"uid\": \"conv-2\", %s}')" % N,
    "SELECT find_or_create_conversation('acme', 'crm-2', NULL, '{%s}')" % N,
    "SELECT create_conversation('zeta', NULL, '{\"uid\": \"conv-3\", %s}')" % N,
    "SELECT add_message(1, 'system', 'You are an SEO strategist.', '{\"uid\": \"m-1\", %s}')" % N,
    "SELECT add_message(1, 'user', 'Plan a topical map for our bakery', '{\"uid\": \"m-2\", %s}')" % N,
    "SELECT add_message(3, 'user', 'Une recette de crème brûlée ?', '{\"uid\": \"m-3\", %s}')" % N,
    "SELECT start_run(1, 'topical_map', '{\"seed\": \"bakery\"}', '{%s}')" % N,
    "SELECT heartbeat_run(1, 600, '{%s}')" % N,
    "SELECT advance_run(1, '{\"context\": \"a bakery in Lyon\"}', '{%s}')" % N,
    "SELECT add_message(1, 'assistant', 'Who are your customers?',"
    " '{\"uid\": \"m-4\", \"type\": \"clarification_request\", %s}')" % N,
    "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q1\","
    " \"question\": \"Who?\", \"answer\": \"locals\"}]}', '{%s}')" % N,
    "SELECT add_clarification(1, 'q2', 'Where?', 'Lyon', '{%s}')" % N,
    "SELECT set_business_context(1, '{\"offerings\": [\"bread\"], \"geo\": \"Lyon\"}', '{%s}')" % N,
    "SELECT merge_run_state(1, '{\"notes\": {\"a\": 1}}', '{%s}')" % N,
    "SELECT advance_run(1, '{\"clarified\": true}', '{%s}')" % N,
    "SELECT add_proposal(1, 'pillar', 'Sourdough', 'most searched', '{%s}')" % N,
    "SELECT add_proposal(1, 'pillar', 'Viennoiserie', NULL, '{%s}')" % N,
    "PIN INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'cafe01')",
    "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 1}]}', '{%s}')" % N,
    "SELECT validate_proposal(1, '{\"competition_level\": \"low\"}', '{%s}')" % N,
    "SELECT advance_run(1, NULL, '{%s}')" % N,
    "SELECT add_ui_message(1, '%s', '{%s}')" % (UI.replace("'", "''"), N),
    "SELECT add_message(1, 'assistant', NULL, '{\"uid\": \"m-5\", \"tool_calls\": [{\"id\": \"call-2\","
    " \"type\": \"function\", \"function\": {\"name\": \"serp\", \"arguments\": \"{}\"}}], %s}')" % N,
    "SELECT add_message(1, 'tool', '{\"rank\": 3}', '{\"uid\": \"m-6\", \"tool_call_id\": \"call-2\", %s}')" % N,
    "SELECT complete_run(1, '{%s}')" % N,
    "SELECT start_run(2, 'topical_map', NULL, '{%s}')" % N,
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"enqueue\", %s}')" % N,
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"cancel\", %s}')" % N,
    "SELECT fail_run(active_run(2), 'worker crashed', '{%s}')" % N,
    "SELECT start_run(3, 'topical_map', NULL, '{\"ttl_seconds\": 60, %s}')" % N,
    "SELECT advance_run(active_run(3), NULL, '{%s}')" % N,
    "SELECT expire_stale_runs('{%s}')" % N,
    "SELECT update_conversation(1, '{\"title\": \"Bakery topical map\", \"pinned\": true}', '{%s}')" % N,
    "SELECT fork_conversation(1, 2, '{\"uid\": \"fork-1\", %s}')" % N,
    "SELECT add_message(4, 'user', 'Plan it for a patisserie instead', '{\"uid\": \"m-7\", %s}')" % N,
    "SELECT import_conversation('globex', export_conversation(1), '{\"uid\": \"import-1\", %s}')" % N,
    "SELECT delete_messages(4, '{\"after_seq\": 2}')",
    "SELECT delete_conversation(3, '{%s}')" % N,
    "SELECT restore_conversation(3, '{%s}')" % N,
    "SELECT delete_conversation(2, '{%s}')" % N,
    "INSERT INTO chat_messages (conversation_id, role, content, uid, created_at)"
    " VALUES (1, 'user', 'raw insert', 'm-raw', '2026-03-01T12:00:00.000Z')",
    "SELECT archive_old_conversations(0, 1000, '{%s}')" % N,
    "SELECT delete_old_messages(400, 1000, '{%s}')" % N,
    "SELECT purge_deleted(0, 1000, '{%s}')" % N,
    "SELECT purge_conversation(5)",
    "SELECT start_run(1, 'topical_map', NULL, '{%s}')" % N,
    "PIN INSERT INTO workflow_interrupt (workflow_id, data) SELECT run_workflow_id(active_run(1)), x'cafe02'",
    "SELECT advance_run(active_run(1), NULL, '{%s}')" % N,
]

TALLY = Tally()
check = TALLY.check


def replay(path, log=LOG, per_call=False):
    """Runs a log on a new database; returns the results of the statements.
    per_call: the time goes in each statement (@NOW), the clock is not
    pinned (but around a "PIN " entry)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(EXT)
    db.enable_load_extension(False)
    results = []
    for i, sql in enumerate(log):
        now = "2026-03-01T10:%02d:%02d.000Z" % divmod(i, 60)
        pin = not per_call or sql.startswith("PIN ")
        sql = sql[4:] if sql.startswith("PIN ") else sql.replace("@NOW", now)
        if pin:
            db.execute("SELECT chatflow_clock(?)", (now,))
        try:
            results.append(db.execute(sql).fetchall())
        except sqlite3.Error as e:
            results.append("error: %s" % e)
        if per_call and pin:
            db.execute("SELECT chatflow_clock(NULL)")
    db.close()
    return results


def wall_stamps(path):
    """The time stamps of a database that no statement of the log gave:
    (table.column, value) pairs not of the log's day."""
    db = sqlite3.connect(path)
    out = []
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                              " AND name NOT LIKE '%_fts%' AND name NOT LIKE '%trigram%'"):
        for col in [r[1] for r in db.execute("PRAGMA table_info(\"%s\")" % name)]:
            if not (col.endswith("_at") or col == "applied_at"):
                continue
            for (v,) in db.execute('SELECT "%s" FROM "%s" WHERE "%s" IS NOT NULL'
                                   ' AND "%s" NOT LIKE \'2026-03-01T%%\'' % (col, name, col, col)):
                out.append(("%s.%s" % (name, col), v))
    db.close()
    return out


def tables(db):
    """{table: sorted rows} of every table but the FTS5 virtual tables
    themselves (their shadow tables hold their content)."""
    out = {}
    for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"
                                " ORDER BY name"):
        if sql and sql.upper().startswith("CREATE VIRTUAL TABLE"):
            continue
        cols = [r[1] for r in db.execute("PRAGMA table_info(%s)" % name)]
        rows = db.execute('SELECT * FROM "%s"' % name).fetchall()
        out[name] = (cols, sorted(rows, key=repr))
    return out


def main():
    tmp = tempfile.mkdtemp(prefix="chatflow-replay-")
    try:
        for how, log, per_call in (("pinned clock", LOG, False), ("option now", LOG_NOW, True)):
            compare(tmp, how, log, per_call)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("replay: %d passed, %d failed" % (TALLY.passed, TALLY.failed))
    return 1 if TALLY.failed else 0


def compare(tmp, how, log, per_call):
    """Replays log on two new databases a second apart and compares them."""
    a = os.path.join(tmp, "node-a-%d.db" % per_call)
    b = os.path.join(tmp, "node-b-%d.db" % per_call)
    ra = replay(a, log, per_call)
    time.sleep(1.1)   # the second node replays later: wall-clock time differs
    rb = replay(b, log, per_call)
    print("-- %s" % how)
    errors = [(log[i], r) for i, r in enumerate(ra) if isinstance(r, str)]
    check(not errors, "every statement of the log succeeds (%d statements; errors: %r)"
          % (len(log), errors[:3]))
    check(ra == rb, "every statement returns the same result on both nodes")
    if per_call:
        wall = wall_stamps(a)
        check(not wall, "no time stamp is the wall clock's (%r)" % wall[:3])
    da = tables(sqlite3.connect(a))
    db_ = tables(sqlite3.connect(b))
    check(sorted(da) == sorted(db_), "the same tables (%d)" % len(da))
    diff = []
    for t in sorted(da):
        cols, rows_a = da[t]
        rows_b = db_.get(t, (cols, []))[1]
        if rows_a == rows_b:
            continue
        bad_cols = set()
        for x, y in zip(rows_a, rows_b):
            bad_cols |= {cols[k] for k in range(len(cols)) if x[k] != y[k]}
        diff.append("%s (%d/%d rows; columns %s)" % (t, len(rows_a), len(rows_b),
                                                    ", ".join(sorted(bad_cols)) or "?"))
    n = sum(len(v[1]) for v in da.values())
    check(not diff, "every table holds the same rows on both nodes (%d rows in %d tables); "
          "differing: %s" % (n, len(da), "; ".join(diff) or "none"))
    some = {t: len(da[t][1]) for t in ("chat_conversations", "chat_messages", "workflow_runs",
                                       "workflow_run_events", "workflow_proposals",
                                       "workflow_interrupts")}
    check(all(some.values()), "the log wrote every kind of row: %r" % some)


if __name__ == "__main__":
    sys.exit(main())
