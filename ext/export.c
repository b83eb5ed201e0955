/*
** export.c — a conversation as one JSON document, back into a database,
** and forked at a message.
**
**   export_conversation(id [, format])                  -> JSON text
**   import_conversation(owner, json [, options_json])   -> new conversation id
**   fork_conversation(id [, at_seq [, options_json]])   -> new conversation id
**
** Example:
**   SELECT import_conversation('acme', export_conversation(1));  -- a copy of 1
**   SELECT export_conversation(1, 'openai');  -- [{"role":"user","content":"hi"}, ...]
**   SELECT fork_conversation(1, 4);           -- messages 1..4 in a new conversation
**
** export_conversation, format 'chatflow' (the default):
**   {"format": "chatflow.conversation.v1",
**    "conversation": {every column of chat_conversations},
**    "messages": [{every column of chat_messages}, ... by seq],
**    "runs": [{every column of workflow_runs,
**              "events": [{every column of workflow_run_events}, ... by id],
**              "proposals": [{every column of workflow_proposals}, ... by id]},
**             ... by id]}
** JSON columns (context, metadata, parts, attachments, state,
** business_context, clarifications, detail, validation) are embedded as
** JSON, not as strings.  The document is built by SQLite's json_object and
** json_group_array in one statement, so it is one consistent snapshot.
** Format 'openai' is chat_history_json(id): every message of the current
** branch (message trees) by seq as an OpenAI chat messages array, tool
** calls and results included.  Deleted conversations export
** too (a last copy before purge_conversation); workflow_interrupts
** checkpoints (blobs) are not part of the document.
**
** import_conversation validates the document while it writes, in one
** SAVEPOINT, and on any error writes nothing.  It creates a conversation of
** the given owner with a new uid (or options.uid), keeping the exported key
** unless the owner already has a conversation with that key (an error);
** then the runs (any status, with their events and proposals), then the
** messages (seq, uid, run_id, type, tokens, workflow_step, created_at ...
** as exported; a message without uid gets a random one).  Ids are new:
** runs get fresh ids and the messages' run_id is remapped to them, and so
** are the messages' parent_id and the conversation's current_leaf_id.  Derived values are not read from the document but
** rebuilt by the schema's triggers from the rows: message_count,
** total_tokens, last_message_at, last_message_preview (last_seq is raised to
** the exported value, because seq is never reused after retention deleted
** the newest messages).  forked_from_id names a row of the exporting
** database and is not carried over; forked_at_seq is.  So
** export -> import -> export gives the same document apart from every id
** and *_id field and the conversation's uid.
**   Accepted fields are exactly the exported ones (an unknown field is an
** error, so that a typo is not silently dropped); "id" (but a message's:
** the key its children's parent_id names), the conversation's "uid",
** "owner", "conversation_id", "run_id" of events and proposals and the
** derived counters (and "branched") are accepted and ignored.  Required: format, conversation,
** messages[i].role, runs[i].workflow and status, events[i].to_status,
** proposals[i].kind and proposed_name; a message needs content or parts.
** A member given twice in one object is an error; an integer member takes
** an integer-valued real (4.0) and refuses one beyond 64 bits.  The
** conversation's key, title, model and agent have create_conversation's
** limits (cfTextLimitError); a run's events, when given, must be a log it
** could have written (cfImportEventsCheck).
** Everything else takes the default a raw INSERT would get (timestamps: the
** connection clock).  Messages must come in increasing seq order.  A
** timestamp member is read as every timestamp a caller gives
** (cfParseTimestamp: RFC 3339, any offset and fraction) and stored in the
** canonical form: export writes that form, and a document made by hand or
** by another tool may carry Python's or Go's times.
**   The schema's rules hold for the imported rows as for any other: a run
** of an unknown workflow, a step that is not the workflow's, two active
** runs, an over-long title or content fail, each error naming the place in
** the document: "chatflow: import: messages[3].role must be text, got
** integer", "chatflow: import: runs[0]: unknown workflow for run".
**   A run's "checkpoint" is the data of its run_<id> row of
** workflow_interrupts as base64 (chatflow_base64, registered here: a pure
** function), or null; the import decodes it and saves it as run_<new id>
** ("chatflow: import: runs[0].checkpoint is not base64"; the schema
** refuses it for a run that has ended).
**   How a run is restored: it is inserted with its exported status and
** fields; the schema's insert trigger logs a "(new) -> status" event, which
** is replaced by the exported events.  Proposals can only be added to an
** active run (a trigger), so a finished run that has proposals is inserted
** as started, given its proposals and then moved to its final status, its
** completed_at, lease and updated_at restored (and, when the document has
** no "events" for it, given the one "(new) -> status" event a raw INSERT
** logs).  Active runs are inserted last, so that this never meets the
** one-active-run rule.
**
** fork_conversation creates a conversation of the same owner with the
** source's title, visibility, model, agent, context and metadata, no key,
** a new uid (or options.uid), forked_from_id = the source and forked_at_seq
** = at_seq (default: the source's last seq), and copies the messages with
** seq <= at_seq keeping seq, role, type, content, parts, attachments,
** metadata, tokens and created_at, one at a time so that each copy's
** parent is the copy of the original's parent (every branch keeps its
** shape); the fork's current leaf is the copy of the deepest message of
** the source's current branch at or before at_seq.  Runs are not copied,
** so the copies have no run_id and no workflow_step.
**
** Message trees in the document: each message's parent_id is the exported
** id of an earlier message of the document (null: a first message), the
** conversation's current_leaf_id one of them; the import maps both to the
** new ids, and a document without them (0.1's) becomes one chain.
** ("messages[2].parent_id 9 names no earlier message of the document",
** "messages[2].id 4 is the id of an earlier message of the document").
**
** One file past 600 lines because a conversation's way out and back in is
** one concept: the document's shape is written here and read here.
**
** Limits: the document is data, not an options argument, so it is bounded
** by SQLite's own limits (SQLITE_LIMIT_LENGTH, its JSON parser's depth),
** not by the 1 MiB JSON argument limit; each row still meets the schema's
** (content limit, title length, JSON CHECKs).  Cost: one insert per row,
** about what add_message costs per message.
**
** NULL input: a NULL id, owner or document is an error; a NULL format is
** the default 'chatflow', a NULL at_seq means every message, NULL options
** are no options.  Errors: "chatflow: unknown export format 'x' (expected
** chatflow, openai)", "chatflow: unknown conversation 9", "chatflow:
** conversation 3 is deleted; restore_conversation(3) first" (fork),
** "chatflow: at_seq 9 is beyond the last seq 5 of conversation 1", malformed
** JSON, a wrong format marker, wrong shapes, a taken key or uid.
**
** Flags: export_conversation only reads (SQLITE_INNOCUOUS, not
** deterministic: the answer follows the data).  import_conversation and
** fork_conversation write (SQLITE_DIRECTONLY); each works in one SAVEPOINT
** and takes the write lock before it reads.
*/
#include "chatflow_int.h"

#include <string.h>

#define CF_EXPORT_FORMAT "chatflow.conversation.v1"

/* ---------------------------------------------------------------- export */

/* One object per row, built in SQL; JSON columns go through json() so that
** they are embedded, and every json_group_array reads an ordered subquery. */
static const char cfExportSql[] =
    "SELECT json_object('format', '" CF_EXPORT_FORMAT "',"
    " 'conversation', json_object('id', c.id, 'uid', c.uid, 'owner', c.owner, 'key', c.key,"
    "   'title', c.title, 'visibility', c.visibility, 'model', c.model, 'agent', c.agent,"
    "   'context', json(c.context), 'metadata', json(c.metadata), 'pinned_at', c.pinned_at,"
    "   'archived_at', c.archived_at, 'deleted_at', c.deleted_at, 'created_at', c.created_at,"
    "   'updated_at', c.updated_at, 'message_count', c.message_count, 'last_seq', c.last_seq,"
    "   'total_tokens', c.total_tokens, 'last_message_at', c.last_message_at,"
    "   'last_message_preview', chatflow_preview((SELECT " CF_PREVIEW_TEXT("pm") " FROM chat_messages AS pm"
    "     WHERE pm.id = c.current_leaf_id)),"
    "   'forked_from_id', c.forked_from_id,"
    "   'forked_at_seq', c.forked_at_seq, 'current_leaf_id', c.current_leaf_id,"
    "   'branched', c.branched),"
    " 'messages', json((SELECT json_group_array(json(m.o)) FROM ("
    "   SELECT json_object('id', id, 'conversation_id', conversation_id, 'seq', seq,"
    "     'run_id', run_id, 'role', role, 'type', type, 'content', content,"
    "     'parts', json(parts), 'attachments', json(attachments), 'workflow_step', workflow_step,"
    "     'metadata', json(metadata), 'tokens', tokens, 'created_at', created_at, 'uid', uid,"
    "     'parent_id', parent_id, 'status', status, 'streamed_at', streamed_at) AS o"
    "     FROM chat_messages WHERE conversation_id = c.id ORDER BY seq) AS m)),"
    " 'runs', json((SELECT json_group_array(json(r.o)) FROM ("
    "   SELECT json_object('id', w.id, 'conversation_id', w.conversation_id,"
    "     'workflow', w.workflow, 'status', w.status, 'current_step', w.current_step,"
    "     'state', json(w.state), 'business_context', json(w.business_context),"
    "     'clarifications', json(w.clarifications), 'error', w.error,"
    "     'lease_expires_at', w.lease_expires_at, 'started_at', w.started_at,"
    "     'completed_at', w.completed_at, 'created_at', w.created_at, 'updated_at', w.updated_at,"
    "     'awaiting_ttl_seconds', w.awaiting_ttl_seconds, 'expires_at', w.expires_at, 'uid', w.uid,"
    "     'events', json((SELECT json_group_array(json(e.o)) FROM ("
    "       SELECT json_object('id', id, 'run_id', run_id, 'from_status', from_status,"
    "         'to_status', to_status, 'from_step', from_step, 'to_step', to_step,"
    "         'detail', json(detail), 'created_at', created_at) AS o"
    "         FROM workflow_run_events WHERE run_id = w.id ORDER BY id) AS e)),"
    "     'checkpoint', (SELECT chatflow_base64(i.data) FROM workflow_interrupts AS i"
    "                     WHERE i.workflow_id = 'run_' || w.id),"
    "     'checkpoint_type', (SELECT CASE typeof(i.data) WHEN 'text' THEN 'text' ELSE 'blob' END"
    "                     FROM workflow_interrupts AS i WHERE i.workflow_id = 'run_' || w.id),"
    "     'proposals', json((SELECT json_group_array(json(q.o)) FROM ("
    "       SELECT json_object('id', id, 'run_id', run_id, 'kind', kind,"
    "         'proposed_name', proposed_name, 'approved_name', approved_name,"
    "         'rationale', rationale, 'user_approved', user_approved, 'approved_at', approved_at,"
    "         'validated', validated, 'validated_at', validated_at,"
    "         'validation', json(validation), 'ref', ref, 'created_at', created_at,"
    "         'rejected_at', rejected_at, 'rejection_reason', rejection_reason) AS o"
    "         FROM workflow_proposals WHERE run_id = w.id ORDER BY id) AS q))) AS o"
    "     FROM workflow_runs AS w WHERE w.conversation_id = c.id ORDER BY w.id) AS r)))"
    " FROM chat_conversations AS c WHERE c.id = ?1";

static const char cfExportOpenaiSql[] =
    "SELECT chat_history_json(c.id) FROM chat_conversations AS c WHERE c.id = ?1";

static void cfExportFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iConv;
  const char *zFormat = 0;
  const char *zSql = cfExportSql;
  sqlite3_stmt *pStmt = 0;
  int rc;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (argc > 1 && cfArgText(ctx, argv[1], "export format", 64, 1, 1, &zFormat)) return;
  if (zFormat && strcmp(zFormat, "openai") == 0) {
    zSql = cfExportOpenaiSql;
  } else if (zFormat && strcmp(zFormat, "chatflow") != 0) {
    cfResultError(ctx, "chatflow: unknown export format '%q' (expected chatflow, openai)", zFormat);
    return;
  }
  if (cfSchemaResult(ctx, p)) {
    return;
  }
  rc = cfStmtText(p, zSql, &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iConv);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      if (sqlite3_column_type(pStmt, 0) != SQLITE_NULL) {
        cfResultUtf8(ctx, (const char *)sqlite3_column_text(pStmt, 0), sqlite3_column_bytes(pStmt, 0),
                         SQLITE_TRANSIENT);
      }
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      cfResultError(ctx, "chatflow: unknown conversation %lld", iConv);
      rc = SQLITE_OK;
    }
  }
  if (rc != SQLITE_OK) cfResultErrorFromDb(ctx, p->db, rc);
  cfStmtDone(p, pStmt);
}

