/*
** util.c — helpers every chatflow file uses: error results, the
** connection clock, the statement cache, the schema check, argument
** validation.  (UTF-8 and titles are in text.c, the write bracket in
** write.c.)
**
** Registers one module: chatflow_statement_cache, an eponymous virtual
** table with no rows.  It exists for its xDisconnect: sqlite3_close() and
** sqlite3_close_v2() disconnect every virtual table *before* they look for
** unfinalized statements, so this is where the cached statements of a
** connection are finalized (the way fts5 keeps its statements).  Without
** it, a connection that used chatflow could not be closed by the shell.
**
** NULL input: the argument helpers treat NULL as an error unless told it
** is allowed.  Errors raised here all start "chatflow: ".
*/
#include "chatflow_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>

/* ---------------------------------------------------------------- errors */

char *cfMprintfV(const char *zFmt, va_list ap) { return sqlite3_vmprintf(zFmt, ap); }

void cfResultError(sqlite3_context *ctx, const char *zFmt, ...) {
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  if (z == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, z, -1);
  sqlite3_free(z);
}

/* Sets the text z[0..n) (n < 0: up to its NUL) as ctx's result; xDel as
** for sqlite3_result_text.  A row that raw SQL wrote without checks can
** hold invalid UTF-8, which would go out as it is (Python's sqlite3 then
** cannot even read the result, and one such row fails a whole list):
** such bytes become U+FFFD here (cfUtf8Repair).  For JSON text too: its
** structure is ASCII, so only string values change (UTF-8 is JSON's
** encoding, RFC 8259). */
void cfResultUtf8(sqlite3_context *ctx, const char *z, int n, void (*xDel)(void *)) {
  char *zFixed;
  int nFixed = 0;
  if (z == 0) { /* a text the caller could not get: out of memory */
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (n < 0) n = (int)strlen(z);
  if (cfUtf8Valid((const unsigned char *)z, n)) {
    sqlite3_result_text(ctx, z, n, xDel);
    return;
  }
  zFixed = cfUtf8Repair(z, n, &nFixed);
  if (xDel != SQLITE_STATIC && xDel != SQLITE_TRANSIENT && xDel != 0) xDel((void *)z);
  if (zFixed == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, zFixed, nFixed, sqlite3_free);
}

/* The message for an SQLite error of a nested statement; keeps the
** "chatflow: " texts raised by the schema's triggers as they are. */
char *cfDbError(sqlite3 *db, int rc) {
  const char *zMsg = sqlite3_errmsg(db);
  if (sqlite3_errcode(db) == SQLITE_OK || zMsg == 0) zMsg = sqlite3_errstr(rc); /* never "not an error" */
  if (strncmp(zMsg, "chatflow: ", 10) == 0) return sqlite3_mprintf("%s", zMsg);
  {
    char *zTrust = cfTrustedSchemaError(db, zMsg);
    if (zTrust) return zTrust;
  }
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    /* outside the write bracket (reads, the provider's short reads): the
    ** busy handler has run; write.c gives writers situation-specific advice */
    return sqlite3_mprintf("chatflow: database is locked (%s): retry, or raise PRAGMA busy_timeout", zMsg);
  }
  return sqlite3_mprintf("chatflow: %s", zMsg);
}

void cfResultErrorFromDb(sqlite3_context *ctx, sqlite3 *db, int rc) {
  char *z;
  if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (rc == SQLITE_TOOBIG) {
    sqlite3_result_error_toobig(ctx);
    return;
  }
  z = cfDbError(db, rc);
  if (z == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, z, -1);
  cfResultCode(ctx, rc);
  sqlite3_free(z);
}

/* Sets zErr (sqlite3_malloc'd, freed here; 0: out of memory) as the
** function's error.  A lock error keeps the SQLITE_BUSY code, so callers
** can retry on the code rather than the text. */
void cfResultErrorMsg(sqlite3_context *ctx, char *zErr) {
  if (zErr == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_error(ctx, zErr, -1);
  if (strncmp(zErr, "chatflow: database is locked", 28) == 0) {
    sqlite3_result_error_code(ctx, SQLITE_BUSY);
  }
  sqlite3_free(zErr);
}

void cfVtabError(sqlite3_vtab *pVtab, const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  sqlite3_free(pVtab->zErrMsg);
  pVtab->zErrMsg = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
}

/* ----------------------------------------------------------------- clock */

/* Writes v (0 <= v < 10^n) as n decimal digits. */
static void cfDigitsOut(char *z, int v, int n) {
  for (int i = n - 1; i >= 0; i--) {
    z[i] = (char)('0' + v % 10);
    v /= 10;
  }
}

/* The time that is not the wall clock: the current call's (option now),
** else the pinned one (chatflow_clock(ts)), else 0.  The one place that
** decides; cfNow and the triggers' chatflow_statement_clock row use it. */
const char *cfClockFixed(CfConn *p) {
  if (p->bCallNow) return p->zCallNow;
  if (p->bClockPinned) return p->zPinned;
  return 0;
}

void cfCallTimeSave(CfConn *p, CfCallTime *pSave) {
  pSave->bSet = p->bCallNow;
  memcpy(pSave->z, p->zCallNow, CF_TIMESTAMP_LEN + 1);
}

void cfCallTimeRestore(CfConn *p, const CfCallTime *pSave) {
  p->bCallNow = pSave->bSet;
  memcpy(p->zCallNow, pSave->z, CF_TIMESTAMP_LEN + 1);
}

/* Sets the current call's time from the option now (zText, 0: absent),
** checked as created_at is.  Returns non-zero with *pzErr set (0 for out
** of memory) on a malformed time. */
int cfCallTimeSet(CfConn *p, const char *zText, char **pzErr) {
  char z[CF_TIMESTAMP_LEN + 1];
  if (zText == 0) return 0;
  if (cfParseTimestamp(zText, z)) {
    *pzErr = sqlite3_mprintf("chatflow: invalid timestamp '%q' for now (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)",
                             zText);
    return 1;
  }
  if (strcmp(z, CF_CLOCK_MAX) >= 0) {
    *pzErr = sqlite3_mprintf("chatflow: now must be before " CF_CLOCK_MAX
                             " (a lease or a TTL counted from it must still be a timestamp), got '%s'", z);
    return 1;
  }
  memcpy(p->zCallNow, z, CF_TIMESTAMP_LEN + 1);
  p->bCallNow = 1;
  return 0;
}

/* The trailing options_json of a writing function whose only option is
** now (NULL: none).  Sets the call's time; on error sets it on ctx and
** returns non-zero. */
int cfCallTimeOptions(sqlite3_context *ctx, CfConn *p, sqlite3_value *vOpts, const char *zFunc) {
  CfJsonOpt aOpt[1] = {{"now", CF_JT_STRING, 0, 0, 0}};
  const char *zOpts = 0;
  char *zErr = 0;
  int rc;
  if (cfArgOptions(ctx, vOpts, zFunc, &zOpts)) return 1;
  if (zOpts == 0) return 0;
  rc = cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(vOpts), zFunc, aOpt, 1, &zErr);
  if (rc != SQLITE_OK && rc != SQLITE_ERROR) {
    cfJsonOptionsFree(aOpt, 1);
    return 1; /* cfJsonOptionsConn has set the error */
  }
  if (rc == SQLITE_OK && cfCallTimeSet(p, aOpt[0].bPresent ? aOpt[0].zVal : 0, &zErr)) rc = SQLITE_ERROR;
  cfJsonOptionsFree(aOpt, 1);
  if (rc == SQLITE_OK) return 0;
  cfResultErrorMsg(ctx, zErr); /* 0: out of memory */
  return 1;
}

