/*
** test_util.c — the pure helpers of ext/util.c: cfUtf8Valid, cfUtf8Chars,
** cfParseTimestamp, cfAutoTitle; and write.c's cfJsonCheckFailed.
*/
#include "unit.h"

#define V(s) cfUtf8Valid((const unsigned char *)(s), (int)sizeof(s) - 1)

static void test_utf8_valid_wellformed(void **state) {
  (void)state;
  assert_int_equal(V(""), 1);
  assert_int_equal(V("plain ascii ~\x7f"), 1);
  assert_int_equal(V("\xc3\xa9"), 1);             /* U+00E9 */
  assert_int_equal(V("\xc2\x80"), 1);             /* U+0080, smallest 2-byte */
  assert_int_equal(V("\xdf\xbf"), 1);             /* U+07FF */
  assert_int_equal(V("\xe0\xa0\x80"), 1);         /* U+0800, smallest 3-byte */
  assert_int_equal(V("\xe2\x82\xac"), 1);         /* U+20AC */
  assert_int_equal(V("\xed\x9f\xbf"), 1);         /* U+D7FF, just below the surrogates */
  assert_int_equal(V("\xee\x80\x80"), 1);         /* U+E000, just above them */
  assert_int_equal(V("\xef\xbf\xbf"), 1);         /* U+FFFF */
  assert_int_equal(V("\xf0\x90\x80\x80"), 1);     /* U+10000, smallest 4-byte */
  assert_int_equal(V("\xf0\x9f\x98\x80"), 1);     /* U+1F600 */
  assert_int_equal(V("\xf4\x8f\xbf\xbf"), 1);     /* U+10FFFF, the last code point */
  assert_int_equal(V("a\xc3\xa9z\xe2\x82\xac!"), 1);
}

static void test_utf8_valid_overlong(void **state) {
  (void)state;
  assert_int_equal(V("\xc0\x80"), 0);             /* NUL in 2 bytes */
  assert_int_equal(V("\xc0\xaf"), 0);             /* '/' in 2 bytes */
  assert_int_equal(V("\xc1\xbf"), 0);
  assert_int_equal(V("\xe0\x80\x80"), 0);
  assert_int_equal(V("\xe0\x9f\xbf"), 0);         /* U+07FF in 3 bytes */
  assert_int_equal(V("\xf0\x80\x80\x80"), 0);
  assert_int_equal(V("\xf0\x8f\xbf\xbf"), 0);     /* U+FFFF in 4 bytes */
}

static void test_utf8_valid_surrogates_and_range(void **state) {
  (void)state;
  assert_int_equal(V("\xed\xa0\x80"), 0);         /* U+D800 */
  assert_int_equal(V("\xed\xad\xbf"), 0);         /* U+DB7F */
  assert_int_equal(V("\xed\xb0\x80"), 0);         /* U+DC00 */
  assert_int_equal(V("\xed\xbf\xbf"), 0);         /* U+DFFF */
  assert_int_equal(V("\xed\xa0\xbd\xed\xb8\x80"), 0); /* CESU-8 pair */
  assert_int_equal(V("\xf4\x90\x80\x80"), 0);     /* U+110000 */
  assert_int_equal(V("\xf5\x80\x80\x80"), 0);
  assert_int_equal(V("\xf8\x88\x80\x80\x80"), 0); /* 5-byte form */
  assert_int_equal(V("\xfe"), 0);
  assert_int_equal(V("\xff"), 0);
}

static void test_utf8_valid_truncated_and_stray(void **state) {
  (void)state;
  assert_int_equal(V("\xc3"), 0);
  assert_int_equal(V("abc\xc3"), 0);
  assert_int_equal(V("\xe2\x82"), 0);
  assert_int_equal(V("\xf0\x9f\x98"), 0);
  assert_int_equal(V("\x80"), 0);                 /* lone continuation */
  assert_int_equal(V("a\xbf" "b"), 0);
  assert_int_equal(V("\xc3(" ), 0);               /* bad continuation */
  assert_int_equal(V("\xe2(\xac"), 0);
  assert_int_equal(V("\xf0\x9f(\x80"), 0);
  assert_int_equal(V("a\0b"), 0);                 /* NUL inside the text */
  /* n cuts a character short: reading stops at n, never past it */
  assert_int_equal(cfUtf8Valid((const unsigned char *)"\xc3\xa9", 1), 0);
  assert_int_equal(cfUtf8Valid((const unsigned char *)"\xf0\x9f\x98\x80", 3), 0);
  assert_int_equal(cfUtf8Valid((const unsigned char *)"ab\xe2\x82\xac", 4), 0);
  assert_int_equal(cfUtf8Valid((const unsigned char *)"ab\xe2\x82\xac", 2), 1);
  assert_int_equal(cfUtf8Valid((const unsigned char *)"", 0), 1);
}

