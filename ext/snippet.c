/*
** snippet.c — chatflow_snippet: FTS5's snippet() with a cost that grows
** linearly with the size of the row, for search_messages.
**
**   chatflow_snippet(<fts5 table>, column, open, close, ellipsis, max_tokens)
**
** An FTS5 auxiliary function (registered through the connection's fts5_api,
** so it is only usable in an FTS5 query):
**   SELECT chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 12)
**     FROM chat_messages_fts WHERE chat_messages_fts MATCH 'sourdough';
**
** Why not snippet(): FTS5's snippet scores every phrase instance of the row
** by walking all the row's instances again (and, per instance, all sentence
** starts before it), so a row in which the query matches k times costs k²:
** a 100,000-character message made of one matching word cost 17 s, 400,000
** characters six minutes.  highlight() copies its whole output once per
** match (sqlite3_mprintf("%z%s")), quadratic too.
**
** What this one does, with the same choice of window as snippet() of
** SQLite 3.40 (so the snippets of ordinary messages are unchanged):
**   1. reads the row's instances of the column once (xInst), in position
**      order; the candidate windows (each instance, and the start of the
**      sentence holding it) come in position order, so each is scored by
**      sliding a window over the instances, O(1) amortised;
**   2. finds sentence starts with one tokenizer pass that stops at the last
**      instance;
**   3. builds the snippet with one tokenizer pass that stops at the end of
**      the window, appending to an sqlite3_str (linear).
** Cost: O(n + k) for a row of n bytes with k instances of the query
** in it; memory O(k).  The text before the window is tokenized but not
** copied; the text after it is not read by the tokenizer at all.
**
** Differences from snippet(): a window that starts inside a matched phrase
** highlights the part of it in the window (3.40 leaves it unmarked); every
** cut and every marker stands on a grapheme cluster boundary (utf8proc's
** rules, text.c: cfGraphemeAround): a window or a mark starts at the
** boundary at or before its first token and ends at the one at or after its
** last, and two instances whose tokens share a cluster get one mark, so no
** cluster is split — an emoji ZWJ sequence, a flag, a skin tone, a letter
** and its combining accent stay whole, and no cut falls inside a UTF-8
** sequence.  The boundaries are found walking forward from the last one,
** from the start of the text: still O(n).  The result is the same on every
** SQLite version (snippet()'s handling of overlapping phrases changed in
** 3.46).
**
** NULL column text gives NULL; NULL markers are empty text.  Errors: a
** wrong number of arguments, a column out of range, max_tokens outside
** 1..64, and FTS5's own errors (SQLITE_NOMEM, a corrupt index).
** Flags: none can be given to an FTS5 auxiliary function; FTS5 lists it in
** pragma_function_list with narg -1 and no flags, and outside an FTS5
** query it only raises "unable to use function".  It only reads.
** Registered by cfRegisterSearch through the fts5_api of the connection
** (SELECT fts5(?1)); an SQLite without FTS5 gets nothing registered.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_SNIPPET_MAX_TOKENS 64

/* The row's instances in the column, in position order. */
typedef struct CfSnipInst {
  int iStart;   /* first token */
  int iEnd;     /* last token */
  int iPhrase;
} CfSnipInst;

/* Sentence starts (FTS5's rule: the first token, and every token preceded
** by '.' or ':' and white space), up to position iLast. */
typedef struct CfSnipFinder {
  const char *zDoc;
  int iPos, iLast;
  int nFirst, nAlloc;
  int *aFirst;
} CfSnipFinder;

static int cfSnipFinderCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStartOff,
                          int iEndOff) {
  CfSnipFinder *p = (CfSnipFinder *)pCtx;
  int bFirst = 0;
  (void)pToken; (void)nToken; (void)iEndOff;
  if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  if (p->iPos > p->iLast) return SQLITE_DONE;
  if (p->iPos == 0) {
    bFirst = 1;
  } else {
    int i;
    char c = 0;
    for (i = iStartOff - 1; i >= 0; i--) {
      c = p->zDoc[i];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    }
    bFirst = i != iStartOff - 1 && (c == '.' || c == ':');
  }
  if (bFirst) {
    if (p->nFirst == p->nAlloc) {
      int nNew = p->nAlloc ? p->nAlloc * 2 : 64;
      int *aNew = sqlite3_realloc64(p->aFirst, (sqlite3_uint64)nNew * sizeof(int));
      if (aNew == 0) return SQLITE_NOMEM;
      p->aFirst = aNew;
      p->nAlloc = nNew;
    }
    p->aFirst[p->nFirst++] = p->iPos;
  }
  p->iPos++;
  return SQLITE_OK;
}

