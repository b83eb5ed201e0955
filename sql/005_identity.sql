-- chatflow schema migration 005 (version 0.2): identity and integrity.
-- Applied by chatflow_init() after 004.
--
-- * Ids of conversations, messages, runs, proposals and events are never
--   reused (AUTOINCREMENT), also after the row with the highest id is
--   purged, and a raw INSERT cannot pick an id that was used before.  The
--   five tables are rebuilt for it: data, ids and counters are copied as
--   they are (through scratch tables: two copies of every row; the
--   full-text index is kept, its rowids do not change).
-- * A checkpoint named run_<n> is saved only while run n is active, and a
--   new run never inherits a stale one.
-- * A deleted conversation takes no writes until it is restored, and
--   deleting it cancels its active run.
-- * Text that raw SQL writes: no NUL character in the text columns, no
--   \u0000 or lone surrogate escape in the JSON columns.
-- * The counters are guarded by counter_stamp, moved in the same UPDATE,
--   instead of a table written twice per message.
-- * The list preview is cut in C at a grapheme boundary (conversation_list),
--   no longer stored: last_message_preview leaves chat_conversations.
-- * Trigram indexes for search in scripts written without spaces, and emoji.
-- * Runs can wait in a queue behind the conversation's active run (status
--   queued; the schema starts the oldest when the active run ends or is
--   deleted) and can expire while they wait for a person (status expired,
--   awaiting_ttl_seconds, expires_at).
-- * Streaming drafts (docs/drafts.md): chat_messages.status ('complete',
--   'streaming', 'aborted'; every earlier message complete) and streamed_at.
--   A draft's content only grows, by appending, while it streams; its status
--   moves once; it counts 0 tokens and stays out of the search indexes until
--   it finishes; deleting its conversation aborts it.

-- ---------------------------------------------------------------------------
-- Rebuild with AUTOINCREMENT
--
-- The rows are copied to scratch tables without constraints, the old
-- tables dropped children first (with PRAGMA foreign_keys on, DROP TABLE
-- deletes the rows first: no cascade then reaches a row that is still
-- needed), the new tables created under the fixed names and filled back,
-- parents first.  (Neither ALTER TABLE RENAME nor TEMP tables: either
-- touches the temp schema, after which SQLite 3.40 cannot checkpoint on
-- this connection once it switches to WAL, until its next write.)  Their
-- triggers and indexes go with the old tables; the triggers of other
-- tables that name a rebuilt table, and the view, are recreated below.

DROP VIEW run_events;
DROP TRIGGER workflow_definitions_check_insert;
DROP TRIGGER workflow_definitions_check_update;
DROP TRIGGER workflow_definitions_check_delete;

CREATE TABLE main.chatflow_v4_conversations AS SELECT * FROM main.chat_conversations;
CREATE TABLE main.chatflow_v4_runs AS SELECT * FROM main.workflow_runs;
CREATE TABLE main.chatflow_v4_messages AS SELECT * FROM main.chat_messages;
CREATE TABLE main.chatflow_v4_run_events AS SELECT * FROM main.workflow_run_events;
CREATE TABLE main.chatflow_v4_proposals AS SELECT * FROM main.workflow_proposals;

DROP TABLE main.chat_messages;
DROP TABLE main.workflow_run_events;
DROP TABLE main.workflow_proposals;
DROP TABLE main.workflow_runs;
DROP TABLE main.chat_conversations;

CREATE TABLE chat_conversations (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  uid             TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16))))
                  CONSTRAINT "chatflow: conversation uid must be text of 1 to 64 characters"
                  CHECK (length(uid) BETWEEN 1 AND 64),
  owner           TEXT NOT NULL
                  CONSTRAINT "chatflow: conversation owner must be text of 1 to 200 characters"
                  CHECK (length(owner) BETWEEN 1 AND 200),
  key             TEXT
                  CONSTRAINT "chatflow: conversation key must be text of 1 to 200 characters (or NULL)"
                  CHECK (key IS NULL OR length(key) BETWEEN 1 AND 200),
  title           TEXT
                  CONSTRAINT "chatflow: conversation title must be at most 200 characters (or NULL)"
                  CHECK (title IS NULL OR length(title) <= 200),
  visibility      TEXT NOT NULL DEFAULT 'private'
                  CONSTRAINT "chatflow: visibility must be private or public"
                  CHECK (visibility IN ('private', 'public')),
  model           TEXT,
  agent           TEXT,
  -- (the JSON CHECKs' names all read "must be a JSON": cfJsonCheckFailed)
  context         TEXT NOT NULL DEFAULT '{}'
                  CONSTRAINT "chatflow: conversation context must be a JSON object"
                  CHECK (json_valid(context) AND json_type(context) = 'object'),
  metadata        TEXT NOT NULL DEFAULT '{}'
                  CONSTRAINT "chatflow: conversation metadata must be a JSON object"
                  CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  pinned_at       TEXT,
  archived_at     TEXT,
  deleted_at      TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- maintained by the triggers on chat_messages; never written by hand
  message_count   INTEGER NOT NULL DEFAULT 0
                  CONSTRAINT "chatflow: message_count must not be negative" CHECK (message_count >= 0),
  last_seq        INTEGER NOT NULL DEFAULT 0
                  CONSTRAINT "chatflow: last_seq must not be negative" CHECK (last_seq >= 0),
  total_tokens    INTEGER NOT NULL DEFAULT 0
                  CONSTRAINT "chatflow: total_tokens must not be negative" CHECK (total_tokens >= 0),
  last_message_at TEXT,
  -- where a fork came from (fork_conversation)
  forked_from_id  INTEGER,
  forked_at_seq   INTEGER,
  -- moved by the message triggers with every change of the counters above
  -- (chat_conversations_counters_guard refuses a change without it)
  counter_stamp   INTEGER NOT NULL DEFAULT 0,
  -- message trees: the message the current branch ends at (the message
  -- added last, or the one switch_branch chose; NULL without messages),
  -- and 1 once a message was added under anything but the newest message
  -- (a regenerate, an edit, a message after switch_branch): while 0 the
  -- messages form one chain and history reads them by seq
  current_leaf_id INTEGER,
  branched        INTEGER NOT NULL DEFAULT 0
                  CONSTRAINT "chatflow: branched must be 0 or 1" CHECK (branched IN (0, 1)),
  UNIQUE (owner, key)
) STRICT;

CREATE TABLE workflow_runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id  INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  workflow         TEXT NOT NULL REFERENCES workflow_definitions (name),
  status           TEXT NOT NULL DEFAULT 'started'
                   CONSTRAINT "chatflow: status must be started, awaiting_clarification, awaiting_approval, processing, completed, failed, cancelled, queued or expired"
                   CHECK (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval'
                          OR status = 'processing' OR status = 'completed' OR status = 'failed'
                          OR status = 'cancelled' OR status = 'queued' OR status = 'expired'),
  current_step     TEXT,   -- the workflow's first step when omitted (trigger)
  -- (the JSON CHECKs' names all read "must be a JSON": cfJsonCheckFailed)
  state            TEXT NOT NULL DEFAULT '{}'
                   CONSTRAINT "chatflow: run state must be a JSON object"
                   CHECK (json_valid(state) AND json_type(state) = 'object'),
  business_context TEXT NOT NULL DEFAULT '{}'
                   CONSTRAINT "chatflow: run business_context must be a JSON object"
                   CHECK (json_valid(business_context) AND json_type(business_context) = 'object'),
  clarifications   TEXT NOT NULL DEFAULT '[]'
                   CONSTRAINT "chatflow: run clarifications must be a JSON array"
                   CHECK (json_valid(clarifications) AND json_type(clarifications) = 'array'),
  error            TEXT,
  lease_expires_at TEXT,
  started_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  completed_at     TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- how long the run may wait for a person: NULL = the setting
  -- runs.awaiting_ttl_seconds (none when unset), 0 = no limit
  awaiting_ttl_seconds INTEGER
                   CONSTRAINT "chatflow: awaiting_ttl_seconds must be an integer from 0 to 31536000"
                   CHECK (awaiting_ttl_seconds IS NULL OR awaiting_ttl_seconds BETWEEN 0 AND 31536000),
  -- while the run awaits: when expire_stale_runs() expires it (trigger)
  expires_at       TEXT,
  -- the caller's key of the run (start_run option uid): a start_run with
  -- a uid the conversation has is a retry; unique per conversation, never
  -- changes
  uid              TEXT
                   CONSTRAINT "chatflow: run uid must be text of 1 to 128 characters"
                   CHECK (uid IS NULL OR length(uid) BETWEEN 1 AND 128)
) STRICT;

