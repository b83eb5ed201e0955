/*
** json.c — JSON arguments: validated by a strict scanner, read by
** SQLite's own JSON functions.  No JSON library is involved.
**
** Every JSON argument of chatflow (options objects, run input, state
** patches, step output, business context, validation data, resume
** answers) comes through here.  Two parts:
**
**   1. cfJsonScan, a single pass over the text that builds nothing and
**      allocates nothing.  It decides whether the text is one RFC 8259
**      value within the limits (1 MiB, 32 levels) and, when it is not,
**      where it fails: "at offset N".  It exists because SQLite cannot
**      say either the same way on every version chatflow supports:
**      json_error_position() arrived in 3.42, 3.42+ accept JSON5 in
**      json_extract/json_each (NaN, 'single quotes', comments, trailing
**      commas), and every version stops reading text at a NUL byte.
**      It is also the text gate (DESIGN 6.1: every text that enters is
**      valid UTF-8 without NUL): a string, key or value, written with
**      \u0000 or with an unpaired surrogate escape (\ud800 without the
**      \udc00-\udfff after it, or a \udc00 alone) is refused, because
**      SQLite 3.40 cuts a decoded string at \u0000 and decodes a lone
**      surrogate to invalid UTF-8, and other readers disagree with it.
**      The raw bytes were checked before (cfArgText: valid UTF-8, no NUL);
**      escapes are the only way left to smuggle either in.  The error
**      names the value by its path, "parts[0].text", found by a second
**      pass over the text only when there is one to report.  And it
**      compares the keys of an object for duplicates while that is plain
**      byte comparison: up to 16 keys without a backslash (the common
**      options object); anything else is left to json_tree.
**      cfJsonTextCheck is the gate alone (the same string reader and
**      messages) for import_conversation's document, which SQLite has
**      parsed and the argument limits do not bound.
**
**   2. Everything read from a valid document is read by SQLite on the
**      caller's connection, through statements cached in CfConn (the
**      CF_STMT_JSON_* slots): json_tree for duplicate keys the scanner
**      could not compare (compared decoded, as SQLite decodes them:
**      "p\u0061rts" duplicates "parts"), with json_type for the kind of
**      the value then (else the scanner's word: cfJsonKind), json_each for the members
**      of an options object and the items of parts, json_type /
**      json_extract for the resume answer — the same path lookups
**      workflow.c's writers use, so what is checked is what is stored.
**
** Why not json-c: json-c 0.16 dereferences NULL when malloc fails while
** it copies an object key (json_object_object_add_ex via the tokener), so
** an argument could crash the host process under memory pressure.
** SQLite's JSON reports SQLITE_NOMEM, which is passed on as SQLITE_NOMEM:
** an allocation failure is never reported as "not valid JSON".
**
** Registers no SQL functions.  Errors: "chatflow: <what> is not valid JSON
** at offset N: <reason>", "... nests deeper than 32 levels at offset N",
** "... is N bytes of JSON, larger than the limit of 1048576", "... has the
** key "k" twice in one object", "... has a key with \u0000 or an unpaired
** surrogate in it: "k"", "chatflow: <what>: <path> contains a NUL
** character (\u0000)", "... contains a lone surrogate \ud800", "unknown
** option 'k' for f (expected ...)", "option 'k' of f must be <type>, got
** <type>", and for an options_json that is not text "chatflow: f options
** must be text, got integer 5" (cfJsonOptionsText: cfTextCheck's texts).
**
** One file past 600 lines because it is one concept: what a JSON argument
** is allowed to be, from its first byte (the scanner) to the values the
** callers read (the SQLite part), so that the two never disagree.
*/
#include "chatflow_int.h"

#include <string.h>

/* ------------------------------------------------------------- scanner */

/* Result of a successful scan. */
typedef struct CfJsonShape {
  int bAskSqlite; /* duplicate keys are possible: let json_tree decide */
  int iDup, nDup; /* a key found twice (offset and length of its text), or iDup -1 */
} CfJsonShape;

/* Keys the scanner compares itself, per object: up to this many keys
** without a backslash, whose text is then the key (nothing to decode).
** An object with more keys, or with an escaped key, goes to json_tree. */
#define CF_JSON_SCAN_KEYS 16