/* ------------------------------------------------------- reading a document */

/* What a field of the document may hold. */
enum {
  CF_IK_SKIP = 0, /* accepted, any value, not used */
  CF_IK_TEXT,     /* a string */
  CF_IK_INT,      /* an integer */
  CF_IK_BOOL,     /* true, false, 0 or 1: stored as 1 / 0 */
  CF_IK_OBJECT,   /* an object: stored as its JSON text */
  CF_IK_ARRAY,    /* an array: stored as its JSON text */
  CF_IK_JSON,     /* any JSON value: stored as its JSON text */
  CF_IK_TIME      /* a timestamp string: stored in the canonical form */
};

typedef struct CfField {
  const char *zName;
  unsigned char eKind; /* CF_IK_* */
  unsigned char bNull; /* JSON null accepted (stored as NULL) */
  unsigned char bReq;  /* must be present */
  unsigned char bPart; /* a part of the document, read further; else a
                       ** JSON kind is stored, and nests 32 levels at most
                       ** as a JSON argument does */
} CfField;

/* The value of one field, as it will be bound; param number = index + 1. */
typedef struct CfCell {
  int bPresent;    /* the field was in the object (null counts) */
  int eType;       /* SQLITE_NULL, SQLITE_INTEGER or SQLITE_TEXT */
  sqlite3_int64 i;
  char *z;         /* sqlite3_malloc'd */
  int n;
} CfCell;

#define CF_IMPORT_MAX_FIELDS 24

/* Parameters every insert shares, above the field numbers. */
#define CF_P_PARENT 30 /* the new conversation or run id */
#define CF_P_EXTRA 31  /* uid / the run's new id / the message's new run_id */
#define CF_P_NOW 32    /* the connection clock */
#define CF_P_STATUS 33 /* the status a run is inserted with */

typedef struct CfImport {
  CfConn *p;
  char zNow[CF_TIMESTAMP_LEN + 1];
  sqlite3_stmt *pFields;      /* the members of one object */
  char *zErr;                 /* the error, sqlite3_malloc'd */
  sqlite3_int64 iConv;        /* the new conversation */
  sqlite3_int64 iRunBase;     /* run ids are given above it (cfImportRunId) */
  int nRun;
  sqlite3_int64 *aRunOld;     /* exported id of each run (when it had one) */
  unsigned char *aRunHasId;
  unsigned char *aRunActive;
  int bAnyActive;             /* the document has an active run */
  int nMsg, nMsgAlloc;
  sqlite3_int64 *aMsgOld;     /* exported id of each message that had one, */
  sqlite3_int64 *aMsgNew;     /* and its new id */
} CfImport;

/* The new id of the document's message with exported id iOld, or 0.
** Searched from the newest: a parent is most often the message before. */
static sqlite3_int64 cfImportMsgId(const CfImport *pI, sqlite3_int64 iOld) {
  for (int i = pI->nMsg - 1; i >= 0; i--) {
    if (pI->aMsgOld[i] == iOld) return pI->aMsgNew[i];
  }
  return 0;
}

static int cfImportMsgAdd(CfImport *pI, sqlite3_int64 iOld, sqlite3_int64 iNew) {
  /* (duplicates are refused before the insert: cfImportMessages) */
  if (pI->nMsg == pI->nMsgAlloc) {
    int n = pI->nMsgAlloc ? pI->nMsgAlloc * 2 : 16;
    sqlite3_int64 *aOld = sqlite3_realloc64(pI->aMsgOld, sizeof(sqlite3_int64) * (sqlite3_uint64)n);
    if (aOld == 0) return SQLITE_NOMEM;
    pI->aMsgOld = aOld;
    sqlite3_int64 *aNew = sqlite3_realloc64(pI->aMsgNew, sizeof(sqlite3_int64) * (sqlite3_uint64)n);
    if (aNew == 0) return SQLITE_NOMEM;
    pI->aMsgNew = aNew;
    pI->nMsgAlloc = n;
  }
  pI->aMsgOld[pI->nMsg] = iOld;
  pI->aMsgNew[pI->nMsg++] = iNew;
  return SQLITE_OK;
}

static void cfCellsFree(CfCell *a, int n) {
  for (int i = 0; i < n; i++) sqlite3_free(a[i].z);
  memset(a, 0, sizeof(*a) * (size_t)n);
}

static int cfCellText(CfCell *pCell, const char *z, int n) {
  pCell->z = sqlite3_malloc(n + 1);
  if (pCell->z == 0) return SQLITE_NOMEM;
  if (n) memcpy(pCell->z, z, (size_t)n);
  pCell->z[n] = 0;
  pCell->n = n;
  pCell->eType = SQLITE_TEXT;
  return SQLITE_OK;
}

static void cfCellsBind(sqlite3_stmt *pStmt, const CfCell *a, int n) {
  for (int i = 0; i < n; i++) {
    if (a[i].eType == SQLITE_INTEGER) sqlite3_bind_int64(pStmt, i + 1, a[i].i);
    else if (a[i].eType == SQLITE_TEXT) sqlite3_bind_text(pStmt, i + 1, a[i].z, a[i].n, SQLITE_STATIC);
    else sqlite3_bind_null(pStmt, i + 1);
  }
}

static const char *cfKindName(int eKind) {
  switch (eKind) {
    case CF_IK_TEXT: return "text";
    case CF_IK_INT: return "an integer";
    case CF_IK_BOOL: return "true, false, 0 or 1";
    case CF_IK_OBJECT: return "an object";
    case CF_IK_ARRAY: return "an array";
    case CF_IK_TIME: return "a timestamp";
  }
  return "JSON";
}

/* Sets the import error "chatflow: import: <zFmt...>"; returns SQLITE_ERROR. */
static int cfImportError(CfImport *pI, const char *zFmt, ...) {
  va_list ap;
  char *z;
  va_start(ap, zFmt);
  z = sqlite3_vmprintf(zFmt, ap);
  va_end(ap);
  sqlite3_free(pI->zErr);
  pI->zErr = z ? sqlite3_mprintf("chatflow: import: %z", z) : 0;
  return pI->zErr ? SQLITE_ERROR : SQLITE_NOMEM;
}

/* A failed write for the element at zPath: the schema's message, prefixed
** with where in the document the row came from.  Lock and memory errors
** pass through unchanged. */
static int cfImportDbError(CfImport *pI, int rc, const char *zPath) {
  const char *zMsg = sqlite3_errmsg(pI->p->db);
  int e = rc & 0xff;
  if (e == SQLITE_BUSY || e == SQLITE_LOCKED || e == SQLITE_NOMEM || e == SQLITE_TOOBIG ||
      zMsg == 0) {
    return rc;
  }
  if (e == SQLITE_CONSTRAINT && cfJsonCheckFailed(zMsg)) {
    /* every member was read and type-checked from a strictly validated
    ** document (see cfJsonCheckFailed) */
    return SQLITE_NOMEM;
  }
  if (strncmp(zMsg, "chatflow: ", 10) == 0) zMsg += 10;
  cfImportError(pI, "%s: %s", zPath, zMsg);
  return rc;
}

/* Steps an iteration: 1 with a row, 0 at the end, or sets *pRc. */
static int cfImportNext(sqlite3_stmt *pIter, int *pRc) {
  int e;
  if (*pRc != SQLITE_OK) return 0;
  e = sqlite3_step(pIter);
  if (e == SQLITE_ROW) return 1;
  if (e != SQLITE_DONE) *pRc = e;
  return 0;
}

