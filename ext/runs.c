/*
** runs.c — workflow runs: starting one, moving its status, reading it.
**
**   start_run(conversation_id, workflow [, input_json [, options_json]]) -> run id
**   set_run_status(run_id, status [, step [, options]])  -> 1
**   cancel_run(run_id [, options]) / complete_run(run_id [, options]) /
**   fail_run(run_id, error [, options]) -> 1
**   active_run(conversation_id)              -> run id or NULL
**   run_status(run_id)                       -> JSON
**   run_usage(run_id)                        -> JSON {messages, input_tokens,
**                                               output_tokens, total_tokens,
**                                               by_step: {step: {messages,
**                                               total_tokens}}} (cfRunUsageFunc)
**   merge_run_state(run_id, patch_json [, options]) -> merged state JSON (RFC 7396)
**   run_workflow_id(run_id)                  -> 'run_<id>'
**
** Example:
**   SELECT start_run(1, 'topical_map', '{"seed": "bakery"}');
**   SELECT set_run_status(1, 'awaiting_clarification', 'clarification');
**   SELECT run_status(1) ->> 'status';
**
** The state machine is the schema's table workflow_run_transitions (the
** trigger on workflow_runs enforces it for raw UPDATEs, without the
** statuses and run id in its message, which a trigger cannot format;
** cfTransitionOk reads it here):
**   started                -> processing | awaiting_clarification | awaiting_approval
**                             | completed | failed | cancelled
**   processing             -> awaiting_clarification | awaiting_approval | completed
**                             | failed | cancelled
**   awaiting_clarification -> processing | failed | cancelled | expired
**   awaiting_approval      -> processing | failed | cancelled | expired
**   queued                 -> started | cancelled
**   completed, failed, cancelled, expired: terminal
** Setting an active run to the status it already has is allowed (it
** may move the step); anything else outside the table fails with
** "chatflow: invalid run transition completed -> processing (run 7)".
**
** start_run options: on_active (what to do when the conversation has an
** active run) = 'reject' (default: fail with "chatflow: conversation 3
** already has an active run 7 (awaiting_approval)"), 'cancel' (cancel it
** and the queue, start the new run), 'enqueue' (the new run is queued:
** status queued, first in first out; the schema starts the oldest queued
** run when the active one ends, whoever ends it) or 'rollback' (delete it
** with everything it wrote, cancel the queue, start the new run);
** ttl_seconds (how long the run may wait for a person:
** workflow_runs.awaiting_ttl_seconds); uid (the retry key, 1 to 128
** characters, unique per conversation: a start_run with a uid the
** conversation already has returns that run's id and writes nothing, with
** the same workflow — whatever the run became since — and fails "chatflow:
** run uid 'u' already exists in conversation N with workflow 'w'" with
** another; a client that lost the answer of its COMMIT, as at a dqlite
** failover, retries safely).  With reject and enqueue, start_run
** first ends the conversation's active run if it is stale (cfExpireStale:
** the rule of expire_stale_runs); cancel and rollback end it themselves.
** Race-safe: the write lock is taken before the check, and the partial
** unique index workflow_runs_one_active backs it up.
**
** One file past 600 lines because a run's life is one concept: its start
** (with the double-texting strategies and the stale-run rule), every move
** of the state machine, and the reads of a run's status and cost.
**
** NULL input is an error everywhere.  active_run, run_status read only
** (SQLITE_INNOCUOUS, not deterministic: the answer follows the data);
** run_workflow_id is pure; the rest write (SQLITE_DIRECTONLY).
*/
#include "chatflow_int.h"

#include <limits.h>
#include <string.h>

static const char *azStatus[] = {"started", "awaiting_clarification", "awaiting_approval",
                                 "processing", "completed", "failed", "cancelled", "queued",
                                 "expired"};
#define CF_N_STATUS 9

/* The index of status z in azStatus (CF_RUN_STATUSES), or -1. */
int cfRunStatusIndex(const char *z) {
  for (int i = 0; i < CF_N_STATUS; i++) {
    if (strcmp(z, azStatus[i]) == 0) return i;
  }
  return -1;
}

int cfStatusTerminal(const char *z) {
  return strcmp(z, "completed") == 0 || strcmp(z, "failed") == 0 || strcmp(z, "cancelled") == 0 ||
         strcmp(z, "expired") == 0;
}

