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
** NULL column text gives NULL; NULL markers are empty text.  column and
** max_tokens are integers (a REAL with an integral value, 1.0, counts as
** one: JavaScript binds every number so).  Errors: a wrong number of
** arguments, a column or max_tokens that is not an integer (1.5, text,
** NULL), a column out of range, max_tokens outside 1..64, and FTS5's own
** errors (SQLITE_NOMEM, a corrupt index).
** Flags: none can be given to an FTS5 auxiliary function; FTS5 lists it in
** pragma_function_list with narg -1 and no flags, and outside an FTS5
** query it only raises "unable to use function".  It only reads.
** Registered by cfRegisterSearch through the fts5_api of the connection
** (SELECT fts5(?1)); an SQLite without FTS5 gets nothing registered.
**
** Also here, for search_messages' queries with a character from U+0E00 on
** (search_vtab.c), which no single FTS5 query answers: CfLocator, which
** finds a query's terms in a text with the tokenizers of the trigram and
** the word indexes, and cfSnippetAround, the snippet around what it found
** (a window of grapheme clusters instead of tokens).  Why one file past 600
** lines: it is one concept — what a search shows of a text — and both
** kinds of snippet cut text by the same rules.
*/
#include "chatflow_int.h"

#include <stdlib.h>
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

/* The column or max_tokens argument: an integer, or a REAL with an integral
** value (cfValueInteger: 1.0 from JavaScript is 1); 0 with *piOut set, or 1
** after the error (1.5, text, a blob and NULL are refused, never coerced),
** which names what it got (cfValueDesc: "got real 1.5", "got text '2'"). */
static int cfSnipIntArg(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat,
                        sqlite3_int64 *piOut) {
  char zGot[CF_VALUE_DESC_LEN];
  if (cfValueInteger(v, piOut)) return 0;
  cfResultError(ctx, "chatflow: chatflow_snippet %s must be an integer, got %s", zWhat,
                cfValueDesc(v, zGot));
  return 1;
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
  sqlite3_int64 iArg = 0;
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
  if (cfSnipIntArg(ctx, apVal[0], "column", &iArg)) return;
  if (iArg < 0 || iArg >= nCol) {
    cfResultError(ctx, "chatflow: chatflow_snippet column %lld out of range (0..%d)", iArg, nCol - 1);
    return;
  }
  iCol = (int)iArg;
  if (cfSnipIntArg(ctx, apVal[4], "max_tokens", &iArg)) return;
  if (iArg < 1 || iArg > CF_SNIPPET_MAX_TOKENS) {
    cfResultError(ctx, "chatflow: chatflow_snippet max_tokens must be from 1 to %d, got %lld",
                  CF_SNIPPET_MAX_TOKENS, iArg);
    return;
  }
  nToken = (int)iArg;
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
fts5_api *cfFts5Api(sqlite3 *db) {
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

/* ======================================================================
** Search in scripts written without spaces, and emoji (search_vtab.c)
**
** A query term routed to the trigram index matches as a substring: it
** occurs where the text's code points, folded the way the trigram
** tokenizer folds them, equal the term's.  A term routed to the word
** index matches a run of tokens of unicode61 (remove_diacritics 2), the
** last one as a prefix for "term*".  CfLocator finds both kinds in a text
** with the tokenizers of the two indexes themselves (through the
** connection's fts5_api), so it sees what the indexes see:
**   - trigram: the text and two U+0001 are tokenized as migration 005
**     indexes them; the first code point of each trigram is the text's
**     code point at that position, folded.  Each term runs a
**     Knuth-Morris-Pratt matcher over that stream: O(n) a term;
**   - words: a ring of the last tokens; a phrase of m tokens is compared
**     at each token: O(n m).
** The tokenizer arguments are those of migrations 003 and 005.
** ====================================================================== */

typedef struct CfLocTerm {
  int bScript, bPrefix;
  int *aCp, *aFail, nCp;   /* script: folded code points, KMP failure table */
  int j;                   /* script: the matcher's state in this text */
  char **azTok;            /* word: the term's tokens */
  int *anTok, nTok;
} CfLocTerm;

typedef struct CfLocTok {  /* word: a token of the ring */
  char *z;
  int n, nAlloc;
  int iStart, iEnd;
} CfLocTok;

struct CfLocator {
  fts5_tokenizer tTri, tWord;
  Fts5Tokenizer *pTri, *pWord;
  CfLocTerm *aTerm;
  int nTerm;
  int nMaxCp, nMaxTok;     /* the longest term of each kind */
  int bScript, bWord;      /* some term of that kind */
  /* per text */
  const char *zText;
  int nText;
  int *aRing, nChar;       /* script: byte offsets of the last nMaxCp characters */
  CfLocTok *aTok;          /* word: the last nMaxTok tokens */
  int nTokSeen;
  CfSnipMatch *aMatch;
  int nMatch, nMatchAlloc;
  int *aCount;             /* per term: its occurrences */
  char *zPad;              /* the text and two U+0001 */
  int nPadAlloc;
  sqlite3_str *pFold;      /* cfLocatorTerm: the folded term */
  int rc;
};

int cfLocatorNew(sqlite3 *db, CfLocator **pp) {
  static const char *azWord[] = {"remove_diacritics", "2"};
  fts5_api *pApi = cfFts5Api(db);
  void *pUser = 0;
  CfLocator *p;
  int rc;
  *pp = 0;
  if (pApi == 0) return SQLITE_ERROR;
  p = sqlite3_malloc(sizeof(*p));
  if (p == 0) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  rc = pApi->xFindTokenizer(pApi, "trigram", &pUser, &p->tTri);
  if (rc == SQLITE_OK) rc = p->tTri.xCreate(pUser, 0, 0, &p->pTri);
  if (rc == SQLITE_OK) rc = pApi->xFindTokenizer(pApi, "unicode61", &pUser, &p->tWord);
  if (rc == SQLITE_OK) rc = p->tWord.xCreate(pUser, azWord, 2, &p->pWord);
  if (rc != SQLITE_OK) {
    cfLocatorFree(p);
    return rc;
  }
  *pp = p;
  return SQLITE_OK;
}

void cfLocatorFree(CfLocator *p) {
  if (p == 0) return;
  for (int i = 0; i < p->nTerm; i++) {
    CfLocTerm *t = &p->aTerm[i];
    sqlite3_free(t->aCp);
    sqlite3_free(t->aFail);
    for (int k = 0; k < t->nTok; k++) sqlite3_free(t->azTok[k]);
    sqlite3_free(t->azTok);
    sqlite3_free(t->anTok);
  }
  for (int i = 0; p->aTok && i < p->nMaxTok; i++) sqlite3_free(p->aTok[i].z);
  if (p->pTri) p->tTri.xDelete(p->pTri);
  if (p->pWord) p->tWord.xDelete(p->pWord);
  sqlite3_free(p->aTerm);
  sqlite3_free(p->aRing);
  sqlite3_free(p->aTok);
  sqlite3_free(p->aMatch);
  sqlite3_free(p->aCount);
  sqlite3_free(p->zPad);
  sqlite3_free(sqlite3_str_finish(p->pFold));
  sqlite3_free(p);
}

/* The code point UTF-8 z[0..n) starts with, and its length. */
static int cfLocCodepoint(const char *z, int n, int *pcp) {
  const unsigned char *u = (const unsigned char *)z;
  int c = u[0], nLen = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (nLen > n) nLen = n;
  if (nLen > 1) {
    c &= 0x3F >> (nLen - 1);
    for (int k = 1; k < nLen; k++) c = (c << 6) | (u[k] & 0x3F);
  }
  *pcp = c;
  return nLen;
}

/* Copies z[0..n) and two U+0001 into p->zPad: what the index tokenized. */
static int cfLocPad(CfLocator *p, const char *z, int n) {
  if (n + 2 > p->nPadAlloc) {
    char *zNew = sqlite3_realloc64(p->zPad, (sqlite3_uint64)n + 2);
    if (zNew == 0) return SQLITE_NOMEM;
    p->zPad = zNew;
    p->nPadAlloc = n + 2;
  }
  if (n) memcpy(p->zPad, z, (size_t)n);
  p->zPad[n] = 1;
  p->zPad[n + 1] = 1;
  return SQLITE_OK;
}

/* cfLocatorTerm, script terms: the first code point of each trigram. */
static int cfLocFoldCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStart, int iEnd) {
  CfLocator *p = (CfLocator *)pCtx;
  CfLocTerm *t = &p->aTerm[p->nTerm];
  int cp, nLen;
  (void)tflags; (void)iStart; (void)iEnd;
  if (nToken <= 0) return SQLITE_OK;
  nLen = cfLocCodepoint(pToken, nToken, &cp);
  if ((t->nCp & 15) == 0) {
    int *aNew = sqlite3_realloc64(t->aCp, (sqlite3_uint64)(t->nCp + 16) * sizeof(int));
    if (aNew == 0) return SQLITE_NOMEM;
    t->aCp = aNew;
  }
  t->aCp[t->nCp++] = cp;
  sqlite3_str_append(p->pFold, pToken, nLen);
  return sqlite3_str_errcode(p->pFold);
}

/* cfLocatorTerm, word terms: the tokens. */
static int cfLocWordTermCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStart,
                           int iEnd) {
  CfLocator *p = (CfLocator *)pCtx;
  CfLocTerm *t = &p->aTerm[p->nTerm];
  (void)iStart; (void)iEnd;
  if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  if ((t->nTok & 7) == 0) {
    char **azNew = sqlite3_realloc64(t->azTok, (sqlite3_uint64)(t->nTok + 8) * sizeof(char *));
    int *anNew;
    if (azNew == 0) return SQLITE_NOMEM;
    t->azTok = azNew;
    anNew = sqlite3_realloc64(t->anTok, (sqlite3_uint64)(t->nTok + 8) * sizeof(int));
    if (anNew == 0) return SQLITE_NOMEM;
    t->anTok = anNew;
  }
  t->azTok[t->nTok] = sqlite3_malloc(nToken > 0 ? nToken : 1);
  if (t->azTok[t->nTok] == 0) return SQLITE_NOMEM;
  if (nToken > 0) memcpy(t->azTok[t->nTok], pToken, (size_t)nToken);
  t->anTok[t->nTok++] = nToken;
  return SQLITE_OK;
}

