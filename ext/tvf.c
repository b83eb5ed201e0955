/*
** tvf.c — the machinery shared by chatflow's read-only table-valued
** functions (chat_history, conversation_list, search_messages): an
** eponymous-only virtual table whose arguments are hidden columns, and
** whose rows are those of one prepared statement.
**
** Each function gives a CfTvfDef: its declared table (visible columns
** first, then the hidden argument columns), how many of each, the error
** for a missing first argument, and xPrepare, which checks the arguments
** and prepares the statement whose first nCol result columns are the
** visible columns.  Optional: xStepError turns an error of that statement
** into a message (search_messages names the user's query); iOrderCol marks
** the column whose ascending order the rows already have.
**
** Rows made in C (search_messages' queries in scripts without spaces,
** whose rank and snippet are computed in C): a definition may give
** xPrepareRows instead of xPrepare; when it hands over a CfTvfRows instead
** of a statement, the cursor walks those rows.
**
** A function without arguments (nArg 0, chatflow_check) needs no usage
** text: every plan is usable.
**
** Hidden columns of the rows (nHidden, conversation_messages' status,
** parent_id and uid): declared after the argument columns, so that SELECT
** * leaves them out and the arguments keep their positions; they are the
** statement's columns after the visible ones.  SQLite takes any hidden
** column for a function argument, so a call with more arguments than the
** function has, f(a, b, x), is f(a, b) WHERE <first such column> = x; a
** constraint on one is never used by the plan (SQLite filters the rows).
**
** Text columns go out as valid UTF-8: bytes that are not (raw SQL can
** store them; the functions refuse them) become U+FFFD (cfResultUtf8),
** so that one such row does not fail a whole result in a binding that
** decodes it.
**
** Registers nothing by itself: cfRegisterTvf() creates one module per
** definition.  All of them are SQLITE_VTAB_INNOCUOUS: they only read.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_TVF_MAX_ARG 4

typedef struct CfTvfAux {
  CfConn *pConn;
  const CfTvfDef *pDef;
} CfTvfAux;

typedef struct CfTvfVtab {
  sqlite3_vtab base;
  CfTvfAux *pAux;
} CfTvfVtab;

typedef struct CfTvfCursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;                    /* the rows, or 0 */
  CfTvfRows *pRows;                       /* or the rows made in C, or 0 */
  int bEof;
  sqlite3_int64 iRowid;                   /* a row counter */
  sqlite3_value *aArg[CF_TVF_MAX_ARG];    /* copies of the arguments (hidden columns) */
} CfTvfCursor;

static int cfTvfConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                        sqlite3_vtab **ppVtab, char **pzErr) {
  CfTvfAux *pA = (CfTvfAux *)pAux;
  CfTvfVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, pA->pDef->zSchema);
  if (rc != SQLITE_OK) return rc;
  pNew = sqlite3_malloc(sizeof(*pNew));
  if (pNew == 0) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->pAux = pA;
  /* Reads only: safe in views and triggers. */
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int cfTvfDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/* "f(a [, b])", the end of the usage text "chatflow: f needs an a: f(a [, b])". */
static const char *cfTvfSignature(const CfTvfDef *pDef) {
  const char *z = pDef->zUsage, *zSig = z;
  while ((z = strstr(z, ": ")) != 0) zSig = z += 2;
  return zSig;
}

/*
** idxNum: bit i set when hidden argument i has an "= ?" constraint; xFilter's
** argv follows the bits, low first.  An argument whose value is not known
** yet (a join) gets SQLITE_CONSTRAINT, so SQLite plans otherwise.  The
** first argument is required: a plan without it costs so much that SQLite
** takes one with it when there is one (it asks for each branch of an OR
** alone too), and xFilter fails with the function's usage when it runs.
** An argument column is an argument, not a column of the rows (NULL when
** not given): any other constraint on it (LIKE, <, IS, !=) would filter on
** that, so it is refused rather than answered with no rows.
*/
static int cfTvfBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  const CfTvfDef *pDef = ((CfTvfVtab *)pVtab)->pAux->pDef;
  int aIdx[CF_TVF_MAX_ARG] = {-1, -1, -1, -1};
  int bUnusable = 0, n = 0;
  for (int i = 0; i < pInfo->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    int b = c->iColumn - pDef->nCol;
    if (c->op == SQLITE_INDEX_CONSTRAINT_LIMIT || c->op == SQLITE_INDEX_CONSTRAINT_OFFSET) continue;
    if (b < 0 || b >= pDef->nArg) continue;
    if (c->op != SQLITE_INDEX_CONSTRAINT_EQ) {
      cfVtabError(pVtab, "chatflow: %s takes its arguments as function arguments or as \"argument = value\";"
                  " another comparison of an argument column (LIKE, <, IS, !=) cannot be used: %s",
                  pDef->zName, cfTvfSignature(pDef));
      return SQLITE_ERROR;
    }
    if (!c->usable) {
      bUnusable = 1;
      continue;
    }
    aIdx[b] = i;
  }
  if (bUnusable) return SQLITE_CONSTRAINT;
  pInfo->idxNum = 0;
  for (int b = 0; b < pDef->nArg; b++) {
    if (aIdx[b] >= 0) {
      pInfo->idxNum |= 1 << b;
      pInfo->aConstraintUsage[aIdx[b]].argvIndex = ++n;
      pInfo->aConstraintUsage[aIdx[b]].omit = 1;
    }
  }
  pInfo->estimatedCost = (pDef->nArg > 0 && aIdx[0] < 0) ? 1e18 : 100;
  pInfo->estimatedRows = 50;
  if (pDef->iOrderCol >= 0 && pInfo->nOrderBy == 1 &&
      pInfo->aOrderBy[0].iColumn == pDef->iOrderCol && !pInfo->aOrderBy[0].desc) {
    pInfo->orderByConsumed = 1;
  }
  return SQLITE_OK;
}

