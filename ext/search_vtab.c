/*
** search_vtab.c — search_messages: full-text search (FTS5) over message
** content and conversation titles.
**
**   SELECT * FROM search_messages(query [, owner [, options_json]]);
**
** Example:
**   SELECT conversation_id, seq, snippet FROM search_messages('sourdough', 'acme');
**
** Columns: conversation_id, message_id, seq, role, kind ('message' or
** 'title'), snippet (the match highlighted as [word], at most 12 tokens
** around it), rank (lower is better), created_at (of the message; of the
** conversation for a title match), title; arguments are the hidden columns
** query, owner, options.
**
** Options: order ("rank", the default, or "newest"), limit (1..500,
** default 50), deleted (true: also search soft-deleted conversations;
** default false), titles (false: messages only; default true), syntax
** ("fts5", the default: FTS5 query syntax — AND, OR, NOT, "phrases",
** prefix*; or "plain": every word is matched literally, all must occur).
** A query FTS5 cannot parse fails with "chatflow: invalid search query
** '...': <FTS5's reason>" (use "plain" for user input taken as is).
** White space of every kind (U+00A0, U+3000 ...: Unicode's White_Space)
** separates as an ASCII space does, in both syntaxes (cfSearchSpaces,
** cfSearchVisible); a query of white space only is empty.
**
** Two indexes, and how a query is routed (docs/search.md):
**   - words: chat_messages_fts / chat_titles_fts (unicode61, migration
**     003).  A query without a code point >= U+0E00 is one FTS5 query on
**     them, as it always was: rank is bm25, the snippet chatflow_snippet.
**   - scripts: chat_messages_trigram / chat_titles_trigram (migration 005),
**     which hold every text with a code point >= U+0E00 (Thai, CJK,
**     Hangul, symbols, emoji: unicode61 makes a Chinese sentence one token
**     and drops emoji).  A query with such a code point is split into its
**     terms (fts5 syntax: barewords and "strings", with AND, OR, NOT,
**     parentheses and *; plain: the words, cut at punctuation), and each
**     term goes by itself: one with such a code point is a substring of
**     the trigram index — MATCH on the trigram table for 3+ characters,
**     the fts5vocab range of the trigrams it starts for 1 or 2 — every
**     other term is a word (phrase) of the word index.  Exact: a text that
**     holds the term holds the code point, so it is in the trigram index.
**     The rows come from one statement over both (cfSearchScripts); rank
**     (BM25 without idf) and snippet (snippet.c: CfLocator,
**     cfSnippetAround) are computed in C, so tvf.c walks rows made in C.
**
** Messages reach the message indexes in batches (migration 005's search
** mark, index.c); the ones still waiting are matched in a private copy
** (cfSearchPending) and joined in: the words path as [id, rank, snippet]
** rows, the scripts path as each term's ids, both JSON arrays read with
** json_each.  So raw INSERTs and DELETEs are searchable at once.
** Errors: a NULL or empty query, a non-text owner, malformed options; on
** the scripts path NEAR, column filters, ^ and + (which join or restrict
** terms inside one index).
** SQLITE_VTAB_INNOCUOUS: it only reads.
**
** Why one file past 600 lines: the two paths are one function, with the
** same arguments, options, columns and order; the query parser of the
** scripts path exists only to route terms.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_SEARCH_LIMIT_DEFAULT 50
#define CF_SEARCH_LIMIT_MAX 500

/* A plain SQLITE_ERROR while stepping comes from FTS5 parsing the MATCH
** text ("fts5: syntax error near ...", "unterminated string", "no such
** column: x" for a column filter): it is the user's query. */
static char *cfSearchStepError(CfConn *p, sqlite3_value **aArg, int rc) {
  const char *zMsg = sqlite3_errmsg(p->db);
  if (rc != SQLITE_ERROR || zMsg == 0) return 0;
  return sqlite3_mprintf("chatflow: invalid search query '%s': %s", sqlite3_value_text(aArg[0]),
                         zMsg);
}

/* The "plain" syntax: every whitespace-separated word as a quoted FTS5
** string ("" doubled), implicitly AND-ed. */
static char *cfSearchPlain(const char *z) {
  sqlite3_str *pOut = sqlite3_str_new(0);
  int bWord = 0;
  for (; *z; z++) {
    if (*z == ' ' || *z == '\t' || *z == '\n' || *z == '\r') {
      if (bWord) sqlite3_str_appendall(pOut, "\" ");
      bWord = 0;
      continue;
    }
    if (!bWord) sqlite3_str_appendchar(pOut, 1, '"');
    bWord = 1;
    if (*z == '"') sqlite3_str_appendchar(pOut, 1, '"');
    sqlite3_str_appendchar(pOut, 1, *z);
  }
  if (bWord) sqlite3_str_appendchar(pOut, 1, '"');
  return sqlite3_str_finish(pOut);
}

/* One character of a query as searched (cfSearchVisible, cfSearchSpaces):
** at zOut[*pj], an ASCII space in place of the nLen bytes at zChar when
** bSpace, else those bytes; *pj moves past what was written. */
static void cfSearchPut(char *zOut, size_t *pj, const char *zChar, size_t nLen, int bSpace) {
  if (bSpace) {
    zOut[(*pj)++] = ' ';
  } else {
    memcpy(zOut + *pj, zChar, nLen);
    *pj += nLen;
  }
}

/* The "plain" syntax takes text as a user typed or pasted it: white
** space of every kind (cfTextClassAt's CF_TEXT_SPACE: U+00A0 NO-BREAK
** SPACE, U+3000 IDEOGRAPHIC SPACE, U+2000..U+200A, U+0085, \f ...) and the
** invisible format characters that end a word for unicode61
** (cfTextFormatBreak: U+200B zero width space, U+2060, U+FEFF, the bidi
** marks ...) become ASCII spaces, which separate the words.  Kept, U+00A0
** would join two words into one quoted string (a phrase), and a
** character from U+0E00 on would send a word that carries one ("bread" +
** U+200B) to the substring index, where no text holds it.  (U+200C,
** U+200D and the tag characters stay: they join emoji.)  A copy, or 0
** when out of memory. */
static char *cfSearchVisible(const char *z) {
  size_t n = strlen(z), j = 0, nLen;
  char *zOut = sqlite3_malloc64(n + 1);
  if (zOut == 0) return 0;
  for (size_t i = 0; i < n; i += nLen) {
    int bSpace = cfTextClassAt(z, n, i, &nLen) == CF_TEXT_SPACE || cfTextFormatBreak(z, n, i, &nLen);
    cfSearchPut(zOut, &j, z + i, nLen, bSpace);
  }
  zOut[j] = 0;
  return zOut;
}

