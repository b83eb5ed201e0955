/*
** workflow.c — stepping a run through its workflow definition, the
** answers a waiting run gets, proposals, and leases.
**
**   advance_run(run_id [, output_json [, options]]) -> {"status", "current_step"}
**   resume_run(run_id, answer_json [, options]) -> {"status", "current_step"}
**   add_clarification(run_id, question_id, question, answer [, options]) -> 1
**   set_business_context(run_id, context_json [, options]) -> 1
**   add_proposal(run_id, kind, proposed_name [, rationale [, options]]) -> proposal id
**   validate_proposal(proposal_id, validation_json [, options]) -> 1
**   approve_proposal(proposal_id [, approved_name [, options]]) -> 1
**   reject_proposal(proposal_id [, reason [, options]])       -> 1
**   heartbeat_run(run_id [, seconds [, options]]) -> 1 (lease_expires_at moves)
**   expire_stale_runs([options])               -> number of runs failed or expired
**
** Example (the shipped topical_map workflow):
**   SELECT advance_run(7, '{"context": "bakery"}');
**     -- {"status":"awaiting_clarification","current_step":"clarification"}
**   SELECT resume_run(7, '{"clarifications": [{"question_id": "q1",
**                          "question": "Audience?", "answer": "locals"}]}');
**     -- {"status":"processing","current_step":"clarification"}
**
** advance_run finishes the current step: the output object is merged into
** the run's state (RFC 7396), and the run moves to the next step of its
** workflow — to awaiting_clarification / awaiting_approval when that step
** awaits input, else to processing; past the last step it is completed.
** A run that awaits input must be resumed first; a terminal run cannot
** advance.
**
** resume_run is accepted only from an awaiting status and moves the run to
** processing at the same step, so the same wait can never be resumed
** twice.  "clarifications" entries are appended to the run's
** clarifications with answered_at (each answer, as add_clarification's,
** at most limits.max_content_chars characters: cfClarifyAnswerCheck);
** "approvals" approve proposals of this
** run (approved_name defaults to proposed_name); every other key is merged
** into state.
**
** approve_proposal and reject_proposal record a person's decision on one
** proposal while its run is active (any non-terminal status; an ended run
** is an error naming its status): approving sets user_approved,
** approved_at and approved_name (default proposed_name, at most 500
** characters) and clears a rejection; rejecting sets rejected_at and
** rejection_reason (optional, at most 2000 characters) and clears an
** approval.  The last decision stands; resume_run's approvals write
** through the same function (cfProposalDecide).
**
** Leases: start_run, and every move to started or processing, give the
** run a lease of runs.lease_seconds (default 300); heartbeat_run extends
** it.  A run that awaits input waits for a person, not a worker: it holds
** no lease, and heartbeat_run refuses it; it expires at its expires_at
** when its awaiting_ttl_seconds (or runs.awaiting_ttl_seconds) gives one.
** expire_stale_runs() fails every started or processing run whose lease has
** passed, with error 'lease expired' (the event log records it), moves
** every awaiting run past its expires_at to expired, aborts every streaming
** draft idle for messages.draft_timeout_seconds (drafts.c), and returns how
** many runs and drafts it ended (cfExpireStale in runs.c, which start_run
** applies to its conversation).
**
** NULL input is an error everywhere.  All of these write, so they are
** SQLITE_DIRECTONLY; each runs in one SAVEPOINT and writes nothing on error.
*/
#include "chatflow_int.h"

#include <string.h>

