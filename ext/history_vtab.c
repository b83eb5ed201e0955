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
** chat_history_json gives the window as OpenAI chat messages (the same
** array complete_chat sends and export_conversation(id, 'openai') returns),
** always one an OpenAI-compatible server accepts (cfReplay): system and
** user messages as {"role", "content"} (parts only: the text parts, one
** per line), but a user message with a file part OpenAI's chat API takes
** has as content an array of content items in part order
** (cfReplayUserContent): text parts {"type": "text", "text"}, an image by
** http(s) URL or base64 data URL {"type": "image_url", "image_url":
** {"url"}}, a PDF by base64 data URL {"type": "file", "file": {"filename",
** "file_data"}}, and OpenAI's own image_url and input_audio items stored
** as parts (cfReplayOpenAiItem); an assistant message as one {"role": "assistant",
** "content", "tool_calls"?} per step (parts between "step-start" parts),
** each call {"id", "type": "function", "function": {"name", "arguments"}}
** with arguments as a string, followed at once by its result {"role":
** "tool", "content", "tool_call_id"} — the tool message that answers it
** (the nearest call before it with that id), moved up when other messages
** came between, or an AI SDK tool part's own output, errorText or denial;
** a steering-message part as a user message after its step.  A call
** without a result in the window, a result without a call, reasoning,
** source and data parts, and file parts other than a user's images and
** PDFs are not sent.  Stored parts are parsed with json-c (numbers beyond
** 64 bits lose precision in tool arguments and outputs given as JSON
** values).
**
** The window is taken from the conversation's current branch, root to
** current leaf (message trees, CfBranch): every system message of it is
** kept and its tokens are spent first; then the newest other messages (of
** run_id only, when given) are taken newest-first while their tokens still
** fit the rest of the budget, stopping at the first one that does not, a
** tool call and its results as one unit (cfHistoryWalk).  Rows come oldest
** first (by seq).  A NULL max_tokens means no budget.  For a conversation
** that never branched the walk reads the (conversation_id, seq) index
** backwards and stops at the budget, so the cost follows the window, not
** the conversation's length — except for a tool message that answers no
** call (raw SQL only: add_message refuses one), for which the walk looks
** back through the conversation once.  Once it branched, the branch is
** read up from the leaf down to where the budget ends or to the oldest
** system message (CfBranch).  Only complete messages are in a window: a
** draft that streams or was aborted (docs/drafts.md) is passed over, the
** branch still read through it.
**
** One file past 600 lines because the window is one concept: which
** messages it holds (the walk, on a chain or up a branch) and how they are
** replayed as OpenAI messages.
**
** Columns: id, seq, role, type, content, parts, attachments, metadata,
** tokens, run_id, workflow_step, created_at; arguments are the hidden
** columns conversation_id, max_tokens, in_run.
**
** Errors: a missing, NULL or non-integer conversation id, a negative or
** non-integer max_tokens, a run_id that is not a positive integer, each
** named with what it got (cfValueDescInt: "chatflow: max_tokens must be a
** non-negative integer or NULL, got -1", "... got text '10'"), an unknown
** conversation, a run of another conversation; chat_history_json:
** "chatflow: chat_history_json cannot read the parts of message seq N"
** (parts json-c cannot parse).  chat_history is SQLITE_VTAB_INNOCUOUS and
** chat_history_json SQLITE_INNOCUOUS: they only read.
*/
#include "chatflow_int.h"

#include <json-c/json.h>
#include <string.h>

#define CF_HISTORY_COLS \
  "id, seq, role, type, content, parts, attachments, metadata, tokens, run_id, workflow_step, created_at"


/* The ids of the tool results a walk still owes a call to. */
typedef struct CfAwait {
  int n, nAlloc;
  char **az;
} CfAwait;

static int cfAwaitAdd(CfAwait *a, const char *z) {
  if (a->n == a->nAlloc) {
    int nNew = a->nAlloc ? a->nAlloc * 2 : 8;
    char **azNew = sqlite3_realloc64(a->az, sizeof(char *) * (sqlite3_uint64)nNew);
    if (azNew == 0) return SQLITE_NOMEM;
    a->az = azNew;
    a->nAlloc = nNew;
  }
  a->az[a->n] = sqlite3_mprintf("%s", z);
  if (a->az[a->n] == 0) return SQLITE_NOMEM;
  a->n++;
  return SQLITE_OK;
}

static void cfAwaitRemove(CfAwait *a, const char *z) {
  for (int i = 0; i < a->n; i++) {
    if (strcmp(a->az[i], z) == 0) {
      sqlite3_free(a->az[i]);
      a->az[i--] = a->az[--a->n];
    }
  }
}

static void cfAwaitFree(CfAwait *a) {
  for (int i = 0; i < a->n; i++) sqlite3_free(a->az[i]);
  sqlite3_free(a->az);
}

/* What the walk reads of a message: seq, tokens, role, a tool message's
** call id, an assistant message's call ids (a JSON array): every id that
** CF_SQL_PART_CALLS matches — the "tool-call" parts' ids and every
** toolCallId — so that a result whose call the walk found (with
** CF_SQL_PART_CALLS) always closes its unit there; a result the replay
** cannot place (a "tool-result" part's toolCallId) is then left out by the
** replay, not the whole older window by the walk. */
#define CF_SQL_WALK_COLS \
  "seq, coalesce(tokens, 0), role," \
  " CASE WHEN role = 'tool' THEN json_extract(metadata, '$.tool_call_id') END," \
  " CASE WHEN role = 'assistant' AND parts IS NOT NULL THEN" \
  "  (SELECT json_group_array(v) FROM" \
  "    (SELECT CASE WHEN type = 'object' THEN json_extract(value, '$.id') END AS v FROM json_each(parts)" \
  "      WHERE CASE WHEN type = 'object' THEN json_extract(value, '$.type') = 'tool-call'" \
  "                                        AND json_type(value, '$.id') = 'text' END" \
  "     UNION ALL" \
  "     SELECT CASE WHEN type = 'object' THEN json_extract(value, '$.toolCallId') END FROM json_each(parts)" \
  "      WHERE CASE WHEN type = 'object' THEN json_type(value, '$.toolCallId') = 'text' END)) END"

/* One message of a branch, as the walk reads it (CF_SQL_WALK_COLS). */
typedef struct CfWalkRow {
  sqlite3_int64 iId, iSeq, nTokens, iRun;
  char cRole;       /* 's', 'u', 'a', 't' */
  char *zCallId;    /* sqlite3_malloc'd, or 0 */
  char *zPartIds;   /* sqlite3_malloc'd, or 0 */
  int bSkip;        /* not complete (a draft streaming or aborted): out of every window */
} CfWalkRow;

/* Which messages a history reads: those of the conversation's current
** branch, root to leaf.  A conversation that never branched is one chain:
** its messages up to the leaf's seq, read through the (conversation_id,
** seq) index as in 0.1 (?9 is the leaf's seq in the statements).  One
** that branched: the leaf's ancestors, read by following parent_id up from
** the leaf, one primary-key lookup each (cfBranchCollect), and walked in
** memory; the window is then the JSON array of its ids (?9).  The way up
** stops as soon as nothing older can be in the window: the messages it
** passed hold more tokens than the whole budget, and no system message is
** older than where it stands (the partial index chat_messages_system tells
** the oldest).  So a window costs what the window holds, plus the way up
** to the oldest system message of the conversation, whatever the other
** branches hold.  ?1 is the conversation in every statement. */
typedef struct CfBranch {
  int bBranched;
  sqlite3_int64 iLeaf;  /* the leaf's seq (chain) or id (branched); 0 without messages */
  int nRow, nAlloc;     /* branched: the messages read, leaf first */
  CfWalkRow *aRow;
  char *zIds;           /* branched: the window's ids, a JSON array (bound as ?9) */
  int bCut;             /* branched: the way up stopped before the first message */
} CfBranch;

static void cfBranchClear(CfBranch *pB) {
  for (int i = 0; i < pB->nRow; i++) {
    sqlite3_free(pB->aRow[i].zCallId);
    sqlite3_free(pB->aRow[i].zPartIds);
  }
  sqlite3_free(pB->aRow);
  sqlite3_free(pB->zIds);
  pB->aRow = 0;
  pB->nRow = pB->nAlloc = 0;
  pB->zIds = 0;
  pB->bCut = 0;
}

/* A text column copied, or 0 for NULL; *pRc = SQLITE_NOMEM when out of memory. */
static char *cfColumnDup(sqlite3_stmt *pStmt, int i, int *pRc) {
  const char *z;
  char *zCopy;
  if (sqlite3_column_type(pStmt, i) == SQLITE_NULL) return 0;
  z = (const char *)sqlite3_column_text(pStmt, i);
  zCopy = z ? sqlite3_mprintf("%s", z) : 0;
  if (zCopy == 0) *pRc = SQLITE_NOMEM;
  return zCopy;
}

/* Reads the branch of a branched conversation up from the leaf (see
** CfBranch) until nStop tokens of non-system messages are passed (nStop <
** 0: to the first message) and no system message is older (iMinSys: the
** seq of the conversation's oldest one, 0 for none).  With a run (iRun),
** only that run's messages count: the others are in no window. */
static int cfBranchCollect(CfConn *p, sqlite3_int64 iConv, sqlite3_int64 iRun, CfBranch *pB,
                           sqlite3_int64 nStop, sqlite3_int64 iMinSys, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iNext = pB->iLeaf, nPassed = 0;
  int rc;
  cfBranchClear(pB);
  rc = cfStmt(p, CF_STMT_HISTORY_UP,
              "SELECT " CF_SQL_WALK_COLS ", coalesce(parent_id, 0), run_id, status <> 'complete' FROM chat_messages"
              " WHERE id = ?1 AND conversation_id = ?2",
              &pStmt);
  while (rc == SQLITE_OK && iNext > 0) {
    CfWalkRow *r;
    const char *zRole;
    if (pB->nRow == pB->nAlloc) {
      int nNew = pB->nAlloc ? pB->nAlloc * 2 : 64;
      CfWalkRow *aNew = sqlite3_realloc64(pB->aRow, sizeof(CfWalkRow) * (sqlite3_uint64)nNew);
      if (aNew == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      pB->aRow = aNew;
      pB->nAlloc = nNew;
    }
    sqlite3_bind_int64(pStmt, 1, iNext);
    sqlite3_bind_int64(pStmt, 2, iConv);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW && pB->nRow > 0 && sqlite3_column_int64(pStmt, 0) >= pB->aRow[pB->nRow - 1].iSeq) {
      rc = SQLITE_DONE; /* a parent's seq is always smaller: anything else is no tree */
    }
    if (rc == SQLITE_DONE) {
      /* (raw writes with the schema's triggers dropped: chatflow_check finds it) */
      *pzErr = sqlite3_mprintf("chatflow: the current branch of conversation %lld is broken at message %lld"
                               " (see chatflow_check())", iConv, iNext);
      rc = *pzErr ? SQLITE_CORRUPT : SQLITE_NOMEM;
      sqlite3_reset(pStmt);
      break;
    }
    if (rc != SQLITE_ROW) break;
    rc = SQLITE_OK;
    r = &pB->aRow[pB->nRow++];
    memset(r, 0, sizeof(*r));
    r->iId = iNext;
    r->iSeq = sqlite3_column_int64(pStmt, 0);
    r->nTokens = sqlite3_column_int64(pStmt, 1);
    zRole = (const char *)sqlite3_column_text(pStmt, 2);
    r->cRole = zRole ? zRole[0] : 0;
    if (zRole == 0) rc = SQLITE_NOMEM;
    r->zCallId = cfColumnDup(pStmt, 3, &rc);
    r->zPartIds = cfColumnDup(pStmt, 4, &rc);
    iNext = sqlite3_column_int64(pStmt, 5);
    r->iRun = sqlite3_column_int64(pStmt, 6);
    r->bSkip = sqlite3_column_int(pStmt, 7);
    sqlite3_reset(pStmt);
    /* only what the window may hold counts: with run_id, that run's messages */
    if (r->cRole != 's' && !r->bSkip && (iRun == 0 || r->iRun == iRun)) nPassed += r->nTokens;
    if (nStop >= 0 && nPassed > nStop && (iMinSys == 0 || r->iSeq <= iMinSys)) {
      pB->bCut = iNext > 0;
      break;
    }
  }
  cfStmtDone(p, pStmt);
  return rc;
}

/* The walk's answer when a tool result's call was not found in a branch
** read only in part: read the whole branch and walk again. */
#define CF_HISTORY_AGAIN (-1)

/* The walk (cfHistoryWalk) as it goes, newest message first. */
typedef struct CfWalk {
  CfConn *p;
  const CfBranch *pB;
  sqlite3_int64 iConv, iRun, nBudget, nUsed, nUnit;
  sqlite3_int64 iMinSeq;  /* the window's first seq so far */
  sqlite3_stmt *pCall;    /* does a call with this id come before (prepared when first needed) */
  CfAwait await;          /* the results whose call is still ahead */
} CfWalk;

/* Whether a call zCallId comes before row iRow of a branch read in part
** or whole: the assistant rows above it (of the run, when given) looked at
** one by one, nearest first (the call is most often just before). */
static int cfBranchCallBefore(CfWalk *w, int iRow, const char *zCallId, int *pbFound) {
  int rc = SQLITE_OK;
  *pbFound = 0;
  for (int i = iRow + 1; rc == SQLITE_OK && !*pbFound && i < w->pB->nRow; i++) {
    const CfWalkRow *r = &w->pB->aRow[i];
    if (r->cRole != 'a' || r->bSkip || r->zPartIds == 0 || (w->iRun && r->iRun != w->iRun)) continue;
    if (w->pCall == 0) {
      rc = cfStmt(w->p, CF_STMT_HISTORY_CALL_BRANCH,
                  "SELECT 1 FROM chat_messages AS m, json_each(m.parts) AS j"
                  " WHERE m.id = ?1 AND " CF_SQL_PART_CALLS("?2"),
                  &w->pCall);
      if (rc != SQLITE_OK) break;
    }
    sqlite3_bind_int64(w->pCall, 1, r->iId);
    sqlite3_bind_text(w->pCall, 2, zCallId, -1, SQLITE_STATIC);
    rc = sqlite3_step(w->pCall);
    sqlite3_reset(w->pCall);
    if (rc == SQLITE_ROW) *pbFound = 1;
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  return rc;
}

/* One message of the walk (row iRow of a branch, -1 on a chain):
** SQLITE_OK to go on, SQLITE_DONE when it no longer fits,
** CF_HISTORY_AGAIN, or an error. */
static int cfWalkOne(CfWalk *w, int iRow, sqlite3_int64 iSeq, sqlite3_int64 nTokens, char cRole,
                     const char *zCallId, const char *zPartIds) {
  int rc = SQLITE_OK;
  w->nUnit += nTokens;
  if (cRole == 't' && zCallId && iRow >= 0) {
    int bFound = 0;
    rc = cfBranchCallBefore(w, iRow, zCallId, &bFound);
    if (rc != SQLITE_OK) return rc;
    if (bFound) {
      rc = cfAwaitAdd(&w->await, zCallId);
    } else if (w->pB->bCut) {
      rc = CF_HISTORY_AGAIN; /* the call may be older than the part of the branch read */
    }
    if (rc != SQLITE_OK) return rc;
  } else if (cRole == 't' && zCallId) {
    if (w->pCall == 0) {
      rc = cfStmt(w->p, CF_STMT_HISTORY_CALL_CHAIN,
                  "SELECT 1 FROM chat_messages AS m, json_each(m.parts) AS j"
                  " WHERE m.conversation_id = ?1 AND m.seq < ?3 AND m.role = 'assistant'"
                  "   AND m.status = 'complete'"
                  "   AND (?4 = 0 OR m.run_id = ?4)"
                  "   AND m.parts IS NOT NULL"
                  "   AND " CF_SQL_PART_CALLS("?2")
                  " ORDER BY m.seq DESC LIMIT 1",
                  &w->pCall);
      if (rc != SQLITE_OK) return rc;
    }
    sqlite3_bind_int64(w->pCall, 1, w->iConv);
    sqlite3_bind_text(w->pCall, 2, zCallId, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(w->pCall, 3, iSeq);
    sqlite3_bind_int64(w->pCall, 4, w->iRun);
    rc = sqlite3_step(w->pCall);
    sqlite3_reset(w->pCall);
    if (rc == SQLITE_ROW) rc = cfAwaitAdd(&w->await, zCallId);
    else if (rc == SQLITE_DONE) rc = SQLITE_OK; /* no call: the result stands alone */
    if (rc != SQLITE_OK) return rc;
  } else if (w->await.n && zPartIds) {
    sqlite3_stmt *pIds = 0;
    rc = cfStmt(w->p, CF_STMT_HISTORY_PART_IDS, "SELECT value FROM json_each(?1) WHERE type = 'text'", &pIds);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pIds, 1, zPartIds, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step(pIds)) == SQLITE_ROW) {
        const char *zId = (const char *)sqlite3_column_text(pIds, 0);
        if (zId) cfAwaitRemove(&w->await, zId);
      }
      rc = rc == SQLITE_DONE ? SQLITE_OK : sqlite3_extended_errcode(w->p->db);
      cfStmtDone(w->p, pIds);
    }
    if (rc != SQLITE_OK) return rc;
  }
  if (w->await.n == 0) {
    if (w->nUsed + w->nUnit > w->nBudget) return SQLITE_DONE;
    w->nUsed += w->nUnit;
    w->nUnit = 0;
    w->iMinSeq = iSeq;
  }
  return SQLITE_OK;
}