/* The default (FTS5) syntax takes white space of every kind as FTS5
** takes an ASCII space (cfTextClassAt's CF_TEXT_SPACE: U+00A0 NO-BREAK
** SPACE, U+3000 IDEOGRAPHIC SPACE, what an IME types between words,
** U+2000..U+200A, U+0085, \v and \f ...).  FTS5 reads U+00A0 as part of
** a bareword, so "jam<U+00A0>morning" was the phrase "jam morning"; U+3000
** is a character from U+0E00 on, so the whole query went to the scripts
** path as one substring; \v and \f were a syntax error.  Outside
** "strings" each one becomes an ASCII space.  Inside a string too when
** the string holds no other character from U+0E00 on: it is then a phrase
** of words, and "jam<U+3000>morning" is "jam morning", which matches the
** two words however a text separates them.  A string with such a
** character (CJK, Thai, emoji) is a substring of the trigram index, its
** white space kept as typed.  A string runs from a '"' to the next lone
** '"' ("" inside stands for one), as FTS5 reads it, or to the end.  A
** copy, never longer, or 0 when out of memory. */
static char *cfSearchSpaces(const char *z) {
  size_t n = strlen(z), j = 0, nLen;
  char *zOut = sqlite3_malloc64(n + 1);
  if (zOut == 0) return 0;
  for (size_t i = 0; i < n;) {
    size_t iEnd;
    int bKeep = 0;
    if (z[i] == '"') {
      iEnd = i + 1;
      while (iEnd < n && (z[iEnd] != '"' || (iEnd + 1 < n && z[iEnd + 1] == '"'))) {
        iEnd += z[iEnd] == '"' ? 2 : 1;
      }
      if (iEnd < n) iEnd++;   /* the closing quote */
      for (size_t k = i; k < iEnd && !bKeep; k += nLen) {
        bKeep = cfTextClassAt(z, iEnd, k, &nLen) != CF_TEXT_SPACE &&
                cfUtf8HasScript((const unsigned char *)z + k, (int)nLen);
      }
    } else {
      cfTextClassAt(z, n, i, &nLen);
      iEnd = i + nLen;
    }
    for (; i < iEnd; i += nLen) {   /* the string, or the one character at i */
      int bSpace = cfTextClassAt(z, n, i, &nLen) == CF_TEXT_SPACE;
      cfSearchPut(zOut, &j, z + i, nLen, bSpace && !bKeep);
    }
  }
  zOut[j] = 0;
  return zOut;
}

/* True when z is white space only (cfTextClassAt), or empty. */
static int cfSearchBlank(const char *z) {
  size_t n = strlen(z), nLen;
  for (size_t i = 0; i < n; i += nLen) {
    if (cfTextClassAt(z, n, i, &nLen) != CF_TEXT_SPACE) return 0;
  }
  return 1;
}

/* ======================================================================
** Queries with a character from U+0E00 on: the scripts path
** ====================================================================== */

#define CF_SEARCH_WINDOW 32   /* grapheme clusters of a snippet on this path */
#define CF_SEARCH_COLS 9      /* the visible columns */
#define CF_SQ_BASE 8          /* the statement's columns before the memberships */

/* A term of the query: a substring of the trigram index (bScript), or a
** phrase of words of the unicode61 index, the last one a prefix for "*". */
typedef struct CfSqTerm {
  char *zText;     /* the term as written, unquoted */
  int nText;
  int bScript, bPrefix;
  int bNeg;        /* under the right side of a NOT: not located, not marked */
  int bEmpty;      /* a word term without a token: left out */
  int bUsed;       /* in the tree (after leaving out the empty terms) */
  int nChar;       /* code points */
  int iLoc;        /* its term in the locator, or -1 */
  char *zFold;     /* script term of 1 or 2 characters: the folded prefix */
  char *zPending;  /* the ids of messages not indexed yet that hold it (JSON array) */
} CfSqTerm;

/* The query as a tree: n-ary AND and OR, binary NOT, terms at the leaves. */
#define CF_SQ_TERM 0
#define CF_SQ_AND 1
#define CF_SQ_OR 2
#define CF_SQ_NOT 3
typedef struct CfSqNode {
  int eOp;
  int iTerm;           /* CF_SQ_TERM */
  int *aChild, nChild; /* the others (NOT: exactly two) */
} CfSqNode;

typedef struct CfSq {
  const char *z;       /* the query */
  int n, i;            /* its length, the parse position */
  CfSqTerm *aTerm;
  int nTerm;
  CfSqNode *aNode;
  int nNode;
  int iRoot;           /* -1: no term at all (plain syntax, punctuation only) */
  int rc;              /* SQLITE_NOMEM, or SQLITE_ERROR with zErr */
  char *zErr;          /* the reason, for "invalid search query" */
  int bTail;           /* messages wait above the index mark: their matches too (index.c) */
} CfSq;

static void cfSqFree(CfSq *q) {
  for (int i = 0; i < q->nTerm; i++) {
    sqlite3_free(q->aTerm[i].zText);
    sqlite3_free(q->aTerm[i].zFold);
    sqlite3_free(q->aTerm[i].zPending);
  }
  for (int i = 0; i < q->nNode; i++) sqlite3_free(q->aNode[i].aChild);
  sqlite3_free(q->aTerm);
  sqlite3_free(q->aNode);
  sqlite3_free(q->zErr);
}

/* A new node; -1 once out of memory. */
static int cfSqNode(CfSq *q, int eOp) {
  CfSqNode *aNew;
  if (q->rc) return -1;
  aNew = sqlite3_realloc64(q->aNode, (sqlite3_uint64)(q->nNode + 1) * sizeof(CfSqNode));
  if (aNew == 0) {
    q->rc = SQLITE_NOMEM;
    return -1;
  }
  q->aNode = aNew;
  memset(&q->aNode[q->nNode], 0, sizeof(CfSqNode));
  q->aNode[q->nNode].eOp = eOp;
  return q->nNode++;
}

static void cfSqChild(CfSq *q, int iNode, int iChild) {
  CfSqNode *pN;
  int *aNew;
  if (q->rc || iNode < 0 || iChild < 0) return;
  pN = &q->aNode[iNode];
  aNew = sqlite3_realloc64(pN->aChild, (sqlite3_uint64)(pN->nChild + 1) * sizeof(int));
  if (aNew == 0) {
    q->rc = SQLITE_NOMEM;
    return;
  }
  pN->aChild = aNew;
  pN->aChild[pN->nChild++] = iChild;
}

/* A term node for z[0..n) (copied); bQuoted: "" inside stands for ". */
static int cfSqTerm(CfSq *q, const char *z, int n, int bQuoted, int bPrefix) {
  CfSqTerm *aNew, *t;
  int iNode, j = 0;
  if (q->rc) return -1;
  aNew = sqlite3_realloc64(q->aTerm, (sqlite3_uint64)(q->nTerm + 1) * sizeof(CfSqTerm));
  if (aNew == 0) {
    q->rc = SQLITE_NOMEM;
    return -1;
  }
  q->aTerm = aNew;
  t = &q->aTerm[q->nTerm];
  memset(t, 0, sizeof(*t));
  t->iLoc = -1;
  t->zText = sqlite3_malloc(n + 1);
  if (t->zText == 0) {
    q->rc = SQLITE_NOMEM;
    return -1;
  }
  q->nTerm++;
  for (int i = 0; i < n; i++) {
    t->zText[j++] = z[i];
    if (bQuoted && z[i] == '"' && i + 1 < n && z[i + 1] == '"') i++;
  }
  t->zText[j] = 0;
  t->nText = j;
  t->bScript = cfUtf8HasScript((const unsigned char *)t->zText, j);
  t->bPrefix = bPrefix;
  t->nChar = cfUtf8Chars((const unsigned char *)t->zText, j);
  iNode = cfSqNode(q, CF_SQ_TERM);
  if (iNode >= 0) q->aNode[iNode].iTerm = q->nTerm - 1;
  return iNode;
}

