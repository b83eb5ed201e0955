/*
** branches.c — message trees: moving between the branches of a
** conversation, and a message's siblings.
**
**   switch_branch(message_id [, options]) -> 1
**   SELECT * FROM message_siblings(message_id);
**
** Example (a regenerated answer, then back to the first one):
**   SELECT add_message(1, 'assistant', 'Second try', '{"parent_id": 2}');
**   SELECT id, is_current FROM message_siblings(3);   -- 3|0, 4|1
**   SELECT switch_branch(3);                          -- history ends at 3 again
**
** The tree lives in the schema (sql/005_identity.sql): each message's
** parent_id (NULL for a first message), the conversation's
** current_leaf_id (the last message of the branch that chat_history,
** chat_history_json, chat_ui_messages, complete_chat and
** export_conversation(id, 'openai') read), and branched.  add_message's
** option parent_id and edit_message (messages.c) start branches.
**
** switch_branch: the current leaf becomes the newest message (highest
** seq) of the subtree under message_id, message_id itself when it has no
** children: the branch the user last saw there.  The conversation's
** updated_at moves to the clock (a sync client learns that its history
** changed), unless the leaf stays where it was (nothing is written).  Errors: "chatflow: unknown message N", "chatflow:
** conversation C is deleted; restore_conversation(C) first".  Cost: the
** subtree under the message, through the chat_messages_parent index.
**
** message_siblings: the messages with the same parent as message_id (the
** first messages of the conversation when it has none), message_id
** included, by seq.  Columns id, seq, role, content, created_at,
** is_current (1 for the sibling on the current branch, 0 for the others;
** all 0 when the current branch does not pass through their parent).  A
** UI shows "2 / 3" and the arrows from it.  Errors: a NULL or non-integer
** id, "chatflow: unknown message N".  Cost: the siblings, and the walk up
** from the leaf to their level.
**
** switch_branch writes (SQLITE_DIRECTONLY); message_siblings only reads
** (SQLITE_VTAB_INNOCUOUS).
*/
#include "chatflow_int.h"

#include <string.h>

static void cfSwitchBranchFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iMsg, iConv = 0;
  char zNow[CF_TIMESTAMP_LEN + 1];
  char *zErr = 0;
  sqlite3_stmt *pStmt = 0;
  int rc;
  (void)argc;
  if (cfArgId(ctx, argv[0], "message id", &iMsg)) return;
  cfNow(p, zNow);
  if (cfBeginWriteResult(ctx, p)) return;
  rc = cfStmtText(p,
                  "SELECT m.conversation_id, c.deleted_at IS NOT NULL"
                  "  FROM chat_messages AS m JOIN chat_conversations AS c ON c.id = m.conversation_id"
                  " WHERE m.id = ?1",
                  &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iMsg);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_DONE) {
      zErr = sqlite3_mprintf("chatflow: unknown message %lld", iMsg);
      rc = zErr ? SQLITE_NOTFOUND : SQLITE_NOMEM;
    } else if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      iConv = sqlite3_column_int64(pStmt, 0);
      if (sqlite3_column_int(pStmt, 1)) {
        zErr = sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld) first",
                               iConv, iConv);
        rc = zErr ? SQLITE_MISUSE : SQLITE_NOMEM;
      }
    }
  }
  cfStmtDone(p, pStmt);
  pStmt = 0;
  if (rc == SQLITE_OK) {
    rc = cfStmtText(p,
                    "WITH RECURSIVE chatflow_subtree(id) AS (SELECT ?1 UNION"
                    "   SELECT m.id FROM chat_messages AS m, chatflow_subtree"
                    "    WHERE m.parent_id = chatflow_subtree.id),"
                    " chatflow_leaf(id) AS MATERIALIZED (SELECT m.id FROM chatflow_subtree"
                    "   JOIN chat_messages AS m USING (id) ORDER BY m.seq DESC LIMIT 1)"
                    " UPDATE chat_conversations SET current_leaf_id = (SELECT id FROM chatflow_leaf),"
                    " updated_at = max(updated_at, ?3)"
                    " WHERE id = ?2 AND current_leaf_id IS NOT (SELECT id FROM chatflow_leaf)",
                    &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iMsg);
      sqlite3_bind_int64(pStmt, 2, iConv);
      sqlite3_bind_text(pStmt, 3, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
    }
    cfStmtDone(p, pStmt);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int(ctx, 1);
}