/* The run's next step after its current one: *pzNext (sqlite3_malloc'd) and
** *pzAwaits (or 0), or *pzNext == 0 when the current step is the last.  A
** current step the workflow does not have is an error, never "the last". */
static int cfNextStep(CfConn *p, CfRun *r, char **pzNext, char **pzAwaits, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_NEXT_STEP,
                  "SELECT json_extract(n.value, '$.name'), json_extract(n.value, '$.awaits')"
                  "  FROM workflow_definitions AS d, json_each(d.steps) AS c"
                  "  LEFT JOIN json_each(d.steps) AS n ON n.key = c.key + 1"
                  " WHERE d.name = ?1 AND json_extract(c.value, '$.name') = ?2",
                  &pStmt);
  *pzNext = *pzAwaits = 0;
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_text(pStmt, 1, r->zWorkflow, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 2, r->zStep, -1, SQLITE_STATIC);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    rc = SQLITE_OK;
    if (sqlite3_column_type(pStmt, 0) != SQLITE_NULL) {
      *pzNext = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
      if (*pzNext == 0) rc = SQLITE_NOMEM;
    }
    if (sqlite3_column_type(pStmt, 1) == SQLITE_TEXT) {
      /* Unchecked, a failed copy read as "awaits nothing" and moved a
      ** step that waits for a person to processing. */
      *pzAwaits = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
      if (*pzAwaits == 0) rc = SQLITE_NOMEM;
    }
  } else if (rc == SQLITE_DONE) {
    *pzErr = sqlite3_mprintf("chatflow: run %lld is at step '%q', which workflow %s does not have",
                             r->iId, r->zStep, r->zWorkflow);
    rc = SQLITE_ERROR;
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* Runs zSql, cached in slot iStmt (a statement on workflow_runs compiles
** its triggers: preparing it at every call cost more than the call), with
** ?1 = iId, ?2 = zText (may be 0), ?3 = zNow. */
static int cfExecRun(CfConn *p, int iStmt, const char *zSql, sqlite3_int64 iId, const char *zText,
                     const char *zNow) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, iStmt, zSql, &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iId);
    if (zText) sqlite3_bind_text(pStmt, 2, zText, -1, SQLITE_STATIC);
    if (zNow) sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
    rc = cfStepOnce(pStmt);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* The run of proposal iProp (*piRun), inside the call's write;
** SQLITE_NOTFOUND with *pzErr for an unknown proposal. */
static int cfProposalRun(CfConn *p, sqlite3_int64 iProp, sqlite3_int64 *piRun, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_PROPOSAL_RUN, "SELECT run_id FROM workflow_proposals WHERE id = ?1", &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iProp);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *piRun = sqlite3_column_int64(pStmt, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      *pzErr = sqlite3_mprintf("chatflow: unknown proposal %lld", iProp);
      rc = *pzErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}
/* The one place a person's decision on a proposal is written (resume_run's
** approvals, approve_proposal, reject_proposal): approving sets
** user_approved, approved_at and approved_name (zText, or proposed_name
** when 0) and clears a rejection; rejecting sets rejected_at and
** rejection_reason (zText, may be 0) and clears an approval.  The last
** decision stands. */
static int cfProposalDecide(CfConn *p, sqlite3_int64 iProp, int bApprove, const char *zText,
                            const char *zNow) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_RESUME_APPROVE,
                  "UPDATE workflow_proposals SET user_approved = ?2,"
                  " approved_at = CASE WHEN ?2 THEN ?4 END,"
                  " approved_name = CASE WHEN ?2 THEN coalesce(?3, proposed_name) END,"
                  " rejected_at = CASE WHEN ?2 THEN NULL ELSE ?4 END,"
                  " rejection_reason = CASE WHEN ?2 THEN NULL ELSE ?3 END"
                  " WHERE id = ?1",
                  &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iProp);
    sqlite3_bind_int(pStmt, 2, bApprove);
    sqlite3_bind_text(pStmt, 3, zText, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, zNow, -1, SQLITE_STATIC);
    rc = cfStepOnce(pStmt);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* approve_proposal(proposal_id [, approved_name]) (bApprove 1) and
