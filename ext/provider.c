/*
** provider.c — model calls: complete_chat and generate_title against an
** OpenAI-compatible /chat/completions endpoint (OpenAI, Ollama, llama.cpp's
** server, vLLM), through http.c.
**
**   complete_chat(conversation_id [, options_json]) -> id of the stored reply
**   generate_title(conversation_id [, options])      -> the title set
**
** Example:
**   SELECT chatflow_config('llm.base_url', 'http://127.0.0.1:11434/v1');
**   SELECT chatflow_config('llm.model', 'qwen3:4b');
**   SELECT complete_chat(1);
**
** complete_chat, in three phases, holding no transaction during the call:
**   1. reads the settings and chat_history_json(conversation, budget) —
**      budget from the option history_tokens, else llm.history_tokens, else
**      the whole conversation;
**   2. POSTs {base_url}/chat/completions with {"model", "messages",
**      "temperature"?, "max_tokens"?, "tools"?, "tool_choice"?, "stream"?,
**      "stream_options"?, <extra_body's members>?} (members only when
**      given), "Authorization: Bearer $KEY" when the
**      environment variable named by llm.api_key_env is set, and the header
**      lines of the variable named by llm.extra_headers_env;
**   3. stores choices[0].message as an assistant message with add_message
**      semantics (attached to the run active when the call began, read
**      with the history, even when it ended since; not stored when it was
**      deleted meanwhile; without one, to the active run), type
**      'assistant_response', tokens = usage.completion_tokens, metadata
**      {model, tokens {input, output, total}, duration_ms, finish_reason};
**      reasoning_content (else reasoning) becomes a "reasoning" part, a non-empty content a
**      "text" part, each of tool_calls a {"type": "tool-call", "id",
**      "name", "arguments"} part (no parts for a reply that is only its
**      text; content '' when the message's is null or empty).  A
**      message added by another connection during the call comes before
**      the reply: the reply takes the next seq when it is written.
** Options: model, temperature, max_tokens, history_tokens, timeout_ms,
** on_error ("raise", the default, or "fail_run": also fail the run active
** when the call began with the error, if it still is), tools, tool_choice,
** now, stream, extra_body.
**
** extra_body (the option; the setting llm.extra_body, under it): a JSON
** object whose members are appended to the request body as written
** (response_format, seed, top_p, a server's own parameters; the name of
** OpenAI's Python SDK).  The option's members replace the setting's of
** the same key, whole; a null member is not sent and takes the setting's
** away.  Checked by cfExtraBodyCheck (the setting by chatflow_config and
** before every call): json.c's rules, an object, at most 64 members, keys
** without escapes and none that chatflow sets (aCfOwnedKey):
**   chatflow: complete_chat option extra_body must not set "model": it comes
**     from the option model or llm.model
**   chatflow: complete_chat option extra_body has the key "k" spelled with
**     escapes; write it as plain text
**   chatflow: complete_chat option extra_body has more than 64 members
** generate_title takes the option too (its body: model, max_tokens,
** messages, then extra_body's members).
**
** Tool calling (OpenAI's format; the loop is the application's):
**   tools        [{"type": "function", "function": {"name", "description"?,
**                "parameters"?, ...}}, ...] — passed through as "tools".
**                Checked: a non-empty array; each item an object with
**                "type" "function" and a "function" object whose name is
**                1 to 64 of a-z A-Z 0-9 _ - (OpenAI's rule), description a
**                string and parameters an object when present.
**   tool_choice  "none", "auto", "required" or {"type": "function",
**                "function": {"name": <one of tools>}} — passed through as
**                "tool_choice"; only with tools.
**   A null option is absent; without tools the request is byte for byte
**   what it was before these options existed.  The reply's tool calls are
**   stored as above: id and function.name must be non-empty strings;
**   arguments is kept as the text the server sent (an object some servers
**   send is kept as its JSON text, none or null as '').  The application
**   runs the tools and adds each result with
**   add_message(conv, 'tool', result, '{"metadata": {"tool_call_id": id}}');
**   chat_history_json replays the calls as "tool_calls" and the results as
**   tool messages with "tool_call_id" (history_vtab.c), so the next
**   complete_chat sends the whole loop.
** Option errors, found before any network call:
**   chatflow: complete_chat option tools must be a non-empty array of tool definitions
**   chatflow: complete_chat option tools[i] must be an object
**   chatflow: complete_chat option tools[i].type must be 'function'
**   chatflow: complete_chat option tools[i].function must be an object
**   chatflow: complete_chat option tools[i].function.name must be a string of 1 to 64
**     characters a-z, A-Z, 0-9, _ or -
**   chatflow: complete_chat option tools[i].function.description must be a string
**   chatflow: complete_chat option tools[i].function.parameters must be an object (a JSON Schema)
**   chatflow: complete_chat option tool_choice needs the option tools
**   chatflow: complete_chat option tool_choice must be 'none', 'auto', 'required' or
**     {"type": "function", "function": {"name": ...}}
**   chatflow: complete_chat option tool_choice names the function 'x', which is not one of tools
** (tools not an array: json.c's "option 'tools' of complete_chat must be an
** array, got ...").
**
** It refuses to run inside a transaction (it would hold it across the
** network call), and stops when the statement is interrupted
** (sqlite3_interrupt).
**
** Errors all begin "chatflow: provider": no model configured, connection
** refused, timeout, interrupted, HTTP 4xx/5xx with the provider's error
** message (valid UTF-8 whatever it held: cfUtf8Show) and, when the answer
** had a retry-after-ms or a Retry-After header (http.c),
** "(retry after N s)" (N with the milliseconds: "1.5"), a redirect (never
** followed, see http.c; the message says when it pointed to another
** origin), malformed or oversized JSON, no choices, no
** content, a tool call without an id or a name ("chatflow: provider
** response tool_calls[i] has no id", "... has no function.name").  Before
** the call, llm.base_url is checked again with the rule chatflow_config
** applies (cfBaseUrlCheck, same messages): a value written into
** chatflow_settings by raw SQL cannot smuggle credentials or an empty host
** past it.  Nothing is written on failure (but the fail_run of
** on_error, and a streamed draft: aborted, or deleted leaving the
** conversation's last_seq, updated_at and counter_stamp moved).  A draft another connection deleted, aborted or finished
** mid-stream: "chatflow: provider stream stopped: message N was deleted
** by another connection" (... "was aborted by another connection
** (<reason>)", ... "was finished by another connection"); a reply whose
** run was deleted during the call: "chatflow: provider reply not stored:
** run N, active when the call began, was deleted by another connection".
** The API key is never stored, logged or put in a message.
**
** generate_title: with llm.model set, asks the model for a short title of
** the conversation's first messages and stores it (at most 200
** characters) with metadata.title_generation {model, tokens, duration_ms};
** without a provider, the first-user-message heuristic of add_message.
** Options: now, extra_body (as complete_chat's).
**
** Both touch the network and write: SQLITE_DIRECTONLY, never DETERMINISTIC.
**
** One file past 600 lines because it is one concept: a model call, from
** its options through the request and the response to the stored reply.
*/
#include "chatflow_int.h"
#include "http.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Polled by http.c during the transfer: stepping a trivial statement fails
** with SQLITE_INTERRUPT once sqlite3_interrupt() was called on the
** connection (sqlite3_is_interrupted needs 3.41; this works from 3.37). */
typedef struct CfAbort {
  sqlite3 *db;
  sqlite3_stmt *pProbe;
} CfAbort;

static int cfAbortPoll(void *pArg) {
  CfAbort *a = (CfAbort *)pArg;
  int rc;
  if (a->pProbe == 0) return 0;
  rc = sqlite3_step(a->pProbe);
  sqlite3_reset(a->pProbe);
  return rc == SQLITE_INTERRUPT;
}