/* Sets *pbOk to 1 if the move from -> to is allowed: a row of the schema's
** workflow_run_transitions, or (for set_run_status, which may move the step)
** an active status to itself. */
static int cfTransitionOk(CfConn *p, const char *zFrom, const char *zTo, int *pbOk) {
  sqlite3_stmt *pStmt = 0;
  int rc;
  *pbOk = 0;
  if (strcmp(zFrom, zTo) == 0) {
    *pbOk = !cfStatusTerminal(zFrom) && strcmp(zFrom, "queued") != 0;
    return SQLITE_OK;
  }
  rc = cfStmt(p, CF_STMT_TRANSITION,
              "SELECT 1 FROM workflow_run_transitions WHERE from_status = ?1 AND to_status = ?2",
              &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zFrom, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zTo, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    *pbOk = rc == SQLITE_ROW;
    rc = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? SQLITE_OK : rc;
  }
  cfStmtDone(p, pStmt);
  return rc;
}

void cfRunFree(CfRun *r) {
  sqlite3_free(r->zWorkflow);
  sqlite3_free(r->zStep);
  r->zWorkflow = r->zStep = 0;
}

int cfRunLoad(CfConn *p, sqlite3_int64 iRun, CfRun *r, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_RUN_GET,
                  "SELECT conversation_id, current_step, status, workflow FROM workflow_runs WHERE id = ?1",
                  &pStmt);
  memset(r, 0, sizeof(*r));
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(pStmt, 1, iRun);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    r->iId = iRun;
    r->iConv = sqlite3_column_int64(pStmt, 0);
    r->zStep = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
    sqlite3_snprintf(sizeof(r->zStatus), r->zStatus, "%s", sqlite3_column_text(pStmt, 2));
    r->zWorkflow = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
    rc = (r->zStep && r->zWorkflow) ? SQLITE_OK : SQLITE_NOMEM;
  } else if (rc == SQLITE_DONE) {
    *pzErr = sqlite3_mprintf("chatflow: unknown run %lld", iRun);
    rc = SQLITE_NOTFOUND;
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* Loads run iRun for a change: it must exist and not have ended. */
int cfRunLoadLive(CfConn *p, sqlite3_int64 iRun, CfRun *r, const char *zWhat,
                         char **pzErr) {
  int rc = cfRunLoad(p, iRun, r, pzErr);
  if (rc == SQLITE_OK && cfStatusTerminal(r->zStatus)) {
    *pzErr = sqlite3_mprintf("chatflow: run %lld is %s; %s", iRun, r->zStatus, zWhat);
    rc = SQLITE_ERROR;
  } else if (rc == SQLITE_OK && strcmp(r->zStatus, "queued") == 0) {
    *pzErr = sqlite3_mprintf("chatflow: run %lld is queued behind the conversation's active run; "
                             "it takes no work until it starts", iRun);
    rc = SQLITE_ERROR;
  }
  return rc;
}

/* Checks that zStep is a step of zWorkflow; sets *pzErr listing the steps if not. */
static int cfStepCheck(CfConn *p, const char *zWorkflow, const char *zStep, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_STEP_NAMES,
                  "SELECT max(json_extract(s.value, '$.name') = ?2),"
                  "       group_concat(json_extract(s.value, '$.name'), ', ')"
                  "  FROM workflow_definitions AS d, json_each(d.steps) AS s WHERE d.name = ?1",
                  &pStmt);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_text(pStmt, 1, zWorkflow, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, zStep, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    rc = SQLITE_OK;
    if (sqlite3_column_int(pStmt, 0) != 1) {
      *pzErr = sqlite3_mprintf("chatflow: unknown step '%q' for workflow %s (expected %s)", zStep,
                               zWorkflow, sqlite3_column_text(pStmt, 1));
      rc = SQLITE_ERROR;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

int cfStepOnce(sqlite3_stmt *pStmt) {
  int rc = sqlite3_step(pStmt);
  return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? SQLITE_OK : rc;
}

/* For a queued run about to be started by hand: an error naming the
** conversation's active run when it has one. */
static int cfActiveRunError(CfConn *p, const CfRun *r, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_ACTIVE_OF,
                  "SELECT id, status FROM workflow_runs WHERE conversation_id = ?1"
                  " AND " CF_ACTIVE("status"),
                  &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, r->iConv);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *pzErr = sqlite3_mprintf("chatflow: conversation %lld already has an active run %lld (%s); "
                               "run %lld stays queued until it ends",
                               r->iConv, sqlite3_column_int64(pStmt, 0),
                               sqlite3_column_text(pStmt, 1), r->iId);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* Moves run r to zTo (and zStep when not 0), with zError for failed, in one
** UPDATE: each UPDATE of a run fires its triggers once.  zPatch, when not 0,
** is merged into the run's state (json_patch) in the same UPDATE: a step's
** output, or with bAnswer a resume answer without its clarifications and
** approvals keys. */
int cfRunMove(CfConn *p, CfRun *r, const char *zTo, const char *zStep, const char *zError,
              const char *zPatch, int bAnswer, const char *zNow, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc, nLease = 0, bOk = 0;
  rc = cfTransitionOk(p, r->zStatus, zTo, &bOk);
  if (rc != SQLITE_OK) return rc;
  if (!bOk) {
    *pzErr = sqlite3_mprintf("chatflow: invalid run transition %s -> %s (run %lld)", r->zStatus,
                             zTo, r->iId);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (strcmp(r->zStatus, "queued") == 0 && strcmp(zTo, "started") == 0) {
    /* (the schema refuses it too, without the ids) */
    rc = cfActiveRunError(p, r, pzErr);
    if (rc != SQLITE_OK) return rc;
  }
  if (zStep) {
    rc = cfStepCheck(p, r->zWorkflow, zStep, pzErr);
    if (rc != SQLITE_OK) return rc;
  }
  rc = cfSettingInt(p, "runs.lease_seconds", CF_LEASE_SECONDS_DEFAULT, &nLease);
  if (rc != SQLITE_OK) return rc;
  /* A worker moving the run (to started or processing) renews its lease;
  ** a run that waits for a person or has ended holds none. */
  rc = cfStmt(p, CF_STMT_RUN_MOVE,
              "UPDATE workflow_runs SET status = ?2,"
              " current_step = coalesce(?3, current_step),"
              " error = CASE WHEN ?2 = 'failed' THEN ?4 ELSE error END,"
              " completed_at = CASE WHEN ?2 = 'completed' OR ?2 = 'failed' OR ?2 = 'cancelled' OR ?2 = 'expired'"
              "                     THEN ?5 ELSE completed_at END,"
              " lease_expires_at = CASE WHEN ?2 IN ('started', 'processing')"
              "   THEN strftime('%Y-%m-%dT%H:%M:%fZ', ?5, '+' || ?6 || ' seconds') END,"
              " state = CASE WHEN ?7 IS NULL THEN state"
              "              WHEN ?8 THEN json_patch(state, json_remove(?7, '$.clarifications', '$.approvals'))"
              "              ELSE json_patch(state, ?7) END,"
              " updated_at = ?5"
              " WHERE id = ?1",
              &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int(pStmt, 6, nLease);
    sqlite3_bind_int64(pStmt, 1, r->iId);
    sqlite3_bind_text(pStmt, 2, zTo, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 3, zStep, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, zError, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 5, zNow, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 7, zPatch, -1, SQLITE_STATIC);
    sqlite3_bind_int(pStmt, 8, bAnswer);
    rc = cfStepOnce(pStmt);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* ------------------------------------------------------------- start_run */

/* Ends the runs that are stale at zNow — of conversation iConv, or of all
** conversations when iConv is 0 — and sets *pn to how many: a started or
** processing run whose lease has passed fails ('lease expired'), an
** awaiting run past its expires_at expires.  The schema starts the next
** queued run of each conversation freed. */
int cfExpireStale(CfConn *p, const char *zNow, sqlite3_int64 iConv, int *pn) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_EXPIRE,
                  "UPDATE workflow_runs"
                  "   SET status = CASE WHEN status IN ('started', 'processing') THEN 'failed' ELSE 'expired' END,"
                  "       error = CASE WHEN status IN ('started', 'processing') THEN 'lease expired' ELSE error END,"
                  "       completed_at = ?1, updated_at = ?1"
                  " WHERE ((lease_expires_at < ?1 AND status IN ('started', 'processing'))"
                  "        OR (expires_at < ?1"
                  "            AND status IN ('awaiting_clarification', 'awaiting_approval')))"
                  "   AND (?2 = 0 OR conversation_id = ?2)",
                  &pStmt);
  *pn = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zNow, -1, SQLITE_STATIC);
    sqlite3_bind_int64(pStmt, 2, iConv);
    rc = cfStepOnce(pStmt);
    *pn = sqlite3_changes(p->db);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* cancel and rollback end the queue first, so that ending the active run
** starts none of it. */
static const char zSqlQueueCancel[] =
    "UPDATE workflow_runs SET status = 'cancelled', completed_at = ?3, updated_at = ?3,"
    " error = ?4 WHERE conversation_id = ?1 AND status = 'queued'";

/* start_run's on_active strategies. */
#define CF_ON_REJECT 0
#define CF_ON_CANCEL 1
#define CF_ON_ENQUEUE 2
#define CF_ON_ROLLBACK 3

/* Reads what start_run decides on: the conversation (must exist and not
** be deleted), the workflow (must exist), and the active run into *piRun
** (0: none) with its status in zStatus and whether it is stale at zNow. */
static int cfStartCheck(CfConn *p, sqlite3_int64 iConv, const char *zWorkflow,
                        const char *zNow, sqlite3_int64 *piRun, char *zStatus, int nStatus,
                        int *pbStale, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_START_CHECK,
                  "SELECT c.deleted_at IS NOT NULL,"
                  "       (SELECT 1 FROM workflow_definitions WHERE name = ?2),"
                  "       r.id, r.status,"
                  "       (r.lease_expires_at < ?3 AND r.status IN ('started', 'processing'))"
                  "       OR (r.expires_at < ?3"
                  "           AND r.status IN ('awaiting_clarification', 'awaiting_approval'))"
                  "  FROM chat_conversations AS c"
                  "  LEFT JOIN workflow_runs AS r ON r.conversation_id = c.id"
                  "   AND " CF_ACTIVE("r.status")
                  " WHERE c.id = ?1",
                  &pStmt);
  *piRun = 0;
  *pbStale = 0;
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(pStmt, 1, iConv);
  sqlite3_bind_text(pStmt, 2, zWorkflow, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_DONE) {
    *pzErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
    rc = *pzErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
  } else if (rc == SQLITE_ROW) {
    rc = SQLITE_OK;
    if (sqlite3_column_int(pStmt, 0)) {
      *pzErr = sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld) first",
                               iConv, iConv);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if (sqlite3_column_type(pStmt, 1) == SQLITE_NULL) {
      *pzErr = sqlite3_mprintf("chatflow: unknown workflow '%q'", zWorkflow);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if (sqlite3_column_type(pStmt, 2) != SQLITE_NULL) {
      *piRun = sqlite3_column_int64(pStmt, 2);
      sqlite3_snprintf(nStatus, zStatus, "%s", sqlite3_column_text(pStmt, 3));
      *pbStale = sqlite3_column_int(pStmt, 4);
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* Runs zSql with ?1 = iConv (and ?2 = iRun, ?3 = zNow, ?4 = zText when the
** statement names them). */
static int cfStartExec(CfConn *p, int iStmt, const char *zSql, sqlite3_int64 iConv,
                       sqlite3_int64 iRun, const char *zNow, const char *zText) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, iStmt, zSql, &pStmt);
  if (rc == SQLITE_OK) {
    int n = sqlite3_bind_parameter_count(pStmt);
    sqlite3_bind_int64(pStmt, 1, iConv);
    if (n >= 2) sqlite3_bind_int64(pStmt, 2, iRun);
    if (n >= 3) sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
    if (n >= 4) sqlite3_bind_text(pStmt, 4, zText, -1, SQLITE_STATIC);
    rc = cfStepOnce(pStmt);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

static void cfStartRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[4] = {{"on_active", CF_JT_STRING, 0, 0, 0}, {"ttl_seconds", CF_JT_INT, 0, 0, 0},
                       {"uid", CF_JT_STRING, 0, 0, 0}, {"now", CF_JT_STRING, 0, 0, 0}};
  sqlite3_int64 iConv, iRun = 0, iRetry = 0;
  const char *zWorkflow = 0, *zInput = 0, *zOpts = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  char zStatus[32];
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_ERROR, eOn = CF_ON_REJECT, nLease = 0, bStale = 0, nExpired = 0;

  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (cfArgText(ctx, argv[1], "workflow", 100, 0, 0, &zWorkflow)) return;
  if (argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL &&
      cfJsonArgument(ctx, argv[2], "run input", CF_JT_OBJECT, &zInput)) {
    return;
  }
  if (argc > 3 && cfArgOptions(ctx, argv[3], "start_run", &zOpts)) return;
  if (zOpts && (rc = cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(argv[3]), "start_run",
                                       aOpt, 4, &zErr)) != SQLITE_OK) {
    if (zErr == 0) goto done; /* cfJsonOptionsConn has set the error */
    goto fail;
  }
  if (aOpt[0].bPresent) {
    static const char *azOn[] = {"reject", "cancel", "enqueue", "rollback"};
    eOn = -1;
    for (int i = 0; i < 4; i++) {
      if (strcmp(aOpt[0].zVal, azOn[i]) == 0) eOn = i;
    }
    if (eOn < 0) {
      zErr = sqlite3_mprintf("chatflow: invalid on_active '%q' (expected reject, cancel, enqueue, rollback)",
                             aOpt[0].zVal);
      rc = SQLITE_ERROR;
      goto fail;
    }
  }
  if (aOpt[1].bPresent && (aOpt[1].iVal < 0 || aOpt[1].iVal > CF_MAX_AWAITING_TTL)) {
    zErr = sqlite3_mprintf("chatflow: ttl_seconds must be an integer from 0 to %d (0: no limit), got %lld",
                           CF_MAX_AWAITING_TTL, aOpt[1].iVal);
    rc = SQLITE_ERROR;
    goto fail;
  }
  if (aOpt[2].bPresent) {
    int n = cfUtf8Chars((const unsigned char *)aOpt[2].zVal, (int)strlen(aOpt[2].zVal));
    if (n < 1 || n > 128) {
      zErr = sqlite3_mprintf("chatflow: run uid must be a string of 1 to 128 characters, got %d characters", n);
      rc = SQLITE_ERROR;
      goto fail;
    }
  }
  if (cfCallTimeSet(p, aOpt[3].bPresent ? aOpt[3].zVal : 0, &zErr)) {
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto fail;
  }
  cfNow(p, zNow);
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) goto fail;
  if (aOpt[2].bPresent) {
    /* A uid the conversation has: a retry (the run started then, whatever
    ** it became since: its id, no write) or an error. */
    rc = cfStmt(p, CF_STMT_RUN_RETRY,
                "SELECT id, workflow IS ?3, workflow FROM workflow_runs WHERE conversation_id = ?1 AND uid = ?2",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, aOpt[2].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zWorkflow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (sqlite3_column_int(pStmt, 1)) {
          iRetry = sqlite3_column_int64(pStmt, 0);
        } else {
          zErr = sqlite3_mprintf("chatflow: run uid '%q' already exists in conversation %lld with workflow '%q'",
                                 aOpt[2].zVal, iConv, (const char *)sqlite3_column_text(pStmt, 2));
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc != SQLITE_OK || iRetry) {
      if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, iRetry);
      goto done;
    }
  }
  rc = cfStartCheck(p, iConv, zWorkflow, zNow, &iRun, zStatus, (int)sizeof(zStatus), &bStale, &zErr);
  if (rc == SQLITE_OK && bStale && (eOn == CF_ON_REJECT || eOn == CF_ON_ENQUEUE)) {
    /* The same rule as expire_stale_runs(), for this conversation; the
    ** schema may start its next queued run, so look again.  (cancel and
    ** rollback end the active run themselves, stale or not: a rollback
    ** deletes what a dead worker half wrote.) */
    rc = cfExpireStale(p, zNow, iConv, &nExpired);
    if (rc == SQLITE_OK) {
      rc = cfStartCheck(p, iConv, zWorkflow, zNow, &iRun, zStatus, (int)sizeof(zStatus), &bStale,
                        &zErr);
    }
  }
  if (rc == SQLITE_OK && iRun) {
    switch (eOn) {
      case CF_ON_REJECT:
        zErr = sqlite3_mprintf("chatflow: conversation %lld already has an active run %lld (%s)", iConv,
                               iRun, zStatus);
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        break;
      case CF_ON_CANCEL: {
        /* The queue first, so that ending the active run starts none of it. */
        CfRun r;
        memset(&r, 0, sizeof(r));
        rc = cfStartExec(p, CF_STMT_QUEUE_CANCEL, zSqlQueueCancel, iConv, iRun, zNow,
                         eOn == CF_ON_CANCEL ? "replaced: on_active cancel" : "replaced: on_active rollback");
        if (rc == SQLITE_OK) rc = cfRunLoad(p, iRun, &r, &zErr);
        if (rc == SQLITE_OK) rc = cfRunMove(p, &r, "cancelled", 0, 0, 0, 0, zNow, &zErr);
        cfRunFree(&r);
        break;
      }
      case CF_ON_ROLLBACK:
        /* The queue is cancelled (its runs keep the messages given to
        ** them), then the active run is deleted with everything it wrote
        ** (workflow_runs_cascade: its messages, proposals, events and
        ** checkpoint; the counters and search index follow the messages). */
        rc = cfStartExec(p, CF_STMT_QUEUE_CANCEL, zSqlQueueCancel, iConv, iRun, zNow,
                         eOn == CF_ON_CANCEL ? "replaced: on_active cancel" : "replaced: on_active rollback");
        if (rc == SQLITE_OK) {
          rc = cfStartExec(p, CF_STMT_RUN_ROLLBACK,
                           "DELETE FROM workflow_runs WHERE conversation_id = ?1 AND id = ?2",
                           iConv, iRun, 0, 0);
        }
        break;
      default: /* CF_ON_ENQUEUE: inserted as queued below */
        break;
    }
  }
  if (rc == SQLITE_OK) rc = cfSettingInt(p, "runs.lease_seconds", CF_LEASE_SECONDS_DEFAULT, &nLease);
  if (rc == SQLITE_OK) {
    rc = cfStmt(p, CF_STMT_RUN_INSERT,
                "INSERT INTO workflow_runs (conversation_id, workflow, status, current_step, state,"
                " lease_expires_at, started_at, created_at, updated_at, awaiting_ttl_seconds, uid)"
                " VALUES (?1, ?2, CASE WHEN ?6 THEN 'queued' ELSE 'started' END,"
                " (SELECT json_extract(steps, '$[0].name') FROM workflow_definitions WHERE name = ?2),"
                " coalesce(json(?3), '{}'),"
                " CASE WHEN NOT ?6 THEN strftime('%Y-%m-%dT%H:%M:%fZ', ?4, '+' || ?5 || ' seconds') END,"
                " ?4, ?4, ?4, ?7, ?8)",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, zWorkflow, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zInput, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_int(pStmt, 5, nLease);
      sqlite3_bind_int(pStmt, 6, iRun != 0 && eOn == CF_ON_ENQUEUE);
      if (aOpt[1].bPresent) sqlite3_bind_int64(pStmt, 7, aOpt[1].iVal);
      if (aOpt[2].bPresent) sqlite3_bind_text(pStmt, 8, aOpt[2].zVal, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      iRun = sqlite3_last_insert_rowid(p->db);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, iRun);
  goto done;
fail:
  /* Before the write, or cfBeginWrite failed (it has undone itself): the
  ** message, or out of memory when there is none, with rc's code. */
  cfResultErrorMsg(ctx, zErr);
  cfResultCode(ctx, rc);
done:
  cfJsonOptionsFree(aOpt, 4);
}

/* ------------------------------------------------------------ transitions */

/* set_run_status / cancel_run / complete_run / fail_run share this. */
static void cfTransition(sqlite3_context *ctx, sqlite3_value *vRun, const char *zTo,
                         const char *zStep, const char *zError) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iRun;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  CfRun r;
  int rc;
  if (cfArgId(ctx, vRun, "run id", &iRun)) return;
  cfNow(p, zNow);
  memset(&r, 0, sizeof(r));
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfRunLoad(p, iRun, &r, &zErr);
  if (rc == SQLITE_OK) rc = cfRunMove(p, &r, zTo, zStep, zError, 0, 0, zNow, &zErr);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  cfRunFree(&r);
}

static void cfSetRunStatusFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *zStatus = 0, *zStep = 0;
  if (cfArgText(ctx, argv[1], "status", 40, 0, 1, &zStatus)) return;
  if (cfRunStatusIndex(zStatus) < 0) {
    cfResultError(ctx, "chatflow: invalid run status '%s' (expected " CF_RUN_STATUSES ")", zStatus);
    return;
  }
  if (argc > 2 && cfArgText(ctx, argv[2], "step", 100, 1, 0, &zStep)) return;
  cfTransition(ctx, argv[0], zStatus, zStep, 0);
}

static void cfCancelRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  cfTransition(ctx, argv[0], "cancelled", 0, 0);
}

static void cfCompleteRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  cfTransition(ctx, argv[0], "completed", 0, 0);
}

static void cfFailRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const char *zError = 0;
  (void)argc;
  if (cfArgText(ctx, argv[1], "error", CF_MAX_ERROR_CHARS, 0, 0, &zError)) return;
  cfTransition(ctx, argv[0], "failed", 0, zError);
}

