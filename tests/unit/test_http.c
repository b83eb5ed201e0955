/*
** test_http.c — the URL rule of ext/http.c and ext/provider.c:
** cfHttpUrlCheck's verdict on base URLs (credentials, empty hosts, what
** libcurl refuses) and cfBaseUrlCheck's messages, which never quote a URL
** holding a password; cfHttpRetryAfter's reading of a Retry-After header
** line, cfHttpRetryAfterMs's of a retry-after-ms one.  Redirects need a
** server: tests/provider.
*/
#include "unit.h"

#include "http.h"

static int verdict(const char *zUrl) {
  char zWhy[128];
  return cfHttpUrlCheck(zUrl, zWhy, sizeof(zWhy));
}

static void test_url_accepted(void **state) {
  (void)state;
  assert_int_equal(verdict("http://127.0.0.1:11434/v1"), CF_HTTP_URL_OK);
  assert_int_equal(verdict("https://api.openai.com/v1"), CF_HTTP_URL_OK);
  assert_int_equal(verdict("http://localhost:8080"), CF_HTTP_URL_OK);
  assert_int_equal(verdict("http://[::1]:11434/v1/"), CF_HTTP_URL_OK);
  /* an '@' after the host belongs to the path or the query */
  assert_int_equal(verdict("https://gw.example/v1/@team?user=a@b"), CF_HTTP_URL_OK);
}

static void test_url_credentials(void **state) {
  (void)state;
  assert_int_equal(verdict("http://user:pass@host/v1"), CF_HTTP_URL_CREDENTIALS);
  assert_int_equal(verdict("http://user@host/v1"), CF_HTTP_URL_CREDENTIALS);
  assert_int_equal(verdict("http://:pass@host/v1"), CF_HTTP_URL_CREDENTIALS);
  assert_int_equal(verdict("http://@host/v1"), CF_HTTP_URL_CREDENTIALS);
  assert_int_equal(verdict("https://user:pass@host"), CF_HTTP_URL_CREDENTIALS);
  /* libcurl reads the backslash as part of the user name, so does the rule */
  assert_int_equal(verdict("http://host\\@evil.example/v1"), CF_HTTP_URL_CREDENTIALS);
  /* checked before the scheme, so another scheme's password is not quoted */
  assert_int_equal(verdict("ftp://user:pass@host/"), CF_HTTP_URL_CREDENTIALS);
}

static void test_url_no_host(void **state) {
  (void)state;
  assert_int_equal(verdict("https://"), CF_HTTP_URL_NOHOST);
  assert_int_equal(verdict("http://"), CF_HTTP_URL_NOHOST);
  assert_int_equal(verdict("http:///v1"), CF_HTTP_URL_NOHOST); /* libcurl: host "v1" */
  assert_int_equal(verdict("http:////host/v1"), CF_HTTP_URL_NOHOST);
  assert_int_equal(verdict("http://:8080/v1"), CF_HTTP_URL_NOHOST);
  assert_int_equal(verdict("http://?q"), CF_HTTP_URL_NOHOST);
  assert_int_equal(verdict("http://#f"), CF_HTTP_URL_NOHOST);
}

static void test_url_other(void **state) {
  char zWhy[128];
  (void)state;
  assert_int_equal(verdict("ftp://example.com"), CF_HTTP_URL_SCHEME);
  assert_int_equal(verdict("HTTP://example.com"), CF_HTTP_URL_SCHEME);
  assert_int_equal(verdict(""), CF_HTTP_URL_SCHEME);
  assert_int_equal(verdict("http://exa mple.com"), CF_HTTP_URL_SPACE);
  assert_int_equal(verdict("http://example.com/\x7f"), CF_HTTP_URL_SPACE);
  assert_int_equal(verdict("http://example.com/\t"), CF_HTTP_URL_SPACE);
  assert_int_equal(cfHttpUrlCheck("http://host:99999/v1", zWhy, sizeof(zWhy)), CF_HTTP_URL_INVALID);
  assert_string_equal(zWhy, "Port number was not a decimal number between 0 and 65535");
  assert_int_equal(cfHttpUrlCheck("http://[::1/v1", zWhy, sizeof(zWhy)), CF_HTTP_URL_INVALID);
  assert_string_equal(zWhy, "Bad IPv6 address");
}

