/*
** bench.c — `make bench`: chatflow's two performance targets, measured in
** one run on one temporary database file (WAL, synchronous=NORMAL).
**
**   1. add_message against the raw equivalent: a prepared
**        INSERT INTO chat_messages (conversation_id, seq, role, type,
**                                   content, tokens, created_at) VALUES (...)
**      with an explicit seq, which writes the same row and, through the
**      schema's triggers, moves the same conversation counters.  Measured
**      with each call in its own transaction (autocommit) and with N calls
**      inside one BEGIN ... COMMIT.  Target: add_message <= 1.5x raw.
**   2. SELECT * FROM chat_history(conv, budget), every row stepped, with a
**      budget that fits exactly 50 messages, in conversations of 100 and of
**      100,000 messages.  Target: big/small latency ratio <= 1.5.
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
**                   [--big N] [--iter N] [--only add|history] [--strict]
** --strict makes a MISS exit with status 1 (by default a benchmark run
** only reports).  Errors exit with status 2.  The temporary directory is
** removed at the end.
*/
#include <sqlite3.h>

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
#define BENCH_TARGET_ADD 1.5     /* add_message / raw */
#define BENCH_TARGET_HISTORY 1.5 /* big / small */

/* ~100 characters: a plausible chat message; tokens = (n + 3) / 4. */
static const char zContent[] =
    "Can you propose three pillar topics for our bakery's blog, with a short rationale for each?";

static sqlite3 *db;
static char zDir[256];

/* ------------------------------------------------------------- plumbing */