/* Adds a term (z[0..n), as written): bScript for a substring of the
** trigram index, else a phrase of words, bPrefix for "term*".  For a
** script term, *pzFold (if not 0) gets its folded text (sqlite3_malloc'd):
** the prefix of the trigrams that hold a term of one or two characters. */
int cfLocatorTerm(CfLocator *p, const char *z, int n, int bScript, int bPrefix, char **pzFold) {
  CfLocTerm *t;
  CfLocTerm *aNew = sqlite3_realloc64(p->aTerm, (sqlite3_uint64)(p->nTerm + 1) * sizeof(CfLocTerm));
  int *aCount;
  int rc;
  if (pzFold) *pzFold = 0;
  if (aNew == 0) return SQLITE_NOMEM;
  p->aTerm = aNew;
  aCount = sqlite3_realloc64(p->aCount, (sqlite3_uint64)(p->nTerm + 1) * sizeof(int));
  if (aCount == 0) return SQLITE_NOMEM;
  p->aCount = aCount;
  t = &p->aTerm[p->nTerm];
  memset(t, 0, sizeof(*t));
  t->bScript = bScript;
  t->bPrefix = bPrefix;
  if (bScript) {
    sqlite3_free(sqlite3_str_finish(p->pFold));
    p->pFold = sqlite3_str_new(0);
    rc = cfLocPad(p, z, n);
    if (rc == SQLITE_OK) {
      rc = p->tTri.xTokenize(p->pTri, p, FTS5_TOKENIZE_QUERY, p->zPad, n + 2, cfLocFoldCb);
    }
    if (rc == SQLITE_OK && t->nCp > 0) {
      /* the failure function of Knuth-Morris-Pratt */
      t->aFail = sqlite3_malloc64((sqlite3_uint64)t->nCp * sizeof(int));
      if (t->aFail == 0) rc = SQLITE_NOMEM;
      else {
        t->aFail[0] = 0;
        for (int i = 1, k = 0; i < t->nCp; i++) {
          while (k > 0 && t->aCp[i] != t->aCp[k]) k = t->aFail[k - 1];
          if (t->aCp[i] == t->aCp[k]) k++;
          t->aFail[i] = k;
        }
      }
    }
    if (rc == SQLITE_OK && pzFold) {
      int nFold = sqlite3_str_length(p->pFold);
      char *zFold = sqlite3_str_finish(p->pFold);
      p->pFold = 0;
      if (zFold == 0 && nFold == 0) zFold = sqlite3_mprintf("");
      if (zFold == 0) rc = SQLITE_NOMEM;
      *pzFold = zFold;
    }
    if (t->nCp > p->nMaxCp) p->nMaxCp = t->nCp;
    p->bScript = 1;
  } else {
    rc = p->tWord.xTokenize(p->pWord, p, FTS5_TOKENIZE_QUERY | (bPrefix ? FTS5_TOKENIZE_PREFIX : 0), z,
                            n, cfLocWordTermCb);
    if (t->nTok > p->nMaxTok) p->nMaxTok = t->nTok;
    p->bWord = 1;
  }
  p->nTerm++;  /* also on failure: cfLocatorFree frees what it holds */
  if (rc != SQLITE_OK && pzFold) {
    sqlite3_free(*pzFold);
    *pzFold = 0;
  }
  return rc;
}

