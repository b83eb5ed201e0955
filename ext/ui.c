/*
** ui.c — messages in the shape of the Vercel AI SDK: a UIMessage in, and a
** conversation's UIMessages out for useChat.
**
**   add_ui_message(conversation_id, ui_message_json [, options_json]) -> message id
**   chat_ui_messages(conversation_id [, options_json])                 -> JSON array
**
** Example:
**   SELECT add_ui_message(1, '{"id": "msg-1", "role": "user",
**                              "parts": [{"type": "text", "text": "Hi"}]}');
**   SELECT chat_ui_messages(1);  -- [{"id":"msg-1","role":"user","parts":[...]}]
**
** A UIMessage is {"id", "role", "parts", "metadata"?}: the shape of the
** "ai" package's UIMessage (npm, 5.x to 7.x), as useChat and onFinish hand
** it over.  add_ui_message stores it as add_message would store
**   add_message(conversation_id, role, <the text parts, one per line>,
**               {"uid": id, "parts": parts, "metadata": metadata, ...})
** — so the id is the retry key (the same message again returns its id and
** writes nothing; see below for "the same"), every part type is kept as sent, the metadata too
** (nulls included), and tool and file parts are checked (messages.c, json.c).  tokens, when the options do not give them,
** come from an assistant message's metadata: tokens.output (chatflow's
** form), totalUsage.outputTokens or usage.outputTokens (what the AI SDK's
** usage reports: totalUsage counts every step of the message, usage its
** last), each only as an integer from 0 to 10^9 (other values are left to
** the metadata, stored as sent); else the estimate.  Options: type, attachments, tokens,
** run_id, parent_id, created_at, now (add_message's, passed through:
** parent_id stores the new answer of useChat's regenerate() under the
** question).  Other members of the UIMessage (createdAt of older versions,
** ...) are not stored.
**
** A retry: a UIMessage whose id the conversation has returns the stored
** message's id, writing nothing, when add_message takes it as the same
** message (role, text and parts as text), or else when it is JSON-equal
** (key order ignored, json_object_equal) to what was stored (role, parts,
** metadata) or to what chat_ui_messages gives for that message (onFinish
** saving the whole list again, messages add_message wrote among them);
** a given parent_id must be the stored message's.  Anything else keeps
** add_message's refusal.  The JSON comparison runs only after that
** refusal, never for a new id (cfUiSameMessage).
**
** chat_ui_messages gives the conversation's messages as UIMessages, oldest
** first: {"id": uid, "role", "parts", "metadata"} (metadata only when the
** message has some).  A message stored by add_ui_message comes back with
** its parts and metadata as stored (JSON-equal to what was sent), unless a
** tool message answers one of its tool parts later (below).  Other messages
** are shown the way useChat would hold them: the content as a text part,
** first, when no part is text; chatflow's "tool-call" parts as AI SDK tool
** parts {"type": "tool-<name>", "toolCallId", "state", "input"[, "output"]}.
** A tool message is folded into the call it answers (a UIMessage has no
** tool role): that part gets state output-available and the output (the
** content, parsed when the whole text is JSON); a call nobody answered
** stays input-available; a tool message that answers no call is left out.
** Option max_tokens: the window of chat_history.
**
** Known limit: messages are immutable, so an assistant message the AI SDK
** sends again under the same id with more parts (a tool approval answered,
** a client-side tool's result) is refused as a different message; store
** the message once its step is finished, or give the continuation its own
** id.
**
** Errors: "chatflow: UIMessage ..." for a document that is not a
** UIMessage (not an object, no id, an unknown role, parts not an array or
** empty, metadata not an object; an empty id says that the AI SDK leaves
** it so without generateMessageId), and add_message's errors.
*/
#include "chatflow_int.h"

#include <json-c/json.h>
#include <string.h>

/* ------------------------------------------------------------ add_ui_message */

enum { UOPT_TYPE, UOPT_ATTACHMENTS, UOPT_TOKENS, UOPT_RUN_ID, UOPT_PARENT_ID, UOPT_CREATED_AT, UOPT_NOW,
       UOPT_COUNT };

/* As deep as SQLite's JSON functions go (the UIMessage passed them), with
** the two levels chat_ui_messages puts around a message's parts. */
#define CF_UI_JSON_DEPTH 1003

/* z (n bytes) parsed into *ppVal (owned; 0 for a JSON null).  Returns 0
** when z is no JSON json-c reads (*ppVal 0), and sets *pRc when out of
** memory. */
static int cfUiParse(const char *z, int n, struct json_object **ppVal, int *pRc) {
  struct json_tokener *pTok = json_tokener_new_ex(CF_UI_JSON_DEPTH);
  int bOk = 0;
  *ppVal = 0;
  if (pTok == 0) {
    *pRc = SQLITE_NOMEM;
    return 0;
  }
  *ppVal = json_tokener_parse_ex(pTok, z ? z : "", n);
  bOk = json_tokener_get_error(pTok) == json_tokener_success;
  if (!bOk && *ppVal) {
    json_object_put(*ppVal);
    *ppVal = 0;
  }
  json_tokener_free(pTok);
  return bOk;
}