static void cfSqError(CfSq *q, const char *zMsg) {
  if (q->rc) return;
  q->rc = SQLITE_ERROR;
  q->zErr = sqlite3_mprintf("%s", zMsg);
  if (q->zErr == 0) q->rc = SQLITE_NOMEM;
}

/* ---- FTS5 query syntax (the query already passed FTS5's own parser) */

#define CF_SQT_EOF 0
#define CF_SQT_LP 1
#define CF_SQT_RP 2
#define CF_SQT_STRING 3
#define CF_SQT_AND 4
#define CF_SQT_OR 5
#define CF_SQT_NOT 6
#define CF_SQT_STAR 7
#define CF_SQT_OTHER 8   /* NEAR, column filters, ^, +, -, ',': not on this path */

typedef struct CfSqTok {
  int eType;
  int iStart, iEnd;    /* the token; a string's text without its quotes */
  int bQuoted;
  int iNext;           /* where the next token starts */
} CfSqTok;

/* FTS5's bareword characters: ASCII letters and digits, '_', 0x1A and
** every byte of a multi-byte character. */
static int cfSqBare(unsigned char c) {
  return c >= 0x80 || c == '_' || c == 0x1A || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
         (c >= 'a' && c <= 'z');
}

static int cfSqSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void cfSqLex(const CfSq *q, int i, CfSqTok *t) {
  const char *z = q->z;
  while (i < q->n && cfSqSpace(z[i])) i++;
  memset(t, 0, sizeof(*t));
  t->iStart = i;
  if (i >= q->n) {
    t->eType = CF_SQT_EOF;
    t->iEnd = t->iNext = i;
    return;
  }
  switch (z[i]) {
    case '(': t->eType = CF_SQT_LP; t->iEnd = t->iNext = i + 1; return;
    case ')': t->eType = CF_SQT_RP; t->iEnd = t->iNext = i + 1; return;
    case '*': t->eType = CF_SQT_STAR; t->iEnd = t->iNext = i + 1; return;
    case '"': {
      int j = i + 1;
      for (; j < q->n; j++) {
        if (z[j] == '"') {
          if (j + 1 < q->n && z[j + 1] == '"') j++;
          else break;
        }
      }
      t->eType = CF_SQT_STRING;
      t->bQuoted = 1;
      t->iStart = i + 1;
      t->iEnd = j;
      t->iNext = j < q->n ? j + 1 : j;
      return;
    }
    default: break;
  }
  if (!cfSqBare((unsigned char)z[i])) {
    t->eType = CF_SQT_OTHER;
    t->iEnd = t->iNext = i + 1;
    return;
  }
  {
    int j = i;
    while (j < q->n && cfSqBare((unsigned char)z[j])) j++;
    t->eType = CF_SQT_STRING;
    t->iEnd = t->iNext = j;
    if (j - i == 2 && memcmp(z + i, "OR", 2) == 0) t->eType = CF_SQT_OR;
    if (j - i == 3 && memcmp(z + i, "AND", 3) == 0) t->eType = CF_SQT_AND;
    if (j - i == 3 && memcmp(z + i, "NOT", 3) == 0) t->eType = CF_SQT_NOT;
  }
}

static void cfSqUnsupported(CfSq *q) {
  cfSqError(q, "NEAR, column filters, ^ and + cannot be used in a query that contains a "
               "character from U+0E00 on (Thai, CJK, emoji…)");
}

static int cfSqOr(CfSq *q, int nDepth);

/* primary := '(' or ')' | string ['*'] */
static int cfSqPrimary(CfSq *q, int nDepth) {
  CfSqTok t, u;
  cfSqLex(q, q->i, &t);
  if (t.eType == CF_SQT_LP) {
    int iNode;
    q->i = t.iNext;
    iNode = cfSqOr(q, nDepth + 1);
    cfSqLex(q, q->i, &u);
    if (q->rc == 0 && u.eType != CF_SQT_RP) {
      if (u.eType == CF_SQT_OTHER) cfSqUnsupported(q);
      else cfSqError(q, "syntax error");
      return -1;
    }
    q->i = u.iNext;
    return iNode;
  }
  if (t.eType == CF_SQT_STRING) {
    int bPrefix = 0;
    q->i = t.iNext;
    cfSqLex(q, q->i, &u);
    if (u.eType == CF_SQT_STAR) {
      bPrefix = 1;
      q->i = u.iNext;
    } else if (u.eType == CF_SQT_LP || u.eType == CF_SQT_OTHER) {
      cfSqUnsupported(q);   /* NEAR(...), "a" + "b", col:... */
      return -1;
    }
    return cfSqTerm(q, q->z + t.iStart, t.iEnd - t.iStart, t.bQuoted, bPrefix);
  }
  if (t.eType == CF_SQT_OTHER) cfSqUnsupported(q);
  else cfSqError(q, "syntax error");
  return -1;
}

/* Joins iLeft and iRight under an n-ary eOp node (reusing iLeft's). */
static int cfSqJoin(CfSq *q, int eOp, int iLeft, int iRight) {
  int iNode;
  if (q->rc || iLeft < 0 || iRight < 0) return -1;
  if (eOp != CF_SQ_NOT && q->aNode[iLeft].eOp == eOp) {
    cfSqChild(q, iLeft, iRight);
    return iLeft;
  }
  iNode = cfSqNode(q, eOp);
  cfSqChild(q, iNode, iLeft);
  cfSqChild(q, iNode, iRight);
  return iNode;
}

/* list := primary primary* (implicit AND, binds tightest) */
static int cfSqList(CfSq *q, int nDepth) {
  int iNode = cfSqPrimary(q, nDepth);
  for (;;) {
    CfSqTok t;
    if (q->rc) return -1;
    cfSqLex(q, q->i, &t);
    if (t.eType != CF_SQT_STRING && t.eType != CF_SQT_LP) return iNode;
    iNode = cfSqJoin(q, CF_SQ_AND, iNode, cfSqPrimary(q, nDepth));
  }
}

