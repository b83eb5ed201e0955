/*
** fuzz_chatflow.c — libFuzzer harness over every JSON and text argument of
** chatflow's SQL functions and virtual tables (issue 8).
**
** Built by tests/mk/fuzz.mk with clang -fsanitize=fuzzer,address,undefined
** against the static build (objects compiled with -DSQLITE_CORE and the
** same sanitizers, registered with sqlite3_auto_extension) and the system
** libsqlite3:
**   make fuzz                    FUZZ_SECONDS (600) of fuzzing
**   make test-fuzz               the 60-second smoke run of make test
**   dist/fuzz/fuzz_chatflow tests/fuzz/corpus/<file>   replay one input
**
** Input: up to CF_FZ_MAX_CALLS calls separated by the byte 0x1E.  In each
** call the first byte selects the entry point (low 7 bits modulo the
** number of entries in aEntry; bit 7 binds the arguments as BLOBs instead
** of TEXT), the rest is the argument.  Entries that take several fuzzed
** arguments split the rest at 0x1F; a missing part is bound as NULL.  So
** the file "\x00hello" is SELECT add_message(1, 'user', 'hello').  (Entry
** 30's selector 0x1E is the separator: 30 + CF_FZ_NENTRY selects it.)  The
** order of aEntry is part of the corpus format: append, never reorder
** (tests/fuzz/seeds.py writes the seed corpus by entry name).
**
** Each input runs on a fresh in-memory database copied (backup API) from a
** template made once: four conversations (one deleted) with messages, a
** run awaiting clarification (run 1, conversation 1), one awaiting
** approval with two proposals (run 2), one processing (run 3), a cancelled
** one (run 4, conversation 4), conversation 5 without runs, two checkpoints
** (interrupts), a setting, and LangGraph thread 't-1' (conversation 6) with
** checkpoint 'c-1', a channel value and a pending write; the clock pinned at
** 2026-01-01T00:00:00.000Z.  After every call the harness aborts (libFuzzer
** saves the input as a crash) when
**   - the connection is not back in autocommit (a call left a transaction
**     or a SAVEPOINT open),
**   - a call that returns a new id succeeded with NULL,
**   - an error message reads "not an error" or "no such savepoint" (and
**     the argument did not),
**   - message_count, last_seq or total_tokens of a conversation differ
**     from a recount, a conversation has two active runs, or a
**     chatflow_statement_clock row survived the call;
** and after the last call when PRAGMA quick_check or the search indexes'
** integrity-check fail, or sqlite3_close() does not return SQLITE_OK.
** Crashes, leaks (LeakSanitizer) and undefined behaviour abort by
** themselves.
**
** With FUZZ_STATS=1 the harness prints at exit how often each entry point
** ran and how many calls succeeded or failed; FUZZ_VERBOSE=1 prints every
** error message.
*/
#define _GNU_SOURCE /* memmem */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

#define CF_FZ_MAX_CALLS 12
#define CF_FZ_MAX_ARGS 4
#define CF_FZ_SEP_CALL 0x1e
#define CF_FZ_SEP_ARG 0x1f

/* flags of an entry */
#define CF_FZ_ID 1     /* success means a non-NULL result */
#define CF_FZ_FIXED 2  /* the argument's first byte picks one of azFixed */

typedef struct CfFzEntry {
  const char *zName;  /* for the statistics and seeds.py */
  const char *zSql;   /* ?1..?nArg are the fuzzed arguments */
  int nArg;
  int flags;
} CfFzEntry;

/* An argument that reads as an integer or a real is bound as that number
** (integer arguments are never coerced from text, so text alone would only
** reach the type errors); anything else stays text or blob. */
#define NUM(i)                                                                       \
  "(CASE WHEN CAST(?" #i " AS INTEGER) || '' = ?" #i " THEN CAST(?" #i " AS INTEGER)" \
  " WHEN CAST(?" #i " AS REAL) || '' = ?" #i " THEN CAST(?" #i " AS REAL) ELSE ?" #i " END)"

