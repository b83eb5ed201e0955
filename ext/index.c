/*
** index.c — messages reach the search indexes in batches, and search sees
** the ones that have not yet.
**
**   chatflow_index([max_messages]) -> number of messages the mark passed
**                                      (drafts among them are not indexed)
**
** Example (chatflow-cleanup --index runs it; nothing needs it for correctness):
**   SELECT chatflow_index();       -- every message not indexed yet
**   SELECT chatflow_index(10000);  -- at most the 10,000 oldest of them
**
** The rule lives in the schema (migration 005, chatflow_search_state):
** every message with an id at or below indexed_upto is in chat_messages_fts
** and, when it is not plain ASCII, in chat_messages_trigram; none above it
** is; moving the mark forward indexes what it passes, in one INSERT ...
** SELECT per index.  Per message that costs a share of one index segment
** instead of a segment of its own (FTS5 writes one at every statement
** savepoint).  This file only decides when to move the mark:
**   - cfIndexAfterInsert, by the functions that insert messages, once 100
**     (CF_INDEX_BATCH) are waiting, in the same SAVEPOINT as the insert;
**   - chatflow_index(), for all of them or the oldest max_messages.
**
** Only complete messages are indexed: a draft joins the indexes when it
** finishes (the schema's chat_messages_draft_* triggers, when the mark has
** passed it; else when the mark does), an aborted one never.
**
** And search_messages covers the messages above the mark at once:
** cfSearchPending copies them into a private in-memory connection of the
** caller's connection (CfConn.dbPending: FTS5 tables chatflow_pending_fts
** and chatflow_pending_trigram, chatflow_pending_trigram_terms, with the
** tokenizers of the main indexes), and cfPendingJson runs the query's
** parts there, handing the matches to the main statement as JSON arrays
** (read with json_each).  The copy is keyed by (mark, count, largest id, a
** sum of hashed ids) of the messages above the mark as the caller's
** connection sees them, so an unchanged set is not copied again.  Nothing
** of it is in the caller's database or TEMP schema: it works the same in a
** read-only or query_only connection and inside any transaction.  A match
** there is ranked with bm25 over both indexes' statistics (chatflow_rank,
** below), as it will be once indexed.
**
** Errors: max_messages not an integer from 1 to 10,000,000; the write
** bracket's (write.c).  chatflow_index writes: SQLITE_DIRECTONLY.
*/
#include "chatflow_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void cfRankFunc(const Fts5ExtensionApi *pApi, Fts5Context *pFts, sqlite3_context *ctx, int nVal,
                       sqlite3_value **apVal);

#define CF_INDEX_BATCH 100
#define CF_INDEX_MAX 10000000
#define CF_PENDING_MAX 50000 /* messages waiting that search_messages copies */

/* Moves the mark to iNew (the schema's triggers index what it passes). */
static int cfIndexMove(CfConn *p, sqlite3_int64 iNew) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmt(p, CF_STMT_INDEX_MOVE,
                  "UPDATE chatflow_search_state SET indexed_upto = ?1 WHERE indexed_upto < ?1", &pStmt);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(pStmt, 1, iNew);
  rc = cfStepOnce(pStmt);
  cfStmtDone(p, pStmt);
  return rc;
}

/* After messages were inserted, the largest new id iLast (0: the message
** sequence's, for a call that inserted several): moves the mark to iLast
** when CF_INDEX_BATCH or more messages wait.  The mark is read each time
** (one row, a cached statement): a copy kept in CfConn would outlive a
** rolled-back transaction that had moved it. */
int cfIndexAfterInsert(CfConn *p, sqlite3_int64 iLast) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iMark = 0;
  int rc = cfStmt(p, CF_STMT_INDEX_MARK,
                  "SELECT indexed_upto, CASE WHEN ?1 = 0 THEN coalesce((SELECT seq FROM sqlite_sequence"
                  "                                                      WHERE name = 'chat_messages'), 0) END"
                  "  FROM chatflow_search_state",
                  &pStmt);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(pStmt, 1, iLast); /* the sequence (a table scan) only when needed */
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    iMark = sqlite3_column_int64(pStmt, 0);
    if (iLast == 0) iLast = sqlite3_column_int64(pStmt, 1);
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_CORRUPT; /* the row is kept by a trigger */
  }
  cfStmtDone(p, pStmt);
  if (rc != SQLITE_OK || iLast - iMark < CF_INDEX_BATCH) return rc;
  return cfIndexMove(p, iLast);
}

