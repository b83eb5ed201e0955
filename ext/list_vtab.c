/*
** list_vtab.c — conversation_list, the chat list of an owner: previews,
** pinned first, then most recently updated, with keyset pagination.
**
**   SELECT * FROM conversation_list(owner [, options_json]);
**
** Example:
**   SELECT id, title, last_message_preview, cursor
**     FROM conversation_list('acme', '{"limit": 20}');
**   -- next page: '{"limit": 20, "after": "<cursor of the last row>"}'
**
** Columns: id, uid, key, title, pinned_at, archived_at, deleted_at,
** updated_at, last_message_at, message_count, last_message_preview (at most
** 120 characters of the current leaf's content — the last message of the
** current branch, the newest message when the conversation never branched
** — or of its text parts joined with a space when it has no content),
** cursor, has_more (1 on
** every row of a page that another row follows; the page reads limit + 1
** rows to know); arguments are the hidden columns owner, options.
**
** Options: limit (1..500, default 50); after (a row's cursor: the page
** starts after that row); deleted (true: only soft-deleted conversations,
** archived or not unless archived says otherwise; default false: none of
** them); archived (false, the default: not archived; true: only archived;
** "all": both); updated_since (an RFC 3339 timestamp, any offset: only
** updated_at at or after it, a bound of each index range); model, agent
** (only that model or agent, checked on the rows of the range).
**
** Order and paging: pinned conversations first, then by updated_at, newest
** first, ties by id.  A cursor is "<pinned 0|1>|<updated_at>|<id>"; the
** next page is everything after that position, read from the index
** chat_conversations_list, so a page costs O(page) however many
** conversations the owner has.  The guarantee under concurrent updates: no
** conversation appears twice in one walk, and every conversation not
** updated during the walk appears exactly once; one updated meanwhile moves
** to the top and shows on a fresh first page (it may be missed by the walk
** in progress if it was not yet reached).
**
** Errors: a NULL or empty owner, malformed options, an invalid cursor, an
** invalid updated_since timestamp.
** SQLITE_VTAB_INNOCUOUS: it only reads.
*/
#include "chatflow_int.h"

#include <stdlib.h>
#include <string.h>

#define CF_LIST_COLS \
  "id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at," \
  " message_count," \
  " chatflow_preview((SELECT " CF_PREVIEW_TEXT("m") " FROM chat_messages AS m" \
  "   WHERE m.id = chat_conversations.current_leaf_id))" \
  "   AS last_message_preview," \
  " (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor"
/* the visible columns of a page, read from the merged arms */
#define CF_LIST_OUT \
  "id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at," \
  " message_count, last_message_preview, cursor, n > ?2 AS has_more"
#define CF_LIST_LIMIT_DEFAULT 50
#define CF_LIST_LIMIT_MAX 500

/* Parses a cursor "<0|1>|<timestamp>|<id>". */
static int cfListParseCursor(const char *z, int *pbPinned, char *zTime, sqlite3_int64 *piId) {
  char *zEnd = 0;
  if ((z[0] != '0' && z[0] != '1') || z[1] != '|') return 1;
  *pbPinned = z[0] - '0';
  if (strlen(z + 2) < CF_TIMESTAMP_LEN + 2 || z[2 + CF_TIMESTAMP_LEN] != '|') return 1;
  memcpy(zTime, z + 2, CF_TIMESTAMP_LEN);
  zTime[CF_TIMESTAMP_LEN] = 0;
  {
    /* a cursor is chatflow's own output: its time only in the stored form
    ** (cfParseTimestamp reads any RFC 3339 time; a canonical one comes
    ** back unchanged) */
    char zCanon[CF_TIMESTAMP_LEN + 1];
    if (cfParseTimestamp(zTime, zCanon) || strcmp(zCanon, zTime) != 0) return 1;
  }
  z += 3 + CF_TIMESTAMP_LEN;
  if (*z < '1' || *z > '9' || strlen(z) > 19) return 1;
  *piId = strtoll(z, &zEnd, 10);
  return *zEnd != 0 || *piId <= 0;
}