static int cfJsonIsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int cfJsonIsDigit(char c) { return c >= '0' && c <= '9'; }
static int cfJsonIsHex(char c) {
  return cfJsonIsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int cfJsonIsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Formats a syntax error; returns SQLITE_NOMEM when even that fails. */
static int cfJsonSyntax(char **pzErr, const char *zWhat, int iOff, const char *zReason) {
  *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: %s", zWhat, iOff, zReason);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The value of the four hex digits at z (already checked). */
static unsigned cfJsonHex4(const char *z) {
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = z[k];
    v = (v << 4) | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
  }
  return v;
}

/* The first escape in a string that stands for no character text can
** hold: \u0000, or a \u escape of a UTF-16 surrogate without its partner (a
** high one, \ud800-\udbff, not followed by a low one; a low one,
** \udc00-\udfff, not preceded by a high one).  Readers disagree on such a
** string: SQLite 3.40 cuts it at \u0000 (a key, and every decoded value),
** SQLite and JavaScript keep a lone surrogate, which SQLite then decodes to
** invalid UTF-8 (ED A0 80), json-c and Go read it as U+FFFD. */
typedef struct CfJsonOdd {
  int iAt;    /* offset of the escape's backslash; -1: none */
  unsigned u; /* its value: 0, or the surrogate */
} CfJsonOdd;

static void cfJsonOddAt(CfJsonOdd *pOdd, int iAt, unsigned u) {
  if (pOdd->iAt < 0) {
    pOdd->iAt = iAt;
    pOdd->u = u;
  }
}

/* Reads the string that starts at z[i] == '"' and returns the offset just
** past its closing quote; records its first odd escape in *pOdd (unless
** *pOdd holds one already).  A syntax error returns -1 with its offset
** and reason in *piErr and *pzReason.  bLenient, for text a JSON parser
** has already accepted: a control character or an escape this scanner
** does not know is passed over (only the end of the text is an error).
** The one rule of the text gate: every JSON text chatflow takes in passes
** through here.  No allocation, one pass. */
static int cfJsonString(const char *z, int n, int i, int bLenient, CfJsonOdd *pOdd, int *piErr,
                        const char **pzReason) {
  int iHigh = -1;  /* the previous \u escape, when it was a high surrogate */
  unsigned uHigh = 0;
  i++;
  while (i < n) {
    unsigned char c = (unsigned char)z[i];
    if (c == '"') {
      if (iHigh >= 0) cfJsonOddAt(pOdd, iHigh, uHigh);
      return i + 1;
    }
    if (c < 0x20 && !bLenient) {
      *piErr = i;
      *pzReason = "control character in a string (escape it)";
      return -1;
    }
    if (c != '\\') {
      if (iHigh >= 0) cfJsonOddAt(pOdd, iHigh, uHigh);
      iHigh = -1;
      i++;
      continue;
    }
    if (i + 1 >= n) break;
    switch (z[i + 1]) {
      case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        if (iHigh >= 0) cfJsonOddAt(pOdd, iHigh, uHigh);
        iHigh = -1;
        i += 2;
        continue;
      case 'u': {
        unsigned u;
        int bHex = 1;
        for (int k = 2; k < 6 && bHex; k++) {
          if (i + k >= n) {
            *piErr = n;
            *pzReason = "unexpected end of input";
            return -1;
          }
          bHex = cfJsonIsHex(z[i + k]);
        }
        if (!bHex) {
          if (!bLenient) {
            *piErr = i;
            *pzReason = "invalid \\u escape";
            return -1;
          }
          if (iHigh >= 0) cfJsonOddAt(pOdd, iHigh, uHigh);
          iHigh = -1;
          i += 2;
          continue;
        }
        u = cfJsonHex4(z + i + 2);
        if (u >= 0xdc00 && u <= 0xdfff) {
          if (iHigh < 0) cfJsonOddAt(pOdd, i, u); /* a low surrogate without its high one */
          iHigh = -1;
        } else {
          if (iHigh >= 0) cfJsonOddAt(pOdd, iHigh, uHigh); /* a high one without its low one */
          if (u == 0) cfJsonOddAt(pOdd, i, 0);
          iHigh = (u >= 0xd800 && u <= 0xdbff) ? i : -1;
          uHigh = u;
        }
        i += 6;
        continue;
      }
      default:
        if (!bLenient) {
          *piErr = i;
          *pzReason = "invalid escape sequence";
          return -1;
        }
        if (iHigh >= 0) cfJsonOddAt(pOdd, iHigh, uHigh);
        iHigh = -1;
        i += 2;
        continue;
    }
  }
  *piErr = n;
  *pzReason = "unexpected end of input";
  return -1;
}

/* Appends to pStr the path of the value whose text starts at z[iVal] in
** the JSON text z, which a parser has read up to there: "parts[0].text",
** "meta.\"a b\"", "" for the top-level value.  A key is written as it is
** in the text, cut after 40 bytes ("…").  Returns 1 when the value lies
** deeper than CF_MAX_JSON_DEPTH (the path is not kept; nothing appended),
** else 0.  Only error messages need it: a second pass, over the text
** before the value. */
static int cfJsonPath(sqlite3_str *pStr, const char *z, int n, int iVal) {
  struct {
    char cOpen;       /* '{' or '[' */
    int iIdx;         /* '[': the index of the current item */
    int iKey, nKey;   /* '{': the current key's text, between its quotes */
  } a[CF_MAX_JSON_DEPTH];
  int nDepth = 0; /* may run past the array: those levels are not kept */
  int bKey = 0;   /* the next string is a key */
  int i = 0;
  while (i < iVal) {
    char c = z[i];
    if (c == '"') {
      CfJsonOdd odd = {-1, 0};
      const char *zReason;
      int iErr, iEnd = cfJsonString(z, n, i, 1, &odd, &iErr, &zReason);
      if (iEnd < 0) return 1; /* not the text a parser read */
      if (bKey && nDepth >= 1 && nDepth <= CF_MAX_JSON_DEPTH) {
        a[nDepth - 1].iKey = i + 1;
        a[nDepth - 1].nKey = iEnd - i - 2;
      }
      bKey = 0;
      i = iEnd;
      continue;
    }
    if (c == '{' || c == '[') {
      if (nDepth < CF_MAX_JSON_DEPTH) {
        a[nDepth].cOpen = c;
        a[nDepth].iIdx = 0;
        a[nDepth].iKey = a[nDepth].nKey = 0;
      }
      nDepth++;
      bKey = c == '{';
    } else if (c == '}' || c == ']') {
      if (nDepth > 0) nDepth--;
      bKey = 0;
    } else if (c == ',' && nDepth >= 1 && nDepth <= CF_MAX_JSON_DEPTH) {
      if (a[nDepth - 1].cOpen == '[') a[nDepth - 1].iIdx++;
      bKey = a[nDepth - 1].cOpen == '{';
    }
    i++;
  }
  if (nDepth > CF_MAX_JSON_DEPTH) return 1;
  for (int d = 0; d < nDepth; d++) {
    if (a[d].cOpen == '[') {
      sqlite3_str_appendf(pStr, "[%d]", a[d].iIdx);
    } else {
      const char *zKey = z + a[d].iKey;
      int nKey = a[d].nKey, bPlain = nKey > 0, bCut = 0;
      for (int k = 0; k < nKey && bPlain; k++) {
        unsigned char ck = (unsigned char)zKey[k];
        bPlain = ck >= 0x80 || ck == '_' || ck == '-' || cfJsonIsDigit((char)ck) || cfJsonIsAlpha((char)ck);
      }
      if (nKey > 40) {
        nKey = 40;
        while (nKey > 1 && (zKey[nKey] & 0xc0) == 0x80) nKey--;
        bCut = 1;
      }
      sqlite3_str_appendf(pStr, bPlain ? "%s%.*s%s" : "%s\"%.*s%s\"", d ? "." : "", nKey, zKey,
                          bCut ? "\xe2\x80\xa6" : "");
    }
  }
  return 0;
}

/* The error for a string of z that the text gate refuses: the string
** starting at iStr (nStr bytes, quotes included), a key when bKey, whose
** first odd escape is *pOdd.  zWhat names the whole text
** ("add_message options"), zWithin what a path is relative to (the same,
** or "import" for "import: the document").  Messages:
**   chatflow: <zWhat> has a key with \u0000 or an unpaired surrogate in it: "k"
**   chatflow: <zWithin>: <path> contains a NUL character (\u0000)
**   chatflow: <zWithin>: <path> contains a lone surrogate \ud800
** and, for the top-level value or one nested past the depth limit (no
** path), "chatflow: <zWhat> contains ..." ("... at offset N" for the
** latter).  Returns SQLITE_ERROR, or SQLITE_NOMEM. */
static int cfJsonOddError(const char *z, int n, const char *zWhat, const char *zWithin, int iStr,
                          int nStr, int bKey, const CfJsonOdd *pOdd, char **pzErr) {
  char zProblem[40];
  if (bKey) {
    /* named as written, quotes and escapes included: at most 40 bytes,
    ** cut on a character boundary */
    int nKey = nStr;
    if (nKey > 40) {
      nKey = 40;
      while (nKey > 1 && (z[iStr + nKey] & 0xc0) == 0x80) nKey--;
    }
    *pzErr = sqlite3_mprintf("chatflow: %s has a key with \\u0000 or an unpaired surrogate in it: %.*s",
                             zWhat, nKey, z + iStr);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (pOdd->u == 0) {
    sqlite3_snprintf(sizeof(zProblem), zProblem, "a NUL character (\\u0000)");
  } else {
    sqlite3_snprintf(sizeof(zProblem), zProblem, "a lone surrogate \\u%04x", pOdd->u);
  }
  {
    sqlite3_str *pPath = sqlite3_str_new(0);
    int bDeep = cfJsonPath(pPath, z, n, iStr);
    int rcPath = sqlite3_str_errcode(pPath);
    char *zPath = sqlite3_str_finish(pPath); /* 0: the top-level value */
    if (rcPath != SQLITE_OK) {
      sqlite3_free(zPath);
      return SQLITE_NOMEM;
    }
    if (bDeep) {
      *pzErr = sqlite3_mprintf("chatflow: %s contains %s at offset %d", zWhat, zProblem, pOdd->iAt);
    } else if (zPath == 0) {
      *pzErr = sqlite3_mprintf("chatflow: %s contains %s", zWhat, zProblem);
    } else {
      *pzErr = sqlite3_mprintf("chatflow: %s: %s contains %s", zWithin, zPath, zProblem);
    }
    sqlite3_free(zPath);
  }
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The string starting at z[*pi] == '"', for cfJsonScan: moves *pi past the
** closing quote and records its first odd escape in *pOdd.  Returns
** SQLITE_OK or a syntax error. */
static int cfJsonScanString(const char *z, int n, int *pi, CfJsonOdd *pOdd, const char *zWhat,
                            char **pzErr) {
  const char *zReason = 0;
  int iErr = 0, iEnd = cfJsonString(z, n, *pi, 0, pOdd, &iErr, &zReason);
  if (iEnd < 0) return cfJsonSyntax(pzErr, zWhat, iErr, zReason);
  *pi = iEnd;
  return SQLITE_OK;
}

/* A bare word at z[i]: true, false or null.  Any other word is named at
** its first letter, whatever it starts like ("unexpected 'nope'",
** "unexpected 'NaN'", "unexpected 'trUe'"); a literal that the end of
** the text cuts short ("tru") is "unexpected end of input", as a cut
** string or object is. */
static int cfJsonScanWord(const char *z, int n, int *pi, const char *zWhat, char **pzErr) {
  static const char *const azLit[] = {"true", "false", "null"};
  int i = *pi, j = *pi;
  while (j < n && cfJsonIsAlpha(z[j])) j++;
  for (int k = 0; k < 3; k++) {
    int nLit = (int)strlen(azLit[k]);
    if (j - i <= nLit && memcmp(z + i, azLit[k], (size_t)(j - i)) == 0) {
      if (j - i == nLit) {
        *pi = j;
        return SQLITE_OK;
      }
      if (j == n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
    }
  }
  *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: unexpected '%.*s'", zWhat, i,
                           j - i > 20 ? 20 : j - i, z + i);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A number at z[i] ('-' or a digit): -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int cfJsonScanNumber(const char *z, int n, int *pi, const char *zWhat, char **pzErr) {
  int i = *pi;
  if (z[i] == '-') i++;
  if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
  if (z[i] == '0') {
    i++;
  } else if (cfJsonIsDigit(z[i])) {
    while (i < n && cfJsonIsDigit(z[i])) i++;
  } else {
    return cfJsonSyntax(pzErr, zWhat, i, "unexpected character");
  }
  if (i < n && z[i] == '.') {
    i++;
    if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
    if (!cfJsonIsDigit(z[i])) return cfJsonSyntax(pzErr, zWhat, i, "unexpected character");
    while (i < n && cfJsonIsDigit(z[i])) i++;
  }
  if (i < n && (z[i] == 'e' || z[i] == 'E')) {
    i++;
    if (i < n && (z[i] == '+' || z[i] == '-')) i++;
    if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
    if (!cfJsonIsDigit(z[i])) return cfJsonSyntax(pzErr, zWhat, i, "unexpected character");
    while (i < n && cfJsonIsDigit(z[i])) i++;
  }
  *pi = i;
  return SQLITE_OK;
}

/* Checks that z[0..n) is exactly one RFC 8259 value (whitespace around it
** allowed) within the size and depth limits, and that none of its strings
** holds \u0000 or a lone surrogate (reported once the whole text is known
** to be JSON, the first such string in the text).  Returns SQLITE_OK and
** fills *pShape, SQLITE_ERROR with *pzErr, or SQLITE_NOMEM. */
static int cfJsonScan(const char *z, int n, const char *zWhat, CfJsonShape *pShape, char **pzErr) {
  char aOpen[CF_MAX_JSON_DEPTH];   /* '{' or '[' of each open container */
  int aCount[CF_MAX_JSON_DEPTH];   /* members seen so far */
  int aKey[CF_MAX_JSON_DEPTH][CF_JSON_SCAN_KEYS][2]; /* offset, length of each key's text */
  int iKey = 0, nKeyText = 0;  /* the key being read */
  int nDepth = 0, i = 0, rc;
  CfJsonOdd odd = {-1, 0};      /* the first odd escape (text gate) */
  int iOddStr = -1, nOddStr = 0; /* the string that holds it (quotes included) */
  int bOddKey = 0;               /* ... is a key */
  *pzErr = 0;
  memset(pShape, 0, sizeof(*pShape));
  pShape->iDup = -1;
  if (n > CF_MAX_JSON_BYTES) {
    *pzErr = sqlite3_mprintf("chatflow: %s is %d bytes of JSON, larger than the limit of %d", zWhat,
                             n, CF_MAX_JSON_BYTES);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }

value: /* a value is expected at z[i] (after whitespace) */
  while (i < n && cfJsonIsWs(z[i])) i++;
  if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
  switch (z[i]) {
    case '{':
    case '[':
      if (nDepth == CF_MAX_JSON_DEPTH) {
        *pzErr = sqlite3_mprintf("chatflow: %s nests deeper than %d levels at offset %d", zWhat,
                                 CF_MAX_JSON_DEPTH, i);
        return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
      aOpen[nDepth] = z[i];
      aCount[nDepth++] = 0;
      i++;
      while (i < n && cfJsonIsWs(z[i])) i++;
      if (i < n && z[i] == (aOpen[nDepth - 1] == '{' ? '}' : ']')) {
        nDepth--;
        i++;
        goto after;
      }
      if (aOpen[nDepth - 1] == '{') goto key;
      goto value;
    case '"': {
      int iStr = i;
      rc = cfJsonScanString(z, n, &i, &odd, zWhat, pzErr);
      if (rc) return rc;
      if (odd.iAt >= 0 && iOddStr < 0) {
        iOddStr = iStr;
        nOddStr = i - iStr;
      }
      goto after;
    }
    case '\'':
      return cfJsonSyntax(pzErr, zWhat, i, "strings take double quotes");
    default:
      if (z[i] == '-' || cfJsonIsDigit(z[i])) {
        rc = cfJsonScanNumber(z, n, &i, zWhat, pzErr);
      } else if (cfJsonIsAlpha(z[i])) {
        rc = cfJsonScanWord(z, n, &i, zWhat, pzErr);
      } else {
        rc = cfJsonSyntax(pzErr, zWhat, i, "unexpected character");
      }
      if (rc) return rc;
      goto after;
  }

key: /* a member's key is expected at z[i] (after whitespace) */
  while (i < n && cfJsonIsWs(z[i])) i++;
  if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
  if (z[i] == '\'') return cfJsonSyntax(pzErr, zWhat, i, "strings take double quotes");
  if (z[i] != '"') {
    return cfJsonSyntax(pzErr, zWhat, i,
                        z[i] == '}' ? "unexpected character" /* a trailing comma */
                                    : "quoted object property name expected");
  }
  iKey = i;
  rc = cfJsonScanString(z, n, &i, &odd, zWhat, pzErr);
  if (rc) return rc;
  if (odd.iAt >= 0 && iOddStr < 0) {
    iOddStr = iKey;
    nOddStr = i - iKey;
    bOddKey = 1;
  }
  nKeyText = i - iKey - 2;
  while (i < n && cfJsonIsWs(z[i])) i++;
  if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
  if (z[i] != ':') return cfJsonSyntax(pzErr, zWhat, i, "object property name separator ':' expected");
  i++;
  {
    /* the key's text, between its quotes */
    int iText = iKey + 1, nText = nKeyText, k = aCount[nDepth - 1]++;
    if (k < CF_JSON_SCAN_KEYS && !memchr(z + iText, '\\', (size_t)nText)) {
      for (int j = 0; j < k && pShape->iDup < 0; j++) {
        if (aKey[nDepth - 1][j][1] == nText && memcmp(z + aKey[nDepth - 1][j][0], z + iText, (size_t)nText) == 0) {
          pShape->iDup = iText;
          pShape->nDup = nText;
        }
      }
      aKey[nDepth - 1][k][0] = iText;
      aKey[nDepth - 1][k][1] = nText;
    } else {
      pShape->bAskSqlite = 1;
      aCount[nDepth - 1] = CF_JSON_SCAN_KEYS + 1; /* and no more scanner compares here */
    }
  }
  goto value;

after: /* a value ended just before z[i] */
  while (i < n && cfJsonIsWs(z[i])) i++;
  if (nDepth == 0) {
    if (i < n) {
      return cfJsonSyntax(pzErr, zWhat, i,
                          z[i] == 0 ? "unexpected text after the value" : "unexpected character");
    }
    if (iOddStr >= 0) {
      /* the text gate, once the whole text is known to be JSON */
      return cfJsonOddError(z, n, zWhat, zWhat, iOddStr, nOddStr, bOddKey, &odd, pzErr);
    }
    return SQLITE_OK;
  }
  if (i >= n) return cfJsonSyntax(pzErr, zWhat, n, "unexpected end of input");
  if (aOpen[nDepth - 1] == '{') {
    if (z[i] == ',') {
      i++;
      goto key;
    }
    if (z[i] != '}') return cfJsonSyntax(pzErr, zWhat, i, "object value separator ',' expected");
  } else {
    if (z[i] == ',') {
      i++;
      goto value;
    }
    if (z[i] != ']') return cfJsonSyntax(pzErr, zWhat, i, "array value separator ',' expected");
  }
  nDepth--;
  i++;
  goto after;
}

/* The text gate alone, for JSON that a parser has already accepted and
** that the argument limits do not bound (import_conversation's document:
** any size, SQLite's depth): finds the first key or string value holding
** \u0000 or a lone surrogate, as cfJsonScan would, and names it with the
** same messages (zWhat, zWithin: see cfJsonOddError).  A key is a string
** followed by ':'.  One pass, no allocation unless there is an error.
** Returns SQLITE_OK, SQLITE_ERROR with *pzErr, or SQLITE_NOMEM. */
int cfJsonTextCheck(const char *z, int n, const char *zWhat, const char *zWithin, char **pzErr) {
  int i = 0;
  *pzErr = 0;
  while (i < n) {
    CfJsonOdd odd = {-1, 0};
    const char *zReason;
    int iErr, iEnd, j;
    if (z[i] != '"') {
      i++;
      continue;
    }
    iEnd = cfJsonString(z, n, i, 1, &odd, &iErr, &zReason);
    if (iEnd < 0) return SQLITE_OK; /* unterminated: not JSON, which the parser reports */
    if (odd.iAt >= 0) {
      for (j = iEnd; j < n && cfJsonIsWs(z[j]); j++) {}
      return cfJsonOddError(z, n, zWhat, zWithin, i, iEnd - i, j < n && z[j] == ':', &odd, pzErr);
    }
    i = iEnd;
  }
  return SQLITE_OK;
}

/* The offset just past the JSON string that starts at z[i] == '"' (n
** when it is not closed). */
static int cfJsonSkipString(const char *z, int n, int i) {
  for (i++; i < n && z[i] != '"'; i++) {
    if (z[i] == '\\') i++;
  }
  return i < n ? i + 1 : n;
}

/* The top-level members of z[0..n), a JSON object the scanner accepted
** (so well formed: only the spans are looked for), in document order, into
** a[0..nMax).  Returns their number, or nMax + 1 when there are more. */
int cfJsonMembers(const char *z, int n, CfJsonMember *a, int nMax) {
  int i = 0, nMember = 0;
  while (i < n && cfJsonIsWs(z[i])) i++;
  i++; /* '{' */
  while (i < n) {
    int iKey, nKey, iVal, iDepth = 0;
    while (i < n && (cfJsonIsWs(z[i]) || z[i] == ',')) i++;
    if (i >= n || z[i] == '}') break;
    iKey = i + 1;
    i = cfJsonSkipString(z, n, i);
    nKey = i - 1 - iKey;
    while (i < n && (cfJsonIsWs(z[i]) || z[i] == ':')) i++;
    iVal = i;
    while (i < n) {
      char ch = z[i];
      if (ch == '"') {
        i = cfJsonSkipString(z, n, i);
        continue;
      }
      if (ch == '{' || ch == '[') iDepth++;
      else if ((ch == '}' || ch == ']') && iDepth-- == 0) break;
      else if (ch == ',' && iDepth == 0) break;
      i++;
    }
    if (nMember == nMax) return nMax + 1;
    a[nMember].zKey = z + iKey;
    a[nMember].nKey = nKey;
    a[nMember].zVal = z + iVal;
    a[nMember].nVal = i - iVal;
    while (a[nMember].nVal > 0 && cfJsonIsWs(a[nMember].zVal[a[nMember].nVal - 1])) a[nMember].nVal--;
    nMember++;
  }
  return nMember;
}

/* The nesting of the JSON text z[0..n) (already known to be JSON): the
** most containers open at once, counted outside strings. */
int cfJsonDepth(const char *z, int n) {
  int nOpen = 0, nMax = 0;
  for (int i = 0; i < n; i++) {
    char c = z[i];
    if (c == '"') {
      i = cfJsonSkipString(z, n, i) - 1; /* its closing quote */
    } else if (c == '{' || c == '[') {
      if (++nOpen > nMax) nMax = nOpen;
    } else if (c == '}' || c == ']') {
      nOpen--;
    }
  }
  return nMax;
}

/* ------------------------------------------------------ reading (SQLite) */

/* Where the statements run: the private connection of a caller's
** connection, with its statement cache (p: CfConn.dbJson), or a private
** connection opened for one call (db only).  Never the caller's own
** connection: json_each and json_tree are table-valued functions of its
** main schema, so a statement using them opens a read transaction of
** main, and inside the caller's deferred BEGIN that read transaction
** stays; the writing function's write lock would then have to be
** upgraded from it, which SQLite refuses at once instead of waiting in
** the busy handler (the lock error would blame the caller's
** transaction). */
typedef struct CfJsonDb {
  CfConn *p;
  sqlite3 *db;
} CfJsonDb;

/* The private connection of p (CfConn.dbJson), opened the first time; 0
** when it cannot be opened (out of memory: an in-memory database fails to
** open only so).  No mutex of its own: it is used only inside calls on
** p->db, which hold p->db's.  For statements that read JSON arguments
** before a writing function takes the write lock (see CfJsonDb). */
sqlite3 *cfJsonConnection(CfConn *p) {
  if (p->dbJson == 0 &&
      sqlite3_open_v2(":memory:", &p->dbJson, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      0) != SQLITE_OK) {
    sqlite3_close(p->dbJson);
    p->dbJson = 0;
  }
  return p->dbJson;
}

static int cfJsonPrepare(CfJsonDb *pDb, int iSlot, const char *zSql, sqlite3_stmt **ppStmt) {
  CfConn *p = pDb->p;
  *ppStmt = 0;
  if (p == 0) return sqlite3_prepare_v2(pDb->db, zSql, -1, ppStmt, 0);
  if (cfJsonConnection(p) == 0) return SQLITE_NOMEM;
  pDb->db = p->dbJson;
  return cfStmtSlot(p->dbJson, &p->aJsonStmt[iSlot - CF_STMT_JSON_LOAD], zSql, ppStmt);
}

static void cfJsonDone(CfJsonDb *pDb, sqlite3_stmt *pStmt) {
  if (pDb->p) cfStmtDone(pDb->p, pStmt); /* (its scan covers the private connection's cache) */
  else sqlite3_finalize(pStmt);
}

/* The error of a failed SQLite call: SQLITE_NOMEM without a message (the
** caller reports it as such), anything else with SQLite's message. */
static int cfJsonDbError(CfJsonDb *pDb, int rc, char **pzErr) {
  if (rc == SQLITE_NOMEM || rc == SQLITE_TOOBIG) return rc;
  *pzErr = cfDbError(pDb->db, rc);
  return *pzErr ? rc : SQLITE_NOMEM;
}

/* Column i as text, 0 for NULL.  Sets *pRc to SQLITE_NOMEM when SQLite
** could not make the text (the type is read first, as it must be). */
static const char *cfJsonText(sqlite3_stmt *pStmt, int i, int *pRc) {
  const char *z;
  if (sqlite3_column_type(pStmt, i) == SQLITE_NULL) return 0;
  z = (const char *)sqlite3_column_text(pStmt, i);
  if (z == 0) *pRc = SQLITE_NOMEM;
  return z;
}

/* json_type() names, and what the error messages call them. */
const char *cfJsonTypeName(const char *zType) {
  if (zType == 0) return "null";
  switch (zType[0]) {
    case 'o': return "an object";
    case 'a': return "an array";
    case 'i': return "an integer";
    case 'r': return "a number";
    case 't': return zType[1] == 'e' ? "a string" : "a boolean"; /* text, true */
    case 'f': return "a boolean";
  }
  return "null";
}

static int cfJsonTypeOk(const char *zType, int eType) {
  switch (zType[0]) {
    case 'o': return (eType & CF_JT_OBJECT) != 0;
    case 'a': return (eType & (CF_JT_ARRAY | CF_JT_PARTS)) != 0;
    case 'i': return (eType & CF_JT_INT) != 0;
    case 'r': return (eType & CF_JT_NUMBER) != 0;
    case 't': return (eType & (zType[1] == 'e' ? CF_JT_STRING : CF_JT_BOOL)) != 0;
    case 'f': return (eType & CF_JT_BOOL) != 0;
  }
  return 0;
}

static const char *cfJsonExpected(int eType) {
  switch (eType) {
    case CF_JT_STRING: return "a string";
    case CF_JT_INT: return "an integer";
    case CF_JT_OBJECT: return "an object";
    case CF_JT_ARRAY: return "an array";
    case CF_JT_BOOL: return "a boolean";
    case CF_JT_PARTS: return "an array of parts";
    case CF_JT_BOOL | CF_JT_STRING: return "a boolean or a string";
    case CF_JT_INT | CF_JT_NUMBER: return "a number";
  }
  return "a JSON value";
}

/* The error for a key found twice in one object. */
static int cfJsonDuplicate(const char *zWhat, const char *zKey, int nKey, char **pzErr) {
  /* at most 40 bytes of the key, cut on a character boundary */
  if (nKey > 40) {
    nKey = 40;
    while (nKey > 0 && (zKey[nKey] & 0xc0) == 0x80) nKey--;
  }
  *pzErr = sqlite3_mprintf("chatflow: %s has the key \"%.*s\" twice in one object", zWhat, nKey, zKey);
  return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* The kind of the value z[0..n), which cfJsonScan accepted, as json_type()
** names it: by its first character, and for a number by whether it has a
** fraction or an exponent (SQLite's JSON_REAL, else JSON_INT: json_type
** calls 12345678901234567890 an integer too). */
static const char *cfJsonKind(const char *z, int n) {
  int i = 0;
  while (i < n && cfJsonIsWs(z[i])) i++;
  if (i >= n) return "null"; /* (not reached: the scan refuses it) */
  switch (z[i]) {
    case '{': return "object";
    case '[': return "array";
    case '"': return "text";
    case 't': return "true";
    case 'f': return "false";
    case 'n': return "null";
  }
  for (; i < n && !cfJsonIsWs(z[i]); i++) {
    if (z[i] == '.' || z[i] == 'e' || z[i] == 'E') return "real";
  }
  return "integer";
}

/* What the error messages call the kind of the JSON value z[0..n), which
** the scanner accepted ("an object", "an integer", "a number", ...): the
** names cfJsonTypeName gives json_type()'s. */
const char *cfJsonKindName(const char *z, int n) { return cfJsonTypeName(cfJsonKind(z, n)); }

/* The member zPath ("$.text"; "$" for z itself) of the JSON z[0..n) (n
** -1: to its NUL), as the "got ..." of an error about it says it
** (cfJsonValueDesc: "none" when absent, "object", "integer 5", "text
** 'a'"), written into zBuf (CF_VALUE_DESC_LEN bytes).  Read on db when an
** error is found, so the checks that pass read nothing more.  Sticky:
** does nothing once *pRc is set, and sets it when SQLite fails (the
** caller then reports that code, not the message it was writing). */
const char *cfJsonMemberDesc(sqlite3 *db, const char *z, int n, const char *zPath, char *zBuf, int *pRc) {
  sqlite3_stmt *pStmt = 0;
  int rc = *pRc;
  zBuf[0] = 0;
  if (rc != SQLITE_OK) return zBuf;
  rc = sqlite3_prepare_v2(db, "SELECT json_type(?1, ?2), json_extract(?1, ?2)", -1, &pStmt, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, z, n, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 2, zPath, -1, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    const char *zType = (const char *)sqlite3_column_text(pStmt, 0);
    rc = SQLITE_OK;
    if (zType == 0 && sqlite3_column_type(pStmt, 0) != SQLITE_NULL) {
      rc = SQLITE_NOMEM;
    } else {
      cfJsonValueDesc(zType, sqlite3_column_value(pStmt, 1), zBuf, &rc);
    }
  } else if (rc == SQLITE_OK || rc == SQLITE_DONE) {
    rc = SQLITE_NOMEM; /* a SELECT without FROM has its row unless it failed */
  }
  sqlite3_finalize(pStmt);
  *pRc = rc;
  return zBuf;
}

/* The kind of ?1 and, when ?2, a key that occurs twice in one object of it
** (cfJsonLoad, cfJsonKeyTwice: one statement slot). */
#define CF_JSON_LOAD_SQL                                              \
  "SELECT json_type(?1), CASE WHEN ?2 THEN"                           \
  " (SELECT key FROM json_tree(?1) WHERE typeof(key) = 'text'"        \
  "   GROUP BY parent, key HAVING count(*) > 1 LIMIT 1) END"

/* Scans z[0..n) and, only when the scan could not compare the keys (see
** CF_JSON_SCAN_KEYS), asks SQLite for a key that occurs twice in one object
** (json_tree) and for the kind of the value (else cfJsonKind).  *pzType gets "object", "array", "integer",
** "real", "text", "true", "false" or "null" (a static string).  Returns
** SQLITE_OK, SQLITE_ERROR with *pzErr, or another SQLite code. */
static int cfJsonLoad(CfJsonDb *pDb, const char *z, int n, const char *zWhat, const char **pzType,
                      char **pzErr) {
  static const char *azType[] = {"object", "array", "integer", "real", "text", "true", "false", "null"};
  CfJsonShape shape;
  sqlite3_stmt *pStmt = 0;
  int rc = cfJsonScan(z, n, zWhat, &shape, pzErr);
  *pzType = "null";
  if (rc != SQLITE_OK) return rc;
  if (shape.iDup >= 0) return cfJsonDuplicate(zWhat, z + shape.iDup, shape.nDup, pzErr);
  if (!shape.bAskSqlite) {
    *pzType = cfJsonKind(z, n);
    return SQLITE_OK;
  }
  rc = cfJsonPrepare(pDb, CF_STMT_JSON_LOAD, CF_JSON_LOAD_SQL, &pStmt);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, z, n, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(pStmt, 2, shape.bAskSqlite);
  if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    const char *zType, *zKey;
    rc = SQLITE_OK;
    zType = cfJsonText(pStmt, 0, &rc);
    zKey = cfJsonText(pStmt, 1, &rc);
    if (rc != SQLITE_OK || zType == 0) {
      rc = SQLITE_NOMEM; /* json_type() of a valid document is never NULL */
    } else if (zKey) {
      rc = cfJsonDuplicate(zWhat, zKey, sqlite3_column_bytes(pStmt, 1), pzErr);
    } else {
      for (int k = 0; k < 8; k++) {
        if (strcmp(zType, azType[k]) == 0) *pzType = azType[k];
      }
    }
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_NOMEM; /* a SELECT without FROM has its row unless it failed */
  } else {
    rc = cfJsonDbError(pDb, rc, pzErr); /* SQLite's message, e.g. for an I/O error */
  }
  cfJsonDone(pDb, pStmt);
  return rc;
}

/* Whether the JSON text z[0..n) holds a key twice in one object, at any
** depth (chatflow_check's json_keys): *pbTwice 1 or 0.  The scanner
** decides when it can compare the keys; else (an object of more than 16
** keys, an escaped key, a text the scanner refuses as an argument: larger,
** deeper, with \u0000) SQLite's json_tree on p's private connection.  A
** text that is not JSON holds none.  Returns SQLITE_OK or an SQLite code
** (out of memory). */
int cfJsonKeyTwice(CfConn *p, const char *z, int n, int *pbTwice) {
  CfJsonShape shape;
  CfJsonDb d;
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc = cfJsonScan(z, n, "value", &shape, &zErr);
  *pbTwice = 0;
  sqlite3_free(zErr);
  if (rc == SQLITE_NOMEM) return rc;
  if (rc == SQLITE_OK && shape.iDup >= 0) {
    *pbTwice = 1;
    return SQLITE_OK;
  }
  if (rc == SQLITE_OK && !shape.bAskSqlite) return SQLITE_OK;
  d.p = p;
  d.db = p->db;
  rc = cfJsonPrepare(&d, CF_STMT_JSON_LOAD, CF_JSON_LOAD_SQL, &pStmt);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, z, n, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_bind_int(pStmt, 2, 1);
  if (rc == SQLITE_OK) {
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *pbTwice = sqlite3_column_type(pStmt, 1) != SQLITE_NULL;
      rc = SQLITE_OK;
    } else if (rc == SQLITE_ERROR) {
      rc = SQLITE_OK; /* not JSON (malformed JSON): no key twice */
    }
  }
  cfJsonDone(&d, pStmt);
  return rc;
}

/* Runs on p's connection, or on a private in-memory one when p is 0. */
static int cfJsonDbOpen(CfJsonDb *pDb, CfConn *p) {
  pDb->p = p;
  pDb->db = p ? p->db : 0;
  if (p) return SQLITE_OK;
  return sqlite3_open_v2(":memory:", &pDb->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 0);
}

static void cfJsonDbClose(CfJsonDb *pDb) {
  if (pDb->p == 0) sqlite3_close(pDb->db);
}

/* Checks that z[0..n) is one valid JSON value within the limits; errors
** call it zWhat ("chatflow: UIMessage is not valid JSON at offset 1: ..."). */
int cfJsonCheckAs(CfConn *p, const char *z, int n, const char *zWhat, char **pzErr) {
  CfJsonDb d;
  const char *zType;
  int rc = cfJsonDbOpen(&d, p);
  *pzErr = 0;
  if (rc == SQLITE_OK) rc = cfJsonLoad(&d, z, n, zWhat, &zType, pzErr);
  cfJsonDbClose(&d);
  return rc;
}

int cfJsonCheck(CfConn *p, const char *z, int n, char **pzErr) {
  return cfJsonCheckAs(p, z, n, "value", pzErr);
}

/* The states of an AI SDK tool part (ToolUIPart["state"] of the "ai"
** package, 5.x to 7.x: the call streaming in, complete, waiting for and
** given an approval, answered, failed, denied). */
static const char *const cfToolStates[] = {
  "input-streaming", "input-available", "approval-requested", "approval-responded",
  "output-available", "output-error", "output-denied",
};

/* True when z is a state of cfToolStates. */
int cfToolStateKnown(const char *z) {
  for (size_t k = 0; z && k < sizeof(cfToolStates) / sizeof(cfToolStates[0]); k++) {
    if (strcmp(z, cfToolStates[k]) == 0) return 1;
  }
  return 0;
}

/* True when z is a state of cfToolStates in which the part carries its
** result: output-available, output-error, output-denied. */
int cfToolStateHasResult(const char *z) {
  return z && (strcmp(z, "output-available") == 0 || strcmp(z, "output-error") == 0 ||
               strcmp(z, "output-denied") == 0);
}

/* What the member zPath of the part in column 2 of pStmt (json_each's
** value: an object's JSON text) is, for the "got ..." of its error
** (cfJsonMemberDesc; sticky on *pRc). */
static const char *cfJsonPartGot(CfJsonDb *pDb, sqlite3_stmt *pStmt, const char *zPath, char *zBuf, int *pRc) {
  const char *zPart = cfJsonText(pStmt, 2, pRc);
  zBuf[0] = 0;
  if (*pRc == SQLITE_OK && zPart == 0) *pRc = SQLITE_NOMEM;
  return cfJsonMemberDesc(pDb->db, zPart, sqlite3_column_bytes(pStmt, 2), zPath, zBuf, pRc);
}

/* Message parts: zParts is a JSON array (as json_each gives it).  Each item
** is an object with a non-empty string "type"; every type is accepted (the
** AI SDK's part kinds and any newer one are kept as data), and these are
** checked for what their producers guarantee:
**   text                       "text" is a string (empty allowed)
**   tool-call (chatflow's tool  "id" and "name" are strings of 1 to 128
**   call, without toolCallId)  characters, "arguments" a string or an object
**   tool-<name>, dynamic-tool  (AI SDK tool parts; a "tool-call" or
**                              "tool-result" with a toolCallId and a state is
**                              the part of a tool so named) "toolCallId" is a string
**                              of 1 to 128 characters, "state" one of
**                              cfToolStates; dynamic-tool also "toolName"
**   data-<name>, tool-<name>   the name is not empty
**   file                       (the AI SDK's FileUIPart, what the replay
**                              reads: cfReplayFileItem) "mediaType" and
**                              "url" are strings, "filename" a string
**                              when present
** and the calls' ids (a tool-call's "id", a tool part's "toolCallId")
** differ: a replay sends each as a call of one assistant message, and an
** OpenAI-compatible server refuses two calls with one id, as it refuses a
** result that answers two of them. */
static int cfJsonPartsCheck(CfJsonDb *pDb, const char *zParts, int nParts, const char *zKey,
                            char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  CfCallId *aCall = 0; /* the calls' ids, copies (sqlite3_malloc'd z), in order */
  int nCall = 0, nCallAlloc = 0;
  /* Each item's type; the fields of a tool part are read only for the
  ** parts whose type names a tool (each JSON function call costs, and
  ** most parts are text). */
  int rc = cfJsonPrepare(pDb, CF_STMT_JSON_PARTS,
                         "SELECT key, CASE WHEN type = 'object' THEN"
                         " CASE WHEN json_type(value, '$.type') = 'text'"
                         " THEN json_extract(value, '$.type') END END, value,"
                         " CASE WHEN type = 'object' AND json_extract(value, '$.type') = 'text'"
                         " THEN coalesce(json_type(value, '$.text'), '') = 'text' END, type"
                         " FROM json_each(?1)",
                         &pStmt);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, zParts, nParts, SQLITE_STATIC);
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    int i = sqlite3_column_int(pStmt, 0);
    const char *zType, *zState;
    sqlite3_stmt *pTool = 0;
    char *zE = 0;
    char zGot[CF_VALUE_DESC_LEN]; /* what a member that is refused is */
    int bOk = 0, iIdCol = 0; /* bOk 1: a call, its id in column iIdCol */
    rc = SQLITE_OK;
    zType = cfJsonText(pStmt, 1, &rc);
    if (rc != SQLITE_OK) break;
    if (zType == 0 || zType[0] == 0) {
      /* what it got: the item, or the "type" of an object */
      const char *zKind = cfJsonText(pStmt, 4, &rc);
      if (rc == SQLITE_OK && zKind && strcmp(zKind, "object") == 0) {
        zE = sqlite3_mprintf("chatflow: %s[%d].type must be a non-empty string, got %s", zKey, i,
                             cfJsonPartGot(pDb, pStmt, "$.type", zGot, &rc));
      } else if (rc == SQLITE_OK) {
        zE = sqlite3_mprintf("chatflow: %s[%d] must be an object with a non-empty string \"type\", got %s", zKey,
                             i, cfJsonValueDesc(zKind, sqlite3_column_value(pStmt, 2), zGot, &rc));
      }
    } else if ((strcmp(zType, "data-") == 0 || strcmp(zType, "tool-") == 0)) {
      zE = sqlite3_mprintf("chatflow: %s[%d] has type '%s' without a name after the dash", zKey, i, zType);
    } else if (strcmp(zType, "text") == 0) {
      /* the AI SDK's TextUIPart: its text a string (empty while it streams) */
      if (sqlite3_column_int(pStmt, 3)) continue;
      zE = sqlite3_mprintf("chatflow: %s[%d] (text) needs a \"text\": a string, got %s", zKey, i,
                           cfJsonPartGot(pDb, pStmt, "$.text", zGot, &rc));
    } else if (strcmp(zType, "file") == 0) {
      /* Columns: mediaType a string, url a string, filename a string or
      ** absent */
      const char *zPart = cfJsonText(pStmt, 2, &rc);
      sqlite3_stmt *pFile = 0;
      int bBad = 0;
      if (rc != SQLITE_OK || zPart == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      rc = cfJsonPrepare(pDb, CF_STMT_JSON_PART_FILE,
                         "SELECT json_type(?1, '$.mediaType') IS 'text', json_type(?1, '$.url') IS 'text',"
                         " coalesce(json_type(?1, '$.filename'), 'text') = 'text'",
                         &pFile);
      if (rc == SQLITE_OK) rc = sqlite3_bind_text(pFile, 1, zPart, sqlite3_column_bytes(pStmt, 2), SQLITE_STATIC);
      if (rc == SQLITE_OK) rc = sqlite3_step(pFile);
      if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        bBad = 1;
        if (!sqlite3_column_int(pFile, 0)) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (file) needs a \"mediaType\": a string, got %s", zKey, i,
                               cfJsonPartGot(pDb, pStmt, "$.mediaType", zGot, &rc));
        } else if (!sqlite3_column_int(pFile, 1)) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (file) needs a \"url\": a string, got %s", zKey, i,
                               cfJsonPartGot(pDb, pStmt, "$.url", zGot, &rc));
        } else if (!sqlite3_column_int(pFile, 2)) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (file) \"filename\" must be a string, got %s", zKey, i,
                               cfJsonPartGot(pDb, pStmt, "$.filename", zGot, &rc));
        } else {
          bBad = 0;
        }
      } else if (rc == SQLITE_OK || rc == SQLITE_DONE) {
        rc = SQLITE_NOMEM;
      }
      cfJsonDone(pDb, pFile);
      if (rc != SQLITE_OK) {
        sqlite3_free(zE);
        break;
      }
      if (!bBad) continue; /* else zE, or 0: out of memory */
    } else if (strncmp(zType, "tool-", 5) != 0 && strcmp(zType, "dynamic-tool") != 0) {
      continue;
    } else {
      /* Columns: arguments a string, an object or absent; the lengths of
      ** id, name and toolCallId; state; the length of toolName (each
      ** NULL when not a string). */
      const char *zPart = cfJsonText(pStmt, 2, &rc);
      if (rc != SQLITE_OK || zPart == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      rc = cfJsonPrepare(pDb, CF_STMT_JSON_PART_TOOL,
                         "SELECT coalesce(json_type(?1, '$.arguments'), 'null') IN ('text', 'object', 'null'),"
                         " CASE WHEN json_type(?1, '$.id') = 'text' THEN length(json_extract(?1, '$.id')) END,"
                         " CASE WHEN json_type(?1, '$.name') = 'text' THEN length(json_extract(?1, '$.name')) END,"
                         " CASE WHEN json_type(?1, '$.toolCallId') = 'text'"
                         "  THEN length(json_extract(?1, '$.toolCallId')) END,"
                         " CASE WHEN json_type(?1, '$.state') = 'text' THEN json_extract(?1, '$.state') END,"
                         " CASE WHEN json_type(?1, '$.toolName') = 'text'"
                         "  THEN length(json_extract(?1, '$.toolName')) END,"
                         " CASE WHEN json_type(?1, '$.id') = 'text' THEN json_extract(?1, '$.id') END,"
                         " CASE WHEN json_type(?1, '$.toolCallId') = 'text' THEN json_extract(?1, '$.toolCallId') END",
                         &pTool);
      if (rc == SQLITE_OK) rc = sqlite3_bind_text(pTool, 1, zPart, sqlite3_column_bytes(pStmt, 2), SQLITE_STATIC);
      if (rc == SQLITE_OK) rc = sqlite3_step(pTool);
      if (rc == SQLITE_ROW) {
        rc = SQLITE_OK;
        zState = cfJsonText(pTool, 4, &rc);
      } else if (rc == SQLITE_OK || rc == SQLITE_DONE) {
        rc = SQLITE_NOMEM;
      }
      if (rc != SQLITE_OK) {
        /* out of memory, or SQLite's error: ended below */
      } else if (strcmp(zType, "tool-call") == 0 && (sqlite3_column_type(pTool, 3) == SQLITE_NULL || zState == 0)) {
        /* chatflow's tool call (a part with a toolCallId is the AI SDK's
        ** part of a tool named "call", checked below) */
        sqlite3_int64 nId = sqlite3_column_int64(pTool, 1), nName = sqlite3_column_int64(pTool, 2);
        if (nId < 1 || nId > 128) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (tool-call) needs an \"id\": a string of 1 to 128 characters, got %s",
                               zKey, i, cfJsonPartGot(pDb, pStmt, "$.id", zGot, &rc));
        } else if (nName < 1 || nName > 128) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (tool-call) needs a \"name\": a string of 1 to 128 characters, got %s",
                               zKey, i, cfJsonPartGot(pDb, pStmt, "$.name", zGot, &rc));
        } else if (!sqlite3_column_int(pTool, 0)) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (tool-call) \"arguments\" must be a JSON string or an object, got %s",
                               zKey, i, cfJsonPartGot(pDb, pStmt, "$.arguments", zGot, &rc));
        } else {
          bOk = 1;
          iIdCol = 6; /* "id" */
        }
      } else if (strcmp(zType, "tool-result") != 0 || (sqlite3_column_type(pTool, 3) != SQLITE_NULL && zState) ||
                 strcmp(zType, "dynamic-tool") == 0) {
        sqlite3_int64 nId = sqlite3_column_int64(pTool, 3), nName = sqlite3_column_int64(pTool, 5);
        if (nId < 1 || nId > 128) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (%s) needs a \"toolCallId\": a string of 1 to 128 characters, got %s",
                               zKey, i, zType, cfJsonPartGot(pDb, pStmt, "$.toolCallId", zGot, &rc));
        } else if (zState == 0) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (%s) needs a string \"state\", got %s", zKey, i, zType,
                               cfJsonPartGot(pDb, pStmt, "$.state", zGot, &rc));
        } else if (!cfToolStateKnown(zState)) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (%s) has the unknown state '%q' (expected input-streaming, input-available, "
                               "approval-requested, approval-responded, output-available, output-error, output-denied)",
                               zKey, i, zType, zState);
        } else if (zType[0] == 'd' && (nName < 1 || nName > 128)) {
          zE = sqlite3_mprintf("chatflow: %s[%d] (dynamic-tool) needs a \"toolName\": a string of 1 to 128 characters,"
                               " got %s", zKey, i, cfJsonPartGot(pDb, pStmt, "$.toolName", zGot, &rc));
        } else {
          bOk = 1;
          iIdCol = 7; /* "toolCallId" */
        }
      } else {
        bOk = 2; /* chatflow's tool result: no call of its own */
      }
      if (bOk == 1) {
        const char *zId = (const char *)sqlite3_column_text(pTool, iIdCol);
        int n = sqlite3_column_bytes(pTool, iIdCol);
        char *zCopy = zId ? sqlite3_malloc(n + 1) : 0;
        if (nCall == nCallAlloc && zCopy) {
          int nNew = nCallAlloc ? nCallAlloc * 2 : 8;
          CfCallId *aNew = sqlite3_realloc64(aCall, sizeof(aCall[0]) * (sqlite3_uint64)nNew);
          if (aNew) {
            aCall = aNew;
            nCallAlloc = nNew;
          } else {
            sqlite3_free(zCopy);
            zCopy = 0;
          }
        }
        if (zCopy == 0) {
          rc = SQLITE_NOMEM;
        } else {
          memcpy(zCopy, zId, (size_t)n + 1);
          aCall[nCall].z = zCopy;
          aCall[nCall].n = n;
          aCall[nCall].i = i;
          nCall++;
        }
      }
      cfJsonDone(pDb, pTool);
      if (rc != SQLITE_OK) {
        sqlite3_free(zE);
        break;
      }
      if (bOk) continue;
    }
    if (rc != SQLITE_OK) { /* the read of what it got failed */
      sqlite3_free(zE);
      break;
    }
    rc = zE ? SQLITE_ERROR : SQLITE_NOMEM;
    *pzErr = zE;
    break;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc == SQLITE_OK) {
    int iFirst = 0, iDup = cfFirstDuplicate(aCall, nCall, &iFirst);
    if (iDup >= 0) {
      *pzErr = sqlite3_mprintf("chatflow: %s[%d] has the call id of %s[%d]: the calls of one message need"
                               " distinct ids", zKey, iDup, zKey, iFirst);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  }
  for (int k = 0; k < nCall; k++) sqlite3_free((char *)aCall[k].z);
  sqlite3_free(aCall);
  if (rc != SQLITE_OK && rc != SQLITE_ERROR) rc = cfJsonDbError(pDb, rc, pzErr);
  cfJsonDone(pDb, pStmt);
  return rc;
}

