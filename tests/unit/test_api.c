/*
** test_api.c — integration through the C API: a connection of the system
** SQLite, sqlite3_chatflow_init() called directly (static build), then
** every function of issue 2 with exact results and exact error texts
** (sqlite3_errmsg after the failing step).  Each test gets a fresh
** in-memory database with the clock pinned to 2026-01-01T00:00:00.000Z;
** the teardown requires sqlite3_close() to return SQLITE_OK.
*/
#include "unit.h"

#include <unistd.h>

#define T0 "2026-01-01T00:00:00.000Z"

/* Everything chatflow stores, as one string: counts and the mutable
** columns, so that "nothing was written" is one comparison. */
#define FINGERPRINT_SQL                                                                        \
  "SELECT (SELECT count(*) FROM chat_conversations) || '|' ||"                                 \
  " (SELECT count(*) FROM chat_messages) || '|' ||"                                            \
  " (SELECT count(*) FROM workflow_runs) || '|' ||"                                            \
  " (SELECT count(*) FROM workflow_run_events) || '|' ||"                                      \
  " (SELECT count(*) FROM workflow_interrupts) || '|' ||"                                      \
  " (SELECT count(*) FROM chatflow_settings) || '|' ||"                                        \
  " (SELECT count(*) FROM chatflow_statement_clock) || '|' ||"                                 \
  " coalesce((SELECT group_concat(id || ':' || coalesce(title, '-') || ':' || message_count"   \
  "   || ':' || coalesce(deleted_at, '-') || ':' || updated_at, ',') FROM chat_conversations), '') || '|' ||" \
  " coalesce((SELECT group_concat(id || ':' || status || ':' || current_step || ':' || state,"  \
  "   ',') FROM workflow_runs), '')"

static char *fingerprint(sqlite3 *db) {
  char *z = 0;
  assert_int_equal(cfTestRun(db, FINGERPRINT_SQL, &z), SQLITE_OK);
  return z;
}

/* zSql fails with zExpected and leaves the database as it was. */
static void expect_error_unchanged(sqlite3 *db, const char *zSql, const char *zExpected,
                                   const char *zFile, int iLine) {
  char *zBefore = fingerprint(db), *zAfter;
  cfTestExpect(db, zSql, zExpected, 1, zFile, iLine);
  zAfter = fingerprint(db);
  if (strcmp(zBefore, zAfter) != 0) {
    print_error("%s:%d: %s\n  changed the database:\n  before %s\n  after  %s\n", zFile, iLine,
                zSql, zBefore, zAfter);
    sqlite3_free(zBefore);
    sqlite3_free(zAfter);
    _fail(zFile, iLine);
  }
  sqlite3_free(zBefore);
  sqlite3_free(zAfter);
  /* no function leaves its SAVEPOINT or a transaction behind */
  assert_int_equal(sqlite3_get_autocommit(db), 1);
}
#define CF_SQL_ERROR_UNCHANGED(db, zSql, zExpected) \
  expect_error_unchanged(db, zSql, zExpected, __FILE__, __LINE__)

/* ------------------------------------------------------------ the schema */

static void test_uninitialised(void **state) {
  sqlite3 *db = cfTestOpenRaw(":memory:");
  static const char *azSql[] = {
    "SELECT create_conversation('acme')",
    "SELECT find_or_create_conversation('acme', 'k')",
    "SELECT delete_conversation(1)",
    "SELECT add_message(1, 'user', 'hi')",
    "SELECT start_run(1, 'topical_map')",
    "SELECT set_run_status(1, 'processing')",
    "SELECT active_run(1)",
    "SELECT run_status(1)",
    "SELECT merge_run_state(1, '{}')",
    "SELECT chat_history_json(1)",
    "SELECT * FROM chat_history(1)",
    "SELECT * FROM workflow_interrupt WHERE workflow_id = 'run_1'",
    "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00')",
    "SELECT chatflow_config('llm.model')",
  };
  (void)state;
  for (size_t i = 0; i < sizeof(azSql) / sizeof(azSql[0]); i++) {
    CF_SQL_ERROR(db, azSql[i], "chatflow: schema not initialised \xe2\x80\x94 run SELECT chatflow_init()");
  }
  /* pure functions need no schema */
  CF_SQL(db, "SELECT chatflow_version()", CHATFLOW_VERSION);
  CF_SQL(db, "SELECT run_workflow_id(7)", "run_7");
  {
    /* every embedded migration is applied and recorded, once */
    char *zV = sqlite3_mprintf("%d", cfSchemaVersion);
    char *zRecorded = sqlite3_mprintf("%d %d", cfSchemaVersion, cfSchemaVersion);
    char *zNewer = sqlite3_mprintf("chatflow: database schema is version 99, newer than this chatflow "
                                   CHATFLOW_VERSION " knows (%d); upgrade the extension", cfSchemaVersion);
    CF_SQL(db, "SELECT chatflow_init()", zV);
    CF_SQL(db, "SELECT chatflow_init()", zV);  /* idempotent */
    CF_SQL(db, "SELECT count(*) || ' ' || max(version) FROM chatflow_migrations", zRecorded);
    CF_SQL(db, "SELECT name FROM chatflow_migrations WHERE version = 1", "001_core");
    CF_SQL(db, "SELECT create_conversation('acme')", "1");
    /* a newer schema is refused */
    CF_EXEC(db, "INSERT INTO chatflow_migrations VALUES (99, '099_future.sql', '" T0 "')");
    CF_SQL_ERROR(db, "SELECT create_conversation('acme')", zNewer);
    CF_SQL_ERROR(db, "SELECT chatflow_init()", zNewer);
    sqlite3_free(zV);
    sqlite3_free(zRecorded);
    sqlite3_free(zNewer);
  }
  cfTestClose(db);
}

static void test_config_and_clock(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT chatflow_config('llm.model')", "NULL");
  CF_SQL(db, "SELECT chatflow_config('llm.timeout_ms')", "60000");
  CF_SQL(db, "SELECT chatflow_config('llm.model', 'qwen3')", "qwen3");
  CF_SQL(db, "SELECT chatflow_config('llm.model')", "qwen3");
  CF_SQL(db, "SELECT chatflow_config('llm.model', NULL)", "NULL");
  CF_SQL(db, "SELECT count(*) FROM chatflow_settings", "0");
  CF_SQL_ERROR_PREFIX(db, "SELECT chatflow_config('llm.bogus')",
                      "chatflow: unknown setting 'llm.bogus' (expected llm.base_url, llm.model,"
                      " llm.api_key_env, llm.timeout_ms, limits.max_content_chars");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT chatflow_config('llm.timeout_ms', 'abc')",
                         "chatflow: llm.timeout_ms must be an integer from 1 to 3600000, got 'abc'");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT chatflow_config('llm.base_url', 'ftp://x')",
                         "chatflow: llm.base_url must be an http:// or https:// URL, got 'ftp://x'");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT chatflow_config(NULL)", "chatflow: setting key must not be NULL");

  CF_SQL(db, "SELECT chatflow_clock()", T0);
  CF_SQL(db, "SELECT chatflow_clock('2024-02-29T23:59:59.999Z')", "2024-02-29T23:59:59.999Z");
  CF_SQL_ERROR(db, "SELECT chatflow_clock('2026-02-29T00:00:00Z')",
               "chatflow: invalid timestamp '2026-02-29T00:00:00Z' (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)");
  CF_SQL(db, "SELECT chatflow_clock()", "2024-02-29T23:59:59.999Z");  /* unchanged by the error */
  /* unpinned: the real time, in the canonical form */
  CF_SQL(db, "SELECT chatflow_clock(NULL) GLOB '20[2-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'", "1");
  CF_SQL(db, "SELECT chatflow_clock() > '2025'", "1");
}

/* --------------------------------------------------------- conversations */