static long long cfMillis(void) {
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* What one model call needs and gives. */
typedef struct CfCall {
  char *zBaseUrl, *zModel, *zKeyEnv, *zHeadersEnv, *zCaBundle, *zTlsVerify;
  char *zTemperature, *zMaxTokens;
  int nTimeoutMs, nConnectMs, nMaxResponse;
  /* results */
  char *zContent;     /* sqlite3_malloc'd; may be 0 with parts */
  char *zParts;       /* JSON array or 0 */
  char *zModelOut;    /* the model the provider says it used */
  char *zFinish;
  long long nIn, nOut, nTotal, nMs;
  int bUsage;         /* the response had a usage object */
  int bOut;           /* ... with a completion_tokens count (0 included) */
  struct CfStream *pStream; /* option stream: the events go there (cfStreamData) */
} CfCall;

static void cfCallFree(CfCall *c) {
  sqlite3_free(c->zBaseUrl); sqlite3_free(c->zModel); sqlite3_free(c->zKeyEnv);
  sqlite3_free(c->zHeadersEnv); sqlite3_free(c->zCaBundle); sqlite3_free(c->zTlsVerify);
  sqlite3_free(c->zTemperature); sqlite3_free(c->zMaxTokens);
  sqlite3_free(c->zContent); sqlite3_free(c->zParts); sqlite3_free(c->zModelOut);
  sqlite3_free(c->zFinish);
  memset(c, 0, sizeof(*c));
}

/* The llm.* settings of a call (the schema refused any value that breaks
** its setting's rule; cfCallProvider checks llm.base_url, cfExtraBody
** reads and checks llm.extra_body). */
static int cfCallSettings(CfConn *p, CfCall *c) {
  int rc = SQLITE_OK;
  char *zTimeout = 0, *zConnect = 0, *zMax = 0;
#define CF_GET(z, key) if (rc == SQLITE_OK) z = cfSettingText(p, key, &rc)
  CF_GET(c->zBaseUrl, "llm.base_url");
  CF_GET(c->zModel, "llm.model");
  CF_GET(c->zKeyEnv, "llm.api_key_env");
  CF_GET(c->zHeadersEnv, "llm.extra_headers_env");
  CF_GET(c->zCaBundle, "llm.ca_bundle");
  CF_GET(c->zTlsVerify, "llm.tls_verify");
  CF_GET(c->zTemperature, "llm.temperature");
  CF_GET(c->zMaxTokens, "llm.max_tokens");
  CF_GET(zTimeout, "llm.timeout_ms");
  CF_GET(zConnect, "llm.connect_timeout_ms");
  CF_GET(zMax, "llm.max_response_bytes");
#undef CF_GET
  c->nTimeoutMs = zTimeout ? atoi(zTimeout) : 60000;
  c->nConnectMs = zConnect ? atoi(zConnect) : 10000;
  c->nMaxResponse = zMax ? atoi(zMax) : (8 << 20);
  sqlite3_free(zTimeout);
  sqlite3_free(zConnect);
  sqlite3_free(zMax);
  return rc;
}

/* Parses a chat-completions response into c; returns an error message or 0. */
/* The usage object of a reply (OpenAI's usage: prompt_tokens,
** completion_tokens, total_tokens; total the sum of the two when it is
** missing or null).  A count is a JSON integer from 0 to 1000000000, the
** range of a message's tokens; anything else fails the call with an error
** that names it (a reply is input like any other: a string "2", -5 or 1e30
** is not coerced).  The message shows the value only when it is a number
** (ASCII: the message stays UTF-8 whatever the reply held). */
static char *cfParseUsage(struct json_object *pUsage, CfCall *c) {
  static const char *azName[3] = {"prompt_tokens", "completion_tokens", "total_tokens"};
  sqlite3_int64 *apN[3];
  apN[0] = &c->nIn;
  apN[1] = &c->nOut;
  apN[2] = &c->nTotal;
  c->bUsage = 1;
  for (int i = 0; i < 3; i++) {
    struct json_object *pVal = 0;
    if (!json_object_object_get_ex(pUsage, azName[i], &pVal) || pVal == 0 /* null */) {
      if (i == 2) c->nTotal = c->nIn + c->nOut;
      continue;
    }
    if (!json_object_is_type(pVal, json_type_int) || json_object_get_int64(pVal) < 0 ||
        json_object_get_int64(pVal) > CF_MAX_TOKENS) {
      int bNumber = json_object_is_type(pVal, json_type_int) || json_object_is_type(pVal, json_type_double);
      return sqlite3_mprintf("chatflow: provider response usage.%s must be an integer from 0 to %d, got %s%.40s",
                             azName[i], CF_MAX_TOKENS,
                             bNumber ? "" : json_object_is_type(pVal, json_type_string) ? "a string"
                                          : json_object_is_type(pVal, json_type_boolean) ? "a boolean"
                                          : json_object_is_type(pVal, json_type_array) ? "an array" : "an object",
                             bNumber ? json_object_to_json_string_ext(pVal, JSON_C_TO_STRING_PLAIN) : "");
    }
    *apN[i] = json_object_get_int64(pVal);
    if (i == 1) c->bOut = 1;
  }
  return 0;
}

/* The error of a reply whose tool calls share an id, or 0: stored, the
** message would replay calls that an OpenAI-compatible server refuses.
** pParts holds the reply's parts as both paths build them, the calls'
** "tool-call" parts in the order of its tool_calls. */
static char *cfDuplicateCallError(struct json_object *pParts) {
  size_t nPart = json_object_array_length(pParts);
  CfCallId *a = sqlite3_malloc64(sizeof(CfCallId) * (nPart ? nPart : 1));
  int n = 0, iFirst = 0, iDup;
  if (a == 0) return sqlite3_mprintf("chatflow: provider: out of memory");
  for (size_t k = 0; k < nPart; k++) {
    struct json_object *pPart = json_object_array_get_idx(pParts, k), *pType = 0, *pId = 0; /* borrowed */
    if (json_object_object_get_ex(pPart, "type", &pType) &&
        strcmp(json_object_get_string(pType), "tool-call") == 0 &&
        json_object_object_get_ex(pPart, "id", &pId)) {
      a[n].z = json_object_get_string(pId);
      a[n].n = json_object_get_string_len(pId);
      a[n].i = n;
      n++;
    }
  }
  iDup = cfFirstDuplicate(a, n, &iFirst);
  sqlite3_free(a);
  if (iDup < 0) return 0;
  return sqlite3_mprintf("chatflow: provider response tool_calls[%d] has the id of tool_calls[%d]", iDup, iFirst);
}

/* The thinking of a reply's message (or of a stream's delta) in *ppVal
** (borrowed), or 0: "reasoning_content" (DeepSeek, vLLM before 0.10,
** llama.cpp), else "reasoning" (Ollama, OpenRouter, vLLM from 0.10), when
** it is a string.  One of the two only: a server that sends both sends the
** same text twice. */
static void cfReasoningOf(struct json_object *pMsg, struct json_object **ppVal) {
  *ppVal = 0;
  if ((json_object_object_get_ex(pMsg, "reasoning_content", ppVal) && json_object_is_type(*ppVal, json_type_string)) ||
      (json_object_object_get_ex(pMsg, "reasoning", ppVal) && json_object_is_type(*ppVal, json_type_string))) {
    return;
  }
  *ppVal = 0;
}

static void cfCutUtf8(char *z, size_t nMax);

/* The error of a reply that is a refusal (OpenAI's "refusal" instead of
** content): nothing is stored, as for a reply without content, but the
** message says the model refused, with its text (controls escaped, at most
** 300 bytes). */
static char *cfRefusalError(const char *z, int n) {
  char *zShow = cfUtf8Show(z, n), *zErr;
  cfCutUtf8(zShow, 300);
  zErr = sqlite3_mprintf("chatflow: provider refused to answer: %s", zShow ? zShow : "");
  sqlite3_free(zShow);
  return zErr;
}

static char *cfParseCompletion(const char *zBody, size_t nBody, CfCall *c) {
  struct json_tokener *tok = json_tokener_new_ex(64);
  struct json_object *pRoot, *pChoices = 0, *pChoice, *pMsg = 0, *pVal = 0, *pUsage = 0; /* pRoot owned; rest borrowed */
  char *zErr = 0;
  if (tok == 0) return sqlite3_mprintf("chatflow: provider: out of memory");
  /* the reply is stored: the text gate of every JSON argument (json-c
  ** would cut a string at \u0000 and store a lone surrogate as is) */
  if (zBody && !cfUtf8Valid((const unsigned char *)zBody, (int)nBody)) {
    json_tokener_free(tok);
    return sqlite3_mprintf("chatflow: provider response is not valid UTF-8 (%d bytes)", (int)nBody);
  }
  if (zBody && cfJsonTextCheck(zBody, (int)nBody, "provider response", "provider response", &zErr) != SQLITE_OK) {
    json_tokener_free(tok);
    return zErr ? zErr : sqlite3_mprintf("chatflow: provider: out of memory");
  }
  pRoot = json_tokener_parse_ex(tok, zBody ? zBody : "", (int)nBody);
  if (pRoot != 0 && json_tokener_get_error(tok) == json_tokener_success) {
    /* one JSON value, then white space only (json-c stops after the value
    ** and would take what follows for nothing) */
    for (size_t i = json_tokener_get_parse_end(tok); i < nBody; i++) {
      if (zBody[i] != ' ' && zBody[i] != '\t' && zBody[i] != '\n' && zBody[i] != '\r') {
        json_object_put(pRoot);
        pRoot = 0;
        break;
      }
    }
  }
  if (pRoot == 0 || json_tokener_get_error(tok) != json_tokener_success) {
    json_tokener_free(tok);
    json_object_put(pRoot);
    return sqlite3_mprintf("chatflow: provider returned malformed JSON (%d bytes)", (int)nBody);
  }
  json_tokener_free(tok);
  if (!json_object_is_type(pRoot, json_type_object) ||
      !json_object_object_get_ex(pRoot, "choices", &pChoices) ||
      !json_object_is_type(pChoices, json_type_array) || json_object_array_length(pChoices) == 0) {
    zErr = sqlite3_mprintf("chatflow: provider response has no choices");
    goto done;
  }
  pChoice = json_object_array_get_idx(pChoices, 0);
  if (!json_object_is_type(pChoice, json_type_object) ||
      !json_object_object_get_ex(pChoice, "message", &pMsg) ||
      !json_object_is_type(pMsg, json_type_object)) {
    zErr = sqlite3_mprintf("chatflow: provider response has no choices[0].message");
    goto done;
  }
  if (json_object_object_get_ex(pMsg, "content", &pVal) && json_object_is_type(pVal, json_type_string)) {
    c->zContent = sqlite3_mprintf("%s", json_object_get_string(pVal)); /* copied out */
  }
  {
    /* parts: reasoning_content and tool_calls, as chatflow message parts */
    struct json_object *pParts = json_object_new_array(); /* owned */
    struct json_object *pReason = 0, *pCalls = 0;          /* borrowed */
    if ((cfReasoningOf(pMsg, &pReason), pReason) && json_object_get_string_len(pReason) > 0) {
      struct json_object *pPart = json_object_new_object();
      json_object_object_add(pPart, "type", json_object_new_string("reasoning"));
      json_object_object_add(pPart, "text", json_object_get(pReason));
      json_object_array_add(pParts, pPart);
    }
    if (c->zContent && c->zContent[0]) {
      struct json_object *pPart = json_object_new_object();
      json_object_object_add(pPart, "type", json_object_new_string("text"));
      json_object_object_add(pPart, "text", json_object_new_string(c->zContent));
      json_object_array_add(pParts, pPart);
    }
    if (json_object_object_get_ex(pMsg, "tool_calls", &pCalls) &&
        json_object_is_type(pCalls, json_type_array)) {
      for (size_t i = 0; i < json_object_array_length(pCalls) && zErr == 0; i++) {
        struct json_object *pCall = json_object_array_get_idx(pCalls, i); /* borrowed */
        struct json_object *pFn = 0, *pId = 0, *pName = 0, *pArgs = 0;    /* borrowed */
        struct json_object *pPart;                                        /* owned, then pParts' */
        if (!json_object_object_get_ex(pCall, "id", &pId) ||
            !json_object_is_type(pId, json_type_string) || json_object_get_string_len(pId) == 0) {
          zErr = sqlite3_mprintf("chatflow: provider response tool_calls[%d] has no id", (int)i);
          break;
        }
        if (!json_object_object_get_ex(pCall, "function", &pFn) ||
            !json_object_object_get_ex(pFn, "name", &pName) ||
            !json_object_is_type(pName, json_type_string) ||
            json_object_get_string_len(pName) == 0) {
          zErr = sqlite3_mprintf("chatflow: provider response tool_calls[%d] has no function.name",
                                 (int)i);
          break;
        }
        pPart = json_object_new_object();
        json_object_object_add(pPart, "type", json_object_new_string("tool-call"));
        json_object_object_add(pPart, "id", json_object_get(pId));
        json_object_object_add(pPart, "name", json_object_get(pName));
        if (!json_object_object_get_ex(pFn, "arguments", &pArgs) || pArgs == 0) {
          /* none sent (or null): the empty string, so a replay still sends a string */
          json_object_object_add(pPart, "arguments", json_object_new_string(""));
        } else if (json_object_is_type(pArgs, json_type_string)) {
          /* the model's text as the server sent it, never re-serialized */
          json_object_object_add(pPart, "arguments", json_object_get(pArgs));
        } else {
          /* an object (some servers send one): its JSON text */
          json_object_object_add(
              pPart, "arguments",
              json_object_new_string(json_object_to_json_string_ext(
                  pArgs, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)));
        }
        json_object_array_add(pParts, pPart);
      }
    }
    if (zErr == 0) zErr = cfDuplicateCallError(pParts);
    /* a reply that is one text part is stored without parts */
    if (zErr == 0 &&
        (json_object_array_length(pParts) > 1 ||
         (json_object_array_length(pParts) == 1 && (c->zContent == 0 || c->zContent[0] == 0)))) {
      c->zParts = sqlite3_mprintf(
          "%s", json_object_to_json_string_ext(
                    pParts, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    }
    json_object_put(pParts);
    if (zErr) goto done;
  }
  if ((c->zContent == 0 || c->zContent[0] == 0) && c->zParts == 0) {
    /* OpenAI's refusal (content null, the text in "refusal"): said so */
    if (json_object_object_get_ex(pMsg, "refusal", &pVal) && json_object_is_type(pVal, json_type_string) &&
        json_object_get_string_len(pVal) > 0) {
      zErr = cfRefusalError(json_object_get_string(pVal), json_object_get_string_len(pVal));
    } else {
      zErr = sqlite3_mprintf("chatflow: provider response has no content");
    }
    goto done;
  }
  if (json_object_object_get_ex(pChoice, "finish_reason", &pVal) && json_object_is_type(pVal, json_type_string)) {
    c->zFinish = sqlite3_mprintf("%s", json_object_get_string(pVal));
  }
  if (json_object_object_get_ex(pRoot, "model", &pVal) && json_object_is_type(pVal, json_type_string)) {
    c->zModelOut = sqlite3_mprintf("%s", json_object_get_string(pVal));
  }
  if (json_object_object_get_ex(pRoot, "usage", &pUsage) && json_object_is_type(pUsage, json_type_object)) {
    zErr = cfParseUsage(pUsage, c);
  }
done:
  json_object_put(pRoot);
  return zErr;
}

/* Cuts z (valid UTF-8, or 0) to at most nMax bytes, between two characters. */
static void cfCutUtf8(char *z, size_t nMax) {
  if (z == 0 || strlen(z) <= nMax) return;
  while (nMax > 0 && ((unsigned char)z[nMax] & 0xc0) == 0x80) nMax--;
  z[nMax] = 0;
}

/* The provider's own error message from an error body, or 0: shown by
** cfUtf8Show, not cut yet (the caller redacts it first, then cuts it to
** *pnMax bytes). */
static char *cfProviderMessage(const char *zBody, size_t nBody, size_t *pnMax) {
  struct json_tokener *tok;
  struct json_object *pRoot = 0, *pErr = 0, *pMsg = 0; /* pRoot owned */
  char *z = 0;
  *pnMax = 300;
  if (zBody == 0 || nBody == 0) return 0;
  tok = json_tokener_new();
  if (tok) {
    pRoot = json_tokener_parse_ex(tok, zBody, (int)(nBody < 0x7fffffff ? nBody : 0x7fffffff));
    json_tokener_free(tok);
  }
  if (pRoot && !json_object_object_get_ex(pRoot, "error", &pErr) &&
      ((json_object_object_get_ex(pRoot, "message", &pMsg) && json_object_is_type(pMsg, json_type_string)) ||
       (json_object_object_get_ex(pRoot, "detail", &pMsg) && json_object_is_type(pMsg, json_type_string)))) {
    /* no "error" member: vLLM's {"object": "error", "message": ...}, a
    ** FastAPI server's {"detail": ...} */
    z = cfUtf8Show(json_object_get_string(pMsg), json_object_get_string_len(pMsg));
  } else if (pRoot && json_object_object_get_ex(pRoot, "error", &pErr)) {
    if (!json_object_is_type(pErr, json_type_string)) {
      if (!json_object_object_get_ex(pErr, "message", &pMsg)) pMsg = 0;
      pErr = pMsg;
    }
    if (json_object_is_type(pErr, json_type_string)) {
      /* its length: a \u0000 in it is shown, not an end */
      z = cfUtf8Show(json_object_get_string(pErr), json_object_get_string_len(pErr)); /* "": no message */
    } else if (pErr) {
      /* an object or array: its JSON text, shown as UTF-8 too (json-c
      ** passes the bytes of its strings as they came), '/' unescaped so
      ** that a key echoed in it is still found and redacted */
      const char *zJson = json_object_to_json_string_ext(pErr, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
      z = zJson ? cfUtf8Show(zJson, (int)strlen(zJson)) : 0;
    }
  }
  json_object_put(pRoot);
  if (z == 0) {
    /* not JSON: the start of the body, on one line, runs of white space as one */
    char *w;
    *pnMax = 200;
    z = cfUtf8Show(zBody, nBody < 4096 ? (int)nBody : 4096);
    w = z;
    for (char *q = z; q && *q; q++) {
      int bSpace = (*q == '\n' || *q == '\r' || *q == '\t' || *q == ' ');
      if (!bSpace) *w++ = *q;
      else if (w > z && w[-1] != ' ') *w++ = ' ';
    }
    if (w) {
      while (w > z && w[-1] == ' ') w--;
      *w = 0;
    }
  }
  return z;
}

/* Replaces every occurrence of zSecret (8 bytes or more) in z[0..*pn-1]
** with "***", in place, *pn updated and z[*pn] set to 0: a provider or
** proxy that echoes the request's headers in its error body must not put
** the key into an error message.  The whole buffer is searched, past a NUL
** byte too (the body is shown past one), and nothing of it is left behind
** the new end (the text shown is read by its length).  A start of the
** secret (4 bytes or more) at the very end goes too: the body may have
** been cut inside it (llm.max_response_bytes). */
static void cfRedact(char *z, size_t *pn, const char *zSecret) {
  size_t nSecret = zSecret ? strlen(zSecret) : 0, n = *pn, i = 0;
  if (z == 0 || nSecret < 8) return;
  while (i + nSecret <= n) {
    char *q = memchr(z + i, zSecret[0], n - nSecret + 1 - i);
    if (q == 0) break;
    i = (size_t)(q - z);
    if (memcmp(q, zSecret, nSecret) != 0) {
      i++;
      continue;
    }
    memcpy(q, "***", 3);
    memmove(q + 3, q + nSecret, n - (i + nSecret));
    n -= nSecret - 3;
    i += 3;
  }
  for (size_t k = nSecret - 1 < n ? nSecret - 1 : n; k >= 4; k--) {
    if (memcmp(z + n - k, zSecret, k) == 0) {
      memcpy(z + n - k, "***", 3);
      n = n - k + 3;
      break;
    }
  }
  z[n] = 0;
  *pn = n;
}

/* Redacts, in z (pn: its length, updated; 0: a C string), the API key
** (zAuth is its "Authorization: Bearer KEY" header or 0) and the values of
** the extra headers azHeader[iExtra..nHeader-1] (an "api-key:" header, say). */
static void cfRedactHeaders(char *z, size_t *pn, const char **azHeader, int iExtra, int nHeader,
                            const char *zAuth) {
  size_t n;
  if (z == 0) return;
  n = pn ? *pn : strlen(z);
  if (zAuth) cfRedact(z, &n, zAuth + strlen("Authorization: Bearer "));
  for (int i = iExtra; i < nHeader; i++) {
    const char *zVal = strchr(azHeader[i], ':') + 1;
    while (*zVal == ' ' || *zVal == '\t') zVal++;
    cfRedact(z, &n, zVal);
  }
  if (pn) *pn = n;
}

/* The message of an error body (an HTTP error, or a 2xx body that holds
** an OpenAI error), redacted and cut for an error message: the body is
** redacted before any cut, the message again (also past a NUL of the
** body).  sqlite3_malloc'd, or 0. */
static char *cfErrorBodyMessage(CfHttpResponse *pResp, const char **azHeader, int iExtra, int nHeader,
                                const char *zAuth) {
  char *zMsg;
  size_t nMax;
  cfRedactHeaders(pResp->zBody, &pResp->nBody, azHeader, iExtra, nHeader, zAuth);
  zMsg = cfProviderMessage(pResp->zBody, pResp->nBody, &nMax);
  cfRedactHeaders(zMsg, 0, azHeader, iExtra, nHeader, zAuth);
  cfCutUtf8(zMsg, nMax);
  return zMsg;
}

static const char *cfReasonPhrase(long iStatus) {
  switch (iStatus) {
    case 400: return "Bad Request"; case 401: return "Unauthorized"; case 403: return "Forbidden";
    case 404: return "Not Found"; case 408: return "Request Timeout"; case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity"; case 429: return "Too Many Requests";
    case 500: return "Internal Server Error"; case 502: return "Bad Gateway";
    case 503: return "Service Unavailable"; case 504: return "Gateway Timeout";
  }
  return "";
}

/* The wait an error answer asks for (http.c's nRetryAfterMs: -1 for none)
** as " (retry after N s)" in z[0..n-1], "" for none: whole seconds as
** "20", else seconds with the milliseconds that are not 0 ("1.5", "0.2",
** "1.234", "0.001"), so that a Retry-After's text is what it always was. */
static void cfRetryAfterText(long nMs, char *z, int n) {
  char zFrac[8] = "";
  z[0] = 0;
  if (nMs < 0) return;
  if (nMs % 1000) {
    int i;
    sqlite3_snprintf(sizeof(zFrac), zFrac, ".%03ld", nMs % 1000);
    for (i = 3; zFrac[i] == '0'; i--) zFrac[i] = 0;
  }
  sqlite3_snprintf(n, z, " (retry after %ld%s s)", nMs / 1000, zFrac);
}

/* The one rule for llm.base_url, used by chatflow_config when the value is
** set (schema.c, cfConfigFunc) and here before every call, for a value
** written into chatflow_settings by raw SQL: an http:// or https:// URL
** (cfHttpUrlCheck: no spaces or control characters, no user or password
** before the host, a host, libcurl can parse it).  Returns SQLITE_OK, or
** SQLITE_ERROR with the message in *pzErr (sqlite3_malloc'd), or
** SQLITE_NOMEM when the message could not be allocated (*pzErr is 0).
** The message never quotes a URL that holds credentials. */
int cfBaseUrlCheck(const char *zKey, const char *zUrl, char **pzErr) {
  char zWhy[128];
  char *zErr = 0;
  *pzErr = 0;
  switch (cfHttpUrlCheck(zUrl, zWhy, sizeof(zWhy))) {
    case CF_HTTP_URL_OK:
      if (strchr(zUrl, '#') == 0) return SQLITE_OK;
      /* a fragment is never sent: "/chat/completions" after it would be
      ** lost with it, and the request would go to the base URL itself */
      zErr = sqlite3_mprintf("chatflow: %s must not have a fragment (#...), got '%q'", zKey, zUrl);
      break;
    case CF_HTTP_URL_NOMEM:
      return SQLITE_NOMEM;
    case CF_HTTP_URL_SPACE:
      zErr = sqlite3_mprintf("chatflow: %s must not contain spaces or control characters", zKey);
      break;
    case CF_HTTP_URL_CREDENTIALS:
      zErr = sqlite3_mprintf("chatflow: %s must not contain credentials (user@ or user:password@ before"
                             " the host): settings are stored in the database; put the key in the"
                             " environment variable named by llm.api_key_env", zKey);
      break;
    case CF_HTTP_URL_SCHEME:
      zErr = sqlite3_mprintf("chatflow: %s must be an http:// or https:// URL, got '%q'", zKey, zUrl);
      break;
    case CF_HTTP_URL_NOHOST:
      zErr = sqlite3_mprintf("chatflow: %s has no host, got '%q'", zKey, zUrl);
      break;
    default:
      zErr = sqlite3_mprintf("chatflow: %s is not a valid URL (%s), got '%q'", zKey, zWhy, zUrl);
  }
  *pzErr = zErr;
  return zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* ------------------------------------------------------------ streaming
**
** Option stream (docs/drafts.md): the request asks for server-sent events
** ("stream": true, "stream_options": {"include_usage": true}); each event
** "data: {chunk}" carries choices[0].delta (content, reasoning_content,
** tool_calls in pieces by index), finish_reason, model and, last, usage;
** "data: [DONE]" ends the stream (a leading BOM and events of empty data
** are skipped; a body without any data: line is a server that did not
** stream, said with its Content-Type).  The reply is written as it comes, each
** write a statement of its own on the connection (so its own short
** transaction; none is open across the call): begin_message at the first
** event, append_message per content delta, finish_message at the end with
** the metadata, tokens and parts complete_chat stores without streaming.
** A write that another connection's lock refuses (SQLITE_BUSY or
** SQLITE_LOCKED once the busy timeout has passed) mid-stream is no
** failure: the content it would have appended stays in memory
** (s->pPending), a begin_message waits too, and the next event tries
** again, so the draft's content is always the deltas in their order, with
** none lost.  Only that first refusal waits the busy timeout: the next
** writes mid-stream are tried without waiting (cfBusyWaitOff) until one
** goes through, so a stream under a lock held long reads on at its pace
** instead of stalling a busy timeout per event.  At the end the draft is
** begun, the content still pending appended and the draft finished, each
** write waiting the busy timeout as any; a lock still held then fails the
** call with the lock's error.
** Any failure once the draft exists (the connection drops, a timeout, an
** error event, a malformed event, a refused write at the end) aborts the
** draft with the error as its reason, the content still pending appended
** first, and complete_chat raises that error. */
#define CF_STREAM_CALLS 64

typedef struct CfStreamCall {
  char *zId, *zName; /* sqlite3_malloc'd */
  sqlite3_str *pArgs;
  int iIndex;        /* the server's index: the calls are stored in its order */
} CfStreamCall;

typedef struct CfStream {
  CfConn *p;
  sqlite3_int64 iConv, iMsg; /* iMsg: the draft, 0 until the first event */
  sqlite3_int64 iRun;        /* the run active when the call began, or 0 */
  const char *zRun;          /* iRun as text */
  const char *zType;         /* the response's Content-Type, at the end */
  const char *zLeaf;         /* the parent, "0" for none */
  char *zLine;               /* a line not complete yet */
  size_t nLine, nAlloc;
  char *zData;               /* the event's data lines so far, each ending in \n */
  size_t nData, nDataAlloc;
  int bCr;                   /* the last byte was a CR (a CRLF's LF is no line) */
  int nBom;                  /* bytes of a leading BOM seen; 3 once past the body's start */
  int nEvent;                /* events dispatched */
  int bDone;                 /* [DONE] seen */
  char *zErr;                /* the failure, sqlite3_malloc'd */
  sqlite3_str *pReason;      /* reasoning_content, joined */
  sqlite3_str *pRefusal;     /* refusal, joined (OpenAI's, instead of content) */
  CfStreamCall aCall[CF_STREAM_CALLS];
  int nCall;
  int aSlot[CF_STREAM_CALLS]; /* a delta's index -> 1 + its call in aCall (0: none yet) */
  long long nContent;        /* bytes of content received */
  sqlite3_str *pPending;     /* content received and not appended yet: a write a lock refused */
  int bLocked;               /* the last write failed for another connection's lock */
  int bNoWait;               /* a lock refused a write mid-stream and none went through since:
                             ** the next ones mid-stream do not wait (cfStreamTry) */
  CfCall *c;                 /* model, finish_reason, usage go there */
} CfStream;

static void cfStreamFree(CfStream *s) {
  free(s->zLine);
  free(s->zData);
  sqlite3_free(s->zErr);
  sqlite3_free(sqlite3_str_finish(s->pReason));
  sqlite3_free(sqlite3_str_finish(s->pRefusal));
  sqlite3_free(sqlite3_str_finish(s->pPending));
  for (int i = 0; i < s->nCall; i++) {
    sqlite3_free(s->aCall[i].zId);
    sqlite3_free(s->aCall[i].zName);
    sqlite3_free(sqlite3_str_finish(s->aCall[i].pArgs));
  }
}

/* Runs "SELECT f(?1, ?2, ?3)" with an integer and two texts (0: NULL) on
** the connection, as a statement of its own; the integer result in *piOut.
** Returns 0 or an error message; s->bLocked says whether the error is a
** lock another connection held past the busy timeout (the write bracket
** has then written nothing: the same write can be tried again). */
static char *cfStreamCall(CfStream *s, const char *zSql, sqlite3_int64 i1, const char *z2, int n2,
                          const char *z3, sqlite3_int64 *piOut) {
  sqlite3_stmt *pStmt = 0;
  char *zErr = 0;
  int rc = sqlite3_prepare_v2(s->p->db, zSql, -1, &pStmt, 0);
  s->bLocked = 0;
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, i1);
    if (z2) sqlite3_bind_text(pStmt, 2, z2, n2, SQLITE_STATIC);
    if (z3) sqlite3_bind_text(pStmt, 3, z3, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      if (piOut) *piOut = sqlite3_column_int64(pStmt, 0);
      rc = SQLITE_OK;
    }
  }
  if (rc == SQLITE_OK) {
    s->bNoWait = 0; /* the lock is free: the next refusal waits again */
  } else if ((rc & 0xff) == SQLITE_INTERRUPT) {
    /* sqlite3_interrupt() during the call: said as for any call */
    zErr = sqlite3_mprintf("chatflow: provider call interrupted");
  } else {
    s->bLocked = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
    zErr = cfDbError(s->p->db, rc);
  }
  sqlite3_finalize(pStmt);
  return zErr;
}

/* A write mid-stream (xWrite: cfStreamBegin, cfStreamFlush).  When a lock
** refuses it, that is no failure: the write is tried again at the next
** event (and at the end); 0 then.  The first refusal waits the busy
** timeout as any write; after it, until a write goes through, the writes
** are tried without waiting: each event would otherwise stall the stream
** a whole busy timeout (timeout x events for a lock held long). */
static char *cfStreamTry(CfStream *s, char *(*xWrite)(CfStream *)) {
  int ms = s->bNoWait ? cfBusyWaitOff(s->p->db) : 0;
  char *zErr = xWrite(s);
  cfBusyWaitOn(s->p->db, ms);
  if (zErr && s->bLocked) {
    sqlite3_free(zErr);
    s->bNoWait = 1;
    return 0;
  }
  return zErr;
}

/* zErr, the error of the reply's write, or when the run the call began
** with (iRun) is gone, deleted by another connection during the call
** (start_run's on_active rollback), an error that says so (zErr freed). */
static char *cfRunGoneError(CfConn *p, sqlite3_int64 iRun, char *zErr) {
  sqlite3_stmt *pStmt = 0;
  if (zErr == 0 || iRun == 0) return zErr;
  if (sqlite3_prepare_v2(p->db, "SELECT 1 FROM workflow_runs WHERE id = ?1", -1, &pStmt, 0) == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iRun);
    if (sqlite3_step(pStmt) == SQLITE_DONE) {
      char *zGone = sqlite3_mprintf("chatflow: provider reply not stored: run %lld, active when the call"
                                    " began, was deleted by another connection", iRun);
      if (zGone) {
        sqlite3_free(zErr);
        zErr = zGone;
      }
    }
  }
  sqlite3_finalize(pStmt);
  return zErr;
}

/* The draft, at the first event: an assistant message under the leaf the
** history ended with, given to the run active when the call began. */
static char *cfStreamBegin(CfStream *s) {
  char *zOpts, *zErr;
  s->bLocked = 0;
  if (s->iMsg) return 0;
  zOpts = sqlite3_mprintf("{\"type\": \"assistant_response\"%s%s%s%s}",
                          strcmp(s->zLeaf, "0") ? ", \"parent_id\": " : "", strcmp(s->zLeaf, "0") ? s->zLeaf : "",
                          s->iRun ? ", \"run_id\": " : "", s->iRun ? s->zRun : "");
  if (zOpts == 0) return sqlite3_mprintf("chatflow: provider: out of memory");
  zErr = cfStreamCall(s, "SELECT begin_message(?1, 'assistant', ?2)", s->iConv, zOpts, -1, 0, &s->iMsg);
  sqlite3_free(zOpts);
  return s->bLocked ? zErr : cfRunGoneError(s->p, s->iRun, zErr);
}

/* A write to the draft (append_message, finish_message): when it fails
** because another connection deleted the draft (with its run: start_run's
** on_active rollback; or the conversation purged), aborted it
** (delete_conversation, expire_stale_runs) or finished it, an error that
** says so instead of the draft refusal's. */
static char *cfStreamWrite(CfStream *s, const char *zSql, const char *z2, int n2) {
  char *zErr = cfStreamCall(s, zSql, s->iMsg, z2, n2, 0, 0);
  sqlite3_stmt *pStmt = 0;
  if (zErr == 0 || s->bLocked) return zErr;
  if (sqlite3_prepare_v2(s->p->db, "SELECT status, json_extract(metadata, '$.abort_reason')"
                                   " FROM chat_messages WHERE id = ?1", -1, &pStmt, 0) == SQLITE_OK) {
    char *zWhy = 0;
    const char *zStatus = 0;
    int rc;
    sqlite3_bind_int64(pStmt, 1, s->iMsg);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) zStatus = (const char *)sqlite3_column_text(pStmt, 0);
    if (zStatus == 0) zStatus = "";
    if (rc == SQLITE_DONE) {
      zWhy = sqlite3_mprintf("chatflow: provider stream stopped: message %lld was deleted by another connection",
                             s->iMsg);
    } else if (rc == SQLITE_ROW && strcmp(zStatus, "aborted") == 0) {
      zWhy = sqlite3_mprintf("chatflow: provider stream stopped: message %lld was aborted by another connection"
                             " (%!.300s)", s->iMsg, sqlite3_column_type(pStmt, 1) == SQLITE_TEXT
                                                      ? (const char *)sqlite3_column_text(pStmt, 1) : "no reason");
    } else if (rc == SQLITE_ROW && strcmp(zStatus, "complete") == 0) {
      zWhy = sqlite3_mprintf("chatflow: provider stream stopped: message %lld was finished by another connection",
                             s->iMsg);
    }
    if (zWhy) {
      sqlite3_free(zErr);
      zErr = zWhy;
    }
  }
  sqlite3_finalize(pStmt);
  return zErr;
}

