/*
** fault.c — fault injection for chatflow (issue 8): out-of-memory at every
** allocation and I/O errors at every VFS call of scenarios that call every
** writing function.
**
**   fault [--mode oom|io-delete|io-wal|all]
**         [--scenario init|migrate|main|regress|errors|all]
**         [--stride K | --sample N] [--jobs N] [--persist] [--site N]
**         [--skip [MODE:]TEXT]... [--exclude-check TEXT]... [--dir DIR] [--verbose] [--backtrace]
**
** How it works.  Before sqlite3_initialize() the process installs an
** allocator (SQLITE_CONFIG_MALLOC) that counts the allocations made while
** a scenario step runs and fails the Nth one (--persist: the Nth and every
** later one), and registers as the default VFS a shim over the real one
** that counts the xRead, xWrite, xTruncate, xSync, xFileSize, xLock,
** xUnlock, xCheckReservedLock, xShmMap, xShmLock (taking a lock), xAccess
** and xDelete calls of a step and fails the Nth with the matching
** SQLITE_IOERR_* code.  The shim also fixes SQLite's randomness (per
** session) and 'now', so every run writes the same bytes, uids included,
** and fault-free results can be compared exactly.
**
** A scenario is a list of single SQL statements ("steps") on a file
** database (journal_mode DELETE, or WAL in io-wal; synchronous FULL),
** grouped into sessions: a "#session <clock>" step closes the connection,
** opens a new one and pins chatflow_clock.  A fault-free run records, per
** step, the result, the number of allocations and VFS calls (the fault
** sites), a fingerprint of every table before and after it (from a byte
** copy of the files, so the scenario's connection is not disturbed), and
** the database image at each session start.  A second fault-free run must
** give the same counts and results.  Then for each site N (all of them;
** a stride or a sample with --stride/--sample) the session holding N runs
** again from its image with the fault armed, and the step in which N falls
** is checked:
**   - no crash (a signal handler names the site; ASan/UBSan builds abort
**     on errors and LeakSanitizer reports at exit), and every block the
**     allocator handed out is freed once the connection is closed;
**   - sqlite3_get_autocommit() is 1 again (every step starts in
**     autocommit mode), so nothing is left to be lost at close;
**   - the step failed with the fault's primary code (SQLITE_NOMEM,
**     SQLITE_IOERR) and a message that is not "not an error" or "no such
**     savepoint", or failed exactly as the fault-free run did, or
**     succeeded with exactly the fault-free result;
**   - on a new connection: PRAGMA integrity_check and foreign_key_check,
**     the FTS indexes' integrity-check (the message index up to the search
**     mark, against the content: the mark moved to the end in a savepoint
**     that is undone), counters equal to a recount
**     (message_count, last_seq >= max(seq), total_tokens), at most one
**     active run per conversation, no chatflow_statement_clock row left,
**     no checkpoint of an ended run, and
**     tables equal to the fault-free ones after the step (success) or
**     before it (failure): nothing acknowledged lost, nothing partial
**     (uid columns aside: a fault can change how much randomness SQLite
**     draws, e.g. for a temporary file's name, before a uid is made).
** Output: every violation with its mode, scenario, site, step and reason;
** per mode and scenario the sites, the sites tried, failures reported,
** full successes, fault-free errors and violations; then
** "faults: N passed, M failed", one test per mode and scenario.  The exit
** status is 0 only without violations.  --site N --backtrace reruns one
** site and prints the stack of the injected fault.
**
** Scenarios: "init" calls chatflow_init() on an empty file (twice);
** "migrate" starts from a database at schema version 3 with raw rows,
** migrates it and adds a message; "main" starts from that database
** migrated and calls every writing function (and the listing, search,
** history and export readers); "regress" holds the fault cases fixed in
** ext/ (each step names what went wrong), after "#warm" steps that run
** without faults; "#oom" steps are fault cases of OOM mode only;
** "errors" calls refused for a member of a JSON argument, whose error
** says what the member was.
**
** --sample N tries about N sites per mode and scenario, spread evenly,
** plus every "direct" site: an allocation chatflow's own code asked for
** (sqlite3_malloc, sqlite3_mprintf, a result or bind copy ...), found from
** the stack of each allocation in the reference run.  Those are where an
** unchecked result in ext/ hides; the sites deep inside a prepare or a step
** are SQLite's, swept in full by make faults.  --skip leaves out the sites
** of steps whose SQL contains TEXT, and --exclude-check shows a violation
** whose report contains TEXT as EXCLUDED without failing the run: make
** test uses both for cases reported and not yet fixed; make faults uses
** neither.
**
** --jobs N forks N workers, each in its own directory under --dir, each
** trying every Nth site; their counts come back through a pipe.
*/
#define _GNU_SOURCE /* dladdr */
#include <sqlite3.h>

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <execinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi);
extern const int cfSchemaVersion;
extern const char *const cfMigrationSql[];
extern const char *const cfMigrationName[];

/* ------------------------------------------------------------ allocator */

static sqlite3_mem_methods gReal;
static int gArmed;          /* count (and maybe fail) allocations */
static long gAllocs;        /* allocations counted while armed */
static long gAllocFailAt;   /* fail the allocation with this number (0: none) */
static int gPersist;        /* fail every later one too */
static long gInjected;      /* faults injected in this run */
static long gLive;          /* blocks allocated and not freed */

static int gBacktrace; /* --backtrace: print the stack of each injected fault */
static void fxBacktrace(void) {
  void *a[40];
  int n;
  if (!gBacktrace) return;
  n = backtrace(a, 40);
  fprintf(stderr, "fault injected here:\n");
  backtrace_symbols_fd(a, n, 2);
}

/* While recording (the reference run of OOM mode), each allocation site is
** marked "direct" when chatflow's own code asked for the memory through a
** short chain of SQLite calls (sqlite3_malloc, sqlite3_mprintf, a result
** copy ...) rather than deep inside SQLite (a prepare, a step): those are
** where an unchecked result in ext/ hides.  A sample (--sample) always
** tries every direct site. */
static int gRecord;
static unsigned char *gaDirect; /* by site number, grown while recording */
static long gnDirect;           /* allocated length of gaDirect */
static void *gExeBase;          /* the base address of this executable */
#define CF_MAX_SQLITE_FRAMES 6

static uintptr_t gExeLo, gExeHi; /* the executable's loaded segments */

static int fxFindExe(struct dl_phdr_info *pInfo, size_t n, void *pArg) {
  (void)n; (void)pArg;
  if ((void *)pInfo->dlpi_addr != gExeBase && pInfo->dlpi_name[0] != 0) return 0;
  for (int i = 0; i < pInfo->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &pInfo->dlpi_phdr[i];
    uintptr_t lo = pInfo->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
    if (ph->p_type != PT_LOAD) continue;
    if (gExeLo == 0 || lo < gExeLo) gExeLo = lo;
    if (hi > gExeHi) gExeHi = hi;
  }
  return 1;
}

static int fxInExe(void *pc) { return (uintptr_t)pc >= gExeLo && (uintptr_t)pc < gExeHi; }

static void fxRecordSite(long n) {
  void *a[14];
  int nFrame, i = 0, nSqlite = 0;
  if (n >= gnDirect) {
    long nNew = (n + 1) * 2;
    gaDirect = realloc(gaDirect, (size_t)nNew);
    if (gaDirect == 0) abort();
    memset(gaDirect + gnDirect, 0, (size_t)(nNew - gnDirect));
    gnDirect = nNew;
  }
  nFrame = backtrace(a, 14);
  /* Skip this file's frames (the allocator), count SQLite's, then look at
  ** the SQLite function that the first frame after them called. */
  while (i < nFrame && fxInExe(a[i])) i++;
  while (i < nFrame && !fxInExe(a[i])) { i++; nSqlite++; }
  gaDirect[n] = 0;
  if (i < nFrame && nSqlite > 0 && nSqlite <= CF_MAX_SQLITE_FRAMES) {
    static const char *const azApi[] = {"sqlite3_malloc", "sqlite3_realloc", "sqlite3_mprintf",
                                        "sqlite3_vmprintf", "sqlite3_result_", "sqlite3_str_",
                                        "sqlite3_column_text", "sqlite3_value_text",
                                        "sqlite3_bind_"};
    Dl_info info;
    if (dladdr(a[i - 1], &info) && info.dli_sname) {
      for (size_t k = 0; k < sizeof(azApi) / sizeof(azApi[0]); k++) {
        if (strncmp(info.dli_sname, azApi[k], strlen(azApi[k])) == 0) gaDirect[n] = 1;
      }
    }
  }
}

static int fxShouldFail(long n) {
  if (gRecord) fxRecordSite(n);
  if (gAllocFailAt == 0) return 0;
  if (n == gAllocFailAt || (gPersist && n > gAllocFailAt)) {
    fxBacktrace();
    return 1;
  }
  return 0;
}

static void *fxMalloc(int n) {
  void *p;
  if (gArmed && fxShouldFail(++gAllocs)) {
    gInjected++;
    return 0;
  }
  p = gReal.xMalloc(n);
  if (p) gLive++;
  return p;
}
static void fxFree(void *p) {
  if (p) gLive--;
  gReal.xFree(p);
}
static void *fxRealloc(void *p, int n) {
  if (gArmed && fxShouldFail(++gAllocs)) {
    gInjected++;
    return 0;
  }
  return gReal.xRealloc(p, n);
}
static int fxSize(void *p) { return gReal.xSize(p); }
static int fxRoundup(int n) { return gReal.xRoundup(n); }
static int fxInit(void *p) { return gReal.xInit(p); }
static void fxShutdown(void *p) { gReal.xShutdown(p); }

/* ------------------------------------------------------------ shim VFS */

enum { IO_READ, IO_WRITE, IO_TRUNCATE, IO_SYNC, IO_FILESIZE, IO_LOCK, IO_UNLOCK, IO_CHECKLOCK,
       IO_SHMMAP, IO_SHMLOCK, IO_ACCESS, IO_DELETE, IO_KINDS };
static const char *const azIoKind[IO_KINDS] = {"xRead", "xWrite", "xTruncate", "xSync",
                                               "xFileSize", "xLock", "xUnlock",
                                               "xCheckReservedLock", "xShmMap", "xShmLock",
                                               "xAccess", "xDelete"};
static int gIoArmed;
static long gIoCalls;
static long gIoFailAt;
static int gIoLastKind = -1; /* the kind of call that was failed */

static int fxIoFault(int eKind) {
  if (!gIoArmed) return 0;
  gIoCalls++;
  if (gIoFailAt && (gIoCalls == gIoFailAt || (gPersist && gIoCalls > gIoFailAt))) {
    gInjected++;
    gIoLastKind = eKind;
    fxBacktrace();
    return 1;
  }
  return 0;
}

static sqlite3_vfs *gRealVfs;
static sqlite3_vfs gShimVfs;

