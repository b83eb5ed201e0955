/*
** messages.c — add_message: the one way chatflow appends to a
** conversation; edit_message, which adds a new version of a message.
**
**   add_message(conversation_id, role, content [, options_json]) -> message id
**   edit_message(message_id, content [, options_json])           -> message id
**
** Example:
**   SELECT add_message(1, 'user', 'Plan a topical map for our bakery');
**   SELECT add_message(1, 'assistant', 'Sure.',
**                      '{"metadata": {"model": "gpt-4o", "tokens": {"total": 12}}}');
**
** Options: type, parts (array of typed parts), attachments (array),
** metadata (object), tokens (integer >= 0), run_id, created_at (an RFC
** 3339 timestamp, stored as UTC milliseconds: cfParseTimestamp), uid (the
** retry key, 1 to 128 characters), tool_calls (assistant: OpenAI's
** [{"id", "type": "function", "function": {"name", "arguments"}}], stored
** as "tool-call" parts {"type", "id", "name", "arguments"} after the given
** parts, arguments as JSON text), tool_call_id (tool: the call answered,
** stored as metadata.tool_call_id), parent_id (the message the new one
** follows, of the same conversation: a regenerated answer names the
** question; default the conversation's current leaf; the new message
** becomes the leaf).
**
** edit_message: a sibling of message_id (same parent, same role) with the
** new content, now the current leaf; the options are add_message's but
** parent_id.  Errors: "chatflow: unknown message N", and add_message's.
** Message trees: branches.c and docs/branches.md.
**
** A uid the conversation already has is a retry: the same role, content
** and parts (as stored: minified, in the given order) return the stored
** message's id and write nothing; anything else fails, naming what
** differs ("chatflow: message uid 'u' already exists in conversation N
** with another role (assistant)", "... with different content", "...
** under another parent (message P)" when a parent_id is given).  A
** tool message naming a call (option or metadata) must answer a call of an
** earlier assistant message of the conversation ("chatflow: the tool result
** answers no call: ...").
**
** The content limit (limits.max_content_chars) is the schema's: the
** insert trigger refuses longer content, and only then is the setting
** read, for the figures of the message.
**
** What it does, in one SAVEPOINT: takes the write lock; checks the
** conversation (known, not deleted) and the run (given, or the
** conversation's active run, whose current_step is copied into
** workflow_step); gives the conversation a title from its first user
** message when it has none (whitespace collapsed, cut at a word boundary
** to at most 80 characters with "…"); inserts the message with the next
** seq.  The schema's trigger moves the conversation's counters.
**
** tokens, when not given, is the estimate ceil(characters / 4) of the
** content (of the parts JSON when the content is empty; of both when the
** parts hold tool calls or tool parts) — the same formula the schema
** applies to a raw INSERT.
**
** NULL input: a NULL content is accepted only when parts or tool_calls
** are given, or in a tool result that answers a call (tool_call_id) (it
** is stored as ''); every other NULL argument is an error.  When content
** may be empty is the schema's rule (chat_messages' CHECK,
** cfSqlEmptyContent), said after the INSERT without the CHECK's
** prefix.  Errors: an
** unknown role ("chatflow: invalid role 'admin' (expected system, user,
** assistant, tool)"), empty content without parts, content over
** limits.max_content_chars (default 100,000 characters), invalid UTF-8,
** malformed options, unknown or deleted conversations, unknown runs or
** runs of another conversation, parts and tool_calls of the wrong shape
** (json.c, cfToolCallsCheck: each names the index and the field), options
** on the wrong role, a uid over 128 characters.
**
** SQLITE_DIRECTONLY: it writes.
*/
#include "chatflow_int.h"

#include <limits.h>
#include <string.h>

/* A uid retry refused (add_message, add_ui_message, edit_message, begin_message):
** the stored message under zUid differs; ui.c tells this refusal by its text. */
char *cfUidDiffersError(const char *zUid, sqlite3_int64 iConv) {
  return sqlite3_mprintf("chatflow: message uid '%q' already exists in conversation %lld with different content",
                         zUid, iConv);
}

/* ... the same message, asked under another parent than iStored (0: it
** is a first message). */
char *cfUidParentError(const char *zUid, sqlite3_int64 iConv, sqlite3_int64 iStored) {
  if (iStored == 0) {
    return sqlite3_mprintf("chatflow: message uid '%q' already exists in conversation %lld as a first message"
                           " (no parent)", zUid, iConv);
  }
  return sqlite3_mprintf("chatflow: message uid '%q' already exists in conversation %lld under another parent"
                         " (message %lld)", zUid, iConv, iStored);
}

enum { MOPT_TYPE, MOPT_PARTS, MOPT_ATTACHMENTS, MOPT_METADATA, MOPT_TOKENS, MOPT_RUN_ID,
       MOPT_CREATED_AT, MOPT_UID, MOPT_TOOL_CALLS, MOPT_TOOL_CALL_ID, MOPT_PARENT_ID, MOPT_NOW,
       MOPT_COUNT };

/* The columns and values of the message INSERT; ?10 and ?11 are the parts
** and metadata when the call built them (tool_calls, tool_call_id), else
** they come from the options ?6 as given. */
#define CF_MSG_INSERT(zUidCol, zUidVal) \
  "INSERT INTO chat_messages (conversation_id, seq, run_id, role, type, content," \
  " parts, attachments, workflow_step, metadata, tokens, created_at, parent_id" zUidCol ")" \
  " VALUES (?1, (SELECT last_seq + 1 FROM chat_conversations WHERE id = ?1)," \
  " ?2, ?3, ?4, ?5, coalesce(?10, json_extract(?6, '$.parts')), json_extract(?6, '$.attachments')," \
  " ?7, coalesce(?11, json_extract(?6, '$.metadata'))," \
  " coalesce(?8, (length(?5) + (SELECT CASE WHEN ?5 = '' OR instr(x, '\"tool') > 0 OR instr(x, 'dynamic-tool') > 0" \
  "                                   THEN length(coalesce(x, '')) ELSE 0 END" \
  "                              FROM (SELECT coalesce(?10, json_extract(?6, '$.parts')) AS x)) + 3) / 4)," \
  " ?9, coalesce(?13, (SELECT current_leaf_id FROM chat_conversations WHERE id = ?1))" zUidVal ")"