/* The ASCII fast path reads eight bytes at a time: a NUL, a stray byte
** or a character in any position of a block, across a block's end, and in
** the tail shorter than a block are all seen. */
static void test_utf8_valid_blocks(void **state) {
  unsigned char z[40];
  (void)state;
  for (int n = 0; n <= 33; n++) {
    memset(z, 'a', sizeof(z));
    assert_int_equal(cfUtf8Valid(z, n), 1);
    for (int i = 0; i < n; i++) {
      memset(z, 'a', sizeof(z));
      z[i] = 0;
      assert_int_equal(cfUtf8Valid(z, n), 0);
      z[i] = 0x80; /* lone continuation */
      assert_int_equal(cfUtf8Valid(z, n), 0);
      z[i] = 0x7f; /* DEL is ASCII */
      assert_int_equal(cfUtf8Valid(z, n), 1);
      z[i] = 0x01;
      assert_int_equal(cfUtf8Valid(z, n), 1);
      if (i + 2 <= n) { /* é at i, in a block or across two */
        z[i] = 0xc3;
        z[i + 1] = 0xa9;
        assert_int_equal(cfUtf8Valid(z, n), 1);
        z[i + 1] = 0; /* its continuation a NUL */
        assert_int_equal(cfUtf8Valid(z, n), 0);
      }
      if (i + 1 == n) { /* a lead byte that ends the text */
        z[i] = 0xc3;
        assert_int_equal(cfUtf8Valid(z, n), 0);
      }
    }
  }
}

static void test_utf8_chars(void **state) {
  (void)state;
  assert_int_equal(cfUtf8Chars((const unsigned char *)"", 0), 0);
  assert_int_equal(cfUtf8Chars((const unsigned char *)"abc", 3), 3);
  assert_int_equal(cfUtf8Chars((const unsigned char *)"h\xc3\xa9llo", 6), 5);
  assert_int_equal(cfUtf8Chars((const unsigned char *)"\xe2\x82\xac\xf0\x9f\x98\x80", 7), 2);
  assert_int_equal(cfUtf8Chars((const unsigned char *)"\xf4\x8f\xbf\xbf" "a", 5), 2);
  assert_int_equal(cfUtf8Chars((const unsigned char *)"abcdef", 2), 2);
}

/* ------------------------------------------------------------ timestamps */

static void expect_ts(const char *zIn, const char *zCanonical) {
  char zOut[CF_TIMESTAMP_LEN + 1];
  memset(zOut, 'x', sizeof(zOut));
  if (cfParseTimestamp(zIn, zOut) != 0) fail_msg("rejected valid timestamp '%s'", zIn);
  assert_string_equal(zOut, zCanonical);
}

static void expect_bad_ts(const char *zIn) {
  char zOut[CF_TIMESTAMP_LEN + 1];
  if (cfParseTimestamp(zIn, zOut) == 0) fail_msg("accepted invalid timestamp '%s'", zIn);
}

static void test_timestamp_valid(void **state) {
  (void)state;
  expect_ts("2026-01-01T00:00:00Z", "2026-01-01T00:00:00.000Z");
  expect_ts("2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z");
  expect_ts("2026-06-15T13:45:30.007Z", "2026-06-15T13:45:30.007Z");
  expect_ts("1999-12-31T23:59:59.999Z", "1999-12-31T23:59:59.999Z");
  expect_ts("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z");
  expect_ts("9999-12-31T23:59:59Z", "9999-12-31T23:59:59.000Z");
  expect_ts("2026-04-30T00:00:00Z", "2026-04-30T00:00:00.000Z");
  expect_ts("2026-01-31T00:00:00Z", "2026-01-31T00:00:00.000Z");
  expect_ts("2026-02-28T00:00:00Z", "2026-02-28T00:00:00.000Z");
}