/* message_siblings: the siblings, and which of them the current branch
** passes through (the leaf's ancestor whose parent is theirs, found by
** walking up from the leaf no further than their level). */
static int cfSiblingsPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  sqlite3_int64 iMsg = 0;
  sqlite3_stmt *pStmt = 0;
  int rc;
  if (!cfValueInteger(aArg[0], &iMsg) || iMsg <= 0) {
    char zGot[CF_VALUE_DESC_LEN];
    *pzErr = sqlite3_mprintf("chatflow: message_siblings needs a positive integer message id, got %s",
                             cfValueDescInt(aArg[0], zGot));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  rc = cfCheckSchema(p, pzErr);
  if (rc != SQLITE_OK) return cfKeepCode(rc) ? rc : SQLITE_ERROR;
  rc = sqlite3_prepare_v2(
      p->db,
      "WITH me AS (SELECT m.conversation_id AS conv, m.parent_id AS parent,"
      "             coalesce((SELECT seq FROM chat_messages WHERE id = m.parent_id), 0) AS floor,"
      "             c.current_leaf_id AS leaf"
      "        FROM chat_messages AS m JOIN chat_conversations AS c ON c.id = m.conversation_id"
      "       WHERE m.id = ?1),"
      " up(id, parent, seq) AS (SELECT l.id, l.parent_id, l.seq FROM me, chat_messages AS l"
      "                          WHERE l.id = me.leaf"
      "  UNION SELECT a.id, a.parent_id, a.seq FROM up, me, chat_messages AS a"
      "   WHERE a.id = up.parent AND up.parent IS NOT me.parent AND a.seq > me.floor)"
      " SELECT s.id, s.seq, s.role, s.content, s.created_at,"
      "        s.id = coalesce((SELECT up.id FROM up, me WHERE up.parent IS me.parent), 0)"
      "   FROM me, chat_messages AS s"
      "  WHERE s.parent_id IS me.parent AND s.conversation_id = me.conv"
      "  ORDER BY s.seq",
      -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    /* an unknown message is an error, not an empty table */
    sqlite3_stmt *pOne = 0;
    rc = sqlite3_prepare_v2(p->db, "SELECT 1 FROM chat_messages WHERE id = ?1", -1, &pOne, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pOne, 1, iMsg);
      rc = sqlite3_step(pOne);
      if (rc == SQLITE_DONE) {
        *pzErr = sqlite3_mprintf("chatflow: unknown message %lld", iMsg);
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(pOne);
  }
  if (rc != SQLITE_OK) {
    if (*pzErr == 0) *pzErr = cfDbError(p->db, rc);
    sqlite3_finalize(pStmt);
    return rc;
  }
  sqlite3_bind_int64(pStmt, 1, iMsg);
  *ppStmt = pStmt;
  return SQLITE_OK;
}

static const CfTvfDef cfSiblingsDef = {
  "message_siblings",
  "CREATE TABLE x(id INTEGER, seq INTEGER, role TEXT, content TEXT, created_at TEXT,"
  " is_current INTEGER, message_id HIDDEN)",
  6, 1,
  "chatflow: message_siblings needs a message id: message_siblings(message_id)",
  1,
  cfSiblingsPrepare, 0, 0,
};

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED_OPTS(cfSwitchBranchFunc, 1, "switch_branch")

int cfRegisterBranches(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* writes the database */
    {"switch_branch", 1, CF_WRITES, cfSwitchBranchFunc},
    {"switch_branch", 2, CF_WRITES, cfSwitchBranchFuncTimed},
  };
  int rc = cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfSiblingsDef);
  return rc;
}
