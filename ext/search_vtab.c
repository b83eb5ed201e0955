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

#define CF_SEARCH_COL_QUERY 9
#define CF_SEARCH_LIMIT_DEFAULT 50
#define CF_SEARCH_LIMIT_MAX 500

typedef struct CfSearchVtab {
  sqlite3_vtab base;
  CfConn *pConn;
} CfSearchVtab;

typedef struct CfSearchCursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;
  int bEof;
  sqlite3_int64 iRowid;
  sqlite3_value *aArg[3];
  char *zQuery; /* the query as given, for error messages */
} CfSearchCursor;

static int cfSearchConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                           sqlite3_vtab **ppVtab, char **pzErr) {
  CfSearchVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
                            "CREATE TABLE x(conversation_id INTEGER, message_id INTEGER,"
                            " seq INTEGER, role TEXT, kind TEXT, snippet TEXT, rank REAL,"
                            " created_at TEXT, title TEXT,"
                            " query HIDDEN, owner HIDDEN, options HIDDEN)");
  if (rc != SQLITE_OK) return rc;
  pNew = sqlite3_malloc(sizeof(*pNew));
  if (pNew == 0) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->pConn = (CfConn *)pAux;
  /* Reads only: safe in views and triggers. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int cfSearchDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** idxNum bits (xFilter's argv follows them, low first):
**   1  query = ?    (required)
**   2  owner = ?
**   4  options = ?
*/
static int cfSearchBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  int aIdx[3] = {-1, -1, -1}, n = 0, bUnusable = 0;
  for (int i = 0; i < pInfo->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    int b = c->iColumn - CF_SEARCH_COL_QUERY;
    if (b < 0 || b > 2 || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!c->usable) {
      bUnusable = 1;
      continue;
    }
    aIdx[b] = i;
  }
  if (bUnusable) return SQLITE_CONSTRAINT;
  if (aIdx[0] < 0) {
    cfVtabError(pVtab, "chatflow: search_messages needs a query: search_messages(query [, owner [, options_json]])");
    return SQLITE_ERROR;
  }
  pInfo->idxNum = 0;
  for (int b = 0; b < 3; b++) {
    if (aIdx[b] >= 0) {
      pInfo->idxNum |= 1 << b;
      pInfo->aConstraintUsage[aIdx[b]].argvIndex = ++n;
      pInfo->aConstraintUsage[aIdx[b]].omit = 1;
    }
  }
  pInfo->estimatedCost = 1000;
  pInfo->estimatedRows = 50;
  return SQLITE_OK;
}

static int cfSearchOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  CfSearchCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if (pCur == 0) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static void cfSearchReset(CfSearchCursor *pCur) {
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  for (int i = 0; i < 3; i++) {
    sqlite3_value_free(pCur->aArg[i]);
    pCur->aArg[i] = 0;
  }
  sqlite3_free(pCur->zQuery);
  pCur->zQuery = 0;
}