/* Appends the content received and not written yet (s->pPending) to the
** draft, once it is begun; returns 0 or the error of the append (a lock's
** leaves the content pending: s->bLocked). */
static char *cfStreamFlush(CfStream *s) {
  char *zErr;
  s->bLocked = 0;
  if (s->pPending && sqlite3_str_errcode(s->pPending)) return sqlite3_mprintf("chatflow: provider: out of memory");
  if (s->iMsg == 0 || s->pPending == 0 || sqlite3_str_length(s->pPending) == 0) return 0;
  zErr = cfStreamWrite(s, "SELECT append_message(?1, ?2)", sqlite3_str_value(s->pPending),
                       sqlite3_str_length(s->pPending));
  if (zErr == 0) sqlite3_str_reset(s->pPending);
  return zErr;
}

/* Characters of the content pending (not in the draft). */
static int cfStreamPendingChars(CfStream *s) {
  const char *z = s->pPending ? sqlite3_str_value(s->pPending) : 0;
  int n = 0;
  for (; z && *z; z++) n += ((unsigned char)*z & 0xc0) != 0x80;
  return n;
}

/* One event's data (a chunk of JSON, or [DONE]). */
static char *cfStreamEvent(CfStream *s, const char *z, size_t n) {
  struct json_tokener *tok;
  struct json_object *pRoot, *pVal = 0, *pChoices = 0, *pChoice = 0, *pDelta = 0; /* pRoot owned */
  char *zErr = 0;
  if (n == 6 && memcmp(z, "[DONE]", 6) == 0) {
    s->bDone = 1;
    return 0;
  }
  if (s->bDone) return sqlite3_mprintf("chatflow: provider stream sent data after [DONE]");
  if (!cfUtf8Valid((const unsigned char *)z, (int)n)) {
    return sqlite3_mprintf("chatflow: provider stream event is not valid UTF-8 (%d bytes)", (int)n);
  }
  if (cfJsonTextCheck(z, (int)n, "provider stream event", "provider stream event", &zErr) != SQLITE_OK) {
    return zErr ? zErr : sqlite3_mprintf("chatflow: provider: out of memory");
  }
  tok = json_tokener_new_ex(64);
  if (tok == 0) return sqlite3_mprintf("chatflow: provider: out of memory");
  pRoot = json_tokener_parse_ex(tok, z, (int)n);
  if (pRoot == 0 || json_tokener_get_error(tok) != json_tokener_success ||
      !json_object_is_type(pRoot, json_type_object)) {
    json_tokener_free(tok);
    json_object_put(pRoot);
    return sqlite3_mprintf("chatflow: provider stream sent malformed JSON (%d bytes)", (int)n);
  }
  json_tokener_free(tok);
  if (json_object_object_get_ex(pRoot, "error", &pVal) && pVal != 0 /* "error": null is none */) {
    struct json_object *pMsg = 0;
    const char *zMsg = json_object_is_type(pVal, json_type_string) ? json_object_get_string(pVal)
                       : json_object_object_get_ex(pVal, "message", &pMsg) ? json_object_get_string(pMsg)
                                                                          : "unknown error";
    char *zShow = cfUtf8Show(zMsg, (int)strlen(zMsg)); /* controls escaped, as an error body's */
    cfCutUtf8(zShow, 300); /* not in the middle of a character */
    zErr = sqlite3_mprintf("chatflow: provider stream failed: %s", zShow ? zShow : "");
    sqlite3_free(zShow);
    goto done;
  }
  if (s->iMsg == 0) zErr = cfStreamTry(s, cfStreamBegin);
  if (zErr) goto done;
  if (json_object_object_get_ex(pRoot, "model", &pVal) && json_object_is_type(pVal, json_type_string) &&
      s->c->zModelOut == 0) {
    s->c->zModelOut = sqlite3_mprintf("%s", json_object_get_string(pVal));
  }
  if (json_object_object_get_ex(pRoot, "usage", &pVal) && json_object_is_type(pVal, json_type_object)) {
    zErr = cfParseUsage(pVal, s->c);
    if (zErr) goto done;
  }
  if (!json_object_object_get_ex(pRoot, "choices", &pChoices) ||
      !json_object_is_type(pChoices, json_type_array) || json_object_array_length(pChoices) == 0) {
    goto done; /* the usage chunk has no choices */
  }
  pChoice = json_object_array_get_idx(pChoices, 0);
  if (json_object_object_get_ex(pChoice, "finish_reason", &pVal) && json_object_is_type(pVal, json_type_string)) {
    sqlite3_free(s->c->zFinish);
    s->c->zFinish = sqlite3_mprintf("%s", json_object_get_string(pVal));
  }
  if (!json_object_object_get_ex(pChoice, "delta", &pDelta) || !json_object_is_type(pDelta, json_type_object)) {
    goto done;
  }
  if ((cfReasoningOf(pDelta, &pVal), pVal)) {
    if (s->pReason == 0) s->pReason = sqlite3_str_new(0);
    sqlite3_str_append(s->pReason, json_object_get_string(pVal), json_object_get_string_len(pVal));
  }
  if (json_object_object_get_ex(pDelta, "refusal", &pVal) && json_object_is_type(pVal, json_type_string)) {
    if (s->pRefusal == 0) s->pRefusal = sqlite3_str_new(0);
    sqlite3_str_append(s->pRefusal, json_object_get_string(pVal), json_object_get_string_len(pVal));
  }
  if (json_object_object_get_ex(pDelta, "tool_calls", &pVal) && json_object_is_type(pVal, json_type_array)) {
    for (size_t i = 0; i < json_object_array_length(pVal) && zErr == 0; i++) {
      struct json_object *pCall = json_object_array_get_idx(pVal, i), *pX = 0, *pFn = 0;
      int iCall = (int)i;
      CfStreamCall *pC;
      if (json_object_object_get_ex(pCall, "index", &pX)) {
        if (!json_object_is_type(pX, json_type_int)) { /* json-c would take 1.5 and "1" for 1 */
          zErr = sqlite3_mprintf("chatflow: provider stream tool call index must be an integer, got %!.40s",
                                 pX ? json_object_to_json_string_ext(pX, JSON_C_TO_STRING_PLAIN) : "null");
          break;
        }
        iCall = json_object_get_int(pX);
      }
      if (iCall < 0 || iCall >= CF_STREAM_CALLS) {
        zErr = sqlite3_mprintf("chatflow: provider stream tool call index %d out of range", iCall);
        break;
      }
      {
        /* The call of this index: the one it began, or a new one.  Some
        ** servers (Ollama, LiteLLM, Gemini gateways) give every call of a
        ** parallel batch index 0, each with its own id: an id other than
        ** the one the index holds begins a new call, instead of gluing its
        ** name away and its arguments onto the first call's. */
        const char *zNewId = 0;
        int iSlot = s->aSlot[iCall] - 1;
        if (json_object_object_get_ex(pCall, "id", &pX) && json_object_is_type(pX, json_type_string) &&
            json_object_get_string_len(pX) > 0) {
          zNewId = json_object_get_string(pX);
        }
        if (iSlot >= 0 && zNewId && s->aCall[iSlot].zId && strcmp(s->aCall[iSlot].zId, zNewId) != 0) {
          iSlot = -1;
        }
        if (iSlot < 0) {
          if (s->nCall >= CF_STREAM_CALLS) {
            zErr = sqlite3_mprintf("chatflow: provider stream has more than %d tool calls", CF_STREAM_CALLS);
            break;
          }
          iSlot = s->nCall++;
          memset(&s->aCall[iSlot], 0, sizeof(CfStreamCall));
          s->aCall[iSlot].iIndex = iCall;
          s->aSlot[iCall] = iSlot + 1;
        }
        pC = &s->aCall[iSlot];
        if (zNewId && pC->zId == 0) {
          pC->zId = sqlite3_mprintf("%s", zNewId);
        }
      }
      if (json_object_object_get_ex(pCall, "function", &pFn) && json_object_is_type(pFn, json_type_object)) {
        if (json_object_object_get_ex(pFn, "name", &pX) && json_object_is_type(pX, json_type_string) &&
            pC->zName == 0) {
          pC->zName = sqlite3_mprintf("%s", json_object_get_string(pX));
        }
        if (json_object_object_get_ex(pFn, "arguments", &pX) && json_object_is_type(pX, json_type_string)) {
          if (pC->pArgs == 0) pC->pArgs = sqlite3_str_new(0);
          sqlite3_str_append(pC->pArgs, json_object_get_string(pX), json_object_get_string_len(pX));
        } else if (pX) {
          /* an object (some servers send the arguments whole): its JSON
          ** text, as a reply without streaming stores it */
          if (pC->pArgs == 0) pC->pArgs = sqlite3_str_new(0);
          sqlite3_str_appendall(pC->pArgs, json_object_to_json_string_ext(
                                               pX, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        }
      }
    }
    if (zErr) goto done;
  }
  if (json_object_object_get_ex(pDelta, "content", &pVal) && json_object_is_type(pVal, json_type_string) &&
      json_object_get_string_len(pVal) > 0) {
    /* appended with what a lock kept pending, if anything */
    if (s->pPending == 0) s->pPending = sqlite3_str_new(0);
    sqlite3_str_append(s->pPending, json_object_get_string(pVal), json_object_get_string_len(pVal));
    s->nContent += json_object_get_string_len(pVal);
    zErr = cfStreamTry(s, cfStreamFlush);
  }
done:
  json_object_put(pRoot);
  return zErr;
}

/* Appends n bytes to a buffer of the stream (*pz, *pn, *pnAlloc), one
** more byte kept free for a terminator; 1 past 64 MiB (s->zErr set). */
static int cfStreamGrow(CfStream *s, char **pz, size_t *pn, size_t *pnAlloc, const char *z, size_t n) {
  if (*pn + n + 1 > *pnAlloc) {
    size_t nNew = *pnAlloc ? *pnAlloc : 4096;
    char *zNew;
    while (nNew < *pn + n + 1) nNew *= 2;
    zNew = nNew > (64u << 20) ? 0 : realloc(*pz, nNew);
    if (zNew == 0) {
      s->zErr = sqlite3_mprintf("chatflow: provider stream event longer than 64 MiB");
      return 1;
    }
    *pz = zNew;
    *pnAlloc = nNew;
  }
  memcpy(*pz + *pn, z, n);
  *pn += n;
  return 0;
}

/* Dispatches the event whose data lines are in s->zData (the WHATWG HTML
** standard's "dispatch the event": nothing when no data line came, the
** lines joined by \n).  An event whose data is empty (a "data:" line
** alone, a keep-alive) carries no chunk: skipped. */
static void cfStreamDispatch(CfStream *s) {
  if (s->nData == 0) return;
  s->nData--; /* the last line's \n */
  s->zData[s->nData] = 0;
  s->nEvent++;
  if (s->nData > 0) s->zErr = cfStreamEvent(s, s->zData, s->nData);
  s->nData = 0;
}

/* One line of the stream (without its end): a blank line dispatches the
** event, "data" lines add to it; comments (":...") and the other fields
** (event, id, retry) are skipped. */
static void cfStreamLine(CfStream *s) {
  const char *z = s->zLine;
  size_t n = s->nLine, k = 0;
  if (n == 0) {
    cfStreamDispatch(s);
    return;
  }
  while (k < n && z[k] != ':') k++;
  if (k == 4 && memcmp(z, "data", 4) == 0) {
    size_t v = k < n ? k + 1 : n; /* "data" alone: an empty line of data */
    if (v < n && z[v] == ' ') v++;
    if (cfStreamGrow(s, &s->zData, &s->nData, &s->nDataAlloc, z + v, n - v) == 0) {
      s->zData[s->nData++] = '\n';
    }
  }
}

/* http.c's xData: the body as it arrives, cut into lines as the
** text/event-stream format of the WHATWG HTML standard (section 9.2.6)
** does: a line ends with CRLF, LF or CR; an event's "data:" lines are
** joined by \n and the event goes at the blank line after them. */
static int cfStreamData(void *pArg, const char *z, size_t n) {
  CfStream *s = (CfStream *)pArg;
  size_t i = 0;
  while (s->nBom < 3 && i < n) {
    /* a UTF-8 BOM at the body's start is no part of it, as the standard
    ** says (it may come cut between writes) */
    if (z[i] == "\xef\xbb\xbf"[s->nBom]) {
      s->nBom++;
      i++;
    } else {
      /* no BOM: the bytes taken for its start are the first line's */
      if (s->nBom > 0 && cfStreamGrow(s, &s->zLine, &s->nLine, &s->nAlloc, "\xef\xbb\xbf", (size_t)s->nBom)) {
        return 1;
      }
      s->nBom = 3;
    }
  }
  while (i < n && s->zErr == 0) {
    size_t j = i;
    if (s->bCr) { /* the write before ended with a CR: a CRLF's LF ends no line */
      s->bCr = 0;
      if (z[i] == '\n') {
        i++;
        continue;
      }
    }
    while (j < n && z[j] != '\n' && z[j] != '\r') j++;
    if (j > i && cfStreamGrow(s, &s->zLine, &s->nLine, &s->nAlloc, z + i, j - i)) break;
    if (j == n) break; /* the line goes on in the next write */
    s->bCr = z[j] == '\r';
    i = j + 1;
    if (s->bCr && i < n && z[i] == '\n') {
      s->bCr = 0;
      i++;
    }
    cfStreamLine(s);
    s->nLine = 0;
  }
  return s->zErr != 0;
}

/* The end of a stream that went through: the draft finished with what
** complete_chat stores (model, tokens, duration, finish reason; parts for
** reasoning and tool calls, as cfParseCompletion makes them). */
static char *cfStreamFinish(CfStream *s, CfCall *c) {
  struct json_object *pParts, *pOpts, *pMeta, *pTok;
  char *zErr = 0;
  if (!s->bDone && c->zFinish == 0 && s->nEvent == 0) {
    /* no data: line at all: a server that answered with one JSON body
    ** (or anything else) instead of a stream */
    char *zType = s->zType ? cfUtf8Show(s->zType, (int)strlen(s->zType)) : 0;
    char *zErr2 = sqlite3_mprintf("chatflow: provider did not stream: its answer (Content-Type %s) has no"
                                  " data: events; does the server support \"stream\": true?",
                                  zType ? zType : "none");
    sqlite3_free(zType);
    return zErr2;
  }
  if (!s->bDone && c->zFinish == 0) return sqlite3_mprintf("chatflow: provider stream ended before [DONE]");
  /* the draft begun (a stream of [DONE] alone; a begin a lock deferred)
  ** and what a lock kept pending appended, the busy timeout waited as for
  ** any write: a lock held still is the call's failure */
  zErr = cfStreamBegin(s);
  if (zErr == 0) zErr = cfStreamFlush(s);
  if (zErr) return zErr;
  pParts = json_object_new_array();
  if (s->pReason && sqlite3_str_length(s->pReason) > 0) {
    struct json_object *pPart = json_object_new_object();
    json_object_object_add(pPart, "type", json_object_new_string("reasoning"));
    json_object_object_add(pPart, "text", json_object_new_string_len(sqlite3_str_value(s->pReason),
                                                                     sqlite3_str_length(s->pReason)));
    json_object_array_add(pParts, pPart);
  }
  if (json_object_array_length(pParts) + (size_t)s->nCall > 0 && s->nContent > 0) {
    /* the text as a part in its place, as without streaming: after the
    ** reasoning, before the tool calls (read back from the draft) */
    sqlite3_stmt *pStmt = 0;
    int rc = sqlite3_prepare_v2(s->p->db, "SELECT content FROM chat_messages WHERE id = ?1", -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, s->iMsg);
      if (sqlite3_step(pStmt) == SQLITE_ROW) {
        struct json_object *pPart = json_object_new_object();
        json_object_object_add(pPart, "type", json_object_new_string("text"));
        json_object_object_add(pPart, "text", json_object_new_string_len((const char *)sqlite3_column_text(pStmt, 0),
                                                                         sqlite3_column_bytes(pStmt, 0)));
        json_object_array_add(pParts, pPart);
      }
      rc = sqlite3_finalize(pStmt);
    }
    if (rc != SQLITE_OK) {
      json_object_put(pParts);
      return cfDbError(s->p->db, rc);
    }
  }
  /* in the order of the server's index, calls of one index (a server that
  ** gives every call index 0) in the order they began; k counts them */
  for (int iIndex = 0, k = 0; iIndex < CF_STREAM_CALLS && zErr == 0; iIndex++) {
    for (int i = 0; i < s->nCall && zErr == 0; i++) {
      struct json_object *pPart;
      if (s->aCall[i].iIndex != iIndex) continue;
      if (s->aCall[i].zId == 0 || s->aCall[i].zId[0] == 0) {
        zErr = sqlite3_mprintf("chatflow: provider response tool_calls[%d] has no id", k);
      } else if (s->aCall[i].zName == 0 || s->aCall[i].zName[0] == 0) {
        zErr = sqlite3_mprintf("chatflow: provider response tool_calls[%d] has no function.name", k);
      }
      if (zErr) break;
      k++;
      pPart = json_object_new_object();
      json_object_object_add(pPart, "type", json_object_new_string("tool-call"));
      json_object_object_add(pPart, "id", json_object_new_string(s->aCall[i].zId));
      json_object_object_add(pPart, "name", json_object_new_string(s->aCall[i].zName));
      json_object_object_add(pPart, "arguments",
                             json_object_new_string(s->aCall[i].pArgs && sqlite3_str_value(s->aCall[i].pArgs)
                                                        ? sqlite3_str_value(s->aCall[i].pArgs) : ""));
      json_object_array_add(pParts, pPart);
    }
  }
  if (zErr == 0) zErr = cfDuplicateCallError(pParts);
  if (zErr == 0 && s->nContent == 0 && json_object_array_length(pParts) == 0) {
    zErr = s->pRefusal && sqlite3_str_length(s->pRefusal) > 0
               ? cfRefusalError(sqlite3_str_value(s->pRefusal), sqlite3_str_length(s->pRefusal))
               : sqlite3_mprintf("chatflow: provider response has no content");
  }
  if (zErr) {
    json_object_put(pParts);
    return zErr;
  }
  pOpts = json_object_new_object();
  pMeta = json_object_new_object();
  json_object_object_add(pMeta, "model", json_object_new_string(c->zModelOut ? c->zModelOut : c->zModel));
  if (c->bUsage) {
    pTok = json_object_new_object();
    json_object_object_add(pTok, "input", json_object_new_int64(c->nIn));
    json_object_object_add(pTok, "output", json_object_new_int64(c->nOut));
    json_object_object_add(pTok, "total", json_object_new_int64(c->nTotal));
    json_object_object_add(pMeta, "tokens", pTok);
  }
  json_object_object_add(pMeta, "duration_ms", json_object_new_int64(c->nMs));
  if (c->zFinish) json_object_object_add(pMeta, "finish_reason", json_object_new_string(c->zFinish));
  json_object_object_add(pMeta, "streamed", json_object_new_boolean(1));
  json_object_object_add(pOpts, "metadata", pMeta);
  /* the reply's count, 0 included; without one, add_message's estimate */
  if (c->bOut) json_object_object_add(pOpts, "tokens", json_object_new_int64(c->nOut));
  if (json_object_array_length(pParts) > 0) json_object_object_add(pOpts, "parts", pParts);
  else json_object_put(pParts);
  zErr = cfStreamWrite(s, "SELECT finish_message(?1, ?2)",
                       json_object_to_json_string_ext(pOpts, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                       -1);
  json_object_put(pOpts);
  return zErr;
}

/* The end of the body of a 2xx stream (zType its Content-Type, or 0): an
** event whose blank line did not come yet goes too (a server that ends
** with "data: [DONE]\n"; a last line without its end is dropped, as the
** standard says), then the stream's error or what cfStreamFinish makes of
** it. */
static char *cfStreamEnd(CfStream *s, CfCall *c, const char *zType) {
  s->zType = zType;
  if (s->zErr == 0) cfStreamDispatch(s);
  return s->zErr ? sqlite3_mprintf("%s", s->zErr) : cfStreamFinish(s, c);
}

/* White space around a key or a header line: space, tab, CR, LF. */
static int cfIsBlank(char ch) {
  return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Whether z[0..n-1] holds a control character other than tab (CR, LF,
** ESC, DEL ...): in a header it would break the request. */
static int cfHasControl(const char *z, int n) {
  for (int i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)z[i];
    if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return 1;
  }
  return 0;
}

/* Whether a body is a JSON object with an "error" member that is not null. */
static int cfBodyHasError(const char *zBody, size_t nBody) {
  struct json_tokener *tok;
  struct json_object *pRoot = 0, *pErr = 0;
  int bErr;
  if (zBody == 0 || nBody == 0 || nBody > 0x7fffffff) return 0;
  tok = json_tokener_new();
  if (tok == 0) return 0;
  pRoot = json_tokener_parse_ex(tok, zBody, (int)nBody);
  json_tokener_free(tok);
  bErr = json_object_object_get_ex(pRoot, "error", &pErr) && pErr != 0;
  json_object_put(pRoot);
  return bErr;
}

/* Phase 2: one POST of zBody; fills c or returns an error message. */
static char *cfCallProvider(CfConn *p, CfCall *c, const char *zBody) {
  CfHttpRequest req;
  CfHttpResponse resp;
  CfAbort ab;
  const char *azHeader[34];
  char *zAuth = 0, *zUrl = 0, *zExtra = 0, *zErr = 0;
  int nHeader = 0, iExtra;
  long long t0;
  if (cfBaseUrlCheck("llm.base_url", c->zBaseUrl ? c->zBaseUrl : "", &zErr) != SQLITE_OK) {
    /* a value written by raw SQL, past chatflow_config's check */
    return zErr ? zErr : sqlite3_mprintf("chatflow: provider: out of memory");
  }
  memset(&req, 0, sizeof(req));
  memset(&ab, 0, sizeof(ab));
  azHeader[nHeader++] = "Content-Type: application/json";
  azHeader[nHeader++] = c->pStream ? "Accept: text/event-stream" : "Accept: application/json";
  if (c->zKeyEnv && getenv(c->zKeyEnv)) {
    /* the key without the white space around it (a line end kept by an
    ** env file written with CRLFs): sent as is, a CR or LF would end the
    ** header early and break the request, and a server that trims the
    ** value would echo a key the redaction does not find */
    const char *zKey = getenv(c->zKeyEnv);
    int nKey;
    while (cfIsBlank(*zKey)) zKey++;
    nKey = (int)strlen(zKey);
    while (nKey > 0 && cfIsBlank(zKey[nKey - 1])) nKey--;
    if (cfHasControl(zKey, nKey)) {
      return sqlite3_mprintf("chatflow: provider: the API key in the environment variable %s contains a"
                             " control character (a line break?); nothing was sent", c->zKeyEnv);
    }
    if (nKey > 0) {
      zAuth = sqlite3_mprintf("Authorization: Bearer %.*s", nKey, zKey);
      if (zAuth == 0) return sqlite3_mprintf("chatflow: provider: out of memory");
      azHeader[nHeader++] = zAuth;
    }
  }
  iExtra = nHeader;
  if (c->zHeadersEnv && getenv(c->zHeadersEnv)) {
    /* "Name: value" lines, ended by LF, CRLF or CR, each without the white
    ** space around it (as for the key) */
    char *q;
    zExtra = sqlite3_mprintf("%s", getenv(c->zHeadersEnv));
    for (q = zExtra; q && *q && nHeader < 32;) {
      char *zLine = q, *zEnd;
      while (*q && *q != '\n' && *q != '\r') q++;
      zEnd = q;
      if (*q) *q++ = 0;
      while (cfIsBlank(*zLine)) zLine++;
      while (zEnd > zLine && cfIsBlank(zEnd[-1])) *--zEnd = 0;
      if (zLine[0] && strchr(zLine, ':')) {
        if (cfHasControl(zLine, (int)strlen(zLine))) {
          sqlite3_free(zExtra);
          if (zAuth) {
            memset(zAuth, 0, strlen(zAuth));
            sqlite3_free(zAuth);
          }
          return sqlite3_mprintf("chatflow: provider: a header line in the environment variable %s"
                                 " contains a control character; nothing was sent", c->zHeadersEnv);
        }
        azHeader[nHeader++] = zLine;
      }
    }
  }
  /* after the headers, whose refusals return early with nothing else to free */
  ab.db = p->db;
  sqlite3_prepare_v2(p->db, "SELECT 1", -1, &ab.pProbe, 0);
  {
    /* {base_url}/chat/completions, a trailing slash of its path ignored and
    ** its query (Azure's ?api-version=...) kept after the path */
    const char *zQuery = strchr(c->zBaseUrl, '?');
    int nPath = zQuery ? (int)(zQuery - c->zBaseUrl) : (int)strlen(c->zBaseUrl);
    if (nPath > 0 && c->zBaseUrl[nPath - 1] == '/') nPath--;
    zUrl = sqlite3_mprintf("%.*s/chat/completions%s", nPath, c->zBaseUrl, zQuery ? zQuery : "");
  }
  req.zUrl = zUrl;
  req.zBody = zBody;
  req.nBody = strlen(zBody);
  req.azHeader = azHeader;
  req.nHeader = nHeader;
  req.nConnectTimeoutMs = c->nConnectMs;
  req.nTimeoutMs = c->nTimeoutMs;
  req.nMaxResponse = (size_t)c->nMaxResponse;
  req.bInsecure = c->zTlsVerify && strcmp(c->zTlsVerify, "off") == 0;
  req.zCaBundle = c->zCaBundle;
  req.xAbort = cfAbortPoll;
  req.pAbortArg = &ab;
  if (c->pStream) {
    req.xData = cfStreamData;
    req.pDataArg = c->pStream;
  }
  t0 = cfMillis();
  cfHttpPost(&req, &resp);
  c->nMs = cfMillis() - t0;
  switch (resp.eFail) {
    case CF_HTTP_OK:
      if (resp.iStatus < 200 || resp.iStatus > 299) {
        char *zMsg = cfErrorBodyMessage(&resp, azHeader, iExtra, nHeader, zAuth);
        char zRetry[48] = ""; /* when the server says to retry (a 429, a 503): cfRetryAfterText */
        cfRetryAfterText(resp.nRetryAfterMs, zRetry, sizeof(zRetry));
        zErr = sqlite3_mprintf("chatflow: provider returned HTTP %ld%s%s%s%s%s", resp.iStatus,
                               cfReasonPhrase(resp.iStatus)[0] ? " " : "", cfReasonPhrase(resp.iStatus),
                               zMsg && zMsg[0] ? ": " : "", zMsg ? zMsg : "", zRetry);
        sqlite3_free(zMsg);
      } else if (c->pStream) {
        zErr = cfStreamEnd(c->pStream, c, resp.zContentType[0] ? resp.zContentType : 0);
      } else {
        zErr = cfParseCompletion(resp.zBody, resp.nBody, c);
        if (zErr && strncmp(zErr, "chatflow: provider response has no ", strlen("chatflow: provider response has no ")) == 0 &&
            cfBodyHasError(resp.zBody, resp.nBody)) {
          /* a gateway that reports a failure with a 2xx status and an
          ** OpenAI error body: its message, as for an HTTP error */
          char *zMsg = cfErrorBodyMessage(&resp, azHeader, iExtra, nHeader, zAuth);
          if (zMsg && zMsg[0]) {
            sqlite3_free(zErr);
            zErr = sqlite3_mprintf("chatflow: provider returned an error with HTTP %ld: %s", resp.iStatus, zMsg);
          }
          sqlite3_free(zMsg);
        }
      }
      break;
    case CF_HTTP_FAIL_STOPPED:
      /* the stream's own failure */
      zErr = c->pStream && c->pStream->zErr ? sqlite3_mprintf("%s", c->pStream->zErr)
                                            : sqlite3_mprintf("chatflow: provider stream stopped");
      break;
    case CF_HTTP_FAIL_CONNECT:
      zErr = sqlite3_mprintf("chatflow: provider unreachable at %s: %s", c->zBaseUrl, resp.zError);
      break;
    case CF_HTTP_FAIL_TIMEOUT:
      zErr = sqlite3_mprintf("chatflow: provider timed out after %lld ms (llm.timeout_ms %d): %s",
                             c->nMs, c->nTimeoutMs, resp.zError);
      break;
    case CF_HTTP_FAIL_TOOBIG:
      zErr = sqlite3_mprintf("chatflow: provider response too large: %s (llm.max_response_bytes)",
                             resp.zError);
      break;
    case CF_HTTP_FAIL_ABORTED:
      zErr = sqlite3_mprintf("chatflow: provider call interrupted");
      break;
    case CF_HTTP_FAIL_REDIRECT:
      /* never followed (http.c): the request's headers and body stay with llm.base_url's origin */
      if (resp.bCrossOrigin) {
        zErr = sqlite3_mprintf("chatflow: provider redirected to another origin (%s); not followed (HTTP %ld)",
                               resp.zRedirect, resp.iStatus);
      } else {
        zErr = sqlite3_mprintf("chatflow: provider redirected to %s (HTTP %ld); redirects are not followed:"
                               " point llm.base_url at the new location", resp.zRedirect, resp.iStatus);
      }
      break;
    default:
      if (c->pStream && resp.iStatus >= 200 && resp.iStatus <= 299 && c->pStream->zErr == 0 &&
          (c->pStream->bDone || c->zFinish)) {
        /* the connection dropped after the answer had ended (its
        ** finish_reason or [DONE] came): the answer is whole, stored as
        ** when the body ends properly; before that it is an error */
        zErr = cfStreamEnd(c->pStream, c, resp.zContentType[0] ? resp.zContentType : 0);
      } else {
        zErr = sqlite3_mprintf("chatflow: provider call failed: %s", resp.zError);
      }
  }
  cfRedactHeaders(zErr, 0, azHeader, iExtra, nHeader, zAuth);
  cfHttpResponseFree(&resp);
  sqlite3_finalize(ab.pProbe);
  sqlite3_free(zUrl);
  if (zAuth) {
    memset(zAuth, 0, strlen(zAuth)); /* the key does not linger in freed memory */
    sqlite3_free(zAuth);
  }
  sqlite3_free(zExtra);
  return zErr;
}

/* Runs a one-value query with text binds (0 binds NULL); returns the value
** as sqlite3_malloc'd text (0 for NULL) and sets *pRc. */
static char *cfQueryText(CfConn *p, const char *zSql, int *pRc, int nArg, const char **azArg) {
  sqlite3_stmt *pStmt = 0;
  char *zOut = 0;
  int rc = sqlite3_prepare_v2(p->db, zSql, -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    for (int i = 0; i < nArg; i++) sqlite3_bind_text(pStmt, i + 1, azArg[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_type(pStmt, 0) != SQLITE_NULL) {
        zOut = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
        if (zOut == 0) rc = SQLITE_NOMEM;
      }
      if (rc == SQLITE_ROW) rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  sqlite3_finalize(pStmt);
  *pRc = rc;
  return zOut;
}

/* OpenAI's rule for a function name: 1 to 64 of a-z A-Z 0-9 _ -. */
static int cfToolNameOk(const char *z) {
  int n = 0;
  if (z == 0) return 0;
  for (; z[n]; n++) {
    char ch = z[n];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '_' || ch == '-')) {
      return 0;
    }
  }
  return n >= 1 && n <= 64;
}

/* The options tools and tool_choice of complete_chat, read from its
** options object zOpts (nOpts bytes) after cfJsonOptionsConn accepted it:
** valid JSON without a duplicate key, tools (when bTools) an array of
** nTools items.  Checks them (the rules and messages are in the header)
** and gives them as JSON text to pass through: *pzTools the array,
** *pzChoice tool_choice (a string quoted), both sqlite3_malloc'd, 0 when
** absent.  Returns SQLITE_OK; SQLITE_ERROR with *pzErr; or another SQLite
** code (SQLITE_NOMEM without a message). */
static int cfToolOptions(CfConn *p, const char *zOpts, int nOpts, int bTools, sqlite3_int64 nTools,
                         int bChoice, char **pzTools, char **pzChoice, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  char *zChoiceName = 0; /* the function tool_choice names, or 0 */
  const char *zBad = 0;  /* what is wrong with tools[iBad] */
  const char *zBadPath = 0; /* ... in which member ("" the tool, ".type") */
  int rc, iBad = 0, bFound = 0;
  *pzTools = *pzChoice = *pzErr = 0;
  if (!bTools && !bChoice) return SQLITE_OK;
  if (!bTools) {
    *pzErr = sqlite3_mprintf("chatflow: complete_chat option tool_choice needs the option tools");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  if (nTools == 0) {
    *pzErr = sqlite3_mprintf(
        "chatflow: complete_chat option tools must be a non-empty array of tool definitions");
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  /* the two values as JSON text; for tool_choice its kind, the string, or
  ** the name of an object of the one accepted shape */
  rc = sqlite3_prepare_v2(
      p->db,
      "SELECT json_extract(?1, '$.tools'),"
      " CASE json_type(?1, '$.tool_choice')"
      "   WHEN 'text' THEN json_quote(json_extract(?1, '$.tool_choice'))"
      "   ELSE json_extract(?1, '$.tool_choice') END,"
      " json_type(?1, '$.tool_choice'),"
      " CASE WHEN json_type(?1, '$.tool_choice') = 'text' THEN json_extract(?1, '$.tool_choice') END,"
      " CASE WHEN json_type(?1, '$.tool_choice') = 'object'"
      "   AND json_type(?1, '$.tool_choice.type') = 'text'"
      "   AND json_extract(?1, '$.tool_choice.type') = 'function'"
      "   AND json_type(?1, '$.tool_choice.function') = 'object'"
      "   AND json_type(?1, '$.tool_choice.function.name') = 'text'"
      "  THEN json_extract(?1, '$.tool_choice.function.name') END",
      -1, &pStmt, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, zOpts, nOpts, SQLITE_STATIC);
  if (rc == SQLITE_OK) rc = sqlite3_step(pStmt);
  if (rc == SQLITE_ROW) {
    const char *zKind = (const char *)sqlite3_column_text(pStmt, 2);
    const char *zText = (const char *)sqlite3_column_text(pStmt, 3);
    const char *zName = (const char *)sqlite3_column_text(pStmt, 4);
    rc = SQLITE_OK;
    *pzTools = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 0));
    if (*pzTools == 0) rc = SQLITE_NOMEM;
    if (bChoice && rc == SQLITE_OK) {
      *pzChoice = sqlite3_mprintf("%s", sqlite3_column_text(pStmt, 1));
      if (*pzChoice == 0) rc = SQLITE_NOMEM;
      if (zName) {
        zChoiceName = sqlite3_mprintf("%s", zName);
        if (zChoiceName == 0) rc = SQLITE_NOMEM;
      } else if (!(zKind && strcmp(zKind, "text") == 0 && zText &&
                   (strcmp(zText, "none") == 0 || strcmp(zText, "auto") == 0 ||
                    strcmp(zText, "required") == 0))) {
        /* what it got (cfJsonValueDesc): a string from its text (column 3;
        ** its text not made is out of memory), anything else from its
        ** json_extract() */
        char zGot[CF_VALUE_DESC_LEN];
        int bText = zKind && strcmp(zKind, "text") == 0;
        cfJsonValueDesc(zKind, sqlite3_column_value(pStmt, bText ? 3 : 1), zGot, &rc);
        if (rc == SQLITE_OK) {
          *pzErr = sqlite3_mprintf(
              "chatflow: complete_chat option tool_choice must be 'none', 'auto', 'required'"
              " or {\"type\": \"function\", \"function\": {\"name\": ...}}, got %s",
              zGot);
          rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
        }
      }
    }
  } else if (rc == SQLITE_DONE) {
    rc = SQLITE_NOMEM; /* a SELECT without FROM has its row unless it failed */
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if (rc != SQLITE_OK) goto done;

  /* each tool: {"type": "function", "function": {"name", "description"?, "parameters"?}} */
  rc = sqlite3_prepare_v2(
      p->db,
      "SELECT key, type = 'object',"
      " CASE WHEN type = 'object' THEN json_type(value, '$.type') = 'text'"
      "   AND json_extract(value, '$.type') = 'function' END,"
      " CASE WHEN type = 'object' THEN json_type(value, '$.function') = 'object' END,"
      " CASE WHEN type = 'object' AND json_type(value, '$.function.name') = 'text'"
      "   THEN json_extract(value, '$.function.name') END,"
      " CASE WHEN type = 'object' THEN coalesce(json_type(value, '$.function.description'), 'null')"
      "   IN ('text', 'null') END,"
      " CASE WHEN type = 'object' THEN coalesce(json_type(value, '$.function.parameters'), 'null')"
      "   IN ('object', 'null') END"
      " FROM json_each(?1)",
      -1, &pStmt, 0);
  if (rc == SQLITE_OK) rc = sqlite3_bind_text(pStmt, 1, *pzTools, -1, SQLITE_STATIC);
  while (rc == SQLITE_OK && zBad == 0 && (rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
    const char *zName = (const char *)sqlite3_column_text(pStmt, 4);
    rc = SQLITE_OK;
    iBad = sqlite3_column_int(pStmt, 0);
    if (!sqlite3_column_int(pStmt, 1)) {
      zBad = " must be an object";
      zBadPath = "";
    } else if (!sqlite3_column_int(pStmt, 2)) {
      zBad = ".type must be 'function'";
      zBadPath = ".type";
    } else if (!sqlite3_column_int(pStmt, 3)) {
      zBad = ".function must be an object";
      zBadPath = ".function";
    } else if (!cfToolNameOk(zName)) {
      zBad = ".function.name must be a string of 1 to 64 characters a-z, A-Z, 0-9, _ or -";
      zBadPath = ".function.name";
    } else if (!sqlite3_column_int(pStmt, 5)) {
      zBad = ".function.description must be a string";
      zBadPath = ".function.description";
    } else if (!sqlite3_column_int(pStmt, 6)) {
      zBad = ".function.parameters must be an object (a JSON Schema)";
      zBadPath = ".function.parameters";
    } else if (zChoiceName && strcmp(zName, zChoiceName) == 0) {
      bFound = 1;
    }
  }
  if (rc == SQLITE_DONE || rc == SQLITE_ROW) rc = SQLITE_OK;
  if (rc == SQLITE_OK && zBad) {
    /* what the member was (cfJsonMemberDesc): "got integer 5", "got none" */
    char zPath[64], zGot[CF_VALUE_DESC_LEN];
    sqlite3_snprintf(sizeof(zPath), zPath, "$[%d]%s", iBad, zBadPath);
    cfJsonMemberDesc(p->db, *pzTools, -1, zPath, zGot, &rc);
    if (rc == SQLITE_OK) {
      *pzErr = sqlite3_mprintf("chatflow: complete_chat option tools[%d]%s, got %s", iBad, zBad, zGot);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
  } else if (rc == SQLITE_OK && zChoiceName && !bFound) {
    *pzErr = sqlite3_mprintf(
        "chatflow: complete_chat option tool_choice names the function '%q',"
        " which is not one of tools",
        zChoiceName);
    rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
done:
  sqlite3_finalize(pStmt);
  sqlite3_free(zChoiceName);
  if (rc != SQLITE_OK) {
    sqlite3_free(*pzTools);
    sqlite3_free(*pzChoice);
    *pzTools = *pzChoice = 0;
  }
  return rc;
}

/* ------------------------------------------------------------ extra_body */

/* The members of the request body that chatflow sets itself, and where
** they come from: extra_body (the option, llm.extra_body) may not set
** them.  n: only choices[0] is stored, the other choices would be paid
** for and lost; functions and function_call: the replies they ask for
** (message.function_call) are not read, tools and tool_choice are. */
static const struct {
  const char *zKey;
  const char *zWhy;
} aCfOwnedKey[] = {
  {"model", "it comes from the option model or llm.model"},
  {"messages", "it is the conversation's history"},
  {"temperature", "it comes from the option temperature or llm.temperature"},
  {"max_tokens", "it comes from the option max_tokens or llm.max_tokens"},
  {"tools", "it comes from the option tools"},
  {"tool_choice", "it comes from the option tool_choice"},
  {"stream", "it comes from the option stream"},
  {"stream_options", "it comes from the option stream"},
  {"n", "chatflow stores one choice, choices[0]"},
  {"functions", "use the option tools"},
  {"function_call", "use the option tool_choice"},
};

/* The most members one extra_body object may have. */
#define CF_EXTRA_MAX 64

/* Checks an extra_body object z[0..n) — the option of complete_chat or
** generate_title (zWhat "complete_chat option extra_body"), or the setting
** llm.extra_body — by the rules of docs/providers.md: one JSON value within
** json.c's limits and text gate (size, depth, duplicate keys, \u0000 and
** lone surrogates), an object, at most CF_EXTRA_MAX members, keys written
** without escapes, none of aCfOwnedKey.  p may be 0 (a private connection
** reads the JSON then).  Returns SQLITE_OK; SQLITE_ERROR with *pzErr; or
** another SQLite code (SQLITE_NOMEM: no message). */
int cfExtraBodyCheck(CfConn *p, const char *zWhat, const char *z, int n, char **pzErr) {
  CfJsonMember aMember[CF_EXTRA_MAX];
  int rc, nMember;
  *pzErr = 0;
  rc = cfJsonCheckAs(p, z, n, zWhat, pzErr);
  if (rc != SQLITE_OK) return rc;
  if (strcmp(cfJsonKindName(z, n), "an object") != 0) {
    *pzErr = sqlite3_mprintf("chatflow: %s must be a JSON object, got %s", zWhat, cfJsonKindName(z, n));
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  nMember = cfJsonMembers(z, n, aMember, CF_EXTRA_MAX);
  if (nMember > CF_EXTRA_MAX) {
    *pzErr = sqlite3_mprintf("chatflow: %s has more than %d members", zWhat, CF_EXTRA_MAX);
    return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
  }
  for (int k = 0; k < nMember; k++) {
    const char *zKey = aMember[k].zKey;
    if (memchr(zKey, '\\', (size_t)aMember[k].nKey) != 0) {
      *pzErr = sqlite3_mprintf("chatflow: %s has the key \"%.*s\" spelled with escapes; write it as plain text",
                               zWhat, aMember[k].nKey, zKey);
      return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    }
    for (size_t j = 0; j < sizeof(aCfOwnedKey) / sizeof(aCfOwnedKey[0]); j++) {
      if ((int)strlen(aCfOwnedKey[j].zKey) == aMember[k].nKey &&
          memcmp(aCfOwnedKey[j].zKey, zKey, (size_t)aMember[k].nKey) == 0) {
        *pzErr = sqlite3_mprintf("chatflow: %s must not set \"%s\": %s", zWhat, aCfOwnedKey[j].zKey,
                                 aCfOwnedKey[j].zWhy);
        return *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
      }
    }
  }
  return SQLITE_OK;
}

/* The members extra_body adds to a request, from the setting zSet and the
** option zOpt (each a checked object, or 0): the setting's members whose
** key the option does not name, then the option's, each in its document
** order, null ones left out (a null in the option takes the setting's
** member away).  *pzOut: a JSON object of them with every value as
** written (sqlite3_malloc'd), or 0 when there is none.  Returns SQLITE_OK
** or SQLITE_NOMEM. */
static int cfExtraBodyMerge(const char *zSet, const char *zOpt, char **pzOut) {
  CfJsonMember aSet[CF_EXTRA_MAX], aOpt[CF_EXTRA_MAX];
  int nSet = zSet ? cfJsonMembers(zSet, (int)strlen(zSet), aSet, CF_EXTRA_MAX) : 0;
  int nOpt = zOpt ? cfJsonMembers(zOpt, (int)strlen(zOpt), aOpt, CF_EXTRA_MAX) : 0;
  sqlite3_str *pStr = sqlite3_str_new(0);
  int nOut = 0;
  *pzOut = 0;
  for (int pass = 0; pass < 2; pass++) {
    CfJsonMember *a = pass ? aOpt : aSet;
    for (int k = 0; k < (pass ? nOpt : nSet); k++) {
      int bSkip = a[k].nVal == 4 && memcmp(a[k].zVal, "null", 4) == 0;
      for (int j = 0; pass == 0 && j < nOpt && !bSkip; j++) {
        bSkip = aOpt[j].nKey == a[k].nKey && memcmp(aOpt[j].zKey, a[k].zKey, (size_t)a[k].nKey) == 0;
      }
      if (bSkip) continue;
      sqlite3_str_appendf(pStr, "%s\"%.*s\":%.*s", nOut++ ? "," : "{", a[k].nKey, a[k].zKey, a[k].nVal,
                          a[k].zVal);
    }
  }
  if (nOut) sqlite3_str_appendchar(pStr, 1, '}');
  if (sqlite3_str_errcode(pStr) != SQLITE_OK) {
    sqlite3_free(sqlite3_str_finish(pStr));
    return SQLITE_NOMEM;
  }
  if (nOut) {
    *pzOut = sqlite3_str_finish(pStr);
  } else {
    sqlite3_free(sqlite3_str_finish(pStr));
  }
  return SQLITE_OK;
}

/* The option extra_body of a call, when bOpt: its text in the options
** object zOpts, checked (zWhat naming it in errors), in *pzOpt
** (sqlite3_malloc'd; 0 without the option).  Returns SQLITE_OK;
** SQLITE_ERROR with *pzErr; or another SQLite code. */
static int cfExtraBodyOption(CfConn *p, const char *zOpts, int bOpt, const char *zWhat, char **pzOpt,
                             char **pzErr) {
  const char *az[1] = {zOpts};
  int rc = SQLITE_OK;
  *pzOpt = *pzErr = 0;
  if (!bOpt) return SQLITE_OK;
  *pzOpt = cfQueryText(p, "SELECT json_extract(?1, '$.extra_body')", &rc, 1, az);
  if (rc == SQLITE_OK && *pzOpt == 0) rc = SQLITE_NOMEM; /* an object is there */
  if (rc == SQLITE_OK) rc = cfExtraBodyCheck(p, zWhat, *pzOpt, (int)strlen(*pzOpt), pzErr);
  if (rc != SQLITE_OK) {
    sqlite3_free(*pzOpt);
    *pzOpt = 0;
  }
  return rc;
}

/* The members extra_body adds to a call's request: the option's text zOpt
** (or 0) merged over llm.extra_body, *pzExtra as cfExtraBodyMerge gives
** it.  The setting is checked again here, before every call, as
** chatflow_config checks it (the schema does not: raw SQL can write
** anything there, and only a call reads it).  Returns SQLITE_OK;
** SQLITE_ERROR with *pzErr; or another SQLite code. */
static int cfExtraBody(CfConn *p, const char *zOpt, char **pzExtra, char **pzErr) {
  int rc = SQLITE_OK;
  char *zSet = cfSettingText(p, "llm.extra_body", &rc);
  *pzExtra = 0;
  if (rc == SQLITE_OK && zSet) {
    char *zWhy = 0;
    rc = cfExtraBodyCheck(p, "llm.extra_body", zSet, (int)strlen(zSet), &zWhy);
    if (rc == SQLITE_ERROR) {
      *pzErr = sqlite3_mprintf("chatflow: chatflow_settings holds an invalid llm.extra_body (raw SQL wrote it):"
                               " %s; set it with chatflow_config", zWhy + 10 /* "chatflow: " */);
      if (*pzErr == 0) rc = SQLITE_NOMEM;
    } else if (rc != SQLITE_OK) {
      rc = SQLITE_NOMEM; /* out of memory (or the JSON reader's error), as chatflow_config says it */
    }
    sqlite3_free(zWhy);
  }
  if (rc == SQLITE_OK) rc = cfExtraBodyMerge(zSet, zOpt, pzExtra);
  sqlite3_free(zSet);
  return rc;
}

/* The opening of complete_chat and generate_title: the conversation id
** argv[0] in *piConv, the options argv[1] (when given) read into aOpt, and
** the time of the call from option aOpt[iNow] (cfCallTimeSet).  Returns 0;
** or 1 with the error set on ctx or in *pzErr, which the caller's done:
** path reports (it also frees aOpt). */
static int cfCallOpen(sqlite3_context *ctx, CfConn *p, int argc, sqlite3_value **argv, const char *zFunc,
                      CfJsonOpt *aOpt, int nOpt, int iNow, sqlite3_int64 *piConv, const char **pzOpts,
                      char **pzErr) {
  if (cfArgId(ctx, argv[0], "conversation id", piConv)) return 1;
  if (argc > 1 && cfArgOptions(ctx, argv[1], zFunc, pzOpts)) return 1;
  if (*pzOpts && cfJsonOptionsConn(ctx, p, *pzOpts, sqlite3_value_bytes(argv[1]), zFunc, aOpt, nOpt, pzErr)) {
    return 1;
  }
  if (cfCallTimeSet(p, aOpt[iNow].bPresent ? aOpt[iNow].zVal : 0, pzErr)) {
    if (*pzErr == 0) sqlite3_result_error_nomem(ctx);
    return 1;
  }
  return 0;
}

/* What complete_chat and generate_title check next: option extra_body
** (present: bExtra; zExtraWhat names it; its JSON in *pzExtraOpt), that the
** connection holds no transaction (zNoTxn: the refusal) and the schema.
** An open transaction (BEGIN, or a statement of this connection still
** reading, as in SELECT complete_chat(id) FROM ...) would be held across
** the network call.  Returns 0; or 1 with the error in *pzErr, a failed
** read's code in *prcDb (SQLITE_IOERR_READ, ... with its message), or out
** of memory set on ctx. */
static int cfCallReady(sqlite3_context *ctx, CfConn *p, const char *zOpts, int bExtra, const char *zExtraWhat,
                       char **pzExtraOpt, const char *zNoTxn, char **pzErr, int *prcDb) {
  int rc = cfExtraBodyOption(p, zOpts, bExtra, zExtraWhat, pzExtraOpt, pzErr);
  if (rc != SQLITE_OK && *pzErr) return 1;
  if (rc == SQLITE_OK) {
    cfUndoPending(p); /* a transaction a failed call could not end is not the caller's */
    if (!sqlite3_get_autocommit(p->db) || sqlite3_txn_state(p->db, 0) != SQLITE_TXN_NONE) {
      *pzErr = sqlite3_mprintf("%s", zNoTxn);
      if (*pzErr == 0) sqlite3_result_error_nomem(ctx);
      return 1;
    }
    rc = cfCheckSchema(p, pzErr);
    if (rc == SQLITE_OK) return 0;
    if (*pzErr) {
      *prcDb = rc;
      return 1;
    }
  }
  if ((rc & 0xff) == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx); /* (its message would say so, with SQLITE_ERROR) */
  } else {
    *pzErr = cfDbError(p->db, rc);
    *prcDb = rc;
    if (*pzErr == 0) sqlite3_result_error_nomem(ctx);
  }
  return 1;
}

static void cfCompleteChatFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[11] = {
    {"model", CF_JT_STRING, 0, 0, 0},  {"temperature", CF_JT_INT | CF_JT_NUMBER, 0, 0, 0},
    {"max_tokens", CF_JT_INT, 0, 0, 0}, {"history_tokens", CF_JT_INT, 0, 0, 0},
    {"timeout_ms", CF_JT_INT, 0, 0, 0}, {"on_error", CF_JT_STRING, 0, 0, 0},
    {"tools", CF_JT_ARRAY, 0, 0, 0},
    /* any kind: cfToolOptions says what it must be */
    {"tool_choice", CF_JT_STRING | CF_JT_OBJECT | CF_JT_ARRAY | CF_JT_INT | CF_JT_NUMBER | CF_JT_BOOL,
     0, 0, 0},
    /* the time of the call: the reply's, and a fail_run's (on_error) */
    {"now", CF_JT_STRING, 0, 0, 0},
    {"stream", CF_JT_BOOL, 0, 0, 0},
    /* members added to the request body (cfExtraBody) */
    {"extra_body", CF_JT_OBJECT, 0, 0, 0},
  };
  CfCall c;
  CfStream stream;
  sqlite3_int64 iConv;
  const char *zOpts = 0;
  char *zErr = 0, *zHistory = 0, *zBody = 0, *zMsgOpts = 0, *zHistTokens = 0;
  const char *zLeaf = "0", *zRun = "0";
  sqlite3_int64 iRun = 0; /* the run active when the call began: the reply's, and on_error's */
  char *zHistJson = 0; /* in zHistory */
  char *zTools = 0, *zToolChoice = 0, *zExtraOpt = 0, *zExtra = 0;
  char zConv[24], zNum[64];
  int rc, rcDb = 0, bFailRun = 0;
  memset(&c, 0, sizeof(c));
  memset(&stream, 0, sizeof(stream));
  if (cfCallOpen(ctx, p, argc, argv, "complete_chat", aOpt, 11, 8, &iConv, &zOpts, &zErr)) goto done;
  if (aOpt[5].bPresent) {
    if (strcmp(aOpt[5].zVal, "fail_run") == 0) bFailRun = 1;
    else if (strcmp(aOpt[5].zVal, "raise") != 0) {
      zErr = sqlite3_mprintf("chatflow: invalid on_error '%q' (expected raise, fail_run)", aOpt[5].zVal);
      goto done;
    }
  }
  if (aOpt[1].bPresent &&
      (aOpt[1].zVal ? !(atof(aOpt[1].zVal) >= 0 && atof(aOpt[1].zVal) <= 2)
                    : (aOpt[1].iVal < 0 || aOpt[1].iVal > 2))) {
    /* the number as the caller wrote it (zVal: one with a fraction) */
    zErr = aOpt[1].zVal
               ? sqlite3_mprintf("chatflow: complete_chat option temperature must be a number from 0 to 2,"
                                 " got %s", aOpt[1].zVal)
               : sqlite3_mprintf("chatflow: complete_chat option temperature must be a number from 0 to 2,"
                                 " got %lld", aOpt[1].iVal);
    if (zErr == 0) sqlite3_result_error_nomem(ctx);
    goto done;
  }
  for (int k = 2; k <= 4; k++) {
    /* max_tokens, history_tokens, timeout_ms: the first out of its range named */
    static const sqlite3_int64 aMax[] = {10000000, 100000000, 3600000};
    if (aOpt[k].bPresent && (aOpt[k].iVal < 1 || aOpt[k].iVal > aMax[k - 2])) {
      zErr = sqlite3_mprintf("chatflow: complete_chat options max_tokens, history_tokens and timeout_ms"
                             " must be positive integers, got %s %lld", aOpt[k].zKey, aOpt[k].iVal);
      if (zErr == 0) sqlite3_result_error_nomem(ctx);
      goto done;
    }
  }
  if (zOpts) {
    rc = cfToolOptions(p, zOpts, sqlite3_value_bytes(argv[1]), aOpt[6].bPresent, aOpt[6].iVal,
                       aOpt[7].bPresent, &zTools, &zToolChoice, &zErr);
    if (rc == SQLITE_NOMEM) {
      sqlite3_result_error_nomem(ctx);
      goto done;
    }
    if (rc != SQLITE_OK && zErr == 0) goto db_error;
    if (rc != SQLITE_OK) goto done;
  }
  if (cfCallReady(ctx, p, zOpts, aOpt[10].bPresent, "complete_chat option extra_body", &zExtraOpt,
                  "chatflow: complete_chat makes a network call and cannot run inside a transaction or a statement that reads tables; call SELECT complete_chat(...) on its own",
                  &zErr, &rcDb)) {
    goto done;
  }

  /* Phase 1: settings, conversation, history (short reads, no transaction kept). */
  rc = cfCallSettings(p, &c);
  if (rc != SQLITE_OK) goto db_error;
  rc = cfExtraBody(p, zExtraOpt, &zExtra, &zErr);
  if (zErr) goto done;
  if (rc == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx);
    goto done;
  }
  if (rc != SQLITE_OK) goto db_error;
  if (aOpt[0].bPresent) {
    sqlite3_free(c.zModel);
    c.zModel = sqlite3_mprintf("%s", aOpt[0].zVal);
  }
  if (c.zModel == 0 || c.zModel[0] == 0) {
    zErr = sqlite3_mprintf("chatflow: provider: no model configured; SELECT chatflow_config('llm.model', '<model>') or pass {\"model\": ...}");
    goto done;
  }
  if (aOpt[4].bPresent) c.nTimeoutMs = (int)aOpt[4].iVal;
  if (aOpt[2].bPresent) {
    sqlite3_free(c.zMaxTokens);
    c.zMaxTokens = sqlite3_mprintf("%lld", aOpt[2].iVal);
  }
  if (aOpt[1].bPresent) {
    sqlite3_free(c.zTemperature);
    c.zTemperature = sqlite3_mprintf("%s", aOpt[1].zVal ? aOpt[1].zVal : "");
    if (aOpt[1].zVal == 0) {
      sqlite3_free(c.zTemperature);
      c.zTemperature = sqlite3_mprintf("%lld", aOpt[1].iVal);
    }
  }
  sqlite3_snprintf(sizeof(zConv), zConv, "%lld", iConv);
  {
    const char *az[1] = {zConv};
    char *zState = cfQueryText(p, "SELECT CASE WHEN deleted_at IS NULL THEN 'ok' ELSE 'deleted' END"
                                  " FROM chat_conversations WHERE id = ?1", &rc, 1, az);
    if (rc == SQLITE_OK && zState == 0) zErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
    else if (rc == SQLITE_OK && strcmp(zState, "ok") != 0) {
      zErr = sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld) first", iConv, iConv);
    }
    sqlite3_free(zState);
    if (rc != SQLITE_OK) goto db_error;
    if (zErr) goto done;
  }
  if (aOpt[3].bPresent) {
    zHistTokens = sqlite3_mprintf("%lld", aOpt[3].iVal);
  } else {
    zHistTokens = cfSettingText(p, "llm.history_tokens", &rc);
    if (rc != SQLITE_OK) goto db_error;
  }
  {
    /* the history, the message it ends with (the reply's parent, so
    ** that an edit or a switch during the call does not move the reply
    ** to another branch) and the active run (the reply's run, so that a
    ** run started or ended during the call does not take it or its
    ** failure), in one statement: one snapshot */
    const char *az[2] = {zConv, zHistTokens};
    zHistory = cfQueryText(p,
                           "SELECT coalesce(current_leaf_id, 0) || ' '"
                           "       || coalesce((SELECT r.id FROM workflow_runs AS r"
                           "                     WHERE r.conversation_id = c.id AND " CF_ACTIVE("r.status") "), 0)"
                           "       || ' ' || chat_history_json(id, CAST(?2 AS INTEGER))"
                           "  FROM chat_conversations AS c WHERE id = CAST(?1 AS INTEGER)",
                           &rc, 2, az);
    if (rc != SQLITE_OK) goto db_error;
    if (zHistory == 0 || strchr(zHistory, ' ') == 0) {
      zErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv); /* purged meanwhile */
      goto done;
    }
    zLeaf = zHistory;
    zHistJson = strchr(zHistory, ' ');
    *zHistJson++ = 0;
    zRun = zHistJson;
    zHistJson = strchr(zHistJson, ' ');
    *zHistJson++ = 0;
    iRun = atoll(zRun);
    if (strcmp(zHistJson, "[]") == 0) {
      /* OpenAI answers 400 to an empty messages array; local servers answer
      ** blind: neither is what the caller meant */
      zErr = sqlite3_mprintf("chatflow: conversation %lld has no message to send (it has none, or"
                             " history_tokens %s leaves none in the window)", iConv,
                             zHistTokens ? zHistTokens : "(no limit)");
      goto done;
    }
  }
  {
    /* members in this order, each only when given: without tools the
    ** body is what it was before tools existed; extra_body's last, as
    ** written (json() takes the white space out, nothing else), appended
    ** as text: none of its keys is one of the members before it
    ** (cfExtraBodyCheck), and json_set would read its numbers */
    const char *az[8] = {c.zModel, zHistJson, c.zTemperature, c.zMaxTokens, zTools, zToolChoice,
                         aOpt[9].bPresent && aOpt[9].iVal ? "1" : 0, zExtra};
    zBody = cfQueryText(p,
                        "SELECT CASE WHEN ?8 IS NULL THEN j5"
                        "            ELSE substr(j5, 1, length(j5) - 1) || ',' || substr(json(?8), 2) END"
                        "  FROM (SELECT CASE WHEN ?7 IS NULL THEN j4"
                        "            ELSE json_set(j4, '$.stream', json('true'),"
                        "                          '$.stream_options', json('{\"include_usage\":true}')) END AS j5"
                        "  FROM (SELECT CASE WHEN ?6 IS NULL THEN j3"
                        "            ELSE json_set(j3, '$.tool_choice', json(?6)) END AS j4"
                        "  FROM (SELECT CASE WHEN ?5 IS NULL THEN j2"
                        "               ELSE json_set(j2, '$.tools', json(?5)) END AS j3"
                        "  FROM (SELECT CASE WHEN ?4 IS NULL THEN j"
                        "               ELSE json_set(j, '$.max_tokens', CAST(?4 AS INTEGER)) END AS j2"
                        "  FROM (SELECT CASE WHEN ?3 IS NULL THEN j0"
                        "               ELSE json_set(j0, '$.temperature', CAST(?3 AS REAL)) END AS j"
                        "          FROM (SELECT json_object('model', ?1, 'messages', json(?2)) AS j0))))))",
                        &rc, 8, az);
    if (rc != SQLITE_OK) goto db_error;
  }

  /* Phase 2: the call, with no transaction open (streaming: the draft is
  ** written as the events come, each write its own short transaction). */
  if (aOpt[9].bPresent && aOpt[9].iVal) {
    stream.p = p;
    stream.iConv = iConv;
    stream.zLeaf = zLeaf;
    stream.iRun = iRun;
    stream.zRun = zRun;
    stream.c = &c;
    c.pStream = &stream;
  }
  zErr = cfCallProvider(p, &c, zBody);
  if (zErr && stream.iMsg) {
    /* a failure mid-stream: the draft is aborted, its text kept (what a
    ** lock kept pending appended first), the error its reason (a draft
    ** another writer ended meanwhile stays); a draft that got no text is
    ** deleted instead, as nothing is stored without streaming: an empty
    ** message is never kept */
    sqlite3_stmt *pEnd = 0;
    int nLost, bLockLost;
    char zLost[64] = "";
    sqlite3_free(cfStreamFlush(&stream));
    nLost = cfStreamPendingChars(&stream); /* received, and not in the draft */
    bLockLost = nLost > 0 && stream.bLocked; /* ... for a lock held still */
    if (nLost > 0) sqlite3_snprintf(sizeof(zLost), zLost, " without the last %d characters received", nLost);
    if (nLost == 0 && sqlite3_prepare_v2(p->db,
                           "DELETE FROM chat_messages WHERE id = ?1 AND status = 'streaming' AND content = ''",
                           -1, &pEnd, 0) == SQLITE_OK) {
      sqlite3_bind_int64(pEnd, 1, stream.iMsg);
      sqlite3_step(pEnd);
    }
    sqlite3_finalize(pEnd);
    pEnd = 0;
    if (sqlite3_prepare_v2(p->db,
                           "SELECT abort_message(?1, substr(?2, 1, 2000))"
                           " FROM chat_messages WHERE id = ?1 AND status = 'streaming'",
                           -1, &pEnd, 0) == SQLITE_OK) {
      sqlite3_bind_int64(pEnd, 1, stream.iMsg);
      sqlite3_bind_text(pEnd, 2, zErr, -1, SQLITE_STATIC);
      sqlite3_step(pEnd);
    }
    sqlite3_finalize(pEnd);
    pEnd = 0;
    /* neither could be written (another connection held the write lock
    ** past the busy timeout, the failure itself being that lock): the
    ** draft is still streaming, which the error says, with what ends it */
    if (sqlite3_prepare_v2(p->db, "SELECT 1 FROM chat_messages WHERE id = ?1 AND status = 'streaming'", -1, &pEnd,
                           0) == SQLITE_OK) {
      sqlite3_bind_int64(pEnd, 1, stream.iMsg);
      if (sqlite3_step(pEnd) == SQLITE_ROW) {
        char *zMore = sqlite3_mprintf("%s; message %lld could not be aborted and is left streaming%s:"
                                      " abort_message(%lld) or expire_stale_runs() ends it",
                                      zErr, stream.iMsg, zLost, stream.iMsg);
        if (zMore) {
          sqlite3_free(zErr);
          zErr = zMore;
        }
      } else if (bLockLost) {
        /* the lock went between the append and the abort */
        char *zMore = sqlite3_mprintf("%s; the last %d characters received are not in message %lld", zErr, nLost,
                                      stream.iMsg);
        if (zMore) {
          sqlite3_free(zErr);
          zErr = zMore;
        }
      }
    }
    sqlite3_finalize(pEnd);
  }
  if (zErr == 0 && stream.iMsg) {
    sqlite3_result_int64(ctx, stream.iMsg);
    goto done;
  }
  if (zErr) {
    if (bFailRun && iRun) {
      /* record the failure on the run active when the call began, when it
      ** still is (not on one another connection started meanwhile), then
      ** raise it */
      const char *az[2] = {zRun, zErr};
      char *zOk = cfQueryText(p, "SELECT fail_run(id, ?2) FROM workflow_runs"
                                 " WHERE id = CAST(?1 AS INTEGER) AND " CF_ACTIVE("status"), &rc, 2, az);
      sqlite3_free(zOk);
    }
    goto done;
  }

  /* Phase 3: the reply, written like add_message in one short write. */
  sqlite3_snprintf(sizeof(zNum), zNum, "%lld", c.nMs);
  {
    char zIn[24], zOut[24], zTot[24];
    const char *az[11];
    sqlite3_snprintf(sizeof(zIn), zIn, "%lld", c.nIn);
    sqlite3_snprintf(sizeof(zOut), zOut, "%lld", c.nOut);
    sqlite3_snprintf(sizeof(zTot), zTot, "%lld", c.nTotal);
    az[0] = c.zModelOut ? c.zModelOut : c.zModel;
    az[1] = zIn; az[2] = zOut; az[3] = zTot; az[4] = zNum; az[5] = c.zFinish; az[6] = c.zParts;
    az[7] = c.bUsage ? "1" : 0; /* without usage, metadata has no tokens */
    az[8] = strcmp(zLeaf, "0") ? zLeaf : 0; /* a first message has no parent */
    az[9] = iRun ? zRun : 0;                 /* the run of the call's start, even ended since */
    az[10] = c.bOut ? "1" : 0;               /* the reply's count, 0 included; else the estimate */
    zMsgOpts = cfQueryText(
        p,
        "SELECT json_patch(json_object('type', 'assistant_response',"
        " 'metadata', json_remove(json_object('model', ?1, 'tokens', json_object('input', CAST(?2 AS INTEGER),"
        "   'output', CAST(?3 AS INTEGER), 'total', CAST(?4 AS INTEGER)),"
        "   'duration_ms', CAST(?5 AS INTEGER), 'finish_reason', ?6),"
        "   CASE WHEN ?8 IS NULL THEN '$.tokens' ELSE '$.no_such_member' END)),"
        /* RFC 7396: a null member is dropped, so absent values stay absent */
        " json_object('tokens', CASE WHEN ?11 IS NOT NULL THEN CAST(?3 AS INTEGER) END,"
        "             'parts', json(?7), 'parent_id', CAST(?9 AS INTEGER),"
        "             'run_id', CAST(?10 AS INTEGER)))",
        &rc, 11, az);
    if (rc != SQLITE_OK) goto db_error;
  }
  {
    sqlite3_stmt *pStmt = 0;
    rc = sqlite3_prepare_v2(p->db, "SELECT add_message(?1, 'assistant', ?2, ?3)", -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, c.zContent ? c.zContent : "", -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 3, zMsgOpts, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        sqlite3_result_int64(ctx, sqlite3_column_int64(pStmt, 0));
        rc = SQLITE_OK;
      } else {
        zErr = cfDbError(p->db, rc);
      }
    }
    sqlite3_finalize(pStmt);
    if (rc != SQLITE_OK && zErr == 0) goto db_error;
    zErr = cfRunGoneError(p, iRun, zErr);
  }
  goto done;
db_error:
  if ((rc & 0xff) == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx); /* (its message would say so, with SQLITE_ERROR) */
  } else {
    zErr = cfDbError(p->db, rc);
    rcDb = rc; /* the read's code goes with its message (SQLITE_IOERR_READ, ...) */
    if (zErr == 0) sqlite3_result_error_nomem(ctx);
  }
done:
  if (zErr) {
    cfResultErrorMsg(ctx, zErr);
    if (rcDb) cfResultCode(ctx, rcDb);
  }
  cfJsonOptionsFree(aOpt, 11);
  cfStreamFree(&stream);
  cfCallFree(&c);
  sqlite3_free(zExtraOpt);
  sqlite3_free(zExtra);
  sqlite3_free(zTools);
  sqlite3_free(zToolChoice);
  sqlite3_free(zHistory);
  sqlite3_free(zBody);
  sqlite3_free(zMsgOpts);
  sqlite3_free(zHistTokens);
}