static int cfLocAddMatch(CfLocator *p, int iStart, int iEnd, int iTerm) {
  if (p->nMatch == p->nMatchAlloc) {
    int nNew = p->nMatchAlloc ? p->nMatchAlloc * 2 : 16;
    CfSnipMatch *aNew = sqlite3_realloc64(p->aMatch, (sqlite3_uint64)nNew * sizeof(CfSnipMatch));
    if (aNew == 0) return SQLITE_NOMEM;
    p->aMatch = aNew;
    p->nMatchAlloc = nNew;
  }
  if (iEnd > p->nText) iEnd = p->nText;   /* a term ending in the padding */
  p->aMatch[p->nMatch].iStart = iStart;
  p->aMatch[p->nMatch].iEnd = iEnd;
  p->aMatch[p->nMatch].iTerm = iTerm;
  p->nMatch++;
  p->aCount[iTerm]++;
  return SQLITE_OK;
}

/* Each trigram: its first code point is the text's next one, folded. */
static int cfLocScriptCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStart,
                         int iEnd) {
  CfLocator *p = (CfLocator *)pCtx;
  int cp, iChar = p->nChar++;
  (void)tflags; (void)iEnd;
  if (nToken <= 0) return SQLITE_OK;
  cfLocCodepoint(pToken, nToken, &cp);
  p->aRing[iChar % p->nMaxCp] = iStart;
  for (int i = 0; i < p->nTerm; i++) {
    CfLocTerm *t = &p->aTerm[i];
    if (!t->bScript || t->nCp == 0) continue;
    while (t->j > 0 && t->aCp[t->j] != cp) t->j = t->aFail[t->j - 1];
    if (t->aCp[t->j] == cp) t->j++;
    if (t->j == t->nCp) {
      int iFirst = p->aRing[(iChar - t->nCp + 1) % p->nMaxCp], c;
      int rc = cfLocAddMatch(p, iFirst, iStart + cfLocCodepoint(p->zPad + iStart, p->nText + 2 - iStart, &c),
                             i);
      if (rc != SQLITE_OK) return rc;
      t->j = t->aFail[t->j - 1];
    }
  }
  return SQLITE_OK;
}