/*
** FTS5's window score: 1000 for each distinct phrase with an instance that
** starts in [iPos, iPos + nToken), 1 for each further instance.  A sliding
** window: the candidates of one CfSnipWin come in non-decreasing iPos, so
** each instance enters and leaves it once (O(1) amortised per candidate).
*/
typedef struct CfSnipWin {
  int lo, hi;         /* the instances in the window: [lo, hi) */
  int nTotal;         /* hi - lo */
  int nDistinct;      /* phrases with aCount > 0 */
  int *aCount;        /* per phrase: its instances in the window */
} CfSnipWin;

static int cfSnipScore(CfSnipWin *w, const CfSnipInst *a, int n, int nDocsize, int iPos,
                       int nToken, int *piAdj) {
  sqlite3_int64 iEnd = (sqlite3_int64)iPos + nToken;
  while (w->hi < n && a[w->hi].iStart < iEnd) {
    if (w->aCount[a[w->hi].iPhrase]++ == 0) w->nDistinct++;
    w->nTotal++;
    w->hi++;
  }
  while (w->lo < w->hi && a[w->lo].iStart < iPos) {
    if (--w->aCount[a[w->lo].iPhrase] == 0) w->nDistinct--;
    w->nTotal--;
    w->lo++;
  }
  if (piAdj) {
    /* a window centred on the instances: snippet()'s adjustment */
    int iFirst = w->nTotal ? a[w->lo].iStart : -1;
    int iLast = w->nTotal ? a[w->hi - 1].iEnd + 1 : 0;
    sqlite3_int64 iAdj = iFirst - (nToken - (iLast - iFirst)) / 2;
    if (iAdj + nToken > nDocsize) iAdj = nDocsize - nToken;
    if (iAdj < 0) iAdj = 0;
    *piAdj = (int)iAdj;
  }
  return w->nDistinct * 1000 + (w->nTotal - w->nDistinct);
}

/* Building the snippet: the window [iRangeStart, iRangeEnd] of tokens, the
** coalesced instances (overlapping ones merged) marked.  Every cut and
** every marker is put on a grapheme cluster boundary: a window or a mark
** starts at the boundary at or before its first token, and ends at the
** boundary at or after its last token (cfGraphemeAround, walking forward
** from the last boundary found, so the text is walked once).  A close
** marker waits in iPendClose until the next mark is known: two instances
** whose tokens share a cluster get one mark. */
typedef struct CfSnipOut {
  const char *zIn;
  int nIn;
  const char *zOpen, *zClose;
  int iRangeStart, iRangeEnd;
  const CfSnipInst *aInst;
  int nInst;
  int iInst;          /* next instance not yet merged into [iStart, iEnd] */
  int iStart, iEnd;   /* the current coalesced instance, or iStart < 0 */
  int bOpen;          /* zOpen written, the instance not ended yet */
  int iPendClose;     /* where a zClose not yet written goes, or -1 */
  int iWinEnd;        /* the end of the window's last cluster, or -1 */
  int iBound;         /* a cluster boundary at or before every later cut */
  int iPos;           /* the next token's position */
  int iOff;           /* zIn copied up to here */
  sqlite3_str *pOut;
} CfSnipOut;

static void cfSnipNext(CfSnipOut *p) {
  p->iStart = p->iEnd = -1;
  while (p->iInst < p->nInst) {
    const CfSnipInst *q = &p->aInst[p->iInst];
    if (p->iStart < 0) {
      p->iStart = q->iStart;
      p->iEnd = q->iEnd;
    } else if (q->iStart <= p->iEnd) {
      if (q->iEnd > p->iEnd) p->iEnd = q->iEnd;
    } else {
      break;
    }
    p->iInst++;
  }
}

static void cfSnipCopy(CfSnipOut *p, int iTo) {
  if (iTo > p->iOff) sqlite3_str_append(p->pOut, p->zIn + p->iOff, iTo - p->iOff);
  if (iTo > p->iOff) p->iOff = iTo;
}

static void cfSnipMark(CfSnipOut *p, int iAt, const char *zMark) {
  cfSnipCopy(p, iAt);
  sqlite3_str_appendall(p->pOut, zMark);
}

/* The cluster boundary at or before (bCeil: at or after) byte iOff. */
static int cfSnipCut(CfSnipOut *p, int iOff, int bCeil) {
  size_t iFloor;
  size_t iCeil = cfGraphemeAround(p->zIn, (size_t)p->nIn, (size_t)p->iBound, (size_t)iOff, &iFloor);
  p->iBound = (int)iFloor;
  return bCeil ? (int)iCeil : (int)iFloor;
}