** reject_proposal(proposal_id [, reason]) (0): while the proposal's run is
** active. */
static void cfDecide(sqlite3_context *ctx, int argc, sqlite3_value **argv, int bApprove) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iProp, iRun = 0;
  const char *zText = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  CfRun r;
  int rc;
  if (cfArgId(ctx, argv[0], "proposal id", &iProp)) return;
  if (argc > 1 && cfArgText(ctx, argv[1], bApprove ? "approved_name" : "reason", bApprove ? 500 : 2000, 1, 0,
                            &zText)) {
    return;
  }
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfProposalRun(p, iProp, &iRun, &zErr);
  if (rc == SQLITE_OK) {
    rc = cfRunLoadLive(p, iRun, &r, bApprove ? "its proposals can no longer be approved"
                                             : "its proposals can no longer be rejected", &zErr);
  }
  if (rc == SQLITE_OK) rc = cfProposalDecide(p, iProp, bApprove, zText, zNow);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  cfRunFree(&r);
}

static void cfApproveFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  cfDecide(ctx, argc, argv, 1);
}
static void cfRejectFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  cfDecide(ctx, argc, argv, 0);
}

/* The {"status", "current_step"} of run iRun in *pz (sqlite3_malloc'd).
** The caller makes it the result only once the write is committed, handing
** it over with sqlite3_free as destructor: that cannot fail for lack of
** memory, so a committed call never reports an error. */
static int cfStatusJson(CfConn *p, sqlite3_int64 iRun, char **pz) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_STATUS_JSON,
                  "SELECT json_object('status', status, 'current_step', current_step)"
                  "  FROM workflow_runs WHERE id = ?1",
                  &pStmt);
  *pz = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iRun);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      const char *z = (const char *)sqlite3_column_text(pStmt, 0);
      *pz = z ? sqlite3_mprintf("%s", z) : 0;
      rc = *pz ? SQLITE_OK : SQLITE_NOMEM;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_CORRUPT; /* the run was loaded in this transaction */
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

static int cfAwaiting(const CfRun *r) { return strncmp(r->zStatus, "awaiting_", 9) == 0; }

/* ----------------------------------------------------------- advance_run */

static void cfAdvanceRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iRun;
  const char *zOutput = 0;
  char *zErr = 0, *zNext = 0, *zAwaits = 0, *zTo = 0, *zStatus = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  CfRun r;
  int rc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL &&
      cfJsonArgument(ctx, argv[1], "step output", CF_JT_OBJECT, &zOutput)) {
    return;
  }
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) goto done;
  rc = cfRunLoadLive(p, iRun, &r, "it cannot advance", &zErr);
  if (rc == SQLITE_OK && cfAwaiting(&r)) {
    zErr = sqlite3_mprintf("chatflow: run %lld is %s; resume_run(%lld, answer) before advancing it",
                           iRun, r.zStatus, iRun);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  /* the output merges into state in the UPDATE that moves the run */
  if (rc == SQLITE_OK) rc = cfNextStep(p, &r, &zNext, &zAwaits, &zErr);
  if (rc == SQLITE_OK) {
    if (zNext == 0) {
      rc = cfRunMove(p, &r, "completed", 0, 0, zOutput, 0, zNow, &zErr);
    } else {
      zTo = zAwaits ? sqlite3_mprintf("awaiting_%s", zAwaits) : sqlite3_mprintf("processing");
      rc = zTo ? cfRunMove(p, &r, zTo, zNext, 0, zOutput, 0, zNow, &zErr) : SQLITE_NOMEM;
    }
  }
  if (rc == SQLITE_OK) rc = cfStatusJson(p, iRun, &zStatus);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) {
    sqlite3_result_text(ctx, zStatus, -1, sqlite3_free);
    zStatus = 0;
  }
done:
  if (zErr) {
    cfResultErrorMsg(ctx, zErr);
  }
  sqlite3_free(zStatus);
  sqlite3_free(zNext);
  sqlite3_free(zAwaits);
  sqlite3_free(zTo);
  cfRunFree(&r);
}

/* ---------------------------------------------- a clarification's answer */