/* not := list (NOT list)*; and := not (AND not)*; or := and (OR and)* */
static int cfSqBinary(CfSq *q, int nDepth, int eTok) {
  int eOp = eTok == CF_SQT_NOT ? CF_SQ_NOT : eTok == CF_SQT_AND ? CF_SQ_AND : CF_SQ_OR;
  int iNode;
  if (nDepth > 100) {   /* FTS5's parser stops far earlier */
    cfSqError(q, "nested too deeply");
    return -1;
  }
  iNode = eTok == CF_SQT_NOT ? cfSqList(q, nDepth)
          : cfSqBinary(q, nDepth, eTok == CF_SQT_AND ? CF_SQT_NOT : CF_SQT_AND);
  for (;;) {
    CfSqTok t;
    int iRight;
    if (q->rc) return -1;
    cfSqLex(q, q->i, &t);
    if (t.eType != eTok) return iNode;
    q->i = t.iNext;
    iRight = eTok == CF_SQT_NOT ? cfSqList(q, nDepth)
             : cfSqBinary(q, nDepth, eTok == CF_SQT_AND ? CF_SQT_NOT : CF_SQT_AND);
    iNode = cfSqJoin(q, eOp, iNode, iRight);
  }
}

static int cfSqOr(CfSq *q, int nDepth) { return cfSqBinary(q, nDepth, CF_SQT_OR); }

static void cfSqParseFts5(CfSq *q) {
  CfSqTok t;
  q->iRoot = cfSqOr(q, 0);
  if (q->rc) return;
  cfSqLex(q, q->i, &t);
  if (t.eType == CF_SQT_OTHER) cfSqUnsupported(q);
  else if (t.eType != CF_SQT_EOF) cfSqError(q, "syntax error");
}

/* ---- plain syntax: every word, all of them must occur */

/* Words are separated by ASCII white space, as cfSearchPlain separates
** them.  A word with a character from U+0E00 on is cut further at white
** space and punctuation (Unicode Z* and P*, ASCII symbols): "面包。" and
** "「面包」" look for 面包, as punctuation separates the words of other
** scripts; each piece is a term of its own. */
static void cfSqParsePlain(CfSq *q) {
  int iAnd = -1;
  int i = 0;
  while (i < q->n && q->rc == 0) {
    int iWord, nWord;
    while (i < q->n && cfSqSpace(q->z[i])) i++;
    iWord = i;
    while (i < q->n && !cfSqSpace(q->z[i])) i++;
    nWord = i - iWord;
    if (nWord == 0) break;
    if (!cfUtf8HasScript((const unsigned char *)q->z + iWord, nWord)) {
      int iTerm = cfSqTerm(q, q->z + iWord, nWord, 0, 0);
      iAnd = iAnd < 0 ? iTerm : cfSqJoin(q, CF_SQ_AND, iAnd, iTerm);
      continue;
    }
    for (int k = iWord; k < i;) {
      int iPiece;
      size_t nLen;
      while (k < i && cfTextClassAt(q->z, (size_t)i, (size_t)k, &nLen) != CF_TEXT_OTHER) k += (int)nLen;
      iPiece = k;
      while (k < i && cfTextClassAt(q->z, (size_t)i, (size_t)k, &nLen) == CF_TEXT_OTHER) k += (int)nLen;
      if (k > iPiece) {
        int iTerm = cfSqTerm(q, q->z + iPiece, k - iPiece, 0, 0);
        iAnd = iAnd < 0 ? iTerm : cfSqJoin(q, CF_SQ_AND, iAnd, iTerm);
      }
    }
  }
  q->iRoot = iAnd;
}

/* The tree without its empty terms: an AND or OR without them, "a NOT
** empty" is a; -1 when nothing is left. */
static int cfSqPrune(CfSq *q, int iNode) {
  CfSqNode *pN = &q->aNode[iNode];
  int n = 0;
  if (pN->eOp == CF_SQ_TERM) return q->aTerm[pN->iTerm].bEmpty ? -1 : iNode;
  if (pN->eOp == CF_SQ_NOT) {
    int iLeft = cfSqPrune(q, pN->aChild[0]), iRight = cfSqPrune(q, pN->aChild[1]);
    pN = &q->aNode[iNode];
    if (iLeft < 0 || iRight < 0) return iLeft;
    pN->aChild[0] = iLeft;
    pN->aChild[1] = iRight;
    return iNode;
  }
  for (int i = 0; i < pN->nChild; i++) {
    int iChild = cfSqPrune(q, pN->aChild[i]);
    if (iChild >= 0) pN->aChild[n++] = iChild;
  }
  pN->nChild = n;
  return n == 0 ? -1 : n == 1 ? pN->aChild[0] : iNode;
}

/* Marks the terms in the tree, and those on the right side of a NOT. */
static void cfSqNegate(CfSq *q, int iNode, int bNeg) {
  CfSqNode *pN = &q->aNode[iNode];
  if (pN->eOp == CF_SQ_TERM) {
    q->aTerm[pN->iTerm].bUsed = 1;
    if (bNeg) q->aTerm[pN->iTerm].bNeg = 1;
    return;
  }
  for (int i = 0; i < pN->nChild; i++) {
    cfSqNegate(q, pN->aChild[i], bNeg || (pN->eOp == CF_SQ_NOT && i == 1));
  }
}

/* Is a row with these memberships (aIn[term]) a match of iNode? */
static int cfSqEval(const CfSq *q, int iNode, const int *aIn) {
  const CfSqNode *pN = &q->aNode[iNode];
  switch (pN->eOp) {
    case CF_SQ_TERM: return aIn[pN->iTerm];
    case CF_SQ_NOT: return cfSqEval(q, pN->aChild[0], aIn) && !cfSqEval(q, pN->aChild[1], aIn);
    case CF_SQ_AND:
      for (int i = 0; i < pN->nChild; i++) {
        if (!cfSqEval(q, pN->aChild[i], aIn)) return 0;
      }
      return 1;
    default:
      for (int i = 0; i < pN->nChild; i++) {
        if (cfSqEval(q, pN->aChild[i], aIn)) return 1;
      }
      return 0;
  }
}

/* The ids of the rows that hold term iTerm, from index kind zKind
** ("messages" or "titles"); its text is bound to ?(4 + iTerm). */
static void cfSqTermSql(const CfSq *q, sqlite3_str *pOut, int iTerm, const char *zKind) {
  const CfSqTerm *t = &q->aTerm[iTerm];
  int iVar = 4 + iTerm;
  if (q->bTail && zKind[0] == 'm') {
    /* and the messages not indexed yet that hold it, bound as a JSON array */
    int iPending = 4 + q->nTerm + iTerm;
    sqlite3_str_appendall(pOut, "SELECT id FROM (");
    if (!t->bScript) {
      sqlite3_str_appendf(pOut, "SELECT rowid AS id FROM chat_messages_fts WHERE chat_messages_fts MATCH ?%d",
                          iVar);
    } else if (t->nChar >= 3) {
      sqlite3_str_appendf(pOut,
                          "SELECT rowid AS id FROM chat_messages_trigram WHERE chat_messages_trigram MATCH ?%d",
                          iVar);
    } else {
      sqlite3_str_appendf(pOut,
                          "SELECT doc AS id FROM chat_messages_trigram_terms WHERE term >= ?%d AND term < ?%d || "
                          "char(1114111)",
                          iVar, iVar);
    }
    sqlite3_str_appendf(pOut, " UNION ALL SELECT value FROM json_each(?%d))", iPending);
    return;
  }
  if (!t->bScript) {
    sqlite3_str_appendf(pOut, "SELECT rowid FROM chat_%s_fts WHERE chat_%s_fts MATCH ?%d", zKind, zKind,
                        iVar);
  } else if (t->nChar >= 3) {
    sqlite3_str_appendf(pOut, "SELECT rowid FROM chat_%s_trigram WHERE chat_%s_trigram MATCH ?%d",
                        zKind, zKind, iVar);
  } else {
    sqlite3_str_appendf(pOut,
                        "SELECT doc FROM chat_%s_trigram_terms WHERE term >= ?%d AND term < ?%d || "
                        "char(1114111)",
                        zKind, iVar, iVar);
  }
}

