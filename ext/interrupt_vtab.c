/*
** interrupt_vtab.c — workflow_interrupt, a writable virtual table over the
** workflow_interrupts table (the layout of Neuron AI's PHP persistence):
** checkpoint blobs that let an outside workflow engine pause and resume.
**
**   INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_7', x'...');
**   SELECT data FROM workflow_interrupt WHERE workflow_id = 'run_7';  -- point lookup
**   DELETE FROM workflow_interrupt WHERE workflow_id = 'run_7';
**
** Columns: workflow_id (TEXT, 1..200 characters), data (BLOB or TEXT, at
** most 16 MiB, never NULL), created_at, updated_at.  INSERT saves: a new
** id is inserted, an existing one has its data replaced and keeps its
** created_at (whatever the conflict clause).  created_at and updated_at
** may be given (RFC 3339 timestamps, any offset and fraction, stored as
** UTC milliseconds: cfParseTimestamp), else the connection clock is used.
** UPDATE may change data but not workflow_id; unless it sets updated_at,
** updated_at becomes the connection clock.  When a run ends, the
** schema's trigger removes its 'run_<id>' interrupt in the same
** transaction.
**
** Eponymous-only: nothing is added to the schema, so a database written
** through it reads the same without the extension.  SQLITE_VTAB_DIRECTONLY:
** it writes, so it may not be used from views or triggers.
**
** Errors: "chatflow: workflow_id must ...", "chatflow: interrupt data must
** not be NULL", "... must be a blob or text, got integer 5 (workflow_id
** 'run_7')", "... larger than the limit of 16777216 bytes", invalid
** timestamps, and "schema not initialised".
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_INTERRUPT_COL_WORKFLOW_ID 0
#define CF_INTERRUPT_COL_DATA 1
#define CF_INTERRUPT_COL_CREATED_AT 2
#define CF_INTERRUPT_COL_UPDATED_AT 3

typedef struct CfInterruptVtab {
  sqlite3_vtab base;
  CfConn *pConn;
} CfInterruptVtab;

typedef struct CfInterruptCursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *pStmt;
  int bEof;
} CfInterruptCursor;

static int cfInterruptConnect(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                              sqlite3_vtab **ppVtab, char **pzErr) {
  CfInterruptVtab *pNew;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, "CREATE TABLE x(workflow_id TEXT, data BLOB, created_at TEXT,"
                                " updated_at TEXT)");
  if (rc != SQLITE_OK) return rc;
  pNew = sqlite3_malloc(sizeof(*pNew));
  if (pNew == 0) return SQLITE_NOMEM;
  memset(pNew, 0, sizeof(*pNew));
  pNew->pConn = (CfConn *)pAux;
  /* It writes: keep it out of views and triggers. */
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  *ppVtab = &pNew->base;
  return SQLITE_OK;
}