/* What the member zMember ("" for the call itself, ".id") of the call
** tool_calls[i] of zOpts is, for the "got ..." of its error
** (cfJsonMemberDesc; sticky on *pRc). */
static const char *cfToolCallGot(CfConn *p, const char *zOpts, int i, const char *zMember, char *zBuf,
                                 int *pRc) {
  char zPath[64];
  sqlite3_snprintf(sizeof(zPath), zPath, "$.tool_calls[%d]%s", i, zMember);
  return cfJsonMemberDesc(p->db, zOpts, -1, zPath, zBuf, pRc);
}

/* Checks the OpenAI tool_calls option of zOpts: [{"id", "type":
** "function", "function": {"name", "arguments"}}], arguments a JSON text
** (a string, as OpenAI sends it) or an object. */
static int cfToolCallsCheck(CfConn *p, const char *zOpts, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(
      p->db,
      "SELECT key, o, CASE WHEN o AND json_type(value, '$.id') = 'text' THEN length(json_extract(value, '$.id')) END,"
      " CASE WHEN o THEN coalesce(json_extract(value, '$.type'), 'function') IS 'function' END,"
      " CASE WHEN o AND json_type(value, '$.function.name') = 'text'"
      "  THEN length(json_extract(value, '$.function.name')) END,"
      " CASE WHEN o THEN coalesce(json_type(value, '$.function.arguments'), 'null') IN ('text', 'object', 'null') END,"
      " CASE WHEN o THEN (SELECT count(*) FROM json_each(?1, '$.tool_calls') AS d"
      "   WHERE d.key < t.key AND CASE WHEN d.type = 'object'"
      "     THEN json_extract(d.value, '$.id') IS json_extract(t.value, '$.id') END) END,"
      /* a call of the parts option with this id (its id as json.c reads
      ** it: an AI SDK tool part's toolCallId, a tool-call's id) */
      " CASE WHEN o THEN (SELECT count(*) FROM json_each(?1, '$.parts') AS q"
      "   WHERE q.type = 'object' AND CASE"
      "     WHEN json_type(q.value, '$.toolCallId') = 'text' AND json_type(q.value, '$.state') = 'text'"
      "      AND (substr(json_extract(q.value, '$.type'), 1, 5) = 'tool-'"
      "           OR json_extract(q.value, '$.type') = 'dynamic-tool')"
      "       THEN json_extract(q.value, '$.toolCallId')"
      "     WHEN json_extract(q.value, '$.type') = 'tool-call' THEN json_extract(q.value, '$.id')"
      "   END IS json_extract(t.value, '$.id')) END"
      " FROM (SELECT key, value, type = 'object' AS o FROM json_each(?1, '$.tool_calls')) AS t",
      -1, &pStmt, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, zOpts, -1, SQLITE_STATIC);
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    int i = sqlite3_column_int(pStmt, 0);
    sqlite3_int64 nId = sqlite3_column_int64(pStmt, 2), nName = sqlite3_column_int64(pStmt, 4);
    char *zE = 0;
    char zGot[CF_VALUE_DESC_LEN];
    rc = SQLITE_OK;
    if (!sqlite3_column_int(pStmt, 1)) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d] must be an object {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}, got %s",
                           i, cfToolCallGot(p, zOpts, i, "", zGot, &rc));
    } else if (nId < 1 || nId > 128) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d].id must be a string of 1 to 128 characters, got %s", i,
                           cfToolCallGot(p, zOpts, i, ".id", zGot, &rc));
    } else if (!sqlite3_column_int(pStmt, 3)) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d].type must be \"function\", got %s", i,
                           cfToolCallGot(p, zOpts, i, ".type", zGot, &rc));
    } else if (nName < 1 || nName > 128) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d].function.name must be a string of 1 to 128 characters, got %s", i,
                           cfToolCallGot(p, zOpts, i, ".function.name", zGot, &rc));
    } else if (!sqlite3_column_int(pStmt, 5)) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d].function.arguments must be a JSON string or an object, got %s", i,
                           cfToolCallGot(p, zOpts, i, ".function.arguments", zGot, &rc));
    } else if (sqlite3_column_int(pStmt, 6)) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d].id is the id of an earlier call of the same message", i);
    } else if (sqlite3_column_int(pStmt, 7)) {
      zE = sqlite3_mprintf("chatflow: tool_calls[%d].id is the id of a call in the parts of the same message", i);
    } else {
      continue;
    }
    if (rc != SQLITE_OK) { /* the read of what it got failed */
      sqlite3_free(zE);
      break;
    }
    rc = zE ? SQLITE_ERROR : SQLITE_NOMEM;
    *pzErr = zE;
    break;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && *pzErr == 0) *pzErr = cfDbError(p->db, rc);
  sqlite3_finalize(pStmt);
  return rc;
}

