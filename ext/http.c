/*
** http.c — a small libcurl client for chatflow's model calls.  It knows
** nothing of SQLite: a CfHttpRequest goes in, a CfHttpResponse comes out,
** and its memory comes from malloc/free (cfHttpResponseFree).
**
** Every request: http and https only, CURLOPT_CONNECTTIMEOUT_MS and
** CURLOPT_TIMEOUT_MS, CURLOPT_NOSIGNAL (no SIGALRM in the host process), an
** error buffer, a response-size cap enforced in the write callback, TLS
** verification on unless the request says bInsecure (an explicit,
** documented setting), an optional CA bundle, ~/.netrc ignored, and a
** progress callback that aborts when xAbort says so (chatflow uses it to
** stop when the SQL statement is interrupted).
**
** Redirects are never followed.  A request carries the conversation and
** secrets (Authorization, and the caller's extra headers such as api-key or
** X-Api-Key, which libcurl would send on to any host: it drops only
** Authorization on a change of origin).  Following only same-origin
** redirects would be safe too, but needs a second request path (method and
** body re-sent by hand, a count cap, the origin compared at every hop) for
** a case OpenAI-compatible APIs do not normally have; refusing them all is
** simpler and cannot leak.  A 3xx answer with a Location fails with
** CF_HTTP_FAIL_REDIRECT; the response says where it pointed (zRedirect,
** without user, password, query or fragment, so a token in the Location
** does not reach an error message) and whether that is another origin
** (scheme, host or port), so the caller can say which it was.
**
** cfHttpUrlCheck judges a base URL before any request, with libcurl's own
** URL parser (the one the request will use, so the check and the request
** cannot read the URL differently) plus two rules libcurl does not have:
** no user or password before the host (a secret would sit in the database
** setting; libcurl also accepts "user@" with an empty user), and a
** non-empty host (libcurl reads "http:///v1" as the host "v1").
**
** cfHttpRetryAfter reads a Retry-After header (RFC 9110, section 10.2.3)
** of the response, so that the caller can say when to retry a 429 or a
** 503: delay-seconds, or an HTTP date (the three forms RFC 9110 allows,
** read by curl_getdate) less the time it came.  The header's name is
** matched without regard to case, the white space around the value and the
** line's CRLF are dropped; a value that is neither form (a fraction, a
** sign, text, a date of another shape or with words after it), an empty
** one, or one that asks for more than a day
** (CF_HTTP_RETRY_AFTER_MAX: an epoch time or milliseconds sent by mistake)
** is ignored.  Of several such headers the first usable one counts; the
** headers of an interim response (100 Continue) do not.
**
** cfHttpRetryAfterMs reads retry-after-ms, the header OpenAI sends with
** Retry-After: the same wait in milliseconds, a decimal number that may
** have a fraction ("1500", "1500.5", ".5").  OpenAI's SDKs (openai-node,
** openai-python) read it first and Retry-After only without it; so does
** the response (nRetryAfterMs): the first usable retry-after-ms, else the
** first usable Retry-After.  A fraction of a millisecond counts as a whole
** one (never earlier than asked).  A value that is not a number ("soon",
** "nan", "inf"), a negative one or one over a day is ignored, as the SDKs
** ignore one that is not a number or out of their range (above 0, up to a
** minute: the longest they wait themselves; chatflow keeps 0, as for
** Retry-After: 0), and Retry-After counts; so is a sign or an exponent
** ("+5", "1e3": no server sends them), since the value is read by hand
** (strtod's decimal point is the host process's locale's).
**
** curl_global_init runs once per process, thread-safely (pthread_once);
** the library is linked -z nodelete so that state is never unloaded under
** a live libcurl.
**
** Registers no SQL functions.
*/
#include "http.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t cfHttpOnce = PTHREAD_ONCE_INIT;
static CURLcode cfHttpInitRc = CURLE_OK;

