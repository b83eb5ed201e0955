/*
** retention.c — statistics and the retention jobs.
**
**   chatflow_stats([owner])                     -> JSON
**   archive_old_conversations(days [, batch [, options]]) -> conversations archived
**   delete_old_messages(days [, batch [, options]])       -> messages deleted
**   purge_deleted(days [, batch [, options]])             -> rows removed
**
** Example (a cron job loops each until it returns 0):
**   SELECT archive_old_conversations(180);
**   SELECT delete_old_messages(365, 1000);
**   SELECT purge_deleted(30);
**   SELECT chatflow_stats('acme');
**
** chatflow_stats: total_conversations, active_conversations (neither
** archived nor deleted), archived_conversations (archived, not deleted),
** deleted_conversations, total_messages and total_tokens (from the
** maintained counters), old_conversations (not deleted, last activity —
** last message, else creation — more than 90 days ago),
** messages_last_30_days (by the created_at index).  Without an owner,
** over the whole database; with one, through the owner's index range.
**
** The retention functions work in bounded batches (default 200, at most
** 10,000 rows a call) so one call holds the write lock only briefly; each
** returns how much it did, and a caller loops until a call returns 0.
** "days" is an integer >= 0, measured back from the connection clock.
**   archive_old_conversations: sets archived_at on conversations neither
**     archived nor deleted whose last activity is older than the cutoff.
**   delete_old_messages: deletes messages created before the cutoff; the
**     schema's triggers keep counters, previews and the search index exact.
**   purge_deleted: for conversations soft-deleted before the cutoff, deletes
**     their messages (a batch at a time), then the emptied conversations
**     (cascading to runs, events, proposals, interrupts); returns the
**     number of rows (messages + conversations) removed.
**
** NULL or non-integer days/batch are errors.  chatflow_stats reads the
** clock and the others write: all SQLITE_DIRECTONLY.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_BATCH_DEFAULT 200
#define CF_BATCH_MAX 10000
#define CF_DAYS_MAX 36500

static void cfStatsFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  const char *zOwner = 0;
  char *zSql = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pStmt = 0;
  int rc;
  if (argc > 0 && cfArgText(ctx, argv[0], "owner", CF_MAX_NAME_CHARS, 1, 0, &zOwner)) return;
  if (cfSchemaResult(ctx, p)) {
    return;
  }
  cfNow(p, zNow);
  zSql = sqlite3_mprintf(
      "%s WHERE %s",
      "SELECT json_object("
      " 'total_conversations', count(*),"
      " 'active_conversations', coalesce(sum(deleted_at IS NULL AND archived_at IS NULL), 0),"
      " 'archived_conversations', coalesce(sum(deleted_at IS NULL AND archived_at IS NOT NULL), 0),"
      " 'deleted_conversations', coalesce(sum(deleted_at IS NOT NULL), 0),"
      " 'total_messages', coalesce(sum(message_count), 0),"
      " 'total_tokens', coalesce(sum(total_tokens), 0),"
      " 'old_conversations', coalesce(sum(deleted_at IS NULL AND coalesce(last_message_at, created_at)"
      "     < strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '-90 days')), 0),"
      " 'messages_last_30_days', CASE WHEN ?1 IS NULL"
      "   THEN (SELECT count(*) FROM chat_messages"
      "          WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '-30 days'))"
      "   ELSE (SELECT count(*) FROM chat_messages AS m JOIN chat_conversations AS c"
      "           ON c.id = m.conversation_id"
      "          WHERE c.owner = ?1"
      "            AND m.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', ?2, '-30 days')) END)"
      " FROM chat_conversations",
      zOwner ? "owner = ?1" : "?1 IS NULL");
  if (zSql == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zOwner, -1, SQLITE_STATIC);
    sqlite3_bind_text(pStmt, 2, zNow, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      sqlite3_result_text(ctx, (const char *)sqlite3_column_text(pStmt, 0), -1, SQLITE_TRANSIENT);
      rc = SQLITE_OK;
    }
  }
  if (rc != SQLITE_OK) cfResultErrorFromDb(ctx, p->db, rc);
  sqlite3_finalize(pStmt);
}

/* days and the optional batch; sets an error and returns non-zero if bad. */
static int cfRetentionArgs(sqlite3_context *ctx, int argc, sqlite3_value **argv, int *pnDays,
                           int *pnBatch) {
  sqlite3_int64 v;
  if (cfArgIntRange(ctx, argv[0], "days", 0, CF_DAYS_MAX, &v)) return 1;
  *pnDays = (int)v;
  *pnBatch = CF_BATCH_DEFAULT;
  if (argc > 1) {
    if (cfArgIntRange(ctx, argv[1], "batch", 1, CF_BATCH_MAX, &v)) return 1;
    *pnBatch = (int)v;
  }
  return 0;
}