/* The limit of a clarification's answer, for add_clarification's answer
** (zOne) and resume_run's clarifications (zResume: the resume answer,
** whose entries cfJsonResumeCheck has checked) alike: an answer is the
** user's text, so it has a message's content limit, the setting
** limits.max_content_chars (default 100,000 characters).  Called inside
** the write bracket, which reads the setting.  The first answer over the
** limit is named with its length: "chatflow: answer is N characters,
** longer than the limit of L (limits.max_content_chars)", for resume_run
** "clarifications[i].answer is ...".  Returns SQLITE_OK; SQLITE_ERROR
** with *pzErr; or the database's error. */
static int cfClarifyAnswerCheck(CfConn *p, const char *zOne, const char *zResume, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int nMax = 0;
  int rc = cfMaxContentChars(p, &nMax);
  if (rc == SQLITE_OK) {
    rc = cfStmt(p, CF_STMT_CLARIFY_LIMIT,
                "SELECT i, n FROM (SELECT -1 AS i, length(?1) AS n"
                "                  UNION ALL"
                "                  SELECT key, length(json_extract(value, '$.answer'))"
                "                    FROM json_each(?2, '$.clarifications'))"
                " WHERE n > ?3 ORDER BY i LIMIT 1",
                &pStmt);
  }
  if (rc == SQLITE_OK) {
    if (zOne) sqlite3_bind_text(pStmt, 1, zOne, -1, SQLITE_STATIC);
    if (zResume) sqlite3_bind_text(pStmt, 2, zResume, -1, SQLITE_STATIC);
    sqlite3_bind_int(pStmt, 3, nMax);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    } else if (rc == SQLITE_ROW) {
      int i = sqlite3_column_int(pStmt, 0);
      sqlite3_int64 n = sqlite3_column_int64(pStmt, 1);
      if (i < 0) {
        *pzErr = sqlite3_mprintf("chatflow: answer is %lld characters, longer than the limit of %d"
                                 " (limits.max_content_chars)", n, nMax);
      } else {
        *pzErr = sqlite3_mprintf("chatflow: clarifications[%d].answer is %lld characters, longer than the"
                                 " limit of %d (limits.max_content_chars)", i, n, nMax);
      }
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* ------------------------------------------------------------ resume_run */

static void cfResumeRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iRun;
  const char *zAnswer = 0;
  char *zErr = 0, *zStatus = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  CfRun r;
  int rc, nClar = 0, nAppr = 0;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  if (cfArgText(ctx, argv[1], "resume answer", 0, 0, 0, &zAnswer)) return;
  rc = cfJsonResumeCheck(p, zAnswer, sqlite3_value_bytes(argv[1]), &nClar, &nAppr, &zErr);
  if (rc != SQLITE_OK) {
    if (zErr == 0) {
      cfResultErrorFromDb(ctx, p->db, rc); /* SQLITE_NOMEM, SQLITE_TOOBIG */
    } else {
      cfResultErrorMsg(ctx, zErr);
      cfResultCode(ctx, rc); /* the check reads with SQL: SQLITE_IOERR_* kept */
    }
    return;
  }
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) goto done;
  rc = cfRunLoadLive(p, iRun, &r, "it cannot be resumed", &zErr);
  if (rc == SQLITE_OK && !cfAwaiting(&r)) {
    zErr = sqlite3_mprintf("chatflow: run %lld is not awaiting input (%s); nothing to resume", iRun,
                           r.zStatus);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK && nClar > 0) rc = cfClarifyAnswerCheck(p, 0, zAnswer, &zErr);
  /* Clarifications, appended in order.  One entry (the usual answer):
  ** json_insert onto the run's array.  More: one UPDATE for all of them,
  ** the new entries as one JSON array spliced onto the run's as text (both
  ** minified by json(); the column's CHECK validates the result), so the
  ** answer is read once however many entries it holds (an UPDATE per entry
  ** read the whole answer and rewrote the growing array each time:
  ** quadratic, with the write lock held).  Both take an entry from the
  ** answer with CF_SQL_CLARIFICATION; a question_id written as an
  ** integer-valued real (5.0: a JavaScript number through json_object) is
  ** stored as the integer. */
#define CF_SQL_CLARIFICATION(v) \
  "json_object('question_id', CASE json_type(" v ", '$.question_id')" \
  "                             WHEN 'real' THEN CAST(json_extract(" v ", '$.question_id') AS INTEGER)" \
  "                             ELSE json_extract(" v ", '$.question_id') END," \
  "            'question', json_extract(" v ", '$.question'), 'answer', json_extract(" v ", '$.answer')," \
  "            'answered_at', ?3)"
  if (rc == SQLITE_OK && nClar == 1) {
    rc = cfExecRun(p, CF_STMT_RESUME_CLARIFY,
                   "UPDATE workflow_runs SET clarifications = json_insert(clarifications, '$[#]',"
                   " " CF_SQL_CLARIFICATION("json_extract(?2, '$.clarifications[0]')") ")"
                   " WHERE id = ?1",
                   iRun, zAnswer, zNow);
  } else if (rc == SQLITE_OK && nClar > 1) {
    rc = cfExecRun(
        p, CF_STMT_RESUME_CLARIFY_MANY,
        "UPDATE workflow_runs SET clarifications = (SELECT"
        "   CASE WHEN o = '[]' THEN n ELSE substr(o, 1, length(o) - 1) || ',' || substr(n, 2) END"
        "  FROM (SELECT json(workflow_runs.clarifications) AS o,"
        "               (SELECT json_group_array(json(j)) FROM"
        "                 (SELECT " CF_SQL_CLARIFICATION("value") " AS j"
        "                    FROM json_each(?2, '$.clarifications') ORDER BY key)) AS n))"
        " WHERE id = ?1",
        iRun, zAnswer, zNow);
  }
#undef CF_SQL_CLARIFICATION
  /* Approvals: each names a proposal of this run.  Read in one pass (the
  ** answer parsed once), then decided one by one in order. */
  if (rc == SQLITE_OK && nAppr > 0) {
    sqlite3_int64 *aProp = sqlite3_malloc64(sizeof(sqlite3_int64) * (sqlite3_uint64)nAppr);
    char **azName = sqlite3_malloc64(sizeof(char *) * (sqlite3_uint64)nAppr);
    int nRead = 0;
    if (aProp == 0 || azName == 0) rc = SQLITE_NOMEM;
    if (rc == SQLITE_OK) {
      rc = cfStmt(p, CF_STMT_APPROVAL,
                  "SELECT q.id, q.run_id, CAST(json_extract(a.value, '$.proposal_id') AS INTEGER),"
                  "       json_extract(a.value, '$.approved_name')"
                  "  FROM json_each(?2, '$.approvals') AS a LEFT JOIN workflow_proposals AS q"
                  "    ON q.id = CAST(json_extract(a.value, '$.proposal_id') AS INTEGER)"
                  " ORDER BY a.key",
                  &pStmt);
    }
    if (rc == SQLITE_OK) sqlite3_bind_text(pStmt, 2, zAnswer, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && nRead < nAppr && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      sqlite3_int64 iProp = sqlite3_column_int64(pStmt, 2);
      rc = SQLITE_OK;
      if (sqlite3_column_type(pStmt, 0) == SQLITE_NULL) {
        zErr = sqlite3_mprintf("chatflow: unknown proposal %lld", iProp);
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (sqlite3_column_int64(pStmt, 1) != iRun) {
        zErr = sqlite3_mprintf("chatflow: proposal %lld belongs to run %lld, not %lld", iProp,
                               sqlite3_column_int64(pStmt, 1), iRun);
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
      if (rc == SQLITE_OK) {
        azName[nRead] = 0;
        if (sqlite3_column_type(pStmt, 3) != SQLITE_NULL) {
          azName[nRead] = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
          if (azName[nRead] == 0) rc = SQLITE_NOMEM;
        }
        aProp[nRead++] = iProp;
      }
    }
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) rc = SQLITE_OK; /* (nAppr rows: the check counted them) */
    cfStmtDone(p, pStmt);
    pStmt = 0;
    for (int i = 0; rc == SQLITE_OK && i < nRead; i++) {
      rc = cfProposalDecide(p, aProp[i], 1, azName[i], zNow);
    }
    for (int i = 0; azName && i < nRead; i++) sqlite3_free(azName[i]);
    sqlite3_free(azName);
    sqlite3_free(aProp);
  }
  /* Every other key merges into state, in the UPDATE that moves the run. */
  if (rc == SQLITE_OK) rc = cfRunMove(p, &r, "processing", 0, 0, zAnswer, 1, zNow, &zErr);
  if (rc == SQLITE_OK) rc = cfStatusJson(p, iRun, &zStatus);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) {
    sqlite3_result_text(ctx, zStatus, -1, sqlite3_free);
    zStatus = 0;
  }
done:
  if (zErr) {
    cfResultErrorMsg(ctx, zErr);
  }
  sqlite3_free(zStatus);
  cfRunFree(&r);
}

