/*
** test_json.c — ext/json.c: cfJsonOptionsConn and cfJsonOptions (known
** keys, types, null as absent, parts, syntax errors with offsets, depth and
** size limits, strict RFC 8259, duplicates compared decoded, allocation
** failures as SQLITE_NOMEM), the text gate (string values and keys with
** \u0000 or a lone surrogate escape, named by their path; cfJsonTextCheck)
** cfJsonCheck, and the spans of an object's members (cfJsonMembers) and
** the names of a value's kind (cfJsonKindName).
*/
#include "unit.h"

enum { O_KEY, O_TOKENS, O_FLAG, O_META, O_LIST, O_PARTS, O_COUNT };

static void opts_init(CfJsonOpt *a) {
  static const CfJsonOpt aInit[O_COUNT] = {
    {"key", CF_JT_STRING, 0, 0, 0},  {"tokens", CF_JT_INT, 0, 0, 0},
    {"flag", CF_JT_BOOL, 0, 0, 0},   {"meta", CF_JT_OBJECT, 0, 0, 0},
    {"list", CF_JT_ARRAY, 0, 0, 0},  {"parts", CF_JT_PARTS, 0, 0, 0},
  };
  memcpy(a, aInit, sizeof(aInit));
}

/* A connection with chatflow loaded, and a CfConn of its own for the
** statement cache that cfJsonOptionsConn uses. */
static sqlite3 *gDb;
static CfConn *gConn;

static int setup(void **state) {
  (void)state;
  gDb = cfTestOpen(":memory:");
  gConn = sqlite3_malloc(sizeof(*gConn));
  if (gConn == 0) return -1;
  memset(gConn, 0, sizeof(*gConn));
  gConn->db = gDb;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  cfConnFinalize(gConn);
  sqlite3_free(gConn);
  cfTestClose(gDb);
  return 0;
}

/* Checks one result of cfJsonOptions* against zExpected. */
static void check(int rc, char *zErr, const char *zJson, const char *zExpected) {
  if (zExpected == 0) {
    if (rc != SQLITE_OK) fail_msg("'%.60s' rejected: %s", zJson, zErr ? zErr : "(no message)");
    assert_null(zErr);
  } else {
    assert_int_equal(rc, SQLITE_ERROR);
    assert_non_null(zErr);
    assert_string_equal(zErr, zExpected);
    sqlite3_free(zErr);
  }
}

/* Parses zJson as options of "f" and requires the error zExpected (or
** success when zExpected is 0): first on the connection (the cached
** statements, cfJsonOptionsConn), then without one (cfJsonOptions), which
** must agree.  The options of the second are left in a for checks. */
static void parse(CfJsonOpt *a, const char *zJson, int nJson, const char *zExpected) {
  char *zErr = (char *)1;
  int rc, n = nJson < 0 ? (int)strlen(zJson) : nJson;
  opts_init(a);
  rc = cfJsonOptionsConn(0, gConn, zJson, n, "f", a, O_COUNT, &zErr);
  check(rc, zErr, zJson, zExpected);
  cfJsonOptionsFree(a, O_COUNT);
  zErr = (char *)1;
  opts_init(a);
  rc = cfJsonOptions(zJson, n, "f", a, O_COUNT, &zErr);
  check(rc, zErr, zJson, zExpected);
}

static void test_options_values(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{\"key\": \"k-1\", \"tokens\": 42, \"flag\": true, \"meta\": {\"a\": [1]},"
           " \"list\": [], \"parts\": [{\"type\": \"text\", \"text\": \"hi\"}]}", -1, 0);
  assert_int_equal(a[O_KEY].bPresent, 1);
  assert_string_equal(a[O_KEY].zVal, "k-1");
  assert_int_equal(a[O_TOKENS].bPresent, 1);
  assert_int_equal(a[O_TOKENS].iVal, 42);
  assert_int_equal(a[O_FLAG].bPresent, 1);
  assert_int_equal(a[O_FLAG].iVal, 1);
  assert_int_equal(a[O_META].bPresent, 1);
  assert_null(a[O_META].zVal);
  assert_int_equal(a[O_LIST].bPresent, 1);
  assert_int_equal(a[O_PARTS].bPresent, 1);
  cfJsonOptionsFree(a, O_COUNT);
  assert_null(a[O_KEY].zVal);

  /* 64-bit integers survive */
  parse(a, "{\"tokens\": 9007199254740993}", -1, 0);
  assert_true(a[O_TOKENS].iVal == 9007199254740993LL);
  cfJsonOptionsFree(a, O_COUNT);
  parse(a, "{\"tokens\": -5, \"flag\": false}", -1, 0);
  assert_int_equal(a[O_TOKENS].iVal, -5);
  assert_int_equal(a[O_FLAG].bPresent, 1);
  assert_int_equal(a[O_FLAG].iVal, 0);
  cfJsonOptionsFree(a, O_COUNT);
}

static void test_options_empty_and_null(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{}", -1, 0);
  for (int i = 0; i < O_COUNT; i++) assert_int_equal(a[i].bPresent, 0);
  cfJsonOptionsFree(a, O_COUNT);
  parse(a, " \n{ \"key\" : null , \"tokens\": null }\t\r\n", -1, 0);  /* null is absent */
  assert_int_equal(a[O_KEY].bPresent, 0);
  assert_null(a[O_KEY].zVal);
  assert_int_equal(a[O_TOKENS].bPresent, 0);
  cfJsonOptionsFree(a, O_COUNT);
  /* a string with escapes and a NUL-free unicode escape is copied out */
  parse(a, "{\"key\": \"caf\\u00e9 \\\"q\\\"\"}", -1, 0);
  assert_string_equal(a[O_KEY].zVal, "caf\xc3\xa9 \"q\"");
  cfJsonOptionsFree(a, O_COUNT);
  /* the same key twice is refused (json-c would keep the last, SQLite
  ** read the first), also in nested objects; nothing leaks */
  parse(a, "{\"key\": \"first\", \"key\": \"second\"}", -1,
        "chatflow: f options has the key \"key\" twice in one object");
  cfJsonOptionsFree(a, O_COUNT);
  parse(a, "{\"meta\": {\"a\": [{\"b\": 1, \"c\": {\"b\": 2}}], \"d\": 1, \"d\" : 2}}", -1,
        "chatflow: f options has the key \"d\" twice in one object");
  cfJsonOptionsFree(a, O_COUNT);
  /* equal names in sibling objects, and keys inside strings, are fine */
  parse(a, "{\"meta\": {\"x\": {\"b\": 1}, \"y\": {\"b\": 2}, \"s\": \"\\\"meta\\\": 1\"}}", -1, 0);
  assert_int_equal(a[O_META].bPresent, 1);
  cfJsonOptionsFree(a, O_COUNT);
}

