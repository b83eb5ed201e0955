/*
** chatflow_int.h — private declarations shared by the files of ext/.
**
** Ownership: every char* returned by a cf* helper comes from sqlite3_malloc
** and is freed by the caller with sqlite3_free, unless the comment says
** "borrowed".  json-c objects never cross this header (only provider.c
** uses json-c, for the HTTP request and response).
*/
#ifndef CHATFLOW_INT_H
#define CHATFLOW_INT_H

#include <sqlite3ext.h>
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT3
#endif
#include "chatflow.h" /* generated from chatflow.h.in into dist/gen/ */

#include <stdarg.h>
#include <stddef.h>

#ifndef CHATFLOW_VERSION
#define CHATFLOW_VERSION "0.0.0"
#endif
#ifndef CHATFLOW_COMMIT
#define CHATFLOW_COMMIT "unknown"
#endif
#ifndef CHATFLOW_BUILD_FLAGS
#define CHATFLOW_BUILD_FLAGS ""
#endif

/* Limits (defaults; content is settable with limits.max_content_chars). */
#define CF_MAX_CONTENT_CHARS_DEFAULT 100000
#define CF_MAX_CONTENT_CHARS_CEILING 10000000
#define CF_MAX_TITLE_CHARS 200
#define CF_AUTO_TITLE_CHARS 80
#define CF_MODEL_TITLE_CHARS 200 /* generate_title's title (cfModelTitle) */
#define CF_MAX_TOKENS 1000000000 /* a message's tokens, and a reply's usage counts */
#define CF_MAX_ID 9007199254740991LL /* 2^53 - 1: ids stay exact as JavaScript numbers */
#define CF_PREVIEW_CHARS 120 /* conversation_list's last_message_preview */
#define CF_MAX_NAME_CHARS 200          /* owner, key, uid, workflow_id */
#define CF_MAX_JSON_BYTES (1 << 20)    /* one JSON argument */
#define CF_MAX_JSON_DEPTH 32
#define CF_MAX_BLOB_BYTES (16 << 20)   /* one interrupt checkpoint */
#define CF_MAX_ERROR_CHARS 10000       /* fail_run's error text */
#define CF_LEASE_SECONDS_DEFAULT 300   /* runs.lease_seconds */
#define CF_MAX_AWAITING_TTL 31536000   /* start_run's ttl_seconds, runs.awaiting_ttl_seconds: a year */
#define CF_TIMESTAMP_LEN 24            /* YYYY-MM-DDTHH:MM:SS.sssZ */
#define CF_TIMESTAMP_FRAC_MAX 9        /* digits of a second cfParseTimestamp reads */

