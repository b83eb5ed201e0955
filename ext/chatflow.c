/*
** chatflow.c — the entry point: sqlite3_chatflow_init registers every
** function and module of chatflow on one connection.
**
**   .load dist/chatflow        -- the sqlite3 shell
**   SELECT chatflow_init();    -- create or migrate the schema
**
** Each concept registers from its own file (schema.c, conversations.c,
** messages.c, branches.c, runs.c, history_vtab.c, interrupt_vtab.c, langgraph.c,
** check.c); this file holds
** only the table of registrations.  Per-connection state (CfConn) is owned
** by the chatflow_statement_cache module and freed with the connection.
** Registration stops at the first failure and reports it in *pzErrMsg.
**
** Built with -DSQLITE_CORE into dist/libchatflow.a, the same entry point
** serves embedders: sqlite3_auto_extension((void (*)(void))sqlite3_chatflow_init).
*/
#include "chatflow_int.h"
#ifndef SQLITE_CORE
SQLITE_EXTENSION_INIT1
#endif

#include <string.h>

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_chatflow_init(sqlite3 *db, char **pzErrMsg, const sqlite3_api_routines *pApi) {
  static int (*const aRegister[])(sqlite3 *, CfConn *) = {
    cfRegisterSchema, cfRegisterConversations, cfRegisterMessages, cfRegisterDrafts,
    cfRegisterRuns,   cfRegisterHistory,       cfRegisterInterrupt,
    cfRegisterWorkflow, cfRegisterProvider, cfRegisterRetention, cfRegisterList, cfRegisterPage,
    cfRegisterSearch,   cfRegisterExport, cfRegisterIndex, cfRegisterUi,
    cfRegisterLanggraph, cfRegisterCheck, cfRegisterBranches,
  };
  CfConn *p;
  int rc;
#ifndef SQLITE_CORE
  SQLITE_EXTENSION_INIT2(pApi);
#else
  (void)pApi;
#endif
  if (sqlite3_libversion_number() < 3037000) {
    if (pzErrMsg) {
      *pzErrMsg = sqlite3_mprintf("chatflow: needs SQLite 3.37.0 or newer, this is %s",
                                  sqlite3_libversion());
    }
    return SQLITE_ERROR;
  }
  p = sqlite3_malloc(sizeof(*p));
  if (p == 0) return SQLITE_NOMEM;
  memset(p, 0, sizeof(*p));
  p->db = db;
  /* The guard module owns p from here on, even if a later step fails. */
  rc = cfRegisterGuard(db, p);
  for (size_t i = 0; rc == SQLITE_OK && i < sizeof(aRegister) / sizeof(aRegister[0]); i++) {
    rc = aRegister[i](db, p);
  }
  if (rc != SQLITE_OK && pzErrMsg) {
    *pzErrMsg = sqlite3_mprintf("chatflow: registration failed: %s", sqlite3_errstr(rc));
  }
  return rc;
}