static const CfFzEntry aEntry[] = {
  /*  0 */ {"add_message.content", "SELECT add_message(1, 'user', ?1)", 1, CF_FZ_ID},
  /*  1 */ {"add_message.options", "SELECT add_message(1, 'user', 'hi', ?1)", 1, CF_FZ_ID},
  /*  2 */ {"add_message.role", "SELECT add_message(1, ?1, 'hi')", 1, CF_FZ_ID},
  /*  3 */ {"add_message.run", "SELECT add_message(3, 'assistant', ?1, ?2)", 2, CF_FZ_ID},
  /*  4 */ {"create_conversation.title", "SELECT create_conversation('acme', ?1)", 1, CF_FZ_ID},
  /*  5 */ {"create_conversation.options", "SELECT create_conversation('acme', 't', ?1)", 1, CF_FZ_ID},
  /*  6 */ {"create_conversation.owner", "SELECT create_conversation(?1, ?2, ?3)", 3, CF_FZ_ID},
  /*  7 */ {"find_or_create_conversation.key", "SELECT find_or_create_conversation('acme', ?1)", 1, CF_FZ_ID},
  /*  8 */ {"find_or_create_conversation.options",
            "SELECT find_or_create_conversation(?1, ?2, ?3, ?4)", 4, CF_FZ_ID},
  /*  9 */ {"start_run.input", "SELECT start_run(5, 'topical_map', ?1)", 1, CF_FZ_ID},
  /* 10 */ {"start_run.options", "SELECT start_run(1, 'topical_map', ?1, ?2)", 2, CF_FZ_ID},
  /* 11 */ {"start_run.workflow", "SELECT start_run(5, ?1)", 1, CF_FZ_ID},
  /* 12 */ {"advance_run.output", "SELECT advance_run(3, ?1)", 1, 0},
  /* 13 */ {"resume_run.clarification", "SELECT resume_run(1, ?1)", 1, 0},
  /* 14 */ {"resume_run.approval", "SELECT resume_run(2, ?1)", 1, 0},
  /* 15 */ {"merge_run_state", "SELECT merge_run_state(3, ?1)", 1, 0},
  /* 16 */ {"set_business_context", "SELECT set_business_context(3, ?1)", 1, 0},
  /* 17 */ {"add_clarification", "SELECT add_clarification(1, ?1, ?2, ?3)", 3, 0},
  /* 18 */ {"add_proposal", "SELECT add_proposal(2, ?1, ?2, ?3)", 3, CF_FZ_ID},
  /* 19 */ {"validate_proposal", "SELECT validate_proposal(1, ?1)", 1, 0},
  /* 20 */ {"set_run_status", "SELECT set_run_status(3, ?1, ?2)", 2, 0},
  /* 21 */ {"fail_run", "SELECT fail_run(3, ?1)", 1, 0},
  /* 22 */ {"import_conversation", "SELECT import_conversation('acme', ?1)", 1, CF_FZ_ID},
  /* 23 */ {"import_conversation.options",
            "SELECT import_conversation(?1, export_conversation(1), ?2)", 2, CF_FZ_ID},
  /* 24 */ {"export_conversation.format", "SELECT export_conversation(1, ?1)", 1, 0},
  /* 25 */ {"fork_conversation.options", "SELECT fork_conversation(1, 2, ?1)", 1, CF_FZ_ID},
  /* 26 */ {"chatflow_config.get", "SELECT chatflow_config(?1)", 1, 0},
  /* 27 */ {"chatflow_config.set", "SELECT chatflow_config(?1, ?2)", 2, 0},
  /* 28 */ {"chatflow_clock", "SELECT chatflow_clock(?1)", 1, 0},
  /* 29 */ {"search_messages.query",
            "SELECT count(*), group_concat(snippet), sum(rank) FROM search_messages(?1)", 1, 0},
  /* 30 */ {"search_messages.owner_options",
            "SELECT count(*), group_concat(snippet) FROM search_messages(?1, ?2, ?3)", 3, 0},
  /* 31 */ {"conversation_list.options",
            "SELECT count(*), group_concat(cursor), group_concat(last_message_preview)"
            "  FROM conversation_list('acme', ?1)", 1, 0},
  /* 32 */ {"conversation_list.owner", "SELECT count(*) FROM conversation_list(?1, ?2)", 2, 0},
  /* 33 */ {"chat_history", "SELECT count(*), group_concat(content) FROM chat_history(" NUM(1) ", " NUM(2) ", " NUM(3) ")", 3, 0},
  /* 34 */ {"chat_history_json", "SELECT chat_history_json(1, " NUM(1) ", " NUM(2) ")", 2, 0},
  /* 35 */ {"workflow_interrupt.insert",
            "INSERT INTO workflow_interrupt (workflow_id, data, created_at, updated_at)"
            " VALUES (?1, ?2, ?3, ?4)", 4, 0},
  /* 36 */ {"workflow_interrupt.select",
            "SELECT length(data), created_at FROM workflow_interrupt WHERE workflow_id = ?1", 1, 0},
  /* 37 */ {"workflow_interrupt.update",
            "UPDATE workflow_interrupt SET data = ?2 WHERE workflow_id = ?1", 2, 0},
  /* 38 */ {"chatflow_stats", "SELECT chatflow_stats(?1)", 1, 0},
  /* 39 */ {"retention", "SELECT archive_old_conversations(" NUM(1) ", " NUM(2) ") + delete_old_messages(" NUM(3) ")", 3, 0},
  /* 40 */ {"heartbeat_run", "SELECT heartbeat_run(3, " NUM(1) ")", 1, 0},
  /* 41 */ {"add_message.deleted_conversation", "SELECT add_message(4, 'user', ?1, ?2)", 2, 0},
  /* 42 */ {"run_status", "SELECT run_status(" NUM(1) "), active_run(" NUM(1) "), run_workflow_id(" NUM(1) ")", 1, 0},
  /* 43 */ {"fork_conversation.args", "SELECT fork_conversation(" NUM(1) ", " NUM(2) ", ?3)", 3, 0},
  /* 44 */ {"fixed", 0, 1, CF_FZ_FIXED},
  /* 45 */ {"update_conversation_raw",
            "UPDATE chat_conversations SET title = ?1, metadata = ?2 WHERE id = 2", 2, 0},
  /* 46 */ {"add_message.uid_parts",
            "SELECT add_message(" NUM(1) ", ?2, ?3, ?4)", 4, 0},
  /* 47 */ {"export_conversation.id", "SELECT export_conversation(" NUM(1) ", ?2)", 2, 0},
  /* 48 */ {"purge_deleted", "SELECT purge_deleted(" NUM(1) ", " NUM(2) ")", 2, 0},
  /* 49 */ {"add_ui_message", "SELECT add_ui_message(" NUM(1) ", ?2, ?3)", 3, 0},
  /* 50 */ {"chat_ui_messages", "SELECT chat_ui_messages(" NUM(1) ", ?2), chat_history_json(" NUM(1) ")", 2, 0},
  /* 51 */ {"add_message.tool", "SELECT add_message(" NUM(1) ", ?2, ?3, ?4)", 4, 0},
  /* 52 */ {"update_conversation", "SELECT update_conversation(" NUM(1) ", ?2)", 2, 0},
  /* 53 */ {"conversation_by_uid", "SELECT conversation_by_uid(?1, ?2)", 2, 0},
  /* 54 */ {"conversation_messages",
            "SELECT count(*), group_concat(seq || ':' || has_more) FROM conversation_messages(" NUM(1) ", ?2)", 2, 0},
  /* 55 */ {"delete_messages", "SELECT delete_messages(" NUM(1) ", ?2)", 2, 0},
  /* 56 */ {"approve_proposal", "SELECT approve_proposal(" NUM(1) ", ?2)", 2, 0},
  /* 57 */ {"reject_proposal", "SELECT reject_proposal(" NUM(1) ", ?2)", 2, 0},
  /* 58 */ {"chatflow_base64", "SELECT chatflow_base64(?1)", 1, 0},
  /* 59 */ {"run_usage", "SELECT run_usage(" NUM(1) ")", 1, 0},
  /* 60 */ {"langgraph_put", "SELECT langgraph_put(?1, ?2, CAST(?3 AS BLOB), ?4)", 4, CF_FZ_ID},
  /* 61 */ {"langgraph_put.options", "SELECT langgraph_put('t-1', 'c-2', x'00', ?1, ?2)", 2, CF_FZ_ID},
  /* 62 */ {"langgraph_put_blob", "SELECT langgraph_put_blob('t-1', ?1, ?2, CAST(?3 AS BLOB), ?4)", 4, 0},
  /* 63 */ {"langgraph_put_write",
            "SELECT langgraph_put_write('t-1', ?1, ?2, " NUM(3) ", 'answer', x'00', ?4)", 4, 0},
  /* 64 */ {"langgraph_list", "SELECT count(*), group_concat(checkpoint_id) FROM langgraph_list(?1, ?2)", 2, 0},
  /* 65 */ {"langgraph_get",
            "SELECT (SELECT count(*) FROM langgraph_get(?1, ?2, ?3))"
            " + (SELECT count(*) FROM langgraph_channel_values(?1, ?3, ?2))"
            " + (SELECT count(*) FROM langgraph_pending_writes(?1, ?3, ?2))", 3, 0},
  /* 66 */ {"langgraph_delete_thread",
            "SELECT langgraph_delete_thread(?1), langgraph_prune_checkpoints(" NUM(2) ", " NUM(3) ")", 3, 0},
  /* 67 */ {"add_message.parent", "SELECT add_message(" NUM(1) ", 'assistant', ?2, ?3)", 3, 0},
  /* 68 */ {"edit_message", "SELECT edit_message(" NUM(1) ", ?2, ?3)", 3, 0},
  /* 69 */ {"switch_branch", "SELECT switch_branch(" NUM(1) ")", 1, 0},
  /* 70 */ {"message_siblings",
            "SELECT count(*), group_concat(id || ':' || is_current) FROM message_siblings(" NUM(1) ")", 1, 0},
  /* The option now, the time of one call, in a trailing options_json
  ** (the harness checks that no chatflow_statement_clock row survives) */
  /* 71 */ {"now.cancel_run", "SELECT cancel_run(" NUM(1) ", ?2)", 2, 0},
  /* 72 */ {"now.advance_run", "SELECT advance_run(" NUM(1) ", ?2, ?3)", 3, 0},
  /* 73 */ {"now.heartbeat_expire",
            "SELECT heartbeat_run(" NUM(1) ", 60, ?2), expire_stale_runs(?3)", 3, 0},
  /* 74 */ {"now.retention", "SELECT archive_old_conversations(" NUM(1) ", 10, ?2)", 2, 0},
  /* 75 */ {"now.update_conversation", "SELECT update_conversation(1, ?1, ?2)", 2, 0},
  /* 76 */ {"begin_message", "SELECT begin_message(" NUM(1) ", ?2, ?3)", 3, 0},
  /* 77 */ {"append_message", "SELECT append_message(" NUM(1) ", ?2)", 2, 0},
  /* 78 */ {"finish_message", "SELECT finish_message(" NUM(1) ", ?2)", 2, 0},
  /* 79 */ {"abort_message", "SELECT abort_message(" NUM(1) ", ?2)", 2, 0},
  /* 80 */ {"langgraph_get.options",
            "SELECT count(*), group_concat(checkpoint_id) FROM langgraph_get(?1, ?2, ?3, ?4)", 4, 0},
};
#define CF_FZ_NENTRY ((int)(sizeof(aEntry) / sizeof(aEntry[0])))