/* Cached statements, one slot each; see cfStmt(). */
enum {
  CF_STMT_SCHEMA_VERSION = 0,
  CF_STMT_LOCK,
  CF_STMT_SAVEPOINT,
  CF_STMT_RELEASE,
  CF_STMT_ROLLBACK,
  CF_STMT_ROLLBACK_ALL,
  CF_STMT_PIN_CLOCK,
  CF_STMT_UNPIN_CLOCK,
  CF_STMT_CONV_GET,
  CF_STMT_CONV_ACTIVE_RUN,
  CF_STMT_RUN_GET,
  CF_STMT_MSG_RUN_GET,
  CF_STMT_MSG_INSERT,
  CF_STMT_MSG_INSERT_UID,
  CF_STMT_MSG_RETRY,
  CF_STMT_MSG_SHAPE,
  CF_STMT_MSG_ANSWERS,
  CF_STMT_MSG_PARENT, /* messages.c: a parent_id's conversation */
  CF_STMT_MSG_EDIT_OF, /* messages.c: edit_message's message */
  CF_STMT_MSG_CALL_UP, /* messages.c: a tool call up the branch */
  CF_STMT_HISTORY_UP, /* history_vtab.c: a message's parent, up a branch */
  CF_STMT_HISTORY_CONV,        /* history_vtab.c: the conversation, run and branch of a window */
  CF_STMT_HISTORY_SYSTEM,      /* history_vtab.c: the system messages' tokens of a chain */
  CF_STMT_HISTORY_WALK,        /* history_vtab.c: a chain's messages, newest first */
  CF_STMT_HISTORY_CALL_CHAIN,  /* history_vtab.c: does a result's call come before it (chain) */
  CF_STMT_HISTORY_CALL_BRANCH, /* history_vtab.c: does a message hold a call (branch) */
  CF_STMT_HISTORY_PART_IDS,    /* history_vtab.c: the call ids of an assistant message */
  CF_STMT_SET_TITLE,
  CF_STMT_SETTING_GET,
  CF_STMT_JSON_LOAD,    /* json.c: kind of a JSON value, duplicate keys */
  CF_STMT_JSON_OPTIONS, /* json.c: members of an options object */
  CF_STMT_JSON_PARTS,   /* json.c: items of a parts array */
  CF_STMT_JSON_PART_TOOL, /* json.c: the fields of a tool part */
  CF_STMT_JSON_PART_FILE, /* json.c: the fields of a file part */
  CF_STMT_JSON_RESUME,  /* json.c: a resume_run answer */
  CF_STMT_STEP_NAMES, /* runs.c: is a step of the workflow, and its steps */
  CF_STMT_RUN_MOVE, /* runs.c: a run to another status and step */
  CF_STMT_START_CHECK, /* runs.c: start_run's conversation, workflow and active run */
  CF_STMT_RUN_INSERT, /* runs.c: start_run's new run */
  CF_STMT_RUN_RETRY, /* runs.c: start_run's run with the uid given */
  CF_STMT_QUEUE_CANCEL, /* runs.c: start_run cancels the queue */
  CF_STMT_TRANSITION, /* runs.c: is a move a row of workflow_run_transitions */
  CF_STMT_ACTIVE_OF, /* runs.c: a conversation's active run, for a message */
  CF_STMT_RUN_ROLLBACK, /* runs.c: start_run deletes the active run (rollback) */
  CF_STMT_STATE_MERGE, /* runs.c: merge_run_state */
  CF_STMT_NEXT_STEP, /* workflow.c: the step after a run's */
  CF_STMT_STATUS_JSON, /* workflow.c: {status, current_step} of a run */
  CF_STMT_APPROVAL, /* workflow.c: a resume_run approval's proposal */
  CF_STMT_CLARIFY, /* workflow.c: add_clarification */
  CF_STMT_CLARIFY_LIMIT, /* workflow.c: a clarification's answer over the content limit */
  CF_STMT_HEARTBEAT, /* workflow.c: heartbeat_run's lease */
  CF_STMT_EXPIRE, /* workflow.c: expire_stale_runs */
  CF_STMT_PROPOSAL_INSERT, /* workflow.c: add_proposal */
  CF_STMT_PROPOSAL_RUN, /* workflow.c: a proposal's run */
  CF_STMT_RESUME_CLARIFY, /* workflow.c: resume_run appends a clarification */
  CF_STMT_RESUME_CLARIFY_MANY, /* workflow.c: resume_run appends several */
  CF_STMT_RESUME_APPROVE, /* workflow.c: resume_run approves a proposal */
  CF_STMT_BUSINESS_CONTEXT, /* workflow.c: set_business_context */
  CF_STMT_VALIDATE, /* workflow.c: validate_proposal */
  CF_STMT_CONV_BY_KEY, /* conversations.c: find_or_create's lookup */
  CF_STMT_CONV_UID_TAKEN, /* conversations.c: is a uid taken */
  CF_STMT_CONV_INSERT, /* conversations.c: a new conversation */
  CF_STMT_CONV_DELETED, /* conversations.c: delete/restore's state */
  CF_STMT_INTERRUPT_DELETE, /* interrupt_vtab.c: DELETE */
  CF_STMT_INTERRUPT_SAME_ID, /* interrupt_vtab.c: UPDATE keeps the id */
  CF_STMT_INTERRUPT_REPLACE, /* interrupt_vtab.c: a save that replaces a row */
  CF_STMT_INTERRUPT_INSERT, /* interrupt_vtab.c: a save of a new workflow_id */
  CF_STMT_INTERRUPT_ROWID, /* interrupt_vtab.c: the row a save replaces */
  CF_STMT_RETENTION_CUTOFF, /* retention.c: now minus the days */
  CF_STMT_RETENTION_ARCHIVE, /* retention.c: archive_old_conversations */
  CF_STMT_RETENTION_DELETE, /* retention.c: delete_old_messages */
  CF_STMT_RETENTION_PURGE, /* retention.c: purge_deleted, its two statements */
  CF_STMT_RETENTION_PURGE_2,
  CF_STMT_CONV_DELETE, /* conversations.c: delete_conversation, */
  CF_STMT_CONV_RESTORE, /* restore_conversation, */
  CF_STMT_CONV_PURGE, /* purge_conversation (in this order) */
  CF_STMT_CONV_UPDATE, /* conversations.c: update_conversation */
  CF_STMT_CONV_BY_UID, /* conversations.c: conversation_by_uid */
  CF_STMT_MSG_DELETE_AFTER, /* conversations.c: delete_messages after a seq, */
  CF_STMT_MSG_DELETE_RUN, /* a run's messages, */
  CF_STMT_MSG_DELETE_RUN_OF, /* the run's conversation */
  CF_STMT_INDEX_MARK, /* index.c: chatflow_search_state.indexed_upto */
  CF_STMT_INDEX_MOVE, /* index.c: moves it forward (the schema indexes) */
  CF_STMT_DRAFT_INSERT, /* messages.c: begin_message's draft, */
  CF_STMT_DRAFT_INSERT_UID, /* with a uid */
  CF_STMT_DRAFT_APPEND, /* drafts.c: append_message */
  CF_STMT_DRAFT_STATE, /* drafts.c: why a draft took no append */
  CF_STMT_DRAFT_EMPTY, /* drafts.c: finish_message's is-a-draft check */
  CF_STMT_DRAFT_FINISH, /* drafts.c: finish_message */
  CF_STMT_DRAFT_NO_TOKENS, /* drafts.c: finish_message with tokens 0 */
  CF_STMT_DRAFT_ABORT, /* drafts.c: abort_message, expire_stale_runs' drafts */
  CF_STMT_COUNT
};
/* SQL: the integer the expression x (SQL text) holds, as an integer or an
** integer-valued real (4.0: what json_object writes for a number a
** JavaScript binding bound), else NULL.  For counts read from JSON. */
#define CF_SQL_INTEGER_OF(x) \
  "CASE WHEN typeof(" x ") = 'integer' THEN " x " WHEN typeof(" x ") = 'real' AND " x \
  " = CAST(" x " AS INTEGER) THEN CAST(" x " AS INTEGER) END"