/* ------------------------------------------------------------------ reads */

/* Runs a one-row read query with ?1 bound to iId; the first column is
** the result.  zMissing names what an empty result means. */
static void cfReadOne(sqlite3_context *ctx, const char *zSql, sqlite3_int64 iId,
                      const char *zMissing) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_stmt *pStmt = 0;
  int rc;
  if (cfSchemaResult(ctx, p)) {
    return;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iId);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      const char *z = (const char *)sqlite3_column_text(pStmt, 0);
      int n = sqlite3_column_bytes(pStmt, 0);
      rc = SQLITE_OK;
      if (sqlite3_column_type(pStmt, 0) == SQLITE_TEXT && z && !cfUtf8Valid((const unsigned char *)z, n)) {
        /* JSON is UTF-8: invalid bytes a raw write stored come out as
        ** U+FFFD, as export_conversation gives them */
        int nOut = 0;
        char *zOut = cfUtf8Repair(z, n, &nOut);
        if (zOut) sqlite3_result_text(ctx, zOut, nOut, sqlite3_free);
        else sqlite3_result_error_nomem(ctx);
      } else {
        sqlite3_result_value(ctx, sqlite3_column_value(pStmt, 0));
      }
    } else if (rc == SQLITE_DONE) {
      cfResultError(ctx, "chatflow: unknown %s %lld", zMissing, iId);
      rc = SQLITE_OK;
    }
  }
  if (rc != SQLITE_OK) cfResultErrorFromDb(ctx, p->db, rc);
  sqlite3_finalize(pStmt);
}

