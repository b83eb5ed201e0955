/*
** search_vtab.c — search_messages: full-text search (FTS5) over message
** content and conversation titles.
**
**   SELECT * FROM search_messages(query [, owner [, options_json]]);
**
** Example:
**   SELECT conversation_id, seq, snippet FROM search_messages('sourdough', 'acme');
**
** Columns: conversation_id, message_id, seq, role, kind ('message' or
** 'title'), snippet (the match highlighted as [word], at most 12 tokens
** around it), rank (FTS5 bm25: lower is better), created_at (of the
** message; of the conversation for a title match), title; arguments are the
** hidden columns query, owner, options.
**
** Options: order ("rank", the default, or "newest"), limit (1..500,
** default 50), deleted (true: also search soft-deleted conversations;
** default false), titles (false: messages only; default true), syntax
** ("fts5", the default: FTS5 query syntax — AND, OR, NOT, "phrases",
** prefix*; or "plain": every word is matched literally, all must occur).
** A query FTS5 cannot parse fails with "chatflow: invalid search query
** '...': <FTS5's reason>" (use "plain" for user input taken as is).
**
** The index tables chat_messages_fts and chat_titles_fts are kept by the
** schema's triggers, so raw INSERTs and DELETEs stay searchable.
** Errors: a NULL or empty query, a non-text owner, malformed options.
** SQLITE_VTAB_INNOCUOUS: it only reads.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_SEARCH_LIMIT_DEFAULT 50
#define CF_SEARCH_LIMIT_MAX 500

/* A plain SQLITE_ERROR while stepping comes from FTS5 parsing the MATCH
** text ("fts5: syntax error near ...", "unterminated string", "no such
** column: x" for a column filter): it is the user's query. */
static char *cfSearchStepError(CfConn *p, sqlite3_value **aArg, int rc) {
  const char *zMsg = sqlite3_errmsg(p->db);
  if (rc != SQLITE_ERROR || zMsg == 0) return 0;
  return sqlite3_mprintf("chatflow: invalid search query '%s': %s", sqlite3_value_text(aArg[0]),
                         zMsg);
}

/* The "plain" syntax: every whitespace-separated word as a quoted FTS5
** string ("" doubled), implicitly AND-ed. */
static char *cfSearchPlain(const char *z) {
  sqlite3_str *pOut = sqlite3_str_new(0);
  int bWord = 0;
  for (; *z; z++) {
    if (*z == ' ' || *z == '\t' || *z == '\n' || *z == '\r') {
      if (bWord) sqlite3_str_appendall(pOut, "\" ");
      bWord = 0;
      continue;
    }
    if (!bWord) sqlite3_str_appendchar(pOut, 1, '"');
    bWord = 1;
    if (*z == '"') sqlite3_str_appendchar(pOut, 1, '"');
    sqlite3_str_appendchar(pOut, 1, *z);
  }
  if (bWord) sqlite3_str_appendchar(pOut, 1, '"');
  return sqlite3_str_finish(pOut);
}