static void test_options_unknown_key(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{\"bogus\": 1}", -1,
        "chatflow: unknown option 'bogus' for f (expected key, tokens, flag, meta, list, parts)");
  cfJsonOptionsFree(a, O_COUNT);
  /* a string option parsed before the unknown key is freed by the caller */
  parse(a, "{\"key\": \"x\", \"Key\": \"y\"}", -1,
        "chatflow: unknown option 'Key' for f (expected key, tokens, flag, meta, list, parts)");
  cfJsonOptionsFree(a, O_COUNT);
}

static void test_options_wrong_type(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{\"tokens\": \"5\"}", -1, "chatflow: option 'tokens' of f must be an integer, got a string");
  parse(a, "{\"tokens\": 5.5}", -1, "chatflow: option 'tokens' of f must be an integer, got a number");
  parse(a, "{\"tokens\": 1e21}", -1, "chatflow: option 'tokens' of f must be an integer, got a number beyond 64 bits");
  parse(a, "{\"tokens\": 1e17}", -1,
        "chatflow: option 'tokens' of f must be an integer, got a number beyond 2^53 - 1 written with a fraction or an"
        " exponent; write it in digits");
  parse(a, "{\"tokens\": true}", -1, "chatflow: option 'tokens' of f must be an integer, got a boolean");
  parse(a, "{\"key\": 7}", -1, "chatflow: option 'key' of f must be a string, got an integer");
  parse(a, "{\"key\": []}", -1, "chatflow: option 'key' of f must be a string, got an array");
  parse(a, "{\"flag\": 1}", -1, "chatflow: option 'flag' of f must be a boolean, got an integer");
  parse(a, "{\"meta\": [1]}", -1, "chatflow: option 'meta' of f must be an object, got an array");
  parse(a, "{\"list\": {}}", -1, "chatflow: option 'list' of f must be an array, got an object");
  parse(a, "{\"parts\": \"text\"}", -1,
        "chatflow: option 'parts' of f must be an array of parts, got a string");
  parse(a, "{\"parts\": [1]}", -1, "chatflow: parts[0] must be an object with a non-empty string \"type\", got integer 1");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": \"\"}, {\"text\": \"no type\"}]}", -1,
        "chatflow: parts[1].type must be a non-empty string, got none");
  /* the AI SDK's text part: its text a string, which may be empty */
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": \"\"}, {\"type\": \"text\"}]}", -1,
        "chatflow: parts[1] (text) needs a \"text\": a string, got none");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": 5}]}", -1,
        "chatflow: parts[0] (text) needs a \"text\": a string, got integer 5");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": null}]}", -1,
        "chatflow: parts[0] (text) needs a \"text\": a string, got null");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": [\"a\"]}]}", -1,
        "chatflow: parts[0] (text) needs a \"text\": a string, got array");
  parse(a, "{\"parts\": [{\"type\": 3}]}", -1,
        "chatflow: parts[0].type must be a non-empty string, got integer 3");
  parse(a, "{\"parts\": [{\"type\": \"\"}]}", -1,
        "chatflow: parts[0].type must be a non-empty string, got text ''");
  parse(a, "{\"parts\": [\"it's\"]}", -1,
        "chatflow: parts[0] must be an object with a non-empty string \"type\", got text 'it''s'");
  parse(a, "{\"parts\": [{\"type\": \"data-\"}]}", -1,
        "chatflow: parts[0] has type 'data-' without a name after the dash");
  parse(a, "{\"parts\": [{\"type\": \"tool-\"}]}", -1,
        "chatflow: parts[0] has type 'tool-' without a name after the dash");
  parse(a, "{\"parts\": [{\"type\": \"tool-call\", \"name\": \"f\"}]}", -1,
        "chatflow: parts[0] (tool-call) needs an \"id\": a string of 1 to 128 characters, got none");
  parse(a, "{\"parts\": [{\"type\": \"tool-call\", \"id\": \"c\", \"name\": 3}]}", -1,
        "chatflow: parts[0] (tool-call) needs a \"name\": a string of 1 to 128 characters, got integer 3");
  parse(a, "{\"parts\": [{\"type\": \"tool-f\", \"toolCallId\": \"c\", \"state\": \"done\"}]}", -1,
        "chatflow: parts[0] (tool-f) has the unknown state 'done' (expected input-streaming, input-available, "
        "approval-requested, approval-responded, output-available, output-error, output-denied)");
  parse(a, "{\"parts\": [{\"type\": \"dynamic-tool\", \"toolCallId\": \"c\", \"state\": \"input-available\"}]}", -1,
        "chatflow: parts[0] (dynamic-tool) needs a \"toolName\": a string of 1 to 128 characters, got none");
  /* a file part: what the AI SDK's FileUIPart guarantees, what the replay reads */
  parse(a, "{\"parts\": [{\"type\": \"file\", \"url\": \"https://x.example/a.png\"}]}", -1,
        "chatflow: parts[0] (file) needs a \"mediaType\": a string, got none");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": \"t\"}, {\"type\": \"file\", \"mediaType\": \"image/png\", \"url\": {}}]}", -1,
        "chatflow: parts[1] (file) needs a \"url\": a string, got object");
  parse(a, "{\"parts\": [{\"type\": \"file\", \"mediaType\": \"image/png\", \"url\": \"u\", \"filename\": 1}]}", -1,
        "chatflow: parts[0] (file) \"filename\" must be a string, got integer 1");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": \"t\"}, {\"type\": \"reasoning\"}, {\"type\": \"tool-call\", \"id\": \"c\", \"name\": \"f\"},"
           " {\"type\": \"tool-result\"}, {\"type\": \"file\", \"mediaType\": \"\", \"url\": \"\"},"
           " {\"type\": \"data-serp\"}, {\"type\": \"step-start\"},"
           " {\"type\": \"source-url\"}, {\"type\": \"image\"},"
           " {\"type\": \"tool-f\", \"toolCallId\": \"e\", \"state\": \"output-available\"},"
           " {\"type\": \"dynamic-tool\", \"toolCallId\": \"d\", \"toolName\": \"g\", \"state\": \"output-denied\"}]}", -1, 0);
  cfJsonOptionsFree(a, O_COUNT);
  /* one call id twice in a message, whatever the forms: the replay would
  ** send two calls with one id (a tool-result of chatflow's is no call) */
  parse(a, "{\"parts\": [{\"type\": \"tool-call\", \"id\": \"c\", \"name\": \"f\"}, {\"type\": \"tool-result\"},"
           " {\"type\": \"tool-f\", \"toolCallId\": \"c\", \"state\": \"output-available\"}]}", -1,
        "chatflow: parts[2] has the call id of parts[0]: the calls of one message need distinct ids");
  parse(a, "{\"parts\": [{\"type\": \"tool-call\", \"id\": \"c\", \"name\": \"f\"},"
           " {\"type\": \"tool-call\", \"id\": \"C\", \"name\": \"f\"}]}", -1, 0);
  cfJsonOptionsFree(a, O_COUNT);
}