static int cfInterruptDisconnect(sqlite3_vtab *pVtab) {
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

/*
** idxNum: 0 full scan in workflow_id order; 1 workflow_id = ? (a primary
** key lookup in workflow_interrupts), idxStr "eq".
*/
static int cfInterruptBestIndex(sqlite3_vtab *pVtab, sqlite3_index_info *pInfo) {
  (void)pVtab;
  for (int i = 0; i < pInfo->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &pInfo->aConstraint[i];
    if (c->iColumn == CF_INTERRUPT_COL_WORKFLOW_ID && c->op == SQLITE_INDEX_CONSTRAINT_EQ &&
        c->usable) {
      pInfo->aConstraintUsage[i].argvIndex = 1;
      pInfo->aConstraintUsage[i].omit = 1;
      pInfo->idxNum = 1;
      pInfo->idxStr = "eq";
      pInfo->estimatedCost = 1;
      pInfo->estimatedRows = 1;
      pInfo->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
      return SQLITE_OK;
    }
  }
  pInfo->idxNum = 0;
  pInfo->estimatedCost = 1000000;
  if (pInfo->nOrderBy == 1 && pInfo->aOrderBy[0].iColumn == CF_INTERRUPT_COL_WORKFLOW_ID &&
      !pInfo->aOrderBy[0].desc) {
    pInfo->orderByConsumed = 1;
  }
  return SQLITE_OK;
}

static int cfInterruptOpen(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur) {
  CfInterruptCursor *pCur = sqlite3_malloc(sizeof(*pCur));
  (void)pVtab;
  if (pCur == 0) return SQLITE_NOMEM;
  memset(pCur, 0, sizeof(*pCur));
  *ppCur = &pCur->base;
  return SQLITE_OK;
}

static int cfInterruptClose(sqlite3_vtab_cursor *cur) {
  CfInterruptCursor *pCur = (CfInterruptCursor *)cur;
  sqlite3_finalize(pCur->pStmt);
  sqlite3_free(pCur);
  return SQLITE_OK;
}

static int cfInterruptNext(sqlite3_vtab_cursor *cur) {
  CfInterruptCursor *pCur = (CfInterruptCursor *)cur;
  int rc = sqlite3_step(pCur->pStmt);
  if (rc == SQLITE_ROW) return SQLITE_OK;
  pCur->bEof = 1;
  if (rc == SQLITE_DONE) return SQLITE_OK;
  cfVtabError(cur->pVtab, "%z", cfDbError(((CfInterruptVtab *)cur->pVtab)->pConn->db, rc));
  return rc;
}

static int cfInterruptFilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                             sqlite3_value **argv) {
  CfInterruptCursor *pCur = (CfInterruptCursor *)cur;
  CfInterruptVtab *pVtab = (CfInterruptVtab *)cur->pVtab;
  char *zErr = 0;
  int rc;
  (void)idxStr; (void)argc;
  sqlite3_finalize(pCur->pStmt);
  pCur->pStmt = 0;
  pCur->bEof = 1;
  if ((rc = cfCheckSchema(pVtab->pConn, &zErr)) != SQLITE_OK) {
    sqlite3_free(pVtab->base.zErrMsg);
    pVtab->base.zErrMsg = zErr;
    return cfKeepCode(rc) ? rc : SQLITE_ERROR;
  }
  rc = sqlite3_prepare_v2(pVtab->pConn->db,
                          idxNum == 1
                              ? "SELECT workflow_id, data, created_at, updated_at, rowid"
                                " FROM workflow_interrupts WHERE workflow_id = ?1"
                              : "SELECT workflow_id, data, created_at, updated_at, rowid"
                                " FROM workflow_interrupts ORDER BY workflow_id",
                          -1, &pCur->pStmt, 0);
  if (rc != SQLITE_OK) {
    cfVtabError(&pVtab->base, "%z", cfDbError(pVtab->pConn->db, rc));
    return rc;
  }
  if (idxNum == 1) sqlite3_bind_value(pCur->pStmt, 1, argv[0]);
  pCur->bEof = 0;
  return cfInterruptNext(cur);
}

static int cfInterruptEof(sqlite3_vtab_cursor *cur) { return ((CfInterruptCursor *)cur)->bEof; }

static int cfInterruptColumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  CfInterruptCursor *pCur = (CfInterruptCursor *)cur;
  /* An UPDATE that does not set a time leaves it "unchanged": xUpdate then
  ** stamps updated_at with the connection clock instead of the old value. */
  if (i >= CF_INTERRUPT_COL_CREATED_AT && sqlite3_vtab_nochange(ctx)) return SQLITE_OK;
  sqlite3_result_value(ctx, sqlite3_column_value(pCur->pStmt, i));
  return SQLITE_OK;
}

static int cfInterruptRowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid) {
  CfInterruptCursor *pCur = (CfInterruptCursor *)cur;
  *pRowid = sqlite3_column_int64(pCur->pStmt, 4);
  return SQLITE_OK;
}