/* Reads the members of the JSON object zJson (the element at zPath) into
** aCell by aField: unknown members, wrong types and missing required ones
** are errors naming the member. */
static int cfImportRead(CfImport *pI, const char *zJson, int nJson, const char *zPath,
                        const CfField *aField, int nField, CfCell *aCell) {
  sqlite3_stmt *pStmt;
  int rc = SQLITE_OK;
  const char *zDot = zPath[0] ? "." : "";
  memset(aCell, 0, sizeof(*aCell) * (size_t)nField);
  if (pI->pFields == 0) {
    rc = sqlite3_prepare_v2(
        pI->p->db,
        "SELECT key, type, value, CASE type WHEN 'null' THEN NULL WHEN 'true' THEN 'true'"
        " WHEN 'false' THEN 'false' WHEN 'text' THEN json_quote(value)"
        " ELSE CAST(value AS TEXT) END FROM json_each(?1)",
        -1, &pI->pFields, 0);
    if (rc != SQLITE_OK) return rc;
  }
  pStmt = pI->pFields;
  sqlite3_bind_text(pStmt, 1, zJson, nJson, SQLITE_STATIC);
  while (cfImportNext(pStmt, &rc)) {
    const char *zKey = (const char *)sqlite3_column_text(pStmt, 0);
    const char *zType = (const char *)sqlite3_column_text(pStmt, 1);
    CfCell *pCell;
    sqlite3_int64 iInt = 0;
    int i, eKind, bOk;
    if (zKey == 0 || zType == 0) { rc = SQLITE_NOMEM; break; }
    for (i = 0; i < nField; i++) {
      if (strcmp(aField[i].zName, zKey) == 0) break;
    }
    if (i == nField) {
      rc = cfImportError(pI, "%s has an unknown field '%q'", zPath[0] ? zPath : "the document",
                         zKey);
      break;
    }
    pCell = &aCell[i];
    eKind = aField[i].eKind;
    if (pCell->bPresent) {
      /* JSON leaves a repeated key to the reader (RFC 8259): refused, as
      ** chatflow's options refuse it, not "the last one counts" */
      rc = cfImportError(pI, "%s has the field '%q' twice", zPath[0] ? zPath : "the document", zKey);
      break;
    }
    pCell->bPresent = 1;
    pCell->eType = SQLITE_NULL;
    if (eKind == CF_IK_SKIP) continue;
    if (strcmp(zType, "null") == 0) {
      if (!aField[i].bNull) {
        rc = cfImportError(pI, "%s%s%s must be %s, got null", zPath, zDot, zKey, cfKindName(eKind));
      }
      continue;
    }
    switch (eKind) {
      case CF_IK_TEXT: bOk = strcmp(zType, "text") == 0; break;
      case CF_IK_TIME: bOk = strcmp(zType, "text") == 0; break;
      case CF_IK_INT:
      case CF_IK_BOOL:
        /* an integer, or an integer-valued real (4.0: what SQLite's
        ** json_object writes for a number a JavaScript binding bound);
        ** beyond 64 bits SQLite gives a real, refused below rather than
        ** clamped to a value the document never held */
        if (strcmp(zType, "integer") == 0 && sqlite3_column_type(pStmt, 2) != SQLITE_INTEGER) {
          rc = cfImportError(pI, "%s%s%s is an integer beyond 64 bits", zPath, zDot, zKey);
          break;
        }
        bOk = (strcmp(zType, "integer") == 0 || strcmp(zType, "real") == 0) &&
              cfJsonValueInteger(sqlite3_column_value(pStmt, 2), &iInt);
        if (eKind == CF_IK_BOOL) {
          bOk = strcmp(zType, "true") == 0 || strcmp(zType, "false") == 0 || (bOk && (iInt & ~1) == 0);
        }
        break;
      case CF_IK_OBJECT: bOk = strcmp(zType, "object") == 0; break;
      case CF_IK_ARRAY: bOk = strcmp(zType, "array") == 0; break;
      default: bOk = 1; break;
    }
    if (rc != SQLITE_OK) break;
    if (!bOk) {
      rc = cfImportError(pI, "%s%s%s must be %s%s, got %s", zPath, zDot, zKey, cfKindName(eKind),
                         aField[i].bNull ? " or null" : "",
                         eKind == CF_IK_INT && strcmp(zType, "real") == 0
                             ? cfJsonIntegerGot(sqlite3_column_value(pStmt, 2))
                             : cfJsonTypeName(zType));
      break;
    }
    if (eKind == CF_IK_INT || eKind == CF_IK_BOOL) {
      pCell->eType = SQLITE_INTEGER;
      pCell->i = zType[0] == 't' ? 1 : zType[0] == 'f' ? 0 : iInt;
    } else if (eKind == CF_IK_TIME) {
      char zTime[CF_TIMESTAMP_LEN + 1];
      const char *z = (const char *)sqlite3_column_text(pStmt, 2);
      if (z == 0) { rc = SQLITE_NOMEM; break; }
      if (cfParseTimestamp(z, zTime)) {
        rc = cfImportError(pI, "%s%s%s must be a timestamp YYYY-MM-DDTHH:MM:SS.sssZ, got '%q'",
                           zPath, zDot, zKey, z);
        break;
      }
      rc = cfCellText(pCell, zTime, CF_TIMESTAMP_LEN);
    } else {
      int iCol = eKind == CF_IK_TEXT ? 2 : 3;
      const char *z = (const char *)sqlite3_column_text(pStmt, iCol);
      int n = sqlite3_column_bytes(pStmt, iCol);
      if (z == 0) { rc = SQLITE_NOMEM; break; }
      /* A string's escapes are decoded here (json_each); cfImportCheckDoc
      ** has refused \u0000 and lone surrogates: a second line of defence. */
      if (eKind == CF_IK_TEXT && memchr(z, 0, (size_t)n)) {
        rc = cfImportError(pI, "%s%s%s contains a NUL character", zPath, zDot, zKey);
        break;
      }
      if (eKind == CF_IK_TEXT && !cfUtf8Valid((const unsigned char *)z, n)) {
        rc = cfImportError(pI, "%s%s%s is not valid UTF-8 (a lone surrogate?)", zPath, zDot, zKey);
        break;
      }
      if (eKind != CF_IK_TEXT && !aField[i].bPart && cfJsonDepth(z, n) > CF_MAX_JSON_DEPTH) {
        rc = cfImportError(pI, "%s%s%s nests deeper than %d levels", zPath, zDot, zKey, CF_MAX_JSON_DEPTH);
        break;
      }
      if (eKind != CF_IK_TEXT && !aField[i].bPart) {
        /* a key twice in one object, at any depth: refused as chatflow's
        ** options refuse it (SQLite reads the first, most readers the
        ** last), so that an import stores no JSON add_message would not */
        char zWhat[160];
        char *zErr = 0;
        sqlite3_snprintf((int)sizeof(zWhat), zWhat, "import: %s%s%s", zPath, zDot, zKey);
        if (n <= CF_MAX_JSON_BYTES) {
          rc = cfJsonCheckAs(pI->p, z, n, zWhat, &zErr);
        } else {
          /* larger than an argument may be (a run's state grows by
          ** merges): SQLite compares the keys, decoded */
          sqlite3_stmt *pDup = 0;
          rc = cfStmtText(pI->p,
                          "SELECT key FROM json_tree(?1) WHERE typeof(key) = 'text'"
                          " GROUP BY parent, key HAVING count(*) > 1 LIMIT 1", &pDup);
          if (rc == SQLITE_OK) {
            sqlite3_bind_text(pDup, 1, z, n, SQLITE_STATIC);
            rc = sqlite3_step(pDup);
            if (rc == SQLITE_ROW) {
              const char *zDupKey = (const char *)sqlite3_column_text(pDup, 0);
              int nDupKey = sqlite3_column_bytes(pDup, 0);
              if (nDupKey > 40) { /* at most 40 bytes, cut between characters */
                nDupKey = 40;
                while (nDupKey > 0 && zDupKey && (zDupKey[nDupKey] & 0xc0) == 0x80) nDupKey--;
              }
              zErr = zDupKey ? sqlite3_mprintf("chatflow: %s has the key \"%.*s\" twice in one object", zWhat,
                                               nDupKey, zDupKey)
                             : 0;
              rc = zErr ? SQLITE_ERROR : SQLITE_NOMEM;
            } else if (rc == SQLITE_DONE) {
              rc = SQLITE_OK;
            }
          }
          cfStmtDone(pI->p, pDup);
        }
        if (zErr) {
          sqlite3_free(pI->zErr);
          pI->zErr = zErr;
        }
        if (rc != SQLITE_OK) break;
      }
      rc = cfCellText(pCell, z, n);
    }
  }
  sqlite3_reset(pStmt);
  sqlite3_clear_bindings(pStmt);
  for (int i = 0; rc == SQLITE_OK && i < nField; i++) {
    if (aField[i].bReq && !aCell[i].bPresent) {
      rc = cfImportError(pI, "%s%s%s is missing", zPath, zDot, aField[i].zName);
    }
  }
  if (rc != SQLITE_OK) cfCellsFree(aCell, nField);
  return rc;
}

/* Prepares the iteration over the JSON array zArr: rows (key, type, value). */
static int cfImportIter(CfImport *pI, const char *zArr, int nArr, sqlite3_stmt **ppStmt) {
  int rc = sqlite3_prepare_v2(pI->p->db, "SELECT key, type, value FROM json_each(?1)", -1, ppStmt,
                              0);
  if (rc == SQLITE_OK) sqlite3_bind_text(*ppStmt, 1, zArr, nArr, SQLITE_STATIC);
  return rc;
}

/* Checks that the current row of an iteration is an object; names it. */
static int cfImportElement(CfImport *pI, sqlite3_stmt *pIter, const char *zArray, char *zPath,
                           int nPath) {
  const char *zType = (const char *)sqlite3_column_text(pIter, 1);
  sqlite3_snprintf(nPath, zPath, "%s[%lld]", zArray, sqlite3_column_int64(pIter, 0));
  if (zType == 0) return SQLITE_NOMEM;
  if (strcmp(zType, "object") != 0) {
    return cfImportError(pI, "%s must be an object, got %s", zPath, cfJsonTypeName(zType));
  }
  return SQLITE_OK;
}

/* Runs a prepared write, reporting a failure for the element at zPath. */
static int cfImportStep(CfImport *pI, sqlite3_stmt *pStmt, const char *zPath) {
  int rc = cfStepOnce(pStmt);
  if (rc != SQLITE_OK) rc = cfImportDbError(pI, rc, zPath);
  sqlite3_reset(pStmt);
  return rc;
}

/* ------------------------------------------------------------ the fields */

enum { TOP_FORMAT, TOP_CONVERSATION, TOP_MESSAGES, TOP_RUNS, TOP_N };
static const CfField aTopField[TOP_N] = {
  {"format", CF_IK_TEXT, 0, 1},
  {"conversation", CF_IK_OBJECT, 0, 1, 1},
  {"messages", CF_IK_ARRAY, 0, 0, 1},
  {"runs", CF_IK_ARRAY, 0, 0, 1},
};

enum { CV_ID, CV_UID, CV_OWNER, CV_KEY, CV_TITLE, CV_VISIBILITY, CV_MODEL, CV_AGENT, CV_CONTEXT,
       CV_METADATA, CV_PINNED_AT, CV_ARCHIVED_AT, CV_DELETED_AT, CV_CREATED_AT, CV_UPDATED_AT,
       CV_MESSAGE_COUNT, CV_LAST_SEQ, CV_TOTAL_TOKENS, CV_LAST_MESSAGE_AT, CV_PREVIEW,
       CV_FORKED_FROM_ID, CV_FORKED_AT_SEQ, CV_CURRENT_LEAF_ID, CV_BRANCHED, CV_N };
static const CfField aConvField[CV_N] = {
  {"id", CF_IK_SKIP, 1, 0},           {"uid", CF_IK_SKIP, 1, 0},
  {"owner", CF_IK_SKIP, 1, 0},        {"key", CF_IK_TEXT, 1, 0},
  {"title", CF_IK_TEXT, 1, 0},        {"visibility", CF_IK_TEXT, 0, 0},
  {"model", CF_IK_TEXT, 1, 0},        {"agent", CF_IK_TEXT, 1, 0},
  {"context", CF_IK_OBJECT, 0, 0},    {"metadata", CF_IK_OBJECT, 0, 0},
  {"pinned_at", CF_IK_TIME, 1, 0},    {"archived_at", CF_IK_TIME, 1, 0},
  {"deleted_at", CF_IK_TIME, 1, 0},   {"created_at", CF_IK_TIME, 0, 0},
  {"updated_at", CF_IK_TIME, 0, 0},   {"message_count", CF_IK_SKIP, 1, 0},
  {"last_seq", CF_IK_INT, 0, 0},      {"total_tokens", CF_IK_SKIP, 1, 0},
  {"last_message_at", CF_IK_SKIP, 1, 0}, {"last_message_preview", CF_IK_SKIP, 1, 0},
  {"forked_from_id", CF_IK_SKIP, 1, 0}, {"forked_at_seq", CF_IK_INT, 1, 0},
  {"current_leaf_id", CF_IK_INT, 1, 0}, {"branched", CF_IK_SKIP, 1, 0},
};
/* ?N is field N-1 (CV_*), see CF_P_*.  deleted_at (?13) is set last: a
** deleted conversation takes no messages or runs. */
static const char cfConvInsertSql[] =
    "INSERT INTO chat_conversations (owner, uid, key, title, visibility, model, agent, context,"
    " metadata, pinned_at, archived_at, deleted_at, created_at, updated_at, forked_at_seq)"
    " VALUES (?30, coalesce(?31, lower(hex(randomblob(16)))), ?4, ?5, coalesce(?6, 'private'),"
    " ?7, ?8, coalesce(?9, '{}'), coalesce(?10, '{}'), ?11, ?12, NULL, coalesce(?14, ?32),"
    " coalesce(?15, ?14, ?32), ?22)";

enum { MS_ID, MS_CONVERSATION_ID, MS_SEQ, MS_RUN_ID, MS_ROLE, MS_TYPE, MS_CONTENT, MS_PARTS,
       MS_ATTACHMENTS, MS_WORKFLOW_STEP, MS_METADATA, MS_TOKENS, MS_CREATED_AT, MS_UID,
       MS_PARENT_ID, MS_STATUS, MS_STREAMED_AT, MS_N };
static const CfField aMsgField[MS_N] = {
  {"id", CF_IK_INT, 1, 0},            {"conversation_id", CF_IK_SKIP, 1, 0},
  {"seq", CF_IK_INT, 0, 0},           {"run_id", CF_IK_INT, 1, 0},
  {"role", CF_IK_TEXT, 0, 1},         {"type", CF_IK_TEXT, 1, 0},
  {"content", CF_IK_TEXT, 1, 0},      {"parts", CF_IK_ARRAY, 1, 0},
  {"attachments", CF_IK_ARRAY, 1, 0}, {"workflow_step", CF_IK_TEXT, 1, 0},
  {"metadata", CF_IK_OBJECT, 1, 0},   {"tokens", CF_IK_INT, 1, 0},
  {"created_at", CF_IK_TIME, 0, 0},   {"uid", CF_IK_TEXT, 1, 0},
  {"parent_id", CF_IK_INT, 1, 0},
  {"status", CF_IK_TEXT, 0, 0},       {"streamed_at", CF_IK_TIME, 1, 0},
};
/* uid: the exported one (a UIMessage id stays the same), else the random
** default of the schema's column, written out.  parent_id (?34): the new id
** of the exported parent, 0 for none, NULL (the field absent, as in
** documents of 0.1) for the message before it. */
#define CF_P_MSG_PARENT 34
/* status (?16): a draft that was streaming when exported is imported as
** aborted (nobody appends to the copy), metadata.abort_reason 'imported
** while streaming', its tokens estimated by the schema (docs/drafts.md). */
static const char cfMsgInsertSql[] =
    "INSERT INTO chat_messages (conversation_id, seq, run_id, role, type, content, parts,"
    " attachments, workflow_step, metadata, tokens, created_at, uid, parent_id, status, streamed_at)"
    " VALUES (?30, ?3, ?31, ?5, ?6, coalesce(?7, ''), ?8, ?9, ?10,"
    " CASE WHEN ?16 IS 'streaming' THEN json_set(coalesce(?11, '{}'), '$.abort_reason', 'imported while streaming')"
    "      ELSE ?11 END,"
    " CASE WHEN ?16 IS 'streaming' THEN NULL ELSE ?12 END, coalesce(?13, ?32),"
    " coalesce(?14, lower(hex(randomblob(16)))), ?34,"
    " CASE WHEN ?16 IS 'streaming' THEN 'aborted' ELSE coalesce(?16, 'complete') END, ?17)";