/* json.c's statements, on CfConn.dbJson: slot k is CF_STMT_JSON_LOAD + k */
#define CF_STMT_JSON_COUNT (CF_STMT_JSON_RESUME - CF_STMT_JSON_LOAD + 1)

/* Statements cached by their text (cfStmtText): import, fork, export. */
#define CF_STMT_TEXT_SLOTS 24

/* index.c: a set of messages waiting for the search index, by content. */
typedef struct CfPendKey {
  sqlite3_int64 iMark, nRow, iMax; /* the mark, how many, the largest id */
  sqlite3_uint64 h;                /* a hash of their ids and texts in id order */
} CfPendKey;

/* langgraph.c: a group of a LangGraph table (a thread's conversation and
** namespace), where langgraph_prune_checkpoints' walk of that table
** resumes. */
typedef struct CfLgGroup {
  int bSet;
  sqlite3_int64 iConv;
  char *zNs; /* sqlite3_malloc'd, nNs bytes (no NUL inside) */
  int nNs;
} CfLgGroup;

/* Per-connection state: user data of every function and module. */
typedef struct CfConn CfConn;
struct CfConn {
  sqlite3 *db;
  int bClockPinned;                       /* chatflow_clock(ts) was called */
  char zPinned[CF_TIMESTAMP_LEN + 1];     /* the pinned time */
  int bCallNow;                           /* the current call gave a time (option now) */
  char zCallNow[CF_TIMESTAMP_LEN + 1];    /* that time; it wins over the pin */
  sqlite3_stmt *aStmt[CF_STMT_COUNT];     /* finalized by cfConnFinalize */
  sqlite3_stmt *aText[CF_STMT_TEXT_SLOTS]; /* cfStmtText's, likewise */
  unsigned char aTextUse[CF_STMT_TEXT_SLOTS]; /* held between cfStmtText and cfStmtDone */
  int iTextNext;                          /* the slot cfStmtText fills next */
  int nGuard;                             /* connected chatflow_statement_cache tables */
  int bDestroyed;                         /* the guard module's destructor ran */
  int nTxn;                               /* open write brackets (write.c) */
  int bTxnOwn;                            /* the outermost one began the transaction */
  int eEntry;                             /* CF_ENTRY_*: what was held when it began */
  int eTempRestore;                       /* write.c: temp_store still to set back (value + 1), or 0 */
  int eUndo;                              /* CF_UNDO_*: left by a call SQLite stopped */
  sqlite3 *dbPending;                     /* index.c: messages not indexed yet, for search */
  int bPendingValid;                      /* dbPending holds the set pendKey names */
  CfPendKey pendKey;
  /* json.c: a private in-memory connection for checking JSON arguments
  ** (json_each would open a read transaction on the caller's connection),
  ** and its statements, CF_STMT_JSON_LOAD .. CF_STMT_JSON_RESUME */
  sqlite3 *dbJson;
  sqlite3_stmt *aJsonStmt[CF_STMT_JSON_COUNT];
  /* cfCheckSchema: the version was this build's in the open transaction of
  ** main on this file at this data version (see cfCheckSchema) */
  int bSchemaOk;
  sqlite3_file *pSchemaFile;
  unsigned int iSchemaDv;
  /* chatflow_init ran inside a caller's transaction at data version
  ** iSchemaHoldDv: a ROLLBACK can take its migration back */
  int bSchemaHold;
  unsigned int iSchemaHoldDv;
  /* langgraph.c: where the prune's walks of langgraph_checkpoints [0] and
  ** langgraph_blobs [1] resume */
  CfLgGroup aLgResume[2];
};

/* The schema version this build creates (number of embedded migrations). */
extern const int cfSchemaVersion;
extern const char *const cfMigrationSql[];
extern const char *const cfMigrationName[];
/* The schema's refusals that C tells by their text and says in its own
** words, generated from the migrations' "-- C:" marks (scripts/embed-sql):
** cfSqlEmptyContent, chat_messages' CHECK on empty content ("CHECK
** constraint failed: chatflow: message content must not be empty unless
** ..."), the one rule of when a complete message's content may be empty
** (parts given, tool_calls being parts; a tool result answering a call,
** its metadata.tool_call_id); cfSqlTooLong, the triggers' limit of
** limits.max_content_chars. */
extern const char cfSqlEmptyContent[];
extern const char cfSqlTooLong[];