/* Whether pMember (borrowed; 0 when missing or a JSON null) is JSON-equal
** to the column iCol of pStmt, a NULL column being a missing member. */
static int cfUiColumnEqual(sqlite3_stmt *pStmt, int iCol, struct json_object *pMember, int *pRc) {
  struct json_object *pCol = 0;
  int bEqual;
  if (sqlite3_column_type(pStmt, iCol) == SQLITE_NULL) return pMember == 0;
  bEqual = cfUiParse((const char *)sqlite3_column_text(pStmt, iCol), sqlite3_column_bytes(pStmt, iCol), &pCol, pRc) &&
           (pCol == pMember || json_object_equal(pCol, pMember));
  json_object_put(pCol);
  return bEqual;
}

/* add_message refused the UIMessage zUi as "different content" for the
** uid zUid the conversation has; the same message may still come back in
** another form: its members in another order, or read back with
** chat_ui_messages (a message add_message wrote, a tool call answered).
** *piMsg is set to the stored message's id when zUi equals what was stored
** (role, parts, metadata) or what chat_ui_messages gives for it (JSON
** equality, key order ignored), else left 0.  A parent_id (iParent >= 0; -1: none given)
** must be the stored one; *pzErr says so otherwise.  Runs only on that
** refusal: a new id never comes here. */
static int cfUiSameMessage(CfConn *p, sqlite3_int64 iConv, const char *zUid, const char *zUi, int nUi,
                           sqlite3_int64 iParent, sqlite3_int64 *piMsg, char **pzErr) {
  struct json_object *pUi = 0, *pX = 0, *pMeta = 0, *pAll = 0;
  sqlite3_stmt *pStmt = 0, *pList = 0;
  sqlite3_int64 iMsg = 0, iStoredParent = 0;
  int rc = SQLITE_OK, bSame = 0;

  /* (SQLite's JSON took zUi: json-c not reading it keeps the refusal) */
  if (cfUiParse(zUi, nUi, &pUi, &rc) && json_object_is_type(pUi, json_type_object)) {
    rc = sqlite3_prepare_v2(p->db,
                            "SELECT id, role, parts, metadata, coalesce(parent_id, 0)"
                            "  FROM chat_messages WHERE conversation_id = ?1 AND uid = ?2",
                            -1, &pStmt, 0);
  }
  if (rc == SQLITE_OK && pStmt) {
    sqlite3_bind_int64(pStmt, 1, iConv);
    sqlite3_bind_text(pStmt, 2, zUid, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
  }
  if (rc == SQLITE_ROW) {
    /* as stored: role, parts, metadata (an object, or none) */
    rc = SQLITE_OK;
    iMsg = sqlite3_column_int64(pStmt, 0);
    iStoredParent = sqlite3_column_int64(pStmt, 4);
    if (json_object_object_get_ex(pUi, "metadata", &pMeta) && !json_object_is_type(pMeta, json_type_object)) {
      pMeta = 0; /* a JSON null: stored as none */
    }
    bSame = json_object_object_get_ex(pUi, "role", &pX) &&
            strcmp(json_object_get_string(pX), (const char *)sqlite3_column_text(pStmt, 1)) == 0 &&
            json_object_object_get_ex(pUi, "parts", &pX) && cfUiColumnEqual(pStmt, 2, pX, &rc) &&
            cfUiColumnEqual(pStmt, 3, pMeta, &rc);
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK; /* gone since add_message looked: its refusal stands */
  }
  if (rc == SQLITE_OK && iMsg && !bSame) {
    /* as chat_ui_messages gives it */
    rc = sqlite3_prepare_v2(p->db, "SELECT chat_ui_messages(?1)", -1, &pList, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pList, 1, iConv);
      rc = sqlite3_step(pList);
    }
    if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      if (!cfUiParse((const char *)sqlite3_column_text(pList, 0), sqlite3_column_bytes(pList, 0), &pAll, &rc) ||
          !json_object_is_type(pAll, json_type_array)) {
        json_object_put(pAll);
        pAll = 0;
      }
      for (size_t k = 0; pAll && k < json_object_array_length(pAll); k++) {
        struct json_object *pMsg = json_object_array_get_idx(pAll, k), *pId = 0;
        if (json_object_object_get_ex(pMsg, "id", &pId) && strcmp(json_object_get_string(pId), zUid) == 0) {
          bSame = json_object_equal(pMsg, pUi);
          break;
        }
      }
    }
  }
  if (rc == SQLITE_OK && bSame) {
    if (iParent >= 0 && iParent != iStoredParent) {
      /* the same message asked under another parent: not a retry */
      *pzErr = cfUidParentError(zUid, iConv, iStoredParent);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else {
      *piMsg = iMsg;
    }
  }
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM && *pzErr == 0) *pzErr = cfDbError(p->db, rc);
  if (rc != SQLITE_OK && *pzErr == 0) rc = SQLITE_NOMEM;
  sqlite3_finalize(pList);
  sqlite3_finalize(pStmt);
  json_object_put(pAll);
  json_object_put(pUi);
  return rc;
}