static void cfActiveRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iConv;
  (void)argc;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  cfReadOne(ctx,
            "SELECT (SELECT r.id FROM workflow_runs AS r WHERE r.conversation_id = c.id"
            "          AND " CF_ACTIVE("r.status") ")"
            "  FROM chat_conversations AS c WHERE c.id = ?1",
            iConv, "conversation");
}

static void cfRunStatusFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iRun;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  cfReadOne(ctx,
            "SELECT json_object('id', id, 'conversation_id', conversation_id,"
            " 'workflow', workflow, 'status', status, 'current_step', current_step,"
            " 'is_active', json(CASE WHEN " CF_ACTIVE("status")
            "                   THEN 'true' ELSE 'false' END),"
            " 'is_awaiting_input', json(CASE WHEN status IN ('awaiting_clarification',"
            "                   'awaiting_approval') THEN 'true' ELSE 'false' END),"
            " 'started_at', started_at, 'completed_at', completed_at, 'error', error,"
            " 'expires_at', expires_at,"
            " 'queue_position', CASE WHEN status = 'queued' THEN"
            "   (SELECT count(*) FROM workflow_runs AS q WHERE q.conversation_id = r.conversation_id"
            "       AND q.status = 'queued' AND q.id <= r.id) END)"
            " FROM workflow_runs AS r WHERE id = ?1",
            iRun, "run");
}

