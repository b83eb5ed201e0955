/*
** conversations.c — creating, finding, soft-deleting, restoring and
** purging conversations.
**
**   create_conversation(owner [, title [, options_json]])        -> id
**   find_or_create_conversation(owner, key [, title [, options]]) -> id
**   delete_conversation(id [, options])   -> 1   sets deleted_at
**   restore_conversation(id [, options])  -> 1   clears deleted_at
**   purge_conversation(id)    -> 1   deletes the row; the schema's triggers
**                                    cascade to messages, runs, proposals,
**                                    events and interrupts
**   update_conversation(id, patch_json [, options]) -> 1   changes what the patch names,
**                                    sets updated_at (the connection clock)
**   delete_messages(id [, options_json]) -> the number deleted: after_seq
**                                    (the messages after it) or run_id (a
**                                    run's messages), exactly one
**   conversation_by_uid(uid [, owner]) -> id, or NULL (no such uid, deleted,
**                                    another owner's)
**
** Example:
**   SELECT create_conversation('acme', 'Pricing', '{"key": "t-1", "model": "gpt-4o"}');
**
** Options: key, uid, visibility ('private' | 'public'), model, agent,
** context (object), metadata (object), created_at (an RFC 3339 timestamp,
** stored as UTC milliseconds: cfParseTimestamp; default the connection
** clock).  A NULL owner, an empty or over-long owner/key
** (200 characters), a title over 200 characters, invalid UTF-8, malformed
** options, a duplicate key or uid and an unknown id are errors.
**
** update_conversation's patch is an object of title (string, at most 200
** characters), model, agent (1-200 characters), visibility, context,
** metadata (objects, replaced whole), pinned, archived (booleans: true
** sets the stamp when unset, false clears it); null members count as
** absent; any other member is an error listing these; a deleted or unknown
** conversation is an error.  owner and uid are not in the list: the schema
** refuses any change of them (chat_conversations_unique_update).  A NULL
** uid or owner of conversation_by_uid is an error (a NULL owner would skip
** the check).
**
** All of them but conversation_by_uid write, so they are SQLITE_DIRECTONLY;
** each works inside one SAVEPOINT.  conversation_by_uid only reads: CF_READS.  find_or_create_conversation is race-safe: it takes the write
** lock before looking (the schema refuses a second row with the same (owner, key) anyway).
*/
#include "chatflow_int.h"

#include <string.h>

enum { OPT_KEY, OPT_UID, OPT_VISIBILITY, OPT_MODEL, OPT_AGENT, OPT_CONTEXT, OPT_METADATA,
       OPT_CREATED_AT, OPT_NOW, OPT_COUNT };

static void cfConvOptions(CfJsonOpt *a) {
  static const CfJsonOpt aInit[OPT_COUNT] = {
    {"key", CF_JT_STRING, 0, 0, 0},      {"uid", CF_JT_STRING, 0, 0, 0},
    {"visibility", CF_JT_STRING, 0, 0, 0}, {"model", CF_JT_STRING, 0, 0, 0},
    {"agent", CF_JT_STRING, 0, 0, 0},    {"context", CF_JT_OBJECT, 0, 0, 0},
    {"metadata", CF_JT_OBJECT, 0, 0, 0}, {"created_at", CF_JT_STRING, 0, 0, 0},
    {"now", CF_JT_STRING, 0, 0, 0},
  };
  memcpy(a, aInit, sizeof(aInit));
}

static int cfTextLimit(sqlite3_context *ctx, const char *zWhat, const char *z, int nMax,
                       int bNonEmpty) {
  int bNoMem = 0;
  char *zErr = cfTextLimitError(zWhat, z, (int)strlen(z), nMax, bNonEmpty, &bNoMem);
  if (zErr == 0 && !bNoMem) return 0;
  if (zErr) cfResultErrorMsg(ctx, zErr);
  else sqlite3_result_error_nomem(ctx);
  return 1;
}