static int cfSnipOutCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStartOff,
                       int iEndOff) {
  CfSnipOut *p = (CfSnipOut *)pCtx;
  int iPos;
  (void)pToken; (void)nToken;
  if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  iPos = p->iPos++;
  if (iPos < p->iRangeStart) return SQLITE_OK;
  if (iPos > p->iRangeEnd) return SQLITE_DONE;
  if (iPos == p->iRangeStart && iPos > 0) p->iOff = cfSnipCut(p, iStartOff, 0);
  if (!p->bOpen && p->iStart >= 0 && iPos >= p->iStart && iPos <= p->iEnd) {
    int iAt = cfSnipCut(p, iStartOff, 0);
    if (iAt < p->iOff) iAt = p->iOff;
    if (p->iPendClose < 0 || iAt >= p->iPendClose) {
      if (p->iPendClose >= 0) cfSnipMark(p, p->iPendClose, p->zClose);
      cfSnipMark(p, iAt, p->zOpen);
    } /* else: in the cluster the last mark ends in; that mark goes on */
    p->iPendClose = -1;
    p->bOpen = 1;
  }
  if (p->bOpen && (iPos == p->iEnd || iPos == p->iRangeEnd)) {
    p->iPendClose = cfSnipCut(p, iEndOff, 1);
    p->bOpen = 0;
    if (iPos == p->iEnd) cfSnipNext(p);
  }
  if (iPos == p->iRangeEnd) {
    p->iWinEnd = cfSnipCut(p, iEndOff, 1);
    return SQLITE_DONE;
  }
  return sqlite3_str_errcode(p->pOut);
}

static const char *cfSnipArg(sqlite3_value *v) {
  const char *z = (const char *)sqlite3_value_text(v);
  return z ? z : "";
}