/* The insert trigger attaches a message without run_id to the
** conversation's active run and copies its step: the exported values win. */
static const char cfMsgFixSql[] =
    "UPDATE chat_messages SET run_id = CASE WHEN ?4 THEN ?2 ELSE run_id END,"
    " workflow_step = CASE WHEN ?5 THEN ?3 ELSE workflow_step END"
    " WHERE id = ?1 AND ((?4 AND run_id IS NOT ?2) OR (?5 AND workflow_step IS NOT ?3))";

enum { RN_ID, RN_CONVERSATION_ID, RN_WORKFLOW, RN_STATUS, RN_CURRENT_STEP, RN_STATE,
       RN_BUSINESS_CONTEXT, RN_CLARIFICATIONS, RN_ERROR, RN_LEASE_EXPIRES_AT, RN_STARTED_AT,
       RN_COMPLETED_AT, RN_CREATED_AT, RN_UPDATED_AT, RN_EVENTS, RN_PROPOSALS, RN_CHECKPOINT,
       RN_AWAITING_TTL_SECONDS, RN_EXPIRES_AT, RN_UID, RN_CHECKPOINT_TYPE, RN_N };
static const CfField aRunField[RN_N] = {
  {"id", CF_IK_INT, 1, 0},                {"conversation_id", CF_IK_SKIP, 1, 0},
  {"workflow", CF_IK_TEXT, 0, 1},         {"status", CF_IK_TEXT, 0, 1},
  {"current_step", CF_IK_TEXT, 1, 0},     {"state", CF_IK_OBJECT, 0, 0},
  {"business_context", CF_IK_OBJECT, 0, 0}, {"clarifications", CF_IK_ARRAY, 0, 0},
  {"error", CF_IK_TEXT, 1, 0},            {"lease_expires_at", CF_IK_TIME, 1, 0},
  {"started_at", CF_IK_TIME, 0, 0},       {"completed_at", CF_IK_TIME, 1, 0},
  {"created_at", CF_IK_TIME, 0, 0},       {"updated_at", CF_IK_TIME, 0, 0},
  {"events", CF_IK_ARRAY, 0, 0, 1},          {"proposals", CF_IK_ARRAY, 0, 0, 1},
  {"checkpoint", CF_IK_TEXT, 1, 0},
  {"awaiting_ttl_seconds", CF_IK_INT, 1, 0}, {"expires_at", CF_IK_TIME, 1, 0},
  {"uid", CF_IK_TEXT, 1, 0},              {"checkpoint_type", CF_IK_TEXT, 1, 0},
};
static const char cfRunInsertSql[] =
    "INSERT INTO workflow_runs (id, conversation_id, workflow, status, current_step, state,"
    " business_context, clarifications, error, lease_expires_at, started_at, completed_at,"
    " created_at, updated_at, awaiting_ttl_seconds, expires_at, uid)"
    " VALUES (?31, ?30, ?3, ?33, ?5, coalesce(?6, '{}'), coalesce(?7, '{}'), coalesce(?8, '[]'),"
    " ?9, ?10, coalesce(?11, ?13, ?32), ?12, coalesce(?13, ?32), coalesce(?14, ?13, ?32), ?18, ?19, ?20)";

enum { EV_ID, EV_RUN_ID, EV_FROM_STATUS, EV_TO_STATUS, EV_FROM_STEP, EV_TO_STEP, EV_DETAIL,
       EV_CREATED_AT, EV_N };
static const CfField aEventField[EV_N] = {
  {"id", CF_IK_SKIP, 1, 0},          {"run_id", CF_IK_SKIP, 1, 0},
  {"from_status", CF_IK_TEXT, 1, 0}, {"to_status", CF_IK_TEXT, 0, 1},
  {"from_step", CF_IK_TEXT, 1, 0},   {"to_step", CF_IK_TEXT, 1, 0},
  {"detail", CF_IK_JSON, 1, 0},      {"created_at", CF_IK_TIME, 0, 0},
};
static const char cfEventInsertSql[] =
    "INSERT INTO workflow_run_events (run_id, from_status, to_status, from_step, to_step, detail,"
    " created_at) VALUES (?30, ?3, ?4, ?5, ?6, ?7, coalesce(?8, ?32))";

enum { PR_ID, PR_RUN_ID, PR_KIND, PR_PROPOSED_NAME, PR_APPROVED_NAME, PR_RATIONALE,
       PR_USER_APPROVED, PR_APPROVED_AT, PR_VALIDATED, PR_VALIDATED_AT, PR_VALIDATION, PR_REF,
       PR_CREATED_AT, PR_REJECTED_AT, PR_REJECTION_REASON, PR_N };
static const CfField aPropField[PR_N] = {
  {"id", CF_IK_SKIP, 1, 0},             {"run_id", CF_IK_SKIP, 1, 0},
  {"kind", CF_IK_TEXT, 0, 1},           {"proposed_name", CF_IK_TEXT, 0, 1},
  {"approved_name", CF_IK_TEXT, 1, 0},  {"rationale", CF_IK_TEXT, 1, 0},
  {"user_approved", CF_IK_BOOL, 0, 0},  {"approved_at", CF_IK_TIME, 1, 0},
  {"validated", CF_IK_BOOL, 0, 0},      {"validated_at", CF_IK_TIME, 1, 0},
  {"validation", CF_IK_JSON, 1, 0},     {"ref", CF_IK_TEXT, 1, 0},
  {"created_at", CF_IK_TIME, 0, 0},
  {"rejected_at", CF_IK_TIME, 1, 0},    {"rejection_reason", CF_IK_TEXT, 1, 0},
};
static const char cfPropInsertSql[] =
    "INSERT INTO workflow_proposals (run_id, kind, proposed_name, approved_name, rationale,"
    " user_approved, approved_at, validated, validated_at, validation, ref, created_at,"
    " rejected_at, rejection_reason)"
    " VALUES (?30, ?3, ?4, ?5, ?6, coalesce(?7, 0), ?8, coalesce(?9, 0), ?10, ?11, ?12,"
    " coalesce(?13, ?32), ?14, ?15)";

/* ------------------------------------------------------------ base64 */

static const char cfB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* chatflow_base64(blob) -> text: standard base64 (RFC 4648, with '='
** padding) of a blob (text is taken as its bytes); NULL for NULL.  Pure.
** export_conversation writes a run's checkpoint with it. */
static void cfBase64Func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  const unsigned char *a;
  sqlite3_int64 n, nOut;
  char *z;
  (void)argc;
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return;
  a = (const unsigned char *)sqlite3_value_blob(argv[0]);
  n = sqlite3_value_bytes(argv[0]);
  nOut = (n + 2) / 3 * 4;
  z = sqlite3_malloc64((sqlite3_uint64)nOut + 1);
  if (z == 0) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  for (sqlite3_int64 i = 0, j = 0; i < n; i += 3, j += 4) {
    unsigned v = (unsigned)a[i] << 16;
    if (i + 1 < n) v |= (unsigned)a[i + 1] << 8;
    if (i + 2 < n) v |= a[i + 2];
    z[j] = cfB64[(v >> 18) & 63];
    z[j + 1] = cfB64[(v >> 12) & 63];
    z[j + 2] = i + 1 < n ? cfB64[(v >> 6) & 63] : '=';
    z[j + 3] = i + 2 < n ? cfB64[v & 63] : '=';
  }
  z[nOut] = 0;
  sqlite3_result_text64(ctx, z, (sqlite3_uint64)nOut, sqlite3_free, SQLITE_UTF8);
}

static int cfB64Value(char c) {
  const char *p = c ? strchr(cfB64, c) : 0;
  return p ? (int)(p - cfB64) : -1;
}

/* Decodes base64 text z[0..n) (length a multiple of 4, '=' only as the
** last one or two characters) into *pa (sqlite3_malloc'd) and *pn.
** Returns SQLITE_OK, SQLITE_ERROR (not base64) or SQLITE_NOMEM. */
static int cfBase64Decode(const char *z, int n, unsigned char **pa, int *pn) {
  unsigned char *a;
  int nPad = 0, j = 0;
  *pa = 0;
  *pn = 0;
  if (n % 4) return SQLITE_ERROR;
  if (n > 0 && z[n - 1] == '=') nPad++;
  if (n > 1 && z[n - 2] == '=') nPad++;
  a = sqlite3_malloc(n / 4 * 3 + 1);
  if (a == 0) return SQLITE_NOMEM;
  for (int i = 0; i < n; i += 4) {
    int v[4];
    for (int k = 0; k < 4; k++) {
      v[k] = (i + k >= n - nPad) ? 0 : cfB64Value(z[i + k]);
      if (v[k] < 0) {
        sqlite3_free(a);
        return SQLITE_ERROR;
      }
    }
    {
      unsigned u = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
      a[j++] = (unsigned char)(u >> 16);
      a[j++] = (unsigned char)(u >> 8);
      a[j++] = (unsigned char)u;
    }
  }
  *pa = a;
  *pn = j - nPad;
  return SQLITE_OK;
}

/* --------------------------------------------------------------- importing */

/* Inserts the rows of the array zArr (at zArrPath, e.g. "runs[0].events")
** with zSql, the fields read by aField and ?30 = iParent. */
static int cfImportRows(CfImport *pI, const char *zArr, int nArr, const char *zArrPath,
                        const CfField *aField, int nField, const char *zSql,
                        sqlite3_int64 iParent) {
  sqlite3_stmt *pIter = 0, *pIns = 0;
  CfCell aCell[CF_IMPORT_MAX_FIELDS];
  char zPath[96];
  int rc = cfImportIter(pI, zArr, nArr, &pIter);
  if (rc == SQLITE_OK) rc = cfStmtText(pI->p, zSql, &pIns);
  while (cfImportNext(pIter, &rc)) {
    rc = cfImportElement(pI, pIter, zArrPath, zPath, (int)sizeof(zPath));
    if (rc == SQLITE_OK) {
      rc = cfImportRead(pI, (const char *)sqlite3_column_text(pIter, 2),
                        sqlite3_column_bytes(pIter, 2), zPath, aField, nField, aCell);
    }
    if (rc == SQLITE_OK) {
      cfCellsBind(pIns, aCell, nField);
      sqlite3_bind_int64(pIns, CF_P_PARENT, iParent);
      sqlite3_bind_text(pIns, CF_P_NOW, pI->zNow, -1, SQLITE_STATIC);
      rc = cfImportStep(pI, pIns, zPath);
      cfCellsFree(aCell, nField);
    }
  }
  sqlite3_finalize(pIter);
  cfStmtDone(pI->p, pIns);
  return rc;
}

/* Runs zSql with ?1 = iId, ?2..?4 = the cells given (0: NULL). */
static int cfImportExec(CfImport *pI, const char *zSql, sqlite3_int64 iId, const CfCell *p2,
                        const CfCell *p3, const CfCell *p4, const char *zPath) {
  sqlite3_stmt *pStmt = 0;
  const CfCell *ap[3] = {p2, p3, p4};
  int rc = cfStmtText(pI->p, zSql, &pStmt);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iId);
    for (int i = 0; i < 3; i++) {
      if (ap[i] == 0 || ap[i]->eType == SQLITE_NULL) continue;
      if (ap[i]->eType == SQLITE_INTEGER) sqlite3_bind_int64(pStmt, i + 2, ap[i]->i);
      else sqlite3_bind_text(pStmt, i + 2, ap[i]->z, ap[i]->n, SQLITE_STATIC);
    }
    rc = cfImportStep(pI, pStmt, zPath);
  }
  cfStmtDone(pI->p, pStmt);
  return rc;
}

/* The new id of runs[i]: the runs are inserted finished ones first, then
** the active one, each group in document order, and ids are never reused,
** so they are numbered in that order above iRunBase. */
static sqlite3_int64 cfImportRunId(const CfImport *pI, int i) {
  int nBefore = 0, nFinished = 0;
  for (int j = 0; j < pI->nRun; j++) nFinished += !pI->aRunActive[j];
  for (int j = 0; j < i; j++) nBefore += pI->aRunActive[j] == pI->aRunActive[i];
  return pI->iRunBase + 1 + (pI->aRunActive[i] ? nFinished : 0) + nBefore;
}