/* The checks of uid, visibility, model and agent that creation and
** update_conversation share (pUid may be 0).  Returns SQLITE_OK;
** SQLITE_ERROR with *pzErr; SQLITE_ERROR with the error already set on ctx
** (*pzErr 0); or SQLITE_NOMEM (*pzErr 0). */
static int cfConvCheck(sqlite3_context *ctx, const CfJsonOpt *pUid, const CfJsonOpt *pVisibility,
                       const CfJsonOpt *pModel, const CfJsonOpt *pAgent, char **pzErr) {
  if (pUid && pUid->bPresent) {
    const char *z = pUid->zVal;
    if (cfTextLimit(ctx, "uid", z, 64, 1)) return SQLITE_ERROR;
    for (const char *c = z; *c; c++) {
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_')) {
        *pzErr = sqlite3_mprintf("chatflow: uid '%q' must use only letters, digits, '-' and '_' (URL-safe)", z);
        return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
    }
  }
  if (pVisibility->bPresent && strcmp(pVisibility->zVal, "private") != 0 &&
      strcmp(pVisibility->zVal, "public") != 0) {
    *pzErr = sqlite3_mprintf("chatflow: invalid visibility '%q' (expected private, public)", pVisibility->zVal);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (pModel->bPresent && cfTextLimit(ctx, "model", pModel->zVal, 200, 1)) return SQLITE_ERROR;
  if (pAgent->bPresent && cfTextLimit(ctx, "agent", pAgent->zVal, 200, 1)) return SQLITE_ERROR;
  return SQLITE_OK;
}

/* Shared body of create_conversation and find_or_create_conversation.
** zKeyArg is the key argument of find_or_create (0 for create). */
static void cfCreate(sqlite3_context *ctx, int argc, sqlite3_value **argv, int bFind) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  const char *zOwner = 0, *zKey = 0, *zTitle = 0, *zOpts = 0;
  int iArg = 1, rc = SQLITE_ERROR;
  CfJsonOpt aOpt[OPT_COUNT];
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iId = 0;

  cfConvOptions(aOpt);
  if (cfArgText(ctx, argv[0], "owner", CF_MAX_NAME_CHARS, 0, 0, &zOwner)) return;
  if (bFind) {
    if (cfArgText(ctx, argv[1], "key", CF_MAX_NAME_CHARS, 0, 0, &zKey)) return;
    iArg = 2;
  }
  if (argc > iArg && cfArgText(ctx, argv[iArg], "title", CF_MAX_TITLE_CHARS, 1, 1, &zTitle)) return;
  if (argc > iArg + 1) {
    if (cfArgOptions(ctx, argv[iArg + 1], bFind ? "find_or_create_conversation" : "create_conversation",
                     &zOpts)) {
      return;
    }
  }
  if (zOpts && (rc = cfJsonOptionsConn(ctx, p, zOpts, (int)strlen(zOpts),
                                       bFind ? "find_or_create_conversation" : "create_conversation",
                                       aOpt, OPT_COUNT, &zErr)) != SQLITE_OK) {
    if (zErr == 0) goto done; /* cfJsonOptionsConn has set the error */
    goto fail;
  }
  if (bFind && aOpt[OPT_KEY].bPresent) {
    zErr = sqlite3_mprintf("chatflow: find_or_create_conversation takes the key as its second argument, not as an option");
    goto fail;
  }
  if (aOpt[OPT_KEY].bPresent) {
    zKey = aOpt[OPT_KEY].zVal;
    if (cfTextLimit(ctx, "key", zKey, CF_MAX_NAME_CHARS, 1)) goto done;
  }
  if ((rc = cfConvCheck(ctx, &aOpt[OPT_UID], &aOpt[OPT_VISIBILITY], &aOpt[OPT_MODEL], &aOpt[OPT_AGENT],
                        &zErr)) != SQLITE_OK) {
    if (zErr == 0 && rc == SQLITE_ERROR) goto done; /* cfTextLimit has set the error */
    goto fail;
  }
  /* now: the time of the call; created_at, when given, is the row's */
  if (cfCallTimeSet(p, aOpt[OPT_NOW].bPresent ? aOpt[OPT_NOW].zVal : 0, &zErr)) goto fail;
  if (aOpt[OPT_CREATED_AT].bPresent) {
    if (cfParseTimestamp(aOpt[OPT_CREATED_AT].zVal, zNow)) {
      zErr = sqlite3_mprintf("chatflow: invalid timestamp '%q' for created_at (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)",
                             aOpt[OPT_CREATED_AT].zVal);
      goto fail;
    }
  } else {
    cfNow(p, zNow);
  }
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) goto fail;
  if (zKey) {
    rc = cfStmt(p, CF_STMT_CONV_BY_KEY,
                "SELECT id, deleted_at IS NOT NULL FROM chat_conversations"
                " WHERE owner = ?1 AND key = ?2",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zOwner, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, zKey, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        iId = sqlite3_column_int64(pStmt, 0);
        rc = SQLITE_OK;
        if (bFind && sqlite3_column_int(pStmt, 1)) {
          /* Never hand out a conversation that refuses writes; restoring
          ** it is the caller's decision. */
          zErr = sqlite3_mprintf("chatflow: the conversation with key '%q' of owner '%q' (id %lld) is deleted;"
                                 " restore_conversation(%lld) first, or purge it to reuse the key",
                                 zKey, zOwner, iId, iId);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc == SQLITE_OK && iId && !bFind) {
      zErr = sqlite3_mprintf("chatflow: owner '%q' already has a conversation with key '%q' (id %lld)",
                             zOwner, zKey, iId);
      rc = zErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
    }
  }
  if (rc == SQLITE_OK && iId == 0 && aOpt[OPT_UID].bPresent) {
    rc = cfStmt(p, CF_STMT_CONV_UID_TAKEN,
                "SELECT 1 FROM chat_conversations WHERE uid = ?1",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, aOpt[OPT_UID].zVal, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        zErr = sqlite3_mprintf("chatflow: uid '%q' is already taken", aOpt[OPT_UID].zVal);
        rc = zErr ? SQLITE_CONSTRAINT : SQLITE_NOMEM;
      } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK && iId == 0) {
    rc = cfStmt(p, CF_STMT_CONV_INSERT,
                "INSERT INTO chat_conversations (owner, key, title, uid, visibility, model, agent,"
                " context, metadata, created_at, updated_at)"
                " VALUES (?1, ?2, ?3, coalesce(?4, lower(hex(randomblob(16)))), coalesce(?5, 'private'),"
                " ?6, ?7, coalesce(json_extract(?8, '$.context'), '{}'),"
                " coalesce(json_extract(?8, '$.metadata'), '{}'), ?10, ?10)",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zOwner, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, zKey, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zTitle, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, aOpt[OPT_UID].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 5, aOpt[OPT_VISIBILITY].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 6, aOpt[OPT_MODEL].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 7, aOpt[OPT_AGENT].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 8, zOpts, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 10, zNow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
        iId = sqlite3_last_insert_rowid(p->db);
      } else if ((rc & 0xff) == SQLITE_CONSTRAINT && aOpt[OPT_UID].bPresent &&
                 strstr(sqlite3_errmsg(p->db), "chat_conversations.uid")) {
        zErr = sqlite3_mprintf("chatflow: uid '%q' is already taken", aOpt[OPT_UID].zVal);
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, iId);
  goto done;
fail:
  /* Before the write, or cfBeginWrite failed (it has undone itself): the
  ** message, or out of memory when there is none, with rc's code. */
  cfResultErrorMsg(ctx, zErr);
  cfResultCode(ctx, rc);
done:
  cfJsonOptionsFree(aOpt, OPT_COUNT);
}

static void cfCreateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  cfCreate(ctx, argc, argv, 0);
}

