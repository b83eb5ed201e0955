/*
** json.c — JSON validation with json-c: one depth limit, one size limit,
** error messages that give the byte offset of a syntax error.  No json-c
** type leaves this file; callers get plain C values and SQLite-allocated
** strings.  Storage and extraction of JSON in the database is left to
** SQLite's json functions, so what is stored is SQLite's minified JSON.
**
** Registers no SQL functions.  Errors: "chatflow: <what> is not valid JSON
** at offset N: <reason>", "... nests deeper than 32 levels", "... is larger
** than 1048576 bytes", "unknown option 'k' for f (expected ...)".
*/
#include "chatflow_int.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* A key of an object being scanned: its text between the quotes, with
** escapes decoded (then in memory the key owns). */
typedef struct CfJsonKey {
  const char *z;
  int n;
  char *zOwned; /* malloc'd decoded copy, or 0 when the raw text has no escape */
} CfJsonKey;

static int cfHex4(const char *z) {
  int v = 0;
  for (int i = 0; i < 4; i++) {
    char c = z[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
    else return -1;
  }
  return v;
}

/* Decodes the escapes of a JSON string body z[0..n) (already validated)
** into malloc'd UTF-8 as json-c reads it: an unpaired surrogate becomes
** U+FFFD.  *pbNul is set for a \u0000 (json-c would cut the key there).
** Returns 0 on out of memory. */
static char *cfJsonUnescape(const char *z, int n, int *pnOut, int *pbNul) {
  char *zOut = malloc((size_t)n + 1);
  int j = 0;
  if (zOut == 0) return 0;
  for (int i = 0; i < n; i++) {
    unsigned cp;
    if (z[i] != '\\' || i + 1 >= n) {
      zOut[j++] = z[i];
      continue;
    }
    i++;
    switch (z[i]) {
      case 'b': zOut[j++] = '\b'; continue;
      case 'f': zOut[j++] = '\f'; continue;
      case 'n': zOut[j++] = '\n'; continue;
      case 'r': zOut[j++] = '\r'; continue;
      case 't': zOut[j++] = '\t'; continue;
      case 'u': break;
      default: zOut[j++] = z[i]; continue;
    }
    if (i + 4 >= n) { zOut[j++] = 'u'; continue; }
    cp = (unsigned)cfHex4(z + i + 1);
    i += 4;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 6 < n && z[i + 1] == '\\' && z[i + 2] == 'u') {
      int lo = cfHex4(z + i + 3);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + ((unsigned)lo - 0xdc00);
        i += 6;
      }
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; /* unpaired surrogate */
    if (cp == 0) *pbNul = 1;
    if (cp < 0x80) {
      zOut[j++] = (char)cp;
    } else if (cp < 0x800) {
      zOut[j++] = (char)(0xc0 | (cp >> 6));
      zOut[j++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      zOut[j++] = (char)(0xe0 | (cp >> 12));
      zOut[j++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      zOut[j++] = (char)(0x80 | (cp & 0x3f));
    } else {
      zOut[j++] = (char)(0xf0 | (cp >> 18));
      zOut[j++] = (char)(0x80 | ((cp >> 12) & 0x3f));
      zOut[j++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      zOut[j++] = (char)(0x80 | (cp & 0x3f));
    }
  }
  zOut[j] = 0;
  *pnOut = j;
  return zOut;
}

static int cfJsonKeyCmp(const void *a, const void *b) {
  const CfJsonKey *x = (const CfJsonKey *)a, *y = (const CfJsonKey *)b;
  int n = x->n < y->n ? x->n : y->n;
  int c = memcmp(x->z, y->z, (size_t)n);
  return c ? c : x->n - y->n;
}

/* json-c keeps the last of duplicate keys while SQLite's json functions
** read the first, so a document with duplicate keys would be validated as
** one thing and stored as another: refuse it.  z[0..n) is already known to
** be valid JSON nesting at most CF_MAX_JSON_DEPTH deep.  Returns an error
** message or 0. */
static char *cfJsonDuplicateKey(const char *z, int n, const char *zWhat) {
  struct {
    CfJsonKey *a;
    int n, nAlloc, bObject;
  } aFrame[CF_MAX_JSON_DEPTH + 2];
  int iTop = -1;
  char *zErr = 0;
  for (int i = 0; i < n && zErr == 0; i++) {
    char c = z[i];
    if (c == '{' || c == '[') {
      if (iTop + 1 >= (int)(sizeof(aFrame) / sizeof(aFrame[0]))) break;
      iTop++;
      memset(&aFrame[iTop], 0, sizeof(aFrame[iTop]));
      aFrame[iTop].bObject = (c == '{');
    } else if (c == '}' || c == ']') {
      if (iTop < 0) break;
      if (aFrame[iTop].n > 1) {
        qsort(aFrame[iTop].a, (size_t)aFrame[iTop].n, sizeof(CfJsonKey), cfJsonKeyCmp);
        for (int k = 1; k < aFrame[iTop].n && zErr == 0; k++) {
          if (cfJsonKeyCmp(&aFrame[iTop].a[k - 1], &aFrame[iTop].a[k]) == 0) {
            /* at most 40 bytes of the key, cut on a character boundary */
            const char *zKey = aFrame[iTop].a[k].z;
            int nKey = aFrame[iTop].a[k].n;
            if (nKey > 40) {
              nKey = 40;
              while (nKey > 0 && (zKey[nKey] & 0xc0) == 0x80) nKey--;
            }
            zErr = sqlite3_mprintf("chatflow: %s has the key \"%.*s\" twice in one object", zWhat,
                                   nKey, zKey);
          }
        }
      }
      for (int k = 0; k < aFrame[iTop].n; k++) free(aFrame[iTop].a[k].zOwned);
      free(aFrame[iTop].a);
      iTop--;
    } else if (c == '"') {
      int iStart = ++i;
      while (i < n && z[i] != '"') i += (z[i] == '\\') ? 2 : 1;
      if (iTop >= 0 && aFrame[iTop].bObject) {
        int j = i + 1;
        while (j < n && (z[j] == ' ' || z[j] == '\t' || z[j] == '\r' || z[j] == '\n')) j++;
        if (j < n && z[j] == ':') {
          if (aFrame[iTop].n == aFrame[iTop].nAlloc) {
            int nNew = aFrame[iTop].nAlloc ? aFrame[iTop].nAlloc * 2 : 8;
            CfJsonKey *aNew = realloc(aFrame[iTop].a, sizeof(CfJsonKey) * (size_t)nNew);
            if (aNew == 0) {
              zErr = sqlite3_mprintf("chatflow: out of memory");
              break;
            }
            aFrame[iTop].a = aNew;
            aFrame[iTop].nAlloc = nNew;
          }
          CfJsonKey *pKey = &aFrame[iTop].a[aFrame[iTop].n];
          pKey->z = z + iStart;
          pKey->n = i - iStart;
          pKey->zOwned = 0;
          if (memchr(pKey->z, '\\', (size_t)pKey->n)) {
            /* "p\u0061rts" is "parts" */
            int nOut = 0, bNul = 0;
            pKey->zOwned = cfJsonUnescape(pKey->z, pKey->n, &nOut, &bNul);
            if (pKey->zOwned == 0) {
              zErr = sqlite3_mprintf("chatflow: out of memory");
              break;
            }
            if (bNul) {
              aFrame[iTop].n++; /* so that it is freed */
              zErr = sqlite3_mprintf("chatflow: %s has a key with \\u0000 in it", zWhat);
              break;
            }
            pKey->z = pKey->zOwned;
            pKey->n = nOut;
          }
          aFrame[iTop].n++;
        }
      }
    }
  }
  while (iTop >= 0) {
    for (int k = 0; k < aFrame[iTop].n; k++) free(aFrame[iTop].a[k].zOwned);
    free(aFrame[iTop--].a);
  }
  return zErr;
}

/* Parses z[0..n) as one JSON value.  Returns the object (owned: the caller
** puts it) or 0 with *pzErr set. */
static struct json_object *cfJsonParse(const char *z, int n, const char *zWhat, char **pzErr) {
  struct json_tokener *tok;
  struct json_object *pObj; /* owned */
  enum json_tokener_error e;
  size_t iEnd;
  *pzErr = 0;
  if (n > CF_MAX_JSON_BYTES) {
    *pzErr = sqlite3_mprintf("chatflow: %s is %d bytes of JSON, larger than the limit of %d",
                             zWhat, n, CF_MAX_JSON_BYTES);
    return 0;
  }
  tok = json_tokener_new_ex(CF_MAX_JSON_DEPTH);
  if (tok == 0) {
    *pzErr = sqlite3_mprintf("chatflow: out of memory");
    return 0;
  }
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
  pObj = json_tokener_parse_ex(tok, z, n);
  e = json_tokener_get_error(tok);
  iEnd = json_tokener_get_parse_end(tok);
  if (e == json_tokener_continue) {
    /* A bare number or literal (5, null, true) ends only at a terminator:
    ** feed one.  Anything still incomplete is reported as it was. */
    pObj = json_tokener_parse_ex(tok, "", 1);
    if (json_tokener_get_error(tok) == json_tokener_success) {
      e = json_tokener_success;
      iEnd = (size_t)n;
    } else {
      json_object_put(pObj);
      pObj = 0;
    }
  }
  if (e == json_tokener_continue) {
    *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: unexpected end of input",
                             zWhat, n);
  } else if (e == json_tokener_error_depth) {
    *pzErr = sqlite3_mprintf("chatflow: %s nests deeper than %d levels at offset %d", zWhat,
                             CF_MAX_JSON_DEPTH, (int)iEnd);
  } else if (e != json_tokener_success) {
    *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: %s", zWhat, (int)iEnd,
                             json_tokener_error_desc(e));
  } else {
    /* Only whitespace may follow the value. */
    while (iEnd < (size_t)n && strchr(" \t\r\n", z[iEnd]) && z[iEnd]) iEnd++;
    if (iEnd < (size_t)n) {
      *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: unexpected text after the value",
                               zWhat, (int)iEnd);
    }
  }
  json_tokener_free(tok);
  if (*pzErr == 0) {
    /* json-c's strict mode still takes 'single-quoted' strings and NaN /
    ** Infinity: outside strings, RFC 8259 allows only structure,
    ** numbers and the literals true, false, null. */
    int bStr = 0;
    for (int i = 0; i < n && *pzErr == 0; i++) {
      char c = z[i];
      if (bStr) {
        if (c == '\\') i++;
        else if (c == '"') bStr = 0;
      } else if (c == '"') {
        bStr = 1;
      } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
        int j = i;
        while (j < n && ((z[j] >= 'a' && z[j] <= 'z') || (z[j] >= 'A' && z[j] <= 'Z'))) j++;
        if (!((j - i == 4 && (memcmp(z + i, "true", 4) == 0 || memcmp(z + i, "null", 4) == 0)) ||
              (j - i == 5 && memcmp(z + i, "false", 5) == 0) ||
              (j - i == 1 && (c == 'e' || c == 'E') && i > 0 && z[i - 1] >= '0' && z[i - 1] <= '9'))) {
          *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: unexpected '%.*s'",
                                   zWhat, i, j - i > 20 ? 20 : j - i, z + i);
        }
        i = j - 1;
      } else if (c == '\'') {
        *pzErr = sqlite3_mprintf("chatflow: %s is not valid JSON at offset %d: strings take double quotes",
                                 zWhat, i);
      }
    }
  }
  if (*pzErr == 0) *pzErr = cfJsonDuplicateKey(z, n, zWhat);
  if (*pzErr) {
    json_object_put(pObj);
    return 0;
  }
  return pObj;
}