/* The window's first seq: the newest messages that fit nBudget, taken
** newest-first.  A tool call and its results are one unit, both in or
** both out: a tool message whose call (an earlier assistant message's
** "tool-call" part with that id, or AI SDK tool part with that toolCallId)
** exists makes the walk hold the tokens of everything from it back to the
** call and decide for all of them at the call.  A tool message that
** answers no call stands alone (the replay leaves it out).  A chain reads
** its messages through the (conversation_id, seq) index, a branch walks
** the rows cfBranchCollect read. */
static int cfHistoryWalk(CfConn *p, sqlite3_int64 iConv, sqlite3_int64 iRun, sqlite3_int64 nBudget,
                         const CfBranch *pB, sqlite3_int64 *piMinSeq, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  CfWalk w;
  int rc = SQLITE_OK;
  memset(&w, 0, sizeof(w));
  w.p = p;
  w.pB = pB;
  w.iConv = iConv;
  w.iRun = iRun;
  w.nBudget = nBudget;
  w.iMinSeq = (sqlite3_int64)1 << 62; /* none fits yet */
  if (nBudget < 0) {
    *piMinSeq = w.iMinSeq;
    return SQLITE_OK;
  }
  if (pB->bBranched) {
    for (int i = 0; rc == SQLITE_OK && i < pB->nRow; i++) {
      const CfWalkRow *r = &pB->aRow[i];
      if (r->cRole == 's' || r->bSkip || (iRun && r->iRun != iRun)) continue;
      rc = cfWalkOne(&w, i, r->iSeq, r->nTokens, r->cRole, r->zCallId, r->zPartIds);
    }
  } else {
    rc = cfStmt(p, CF_STMT_HISTORY_WALK,
                "SELECT " CF_SQL_WALK_COLS " FROM chat_messages"
                " WHERE conversation_id = ?1 AND seq <= ?9 AND role <> 'system'"
                "   AND status = 'complete' AND (?2 = 0 OR run_id = ?2)"
                " ORDER BY seq DESC",
                &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_int64(pStmt, 2, iRun);
      sqlite3_bind_int64(pStmt, 9, pB->iLeaf);
    }
    while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      const char *zRole = (const char *)sqlite3_column_text(pStmt, 2);
      const char *zCallId = (const char *)sqlite3_column_text(pStmt, 3);
      const char *zPartIds = (const char *)sqlite3_column_text(pStmt, 4);
      if (zRole == 0 || (zCallId == 0 && sqlite3_column_type(pStmt, 3) != SQLITE_NULL) ||
          (zPartIds == 0 && sqlite3_column_type(pStmt, 4) != SQLITE_NULL)) {
        rc = SQLITE_NOMEM;
        break;
      }
      rc = cfWalkOne(&w, -1, sqlite3_column_int64(pStmt, 0), sqlite3_column_int64(pStmt, 1), zRole[0],
                     zCallId, zPartIds);
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && rc != CF_HISTORY_AGAIN) *pzErr = cfDbError(p->db, rc);
  *piMinSeq = w.iMinSeq;
  cfStmtDone(p, pStmt);
  cfStmtDone(p, w.pCall);
  cfAwaitFree(&w.await);
  return rc;
}