static void cfFindOrCreateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  cfCreate(ctx, argc, argv, 1);
}

/* Whether conversation iId is deleted (*pbDeleted), inside the call's
** write; SQLITE_NOTFOUND with *pzErr for an unknown conversation. */
static int cfConvDeletedGet(CfConn *p, sqlite3_int64 iId, int *pbDeleted, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_CONV_DELETED,
                  "SELECT deleted_at IS NOT NULL FROM chat_conversations WHERE id = ?1", &pStmt);
  *pbDeleted = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iId);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *pbDeleted = sqlite3_column_int(pStmt, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      *pzErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iId);
      rc = *pzErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* A conversation that exists and is not deleted, or the error saying
** which it is not. */
static int cfConvLive(CfConn *p, sqlite3_int64 iId, char **pzErr) {
  int bDeleted = 0, rc = cfConvDeletedGet(p, iId, &bDeleted, pzErr);
  if (rc == SQLITE_OK && bDeleted) {
    *pzErr = sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld) first", iId, iId);
    rc = *pzErr ? SQLITE_MISUSE : SQLITE_NOMEM;
  }
  return rc;
}

/* delete (eOp 0), restore (1), purge (2). */
static void cfLifecycle(sqlite3_context *ctx, sqlite3_value **argv, int eOp) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iId;
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  int rc, bDeleted = 0;
  if (cfArgId(ctx, argv[0], "conversation id", &iId)) return;
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfConvDeletedGet(p, iId, &bDeleted, &zErr);
  if (rc == SQLITE_OK && eOp == 0 && bDeleted) {
    zErr = sqlite3_mprintf("chatflow: conversation %lld is already deleted", iId);
    rc = zErr ? SQLITE_MISUSE : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK && eOp == 1 && !bDeleted) {
    zErr = sqlite3_mprintf("chatflow: conversation %lld is not deleted", iId);
    rc = zErr ? SQLITE_MISUSE : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    static const char *azSql[] = {
      "UPDATE chat_conversations SET deleted_at = ?2, updated_at = max(updated_at, ?2) WHERE id = ?1",
      "UPDATE chat_conversations SET deleted_at = NULL, updated_at = max(updated_at, ?2) WHERE id = ?1",
      "DELETE FROM chat_conversations WHERE id = ?1",
    };
    /* cached: a write of chat_conversations compiles its triggers */
    rc = cfStmt(p, CF_STMT_CONV_DELETE + eOp, azSql[eOp], &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iId);
      if (eOp < 2) sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
}