static void cfAddUiMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  static const CfJsonOpt aInit[UOPT_COUNT] = {
    {"type", CF_JT_STRING, 0, 0, 0},  {"attachments", CF_JT_ARRAY, 0, 0, 0},
    {"tokens", CF_JT_INT, 0, 0, 0},   {"run_id", CF_JT_INT, 0, 0, 0},
    {"parent_id", CF_JT_INT, 0, 0, 0}, {"created_at", CF_JT_STRING, 0, 0, 0},
    {"now", CF_JT_STRING, 0, 0, 0},
  };
  CfJsonOpt aOpt[UOPT_COUNT];
  sqlite3_int64 iConv;
  const char *zUi = 0, *zOpts = 0;
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0, *pAdd = 0;
  sqlite3 *dbJson = 0;
  int rc;

  memcpy(aOpt, aInit, sizeof(aInit));
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (cfArgText(ctx, argv[1], "UIMessage", 0, 0, 0, &zUi)) return;
  if (argc > 2 && cfArgOptions(ctx, argv[2], "add_ui_message", &zOpts)) return;
  rc = cfJsonCheckAs(p, zUi, sqlite3_value_bytes(argv[1]), "UIMessage", &zErr);
  if (rc == SQLITE_OK && zOpts) {
    rc = cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(argv[2]), "add_ui_message", aOpt,
                           UOPT_COUNT, &zErr);
    if (rc != SQLITE_OK && zErr == 0) goto done; /* the error is set on ctx */
  }
  if (rc != SQLITE_OK) goto fail;

  /* The UIMessage's members, and add_message's arguments made of them:
  ** read on the private connection (json_each on p->db would open a read
  ** transaction of main before add_message takes the write lock). */
  dbJson = cfJsonConnection(p);
  rc = dbJson == 0 ? SQLITE_NOMEM : sqlite3_prepare_v2(
      dbJson,
      "SELECT json_type(?1), json_type(?1, '$.id'), length(json_extract(?1, '$.id')),"
      " json_type(?1, '$.role'), json_extract(?1, '$.role'),"
      " json_type(?1, '$.parts'), json_array_length(?1, '$.parts'), json_type(?1, '$.metadata'),"
      " coalesce((SELECT group_concat(t, char(10)) FROM (SELECT json_extract(value, '$.text') AS t"
      "   FROM json_each(?1, '$.parts') WHERE CASE WHEN type = 'object'"
      "    THEN json_extract(value, '$.type') = 'text' AND json_type(value, '$.text') = 'text' END"
      "   ORDER BY key)), ''), json_extract(?1, '$.id'), json_type(?1, '$.content')",
      -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zUi, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
  }
  if (rc == SQLITE_ROW) {
    const char *zType = (const char *)sqlite3_column_text(pStmt, 0);
    const char *zIdType = (const char *)sqlite3_column_text(pStmt, 1);
    const char *zRoleType = (const char *)sqlite3_column_text(pStmt, 3);
    /* the role as text only when it is a string: column_text would make
    ** a number text in place, and out of memory leave it NULL */
    const char *zRole =
        zRoleType && strcmp(zRoleType, "text") == 0 ? (const char *)sqlite3_column_text(pStmt, 4) : 0;
    const char *zPartsType = (const char *)sqlite3_column_text(pStmt, 5);
    const char *zMetaType = (const char *)sqlite3_column_text(pStmt, 7);
    sqlite3_int64 nId = sqlite3_column_int64(pStmt, 2);
    char zGot[CF_VALUE_DESC_LEN]; /* what a refused member is (cfJsonValueDesc) */
    int bRefused = 1;             /* a refusal below: zErr, or 0 out of memory */
    rc = SQLITE_OK;
    if (zRoleType && strcmp(zRoleType, "text") == 0 && zRole == 0) {
      rc = SQLITE_NOMEM; /* its text not made */
    } else if (zType == 0 || strcmp(zType, "object") != 0) {
      zErr = sqlite3_mprintf("chatflow: UIMessage must be a JSON object {\"id\", \"role\", \"parts\", \"metadata\"?}");
    } else if (zIdType && strcmp(zIdType, "text") == 0 && nId == 0) {
      zErr = sqlite3_mprintf("chatflow: UIMessage id must be a string of 1 to 128 characters,"
                             " got text '' (the AI SDK leaves it empty without generateMessageId)");
    } else if (zIdType == 0 || strcmp(zIdType, "text") != 0) {
      zErr = sqlite3_mprintf("chatflow: UIMessage id must be a string of 1 to 128 characters, got %s",
                             cfJsonValueDesc(zIdType, sqlite3_column_value(pStmt, 9), zGot, &rc));
    } else if (nId < 1 || nId > 128) {
      zErr = sqlite3_mprintf("chatflow: UIMessage id must be a string of 1 to 128 characters, got %lld characters",
                             nId);
    } else if (zRoleType == 0 || strcmp(zRoleType, "text") != 0 ||
               (strcmp(zRole, "system") && strcmp(zRole, "user") && strcmp(zRole, "assistant"))) {
      zErr = sqlite3_mprintf("chatflow: UIMessage role must be system, user or assistant, got %s",
                             cfJsonValueDesc(zRoleType, sqlite3_column_value(pStmt, 4), zGot, &rc));
    } else if (zPartsType == 0 && sqlite3_column_type(pStmt, 10) != SQLITE_NULL) {
      /* {"id", "role", "content", "createdAt"?}: the Message of AI SDK 4 */
      zErr = sqlite3_mprintf("chatflow: UIMessage parts must be an array, got none: a message with content and"
                             " no parts is AI SDK 4's Message; send AI SDK 5's UIMessage, or its content with"
                             " add_message(conversation_id, role, content)");
    } else if (zPartsType == 0 || strcmp(zPartsType, "array") != 0) {
      zErr = sqlite3_mprintf("chatflow: UIMessage parts must be an array, got %s",
                             cfJsonMemberDesc(dbJson, zUi, -1, "$.parts", zGot, &rc));
    } else if (sqlite3_column_int64(pStmt, 6) == 0) {
      zErr = sqlite3_mprintf("chatflow: UIMessage parts must not be empty");
    } else if (zMetaType && strcmp(zMetaType, "object") != 0 && strcmp(zMetaType, "null") != 0) {
      zErr = sqlite3_mprintf("chatflow: UIMessage metadata must be an object, got %s",
                             cfJsonMemberDesc(dbJson, zUi, -1, "$.metadata", zGot, &rc));
    } else {
      /* add_message(conv, role, text, options) */
      bRefused = 0;
      rc = sqlite3_prepare_v2(
          p->db,
          "SELECT add_message(?1, ?2, ?3, json_set(coalesce(?5, '{}'),"
          " '$.parts', json_extract(?4, '$.parts'), '$.uid', json_extract(?4, '$.id'),"
          " '$.metadata', CASE WHEN json_type(?4, '$.metadata') = 'object' THEN json_extract(?4, '$.metadata') END,"
          " '$.tokens', coalesce(json_extract(?5, '$.tokens'), CASE WHEN ?2 = 'assistant' THEN"
          "   (SELECT n FROM (SELECT o, " CF_SQL_INTEGER_OF("v") " AS n"
          "     FROM (SELECT 1 AS o, json_extract(?4, '$.metadata.tokens.output') AS v"
          "           UNION ALL SELECT 2, json_extract(?4, '$.metadata.totalUsage.outputTokens')"
          "           UNION ALL SELECT 3, json_extract(?4, '$.metadata.usage.outputTokens')))"
          "    WHERE n BETWEEN 0 AND 1000000000 ORDER BY o LIMIT 1) END)))",
          -1, &pAdd, 0);
      if (rc == SQLITE_OK) {
        sqlite3_bind_int64(pAdd, 1, iConv);
        sqlite3_bind_text(pAdd, 2, zRole, -1, SQLITE_TRANSIENT);
        sqlite3_bind_value(pAdd, 3, sqlite3_column_value(pStmt, 8));
        sqlite3_bind_text(pAdd, 4, zUi, -1, SQLITE_STATIC);
        if (zOpts) sqlite3_bind_text(pAdd, 5, zOpts, -1, SQLITE_STATIC);
        rc = sqlite3_step(pAdd);
        if (rc == SQLITE_ROW) {
          sqlite3_result_value(ctx, sqlite3_column_value(pAdd, 0));
          rc = SQLITE_OK;
        } else {
          /* add_message's own error (it has ended what it began) */
          const char *zUid = (const char *)sqlite3_column_text(pStmt, 9);
          char *zDiffers = cfUidDiffersError(zUid, iConv);
          sqlite3_int64 iMsg = 0;
          zErr = sqlite3_mprintf("%s", sqlite3_errmsg(p->db));
          rc = sqlite3_extended_errcode(p->db);
          if (rc == SQLITE_OK || rc == SQLITE_DONE) rc = SQLITE_ERROR;
          if (zErr == 0 || zDiffers == 0) rc = SQLITE_NOMEM;
          if (rc == SQLITE_ERROR && strcmp(zErr, zDiffers) == 0) {
            /* the same message in another form is still a retry */
            char *zErr2 = 0;
            int rc2 = cfUiSameMessage(p, iConv, zUid, zUi, sqlite3_value_bytes(argv[1]),
                                      aOpt[UOPT_PARENT_ID].bPresent ? aOpt[UOPT_PARENT_ID].iVal : -1, &iMsg, &zErr2);
            if (rc2 != SQLITE_OK || iMsg) {
              sqlite3_free(zErr);
              zErr = zErr2;
              rc = rc2;
            }
            if (iMsg) sqlite3_result_int64(ctx, iMsg);
          }
          sqlite3_free(zDiffers);
        }
      }
    }
    if (rc == SQLITE_OK && bRefused && zErr == 0) rc = SQLITE_NOMEM; /* its message not made */
    if (rc == SQLITE_OK && zErr) rc = SQLITE_ERROR;
  } else if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) {
    zErr = cfDbError(dbJson, rc); /* the members' statement failed */
  }
  sqlite3_finalize(pAdd);
  sqlite3_finalize(pStmt);
  if (rc == SQLITE_OK) goto done;
