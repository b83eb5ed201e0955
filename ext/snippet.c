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
** highlights the part of it in the window (3.40 leaves it unmarked); a cut
** at the end of the window is moved past any combining marks, variation
** selectors, emoji modifiers, tag characters and zero-width-joined
** characters that follow the last token, so no grapheme cluster is split
** (the window starts at a token, a letter or digit, which starts a
** cluster); every cut is at a token boundary, so never inside a UTF-8
** sequence.  The result is the same on every SQLite version (snippet()'s
** handling of overlapping phrases changed in 3.46).
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

/*
** Code points that continue the grapheme cluster of the character before
** them: general categories Mn, Me and Mc (combining and spacing marks,
** variation selectors, the keycap mark), U+200D ZERO WIDTH JOINER, the
** emoji skin-tone modifiers and the tag characters.  Generated from
** Python's unicodedata (Unicode 14.0.0); sorted, not overlapping.
*/
static const unsigned int cfSnippetExtend[][2] = {
  {0x300, 0x36F}, {0x483, 0x489}, {0x591, 0x5BD}, {0x5BF, 0x5BF}, {0x5C1, 0x5C2}, {0x5C4, 0x5C5},
  {0x5C7, 0x5C7}, {0x610, 0x61A}, {0x64B, 0x65F}, {0x670, 0x670}, {0x6D6, 0x6DC}, {0x6DF, 0x6E4},
  {0x6E7, 0x6E8}, {0x6EA, 0x6ED}, {0x711, 0x711}, {0x730, 0x74A}, {0x7A6, 0x7B0}, {0x7EB, 0x7F3},
  {0x7FD, 0x7FD}, {0x816, 0x819}, {0x81B, 0x823}, {0x825, 0x827}, {0x829, 0x82D}, {0x859, 0x85B},
  {0x898, 0x89F}, {0x8CA, 0x8E1}, {0x8E3, 0x903}, {0x93A, 0x93C}, {0x93E, 0x94F}, {0x951, 0x957},
  {0x962, 0x963}, {0x981, 0x983}, {0x9BC, 0x9BC}, {0x9BE, 0x9C4}, {0x9C7, 0x9C8}, {0x9CB, 0x9CD},
  {0x9D7, 0x9D7}, {0x9E2, 0x9E3}, {0x9FE, 0x9FE}, {0xA01, 0xA03}, {0xA3C, 0xA3C}, {0xA3E, 0xA42},
  {0xA47, 0xA48}, {0xA4B, 0xA4D}, {0xA51, 0xA51}, {0xA70, 0xA71}, {0xA75, 0xA75}, {0xA81, 0xA83},
  {0xABC, 0xABC}, {0xABE, 0xAC5}, {0xAC7, 0xAC9}, {0xACB, 0xACD}, {0xAE2, 0xAE3}, {0xAFA, 0xAFF},
  {0xB01, 0xB03}, {0xB3C, 0xB3C}, {0xB3E, 0xB44}, {0xB47, 0xB48}, {0xB4B, 0xB4D}, {0xB55, 0xB57},
  {0xB62, 0xB63}, {0xB82, 0xB82}, {0xBBE, 0xBC2}, {0xBC6, 0xBC8}, {0xBCA, 0xBCD}, {0xBD7, 0xBD7},
  {0xC00, 0xC04}, {0xC3C, 0xC3C}, {0xC3E, 0xC44}, {0xC46, 0xC48}, {0xC4A, 0xC4D}, {0xC55, 0xC56},
  {0xC62, 0xC63}, {0xC81, 0xC83}, {0xCBC, 0xCBC}, {0xCBE, 0xCC4}, {0xCC6, 0xCC8}, {0xCCA, 0xCCD},
  {0xCD5, 0xCD6}, {0xCE2, 0xCE3}, {0xD00, 0xD03}, {0xD3B, 0xD3C}, {0xD3E, 0xD44}, {0xD46, 0xD48},
  {0xD4A, 0xD4D}, {0xD57, 0xD57}, {0xD62, 0xD63}, {0xD81, 0xD83}, {0xDCA, 0xDCA}, {0xDCF, 0xDD4},
  {0xDD6, 0xDD6}, {0xDD8, 0xDDF}, {0xDF2, 0xDF3}, {0xE31, 0xE31}, {0xE34, 0xE3A}, {0xE47, 0xE4E},
  {0xEB1, 0xEB1}, {0xEB4, 0xEBC}, {0xEC8, 0xECD}, {0xF18, 0xF19}, {0xF35, 0xF35}, {0xF37, 0xF37},
  {0xF39, 0xF39}, {0xF3E, 0xF3F}, {0xF71, 0xF84}, {0xF86, 0xF87}, {0xF8D, 0xF97}, {0xF99, 0xFBC},
  {0xFC6, 0xFC6}, {0x102B, 0x103E}, {0x1056, 0x1059}, {0x105E, 0x1060}, {0x1062, 0x1064},
  {0x1067, 0x106D}, {0x1071, 0x1074}, {0x1082, 0x108D}, {0x108F, 0x108F}, {0x109A, 0x109D},
  {0x135D, 0x135F}, {0x1712, 0x1715}, {0x1732, 0x1734}, {0x1752, 0x1753}, {0x1772, 0x1773},
  {0x17B4, 0x17D3}, {0x17DD, 0x17DD}, {0x180B, 0x180D}, {0x180F, 0x180F}, {0x1885, 0x1886},
  {0x18A9, 0x18A9}, {0x1920, 0x192B}, {0x1930, 0x193B}, {0x1A17, 0x1A1B}, {0x1A55, 0x1A5E},
  {0x1A60, 0x1A7C}, {0x1A7F, 0x1A7F}, {0x1AB0, 0x1ACE}, {0x1B00, 0x1B04}, {0x1B34, 0x1B44},
  {0x1B6B, 0x1B73}, {0x1B80, 0x1B82}, {0x1BA1, 0x1BAD}, {0x1BE6, 0x1BF3}, {0x1C24, 0x1C37},
  {0x1CD0, 0x1CD2}, {0x1CD4, 0x1CE8}, {0x1CED, 0x1CED}, {0x1CF4, 0x1CF4}, {0x1CF7, 0x1CF9},
  {0x1DC0, 0x1DFF}, {0x200D, 0x200D}, {0x20D0, 0x20F0}, {0x2CEF, 0x2CF1}, {0x2D7F, 0x2D7F},
  {0x2DE0, 0x2DFF}, {0x302A, 0x302F}, {0x3099, 0x309A}, {0xA66F, 0xA672}, {0xA674, 0xA67D},
  {0xA69E, 0xA69F}, {0xA6F0, 0xA6F1}, {0xA802, 0xA802}, {0xA806, 0xA806}, {0xA80B, 0xA80B},
  {0xA823, 0xA827}, {0xA82C, 0xA82C}, {0xA880, 0xA881}, {0xA8B4, 0xA8C5}, {0xA8E0, 0xA8F1},
  {0xA8FF, 0xA8FF}, {0xA926, 0xA92D}, {0xA947, 0xA953}, {0xA980, 0xA983}, {0xA9B3, 0xA9C0},
  {0xA9E5, 0xA9E5}, {0xAA29, 0xAA36}, {0xAA43, 0xAA43}, {0xAA4C, 0xAA4D}, {0xAA7B, 0xAA7D},
  {0xAAB0, 0xAAB0}, {0xAAB2, 0xAAB4}, {0xAAB7, 0xAAB8}, {0xAABE, 0xAABF}, {0xAAC1, 0xAAC1},
  {0xAAEB, 0xAAEF}, {0xAAF5, 0xAAF6}, {0xABE3, 0xABEA}, {0xABEC, 0xABED}, {0xFB1E, 0xFB1E},
  {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0x101FD, 0x101FD}, {0x102E0, 0x102E0}, {0x10376, 0x1037A},
  {0x10A01, 0x10A03}, {0x10A05, 0x10A06}, {0x10A0C, 0x10A0F}, {0x10A38, 0x10A3A},
  {0x10A3F, 0x10A3F}, {0x10AE5, 0x10AE6}, {0x10D24, 0x10D27}, {0x10EAB, 0x10EAC},
  {0x10F46, 0x10F50}, {0x10F82, 0x10F85}, {0x11000, 0x11002}, {0x11038, 0x11046},
  {0x11070, 0x11070}, {0x11073, 0x11074}, {0x1107F, 0x11082}, {0x110B0, 0x110BA},
  {0x110C2, 0x110C2}, {0x11100, 0x11102}, {0x11127, 0x11134}, {0x11145, 0x11146},
  {0x11173, 0x11173}, {0x11180, 0x11182}, {0x111B3, 0x111C0}, {0x111C9, 0x111CC},
  {0x111CE, 0x111CF}, {0x1122C, 0x11237}, {0x1123E, 0x1123E}, {0x112DF, 0x112EA},
  {0x11300, 0x11303}, {0x1133B, 0x1133C}, {0x1133E, 0x11344}, {0x11347, 0x11348},
  {0x1134B, 0x1134D}, {0x11357, 0x11357}, {0x11362, 0x11363}, {0x11366, 0x1136C},
  {0x11370, 0x11374}, {0x11435, 0x11446}, {0x1145E, 0x1145E}, {0x114B0, 0x114C3},
  {0x115AF, 0x115B5}, {0x115B8, 0x115C0}, {0x115DC, 0x115DD}, {0x11630, 0x11640},
  {0x116AB, 0x116B7}, {0x1171D, 0x1172B}, {0x1182C, 0x1183A}, {0x11930, 0x11935},
  {0x11937, 0x11938}, {0x1193B, 0x1193E}, {0x11940, 0x11940}, {0x11942, 0x11943},
  {0x119D1, 0x119D7}, {0x119DA, 0x119E0}, {0x119E4, 0x119E4}, {0x11A01, 0x11A0A},
  {0x11A33, 0x11A39}, {0x11A3B, 0x11A3E}, {0x11A47, 0x11A47}, {0x11A51, 0x11A5B},
  {0x11A8A, 0x11A99}, {0x11C2F, 0x11C36}, {0x11C38, 0x11C3F}, {0x11C92, 0x11CA7},
  {0x11CA9, 0x11CB6}, {0x11D31, 0x11D36}, {0x11D3A, 0x11D3A}, {0x11D3C, 0x11D3D},
  {0x11D3F, 0x11D45}, {0x11D47, 0x11D47}, {0x11D8A, 0x11D8E}, {0x11D90, 0x11D91},
  {0x11D93, 0x11D97}, {0x11EF3, 0x11EF6}, {0x16AF0, 0x16AF4}, {0x16B30, 0x16B36},
  {0x16F4F, 0x16F4F}, {0x16F51, 0x16F87}, {0x16F8F, 0x16F92}, {0x16FE4, 0x16FE4},
  {0x16FF0, 0x16FF1}, {0x1BC9D, 0x1BC9E}, {0x1CF00, 0x1CF2D}, {0x1CF30, 0x1CF46},
  {0x1D165, 0x1D169}, {0x1D16D, 0x1D172}, {0x1D17B, 0x1D182}, {0x1D185, 0x1D18B},
  {0x1D1AA, 0x1D1AD}, {0x1D242, 0x1D244}, {0x1DA00, 0x1DA36}, {0x1DA3B, 0x1DA6C},
  {0x1DA75, 0x1DA75}, {0x1DA84, 0x1DA84}, {0x1DA9B, 0x1DA9F}, {0x1DAA1, 0x1DAAF},
  {0x1E000, 0x1E006}, {0x1E008, 0x1E018}, {0x1E01B, 0x1E021}, {0x1E023, 0x1E024},
  {0x1E026, 0x1E02A}, {0x1E130, 0x1E136}, {0x1E2AE, 0x1E2AE}, {0x1E2EC, 0x1E2EF},
  {0x1E8D0, 0x1E8D6}, {0x1E944, 0x1E94A}, {0x1F3FB, 0x1F3FF}, {0xE0020, 0xE007F},
  {0xE0100, 0xE01EF}
};