/*
** The candidates of one kind: a superset of the matches, as one flat
** compound (no nesting however the query nests).  A query that is a term,
** or an AND of terms, gets exactly its matches (INTERSECT); any other the
** union of its positive terms (every match holds one of them), and each
** row is then checked against the tree with its memberships.
*/
static int cfSqExact(const CfSq *q) {
  const CfSqNode *pR = &q->aNode[q->iRoot];
  if (pR->eOp == CF_SQ_TERM) return 1;
  if (pR->eOp != CF_SQ_AND) return 0;
  for (int i = 0; i < pR->nChild; i++) {
    if (q->aNode[pR->aChild[i]].eOp != CF_SQ_TERM) return 0;
  }
  return 1;
}

static void cfSqCandidates(const CfSq *q, sqlite3_str *pOut, const char *zKind) {
  int bExact = cfSqExact(q), bFirst = 1;
  for (int i = 0; i < q->nTerm; i++) {
    if (q->aTerm[i].bNeg || !q->aTerm[i].bUsed) continue;
    if (!bFirst) sqlite3_str_appendall(pOut, bExact ? " INTERSECT " : " UNION ");
    cfSqTermSql(q, pOut, i, zKind);
    bFirst = 0;
  }
}

/* A term's text as its statements take it: an FTS5 string ("" doubled, *
** for a prefix) for MATCH, the folded prefix for the fts5vocab range. */
static char *cfSqTermArg(const CfSqTerm *t) {
  if (t->bScript && t->nChar < 3) return sqlite3_mprintf("%s", t->zFold);
  return sqlite3_mprintf("\"%w\"%s", t->zText, t->bPrefix && !t->bScript ? "*" : "");
}

/* Binds every term's text, and the pending ids of the terms that have them. */
static int cfSqBind(const CfSq *q, sqlite3_stmt *pStmt) {
  int rc = SQLITE_OK;
  for (int i = 0; i < q->nTerm && rc == SQLITE_OK; i++) {
    const CfSqTerm *t = &q->aTerm[i];
    char *z;
    if (!t->bUsed) continue;
    z = cfSqTermArg(t);
    if (z == 0) return SQLITE_NOMEM;
    rc = sqlite3_bind_text(pStmt, 4 + i, z, -1, sqlite3_free);
    if (rc == SQLITE_OK && t->zPending) {
      rc = sqlite3_bind_text(pStmt, 4 + q->nTerm + i, t->zPending, -1, SQLITE_STATIC);
    }
  }
  return rc;
}

/* The ids of the messages not indexed yet that hold each used term. */
static int cfSqPending(CfConn *p, CfSq *q, const char *zQuery, char **pzErr) {
  int rc = SQLITE_OK;
  for (int i = 0; i < q->nTerm && rc == SQLITE_OK; i++) {
    CfSqTerm *t = &q->aTerm[i];
    const char *zSql;
    char *zArg;
    if (!t->bUsed) continue;
    if (!t->bScript) {
      zSql = "SELECT rowid FROM chatflow_pending_fts WHERE chatflow_pending_fts MATCH ?1";
    } else if (t->nChar >= 3) {
      zSql = "SELECT rowid FROM chatflow_pending_trigram"
             " WHERE chatflow_pending_trigram MATCH ?1";
    } else {
      zSql = "SELECT DISTINCT doc FROM chatflow_pending_trigram_terms"
             " WHERE term >= ?1 AND term < ?1 || char(1114111)";
    }
    zArg = cfSqTermArg(t);
    if (zArg == 0) return SQLITE_NOMEM;
    rc = cfPendingJson(p, zSql, zArg, zQuery, &t->zPending, pzErr);
    sqlite3_free(zArg);
  }
  return rc;
}

/* The rank of a text of nChar characters: minus a BM25 score without idf
** (k1 = 1.2, b = 0.75, an average length of 100 characters), summed over
** the located terms. */
static double cfSqRank(const CfLocator *pLoc, int nLoc, int nChar) {
  double rScore = 0.0, rNorm = 1.2 * (0.25 + 0.75 * nChar / 100.0);
  for (int i = 0; i < nLoc; i++) {
    int tf = cfLocatorCount(pLoc, i);
    if (tf > 0) rScore += tf * 2.2 / (tf + rNorm);
  }
  return -rScore;
}

static int cfSqCellFrom(CfTvfCell *c, sqlite3_stmt *pStmt, int iCol) {
  switch (sqlite3_column_type(pStmt, iCol)) {
    case SQLITE_INTEGER:
      c->eType = SQLITE_INTEGER;
      c->iVal = sqlite3_column_int64(pStmt, iCol);
      return SQLITE_OK;
    case SQLITE_NULL:
      c->eType = 0;
      return SQLITE_OK;
    default: {
      const char *z = (const char *)sqlite3_column_text(pStmt, iCol);
      int n = sqlite3_column_bytes(pStmt, iCol);
      if (z == 0) return SQLITE_NOMEM;
      c->zText = sqlite3_malloc(n + 1);
      if (c->zText == 0) return SQLITE_NOMEM;
      memcpy(c->zText, z, (size_t)n + 1);
      c->nText = n;
      c->eType = SQLITE_TEXT;
      return SQLITE_OK;
    }
  }
}

/* The order of "rank": rank, then created_at, message_id (NULL last),
** conversation_id, the last three descending; as the SQL of the word path. */
static int cfSqRowCmp(const CfTvfCell *a, const CfTvfCell *b) {
  int c;
  if (a[6].rVal != b[6].rVal) return a[6].rVal < b[6].rVal ? -1 : 1;
  c = strcmp(b[7].zText ? b[7].zText : "", a[7].zText ? a[7].zText : "");
  if (c) return c;
  if (a[1].eType != b[1].eType) return a[1].eType ? -1 : 1;
  if (a[1].iVal != b[1].iVal) return a[1].iVal > b[1].iVal ? -1 : 1;
  if (a[0].iVal != b[0].iVal) return a[0].iVal > b[0].iVal ? -1 : 1;
  return 0;
}