fail:
  if ((rc & 0xff) == SQLITE_NOMEM) {
    /* out of memory keeps its code, also when add_message's text says it */
    sqlite3_result_error_nomem(ctx);
  } else {
    cfResultErrorMsg(ctx, zErr);
    zErr = 0;
    cfResultCode(ctx, rc);
  }
done:
  sqlite3_free(zErr);
  cfJsonOptionsFree(aOpt, UOPT_COUNT);
}

/* ---------------------------------------------------------- chat_ui_messages */

/* z as a JSON string, appended to pOut. */
static void cfAppendJsonString(sqlite3_str *pOut, const char *z) {
  static const char aHex[] = "0123456789abcdef";
  sqlite3_str_appendchar(pOut, 1, '"');
  for (; *z; z++) {
    unsigned char c = (unsigned char)*z;
    if (c == '"' || c == '\\') {
      sqlite3_str_appendchar(pOut, 1, '\\');
      sqlite3_str_appendchar(pOut, 1, (char)c);
    } else if (c < 0x20) {
      switch (c) {
        case '\n': sqlite3_str_appendall(pOut, "\\n"); break;
        case '\r': sqlite3_str_appendall(pOut, "\\r"); break;
        case '\t': sqlite3_str_appendall(pOut, "\\t"); break;
        case '\b': sqlite3_str_appendall(pOut, "\\b"); break;
        case '\f': sqlite3_str_appendall(pOut, "\\f"); break;
        default: {
          char zU[7] = {'\\', 'u', '0', '0', aHex[c >> 4], aHex[c & 15], 0};
          sqlite3_str_appendall(pOut, zU);
        }
      }
    } else {
      sqlite3_str_appendchar(pOut, 1, (char)c);
    }
  }
  sqlite3_str_appendchar(pOut, 1, '"');
}

