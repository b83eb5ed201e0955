/*
** page_vtab.c — conversation_messages, one page of a conversation's
** messages in seq order, for a chat view that loads a conversation a page
** at a time.
**
**   SELECT * FROM conversation_messages(conversation_id [, options_json]);
**
** Example (the newest 20, then the 20 before them):
**   SELECT seq, role, content, has_more
**     FROM conversation_messages(7, '{"limit": 20, "order": "desc"}');
**   SELECT seq, role, content, has_more
**     FROM conversation_messages(7, '{"limit": 20, "order": "desc", "before_seq": 81}');
**
** Columns: id, seq, role, type, content, parts, attachments, metadata,
** tokens, created_at, has_more; arguments are the hidden columns
** conversation_id, options.  After them three more hidden columns, left
** out of SELECT * and selected by name, read from the same row of
** chat_messages: status (complete, streaming, aborted), parent_id (the
** message this one follows, NULL for a first one) and uid (the retry key,
** an AI SDK UIMessage's id), so that a chat view tells drafts, aborted
** answers and other branches apart.  The page does not say whether a
** message is on the current branch: that takes a walk up from the
** current leaf, as long as the branch beyond the page, not O(page); a
** view of the current branch reads chat_history or chat_ui_messages
** (docs/history.md).  Being hidden columns, SQLite takes a third
** argument for status: conversation_messages(1, NULL, 'aborted') is the
** page WHERE status = 'aborted'.
**
** Options: limit (1..500, default 50); before_seq (only messages with a
** smaller seq) or after_seq (only a greater seq), not both; order "asc"
** (the default: oldest first) or "desc" (newest first).  The page is the
** first `limit` messages in that order within the bound; has_more is 1 on
** every row of the page when at least one more message follows it in that
** order (the statement reads limit + 1 rows to know), else 0.  Each page
** is one range of the (conversation_id, seq) index: O(page) however long
** the conversation.  A deleted conversation is read like a live one.
**
** Errors: a conversation id that is not a positive integer, an unknown
** conversation, malformed options, a limit out of range, both bounds, an
** order other than asc and desc.  SQLITE_VTAB_INNOCUOUS: it only reads.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_PAGE_LIMIT_DEFAULT 50
#define CF_PAGE_LIMIT_MAX 500

enum { PG_LIMIT, PG_BEFORE, PG_AFTER, PG_ORDER, PG_COUNT };

/* Checks the arguments and prepares the page (see the header). */
static int cfPagePrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  CfJsonOpt aOpt[PG_COUNT] = {
    {"limit", CF_JT_INT, 0, 0, 0},
    {"before_seq", CF_JT_INT, 0, 0, 0},
    {"after_seq", CF_JT_INT, 0, 0, 0},
    {"order", CF_JT_STRING, 0, 0, 0},
  };
  sqlite3_value *vConv = aArg[0], *vOpts = aArg[1];
  sqlite3_int64 iConv = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0, *zSql = 0;
  int nLimit = CF_PAGE_LIMIT_DEFAULT, bDesc = 0;
  int rc = SQLITE_OK;
  *ppStmt = 0;
  if (!cfValueInteger(vConv, &iConv) || iConv <= 0) {
    char zGot[CF_VALUE_DESC_LEN];
    zErr = sqlite3_mprintf("chatflow: conversation_messages needs a positive integer conversation id, got %s",
                           cfValueDescInt(vConv, zGot));
    goto fail;
  }
  if (vOpts) {
    const char *zOpts = 0;
    rc = cfJsonOptionsText(vOpts, "conversation_messages", &zOpts, &zErr);
    if (rc == SQLITE_OK && zOpts) {
      rc = cfJsonOptionsConn(0, p, zOpts, sqlite3_value_bytes(vOpts), "conversation_messages", aOpt, PG_COUNT,
                             &zErr);
    }
    if (rc != SQLITE_OK) goto fail;
  }
  if (aOpt[PG_LIMIT].bPresent) {
    if (aOpt[PG_LIMIT].iVal < 1 || aOpt[PG_LIMIT].iVal > CF_PAGE_LIMIT_MAX) {
      zErr = sqlite3_mprintf("chatflow: limit must be from 1 to %d, got %lld", CF_PAGE_LIMIT_MAX,
                             aOpt[PG_LIMIT].iVal);
      goto fail;
    }
    nLimit = (int)aOpt[PG_LIMIT].iVal;
  }
  if (aOpt[PG_BEFORE].bPresent && aOpt[PG_AFTER].bPresent) {
    zErr = sqlite3_mprintf("chatflow: conversation_messages takes before_seq or after_seq, not both");
    goto fail;
  }
  for (int k = PG_BEFORE; k <= PG_AFTER; k++) {
    /* a seq is positive; 0 is "before the first" / "from the start" */
    if (aOpt[k].bPresent && aOpt[k].iVal < 0) {
      zErr = sqlite3_mprintf("chatflow: %s must be a seq (an integer from 0), got %lld", aOpt[k].zKey,
                             aOpt[k].iVal);
      goto fail;
    }
  }
  if (aOpt[PG_ORDER].bPresent) {
    if (strcmp(aOpt[PG_ORDER].zVal, "desc") == 0) {
      bDesc = 1;
    } else if (strcmp(aOpt[PG_ORDER].zVal, "asc") != 0) {
      zErr = sqlite3_mprintf("chatflow: order must be \"asc\" or \"desc\", got '%q'", aOpt[PG_ORDER].zVal);
      goto fail;
    }
  }
  rc = cfCheckSchema(p, &zErr);
  if (rc != SQLITE_OK) {
    if (!cfKeepCode(rc)) rc = SQLITE_ERROR;
    goto fail;
  }
  rc = sqlite3_prepare_v2(p->db, "SELECT 1 FROM chat_conversations WHERE id = ?1", -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iConv);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_DONE) {
      zErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(pStmt);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto fail;
  }
  if (zErr) goto fail;

  /* limit + 1 rows of one index range; the outer query drops the extra row
  ** and tells every row whether it was there. */
  zSql = sqlite3_mprintf(
      "SELECT id, seq, role, type, content, parts, attachments, metadata, tokens, created_at,"
      " n > ?2 AS has_more, status, parent_id, uid FROM ("
      "SELECT *, count(*) OVER () AS n FROM ("
      "SELECT id, seq, role, type, content, parts, attachments, metadata, tokens, created_at,"
      " status, parent_id, uid"
      " FROM chat_messages WHERE conversation_id = ?1%s ORDER BY seq %s LIMIT ?2 + 1))"
      " ORDER BY seq %s LIMIT ?2",
      aOpt[PG_BEFORE].bPresent ? " AND seq < ?3" : aOpt[PG_AFTER].bPresent ? " AND seq > ?3" : "",
      bDesc ? "DESC" : "ASC", bDesc ? "DESC" : "ASC");
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto fail;
  }
  sqlite3_bind_int64(*ppStmt, 1, iConv);
  sqlite3_bind_int(*ppStmt, 2, nLimit);
  if (aOpt[PG_BEFORE].bPresent) sqlite3_bind_int64(*ppStmt, 3, aOpt[PG_BEFORE].iVal);
  if (aOpt[PG_AFTER].bPresent) sqlite3_bind_int64(*ppStmt, 3, aOpt[PG_AFTER].iVal);
  goto done;
fail:
  /* An error: its message, or out of memory when there is none. */
  if (zErr == 0 && rc == SQLITE_OK) rc = SQLITE_NOMEM;
done:
  sqlite3_free(zSql);
  cfJsonOptionsFree(aOpt, PG_COUNT);
  *pzErr = zErr;
  return zErr ? SQLITE_ERROR : rc;
}

static const CfTvfDef cfPageDef = {
  "conversation_messages",
  "CREATE TABLE x(id INTEGER, seq INTEGER, role TEXT, type TEXT, content TEXT, parts TEXT,"
  " attachments TEXT, metadata TEXT, tokens INTEGER, created_at TEXT, has_more INTEGER,"
  " conversation_id HIDDEN, options HIDDEN,"
  " status TEXT HIDDEN, parent_id INTEGER HIDDEN, uid TEXT HIDDEN)",
  11, 2,
  "chatflow: conversation_messages needs a conversation id:"
  " conversation_messages(conversation_id [, options_json])",
  -1,
  cfPagePrepare, 0, 0,
  3, /* status, parent_id, uid: hidden, so SELECT * is the page's eleven columns */
};

int cfRegisterPage(sqlite3 *db, CfConn *p) { return cfRegisterTvf(db, p, &cfPageDef); }
