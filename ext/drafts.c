/*
** drafts.c — streaming drafts: a message written while the model streams
** it, readable by other connections as it grows (docs/drafts.md).
**
**   begin_message(conversation_id, role [, options_json]) -> message id
**   append_message(message_id, delta [, options_json])    -> length in characters
**   finish_message(message_id [, options_json])           -> 1
**   abort_message(message_id [, reason])                  -> 1
**
** Example:
**   SELECT begin_message(1, 'assistant');            -- 7, status 'streaming'
**   SELECT append_message(7, 'Sour');                 -- 4
**   SELECT append_message(7, 'dough.');               -- 10
**   SELECT finish_message(7, '{"metadata": {"model": "m"}}');  -- 1, status 'complete'
**
** begin_message takes add_message's options (type, parts, attachments,
** metadata, run_id, created_at, uid, tool_calls, tool_call_id, parent_id,
** now) but tokens, and adds the message with empty content in status
** 'streaming': it has its seq, is the conversation's current leaf and
** counts in message_count at once, with 0 tokens.  (messages.c does it,
** cfBeginMessageFunc, with every check of add_message.)
**
** append_message adds delta (text: valid UTF-8 without NUL; '' only
** stamps the draft as alive) to the end of the content, in one UPDATE
** (content = content || delta: SQLite rewrites the row, C copies nothing
** of the content), stamps streamed_at with the connection clock (or the
** option now of its options_json, the only option), and
** returns the content's length in characters, which is the offset a
** reader resumes from:
**   SELECT substr(content, :offset + 1), status FROM chat_messages WHERE id = :id
**
** finish_message moves the draft to 'complete': options metadata (an
** object merged into the draft's with json_patch, RFC 7396), tokens (0 to
** 1,000,000,000; default the estimate ceil(characters / 4) add_message
** applies) and parts (an array of parts, replacing the draft's).  From then
** on the message is immutable as every complete one, enters the search
** index and counts its tokens in the conversation's total_tokens.  A draft
** with no content and no parts cannot finish (abort it), unless it is a
** tool result answering a call: the schema's rule (chat_messages' CHECK),
** said in a draft's words when the UPDATE fails on it.
**
** abort_message moves the draft to 'aborted', its text kept and counted
** in tokens like a finished one's, but out of every history and of search;
** reason (text, at most 2000 characters) is stored as metadata.abort_reason.
** expire_stale_runs() aborts every draft whose last write (streamed_at) is
** older than messages.draft_timeout_seconds (default 300), reason "no
** append for N seconds (messages.draft_timeout_seconds)" (cfExpireDrafts).
**
** The schema holds the rules for raw SQL too (migration 005): content
** changes only while status is 'streaming' and only by appending; status
** moves once, streaming -> complete | aborted.
**
** Errors (nothing written): "chatflow: unknown message N", "chatflow:
** message N is complete, not streaming" (or aborted), the delta's type,
** NUL or UTF-8, "chatflow: message N would be C characters, longer than
** the limit of L (limits.max_content_chars)", "chatflow: message N has no
** content and no parts to finish with; abort_message it instead", and the
** options' errors.  All four write: SQLITE_DIRECTONLY.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_MAX_REASON_CHARS 2000
#define CF_DRAFT_TIMEOUT_DEFAULT 300

/* Why message iMsg took no write meant for a draft: unknown, or not
** streaming.  Returns SQLITE_ERROR with *pzErr, or a database error. */
static int cfDraftRefusal(CfConn *p, sqlite3_int64 iMsg, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_DRAFT_STATE, "SELECT status FROM chat_messages WHERE id = ?1", &pStmt);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(pStmt, 1, iMsg);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_DONE) {
    *pzErr = sqlite3_mprintf("chatflow: unknown message %lld", iMsg);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  } else if (rc == SQLITE_ROW) {
    const char *zStatus = (const char *)sqlite3_column_text(pStmt, 0);
    *pzErr = sqlite3_mprintf("chatflow: message %lld is %s, not streaming", iMsg, zStatus ? zStatus : "?");
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  cfStmtDone(p, pStmt);
  return rc;
}