static void test_conversations(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT create_conversation('acme', 'Pricing',"
             " '{\"key\": \"t-1\", \"uid\": \"u-1\", \"visibility\": \"public\", \"model\": \"gpt-4o\","
             " \"agent\": \"seo\", \"context\": {\"geo\": \"fr\"}, \"metadata\": {\"a\": [1]}}')", "2");
  CF_SQL(db, "SELECT owner || '|' || key || '|' || uid || '|' || title || '|' || visibility || '|' || model"
             " || '|' || agent || '|' || context || '|' || metadata || '|' || created_at || '|' || updated_at"
             " || '|' || message_count FROM chat_conversations WHERE id = 2",
         "acme|t-1|u-1|Pricing|public|gpt-4o|seo|{\"geo\":\"fr\"}|{\"a\":[1]}|" T0 "|" T0 "|0");
  CF_SQL(db, "SELECT length(uid) || visibility || context || metadata FROM chat_conversations WHERE id = 1",
         "32private{}{}");
  CF_SQL(db, "SELECT find_or_create_conversation('acme', 't-1')", "2");
  CF_SQL(db, "SELECT find_or_create_conversation('acme', 't-2', 'New')", "3");
  CF_SQL(db, "SELECT find_or_create_conversation('acme', 't-2', 'Other title')", "3");
  CF_SQL(db, "SELECT find_or_create_conversation('globex', 't-1')", "4");  /* keys are per owner */
  CF_SQL(db, "SELECT create_conversation('acme', NULL, '{\"created_at\": \"2025-05-05T05:05:05Z\"}')", "5");
  CF_SQL(db, "SELECT created_at FROM chat_conversations WHERE id = 5", "2025-05-05T05:05:05.000Z");

  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"key\": \"t-1\"}')",
                         "chatflow: owner 'acme' already has a conversation with key 't-1' (id 2)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"uid\": \"u-1\"}')",
                         "chatflow: uid 'u-1' is already taken");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"uid\": \"a b\"}')",
                         "chatflow: uid 'a b' must use only letters, digits, '-' and '_' (URL-safe)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"visibility\": \"secret\"}')",
                         "chatflow: invalid visibility 'secret' (expected private, public)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"colour\": \"red\"}')",
                         "chatflow: unknown option 'colour' for create_conversation (expected key, uid,"
                         " visibility, model, agent, context, metadata, created_at, now)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"context\": [1]}')",
                         "chatflow: option 'context' of create_conversation must be an object, got an array");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"key\": ')",
                         "chatflow: create_conversation options is not valid JSON at offset 8: unexpected end of input");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', NULL, '{\"created_at\": \"yesterday\"}')",
                         "chatflow: invalid timestamp 'yesterday' for created_at (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT find_or_create_conversation('acme', 'k', NULL, '{\"key\": \"k\"}')",
                         "chatflow: find_or_create_conversation takes the key as its second argument, not as an option");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT find_or_create_conversation('acme', NULL)", "chatflow: key must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation(NULL)", "chatflow: owner must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('')", "chatflow: owner must not be empty");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation(42)", "chatflow: owner must be text, got integer 42");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation('acme', printf('%.201c', 'x'))",
                         "chatflow: title is 201 characters, longer than the limit of 200");
  CF_SQL(db, "SELECT create_conversation('acme', printf('%.200c', 'x')) > 0", "1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation(printf('%.201c', 'o'))",
                         "chatflow: owner is 201 characters, longer than the limit of 200");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT create_conversation(CAST(x'ff' AS TEXT))",
                         "chatflow: owner is not valid UTF-8");
}

static void test_conversation_lifecycle(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme', 'A')", "1");
  CF_SQL(db, "SELECT chatflow_clock('2026-01-02T00:00:00Z')", "2026-01-02T00:00:00.000Z");
  CF_SQL(db, "SELECT delete_conversation(1)", "1");
  CF_SQL(db, "SELECT deleted_at || ' ' || updated_at FROM chat_conversations",
         "2026-01-02T00:00:00.000Z 2026-01-02T00:00:00.000Z");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT delete_conversation(1)", "chatflow: conversation 1 is already deleted");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'hi')",
                         "chatflow: conversation 1 is deleted; restore_conversation(1) first");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(1, 'topical_map')",
                         "chatflow: conversation 1 is deleted; restore_conversation(1) first");
  CF_SQL(db, "SELECT restore_conversation(1)", "1");
  CF_SQL(db, "SELECT deleted_at IS NULL FROM chat_conversations", "1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT restore_conversation(1)", "chatflow: conversation 1 is not deleted");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT delete_conversation(99)", "chatflow: unknown conversation 99");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT purge_conversation(99)", "chatflow: unknown conversation 99");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT purge_conversation(NULL)", "chatflow: conversation id must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT restore_conversation('one')",
                         "chatflow: conversation id must be an integer id, got text 'one'");

  /* purge cascades to messages, runs, events and the run's interrupt */
  CF_SQL(db, "SELECT create_conversation('acme', 'B')", "2");
  CF_SQL(db, "SELECT add_message(1, 'user', 'one')", "1");
  CF_SQL(db, "SELECT add_message(2, 'user', 'two')", "2");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT add_message(1, 'assistant', 'in run')", "3");
  CF_EXEC(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01')");
  CF_SQL(db, "SELECT purge_conversation(1)", "1");
  CF_SQL(db, "SELECT (SELECT group_concat(id) FROM chat_conversations) || '|' ||"
             " (SELECT group_concat(id) FROM chat_messages) || '|' ||"
             " (SELECT count(*) FROM workflow_runs) || (SELECT count(*) FROM workflow_run_events) ||"
             " (SELECT count(*) FROM workflow_interrupts)", "2|2|000");
}

/* -------------------------------------------------------------- messages */

static void test_add_message(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT add_message(1, 'system', 'You are terse.')", "1");
  CF_SQL(db, "SELECT title IS NULL FROM chat_conversations", "1");  /* system: no title */
  CF_SQL(db, "SELECT add_message(1, 'user', '  Plan a   topical map\n for our bakery  ')", "2");
  CF_SQL(db, "SELECT title FROM chat_conversations", "Plan a topical map for our bakery");
  CF_SQL(db, "SELECT add_message(1, 'user', 'Second user message')", "3");
  CF_SQL(db, "SELECT title FROM chat_conversations", "Plan a topical map for our bakery");
  CF_SQL(db, "SELECT add_message(1, 'assistant', 'Sure.', '{\"tokens\": 100, \"type\": \"proposal\","
             " \"metadata\": {\"model\": \"gpt-4o\"}, \"parts\": [{\"type\": \"text\", \"text\": \"Sure.\"}],"
             " \"attachments\": [{\"name\": \"a.pdf\"}]}')", "4");
  CF_SQL(db, "SELECT add_message(1, 'tool', '', '{\"parts\": [{\"type\": \"tool-result\", \"x\": 1}]}')", "5");
  CF_SQL(db, "SELECT add_message(1, 'assistant', NULL, '{\"parts\": [{\"type\": \"reasoning\"}]}')", "6");
  CF_SQL(db, "SELECT add_message(1, 'user', 'h\xc3\xa9llo w\xc3\xb6rld')", "7");  /* 11 characters */
  CF_SQL(db, "SELECT group_concat(seq || ':' || role || ':' || type || ':' || tokens, ' ') FROM chat_messages",
         "1:system:system:4 2:user:user_input:10 3:user:user_input:5 4:assistant:proposal:100"
         " 5:tool:tool_result:8 6:assistant:assistant_response:6 7:user:user_input:3");
  CF_SQL(db, "SELECT content || '|' || parts || '|' || attachments || '|' || metadata FROM chat_messages WHERE id = 4",
         "Sure.|[{\"type\":\"text\",\"text\":\"Sure.\"}]|[{\"name\":\"a.pdf\"}]|{\"model\":\"gpt-4o\"}");
  CF_SQL(db, "SELECT quote(content) FROM chat_messages WHERE id = 6", "''");
  CF_SQL(db, "SELECT message_count || ' ' || last_message_at || ' ' || updated_at FROM chat_conversations",
         "7 " T0 " " T0);
  /* seq is per conversation */
  CF_SQL(db, "SELECT create_conversation('acme')", "2");
  CF_SQL(db, "SELECT add_message(2, 'user', 'x')", "8");
  CF_SQL(db, "SELECT seq FROM chat_messages WHERE id = 8", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'later', '{\"created_at\": \"2026-03-01T10:00:00Z\"}')", "9");
  CF_SQL(db, "SELECT seq || ' ' || created_at FROM chat_messages WHERE id = 9", "8 2026-03-01T10:00:00.000Z");
}