/* ------------------------------------------- clarification, context, lease */

/* The common frame of the small run writers: loads a live run, runs zSql
** (cached in slot iStmt) with ?1 run id, ?2 zText, ?3 now, and returns 1. */
static void cfRunWrite(sqlite3_context *ctx, sqlite3_int64 iRun, int iStmt, const char *zSql,
                       const char *zText, const char *zWhat) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  CfRun r;
  int rc;
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfRunLoadLive(p, iRun, &r, zWhat, &zErr);
  if (rc == SQLITE_OK) rc = cfExecRun(p, iStmt, zSql, iRun, zText, zNow);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  cfRunFree(&r);
}

static void cfAddClarificationFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iRun, iQuestionId = 0;
  const char *zQuestion = 0, *zAnswer = 0, *zId = 0;
  int eId;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  eId = sqlite3_value_type(argv[1]);
  if (cfValueInteger(argv[1], &iQuestionId)) eId = SQLITE_INTEGER; /* 7.0 from JavaScript is 7 */
  if (eId == SQLITE_FLOAT || eId == SQLITE_BLOB) {
    char zGot[CF_VALUE_DESC_LEN];
    cfResultError(ctx, "chatflow: question_id must be text or an integer, got %s",
                  cfValueDesc(argv[1], zGot));
    return;
  }
  if (eId != SQLITE_INTEGER && cfArgText(ctx, argv[1], "question_id", 200, 0, 0, &zId)) return;
  if (cfArgText(ctx, argv[2], "question", 10000, 0, 0, &zQuestion)) return;
  /* (its limit, the setting limits.max_content_chars, is read under the
  ** lock: cfClarifyAnswerCheck) */
  if (cfArgText(ctx, argv[3], "answer", 0, 0, 1, &zAnswer)) return;
  /* The entry is built in SQL (json_object), so any text is quoted right. */
  {
    CfConn *p = (CfConn *)sqlite3_user_data(ctx);
    char *zErr = 0;
    char zNow[CF_TIMESTAMP_LEN + 1];
    sqlite3_stmt *pStmt = 0;
    CfRun r;
    int rc;
    memset(&r, 0, sizeof(r));
    cfNow(p, zNow);
    if (cfBeginWriteResult(ctx, p)) return;
    rc = cfRunLoadLive(p, iRun, &r, "its clarifications can no longer change", &zErr);
    if (rc == SQLITE_OK) rc = cfClarifyAnswerCheck(p, zAnswer, 0, &zErr);
    if (rc == SQLITE_OK) {
      rc = cfStmt(p, CF_STMT_CLARIFY,
                  "UPDATE workflow_runs SET clarifications = json_insert(clarifications, '$[#]',"
                  " json_object('question_id', ?2, 'question', ?3, 'answer', ?4, 'answered_at', ?5)),"
                  " updated_at = ?5 WHERE id = ?1",
                  &pStmt);
      if (rc == SQLITE_OK) {
        sqlite3_bind_int64(pStmt, 1, iRun);
        if (eId == SQLITE_INTEGER) sqlite3_bind_int64(pStmt, 2, iQuestionId);
        else sqlite3_bind_value(pStmt, 2, argv[1]);
        sqlite3_bind_text(pStmt, 3, zQuestion, -1, SQLITE_STATIC);
        sqlite3_bind_text(pStmt, 4, zAnswer, -1, SQLITE_STATIC);
        sqlite3_bind_text(pStmt, 5, zNow, -1, SQLITE_STATIC);
        rc = cfStepOnce(pStmt);
      }
      cfStmtDone(p, pStmt);
    }
    if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
    cfRunFree(&r);
  }
}