CREATE TABLE chat_messages (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  seq             INTEGER  -- next seq when omitted (trigger)
                  CONSTRAINT "chatflow: message seq must be a positive integer (NULL: the next)"
                  CHECK (seq IS NULL OR seq > 0),
  run_id          INTEGER REFERENCES workflow_runs (id) ON DELETE CASCADE,
  role            TEXT NOT NULL
                  CONSTRAINT "chatflow: role must be system, user, assistant or tool"
                  CHECK (role = 'system' OR role = 'user' OR role = 'assistant' OR role = 'tool'),
  type            TEXT
                  CONSTRAINT "chatflow: message type must be 1 to 64 characters of a-z, 0-9, _, . and -"
                  CHECK (type IS NULL OR (length(type) BETWEEN 1 AND 64
                                          AND type NOT GLOB '*[^a-z0-9_.-]*')),
  content         TEXT NOT NULL DEFAULT '',
  -- (the JSON CHECKs' names all read "must be a JSON": cfJsonCheckFailed)
  parts           TEXT
                  CONSTRAINT "chatflow: message parts must be a JSON array (or NULL)"
                  CHECK (parts IS NULL OR (json_valid(parts) AND json_type(parts) = 'array')),
  attachments     TEXT
                  CONSTRAINT "chatflow: message attachments must be a JSON array (or NULL)"
                  CHECK (attachments IS NULL
                         OR (json_valid(attachments) AND json_type(attachments) = 'array')),
  workflow_step   TEXT,
  metadata        TEXT
                  CONSTRAINT "chatflow: message metadata must be a JSON object (or NULL)"
                  CHECK (metadata IS NULL
                         OR (json_valid(metadata) AND json_type(metadata) = 'object')),
  tokens          INTEGER  -- estimated when omitted
                  CONSTRAINT "chatflow: message tokens must be an integer from 0 to 1000000000 or NULL"
                  CHECK (tokens IS NULL OR tokens BETWEEN 0 AND 1000000000),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- the message this one follows (message trees), NULL for a first one.
  -- A raw INSERT that omits it (or gives NULL) follows the conversation's
  -- current leaf; 0 makes the message a new first one (a root).
  parent_id       INTEGER
                  CONSTRAINT "chatflow: message parent_id must be a message id, 0 (no parent) or NULL (the current leaf)"
                  CHECK (parent_id IS NULL OR parent_id >= 0),
  -- the caller's key of the message (an AI SDK UIMessage id; the retry key
  -- of add_message): unique in its conversation, random when not given
  uid             TEXT NOT NULL DEFAULT (lower(hex(randomblob(16))))
                  CONSTRAINT "chatflow: message uid must be text of 1 to 128 characters"
                  CHECK (length(uid) BETWEEN 1 AND 128),
  -- streaming drafts (docs/drafts.md): 'streaming' while begin_message's
  -- draft takes appends, then 'complete' (finish_message) or 'aborted'
  -- (abort_message, expire_stale_runs); every message of 0.1 is complete
  status          TEXT NOT NULL DEFAULT 'complete'
                  CONSTRAINT "chatflow: message status must be complete, streaming or aborted"
                  CHECK (status = 'complete' OR status = 'streaming' OR status = 'aborted'),
  -- a draft's last write (begin_message, append_message); a draft idle for
  -- messages.draft_timeout_seconds is aborted by expire_stale_runs()
  streamed_at     TEXT,
  -- (named: SQLite gives an unnamed first table constraint the name of the
  -- last column's constraint)
  -- (a tool result answering a call may be empty: the output of a tool
  -- run for its side effect; OpenAI takes a tool message's "content": "")
  -- C: cfSqlEmptyContent CHECK
  CONSTRAINT "chatflow: message content must not be empty unless parts are given or it is a tool result (tool_call_id)"
  CHECK (content <> '' OR status <> 'complete' OR (parts IS NOT NULL AND json_array_length(parts) > 0)
         OR (role = 'tool' AND json_type(metadata, '$.tool_call_id') IS 'text'
             AND json_extract(metadata, '$.tool_call_id') <> '')),
  UNIQUE (conversation_id, seq),
  UNIQUE (conversation_id, uid)
) STRICT;

CREATE TABLE workflow_run_events (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id      INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  from_step   TEXT,
  to_step     TEXT,
  detail      TEXT
              CONSTRAINT "chatflow: event detail must be a JSON text (or NULL)"
              CHECK (detail IS NULL OR json_valid(detail)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE workflow_proposals (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  kind          TEXT NOT NULL
                CONSTRAINT "chatflow: proposal kind must be text of 1 to 64 characters"
                CHECK (length(kind) BETWEEN 1 AND 64),
  proposed_name TEXT NOT NULL
                CONSTRAINT "chatflow: proposal proposed_name must be text of 1 to 500 characters"
                CHECK (length(proposed_name) BETWEEN 1 AND 500),
  approved_name TEXT
                CONSTRAINT "chatflow: proposal approved_name must be text of 1 to 500 characters (or NULL)"
                CHECK (approved_name IS NULL OR length(approved_name) BETWEEN 1 AND 500),
  rationale     TEXT,
  user_approved INTEGER NOT NULL DEFAULT 0
                CONSTRAINT "chatflow: proposal user_approved must be 0 or 1" CHECK (user_approved IN (0, 1)),
  approved_at   TEXT,
  validated     INTEGER NOT NULL DEFAULT 0
                CONSTRAINT "chatflow: proposal validated must be 0 or 1" CHECK (validated IN (0, 1)),
  validated_at  TEXT,
  -- (named "must be a JSON", as every JSON CHECK: cfJsonCheckFailed)
  validation    TEXT
                CONSTRAINT "chatflow: proposal validation must be a JSON text (or NULL)"
                CHECK (validation IS NULL OR json_valid(validation)),
  ref           TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- reject_proposal: when and why; a proposal is approved or rejected, not both
  rejected_at      TEXT,
  rejection_reason TEXT
                   CONSTRAINT "chatflow: proposal rejection_reason must be text of 1 to 2000 characters (or NULL)"
                   CHECK (rejection_reason IS NULL OR length(rejection_reason) BETWEEN 1 AND 2000),
  CONSTRAINT "chatflow: a proposal is approved or rejected, not both"
  CHECK (user_approved = 0 OR rejected_at IS NULL)
) STRICT;

INSERT INTO main.chat_conversations (
  id, uid, owner, key, title, visibility, model, agent, context, metadata,
  pinned_at, archived_at, deleted_at, created_at, updated_at, message_count,
  last_seq, total_tokens, last_message_at, forked_from_id, forked_at_seq,
  current_leaf_id)
SELECT
  id, uid, owner, key, title, visibility, model, agent, context, metadata,
  pinned_at, archived_at, deleted_at, created_at, updated_at,
  -- the counters recounted: 0.1's triggers could leave total_tokens short
  -- (an UPDATE of tokens from NULL), and no UPDATE can repair them later
  (SELECT count(*) FROM main.chatflow_v4_messages AS m WHERE m.conversation_id = c.id),
  max(last_seq, coalesce((SELECT max(m.seq) FROM main.chatflow_v4_messages AS m
                           WHERE m.conversation_id = c.id), 0)),
  (SELECT coalesce(sum(min(m.tokens, 1000000000)), 0) FROM main.chatflow_v4_messages AS m
    WHERE m.conversation_id = c.id),
  (SELECT m.created_at FROM main.chatflow_v4_messages AS m
    WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1),
  forked_from_id, forked_at_seq,
  (SELECT m.id FROM main.chatflow_v4_messages AS m
    WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1)
  FROM main.chatflow_v4_conversations AS c ORDER BY id;

INSERT INTO main.workflow_runs (
  id, conversation_id, workflow, status, current_step, state,
  business_context, clarifications, error, lease_expires_at, started_at,
  completed_at, created_at, updated_at)
SELECT
  id, conversation_id, workflow, status, current_step, state,
  business_context, clarifications, error,
  -- an ended run holds no lease and has its completed_at (raw SQL of 0.1
  -- could leave either; 0.2's triggers keep both from then on)
  CASE WHEN status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'expired'
       THEN NULL ELSE lease_expires_at END,
  started_at,
  CASE WHEN status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'expired'
       THEN coalesce(completed_at, updated_at) ELSE completed_at END,
  created_at, updated_at
  FROM main.chatflow_v4_runs ORDER BY id;

INSERT INTO main.chat_messages (
  id, conversation_id, seq, run_id, role, type, content, parts, attachments,
  workflow_step, metadata, tokens, created_at, parent_id)
SELECT
  id, conversation_id, seq, run_id, role, type, content, parts, attachments,
  workflow_step, metadata,
  -- 0.2 bounds a message's tokens (CF_MAX_TOKENS); 0.1 did not
  min(tokens, 1000000000), created_at,
  -- a conversation of 0.1 is one chain: each message follows the one before
  lag(id) OVER (PARTITION BY conversation_id ORDER BY seq)
  FROM main.chatflow_v4_messages ORDER BY id;

INSERT INTO main.workflow_run_events (
  id, run_id, from_status, to_status, from_step, to_step, detail, created_at)
SELECT
  id, run_id, from_status, to_status, from_step, to_step, detail, created_at
  FROM main.chatflow_v4_run_events ORDER BY id;

INSERT INTO main.workflow_proposals (
  id, run_id, kind, proposed_name, approved_name, rationale, user_approved,
  approved_at, validated, validated_at, validation, ref, created_at)
SELECT
  id, run_id, kind, proposed_name, approved_name, rationale, user_approved,
  approved_at, validated, validated_at, validation, ref, created_at
  FROM main.chatflow_v4_proposals ORDER BY id;

DROP TABLE main.chatflow_v4_messages;
DROP TABLE main.chatflow_v4_run_events;
DROP TABLE main.chatflow_v4_proposals;
DROP TABLE main.chatflow_v4_runs;
DROP TABLE main.chatflow_v4_conversations;

-- The counters' guard no longer needs a table written twice per message:
-- the message triggers move counter_stamp with the counters instead.
DROP TABLE chatflow_counter_guard;

-- Checkpoints of runs that are not active are stale (a late writer's).
DELETE FROM workflow_interrupts
 WHERE workflow_id GLOB 'run_[1-9]*' AND substr(workflow_id, 5) NOT GLOB '*[^0-9]*'
   AND length(workflow_id) <= 23
   AND NOT EXISTS (SELECT 1 FROM workflow_runs
                    WHERE id = CAST(substr(workflow_interrupts.workflow_id, 5) AS INTEGER)
                      AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));

-- Indexes, as before, but for 0.1's chat_conversations_owner_updated
-- (owner, updated_at): no chatflow query reads it (conversation_list reads
-- chat_conversations_list, which also begins with owner), and every
-- message moved its entry (one page more in each message's commit: 10-14 %
-- of an add_message in its own transaction, measured).  A caller whose own
-- queries want such an index creates one of its own, under its own name.
CREATE INDEX workflow_runs_conversation ON workflow_runs (conversation_id);
CREATE UNIQUE INDEX workflow_runs_one_active ON workflow_runs (conversation_id)
  WHERE (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing');
CREATE INDEX chat_messages_run ON chat_messages (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX chat_messages_system ON chat_messages (conversation_id, seq) WHERE role = 'system';
CREATE INDEX workflow_run_events_run ON workflow_run_events (run_id, id);
CREATE INDEX workflow_proposals_run ON workflow_proposals (run_id);
CREATE INDEX workflow_runs_lease ON workflow_runs (lease_expires_at)
  WHERE lease_expires_at IS NOT NULL;
CREATE INDEX workflow_runs_expiry ON workflow_runs (expires_at)
  WHERE expires_at IS NOT NULL;
-- a conversation's queue, oldest (smallest id: first committed) first
CREATE INDEX workflow_runs_queue ON workflow_runs (conversation_id, id)
  WHERE status = 'queued';
-- the retry key of start_run, unique per conversation
CREATE UNIQUE INDEX workflow_runs_uid ON workflow_runs (conversation_id, uid)
  WHERE uid IS NOT NULL;
CREATE INDEX chat_conversations_list ON chat_conversations (
  owner, (deleted_at IS NOT NULL), (archived_at IS NOT NULL), (pinned_at IS NOT NULL),
  updated_at, id);
CREATE INDEX chat_conversations_deleted ON chat_conversations (deleted_at)
  WHERE deleted_at IS NOT NULL;
CREATE INDEX chat_conversations_activity ON chat_conversations (
  coalesce(last_message_at, created_at)) WHERE deleted_at IS NULL AND archived_at IS NULL;
CREATE INDEX chat_messages_created ON chat_messages (created_at);
-- a message's children (switch_branch, message_siblings, a deleted
-- parent's children moved up) and a conversation's roots
CREATE INDEX chat_messages_parent ON chat_messages (parent_id, conversation_id);
-- the drafts that still stream (expire_stale_runs); an append changes
-- neither column, so it leaves the index alone
CREATE INDEX chat_messages_streaming ON chat_messages (id) WHERE status = 'streaming';

-- The run's audit trail, readably (as in 002).
CREATE VIEW run_events AS
SELECT e.run_id,
       e.id AS event_id,
       e.created_at AS at,
       coalesce(e.from_status, '(new)') || ' -> ' || e.to_status AS transition,
       CASE WHEN e.from_step IS e.to_step THEN e.to_step
            ELSE coalesce(e.from_step, '(new)') || ' -> ' || e.to_step END AS step,
       e.from_status, e.to_status, e.from_step, e.to_step, e.detail
  FROM workflow_run_events AS e;

-- Each conversation's queue of runs waiting for its active run to end, in
-- the order they start (position 1 starts next).
CREATE VIEW run_queue AS
SELECT q.conversation_id,
       row_number() OVER (PARTITION BY q.conversation_id ORDER BY q.id) AS position,
       q.id AS run_id,
       q.workflow,
       q.created_at AS queued_at,
       (SELECT a.id FROM workflow_runs AS a
         WHERE a.conversation_id = q.conversation_id
           AND (a.status = 'started' OR a.status = 'awaiting_clarification'
                OR a.status = 'awaiting_approval' OR a.status = 'processing')) AS behind_run_id
  FROM workflow_runs AS q
 WHERE q.status = 'queued';

-- The run state machine, as data: every allowed move between two different
-- statuses.  workflow_runs_check_update refuses any other, the functions
-- read it for their messages (ext/runs.c), and a later version changes the
-- machine by changing rows here.
CREATE TABLE workflow_run_transitions (
  from_status TEXT NOT NULL,
  to_status   TEXT NOT NULL,
  PRIMARY KEY (from_status, to_status)
) STRICT, WITHOUT ROWID;
INSERT INTO workflow_run_transitions (from_status, to_status) VALUES
  ('started', 'processing'),
  ('started', 'awaiting_clarification'),
  ('started', 'awaiting_approval'),
  ('started', 'completed'),
  ('started', 'failed'),
  ('started', 'cancelled'),
  ('processing', 'awaiting_clarification'),
  ('processing', 'awaiting_approval'),
  ('processing', 'completed'),
  ('processing', 'failed'),
  ('processing', 'cancelled'),
  ('awaiting_clarification', 'processing'),
  ('awaiting_clarification', 'failed'),
  ('awaiting_clarification', 'cancelled'),
  ('awaiting_clarification', 'expired'),
  ('awaiting_approval', 'processing'),
  ('awaiting_approval', 'failed'),
  ('awaiting_approval', 'cancelled'),
  ('awaiting_approval', 'expired'),
  ('queued', 'started'),
  ('queued', 'cancelled');
CREATE TRIGGER workflow_run_transitions_insert BEFORE INSERT ON workflow_run_transitions
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_transitions is the run state machine; only chatflow''s migrations change it');
END;
CREATE TRIGGER workflow_run_transitions_update BEFORE UPDATE ON workflow_run_transitions
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_transitions is the run state machine; only chatflow''s migrations change it');
END;
CREATE TRIGGER workflow_run_transitions_delete BEFORE DELETE ON workflow_run_transitions
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_transitions is the run state machine; only chatflow''s migrations change it');
END;

-- ---------------------------------------------------------------------------
-- Conversations

CREATE TRIGGER chat_conversations_counters_insert
BEFORE INSERT ON chat_conversations
WHEN NEW.message_count <> 0 OR NEW.last_seq <> 0 OR NEW.total_tokens <> 0
     OR NEW.last_message_at IS NOT NULL OR NEW.current_leaf_id IS NOT NULL OR NEW.branched <> 0
BEGIN
  SELECT RAISE(ABORT, 'chatflow: message_count, last_seq, total_tokens, last_message_at, current_leaf_id and branched are maintained by chatflow; omit them');
END;
-- updated_at for a change that does not set it, when the clock is past
-- the stamp the row has: one in the same millisecond keeps it (no second
-- write of the same value), and a clock behind it (a writer whose clock
-- lags) too: updated_at never moves backwards, or a list walk's cursor
-- would meet the conversation again
CREATE TRIGGER chat_conversations_touch
AFTER UPDATE OF owner, key, title, visibility, model, agent, context, metadata,
                pinned_at, archived_at, deleted_at ON chat_conversations
WHEN NEW.updated_at IS OLD.updated_at
 AND julianday(NEW.updated_at) < julianday(coalesce((SELECT now FROM chatflow_statement_clock), 'now'))
BEGIN
  UPDATE chat_conversations
     SET updated_at = coalesce((SELECT now FROM chatflow_statement_clock),
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE id = NEW.id;
END;
CREATE TRIGGER chat_conversations_cascade
AFTER DELETE ON chat_conversations
BEGIN
  DELETE FROM workflow_runs WHERE conversation_id = OLD.id;
  DELETE FROM chat_messages WHERE conversation_id = OLD.id;
END;
CREATE TRIGGER chat_conversations_no_replace
BEFORE INSERT ON chat_conversations
WHEN (NEW.id > 0 AND EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.id))
  OR EXISTS (SELECT 1 FROM chat_conversations WHERE uid = NEW.uid)
  OR (NEW.key IS NOT NULL
      AND EXISTS (SELECT 1 FROM chat_conversations WHERE owner = NEW.owner AND key = NEW.key))
  OR (NEW.id > 0 AND NEW.id <= (SELECT seq FROM sqlite_sequence WHERE name = 'chat_conversations'))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a conversation with this id, uid or (owner, key) already exists; change it with UPDATE')
   WHERE (NEW.id > 0 AND EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.id))
      OR EXISTS (SELECT 1 FROM chat_conversations WHERE uid = NEW.uid)
      OR (NEW.key IS NOT NULL
          AND EXISTS (SELECT 1 FROM chat_conversations WHERE owner = NEW.owner AND key = NEW.key));
  SELECT RAISE(ABORT, 'chatflow: conversation ids are never reused; omit id');
END;
CREATE TRIGGER chat_conversations_id_fixed
BEFORE UPDATE OF id ON chat_conversations WHEN NEW.id IS NOT OLD.id
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a conversation id cannot change');
END;
CREATE TRIGGER chat_conversations_id_positive AFTER INSERT ON chat_conversations
WHEN NEW.id <= 0 OR NEW.id > 9007199254740991
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive') WHERE NEW.id <= 0;
  SELECT RAISE(ABORT, 'chatflow: ids must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)');
END;
-- A conversation's owner and uid never change (URLs and access checks rest
-- on them); its key may, unique per owner.  UPDATE OF owner, key, uid: the
-- message triggers' counter updates do not fire it.
CREATE TRIGGER chat_conversations_unique_update
BEFORE UPDATE OF owner, key, uid ON chat_conversations
WHEN NEW.owner IS NOT OLD.owner OR NEW.uid IS NOT OLD.uid
  OR (NEW.key IS NOT NULL
      AND EXISTS (SELECT 1 FROM chat_conversations
                   WHERE owner = NEW.owner AND key = NEW.key AND id <> NEW.id))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a conversation''s owner and uid never change')
   WHERE NEW.owner IS NOT OLD.owner OR NEW.uid IS NOT OLD.uid;
  SELECT RAISE(ABORT, 'chatflow: another conversation of this owner has this key');
END;
CREATE TRIGGER chat_conversations_time_insert
BEFORE INSERT ON chat_conversations
WHEN (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001')
   OR (NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.updated_at, '+0 days') IS NOT substr(NEW.updated_at, 1, 10) OR substr(NEW.updated_at, 12, 2) > '23') OR NEW.updated_at < '0001')
   OR (NEW.pinned_at IS NOT NULL AND (NEW.pinned_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.pinned_at, '+0 days') IS NOT substr(NEW.pinned_at, 1, 10) OR substr(NEW.pinned_at, 12, 2) > '23') OR NEW.pinned_at < '0001'))
   OR (NEW.archived_at IS NOT NULL AND (NEW.archived_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.archived_at, '+0 days') IS NOT substr(NEW.archived_at, 1, 10) OR substr(NEW.archived_at, 12, 2) > '23') OR NEW.archived_at < '0001'))
   OR (NEW.deleted_at IS NOT NULL AND (NEW.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.deleted_at, '+0 days') IS NOT substr(NEW.deleted_at, 1, 10) OR substr(NEW.deleted_at, 12, 2) > '23') OR NEW.deleted_at < '0001'))
   OR (NEW.last_message_at IS NOT NULL AND (NEW.last_message_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.last_message_at, '+0 days') IS NOT substr(NEW.last_message_at, 1, 10) OR substr(NEW.last_message_at, 12, 2) > '23') OR NEW.last_message_at < '0001'))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;
CREATE TRIGGER chat_conversations_time_update
BEFORE UPDATE OF created_at, pinned_at, archived_at, deleted_at ON chat_conversations
WHEN (NEW.created_at IS NOT OLD.created_at AND NEW.created_at IS NOT NULL AND (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001'))
   OR (NEW.pinned_at IS NOT OLD.pinned_at AND NEW.pinned_at IS NOT NULL AND (NEW.pinned_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.pinned_at, '+0 days') IS NOT substr(NEW.pinned_at, 1, 10) OR substr(NEW.pinned_at, 12, 2) > '23') OR NEW.pinned_at < '0001'))
   OR (NEW.archived_at IS NOT OLD.archived_at AND NEW.archived_at IS NOT NULL AND (NEW.archived_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.archived_at, '+0 days') IS NOT substr(NEW.archived_at, 1, 10) OR substr(NEW.archived_at, 12, 2) > '23') OR NEW.archived_at < '0001'))
   OR (NEW.deleted_at IS NOT OLD.deleted_at AND NEW.deleted_at IS NOT NULL AND (NEW.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.deleted_at, '+0 days') IS NOT substr(NEW.deleted_at, 1, 10) OR substr(NEW.deleted_at, 12, 2) > '23') OR NEW.deleted_at < '0001'))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;
-- Every rule on the columns that a message's counters UPDATE sets (the
-- counters, counter_stamp, last_seq, last_message_at, updated_at, the
-- current leaf and branched), in one trigger: that UPDATE, run for every
-- message added or deleted, fires this trigger alone (each trigger that
-- fires costs a frame of its own).  Outside the message triggers (which
-- move counter_stamp) the current leaf may be set to any message of the
-- conversation (switch_branch does).
CREATE TRIGGER chat_conversations_counters_guard
BEFORE UPDATE OF message_count, total_tokens, last_message_at, counter_stamp, last_seq, updated_at,
                 current_leaf_id, branched