static void test_add_message_errors(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT create_conversation('acme')", "2");
  CF_SQL(db, "SELECT start_run(2, 'topical_map')", "1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'admin', 'x')",
                         "chatflow: invalid role 'admin' (expected system, user, assistant, tool)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, NULL, 'x')", "chatflow: role must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', '')",
                         "chatflow: message content must not be empty unless parts are given"
                         " or it is a tool result (tool_call_id)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', NULL)",
                         "chatflow: message content must not be NULL unless parts are given"
                         " or it is a tool result (tool_call_id)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', x'68690a')", "chatflow: content must be text, got blob");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 12)", "chatflow: content must be text, got integer 12");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', CAST(x'c328' AS TEXT))",
                         "chatflow: content is not valid UTF-8");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', CAST(x'eda080' AS TEXT))",
                         "chatflow: content is not valid UTF-8");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message('1', 'user', 'x')",
                         "chatflow: conversation id must be an integer id, got text '1'");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1.5, 'user', 'x')",
                         "chatflow: conversation id must be an integer id, got real 1.5");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(0, 'user', 'x')",
                         "chatflow: conversation id must be a positive integer id, got 0");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(99, 'user', 'x')", "chatflow: unknown conversation 99");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"run_id\": 1}')",
                         "chatflow: run 1 belongs to conversation 2, not 1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"run_id\": 7}')", "chatflow: unknown run 7");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"run_id\": 0}')",
                         "chatflow: run_id must be a positive integer id, got 0");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"tokens\": -1}')",
                         "chatflow: tokens must be from 0 to 1000000000, got -1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"type\": \"Bad Type\"}')",
                         "chatflow: invalid message type 'Bad Type' (expected 1 to 64 of a-z, 0-9, '_', '.', '-')");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"bogus\": 1}')",
                         "chatflow: unknown option 'bogus' for add_message (expected type, parts, attachments,"
                         " metadata, tokens, run_id, created_at, uid, tool_calls, tool_call_id, parent_id, now)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"parts\": [{\"type\": \"tool-x\", \"toolCallId\": \"c\"}]}')",
                         "chatflow: parts[0] (tool-x) needs a string \"state\", got none");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '{\"tokens\": }')",
                         "chatflow: add_message options is not valid JSON at offset 11: unexpected character");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'x', '[]')",
                         "chatflow: add_message options must be a JSON object, got an array");
  /* the content limit, settable */
  CF_SQL(db, "SELECT chatflow_config('limits.max_content_chars', '5')", "5");
  CF_SQL(db, "SELECT add_message(1, 'user', 'h\xc3\xa9llo')", "1");  /* 5 characters, 6 bytes */
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', 'hello!')",
                         "chatflow: message content is 6 characters, longer than the limit of 5 (limits.max_content_chars)");
  CF_SQL(db, "SELECT chatflow_config('limits.max_content_chars', NULL)", "100000");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_message(1, 'user', printf('%.100001c', 'x'))",
                         "chatflow: message content is 100001 characters, longer than the limit of 100000 (limits.max_content_chars)");
  CF_SQL(db, "SELECT add_message(1, 'user', printf('%.100000c', 'x'))", "2");
  CF_SQL(db, "SELECT tokens FROM chat_messages WHERE id = 2", "25000");
}

/* An error after add_message has already written (the title, then the
** INSERT fails) leaves nothing behind. */
static void test_add_message_atomic(void **state) {
  sqlite3 *db = *state;
  char *zOut = 0;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  /* a trigger refuses the INSERT, after add_message has set the title */
  CF_EXEC(db, "CREATE TEMP TRIGGER fail_insert BEFORE INSERT ON chat_messages"
              " BEGIN SELECT RAISE(ABORT, 'chatflow: test trigger refused the message'); END");
  {
    char *zBefore = fingerprint(db), *zAfter;
    CF_SQL_ERROR(db, "SELECT add_message(1, 'user', 'First words')",
                 "chatflow: test trigger refused the message");
    zAfter = fingerprint(db);
    assert_string_equal(zBefore, zAfter);
    sqlite3_free(zBefore);
    sqlite3_free(zAfter);
  }
  CF_SQL(db, "SELECT title IS NULL FROM chat_conversations", "1");
  CF_EXEC(db, "DROP TRIGGER fail_insert");
  /* json-c accepts the single-quoted key, SQLite's json_extract() in the
  ** INSERT does not: again a failure after the title was set */
  assert_int_equal(cfTestRun(db, "SELECT add_message(1, 'user', 'x', '{''tokens'': 5}')", &zOut), SQLITE_ERROR);
  assert_true(strncmp(zOut, "chatflow: ", 10) == 0);
  sqlite3_free(zOut);
  CF_SQL(db, "SELECT title IS NULL AND message_count = 0 FROM chat_conversations", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'First words')", "1");
  CF_SQL(db, "SELECT title || ' ' || message_count FROM chat_conversations", "First words 1");
}

/* --------------------------------------------------------------- history */

static void test_history_windows(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT add_message(1, 'system', 'sys', '{\"tokens\": 10}')", "1");
  for (int i = 0; i < 6; i++) {
    char *zSql = sqlite3_mprintf("SELECT add_message(1, '%s', 'm%d', '{\"tokens\": %d}')",
                                 i % 2 ? "assistant" : "user", i + 2, 10 + i);
    char *zId = sqlite3_mprintf("%d", i + 2);
    CF_SQL(db, zSql, zId);
    sqlite3_free(zSql);
    sqlite3_free(zId);
  }
  /* tokens: seq 1 system 10; seq 2..7 = 10, 11, 12, 13, 14, 15 */
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1)", "1,2,3,4,5,6,7");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, NULL)", "1,2,3,4,5,6,7");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 39)", "1,6,7");   /* 10 + 14 + 15 */
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 38)", "1,7");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 52)", "1,5,6,7"); /* 10 + 13 + 14 + 15 */
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 10)", "1");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 0)", "1");        /* system always kept */
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 1000)", "1,2,3,4,5,6,7");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history WHERE conversation_id = 1 AND max_tokens = 25",
         "1,7");
  CF_SQL(db, "SELECT count(*) FROM chat_history(1, 39) WHERE role = 'system'", "1");
  CF_SQL(db, "SELECT group_concat(role || ':' || content || ':' || tokens, ' ') FROM chat_history(1, 39)",
         "system:sys:10 user:m6:14 assistant:m7:15");
  CF_SQL(db, "SELECT chat_history_json(1, 39)",
         "[{\"role\":\"system\",\"content\":\"sys\"},{\"role\":\"user\",\"content\":\"m6\"},"
         "{\"role\":\"assistant\",\"content\":\"m7\"}]");
  CF_SQL(db, "SELECT json_array_length(chat_history_json(1))", "7");
  /* a run's messages */
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'r1', '{\"tokens\": 1}')", "8");
  CF_SQL(db, "SELECT add_message(1, 'assistant', 'r2', '{\"tokens\": 2}')", "9");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, NULL, 1)", "1,8,9");
  CF_SQL(db, "SELECT group_concat(seq) FROM chat_history(1, 12, 1)", "1,9");
  CF_SQL(db, "SELECT chat_history_json(1, 13, 1)",
         "[{\"role\":\"system\",\"content\":\"sys\"},{\"role\":\"user\",\"content\":\"r1\"},"
         "{\"role\":\"assistant\",\"content\":\"r2\"}]");
  /* an empty conversation */
  CF_SQL(db, "SELECT create_conversation('acme')", "2");
  CF_SQL(db, "SELECT chat_history_json(2)", "[]");
  CF_SQL(db, "SELECT count(*) FROM chat_history(2, 100)", "0");
  /* errors */
  CF_SQL_ERROR(db, "SELECT chat_history_json(1, -1)",
               "chatflow: max_tokens must be a non-negative integer or NULL, got -1");
  CF_SQL_ERROR(db, "SELECT chat_history_json(1, '10')",
               "chatflow: max_tokens must be a non-negative integer or NULL, got text '10'");
  CF_SQL_ERROR(db, "SELECT chat_history_json(99)", "chatflow: unknown conversation 99");
  CF_SQL_ERROR(db, "SELECT chat_history_json(NULL)", "chatflow: conversation id must not be NULL");
  CF_SQL_ERROR(db, "SELECT chat_history_json(2, NULL, 1)", "chatflow: run 1 belongs to conversation 1, not 2");
  CF_SQL_ERROR(db, "SELECT chat_history_json(2, NULL, 5)", "chatflow: unknown run 5");
  CF_SQL_ERROR(db, "SELECT * FROM chat_history(99)", "chatflow: unknown conversation 99");
  CF_SQL_ERROR(db, "SELECT * FROM chat_history(1, -5)",
               "chatflow: max_tokens must be a non-negative integer or NULL, got -5");
  CF_SQL_ERROR(db, "SELECT * FROM chat_history(1, NULL, 'x')",
               "chatflow: run_id must be a positive integer id or NULL, got text 'x'");
  CF_SQL_ERROR(db, "SELECT * FROM chat_history",
               "chatflow: chat_history needs a conversation id: chat_history(conversation_id [, max_tokens [, run_id]])");
  CF_SQL_ERROR(db, "SELECT * FROM chat_history('1')",
               "chatflow: chat_history needs a positive integer conversation id, got text '1'");
}

/* ------------------------------------------------------------------ runs */