/* Whether the branch up from message iFrom (0: none) has an assistant
** message with the tool call zCallId (either form), one primary-key lookup
** a message: the call is most often just before its result.  An aborted
** draft's calls do not count (no history replays it): *piAborted gets the
** nearest such message that has the call, 0 for none. */
static int cfCallOnBranch(CfConn *p, sqlite3_int64 iConv, sqlite3_int64 iFrom, const char *zCallId,
                          int *pbFound, sqlite3_int64 *piAborted) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iSeq = LLONG_MAX;
  int rc = cfStmt(p, CF_STMT_MSG_CALL_UP,
                  "SELECT coalesce(m.parent_id, 0), m.seq, m.role = 'assistant' AND m.parts IS NOT NULL"
                  "   AND EXISTS (SELECT 1 FROM json_each(m.parts) AS j WHERE " CF_SQL_PART_CALLS("?3") "),"
                  "       m.status = 'aborted'"
                  "  FROM chat_messages AS m WHERE m.id = ?1 AND m.conversation_id = ?2",
                  &pStmt);
  *pbFound = 0;
  *piAborted = 0;
  while (rc == SQLITE_OK && iFrom > 0 && !*pbFound) {
    sqlite3_bind_int64(pStmt, 1, iFrom);
    sqlite3_bind_int64(pStmt, 2, iConv);
    sqlite3_bind_text(pStmt, 3, zCallId, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      /* (a parent always has a smaller seq: anything else is no tree) */
      if (sqlite3_column_int64(pStmt, 1) >= iSeq) rc = SQLITE_CORRUPT;
      iSeq = sqlite3_column_int64(pStmt, 1);
      if (sqlite3_column_int(pStmt, 2) && sqlite3_column_int(pStmt, 3)) {
        if (*piAborted == 0) *piAborted = iFrom;
      } else {
        *pbFound = sqlite3_column_int(pStmt, 2);
      }
      iFrom = sqlite3_column_int64(pStmt, 0);
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
      iFrom = 0;
    }
    sqlite3_reset(pStmt);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

static const char *cfDefaultType(const char *zRole) {
  switch (zRole[0]) {
    case 'u': return "user_input";
    case 'a': return "assistant_response";
    case 't': return "tool_result";
    default: return "system";
  }
}

static int cfTypeValid(const char *z) {
  size_t n = strlen(z);
  if (n == 0 || n > 64) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = z[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
      return 0;
    }
  }
  return 1;
}

/* add_message's options (begin_message's and edit_message's too). */
static const CfJsonOpt aMsgOptInit[MOPT_COUNT] = {
    {"type", CF_JT_STRING, 0, 0, 0},       {"parts", CF_JT_PARTS, 0, 0, 0},
    {"attachments", CF_JT_ARRAY, 0, 0, 0}, {"metadata", CF_JT_OBJECT, 0, 0, 0},
    {"tokens", CF_JT_INT, 0, 0, 0},        {"run_id", CF_JT_INT, 0, 0, 0},
    {"created_at", CF_JT_STRING, 0, 0, 0}, {"uid", CF_JT_STRING, 0, 0, 0},
    {"tool_calls", CF_JT_ARRAY, 0, 0, 0},  {"tool_call_id", CF_JT_STRING, 0, 0, 0},
    {"parent_id", CF_JT_INT, 0, 0, 0},     {"now", CF_JT_STRING, 0, 0, 0},
};

/* aOpt gets the options of zFunc: add_message's; edit_message reads
** parent_id and begin_message tokens only to refuse them with their reason
** (the unknown-option error does not list them). */
static void cfMsgOptionsInit(CfJsonOpt *aOpt, const char *zFunc) {
  memcpy(aOpt, aMsgOptInit, sizeof(aMsgOptInit));
  if (strcmp(zFunc, "edit_message") == 0) aOpt[MOPT_PARENT_ID].bUnlisted = 1;
  if (strcmp(zFunc, "begin_message") == 0) aOpt[MOPT_TOKENS].bUnlisted = 1;
}

