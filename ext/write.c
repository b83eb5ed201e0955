/*
** write.c — the write bracket: how every writing function of chatflow
** opens, ends and reports its transaction.  Registers no SQL functions.
**
**   rc = cfBeginWrite(p, &zErr);      SAVEPOINT, write lock, schema, clock
**   ... the function's statements ...
**   rc = cfFinish(ctx, p, rc, &zErr); RELEASE, or roll back; one error
**
** The rules it keeps (tests/python/test_failure_paths.py checks them for
** every writing function):
**
** 1. A call that began the transaction ends it.  When the connection is
**    in autocommit mode on entry, the SAVEPOINT opens the transaction; at
**    every exit — success, error, a failed commit — autocommit is on again.
**    On error (or when RELEASE, i.e. the commit, fails: SQLITE_BUSY in
**    rollback-journal mode when readers outlast the busy timeout,
**    SQLITE_IOERR, SQLITE_FULL) the whole transaction is rolled back with
**    ROLLBACK, so nothing of the call survives and nothing later runs inside
**    a transaction the caller never opened.  Before this rule, a failed
**    commit left the connection in an open transaction and every later
**    "successful" call was lost when the connection closed.
** 2. Inside the caller's transaction (BEGIN, or a SAVEPOINT of its own)
**    the call rolls back to its SAVEPOINT and releases it: the caller's
**    earlier work and the transaction stay the caller's.
** 3. Cleanup cannot fail for lack of memory: the ROLLBACK, ROLLBACK TO and
**    RELEASE statements are prepared before the SAVEPOINT opens (a call
**    that cannot prepare them fails with SQLITE_NOMEM having written
**    nothing), and a ROLLBACK that still fails is retried with
**    sqlite3_exec.  One case remains that no call can undo in time: when
**    an allocation fails inside one of the call's statements, SQLite
**    refuses every further statement on the connection (ROLLBACK
**    included) until the statement that called the function has ended,
**    and a calling statement that reads no table (SELECT add_message(…))
**    does not roll back by itself.  The undo is then left pending
**    (CfConn.eUndo) and done first thing by the next chatflow call on the
**    connection (cfUndoPending, run by cfTxnBegin and by cfCheckSchema,
**    which every function passes), before it looks at autocommit.  A caller
**    that gets SQLITE_NOMEM inside its own transaction should roll that
**    transaction back, as SQLite advises for SQLITE_NOMEM, SQLITE_IOERR and
**    SQLITE_FULL in a transaction (a COMMIT first would keep the failed
**    call's partial work).
** 4. One error, with its code: the first error of the call is reported;
**    its primary result code (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_NOMEM,
**    SQLITE_IOERR_*, SQLITE_CONSTRAINT_*, SQLITE_FULL …) is the function's
**    result code, chatflow's own validation errors are SQLITE_ERROR, and the
**    text is never SQLite's "not an error".
** 5. Lock errors say what fits the caller's situation (cfLockAdvice): the
**    busy timeout expired (or none is set); the caller's deferred
**    transaction already reads, so SQLite cannot wait for the write lock
**    (use BEGIN IMMEDIATE); or the calling statement itself reads the
**    database (an argument subquery), which has the same effect.  SQLite
**    runs the busy handler only for a connection that holds no read lock,
**    so the last two cannot wait, whatever the timeout.
**
** Why a write lock first: a read first would turn the transaction into a
** read transaction, and SQLite fails the upgrade of a read transaction at
** once instead of waiting in the busy handler.  The lock is taken by an
** UPDATE that changes nothing.
*/
#include "chatflow_int.h"

#include <string.h>

/* What the connection held when the outermost writing call began. */
#define CF_ENTRY_NONE 0        /* autocommit, no lock: the busy handler applies */
#define CF_ENTRY_STMT_READ 1   /* autocommit, but the calling statement reads */
#define CF_ENTRY_TXN 2         /* the caller's transaction, no read yet */
#define CF_ENTRY_TXN_READ 3    /* the caller's transaction holds a read snapshot */
#define CF_ENTRY_TXN_WRITE 4   /* the caller's transaction holds the write lock */

/* CfConn.eUndo: an undo a failed call could not do (rule 3). */
#define CF_UNDO_NONE 0
#define CF_UNDO_ALL 1       /* ROLLBACK: the call had begun the transaction */
#define CF_UNDO_SAVEPOINT 2 /* ROLLBACK TO chatflow; RELEASE chatflow */