/* The exported events of run iRun (at zPath), once inserted: at least
** one, and last the move to the run's status (run_last_event).  That
** the log is a chain of run statuses from the run's creation (an event
** from null, run_first_event) is the schema's rule, checked as each
** event is inserted (workflow_run_events_check_insert). */
static int cfImportEventsCheck(CfImport *pI, sqlite3_int64 iRun, const char *zStatus, const char *zPath) {
  sqlite3_stmt *pStmt = 0;
  char *zLast = 0; /* the last event's to_status (a copy) */
  int i = 0;
  int rc = cfStmtText(pI->p, "SELECT to_status FROM workflow_run_events WHERE run_id = ?1 ORDER BY id",
                      &pStmt);
  if (rc == SQLITE_OK) sqlite3_bind_int64(pStmt, 1, iRun);
  while (cfImportNext(pStmt, &rc)) {
    const char *zTo = (const char *)sqlite3_column_text(pStmt, 0);
    if (zTo == 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    sqlite3_free(zLast);
    zLast = sqlite3_mprintf("%s", zTo);
    if (zLast == 0) {
      rc = SQLITE_NOMEM;
      break;
    }
    i++;
  }
  cfStmtDone(pI->p, pStmt);
  if (rc == SQLITE_OK && i == 0) {
    rc = cfImportError(pI, "%s.events is empty: a run's log holds at least its creation"
                       " (leave events out to have it logged)", zPath);
  } else if (rc == SQLITE_OK && strcmp(zLast, zStatus) != 0) {
    rc = cfImportError(pI, "%s.events ends with to_status '%q', not the run's status '%q'", zPath, zLast,
                       zStatus);
  }
  sqlite3_free(zLast);
  return rc;
}

/* One run (already read into aCell) with its proposals and events. */
static int cfImportRun(CfImport *pI, int iIdx, CfCell *aCell, const char *zPath) {
  sqlite3_int64 iRun = cfImportRunId(pI, iIdx);
  const char *zStatus = aCell[RN_STATUS].z;
  int bDance = !pI->aRunActive[iIdx] && aCell[RN_PROPOSALS].eType == SQLITE_TEXT &&
               aCell[RN_PROPOSALS].n > 2; /* "[]" is empty */
  sqlite3_stmt *pStmt = 0;
  char zSub[112];
  int rc = cfStmtText(pI->p, cfRunInsertSql, &pStmt);
  if (rc == SQLITE_OK) {
    cfCellsBind(pStmt, aCell, RN_N);
    sqlite3_bind_int64(pStmt, CF_P_PARENT, pI->iConv);
    sqlite3_bind_int64(pStmt, CF_P_EXTRA, iRun);
    sqlite3_bind_text(pStmt, CF_P_NOW, pI->zNow, -1, SQLITE_STATIC);
    /* (only an awaiting run may expire) */
    sqlite3_bind_text(pStmt, CF_P_STATUS,
                      !bDance ? zStatus : strcmp(zStatus, "expired") == 0 ? "awaiting_approval" : "started",
                      -1, SQLITE_STATIC);
    rc = cfImportStep(pI, pStmt, zPath);
  }
  cfStmtDone(pI->p, pStmt);
  if (rc == SQLITE_OK && aCell[RN_PROPOSALS].eType == SQLITE_TEXT) {
    sqlite3_snprintf(sizeof(zSub), zSub, "%s.proposals", zPath);
    rc = cfImportRows(pI, aCell[RN_PROPOSALS].z, aCell[RN_PROPOSALS].n, zSub, aPropField, PR_N,
                      cfPropInsertSql, iRun);
  }
  if (rc == SQLITE_OK && bDance) {
    /* To the final status; then the trigger-stamped columns as exported,
    ** updated_at held at 0000-01-01T00:00:00.000Z until the log below is
    ** replaced (in two steps, so that workflow_runs_touch stays quiet). */
    CfCell status;
    memset(&status, 0, sizeof(status));
    status.eType = SQLITE_TEXT;
    status.z = (char *)zStatus;
    status.n = aCell[RN_STATUS].n;
    rc = cfImportExec(pI, "UPDATE workflow_runs SET status = ?2 WHERE id = ?1", iRun, &status, 0,
                      0, zPath);
    if (rc == SQLITE_OK) {
      rc = cfImportExec(pI,
                        "UPDATE workflow_runs SET completed_at = coalesce(?2, completed_at),"
                        /* an ended run holds no lease: dropped, as a run inserted
                        ** ended (without proposals) has it dropped by the schema */
                        " lease_expires_at = CASE WHEN status = 'completed' OR status = 'failed'"
                        "   OR status = 'cancelled' OR status = 'expired' THEN NULL ELSE ?3 END,"
                        " expires_at = ?4, updated_at = '0000-01-01T00:00:00.000Z' WHERE id = ?1",
                        iRun, &aCell[RN_COMPLETED_AT], &aCell[RN_LEASE_EXPIRES_AT],
                        &aCell[RN_EXPIRES_AT], zPath);
    }
  }
  if (rc == SQLITE_OK && (bDance || aCell[RN_EVENTS].eType == SQLITE_TEXT)) {
    /* The log the inserts and updates above wrote is replaced: with the
    ** exported events, or without them by the one event a raw INSERT of
    ** the run would log.  The schema lets events of a run that exists be
    ** deleted only while its updated_at holds 0000-01-01T00:00:00.000Z
    ** (workflow_run_events_keep); then updated_at as exported. */
    CfCell now;
    memset(&now, 0, sizeof(now));
    now.eType = SQLITE_TEXT;
    now.z = pI->zNow;
    now.n = CF_TIMESTAMP_LEN;
    if (!bDance) { /* (the dance left it there) */
      rc = cfImportExec(pI, "UPDATE workflow_runs SET updated_at = '0000-01-01T00:00:00.000Z' WHERE id = ?1",
                        iRun, 0, 0, 0, zPath);
    }
    if (rc == SQLITE_OK) {
      rc = cfImportExec(pI, "DELETE FROM workflow_run_events WHERE run_id = ?1", iRun, 0, 0, 0, zPath);
    }
    if (rc == SQLITE_OK && aCell[RN_EVENTS].eType == SQLITE_TEXT) {
      sqlite3_snprintf(sizeof(zSub), zSub, "%s.events", zPath);
      rc = cfImportRows(pI, aCell[RN_EVENTS].z, aCell[RN_EVENTS].n, zSub, aEventField, EV_N,
                        cfEventInsertSql, iRun);
    } else if (rc == SQLITE_OK) {
      rc = cfImportExec(pI,
                        "INSERT INTO workflow_run_events (run_id, from_status, to_status, from_step,"
                        " to_step, created_at) SELECT id, NULL, status, NULL, current_step, created_at"
                        " FROM workflow_runs WHERE id = ?1",
                        iRun, 0, 0, 0, zPath);
    }
    if (rc == SQLITE_OK) {
      rc = cfImportExec(pI, "UPDATE workflow_runs SET updated_at = coalesce(?2, ?3, ?4) WHERE id = ?1",
                        iRun, &aCell[RN_UPDATED_AT], &aCell[RN_CREATED_AT], &now, zPath);
    }
  }
  if (rc == SQLITE_OK && aCell[RN_CHECKPOINT].eType == SQLITE_TEXT) {
    /* the checkpoint, under the new run's workflow id (the schema accepts
    ** it only for an active run) */
    unsigned char *aData = 0;
    int nData = 0;
    rc = cfBase64Decode(aCell[RN_CHECKPOINT].z, aCell[RN_CHECKPOINT].n, &aData, &nData);
    if (rc == SQLITE_ERROR) {
      rc = cfImportError(pI, "%s.checkpoint is not base64", zPath);
    } else if (rc == SQLITE_OK) {
      rc = cfStmtText(pI->p,
                      "INSERT INTO workflow_interrupts (workflow_id, data, created_at, updated_at)"
                      " VALUES ('run_' || ?1, ?2, ?3, ?3)",
                      &pStmt);
      if (rc == SQLITE_OK) {
        sqlite3_bind_int64(pStmt, 1, iRun);
        if (aCell[RN_CHECKPOINT_TYPE].eType == SQLITE_TEXT && strcmp(aCell[RN_CHECKPOINT_TYPE].z, "text") == 0) {
          /* saved as text, as the exporting database held it */
          sqlite3_bind_text(pStmt, 2, aData ? (const char *)aData : "", nData, SQLITE_STATIC);
        } else {
          sqlite3_bind_blob(pStmt, 2, aData, nData, SQLITE_STATIC);
        }
        sqlite3_bind_text(pStmt, 3, pI->zNow, -1, SQLITE_STATIC);
        sqlite3_snprintf((int)sizeof(zSub), zSub, "%s.checkpoint", zPath);
        rc = cfImportStep(pI, pStmt, zSub);
      }
      cfStmtDone(pI->p, pStmt);
      pStmt = 0;
    }
    sqlite3_free(aData);
  }
  if (rc == SQLITE_OK && aCell[RN_EVENTS].eType == SQLITE_TEXT) rc = cfImportEventsCheck(pI, iRun, zStatus, zPath);
  return rc;
}

/* The runs: a first pass reads and checks every run and records its
** exported id; then finished runs are inserted, then active ones. */
static int cfImportRuns(CfImport *pI, const char *zArr, int nArr) {
  sqlite3_stmt *pIter = 0;
  CfCell aCell[CF_IMPORT_MAX_FIELDS];
  char zPath[64];
  int rc, nAlloc = 0;
  rc = cfImportIter(pI, zArr, nArr, &pIter);
  while (cfImportNext(pIter, &rc)) {
    int i = pI->nRun;
    rc = cfImportElement(pI, pIter, "runs", zPath, (int)sizeof(zPath));
    if (rc == SQLITE_OK) {
      rc = cfImportRead(pI, (const char *)sqlite3_column_text(pIter, 2),
                        sqlite3_column_bytes(pIter, 2), zPath, aRunField, RN_N, aCell);
    }
    if (rc != SQLITE_OK) break;
    if (cfRunStatusIndex(aCell[RN_STATUS].z) < 0) {
      rc = cfImportError(pI, "%s.status: invalid status '%q' (expected " CF_RUN_STATUSES ")",
                         zPath, aCell[RN_STATUS].z);
    }
    if (rc == SQLITE_OK) {
      /* a workflow this database does not define: named, before any row
      ** is written (the schema's own message cannot name it) */
      sqlite3_stmt *pWf = 0;
      rc = cfStmtText(pI->p, "SELECT 1 FROM workflow_definitions WHERE name = ?1", &pWf);
      if (rc == SQLITE_OK) {
        sqlite3_bind_text(pWf, 1, aCell[RN_WORKFLOW].z, aCell[RN_WORKFLOW].n, SQLITE_STATIC);
        rc = sqlite3_step(pWf);
        rc = rc == SQLITE_ROW ? SQLITE_OK : rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc;
      }
      cfStmtDone(pI->p, pWf);
      if (rc == SQLITE_NOTFOUND) {
        rc = cfImportError(pI, "%s.workflow: unknown workflow '%q' (this database has no such definition:"
                           " insert it into workflow_definitions first)", zPath, aCell[RN_WORKFLOW].z);
      }
    }
    if (rc == SQLITE_OK && aCell[RN_CHECKPOINT_TYPE].eType == SQLITE_TEXT) {
      if (strcmp(aCell[RN_CHECKPOINT_TYPE].z, "blob") != 0 && strcmp(aCell[RN_CHECKPOINT_TYPE].z, "text") != 0) {
        rc = cfImportError(pI, "%s.checkpoint_type: invalid type '%q' (expected blob, text)", zPath,
                           aCell[RN_CHECKPOINT_TYPE].z);
      } /* (without a checkpoint it says nothing: a checkpoint set to null
        ** by hand leaves the run without one) */
    }
    if (rc == SQLITE_OK && i == nAlloc) {
      sqlite3_int64 *aOld;
      unsigned char *aHas, *aAct;
      nAlloc = nAlloc ? 2 * nAlloc : 8;
      aOld = sqlite3_realloc64(pI->aRunOld, sizeof(*aOld) * (sqlite3_uint64)nAlloc);
      if (aOld) pI->aRunOld = aOld;
      aHas = sqlite3_realloc64(pI->aRunHasId, (sqlite3_uint64)nAlloc);
      if (aHas) pI->aRunHasId = aHas;
      aAct = sqlite3_realloc64(pI->aRunActive, (sqlite3_uint64)nAlloc);
      if (aAct) pI->aRunActive = aAct;
      if (aOld == 0 || aHas == 0 || aAct == 0) rc = SQLITE_NOMEM;
    }
    if (rc == SQLITE_OK) {
      pI->aRunHasId[i] = aCell[RN_ID].eType == SQLITE_INTEGER;
      pI->aRunOld[i] = aCell[RN_ID].i;
      pI->aRunActive[i] = !cfStatusTerminal(aCell[RN_STATUS].z);
      if (pI->aRunActive[i]) pI->bAnyActive = 1;
      for (int j = 0; pI->aRunHasId[i] && j < i; j++) {
        if (pI->aRunHasId[j] && pI->aRunOld[j] == pI->aRunOld[i]) {
          rc = cfImportError(pI, "%s.id %lld repeats runs[%d].id", zPath, pI->aRunOld[i], j);
          break;
        }
      }
      pI->nRun++;
    }
    cfCellsFree(aCell, RN_N);
  }
  if (rc == SQLITE_OK && pI->iRunBase > CF_MAX_ID - pI->nRun) {
    rc = cfImportError(pI, "runs: no run ids are left (ids stop at %lld)", CF_MAX_ID);
  }
  for (int bActive = 0; rc == SQLITE_OK && bActive < 2; bActive++) {
    int i = 0;
    sqlite3_reset(pIter);
    while (cfImportNext(pIter, &rc)) {
      if (pI->aRunActive[i] == bActive) {
        rc = cfImportElement(pI, pIter, "runs", zPath, (int)sizeof(zPath));
        if (rc == SQLITE_OK) {
          rc = cfImportRead(pI, (const char *)sqlite3_column_text(pIter, 2),
                            sqlite3_column_bytes(pIter, 2), zPath, aRunField, RN_N, aCell);
        }
        if (rc == SQLITE_OK) {
          rc = cfImportRun(pI, i, aCell, zPath);
          cfCellsFree(aCell, RN_N);
        }
      }
      i++;
    }
  }
  sqlite3_finalize(pIter);
  return rc;
}

static const char *azRole[] = {"system", "user", "assistant", "tool"};

/* A message type as the schema's CHECK wants it (the message of add_message). */
static int cfMsgTypeValid(const char *z) {
  size_t n = strlen(z);
  if (n == 0 || n > 64) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = z[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')) {
      return 0;
    }
  }
  return 1;
}