static void test_timestamp_leap_years(void **state) {
  (void)state;
  expect_ts("2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z");  /* divisible by 4 */
  expect_ts("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z");  /* divisible by 400 */
  expect_ts("2400-02-29T00:00:00.500Z", "2400-02-29T00:00:00.500Z");
  expect_bad_ts("2026-02-29T00:00:00Z");                          /* common year */
  expect_bad_ts("2023-02-29T00:00:00.000Z");
  expect_bad_ts("1900-02-29T00:00:00Z");                          /* century, not by 400 */
  expect_bad_ts("2100-02-29T00:00:00Z");
  expect_bad_ts("2024-02-30T00:00:00Z");                          /* never */
  expect_bad_ts("2026-02-29T12:00:00+05:00");                     /* checked before the offset */
}

/* RFC 3339 date-times as the languages write them, in canonical UTC ms */
static void test_timestamp_rfc3339(void **state) {
  (void)state;
  /* Python datetime.now(timezone.utc).isoformat(), with and without microseconds */
  expect_ts("2026-12-02T05:00:00.123456+00:00", "2026-12-02T05:00:00.123Z");
  expect_ts("2026-12-02T05:00:00+00:00", "2026-12-02T05:00:00.000Z");
  /* Go time.RFC3339Nano */
  expect_ts("2026-12-02T05:00:00.123456789Z", "2026-12-02T05:00:00.123Z");
  expect_ts("2026-12-02T05:00:00.123456789+01:00", "2026-12-02T04:00:00.123Z");
  expect_ts("2026-12-02T05:00:00.1+01:00", "2026-12-02T04:00:00.100Z");
  /* PHP date(DATE_ATOM) */
  expect_ts("2026-12-02T05:00:00+00:00", "2026-12-02T05:00:00.000Z");
  expect_ts("2026-12-02T06:00:00+01:00", "2026-12-02T05:00:00.000Z");
  /* Rust chrono to_rfc3339() */
  expect_ts("2026-12-02T05:00:00.123456789+00:00", "2026-12-02T05:00:00.123Z");
  /* JavaScript toISOString() */
  expect_ts("2026-12-02T05:00:00.123Z", "2026-12-02T05:00:00.123Z");
  /* a space for the T (RFC 3339's note): Python str(), Go's mattn/go-sqlite3 */
  expect_ts("2026-12-02 05:00:00+00:00", "2026-12-02T05:00:00.000Z");
  expect_ts("2026-12-02 06:00:00.123456789+01:00", "2026-12-02T05:00:00.123Z");
  expect_ts("2026-12-02 05:00:00.5Z", "2026-12-02T05:00:00.500Z");
  /* any number of fraction digits from 1 to 9, truncated, never rounded */
  expect_ts("2026-12-02T05:00:00.9Z", "2026-12-02T05:00:00.900Z");
  expect_ts("2026-12-02T05:00:00.12Z", "2026-12-02T05:00:00.120Z");
  expect_ts("2026-12-02T05:00:00.1234Z", "2026-12-02T05:00:00.123Z");
  expect_ts("2026-12-02T05:00:00.0009Z", "2026-12-02T05:00:00.000Z");
  expect_ts("2026-12-31T23:59:59.999999999Z", "2026-12-31T23:59:59.999Z");
  expect_ts("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999Z");
  /* lowercase t and z (RFC 3339 section 5.6, NOTE) */
  expect_ts("2026-12-02t05:00:00z", "2026-12-02T05:00:00.000Z");
  expect_ts("2026-12-02t05:00:00.5+02:00", "2026-12-02T03:00:00.500Z");
  /* -00:00 is UTC too (RFC 3339 section 4.3) */
  expect_ts("2026-12-02T05:00:00-00:00", "2026-12-02T05:00:00.000Z");
}

