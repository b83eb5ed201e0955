/*
** schema.c — versioning, migrations, settings and the clock.
**
**   chatflow_version()           -> '0.1.0'          pure
**   chatflow_debug()             -> text             pure (build facts)
**   chatflow_init([options])     -> schema version   writes (DIRECTONLY)
**   chatflow_config(key)         -> value or NULL    reads  (INNOCUOUS)
**   chatflow_config(key, value [, options]) -> value   writes (DIRECTONLY)
**   chatflow_clock()             -> timestamp        reads the clock (DIRECTONLY)
**   chatflow_clock(ts | NULL)    -> timestamp        pins / unpins (DIRECTONLY)
**
** options (of init and the setter): {"now": ts}, the time of the call
** (util.c: cfClockFixed), in place of the clock for that call only.  A ts
** is an RFC 3339 time, any offset and fraction, kept in the stored form,
** UTC to the millisecond (util.c: cfParseTimestamp).
**
** Example:
**   SELECT chatflow_init();                       -- 1
**   SELECT chatflow_config('llm.model', 'qwen3'); -- 'qwen3'
**   SELECT chatflow_clock('2026-01-01T00:00:00Z'); -- '2026-01-01T00:00:00.000Z'
**   SELECT chatflow_clock('2026-01-01T02:00:00+02:00'); -- the same time
**
** chatflow_init() applies the numbered migrations of sql/ (embedded at
** build time) that the database lacks, each inside the function's
** SAVEPOINT, and records them in chatflow_migrations.  Several processes
** may call it at once: the first takes the write lock, the others wait in
** the busy handler and then find nothing to do; a stale read snapshot is
** retried.
**
** PRAGMA trusted_schema=OFF: where this SQLite refuses chatflow's schema
** (3.40: JSON functions in CHECKs and triggers, FTS5 writes in triggers),
** chatflow_init fails with CF_TRUSTED_SCHEMA_MSG and leaves nothing behind;
** see docs/operations.md.
**
** NULL input: chatflow_config(NULL) and an unknown key are errors;
** chatflow_config(key, NULL) removes the setting (back to its default);
** chatflow_clock(NULL) unpins.
*/
#include "chatflow_int.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <string.h>
#include <stdlib.h>

static void cfVersionFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, CHATFLOW_VERSION, -1, SQLITE_STATIC);
}

static void cfDebugFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  char *z;
  (void)argc; (void)argv;
  z = sqlite3_mprintf("chatflow %s (commit %s)\nschema version %d\nflags %s\nsqlite %s\n"
                      "curl %s\njson-c %s",
                      CHATFLOW_VERSION, CHATFLOW_COMMIT, cfSchemaVersion, CHATFLOW_BUILD_FLAGS,
                      sqlite3_libversion(), curl_version(), json_c_version());
  if (z == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
}

/* ------------------------------------------------------------------ init */

static int cfExec(sqlite3 *db, const char *zSql) { return sqlite3_exec(db, zSql, 0, 0, 0); }

char *cfTrustedSchemaError(sqlite3 *db, const char *zMsg) {
  int bTrusted = 1;
  if (zMsg == 0) return 0;
  /* only chatflow's own schema objects: a caller's view that uses a
  ** DIRECTONLY function is refused whatever the setting */
  if (strstr(zMsg, "unsafe use of json_") == 0 &&
      strstr(zMsg, "unsafe use of virtual table \"chat_messages_") == 0 &&
      strstr(zMsg, "unsafe use of virtual table \"chat_titles_") == 0) {
    return 0;
  }
  if (sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, -1, &bTrusted) != SQLITE_OK ||
      bTrusted) {
    return 0;
  }
  return sqlite3_mprintf(CF_TRUSTED_SCHEMA_MSG, sqlite3_libversion());
}

/* Migration 005 rebuilds the five id tables (DROP TABLE and CREATE TABLE
** under the same names).  It needs PRAGMA foreign_keys off (else DROP
** TABLE's implicit DELETE would run the ON DELETE actions of the caller's
** own tables that reference them), which cfInitFunc arranges outside a
** transaction; and the caller's own indexes and triggers on those tables,
** dropped with them, are created again from their saved SQL. */
#define CF_MIGRATION_REBUILD 4 /* index of 005_identity in cfMigrationSql */
#define CF_REBUILT_TABLES \
  "'chat_conversations', 'chat_messages', 'workflow_runs', 'workflow_run_events', 'workflow_proposals'"