/* Each word token enters the ring; every word term is compared with the
** tokens that end with it. */
static int cfLocWordCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStart, int iEnd) {
  CfLocator *p = (CfLocator *)pCtx;
  CfLocTok *q;
  int k;
  if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  k = p->nTokSeen++;
  q = &p->aTok[k % p->nMaxTok];
  if (nToken > q->nAlloc) {
    char *zNew = sqlite3_realloc64(q->z, (sqlite3_uint64)nToken);
    if (zNew == 0) return SQLITE_NOMEM;
    q->z = zNew;
    q->nAlloc = nToken;
  }
  if (nToken > 0) memcpy(q->z, pToken, (size_t)nToken);
  q->n = nToken;
  q->iStart = iStart;
  q->iEnd = iEnd;
  for (int i = 0; i < p->nTerm; i++) {
    CfLocTerm *t = &p->aTerm[i];
    int m = t->nTok, bMatch = 1;
    if (t->bScript || m == 0 || k + 1 < m) continue;
    for (int x = 0; x < m && bMatch; x++) {
      const CfLocTok *r = &p->aTok[(k - m + 1 + x) % p->nMaxTok];
      int bLast = x == m - 1;
      if (bLast && t->bPrefix) {
        bMatch = r->n >= t->anTok[x] && memcmp(r->z, t->azTok[x], (size_t)t->anTok[x]) == 0;
      } else {
        bMatch = r->n == t->anTok[x] && memcmp(r->z, t->azTok[x], (size_t)t->anTok[x]) == 0;
      }
    }
    if (bMatch) {
      int rc = cfLocAddMatch(p, p->aTok[(k - m + 1) % p->nMaxTok].iStart, iEnd, i);
      if (rc != SQLITE_OK) return rc;
    }
  }
  return SQLITE_OK;
}

