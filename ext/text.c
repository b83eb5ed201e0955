/*
** text.c — text as chatflow takes it in and cuts it for display: UTF-8
** validity, character counts as SQLite's length() counts them, grapheme
** cluster boundaries (utf8proc, Unicode's UAX #29 rules: emoji ZWJ
** sequences, flags, skin tones, combining marks stay whole) and the
** automatic conversation title and the list preview.  Registers no SQL
** functions (conversation_list registers chatflow_preview).
**
** Every cut made for display goes through cfGraphemeFloor, so no title is
** left ending in half an emoji or a base letter without its accent.
*/
#include "chatflow_int.h"

#include <string.h>
#include <utf8proc.h>

/* ----------------------------------------------------------------- UTF-8 */

/* True if z[0..n) is well-formed UTF-8 (no overlongs, surrogates or NULs
** inside the text). */
int cfUtf8Valid(const unsigned char *z, int n) {
  int i = 0;
  while (i < n) {
    unsigned c;
    int k;
    unsigned cp;
    /* ASCII eight bytes at a time: no byte with its high bit set, and no
    ** zero byte (the classic test: a byte b is 0 exactly when b - 1 borrows
    ** into a high bit that b itself does not have) */
    while (i + 8 <= n) {
      sqlite3_uint64 w;
      memcpy(&w, z + i, 8);
      if (((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    c = z[i];
    if (c == 0) return 0;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { k = 1; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { k = 2; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { k = 3; cp = c & 0x07; }
    else return 0;
    if (i + k >= n) return 0;
    for (int j = 1; j <= k; j++) {
      if ((z[i + j] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (z[i + j] & 0x3f);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
    if (cp >= 0xd800 && cp <= 0xdfff) return 0;
    i += k + 1;
  }
  return 1;
}

/* A copy of z[0..n) that is valid UTF-8: every byte that does not begin a
** well-formed sequence becomes U+FFFD; with bEscape the control
** characters but tab, LF and CR (NUL, ESC, DEL) become their JSON escape
** (\u001b), else a NUL becomes U+FFFD.  sqlite3_malloc'd, *pnOut its
** length; 0 when out of memory. */
static char *cfUtf8Copy(const char *z, int n, int bEscape, int *pnOut) {
  char *zOut = sqlite3_malloc64((sqlite3_uint64)n * (bEscape ? 6 : 3) + 1);
  int j = 0;
  if (zOut == 0) return 0;
  for (int i = 0; i < n;) {
    unsigned c = (unsigned char)z[i];
    int k = c < 0x80 ? 0 : (c >= 0xc2 && c <= 0xdf) ? 1 : (c >= 0xe0 && c <= 0xef) ? 2
          : (c >= 0xf0 && c <= 0xf4) ? 3 : -1;
    if (bEscape && ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)) {
      sqlite3_snprintf(7, zOut + j, "\\u%04x", c);
      j += 6;
      i++;
    } else if (c != 0 && k >= 0 && i + k < n && cfUtf8Valid((const unsigned char *)z + i, k + 1)) {
      memcpy(zOut + j, z + i, (size_t)k + 1);
      j += k + 1;
      i += k + 1;
    } else {
      memcpy(zOut + j, "\xef\xbf\xbd", 3);
      j += 3;
      i++;
    }
  }
  zOut[j] = 0;
  *pnOut = j;
  return zOut;
}

/* z[0..n) with every byte that does not begin a well-formed UTF-8
** sequence (and every NUL) replaced by U+FFFD: for showing text that raw
** SQL stored without checks.  *pnOut is its length; 0 when out of
** memory. */
char *cfUtf8Repair(const char *z, int n, int *pnOut) {
  return cfUtf8Copy(z, n, 0, pnOut);
}

/* z[0..n), text a remote server sent, as an error message shows it: valid
** UTF-8 (U+FFFD for each byte that does not begin a well-formed sequence),
** a NUL as the six characters \u0000 (the text goes on after it), the
** other control characters but tab, LF and CR as their JSON escape (ESC
** \u001b: no terminal escape sequence reaches a log).  sqlite3_malloc'd
** ("" for n == 0); 0 when out of memory. */
char *cfUtf8Show(const char *z, int n) {
  int nOut;
  return cfUtf8Copy(z, n, 1, &nOut);
}

/* Number of characters in valid UTF-8, as SQLite's length() counts them. */
int cfUtf8Chars(const unsigned char *z, int n) {
  int c = 0;
  for (int i = 0; i < n; i++) {
    if ((z[i] & 0xc0) != 0x80) c++;
  }
  return c;
}

/* ------------------------------------------------------------- graphemes */

/* The largest grapheme cluster boundary in (0, iCut] of the valid UTF-8
** z[0..n): where text may be cut without splitting a user-perceived
** character.  n when iCut >= n; 0 when the first cluster runs past iCut
** (a letter with dozens of combining marks): the caller decides. */
size_t cfGraphemeFloor(const char *z, size_t n, size_t iCut) {
  size_t iFloor = 0;
  if (iCut >= n) return n;
  cfGraphemeAround(z, n, 0, iCut, &iFloor);
  return iFloor;
}

/* The title add_message gives a conversation from its first user message:
** whitespace runs (Unicode spaces such as U+00A0 and U+3000 included:
** cfTextClassAt) collapsed to one space, trimmed; if longer than 80
** characters, cut at the last space that leaves room for "…" (or, when
** there is none, at the last grapheme boundary within 79 characters) and
** "…" appended.  Returns 0 when the text has no visible characters. */
char *cfAutoTitle(const char *zContent) {
  size_t n = strlen(zContent), iFirst = 0;
  char *zOut;
  size_t j = 0;
  int bSpace = 0, nChars = 0;
  size_t iCut = 0, iLastSpace = 0;
  int nAtLastSpace = 0;
  /* from the first visible character to the end of the cluster of the
  ** last one: invisible ones at either end (U+200B, U+FEFF, ...) go with
  ** the white space, those inside stay (U+200D joins an emoji) */
  n = cfTextVisibleSpan(zContent, n, &iFirst);
  if (n == 0) return 0;
  zOut = sqlite3_malloc64(n - iFirst + 4);
  if (zOut == 0) return 0;
  for (size_t i = iFirst; i < n; i++) {
    unsigned char c = (unsigned char)zContent[i];
    size_t nLen = 1;
    if ((c < 0x80 && (c == ' ' || (c >= '\t' && c <= '\r'))) ||
        (c >= 0xc0 && cfTextClassAt(zContent, n, i, &nLen) == CF_TEXT_SPACE)) {
      bSpace = (j > 0);
      i += nLen - 1;
      continue;
    }
    if (bSpace) {
      if (nChars < CF_AUTO_TITLE_CHARS) { iLastSpace = j; nAtLastSpace = nChars; }
      zOut[j++] = ' ';
      nChars++;
      bSpace = 0;
    }
    if ((c & 0xc0) != 0x80) {
      nChars++;
      if (nChars == CF_AUTO_TITLE_CHARS) iCut = j;  /* start of the 80th char */
    }
    zOut[j++] = (char)c;
  }
  zOut[j] = 0;
  if (j == 0) {
    sqlite3_free(zOut);
    return 0;
  }
  if (nChars > CF_AUTO_TITLE_CHARS) {
    size_t iEnd = iLastSpace;
    if (iLastSpace == 0 || nAtLastSpace == 0) {
      iEnd = cfGraphemeFloor(zOut, j, iCut);
      if (iEnd == 0) iEnd = iCut; /* one cluster of 80+ code points: cut inside it */
    }
    memcpy(zOut + iEnd, "\xe2\x80\xa6", 4);  /* "…" and the terminator */
  }
  return zOut;
}

/* The length in bytes of the quote mark z[0..n) starts with, else 0:
** " ' “ ” ‘ ’ „ ‚ « » ‹ › 「 」 『 』. */
static size_t cfQuoteLen(const char *z, size_t n) {
  static const char *const azQuote[] = {
    "\"", "'", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xe2\x80\x98", "\xe2\x80\x99", "\xe2\x80\x9e",
    "\xe2\x80\x9a", "\xc2\xab", "\xc2\xbb", "\xe2\x80\xb9", "\xe2\x80\xba", "\xe3\x80\x8c",
    "\xe3\x80\x8d", "\xe3\x80\x8e", "\xe3\x80\x8f"};
  for (size_t k = 0; k < sizeof(azQuote) / sizeof(azQuote[0]); k++) {
    size_t m = strlen(azQuote[k]);
    if (m <= n && memcmp(z, azQuote[k], m) == 0) return m;
  }
  return 0;
}

/* The title generate_title stores, from the model's reply (or from
** cfAutoTitle's), valid UTF-8: white space runs (newlines and Unicode
** spaces such as U+00A0 and U+3000 included: cfTextClassAt) collapsed to
** one space; spaces and quotes (cfQuoteLen's) removed from both ends; at most
** CF_MODEL_TITLE_CHARS characters, cut at the last grapheme boundary
** within them (inside the first cluster only when that one cluster is
** longer), and the spaces the cut leaves at the end removed.  "" when
** nothing is left; 0 when out of memory. */
char *cfModelTitle(const char *zReply) {
  size_t n = strlen(zReply), j = 0, iStart = 0, i;
  char *zOut = sqlite3_malloc64(n + 1);
  int bSpace = 0, nChars = 0;
  if (zOut == 0) return 0;
  for (i = 0; i < n;) {
    size_t nLen = 1;
    if (cfTextClassAt(zReply, n, i, &nLen) == CF_TEXT_SPACE) {
      bSpace = (j > 0);
      i += nLen;
      continue;
    }
    if (bSpace) zOut[j++] = ' ';
    bSpace = 0;
    memcpy(zOut + j, zReply + i, nLen);
    j += nLen;
    i += nLen;
  }
  /* spaces and quotes off both ends: ASCII's, typographic ones and the
  ** CJK corner brackets a model may put round a title */
  for (;;) {
    size_t nQ = iStart < j ? cfQuoteLen(zOut + iStart, j - iStart) : 0;
    if (iStart < j && zOut[iStart] == ' ') nQ = 1;
    if (nQ == 0) break;
    iStart += nQ;
  }
  while (j > iStart) {
    size_t k = j - 1;
    while (k > iStart && ((unsigned char)zOut[k] & 0xc0) == 0x80) k--;
    if (zOut[j - 1] != ' ' && cfQuoteLen(zOut + k, j - k) != j - k) break;
    j = zOut[j - 1] == ' ' ? j - 1 : k;
  }
  memmove(zOut, zOut + iStart, j - iStart);
  j -= iStart;
  for (i = 0; i < j; i++) {
    if (((unsigned char)zOut[i] & 0xc0) != 0x80 && ++nChars == CF_MODEL_TITLE_CHARS + 1) {
      size_t iEnd = cfGraphemeFloor(zOut, j, i);
      j = iEnd ? iEnd : i;
      while (j > 0 && zOut[j - 1] == ' ') j--;
      break;
    }
  }
  zOut[j] = 0;
  return zOut;
}

/* The list preview of a message (conversation_list's last_message_preview):
** its first CF_PREVIEW_CHARS characters, cut at the last grapheme boundary
** within them (inside the first cluster only when that one cluster is
** longer).  Returns the length in bytes of the preview of the valid UTF-8
** z[0..n), which is a prefix of it. */
size_t cfPreviewLen(const char *z, size_t n) {
  int nChars = 0;
  size_t iEnd;
  for (size_t i = 0; i < n; i++) {
    if (((unsigned char)z[i] & 0xc0) != 0x80 && ++nChars == CF_PREVIEW_CHARS + 1) {
      iEnd = cfGraphemeFloor(z, n, i);
      return iEnd ? iEnd : i;
    }
  }
  return n;
}

/* ------------------------------------------------- search: walking text */

/* The code point at z[i] of z[0..n) and its length; an invalid byte counts
** as one code point of its own (U+FFFD), so walks never stall. */
static size_t cfUtf8At(const char *z, size_t n, size_t i, utf8proc_int32_t *pcp) {
  utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)z + i, (utf8proc_ssize_t)(n - i), pcp);
  if (k <= 0) {
    *pcp = 0xFFFD;
    return 1;
  }
  return (size_t)k;
}

/* The end of the grapheme cluster that starts at the boundary i of
** z[0..n): the next boundary (n at the end).  A cluster starts with a
** fresh break state, so walking from any boundary finds the boundaries a
** walk from the start of the text finds. */
size_t cfGraphemeNext(const char *z, size_t n, size_t i) {
  utf8proc_int32_t cpPrev, cp, state = 0;
  if (i >= n) return n;
  i += cfUtf8At(z, n, i, &cpPrev);
  while (i < n) {
    size_t k = cfUtf8At(z, n, i, &cp);
    if (utf8proc_grapheme_break_stateful(cpPrev, cp, &state)) break;
    cpPrev = cp;
    i += k;
  }
  return i;
}

/* The grapheme cluster boundaries around byte iOff of z[0..n), walking
** clusters from iFrom, a boundary at or before iOff: *piFloor gets the
** largest boundary <= iOff, and the smallest boundary >= iOff is returned
** (n past the end).  Costs O(iOff - iFrom + one cluster), so a caller that
** cuts a text at increasing offsets, each walk starting from the last
** floor, walks the text once. */
size_t cfGraphemeAround(const char *z, size_t n, size_t iFrom, size_t iOff, size_t *piFloor) {
  size_t b = iFrom;
  if (iOff >= n) {
    iOff = n;
  }
  while (b < iOff) {
    size_t e = cfGraphemeNext(z, n, b);
    if (e > iOff) {
      *piFloor = b;
      return e;
    }
    b = e;
  }
  *piFloor = b;
  return b;
}

/* What the code point at byte i of z[0..n) is to a search: CF_TEXT_SPACE
** (white space: Unicode's White_Space property, which is Z* — U+0020,
** U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
** — and the controls of white space, U+0009..U+000D and U+0085 NEXT LINE),
** CF_TEXT_PUNCT (Unicode punctuation, P*, and the ASCII symbols that are
** not letters or digits), else CF_TEXT_OTHER.  *pnLen gets its length. */
int cfTextClassAt(const char *z, size_t n, size_t i, size_t *pnLen) {
  utf8proc_int32_t cp;
  utf8proc_category_t eCat;
  *pnLen = cfUtf8At(z, n, i, &cp);
  if (cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85) return CF_TEXT_SPACE;
  if (cp < 0x80) {
    if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z')) {
      return CF_TEXT_OTHER;
    }
    return cp > ' ' && cp < 0x7f ? CF_TEXT_PUNCT : CF_TEXT_OTHER;
  }
  eCat = utf8proc_category(cp);
  if (eCat >= UTF8PROC_CATEGORY_ZS && eCat <= UTF8PROC_CATEGORY_ZP) return CF_TEXT_SPACE;
  if (eCat >= UTF8PROC_CATEGORY_PC && eCat <= UTF8PROC_CATEGORY_PO) return CF_TEXT_PUNCT;
  return CF_TEXT_OTHER;
}

/* True when the code point at byte i of z[0..n) is visible: not white
** space (cfTextClassAt), not a control (Cc) and not a format character
** (Cf: U+200B ZERO WIDTH SPACE, U+200D, U+FEFF, U+00AD, the bidi marks,
** the tag characters).  *pnLen gets its length. */
static int cfTextVisibleAt(const char *z, size_t n, size_t i, size_t *pnLen) {
  utf8proc_int32_t cp;
  utf8proc_category_t eCat;
  if (cfTextClassAt(z, n, i, pnLen) == CF_TEXT_SPACE) return 0;
  cfUtf8At(z, n, i, &cp);
  eCat = utf8proc_category(cp);
  return eCat != UTF8PROC_CATEGORY_CC && eCat != UTF8PROC_CATEGORY_CF;
}

/* True when the code point at byte i of z[0..n) is a format character
** (Cf) that joins nothing a search could match: U+200B ZERO WIDTH SPACE,
** U+2060 WORD JOINER, U+FEFF, U+00AD SOFT HYPHEN, the bidi marks — where
** unicode61 (the word index's tokenizer) ends a word.  Not U+200C and
** U+200D (they join emoji and the letters of some scripts) nor the tag
** characters U+E0000..U+E007F (part of a flag).  *pnLen gets its length. */
int cfTextFormatBreak(const char *z, size_t n, size_t i, size_t *pnLen) {
  utf8proc_int32_t cp;
  *pnLen = cfUtf8At(z, n, i, &cp);
  if (cp < 0xad || cp == 0x200c || cp == 0x200d || (cp >= 0xe0000 && cp <= 0xe007f)) return 0;
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_CF;
}

/* The part of z[0..n) (valid UTF-8) a title is made of: *piFirst gets the
** offset of its first visible character (cfTextVisibleAt), and the end of
** the grapheme cluster of the last one is returned (the characters that
** extend it, such as a flag's tag characters, kept); 0 when there is no
** visible character. */
size_t cfTextVisibleSpan(const char *z, size_t n, size_t *piFirst) {
  size_t iEnd = 0, iLast = 0, nLen = 1;
  int bAny = 0;
  utf8proc_int32_t cpPrev, cp;
  *piFirst = 0;
  for (size_t i = 0; i < n; i += nLen ? nLen : 1) {
    if (cfTextVisibleAt(z, n, i, &nLen)) {
      if (!bAny) *piFirst = i;
      bAny = 1;
      iLast = i;
      iEnd = i + nLen;
    }
  }
  if (!bAny) return 0;
  cfUtf8At(z, n, iLast, &cpPrev);
  while (iEnd < n) {
    size_t k = cfUtf8At(z, n, iEnd, &cp);
    if (utf8proc_grapheme_break(cpPrev, cp)) break;
    cpPrev = cp;
    iEnd += k;
  }
  return iEnd;
}

/* True when z (valid UTF-8) has a visible character by cfAutoTitle's
** rule (cfTextVisibleAt): a message cfAutoTitle gives a title.  Allocates
** nothing (generate_title tells "nothing to title" from out of memory). */
int cfTextHasVisible(const char *z) {
  size_t n = strlen(z), nLen = 1;
  for (size_t i = 0; i < n; i += nLen ? nLen : 1) {
    if (cfTextVisibleAt(z, n, i, &nLen)) return 1;
  }
  return 0;
}

/* True if z[0..n) holds a code point at or above U+0E00 (Thai onwards:
** the scripts written without spaces, Hangul, symbols, emoji): the rule of
** migration 005 for what its trigram indexes hold, as GLOB '*[' ||
** char(3584) || '-' || char(1114111) || ']*' says it.  In UTF-8 these are
** the sequences whose lead byte is 0xE1 or more, or 0xE0 followed by 0xB8
** or more. */
int cfUtf8HasScript(const unsigned char *z, int n) {
  for (int i = 0; i < n; i++) {
    if (z[i] >= 0xE1 && z[i] <= 0xF4) return 1;
    if (z[i] == 0xE0 && i + 1 < n && z[i + 1] >= 0xB8) return 1;
  }
  return 0;
}