/* A timestamp column value: NULL (use zNow) or a valid timestamp; else
** SQLITE_ERROR with the error naming what it got (cfValueDesc: "got text
** 'now'"), or SQLITE_NOMEM. */
static int cfInterruptTime(CfInterruptVtab *pVtab, sqlite3_value *v, const char *zCol,
                           const char *zNow, char *zOut) {
  const unsigned char *z = 0;
  int eType = sqlite3_value_type(v); /* before sqlite3_value_text() converts it */
  if (eType == SQLITE_NULL || sqlite3_value_nochange(v)) {
    memcpy(zOut, zNow, CF_TIMESTAMP_LEN + 1);
    return SQLITE_OK;
  }
  if (eType == SQLITE_TEXT) {
    z = sqlite3_value_text(v);
    if (z == 0) return SQLITE_NOMEM;
  }
  if (z == 0 || !cfUtf8Valid(z, sqlite3_value_bytes(v)) || sqlite3_value_bytes(v) > 40 ||
      cfParseTimestamp((const char *)z, zOut)) {
    char zGot[CF_VALUE_DESC_LEN];
    cfVtabError(&pVtab->base,
                "chatflow: invalid %s for workflow_interrupt (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC), got %s",
                zCol, cfValueDesc(v, zGot));
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

/*
** xUpdate tells the operations apart as SQLite documents:
**   argc == 1                         DELETE of rowid argv[0]
**   argc > 1, argv[0] NULL            INSERT (argv[2..5] are the columns)
**   argc > 1, argv[0] not NULL        UPDATE of rowid argv[0]
** INSERT and UPDATE both save through one upsert that keeps created_at.
*/
static int cfInterruptUpdate(sqlite3_vtab *pVtabBase, int argc, sqlite3_value **argv,
                             sqlite3_int64 *pRowid) {
  CfInterruptVtab *pVtab = (CfInterruptVtab *)pVtabBase;
  CfConn *p = pVtab->pConn;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1], zCreated[CF_TIMESTAMP_LEN + 1], zUpdated[CF_TIMESTAMP_LEN + 1];
  const unsigned char *zId;
  sqlite3_value *vId, *vData;
  int rc, nId, eData, bFound = 0;

  if ((rc = cfCheckSchema(p, &zErr)) != SQLITE_OK) {
    sqlite3_free(pVtabBase->zErrMsg);
    pVtabBase->zErrMsg = zErr;
    return cfKeepCode(rc) ? rc : SQLITE_ERROR;
  }
  if (argc == 1) {
    rc = cfStmt(p, CF_STMT_INTERRUPT_DELETE,
                "DELETE FROM workflow_interrupts WHERE rowid = ?1",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_value(pStmt, 1, argv[0]);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK) cfVtabError(pVtabBase, "%z", cfDbError(p->db, rc));
    cfStmtDone(p, pStmt);
    return rc;
  }

  vId = argv[2 + CF_INTERRUPT_COL_WORKFLOW_ID];
  vData = argv[2 + CF_INTERRUPT_COL_DATA];
  rc = cfTextCheck(vId, "workflow_id", CF_MAX_NAME_CHARS, 0, 0, (const char **)&zId, &zErr);
  if (rc != SQLITE_OK) {
    if (zErr == 0) return SQLITE_NOMEM;
    cfVtabError(pVtabBase, "%z", zErr);
    return SQLITE_CONSTRAINT;
  }
  nId = sqlite3_value_bytes(vId);
  eData = sqlite3_value_type(vData);
  if (eData == SQLITE_NULL) {
    cfVtabError(pVtabBase, "chatflow: interrupt data must not be NULL (workflow_id '%s')", zId);
    return SQLITE_CONSTRAINT;
  }
  if (eData != SQLITE_BLOB && eData != SQLITE_TEXT) {
    char zGot[CF_VALUE_DESC_LEN];
    cfVtabError(pVtabBase, "chatflow: interrupt data must be a blob or text, got %s (workflow_id '%s')",
                cfValueDesc(vData, zGot), zId);
    return SQLITE_CONSTRAINT;
  }
  if (sqlite3_value_bytes(vData) > CF_MAX_BLOB_BYTES) {
    cfVtabError(pVtabBase, "chatflow: interrupt data is %d bytes, larger than the limit of %d bytes (workflow_id '%s')",
                sqlite3_value_bytes(vData), CF_MAX_BLOB_BYTES, zId);
    return SQLITE_TOOBIG;
  }
  cfNow(p, zNow);
  rc = cfInterruptTime(pVtab, argv[2 + CF_INTERRUPT_COL_CREATED_AT], "created_at", zNow, zCreated);
  if (rc == SQLITE_OK) {
    rc = cfInterruptTime(pVtab, argv[2 + CF_INTERRUPT_COL_UPDATED_AT], "updated_at", zNow, zUpdated);
  }
  if (rc != SQLITE_OK) return rc == SQLITE_NOMEM ? rc : SQLITE_CONSTRAINT;
  if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
    /* UPDATE: the row must keep its workflow_id and created_at (the time
    ** the id was first saved). */
    rc = cfStmt(p, CF_STMT_INTERRUPT_SAME_ID,
                "SELECT workflow_id = ?2, ?3 IS NULL OR created_at IS ?3 FROM workflow_interrupts WHERE rowid = ?1",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_value(pStmt, 1, argv[0]);
      sqlite3_bind_value(pStmt, 2, vId);
      /* (a column the UPDATE does not set comes as "no change") */
      if (!sqlite3_value_nochange(argv[2 + CF_INTERRUPT_COL_CREATED_AT])) {
        sqlite3_bind_text(pStmt, 3, zCreated, -1, SQLITE_STATIC);
      }
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW && sqlite3_column_int(pStmt, 0) == 0) {
        cfStmtDone(p, pStmt);
        cfVtabError(pVtabBase, "chatflow: workflow_id cannot be changed; insert the interrupt under the new id and delete the old one");
        return SQLITE_CONSTRAINT;
      }
      if (rc == SQLITE_ROW && sqlite3_column_int(pStmt, 1) == 0) {
        cfStmtDone(p, pStmt);
        cfVtabError(pVtabBase, "chatflow: created_at of a saved interrupt cannot be changed (it is when the id was first saved)");
        return SQLITE_CONSTRAINT;
      }
      rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc != SQLITE_OK) {
      cfVtabError(pVtabBase, "%z", cfDbError(p->db, rc));
      return rc;
    }
  }
  /* Under a pinned clock, publish the stamp to the schema's touch trigger
  ** (through chatflow_statement_clock), which would otherwise stamp the
  ** real time when updated_at does not change (two saves at one pinned
  ** instant).  With the real clock the trigger's own time is the same
  ** instant or the next millisecond: no row to write and delete. */
  if (cfClockFixed(p)) {
    rc = cfStmt(p, CF_STMT_PIN_CLOCK,
                "INSERT OR REPLACE INTO chatflow_statement_clock (id, now) VALUES (1, ?1)", &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zUpdated, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  /* A save replaces the row of its workflow_id or inserts one: looked up
  ** first, then one UPDATE or one INSERT, so that only that statement's
  ** triggers fire (an INSERT ... ON CONFLICT DO UPDATE fires the INSERT
  ** triggers and then the UPDATE ones).  The rowid is the vtab's; no
  ** RETURNING (SQLite buffers its rows in an ephemeral table). */
  if (rc == SQLITE_OK) {
    rc = cfStmt(p, CF_STMT_INTERRUPT_ROWID, "SELECT rowid FROM workflow_interrupts WHERE workflow_id = ?1",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, (const char *)zId, nId, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      /* found or not: a raw INSERT may have given the row rowid 0 */
      if (rc == SQLITE_ROW) {
        *pRowid = sqlite3_column_int64(pStmt, 0);
        bFound = 1;
        rc = SQLITE_OK;
      } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK) {
    rc = bFound ? cfStmt(p, CF_STMT_INTERRUPT_REPLACE,
                          "UPDATE workflow_interrupts SET data = ?2, updated_at = ?4 WHERE rowid = ?5", &pStmt)
                 : cfStmt(p, CF_STMT_INTERRUPT_INSERT,
                          "INSERT INTO workflow_interrupts (workflow_id, data, created_at, updated_at)"
                          " VALUES (?1, ?2, ?3, ?4)", &pStmt);
  }
  if (rc == SQLITE_OK) {
    /* the arguments outlive the statement's step: bound without a copy */
    if (bFound) {
      sqlite3_bind_int64(pStmt, 5, *pRowid);
    } else {
      sqlite3_bind_text(pStmt, 1, (const char *)zId, nId, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zCreated, -1, SQLITE_STATIC);
    }
    if (eData == SQLITE_BLOB && sqlite3_value_bytes(vData) == 0) {
      /* x'': sqlite3_value_blob() gives a NULL pointer, which
      ** sqlite3_bind_blob() would bind as NULL (refused by NOT NULL) */
      sqlite3_bind_zeroblob(pStmt, 2, 0);
    } else if (eData == SQLITE_BLOB) {
      sqlite3_bind_blob(pStmt, 2, sqlite3_value_blob(vData), sqlite3_value_bytes(vData), SQLITE_STATIC);
    } else {
      sqlite3_bind_text(pStmt, 2, (const char *)sqlite3_value_text(vData), sqlite3_value_bytes(vData),
                        SQLITE_STATIC);
    }
    sqlite3_bind_text(pStmt, 4, zUpdated, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    if (rc == SQLITE_OK && !bFound) *pRowid = sqlite3_last_insert_rowid(p->db);
  }
  cfStmtDone(p, pStmt);
  pStmt = 0;
  if (rc != SQLITE_OK) cfVtabError(pVtabBase, "%z", cfDbError(p->db, rc));
  if (cfClockFixed(p)) {
    int rc2 = cfStmt(p, CF_STMT_UNPIN_CLOCK, "DELETE FROM chatflow_statement_clock", &pStmt);
    if (rc2 == SQLITE_OK) {
      rc2 = sqlite3_step(pStmt);
      rc2 = (rc2 == SQLITE_DONE) ? SQLITE_OK : rc2;
    }
    cfStmtDone(p, pStmt);
    if (rc == SQLITE_OK && rc2 != SQLITE_OK) {
      rc = rc2;
      cfVtabError(pVtabBase, "%z", cfDbError(p->db, rc));
    }
  }
  return rc;
}

static sqlite3_module cfInterruptModule = {
  0,                     /* iVersion */
  0,                     /* xCreate: eponymous-only, nothing in the schema */
  cfInterruptConnect,    /* xConnect */
  cfInterruptBestIndex,  /* xBestIndex */
  cfInterruptDisconnect, /* xDisconnect */
  0,                     /* xDestroy */
  cfInterruptOpen,       /* xOpen */
  cfInterruptClose,      /* xClose */
  cfInterruptFilter,     /* xFilter */
  cfInterruptNext,       /* xNext */
  cfInterruptEof,        /* xEof */
  cfInterruptColumn,     /* xColumn */
  cfInterruptRowid,      /* xRowid */
  cfInterruptUpdate,     /* xUpdate */
  0, 0, 0, 0,            /* xBegin, xSync, xCommit, xRollback */
  0,                     /* xFindFunction */
  0,                     /* xRename */
  0, 0, 0,               /* xSavepoint, xRelease, xRollbackTo */
  0                      /* xShadowName */
};

int cfRegisterInterrupt(sqlite3 *db, CfConn *p) {
  return sqlite3_create_module(db, "workflow_interrupt", &cfInterruptModule, p);
}
