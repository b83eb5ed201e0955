/*
** unit.h — shared helpers of the cmocka tests in tests/unit/.
**
** The tests link the static build (dist/libchatflow.a, objects compiled
** with -DSQLITE_CORE), so they call sqlite3_chatflow_init() directly on a
** connection of the system SQLite.  Every helper asserts through cmocka,
** so a failure names the line of the calling test.
**
**   sqlite3 *db = cfTestOpen(":memory:");        opened, extension registered, chatflow_init()
**   CF_SQL(db, "SELECT 1", "1");                 first column of the first row, as text
**   CF_SQL_ERROR(db, "SELECT add_message(...)", "chatflow: ...");   exact sqlite3_errmsg
**   CF_EXEC(db, "BEGIN");                        every statement of a script succeeds
**   cfTestClose(db);                             sqlite3_close() must return SQLITE_OK
*/
#ifndef CHATFLOW_UNIT_H
#define CHATFLOW_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chatflow_int.h"

int sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

/* Runs every row of zSql (one statement).  On success returns SQLITE_OK and
** *pzOut holds the first column of the first row as text ("NULL" for NULL,
** "" when there is no row); on failure returns the error code and *pzOut
** holds sqlite3_errmsg().  *pzOut is sqlite3_malloc'd. */
static inline int cfTestRun(sqlite3 *db, const char *zSql, char **pzOut) {
  sqlite3_stmt *pStmt = 0;
  int rc, bFirst = 1;
  *pzOut = 0;
  rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      if (bFirst) {
        const unsigned char *z = sqlite3_column_text(pStmt, 0);
        *pzOut = sqlite3_mprintf("%s", z ? (const char *)z : "NULL");
        bFirst = 0;
      }
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK) {
    sqlite3_free(*pzOut);
    *pzOut = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  } else if (*pzOut == 0) {
    *pzOut = sqlite3_mprintf("");
  }
  sqlite3_finalize(pStmt);
  return rc;
}

static inline void cfTestExpect(sqlite3 *db, const char *zSql, const char *zExpected,
                                int bError, const char *zFile, int iLine) {
  char *zOut = 0;
  int rc = cfTestRun(db, zSql, &zOut);
  if ((rc != SQLITE_OK) != bError || strcmp(zOut ? zOut : "", zExpected) != 0) {
    print_error("%s:%d: %s\n  expected %s: %s\n  got %s: %s\n", zFile, iLine, zSql,
                bError ? "error" : "result", zExpected, rc == SQLITE_OK ? "result" : "error",
                zOut ? zOut : "(out of memory)");
    sqlite3_free(zOut);
    _fail(zFile, iLine);
  }
  sqlite3_free(zOut);
}

/* zSql must fail with a message that starts with zPrefix (for lists that
** grow as features land, e.g. the known settings). */
static inline void cfTestExpectPrefix(sqlite3 *db, const char *zSql, const char *zPrefix,
                                      const char *zFile, int iLine) {
  char *zOut = 0;
  int rc = cfTestRun(db, zSql, &zOut);
  if (rc == SQLITE_OK || zOut == 0 || strncmp(zOut, zPrefix, strlen(zPrefix)) != 0) {
    print_error("%s:%d: %s\n  expected an error starting: %s\n  got %s: %s\n", zFile, iLine, zSql,
                zPrefix, rc == SQLITE_OK ? "result" : "error", zOut ? zOut : "(out of memory)");
    sqlite3_free(zOut);
    _fail(zFile, iLine);
  }
  sqlite3_free(zOut);
}
#define CF_SQL_ERROR_PREFIX(db, zSql, zPrefix) cfTestExpectPrefix(db, zSql, zPrefix, __FILE__, __LINE__)

/* The first column of zSql's first row must be zExpected. */
#define CF_SQL(db, zSql, zExpected) cfTestExpect(db, zSql, zExpected, 0, __FILE__, __LINE__)
/* zSql must fail with exactly the message zExpected. */
#define CF_SQL_ERROR(db, zSql, zExpected) cfTestExpect(db, zSql, zExpected, 1, __FILE__, __LINE__)

static inline void cfTestExec(sqlite3 *db, const char *zSql, const char *zFile, int iLine) {
  char *zErr = 0;
  if (sqlite3_exec(db, zSql, 0, 0, &zErr) != SQLITE_OK) {
    print_error("%s:%d: %s\n  failed: %s\n", zFile, iLine, zSql, zErr ? zErr : "?");
    sqlite3_free(zErr);
    _fail(zFile, iLine);
  }
}
#define CF_EXEC(db, zSql) cfTestExec(db, zSql, __FILE__, __LINE__)

/* An integer query result. */
static inline sqlite3_int64 cfTestInt(sqlite3 *db, const char *zSql) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 v = -1;
  assert_int_equal(sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0), SQLITE_OK);
  assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
  v = sqlite3_column_int64(pStmt, 0);
  sqlite3_finalize(pStmt);
  return v;
}

/* Opens zPath and registers chatflow (without chatflow_init()). */
static inline sqlite3 *cfTestOpenRaw(const char *zPath) {
  sqlite3 *db = 0;
  char *zErr = 0;
  assert_int_equal(sqlite3_open(zPath, &db), SQLITE_OK);
  assert_int_equal(sqlite3_chatflow_init(db, &zErr, 0), SQLITE_OK);
  assert_null(zErr);
  return db;
}

/* Opens zPath, registers chatflow and creates the schema. */
static inline sqlite3 *cfTestOpen(const char *zPath) {
  sqlite3 *db = cfTestOpenRaw(zPath);
  char zVersion[16];
  snprintf(zVersion, sizeof(zVersion), "%d", cfSchemaVersion);
  CF_SQL(db, "SELECT chatflow_init()", zVersion);
  return db;
}

static inline void cfTestClose(sqlite3 *db) { assert_int_equal(sqlite3_close(db), SQLITE_OK); }

/* cmocka setup/teardown: *state is an initialised in-memory connection
** with the clock pinned; the teardown requires sqlite3_close() to succeed. */
static inline int cfTestSetup(void **state) {
  sqlite3 *db = cfTestOpen(":memory:");
  CF_SQL(db, "SELECT chatflow_clock('2026-01-01T00:00:00Z')", "2026-01-01T00:00:00.000Z");
  *state = db;
  return 0;
}

static inline int cfTestTeardown(void **state) {
  cfTestClose((sqlite3 *)*state);
  *state = 0;
  return 0;
}

#endif /* CHATFLOW_UNIT_H */