/* Writes the connection's current time into zBuf (CF_TIMESTAMP_LEN+1). */
void cfNow(CfConn *p, char *zBuf) {
  struct timeval tv;
  struct tm tm;
  time_t t;
  const char *zFixed = cfClockFixed(p);
  if (zFixed) {
    memcpy(zBuf, zFixed, CF_TIMESTAMP_LEN + 1);
    return;
  }
  gettimeofday(&tv, 0);
  t = tv.tv_sec;
  gmtime_r(&t, &tm);
  if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
    sqlite3_snprintf(CF_TIMESTAMP_LEN + 1, zBuf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000));
    return;
  }
  /* every write stamps: digits by hand, not through a format (a tenth of
  ** the instructions of sqlite3_snprintf) */
  cfDigitsOut(zBuf, tm.tm_year + 1900, 4);
  zBuf[4] = '-';
  cfDigitsOut(zBuf + 5, tm.tm_mon + 1, 2);
  zBuf[7] = '-';
  cfDigitsOut(zBuf + 8, tm.tm_mday, 2);
  zBuf[10] = 'T';
  cfDigitsOut(zBuf + 11, tm.tm_hour, 2);
  zBuf[13] = ':';
  cfDigitsOut(zBuf + 14, tm.tm_min, 2);
  zBuf[16] = ':';
  cfDigitsOut(zBuf + 17, tm.tm_sec, 2);
  zBuf[19] = '.';
  cfDigitsOut(zBuf + 20, (int)(tv.tv_usec / 1000), 3);
  zBuf[23] = 'Z';
  zBuf[24] = 0;
}

static int cfDigits(const char *z, int n, int lo, int hi, int *pOut) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (z[i] < '0' || z[i] > '9') return 1;
    v = v * 10 + (z[i] - '0');
  }
  if (v < lo || v > hi) return 1;
  *pOut = v;
  return 0;
}