static void cfSetBusinessContextFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iRun;
  const char *zJson = 0;
  (void)argc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  if (cfJsonArgument(ctx, argv[1], "business context", CF_JT_OBJECT, &zJson)) return;
  cfRunWrite(ctx, iRun, CF_STMT_BUSINESS_CONTEXT,
             "UPDATE workflow_runs SET business_context = json(?2), updated_at = ?3 WHERE id = ?1",
             zJson, "its business context can no longer change");
}

static void cfHeartbeatRunFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iRun;
  int nSeconds = 0, rc = SQLITE_OK;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  CfRun r;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  if (argc > 1) {
    sqlite3_int64 v;
    if (cfArgIntRange(ctx, argv[1], "lease seconds", 1, 86400, &v)) return;
    nSeconds = (int)v;
  }
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  if (nSeconds == 0) rc = cfSettingInt(p, "runs.lease_seconds", CF_LEASE_SECONDS_DEFAULT, &nSeconds);
  if (rc == SQLITE_OK) rc = cfRunLoadLive(p, iRun, &r, "it holds no lease", &zErr);
  if (rc == SQLITE_OK && cfAwaiting(&r)) {
    zErr = sqlite3_mprintf("chatflow: run %lld is %s: it waits for a person and holds no lease",
                           iRun, r.zStatus);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    rc = cfStmt(p, CF_STMT_HEARTBEAT,
                "UPDATE workflow_runs SET lease_expires_at ="
                " strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '+' || ?3 || ' seconds')"
                " WHERE id = ?1",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iRun);
      sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_int(pStmt, 3, nSeconds);
      rc = cfStepOnce(pStmt);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  cfRunFree(&r);
}