/* One message of the window, as chat_ui_messages reads it. */
typedef struct CfUiRow {
  char *zUid, *zRole, *zContent, *zParts, *zMeta, *zCallId;
  struct json_object *pParts; /* parsed parts of a message with tool-call parts, else 0 */
  int bSkip;                  /* a tool message folded into its call, or answering none */
} CfUiRow;

/* A text as a JSON value: the value it holds when the whole text is JSON
** (RFC 8259, as SQLite's json_valid and JavaScript's JSON.parse take it),
** else the string.  Sets *pRc on error; a JSON null comes back as 0. */
static struct json_object *cfUiValue(sqlite3 *db, const char *z, int *pRc) {
  sqlite3_stmt *pStmt = 0;
  int bJson = 0, rc = sqlite3_prepare_v2(db, "SELECT json_valid(?1)", -1, &pStmt, 0);
  /* Up to twice: SQLite's json_valid (3.40) answers 0, not an error, when
  ** its parse runs out of memory, so a 0 is asked again — a failed
  ** allocation that persists then fails the statement itself. */
  for (int nTry = 0; rc == SQLITE_OK && nTry < 2 && !bJson; nTry++) {
    sqlite3_bind_text(pStmt, 1, z, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      bJson = sqlite3_column_int(pStmt, 0);
      rc = sqlite3_reset(pStmt);
    }
  }
  sqlite3_finalize(pStmt);
  if (rc != SQLITE_OK) {
    *pRc = rc;
    return 0;
  }
  if (bJson) return json_tokener_parse(z); /* 0 for null */
  return json_object_new_string(z);
}