/* An offset is subtracted, across days, months and years */
static void test_timestamp_offsets(void **state) {
  (void)state;
  expect_ts("2026-01-01T00:30:00+01:00", "2025-12-31T23:30:00.000Z");
  expect_ts("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00.000Z");
  expect_ts("2024-02-29T23:00:00-01:00", "2024-03-01T00:00:00.000Z");
  expect_ts("2024-03-01T00:59:59.999+01:00", "2024-02-29T23:59:59.999Z");   /* leap year */
  expect_ts("2026-03-01T00:00:00+00:01", "2026-02-28T23:59:00.000Z");       /* common year */
  expect_ts("2000-03-01T00:00:00+05:00", "2000-02-29T19:00:00.000Z");       /* by 400 */
  expect_ts("2100-02-28T23:00:00-01:00", "2100-03-01T00:00:00.000Z");       /* century */
  expect_ts("2026-04-30T20:00:00-05:30", "2026-05-01T01:30:00.000Z");
  expect_ts("2026-05-01T01:00:00+05:30", "2026-04-30T19:30:00.000Z");
  expect_ts("2026-06-15T12:00:00+23:59", "2026-06-14T12:01:00.000Z");
  expect_ts("2026-06-15T12:00:00-23:59", "2026-06-16T11:59:00.000Z");
  expect_ts("2026-06-15T12:34:56.789+14:00", "2026-06-14T22:34:56.789Z");
  expect_ts("2026-06-15T12:34:56.789-12:00", "2026-06-16T00:34:56.789Z");
  /* the range's edges: years 0001 to 9999 after the conversion */
  expect_ts("0001-01-01T00:30:00-01:00", "0001-01-01T01:30:00.000Z");
  expect_ts("0001-01-01T01:00:00+01:00", "0001-01-01T00:00:00.000Z");
  expect_ts("0001-01-02T00:30:00+01:00", "0001-01-01T23:30:00.000Z");
  expect_ts("9999-12-31T22:59:59.999-01:00", "9999-12-31T23:59:59.999Z");
  expect_ts("9999-12-31T23:30:00+01:00", "9999-12-31T22:30:00.000Z");
  expect_ts("0000-12-31T23:30:00-01:00", "0001-01-01T00:30:00.000Z");     /* the time is in range */
  expect_bad_ts("0001-01-01T00:30:00+01:00");    /* year 0 */
  expect_bad_ts("0001-01-01T00:00:00.000+00:01");
  expect_bad_ts("9999-12-31T23:30:00-01:00");    /* year 10000 */
  expect_bad_ts("9999-12-31T23:59:59.999-00:01");
}

static void test_timestamp_invalid(void **state) {
  (void)state;
  expect_bad_ts("");
  expect_bad_ts("2026-01-01");
  expect_bad_ts("2026-01-01T00:00:00");          /* no offset: a local time */
  expect_bad_ts("2026-01-01T00:00:00.123456");
  expect_bad_ts("2026-01-01 00:00:00");          /* a space, no offset */
  expect_bad_ts("2026-01-01  00:00:00Z");        /* two spaces */
  expect_bad_ts("2026-01-01T00:00:00,000Z");
  expect_bad_ts("2026-01-01T00:00:00.000");
  expect_bad_ts("2026-01-01T00:00:00.00aZ");
  expect_bad_ts("2026-01-01T00:00:00.Z");        /* empty fraction */
  expect_bad_ts("2026-01-01T00:00:00.+00:00");
  expect_bad_ts("2026-01-01T00:00:00.1234567890Z");  /* 10 fraction digits */
  expect_bad_ts("2026-01-01T00:00:00.000000000000000000Z");
  expect_bad_ts("2026-01-01T00:00:00+01");       /* offset without minutes */
  expect_bad_ts("2026-01-01T00:00:00+0100");
  expect_bad_ts("2026-01-01T00:00:00+1:00");
  expect_bad_ts("2026-01-01T00:00:00+01:0");
  expect_bad_ts("2026-01-01T00:00:00+");
  expect_bad_ts("2026-01-01T00:00:00+01:");
  expect_bad_ts("2026-01-01T00:00:00+24:00");    /* offset hours 00-23 */
  expect_bad_ts("2026-01-01T00:00:00+01:60");    /* offset minutes 00-59 */
  expect_bad_ts("2026-01-01T00:00:00-01:60");
  expect_bad_ts("2026-01-01T00:00:00Z+01:00");
  expect_bad_ts("2026-01-01T00:00:00+01:00Z");
  expect_bad_ts("2026-01-01T00:00:00ZZ");
  expect_bad_ts("2026-01-01T00:00:00Z ");        /* trailing text */
  expect_bad_ts("2026-01-01T00:00:00+01:00 ");
  expect_bad_ts("2026-01-01T00:00:00.5Zx");
  expect_bad_ts("2026-01-01T00:00:00UTC");
  expect_bad_ts("2026-01-01T00:00:00GMT");
  expect_bad_ts("2026-01-01T00:00:00\0Z");       /* a NUL ends the text */
  expect_bad_ts("0000-01-01T00:00:00Z");         /* year 0 */
  expect_bad_ts("10000-01-01T00:00:00Z");
  expect_bad_ts("2026-00-01T00:00:00Z");
  expect_bad_ts("2026-13-01T00:00:00Z");
  expect_bad_ts("2026-01-00T00:00:00Z");
  expect_bad_ts("2026-01-32T00:00:00Z");
  expect_bad_ts("2026-04-31T00:00:00Z");
  expect_bad_ts("2026-06-31T00:00:00Z");
  expect_bad_ts("2026-09-31T00:00:00Z");
  expect_bad_ts("2026-11-31T00:00:00Z");
  expect_bad_ts("2026-02-30T01:00:00+01:00");    /* impossible, even if it converts to Mar 1 */
  expect_bad_ts("2026-02-29T00:30:00+01:00");    /* common year */
  expect_bad_ts("2026-01-01T24:00:00Z");
  expect_bad_ts("2026-01-01T24:00:00+01:00");
  expect_bad_ts("2026-01-01T00:60:00Z");
  expect_bad_ts("2026-01-01T00:00:60Z");         /* no leap seconds */
  expect_bad_ts("2016-12-31T23:59:60Z");
  expect_bad_ts("2016-12-31T23:59:60.5+00:00");
  expect_bad_ts("2026-1-01T00:00:00Z ");
  expect_bad_ts("+026-01-01T00:00:00Z");
  expect_bad_ts("2026/01/01T00:00:00Z");
  expect_bad_ts("2026-01-01T00-00-00Z");
  expect_bad_ts("2026-01-01X00:00:00Z");
  expect_bad_ts(" 2026-01-01T00:00:00Z");
}