static void cfExpireStaleRunsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  int rc, n = 0;
  (void)argc; (void)argv;
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfExpireStale(p, zNow, 0, &n);
  if (rc == SQLITE_OK) {
    int nDrafts = 0; /* and the drafts whose writer stopped (drafts.c) */
    rc = cfExpireDrafts(p, zNow, &nDrafts, &zErr);
    n += nDrafts;
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, n);
}

/* ------------------------------------------------------------- proposals */

static void cfAddProposalFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iRun, iId = 0;
  const char *zKind = 0, *zName = 0, *zRationale = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  CfRun r;
  int rc;
  if (cfArgId(ctx, argv[0], "run id", &iRun)) return;
  if (cfArgText(ctx, argv[1], "proposal kind", 64, 0, 0, &zKind)) return;
  if (cfArgText(ctx, argv[2], "proposed_name", 500, 0, 0, &zName)) return;
  if (argc > 3 && cfArgText(ctx, argv[3], "rationale", 10000, 1, 1, &zRationale)) return;
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfRunLoadLive(p, iRun, &r, "proposals can only be added to an active run", &zErr);
  if (rc == SQLITE_OK) {
    rc = cfStmt(p, CF_STMT_PROPOSAL_INSERT,
                "INSERT INTO workflow_proposals (run_id, kind, proposed_name, rationale, created_at)"
                " VALUES (?1, ?2, ?3, ?4, ?5)",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iRun);
      sqlite3_bind_text(pStmt, 2, zKind, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zName, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, zRationale, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 5, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      iId = sqlite3_last_insert_rowid(p->db);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, iId);
  cfRunFree(&r);
}