static void test_run_transitions(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT start_run(1, 'topical_map', '{\"seed\": \"bakery\"}')", "1");
  CF_SQL(db, "SELECT run_status(1)",
         "{\"id\":1,\"conversation_id\":1,\"workflow\":\"topical_map\",\"status\":\"started\","
         "\"current_step\":\"context_ingestion\",\"is_active\":true,\"is_awaiting_input\":false,"
         "\"started_at\":\"" T0 "\",\"completed_at\":null,\"error\":null,"
         "\"expires_at\":null,\"queue_position\":null}");
  CF_SQL(db, "SELECT active_run(1)", "1");
  CF_SQL(db, "SELECT state FROM workflow_runs", "{\"seed\":\"bakery\"}");
  CF_SQL(db, "SELECT set_run_status(1, 'processing')", "1");
  CF_SQL(db, "SELECT set_run_status(1, 'awaiting_clarification', 'clarification')", "1");
  CF_SQL(db, "SELECT run_status(1) ->> 'status' || ' ' || (run_status(1) ->> 'current_step') || ' ' ||"
             " (run_status(1) ->> 'is_awaiting_input')", "awaiting_clarification clarification 1");
  /* messages added now copy the step */
  CF_SQL(db, "SELECT add_message(1, 'user', 'answer')", "1");
  CF_SQL(db, "SELECT run_id || ' ' || workflow_step FROM chat_messages", "1 clarification");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(1, 'completed')",
                         "chatflow: invalid run transition awaiting_clarification -> completed (run 1)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(1, 'awaiting_approval')",
                         "chatflow: invalid run transition awaiting_clarification -> awaiting_approval (run 1)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(1, 'started')",
                         "chatflow: invalid run transition awaiting_clarification -> started (run 1)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(1, 'done')",
                         "chatflow: invalid run status 'done' (expected started, awaiting_clarification,"
                         " awaiting_approval, processing, completed, failed, cancelled, queued, expired)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(1, 'processing', 'nostep')",
                         "chatflow: unknown step 'nostep' for workflow topical_map (expected context_ingestion,"
                         " clarification, pillar_proposal, pillar_validation, cluster_generation, completion)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(9, 'processing')", "chatflow: unknown run 9");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(NULL, 'processing')", "chatflow: run id must not be NULL");
  CF_SQL(db, "SELECT set_run_status(1, 'processing', 'pillar_proposal')", "1");
  CF_SQL(db, "SELECT set_run_status(1, 'awaiting_approval')", "1");
  CF_SQL(db, "SELECT set_run_status(1, 'processing', 'completion')", "1");
  CF_SQL(db, "SELECT chatflow_clock('2026-01-01T00:05:00Z')", "2026-01-01T00:05:00.000Z");
  CF_SQL(db, "SELECT complete_run(1)", "1");
  CF_SQL(db, "SELECT active_run(1)", "NULL");
  CF_SQL(db, "SELECT run_status(1) ->> 'completed_at'", "2026-01-01T00:05:00.000Z");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT complete_run(1)", "chatflow: invalid run transition completed -> completed (run 1)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT set_run_status(1, 'processing')",
                         "chatflow: invalid run transition completed -> processing (run 1)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT cancel_run(1)", "chatflow: invalid run transition completed -> cancelled (run 1)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT fail_run(1, 'late')", "chatflow: invalid run transition completed -> failed (run 1)");
  /* raw SQL meets the same table, workflow_run_transitions (a trigger cannot
  ** name the statuses or the run) */
  CF_SQL_ERROR_UNCHANGED(db, "UPDATE workflow_runs SET status = 'processing' WHERE id = 1",
                         "chatflow: invalid run transition (not a move of workflow_run_transitions)");
  /* every status change is in the event log */
  CF_SQL(db, "SELECT group_concat(coalesce(from_status, '-') || '>' || to_status, ' ') FROM workflow_run_events",
         "->started started>processing processing>awaiting_clarification awaiting_clarification>processing"
         " processing>awaiting_approval awaiting_approval>processing processing>completed");

  /* fail and cancel */
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "2");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT fail_run(2, NULL)", "chatflow: error must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT fail_run(2, '')", "chatflow: error must not be empty");
  CF_SQL(db, "SELECT fail_run(2, 'model timeout')", "1");
  CF_SQL(db, "SELECT run_status(2) ->> 'status' || ': ' || (run_status(2) ->> 'error')", "failed: model timeout");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "3");
  CF_SQL(db, "SELECT cancel_run(3)", "1");
  CF_SQL(db, "SELECT group_concat(status) FROM workflow_runs", "completed,failed,cancelled");
  CF_SQL(db, "SELECT run_workflow_id(3)", "run_3");
  CF_SQL_ERROR(db, "SELECT run_workflow_id(-3)", "chatflow: run id must be a positive integer id, got -3");
  CF_SQL_ERROR(db, "SELECT run_status(99)", "chatflow: unknown run 99");
  CF_SQL_ERROR(db, "SELECT active_run(99)", "chatflow: unknown conversation 99");
}

static void test_one_active_run(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT create_conversation('acme')", "2");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT set_run_status(1, 'awaiting_approval', 'pillar_proposal')", "1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(1, 'topical_map')",
                         "chatflow: conversation 1 already has an active run 1 (awaiting_approval)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"reject\"}')",
                         "chatflow: conversation 1 already has an active run 1 (awaiting_approval)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"queue\"}')",
                         "chatflow: invalid on_active 'queue' (expected reject, cancel, enqueue, rollback)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(1, 'nope')", "chatflow: unknown workflow 'nope'");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(99, 'topical_map')", "chatflow: unknown conversation 99");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(2, 'topical_map', '[1]')",
                         "chatflow: run input must be an object in JSON, got an array");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT start_run(2, 'topical_map', '{\"a\": }')",
                         "chatflow: run input is not valid JSON at offset 6: unexpected character");
  /* raw SQL cannot add a second active run either */
  CF_SQL_ERROR_UNCHANGED(db, "INSERT INTO workflow_runs (conversation_id, workflow, status, current_step)"
                             " VALUES (1, 'topical_map', 'processing', 'completion')",
                         "chatflow: the conversation already has an active run");
  /* another conversation is independent */
  CF_SQL(db, "SELECT start_run(2, 'topical_map')", "2");
  /* on_active = cancel: the old run is cancelled and the new one started, atomically */
  CF_SQL(db, "SELECT start_run(1, 'topical_map', '{\"k\": 1}', '{\"on_active\": \"cancel\"}')", "3");
  CF_SQL(db, "SELECT group_concat(id || ':' || status, ' ') FROM workflow_runs",
         "1:cancelled 2:started 3:started");
  CF_SQL(db, "SELECT active_run(1) || ' ' || active_run(2)", "3 2");
}

static void test_merge_run_state(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT start_run(1, 'topical_map', '{\"seed\": \"x\", \"keep\": {\"a\": 1, \"b\": 2}}')", "1");
  CF_SQL(db, "SELECT merge_run_state(1, '{\"seed\": null, \"keep\": {\"b\": null, \"c\": [3]}, \"new\": true}')",
         "{\"keep\":{\"a\":1,\"c\":[3]},\"new\":true}");
  CF_SQL(db, "SELECT merge_run_state(1, '{}')", "{\"keep\":{\"a\":1,\"c\":[3]},\"new\":true}");
  CF_SQL(db, "SELECT state FROM workflow_runs", "{\"keep\":{\"a\":1,\"c\":[3]},\"new\":true}");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT merge_run_state(1, '[1]')",
                         "chatflow: state patch must be an object in JSON, got an array");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT merge_run_state(1, '{bad')",
                         "chatflow: state patch is not valid JSON at offset 1: quoted object property name expected");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT merge_run_state(1, NULL)", "chatflow: state patch must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT merge_run_state(2, '{}')", "chatflow: unknown run 2");
  CF_SQL(db, "SELECT cancel_run(1)", "1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT merge_run_state(1, '{\"a\": 1}')",
                         "chatflow: run 1 is cancelled; its state can no longer change");
}

