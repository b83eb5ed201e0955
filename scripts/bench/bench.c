/*
** bench.c — `make bench`: chatflow's performance targets, measured in one
** run on one temporary database file (WAL, synchronous=NORMAL).
**
**   1. add_message against plain SQL on plain tables of the same columns
**      in the same file (no triggers): a prepared INSERT of the message
**      with an explicit seq and an UPDATE of the conversation's counters;
**      and the same plus an INSERT into an FTS5 index of the same
**      tokenizer.  Measured with each call in its own transaction and with
**      N calls inside one BEGIN ... COMMIT, the latter also with
**      temp_store = MEMORY (both methods), where SQLite keeps a long
**      transaction's statement journal in memory (docs/operations.md).
**      Targets: add_message <= 1.5x plain, <= 1.2x plain with the index.
**   2. SELECT * FROM chat_history(conv, budget), every row stepped, with a
**      budget that fits exactly 50 messages, in conversations of 100 and of
**      100,000 messages.  Target: big/small latency ratio <= 1.5.
**      The same conversations paged by conversation_messages (the newest
**      50, and the 50 after seq 50).  Target: big/small ratio <= 1.5.
**   3. SELECT * FROM conversation_list(owner, options), every row stepped, a
**      page of 50: the first page and a deep one (after the row at 90 % of
**      the list, by its cursor), for an owner of 1,000 and one of 100,000
**      conversations.  Target: big/small latency ratio <= 1.5 for each.
**      Every page is checked against ORDER BY ... LIMIT/OFFSET, and a full
**      walk of both owners by cursor against the whole order.  Then first
**      pages with the filters updated_since (the middle of the list),
**      model, and model with agent.  Target: ratio <= 1.5 for each.
**   4. SELECT * FROM search_messages(query, owner, options) on a corpus of
**      1,000,000 generated messages (raw INSERTs in one transaction, the
**      FTS triggers indexing them; the build is timed), for rare, 1 % and
**      10 % terms, phrases, prefixes, one owner, newest first.  No target:
**      latencies are reported, with FTS5-alone reference queries.
**   5. delete_old_messages(365) with the default batch on the oldest
**      200,000 of that corpus, looped until it returns 0: rows/s and the
**      longest write transaction of a call (the write-lock hold), taken
**      from a WAL hook at commit.  Target: <= 50 ms.  Counters, previews
**      and the search index are checked against a recount afterwards.
**   6. SELECT * FROM search_messages(query, owner) whose one match is a
**      100,000-character message: the word once in the middle, and every
**      word of the message matching (the worst case for snippets); the
**      same at 400,000 characters for the growth.  Target: <= 10 ms at
**      100,000 characters; the 400k/100k ratio shows the growth (4 is
**      linear, 16 quadratic).  Each snippet is checked to mark the word.
**   7. search in scripts written without spaces and emoji (the trigram
**      indexes of migration 005), on a database file of its own: a corpus
**      of 100,000 messages (10 % Chinese, 2 % Latin text with an emoji,
**      the rest Latin), the size of the trigram index next to the word
**      index and the table; search_messages latency for queries of 1, 2,
**      3 and more characters (the fts5vocab range and the trigram MATCH),
**      mixed and OR queries, with Latin word queries for reference; and
**      add_message of a Latin message (not trigram-indexed), of the same
**      with one emoji, of a Chinese message, and of that one with the
**      trigram triggers dropped (the index's own cost).  No target.
**   8. message trees: chat_history(conv, budget) on a conversation of
**      9,901 messages in 100 branches whose current branch is 100 long,
**      against a flat conversation of 100 messages: ratio <= 1.5.  The
**      same for a trunk of 5,000 with 99 side branches against a flat
**      5,000 (reported), and chat_history_json, message_siblings and
**      switch_branch on them (reported).  See runBranches.
**   9. streaming drafts: begin_message + 1,000 append_message calls of 20
**      characters + finish_message, each its own transaction, against
**      add_message of the same 20,000 characters plus 1,000 plain UPDATEs
**      appending the same deltas to a row of a plain table: ratio <= 2
**      (--deltas N; --only drafts).  See runDrafts.
**
** How it is linked: statically, against dist/libchatflow.a (the sources
** built with -DSQLITE_CORE), registered with sqlite3_auto_extension, plus
** Debian's -lsqlite3, json-c and libcurl.  The code measured is the same
** code as dist/chatflow.so, built with the same flags.
**
** Method: 7 rounds after one uncounted warm-up.  In a round each method
** appends to a fresh conversation of its own (titled, so add_message sets
** no title), in blocks (500 autocommit calls, or 5000 calls per BEGIN ...
** COMMIT); the methods take turns block by block, so that both see the
** same background load and file growth.  A round's figure is a method's
** summed block time / its messages; the figure printed is the median of
** the rounds.  The rows written by both methods are compared column by
** column after every round.  History: each query is timed alone, the two
** conversations taking turns query by query; the figure is the median of
** the rounds' medians.
**
** Usage: dist/bench [--rounds R] [--n-auto N] [--n-batch N] [--per-txn N]
**                   [--big N] [--iter N] [--list-big N] [--list-small N]
**                   [--list-iter N] [--search-n N] [--search-iter N]
**                   [--retention-n N] [--long-iter N] [--scripts-n N] [--scripts-iter N]
**                   [--run-pairs N] [--branch-iter N] [--deltas N]
**                   [--only add,runs,history,branches,drafts,list,search,retention,long,scripts]
**                   [--strict]
** --only takes a comma-separated list of parts; retention alone still
** builds the search corpus (without timing the queries).
** --strict makes a MISS exit with status 1 (by default a benchmark run
** only reports).  Errors exit with status 2.  The temporary directory is
** removed at the end.
*/
#include <sqlite3.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);

#define BENCH_WINDOW 50          /* messages the history budget fits */
#define BENCH_SMALL 100          /* messages of the small conversation */
#define BENCH_TARGET_ADD 1.5     /* add_message / plain SQL */
#define BENCH_TARGET_ADD_INDEXED 1.2 /* add_message / plain SQL with the search index */
#define BENCH_TARGET_HISTORY 1.5 /* big / small */
#define BENCH_TARGET_LONG_MS 10.0 /* search_messages, a match in a 100,000-character message */

/* ~100 characters: a plausible chat message; tokens = (n + 3) / 4. */
static const char zContent[] =
    "Can you propose three pillar topics for our bakery's blog, with a short rationale for each?";

static sqlite3 *db;
static char zDir[256];

/* ------------------------------------------------------------- plumbing */

static void cleanup(void) {
  char z[300];
  if (zDir[0] == 0) return;
  const char *aSuffix[] = {"bench.db", "bench.db-wal", "bench.db-shm",
                           "scripts.db", "scripts.db-wal", "scripts.db-shm"};
  for (int i = 0; i < 6; i++) {
    snprintf(z, sizeof(z), "%s/%s", zDir, aSuffix[i]);
    unlink(z);
  }
  rmdir(zDir);
  zDir[0] = 0;
}

static void die(const char *zFmt, ...) {
  va_list ap;
  va_start(ap, zFmt);
  fprintf(stderr, "bench: ");
  vfprintf(stderr, zFmt, ap);
  va_end(ap);
  if (db) fprintf(stderr, " (%s)", sqlite3_errmsg(db));
  fprintf(stderr, "\n");
  if (db) sqlite3_close_v2(db);
  db = 0;
  cleanup();
  exit(2);
}

static double nowUs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void exec(const char *zSql) {
  char *zErr = 0;
  if (sqlite3_exec(db, zSql, 0, 0, &zErr) != SQLITE_OK) die("%s: %s", zSql, zErr);
}

static sqlite3_stmt *prep(const char *zSql) {
  sqlite3_stmt *p = 0;
  if (sqlite3_prepare_v3(db, zSql, -1, SQLITE_PREPARE_PERSISTENT, &p, 0) != SQLITE_OK) {
    die("prepare %s", zSql);
  }
  return p;
}

static sqlite3_int64 scalarInt(const char *zSql) {
  sqlite3_stmt *p = prep(zSql);
  sqlite3_int64 v;
  if (sqlite3_step(p) != SQLITE_ROW) die("%s", zSql);
  v = sqlite3_column_int64(p, 0);
  sqlite3_finalize(p);
  return v;
}

static char *scalarText(const char *zSql) {
  sqlite3_stmt *p = prep(zSql);
  char *z;
  if (sqlite3_step(p) != SQLITE_ROW) die("%s", zSql);
  z = sqlite3_mprintf("%s", sqlite3_column_text(p, 0));
  sqlite3_finalize(p);
  return z;
}