/* util.c */
void cfResultError(sqlite3_context *ctx, const char *zFmt, ...);
char *cfDbError(sqlite3 *db, int rc);
void cfResultErrorMsg(sqlite3_context *ctx, char *zErr);
void cfResultUtf8(sqlite3_context *ctx, const char *z, int n, void (*xDel)(void *));
void cfResultErrorFromDb(sqlite3_context *ctx, sqlite3 *db, int rc);
void cfVtabError(sqlite3_vtab *pVtab, const char *zFmt, ...);
char *cfMprintfV(const char *zFmt, va_list ap);
void cfNow(CfConn *p, char *zBuf);
const char *cfClockFixed(CfConn *p);
/* The time of one call (the option now): a writing function's wrapper
** saves the connection's per-call time before the call and restores it
** after (CF_TIMED, CF_TIMED_OPTS), so it never outlives the call, error
** or not; the function sets it from its options with cfCallTimeSet. */
typedef struct CfCallTime {
  int bSet;
  char z[CF_TIMESTAMP_LEN + 1];
} CfCallTime;
void cfCallTimeSave(CfConn *p, CfCallTime *pSave);
void cfCallTimeRestore(CfConn *p, const CfCallTime *pSave);
int cfCallTimeSet(CfConn *p, const char *zText, char **pzErr);
/* The latest time the clock may be pinned to (chatflow_clock, the option
** now): a run's lease or TTL counted from it (at most a year) must still
** be a timestamp of year 9999 or before. */
#define CF_CLOCK_MAX "9999-01-01T00:00:00.000Z"
int cfCallTimeOptions(sqlite3_context *ctx, CfConn *p, sqlite3_value *vOpts, const char *zFunc);
/* xName##Timed: xName between a save and a restore of the per-call time
** (for a function that reads the option now from its own options). */
#define CF_TIMED(xName)                                                          \
  static void xName##Timed(sqlite3_context *ctx, int argc, sqlite3_value **argv) { \
    CfConn *pT_ = (CfConn *)sqlite3_user_data(ctx);                              \
    CfCallTime s_;                                                               \
    cfCallTimeSave(pT_, &s_);                                                    \
    xName(ctx, argc, argv);                                                      \
    cfCallTimeRestore(pT_, &s_);                                                 \
  }
/* xName##Timed for a function whose trailing argument iOpt (0-based) is an
** options_json holding only now: that argument is read here and xName
** sees the call without it (argc at most iOpt). */
#define CF_TIMED_OPTS(xName, iOpt, zFunc)                                        \
  static void xName##Timed(sqlite3_context *ctx, int argc, sqlite3_value **argv) { \
    CfConn *pT_ = (CfConn *)sqlite3_user_data(ctx);                              \
    CfCallTime s_;                                                               \
    cfCallTimeSave(pT_, &s_);                                                    \
    if (argc <= (iOpt) || cfCallTimeOptions(ctx, pT_, argv[iOpt], zFunc) == 0) {  \
      xName(ctx, argc > (iOpt) ? (iOpt) : argc, argv);                           \
    }                                                                            \
    cfCallTimeRestore(pT_, &s_);                                                 \
  }
int cfParseTimestamp(const char *z, char *zOut);
int cfStmt(CfConn *p, int iStmt, const char *zSql, sqlite3_stmt **ppStmt);
int cfStmtSlot(sqlite3 *db, sqlite3_stmt **ppSlot, const char *zSql, sqlite3_stmt **ppStmt);
int cfStmtText(CfConn *p, const char *zSql, sqlite3_stmt **ppStmt);
void cfStmtDone(CfConn *p, sqlite3_stmt *pStmt);
void cfConnFinalize(CfConn *p);
int cfCheckSchema(CfConn *p, char **pzErr);
void cfSchemaForget(CfConn *p, int bHold);
int cfSchemaResult(sqlite3_context *ctx, CfConn *p);
int cfMaxContentChars(CfConn *p, int *pnMax);
int cfSettingInt(CfConn *p, const char *zKey, int iDefault, int *pnOut);
char *cfSettingText(CfConn *p, const char *zKey, int *pRc);

/* index.c: messages reach the search indexes in batches. */
int cfIndexAfterInsert(CfConn *p, sqlite3_int64 iLast);
int cfSearchPending(CfConn *p, int *pbTail, char **pzErr);
int cfPendingJson(CfConn *p, const char *zSql, const char *zArg, const char *zQuery, char **pzJson,
                  char **pzErr);
int cfPendingRanked(CfConn *p, const char *zMatch, const char *zQuery, char **pzRows, char **pzErr);