/* Entry "fixed": state changes without fuzzed arguments, so that a
** sequence of calls reaches other states (a run that ended, a deleted or
** purged conversation, expired leases). */
static const char *const azFixed[] = {
  "SELECT advance_run(3)",
  "SELECT advance_run(1)",
  "SELECT cancel_run(3)",
  "SELECT complete_run(2)",
  "SELECT delete_conversation(1)",
  "SELECT restore_conversation(4)",
  "SELECT purge_conversation(2)",
  "SELECT expire_stale_runs()",
  "SELECT delete_old_messages(0, 2)",
  "SELECT purge_deleted(0)",
  "SELECT chatflow_clock('2027-06-01T00:00:00.000Z')",
  "SELECT chatflow_clock(NULL)",
  "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\":\"cancel\"}')",
  "SELECT resume_run(1, '{\"clarifications\":[{\"question_id\":\"q\",\"question\":\"?\",\"answer\":\"a\"}]}')",
  "SELECT import_conversation('acme', export_conversation(2))",
  "SELECT fork_conversation(1)",
  "SELECT chatflow_init()",
  "DELETE FROM workflow_interrupt WHERE workflow_id = 'run_1'",
  "SELECT archive_old_conversations(0)",
  "SELECT set_run_status(3, 'awaiting_approval')",
};
#define CF_FZ_NFIXED ((int)(sizeof(azFixed) / sizeof(azFixed[0])))