static const char zSqlRollbackTo[] = "ROLLBACK TO chatflow";
static const char zSqlRelease[] = "RELEASE chatflow";
static const char zSqlRollback[] = "ROLLBACK";

static int cfExecCached(CfConn *p, int iStmt, const char *zSql) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, iStmt, zSql, &pStmt);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(pStmt);
    rc = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? SQLITE_OK : sqlite3_extended_errcode(p->db);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* Prepares (into the cache) the statements that end a transaction, so that
** the exit paths need no allocation. */
static int cfPrepareCleanup(CfConn *p) {
  static const struct { int iStmt; const char *zSql; } a[] = {
    {CF_STMT_ROLLBACK, zSqlRollbackTo},
    {CF_STMT_RELEASE, zSqlRelease},
    {CF_STMT_ROLLBACK_ALL, zSqlRollback},
  };
  int rc = SQLITE_OK;
  for (size_t i = 0; rc == SQLITE_OK && i < sizeof(a) / sizeof(a[0]); i++) {
    sqlite3_stmt *pStmt = 0;
    rc = cfStmt(p, a[i].iStmt, a[i].zSql, &pStmt);
    cfStmtDone(p, pStmt);
  }
  return rc;
}

/* ------------------------------------------------------------ error text */

/* True for the result codes a function passes on as its own: the ones a
** caller acts upon (retry, out of memory, disk trouble, constraint).  The
** others (chatflow's own checks use SQLITE_ERROR, SQLITE_NOTFOUND,
** SQLITE_MISUSE internally) are reported as SQLITE_ERROR. */
int cfKeepCode(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY: case SQLITE_LOCKED: case SQLITE_NOMEM: case SQLITE_IOERR:
    case SQLITE_CONSTRAINT: case SQLITE_FULL: case SQLITE_CORRUPT: case SQLITE_READONLY:
    case SQLITE_CANTOPEN: case SQLITE_INTERRUPT: case SQLITE_TOOBIG: case SQLITE_NOTADB:
    case SQLITE_PROTOCOL: case SQLITE_PERM: case SQLITE_ABORT:
      return 1;
    default:
      return 0;
  }
}

/* Sets rc as the result code of a function that has set its error text. */
void cfResultCode(sqlite3_context *ctx, int rc) {
  if (cfKeepCode(rc) && (rc & 0xff) != SQLITE_NOMEM) sqlite3_result_error_code(ctx, rc);
}