/* text.c: UTF-8, graphemes, titles. */
int cfUtf8Valid(const unsigned char *z, int n);
int cfUtf8Chars(const unsigned char *z, int n);
size_t cfGraphemeFloor(const char *z, size_t n, size_t iCut);
char *cfAutoTitle(const char *zContent);
char *cfUidDiffersError(const char *zUid, sqlite3_int64 iConv);
char *cfUidParentError(const char *zUid, sqlite3_int64 iConv, sqlite3_int64 iStored);
int cfTextHasVisible(const char *z);
size_t cfTextVisibleSpan(const char *z, size_t n, size_t *piFirst);
char *cfModelTitle(const char *zReply);
size_t cfPreviewLen(const char *z, size_t n);
char *cfUtf8Repair(const char *z, int n, int *pnOut);
char *cfUtf8Show(const char *z, int n);
/* text.c, for search: grapheme walks from a known boundary, the class of
** a code point, the trigram indexes' rule (a code point >= U+0E00). */
size_t cfGraphemeNext(const char *z, size_t n, size_t i);
size_t cfGraphemeAround(const char *z, size_t n, size_t iFrom, size_t iOff, size_t *piFloor);
#define CF_TEXT_OTHER 0
#define CF_TEXT_PUNCT 1
#define CF_TEXT_SPACE 2
int cfTextClassAt(const char *z, size_t n, size_t i, size_t *pnLen);
int cfTextFormatBreak(const char *z, size_t n, size_t i, size_t *pnLen);
int cfUtf8HasScript(const unsigned char *z, int n);

/* write.c: the write bracket every writing function uses. */
int cfBeginWrite(CfConn *p, char **pzErr);
int cfBeginWriteResult(sqlite3_context *ctx, CfConn *p);
int cfFinish(sqlite3_context *ctx, CfConn *p, int rc, char **pzErr);
void cfEndAfterError(CfConn *p, int rc);
int cfInitBegin(CfConn *p, char **pzErr);
int cfInitEnd(CfConn *p, int rc, char **pzErr);
char *cfWriteError(CfConn *p, int rc);
int cfJsonCheckFailed(const char *zMsg);
int cfUndoPending(CfConn *p);
void cfResultCode(sqlite3_context *ctx, int rc);
int cfKeepCode(int rc);
int cfBusyWaitOff(sqlite3 *db);
void cfBusyWaitOn(sqlite3 *db, int ms);

/* Argument checks: each sets an error on ctx and returns non-zero on failure. */
int cfValueInteger(sqlite3_value *v, sqlite3_int64 *piOut);
int cfJsonValueInteger(sqlite3_value *v, sqlite3_int64 *piOut);
const char *cfJsonIntegerGot(sqlite3_value *v);
char *cfTextLimitError(const char *zWhat, const char *z, int n, int nMax, int bNonEmpty, int *pbNoMem);
/* "got ..." of an argument error: "integer 5", "real 1.5", "text '1'", ...
** The longest is a text of 60 quotes, each doubled: "text '" (6 bytes),
** 120 bytes, "'" and the NUL, 128 bytes, so no text is ever cut. */
#define CF_VALUE_DESC_LEN 128
const char *cfValueDesc(sqlite3_value *v, char *zBuf);
const char *cfValueDescInt(sqlite3_value *v, char *zBuf);
/* ... of a JSON member: zType its json_type() (0: absent), v its
** json_extract(): "none", "null", "true", "object", "integer 5", "text 'a'";
** sticky on *pRc (SQLITE_NOMEM when v cannot be read) */
const char *cfJsonValueDesc(const char *zType, sqlite3_value *v, char *zBuf, int *pRc);
int cfArgId(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, sqlite3_int64 *piOut);
int cfArgIntRange(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, sqlite3_int64 iMin,
                  sqlite3_int64 iMax, sqlite3_int64 *piOut);
int cfArgText(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, int nMaxChars,
              int bAllowNull, int bAllowEmpty, const char **pzOut);
int cfTextCheck(sqlite3_value *v, const char *zWhat, int nMaxChars, int bAllowNull, int bAllowEmpty,
                const char **pzOut, char **pzErr);

/* Call ids that must differ within one message (its tool calls, whatever
** form they come in).  cfFirstDuplicate sorts a[0..n-1] and returns the
** position (CfCallId.i) of the first entry, in the callers' order, whose
** text equals an earlier one's, with that earlier position in *piFirst;
** -1 when all differ.  O(n log n): a message or a provider response may
** hold many calls. */
typedef struct CfCallId {
  const char *z; /* the id's bytes (not necessarily NUL-terminated) */
  int n;         /* their number */
  int i;         /* the call's position in the caller's list */
} CfCallId;
int cfFirstDuplicate(CfCallId *a, int n, int *piFirst);

/* json.c: JSON arguments, checked by a strict scanner and read with
** SQLite's JSON functions on the connection (p).  Each returns SQLITE_OK,
** SQLITE_ERROR with *pzErr set, or another SQLite code (SQLITE_NOMEM comes
** without a message: report it with sqlite3_result_error_nomem). */
int cfJsonCheck(CfConn *p, const char *z, int n, char **pzErr); /* p may be 0 */
int cfJsonCheckAs(CfConn *p, const char *z, int n, const char *zWhat, char **pzErr);
int cfJsonKeyTwice(CfConn *p, const char *z, int n, int *pbTwice);
int cfToolStateKnown(const char *z); /* a state of an AI SDK tool part */
int cfToolStateHasResult(const char *z); /* ... one whose part carries its result */
/* SQL: the part j.value (json_each of a message's parts, alias j) is a tool
** call whose id is zId (an SQL expression): chatflow's "tool-call" part by
** its id, an AI SDK tool part by its toolCallId. */
#define CF_SQL_PART_CALLS(zId) \
  "CASE WHEN j.type = 'object' THEN" \
  " (json_extract(j.value, '$.type') = 'tool-call' AND json_extract(j.value, '$.id') = " zId ")" \
  " OR json_extract(j.value, '$.toolCallId') = " zId " END"
