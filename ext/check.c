/*
** check.c — chatflow_check, every invariant of a database verified in one
** read, for use after a restore, a failover or a migration.
**
**   SELECT * FROM chatflow_check();
**   SELECT * FROM chatflow_check() WHERE NOT ok;    -- what is wrong
**
** Columns: "check" (the invariant's name: quote it, CHECK is a keyword),
** ok (1 or 0), detail (NULL when ok, else what breaks it: the first five
** offending ids, "..." when there are more, and the count, e.g.
** "conversations 3, 7 (2)").  One row per invariant, in this order:
**
**   message_count    a conversation's message_count = its messages counted
**   total_tokens     total_tokens = the sum of its messages' tokens
**   last_seq         last_seq >= the largest seq of its messages
**   last_message_at  last_message_at = created_at of its last message (seq)
**   seq              every message has a seq, and seq increases with the
**                    id within a conversation (unique; gaps are allowed:
**                    deleted messages and retention leave them)
**   message_parents  a message's parent is a message of the same
**                    conversation with a smaller seq (so no cycles)
**   current_leaf     a conversation's current_leaf_id is one of its
**                    messages, NULL only when it has none
**   chains           a conversation that never branched (branched = 0) is
**                    one chain: each message follows the one before it by
**                    seq, the first follows none
**   active_runs      at most one active run per conversation
**   queued_runs      a queued run waits behind its conversation's active run
**   leases           started and processing runs hold a lease, no other run
**                    does (awaiting, queued and ended runs hold none)
**   completed_at     ended runs (completed, failed, cancelled, expired)
**                    have completed_at
**   run_first_event  every run has its first event (from_status NULL)
**   run_last_event   a run's status is its last event's to_status
**   run_events       a run's log is a chain: its first event is the
**                    creation (from_status NULL), every other one moves
**                    from the to_status of the one before, to a run
**                    status, keeping the status or as workflow_run_transitions
**                    allows, at a timestamp (what workflow_run_events_check_insert
**                    refuses since 0.2: rows of a migrated 0.1 database)
**   search_index     every complete message with id <= chatflow_search_state's
**                    mark is in chat_messages_fts and no other row is
**                    (drafts that stream or were aborted are not indexed)
**   search_trigram   the same for chat_messages_trigram, which holds the
**                    messages that are not plain ASCII (only when the
**                    table exists)
**   title_index      every conversation with a title is in chat_titles_fts,
**                    and no other row is
**   title_trigram    the same for chat_titles_trigram (titles that are not
**                    plain ASCII; only when the table exists)
**   drafts           a draft that streams (status 'streaming') counts 0
**                    tokens and is not in a deleted conversation
**   checkpoints      a run_<n> checkpoint belongs to an active run n
**   langgraph        a LangGraph pending write has its checkpoint; a
**                    checkpoint, channel value or write of a run names a
**                    run of its thread's conversation
**   statement_clock  chatflow_statement_clock is empty (a function fills
**                    and empties it inside its savepoint; a row left by raw
**                    SQL would stamp every trigger's writes with its time)
**   message_runs     a message's run is a run of the same conversation
**   text             no NUL character in the text columns and no \u0000 or
**                    lone surrogate escape in the JSON columns that the
**                    schema's text triggers guard (since 0.2: rows of a
**                    migrated 0.1 database, which export but do not
**                    import or fork); rows named "message 5", "run 2" ...
**   json_keys        no key twice in one object in the JSON columns that
**                    export_conversation writes (raw SQL can store one;
**                    the export then does not import: import refuses a
**                    key SQLite reads first and most readers last); found
**                    in C (cfCheckJsonKeys); rows named as for text
**   parts            every message's parts pass the check the writers make
**                    (cfJsonPartsValid: a text part's text a string, a file
**                    part's mediaType and url strings, a tool part's ids,
**                    calls with distinct ids; raw SQL, and versions before
**                    these checks, could store others: the export then
**                    does not import); found in C (cfCheckParts)
**   timestamps       every timestamp is UTC text YYYY-MM-DDTHH:MM:SS.sssZ
**                    naming a time that exists, from year 0001 (what the
**                    schema's time triggers refuse since 0.2, and
**                    import_conversation refuses: rows of a migrated 0.1
**                    database); rows named as for text
**   foreign_keys     PRAGMA foreign_key_check finds nothing
**   integrity        PRAGMA integrity_check says ok (the slow part on a big
**                    database: it reads every page; read twice when it
**                    reports a failed CHECK, see cfJsonCheckFailed)
**   schema           every index, trigger and view of chatflow's schema
**                    exists: those the migrations create on a new
**                    in-memory database (cfCheckObjects)
**
** The FTS5 indexes are compared through their docsize tables (one row per
** indexed rowid), so nothing is written, not even an FTS5 'integrity-check'
** command.
**
** Takes no arguments.  Errors: a database without chatflow's schema (run
** chatflow_init()); out of memory and I/O errors as they come (never a
** wrong ok, nor a wrong problem: a page integrity_check could not read is
** the error "chatflow: chatflow_check could not read the database: disk
** I/O error" with SQLite's code, not an integrity problem).  SQLITE_VTAB_INNOCUOUS: it only reads.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_CHECK_ACTIVE \
  "(status = 'started' OR status = 'awaiting_clarification'" \
  " OR status = 'awaiting_approval' OR status = 'processing')"
#define CF_CHECK_ENDED \
  "(status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'expired')"

/* The text rules of migration 005's text triggers, for rows written before
** them: a NUL character in a text column (CF_TEXT_NUL), \u0000 or a lone
** surrogate escape in a JSON column (CF_TEXT_JSON; the patterns of the
** view chatflow_lone_surrogate_globs, written out so that the check works
** when the view was dropped: the schema row reports that). */
#define CF_TEXT_NUL(x) "instr(CAST(" x " AS BLOB), x'00') > 0"
#define CF_TEXT_JSON(x) \
  "((instr(" x ", '\\u') > 0 AND instr(replace(" x ", '\\\\', '_'), '\\u0000') > 0)" \
  " OR ((instr(" x ", '\\ud') > 0 OR instr(" x ", '\\uD') > 0)" \
  "     AND EXISTS (SELECT 1 FROM (VALUES ('*\\ud[89ab]??[^\\]*'), ('*\\ud[89ab]??\\[^u]*')," \
  "       ('*\\ud[89ab]??\\u[^d]*'), ('*\\ud[89ab]??\\ud[^c-f]*'), ('*[^\\]?????\\ud[c-f]*')," \
  "       ('*[^u]????\\ud[c-f]*'), ('*[^d]???\\ud[c-f]*'), ('*[^89ab]??\\ud[c-f]*'))" \
  "       WHERE '      ' || lower(replace(" x ", '\\\\', '_')) GLOB column1)))"