static const char zTemplateSql[] =
  "SELECT chatflow_clock('2026-01-01T00:00:00.000Z');"
  "SELECT chatflow_init();"
  "SELECT create_conversation('acme', 'first', '{\"key\":\"k1\",\"metadata\":{\"a\":1}}');"
  "SELECT create_conversation('acme', 'second', '{\"key\":\"k2\",\"visibility\":\"public\"}');"
  "SELECT create_conversation('acme', 'third');"
  "SELECT create_conversation('beta', 'deleted one');"
  "SELECT add_message(1, 'system', 'You are helpful.');"
  "SELECT add_message(1, 'user', 'hello world, how are you?', '{\"tokens\":5}');"
  "SELECT add_message(1, 'assistant', 'fine thanks', '{\"metadata\":{\"model\":\"m\",\"tokens\":"
  "{\"input\":1,\"output\":2,\"total\":3}},\"parts\":[{\"type\":\"text\",\"text\":\"fine thanks\"}]}');"
  "SELECT add_message(2, 'user', 'search me: bakery pillar');"
  "SELECT start_run(1, 'topical_map', '{\"seed\":\"bakery\"}');"
  "SELECT advance_run(1, '{\"context\":\"x\"}');"
  "SELECT start_run(2, 'topical_map');"
  "SELECT advance_run(2);"
  "SELECT resume_run(2, '{\"clarifications\":[{\"question_id\":\"q1\",\"question\":\"Who?\","
  "\"answer\":\"locals\"}]}');"
  "SELECT advance_run(2);"
  "SELECT add_proposal(2, 'pillar', 'Bread', 'core');"
  "SELECT add_proposal(2, 'pillar', 'Cakes');"
  "SELECT start_run(3, 'topical_map');"
  "SELECT advance_run(3);"
  "SELECT resume_run(3, '{\"note\":1}');"
  "SELECT add_message(3, 'assistant', 'working on it');"
  "SELECT start_run(4, 'topical_map');"
  "SELECT cancel_run(4);"
  "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'0102'), ('ext-1', 'blob');"
  "SELECT add_message(4, 'tool', 'result', '{\"type\":\"tool_result\"}');"
  "SELECT delete_conversation(4);"
  "SELECT chatflow_config('llm.model', 'qwen3');"
  "SELECT create_conversation('acme', 'fifth, no run yet');"
  "SELECT langgraph_put_blob('t-1', 'messages', '1', x'5b5d');"
  "SELECT langgraph_put('t-1', 'c-1', x'7b7d', '{\"source\":\"input\"}',"
  " '{\"channel_versions\":{\"messages\":\"1\"}}');"
  "SELECT langgraph_put_write('t-1', 'c-1', 'task', 0, 'answer', x'3432');";