/* Checks query, owner and options, and prepares the matches. */
static int cfSearchPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  CfJsonOpt aOpt[5] = {
    {"order", CF_JT_STRING, 0, 0, 0},  {"limit", CF_JT_INT, 0, 0, 0},
    {"deleted", CF_JT_BOOL, 0, 0, 0},  {"titles", CF_JT_BOOL, 0, 0, 0},
    {"syntax", CF_JT_STRING, 0, 0, 0},
  };
  const unsigned char *zQuery, *zOwner = 0;
  char *zErr = 0, *zSql = 0, *zMatch = 0, *zTitles = 0;
  int nLimit = CF_SEARCH_LIMIT_DEFAULT, bNewest = 0, bDeleted = 0, bTitles = 1;
  int rc = SQLITE_OK;
  /* the type first: sqlite3_value_text() would turn a blob into text */
  zQuery = sqlite3_value_type(aArg[0]) == SQLITE_TEXT ? sqlite3_value_text(aArg[0]) : 0;
  if (zQuery == 0 ||
      !cfUtf8Valid(zQuery, sqlite3_value_bytes(aArg[0])) || sqlite3_value_bytes(aArg[0]) > 1000) {
    zErr = sqlite3_mprintf("chatflow: search query must be valid UTF-8 text of at most 1000 bytes");
    goto done;
  }
  if (strspn((const char *)zQuery, " \t\r\n") == strlen((const char *)zQuery)) {
    zErr = sqlite3_mprintf("chatflow: search query must not be empty");
    goto done;
  }
  if (aArg[1] && sqlite3_value_type(aArg[1]) != SQLITE_NULL) {
    zOwner = sqlite3_value_type(aArg[1]) == SQLITE_TEXT ? sqlite3_value_text(aArg[1]) : 0;
    if (zOwner == 0 ||
        !cfUtf8Valid(zOwner, sqlite3_value_bytes(aArg[1]))) {
      zErr = sqlite3_mprintf("chatflow: search owner must be text or NULL");
      goto done;
    }
  }
  if (aArg[2] && sqlite3_value_type(aArg[2]) != SQLITE_NULL) {
    const unsigned char *zOpts =
        sqlite3_value_type(aArg[2]) == SQLITE_TEXT ? sqlite3_value_text(aArg[2]) : 0;
    if (zOpts == 0 ||
        !cfUtf8Valid(zOpts, sqlite3_value_bytes(aArg[2]))) {
      zErr = sqlite3_mprintf("chatflow: search_messages options must be JSON text");
      goto done;
    }
    rc = cfJsonOptionsConn(0, p, (const char *)zOpts, sqlite3_value_bytes(aArg[2]), "search_messages",
                           aOpt, 5, &zErr);
    if (rc != SQLITE_OK) goto done;
  }
  if (aOpt[0].bPresent) {
    if (strcmp(aOpt[0].zVal, "newest") == 0) bNewest = 1;
    else if (strcmp(aOpt[0].zVal, "rank") != 0) {
      zErr = sqlite3_mprintf("chatflow: invalid order '%q' (expected rank, newest)", aOpt[0].zVal);
      goto done;
    }
  }
  if (aOpt[1].bPresent) {
    if (aOpt[1].iVal < 1 || aOpt[1].iVal > CF_SEARCH_LIMIT_MAX) {
      zErr = sqlite3_mprintf("chatflow: limit must be from 1 to %d, got %lld", CF_SEARCH_LIMIT_MAX,
                             aOpt[1].iVal);
      goto done;
    }
    nLimit = (int)aOpt[1].iVal;
  }
  bDeleted = aOpt[2].bPresent && aOpt[2].iVal;
  if (aOpt[3].bPresent) bTitles = (int)aOpt[3].iVal;
  if (aOpt[4].bPresent && strcmp(aOpt[4].zVal, "plain") == 0) {
    zMatch = cfSearchPlain((const char *)zQuery);
  } else if (aOpt[4].bPresent && strcmp(aOpt[4].zVal, "fts5") != 0) {
    zErr = sqlite3_mprintf("chatflow: invalid syntax '%q' (expected fts5, plain)", aOpt[4].zVal);
    goto done;
  } else {
    zMatch = sqlite3_mprintf("%s", zQuery);
  }
  if (zMatch == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (cfCheckSchema(p, &zErr)) goto done;
  if (bTitles) {
    zTitles = sqlite3_mprintf(
        " UNION ALL "
        "SELECT c.id, NULL, NULL, NULL, 'title',"
        "       chatflow_snippet(chat_titles_fts, 0, '[', ']', '…', 12), t.rank, c.created_at, c.title"
        "  FROM chat_titles_fts AS t JOIN chat_conversations AS c ON c.id = t.rowid"
        " WHERE chat_titles_fts MATCH ?1 AND (?2 IS NULL OR c.owner = ?2)%s",
        bDeleted ? "" : " AND c.deleted_at IS NULL");
    if (zTitles == 0) {
      rc = SQLITE_NOMEM;
      goto done;
    }
  }
  zSql = sqlite3_mprintf(
      "SELECT * FROM ("
      "SELECT m.conversation_id, m.id, m.seq, m.role, 'message',"
      "       chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 12), f.rank, m.created_at, c.title"
      "  FROM chat_messages_fts AS f"
      "  JOIN chat_messages AS m ON m.id = f.rowid"
      "  JOIN chat_conversations AS c ON c.id = m.conversation_id"
      " WHERE chat_messages_fts MATCH ?1 AND (?2 IS NULL OR c.owner = ?2)%s"
      "%s"
      ") ORDER BY %s LIMIT ?3",
      bDeleted ? "" : " AND c.deleted_at IS NULL", zTitles ? zTitles : "",
      bNewest ? "8 DESC, 2 DESC, 1 DESC" : "7, 8 DESC, 2 DESC, 1 DESC");
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto done;
  }
  sqlite3_bind_text(*ppStmt, 1, zMatch, -1, SQLITE_TRANSIENT);
  if (zOwner) sqlite3_bind_text(*ppStmt, 2, (const char *)zOwner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(*ppStmt, 3, nLimit);
done:
  sqlite3_free(zSql);
  sqlite3_free(zTitles);
  sqlite3_free(zMatch);
  cfJsonOptionsFree(aOpt, 5);
  *pzErr = zErr;
  return zErr ? SQLITE_ERROR : rc;
}

static const CfTvfDef cfSearchDef = {
  "search_messages",
  "CREATE TABLE x(conversation_id INTEGER, message_id INTEGER, seq INTEGER, role TEXT,"
  " kind TEXT, snippet TEXT, rank REAL, created_at TEXT, title TEXT,"
  " query HIDDEN, owner HIDDEN, options HIDDEN)",
  9, 3,
  "chatflow: search_messages needs a query: search_messages(query [, owner [, options_json]])",
  -1,
  cfSearchPrepare, cfSearchStepError,
};

int cfRegisterSearch(sqlite3 *db, CfConn *p) {
  int rc = cfRegisterSnippet(db);
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfSearchDef);
  return rc;
}