static void test_options_not_an_object(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "[1, 2]", -1, "chatflow: f options must be a JSON object, got an array");
  parse(a, "\"key\"", -1, "chatflow: f options must be a JSON object, got a string");
  parse(a, "12", -1, "chatflow: f options must be a JSON object, got an integer");
  parse(a, "null", -1, "chatflow: f options must be a JSON object, got null");
  /* the kind is the scanner's word where SQLite is not asked (no key to
  ** compare): each as SQLite's json_type() names it */
  {
    static const struct { const char *zJson, *zSqlite, *zGot; } aKind[] = {
      {" -0 ", "integer", "an integer"},
      {"12345678901234567890", "integer", "an integer"},
      {"1.5", "real", "a number"},
      {"-2E3", "real", "a number"},
      {"1e400", "real", "a number"},
      {"true", "true", "a boolean"},
      {"\n false", "false", "a boolean"},
      {"[]", "array", "an array"},
      {"\"\"", "text", "a string"},
      {"null", "null", "null"},
    };
    for (size_t k = 0; k < sizeof(aKind) / sizeof(aKind[0]); k++) {
      sqlite3_stmt *pStmt = 0;
      char *zWant = sqlite3_mprintf("chatflow: f options must be a JSON object, got %s", aKind[k].zGot);
      assert_int_equal(sqlite3_prepare_v2(gDb, "SELECT json_type(?1)", -1, &pStmt, 0), SQLITE_OK);
      sqlite3_bind_text(pStmt, 1, aKind[k].zJson, -1, SQLITE_STATIC);
      assert_int_equal(sqlite3_step(pStmt), SQLITE_ROW);
      assert_string_equal((const char *)sqlite3_column_text(pStmt, 0), aKind[k].zSqlite);
      sqlite3_finalize(pStmt);
      parse(a, aKind[k].zJson, -1, zWant);
      sqlite3_free(zWant);
    }
  }
}

static void test_options_syntax_offsets(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{\"tokens\": }", -1, "chatflow: f options is not valid JSON at offset 11: unexpected character");
  parse(a, "{\"key\": \"a\"", -1, "chatflow: f options is not valid JSON at offset 11: unexpected end of input");
  parse(a, "", 0, "chatflow: f options is not valid JSON at offset 0: unexpected end of input");
  parse(a, "{} x", -1, "chatflow: f options is not valid JSON at offset 3: unexpected character");
  parse(a, "{}{}", -1, "chatflow: f options is not valid JSON at offset 2: unexpected character");
  parse(a, "{}\0{}", 5, "chatflow: f options is not valid JSON at offset 2: unexpected text after the value");
  /* strict mode: no single-quoted values, no trailing commas, no comments */
  parse(a, "{\"key\": 'a'}", -1, "chatflow: f options is not valid JSON at offset 8: strings take double quotes");
  parse(a, "{'key': \"a\"}", -1, "chatflow: f options is not valid JSON at offset 1: strings take double quotes");
  parse(a, "{\"key\": \"a\",}", -1, "chatflow: f options is not valid JSON at offset 12: unexpected character");
  parse(a, "{\"key\": \"a\" /* c */}", -1, "chatflow: f options is not valid JSON at offset 12: object value separator ',' expected");
  /* only the nJson bytes count: the rest of the buffer is not read */
  parse(a, "{\"key\": \"a\"}garbage", 12, 0);
  assert_string_equal(a[O_KEY].zVal, "a");
  cfJsonOptionsFree(a, O_COUNT);
}

/* {"list": [[...]]}: `depth` levels of nesting counting the options object
** itself, the innermost array empty (or holding zLeaf). */
static char *nested(int depth, const char *zLeaf) {
  char *zOpen = sqlite3_mprintf(""), *zClose = sqlite3_mprintf("");
  char *z;
  for (int i = 1; i < depth; i++) {
    zOpen = sqlite3_mprintf("%z[", zOpen);
    zClose = sqlite3_mprintf("]%z", zClose);
  }
  z = sqlite3_mprintf("{\"list\": %s%s%s}", zOpen, zLeaf, zClose);
  sqlite3_free(zOpen);
  sqlite3_free(zClose);
  assert_non_null(z);
  return z;
}