/* The days from 1970-01-01 to the proleptic Gregorian date y-m-d, and
** back: Howard Hinnant's days_from_civil and civil_from_days, which hold
** for any year (year 0 and 10000 included, so a time moved across the
** range's edge by its offset can be seen to leave it). */
static int cfDaysFromCivil(int y, int m, int d) {
  int era, yoe, doy, doe;
  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void cfCivilFromDays(int n, int *pY, int *pM, int *pD) {
  int era, doe, yoe, doy, mp;
  n += 719468;
  era = (n >= 0 ? n : n - 146096) / 146097;
  doe = n - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *pD = doy - (153 * mp + 2) / 5 + 1;
  *pM = mp < 10 ? mp + 3 : mp - 9;
  *pY = yoe + era * 400 + (*pM <= 2);
}

/* Reads an RFC 3339 date-time (section 5.6: full-date "T" full-time) and
** writes the canonical form chatflow stores, UTC to the millisecond
** (YYYY-MM-DDTHH:MM:SS.sssZ, CF_TIMESTAMP_LEN), to zOut.  Returns 0 on
** success, non-zero (zOut untouched) for anything else.
**
**   2026-12-02T05:00:00Z                     2026-12-02T05:00:00.000Z
**   2026-12-02T05:00:00.123456+00:00         2026-12-02T05:00:00.123Z   Python
**   2026-12-02T05:00:00.123456789+01:00      2026-12-02T04:00:00.123Z   Go, Rust
**   2026-01-01T00:30:00+01:00                2025-12-31T23:30:00.000Z
**
** The 'T' and 'Z' may be lowercase (RFC 3339 allows it), and the 'T' a
** space (its note in section 5.6 allows it: Python's str() of a datetime,
** Go's mattn/go-sqlite3 binding a time.Time).  The fraction has 1 to
** CF_TIMESTAMP_FRAC_MAX digits (nanoseconds: what Go, Rust and Java
** write) and is truncated to milliseconds, never rounded: rounding
** could carry into the next second, day or year, and truncation keeps
** the order of the times it is given.  The offset ("Z", "+HH:MM" or
** "-HH:MM", hours 00-23, minutes 00-59; "-00:00" is UTC) is subtracted,
** which may move the date by a day across a month or a year; the time
** must be in years 0001 to 9999 in UTC (0001-01-01T00:30:00+01:00 is
** not).  Refused: no offset (a local time is ambiguous), hour 24, a leap
** second (:60), a date that does not exist, an empty or too long
** fraction, text after the offset.  A canonical input comes back
** unchanged, so strcmp(zOut, z) tells whether z was canonical. */
int cfParseTimestamp(const char *z, char *zOut) {
  int y, mo, d, h, mi, s, ms = 0, nOff = 0; /* nOff: minutes east of UTC */
  size_t n = strlen(z), i = 19;
  static const int aDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (n < 20) return 1;
  if (z[4] != '-' || z[7] != '-' || (z[10] != 'T' && z[10] != 't' && z[10] != ' ') || z[13] != ':' ||
      z[16] != ':') {
    return 1;
  }
  if (cfDigits(z, 4, 0, 9999, &y) || cfDigits(z + 5, 2, 1, 12, &mo) ||
      cfDigits(z + 8, 2, 1, 31, &d) || cfDigits(z + 11, 2, 0, 23, &h) ||
      cfDigits(z + 14, 2, 0, 59, &mi) || cfDigits(z + 17, 2, 0, 59, &s)) {
    return 1;
  }
  if (z[i] == '.') {
    size_t iFrac = ++i;
    while (z[i] >= '0' && z[i] <= '9') {
      if (i - iFrac == CF_TIMESTAMP_FRAC_MAX) return 1;
      if (i - iFrac < 3) ms = ms * 10 + (z[i] - '0');
      i++;
    }
    if (i == iFrac) return 1;
    for (size_t k = i - iFrac; k < 3; k++) ms *= 10;
  }
  if (z[i] == 'Z' || z[i] == 'z') {
    i++;
  } else if (z[i] == '+' || z[i] == '-') {
    int oh, om;
    /* cfDigits stops at the first byte that is not a digit: the NUL too */
    if (cfDigits(z + i + 1, 2, 0, 23, &oh) || z[i + 3] != ':' ||
        cfDigits(z + i + 4, 2, 0, 59, &om)) {
      return 1;
    }
    nOff = (oh * 60 + om) * (z[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return 1;
  }
  if (i != n) return 1; /* text after the offset */
  if (d > aDays[mo - 1]) return 1;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 1;
  if (nOff != 0) {
    /* at most 23:59 either way: the day moves by one at most */
    int nMin = h * 60 + mi - nOff, nDay = cfDaysFromCivil(y, mo, d);
    if (nMin < 0) {
      nMin += 24 * 60;
      nDay--;
    } else if (nMin >= 24 * 60) {
      nMin -= 24 * 60;
      nDay++;
    }
    cfCivilFromDays(nDay, &y, &mo, &d);
    h = nMin / 60;
    mi = nMin % 60;
  }
  if (y < 1 || y > 9999) return 1; /* of the time: 0000-12-31T23:30:00-01:00 is in */
  sqlite3_snprintf(CF_TIMESTAMP_LEN + 1, zOut, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d,
                   h, mi, s, ms);
  return 0;
}

/* ------------------------------------------------------- statement cache */

/* Makes sure the guard table exists, so that closing the connection
** finalizes the cache (before a statement first goes into it). */
static int cfStmtGuard(CfConn *p) {
  sqlite3_stmt *pGuard = 0;
  int rc = sqlite3_prepare_v2(p->db, "SELECT 1 FROM chatflow_statement_cache", -1, &pGuard, 0);
  sqlite3_finalize(pGuard);
  return rc;
}

/* The statement for zSql of the cache slot *ppSlot on db: the slot's when
** it is free, a new one kept in the empty slot, or, while the slot's is in
** use (a re-entrant call), a private one; cfStmtDone() resets or
** finalizes accordingly. */
int cfStmtSlot(sqlite3 *db, sqlite3_stmt **ppSlot, const char *zSql, sqlite3_stmt **ppStmt) {
  int rc;
  if (*ppSlot && !sqlite3_stmt_busy(*ppSlot) && strcmp(sqlite3_sql(*ppSlot), zSql) == 0) {
    *ppStmt = *ppSlot;
    return SQLITE_OK;
  }
  if (*ppSlot == 0) {
    rc = sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, ppSlot, 0);
    *ppStmt = *ppSlot;
    return rc;
  }
  return sqlite3_prepare_v2(db, zSql, -1, ppStmt, 0);
}

/* Returns in *ppStmt a reset statement for zSql, cached in slot iStmt of
** p->db's cache (cfStmtSlot). */
int cfStmt(CfConn *p, int iStmt, const char *zSql, sqlite3_stmt **ppStmt) {
  if (p->aStmt[iStmt] == 0) {
    int rc = cfStmtGuard(p);
    if (rc != SQLITE_OK) return rc;
  }
  return cfStmtSlot(p->db, &p->aStmt[iStmt], zSql, ppStmt);
}

/* A cached statement found by its text, for the many statements of the
** less frequent writers (import, fork, export): CF_STMT_TEXT_SLOTS of
** them, the oldest replaced when a new one comes.  A statement is held
** from cfStmtText() to cfStmtDone(): one held (a nested call, or a caller
** between its steps) is neither given twice nor replaced; a private
** statement is prepared instead. */
int cfStmtText(CfConn *p, const char *zSql, sqlite3_stmt **ppStmt) {
  int rc, iSlot = -1;
  for (int i = 0; i < CF_STMT_TEXT_SLOTS; i++) {
    sqlite3_stmt *pStmt = p->aText[i];
    if (pStmt && strcmp(sqlite3_sql(pStmt), zSql) == 0) {
      /* held by a caller between its steps (reset, not busy) counts too */
      if (p->aTextUse[i]) return sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
      p->aTextUse[i] = 1;
      *ppStmt = pStmt;
      return SQLITE_OK;
    }
  }
  /* a slot to fill: the next in turn that no caller holds */
  for (int k = 0; k < CF_STMT_TEXT_SLOTS && iSlot < 0; k++) {
    int i = (p->iTextNext + k) % CF_STMT_TEXT_SLOTS;
    if (!p->aTextUse[i]) iSlot = i;
  }
  if (iSlot < 0) return sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  rc = cfStmtGuard(p);
  if (rc != SQLITE_OK) return rc;
  sqlite3_finalize(p->aText[iSlot]);
  p->aText[iSlot] = 0;
  p->iTextNext = (iSlot + 1) % CF_STMT_TEXT_SLOTS;
  rc = sqlite3_prepare_v3(p->db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &p->aText[iSlot], 0);
  if (rc == SQLITE_OK) p->aTextUse[iSlot] = 1;
  *ppStmt = p->aText[iSlot];
  return rc;
}

/* Ends the use of a statement of cfStmt, cfStmtText or json.c's cache on
** the private connection: a cached one is reset, a private one finalized. */
void cfStmtDone(CfConn *p, sqlite3_stmt *pStmt) {
  if (pStmt == 0) return;
  for (int i = 0; i < CF_STMT_COUNT + CF_STMT_TEXT_SLOTS + CF_STMT_JSON_COUNT; i++) {
    sqlite3_stmt *pCached = i < CF_STMT_COUNT ? p->aStmt[i]
                          : i < CF_STMT_COUNT + CF_STMT_TEXT_SLOTS ? p->aText[i - CF_STMT_COUNT]
                          : p->aJsonStmt[i - CF_STMT_COUNT - CF_STMT_TEXT_SLOTS];
    if (pCached == pStmt) {
      sqlite3_reset(pStmt);
      sqlite3_clear_bindings(pStmt);
      if (i >= CF_STMT_COUNT && i < CF_STMT_COUNT + CF_STMT_TEXT_SLOTS) p->aTextUse[i - CF_STMT_COUNT] = 0;
      return;
    }
  }
  sqlite3_finalize(pStmt);
}

void cfConnFinalize(CfConn *p) {
  for (int i = 0; i < CF_STMT_COUNT; i++) {
    sqlite3_finalize(p->aStmt[i]);
    p->aStmt[i] = 0;
  }
  for (int i = 0; i < CF_STMT_TEXT_SLOTS; i++) {
    sqlite3_finalize(p->aText[i]);
    p->aText[i] = 0;
    p->aTextUse[i] = 0;
  }
  sqlite3_close(p->dbPending);
  p->dbPending = 0;
  p->bPendingValid = 0;
  for (int i = 0; i < CF_STMT_JSON_COUNT; i++) {
    sqlite3_finalize(p->aJsonStmt[i]);
    p->aJsonStmt[i] = 0;
  }
  sqlite3_close(p->dbJson);
  p->dbJson = 0;
  for (int i = 0; i < 2; i++) {
    sqlite3_free(p->aLgResume[i].zNs);
    memset(&p->aLgResume[i], 0, sizeof(p->aLgResume[i]));
  }
}

/* The guard module: an eponymous table with one hidden column and no rows. */
typedef struct CfGuardVtab {
  sqlite3_vtab base;
  CfConn *pConn;
} CfGuardVtab;

static int cfGuardConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                          sqlite3_vtab **ppVtab, char **pzErr) {
  CfGuardVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(slot INTEGER)");
  if (rc != SQLITE_OK) return rc;
  pNew = sqlite3_malloc(sizeof(*pNew));
  if (pNew == 0) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->pConn = (CfConn *)pAux;
  pNew->pConn->nGuard++;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

/* When the module is replaced (the extension loaded again on the same
** connection), SQLite drops the module's last reference, and so runs
** cfConnDestroy, *before* this xDisconnect; at sqlite3_close() the order
** is the reverse.  Whichever runs last frees the CfConn (nGuard, bDestroyed). */
static int cfGuardDisconnect(sqlite3_vtab *pVtab) {
  CfGuardVtab *p = (CfGuardVtab *)pVtab;
  CfConn *pConn = p->pConn;
  cfConnFinalize(pConn);
  if (--pConn->nGuard == 0 && pConn->bDestroyed) sqlite3_free(pConn);
  sqlite3_free(p);
  return SQLITE_OK;
}

static int cfGuardBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  (void)pVtab;
  pInfo->estimatedCost = 1;
  pInfo->estimatedRows = 0;
  return SQLITE_OK;
}

static int cfGuardOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  sqlite3_vtab_cursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if (pCur == 0) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = pCur;
  return SQLITE_OK;
}
static int cfGuardClose(sqlite3_vtab_cursor *pCur) { sqlite3_free(pCur); return SQLITE_OK; }
static int cfGuardFilter(sqlite3_vtab_cursor *pCur, int idxNum, const char *idxStr, int argc,
                         sqlite3_value **argv) {
  (void)pCur; (void)idxNum; (void)idxStr; (void)argc; (void)argv;
  return SQLITE_OK;
}
static int cfGuardNext(sqlite3_vtab_cursor *pCur) { (void)pCur; return SQLITE_OK; }
static int cfGuardEof(sqlite3_vtab_cursor *pCur) { (void)pCur; return 1; }
static int cfGuardColumn(sqlite3_vtab_cursor *pCur, sqlite3_context *ctx, int i) {
  (void)pCur; (void)ctx; (void)i;
  return SQLITE_OK;
}
static int cfGuardRowid(sqlite3_vtab_cursor *pCur, sqlite3_int64 *pRowid) {
  (void)pCur;
  *pRowid = 0;
  return SQLITE_OK;
}