/*
** The scripts path: the rows of the matches, ranked and cut in C.
** The statement gives the candidates of both kinds, with (when the query
** is not exact) one membership column per term; each row that matches
** gets its terms located (rank, snippet).  "rank": the best nLimit rows
** are kept in order (a row's snippet is made when it enters them);
** "newest": the statement is in that order and stops after nLimit rows.
** zQuery is the query as searched (cfSearchSpaces, cfSearchVisible);
** zShown as the user wrote it, for the errors.
*/
static int cfSearchScripts(CfConn *p, const char *zQuery, const char *zShown, int bPlain,
                           const unsigned char *zOwner, int bNewest, int nLimit, int bDeleted,
                           int bTitles, int bTail, CfTvfRows **ppRows, char **pzErr) {
  CfSq q;
  CfLocator *pLoc = 0;
  sqlite3_stmt *pStmt = 0;
  sqlite3_str *pSql = 0;
  CfTvfRows *pRows = 0;
  int *aIn = 0;
  char *zSql = 0;
  int rc = SQLITE_OK, bExact, nLoc = 0;
  memset(&q, 0, sizeof(q));
  q.z = zQuery;
  q.n = (int)strlen(zQuery);
  q.iRoot = -1;
  q.bTail = bTail;

  if (!bPlain) {
    /* FTS5's own parser first: its errors, word for word, for every query */
    rc = sqlite3_prepare_v2(p->db,
                            "SELECT 1 FROM chat_messages_fts WHERE chat_messages_fts MATCH ?1 AND rowid = 0",
                            -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(pStmt, 1, zQuery, -1, SQLITE_STATIC);
      while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
      *pzErr = rc == SQLITE_ERROR ? sqlite3_mprintf("chatflow: invalid search query '%s': %s", zShown,
                                                    sqlite3_errmsg(p->db))
                                  : cfDbError(p->db, rc);
      if (*pzErr == 0) rc = SQLITE_NOMEM;
      goto done;
    }
    sqlite3_finalize(pStmt);
    pStmt = 0;
    cfSqParseFts5(&q);
  } else {
    cfSqParsePlain(&q);
  }
  if (q.rc == SQLITE_ERROR) {
    *pzErr = sqlite3_mprintf("chatflow: invalid search query '%s': %s", zShown, q.zErr);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    goto done;
  }
  if (q.rc) {
    rc = q.rc;
    goto done;
  }
  pRows = cfTvfRowsNew(CF_SEARCH_COLS);
  if (pRows == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (q.iRoot < 0) goto done;   /* nothing to look for: no rows */
  rc = cfLocatorNew(p->db, &pLoc);
  if (rc != SQLITE_OK) goto done;
  /* a word term without a token (only punctuation) constrains nothing:
  ** left out, as FTS5 leaves an empty phrase out of an implicit AND */
  for (int i = 0; i < q.nTerm && rc == SQLITE_OK; i++) {
    CfSqTerm *t = &q.aTerm[i];
    int nTok = 1;
    if (!t->bScript) rc = cfLocatorWordTokens(pLoc, t->zText, t->nText, &nTok);
    t->bEmpty = nTok == 0;
  }
  if (rc != SQLITE_OK) goto done;
  q.iRoot = cfSqPrune(&q, q.iRoot);
  if (q.iRoot < 0) goto done;   /* nothing left to look for: no rows */
  cfSqNegate(&q, q.iRoot, 0);

  /* the locator: every positive term; the folded text of short script terms */
  for (int i = 0; i < q.nTerm && rc == SQLITE_OK; i++) {
    CfSqTerm *t = &q.aTerm[i];
    char **pzFold = t->bScript && t->nChar < 3 ? &t->zFold : 0;
    if (!t->bUsed) continue;
    if (t->bNeg) {
      if (pzFold) rc = cfLocatorFold(pLoc, t->zText, t->nText, pzFold);
      continue;
    }
    t->iLoc = nLoc++;
    rc = cfLocatorTerm(pLoc, t->zText, t->nText, t->bScript, t->bPrefix, pzFold);
  }
  if (rc != SQLITE_OK) goto done;

  if (bTail) {
    rc = cfSqPending(p, &q, zShown, pzErr);
    if (rc != SQLITE_OK) goto done;
  }

  /* the statement */
  bExact = cfSqExact(&q);
  pSql = sqlite3_str_new(p->db);
  sqlite3_str_appendall(pSql, "SELECT m.conversation_id, m.id, m.seq, m.role, 'message', m.content,"
                              " m.created_at, c.title");
  for (int i = 0; !bExact && i < q.nTerm; i++) {
    if (!q.aTerm[i].bUsed) {
      sqlite3_str_appendall(pSql, ", 0");
      continue;
    }
    sqlite3_str_appendall(pSql, ", m.id IN (");
    cfSqTermSql(&q, pSql, i, "messages");
    sqlite3_str_appendall(pSql, ")");
  }
  sqlite3_str_appendall(pSql, " FROM chat_messages AS m JOIN chat_conversations AS c"
                              " ON c.id = m.conversation_id WHERE m.id IN (");
  cfSqCandidates(&q, pSql, "messages");
  sqlite3_str_appendf(pSql, ") AND (?2 IS NULL OR c.owner = ?2)%s",
                      bDeleted ? "" : " AND c.deleted_at IS NULL");
  if (bTitles) {
    sqlite3_str_appendall(pSql, " UNION ALL SELECT c.id, NULL, NULL, NULL, 'title', c.title,"
                                " c.created_at, c.title");
    for (int i = 0; !bExact && i < q.nTerm; i++) {
      if (!q.aTerm[i].bUsed) {
        sqlite3_str_appendall(pSql, ", 0");
        continue;
      }
      sqlite3_str_appendall(pSql, ", c.id IN (");
      cfSqTermSql(&q, pSql, i, "titles");
      sqlite3_str_appendall(pSql, ")");
    }
    sqlite3_str_appendall(pSql, " FROM chat_conversations AS c WHERE c.id IN (");
    cfSqCandidates(&q, pSql, "titles");
    sqlite3_str_appendf(pSql, ") AND (?2 IS NULL OR c.owner = ?2)%s",
                        bDeleted ? "" : " AND c.deleted_at IS NULL");
  }
  if (bNewest) sqlite3_str_appendall(pSql, " ORDER BY 7 DESC, 2 DESC, 1 DESC");
  rc = sqlite3_str_errcode(pSql);
  zSql = sqlite3_str_finish(pSql);
  pSql = 0;
  if (rc == SQLITE_OK && zSql == 0) rc = SQLITE_NOMEM;
  if (rc != SQLITE_OK) goto done;
  rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  if (rc != SQLITE_OK) {
    *pzErr = cfDbError(p->db, rc);
    if (*pzErr == 0) rc = SQLITE_NOMEM;
    goto done;
  }
  if (zOwner) rc = sqlite3_bind_text(pStmt, 2, (const char *)zOwner, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK) rc = cfSqBind(&q, pStmt);
  if (rc == SQLITE_OK && !bExact) {
    aIn = sqlite3_malloc64((sqlite3_uint64)q.nTerm * sizeof(int));
    if (aIn == 0) rc = SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK) goto done;

  /* the rows */
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zText = (const char *)sqlite3_column_text(pStmt, 5);
    int nText = sqlite3_column_bytes(pStmt, 5), nMatch = 0, iAt;
    const CfSnipMatch *aMatch = 0;
    CfTvfCell aNew[CF_SEARCH_COLS];
    if (!bExact) {
      for (int i = 0; i < q.nTerm; i++) aIn[i] = sqlite3_column_int(pStmt, CF_SQ_BASE + i);
      if (!cfSqEval(&q, q.iRoot, aIn)) continue;
    }
    if (zText == 0) {
      if (sqlite3_errcode(p->db) == SQLITE_NOMEM) {
        rc = SQLITE_NOMEM;
        break;
      }
      zText = "";
    }
    rc = cfLocatorFind(pLoc, zText, nText, &aMatch, &nMatch);
    if (rc != SQLITE_OK) break;
    memset(aNew, 0, sizeof(aNew));
    aNew[6].eType = SQLITE_FLOAT;
    aNew[6].rVal = cfSqRank(pLoc, nLoc, cfUtf8Chars((const unsigned char *)zText, nText));
    rc = cfSqCellFrom(&aNew[7], pStmt, 6);
    if (rc == SQLITE_OK) rc = cfSqCellFrom(&aNew[1], pStmt, 1);
    if (rc == SQLITE_OK) rc = cfSqCellFrom(&aNew[0], pStmt, 0);
    /* where it goes: the end for "newest", its place in the rank order */
    iAt = pRows->nRow;
    if (!bNewest) {
      int lo = 0, hi = pRows->nRow;
      while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (cfSqRowCmp(&pRows->aCell[mid * CF_SEARCH_COLS], aNew) <= 0) lo = mid + 1;
        else hi = mid;
      }
      iAt = lo;
    }
    if (rc == SQLITE_OK && iAt < nLimit) {
      CfTvfCell *aRow;
      aNew[5].zText = cfSnippetAround(zText, nText, aMatch, nMatch, nLoc, CF_SEARCH_WINDOW, "[", "]",
                                      "\xe2\x80\xa6", &rc);
      if (rc == SQLITE_OK) {
        aNew[5].eType = SQLITE_TEXT;
        aNew[5].nText = (int)strlen(aNew[5].zText);
        rc = cfSqCellFrom(&aNew[2], pStmt, 2);
      }
      if (rc == SQLITE_OK) rc = cfSqCellFrom(&aNew[3], pStmt, 3);
      if (rc == SQLITE_OK) rc = cfSqCellFrom(&aNew[4], pStmt, 4);
      if (rc == SQLITE_OK) rc = cfSqCellFrom(&aNew[8], pStmt, 7);
      aRow = rc == SQLITE_OK ? cfTvfRowsAppend(pRows) : 0;
      if (aRow == 0 && rc == SQLITE_OK) rc = SQLITE_NOMEM;
      if (rc == SQLITE_OK) {
        CfTvfCell *aAt = &pRows->aCell[iAt * CF_SEARCH_COLS];
        memmove(aAt + CF_SEARCH_COLS, aAt, (size_t)(pRows->nRow - 1 - iAt) * sizeof(aNew));
        memcpy(aAt, aNew, sizeof(aNew));
        memset(aNew, 0, sizeof(aNew));
        if (pRows->nRow > nLimit) {
          /* the row pushed out */
          CfTvfCell *aOut = &pRows->aCell[nLimit * CF_SEARCH_COLS];
          for (int i = 0; i < CF_SEARCH_COLS; i++) sqlite3_free(aOut[i].zText);
          pRows->nRow--;
        }
      }
    }
    for (int i = 0; i < CF_SEARCH_COLS; i++) sqlite3_free(aNew[i].zText);
    if (rc != SQLITE_OK) break;
    if (bNewest && pRows->nRow >= nLimit) {
      rc = SQLITE_DONE;
      break;
    }
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  else if (rc != SQLITE_OK && rc != SQLITE_NOMEM) {
    *pzErr = cfDbError(p->db, rc);
    if (*pzErr == 0) rc = SQLITE_NOMEM;
  }

done:
  if (rc == SQLITE_OK && *pzErr == 0) {
    *ppRows = pRows;
    pRows = 0;
  }
  cfTvfRowsFree(pRows);
  sqlite3_finalize(pStmt);
  sqlite3_free(sqlite3_str_finish(pSql));
  sqlite3_free(zSql);
  sqlite3_free(aIn);
  cfLocatorFree(pLoc);
  cfSqFree(&q);
  return rc;
}