static int cfRebuildBefore(sqlite3 *db, sqlite3_str *pSaved, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc, bFk = 0;
  rc = sqlite3_prepare_v2(db, "PRAGMA foreign_keys", -1, &pStmt, 0);
  if (rc == SQLITE_OK && sqlite3_step(pStmt) == SQLITE_ROW) bFk = sqlite3_column_int(pStmt, 0);
  if (rc == SQLITE_OK) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if (rc != SQLITE_OK) return rc;
  if (bFk) {
    *pzErr = sqlite3_mprintf("chatflow: migration 005_identity rebuilds the conversation, message and run tables"
                             " and needs PRAGMA foreign_keys off, which SQLite cannot change inside a"
                             " transaction: call chatflow_init() outside a transaction (it turns foreign keys"
                             " off for the migration and back on), or run PRAGMA foreign_keys = OFF first");
    return SQLITE_ERROR;
  }
  /* type, name, table, sql, each ended by a NUL: every index and trigger
  ** on the tables */
  rc = sqlite3_prepare_v2(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema"
                              " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
                              " AND tbl_name IN (" CF_REBUILT_TABLES ")",
                          -1, &pStmt, 0);
  while (rc == SQLITE_OK && sqlite3_step(pStmt) == SQLITE_ROW) {
    for (int i = 0; i < 4; i++) {
      sqlite3_str_appendall(pSaved, (const char *)sqlite3_column_text(pStmt, i));
      sqlite3_str_appendchar(pSaved, 1, 0);
    }
  }
  if (rc == SQLITE_OK) rc = sqlite3_finalize(pStmt);
  else sqlite3_finalize(pStmt);
  if (rc == SQLITE_OK) rc = sqlite3_str_errcode(pSaved);
  return rc;
}

/* Is the index or trigger zName one that migrations 001-004 create?  Those
** are chatflow's own: 005 creates again the ones it keeps and retires the
** others, which must not come back as if they were the caller's. */
static int cfOwnObject(const char *zType, const char *zName) {
  size_t nName = strlen(zName);
  const char *zKind = zType[0] == 't' ? "TRIGGER " : "INDEX ";
  for (int v = 0; v < CF_MIGRATION_REBUILD; v++) {
    for (const char *z = strstr(cfMigrationSql[v], zKind); z; z = strstr(z + 1, zKind)) {
      const char *zAt = z + strlen(zKind);
      char c;
      if (strncmp(zAt, zName, nName) != 0) continue;
      c = zAt[nName]; /* within the text: the first nName characters matched */
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        return 1;
      }
    }
  }
  return 0;
}