static int cfTvfOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  CfTvfCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if (pCur == 0) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static void cfTvfReset(CfTvfCursor *pCur) {
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  cfTvfRowsFree(pCur->pRows);
  pCur->pRows = 0;
  for (int i = 0; i < CF_TVF_MAX_ARG; i++) {
    sqlite3_value_free(pCur->aArg[i]);
    pCur->aArg[i] = 0;
  }
}

static int cfTvfClose(sqlite3_vtab_cursor *cur) {
  cfTvfReset((CfTvfCursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int cfTvfNext(sqlite3_vtab_cursor *cur) {
  CfTvfCursor *pCur = (CfTvfCursor *)cur;
  CfTvfAux *pA = ((CfTvfVtab *)cur->pVtab)->pAux;
  int rc;
  char *zErr;
  if (pCur->pRows) {
    /* iRowid counts the rows: the next row is number iRowid (0-based) */
    if (pCur->iRowid >= pCur->pRows->nRow) pCur->bEof = 1;
    else pCur->iRowid++;
    return SQLITE_OK;
  }
  rc = sqlite3_step(pCur->pStmt);
  if (rc == SQLITE_ROW) {
    pCur->iRowid++;
    return SQLITE_OK;
  }
  pCur->bEof = 1;
  if (rc == SQLITE_DONE) return SQLITE_OK;
  zErr = pA->pDef->xStepError ? pA->pDef->xStepError(pA->pConn, pCur->aArg, rc) : 0;
  if (zErr == 0) zErr = cfDbError(pA->pConn->db, rc);
  sqlite3_free(cur->pVtab->zErrMsg);
  cur->pVtab->zErrMsg = zErr;
  return cfKeepCode(rc) ? rc : SQLITE_ERROR;
}

static int cfTvfFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                       sqlite3_value **argv) {
  CfTvfCursor *pCur = (CfTvfCursor *)cur;
  CfTvfVtab *pVtab = (CfTvfVtab *)cur->pVtab;
  const CfTvfDef *pDef = pVtab->pAux->pDef;
  sqlite3_value *aArg[CF_TVF_MAX_ARG] = {0, 0, 0, 0};
  char *zErr = 0;
  int i = 0, rc;
  (void)idxStr; (void)argc;
  cfTvfReset(pCur);
  pCur->bEof = 1;
  pCur->iRowid = 0;
  if (pDef->nArg > 0 && (idxNum & 1) == 0) { /* no plan had the first argument */
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = sqlite3_mprintf("%s", pDef->zUsage);
    return pVtab->base.zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for (int b = 0; b < pDef->nArg; b++) {
    if (idxNum & (1 << b)) {
      aArg[b] = argv[i++];
      pCur->aArg[b] = sqlite3_value_dup(aArg[b]);
      if (pCur->aArg[b] == 0) return SQLITE_NOMEM;
    }
  }
  if (pDef->xPrepareRows) {
    rc = pDef->xPrepareRows(pVtab->pAux->pConn, aArg, &pCur->pStmt, &pCur->pRows, &zErr);
  } else {
    rc = pDef->xPrepare(pVtab->pAux->pConn, aArg, &pCur->pStmt, &zErr);
  }
  if (rc != SQLITE_OK || zErr) {
    sqlite3_finalize(pCur->pStmt);
    pCur->pStmt = 0;
    cfTvfRowsFree(pCur->pRows);
    pCur->pRows = 0;
    if (zErr == 0) return rc;
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = zErr;
    return cfKeepCode(rc) ? rc : SQLITE_ERROR;
  }
  if (pCur->pStmt == 0 && pCur->pRows == 0) return SQLITE_OK; /* no rows */
  pCur->bEof = 0;
  return cfTvfNext(cur);
}

static int cfTvfEof(sqlite3_vtab_cursor *cur) { return ((CfTvfCursor *)cur)->bEof; }

static int cfTvfColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  CfTvfCursor *pCur = (CfTvfCursor *)cur;
  const CfTvfDef *pDef = ((CfTvfVtab *)cur->pVtab)->pAux->pDef;
  int nCol = pDef->nCol;
  if (i >= nCol + pDef->nArg) {
    i -= pDef->nArg; /* a hidden column of the rows: a statement column after the visible ones */
  } else if (i >= nCol) {
    sqlite3_value *v = pCur->aArg[i - nCol];
    if (v) sqlite3_result_value(ctx, v);
    return SQLITE_OK;
  }
  if (pCur->pRows) {
    const CfTvfCell *c = &pCur->pRows->aCell[(pCur->iRowid - 1) * pCur->pRows->nCol + i];
    switch (c->eType) {
      case SQLITE_INTEGER: sqlite3_result_int64(ctx, c->iVal); break;
      case SQLITE_FLOAT: sqlite3_result_double(ctx, c->rVal); break;
      case SQLITE_TEXT: cfResultUtf8(ctx, c->zText, c->nText, SQLITE_TRANSIENT); break;
      default: sqlite3_result_null(ctx); break;
    }
    return SQLITE_OK;
  }
  if (sqlite3_column_type(pCur->pStmt, i) == SQLITE_TEXT) {
    /* invalid UTF-8 that raw SQL stored (a title, a message) shown with
    ** U+FFFD, so that one such row does not fail a whole result */
    const char *z = (const char *)sqlite3_column_text(pCur->pStmt, i);
    if (z == 0) return SQLITE_NOMEM;
    cfResultUtf8(ctx, z, sqlite3_column_bytes(pCur->pStmt, i), SQLITE_TRANSIENT);
  } else {
    sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, i));
  }
  return SQLITE_OK;
}