/* advance_run / resume_run: the stepping of topical_map and the exact error
** of every refusal; a refused call writes nothing (runs, events, proposals,
** clarifications) and leaves no transaction open. */
static void test_advance_resume_errors(void **state) {
  sqlite3 *db = *state;
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT create_conversation('acme')", "2");
  CF_SQL(db, "SELECT start_run(1, 'topical_map', '{\"seed\": \"x\"}')", "1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{}')",
                         "chatflow: run 1 is not awaiting input (started); nothing to resume");
  CF_SQL(db, "SELECT advance_run(1, '{\"seed\": null, \"ctx\": 1}')",
         "{\"status\":\"awaiting_clarification\",\"current_step\":\"clarification\"}");
  CF_SQL(db, "SELECT state FROM workflow_runs WHERE id = 1", "{\"ctx\":1}");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(1)",
                         "chatflow: run 1 is awaiting_clarification; resume_run(1, answer) before advancing it");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(1, '{\"x\": 1}')",
                         "chatflow: run 1 is awaiting_clarification; resume_run(1, answer) before advancing it");
  /* argument errors come before any look at the run */
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(NULL)", "chatflow: run id must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run('1')", "chatflow: run id must be an integer id, got text '1'");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(0)", "chatflow: run id must be a positive integer id, got 0");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(9)", "chatflow: unknown run 9");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(1, '[1]')",
                         "chatflow: step output must be an object in JSON, got an array");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(1, '{\"a\": }')",
                         "chatflow: step output is not valid JSON at offset 6: unexpected character");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(1, 7)", "chatflow: step output must be text, got integer 7");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(NULL, '{}')", "chatflow: run id must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(9, '{}')", "chatflow: unknown run 9");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, NULL)", "chatflow: resume answer must not be NULL");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '[]')",
                         "chatflow: resume answer must be a JSON object, got an array");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{')",
                         "chatflow: resume answer is not valid JSON at offset 1: unexpected end of input");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"clarifications\": {}}')",
                         "chatflow: clarifications must be an array, got an object");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q\", \"answer\": \"a\"}]}')",
                         "chatflow: clarifications[0] must be {\"question_id\": 1 to 200 characters or an integer,"
                         " \"question\": 1 to 10000 characters, \"answer\": string} and no other key");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"approvals\": [{\"approved_name\": \"x\"}]}')",
                         "chatflow: approvals[0] must be {\"proposal_id\": positive integer,"
                         " \"approved_name\"?: 1 to 500 characters} and no other key"
                         " (reject_proposal turns a proposal down)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 1, \"approved_name\": \"\"}]}')",
                         "chatflow: approvals[0] must be {\"proposal_id\": positive integer,"
                         " \"approved_name\"?: 1 to 500 characters} and no other key"
                         " (reject_proposal turns a proposal down)");
  /* a key the entry does not have: refused, not dropped ("approved": false
  ** would otherwise approve) */
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 1, \"approved\": false}]}')",
                         "chatflow: approvals[0] must be {\"proposal_id\": positive integer,"
                         " \"approved_name\"?: 1 to 500 characters} and no other key"
                         " (reject_proposal turns a proposal down)");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q\", \"question\": \"Q?\","
                             " \"answer\": \"a\", \"answred_at\": \"x\"}]}')",
                         "chatflow: clarifications[0] must be {\"question_id\": 1 to 200 characters or an integer,"
                         " \"question\": 1 to 10000 characters, \"answer\": string} and no other key");
  CF_SQL(db, "SELECT clarifications FROM workflow_runs WHERE id = 1", "[]");

  /* the answer: clarifications appended, other keys merged, processing */
  CF_SQL(db, "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": 3, \"question\": \"Who?\","
             " \"answer\": \"locals\"}], \"tone\": \"warm\"}')",
         "{\"status\":\"processing\",\"current_step\":\"clarification\"}");
  CF_SQL(db, "SELECT clarifications FROM workflow_runs WHERE id = 1",
         "[{\"question_id\":3,\"question\":\"Who?\",\"answer\":\"locals\",\"answered_at\":\"" T0 "\"}]");
  CF_SQL(db, "SELECT state FROM workflow_runs WHERE id = 1", "{\"ctx\":1,\"tone\":\"warm\"}");
  /* the same wait cannot be resumed twice */
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{}')",
                         "chatflow: run 1 is not awaiting input (processing); nothing to resume");

  /* approvals: proposals of this run only; a refusal writes nothing */
  CF_SQL(db, "SELECT advance_run(1)", "{\"status\":\"awaiting_approval\",\"current_step\":\"pillar_proposal\"}");
  CF_SQL(db, "SELECT add_proposal(1, 'pillar', 'Bread')", "1");
  CF_SQL(db, "SELECT start_run(2, 'topical_map')", "2");
  CF_SQL(db, "SELECT add_proposal(2, 'pillar', 'Other')", "2");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q\","
                             " \"question\": \"?\", \"answer\": \"!\"}], \"approvals\": [{\"proposal_id\": 1},"
                             " {\"proposal_id\": 2}]}')",
                         "chatflow: proposal 2 belongs to run 2, not 1");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 77}]}')",
                         "chatflow: unknown proposal 77");
  CF_SQL(db, "SELECT json_array_length(clarifications) FROM workflow_runs WHERE id = 1", "1");
  CF_SQL(db, "SELECT sum(user_approved) FROM workflow_proposals", "0");
  CF_SQL(db, "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 1, \"approved_name\": \"Breads\"}]}')",
         "{\"status\":\"processing\",\"current_step\":\"pillar_proposal\"}");
  CF_SQL(db, "SELECT approved_name || ' ' || user_approved || ' ' || approved_at FROM workflow_proposals WHERE id = 1",
         "Breads 1 " T0);

  /* to the end: completed, then both refused */
  CF_SQL(db, "SELECT advance_run(1)", "{\"status\":\"processing\",\"current_step\":\"pillar_validation\"}");
  CF_SQL(db, "SELECT advance_run(1)", "{\"status\":\"processing\",\"current_step\":\"cluster_generation\"}");
  CF_SQL(db, "SELECT advance_run(1)", "{\"status\":\"processing\",\"current_step\":\"completion\"}");
  CF_SQL(db, "SELECT advance_run(1)", "{\"status\":\"completed\",\"current_step\":\"completion\"}");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT advance_run(1)", "chatflow: run 1 is completed; it cannot advance");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT resume_run(1, '{}')", "chatflow: run 1 is completed; it cannot be resumed");
  CF_SQL_ERROR_UNCHANGED(db, "SELECT add_proposal(1, 'pillar', 'Late')",
                         "chatflow: run 1 is completed; proposals can only be added to an active run");
  CF_SQL(db, "SELECT count(*) FROM workflow_run_events WHERE run_id = 1", "9");
}

/* ------------------------------------------------------------ interrupts */

/* The EXPLAIN QUERY PLAN details of zSql, joined with "; ". */
static void expect_plan(sqlite3 *db, const char *zSql, const char *zExpected) {
  sqlite3_stmt *pStmt = 0;
  char *zEqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", zSql), *zPlan = 0;
  assert_int_equal(sqlite3_prepare_v2(db, zEqp, -1, &pStmt, 0), SQLITE_OK);
  while (sqlite3_step(pStmt) == SQLITE_ROW) {
    zPlan = sqlite3_mprintf("%z%s%s", zPlan, zPlan ? "; " : "", sqlite3_column_text(pStmt, 3));
  }
  sqlite3_finalize(pStmt);
  sqlite3_free(zEqp);
  assert_non_null(zPlan);
  assert_string_equal(zPlan, zExpected);
  sqlite3_free(zPlan);
}

