/*
** http.h — the interface of http.c (no SQLite types): one POST, with
** limits, and a response to free with cfHttpResponseFree; and the check of
** a base URL (cfHttpUrlCheck).
*/
#ifndef CHATFLOW_HTTP_H
#define CHATFLOW_HTTP_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#ifndef CHATFLOW_VERSION
#define CHATFLOW_VERSION "0.0.0"
#endif
#define CF_HTTP_VERSION CHATFLOW_VERSION

#define CF_HTTP_OK 0
#define CF_HTTP_FAIL_CONNECT 1  /* refused, unreachable, unresolvable */
#define CF_HTTP_FAIL_TIMEOUT 2  /* connect or total timeout */
#define CF_HTTP_FAIL_TOOBIG 3   /* response over nMaxResponse */
#define CF_HTTP_FAIL_ABORTED 4  /* xAbort asked to stop */
#define CF_HTTP_FAIL_OTHER 5    /* anything else curl reports */
#define CF_HTTP_FAIL_REDIRECT 6 /* a 3xx with a Location: never followed (zRedirect) */
#define CF_HTTP_FAIL_STOPPED 7  /* xData asked to stop */

typedef struct CfHttpRequest {
  const char *zUrl;          /* http:// or https:// */
  const char *zBody;         /* the POST body */
  size_t nBody;
  const char **azHeader;     /* "Name: value" lines */
  int nHeader;
  long nConnectTimeoutMs;    /* 0: 10 s */
  long nTimeoutMs;           /* 0: 60 s */
  size_t nMaxResponse;       /* 0: 8 MiB */
  int bInsecure;             /* 1: no TLS verification (explicit setting) */
  const char *zCaBundle;     /* 0 or a CA bundle path */
  int (*xAbort)(void *);     /* polled during the transfer; non-zero stops it */
  void *pAbortArg;
  /* Optional (streaming): the body of a 2xx response is handed over as it
  ** arrives instead of being kept; non-zero stops the transfer
  ** (CF_HTTP_FAIL_STOPPED).  Past nMaxResponse bytes in all, the transfer
  ** stops with CF_HTTP_FAIL_TOOBIG, as for a kept body.  Other responses
  ** are kept in zBody as usual. */
  int (*xData)(void *, const char *, size_t);
  void *pDataArg;
} CfHttpRequest;

typedef struct CfHttpResponse {
  long iStatus;              /* HTTP status, 0 if none was received */
  char *zBody;               /* malloc'd, NUL-terminated; 0 if empty */
  size_t nBody;
  int eFail;                 /* CF_HTTP_OK or CF_HTTP_FAIL_* */
  char zError[256];          /* curl's error text when eFail != 0 (CURL_ERROR_SIZE) */
  /* CF_HTTP_FAIL_REDIRECT: where the server sent us, for an error message:
  ** scheme://host[:port]/path, without user, password, query or fragment
  ** (cut to fit, ending "..."), and whether that is another origin
  ** (scheme, host or port differ from zUrl's) */
  char zRedirect[208];
  int bCrossOrigin;
  char zContentType[128];    /* the response's Content-Type as sent (cut to fit), "" for none */
  long nRetryAfterMs;        /* milliseconds the server asks the client to wait: a
                             ** retry-after-ms header's (cfHttpRetryAfterMs), else a
                             ** Retry-After header's seconds (cfHttpRetryAfter) times
                             ** 1000; -1 for none or values ignored */
} CfHttpResponse;

/* cfHttpUrlCheck's verdicts on a base URL, in the order they are checked. */
#define CF_HTTP_URL_OK 0
#define CF_HTTP_URL_SPACE 1        /* a space or a control character */
#define CF_HTTP_URL_CREDENTIALS 2  /* "user@" or "user:password@" before the host */
#define CF_HTTP_URL_SCHEME 3       /* not http:// or https:// */
#define CF_HTTP_URL_NOHOST 4       /* https://, http:///v1, http://:8080/v1 */
#define CF_HTTP_URL_INVALID 5      /* libcurl refuses it (zWhy says why): bad port, bad host */
#define CF_HTTP_URL_NOMEM 6        /* libcurl ran out of memory: not judged */

int cfHttpUrlCheck(const char *zUrl, char *zWhy, size_t nWhy);

/* The longest wait a Retry-After (or retry-after-ms) header may ask for, in
** seconds: one day; past it the value is ignored (an epoch time or
** milliseconds sent by mistake). */
#define CF_HTTP_RETRY_AFTER_MAX 86400L

int cfHttpRetryAfter(const char *zLine, size_t nLine, time_t now, long *pnSec);
int cfHttpRetryAfterMs(const char *zLine, size_t nLine, long *pnMs);

int cfHttpPost(const CfHttpRequest *pReq, CfHttpResponse *pResp);
void cfHttpResponseFree(CfHttpResponse *pResp);

#endif /* CHATFLOW_HTTP_H */
