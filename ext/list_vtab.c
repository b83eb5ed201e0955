/*
** list_vtab.c — conversation_list, the chat list of an owner: previews,
** pinned first, then most recently updated, with keyset pagination.
**
**   SELECT * FROM conversation_list(owner [, options_json]);
**
** Example:
**   SELECT id, title, last_message_preview, cursor
**     FROM conversation_list('acme', '{"limit": 20}');
**   -- next page: '{"limit": 20, "after": "<cursor of the last row>"}'
**
** Columns: id, uid, key, title, pinned_at, archived_at, deleted_at,
** updated_at, last_message_at, message_count, last_message_preview (at most
** 120 characters of the last message's content), cursor; arguments are the
** hidden columns owner, options.
**
** Options: limit (1..500, default 50); after (a row's cursor: the page
** starts after that row); deleted (true: only soft-deleted conversations,
** archived or not unless archived says otherwise; default false: none of
** them); archived (false, the default: not archived; true: only archived;
** "all": both).
**
** Order and paging: pinned conversations first, then by updated_at, newest
** first, ties by id.  A cursor is "<pinned 0|1>|<updated_at>|<id>"; the
** next page is everything after that position, read from the index
** chat_conversations_list, so a page costs O(page) however many
** conversations the owner has.  The guarantee under concurrent updates: no
** conversation appears twice in one walk, and every conversation not
** updated during the walk appears exactly once; one updated meanwhile moves
** to the top and shows on a fresh first page (it may be missed by the walk
** in progress if it was not yet reached).
**
** Errors: a NULL or empty owner, malformed options, an invalid cursor.
** SQLITE_VTAB_INNOCUOUS: it only reads.
*/
#include "chatflow_int.h"

#include <stdlib.h>
#include <string.h>

#define CF_LIST_COLS \
  "id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at," \
  " message_count, last_message_preview," \
  " (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor"
#define CF_LIST_NCOL 12
#define CF_LIST_COL_OWNER 12
#define CF_LIST_COL_OPTIONS 13
#define CF_LIST_LIMIT_DEFAULT 50
#define CF_LIST_LIMIT_MAX 500

typedef struct CfListVtab {
  sqlite3_vtab base;
  CfConn *pConn;
} CfListVtab;

typedef struct CfListCursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;
  int bEof;
  sqlite3_int64 iRowid;
  sqlite3_value *aArg[2];
} CfListCursor;

static int cfListConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                         sqlite3_vtab **ppVtab, char **pzErr) {
  CfListVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db,
                            "CREATE TABLE x(id INTEGER, uid TEXT, key TEXT, title TEXT,"
                            " pinned_at TEXT, archived_at TEXT, deleted_at TEXT, updated_at TEXT,"
                            " last_message_at TEXT, message_count INTEGER,"
                            " last_message_preview TEXT, cursor TEXT,"
                            " owner HIDDEN, options HIDDEN)");
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

static int cfListDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** idxNum bits (xFilter's argv follows them, low first):
**   1  owner = ?    (required)
**   2  options = ?
*/
static int cfListBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  int aIdx[2] = {-1, -1}, n = 0, bUnusable = 0;
  for (int i = 0; i < pInfo->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    int b = c->iColumn - CF_LIST_COL_OWNER;
    if (b < 0 || b > 1 || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!c->usable) {
      bUnusable = 1;
      continue;
    }
    aIdx[b] = i;
  }
  if (bUnusable) return SQLITE_CONSTRAINT;
  if (aIdx[0] < 0) {
    cfVtabError(pVtab, "chatflow: conversation_list needs an owner: conversation_list(owner [, options_json])");
    return SQLITE_ERROR;
  }
  pInfo->idxNum = 0;
  for (int b = 0; b < 2; b++) {
    if (aIdx[b] >= 0) {
      pInfo->idxNum |= 1 << b;
      pInfo->aConstraintUsage[aIdx[b]].argvIndex = ++n;
      pInfo->aConstraintUsage[aIdx[b]].omit = 1;
    }
  }
  pInfo->estimatedCost = 50;
  pInfo->estimatedRows = 50;
  return SQLITE_OK;
}

static int cfListOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  CfListCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if (pCur == 0) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static void cfListReset(CfListCursor *pCur) {
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  for (int i = 0; i < 2; i++) {
    sqlite3_value_free(pCur->aArg[i]);
    pCur->aArg[i] = 0;
  }
}