/* After the rebuild: the saved indexes and triggers of the caller (not
** chatflow's own, which the migration creates again or retires) that no
** longer exist. */
static int cfRebuildAfter(sqlite3 *db, const char *z, int n, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  /* by type too: a trigger may share its name with a table or an index */
  int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_schema WHERE name = ?1 AND type = ?2", -1, &pStmt, 0);
  for (int i = 0; rc == SQLITE_OK && i < n;) {
    const char *zType = z + i, *zName = zType + strlen(zType) + 1;
    const char *zTable = zName + strlen(zName) + 1, *zSql = zTable + strlen(zTable) + 1;
    int bExists;
    i = (int)(zSql - z) + (int)strlen(zSql) + 1;
    sqlite3_bind_text(pStmt, 1, zName, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zType, -1, SQLITE_STATIC);
    bExists = sqlite3_step(pStmt) == SQLITE_ROW;
    rc = sqlite3_reset(pStmt);
    if (rc == SQLITE_OK && !bExists && !cfOwnObject(zType, zName)) {
      rc = sqlite3_exec(db, zSql, 0, 0, 0);
      if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) {
        *pzErr = sqlite3_mprintf("chatflow: migration 005_identity rebuilds %s, and your %s %s on it could"
                                 " not be created again: %s; drop it, run chatflow_init(), then create it"
                                 " again for the new schema",
                                 zTable, zType, zName, sqlite3_errmsg(db));
      }
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The largest version chatflow_migrations records (0 when none) in
** *piVersion.  Returns SQLITE_OK or the read's error. */
static int cfVersionOf(sqlite3 *db, int *piVersion) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM main.chatflow_migrations", -1,
                              &pStmt, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *piVersion = sqlite3_column_int(pStmt, 0);
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The error for a schema of version v, newer than this build knows
** (sqlite3_malloc'd; 0 when out of memory). */
static char *cfNewerSchemaError(int v) {
  return sqlite3_mprintf("chatflow: database schema is version %d, newer than this chatflow %s knows (%d);"
                         " upgrade the extension", v, CHATFLOW_VERSION, cfSchemaVersion);
}

static int cfApplyMigrations(CfConn *p, int *piVersion, char **pzErr) {
  sqlite3 *db = p->db;
  sqlite3_stmt *pStmt = 0;
  int rc, v = 0, bNew;
  char zNow[CF_TIMESTAMP_LEN + 1];
  /* Take the write lock before reading anything: a write from no lock at
  ** all waits in the busy handler, an upgrade from a read lock could not.
  ** On a new database the CREATE TABLE is that first write. */
  rc = cfExec(db, "UPDATE main.chatflow_migrations SET version = version WHERE 0");
  if (rc == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "no such table")) {
    rc = cfExec(db, "CREATE TABLE IF NOT EXISTS main.chatflow_migrations ("
                    " version INTEGER PRIMARY KEY,"
                    " name TEXT NOT NULL,"
                    " applied_at TEXT NOT NULL) STRICT");
    if (rc == SQLITE_OK) rc = cfExec(db, "UPDATE main.chatflow_migrations SET version = version WHERE 0");
  }
  if (rc != SQLITE_OK) rc = sqlite3_extended_errcode(db);
  if (rc == SQLITE_OK) rc = cfVersionOf(db, &v);
  if (rc != SQLITE_OK) return rc;
  if (v > cfSchemaVersion) {
    *pzErr = cfNewerSchemaError(v);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  cfNow(p, zNow);
  bNew = (v == 0);
  while (rc == SQLITE_OK && v < cfSchemaVersion) {
    char *zErr = 0;
    if (v > 0 && cfClockFixed(p)) {
      /* what a migration's triggers stamp (a run it cancels) takes the
      ** pinned clock too; cfTxnEnd removes the row */
      rc = sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO chatflow_statement_clock (id, now) VALUES (1, ?1)",
                              -1, &pStmt, 0);
      if (rc == SQLITE_OK) {
        sqlite3_bind_text(pStmt, 1, zNow, -1, SQLITE_STATIC);
        rc = sqlite3_step(pStmt);
        rc = (rc == SQLITE_DONE) ? SQLITE_OK : sqlite3_extended_errcode(db);
      }
      sqlite3_finalize(pStmt);
      pStmt = 0;
      if (rc != SQLITE_OK) break;
    }
    if (v == CF_MIGRATION_REBUILD && !bNew) {
      sqlite3_str *pSaved = sqlite3_str_new(db);
      rc = cfRebuildBefore(db, pSaved, pzErr);
      if (rc == SQLITE_OK) rc = sqlite3_exec(db, cfMigrationSql[v], 0, 0, &zErr);
      if (rc == SQLITE_OK) {
        rc = cfRebuildAfter(db, sqlite3_str_value(pSaved), sqlite3_str_length(pSaved), pzErr);
      }
      sqlite3_free(sqlite3_str_finish(pSaved));
      if (*pzErr) break;
    } else {
      rc = sqlite3_exec(db, cfMigrationSql[v], 0, 0, &zErr);
    }
    if (rc != SQLITE_OK && bNew && (sqlite3_extended_errcode(db) & 0xff) == SQLITE_CONSTRAINT) {
      /* A new database holds only what the migrations insert, which meets
      ** every constraint: the JSON checks failed because SQLite 3.40's
      ** json_valid() answers 0 when it runs out of memory. */
      sqlite3_free(zErr);
      rc = SQLITE_NOMEM;
      break;
    }
    if (rc != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("chatflow: migration %s failed: %s", cfMigrationName[v],
                               zErr ? zErr : sqlite3_errstr(rc));
      sqlite3_free(zErr);
      break;
    }
    rc = sqlite3_prepare_v2(db, "INSERT INTO main.chatflow_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                            -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int(pStmt, 1, v + 1);
      sqlite3_bind_text(pStmt, 2, cfMigrationName[v], -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    v++;
  }
  /* The rows the migrations create (the topical_map definition) carry the
  ** column default, the wall clock; a pinned clock stamps them too. */
  if (rc == SQLITE_OK && bNew && cfClockFixed(p)) {
    rc = sqlite3_prepare_v2(db, "UPDATE workflow_definitions SET created_at = ?1", -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zNow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    sqlite3_finalize(pStmt);
  }
  *piVersion = v;
  return rc;
}

/* The schema version of main read in a read transaction of its own, when
** the connection has none open (autocommit): *piVersion, 0 without the
** table.  Returns SQLITE_OK or the read's error. */
static int cfReadVersion(sqlite3 *db, int *piVersion) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, "SELECT 1 FROM main.sqlite_schema WHERE type = 'table'"
                                  " AND name = 'chatflow_migrations'", -1, &pStmt, 0);
  *piVersion = 0;
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(pStmt);
    rc = rc == SQLITE_ROW ? SQLITE_OK : rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc;
  }
  sqlite3_finalize(pStmt);
  if (rc == SQLITE_NOTFOUND) return SQLITE_OK;
  return rc == SQLITE_OK ? cfVersionOf(db, piVersion) : rc;
}

static void cfInitFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  int bOwnTxn = sqlite3_get_autocommit(p->db);
  int bReadOnly = sqlite3_db_readonly(p->db, "main") == 1;
  int nTry = 0, nJsonTry = 0, bFkOff = 0;
  int rc = SQLITE_OK, v = 0;
  char *zErr = 0;
  (void)argc; (void)argv;
  /* A schema already current needs no write: read its version first, so
  ** that chatflow_init() works on a read-only connection (a replica, a
  ** file opened read-only) and does not wait for the write lock while
  ** another connection writes.  Outside a transaction only, on a
  ** connection that can write: inside the caller's, the write lock is
  ** taken first as before (a later write of the caller's could not
  ** upgrade from a read lock); a read-only connection reads in any case,
  ** no write can follow.  When the read fails, the full path below gives
  ** the error.  On a connection that can write, the read does not wait
  ** for a lock (cfBusyWaitOff): one that refuses it (a rollback journal's
  ** writer committing) sends the call to the full path, which waits the
  ** busy timeout once, as before; waiting here too would make it twice. */
  if (bOwnTxn || bReadOnly) {
    int ms = bReadOnly ? 0 : cfBusyWaitOff(p->db);
    rc = cfReadVersion(p->db, &v);
    cfBusyWaitOn(p->db, ms);
    if (rc == SQLITE_OK && v == cfSchemaVersion) {
      sqlite3_result_int(ctx, v);
      return;
    }
    if (rc == SQLITE_OK && v > cfSchemaVersion) {
      cfResultErrorMsg(ctx, cfNewerSchemaError(v));
      return;
    }
    if (rc == SQLITE_OK && bReadOnly) {
      char *zRo = v == 0 ? sqlite3_mprintf("chatflow: the database is read-only and has no chatflow schema;"
                                           " run chatflow_init() once on a connection that can write it")
                         : sqlite3_mprintf("chatflow: the database is read-only and its chatflow schema is"
                                           " version %d, older than this chatflow's (%d); run chatflow_init()"
                                           " once on a connection that can write it", v, cfSchemaVersion);
      if (zRo == 0) {
        sqlite3_result_error_nomem(ctx);
        return;
      }
      sqlite3_result_error(ctx, zRo, -1);
      sqlite3_result_error_code(ctx, SQLITE_READONLY);
      sqlite3_free(zRo);
      return;
    }
  }
  v = 0;
  if (bOwnTxn) {
    /* foreign keys off for the migrations (see cfRebuildBefore), back on
    ** after; SQLite allows the change only outside a transaction */
    int bFk = 0;
    if (sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &bFk) == SQLITE_OK && bFk &&
        sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, &bFk) == SQLITE_OK) {
      bFkOff = 1;
    }
  }
  for (;;) {
    rc = cfInitBegin(p, &zErr);
    if (rc == SQLITE_OK) {
      rc = cfApplyMigrations(p, &v, &zErr);
      if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) {
        /* before the rollback replaces SQLite's message */
        char *zTrust = cfTrustedSchemaError(p->db, zErr ? zErr : sqlite3_errmsg(p->db));
        if (zTrust) {
          sqlite3_free(zErr);
          zErr = zTrust;
          rc = SQLITE_ERROR;
        }
      }
      rc = cfInitEnd(p, rc, &zErr);
    }
    /* A stale snapshot (another process initialised meanwhile): retry,
    ** but only when this call owns the transaction.  A plain SQLITE_BUSY
    ** has already waited out the busy timeout. */
    if (rc == SQLITE_BUSY_SNAPSHOT && bOwnTxn && nTry++ < 100) {
      sqlite3_free(zErr);
      zErr = 0;
      sqlite3_sleep(5);
      continue;
    }
    /* A JSON CHECK that failed while a migration copied rows: SQLite
    ** 3.40's json_valid() answers 0 when it cannot allocate
    ** (cfJsonCheckFailed), but a row may also really fail it (JSON5 that a
    ** newer SQLite let in).  The attempt was undone whole; the second
    ** attempt's verdict stands, whatever it is (json_valid() out of memory
    ** a second time reads as the CHECK's failure again: one retry is the
    ** limit). */
    if ((rc & 0xff) == SQLITE_CONSTRAINT && nJsonTry++ == 0 && cfJsonCheckFailed(zErr)) {
      sqlite3_free(zErr);
      zErr = 0;
      continue;
    }
    break;
  }
  if (bFkOff) sqlite3_db_config(p->db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, 0);
  /* the next call reads the version again (cfCheckSchema) */
  cfSchemaForget(p, !bOwnTxn);
  if (rc != SQLITE_OK) {
    if ((rc & 0xff) == SQLITE_NOMEM) {
      sqlite3_free(zErr);
      sqlite3_result_error_nomem(ctx);
    } else {
      cfResultErrorMsg(ctx, zErr);
      cfResultCode(ctx, rc);
    }
    return;
  }
  sqlite3_result_int(ctx, v);
}