static void cleanup(void) {
  char z[300];
  if (zDir[0] == 0) return;
  const char *aSuffix[] = {"bench.db", "bench.db-wal", "bench.db-shm"};
  for (int i = 0; i < 3; i++) {
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

static sqlite3_stmt *pAdd, *pRaw, *pBegin, *pCommit;
static const int nContent = (int)sizeof(zContent) - 1;
static const int nTokens = ((int)sizeof(zContent) - 1 + 3) / 4;

static void addMessage(sqlite3_int64 iConv) {
  sqlite3_bind_int64(pAdd, 1, iConv);
  if (sqlite3_step(pAdd) != SQLITE_ROW) die("add_message");
  sqlite3_reset(pAdd);
}

static void rawInsert(sqlite3_int64 iConv, sqlite3_int64 iSeq) {
  char zNow[32];
  timestamp(zNow);
  sqlite3_bind_int64(pRaw, 1, iConv);
  sqlite3_bind_int64(pRaw, 2, iSeq);
  sqlite3_bind_text(pRaw, 5, zNow, -1, SQLITE_TRANSIENT);
  if (sqlite3_step(pRaw) != SQLITE_DONE) die("raw INSERT");
  sqlite3_reset(pRaw);
}

static void step1(sqlite3_stmt *p) {
  if (sqlite3_step(p) != SQLITE_DONE) die("%s", sqlite3_sql(p));
  sqlite3_reset(p);
}

/* Appends n messages to conversation iConv (whose last seq is *piSeq),
** in one BEGIN...COMMIT when bBatch, else each in its own transaction;
** returns the wall time in µs. */
static double runBlock(int bRaw, int bBatch, int n, sqlite3_int64 iConv, sqlite3_int64 *piSeq) {
  double t0 = nowUs();
  if (bBatch) step1(pBegin);
  for (int i = 0; i < n; i++) {
    if (bRaw) rawInsert(iConv, ++*piSeq);
    else addMessage(iConv);
  }
  if (bBatch) step1(pCommit);
  return nowUs() - t0;
}

/* The two methods wrote the same rows and moved the same counters. */
static void checkSame(sqlite3_int64 iRaw, sqlite3_int64 iAdd, int n) {
  static const char *zSql =
      "SELECT (SELECT count(*) FROM ("
      " SELECT seq, run_id, role, type, content, parts, attachments, workflow_step, metadata,"
      "        tokens FROM chat_messages WHERE conversation_id = ?1"
      " EXCEPT"
      " SELECT seq, run_id, role, type, content, parts, attachments, workflow_step, metadata,"
      "        tokens FROM chat_messages WHERE conversation_id = ?2))"
      " + (SELECT count(*) FROM chat_messages WHERE conversation_id = ?1 AND created_at IS NULL)"
      " + (SELECT count(*) FROM chat_messages WHERE conversation_id = ?2 AND created_at IS NULL),"
      " (SELECT message_count || '/' || last_seq || '/' || total_tokens || '/' || title"
      "    FROM chat_conversations WHERE id = ?1),"
      " (SELECT message_count || '/' || last_seq || '/' || total_tokens || '/' || title"
      "    FROM chat_conversations WHERE id = ?2),"
      " (SELECT count(*) FROM chat_messages WHERE conversation_id = ?2)";
  sqlite3_stmt *p = prep(zSql);
  char zWant[80];
  sqlite3_bind_int64(p, 1, iRaw);
  sqlite3_bind_int64(p, 2, iAdd);
  if (sqlite3_step(p) != SQLITE_ROW) die("row check");
  snprintf(zWant, sizeof(zWant), "%d/%d/%lld/", n, n, (long long)n * nTokens);
  const char *zRawC = (const char *)sqlite3_column_text(p, 1);
  const char *zAddC = (const char *)sqlite3_column_text(p, 2);
  if (sqlite3_column_int(p, 0) != 0 || sqlite3_column_int(p, 3) != n ||
      strncmp(zRawC, zWant, strlen(zWant)) || strncmp(zAddC, zWant, strlen(zWant))) {
    die("add_message and the raw INSERT wrote different rows or counters: raw %s, add_message %s, "
        "expected %s...",
        zRawC, zAddC, zWant);
  }
  sqlite3_finalize(p);
}

typedef struct AddResult {
  double raw, add; /* median µs per op */
  double rawMin, rawMax, addMin, addMax;
  double ratioMin, ratioMax; /* of the rounds' add/raw */
} AddResult;

/* nRounds rounds; in each, both methods append nBlock blocks of nPer
** messages to a fresh conversation of their own, block by block in turn
** (raw, add, raw, add ... then add, raw ... in the next round), so that
** both see the same background load and the same file growth.  A round's
** figure is the method's summed block time / its messages. */
static AddResult benchAdd(int bBatch, int nBlock, int nPer, int nRounds) {
  double *aRaw = calloc((size_t)nRounds, sizeof(double));
  double *aAdd = calloc((size_t)nRounds, sizeof(double));
  AddResult r;
  if (!aRaw || !aAdd) die("out of memory");
  r.ratioMin = 1e9;
  r.ratioMax = 0;
  for (int i = -1; i < nRounds; i++) { /* round -1 warms up and is not counted */
    sqlite3_int64 iRaw = newConversation("raw insert"), iAdd = newConversation("add_message");
    sqlite3_int64 iRawSeq = 0, iAddSeq = 0;
    double tRaw = 0, tAdd = 0;
    int nB = i < 0 ? 2 : nBlock;
    for (int b = 0; b < nB; b++) {
      if ((b + i) % 2 == 0) {
        tRaw += runBlock(1, bBatch, nPer, iRaw, &iRawSeq);
        tAdd += runBlock(0, bBatch, nPer, iAdd, &iAddSeq);
      } else {
        tAdd += runBlock(0, bBatch, nPer, iAdd, &iAddSeq);
        tRaw += runBlock(1, bBatch, nPer, iRaw, &iRawSeq);
      }
    }
    checkSame(iRaw, iAdd, nB * nPer);
    if (i >= 0) {
      aRaw[i] = tRaw / (nB * nPer);
      aAdd[i] = tAdd / (nB * nPer);
      if (tAdd / tRaw < r.ratioMin) r.ratioMin = tAdd / tRaw;
      if (tAdd / tRaw > r.ratioMax) r.ratioMax = tAdd / tRaw;
    }
  }
  r.raw = median(aRaw, nRounds);
  r.rawMin = aRaw[0];
  r.rawMax = aRaw[nRounds - 1];
  r.add = median(aAdd, nRounds);
  r.addMin = aAdd[0];
  r.addMax = aAdd[nRounds - 1];
  free(aRaw);
  free(aAdd);
  return r;
}

/* -------------------------------------------------------- chat_history */

/* A conversation of n messages, written with raw INSERTs in one
** transaction (the triggers still keep its counters). */
static sqlite3_int64 buildConversation(int n, const char *zTitle) {
  sqlite3_int64 iConv = newConversation(zTitle);
  step1(pBegin);
  for (int i = 1; i <= n; i++) rawInsert(iConv, i);
  step1(pCommit);
  return iConv;
}

typedef struct HistResult {
  double med, p90, roundMin, roundMax;
} HistResult;

/* One execution of pStmt bound to (iConv, nBudget), every row stepped;
** it must give exactly BENCH_WINDOW rows.  Returns µs. */
static double timeWindow(sqlite3_stmt *pStmt, sqlite3_int64 iConv, int nBudget) {
  int nRow = 0, rc;
  double t0 = nowUs(), t;
  sqlite3_bind_int64(pStmt, 1, iConv);
  if (nBudget >= 0) sqlite3_bind_int(pStmt, 2, nBudget);
  while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) nRow++;
  sqlite3_reset(pStmt);
  t = nowUs() - t0;
  if (rc != SQLITE_DONE) die("%s", sqlite3_sql(pStmt));
  if (nRow != BENCH_WINDOW) die("%s gave %d rows, expected %d", sqlite3_sql(pStmt), nRow, BENCH_WINDOW);
  return t;
}

/* nRounds rounds of nIter queries on each conversation, the two taking
** turns query by query (small, big, big, small, ...); a round's figure is
** the median of its queries, the result the median of the rounds. */
static void benchHistory(sqlite3_stmt *pStmt, int nBudget, sqlite3_int64 iSmall,
                         sqlite3_int64 iBig, int nRounds, int nIter, HistResult *pSmall,
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
    timeWindow(pStmt, iSmall, nBudget);
    timeWindow(pStmt, iBig, nBudget);
  }
  for (int i = 0; i < nRounds; i++) {
    for (int k = 0; k < nIter; k++) {
      for (int j = 0; j < 2; j++) {
        int c = (k % 2) ? 1 - j : j;
        aLat[c][k] = timeWindow(pStmt, aConv[c], nBudget);
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

static const char *verdict(double ratio, double target, int *pnMiss) {
  if (ratio <= target) return "PASS";
  (*pnMiss)++;
  return "MISS";
}

static int argInt(int argc, char **argv, int *pi) {
  if (*pi + 1 >= argc) die("%s needs a value", argv[*pi]);
  int v = atoi(argv[++*pi]);
  if (v <= 0) die("%s needs a positive number", argv[*pi - 1]);
  return v;
}

int main(int argc, char **argv) {
  int nRounds = 7, nAuto = 10000, nBatch = 40000, nPerTxn = 5000, nBig = 100000, nIter = 2000;
  int bAdd = 1, bHistory = 1, bStrict = 0, nMiss = 0;
  char zPath[300], zCpu[256];
  double t0 = nowUs();

  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--rounds") == 0) nRounds = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--n-auto") == 0) nAuto = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--n-batch") == 0) nBatch = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--per-txn") == 0) nPerTxn = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--big") == 0) nBig = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--iter") == 0) nIter = argInt(argc, argv, &i);
    else if (strcmp(argv[i], "--strict") == 0) bStrict = 1;
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      i++;
      bAdd = strcmp(argv[i], "add") == 0;
      bHistory = strcmp(argv[i], "history") == 0;
      if (!bAdd && !bHistory) die("--only add|history");
    } else {
      fprintf(stderr,
              "usage: %s [--rounds R] [--n-auto N] [--n-batch N] [--per-txn N] [--big N] [--iter N]"
              " [--only add|history] [--strict]\n",
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
  pRaw = prep("INSERT INTO chat_messages (conversation_id, seq, role, type, content, tokens,"
              " created_at) VALUES (?1, ?2, 'user', 'user_input', ?3, ?4, ?5)");
  sqlite3_bind_text(pRaw, 3, zContent, nContent, SQLITE_STATIC);
  sqlite3_bind_int(pRaw, 4, nTokens);
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
    AddResult aR[2];
    /* blocks of 500 autocommit calls; blocks of nPerTxn calls per transaction */
    int aPer[2] = {nAuto < 500 ? nAuto : 500, nBatch < nPerTxn ? nBatch : nPerTxn};
    int aBlocks[2] = {nAuto / aPer[0], nBatch / aPer[1]};
    int aN[2] = {aBlocks[0] * aPer[0], aBlocks[1] * aPer[1]};
    char aCase[2][40];
    snprintf(aCase[0], sizeof(aCase[0]), "own transaction each");
    snprintf(aCase[1], sizeof(aCase[1]), "%d per BEGIN...COMMIT", aPer[1]);
    for (int b = 0; b < 2; b++) aR[b] = benchAdd(b, aBlocks[b], aPer[b], nRounds);
    printf("add_message(conv, 'user', text) vs raw prepared INSERT (explicit seq; same row, same counters)\n");
    printf("  %-24s %7s %11s %11s %11s %11s %6s %7s  %s\n", "case", "n/round", "raw us/op",
           "add us/op", "raw op/s", "add op/s", "ratio", "target", "result");
    for (int b = 0; b < 2; b++) {
      double ratio = aR[b].add / aR[b].raw;
      printf("  %-24s %7d %11.2f %11.2f %11.0f %11.0f %6.2f %7s  %s\n", aCase[b], aN[b],
             aR[b].raw, aR[b].add, 1e6 / aR[b].raw, 1e6 / aR[b].add, ratio, "<= 1.50",
             verdict(ratio, BENCH_TARGET_ADD, &nMiss));
    }
    printf("  spread over the rounds, min..max:\n");
    for (int b = 0; b < 2; b++) {
      printf("  %-24s raw %.2f..%.2f us/op, add %.2f..%.2f us/op, ratio %.2f..%.2f\n", aCase[b],
             aR[b].rawMin, aR[b].rawMax, aR[b].addMin, aR[b].addMax, aR[b].ratioMin,
             aR[b].ratioMax);
    }
    printf("  rows and counters written by both methods compared: identical\n\n");
    fflush(stdout);
  }

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
    benchHistory(pHist, nBudget, iSmall, iBig, nRounds, nIter, &small, &big);
    benchHistory(pRef, -1, iSmall, iBig, nRounds, nIter, &rawSmall, &rawBig);
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
  }

  {
    sqlite3_int64 nMsgs = scalarInt("SELECT count(*) FROM chat_messages");
    sqlite3_int64 nPages = scalarInt("PRAGMA page_count");
    sqlite3_int64 nPageSize = scalarInt("PRAGMA page_size");
    printf("file: %lld messages, %.1f MB; total time %.1f s; %s\n", (long long)nMsgs,
           (double)(nPages * nPageSize) / 1e6, (nowUs() - t0) / 1e6,
           nMiss ? "some targets MISSED" : "all targets met");
  }
  sqlite3_finalize(pAdd);
  sqlite3_finalize(pRaw);
  sqlite3_finalize(pBegin);
  sqlite3_finalize(pCommit);
  sqlite3_finalize(pConv);
  if (sqlite3_close_v2(db) != SQLITE_OK) fprintf(stderr, "bench: close: %s\n", sqlite3_errmsg(db));
  db = 0;
  cleanup();
  return (bStrict && nMiss) ? 1 : 0;
}