/* The text gate alone (\u0000, lone surrogates), for JSON a parser has
** already accepted: "chatflow: <zWhat> has a key ...", "chatflow:
** <zWithin>: <path> contains a NUL character (\u0000)". */
int cfJsonTextCheck(const char *z, int n, const char *zWhat, const char *zWithin, char **pzErr);
int cfJsonDepth(const char *z, int n);
/* One member of a JSON object, as spans of its text: the key without its
** quotes (as written: escapes not decoded) and the value. */
typedef struct CfJsonMember {
  const char *zKey;
  int nKey;
  const char *zVal;
  int nVal;
} CfJsonMember;
int cfJsonMembers(const char *z, int n, CfJsonMember *a, int nMax);
const char *cfJsonKindName(const char *z, int n);
/* The member zPath ("$.id", "$") of the JSON z[0..n) for the "got ..."
** of an error (cfJsonValueDesc), read on db; sticky on *pRc. */
const char *cfJsonMemberDesc(sqlite3 *db, const char *z, int n, const char *zPath, char *zBuf, int *pRc);
/* What the errors call a json_type() name ("an array" for "array", "a
** string" for "text", "null" for 0). */
const char *cfJsonTypeName(const char *zType);
typedef struct CfJsonOpt CfJsonOpt;
struct CfJsonOpt {
  const char *zKey;   /* option name */
  int eType;          /* CF_JT_* accepted */
  int bPresent;       /* out: the option was given (and not null) */
  sqlite3_int64 iVal; /* out: CF_JT_INT, CF_JT_BOOL; an array's length */
  char *zVal;         /* out: CF_JT_STRING, sqlite3_malloc'd, caller frees */
  int bUnlisted;      /* in: read only so that the function can refuse it with
                      ** its own reason (edit_message's parent_id): not named
                      ** in the list of the unknown-option error */
};
#define CF_JT_STRING 0x01
#define CF_JT_INT    0x02
#define CF_JT_OBJECT 0x04
#define CF_JT_ARRAY  0x08
#define CF_JT_BOOL   0x10
#define CF_JT_NUMBER 0x40   /* a JSON number with a fraction; zVal holds its text */
#define CF_JT_PARTS  0x20   /* an array of {"type": ...} message parts */
/* The options_json argument: NULL or the JSON text null is none (*pzOut
** 0); else text, named "<zFunc> options" in the errors. */
int cfJsonOptionsText(sqlite3_value *v, const char *zFunc, const char **pzOut, char **pzErr);
int cfArgOptions(sqlite3_context *ctx, sqlite3_value *v, const char *zFunc, const char **pzOut);
/* ctx (may be 0): an error without a message (SQLITE_NOMEM …) is also set
** on it, so a caller that reports only *pzErr still fails the call. */
int cfJsonOptionsConn(sqlite3_context *ctx, CfConn *p, const char *zJson, int nJson,
                      const char *zFunc, CfJsonOpt *aOpt, int nOpt, char **pzErr);
/* Transitional, for callers that do not pass their connection yet
** (search_vtab.c, provider.c): runs on a private in-memory connection;
** every error comes with a message. */
int cfJsonOptions(const char *zJson, int nJson, const char *zFunc, CfJsonOpt *aOpt, int nOpt,
                  char **pzErr);
void cfJsonOptionsFree(CfJsonOpt *aOpt, int nOpt);
int cfJsonResumeCheck(CfConn *p, const char *z, int n, int *pnClar, int *pnAppr, char **pzErr);
sqlite3 *cfJsonConnection(CfConn *p);
int cfJsonPartsValid(CfConn *p, const char *zParts, int nParts, const char *zKey, char **pzErr);
/* Reads p from sqlite3_user_data(ctx); sets the error on ctx itself. */
int cfJsonArgument(sqlite3_context *ctx, sqlite3_value *v, const char *zWhat, int eType,
                   const char **pzOut);

/* runs.c: a run as the functions need it, and the shared moves. */
typedef struct CfRun {
  sqlite3_int64 iId, iConv;
  char zStatus[32];
  char *zWorkflow; /* sqlite3_malloc'd */
  char *zStep;     /* sqlite3_malloc'd */
} CfRun;

/* A run's statuses, for messages (the order of runs.c's table). */
#define CF_RUN_STATUSES \
  "started, awaiting_clarification, awaiting_approval, processing, completed, failed, cancelled, queued, expired"