static void test_options_depth(void **state) {
  CfJsonOpt a[O_COUNT];
  char *z;
  (void)state;
  z = nested(32, "");   /* 32 levels: the limit */
  parse(a, z, -1, 0);
  assert_int_equal(a[O_LIST].bPresent, 1);
  cfJsonOptionsFree(a, O_COUNT);
  sqlite3_free(z);
  z = nested(31, "1");  /* 31 containers and a scalar */
  parse(a, z, -1, 0);
  cfJsonOptionsFree(a, O_COUNT);
  sqlite3_free(z);
  /* 33 levels: the error points at the 33rd opening bracket, offset
  ** 9 + 31 = 40 (the first '[' of the list is at offset 9) */
  z = nested(33, "");
  parse(a, z, -1, "chatflow: f options nests deeper than 32 levels at offset 40");
  sqlite3_free(z);
  z = nested(2000, "{\"x\": 1}");  /* far deeper: refused at the same place */
  parse(a, z, -1, "chatflow: f options nests deeper than 32 levels at offset 40");
  sqlite3_free(z);
  /* objects count like arrays */
  {
    char *zOpen = sqlite3_mprintf(""), *zClose = sqlite3_mprintf("");
    for (int i = 1; i < 33; i++) {
      zOpen = sqlite3_mprintf("%z{\"k\": ", zOpen);
      zClose = sqlite3_mprintf("}%z", zClose);
    }
    z = sqlite3_mprintf("{\"meta\": %s%s}", zOpen, zClose);
    sqlite3_free(zOpen);
    sqlite3_free(zClose);
  }
  /* {"meta": {"k": {"k": ...: the 33rd level opens at 9 + 6 * 31 = 195 */
  parse(a, z, -1, "chatflow: f options nests deeper than 32 levels at offset 195");
  sqlite3_free(z);
}

static void test_options_size_limit(void **state) {
  CfJsonOpt a[O_COUNT];
  int n = CF_MAX_JSON_BYTES + 1;
  char *z = sqlite3_malloc(n + 1);
  (void)state;
  assert_non_null(z);
  /* {"key": "xxxx...x"} of exactly n bytes */
  memset(z, 'x', n);
  memcpy(z, "{\"key\": \"", 9);
  memcpy(z + n - 2, "\"}", 2);
  z[n] = 0;
  parse(a, z, n, "chatflow: f options is 1048577 bytes of JSON, larger than the limit of 1048576");
  /* one byte less is accepted */
  memcpy(z + n - 3, "\"}", 3);
  parse(a, z, n - 1, 0);
  assert_int_equal((int)strlen(a[O_KEY].zVal), n - 1 - 11);
  cfJsonOptionsFree(a, O_COUNT);
  sqlite3_free(z);
}

static void test_json_check(void **state) {
  char *zErr = 0;
  (void)state;
  assert_int_equal(cfJsonCheck(0, "[1, {\"a\": null}]", 16, &zErr), SQLITE_OK);
  assert_null(zErr);
  assert_int_equal(cfJsonCheck(0, "null", 4, &zErr), SQLITE_OK);
  assert_null(zErr);
  assert_int_equal(cfJsonCheck(0, "[1,]", 4, &zErr), SQLITE_ERROR);
  assert_non_null(zErr);
  assert_true(strncmp(zErr, "chatflow: value is not valid JSON at offset 3: ", 47) == 0);
  sqlite3_free(zErr);
  zErr = 0;
  assert_int_equal(cfJsonCheck(0, "tru", 3, &zErr), SQLITE_ERROR);
  assert_string_equal(zErr, "chatflow: value is not valid JSON at offset 3: unexpected end of input");
  sqlite3_free(zErr);
}

/* cfJsonMembers gives the spans of an object's top-level members (keys as
** written, values trimmed, nested containers and strings with brackets,
** commas and escaped quotes inside them skipped), nMax + 1 when there are
** more; cfJsonKindName names a value's kind as the errors do. */
static void test_members_and_kinds(void **state) {
  static const char zObj[] = " { \"a\" : 1 , \"b\\\"c\": \"x,}]\\\"\", \"d\": {\"e\": [1, {\"f\": 2}]},"
                             " \"g\": [ ] , \"h\":null }\n";
  static const char *azKey[] = {"a", "b\\\"c", "d", "g", "h"};
  static const char *azVal[] = {"1", "\"x,}]\\\"\"", "{\"e\": [1, {\"f\": 2}]}", "[ ]", "null"};
  static const struct { const char *z, *zName; } aKind[] = {
    {" {}", "an object"}, {"[1]", "an array"}, {"\"s\"", "a string"}, {"42", "an integer"},
    {"-4.2", "a number"}, {"1e3", "a number"}, {"true", "a boolean"}, {"false", "a boolean"},
    {" null ", "null"},
  };
  CfJsonMember a[5];
  int n = (int)strlen(zObj);
  (void)state;
  assert_int_equal(cfJsonMembers(zObj, n, a, 5), 5);
  for (int k = 0; k < 5; k++) {
    assert_int_equal(a[k].nKey, (int)strlen(azKey[k]));
    assert_memory_equal(a[k].zKey, azKey[k], strlen(azKey[k]));
    assert_int_equal(a[k].nVal, (int)strlen(azVal[k]));
    assert_memory_equal(a[k].zVal, azVal[k], strlen(azVal[k]));
  }
  assert_int_equal(cfJsonMembers(zObj, n, a, 4), 5); /* more than 4 */
  assert_int_equal(cfJsonMembers("{}", 2, a, 5), 0);
  assert_int_equal(cfJsonMembers(" { } ", 5, a, 5), 0);
  for (size_t k = 0; k < sizeof(aKind) / sizeof(aKind[0]); k++) {
    assert_string_equal(cfJsonKindName(aKind[k].z, (int)strlen(aKind[k].z)), aKind[k].zName);
  }
}