/* The output of the tool message r as a tool part shows it: its content,
** or — stored with parts only — the text of its text parts, as the replay
** sends it (cfMessageText), as a JSON value (cfUiValue). */
static struct json_object *cfUiOutput(sqlite3 *db, const CfUiRow *r, int *pRc) {
  struct json_object *pParts, *pOut;
  char *zText;
  int bOom = 0;
  struct json_tokener *pTok;
  if (r->zContent[0] || r->zParts == 0) return cfUiValue(db, r->zContent, pRc);
  pTok = json_tokener_new_ex(CF_STORED_JSON_DEPTH);
  pParts = pTok ? json_tokener_parse_ex(pTok, r->zParts, (int)strlen(r->zParts)) : 0;
  if (pTok == 0 || pParts == 0 || json_tokener_get_error(pTok) != json_tokener_success) {
    json_object_put(pParts);
    if (pTok) json_tokener_free(pTok);
    *pRc = SQLITE_NOMEM; /* (stored JSON the schema checked: only memory can fail) */
    return 0;
  }
  json_tokener_free(pTok);
  zText = cfMessageText(r->zContent, json_object_is_type(pParts, json_type_array) ? pParts : 0, &bOom);
  json_object_put(pParts);
  if (zText == 0) {
    *pRc = SQLITE_NOMEM;
    return 0;
  }
  pOut = cfUiValue(db, zText, pRc);
  sqlite3_free(zText);
  return pOut;
}

/* The tool message after a[i] that answers zId and is not yet folded, or -1. */
static int cfUiAnswer(CfUiRow *a, int n, int i, const char *zId) {
  int iFound = -1;
  for (int j = i + 1; zId && j < n; j++) {
    /* a later assistant message calling the same id takes the results after it */
    if (a[j].zRole[0] == 'a' && cfPartsCall(a[j].pParts, zId)) break;
    if (a[j].zRole[0] == 't' && !a[j].bSkip && a[j].zCallId && strcmp(a[j].zCallId, zId) == 0) {
      iFound = j;
      break;
    }
  }
  return iFound;
}

/* The parts of an assistant message with tool calls, as useChat holds
** them: chatflow "tool-call" parts become AI SDK tool parts, and a call
** that a later tool message answers gets that result (state
** output-available, the output); the tool messages folded in are marked.
** An AI SDK message that nothing changes keeps its stored text. */
static int cfUiToolParts(sqlite3 *db, CfUiRow *a, int n, int i) {
  struct json_object *pNew = json_object_new_array();
  size_t nPart = json_object_array_length(a[i].pParts);
  int bText = 0, bChanged = 0, rc = SQLITE_OK;
  for (size_t k = 0; k < nPart; k++) {
    struct json_object *pPart = json_object_array_get_idx(a[i].pParts, k), *pX = 0;
    const char *zType = 0;
    if (json_object_object_get_ex(pPart, "type", &pX)) zType = json_object_get_string(pX);
    if (zType && strcmp(zType, "text") == 0) bText = 1;
  }
  for (size_t k = 0; rc == SQLITE_OK && k < nPart; k++) {
    struct json_object *pPart = json_object_array_get_idx(a[i].pParts, k), *pX = 0;
    const char *zType = 0, *zId = 0, *zName = 0, *zState = 0;
    int j;
    if (json_object_is_type(pPart, json_type_object) && json_object_object_get_ex(pPart, "type", &pX)) {
      zType = json_object_get_string(pX);
    }
    if (zType && strcmp(zType, "tool-call") == 0 &&
        !(json_object_object_get_ex(pPart, "toolCallId", 0) && json_object_object_get_ex(pPart, "state", 0))) {
      /* chatflow's call: an AI SDK tool part */
      struct json_object *pTool = json_object_new_object(), *pArgs = 0, *pIn;
      char *zToolType;
      if (json_object_object_get_ex(pPart, "id", &pX)) zId = json_object_get_string(pX);
      if (json_object_object_get_ex(pPart, "name", &pX)) zName = json_object_get_string(pX);
      zToolType = sqlite3_mprintf("tool-%s", zName ? zName : "");
      if (zToolType == 0) {
        json_object_put(pTool);
        rc = SQLITE_NOMEM;
        break;
      }
      if (!bText && a[i].zContent[0] && !bChanged) {
        struct json_object *pText = json_object_new_object();
        json_object_object_add(pText, "type", json_object_new_string("text"));
        json_object_object_add(pText, "text", json_object_new_string(a[i].zContent));
        json_object_array_add(pNew, pText);
      }
      bChanged = 1;
      json_object_object_add(pTool, "type", json_object_new_string(zToolType));
      sqlite3_free(zToolType);
      json_object_object_add(pTool, "toolCallId", json_object_new_string(zId ? zId : ""));
      j = cfUiAnswer(a, n, i, zId);
      json_object_object_add(pTool, "state", json_object_new_string(j >= 0 ? "output-available" : "input-available"));
      if (json_object_object_get_ex(pPart, "arguments", &pArgs) && json_object_is_type(pArgs, json_type_string)) {
        pIn = cfUiValue(db, json_object_get_string(pArgs), &rc);
      } else {
        pIn = pArgs ? json_object_get(pArgs) : json_object_new_object();
      }
      json_object_object_add(pTool, "input", pIn);
      if (j >= 0 && rc == SQLITE_OK) {
        json_object_object_add(pTool, "output", cfUiOutput(db, &a[j], &rc));
        a[j].bSkip = 1;
      }
      json_object_array_add(pNew, pTool);
      continue;
    }
    if (rc == SQLITE_OK && zType &&
        ((strncmp(zType, "tool-", 5) == 0 &&
          (strcmp(zType, "tool-result") != 0 || json_object_object_get_ex(pPart, "state", 0))) ||
         strcmp(zType, "dynamic-tool") == 0)) {
      /* an AI SDK tool part without its result, answered by a tool message */
      if (json_object_object_get_ex(pPart, "toolCallId", &pX)) zId = json_object_get_string(pX);
      if (json_object_object_get_ex(pPart, "state", &pX)) zState = json_object_get_string(pX);
      j = cfToolStateHasResult(zState) ? -1 : cfUiAnswer(a, n, i, zId);
      if (j >= 0) {
        struct json_object *pTool = 0;
        if (json_object_deep_copy(pPart, &pTool, 0) != 0 || pTool == 0) {
          rc = SQLITE_NOMEM;
          break;
        }
        json_object_object_add(pTool, "state", json_object_new_string("output-available"));
        json_object_object_add(pTool, "output", cfUiOutput(db, &a[j], &rc));
        a[j].bSkip = 1;
        bChanged = 1;
        json_object_array_add(pNew, pTool);
        continue;
      }
    }
    json_object_array_add(pNew, json_object_get(pPart));
  }
  if (rc == SQLITE_OK && bChanged) {
    json_object_put(a[i].pParts);
    a[i].pParts = pNew;
  } else {
    json_object_put(pNew);
    json_object_put(a[i].pParts);
    a[i].pParts = 0; /* unchanged: the stored text */
  }
  return rc;
}