static sqlite3_module cfGuardModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: 0 makes it eponymous-only */
  cfGuardConnect,     /* xConnect */
  cfGuardBestIndex,   /* xBestIndex */
  cfGuardDisconnect,  /* xDisconnect: finalizes the connection's cache */
  0,                  /* xDestroy */
  cfGuardOpen,        /* xOpen */
  cfGuardClose,       /* xClose */
  cfGuardFilter,      /* xFilter */
  cfGuardNext,        /* xNext */
  cfGuardEof,         /* xEof: always at end, no rows */
  cfGuardColumn,      /* xColumn */
  cfGuardRowid,       /* xRowid */
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 
};

static void cfConnDestroy(void *pArg) {
  CfConn *p = (CfConn *)pArg;
  cfConnFinalize(p);
  p->bDestroyed = 1;
  if (p->nGuard == 0) sqlite3_free(p);  /* else the last xDisconnect frees it */
}

/* Creates the module that owns p: p is freed when the connection closes
** (or when the extension is loaded again and replaces it). */
int cfRegisterGuard(sqlite3 *db, CfConn *p) {
  return sqlite3_create_module_v2(db, "chatflow_statement_cache", &cfGuardModule, p,
                                  cfConnDestroy);
}

/* ----------------------------------------------------------------- schema */