/* Checks owner and options, and prepares the page (see the header). */
static int cfListPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr) {
  CfJsonOpt aOpt[7] = {
    {"limit", CF_JT_INT, 0, 0, 0},
    {"after", CF_JT_STRING, 0, 0, 0},
    {"deleted", CF_JT_BOOL, 0, 0, 0},
    {"archived", CF_JT_BOOL | CF_JT_STRING, 0, 0, 0},
    {"updated_since", CF_JT_STRING, 0, 0, 0},
    {"model", CF_JT_STRING, 0, 0, 0},
    {"agent", CF_JT_STRING, 0, 0, 0},
  };
  sqlite3_value *vOwner = aArg[0], *vOpts = aArg[1];
  const unsigned char *zOwner;
  char *zErr = 0, *zSql = 0;
  char zTime[CF_TIMESTAMP_LEN + 1], zSince[CF_TIMESTAMP_LEN + 1];
  const char *zFilter;
  int nLimit = CF_LIST_LIMIT_DEFAULT, bDeleted = 0, bAfter = 0, bPinned = 0;
  int aArchived[2] = {1, 0}; /* which archived classes: [0] not archived, [1] archived */
  sqlite3_int64 iAfterId = 0;
  int rc = SQLITE_OK, nArm = 0;
  /* the type first: sqlite3_value_text() would turn a blob into text */
  zOwner = sqlite3_value_type(vOwner) == SQLITE_TEXT ? sqlite3_value_text(vOwner) : 0;
  if (zOwner == 0 || zOwner[0] == 0 ||
      !cfUtf8Valid(zOwner, sqlite3_value_bytes(vOwner))) {
    char zGot[CF_VALUE_DESC_LEN];
    zErr = sqlite3_mprintf("chatflow: conversation_list needs a non-empty text owner, got %s",
                           cfValueDesc(vOwner, zGot));
    goto fail;
  }
  if (vOpts) {
    const char *zOpts = 0;
    rc = cfJsonOptionsText(vOpts, "conversation_list", &zOpts, &zErr);
    if (rc == SQLITE_OK && zOpts) {
      rc = cfJsonOptionsConn(0, p, zOpts, sqlite3_value_bytes(vOpts), "conversation_list", aOpt, 7, &zErr);
    }
    if (rc != SQLITE_OK) goto fail;
  }
  if (aOpt[0].bPresent) {
    if (aOpt[0].iVal < 1 || aOpt[0].iVal > CF_LIST_LIMIT_MAX) {
      zErr = sqlite3_mprintf("chatflow: limit must be from 1 to %d, got %lld", CF_LIST_LIMIT_MAX,
                             aOpt[0].iVal);
      goto fail;
    }
    nLimit = (int)aOpt[0].iVal;
  }
  if (aOpt[1].bPresent) {
    if (cfListParseCursor(aOpt[1].zVal, &bPinned, zTime, &iAfterId)) {
      zErr = sqlite3_mprintf("chatflow: invalid cursor '%q' (use the cursor column of a row)", aOpt[1].zVal);
      goto fail;
    }
    bAfter = 1;
  }
  bDeleted = aOpt[2].bPresent && aOpt[2].iVal;
  if (bDeleted) aArchived[1] = 1; /* the trash shows deleted ones, archived or not */
  if (aOpt[3].bPresent) {
    if (aOpt[3].zVal) {
      if (strcmp(aOpt[3].zVal, "all") != 0) {
        zErr = sqlite3_mprintf("chatflow: archived must be true, false or \"all\", got '%q'", aOpt[3].zVal);
        goto fail;
      }
      aArchived[1] = 1;
    } else if (aOpt[3].iVal) {
      aArchived[0] = 0;
      aArchived[1] = 1;
    } else {
      aArchived[1] = 0;
    }
  }
  if (aOpt[4].bPresent && cfParseTimestamp(aOpt[4].zVal, zSince)) {
    zErr = sqlite3_mprintf("chatflow: invalid timestamp '%q' for updated_since (expected YYYY-MM-DDTHH:MM:SS.sssZ, UTC)",
                           aOpt[4].zVal);
    goto fail;
  }
  /* updated_since bounds each arm's index range; model and agent filter it */
  zFilter = aOpt[4].bPresent ? (aOpt[5].bPresent ? (aOpt[6].bPresent ? " AND updated_at >= ?5 AND model = ?6 AND agent = ?7"
                                                                   : " AND updated_at >= ?5 AND model = ?6")
                                                 : (aOpt[6].bPresent ? " AND updated_at >= ?5 AND agent = ?7"
                                                                   : " AND updated_at >= ?5"))
                             : (aOpt[5].bPresent ? (aOpt[6].bPresent ? " AND model = ?6 AND agent = ?7" : " AND model = ?6")
                                                 : (aOpt[6].bPresent ? " AND agent = ?7" : ""));
  if (cfCheckSchema(p, &zErr)) goto fail;

  /* One arm per (archived class, pinned flag), each an index range in list
  ** order with its own LIMIT (one row more than the page: has_more); the
  ** ORDER BY merges at most 4 of them, the outermost query drops the extra
  ** row and tells every row whether it was there. */
  zSql = sqlite3_mprintf("SELECT " CF_LIST_OUT " FROM (SELECT *, count(*) OVER () AS n FROM (SELECT * FROM (");
  for (int a = 0; a < 2 && zSql; a++) {
    if (!aArchived[a]) continue;
    for (int pin = 1; pin >= 0 && zSql; pin--) {
      const char *zAfter = "";
      if (bAfter) {
        if (pin > bPinned) continue; /* pinned rows come before the cursor's class */
        if (pin == bPinned) zAfter = " AND (updated_at, id) < (?3, ?4)";
      }
      zSql = sqlite3_mprintf(
          "%z%sSELECT * FROM (SELECT " CF_LIST_COLS " FROM chat_conversations"
          " WHERE owner = ?1 AND (deleted_at IS NOT NULL) = %d AND (archived_at IS NOT NULL) = %d"
          " AND (pinned_at IS NOT NULL) = %d%s%s ORDER BY updated_at DESC, id DESC LIMIT ?2 + 1)",
          zSql, nArm ? " UNION ALL " : "", bDeleted, a, pin, zAfter, zFilter);
      nArm++;
    }
  }
  if (zSql) {
    zSql = sqlite3_mprintf("%z) ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2 + 1))"
                           " ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2",
                           zSql);
  }
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto fail;
  }
  if (nArm == 0) {
    /* after a cursor of the last class: nothing further */
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT " CF_LIST_COLS ", 0 AS has_more FROM chat_conversations WHERE 0");
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto fail;
  }
  sqlite3_bind_text(*ppStmt, 1, (const char *)zOwner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(*ppStmt, 2, nLimit);
  if (bAfter) {
    sqlite3_bind_text(*ppStmt, 3, zTime, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(*ppStmt, 4, iAfterId);
  }
  if (aOpt[4].bPresent) sqlite3_bind_text(*ppStmt, 5, zSince, -1, SQLITE_TRANSIENT);
  if (aOpt[5].bPresent) sqlite3_bind_text(*ppStmt, 6, aOpt[5].zVal, -1, SQLITE_TRANSIENT);
  if (aOpt[6].bPresent) sqlite3_bind_text(*ppStmt, 7, aOpt[6].zVal, -1, SQLITE_TRANSIENT);
  goto done;
fail:
  /* An error: its message, or out of memory when there is none. */
  if (zErr == 0 && rc == SQLITE_OK) rc = SQLITE_NOMEM;
done:
  sqlite3_free(zSql);
  cfJsonOptionsFree(aOpt, 7);
  *pzErr = zErr;
  return zErr ? SQLITE_ERROR : rc;
}

static const CfTvfDef cfListDef = {
  "conversation_list",
  "CREATE TABLE x(id INTEGER, uid TEXT, key TEXT, title TEXT, pinned_at TEXT, archived_at TEXT,"
  " deleted_at TEXT, updated_at TEXT, last_message_at TEXT, message_count INTEGER,"
  " last_message_preview TEXT, cursor TEXT, has_more INTEGER, owner HIDDEN, options HIDDEN)",
  13, 2,
  "chatflow: conversation_list needs an owner: conversation_list(owner [, options_json])",
  -1,
  cfListPrepare, 0,
};

/* chatflow_preview(text) -> text: the list preview of a message's content
** (cfPreviewLen: its first 120 characters, never half a grapheme cluster);
** NULL for NULL.  Text that is not valid UTF-8 (raw SQL can store it; the
** functions refuse it) is shown with U+FFFD for each bad byte, so that one
** such row does not fail a whole list.  Deterministic; used by
** conversation_list and export_conversation. */
static void cfPreviewFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const unsigned char *z;
  int n;
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  z = sqlite3_value_text(argv[0]);
  n = sqlite3_value_bytes(argv[0]);
  if (z == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if (!cfUtf8Valid(z, n)) {
    int nFixed = 0;
    char *zFixed = cfUtf8Repair((const char *)z, n, &nFixed);
    if (zFixed == 0) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    sqlite3_result_text(ctx, zFixed, (int)cfPreviewLen(zFixed, (size_t)nFixed), sqlite3_free);
    return;
  }
  sqlite3_result_text(ctx, (const char *)z, (int)cfPreviewLen((const char *)z, (size_t)n),
                      SQLITE_TRANSIENT);
}

int cfRegisterList(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    {"chatflow_preview", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, cfPreviewFunc},
  };
  int rc = cfRegisterFuncs(db, p, aFunc, 1);
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfListDef);
  return rc;
}