static int cfLocMatchCmp(const void *a, const void *b) {
  const CfSnipMatch *x = (const CfSnipMatch *)a, *y = (const CfSnipMatch *)b;
  if (x->iStart != y->iStart) return x->iStart < y->iStart ? -1 : 1;
  if (x->iEnd != y->iEnd) return x->iEnd < y->iEnd ? -1 : 1;
  return x->iTerm - y->iTerm;
}

/* Finds every term in z[0..n): *paMatch (owned by p, valid until the next
** call) gets the occurrences in text order, and cfLocatorCount() each
** term's number of them. */
int cfLocatorFind(CfLocator *p, const char *z, int n, const CfSnipMatch **paMatch, int *pnMatch) {
  int rc = SQLITE_OK;
  p->zText = z;
  p->nText = n;
  p->nMatch = 0;
  p->nChar = 0;
  p->nTokSeen = 0;
  for (int i = 0; i < p->nTerm; i++) {
    p->aCount[i] = 0;
    p->aTerm[i].j = 0;
  }
  /* a script term holds a code point >= U+0E00: a text without one has none */
  if (p->bScript && p->nMaxCp > 0 && cfUtf8HasScript((const unsigned char *)z, n)) {
    if (p->aRing == 0) {
      p->aRing = sqlite3_malloc64((sqlite3_uint64)p->nMaxCp * sizeof(int));
      if (p->aRing == 0) rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK) rc = cfLocPad(p, z, n);
    if (rc == SQLITE_OK) {
      rc = p->tTri.xTokenize(p->pTri, p, FTS5_TOKENIZE_DOCUMENT, p->zPad, n + 2, cfLocScriptCb);
    }
  }
  if (rc == SQLITE_OK && p->bWord && p->nMaxTok > 0) {
    if (p->aTok == 0) {
      p->aTok = sqlite3_malloc64((sqlite3_uint64)p->nMaxTok * sizeof(CfLocTok));
      if (p->aTok == 0) rc = SQLITE_NOMEM;
      else memset(p->aTok, 0, (size_t)p->nMaxTok * sizeof(CfLocTok));
    }
    if (rc == SQLITE_OK) rc = p->tWord.xTokenize(p->pWord, p, FTS5_TOKENIZE_DOCUMENT, z, n, cfLocWordCb);
  }
  if (rc == SQLITE_OK && p->nMatch > 1) qsort(p->aMatch, (size_t)p->nMatch, sizeof(CfSnipMatch), cfLocMatchCmp);
  *paMatch = p->aMatch;
  *pnMatch = rc == SQLITE_OK ? p->nMatch : 0;
  return rc;
}