static void cfDeleteFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  cfLifecycle(ctx, argv, 0);
}
static void cfRestoreFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  cfLifecycle(ctx, argv, 1);
}
static void cfPurgeFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  (void)argc;
  cfLifecycle(ctx, argv, 2);
}

/* update_conversation(id, patch): the patch's members, each checked as at
** creation; null members are left out, as in every options object. */
enum { UPD_TITLE, UPD_MODEL, UPD_AGENT, UPD_VISIBILITY, UPD_CONTEXT, UPD_METADATA, UPD_PINNED,
       UPD_ARCHIVED, UPD_COUNT };

static void cfUpdateFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const CfJsonOpt aInit[UPD_COUNT] = {
    {"title", CF_JT_STRING, 0, 0, 0},   {"model", CF_JT_STRING, 0, 0, 0},
    {"agent", CF_JT_STRING, 0, 0, 0},   {"visibility", CF_JT_STRING, 0, 0, 0},
    {"context", CF_JT_OBJECT, 0, 0, 0}, {"metadata", CF_JT_OBJECT, 0, 0, 0},
    {"pinned", CF_JT_BOOL, 0, 0, 0},    {"archived", CF_JT_BOOL, 0, 0, 0},
  };
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[UPD_COUNT];
  const char *zPatch = 0;
  sqlite3_int64 iId;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  int rc;
  (void)argc;
  memcpy(aOpt, aInit, sizeof(aInit));
  if (cfArgId(ctx, argv[0], "conversation id", &iId)) return;
  if (cfArgText(ctx, argv[1], "patch", 0, 0, 1, &zPatch)) return;
  rc = cfJsonOptionsConn(ctx, p, zPatch, (int)strlen(zPatch), "update_conversation", aOpt, UPD_COUNT, &zErr);
  if (rc != SQLITE_OK) {
    if (zErr == 0) goto done; /* cfJsonOptionsConn has set the error */
    goto fail;
  }
  if (aOpt[UPD_TITLE].bPresent &&
      cfTextLimit(ctx, "title", aOpt[UPD_TITLE].zVal, CF_MAX_TITLE_CHARS, 0)) goto done;
  if ((rc = cfConvCheck(ctx, 0, &aOpt[UPD_VISIBILITY], &aOpt[UPD_MODEL], &aOpt[UPD_AGENT], &zErr)) != SQLITE_OK) {
    if (zErr == 0 && rc == SQLITE_ERROR) goto done; /* cfTextLimit has set the error */
    goto fail;
  }
  cfNow(p, zNow);
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) goto fail;
  rc = cfConvLive(p, iId, &zErr);
  if (rc == SQLITE_OK) {
    /* cached: a write of chat_conversations compiles its triggers */
    rc = cfStmt(p, CF_STMT_CONV_UPDATE,
                "UPDATE chat_conversations SET title = coalesce(?3, title), model = coalesce(?4, model),"
                " agent = coalesce(?5, agent), visibility = coalesce(?6, visibility),"
                " context = coalesce(json_extract(?7, '$.context'), context),"
                " metadata = coalesce(json_extract(?7, '$.metadata'), metadata),"
                " pinned_at = CASE ?8 WHEN 1 THEN coalesce(pinned_at, ?2) WHEN 0 THEN NULL ELSE pinned_at END,"
                " archived_at = CASE ?9 WHEN 1 THEN coalesce(archived_at, ?2) WHEN 0 THEN NULL ELSE archived_at END,"
                " updated_at = max(updated_at, ?2)" /* never backwards: a list walk's cursor */
                " WHERE id = ?1",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iId);
      sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, aOpt[UPD_TITLE].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, aOpt[UPD_MODEL].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 5, aOpt[UPD_AGENT].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 6, aOpt[UPD_VISIBILITY].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 7, zPatch, -1, SQLITE_STATIC);
      if (aOpt[UPD_PINNED].bPresent) sqlite3_bind_int64(pStmt, 8, aOpt[UPD_PINNED].iVal);
      if (aOpt[UPD_ARCHIVED].bPresent) sqlite3_bind_int64(pStmt, 9, aOpt[UPD_ARCHIVED].iVal);
      rc = sqlite3_step(pStmt);
      rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
  goto done;