/* The messages, in the document's order, which must be increasing seq. */
static int cfImportMessages(CfImport *pI, const char *zArr, int nArr) {
  sqlite3_stmt *pIter = 0, *pIns = 0, *pFix = 0;
  CfCell aCell[CF_IMPORT_MAX_FIELDS];
  char zPath[64];
  sqlite3_int64 iPrev = 0;
  int rc = cfImportIter(pI, zArr, nArr, &pIter);
  if (rc == SQLITE_OK) rc = cfStmtText(pI->p, cfMsgInsertSql, &pIns);
  if (rc == SQLITE_OK) rc = cfStmtText(pI->p, cfMsgFixSql, &pFix);
  while (cfImportNext(pIter, &rc)) {
    sqlite3_int64 iNewRun = 0, iParent = 0;
    int bRole = 0;
    rc = cfImportElement(pI, pIter, "messages", zPath, (int)sizeof(zPath));
    if (rc == SQLITE_OK) {
      rc = cfImportRead(pI, (const char *)sqlite3_column_text(pIter, 2),
                        sqlite3_column_bytes(pIter, 2), zPath, aMsgField, MS_N, aCell);
    }
    if (rc != SQLITE_OK) break;
    for (size_t k = 0; k < sizeof(azRole) / sizeof(azRole[0]); k++) {
      if (strcmp(aCell[MS_ROLE].z, azRole[k]) == 0) bRole = 1;
    }
    if (!bRole) {
      rc = cfImportError(pI, "%s.role: invalid role '%q' (expected system, user, assistant, tool)",
                         zPath, aCell[MS_ROLE].z);
    } else if (aCell[MS_STATUS].eType == SQLITE_TEXT && strcmp(aCell[MS_STATUS].z, "complete") != 0 &&
               strcmp(aCell[MS_STATUS].z, "streaming") != 0 && strcmp(aCell[MS_STATUS].z, "aborted") != 0) {
      rc = cfImportError(pI, "%s.status: invalid status '%q' (expected complete, streaming, aborted)",
                         zPath, aCell[MS_STATUS].z);
    } else if (aCell[MS_TYPE].eType == SQLITE_TEXT && !cfMsgTypeValid(aCell[MS_TYPE].z)) {
      rc = cfImportError(pI, "%s.type: invalid message type '%q' (expected 1 to 64 of a-z, 0-9, '_', '.', '-')",
                         zPath, aCell[MS_TYPE].z);
    } else if (aCell[MS_SEQ].eType == SQLITE_INTEGER) {
      if (aCell[MS_SEQ].i < 1) {
        rc = cfImportError(pI, "%s.seq must be a positive integer, got %lld", zPath,
                           aCell[MS_SEQ].i);
      } else if (aCell[MS_SEQ].i <= iPrev) {
        rc = cfImportError(pI, "%s.seq %lld must be greater than the seq %lld of the message before it",
                           zPath, aCell[MS_SEQ].i, iPrev);
      }
      iPrev = aCell[MS_SEQ].i;
    } else {
      iPrev++; /* the schema gives it the next seq */
    }
    if (rc == SQLITE_OK && aCell[MS_PARTS].eType == SQLITE_TEXT) {
      /* the parts as add_message checks them (json.c): tool parts whole,
      ** file parts' mediaType and url, call ids distinct */
      char zKey[80], *zErr = 0;
      sqlite3_snprintf(sizeof(zKey), zKey, "%s.parts", zPath);
      rc = cfJsonPartsValid(pI->p, aCell[MS_PARTS].z, aCell[MS_PARTS].n, zKey, &zErr);
      if (rc == SQLITE_ERROR && zErr) {
        /* "chatflow: messages[0].parts[1] ..." as an import error */
        rc = cfImportError(pI, "%s", zErr + strlen("chatflow: "));
      } else if (rc != SQLITE_OK) {
        rc = cfImportDbError(pI, rc, zPath);
      }
      sqlite3_free(zErr);
    }
    if (rc == SQLITE_OK && aCell[MS_TOKENS].eType == SQLITE_INTEGER &&
        (aCell[MS_TOKENS].i < 0 || aCell[MS_TOKENS].i > CF_MAX_TOKENS)) {
      /* add_message's bound (messages.c) */
      rc = cfImportError(pI, "%s.tokens must be from 0 to %d, got %lld", zPath, CF_MAX_TOKENS,
                         aCell[MS_TOKENS].i);
    }
    if (rc == SQLITE_OK && aCell[MS_UID].eType == SQLITE_TEXT) {
      /* the conversation is new: a message of it with the uid came from
      ** earlier in the document */
      sqlite3_stmt *pUid = 0;
      rc = cfStmtText(pI->p, "SELECT seq FROM chat_messages WHERE conversation_id = ?1 AND uid = ?2", &pUid);
      if (rc == SQLITE_OK) {
        sqlite3_bind_int64(pUid, 1, pI->iConv);
        sqlite3_bind_text(pUid, 2, aCell[MS_UID].z, aCell[MS_UID].n, SQLITE_STATIC);
        rc = sqlite3_step(pUid);
        if (rc == SQLITE_ROW) {
          rc = cfImportError(pI, "%s.uid '%q' is the uid of an earlier message of the document (seq %lld)",
                             zPath, aCell[MS_UID].z, sqlite3_column_int64(pUid, 0));
        } else if (rc == SQLITE_DONE) {
          rc = SQLITE_OK;
        }
      }
      cfStmtDone(pI->p, pUid);
    }
    if (rc == SQLITE_OK && aCell[MS_ID].eType == SQLITE_INTEGER && cfImportMsgId(pI, aCell[MS_ID].i)) {
      rc = cfImportError(pI, "%s.id %lld is the id of an earlier message of the document", zPath,
                         aCell[MS_ID].i);
    }
    if (rc == SQLITE_OK && aCell[MS_PARENT_ID].eType == SQLITE_INTEGER) {
      iParent = cfImportMsgId(pI, aCell[MS_PARENT_ID].i);
      if (iParent == 0) {
        rc = cfImportError(pI, "%s.parent_id %lld names no earlier message of the document", zPath,
                           aCell[MS_PARENT_ID].i);
      }
    }
    if (rc == SQLITE_OK && aCell[MS_RUN_ID].eType == SQLITE_INTEGER) {
      for (int j = 0; j < pI->nRun && iNewRun == 0; j++) {
        if (pI->aRunHasId[j] && pI->aRunOld[j] == aCell[MS_RUN_ID].i) {
          iNewRun = cfImportRunId(pI, j);
        }
      }
      if (iNewRun == 0) {
        rc = cfImportError(pI, "%s.run_id %lld names no run of the document", zPath,
                           aCell[MS_RUN_ID].i);
      }
    }
    if (rc == SQLITE_OK) {
      cfCellsBind(pIns, aCell, MS_N);
      sqlite3_bind_int64(pIns, CF_P_PARENT, pI->iConv);
      if (iNewRun) sqlite3_bind_int64(pIns, CF_P_EXTRA, iNewRun);
      else sqlite3_bind_null(pIns, CF_P_EXTRA);
      sqlite3_bind_text(pIns, CF_P_NOW, pI->zNow, -1, SQLITE_STATIC);
      if (aCell[MS_PARENT_ID].bPresent) sqlite3_bind_int64(pIns, CF_P_MSG_PARENT, iParent);
      else sqlite3_bind_null(pIns, CF_P_MSG_PARENT);
      rc = cfImportStep(pI, pIns, zPath);
    }
    if (rc == SQLITE_OK && aCell[MS_ID].eType == SQLITE_INTEGER) {
      rc = cfImportMsgAdd(pI, aCell[MS_ID].i, sqlite3_last_insert_rowid(pI->p->db));
    }
    /* Only when the insert trigger may have filled what the document says
    ** is NULL: run_id (an active run exists) or workflow_step (a run). */
    if (rc == SQLITE_OK &&
        ((aCell[MS_RUN_ID].bPresent && iNewRun == 0 && pI->bAnyActive) ||
         (aCell[MS_WORKFLOW_STEP].bPresent && aCell[MS_WORKFLOW_STEP].eType == SQLITE_NULL &&
          (iNewRun || pI->bAnyActive)))) {
      sqlite3_bind_int64(pFix, 1, sqlite3_last_insert_rowid(pI->p->db));
      if (iNewRun) sqlite3_bind_int64(pFix, 2, iNewRun);
      else sqlite3_bind_null(pFix, 2);
      if (aCell[MS_WORKFLOW_STEP].eType == SQLITE_TEXT) {
        sqlite3_bind_text(pFix, 3, aCell[MS_WORKFLOW_STEP].z, aCell[MS_WORKFLOW_STEP].n,
                          SQLITE_STATIC);
      } else {
        sqlite3_bind_null(pFix, 3);
      }
      sqlite3_bind_int(pFix, 4, aCell[MS_RUN_ID].bPresent);
      sqlite3_bind_int(pFix, 5, aCell[MS_WORKFLOW_STEP].bPresent);
      rc = cfImportStep(pI, pFix, zPath);
    }
    cfCellsFree(aCell, MS_N);
  }
  sqlite3_finalize(pIter);
  cfStmtDone(pI->p, pIns);
  cfStmtDone(pI->p, pFix);
  return rc;
}

/* A uid given as an option: what create_conversation accepts ("chatflow:
** uid must be 1 to 64 characters, got 65 characters", as the run and
** message uids say their length). */
static char *cfUidError(const char *z) {
  size_t n = strlen(z);
  if (n == 0 || n > 64) {
    return sqlite3_mprintf("chatflow: uid must be 1 to 64 characters, got %d characters",
                           cfUtf8Chars((const unsigned char *)z, (int)n));
  }
  for (const char *c = z; *c; c++) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
          *c == '-' || *c == '_')) {
      return sqlite3_mprintf("chatflow: uid '%q' must use only letters, digits, '-' and '_' (URL-safe)", z);
    }
  }
  return 0;
}