int cfLocatorCount(const CfLocator *p, int iTerm) { return p->aCount[iTerm]; }

/*
** The snippet of a text for the occurrences aMatch[0..nMatch) (in text
** order) of nTerm terms: a window of at most nWindow grapheme clusters,
** chosen as snippet() chooses its tokens (the most distinct terms, then
** the most occurrences, among those that fit in it whole; centred on
** them), its edges moved to white space within a quarter of the window
** when there is some (words stay whole in scripts that have spaces), each
** occurrence widened to whole clusters and marked with zOpen/zClose
** (overlapping ones as one), zEllips where the text is cut.  Two walks
** over the text: O(n + k log k + k * nWindow * nTerm) for k occurrences.
** Returns an sqlite3_malloc'd string, or 0 with *pRc set.
*/
typedef struct CfSnipSpan {
  int cs, ce;    /* clusters [cs, ce) */
  int iTerm;
} CfSnipSpan;

static int cfSnipEndCmp(const void *a, const void *b) {
  const int *x = (const int *)a, *y = (const int *)b;
  return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : x[1] - y[1];
}

char *cfSnippetAround(const char *z, int n, const CfSnipMatch *aMatch, int nMatch, int nTerm,
                      int nWindow, const char *zOpen, const char *zClose, const char *zEllips,
                      int *pRc) {
  CfSnipSpan *aSpan = 0;
  int *aEnd = 0, *aCount = 0, *aOff = 0, *aCls = 0;
  sqlite3_str *pOut = 0;
  char *zOut = 0;
  int nClus = 0, ws = 0, we, wsBase, lo, hi, nSlot = nWindow + 2, rc = SQLITE_OK;
  size_t b;

  if (nMatch > 0) {
    aSpan = sqlite3_malloc64((sqlite3_uint64)nMatch * sizeof(CfSnipSpan));
    aEnd = sqlite3_malloc64((sqlite3_uint64)nMatch * 2 * sizeof(int));
    aCount = sqlite3_malloc64((sqlite3_uint64)(nTerm > 0 ? nTerm : 1) * sizeof(int));
    if (aSpan == 0 || aEnd == 0 || aCount == 0) {
      rc = SQLITE_NOMEM;
      goto done;
    }
    memset(aCount, 0, (size_t)(nTerm > 0 ? nTerm : 1) * sizeof(int));
    for (int i = 0; i < nMatch; i++) {
      aEnd[2 * i] = aMatch[i].iEnd;
      aEnd[2 * i + 1] = i;
    }
    qsort(aEnd, (size_t)nMatch, 2 * sizeof(int), cfSnipEndCmp);
  }
  aOff = sqlite3_malloc64((sqlite3_uint64)nSlot * sizeof(int));
  aCls = sqlite3_malloc64((sqlite3_uint64)nSlot * sizeof(int));
  if (aOff == 0 || aCls == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }

  /* 1. the clusters of each occurrence: its first one, one past its last */
  {
    int si = 0, ei = 0;
    for (b = 0; b < (size_t)n; nClus++) {
      size_t e = cfGraphemeNext(z, (size_t)n, b);
      while (si < nMatch && (size_t)aMatch[si].iStart < e) {
        aSpan[si].cs = nClus;
        aSpan[si].iTerm = aMatch[si].iTerm;
        si++;
      }
      while (ei < nMatch && (size_t)aEnd[2 * ei] <= e) aSpan[aEnd[2 * ei++ + 1]].ce = nClus + 1;
      b = e;
    }
    for (; si < nMatch; si++) {   /* (at the very end: empty) */
      aSpan[si].cs = nClus;
      aSpan[si].iTerm = aMatch[si].iTerm;
    }
    for (; ei < nMatch; ei++) aSpan[aEnd[2 * ei + 1]].ce = nClus;
    for (int i = 0; i < nMatch; i++) {
      if (aSpan[i].ce < aSpan[i].cs + 1 && aSpan[i].cs < nClus) aSpan[i].ce = aSpan[i].cs + 1;
    }
  }

  /* 2. the window: snippet()'s score of each candidate start (an
  ** occurrence), counting the occurrences that fit in it whole; the best
  ** first candidate wins, centred on what it holds.  An occurrence starts
  ** at a distinct cluster per term, so a window holds at most nWindow of
  ** each term: O(k * nWindow * nTerm). */
  if (nMatch > 0 && nClus > nWindow) {
    int nBest = -1, iBest = 0, iBestLast = 0;
    for (lo = 0; lo < nMatch; lo++) {
      int nDistinct = 0, nIn = 0, iLast = aSpan[lo].cs + 1, nLimit = aSpan[lo].cs + nWindow, nScore;
      if (lo > 0 && aSpan[lo].cs == aSpan[lo - 1].cs) continue;   /* the same start */
      for (hi = lo; hi < nMatch && aSpan[hi].cs < nLimit; hi++) {
        if (aSpan[hi].ce > nLimit) continue;
        if (aCount[aSpan[hi].iTerm] != lo + 1) {
          aCount[aSpan[hi].iTerm] = lo + 1;   /* seen from this start */
          nDistinct++;
        }
        nIn++;
        if (aSpan[hi].ce > iLast) iLast = aSpan[hi].ce;
      }
      nScore = nDistinct * 1000 + (nIn - nDistinct);
      if (nScore > nBest) {
        nBest = nScore;
        iBest = lo;
        iBestLast = iLast;
      }
    }
    ws = aSpan[iBest].cs - (nWindow - (iBestLast - aSpan[iBest].cs)) / 2;
    if (ws > nClus - nWindow) ws = nClus - nWindow;
    if (ws < 0) ws = 0;
  }
  we = ws + nWindow < nClus ? ws + nWindow : nClus;

  /* 3. offsets and classes of the clusters ws-1 .. we */
  wsBase = ws;
  {
    int ci = 0;
    for (b = 0; ci <= we; ci++) {
      if (ci >= ws - 1) {
        size_t nLen;
        aOff[ci - ws + 1] = (int)b;
        aCls[ci - ws + 1] = b < (size_t)n ? cfTextClassAt(z, (size_t)n, b, &nLen) : CF_TEXT_SPACE;
      }
      if (b >= (size_t)n) break;
      b = cfGraphemeNext(z, (size_t)n, b);
    }
  }
#define CF_OFF(c) aOff[(c) - wsBase + 1]
#define CF_CLS(c) aCls[(c) - wsBase + 1]
  /* edges on white space: not past the first and last occurrences shown */
  {
    int iFirst = we, iLastEnd = ws, nSnap = nWindow / 4;
    for (int i = 0; i < nMatch; i++) {
      if (aSpan[i].ce <= ws || aSpan[i].cs >= we) continue;
      if (aSpan[i].cs < iFirst) iFirst = aSpan[i].cs;
      if (aSpan[i].ce > iLastEnd) iLastEnd = aSpan[i].ce;
    }
    if (iFirst < ws) iFirst = ws;
    if (iLastEnd > we) iLastEnd = we;
    if (ws > 0 && CF_CLS(ws - 1) != CF_TEXT_SPACE) {
      for (int c = ws; c < ws + nSnap && c < iFirst; c++) {
        if (CF_CLS(c) == CF_TEXT_SPACE) {
          ws = c + 1;
          break;
        }
      }
    }
    if (ws > 0) {
      while (ws < iFirst && CF_CLS(ws) == CF_TEXT_SPACE) ws++;
    }
    if (we < nClus && CF_CLS(we) != CF_TEXT_SPACE) {
      for (int c = we - 1; c >= we - nSnap && c > iLastEnd && c > ws; c--) {
        if (CF_CLS(c) == CF_TEXT_SPACE) {
          we = c;
          break;
        }
      }
    }
    if (we < nClus) {
      while (we > iLastEnd && we > ws && CF_CLS(we - 1) == CF_TEXT_SPACE) we--;
    }
  }

  /* 4. the text of [ws, we), the occurrences in it marked */
  pOut = sqlite3_str_new(0);
  {
    int iCopied = CF_OFF(ws), iPend = -1;   /* iPend: the open mark ends at this cluster */
    if (ws > 0) sqlite3_str_appendall(pOut, zEllips);
    for (int i = 0; i < nMatch; i++) {
      int ms = aSpan[i].cs > ws ? aSpan[i].cs : ws, me = aSpan[i].ce < we ? aSpan[i].ce : we;
      if (me <= ms) continue;
      if (iPend >= 0 && ms < iPend) {
        if (me > iPend) iPend = me;
        continue;
      }
      if (iPend >= 0) {
        sqlite3_str_append(pOut, z + iCopied, CF_OFF(iPend) - iCopied);
        sqlite3_str_appendall(pOut, zClose);
        iCopied = CF_OFF(iPend);
      }
      sqlite3_str_append(pOut, z + iCopied, CF_OFF(ms) - iCopied);
      sqlite3_str_appendall(pOut, zOpen);
      iCopied = CF_OFF(ms);
      iPend = me;
    }
    if (iPend >= 0) {
      sqlite3_str_append(pOut, z + iCopied, CF_OFF(iPend) - iCopied);
      sqlite3_str_appendall(pOut, zClose);
      iCopied = CF_OFF(iPend);
    }
    sqlite3_str_append(pOut, z + iCopied, CF_OFF(we) - iCopied);
    if (we < nClus) sqlite3_str_appendall(pOut, zEllips);
  }
#undef CF_OFF
#undef CF_CLS
  rc = sqlite3_str_errcode(pOut);
  if (rc == SQLITE_OK) {
    int nOut = sqlite3_str_length(pOut);
    zOut = sqlite3_str_finish(pOut);
    pOut = 0;
    if (zOut == 0 && nOut == 0) zOut = sqlite3_mprintf("");
    if (zOut == 0) rc = SQLITE_NOMEM;
  }
done:
  sqlite3_free(sqlite3_str_finish(pOut));
  sqlite3_free(aSpan);
  sqlite3_free(aEnd);
  sqlite3_free(aCount);
  sqlite3_free(aOff);
  sqlite3_free(aCls);
  *pRc = rc;
  return zOut;
}