/* add_message, and edit_message (iEditOf > 0: the new message is a
** sibling of that message, under iEditParent, 0 for none), and
** begin_message (bDraft: vContent is 0, the message a draft in status
** streaming with empty content, docs/drafts.md).  zRole is checked;
** vContent and vOpts (0 when not given) are the arguments.  Returns
** SQLITE_OK when the message was added (its id is the result on ctx),
** else an error code (the error is set on ctx). */
static int cfAddMessage(sqlite3_context *ctx, CfConn *p, sqlite3_int64 iConv, const char *zRole,
                         sqlite3_value *vContent, sqlite3_value *vOpts, sqlite3_int64 iEditOf,
                         sqlite3_int64 iEditParent, int bDraft) {
  CfJsonOpt aOpt[MOPT_COUNT];
  sqlite3_int64 iRun = 0, iMsg = 0, iParent = iEditOf ? iEditParent : -1; /* -1: the leaf */
  sqlite3_int64 iLeaf = 0; /* the conversation's current leaf */
  const char *zContent = 0, *zOpts = 0, *zType;
  const char *zFunc = bDraft ? "begin_message" : iEditOf ? "edit_message" : "add_message";
  char *zErr = 0, *zTitle = 0, *zStep = 0, *zParts = 0, *zMeta = 0, *zCallId = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_ERROR, nContent = 0, nMax = 0, bNeedTitle = 0;

  cfMsgOptionsInit(aOpt, zFunc);
  if (bDraft) zContent = "";
  else if (cfArgText(ctx, vContent, "content", 0, 1, 1, &zContent)) return SQLITE_ERROR;
  if (vOpts && cfArgOptions(ctx, vOpts, zFunc, &zOpts)) return SQLITE_ERROR;
  if (zOpts && (rc = cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(vOpts), zFunc,
                                       aOpt, MOPT_COUNT, &zErr)) != SQLITE_OK) {
    if (zErr == 0) goto done; /* cfJsonOptionsConn has set the error */
    goto fail;
  }
  if (aOpt[MOPT_PARENT_ID].bPresent) {
    if (iEditOf) {
      zErr = sqlite3_mprintf("chatflow: edit_message takes no option parent_id: the new message is a sibling of message %lld",
                             iEditOf);
      goto fail;
    }
    iParent = aOpt[MOPT_PARENT_ID].iVal;
    if (iParent <= 0) {
      zErr = sqlite3_mprintf("chatflow: parent_id must be a positive integer message id, got %lld", iParent);
      goto fail;
    }
  }
  if (zContent && vContent) nContent = sqlite3_value_bytes(vContent);
  if (bDraft && aOpt[MOPT_TOKENS].bPresent) {
    zErr = sqlite3_mprintf("chatflow: begin_message takes no option tokens: a draft is counted when it finishes (finish_message option tokens)");
    goto fail;
  }
  if (aOpt[MOPT_UID].bPresent) {
    int n = cfUtf8Chars((const unsigned char *)aOpt[MOPT_UID].zVal, (int)strlen(aOpt[MOPT_UID].zVal));
    if (n < 1 || n > 128) {
      zErr = sqlite3_mprintf("chatflow: message uid must be a string of 1 to 128 characters, got %d characters", n);
      goto fail;
    }
  }
  if (aOpt[MOPT_TOOL_CALLS].bPresent && zRole[0] != 'a') {
    zErr = sqlite3_mprintf("chatflow: option tool_calls is for assistant messages, not %s", zRole);
    goto fail;
  }
  if (aOpt[MOPT_TOOL_CALL_ID].bPresent) {
    int n = cfUtf8Chars((const unsigned char *)aOpt[MOPT_TOOL_CALL_ID].zVal,
                        (int)strlen(aOpt[MOPT_TOOL_CALL_ID].zVal));
    if (zRole[0] != 't') {
      zErr = sqlite3_mprintf("chatflow: option tool_call_id is for tool messages, not %s", zRole);
      goto fail;
    }
    if (n < 1 || n > 128) {
      zErr = sqlite3_mprintf("chatflow: tool_call_id must be a string of 1 to 128 characters, got %d", n);
      goto fail;
    }
  }
  zType = aOpt[MOPT_TYPE].bPresent ? aOpt[MOPT_TYPE].zVal : cfDefaultType(zRole);
  if (!cfTypeValid(zType)) {
    zErr = sqlite3_mprintf("chatflow: invalid message type '%q' (expected 1 to 64 of a-z, 0-9, '_', '.', '-')",
                           zType);
    goto fail;
  }
  if (aOpt[MOPT_TOKENS].bPresent &&
      (aOpt[MOPT_TOKENS].iVal < 0 || aOpt[MOPT_TOKENS].iVal > CF_MAX_TOKENS)) {
    zErr = sqlite3_mprintf("chatflow: tokens must be from 0 to %d, got %lld", CF_MAX_TOKENS,
                           aOpt[MOPT_TOKENS].iVal);
    goto fail;
  }
  if (aOpt[MOPT_RUN_ID].bPresent) {
    iRun = aOpt[MOPT_RUN_ID].iVal;
    if (iRun <= 0) {
      zErr = sqlite3_mprintf("chatflow: run_id must be a positive integer id, got %lld", iRun);
      goto fail;
    }
  }
  /* now: the time of the call (the triggers' stamps, and created_at unless
  ** created_at is given) */
  if (cfCallTimeSet(p, aOpt[MOPT_NOW].bPresent ? aOpt[MOPT_NOW].zVal : 0, &zErr)) goto fail;
  if (aOpt[MOPT_CREATED_AT].bPresent) {
    if (cfParseTimestamp(aOpt[MOPT_CREATED_AT].zVal, zNow)) {
      zErr = sqlite3_mprintf("chatflow: invalid timestamp '%q' for created_at (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)",
                             aOpt[MOPT_CREATED_AT].zVal);
      goto fail;
    }
  } else {
    cfNow(p, zNow);
  }
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) goto fail;

  /* The conversation, and its active run when no run is named. */
  rc = cfStmt(p, CF_STMT_CONV_GET,
              "SELECT c.deleted_at IS NOT NULL, c.title IS NULL, r.id, r.current_step,"
              "       coalesce(c.current_leaf_id, 0)"
              "  FROM chat_conversations AS c"
              "  LEFT JOIN workflow_runs AS r ON r.conversation_id = c.id"
              "   AND " CF_ACTIVE("r.status")
              " WHERE c.id = ?1",
              &pStmt);
  if (rc != SQLITE_OK) goto db_error;
  sqlite3_bind_int64(pStmt, 1, iConv);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_DONE) {
    zErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
    rc = zErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
  } else if (rc == SQLITE_ROW) {
    rc = SQLITE_OK;
    if (sqlite3_column_int(pStmt, 0)) {
      zErr = sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld) first",
                             iConv, iConv);
      rc = zErr ? SQLITE_MISUSE : SQLITE_NOMEM;
    }
    bNeedTitle = sqlite3_column_int(pStmt, 1) && zRole[0] == 'u' && nContent > 0;
    iLeaf = sqlite3_column_int64(pStmt, 4);
    if (iRun == 0 && sqlite3_column_type(pStmt, 2) != SQLITE_NULL) {
      iRun = sqlite3_column_int64(pStmt, 2);
      zStep = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
      if (zStep == 0) rc = SQLITE_NOMEM;
    }
  }
  cfStmtDone(p, pStmt);
  pStmt = 0;
  if (rc != SQLITE_OK) goto db_error;

  /* A named run must be one of this conversation's. */
  if (aOpt[MOPT_RUN_ID].bPresent) {
    rc = cfStmt(p, CF_STMT_MSG_RUN_GET,
                "SELECT conversation_id, current_step, status FROM workflow_runs WHERE id = ?1",
                &pStmt);
    if (rc != SQLITE_OK) goto db_error;
    sqlite3_bind_int64(pStmt, 1, iRun);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_DONE) {
      zErr = sqlite3_mprintf("chatflow: unknown run %lld", iRun);
      rc = zErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
    } else if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      if (sqlite3_column_int64(pStmt, 0) != iConv) {
        zErr = sqlite3_mprintf("chatflow: run %lld belongs to conversation %lld, not %lld", iRun,
                               sqlite3_column_int64(pStmt, 0), iConv);
        rc = zErr ? SQLITE_MISUSE : SQLITE_NOMEM;
      } else {
        zStep = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
        if (zStep == 0) rc = SQLITE_NOMEM;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc != SQLITE_OK) goto db_error;
  }

  /* A parent named: a message of this conversation. */
  if (iParent > 0) {
    rc = cfStmt(p, CF_STMT_MSG_PARENT, "SELECT conversation_id FROM chat_messages WHERE id = ?1", &pStmt);
    if (rc != SQLITE_OK) goto db_error;
    sqlite3_bind_int64(pStmt, 1, iParent);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_DONE) {
      zErr = sqlite3_mprintf("chatflow: unknown message %lld (parent_id)", iParent);
      rc = zErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
    } else if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      if (sqlite3_column_int64(pStmt, 0) != iConv) {
        zErr = sqlite3_mprintf("chatflow: message %lld (parent_id) belongs to conversation %lld, not %lld",
                               iParent, sqlite3_column_int64(pStmt, 0), iConv);
        rc = zErr ? SQLITE_MISUSE : SQLITE_NOMEM;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc != SQLITE_OK) goto db_error;
  }

  /* Tool calls and results in their stored form (chatflow's "tool-call"
  ** parts; metadata.tool_call_id), and a tool result's call. */
  if (zOpts && (aOpt[MOPT_TOOL_CALLS].bPresent || zRole[0] == 't')) {
    if (aOpt[MOPT_TOOL_CALLS].bPresent) rc = cfToolCallsCheck(p, zOpts, &zErr);
    if (rc == SQLITE_OK) {
      rc = cfStmt(p, CF_STMT_MSG_SHAPE,
                  "SELECT CASE WHEN ?2 THEN (SELECT json_group_array(json(v)) FROM ("
                  "   SELECT value AS v, 0 AS g, key AS k FROM json_each(?1, '$.parts')"
                  "   UNION ALL"
                  "   SELECT json_object('type', 'tool-call', 'id', json_extract(value, '$.id'),"
                  "          'name', json_extract(value, '$.function.name'),"
                  "          'arguments', coalesce(json_extract(value, '$.function.arguments') || '', '{}')),"
                  "          1, key FROM json_each(?1, '$.tool_calls')"
                  "   ORDER BY g, k)) END,"
                  " CASE WHEN ?3 IS NOT NULL"
                  "  THEN json_set(coalesce(json_extract(?1, '$.metadata'), '{}'), '$.tool_call_id', ?3) END,"
                  " json_type(?1, '$.metadata.tool_call_id'), json_extract(?1, '$.metadata.tool_call_id')",
                  &pStmt);
    }
    if (rc == SQLITE_OK) {
      const char *zOld;
      sqlite3_bind_text(pStmt, 1, zOpts, -1, SQLITE_STATIC);
      sqlite3_bind_int(pStmt, 2, aOpt[MOPT_TOOL_CALLS].bPresent && aOpt[MOPT_TOOL_CALLS].iVal > 0);
      if (aOpt[MOPT_TOOL_CALL_ID].bPresent) {
        sqlite3_bind_text(pStmt, 3, aOpt[MOPT_TOOL_CALL_ID].zVal, -1, SQLITE_STATIC);
      }
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        zOld = (const char *)sqlite3_column_text(pStmt, 3);
        if (sqlite3_column_type(pStmt, 0) != SQLITE_NULL) {
          zParts = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
          if (zParts == 0) rc = SQLITE_NOMEM;
        }
        if (sqlite3_column_type(pStmt, 1) != SQLITE_NULL) {
          zMeta = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
          if (zMeta == 0) rc = SQLITE_NOMEM;
        }
        if (rc != SQLITE_OK) {
          /* out of memory */
        } else if (sqlite3_column_type(pStmt, 2) != SQLITE_NULL &&
                   strcmp((const char *)sqlite3_column_text(pStmt, 2), "text") != 0) {
          char zGot[CF_VALUE_DESC_LEN];
          cfJsonValueDesc((const char *)sqlite3_column_text(pStmt, 2), sqlite3_column_value(pStmt, 3), zGot,
                          &rc);
          if (rc == SQLITE_OK) {
            zErr = sqlite3_mprintf("chatflow: metadata.tool_call_id must be a string, got %s", zGot);
            rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
          }
        } else if (zOld && aOpt[MOPT_TOOL_CALL_ID].bPresent && strcmp(zOld, aOpt[MOPT_TOOL_CALL_ID].zVal) != 0) {
          zErr = sqlite3_mprintf("chatflow: tool_call_id '%q' differs from metadata.tool_call_id '%q'",
                                 aOpt[MOPT_TOOL_CALL_ID].zVal, zOld);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        } else if (zRole[0] == 't' && (zOld || aOpt[MOPT_TOOL_CALL_ID].bPresent)) {
          zCallId = sqlite3_mprintf("%s", zOld ? zOld : aOpt[MOPT_TOOL_CALL_ID].zVal);
          if (zCallId == 0) rc = SQLITE_NOMEM;
        }
      }
      cfStmtDone(p, pStmt);
      pStmt = 0;
    }
    if (rc == SQLITE_OK && zCallId) {
      /* the call it answers: a tool call of an assistant message on the
      ** branch the message joins (either form) */
      int bFound = 0;
      sqlite3_int64 iAborted = 0;
      rc = cfCallOnBranch(p, iConv, iParent >= 0 ? iParent : iLeaf, zCallId, &bFound, &iAborted);
      if (rc != SQLITE_OK || bFound) goto call_done;
      if (iAborted) {
        zErr = sqlite3_mprintf("chatflow: the tool result answers no call: the tool call '%q' is in message %lld,"
                               " an aborted draft, which no history sends",
                               zCallId, iAborted);
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        goto call_done;
      }
      /* not on the branch: somewhere else in the conversation, or nowhere */
      rc = cfStmt(p, CF_STMT_MSG_ANSWERS,
                  "SELECT 1 FROM chat_messages AS m, json_each(m.parts) AS j"
                  " WHERE m.conversation_id = ?1 AND m.role = 'assistant' AND m.parts IS NOT NULL"
                  "   AND m.status <> 'aborted' AND " CF_SQL_PART_CALLS("?2")
                  " ORDER BY m.seq DESC LIMIT 1",
                  &pStmt);
      if (rc == SQLITE_OK) {
        sqlite3_bind_int64(pStmt, 1, iConv);
        sqlite3_bind_text(pStmt, 2, zCallId, -1, SQLITE_STATIC);
        rc = sqlite3_step(pStmt);
        if (rc == SQLITE_DONE) {
          zErr = sqlite3_mprintf("chatflow: the tool result answers no call: conversation %lld has no tool call with id '%q'",
                                 iConv, zCallId);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        } else if (rc == SQLITE_ROW) {
          zErr = sqlite3_mprintf("chatflow: the tool result answers no call: the tool call '%q' of conversation %lld is on another branch",
                                 zCallId, iConv);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      }
      cfStmtDone(p, pStmt);
      pStmt = 0;
    call_done:;
    }
    if (rc != SQLITE_OK) goto db_error;
  }

  /* A uid the conversation has: a retry (the same message: its id, no
  ** write) or an error. */
  if (aOpt[MOPT_UID].bPresent) {
    rc = cfStmt(p, CF_STMT_MSG_RETRY,
                "SELECT id, content IS ?4 AND parts IS coalesce(?5, json_extract(?6, '$.parts')),"
                "       coalesce(parent_id, 0), role IS ?3, role, status"
                "  FROM chat_messages WHERE conversation_id = ?1 AND uid = ?2",
                &pStmt);
    if (rc != SQLITE_OK) goto db_error;
    sqlite3_bind_int64(pStmt, 1, iConv);
    sqlite3_bind_text(pStmt, 2, aOpt[MOPT_UID].zVal, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 3, zRole, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 4, zContent ? zContent : "", nContent, SQLITE_STATIC);
    if (zParts) sqlite3_bind_text(pStmt, 5, zParts, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 6, zOpts, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      if (!sqlite3_column_int(pStmt, 3)) {
        zErr = sqlite3_mprintf("chatflow: message uid '%q' already exists in conversation %lld with another role (%s)",
                               aOpt[MOPT_UID].zVal, iConv, (const char *)sqlite3_column_text(pStmt, 4));
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (bDraft && sqlite3_column_type(pStmt, 5) == SQLITE_TEXT &&
                 strcmp((const char *)sqlite3_column_text(pStmt, 5), "streaming") != 0) {
        /* begin_message answers a draft, in status streaming: a finished
        ** or aborted message under the uid is no retry of it */
        zErr = sqlite3_mprintf("chatflow: message uid '%q' already exists in conversation %lld as message %lld,"
                               " which is %s, not streaming; begin the draft under another uid",
                               aOpt[MOPT_UID].zVal, iConv, sqlite3_column_int64(pStmt, 0),
                               (const char *)sqlite3_column_text(pStmt, 5));
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (!bDraft && sqlite3_column_type(pStmt, 5) == SQLITE_TEXT &&
                 strcmp((const char *)sqlite3_column_text(pStmt, 5), "streaming") == 0) {
        /* a draft still taking appends is not the message asked for: its
        ** id would come back while it is not complete */
        zErr = sqlite3_mprintf("chatflow: message uid '%q' already exists in conversation %lld as message %lld,"
                               " a streaming draft; finish_message or abort_message it",
                               aOpt[MOPT_UID].zVal, iConv, sqlite3_column_int64(pStmt, 0));
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (!sqlite3_column_int(pStmt, 1)) {
        zErr = cfUidDiffersError(aOpt[MOPT_UID].zVal, iConv);
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (iParent >= 0 && sqlite3_column_int64(pStmt, 2) != iParent) {
        /* the same message asked under another parent: not a retry */
        zErr = cfUidParentError(aOpt[MOPT_UID].zVal, iConv, sqlite3_column_int64(pStmt, 2));
        rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else {
        iMsg = sqlite3_column_int64(pStmt, 0);
      }
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc != SQLITE_OK || iMsg) goto db_error; /* iMsg: the retry, done */
  }

  if (bNeedTitle) {
    zTitle = cfAutoTitle(zContent);
    if (zTitle == 0 && cfTextHasVisible(zContent)) {
      rc = SQLITE_NOMEM; /* not "no visible characters": no title was made */
      goto db_error;
    }
    if (zTitle) {
      /* the stamp the message's trigger gave: its time, never past the
      ** clock (a message dated in the future) */
      char zClock[CF_TIMESTAMP_LEN + 1];
      cfNow(p, zClock);
      rc = cfStmt(p, CF_STMT_SET_TITLE,
                  "UPDATE chat_conversations SET title = ?2, updated_at = max(updated_at, min(?3, ?4))"
                  " WHERE id = ?1 AND title IS NULL",
                  &pStmt);
      if (rc != SQLITE_OK) goto db_error;
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, zTitle, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, zClock, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
      cfStmtDone(p, pStmt);
      pStmt = 0;
      if (rc != SQLITE_OK) goto db_error;
    }
  }

  if (bDraft) {
    /* a draft: status streaming, its last write now, 0 tokens (?8) */
    if (aOpt[MOPT_UID].bPresent) {
      rc = cfStmt(p, CF_STMT_DRAFT_INSERT_UID,
                  CF_MSG_INSERT(", status, streamed_at, uid", ", 'streaming', ?9, ?12"), &pStmt);
    } else {
      rc = cfStmt(p, CF_STMT_DRAFT_INSERT, CF_MSG_INSERT(", status, streamed_at", ", 'streaming', ?9"), &pStmt);
    }
  } else if (aOpt[MOPT_UID].bPresent) {
    rc = cfStmt(p, CF_STMT_MSG_INSERT_UID, CF_MSG_INSERT(", uid", ", ?12"), &pStmt);
  } else {
    rc = cfStmt(p, CF_STMT_MSG_INSERT, CF_MSG_INSERT("", ""), &pStmt);
  }
  if (rc != SQLITE_OK) goto db_error;
  sqlite3_bind_int64(pStmt, 1, iConv);
  if (iRun) sqlite3_bind_int64(pStmt, 2, iRun);
  sqlite3_bind_text(pStmt, 3, zRole, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 4, zType, -1, SQLITE_STATIC);
  sqlite3_bind_text(pStmt, 5, zContent ? zContent : "", nContent, SQLITE_STATIC);
  if (zOpts) sqlite3_bind_text(pStmt, 6, zOpts, -1, SQLITE_STATIC);
  if (zStep) sqlite3_bind_text(pStmt, 7, zStep, -1, SQLITE_STATIC);
  if (aOpt[MOPT_TOKENS].bPresent) sqlite3_bind_int64(pStmt, 8, aOpt[MOPT_TOKENS].iVal);
  if (bDraft) sqlite3_bind_int64(pStmt, 8, 0);
  sqlite3_bind_text(pStmt, 9, zNow, -1, SQLITE_STATIC);
  if (zParts) sqlite3_bind_text(pStmt, 10, zParts, -1, SQLITE_STATIC);
  if (zMeta) sqlite3_bind_text(pStmt, 11, zMeta, -1, SQLITE_STATIC);
  if (aOpt[MOPT_UID].bPresent) sqlite3_bind_text(pStmt, 12, aOpt[MOPT_UID].zVal, -1, SQLITE_STATIC);
  if (iParent >= 0) sqlite3_bind_int64(pStmt, 13, iParent);
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_DONE) {
    rc = SQLITE_OK;
    iMsg = sqlite3_last_insert_rowid(p->db);
  } else if (strcmp(sqlite3_errmsg(p->db), cfSqlEmptyContent) == 0) {
    /* the schema's rule, said without the CHECK's prefix (and NULL for a
    ** NULL content, which was bound as '') */
    zErr = sqlite3_mprintf("chatflow: message content must not be %s unless parts are given or it is a tool"
                           " result (tool_call_id)", zContent ? "empty" : "NULL");
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  } else if (strcmp(sqlite3_errmsg(p->db), cfSqlTooLong) == 0) {
    /* the schema's limit (chat_messages_check_insert), said with the figures */
    rc = cfMaxContentChars(p, &nMax);
    if (rc == SQLITE_OK) {
      zErr = sqlite3_mprintf("chatflow: message content is %d characters, longer than the limit of %d (limits.max_content_chars)",
                             cfUtf8Chars((const unsigned char *)zContent, nContent), nMax);
      rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  cfStmtDone(p, pStmt);
  pStmt = 0;
  if (rc == SQLITE_OK) rc = cfIndexAfterInsert(p, iMsg);

db_error:
  rc = cfFinish(ctx, p, rc, &zErr);
  if (rc == SQLITE_OK) sqlite3_result_int64(ctx, iMsg);
  goto done;
fail:
  /* Before the write, or cfBeginWrite failed (it has undone itself): the
  ** message, or out of memory when there is none, with rc's code. */
  cfResultErrorMsg(ctx, zErr);
  zErr = 0;
  cfResultCode(ctx, rc);
  if (rc == SQLITE_OK) rc = SQLITE_ERROR;
done:
  sqlite3_free(zTitle);
  sqlite3_free(zStep);
  sqlite3_free(zParts);
  sqlite3_free(zMeta);
  sqlite3_free(zCallId);
  cfJsonOptionsFree(aOpt, MOPT_COUNT);
  return rc;
}

static int cfRoleCheck(sqlite3_context *ctx, sqlite3_value *v, const char **pzRole) {
  if (cfArgText(ctx, v, "role", 20, 0, 1, pzRole)) return 1;
  if (strcmp(*pzRole, "system") && strcmp(*pzRole, "user") && strcmp(*pzRole, "assistant") &&
      strcmp(*pzRole, "tool")) {
    /* OpenAI's "developer" (its o-series name for system instructions) is
    ** not a fifth role: where it is stored as system is the caller's map,
    ** as ChatflowSaver's (bindings/node/langgraph.js) */
    cfResultError(ctx, "chatflow: invalid role '%q' (expected system, user, assistant, tool%s)", *pzRole,
                  strcmp(*pzRole, "developer") == 0 ? "; store OpenAI's developer message as system" : "");
    return 1;
  }
  return 0;
}

static void cfAddMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iConv;
  const char *zRole = 0;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (cfRoleCheck(ctx, argv[1], &zRole)) return;
  cfAddMessage(ctx, (CfConn *)sqlite3_user_data(ctx), iConv, zRole, argv[2], argc > 3 ? argv[3] : 0, 0, 0, 0);
}

/* begin_message(conversation_id, role [, options_json]): registered by
** drafts.c, which has the rest of a draft's life. */
void cfBeginMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  sqlite3_int64 iConv;
  const char *zRole = 0;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (cfRoleCheck(ctx, argv[1], &zRole)) return;
  cfAddMessage(ctx, (CfConn *)sqlite3_user_data(ctx), iConv, zRole, 0, argc > 2 ? argv[2] : 0, 0, 0, 1);
}

/* edit_message(message_id, content [, options_json]): the message's
** conversation, role and parent, then add_message under that parent (which
** checks again, under the write lock, that the parent is there). */
static void cfEditMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iMsg, iConv = 0, iParent = 0;
  char zRole[16];
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc;
  if (cfArgId(ctx, argv[0], "message id", &iMsg)) return;
  /* The arguments first, as add_message checks them, so that a call that
  ** cannot succeed does not wait for the lock (the JSON is checked on the
  ** private connection: no read transaction of main). */
  {
    const char *zArg = 0;
    if (cfArgText(ctx, argv[1], "content", 0, 1, 1, &zArg)) return;
    if (argc > 2 && cfArgOptions(ctx, argv[2], "edit_message", &zArg)) return;
    if (argc > 2 && zArg) {
      CfJsonOpt aOpt[MOPT_COUNT];
      cfMsgOptionsInit(aOpt, "edit_message");
      rc = cfJsonOptionsConn(ctx, p, zArg, sqlite3_value_bytes(argv[2]), "edit_message", aOpt, MOPT_COUNT,
                             &zErr);
      cfJsonOptionsFree(aOpt, MOPT_COUNT);
      if (rc != SQLITE_OK) {
        if (zErr) { /* else cfJsonOptionsConn has set the error */
          cfResultErrorMsg(ctx, zErr);
          cfResultCode(ctx, rc);
        }
        return;
      }
    }
  }
  /* The write lock before the message is read (write.c: a read first would
  ** make the caller's deferred transaction a read transaction, which SQLite
  ** cannot upgrade in the busy handler); add_message's bracket nests. */
  if (cfBeginWriteResult(ctx, p)) return;
  /* Column 3: the options to pass on.  A tool result's new version answers
  ** the call the old one answered: its tool_call_id goes in unless the
  ** options name one.  json_type(), not json_valid(): SQLite 3.40's
  ** json_valid() answers 0 when it cannot allocate, which would drop the
  ** id silently; json_type() fails.  Options it cannot read (not JSON)
  ** fail it too: then the message is read again without them, and
  ** add_message refuses them by its rules (the second statement). */
  static const char *const azEditSql[2] = {
    "SELECT conversation_id, role, coalesce(parent_id, 0),"
    " CASE WHEN role = 'tool' AND json_type(metadata, '$.tool_call_id') = 'text'"
    "       AND (?2 IS NULL OR (typeof(?2) = 'text' AND json_type(?2) = 'object'"
    "            AND json_type(?2, '$.tool_call_id') IS NULL"
    "            AND json_type(?2, '$.metadata.tool_call_id') IS NULL))"
    "  THEN json_set(coalesce(?2, '{}'), '$.tool_call_id', json_extract(metadata, '$.tool_call_id'))"
    "  ELSE ?2 END"
    " FROM chat_messages WHERE id = ?1",
    "SELECT conversation_id, role, coalesce(parent_id, 0), ?2 FROM chat_messages WHERE id = ?1"};
  for (int k = 0; k < 2; k++) {
    rc = k == 0 ? cfStmt(p, CF_STMT_MSG_EDIT_OF, azEditSql[0], &pStmt) : cfStmtText(p, azEditSql[1], &pStmt);
    if (rc != SQLITE_OK) break;
    sqlite3_bind_int64(pStmt, 1, iMsg);
    if (argc > 2) sqlite3_bind_value(pStmt, 2, argv[2]);
    rc = sqlite3_step(pStmt);
    if (rc != SQLITE_ERROR || k == 1) break;
    /* (SQLITE_ERROR: the options are not JSON; out of memory stays one) */
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(pStmt, 1);
    iConv = sqlite3_column_int64(pStmt, 0);
    iParent = sqlite3_column_int64(pStmt, 2);
    rc = z ? SQLITE_OK : SQLITE_NOMEM;
    if (z) sqlite3_snprintf((int)sizeof(zRole), zRole, "%s", z);
  }
  if (rc == SQLITE_OK) {
    /* a copy: the statement ends before add_message runs */
    sqlite3_value *vOpts = 0;
    if (argc > 2 || sqlite3_column_type(pStmt, 3) != SQLITE_NULL) {
      vOpts = sqlite3_value_dup(sqlite3_column_value(pStmt, 3));
      if (vOpts == 0) rc = SQLITE_NOMEM;
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc == SQLITE_OK) {
      /* its result (the id, or its error with its own work undone) is
      ** the call's; then this bracket ends: on success the RELEASE (the
      ** commit when the call began the transaction), whose failure
      ** becomes the call's error; after its error the undo, which knows
      ** when SQLite has already rolled the transaction back (an I/O error
      ** in rollback-journal mode) */
      rc = cfAddMessage(ctx, p, iConv, zRole, argv[1], vOpts, iMsg, iParent, 0);
      sqlite3_value_free(vOpts);
      if (rc == SQLITE_OK) cfFinish(ctx, p, rc, &zErr);
      else cfEndAfterError(p, rc);
      return;
    }
    sqlite3_value_free(vOpts);
  } else if (rc == SQLITE_DONE) {
    zErr = sqlite3_mprintf("chatflow: unknown message %lld", iMsg);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  cfStmtDone(p, pStmt);
  cfFinish(ctx, p, rc, &zErr);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED(cfAddMessageFunc)
CF_TIMED(cfEditMessageFunc)

int cfRegisterMessages(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* writes the database */
    {"add_message", 3, CF_WRITES, cfAddMessageFunc},
    {"add_message", 4, CF_WRITES, cfAddMessageFuncTimed},
    {"edit_message", 2, CF_WRITES, cfEditMessageFunc},
    {"edit_message", 3, CF_WRITES, cfEditMessageFuncTimed},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