/* Checks the arguments and the ids, walks the budget, and prepares the
** window query selecting zCols (which must end with seq's position kept by
** ORDER BY seq).  On error returns non-zero with *pzErr set. */
int cfHistoryWindow(CfConn *p, sqlite3_value *vConv, sqlite3_value *vMax, sqlite3_value *vRun,
                    const char *zCols, int bCached, sqlite3_stmt **ppStmt, char **pzErr) {
  sqlite3_int64 iConv = 0, iRun = 0, nBudget = 0, iMinSeq = 1, iMinSys = 0;
  CfBranch branch;
  sqlite3_stmt *pConv = 0;
  sqlite3_stmt *pStmt = 0;
  char *zSql = 0;
  char zGot[CF_VALUE_DESC_LEN];
  int bBudget = 0;
  int rc;
  memset(&branch, 0, sizeof(branch));
  *ppStmt = 0;
  if (vConv == 0 || !cfValueInteger(vConv, &iConv) || iConv <= 0) {
    *pzErr = sqlite3_mprintf("chatflow: chat_history needs a positive integer conversation id, got %s",
                             vConv ? cfValueDescInt(vConv, zGot) : "none");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (vMax && sqlite3_value_type(vMax) != SQLITE_NULL) {
    bBudget = 1;
    if (!cfValueInteger(vMax, &nBudget) || nBudget < 0) {
      *pzErr = sqlite3_mprintf("chatflow: max_tokens must be a non-negative integer or NULL, got %s",
                               cfValueDescInt(vMax, zGot));
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  if (vRun && sqlite3_value_type(vRun) != SQLITE_NULL) {
    if (!cfValueInteger(vRun, &iRun) || iRun <= 0) {
      *pzErr = sqlite3_mprintf("chatflow: run_id must be a positive integer id or NULL, got %s",
                               cfValueDescInt(vRun, zGot));
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  rc = cfCheckSchema(p, pzErr);
  if (rc != SQLITE_OK) return cfKeepCode(rc) ? rc : SQLITE_ERROR;

  /* The conversation exists; the run is one of its; the branch.  The
  ** statement is not reset until the window is prepared: what follows reads
  ** one snapshot, in one read transaction (chat_history_json, a scalar
  ** function, holds none of its own). */
  rc = cfStmt(p, CF_STMT_HISTORY_CONV,
              "SELECT (SELECT conversation_id FROM workflow_runs WHERE id = ?2),"
              " branched, CASE WHEN branched THEN coalesce(current_leaf_id, 0)"
              "  ELSE coalesce((SELECT seq FROM chat_messages WHERE id = current_leaf_id), 0) END,"
              " CASE WHEN branched THEN coalesce((SELECT min(seq) FROM chat_messages"
              "   WHERE conversation_id = ?1 AND role = 'system'), 0) END"
              " FROM chat_conversations WHERE id = ?1",
              &pConv);
  if (rc != SQLITE_OK) goto db_error;
  sqlite3_bind_int64(pConv, 1, iConv);
  sqlite3_bind_int64(pConv, 2, iRun);
  rc = sqlite3_step(pConv);
  if (rc == SQLITE_DONE) {
    *pzErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
    rc = SQLITE_ERROR;
    goto done;
  }
  if (rc != SQLITE_ROW) goto db_error;
  if (iRun && sqlite3_column_int64(pConv, 0) != iConv) {
    if (sqlite3_column_type(pConv, 0) == SQLITE_NULL) {
      *pzErr = sqlite3_mprintf("chatflow: unknown run %lld", iRun);
    } else {
      *pzErr = sqlite3_mprintf("chatflow: run %lld belongs to conversation %lld, not %lld", iRun,
                               sqlite3_column_int64(pConv, 0), iConv);
    }
    rc = SQLITE_ERROR;
    goto done;
  }
  branch.bBranched = sqlite3_column_int(pConv, 1);
  branch.iLeaf = sqlite3_column_int64(pConv, 2);
  iMinSys = sqlite3_column_int64(pConv, 3);
  rc = SQLITE_OK;

  if (branch.bBranched) {
    /* Read the branch, walk it in memory, and list the window's ids. */
    sqlite3_str *pIds;
    const char *zSep = "";
    rc = cfBranchCollect(p, iConv, iRun, &branch, bBudget ? nBudget : -1, iMinSys, pzErr);
    while (rc == SQLITE_OK && bBudget) {
      sqlite3_int64 nLeft = nBudget;
      for (int i = 0; i < branch.nRow; i++) {
        if (branch.aRow[i].cRole == 's' && !branch.aRow[i].bSkip) {
          nLeft -= branch.aRow[i].nTokens; /* system messages come first */
        }
      }
      rc = cfHistoryWalk(p, iConv, iRun, nLeft, &branch, &iMinSeq, pzErr);
      if (rc != CF_HISTORY_AGAIN) break;
      rc = cfBranchCollect(p, iConv, iRun, &branch, -1, iMinSys, pzErr); /* the whole branch, once */
    }
    if (rc != SQLITE_OK) {
      if (*pzErr) goto done;
      goto db_error;
    }
    pIds = sqlite3_str_new(p->db);
    sqlite3_str_appendchar(pIds, 1, '[');
    for (int i = 0; i < branch.nRow; i++) {
      const CfWalkRow *r = &branch.aRow[i];
      if (r->bSkip) continue; /* a draft: in no window */
      if (r->cRole == 's' || (r->iSeq >= iMinSeq && (iRun == 0 || r->iRun == iRun))) {
        sqlite3_str_appendf(pIds, "%s%lld", zSep, r->iId);
        zSep = ",";
      }
    }
    sqlite3_str_appendchar(pIds, 1, ']');
    sqlite3_free(branch.zIds);
    branch.zIds = sqlite3_str_finish(pIds);
    if (branch.zIds == 0) {
      rc = SQLITE_NOMEM;
      goto db_error;
    }
    zSql = sqlite3_mprintf("SELECT %s FROM chat_messages WHERE id IN (SELECT value FROM json_each(?9))"
                           " ORDER BY seq",
                           zCols);
  } else {
    if (bBudget) {
      sqlite3_int64 nLeft = nBudget;
      rc = cfStmt(p, CF_STMT_HISTORY_SYSTEM,
                  "SELECT coalesce(sum(tokens), 0) FROM chat_messages"
                  " WHERE conversation_id = ?1 AND seq <= ?9 AND role = 'system'"
                  "   AND status = 'complete'",
                  &pStmt);
      if (rc != SQLITE_OK) goto db_error;
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_int64(pStmt, 9, branch.iLeaf);
      rc = sqlite3_step(pStmt);
      if (rc != SQLITE_ROW) goto db_error;
      nLeft -= sqlite3_column_int64(pStmt, 0); /* system messages come first */
      cfStmtDone(p, pStmt);
      pStmt = 0;
      /* Walk newest-first while the messages fit, a tool call and its
      ** results as one unit (see cfHistoryWalk). */
      rc = cfHistoryWalk(p, iConv, iRun, nLeft, &branch, &iMinSeq, pzErr);
      if (rc != SQLITE_OK) goto done;
    }
    zSql = sqlite3_mprintf(
        "SELECT %s FROM chat_messages"
        " WHERE conversation_id = ?1 AND seq <= ?9 AND seq >= ?2 AND role <> 'system'"
        "   AND status = 'complete'%s"
        " UNION ALL"
        " SELECT %s FROM chat_messages WHERE conversation_id = ?1 AND seq <= ?9 AND role = 'system'"
        "   AND status = 'complete'"
        " ORDER BY seq",
        zCols, iRun ? " AND run_id = ?3" : "", zCols);
  }
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto db_error;
  }
  rc = bCached ? cfStmtText(p, zSql, &pStmt) : sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) goto db_error;
  if (branch.bBranched) {
    /* the statement's own copy: it outlives branch */
    sqlite3_bind_text(pStmt, 9, branch.zIds, -1, sqlite3_free);
    branch.zIds = 0;
  } else {
    sqlite3_bind_int64(pStmt, 1, iConv);
    sqlite3_bind_int64(pStmt, 2, iMinSeq);
    if (iRun) sqlite3_bind_int64(pStmt, 3, iRun);
    sqlite3_bind_int64(pStmt, 9, branch.iLeaf);
  }
  *ppStmt = pStmt;
  pStmt = 0;
  goto done;

db_error:
  *pzErr = cfDbError(p->db, rc);
  if (rc == SQLITE_OK) rc = SQLITE_ERROR;
done:
  cfStmtDone(p, pStmt); /* the window's own statement is private: it outlives this call */
  cfStmtDone(p, pConv);
  cfBranchClear(&branch);
  return rc;
}

/* ------------------------------------------------------ chat_history_json */

/* The window's rows for the replay: what cfReplay reads. */
#define CF_HISTORY_JSON_COLS \
  "role, content, parts, CASE WHEN role = 'tool' THEN json_extract(metadata, '$.tool_call_id') END, seq"

/* One row of the window, as the replay reads it. */
typedef struct CfReplayRow {
  char cRole;                /* 's', 'u', 'a', 't' */
  char *zContent;            /* sqlite3_malloc'd */
  char *zCallId;             /* a tool message's tool_call_id, or 0 */
  struct json_object *pParts; /* parsed parts, or 0 */
  int bUsed;                 /* a tool message already placed after its call */
} CfReplayRow;

/* The approval of a tool part when it was denied ({"approval": {"approved":
** false, ...}}), else 0. */
static struct json_object *cfPartDenial(struct json_object *pPart) {
  struct json_object *pApproval = 0, *pApproved = 0;
  if (!json_object_object_get_ex(pPart, "approval", &pApproval) ||
      !json_object_is_type(pApproval, json_type_object) ||
      !json_object_object_get_ex(pApproval, "approved", &pApproved) ||
      !json_object_is_type(pApproved, json_type_boolean) || json_object_get_boolean(pApproved)) {
    return 0;
  }
  return pApproval;
}

/* A tool part's result state: 1 for output-available, output-error and
** output-denied (the part carries its result) and for approval-responded
** with the approval denied (the AI SDK's convertToModelMessages sends that
** call with an execution-denied result), 0 otherwise. */
static int cfPartAnswered(struct json_object *pPart) {
  struct json_object *pState = 0;
  const char *z;
  if (!json_object_object_get_ex(pPart, "state", &pState)) return 0;
  z = json_object_get_string(pState);
  if (z && strcmp(z, "approval-responded") == 0) return cfPartDenial(pPart) != 0;
  return cfToolStateHasResult(z);
}

static const char *cfPartString(struct json_object *pPart, const char *zKey) {
  struct json_object *pVal = 0;
  if (!json_object_object_get_ex(pPart, zKey, &pVal) || !json_object_is_type(pVal, json_type_string)) return 0;
  return json_object_get_string(pVal);
}

/* A JSON value as OpenAI wants it in a string field: a string as it is,
** anything else as its JSON text. */
static struct json_object *cfAsJsonString(struct json_object *pVal, const char *zNull) {
  if (pVal == 0) return json_object_new_string(zNull);
  if (json_object_is_type(pVal, json_type_string)) return json_object_get(pVal);
  return json_object_new_string(json_object_to_json_string_ext(pVal, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

/* The id of a part that is a tool call, or 0: chatflow's "tool-call"
** (id), an AI SDK tool part (toolCallId).  Also chat_ui_messages' (ui.c). */
const char *cfPartCallId(struct json_object *pPart) {
  const char *zType = cfPartString(pPart, "type");
  const char *zId = cfPartString(pPart, "toolCallId");
  int bAmbiguous = zType && (strcmp(zType, "tool-call") == 0 || strcmp(zType, "tool-result") == 0);
  if (zId && bAmbiguous && cfPartString(pPart, "state") == 0) zId = 0; /* not an AI SDK part */
  if (zId == 0 && zType && strcmp(zType, "tool-call") == 0) zId = cfPartString(pPart, "id");
  return zId;
}

/* True when the parts pParts (a json-c array, or 0) hold a tool call whose
** id is zId (cfPartCallId).  Also chat_ui_messages' (ui.c). */
int cfPartsCall(struct json_object *pParts, const char *zId) {
  size_t nPart = pParts ? json_object_array_length(pParts) : 0;
  for (size_t k = 0; k < nPart; k++) {
    const char *z = cfPartCallId(json_object_array_get_idx(pParts, k));
    if (z && strcmp(z, zId) == 0) return 1;
  }
  return 0;
}

/* True when row r is an assistant message with a call whose id is zId. */
static int cfRowCalls(CfReplayRow *r, const char *zId) { return r->cRole == 'a' && cfPartsCall(r->pParts, zId); }

/* The tool message of the window that answers the call zId of row iCall
** (not yet placed), or -1.  A result answers the nearest call before it
** with its id: one after a later call with the same id is that call's. */
static int cfReplayAnswer(CfReplayRow *a, int n, int iCall, const char *zId) {
  for (int i = iCall + 1; i < n; i++) {
    if (a[i].cRole == 'a' && cfRowCalls(&a[i], zId)) return -1;
    if (a[i].cRole == 't' && !a[i].bUsed && a[i].zCallId && strcmp(a[i].zCallId, zId) == 0) return i;
  }
  return -1;
}

/* The text a message is sent with: its content zContent, or — stored with
** parts only (content '') — the text of the "text" parts of pParts (a
** json-c array, or 0), one per line.  A new sqlite3_malloc'd string; 0 and
** *pbOom set when out of memory.  Also chat_ui_messages' (a tool result's
** output). */
char *cfMessageText(const char *zContent, struct json_object *pParts, int *pbOom) {
  sqlite3_str *pText;
  char *zText;
  int nText = 0;
  if ((zContent && zContent[0]) || pParts == 0) {
    zText = sqlite3_mprintf("%s", zContent ? zContent : "");
    if (zText == 0) *pbOom = 1;
    return zText;
  }
  pText = sqlite3_str_new(0);
  for (size_t k = 0; k < json_object_array_length(pParts); k++) {
    struct json_object *pPart = json_object_array_get_idx(pParts, k);
    const char *zType = cfPartString(pPart, "type"), *zT = cfPartString(pPart, "text");
    if (zType && strcmp(zType, "text") == 0 && zT) {
      if (nText++) sqlite3_str_appendchar(pText, 1, '\n');
      sqlite3_str_appendall(pText, zT);
    }
  }
  if (sqlite3_str_errcode(pText)) *pbOom = 1;
  zText = sqlite3_str_finish(pText);
  if (zText == 0 && !*pbOom) zText = sqlite3_mprintf("%s", "");
  if (zText == 0) *pbOom = 1;
  return zText;
}

/* Appends one message {"role", "content"[, "tool_calls"]} to pOut, its
** content pContent (owned: a string, or a user message's array). */
static void cfReplayAddContent(struct json_object *pOut, const char *zRole,
                               struct json_object *pContent, struct json_object *pCalls) {
  struct json_object *pMsg = json_object_new_object();
  json_object_object_add(pMsg, "role", json_object_new_string(zRole));
  json_object_object_add(pMsg, "content", pContent);
  if (pCalls) json_object_object_add(pMsg, "tool_calls", pCalls);
  json_object_array_add(pOut, pMsg);
}

/* Appends one message {"role", "content": zText[, "tool_calls"]} to pOut. */
static void cfReplayAdd(struct json_object *pOut, const char *zRole, const char *zText,
                        struct json_object *pCalls) {
  cfReplayAddContent(pOut, zRole, json_object_new_string(zText ? zText : ""), pCalls);
}

/* True when zUrl is a base64 data URL ("data:<type>[;param...];base64,<data>",
** case-insensitive) whose media type is zType, or, when zType ends with
** '/', begins with it ("image/": any image). */
static int cfDataUrlIs(const char *zUrl, const char *zType) {
  const char *zComma = strchr(zUrl, ',');
  const char *zSemi;
  size_t nType = strlen(zType), nHave;
  if (zComma == 0 || sqlite3_strnicmp(zUrl, "data:", 5) != 0) return 0;
  zSemi = memchr(zUrl + 5, ';', (size_t)(zComma - zUrl - 5));
  if (zSemi == 0) return 0;
  nHave = (size_t)(zSemi - zUrl - 5);
  if (zType[nType - 1] == '/' ? nHave <= nType : nHave != nType) return 0;
  if (sqlite3_strnicmp(zUrl + 5, zType, (int)nType) != 0) return 0;
  return zComma - zSemi >= 7 && sqlite3_strnicmp(zComma - 7, ";base64", 7) == 0;
}

/* An OpenAI content item {"type": zType, zType: {zKey1: zVal1, zKey2:
** zVal2}}, the second member left out when zVal2 is 0: {"type":
** "image_url", "image_url": {"url"}}, {"type": "file", "file":
** {"filename", "file_data"}}. */
static struct json_object *cfContentItem(const char *zType, const char *zKey1, const char *zVal1,
                                         const char *zKey2, const char *zVal2) {
  struct json_object *pInner = json_object_new_object(), *pItem = json_object_new_object();
  json_object_object_add(pInner, zKey1, json_object_new_string(zVal1));
  if (zVal2) json_object_object_add(pInner, zKey2, json_object_new_string(zVal2));
  json_object_object_add(pItem, "type", json_object_new_string(zType));
  json_object_object_add(pItem, zType, pInner);
  return pItem;
}

/* True when OpenAI's chat API takes zUrl as an image's url: an http(s)
** URL or a base64 image data URL (schemes compared without case). */
static int cfImageUrlOk(const char *zUrl) {
  return sqlite3_strnicmp(zUrl, "https://", 8) == 0 || sqlite3_strnicmp(zUrl, "http://", 7) == 0 ||
         cfDataUrlIs(zUrl, "image/");
}

/* The OpenAI content item of the file part pPart of a user message, item
** iItem of its content array, or 0 when OpenAI's chat API would not take
** it (then it is not sent):
**   an image (mediaType "image" or "image/..."), url http(s) or a base64
**     image data URL: {"type": "image_url", "image_url": {"url"}}, the url
**     as stored;
**   a PDF (mediaType "application/pdf"), url a base64 PDF data URL:
**     {"type": "file", "file": {"filename", "file_data"}}, filename the
**     part's, else "part-<iItem>.pdf" (as the AI SDK's OpenAI provider
**     names it), file_data the url as stored.
** Not sent: other media types, a PDF by URL (chat completions takes a PDF
** only as data; the AI SDK downloads it first, a replay reads no network),
** a part whose mediaType or url is not a string.  Media types and URL
** schemes compare case-insensitively. */
static struct json_object *cfReplayFileItem(struct json_object *pPart, size_t iItem) {
  const char *zMedia = cfPartString(pPart, "mediaType");
  const char *zUrl = cfPartString(pPart, "url");
  if (zMedia == 0 || zUrl == 0) return 0;
  if (sqlite3_strnicmp(zMedia, "image", 5) == 0 && (zMedia[5] == 0 || zMedia[5] == '/')) {
    return cfImageUrlOk(zUrl) ? cfContentItem("image_url", "url", zUrl, 0, 0) : 0;
  }
  if (sqlite3_stricmp(zMedia, "application/pdf") == 0 && cfDataUrlIs(zUrl, "application/pdf")) {
    const char *zName = cfPartString(pPart, "filename");
    char zDefault[40];
    if (zName == 0 || zName[0] == 0) {
      sqlite3_snprintf((int)sizeof(zDefault), zDefault, "part-%llu.pdf", (unsigned long long)iItem);
      zName = zDefault;
    }
    return cfContentItem("file", "filename", zName, "file_data", zUrl);
  }
  return 0;
}

/* The content item of a part pPart of type zType of a user message that
** is one of OpenAI's own content items (an application that keeps Chat
** Completions messages stores their content array as parts), or 0 when
** it is none or OpenAI would not take it (then it is not sent):
**   {"type": "image_url", "image_url": {"url", "detail"?}}: url as
**     cfImageUrlOk takes it, detail a string when present;
**   {"type": "input_audio", "input_audio": {"data", "format"}}: strings.
** A new item of those members alone.  ("text" items are the AI SDK's text
** parts; OpenAI's {"type": "file", "file": {...}} is not a file part the
** writers take: those need mediaType and url.) */
static struct json_object *cfReplayOpenAiItem(struct json_object *pPart, const char *zType) {
  struct json_object *pIn = 0;
  int bImage = strcmp(zType, "image_url") == 0;
  if (!bImage && strcmp(zType, "input_audio") != 0) return 0;
  if (!json_object_object_get_ex(pPart, zType, &pIn) || !json_object_is_type(pIn, json_type_object)) return 0;
  if (bImage) {
    const char *zUrl = cfPartString(pIn, "url");
    if (zUrl == 0 || !cfImageUrlOk(zUrl)) return 0;
    return cfContentItem("image_url", "url", zUrl, "detail", cfPartString(pIn, "detail"));
  } else {
    const char *zData = cfPartString(pIn, "data"), *zFormat = cfPartString(pIn, "format");
    if (zData == 0 || zFormat == 0) return 0;
    return cfContentItem("input_audio", "data", zData, "format", zFormat);
  }
}

/* The content of a user message (or of a steering-message part) with
** content zContent and parts pParts (a json-c array, or 0), owned: the
** text cfMessageText gives, as a string — or, when a file part of pParts
** is one cfReplayFileItem sends or a part is an OpenAI content item
** cfReplayOpenAiItem sends, an array of OpenAI content items in part
** order: each "text" part {"type": "text", "text"}, each such part its
** item, and first the content zContent when no part is a "text" part
** (add_message's content with file parts).  0 and *pbOom set when out of
** memory. */
static struct json_object *cfReplayUserContent(const char *zContent, struct json_object *pParts,
                                               int *pbOom) {
  size_t nPart = pParts ? json_object_array_length(pParts) : 0;
  struct json_object *pArr = 0, *pOut;
  int nFile = 0, bText = 0, bFile = 0;
  char *zText;
  for (size_t k = 0; k < nPart; k++) {
    struct json_object *pPart = json_object_array_get_idx(pParts, k);
    const char *zType = cfPartString(pPart, "type");
    if (zType && strcmp(zType, "text") == 0 && cfPartString(pPart, "text")) bText = 1;
    if (zType && (strcmp(zType, "file") == 0 || strcmp(zType, "image_url") == 0 ||
                  strcmp(zType, "input_audio") == 0)) {
      bFile = 1;
    }
  }
  if (bFile) {
    pArr = json_object_new_array();
    if (pArr == 0) {
      *pbOom = 1;
      return 0;
    }
    if (!bText && zContent && zContent[0]) {
      struct json_object *pItem = json_object_new_object();
      json_object_object_add(pItem, "type", json_object_new_string("text"));
      json_object_object_add(pItem, "text", json_object_new_string(zContent));
      json_object_array_add(pArr, pItem);
    }
    for (size_t k = 0; k < nPart; k++) {
      struct json_object *pPart = json_object_array_get_idx(pParts, k), *pItem = 0;
      const char *zType = cfPartString(pPart, "type"), *zT = cfPartString(pPart, "text");
      if (zType == 0) continue;
      if (strcmp(zType, "text") == 0 && zT) {
        pItem = json_object_new_object();
        json_object_object_add(pItem, "type", json_object_new_string("text"));
        json_object_object_add(pItem, "text", json_object_new_string(zT));
      } else if (strcmp(zType, "file") == 0) {
        pItem = cfReplayFileItem(pPart, json_object_array_length(pArr));
        if (pItem) nFile++;
      } else if ((pItem = cfReplayOpenAiItem(pPart, zType)) != 0) {
        nFile++;
      }
      if (pItem) json_object_array_add(pArr, pItem);
    }
    if (nFile) return pArr;
    json_object_put(pArr);
  }
  zText = cfMessageText(zContent, pParts, pbOom);
  pOut = zText ? json_object_new_string(zText) : 0;
  if (zText && pOut == 0) *pbOom = 1;
  sqlite3_free(zText);
  return pOut;
}

/* The replay of an assistant message a[i] into pOut: one OpenAI assistant
** message per step (parts between "step-start" parts), each followed by
** the results of its tool calls.  A call is replayed only with its result:
** from the part itself (AI SDK tool parts in state output-available,
** output-error or output-denied) or from a tool message of the window that
** answers it (moved right after the call, as OpenAI requires). */
static void cfReplayAssistant(CfReplayRow *a, int n, int i, struct json_object *pOut, int *pbOom) {
  struct json_object *pParts = a[i].pParts;
  size_t nPart = pParts ? json_object_array_length(pParts) : 0;
  int bContentUsed = 0, bAny = 0;
  size_t k = 0;
  if (nPart == 0) {
    cfReplayAdd(pOut, "assistant", a[i].zContent, 0);
    return;
  }
  /* content is the text of a message whose parts have none (add_message's
  ** content with tool_calls): it goes with the first step */
  for (size_t t = 0; t < nPart; t++) {
    const char *zType = cfPartString(json_object_array_get_idx(pParts, t), "type");
    if (zType && strcmp(zType, "text") == 0) bContentUsed = 1;
  }
  while (k < nPart) {
    sqlite3_str *pText = sqlite3_str_new(0);
    struct json_object *pCalls = json_object_new_array();
    struct json_object *pResults = json_object_new_array();
    struct json_object *pSteer = 0; /* a steering-message part that ends the step */
    int nText = 0;
    for (; k < nPart; k++) {
      struct json_object *pPart = json_object_array_get_idx(pParts, k);
      const char *zType = cfPartString(pPart, "type");
      if (zType == 0) continue;
      if (strcmp(zType, "steering-message") == 0) {
        /* the AI SDK's user message sent while the answer was generated:
        ** it ends the step and follows it (and its results) as a user
        ** message, as convertToModelMessages sends it */
        pSteer = pPart;
        k++;
        break;
      }
      if (strcmp(zType, "step-start") == 0) {
        if (nText || json_object_array_length(pCalls)) {
          k++;
          break;
        }
        continue;
      }
      if (strcmp(zType, "text") == 0) {
        const char *zT = cfPartString(pPart, "text");
        if (zT) {
          if (nText++) sqlite3_str_appendchar(pText, 1, '\n');
          sqlite3_str_appendall(pText, zT);
        }
      } else if (strcmp(zType, "tool-call") == 0 ||
                 (strncmp(zType, "tool-", 5) == 0 &&
                  (strcmp(zType, "tool-result") != 0 ||
                   (cfPartString(pPart, "toolCallId") && cfPartString(pPart, "state")))) ||
                 strcmp(zType, "dynamic-tool") == 0) {
        int bChatflow = strcmp(zType, "tool-call") == 0 &&
                        (cfPartString(pPart, "toolCallId") == 0 || cfPartString(pPart, "state") == 0);
        const char *zId = cfPartString(pPart, bChatflow ? "id" : "toolCallId");
        const char *zName = bChatflow ? cfPartString(pPart, "name")
                          : zType[0] == 'd' ? cfPartString(pPart, "toolName") : zType + 5;
        struct json_object *pArgs = 0, *pResult = 0, *pCall, *pFn, *pTool;
        int j = -1;
        if (zId == 0 || zName == 0 || zId[0] == 0 || zName[0] == 0) continue; /* OpenAI would refuse it */
        if (!bChatflow && cfPartAnswered(pPart)) {
          const char *zState = cfPartString(pPart, "state");
          struct json_object *pVal = 0;
          if (strcmp(zState, "output-available") == 0) {
            json_object_object_get_ex(pPart, "output", &pVal);
            pResult = cfAsJsonString(pVal, "null");
          } else if (strcmp(zState, "output-error") == 0) {
            const char *zE = cfPartString(pPart, "errorText");
            pResult = json_object_new_string(zE ? zE : "error");
          } else {
            /* output-denied, or approval-responded and denied: the
            ** approval's reason when it gives one */
            struct json_object *pApproval = cfPartDenial(pPart), *pReason = 0;
            const char *zReason = 0;
            if (pApproval && json_object_object_get_ex(pApproval, "reason", &pReason) &&
                json_object_is_type(pReason, json_type_string) && json_object_get_string_len(pReason) > 0) {
              zReason = json_object_get_string(pReason);
            }
            pResult = json_object_new_string(zReason ? zReason : "The tool call was denied.");
          }
        } else {
          j = cfReplayAnswer(a, n, i, zId);
          if (j < 0) continue; /* no result: OpenAI would refuse the call */
          a[j].bUsed = 1;
          {
            /* a result stored with parts only: the text of its text parts */
            char *zRes = cfMessageText(a[j].zContent, a[j].pParts, pbOom);
            pResult = json_object_new_string(zRes ? zRes : "");
            sqlite3_free(zRes);
          }
        }
        if (bChatflow) {
          json_object_object_get_ex(pPart, "arguments", &pArgs);
          pArgs = cfAsJsonString(pArgs, "{}");
        } else {
          json_object_object_get_ex(pPart, "input", &pArgs);
          pArgs = cfAsJsonString(pArgs, "{}");
        }
        pCall = json_object_new_object();
        pFn = json_object_new_object();
        json_object_object_add(pCall, "id", json_object_new_string(zId));
        json_object_object_add(pCall, "type", json_object_new_string("function"));
        json_object_object_add(pFn, "name", json_object_new_string(zName));
        json_object_object_add(pFn, "arguments", pArgs);
        json_object_object_add(pCall, "function", pFn);
        json_object_array_add(pCalls, pCall);
        pTool = json_object_new_object();
        json_object_object_add(pTool, "role", json_object_new_string("tool"));
        json_object_object_add(pTool, "content", pResult);
        json_object_object_add(pTool, "tool_call_id", json_object_new_string(zId));
        json_object_array_add(pResults, pTool);
      }
    }
    {
      char *zText;
      const char *zUse;
      if (sqlite3_str_errcode(pText)) *pbOom = 1; /* never a text silently left out */
      zText = sqlite3_str_finish(pText);
      zUse = zText;
      if (nText == 0 && !bContentUsed && a[i].zContent && a[i].zContent[0]) {
        zUse = a[i].zContent; /* add_message's content with tool_calls parts */
        nText = 1;
      }
      if (nText) bContentUsed = 1;
      if (nText || json_object_array_length(pCalls)) {
        cfReplayAdd(pOut, "assistant", zUse, json_object_array_length(pCalls) ? json_object_get(pCalls) : 0);
        for (size_t r = 0; r < json_object_array_length(pResults); r++) {
          json_object_array_add(pOut, json_object_get(json_object_array_get_idx(pResults, r)));
        }
        bAny = 1;
      }
      sqlite3_free(zText);
    }
    if (pSteer) {
      /* as a user message (cfReplayUserContent: its text parts, one per
      ** line, or its text and file parts as content items); nothing when
      ** it has neither */
      struct json_object *pSteerParts = 0;
      if (json_object_object_get_ex(pSteer, "parts", &pSteerParts) &&
          json_object_is_type(pSteerParts, json_type_array)) {
        struct json_object *pSteerContent = cfReplayUserContent("", pSteerParts, pbOom);
        if (pSteerContent && (!json_object_is_type(pSteerContent, json_type_string) ||
                              json_object_get_string_len(pSteerContent) > 0)) {
          cfReplayAddContent(pOut, "user", pSteerContent, 0);
        } else if (pSteerContent) {
          json_object_put(pSteerContent);
        }
      }
    }
    json_object_put(pCalls);
    json_object_put(pResults);
  }
  if (!bAny && a[i].zContent && a[i].zContent[0]) cfReplayAdd(pOut, "assistant", a[i].zContent, 0);
}

/* The window as OpenAI chat messages (chat_history_json): system messages
** as {"role", "content"} (a message stored with parts only: its text
** parts, one per line); user messages the same, or with their text and
** images or PDFs as an array of content items (cfReplayUserContent);
** assistant messages as cfReplayAssistant places them; a tool message
** only after the call it answers. */
static char *cfReplay(CfReplayRow *a, int n) {
  struct json_object *pOut = json_object_new_array();
  char *zOut;
  int bOom = 0;
  for (int i = 0; i < n; i++) {
    if (a[i].cRole == 'a') {
      cfReplayAssistant(a, n, i, pOut, &bOom);
    } else if (a[i].cRole == 'u') {
      struct json_object *pContent = cfReplayUserContent(a[i].zContent, a[i].pParts, &bOom);
      if (pContent) cfReplayAddContent(pOut, "user", pContent, 0);
    } else if (a[i].cRole != 't') {
      char *zText = cfMessageText(a[i].zContent, a[i].pParts, &bOom);
      cfReplayAdd(pOut, "system", zText, 0);
      sqlite3_free(zText);
    }
  }
  zOut = bOom ? 0 : sqlite3_mprintf("%s", json_object_to_json_string_ext(pOut, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put(pOut);
  return zOut; /* 0: out of memory */
}

static void cfHistoryJsonFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0, *zOut = 0, *zBad = 0;
  CfReplayRow *a = 0;
  int rc, n = 0, nAlloc = 0;
  sqlite3_int64 iConv;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  rc = cfHistoryWindow(p, argv[0], argc > 1 ? argv[1] : 0, argc > 2 ? argv[2] : 0,
                        CF_HISTORY_JSON_COLS, 1, &pStmt, &zErr);
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
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zRole = (const char *)sqlite3_column_text(pStmt, 0);
    const char *zContent = (const char *)sqlite3_column_text(pStmt, 1);
    CfReplayRow *r;
    if (n == nAlloc) {
      int nNew = nAlloc ? nAlloc * 2 : 16;
      CfReplayRow *aNew = sqlite3_realloc64(a, sizeof(CfReplayRow) * (sqlite3_uint64)nNew);
      if (aNew == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      a = aNew;
      nAlloc = nNew;
    }
    r = &a[n];
    memset(r, 0, sizeof(*r));
    if (zRole == 0 || zContent == 0) {
      rc = SQLITE_NOMEM; /* never a message silently left out */
      break;
    }
    n++;
    r->cRole = zRole[0];
    r->zContent = sqlite3_mprintf("%s", zContent);
    if (sqlite3_column_type(pStmt, 3) == SQLITE_TEXT) {
      r->zCallId = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 3));
      if (r->zCallId == 0) rc = SQLITE_NOMEM;
    }
    if (sqlite3_column_type(pStmt, 2) == SQLITE_TEXT) {
      /* as deep as SQLite's JSON functions go (the schema's CHECK took it) */
      struct json_tokener *pTok = json_tokener_new_ex(CF_STORED_JSON_DEPTH);
      if (pTok == 0) {
        rc = SQLITE_NOMEM;
      } else {
        r->pParts = json_tokener_parse_ex(pTok, (const char *)sqlite3_column_text(pStmt, 2),
                                          sqlite3_column_bytes(pStmt, 2));
        if (json_tokener_get_error(pTok) != json_tokener_success || r->pParts == 0 ||
            !json_object_is_type(r->pParts, json_type_array)) {
          zBad = sqlite3_mprintf("chatflow: chat_history_json cannot read the parts of message seq %lld",
                                 sqlite3_column_int64(pStmt, 4));
          rc = zBad ? SQLITE_ERROR : SQLITE_NOMEM;
        }
        json_tokener_free(pTok);
      }
    }
    if (r->zContent == 0) rc = SQLITE_NOMEM;
    if (rc == SQLITE_NOMEM || rc == SQLITE_ERROR) break;
  }
  if (rc == SQLITE_DONE) {
    zOut = cfReplay(a, n);
    if (zOut == 0) rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
  } else if (rc == SQLITE_ERROR && zBad) {
    sqlite3_result_error(ctx, zBad, -1);
  } else if (rc != SQLITE_DONE) {
    cfResultErrorFromDb(ctx, p->db, rc);
  } else {
    cfResultUtf8(ctx, zOut, -1, sqlite3_free);
    zOut = 0;
  }
  sqlite3_free(zBad);
  sqlite3_free(zOut);
  for (int i = 0; i < n; i++) {
    sqlite3_free(a[i].zContent);
    sqlite3_free(a[i].zCallId);
    if (a[i].pParts) json_object_put(a[i].pParts);
  }
  sqlite3_free(a);
  cfStmtDone(p, pStmt);
}

/* ---------------------------------------------------------- chat_history */

static int cfHistoryTvfPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt,
                               char **pzErr) {
  return cfHistoryWindow(p, aArg[0], aArg[1], aArg[2], CF_HISTORY_COLS, 0, ppStmt, pzErr);
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
