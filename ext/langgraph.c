/*
** langgraph.c — LangGraph checkpoints kept by chatflow: what a
** BaseCheckpointSaver of @langchain/langgraph-checkpoint stores (the Node
** package's ChatflowSaver is one), on a thread that is a conversation
** (thread_id = the conversation's uid).
**
**   langgraph_put(thread_id, checkpoint_id, checkpoint, metadata [, options_json])
**       -> the conversation id
**   langgraph_put_blob(thread_id, channel, version, value [, options_json])
**       -> 1 stored, 0 already there
**   langgraph_put_write(thread_id, checkpoint_id, task_id, idx, channel, value [, options_json])
**       -> 1 stored, 0 an earlier write kept
**   langgraph_delete_thread(thread_id [, options])  -> checkpoints deleted
**   langgraph_prune_checkpoints(keep [, batch])     -> rows deleted
**   langgraph_get(thread_id [, checkpoint_ns [, checkpoint_id [, options_json]]])  table-valued
**   langgraph_list(thread_id [, options_json])                            table-valued
**   langgraph_channel_values(thread_id, checkpoint_id [, checkpoint_ns])  table-valued
**   langgraph_pending_writes(thread_id, checkpoint_id [, checkpoint_ns])  table-valued
**
** Example (one checkpoint with a channel value and a pending write):
**   SELECT langgraph_put_blob('t-1', 'messages', '1', CAST('["hi"]' AS BLOB));
**   SELECT langgraph_put('t-1', 'c-1', CAST('{"v":4}' AS BLOB), '{"step":1}',
**                        '{"channel_versions": {"messages": "1"}}');
**   SELECT langgraph_put_write('t-1', 'c-1', 'task-a', 0, 'answer', CAST('42' AS BLOB));
**   SELECT checkpoint_id, metadata FROM langgraph_get('t-1');
**
** The layout is that of LangGraph's Postgres saver: a checkpoint row holds
** the checkpoint without its channel values, its metadata and its
** channel_versions; a channel's value is a blob per (thread, namespace,
** channel, version), written once when its version changes (put_blob), so
** a checkpoint costs the channels that changed, not the whole state.
**
** Options: langgraph_put: checkpoint_ns (default ''), parent_checkpoint_id,
** type (the serializer's type of the checkpoint, default 'json'),
** channel_versions (object), owner (of a new conversation, default
** 'langgraph'), run_id.  langgraph_put_blob: checkpoint_ns, type, owner,
** run_id.  langgraph_put_write: checkpoint_ns, type, task_path, run_id,
** replace (true: an existing write at (task_id, idx) is replaced; false,
** the default: kept), owner.  An owner given to a writer is also checked:
** another owner's thread is refused.  langgraph_list: checkpoint_ns,
** checkpoint_id, before (ids smaller than it), limit, filter (an object:
** metadata keys whose JSON values must be equal), owner (only that
** owner's threads); a NULL thread_id lists every thread.
** langgraph_delete_thread: now, owner (another owner's thread is unknown).
** Rows are newest first (checkpoint_id descending).  langgraph_get is
** langgraph_list's one row: the checkpoint named, or the newest of the
** namespace (default ''); no row for an unknown thread or checkpoint.
** Its option: owner (another owner's thread is unknown).
** langgraph_channel_values: the checkpoint's channel values (the blobs its
** channel_versions name); langgraph_pending_writes: its writes, by
** task_id and idx.
**
** Rules (the schema's triggers keep them for raw SQL too): a put or a
** blob for an unknown thread creates its conversation; a write needs the
** thread and the checkpoint.  A deleted conversation takes nothing until
** restored (no resurrection).  run_id names the chatflow run writing: it
** must be active and the thread's.  langgraph_delete_thread deletes the
** thread's checkpoints, blobs and writes and soft-deletes its
** conversation (cancelling its active run), so a late write is refused;
** an unknown thread deletes nothing.  langgraph_prune_checkpoints keeps
** the newest `keep` checkpoints of every thread and namespace (by
** checkpoint_id), deletes the others with their writes, and then the
** blobs that no checkpoint names, at most `batch` (default 200, at most
** 10,000) of each a call, and returns how many rows (checkpoints and
** blobs) it deleted; a cron job loops until it returns 0.  A call walks
** the threads and namespaces from where the connection's last one stopped
** (cfLgPruneWalk), so it costs its batch, not the store.
**
** One file past 600 lines because it is one concept: LangGraph's saver
** interface, whose writers share the thread and run checks
** (cfLgConversation) and whose readers share the argument checks; split,
** each half would need the other's helpers.
**
** NULL or wrong-typed arguments are errors that name the field, as are
** texts that are not UTF-8, contain a NUL character or are too long
** (thread_id 64, names and ids 200, types 64 characters), a checkpoint,
** blob or write that is not a blob or is over 16 MiB, and metadata that is
** not a JSON object.  The writers are SQLITE_DIRECTONLY (they write and
** read the clock); the table-valued functions only read
** (SQLITE_VTAB_INNOCUOUS, through tvf.c).
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_LG_THREAD_CHARS 64   /* a conversation uid */
#define CF_LG_NAME_CHARS 200    /* namespaces, ids, channels, versions */
#define CF_LG_TYPE_CHARS 64
#define CF_LG_OWNER_DEFAULT "langgraph"
#define CF_LG_LIMIT_MAX 1000000
#define CF_LG_BATCH_DEFAULT 200
#define CF_LG_BATCH_MAX 10000
#define CF_LG_KEEP_MAX 1000000