ON chat_conversations
BEGIN
  SELECT CASE
    WHEN ((NEW.message_count IS NOT OLD.message_count OR NEW.total_tokens IS NOT OLD.total_tokens
           OR NEW.last_message_at IS NOT OLD.last_message_at OR NEW.branched IS NOT OLD.branched)
          AND NEW.counter_stamp IS NOT OLD.counter_stamp + 1)
      OR (NEW.counter_stamp IS NOT OLD.counter_stamp AND NEW.counter_stamp IS NOT OLD.counter_stamp + 1)
      THEN RAISE(ABORT, 'chatflow: message_count, total_tokens, last_message_at and branched follow the messages; they cannot be set by hand')
    WHEN NEW.last_seq < OLD.last_seq
      THEN RAISE(ABORT, 'chatflow: last_seq is maintained by chatflow and never decreases')
    WHEN NEW.last_seq > 9007199254740991
      THEN RAISE(ABORT, 'chatflow: message seq must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)')
    WHEN NEW.branched < OLD.branched
      THEN RAISE(ABORT, 'chatflow: branched is maintained by chatflow and never goes back to 0')
    WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NOT NULL
     AND (NEW.last_seq IS NOT OLD.last_seq
          OR (NEW.current_leaf_id IS NOT OLD.current_leaf_id AND NEW.counter_stamp IS OLD.counter_stamp))
      THEN RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before changing it')
    -- (NULL only when the conversation has no message left)
    WHEN NEW.current_leaf_id IS NOT OLD.current_leaf_id
     AND CASE WHEN NEW.current_leaf_id IS NULL
              THEN EXISTS (SELECT 1 FROM chat_messages WHERE conversation_id = NEW.id)
              ELSE NOT EXISTS (SELECT 1 FROM chat_messages WHERE id = NEW.current_leaf_id AND conversation_id = NEW.id) END
      THEN RAISE(ABORT, 'chatflow: current_leaf_id must be a message of this conversation')
    -- an UPDATE that sets updated_at more than 60 s past the clock (the
    -- message triggers, which move counter_stamp, follow a message's time)
    WHEN NEW.counter_stamp IS OLD.counter_stamp AND NEW.updated_at IS NOT OLD.updated_at
     AND NEW.updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
     AND NEW.updated_at > strftime('%Y-%m-%dT%H:%M:%fZ',
           coalesce((SELECT now FROM chatflow_statement_clock), 'now'), '+60 seconds')
      THEN RAISE(ABORT, 'chatflow: updated_at must not be more than 60 seconds past the clock')
    WHEN (NEW.updated_at IS NOT OLD.updated_at AND NEW.updated_at IS NOT NULL AND NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
      OR (NEW.last_message_at IS NOT OLD.last_message_at AND NEW.last_message_at IS NOT NULL
          AND NEW.last_message_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
      -- an updated_at set by hand is a time that exists, from year 1, as
      -- import_conversation takes it (the message triggers, which move
      -- counter_stamp, stamp a message's checked time or the clock's)
      OR (NEW.counter_stamp IS OLD.counter_stamp AND NEW.updated_at IS NOT OLD.updated_at
          AND ((date(NEW.updated_at, '+0 days') IS NOT substr(NEW.updated_at, 1, 10) OR substr(NEW.updated_at, 12, 2) > '23') OR NEW.updated_at < '0001'))
      THEN RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
  END;
END;
CREATE TRIGGER chat_titles_fts_insert
AFTER INSERT ON chat_conversations
WHEN NEW.title IS NOT NULL
BEGIN
  INSERT INTO chat_titles_fts (rowid, title) VALUES (NEW.id, NEW.title);
END;
CREATE TRIGGER chat_titles_fts_update
AFTER UPDATE OF title ON chat_conversations
WHEN NEW.title IS NOT OLD.title
BEGIN
  INSERT INTO chat_titles_fts (chat_titles_fts, rowid, title)
  SELECT 'delete', OLD.id, OLD.title WHERE OLD.title IS NOT NULL;
  INSERT INTO chat_titles_fts (rowid, title)
  SELECT NEW.id, NEW.title WHERE NEW.title IS NOT NULL;
END;
CREATE TRIGGER chat_titles_fts_delete
AFTER DELETE ON chat_conversations
WHEN OLD.title IS NOT NULL
BEGIN
  INSERT INTO chat_titles_fts (chat_titles_fts, rowid, title) VALUES ('delete', OLD.id, OLD.title);
END;
-- A deleted conversation takes no writes until restored: only the UPDATE
-- that restores it (deleted_at to NULL), what follows the messages when
-- retention deletes them (the counters, updated_at) and deletes (purge,
-- retention) pass.  (last_seq: chat_conversations_counters_guard.)  Its runs, their events and proposals, and its messages
-- are guarded below.
CREATE TRIGGER chat_conversations_deleted
BEFORE UPDATE OF uid, owner, key, title, visibility, model, agent, context, metadata, pinned_at,
                 archived_at, deleted_at, created_at, forked_from_id, forked_at_seq ON chat_conversations
WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NOT NULL
 AND (NEW.uid IS NOT OLD.uid OR NEW.owner IS NOT OLD.owner OR NEW.key IS NOT OLD.key
      OR NEW.title IS NOT OLD.title OR NEW.visibility IS NOT OLD.visibility
      OR NEW.model IS NOT OLD.model OR NEW.agent IS NOT OLD.agent
      OR NEW.context IS NOT OLD.context OR NEW.metadata IS NOT OLD.metadata
      OR NEW.pinned_at IS NOT OLD.pinned_at OR NEW.archived_at IS NOT OLD.archived_at
      OR NEW.deleted_at IS NOT OLD.deleted_at OR NEW.created_at IS NOT OLD.created_at
      OR NEW.forked_from_id IS NOT OLD.forked_from_id OR NEW.forked_at_seq IS NOT OLD.forked_at_seq)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before changing it');
END;

-- Deleting a conversation cancels its active run, whoever deletes it —
-- before the row changes, so that the cancellation (its event, its
-- checkpoint removed) is written while the conversation still takes writes.
CREATE TRIGGER chat_conversations_deleted_cancels
BEFORE UPDATE OF deleted_at ON chat_conversations
WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  -- the queue first, so that ending the active run starts none of it
  UPDATE workflow_runs SET status = 'cancelled', error = 'conversation deleted'
   WHERE conversation_id = NEW.id AND status = 'queued';
  UPDATE workflow_runs SET status = 'cancelled', error = 'conversation deleted'
   WHERE conversation_id = NEW.id AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing');
END;

-- Deleting a conversation aborts its drafts (docs/drafts.md), before the
-- row changes: a deleted conversation's messages take no writes.
CREATE TRIGGER chat_conversations_deleted_drafts
BEFORE UPDATE OF deleted_at ON chat_conversations
WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL
BEGIN
  UPDATE chat_messages
     SET status = 'aborted',
         metadata = json_set(coalesce(metadata, '{}'), '$.abort_reason', 'conversation deleted')
   WHERE conversation_id = NEW.id AND status = 'streaming';
END;

-- ---------------------------------------------------------------------------
-- Lone surrogate escapes in JSON text
--
-- SQLite 3.40 stores the escape of a lone surrogate (\ud800 without its
-- pair, \udc00 alone) as invalid UTF-8.  The text triggers below refuse it
-- in the JSON columns with these GLOB patterns, the one place they are
-- written.  Each trigger matches them against
--   t = '      ' || lower(replace(json, '\\', '_'))
-- (an escaped backslash becomes _, so that \\ud800, the text \ud800, is not
-- read as an escape; six spaces let the patterns look back from an escape
-- at the start).  The first four find a high surrogate (\ud800-\udbff) not
-- followed by a low one, the last four a low one (\udc00-\udfff) not
-- preceded by a high one.  A view: nothing can write to it, and without it
-- the triggers fail to prepare instead of letting the text in.
CREATE VIEW chatflow_lone_surrogate_globs (pattern) AS
VALUES ('*\ud[89ab]??[^\]*'), ('*\ud[89ab]??\[^u]*'), ('*\ud[89ab]??\u[^d]*'), ('*\ud[89ab]??\ud[^c-f]*'),
       ('*[^\]?????\ud[c-f]*'), ('*[^u]????\ud[c-f]*'), ('*[^d]???\ud[c-f]*'), ('*[^89ab]??\ud[c-f]*');

-- Text written by raw SQL: no NUL character (SQLite's length() and most
-- readers stop at it), no \u0000 or lone surrogate escape in JSON.
CREATE TRIGGER chat_conversations_text_insert
BEFORE INSERT ON chat_conversations
BEGIN
  SELECT RAISE(ABORT, 'chatflow: conversation owner, key, title, model or agent contains a NUL character')
   WHERE instr(CAST(NEW.owner AS BLOB), x'00') > 0 OR instr(CAST(NEW.key AS BLOB), x'00') > 0 OR instr(CAST(NEW.title AS BLOB), x'00') > 0
      OR instr(CAST(NEW.model AS BLOB), x'00') > 0 OR instr(CAST(NEW.agent AS BLOB), x'00') > 0 OR instr(CAST(NEW.uid AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: conversation context or metadata contains \u0000 (a NUL character)')
   WHERE (instr(NEW.context, '\u') > 0 AND instr(replace(NEW.context, '\\', '_'), '\u0000') > 0) OR (instr(NEW.metadata, '\u') > 0 AND instr(replace(NEW.metadata, '\\', '_'), '\u0000') > 0);
  SELECT RAISE(ABORT, 'chatflow: conversation context or metadata contains a lone surrogate')
   WHERE ((instr(NEW.context, '\ud') > 0 OR instr(NEW.context, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.context, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern))
      OR ((instr(NEW.metadata, '\ud') > 0 OR instr(NEW.metadata, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.metadata, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern));
END;

CREATE TRIGGER chat_conversations_text_update
BEFORE UPDATE OF uid, owner, key, title, model, agent, context, metadata ON chat_conversations
BEGIN
  SELECT RAISE(ABORT, 'chatflow: conversation owner, key, title, model or agent contains a NUL character')
   WHERE (NEW.owner IS NOT OLD.owner AND instr(CAST(NEW.owner AS BLOB), x'00') > 0) OR (NEW.key IS NOT OLD.key AND instr(CAST(NEW.key AS BLOB), x'00') > 0)
      OR (NEW.title IS NOT OLD.title AND instr(CAST(NEW.title AS BLOB), x'00') > 0) OR (NEW.model IS NOT OLD.model AND instr(CAST(NEW.model AS BLOB), x'00') > 0)
      OR (NEW.agent IS NOT OLD.agent AND instr(CAST(NEW.agent AS BLOB), x'00') > 0) OR (NEW.uid IS NOT OLD.uid AND instr(CAST(NEW.uid AS BLOB), x'00') > 0);
  SELECT RAISE(ABORT, 'chatflow: conversation context or metadata contains \u0000 (a NUL character)')
   WHERE (NEW.context IS NOT OLD.context AND instr(NEW.context, '\u') > 0 AND instr(replace(NEW.context, '\\', '_'), '\u0000') > 0)
      OR (NEW.metadata IS NOT OLD.metadata AND instr(NEW.metadata, '\u') > 0 AND instr(replace(NEW.metadata, '\\', '_'), '\u0000') > 0);
  SELECT RAISE(ABORT, 'chatflow: conversation context or metadata contains a lone surrogate')
   WHERE (NEW.context IS NOT OLD.context AND (instr(NEW.context, '\ud') > 0 OR instr(NEW.context, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.context, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern))
      OR (NEW.metadata IS NOT OLD.metadata AND (instr(NEW.metadata, '\ud') > 0 OR instr(NEW.metadata, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.metadata, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern));
END;

-- ---------------------------------------------------------------------------
-- Messages

-- A deleted message's children follow its parent (a deleted first message
-- makes its children first ones), so every branch keeps the messages that
-- remain of it and no parent_id names a message that is gone; a deleted
-- current leaf gives way to its parent (to the newest message when it was
-- a first one).
CREATE TRIGGER chat_messages_counters_delete
AFTER DELETE ON chat_messages
BEGIN
  UPDATE chat_messages SET parent_id = OLD.parent_id WHERE parent_id = OLD.id;
  UPDATE chat_conversations
     SET message_count = message_count - 1,
         counter_stamp = counter_stamp + 1,
         total_tokens = total_tokens - coalesce(OLD.tokens, 0),
         last_message_at = (SELECT created_at FROM chat_messages
                             WHERE conversation_id = OLD.conversation_id
                             ORDER BY seq DESC LIMIT 1),
         current_leaf_id = CASE WHEN current_leaf_id IS NOT OLD.id THEN current_leaf_id
                                ELSE coalesce(OLD.parent_id,
                                              (SELECT id FROM chat_messages
                                                WHERE conversation_id = OLD.conversation_id
                                                ORDER BY seq DESC LIMIT 1)) END
   WHERE id = OLD.conversation_id;
END;
-- parent_id never changes, except by the schema itself: the insert
-- trigger fills it in (0 to NULL; NULL to the current leaf, while the new
-- message is the conversation's newest and not yet the leaf), and a
-- deleted parent's children move up (chat_messages_counters_delete).
-- Whatever it becomes is an earlier message of the same conversation, so
-- the messages stay trees.  A trigger of its own, so that the move does
-- not run every check of an UPDATE.
CREATE TRIGGER chat_messages_parent_update
BEFORE UPDATE OF parent_id ON chat_messages
WHEN NEW.parent_id IS NOT OLD.parent_id
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a message''s parent_id cannot change; add the message again under another parent (add_message option parent_id)')
   WHERE NOT ((OLD.parent_id IS 0 AND NEW.parent_id IS NULL)
              OR (coalesce(OLD.parent_id, 0) > 0
                  AND NOT EXISTS (SELECT 1 FROM chat_messages WHERE id = OLD.parent_id))
              OR (OLD.parent_id IS NULL
                  AND NEW.parent_id IS (SELECT current_leaf_id FROM chat_conversations WHERE id = OLD.conversation_id)
                  AND NOT EXISTS (SELECT 1 FROM chat_messages
                                   WHERE conversation_id = OLD.conversation_id AND seq > NEW.seq)));
  SELECT RAISE(ABORT, 'chatflow: message parent_id names no message of this conversation')
   WHERE NEW.parent_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM chat_messages
                      WHERE id = NEW.parent_id AND conversation_id = NEW.conversation_id AND seq < NEW.seq);
END;
-- Every rule of an UPDATE of a message, in one trigger (each trigger that
-- fires costs a frame of its own): the conversation not deleted; the
-- columns that may change (tokens, type, run_id, workflow_step, metadata,
-- attachments) valid; the others unchanged (a NULL seq may be filled in
-- once, by chat_messages_after_insert).  Content and parts: the next
-- trigger, chat_messages_draft_update.
CREATE TRIGGER chat_messages_check_update
BEFORE UPDATE OF id, conversation_id, seq, run_id, role, type, attachments,
                 workflow_step, metadata, tokens, created_at, uid ON chat_messages
BEGIN
  SELECT CASE
    WHEN (SELECT deleted_at FROM chat_conversations WHERE id = OLD.conversation_id) IS NOT NULL
      THEN RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before changing its messages')
    WHEN NEW.workflow_step IS NOT OLD.workflow_step AND instr(CAST(NEW.workflow_step AS BLOB), x'00') > 0
      THEN RAISE(ABORT, 'chatflow: message workflow_step contains a NUL character')
    -- the changed JSON columns joined, as in chat_messages_check_insert
    WHEN instr((CASE WHEN NEW.attachments IS NOT OLD.attachments THEN coalesce(NEW.attachments, '') ELSE '' END || ' ' ||
                 CASE WHEN NEW.metadata IS NOT OLD.metadata THEN coalesce(NEW.metadata, '') ELSE '' END), '\u') > 0 THEN CASE
      WHEN instr(replace((CASE WHEN NEW.attachments IS NOT OLD.attachments THEN coalesce(NEW.attachments, '') ELSE '' END || ' ' ||
                 CASE WHEN NEW.metadata IS NOT OLD.metadata THEN coalesce(NEW.metadata, '') ELSE '' END), '\\', '_'), '\u0000') > 0
        THEN RAISE(ABORT, 'chatflow: message parts, attachments or metadata contain \u0000 (a NUL character)')
      WHEN (instr((CASE WHEN NEW.attachments IS NOT OLD.attachments THEN coalesce(NEW.attachments, '') ELSE '' END || ' ' ||
                 CASE WHEN NEW.metadata IS NOT OLD.metadata THEN coalesce(NEW.metadata, '') ELSE '' END), '\ud') > 0 OR instr((CASE WHEN NEW.attachments IS NOT OLD.attachments THEN coalesce(NEW.attachments, '') ELSE '' END || ' ' ||
                 CASE WHEN NEW.metadata IS NOT OLD.metadata THEN coalesce(NEW.metadata, '') ELSE '' END), '\uD') > 0)
       AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace((CASE WHEN NEW.attachments IS NOT OLD.attachments THEN coalesce(NEW.attachments, '') ELSE '' END || ' ' ||
                 CASE WHEN NEW.metadata IS NOT OLD.metadata THEN coalesce(NEW.metadata, '') ELSE '' END), '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern)
        THEN RAISE(ABORT, 'chatflow: message parts, attachments or metadata contain a lone surrogate')
    END
  END;
  SELECT CASE
    -- (the conversation's last_message_at and retention's cutoff follow it)
    WHEN NEW.created_at IS NOT OLD.created_at
      THEN RAISE(ABORT, 'chatflow: a message''s created_at cannot change')
    WHEN NEW.run_id IS NOT NULL AND NEW.run_id IS NOT OLD.run_id
     AND NOT EXISTS (SELECT 1 FROM workflow_runs
                      WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id)
      THEN RAISE(ABORT, 'chatflow: message run_id names no run of this conversation')
    WHEN NEW.tokens IS NOT OLD.tokens AND NEW.tokens IS NOT 0 AND NEW.status = 'streaming'
      THEN RAISE(ABORT, 'chatflow: a streaming message counts no tokens until it finishes; omit tokens')
    WHEN NEW.id IS NOT OLD.id
      THEN RAISE(ABORT, 'chatflow: a message id cannot change')
    WHEN NEW.conversation_id IS NOT OLD.conversation_id
      OR (OLD.seq IS NOT NULL AND NEW.seq IS NOT OLD.seq)
      OR NEW.role IS NOT OLD.role
      OR NEW.uid IS NOT OLD.uid
      THEN RAISE(ABORT, 'chatflow: messages are immutable: conversation_id, seq, uid, role, content and parts cannot be updated')
  END;
END;
-- Content, parts, status and streamed_at: a trigger of their own, so that
-- neither the UPDATE of chat_messages_after_insert (which sets none of
-- them) nor an append runs the other's checks.  Content and parts are
-- immutable but while the message is a draft (docs/drafts.md): its content
-- only grows, by appending, within the limit, without NUL; its status
-- moves once, to complete or aborted; streamed_at moves only while it
-- streams.  (A deleted conversation holds no draft that streams: deleting
-- it aborts them, chat_conversations_deleted_drafts.)
CREATE TRIGGER chat_messages_draft_update
BEFORE UPDATE OF content, parts, status, streamed_at ON chat_messages
BEGIN
  SELECT CASE
    WHEN OLD.status <> 'streaming' AND (NEW.content IS NOT OLD.content OR NEW.parts IS NOT OLD.parts) THEN CASE
      WHEN (SELECT deleted_at FROM chat_conversations WHERE id = OLD.conversation_id) IS NOT NULL
        THEN RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before changing its messages')
      ELSE RAISE(ABORT, 'chatflow: messages are immutable: conversation_id, seq, uid, role, content and parts cannot be updated')
    END
    WHEN NEW.status IS NOT OLD.status
     AND NOT (OLD.status = 'streaming' AND (NEW.status = 'complete' OR NEW.status = 'aborted'))
      THEN RAISE(ABORT, 'chatflow: a message''s status only moves from streaming to complete or aborted')
    WHEN NEW.streamed_at IS NOT OLD.streamed_at AND OLD.status <> 'streaming'
      THEN RAISE(ABORT, 'chatflow: streamed_at changes only while the message streams')
    WHEN NEW.streamed_at IS NOT OLD.streamed_at
     AND (NEW.streamed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
          -- a time that exists, as chat_messages_check_insert requires
          -- (month 19 passes the pattern: the draft would never expire)
          OR (date(NEW.streamed_at, '+0 days') IS NOT substr(NEW.streamed_at, 1, 10) OR substr(NEW.streamed_at, 12, 2) > '23'))
      THEN RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
    -- (in bytes, as blobs: a cast, a length and a substr of a blob copy
    -- nothing but the bytes asked for, so an append costs one compare of
    -- the old content and a look at the delta; characters are counted
    -- only when the bytes pass the limit)
    WHEN length(CAST(NEW.content AS BLOB)) IS NOT length(CAST(OLD.content AS BLOB))
      OR NEW.content IS NOT OLD.content THEN CASE
      WHEN length(CAST(NEW.content AS BLOB)) < length(CAST(OLD.content AS BLOB))
        OR substr(CAST(NEW.content AS BLOB), 1, length(CAST(OLD.content AS BLOB))) IS NOT CAST(OLD.content AS BLOB)
        THEN RAISE(ABORT, 'chatflow: a streaming message''s content only grows by appending')
      WHEN instr(substr(CAST(NEW.content AS BLOB), length(CAST(OLD.content AS BLOB)) + 1), x'00') > 0
        THEN RAISE(ABORT, 'chatflow: message content contains a NUL character')
      WHEN length(CAST(NEW.content AS BLOB)) > coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                                          WHERE key = 'limits.max_content_chars'), 100000)
       AND length(NEW.content) > coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                            WHERE key = 'limits.max_content_chars'), 100000)
        -- C: cfSqlTooLong
        THEN RAISE(ABORT, 'chatflow: message content is longer than limits.max_content_chars')
    END
    -- parts set on a draft (finish_message): the text gate of the JSON columns
    WHEN NEW.parts IS NOT OLD.parts AND instr(NEW.parts, '\u') > 0 THEN CASE
      WHEN instr(replace(NEW.parts, '\\', '_'), '\u0000') > 0
        THEN RAISE(ABORT, 'chatflow: message parts, attachments or metadata contain \u0000 (a NUL character)')
      WHEN (instr(NEW.parts, '\ud') > 0 OR instr(NEW.parts, '\uD') > 0)
       AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.parts, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern)
        THEN RAISE(ABORT, 'chatflow: message parts, attachments or metadata contain a lone surrogate')
    END
  END;
END;
-- A draft stops streaming: counted in tokens (the estimate of add_message,
-- unless the same UPDATE gave tokens), and a finished one joins the search
-- indexes when the mark has passed it (below the mark the indexes hold
-- exactly the complete messages).  Each its own trigger, as everywhere here.
CREATE TRIGGER chat_messages_draft_tokens
AFTER UPDATE OF status ON chat_messages
WHEN OLD.status = 'streaming' AND NEW.status <> 'streaming' AND NEW.tokens IS OLD.tokens
BEGIN
  UPDATE chat_messages
     SET tokens = (length(NEW.content)
                   + CASE WHEN NEW.content = '' OR instr(NEW.parts, '"tool') > 0
                               OR instr(NEW.parts, 'dynamic-tool') > 0
                          THEN length(coalesce(NEW.parts, '')) ELSE 0 END + 3) / 4
   WHERE id = NEW.id;
END;
CREATE TRIGGER chat_messages_draft_words
AFTER UPDATE OF status ON chat_messages
WHEN OLD.status = 'streaming' AND NEW.status = 'complete'
 AND NEW.id <= (SELECT indexed_upto FROM chatflow_search_state)
BEGIN
  INSERT INTO chat_messages_fts (rowid, content) VALUES (NEW.id, NEW.content);
END;
CREATE TRIGGER chat_messages_draft_scripts
AFTER UPDATE OF status ON chat_messages
WHEN OLD.status = 'streaming' AND NEW.status = 'complete'
 AND length(CAST(NEW.content AS BLOB)) > length(NEW.content)
 AND NEW.id <= (SELECT indexed_upto FROM chatflow_search_state)
BEGIN
  INSERT INTO chat_messages_trigram (rowid, content) VALUES (NEW.id, NEW.content || char(1, 1));
END;
-- Every change of a message's tokens moves the total, NULL counting 0 —
-- from NULL too: the insert triggers count a new message's tokens as
-- inserted (coalesce(NEW.tokens, 0)) and this trigger the estimate their
-- fill-in UPDATE gives a message inserted without them.  (Until 0.2 it
-- skipped a change from NULL, and a raw UPDATE of tokens from NULL left
-- total_tokens short; migration 005 recounts.)
CREATE TRIGGER chat_messages_tokens_update
AFTER UPDATE OF tokens ON chat_messages
WHEN NEW.tokens IS NOT OLD.tokens
BEGIN
  UPDATE chat_conversations
     SET total_tokens = total_tokens - coalesce(OLD.tokens, 0) + coalesce(NEW.tokens, 0),
         counter_stamp = counter_stamp + 1
   WHERE id = NEW.conversation_id;
END;


-- ---------------------------------------------------------------------------
-- Workflow definitions (the two triggers that read workflow_runs, and
-- the insert trigger of 001 with the same checks)
--
-- Steps: no \u0000 or lone surrogate escape (a run's current_step, copied
-- from a step name, would be cut at the NUL or hold invalid UTF-8), and
-- no key twice in a step (SQLite's JSON functions keep both "name"s, and
-- readers disagree on which one counts).

-- The rules of steps are written once: the insert and update triggers of
-- workflow_definitions both insert NEW.steps into the view
-- chatflow_workflow_steps_check, whose INSTEAD OF trigger checks it and
-- stores nothing (SQLite triggers share no body, and a CHECK cannot hold
-- the subqueries).
CREATE VIEW chatflow_workflow_steps_check (steps) AS SELECT NULL WHERE 0;
CREATE TRIGGER chatflow_workflow_steps_check_insert
INSTEAD OF INSERT ON chatflow_workflow_steps_check
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow steps contain \u0000 (a NUL character)')
   WHERE instr(NEW.steps, '\u') > 0 AND instr(replace(NEW.steps, '\\', '_'), '\u0000') > 0;
  SELECT RAISE(ABORT, 'chatflow: workflow steps contain a lone surrogate')
   WHERE (instr(NEW.steps, '\ud') > 0 OR instr(NEW.steps, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.steps, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern);
  SELECT RAISE(ABORT, 'chatflow: workflow steps must be a non-empty JSON array of {"name": text, "awaits": null | "clarification" | "approval"}')
   WHERE NOT json_valid(NEW.steps) OR json_type(NEW.steps) IS NOT 'array'
      OR json_array_length(NEW.steps) = 0
      OR EXISTS (SELECT 1 FROM json_each(NEW.steps) AS s
                  WHERE type <> 'object'
                     OR json_type(value, '$.name') IS NOT 'text'
                     OR length(json_extract(value, '$.name')) NOT BETWEEN 1 AND 100
                     OR coalesce(json_extract(value, '$.awaits'), 'approval')
                        NOT IN ('clarification', 'approval')
                     OR EXISTS (SELECT 1 FROM json_each(s.value) AS k
                                 WHERE k.key NOT IN ('name', 'awaits')));
  SELECT RAISE(ABORT, 'chatflow: workflow steps must not repeat a key within a step')
   WHERE EXISTS (SELECT 1 FROM json_each(NEW.steps) AS s
                  WHERE (SELECT count(*) - count(DISTINCT k.key) FROM json_each(s.value) AS k) > 0);
  SELECT RAISE(ABORT, 'chatflow: workflow step names must be unique')
   WHERE json_valid(NEW.steps)
     AND (SELECT count(DISTINCT json_extract(value, '$.name')) FROM json_each(NEW.steps))
         <> json_array_length(NEW.steps);
END;
-- (a name with a NUL would be cut short by every C reader: a run of it
-- could never find its steps; created_at is a timestamp as everywhere)
CREATE TRIGGER workflow_definitions_check_insert
BEFORE INSERT ON workflow_definitions
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow name contains a NUL character')
   WHERE instr(CAST(NEW.name AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
      OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001';
  INSERT INTO chatflow_workflow_steps_check (steps) VALUES (NEW.steps);
END;
CREATE TRIGGER workflow_definitions_check_update
BEFORE UPDATE OF name, steps, created_at ON workflow_definitions
WHEN NEW.name IS NOT OLD.name OR NEW.steps IS NOT OLD.steps OR NEW.created_at IS NOT OLD.created_at
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a workflow definition cannot change while runs use it')
   WHERE (NEW.name IS NOT OLD.name OR NEW.steps IS NOT OLD.steps)
     AND EXISTS (SELECT 1 FROM workflow_runs WHERE workflow = OLD.name);
  SELECT RAISE(ABORT, 'chatflow: workflow name contains a NUL character')
   WHERE NEW.name IS NOT OLD.name AND instr(CAST(NEW.name AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE NEW.created_at IS NOT OLD.created_at
     AND (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
          OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001');
  INSERT INTO chatflow_workflow_steps_check (steps) VALUES (NEW.steps);
END;
CREATE TRIGGER workflow_definitions_check_delete
BEFORE DELETE ON workflow_definitions
WHEN EXISTS (SELECT 1 FROM workflow_runs WHERE workflow = OLD.name)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a workflow definition cannot be deleted while runs use it');
END;
-- ---------------------------------------------------------------------------
-- Workflow runs


CREATE TRIGGER workflow_runs_cascade
AFTER DELETE ON workflow_runs
BEGIN
  DELETE FROM chat_messages WHERE run_id = OLD.id;
  DELETE FROM workflow_proposals WHERE run_id = OLD.id;
  DELETE FROM workflow_run_events WHERE run_id = OLD.id;
  DELETE FROM workflow_interrupts WHERE workflow_id = 'run_' || OLD.id;
  -- a deleted active run frees its conversation: the oldest queued run starts
  UPDATE workflow_runs SET status = 'started'
   WHERE id = (SELECT min(id) FROM workflow_runs
                WHERE conversation_id = OLD.conversation_id AND status = 'queued')
     AND (OLD.status = 'started' OR OLD.status = 'awaiting_clarification' OR OLD.status = 'awaiting_approval' OR OLD.status = 'processing');
END;


-- ---------------------------------------------------------------------------
-- Run children

CREATE TRIGGER workflow_proposals_check_insert
BEFORE INSERT ON workflow_proposals
WHEN NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: unknown run for proposal');
END;
CREATE TRIGGER workflow_proposals_active_run
BEFORE INSERT ON workflow_proposals
WHEN EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id
              AND NOT (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: proposals can only be added to an active run');
END;
CREATE TRIGGER workflow_proposals_no_replace
BEFORE INSERT ON workflow_proposals
WHEN NEW.id > 0 AND (NEW.id <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'workflow_proposals'), 0)
                   OR EXISTS (SELECT 1 FROM workflow_proposals WHERE id = NEW.id))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a proposal with this id already exists; change it with UPDATE')
   WHERE EXISTS (SELECT 1 FROM workflow_proposals WHERE id = NEW.id);
  SELECT RAISE(ABORT, 'chatflow: proposal ids are never reused; omit id');
END;

CREATE TRIGGER workflow_proposals_id_positive AFTER INSERT ON workflow_proposals
WHEN NEW.id <= 0 OR NEW.id > 9007199254740991
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive') WHERE NEW.id <= 0;
  SELECT RAISE(ABORT, 'chatflow: ids must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)');
END;

CREATE TRIGGER workflow_proposals_id_fixed
BEFORE UPDATE OF id, run_id ON workflow_proposals
WHEN NEW.id IS NOT OLD.id OR NEW.run_id IS NOT OLD.run_id
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a proposal''s id and run cannot change');
END;


CREATE TRIGGER workflow_proposals_text_insert
BEFORE INSERT ON workflow_proposals
BEGIN
  SELECT RAISE(ABORT, 'chatflow: proposal kind, names, rationale or ref contains a NUL character')
   WHERE instr(CAST(NEW.kind AS BLOB), x'00') > 0 OR instr(CAST(NEW.proposed_name AS BLOB), x'00') > 0 OR instr(CAST(NEW.approved_name AS BLOB), x'00') > 0
      OR instr(CAST(NEW.rationale AS BLOB), x'00') > 0 OR instr(CAST(NEW.ref AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: proposal validation contains \u0000 (a NUL character)')
   WHERE instr(NEW.validation, '\u') > 0 AND instr(replace(NEW.validation, '\\', '_'), '\u0000') > 0;
  SELECT RAISE(ABORT, 'chatflow: proposal validation contains a lone surrogate')
   WHERE (instr(NEW.validation, '\ud') > 0 OR instr(NEW.validation, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.validation, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern);
  -- (as the runs' own: export writes them and import refuses another form,
  -- so a raw 'yesterday' or datetime('now') broke the round trip)
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001')
      OR (NEW.approved_at IS NOT NULL AND (NEW.approved_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.approved_at, '+0 days') IS NOT substr(NEW.approved_at, 1, 10) OR substr(NEW.approved_at, 12, 2) > '23') OR NEW.approved_at < '0001'))
      OR (NEW.validated_at IS NOT NULL AND (NEW.validated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.validated_at, '+0 days') IS NOT substr(NEW.validated_at, 1, 10) OR substr(NEW.validated_at, 12, 2) > '23') OR NEW.validated_at < '0001'))
      OR (NEW.rejected_at IS NOT NULL AND (NEW.rejected_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.rejected_at, '+0 days') IS NOT substr(NEW.rejected_at, 1, 10) OR substr(NEW.rejected_at, 12, 2) > '23') OR NEW.rejected_at < '0001'));
END;

CREATE TRIGGER workflow_proposals_text_update
BEFORE UPDATE OF kind, proposed_name, approved_name, rationale, ref, validation,
                 created_at, approved_at, validated_at, rejected_at ON workflow_proposals
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE (NEW.created_at IS NOT OLD.created_at AND (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001'))
      OR (NEW.approved_at IS NOT OLD.approved_at AND NEW.approved_at IS NOT NULL AND (NEW.approved_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.approved_at, '+0 days') IS NOT substr(NEW.approved_at, 1, 10) OR substr(NEW.approved_at, 12, 2) > '23') OR NEW.approved_at < '0001'))
      OR (NEW.validated_at IS NOT OLD.validated_at AND NEW.validated_at IS NOT NULL AND (NEW.validated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.validated_at, '+0 days') IS NOT substr(NEW.validated_at, 1, 10) OR substr(NEW.validated_at, 12, 2) > '23') OR NEW.validated_at < '0001'))
      OR (NEW.rejected_at IS NOT OLD.rejected_at AND NEW.rejected_at IS NOT NULL AND (NEW.rejected_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.rejected_at, '+0 days') IS NOT substr(NEW.rejected_at, 1, 10) OR substr(NEW.rejected_at, 12, 2) > '23') OR NEW.rejected_at < '0001'));
  SELECT RAISE(ABORT, 'chatflow: proposal kind, names, rationale or ref contains a NUL character')
   WHERE (NEW.kind IS NOT OLD.kind AND instr(CAST(NEW.kind AS BLOB), x'00') > 0)
      OR (NEW.proposed_name IS NOT OLD.proposed_name AND instr(CAST(NEW.proposed_name AS BLOB), x'00') > 0)
      OR (NEW.approved_name IS NOT OLD.approved_name AND instr(CAST(NEW.approved_name AS BLOB), x'00') > 0)
      OR (NEW.rationale IS NOT OLD.rationale AND instr(CAST(NEW.rationale AS BLOB), x'00') > 0)
      OR (NEW.ref IS NOT OLD.ref AND instr(CAST(NEW.ref AS BLOB), x'00') > 0);
  SELECT RAISE(ABORT, 'chatflow: proposal validation contains \u0000 (a NUL character)')
   WHERE NEW.validation IS NOT OLD.validation AND instr(NEW.validation, '\u') > 0 AND instr(replace(NEW.validation, '\\', '_'), '\u0000') > 0;
  SELECT RAISE(ABORT, 'chatflow: proposal validation contains a lone surrogate')
   WHERE NEW.validation IS NOT OLD.validation AND (instr(NEW.validation, '\ud') > 0 OR instr(NEW.validation, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.validation, '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern);
END;

CREATE TRIGGER workflow_run_events_append_only
BEFORE UPDATE ON workflow_run_events
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_events is append-only');
END;
-- An event goes with its run (workflow_runs_cascade, the foreign key's
-- cascade: the run is gone by then).  The one exception is import's: a run
-- it inserts logs its creation, which import replaces with the exported
-- log while the run's updated_at holds 0000-01-01T00:00:00.000Z.
CREATE TRIGGER workflow_run_events_keep
BEFORE DELETE ON workflow_run_events
WHEN EXISTS (SELECT 1 FROM workflow_runs
              WHERE id = OLD.run_id AND updated_at <> '0000-01-01T00:00:00.000Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_events is append-only: an event is deleted only with its run');
END;
CREATE TRIGGER workflow_run_events_id_positive AFTER INSERT ON workflow_run_events
WHEN NEW.id <= 0 OR NEW.id > 9007199254740991
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive') WHERE NEW.id <= 0;
  SELECT RAISE(ABORT, 'chatflow: ids must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)');
END;
-- ---------------------------------------------------------------------------
-- Checkpoints: run_<n> (n a positive decimal without leading zeros, as
-- run_workflow_id writes it) belongs to run n while it is active; other
-- names (run_007, thread-1) are free-form, for external engines.  A run that ends deletes its
-- checkpoint (workflow_runs_after_update); a new run clears a stale one
-- (workflow_runs_fill).

-- One trigger per event (each trigger that fires costs a frame of its
-- own).  An UPDATE is checked only when it moves a row to another
-- workflow_id: a row run_<n> exists only while run n is active (the insert
-- check; a run that ends or is deleted deletes it), so replacing its data
-- keeps the rule, and a save through workflow_interrupt (an UPDATE of data
-- and updated_at) fires no check.
CREATE TRIGGER workflow_interrupts_check_insert
BEFORE INSERT ON workflow_interrupts
BEGIN
  SELECT CASE
    WHEN NEW.workflow_id GLOB 'run_[1-9]*' AND substr(NEW.workflow_id, 5) NOT GLOB '*[^0-9]*'
     AND length(NEW.workflow_id) <= 23
     AND NOT EXISTS (SELECT 1 FROM workflow_runs
                      WHERE id = CAST(substr(NEW.workflow_id, 5) AS INTEGER) AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'))
      THEN RAISE(ABORT, 'chatflow: a checkpoint named run_<n> can be saved only while run n is active')
    WHEN typeof(NEW.workflow_id) <> 'text'
      THEN RAISE(ABORT, 'chatflow: workflow_id must be text')
    WHEN instr(CAST(NEW.workflow_id AS BLOB), x'00') > 0
      THEN RAISE(ABORT, 'chatflow: workflow_id contains a NUL character')
  END;
END;

CREATE TRIGGER workflow_interrupts_check_update
BEFORE UPDATE OF workflow_id ON workflow_interrupts
BEGIN
  SELECT CASE
    WHEN NEW.workflow_id GLOB 'run_[1-9]*' AND substr(NEW.workflow_id, 5) NOT GLOB '*[^0-9]*'
     AND length(NEW.workflow_id) <= 23
     AND NOT EXISTS (SELECT 1 FROM workflow_runs
                      WHERE id = CAST(substr(NEW.workflow_id, 5) AS INTEGER) AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'))
      THEN RAISE(ABORT, 'chatflow: a checkpoint named run_<n> can be saved only while run n is active')
    WHEN NEW.workflow_id IS NOT OLD.workflow_id AND typeof(NEW.workflow_id) <> 'text'
      THEN RAISE(ABORT, 'chatflow: workflow_id must be text')
    WHEN NEW.workflow_id IS NOT OLD.workflow_id AND instr(CAST(NEW.workflow_id AS BLOB), x'00') > 0
      THEN RAISE(ABORT, 'chatflow: workflow_id contains a NUL character')
  END;
END;

-- updated_at for an UPDATE of data that does not set it.  A save sets it
-- to the clock; when the save falls in the millisecond of the one before
-- (saves take microseconds), the stamp is unchanged and the WHEN compares
-- it with the clock instead of writing the row a second time with the
-- same value.  It compares julian days (the same millisecond, the same
-- day number): formatting the clock with strftime was 15 % of a save's
-- instructions.
DROP TRIGGER IF EXISTS workflow_interrupts_touch;
CREATE TRIGGER workflow_interrupts_touch
AFTER UPDATE OF data ON workflow_interrupts
WHEN NEW.updated_at IS OLD.updated_at
 AND julianday(NEW.updated_at) IS NOT julianday(coalesce((SELECT now FROM chatflow_statement_clock), 'now'))
BEGIN
  UPDATE workflow_interrupts
     SET updated_at = coalesce((SELECT now FROM chatflow_statement_clock),
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE workflow_id = NEW.workflow_id;
END;


-- ---------------------------------------------------------------------------
-- Search in scripts written without spaces, and emoji
--
-- unicode61 (chat_messages_fts) makes a Chinese or Japanese sentence one
-- token and drops emoji.  These contentless trigram indexes hold every
-- message and title that is not plain ASCII (its UTF-8 is longer than its
-- character count) — a superset of those that need them, the ones with a
-- code point at or above U+0E00 (Thai onwards: Lao, Tibetan, Myanmar,
-- Khmer, CJK, Hangul, symbols, emoji); the test is one length comparison,
-- where a GLOB character class costs about 0.1 us per character.  So
-- search_messages can route a query containing such a code point here and
-- find every match.  The indexed text is followed by two U+0001 characters:
-- a substring of one or two characters is then the prefix of some trigram
-- (found through the fts5vocab tables below), also at the end of the text.
-- Contentless: the triggers pass the same text to 'delete'.
CREATE VIRTUAL TABLE chat_messages_trigram USING fts5 (
  content, content = '', tokenize = 'trigram');
CREATE VIRTUAL TABLE chat_messages_trigram_terms USING fts5vocab (
  chat_messages_trigram, 'instance');
CREATE VIRTUAL TABLE chat_titles_trigram USING fts5 (
  title, content = '', tokenize = 'trigram');
CREATE VIRTUAL TABLE chat_titles_trigram_terms USING fts5vocab (
  chat_titles_trigram, 'instance');

INSERT INTO chat_messages_trigram (rowid, content)
SELECT id, content || char(1, 1) FROM chat_messages
 WHERE length(CAST(content AS BLOB)) > length(content);
INSERT INTO chat_titles_trigram (rowid, title)
SELECT id, title || char(1, 1) FROM chat_conversations
 WHERE length(CAST(title AS BLOB)) > length(title);



CREATE TRIGGER chat_titles_trigram_insert
AFTER INSERT ON chat_conversations
WHEN length(CAST(NEW.title AS BLOB)) > length(NEW.title)
BEGIN
  INSERT INTO chat_titles_trigram (rowid, title) VALUES (NEW.id, NEW.title || char(1, 1));
END;

CREATE TRIGGER chat_titles_trigram_update
AFTER UPDATE OF title ON chat_conversations
WHEN NEW.title IS NOT OLD.title
BEGIN
  INSERT INTO chat_titles_trigram (chat_titles_trigram, rowid, title)
  SELECT 'delete', OLD.id, OLD.title || char(1, 1)
   WHERE length(CAST(OLD.title AS BLOB)) > length(OLD.title);
  INSERT INTO chat_titles_trigram (rowid, title)
  SELECT NEW.id, NEW.title || char(1, 1)
   WHERE length(CAST(NEW.title AS BLOB)) > length(NEW.title);
END;

CREATE TRIGGER chat_titles_trigram_delete
AFTER DELETE ON chat_conversations
WHEN length(CAST(OLD.title AS BLOB)) > length(OLD.title)
BEGIN
  INSERT INTO chat_titles_trigram (chat_titles_trigram, rowid, title)
  VALUES ('delete', OLD.id, OLD.title || char(1, 1));
END;

-- ---------------------------------------------------------------------------
-- An INSERT into chat_messages: four triggers

-- Every check of a new message in one trigger (one statement: one CASE,
-- the conversation read once), the derived columns and the counters in one
-- more: each trigger that fires costs a frame of its own, which SQLite
-- allocates and clears, all registers of the trigger's program, every
-- time, whether its WHEN holds or not.  So the rarely needed checks of the
-- JSON columns cost only when a \u escape is there, and without a
-- subquery of their own per column.  The counters take seq and tokens from
-- the new row when the writer gave them (add_message does), and read them
-- back only when the trigger derived them.  Each search
-- index keeps a trigger of its own: written from the same trigger program
-- as the counters, the FTS5 index was left inconsistent after a later
-- call failed for lack of memory (the fault suite, SQLite 3.40).
CREATE TRIGGER chat_messages_check_insert
BEFORE INSERT ON chat_messages
BEGIN
  SELECT CASE
    WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM chat_messages WHERE id = NEW.id)
      THEN RAISE(ABORT, 'chatflow: a message with this id already exists; messages are immutable')
    WHEN EXISTS (SELECT 1 FROM chat_messages WHERE conversation_id = NEW.conversation_id AND uid = NEW.uid)
      THEN RAISE(ABORT, 'chatflow: the conversation already has a message with this uid; messages are immutable')
    WHEN NEW.id > 0 AND NEW.id <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages'), 0)
      THEN RAISE(ABORT, 'chatflow: message ids are never reused; omit id')
    WHEN NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
      OR NEW.streamed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
      -- a time that does not exist (month 19, February 30, hour 29) passes
      -- the pattern: julianday() reads it as NULL (or another day), so it would
      -- escape the clock cap on updated_at below and sort after every real
      -- time (top of the list, past every retention cutoff); and year 0000,
      -- which import_conversation refuses (years 1 to 9999)
      OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23')
      OR NEW.created_at < '0001'
      OR (NEW.streamed_at IS NOT NULL AND (date(NEW.streamed_at, '+0 days') IS NOT substr(NEW.streamed_at, 1, 10) OR substr(NEW.streamed_at, 12, 2) > '23'))
      THEN RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
    -- as ids: exact as a JavaScript number, and room for the next one
    WHEN NEW.seq > 9007199254740991
      THEN RAISE(ABORT, 'chatflow: message seq must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)')
    -- the conversation, read once: unknown (u), deleted (d), seq not past
    -- its last seq (s)
    ELSE CASE coalesce((SELECT CASE WHEN deleted_at IS NOT NULL THEN 'd'
                                    WHEN NEW.seq <= last_seq THEN 's' ELSE '' END
                          FROM chat_conversations WHERE id = NEW.conversation_id), 'u')
      WHEN 'u' THEN RAISE(ABORT, 'chatflow: unknown conversation for message')
      WHEN 'd' THEN RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before adding messages')
      WHEN 's' THEN RAISE(ABORT, 'chatflow: message seq must be greater than the conversation''s last seq')
      ELSE CASE
        WHEN NEW.run_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id)
          THEN RAISE(ABORT, 'chatflow: message run_id names no run of this conversation')
        WHEN NEW.parent_id > 0
         AND NOT EXISTS (SELECT 1 FROM chat_messages WHERE id = NEW.parent_id AND conversation_id = NEW.conversation_id)
          THEN RAISE(ABORT, 'chatflow: message parent_id names no message of this conversation')
        WHEN length(NEW.content) > coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                              WHERE key = 'limits.max_content_chars'), 100000)
          -- C: cfSqlTooLong
          THEN RAISE(ABORT, 'chatflow: message content is longer than limits.max_content_chars')
        WHEN instr(CAST(NEW.content AS BLOB), x'00') > 0
          THEN RAISE(ABORT, 'chatflow: message content contains a NUL character')
        WHEN NEW.status = 'streaming' AND NEW.tokens <> 0
          THEN RAISE(ABORT, 'chatflow: a streaming message counts no tokens until it finishes; omit tokens')
        WHEN instr(CAST(NEW.workflow_step AS BLOB), x'00') > 0
          THEN RAISE(ABORT, 'chatflow: message workflow_step contains a NUL character')
        WHEN instr(CAST(NEW.uid AS BLOB), x'00') > 0
          THEN RAISE(ABORT, 'chatflow: message uid contains a NUL character')
        -- the JSON columns joined by a space (a JSON text ends in a
        -- delimiter, so no escape spans two of them), looked at only when
        -- they hold a \u escape
        WHEN instr((coalesce(NEW.parts, '') || ' ' || coalesce(NEW.attachments, '') || ' ' || coalesce(NEW.metadata, '')), '\u') > 0 THEN CASE
          WHEN instr(replace((coalesce(NEW.parts, '') || ' ' || coalesce(NEW.attachments, '') || ' ' || coalesce(NEW.metadata, '')), '\\', '_'), '\u0000') > 0
            THEN RAISE(ABORT, 'chatflow: message parts, attachments or metadata contain \u0000 (a NUL character)')
          WHEN (instr((coalesce(NEW.parts, '') || ' ' || coalesce(NEW.attachments, '') || ' ' || coalesce(NEW.metadata, '')), '\ud') > 0 OR instr((coalesce(NEW.parts, '') || ' ' || coalesce(NEW.attachments, '') || ' ' || coalesce(NEW.metadata, '')), '\uD') > 0)
           AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace((coalesce(NEW.parts, '') || ' ' || coalesce(NEW.attachments, '') || ' ' || coalesce(NEW.metadata, '')), '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern)
            THEN RAISE(ABORT, 'chatflow: message parts, attachments or metadata contain a lone surrogate')
        END
      END
    END
  END;
END;

CREATE TRIGGER chat_messages_after_insert
AFTER INSERT ON chat_messages
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive') WHERE NEW.id <= 0;
  SELECT RAISE(ABORT, 'chatflow: ids must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)')
   WHERE NEW.id > 9007199254740991;
  UPDATE chat_messages
     SET seq = coalesce(NEW.seq, (SELECT last_seq + 1 FROM chat_conversations
                                   WHERE id = NEW.conversation_id)),
         -- (a draft counts 0 until it stops streaming)
         tokens = coalesce(NEW.tokens, CASE WHEN NEW.status = 'streaming' THEN 0 ELSE
                           (length(NEW.content)
                            + CASE WHEN NEW.content = '' OR instr(NEW.parts, '"tool') > 0
                                        OR instr(NEW.parts, 'dynamic-tool') > 0
                                   THEN length(coalesce(NEW.parts, '')) ELSE 0 END + 3) / 4 END),
         type = coalesce(NEW.type, CASE NEW.role WHEN 'user' THEN 'user_input'
                                                 WHEN 'assistant' THEN 'assistant_response'
                                                 WHEN 'tool' THEN 'tool_result'
                                                 ELSE 'system' END),
         -- the named run, else the conversation's active run (if any): its
         -- id, and its step unless the writer gave one
         (run_id, workflow_step) =
           (SELECT coalesce(NEW.run_id, r.id), coalesce(NEW.workflow_step, r.current_step)
              FROM (SELECT 1) LEFT JOIN workflow_runs AS r
                ON r.id = coalesce(NEW.run_id,
                                   (SELECT id FROM workflow_runs
                                     WHERE conversation_id = NEW.conversation_id
                                       AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing')))),
         -- omitted: the current leaf (read before the UPDATE below moves it)
         parent_id = CASE WHEN NEW.parent_id = 0 THEN NULL
                          ELSE coalesce(NEW.parent_id, (SELECT current_leaf_id FROM chat_conversations
                                                         WHERE id = NEW.conversation_id)) END
   WHERE id = NEW.id
     AND (NEW.seq IS NULL OR NEW.tokens IS NULL OR NEW.type IS NULL OR NEW.parent_id = 0
          OR (NEW.parent_id IS NULL AND (SELECT current_leaf_id FROM chat_conversations
                                          WHERE id = NEW.conversation_id) IS NOT NULL)
          OR (NEW.run_id IS NOT NULL AND NEW.workflow_step IS NULL)
          OR (NEW.run_id IS NULL
              AND EXISTS (SELECT 1 FROM workflow_runs
                           WHERE conversation_id = NEW.conversation_id
                             AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'))));
  UPDATE chat_conversations
     SET message_count = message_count + 1,
         counter_stamp = counter_stamp + 1,
         last_seq = coalesce(NEW.seq, (SELECT seq FROM chat_messages WHERE id = NEW.id)),
         -- (tokens the fill-in UPDATE above estimated are counted by
         -- chat_messages_tokens_update, which it fired)
         total_tokens = total_tokens + coalesce(NEW.tokens, 0),
         last_message_at = NEW.created_at,
         -- never backwards, and never past the clock: a message dated in
         -- the future (a device's wrong clock, an import) must not pin the
         -- conversation at the top of the list until then
         updated_at = max(updated_at,
                          CASE WHEN julianday(NEW.created_at)
                                    > julianday(coalesce((SELECT now FROM chatflow_statement_clock), 'now'))
                               THEN coalesce((SELECT now FROM chatflow_statement_clock),
                                             strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                               ELSE NEW.created_at END),
         -- branched once the new message follows anything but the newest
         -- message before it (its parent as the UPDATE above set it)
         branched = CASE WHEN branched THEN 1
                         ELSE coalesce(CASE WHEN NEW.parent_id IS NULL THEN current_leaf_id
                                            ELSE NEW.parent_id END, 0)
                              IS NOT coalesce((SELECT id FROM chat_messages
                                                WHERE conversation_id = NEW.conversation_id AND id <> NEW.id
                                                ORDER BY seq DESC LIMIT 1), 0) END,
         current_leaf_id = NEW.id
   WHERE id = NEW.conversation_id;
END;

-- ---------------------------------------------------------------------------
-- Messages reach the search indexes in batches
--
-- FTS5 writes its pending terms out as a new index segment at every
-- statement savepoint, so a message indexed by an INSERT trigger cost a
-- segment of its own (35 us and more, most of a write).  Messages are
-- indexed in id order instead: every message with an id at or below
-- chatflow_search_state.indexed_upto is in chat_messages_fts (and, when not
-- plain ASCII, in chat_messages_trigram); none above it is.  Ids only grow
-- (AUTOINCREMENT), so the messages not indexed yet are exactly those above
-- the mark.  Moving the mark forward indexes the messages it passes, in one
-- INSERT ... SELECT per index (the trigger below): add_message does it when
-- 100 messages wait, chatflow_index() and chatflow-cleanup --index for all,
-- and plain SQL can too:
--   UPDATE chatflow_search_state SET indexed_upto =
--     (SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages');
-- search_messages also looks through the messages above the mark, so a
-- committed message is found at once (docs/search.md).
CREATE TABLE chatflow_search_state (
  id           INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_upto INTEGER NOT NULL CHECK (typeof(indexed_upto) = 'integer')
);
INSERT INTO chatflow_search_state (id, indexed_upto)
VALUES (1, coalesce((SELECT max(id) FROM chat_messages), 0));

CREATE TRIGGER chatflow_search_state_check
BEFORE UPDATE ON chatflow_search_state
WHEN NEW.id IS NOT OLD.id OR NEW.indexed_upto < OLD.indexed_upto
  OR NEW.indexed_upto > coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'chat_messages'), 0)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: indexed_upto only moves forward, to at most the last message id');
END;

CREATE TRIGGER chatflow_search_state_keep
BEFORE DELETE ON chatflow_search_state
BEGIN
  SELECT RAISE(ABORT, 'chatflow: chatflow_search_state keeps its row');
END;

-- (and takes no other: REPLACE deletes the old row without the DELETE
-- trigger unless recursive_triggers is on)
CREATE TRIGGER chatflow_search_state_no_insert
BEFORE INSERT ON chatflow_search_state
BEGIN
  SELECT RAISE(ABORT, 'chatflow: chatflow_search_state keeps its row; move indexed_upto with UPDATE');
END;

-- (each index written by a trigger of its own, as everywhere in this file)
CREATE TRIGGER chatflow_search_state_index_words
AFTER UPDATE OF indexed_upto ON chatflow_search_state
BEGIN
  INSERT INTO chat_messages_fts (rowid, content)
  SELECT id, content FROM chat_messages
   WHERE id > OLD.indexed_upto AND id <= NEW.indexed_upto AND status = 'complete';
END;

CREATE TRIGGER chatflow_search_state_index_scripts
AFTER UPDATE OF indexed_upto ON chatflow_search_state
BEGIN
  INSERT INTO chat_messages_trigram (rowid, content)
  SELECT id, content || char(1, 1) FROM chat_messages
   WHERE id > OLD.indexed_upto AND id <= NEW.indexed_upto AND status = 'complete'
     AND length(CAST(content AS BLOB)) > length(content);
END;

-- A deleted message leaves the indexes only when it is in them (a draft
-- that did not finish never is).
CREATE TRIGGER chat_messages_fts_delete
AFTER DELETE ON chat_messages
WHEN OLD.status = 'complete' AND OLD.id <= (SELECT indexed_upto FROM chatflow_search_state)
BEGIN
  INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content)
  VALUES ('delete', OLD.id, OLD.content);
END;

CREATE TRIGGER chat_messages_trigram_delete
AFTER DELETE ON chat_messages
WHEN OLD.status = 'complete' AND length(CAST(OLD.content AS BLOB)) > length(OLD.content)
 AND OLD.id <= (SELECT indexed_upto FROM chatflow_search_state)
BEGIN
  INSERT INTO chat_messages_trigram (chat_messages_trigram, rowid, content)
  VALUES ('delete', OLD.id, OLD.content || char(1, 1));
END;

-- ---------------------------------------------------------------------------
-- workflow_runs: one trigger per table and event (each trigger that fires
-- costs a frame of its own); the rules of migrations 001-005 as before.

CREATE TRIGGER workflow_runs_check_insert
BEFORE INSERT ON workflow_runs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a run with this id already exists; change it with UPDATE')
   WHERE NEW.id > 0 AND EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.id);
  -- (an INSERT OR REPLACE would delete the run without its DELETE triggers
  -- unless recursive_triggers is on: its events, proposals and checkpoint
  -- would stay behind)
  SELECT RAISE(ABORT, 'chatflow: the conversation already has a run with this uid; change it with UPDATE')
   WHERE NEW.uid IS NOT NULL
     AND EXISTS (SELECT 1 FROM workflow_runs WHERE conversation_id = NEW.conversation_id AND uid = NEW.uid);
  SELECT RAISE(ABORT, 'chatflow: run ids are never reused; omit id')
   WHERE NEW.id > 0 AND NEW.id <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'workflow_runs'), 0);
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE (NEW.started_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.started_at, '+0 days') IS NOT substr(NEW.started_at, 1, 10) OR substr(NEW.started_at, 12, 2) > '23') OR NEW.started_at < '0001')
   OR (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001')
   OR (NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.updated_at, '+0 days') IS NOT substr(NEW.updated_at, 1, 10) OR substr(NEW.updated_at, 12, 2) > '23') OR NEW.updated_at < '0001')
   OR (NEW.completed_at IS NOT NULL AND (NEW.completed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.completed_at, '+0 days') IS NOT substr(NEW.completed_at, 1, 10) OR substr(NEW.completed_at, 12, 2) > '23') OR NEW.completed_at < '0001'))
   OR (NEW.lease_expires_at IS NOT NULL AND (NEW.lease_expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.lease_expires_at, '+0 days') IS NOT substr(NEW.lease_expires_at, 1, 10) OR substr(NEW.lease_expires_at, 12, 2) > '23') OR NEW.lease_expires_at < '0001'))
   OR (NEW.expires_at IS NOT NULL AND (NEW.expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.expires_at, '+0 days') IS NOT substr(NEW.expires_at, 1, 10) OR substr(NEW.expires_at, 12, 2) > '23') OR NEW.expires_at < '0001'));
  SELECT RAISE(ABORT, 'chatflow: unknown conversation for run')
   WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: run uid contains a NUL character')
   WHERE instr(CAST(NEW.uid AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before starting a run')
   WHERE (SELECT deleted_at FROM chat_conversations WHERE id = NEW.conversation_id) IS NOT NULL;
  SELECT RAISE(ABORT, 'chatflow: unknown workflow for run')
   WHERE NOT EXISTS (SELECT 1 FROM workflow_definitions WHERE name = NEW.workflow);
  SELECT RAISE(ABORT, 'chatflow: the conversation already has an active run')
   WHERE (NEW.status = 'started' OR NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'processing')
     AND EXISTS (SELECT 1 FROM workflow_runs
                  WHERE conversation_id = NEW.conversation_id
                    AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: a queued run waits for the conversation''s active run, and the conversation has none; insert the run as started')
   WHERE NEW.status = 'queued'
     AND NOT EXISTS (SELECT 1 FROM workflow_runs
                      WHERE conversation_id = NEW.conversation_id
                        AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: current_step is not a step of the run''s workflow')
   WHERE NEW.current_step IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_definitions AS d, json_each(d.steps) AS s
                      WHERE d.name = NEW.workflow
                        AND json_extract(s.value, '$.name') = NEW.current_step);
  SELECT RAISE(ABORT, 'chatflow: run error contains a NUL character') WHERE instr(CAST(NEW.error AS BLOB), x'00') > 0;
  -- state and business_context joined by a space (a JSON text ends in a
  -- delimiter, so no escape spans the two), looked at only when they
  -- hold a \u escape
  SELECT RAISE(ABORT, 'chatflow: run state or business_context contains \u0000 (a NUL character)')
   WHERE instr((coalesce(NEW.state, '') || ' ' || coalesce(NEW.business_context, '')), '\u') > 0 AND instr(replace((coalesce(NEW.state, '') || ' ' || coalesce(NEW.business_context, '')), '\\', '_'), '\u0000') > 0;
  SELECT RAISE(ABORT, 'chatflow: run state or business_context contains a lone surrogate')
   WHERE (instr((coalesce(NEW.state, '') || ' ' || coalesce(NEW.business_context, '')), '\ud') > 0 OR instr((coalesce(NEW.state, '') || ' ' || coalesce(NEW.business_context, '')), '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace((coalesce(NEW.state, '') || ' ' || coalesce(NEW.business_context, '')), '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern);
END;

CREATE TRIGGER workflow_runs_fill
AFTER INSERT ON workflow_runs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive') WHERE NEW.id <= 0;
  SELECT RAISE(ABORT, 'chatflow: ids must be at most 9007199254740991 (2^53 - 1, exact as a JavaScript number)')
   WHERE NEW.id > 9007199254740991;
  -- raw SQL gets what the functions give: the first step, a lease
  UPDATE workflow_runs
     SET current_step = coalesce(current_step, (SELECT json_extract(steps, '$[0].name')
                                                  FROM workflow_definitions WHERE name = NEW.workflow)),
         lease_expires_at = CASE WHEN status IN ('started', 'processing') AND lease_expires_at IS NULL
                                 THEN strftime('%Y-%m-%dT%H:%M:%fZ',
           coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
           '+' || coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                             WHERE key = 'runs.lease_seconds'), 300) || ' seconds')
                                 WHEN (status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'queued'
                                       OR status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'expired')
                                 THEN NULL
                                 ELSE lease_expires_at END,
         -- a run inserted as ended (an import, a backfill) ended when written
         completed_at = CASE WHEN (status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'expired')
                              AND completed_at IS NULL
           THEN coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
           ELSE completed_at END,
         -- (no TTL, or 0: the modifier is NULL, and so is the time)
         expires_at = CASE WHEN status IN ('awaiting_clarification', 'awaiting_approval') AND expires_at IS NULL
           THEN strftime('%Y-%m-%dT%H:%M:%fZ',
                  coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  '+' || nullif(coalesce(NEW.awaiting_ttl_seconds,
                                         (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                           WHERE key = 'runs.awaiting_ttl_seconds')), 0) || ' seconds')
           ELSE expires_at END
   WHERE id = NEW.id
     AND (NEW.current_step IS NULL
          OR (NEW.status IN ('started', 'processing') AND NEW.lease_expires_at IS NULL)
          OR ((NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'queued')
              AND NEW.lease_expires_at IS NOT NULL)
          OR ((NEW.status = 'completed' OR NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'expired')
              AND (NEW.completed_at IS NULL OR NEW.lease_expires_at IS NOT NULL))
          OR (NEW.status IN ('awaiting_clarification', 'awaiting_approval') AND NEW.expires_at IS NULL
              AND coalesce(NEW.awaiting_ttl_seconds,
                           (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                             WHERE key = 'runs.awaiting_ttl_seconds')) > 0));
  -- a checkpoint saved under this run's name before the run existed is not its own
  DELETE FROM workflow_interrupts WHERE workflow_id = 'run_' || NEW.id;
  -- (its step as the UPDATE above left it, without reading the row again)
  INSERT INTO workflow_run_events (run_id, from_status, to_status, from_step, to_step, created_at)
  VALUES (NEW.id, NULL, NEW.status, NULL,
          coalesce(NEW.current_step, (SELECT json_extract(steps, '$[0].name') FROM workflow_definitions
                                       WHERE name = NEW.workflow)), NEW.created_at);
END;


-- When the active run ends, the oldest queued run of its conversation
-- starts (its lease and started_at come from workflow_runs_after_update,
-- its event from workflow_runs_event, which fire for that UPDATE).  Created
-- before those two so that SQLite fires it after them: the ended run's
-- event comes first.
CREATE TRIGGER workflow_runs_dequeue
AFTER UPDATE OF status ON workflow_runs
WHEN (OLD.status = 'started' OR OLD.status = 'awaiting_clarification' OR OLD.status = 'awaiting_approval' OR OLD.status = 'processing')
 AND NOT (NEW.status = 'started' OR NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'processing')
BEGIN
  UPDATE workflow_runs SET status = 'started'
   WHERE id = (SELECT min(id) FROM workflow_runs
                WHERE conversation_id = NEW.conversation_id AND status = 'queued');
END;

CREATE TRIGGER workflow_runs_after_update
AFTER UPDATE ON workflow_runs
BEGIN
  -- an ended run loses its checkpoint
  DELETE FROM workflow_interrupts WHERE workflow_id = 'run_' || NEW.id
     AND (NEW.status = 'completed' OR NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'expired')
     AND (OLD.status <> 'completed' AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'expired');
  -- What the functions write and a raw UPDATE may leave out, in one UPDATE
  -- that finds no row when nothing is missing (each statement of a trigger
  -- costs, whether it finds a row or not). The conditions, each written
  -- out where it is used (UPDATE ... FROM a subquery that names them is
  -- materialized for every row: 9 % more for a start_run + cancel_run):
  --  (e) an ended run gets completed_at and loses its lease;
  --  (w) a run that waits for a person (or in the queue) holds no lease; one
  --      that starts to wait for a person expires at the clock plus its
  --      awaiting_ttl_seconds (else runs.awaiting_ttl_seconds);
  --  (x) a run that no longer waits has no expiry (an expired run keeps it);
  --  (p) a run moved to started or processing without a lease gets
  --      runs.lease_seconds from now, and a queued run that starts gets
  --      started_at now;
  --  (u) updated_at is the clock after (e), (w) and (p), and after any
  --      change that did not set it.
  UPDATE workflow_runs
     SET completed_at = CASE WHEN -- (e)
             ((NEW.status = 'completed' OR NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'expired')
               AND (OLD.status <> 'completed' AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'expired')
               AND (NEW.completed_at IS NULL OR NEW.lease_expires_at IS NOT NULL))
           THEN coalesce(NEW.completed_at, coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))) ELSE completed_at END,
         lease_expires_at = CASE WHEN -- (e)
             ((NEW.status = 'completed' OR NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'expired')
               AND (OLD.status <> 'completed' AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'expired')
               AND (NEW.completed_at IS NULL OR NEW.lease_expires_at IS NOT NULL))
           OR -- (w)
             ((NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'queued')
               AND (NEW.lease_expires_at IS NOT NULL
                    OR (OLD.status IS NOT NEW.status AND NEW.expires_at IS OLD.expires_at
                        AND coalesce(NEW.awaiting_ttl_seconds,
                                     (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                       WHERE key = 'runs.awaiting_ttl_seconds')) > 0)))
           THEN NULL
           WHEN -- (p)
             (((NEW.status = 'started' OR NEW.status = 'processing') AND NEW.lease_expires_at IS NULL)
               OR (OLD.status = 'queued' AND NEW.status = 'started' AND NEW.started_at IS OLD.started_at))
           THEN coalesce(NEW.lease_expires_at, strftime('%Y-%m-%dT%H:%M:%fZ', coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  '+' || coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                    WHERE key = 'runs.lease_seconds'), 300) || ' seconds'))
           ELSE lease_expires_at END,
         expires_at = CASE WHEN -- (x)
             (NEW.expires_at IS NOT NULL
               AND (NEW.status <> 'awaiting_clarification' AND NEW.status <> 'awaiting_approval' AND NEW.status <> 'expired'))
           THEN NULL
           WHEN -- (w), starting to wait: (no TTL, or 0: the modifier is NULL, and so is the time)
             ((NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'queued')
               AND (NEW.lease_expires_at IS NOT NULL
                    OR (OLD.status IS NOT NEW.status AND NEW.expires_at IS OLD.expires_at
                        AND coalesce(NEW.awaiting_ttl_seconds,
                                     (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                       WHERE key = 'runs.awaiting_ttl_seconds')) > 0)))
             AND OLD.status IS NOT NEW.status AND NEW.expires_at IS OLD.expires_at
           THEN strftime('%Y-%m-%dT%H:%M:%fZ', coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                  '+' || nullif(coalesce(NEW.awaiting_ttl_seconds,
                                         (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                           WHERE key = 'runs.awaiting_ttl_seconds')), 0) || ' seconds')
           ELSE expires_at END,
         started_at = CASE WHEN -- (p), of a queued run
             OLD.status = 'queued' AND NEW.started_at IS OLD.started_at
             AND (NEW.status = 'started' OR (NEW.status = 'processing' AND NEW.lease_expires_at IS NULL))
           THEN coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ELSE started_at END,
         updated_at = CASE WHEN -- (u)
             ((NEW.status = 'completed' OR NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'expired')
               AND (OLD.status <> 'completed' AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'expired')
               AND (NEW.completed_at IS NULL OR NEW.lease_expires_at IS NOT NULL))
             OR ((NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'queued')
               AND (NEW.lease_expires_at IS NOT NULL
                    OR (OLD.status IS NOT NEW.status AND NEW.expires_at IS OLD.expires_at
                        AND coalesce(NEW.awaiting_ttl_seconds,
                                     (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                       WHERE key = 'runs.awaiting_ttl_seconds')) > 0)))
             OR (((NEW.status = 'started' OR NEW.status = 'processing') AND NEW.lease_expires_at IS NULL)
               OR (OLD.status = 'queued' AND NEW.status = 'started' AND NEW.started_at IS OLD.started_at))
             OR NEW.updated_at IS OLD.updated_at
           THEN coalesce((SELECT now FROM chatflow_statement_clock), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) ELSE updated_at END
   WHERE id = NEW.id
     AND (((NEW.status = 'completed' OR NEW.status = 'failed' OR NEW.status = 'cancelled' OR NEW.status = 'expired')
               AND (OLD.status <> 'completed' AND OLD.status <> 'failed' AND OLD.status <> 'cancelled' AND OLD.status <> 'expired')
               AND (NEW.completed_at IS NULL OR NEW.lease_expires_at IS NOT NULL))
          OR ((NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'queued')
               AND (NEW.lease_expires_at IS NOT NULL
                    OR (OLD.status IS NOT NEW.status AND NEW.expires_at IS OLD.expires_at
                        AND coalesce(NEW.awaiting_ttl_seconds,
                                     (SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                       WHERE key = 'runs.awaiting_ttl_seconds')) > 0)))
          OR (NEW.expires_at IS NOT NULL
               AND (NEW.status <> 'awaiting_clarification' AND NEW.status <> 'awaiting_approval' AND NEW.status <> 'expired'))
          OR (((NEW.status = 'started' OR NEW.status = 'processing') AND NEW.lease_expires_at IS NULL)
               OR (OLD.status = 'queued' AND NEW.status = 'started' AND NEW.started_at IS OLD.started_at))
          OR (NEW.updated_at IS OLD.updated_at
              AND julianday(NEW.updated_at) IS NOT julianday(coalesce((SELECT now FROM chatflow_statement_clock), 'now'))));