static void test_base_url_messages(void **state) {
  char *zErr = 0;
  (void)state;
  assert_int_equal(cfBaseUrlCheck("llm.base_url", "http://127.0.0.1:11434/v1", &zErr), SQLITE_OK);
  assert_null(zErr);
  assert_int_equal(cfBaseUrlCheck("llm.base_url", "https://admin:hunter2@api.example/v1", &zErr),
                   SQLITE_ERROR);
  assert_string_equal(zErr, "chatflow: llm.base_url must not contain credentials (user@ or"
                            " user:password@ before the host): settings are stored in the"
                            " database; put the key in the environment variable named by"
                            " llm.api_key_env");
  sqlite3_free(zErr);
  assert_int_equal(cfBaseUrlCheck("llm.base_url", "http://:8080/v1", &zErr), SQLITE_ERROR);
  assert_string_equal(zErr, "chatflow: llm.base_url has no host, got 'http://:8080/v1'");
  sqlite3_free(zErr);
  assert_int_equal(cfBaseUrlCheck("llm.base_url", "gopher://x", &zErr), SQLITE_ERROR);
  assert_string_equal(zErr, "chatflow: llm.base_url must be an http:// or https:// URL, got 'gopher://x'");
  sqlite3_free(zErr);
}

static void test_config_uses_the_rule(void **state) {
  sqlite3 *db = cfTestOpen(":memory:");
  (void)state;
  CF_SQL_ERROR(db, "SELECT chatflow_config('llm.base_url', 'http:///v1')",
               "chatflow: llm.base_url has no host, got 'http:///v1'");
  CF_SQL(db, "SELECT count(*) FROM chatflow_settings", "0");
  CF_SQL(db, "SELECT chatflow_config('llm.base_url', 'http://[::1]:8080/v1')", "http://[::1]:8080/v1");
  cfTestClose(db);
}

/* cfHttpRetryAfter on one line: -2 for a line that is not Retry-After,
** else the seconds (-1: the value is ignored); now is 2026-01-01T00:00:00Z. */
static long retry_after(const char *zLine) {
  long nSec = -3;
  if (cfHttpRetryAfter(zLine, strlen(zLine), (time_t)1767225600, &nSec) == 0) {
    assert_int_equal(nSec, -1);
    return -2;
  }
  return nSec;
}

static void test_retry_after(void **state) {
  (void)state;
  /* delay-seconds; the name in any case, white space and the CRLF dropped */
  assert_int_equal(retry_after("Retry-After: 20\r\n"), 20);
  assert_int_equal(retry_after("retry-after:20\r\n"), 20);
  assert_int_equal(retry_after("RETRY-AFTER: \t 7 \t\r\n"), 7);
  assert_int_equal(retry_after("Retry-After: 0\r\n"), 0);
  assert_int_equal(retry_after("Retry-After: 0020\n"), 20);
  assert_int_equal(retry_after("Retry-After: 86400\r\n"), 86400);
  /* an HTTP date, in the three forms of RFC 9110, less now; a past one is 0 */
  assert_int_equal(retry_after("Retry-After: Thu, 01 Jan 2026 00:00:20 GMT\r\n"), 20);
  assert_int_equal(retry_after("Retry-After: Thursday, 01-Jan-26 00:01:00 GMT\r\n"), 60);
  assert_int_equal(retry_after("Retry-After: Thu Jan  1 01:00:00 2026\r\n"), 3600);
  assert_int_equal(retry_after("Retry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\n"), 0);
  assert_int_equal(retry_after("Retry-After: Thu, 01 Jan 2026 00:00:00 GMT\r\n"), 0);
  /* ignored: more than a day, junk, empty, a fraction, a sign, a date past a day */
  assert_int_equal(retry_after("Retry-After: 86401\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: 1767225600\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: 99999999999999999999999999999\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: 1.5\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: -5\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: +5\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: 20 s\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: soon\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: \r\n"), -1);
  assert_int_equal(retry_after("Retry-After:\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: Fri, 02 Jan 2026 00:00:01 GMT\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: Thu, 01 Jan 2026 00:00:20 GMT and a very long tail after it\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: Thu, 01 Jan 2026 00:00:20 GMT x\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: Thu, 01 Jan 2026 00:00:20\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: 2026-01-01T00:00:20Z\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: Thu, 01 Foo 2026 00:00:20 GMT\r\n"), -1);
  assert_int_equal(retry_after("Retry-After: Thu, 01 Jan 2026 00:00:20 GMT\x01\r\n"), -1);
  /* other headers */
  assert_int_equal(retry_after("Retry-After-Ms: 20\r\n"), -2);
  assert_int_equal(retry_after("X-Retry-After: 20\r\n"), -2);
  assert_int_equal(retry_after("Retry-After : 20\r\n"), -2);
  assert_int_equal(retry_after("Retry-Afte"), -2);
  assert_int_equal(retry_after("HTTP/1.1 429 Too Many Requests\r\n"), -2);
}