/* A message's metadata member at path when it is an integer (or an
** integer-valued real), else NULL. */
#define CF_META_INT(zPath) CF_SQL_INTEGER_OF("json_extract(metadata, '" zPath "')")

/* What a run cost: its messages' tokens (see the header).  Per message:
** input = metadata tokens.input | totalUsage.inputTokens | usage.inputTokens
** (chatflow's form, then the AI SDK's: totalUsage counts every step of the
** message, usage its last), else 0; output = tokens.output |
** totalUsage.outputTokens | usage.outputTokens, else the message's tokens
** for an assistant message and 0 for the others; total = tokens.total |
** totalUsage.totalTokens | usage.totalTokens, else input + output. */
static void cfRunUsageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iRun;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  cfReadOne(ctx,
            "WITH m AS (SELECT seq, coalesce(workflow_step, '') AS step, i, o,"
            "                  coalesce(t, i + o) AS t"
            "             FROM (SELECT seq, workflow_step,"
            "                          coalesce(" CF_META_INT("$.tokens.input") ", "
                                       CF_META_INT("$.totalUsage.inputTokens") ", "
                                       CF_META_INT("$.usage.inputTokens") ", 0) AS i,"
            "                          coalesce(" CF_META_INT("$.tokens.output") ", "
                                       CF_META_INT("$.totalUsage.outputTokens") ", "
                                       CF_META_INT("$.usage.outputTokens") ","
            "                                   CASE WHEN role = 'assistant' THEN tokens ELSE 0 END) AS o,"
            "                          coalesce(" CF_META_INT("$.tokens.total") ", "
                                       CF_META_INT("$.totalUsage.totalTokens") ", "
                                       CF_META_INT("$.usage.totalTokens") ") AS t"
            "                     FROM chat_messages WHERE run_id = ?1))"
            " SELECT json_object('messages', (SELECT count(*) FROM m),"
            "   'input_tokens', (SELECT coalesce(sum(i), 0) FROM m),"
            "   'output_tokens', (SELECT coalesce(sum(o), 0) FROM m),"
            "   'total_tokens', (SELECT coalesce(sum(t), 0) FROM m),"
            "   'by_step', (SELECT json_group_object(step, json_object('messages', n, 'total_tokens', t))"
            "                 FROM (SELECT step, count(*) AS n, sum(t) AS t FROM m"
            "                        GROUP BY step ORDER BY min(seq))))"
            " FROM workflow_runs WHERE id = ?1",
            iRun, "run");
}