fail:
  cfResultErrorMsg(ctx, zErr);
  cfResultCode(ctx, rc);
done:
  cfJsonOptionsFree(aOpt, UPD_COUNT);
}

/* delete_messages(id [, options]): after_seq (an integer >= 0: the
** messages with a greater seq) or run_id (a run of this conversation: its
** messages), exactly one.  The schema's delete triggers move the counters
** and take the messages out of the search index. */
static void cfDeleteMessagesFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfJsonOpt aOpt[2] = {
    {"after_seq", CF_JT_INT, 0, 0, 0},
    {"run_id", CF_JT_INT, 0, 0, 0},
  };
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  const char *zOpts = 0;
  sqlite3_int64 iId, nDeleted = 0;
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  int rc = SQLITE_OK, bRun;
  if (cfArgId(ctx, argv[0], "conversation id", &iId)) return;
  if (argc > 1 && cfArgOptions(ctx, argv[1], "delete_messages", &zOpts)) return;
  if (zOpts) {
    rc = cfJsonOptionsConn(ctx, p, zOpts, (int)strlen(zOpts), "delete_messages", aOpt, 2, &zErr);
    if (rc != SQLITE_OK) {
      if (zErr == 0) goto done; /* cfJsonOptionsConn has set the error */
      goto fail;
    }
  }
  if (aOpt[0].bPresent == aOpt[1].bPresent) {
    zErr = sqlite3_mprintf(aOpt[0].bPresent
                               ? "chatflow: delete_messages takes after_seq or run_id, not both"
                               : "chatflow: delete_messages needs after_seq (the messages after it) or run_id (a run's"
                                 " messages); to delete them all, after_seq 0");
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto fail;
  }
  bRun = aOpt[1].bPresent;
  if (!bRun && aOpt[0].iVal < 0) {
    zErr = sqlite3_mprintf("chatflow: after_seq must be an integer >= 0, got %lld", aOpt[0].iVal);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto fail;
  }
  if (bRun && aOpt[1].iVal <= 0) {
    zErr = sqlite3_mprintf("chatflow: run_id must be a positive integer id, got %lld", aOpt[1].iVal);
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto fail;
  }
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) goto fail;
  rc = cfConvLive(p, iId, &zErr);
  if (rc == SQLITE_OK && bRun) {
    rc = cfStmt(p, CF_STMT_MSG_DELETE_RUN_OF, "SELECT conversation_id FROM workflow_runs WHERE id = ?1", &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, aOpt[1].iVal);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        sqlite3_int64 iOf = sqlite3_column_int64(pStmt, 0);
        rc = SQLITE_OK;
        if (iOf != iId) {
          zErr = sqlite3_mprintf("chatflow: run %lld belongs to conversation %lld, not %lld", aOpt[1].iVal, iOf, iId);
          rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      } else if (rc == SQLITE_DONE) {
        zErr = sqlite3_mprintf("chatflow: unknown run %lld", aOpt[1].iVal);
        rc = zErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
      }
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK) {
    /* cached: a DELETE of chat_messages compiles its triggers */
    rc = bRun ? cfStmt(p, CF_STMT_MSG_DELETE_RUN,
                       "DELETE FROM chat_messages WHERE run_id = ?2 AND conversation_id = ?1", &pStmt)
              : cfStmt(p, CF_STMT_MSG_DELETE_AFTER,
                       "DELETE FROM chat_messages WHERE conversation_id = ?1 AND seq > ?2", &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iId);
      sqlite3_bind_int64(pStmt, 2, bRun ? aOpt[1].iVal : aOpt[0].iVal);
      rc = cfStepOnce(pStmt);
      if (rc == SQLITE_OK) nDeleted = sqlite3_changes(p->db);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, nDeleted);
  goto done;