/* ----------------------------------------------------------------- title */

static void expect_title(const char *zIn, const char *zExpected) {
  char *z = cfAutoTitle(zIn);
  if (zExpected == 0) {
    if (z) fail_msg("cfAutoTitle('%s') = '%s', expected NULL", zIn, z);
    return;
  }
  if (z == 0) fail_msg("cfAutoTitle('%s') = NULL, expected '%s'", zIn, zExpected);
  assert_string_equal(z, zExpected);
  sqlite3_free(z);
}

/* n copies of z concatenated (sqlite3_malloc'd). */
static char *rep(const char *z, int n) {
  char *zOut = sqlite3_mprintf("");
  for (int i = 0; i < n; i++) zOut = sqlite3_mprintf("%z%s", zOut, z);
  assert_non_null(zOut);
  return zOut;
}

static int chars(const char *z) { return cfUtf8Chars((const unsigned char *)z, (int)strlen(z)); }

/* A JSON CHECK's failure, named or not, is told from the others. */
#define J(s) cfJsonCheckFailed("CHECK constraint failed: " s)
static void test_json_check_failed(void **state) {
  (void)state;
  assert_int_equal(J("json_valid(state) AND json_type(state) = 'object'"), 1);
  assert_int_equal(J("chatflow: message metadata must be a JSON object (or NULL)"), 1);
  assert_int_equal(J("chatflow: message parts must be a JSON array (or NULL)"), 1);
  assert_int_equal(J("chatflow: run clarifications must be a JSON array"), 1);
  assert_int_equal(J("chatflow: event detail must be a JSON text (or NULL)"), 1);
  assert_int_equal(J("chatflow: checkpoint metadata must be a JSON object"), 1);
  assert_int_equal(J("chatflow: channel_versions must be a JSON object"), 1);
  assert_int_equal(J("chatflow: message tokens must be an integer from 0 to 1000000000 or NULL"), 0);
  assert_int_equal(J("chatflow: visibility must be private or public"), 0);
  assert_int_equal(J("length(owner) BETWEEN 1 AND 200"), 0);
  assert_int_equal(cfJsonCheckFailed("chatflow: add_message options must be a JSON object, got an array"),
                   0);
  assert_int_equal(cfJsonCheckFailed(0), 0);
}
#undef J