static void cfIndexFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 nMax = CF_INDEX_MAX, nDone = 0;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc;
  if (argc > 0 && cfArgIntRange(ctx, argv[0], "max_messages", 1, CF_INDEX_MAX, &nMax)) return;
  if (cfBeginWriteResult(ctx, p)) return;
  /* the new mark: the id of the last of the oldest nMax messages above it */
  rc = sqlite3_prepare_v2(p->db,
                          "SELECT count(*), max(id) FROM (SELECT id FROM chat_messages"
                          " WHERE id > (SELECT indexed_upto FROM chatflow_search_state)"
                          " ORDER BY id LIMIT ?1)",
                          -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_int64 iNew = 0;
    sqlite3_bind_int64(pStmt, 1, nMax);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      nDone = sqlite3_column_int64(pStmt, 0);
      iNew = sqlite3_column_int64(pStmt, 1);
      rc = SQLITE_OK;
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    if (rc == SQLITE_OK && nDone > 0) rc = cfIndexMove(p, iNew);
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, nDone);
}

/* The tokenize option of main.chat_messages_fts, as written in its CREATE
** statement (migration 003), so the pending index tokenizes the same way. */
static int cfWordTokenizer(CfConn *p, char **pzOut) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db,
                              "SELECT sql FROM main.sqlite_master WHERE name = 'chat_messages_fts'",
                              -1, &pStmt, 0);
  *pzOut = 0;
  if (rc != SQLITE_OK) return rc;
  rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    const char *zSql = (const char *)sqlite3_column_text(pStmt, 0);
    const char *zTok = zSql ? strstr(zSql, "tokenize") : 0;
    const char *zOpen = zTok ? strchr(zTok, '\'') : 0;
    const char *zClose = zOpen ? strchr(zOpen + 1, '\'') : 0;
    rc = SQLITE_CORRUPT;
    if (zClose) {
      *pzOut = sqlite3_mprintf("%.*s", (int)(zClose - zOpen - 1), zOpen + 1);
      rc = *pzOut ? SQLITE_OK : SQLITE_NOMEM;
    } else if (zSql == 0 && sqlite3_errcode(p->db) == SQLITE_NOMEM) {
      rc = SQLITE_NOMEM;
    }
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_CORRUPT;
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* The private connection and its three tables, created once. */
static int cfPendingOpen(CfConn *p) {
  char *zTok = 0, *zSql = 0;
  int rc;
  if (p->dbPending) return SQLITE_OK;
  rc = cfWordTokenizer(p, &zTok);
  if (rc != SQLITE_OK) return rc;
  zSql = sqlite3_mprintf(
      "CREATE VIRTUAL TABLE chatflow_pending_fts USING fts5 (content, tokenize = '%q');"
      "CREATE VIRTUAL TABLE chatflow_pending_trigram USING fts5 (content, tokenize = 'trigram');"
      "CREATE VIRTUAL TABLE chatflow_pending_trigram_terms USING fts5vocab ("
      " chatflow_pending_trigram, 'instance');",
      zTok);
  sqlite3_free(zTok);
  if (zSql == 0) return SQLITE_NOMEM;
  rc = sqlite3_open_v2(":memory:", &p->dbPending, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
  if (rc == SQLITE_OK) rc = cfRegisterSnippet(p->dbPending);
  if (rc == SQLITE_OK) {
    fts5_api *pApi = cfFts5Api(p->dbPending);
    rc = pApi ? pApi->xCreateFunction(pApi, "chatflow_rank", 0, cfRankFunc, 0) : SQLITE_ERROR;
  }
  if (rc == SQLITE_OK) rc = sqlite3_exec(p->dbPending, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  if (rc != SQLITE_OK) {
    if (p->dbPending && (rc & 0xff) != SQLITE_NOMEM) rc = sqlite3_extended_errcode(p->dbPending);
    sqlite3_close(p->dbPending);
    p->dbPending = 0;
    if (rc == SQLITE_CANTOPEN) rc = SQLITE_NOMEM; /* an in-memory database that could not open */
  }
  return rc;
}

/* Copies the messages above iFrom from the main database into the private
** one, in one transaction there. */
static int cfPendingFill(CfConn *p, sqlite3_int64 iFrom) {
  sqlite3_stmt *pRead = 0, *pWords = 0, *pScripts = 0;
  int rc = sqlite3_exec(p->dbPending, "BEGIN", 0, 0, 0);
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(p->db, "SELECT id, content FROM main.chat_messages WHERE id > ?1 AND status = 'complete' ORDER BY id",
                            -1, &pRead, 0);
  }
  if (rc == SQLITE_OK) {
    rc = sqlite3_prepare_v2(p->dbPending, "INSERT INTO chatflow_pending_fts (rowid, content) VALUES (?1, ?2)",
                            -1, &pWords, 0);
  }
  if (rc == SQLITE_OK) {
    /* the text and rule of chatflow_search_state_index_scripts */
    rc = sqlite3_prepare_v2(p->dbPending,
                            "INSERT INTO chatflow_pending_trigram (rowid, content)"
                            " SELECT ?1, ?2 || char(1, 1) WHERE length(CAST(?2 AS BLOB)) > length(?2)",
                            -1, &pScripts, 0);
  }
  if (rc == SQLITE_OK) sqlite3_bind_int64(pRead, 1, iFrom);
  while (rc == SQLITE_OK && (rc = sqlite3_step(pRead)) == SQLITE_ROW) {
    const unsigned char *z = sqlite3_column_text(pRead, 1);
    int n = sqlite3_column_bytes(pRead, 1);
    rc = SQLITE_OK;
    if (z == 0) {
      if (sqlite3_errcode(p->db) == SQLITE_NOMEM) rc = SQLITE_NOMEM;
      z = (const unsigned char *)"";
    }
    for (int k = 0; k < 2 && rc == SQLITE_OK; k++) {
      sqlite3_stmt *pIns = k ? pScripts : pWords;
      sqlite3_bind_int64(pIns, 1, sqlite3_column_int64(pRead, 0));
      sqlite3_bind_text(pIns, 2, (const char *)z, n, SQLITE_STATIC);
      rc = sqlite3_step(pIns);
      rc = rc == SQLITE_DONE ? sqlite3_reset(pIns) : sqlite3_errcode(p->dbPending);
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  sqlite3_finalize(pRead);
  sqlite3_finalize(pWords);
  sqlite3_finalize(pScripts);
  if (rc == SQLITE_OK) rc = sqlite3_exec(p->dbPending, "COMMIT", 0, 0, 0);
  if (rc != SQLITE_OK && !sqlite3_get_autocommit(p->dbPending)) {
    sqlite3_exec(p->dbPending, "ROLLBACK", 0, 0, 0);
  }
  return rc;
}

/* FNV-1a, 64 bits: a hash of the waiting messages' ids and texts. */
static sqlite3_uint64 cfHash(sqlite3_uint64 h, const unsigned char *z, int n) {
  for (int i = 0; i < n; i++) h = (h ^ z[i]) * 1099511628211ULL;
  return h;
}

/* The set of messages above the mark as the caller's connection sees it:
** pAll the mark, count, largest id and a hash of every (id, content) in id
** order; pPrefix the same of those at or below iPrefixMax (the last copy's
** largest id).  A set is named by its content, not by its ids alone: a
** rolled-back insert gives its id again, a restored file other texts.
** Stops at CF_PENDING_MAX + 1 messages. */
static int cfPendingScan(CfConn *p, sqlite3_int64 iPrefixMax, CfPendKey *pAll, CfPendKey *pPrefix) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db,
                              "SELECT s.indexed_upto, m.id, m.content FROM chatflow_search_state AS s"
                              "  LEFT JOIN chat_messages AS m ON m.id > s.indexed_upto AND m.status = 'complete' ORDER BY m.id",
                              -1, &pStmt, 0);
  memset(pAll, 0, sizeof(*pAll));
  pAll->h = 14695981039346656037ULL;
  *pPrefix = *pAll;
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    sqlite3_int64 iId = sqlite3_column_int64(pStmt, 1);
    const unsigned char *z = sqlite3_column_text(pStmt, 2);
    unsigned char aId[8];
    rc = SQLITE_OK;
    pAll->iMark = pPrefix->iMark = sqlite3_column_int64(pStmt, 0);
    if (sqlite3_column_type(pStmt, 1) == SQLITE_NULL) break; /* none waits */
    if (z == 0 && sqlite3_errcode(p->db) == SQLITE_NOMEM) {
      rc = SQLITE_NOMEM;
      break;
    }
    for (int i = 0; i < 8; i++) aId[i] = (unsigned char)((sqlite3_uint64)iId >> (8 * i));
    pAll->h = cfHash(pAll->h, aId, 8);
    pAll->h = cfHash(pAll->h, z, sqlite3_column_bytes(pStmt, 2));
    pAll->nRow++;
    pAll->iMax = iId;
    if (iId <= iPrefixMax) {
      pPrefix->h = pAll->h;
      pPrefix->nRow = pAll->nRow;
      pPrefix->iMax = iId;
    }
    if (pAll->nRow > CF_PENDING_MAX) break;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  return rc;
}

/* Makes the private tables hold exactly the messages above the mark, as
** the caller's connection sees them now; *pbTail is 1 when there are any
** (the search statements then read them too).  When the set only grew
** since the last search (the same mark, the same messages up to the last
** largest id), only the new ones are copied; else the private connection
** is made anew (closing it is faster than emptying its tables), and it is
** closed when no message waits.  Errors: the database's, and more than
** CF_PENDING_MAX messages waiting (a bulk load by raw SQL: chatflow_index()
** ends it). */
int cfSearchPending(CfConn *p, int *pbTail, char **pzErr) {
  CfPendKey all, prefix, *pOld = &p->pendKey;
  int rc = cfPendingScan(p, p->bPendingValid ? pOld->iMax : 0, &all, &prefix);
  *pbTail = 0;
  if (rc == SQLITE_OK && all.nRow > CF_PENDING_MAX) {
    *pzErr = sqlite3_mprintf("chatflow: more than %d messages wait for the search index, which"
                             " search_messages reads without it: run SELECT chatflow_index()",
                             CF_PENDING_MAX);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK && all.nRow == 0) {
    sqlite3_close(p->dbPending);
    p->dbPending = 0;
    p->bPendingValid = 0;
  } else if (rc == SQLITE_OK) {
    int bAppend = p->bPendingValid && pOld->iMark == all.iMark && pOld->iMax < all.iMax &&
                  memcmp(&prefix, pOld, sizeof(prefix)) == 0;
    *pbTail = 1;
    if (p->bPendingValid && memcmp(&all, pOld, sizeof(all)) == 0) return SQLITE_OK;
    p->bPendingValid = 0;
    if (!bAppend) {
      sqlite3_close(p->dbPending);
      p->dbPending = 0;
    }
    rc = cfPendingOpen(p);
    if (rc == SQLITE_OK) rc = cfPendingFill(p, bAppend ? pOld->iMax : all.iMark);
    if (rc == SQLITE_OK) {
      *pOld = all;
      p->bPendingValid = 1;
    }
  }
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) {
    *pzErr = cfDbError(p->dbPending && sqlite3_errcode(p->dbPending) != SQLITE_OK ? p->dbPending : p->db, rc);
  }
  return rc;
}

