/*
** history_vtab.c — replaying a conversation within a token budget.
**
**   SELECT * FROM chat_history(conversation_id [, max_tokens [, run_id]]);
**   SELECT chat_history_json(conversation_id [, max_tokens [, run_id]]);
**
** Example:
**   SELECT seq, role, content FROM chat_history(1, 4000);
**   SELECT chat_history_json(1, 4000);  -- [{"role":"user","content":"..."}, ...]
**
** chat_history_json gives each message as {"role", "content"}, adding
** "tool_calls" for an assistant message with "tool-call" parts and
** "tool_call_id" for a tool message with metadata.tool_call_id (tool-call
** arguments always as a string), so a tool-using conversation replays in
** OpenAI's format; a message stored with parts only replays the text of its
** "text" parts as its content.
**
** The window: every system message of the conversation is kept and its
** tokens are spent first; then the newest other messages (of run_id only,
** when given) are taken newest-first while their tokens still fit the rest
** of the budget, stopping at the first one that does not.  Rows come
** oldest first (by seq).  A NULL max_tokens means no budget.  The walk
** reads the (conversation_id, seq) index backwards and stops at the budget,
** so the cost follows the window, not the conversation's length.
**
** Columns: id, seq, role, type, content, parts, attachments, metadata,
** tokens, run_id, workflow_step, created_at; arguments are the hidden
** columns conversation_id, max_tokens, in_run.
**
** Errors: a missing, NULL or non-integer conversation id, a negative or
** non-integer max_tokens, an unknown conversation, a run of another
** conversation.  chat_history is SQLITE_VTAB_INNOCUOUS and
** chat_history_json SQLITE_INNOCUOUS: they only read.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_HISTORY_COLS \
  "id, seq, role, type, content, parts, attachments, metadata, tokens, run_id, workflow_step, created_at"


/* Checks the arguments and the ids, walks the budget, and prepares the
** window query selecting zCols (which must end with seq's position kept by
** ORDER BY seq).  On error returns non-zero with *pzErr set. */
static int cfHistoryPrepare(CfConn *p, sqlite3_value *vConv, sqlite3_value *vMax,
                            sqlite3_value *vRun, const char *zCols, sqlite3_stmt **ppStmt,
                            char **pzErr) {
  sqlite3_int64 iConv = 0, iRun = 0, nBudget = 0, iMinSeq = 1;
  int bBudget = 0;
  sqlite3_stmt *pStmt = 0;
  char *zSql = 0;
  int rc;
  *ppStmt = 0;
  if (vConv == 0 || !cfValueInteger(vConv, &iConv) || iConv <= 0) {
    *pzErr = sqlite3_mprintf("chatflow: chat_history needs a positive integer conversation id");
    return SQLITE_ERROR;
  }
  if (vMax && sqlite3_value_type(vMax) != SQLITE_NULL) {
    bBudget = 1;
    if (!cfValueInteger(vMax, &nBudget) || nBudget < 0) {
      *pzErr = sqlite3_mprintf("chatflow: max_tokens must be a non-negative integer or NULL");
      return SQLITE_ERROR;
    }
  }
  if (vRun && sqlite3_value_type(vRun) != SQLITE_NULL) {
    if (!cfValueInteger(vRun, &iRun) || iRun <= 0) {
      *pzErr = sqlite3_mprintf("chatflow: run_id must be a positive integer id or NULL");
      return SQLITE_ERROR;
    }
  }
  rc = cfCheckSchema(p, pzErr);
  if (rc != SQLITE_OK) return cfKeepCode(rc) ? rc : SQLITE_ERROR;

  /* The conversation exists; the run is one of its; the system tokens. */
  rc = sqlite3_prepare_v2(p->db,
                          "SELECT (SELECT conversation_id FROM workflow_runs WHERE id = ?2),"
                          " (SELECT coalesce(sum(tokens), 0) FROM chat_messages"
                          "   WHERE conversation_id = ?1 AND role = 'system')"
                          " FROM chat_conversations WHERE id = ?1",
                          -1, &pStmt, 0);
  if (rc != SQLITE_OK) goto db_error;
  sqlite3_bind_int64(pStmt, 1, iConv);
  sqlite3_bind_int64(pStmt, 2, iRun);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_DONE) {
    *pzErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
    sqlite3_finalize(pStmt);
    return SQLITE_ERROR;
  }
  if (rc != SQLITE_ROW) goto db_error;
  if (iRun && sqlite3_column_int64(pStmt, 0) != iConv) {
    if (sqlite3_column_type(pStmt, 0) == SQLITE_NULL) {
      *pzErr = sqlite3_mprintf("chatflow: unknown run %lld", iRun);
    } else {
      *pzErr = sqlite3_mprintf("chatflow: run %lld belongs to conversation %lld, not %lld", iRun,
                               sqlite3_column_int64(pStmt, 0), iConv);
    }
    sqlite3_finalize(pStmt);
    return SQLITE_ERROR;
  }
  nBudget -= sqlite3_column_int64(pStmt, 1); /* system messages come first */
  sqlite3_finalize(pStmt);
  pStmt = 0;

  /* Walk newest-first while the messages fit. */
  if (bBudget) {
    sqlite3_int64 nUsed = 0;
    iMinSeq = (sqlite3_int64)1 << 62; /* none fits yet */
    rc = sqlite3_prepare_v2(p->db,
                            iRun ? "SELECT seq, tokens FROM chat_messages"
                                   " WHERE run_id = ?2 AND conversation_id = ?1 AND role <> 'system'"
                                   " ORDER BY seq DESC"
                                 : "SELECT seq, tokens FROM chat_messages"
                                   " WHERE conversation_id = ?1 AND role <> 'system'"
                                   " ORDER BY seq DESC",
                            -1, &pStmt, 0);
    if (rc != SQLITE_OK) goto db_error;
    sqlite3_bind_int64(pStmt, 1, iConv);
    sqlite3_bind_int64(pStmt, 2, iRun);
    while (nBudget >= 0 && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      sqlite3_int64 n = sqlite3_column_int64(pStmt, 1);
      if (nUsed + n > nBudget) break;
      nUsed += n;
      iMinSeq = sqlite3_column_int64(pStmt, 0);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE && nBudget >= 0) goto db_error;
    sqlite3_finalize(pStmt);
    pStmt = 0;
  }

  zSql = sqlite3_mprintf(
      "SELECT %s FROM chat_messages"
      " WHERE conversation_id = ?1 AND seq >= ?2 AND role <> 'system'%s"
      " UNION ALL"
      " SELECT %s FROM chat_messages WHERE conversation_id = ?1 AND role = 'system'"
      " ORDER BY seq",
      zCols, iRun ? " AND run_id = ?3" : "", zCols);
  if (zSql == 0) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) goto db_error;
  sqlite3_bind_int64(pStmt, 1, iConv);
  sqlite3_bind_int64(pStmt, 2, iMinSeq);
  if (iRun) sqlite3_bind_int64(pStmt, 3, iRun);
  *ppStmt = pStmt;
  return SQLITE_OK;