static int cfSearchClose(sqlite3_vtab_cursor *cur) {
  cfSearchReset((CfSearchCursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int cfSearchNext(sqlite3_vtab_cursor *cur) {
  CfSearchCursor *pCur = (CfSearchCursor *)cur;
  CfConn *p = ((CfSearchVtab *)cur->pVtab)->pConn;
  int rc = sqlite3_step(pCur->pStmt);
  if (rc == SQLITE_ROW) {
    pCur->iRowid++;
    return SQLITE_OK;
  }
  pCur->bEof = 1;
  if (rc == SQLITE_DONE) return SQLITE_OK;
  {
    const char *zMsg = sqlite3_errmsg(p->db);
    /* A plain SQLITE_ERROR here comes from FTS5 parsing the MATCH text
    ** ("fts5: syntax error near ...", "unterminated string", "no such
    ** column: x" for a column filter): it is the user's query. */
    if (rc == SQLITE_ERROR && zMsg) {
      cfVtabError(cur->pVtab, "chatflow: invalid search query '%s': %s", pCur->zQuery, zMsg);
    } else {
      cfVtabError(cur->pVtab, "%z", cfDbError(p->db, rc));
    }
  }
  return SQLITE_ERROR;
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

static int cfSearchFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                          sqlite3_value **argv) {
  CfSearchCursor *pCur = (CfSearchCursor *)cur;
  CfSearchVtab *pVtab = (CfSearchVtab *)cur->pVtab;
  CfConn *p = pVtab->pConn;
  CfJsonOpt aOpt[5] = {
    {"order", CF_JT_STRING, 0, 0, 0},  {"limit", CF_JT_INT, 0, 0, 0},
    {"deleted", CF_JT_BOOL, 0, 0, 0},  {"titles", CF_JT_BOOL, 0, 0, 0},
    {"syntax", CF_JT_STRING, 0, 0, 0},
  };
  sqlite3_value *aArg[3] = {0, 0, 0};
  const unsigned char *zQuery, *zOwner = 0;
  char *zErr = 0, *zSql = 0, *zMatch = 0, *zTitles = 0;
  int nLimit = CF_SEARCH_LIMIT_DEFAULT, bNewest = 0, bDeleted = 0, bTitles = 1;
  int rc = SQLITE_OK, i = 0;
  (void)idxStr; (void)argc;
  cfSearchReset(pCur);
  pCur->bEof = 1;
  pCur->iRowid = 0;
  for (int b = 0; b < 3; b++) {
    if (idxNum & (1 << b)) {
      aArg[b] = argv[i++];
      pCur->aArg[b] = sqlite3_value_dup(aArg[b]);
    }
  }
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
    if (cfJsonOptions((const char *)zOpts, sqlite3_value_bytes(aArg[2]), "search_messages", aOpt,
                      5, &zErr)) {
      goto done;
    }
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
  pCur->zQuery = sqlite3_mprintf("%s", zQuery);
  if (zMatch == 0 || pCur->zQuery == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (cfCheckSchema(p, &zErr)) goto done;
  if (bTitles) {
    zTitles = sqlite3_mprintf(
        " UNION ALL "
        "SELECT c.id, NULL, NULL, NULL, 'title',"
        "       snippet(chat_titles_fts, 0, '[', ']', '…', 12), t.rank, c.created_at, c.title"
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
      "       snippet(chat_messages_fts, 0, '[', ']', '…', 12), f.rank, m.created_at, c.title"
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
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pCur->pStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto done;
  }
  sqlite3_bind_text(pCur->pStmt, 1, zMatch, -1, SQLITE_TRANSIENT);
  if (zOwner) sqlite3_bind_text(pCur->pStmt, 2, (const char *)zOwner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(pCur->pStmt, 3, nLimit);
  pCur->bEof = 0;
  rc = cfSearchNext(cur);
done:
  sqlite3_free(zSql);
  sqlite3_free(zTitles);
  sqlite3_free(zMatch);
  cfJsonOptionsFree(aOpt, 5);
  if (zErr) {
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = zErr;
    return SQLITE_ERROR;
  }
  return rc;
}

static int cfSearchEof(sqlite3_vtab_cursor *cur) { return ((CfSearchCursor *)cur)->bEof; }

static int cfSearchColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  CfSearchCursor *pCur = (CfSearchCursor *)cur;
  if (i >= CF_SEARCH_COL_QUERY) {
    sqlite3_value *v = pCur->aArg[i - CF_SEARCH_COL_QUERY];
    if (v) sqlite3_result_value(ctx, v);
    return SQLITE_OK;
  }
  sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, i));
  return SQLITE_OK;
}

static int cfSearchRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid) {
  *pRowid = ((CfSearchCursor *)cur)->iRowid;
  return SQLITE_OK;
}

static sqlite3_module cfSearchModule = {
  0,                  /* iVersion */
  0,                  /* xCreate: eponymous-only */
  cfSearchConnect,    /* xConnect */
  cfSearchBestIndex,  /* xBestIndex */
  cfSearchDisconnect, /* xDisconnect */
  0,                  /* xDestroy */
  cfSearchOpen,       /* xOpen */
  cfSearchClose,      /* xClose */
  cfSearchFilter,     /* xFilter */
  cfSearchNext,       /* xNext */
  cfSearchEof,        /* xEof */
  cfSearchColumn,     /* xColumn */
  cfSearchRowid,      /* xRowid */
  0,                  /* xUpdate: read-only */
  0, 0, 0, 0,         /* xBegin, xSync, xCommit, xRollback */
  0,                  /* xFindFunction */
  0,                  /* xRename */
  0, 0, 0,            /* xSavepoint, xRelease, xRollbackTo */
  0                   /* xShadowName */
};

int cfRegisterSearch(sqlite3 *db, CfConn *p) {
  return sqlite3_create_module(db, "search_messages", &cfSearchModule, p);
}