fail:
  cfResultErrorMsg(ctx, zErr);
  cfResultCode(ctx, rc);
done:
  cfJsonOptionsFree(aOpt, 2);
}

/* conversation_by_uid(uid [, owner]): the id, or NULL for no such uid, a
** deleted conversation or another owner's. */
static void cfByUidFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  const char *zUid = 0, *zOwner = 0;
  sqlite3_stmt *pStmt = 0;
  int rc;
  if (cfArgText(ctx, argv[0], "uid", 0, 0, 1, &zUid)) return;
  if (argc > 1 && cfArgText(ctx, argv[1], "owner", 0, 0, 1, &zOwner)) return;
  if (cfSchemaResult(ctx, p)) return;
  rc = cfStmt(p, CF_STMT_CONV_BY_UID,
              "SELECT id FROM chat_conversations"
              " WHERE uid = ?1 AND deleted_at IS NULL AND (?2 IS NULL OR owner = ?2)",
              &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zUid, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zOwner, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      sqlite3_result_int64(ctx, sqlite3_column_int64(pStmt, 0));
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      sqlite3_result_null(ctx);
      rc = SQLITE_OK;
    }
  }
  if (rc != SQLITE_OK) cfResultErrorFromDb(ctx, p->db, rc);
  cfStmtDone(p, pStmt);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED_OPTS(cfDeleteFunc, 1, "delete_conversation")
CF_TIMED_OPTS(cfRestoreFunc, 1, "restore_conversation")
CF_TIMED_OPTS(cfUpdateFunc, 2, "update_conversation")
CF_TIMED(cfCreateFunc)
CF_TIMED(cfFindOrCreateFunc)

int cfRegisterConversations(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* all write the database */
    {"create_conversation", 1, CF_WRITES, cfCreateFunc},
    {"create_conversation", 2, CF_WRITES, cfCreateFunc},
    {"create_conversation", 3, CF_WRITES, cfCreateFuncTimed},
    {"find_or_create_conversation", 2, CF_WRITES, cfFindOrCreateFunc},
    {"find_or_create_conversation", 3, CF_WRITES, cfFindOrCreateFunc},
    {"find_or_create_conversation", 4, CF_WRITES, cfFindOrCreateFuncTimed},
    {"delete_conversation", 1, CF_WRITES, cfDeleteFunc},
    {"delete_conversation", 2, CF_WRITES, cfDeleteFuncTimed},
    {"restore_conversation", 1, CF_WRITES, cfRestoreFunc},
    {"restore_conversation", 2, CF_WRITES, cfRestoreFuncTimed},
    {"purge_conversation", 1, CF_WRITES, cfPurgeFunc},
    {"update_conversation", 2, CF_WRITES, cfUpdateFunc},
    {"update_conversation", 3, CF_WRITES, cfUpdateFuncTimed},
    {"delete_messages", 1, CF_WRITES, cfDeleteMessagesFunc},
    {"delete_messages", 2, CF_WRITES, cfDeleteMessagesFunc},
    /* reads only */
    {"conversation_by_uid", 1, CF_READS, cfByUidFunc},
    {"conversation_by_uid", 2, CF_READS, cfByUidFunc},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