/* A timestamp column that holds something else than a time that exists,
** from year 0001, in chatflow's form (NULL is fine). */
#define CF_TIME_BAD(x) \
  "(" x " IS NOT NULL AND (" x " NOT GLOB" \
  " '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'" \
  " OR date(" x ", '+0 days') IS NOT substr(" x ", 1, 10) OR substr(" x ", 12, 2) > '23' OR " x " < '0001'))"

/* One invariant: its name, what its ids name, and a query of the ids that
** break it (column id). */
typedef struct CfCheckDef {
  const char *zName;
  const char *zNoun;
  const char *zBad;
} CfCheckDef;

static const CfCheckDef aCheck[] = {
  {"message_count", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE c.message_count <> (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)"},
  {"total_tokens", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE c.total_tokens <> (SELECT coalesce(sum(coalesce(tokens, 0)), 0) FROM chat_messages"
   "                           WHERE conversation_id = c.id)"},
  {"last_seq", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE c.last_seq < (SELECT coalesce(max(seq), 0) FROM chat_messages WHERE conversation_id = c.id)"},
  {"last_message_at", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE c.last_message_at IS NOT (SELECT created_at FROM chat_messages WHERE conversation_id = c.id"
   "                                  ORDER BY seq DESC LIMIT 1)"},
  {"seq", "messages",
   "SELECT id FROM (SELECT id, seq, lag(seq) OVER (PARTITION BY conversation_id ORDER BY id) AS prev"
   "                  FROM chat_messages)"
   " WHERE seq IS NULL OR seq <= prev"},
  {"message_parents", "messages",
   "SELECT m.id FROM chat_messages AS m LEFT JOIN chat_messages AS p ON p.id = m.parent_id"
   " WHERE m.parent_id IS NOT NULL"
   "   AND (p.id IS NULL OR p.conversation_id <> m.conversation_id OR p.seq >= m.seq)"},
  {"current_leaf", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE CASE WHEN c.current_leaf_id IS NULL"
   "   THEN EXISTS (SELECT 1 FROM chat_messages WHERE conversation_id = c.id)"
   "   ELSE NOT EXISTS (SELECT 1 FROM chat_messages WHERE id = c.current_leaf_id"
   "                     AND conversation_id = c.id) END"},
  {"chains", "conversations",
   "SELECT DISTINCT conversation_id AS id FROM ("
   " SELECT m.conversation_id, m.parent_id,"
   "        lag(m.id) OVER (PARTITION BY m.conversation_id ORDER BY m.seq) AS prev"
   "   FROM chat_messages AS m JOIN chat_conversations AS c ON c.id = m.conversation_id"
   "  WHERE c.branched = 0)"
   " WHERE parent_id IS NOT prev"},
  {"active_runs", "conversations",
   "SELECT conversation_id AS id FROM workflow_runs WHERE " CF_CHECK_ACTIVE
   " GROUP BY conversation_id HAVING count(*) > 1"},
  {"queued_runs", "runs",
   "SELECT q.id FROM workflow_runs AS q WHERE q.status = 'queued'"
   " AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE conversation_id = q.conversation_id AND "
   CF_CHECK_ACTIVE ")"},
  {"leases", "runs",
   "SELECT id FROM workflow_runs"
   " WHERE (status = 'started' OR status = 'processing') IS NOT (lease_expires_at IS NOT NULL)"},
  {"completed_at", "runs",
   "SELECT id FROM workflow_runs WHERE " CF_CHECK_ENDED " AND completed_at IS NULL"},
  {"run_first_event", "runs",
   "SELECT r.id FROM workflow_runs AS r"
   " WHERE NOT EXISTS (SELECT 1 FROM workflow_run_events WHERE run_id = r.id AND from_status IS NULL)"},
  {"run_last_event", "runs",
   "SELECT r.id FROM workflow_runs AS r"
   " WHERE r.status IS NOT (SELECT to_status FROM workflow_run_events WHERE run_id = r.id"
   "                         ORDER BY id DESC LIMIT 1)"},
  {"run_events", "runs",
   "SELECT DISTINCT run_id AS id FROM ("
   " SELECT run_id, from_status, to_status, created_at,"
   "        lag(to_status) OVER (PARTITION BY run_id ORDER BY id) AS prev"
   "   FROM workflow_run_events) AS e"
   " WHERE e.from_status IS NOT e.prev"
   "    OR e.to_status NOT IN (SELECT from_status FROM workflow_run_transitions"  /* the run statuses */
   "                           UNION SELECT to_status FROM workflow_run_transitions)"
   "    OR (e.from_status <> e.to_status"  /* a move of the state machine */
   "        AND NOT EXISTS (SELECT 1 FROM workflow_run_transitions AS t"
   "                         WHERE t.from_status = e.from_status AND t.to_status = e.to_status))"
   "    OR e.created_at NOT GLOB"
   "       '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'"},
  {"search_index", "messages",
   "SELECT m.id FROM chat_messages AS m, chatflow_search_state AS s"
   " WHERE m.id <= s.indexed_upto AND m.status = 'complete'"
   "   AND NOT EXISTS (SELECT 1 FROM chat_messages_fts_docsize WHERE id = m.id)"
   " UNION ALL "
   "SELECT d.id FROM chat_messages_fts_docsize AS d, chatflow_search_state AS s"
   " WHERE d.id > s.indexed_upto"
   "    OR NOT EXISTS (SELECT 1 FROM chat_messages WHERE id = d.id AND status = 'complete')"},
  {"search_trigram", "messages",
   "SELECT m.id FROM chat_messages AS m, chatflow_search_state AS s"
   " WHERE m.id <= s.indexed_upto AND m.status = 'complete'"
   "   AND length(CAST(m.content AS BLOB)) > length(m.content)"
   "   AND NOT EXISTS (SELECT 1 FROM chat_messages_trigram_docsize WHERE id = m.id)"
   " UNION ALL "
   "SELECT d.id FROM chat_messages_trigram_docsize AS d, chatflow_search_state AS s"
   " WHERE d.id > s.indexed_upto"
   "    OR NOT EXISTS (SELECT 1 FROM chat_messages WHERE id = d.id AND status = 'complete'"
   "                     AND length(CAST(content AS BLOB)) > length(content))"},
  {"title_index", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE c.title IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chat_titles_fts_docsize WHERE id = c.id)"
   " UNION ALL "
   "SELECT d.id FROM chat_titles_fts_docsize AS d"
   " WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = d.id AND title IS NOT NULL)"},
  {"title_trigram", "conversations",
   "SELECT c.id FROM chat_conversations AS c"
   " WHERE length(CAST(c.title AS BLOB)) > length(c.title)"
   "   AND NOT EXISTS (SELECT 1 FROM chat_titles_trigram_docsize WHERE id = c.id)"
   " UNION ALL "
   "SELECT d.id FROM chat_titles_trigram_docsize AS d"
   " WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = d.id"
   "                     AND length(CAST(title AS BLOB)) > length(title))"},
  {"drafts", "messages",
   /* a draft that streams counts no tokens, and none is left in a
   ** deleted conversation (deleting aborts them) */
   "SELECT m.id FROM chat_messages AS m"
   " WHERE m.status = 'streaming'"
   "   AND (m.tokens IS NOT 0"
   "        OR (SELECT deleted_at FROM chat_conversations WHERE id = m.conversation_id) IS NOT NULL)"},
  {"checkpoints", "checkpoints",
   /* run_<n> as run_workflow_id writes it (the schema's rule) */
   "SELECT workflow_id AS id FROM workflow_interrupts"
   " WHERE workflow_id GLOB 'run_[1-9]*' AND substr(workflow_id, 5) NOT GLOB '*[^0-9]*'"
   "   AND length(workflow_id) <= 23"
   "   AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = CAST(substr(workflow_id, 5) AS INTEGER)"
   "                     AND " CF_CHECK_ACTIVE ")"},
  /* the pinned clock of a function's statement, never left behind (a raw
  ** INSERT could: every trigger would then stamp with that time) */
  {"statement_clock", "rows", "SELECT id FROM chatflow_statement_clock"},
  /* LangGraph's rows (langgraph.md): a pending write has its checkpoint
  ** (an INSERT OR REPLACE of a checkpoint row could delete one without its
  ** writes), and a row's run is a run of its thread's conversation (a
  ** rollback of that run deletes the row); named conversation/checkpoint */
  {"langgraph", "rows",
   "SELECT 'write ' || w.conversation_id || '/' || w.checkpoint_ns || '/' || w.checkpoint_id AS id"
   " FROM langgraph_writes AS w"
   " WHERE NOT EXISTS (SELECT 1 FROM langgraph_checkpoints AS k WHERE k.conversation_id = w.conversation_id"
   "                     AND k.checkpoint_ns = w.checkpoint_ns AND k.checkpoint_id = w.checkpoint_id)"
   "    OR (w.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_runs AS r"
   "                                              WHERE r.id = w.run_id AND r.conversation_id = w.conversation_id))"
   " UNION ALL"
   " SELECT 'checkpoint ' || k.conversation_id || '/' || k.checkpoint_ns || '/' || k.checkpoint_id"
   " FROM langgraph_checkpoints AS k"
   " WHERE k.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_runs AS r"
   "                                             WHERE r.id = k.run_id AND r.conversation_id = k.conversation_id)"
   " UNION ALL"
   " SELECT 'value ' || b.conversation_id || '/' || b.checkpoint_ns || '/' || b.channel || '/' || b.version"
   " FROM langgraph_blobs AS b"
   " WHERE b.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_runs AS r"
   "                                             WHERE r.id = b.run_id AND r.conversation_id = b.conversation_id)"},
  {"message_runs", "messages",
   "SELECT m.id FROM chat_messages AS m JOIN workflow_runs AS r ON r.id = m.run_id"
   " WHERE r.conversation_id <> m.conversation_id"},
  {"text", "rows",
   "SELECT 'conversation ' || id AS id FROM chat_conversations"
   " WHERE " CF_TEXT_NUL("uid") " OR " CF_TEXT_NUL("owner") " OR " CF_TEXT_NUL("key")
   "    OR " CF_TEXT_NUL("title") " OR " CF_TEXT_NUL("model") " OR " CF_TEXT_NUL("agent")
   "    OR " CF_TEXT_JSON("context") " OR " CF_TEXT_JSON("metadata")
   " UNION ALL"
   " SELECT 'message ' || id FROM chat_messages"
   " WHERE " CF_TEXT_NUL("content") " OR " CF_TEXT_NUL("workflow_step") " OR " CF_TEXT_NUL("uid")
   "    OR " CF_TEXT_JSON("parts") " OR " CF_TEXT_JSON("attachments") " OR " CF_TEXT_JSON("metadata")
   " UNION ALL"
   " SELECT 'run ' || id FROM workflow_runs"
   " WHERE " CF_TEXT_NUL("error") " OR " CF_TEXT_NUL("uid")
   "    OR " CF_TEXT_JSON("state") " OR " CF_TEXT_JSON("business_context")
   " UNION ALL"
   " SELECT 'event ' || id FROM workflow_run_events"
   " WHERE " CF_TEXT_NUL("from_status") " OR " CF_TEXT_NUL("to_status")
   "    OR " CF_TEXT_NUL("from_step") " OR " CF_TEXT_NUL("to_step") " OR " CF_TEXT_JSON("detail")
   " UNION ALL"
   " SELECT 'proposal ' || id FROM workflow_proposals"
   " WHERE " CF_TEXT_NUL("kind") " OR " CF_TEXT_NUL("proposed_name") " OR " CF_TEXT_NUL("approved_name")
   "    OR " CF_TEXT_NUL("rationale") " OR " CF_TEXT_NUL("ref") " OR " CF_TEXT_JSON("validation")
   " UNION ALL"
   /* (the id as a blob literal: replace() cannot take the NUL out) */
   " SELECT 'checkpoint ' || quote(CAST(workflow_id AS BLOB)) FROM workflow_interrupts"
   " WHERE " CF_TEXT_NUL("workflow_id")
   " UNION ALL"
   " SELECT 'workflow ' || name FROM workflow_definitions WHERE " CF_TEXT_JSON("steps")},
  {"json_keys", "rows",
   /* found in C (cfCheckJsonKeys): bound as a JSON array */
   "SELECT value AS id FROM json_each(?3)"},
  {"parts", "rows",
   /* found in C (cfCheckParts): bound as a JSON array */
   "SELECT value AS id FROM json_each(?4)"},
  {"timestamps", "rows",
   "SELECT 'conversation ' || id AS id FROM chat_conversations"
   " WHERE " CF_TIME_BAD("created_at") " OR " CF_TIME_BAD("updated_at") " OR " CF_TIME_BAD("pinned_at")
   "    OR " CF_TIME_BAD("archived_at") " OR " CF_TIME_BAD("deleted_at") " OR " CF_TIME_BAD("last_message_at")
   " UNION ALL"
   " SELECT 'message ' || id FROM chat_messages"
   " WHERE " CF_TIME_BAD("created_at") " OR " CF_TIME_BAD("streamed_at")
   " UNION ALL"
   " SELECT 'run ' || id FROM workflow_runs"
   " WHERE " CF_TIME_BAD("started_at") " OR " CF_TIME_BAD("created_at") " OR " CF_TIME_BAD("updated_at")
   "    OR " CF_TIME_BAD("completed_at") " OR " CF_TIME_BAD("lease_expires_at") " OR " CF_TIME_BAD("expires_at")
   " UNION ALL"
   " SELECT 'event ' || id FROM workflow_run_events WHERE " CF_TIME_BAD("created_at")
   " UNION ALL"
   " SELECT 'proposal ' || id FROM workflow_proposals"
   " WHERE " CF_TIME_BAD("created_at") " OR " CF_TIME_BAD("approved_at") " OR " CF_TIME_BAD("validated_at")
   "    OR " CF_TIME_BAD("rejected_at")
   " UNION ALL"
   " SELECT 'workflow ' || name FROM workflow_definitions WHERE " CF_TIME_BAD("created_at")},
  /* The two pragmas read the main schema only: without one they read the
  ** temp schema too, and once a connection has touched it SQLite 3.40
  ** cannot checkpoint a WAL it switches to (database table is locked). */
  {"foreign_keys", "rows",
   "SELECT \"table\" || ' ' || rowid || ' -> ' || parent AS id FROM pragma_foreign_key_check(NULL, 'main')"},
  /* PRAGMA integrity_check's problems, run first by cfCheckPrepare */
  {"integrity", "problems", "SELECT value AS id FROM json_each(?1)"},
  /* chatflow's indexes, triggers and views that are missing (cfCheckObjects) */
  {"schema", "objects:", "SELECT value AS id FROM json_each(?2)"},
};

#define CF_CHECK_SHOWN 5

/* Builds the statement: one CTE per invariant, one row each. */
static char *cfCheckSql(int bTrigram) {
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *zSep = "WITH ";
  for (size_t i = 0; i < sizeof(aCheck) / sizeof(aCheck[0]); i++) {
    if (!bTrigram && (strcmp(aCheck[i].zName, "search_trigram") == 0 ||
                      strcmp(aCheck[i].zName, "title_trigram") == 0)) continue;
    sqlite3_str_appendf(pStr, "%sbad%d(id) AS (%s)", zSep, (int)i, aCheck[i].zBad);
    zSep = ", ";
  }
  zSep = " ";
  for (size_t i = 0; i < sizeof(aCheck) / sizeof(aCheck[0]); i++) {
    if (!bTrigram && (strcmp(aCheck[i].zName, "search_trigram") == 0 ||
                      strcmp(aCheck[i].zName, "title_trigram") == 0)) continue;
    sqlite3_str_appendf(pStr,
                        "%sSELECT %Q, n = 0, CASE WHEN n > 0 THEN %Q || ' ' || ids"
                        " || CASE WHEN n > %d THEN ', ...' ELSE '' END || ' (' || n || ')' END"
                        " FROM (SELECT (SELECT count(*) FROM bad%d) AS n,"
                        " (SELECT group_concat(id, ', ') FROM (SELECT id FROM bad%d ORDER BY id LIMIT %d))"
                        " AS ids)",
                        zSep, aCheck[i].zName, aCheck[i].zNoun, CF_CHECK_SHOWN, (int)i, (int)i,
                        CF_CHECK_SHOWN);
    zSep = " UNION ALL ";
  }
  return sqlite3_str_finish(pStr);
}

/* The JSON columns export_conversation writes, named as the check names
** their rows, for json_keys (a JSON column of another table is not in an
** export: LangGraph's, the settings, the definitions). */
static const char cfCheckJsonSql[] =
    "SELECT 'conversation ' || id, context FROM chat_conversations"
    " UNION ALL SELECT 'conversation ' || id, metadata FROM chat_conversations"
    " UNION ALL SELECT 'message ' || id, parts FROM chat_messages"
    " UNION ALL SELECT 'message ' || id, attachments FROM chat_messages"
    " UNION ALL SELECT 'message ' || id, metadata FROM chat_messages"
    " UNION ALL SELECT 'run ' || id, state FROM workflow_runs"
    " UNION ALL SELECT 'run ' || id, business_context FROM workflow_runs"
    " UNION ALL SELECT 'run ' || id, clarifications FROM workflow_runs"
    " UNION ALL SELECT 'event ' || id, detail FROM workflow_run_events"
    " UNION ALL SELECT 'proposal ' || id, validation FROM workflow_proposals";

/* Closes the JSON array of names pOut of a check done in C and gives it in
** *pzOut when rc is SQLITE_OK (freed otherwise).  Returns rc, or
** SQLITE_NOMEM when the array could not be made. */
static int cfCheckListEnd(sqlite3_str *pOut, int rc, char **pzOut) {
  sqlite3_str_appendchar(pOut, 1, ']');
  if (rc != SQLITE_OK) {
    sqlite3_free(sqlite3_str_finish(pOut));
    return rc;
  }
  rc = sqlite3_str_errcode(pOut);
  *pzOut = sqlite3_str_finish(pOut);
  if (rc != SQLITE_OK) {
    sqlite3_free(*pzOut);
    *pzOut = 0;
  } else if (*pzOut == 0) {
    rc = SQLITE_NOMEM;
  }
  return rc;
}

/* json_keys: the rows whose JSON holds a key twice in one object, as a
** JSON array of their names (distinct) in *pzOut.  Checked in C
** (cfJsonKeyTwice: a scan that compares the keys itself, json_tree only for
** what it cannot): json_tree on every value took as long as the rest of
** the check. */
static int cfCheckJsonKeys(CfConn *p, char **pzOut, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pOut = sqlite3_str_new(0);
  const char *zSep = "";
  char *zLast = 0; /* the last row named: a row with two such columns once */
  int rc = sqlite3_prepare_v2(p->db, cfCheckJsonSql, -1, &pStmt, 0);
  *pzOut = 0;
  sqlite3_str_appendchar(pOut, 1, '[');
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zName = (const char *)sqlite3_column_text(pStmt, 0);
    const char *z = (const char *)sqlite3_column_text(pStmt, 1);
    int bTwice = 0;
    rc = SQLITE_OK;
    if (zName == 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    if (sqlite3_column_type(pStmt, 1) != SQLITE_TEXT || z == 0) continue;
    rc = cfJsonKeyTwice(p, z, sqlite3_column_bytes(pStmt, 1), &bTwice);
    if (rc == SQLITE_OK && bTwice && (zLast == 0 || strcmp(zLast, zName) != 0)) {
      sqlite3_str_appendf(pOut, "%s\"%w\"", zSep, zName);
      zSep = ",";
      sqlite3_free(zLast);
      zLast = sqlite3_mprintf("%s", zName);
      if (zLast == 0) rc = SQLITE_NOMEM;
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && rc != SQLITE_NOMEM) *pzErr = cfDbError(p->db, rc);
  sqlite3_finalize(pStmt);
  sqlite3_free(zLast);
  return cfCheckListEnd(pOut, rc, pzOut);
}

/* parts: the messages whose parts the writers would refuse now, as a JSON
** array of their names ("message 5") in *pzOut: each stored parts array
** goes through the check every writer of parts makes (cfJsonPartsValid),
** so the rule is written once, in json.c. */
static int cfCheckParts(CfConn *p, char **pzOut, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pOut = sqlite3_str_new(0);
  const char *zSep = "";
  int rc = sqlite3_prepare_v2(p->db, "SELECT 'message ' || id, parts FROM chat_messages"
                                     " WHERE parts IS NOT NULL ORDER BY id", -1, &pStmt, 0);
  *pzOut = 0;
  sqlite3_str_appendchar(pOut, 1, '[');
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zName = (const char *)sqlite3_column_text(pStmt, 0);
    const char *z = (const char *)sqlite3_column_text(pStmt, 1);
    char *zWhy = 0;
    rc = SQLITE_OK;
    if (zName == 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    if (sqlite3_column_type(pStmt, 1) != SQLITE_TEXT || z == 0) continue;
    rc = cfJsonPartsValid(p, z, sqlite3_column_bytes(pStmt, 1), "parts", &zWhy);
    if (rc == SQLITE_ERROR) {
      /* refused (the reason is the writers' to give), or, without a
      ** reason, out of memory */
      if (zWhy) {
        sqlite3_str_appendf(pOut, "%s\"%w\"", zSep, zName);
        zSep = ",";
        rc = SQLITE_OK;
      } else {
        rc = SQLITE_NOMEM;
      }
    } else if (rc != SQLITE_OK && zWhy && *pzErr == 0) {
      *pzErr = zWhy; /* SQLite's error, with its message */
      zWhy = 0;
    }
    sqlite3_free(zWhy);
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && rc != SQLITE_NOMEM && *pzErr == 0) *pzErr = cfDbError(p->db, rc);
  sqlite3_finalize(pStmt);
  return cfCheckListEnd(pOut, rc, pzOut);
}

/* The indexes, triggers and views of chatflow's schema that the main
** database lacks or holds with other SQL, as a JSON array of "missing
** type name" and "changed type name" ('[]' when none) in *pzOut (a
** trigger recreated under its name with a body that does nothing is a
** rule that no longer holds too).  What the schema holds is what the migrations create: they run
** on a new in-memory database (the SQL this build embeds, as chatflow_init
** runs it), so the list is written in one place, sql/.  An object on a
** table that the main database does not have is not counted (the trigram
** tables, see cfCheckPrepare).  A rule whose trigger was dropped holds no
** more, and nothing else would say so. */
static int cfCheckObjects(CfConn *p, char **pzOut, char **pzErr) {
  sqlite3 *dbNew = 0;
  sqlite3_stmt *pNew = 0, *pHas = 0;
  int bMain = 0; /* the failure was the main database's */
  sqlite3_str *pOut = sqlite3_str_new(0);
  const char *zSep = "";
  int rc = sqlite3_open_v2(":memory:", &dbNew, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
  *pzOut = 0;
  for (int v = 0; rc == SQLITE_OK && v < cfSchemaVersion; v++) {
    rc = sqlite3_exec(dbNew, cfMigrationSql[v], 0, 0, 0);
  }
  if (rc != SQLITE_OK && dbNew && (sqlite3_errcode(dbNew) & 0xff) == SQLITE_CONSTRAINT) {
    rc = SQLITE_NOMEM; /* json_valid() out of memory in a CHECK (cfJsonCheckFailed) */
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(dbNew, "SELECT type, name, tbl_name, sql FROM sqlite_schema"
                                   " WHERE type IN ('index', 'trigger', 'view') AND sql IS NOT NULL"
                                   " ORDER BY type, name", -1, &pNew, 0);
  }
  if (rc == SQLITE_OK) {
    /* names as SQLite compares them: without case */
    rc = sqlite3_prepare_v2(p->db, "SELECT EXISTS (SELECT 1 FROM main.sqlite_schema"
                                   "               WHERE type = ?1 AND name = ?2 COLLATE NOCASE),"
                                   " EXISTS (SELECT 1 FROM main.sqlite_schema"
                                   "         WHERE type IN ('table', 'view') AND name = ?3 COLLATE NOCASE),"
                                   " EXISTS (SELECT 1 FROM main.sqlite_schema"
                                   "         WHERE type = ?1 AND name = ?2 COLLATE NOCASE AND sql = ?4 COLLATE NOCASE)",
                            -1, &pHas, 0);
    bMain = rc != SQLITE_OK;
  }
  while (rc == SQLITE_OK && (rc = sqlite3_step(pNew)) == SQLITE_ROW) {
    const char *zType = (const char *)sqlite3_column_text(pNew, 0);
    const char *zName = (const char *)sqlite3_column_text(pNew, 1);
    const char *zTable = (const char *)sqlite3_column_text(pNew, 2);
    const char *zObjSql = (const char *)sqlite3_column_text(pNew, 3);
    if (zType == 0 || zName == 0 || zTable == 0 || zObjSql == 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    sqlite3_bind_text(pHas, 1, zType, -1, SQLITE_STATIC);
    sqlite3_bind_text(pHas, 2, zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pHas, 3, zTable, -1, SQLITE_STATIC);
    sqlite3_bind_text(pHas, 4, zObjSql, -1, SQLITE_STATIC);
    rc = sqlite3_step(pHas);
    bMain = rc != SQLITE_ROW;
    if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      if (zType[0] != 'v' && !sqlite3_column_int(pHas, 1)) {
        /* on a table (or view) the database does not have: not counted */
      } else if (!sqlite3_column_int(pHas, 0)) {
        sqlite3_str_appendf(pOut, "%s\"missing %s %w\"", zSep, zType, zName);
        zSep = ",";
      } else if (!sqlite3_column_int(pHas, 2)) {
        sqlite3_str_appendf(pOut, "%s\"changed %s %w\"", zSep, zType, zName);
        zSep = ",";
      }
    }
    if (rc == SQLITE_OK) {
      rc = sqlite3_reset(pHas);
      bMain = rc != SQLITE_OK;
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) {
    /* the main database's error (an I/O error, a lock), else the new one's */
    *pzErr = bMain ? cfDbError(p->db, rc)
                   : sqlite3_mprintf("chatflow: chatflow_check: %s", dbNew ? sqlite3_errmsg(dbNew) : sqlite3_errstr(rc));
  }
  sqlite3_finalize(pNew);
  sqlite3_finalize(pHas);
  sqlite3_close(dbNew);
  if (rc == SQLITE_OK) rc = sqlite3_str_errcode(pOut);
  if (rc == SQLITE_OK) {
    char *zList = sqlite3_str_finish(pOut); /* 0 when empty */
    *pzOut = sqlite3_mprintf("[%s]", zList ? zList : "");
    sqlite3_free(zList);
    if (*pzOut == 0) rc = SQLITE_NOMEM;
  } else {
    sqlite3_free(sqlite3_str_finish(pOut));
  }
  return rc;
}

/* Prepares the rows (see the header). */
static int cfCheckPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  char *zSql = 0, *zErr = 0, *zProblems = 0, *zMissing = 0, *zTwice = 0, *zParts = 0;
  int bTrigram = 0;
  int rc;
  (void)aArg;
  *ppStmt = 0;
  rc = cfCheckSchema(p, &zErr);
  if (rc != SQLITE_OK) {
    if (!cfKeepCode(rc)) rc = SQLITE_ERROR;
    goto done;
  }
  /* both trigram indexes or neither (migration 005 creates them together) */
  rc = sqlite3_prepare_v2(p->db,
                          "SELECT 1 FROM sqlite_schema WHERE type = 'table'"
                          " AND name = 'chat_messages_trigram_docsize'",
                          -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) bTrigram = 1;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto done;
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  /* integrity_check reports a page it could not read as a problem
  ** ("unable to get the page. error code=266"): when the cause is the call
  ** (an I/O error, out of memory, a lock, a full disk: SQLITE_IOERR_*,
  ** SQLITE_NOMEM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL) that is an error
  ** of the call with SQLite's code, not a verdict on the database; a page
  ** that is corrupt stays a problem. */
  rc = sqlite3_prepare_v2(p->db,
                          "SELECT json_group_array(integrity_check),"
                          " max(CASE WHEN instr(integrity_check, 'error code=') > 0 THEN"
                          "  (SELECT CASE WHEN c & 255 IN (5, 6, 7, 10, 13) THEN c ELSE 0 END"
                          "     FROM (SELECT CAST(substr(integrity_check, instr(integrity_check, 'error code=') + 11)"
                          "                       AS INTEGER) AS c)) ELSE 0 END)"
                          " FROM pragma_integrity_check(NULL, 'main') WHERE integrity_check <> 'ok'",
                          -1, &pStmt, 0);
  for (int nPass = 0; rc == SQLITE_OK; nPass++) {
    const char *zRow;
    rc = sqlite3_step(pStmt);
    zRow = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(pStmt, 0) : 0;
    if (nPass == 0 && zRow && strstr(zRow, "CHECK constraint failed")) {
      /* integrity_check names the table, not the CHECK.  Most of the
      ** schema's CHECKs call json_valid(), which in SQLite 3.40 answers 0
      ** when it cannot allocate (see cfJsonCheckFailed), so the verdict
      ** is the second pass's (one more pass is the limit). */
      rc = sqlite3_reset(pStmt);
      continue;
    }
    if (rc == SQLITE_ROW) {
      int rcRead = sqlite3_column_int(pStmt, 1);
      rc = SQLITE_OK;
      if (rcRead != 0) {
        zErr = sqlite3_mprintf("chatflow: chatflow_check could not read the database: %s",
                               sqlite3_errstr(rcRead));
        rc = zErr ? rcRead : SQLITE_NOMEM;
      } else {
        const char *z = (const char *)sqlite3_column_text(pStmt, 0);
        zProblems = z ? sqlite3_mprintf("%s", z) : 0;
        if (zProblems == 0) rc = SQLITE_NOMEM;
      }
    }
    break;
  }
  if (rc != SQLITE_OK) {
    if (zErr == 0 && rc != SQLITE_NOMEM) zErr = cfDbError(p->db, rc);
    goto done;
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  rc = cfCheckObjects(p, &zMissing, &zErr);
  if (rc != SQLITE_OK) goto done;
  rc = cfCheckJsonKeys(p, &zTwice, &zErr);
  if (rc != SQLITE_OK) goto done;
  rc = cfCheckParts(p, &zParts, &zErr);
  if (rc != SQLITE_OK) goto done;
  zSql = cfCheckSql(bTrigram);
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
  } else {
    /* each text is the statement's now, or freed by its bind */
    int rc2 = sqlite3_bind_text(*ppStmt, 2, zMissing, -1, sqlite3_free);
    int rc3 = sqlite3_bind_text(*ppStmt, 3, zTwice, -1, sqlite3_free);
    int rc4 = sqlite3_bind_text(*ppStmt, 4, zParts, -1, sqlite3_free);
    rc = sqlite3_bind_text(*ppStmt, 1, zProblems, -1, sqlite3_free);
    zProblems = zMissing = zTwice = zParts = 0;
    if (rc == SQLITE_OK) rc = rc2;
    if (rc == SQLITE_OK) rc = rc3;
    if (rc == SQLITE_OK) rc = rc4;
    if (rc != SQLITE_OK) zErr = cfDbError(p->db, rc);
  }
done:
  sqlite3_finalize(pStmt);
  sqlite3_free(zSql);
  sqlite3_free(zProblems);
  sqlite3_free(zMissing);
  sqlite3_free(zTwice);
  sqlite3_free(zParts);
  *pzErr = zErr;
  return rc;
}

static const CfTvfDef cfCheckDef = {
  "chatflow_check",
  "CREATE TABLE x(\"check\" TEXT, ok INTEGER, detail TEXT)",
  3, 0,
  0, /* no arguments, so no usage error */
  -1,
  cfCheckPrepare, 0, 0,
};

int cfRegisterCheck(sqlite3 *db, CfConn *p) { return cfRegisterTvf(db, p, &cfCheckDef); }