static void cfValidateProposalFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iProp, iRun = 0;
  const char *zJson = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  CfRun r;
  int rc;
  (void)argc;
  if (cfArgId(ctx, argv[0], "proposal id", &iProp)) return;
  if (cfJsonArgument(ctx, argv[1], "validation", CF_JT_OBJECT, &zJson)) return;
  memset(&r, 0, sizeof(r));
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfProposalRun(p, iProp, &iRun, &zErr);
  if (rc == SQLITE_OK) rc = cfRunLoadLive(p, iRun, &r, "its proposals can no longer change", &zErr);
  if (rc == SQLITE_OK) {
    rc = cfExecRun(p, CF_STMT_VALIDATE,
                   "UPDATE workflow_proposals SET validated = 1, validated_at = ?3,"
                   " validation = json(?2) WHERE id = ?1",
                   iProp, zJson, zNow);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  cfRunFree(&r);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED_OPTS(cfAdvanceRunFunc, 2, "advance_run")
CF_TIMED_OPTS(cfResumeRunFunc, 2, "resume_run")
CF_TIMED_OPTS(cfAddClarificationFunc, 4, "add_clarification")
CF_TIMED_OPTS(cfSetBusinessContextFunc, 2, "set_business_context")
CF_TIMED_OPTS(cfAddProposalFunc, 4, "add_proposal")
CF_TIMED_OPTS(cfValidateProposalFunc, 2, "validate_proposal")
CF_TIMED_OPTS(cfApproveFunc, 2, "approve_proposal")
CF_TIMED_OPTS(cfRejectFunc, 2, "reject_proposal")
CF_TIMED_OPTS(cfHeartbeatRunFunc, 2, "heartbeat_run")
CF_TIMED_OPTS(cfExpireStaleRunsFunc, 0, "expire_stale_runs")

int cfRegisterWorkflow(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* all write the database (heartbeat and expiry also read the clock) */
    {"advance_run", 1, CF_WRITES, cfAdvanceRunFunc},
    {"advance_run", 2, CF_WRITES, cfAdvanceRunFunc},
    {"advance_run", 3, CF_WRITES, cfAdvanceRunFuncTimed},
    {"resume_run", 2, CF_WRITES, cfResumeRunFunc},
    {"resume_run", 3, CF_WRITES, cfResumeRunFuncTimed},
    {"add_clarification", 4, CF_WRITES, cfAddClarificationFunc},
    {"add_clarification", 5, CF_WRITES, cfAddClarificationFuncTimed},
    {"set_business_context", 2, CF_WRITES, cfSetBusinessContextFunc},
    {"set_business_context", 3, CF_WRITES, cfSetBusinessContextFuncTimed},
    {"add_proposal", 3, CF_WRITES, cfAddProposalFunc},
    {"add_proposal", 4, CF_WRITES, cfAddProposalFunc},
    {"add_proposal", 5, CF_WRITES, cfAddProposalFuncTimed},
    {"validate_proposal", 2, CF_WRITES, cfValidateProposalFunc},
    {"validate_proposal", 3, CF_WRITES, cfValidateProposalFuncTimed},
    {"approve_proposal", 1, CF_WRITES, cfApproveFunc},
    {"approve_proposal", 2, CF_WRITES, cfApproveFunc},
    {"approve_proposal", 3, CF_WRITES, cfApproveFuncTimed},
    {"reject_proposal", 1, CF_WRITES, cfRejectFunc},
    {"reject_proposal", 2, CF_WRITES, cfRejectFunc},
    {"reject_proposal", 3, CF_WRITES, cfRejectFuncTimed},
    {"heartbeat_run", 1, CF_WRITES, cfHeartbeatRunFunc},
    {"heartbeat_run", 2, CF_WRITES, cfHeartbeatRunFunc},
    {"heartbeat_run", 3, CF_WRITES, cfHeartbeatRunFuncTimed},
    {"expire_stale_runs", 0, CF_WRITES, cfExpireStaleRunsFunc},
    {"expire_stale_runs", 1, CF_WRITES, cfExpireStaleRunsFuncTimed},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