/* Returns SQLITE_OK when the database holds this build's schema version,
** else SQLITE_ERROR with a message in *pzErr (sqlite3_malloc'd). */
/* Out of memory, by its code or by SQLite's text: an allocation failure
** while a statement is prepared (or prepared again by sqlite3_step after a
** schema change) can come back as SQLITE_ERROR with "out of memory"
** (seen in the full OOM sweep). */
static int cfOutOfMemory(int rc, const char *zMsg) {
  return (rc & 0xff) == SQLITE_NOMEM || (zMsg && strcmp(zMsg, "out of memory") == 0);
}

/* Where main stands: 1 with its file and data version when a transaction
** of main is open (the caller's, or the read transaction of the statement
** that called), else 0.  SQLite moves the data version when a transaction
** of this connection commits and when a new read transaction finds
** another connection's commit (pager.c).  Not for a database that
** sqlite3_deserialize() put in main (VFS "memdb"): it replaces main's
** pager, whose file may come at the same address and whose data version
** starts again, so the key could repeat for another database.  (Not in a
** test: SQLite 3.40 itself reads freed memory when a database is
** deserialized into a connection that has used a virtual table, json_each
** included: docs/operations.md.) */
static int cfSchemaKey(CfConn *p, sqlite3_file **ppFile, unsigned int *piDv) {
  sqlite3_vfs *pVfs = 0;
  if (sqlite3_txn_state(p->db, "main") == SQLITE_TXN_NONE) return 0;
  if (sqlite3_file_control(p->db, "main", SQLITE_FCNTL_VFS_POINTER, &pVfs) != SQLITE_OK || pVfs == 0 ||
      (pVfs->zName && strcmp(pVfs->zName, "memdb") == 0)) {
    return 0;
  }
  if (sqlite3_file_control(p->db, "main", SQLITE_FCNTL_FILE_POINTER, ppFile) != SQLITE_OK) return 0;
  return sqlite3_file_control(p->db, "main", SQLITE_FCNTL_DATA_VERSION, piDv) == SQLITE_OK;
}

/* chatflow_init changed (or may have changed) the schema: read the version
** again at the next call.  bHold: it ran inside the caller's transaction,
** whose ROLLBACK takes the migration back without moving the data version,
** so the version is not kept until that version moves. */
void cfSchemaForget(CfConn *p, int bHold) {
  sqlite3_file *pFile = 0;
  unsigned int iDv = 0;
  p->bSchemaOk = 0;
  if (bHold) {
    p->bSchemaHold = 1;
    p->iSchemaHoldDv = cfSchemaKey(p, &pFile, &iDv) ? iDv : 0;
  }
}