/* 0 when every invariant holds, else the number of breaches. */
static const char zInvariantSql[] =
  "SELECT (SELECT count(*) FROM chat_conversations AS c"
  "         WHERE c.message_count <> (SELECT count(*) FROM chat_messages AS m"
  "                                   WHERE m.conversation_id = c.id)"
  "            OR c.total_tokens <> (SELECT coalesce(sum(tokens), 0) FROM chat_messages AS m"
  "                                  WHERE m.conversation_id = c.id)"
  "            OR c.last_seq < (SELECT coalesce(max(seq), 0) FROM chat_messages AS m"
  "                             WHERE m.conversation_id = c.id))"
  "     + (SELECT count(*) FROM (SELECT conversation_id FROM workflow_runs"
  "         WHERE status IN ('started', 'awaiting_clarification', 'awaiting_approval',"
  "                          'processing')"
  "         GROUP BY conversation_id HAVING count(*) > 1))"
  "     + (SELECT count(*) FROM chat_messages AS m"
  "         WHERE m.parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chat_messages AS p"
  "           WHERE p.id = m.parent_id AND p.conversation_id = m.conversation_id AND p.seq < m.seq))"
  "     + (SELECT count(*) FROM chat_conversations AS c"
  "         WHERE c.current_leaf_id IS NULL IS NOT NOT EXISTS (SELECT 1 FROM chat_messages AS m"
  "                                                            WHERE m.conversation_id = c.id)"
  "            OR (c.current_leaf_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chat_messages AS m"
  "                 WHERE m.id = c.current_leaf_id AND m.conversation_id = c.id)))"
  "     + (SELECT count(*) FROM chatflow_statement_clock)";