static void cfChatUiMessagesFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[1] = {{"max_tokens", CF_JT_INT, 0, 0, 0}};
  sqlite3_value *pMax = 0;
  sqlite3_stmt *pStmt = 0, *pBudget = 0;
  sqlite3_int64 iConv;
  const char *zOpts = 0;
  char *zErr = 0;
  CfUiRow *a = 0;
  int rc, n = 0, nAlloc = 0;

  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (argc > 1 && cfArgOptions(ctx, argv[1], "chat_ui_messages", &zOpts)) return;
  if (zOpts) {
    rc = cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(argv[1]), "chat_ui_messages", aOpt, 1, &zErr);
    if (rc != SQLITE_OK) {
      if (zErr) {
        cfResultErrorMsg(ctx, zErr);
        cfResultCode(ctx, rc);
      }
      cfJsonOptionsFree(aOpt, 1);
      return;
    }
    if (aOpt[0].bPresent) {
      /* the budget as an SQL value, for the window of chat_history */
      if (sqlite3_prepare_v2(p->db, "SELECT ?1", -1, &pBudget, 0) != SQLITE_OK) {
        sqlite3_result_error_nomem(ctx);
        cfJsonOptionsFree(aOpt, 1);
        return;
      }
      sqlite3_bind_int64(pBudget, 1, aOpt[0].iVal);
      sqlite3_step(pBudget);
      pMax = sqlite3_column_value(pBudget, 0);
    }
    cfJsonOptionsFree(aOpt, 1);
  }
  rc = cfHistoryWindow(p, argv[0], pMax, 0,
                       "uid, role, content, parts, metadata,"
                       " CASE WHEN role = 'tool' THEN json_extract(metadata, '$.tool_call_id') END, seq",
                       1, &pStmt, &zErr);
  sqlite3_finalize(pBudget);
  if (rc != SQLITE_OK) {
    if (zErr && (rc & 0xff) != SQLITE_NOMEM) {
      cfResultErrorMsg(ctx, zErr);
      zErr = 0;
      cfResultCode(ctx, rc);
    } else {
      sqlite3_result_error_nomem(ctx);
    }
    sqlite3_free(zErr);
    return;
  }
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    CfUiRow *r;
    if (n == nAlloc) {
      int nNew = nAlloc ? nAlloc * 2 : 16;
      CfUiRow *aNew = sqlite3_realloc64(a, sizeof(CfUiRow) * (sqlite3_uint64)nNew);
      if (aNew == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      a = aNew;
      nAlloc = nNew;
    }
    r = &a[n++];
    memset(r, 0, sizeof(*r));
    r->zUid = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    r->zRole = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
    r->zContent = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 2));
    if (sqlite3_column_type(pStmt, 3) == SQLITE_TEXT) {
      r->zParts = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
      if (r->zParts == 0) rc = SQLITE_NOMEM;
    }
    if (sqlite3_column_type(pStmt, 4) == SQLITE_TEXT) {
      r->zMeta = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 4));
      if (r->zMeta == 0) rc = SQLITE_NOMEM;
    }
    if (sqlite3_column_type(pStmt, 5) == SQLITE_TEXT) {
      r->zCallId = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 5));
      if (r->zCallId == 0) rc = SQLITE_NOMEM;
    }
    if (r->zUid == 0 || r->zRole == 0 || r->zContent == 0) rc = SQLITE_NOMEM;
    if (rc == SQLITE_NOMEM) break;
    if (r->zParts && r->zRole[0] == 'a' &&
        (strstr(r->zParts, "\"tool-call\"") || strstr(r->zParts, "\"toolCallId\""))) {
      r->pParts = json_tokener_parse(r->zParts);
      if (r->pParts && !json_object_is_type(r->pParts, json_type_array)) {
        json_object_put(r->pParts);
        r->pParts = 0;
      }
    }
  }
  for (int i = 0; rc == SQLITE_DONE && i < n; i++) {
    if (a[i].pParts) {
      int rc2 = cfUiToolParts(p->db, a, n, i);
      if (rc2 != SQLITE_OK) rc = rc2;
    }
  }
  if (rc == SQLITE_DONE) {
    sqlite3_str *pOut = sqlite3_str_new(p->db);
    int nOut = 0;
    sqlite3_str_appendchar(pOut, 1, '[');
    for (int i = 0; i < n; i++) {
      if (a[i].zRole[0] == 't') continue; /* folded into its call, or answering none */
      if (nOut++) sqlite3_str_appendchar(pOut, 1, ',');
      sqlite3_str_appendall(pOut, "{\"id\":");
      cfAppendJsonString(pOut, a[i].zUid);
      sqlite3_str_appendall(pOut, ",\"role\":");
      cfAppendJsonString(pOut, a[i].zRole);
      sqlite3_str_appendall(pOut, ",\"parts\":");
      if (a[i].pParts) {
        sqlite3_str_appendall(pOut, json_object_to_json_string_ext(
                                        a[i].pParts, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
      } else if (a[i].zParts && (a[i].zContent[0] == 0 || strstr(a[i].zParts, "\"type\":\"text\""))) {
        sqlite3_str_appendall(pOut, a[i].zParts); /* as stored */
      } else if (a[i].zParts) {
        /* content without a text part: shown first, the parts after it */
        const char *zRest = a[i].zParts + 1; /* after '[' (SQLite stored it minified) */
        sqlite3_str_appendall(pOut, "[{\"type\":\"text\",\"text\":");
        cfAppendJsonString(pOut, a[i].zContent);
        sqlite3_str_appendchar(pOut, 1, '}');
        if (zRest[0] != ']') sqlite3_str_appendchar(pOut, 1, ',');
        sqlite3_str_appendall(pOut, zRest);
      } else {
        sqlite3_str_appendall(pOut, "[{\"type\":\"text\",\"text\":");
        cfAppendJsonString(pOut, a[i].zContent);
        sqlite3_str_appendall(pOut, "}]");
      }
      if (a[i].zMeta) {
        sqlite3_str_appendall(pOut, ",\"metadata\":");
        sqlite3_str_appendall(pOut, a[i].zMeta);
      }
      sqlite3_str_appendchar(pOut, 1, '}');
    }
    sqlite3_str_appendchar(pOut, 1, ']');
    rc = sqlite3_str_errcode(pOut);
    if (rc == SQLITE_OK) {
      cfResultUtf8(ctx, sqlite3_str_finish(pOut), -1, sqlite3_free);
    } else {
      sqlite3_free(sqlite3_str_finish(pOut));
      if (rc == SQLITE_TOOBIG) sqlite3_result_error_toobig(ctx);
      else sqlite3_result_error_nomem(ctx);
    }
  } else if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
  } else {
    cfResultErrorFromDb(ctx, p->db, rc);
  }
  for (int i = 0; i < n; i++) {
    sqlite3_free(a[i].zUid);
    sqlite3_free(a[i].zRole);
    sqlite3_free(a[i].zContent);
    sqlite3_free(a[i].zParts);
    sqlite3_free(a[i].zMeta);
    sqlite3_free(a[i].zCallId);
    if (a[i].pParts) json_object_put(a[i].pParts);
  }
  sqlite3_free(a);
  cfStmtDone(p, pStmt);
}

int cfRegisterUi(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* writes the database */
    {"add_ui_message", 2, CF_WRITES, cfAddUiMessageFunc},
    {"add_ui_message", 3, CF_WRITES, cfAddUiMessageFunc},
    /* reads only */
    {"chat_ui_messages", 1, CF_READS, cfChatUiMessagesFunc},
    {"chat_ui_messages", 2, CF_READS, cfChatUiMessagesFunc},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