/* A title reply without the "<think>...</think>" block a reasoning model
** (DeepSeek-R1, QwQ, Qwen3 on a server that does not split the thinking
** off) writes before its answer: what follows the block, or "" when the
** block is not closed (the 32 tokens ran out while it thought). */
static const char *cfAfterThink(const char *z) {
  const char *q = z, *zEnd;
  while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r') q++;
  if (strncmp(q, "<think>", 7) != 0) return z;
  zEnd = strstr(q + 7, "</think>");
  return zEnd ? zEnd + 8 : q + strlen(q);
}

static void cfGenerateTitleFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  CfJsonOpt aOpt[2] = {
    {"now", CF_JT_STRING, 0, 0, 0},
    {"extra_body", CF_JT_OBJECT, 0, 0, 0}, /* as complete_chat's */
  };
  CfCall c;
  sqlite3_int64 iConv;
  const char *zOpts = 0;
  char *zErr = 0, *zFirst = 0, *zBody = 0, *zTitle = 0, *zExtraOpt = 0, *zExtra = 0;
  char zConv[24];
  int rc, rcDb = 0;
  memset(&c, 0, sizeof(c));
  if (cfCallOpen(ctx, p, argc, argv, "generate_title", aOpt, 2, 0, &iConv, &zOpts, &zErr)) goto done;
  if (cfCallReady(ctx, p, zOpts, aOpt[1].bPresent, "generate_title option extra_body", &zExtraOpt,
                  "chatflow: generate_title may make a network call and cannot run inside a transaction or a statement that reads tables; call SELECT generate_title(...) on its own",
                  &zErr, &rcDb)) {
    goto done;
  }
  sqlite3_snprintf(sizeof(zConv), zConv, "%lld", iConv);
  {
    const char *az[1] = {zConv};
    char *zOk = cfQueryText(p, "SELECT deleted_at IS NULL FROM chat_conversations WHERE id = ?1",
                            &rc, 1, az);
    if (rc != SQLITE_OK) goto db_error;
    /* (cfResultErrorMsg: a message that could not be made is out of memory) */
    if (zOk == 0) {
      cfResultErrorMsg(ctx, sqlite3_mprintf("chatflow: unknown conversation %lld", iConv));
      goto done;
    }
    if (strcmp(zOk, "1") != 0) {
      sqlite3_free(zOk);
      cfResultErrorMsg(ctx, sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld)"
                                            " first", iConv, iConv));
      goto done;
    }
    sqlite3_free(zOk);
    {
      /* the first user message with a visible character: the one
      ** add_message's title rule would have used (cfAutoTitle) */
      sqlite3_stmt *pFirst = 0;
      rc = sqlite3_prepare_v2(p->db,
                              "SELECT content FROM chat_messages WHERE conversation_id = ?1"
                              " AND role = 'user' AND content <> '' ORDER BY seq", -1, &pFirst, 0);
      if (rc == SQLITE_OK) rc = sqlite3_bind_int64(pFirst, 1, iConv);
      while (rc == SQLITE_OK && (rc = sqlite3_step(pFirst)) == SQLITE_ROW) {
        const char *zC = (const char *)sqlite3_column_text(pFirst, 0);
        rc = SQLITE_OK;
        if (zC == 0) {
          rc = SQLITE_NOMEM;
        } else if (cfTextHasVisible(zC)) {
          zFirst = sqlite3_mprintf("%s", zC);
          if (zFirst == 0) rc = SQLITE_NOMEM;
          break;
        }
      }
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
      sqlite3_finalize(pFirst);
    }
    if (rc != SQLITE_OK) goto db_error;
  }
  if (zFirst == 0) {
    cfResultErrorMsg(ctx, sqlite3_mprintf("chatflow: conversation %lld has no user message to title", iConv));
    goto done;
  }
  rc = cfCallSettings(p, &c);
  if (rc != SQLITE_OK) goto db_error;
  if (c.zModel && c.zModel[0]) {
    const char *az[3] = {c.zModel, zFirst, 0};
    rc = cfExtraBody(p, zExtraOpt, &zExtra, &zErr);
    if (zErr) goto done;
    if (rc == SQLITE_NOMEM) {
      sqlite3_result_error_nomem(ctx);
      goto done;
    }
    if (rc != SQLITE_OK) goto db_error;
    az[2] = zExtra;
    /* extra_body's members last, as complete_chat adds them */
    zBody = cfQueryText(p,
                        "SELECT CASE WHEN ?3 IS NULL THEN j"
                        "            ELSE substr(j, 1, length(j) - 1) || ',' || substr(json(?3), 2) END"
                        "  FROM (SELECT json_object('model', ?1, 'max_tokens', 32, 'messages', json_array("
                        " json_object('role', 'system', 'content', 'Write a short title (at most 8 words)"
                        " for a conversation that starts with the user message below. Reply with the title only,"
                        " no quotes.'),"
                        " json_object('role', 'user', 'content', substr(?2, 1, 2000)))) AS j)",
                        &rc, 3, az);
    if (rc != SQLITE_OK) goto db_error;
    zErr = cfCallProvider(p, &c, zBody);
    if (zErr) goto done;
    zTitle = cfModelTitle(cfAfterThink(c.zContent ? c.zContent : ""));
  } else {
    char *zAuto = cfAutoTitle(zFirst); /* 0: no visible character, or out of memory */
    zTitle = cfModelTitle(zAuto ? zAuto : "");
    sqlite3_free(zAuto);
  }
  if (zTitle == 0) {
    sqlite3_result_error_nomem(ctx);
    goto done;
  }
  {
    /* the title as cfModelTitle cleaned it; written in the usual
    ** SAVEPOINT with the connection clock */
    sqlite3_stmt *pStmt = 0;
    char zMs[24], zTok[24], zNow[CF_TIMESTAMP_LEN + 1];
    sqlite3_snprintf(sizeof(zMs), zMs, "%lld", c.nMs);
    sqlite3_snprintf(sizeof(zTok), zTok, "%lld", c.nTotal);
    cfNow(p, zNow);
    rc = cfBeginWrite(p, &zErr);
    if (rc != SQLITE_OK) goto done;
    rc = sqlite3_prepare_v2(
        p->db,
        "UPDATE chat_conversations SET title = t.title, updated_at = max(updated_at, ?6),"
        " metadata = CASE WHEN ?3 IS NULL THEN metadata ELSE json_set(metadata, '$.title_generation',"
        "   json_remove(json_object('model', ?3, 'tokens', CAST(?4 AS INTEGER), 'duration_ms', CAST(?5 AS INTEGER)),"
        /* a response without usage: no tokens key, as complete_chat's metadata */
        "               CASE WHEN ?4 IS NULL THEN '$.tokens' ELSE '$.no_such_member' END)) END"
        " FROM (SELECT ?2 AS title) AS t"
        " WHERE id = ?1 AND deleted_at IS NULL AND t.title <> ''"
        " RETURNING chat_conversations.title",
        -1, &pStmt, 0);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_text(pStmt, 2, zTitle, -1, SQLITE_STATIC);
      if (c.zModel && c.zModel[0]) {
        sqlite3_bind_text(pStmt, 3, c.zModelOut ? c.zModelOut : c.zModel, -1, SQLITE_STATIC);
        if (c.bUsage) sqlite3_bind_text(pStmt, 4, zTok, -1, SQLITE_STATIC);
        sqlite3_bind_text(pStmt, 5, zMs, -1, SQLITE_STATIC);
      }
      sqlite3_bind_text(pStmt, 6, zNow, -1, SQLITE_STATIC);
      rc = sqlite3_step(pStmt);
      if (rc == SQLITE_ROW) {
        sqlite3_result_text(ctx, (const char *)sqlite3_column_text(pStmt, 0), -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(pStmt);
        rc = (rc == SQLITE_DONE) ? SQLITE_OK : rc;
      } else if (rc == SQLITE_DONE) {
        /* no row: the title was empty, or the conversation went away during the call */
        int bEmpty = zTitle[0] == 0;
        zErr = bEmpty ? sqlite3_mprintf("chatflow: %s gave an empty title for conversation %lld; nothing stored",
                                        c.zModel && c.zModel[0] ? "the model" : "the first user message", iConv)
                      : sqlite3_mprintf("chatflow: conversation %lld was deleted during the call; nothing stored",
                                        iConv);
        rc = SQLITE_ERROR;
      }
    }
    sqlite3_finalize(pStmt);
    if (cfFinish(ctx, p, rc, &zErr) != SQLITE_OK) goto done;
  }
  goto done;