static void cfMergeRunStateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iRun;
  const char *zPatch = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  CfRun r;
  int rc;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  if (cfJsonArgument(ctx, argv[1], "state patch", CF_JT_OBJECT, &zPatch)) return;
  cfNow(p, zNow);
  memset(&r, 0, sizeof(r));
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfRunLoadLive(p, iRun, &r, "its state can no longer change", &zErr);
  if (rc == SQLITE_OK) {
    rc = cfStmt(p, CF_STMT_STATE_MERGE,
                "UPDATE workflow_runs SET state = json_patch(state, ?2), updated_at = ?3"
                " WHERE id = ?1 RETURNING state",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iRun);
      sqlite3_bind_text(pStmt, 2, zPatch, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        /* invalid UTF-8 raw SQL left in the state shows as U+FFFD, as in
        ** run_status */
        const char *zState = (const char *)sqlite3_column_text(pStmt, 0);
        if (zState == 0) {
          rc = SQLITE_NOMEM; /* the state is NOT NULL: the copy failed; undone */
        } else {
          cfResultUtf8(ctx, zState, sqlite3_column_bytes(pStmt, 0), SQLITE_TRANSIENT);
          rc = sqlite3_step(pStmt);
        }
      }
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    cfStmtDone(p, pStmt);
  }
  cfFinish(ctx, p, rc, &zErr);
  cfRunFree(&r);
}