static void cfHttpGlobalInit(void) { cfHttpInitRc = curl_global_init(CURL_GLOBAL_DEFAULT); }

static const char *cfHttpUrlError(CURLUcode uc) {
#if LIBCURL_VERSION_NUM >= 0x075000
  return curl_url_strerror(uc);
#else
  (void)uc;
  return "libcurl cannot parse it";
#endif
}

/* The authority of z: what follows "://" (or z itself when it has none) up
** to the first '/', '?' or '#'; its length in *pn. */
static const char *cfHttpAuthority(const char *z, size_t *pn) {
  const char *zAuth = strstr(z, "://");
  zAuth = zAuth ? zAuth + 3 : z;
  *pn = strcspn(zAuth, "/?#");
  return zAuth;
}

int cfHttpUrlCheck(const char *zUrl, char *zWhy, size_t nWhy) {
  const char *zAuth;
  size_t nAuth;
  CURLU *pU;
  CURLUcode uc;
  char *zPart = 0; /* curl's, curl_free */
  int rc = CF_HTTP_URL_OK;
  if (nWhy) zWhy[0] = 0;
  for (const unsigned char *q = (const unsigned char *)zUrl; *q; q++) {
    if (*q <= ' ' || *q == 0x7f) return CF_HTTP_URL_SPACE;
  }
  zAuth = cfHttpAuthority(zUrl, &nAuth);
  if (memchr(zAuth, '@', nAuth)) return CF_HTTP_URL_CREDENTIALS;
  if (strncmp(zUrl, "http://", 7) != 0 && strncmp(zUrl, "https://", 8) != 0) {
    return CF_HTTP_URL_SCHEME;
  }
  if (nAuth == 0 || zAuth[0] == ':') return CF_HTTP_URL_NOHOST;
  pthread_once(&cfHttpOnce, cfHttpGlobalInit);
  pU = curl_url();
  if (pU == 0) return CF_HTTP_URL_NOMEM;
  uc = curl_url_set(pU, CURLUPART_URL, zUrl, 0);
  if (uc == CURLUE_NO_HOST) {
    rc = CF_HTTP_URL_NOHOST;
  } else if (uc == CURLUE_OUT_OF_MEMORY) {
    rc = CF_HTTP_URL_NOMEM;
  } else if (uc != CURLUE_OK) {
    snprintf(zWhy, nWhy, "%s", cfHttpUrlError(uc));
    rc = CF_HTTP_URL_INVALID;
  } else if (curl_url_get(pU, CURLUPART_USER, &zPart, 0) == CURLUE_OK ||
             curl_url_get(pU, CURLUPART_PASSWORD, &zPart, 0) == CURLUE_OK ||
             curl_url_get(pU, CURLUPART_OPTIONS, &zPart, 0) == CURLUE_OK) {
    rc = CF_HTTP_URL_CREDENTIALS; /* not reached past the '@' rule; kept as a second guard */
  } else if (curl_url_get(pU, CURLUPART_HOST, &zPart, 0) != CURLUE_OK || zPart[0] == 0) {
    rc = CF_HTTP_URL_NOHOST;
  }
  curl_free(zPart);
  curl_url_cleanup(pU);
  return rc;
}