/* The same timestamp add_message stamps, made the same way (cfNow). */
static void timestamp(char *zBuf) {
  struct timeval tv;
  struct tm tm;
  time_t t;
  gettimeofday(&tv, 0);
  t = tv.tv_sec;
  gmtime_r(&t, &tm);
  sqlite3_snprintf(25, zBuf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
}

static int cmpDouble(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Median of a[0..n) (sorts a). */
static double median(double *a, int n) {
  qsort(a, (size_t)n, sizeof(double), cmpDouble);
  return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

static double percentile(double *a, int n, double q) {
  qsort(a, (size_t)n, sizeof(double), cmpDouble);
  int i = (int)(q * (n - 1) + 0.5);
  return a[i];
}

static sqlite3_stmt *pConv;

static sqlite3_int64 newConversation(const char *zTitle) {
  sqlite3_stmt *p;
  sqlite3_int64 id;
  if (pConv == 0) pConv = prep("SELECT create_conversation('bench', ?1)");
  p = pConv;
  sqlite3_bind_text(p, 1, zTitle, -1, SQLITE_STATIC);
  if (sqlite3_step(p) != SQLITE_ROW) die("create_conversation");
  id = sqlite3_column_int64(p, 0);
  sqlite3_reset(p);
  return id;
}

/* ---------------------------------------------------------- add_message */

/* The baseline is plain SQL on plain tables of the same columns (no
** triggers, no checks beyond the UNIQUE (conversation_id, seq)) in the same
** file: INSERT the message, UPDATE the conversation's counters — what an
** application writes without chatflow — and, for the second baseline, the
** same plus an INSERT into an FTS5 index of the same tokenizer. */
static sqlite3_stmt *pAdd, *pBegin, *pCommit, *pPlainMsg, *pPlainConv, *pPlainFts, *pPlainNew;
static const int nContent = (int)sizeof(zContent) - 1;
static const int nTokens = ((int)sizeof(zContent) - 1 + 3) / 4;

static void step1(sqlite3_stmt *p) {
  if (sqlite3_step(p) != SQLITE_DONE) die("%s", sqlite3_sql(p));
  sqlite3_reset(p);
}

static void addMessage(sqlite3_int64 iConv) {
  sqlite3_bind_int64(pAdd, 1, iConv);
  if (sqlite3_step(pAdd) != SQLITE_ROW) die("add_message");
  sqlite3_reset(pAdd);
}

static sqlite3_int64 plainConversation(void) {
  char zNow[32];
  timestamp(zNow);
  sqlite3_bind_text(pPlainNew, 1, zNow, -1, SQLITE_TRANSIENT);
  step1(pPlainNew);
  return sqlite3_last_insert_rowid(db);
}

/* eMode 1: the message and the counters; 2: and the search index. */
static void plainInsert(int eMode, sqlite3_int64 iConv, sqlite3_int64 iSeq) {
  char zNow[32];
  timestamp(zNow);
  sqlite3_bind_int64(pPlainMsg, 1, iConv);
  sqlite3_bind_int64(pPlainMsg, 2, iSeq);
  sqlite3_bind_text(pPlainMsg, 5, zNow, -1, SQLITE_TRANSIENT);
  step1(pPlainMsg);
  if (eMode == 2) {
    sqlite3_bind_int64(pPlainFts, 1, sqlite3_last_insert_rowid(db));
    step1(pPlainFts);
  }
  sqlite3_bind_int64(pPlainConv, 1, iConv);
  sqlite3_bind_int64(pPlainConv, 2, iSeq);
  sqlite3_bind_text(pPlainConv, 4, zNow, -1, SQLITE_TRANSIENT);
  step1(pPlainConv);
}

/* Appends n messages to conversation iConv (whose last seq is *piSeq) with
** method eMode (0 add_message, 1 plain, 2 plain with the index), in one
** BEGIN...COMMIT when bBatch, else each in its own transaction (the plain
** statements of one message in a BEGIN...COMMIT of their own); returns the
** wall time in µs. */
static double runBlock(int eMode, int bBatch, int n, sqlite3_int64 iConv, sqlite3_int64 *piSeq) {
  double t0 = nowUs();
  if (bBatch) step1(pBegin);
  for (int i = 0; i < n; i++) {
    if (eMode == 0) {
      addMessage(iConv);
    } else {
      if (!bBatch) step1(pBegin);
      plainInsert(eMode, iConv, ++*piSeq);
      if (!bBatch) step1(pCommit);
    }
  }
  if (bBatch) step1(pCommit);
  return nowUs() - t0;
}

/* add_message and the plain SQL wrote the same rows and counters. */
static void checkSame(sqlite3_int64 iPlain, sqlite3_int64 iAdd, int n) {
  static const char *zSql =
      "SELECT (SELECT count(*) FROM ("
      " SELECT seq, run_id, role, type, content, parts, attachments, workflow_step, metadata,"
      "        tokens FROM plain_messages WHERE conversation_id = ?1"
      " EXCEPT"
      " SELECT seq, run_id, role, type, content, parts, attachments, workflow_step, metadata,"
      "        tokens FROM chat_messages WHERE conversation_id = ?2)),"
      " (SELECT message_count || '/' || last_seq || '/' || total_tokens"
      "    FROM plain_conversations WHERE id = ?1),"
      " (SELECT message_count || '/' || last_seq || '/' || total_tokens"
      "    FROM chat_conversations WHERE id = ?2),"
      " (SELECT count(*) FROM chat_messages WHERE conversation_id = ?2)";
  sqlite3_stmt *p = prep(zSql);
  char zWant[80];
  sqlite3_bind_int64(p, 1, iPlain);
  sqlite3_bind_int64(p, 2, iAdd);
  if (sqlite3_step(p) != SQLITE_ROW) die("row check");
  snprintf(zWant, sizeof(zWant), "%d/%d/%lld", n, n, (long long)n * nTokens);
  const char *zPlainC = (const char *)sqlite3_column_text(p, 1);
  const char *zAddC = (const char *)sqlite3_column_text(p, 2);
  if (sqlite3_column_int(p, 0) != 0 || sqlite3_column_int(p, 3) != n || strcmp(zPlainC, zWant) ||
      strcmp(zAddC, zWant)) {
    die("add_message and the plain SQL wrote different rows or counters: plain %s, add_message %s,"
        " expected %s",
        zPlainC, zAddC, zWant);
  }
  sqlite3_finalize(p);
}

typedef struct AddResult {
  double a[3];              /* median µs per op: add_message, plain, plain with the index */
  double aMin[3], aMax[3];  /* of the rounds */
} AddResult;

/* nRounds rounds; in each, the three methods append nBlock blocks of nPer
** messages to a fresh conversation of their own, block by block in turn
** (the order rotating from block to block), so that all see the same
** background load and the same file growth.  A round's figure is the
** method's summed block time / its messages. */
static AddResult benchAdd(int bBatch, int nBlock, int nPer, int nRounds) {
  double *aT[3];
  AddResult r;
  for (int m = 0; m < 3; m++) {
    aT[m] = calloc((size_t)nRounds, sizeof(double));
    if (!aT[m]) die("out of memory");
  }
  for (int i = -1; i < nRounds; i++) { /* round -1 warms up and is not counted */
    sqlite3_int64 aConv[3], aSeq[3] = {0, 0, 0};
    double t[3] = {0, 0, 0};
    int nB = i < 0 ? 3 : nBlock;
    aConv[0] = newConversation("add_message");
    aConv[1] = plainConversation();
    aConv[2] = plainConversation();
    for (int k = 0; k < nB; k++) {
      for (int j = 0; j < 3; j++) {
        int m = (k + j + (i < 0 ? 0 : i)) % 3;
        t[m] += runBlock(m, bBatch, nPer, aConv[m], &aSeq[m]);
      }
    }
    checkSame(aConv[1], aConv[0], nB * nPer);
    if (i >= 0) {
      for (int m = 0; m < 3; m++) aT[m][i] = t[m] / (nB * nPer);
    }
  }
  for (int m = 0; m < 3; m++) {
    r.a[m] = median(aT[m], nRounds); /* sorts */
    r.aMin[m] = aT[m][0];
    r.aMax[m] = aT[m][nRounds - 1];
    free(aT[m]);
  }
  return r;
}

static const char *verdict(double ratio, double target, int *pnMiss) {
  if (ratio <= target) return "PASS";
  (*pnMiss)++;
  return "MISS";
}

/* ----------------------------------------------------- runs, checkpoints */

/* start_run + cancel_run against plain SQL writing the same rows on plain
** tables without triggers (INSERT the run, INSERT its event; UPDATE the run,
** INSERT its event), and a workflow_interrupt save of a 2 KiB checkpoint
** (the same id replaced) against INSERT ... ON CONFLICT DO UPDATE of the
** same blob on a plain table.  nPairs per BEGIN...COMMIT, the methods
** taking turns; median of the rounds. */
#define BENCH_TARGET_RUNS 2.0
#define BENCH_TARGET_CHECKPOINT 1.5

static void runRuns(int nPairs, int nRounds, int *pnMiss) {
  sqlite3_stmt *pStart = prep("SELECT start_run(?1, 'topical_map')");
  sqlite3_stmt *pCancel = prep("SELECT cancel_run(?1)");
  sqlite3_stmt *pAdvance = prep("SELECT advance_run(?1, '{\"pages\": 14}')");
  sqlite3_stmt *pResume = prep("SELECT resume_run(?1, '{\"clarifications\": [{\"question_id\": \"q1\","
                               " \"question\": \"Who are your customers?\", \"answer\": \"Locals\"}]}')");
  sqlite3_stmt *pRunIns, *pRunUpd, *pEvt, *pSave, *pUpsert, *pRunAdv, *pRunRes;
  unsigned char aBlob[2048];
  double *aT[6];
  sqlite3_int64 iConv;
  exec("PRAGMA wal_checkpoint(TRUNCATE)"); /* what the parts before left in the WAL */
  iConv = newConversation("runs");
  exec("CREATE TABLE plain_runs (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL,"
       " workflow TEXT NOT NULL, status TEXT NOT NULL, current_step TEXT, state TEXT NOT NULL,"
       " business_context TEXT NOT NULL, clarifications TEXT NOT NULL, error TEXT,"
       " lease_expires_at TEXT, started_at TEXT NOT NULL, completed_at TEXT,"
       " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
       "CREATE TABLE plain_run_events (id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL,"
       " from_status TEXT, to_status TEXT NOT NULL, from_step TEXT, to_step TEXT, detail TEXT,"
       " created_at TEXT NOT NULL);"
       "CREATE TABLE plain_interrupts (workflow_id TEXT PRIMARY KEY, data BLOB NOT NULL,"
       " created_at TEXT NOT NULL, updated_at TEXT NOT NULL);");
  pRunIns = prep("INSERT INTO plain_runs (conversation_id, workflow, status, current_step, state,"
                 " business_context, clarifications, lease_expires_at, started_at, created_at,"
                 " updated_at) VALUES (?1, 'topical_map', 'started', 'context_ingestion', '{}', '{}',"
                 " '[]', ?2, ?2, ?2, ?2)");
  pRunUpd = prep("UPDATE plain_runs SET status = 'cancelled', completed_at = ?2,"
                 " lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1");
  pEvt = prep("INSERT INTO plain_run_events (run_id, from_status, to_status, from_step, to_step,"
              " created_at) VALUES (?1, ?2, ?3, 'context_ingestion', 'context_ingestion', ?4)");
  /* advance_run into the step that awaits a clarification, resume_run with
  ** the answer: the same run writes by hand */
  pRunAdv = prep("UPDATE plain_runs SET state = json_patch(state, '{\"pages\": 14}'),"
                 " current_step = 'clarification', status = 'awaiting_clarification',"
                 " lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1");
  pRunRes = prep("UPDATE plain_runs SET clarifications = json_insert(clarifications, '$[#]',"
                 " json('{\"question_id\": \"q1\", \"question\": \"Who are your customers?\","
                 " \"answer\": \"Locals\"}')), status = 'processing', lease_expires_at = ?2,"
                 " updated_at = ?2 WHERE id = ?1");
  pSave = prep("INSERT INTO workflow_interrupt (workflow_id, data) VALUES (?1, ?2)");
  pUpsert = prep("INSERT INTO plain_interrupts (workflow_id, data, created_at, updated_at)"
                 " VALUES (?1, ?2, ?3, ?3) ON CONFLICT (workflow_id) DO UPDATE SET"
                 " data = excluded.data, updated_at = excluded.updated_at");
  for (int i = 0; i < (int)sizeof(aBlob); i++) aBlob[i] = (unsigned char)(i * 31 + 7);
  for (int m = 0; m < 6; m++) {
    aT[m] = calloc((size_t)nRounds, sizeof(double));
    if (!aT[m]) die("out of memory");
  }
  for (int r = -1; r < nRounds; r++) {
    double t[6] = {0, 0, 0, 0, 0, 0};
    sqlite3_int64 iRun = 0;
    for (int k = 0; k < 6; k++) {
      int m = (k + (r < 0 ? 0 : r)) % 6;
      double t0;
      char zNow[32];
      step1(pBegin);
      t0 = nowUs();
      for (int i = 0; i < nPairs; i++) {
        if (m == 0 || m == 4) { /* start_run (+ advance_run + resume_run) + cancel_run */
          sqlite3_bind_int64(pStart, 1, iConv);
          if (sqlite3_step(pStart) != SQLITE_ROW) die("start_run: %s", sqlite3_errmsg(db));
          iRun = sqlite3_column_int64(pStart, 0);
          sqlite3_reset(pStart);
          if (m == 4) {
            sqlite3_bind_int64(pAdvance, 1, iRun);
            if (sqlite3_step(pAdvance) != SQLITE_ROW) die("advance_run: %s", sqlite3_errmsg(db));
            sqlite3_reset(pAdvance);
            sqlite3_bind_int64(pResume, 1, iRun);
            if (sqlite3_step(pResume) != SQLITE_ROW) die("resume_run: %s", sqlite3_errmsg(db));
            sqlite3_reset(pResume);
          }
          sqlite3_bind_int64(pCancel, 1, iRun);
          if (sqlite3_step(pCancel) != SQLITE_ROW) die("cancel_run: %s", sqlite3_errmsg(db));
          sqlite3_reset(pCancel);
        } else if (m == 1 || m == 5) { /* the same rows in plain SQL */
          sqlite3_int64 iPlain;
          timestamp(zNow);
          sqlite3_bind_int64(pRunIns, 1, iConv);
          sqlite3_bind_text(pRunIns, 2, zNow, -1, SQLITE_TRANSIENT);
          step1(pRunIns);
          iPlain = sqlite3_last_insert_rowid(db);
          sqlite3_bind_int64(pEvt, 1, iPlain);
          sqlite3_bind_null(pEvt, 2);
          sqlite3_bind_text(pEvt, 3, "started", -1, SQLITE_STATIC);
          sqlite3_bind_text(pEvt, 4, zNow, -1, SQLITE_TRANSIENT);
          step1(pEvt);
          if (m == 5) {
            const char *azStep[2][2] = {{"started", "awaiting_clarification"},
                                        {"awaiting_clarification", "processing"}};
            for (int w = 0; w < 2; w++) {
              sqlite3_stmt *pUpd = w ? pRunRes : pRunAdv;
              timestamp(zNow);
              sqlite3_bind_int64(pUpd, 1, iPlain);
              sqlite3_bind_text(pUpd, 2, zNow, -1, SQLITE_TRANSIENT);
              step1(pUpd);
              sqlite3_bind_text(pEvt, 2, azStep[w][0], -1, SQLITE_STATIC);
              sqlite3_bind_text(pEvt, 3, azStep[w][1], -1, SQLITE_STATIC);
              sqlite3_bind_text(pEvt, 4, zNow, -1, SQLITE_TRANSIENT);
              step1(pEvt);
            }
          }
          timestamp(zNow);
          sqlite3_bind_int64(pRunUpd, 1, iPlain);
          sqlite3_bind_text(pRunUpd, 2, zNow, -1, SQLITE_TRANSIENT);
          step1(pRunUpd);
          sqlite3_bind_text(pEvt, 2, m == 5 ? "processing" : "started", -1, SQLITE_STATIC);
          sqlite3_bind_text(pEvt, 3, "cancelled", -1, SQLITE_STATIC);
          sqlite3_bind_text(pEvt, 4, zNow, -1, SQLITE_TRANSIENT);
          step1(pEvt);
        } else if (m == 2) { /* a checkpoint save */
          sqlite3_bind_text(pSave, 1, "thread-bench", -1, SQLITE_STATIC);
          sqlite3_bind_blob(pSave, 2, aBlob, (int)sizeof(aBlob), SQLITE_STATIC);
          step1(pSave);
        } else { /* the plain upsert */
          timestamp(zNow);
          sqlite3_bind_text(pUpsert, 1, "thread-bench", -1, SQLITE_STATIC);
          sqlite3_bind_blob(pUpsert, 2, aBlob, (int)sizeof(aBlob), SQLITE_STATIC);
          sqlite3_bind_text(pUpsert, 3, zNow, -1, SQLITE_TRANSIENT);
          step1(pUpsert);
        }
      }
      t[m] = (nowUs() - t0) / nPairs;
      step1(pCommit);
    }
    if (r >= 0) {
      for (int m = 0; m < 6; m++) aT[m][r] = t[m];
    }
  }
  {
    double a[6];
    for (int m = 0; m < 6; m++) a[m] = median(aT[m], nRounds);
    printf("runs and checkpoints, %d per BEGIN...COMMIT, vs plain SQL on plain tables\n", nPairs);
    printf("  %-44s %10s %10s %6s %7s  %s\n", "case", "plain us", "chatflow", "ratio", "target", "result");
    printf("  %-44s %10.2f %10.2f %6.2f %7s  %s\n", "start_run + cancel_run (2 run writes, 2 events)",
           a[1], a[0], a[0] / a[1], "<= 2.00", verdict(a[0] / a[1], BENCH_TARGET_RUNS, pnMiss));
    printf("  %-44s %10.2f %10.2f %6.2f %7s  %s\n", "+ advance_run + resume_run (4 writes, 4 events)",
           a[5], a[4], a[4] / a[5], "<= 2.00", verdict(a[4] / a[5], BENCH_TARGET_RUNS, pnMiss));
    printf("  %-44s %10.2f %10.2f %6.2f %7s  %s\n", "workflow_interrupt save, 2 KiB, replaced",
           a[3], a[2], a[2] / a[3], "<= 1.50", verdict(a[2] / a[3], BENCH_TARGET_CHECKPOINT, pnMiss));
    printf("\n");
    fflush(stdout);
  }
  for (int m = 0; m < 6; m++) free(aT[m]);
  sqlite3_finalize(pStart);
  sqlite3_finalize(pCancel);
  sqlite3_finalize(pAdvance);
  sqlite3_finalize(pResume);
  sqlite3_finalize(pRunAdv);
  sqlite3_finalize(pRunRes);
  sqlite3_finalize(pRunIns);
  sqlite3_finalize(pRunUpd);
  sqlite3_finalize(pEvt);
  sqlite3_finalize(pSave);
  sqlite3_finalize(pUpsert);
}

/* -------------------------------------------------------- chat_history */

/* A conversation of n messages, written with raw INSERTs in one
** transaction (the triggers still keep its counters). */
static sqlite3_int64 buildConversation(int n, const char *zTitle) {
  sqlite3_int64 iConv = newConversation(zTitle);
  sqlite3_stmt *pRaw = prep("INSERT INTO chat_messages (conversation_id, seq, role, type, content,"
                            " tokens, created_at) VALUES (?1, ?2, 'user', 'user_input', ?3, ?4, ?5)");
  char zNow[32];
  sqlite3_bind_int64(pRaw, 1, iConv);
  sqlite3_bind_text(pRaw, 3, zContent, nContent, SQLITE_STATIC);
  sqlite3_bind_int(pRaw, 4, nTokens);
  step1(pBegin);
  for (int i = 1; i <= n; i++) {
    timestamp(zNow);
    sqlite3_bind_int64(pRaw, 2, i);
    sqlite3_bind_text(pRaw, 5, zNow, -1, SQLITE_TRANSIENT);
    step1(pRaw);
  }
  step1(pCommit);
  sqlite3_finalize(pRaw);
  return iConv;
}

typedef struct HistResult {
  double med, p90, roundMin, roundMax;
} HistResult;

/* One execution of pStmt bound to (iConv, nBudget), every row stepped;
** it must give exactly nWant rows.  Returns µs. */
static double timeWindow(sqlite3_stmt *pStmt, sqlite3_int64 iConv, int nBudget, int nWant) {
  int nRow = 0, rc;
  double t0 = nowUs(), t;
  sqlite3_bind_int64(pStmt, 1, iConv);
  if (nBudget >= 0) sqlite3_bind_int(pStmt, 2, nBudget);
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) nRow++;
  sqlite3_reset(pStmt);
  t = nowUs() - t0;
  if (rc != SQLITE_DONE) die("%s", sqlite3_sql(pStmt));
  if (nRow != nWant) die("%s gave %d rows, expected %d", sqlite3_sql(pStmt), nRow, nWant);
  return t;
}

/* nRounds rounds of nIter queries on each conversation, the two taking
** turns query by query (small, big, big, small, ...); a round's figure is
** the median of its queries, the result the median of the rounds.  Each
** query must give nWant rows. */
static void benchHistory(sqlite3_stmt *pStmt, int nBudget, sqlite3_int64 iSmall,
                         sqlite3_int64 iBig, int nRounds, int nIter, int nWant, HistResult *pSmall,
                         HistResult *pBig) {
  double *aAll[2], *aRound[2], *aLat[2];
  sqlite3_int64 aConv[2] = {iSmall, iBig};
  HistResult *aRes[2] = {pSmall, pBig};
  for (int c = 0; c < 2; c++) {
    aAll[c] = calloc((size_t)(nRounds * nIter), sizeof(double));
    aRound[c] = calloc((size_t)nRounds, sizeof(double));
    aLat[c] = calloc((size_t)nIter, sizeof(double));
    if (!aAll[c] || !aRound[c] || !aLat[c]) die("out of memory");
  }
  for (int k = 0; k < nIter / 10 + 1; k++) { /* warm-up */
    timeWindow(pStmt, iSmall, nBudget, nWant);
    timeWindow(pStmt, iBig, nBudget, nWant);
  }
  for (int i = 0; i < nRounds; i++) {
    for (int k = 0; k < nIter; k++) {
      for (int j = 0; j < 2; j++) {
        int c = (k % 2) ? 1 - j : j;
        aLat[c][k] = timeWindow(pStmt, aConv[c], nBudget, nWant);
      }
    }
    for (int c = 0; c < 2; c++) {
      memcpy(aAll[c] + (size_t)i * nIter, aLat[c], sizeof(double) * (size_t)nIter);
      aRound[c][i] = median(aLat[c], nIter);
    }
  }
  for (int c = 0; c < 2; c++) {
    aRes[c]->med = median(aRound[c], nRounds);
    aRes[c]->roundMin = aRound[c][0];
    aRes[c]->roundMax = aRound[c][nRounds - 1];
    aRes[c]->p90 = percentile(aAll[c], nRounds * nIter, 0.9);
    free(aAll[c]);
    free(aRound[c]);
    free(aLat[c]);
  }
}

/* ---------------------------------------------------------------- main */

static void cpuModel(char *zOut, size_t n) {
  FILE *f = fopen("/proc/cpuinfo", "r");
  char zLine[512];
  snprintf(zOut, n, "unknown");
  if (!f) return;
  while (fgets(zLine, sizeof(zLine), f)) {
    if (strncmp(zLine, "model name", 10) == 0) {
      char *z = strchr(zLine, ':');
      if (z) {
        z++;
        while (*z == ' ' || *z == '\t') z++;
        z[strcspn(z, "\n")] = 0;
        snprintf(zOut, n, "%s", z);
      }
      break;
    }
  }
  fclose(f);
}


static int argInt(int argc, char **argv, int *pi) {
  if (*pi + 1 >= argc) die("%s needs a value", argv[*pi]);
  int v = atoi(argv[++*pi]);
  if (v <= 0) die("%s needs a positive number", argv[*pi - 1]);
  return v;
}

/* ------------------------------------------------- shared by 3, 4 and 5 */

/* A UTC timestamp in the stored format for t seconds since the epoch
** (millisecond precision). */
static void fmtTime(double t, char *zBuf) {
  time_t s = (time_t)t;
  struct tm tm;
  int ms = (int)((t - (double)s) * 1000.0);
  if (ms > 999) ms = 999;
  gmtime_r(&s, &tm);
  sqlite3_snprintf(25, zBuf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                   tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static double nowEpoch(void) {
  struct timeval tv;
  gettimeofday(&tv, 0);
  return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* Steps pStmt (bound by the caller) to the end and resets it; returns the
** rows it gave and, in *pUs, the wall time. */
static int stepAll(sqlite3_stmt *pStmt, double *pUs) {
  int nRow = 0, rc;
  double t0 = nowUs();
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) nRow++;
  if (pUs) *pUs = nowUs() - t0;
  if (rc != SQLITE_DONE) die("%s", sqlite3_sql(pStmt));
  sqlite3_reset(pStmt);
  return nRow;
}

typedef struct Lat {
  double med, p90, max;
} Lat;

static Lat latOf(double *a, int n) {
  Lat r;
  r.med = median(a, n);
  r.p90 = percentile(a, n, 0.9);
  r.max = a[n - 1];
  return r;
}

/* -------------------------------------------------------- long messages */

/* A message of exactly nChars characters (ASCII): filler words with zWord
** once in the middle (bEvery: every word is zWord). */
static char *longText(int nChars, const char *zWord, int bEvery) {
  static const char *azFill[] = {"lorem", "ipsum", "dolor", "sit", "amet", "consectetur",
                                 "adipiscing", "elit", "sed", "do", "eiusmod", "tempor"};
  sqlite3_str *p = sqlite3_str_new(0);
  int k = 0, bDone = 0;
  while (sqlite3_str_length(p) < nChars) {
    if (bEvery) sqlite3_str_appendf(p, "%s ", zWord);
    else if (!bDone && sqlite3_str_length(p) >= nChars / 2) {
      sqlite3_str_appendf(p, "Here is the %s. ", zWord);
      bDone = 1;
    } else {
      sqlite3_str_appendf(p, "%s ", azFill[k++ % 12]);
    }
  }
  char *z = sqlite3_str_finish(p);
  if (z == 0) die("out of memory");
  z[nChars] = 0;
  if (z[nChars - 1] == ' ') z[nChars - 1] = '.';
  return z;
}

typedef struct LongCase {
  const char *zName;
  int nChars;
  const char *zWord;
  int bEvery;
  double tMed;   /* out */
} LongCase;

static void runLong(int nIter, int *pnMiss) {
  LongCase a[] = {
    {"100k, one match in the middle", 100000, "zebrafinch", 0, 0},
    {"100k, every word matches", 100000, "qx", 1, 0},
    {"400k, one match in the middle", 400000, "wombatfinch", 0, 0},
    {"400k, every word matches", 400000, "qy", 1, 0},
  };
  int nCase = (int)(sizeof(a) / sizeof(a[0]));
  sqlite3_stmt *pAddLong = prep("SELECT add_message(?1, 'user', ?2)");
  sqlite3_stmt *pSearch = prep("SELECT snippet, length(snippet) FROM search_messages(?1, ?2)");
  double *aLat = calloc((size_t)nIter, sizeof(double));
  if (!aLat) die("out of memory");
  char *zOld = scalarText("SELECT coalesce((SELECT value FROM chatflow_settings"
                          " WHERE key = 'limits.max_content_chars'), '')");
  exec("SELECT chatflow_config('limits.max_content_chars', '400000')");
  for (int c = 0; c < nCase; c++) {
    char zOwner[32];
    snprintf(zOwner, sizeof(zOwner), "bench-long-%d", c);
    sqlite3_stmt *pConvL = prep("SELECT create_conversation(?1, 'long message')");
    sqlite3_bind_text(pConvL, 1, zOwner, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(pConvL) != SQLITE_ROW) die("create_conversation");
    sqlite3_int64 iConv = sqlite3_column_int64(pConvL, 0);
    sqlite3_finalize(pConvL);
    char *zText = longText(a[c].nChars, a[c].zWord, a[c].bEvery);
    sqlite3_bind_int64(pAddLong, 1, iConv);
    sqlite3_bind_text(pAddLong, 2, zText, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(pAddLong) != SQLITE_ROW) die("add_message of %d characters", a[c].nChars);
    sqlite3_reset(pAddLong);
    sqlite3_free(zText);
  }
  if (zOld[0]) {
    char *z = sqlite3_mprintf("SELECT chatflow_config('limits.max_content_chars', %Q)", zOld);
    exec(z);
    sqlite3_free(z);
  } else {
    exec("DELETE FROM chatflow_settings WHERE key = 'limits.max_content_chars'");
  }
  sqlite3_free(zOld);

  printf("SELECT * FROM search_messages(word, owner): the word's one match is a long message\n");
  printf("  (%d queries per case after one warm-up; the snippet is checked to mark the word)\n", nIter);
  printf("  %-32s %8s %11s %9s %9s  %s\n", "case", "chars", "median ms", "p90 ms", "min ms",
         "snippet");
  for (int c = 0; c < nCase; c++) {
    char zOwner[32], zMark[40];
    snprintf(zOwner, sizeof(zOwner), "bench-long-%d", c);
    snprintf(zMark, sizeof(zMark), "[%s]", a[c].zWord);
    sqlite3_bind_text(pSearch, 1, a[c].zWord, -1, SQLITE_STATIC);
    sqlite3_bind_text(pSearch, 2, zOwner, -1, SQLITE_TRANSIENT);
    char zSnip[200] = "";
    for (int k = -1; k < nIter; k++) {
      double t0 = nowUs();
      int nRow = 0, rc;
      while ((rc = sqlite3_step(pSearch)) == SQLITE_ROW) {
        const char *z = (const char *)sqlite3_column_text(pSearch, 0);
        if (z == 0 || strstr(z, zMark) == 0) die("snippet of %s does not mark the word: %s", a[c].zName, z);
        if (k < 0) snprintf(zSnip, sizeof(zSnip), "%d chars", sqlite3_column_int(pSearch, 1));
        nRow++;
      }
      if (rc != SQLITE_DONE) die("search_messages");
      sqlite3_reset(pSearch);
      if (k >= 0) aLat[k] = (nowUs() - t0) / 1000.0;
      if (nRow != 1) die("search_messages(%s) gave %d rows, expected 1", a[c].zWord, nRow);
    }
    Lat l = latOf(aLat, nIter);
    a[c].tMed = l.med;
    printf("  %-32s %8d %11.2f %9.2f %9.2f  %s\n", a[c].zName, a[c].nChars, l.med, l.p90, aLat[0],
           zSnip);
    fflush(stdout);
  }
  for (int c = 0; c < 2; c++) {
    printf("  %-32s %8s %11.2f %9s target <= %.0f ms  %s\n", a[c].zName, "", a[c].tMed, "",
           BENCH_TARGET_LONG_MS, verdict(a[c].tMed / BENCH_TARGET_LONG_MS, 1.0, pnMiss));
  }
  for (int c = 0; c < 2; c++) {
    printf("  growth 400k/100k, %-19s %11.2f (4 is linear, 16 quadratic)\n",
           a[c].bEvery ? "every word" : "one match", a[c + 2].tMed / a[c].tMed);
  }
  printf("\n");
  free(aLat);
  sqlite3_finalize(pAddLong);
  sqlite3_finalize(pSearch);
}

/* ---------------------------------------------------- conversation_list */

#define BENCH_PAGE 50
#define BENCH_TARGET_LIST 1.5 /* big / small */

/* n conversations of owner zOwner written with raw INSERTs in one
** transaction: distinct updated_at (one second apart, older first), every
** 1000th pinned, every 50th archived, every 97th soft-deleted, model
** gpt-4o (odd) or claude, agent support (every 3rd) or sales (no
** messages: the list computes each row's preview with one index lookup
** of its last message, which finds none here). */
static void buildOwner(const char *zOwner, int n) {
  sqlite3_stmt *p = prep("INSERT INTO chat_conversations (owner, title, pinned_at, archived_at,"
                         " deleted_at, created_at, updated_at, model, agent)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)");
  double t0 = nowEpoch() - 400 * 86400.0;
  char zTitle[64], zTime[32];
  step1(pBegin);
  for (int i = 1; i <= n; i++) {
    fmtTime(t0 + i, zTime);
    snprintf(zTitle, sizeof(zTitle), "%s chat %d", zOwner, i);
    sqlite3_bind_text(p, 1, zOwner, -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 2, zTitle, -1, SQLITE_TRANSIENT);
    if (i % 1000 == 0) sqlite3_bind_text(p, 3, zTime, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(p, 3);
    if (i % 50 == 0) sqlite3_bind_text(p, 4, zTime, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(p, 4);
    if (i % 97 == 0) sqlite3_bind_text(p, 5, zTime, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(p, 5);
    sqlite3_bind_text(p, 6, zTime, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(p, 7, i % 2 ? "gpt-4o" : "claude", -1, SQLITE_STATIC);
    sqlite3_bind_text(p, 8, i % 3 ? "sales" : "support", -1, SQLITE_STATIC);
    step1(p);
  }
  step1(pCommit);
  sqlite3_finalize(p);
}

#define BENCH_LIST_COLS \
  "id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at," \
  " message_count," \
  " chatflow_preview((SELECT content FROM chat_messages AS m" \
  "   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))" \
  "   AS last_message_preview," \
  " (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor"

/* The owner's default list (not deleted, not archived) in list order, by
** plain SQL: the reference the pages are checked against. */
#define BENCH_LIST_REF \
  "SELECT id, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id FROM chat_conversations" \
  " WHERE owner = ?1 AND deleted_at IS NULL AND archived_at IS NULL" \
  " ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC"

/* Walks the whole default list of zOwner with pages of 500 and checks it
** against the reference order: every row once, in order.  Returns the
** number of rows; *pUs the time of the walk. */
static int walkList(const char *zOwner, double *pUs, int *pnPage) {
  sqlite3_stmt *pRef = prep(BENCH_LIST_REF);
  sqlite3_stmt *pPage = prep("SELECT id, cursor FROM conversation_list(?1, ?2)");
  char *zCursor = 0, *zOpts;
  int nRow = 0, nPage = 0;
  double t = 0;
  sqlite3_bind_text(pRef, 1, zOwner, -1, SQLITE_STATIC);
  sqlite3_bind_text(pPage, 1, zOwner, -1, SQLITE_STATIC);
  for (;;) {
    int nGot = 0;
    double t0;
    zOpts = zCursor ? sqlite3_mprintf("{\"limit\": 500, \"after\": \"%s\"}", zCursor)
                    : sqlite3_mprintf("{\"limit\": 500}");
    sqlite3_bind_text(pPage, 2, zOpts, -1, sqlite3_free);
    t0 = nowUs();
    while (sqlite3_step(pPage) == SQLITE_ROW) {
      nGot++;
      if (sqlite3_step(pRef) != SQLITE_ROW || sqlite3_column_int64(pRef, 0) != sqlite3_column_int64(pPage, 0)) {
        die("conversation_list walk of %s differs from the reference order at row %d", zOwner, nRow + nGot);
      }
      sqlite3_free(zCursor);
      zCursor = sqlite3_mprintf("%s", sqlite3_column_text(pPage, 1));
    }
    t += nowUs() - t0;
    if (sqlite3_reset(pPage) != SQLITE_OK) die("conversation_list walk");
    nPage++;
    nRow += nGot;
    if (nGot == 0) break;
  }
  if (sqlite3_step(pRef) == SQLITE_ROW) die("conversation_list walk of %s stopped early at row %d", zOwner, nRow);
  sqlite3_free(zCursor);
  sqlite3_finalize(pRef);
  sqlite3_finalize(pPage);
  *pUs = t;
  *pnPage = nPage;
  return nRow;
}

/* The cursor of the row at 0-based position k of zOwner's default list. */
static char *cursorAt(const char *zOwner, int k) {
  sqlite3_stmt *p = prep(BENCH_LIST_REF " LIMIT 1 OFFSET ?2");
  char *z;
  sqlite3_bind_text(p, 1, zOwner, -1, SQLITE_STATIC);
  sqlite3_bind_int(p, 2, k);
  if (sqlite3_step(p) != SQLITE_ROW) die("cursorAt %s %d", zOwner, k);
  z = sqlite3_mprintf("%s", sqlite3_column_text(p, 1));
  sqlite3_finalize(p);
  return z;
}

/* The page after position k (its cursor in zOpts) is rows k+1..k+50 of the
** reference order. */
static void checkPage(const char *zOwner, const char *zOpts, int k) {
  sqlite3_stmt *pRef = prep("SELECT id FROM (" BENCH_LIST_REF ") LIMIT ?3 OFFSET ?2");
  sqlite3_stmt *pPage = prep("SELECT id FROM conversation_list(?1, ?2)");
  int n = 0;
  sqlite3_bind_text(pRef, 1, zOwner, -1, SQLITE_STATIC);
  sqlite3_bind_int(pRef, 2, k);
  sqlite3_bind_int(pRef, 3, BENCH_PAGE);
  sqlite3_bind_text(pPage, 1, zOwner, -1, SQLITE_STATIC);
  sqlite3_bind_text(pPage, 2, zOpts, -1, SQLITE_STATIC);
  while (sqlite3_step(pPage) == SQLITE_ROW) {
    if (sqlite3_step(pRef) != SQLITE_ROW || sqlite3_column_int64(pRef, 0) != sqlite3_column_int64(pPage, 0)) {
      die("conversation_list(%s, %s) row %d is not the reference row", zOwner, zOpts, n + 1);
    }
    n++;
  }
  if (n != BENCH_PAGE) die("conversation_list(%s, %s) gave %d rows, expected %d", zOwner, zOpts, n, BENCH_PAGE);
  sqlite3_finalize(pRef);
  sqlite3_finalize(pPage);
}

/* nRounds rounds of nIter page queries: the small and the big owner take
** turns query by query; a round's figure is its median, the result the
** median of the rounds (as for chat_history). */
static void benchPage(sqlite3_stmt *pStmt, const char *azOwner[2], const char *azOpts[2], int nRounds,
                      int nIter, HistResult aRes[2]) {
  double *aAll[2], *aRound[2], *aLat[2];
  for (int c = 0; c < 2; c++) {
    aAll[c] = calloc((size_t)(nRounds * nIter), sizeof(double));
    aRound[c] = calloc((size_t)nRounds, sizeof(double));
    aLat[c] = calloc((size_t)nIter, sizeof(double));
    if (!aAll[c] || !aRound[c] || !aLat[c]) die("out of memory");
  }
  for (int i = -1; i < nRounds; i++) { /* round -1 warms up */
    for (int k = 0; k < nIter; k++) {
      for (int j = 0; j < 2; j++) {
        int c = (k % 2) ? 1 - j : j;
        double t;
        sqlite3_bind_text(pStmt, 1, azOwner[c], -1, SQLITE_STATIC);
        sqlite3_bind_text(pStmt, 2, azOpts[c], -1, SQLITE_STATIC);
        if (stepAll(pStmt, &t) != BENCH_PAGE) die("conversation_list page of %s is short", azOwner[c]);
        aLat[c][k] = t;
      }
    }
    if (i < 0) continue;
    for (int c = 0; c < 2; c++) {
      memcpy(aAll[c] + (size_t)i * nIter, aLat[c], sizeof(double) * (size_t)nIter);
      aRound[c][i] = median(aLat[c], nIter);
    }
  }
  for (int c = 0; c < 2; c++) {
    aRes[c].med = median(aRound[c], nRounds);
    aRes[c].roundMin = aRound[c][0];
    aRes[c].roundMax = aRound[c][nRounds - 1];
    aRes[c].p90 = percentile(aAll[c], nRounds * nIter, 0.9);
    free(aAll[c]);
    free(aRound[c]);
    free(aLat[c]);
  }
}

static void runList(int nListBig, int nListSmall, int nRounds, int nIter, int *pnMiss) {
  const char *azOwner[2] = {"list-small", "list-big"};
  int aN[2] = {nListSmall, nListBig}, aVisible[2], aDeep[2], aPages[2];
  double aWalk[2], tb = nowUs(), tBuild;
  char *azDeep[2];
  const char *azFirst[2] = {"{\"limit\": 50}", "{\"limit\": 50}"};
  const char *azDeepOpts[2];
  HistResult aFirst[2], aDeepRes[2], aRaw[2];
  const char *azLimit[2] = {"50", "50"};
  sqlite3_stmt *pStmt;

  buildOwner(azOwner[0], aN[0]);
  buildOwner(azOwner[1], aN[1]);
  tBuild = (nowUs() - tb) / 1e6;
  for (int c = 0; c < 2; c++) {
    char *zSql = sqlite3_mprintf("SELECT count(*) FROM chat_conversations WHERE owner = '%q'"
                                 " AND deleted_at IS NULL AND archived_at IS NULL", azOwner[c]);
    aVisible[c] = (int)scalarInt(zSql);
    sqlite3_free(zSql);
    if (walkList(azOwner[c], &aWalk[c], &aPages[c]) != aVisible[c]) die("walk count of %s", azOwner[c]);
    /* the deep page starts after the row at 90 % of the list */
    aDeep[c] = aVisible[c] * 9 / 10;
    {
      char *zCur = cursorAt(azOwner[c], aDeep[c]);
      azDeep[c] = sqlite3_mprintf("{\"limit\": 50, \"after\": \"%s\"}", zCur);
      sqlite3_free(zCur);
    }
    azDeepOpts[c] = azDeep[c];
    checkPage(azOwner[c], azFirst[c], 0);
    checkPage(azOwner[c], azDeep[c], aDeep[c] + 1);
  }
  pStmt = prep("SELECT * FROM conversation_list(?1, ?2)");
  benchPage(pStmt, azOwner, azFirst, nRounds, nIter, aFirst);
  benchPage(pStmt, azOwner, azDeepOpts, nRounds, nIter, aDeepRes);
  sqlite3_finalize(pStmt);
  /* the reference: the statement conversation_list runs for a first page
  ** (one arm per pinned class), prepared once */
  pStmt = prep("SELECT * FROM (SELECT * FROM (SELECT " BENCH_LIST_COLS " FROM chat_conversations"
               " WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 0 AND (archived_at IS NOT NULL) = 0"
               " AND (pinned_at IS NOT NULL) = 1 ORDER BY updated_at DESC, id DESC LIMIT ?2)"
               " UNION ALL SELECT * FROM (SELECT " BENCH_LIST_COLS " FROM chat_conversations"
               " WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 0 AND (archived_at IS NOT NULL) = 0"
               " AND (pinned_at IS NOT NULL) = 0 ORDER BY updated_at DESC, id DESC LIMIT ?2))"
               " ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2");
  benchPage(pStmt, azOwner, azLimit, nRounds, nIter, aRaw);
  sqlite3_finalize(pStmt);

  printf("SELECT * FROM conversation_list(owner, options): a %d-row page, all columns, all rows stepped\n",
         BENCH_PAGE);
  printf("  (owners built with raw INSERTs in one transaction each: %.1f s; every 1000th pinned, 50th archived,\n"
         "   97th deleted; %d queries per round; each page checked against ORDER BY ... LIMIT/OFFSET)\n",
         tBuild, nIter);
  printf("  %-30s %9s %11s %9s %19s\n", "page", "listed", "median us", "p90 us", "round medians us");
  for (int q = 0; q < 2; q++) {
    HistResult *a = q ? aDeepRes : aFirst;
    for (int c = 0; c < 2; c++) {
      char zName[64];
      if (q) snprintf(zName, sizeof(zName), "%s, after row %d", c ? "big" : "small", aDeep[c] + 1);
      else snprintf(zName, sizeof(zName), "%s, first page", c ? "big" : "small");
      printf("  %-30s %9d %11.1f %9.1f %8.1f..%-8.1f\n", zName, aVisible[c], a[c].med, a[c].p90,
             a[c].roundMin, a[c].roundMax);
    }
    double ratio = a[1].med / a[0].med;
    printf("  %-30s %9s %11.2f %9s target <= 1.50  %s\n", q ? "ratio big/small, deep page" : "ratio big/small, first page",
           "", ratio, "", verdict(ratio, BENCH_TARGET_LIST, pnMiss));
  }
  printf("  reference, no target: the same SQL as a first page, prepared once\n");
  for (int c = 0; c < 2; c++) {
    printf("  %-30s %9d %11.1f %9.1f\n", c ? "big (raw)" : "small (raw)", aVisible[c], aRaw[c].med, aRaw[c].p90);
  }
  for (int c = 0; c < 2; c++) {
    printf("  full walk, %-5s (limit 500): %d rows in %d pages, %.1f ms, %.1f us/row; order checked\n",
           c ? "big" : "small", aVisible[c], aPages[c], aWalk[c] / 1e3, aWalk[c] / aVisible[c]);
    sqlite3_free(azDeep[c]);
  }
  /* the filters: updated_since at the middle of each owner's list (a
  ** bound of the index range), a model, a model and an agent (checked on
  ** the rows of the range: half and a third of them pass) */
  {
    static const char *const azFilter[3] = {"updated_since", "model gpt-4o", "model + agent sales"};
    char *azF[3][2];
    HistResult aF[3][2];
    for (int c = 0; c < 2; c++) {
      char *zSql = sqlite3_mprintf("SELECT updated_at FROM chat_conversations WHERE owner = '%q'"
                                   " ORDER BY updated_at LIMIT 1 OFFSET %d", azOwner[c], aN[c] / 2);
      char *zSince = scalarText(zSql);
      sqlite3_free(zSql);
      azF[0][c] = sqlite3_mprintf("{\"limit\": 50, \"updated_since\": \"%s\"}", zSince);
      sqlite3_free(zSince);
      azF[1][c] = sqlite3_mprintf("{\"limit\": 50, \"model\": \"gpt-4o\"}");
      azF[2][c] = sqlite3_mprintf("{\"limit\": 50, \"model\": \"gpt-4o\", \"agent\": \"sales\"}");
    }
    pStmt = prep("SELECT * FROM conversation_list(?1, ?2)");
    for (int f = 0; f < 3; f++) {
      const char *az[2] = {azF[f][0], azF[f][1]};
      benchPage(pStmt, azOwner, az, nRounds, nIter, aF[f]);
    }
    sqlite3_finalize(pStmt);
    printf("conversation_list with filters: a %d-row first page, all columns, all rows stepped\n", BENCH_PAGE);
    printf("  %-30s %9s %11s %9s %19s\n", "filter / owner", "owned", "median us", "p90 us", "round medians us");
    for (int f = 0; f < 3; f++) {
      double ratio = aF[f][1].med / aF[f][0].med;
      for (int c = 0; c < 2; c++) {
        printf("  %-30s %9d %11.1f %9.1f %8.1f..%-8.1f\n", c ? "" : azFilter[f], aN[c], aF[f][c].med,
               aF[f][c].p90, aF[f][c].roundMin, aF[f][c].roundMax);
        sqlite3_free(azF[f][c]);
      }
      printf("  %-30s %9s %11.2f %9s target <= 1.50  %s\n", "ratio big/small", "", ratio, "",
             verdict(ratio, BENCH_TARGET_LIST, pnMiss));
    }
  }
  printf("\n");
  fflush(stdout);
}

/* ------------------------------------------------------ search_messages */

#define BENCH_SEARCH_CONVS 1000 /* conversations of the search corpus */
#define BENCH_SEARCH_OWNERS 10  /* their owners: search-0 .. search-9 */
#define BENCH_VOCAB 5000        /* distinct generated words */

static sqlite3_uint64 rngState = 0x9E3779B97F4A7C15ull;

static sqlite3_uint64 rng(void) { /* xorshift64* */
  rngState ^= rngState >> 12;
  rngState ^= rngState << 25;
  rngState ^= rngState >> 27;
  return rngState * 2685821657736338717ull;
}

/* Word number k (0-based) of the vocabulary: 2-4 syllables. */
static void vocabWord(int k, char *zOut) {
  static const char *azSyl[] = {"ba", "ke", "ri", "so", "tu", "la", "me", "ni", "po", "da", "fe", "gi",
                                "ho", "ju", "ka", "lo", "mu", "na", "pe", "qui", "ra", "se", "ti", "vo",
                                "wa", "xe", "yo", "ze", "bro", "cla", "dri", "fla"};
  int n = 2 + k % 3;
  zOut[0] = 0;
  for (int i = 0; i < n; i++) {
    strcat(zOut, azSyl[k % 32]);
    k = k / 32 + i * 7 + 3;
  }
}

/* How many corpus messages got each planted word (counted while built). */
static int nPlantBaguette, nPlantCroissant, nPlantSour, nPlantStarter;

/* The content of a corpus message: 12-20 words drawn with a Zipf-like
** (log-uniform rank) distribution, plus planted words, each with its own
** random draw: "baguette" in 10 % of the messages, "croissant" in 1 %,
** "sourdough" in 0.01 % (the rare term), followed by "starter" in a fifth
** of those (the phrase). */
static int corpusText(char *zBuf, char **azVocab) {
  int n = 12 + (int)(rng() % 9), len = 0;
  zBuf[0] = 0;
  for (int w = 0; w < n; w++) {
    double u = (double)(rng() >> 11) / 9007199254740992.0;
    int r = (int)exp(u * log((double)BENCH_VOCAB)) - 1;
    len += sprintf(zBuf + len, "%s%s", w ? " " : "", azVocab[r]);
  }
  if (rng() % 10 == 0) {
    len += sprintf(zBuf + len, " baguette");
    nPlantBaguette++;
  }
  if (rng() % 100 == 0) {
    len += sprintf(zBuf + len, " croissant");
    nPlantCroissant++;
  }
  if (rng() % 10000 == 0) {
    len += sprintf(zBuf + len, " sourdough");
    nPlantSour++;
    if (rng() % 5 == 0) {
      len += sprintf(zBuf + len, " starter");
      nPlantStarter++;
    }
  }
  return len;
}

#define BENCH_CORPUS_SINGLE 20000 /* corpus messages written one INSERT each */
#define BENCH_CORPUS_PER_STMT 100 /* rows per INSERT for the rest */

typedef struct CorpusBuild {
  double tSingle, tMulti, tIndex, tTotal; /* seconds; tTotal with the conversations and the index */
  int nSingle, nMulti;    /* messages written each way */
} CorpusBuild;

/* The search corpus: nMsg messages over BENCH_SEARCH_CONVS conversations,
** written round-robin (message i goes to conversation i % C), so every
** conversation holds a slice of every period.  The first nOld messages are
** dated more than a year ago (400 days, one per 10 ms), the rest within
** the last 30 days; retention (part 5) deletes the old ones.  All in one
** transaction: the first BENCH_CORPUS_SINGLE messages with one INSERT
** each, the rest with INSERTs of BENCH_CORPUS_PER_STMT rows; then
** chatflow_index() indexes them for search, in a transaction of its own
** (raw INSERTs wait above the search mark). */
static CorpusBuild buildCorpus(int nMsg, int nOld, sqlite3_int64 *aConv) {
  char **azVocab = malloc(sizeof(char *) * BENCH_VOCAB);
  char zBuf[512], zTime[32];
  double tNow = nowEpoch(), tOld = tNow - 400 * 86400.0, tNew = tNow - 30 * 86400.0, t0, t1;
  sqlite3_stmt *pC, *pM1, *pMk;
  CorpusBuild r = {0, 0, 0, 0, 0, 0};
  sqlite3_str *pSql = sqlite3_str_new(0);
  int i = 0;
  if (!azVocab) die("out of memory");
  for (int k = 0; k < BENCH_VOCAB; k++) {
    azVocab[k] = malloc(32);
    if (!azVocab[k]) die("out of memory");
    vocabWord(k, azVocab[k]);
  }
  sqlite3_str_appendall(pSql, "INSERT INTO chat_messages (conversation_id, seq, role, type, content, tokens,"
                              " created_at) VALUES ");
  for (int k = 0; k < BENCH_CORPUS_PER_STMT; k++) sqlite3_str_appendall(pSql, k ? ", (?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)");
  {
    char *zSql = sqlite3_str_finish(pSql);
    pMk = prep(zSql);
    sqlite3_free(zSql);
  }
  pM1 = prep("INSERT INTO chat_messages (conversation_id, seq, role, type, content, tokens, created_at)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  pC = prep("INSERT INTO chat_conversations (owner, title) VALUES (?1, ?2) RETURNING id");
  t0 = nowUs();
  step1(pBegin);
  for (int c = 0; c < BENCH_SEARCH_CONVS; c++) {
    char zOwner[32], zTitle[64];
    snprintf(zOwner, sizeof(zOwner), "search-%d", c % BENCH_SEARCH_OWNERS);
    snprintf(zTitle, sizeof(zTitle), "corpus chat %d", c);
    sqlite3_bind_text(pC, 1, zOwner, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(pC, 2, zTitle, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(pC) != SQLITE_ROW) die("corpus conversation");
    aConv[c] = sqlite3_column_int64(pC, 0);
    sqlite3_reset(pC);
  }
  r.nSingle = nMsg < BENCH_CORPUS_SINGLE ? nMsg : BENCH_CORPUS_SINGLE;
  r.nMulti = 0;
  t1 = nowUs();
  while (i < nMsg) {
    int nRow = i < r.nSingle ? 1 : BENCH_CORPUS_PER_STMT;
    sqlite3_stmt *pM = nRow == 1 ? pM1 : pMk;
    if (i == r.nSingle) {
      r.tSingle = (nowUs() - t1) / 1e6;
      t1 = nowUs();
    }
    if (nRow > 1 && i + nRow > nMsg) {
      nRow = 1; /* the tail */
      pM = pM1;
    }
    for (int k = 0; k < nRow; k++, i++) {
      int len = corpusText(zBuf, azVocab), bUser = (i / BENCH_SEARCH_CONVS) % 2 == 0, b = k * 7;
      fmtTime(i < nOld ? tOld + i * 0.01 : tNew + (i - nOld) * 0.001, zTime);
      sqlite3_bind_int64(pM, b + 1, aConv[i % BENCH_SEARCH_CONVS]);
      sqlite3_bind_int64(pM, b + 2, i / BENCH_SEARCH_CONVS + 1);
      sqlite3_bind_text(pM, b + 3, bUser ? "user" : "assistant", -1, SQLITE_STATIC);
      sqlite3_bind_text(pM, b + 4, bUser ? "user_input" : "assistant_response", -1, SQLITE_STATIC);
      sqlite3_bind_text(pM, b + 5, zBuf, len, SQLITE_TRANSIENT);
      sqlite3_bind_int(pM, b + 6, (len + 3) / 4);
      sqlite3_bind_text(pM, b + 7, zTime, -1, SQLITE_TRANSIENT);
    }
    step1(pM);
    if (i > r.nSingle) r.nMulti += nRow;
  }
  step1(pCommit); /* the COMMIT is counted in the last phase */
  if (r.nMulti) r.tMulti = (nowUs() - t1) / 1e6;
  else r.tSingle = (nowUs() - t1) / 1e6;
  t1 = nowUs();
  if (scalarInt("SELECT chatflow_index()") < nMsg) die("chatflow_index() indexed fewer than the corpus");
  r.tIndex = (nowUs() - t1) / 1e6;
  r.tTotal = (nowUs() - t0) / 1e6;
  sqlite3_finalize(pC);
  sqlite3_finalize(pM1);
  sqlite3_finalize(pMk);
  for (int k = 0; k < BENCH_VOCAB; k++) free(azVocab[k]);
  free(azVocab);
  return r;
}

static void printCorpusBuild(const CorpusBuild *b) {
  printf("  corpus build, raw INSERTs in one transaction, then chatflow_index(): %.1f s in all\n", b->tTotal);
  printf("    %7d messages, one INSERT each:          %7.1f us/message (%.0f messages/s)\n", b->nSingle,
         b->tSingle * 1e6 / b->nSingle, b->nSingle / b->tSingle);
  if (b->nMulti) {
    printf("    %7d messages, %d rows per INSERT: %7.1f us/message (%.0f messages/s), with the COMMIT\n",
           b->nMulti, BENCH_CORPUS_PER_STMT, b->tMulti * 1e6 / b->nMulti, b->nMulti / b->tMulti);
  }
  printf("    %7d messages indexed by chatflow_index(): %7.1f us/message (%.0f messages/s)\n",
         b->nSingle + b->nMulti, b->tIndex * 1e6 / (b->nSingle + b->nMulti), (b->nSingle + b->nMulti) / b->tIndex);
}

typedef struct SearchCase {
  const char *zName;  /* printed */
  const char *zQuery; /* the query argument */
  const char *zOwner; /* NULL: all owners */
  const char *zOpts;  /* options JSON or NULL */
  int nHits;          /* messages matching, over all owners (-1: not checked) */
} SearchCase;

/* Times each case nIter times (after one warm-up execution); prints a line
** per case: matches, rows returned, median, p90 and max latency. */
static void runSearchCases(const SearchCase *a, int nCase, int nIter) {
  sqlite3_stmt *pStmt = prep("SELECT * FROM search_messages(?1, ?2, ?3)");
  double *aLat = calloc((size_t)nIter, sizeof(double));
  if (!aLat) die("out of memory");
  printf("  %-40s %8s %5s %11s %9s %9s\n", "query", "matches", "rows", "median us", "p90 us", "max us");
  for (int q = 0; q < nCase; q++) {
    int nRow = 0;
    sqlite3_bind_text(pStmt, 1, a[q].zQuery, -1, SQLITE_STATIC);
    if (a[q].zOwner) sqlite3_bind_text(pStmt, 2, a[q].zOwner, -1, SQLITE_STATIC);
    else sqlite3_bind_null(pStmt, 2);
    if (a[q].zOpts) sqlite3_bind_text(pStmt, 3, a[q].zOpts, -1, SQLITE_STATIC);
    else sqlite3_bind_null(pStmt, 3);
    nRow = stepAll(pStmt, 0);
    for (int k = 0; k < nIter; k++) {
      if (stepAll(pStmt, &aLat[k]) != nRow) die("search_messages gave a different row count");
    }
    Lat l = latOf(aLat, nIter);
    char zHits[16];
    if (a[q].nHits >= 0) snprintf(zHits, sizeof(zHits), "%d", a[q].nHits);
    else snprintf(zHits, sizeof(zHits), "-");
    printf("  %-40s %8s %5d %11.1f %9.1f %9.1f\n", a[q].zName, zHits, nRow, l.med, l.p90, l.max);
    fflush(stdout);
  }
  free(aLat);
  sqlite3_finalize(pStmt);
}

static void checkHits(const char *zMatch, int nWant) {
  char *zSql = sqlite3_mprintf("SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH '%q'", zMatch);
  int n = (int)scalarInt(zSql);
  sqlite3_free(zSql);
  if (n != nWant) die("the FTS index finds %d messages for %s, expected %d", n, zMatch, nWant);
}

static void runSearch(int nMsg, int nOld, int nIter, sqlite3_int64 *aConv) {
  CorpusBuild b = buildCorpus(nMsg, nOld, aConv);
  int nBaguette = nPlantBaguette, nCroissant = nPlantCroissant, nSour = nPlantSour;
  int nStarter = nPlantStarter;
  sqlite3_int64 nPages = scalarInt("PRAGMA page_count"), nPageSize = scalarInt("PRAGMA page_size");
  checkHits("sourdough", nSour);
  checkHits("croissant", nCroissant);
  checkHits("baguette", nBaguette);
  checkHits("\"sourdough starter\"", nStarter);
  {
    SearchCase a[] = {
      {"rare 'sourdough', rank", "sourdough", 0, 0, nSour},
      {"rare 'sourdough', one owner, rank", "sourdough", "search-3", 0, nSour},
      {"rare 'sourdough', newest", "sourdough", 0, "{\"order\": \"newest\"}", nSour},
      {"phrase '\"sourdough starter\"'", "\"sourdough starter\"", 0, 0, nStarter},
      {"prefix 'sourd*'", "sourd*", 0, 0, -1},
      {"plain 'Sourdough!' (syntax plain)", "Sourdough!", 0, "{\"syntax\": \"plain\"}", nSour},
      {"1 % 'croissant', rank", "croissant", 0, 0, nCroissant},
      {"1 % 'croissant', newest", "croissant", 0, "{\"order\": \"newest\"}", nCroissant},
      {"1 % 'croissant', one owner, rank", "croissant", "search-3", 0, nCroissant},
      {"10 % 'baguette', rank", "baguette", 0, 0, nBaguette},
      {"10 % 'baguette', newest", "baguette", 0, "{\"order\": \"newest\"}", nBaguette},
      {"AND 'baguette croissant', rank", "baguette croissant", 0, 0, -1},
      {"no match 'zzzz'", "zzzz", 0, 0, 0},
    };
    printf("SELECT * FROM search_messages(query, owner, options): default limit 50, all rows stepped\n");
    printf("  (corpus: %d messages of 12-20 generated words, %d conversations, %d owners; with the earlier\n"
           "   parts' messages the index holds %lld messages; file now %.1f MB)\n",
           nMsg, BENCH_SEARCH_CONVS, BENCH_SEARCH_OWNERS, (long long)scalarInt("SELECT count(*) FROM chat_messages"),
           (double)(nPages * nPageSize) / 1e6);
    printCorpusBuild(&b);
    printf("  matches = messages holding the term (checked against the FTS index); %d queries each\n", nIter);
    runSearchCases(a, (int)(sizeof(a) / sizeof(a[0])), nIter);
  }
  {
    /* where the time goes: the FTS5 table alone, rank order, 50 rows */
    static const char *azRef[] = {
      "SELECT rowid, rank FROM chat_messages_fts WHERE chat_messages_fts MATCH ?1 ORDER BY rank LIMIT 50",
      "SELECT rowid, rank, snippet(chat_messages_fts, 0, '[', ']', '…', 12) FROM chat_messages_fts"
      " WHERE chat_messages_fts MATCH ?1 ORDER BY rank LIMIT 50",
      "SELECT rowid FROM chat_messages_fts WHERE chat_messages_fts MATCH ?1 ORDER BY rowid DESC LIMIT 50",
    };
    static const char *azRefName[] = {"rowid, rank; ORDER BY rank", "+ snippet(); ORDER BY rank",
                                      "rowid; ORDER BY rowid DESC"};
    static const char *azTerm[] = {"sourdough", "croissant", "baguette"};
    double *aLat = calloc((size_t)nIter, sizeof(double));
    if (!aLat) die("out of memory");
    printf("  reference, no target: the FTS5 table alone, LIMIT 50 (median us)\n");
    printf("  %-40s %12s %12s %12s\n", "", "sourdough", "croissant", "baguette");
    for (int r = 0; r < 3; r++) {
      sqlite3_stmt *pRef = prep(azRef[r]);
      printf("  %-40s", azRefName[r]);
      for (int t = 0; t < 3; t++) {
        sqlite3_bind_text(pRef, 1, azTerm[t], -1, SQLITE_STATIC);
        stepAll(pRef, 0);
        for (int k = 0; k < nIter; k++) stepAll(pRef, &aLat[k]);
        printf(" %12.1f", median(aLat, nIter));
      }
      printf("\n");
      sqlite3_finalize(pRef);
    }
    free(aLat);
  }
  printf("\n");
  fflush(stdout);
}

/* ------------------------------------------- search in scripts and emoji */

/* Part 7 runs on a database file of its own (scripts.db), so that its
** figures are those of its corpus alone: the global db is swapped while it
** runs (prep, exec, scalarInt use it). */

#define BENCH_SCRIPTS_CONVS 1000
#define BENCH_SCRIPTS_OWNERS 10   /* scripts-0 .. scripts-9 */

/* Chinese words (most of two characters) and particles: sentences of
** 8-20 words, a particle after about a third of them, a comma or a full
** stop every few words.  鲸鱼 is planted in 1 message in 1000 of them. */
static const char *azZhWord[] = {
  "我们", "今天", "面包", "咖啡", "里昂", "开业", "朋友", "时间", "工作", "学习", "城市", "天气",
  "晚上", "早上", "喜欢", "知道", "问题", "已经", "可以", "没有", "因为", "所以", "但是", "非常",
  "一起", "商店", "市场", "价格", "新鲜", "味道", "面包店", "法棍", "牛角包", "蛋糕", "顾客", "老板",
  "计划", "菜单", "周末", "假期", "电脑", "手机", "网站", "文章", "图片", "视频", "会议", "报告",
  "项目", "客户", "产品", "服务", "质量", "数据", "系统", "用户", "设计", "开发", "测试", "发布"};
static const char *azZhParticle[] = {"的", "了", "是", "在", "和", "也", "就", "都", "很", "吗"};
/* emoji of the Latin messages that carry one: 🍞 is one in ten */
static const char *azEmoji[] = {"\xF0\x9F\x8D\x9E", "\xF0\x9F\xA5\x90", "\xE2\x98\x95", "\xF0\x9F\x8E\x89",
                                "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\xE2\x9D\xA4\xEF\xB8\x8F",
                                "\xF0\x9F\x98\x80", "\xF0\x9F\x99\x8F", "\xF0\x9F\x94\xA5", "\xE2\x9C\x85"};

static int zhText(char *zBuf) {
  int n = 8 + (int)(rng() % 13), len = 0;
  zBuf[0] = 0;
  for (int w = 0; w < n; w++) {
    len += sprintf(zBuf + len, "%s", azZhWord[rng() % (sizeof(azZhWord) / sizeof(azZhWord[0]))]);
    if (rng() % 3 == 0) len += sprintf(zBuf + len, "%s", azZhParticle[rng() % 10]);
    if (w == n - 1) len += sprintf(zBuf + len, "。");
    else if (rng() % 5 == 0) len += sprintf(zBuf + len, "，");
  }
  if (rng() % 1000 == 0) len += sprintf(zBuf + len, "鲸鱼很大。");
  return len;
}

typedef struct ScriptsCorpus {
  int nZh, nEmoji, nLatin;
  double tBuild;
} ScriptsCorpus;

/* nMsg messages over BENCH_SCRIPTS_CONVS conversations (titles: one in ten
** Chinese): 10 % Chinese, 2 % Latin text with one emoji, the rest Latin
** text (part 4's generator); raw INSERTs of 100 rows in one transaction. */
static ScriptsCorpus buildScriptsCorpus(int nMsg, sqlite3_int64 *aConv) {
  char **azVocab = malloc(sizeof(char *) * BENCH_VOCAB);
  char zBuf[1024], zTime[32];
  double tNew = nowEpoch() - 30 * 86400.0, t0 = nowUs();
  sqlite3_stmt *pC, *pM;
  ScriptsCorpus r = {0, 0, 0, 0};
  sqlite3_str *pSql = sqlite3_str_new(0);
  int i = 0, nPer = 100;
  if (!azVocab) die("out of memory");
  for (int k = 0; k < BENCH_VOCAB; k++) {
    azVocab[k] = malloc(32);
    if (!azVocab[k]) die("out of memory");
    vocabWord(k, azVocab[k]);
  }
  sqlite3_str_appendall(pSql, "INSERT INTO chat_messages (conversation_id, seq, role, type, content, tokens,"
                              " created_at) VALUES ");
  for (int k = 0; k < nPer; k++) sqlite3_str_appendall(pSql, k ? ", (?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)");
  {
    char *zSql = sqlite3_str_finish(pSql);
    pM = prep(zSql);
    sqlite3_free(zSql);
  }
  pC = prep("INSERT INTO chat_conversations (owner, title) VALUES (?1, ?2) RETURNING id");
  exec("BEGIN");
  for (int c = 0; c < BENCH_SCRIPTS_CONVS; c++) {
    char zOwner[32], zTitle[64];
    snprintf(zOwner, sizeof(zOwner), "scripts-%d", c % BENCH_SCRIPTS_OWNERS);
    if (c % 10 == 0) snprintf(zTitle, sizeof(zTitle), "面包店的计划 %d", c);
    else snprintf(zTitle, sizeof(zTitle), "corpus chat %d", c);
    sqlite3_bind_text(pC, 1, zOwner, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(pC, 2, zTitle, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(pC) != SQLITE_ROW) die("scripts corpus conversation");
    aConv[c] = sqlite3_column_int64(pC, 0);
    sqlite3_reset(pC);
  }
  while (i < nMsg) {
    int nRow = i + nPer <= nMsg ? nPer : 1;
    sqlite3_stmt *p = pM;
    if (nRow == 1) p = prep("INSERT INTO chat_messages (conversation_id, seq, role, type, content, tokens,"
                            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
    for (int k = 0; k < nRow; k++, i++) {
      int len, bUser = (i / BENCH_SCRIPTS_CONVS) % 2 == 0, b = k * 7, u = (int)(rng() % 100);
      if (u < 10) {
        len = zhText(zBuf);
        r.nZh++;
      } else {
        len = corpusText(zBuf, azVocab);
        if (u < 12) {
          len += sprintf(zBuf + len, " %s", azEmoji[rng() % 10]);
          r.nEmoji++;
        } else {
          r.nLatin++;
        }
      }
      fmtTime(tNew + i * 0.01, zTime);
      sqlite3_bind_int64(p, b + 1, aConv[i % BENCH_SCRIPTS_CONVS]);
      sqlite3_bind_int64(p, b + 2, i / BENCH_SCRIPTS_CONVS + 1);
      sqlite3_bind_text(p, b + 3, bUser ? "user" : "assistant", -1, SQLITE_STATIC);
      sqlite3_bind_text(p, b + 4, bUser ? "user_input" : "assistant_response", -1, SQLITE_STATIC);
      sqlite3_bind_text(p, b + 5, zBuf, len, SQLITE_TRANSIENT);
      sqlite3_bind_int(p, b + 6, (len + 3) / 4);
      sqlite3_bind_text(p, b + 7, zTime, -1, SQLITE_TRANSIENT);
    }
    step1(p);
    if (p != pM) sqlite3_finalize(p);
  }
  exec("COMMIT");
  exec("SELECT chatflow_index()"); /* raw INSERTs wait above the search mark */
  r.tBuild = (nowUs() - t0) / 1e6;
  sqlite3_finalize(pC);
  sqlite3_finalize(pM);
  for (int k = 0; k < BENCH_VOCAB; k++) free(azVocab[k]);
  free(azVocab);
  return r;
}

/* Bytes of the FTS5 table zPrefix and its shadow tables (dbstat); with ""
** those of chat_messages and its indexes; -1 without dbstat. */
static double tableBytes(const char *zPrefix) {
  sqlite3_stmt *p = 0;
  double v = -1;
  const char *zSql = zPrefix[0]
      ? "SELECT sum(pgsize) FROM dbstat WHERE name GLOB ?1 || '_*'"
      : "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_schema"
        " WHERE tbl_name = 'chat_messages' AND type IN ('table', 'index'))";
  if (sqlite3_prepare_v2(db, zSql, -1, &p, 0) != SQLITE_OK) return -1;
  sqlite3_bind_text(p, 1, zPrefix, -1, SQLITE_STATIC);
  if (sqlite3_step(p) == SQLITE_ROW) v = sqlite3_column_double(p, 0);
  sqlite3_finalize(p);
  return v;
}

typedef struct ScriptsAdd {
  const char *zName;
  const char *zText;
  int bNoTrigram;    /* timed with the trigram triggers dropped */
  sqlite3_int64 iConv;
  double aUs[2][64]; /* per round: autocommit, batch */
} ScriptsAdd;

static void runScripts(int nMsg, int nIter, int nRounds) {
  sqlite3 *dbMain = db, *sdb = 0;
  char zPath[300];
  sqlite3_int64 aConv[BENCH_SCRIPTS_CONVS];
  ScriptsCorpus cb;
  sqlite3_int64 nTri, nTriTitles, nChars;
  double bTri, bTriTitles, bWord, bMsgs;
  char *zTrigger;
  if (nRounds > 64) nRounds = 64;
  snprintf(zPath, sizeof(zPath), "%s/scripts.db", zDir);
  if (sqlite3_open(zPath, &sdb) != SQLITE_OK) die("cannot open %s", zPath);
  db = sdb;
  exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; SELECT chatflow_init();");

  cb = buildScriptsCorpus(nMsg, aConv);
  nTri = scalarInt("SELECT count(*) FROM chat_messages_trigram_docsize");
  nTriTitles = scalarInt("SELECT count(*) FROM chat_titles_trigram_docsize");
  nChars = scalarInt("SELECT sum(length(content)) FROM chat_messages WHERE id IN"
                     " (SELECT id FROM chat_messages_trigram_docsize)");
  bTri = tableBytes("chat_messages_trigram");
  bTriTitles = tableBytes("chat_titles_trigram");
  bWord = tableBytes("chat_messages_fts");
  bMsgs = tableBytes("");   /* chat_messages and its indexes, see tableBytes() */
  printf("search in scripts and emoji: a corpus of %d messages (its own database file)\n", nMsg);
  printf("  %d Chinese (8-20 words, about 40 characters), %d Latin with one emoji, %d Latin only;\n"
         "  %d conversations, %d owners, one title in ten Chinese; raw INSERTs in one transaction: %.1f s\n",
         cb.nZh, cb.nEmoji, cb.nLatin, BENCH_SCRIPTS_CONVS, BENCH_SCRIPTS_OWNERS, cb.tBuild);
  printf("  index sizes (dbstat, the tables and their shadow tables):\n");
  if (bTri < 0) {
    printf("    (this SQLite has no dbstat: sizes not measured)\n");
  } else {
    printf("    chat_messages_trigram  %8.2f MB  %6lld messages indexed (%.1f %% of them), %.0f bytes each,"
           " %.1f bytes per indexed character\n",
           bTri / 1e6, (long long)nTri, 100.0 * (double)nTri / nMsg, bTri / (double)nTri,
           bTri / (double)nChars);
    printf("    chat_titles_trigram    %8.2f MB  %6lld titles indexed\n", bTriTitles / 1e6, (long long)nTriTitles);
    printf("    chat_messages_fts      %8.2f MB  every message (the word index, for comparison), %.0f bytes each\n",
           bWord / 1e6, bWord / nMsg);
    printf("    chat_messages          %8.2f MB  the table and its indexes, %.0f bytes a message\n", bMsgs / 1e6,
           bMsgs / nMsg);
  }
  fflush(stdout);

  {
    /* matches counted independently: instr() over the table (no case to fold) */
    static const struct {
      const char *zName, *zQuery, *zOwner, *zOpts, *zInstr;
    } a[] = {
      {"1 char, common '的'", "的", 0, 0, "的"},
      {"1 char, rare '鲸'", "鲸", 0, 0, "鲸"},
      {"1 char, emoji '🍞'", "\xF0\x9F\x8D\x9E", 0, 0, "\xF0\x9F\x8D\x9E"},
      {"2 chars '面包'", "面包", 0, 0, "面包"},
      {"2 chars '面包', newest", "面包", 0, "{\"order\": \"newest\"}", "面包"},
      {"2 chars '面包', one owner", "面包", "scripts-3", 0, 0},
      {"2 chars, rare '鲸鱼'", "鲸鱼", 0, 0, "鲸鱼"},
      {"3 chars '面包店'", "面包店", 0, 0, "面包店"},
      {"3 chars '面包店', newest", "面包店", 0, "{\"order\": \"newest\"}", "面包店"},
      {"4 chars '里昂开业'", "里昂开业", 0, 0, "里昂开业"},
      {"5 chars, rare '鲸鱼很大。'", "鲸鱼很大。", 0, 0, "鲸鱼很大。"},
      {"mixed 'croissant 🍞'", "croissant \xF0\x9F\x8D\x9E", 0, 0, 0},
      {"OR '面包 OR 咖啡'", "面包 OR 咖啡", 0, 0, 0},
      {"reference: word 'croissant'", "croissant", 0, 0, "croissant"},
      {"reference: word 'baguette'", "baguette", 0, 0, "baguette"},
    };
    int nCase = (int)(sizeof(a) / sizeof(a[0]));
    sqlite3_stmt *pStmt = prep("SELECT * FROM search_messages(?1, ?2, ?3)");
    double *aLat = calloc((size_t)nIter, sizeof(double));
    if (!aLat) die("out of memory");
    printf("  SELECT * FROM search_messages(query, owner, options): default limit 50, all rows stepped;\n"
           "  matches = messages holding the text (instr() over the table); %d queries each\n", nIter);
    printf("  %8s %5s %11s %9s %9s  %s\n", "matches", "rows", "median us", "p90 us", "max us", "query");
    for (int q = 0; q < nCase; q++) {
      char zHits[16] = "-";
      int nRow;
      if (a[q].zInstr) {
        char *zSql = sqlite3_mprintf("SELECT count(*) FROM chat_messages WHERE instr(content, %Q)", a[q].zInstr);
        snprintf(zHits, sizeof(zHits), "%lld", (long long)scalarInt(zSql));
        sqlite3_free(zSql);
      }
      sqlite3_bind_text(pStmt, 1, a[q].zQuery, -1, SQLITE_STATIC);
      if (a[q].zOwner) sqlite3_bind_text(pStmt, 2, a[q].zOwner, -1, SQLITE_STATIC);
      else sqlite3_bind_null(pStmt, 2);
      if (a[q].zOpts) sqlite3_bind_text(pStmt, 3, a[q].zOpts, -1, SQLITE_STATIC);
      else sqlite3_bind_null(pStmt, 3);
      nRow = stepAll(pStmt, 0);
      for (int k = 0; k < nIter; k++) {
        if (stepAll(pStmt, &aLat[k]) != nRow) die("search_messages gave a different row count");
      }
      Lat l = latOf(aLat, nIter);
      printf("  %8s %5d %11.1f %9.1f %9.1f  %s\n", zHits, nRow, l.med, l.p90, l.max, a[q].zName);
      fflush(stdout);
    }
    /* exact: the 1- and 2-character path finds what instr() finds */
    {
      sqlite3_int64 nA = scalarInt("SELECT count(*) FROM search_messages('鲸', NULL, '{\"limit\": 500, \"titles\": false}')");
      sqlite3_int64 nB = scalarInt("SELECT count(*) FROM chat_messages WHERE instr(content, '鲸')");
      if (nA != nB && nB <= 500) die("search_messages finds %lld messages with 鲸, instr() %lld", nA, nB);
    }
    free(aLat);
    sqlite3_finalize(pStmt);
  }

  {
    /* add_message: a Latin message (not trigram-indexed), the same with an
    ** emoji (the whole message is), a Chinese one, and the Chinese one with
    ** the trigram index's triggers dropped for its blocks (the index's own
    ** cost: its batches, see chatflow_search_state in migration 005) */
    ScriptsAdd aAdd[] = {
      {"Latin, 91 characters", zContent, 0, 0, {{0}}},
      {"Latin + one emoji, 93 characters", "Can you propose three pillar topics for our bakery's blog,"
                                             " with a short rationale for each? \xF0\x9F\x8D\x9E", 0, 0, {{0}}},
      {"Chinese, 31 characters", "我们的面包店在里昂开业了，欢迎大家来品尝新鲜出炉的法棍和牛角包。", 0, 0, {{0}}},
      {"Chinese, trigram triggers dropped", "我们的面包店在里昂开业了，欢迎大家来品尝新鲜出炉的法棍和牛角包。", 1, 0,
       {{0}}},
    };
    int nVar = (int)(sizeof(aAdd) / sizeof(aAdd[0])), nBlock = 300, nBatch = 2000;
    sqlite3_stmt *pA = prep("SELECT add_message(?1, 'user', ?2)");
    sqlite3_stmt *pNewConv = prep("SELECT create_conversation('bench-add', ?1)");
    zTrigger = scalarText("SELECT group_concat(sql, ';') FROM sqlite_schema WHERE type = 'trigger'"
                          " AND name IN ('chatflow_search_state_index_scripts', 'chat_messages_trigram_delete')");
    for (int v = 0; v < nVar; v++) {
      sqlite3_bind_text(pNewConv, 1, aAdd[v].zName, -1, SQLITE_STATIC);
      if (sqlite3_step(pNewConv) != SQLITE_ROW) die("create_conversation");
      aAdd[v].iConv = sqlite3_column_int64(pNewConv, 0);
      sqlite3_reset(pNewConv);
    }
    for (int r = -1; r < nRounds; r++) { /* round -1 warms up */
      for (int vv = 0; vv < nVar; vv++) {
        int v = (vv + (r < 0 ? 0 : r)) % nVar;   /* the variants take turns going first */
        for (int bBatch = 0; bBatch < 2; bBatch++) {
          int n = bBatch ? nBatch : nBlock;
          double t0;
          if (aAdd[v].bNoTrigram) {
            exec("DROP TRIGGER chatflow_search_state_index_scripts; DROP TRIGGER chat_messages_trigram_delete");
          }
          sqlite3_bind_int64(pA, 1, aAdd[v].iConv);
          sqlite3_bind_text(pA, 2, aAdd[v].zText, -1, SQLITE_STATIC);
          if (sqlite3_step(pA) != SQLITE_ROW) die("add_message"); /* re-prepares after the schema change */
          sqlite3_reset(pA);
          t0 = nowUs();
          if (bBatch) exec("BEGIN");
          for (int k = 0; k < n; k++) {
            if (sqlite3_step(pA) != SQLITE_ROW) die("add_message");
            sqlite3_reset(pA);
          }
          if (bBatch) exec("COMMIT");
          if (r >= 0) aAdd[v].aUs[bBatch][r] = (nowUs() - t0) / n;
          if (aAdd[v].bNoTrigram) exec(zTrigger);
        }
      }
    }
    printf("  add_message(conv, 'user', text) on that corpus: %d rounds of %d calls in autocommit and %d in\n"
           "  one BEGIN...COMMIT per variant, the variants taking turns; median of the rounds (us per call)\n",
           nRounds, nBlock, nBatch);
    printf("  %-36s %12s %12s %12s\n", "message", "autocommit", "in a txn", "vs Latin");
    {
      double aMed[2][8];
      for (int v = 0; v < nVar; v++) {
        for (int b = 0; b < 2; b++) aMed[b][v] = median(aAdd[v].aUs[b], nRounds);
        printf("  %-36s %12.1f %12.1f %11.2fx\n", aAdd[v].zName, aMed[0][v], aMed[1][v],
               aMed[1][v] / aMed[1][0]);
      }
      printf("  the trigram index's own cost for the Chinese message: %+.1f us in a txn, %+.1f us in autocommit\n",
             aMed[1][2] - aMed[1][3], aMed[0][2] - aMed[0][3]);
    }
    if (scalarInt("SELECT count(*) FROM search_messages('欢迎大家', 'bench-add', '{\"limit\": 500}')") != 500) {
      die("the added Chinese messages are not all found");
    }
    sqlite3_free(zTrigger);
    sqlite3_finalize(pA);
    sqlite3_finalize(pNewConv);
  }
  printf("\n");
  fflush(stdout);
  if (sqlite3_close_v2(sdb) != SQLITE_OK) die("close scripts.db");
  db = dbMain;
}

/* ------------------------------------------------------------ retention */

#define BENCH_TARGET_HOLD_MS 50.0 /* the longest write transaction of a call */

/* The WAL hook, called once a write transaction has committed (after its
** write lock is released), in the sqlite3_step that returned SQLITE_DONE.
** It stamps the commit time, then does what the default hook
** (sqlite3_wal_autocheckpoint(db, 1000)) does: a PASSIVE checkpoint once
** the WAL holds 1000 frames, timed on its own. */
static double tWalCommit, tWalCommitCpu, tWalCheckpoint;

static double cpuUs(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int walHook(void *pArg, sqlite3 *pDb, const char *zDb, int nFrame) {
  (void)pArg;
  tWalCommit = nowUs();
  tWalCommitCpu = cpuUs();
  if (nFrame >= 1000) {
    sqlite3_wal_checkpoint_v2(pDb, zDb, SQLITE_CHECKPOINT_PASSIVE, 0, 0);
    tWalCheckpoint = nowUs() - tWalCommit;
  }
  return SQLITE_OK;
}

static void pushTime(double **pa, int *pn, int *pnCap, double v) {
  if (*pn == *pnCap) {
    *pnCap = *pnCap ? *pnCap * 2 : 1024;
    *pa = realloc(*pa, sizeof(double) * (size_t)*pnCap);
    if (!*pa) die("out of memory");
  }
  (*pa)[(*pn)++] = v;
}

/* delete_old_messages(365) in autocommit mode, looped until it returns 0,
** each call stepped to SQLITE_DONE as the sqlite3 shell and most bindings
** do (the commit happens in that step).  Per call: the wall time; the
** write transaction, from the call's start to its commit (the hook); the
** checkpoint that follows some commits. */
static void runRetention(int nOld, sqlite3_int64 nCorpus, int *pnMiss) {
  sqlite3_stmt *pDel = prep("SELECT delete_old_messages(365)");
  int nCalls = 0, nCapCall = 0, nTxn = 0, nCapTxn = 0, nCkpt = 0, nCapCkpt = 0;
  double *aCall = 0, *aTxn = 0, *aCkpt = 0, tTotal = 0, tCkpt = 0;
  double tMaxTxn = 0, tMaxTxnCpu = 0, tCpuTotal = 0; /* the longest write transaction, its CPU time */
  sqlite3_int64 nDeleted = 0, nBefore = scalarInt("SELECT count(*) FROM chat_messages");
  sqlite3_wal_hook(db, walHook, 0);
  for (;;) {
    double t0 = nowUs(), c0 = cpuUs(), t;
    int n;
    tWalCommit = tWalCheckpoint = 0;
    tWalCommitCpu = 0;
    if (sqlite3_step(pDel) != SQLITE_ROW) die("delete_old_messages");
    n = sqlite3_column_int(pDel, 0);
    if (sqlite3_step(pDel) != SQLITE_DONE) die("delete_old_messages");
    sqlite3_reset(pDel);
    t = nowUs() - t0;
    tTotal += t;
    nDeleted += n;
    if (n == 0) break; /* the last call found nothing to do */
    pushTime(&aCall, &nCalls, &nCapCall, t);
    if (tWalCommit == 0) die("delete_old_messages(365) deleted %d rows without a commit", n);
    pushTime(&aTxn, &nTxn, &nCapTxn, tWalCommit - t0);
    tCpuTotal += tWalCommitCpu - c0;
    if (tWalCommit - t0 > tMaxTxn) {
      tMaxTxn = tWalCommit - t0;
      tMaxTxnCpu = tWalCommitCpu - c0;
    }
    if (tWalCheckpoint > 0) {
      pushTime(&aCkpt, &nCkpt, &nCapCkpt, tWalCheckpoint);
      tCkpt += tWalCheckpoint;
    }
  }
  sqlite3_wal_autocheckpoint(db, 1000); /* back to the default hook */
  sqlite3_finalize(pDel);
  if (nDeleted != nOld) die("delete_old_messages deleted %lld messages, expected %d", (long long)nDeleted, nOld);
  /* counters and the search index stay exact */
  if (scalarInt("SELECT count(*) FROM chat_messages") != nBefore - nOld) die("message count after retention");
  if (scalarInt("SELECT count(*) FROM chat_conversations AS c WHERE owner LIKE 'search-%'"
                " AND (message_count IS NOT"
                " (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)"
                " OR total_tokens IS NOT (SELECT coalesce(sum(tokens), 0) FROM chat_messages"
                "                          WHERE conversation_id = c.id))") != 0) {
    die("counters differ from a recount after retention");
  }
  {
    sqlite3_int64 nSour = scalarInt("SELECT count(*) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'sourdough'");
    sqlite3_int64 nSourLike = scalarInt("SELECT count(*) FROM chat_messages WHERE content LIKE '%sourdough%'");
    if (nSour != nSourLike) die("the FTS index finds %lld 'sourdough' messages after retention, the table holds %lld",
                                (long long)nSour, (long long)nSourLike);
  }
  if (nCalls == 0) die("no retention call deleted anything");
  {
    Lat lCall = latOf(aCall, nCalls), lTxn = latOf(aTxn, nTxn);
    double maxMs = lTxn.max / 1e3;
    printf("delete_old_messages(365) with the default batch (200), looped until it returns 0, autocommit,\n"
           "each call stepped to SQLITE_DONE (the commit); %lld of %lld corpus messages are older than a year,\n"
           "spread over %d conversations\n",
           (long long)nOld, (long long)nCorpus, BENCH_SEARCH_CONVS);
    printf("  %lld rows in %d calls (+1 returning 0): %.2f s, %.0f rows/s (checkpoints included)\n",
           (long long)nDeleted, nCalls + 1, tTotal / 1e6, nDeleted / (tTotal / 1e6));
    printf("  %-44s %10s %10s %10s\n", "per call", "median ms", "p90 ms", "max ms");
    printf("  %-44s %10.2f %10.2f %10.2f\n", "whole call (step to SQLITE_DONE)", lCall.med / 1e3, lCall.p90 / 1e3,
           lCall.max / 1e3);
    printf("  %-44s %10.2f %10.2f %10.2f\n", "write transaction: start to commit", lTxn.med / 1e3, lTxn.p90 / 1e3,
           maxMs);
    if (nCkpt) {
      Lat lCkpt = latOf(aCkpt, nCkpt);
      char zName[64];
      snprintf(zName, sizeof(zName), "auto-checkpoint after %d of the commits", nCkpt);
      printf("  %-44s %10.2f %10.2f %10.2f\n", zName, lCkpt.med / 1e3, lCkpt.p90 / 1e3, lCkpt.max / 1e3);
      printf("    (PASSIVE, %.2f s in all; it runs after the commit has released the write lock)\n", tCkpt / 1e6);
    }
    printf("  CPU time of the write transactions: %.2f ms per call on average; of the longest: %.2f ms\n"
           "  (the rest of the longest is waiting: I/O, or the machine busy with something else)\n",
           tCpuTotal / nTxn / 1e3, tMaxTxnCpu / 1e3);
    printf("  %-44s %10s %10.2f %10s target <= %.0f ms  %s\n", "longest write-lock hold", "", maxMs, "",
           BENCH_TARGET_HOLD_MS, verdict(maxMs, BENCH_TARGET_HOLD_MS, pnMiss));
    printf("  after: message counts, token totals and previews equal a recount; the FTS index agrees with LIKE\n\n");
  }
  free(aCall);
  free(aTxn);
  free(aCkpt);
  fflush(stdout);
}

/* -------------------------------------------------------- message trees */

/* The same window (chat_history, a budget of BENCH_WINDOW messages, every
** row stepped) on a conversation that branched and on a flat one whose
** one branch is as long as the branched one's current branch: the tree
** must not cost more than its current branch does.  Two shapes:
**   A. fan-out: a first message and BENCH_FAN_BRANCHES branches under it,
**      each BENCH_FAN_LEN messages long with it (100 x 99 + 1 = 9,901
**      messages), written round-robin (one message to each branch in
**      turn, as regenerations interleave in time), so the current branch's
**      seqs are spread over the whole conversation; the current branch is
**      a middle one (switch_branch to its tip).  Against a flat
**      conversation of BENCH_FAN_LEN messages.  Target: ratio <= 1.5.
**      BENCH_FAN_LEN = 100: the issue's 10,000 messages over 100 branches,
**      and twice the window, so the walk has to stop at the budget.
**   B. a long trunk: BENCH_TRUNK_LEN messages, and after every 50th trunk
**      message (99 of them) a side branch of 50 (9,950 messages); the
**      trunk is the current branch.  Against a flat conversation of
**      BENCH_TRUNK_LEN messages.  Reported, no target: it shows how the
**      cost grows with the current branch's length.
** Both are written with add_message and its option parent_id (every call
** names its parent), in one transaction each.  The windows are checked to
** be exactly the newest BENCH_WINDOW messages of the current branch (and
** one fewer with one token less) before timing.  Reported too, on the
** branched conversations: chat_history_json with the same budget,
** message_siblings (a level of 100 siblings in A; a fork near the root
** and one near the leaf in B) and switch_branch (each call its own
** transaction). */
#define BENCH_TARGET_BRANCHES 1.5 /* branched / flat, the same current-branch length */
#define BENCH_FAN_BRANCHES 100
#define BENCH_FAN_LEN 100
#define BENCH_TRUNK_LEN 5000
#define BENCH_TRUNK_FORK 50 /* a side branch after every 50th trunk message, 50 long */

static sqlite3_stmt *pAddUnder;

/* Appends a message to iConv under iParent (0: under the current leaf,
** without the option); user and assistant alternate with the depth.
** Returns its id. */
static sqlite3_int64 addUnder(sqlite3_int64 iConv, sqlite3_int64 iParent, int iDepth) {
  sqlite3_int64 id;
  char zOpt[64];
  sqlite3_bind_int64(pAddUnder, 1, iConv);
  sqlite3_bind_text(pAddUnder, 2, iDepth % 2 ? "assistant" : "user", -1, SQLITE_STATIC);
  if (iParent) {
    snprintf(zOpt, sizeof(zOpt), "{\"parent_id\": %lld}", (long long)iParent);
    sqlite3_bind_text(pAddUnder, 4, zOpt, -1, SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(pAddUnder, 4);
  }
  if (sqlite3_step(pAddUnder) != SQLITE_ROW) die("add_message under %lld", (long long)iParent);
  id = sqlite3_column_int64(pAddUnder, 0);
  sqlite3_reset(pAddUnder);
  return id;
}

/* A flat conversation of n messages; their ids in a[0..n). */
static sqlite3_int64 buildFlat(int n, const char *zTitle, sqlite3_int64 *a) {
  sqlite3_int64 iConv = newConversation(zTitle);
  step1(pBegin);
  for (int i = 0; i < n; i++) a[i] = addUnder(iConv, 0, i);
  step1(pCommit);
  return iConv;
}

/* Shape A; the current branch's ids in aCur[0..BENCH_FAN_LEN), the first
** message in *piFirst, the first message of branch 0 and of the current
** branch in aLevel[0..2), the tip of branch 0 in *piOther. */
static sqlite3_int64 buildFan(sqlite3_int64 *aCur, sqlite3_int64 *piFirst, sqlite3_int64 *aLevel,
                              sqlite3_int64 *piOther) {
  sqlite3_int64 iConv = newConversation("branches fan-out");
  sqlite3_int64 aTip[BENCH_FAN_BRANCHES];
  const int iCur = BENCH_FAN_BRANCHES / 2;
  step1(pBegin);
  aCur[0] = *piFirst = addUnder(iConv, 0, 0);
  for (int b = 0; b < BENCH_FAN_BRANCHES; b++) aTip[b] = *piFirst;
  for (int d = 1; d < BENCH_FAN_LEN; d++) {
    for (int b = 0; b < BENCH_FAN_BRANCHES; b++) {
      aTip[b] = addUnder(iConv, aTip[b], d);
      if (b == iCur) aCur[d] = aTip[b];
      if (d == 1 && b == 0) aLevel[0] = aTip[b];
      if (d == 1 && b == iCur) aLevel[1] = aTip[b];
    }
  }
  step1(pCommit);
  *piOther = aTip[0];
  {
    char *zSql = sqlite3_mprintf("SELECT switch_branch(%lld)", (long long)aTip[iCur]);
    exec(zSql);
    sqlite3_free(zSql);
  }
  return iConv;
}

/* Shape B; the trunk's ids in aTrunk[0..BENCH_TRUNK_LEN), the tip of the
** first side branch in *piSide, the trunk messages that are siblings of
** the first and of the last side branch's first message in aFork[0..2). */
static sqlite3_int64 buildTrunk(sqlite3_int64 *aTrunk, sqlite3_int64 *piSide, sqlite3_int64 *aFork) {
  sqlite3_int64 iConv = newConversation("branches trunk");
  int n = 0;
  step1(pBegin);
  aTrunk[n++] = addUnder(iConv, 0, 0);
  while (n < BENCH_TRUNK_LEN) {
    if (n % BENCH_TRUNK_FORK == 0) { /* a side branch under trunk message n */
      sqlite3_int64 iTip = aTrunk[n - 1];
      for (int i = 0; i < BENCH_TRUNK_FORK; i++) iTip = addUnder(iConv, iTip, n + i);
      if (n == BENCH_TRUNK_FORK) *piSide = iTip;
    }
    aTrunk[n] = addUnder(iConv, aTrunk[n - 1], n);
    n++;
  }
  step1(pCommit);
  aFork[0] = aTrunk[BENCH_TRUNK_FORK];
  aFork[1] = aTrunk[BENCH_TRUNK_LEN - BENCH_TRUNK_FORK];
  return iConv;
}

/* branched says b, current_leaf_id is iLeaf; chat_history(iConv, nBudget)
** is exactly the newest BENCH_WINDOW of a[0..n), in order, and one message
** fewer with one token less. */
static void checkBranchWindow(sqlite3_int64 iConv, int nBudget, const sqlite3_int64 *a, int n, int b) {
  sqlite3_stmt *p = prep("SELECT id FROM chat_history(?1, ?2)");
  sqlite3_stmt *pConvRow = prep("SELECT branched, current_leaf_id FROM chat_conversations WHERE id = ?1");
  sqlite3_bind_int64(pConvRow, 1, iConv);
  if (sqlite3_step(pConvRow) != SQLITE_ROW || sqlite3_column_int(pConvRow, 0) != b ||
      sqlite3_column_int64(pConvRow, 1) != a[n - 1]) {
    die("conversation %lld: branched is not %d or the current leaf is not %lld", (long long)iConv, b,
        (long long)a[n - 1]);
  }
  sqlite3_finalize(pConvRow);
  for (int k = 0; k < 2; k++) {
    int nWant = BENCH_WINDOW - k, i = 0;
    sqlite3_bind_int64(p, 1, iConv);
    sqlite3_bind_int(p, 2, nBudget - k);
    while (sqlite3_step(p) == SQLITE_ROW) {
      if (i >= nWant || sqlite3_column_int64(p, 0) != a[n - nWant + i]) {
        die("chat_history(%lld, %d): row %d is message %lld, expected %lld", (long long)iConv, nBudget - k,
            i, sqlite3_column_int64(p, 0), i < nWant ? (long long)a[n - nWant + i] : -1LL);
      }
      i++;
    }
    if (sqlite3_reset(p) != SQLITE_OK || i != nWant) {
      die("chat_history(%lld, %d) gave %d rows, expected %d", (long long)iConv, nBudget - k, i, nWant);
    }
  }
  sqlite3_finalize(p);
}

static void printLat(const char *zCase, int nMsg, int nBranch, const HistResult *r) {
  printf("  %-46s %8d %7d %10.1f %10.1f %9.1f..%-9.1f\n", zCase, nMsg, nBranch, r->med, r->p90, r->roundMin,
         r->roundMax);
}

static void runBranches(int nRounds, int nIter, int *pnMiss) {
  int nBudget = BENCH_WINDOW * nTokens;
  int nIterB = nIter / 10 > 10 ? nIter / 10 : 10; /* shape B's queries cost ~100 times more */
  sqlite3_int64 *aFlatA = calloc(BENCH_FAN_LEN, sizeof(sqlite3_int64));
  sqlite3_int64 *aCurA = calloc(BENCH_FAN_LEN, sizeof(sqlite3_int64));
  sqlite3_int64 *aFlatB = calloc(BENCH_TRUNK_LEN, sizeof(sqlite3_int64));
  sqlite3_int64 *aTrunk = calloc(BENCH_TRUNK_LEN, sizeof(sqlite3_int64));
  sqlite3_int64 iFlatA, iFanA, iFlatB, iTrunkB, iFirst = 0, iOther = 0, iSide = 0;
  sqlite3_int64 aLevel[2] = {0, 0}, aFork[2] = {0, 0};
  sqlite3_int64 nMsgA, nMsgB;
  sqlite3_stmt *pHist, *pJson, *pSib, *pSwitch;
  HistResult flatA, fanA, flatB, trunkB, jsonFlatA, jsonFanA, jsonFlatB, jsonTrunkB;
  HistResult sibA0, sibA1, sibB0, sibB1, swA0, swA1, swRoot, swCur, swB0, swB1;
  double tA, tB, rA, rB;
  char zName[80];
  if (!aFlatA || !aCurA || !aFlatB || !aTrunk) die("out of memory");
  pAddUnder = prep("SELECT add_message(?1, ?2, ?3, ?4)");
  sqlite3_bind_text(pAddUnder, 3, zContent, nContent, SQLITE_STATIC);

  tA = nowUs();
  iFlatA = buildFlat(BENCH_FAN_LEN, "branches flat 100", aFlatA);
  iFanA = buildFan(aCurA, &iFirst, aLevel, &iOther);
  tA = (nowUs() - tA) / 1e6;
  tB = nowUs();
  iFlatB = buildFlat(BENCH_TRUNK_LEN, "branches flat 5000", aFlatB);
  iTrunkB = buildTrunk(aTrunk, &iSide, aFork);
  tB = (nowUs() - tB) / 1e6;
  {
    char *zSql = sqlite3_mprintf("SELECT message_count FROM chat_conversations WHERE id = %lld", (long long)iFanA);
    nMsgA = scalarInt(zSql);
    sqlite3_free(zSql);
    zSql = sqlite3_mprintf("SELECT message_count FROM chat_conversations WHERE id = %lld", (long long)iTrunkB);
    nMsgB = scalarInt(zSql);
    sqlite3_free(zSql);
  }
  checkBranchWindow(iFlatA, nBudget, aFlatA, BENCH_FAN_LEN, 0);
  checkBranchWindow(iFanA, nBudget, aCurA, BENCH_FAN_LEN, 1);
  checkBranchWindow(iFlatB, nBudget, aFlatB, BENCH_TRUNK_LEN, 0);
  checkBranchWindow(iTrunkB, nBudget, aTrunk, BENCH_TRUNK_LEN, 1);

  pHist = prep("SELECT * FROM chat_history(?1, ?2)");
  pJson = prep("SELECT chat_history_json(?1, ?2)");
  benchHistory(pHist, nBudget, iFlatA, iFanA, nRounds, nIter, BENCH_WINDOW, &flatA, &fanA);
  benchHistory(pHist, nBudget, iFlatB, iTrunkB, nRounds, nIterB, BENCH_WINDOW, &flatB, &trunkB);
  benchHistory(pJson, nBudget, iFlatA, iFanA, nRounds, nIter, 1, &jsonFlatA, &jsonFanA);
  benchHistory(pJson, nBudget, iFlatB, iTrunkB, nRounds, nIterB, 1, &jsonFlatB, &jsonTrunkB);
  rA = fanA.med / flatA.med;
  rB = trunkB.med / flatB.med;

  /* siblings: in A, 100 (branch 0's first message and the current one's);
  ** in B, 2 (the trunk message beside the first side branch, 4,950 below
  ** the leaf, and beside the last, 50 below it) */
  pSib = prep("SELECT * FROM message_siblings(?1)");
  benchHistory(pSib, -1, aLevel[0], aLevel[1], nRounds, nIter, BENCH_FAN_BRANCHES, &sibA0, &sibA1);
  benchHistory(pSib, -1, aFork[0], aFork[1], nRounds, nIterB, 2, &sibB0, &sibB1);

  /* switch_branch, each call its own transaction, two targets in turn;
  ** then back to the current leaves of the build (checked) */
  pSwitch = prep("SELECT switch_branch(?1)");
  benchHistory(pSwitch, -1, iOther, aCurA[BENCH_FAN_LEN - 1], nRounds, nIterB, 1, &swA0, &swA1);
  benchHistory(pSwitch, -1, iFirst, aCurA[BENCH_FAN_LEN - 1], nRounds, nIterB, 1, &swRoot, &swCur);
  benchHistory(pSwitch, -1, iSide, aTrunk[BENCH_TRUNK_LEN - 1], nRounds, nIterB, 1, &swB0, &swB1);
  {
    char *zSql = sqlite3_mprintf("SELECT switch_branch(%lld), switch_branch(%lld)",
                                 (long long)aCurA[BENCH_FAN_LEN - 1], (long long)aTrunk[BENCH_TRUNK_LEN - 1]);
    exec(zSql);
    sqlite3_free(zSql);
  }
  checkBranchWindow(iFanA, nBudget, aCurA, BENCH_FAN_LEN, 1);
  checkBranchWindow(iTrunkB, nBudget, aTrunk, BENCH_TRUNK_LEN, 1);

  printf("message trees: SELECT * FROM chat_history(conv, %d), a %d-message window, all rows stepped,\n"
         "  a branched conversation against a flat one as long as its current branch\n", nBudget, BENCH_WINDOW);
  printf("  (written with add_message and its option parent_id, one transaction each: A %.1f s, B %.1f s;\n"
         "  %d queries per round for A, %d for B; windows checked against the current branch's ids)\n", tA, tB,
         nIter, nIterB);
  printf("  %-46s %8s %7s %10s %10s %19s\n", "conversation", "messages", "branch", "median us", "p90 us",
         "round medians us");
  printLat("A  flat", BENCH_FAN_LEN, BENCH_FAN_LEN, &flatA);
  snprintf(zName, sizeof(zName), "A  %d branches of %d, first message shared", BENCH_FAN_BRANCHES, BENCH_FAN_LEN);
  printLat(zName, (int)nMsgA, BENCH_FAN_LEN, &fanA);
  printf("  %-46s %8s %7s %10.2f %10s target <= 1.50  %s\n", "A  ratio branched/flat", "", "", rA, "",
         verdict(rA, BENCH_TARGET_BRANCHES, pnMiss));
  printLat("B  flat", BENCH_TRUNK_LEN, BENCH_TRUNK_LEN, &flatB);
  snprintf(zName, sizeof(zName), "B  trunk of %d, %d side branches of %d", BENCH_TRUNK_LEN,
           BENCH_TRUNK_LEN / BENCH_TRUNK_FORK - 1, BENCH_TRUNK_FORK);
  printLat(zName, (int)nMsgB, BENCH_TRUNK_LEN, &trunkB);
  printf("  %-46s %8s %7s %10.2f %10s no target (%s 1.50)\n", "B  ratio branched/flat", "", "", rB, "",
         rB <= BENCH_TARGET_BRANCHES ? "within" : "above");
  printf("  reported, no target:\n");
  printLat("A  chat_history_json(conv, budget), flat", BENCH_FAN_LEN, BENCH_FAN_LEN, &jsonFlatA);
  printLat("A  chat_history_json(conv, budget), branched", (int)nMsgA, BENCH_FAN_LEN, &jsonFanA);
  printLat("B  chat_history_json(conv, budget), flat", BENCH_TRUNK_LEN, BENCH_TRUNK_LEN, &jsonFlatB);
  printLat("B  chat_history_json(conv, budget), branched", (int)nMsgB, BENCH_TRUNK_LEN, &jsonTrunkB);
  printLat("A  message_siblings, 100 rows (branch 0)", (int)nMsgA, BENCH_FAN_LEN, &sibA0);
  printLat("A  message_siblings, 100 rows (current)", (int)nMsgA, BENCH_FAN_LEN, &sibA1);
  printLat("B  message_siblings, 2 rows, 4950 below leaf", (int)nMsgB, BENCH_TRUNK_LEN, &sibB0);
  printLat("B  message_siblings, 2 rows, 50 below leaf", (int)nMsgB, BENCH_TRUNK_LEN, &sibB1);
  printLat("A  switch_branch(tip of another branch)", (int)nMsgA, BENCH_FAN_LEN, &swA0);
  printLat("A  switch_branch(tip of the current branch)", (int)nMsgA, BENCH_FAN_LEN, &swA1);
  printLat("A  switch_branch(first message: whole tree)", (int)nMsgA, BENCH_FAN_LEN, &swRoot);
  printLat("A  switch_branch(back to the current tip)", (int)nMsgA, BENCH_FAN_LEN, &swCur);
  printLat("B  switch_branch(tip of the first side branch)", (int)nMsgB, BENCH_TRUNK_LEN, &swB0);
  printLat("B  switch_branch(back to the trunk's tip)", (int)nMsgB, BENCH_TRUNK_LEN, &swB1);
  printf("  (switch_branch: each call its own transaction; the two targets of a line pair take turns)\n\n");
  fflush(stdout);
  sqlite3_finalize(pHist);
  sqlite3_finalize(pJson);
  sqlite3_finalize(pSib);
  sqlite3_finalize(pSwitch);
  sqlite3_finalize(pAddUnder);
  pAddUnder = 0;
  free(aFlatA);
  free(aCurA);
  free(aFlatB);
  free(aTrunk);
}

/* ------------------------------------------------------------------ drafts
**
** A streamed answer (docs/drafts.md): begin_message, nDelta append_message
** calls of a 20-character delta, finish_message — each call its own
** transaction, as a streaming writer makes them — against the same text
** written by add_message at once plus nDelta plain UPDATEs that append the
** same delta to a row of a plain table (content = content || ?: SQLite
** rewrites the growing row on each, as it does for the draft).  Target:
** drafts / plain <= 2.  For reference (no target): as many plain UPDATEs
** of a small row that does not grow.  The three take turns in blocks of 50
** calls (the order rotating), so that all see the same background load;
** a round's figure is a method's summed time, the printed one the median
** of the rounds. */
#define BENCH_TARGET_DRAFTS 2.0

static void runDrafts(int nRounds, int nDelta, int *pnMiss) {
  static const char zDelta[] = "sourdough and rye, ";  /* 19 + 1 below */
  char zDelta20[21];
  char *zFull;
  double *aDraft = malloc(sizeof(double) * (size_t)nRounds), *aPlain = malloc(sizeof(double) * (size_t)nRounds);
  double *aFlat = malloc(sizeof(double) * (size_t)nRounds);
  sqlite3_stmt *pBeginMsg, *pAppend, *pFinish, *pAddFull, *pRow, *pRowFlat, *pRowNew;
  if (aDraft == 0 || aPlain == 0 || aFlat == 0) die("out of memory");
  snprintf(zDelta20, sizeof(zDelta20), "%s ", zDelta);
  if (strlen(zDelta20) != 20) die("the delta is not 20 characters");
  zFull = malloc((size_t)nDelta * 20 + 1);
  if (zFull == 0) die("out of memory");
  for (int i = 0; i < nDelta; i++) memcpy(zFull + (size_t)i * 20, zDelta20, 20);
  zFull[(size_t)nDelta * 20] = 0;
  exec("CREATE TABLE IF NOT EXISTS plain_rows (id INTEGER PRIMARY KEY, content TEXT NOT NULL, n INTEGER NOT NULL)");
  pBeginMsg = prep("SELECT begin_message(?1, 'assistant')");
  pAppend = prep("SELECT append_message(?1, ?2)");
  sqlite3_bind_text(pAppend, 2, zDelta20, 20, SQLITE_STATIC);
  pFinish = prep("SELECT finish_message(?1)");
  pAddFull = prep("SELECT add_message(?1, 'assistant', ?2)");
  sqlite3_bind_text(pAddFull, 2, zFull, -1, SQLITE_STATIC);
  pRowNew = prep("INSERT INTO plain_rows (content, n) VALUES ('', 0)");
  pRow = prep("UPDATE plain_rows SET content = content || ?2 WHERE id = ?1");
  sqlite3_bind_text(pRow, 2, zDelta20, 20, SQLITE_STATIC);
  pRowFlat = prep("UPDATE plain_rows SET n = n + 1 WHERE id = ?1");
  for (int r = -1; r < nRounds; r++) { /* round -1: the warm-up */
    sqlite3_int64 iConvD = newConversation("drafts"), iConvP = newConversation("drafts plain"), iMsg, iRow;
    double t, tD, tP, tF;
    /* the two methods take turns in blocks of 50 deltas (the order
    ** alternating), so that both see the same background load */
    step1(pRowNew);
    iRow = sqlite3_last_insert_rowid(db);
    sqlite3_bind_int64(pRow, 1, iRow);
    step1(pRowNew); /* the reference's row, which stays small */
    sqlite3_bind_int64(pRowFlat, 1, sqlite3_last_insert_rowid(db));
    t = nowUs();
    sqlite3_bind_int64(pBeginMsg, 1, iConvD);
    if (sqlite3_step(pBeginMsg) != SQLITE_ROW) die("begin_message: %s", sqlite3_errmsg(db));
    iMsg = sqlite3_column_int64(pBeginMsg, 0);
    sqlite3_reset(pBeginMsg);
    tD = nowUs() - t;
    t = nowUs();
    sqlite3_bind_int64(pAddFull, 1, iConvP);
    if (sqlite3_step(pAddFull) != SQLITE_ROW) die("add_message: %s", sqlite3_errmsg(db));
    sqlite3_reset(pAddFull);
    tP = nowUs() - t;
    tF = 0;
    sqlite3_bind_int64(pAppend, 1, iMsg);
    for (int i0 = 0, k = 0; i0 < nDelta; i0 += 50, k++) {
      int n = nDelta - i0 < 50 ? nDelta - i0 : 50;
      for (int m = 0; m < 3; m++) {
        int which = (m + k) % 3;
        t = nowUs();
        for (int i = 0; i < n; i++) {
          if (which == 0) {
            if (sqlite3_step(pAppend) != SQLITE_ROW) die("append_message: %s", sqlite3_errmsg(db));
            sqlite3_reset(pAppend);
          } else {
            step1(which == 1 ? pRow : pRowFlat);
          }
        }
        t = nowUs() - t;
        if (which == 0) tD += t;
        else if (which == 1) tP += t;
        else tF += t;
      }
    }
    t = nowUs();
    sqlite3_bind_int64(pFinish, 1, iMsg);
    if (sqlite3_step(pFinish) != SQLITE_ROW) die("finish_message: %s", sqlite3_errmsg(db));
    sqlite3_reset(pFinish);
    tD += nowUs() - t;
    {
      /* the two messages are the same text, with the same tokens */
      char *zSql = sqlite3_mprintf("SELECT count(DISTINCT content || '|' || tokens || '|' || status)"
                                   " FROM chat_messages WHERE id = %lld OR conversation_id = %lld",
                                   (long long)iMsg, (long long)iConvP);
      if (scalarInt(zSql) != 1) die("the draft and the message differ");
      sqlite3_free(zSql);
    }
    if (r >= 0) {
      aDraft[r] = tD;
      aPlain[r] = tP;
      aFlat[r] = tF;
    }
  }
  {
    double mD = median(aDraft, nRounds), mP = median(aPlain, nRounds), mF = median(aFlat, nRounds);
    double ratio = mD / mP;
    printf("drafts: begin_message + %d x append_message(id, 20 characters) + finish_message, each its own\n"
           "transaction, vs add_message(the same %d characters) + %d x UPDATE plain_rows SET content =\n"
           "content || (20 characters) (autocommit)\n", nDelta, nDelta * 20, nDelta);
    printf("  %-44s %12s %12s\n", "method", "median ms", "us / delta");
    printf("  %-44s %12.1f %12.2f\n", "drafts", mD / 1000, mD / nDelta);
    printf("  %-44s %12.1f %12.2f\n", "add_message + plain appending UPDATEs", mP / 1000, mP / nDelta);
    printf("  %-44s %12.2f %12s  target <= 2.00  %s\n", "ratio drafts / plain", ratio, "",
           verdict(ratio, BENCH_TARGET_DRAFTS, pnMiss));
    printf("  reference, no target: %d UPDATEs of a small row that does not grow: %.1f ms (%.2f us each);\n"
           "  drafts / that: %.2f\n\n", nDelta, mF / 1000, mF / nDelta, mD / mF);
    fflush(stdout);
  }
  sqlite3_finalize(pBeginMsg);
  sqlite3_finalize(pAppend);
  sqlite3_finalize(pFinish);
  sqlite3_finalize(pAddFull);
  sqlite3_finalize(pRow);
  sqlite3_finalize(pRowFlat);
  sqlite3_finalize(pRowNew);
  free(zFull);
  free(aDraft);
  free(aPlain);
  free(aFlat);
}

int main(int argc, char **argv) {
  int nRounds = 7, nAuto = 10000, nBatch = 40000, nPerTxn = 5000, nBig = 100000, nIter = 2000;
  int nListBig = 100000, nListSmall = 1000, nListIter = 500, nSearch = 1000000, nSearchIter = 20;
  int nRetention = 200000;
  int nLongIter = 21, nScripts = 100000, nScriptsIter = 20, nBranchIter = 500, nDeltas = 1000;
  int bAdd = 1, bRuns = 1, bHistory = 1, bList = 1, bSearch = 1, bRetention = 1, bLong = 1, bScripts = 1,
      bBranches = 1, bDrafts = 1, bStrict = 0;
  int nRunPairs = 2000;
  int nMiss = 0;
  char zPath[300], zCpu[256];
  double t0 = nowUs();

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0) nRounds = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--n-auto") == 0) nAuto = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--n-batch") == 0) nBatch = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--per-txn") == 0) nPerTxn = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--big") == 0) nBig = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--iter") == 0) nIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--list-big") == 0) nListBig = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--list-small") == 0) nListSmall = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--list-iter") == 0) nListIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--search-n") == 0) nSearch = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--search-iter") == 0) nSearchIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--retention-n") == 0) nRetention = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--long-iter") == 0) nLongIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--scripts-n") == 0) nScripts = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--scripts-iter") == 0) nScriptsIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--branch-iter") == 0) nBranchIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--deltas") == 0) nDeltas = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--strict") == 0) bStrict = 1;
    else if (strcmp(argv[i], "--run-pairs") == 0) nRunPairs = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      /* a comma-separated list of parts */
      char *z = argv[++i];
      bAdd = bRuns = bHistory = bList = bSearch = bRetention = bLong = bScripts = bBranches = bDrafts = 0;
      while (*z) {
        size_t n = strcspn(z, ",");
        if (n == 3 && strncmp(z, "add", n) == 0) bAdd = 1;
        else if (n == 4 && strncmp(z, "runs", n) == 0) bRuns = 1;
        else if (n == 7 && strncmp(z, "history", n) == 0) bHistory = 1;
        else if (n == 4 && strncmp(z, "list", n) == 0) bList = 1;
        else if (n == 6 && strncmp(z, "search", n) == 0) bSearch = 1;
        else if (n == 9 && strncmp(z, "retention", n) == 0) bRetention = 1;
        else if (n == 4 && strncmp(z, "long", n) == 0) bLong = 1;
        else if (n == 7 && strncmp(z, "scripts", n) == 0) bScripts = 1;
        else if (n == 8 && strncmp(z, "branches", n) == 0) bBranches = 1;
        else if (n == 6 && strncmp(z, "drafts", n) == 0) bDrafts = 1;
        else die("--only takes a comma-separated list of add, runs, history, branches, drafts, list, search,"
                 " retention, long, scripts");
        z += n;
        if (*z == ',') z++;
      }
    } else {
      fprintf(stderr,
              "usage: %s [--rounds R] [--n-auto N] [--n-batch N] [--per-txn N] [--big N] [--iter N]\n"
              "       [--list-big N] [--list-small N] [--list-iter N] [--search-n N] [--search-iter N]\n"
              "       [--retention-n N] [--long-iter N] [--scripts-n N] [--scripts-iter N]\n"
              "       [--run-pairs N] [--branch-iter N] [--deltas N]\n"
              "       [--only add,runs,history,branches,drafts,list,search,retention,long,scripts] [--strict]\n",
              argv[0]);
      return 2;
    }
  }

  {
    const char *zTmp = getenv("TMPDIR");
    snprintf(zDir, sizeof(zDir), "%s/chatflow-bench-XXXXXX", zTmp && *zTmp ? zTmp : "/tmp");
    if (mkdtemp(zDir) == 0) {
      zDir[0] = 0;
      die("cannot create a temporary directory");
    }
    snprintf(zPath, sizeof(zPath), "%s/bench.db", zDir);
  }
  sqlite3_auto_extension((void (*)(void))sqlite3_chatflow_init);
  if (sqlite3_open(zPath, &db) != SQLITE_OK) die("cannot open %s", zPath);
  exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; SELECT chatflow_init();");
  if (scalarInt("PRAGMA synchronous") != 1) die("synchronous is not NORMAL");
  {
    char *zMode = scalarText("PRAGMA journal_mode");
    if (strcmp(zMode, "wal")) die("journal_mode is %s, not wal", zMode);
    sqlite3_free(zMode);
  }

  pAdd = prep("SELECT add_message(?1, 'user', ?2)");
  sqlite3_bind_text(pAdd, 2, zContent, nContent, SQLITE_STATIC);
  exec("CREATE TABLE plain_conversations (id INTEGER PRIMARY KEY, owner TEXT NOT NULL,"
       " title TEXT, message_count INTEGER NOT NULL DEFAULT 0, last_seq INTEGER NOT NULL DEFAULT 0,"
       " total_tokens INTEGER NOT NULL DEFAULT 0, last_message_at TEXT, created_at TEXT NOT NULL,"
       " updated_at TEXT NOT NULL);"
       "CREATE TABLE plain_messages (id INTEGER PRIMARY KEY, conversation_id INTEGER NOT NULL,"
       " seq INTEGER NOT NULL, run_id INTEGER, role TEXT NOT NULL, type TEXT, content TEXT NOT NULL,"
       " parts TEXT, attachments TEXT, workflow_step TEXT, metadata TEXT, tokens INTEGER,"
       " created_at TEXT NOT NULL, UNIQUE (conversation_id, seq));"
       "CREATE VIRTUAL TABLE plain_fts USING fts5 (content, content = 'plain_messages',"
       " content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');");
  pPlainNew = prep("INSERT INTO plain_conversations (owner, title, created_at, updated_at)"
                   " VALUES ('plain', 'plain', ?1, ?1)");
  pPlainMsg = prep("INSERT INTO plain_messages (conversation_id, seq, role, type, content, tokens,"
                   " created_at) VALUES (?1, ?2, 'user', 'user_input', ?3, ?4, ?5)");
  sqlite3_bind_text(pPlainMsg, 3, zContent, nContent, SQLITE_STATIC);
  sqlite3_bind_int(pPlainMsg, 4, nTokens);
  pPlainFts = prep("INSERT INTO plain_fts (rowid, content) VALUES (?1, ?2)");
  sqlite3_bind_text(pPlainFts, 2, zContent, nContent, SQLITE_STATIC);
  pPlainConv = prep("UPDATE plain_conversations SET message_count = message_count + 1,"
                    " last_seq = ?2, total_tokens = total_tokens + ?3, last_message_at = ?4,"
                    " updated_at = ?4 WHERE id = ?1");
  sqlite3_bind_int(pPlainConv, 3, nTokens);
  pBegin = prep("BEGIN");
  pCommit = prep("COMMIT");

  cpuModel(zCpu, sizeof(zCpu));
  {
    char *zVer = scalarText("SELECT chatflow_version()");
    printf("chatflow bench: chatflow %s, SQLite %s, %ld x %s\n", zVer, sqlite3_libversion(),
           sysconf(_SC_NPROCESSORS_ONLN), zCpu);
    sqlite3_free(zVer);
  }
  printf("database: temporary file, journal_mode=WAL, synchronous=NORMAL; %d rounds, median of rounds\n",
         nRounds);
  printf("message: %d characters, %d tokens, role user, type user_input\n\n", nContent, nTokens);
  fflush(stdout);

  if (bAdd) {
    AddResult aR[3];
    /* blocks of 500 autocommit calls; blocks of nPerTxn calls per
    ** transaction; the same with temp_store = MEMORY, which keeps SQLite's
    ** statement journal in memory (docs/operations.md recommends it for a
    ** job that adds thousands of messages per transaction): set for both
    ** methods, before their BEGINs, and reset after */
    int aPer[3] = {nAuto < 500 ? nAuto : 500, nBatch < nPerTxn ? nBatch : nPerTxn, 0};
    int aBlocks[3] = {nAuto / aPer[0], nBatch / aPer[1], 0};
    int aN[3] = {aBlocks[0] * aPer[0], aBlocks[1] * aPer[1], 0};
    char aCase[3][40];
    aPer[2] = aPer[1];
    aBlocks[2] = aBlocks[1];
    aN[2] = aN[1];
    snprintf(aCase[0], sizeof(aCase[0]), "own transaction each");
    snprintf(aCase[1], sizeof(aCase[1]), "%d per BEGIN...COMMIT", aPer[1]);
    snprintf(aCase[2], sizeof(aCase[2]), "same, temp_store=MEMORY");
    for (int b = 0; b < 3; b++) {
      if (b == 2) exec("PRAGMA temp_store = MEMORY");
      aR[b] = benchAdd(b > 0, aBlocks[b], aPer[b], nRounds);
      if (b == 2) exec("PRAGMA temp_store = DEFAULT");
    }
    printf("add_message(conv, 'user', text) vs plain SQL on plain tables: INSERT the message, UPDATE the\n"
           "conversation's counters (same row, same counters); \"+ index\": and INSERT into an FTS5 index\n");
    printf("  %-24s %7s %10s %10s %10s %11s %7s  %s %11s %7s  %s\n", "case", "n/round", "plain us",
           "+index us", "add us", "add/plain", "target", "result", "add/+index", "target", "result");
    for (int b = 0; b < 3; b++) {
      double r1 = aR[b].a[0] / aR[b].a[1], r2 = aR[b].a[0] / aR[b].a[2];
      printf("  %-24s %7d %10.2f %10.2f %10.2f %11.2f %7s  %-6s %11.2f %7s  %s\n", aCase[b], aN[b],
             aR[b].a[1], aR[b].a[2], aR[b].a[0], r1, "<= 1.50", verdict(r1, BENCH_TARGET_ADD, &nMiss),
             r2, "<= 1.20", verdict(r2, BENCH_TARGET_ADD_INDEXED, &nMiss));
    }
    printf("  spread over the rounds, min..max us/op:\n");
    for (int b = 0; b < 3; b++) {
      printf("  %-24s plain %.2f..%.2f, +index %.2f..%.2f, add %.2f..%.2f\n", aCase[b], aR[b].aMin[1],
             aR[b].aMax[1], aR[b].aMin[2], aR[b].aMax[2], aR[b].aMin[0], aR[b].aMax[0]);
    }
    printf("  rows and counters written by add_message and the plain SQL compared: identical\n\n");
    fflush(stdout);
  }

  if (bRuns) runRuns(nRunPairs, nRounds, &nMiss);

  if (bHistory) {
    HistResult small, big, rawSmall, rawBig;
    int nBudget = BENCH_WINDOW * nTokens;
    double tb = nowUs();
    sqlite3_int64 iSmall = buildConversation(BENCH_SMALL, "history small");
    sqlite3_int64 iBig = buildConversation(nBig, "history big");
    double tBuild = (nowUs() - tb) / 1e6;
    sqlite3_stmt *pHist = prep("SELECT * FROM chat_history(?1, ?2)");
    sqlite3_stmt *pRef = prep("SELECT * FROM chat_messages WHERE conversation_id = ?1"
                              " ORDER BY seq DESC LIMIT 50");
    /* the budget fits exactly BENCH_WINDOW messages: one token less fits one fewer */
    {
      sqlite3_stmt *p = prep("SELECT count(*), min(seq), max(seq) FROM chat_history(?1, ?2)");
      for (int c = 0; c < 2; c++) {
        sqlite3_int64 iConv = c ? iBig : iSmall, nMsg = c ? nBig : BENCH_SMALL;
        sqlite3_bind_int64(p, 1, iConv);
        sqlite3_bind_int(p, 2, nBudget);
        if (sqlite3_step(p) != SQLITE_ROW) die("chat_history check");
        if (sqlite3_column_int(p, 0) != BENCH_WINDOW || sqlite3_column_int64(p, 1) != nMsg - BENCH_WINDOW + 1 ||
            sqlite3_column_int64(p, 2) != nMsg) {
          die("chat_history(%lld, %d) is not the newest %d messages", (long long)iConv, nBudget, BENCH_WINDOW);
        }
        sqlite3_reset(p);
        sqlite3_bind_int(p, 2, nBudget - 1);
        if (sqlite3_step(p) != SQLITE_ROW || sqlite3_column_int(p, 0) != BENCH_WINDOW - 1) {
          die("chat_history(%lld, %d) does not drop to %d messages", (long long)iConv, nBudget - 1,
              BENCH_WINDOW - 1);
        }
        sqlite3_reset(p);
      }
      sqlite3_finalize(p);
    }
    benchHistory(pHist, nBudget, iSmall, iBig, nRounds, nIter, BENCH_WINDOW, &small, &big);
    benchHistory(pRef, -1, iSmall, iBig, nRounds, nIter, BENCH_WINDOW, &rawSmall, &rawBig);
    double ratio = big.med / small.med;
    printf("SELECT * FROM chat_history(conv, %d): a %d-message window, all rows stepped\n", nBudget,
           BENCH_WINDOW);
    printf("  (conversations built with raw INSERTs in one transaction each: %.1f s; %d queries per round)\n",
           tBuild, nIter);
    printf("  %-30s %9s %11s %9s %19s\n", "conversation", "messages", "median us", "p90 us",
           "round medians us");
    printf("  %-30s %9d %11.1f %9.1f %8.1f..%-8.1f\n", "small", BENCH_SMALL, small.med, small.p90,
           small.roundMin, small.roundMax);
    printf("  %-30s %9d %11.1f %9.1f %8.1f..%-8.1f\n", "big", nBig, big.med, big.p90, big.roundMin,
           big.roundMax);
    printf("  %-30s %9s %11.2f %9s target <= 1.50  %s\n", "ratio big/small", "", ratio, "",
           verdict(ratio, BENCH_TARGET_HISTORY, &nMiss));
    printf("  reference, no target: raw SELECT * FROM chat_messages ... ORDER BY seq DESC LIMIT 50\n");
    printf("  %-30s %9d %11.1f %9.1f\n", "small (raw)", BENCH_SMALL, rawSmall.med, rawSmall.p90);
    printf("  %-30s %9d %11.1f %9.1f\n", "big (raw)", nBig, rawBig.med, rawBig.p90);
    printf("\n");
    sqlite3_finalize(pHist);
    sqlite3_finalize(pRef);
    /* conversation_messages: the newest page and a page after seq 50, in
    ** the same two conversations */
    {
      static const char *const azPage[2] = {"{\"limit\": 50, \"order\": \"desc\"}",
                                            "{\"limit\": 50, \"after_seq\": 50}"};
      static const char *const azName[2] = {"newest page (desc)", "page after seq 50 (asc)"};
      printf("SELECT * FROM conversation_messages(conv, options): a %d-row page, all rows stepped\n",
             BENCH_WINDOW);
      printf("  %-30s %9s %11s %9s %19s\n", "page / conversation", "messages", "median us", "p90 us",
             "round medians us");
      for (int k = 0; k < 2; k++) {
        char *zSql = sqlite3_mprintf("SELECT * FROM conversation_messages(?1, '%q')", azPage[k]);
        sqlite3_stmt *pPage = prep(zSql);
        HistResult pageSmall, pageBig;
        double r;
        sqlite3_free(zSql);
        benchHistory(pPage, -1, iSmall, iBig, nRounds, nIter, BENCH_WINDOW, &pageSmall, &pageBig);
        r = pageBig.med / pageSmall.med;
        printf("  %-30s %9d %11.1f %9.1f %8.1f..%-8.1f\n", azName[k], BENCH_SMALL, pageSmall.med,
               pageSmall.p90, pageSmall.roundMin, pageSmall.roundMax);
        printf("  %-30s %9d %11.1f %9.1f %8.1f..%-8.1f\n", "", nBig, pageBig.med, pageBig.p90,
               pageBig.roundMin, pageBig.roundMax);
        printf("  %-30s %9s %11.2f %9s target <= 1.50  %s\n", "ratio big/small", "", r, "",
               verdict(r, BENCH_TARGET_HISTORY, &nMiss));
        sqlite3_finalize(pPage);
      }
      printf("\n");
    }
  }

  if (bBranches) runBranches(nRounds, nBranchIter, &nMiss);

  if (bDrafts) runDrafts(nRounds, nDeltas, &nMiss);

  if (bList) runList(nListBig, nListSmall, nRounds, nListIter, &nMiss);

  if (bSearch || bRetention) {
    sqlite3_int64 aConv[BENCH_SEARCH_CONVS];
    int nOld = nRetention < nSearch ? nRetention : nSearch;
    if (bSearch) runSearch(nSearch, nOld, nSearchIter, aConv);
    else {
      CorpusBuild b = buildCorpus(nSearch, nOld, aConv);
      printf("search corpus of %d messages:\n", nSearch);
      printCorpusBuild(&b);
      printf("\n");
    }
    if (bRetention) runRetention(nOld, nSearch, &nMiss);
  }

  if (bLong) runLong(nLongIter, &nMiss);

  if (bScripts) runScripts(nScripts, nScriptsIter, nRounds);

  {
    sqlite3_int64 nMsgs = scalarInt("SELECT count(*) FROM chat_messages");
    sqlite3_int64 nPages = scalarInt("PRAGMA page_count");
    sqlite3_int64 nPageSize = scalarInt("PRAGMA page_size");
    printf("file: %lld messages, %.1f MB; total time %.1f s; %s\n", (long long)nMsgs,
           (double)(nPages * nPageSize) / 1e6, (nowUs() - t0) / 1e6,
           nMiss ? "some targets MISSED" : "all targets met");
  }
  sqlite3_finalize(pAdd);
  sqlite3_finalize(pPlainMsg);
  sqlite3_finalize(pPlainConv);
  sqlite3_finalize(pPlainFts);
  sqlite3_finalize(pPlainNew);
  sqlite3_finalize(pBegin);
  sqlite3_finalize(pCommit);
  sqlite3_finalize(pConv);
  if (sqlite3_close_v2(db) != SQLITE_OK) fprintf(stderr, "bench: close: %s\n", sqlite3_errmsg(db));
  db = 0;
  cleanup();
  return (bStrict && nMiss) ? 1 : 0;
}