/* Duplicates are compared decoded: the scanner compares plain keys of
** small objects itself, json_tree decides the rest (escaped keys, objects
** of more than CF_JSON_SCAN_KEYS keys). */
static void test_duplicates_decoded(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{\"parts\": [], \"p\\u0061rts\": []}", -1,
        "chatflow: f options has the key \"parts\" twice in one object");
  parse(a, "{\"meta\": {\"caf\\u00e9\": 1, \"caf\xc3\xa9\": 2}}", -1,
        "chatflow: f options has the key \"caf\xc3\xa9\" twice in one object");
  {
    /* more keys than the scanner compares (CF_JSON_SCAN_KEYS): json_tree */
    char *zMany = sqlite3_mprintf("{\"meta\": {");
    for (int i = 0; i < 20; i++) zMany = sqlite3_mprintf("%z\"k%d\": %d, ", zMany, i, i);
    char *zDup = sqlite3_mprintf("%s\"k3\": 0}}", zMany);
    char *zNoDup = sqlite3_mprintf("%s\"k20\": 0}}", zMany);
    parse(a, zDup, -1, "chatflow: f options has the key \"k3\" twice in one object");
    parse(a, zNoDup, -1, 0);
    cfJsonOptionsFree(a, O_COUNT);
    sqlite3_free(zMany);
    sqlite3_free(zDup);
    sqlite3_free(zNoDup);
  }
  /* an escaped option name is the option */
  /* an option name spelled with escapes is decoded, then refused: the
  ** callers read options with json_extract('$.key'), which 3.40 does not
  ** match against it */
  parse(a, "{\"k\\u0065y\": \"v\"}", -1,
        "chatflow: option 'key' of f is spelled with escapes; write the name as plain text");
  cfJsonOptionsFree(a, O_COUNT);
  /* keys that readers disagree on */
  parse(a, "{\"meta\": {\"a\\u0000b\": 1}}", -1,
        "chatflow: f options has a key with \\u0000 or an unpaired surrogate in it: \"a\\u0000b\"");
  parse(a, "{\"meta\": {\"\\udc00\": 1}}", -1,
        "chatflow: f options has a key with \\u0000 or an unpaired surrogate in it: \"\\udc00\"");
  parse(a, "{\"meta\": {\"\\ud83d\\ude00\": \"\\uD83D\\uDE00\"}}", -1, 0); /* pairs */
  cfJsonOptionsFree(a, O_COUNT);
}

/* The text gate: a string value holding \u0000 or an unpaired surrogate
** escape is refused like such a key, named by its path. */
static void test_gate_values(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  /* the four ways to be odd, in a nested value */
  parse(a, "{\"meta\": {\"a\": \"hello\\u0000secret\"}}", -1,
        "chatflow: f options: meta.a contains a NUL character (\\u0000)");
  parse(a, "{\"meta\": {\"a\": \"a\\ud800b\"}}", -1,
        "chatflow: f options: meta.a contains a lone surrogate \\ud800");
  parse(a, "{\"meta\": {\"a\": \"\\ud800\"}}", -1, /* at the end of the string */
        "chatflow: f options: meta.a contains a lone surrogate \\ud800");
  parse(a, "{\"meta\": {\"a\": \"\\udc00\"}}", -1,
        "chatflow: f options: meta.a contains a lone surrogate \\udc00");
  parse(a, "{\"meta\": {\"a\": \"\\ud800\\u0041\"}}", -1, /* followed by a non-low escape */
        "chatflow: f options: meta.a contains a lone surrogate \\ud800");
  parse(a, "{\"meta\": {\"a\": \"\\uDBFF\\n\"}}", -1, /* followed by another escape; named in lower case */
        "chatflow: f options: meta.a contains a lone surrogate \\udbff");
  parse(a, "{\"meta\": {\"a\": \"\\ud800\\ud800\\udc00\"}}", -1, /* the first high one is alone */
        "chatflow: f options: meta.a contains a lone surrogate \\ud800");
  parse(a, "{\"meta\": {\"a\": \"\\ud83d\\ude00\\udc00\"}}", -1, /* a pair, then a low one alone */
        "chatflow: f options: meta.a contains a lone surrogate \\udc00");
  parse(a, "{\"meta\": {\"a\": \"\\ud800\\u0000\"}}", -1, /* the first problem is named */
        "chatflow: f options: meta.a contains a lone surrogate \\ud800");
  parse(a, "{\"meta\": {\"a\": \"\\u0000\\ud800\"}}", -1,
        "chatflow: f options: meta.a contains a NUL character (\\u0000)");
  /* what passes: pairs, other escapes, an escaped backslash before "u0000",
  ** the raw characters */
  parse(a, "{\"meta\": {\"a\": \"\\ud83d\\ude00 \\uDBFF\\uDFFF \\u0001 \\u00e9 \\ud7ff \\ue000 \\\\u0000 \\\\ud800\","
           " \"b\": \"\xf0\x9f\x98\x80\"}, \"key\": \"\\ud83d\\ude00\"}", -1, 0);
  assert_string_equal(a[O_KEY].zVal, "\xf0\x9f\x98\x80");
  cfJsonOptionsFree(a, O_COUNT);
  /* the string option itself, parts, arrays, keys that need quotes */
  parse(a, "{\"key\": \"\\u0000\"}", -1, "chatflow: f options: key contains a NUL character (\\u0000)");
  parse(a, "{\"parts\": [{\"type\": \"text\", \"text\": \"a\\u0000b\"}]}", -1,
        "chatflow: f options: parts[0].text contains a NUL character (\\u0000)");
  parse(a, "{\"list\": [1, [\"x\", {\"y\": [\"\\udfff\"]}]]}", -1,
        "chatflow: f options: list[1][1].y[0] contains a lone surrogate \\udfff");
  parse(a, "{\"meta\": {\"a b\": {\"caf\\u00e9\": {\"\": {\"x.y\": \"\\u0000\"}}}}}", -1,
        "chatflow: f options: meta.\"a b\".\"caf\\u00e9\".\"\".\"x.y\" contains a NUL character (\\u0000)");
  parse(a, "{\"meta\": {\"caf\xc3\xa9-_9\": \"\\u0000\"}}", -1,
        "chatflow: f options: meta.caf\xc3\xa9-_9 contains a NUL character (\\u0000)");
  /* a long key is cut after 40 bytes, on a character boundary */
  parse(a, "{\"meta\": {\"0123456789012345678901234567890123456789tail\": \"\\u0000\"}}", -1,
        "chatflow: f options: meta.0123456789012345678901234567890123456789\xe2\x80\xa6 contains a NUL character (\\u0000)");
  parse(a, "{\"meta\": {\"012345678901234567890123456789012345678\xc3\xa9\": \"\\u0000\"}}", -1,
        "chatflow: f options: meta.012345678901234567890123456789012345678\xe2\x80\xa6 contains a NUL character (\\u0000)");
  /* the members before it do not count: siblings, closed containers,
  ** strings holding brackets, commas and colons */
  parse(a, "{\"key\": \"[{,:\\\"\", \"list\": [[1, 2], {\"a\": [3]}, \"}]\", \"\\ud800\"]}", -1,
        "chatflow: f options: list[3] contains a lone surrogate \\ud800");
  /* keys and values: the first in the text is reported */
  parse(a, "{\"meta\": {\"a\": \"\\u0000\", \"b\\u0000\": 1}}", -1,
        "chatflow: f options: meta.a contains a NUL character (\\u0000)");
  parse(a, "{\"meta\": {\"b\\u0000\": \"\\u0000\"}}", -1,
        "chatflow: f options has a key with \\u0000 or an unpaired surrogate in it: \"b\\u0000\"");
  /* a syntax error anywhere wins: the text is not JSON at all */
  parse(a, "{\"meta\": {\"a\": \"\\u0000\"}", -1,
        "chatflow: f options is not valid JSON at offset 24: unexpected end of input");
  parse(a, "{\"meta\": {\"a\": \"\\ud800\\x\"}}", -1,
        "chatflow: f options is not valid JSON at offset 22: invalid escape sequence");
  /* ... and the gate comes before what the options mean */
  parse(a, "{\"bogus\": \"\\u0000\"}", -1, "chatflow: f options: bogus contains a NUL character (\\u0000)");
  parse(a, "{\"tokens\": \"\\ud800\"}", -1, "chatflow: f options: tokens contains a lone surrogate \\ud800");
  {
    /* at the depth limit the path is whole */
    char *z = nested(32, "\"\\u0000\"");
    char *zWant = sqlite3_mprintf("chatflow: f options: list%s contains a NUL character (\\u0000)",
                                  "[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]");
    parse(a, z, -1, zWant);
    sqlite3_free(z);
    sqlite3_free(zWant);
  }
}