static int cfIsLockCode(int rc) {
  return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* The connection's busy timeout in ms, or -1 when it cannot be read. */
static int cfBusyTimeout(sqlite3 *db) {
  sqlite3_stmt *pStmt = 0;
  int ms = -1;
  if (sqlite3_prepare_v2(db, "PRAGMA busy_timeout", -1, &pStmt, 0) == SQLITE_OK &&
      sqlite3_step(pStmt) == SQLITE_ROW) {
    ms = sqlite3_column_int(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  return ms;
}

/* Turns off the wait for a lock of sqlite3_busy_timeout's busy handler
** (PRAGMA busy_timeout, the timeout of Python's sqlite3 and other drivers)
** for the next writes, so that a lock another connection holds refuses
** them at once; returns the timeout to give back to cfBusyWaitOn, or 0
** when there is none to turn off: no busy handler, or one of the
** application's own (sqlite3_busy_handler, whose PRAGMA busy_timeout reads
** 0 and which SQLite cannot return), left to act as it always does. */
int cfBusyWaitOff(sqlite3 *db) {
  int ms = cfBusyTimeout(db);
  if (ms <= 0) return 0;
  sqlite3_busy_timeout(db, 0);
  return ms;
}

/* Gives back the busy timeout cfBusyWaitOff turned off (ms > 0). */
void cfBusyWaitOn(sqlite3 *db, int ms) {
  if (ms > 0) sqlite3_busy_timeout(db, ms);
}

/* What to do about a lock error, for the situation the call began in. */
static char *cfLockAdvice(CfConn *p, int rc) {
  int ms;
  if ((rc & 0xff) == SQLITE_LOCKED) {
    return sqlite3_mprintf("another statement or connection of this process holds a conflicting lock (shared cache); retry");
  }
  if (rc == SQLITE_BUSY_SNAPSHOT) {
    return sqlite3_mprintf(p->eEntry == CF_ENTRY_STMT_READ
        ? "the calling statement reads the database (an argument subquery?) and another connection has written since; "
          "run the read in its own statement first, then retry"
        : "this connection's transaction read the database before another connection wrote; "
          "roll back and retry the whole transaction, or open it with BEGIN IMMEDIATE");
  }
  switch (p->eEntry) {
    case CF_ENTRY_STMT_READ:
      return sqlite3_mprintf("the calling statement already reads the database (an argument subquery?), "
                             "so SQLite cannot wait for the write lock; run the read in its own statement first, "
                             "or retry");
    case CF_ENTRY_TXN_READ:
      return sqlite3_mprintf("this connection's transaction already reads the database, so SQLite cannot wait "
                             "for the write lock; roll back and retry the transaction, or open it with BEGIN IMMEDIATE");
    default:
      break;
  }
  ms = cfBusyTimeout(p->db);
  if (ms == 0) {
    return sqlite3_mprintf("no busy timeout is set on this connection; set one (PRAGMA busy_timeout = 5000) "
                           "so SQLite waits for the lock, or retry");
  }
  if (ms > 0) {
    return sqlite3_mprintf("another connection held its lock past this connection's busy timeout (%d ms); "
                           "retry, or raise PRAGMA busy_timeout", ms);
  }
  return sqlite3_mprintf("retry, or raise PRAGMA busy_timeout");
}

/* The message for an error rc of the call's own statements (sqlite3_malloc'd,
** 0 when out of memory).  Keeps a "chatflow: " text raised by a trigger as
** it is; never says "not an error". */
char *cfWriteError(CfConn *p, int rc) {
  const char *zMsg = sqlite3_errmsg(p->db);
  if (sqlite3_errcode(p->db) == SQLITE_OK || zMsg == 0) zMsg = sqlite3_errstr(rc);
  if (strncmp(zMsg, "chatflow: ", 10) == 0) return sqlite3_mprintf("%s", zMsg);
  {
    char *zTrust = cfTrustedSchemaError(p->db, zMsg);
    if (zTrust) return zTrust;
  }
  if (cfIsLockCode(rc)) {
    char *zAdvice = cfLockAdvice(p, rc);
    char *z = zAdvice ? sqlite3_mprintf("chatflow: database is locked (%s): %s", zMsg, zAdvice) : 0;
    sqlite3_free(zAdvice);
    return z;
  }
  return sqlite3_mprintf("chatflow: %s", zMsg);
}

/* ------------------------------------------------------------ the bracket */

/* Does the undo an earlier failed call left pending (rule 3), if any.
** Called when no bracket is open.  Returns SQLITE_OK when nothing is left
** to undo. */
int cfUndoPending(CfConn *p) {
  int rc = SQLITE_OK;
  if (p->eUndo == CF_UNDO_NONE || p->nTxn > 0) return SQLITE_OK;
  if (p->eUndo == CF_UNDO_ALL) {
    if (!sqlite3_get_autocommit(p->db)) rc = sqlite3_exec(p->db, zSqlRollback, 0, 0, 0);
  } else {
    /* the savepoint is gone if the caller has ended its transaction since */
    rc = sqlite3_exec(p->db, zSqlRollbackTo, 0, 0, 0);
    if (rc == SQLITE_OK) rc = sqlite3_exec(p->db, zSqlRelease, 0, 0, 0);
    if (rc == SQLITE_ERROR) rc = SQLITE_OK; /* no such savepoint */
  }
  if (rc == SQLITE_OK) p->eUndo = CF_UNDO_NONE;
  return rc;
}

/* Ends the call's transaction: RELEASE when rc is SQLITE_OK, else undo.
** Returns rc, or the error of the RELEASE (the commit, when the call began
** the transaction).  *pzErr, when not 0 and still empty, receives the
** message of a failed RELEASE before the rollback can overwrite it. */
static int cfTxnEnd(CfConn *p, int rc, char **pzErr) {
  int bOwn;
  if (p->nTxn == 0) return rc; /* nothing open (cfBeginWrite failed early) */
  bOwn = (--p->nTxn == 0) && p->bTxnOwn;
  if (rc == SQLITE_OK) {
    if (cfClockFixed(p)) {
      rc = cfExecCached(p, CF_STMT_UNPIN_CLOCK, "DELETE FROM chatflow_statement_clock");
    }
    if (rc == SQLITE_OK) {
      rc = cfExecCached(p, CF_STMT_RELEASE, zSqlRelease);
      if (rc == SQLITE_OK) return SQLITE_OK;
    }
    if (pzErr && *pzErr == 0) *pzErr = cfWriteError(p, rc);
  }
  if (bOwn) {
    /* The call's own transaction: all of it goes. */
    if (!sqlite3_get_autocommit(p->db) && cfExecCached(p, CF_STMT_ROLLBACK_ALL, zSqlRollback) != SQLITE_OK) {
      for (int i = 0; i < 2 && !sqlite3_get_autocommit(p->db); i++) {
        sqlite3_exec(p->db, zSqlRollback, 0, 0, 0);
      }
      if (!sqlite3_get_autocommit(p->db)) p->eUndo = CF_UNDO_ALL; /* rule 3 */
    }
  } else if (cfExecCached(p, CF_STMT_ROLLBACK, zSqlRollbackTo) == SQLITE_OK) {
    cfExecCached(p, CF_STMT_RELEASE, zSqlRelease);
  } else if (sqlite3_exec(p->db, zSqlRollbackTo, 0, 0, 0) == SQLITE_OK) {
    sqlite3_exec(p->db, zSqlRelease, 0, 0, 0);
  } else if (p->nTxn == 0) {
    p->eUndo = CF_UNDO_SAVEPOINT; /* rule 3 */
  }
  return rc;
}

static void cfTempStoreRestore(CfConn *p, int eRestore);

/* Opens the call's SAVEPOINT, having prepared its cleanup.  Records who
** owns the transaction and what the connection held on entry. */
static int cfTxnBegin(CfConn *p, char **pzErr) {
  int rc = cfUndoPending(p);
  int bAuto = sqlite3_get_autocommit(p->db);
  int eTxn = sqlite3_txn_state(p->db, "main");
  if (rc == SQLITE_OK) rc = cfPrepareCleanup(p);
  if (p->nTxn == 0) {
    if (bAuto) {
      p->eEntry = eTxn == SQLITE_TXN_NONE ? CF_ENTRY_NONE : CF_ENTRY_STMT_READ;
    } else {
      p->eEntry = eTxn == SQLITE_TXN_NONE ? CF_ENTRY_TXN
                : eTxn == SQLITE_TXN_READ ? CF_ENTRY_TXN_READ : CF_ENTRY_TXN_WRITE;
    }
  }
  if (rc == SQLITE_OK) rc = cfExecCached(p, CF_STMT_SAVEPOINT, "SAVEPOINT chatflow");
  if (rc != SQLITE_OK) {
    const char *zMsg = sqlite3_errmsg(p->db);
    if (bAuto && !sqlite3_get_autocommit(p->db)) sqlite3_exec(p->db, zSqlRollback, 0, 0, 0);
    if ((rc & 0xff) == SQLITE_BUSY && zMsg && strstr(zMsg, "SQL statements in progress")) {
      /* SQLite opens no savepoint while a statement that writes runs: no
      ** retry can help, so not SQLITE_BUSY */
      *pzErr = sqlite3_mprintf("chatflow: a writing function cannot be called from a statement that writes"
                               " (INSERT ... SELECT f(...), UPDATE ... SET x = f(...)); call it in a SELECT of"
                               " its own and write its result in a second statement");
      return SQLITE_ERROR;
    }
    *pzErr = (rc & 0xff) == SQLITE_NOMEM ? 0 : cfWriteError(p, rc);
    return rc;
  }
  if (p->nTxn++ == 0) p->bTxnOwn = bAuto;
  if (p->eTempRestore) cfTempStoreRestore(p, p->eTempRestore); /* an earlier call's, inside the SAVEPOINT */
  return SQLITE_OK;
}

/* The statement journal of the caller's transaction, kept in memory.
**
** Inside a transaction the caller began (BEGIN … many calls … COMMIT),
** every call runs in a SAVEPOINT and every statement with triggers in a
** statement savepoint, and SQLite copies each page they change into the
** sub-journal.  That journal lives in memory up to 64 KiB and moves to a
** temporary file for the rest of the transaction as soon as one statement
** goes past it (SQLITE_STMTJRNL_SPILL, process-wide): a message whose
** index leaves split is enough, and from then on each call writes its
** pages to that file with one system call each — half the time of a
** batched add_message (docs/performance.md).  Whether the sub-journal may
** spill is decided once, when the write transaction begins, from the
** connection's temp_store.  So the call that takes the caller's
** transaction's write lock sets temp_store to MEMORY for the moment the
** lock is taken and sets the caller's value back at once: the caller sees
** its own setting, and only this transaction's statement journal stays in
** memory.
**
** Changing temp_store drops the connection's TEMP database; SQLite
** refuses the change inside a transaction when that database is open
** ("temporary storage cannot be changed from within a transaction"),
** which is always the case here (the call's SAVEPOINT is open), so a
** connection with TEMP tables keeps them and the journal spills as
** before.  A PRAGMA temp_store acts when it is prepared, so the three
** statements are prepared each time (once a transaction).
**
** cfTempStoreMemory returns 0 when it changed nothing, else the value to
** restore plus one. */
static int cfTempStoreMemory(CfConn *p) {
  sqlite3_stmt *pStmt = 0;
  int eOld = -1;
  if (sqlite3_prepare_v2(p->db, "PRAGMA temp_store", -1, &pStmt, 0) == SQLITE_OK &&
      sqlite3_step(pStmt) == SQLITE_ROW) {
    eOld = sqlite3_column_int(pStmt, 0);
  }
  sqlite3_finalize(pStmt);
  if (eOld != 0 && eOld != 1) return 0; /* already MEMORY, or unreadable */
  /* (its result does not say whether it changed: the pragma acts while it
  ** is prepared, and an interrupt can fail the statement after that; to
  ** set the old value back is harmless when nothing changed) */
  sqlite3_exec(p->db, "PRAGMA temp_store = MEMORY", 0, 0, 0);
  return eOld + 1;
}

/* Sets the caller's temp_store back.  It can fail where the change
** succeeded: an interrupt (sqlite3_interrupt refuses every statement
** until the caller's ends), no memory for the statement, an authorizer
** that refuses it.  Then it stays pending (CfConn.eTempRestore) and the
** next writing call tries again once its SAVEPOINT is open (cfTxnBegin:
** inside a transaction SQLite refuses the change rather than drop a
** TEMP database opened meanwhile).  Returns nothing: the call's own
** result does not depend on it. */
static void cfTempStoreRestore(CfConn *p, int eRestore) {
  int rc = sqlite3_exec(p->db, eRestore == 1 ? "PRAGMA temp_store = DEFAULT" : "PRAGMA temp_store = FILE", 0, 0,
                        0);
  p->eTempRestore = rc == SQLITE_OK ? 0 : eRestore;
}

/* Opens a writing function's SAVEPOINT, takes the write lock (unless the
** connection holds it), checks the schema version, then publishes a fixed
** time (the call's option now, else a pinned clock: cfClockFixed) to the
** triggers.  On failure everything is undone and
** *pzErr holds the message (sqlite3_malloc'd; 0 for SQLITE_NOMEM). */
int cfBeginWrite(CfConn *p, char **pzErr) {
  int rc;
  *pzErr = 0;
  rc = cfTxnBegin(p, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (sqlite3_txn_state(p->db, "main") != SQLITE_TXN_WRITE) {
    int eRestore = (p->eEntry == CF_ENTRY_TXN || p->eEntry == CF_ENTRY_TXN_READ) ? cfTempStoreMemory(p) : 0;
    rc = cfExecCached(p, CF_STMT_LOCK, "UPDATE chatflow_settings SET key = key WHERE 0");
    if (rc != SQLITE_OK) {
      const char *zMsg = sqlite3_errmsg(p->db);
      if (zMsg && strstr(zMsg, "no such table")) {
        *pzErr = sqlite3_mprintf("chatflow: schema not initialised — run SELECT chatflow_init()");
      } else if ((rc & 0xff) != SQLITE_NOMEM) {
        *pzErr = cfWriteError(p, rc);
      }
    }
    if (eRestore) cfTempStoreRestore(p, eRestore); /* after the lock's error message is read */
  }
  if (rc == SQLITE_OK) rc = cfCheckSchema(p, pzErr);
  if (rc == SQLITE_OK && cfClockFixed(p)) {
    sqlite3_stmt *pStmt = 0;
    rc = cfStmt(p, CF_STMT_PIN_CLOCK,
                "INSERT OR REPLACE INTO chatflow_statement_clock (id, now) VALUES (1, ?1)", &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, cfClockFixed(p), -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : sqlite3_extended_errcode(p->db);
    }
    cfStmtDone(p, pStmt);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) *pzErr = cfWriteError(p, rc);
  }
  if (rc != SQLITE_OK) cfTxnEnd(p, rc, 0);
  return rc;
}

/* cfBeginWrite for a scalar function that has nothing to free: 0 when the
** write began, else non-zero with the error (and its result code) set on
** ctx, as cfSchemaResult does for the schema check. */
int cfBeginWriteResult(sqlite3_context *ctx, CfConn *p) {
  char *zErr = 0;
  int rc = cfBeginWrite(p, &zErr);
  if (rc == SQLITE_OK) return 0;
  cfResultErrorMsg(ctx, zErr); /* zErr 0: out of memory */
  cfResultCode(ctx, rc);
  return 1;
}

/* True when zMsg is the error of a JSON CHECK constraint: unnamed ones
** show their expression ("CHECK constraint failed: … json_valid(…"), the
** named ones (every CHECK of the tables migration 005 creates, and of
** langgraph_checkpoints) their name, and every JSON CHECK's name says
** "chatflow: … must be a JSON array" (object, text), no other name "must
** be a JSON".  SQLite 3.40's json_valid() answers 0, not an error, when
** it cannot allocate, so such a CHECK fails on valid JSON under memory
** pressure.  Where the values were validated before the write (every
** JSON argument of a writing function: cfFinish; import, export.c) the
** failure is out of memory.  Where they are copied from rows that may
** fail it (JSON5 that SQLite 3.42-3.44's json_valid let in: fork,
** export.c; the migrations, schema.c) the write is tried once more, and
** the second failure stands. */
int cfJsonCheckFailed(const char *zMsg) {
  const char *z = zMsg ? strstr(zMsg, "CHECK constraint failed: ") : 0;
  if (z == 0) return 0;
  z += 25; /* the CHECK's expression, or its name */
  return strstr(z, "json_valid(") != 0 ||
         (strncmp(z, "chatflow: ", 10) == 0 && strstr(z, " must be a JSON ") != 0);
}

/* The common exit of a writing function: closes the transaction (undoing
** it on error) and reports exactly one error — *pzErr when set (freed
** here), else the database's — with its result code.  Returns the final
** rc. */
int cfFinish(sqlite3_context *ctx, CfConn *p, int rc, char **pzErr) {
  if (rc == SQLITE_OK && *pzErr) rc = SQLITE_ERROR; /* an error without a code */
  if (rc != SQLITE_OK && (rc & 0xff) == sqlite3_errcode(p->db)) {
    rc = sqlite3_extended_errcode(p->db); /* SQLITE_IOERR_WRITE, not SQLITE_IOERR */
  }
  if ((rc & 0xff) == SQLITE_CONSTRAINT && *pzErr == 0 && cfJsonCheckFailed(sqlite3_errmsg(p->db))) {
    /* chatflow validates every JSON argument before it writes: a JSON
    ** CHECK failing inside a call is an allocation failure */
    rc = SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK && *pzErr == 0 && (rc & 0xff) != SQLITE_NOMEM && rc != SQLITE_TOOBIG) {
    *pzErr = cfWriteError(p, rc); /* before the rollback overwrites it */
    if (*pzErr == 0) rc = SQLITE_NOMEM;
  }
  rc = cfTxnEnd(p, rc, pzErr);
  if (rc == SQLITE_OK) return SQLITE_OK;
  if ((rc & 0xff) == SQLITE_NOMEM) {
    sqlite3_free(*pzErr);
    *pzErr = 0;
    sqlite3_result_error_nomem(ctx);
  } else if (rc == SQLITE_TOOBIG && *pzErr == 0) {
    sqlite3_result_error_toobig(ctx);
  } else if (*pzErr) {
    sqlite3_result_error(ctx, *pzErr, -1);
    cfResultCode(ctx, rc);
    sqlite3_free(*pzErr);
    *pzErr = 0;
  } else {
    sqlite3_result_error_nomem(ctx); /* the message could not be allocated */
  }
  return rc;
}

/* Ends a write bracket after a nested call failed and has set its own
** error on the context: undoes what the bracket holds, as cfFinish would,
** but leaves that error as it is. */
void cfEndAfterError(CfConn *p, int rc) {
  cfTxnEnd(p, rc == SQLITE_OK ? SQLITE_ERROR : rc, 0);
}

/* chatflow_init's bracket: the same SAVEPOINT rules without the write
** lock, schema check or clock (cfApplyMigrations takes the lock itself). */
int cfInitBegin(CfConn *p, char **pzErr) {
  *pzErr = 0;
  return cfTxnBegin(p, pzErr);
}

int cfInitEnd(CfConn *p, int rc, char **pzErr) {
  if (rc != SQLITE_OK && *pzErr == 0 && (rc & 0xff) != SQLITE_NOMEM) *pzErr = cfWriteError(p, rc);
  return cfTxnEnd(p, rc, pzErr);
}