typedef struct FxFile {
  sqlite3_file base;
  sqlite3_file *pReal; /* follows this struct in the same allocation */
} FxFile;
#define REAL(f) (((FxFile *)(f))->pReal)

static int fxClose(sqlite3_file *f) {
  int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
  return rc;
}
static int fxRead(sqlite3_file *f, void *p, int n, sqlite3_int64 o) {
  if (fxIoFault(IO_READ)) return SQLITE_IOERR_READ;
  return REAL(f)->pMethods->xRead(REAL(f), p, n, o);
}
static int fxWrite(sqlite3_file *f, const void *p, int n, sqlite3_int64 o) {
  if (fxIoFault(IO_WRITE)) return SQLITE_IOERR_WRITE;
  return REAL(f)->pMethods->xWrite(REAL(f), p, n, o);
}
static int fxTruncate(sqlite3_file *f, sqlite3_int64 n) {
  if (fxIoFault(IO_TRUNCATE)) return SQLITE_IOERR_TRUNCATE;
  return REAL(f)->pMethods->xTruncate(REAL(f), n);
}
static int fxSync(sqlite3_file *f, int flags) {
  if (fxIoFault(IO_SYNC)) return SQLITE_IOERR_FSYNC;
  return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int fxFileSize(sqlite3_file *f, sqlite3_int64 *p) {
  if (fxIoFault(IO_FILESIZE)) return SQLITE_IOERR_FSTAT;
  return REAL(f)->pMethods->xFileSize(REAL(f), p);
}
static int fxLock(sqlite3_file *f, int e) {
  if (fxIoFault(IO_LOCK)) return SQLITE_IOERR_LOCK;
  return REAL(f)->pMethods->xLock(REAL(f), e);
}
/* An unlock that fails still unlocks (as a failed close still closes):
** a lock left behind would only make later connections wait. */
static int fxUnlock(sqlite3_file *f, int e) {
  int rc = REAL(f)->pMethods->xUnlock(REAL(f), e);
  if (rc == SQLITE_OK && fxIoFault(IO_UNLOCK)) return SQLITE_IOERR_UNLOCK;
  return rc;
}
static int fxCheckReservedLock(sqlite3_file *f, int *p) {
  if (fxIoFault(IO_CHECKLOCK)) return SQLITE_IOERR_CHECKRESERVEDLOCK;
  return REAL(f)->pMethods->xCheckReservedLock(REAL(f), p);
}
static int fxFileControl(sqlite3_file *f, int op, void *p) {
  return REAL(f)->pMethods->xFileControl(REAL(f), op, p);
}
static int fxSectorSize(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int fxDeviceCharacteristics(sqlite3_file *f) {
  return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int fxShmMap(sqlite3_file *f, int i, int sz, int b, void volatile **pp) {
  if (fxIoFault(IO_SHMMAP)) return SQLITE_IOERR_SHMMAP;
  return REAL(f)->pMethods->xShmMap(REAL(f), i, sz, b, pp);
}
/* Only taking a lock fails; SQLite ignores the result of releasing one. */
static int fxShmLock(sqlite3_file *f, int o, int n, int flags) {
  if ((flags & SQLITE_SHM_LOCK) && fxIoFault(IO_SHMLOCK)) return SQLITE_IOERR_SHMLOCK;
  return REAL(f)->pMethods->xShmLock(REAL(f), o, n, flags);
}
static void fxShmBarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int fxShmUnmap(sqlite3_file *f, int b) { return REAL(f)->pMethods->xShmUnmap(REAL(f), b); }

/* No xFetch/xUnfetch (iVersion 2): SQLite then reads pages with xRead. */
static const sqlite3_io_methods fxIoMethods = {
    2,           fxClose,          fxRead,     fxWrite,      fxTruncate,
    fxSync,      fxFileSize,       fxLock,     fxUnlock,     fxCheckReservedLock,
    fxFileControl, fxSectorSize,   fxDeviceCharacteristics,  fxShmMap,
    fxShmLock,   fxShmBarrier,     fxShmUnmap, 0,            0};

static int fxOpen(sqlite3_vfs *pVfs, const char *zName, sqlite3_file *f, int flags, int *pOut) {
  FxFile *p = (FxFile *)f;
  int rc;
  (void)pVfs;
  p->pReal = (sqlite3_file *)&p[1];
  memset(p->pReal, 0, gRealVfs->szOsFile);
  rc = gRealVfs->xOpen(gRealVfs, zName, p->pReal, flags, pOut);
  p->base.pMethods = p->pReal->pMethods ? &fxIoMethods : 0;
  return rc;
}
static int fxDelete(sqlite3_vfs *pVfs, const char *z, int bSync) {
  (void)pVfs;
  if (fxIoFault(IO_DELETE)) return SQLITE_IOERR_DELETE;
  return gRealVfs->xDelete(gRealVfs, z, bSync);
}
static int fxAccess(sqlite3_vfs *pVfs, const char *z, int flags, int *pOut) {
  (void)pVfs;
  if (fxIoFault(IO_ACCESS)) return SQLITE_IOERR_ACCESS;
  return gRealVfs->xAccess(gRealVfs, z, flags, pOut);
}
static int fxFullPathname(sqlite3_vfs *pVfs, const char *z, int n, char *zOut) {
  (void)pVfs;
  return gRealVfs->xFullPathname(gRealVfs, z, n, zOut);
}
static void *fxDlOpen(sqlite3_vfs *pVfs, const char *z) {
  (void)pVfs;
  return gRealVfs->xDlOpen(gRealVfs, z);
}
static void fxDlError(sqlite3_vfs *pVfs, int n, char *z) {
  (void)pVfs;
  gRealVfs->xDlError(gRealVfs, n, z);
}
static void (*fxDlSym(sqlite3_vfs *pVfs, void *p, const char *z))(void) {
  (void)pVfs;
  return gRealVfs->xDlSym(gRealVfs, p, z);
}
static void fxDlClose(sqlite3_vfs *pVfs, void *p) {
  (void)pVfs;
  gRealVfs->xDlClose(gRealVfs, p);
}
/* Fixed randomness: with sqlite3_randomness(0, 0) before each run, every
** run draws the same uids and temporary file names. */
static int gRandSeed; /* per session, so that sessions draw different uids */
static int fxRandomness(sqlite3_vfs *pVfs, int n, char *z) {
  (void)pVfs;
  for (int i = 0; i < n; i++) z[i] = (char)(i * 37 + 11 + gRandSeed * 101);
  return n;
}
static int fxSleep(sqlite3_vfs *pVfs, int us) {
  (void)pVfs;
  return gRealVfs->xSleep(gRealVfs, us);
}
/* Fixed 'now': 2026-01-01T00:00:00Z as a Julian day number in ms. */
static int fxCurrentTimeInt64(sqlite3_vfs *pVfs, sqlite3_int64 *p) {
  (void)pVfs;
  *p = (sqlite3_int64)(2461041.5 * 86400000.0);
  return SQLITE_OK;
}
static int fxCurrentTime(sqlite3_vfs *pVfs, double *p) {
  (void)pVfs;
  *p = 2461041.5;
  return SQLITE_OK;
}
static int fxGetLastError(sqlite3_vfs *pVfs, int n, char *z) {
  (void)pVfs;
  return gRealVfs->xGetLastError ? gRealVfs->xGetLastError(gRealVfs, n, z) : 0;
}

static void fxRegisterVfs(void) {
  gRealVfs = sqlite3_vfs_find(0);
  memset(&gShimVfs, 0, sizeof(gShimVfs));
  gShimVfs.iVersion = 2;
  gShimVfs.szOsFile = (int)sizeof(FxFile) + gRealVfs->szOsFile;
  gShimVfs.mxPathname = gRealVfs->mxPathname;
  gShimVfs.zName = "chatflow-fault";
  gShimVfs.xOpen = fxOpen;
  gShimVfs.xDelete = fxDelete;
  gShimVfs.xAccess = fxAccess;
  gShimVfs.xFullPathname = fxFullPathname;
  gShimVfs.xDlOpen = fxDlOpen;
  gShimVfs.xDlError = fxDlError;
  gShimVfs.xDlSym = fxDlSym;
  gShimVfs.xDlClose = fxDlClose;
  gShimVfs.xRandomness = fxRandomness;
  gShimVfs.xSleep = fxSleep;
  gShimVfs.xCurrentTime = fxCurrentTime;
  gShimVfs.xGetLastError = fxGetLastError;
  gShimVfs.xCurrentTimeInt64 = fxCurrentTimeInt64;
  sqlite3_vfs_register(&gShimVfs, 1);
}

/* ------------------------------------------------------------ scenarios */

enum { SEED_NONE, SEED_V3, SEED_CURRENT };
typedef struct Scenario {
  const char *zName;
  const char *const *azStep; /* NULL-terminated */
  int eSeed;                 /* the database it starts from */
} Scenario;

static const char *const azInitSteps[] = {
    "#session 2026-01-01T00:00:00Z",
    "SELECT chatflow_init()",
    "SELECT chatflow_init()",
    0};

static const char *const azMigrateSteps[] = {
    "#session 2026-01-01T00:00:00Z",
    "SELECT chatflow_init()", /* version 3 -> current */
    "SELECT add_message(1, 'user', 'after the migration')",
    0};

/* Steps of the main scenario, on the migrated seed; ids follow from the
** order. */
static const char *const azMainSteps[] = {
    "#session 2026-01-01T00:00:00Z",
    "SELECT chatflow_init()", /* nothing to do */
    "SELECT chatflow_config('llm.model', 'qwen3')",
    "SELECT chatflow_config('llm.extra_body', '{\"keep_alive\": \"5m\", \"options\": {\"num_ctx\": 8192}}')",
    "SELECT chatflow_config('limits.max_content_chars', '5000')",
    "SELECT create_conversation('acme', 'First', '{\"key\": \"k1\", \"visibility\": \"public\","
    " \"model\": \"m1\", \"agent\": \"a1\", \"context\": {\"x\": [1, 2]}, \"metadata\": {\"a\": 1}}')",
    "SELECT find_or_create_conversation('acme', 'k2', NULL, '{\"model\": \"gpt\"}')",
    "SELECT find_or_create_conversation('acme', 'k2', 'ignored')",
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_message(2, 'system', 'You are brief.')",
    "SELECT add_message(2, 'user', 'Build a topical map for our bakery in Lyon', '{\"type\":"
    " \"user_input\", \"parts\": [{\"type\": \"text\", \"text\": \"Build a topical map\"},"
    " {\"type\": \"data-x\", \"data\": {\"k\": [1, 2]}}], \"attachments\": [{\"name\": \"a.txt\","
    " \"size\": 3}], \"metadata\": {\"model\": \"m\", \"tokens\": {\"input\": 3, \"output\": 4,"
    " \"total\": 7}}, \"tokens\": 7}')",
    "SELECT start_run(2, 'topical_map', '{\"seed\": \"bakery\"}')",
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_message(2, 'assistant', 'Reading the site.', '{\"type\": \"assistant_response\"}')",
    "SELECT advance_run(1, '{\"site\": {\"pages\": 14}}')",
    "SELECT add_message(2, 'assistant', 'Who are your customers?', '{\"type\":"
    " \"clarification_request\"}')",
    "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q1\", \"question\":"
    " \"Who?\", \"answer\": \"locals\"}], \"note\": \"x\"}')",
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_clarification(1, 'q2', 'Online?', 'no')",
    "SELECT set_business_context(1, '{\"geo\": \"Lyon\", \"offerings\": [\"bread\"]}')",
    "SELECT merge_run_state(1, '{\"a\": {\"b\": 1}, \"note\": null}')",
    "SELECT advance_run(1, '{\"audience\": \"locals\"}')",
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_proposal(1, 'pillar', 'Sourdough', 'core product')",
    "SELECT add_proposal(1, 'pillar', 'Viennoiserie')",
    "SELECT advance_run(1)", /* refused: the step awaits approval */
    "SELECT resume_run(1, '{\"approvals\": [{\"proposal_id\": 1}, {\"proposal_id\": 2,"
    " \"approved_name\": \"Croissants\"}]}')",
    "SELECT advance_run(1)",
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_proposal(1, 'pillar', 'Cakes')",
    "SELECT reject_proposal(3, 'not ours')",
    "SELECT approve_proposal(3, 'Celebration cakes')",
    "SELECT reject_proposal(3)",
    "SELECT validate_proposal(1, '{\"competition_level\": \"low\", \"top\": [\"a\", \"b\"]}')",
    "SELECT heartbeat_run(1, 600)",
    "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00010203')",
    "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'0405')",
    "#session 2026-01-01T00:00:00Z",
    "INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('engine-7', x'06')",
    "DELETE FROM workflow_interrupt WHERE workflow_id = 'engine-7'",
    "SELECT set_run_status(1, 'processing')",
    "SELECT complete_run(1)",
    "#session 2026-01-01T00:00:00Z",
    "SELECT start_run(1, 'topical_map')",
    "SELECT cancel_run(2)",
    "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"reject\"}')",
    "SELECT start_run(1, 'topical_map', '{\"n\": 2}', '{\"on_active\": \"cancel\"}')",
    /* double-texting: a queue, a rollback of the active run and the queue */
    "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"enqueue\"}')",
    "SELECT start_run(1, 'topical_map', '{\"n\": 3}', '{\"on_active\": \"rollback\", \"uid\": \"r-3\"}')",
    "SELECT start_run(1, 'topical_map', NULL, '{\"uid\": \"r-3\"}')", /* a retry: the same run */
    "SELECT start_run(1, 'topical_map', NULL, '{\"on_active\": \"enqueue\"}')",
    "#session 2026-01-01T00:00:00Z",
    "SELECT set_run_status(active_run(1), 'awaiting_clarification', 'clarification')",
    "SELECT fail_run(active_run(1), 'worker died')",
    "SELECT add_message(1, 'user', 'Second conversation gets a title from me')",
    "SELECT add_message(1, 'assistant', 'Noted.', '{\"tokens\": 3}')",
    "#session 2026-01-01T00:00:00Z",
    "SELECT export_conversation(2)",
    "SELECT export_conversation(2, 'openai')",
    "SELECT import_conversation('other', export_conversation(2))",
    /* runs with proposals and their logs: the log a run's INSERT wrote is
    ** replaced by the exported one (workflow_run_events_keep) */
    "SELECT import_conversation('other', export_conversation(1))",
    "#session 2026-01-01T00:00:00Z",
    "SELECT fork_conversation(2, 3)",
    "SELECT add_message(2, 'user', '東京のパン屋 bakery')",
    /* the messages wait above the search mark: searched in a private copy */
    "SELECT group_concat(rowid, ',') FROM search_messages('bakery')",
    "SELECT group_concat(rowid, ',') FROM search_messages('東京')",
    "SELECT chatflow_index()",
    "SELECT group_concat(rowid, ',') FROM search_messages('パン')",
    "SELECT group_concat(seq || ':' || role, ',') FROM chat_history(2, 1000)",
    /* every invariant checked: under a fault it fails, never a wrong ok */
    "SELECT group_concat(\"check\" || '=' || ok || coalesce(':' || detail, ''), ',') FROM chatflow_check()",
    "#session 2026-01-01T00:00:00Z",
    "SELECT chat_history_json(2, 50)",
    /* tool calls and results, the retry key, AI SDK UIMessages */
    "SELECT add_message(2, 'assistant', 'Checking.', '{\"uid\": \"m-9\", \"tool_calls\": [{\"id\": \"c1\","
    " \"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": {\"x\": 1}}}]}')",
    "SELECT add_message(2, 'assistant', 'Checking.', '{\"uid\": \"m-9\", \"tool_calls\": [{\"id\": \"c1\","
    " \"type\": \"function\", \"function\": {\"name\": \"f\", \"arguments\": {\"x\": 1}}}]}')",
    "SELECT add_message(2, 'tool', '{\"r\": 2}', '{\"tool_call_id\": \"c1\"}')",
    /* empty tool results (side-effect tools): the schema's CHECK decides,
    ** add_message and finish_message say its refusal in their words */
    "SELECT add_message(2, 'assistant', '', '{\"tool_calls\": [{\"id\": \"c9\", \"type\": \"function\","
    " \"function\": {\"name\": \"noop\"}}, {\"id\": \"c10\", \"function\": {\"name\": \"noop\"}}]}')",
    "SELECT add_message(2, 'tool', '', '{\"tool_call_id\": \"c9\"}')",
    "SELECT add_message(2, 'tool', '')",
    "SELECT begin_message(2, 'tool', '{\"uid\": \"d-t\", \"tool_call_id\": \"c10\"}')",
    "SELECT finish_message((SELECT id FROM chat_messages WHERE uid = 'd-t'))",
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_ui_message(2, '{\"id\": \"ui-1\", \"role\": \"assistant\", \"parts\": [{\"type\": \"step-start\"},"
    " {\"type\": \"tool-g\", \"toolCallId\": \"c2\", \"state\": \"output-available\", \"input\": {},"
    " \"output\": [1]}, {\"type\": \"step-start\"}, {\"type\": \"text\", \"text\": \"done\"}],"
    " \"metadata\": {\"usage\": {\"outputTokens\": 4}}}')",
    "SELECT chat_ui_messages(2)",
    /* retries recognised as JSON (ui.c cfUiSameMessage): a part's keys in
    ** another order; a message add_message wrote, as chat_ui_messages
    ** gives it back */
    "SELECT add_ui_message(2, '{\"id\": \"ui-1\", \"role\": \"assistant\", \"parts\": [{\"type\": \"step-start\"},"
    " {\"toolCallId\": \"c2\", \"type\": \"tool-g\", \"state\": \"output-available\", \"input\": {},"
    " \"output\": [1]}, {\"type\": \"step-start\"}, {\"text\": \"done\", \"type\": \"text\"}],"
    " \"metadata\": {\"usage\": {\"outputTokens\": 4}}}')",
    "SELECT add_ui_message(2, (SELECT value FROM json_each(chat_ui_messages(2))"
    " WHERE json_extract(value, '$.id') = 'm-9'))",
    "SELECT run_usage(1)",
    /* LangGraph checkpoints: a new thread, channel values, writes, readers */
    "SELECT langgraph_put_blob('t-1', 'messages', '1', x'5b5d')",
    "SELECT langgraph_put('t-1', 'c-1', x'7b7d', '{\"source\": \"input\"}',"
    " '{\"channel_versions\": {\"messages\": \"1\"}}')",
    "SELECT langgraph_put('t-1', 'c-2', x'7b7d', '{\"source\": \"loop\"}',"
    " '{\"parent_checkpoint_id\": \"c-1\", \"channel_versions\": {\"messages\": \"1\"}}')",
    "SELECT langgraph_put_write('t-1', 'c-2', 'task', 0, 'answer', x'3432')",
    "SELECT langgraph_put_write('t-1', 'c-2', 'task', -1, '__error__', x'3432', '{\"replace\": true}')",
    "SELECT group_concat(checkpoint_id) FROM langgraph_list('t-1', '{\"filter\": {\"source\": \"loop\"}}')",
    "SELECT count(*) FROM langgraph_get('t-1'), langgraph_channel_values('t-1', 'c-2'),"
    " langgraph_pending_writes('t-1', 'c-2')",
    /* langgraph_get's option owner: its own thread, then another's (no row) */
    "SELECT group_concat(checkpoint_id) FROM langgraph_get('t-1', NULL, 'c-1', '{\"owner\": \"langgraph\"}')",
    "SELECT count(*) FROM langgraph_get('t-1', NULL, NULL, '{\"owner\": \"acme\"}')",
    "SELECT langgraph_prune_checkpoints(1)",
    /* nothing left to prune: the round over the channel values */
    "SELECT langgraph_put_blob('t-1', 'draft', '1', x'5b5d')",
    "SELECT langgraph_prune_checkpoints(1)",
    "SELECT langgraph_delete_thread('t-1', '{\"owner\": \"langgraph\"}')",
    "SELECT chat_history_json(2)",
    "SELECT group_concat(id || ':' || message_count, ',') FROM conversation_list('acme')",
    "SELECT chatflow_stats('acme')",
    "SELECT delete_conversation(1)",
    "SELECT restore_conversation(1)",
    "SELECT update_conversation(1, '{\"title\": \"Renamed\", \"pinned\": true, \"metadata\": {\"b\": 2}}')",
    "SELECT conversation_by_uid((SELECT uid FROM chat_conversations WHERE id = 1), 'acme')",
    "SELECT add_message(1, 'assistant', 'A draft to regenerate.')",
    "SELECT delete_messages(1, '{\"after_seq\": 2}')",
    "#session 2026-01-01T00:00:00Z",
    /* message trees: a regenerated answer, an edit, a switch back */
    "SELECT add_message(2, 'assistant', 'Regenerated.', '{\"parent_id\": ' ||"
    " (SELECT id FROM chat_messages WHERE conversation_id = 2 AND seq = 2) || '}')",
    "SELECT edit_message((SELECT id FROM chat_messages WHERE conversation_id = 2 AND seq = 2),"
    " 'Build a map for Lyon', '{\"uid\": \"e-1\"}')",
    "SELECT group_concat(id || ':' || is_current, ',') FROM message_siblings("
    "(SELECT id FROM chat_messages WHERE conversation_id = 2 AND seq = 2))",
    "SELECT switch_branch((SELECT id FROM chat_messages WHERE conversation_id = 2 AND seq = 3))",
    /* streaming drafts: one finished, one aborted, one left to expire */
    "SELECT begin_message(2, 'assistant', '{\"uid\": \"d-1\"}')",
    "SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'Sour')",
    "SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'dough, crème.')",
    "SELECT finish_message((SELECT id FROM chat_messages WHERE uid = 'd-1'),"
    " '{\"metadata\": {\"model\": \"m\"}, \"parts\": [{\"type\": \"text\", \"text\": \"Sourdough, crème.\"}]}')",
    "SELECT begin_message(2, 'assistant', '{\"uid\": \"d-2\"}')",
    "SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-2'), 'half')",
    "SELECT abort_message((SELECT id FROM chat_messages WHERE uid = 'd-2'), 'stopped')",
    "SELECT begin_message(2, 'assistant', '{\"uid\": \"d-3\"}')",
    "SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-3'), 'abandoned')",
    "SELECT group_concat(seq, ',') FROM chat_history(2, 1000)",
    "SELECT fork_conversation(2)",
    "#session 2026-01-01T00:00:00Z",
    /* a run that may wait 60 s, with a run queued behind it: the sweep
    ** below expires it and starts the queued one */
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"cancel\", \"ttl_seconds\": 60}')",
    "SELECT advance_run(active_run(2))",
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"enqueue\"}')",
    "SELECT delete_conversation(4)",
    "SELECT chatflow_clock('2026-09-01T00:00:00Z')",
    "SELECT expire_stale_runs()",
    "#session 2026-09-01T00:00:00Z",
    "SELECT archive_old_conversations(30)",
    "SELECT delete_old_messages(30, 2)",
    "#session 2026-09-01T00:00:00Z",
    "SELECT purge_deleted(30)",
    "SELECT purge_conversation(3)",
    /* the model calls, as far as they go without a server: the option
    ** extra_body checked (an owned key), merged over llm.extra_body, the
    ** settings and the conversation read, and refused */
    "SELECT complete_chat(2, '{\"extra_body\": {\"top_p\": 0.9, \"model\": \"x\"}}')",
    "SELECT complete_chat(99, '{\"extra_body\": {\"seed\": 7, \"keep_alive\": null}}')",
    "SELECT generate_title(99, '{\"extra_body\": {\"reasoning_effort\": \"low\"}}')",
    "SELECT chatflow_config('llm.extra_body', NULL)",
    "SELECT chatflow_config('llm.model', NULL)",
    0};

/* Regressions, swept at every site by make test too: each step is a fault
** case that once went wrong.  "#warm" steps run without faults (setup, and
** they load the schema so that the steps after them are short). */
static const char *const azRegressSteps[] = {
    "#session 2026-01-01T00:00:00Z",
    "#warm SELECT start_run(1, 'topical_map')",
    "#warm SELECT create_conversation('acme')",
    /* advance_run into a step that awaits a person: an unchecked copy of
    ** "awaits" moved the run to processing instead (workflow.c) */
    "SELECT advance_run(1, '{\"k\": 1}')",
    /* resume_run: the status is the result only after the commit */
    "SELECT resume_run(1, '{\"clarifications\": [{\"question_id\": \"q\", \"question\": \"?\","
    " \"answer\": \"a\"}]}')",
    /* options parsed by json.c: out of memory there returned NULL without an
    ** error; the auto title: out of memory stored no title */
    "SELECT add_message(2, 'user', 'a title from me', '{\"type\": \"user_input\", \"tokens\": 2}')",
    "SELECT create_conversation('acme', 'T', '{\"model\": \"m\"}')",
    "SELECT find_or_create_conversation('acme', 'k9', 'T', '{\"model\": \"m\"}')",
    /* cancel with a queue: a failure before the active run was loaded freed
    ** an uninitialised CfRun (runs.c) */
    "#warm SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"enqueue\"}')",
    "#warm SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"enqueue\"}')",
    "SELECT start_run(2, 'topical_map', NULL, '{\"on_active\": \"cancel\"}')",
    "SELECT fork_conversation(2, 1, '{\"uid\": \"fork-1\"}')",
    /* import: SQLite's json_valid() answers 0 when it cannot allocate; that
    ** is out of memory, not "the document is not valid JSON" (export.c) */
    "#oom SELECT import_conversation('other', export_conversation(2))",
    /* chat_history_json: a failed prepare keeps its code (SQLITE_NOMEM) */
    "#oom SELECT chat_history_json(2, 50)",
    /* the option now: a trailing options_json read before the call (no
    ** write may begin when it fails), and now among other options; a
    ** failure at any site leaves no call time behind */
    "SELECT update_conversation(2, '{\"pinned\": true}', '{\"now\": \"2026-01-02T00:00:00Z\"}')",
    "SELECT add_message(2, 'user', 'timed', '{\"now\": \"2026-01-02T00:00:00Z\", \"tokens\": 1}')",
    "SELECT cancel_run(1, '{\"now\": \"2026-01-02T00:00:01Z\"}')",
    /* SQLite 3.40's json_valid() answers 0 when it cannot allocate: a JSON
    ** CHECK (named, in langgraph_checkpoints) failed the write as a
    ** constraint (write.c cfJsonCheckFailed); fork lost the CHECK's message
    ** when it finalized its source query (export.c); chatflow_check's
    ** integrity row reported a CHECK failure of intact rows (check.c) */
    "#oom SELECT langgraph_put('t-9', 'c-9', x'7b7d', '{\"source\": \"input\"}',"
    " '{\"channel_versions\": {\"messages\": \"1\"}}')",
    "#oom SELECT fork_conversation(2)",
    "#oom SELECT group_concat(\"check\" || '=' || ok || coalesce(':' || detail, ''), ',') FROM chatflow_check()",
    /* edit_message of a tool result keeps the call it answers: a
    ** json_valid() that could not allocate dropped tool_call_id (messages.c) */
    "#warm SELECT add_message(2, 'assistant', 'calls', '{\"parts\": [{\"type\": \"tool-call\", \"id\": \"c1\","
    " \"name\": \"f\", \"arguments\": {}}]}')",
    "#warm SELECT add_message(2, 'tool', 'result', '{\"tool_call_id\": \"c1\"}')",
    "SELECT edit_message((SELECT max(id) FROM chat_messages WHERE role = 'tool'), 'result 2', '{\"metadata\": {\"x\": 1}}')",
    0};

/* Calls refused for a member of a JSON argument: the error says what the
** member was (cfJsonMemberDesc, cfJsonValueDesc read it once the error is
** found).  Out of memory while that is read or the message is written is
** SQLITE_NOMEM, never a half-written message or a success, with nothing
** leaked or written.  Every step fails, with or without a fault. */
static const char *const azErrorSteps[] = {
    "#session 2026-01-01T00:00:00Z",
    "SELECT add_message(1, 'assistant', 'x', '{\"parts\": [{\"type\": \"text\", \"text\": 5}]}')",
    /* a part that is a string: its text not made gave "got text" */
    "SELECT add_message(1, 'assistant', 'x', '{\"parts\": [\"it''s\"]}')",
    /* a UIMessage role 5, read as text before its kind was known, gave
    ** "got integer beyond 64 bits"; its refusals' messages not made were
    ** NULL as a success */
    "SELECT add_ui_message(1, '{\"id\": \"u8\", \"role\": 5, \"parts\": [{\"type\": \"text\", \"text\": \"hi\"}]}')",
    "SELECT add_ui_message(1, '{\"id\": 7, \"role\": \"user\", \"parts\": [{\"type\": \"text\", \"text\": \"hi\"}]}')",
    "SELECT add_message(1, 'assistant', 'x', '{\"parts\": [{\"type\": \"file\", \"mediaType\": \"image/png\","
    " \"url\": 7}]}')",
    "SELECT add_message(1, 'assistant', 'x', '{\"parts\": [{\"type\": \"tool-weather\", \"toolCallId\": \"t1\","
    " \"state\": 5}]}')",
    "SELECT add_message(1, 'assistant', '', '{\"tool_calls\": [{\"id\": \"c9\", \"type\": \"tool\","
    " \"function\": {\"name\": \"f\", \"arguments\": \"{}\"}}]}')",
    "SELECT add_ui_message(1, '{\"id\": \"u9\", \"role\": \"user\", \"parts\": {\"type\": \"text\"}}')",
    "SELECT add_ui_message(1, '{\"id\": \"u9\", \"role\": \"user\", \"parts\": [{\"type\": \"text\","
    " \"text\": \"hi\"}], \"metadata\": [1]}')",
    0};

static const Scenario aScenario[] = {
    {"init", azInitSteps, SEED_NONE},
    {"migrate", azMigrateSteps, SEED_V3},
    {"main", azMainSteps, SEED_CURRENT},
    {"regress", azRegressSteps, SEED_CURRENT},
    {"errors", azErrorSteps, SEED_CURRENT},
};
#define N_SCENARIO ((int)(sizeof(aScenario) / sizeof(aScenario[0])))
#define MAX_STEPS 256 /* steps of a scenario, at most (runScenario checks) */

/* ---------------------------------------------------------- run helpers */

typedef enum { MODE_OOM, MODE_IO_DELETE, MODE_IO_WAL } Mode;
static const char *const azMode[] = {"oom", "io-delete", "io-wal"};

static char gDir[400] = "dist/fault";
static char gDb[600];
static int gVerbose;
static unsigned char *aSeed[3]; /* database images by SEED_* */
static long aSeedSize[3];

/* The step being run, for the crash handler. */
static volatile const char *gCurMode = "", *gCurScenario = "";
static volatile long gCurSite;
static volatile int gCurStep = -1;

static void fxCrash(int sig) {
  char zBuf[256];
  int n = snprintf(zBuf, sizeof(zBuf),
                   "\nfault: CRASH (signal %d) mode %s scenario %s site %ld step %d\n", sig,
                   (const char *)gCurMode, (const char *)gCurScenario, gCurSite, gCurStep);
  if (n > 0 && write(2, zBuf, (size_t)n) < 0) { /* nothing more to do */ }
  signal(sig, SIG_DFL);
  raise(sig);
}

typedef struct StepResult {
  int rc;      /* sqlite3_step/prepare result, extended code */
  char *zOut;  /* rows as text, or the error message (malloc'd, libc) */
} StepResult;

/* Appends printf output to a growing libc buffer. */
typedef struct Buf {
  char *z;
  size_t n, nAlloc;
} Buf;
static void bufAppend(Buf *b, const char *zFmt, ...) {
  va_list ap;
  int n;
  va_start(ap, zFmt);
  n = vsnprintf(0, 0, zFmt, ap);
  va_end(ap);
  if (b->n + (size_t)n + 1 > b->nAlloc) {
    b->nAlloc = (b->n + (size_t)n + 1) * 2;
    b->z = realloc(b->z, b->nAlloc);
    if (b->z == 0) abort();
  }
  va_start(ap, zFmt);
  vsnprintf(b->z + b->n, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

/* Runs one statement to the end; the rows (every column, as text) or the
** error message go to r->zOut. */
static void runStatement(sqlite3 *db, const char *zSql, StepResult *r) {
  sqlite3_stmt *pStmt = 0;
  Buf b = {0, 0, 0};
  int rc = sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0);
  bufAppend(&b, "");
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(pStmt)) == SQLITE_ROW) {
      /* Reading the row is the harness's business: not a fault site. */
      int bArmed = gArmed;
      gArmed = 0;
      for (int i = 0; i < sqlite3_column_count(pStmt); i++) {
        const unsigned char *z = sqlite3_column_text(pStmt, i);
        bufAppend(&b, "%s%s", i ? "|" : "", z ? (const char *)z : "NULL");
      }
      gArmed = bArmed;
      bufAppend(&b, "\n");
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
  }
  if (rc != SQLITE_OK) {
    rc = sqlite3_extended_errcode(db);
    b.n = 0;
    bufAppend(&b, "%s", sqlite3_errmsg(db));
    if (rc == SQLITE_OK) rc = SQLITE_ERROR; /* never expected; flagged by the checks */
  }
  sqlite3_finalize(pStmt);
  r->rc = rc;
  r->zOut = b.z;
}

static void execOrDie(sqlite3 *db, const char *zSql) {
  char *zErr = 0;
  if (sqlite3_exec(db, zSql, 0, 0, &zErr) != SQLITE_OK) {
    fprintf(stderr, "fault: setup failed: %s: %s\n", zSql, zErr ? zErr : "?");
    exit(2);
  }
}

static void writeFile(const char *zPath, const unsigned char *a, long n) {
  FILE *f = fopen(zPath, "wb");
  if (f == 0 || (n > 0 && fwrite(a, 1, (size_t)n, f) != (size_t)n) || fclose(f) != 0) {
    fprintf(stderr, "fault: cannot write %s: %s\n", zPath, strerror(errno));
    exit(2);
  }
}

/* SQLite's temporary files go to gDir (see main). */
static void setTempDir(void) {
  sqlite3_free(sqlite3_temp_directory);
  sqlite3_temp_directory = sqlite3_mprintf("%s", gDir);
  if (sqlite3_temp_directory == 0) exit(2);
}

static void removeDb(void) {
  char z[700];
  unlink(gDb);
  snprintf(z, sizeof(z), "%s-journal", gDb);
  unlink(z);
  snprintf(z, sizeof(z), "%s-wal", gDb);
  unlink(z);
  snprintf(z, sizeof(z), "%s-shm", gDb);
  unlink(z);
}

static void readImage(int eSeed) {
  FILE *f = fopen(gDb, "rb");
  if (f == 0) exit(2);
  fseek(f, 0, SEEK_END);
  aSeedSize[eSeed] = ftell(f);
  fseek(f, 0, SEEK_SET);
  aSeed[eSeed] = malloc((size_t)aSeedSize[eSeed]);
  if (aSeed[eSeed] == 0 ||
      fread(aSeed[eSeed], 1, (size_t)aSeedSize[eSeed], f) != (size_t)aSeedSize[eSeed]) {
    exit(2);
  }
  fclose(f);
}

/* The seeds: migrations 1..3 applied by hand (as an older chatflow left
** them) and a few rows written with raw SQL. */
static void makeSeed(void) {
  sqlite3 *db = 0;
  removeDb();
  if (sqlite3_open(gDb, &db) != SQLITE_OK) exit(2);
  execOrDie(db, "CREATE TABLE chatflow_migrations (version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT");
  for (int v = 0; v < 3 && v < cfSchemaVersion; v++) {
    char *z;
    execOrDie(db, cfMigrationSql[v]);
    z = sqlite3_mprintf("INSERT INTO chatflow_migrations VALUES (%d, %Q, '2025-06-01T00:00:00.000Z')",
                        v + 1, cfMigrationName[v]);
    execOrDie(db, z);
    sqlite3_free(z);
  }
  execOrDie(db,
            "INSERT INTO chat_conversations (owner, key, title, created_at, updated_at)"
            " VALUES ('acme', 'legacy', 'Legacy chat', '2025-06-01T00:00:00.000Z',"
            " '2025-06-01T00:00:00.000Z');"
            "INSERT INTO chat_messages (conversation_id, role, content, created_at)"
            " VALUES (1, 'user', 'an old bakery question', '2025-06-01T00:00:01.000Z');"
            "INSERT INTO chat_messages (conversation_id, role, content, created_at)"
            " VALUES (1, 'assistant', 'an old answer', '2025-06-01T00:00:02.000Z');");
  sqlite3_close(db);
  readImage(SEED_V3);
  /* The current version: the same, migrated (fixed clock and randomness). */
  gRandSeed = 1000;
  sqlite3_randomness(0, 0);
  if (sqlite3_open(gDb, &db) != SQLITE_OK) exit(2);
  execOrDie(db, "SELECT chatflow_clock('2026-01-01T00:00:00Z'); SELECT chatflow_init()");
  sqlite3_close(db);
  readImage(SEED_CURRENT);
  removeDb();
}

static sqlite3 *openDb(Mode eMode) {
  sqlite3 *db = 0;
  if (sqlite3_open(gDb, &db) != SQLITE_OK) {
    fprintf(stderr, "fault: cannot open %s: %s\n", gDb, db ? sqlite3_errmsg(db) : "?");
    exit(2);
  }
  sqlite3_extended_result_codes(db, 1);
  execOrDie(db, eMode == MODE_IO_WAL ? "PRAGMA journal_mode = WAL" : "PRAGMA journal_mode = DELETE");
  execOrDie(db, "PRAGMA synchronous = FULL");
  return db;
}

/* A fingerprint of every ordinary table: one line per table, its name, row
** count and a hash of its rows in rowid (or primary key) order. */
static char *fingerprint(sqlite3 *db) {
  sqlite3_stmt *pList = 0;
  Buf b = {0, 0, 0};
  bufAppend(&b, "");
  if (sqlite3_prepare_v2(db,
                         "SELECT name FROM sqlite_schema WHERE type = 'table'"
                         " AND sql NOT LIKE 'CREATE VIRTUAL%' AND name NOT LIKE 'sqlite_stat%'"
                         " ORDER BY name",
                         -1, &pList, 0) != SQLITE_OK) {
    bufAppend(&b, "error: %s\n", sqlite3_errmsg(db));
    return b.z;
  }
  while (sqlite3_step(pList) == SQLITE_ROW) {
    const char *zTab = (const char *)sqlite3_column_text(pList, 0);
    char *zSql = sqlite3_mprintf("SELECT * FROM \"%w\" ORDER BY 1", zTab);
    sqlite3_stmt *pStmt = 0;
    uint64_t h = 1469598103934665603ULL;
    long nRow = 0;
    if (zSql && sqlite3_prepare_v2(db, zSql, -1, &pStmt, 0) == SQLITE_OK) {
      while (sqlite3_step(pStmt) == SQLITE_ROW) {
        nRow++;
        for (int i = 0; i < sqlite3_column_count(pStmt); i++) {
          const unsigned char *z;
          /* A uid is random: a fault can change how much randomness SQLite
          ** draws before it (a temporary file's name), not what is stored. */
          if (strcmp(sqlite3_column_name(pStmt, i), "uid") == 0) continue;
          z = sqlite3_column_blob(pStmt, i);
          int n = sqlite3_column_bytes(pStmt, i);
          int t = sqlite3_column_type(pStmt, i);
          h = (h ^ (uint64_t)(t + 1)) * 1099511628211ULL;
          for (int j = 0; j < n; j++) h = (h ^ z[j]) * 1099511628211ULL;
        }
      }
      bufAppend(&b, "%s %ld %016llx\n", zTab, nRow, (unsigned long long)h);
    } else {
      bufAppend(&b, "%s error %s\n", zTab, sqlite3_errmsg(db));
    }
    sqlite3_finalize(pStmt);
    sqlite3_free(zSql);
  }
  sqlite3_finalize(pList);
  return b.z;
}

/* The names (and row counts, found vs expected) of the tables whose lines
** differ between two fingerprints. */
static char *fingerprintDiff(const char *zGot, const char *zWant) {
  Buf b = {0, 0, 0};
  bufAppend(&b, "");
  while (*zGot && *zWant) {
    const char *e1 = strchr(zGot, '\n'), *e2 = strchr(zWant, '\n');
    if (e1 == 0 || e2 == 0) break;
    if (e1 - zGot != e2 - zWant || memcmp(zGot, zWant, (size_t)(e1 - zGot)) != 0) {
      const char *s1 = strchr(zGot, ' '), *s2 = strchr(zWant, ' ');
      const char *t1 = s1 ? strchr(s1 + 1, ' ') : 0, *t2 = s2 ? strchr(s2 + 1, ' ') : 0;
      if (s1 && s2 && t1 && t2) {
        bufAppend(&b, "%s%.*s %.*s rows, expected %.*s", b.n ? "; " : "", (int)(s1 - zGot), zGot,
                  (int)(t1 - s1 - 1), s1 + 1, (int)(t2 - s2 - 1), s2 + 1);
      }
    }
    zGot = e1 + 1;
    zWant = e2 + 1;
  }
  /* a table (or an error line) on one side only */
  for (int k = 0; k < 2; k++) {
    for (const char *z = k ? zWant : zGot; *z;) {
      const char *e = strchr(z, '\n'), *sp = strchr(z, ' ');
      int n = (int)((sp && (!e || sp < e)) ? sp - z : e ? e - z : (long)strlen(z));
      bufAppend(&b, "%s%.*s %s", b.n ? "; " : "", n, z, k ? "expected, missing" : "not expected");
      if (!e) break;
      z = e + 1;
    }
  }
  return b.z;
}

static void copyFile(const char *zFrom, const char *zTo) {
  FILE *f = fopen(zFrom, "rb");
  Buf b = {0, 0, 0};
  char aBuf[8192];
  size_t n;
  unlink(zTo);
  if (f == 0) return; /* no such file: no copy */
  bufAppend(&b, "");
  while ((n = fread(aBuf, 1, sizeof(aBuf), f)) > 0) {
    if (b.n + n + 1 > b.nAlloc) {
      b.nAlloc = (b.n + n + 1) * 2;
      b.z = realloc(b.z, b.nAlloc);
      if (b.z == 0) abort();
    }
    memcpy(b.z + b.n, aBuf, n);
    b.n += n;
  }
  fclose(f);
  writeFile(zTo, (const unsigned char *)b.z, (long)b.n);
  free(b.z);
}

/* The fingerprint of a byte copy of the database (and its WAL) as it is
** on disk now, read without touching the scenario's connection, whose
** VFS calls must be the same in the reference and in every fault run. */
static char *fingerprintCopy(Mode eMode) {
  char zFrom[700], zTo[720], zSnap[700];
  sqlite3 *db = 0;
  char *z;
  snprintf(zSnap, sizeof(zSnap), "%s/snapshot.db", gDir);
  copyFile(gDb, zSnap);
  snprintf(zFrom, sizeof(zFrom), "%s-wal", gDb);
  snprintf(zTo, sizeof(zTo), "%s-wal", zSnap);
  copyFile(zFrom, zTo);
  snprintf(zTo, sizeof(zTo), "%s-shm", zSnap);
  unlink(zTo);
  if (sqlite3_open(zSnap, &db) != SQLITE_OK) exit(2);
  (void)eMode;
  z = fingerprint(db);
  sqlite3_close(db);
  unlink(zSnap);
  snprintf(zTo, sizeof(zTo), "%s-wal", zSnap);
  unlink(zTo);
  return z;
}

/* Integrity and invariants; returns 0 or a description (libc malloc'd). */
static char *checkDatabase(sqlite3 *db) {
  static const char *const azCheck[] = {
      "PRAGMA integrity_check",
      "PRAGMA foreign_key_check",
      /* empty without the schema */
      "SELECT 'message_count/last_seq/total_tokens of conversation ' || c.id FROM"
      " chat_conversations AS c WHERE c.message_count <> (SELECT count(*) FROM chat_messages"
      " WHERE conversation_id = c.id) OR c.last_seq < (SELECT coalesce(max(seq), 0) FROM"
      " chat_messages WHERE conversation_id = c.id) OR c.total_tokens <> (SELECT"
      " coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id)",
      "SELECT 'two active runs in conversation ' || conversation_id FROM workflow_runs WHERE"
      " status IN ('started', 'awaiting_clarification', 'awaiting_approval', 'processing')"
      " GROUP BY conversation_id HAVING count(*) > 1",
      "SELECT 'a chatflow_statement_clock row survived' FROM chatflow_statement_clock",
      "SELECT 'interrupt of ended run ' || workflow_id FROM workflow_interrupts AS i"
      " JOIN workflow_runs AS r ON i.workflow_id = 'run_' || r.id WHERE r.status IN"
      " ('completed', 'failed', 'cancelled', 'expired')",
      /* (external content with NULL titles, which the index leaves out) */
      "INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check')",
  };
  /* schema 5: messages are indexed up to the search mark; the indexes hold
  ** exactly those, checked against their content with the mark moved to
  ** the end inside a savepoint that is then undone.  Drafts that stream or
  ** were aborted are never indexed (docs/drafts.md): FTS5 would count them
  ** missing, so the savepoint deletes them first. */
  static const char *const azMark[] = {
      "SELECT 'search mark ' || indexed_upto || ' above the message sequence' FROM chatflow_search_state"
      " WHERE indexed_upto > coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages'), 0)",
      "SELECT 'message ' || id || ' indexed above the search mark' FROM chat_messages_fts_docsize"
      " WHERE id > (SELECT indexed_upto FROM chatflow_search_state)",
      "SAVEPOINT fault_check",
      "DELETE FROM chat_messages WHERE status <> 'complete'",
      "UPDATE chatflow_search_state SET indexed_upto ="
      " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages'), 0)",
      "INSERT INTO chat_messages_fts (chat_messages_fts, rank) VALUES ('integrity-check', 1)",
      "INSERT INTO chat_messages_trigram (chat_messages_trigram) VALUES ('integrity-check')",
      "ROLLBACK TO fault_check",
      "RELEASE fault_check",
  };
  /* schema 4 (a migration undone): every message is in the index */
  static const char *const azAll[] = {
      "INSERT INTO chat_messages_fts (chat_messages_fts, rank) VALUES ('integrity-check', 1)",
  };
  int bSchema = 0, bMark = 0;
  sqlite3_stmt *p = 0;
  if (sqlite3_prepare_v2(db, "SELECT count(*) FILTER (WHERE name = 'chat_conversations'),"
                             " count(*) FILTER (WHERE name = 'chatflow_search_state') FROM sqlite_schema",
                         -1, &p, 0) == SQLITE_OK && sqlite3_step(p) == SQLITE_ROW) {
    bSchema = sqlite3_column_int(p, 0) > 0;
    bMark = sqlite3_column_int(p, 1) > 0;
  }
  sqlite3_finalize(p);
  for (int k = 0; k < 2; k++) {
    const char *const *az = k == 0 ? azCheck : bMark ? azMark : azAll;
    size_t n = k == 0 ? sizeof(azCheck) / sizeof(azCheck[0])
                      : bMark ? sizeof(azMark) / sizeof(azMark[0]) : sizeof(azAll) / sizeof(azAll[0]);
    for (size_t i = 0; i < n; i++) {
      StepResult r;
      if ((k > 0 || i >= 2) && !bSchema) break;
      runStatement(db, az[i], &r);
      if (r.rc != SQLITE_OK || (k == 0 && i == 0 ? strcmp(r.zOut, "ok\n") != 0 : r.zOut[0] != 0)) {
        Buf b = {0, 0, 0};
        bufAppend(&b, "%s: %s%s", az[i], r.rc ? "error: " : "", r.zOut);
        free(r.zOut);
        return b.z;
      }
      free(r.zOut);
    }
  }
  return 0;
}

/* ------------------------------------------------------------ reference */

typedef struct Reference {
  int nStep;
  StepResult aRes[MAX_STEPS];
  char *azFp[MAX_STEPS + 1]; /* azFp[i]: the tables before step i */
  long aAlloc[MAX_STEPS];    /* allocations of step i */
  long aIo[MAX_STEPS];       /* VFS calls of step i */
  long nLiveIdle;            /* live blocks with no connection open */
  int bFingerprint;          /* record azFp (from a copy of the files) */
  unsigned char *aImg[MAX_STEPS]; /* at a "#session" step: the database file */
  long anImg[MAX_STEPS];
} Reference;

static int isSession(const char *zStep) { return strncmp(zStep, "#session ", 9) == 0; }
/* "#warm SQL" runs without faults; "#oom SQL" is a fault case of OOM mode
** only (it runs without faults in the I/O modes). */
static int isWarm(const char *zStep) { return strncmp(zStep, "#warm ", 6) == 0; }
static int isOomOnly(const char *zStep) { return strncmp(zStep, "#oom ", 5) == 0; }
static int isUnarmed(const char *zStep, Mode eMode) {
  return isWarm(zStep) || (isOomOnly(zStep) && eMode != MODE_OOM);
}
static const char *stepSql(const char *zStep) {
  return zStep + (isWarm(zStep) ? 6 : isOomOnly(zStep) ? 5 : 0);
}

/* Opens the scenario's connection at a "#session <clock>" step: fixed
** randomness, the clock pinned to <clock>. */
static sqlite3 *openSession(Mode eMode, const char *zStep, int iStep) {
  sqlite3 *db;
  char *z;
  gRandSeed = iStep;
  sqlite3_randomness(0, 0); /* back to the fixed seed of the shim VFS */
  db = openDb(eMode);
  z = sqlite3_mprintf("SELECT chatflow_clock(%Q)", zStep + 9);
  execOrDie(db, z);
  sqlite3_free(z);
  return db;
}

static void readDbImage(unsigned char **pa, long *pn) {
  FILE *f = fopen(gDb, "rb");
  char zWal[700];
  struct stat st;
  snprintf(zWal, sizeof(zWal), "%s-wal", gDb);
  if (stat(zWal, &st) == 0 && st.st_size > 0) {
    fprintf(stderr, "fault: a closed database kept its WAL\n");
    exit(2);
  }
  if (f == 0) exit(2);
  fseek(f, 0, SEEK_END);
  *pn = ftell(f);
  fseek(f, 0, SEEK_SET);
  *pa = malloc((size_t)*pn + 1);
  if (*pa == 0 || fread(*pa, 1, (size_t)*pn, f) != (size_t)*pn) exit(2);
  fclose(f);
}

/* One run of scenario pSc.  Without a fault armed, fills ref: results,
** counts, fingerprints and, at each "#session" step, the database image
** (the connection is closed and opened again there).  With a fault armed
** (gAllocFailAt or gIoFailAt), starts at the session step iStart from
** pFrom's image and stops after the step in which the fault fired; its
** result goes to *pRes and its index to *piStep. */
static void runScenario(const Scenario *pSc, Mode eMode, Reference *ref, const Reference *pFrom,
                        int iStart, int *piStep, StepResult *pRes) {
  sqlite3 *db = 0;
  int nStep = 0;
  while (pSc->azStep[nStep]) nStep++;
  if (nStep >= MAX_STEPS) { /* the Reference arrays hold MAX_STEPS */
    fprintf(stderr, "fault: scenario %s has %d steps, more than MAX_STEPS %d allows\n", pSc->zName, nStep,
            MAX_STEPS - 1);
    exit(2);
  }
  *piStep = -1;
  removeDb();
  if (pFrom) {
    writeFile(gDb, pFrom->aImg[iStart], pFrom->anImg[iStart]);
  } else if (pSc->eSeed != SEED_NONE) {
    writeFile(gDb, aSeed[pSc->eSeed], aSeedSize[pSc->eSeed]);
  }
  for (int i = iStart; pSc->azStep[i]; i++) {
    StepResult r;
    long nAlloc0 = gAllocs, nIo0 = gIoCalls;
    gCurStep = i;
    if (ref && ref->bFingerprint) ref->azFp[i] = fingerprintCopy(eMode);
    if (isSession(pSc->azStep[i])) {
      if (ref && db == 0) {
        /* The scenario's start: its seed. */
        long n = pSc->eSeed == SEED_NONE ? 0 : aSeedSize[pSc->eSeed];
        ref->aImg[i] = malloc((size_t)n + 1);
        if (ref->aImg[i] == 0) abort();
        if (n) memcpy(ref->aImg[i], aSeed[pSc->eSeed], (size_t)n);
        ref->anImg[i] = n;
      } else if (ref) {
        if (sqlite3_close(db) != SQLITE_OK) exit(2);
        db = 0;
        readDbImage(&ref->aImg[i], &ref->anImg[i]);
      }
      if (db && sqlite3_close(db) != SQLITE_OK) exit(2);
      db = openSession(eMode, pSc->azStep[i], i);
      if (ref) {
        ref->aRes[i].rc = SQLITE_OK;
        ref->aRes[i].zOut = strdup("");
        ref->aAlloc[i] = ref->aIo[i] = 0;
        ref->nStep = i + 1;
      }
      continue;
    }
    gInjected = 0;
    gArmed = (eMode == MODE_OOM) && !isUnarmed(pSc->azStep[i], eMode);
    gIoArmed = (eMode != MODE_OOM) && !isUnarmed(pSc->azStep[i], eMode);
    runStatement(db, stepSql(pSc->azStep[i]), &r);
    gArmed = gIoArmed = 0;
    if (ref && isUnarmed(pSc->azStep[i], eMode) && r.rc != SQLITE_OK) {
      fprintf(stderr, "fault: setup step %d failed: %s\n", i, r.zOut);
      exit(2);
    }
    if (ref) {
      ref->aRes[i] = r;
      ref->aAlloc[i] = gAllocs - nAlloc0;
      ref->aIo[i] = gIoCalls - nIo0;
      ref->nStep = i + 1;
      if (!sqlite3_get_autocommit(db)) {
        fprintf(stderr, "fault: fault-free step %d left a transaction open: %s\n", i,
                pSc->azStep[i]);
        exit(2);
      }
      continue;
    }
    if (gInjected) {
      *piStep = i;
      *pRes = r;
      break;
    }
    free(r.zOut);
  }
  if (ref && ref->bFingerprint) ref->azFp[ref->nStep] = fingerprintCopy(eMode);
  if (*piStep >= 0 && !sqlite3_get_autocommit(db)) {
    /* SQLite refuses every statement, ROLLBACK included, after an
    ** allocation failure until the calling statement ends; chatflow then
    ** leaves the undo to its next call on the connection (write.c, rule
    ** 3).  Such a call — a read — must end the transaction; else the
    ** caller reports it.  The tables are compared afterwards, so a
    ** deferred undo that kept anything is still a violation. */
    int bDeferred = eMode == MODE_OOM;
    if (bDeferred) {
      sqlite3_exec(db, "SELECT chatflow_config('llm.model')", 0, 0, 0);
      bDeferred = sqlite3_get_autocommit(db);
    }
    if (bDeferred) {
      pRes->rc |= 0x20000000;
    } else {
      pRes->rc |= 0x40000000;
      sqlite3_exec(db, "ROLLBACK", 0, 0, 0);
    }
  }
  if (sqlite3_close(db) != SQLITE_OK) {
    fprintf(stderr, "fault: sqlite3_close failed: %s\n", sqlite3_errmsg(db));
    exit(2);
  }
}

/* ----------------------------------------------------------------- sweep */

typedef struct Counts {
  long nSites, nDirect, nTried, nSkipped, nFailed, nSuccess, nSameError, nViolations, nExcluded;
  long nDeferred; /* OOM failures whose undo the next chatflow call did (write.c rule 3) */
} Counts;

/* --exclude-check TEXT: a violation whose report contains TEXT is shown as
** EXCLUDED and does not fail the run (make test, for reported cases). */
static const char *azExclude[8];
static int nExclude;

static void violation(Counts *c, Mode eMode, const Scenario *pSc, long iSite, int iStep,
                      const char *zFmt, ...) {
  va_list ap;
  Buf b = {0, 0, 0};
  int n;
  char *z;
  c->nViolations++;
  bufAppend(&b, "VIOLATION %s %s site %ld step %d (%s)%s%s: ", azMode[eMode], pSc->zName, iSite,
            iStep, iStep >= 0 ? pSc->azStep[iStep] : "-",
            eMode != MODE_OOM && gIoLastKind >= 0 ? " at " : "",
            eMode != MODE_OOM && gIoLastKind >= 0 ? azIoKind[gIoLastKind] : "");
  va_start(ap, zFmt);
  n = vsnprintf(0, 0, zFmt, ap);
  va_end(ap);
  z = malloc((size_t)n + 1);
  if (z == 0) abort();
  va_start(ap, zFmt);
  vsnprintf(z, (size_t)n + 1, zFmt, ap);
  va_end(ap);
  while (n > 0 && z[n - 1] == '\n') z[--n] = 0;
  for (char *zc = z; *zc; zc++) {
    if (*zc == '\n') *zc = ' '; /* one line per report */
  }
  bufAppend(&b, "%s\n", z);
  free(z);
  for (int i = 0; i < nExclude; i++) {
    if (strstr(b.z, azExclude[i])) {
      /* A check left out of this run (--exclude-check): shown, not counted. */
      memcpy(b.z, "EXCLUDED ", 9);
      c->nViolations--;
      c->nExcluded++;
      break;
    }
  }
  /* One write per report: workers share stdout. */
  fflush(stdout);
  if (write(1, b.z, b.n) < 0) { /* stdout gone */ }
  free(b.z);
}

/* Runs the scenario with site iSite failed and checks the outcome. */
static void trySite(const Scenario *pSc, Mode eMode, Reference *ref, long iSite, Counts *c) {
  StepResult r = {0, 0};
  int iStep = -1, bTxnOpen;
  sqlite3 *db;
  char *zFp, *zBad;
  gCurSite = iSite;
  gAllocs = gIoCalls = 0;
  gIoLastKind = -1;
  if (eMode == MODE_OOM) gAllocFailAt = iSite; else gIoFailAt = iSite;
  {
    /* Start at the session that holds the site, with the counts before it. */
    long nBefore = 0, nSession = 0;
    int iStart = 0;
    for (int i = 0; i < ref->nStep; i++) {
      long n = eMode == MODE_OOM ? ref->aAlloc[i] : ref->aIo[i];
      if (isSession(pSc->azStep[i])) {
        iStart = i;
        nSession = nBefore;
      }
      if (nBefore + n >= iSite) break;
      nBefore += n;
    }
    gAllocs = gIoCalls = nSession;
    runScenario(pSc, eMode, 0, ref, iStart, &iStep, &r);
  }
  gAllocFailAt = gIoFailAt = 0;
  c->nTried++;
  if (iStep < 0) {
    violation(c, eMode, pSc, iSite, -1, "the fault never fired (the scenario is not deterministic)");
    return;
  }
  bTxnOpen = (r.rc & 0x40000000) != 0;
  if (r.rc & 0x20000000) c->nDeferred++;
  r.rc &= ~0x60000000;
  if (gVerbose) {
    printf("site %ld step %d rc %d: %s", iSite, iStep, r.rc, r.zOut);
    if (r.zOut[0] == 0 || r.zOut[strlen(r.zOut) - 1] != '\n') printf("\n");
  }
  if (gLive != ref->nLiveIdle) {
    violation(c, eMode, pSc, iSite, iStep, "%ld blocks leaked", gLive - ref->nLiveIdle);
    gLive = ref->nLiveIdle;
  }
  if (bTxnOpen) {
    violation(c, eMode, pSc, iSite, iStep, "left a transaction open (autocommit off): %s", r.zOut);
  }
  /* The outcome: the fault's error, the fault-free error, or the full result. */
  if (r.rc == SQLITE_OK) {
    if (ref->aRes[iStep].rc != SQLITE_OK || strcmp(r.zOut, ref->aRes[iStep].zOut) != 0) {
      violation(c, eMode, pSc, iSite, iStep, "succeeded with %.*s instead of %.*s",
                (int)strcspn(r.zOut, "\n"), r.zOut, (int)strcspn(ref->aRes[iStep].zOut, "\n"),
                ref->aRes[iStep].zOut);
    } else {
      c->nSuccess++;
    }
  } else {
    int ePrimary = eMode == MODE_OOM ? SQLITE_NOMEM : SQLITE_IOERR;
    if (r.rc == ref->aRes[iStep].rc && (strcmp(r.zOut, ref->aRes[iStep].zOut) == 0 ||
                                        (eMode == MODE_OOM && strcmp(r.zOut, sqlite3_errstr(r.rc)) == 0))) {
      /* The fault-free error; under OOM SQLite may fail to copy its text
      ** (sqlite3VdbeTransferError) and report its code's generic text. */
      c->nSameError++;
    } else if ((r.rc & 0xff) != ePrimary) {
      violation(c, eMode, pSc, iSite, iStep, "failed with code %d (%s) instead of %s: %s", r.rc,
                sqlite3_errstr(r.rc), ePrimary == SQLITE_NOMEM ? "SQLITE_NOMEM" : "SQLITE_IOERR",
                r.zOut);
    } else if (strstr(r.zOut, "not an error") || strstr(r.zOut, "no such savepoint")) {
      violation(c, eMode, pSc, iSite, iStep, "message: %s", r.zOut);
    } else {
      c->nFailed++;
    }
  }
  /* The database on a new connection. */
  db = openDb(eMode);
  zBad = checkDatabase(db);
  if (zBad) {
    violation(c, eMode, pSc, iSite, iStep, "database check failed: %s", zBad);
    free(zBad);
  }
  zFp = fingerprint(db);
  {
    const char *zWant = ref->azFp[r.rc == SQLITE_OK ? iStep + 1 : iStep];
    /* A fault-free error leaves the tables unchanged as well.  An unlock
    ** fails only after the commit (SQLite reports it, the data is
    ** durable): either state is whole, neither is partial. */
    int bUnlockAfterCommit = r.rc != SQLITE_OK && eMode != MODE_OOM &&
                             gIoLastKind == IO_UNLOCK && strcmp(zFp, ref->azFp[iStep + 1]) == 0;
    if (strcmp(zFp, zWant) != 0 && !bUnlockAfterCommit) {
      char *zDiff = fingerprintDiff(zFp, zWant);
      violation(c, eMode, pSc, iSite, iStep, "tables differ from the fault-free ones %s the step (%s)",
                r.rc == SQLITE_OK ? "after" : "before", zDiff);
      free(zDiff);
    }
  }
  free(zFp);
  sqlite3_close(db);
  free(r.zOut);
  if (gLive != ref->nLiveIdle) {
    violation(c, eMode, pSc, iSite, iStep, "%ld blocks leaked after the check", gLive - ref->nLiveIdle);
    gLive = ref->nLiveIdle;
  }
}

/* Worker iWorker of nWorkers tries the sites k with k % nWorkers == iWorker. */
/* --skip [MODE:]TEXT: sites in steps whose SQL contains TEXT (in MODE
** only, with the prefix) are not tried. */
static const char *azSkip[8];
static int nSkip;
static int skipStep(Mode eMode, const char *zStep) {
  for (int i = 0; i < nSkip; i++) {
    const char *z = azSkip[i];
    size_t n = strlen(azMode[eMode]);
    if (strncmp(z, azMode[eMode], n) == 0 && z[n] == ':') z += n + 1;
    else if (strchr(z, ':') && strchr(z, ':') < strchr(z, '(') ) continue; /* another mode's */
    if (strstr(zStep, z)) return 1;
  }
  return 0;
}

static int sweep(const Scenario *pSc, Mode eMode, long nStride, long nSample, long iOnly,
                 int iWorker, int nWorkers, Counts *c) {
  Reference *ref = calloc(1, sizeof(Reference));
  Reference *ref2 = calloc(1, sizeof(Reference));
  int iDummy;
  long nTotal = 0;
  gCurMode = azMode[eMode];
  gCurScenario = pSc->zName;
  gCurSite = 0;
  memset(c, 0, sizeof(*c));
  /* Twice fault-free: the second run must equal the first (deterministic). */
  gAllocs = gIoCalls = 0;
  ref->bFingerprint = 1;
  if (gaDirect) memset(gaDirect, 0, (size_t)gnDirect);
  gRecord = (eMode == MODE_OOM);
  runScenario(pSc, eMode, ref, 0, 0, &iDummy, 0);
  gRecord = 0;
  ref->nLiveIdle = gLive;
  gAllocs = gIoCalls = 0;
  runScenario(pSc, eMode, ref2, 0, 0, &iDummy, 0);
  {
    sqlite3 *db = openDb(eMode);
    ref2->azFp[ref2->nStep] = fingerprint(db);
    sqlite3_close(db);
  }
  for (int i = 0; i < ref->nStep && iWorker == 0; i++) {
    if (ref->aRes[i].rc != ref2->aRes[i].rc || strcmp(ref->aRes[i].zOut, ref2->aRes[i].zOut) ||
        ref->aAlloc[i] != ref2->aAlloc[i] || ref->aIo[i] != ref2->aIo[i]) {
      violation(c, eMode, pSc, 0, i, "two fault-free runs differ (%ld/%ld allocations, %ld/%ld VFS calls): %s / %s",
                ref->aAlloc[i], ref2->aAlloc[i], ref->aIo[i], ref2->aIo[i], ref->aRes[i].zOut,
                ref2->aRes[i].zOut);
    }
  }
  if (iWorker == 0 && strcmp(ref->azFp[ref->nStep], ref2->azFp[ref2->nStep]) != 0) {
    violation(c, eMode, pSc, 0, -1, "two fault-free runs leave different tables:\n%s---\n%s",
              ref->azFp[ref->nStep], ref2->azFp[ref2->nStep]);
  }
  if (iWorker == 0 && gLive != ref->nLiveIdle) {
    violation(c, eMode, pSc, 0, -1, "%ld blocks leaked by a fault-free run", gLive - ref->nLiveIdle);
  }
  gLive = ref->nLiveIdle;
  for (int i = 0; i < ref->nStep; i++) nTotal += eMode == MODE_OOM ? ref->aAlloc[i] : ref->aIo[i];
  c->nSites = nTotal;
  if (nSample > 0) nStride = nTotal / nSample > 1 ? nTotal / nSample : 1;
  for (long n = 1; n < gnDirect && n <= nTotal; n++) c->nDirect += gaDirect[n];
  if (gVerbose && iWorker == 0) {
    for (int i = 0; i < ref->nStep; i++) {
      printf("step %2d: %5ld allocations %4ld VFS calls rc %d %s => %s", i, ref->aAlloc[i],
             ref->aIo[i], ref->aRes[i].rc, pSc->azStep[i], ref->aRes[i].zOut);
      if (ref->aRes[i].zOut[0] == 0 || ref->aRes[i].zOut[strlen(ref->aRes[i].zOut) - 1] != '\n') printf("\n");
    }
  }
  if (iOnly > 0) {
    if (iWorker == 0) trySite(pSc, eMode, ref, iOnly, c);
  } else {
    /* Strided: sites 1, 1+K, ... and always the last one. */
    long k = 0, nEnd = 0;
    int iStep = -1;
    for (long n = 1; n <= nTotal; n++) {
      int bTry = (n - 1) % nStride == 0 || n == nTotal ||
                 (nSample > 0 && n < gnDirect && gaDirect[n]);
      while (n > nEnd) { /* the step that holds site n */
        iStep++;
        nEnd += eMode == MODE_OOM ? ref->aAlloc[iStep] : ref->aIo[iStep];
      }
      if (bTry && skipStep(eMode, pSc->azStep[iStep])) {
        c->nSkipped++;
        continue;
      }
      if (bTry && k++ % nWorkers == iWorker) trySite(pSc, eMode, ref, n, c);
    }
  }
  for (int i = 0; i < ref->nStep; i++) {
    free(ref->aRes[i].zOut);
    free(ref2->aRes[i].zOut);
  }
  for (int i = 0; i <= ref->nStep; i++) {
    free(ref->azFp[i]);
    free(ref2->azFp[i]);
  }
  for (int i = 0; i < ref->nStep; i++) {
    free(ref->aImg[i]);
    free(ref2->aImg[i]);
  }
  free(ref);
  free(ref2);
  return c->nViolations == 0;
}

static void usage(void) {
  fprintf(stderr, "usage: fault [--mode oom|io-delete|io-wal|all] [--scenario init|migrate|main|regress|errors|all]\n"
                  "             [--stride K | --sample N] [--jobs N] [--persist] [--site N] [--dir DIR] [--verbose]\n"
                  "             [--skip [MODE:]TEXT]... [--exclude-check TEXT]...\n"
                  "             [--backtrace]\n");
  exit(2);
}

int main(int argc, char **argv) {
  sqlite3_mem_methods mem;
  const char *zMode = "all", *zScenario = "all";
  long nStride = 1, iSite = 0, nSample = 0;
  int nJobs = 1;
  char zDirect[64], zSkipped[128];
  int nPass = 0, nFail = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc) zMode = argv[++i];
    else if (strcmp(argv[i], "--scenario") == 0 && i + 1 < argc) zScenario = argv[++i];
    else if (strcmp(argv[i], "--stride") == 0 && i + 1 < argc) nStride = atol(argv[++i]);
    else if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc) nSample = atol(argv[++i]);
    else if (strcmp(argv[i], "--site") == 0 && i + 1 < argc) iSite = atol(argv[++i]);
    else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) snprintf(gDir, sizeof(gDir), "%s", argv[++i]);
    else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) nJobs = atoi(argv[++i]);
    else if (strcmp(argv[i], "--skip") == 0 && i + 1 < argc && nSkip < 8) azSkip[nSkip++] = argv[++i];
    else if (strcmp(argv[i], "--exclude-check") == 0 && i + 1 < argc && nExclude < 8) {
      azExclude[nExclude++] = argv[++i];
    }
    else if (strcmp(argv[i], "--persist") == 0) gPersist = 1;
    else if (strcmp(argv[i], "--verbose") == 0) gVerbose = 1;
    else if (strcmp(argv[i], "--backtrace") == 0) gBacktrace = 1;
    else usage();
  }
  if (nStride < 1 || nJobs < 1) usage();
  if (iSite > 0) nJobs = 1;
  snprintf(gDb, sizeof(gDb), "%s/fault.db", gDir);
  signal(SIGSEGV, fxCrash);
  signal(SIGBUS, fxCrash);
  signal(SIGABRT, fxCrash);
  signal(SIGFPE, fxCrash);
  setvbuf(stdout, 0, _IOLBF, 0);

  {
    Dl_info info;
    if (dladdr((void *)fxInExe, &info)) gExeBase = info.dli_fbase;
    dl_iterate_phdr(fxFindExe, 0);
  }
  if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &gReal) != SQLITE_OK) return 2;
  mem = gReal;
  mem.xMalloc = fxMalloc;
  mem.xFree = fxFree;
  mem.xRealloc = fxRealloc;
  mem.xSize = fxSize;
  mem.xRoundup = fxRoundup;
  mem.xInit = fxInit;
  mem.xShutdown = fxShutdown;
  if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK) return 2;
  if (sqlite3_initialize() != SQLITE_OK) return 2;
  /* SQLite's temporary files (statement journals that spill, temporary
  ** b-trees) in --dir: the shim fixes SQLite's randomness, so every fault
  ** process draws the same temporary file names, and two processes (make
  ** faults and make test-faults at once, or two workers) sharing /var/tmp
  ** failed each other's writes (SQLITE_IOERR_WRITE in a step the fault
  ** had not reached yet). */
  setTempDir();
  fxRegisterVfs();
  sqlite3_auto_extension((void (*)(void))sqlite3_chatflow_init);
  makeSeed();

  for (int m = 0; m < 3; m++) {
    if (strcmp(zMode, "all") != 0 && strcmp(zMode, azMode[m]) != 0) continue;
    for (int s = 0; s < N_SCENARIO; s++) {
      Counts c, cw;
      int aFd[2];
      if (strcmp(zScenario, "all") != 0 && strcmp(zScenario, aScenario[s].zName) != 0) continue;
      memset(&c, 0, sizeof(c));
      if (nJobs <= 1) {
        sweep(&aScenario[s], (Mode)m, nStride, nSample, iSite, 0, 1, &c);
      } else {
        /* Workers, each in its own directory, report their counts through a pipe. */
        if (pipe(aFd) != 0) return 2;
        fflush(stdout);
        for (int w = 0; w < nJobs; w++) {
          pid_t pid = fork();
          if (pid < 0) return 2;
          if (pid == 0) {
            close(aFd[0]);
            snprintf(gDir + strlen(gDir), sizeof(gDir) - strlen(gDir), "/w%d", w);
            mkdir(gDir, 0777);
            snprintf(gDb, sizeof(gDb), "%s/fault.db", gDir);
            setTempDir();
            sweep(&aScenario[s], (Mode)m, nStride, nSample, iSite, w, nJobs, &cw);
            removeDb();
            rmdir(gDir);
            if (write(aFd[1], &cw, sizeof(cw)) != (ssize_t)sizeof(cw)) exit(3);
            close(aFd[1]);
            exit(0); /* (not _exit: LeakSanitizer checks at exit) */
          }
        }
        close(aFd[1]);
        for (int w = 0; w < nJobs; w++) {
          if (read(aFd[0], &cw, sizeof(cw)) == (ssize_t)sizeof(cw)) {
            c.nTried += cw.nTried;
            c.nFailed += cw.nFailed;
            c.nSuccess += cw.nSuccess;
            c.nSameError += cw.nSameError;
            c.nViolations += cw.nViolations;
            c.nExcluded += cw.nExcluded;
            c.nDeferred += cw.nDeferred;
            c.nSites = cw.nSites;
            c.nSkipped = cw.nSkipped;
            c.nDirect = cw.nDirect;
          }
        }
        close(aFd[0]);
        for (int w = 0; w < nJobs; w++) {
          int st = 0;
          if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            printf("VIOLATION %s %s: a worker %s %d\n", azMode[m], aScenario[s].zName,
                   WIFSIGNALED(st) ? "died of signal" : "exited with status",
                   WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
            c.nViolations++;
          }
        }
      }
      if (c.nViolations == 0) nPass++; else nFail++;
      snprintf(zDirect, sizeof(zDirect), " (%ld in chatflow's own calls)", c.nDirect);
      zSkipped[0] = 0;
      if (c.nSkipped) snprintf(zSkipped, sizeof(zSkipped), ", %ld skipped (--skip)", c.nSkipped);
      if (c.nExcluded) {
        size_t n = strlen(zSkipped);
        snprintf(zSkipped + n, sizeof(zSkipped) - n, ", %ld excluded (--exclude-check)", c.nExcluded);
      }
      printf("%s %s: %ld sites%s, %ld tried%s%s: %ld failures reported (%ld undone by the next call),"
             " %ld full successes, %ld fault-free errors, %ld violations\n",
             azMode[m], aScenario[s].zName, c.nSites, m == MODE_OOM ? zDirect : "", c.nTried,
             nStride > 1 || nSample > 0 ? " (a sample)" : "", zSkipped, c.nFailed, c.nDeferred, c.nSuccess,
             c.nSameError, c.nViolations);
    }
  }
  removeDb();
  free(aSeed[SEED_V3]);
  free(aSeed[SEED_CURRENT]);
  printf("faults: %d passed, %d failed\n", nPass, nFail);
  return nFail ? 1 : 0;
}