db_error:
  *pzErr = cfDbError(p->db, rc);
  sqlite3_finalize(pStmt);
  return rc == SQLITE_OK ? SQLITE_ERROR : rc;
}

/* ------------------------------------------------------ chat_history_json */

/* One message in OpenAI chat format: {"role", "content"}, plus
** "tool_calls" for an assistant message with tool-call parts ({"type":
** "tool-call", "id", "name", "arguments"}) and "tool_call_id" for a tool
** message whose metadata has one (null members are dropped by json_patch). */
#define CF_HISTORY_JSON_COLS \
  "json_patch(json_object('role', role, 'content', CASE WHEN content <> '' OR parts IS NULL THEN content" \
  "   ELSE coalesce((SELECT group_concat(json_extract(value, '$.text'), char(10)) FROM json_each(parts)" \
  "                   WHERE json_extract(value, '$.type') = 'text'), '') END)," \
  " json_object('tool_call_id', CASE WHEN role = 'tool' THEN json_extract(metadata, '$.tool_call_id') END," \
  "  'tool_calls', CASE WHEN role = 'assistant' AND parts IS NOT NULL THEN" \
  "   (SELECT json_group_array(json_object('id', json_extract(value, '$.id'), 'type', 'function'," \
  "      'function', json_object('name', json_extract(value, '$.name')," \
  "                              'arguments', json_extract(value, '$.arguments') || '')))" \
  "      FROM json_each(parts) WHERE json_extract(value, '$.type') = 'tool-call'" \
  "    HAVING count(*) > 0) END)) AS m, seq"