/* Writes "scheme://host:port" of zUrl (lower-cased, the port always
** given) to zOut; returns non-zero when zUrl does not parse or the origin
** does not fit. */
static int cfHttpOrigin(const char *zUrl, char *zOut, size_t nOut) {
  CURLU *pU = curl_url();
  char *zScheme = 0, *zHost = 0, *zPort = 0; /* curl's, curl_free */
  int rc = 1;
  if (pU && curl_url_set(pU, CURLUPART_URL, zUrl, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(pU, CURLUPART_SCHEME, &zScheme, 0) == CURLUE_OK &&
      curl_url_get(pU, CURLUPART_HOST, &zHost, 0) == CURLUE_OK &&
      curl_url_get(pU, CURLUPART_PORT, &zPort, CURLU_DEFAULT_PORT) == CURLUE_OK) {
    int n = snprintf(zOut, nOut, "%s://%s:%s", zScheme, zHost, zPort);
    if (n > 0 && (size_t)n < nOut) {
      for (char *q = zOut; *q; q++) {
        if (*q >= 'A' && *q <= 'Z') *q += 'a' - 'A';
      }
      rc = 0;
    }
  }
  curl_free(zScheme);
  curl_free(zHost);
  curl_free(zPort);
  curl_url_cleanup(pU);
  return rc;
}

/* Writes zTarget, a redirect's absolute URL, to zOut for an error message:
** without user, password, options, query and fragment, cut at a character
** boundary to fit (ending "..."). */
static void cfHttpRedirectShow(const char *zTarget, char *zOut, size_t nOut) {
  CURLU *pU = curl_url();
  char *zShow = 0; /* curl's, curl_free */
  size_t n;
  if (pU && curl_url_set(pU, CURLUPART_URL, zTarget, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_set(pU, CURLUPART_USER, 0, 0) == CURLUE_OK &&
      curl_url_set(pU, CURLUPART_PASSWORD, 0, 0) == CURLUE_OK &&
      curl_url_set(pU, CURLUPART_OPTIONS, 0, 0) == CURLUE_OK &&
      curl_url_set(pU, CURLUPART_QUERY, 0, 0) == CURLUE_OK &&
      curl_url_set(pU, CURLUPART_FRAGMENT, 0, 0) == CURLUE_OK) {
    curl_url_get(pU, CURLUPART_URL, &zShow, 0);
  }
  snprintf(zOut, nOut, "%s", zShow ? zShow : "a URL libcurl cannot parse");
  n = strlen(zShow ? zShow : "");
  if (n >= nOut && nOut > 4) {
    size_t nCut = nOut - 4;
    while (nCut > 0 && ((unsigned char)zOut[nCut] & 0xc0) == 0x80) nCut--; /* not inside a UTF-8 character */
    memcpy(zOut + nCut, "...", 4);
  }
  curl_free(zShow);
  curl_url_cleanup(pU);
}

/* Whether z[0..n-1] has the shape of one of the three forms of an HTTP
** date (RFC 9110, section 5.6.7): in zShape, 'A' is a letter, '*' one or
** more letters, '9' a digit, '_' a space or a digit, anything else itself.
** curl_getdate reads the date; it would also read a date with words after
** it, or forms HTTP does not have. */
static int cfHttpDateShape(const char *z, size_t n) {
  static const char *azShape[] = {
    "AAA, 99 AAA 9999 99:99:99 GMT", /* IMF-fixdate */
    "*, 99-AAA-99 99:99:99 GMT",      /* RFC 850 */
    "AAA AAA _9 99:99:99 9999",       /* asctime */
  };
  for (size_t k = 0; k < sizeof(azShape) / sizeof(azShape[0]); k++) {
    const char *q = azShape[k];
    size_t i = 0;
    for (; *q && i < n; q++) {
      char ch = z[i];
      int bLetter = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
      int bDigit = ch >= '0' && ch <= '9';
      if (*q == 'A' || *q == '*') {
        if (!bLetter) break;
        i++;
        if (*q == '*') {
          while (i < n && ((z[i] >= 'A' && z[i] <= 'Z') || (z[i] >= 'a' && z[i] <= 'z'))) i++;
        }
      } else if (*q == '9') {
        if (!bDigit) break;
        i++;
      } else if (*q == '_') {
        if (!bDigit && ch != ' ') break;
        i++;
      } else {
        if (ch != *q) break;
        i++;
      }
    }
    if (*q == 0 && i == n) return 1;
  }
  return 0;
}

/* Whether the header line zLine[0..nLine-1] (as libcurl hands it over,
** with its CRLF) is the header zName ("name:", lower case): 0 if not; 1 if
** so, with its value in *pz, *pn, the white space around it and the CRLF
** dropped.  The name is matched without regard to case. */
static int cfHttpHeaderValue(const char *zLine, size_t nLine, const char *zName, const char **pz,
                             size_t *pn) {
  const size_t nName = strlen(zName);
  const char *z;
  size_t n;
  if (nLine < nName) return 0;
  for (size_t i = 0; i < nName; i++) {
    char ch = zLine[i];
    if (ch >= 'A' && ch <= 'Z') ch += 'a' - 'A';
    if (ch != zName[i]) return 0;
  }
  z = zLine + nName;
  n = nLine - nName;
  while (n > 0 && (z[0] == ' ' || z[0] == '\t')) {
    z++;
    n--;
  }
  while (n > 0 && (z[n - 1] == ' ' || z[n - 1] == '\t' || z[n - 1] == '\r' || z[n - 1] == '\n')) n--;
  *pz = z;
  *pn = n;
  return 1;
}

/* Whether the header line zLine[0..nLine-1] (as libcurl hands it over,
** with its CRLF) is a Retry-After header: 0 if not; 1 if so, with the
** seconds to wait in *pnSec, or -1 for a value that is ignored (see the
** header comment).  now is the time the header came. */
int cfHttpRetryAfter(const char *zLine, size_t nLine, time_t now, long *pnSec) {
  const char *z;
  size_t n;
  *pnSec = -1;
  if (!cfHttpHeaderValue(zLine, nLine, "retry-after:", &z, &n)) return 0;
  if (n == 0) return 1;
  if (z[0] >= '0' && z[0] <= '9') {
    /* delay-seconds: digits only, bounded as they are read */
    long nSec = 0;
    for (size_t i = 0; i < n; i++) {
      if (z[i] < '0' || z[i] > '9') return 1;
      nSec = nSec * 10 + (z[i] - '0');
      if (nSec > CF_HTTP_RETRY_AFTER_MAX) return 1;
    }
    *pnSec = nSec;
  } else if (cfHttpDateShape(z, n)) {
    /* an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94
    ** 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"), read by curl_getdate */
    char zDate[64];
    time_t t;
    if (n >= sizeof(zDate)) return 1;
    memcpy(zDate, z, n);
    zDate[n] = 0;
    t = curl_getdate(zDate, &now);
    if (t == (time_t)-1) return 1;
    if (t <= now) *pnSec = 0; /* a time past: retry now */
    else if (t - now <= CF_HTTP_RETRY_AFTER_MAX) *pnSec = (long)(t - now);
  }
  return 1;
}

/* Whether the header line zLine[0..nLine-1] (as libcurl hands it over,
** with its CRLF) is a retry-after-ms header: 0 if not; 1 if so, with the
** milliseconds to wait in *pnMs (a fraction rounded up), or -1 for a value
** that is ignored (see the header comment). */
int cfHttpRetryAfterMs(const char *zLine, size_t nLine, long *pnMs) {
  const char *z;
  size_t n, i = 0;
  long nMs = 0;
  int bDigit = 0; /* a digit seen, before or after the point */
  *pnMs = -1;
  if (!cfHttpHeaderValue(zLine, nLine, "retry-after-ms:", &z, &n)) return 0;
  for (; i < n && z[i] >= '0' && z[i] <= '9'; i++) {
    bDigit = 1;
    nMs = nMs * 10 + (z[i] - '0');
    if (nMs > CF_HTTP_RETRY_AFTER_MAX * 1000) return 1;
  }
  if (i < n && z[i] == '.') {
    int bPart = 0; /* a digit other than 0 after the point */
    for (i++; i < n && z[i] >= '0' && z[i] <= '9'; i++) {
      bDigit = 1;
      if (z[i] != '0') bPart = 1;
    }
    nMs += bPart;
  }
  if (!bDigit || i < n || nMs > CF_HTTP_RETRY_AFTER_MAX * 1000) return 1;
  *pnMs = nMs;
  return 1;
}

typedef struct CfHttpSink {
  CfHttpResponse *pResp;
  size_t nMax;
  size_t nAlloc;
  int bTooBig;
  size_t nStreamed;          /* bytes handed to xData: capped by nMax too */
  const CfHttpRequest *pReq; /* its xData, for a streamed 2xx body */
  CURL *pCurl;
  int bStopped;              /* xData asked to stop */
  int bErrorCut;             /* an error status's body, cut at nMax: the status is the answer */
  int bRetryAfterMs;         /* pResp->nRetryAfterMs came from a retry-after-ms header */
} CfHttpSink;

static size_t cfHttpWrite(char *pData, size_t nSize, size_t nItems, void *pArg) {
  CfHttpSink *pSink = (CfHttpSink *)pArg;
  CfHttpResponse *r = pSink->pResp;
  size_t n = nSize * nItems;
  if (pSink->pReq->xData) {
    long iStatus = 0;
    curl_easy_getinfo(pSink->pCurl, CURLINFO_RESPONSE_CODE, &iStatus);
    if (iStatus >= 200 && iStatus <= 299) {
      if (pSink->nStreamed + n > pSink->nMax) {
        pSink->bTooBig = 1;
        return 0; /* a stream is capped as it arrives, as a kept body */
      }
      pSink->nStreamed += n;
      if (pSink->pReq->xData(pSink->pReq->pDataArg, pData, n)) {
        pSink->bStopped = 1;
        return 0;
      }
      return n;
    }
  }
  size_t nAll = n; /* what curl handed over */
  if (r->nBody + n > pSink->nMax) {
    long iStatus = 0;
    curl_easy_getinfo(pSink->pCurl, CURLINFO_RESPONSE_CODE, &iStatus);
    if (iStatus < 300) {
      pSink->bTooBig = 1;
      return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    /* an error (or redirect) body longer than the cap (an HTML error page,
    ** a long rate-limit message): its start is kept, the rest not read;
    ** the status, not the size, is what the caller reports */
    pSink->bErrorCut = 1;
    n = pSink->nMax - r->nBody;
  }
  if (r->nBody + n + 1 > pSink->nAlloc) {
    size_t nNew = pSink->nAlloc ? pSink->nAlloc * 2 : 16384;
    char *zNew;
    while (nNew < r->nBody + n + 1) nNew *= 2;
    zNew = realloc(r->zBody, nNew);
    if (zNew == 0) return 0;
    r->zBody = zNew;
    pSink->nAlloc = nNew;
  }
  memcpy(r->zBody + r->nBody, pData, n);
  r->nBody += n;
  r->zBody[r->nBody] = 0;
  return pSink->bErrorCut ? 0 : nAll;
}

/* libcurl's header callback: the status line of each response (an interim
** 100 Continue's too, whose headers are forgotten at the next one), then
** its header lines; the wait kept is the first usable retry-after-ms, else
** the first usable Retry-After, in whatever order they come. */
static size_t cfHttpHeader(char *pData, size_t nSize, size_t nItems, void *pArg) {
  CfHttpSink *pSink = (CfHttpSink *)pArg;
  CfHttpResponse *r = pSink->pResp;
  size_t n = nSize * nItems;
  long nWait;
  if (n >= 5 && memcmp(pData, "HTTP/", 5) == 0) {
    r->nRetryAfterMs = -1; /* a new response begins */
    pSink->bRetryAfterMs = 0;
  } else if (!pSink->bRetryAfterMs && cfHttpRetryAfterMs(pData, n, &nWait)) {
    if (nWait >= 0) {
      r->nRetryAfterMs = nWait; /* wins over a Retry-After before or after it */
      pSink->bRetryAfterMs = 1;
    }
  } else if (r->nRetryAfterMs < 0 && cfHttpRetryAfter(pData, n, time(0), &nWait)) {
    if (nWait >= 0) r->nRetryAfterMs = nWait * 1000;
  }
  return n;
}

static int cfHttpProgress(void *pArg, curl_off_t dlTotal, curl_off_t dlNow, curl_off_t ulTotal,
                          curl_off_t ulNow) {
  const CfHttpRequest *pReq = (const CfHttpRequest *)pArg;
  (void)dlTotal; (void)dlNow; (void)ulTotal; (void)ulNow;
  return (pReq->xAbort && pReq->xAbort(pReq->pAbortArg)) ? 1 : 0;
}

int cfHttpPost(const CfHttpRequest *pReq, CfHttpResponse *pResp) {
  CURL *pCurl;
  CURLcode e;
  struct curl_slist *pHeaders = 0;
  CfHttpSink sink;
  int rc = CF_HTTP_OK;

  memset(pResp, 0, sizeof(*pResp));
  pResp->nRetryAfterMs = -1;
  pthread_once(&cfHttpOnce, cfHttpGlobalInit);
  if (cfHttpInitRc != CURLE_OK) {
    snprintf(pResp->zError, sizeof(pResp->zError), "curl_global_init failed: %s",
             curl_easy_strerror(cfHttpInitRc));
    return pResp->eFail = CF_HTTP_FAIL_OTHER;
  }
  pCurl = curl_easy_init();
  if (pCurl == 0) {
    snprintf(pResp->zError, sizeof(pResp->zError), "out of memory");
    return pResp->eFail = CF_HTTP_FAIL_OTHER;
  }
  memset(&sink, 0, sizeof(sink));
  sink.pResp = pResp;
  sink.pReq = pReq;
  sink.pCurl = pCurl;
  sink.nMax = pReq->nMaxResponse ? pReq->nMaxResponse : (8u << 20);
  for (int i = 0; i < pReq->nHeader; i++) {
    struct curl_slist *pNew = curl_slist_append(pHeaders, pReq->azHeader[i]);
    if (pNew == 0) {
      curl_slist_free_all(pHeaders);
      curl_easy_cleanup(pCurl);
      snprintf(pResp->zError, sizeof(pResp->zError), "out of memory");
      return pResp->eFail = CF_HTTP_FAIL_OTHER;
    }
    pHeaders = pNew;
  }
  curl_easy_setopt(pCurl, CURLOPT_URL, pReq->zUrl);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(pCurl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(pCurl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(pCurl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
  curl_easy_setopt(pCurl, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  /* never follow a redirect (see the header comment); redirect protocols
  ** and a cap of 0 stay set in case this option is ever turned on */
  curl_easy_setopt(pCurl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(pCurl, CURLOPT_MAXREDIRS, 0L);
  curl_easy_setopt(pCurl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(pCurl, CURLOPT_CONNECTTIMEOUT_MS,
                   pReq->nConnectTimeoutMs > 0 ? pReq->nConnectTimeoutMs : 10000L);
  curl_easy_setopt(pCurl, CURLOPT_TIMEOUT_MS, pReq->nTimeoutMs > 0 ? pReq->nTimeoutMs : 60000L);
  curl_easy_setopt(pCurl, CURLOPT_ERRORBUFFER, pResp->zError);
  curl_easy_setopt(pCurl, CURLOPT_HTTPHEADER, pHeaders);
  curl_easy_setopt(pCurl, CURLOPT_POST, 1L);
  curl_easy_setopt(pCurl, CURLOPT_POSTFIELDS, pReq->zBody);
  curl_easy_setopt(pCurl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)pReq->nBody);
  curl_easy_setopt(pCurl, CURLOPT_WRITEFUNCTION, cfHttpWrite);
  curl_easy_setopt(pCurl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(pCurl, CURLOPT_HEADERFUNCTION, cfHttpHeader);
  curl_easy_setopt(pCurl, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(pCurl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(pCurl, CURLOPT_XFERINFOFUNCTION, cfHttpProgress);
  curl_easy_setopt(pCurl, CURLOPT_XFERINFODATA, (void *)pReq);
  curl_easy_setopt(pCurl, CURLOPT_USERAGENT, "chatflow/" CF_HTTP_VERSION);
  curl_easy_setopt(pCurl, CURLOPT_SSL_VERIFYPEER, pReq->bInsecure ? 0L : 1L);
  curl_easy_setopt(pCurl, CURLOPT_SSL_VERIFYHOST, pReq->bInsecure ? 0L : 2L);
  if (pReq->zCaBundle && pReq->zCaBundle[0]) curl_easy_setopt(pCurl, CURLOPT_CAINFO, pReq->zCaBundle);
  curl_easy_setopt(pCurl, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);

  e = curl_easy_perform(pCurl);
  curl_easy_getinfo(pCurl, CURLINFO_RESPONSE_CODE, &pResp->iStatus);
  if (e != CURLE_OK && sink.bErrorCut && !sink.bStopped) {
    e = CURLE_OK; /* the error status with the start of its body */
    pResp->zError[0] = 0;
  }
  if (e != CURLE_OK) {
    if (sink.bStopped) {
      snprintf(pResp->zError, sizeof(pResp->zError), "stopped by the receiver");
      rc = CF_HTTP_FAIL_STOPPED;
    } else if (sink.bTooBig) {
      snprintf(pResp->zError, sizeof(pResp->zError), "response larger than %zu bytes", sink.nMax);
      rc = CF_HTTP_FAIL_TOOBIG;
    } else if (e == CURLE_ABORTED_BY_CALLBACK) {
      snprintf(pResp->zError, sizeof(pResp->zError), "interrupted");
      rc = CF_HTTP_FAIL_ABORTED;
    } else if (e == CURLE_OPERATION_TIMEDOUT) {
      rc = CF_HTTP_FAIL_TIMEOUT;
    } else if (e == CURLE_COULDNT_CONNECT || e == CURLE_COULDNT_RESOLVE_HOST) {
      rc = CF_HTTP_FAIL_CONNECT;
    } else {
      rc = CF_HTTP_FAIL_OTHER;
    }
    if (pResp->zError[0] == 0) {
      snprintf(pResp->zError, sizeof(pResp->zError), "%s", curl_easy_strerror(e));
    }
  } else if (pResp->iStatus >= 300 && pResp->iStatus <= 399) {
    char *zTarget = 0; /* borrowed from curl: valid until curl_easy_cleanup */
    if (curl_easy_getinfo(pCurl, CURLINFO_REDIRECT_URL, &zTarget) == CURLE_OK && zTarget) {
      char zFrom[320], zTo[320];
      cfHttpRedirectShow(zTarget, pResp->zRedirect, sizeof(pResp->zRedirect));
      pResp->bCrossOrigin = cfHttpOrigin(pReq->zUrl, zFrom, sizeof(zFrom)) != 0 ||
                            cfHttpOrigin(zTarget, zTo, sizeof(zTo)) != 0 || strcmp(zFrom, zTo) != 0;
      snprintf(pResp->zError, sizeof(pResp->zError), "HTTP %ld redirect not followed", pResp->iStatus);
      rc = CF_HTTP_FAIL_REDIRECT;
    }
  }
  {
    char *zType = 0; /* borrowed from curl */
    if (curl_easy_getinfo(pCurl, CURLINFO_CONTENT_TYPE, &zType) == CURLE_OK && zType) {
      snprintf(pResp->zContentType, sizeof(pResp->zContentType), "%s", zType);
    }
  }
  curl_slist_free_all(pHeaders);
  curl_easy_cleanup(pCurl);
  pResp->eFail = rc;
  return rc;
}

void cfHttpResponseFree(CfHttpResponse *pResp) {
  free(pResp->zBody);
  pResp->zBody = 0;
  pResp->nBody = 0;
}