static int cfSnippetIsExtend(unsigned int c) {
  int lo = 0, hi = (int)(sizeof(cfSnippetExtend) / sizeof(cfSnippetExtend[0])) - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (c < cfSnippetExtend[mid][0]) hi = mid - 1;
    else if (c > cfSnippetExtend[mid][1]) lo = mid + 1;
    else return 1;
  }
  return 0;
}

/* Decodes the code point at z[i] (valid UTF-8: FTS5 only indexes text);
** returns its length in bytes. */
static int cfSnippetCodepoint(const unsigned char *z, int i, int n, unsigned int *pc) {
  unsigned int c = z[i];
  int nLen = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + nLen > n) nLen = n - i;
  if (nLen > 1) {
    c &= 0x3F >> (nLen - 1);
    for (int k = 1; k < nLen; k++) c = (c << 6) | (z[i + k] & 0x3F);
  }
  *pc = c;
  return nLen;
}

/* The end of the grapheme cluster that the text before byte iOff ends in:
** iOff moved past the extending code points that follow it. */
static int cfSnippetClusterEnd(const unsigned char *z, int n, int iOff) {
  while (iOff < n) {
    unsigned int c;
    int nLen = cfSnippetCodepoint(z, iOff, n, &c);
    if (!cfSnippetIsExtend(c)) break;
    iOff += nLen;
    if (c == 0x200D && iOff < n) {     /* a joiner takes the next character along */
      iOff += cfSnippetCodepoint(z, iOff, n, &c);
    }
  }
  return iOff;
}

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
** coalesced instances (overlapping ones merged) marked. */
typedef struct CfSnipOut {
  const char *zIn;
  const char *zOpen, *zClose;
  int iRangeStart, iRangeEnd;
  const CfSnipInst *aInst;
  int nInst;
  int iInst;          /* next instance not yet merged into [iStart, iEnd] */
  int iStart, iEnd;   /* the current coalesced instance, or iStart < 0 */
  int bOpen;          /* zOpen written, zClose not yet */
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

static int cfSnipOutCb(void *pCtx, int tflags, const char *pToken, int nToken, int iStartOff,
                       int iEndOff) {
  CfSnipOut *p = (CfSnipOut *)pCtx;
  int iPos;
  (void)pToken; (void)nToken;
  if (tflags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  iPos = p->iPos++;
  if (iPos < p->iRangeStart) return SQLITE_OK;
  if (iPos > p->iRangeEnd) return SQLITE_DONE;
  if (iPos == p->iRangeStart && iPos > 0) p->iOff = iStartOff;
  if (!p->bOpen && p->iStart >= 0 && iPos >= p->iStart && iPos <= p->iEnd) {
    cfSnipCopy(p, iStartOff);
    sqlite3_str_appendall(p->pOut, p->zOpen);
    p->bOpen = 1;
  }
  if (p->bOpen && iPos == p->iEnd) {
    cfSnipCopy(p, iEndOff);
    sqlite3_str_appendall(p->pOut, p->zClose);
    p->bOpen = 0;
    cfSnipNext(p);
  }
  if (iPos == p->iRangeEnd) {
    cfSnipCopy(p, iEndOff);
    if (p->bOpen) sqlite3_str_appendall(p->pOut, p->zClose);
    p->bOpen = 0;
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
    sOut.pOut = sqlite3_str_new(0);
    sOut.zIn = zDoc;
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
    if (sOut.bOpen) sqlite3_str_appendall(sOut.pOut, sOut.zClose);
    if (sOut.iRangeEnd >= nDocsize - 1) {
      cfSnipCopy(&sOut, nDoc);
    } else {
      cfSnipCopy(&sOut, cfSnippetClusterEnd((const unsigned char *)zDoc, nDoc, sOut.iOff));
      sqlite3_str_appendall(sOut.pOut, zEllips);
    }
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