static void test_title_short(void **state) {
  (void)state;
  expect_title("Hello world", "Hello world");
  expect_title("x", "x");
  expect_title("", 0);
  expect_title(" \t\r\n\f\v ", 0);
}

static void expect_model_title(const char *zIn, const char *zExpected);

static void test_title_whitespace_collapse(void **state) {
  (void)state;
  expect_title("  Plan   a\ttopical\n\nmap  ", "Plan a topical map");
  expect_title("\r\nline one\r\nline two\r\n", "line one line two");
  expect_title("a\f\vb", "a b");
  /* Unicode spaces too (U+00A0, U+2003, U+3000), and a text of them only
  ** has no title, as cfTextHasVisible says */
  expect_title("\xc2\xa0Plan\xc2\xa0\xc2\xa0my\xe2\x80\x83" "bakery\xe3\x80\x80", "Plan my bakery");
  expect_title(" \xc2\xa0\xe3\x80\x80 ", 0);
  assert_int_equal(cfTextHasVisible(" \xc2\xa0\xe3\x80\x80 "), 0);
  assert_int_equal(cfTextHasVisible(" \xc2\xa0x"), 1);
  assert_int_equal(cfTextHasVisible(""), 0);
  /* U+0085 NEXT LINE is white space too (Unicode's White_Space; a control,
  ** not a Z* character), as it is to search */
  expect_title("\xc2\x85line one\xc2\x85line two\xc2\x85", "line one line two");
  expect_title("\xc2\x85\xc2\xa0", 0);
  expect_model_title("Bakery\xc2\x85map\xc2\x85", "Bakery map");
  /* format characters are invisible: a text of U+200B (ZERO WIDTH SPACE)
  ** only has no title; at either end they go with the white space (U+FEFF,
  ** U+00AD too); inside they stay; the tag characters that end a flag (Cf
  ** too) stay with it */
  expect_title("\xe2\x80\x8b\xe2\x80\x8b", 0);
  assert_int_equal(cfTextHasVisible("\xe2\x80\x8b \xef\xbb\xbf\xc2\xad"), 0);
  expect_title("\xef\xbb\xbf\xe2\x80\x8b hello\xe2\x80\x8bworld \xe2\x80\x8b \xe2\x80\x8b",
               "hello\xe2\x80\x8bworld");
  expect_title("go \xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xb3\xf3\xa0\x81\xa3"
               "\xf3\xa0\x81\xb4\xf3\xa0\x81\xbf\xe2\x80\x8b",
               "go \xf0\x9f\x8f\xb4\xf3\xa0\x81\xa7\xf3\xa0\x81\xa2\xf3\xa0\x81\xb3\xf3\xa0\x81\xa3"
               "\xf3\xa0\x81\xb4\xf3\xa0\x81\xbf");
  /* collapsing comes before the length check: 200 spaces count as one */
  {
    char *zIn = sqlite3_mprintf("start%zend", rep(" ", 200));
    expect_title(zIn, "start end");
    sqlite3_free(zIn);
  }
}

/* generate_title's cleaning of a model's reply: white space collapsed,
** spaces and quote marks (ASCII, typographic, CJK corner brackets) off
** both ends, inner ones kept. */
static void expect_model_title(const char *zIn, const char *zExpected) {
  char *z = cfModelTitle(zIn);
  if (z == 0) fail_msg("cfModelTitle('%s') = NULL", zIn);
  assert_string_equal(z, zExpected);
  sqlite3_free(z);
}

static void test_model_title_quotes(void **state) {
  (void)state;
  expect_model_title("  \"Bakery map\"\n", "Bakery map");
  expect_model_title("\xe2\x80\x9c" "Curly" "\xe2\x80\x9d", "Curly");
  expect_model_title("\xc2\xab Guillemets \xc2\xbb", "Guillemets");
  expect_model_title("\xe3\x80\x8c" "\xe9\x9d\xa2\xe5\x8c\x85" "\xe3\x80\x8d", "\xe9\x9d\xa2\xe5\x8c\x85");
  expect_model_title("'\xe2\x80\x98nested\xe2\x80\x99'", "nested");
  expect_model_title("The \"best\" bread", "The \"best\" bread");
  expect_model_title("\"\xe2\x80\x9c\"", "");
  expect_model_title("caf\xc3\xa9\xe2\x80\x99", "caf\xc3\xa9");
}