static void cfAppendMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iMsg, nLen = 0;
  const char *zDelta = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  int rc, nDelta;
  (void)argc;
  if (cfArgId(ctx, argv[0], "message id", &iMsg)) return;
  if (cfArgText(ctx, argv[1], "delta", 0, 0, 1, &zDelta)) return;
  nDelta = sqlite3_value_bytes(argv[1]);
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfStmt(p, CF_STMT_DRAFT_APPEND,
              "UPDATE chat_messages SET content = content || ?2, streamed_at = ?3"
              " WHERE id = ?1 AND status = 'streaming' RETURNING length(content)",
              &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iMsg);
    sqlite3_bind_text(pStmt, 2, zDelta, nDelta, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      nLen = sqlite3_column_int64(pStmt, 0);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
      else rc = sqlite3_reset(pStmt);
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_NOTFOUND; /* no draft of that id: say why below */
    } else {
      rc = sqlite3_reset(pStmt);
      if (strcmp(sqlite3_errmsg(p->db), cfSqlTooLong) == 0) {
        /* the schema's limit, said with the figures */
        int nMax = 0;
        sqlite3_stmt *pLen = 0;
        int rc2 = cfMaxContentChars(p, &nMax);
        if (rc2 == SQLITE_OK) {
          rc2 = sqlite3_prepare_v2(p->db, "SELECT length(content) FROM chat_messages WHERE id = ?1", -1, &pLen, 0);
        }
        if (rc2 == SQLITE_OK) {
          sqlite3_bind_int64(pLen, 1, iMsg);
          if (sqlite3_step(pLen) == SQLITE_ROW) nLen = sqlite3_column_int64(pLen, 0);
          rc2 = sqlite3_finalize(pLen);
        }
        if (rc2 == SQLITE_OK) {
          zErr = sqlite3_mprintf("chatflow: message %lld would be %lld characters, longer than the limit of %d"
                                 " (limits.max_content_chars)",
                                 iMsg, nLen + cfUtf8Chars((const unsigned char *)zDelta, nDelta), nMax);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      }
    }
  }
  cfStmtDone(p, pStmt);
  if (rc == SQLITE_NOTFOUND) rc = cfDraftRefusal(p, iMsg, &zErr);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, nLen);
}

static void cfFinishMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[3] = {
    {"metadata", CF_JT_OBJECT, 0, 0, 0},
    {"tokens", CF_JT_INT, 0, 0, 0},
    {"parts", CF_JT_PARTS, 0, 0, 0},
  };
  sqlite3_int64 iMsg;
  const char *zOpts = 0;
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_OK;
  if (cfArgId(ctx, argv[0], "message id", &iMsg)) return;
  if (argc > 1 && cfArgOptions(ctx, argv[1], "finish_message", &zOpts)) return;
  if (zOpts && (rc = cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(argv[1]), "finish_message", aOpt, 3,
                                       &zErr)) != SQLITE_OK) {
    if (zErr) {
      cfResultErrorMsg(ctx, zErr);
      cfResultCode(ctx, rc);
    }
    cfJsonOptionsFree(aOpt, 3);
    return;
  }
  if (aOpt[1].bPresent && (aOpt[1].iVal < 0 || aOpt[1].iVal > CF_MAX_TOKENS)) {
    cfResultError(ctx, "chatflow: tokens must be from 0 to %d, got %lld", CF_MAX_TOKENS, aOpt[1].iVal);
    cfJsonOptionsFree(aOpt, 3);
    return;
  }
  if (cfBeginWriteResult(ctx, p)) {
    cfJsonOptionsFree(aOpt, 3);
    return;
  }
  /* the message must be a draft */
  rc = cfStmt(p, CF_STMT_DRAFT_EMPTY, "SELECT 1 FROM chat_messages WHERE id = ?1 AND status = 'streaming'",
              &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iMsg);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_NOTFOUND;
    }
  }
  cfStmtDone(p, pStmt);
  pStmt = 0;
  if (rc == SQLITE_NOTFOUND) rc = cfDraftRefusal(p, iMsg, &zErr);
  if (rc == SQLITE_OK) {
    /* tokens not given: the schema's trigger (chat_messages_draft_tokens)
    ** estimates them as add_message would */
    rc = cfStmt(p, CF_STMT_DRAFT_FINISH,
                "UPDATE chat_messages SET status = 'complete',"
                " metadata = CASE WHEN json_type(?2, '$.metadata') IS NOT 'object' THEN metadata"
                "  ELSE json_patch(coalesce(metadata, '{}'), json_extract(?2, '$.metadata')) END,"
                " parts = coalesce(json_extract(?2, '$.parts'), parts),"
                " tokens = coalesce(?3, tokens)"
                " WHERE id = ?1 AND status = 'streaming'",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iMsg);
      if (zOpts) sqlite3_bind_text(pStmt, 2, zOpts, -1, SQLITE_STATIC);
      if (aOpt[1].bPresent) sqlite3_bind_int64(pStmt, 3, aOpt[1].iVal);
      rc = cfStepOnce(pStmt);
      if (rc != SQLITE_OK && strcmp(sqlite3_errmsg(p->db), cfSqlEmptyContent) == 0) {
        /* a draft without content or parts (given now or at begin), and
        ** no tool result, cannot finish: the schema's rule (chat_messages'
        ** CHECK on empty content), said for a draft */
        zErr = sqlite3_mprintf("chatflow: message %lld has no content and no parts to finish with; abort_message"
                               " it instead", iMsg);
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK && aOpt[1].bPresent && aOpt[1].iVal == 0) {
    /* 0 given: the trigger took it for "not given" and estimated */
    rc = cfStmt(p, CF_STMT_DRAFT_NO_TOKENS, "UPDATE chat_messages SET tokens = 0 WHERE id = ?1", &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iMsg);
      rc = cfStepOnce(pStmt);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  cfJsonOptionsFree(aOpt, 3);
}

/* Aborts draft iMsg (or, iMsg 0, every draft idle since before zCutoff)
** with reason zReason (0: none); *pn the number aborted. */
static int cfAbortDrafts(CfConn *p, sqlite3_int64 iMsg, const char *zCutoff, const char *zReason, int *pn) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_DRAFT_ABORT,
                  "UPDATE chat_messages SET status = 'aborted',"
                  " metadata = CASE WHEN ?3 IS NULL THEN metadata"
                  "  ELSE json_set(coalesce(metadata, '{}'), '$.abort_reason', ?3) END"
                  " WHERE status = 'streaming'"
                  "   AND CASE WHEN ?1 > 0 THEN id = ?1"
                  "            ELSE coalesce(streamed_at, created_at) < ?2 END",
                  &pStmt);
  *pn = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iMsg);
    if (zCutoff) sqlite3_bind_text(pStmt, 2, zCutoff, -1, SQLITE_STATIC);
    if (zReason) sqlite3_bind_text(pStmt, 3, zReason, -1, SQLITE_STATIC);
    rc = cfStepOnce(pStmt);
    if (rc == SQLITE_OK) *pn = sqlite3_changes(p->db);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