int cfRunStatusIndex(const char *z);
int cfStatusTerminal(const char *z);
int cfExpireStale(CfConn *p, const char *zNow, sqlite3_int64 iConv, int *pn);
void cfRunFree(CfRun *r);
int cfRunLoad(CfConn *p, sqlite3_int64 iRun, CfRun *r, char **pzErr);
int cfRunLoadLive(CfConn *p, sqlite3_int64 iRun, CfRun *r, const char *zWhat, char **pzErr);
int cfRunMove(CfConn *p, CfRun *r, const char *zTo, const char *zStep, const char *zError,
              const char *zPatch, int bAnswer, const char *zNow, char **pzErr);
int cfStepOnce(sqlite3_stmt *pStmt);

/* Registration, one per concept file. */
int cfRegisterSchema(sqlite3 *db, CfConn *p);
int cfRegisterIndex(sqlite3 *db, CfConn *p);
int cfRegisterConversations(sqlite3 *db, CfConn *p);
int cfRegisterMessages(sqlite3 *db, CfConn *p);
/* messages.c: begin_message (add_message's checks, a draft); drafts.c: the rest. */
void cfBeginMessageFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv);
int cfRegisterDrafts(sqlite3 *db, CfConn *p);
int cfExpireDrafts(CfConn *p, const char *zNow, int *pn, char **pzErr);
int cfRegisterBranches(sqlite3 *db, CfConn *p);
/* history_vtab.c: checks the arguments of a history window (conversation,
** max_tokens, run_id: each may be 0 or NULL but the first) and prepares the
** window's rows by seq, selecting zCols (which must end with seq).  With
** bCached the caller gives the statement back with cfStmtDone() before its
** own call returns, so it may come from the statement cache; without, it is
** the caller's to finalize (a table-valued function's rows outlive the
** call). */
int cfHistoryWindow(CfConn *p, sqlite3_value *vConv, sqlite3_value *vMax, sqlite3_value *vRun,
                    const char *zCols, int bCached, sqlite3_stmt **ppStmt, char **pzErr);
int cfRegisterRuns(sqlite3 *db, CfConn *p);
int cfRegisterHistory(sqlite3 *db, CfConn *p);
/* history_vtab.c: the id of a message part that is a tool call (a json-c
** object: chatflow's "tool-call" part's id, an AI SDK tool part's
** toolCallId), or 0; the replay's and chat_ui_messages' one reading. */
struct json_object;
/* How deep stored JSON may nest for json-c readers of it (the replay,
** chat_ui_messages): SQLite's JSON functions, which checked it, go to
** 1000 levels; so a parse of stored JSON fails only for want of memory. */
#define CF_STORED_JSON_DEPTH 1001
const char *cfPartCallId(struct json_object *pPart);
/* ... whether a parts array (or 0) holds a call with that id; and the text
** a message is sent with (its content, else its text parts, one per
** line; sqlite3_malloc'd, 0 and *pbOom when out of memory). */
int cfPartsCall(struct json_object *pParts, const char *zId);
char *cfMessageText(const char *zContent, struct json_object *pParts, int *pbOom);
int cfRegisterUi(sqlite3 *db, CfConn *p);
int cfRegisterInterrupt(sqlite3 *db, CfConn *p);
int cfRegisterWorkflow(sqlite3 *db, CfConn *p);
int cfRegisterProvider(sqlite3 *db, CfConn *p);
/* provider.c: the llm.base_url and llm.extra_body rules, shared with
** chatflow_config. */
int cfBaseUrlCheck(const char *zKey, const char *zUrl, char **pzErr);
int cfExtraBodyCheck(CfConn *p, const char *zWhat, const char *z, int n, char **pzErr);
int cfRegisterRetention(sqlite3 *db, CfConn *p);
int cfRegisterList(sqlite3 *db, CfConn *p);
/* The text a list preview is made of, as an SQL expression on a chat_messages
** row named m: its content, or, when the content is empty, the text of its
** "text" parts joined with a space (a message of parts only). Used by
** conversation_list and export_conversation, inside chatflow_preview(). */
#define CF_PREVIEW_TEXT(m) \
  "CASE WHEN " m ".content <> '' OR " m ".parts IS NULL THEN " m ".content" \
  " ELSE (SELECT group_concat(json_extract(pt.value, '$.text'), ' ') FROM json_each(" m ".parts) AS pt" \
  "       WHERE json_extract(pt.value, '$.type') = 'text'" \
  "         AND json_type(pt.value, '$.text') = 'text') END"
int cfRegisterPage(sqlite3 *db, CfConn *p);
int cfRegisterCheck(sqlite3 *db, CfConn *p);
int cfRegisterSearch(sqlite3 *db, CfConn *p);
int cfRegisterSnippet(sqlite3 *db);
fts5_api *cfFts5Api(sqlite3 *db);
/* snippet.c, for search_vtab.c: where a query's terms occur in a text, as
** the trigram index (bScript: substrings, folded) and the word index
** (phrases of unicode61 tokens) see them, and the snippet around them. */
typedef struct CfSnipMatch {
  int iStart, iEnd;  /* bytes of the text */
  int iTerm;
} CfSnipMatch;
typedef struct CfLocator CfLocator;
int cfLocatorNew(sqlite3 *db, CfLocator **pp);
int cfLocatorTerm(CfLocator *p, const char *z, int n, int bScript, int bPrefix, char **pzFold);
int cfLocatorFind(CfLocator *p, const char *z, int n, const CfSnipMatch **paMatch, int *pnMatch);
int cfLocatorCount(const CfLocator *p, int iTerm);
int cfLocatorFold(CfLocator *p, const char *z, int n, char **pzFold);
int cfLocatorWordTokens(CfLocator *p, const char *z, int n, int *pnTok);
void cfLocatorFree(CfLocator *p);
char *cfSnippetAround(const char *z, int n, const CfSnipMatch *aMatch, int nMatch, int nTerm,
                      int nWindow, const char *zOpen, const char *zClose, const char *zEllips,
                      int *pRc);