static void cfHistoryJsonFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  sqlite3_str *pOut;
  int rc, n = 0;
  sqlite3_int64 iConv;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  rc = cfHistoryPrepare(p, argv[0], argc > 1 ? argv[1] : 0, argc > 2 ? argv[2] : 0,
                        CF_HISTORY_JSON_COLS, &pStmt, &zErr);
  if (rc != SQLITE_OK) {
    if (zErr && (rc & 0xff) != SQLITE_NOMEM) {
      sqlite3_result_error(ctx, zErr, -1);
      cfResultCode(ctx, rc); /* SQLITE_IOERR_*, SQLITE_BUSY ... kept */
    } else {
      sqlite3_result_error_nomem(ctx);
    }
    sqlite3_free(zErr);
    return;
  }
  pOut = sqlite3_str_new(p->db);
  sqlite3_str_appendchar(pOut, 1, '[');
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zMsg = (const char *)sqlite3_column_text(pStmt, 0);
    if (zMsg == 0) {
      rc = SQLITE_NOMEM; /* never a message silently left out */
      break;
    }
    if (n++) sqlite3_str_appendchar(pOut, 1, ',');
    sqlite3_str_appendall(pOut, zMsg);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
    sqlite3_free(sqlite3_str_finish(pOut));
  } else if (rc != SQLITE_DONE) {
    cfResultErrorFromDb(ctx, p->db, rc);
    sqlite3_free(sqlite3_str_finish(pOut));
  } else if (sqlite3_str_errcode(pOut)) {
    int e = sqlite3_str_errcode(pOut);
    sqlite3_free(sqlite3_str_finish(pOut));
    if (e == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
    else sqlite3_result_error_nomem(ctx);
  } else {
    sqlite3_result_text(ctx, sqlite3_str_finish(pOut), -1, sqlite3_free);
  }
  sqlite3_finalize(pStmt);
}

/* ---------------------------------------------------------- chat_history */

static int cfHistoryTvfPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt,
                               char **pzErr) {
  return cfHistoryPrepare(p, aArg[0], aArg[1], aArg[2], CF_HISTORY_COLS, ppStmt, pzErr);
}

static const CfTvfDef cfHistoryDef = {
  "chat_history",
  "CREATE TABLE x(id INTEGER, seq INTEGER, role TEXT, type TEXT, content TEXT, parts TEXT,"
  " attachments TEXT, metadata TEXT, tokens INTEGER, run_id INTEGER, workflow_step TEXT,"
  " created_at TEXT, conversation_id HIDDEN, max_tokens HIDDEN, in_run HIDDEN)",
  12, 3,
  "chatflow: chat_history needs a conversation id: chat_history(conversation_id [, max_tokens [, run_id]])",
  1, /* rows come by seq */
  cfHistoryTvfPrepare, 0,
};

int cfRegisterHistory(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* reads only */
    {"chat_history_json", 1, CF_READS, cfHistoryJsonFunc},
    {"chat_history_json", 2, CF_READS, cfHistoryJsonFunc},
    {"chat_history_json", 3, CF_READS, cfHistoryJsonFunc},
  };
  int rc = cfRegisterTvf(db, p, &cfHistoryDef);
  if (rc == SQLITE_OK) rc = cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
  return rc;
}