static void cfAbortMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iMsg;
  const char *zReason = 0;
  char *zErr = 0;
  int rc, n = 0;
  if (cfArgId(ctx, argv[0], "message id", &iMsg)) return;
  if (argc > 1 && cfArgText(ctx, argv[1], "reason", CF_MAX_REASON_CHARS, 1, 0, &zReason)) return;
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfAbortDrafts(p, iMsg, 0, zReason, &n);
  if (rc == SQLITE_OK && n == 0) rc = cfDraftRefusal(p, iMsg, &zErr);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
}

/* expire_stale_runs' part: aborts the drafts whose last write is older
** than messages.draft_timeout_seconds before zNow. */
int cfExpireDrafts(CfConn *p, const char *zNow, int *pn, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  char zCutoff[CF_TIMESTAMP_LEN + 1];
  char *zReason = 0;
  int nTimeout = CF_DRAFT_TIMEOUT_DEFAULT;
  int rc = cfSettingInt(p, "messages.draft_timeout_seconds", CF_DRAFT_TIMEOUT_DEFAULT, &nTimeout);
  *pn = 0;
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_prepare_v2(p->db, "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '-' || ?2 || ' seconds')", -1,
                          &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zNow, -1, SQLITE_STATIC);
    sqlite3_bind_int(pStmt, 2, nTimeout);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW && sqlite3_column_text(pStmt, 0)) {
      sqlite3_snprintf((int)sizeof(zCutoff), zCutoff, "%s", sqlite3_column_text(pStmt, 0));
      rc = SQLITE_OK;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
      rc = SQLITE_NOMEM;
    }
  }
  sqlite3_finalize(pStmt);
  if (rc != SQLITE_OK) return rc;
  zReason = sqlite3_mprintf("no append for %d seconds (messages.draft_timeout_seconds)", nTimeout);
  if (zReason == 0) return SQLITE_NOMEM;
  rc = cfAbortDrafts(p, 0, zCutoff, zReason, pn);
  sqlite3_free(zReason);
  return rc;
}

/* The per-call time (the option now, see CF_TIMED in chatflow_int.h): of
** begin_message in its options (add_message's), of append_message in a
** trailing options_json.  finish_message and abort_message stamp nothing. */
CF_TIMED(cfBeginMessageFunc)
CF_TIMED_OPTS(cfAppendMessageFunc, 2, "append_message")

int cfRegisterDrafts(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* writes the database */
    {"begin_message", 2, CF_WRITES, cfBeginMessageFunc},
    {"begin_message", 3, CF_WRITES, cfBeginMessageFuncTimed},
    {"append_message", 2, CF_WRITES, cfAppendMessageFunc},
    {"append_message", 3, CF_WRITES, cfAppendMessageFuncTimed},
    {"finish_message", 1, CF_WRITES, cfFinishMessageFunc},
    {"finish_message", 2, CF_WRITES, cfFinishMessageFunc},
    {"abort_message", 1, CF_WRITES, cfAbortMessageFunc},
    {"abort_message", 2, CF_WRITES, cfAbortMessageFunc},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