/* The same gate on a whole value (cfJsonCheck), and alone on text a parser
** has accepted (cfJsonTextCheck, import_conversation's document). */
static void test_gate_check(void **state) {
  char *zErr = 0;
  (void)state;
  assert_int_equal(cfJsonCheck(0, "\"\\ud800\"", 8, &zErr), SQLITE_ERROR);
  assert_string_equal(zErr, "chatflow: value contains a lone surrogate \\ud800"); /* no path: the top */
  sqlite3_free(zErr);
  zErr = 0;
  assert_int_equal(cfJsonCheck(0, "[\"a\", \"\\u0000\"]", 15, &zErr), SQLITE_ERROR);
  assert_string_equal(zErr, "chatflow: value: [1] contains a NUL character (\\u0000)");
  sqlite3_free(zErr);
  zErr = 0;

#define GATE(zJson, zWant)                                                                     \
  do {                                                                                         \
    const char *zJ = (zJson);                                                                  \
    int rcG = cfJsonTextCheck(zJ, (int)strlen(zJ), "import: the document", "import", &zErr);  \
    if ((zWant) == 0) {                                                                        \
      if (rcG != SQLITE_OK) fail_msg("'%s' refused: %s", zJ, zErr ? zErr : "(no message)");   \
      assert_null(zErr);                                                                       \
    } else {                                                                                   \
      assert_int_equal(rcG, SQLITE_ERROR);                                                     \
      assert_non_null(zErr);                                                                   \
      assert_string_equal(zErr, (const char *)(zWant));                                        \
      sqlite3_free(zErr);                                                                      \
      zErr = 0;                                                                                \
    }                                                                                          \
  } while (0)

  GATE("{\"messages\": [{\"content\": \"hello\\u0000secret\"}]}",
       "chatflow: import: messages[0].content contains a NUL character (\\u0000)");
  GATE("{\"conversation\": {\"title\": \"a\\ud800b\"}}",
       "chatflow: import: conversation.title contains a lone surrogate \\ud800");
  GATE("{\"conversation\": {\"metadata\": {\"x\" : [1, \"\\udc00\"]}}}",
       "chatflow: import: conversation.metadata.x[1] contains a lone surrogate \\udc00");
  /* a key: a string followed by ':' */
  GATE("{\"conversation\": {\"metadata\": {\"x\\ud800\"  :  1}}}",
       "chatflow: import: the document has a key with \\u0000 or an unpaired surrogate in it: \"x\\ud800\"");
  GATE("\"\\u0000\"", "chatflow: import: the document contains a NUL character (\\u0000)");
  GATE("{\"messages\": [{\"content\": \"\\ud83d\\ude00 \\\\u0000\"}], \"runs\": []}", 0);
  GATE("", 0);
  /* not bound by the argument limits: deeper than 32 levels the path is
  ** not kept, the offset of the escape names the place: 6 bytes of
  ** {"a": , 40 brackets, the quote and the x */
  {
    char *z = sqlite3_mprintf("{\"a\": %.40c\"x\\ud800\"%.40c}", '[', ']');
    GATE(z, "chatflow: import: the document contains a lone surrogate \\ud800 at offset 48");
    sqlite3_free(z);
    /* and it is whole again after the deep part */
    z = sqlite3_mprintf("{\"a\": %.40c%.40c, \"b\": [\"\\u0000\"]}", '[', ']');
    GATE(z, "chatflow: import: b[0] contains a NUL character (\\u0000)");
    sqlite3_free(z);
  }
  /* what SQLite's parser accepts beyond RFC 8259 is passed over */
  GATE("{\"a\": \"\\x41\\u12\tz\", \"b\": \"\\u0000\"}", "chatflow: import: b contains a NUL character (\\u0000)");
  GATE("{\"a\": \"\\ud800", 0); /* unterminated: not JSON, the parser says so */
  GATE("{\"a\": \"x\\", 0);
#undef GATE
}