/* An option that must be text of 0..nMax characters (nMin 0 or 1);
** sets *pzErr when not.  Absent options pass. */
static int cfLgOptText(const CfJsonOpt *pOpt, const char *zWhat, int nMin, int nMax, char **pzErr) {
  int n;
  if (!pOpt->bPresent) return SQLITE_OK;
  n = cfUtf8Chars((const unsigned char *)pOpt->zVal, (int)strlen(pOpt->zVal));
  if (n < nMin) {
    *pzErr = sqlite3_mprintf("chatflow: %s must not be empty", zWhat);
  } else if (n > nMax) {
    *pzErr = sqlite3_mprintf("chatflow: %s is %d characters, longer than the limit of %d", zWhat, n, nMax);
  } else {
    return SQLITE_OK;
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A blob argument of at most CF_MAX_BLOB_BYTES; sets the error on ctx
** ("chatflow: checkpoint must be a blob, got text '{}'": cfValueDesc). */
static int cfLgArgBlob(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat) {
  char zGot[CF_VALUE_DESC_LEN];
  if (sqlite3_value_type(v) != SQLITE_BLOB) {
    cfResultError(ctx, "chatflow: %s must be a blob, got %s", zWhat, cfValueDesc(v, zGot));
    return 1;
  }
  if (sqlite3_value_bytes(v) > CF_MAX_BLOB_BYTES) {
    cfResultError(ctx, "chatflow: %s is %d bytes, larger than the limit of %d bytes", zWhat,
                  sqlite3_value_bytes(v), CF_MAX_BLOB_BYTES);
    return 1;
  }
  return 0;
}

/* The options argument (argv[i] when argc > i): NULL or a JSON object of
** aOpt; sets the error on ctx and returns non-zero when bad. */
static int cfLgOptions(sqlite3_context *ctx, int argc, sqlite3_value **argv, int i, const char *zFunc,
                       CfJsonOpt *aOpt, int nOpt, const char **pzOpts) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  char *zErr = 0;
  int rc;
  *pzOpts = 0;
  if (argc <= i) return 0;
  if (cfArgOptions(ctx, argv[i], zFunc, pzOpts)) return 1;
  if (*pzOpts == 0) return 0;
  rc = cfJsonOptionsConn(ctx, p, *pzOpts, (int)strlen(*pzOpts), zFunc, aOpt, nOpt, &zErr);
  if (rc == SQLITE_OK) return 0;
  if (zErr) cfResultErrorMsg(ctx, zErr);
  return 1;
}

/*
** The conversation of thread zThread, inside the write bracket: created
** (owner zCreate) when there is none and zCreate is not 0; refused when
** it is deleted, or when zOwner is not 0 and it is another owner's (the
** option owner: a saver of one tenant never writes into another's
** thread).  iRun, when not 0, must be an active run of it.
*/
static int cfLgConversation(CfConn *p, const char *zThread, const char *zCreate, const char *zOwner,
                            sqlite3_int64 iRun, const char *zNow, sqlite3_int64 *piConv, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc, bDeleted = 0, bOther = 0;
  *piConv = 0;
  rc = cfStmtText(p, "SELECT id, deleted_at IS NOT NULL, owner IS NOT ?2 FROM chat_conversations WHERE uid = ?1",
                  &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zThread, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zOwner, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *piConv = sqlite3_column_int64(pStmt, 0);
      bDeleted = sqlite3_column_int(pStmt, 1);
      bOther = zOwner && sqlite3_column_int(pStmt, 2);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  cfStmtDone(p, pStmt);
  pStmt = 0;
  if (rc != SQLITE_OK) return rc;
  if (bOther) {
    *pzErr = sqlite3_mprintf("chatflow: thread '%q' belongs to another owner, not '%q'", zThread, zOwner);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (bDeleted) {
    *pzErr = sqlite3_mprintf("chatflow: thread '%q' (conversation %lld) is deleted; it takes no checkpoints"
                             " until restore_conversation(%lld)", zThread, *piConv, *piConv);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (*piConv == 0 && iRun == 0 && zCreate) {
    rc = cfStmtText(p, "INSERT INTO chat_conversations (owner, uid, created_at, updated_at)"
                       " VALUES (?1, ?2, ?3, ?3)", &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zCreate, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 2, zThread, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      if (rc == SQLITE_OK) *piConv = sqlite3_last_insert_rowid(p->db);
    }
    cfStmtDone(p, pStmt);
    return rc;
  }
  if (iRun) {
    sqlite3_int64 iRunConv = 0;
    char *zStatus = 0;
    int bActive = 0;
    rc = cfStmtText(p, "SELECT conversation_id, status, " CF_ACTIVE("status") " FROM workflow_runs WHERE id = ?1",
                    &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iRun);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        iRunConv = sqlite3_column_int64(pStmt, 0);
        zStatus = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
        bActive = sqlite3_column_int(pStmt, 2);
        rc = zStatus ? SQLITE_OK : SQLITE_NOMEM;
      } else if (rc == SQLITE_DONE) {
        *pzErr = sqlite3_mprintf("chatflow: unknown run %lld", iRun);
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
    }
    cfStmtDone(p, pStmt);
    if (rc == SQLITE_OK && iRunConv != *piConv) {
      *pzErr = sqlite3_mprintf("chatflow: run %lld belongs to conversation %lld, not to thread '%q'", iRun,
                               iRunConv, zThread);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if (rc == SQLITE_OK && !bActive) {
      *pzErr = sqlite3_mprintf("chatflow: run %lld is %s; thread '%q' takes no more checkpoints from it", iRun,
                               zStatus, zThread);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    sqlite3_free(zStatus);
    return rc;
  }
  if (*piConv == 0) {
    *pzErr = sqlite3_mprintf("chatflow: unknown thread '%q'", zThread);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* Reports an error found before the write bracket opened. */
static void cfLgFail(sqlite3_context *ctx, int rc, char *zErr) {
  cfResultErrorMsg(ctx, zErr);
  cfResultCode(ctx, rc);
}

/*
** What the three writers do after their arguments are read: the run_id
** option checked, the call's time set (the option now), the write bracket begun, and the thread's conversation
** found (or created for owner zCreate; see cfLgConversation).  Returns -1
** when the function's error result is set and no write began (the caller
** returns), else the rc of cfLgConversation inside the bracket (the caller
** ends it with cfFinish).
*/
static int cfLgBegin(sqlite3_context *ctx, CfConn *p, const char *zThread, const char *zCreate,
                     const CfJsonOpt *pOwner, const CfJsonOpt *pRun, const CfJsonOpt *pNow, char *zNow, sqlite3_int64 *piConv,
                     char **pzErr) {
  int rc;
  if (pRun->bPresent && (pRun->iVal <= 0 || pRun->iVal > CF_MAX_ID)) {
    cfResultError(ctx, "chatflow: run_id must be a positive integer, got %lld", pRun->iVal);
    return -1;
  }
  if (cfCallTimeSet(p, pNow->bPresent ? pNow->zVal : 0, pzErr)) {
    cfResultErrorMsg(ctx, *pzErr); /* 0: out of memory */
    *pzErr = 0;
    return -1;
  }
  cfNow(p, zNow);
  rc = cfBeginWrite(p, pzErr);
  if (rc != SQLITE_OK) {
    cfLgFail(ctx, rc, *pzErr);
    return -1;
  }
  return cfLgConversation(p, zThread, zCreate, pOwner->bPresent ? pOwner->zVal : 0, pRun->iVal, zNow, piConv,
                          pzErr);
}

enum { PUT_NS, PUT_PARENT, PUT_TYPE, PUT_VERSIONS, PUT_OWNER, PUT_RUN, PUT_NOW, PUT_COUNT };

static void cfLgPutFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[PUT_COUNT] = {
    {"checkpoint_ns", CF_JT_STRING, 0, 0, 0}, {"parent_checkpoint_id", CF_JT_STRING, 0, 0, 0},
    {"type", CF_JT_STRING, 0, 0, 0},          {"channel_versions", CF_JT_OBJECT, 0, 0, 0},
    {"owner", CF_JT_STRING, 0, 0, 0},         {"run_id", CF_JT_INT, 0, 0, 0},
    {"now", CF_JT_STRING, 0, 0, 0},
  };
  const char *zThread = 0, *zId = 0, *zMeta = 0, *zOpts = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iConv = 0;
  int rc = SQLITE_OK;
  if (cfArgText(ctx, argv[0], "thread_id", CF_LG_THREAD_CHARS, 0, 0, &zThread)) return;
  if (cfArgText(ctx, argv[1], "checkpoint_id", CF_LG_NAME_CHARS, 0, 0, &zId)) return;
  if (cfLgArgBlob(ctx, argv[2], "checkpoint")) return;
  if (cfJsonArgument(ctx, argv[3], "metadata", CF_JT_OBJECT, &zMeta)) return;
  if (cfLgOptions(ctx, argc, argv, 4, "langgraph_put", aOpt, PUT_COUNT, &zOpts)) goto done;
  if ((rc = cfLgOptText(&aOpt[PUT_NS], "checkpoint_ns", 0, CF_LG_NAME_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[PUT_PARENT], "parent_checkpoint_id", 1, CF_LG_NAME_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[PUT_TYPE], "type", 1, CF_LG_TYPE_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[PUT_OWNER], "owner", 1, CF_MAX_NAME_CHARS, &zErr)) != SQLITE_OK) {
    cfLgFail(ctx, rc, zErr);
    goto done;
  }
  rc = cfLgBegin(ctx, p, zThread, aOpt[PUT_OWNER].bPresent ? aOpt[PUT_OWNER].zVal : CF_LG_OWNER_DEFAULT,
                 &aOpt[PUT_OWNER], &aOpt[PUT_RUN], &aOpt[PUT_NOW], zNow, &iConv, &zErr);
  if (rc < 0) goto done;
  if (rc == SQLITE_OK) {
    rc = cfStmtText(p,
                    "INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_ns, checkpoint_id,"
                    " parent_checkpoint_id, run_id, type, checkpoint, metadata, channel_versions, created_at)"
                    " VALUES (?1, coalesce(?2, ''), ?3, ?4, ?5, coalesce(?6, 'json'), ?7, json(?8),"
                    " coalesce(json_extract(?9, '$.channel_versions'), '{}'), ?10)"
                    " ON CONFLICT (conversation_id, checkpoint_ns, checkpoint_id) DO UPDATE SET"
                    " parent_checkpoint_id = excluded.parent_checkpoint_id, run_id = excluded.run_id,"
                    " type = excluded.type, checkpoint = excluded.checkpoint, metadata = excluded.metadata,"
                    " channel_versions = excluded.channel_versions",
                    &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, aOpt[PUT_NS].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zId, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, aOpt[PUT_PARENT].zVal, -1, SQLITE_STATIC);
      if (aOpt[PUT_RUN].bPresent) sqlite3_bind_int64(pStmt, 5, aOpt[PUT_RUN].iVal);
      sqlite3_bind_text(pStmt, 6, aOpt[PUT_TYPE].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_value(pStmt, 7, argv[2]);
      sqlite3_bind_text(pStmt, 8, zMeta, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 9, zOpts, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 10, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, iConv);
done:
  cfJsonOptionsFree(aOpt, PUT_COUNT);
}

enum { BLOB_NS, BLOB_TYPE, BLOB_OWNER, BLOB_RUN, BLOB_NOW, BLOB_COUNT };

static void cfLgPutBlobFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[BLOB_COUNT] = {
    {"checkpoint_ns", CF_JT_STRING, 0, 0, 0}, {"type", CF_JT_STRING, 0, 0, 0},
    {"owner", CF_JT_STRING, 0, 0, 0},         {"run_id", CF_JT_INT, 0, 0, 0},
    {"now", CF_JT_STRING, 0, 0, 0},
  };
  const char *zThread = 0, *zChannel = 0, *zVersion = 0, *zOpts = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iConv = 0;
  int rc = SQLITE_OK, nDone = 0;
  if (cfArgText(ctx, argv[0], "thread_id", CF_LG_THREAD_CHARS, 0, 0, &zThread)) return;
  if (cfArgText(ctx, argv[1], "channel", CF_LG_NAME_CHARS, 0, 0, &zChannel)) return;
  if (cfArgText(ctx, argv[2], "version", CF_LG_NAME_CHARS, 0, 0, &zVersion)) return;
  if (cfLgArgBlob(ctx, argv[3], "value")) return;
  if (cfLgOptions(ctx, argc, argv, 4, "langgraph_put_blob", aOpt, BLOB_COUNT, &zOpts)) goto done;
  if ((rc = cfLgOptText(&aOpt[BLOB_NS], "checkpoint_ns", 0, CF_LG_NAME_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[BLOB_TYPE], "type", 1, CF_LG_TYPE_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[BLOB_OWNER], "owner", 1, CF_MAX_NAME_CHARS, &zErr)) != SQLITE_OK) {
    cfLgFail(ctx, rc, zErr);
    goto done;
  }
  rc = cfLgBegin(ctx, p, zThread, aOpt[BLOB_OWNER].bPresent ? aOpt[BLOB_OWNER].zVal : CF_LG_OWNER_DEFAULT,
                 &aOpt[BLOB_OWNER], &aOpt[BLOB_RUN], &aOpt[BLOB_NOW], zNow, &iConv, &zErr);
  if (rc < 0) goto done;
  if (rc == SQLITE_OK) {
    /* a channel's value at a version does not change: the first is kept */
    rc = cfStmtText(p,
                    "INSERT INTO langgraph_blobs (conversation_id, checkpoint_ns, channel, version, run_id, type, value)"
                    " VALUES (?1, coalesce(?2, ''), ?3, ?4, ?5, coalesce(?6, 'json'), ?7)"
                    " ON CONFLICT DO NOTHING",
                    &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, aOpt[BLOB_NS].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zChannel, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, zVersion, -1, SQLITE_STATIC);
      if (aOpt[BLOB_RUN].bPresent) sqlite3_bind_int64(pStmt, 5, aOpt[BLOB_RUN].iVal);
      sqlite3_bind_text(pStmt, 6, aOpt[BLOB_TYPE].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_value(pStmt, 7, argv[3]);
      rc = cfStepOnce(pStmt);
      if (rc == SQLITE_OK) nDone = sqlite3_changes(p->db) > 0;
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, nDone);
done:
  cfJsonOptionsFree(aOpt, BLOB_COUNT);
}

enum { WR_NS, WR_TYPE, WR_PATH, WR_RUN, WR_REPLACE, WR_NOW, WR_OWNER, WR_COUNT };

static void cfLgPutWriteFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[WR_COUNT] = {
    {"checkpoint_ns", CF_JT_STRING, 0, 0, 0}, {"type", CF_JT_STRING, 0, 0, 0},
    {"task_path", CF_JT_STRING, 0, 0, 0},     {"run_id", CF_JT_INT, 0, 0, 0},
    {"replace", CF_JT_BOOL, 0, 0, 0},         {"now", CF_JT_STRING, 0, 0, 0},
    {"owner", CF_JT_STRING, 0, 0, 0},
  };
  const char *zThread = 0, *zId = 0, *zTask = 0, *zChannel = 0, *zOpts = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iConv = 0, iIdx = 0;
  int rc = SQLITE_OK, nDone = 0;
  if (cfArgText(ctx, argv[0], "thread_id", CF_LG_THREAD_CHARS, 0, 0, &zThread)) return;
  if (cfArgText(ctx, argv[1], "checkpoint_id", CF_LG_NAME_CHARS, 0, 0, &zId)) return;
  if (cfArgText(ctx, argv[2], "task_id", CF_LG_NAME_CHARS, 0, 0, &zTask)) return;
  if (cfArgIntRange(ctx, argv[3], "idx", -CF_MAX_ID, CF_MAX_ID, &iIdx)) return;
  if (cfArgText(ctx, argv[4], "channel", CF_LG_NAME_CHARS, 0, 0, &zChannel)) return;
  if (cfLgArgBlob(ctx, argv[5], "value")) return;
  if (cfLgOptions(ctx, argc, argv, 6, "langgraph_put_write", aOpt, WR_COUNT, &zOpts)) goto done;
  if ((rc = cfLgOptText(&aOpt[WR_NS], "checkpoint_ns", 0, CF_LG_NAME_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[WR_TYPE], "type", 1, CF_LG_TYPE_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[WR_PATH], "task_path", 0, CF_LG_NAME_CHARS, &zErr)) != SQLITE_OK ||
      (rc = cfLgOptText(&aOpt[WR_OWNER], "owner", 1, CF_MAX_NAME_CHARS, &zErr)) != SQLITE_OK) {
    cfLgFail(ctx, rc, zErr);
    goto done;
  }
  rc = cfLgBegin(ctx, p, zThread, 0, &aOpt[WR_OWNER], &aOpt[WR_RUN], &aOpt[WR_NOW], zNow, &iConv, &zErr);
  if (rc < 0) goto done;
  if (rc == SQLITE_OK) {
    int bFound = 0;
    rc = cfStmtText(p,
                    "SELECT 1 FROM langgraph_checkpoints"
                    " WHERE conversation_id = ?1 AND checkpoint_ns = coalesce(?2, '') AND checkpoint_id = ?3",
                    &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, aOpt[WR_NS].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zId, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      bFound = rc == SQLITE_ROW;
      if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
    if (rc == SQLITE_OK && !bFound) {
      zErr = sqlite3_mprintf("chatflow: unknown checkpoint '%q' in thread '%q' (namespace '%q')", zId, zThread,
                             aOpt[WR_NS].bPresent ? aOpt[WR_NS].zVal : "");
      rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  if (rc == SQLITE_OK) {
    rc = cfStmtText(p,
                    aOpt[WR_REPLACE].iVal
                        ? "INSERT INTO langgraph_writes (conversation_id, checkpoint_ns, checkpoint_id, task_id, idx,"
                          " channel, run_id, type, value, task_path)"
                          " VALUES (?1, coalesce(?2, ''), ?3, ?4, ?5, ?6, ?7, coalesce(?8, 'json'), ?9, coalesce(?10, ''))"
                          " ON CONFLICT DO UPDATE SET channel = excluded.channel, run_id = excluded.run_id,"
                          " type = excluded.type, value = excluded.value, task_path = excluded.task_path"
                        : "INSERT INTO langgraph_writes (conversation_id, checkpoint_ns, checkpoint_id, task_id, idx,"
                          " channel, run_id, type, value, task_path)"
                          " VALUES (?1, coalesce(?2, ''), ?3, ?4, ?5, ?6, ?7, coalesce(?8, 'json'), ?9, coalesce(?10, ''))"
                          " ON CONFLICT DO NOTHING",
                    &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, aOpt[WR_NS].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zId, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, zTask, -1, SQLITE_STATIC);
      sqlite3_bind_int64(pStmt, 5, iIdx);
      sqlite3_bind_text(pStmt, 6, zChannel, -1, SQLITE_STATIC);
      if (aOpt[WR_RUN].bPresent) sqlite3_bind_int64(pStmt, 7, aOpt[WR_RUN].iVal);
      sqlite3_bind_text(pStmt, 8, aOpt[WR_TYPE].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_value(pStmt, 9, argv[5]);
      sqlite3_bind_text(pStmt, 10, aOpt[WR_PATH].zVal, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      if (rc == SQLITE_OK) nDone = sqlite3_changes(p->db) > 0;
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, nDone);
done:
  cfJsonOptionsFree(aOpt, WR_COUNT);
}

static void cfLgDeleteThreadFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char *const azSql[] = {
    "DELETE FROM langgraph_checkpoints WHERE conversation_id = ?1",
    "DELETE FROM langgraph_blobs WHERE conversation_id = ?1",
    "DELETE FROM langgraph_writes WHERE conversation_id = ?1",
    /* the conversation goes to the deleted ones (its active run is
    ** cancelled by the schema): a late write cannot bring it back */
    "UPDATE chat_conversations SET deleted_at = ?2, updated_at = max(updated_at, ?2) WHERE id = ?1 AND deleted_at IS NULL",
  };
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[2] = {{"now", CF_JT_STRING, 0, 0, 0}, {"owner", CF_JT_STRING, 0, 0, 0}};
  const char *zThread = 0, *zOpts = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iConv = 0;
  int rc, nDone = 0;
  if (cfArgText(ctx, argv[0], "thread_id", CF_LG_THREAD_CHARS, 0, 0, &zThread)) return;
  if (cfLgOptions(ctx, argc, argv, 1, "langgraph_delete_thread", aOpt, 2, &zOpts)) goto done;
  if ((rc = cfLgOptText(&aOpt[1], "owner", 1, CF_MAX_NAME_CHARS, &zErr)) != SQLITE_OK) {
    cfLgFail(ctx, rc, zErr);
    goto done;
  }
  if (cfCallTimeSet(p, aOpt[0].bPresent ? aOpt[0].zVal : 0, &zErr)) {
    cfResultErrorMsg(ctx, zErr); /* 0: out of memory */
    goto done;
  }
  cfNow(p, zNow);
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) {
    cfLgFail(ctx, rc, zErr);
    goto done;
  }
  /* another owner's thread, under the option owner, is as unknown */
  rc = cfStmtText(p, "SELECT id FROM chat_conversations WHERE uid = ?1 AND (?2 IS NULL OR owner = ?2)", &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zThread, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, aOpt[1].zVal, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) iConv = sqlite3_column_int64(pStmt, 0);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  cfStmtDone(p, pStmt);
  for (int i = 0; iConv && rc == SQLITE_OK && i < (int)(sizeof(azSql) / sizeof(azSql[0])); i++) {
    pStmt = 0;
    rc = cfStmtText(p, azSql[i], &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      if (i == 3) sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      if (rc == SQLITE_OK && i == 0) nDone = sqlite3_changes(p->db);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, nDone);
done:
  cfJsonOptionsFree(aOpt, 2);
}

/* langgraph_prune_checkpoints visits the groups of a table -- a thread's
** conversation and namespace -- in key order, each found by one seek of
** the table's index, from the group where this connection's last call
** stopped, wrapping around once.  A loop of calls so costs each group
** about once a pass.  (Statements over the whole tables read every
** checkpoint and its channel_versions at every call: 0.2 s a call at
** 20,000 checkpoints, a loop of hours at 200,000.)  [t][0] is the group
** at or after a key, [t][1] the group after it. */
static const char *const azLgGroupSql[2][2] = {
    {"SELECT conversation_id, checkpoint_ns FROM langgraph_checkpoints"
     " WHERE (conversation_id, checkpoint_ns) >= (?1, ?2) ORDER BY conversation_id, checkpoint_ns LIMIT 1",
     "SELECT conversation_id, checkpoint_ns FROM langgraph_checkpoints"
     " WHERE (conversation_id, checkpoint_ns) > (?1, ?2) ORDER BY conversation_id, checkpoint_ns LIMIT 1"},
    {"SELECT conversation_id, checkpoint_ns FROM langgraph_blobs"
     " WHERE (conversation_id, checkpoint_ns) >= (?1, ?2) ORDER BY conversation_id, checkpoint_ns LIMIT 1",
     "SELECT conversation_id, checkpoint_ns FROM langgraph_blobs"
     " WHERE (conversation_id, checkpoint_ns) > (?1, ?2) ORDER BY conversation_id, checkpoint_ns LIMIT 1"},
};

/* The checkpoints of group (?1, ?2) past its newest ?3 (by checkpoint_id),
** oldest first, at most ?4 (their writes go with them:
** langgraph_checkpoints_delete). */
#define CF_LG_PRUNE_GROUP_SQL                                                                       \
  "DELETE FROM langgraph_checkpoints WHERE id IN ("                                                 \
  " SELECT id FROM langgraph_checkpoints WHERE conversation_id = ?1 AND checkpoint_ns = ?2"         \
  "  AND checkpoint_id <= (SELECT checkpoint_id FROM langgraph_checkpoints"                         \
  "                         WHERE conversation_id = ?1 AND checkpoint_ns = ?2"                      \
  "                         ORDER BY checkpoint_id DESC LIMIT 1 OFFSET ?3)"                         \
  "  ORDER BY checkpoint_id LIMIT ?4)"

/* The channel values of group (?1, ?2) that none of its checkpoints
** names, at most ?3. */
#define CF_LG_UNNAMED_SQL                                                                           \
  "DELETE FROM langgraph_blobs WHERE conversation_id = ?1 AND checkpoint_ns = ?2"                   \
  " AND (channel, version) IN ("                                                                    \
  "  SELECT channel, version FROM langgraph_blobs WHERE conversation_id = ?1 AND checkpoint_ns = ?2" \
  "   AND (channel, version) NOT IN ("                                                              \
  "    SELECT v.key, CAST(v.value AS TEXT) FROM langgraph_checkpoints AS c, json_each(c.channel_versions) AS v" \
  "     WHERE c.conversation_id = ?1 AND c.checkpoint_ns = ?2 AND v.type <> 'null')"                 \
  "  LIMIT ?3)"

/* Runs one of the two deletes above on group g, ?3 = i3 and, when i4 > 0,
** ?4 = i4; *pn gets the rows deleted. */
static int cfLgGroupDelete(CfConn *p, const char *zSql, const CfLgGroup *g, sqlite3_int64 i3,
                           sqlite3_int64 i4, sqlite3_int64 *pn) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmtText(p, zSql, &pStmt);
  *pn = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, g->iConv);
    sqlite3_bind_text(pStmt, 2, g->zNs ? g->zNs : "", g->nNs, SQLITE_STATIC);
    sqlite3_bind_int64(pStmt, 3, i3);
    if (i4 > 0) sqlite3_bind_int64(pStmt, 4, i4);
    rc = cfStepOnce(pStmt);
    if (rc == SQLITE_OK) *pn = sqlite3_changes(p->db);
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* The group of table eTab at or after (bAfter: after) the key *pKey, into
** *pOut (whose text buffer it reuses); SQLITE_DONE when there is none.
** pKey may be pOut. */
static int cfLgGroupFind(CfConn *p, int eTab, int bAfter, const CfLgGroup *pKey, CfLgGroup *pOut) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmtText(p, azLgGroupSql[eTab][bAfter], &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, pKey->iConv);
    /* a copy: pKey's text may be the buffer written below */
    rc = sqlite3_bind_text(pStmt, 2, pKey->zNs ? pKey->zNs : "", pKey->nNs, SQLITE_TRANSIENT);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      const char *z = (const char *)sqlite3_column_text(pStmt, 1);
      int n = sqlite3_column_bytes(pStmt, 1);
      char *zNew = z ? sqlite3_realloc(pOut->zNs, n + 1) : 0;
      if (zNew == 0) {
        rc = SQLITE_NOMEM;
      } else {
        memcpy(zNew, z, (size_t)n);
        zNew[n] = 0;
        pOut->zNs = zNew;
        pOut->nNs = n;
        pOut->iConv = sqlite3_column_int64(pStmt, 0);
        pOut->bSet = 1;
      }
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* <0, 0, >0 as group a sorts before, with or after b (the index's order:
** the conversation, then the namespace in BINARY collation). */
static int cfLgGroupCmp(const CfLgGroup *a, const CfLgGroup *b) {
  int m = a->nNs < b->nNs ? a->nNs : b->nNs, c = 0;
  if (a->iConv != b->iConv) return a->iConv < b->iConv ? -1 : 1;
  if (m > 0) c = memcmp(a->zNs, b->zNs, (size_t)m);
  return c ? c : a->nNs - b->nNs;
}

/* One pass over the groups of table eTab (0 checkpoints, 1 channel
** values), from the connection's resume point round to it, until
** aLeft[eTab] rows have been deleted.  In a group of checkpoints: those
** past the newest iKeep, then the group's channel values no longer named
** (at most aLeft[1]).  In a group of channel values: those no checkpoint
** of the group names.  Counts the rows in *pnDone and what is left in
** aLeft; the resume point becomes the group where the budget ran out, or
** none after a whole pass. */
static int cfLgPruneWalk(CfConn *p, int eTab, sqlite3_int64 iKeep, sqlite3_int64 *aLeft, sqlite3_int64 *pnDone) {
  CfLgGroup *pResume = &p->aLgResume[eTab];
  CfLgGroup first = {0, -0x7fffffffffffffffLL - 1, 0, 0}, from = first, cur = {0, 0, 0, 0};
  int rc = SQLITE_OK, bWrapped = 0, bAfter = 0;
  if (pResume->bSet) from = *pResume;
  for (;;) {
    sqlite3_int64 n = 0;
    rc = cfLgGroupFind(p, eTab, bAfter, bAfter ? &cur : (bWrapped ? &first : &from), &cur);
    if (rc == SQLITE_DONE || (rc == SQLITE_ROW && bWrapped && cfLgGroupCmp(&cur, &from) >= 0)) {
      /* the end of the table: wrap to its start once, unless the pass began there */
      if (rc == SQLITE_DONE && !bWrapped && cfLgGroupCmp(&from, &first) != 0) {
        bWrapped = 1;
        bAfter = 0;
        continue;
      }
      rc = SQLITE_OK;
      sqlite3_free(pResume->zNs);
      memset(pResume, 0, sizeof(*pResume));
      break;
    }
    if (rc != SQLITE_ROW) break;
    rc = SQLITE_OK;
    bAfter = 1;
    if (eTab == 0) {
      rc = cfLgGroupDelete(p, CF_LG_PRUNE_GROUP_SQL, &cur, iKeep, aLeft[0], &n);
      aLeft[0] -= n;
      *pnDone += n;
    }
    if (rc == SQLITE_OK && (eTab == 1 || n > 0) && aLeft[1] > 0) {
      rc = cfLgGroupDelete(p, CF_LG_UNNAMED_SQL, &cur, aLeft[1], 0, &n);
      aLeft[1] -= n;
      *pnDone += n;
    }
    if (rc != SQLITE_OK) break;
    if (aLeft[eTab] <= 0) {
      /* the next call begins with this group: it may hold more */
      sqlite3_free(pResume->zNs);
      *pResume = cur;
      cur.zNs = 0;
      break;
    }
  }
  sqlite3_free(cur.zNs);
  return rc;
}

static void cfLgPruneFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iKeep = 0, iBatch = CF_LG_BATCH_DEFAULT, aLeft[2], nDone = 0;
  char *zErr = 0;
  int rc;
  if (cfArgIntRange(ctx, argv[0], "keep", 1, CF_LG_KEEP_MAX, &iKeep)) return;
  if (argc > 1 && cfArgIntRange(ctx, argv[1], "batch", 1, CF_LG_BATCH_MAX, &iBatch)) return;
  rc = cfBeginWrite(p, &zErr);
  if (rc != SQLITE_OK) {
    cfLgFail(ctx, rc, zErr);
    return;
  }
  aLeft[0] = aLeft[1] = iBatch;
  /* the checkpoints past the newest keep (and the channel values of the
  ** groups they leave); once a whole pass finds none, every group's
  ** channel values no checkpoint names (a put_blob without its put, rows
  ** deleted by hand, values an earlier call's batch left) */
  rc = cfLgPruneWalk(p, 0, iKeep, aLeft, &nDone);
  if (rc == SQLITE_OK && aLeft[0] == iBatch) rc = cfLgPruneWalk(p, 1, iKeep, aLeft, &nDone);
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, nDone);
}

/* ---- readers ---- */

/* A text argument of a reader (0 or NULL: absent when bOptional). */
static int cfLgReadText(sqlite3_value *v, const char *zFunc, const char *zWhat, int nMax, int bOptional,
                        const char **pz, char **pzErr) {
  const unsigned char *z;
  char zGot[CF_VALUE_DESC_LEN];
  int n;
  *pz = 0;
  if (v == 0 || sqlite3_value_type(v) == SQLITE_NULL) {
    if (bOptional) return SQLITE_OK;
    *pzErr = sqlite3_mprintf("chatflow: %s needs %s", zFunc, zWhat);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (sqlite3_value_type(v) != SQLITE_TEXT) {
    *pzErr = sqlite3_mprintf("chatflow: %s of %s must be text, got %s", zWhat, zFunc, cfValueDesc(v, zGot));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  z = sqlite3_value_text(v);
  n = sqlite3_value_bytes(v);
  if (z == 0) return SQLITE_NOMEM;
  if (memchr(z, 0, (size_t)n) || !cfUtf8Valid(z, n) || cfUtf8Chars(z, n) > nMax) {
    *pzErr = sqlite3_mprintf("chatflow: %s of %s must be UTF-8 text without NUL of at most %d characters,"
                             " got %s", zWhat, zFunc, nMax, cfValueDesc(v, zGot));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  *pz = (const char *)z;
  return SQLITE_OK;
}

enum { LS_NS, LS_ID, LS_BEFORE, LS_LIMIT, LS_FILTER, LS_OWNER, LS_COUNT };

static int cfLgListPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  CfJsonOpt aOpt[LS_COUNT] = {
    {"checkpoint_ns", CF_JT_STRING, 0, 0, 0}, {"checkpoint_id", CF_JT_STRING, 0, 0, 0},
    {"before", CF_JT_STRING, 0, 0, 0},        {"limit", CF_JT_INT, 0, 0, 0},
    {"filter", CF_JT_OBJECT, 0, 0, 0},        {"owner", CF_JT_STRING, 0, 0, 0},
  };
  const char *zThread = 0, *zOpts = 0;
  char *zErr = 0, *zSql = 0;
  int rc;
  *ppStmt = 0;
  rc = cfLgReadText(aArg[0], "langgraph_list", "thread_id", CF_LG_THREAD_CHARS, 1, &zThread, &zErr);
  if (rc == SQLITE_OK && aArg[1]) rc = cfJsonOptionsText(aArg[1], "langgraph_list", &zOpts, &zErr);
  if (rc == SQLITE_OK && zOpts) {
    rc = cfJsonOptionsConn(0, p, zOpts, (int)strlen(zOpts), "langgraph_list", aOpt, LS_COUNT, &zErr);
  }
  if (rc == SQLITE_OK && aOpt[LS_LIMIT].bPresent &&
      (aOpt[LS_LIMIT].iVal < 1 || aOpt[LS_LIMIT].iVal > CF_LG_LIMIT_MAX)) {
    zErr = sqlite3_mprintf("chatflow: limit must be from 1 to %d, got %lld", CF_LG_LIMIT_MAX, aOpt[LS_LIMIT].iVal);
    rc = SQLITE_ERROR;
  }
  if (rc == SQLITE_OK) rc = cfLgOptText(&aOpt[LS_OWNER], "owner", 1, CF_MAX_NAME_CHARS, &zErr);
  if (rc == SQLITE_OK) rc = cfCheckSchema(p, &zErr);
  if (rc == SQLITE_OK) {
    /* only the conditions given, so that the planner sees the index range
    ** (conversation_id, checkpoint_ns, checkpoint_id) */
    zSql = sqlite3_mprintf(
        "SELECT c.uid, k.checkpoint_ns, k.checkpoint_id, k.parent_checkpoint_id, k.type, k.checkpoint,"
        " k.metadata, k.channel_versions, k.run_id, k.conversation_id, k.created_at"
        " FROM chat_conversations AS c JOIN langgraph_checkpoints AS k ON k.conversation_id = c.id"
        " WHERE 1%s%s%s%s%s%s ORDER BY k.checkpoint_id DESC%s",
        zThread ? " AND c.uid = ?1" : "", aOpt[LS_OWNER].bPresent ? " AND c.owner = ?7" : "",
        aOpt[LS_NS].bPresent ? " AND k.checkpoint_ns = ?2" : "",
        aOpt[LS_ID].bPresent ? " AND k.checkpoint_id = ?3" : "",
        aOpt[LS_BEFORE].bPresent ? " AND k.checkpoint_id < ?4" : "",
        aOpt[LS_FILTER].bPresent
            /* keys compared decoded, whatever their characters.  A JSON
            ** path cannot name a key holding '"' or a backslash, and may not find
            ** one the metadata writes with an escape, so a key it does
            ** not find is looked for through json_each; a key it finds is
            ** compared there, on the metadata parsed once a row (json_each
            ** parses it again for each key of the filter: 2 to 3 times
            ** slower on metadata of 500 keys) */
            ? " AND NOT EXISTS (SELECT 1 FROM json_each(json_extract(?5, '$.filter')) AS f"
              "  WHERE CASE WHEN instr(f.key, '\"') = 0 AND instr(f.key, '\\') = 0"
              "              AND json_type(k.metadata, '$.\"' || f.key || '\"') IS NOT NULL"
              "   THEN json_type(k.metadata, '$.\"' || f.key || '\"') IS NOT f.type"
              "     OR json_extract(k.metadata, '$.\"' || f.key || '\"') IS NOT f.value"
              "   ELSE NOT EXISTS (SELECT 1 FROM json_each(k.metadata) AS m"
              "                     WHERE m.key = f.key AND m.type = f.type AND m.value IS f.value) END)"
            : "",
        aOpt[LS_LIMIT].bPresent ? " LIMIT ?6" : "");
    if (zSql == 0) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
    if (rc != SQLITE_OK) zErr = cfDbError(p->db, rc);
  }
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(*ppStmt, 1, zThread, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 2, aOpt[LS_NS].zVal, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 3, aOpt[LS_ID].zVal, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 4, aOpt[LS_BEFORE].zVal, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 5, zOpts, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(*ppStmt, 6, aOpt[LS_LIMIT].iVal);
    sqlite3_bind_text(*ppStmt, 7, aOpt[LS_OWNER].zVal, -1, SQLITE_TRANSIENT);
  }
  sqlite3_free(zSql);
  cfJsonOptionsFree(aOpt, LS_COUNT);
  if (rc == SQLITE_ERROR && zErr == 0) rc = SQLITE_NOMEM;
  *pzErr = zErr;
  return rc;
}

/* langgraph_get: langgraph_list's first row for one namespace and,
** when given, one checkpoint id; with the option owner, none of another
** owner's thread (as langgraph_list's owner). */
static int cfLgGetPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  CfJsonOpt aOpt[1] = {{"owner", CF_JT_STRING, 0, 0, 0}};
  const char *zThread = 0, *zNs = 0, *zId = 0, *zOpts = 0;
  char *zErr = 0, *zSql = 0;
  int rc;
  *ppStmt = 0;
  rc = cfLgReadText(aArg[0], "langgraph_get", "thread_id", CF_LG_THREAD_CHARS, 0, &zThread, &zErr);
  if (rc == SQLITE_OK) rc = cfLgReadText(aArg[1], "langgraph_get", "checkpoint_ns", CF_LG_NAME_CHARS, 1, &zNs, &zErr);
  if (rc == SQLITE_OK) rc = cfLgReadText(aArg[2], "langgraph_get", "checkpoint_id", CF_LG_NAME_CHARS, 1, &zId, &zErr);
  if (rc == SQLITE_OK && aArg[3]) rc = cfJsonOptionsText(aArg[3], "langgraph_get", &zOpts, &zErr);
  if (rc == SQLITE_OK && zOpts) {
    rc = cfJsonOptionsConn(0, p, zOpts, (int)strlen(zOpts), "langgraph_get", aOpt, 1, &zErr);
  }
  if (rc == SQLITE_OK) rc = cfLgOptText(&aOpt[0], "owner", 1, CF_MAX_NAME_CHARS, &zErr);
  if (rc == SQLITE_OK) rc = cfCheckSchema(p, &zErr);
  if (rc == SQLITE_OK) {
    zSql = sqlite3_mprintf(
        "SELECT c.uid, k.checkpoint_ns, k.checkpoint_id, k.parent_checkpoint_id, k.type, k.checkpoint,"
        " k.metadata, k.channel_versions, k.run_id, k.conversation_id, k.created_at"
        " FROM chat_conversations AS c JOIN langgraph_checkpoints AS k ON k.conversation_id = c.id"
        " WHERE c.uid = ?1%s AND k.checkpoint_ns = ?2%s ORDER BY k.checkpoint_id DESC LIMIT 1",
        aOpt[0].bPresent ? " AND c.owner = ?4" : "", zId ? " AND k.checkpoint_id = ?3" : "");
    if (zSql == 0) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
    if (rc != SQLITE_OK) zErr = cfDbError(p->db, rc);
  }
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(*ppStmt, 1, zThread, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 2, zNs ? zNs : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 3, zId, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 4, aOpt[0].zVal, -1, SQLITE_TRANSIENT);
  }
  sqlite3_free(zSql);
  cfJsonOptionsFree(aOpt, 1);
  if (rc == SQLITE_ERROR && zErr == 0) rc = SQLITE_NOMEM;
  *pzErr = zErr;
  return rc;
}

/* langgraph_channel_values and langgraph_pending_writes: (thread_id, checkpoint_id
** [, checkpoint_ns]) and one statement over them. */
static int cfLgCheckpointRows(CfConn *p, sqlite3_value **aArg, const char *zFunc, const char *zSql,
                              sqlite3_stmt **ppStmt, char **pzErr) {
  const char *zThread = 0, *zId = 0, *zNs = 0;
  char *zErr = 0;
  int rc;
  *ppStmt = 0;
  rc = cfLgReadText(aArg[0], zFunc, "thread_id", CF_LG_THREAD_CHARS, 0, &zThread, &zErr);
  if (rc == SQLITE_OK) rc = cfLgReadText(aArg[1], zFunc, "checkpoint_id", CF_LG_NAME_CHARS, 0, &zId, &zErr);
  if (rc == SQLITE_OK) rc = cfLgReadText(aArg[2], zFunc, "checkpoint_ns", CF_LG_NAME_CHARS, 1, &zNs, &zErr);
  if (rc == SQLITE_OK) rc = cfCheckSchema(p, &zErr);
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
    if (rc != SQLITE_OK) zErr = cfDbError(p->db, rc);
  }
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(*ppStmt, 1, zThread, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 2, zId, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(*ppStmt, 3, zNs ? zNs : "", -1, SQLITE_TRANSIENT);
  }
  if (rc == SQLITE_ERROR && zErr == 0) rc = SQLITE_NOMEM;
  *pzErr = zErr;
  return rc;
}

static int cfLgValuesPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  return cfLgCheckpointRows(
      p, aArg, "langgraph_channel_values",
      "SELECT b.channel, b.version, b.type, b.value"
      " FROM chat_conversations AS c"
      " JOIN langgraph_checkpoints AS k ON k.conversation_id = c.id AND k.checkpoint_ns = ?3 AND k.checkpoint_id = ?2"
      " JOIN json_each(k.channel_versions) AS v"
      " JOIN langgraph_blobs AS b ON b.conversation_id = k.conversation_id AND b.checkpoint_ns = k.checkpoint_ns"
      "  AND b.channel = v.key AND b.version = CAST(v.value AS TEXT)"
      " WHERE c.uid = ?1 ORDER BY b.channel",
      ppStmt, pzErr);
}

static int cfLgWritesPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  return cfLgCheckpointRows(
      p, aArg, "langgraph_pending_writes",
      "SELECT w.task_id, w.idx, w.channel, w.type, w.value, w.task_path, w.run_id"
      " FROM chat_conversations AS c JOIN langgraph_writes AS w ON w.conversation_id = c.id"
      " WHERE c.uid = ?1 AND w.checkpoint_ns = ?3 AND w.checkpoint_id = ?2 ORDER BY w.task_id, w.idx",
      ppStmt, pzErr);
}

static const CfTvfDef cfLgListDef = {
  "langgraph_list",
  "CREATE TABLE x(thread_id TEXT, checkpoint_ns TEXT, checkpoint_id TEXT, parent_checkpoint_id TEXT,"
  " type TEXT, checkpoint BLOB, metadata TEXT, channel_versions TEXT, run_id INTEGER,"
  " conversation_id INTEGER, created_at TEXT, thread HIDDEN, options HIDDEN)",
  11, 2,
  "chatflow: langgraph_list needs a thread_id (NULL: every thread):"
  " langgraph_list(thread_id [, options_json])",
  -1,
  cfLgListPrepare, 0, 0,
};

static const CfTvfDef cfLgGetDef = {
  "langgraph_get",
  "CREATE TABLE x(thread_id TEXT, checkpoint_ns TEXT, checkpoint_id TEXT, parent_checkpoint_id TEXT,"
  " type TEXT, checkpoint BLOB, metadata TEXT, channel_versions TEXT, run_id INTEGER,"
  " conversation_id INTEGER, created_at TEXT, thread HIDDEN, ns HIDDEN, id HIDDEN, options HIDDEN)",
  11, 4,
  "chatflow: langgraph_get needs a thread_id:"
  " langgraph_get(thread_id [, checkpoint_ns [, checkpoint_id [, options_json]]])",
  -1,
  cfLgGetPrepare, 0, 0,
};

static const CfTvfDef cfLgValuesDef = {
  "langgraph_channel_values",
  "CREATE TABLE x(channel TEXT, version TEXT, type TEXT, value BLOB,"
  " thread_id HIDDEN, checkpoint_id HIDDEN, checkpoint_ns HIDDEN)",
  4, 3,
  "chatflow: langgraph_channel_values needs a thread_id and a checkpoint_id:"
  " langgraph_channel_values(thread_id, checkpoint_id [, checkpoint_ns])",
  -1,
  cfLgValuesPrepare, 0, 0,
};

static const CfTvfDef cfLgWritesDef = {
  "langgraph_pending_writes",
  "CREATE TABLE x(task_id TEXT, idx INTEGER, channel TEXT, type TEXT, value BLOB, task_path TEXT,"
  " run_id INTEGER, thread_id HIDDEN, checkpoint_id HIDDEN, checkpoint_ns HIDDEN)",
  7, 3,
  "chatflow: langgraph_pending_writes needs a thread_id and a checkpoint_id:"
  " langgraph_pending_writes(thread_id, checkpoint_id [, checkpoint_ns])",
  -1,
  cfLgWritesPrepare, 0, 0,
};

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED(cfLgDeleteThreadFunc)
CF_TIMED(cfLgPutFunc)
CF_TIMED(cfLgPutBlobFunc)
CF_TIMED(cfLgPutWriteFunc)

int cfRegisterLanggraph(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* all write the database and read the clock */
    {"langgraph_put", 4, CF_WRITES, cfLgPutFunc},
    {"langgraph_put", 5, CF_WRITES, cfLgPutFuncTimed},
    {"langgraph_put_blob", 4, CF_WRITES, cfLgPutBlobFunc},
    {"langgraph_put_blob", 5, CF_WRITES, cfLgPutBlobFuncTimed},
    {"langgraph_put_write", 6, CF_WRITES, cfLgPutWriteFunc},
    {"langgraph_put_write", 7, CF_WRITES, cfLgPutWriteFuncTimed},
    {"langgraph_delete_thread", 1, CF_WRITES, cfLgDeleteThreadFunc},
    {"langgraph_delete_thread", 2, CF_WRITES, cfLgDeleteThreadFuncTimed},
    {"langgraph_prune_checkpoints", 1, CF_WRITES, cfLgPruneFunc},
    {"langgraph_prune_checkpoints", 2, CF_WRITES, cfLgPruneFunc},
  };
  int rc = cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfLgGetDef);
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfLgListDef);
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfLgValuesDef);
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfLgWritesDef);
  return rc;
}