static sqlite3 *pTemplate = 0;
static sqlite3_stmt *pInvariant = 0; /* zInvariantSql on the input's connection */
static unsigned long aCalls[CF_FZ_NENTRY][2]; /* [i][0] succeeded, [i][1] failed */
static unsigned long nInputs = 0;
static int bVerbose = 0; /* FUZZ_VERBOSE=1: print every error */

static void cfFzDie(const char *zWhat, const char *zDetail, const char *zSql) {
  fprintf(stderr, "fuzz_chatflow: BREACH: %s: %s\n  statement: %s\n", zWhat, zDetail ? zDetail : "",
          zSql ? zSql : "");
  abort();
}

static void cfFzExec(sqlite3 *db, const char *zSql) {
  char *zErr = 0;
  if (sqlite3_exec(db, zSql, 0, 0, &zErr) != SQLITE_OK) cfFzDie("setup failed", zErr, zSql);
}

static void cfFzStats(void) {
  if (!getenv("FUZZ_STATS")) return;
  unsigned long nOk = 0, nErr = 0;
  fprintf(stderr, "fuzz_chatflow: calls per entry point (succeeded / failed with an error):\n");
  for (int i = 0; i < CF_FZ_NENTRY; i++) {
    fprintf(stderr, "  %2d %-38s %9lu / %9lu\n", i, aEntry[i].zName, aCalls[i][0], aCalls[i][1]);
    nOk += aCalls[i][0];
    nErr += aCalls[i][1];
  }
  fprintf(stderr, "fuzz_chatflow: %lu inputs, %lu calls (%lu succeeded, %lu failed), %d entry points\n",
          nInputs, nOk + nErr, nOk, nErr, CF_FZ_NENTRY);
}

int LLVMFuzzerInitialize(int *pArgc, char ***pArgv) {
  (void)pArgc; (void)pArgv;
  sqlite3_initialize();
  sqlite3_auto_extension((void (*)(void))sqlite3_chatflow_init);
  if (sqlite3_open(":memory:", &pTemplate) != SQLITE_OK) cfFzDie("open", "template", 0);
  cfFzExec(pTemplate, zTemplateSql);
  atexit(cfFzStats);
  bVerbose = getenv("FUZZ_VERBOSE") != 0;
  return 0;
}

static int64_t cfFzScalar(sqlite3 *db, const char *zSql) {
  sqlite3_stmt *pStmt = 0;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) != SQLITE_OK) cfFzDie("prepare", sqlite3_errmsg(db), zSql);
  if (sqlite3_step(pStmt) == SQLITE_ROW) v = sqlite3_column_int64(pStmt, 0);
  else cfFzDie("check failed", sqlite3_errmsg(db), zSql);
  sqlite3_finalize(pStmt);
  return v;
}