/* Runs zSql on the private connection with ?1 bound to zArg, and makes
** *pzJson a JSON array of its rows (column 0 of each, JSON text as it is:
** an integer, or an array the statement built).  A plain SQLITE_ERROR is
** FTS5's complaint about the query: *pzErr says it as search_messages
** does for the main indexes (zQuery: the query as given). */
int cfPendingJson(CfConn *p, const char *zSql, const char *zArg, const char *zQuery, char **pzJson,
                  char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pOut = sqlite3_str_new(0);
  int rc = sqlite3_prepare_v2(p->dbPending, zSql, -1, &pStmt, 0);
  *pzJson = 0;
  sqlite3_str_appendchar(pOut, 1, '[');
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zArg, -1, SQLITE_STATIC);
    for (int n = 0; (rc = sqlite3_step(pStmt)) == SQLITE_ROW; n++) {
      const char *z = (const char *)sqlite3_column_text(pStmt, 0);
      if (z == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      if (n > 0) sqlite3_str_appendchar(pOut, 1, ',');
      sqlite3_str_appendall(pOut, z);
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
    else if (rc != SQLITE_NOMEM) rc = sqlite3_errcode(p->dbPending);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  if (rc == SQLITE_OK) rc = sqlite3_str_errcode(pOut);
  if (rc == SQLITE_OK) {
    *pzJson = sqlite3_str_finish(pOut);
    pOut = 0;
  } else if (rc == SQLITE_ERROR) {
    *pzErr = sqlite3_mprintf("chatflow: invalid search query '%s': %s", zQuery, sqlite3_errmsg(p->dbPending));
  } else if ((rc & 0xff) != SQLITE_NOMEM) {
    *pzErr = cfDbError(p->dbPending, rc);
  }
  sqlite3_free(sqlite3_str_finish(pOut));
  sqlite3_finalize(pStmt);
  return rc;
}

/* ------------------------------------------------ the rank of a waiting match
**
** FTS5's bm25 over the private copy alone would weigh a term by how rare it
** is among the few waiting messages (a term in half of them or more gets
** the floor, 1e-6: the newest message ranked last).  So a waiting match is
** scored with the statistics of both indexes: the main index's row count and
** token total (its averages record) and, per phrase of the query, how many
** of its rows hold it (chatflow_fts_stats, run on the main index), added to
** the copy's own.  The formula is FTS5's bm25 (fts5_aux.c: k1 = 1.2,
** b = 0.75, an idf of at most 0 raised to 1e-6, the rank its negation). */

/* chatflow_fts_stats(<fts5 table>): on a matching row of a query, a JSON
** array of the number of rows of the table that match each phrase. */
static int cfCountRow(const Fts5ExtensionApi *pApi, Fts5Context *pFts, void *pCount) {
  (void)pApi;
  (void)pFts;
  (*(sqlite3_int64 *)pCount)++;
  return SQLITE_OK;
}

static void cfFtsStatsFunc(const Fts5ExtensionApi *pApi, Fts5Context *pFts, sqlite3_context *ctx,
                           int nVal, sqlite3_value **apVal) {
  sqlite3_str *pOut = sqlite3_str_new(0);
  int rc = SQLITE_OK, nPhrase = pApi->xPhraseCount(pFts);
  (void)nVal;
  (void)apVal;
  sqlite3_str_appendchar(pOut, 1, '[');
  for (int i = 0; i < nPhrase && rc == SQLITE_OK; i++) {
    sqlite3_int64 n = 0;
    rc = pApi->xQueryPhrase(pFts, i, (void *)&n, cfCountRow);
    sqlite3_str_appendf(pOut, "%s%lld", i ? "," : "", n);
  }
  sqlite3_str_appendchar(pOut, 1, ']');
  if (rc == SQLITE_OK) rc = sqlite3_str_errcode(pOut);
  if (rc == SQLITE_OK) {
    sqlite3_result_text(ctx, sqlite3_str_finish(pOut), -1, sqlite3_free);
  } else {
    sqlite3_free(sqlite3_str_finish(pOut));
    sqlite3_result_error_code(ctx, rc);
  }
}

/* The per-query part of a waiting match's score: the idf of each phrase
** and the average length, over both indexes. */
typedef struct CfRankData {
  int nPhrase;
  double rAvgLen;
  double aIdf[1]; /* nPhrase of them */
} CfRankData;

/* chatflow_rank(<fts5 table>, rows, tokens, hits): bm25 of the current row
** with rows and tokens of the main index and hits, a JSON array of its
** rows matching each phrase, added to the table's own figures. */
static void cfRankFunc(const Fts5ExtensionApi *pApi, Fts5Context *pFts, sqlite3_context *ctx, int nVal,
                       sqlite3_value **apVal) {
  CfRankData *pData = (CfRankData *)pApi->xGetAuxdata(pFts, 0);
  double rScore = 0.0, rLen;
  int rc = SQLITE_OK, nTok = 0;
  if (nVal != 3) {
    sqlite3_result_error(ctx, "chatflow: chatflow_rank needs rows, tokens and hits after the table", -1);
    return;
  }
  if (pData == 0) {
    int nPhrase = pApi->xPhraseCount(pFts);
    sqlite3_int64 nRow = 0, nToken = 0;
    const char *zHits = (const char *)sqlite3_value_text(apVal[2]);
    pData = sqlite3_malloc64(sizeof(CfRankData) + sizeof(double) * (size_t)(nPhrase > 0 ? nPhrase : 1));
    if (pData == 0) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    pData->nPhrase = nPhrase;
    rc = pApi->xRowCount(pFts, &nRow);
    if (rc == SQLITE_OK) rc = pApi->xColumnTotalSize(pFts, -1, &nToken);
    nRow += sqlite3_value_int64(apVal[0]);
    nToken += sqlite3_value_int64(apVal[1]);
    pData->rAvgLen = nRow > 0 ? (double)nToken / (double)nRow : 1.0;
    for (int i = 0; i < nPhrase && rc == SQLITE_OK; i++) {
      sqlite3_int64 nHit = 0;
      double rIdf;
      int k = 0;
      rc = pApi->xQueryPhrase(pFts, i, (void *)&nHit, cfCountRow);
      /* the main index's count for phrase i: the i-th number of zHits */
      for (const char *z = zHits; z && *z; z += strspn(z, "0123456789"), k++) {
        z += strspn(z, "[, ");
        if (k == i) {
          nHit += strtoll(z, 0, 10);
          break;
        }
      }
      rIdf = log(((double)nRow - (double)nHit + 0.5) / ((double)nHit + 0.5));
      pData->aIdf[i] = rIdf > 0.0 ? rIdf : 1e-6;
    }
    if (rc == SQLITE_OK) rc = pApi->xSetAuxdata(pFts, pData, sqlite3_free);
    else sqlite3_free(pData);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(ctx, rc);
      return;
    }
  }
  rc = pApi->xColumnSize(pFts, -1, &nTok);
  rLen = (double)nTok;
  for (int i = 0; i < pData->nPhrase && rc == SQLITE_OK; i++) {
    Fts5PhraseIter it;
    int iCol, iOff;
    double rFreq = 0.0;
    rc = pApi->xPhraseFirst(pFts, i, &it, &iCol, &iOff);
    for (; rc == SQLITE_OK && iCol >= 0; pApi->xPhraseNext(pFts, &it, &iCol, &iOff)) rFreq += 1.0;
    rScore += pData->aIdf[i] * (rFreq * (1.2 + 1.0)) /
              (rFreq + 1.2 * (1.0 - 0.75 + 0.75 * rLen / pData->rAvgLen));
  }
  if (rc == SQLITE_OK) sqlite3_result_double(ctx, -1.0 * rScore);
  else sqlite3_result_error_code(ctx, rc);
}