static void cfRunWorkflowIdFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iRun;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  sqlite3_result_text(ctx, sqlite3_mprintf("run_%lld", iRun), -1, sqlite3_free);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED_OPTS(cfSetRunStatusFunc, 3, "set_run_status")
CF_TIMED_OPTS(cfCancelRunFunc, 1, "cancel_run")
CF_TIMED_OPTS(cfCompleteRunFunc, 1, "complete_run")
CF_TIMED_OPTS(cfFailRunFunc, 2, "fail_run")
CF_TIMED_OPTS(cfMergeRunStateFunc, 2, "merge_run_state")
CF_TIMED(cfStartRunFunc)

int cfRegisterRuns(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* write the database */
    {"start_run", 2, CF_WRITES, cfStartRunFunc},
    {"start_run", 3, CF_WRITES, cfStartRunFunc},
    {"start_run", 4, CF_WRITES, cfStartRunFuncTimed},
    {"set_run_status", 2, CF_WRITES, cfSetRunStatusFunc},
    {"set_run_status", 3, CF_WRITES, cfSetRunStatusFunc},
    {"set_run_status", 4, CF_WRITES, cfSetRunStatusFuncTimed},
    {"cancel_run", 1, CF_WRITES, cfCancelRunFunc},
    {"cancel_run", 2, CF_WRITES, cfCancelRunFuncTimed},
    {"complete_run", 1, CF_WRITES, cfCompleteRunFunc},
    {"complete_run", 2, CF_WRITES, cfCompleteRunFuncTimed},
    {"fail_run", 2, CF_WRITES, cfFailRunFunc},
    {"fail_run", 3, CF_WRITES, cfFailRunFuncTimed},
    {"merge_run_state", 2, CF_WRITES, cfMergeRunStateFunc},
    {"merge_run_state", 3, CF_WRITES, cfMergeRunStateFuncTimed},
    /* read the database: safe anywhere, but not deterministic */
    {"active_run", 1, CF_READS, cfActiveRunFunc},
    {"run_status", 1, CF_READS, cfRunStatusFunc},
    {"run_usage", 1, CF_READS, cfRunUsageFunc},
    /* a function of its argument only */
    {"run_workflow_id", 1, CF_PURE, cfRunWorkflowIdFunc},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