/* Runs one call; aborts on a broken rule. */
static void cfFzCall(sqlite3 *db, const uint8_t *a, size_t n) {
  const CfFzEntry *e;
  const char *zSql;
  const uint8_t *aArg[CF_FZ_MAX_ARGS];
  size_t anArg[CF_FZ_MAX_ARGS];
  int nPart = 0, bBlob, iEntry, rc;
  sqlite3_stmt *pStmt = 0;
  if (n == 0) return;
  iEntry = (a[0] & 0x7f) % CF_FZ_NENTRY;
  bBlob = (a[0] & 0x80) != 0;
  e = &aEntry[iEntry];
  a++;
  n--;
  if (e->flags & CF_FZ_FIXED) {
    zSql = azFixed[(n ? a[0] : 0) % CF_FZ_NFIXED];
  } else {
    size_t i = 0, start = 0;
    zSql = e->zSql;
    for (; i <= n && nPart < e->nArg; i++) {
      if (i == n || (a[i] == CF_FZ_SEP_ARG && nPart < e->nArg - 1)) {
        aArg[nPart] = a + start;
        anArg[nPart] = i - start;
        nPart++;
        start = i + 1;
      }
    }
  }
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if (rc != SQLITE_OK) cfFzDie("prepare", sqlite3_errmsg(db), zSql);
  for (int i = 0; i < nPart; i++) {
    if (bBlob) sqlite3_bind_blob(pStmt, i + 1, aArg[i], (int)anArg[i], SQLITE_TRANSIENT);
    else sqlite3_bind_text(pStmt, i + 1, (const char *)aArg[i], (int)anArg[i], SQLITE_TRANSIENT);
  }
  {
    int bFirst = 1, bNull = 0;
    while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      for (int c = 0; c < sqlite3_column_count(pStmt); c++) {
        (void)sqlite3_column_text(pStmt, c);
      }
      if (bFirst) bNull = sqlite3_column_type(pStmt, 0) == SQLITE_NULL;
      bFirst = 0;
    }
    if (rc == SQLITE_DONE) {
      aCalls[iEntry][0]++;
      if ((e->flags & CF_FZ_ID) && (bFirst || bNull)) {
        cfFzDie("a call that returns an id succeeded without one", e->zName, zSql);
      }
    } else {
      const char *zMsg = sqlite3_errmsg(db);
      aCalls[iEntry][1]++;
      if (bVerbose) fprintf(stderr, "fuzz_chatflow: %s: %s\n", e->zName, zMsg);
      static const char *const azHiding[] = {"not an error", "no such savepoint"};
      for (int k = 0; k < 2; k++) {
        /* (unless the message only quotes the argument) */
        if (strstr(zMsg, azHiding[k]) && !memmem(a, n, azHiding[k], strlen(azHiding[k]))) {
          cfFzDie("error message hides the error", zMsg, zSql);
        }
      }
    }
  }
  sqlite3_finalize(pStmt);
  if (!sqlite3_get_autocommit(db)) {
    cfFzDie("the call left a transaction open (autocommit off)", e->zName, zSql);
  }
  if (sqlite3_step(pInvariant) != SQLITE_ROW) cfFzDie("check failed", sqlite3_errmsg(db), zInvariantSql);
  if (sqlite3_column_int64(pInvariant, 0) != 0) {
    cfFzDie("invariant broken (counters vs recount, two active runs, or a leftover "
            "chatflow_statement_clock row)", e->zName, zSql);
  }
  sqlite3_reset(pInvariant);
}

int LLVMFuzzerTestOneInput(const uint8_t *aData, size_t nData) {
  sqlite3 *db = 0;
  sqlite3_backup *pBackup;
  size_t start = 0;
  int nCall = 0;
  nInputs++;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) cfFzDie("open", sqlite3_errmsg(db), 0);
  pBackup = sqlite3_backup_init(db, "main", pTemplate, "main");
  if (pBackup == 0) cfFzDie("backup", sqlite3_errmsg(db), 0);
  sqlite3_backup_step(pBackup, -1);
  if (sqlite3_backup_finish(pBackup) != SQLITE_OK) cfFzDie("backup", sqlite3_errmsg(db), 0);
  cfFzExec(db, "SELECT chatflow_clock('2026-01-01T00:00:00.000Z')");
  /* keep a runaway statement bounded */
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
  if (sqlite3_prepare_v2(db, zInvariantSql, -1, &pInvariant, 0) != SQLITE_OK) {
    cfFzDie("prepare", sqlite3_errmsg(db), zInvariantSql);
  }
  for (size_t i = 0; i <= nData && nCall < CF_FZ_MAX_CALLS; i++) {
    if (i == nData || aData[i] == CF_FZ_SEP_CALL) {
      cfFzCall(db, aData + start, i - start);
      nCall++;
      start = i + 1;
    }
  }
  sqlite3_finalize(pInvariant);
  pInvariant = 0;
  if (cfFzScalar(db, "SELECT count(*) FROM pragma_quick_check WHERE quick_check <> 'ok'") != 0) {
    cfFzDie("PRAGMA quick_check failed", 0, 0);
  }
  {
    char *zErr = 0;
    if (sqlite3_exec(db,
                     "INSERT INTO chat_messages_fts(chat_messages_fts) VALUES ('integrity-check');"
                     "INSERT INTO chat_titles_fts(chat_titles_fts) VALUES ('integrity-check');",
                     0, 0, &zErr) != SQLITE_OK) {
      cfFzDie("search index integrity-check failed", zErr, 0);
    }
  }
  if (sqlite3_close(db) != SQLITE_OK) cfFzDie("sqlite3_close did not return SQLITE_OK", 0, 0);
  return 0;
}