/* RFC 8259 only, whatever SQLite would accept as JSON5 (3.42+). */
static void test_strict(void **state) {
  CfJsonOpt a[O_COUNT];
  (void)state;
  parse(a, "{\"tokens\": NaN}", -1, "chatflow: f options is not valid JSON at offset 11: unexpected 'NaN'");
  parse(a, "{\"tokens\": -Infinity}", -1, "chatflow: f options is not valid JSON at offset 12: unexpected character");
  parse(a, "{\"tokens\": +1}", -1, "chatflow: f options is not valid JSON at offset 11: unexpected character");
  parse(a, "{\"tokens\": 0x10}", -1, "chatflow: f options is not valid JSON at offset 12: object value separator ',' expected");
  parse(a, "{\"tokens\": 01}", -1, "chatflow: f options is not valid JSON at offset 12: object value separator ',' expected");
  parse(a, "{\"tokens\": 1.}", -1, "chatflow: f options is not valid JSON at offset 13: unexpected character");
  parse(a, "{\"tokens\": .5}", -1, "chatflow: f options is not valid JSON at offset 11: unexpected character");
  parse(a, "{key: 1}", -1, "chatflow: f options is not valid JSON at offset 1: quoted object property name expected");
  parse(a, "{\"list\": [1,]}", -1, "chatflow: f options is not valid JSON at offset 12: unexpected character");
  parse(a, "{\"key\": \"a\\x41\"}", -1, "chatflow: f options is not valid JSON at offset 10: invalid escape sequence");
  parse(a, "{\"key\": \"a\tb\"}", -1, "chatflow: f options is not valid JSON at offset 10: control character in a string (escape it)");
  parse(a, "{\"key\": \"a\\u12\"}", -1, "chatflow: f options is not valid JSON at offset 10: invalid \\u escape");
  parse(a, "{\"flag\": nope}", -1, "chatflow: f options is not valid JSON at offset 9: unexpected 'nope'");
  parse(a, "{\"flag\": trUe}", -1, "chatflow: f options is not valid JSON at offset 9: unexpected 'trUe'");
  parse(a, "{\"flag\": truex}", -1, "chatflow: f options is not valid JSON at offset 9: unexpected 'truex'");
  parse(a, "{\"flag\": fals", -1, "chatflow: f options is not valid JSON at offset 13: unexpected end of input");
  parse(a, "\f{}", -1, "chatflow: f options is not valid JSON at offset 0: unexpected character");
  /* numbers as SQLite reads them */
  parse(a, "{\"tokens\": -0, \"list\": [1e5, -1.5E-3, 0.0]}", -1, 0);
  assert_int_equal(a[O_TOKENS].iVal, 0);
  assert_int_equal(a[O_LIST].iVal, 3);
  cfJsonOptionsFree(a, O_COUNT);
}

/* Allocation failures, one at a time: SQLite's allocator is wrapped (in
** main, before SQLite initialises) so that the allocation numbered
** gFailAt from now fails once. */
static sqlite3_mem_methods gMem;
static int gFailAt = -1;

static void *failMalloc(int n) {
  if (gFailAt >= 0 && gFailAt-- == 0) return 0;
  return gMem.xMalloc(n);
}

static void *failRealloc(void *p, int n) {
  if (gFailAt >= 0 && gFailAt-- == 0) return 0;
  return gMem.xRealloc(p, n);
}

/* Every allocation of cfJsonOptionsConn (statements prepared afresh each
** time) failing in turn: the call fails with SQLITE_NOMEM and no message,
** or gives the answer it gives with enough memory; it never calls an
** allocation failure a JSON error, and never crashes. */
static void test_out_of_memory(void **state) {
  static const char *azJson[] = {
    "{\"key\": \"k\", \"tokens\": 3, \"meta\": {\"a\": [1, {\"b\": null}]}, \"parts\": [{\"type\": \"text\", \"text\": \"t\"}]}",
    "{\"meta\": {\"x\": 1}, \"parts\": [{\"type\": \"text\", \"text\": \"t\"}], \"p\\u0061rts\": []}",
    "{\"parts\": [{\"type\": \"data-\"}]}",
    "[1, 2]",
  };
  (void)state;
  for (size_t j = 0; j < sizeof(azJson) / sizeof(azJson[0]); j++) {
    int n = (int)strlen(azJson[j]), rcWant, nSites = 0;
    char *zWant = 0;
    CfJsonOpt a[O_COUNT];
    opts_init(a);
    rcWant = cfJsonOptionsConn(0, gConn, azJson[j], n, "f", a, O_COUNT, &zWant);
    cfJsonOptionsFree(a, O_COUNT);
    assert_int_equal(rcWant, j == 0 ? SQLITE_OK : SQLITE_ERROR);
    for (int k = 0;; k++) {
      char *zErr = 0;
      int rc;
      cfConnFinalize(gConn);
      opts_init(a);
      gFailAt = k;
      rc = cfJsonOptionsConn(0, gConn, azJson[j], n, "f", a, O_COUNT, &zErr);
      cfJsonOptionsFree(a, O_COUNT);
      if (gFailAt >= 0) { /* nothing failed: every site was tried */
        gFailAt = -1;
        assert_int_equal(rc, rcWant);
        sqlite3_free(zErr);
        break;
      }
      nSites++;
      if (rc == SQLITE_NOMEM) {
        assert_null(zErr);
      } else { /* SQLite got by without that allocation */
        if (rc != rcWant) {
          fail_msg("json %d, allocation %d failing: rc %d: %s", (int)j, k, rc, zErr ? zErr : "(no message)");
        }
        if (zWant) assert_string_equal(zErr, zWant);
        sqlite3_free(zErr);
      }
    }
    /* "[1, 2]" is refused on the scanner's word (not an object) before
    ** SQLite runs: the options' name and the message are its allocations */
    if (j == 3 ? nSites != 2 : nSites <= 10) fail_msg("json %d: %d allocation sites", (int)j, nSites);
    sqlite3_free(zWant);
  }
}