/* -------------------------------------------------------------- settings */

/* The settings chatflow knows, with their defaults.  The rule of each
** value lives in the schema (sql/005_identity.sql, the trigger
** chatflow_setting_rules_check), which refuses a bad value for raw SQL too;
** but llm.base_url's (libcurl parses it) and llm.extra_body's (a JSON
** object whose keys are looked at), both in provider.c, applied here when
** the value is set and there again before every call.  Nothing else reads
** those two, so a raw value past them breaks nothing until a call, which
** refuses it. */
typedef struct CfSetting {
  const char *zKey;
  const char *zDefault; /* 0: no default */
  int eKind;            /* CF_SET_* */
} CfSetting;
#define CF_SET_URL 1   /* checked by cfBaseUrlCheck */
#define CF_SET_INT 2   /* stored as it reads: '05' becomes '5' */
#define CF_SET_OTHER 3
#define CF_SET_JSON 4  /* an extra_body object: checked by cfExtraBodyCheck */
#define CF_SET_JSON_MAX 65536 /* its characters at most (other values: 1000) */

static const CfSetting aSetting[] = {
  {"llm.base_url", "http://127.0.0.1:11434/v1", CF_SET_URL},
  {"llm.model", 0, CF_SET_OTHER},
  {"llm.api_key_env", "OPENAI_API_KEY", CF_SET_OTHER},
  {"llm.timeout_ms", "60000", CF_SET_INT},
  {"limits.max_content_chars", "100000", CF_SET_INT},
  {"runs.lease_seconds", "300", CF_SET_INT},
  {"runs.awaiting_ttl_seconds", 0, CF_SET_INT}, /* 0: no limit */
  {"llm.connect_timeout_ms", "10000", CF_SET_INT},
  {"llm.max_tokens", 0, CF_SET_INT},
  {"llm.temperature", 0, CF_SET_OTHER},
  {"llm.history_tokens", 0, CF_SET_INT},
  {"llm.max_response_bytes", "8388608", CF_SET_INT},
  {"llm.tls_verify", "on", CF_SET_OTHER},
  {"llm.ca_bundle", 0, CF_SET_OTHER},
  {"llm.extra_headers_env", 0, CF_SET_OTHER},
  {"llm.extra_body", 0, CF_SET_JSON},
  {"messages.draft_timeout_seconds", "300", CF_SET_INT},
};
#define CF_N_SETTING ((int)(sizeof(aSetting) / sizeof(aSetting[0])))