/* The list of option names, for the unknown-option error: the options
** the function takes, not those it reads only to refuse (bUnlisted). */
static char *cfJsonOptionList(const CfJsonOpt *aOpt, int nOpt) {
  sqlite3_str *pStr = sqlite3_str_new(0);
  const char *zSep = "";
  for (int j = 0; j < nOpt; j++) {
    if (aOpt[j].bUnlisted) continue;
    sqlite3_str_appendf(pStr, "%s%s", zSep, aOpt[j].zKey);
    zSep = ", ";
  }
  return sqlite3_str_finish(pStr); /* 0 for out of memory (or an empty list) */
}

/* The members of an options object, one row each, in document order. */
static int cfJsonOptionsRead(CfJsonDb *pDb, const char *zJson, int nJson, const char *zFunc,
                             CfJsonOpt *aOpt, int nOpt, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  int rc;
  rc = cfJsonPrepare(pDb, CF_STMT_JSON_OPTIONS,
                     "SELECT key, type, CASE WHEN type IN ('array', 'object') THEN value ELSE atom END,"
                     " CASE WHEN type = 'array' THEN json_array_length(value) END,"
                     " instr(fullkey, char(92)) = 0"
                     " FROM json_each(?1)",
                     &pStmt);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, zJson, nJson, SQLITE_STATIC);
  while (rc == SQLITE_OK && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zKey, *zType;
    CfJsonOpt *pOpt = 0;
    rc = SQLITE_OK;
    zKey = cfJsonText(pStmt, 0, &rc);
    zType = cfJsonText(pStmt, 1, &rc);
    if (rc != SQLITE_OK || zKey == 0 || zType == 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    for (int i = 0; i < nOpt; i++) {
      if (strcmp(aOpt[i].zKey, zKey) == 0) pOpt = &aOpt[i];
    }
    if (pOpt == 0) {
      char *zList = cfJsonOptionList(aOpt, nOpt);
      if (zList) {
        *pzErr = sqlite3_mprintf("chatflow: unknown option '%s' for %s (expected %s)", zKey, zFunc, zList);
      }
      sqlite3_free(zList);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if (!sqlite3_column_int(pStmt, 4)) {
      /* "p\u0061rts": the callers read options with json_extract('$.parts'),
      ** which SQLite 3.40 does not match against an escaped key */
      *pzErr = sqlite3_mprintf("chatflow: option '%s' of %s is spelled with escapes; write the name as plain text",
                               zKey, zFunc);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if (strcmp(zType, "null") == 0) continue; /* null: absent */
    if (zType[0] == 'r' && (pOpt->eType & (CF_JT_INT | CF_JT_NUMBER)) == CF_JT_INT &&
        cfJsonValueInteger(sqlite3_column_value(pStmt, 2), &pOpt->iVal)) {
      /* an integer-valued real (4.0): what SQLite's json_object writes for
      ** a number a JavaScript binding bound; 4.5 stays an error */
      pOpt->bPresent = 1;
      continue;
    }
    if (!cfJsonTypeOk(zType, pOpt->eType)) {
      /* a real where an integer is expected: why it is not one */
      int bInt = zType[0] == 'r' && (pOpt->eType & (CF_JT_INT | CF_JT_NUMBER)) == CF_JT_INT;
      const char *zGot = bInt ? cfJsonIntegerGot(sqlite3_column_value(pStmt, 2)) : cfJsonTypeName(zType);
      *pzErr = sqlite3_mprintf("chatflow: option '%s' of %s must be %s, got %s", zKey, zFunc,
                               cfJsonExpected(pOpt->eType), zGot);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      break;
    }
    if (zType[0] == 'a') {
      const char *zArr = cfJsonText(pStmt, 2, &rc);
      if (zArr == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
      if (pOpt->eType & CF_JT_PARTS) {
        rc = cfJsonPartsCheck(pDb, zArr, sqlite3_column_bytes(pStmt, 2), zKey, pzErr);
        if (rc != SQLITE_OK) break;
      }
      pOpt->iVal = sqlite3_column_int64(pStmt, 3);
    } else if (zType[0] == 'i') {
      /* beyond 64 bits SQLite gives a real: refused here, as clamped to
      ** 2^63 - 1 it would be named as a value the caller never sent */
      if (sqlite3_column_type(pStmt, 2) == SQLITE_INTEGER) {
        pOpt->iVal = sqlite3_column_int64(pStmt, 2);
      } else {
        *pzErr = sqlite3_mprintf("chatflow: option '%s' of %s is an integer beyond 64 bits", zKey, zFunc);
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
        break;
      }
    } else if (zType[0] == 't' && zType[1] == 'r') {
      pOpt->iVal = 1;
    } else if (zType[0] == 'f') {
      pOpt->iVal = 0;
    } else if (zType[0] == 't' || zType[0] == 'r') {
      const char *zVal = cfJsonText(pStmt, 2, &rc); /* copied out */
      sqlite3_free(pOpt->zVal);
      pOpt->zVal = zVal ? sqlite3_mprintf("%s", zVal) : 0;
      if (pOpt->zVal == 0) {
        rc = SQLITE_NOMEM;
        break;
      }
    }
    pOpt->bPresent = 1;
  }
  if (rc == SQLITE_DONE) rc = SQLITE_OK;
  if (rc != SQLITE_OK && rc != SQLITE_ERROR) rc = cfJsonDbError(pDb, rc, pzErr);
  cfJsonDone(pDb, pStmt);
  return rc;
}

static int cfJsonOptionsOn(CfJsonDb *pDb, const char *zJson, int nJson, const char *zFunc,
                           CfJsonOpt *aOpt, int nOpt, char **pzErr) {
  const char *zType;
  char *zWhat = sqlite3_mprintf("%s options", zFunc);
  int rc;
  *pzErr = 0;
  if (zWhat == 0) return SQLITE_NOMEM;
  rc = cfJsonLoad(pDb, zJson, nJson, zWhat, &zType, pzErr);
  if (rc == SQLITE_OK && strcmp(zType, "object") != 0) {
    *pzErr = sqlite3_mprintf("chatflow: %s must be a JSON object, got %s", zWhat, cfJsonTypeName(zType));
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) rc = cfJsonOptionsRead(pDb, zJson, nJson, zFunc, aOpt, nOpt, pzErr);
  sqlite3_free(zWhat);
  return rc;
}

/* True when z[0..n) is the JSON text null, blanks around it allowed. */
static int cfJsonIsNull(const char *z, int n) {
  int i = 0;
  while (n > 0 && cfJsonIsWs(z[n - 1])) n--;
  while (i < n && cfJsonIsWs(z[i])) i++;
  return n - i == 4 && memcmp(z + i, "null", 4) == 0;
}

/* The options_json argument v of zFunc, before it is parsed: the one
** place that decides what "no options" is.  SQL NULL and the JSON text
** null (what JSON.stringify(null) and Python's json.dumps(None) give)
** are both no options: *pzOut is 0, so that the caller takes exactly the
** path of SQL NULL.  (Not later, in cfJsonOptionsOn: the callers bind the
** text into their statements, and add_ui_message's json_set(coalesce(?,
** '{}'), ...) of a 'null' would give add_message 'null', its parts lost.)
** Anything else must be text, checked by cfTextCheck under the name
** "<zFunc> options" ("chatflow: chatflow_init options must be text, got
** integer 1", "... is not valid UTF-8"); whether it is a JSON object of the
** right options is cfJsonOptionsConn's business.  Returns as
** cfTextCheck. */
int cfJsonOptionsText(sqlite3_value *v, const char *zFunc, const char **pzOut, char **pzErr) {
  char zWhat[80];
  int rc;
  sqlite3_snprintf(sizeof(zWhat), zWhat, "%s options", zFunc);
  rc = cfTextCheck(v, zWhat, 0, 1, 1, pzOut, pzErr);
  if (rc == SQLITE_OK && *pzOut && cfJsonIsNull(*pzOut, sqlite3_value_bytes(v))) *pzOut = 0;
  return rc;
}

/* cfJsonOptionsText for a scalar function: the error is set on ctx and
** the result is non-zero. */
int cfArgOptions(sqlite3_context *ctx, sqlite3_value *v, const char *zFunc, const char **pzOut) {
  char *zErr = 0;
  int rc = cfJsonOptionsText(v, zFunc, pzOut, &zErr);
  if (rc == SQLITE_OK) return 0;
  cfResultErrorMsg(ctx, zErr);
  return 1;
}

/* Parses an options object for zFunc on p's connection.  Every key must be
** one of aOpt (a null value counts as absent); each value must have an
** accepted type.  Fills bPresent, iVal and zVal.  Returns SQLITE_OK;
** SQLITE_ERROR with *pzErr; or another SQLite code (SQLITE_NOMEM: no
** message), which is also set on ctx when ctx is not 0. */
int cfJsonOptionsConn(sqlite3_context *ctx, CfConn *p, const char *zJson, int nJson,
                      const char *zFunc, CfJsonOpt *aOpt, int nOpt, char **pzErr) {
  CfJsonDb d = {p, p->db};
  int rc = cfJsonOptionsOn(&d, zJson, nJson, zFunc, aOpt, nOpt, pzErr);
  if (rc != SQLITE_OK && rc != SQLITE_ERROR && ctx) {
    if (*pzErr) {
      sqlite3_result_error(ctx, *pzErr, -1);
      sqlite3_free(*pzErr);
      *pzErr = 0;
      sqlite3_result_error_code(ctx, rc);
    } else if (rc == SQLITE_TOOBIG) {
      sqlite3_result_error_toobig(ctx);
    } else {
      sqlite3_result_error_nomem(ctx);
    }
  }
  return rc;
}

/* The same without a connection, for callers not yet passing one
** (search_vtab.c, provider.c): the statements run on a private in-memory
** connection opened for the call.  An error always comes with a message
** ("chatflow: out of memory" when nothing better is possible). */
int cfJsonOptions(const char *zJson, int nJson, const char *zFunc, CfJsonOpt *aOpt, int nOpt,
                  char **pzErr) {
  CfJsonDb d;
  int rc = cfJsonDbOpen(&d, 0);
  *pzErr = 0;
  if (rc == SQLITE_OK) rc = cfJsonOptionsOn(&d, zJson, nJson, zFunc, aOpt, nOpt, pzErr);
  cfJsonDbClose(&d);
  if (rc != SQLITE_OK && *pzErr == 0) *pzErr = sqlite3_mprintf("chatflow: out of memory");
  return rc;
}

void cfJsonOptionsFree(CfJsonOpt *aOpt, int nOpt) {
  for (int i = 0; i < nOpt; i++) {
    sqlite3_free(aOpt[i].zVal);
    aOpt[i].zVal = 0;
  }
}

/* Message parts already known to be a JSON array (an import's): the
** checks of an option of type CF_JT_PARTS, zKey naming the array in the
** errors ("messages[3].parts").  Returns as cfJsonOptions does. */
int cfJsonPartsValid(CfConn *p, const char *zParts, int nParts, const char *zKey, char **pzErr) {
  CfJsonDb d = {p, p->db};
  *pzErr = 0;
  return cfJsonPartsCheck(&d, zParts, nParts, zKey, pzErr);
}

/* A JSON text argument of the given type (CF_JT_*, or 0 for any).
** *pzOut is borrowed from the value.  Sets an error and returns non-zero
** on failure. */
int cfJsonArgument(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, int eType,
                   const char **pzOut) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonDb d = {p, p->db};
  const char *z, *zType;
  char *zErr = 0;
  int rc;
  if (cfArgText(ctx, v, zWhat, 0, 0, 1, &z)) return 1;
  rc = cfJsonLoad(&d, z, sqlite3_value_bytes(v), zWhat, &zType, &zErr);
  if (rc == SQLITE_OK && eType && !cfJsonTypeOk(zType, eType)) {
    zErr = sqlite3_mprintf("chatflow: %s must be %s in JSON, got %s", zWhat, cfJsonExpected(eType),
                           cfJsonTypeName(zType));
    rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK) {
    *pzOut = z;
    return 0;
  }
  if (zErr) {
    sqlite3_result_error(ctx, zErr, -1);
    if (rc != SQLITE_ERROR) sqlite3_result_error_code(ctx, rc);
    sqlite3_free(zErr);
  } else if (rc == SQLITE_TOOBIG) {
    sqlite3_result_error_toobig(ctx);
  } else {
    sqlite3_result_error_nomem(ctx);
  }
  return 1;
}

/* True (in SQL) when the real x is a whole number that a JavaScript number
** holds exactly (|x| <= 2^53 - 1): 5.0, what json_object writes for a
** number better-sqlite3 binds (every JavaScript number is a double).  The
** writers store it as the integer. */
#define CF_SQL_JSON_WHOLE(x) \
  "(" x " = CAST(" x " AS INTEGER) AND " x " BETWEEN -9007199254740991 AND 9007199254740991)"

/* Checks the answer of resume_run: a JSON object whose optional
** "clarifications" is an array of {"question_id": string | integer,
** "question": string, "answer": string} and whose optional "approvals" is
** an array of {"proposal_id": integer, "approved_name"?: string}, no entry
** with another key (a misspelt or invented one, such as "approved": false,
** would be dropped without a word).  Sets the
** two array lengths.  Read with the path lookups workflow.c's writers use.
** Returns SQLITE_OK; SQLITE_ERROR with *pzErr; or another SQLite code
** (SQLITE_NOMEM: no message). */
int cfJsonResumeCheck(CfConn *p, const char *z, int n, int *pnClar, int *pnAppr, char **pzErr) {
  CfJsonDb d = {p, p->db};
  const char *zType;
  sqlite3_stmt *pStmt = 0;
  int rc;
  *pnClar = *pnAppr = 0;
  *pzErr = 0;
  rc = cfJsonLoad(&d, z, n, "resume answer", &zType, pzErr);
  if (rc == SQLITE_OK && strcmp(zType, "object") != 0) {
    *pzErr = sqlite3_mprintf("chatflow: resume answer must be a JSON object, got %s", cfJsonTypeName(zType));
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (rc != SQLITE_OK) return rc;
  /* Columns: for clarifications then approvals, the type, the length and
  ** the index of the first item that does not fit (NULL when all fit). */
  rc = cfJsonPrepare(
      &d, CF_STMT_JSON_RESUME,
      "SELECT json_type(?1, '$.clarifications'), json_array_length(?1, '$.clarifications'),"
      " CASE WHEN json_type(?1, '$.clarifications') = 'array' THEN"
      "  (SELECT key FROM json_each(?1, '$.clarifications') AS c WHERE NOT coalesce(CASE WHEN type = 'object' THEN"
      "     CASE json_type(value, '$.question_id')"
      "       WHEN 'integer' THEN 1"
      "       WHEN 'real' THEN " CF_SQL_JSON_WHOLE("json_extract(value, '$.question_id')") ""
      "       WHEN 'text' THEN length(json_extract(value, '$.question_id')) BETWEEN 1 AND 200 END"
      "     AND json_type(value, '$.question') = 'text'"
      "     AND length(json_extract(value, '$.question')) BETWEEN 1 AND 10000"
      "     AND json_type(value, '$.answer') = 'text'"
      "     AND NOT EXISTS (SELECT 1 FROM json_each(c.value)"
      "                      WHERE key NOT IN ('question_id', 'question', 'answer')) END, 0)"
      "   LIMIT 1) END,"
      " json_type(?1, '$.approvals'), json_array_length(?1, '$.approvals'),"
      " CASE WHEN json_type(?1, '$.approvals') = 'array' THEN"
      "  (SELECT key FROM json_each(?1, '$.approvals') AS a WHERE NOT coalesce(CASE WHEN type = 'object' THEN"
      "     CASE json_type(value, '$.proposal_id')"
      "       WHEN 'integer' THEN 1"
      "       WHEN 'real' THEN " CF_SQL_JSON_WHOLE("json_extract(value, '$.proposal_id')") " END"
      "     AND json_extract(value, '$.proposal_id') > 0"
      "     AND CASE json_type(value, '$.approved_name')"
      "       WHEN 'null' THEN 1"
      "       WHEN 'text' THEN length(json_extract(value, '$.approved_name')) BETWEEN 1 AND 500"
      "       ELSE json_type(value, '$.approved_name') IS NULL END"
      "     AND NOT EXISTS (SELECT 1 FROM json_each(a.value)"
      "                      WHERE key NOT IN ('proposal_id', 'approved_name')) END, 0)"
      "   LIMIT 1) END",
      &pStmt);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, z, n, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    static const char *azArr[] = {"clarifications", "approvals"};
    static const char *azShape[] = {
      "{\"question_id\": 1 to 200 characters or an integer, \"question\": 1 to 10000 characters, \"answer\": string}"
      " and no other key",
      "{\"proposal_id\": positive integer, \"approved_name\"?: 1 to 500 characters} and no other key"
      " (reject_proposal turns a proposal down)",
    };
    rc = SQLITE_OK;
    for (int k = 0; k < 2 && rc == SQLITE_OK; k++) {
      int iCol = 3 * k;
      const char *zArrType = cfJsonText(pStmt, iCol, &rc);
      if (rc == SQLITE_OK && zArrType == 0) continue; /* absent */
      if (zArrType == 0) {
        rc = SQLITE_NOMEM;
      } else if (strcmp(zArrType, "array") != 0) {
        *pzErr = sqlite3_mprintf("chatflow: %s must be an array, got %s", azArr[k],
                                 cfJsonTypeName(zArrType));
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (sqlite3_column_type(pStmt, iCol + 2) != SQLITE_NULL) {
        *pzErr = sqlite3_mprintf("chatflow: %s[%d] must be %s", azArr[k],
                                 sqlite3_column_int(pStmt, iCol + 2), azShape[k]);
        rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      } else if (k == 0) {
        *pnClar = sqlite3_column_int(pStmt, iCol + 1);
      } else {
        *pnAppr = sqlite3_column_int(pStmt, iCol + 1);
      }
    }
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_ERROR;
  }
  if (rc != SQLITE_OK && *pzErr == 0) rc = cfJsonDbError(&d, rc, pzErr);
  cfJsonDone(&d, pStmt);
  return rc;
}