static const char *cfJsonTypeName(struct json_object *p) {
  switch (json_object_get_type(p)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double: return "a number";
    case json_type_int: return "an integer";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
  }
  return "?";
}

static int cfJsonTypeOk(struct json_object *p, int eType) {
  switch (json_object_get_type(p)) {
    case json_type_string: return (eType & CF_JT_STRING) != 0;
    case json_type_int: return (eType & CF_JT_INT) != 0;
    case json_type_object: return (eType & CF_JT_OBJECT) != 0;
    case json_type_array: return (eType & (CF_JT_ARRAY | CF_JT_PARTS)) != 0;
    case json_type_boolean: return (eType & CF_JT_BOOL) != 0;
    case json_type_double: return (eType & CF_JT_NUMBER) != 0;
    default: return 0;
  }
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

/* Message parts: each an object whose "type" is text, reasoning, tool-call,
** tool-result, file or data-<name>.  Returns an error message or 0. */
static char *cfJsonPartsError(struct json_object *pArr /* borrowed */, const char *zKey) {
  static const char *azType[] = {"text", "reasoning", "tool-call", "tool-result", "file"};
  size_t n = json_object_array_length(pArr);
  for (size_t i = 0; i < n; i++) {
    struct json_object *pPart = json_object_array_get_idx(pArr, i); /* borrowed */
    struct json_object *pType = 0;                                 /* borrowed */
    const char *zType;
    int bOk = 0;
    if (!json_object_is_type(pPart, json_type_object) ||
        !json_object_object_get_ex(pPart, "type", &pType) ||
        !json_object_is_type(pType, json_type_string)) {
      return sqlite3_mprintf("chatflow: %s[%d] must be an object with a string \"type\"", zKey,
                             (int)i);
    }
    zType = json_object_get_string(pType);
    for (size_t k = 0; k < sizeof(azType) / sizeof(azType[0]); k++) {
      if (strcmp(zType, azType[k]) == 0) bOk = 1;
    }
    if (strncmp(zType, "data-", 5) == 0 && zType[5]) bOk = 1;
    if (!bOk) {
      return sqlite3_mprintf("chatflow: %s[%d] has unknown type '%q' (expected text, reasoning, tool-call, tool-result, file, data-*)",
                             zKey, (int)i, zType);
    }
  }
  return 0;
}

/* Checks that z[0..n) is one valid JSON value within the limits. */
int cfJsonCheck(const char *z, int n, char **pzErr) {
  struct json_object *p = cfJsonParse(z, n, "value", pzErr); /* owned */
  if (p == 0 && *pzErr) return SQLITE_ERROR;
  json_object_put(p);
  return SQLITE_OK;
}

/* Parses an options object for zFunc.  Every key must be one of aOpt (a
** null value counts as absent); each value must have an accepted type.
** Fills bPresent, iVal and zVal.  Returns SQLITE_OK or SQLITE_ERROR with
** *pzErr set. */
int cfJsonOptions(const char *zJson, int nJson, const char *zFunc, CfJsonOpt *aOpt, int nOpt,
                  char **pzErr) {
  struct json_object *pRoot; /* owned */
  char *zWhat = sqlite3_mprintf("%s options", zFunc);
  int rc = SQLITE_OK;
  *pzErr = 0;
  if (zWhat == 0) return SQLITE_NOMEM;
  pRoot = cfJsonParse(zJson, nJson, zWhat, pzErr);
  if (pRoot == 0) {
    if (*pzErr == 0) {
      *pzErr = sqlite3_mprintf("chatflow: %s must be a JSON object, got null", zWhat);
    }
    sqlite3_free(zWhat);
    return SQLITE_ERROR;
  }
  if (!json_object_is_type(pRoot, json_type_object)) {
    *pzErr = sqlite3_mprintf("chatflow: %s must be a JSON object, got %s", zWhat,
                             cfJsonTypeName(pRoot));
    rc = SQLITE_ERROR;
  }
  if (rc == SQLITE_OK) {
    json_object_object_foreach(pRoot, zKey, pVal) { /* borrowed */
      int i;
      for (i = 0; i < nOpt; i++) {
        if (strcmp(aOpt[i].zKey, zKey) == 0) break;
      }
      if (i == nOpt) {
        char *zList = 0;
        for (int j = 0; j < nOpt; j++) {
          char *z = sqlite3_mprintf("%z%s%s", zList, j ? ", " : "", aOpt[j].zKey);
          zList = z;
        }
        *pzErr = sqlite3_mprintf("chatflow: unknown option '%s' for %s (expected %s)", zKey,
                                 zFunc, zList ? zList : "");
        sqlite3_free(zList);
        rc = SQLITE_ERROR;
        break;
      }
      if (pVal == 0) continue; /* null: absent */
      if (!cfJsonTypeOk(pVal, aOpt[i].eType)) {
        *pzErr = sqlite3_mprintf("chatflow: option '%s' of %s must be %s, got %s", zKey, zFunc,
                                 cfJsonExpected(aOpt[i].eType), cfJsonTypeName(pVal));
        rc = SQLITE_ERROR;
        break;
      }
      if ((aOpt[i].eType & CF_JT_PARTS) && (*pzErr = cfJsonPartsError(pVal, zKey)) != 0) {
        rc = SQLITE_ERROR;
        break;
      }
      aOpt[i].bPresent = 1;
      if (json_object_is_type(pVal, json_type_array)) {
        aOpt[i].iVal = (sqlite3_int64)json_object_array_length(pVal);
      }
      if (json_object_is_type(pVal, json_type_int)) {
        aOpt[i].iVal = json_object_get_int64(pVal);
      } else if (json_object_is_type(pVal, json_type_boolean)) {
        aOpt[i].iVal = json_object_get_boolean(pVal);
      } else if (json_object_is_type(pVal, json_type_string) ||
                 json_object_is_type(pVal, json_type_double)) {
        sqlite3_free(aOpt[i].zVal);
        aOpt[i].zVal = sqlite3_mprintf("%s", json_object_get_string(pVal)); /* copied out */
        if (aOpt[i].zVal == 0) { rc = SQLITE_NOMEM; break; }
      }
    }
  }
  json_object_put(pRoot);
  sqlite3_free(zWhat);
  return rc;
}

void cfJsonOptionsFree(CfJsonOpt *aOpt, int nOpt) {
  for (int i = 0; i < nOpt; i++) {
    sqlite3_free(aOpt[i].zVal);
    aOpt[i].zVal = 0;
  }
}

/* A JSON text argument of the given type (CF_JT_*, or 0 for any).
** *pzOut is borrowed from the value.  Sets an error and returns non-zero
** on failure. */
int cfJsonArgument(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, int eType,
                   const char **pzOut) {
  const char *z;
  char *zErr = 0;
  struct json_object *p; /* owned */
  if (cfArgText(ctx, v, zWhat, 0, 0, 1, &z)) return 1;
  p = cfJsonParse(z, sqlite3_value_bytes(v), zWhat, &zErr);
  if (p == 0 && zErr) {
    cfResultErrorMsg(ctx, zErr);
    return 1;
  }
  if (eType && (p == 0 || !cfJsonTypeOk(p, eType))) {
    cfResultError(ctx, "chatflow: %s must be %s in JSON, got %s", zWhat, cfJsonExpected(eType),
                  p ? cfJsonTypeName(p) : "null");
    json_object_put(p);
    return 1;
  }
  json_object_put(p);
  *pzOut = z;
  return 0;
}

/* The length of a json-c string in characters (it is valid UTF-8). */
static int cfJsonChars(struct json_object *p /* borrowed */) {
  return cfUtf8Chars((const unsigned char *)json_object_get_string(p), json_object_get_string_len(p));
}

/* Checks the answer of resume_run: a JSON object whose optional
** "clarifications" is an array of {"question_id": string | integer,
** "question": string, "answer": string} and whose optional "approvals" is
** an array of {"proposal_id": integer, "approved_name"?: string}.  Sets the
** two array lengths.  Returns SQLITE_OK or SQLITE_ERROR with *pzErr. */
int cfJsonResumeCheck(const char *z, int n, int *pnClar, int *pnAppr, char **pzErr) {
  struct json_object *pRoot = cfJsonParse(z, n, "resume answer", pzErr); /* owned */
  struct json_object *pArr = 0;                                           /* borrowed */
  int rc = SQLITE_OK;
  *pnClar = *pnAppr = 0;
  if (pRoot == 0) {
    if (*pzErr == 0) *pzErr = sqlite3_mprintf("chatflow: resume answer must be a JSON object, got null");
    return SQLITE_ERROR;
  }
  if (!json_object_is_type(pRoot, json_type_object)) {
    *pzErr = sqlite3_mprintf("chatflow: resume answer must be a JSON object, got %s",
                             cfJsonTypeName(pRoot));
    rc = SQLITE_ERROR;
  }
  if (rc == SQLITE_OK && json_object_object_get_ex(pRoot, "clarifications", &pArr)) {
    size_t nArr;
    if (!json_object_is_type(pArr, json_type_array)) {
      *pzErr = sqlite3_mprintf("chatflow: clarifications must be an array, got %s",
                               cfJsonTypeName(pArr));
      rc = SQLITE_ERROR;
    } else {
      nArr = json_object_array_length(pArr);
      for (size_t i = 0; i < nArr && rc == SQLITE_OK; i++) {
        struct json_object *pItem = json_object_array_get_idx(pArr, i); /* borrowed */
        struct json_object *pId = 0, *pQ = 0, *pA = 0;                  /* borrowed */
        if (!json_object_is_type(pItem, json_type_object) ||
            !json_object_object_get_ex(pItem, "question_id", &pId) ||
            !((json_object_is_type(pId, json_type_string) && json_object_get_string_len(pId) > 0 &&
               cfJsonChars(pId) <= 200) ||
              json_object_is_type(pId, json_type_int)) ||
            !json_object_object_get_ex(pItem, "question", &pQ) ||
            !json_object_is_type(pQ, json_type_string) || json_object_get_string_len(pQ) == 0 ||
            cfJsonChars(pQ) > 10000 ||
            !json_object_object_get_ex(pItem, "answer", &pA) ||
            !json_object_is_type(pA, json_type_string)) {
          *pzErr = sqlite3_mprintf("chatflow: clarifications[%d] must be {\"question_id\": 1 to 200 characters or an integer, \"question\": 1 to 10000 characters, \"answer\": string}",
                                   (int)i);
          rc = SQLITE_ERROR;
        }
      }
      *pnClar = (int)nArr;
    }
  }
  if (rc == SQLITE_OK && json_object_object_get_ex(pRoot, "approvals", &pArr)) {
    size_t nArr;
    if (!json_object_is_type(pArr, json_type_array)) {
      *pzErr = sqlite3_mprintf("chatflow: approvals must be an array, got %s", cfJsonTypeName(pArr));
      rc = SQLITE_ERROR;
    } else {
      nArr = json_object_array_length(pArr);
      for (size_t i = 0; i < nArr && rc == SQLITE_OK; i++) {
        struct json_object *pItem = json_object_array_get_idx(pArr, i); /* borrowed */
        struct json_object *pId = 0, *pName = 0;                       /* borrowed */
        int bName = json_object_is_type(pItem, json_type_object) &&
                    json_object_object_get_ex(pItem, "approved_name", &pName) && pName != 0;
        if (!json_object_is_type(pItem, json_type_object) ||
            !json_object_object_get_ex(pItem, "proposal_id", &pId) ||
            !json_object_is_type(pId, json_type_int) || json_object_get_int64(pId) <= 0 ||
            (bName && (!json_object_is_type(pName, json_type_string) ||
                       json_object_get_string_len(pName) == 0 || cfJsonChars(pName) > 500))) {
          *pzErr = sqlite3_mprintf("chatflow: approvals[%d] must be {\"proposal_id\": positive integer, \"approved_name\"?: 1 to 500 characters}",
                                   (int)i);
          rc = SQLITE_ERROR;
        }
      }
      *pnAppr = (int)nArr;
    }
  }
  json_object_put(pRoot);
  return rc;
}
