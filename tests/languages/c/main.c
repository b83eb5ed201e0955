/*
** A chatflow session from C: chatflow linked statically (dist/libchatflow.a)
** and registered with sqlite3_auto_extension, so every connection opened
** afterwards has it -- no loadable file, no load_extension.
*/
#include <sqlite3.h>
#include <stdio.h>

/* The entry point of libchatflow.a. */
int sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

/* Prepares zSql, binds id to its parameter, if it has one, as an integer
** (or as a double when bDouble), and steps once.  Returns the statement on
** its row, or NULL after printing the error. */
static sqlite3_stmt *query(sqlite3 *db, const char *zSql, sqlite3_int64 id, int bDouble) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  if (rc == SQLITE_OK && sqlite3_bind_parameter_count(pStmt) > 0) {
    rc = bDouble ? sqlite3_bind_double(pStmt, 1, (double)id) : sqlite3_bind_int64(pStmt, 1, id);
  }
  if (rc == SQLITE_OK && sqlite3_step(pStmt) == SQLITE_ROW) return pStmt;
  printf("error: %s\n", sqlite3_errmsg(db));
  sqlite3_finalize(pStmt);
  return 0;
}

int main(void) {
  sqlite3 *db = 0;
  sqlite3_stmt *p;
  sqlite3_int64 conv;

  sqlite3_auto_extension((void (*)(void))sqlite3_chatflow_init);
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;

  if (!(p = query(db, "SELECT chatflow_init()", 0, 0))) return 1;
  sqlite3_finalize(p);
  if (!(p = query(db, "SELECT create_conversation('acme', 'Languages')", 0, 0))) return 1;
  conv = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  printf("conversation %lld\n", (long long)conv);

  /* The id bound as an sqlite3_int64 (INTEGER), then as a double (REAL:
  ** accepted when it is a whole number). */
  if (!(p = query(db, "SELECT add_message(?, 'user', 'Hello from C')", conv, 0))) return 1;
  printf("message %lld\n", (long long)sqlite3_column_int64(p, 0));
  sqlite3_finalize(p);
  if (!(p = query(db, "SELECT add_message(?, 'assistant', 'Hi! The id came as a double.')", conv, 1))) return 1;
  printf("message %lld\n", (long long)sqlite3_column_int64(p, 0));
  sqlite3_finalize(p);

  /* A fractional id is refused with chatflow's error (query prints it). */
  if ((p = query(db, "SELECT add_message(1.5, 'user', 'never stored')", 0, 0))) return 1;

  if (!(p = query(db, "SELECT chat_history_json(?)", conv, 0))) return 1;
  printf("%s\n", (const char *)sqlite3_column_text(p, 0));
  sqlite3_finalize(p);
  return sqlite3_close(db) == SQLITE_OK ? 0 : 1;
}