END;

-- The audit trail: one event per status or step change.  A trigger of its
-- own, so that the INSERT is one of VALUES: an INSERT ... SELECT into a
-- table that has triggers goes through a temporary table (SQLite's rule),
-- and opening one (a b-tree and its pager, an 85 KiB allocation) on every
-- run write cost more than this trigger's frame — and made glibc give the
-- heap back and take it again at every call (performance.md).  Created
-- last of the run's AFTER UPDATE triggers: SQLite fires it first.
CREATE TRIGGER workflow_runs_event
AFTER UPDATE OF status, current_step ON workflow_runs
WHEN NEW.status IS NOT OLD.status OR (OLD.current_step IS NOT NULL AND NEW.current_step IS NOT OLD.current_step)
BEGIN
  INSERT INTO workflow_run_events (run_id, from_status, to_status, from_step, to_step, detail, created_at)
  VALUES (NEW.id, OLD.status, NEW.status, OLD.current_step, NEW.current_step,
          CASE WHEN NEW.error IS NOT NULL AND NEW.status = 'failed'
               THEN json_object('error', NEW.error) END,
          coalesce((SELECT now FROM chatflow_statement_clock),
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;

-- A deleted conversation's active run is cancelled, as deleting does from
-- now on (the triggers above log the event and drop its checkpoint).
UPDATE workflow_runs SET status = 'cancelled', error = 'conversation deleted'
 WHERE (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing')
   AND conversation_id IN (SELECT id FROM chat_conversations WHERE deleted_at IS NOT NULL);

-- From here on a deleted conversation's runs, events and proposals take no
-- writes (the cancellation above, and chat_conversations_deleted_cancels,
-- run before the conversation is deleted).

-- workflow_run_events: every check of an INSERT in one trigger (each
-- trigger that fires costs a frame of its own), in the order the separate
-- triggers of migrations 001-004 gave: the run's conversation deleted, the
-- id, the run, the text; then (0.2) to_status is a run status, the log is
-- a chain (from_status NULL in the first event, the creation, and the
-- to_status of the event before in every other: so every status is a run
-- status), created_at is a timestamp.
CREATE TRIGGER workflow_run_events_check_insert
BEFORE INSERT ON workflow_run_events
BEGIN
  SELECT CASE
    WHEN k = 'd'
      THEN RAISE(ABORT, 'chatflow: the run''s conversation is deleted; restore it (restore_conversation) first')
    WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM workflow_run_events WHERE id = NEW.id)
      THEN RAISE(ABORT, 'chatflow: workflow_run_events is append-only')
    WHEN NEW.id > 0 AND NEW.id <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'workflow_run_events'), 0)
      THEN RAISE(ABORT, 'chatflow: event ids are never reused; omit id')
    WHEN k = 'u'
      THEN RAISE(ABORT, 'chatflow: unknown run for event')
    WHEN instr(CAST(NEW.from_status AS BLOB), x'00') > 0 OR instr(CAST(NEW.to_status AS BLOB), x'00') > 0
      OR instr(CAST(NEW.from_step AS BLOB), x'00') > 0 OR instr(CAST(NEW.to_step AS BLOB), x'00') > 0
      THEN RAISE(ABORT, 'chatflow: event status or step contains a NUL character')
    WHEN instr(NEW.detail, '\u') > 0 AND instr(replace(NEW.detail, '\\', '_'), '\u0000') > 0
      THEN RAISE(ABORT, 'chatflow: event detail contains \u0000 (a NUL character)')
    WHEN (instr(NEW.detail, '\ud') > 0 OR instr(NEW.detail, '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace(NEW.detail, '\\', '_')) AS t),
                chatflow_lone_surrogate_globs WHERE t GLOB pattern)
      THEN RAISE(ABORT, 'chatflow: event detail contains a lone surrogate')
    WHEN NOT (NEW.to_status = 'started' OR NEW.to_status = 'awaiting_clarification' OR NEW.to_status = 'awaiting_approval'
              OR NEW.to_status = 'processing' OR NEW.to_status = 'completed' OR NEW.to_status = 'failed'
              OR NEW.to_status = 'cancelled' OR NEW.to_status = 'queued' OR NEW.to_status = 'expired')
      THEN RAISE(ABORT, 'chatflow: event to_status must be started, awaiting_clarification, awaiting_approval, processing, completed, failed, cancelled, queued or expired')
    -- the log is a chain: each event moves from where the one before moved to
    WHEN NEW.from_status IS NOT p THEN CASE
      WHEN NEW.from_status IS NULL
        THEN RAISE(ABORT, 'chatflow: event from_status is NULL only in a run''s first event (its creation)')
      WHEN p IS NULL
        THEN RAISE(ABORT, 'chatflow: event from_status must be NULL in a run''s first event (its creation)')
      ELSE RAISE(ABORT, 'chatflow: event from_status must be the to_status of the run''s last event')
    END
    -- a log import writes (k = '*') moves as the state machine does: an
    -- event keeps the status (a step) or is a row of
    -- workflow_run_transitions (a run's own moves are checked by
    -- workflow_runs_check_update before they are logged)
    WHEN k = '*' AND NEW.from_status <> NEW.to_status
     AND NOT EXISTS (SELECT 1 FROM workflow_run_transitions
                      WHERE from_status = NEW.from_status AND to_status = NEW.to_status)
      THEN RAISE(ABORT, 'chatflow: event from_status -> to_status is not a move of workflow_run_transitions')
    WHEN (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001')
      THEN RAISE(ABORT, 'chatflow: event created_at must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
    -- an event records a change of the run that was just written (the
    -- run's triggers log it after the row changed): the run is at its
    -- to_status, but while import replaces a log (updated_at held at
    -- 0000-01-01T00:00:00.000Z, as workflow_run_events_keep reads it)
    WHEN k <> '*' AND k IS NOT '=' || NEW.to_status
      THEN RAISE(ABORT, 'chatflow: event to_status must be the run''s status: a run''s events are logged by its changes')
  END
    -- the run, read once: unknown (u), its conversation deleted (d), its
    -- log replaced by import (*), else '=' and its status; the to_status of
    -- its last event (p: NULL before its first)
    FROM (SELECT coalesce((SELECT CASE WHEN c.deleted_at IS NOT NULL THEN 'd'
                                       WHEN r.updated_at = '0000-01-01T00:00:00.000Z' THEN '*'
                                       ELSE '=' || r.status END
                             FROM workflow_runs AS r LEFT JOIN chat_conversations AS c ON c.id = r.conversation_id
                            WHERE r.id = NEW.run_id), 'u') AS k,
                 (SELECT to_status FROM workflow_run_events WHERE run_id = NEW.run_id ORDER BY id DESC LIMIT 1) AS p);
END;

CREATE TRIGGER workflow_proposals_deleted
BEFORE INSERT ON workflow_proposals
WHEN (SELECT c.deleted_at FROM workflow_runs AS r JOIN chat_conversations AS c ON c.id = r.conversation_id
       WHERE r.id = NEW.run_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the run''s conversation is deleted; restore it (restore_conversation) first');
END;

CREATE TRIGGER workflow_proposals_deleted_update
BEFORE UPDATE ON workflow_proposals
WHEN (SELECT c.deleted_at FROM workflow_runs AS r JOIN chat_conversations AS c ON c.id = r.conversation_id
       WHERE r.id = OLD.run_id) IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the run''s conversation is deleted; restore it (restore_conversation) first');
END;

CREATE TRIGGER workflow_runs_check_update
BEFORE UPDATE ON workflow_runs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the run''s conversation is deleted; restore it (restore_conversation) first')
   WHERE (SELECT deleted_at FROM chat_conversations WHERE id = OLD.conversation_id) IS NOT NULL;
  SELECT RAISE(ABORT, 'chatflow: a run id cannot change') WHERE NEW.id IS NOT OLD.id;
  SELECT RAISE(ABORT, 'chatflow: a run cannot move to another conversation or workflow')
   WHERE NEW.conversation_id IS NOT OLD.conversation_id OR NEW.workflow IS NOT OLD.workflow;
  SELECT RAISE(ABORT, 'chatflow: a run''s uid never changes') WHERE NEW.uid IS NOT OLD.uid;
  -- the status state machine: a move between two different statuses must
  -- be a row of workflow_run_transitions (a trigger cannot format the
  -- statuses into its message; the functions name them and the run)
  -- (a status that is none of the nine is left to the CHECK constraint,
  -- whose message lists them)
  SELECT RAISE(ABORT, 'chatflow: invalid run transition (not a move of workflow_run_transitions)')
   WHERE NEW.status IS NOT OLD.status
     AND NOT EXISTS (SELECT 1 FROM workflow_run_transitions
                      WHERE from_status = OLD.status AND to_status = NEW.status)
     AND EXISTS (SELECT 1 FROM workflow_run_transitions
                  WHERE from_status = NEW.status OR to_status = NEW.status);
  SELECT RAISE(ABORT, 'chatflow: the conversation already has an active run')
   WHERE NOT (OLD.status = 'started' OR OLD.status = 'awaiting_clarification' OR OLD.status = 'awaiting_approval' OR OLD.status = 'processing')
     AND (NEW.status = 'started' OR NEW.status = 'awaiting_clarification' OR NEW.status = 'awaiting_approval' OR NEW.status = 'processing')
     AND EXISTS (SELECT 1 FROM workflow_runs
                  WHERE conversation_id = NEW.conversation_id AND id <> NEW.id
                    AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: a finished run cannot change step')
   WHERE (OLD.status = 'completed' OR OLD.status = 'failed' OR OLD.status = 'cancelled' OR OLD.status = 'expired') AND OLD.current_step IS NOT NULL AND NEW.current_step IS NOT OLD.current_step;
  -- (a run that ends gets them from workflow_runs_after_update)
  SELECT RAISE(ABORT, 'chatflow: an ended run keeps its completed_at and holds no lease')
   WHERE (OLD.status = 'completed' OR OLD.status = 'failed' OR OLD.status = 'cancelled' OR OLD.status = 'expired')
     AND ((NEW.completed_at IS NULL AND OLD.completed_at IS NOT NULL)
          OR (NEW.lease_expires_at IS NOT NULL AND NEW.lease_expires_at IS NOT OLD.lease_expires_at));
  SELECT RAISE(ABORT, 'chatflow: current_step is not a step of the run''s workflow')
   WHERE NEW.current_step IS NOT OLD.current_step
 AND NOT EXISTS (SELECT 1 FROM workflow_definitions AS d, json_each(d.steps) AS s
                  WHERE d.name = NEW.workflow
                    AND json_extract(s.value, '$.name') = NEW.current_step);
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE (NEW.started_at IS NOT OLD.started_at AND NEW.started_at IS NOT NULL AND (NEW.started_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.started_at, '+0 days') IS NOT substr(NEW.started_at, 1, 10) OR substr(NEW.started_at, 12, 2) > '23') OR NEW.started_at < '0001'))
   OR (NEW.created_at IS NOT OLD.created_at AND NEW.created_at IS NOT NULL AND (NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.created_at, '+0 days') IS NOT substr(NEW.created_at, 1, 10) OR substr(NEW.created_at, 12, 2) > '23') OR NEW.created_at < '0001'))
   -- (updated_at may be 0000-01-01T00:00:00.000Z, which lets a run's log be
   -- replaced: workflow_run_events_keep, import_conversation)
   OR (NEW.updated_at IS NOT OLD.updated_at AND NEW.updated_at IS NOT NULL AND (NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.updated_at, '+0 days') IS NOT substr(NEW.updated_at, 1, 10) OR substr(NEW.updated_at, 12, 2) > '23') OR (NEW.updated_at < '0001' AND NEW.updated_at <> '0000-01-01T00:00:00.000Z')))
   OR (NEW.completed_at IS NOT OLD.completed_at AND NEW.completed_at IS NOT NULL AND (NEW.completed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.completed_at, '+0 days') IS NOT substr(NEW.completed_at, 1, 10) OR substr(NEW.completed_at, 12, 2) > '23') OR NEW.completed_at < '0001'))
   OR (NEW.lease_expires_at IS NOT OLD.lease_expires_at AND NEW.lease_expires_at IS NOT NULL AND (NEW.lease_expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.lease_expires_at, '+0 days') IS NOT substr(NEW.lease_expires_at, 1, 10) OR substr(NEW.lease_expires_at, 12, 2) > '23') OR NEW.lease_expires_at < '0001'))
   OR (NEW.expires_at IS NOT OLD.expires_at AND NEW.expires_at IS NOT NULL AND (NEW.expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' OR (date(NEW.expires_at, '+0 days') IS NOT substr(NEW.expires_at, 1, 10) OR substr(NEW.expires_at, 12, 2) > '23') OR NEW.expires_at < '0001'));
  SELECT RAISE(ABORT, 'chatflow: run error contains a NUL character')
   WHERE NEW.error IS NOT OLD.error AND instr(CAST(NEW.error AS BLOB), x'00') > 0;
  -- state and business_context joined by a space (a JSON text ends in a
  -- delimiter, so no escape spans the two), looked at only when they
  -- hold a \u escape
  SELECT RAISE(ABORT, 'chatflow: run state or business_context contains \u0000 (a NUL character)')
   WHERE instr((CASE WHEN NEW.state IS NOT OLD.state THEN coalesce(NEW.state, '') ELSE '' END || ' ' || CASE WHEN NEW.business_context IS NOT OLD.business_context THEN coalesce(NEW.business_context, '') ELSE '' END), '\u') > 0 AND instr(replace((CASE WHEN NEW.state IS NOT OLD.state THEN coalesce(NEW.state, '') ELSE '' END || ' ' || CASE WHEN NEW.business_context IS NOT OLD.business_context THEN coalesce(NEW.business_context, '') ELSE '' END), '\\', '_'), '\u0000') > 0;
  SELECT RAISE(ABORT, 'chatflow: run state or business_context contains a lone surrogate')
   WHERE (instr((CASE WHEN NEW.state IS NOT OLD.state THEN coalesce(NEW.state, '') ELSE '' END || ' ' || CASE WHEN NEW.business_context IS NOT OLD.business_context THEN coalesce(NEW.business_context, '') ELSE '' END), '\ud') > 0 OR instr((CASE WHEN NEW.state IS NOT OLD.state THEN coalesce(NEW.state, '') ELSE '' END || ' ' || CASE WHEN NEW.business_context IS NOT OLD.business_context THEN coalesce(NEW.business_context, '') ELSE '' END), '\uD') > 0)
     AND EXISTS (SELECT 1 FROM (SELECT '      ' || lower(replace((CASE WHEN NEW.state IS NOT OLD.state THEN coalesce(NEW.state, '') ELSE '' END || ' ' || CASE WHEN NEW.business_context IS NOT OLD.business_context THEN coalesce(NEW.business_context, '') ELSE '' END), '\\', '_')) AS t),
                  chatflow_lone_surrogate_globs WHERE t GLOB pattern);
END;

-- ---------------------------------------------------------------------------
-- LangGraph checkpoints (ext/langgraph.c; docs/langgraph.md)
--
-- A LangGraph thread is a conversation: thread_id is the conversation's
-- uid.  Three tables, in the layout of LangGraph's own Postgres saver:
--   langgraph_checkpoints  one row per checkpoint: the checkpoint without
--                          its channel values (a typed blob), its metadata
--                          (a JSON object, searchable) and its channel
--                          versions (a JSON object: channel -> version);
--   langgraph_blobs        the value of a channel at a version, stored once
--                          however many checkpoints share it;
--   langgraph_writes       pending writes per (checkpoint, task_id, idx).
-- run_id, when given, is the chatflow run that wrote the row: it must be
-- active and belong to the thread's conversation.  A deleted conversation
-- takes no checkpoint, blob or write until restored; purging it (or a
-- run's rollback) deletes what belonged to it.  Retention:
-- langgraph_prune_checkpoints(keep) keeps the newest checkpoints of every
-- thread and namespace.

CREATE TABLE langgraph_checkpoints (
  id                   INTEGER PRIMARY KEY,
  conversation_id      INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  checkpoint_ns        TEXT NOT NULL DEFAULT ''
                       CONSTRAINT "chatflow: checkpoint_ns must be text of at most 200 characters"
                       CHECK (length(checkpoint_ns) <= 200),
  checkpoint_id        TEXT NOT NULL
                       CONSTRAINT "chatflow: checkpoint_id must be text of 1 to 200 characters"
                       CHECK (length(checkpoint_id) BETWEEN 1 AND 200),
  parent_checkpoint_id TEXT
                       CONSTRAINT "chatflow: parent_checkpoint_id must be text of 1 to 200 characters"
                       CHECK (parent_checkpoint_id IS NULL OR length(parent_checkpoint_id) BETWEEN 1 AND 200),
  run_id               INTEGER REFERENCES workflow_runs (id) ON DELETE CASCADE,
  type                 TEXT NOT NULL DEFAULT 'json'
                       CONSTRAINT "chatflow: checkpoint type must be text of 1 to 64 characters"
                       CHECK (length(type) BETWEEN 1 AND 64),
  checkpoint           BLOB NOT NULL
                       CONSTRAINT "chatflow: checkpoint must be at most 16777216 bytes"
                       CHECK (length(checkpoint) <= 16777216),
  metadata             TEXT NOT NULL DEFAULT '{}'
                       CONSTRAINT "chatflow: checkpoint metadata must be a JSON object"
                       CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  channel_versions     TEXT NOT NULL DEFAULT '{}'
                       CONSTRAINT "chatflow: channel_versions must be a JSON object"
                       CHECK (json_valid(channel_versions) AND json_type(channel_versions) = 'object'),
  created_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (conversation_id, checkpoint_ns, checkpoint_id)
) STRICT;
CREATE INDEX langgraph_checkpoints_run ON langgraph_checkpoints (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE langgraph_blobs (
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  checkpoint_ns   TEXT NOT NULL DEFAULT ''
                  CONSTRAINT "chatflow: checkpoint_ns must be text of at most 200 characters"
                  CHECK (length(checkpoint_ns) <= 200),
  channel         TEXT NOT NULL
                  CONSTRAINT "chatflow: channel must be text of 1 to 200 characters"
                  CHECK (length(channel) BETWEEN 1 AND 200),
  version         TEXT NOT NULL
                  CONSTRAINT "chatflow: version must be text of 1 to 200 characters"
                  CHECK (length(version) BETWEEN 1 AND 200),
  run_id          INTEGER REFERENCES workflow_runs (id) ON DELETE CASCADE,
  type            TEXT NOT NULL DEFAULT 'json'
                  CONSTRAINT "chatflow: blob type must be text of 1 to 64 characters"
                  CHECK (length(type) BETWEEN 1 AND 64),
  value           BLOB NOT NULL
                  CONSTRAINT "chatflow: blob value must be at most 16777216 bytes"
                  CHECK (length(value) <= 16777216),
  PRIMARY KEY (conversation_id, checkpoint_ns, channel, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE langgraph_writes (
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  checkpoint_ns   TEXT NOT NULL DEFAULT ''
                  CONSTRAINT "chatflow: checkpoint_ns must be text of at most 200 characters"
                  CHECK (length(checkpoint_ns) <= 200),
  checkpoint_id   TEXT NOT NULL,
  task_id         TEXT NOT NULL
                  CONSTRAINT "chatflow: task_id must be text of 1 to 200 characters"
                  CHECK (length(task_id) BETWEEN 1 AND 200),
  idx             INTEGER NOT NULL,
  channel         TEXT NOT NULL
                  CONSTRAINT "chatflow: channel must be text of 1 to 200 characters"
                  CHECK (length(channel) BETWEEN 1 AND 200),
  run_id          INTEGER REFERENCES workflow_runs (id) ON DELETE CASCADE,
  type            TEXT NOT NULL DEFAULT 'json'
                  CONSTRAINT "chatflow: write type must be text of 1 to 64 characters"
                  CHECK (length(type) BETWEEN 1 AND 64),
  value           BLOB NOT NULL
                  CONSTRAINT "chatflow: write value must be at most 16777216 bytes"
                  CHECK (length(value) <= 16777216),
  task_path       TEXT NOT NULL DEFAULT ''
                  CONSTRAINT "chatflow: task_path must be text of at most 200 characters"
                  CHECK (length(task_path) <= 200),
  PRIMARY KEY (conversation_id, checkpoint_ns, checkpoint_id, task_id, idx)
) STRICT, WITHOUT ROWID;
CREATE INDEX langgraph_writes_run ON langgraph_writes (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX langgraph_blobs_run ON langgraph_blobs (run_id) WHERE run_id IS NOT NULL;

-- The rules, for raw SQL too: the conversation exists and is not deleted;
-- a run, when named, is active and the conversation's; no NUL character
-- in the names; a write belongs to a checkpoint that exists.
CREATE TRIGGER langgraph_checkpoints_insert
BEFORE INSERT ON langgraph_checkpoints
BEGIN
  -- (an INSERT OR REPLACE naming another checkpoint's id would delete that
  -- checkpoint without its DELETE trigger unless recursive_triggers is on:
  -- its pending writes would stay behind without it)
  SELECT RAISE(ABORT, 'chatflow: a checkpoint with this id already exists; omit id')
   WHERE NEW.id > 0 AND EXISTS (SELECT 1 FROM langgraph_checkpoints WHERE id = NEW.id);
  SELECT RAISE(ABORT, 'chatflow: unknown conversation for checkpoint')
   WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before saving checkpoints')
   WHERE EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id AND deleted_at IS NOT NULL);
  SELECT RAISE(ABORT, 'chatflow: a checkpoint of run n can be saved only while run n is active in the thread''s conversation')
   WHERE NEW.run_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id
                       AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z';
  SELECT RAISE(ABORT, 'chatflow: checkpoint_ns, checkpoint_id, parent_checkpoint_id or type contains a NUL character')
   WHERE instr(CAST(NEW.checkpoint_ns AS BLOB), x'00') > 0 OR instr(CAST(NEW.checkpoint_id AS BLOB), x'00') > 0
      OR instr(CAST(NEW.parent_checkpoint_id AS BLOB), x'00') > 0 OR instr(CAST(NEW.type AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: checkpoint metadata or channel_versions contains \u0000 (a NUL character)')
   WHERE (instr(NEW.metadata, '\u') > 0 AND instr(replace(NEW.metadata, '\\', '_'), '\u0000') > 0)
      OR (instr(NEW.channel_versions, '\u') > 0 AND instr(replace(NEW.channel_versions, '\\', '_'), '\u0000') > 0);
END;
CREATE TRIGGER langgraph_checkpoints_update
BEFORE UPDATE ON langgraph_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a checkpoint cannot move to another conversation, namespace or id')
   WHERE NEW.conversation_id IS NOT OLD.conversation_id OR NEW.checkpoint_ns IS NOT OLD.checkpoint_ns
      OR NEW.checkpoint_id IS NOT OLD.checkpoint_id OR NEW.id IS NOT OLD.id;
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before saving checkpoints')
   WHERE EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id AND deleted_at IS NOT NULL);
  SELECT RAISE(ABORT, 'chatflow: a checkpoint of run n can be saved only while run n is active in the thread''s conversation')
   WHERE NEW.run_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id
                       AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ')
   WHERE NEW.created_at IS NOT OLD.created_at AND NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z';
  SELECT RAISE(ABORT, 'chatflow: checkpoint_ns, checkpoint_id, parent_checkpoint_id or type contains a NUL character')
   WHERE instr(CAST(NEW.parent_checkpoint_id AS BLOB), x'00') > 0 OR instr(CAST(NEW.type AS BLOB), x'00') > 0;
  SELECT RAISE(ABORT, 'chatflow: checkpoint metadata or channel_versions contains \u0000 (a NUL character)')
   WHERE (instr(NEW.metadata, '\u') > 0 AND instr(replace(NEW.metadata, '\\', '_'), '\u0000') > 0)
      OR (instr(NEW.channel_versions, '\u') > 0 AND instr(replace(NEW.channel_versions, '\\', '_'), '\u0000') > 0);
END;
CREATE TRIGGER langgraph_checkpoints_delete
AFTER DELETE ON langgraph_checkpoints
BEGIN
  DELETE FROM langgraph_writes
   WHERE conversation_id = OLD.conversation_id AND checkpoint_ns = OLD.checkpoint_ns
     AND checkpoint_id = OLD.checkpoint_id;
END;

CREATE TRIGGER langgraph_blobs_insert
BEFORE INSERT ON langgraph_blobs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: unknown conversation for checkpoint')
   WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before saving checkpoints')
   WHERE EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id AND deleted_at IS NOT NULL);
  SELECT RAISE(ABORT, 'chatflow: a checkpoint of run n can be saved only while run n is active in the thread''s conversation')
   WHERE NEW.run_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id
                       AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: checkpoint_ns, channel, version or type contains a NUL character')
   WHERE instr(CAST(NEW.checkpoint_ns AS BLOB), x'00') > 0 OR instr(CAST(NEW.channel AS BLOB), x'00') > 0
      OR instr(CAST(NEW.version AS BLOB), x'00') > 0 OR instr(CAST(NEW.type AS BLOB), x'00') > 0;
END;
CREATE TRIGGER langgraph_blobs_update
BEFORE UPDATE ON langgraph_blobs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a channel value cannot change once saved')
   WHERE NEW.conversation_id IS NOT OLD.conversation_id OR NEW.checkpoint_ns IS NOT OLD.checkpoint_ns
      OR NEW.channel IS NOT OLD.channel OR NEW.version IS NOT OLD.version
      OR NEW.type IS NOT OLD.type OR NEW.value IS NOT OLD.value
      -- (its run decides who deletes it: a rollback of that run; it may
      -- only be cleared, which keeps the value from any rollback)
      OR (NEW.run_id IS NOT OLD.run_id AND NEW.run_id IS NOT NULL);
END;

CREATE TRIGGER langgraph_writes_insert
BEFORE INSERT ON langgraph_writes
BEGIN
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before saving checkpoints')
   WHERE EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id AND deleted_at IS NOT NULL);
  SELECT RAISE(ABORT, 'chatflow: unknown checkpoint for pending write')
   WHERE NOT EXISTS (SELECT 1 FROM langgraph_checkpoints
                      WHERE conversation_id = NEW.conversation_id AND checkpoint_ns = NEW.checkpoint_ns
                        AND checkpoint_id = NEW.checkpoint_id);
  SELECT RAISE(ABORT, 'chatflow: a checkpoint of run n can be saved only while run n is active in the thread''s conversation')
   WHERE NEW.run_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id
                       AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: task_id, channel, type or task_path contains a NUL character')
   WHERE instr(CAST(NEW.task_id AS BLOB), x'00') > 0 OR instr(CAST(NEW.channel AS BLOB), x'00') > 0
      OR instr(CAST(NEW.type AS BLOB), x'00') > 0 OR instr(CAST(NEW.task_path AS BLOB), x'00') > 0;
END;
CREATE TRIGGER langgraph_writes_update
BEFORE UPDATE ON langgraph_writes
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a pending write cannot move to another checkpoint')
   WHERE NEW.conversation_id IS NOT OLD.conversation_id OR NEW.checkpoint_ns IS NOT OLD.checkpoint_ns
      OR NEW.checkpoint_id IS NOT OLD.checkpoint_id OR NEW.task_id IS NOT OLD.task_id OR NEW.idx IS NOT OLD.idx;
  SELECT RAISE(ABORT, 'chatflow: the conversation is deleted; restore it (restore_conversation) before saving checkpoints')
   WHERE EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id AND deleted_at IS NOT NULL);
  SELECT RAISE(ABORT, 'chatflow: a checkpoint of run n can be saved only while run n is active in the thread''s conversation')
   WHERE NEW.run_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id
                       AND (status = 'started' OR status = 'awaiting_clarification' OR status = 'awaiting_approval' OR status = 'processing'));
  SELECT RAISE(ABORT, 'chatflow: task_id, channel, type or task_path contains a NUL character')
   WHERE instr(CAST(NEW.channel AS BLOB), x'00') > 0 OR instr(CAST(NEW.type AS BLOB), x'00') > 0
      OR instr(CAST(NEW.task_path AS BLOB), x'00') > 0;
END;

-- What a conversation or a run takes with it when it goes (purge,
-- purge_deleted, a run's rollback), with or without PRAGMA foreign_keys.
-- (before the delete: the conversation's runs, which its AFTER DELETE
-- cascade deletes, then find no channel value left to look at in
-- langgraph_run_keep_shared)
CREATE TRIGGER langgraph_conversation_cascade
BEFORE DELETE ON chat_conversations
BEGIN
  DELETE FROM langgraph_checkpoints WHERE conversation_id = OLD.id;
  DELETE FROM langgraph_blobs WHERE conversation_id = OLD.id;
  DELETE FROM langgraph_writes WHERE conversation_id = OLD.id;
END;
-- A channel value the run saved that a checkpoint of another run (or of
-- none: LangGraph's updateState after the run) also names stays when the
-- run is deleted (a rollback, a purge): it is the other checkpoint's value
-- too.  Its run tag is cleared first, before the delete's foreign-key
-- action (with foreign_keys on) or the trigger below remove the run's.
CREATE TRIGGER langgraph_run_keep_shared
BEFORE DELETE ON workflow_runs
WHEN EXISTS (SELECT 1 FROM langgraph_blobs WHERE run_id = OLD.id)
BEGIN
  -- (the names listed once: the conversation's other checkpoints, each
  -- channel version they name)
  UPDATE langgraph_blobs SET run_id = NULL
   WHERE run_id = OLD.id
     AND (conversation_id, checkpoint_ns, channel, version) IN
         (SELECT c.conversation_id, c.checkpoint_ns, v.key, CAST(v.value AS TEXT)
            FROM langgraph_checkpoints AS c, json_each(c.channel_versions) AS v
           WHERE c.conversation_id = OLD.conversation_id AND c.run_id IS NOT OLD.id);
END;
CREATE TRIGGER langgraph_run_cascade
AFTER DELETE ON workflow_runs
BEGIN
  DELETE FROM langgraph_checkpoints WHERE run_id = OLD.id;
  DELETE FROM langgraph_blobs WHERE run_id = OLD.id;
  DELETE FROM langgraph_writes WHERE run_id = OLD.id;
END;

-- ---------------------------------------------------------------------------
-- Settings: the rule of each value, for raw SQL too
--
-- The triggers above read settings as integers (CAST(value AS INTEGER)), and
-- a text that is not one reads as 0: a raw 'abc' made every lease 0 seconds
-- long.  The rule of each setting chatflow knows lives here, once:
-- chatflow_config writes through it (and quotes the value in its message);
-- a key chatflow does not know is stored as written (chatflow reads no such
-- key; chatflow_config refuses it); NULL is unset, for every key.
-- llm.base_url and llm.extra_body are checked in C (provider.c: libcurl
-- parses the URL; extra_body's keys are compared with the request members
-- chatflow sets), when set and before every call: only a call reads them,
-- and a trigger would hold a second copy of part of their rule.  A trigger's message is a literal (RAISE takes no
-- expression before SQLite 3.47), so each key has its own.
--
-- The rule is the INSTEAD OF trigger of a view that never holds a row, so
-- that the insert and the update of chatflow_settings (and this migration,
-- for the rows a 0.1 database holds) apply the same one.

CREATE VIEW chatflow_setting_rules (key, value) AS SELECT NULL, NULL WHERE 0;

CREATE TRIGGER chatflow_setting_rules_check
INSTEAD OF INSERT ON chatflow_setting_rules
WHEN NEW.value IS NOT NULL
BEGIN
  SELECT CASE
    -- integers: digits only, no sign, space or exponent; in range
    WHEN k = 'limits.max_content_chars' AND NOT (d AND n BETWEEN 1 AND 10000000)
      THEN RAISE(ABORT, 'chatflow: limits.max_content_chars must be an integer from 1 to 10000000')
    WHEN k = 'runs.lease_seconds' AND NOT (d AND n BETWEEN 1 AND 86400)
      THEN RAISE(ABORT, 'chatflow: runs.lease_seconds must be an integer from 1 to 86400')
    WHEN k = 'runs.awaiting_ttl_seconds' AND NOT (d AND n BETWEEN 0 AND 31536000)
      THEN RAISE(ABORT, 'chatflow: runs.awaiting_ttl_seconds must be an integer from 0 to 31536000')
    WHEN k = 'messages.draft_timeout_seconds' AND NOT (d AND n BETWEEN 1 AND 604800)
      THEN RAISE(ABORT, 'chatflow: messages.draft_timeout_seconds must be an integer from 1 to 604800')
    WHEN k = 'llm.timeout_ms' AND NOT (d AND n BETWEEN 1 AND 3600000)
      THEN RAISE(ABORT, 'chatflow: llm.timeout_ms must be an integer from 1 to 3600000')
    WHEN k = 'llm.connect_timeout_ms' AND NOT (d AND n BETWEEN 1 AND 600000)
      THEN RAISE(ABORT, 'chatflow: llm.connect_timeout_ms must be an integer from 1 to 600000')
    WHEN k = 'llm.max_tokens' AND NOT (d AND n BETWEEN 1 AND 10000000)
      THEN RAISE(ABORT, 'chatflow: llm.max_tokens must be an integer from 1 to 10000000')
    WHEN k = 'llm.history_tokens' AND NOT (d AND n BETWEEN 1 AND 100000000)
      THEN RAISE(ABORT, 'chatflow: llm.history_tokens must be an integer from 1 to 100000000')
    WHEN k = 'llm.max_response_bytes' AND NOT (d AND n BETWEEN 1024 AND 268435456)
      THEN RAISE(ABORT, 'chatflow: llm.max_response_bytes must be an integer from 1024 to 268435456')
    -- a decimal number: digits, an optional fraction ('.' and digits), an
    -- optional exponent ("0.7", "2", "7e-1"); not a sign, a bare point, hex
    WHEN k = 'llm.temperature'
     AND NOT (length(v) <= 20 AND m GLOB '[0-9]*' AND m NOT GLOB '*[^0-9.]*' AND m NOT GLOB '*.*.*'
              AND m NOT GLOB '*.' AND (x IS NULL OR ((x GLOB '[0-9]*' OR x GLOB '[+-][0-9]*')
                                                     AND substr(x, 2) NOT GLOB '*[^0-9]*'))
              AND CAST(v AS REAL) BETWEEN 0 AND 2)
      THEN RAISE(ABORT, 'chatflow: llm.temperature must be a number from 0 to 2')
    WHEN k = 'llm.tls_verify' AND v NOT IN ('on', 'off')
      THEN RAISE(ABORT, 'chatflow: llm.tls_verify must be ''on'' or ''off''')
    WHEN k = 'llm.api_key_env' AND NOT (v <> '' AND v NOT GLOB '[0-9]*' AND v NOT GLOB '*[^A-Za-z0-9_]*')
      THEN RAISE(ABORT, 'chatflow: llm.api_key_env must name an environment variable ([A-Za-z_][A-Za-z0-9_]*)')
    WHEN k = 'llm.extra_headers_env' AND NOT (v <> '' AND v NOT GLOB '[0-9]*' AND v NOT GLOB '*[^A-Za-z0-9_]*')
      THEN RAISE(ABORT, 'chatflow: llm.extra_headers_env must name an environment variable ([A-Za-z_][A-Za-z0-9_]*)')
    WHEN k = 'llm.model' AND NOT length(v) BETWEEN 1 AND 1000
      THEN RAISE(ABORT, 'chatflow: llm.model must be 1 to 1000 characters')
    WHEN k = 'llm.ca_bundle' AND NOT length(v) BETWEEN 1 AND 1000
      THEN RAISE(ABORT, 'chatflow: llm.ca_bundle must be 1 to 1000 characters')
  END
  FROM (SELECT NEW.key AS k, NEW.value AS v,
               (NEW.value GLOB '[0-9]*' AND NEW.value NOT GLOB '*[^0-9]*') AS d,
               CAST(NEW.value AS INTEGER) AS n,
               -- a number's mantissa and exponent (NULL: none)
               CASE WHEN instr(lower(NEW.value), 'e') > 0
                    THEN substr(NEW.value, 1, instr(lower(NEW.value), 'e') - 1) ELSE NEW.value END AS m,
               CASE WHEN instr(lower(NEW.value), 'e') > 0
                    THEN substr(NEW.value, instr(lower(NEW.value), 'e') + 1) END AS x);
END;

CREATE TRIGGER chatflow_settings_check_insert
BEFORE INSERT ON chatflow_settings
BEGIN
  INSERT INTO chatflow_setting_rules (key, value) VALUES (NEW.key, NEW.value);
END;

CREATE TRIGGER chatflow_settings_check_update
BEFORE UPDATE OF key, value ON chatflow_settings
BEGIN
  INSERT INTO chatflow_setting_rules (key, value) VALUES (NEW.key, NEW.value);
END;

-- A 0.1 database: an empty llm.model or llm.ca_bundle meant none, as unset
-- does; any other value that breaks its rule stops the migration with the
-- rule's message (fix or delete the row, then call chatflow_init() again).
DELETE FROM chatflow_settings WHERE key IN ('llm.model', 'llm.ca_bundle') AND value = '';
INSERT INTO chatflow_setting_rules (key, value) SELECT key, value FROM chatflow_settings ORDER BY key;