static void test_interrupt_blob_round_trip(void **state) {
  sqlite3 *db = *state;
  static const unsigned char aBlob[] = {'a', 0, 'b', 0, 0xff, 0, 0x80, 0};
  unsigned char aBig[70000];
  sqlite3_stmt *pStmt = 0;
  for (size_t i = 0; i < sizeof(aBig); i++) aBig[i] = (unsigned char)(i * 7);
  memset(aBig + 100, 0, 1000);

  assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES (?1, ?2)",
                                      -1, &pStmt, 0), SQLITE_OK);
  sqlite3_bind_text(pStmt, 1, "thread-1", -1, SQLITE_STATIC);
  sqlite3_bind_blob(pStmt, 2, aBlob, (int)sizeof(aBlob), SQLITE_STATIC);
  assert_int_equal(sqlite3_step(pStmt), SQLITE_DONE);
  assert_int_equal(sqlite3_reset(pStmt), SQLITE_OK);
  sqlite3_bind_text(pStmt, 1, "wf-big", -1, SQLITE_STATIC);
  sqlite3_bind_blob(pStmt, 2, aBig, (int)sizeof(aBig), SQLITE_STATIC);
  assert_int_equal(sqlite3_step(pStmt), SQLITE_DONE);
  sqlite3_finalize(pStmt);

  /* read back through the virtual table, byte for byte */
  assert_int_equal(sqlite3_prepare_v2(db, "SELECT data, typeof(data), created_at, updated_at"
                                          " FROM workflow_interrupt WHERE workflow_id = ?1", -1, &pStmt, 0),
                   SQLITE_OK);
  sqlite3_bind_text(pStmt, 1, "thread-1", -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
  assert_int_equal(sqlite3_column_bytes(pStmt, 0), (int)sizeof(aBlob));
  assert_memory_equal(sqlite3_column_blob(pStmt, 0), aBlob, sizeof(aBlob));
  assert_string_equal((const char *)sqlite3_column_text(pStmt, 1), "blob");
  assert_string_equal((const char *)sqlite3_column_text(pStmt, 2), T0);
  assert_string_equal((const char *)sqlite3_column_text(pStmt, 3), T0);
  assert_int_equal(sqlite3_step(pStmt), SQLITE_DONE);
  assert_int_equal(sqlite3_reset(pStmt), SQLITE_OK);
  sqlite3_bind_text(pStmt, 1, "wf-big", -1, SQLITE_STATIC);
  assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
  assert_int_equal(sqlite3_column_bytes(pStmt, 0), (int)sizeof(aBig));
  assert_memory_equal(sqlite3_column_blob(pStmt, 0), aBig, sizeof(aBig));
  sqlite3_finalize(pStmt);
  CF_SQL(db, "SELECT hex(data) FROM workflow_interrupts WHERE workflow_id = 'thread-1'", "61006200FF008000");

  /* INSERT again replaces the data and keeps created_at */
  CF_SQL(db, "SELECT chatflow_clock('2026-01-01T01:00:00Z')", "2026-01-01T01:00:00.000Z");
  CF_EXEC(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'00ff00')");
  CF_SQL(db, "SELECT hex(data) || ' ' || created_at || ' ' || updated_at FROM workflow_interrupt"
             " WHERE workflow_id = 'thread-1'", "00FF00 " T0 " 2026-01-01T01:00:00.000Z");
  CF_SQL(db, "SELECT group_concat(workflow_id) FROM workflow_interrupt", "thread-1,wf-big");
  /* UPDATE may change the data, not the id */
  CF_EXEC(db, "UPDATE workflow_interrupt SET data = 'text checkpoint' WHERE workflow_id = 'thread-1'");
  CF_SQL(db, "SELECT data || ' ' || typeof(data) FROM workflow_interrupt WHERE workflow_id = 'thread-1'",
         "text checkpoint text");
  CF_SQL_ERROR_UNCHANGED(db, "UPDATE workflow_interrupt SET workflow_id = 'thread-2' WHERE workflow_id = 'thread-1'",
                         "chatflow: workflow_id cannot be changed; insert the interrupt under the new id and delete the old one");
  CF_SQL_ERROR_UNCHANGED(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('x', NULL)",
                         "chatflow: interrupt data must not be NULL (workflow_id 'x')");
  CF_SQL_ERROR_UNCHANGED(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('x', 5)",
                         "chatflow: interrupt data must be a blob or text, got integer 5 (workflow_id 'x')");
  CF_SQL_ERROR_UNCHANGED(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('', x'00')",
                         "chatflow: workflow_id must not be empty");
  CF_SQL_ERROR_UNCHANGED(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES (7, x'00')",
                         "chatflow: workflow_id must be text, got integer 7");
  CF_SQL_ERROR_UNCHANGED(db, "UPDATE workflow_interrupt SET created_at = '2020-01-01T00:00:00.000Z'"
                             " WHERE workflow_id = 'thread-1'",
                         "chatflow: created_at of a saved interrupt cannot be changed (it is when the id was first saved)");
  CF_SQL_ERROR_UNCHANGED(db, "INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('x', x'00', 'now')",
                         "chatflow: invalid created_at for workflow_interrupt (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC),"
                         " got text 'now'");
  /* a point lookup, pinned */
  expect_plan(db, "SELECT data FROM workflow_interrupt WHERE workflow_id = 'thread-1'",
              "SCAN workflow_interrupt VIRTUAL TABLE INDEX 1:eq");
  expect_plan(db, "SELECT data FROM workflow_interrupt WHERE workflow_id = ?1",
              "SCAN workflow_interrupt VIRTUAL TABLE INDEX 1:eq");
  CF_EXEC(db, "DELETE FROM workflow_interrupt WHERE workflow_id = 'wf-big'");
  CF_SQL(db, "SELECT group_concat(workflow_id) FROM workflow_interrupts", "thread-1");

  /* the run's interrupt goes when the run ends, in the same transaction;
  ** other workflow ids stay */
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_EXEC(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(1), x'01')");
  CF_SQL(db, "SELECT count(*) FROM workflow_interrupt WHERE workflow_id = run_workflow_id(1)", "1");
  CF_SQL(db, "SELECT set_run_status(1, 'awaiting_approval')", "1");
  CF_SQL(db, "SELECT count(*) FROM workflow_interrupt WHERE workflow_id = 'run_1'", "1");
  CF_EXEC(db, "BEGIN");
  CF_SQL(db, "SELECT cancel_run(1)", "1");
  CF_SQL(db, "SELECT group_concat(workflow_id) FROM workflow_interrupts", "thread-1");
  CF_EXEC(db, "ROLLBACK");
  CF_SQL(db, "SELECT count(*) || ' ' || active_run(1) FROM workflow_interrupts", "2 1");
  CF_SQL(db, "SELECT cancel_run(1)", "1");
  CF_SQL(db, "SELECT group_concat(workflow_id) FROM workflow_interrupts", "thread-1");
}

/* ----------------------------------------------------- transactions etc. */

static void test_inside_caller_transaction(void **state) {
  sqlite3 *db = *state;
  CF_EXEC(db, "BEGIN");
  CF_SQL(db, "SELECT create_conversation('acme', 'T')", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'hello')", "1");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT merge_run_state(1, '{\"a\": 1}')", "{\"a\":1}");
  CF_EXEC(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00')");
  CF_SQL(db, "SELECT chatflow_config('llm.model', 'm')", "m");
  assert_int_equal(sqlite3_get_autocommit(db), 0);   /* still the caller's transaction */
  CF_EXEC(db, "ROLLBACK");
  {
    char *z = fingerprint(db);
    assert_string_equal(z, "0|0|0|0|0|0|0||");
    sqlite3_free(z);
  }
  /* an error inside the caller's transaction undoes only that call */
  CF_EXEC(db, "BEGIN");
  CF_SQL(db, "SELECT create_conversation('acme', 'T')", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'hello')", "1");
  CF_SQL_ERROR(db, "SELECT add_message(1, 'admin', 'x')",
               "chatflow: invalid role 'admin' (expected system, user, assistant, tool)");
  CF_SQL_ERROR(db, "SELECT add_message(1, 'user', 'x', '{\"run_id\": 5}')", "chatflow: unknown run 5");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL_ERROR(db, "SELECT start_run(1, 'topical_map')", "chatflow: conversation 1 already has an active run 1 (started)");
  assert_int_equal(sqlite3_get_autocommit(db), 0);
  CF_EXEC(db, "COMMIT");
  CF_SQL(db, "SELECT (SELECT count(*) FROM chat_conversations) || (SELECT count(*) FROM chat_messages)"
             " || (SELECT count(*) FROM workflow_runs)", "111");
  /* inside the caller's own SAVEPOINT, even one named like chatflow's */
  CF_EXEC(db, "SAVEPOINT chatflow");
  CF_SQL(db, "SELECT add_message(1, 'user', 'in savepoint')", "2");
  CF_EXEC(db, "ROLLBACK TO chatflow");
  CF_EXEC(db, "RELEASE chatflow");
  CF_SQL(db, "SELECT count(*) FROM chat_messages", "1");
  assert_int_equal(sqlite3_get_autocommit(db), 1);
}