/* cfJsonResumeCheck likewise. */
static void test_out_of_memory_resume(void **state) {
  const char *z = "{\"clarifications\": [{\"question_id\": \"q1\", \"question\": \"Why?\", \"answer\": \"A\"},"
                  " {\"question_id\": 2, \"question\": \"How?\", \"answer\": \"B\"}],"
                  " \"approvals\": [{\"proposal_id\": 3, \"approved_name\": \"x\"}], \"other\": 1}";
  int nSites = 0;
  (void)state;
  for (int k = 0;; k++) {
    char *zErr = 0;
    int nClar = -1, nAppr = -1, rc, bNoFault;
    cfConnFinalize(gConn);
    gFailAt = k;
    rc = cfJsonResumeCheck(gConn, z, (int)strlen(z), &nClar, &nAppr, &zErr);
    bNoFault = gFailAt >= 0;
    gFailAt = -1;
    if (rc == SQLITE_OK) {
      assert_int_equal(nClar, 2);
      assert_int_equal(nAppr, 1);
    } else {
      if (rc != SQLITE_NOMEM || bNoFault) fail_msg("allocation %d failing: rc %d: %s", k, rc, zErr ? zErr : "");
      assert_null(zErr);
      nSites++;
    }
    if (bNoFault) break;
  }
  assert_true(nSites > 10);
}

/* The same through SQL: add_message with options, every allocation failing
** in turn, either stores the message or fails with SQLITE_NOMEM; it never
** returns NULL without an error and never blames the JSON. */
static void test_out_of_memory_sql(void **state) {
  const char *zSql =
      "SELECT add_message(1, 'user', 'hi', '{\"type\": \"user_input\", \"tokens\": 2,"
      " \"metadata\": {\"model\": \"m\", \"tokens\": {\"total\": 2}, \"m\\u0065ta\": 1},"
      " \"parts\": [{\"type\": \"text\", \"text\": \"hi\"}]}')";
  int nNomem = 0;
  (void)state;
  CF_SQL(gDb, "SELECT create_conversation('acme', 'oom')", "1");
  for (int k = 0;; k++) {
    sqlite3_stmt *pStmt = 0;
    int rc, bNoFault;
    gFailAt = k;
    rc = sqlite3_prepare_v2(gDb, zSql, -1, &pStmt, 0);
    if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
    bNoFault = gFailAt >= 0;
    gFailAt = -1;
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_type(pStmt, 0) != SQLITE_INTEGER) {
        fail_msg("allocation %d failing: add_message returned NULL without an error", k);
      }
    } else {
      const char *zMsg = sqlite3_errmsg(gDb);
      if (bNoFault) fail_msg("add_message failed without a fault: %s", zMsg);
      if (strstr(zMsg, "JSON") || strstr(zMsg, "option")) {
        fail_msg("allocation %d failing: reported as '%s'", k, zMsg);
      }
      if (rc == SQLITE_NOMEM) nNomem++;
    }
    sqlite3_finalize(pStmt);
    if (!sqlite3_get_autocommit(gDb)) sqlite3_exec(gDb, "ROLLBACK", 0, 0, 0);
    if (bNoFault) break;
  }
  assert_true(nNomem > 0);
}

/* The gate's error path, every allocation failing in turn: SQLITE_NOMEM
** without a message, or the message itself; never another error. */
static void test_out_of_memory_gate(void **state) {
  const char *zJson = "{\"parts\": [{\"type\": \"text\", \"text\": \"a\\u0000b\"}]}";
  const char *zWant = "chatflow: f options: parts[0].text contains a NUL character (\\u0000)";
  const char *zDoc = "{\"messages\": [{\"content\": \"a\\ud800\"}]}";
  const char *zDocWant = "chatflow: import: messages[0].content contains a lone surrogate \\ud800";
  int nSites = 0;
  (void)state;
  for (int k = 0;; k++) {
    char *zErr = 0;
    CfJsonOpt a[O_COUNT];
    int rc, bNoFault;
    cfConnFinalize(gConn);
    opts_init(a);
    gFailAt = k;
    rc = cfJsonOptionsConn(0, gConn, zJson, (int)strlen(zJson), "f", a, O_COUNT, &zErr);
    bNoFault = gFailAt >= 0;
    gFailAt = -1;
    cfJsonOptionsFree(a, O_COUNT);
    if (rc == SQLITE_NOMEM) {
      assert_false(bNoFault);
      assert_null(zErr);
      nSites++;
    } else {
      assert_int_equal(rc, SQLITE_ERROR);
      assert_string_equal(zErr, zWant);
      sqlite3_free(zErr);
    }
    if (bNoFault) break;
  }
  assert_true(nSites >= 3); /* "f options", the path, the message */
  nSites = 0;
  for (int k = 0;; k++) {
    char *zErr = 0;
    int rc, bNoFault;
    gFailAt = k;
    rc = cfJsonTextCheck(zDoc, (int)strlen(zDoc), "import: the document", "import", &zErr);
    bNoFault = gFailAt >= 0;
    gFailAt = -1;
    if (rc == SQLITE_NOMEM) {
      assert_false(bNoFault);
      assert_null(zErr);
      nSites++;
    } else {
      assert_int_equal(rc, SQLITE_ERROR);
      assert_string_equal(zErr, zDocWant);
      sqlite3_free(zErr);
    }
    if (bNoFault) break;
  }
  assert_true(nSites >= 2); /* the path, the message */
}

int main(void) {
  sqlite3_mem_methods mem;
  sqlite3_config(SQLITE_CONFIG_GETMALLOC, &gMem);
  mem = gMem;
  mem.xMalloc = failMalloc;
  mem.xRealloc = failRealloc;
  sqlite3_config(SQLITE_CONFIG_MALLOC, &mem);
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_options_values),
    cmocka_unit_test(test_options_empty_and_null),
    cmocka_unit_test(test_options_unknown_key),
    cmocka_unit_test(test_options_wrong_type),
    cmocka_unit_test(test_options_not_an_object),
    cmocka_unit_test(test_options_syntax_offsets),
    cmocka_unit_test(test_options_depth),
    cmocka_unit_test(test_options_size_limit),
    cmocka_unit_test(test_json_check),
    cmocka_unit_test(test_members_and_kinds),
    cmocka_unit_test(test_duplicates_decoded),
    cmocka_unit_test(test_gate_values),
    cmocka_unit_test(test_gate_check),
    cmocka_unit_test(test_out_of_memory_gate),
    cmocka_unit_test(test_strict),
    cmocka_unit_test(test_out_of_memory),
    cmocka_unit_test(test_out_of_memory_resume),
    cmocka_unit_test(test_out_of_memory_sql),
  };
  return cmocka_run_group_tests_name("json", tests, setup, teardown);
}