int cfRegisterExport(sqlite3 *db, CfConn *p);
int cfRegisterLanggraph(sqlite3 *db, CfConn *p);

/* schema.c: PRAGMA trusted_schema=OFF.  SQLite 3.40 (Debian 12) does not
** count the JSON functions of chatflow's CHECK constraints and triggers,
** nor writes to its FTS5 tables from triggers, as innocuous, so with
** trusted_schema=OFF it refuses every statement on chatflow's tables
** (3.53 accepts them).
** Given SQLite's error message zMsg, returns the one message that says what
** to do (sqlite3_malloc'd), or 0 when zMsg has another cause. */
#define CF_TRUSTED_SCHEMA_MSG                                                         \
  "chatflow: PRAGMA trusted_schema=OFF: SQLite %s does not count the JSON functions " \
  "and FTS5 tables of chatflow's CHECK constraints and triggers as safe, so it "      \
  "refuses the schema; enable it on this connection with PRAGMA trusted_schema=ON"
char *cfTrustedSchemaError(sqlite3 *db, const char *zMsg);

/* tvf.c: a read-only table-valued function backed by one statement. */
typedef struct CfTvfRows CfTvfRows;
typedef struct CfTvfDef {
  const char *zName;   /* the function (module) name */
  const char *zSchema; /* CREATE TABLE x(<visible columns>, <arguments> HIDDEN, ...) */
  int nCol;            /* visible columns: the statement's first nCol columns */
  int nArg;            /* hidden argument columns (at most 4), after them */
  const char *zUsage;  /* the error when the first argument is missing */
  int iOrderCol;       /* the column whose ascending order the rows have, or -1 */
  /* Checks aArg (0 for an argument not given) and prepares the rows. */
  int (*xPrepare)(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt, char **pzErr);
  /* Optional: the message for an error while stepping, or 0 for the default. */
  char *(*xStepError)(CfConn *p, sqlite3_value **aArg, int rc);
  /* Optional, used instead of xPrepare: prepares *ppStmt as xPrepare does,
  ** or leaves it 0 and hands over rows made in C in *ppRows. */
  int (*xPrepareRows)(CfConn *p, sqlite3_value **aArg, sqlite3_stmt **ppStmt,
                      CfTvfRows **ppRows, char **pzErr);
  /* Optional: hidden columns of the rows, declared after the arguments
  ** (left out of SELECT *, selected by name): the statement's columns
  ** nCol .. nCol + nHidden - 1 (the cells of a row made in C the same). */
  int nHidden;
} CfTvfDef;
int cfRegisterTvf(sqlite3 *db, CfConn *p, const CfTvfDef *pDef);
/* Rows made in C: nCol cells a row; a cell is NULL (eType 0), an integer,
** a float or text (zText owned, from sqlite3_malloc). */
typedef struct CfTvfCell {
  int eType;          /* 0 (NULL), SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
  sqlite3_int64 iVal;
  double rVal;
  char *zText;
  int nText;
} CfTvfCell;
struct CfTvfRows {
  int nCol, nRow, nAlloc;
  CfTvfCell *aCell;   /* nRow * nCol */
};
CfTvfRows *cfTvfRowsNew(int nCol);
CfTvfCell *cfTvfRowsAppend(CfTvfRows *p); /* a row of NULL cells, or 0 (out of memory) */
void cfTvfRowsFree(CfTvfRows *p);

/* A row of a registration table. */
typedef struct CfFuncDef {
  const char *zName;
  int nArg;
  int eFlags;
  void (*xFunc)(sqlite3_context *, int, sqlite3_value **);
} CfFuncDef;
int cfRegisterGuard(sqlite3 *db, CfConn *p);
int cfRegisterFuncs(sqlite3 *db, CfConn *p, const CfFuncDef *a, int n);

#define CF_PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#define CF_READS (SQLITE_UTF8 | SQLITE_INNOCUOUS)
#define CF_WRITES (SQLITE_UTF8 | SQLITE_DIRECTONLY)

/* "col is an active status", written as the schema writes it (an OR of
** equalities, the same expression as the partial index
** workflow_runs_one_active, so that the planner uses it; an IN list of
** constants would build an ephemeral table at every evaluation). */
#define CF_ACTIVE(col) \
  "(" col " = 'started' OR " col " = 'awaiting_clarification' OR " col " = 'awaiting_approval' OR " \
  col " = 'processing')"

#endif /* CHATFLOW_INT_H */