static void test_title_exactly_80(void **state) {
  char *z80 = rep("abcd ", 16);   /* 80 characters ending with a space */
  (void)state;
  z80[79] = 'e';                  /* 80 visible characters, no trailing space */
  assert_int_equal(chars(z80), 80);
  expect_title(z80, z80);
  sqlite3_free(z80);
  z80 = rep("x", 80);
  expect_title(z80, z80);
  sqlite3_free(z80);
}

static void test_title_81_cut_at_word(void **state) {
  char *zA = rep("a", 40), *zB = rep("b", 40);
  char *zIn = sqlite3_mprintf("%s %s", zA, zB);  /* 81 characters */
  char *zExp = sqlite3_mprintf("%s\xe2\x80\xa6", zA);
  (void)state;
  assert_int_equal(chars(zIn), 81);
  expect_title(zIn, zExp);
  sqlite3_free(zIn);
  sqlite3_free(zExp);
  /* the last space that leaves room for the ellipsis is the 80th character */
  sqlite3_free(zB);
  zB = rep("a", 79);
  zIn = sqlite3_mprintf("%s b", zB);              /* 81 characters, space is the 80th */
  zExp = sqlite3_mprintf("%s\xe2\x80\xa6", zB);   /* 80 characters */
  expect_title(zIn, zExp);
  assert_int_equal(chars(zExp), 80);
  sqlite3_free(zIn);
  sqlite3_free(zExp);
  sqlite3_free(zA);
  sqlite3_free(zB);
}

static void test_title_no_spaces(void **state) {
  char *zIn = rep("x", 81), *z79 = rep("x", 79);
  char *zExp = sqlite3_mprintf("%s\xe2\x80\xa6", z79);
  (void)state;
  expect_title(zIn, zExp);
  assert_int_equal(chars(zExp), 80);
  sqlite3_free(zIn);
  /* a first word longer than 80: no usable space, cut inside the word */
  zIn = sqlite3_mprintf("%z tail", rep("x", 85));
  expect_title(zIn, zExp);
  sqlite3_free(zIn);
  sqlite3_free(zExp);
  sqlite3_free(z79);
}

static void test_title_multibyte(void **state) {
  char *z80 = rep("\xc3\xa9", 80), *z81 = rep("\xc3\xa9", 81), *z79 = rep("\xc3\xa9", 79);
  char *zExp = sqlite3_mprintf("%s\xe2\x80\xa6", z79);
  (void)state;
  expect_title(z80, z80);                         /* 80 characters, 160 bytes: unchanged */
  expect_title(z81, zExp);                        /* cut between characters, never inside */
  sqlite3_free(z80);
  sqlite3_free(z81);
  sqlite3_free(zExp);
  /* 4-byte characters and a word boundary */
  z80 = rep("\xf0\x9f\x98\x80", 50);
  z81 = sqlite3_mprintf("%s %s", z80, z80);       /* 101 characters */
  zExp = sqlite3_mprintf("%s\xe2\x80\xa6", z80);
  expect_title(z81, zExp);
  sqlite3_free(z80);
  sqlite3_free(z81);
  sqlite3_free(zExp);
  sqlite3_free(z79);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_utf8_valid_wellformed),
    cmocka_unit_test(test_json_check_failed),
    cmocka_unit_test(test_utf8_valid_overlong),
    cmocka_unit_test(test_utf8_valid_surrogates_and_range),
    cmocka_unit_test(test_utf8_valid_truncated_and_stray),
    cmocka_unit_test(test_utf8_valid_blocks),
    cmocka_unit_test(test_utf8_chars),
    cmocka_unit_test(test_timestamp_valid),
    cmocka_unit_test(test_timestamp_leap_years),
    cmocka_unit_test(test_timestamp_rfc3339),
    cmocka_unit_test(test_timestamp_offsets),
    cmocka_unit_test(test_timestamp_invalid),
    cmocka_unit_test(test_title_short),
    cmocka_unit_test(test_title_whitespace_collapse),
    cmocka_unit_test(test_model_title_quotes),
    cmocka_unit_test(test_title_exactly_80),
    cmocka_unit_test(test_title_81_cut_at_word),
    cmocka_unit_test(test_title_no_spaces),
    cmocka_unit_test(test_title_multibyte),
  };
  return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