/* The folded text of a script term (*pzFold, sqlite3_malloc'd), without
** adding it to the terms located (a term under NOT). */
int cfLocatorFold(CfLocator *p, const char *z, int n, char **pzFold) {
  int nTerm = p->nTerm, nMaxCp = p->nMaxCp, bScript = p->bScript;
  int rc = cfLocatorTerm(p, z, n, 1, 0, pzFold);
  if (p->nTerm > nTerm) {
    CfLocTerm *t = &p->aTerm[--p->nTerm];
    sqlite3_free(t->aCp);
    sqlite3_free(t->aFail);
  }
  p->nMaxCp = nMaxCp;
  p->bScript = bScript;
  return rc;
}

static int cfLocCountCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStart, int iEnd) {
  (void)pToken; (void)nToken; (void)iStart; (void)iEnd;
  if (!(tflags & FTS5_TOKEN_COLOCATED)) (*(int *)pCtx)++;
  return SQLITE_OK;
}

/* The number of tokens the word index makes of z[0..n): 0 for a term of
** only punctuation, which FTS5 leaves out of an implicit AND. */
int cfLocatorWordTokens(CfLocator *p, const char *z, int n, int *pnTok) {
  *pnTok = 0;
  return p->tWord.xTokenize(p->pWord, pnTok, FTS5_TOKENIZE_QUERY, z, n, cfLocCountCb);
}