static char *cfSettingNames(void) {
  char *z = 0;
  for (int i = 0; i < CF_N_SETTING; i++) {
    z = sqlite3_mprintf("%z%s%s", z, i ? ", " : "", aSetting[i].zKey);
  }
  return z;
}

/* The text chatflow_config stores for value z of setting s
** (sqlite3_malloc'd; 0 when out of memory): an integer setting's digits
** without leading zeros ('0300' -> '300'), anything else as given (the
** schema judges it). */
static char *cfSettingStored(const CfSetting *s, const char *z) {
  const char *zAt = z;
  if (s->eKind == CF_SET_INT && z[0] != 0 && strspn(z, "0123456789") == strlen(z)) {
    while (zAt[0] == '0' && zAt[1] != 0) zAt++;
  }
  return sqlite3_mprintf("%s", zAt);
}

static void cfConfigFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  const CfSetting *s = 0;
  const char *zKey = 0, *zVal = 0;
  char *zCopy = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  int rc;
  if (cfArgText(ctx, argv[0], "setting key", 100, 0, 0, &zKey)) return;
  for (int i = 0; i < CF_N_SETTING; i++) {
    if (strcmp(aSetting[i].zKey, zKey) == 0) s = &aSetting[i];
  }
  if (s == 0) {
    char *zList = cfSettingNames();
    cfResultError(ctx, "chatflow: unknown setting '%s' (expected %s)", zKey, zList);
    sqlite3_free(zList);
    return;
  }
  if (argc == 2) {
    if (cfArgText(ctx, argv[1], "setting value", s->eKind == CF_SET_JSON ? CF_SET_JSON_MAX : 1000, 1, 0,
                  &zVal)) {
      return;
    }
    if (zVal && s->eKind == CF_SET_URL) {
      rc = cfBaseUrlCheck(s->zKey, zVal, &zErr);
      if (rc != SQLITE_OK) {
        cfResultErrorMsg(ctx, zErr); /* 0: out of memory */
        return;
      }
    }
    if (zVal && s->eKind == CF_SET_JSON) {
      rc = cfExtraBodyCheck(p, s->zKey, zVal, (int)strlen(zVal), &zErr);
      if (rc != SQLITE_OK && rc != SQLITE_ERROR) {
        sqlite3_free(zErr); /* out of memory (or the JSON reader's error): refused as such */
        zErr = 0;
      }
      if (rc != SQLITE_OK) {
        cfResultErrorMsg(ctx, zErr); /* 0: out of memory */
        return;
      }
    }
  }
  if (argc == 1) {
    if (cfSchemaResult(ctx, p)) {
      return;
    }
    rc = sqlite3_prepare_v2(p->db, "SELECT value FROM chatflow_settings WHERE key = ?1", -1,
                            &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, s->zKey, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        sqlite3_result_value(ctx, sqlite3_column_value(pStmt, 0));
        rc = SQLITE_OK;
      } else if (rc == SQLITE_DONE) {
        if (s->zDefault) sqlite3_result_text(ctx, s->zDefault, -1, SQLITE_STATIC);
        else sqlite3_result_null(ctx);
        rc = SQLITE_OK;
      }
    }
    if (rc != SQLITE_OK) cfResultErrorFromDb(ctx, p->db, rc);
    sqlite3_finalize(pStmt);
    return;
  }
  cfNow(p, zNow);
  /* the result is copied before the commit, so that no allocation can fail
  ** after it (an error for a value that was stored) */
  zCopy = zVal == 0 ? 0 : cfSettingStored(s, zVal);
  if (zVal && zCopy == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) {
    cfFinish(ctx, p, rc, &zErr); /* nothing open: reports the error with its code */
    sqlite3_free(zCopy);
    return;
  }
  {
    if (zVal) {
      rc = sqlite3_prepare_v2(p->db,
                              "INSERT INTO chatflow_settings (key, value, updated_at) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
                              " updated_at = excluded.updated_at",
                              -1, &pStmt, 0);
    } else {
      rc = sqlite3_prepare_v2(p->db, "DELETE FROM chatflow_settings WHERE key = ?1", -1, &pStmt,
                              0);
    }
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, s->zKey, -1, SQLITE_STATIC);
      if (zVal) {
        sqlite3_bind_text(pStmt, 2, zCopy, -1, SQLITE_STATIC);
        sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_TRANSIENT);
      }
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
      if ((rc & 0xff) == SQLITE_CONSTRAINT && zVal) {
        /* the schema's rule refused the value ("chatflow: <key> must be
        ** ..."; a trigger's message is a literal): the caller's argument
        ** error, as any other, with the value quoted */
        const char *zMsg = sqlite3_errmsg(p->db);
        size_t nKey = strlen(s->zKey);
        if (strncmp(zMsg, "chatflow: ", 10) == 0 && strncmp(zMsg + 10, s->zKey, nKey) == 0 &&
            zMsg[10 + nKey] == ' ') {
          zErr = sqlite3_mprintf("%s, got '%q'", zMsg, zVal);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      }
    }
    sqlite3_finalize(pStmt);
    if (cfFinish(ctx, p, rc, &zErr) != SQLITE_OK) {
      sqlite3_free(zCopy);
      return;
    }
  }
  if (zVal) sqlite3_result_text(ctx, zCopy, -1, sqlite3_free);
  else if (s->zDefault) sqlite3_result_text(ctx, s->zDefault, -1, SQLITE_STATIC);
  else sqlite3_result_null(ctx);
}