/* Checks query, owner and options, and prepares the matches: a statement
** for a query without a character from U+0E00 on, else rows made in C. */
static int cfSearchPrepare(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt,
                           CfTvfRows **ppRows, char **pzErr) {
  CfJsonOpt aOpt[5] = {
    {"order", CF_JT_STRING, 0, 0, 0},  {"limit", CF_JT_INT, 0, 0, 0},
    {"deleted", CF_JT_BOOL, 0, 0, 0},  {"titles", CF_JT_BOOL, 0, 0, 0},
    {"syntax", CF_JT_STRING, 0, 0, 0},
  };
  const unsigned char *zQuery, *zOwner = 0;
  char *zErr = 0, *zSql = 0, *zMatch = 0, *zTitles = 0, *zPending = 0, *zPendingRows = 0, *zSearch = 0;
  int nLimit = CF_SEARCH_LIMIT_DEFAULT, bNewest = 0, bDeleted = 0, bTitles = 1, bPlain = 0, bTail = 0;
  int rc = SQLITE_OK;
  rc = cfTextCheck(aArg[0], "search query", 0, 0, 1, (const char **)&zQuery, &zErr);
  if (rc != SQLITE_OK) goto done;
  if (sqlite3_value_bytes(aArg[0]) > 1000) {
    zErr = sqlite3_mprintf("chatflow: search query is %d bytes, longer than the limit of 1000",
                           sqlite3_value_bytes(aArg[0]));
    rc = SQLITE_ERROR;
    goto done;
  }
  if (cfSearchBlank((const char *)zQuery)) {   /* (white space of every kind) */
    zErr = sqlite3_mprintf("chatflow: search query must not be empty");
    goto done;
  }
  if (aArg[1]) {
    rc = cfTextCheck(aArg[1], "search owner", 0, 1, 0, (const char **)&zOwner, &zErr);
    if (rc != SQLITE_OK) goto done;
  }
  if (aArg[2]) {
    const char *zOpts = 0;
    rc = cfJsonOptionsText(aArg[2], "search_messages", &zOpts, &zErr);
    if (rc == SQLITE_OK && zOpts) {
      rc = cfJsonOptionsConn(0, p, zOpts, sqlite3_value_bytes(aArg[2]), "search_messages", aOpt, 5, &zErr);
    }
    if (rc != SQLITE_OK) goto done;
  }
  if (aOpt[0].bPresent) {
    if (strcmp(aOpt[0].zVal, "newest") == 0) bNewest = 1;
    else if (strcmp(aOpt[0].zVal, "rank") != 0) {
      zErr = sqlite3_mprintf("chatflow: invalid order '%q' (expected rank, newest)", aOpt[0].zVal);
      goto done;
    }
  }
  if (aOpt[1].bPresent) {
    if (aOpt[1].iVal < 1 || aOpt[1].iVal > CF_SEARCH_LIMIT_MAX) {
      zErr = sqlite3_mprintf("chatflow: limit must be from 1 to %d, got %lld", CF_SEARCH_LIMIT_MAX,
                             aOpt[1].iVal);
      goto done;
    }
    nLimit = (int)aOpt[1].iVal;
  }
  bDeleted = aOpt[2].bPresent && aOpt[2].iVal;
  if (aOpt[3].bPresent) bTitles = (int)aOpt[3].iVal;
  if (aOpt[4].bPresent && strcmp(aOpt[4].zVal, "plain") == 0) {
    bPlain = 1;
  } else if (aOpt[4].bPresent && strcmp(aOpt[4].zVal, "fts5") != 0) {
    zErr = sqlite3_mprintf("chatflow: invalid syntax '%q' (expected fts5, plain)", aOpt[4].zVal);
    goto done;
  }
  if (!bPlain && zQuery[0] == '*') {
    /* FTS5 takes a MATCH text that starts with '*' as a "special query"
    ** ('*reads', '*id'): no search at all, rows that are no matches, and
    ** its auxiliary functions fail with "no such cursor" */
    zErr = sqlite3_mprintf("chatflow: invalid search query '%s': fts5: syntax error near \"*\"", zQuery);
    goto done;
  }
  if (cfCheckSchema(p, &zErr)) goto done;
  rc = cfSearchPending(p, &bTail, &zErr);
  if (rc != SQLITE_OK) goto done;
  /* the query as searched: white space of every kind as ASCII spaces, and
  ** in plain the invisible characters that end a word; errors show it as
  ** the user wrote it */
  zSearch = bPlain ? cfSearchVisible((const char *)zQuery) : cfSearchSpaces((const char *)zQuery);
  if (zSearch == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (cfUtf8HasScript((const unsigned char *)zSearch, (int)strlen(zSearch)) ||
      (bPlain && strspn(zSearch, " \t\r\n") == strlen(zSearch))) {
    /* (a plain query of invisible characters only: no term, no rows) */
    rc = cfSearchScripts(p, zSearch, (const char *)zQuery, bPlain, zOwner, bNewest, nLimit, bDeleted,
                         bTitles, bTail, ppRows, &zErr);
    goto done;
  }
  zMatch = bPlain ? cfSearchPlain(zSearch) : sqlite3_mprintf("%s", zSearch);
  if (zMatch == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  if (bTitles) {
    zTitles = sqlite3_mprintf(
        " UNION ALL "
        "SELECT c.id, NULL, NULL, NULL, 'title',"
        "       chatflow_snippet(chat_titles_fts, 0, '[', ']', '…', 12), t.rank, c.created_at, c.title"
        "  FROM chat_titles_fts AS t JOIN chat_conversations AS c ON c.id = t.rowid"
        " WHERE chat_titles_fts MATCH ?1 AND (?2 IS NULL OR c.owner = ?2)%s",
        bDeleted ? "" : " AND c.deleted_at IS NULL");
    if (zTitles == 0) {
      rc = SQLITE_NOMEM;
      goto done;
    }
  }
  if (bTail) {
    /* the messages not indexed yet: matched in the pending index (index.c),
    ** [id, rank, snippet] each (ranked with both indexes' statistics), read
    ** back here with json_each */
    rc = cfPendingRanked(p, zMatch, (const char *)zQuery, &zPendingRows, &zErr);
    if (rc != SQLITE_OK) goto done;
    zPending = sqlite3_mprintf(
        " UNION ALL "
        "SELECT m.conversation_id, m.id, m.seq, m.role, 'message', json_extract(j.value, '$[2]'),"
        "       CAST(json_extract(j.value, '$[1]') AS REAL), m.created_at, c.title"
        "  FROM json_each(?4) AS j"
        "  JOIN chat_messages AS m ON m.id = json_extract(j.value, '$[0]')"
        "  JOIN chat_conversations AS c ON c.id = m.conversation_id"
        " WHERE (?2 IS NULL OR c.owner = ?2)%s",
        bDeleted ? "" : " AND c.deleted_at IS NULL");
    if (zPending == 0) {
      rc = SQLITE_NOMEM;
      goto done;
    }
  }
  zSql = sqlite3_mprintf(
      "SELECT * FROM ("
      "SELECT m.conversation_id, m.id, m.seq, m.role, 'message',"
      "       chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 12), f.rank, m.created_at, c.title"
      "  FROM chat_messages_fts AS f"
      "  JOIN chat_messages AS m ON m.id = f.rowid"
      "  JOIN chat_conversations AS c ON c.id = m.conversation_id"
      " WHERE chat_messages_fts MATCH ?1 AND (?2 IS NULL OR c.owner = ?2)%s"
      "%s%s"
      ") ORDER BY %s LIMIT ?3",
      bDeleted ? "" : " AND c.deleted_at IS NULL", zPending ? zPending : "", zTitles ? zTitles : "",
      bNewest ? "8 DESC, 2 DESC, 1 DESC" : "7, 8 DESC, 2 DESC, 1 DESC");
  if (zSql == 0) {
    rc = SQLITE_NOMEM;
    goto done;
  }
  rc = sqlite3_prepare_v2(p->db, zSql, -1, ppStmt, 0);
  if (rc != SQLITE_OK) {
    zErr = cfDbError(p->db, rc);
    goto done;
  }
  sqlite3_bind_text(*ppStmt, 1, zMatch, -1, SQLITE_TRANSIENT);
  if (zOwner) sqlite3_bind_text(*ppStmt, 2, (const char *)zOwner, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(*ppStmt, 3, nLimit);
  if (zPendingRows) sqlite3_bind_text(*ppStmt, 4, zPendingRows, -1, SQLITE_TRANSIENT);
done:
  sqlite3_free(zSql);
  sqlite3_free(zTitles);
  sqlite3_free(zPending);
  sqlite3_free(zPendingRows);
  sqlite3_free(zMatch);
  sqlite3_free(zSearch);
  cfJsonOptionsFree(aOpt, 5);
  *pzErr = zErr;
  return zErr && rc == SQLITE_OK ? SQLITE_ERROR : rc;
}

static const CfTvfDef cfSearchDef = {
  "search_messages",
  "CREATE TABLE x(conversation_id INTEGER, message_id INTEGER, seq INTEGER, role TEXT,"
  " kind TEXT, snippet TEXT, rank REAL, created_at TEXT, title TEXT,"
  " query HIDDEN, owner HIDDEN, options HIDDEN)",
  9, 3,
  "chatflow: search_messages needs a query: search_messages(query [, owner [, options_json]])",
  -1,
  0, cfSearchStepError, cfSearchPrepare,
};

int cfRegisterSearch(sqlite3 *db, CfConn *p) {
  int rc = cfRegisterSnippet(db);
  if (rc == SQLITE_OK) rc = cfRegisterTvf(db, p, &cfSearchDef);
  return rc;
}