int cfCheckSchema(CfConn *p, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_file *pFile = 0;
  unsigned int iDv = 0;
  int rc, v = 0, bTable = 0, bKey;
  *pzErr = 0;
  /* every chatflow call passes here: finish an undo a failed call had to
  ** leave (write.c, rule 3) before anything reads the database */
  rc = cfUndoPending(p);
  if (rc != SQLITE_OK) return rc;
  /* The version read at an earlier call holds while main's file and data
  ** version are the same: in between, no transaction of this connection
  ** committed and no read transaction found another connection's commit;
  ** inside a transaction only this connection's own DDL could change the
  ** schema, and chatflow_init, which migrates, forgets the version
  ** (cfSchemaForget).  The statement was 1 % of a batched add_message,
  ** 11 % of a checkpoint save.  A call made while no transaction of main
  ** is open (SELECT f(...) reading no table, in autocommit) reads it. */
  bKey = cfSchemaKey(p, &pFile, &iDv);
  if (bKey && p->bSchemaOk && p->pSchemaFile == pFile && p->iSchemaDv == iDv) return SQLITE_OK;
  p->bSchemaOk = 0;
  rc = cfStmt(p, CF_STMT_SCHEMA_VERSION,
              "SELECT (SELECT max(version) FROM main.chatflow_migrations)", &pStmt);
  if (rc == SQLITE_OK) {
    bTable = 1;
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      v = sqlite3_column_int(pStmt, 0);
      rc = SQLITE_OK;
    }
  }
  cfStmtDone(p, pStmt);
  if (!bTable) {
    const char *zMsg = sqlite3_errmsg(p->db);
    if (zMsg && strstr(zMsg, "no such table")) {
      *pzErr = sqlite3_mprintf("chatflow: schema not initialised — run SELECT chatflow_init()");
    } else {
      *pzErr = cfTrustedSchemaError(p->db, zMsg);
      if (*pzErr) return SQLITE_ERROR;
      if (cfOutOfMemory(rc, zMsg)) return SQLITE_NOMEM;
      *pzErr = sqlite3_mprintf("chatflow: cannot read the schema version: %s", zMsg);
      if (*pzErr == 0) return SQLITE_NOMEM;
      return cfKeepCode(rc) ? sqlite3_extended_errcode(p->db) : SQLITE_ERROR; /* SQLITE_IOERR_READ … */
    }
    return SQLITE_ERROR;
  }
  if (rc != SQLITE_OK) {
    const char *zMsg = sqlite3_errmsg(p->db);
    if (cfOutOfMemory(rc, zMsg)) return SQLITE_NOMEM;
    if (zMsg && strstr(zMsg, "no such table")) {
      /* the cached statement, prepared again after the schema changed
      ** (a ROLLBACK TO that took chatflow_init back) */
      *pzErr = sqlite3_mprintf("chatflow: schema not initialised — run SELECT chatflow_init()");
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    *pzErr = sqlite3_mprintf("chatflow: cannot read the schema version: %s", zMsg);
    return rc;
  }
  if (v == 0) {
    *pzErr = sqlite3_mprintf("chatflow: schema not initialised — run SELECT chatflow_init()");
    return SQLITE_ERROR;
  }
  if (v < cfSchemaVersion) {
    *pzErr = sqlite3_mprintf(
        "chatflow: database schema is version %d, this chatflow needs %d — run SELECT chatflow_init()",
        v, cfSchemaVersion);
    return SQLITE_ERROR;
  }
  if (v > cfSchemaVersion) {
    *pzErr = sqlite3_mprintf(
        "chatflow: database schema is version %d, newer than this chatflow %s knows (%d); upgrade the extension",
        v, CHATFLOW_VERSION, cfSchemaVersion);
    return SQLITE_ERROR;
  }
  if (p->bSchemaHold && !(bKey && iDv == p->iSchemaHoldDv)) p->bSchemaHold = 0;
  if (bKey && !p->bSchemaHold) {
    p->bSchemaOk = 1;
    p->pSchemaFile = pFile;
    p->iSchemaDv = iDv;
  }
  return SQLITE_OK;
}

/* cfCheckSchema for a scalar function: 0 when the schema is this build's,
** else non-zero with the error (and its result code) set on ctx. */
int cfSchemaResult(sqlite3_context *ctx, CfConn *p) {
  char *zErr = 0;
  int rc = cfCheckSchema(p, &zErr);
  if (rc == SQLITE_OK) return 0;
  cfResultErrorMsg(ctx, zErr); /* 0: out of memory */
  if (zErr) cfResultCode(ctx, rc);
  return 1;
}

/* The content limit in characters: the setting limits.max_content_chars,
** else the default. */
int cfMaxContentChars(CfConn *p, int *pnMax) {
  return cfSettingInt(p, "limits.max_content_chars", CF_MAX_CONTENT_CHARS_DEFAULT, pnMax);
}

/* An integer setting, or iDefault when unset (or NULL).  The schema
** refuses a value that is not an integer in the setting's range, for raw
** SQL too (sql/005_identity.sql, chatflow_setting_rules_check). */
int cfSettingInt(CfConn *p, const char *zKey, int iDefault, int *pnMax) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_SETTING_GET, "SELECT value FROM chatflow_settings WHERE key = ?1",
                  &pStmt);
  *pnMax = iDefault;
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zKey, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_type(pStmt, 0) != SQLITE_NULL) *pnMax = sqlite3_column_int(pStmt, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* -------------------------------------------------------------- arguments */

/* True if v is an integer: an INTEGER, or a REAL with an integral value in
** the 64-bit range (JavaScript bindings such as better-sqlite3 bind every
** number as a REAL: 1 arrives as 1.0).  1.5, NaN and infinities are not.
** The value goes to *piOut. */
int cfValueInteger(sqlite3_value *v, sqlite3_int64 *piOut) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_INTEGER) {
    *piOut = sqlite3_value_int64(v);
    return 1;
  }
  if (t == SQLITE_FLOAT) {
    double r = sqlite3_value_double(v);
    /* -2^63 <= r < 2^63 (NaN fails both comparisons) */
    if (r >= -9223372036854775808.0 && r < 9223372036854775808.0 && r == (double)(sqlite3_int64)r) {
      *piOut = (sqlite3_int64)r;
      return 1;
    }
  }
  return 0;
}

/* An integer written in JSON: an integer, or an integer-valued real (4.0:
** what json_object writes for a number a JavaScript binding bound) of at
** most 2^53 - 1 in magnitude (Number.MAX_SAFE_INTEGER): from 2^53 on a
** double holds only some integers, and the number may have been rounded
** before it arrived (9007199254740993.0 reads as 2^53), so it is refused
** rather than taken as another value. */
int cfJsonValueInteger(sqlite3_value *v, sqlite3_int64 *piOut) {
  if (sqlite3_value_type(v) == SQLITE_FLOAT) {
    double r = sqlite3_value_double(v);
    if (!(r >= -9007199254740991.0 && r <= 9007199254740991.0)) return 0;
  }
  return cfValueInteger(v, piOut);
}