/* The value of setting zKey (sqlite3_malloc'd), its default when unset, or
** 0 with *pRc SQLITE_OK when it has neither.  The schema refused any value
** that breaks the setting's rule (but llm.base_url's and llm.extra_body's,
** which provider.c checks before a call). */
char *cfSettingText(CfConn *p, const char *zKey, int *pRc) {
  sqlite3_stmt *pStmt = 0;
  char *zOut = 0;
  int rc = cfStmt(p, CF_STMT_SETTING_GET, "SELECT value FROM chatflow_settings WHERE key = ?1",
                  &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zKey, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW && sqlite3_column_type(pStmt, 0) != SQLITE_NULL) {
      zOut = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
      rc = zOut ? SQLITE_OK : SQLITE_NOMEM;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
      /* unset, or a NULL that raw SQL wrote (as chatflow_config(key, NULL)) */
      rc = SQLITE_OK;
      for (int i = 0; i < CF_N_SETTING; i++) {
        if (strcmp(aSetting[i].zKey, zKey) == 0 && aSetting[i].zDefault) {
          zOut = sqlite3_mprintf("%s", aSetting[i].zDefault);
          if (zOut == 0) rc = SQLITE_NOMEM;
        }
      }
    }
  }
  cfStmtDone(p, pStmt);
  *pRc = rc;
  return zOut;
}