/* Runs the batch statements of a retention function in one SAVEPOINT:
** each with ?1 = cutoff, ?2 = batch (remaining), ?3 = now; returns the
** total number of rows changed. */
static void cfRetention(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                        const char *const *azSql, int nSql, int iSlot) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  int nDays, nBatch, rc, nDone = 0;
  char *zErr = 0;
  char zNow[CF_TIMESTAMP_LEN + 1], zCutoff[64];
  if (cfRetentionArgs(ctx, argc, argv, &nDays, &nBatch)) return;
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  {
    /* cutoff = now - days, in the stored timestamp format */
    sqlite3_stmt *pStmt = 0;
    rc = cfStmt(p, CF_STMT_RETENTION_CUTOFF,
                "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', ?1, '-' || ?2 || ' days')",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zNow, -1, SQLITE_STATIC);
      sqlite3_bind_int(pStmt, 2, nDays);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        sqlite3_snprintf(sizeof(zCutoff), zCutoff, "%s", sqlite3_column_text(pStmt, 0));
        rc = SQLITE_OK;
      }
    }
    cfStmtDone(p, pStmt);
  }
  for (int i = 0; i < nSql && rc == SQLITE_OK && nDone < nBatch; i++) {
    sqlite3_stmt *pStmt = 0;
    /* cached (a DELETE compiles the table's triggers: milliseconds), one
    ** slot per statement of the function */
    rc = cfStmt(p, iSlot + i, azSql[i], &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zCutoff, -1, SQLITE_STATIC);
      sqlite3_bind_int(pStmt, 2, nBatch - nDone);
      sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      if (rc == SQLITE_OK) nDone += sqlite3_changes(p->db);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, nDone);
}

static void cfArchiveOldFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char *const azSql[] = {
    "UPDATE chat_conversations SET archived_at = ?3, updated_at = max(updated_at, ?3)"
    " WHERE id IN (SELECT id FROM chat_conversations"
    "               WHERE deleted_at IS NULL AND archived_at IS NULL"
    "                 AND coalesce(last_message_at, created_at) < ?1"
    "               ORDER BY coalesce(last_message_at, created_at) LIMIT ?2)",
  };
  cfRetention(ctx, argc, argv, azSql, 1, CF_STMT_RETENTION_ARCHIVE);
}

static void cfDeleteOldMessagesFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char *const azSql[] = {
    "DELETE FROM chat_messages WHERE id IN (SELECT id FROM chat_messages WHERE created_at < ?1"
    " ORDER BY created_at LIMIT ?2)",
  };
  cfRetention(ctx, argc, argv, azSql, 1, CF_STMT_RETENTION_DELETE);
}

static void cfPurgeDeletedFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  static const char *const azSql[] = {
    /* messages of long-deleted conversations first, a batch at a time */
    "DELETE FROM chat_messages WHERE id IN ("
    " SELECT m.id FROM chat_conversations AS c JOIN chat_messages AS m ON m.conversation_id = c.id"
    "  WHERE c.deleted_at IS NOT NULL AND c.deleted_at < ?1 LIMIT ?2)",
    /* then the emptied conversations (their runs, events, proposals go too) */
    "DELETE FROM chat_conversations WHERE id IN ("
    " SELECT id FROM chat_conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?1"
    "    AND NOT EXISTS (SELECT 1 FROM chat_messages AS m WHERE m.conversation_id = chat_conversations.id)"
    " LIMIT ?2)",
  };
  cfRetention(ctx, argc, argv, azSql, 2, CF_STMT_RETENTION_PURGE);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED_OPTS(cfArchiveOldFunc, 2, "archive_old_conversations")
CF_TIMED_OPTS(cfDeleteOldMessagesFunc, 2, "delete_old_messages")
CF_TIMED_OPTS(cfPurgeDeletedFunc, 2, "purge_deleted")

int cfRegisterRetention(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* reads the clock (the 30- and 90-day windows): DIRECTONLY, as STYLE asks */
    {"chatflow_stats", 0, CF_WRITES, cfStatsFunc},
    {"chatflow_stats", 1, CF_WRITES, cfStatsFunc},
    /* write the database */
    {"archive_old_conversations", 1, CF_WRITES, cfArchiveOldFunc},
    {"archive_old_conversations", 2, CF_WRITES, cfArchiveOldFunc},
    {"archive_old_conversations", 3, CF_WRITES, cfArchiveOldFuncTimed},
    {"delete_old_messages", 1, CF_WRITES, cfDeleteOldMessagesFunc},
    {"delete_old_messages", 2, CF_WRITES, cfDeleteOldMessagesFunc},
    {"delete_old_messages", 3, CF_WRITES, cfDeleteOldMessagesFuncTimed},
    {"purge_deleted", 1, CF_WRITES, cfPurgeDeletedFunc},
    {"purge_deleted", 2, CF_WRITES, cfPurgeDeletedFunc},
    {"purge_deleted", 3, CF_WRITES, cfPurgeDeletedFuncTimed},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