static int cfListClose(sqlite3_vtab_cursor *cur) {
  cfListReset((CfListCursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int cfListNext(sqlite3_vtab_cursor *cur) {
  CfListCursor *pCur = (CfListCursor *)cur;
  int rc = sqlite3_step(pCur->pStmt);
  if (rc == SQLITE_ROW) {
    pCur->iRowid++;
    return SQLITE_OK;
  }
  pCur->bEof = 1;
  if (rc == SQLITE_DONE) return SQLITE_OK;
  cfVtabError(cur->pVtab, "%z", cfDbError(((CfListVtab *)cur->pVtab)->pConn->db, rc));
  return rc;
}

/* Parses a cursor "<0|1>|<timestamp>|<id>". */
static int cfListParseCursor(const char *z, int *pbPinned, char *zTime, sqlite3_int64 *piId) {
  char *zEnd = 0;
  if ((z[0] != '0' && z[0] != '1') || z[1] != '|') return 1;
  *pbPinned = z[0] - '0';
  if (strlen(z + 2) < CF_TIMESTAMP_LEN + 2 || z[2 + CF_TIMESTAMP_LEN] != '|') return 1;
  memcpy(zTime, z + 2, CF_TIMESTAMP_LEN);
  zTime[CF_TIMESTAMP_LEN] = 0;
  {
    char zCanon[CF_TIMESTAMP_LEN + 1];
    if (cfParseTimestamp(zTime, zCanon) || strcmp(zCanon, zTime) != 0) return 1;
  }
  z += 3 + CF_TIMESTAMP_LEN;
  if (*z < '1' || *z > '9' || strlen(z) > 19) return 1;
  *piId = strtoll(z, &zEnd, 10);
  return *zEnd != 0 || *piId <= 0;
}

static int cfListFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                        sqlite3_value **argv) {
  CfListCursor *pCur = (CfListCursor *)cur;
  CfListVtab *pVtab = (CfListVtab *)cur->pVtab;
  CfConn *p = pVtab->pConn;
  CfJsonOpt aOpt[4] = {
    {"limit", CF_JT_INT, 0, 0, 0},
    {"after", CF_JT_STRING, 0, 0, 0},
    {"deleted", CF_JT_BOOL, 0, 0, 0},
    {"archived", CF_JT_BOOL | CF_JT_STRING, 0, 0, 0},
  };
  sqlite3_value *vOwner = 0, *vOpts = 0;
  const unsigned char *zOwner;
  char *zErr = 0, *zSql = 0;
  char zTime[CF_TIMESTAMP_LEN + 1];
  int nLimit = CF_LIST_LIMIT_DEFAULT, bDeleted = 0, bAfter = 0, bPinned = 0;
  int aArchived[2] = {1, 0}; /* which archived classes: [0] not archived, [1] archived */
  sqlite3_int64 iAfterId = 0;
  int rc = SQLITE_OK, i = 0, nArm = 0;
  (void)idxStr; (void)argc;
  cfListReset(pCur);
  pCur->bEof = 1;
  pCur->iRowid = 0;
  if (idxNum & 1) vOwner = argv[i++];
  if (idxNum & 2) vOpts = argv[i++];
  if (vOwner) pCur->aArg[0] = sqlite3_value_dup(vOwner);
  if (vOpts) pCur->aArg[1] = sqlite3_value_dup(vOpts);
  /* the type first: sqlite3_value_text() would turn a blob into text */
  zOwner = sqlite3_value_type(vOwner) == SQLITE_TEXT ? sqlite3_value_text(vOwner) : 0;
  if (zOwner == 0 || zOwner[0] == 0 ||
      !cfUtf8Valid(zOwner, sqlite3_value_bytes(vOwner))) {
    zErr = sqlite3_mprintf("chatflow: conversation_list needs a non-empty text owner");
    goto done;
  }
  if (vOpts && sqlite3_value_type(vOpts) != SQLITE_NULL) {
    const unsigned char *zOpts =
        sqlite3_value_type(vOpts) == SQLITE_TEXT ? sqlite3_value_text(vOpts) : 0;
    if (zOpts == 0 ||
        !cfUtf8Valid(zOpts, sqlite3_value_bytes(vOpts))) {
      zErr = sqlite3_mprintf("chatflow: conversation_list options must be JSON text");
      goto done;
    }
    if (cfJsonOptions((const char *)zOpts, sqlite3_value_bytes(vOpts), "conversation_list", aOpt, 4,
                      &zErr)) {
      goto done;
    }
  }
  if (aOpt[0].bPresent) {
    if (aOpt[0].iVal < 1 || aOpt[0].iVal > CF_LIST_LIMIT_MAX) {
      zErr = sqlite3_mprintf("chatflow: limit must be from 1 to %d, got %lld", CF_LIST_LIMIT_MAX,
                             aOpt[0].iVal);
      goto done;
    }
    nLimit = (int)aOpt[0].iVal;
  }
  if (aOpt[1].bPresent) {
    if (cfListParseCursor(aOpt[1].zVal, &bPinned, zTime, &iAfterId)) {
      zErr = sqlite3_mprintf("chatflow: invalid cursor '%q' (use the cursor column of a row)", aOpt[1].zVal);
      goto done;
    }
    bAfter = 1;
  }
  bDeleted = aOpt[2].bPresent && aOpt[2].iVal;
  if (bDeleted) aArchived[1] = 1; /* the trash shows deleted ones, archived or not */
  if (aOpt[3].bPresent) {
    if (aOpt[3].zVal) {
      if (strcmp(aOpt[3].zVal, "all") != 0) {
        zErr = sqlite3_mprintf("chatflow: archived must be true, false or \"all\", got '%q'", aOpt[3].zVal);
        goto done;
      }
      aArchived[1] = 1;
    } else if (aOpt[3].iVal) {
      aArchived[0] = 0;
      aArchived[1] = 1;
    } else {
      aArchived[1] = 0;
    }
  }
  if (cfCheckSchema(p, &zErr)) goto done;

  /* One arm per (archived class, pinned flag), each an index range in list
  ** order with its own LIMIT; the outer ORDER BY merges at most 4 pages. */
  zSql = sqlite3_mprintf("SELECT * FROM (");
  for (int a = 0; a < 2 && zSql; a++) {
    if (!aArchived[a]) continue;
    for (int pin = 1; pin >= 0 && zSql; pin--) {
      const char *zAfter = "";
      if (bAfter) {
        if (pin > bPinned) continue; /* pinned rows come before the cursor's class */
        if (pin == bPinned) zAfter = " AND (updated_at, id) < (?3, ?4)";
      }
      zSql = sqlite3_mprintf(
          "%z%sSELECT * FROM (SELECT " CF_LIST_COLS " FROM chat_conversations"
          " WHERE owner = ?1 AND (deleted_at IS NOT NULL) = %d AND (archived_at IS NOT NULL) = %d"
          " AND (pinned_at IS NOT NULL) = %d%s ORDER BY updated_at DESC, id DESC LIMIT ?2)",
          zSql, nArm ? " UNION ALL " : "", bDeleted, a, pin, zAfter);
      nArm++;
    }
  }
  if (zSql) {
    zSql = sqlite3_mprintf("%z) ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2",
                           zSql);
  }
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (nArm == 0) {
    /* after a cursor of the last class: nothing further */
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT " CF_LIST_COLS " FROM chat_conversations WHERE 0");
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pCur->pStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto done;
  }
  sqlite3_bind_text(pCur->pStmt, 1, (const char *)zOwner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(pCur->pStmt, 2, nLimit);
  if (bAfter) {
    sqlite3_bind_text(pCur->pStmt, 3, zTime, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(pCur->pStmt, 4, iAfterId);
  }
  pCur->bEof = 0;
  rc = cfListNext(cur);
done:
  sqlite3_free(zSql);
  cfJsonOptionsFree(aOpt, 4);
  if (zErr) {
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = zErr;
    return SQLITE_ERROR;
  }
  return rc;
}

static int cfListEof(sqlite3_vtab_cursor *cur) { return ((CfListCursor *)cur)->bEof; }

static int cfListColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  CfListCursor *pCur = (CfListCursor *)cur;
  if (i >= CF_LIST_COL_OWNER) {
    sqlite3_value *v = pCur->aArg[i - CF_LIST_COL_OWNER];
    if (v) sqlite3_result_value(ctx, v);
    return SQLITE_OK;
  }
  sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, i));
  return SQLITE_OK;
}

static int cfListRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid) {
  *pRowid = sqlite3_column_int64(((CfListCursor *)cur)->pStmt, 0);
  return SQLITE_OK;
}

static sqlite3_module cfListModule = {
  0,                /* iVersion */
  0,                /* xCreate: eponymous-only */
  cfListConnect,    /* xConnect */
  cfListBestIndex,  /* xBestIndex */
  cfListDisconnect, /* xDisconnect */
  0,                /* xDestroy */
  cfListOpen,       /* xOpen */
  cfListClose,      /* xClose */
  cfListFilter,     /* xFilter */
  cfListNext,       /* xNext */
  cfListEof,        /* xEof */
  cfListColumn,     /* xColumn */
  cfListRowid,      /* xRowid */
  0,                /* xUpdate: read-only */
  0, 0, 0, 0,       /* xBegin, xSync, xCommit, xRollback */
  0,                /* xFindFunction */
  0,                /* xRename */
  0, 0, 0,          /* xSavepoint, xRelease, xRollbackTo */
  0                 /* xShadowName */
};

int cfRegisterList(sqlite3 *db, CfConn *p) {
  return sqlite3_create_module(db, "conversation_list", &cfListModule, p);
}