db_error:
  if ((rc & 0xff) == SQLITE_NOMEM) {
    sqlite3_result_error_nomem(ctx); /* (its message would say so, with SQLITE_ERROR) */
  } else {
    zErr = cfDbError(p->db, rc);
    rcDb = rc; /* the read's code goes with its message (SQLITE_IOERR_READ, ...) */
    if (zErr == 0) sqlite3_result_error_nomem(ctx);
  }
done:
  if (zErr) {
    cfResultErrorMsg(ctx, zErr);
    if (rcDb) cfResultCode(ctx, rcDb);
  }
  cfJsonOptionsFree(aOpt, 2);
  cfCallFree(&c);
  sqlite3_free(zFirst);
  sqlite3_free(zBody);
  sqlite3_free(zTitle);
  sqlite3_free(zExtraOpt);
  sqlite3_free(zExtra);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED(cfGenerateTitleFunc)
CF_TIMED(cfCompleteChatFunc)

int cfRegisterProvider(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* network and writes: never deterministic, never from views or triggers */
    {"complete_chat", 1, CF_WRITES, cfCompleteChatFunc},
    {"complete_chat", 2, CF_WRITES, cfCompleteChatFuncTimed},
    {"generate_title", 1, CF_WRITES, cfGenerateTitleFunc},
    {"generate_title", 2, CF_WRITES, cfGenerateTitleFuncTimed},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