/* What a JSON number that cfJsonValueInteger refused is, for the error
** "... must be an integer, got %s" (its rule in words, next to it): "a
** number beyond 64 bits" (1e21, -1e300: no integer of chatflow's holds
** it), "a number beyond 2^53 - 1 written with a fraction or an exponent;
** write it in digits" (1e17: a double may have been rounded), else "a
** number" (1.5). */
const char *cfJsonIntegerGot(sqlite3_value *v) {
  double r = sqlite3_value_double(v);
  if (!(r >= -9223372036854775808.0 && r < 9223372036854775808.0)) {
    return r != r ? "a number" : "a number beyond 64 bits"; /* NaN: not a number at all */
  }
  if (r == (double)(sqlite3_int64)r) {
    return "a number beyond 2^53 - 1 written with a fraction or an exponent; write it in digits";
  }
  return "a number";
}

/* The limits of a name-like text field (key, title, model, agent, uid):
** 0 when z[0..n) is valid UTF-8 of at most nMax characters (and not
** empty, with bNonEmpty); else the error "chatflow: <zWhat> ..."
** (sqlite3_malloc'd; *pbNoMem set when it could not be allocated).
** create_conversation, update_conversation and import_conversation share it. */
char *cfTextLimitError(const char *zWhat, const char *z, int n, int nMax, int bNonEmpty, int *pbNoMem) {
  char *zErr = 0;
  if (bNonEmpty && n == 0) {
    zErr = sqlite3_mprintf("chatflow: %s must not be empty", zWhat);
  } else if (!cfUtf8Valid((const unsigned char *)z, n)) {
    zErr = sqlite3_mprintf("chatflow: %s is not valid UTF-8", zWhat);
  } else if (cfUtf8Chars((const unsigned char *)z, n) > nMax) {
    zErr = sqlite3_mprintf("chatflow: %s is %d characters, longer than the limit of %d", zWhat,
                           cfUtf8Chars((const unsigned char *)z, n), nMax);
  } else {
    return 0;
  }
  if (zErr == 0) *pbNoMem = 1;
  return zErr;
}

/* What v is, for the "got ..." of an argument error, written into zBuf
** (CF_VALUE_DESC_LEN bytes) and returned: "NULL", "integer 5", "real 1.5",
** "text '1'" (valid UTF-8 without NUL of at most 60 bytes, as SQL writes
** it: a quote doubled, "text 'it''s'"),
** "text of 75 characters", "text that is not valid UTF-8", "text with a
** NUL character", "blob" (its bytes are never echoed: they may be
** anything).  The one description of a value: every such error uses it.
** An error about an integer's range names the integer alone ("got 0"):
** cfValueDescInt. */
const char *cfValueDesc(sqlite3_value *v, char *zBuf) {
  int t = sqlite3_value_type(v);
  if (t == SQLITE_NULL) {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "NULL");
  } else if (t == SQLITE_INTEGER) {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "integer %lld", sqlite3_value_int64(v));
  } else if (t == SQLITE_FLOAT) {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "real %!.15g", sqlite3_value_double(v));
  } else if (t == SQLITE_BLOB) {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "blob");
  } else {
    const unsigned char *z = sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v);
    if (z == 0) { /* out of memory: the type is all there is to say */
      sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "text");
    } else if (memchr(z, 0, (size_t)n)) {
      sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "text with a NUL character");
    } else if (!cfUtf8Valid(z, n)) {
      sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "text that is not valid UTF-8");
    } else if (n > 60) {
      sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "text of %d characters", cfUtf8Chars(z, n));
    } else {
      sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "text '%q'", z);
    }
  }
  return zBuf;
}

/* cfValueDesc for a member of a JSON argument, read with SQLite's JSON
** functions: zType is its json_type() (0 when the member is absent), v
** its json_extract() (or json_each's value column).  "none", "null",
** "true", "false", "object", "array", and a number or a string as
** cfValueDesc says a value: "integer 5", "real 1.5", "text 'foo'", "text
** of 75 characters" ("chatflow: parts[2].type must be ..., got integer
** 5").  An integer beyond 64 bits, which json_extract() makes a real, is
** "integer beyond 64 bits".  Sticky on *pRc: does nothing once it is
** set, and sets SQLITE_NOMEM when v cannot be read as zType says (its
** text not made, or a number that a failed conversion left NULL), so
** the caller reports that rather than a message cut short ("got text"). */
const char *cfJsonValueDesc(const char *zType, sqlite3_value *v, char *zBuf, int *pRc) {
  zBuf[0] = 0;
  if (*pRc != SQLITE_OK) return zBuf;
  if (zType && (strcmp(zType, "integer") == 0 || strcmp(zType, "real") == 0 || strcmp(zType, "text") == 0) &&
      (sqlite3_value_type(v) == SQLITE_NULL ||
       (sqlite3_value_type(v) == SQLITE_TEXT && sqlite3_value_text(v) == 0))) {
    *pRc = SQLITE_NOMEM;
    return zBuf;
  }
  if (zType == 0) {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "none");
  } else if (strcmp(zType, "integer") == 0 && sqlite3_value_type(v) != SQLITE_INTEGER) {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "integer beyond 64 bits");
  } else if (strcmp(zType, "integer") == 0 || strcmp(zType, "real") == 0 || strcmp(zType, "text") == 0) {
    return cfValueDesc(v, zBuf);
  } else {
    sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "%s", zType); /* null, true, false, object, array */
  }
  return zBuf;
}

/* cfValueDesc for an error about an integer's range: an integer (or an
** integer-valued real, cfValueInteger) as the number alone ("0", "-1"). */
const char *cfValueDescInt(sqlite3_value *v, char *zBuf) {
  sqlite3_int64 i;
  if (!cfValueInteger(v, &i)) return cfValueDesc(v, zBuf);
  sqlite3_snprintf(CF_VALUE_DESC_LEN, zBuf, "%lld", i);
  return zBuf;
}