/* The options argument of import and fork: {"uid": text, "now": time};
** pOpt holds the two.  Sets the call's time. */
static int cfUidOption(sqlite3_context *ctx, sqlite3_value *v, const char *zFunc, CfJsonOpt *pOpt,
                       char **pzErr) {
  const char *zOpts = 0;
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  if (cfArgOptions(ctx, v, zFunc, &zOpts)) return 1;
  if (zOpts && cfJsonOptionsConn(ctx, p, zOpts, sqlite3_value_bytes(v), zFunc, pOpt, 2, pzErr)) {
    return 1;
  }
  if (pOpt->bPresent && (*pzErr = cfUidError(pOpt->zVal)) != 0) return 1;
  if (cfCallTimeSet(p, pOpt[1].bPresent ? pOpt[1].zVal : 0, pzErr)) {
    if (*pzErr == 0) sqlite3_result_error_nomem(ctx);
    return 1;
  }
  return 0;
}

/* The document is JSON, an object, and says it is ours. */
static int cfImportCheckDoc(CfImport *pI, const char *zDoc, int nDoc) {
  sqlite3_stmt *pStmt = 0;
  int rc = sqlite3_prepare_v2(
      pI->p->db,
      "SELECT json_valid(?1), CASE WHEN json_valid(?1) THEN json_type(?1) END,"
      " CASE WHEN json_valid(?1) AND json_type(?1) = 'object' THEN json_type(?1, '$.format') END,"
      " CASE WHEN json_valid(?1) AND json_type(?1) = 'object' AND json_type(?1, '$.format') = 'text'"
      "      THEN substr(json_extract(?1, '$.format'), 1, 100) END",
      -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(pStmt, 1, zDoc, nDoc, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
  }
  if (rc == SQLITE_ROW) {
    const char *zType = (const char *)sqlite3_column_text(pStmt, 1);
    const char *zFmtType = (const char *)sqlite3_column_text(pStmt, 2);
    const char *zFormat = (const char *)sqlite3_column_text(pStmt, 3);
    rc = SQLITE_OK;
    if (!sqlite3_column_int(pStmt, 0)) {
      char *zJsonErr = 0;
      int rcCheck = nDoc <= CF_MAX_JSON_BYTES ? cfJsonCheck(pI->p, zDoc, nDoc, &zJsonErr) : SQLITE_ERROR;
      if (rcCheck == SQLITE_OK) {
        /* Valid JSON that json_valid() refused: SQLite's JSON parser (3.40)
        ** answers 0 when it cannot allocate, without an error. */
        rc = SQLITE_NOMEM;
      } else if (rcCheck == SQLITE_NOMEM) {
        rc = SQLITE_NOMEM;
      } else if (zJsonErr && strncmp(zJsonErr, "chatflow: value ", 16) == 0) {
        rc = cfImportError(pI, "the document %s", zJsonErr + 16);
      } else {
        rc = cfImportError(pI, "the document is not valid JSON");
      }
      sqlite3_free(zJsonErr);
    } else if (zType == 0 || strcmp(zType, "object") != 0) {
      /* (export_conversation's openai format is an array: the messages
      ** for a model, without the conversation, its ids or its runs) */
      rc = cfImportError(pI, "the document must be a JSON object (from export_conversation), got %s%s",
                         cfJsonTypeName(zType),
                         zType && strcmp(zType, "array") == 0
                             ? "; an export in format openai is the messages for a model and cannot be"
                               " imported: export in the default format, chatflow"
                             : "");
    } else if (zFmtType == 0) {
      rc = cfImportError(pI, "format is missing (expected '" CF_EXPORT_FORMAT "')");
    } else if (zFormat == 0) {
      rc = cfImportError(pI, "format must be '" CF_EXPORT_FORMAT "', got %s", cfJsonTypeName(zFmtType));
    } else if (strcmp(zFormat, CF_EXPORT_FORMAT) != 0) {
      rc = cfImportError(pI, "unknown format '%q' (expected '" CF_EXPORT_FORMAT "')", zFormat);
    }
  }
  if (rc == SQLITE_OK) {
    /* the text gate of every JSON argument (json.c): SQLite's JSON
    ** functions (3.40) end a decoded string at \u0000 and decode a lone
    ** surrogate to invalid UTF-8, so no string of the document may hold
    ** either, in a text field or inside a JSON one (metadata, parts, ...) */
    char *zGate = 0;
    rc = cfJsonTextCheck(zDoc, nDoc, "import: the document", "import", &zGate);
    if (zGate) {
      sqlite3_free(pI->zErr);
      pI->zErr = zGate;
    }
  }
  sqlite3_finalize(pStmt);
  return rc;
}

/* Runs a one-value query with ?1 = zText1, ?2 = zText2 into *piOut (0 when
** no row or NULL). */
static int cfImportQueryInt(CfImport *pI, const char *zSql, const char *z1, const char *z2,
                            sqlite3_int64 *piOut) {
  sqlite3_stmt *pStmt = 0;
  int rc = cfStmtText(pI->p, zSql, &pStmt);
  *piOut = 0;
  if (rc == SQLITE_OK) {
    if (z1) sqlite3_bind_text(pStmt, 1, z1, -1, SQLITE_STATIC);
    if (z2) sqlite3_bind_text(pStmt, 2, z2, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_ROW) {
      *piOut = sqlite3_column_int64(pStmt, 0);
      rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
      rc = SQLITE_OK;
    }
  }
  cfStmtDone(pI->p, pStmt);
  return rc;
}

static void cfImportFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  const char *zOwner = 0, *zDoc = 0;
  CfJsonOpt aOpt[2] = {{"uid", CF_JT_STRING, 0, 0, 0}, {"now", CF_JT_STRING, 0, 0, 0}};
  CfCell aTop[TOP_N], aConv[CV_N];
  CfImport imp;
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iOther = 0;
  int rc, nDoc;
  memset(&imp, 0, sizeof(imp));
  memset(aTop, 0, sizeof(aTop));
  memset(aConv, 0, sizeof(aConv));
  if (cfArgText(ctx, argv[0], "owner", CF_MAX_NAME_CHARS, 0, 0, &zOwner)) return;
  if (cfArgText(ctx, argv[1], "import document", 0, 0, 1, &zDoc)) return;
  nDoc = sqlite3_value_bytes(argv[1]);
  if (argc > 2 && cfUidOption(ctx, argv[2], "import_conversation", aOpt, &imp.zErr)) goto done;
  imp.p = p;
  cfNow(p, imp.zNow);
  if (cfBeginWriteResult(ctx, p)) goto done;

  rc = cfImportCheckDoc(&imp, zDoc, nDoc);
  if (rc == SQLITE_OK) rc = cfImportRead(&imp, zDoc, nDoc, "", aTopField, TOP_N, aTop);
  if (rc == SQLITE_OK) {
    rc = cfImportRead(&imp, aTop[TOP_CONVERSATION].z, aTop[TOP_CONVERSATION].n, "conversation",
                      aConvField, CV_N, aConv);
  }
  if (rc == SQLITE_OK && aConv[CV_VISIBILITY].eType == SQLITE_TEXT &&
      strcmp(aConv[CV_VISIBILITY].z, "private") != 0 &&
      strcmp(aConv[CV_VISIBILITY].z, "public") != 0) {
    rc = cfImportError(&imp, "conversation.visibility: invalid visibility '%q' (expected private, public)",
                       aConv[CV_VISIBILITY].z);
  }
  if (rc == SQLITE_OK && aConv[CV_FORKED_AT_SEQ].eType == SQLITE_INTEGER &&
      (aConv[CV_FORKED_AT_SEQ].i < 0 || aConv[CV_FORKED_AT_SEQ].i > CF_MAX_ID)) {
    /* a seq, as fork_conversation writes it (0: a fork of a conversation
    ** without messages) */
    rc = cfImportError(&imp, "conversation.forked_at_seq must be a seq from 0 to %lld, got %lld", CF_MAX_ID,
                       aConv[CV_FORKED_AT_SEQ].i);
  }
  {
    /* the limits create_conversation applies (cfTextLimitError) */
    static const struct { int iField; const char *zWhat; int nMax; int bNonEmpty; } aLimit[] = {
      {CV_KEY, "conversation.key", CF_MAX_NAME_CHARS, 1},
      {CV_TITLE, "conversation.title", CF_MAX_TITLE_CHARS, 0},
      {CV_MODEL, "conversation.model", 200, 1},
      {CV_AGENT, "conversation.agent", 200, 1},
    };
    for (int i = 0; rc == SQLITE_OK && i < (int)(sizeof(aLimit) / sizeof(aLimit[0])); i++) {
      const CfCell *pCell = &aConv[aLimit[i].iField];
      int bNoMem = 0;
      char *zLimit;
      if (pCell->eType != SQLITE_TEXT) continue;
      zLimit = cfTextLimitError(aLimit[i].zWhat, pCell->z, pCell->n, aLimit[i].nMax, aLimit[i].bNonEmpty, &bNoMem);
      if (bNoMem) rc = SQLITE_NOMEM;
      else if (zLimit) rc = cfImportError(&imp, "%s", zLimit + 10); /* after "chatflow: " */
      sqlite3_free(zLimit);
    }
  }
  if (rc == SQLITE_OK && aConv[CV_KEY].eType == SQLITE_TEXT) {
    rc = cfImportQueryInt(&imp, "SELECT id FROM chat_conversations WHERE owner = ?1 AND key = ?2",
                          zOwner, aConv[CV_KEY].z, &iOther);
    if (rc == SQLITE_OK && iOther) {
      rc = cfImportError(&imp, "owner '%q' already has a conversation with key '%q' (id %lld); change or remove conversation.key in the document",
                         zOwner, aConv[CV_KEY].z, iOther);
    }
  }
  if (rc == SQLITE_OK && aOpt[0].bPresent) {
    rc = cfImportQueryInt(&imp, "SELECT id FROM chat_conversations WHERE uid = ?1", aOpt[0].zVal, 0,
                          &iOther);
    if (rc == SQLITE_OK && iOther) {
      rc = SQLITE_ERROR;
      imp.zErr = sqlite3_mprintf("chatflow: uid '%q' is already taken", aOpt[0].zVal);
    }
  }
  if (rc == SQLITE_OK) {
    rc = cfStmtText(p, cfConvInsertSql, &pStmt);
    if (rc == SQLITE_OK) {
      cfCellsBind(pStmt, aConv, CV_N);
      sqlite3_bind_text(pStmt, CF_P_PARENT, zOwner, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, CF_P_EXTRA, aOpt[0].zVal, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, CF_P_NOW, imp.zNow, -1, SQLITE_STATIC);
      rc = cfImportStep(&imp, pStmt, "conversation");
      imp.iConv = sqlite3_last_insert_rowid(p->db);
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK) {
    /* above every id ever given: run ids are never reused */
    rc = cfImportQueryInt(&imp,
                          "SELECT max(coalesce((SELECT max(id) FROM workflow_runs), 0),"
                          " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'workflow_runs'), 0))",
                          0, 0, &imp.iRunBase);
  }
  if (rc == SQLITE_OK && aTop[TOP_RUNS].eType == SQLITE_TEXT) {
    rc = cfImportRuns(&imp, aTop[TOP_RUNS].z, aTop[TOP_RUNS].n);
  }
  if (rc == SQLITE_OK && aTop[TOP_MESSAGES].eType == SQLITE_TEXT) {
    rc = cfImportMessages(&imp, aTop[TOP_MESSAGES].z, aTop[TOP_MESSAGES].n);
  }
  /* The current branch as exported (the last message is the leaf otherwise). */
  if (rc == SQLITE_OK && aConv[CV_CURRENT_LEAF_ID].eType == SQLITE_INTEGER) {
    CfCell leaf;
    memset(&leaf, 0, sizeof(leaf));
    leaf.eType = SQLITE_INTEGER;
    leaf.i = cfImportMsgId(&imp, aConv[CV_CURRENT_LEAF_ID].i);
    if (leaf.i == 0) {
      rc = cfImportError(&imp, "conversation.current_leaf_id %lld names no message of the document",
                         aConv[CV_CURRENT_LEAF_ID].i);
    } else {
      rc = cfImportExec(&imp,
                        "UPDATE chat_conversations SET current_leaf_id = ?2"
                        " WHERE id = ?1 AND current_leaf_id IS NOT ?2",
                        imp.iConv, &leaf, 0, 0, "conversation.current_leaf_id");
    }
  }
  /* seq is never reused: last_seq as exported when retention had deleted
  ** the newest messages; updated_at as exported after the messages moved it. */
  if (rc == SQLITE_OK && aConv[CV_LAST_SEQ].eType == SQLITE_INTEGER) {
    rc = cfImportExec(&imp, "UPDATE chat_conversations SET last_seq = ?2 WHERE id = ?1 AND last_seq < ?2",
                      imp.iConv, &aConv[CV_LAST_SEQ], 0, 0, "conversation.last_seq");
  }
  if (rc == SQLITE_OK && aConv[CV_DELETED_AT].eType == SQLITE_TEXT) {
    rc = cfImportExec(&imp, "UPDATE chat_conversations SET deleted_at = ?2 WHERE id = ?1",
                      imp.iConv, &aConv[CV_DELETED_AT], 0, 0, "conversation.deleted_at");
  }
  if (rc == SQLITE_OK && aConv[CV_UPDATED_AT].eType == SQLITE_TEXT) {
    rc = cfImportExec(&imp,
                      "UPDATE chat_conversations SET updated_at = ?2"
                      " WHERE id = ?1 AND updated_at IS NOT ?2",
                      imp.iConv, &aConv[CV_UPDATED_AT], 0, 0, "conversation.updated_at");
  }
  sqlite3_finalize(imp.pFields);
  imp.pFields = 0;
  if (rc == SQLITE_OK) rc = cfIndexAfterInsert(p, 0);
  if (cfFinish(ctx, p, rc, &imp.zErr) == SQLITE_OK) sqlite3_result_int64(ctx, imp.iConv);
done:
  if (imp.zErr) cfResultErrorMsg(ctx, imp.zErr);
  sqlite3_finalize(imp.pFields);
  cfCellsFree(aTop, TOP_N);
  cfCellsFree(aConv, CV_N);
  sqlite3_free(imp.aRunOld);
  sqlite3_free(imp.aRunHasId);
  sqlite3_free(imp.aRunActive);
  sqlite3_free(imp.aMsgOld);
  sqlite3_free(imp.aMsgNew);
  cfJsonOptionsFree(aOpt, 2);
}

/* ------------------------------------------------------------------ fork */

/* fork_conversation's writes, inside the call's write bracket: the new
** conversation, the copies of messages 1..iAt (all when !bAt), the fork's
** current leaf, the search indexes.  Returns rc, with *pzErr for
** chatflow's own refusals. */
static int cfForkWrite(CfConn *p, sqlite3_int64 iConv, int bAt, sqlite3_int64 iAt, const char *zUid,
                       const char *zNow, sqlite3_int64 *piNew, char **pzErr) {
  sqlite3_stmt *pStmt = 0;
  sqlite3_int64 iLast = 0;
  int rc;
  rc = sqlite3_prepare_v2(p->db,
                          "SELECT deleted_at IS NOT NULL, last_seq,"
                          " (SELECT id FROM chat_conversations WHERE uid = ?2)"
                          " FROM chat_conversations WHERE id = ?1",
                          -1, &pStmt, 0);
  if (rc == SQLITE_OK) {
    sqlite3_bind_int64(pStmt, 1, iConv);
    sqlite3_bind_text(pStmt, 2, zUid, -1, SQLITE_STATIC);
    rc = sqlite3_step(pStmt);
    if (rc == SQLITE_DONE) {
      *pzErr = sqlite3_mprintf("chatflow: unknown conversation %lld", iConv);
      rc = *pzErr ? SQLITE_ERROR : SQLITE_NOMEM;
    } else if (rc == SQLITE_ROW) {
      rc = SQLITE_OK;
      iLast = sqlite3_column_int64(pStmt, 1);
      if (sqlite3_column_int(pStmt, 0)) {
        *pzErr = sqlite3_mprintf("chatflow: conversation %lld is deleted; restore_conversation(%lld) first",
                                 iConv, iConv);
      } else if (bAt && iAt > iLast) {
        *pzErr = sqlite3_mprintf("chatflow: at_seq %lld is beyond the last seq %lld of conversation %lld",
                                 iAt, iLast, iConv);
      } else if (sqlite3_column_type(pStmt, 2) != SQLITE_NULL) {
        *pzErr = sqlite3_mprintf("chatflow: uid '%q' is already taken", zUid);
      }
      if (*pzErr) rc = SQLITE_ERROR;
    }
  }
  sqlite3_finalize(pStmt);
  pStmt = 0;
  if (!bAt) iAt = iLast;
  if (rc == SQLITE_OK) {
    rc = cfStmtText(
        p,
        "INSERT INTO chat_conversations (owner, key, title, uid, visibility, model, agent, context,"
        " metadata, created_at, updated_at, forked_from_id, forked_at_seq)"
        " SELECT owner, NULL, title, coalesce(?3, lower(hex(randomblob(16)))), visibility, model,"
        " agent, context, metadata, ?4, ?4, id, ?2 FROM chat_conversations WHERE id = ?1",
        &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_int64(pStmt, 2, iAt);
      sqlite3_bind_text(pStmt, 3, zUid, -1, SQLITE_STATIC);
      sqlite3_bind_text(pStmt, 4, zNow, -1, SQLITE_STATIC);
      rc = cfStepOnce(pStmt);
      *piNew = sqlite3_last_insert_rowid(p->db);
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK) {
    /* One at a time in seq order, so that each copy passes the "seq >
    ** last_seq" check and its parent's copy (same seq, smaller) is there. */
    rc = cfStmtText(
        p,
        "INSERT INTO chat_messages (conversation_id, seq, role, type, content, parts, attachments,"
        " metadata, tokens, created_at, uid, parent_id, status, streamed_at)"
        " SELECT ?2, seq, role, type, content, parts, attachments,"
        "   CASE WHEN status = 'streaming'"
        "        THEN json_set(coalesce(metadata, '{}'), '$.abort_reason', 'forked while streaming')"
        "        ELSE metadata END,"
        "   CASE WHEN status = 'streaming' THEN NULL ELSE tokens END, created_at, uid,"
        "   CASE WHEN parent_id IS NULL THEN 0 ELSE"
        "    (SELECT c.id FROM chat_messages AS p, chat_messages AS c"
        "      WHERE p.id = s.parent_id AND c.conversation_id = ?2 AND c.seq = p.seq) END,"
        "   CASE WHEN status = 'streaming' THEN 'aborted' ELSE status END, streamed_at"
        "   FROM chat_messages AS s WHERE id = ?1",
        &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_stmt *pSrc = 0;
      rc = sqlite3_prepare_v2(p->db,
                              "SELECT id FROM chat_messages WHERE conversation_id = ?1 AND seq <= ?2 ORDER BY seq",
                              -1, &pSrc, 0);
      if (rc == SQLITE_OK) {
        sqlite3_bind_int64(pSrc, 1, iConv);
        sqlite3_bind_int64(pSrc, 2, iAt);
        sqlite3_bind_int64(pStmt, 2, *piNew);
        while (rc == SQLITE_OK && (rc = sqlite3_step(pSrc)) == SQLITE_ROW) {
          sqlite3_bind_int64(pStmt, 1, sqlite3_column_int64(pSrc, 0));
          rc = cfStepOnce(pStmt);
          if (rc != SQLITE_OK) break; /* not reset here: see below */
          sqlite3_reset(pStmt);
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
      }
      /* Finalizing pSrc sets the connection's error to its own ("not an
      ** error"); cfStmtDone then resets a failed pStmt, which gives the
      ** connection pStmt's message back for cfFinish. */
      sqlite3_finalize(pSrc);
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK) {
    /* The fork's current leaf: the deepest message of the source's current
    ** branch at or before at_seq (the newest copy when there is none). */
    rc = cfStmtText(
        p,
        "UPDATE chat_conversations SET current_leaf_id = coalesce(("
        "  SELECT c.id FROM chat_messages AS c WHERE c.conversation_id = ?2 AND c.seq = ("
        "   WITH RECURSIVE up(id) AS (SELECT current_leaf_id FROM chat_conversations WHERE id = ?1"
        "    UNION SELECT m.parent_id FROM chat_messages AS m, up WHERE m.id = up.id"
        "     AND m.parent_id IS NOT NULL)"
        "   SELECT max(m.seq) FROM up JOIN chat_messages AS m USING (id) WHERE m.seq <= ?3)),"
        "  current_leaf_id)"
        " WHERE id = ?2",
        &pStmt);
    if (rc == SQLITE_OK) {
      sqlite3_bind_int64(pStmt, 1, iConv);
      sqlite3_bind_int64(pStmt, 2, *piNew);
      sqlite3_bind_int64(pStmt, 3, iAt);
      rc = cfStepOnce(pStmt);
    }
    cfStmtDone(p, pStmt);
    pStmt = 0;
  }
  if (rc == SQLITE_OK) rc = cfIndexAfterInsert(p, 0);
  return rc;
}

static void cfForkFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  CfConn *p = (CfConn *)sqlite3_user_data(ctx);
  sqlite3_int64 iConv, iAt = 0, iNew = 0;
  CfJsonOpt aOpt[2] = {{"uid", CF_JT_STRING, 0, 0, 0}, {"now", CF_JT_STRING, 0, 0, 0}};
  char zNow[CF_TIMESTAMP_LEN + 1];
  char *zErr = 0;
  int rc, bAt = 0;
  if (cfArgId(ctx, argv[0], "conversation id", &iConv)) return;
  if (argc > 1 && sqlite3_value_type(argv[1]) != SQLITE_NULL) {
    char zGot[CF_VALUE_DESC_LEN];
    if (!cfValueInteger(argv[1], &iAt)) {
      cfResultError(ctx, "chatflow: at_seq must be an integer or NULL, got %s",
                    cfValueDesc(argv[1], zGot));
      return;
    }
    if (iAt < 1) {
      cfResultError(ctx, "chatflow: at_seq must be at least 1, got %lld", iAt);
      return;
    }
    bAt = 1;
  }
  if (argc > 2 && cfUidOption(ctx, argv[2], "fork_conversation", aOpt, &zErr)) goto done;
  cfNow(p, zNow);
  for (int nTry = 0;; nTry++) {
    if (cfBeginWriteResult(ctx, p)) goto done;
    rc = cfForkWrite(p, iConv, bAt, iAt, aOpt[0].zVal, zNow, &iNew, &zErr);
    if (rc != SQLITE_OK && zErr == 0 && (rc & 0xff) == SQLITE_CONSTRAINT &&
        cfJsonCheckFailed(sqlite3_errmsg(p->db))) {
      /* a copied row's JSON, or json_valid() out of memory (see
      ** cfJsonCheckFailed): undone, and tried once more; the second
      ** failure stands, with its message (not read as out of memory) */
      if (nTry == 0) {
        cfInitEnd(p, rc, &zErr);
        sqlite3_free(zErr);
        zErr = 0;
        continue;
      }
      zErr = cfWriteError(p, rc);
      if (zErr == 0) rc = SQLITE_NOMEM;
    }
    break;
  }
  if (cfFinish(ctx, p, rc, &zErr) == SQLITE_OK) sqlite3_result_int64(ctx, iNew);
done:
  if (zErr) {
    cfResultErrorMsg(ctx, zErr);
  }
  cfJsonOptionsFree(aOpt, 2);
}

/* The per-call time (the option now): see CF_TIMED in chatflow_int.h. */
CF_TIMED(cfImportFunc)
CF_TIMED(cfForkFunc)

int cfRegisterExport(sqlite3 *db, CfConn *p) {
  static const CfFuncDef aFunc[] = {
    /* read the database: safe anywhere, but not deterministic */
    {"export_conversation", 1, CF_READS, cfExportFunc},
    {"export_conversation", 2, CF_READS, cfExportFunc},
    /* write the database */
    {"import_conversation", 2, CF_WRITES, cfImportFunc},
    {"import_conversation", 3, CF_WRITES, cfImportFuncTimed},
    {"fork_conversation", 1, CF_WRITES, cfForkFunc},
    {"fork_conversation", 2, CF_WRITES, cfForkFunc},
    {"fork_conversation", 3, CF_WRITES, cfForkFuncTimed},
    /* a function of its argument only */
    {"chatflow_base64", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, cfBase64Func},
  };
  return cfRegisterFuncs(db, p, aFunc, (int)(sizeof(aFunc) / sizeof(aFunc[0])));
}