/* The main index's row count and token total, from its averages record
** (row 1 of chat_messages_fts_data: varints, the rows then the tokens of
** each column, its one column here). */
static int cfMainTotals(CfConn *p, sqlite3_int64 *pnRow, sqlite3_int64 *pnToken) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db, "SELECT block FROM main.chat_messages_fts_data WHERE id = 1", -1, &pStmt, 0);
  *pnRow = *pnToken = 0;
  if (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const unsigned char *a = sqlite3_column_blob(pStmt, 0);
    int n = sqlite3_column_bytes(pStmt, 0), i = 0;
    for (int k = 0; k < 2; k++) {
      sqlite3_uint64 v = 0;
      int j = 0;
      /* SQLite's varint: 7 bits a byte, high bit set but in the ninth */
      for (; i < n && j < 8 && (a[i] & 0x80); i++, j++) v = (v << 7) | (a[i] & 0x7f);
      if (i < n) v = j == 8 ? (v << 8) | a[i] : (v << 7) | a[i];
      i++;
      if (k == 0) *pnRow = (sqlite3_int64)v;
      else *pnToken = (sqlite3_int64)v;
    }
    rc = SQLITE_OK;
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_OK; /* an empty index */
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* A word of the newest indexed message that has one (a run of ASCII
** letters and digits, which unicode61 keeps as a token), as an FTS5 string
** in *pzWord; 0 when the last 20 have none. */
static int cfIndexedWord(CfConn *p, char **pzWord) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(p->db,
                              "SELECT content FROM chat_messages"
                              " WHERE id <= (SELECT indexed_upto FROM chatflow_search_state) AND status = 'complete'"
                              " ORDER BY id DESC LIMIT 20",
                              -1, &pStmt, 0);
  *pzWord = 0;
  while (rc == SQLITE_OK && *pzWord == 0 && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *z = (const char *)sqlite3_column_text(pStmt, 0);
    size_t i = 0, n = 0;
    rc = SQLITE_OK;
    /* a whole token: a run of ASCII letters and digits with no other
    ** letter, digit or mark next to it (its neighbours ASCII, or none), so
    ** that "Café" gives no "Caf", which the index does not hold */
    for (; z && z[i]; i++) {
      unsigned char c = (unsigned char)z[i];
      int bAlnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (bAlnum) {
        n++;
      } else if (n > 0 && c < 0x80 && (i == n || (unsigned char)z[i - n - 1] < 0x80)) {
        break;
      } else {
        n = 0;
      }
    }
    if (n > 0 && i > n && (unsigned char)z[i - n - 1] >= 0x80) n = 0;
    if (n > 0) {
      *pzWord = sqlite3_mprintf("\"%.*s\"", (int)n, z + i - n);
      if (*pzWord == 0) rc = SQLITE_NOMEM;
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  sqlite3_finalize(pStmt);
  return rc;
}

/* For a words query zMatch with matches among the waiting messages: their
** [id, rank, snippet] rows as JSON in *pzRows ("[]" when none), ranked with
** both indexes' statistics (zQuery: the query as given, for errors). */
int cfPendingRanked(CfConn *p, const char *zMatch, const char *zQuery, char **pzRows, char **pzErr) {
  char *zAny = 0, *zHits = 0, *zSql = 0;
  sqlite3_int64 nRow = 0, nToken = 0;
  sqlite3_stmt *pStmt = 0;
  int rc = cfPendingJson(p, "SELECT rowid FROM chatflow_pending_fts WHERE chatflow_pending_fts MATCH ?1 LIMIT 1",
                         zMatch, zQuery, &zAny, pzErr);
  *pzRows = 0;
  if (rc == SQLITE_OK && strcmp(zAny, "[]") == 0) {
    *pzRows = zAny;
    return SQLITE_OK;
  }
  sqlite3_free(zAny);
  if (rc == SQLITE_OK) rc = cfMainTotals(p, &nRow, &nToken);
  /* The counts come from a row of the main index that matches: the query's
  ** own first match, else one of "(query) OR <a word of the newest indexed
  ** message>" (its phrases keep their numbers, the word's comes last and
  ** is not read).  No word found: counted as 0. */
  for (int k = 0; k < 2 && rc == SQLITE_OK && zHits == 0; k++) {
    char *zWord = 0;
    if (k == 1) {
      rc = cfIndexedWord(p, &zWord);
      if (rc != SQLITE_OK || zWord == 0) break;
    }
    rc = sqlite3_prepare_v2(p->db,
                            "SELECT chatflow_fts_stats(chat_messages_fts) FROM chat_messages_fts"
                            " WHERE chat_messages_fts MATCH iif(?2 IS NULL, ?1, '(' || ?1 || ') OR ' || ?2)"
                            " LIMIT 1",
                            -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zMatch, -1, SQLITE_STATIC);
      if (zWord) sqlite3_bind_text(pStmt, 2, zWord, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        zHits = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
        rc = zHits ? SQLITE_OK : SQLITE_NOMEM;
      } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    sqlite3_free(zWord);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_NOMEM) *pzErr = cfDbError(p->db, rc);
  }
  if (rc == SQLITE_OK) {
    zSql = sqlite3_mprintf("SELECT json_array(rowid, printf('%%!.17g', chatflow_rank(chatflow_pending_fts, %lld, %lld, %Q)),"
                           "       chatflow_snippet(chatflow_pending_fts, 0, '[', ']', '…', 12))"
                           "  FROM chatflow_pending_fts WHERE chatflow_pending_fts MATCH ?1",
                           nRow, nToken, zHits ? zHits : "[]");
    rc = zSql ? cfPendingJson(p, zSql, zMatch, zQuery, pzRows, pzErr) : SQLITE_NOMEM;
  }
  sqlite3_free(zHits);
  sqlite3_free(zSql);
  return rc;
}

int cfRegisterIndex(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* writes the database */
    {"chatflow_index", 0, CF_WRITES, cfIndexFunc},
    {"chatflow_index", 1, CF_WRITES, cfIndexFunc},
  };
  fts5_api *pApi = cfFts5Api(db);
  int rc = cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
  if (rc == SQLITE_OK && pApi) {
    rc = pApi->xCreateFunction(pApi, "chatflow_fts_stats", 0, cfFtsStatsFunc, 0);
  }
  return rc;
}