static int cfTvfRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid) {
  *pRowid = ((CfTvfCursor *)cur)->iRowid;
  return SQLITE_OK;
}

static sqlite3_module cfTvfModule = {
  0,                /* iVersion */
  0,                /* xCreate: eponymous-only, nothing in the schema */
  cfTvfConnect,     /* xConnect */
  cfTvfBestIndex,   /* xBestIndex */
  cfTvfDisconnect,  /* xDisconnect */
  0,                /* xDestroy */
  cfTvfOpen,        /* xOpen */
  cfTvfClose,       /* xClose */
  cfTvfFilter,      /* xFilter */
  cfTvfNext,        /* xNext */
  cfTvfEof,         /* xEof */
  cfTvfColumn,      /* xColumn */
  cfTvfRowid,       /* xRowid */
  0,                /* xUpdate: read-only */
  0, 0, 0, 0,       /* xBegin, xSync, xCommit, xRollback */
  0,                /* xFindFunction */
  0,                /* xRename */
  0, 0, 0,          /* xSavepoint, xRelease, xRollbackTo */
  0                 /* xShadowName */
};

int cfRegisterTvf(sqlite3 *db, CfConn *p, const CfTvfDef *pDef) {
  CfTvfAux *pA = sqlite3_malloc(sizeof(*pA));
  if (pA == 0) return SQLITE_NOMEM;
  pA->pConn = p;
  pA->pDef = pDef;
  /* pA is freed with the module (also when this call fails) */
  return sqlite3_create_module_v2(db, pDef->zName, &cfTvfModule, pA, sqlite3_free);
}

/* ---------------------------------------------------------- rows made in C */

CfTvfRows *cfTvfRowsNew(int nCol) {
  CfTvfRows *p = sqlite3_malloc(sizeof(*p));
  if (p == 0) return 0;
  memset(p, 0, sizeof(*p));
  p->nCol = nCol;
  return p;
}

CfTvfCell *cfTvfRowsAppend(CfTvfRows *p) {
  CfTvfCell *aRow;
  if (p->nRow == p->nAlloc) {
    int nNew = p->nAlloc ? p->nAlloc * 2 : 16;
    CfTvfCell *aNew =
        sqlite3_realloc64(p->aCell, (sqlite3_uint64)nNew * (sqlite3_uint64)p->nCol * sizeof(CfTvfCell));
    if (aNew == 0) return 0;
    p->aCell = aNew;
    p->nAlloc = nNew;
  }
  aRow = &p->aCell[(sqlite3_int64)p->nRow * p->nCol];
  memset(aRow, 0, (size_t)p->nCol * sizeof(CfTvfCell));
  p->nRow++;
  return aRow;
}

void cfTvfRowsFree(CfTvfRows *p) {
  if (p == 0) return;
  for (sqlite3_int64 i = 0; i < (sqlite3_int64)p->nRow * p->nCol; i++) sqlite3_free(p->aCell[i].zText);
  sqlite3_free(p->aCell);
  sqlite3_free(p);
}