/* ----------------------------------------------------------------- clock */

static void cfClockFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  char zBuf[CF_TIMESTAMP_LEN + 1];
  if (argc == 1) {
    const char *z = 0;
    if (cfArgText(ctx, argv[0], "clock timestamp", 64, 1, 0, &z)) return;
    if (z == 0) {
      p->bClockPinned = 0;
    } else {
      if (cfParseTimestamp(z, zBuf)) {
        cfResultError(ctx, "chatflow: invalid timestamp '%s' (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)",
                      z);
        return;
      }
      if (strcmp(zBuf, CF_CLOCK_MAX) >= 0) {
        cfResultError(ctx, "chatflow: the clock must be before " CF_CLOCK_MAX
                      " (a lease or a TTL counted from it must still be a timestamp), got '%s'", zBuf);
        return;
      }
      memcpy(p->zPinned, zBuf, sizeof(zBuf));
      p->bClockPinned = 1;
    }
  }
  cfNow(p, zBuf);
  sqlite3_result_text(ctx, zBuf, -1, SQLITE_TRANSIENT);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED_OPTS(cfInitFunc, 0, "chatflow_init")
CF_TIMED_OPTS(cfConfigFunc, 2, "chatflow_config")

int cfRegisterSchema(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* build facts only: the same answer for the life of the connection */
    {"chatflow_version", 0, CF_PURE, cfVersionFunc},
    {"chatflow_debug", 0, CF_PURE, cfDebugFunc},
    /* creates tables: a write */
    {"chatflow_init", 0, CF_WRITES, cfInitFunc},
    {"chatflow_init", 1, CF_WRITES, cfInitFuncTimed},
    /* the getter only reads a table (INNOCUOUS, as documented above); the setter writes */
    {"chatflow_config", 1, CF_READS, cfConfigFunc},
    {"chatflow_config", 2, CF_WRITES, cfConfigFunc},
    {"chatflow_config", 3, CF_WRITES, cfConfigFuncTimed},
    /* reads the real-time clock, changes connection state */
    {"chatflow_clock", 0, CF_WRITES, cfClockFunc},
    {"chatflow_clock", 1, CF_WRITES, cfClockFunc},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