/* An id argument: an integer > 0 (cfValueInteger: 1.0 is 1); text, blob
** and non-integral reals are refused, never coerced. */
int cfArgId(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, sqlite3_int64 *piOut) {
  char zGot[CF_VALUE_DESC_LEN];
  if (sqlite3_value_type(v) == SQLITE_NULL) {
    cfResultError(ctx, "chatflow: %s must not be NULL", zWhat);
    return 1;
  }
  if (!cfValueInteger(v, piOut)) {
    cfResultError(ctx, "chatflow: %s must be an integer id, got %s", zWhat, cfValueDesc(v, zGot));
    return 1;
  }
  if (*piOut <= 0) {
    cfResultError(ctx, "chatflow: %s must be a positive integer id, got %lld", zWhat, *piOut);
    return 1;
  }
  return 0;
}

/* An integer argument from iMin to iMax (cfValueInteger: 60.0 is 60);
** NULL, text, blobs and 60.5 are refused, never coerced, with the error
** "chatflow: <zWhat> must be an integer from <iMin> to <iMax>, got <what>"
** set on ctx (a function whose NULL means its default tests for NULL
** first). */
int cfArgIntRange(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, sqlite3_int64 iMin,
                  sqlite3_int64 iMax, sqlite3_int64 *piOut) {
  char zGot[CF_VALUE_DESC_LEN];
  sqlite3_int64 i = 0;
  if (cfValueInteger(v, &i) && i >= iMin && i <= iMax) {
    *piOut = i;
    return 0;
  }
  cfResultError(ctx, "chatflow: %s must be an integer from %lld to %lld, got %s", zWhat, iMin, iMax,
                cfValueDescInt(v, zGot));
  return 1;
}

/* A text value: valid UTF-8 without NUL, at most nMaxChars characters
** (0: no limit), NULL only with bAllowNull (then *pzOut is 0), '' only
** with bAllowEmpty.  SQLITE_OK; SQLITE_ERROR with *pzErr naming zWhat
** and, for another type, what it got (cfValueDesc: "chatflow: workflow_id
** must be text, got integer 5", "... got blob"); SQLITE_NOMEM.  For
** the virtual tables, which report through their own error; functions
** use cfArgText. */
int cfTextCheck(sqlite3_value *v, const char *zWhat, int nMaxChars, int bAllowNull, int bAllowEmpty,
                const char **pzOut, char **pzErr) {
  int t = sqlite3_value_type(v);
  const unsigned char *z;
  int n;
  char zGot[CF_VALUE_DESC_LEN];
  *pzOut = 0;
  *pzErr = 0;
  if (t == SQLITE_NULL) {
    if (bAllowNull) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("chatflow: %s must not be NULL", zWhat);
  } else if (t != SQLITE_TEXT) {
    *pzErr = sqlite3_mprintf("chatflow: %s must be text, got %s", zWhat, cfValueDesc(v, zGot));
  } else {
    z = sqlite3_value_text(v);
    n = sqlite3_value_bytes(v);
    if (z == 0) return SQLITE_NOMEM;
    if (memchr(z, 0, (size_t)n)) {
      *pzErr = sqlite3_mprintf("chatflow: %s contains a NUL character", zWhat);
    } else if (!cfUtf8Valid(z, n)) {
      *pzErr = sqlite3_mprintf("chatflow: %s is not valid UTF-8", zWhat);
    } else if (n == 0 && !bAllowEmpty) {
      *pzErr = sqlite3_mprintf("chatflow: %s must not be empty", zWhat);
    } else if (nMaxChars > 0 && n > nMaxChars && cfUtf8Chars(z, n) > nMaxChars) {
      *pzErr = sqlite3_mprintf("chatflow: %s is %d characters, longer than the limit of %d", zWhat,
                               cfUtf8Chars(z, n), nMaxChars);
    } else {
      *pzOut = (const char *)z;
      return SQLITE_OK;
    }
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A text argument, checked by cfTextCheck; the error is set on ctx. */
int cfArgText(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, int nMaxChars,
              int bAllowNull, int bAllowEmpty, const char **pzOut) {
  char *zErr = 0;
  int rc = cfTextCheck(v, zWhat, nMaxChars, bAllowNull, bAllowEmpty, pzOut, &zErr);
  if (rc == SQLITE_OK) return 0;
  cfResultErrorMsg(ctx, zErr);
  return 1;
}

/* ------------------------------------------------------------- call ids */

static int cfCallIdCmp(const void *pA, const void *pB) {
  const CfCallId *a = (const CfCallId *)pA, *b = (const CfCallId *)pB;
  int c = a->n < b->n ? -1 : a->n > b->n;
  if (c == 0 && a->n > 0) c = memcmp(a->z, b->z, (size_t)a->n);
  if (c == 0) c = (a->i > b->i) - (a->i < b->i);
  return c;
}

int cfFirstDuplicate(CfCallId *a, int n, int *piFirst) {
  int iDup = -1;
  if (n < 2) return -1;
  qsort(a, (size_t)n, sizeof(a[0]), cfCallIdCmp);
  for (int k = 1; k < n; k++) {
    /* equal texts sit together, by position: the second of a run is the
    ** first duplicate of that text, and the run's first is its original */
    if (a[k].n == a[k - 1].n && (a[k].n == 0 || memcmp(a[k].z, a[k - 1].z, (size_t)a[k].n) == 0) &&
        (iDup < 0 || a[k].i < iDup)) {
      iDup = a[k].i;
      *piFirst = a[k - 1].i;
    }
  }
  return iDup;
}

/* ------------------------------------------------------------ registering */

int cfRegisterFuncs(sqlite3 *db, CfConn *p, const CfFuncDef *a, int n) {
  int rc = SQLITE_OK;
  for (int i = 0; i < n && rc == SQLITE_OK; i++) {
    rc = sqlite3_create_function_v2(db, a[i].zName, a[i].nArg, a[i].eFlags, p, a[i].xFunc, 0,
                                    0, 0);
  }
  return rc;
}