static void cfSnippetFunc(const Fts5ExtensionApi *pApi, Fts5Context *pFts, sqlite3_context *ctx,
                          int nVal, sqlite3_value **apVal) {
  CfSnipInst *aInst = 0;
  int *aCount = 0;
  CfSnipWin sInst, sSent;   /* the windows of the two kinds of candidate */
  CfSnipFinder sFind;
  CfSnipOut sOut;
  const char *zDoc = 0, *zEllips;
  int iCol, nToken, nCol, nPhrase, nAll = 0, n = 0, nDoc = 0, nDocsize = 0;
  int iBestStart = 0, nBestScore = 0, rc;
  memset(&sFind, 0, sizeof(sFind));
  memset(&sOut, 0, sizeof(sOut));
  memset(&sInst, 0, sizeof(sInst));
  memset(&sSent, 0, sizeof(sSent));
  if (nVal != 5) {
    cfResultError(ctx, "chatflow: chatflow_snippet needs 5 arguments after the table: "
                       "column, open, close, ellipsis, max_tokens");
    return;
  }
  nCol = pApi->xColumnCount(pFts);
  iCol = sqlite3_value_int(apVal[0]);
  nToken = sqlite3_value_int(apVal[4]);
  if (iCol < 0 || iCol >= nCol) {
    cfResultError(ctx, "chatflow: chatflow_snippet column %d out of range (0..%d)", iCol, nCol - 1);
    return;
  }
  if (nToken < 1 || nToken > CF_SNIPPET_MAX_TOKENS) {
    cfResultError(ctx, "chatflow: chatflow_snippet max_tokens must be from 1 to %d, got %d",
                  CF_SNIPPET_MAX_TOKENS, nToken);
    return;
  }
  zEllips = cfSnipArg(apVal[3]);
  nPhrase = pApi->xPhraseCount(pFts);

  rc = pApi->xColumnText(pFts, iCol, &zDoc, &nDoc);
  if (rc == SQLITE_OK && zDoc == 0) goto done;   /* NULL text: NULL */
  if (rc == SQLITE_OK) rc = pApi->xColumnSize(pFts, iCol, &nDocsize);
  if (rc == SQLITE_OK) rc = pApi->xInstCount(pFts, &nAll);
  if (rc == SQLITE_OK && nAll > 0) {
    aInst = sqlite3_malloc64((sqlite3_uint64)nAll * sizeof(*aInst));
    aCount = sqlite3_malloc64(2 * (sqlite3_uint64)(nPhrase > 0 ? nPhrase : 1) * sizeof(int));
    if (aInst == 0 || aCount == 0) rc = SQLITE_NOMEM;
    else memset(aCount, 0, 2 * (size_t)(nPhrase > 0 ? nPhrase : 1) * sizeof(int));
  }
  for (int i = 0; rc == SQLITE_OK && i < nAll; i++) {
    int ip, ic, io;
    rc = pApi->xInst(pFts, i, &ip, &ic, &io);
    if (rc != SQLITE_OK || ic != iCol) continue;
    if (io > nDocsize || ip < 0 || ip >= nPhrase) {
      rc = SQLITE_CORRUPT_VTAB;
      break;
    }
    aInst[n].iStart = io;
    aInst[n].iEnd = io - 1 + pApi->xPhraseSize(pFts, ip);
    aInst[n].iPhrase = ip;
    n++;
  }

  /* The window: snippet()'s choice, each candidate scored in O(1) amortised. */
  sInst.aCount = aCount;
  sSent.aCount = aCount ? aCount + (nPhrase > 0 ? nPhrase : 1) : 0;
  if (rc == SQLITE_OK && n > 0 && nDocsize > nToken) {
    sFind.zDoc = zDoc;
    sFind.iLast = aInst[n - 1].iStart;
    rc = pApi->xTokenize(pFts, zDoc, nDoc, &sFind, cfSnipFinderCb);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  for (int ii = 0, jj = 0; rc == SQLITE_OK && ii < n; ii++) {
    int io = aInst[ii].iStart, iAdj;
    int nScore = cfSnipScore(&sInst, aInst, n, nDocsize, io, nToken, &iAdj);
    if (nScore > nBestScore) {
      nBestScore = nScore;
      iBestStart = iAdj;
    }
    if (sFind.nFirst && nDocsize > nToken) {
      /* the last sentence start at or before io (instances come in order) */
      while (jj < sFind.nFirst - 1 && sFind.aFirst[jj + 1] <= io) jj++;
      if (sFind.aFirst[jj] < io) {
        nScore = cfSnipScore(&sSent, aInst, n, nDocsize, sFind.aFirst[jj], nToken, 0);
        nScore += sFind.aFirst[jj] == 0 ? 120 : 100;
        if (nScore > nBestScore) {
          nBestScore = nScore;
          iBestStart = sFind.aFirst[jj];
        }
      }
    }
  }

  /* The text of the window, the instances in it marked. */
  if (rc == SQLITE_OK) {
    int bAll = iBestStart + nToken >= nDocsize, iEndAt;
    sOut.pOut = sqlite3_str_new(0);
    sOut.zIn = zDoc;
    sOut.nIn = nDoc;
    sOut.iPendClose = -1;
    sOut.iWinEnd = -1;
    sOut.zOpen = cfSnipArg(apVal[1]);
    sOut.zClose = cfSnipArg(apVal[2]);
    sOut.iRangeStart = iBestStart;
    sOut.iRangeEnd = iBestStart + nToken - 1;
    sOut.aInst = aInst;
    sOut.nInst = n;
    cfSnipNext(&sOut);
    while (sOut.iStart >= 0 && sOut.iEnd < iBestStart) cfSnipNext(&sOut);
    if (iBestStart > 0) sqlite3_str_appendall(sOut.pOut, zEllips);
    rc = pApi->xTokenize(pFts, zDoc, nDoc, &sOut, cfSnipOutCb);
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
    /* the window ends after its last token's cluster, or with the text */
    iEndAt = bAll || sOut.iWinEnd < 0 ? nDoc : sOut.iWinEnd;
    if (sOut.bOpen) sOut.iPendClose = iEndAt;
    if (sOut.iPendClose >= 0) cfSnipMark(&sOut, sOut.iPendClose, sOut.zClose);
    cfSnipCopy(&sOut, iEndAt);
    if (!bAll) sqlite3_str_appendall(sOut.pOut, zEllips);
    if (rc == SQLITE_OK) rc = sqlite3_str_errcode(sOut.pOut);
  }

done:
  if (rc == SQLITE_OK && sOut.pOut) {
    int nOut = sqlite3_str_length(sOut.pOut);
    sqlite3_result_text(ctx, sqlite3_str_finish(sOut.pOut), nOut, sqlite3_free);
    sOut.pOut = 0;
  } else if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
  } else if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
  } else {
    sqlite3_result_null(ctx);
  }
  sqlite3_free(sqlite3_str_finish(sOut.pOut));
  sqlite3_free(sFind.aFirst);
  sqlite3_free(aCount);
  sqlite3_free(aInst);
}

/* The connection's FTS5 API, or 0 when this SQLite has no FTS5. */
static fts5_api *cfFts5Api(sqlite3 *db) {
  fts5_api *pApi = 0;
  sqlite3_stmt *pStmt = 0;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &pStmt, 0) == SQLITE_OK) {
    sqlite3_bind_pointer(pStmt, 1, (void *)&pApi, "fts5_api_ptr", 0);
    sqlite3_step(pStmt);
  }
  sqlite3_finalize(pStmt);
  return pApi;
}

int cfRegisterSnippet(sqlite3 *db) {
  fts5_api *pApi = cfFts5Api(db);
  if (pApi == 0) return SQLITE_OK;   /* no FTS5: chatflow_init will say so */
  return pApi->xCreateFunction(pApi, "chatflow_snippet", 0, cfSnippetFunc, 0);
}