static void test_close_after_functions(void **state) {
  sqlite3 *db = cfTestOpen(":memory:");
  (void)state;
  /* touch every statement-caching path, then close with sqlite3_close() (not _v2) */
  CF_SQL(db, "SELECT chatflow_clock('2026-01-01T00:00:00Z')", T0);
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'hello')", "1");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT add_message(1, 'assistant', 'hi', '{\"run_id\": 1}')", "2");
  CF_SQL(db, "SELECT chat_history_json(1, 100)",
         "[{\"role\":\"user\",\"content\":\"hello\"},{\"role\":\"assistant\",\"content\":\"hi\"}]");
  CF_SQL(db, "SELECT count(*) FROM chat_history(1)", "2");
  CF_EXEC(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00')");
  CF_SQL(db, "SELECT count(*) FROM workflow_interrupt", "1");
  CF_SQL(db, "SELECT complete_run(1)", "1");
  CF_SQL_ERROR(db, "SELECT add_message(1, 'user', 'x', '{\"run_id\": 9}')", "chatflow: unknown run 9");
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  /* an error as the very first call also leaves the connection closable */
  db = cfTestOpenRaw(":memory:");
  CF_SQL_ERROR(db, "SELECT add_message(1, 'user', 'x')",
               "chatflow: schema not initialised \xe2\x80\x94 run SELECT chatflow_init()");
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  /* a function still in use by an unfinished statement: close reports busy, then succeeds */
  db = cfTestOpen(":memory:");
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  {
    sqlite3_stmt *pStmt = 0;
    assert_int_equal(sqlite3_prepare_v2(db, "WITH s(v) AS (VALUES (1), (2), (3))"
                                            " SELECT add_message(1, 'user', 'x' || v) FROM s",
                                        -1, &pStmt, 0), SQLITE_OK);
    assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
    assert_int_equal(sqlite3_close(db), SQLITE_BUSY);
    /* the connection stays usable after the refused close */
    assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
    sqlite3_finalize(pStmt);
  }
  CF_SQL(db, "SELECT add_message(1, 'user', 'after busy close')", "3");
  CF_SQL(db, "SELECT group_concat(content) FROM chat_messages", "x1,x2,after busy close");
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void test_load_twice(void **state) {
  sqlite3 *db = cfTestOpen(":memory:");
  char *zErr = 0;
  (void)state;
  CF_SQL(db, "SELECT chatflow_clock('2026-01-01T00:00:00Z')", T0);
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'before')", "1");
  /* the second registration replaces the first (and frees its state) */
  assert_int_equal(sqlite3_chatflow_init(db, &zErr, 0), SQLITE_OK);
  assert_null(zErr);
  CF_SQL(db, "SELECT chatflow_init() = (SELECT max(version) FROM chatflow_migrations)", "1");
  CF_SQL(db, "SELECT chatflow_clock()" " IS NOT NULL", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'after')", "2");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT chat_history_json(1)",
         "[{\"role\":\"user\",\"content\":\"before\"},{\"role\":\"user\",\"content\":\"after\"}]");
  CF_EXEC(db, "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00')");
  CF_SQL(db, "SELECT count(*) FROM workflow_interrupt", "1");
  assert_int_equal(sqlite3_chatflow_init(db, &zErr, 0), SQLITE_OK);  /* and a third time */
  CF_SQL(db, "SELECT complete_run(1)", "1");
  CF_SQL(db, "SELECT count(*) FROM workflow_interrupt", "0");
  assert_int_equal(sqlite3_close(db), SQLITE_OK);

  /* twice before any use */
  db = cfTestOpenRaw(":memory:");
  assert_int_equal(sqlite3_chatflow_init(db, &zErr, 0), SQLITE_OK);
  CF_SQL(db, "SELECT chatflow_init() > 0", "1");
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* A new database path under /tmp ("….db", sqlite3_malloc'd), and its
** removal with its -wal and -shm files. */
static char *tempDbPath(void) {
  char zPath[] = "/tmp/chatflow-unit-XXXXXX";
  int fd = mkstemp(zPath);
  assert_true(fd >= 0);
  close(fd);
  unlink(zPath);
  return sqlite3_mprintf("%s.db", zPath);
}

static void tempDbRemove(char *zDb) {
  char *zWal = sqlite3_mprintf("%s-wal", zDb), *zShm = sqlite3_mprintf("%s-shm", zDb);
  unlink(zDb);
  unlink(zWal);
  unlink(zShm);
  sqlite3_free(zWal);
  sqlite3_free(zShm);
  sqlite3_free(zDb);
}

static void test_file_database(void **state) {
  char *zDb = tempDbPath();
  sqlite3 *db;
  (void)state;

  db = cfTestOpen(zDb);
  CF_SQL(db, "PRAGMA journal_mode = WAL", "wal");
  CF_SQL(db, "SELECT chatflow_clock('2026-01-01T00:00:00Z')", T0);
  CF_SQL(db, "SELECT create_conversation('acme', NULL, '{\"key\": \"k\"}')", "1");
  CF_SQL(db, "SELECT add_message(1, 'user', 'persisted question')", "1");
  CF_SQL(db, "SELECT start_run(1, 'topical_map')", "1");
  CF_SQL(db, "SELECT set_run_status(1, 'awaiting_clarification', 'clarification')", "1");
  CF_SQL(db, "SELECT add_message(1, 'assistant', 'which city?')", "2");
  cfTestClose(db);

  /* reopen: the schema and the data are there; init is a no-op */
  db = cfTestOpen(zDb);
  CF_SQL(db, "SELECT find_or_create_conversation('acme', 'k')", "1");
  CF_SQL(db, "SELECT title FROM chat_conversations", "persisted question");
  CF_SQL(db, "SELECT active_run(1) || ' ' || (run_status(1) ->> 'status')", "1 awaiting_clarification");
  CF_SQL(db, "SELECT group_concat(seq || ':' || coalesce(workflow_step, '-'), ' ') FROM chat_messages", "1:- 2:clarification");
  CF_SQL(db, "SELECT chat_history_json(1)",
         "[{\"role\":\"user\",\"content\":\"persisted question\"},{\"role\":\"assistant\",\"content\":\"which city?\"}]");
  CF_SQL(db, "SELECT set_run_status(1, 'processing')", "1");
  CF_SQL(db, "SELECT complete_run(1)", "1");
  cfTestClose(db);

  /* a second connection, open at the same time, sees the committed state */
  db = cfTestOpen(zDb);
  {
    sqlite3 *db2 = cfTestOpen(zDb);
    CF_SQL(db, "SELECT add_message(1, 'user', 'from db')", "3");
    CF_SQL(db2, "SELECT add_message(1, 'user', 'from db2')", "4");
    CF_SQL(db2, "SELECT group_concat(seq) FROM chat_messages", "1,2,3,4");
    CF_SQL(db, "SELECT message_count FROM chat_conversations", "4");
    cfTestClose(db2);
  }
  cfTestClose(db);
  tempDbRemove(zDb);
}

/* Opens zPath read-only and registers chatflow. */
static sqlite3 *openReadOnly(const char *zPath) {
  sqlite3 *db = 0;
  char *zErr = 0;
  assert_int_equal(sqlite3_open_v2(zPath, &db, SQLITE_OPEN_READONLY, 0), SQLITE_OK);
  assert_int_equal(sqlite3_chatflow_init(db, &zErr, 0), SQLITE_OK);
  assert_null(zErr);
  return db;
}

/* chatflow_init() of a current schema writes nothing: it answers on a
** read-only connection, and while another connection holds the write lock
** (busy timeout 0) it does not wait for it.  A read-only connection to a
** database without the schema, or with an older one, or a newer one, is
** told so; inside the caller's transaction init takes the write lock as
** before. */
static void test_init_without_writing(void **state) {
  char *zDb = tempDbPath();
  char zV[16], *zNewer;
  sqlite3 *db, *dbRo, *dbW;
  (void)state;
  snprintf(zV, sizeof(zV), "%d", cfSchemaVersion);
  zNewer = sqlite3_mprintf("chatflow: database schema is version 99, newer than this chatflow "
                           CHATFLOW_VERSION " knows (%d); upgrade the extension", cfSchemaVersion);

  /* no schema yet: the read-only connection is told, and nothing is made */
  db = cfTestOpenRaw(zDb);
  CF_EXEC(db, "CREATE TABLE t (x)");
  dbRo = openReadOnly(zDb);
  CF_SQL_ERROR(dbRo, "SELECT chatflow_init()",
               "chatflow: the database is read-only and has no chatflow schema;"
               " run chatflow_init() once on a connection that can write it");
  assert_int_equal(sqlite3_extended_errcode(dbRo), SQLITE_READONLY);
  CF_EXEC(dbRo, "BEGIN");
  CF_SQL_ERROR(dbRo, "SELECT chatflow_init()",
               "chatflow: the database is read-only and has no chatflow schema;"
               " run chatflow_init() once on a connection that can write it");
  CF_EXEC(dbRo, "ROLLBACK");
  CF_SQL(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'chatflow_migrations'", "0");

  /* an older schema (version 4 recorded by hand: only the count matters) */
  CF_SQL(db, "SELECT chatflow_init()", zV);
  CF_EXEC(db, "CREATE TABLE saved AS SELECT * FROM chatflow_migrations WHERE version = 5");
  CF_EXEC(db, "DELETE FROM chatflow_migrations WHERE version = 5");
  {
    char *zOlder = sqlite3_mprintf("chatflow: the database is read-only and its chatflow schema is version 4,"
                                   " older than this chatflow's (%d); run chatflow_init() once on a connection"
                                   " that can write it", cfSchemaVersion);
    CF_SQL_ERROR(dbRo, "SELECT chatflow_init()", zOlder);
    sqlite3_free(zOlder);
  }
  CF_EXEC(db, "INSERT INTO chatflow_migrations SELECT * FROM saved; DROP TABLE saved");

  /* current: read-only answers the version, inside a transaction too, and
  ** can read */
  CF_SQL(dbRo, "SELECT chatflow_init()", zV);
  CF_EXEC(dbRo, "BEGIN");
  CF_SQL(dbRo, "SELECT chatflow_init()", zV);
  CF_EXEC(dbRo, "COMMIT");
  CF_SQL(db, "SELECT create_conversation('acme')", "1");
  CF_SQL(dbRo, "SELECT count(*) FROM conversation_list('acme')", "1");
  CF_SQL_ERROR_PREFIX(dbRo, "SELECT create_conversation('acme')", "chatflow: ");

  /* another connection holds the write lock: init does not wait for it */
  dbW = cfTestOpenRaw(zDb);
  sqlite3_busy_timeout(dbW, 0);
  CF_EXEC(db, "BEGIN IMMEDIATE");
  CF_SQL(dbW, "SELECT chatflow_init()", zV);
  /* inside its own transaction it takes the write lock first, as before */
  CF_EXEC(dbW, "BEGIN");
  CF_SQL_ERROR_PREFIX(dbW, "SELECT chatflow_init()", "chatflow: database is locked");
  CF_EXEC(dbW, "ROLLBACK");
  CF_EXEC(db, "COMMIT");

  /* a newer schema: the same error on both */
  CF_EXEC(db, "INSERT INTO chatflow_migrations VALUES (99, '099_future.sql', '" T0 "')");
  CF_SQL_ERROR(dbRo, "SELECT chatflow_init()", zNewer);
  CF_SQL_ERROR(dbW, "SELECT chatflow_init()", zNewer);
  sqlite3_free(zNewer);
  cfTestClose(dbW);
  cfTestClose(dbRo);
  cfTestClose(db);
  tempDbRemove(zDb);
}

/* chatflow_init() under a lock that refuses even a read (a rollback
** journal's EXCLUSIVE lock: a writer committing) waits the busy timeout
** once, as a write does: its read of the version does not wait (it then
** takes the write path, which does).  A VFS whose xSleep counts the busy
** handler's sleeps and returns at once: init sleeps as often as a BEGIN
** IMMEDIATE alone (it slept twice as often when the read waited too). */
static int nSleeps;

static int cfCountingSleep(sqlite3_vfs *pVfs, int us) {
  (void)pVfs;
  nSleeps++;
  return us;
}

static void test_init_waits_once(void **state) {
  static sqlite3_vfs sleeping;
  sqlite3 *db, *dbB = 0;
  char *zErr = 0, *zDb = tempDbPath(), zV[16];
  int nBegin;
  (void)state;
  snprintf(zV, sizeof(zV), "%d", cfSchemaVersion);
  sleeping = *sqlite3_vfs_find(0);
  sleeping.zName = "chatflow-unit-sleeping";
  sleeping.xSleep = cfCountingSleep;
  assert_int_equal(sqlite3_vfs_register(&sleeping, 0), SQLITE_OK);
  db = cfTestOpen(zDb);
  assert_int_equal(sqlite3_open_v2(zDb, &dbB, SQLITE_OPEN_READWRITE, sleeping.zName), SQLITE_OK);
  assert_int_equal(sqlite3_chatflow_init(dbB, &zErr, 0), SQLITE_OK);
  sqlite3_busy_timeout(dbB, 1000);
  CF_SQL(db, "PRAGMA journal_mode", "delete");
  CF_EXEC(db, "BEGIN EXCLUSIVE");
  nSleeps = 0;
  assert_int_equal(sqlite3_exec(dbB, "BEGIN IMMEDIATE", 0, 0, 0), SQLITE_BUSY);
  nBegin = nSleeps;
  assert_true(nBegin > 1);
  nSleeps = 0;
  CF_SQL_ERROR_PREFIX(dbB, "SELECT chatflow_init()", "chatflow: database is locked");
  assert_int_equal(nSleeps, nBegin);
  CF_SQL(dbB, "PRAGMA busy_timeout", "1000");
  CF_EXEC(db, "COMMIT");
  CF_SQL(dbB, "SELECT chatflow_init()", zV);
  cfTestClose(dbB);
  cfTestClose(db);
  assert_int_equal(sqlite3_vfs_unregister(&sleeping), SQLITE_OK);
  tempDbRemove(zDb);
}

/* The statement journal of a caller's transaction stays in memory
** (write.c, cfTempStoreMemory): a VFS that counts the files SQLite opens
** with SQLITE_OPEN_SUBJOURNAL sees none in a long batch of messages, and
** one when the connection has a TEMP table (SQLite then refuses the
** change of temp_store inside a transaction, and the journal spills as it
** always did: the control that shows the count can see a spill).  The
** caller's temp_store reads back unchanged. */
static sqlite3_vfs *pCountedVfs;
static int nSubjournals;

static int cfCountingOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *pFile, int flags,
                          int *pOutFlags) {
  (void)pVfs;
  if (flags & SQLITE_OPEN_SUBJOURNAL) nSubjournals++;
  return pCountedVfs->xOpen(pCountedVfs, zName, pFile, flags, pOutFlags);
}

static int cfBatchSubjournals(sqlite3 *db, int nMessages) {
  sqlite3_stmt *pStmt = 0;
  nSubjournals = 0;
  CF_EXEC(db, "BEGIN");
  CF_SQL(db, "PRAGMA temp_store", "1");
  assert_int_equal(sqlite3_prepare_v2(db,
                                      "SELECT add_message(1, 'user', printf('message %d: %s', ?1,"
                                      " substr(hex(randomblob(200)), 1, 40 + ?1 % 300)))",
                                      -1, &pStmt, 0),
                   SQLITE_OK);
  for (int i = 1; i <= nMessages; i++) {
    sqlite3_bind_int(pStmt, 1, i);
    assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
    assert_int_equal(sqlite3_reset(pStmt), SQLITE_OK);
  }
  sqlite3_finalize(pStmt);
  CF_SQL(db, "PRAGMA temp_store", "1"); /* the caller's value, inside its transaction */
  CF_EXEC(db, "COMMIT");
  CF_SQL(db, "PRAGMA temp_store", "1");
  return nSubjournals;
}

static void test_statement_journal_in_memory(void **state) {
  static sqlite3_vfs counting;
  sqlite3 *db = 0;
  char *zErr = 0, *zDb = tempDbPath();
  (void)state;
  pCountedVfs = sqlite3_vfs_find(0);
  counting = *pCountedVfs;
  counting.zName = "chatflow-unit-counting";
  counting.xOpen = cfCountingOpen;
  assert_int_equal(sqlite3_vfs_register(&counting, 0), SQLITE_OK);
  assert_int_equal(sqlite3_open_v2(zDb, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, counting.zName),
                   SQLITE_OK);
  assert_int_equal(sqlite3_chatflow_init(db, &zErr, 0), SQLITE_OK);
  CF_SQL(db, "PRAGMA journal_mode = WAL", "wal");
  CF_SQL(db, "PRAGMA temp_store = FILE", "");
  CF_EXEC(db, "SELECT chatflow_init()");
  CF_SQL(db, "SELECT create_conversation('acme', 'Batch')", "1");

  assert_int_equal(cfBatchSubjournals(db, 1500), 0);

  /* the control: a TEMP table keeps temp_store as it is, and the same
  ** batch spills its statement journal to a file */
  CF_EXEC(db, "CREATE TEMP TABLE kept (x)");
  CF_EXEC(db, "INSERT INTO kept VALUES (42)");
  assert_true(cfBatchSubjournals(db, 1500) > 0);
  CF_SQL(db, "SELECT x FROM kept", "42");
  CF_SQL(db, "SELECT message_count FROM chat_conversations WHERE id = 1", "3000");

  cfTestClose(db);
  assert_int_equal(sqlite3_vfs_unregister(&counting), SQLITE_OK);
  tempDbRemove(zDb);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_uninitialised),
    cmocka_unit_test_setup_teardown(test_config_and_clock, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_conversations, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_conversation_lifecycle, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_add_message, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_add_message_errors, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_add_message_atomic, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_history_windows, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_run_transitions, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_one_active_run, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_merge_run_state, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_advance_resume_errors, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_interrupt_blob_round_trip, cfTestSetup, cfTestTeardown),
    cmocka_unit_test_setup_teardown(test_inside_caller_transaction, cfTestSetup, cfTestTeardown),
    cmocka_unit_test(test_close_after_functions),
    cmocka_unit_test(test_load_twice),
    cmocka_unit_test(test_file_database),
    cmocka_unit_test(test_init_without_writing),
    cmocka_unit_test(test_init_waits_once),
    cmocka_unit_test(test_statement_journal_in_memory),
  };
  return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
