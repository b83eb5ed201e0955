/*
** embed.c — a program that embeds chatflow the way make install's users do:
** built with `cc embed.c $(pkg-config --cflags --libs chatflow)` against an
** installed tree, it links the static libchatflow.a and registers chatflow
** on every connection with sqlite3_auto_extension (tests/build/test_build.py).
**
** Prints the header's version macros, then the results of a short session
** (chatflow_version, chatflow_init, a conversation and two messages read
** back), one line each; exits 1 with the error on any failure.
*/
#include <chatflow.h>
#include <sqlite3.h>
#include <stdio.h>

/* Prints every row of zSql as "a|b|c" lines; returns 0 or 1 on error. */
static int run(sqlite3 *db, const char *zSql) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(pStmt); i++) {
      const unsigned char *z = sqlite3_column_text(pStmt, i);
      printf("%s%s", i ? "|" : "", z ? (const char *)z : "");
    }
    printf("\n");
    rc = SQLITE_OK;
  }
  if (rc != SQLITE_DONE) {
    fprintf(stderr, "embed: %s: %s\n", zSql, sqlite3_errmsg(db));
  }
  sqlite3_finalize(pStmt);
  return rc == SQLITE_DONE ? 0 : 1;
}

int main(void) {
  sqlite3 *db = 0;
  int bad = 0;
  printf("CHATFLOW_VERSION %s, CHATFLOW_VERSION_NUMBER %d\n", CHATFLOW_VERSION,
         CHATFLOW_VERSION_NUMBER);
  if (sqlite3_auto_extension((void (*)(void))sqlite3_chatflow_init) != SQLITE_OK ||
      sqlite3_open(":memory:", &db) != SQLITE_OK) {
    fprintf(stderr, "embed: cannot open a database with chatflow\n");
    return 1;
  }
  bad |= run(db, "SELECT chatflow_version(), chatflow_version() = '" CHATFLOW_VERSION "'");
  bad |= run(db, "SELECT chatflow_init() > 0");
  bad |= run(db, "SELECT chatflow_clock('2026-01-01T00:00:00.000Z')");
  bad |= run(db, "SELECT create_conversation('acme', 'Embedded')");
  bad |= run(db, "SELECT add_message(1, 'user', 'Hello from C'), "
                 "add_message(1, 'assistant', 'Hello, static library')");
  bad |= run(db, "SELECT seq, role, content, created_at FROM chat_messages "
                 "WHERE conversation_id = 1 ORDER BY seq");
  bad |= run(db, "SELECT title, message_count FROM chat_conversations WHERE id = 1");
  sqlite3_close(db);
  return bad;
}