/* cfHttpRetryAfterMs on one line: -2 for a line that is not retry-after-ms,
** else the milliseconds (-1: the value is ignored). */
static long retry_after_ms(const char *zLine) {
  long nMs = -3;
  if (cfHttpRetryAfterMs(zLine, strlen(zLine), &nMs) == 0) {
    assert_int_equal(nMs, -1);
    return -2;
  }
  return nMs;
}

static void test_retry_after_ms(void **state) {
  (void)state;
  /* milliseconds; the name in any case, white space and the CRLF dropped */
  assert_int_equal(retry_after_ms("retry-after-ms: 1500\r\n"), 1500);
  assert_int_equal(retry_after_ms("Retry-After-Ms:200\r\n"), 200);
  assert_int_equal(retry_after_ms("RETRY-AFTER-MS: \t 7 \t\r\n"), 7);
  assert_int_equal(retry_after_ms("retry-after-ms: 0\r\n"), 0);
  assert_int_equal(retry_after_ms("retry-after-ms: 0020\n"), 20);
  assert_int_equal(retry_after_ms("retry-after-ms: 86400000\r\n"), 86400000);
  /* a fraction: a part of a millisecond counts as a whole one */
  assert_int_equal(retry_after_ms("retry-after-ms: 1500.5\r\n"), 1501);
  assert_int_equal(retry_after_ms("retry-after-ms: 1500.000\r\n"), 1500);
  assert_int_equal(retry_after_ms("retry-after-ms: 0.001\r\n"), 1);
  assert_int_equal(retry_after_ms("retry-after-ms: .5\r\n"), 1);
  assert_int_equal(retry_after_ms("retry-after-ms: 5.\r\n"), 5);
  assert_int_equal(retry_after_ms("retry-after-ms: 86399999.9\r\n"), 86400000);
  /* ignored: more than a day, not a number, a sign, an exponent, empty */
  assert_int_equal(retry_after_ms("retry-after-ms: 86400001\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 86400000.1\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 99999999999999999999999999999\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: -500\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: -0\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: +500\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: NaN\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: Infinity\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 1e3\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 0x10\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 1,5\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 1.5.0\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: 500 ms\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: .\r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms: \r\n"), -1);
  assert_int_equal(retry_after_ms("retry-after-ms:\r\n"), -1);
  /* other headers */
  assert_int_equal(retry_after_ms("Retry-After: 20\r\n"), -2);
  assert_int_equal(retry_after_ms("x-retry-after-ms: 20\r\n"), -2);
  assert_int_equal(retry_after_ms("retry-after-ms : 20\r\n"), -2);
  assert_int_equal(retry_after_ms("retry-after-m"), -2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_url_accepted),
    cmocka_unit_test(test_url_credentials),
    cmocka_unit_test(test_url_no_host),
    cmocka_unit_test(test_url_other),
    cmocka_unit_test(test_base_url_messages),
    cmocka_unit_test(test_config_uses_the_rule),
    cmocka_unit_test(test_retry_after),
    cmocka_unit_test(test_retry_after_ms),
  };
  return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
