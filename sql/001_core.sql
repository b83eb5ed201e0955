-- chatflow schema migration 001: core tables, constraints and triggers.
--
-- Applied by chatflow_init() inside a SAVEPOINT; never edit a released
-- migration, add a new numbered file instead.  Every invariant here is
-- enforced by SQLite itself (CHECKs, unique indexes, triggers), so it holds
-- for raw SQL from any language and without the extension loaded.
--
-- Timestamps are UTC text 'YYYY-MM-DDTHH:MM:SS.sssZ'.  Triggers that stamp
-- a time use chatflow_statement_clock when a chatflow function has pinned
-- the clock for the current statement (chatflow_clock()), else the real time.

CREATE TABLE chatflow_settings (
  key        TEXT PRIMARY KEY,
  value      TEXT,
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- At most one row, written and removed inside one chatflow function call
-- while this connection's clock is pinned; never visible to other connections.
CREATE TABLE chatflow_statement_clock (
  id  INTEGER PRIMARY KEY CHECK (id = 1),
  now TEXT NOT NULL
) STRICT;

CREATE TABLE chat_conversations (
  id              INTEGER PRIMARY KEY,
  uid             TEXT NOT NULL UNIQUE DEFAULT (lower(hex(randomblob(16))))
                  CHECK (length(uid) BETWEEN 1 AND 64),
  owner           TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
  key             TEXT CHECK (key IS NULL OR length(key) BETWEEN 1 AND 200),
  title           TEXT CHECK (title IS NULL OR length(title) <= 200),
  visibility      TEXT NOT NULL DEFAULT 'private'
                  CHECK (visibility IN ('private', 'public')),
  model           TEXT,
  agent           TEXT,
  context         TEXT NOT NULL DEFAULT '{}'
                  CHECK (json_valid(context) AND json_type(context) = 'object'),
  metadata        TEXT NOT NULL DEFAULT '{}'
                  CHECK (json_valid(metadata) AND json_type(metadata) = 'object'),
  pinned_at       TEXT,
  archived_at     TEXT,
  deleted_at      TEXT,
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- maintained by the triggers on chat_messages; never written by hand
  message_count   INTEGER NOT NULL DEFAULT 0 CHECK (message_count >= 0),
  last_seq        INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
  total_tokens    INTEGER NOT NULL DEFAULT 0 CHECK (total_tokens >= 0),
  last_message_at TEXT,
  UNIQUE (owner, key)
) STRICT;

CREATE INDEX chat_conversations_owner_updated
  ON chat_conversations (owner, updated_at);

CREATE TABLE workflow_definitions (
  name       TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 100),
  steps      TEXT NOT NULL CHECK (json_valid(steps) AND json_type(steps) = 'array'
                                  AND json_array_length(steps) > 0),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE workflow_runs (
  id               INTEGER PRIMARY KEY,
  conversation_id  INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  workflow         TEXT NOT NULL REFERENCES workflow_definitions (name),
  status           TEXT NOT NULL DEFAULT 'started'
                   CHECK (status IN ('started', 'awaiting_clarification', 'awaiting_approval',
                                     'processing', 'completed', 'failed', 'cancelled')),
  current_step     TEXT,   -- the workflow's first step when omitted (trigger)
  state            TEXT NOT NULL DEFAULT '{}'
                   CHECK (json_valid(state) AND json_type(state) = 'object'),
  business_context TEXT NOT NULL DEFAULT '{}'
                   CHECK (json_valid(business_context) AND json_type(business_context) = 'object'),
  clarifications   TEXT NOT NULL DEFAULT '[]'
                   CHECK (json_valid(clarifications) AND json_type(clarifications) = 'array'),
  error            TEXT,
  lease_expires_at TEXT,
  started_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  completed_at     TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX workflow_runs_conversation ON workflow_runs (conversation_id);

-- The one-active-run-per-conversation rule.
CREATE UNIQUE INDEX workflow_runs_one_active ON workflow_runs (conversation_id)
  WHERE status IN ('started', 'awaiting_clarification', 'awaiting_approval', 'processing');

CREATE TABLE chat_messages (
  id              INTEGER PRIMARY KEY,
  conversation_id INTEGER NOT NULL REFERENCES chat_conversations (id) ON DELETE CASCADE,
  seq             INTEGER CHECK (seq IS NULL OR seq > 0),  -- next seq when omitted (trigger)
  run_id          INTEGER REFERENCES workflow_runs (id) ON DELETE CASCADE,
  role            TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  type            TEXT CHECK (type IS NULL OR (length(type) BETWEEN 1 AND 64
                                               AND type NOT GLOB '*[^a-z0-9_.-]*')),
  content         TEXT NOT NULL DEFAULT '',
  parts           TEXT CHECK (parts IS NULL OR (json_valid(parts) AND json_type(parts) = 'array')),
  attachments     TEXT CHECK (attachments IS NULL
                              OR (json_valid(attachments) AND json_type(attachments) = 'array')),
  workflow_step   TEXT,
  metadata        TEXT CHECK (metadata IS NULL
                              OR (json_valid(metadata) AND json_type(metadata) = 'object')),
  tokens          INTEGER CHECK (tokens IS NULL OR tokens >= 0),  -- estimated when omitted
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (content <> '' OR (parts IS NOT NULL AND json_array_length(parts) > 0)),
  UNIQUE (conversation_id, seq)
) STRICT;

CREATE INDEX chat_messages_run ON chat_messages (run_id, seq) WHERE run_id IS NOT NULL;
CREATE INDEX chat_messages_system ON chat_messages (conversation_id, seq) WHERE role = 'system';

CREATE TABLE workflow_run_events (
  id          INTEGER PRIMARY KEY,
  run_id      INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  from_status TEXT,
  to_status   TEXT NOT NULL,
  from_step   TEXT,
  to_step     TEXT,
  detail      TEXT CHECK (detail IS NULL OR json_valid(detail)),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX workflow_run_events_run ON workflow_run_events (run_id, id);

CREATE TABLE workflow_proposals (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES workflow_runs (id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
  proposed_name TEXT NOT NULL CHECK (length(proposed_name) BETWEEN 1 AND 500),
  approved_name TEXT CHECK (approved_name IS NULL OR length(approved_name) BETWEEN 1 AND 500),
  rationale     TEXT,
  user_approved INTEGER NOT NULL DEFAULT 0 CHECK (user_approved IN (0, 1)),
  approved_at   TEXT,
  validated     INTEGER NOT NULL DEFAULT 0 CHECK (validated IN (0, 1)),
  validated_at  TEXT,
  validation    TEXT CHECK (validation IS NULL OR json_valid(validation)),
  ref           TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX workflow_proposals_run ON workflow_proposals (run_id);

-- The layout of Neuron AI's PHP persistence; not STRICT, so that engines
-- storing a serialised string in data keep working.
CREATE TABLE workflow_interrupts (
  workflow_id TEXT PRIMARY KEY NOT NULL CHECK (length(workflow_id) BETWEEN 1 AND 200),
  data        BLOB NOT NULL,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- ---------------------------------------------------------------------------
-- Conversations

CREATE TRIGGER chat_conversations_counters_insert
BEFORE INSERT ON chat_conversations
WHEN NEW.message_count <> 0 OR NEW.last_seq <> 0 OR NEW.total_tokens <> 0
     OR NEW.last_message_at IS NOT NULL
BEGIN
  SELECT RAISE(ABORT, 'chatflow: message_count, last_seq, total_tokens and last_message_at are maintained by chatflow; omit them');
END;

-- seq is never reused: last_seq only grows (a lower value would make the
-- next message collide with an existing seq).
CREATE TRIGGER chat_conversations_last_seq
BEFORE UPDATE OF last_seq ON chat_conversations
WHEN NEW.last_seq < OLD.last_seq
BEGIN
  SELECT RAISE(ABORT, 'chatflow: last_seq is maintained by chatflow and never decreases');
END;

-- updated_at follows any change of a caller-visible column that did not set it.
CREATE TRIGGER chat_conversations_touch
AFTER UPDATE OF owner, key, title, visibility, model, agent, context, metadata,
                pinned_at, archived_at, deleted_at ON chat_conversations
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE chat_conversations
     SET updated_at = coalesce((SELECT now FROM chatflow_statement_clock),
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE id = NEW.id;
END;

-- Cascades by trigger, so they hold whether PRAGMA foreign_keys is on or off.
CREATE TRIGGER chat_conversations_cascade
AFTER DELETE ON chat_conversations
BEGIN
  DELETE FROM workflow_runs WHERE conversation_id = OLD.id;
  DELETE FROM chat_messages WHERE conversation_id = OLD.id;
END;

-- ---------------------------------------------------------------------------
-- Messages

CREATE TRIGGER chat_messages_check_insert
BEFORE INSERT ON chat_messages
BEGIN
  SELECT RAISE(ABORT, 'chatflow: unknown conversation for message')
   WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: message seq must be greater than the conversation''s last seq')
   WHERE NEW.seq IS NOT NULL
     AND NEW.seq <= (SELECT last_seq FROM chat_conversations WHERE id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: message run_id names no run of this conversation')
   WHERE NEW.run_id IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_runs
                      WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: message content is longer than limits.max_content_chars')
   WHERE length(NEW.content) > coalesce((SELECT CAST(value AS INTEGER) FROM chatflow_settings
                                          WHERE key = 'limits.max_content_chars'), 100000);
END;

-- Derived columns a raw INSERT may omit (seq, tokens, type, run_id: the
-- conversation's active run, workflow_step: that run's step) are filled
-- exactly as add_message fills them; then the conversation's counters move.  One trigger, so the
-- order of the two steps is fixed.
CREATE TRIGGER chat_messages_after_insert
AFTER INSERT ON chat_messages
BEGIN
  UPDATE chat_messages
     SET seq = coalesce(NEW.seq, (SELECT last_seq + 1 FROM chat_conversations
                                   WHERE id = NEW.conversation_id)),
         tokens = coalesce(NEW.tokens,
                           CASE WHEN NEW.content <> '' THEN (length(NEW.content) + 3) / 4
                                ELSE (length(coalesce(NEW.parts, '')) + 3) / 4 END),
         type = coalesce(NEW.type, CASE NEW.role WHEN 'user' THEN 'user_input'
                                                 WHEN 'assistant' THEN 'assistant_response'
                                                 WHEN 'tool' THEN 'tool_result'
                                                 ELSE 'system' END),
         run_id = coalesce(NEW.run_id,
                           (SELECT id FROM workflow_runs
                             WHERE conversation_id = NEW.conversation_id
                               AND status IN ('started', 'awaiting_clarification',
                                              'awaiting_approval', 'processing'))),
         workflow_step = coalesce(NEW.workflow_step,
                                  (SELECT current_step FROM workflow_runs
                                    WHERE id = coalesce(NEW.run_id,
                                      (SELECT id FROM workflow_runs
                                        WHERE conversation_id = NEW.conversation_id
                                          AND status IN ('started', 'awaiting_clarification',
                                                         'awaiting_approval', 'processing')))))
   WHERE id = NEW.id
     AND (NEW.seq IS NULL OR NEW.tokens IS NULL OR NEW.type IS NULL
          OR (NEW.run_id IS NOT NULL AND NEW.workflow_step IS NULL)
          OR (NEW.run_id IS NULL
              AND EXISTS (SELECT 1 FROM workflow_runs
                           WHERE conversation_id = NEW.conversation_id
                             AND status IN ('started', 'awaiting_clarification',
                                            'awaiting_approval', 'processing'))));
  UPDATE chat_conversations
     SET message_count = message_count + 1,
         last_seq = (SELECT seq FROM chat_messages WHERE id = NEW.id),
         total_tokens = total_tokens + (SELECT tokens FROM chat_messages WHERE id = NEW.id),
         last_message_at = NEW.created_at,
         updated_at = max(updated_at, NEW.created_at)
   WHERE id = NEW.conversation_id;
END;

CREATE TRIGGER chat_messages_counters_delete
AFTER DELETE ON chat_messages
BEGIN
  UPDATE chat_conversations
     SET message_count = message_count - 1,
         total_tokens = total_tokens - coalesce(OLD.tokens, 0),
         last_message_at = (SELECT created_at FROM chat_messages
                             WHERE conversation_id = OLD.conversation_id
                             ORDER BY seq DESC LIMIT 1)
   WHERE id = OLD.conversation_id;
END;

CREATE TRIGGER chat_messages_immutable
BEFORE UPDATE OF conversation_id, seq, role, content, parts ON chat_messages
WHEN NEW.conversation_id IS NOT OLD.conversation_id
  OR (OLD.seq IS NOT NULL AND NEW.seq IS NOT OLD.seq)
  OR NEW.role IS NOT OLD.role
  OR NEW.content IS NOT OLD.content
  OR NEW.parts IS NOT OLD.parts
BEGIN
  SELECT RAISE(ABORT, 'chatflow: messages are immutable: conversation_id, seq, role, content and parts cannot be updated');
END;

CREATE TRIGGER chat_messages_tokens_update
AFTER UPDATE OF tokens ON chat_messages
WHEN OLD.tokens IS NOT NULL AND NEW.tokens IS NOT OLD.tokens
BEGIN
  UPDATE chat_conversations
     SET total_tokens = total_tokens - coalesce(OLD.tokens, 0) + coalesce(NEW.tokens, 0)
   WHERE id = NEW.conversation_id;
END;

-- ---------------------------------------------------------------------------
-- Workflow definitions

CREATE TRIGGER workflow_definitions_check_insert
BEFORE INSERT ON workflow_definitions
BEGIN
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
  SELECT RAISE(ABORT, 'chatflow: workflow step names must be unique')
   WHERE json_valid(NEW.steps)
     AND (SELECT count(DISTINCT json_extract(value, '$.name')) FROM json_each(NEW.steps))
         <> json_array_length(NEW.steps);
END;

CREATE TRIGGER workflow_definitions_check_update
BEFORE UPDATE OF name, steps ON workflow_definitions
WHEN NEW.name IS NOT OLD.name OR NEW.steps IS NOT OLD.steps
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a workflow definition cannot change while runs use it')
   WHERE EXISTS (SELECT 1 FROM workflow_runs WHERE workflow = OLD.name);
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
  SELECT RAISE(ABORT, 'chatflow: workflow step names must be unique')
   WHERE json_valid(NEW.steps)
     AND (SELECT count(DISTINCT json_extract(value, '$.name')) FROM json_each(NEW.steps))
         <> json_array_length(NEW.steps);
END;

CREATE TRIGGER workflow_definitions_check_delete
BEFORE DELETE ON workflow_definitions
WHEN EXISTS (SELECT 1 FROM workflow_runs WHERE workflow = OLD.name)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a workflow definition cannot be deleted while runs use it');
END;

INSERT INTO workflow_definitions (name, steps) VALUES ('topical_map', json('[
  {"name": "context_ingestion", "awaits": null},
  {"name": "clarification", "awaits": "clarification"},
  {"name": "pillar_proposal", "awaits": "approval"},
  {"name": "pillar_validation", "awaits": null},
  {"name": "cluster_generation", "awaits": null},
  {"name": "completion", "awaits": null}
]'));

-- ---------------------------------------------------------------------------
-- Workflow runs

CREATE TRIGGER workflow_runs_check_insert
BEFORE INSERT ON workflow_runs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: unknown conversation for run')
   WHERE NOT EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.conversation_id);
  SELECT RAISE(ABORT, 'chatflow: unknown workflow for run')
   WHERE NOT EXISTS (SELECT 1 FROM workflow_definitions WHERE name = NEW.workflow);
  SELECT RAISE(ABORT, 'chatflow: the conversation already has an active run')
   WHERE NEW.status IN ('started', 'awaiting_clarification', 'awaiting_approval', 'processing')
     AND EXISTS (SELECT 1 FROM workflow_runs
                  WHERE conversation_id = NEW.conversation_id
                    AND status IN ('started', 'awaiting_clarification', 'awaiting_approval', 'processing'));
  SELECT RAISE(ABORT, 'chatflow: current_step is not a step of the run''s workflow')
   WHERE NEW.current_step IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM workflow_definitions AS d, json_each(d.steps) AS s
                      WHERE d.name = NEW.workflow
                        AND json_extract(s.value, '$.name') = NEW.current_step);
END;

CREATE TRIGGER workflow_runs_fill
AFTER INSERT ON workflow_runs
BEGIN
  UPDATE workflow_runs
     SET current_step = (SELECT json_extract(steps, '$[0].name') FROM workflow_definitions
                          WHERE name = NEW.workflow)
   WHERE id = NEW.id AND NEW.current_step IS NULL;
  INSERT INTO workflow_run_events (run_id, from_status, to_status, from_step, to_step, created_at)
  SELECT NEW.id, NULL, NEW.status, NULL, current_step, NEW.created_at
    FROM workflow_runs WHERE id = NEW.id;
END;

-- The status state machine; the same table as ext/runs.c.
CREATE TRIGGER workflow_runs_check_update
BEFORE UPDATE OF conversation_id, workflow, status, current_step ON workflow_runs
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a run cannot move to another conversation or workflow')
   WHERE NEW.conversation_id IS NOT OLD.conversation_id OR NEW.workflow IS NOT OLD.workflow;
  SELECT RAISE(ABORT, 'chatflow: invalid run transition awaiting_clarification -> started') WHERE OLD.status = 'awaiting_clarification' AND NEW.status = 'started';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition awaiting_clarification -> awaiting_approval') WHERE OLD.status = 'awaiting_clarification' AND NEW.status = 'awaiting_approval';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition awaiting_clarification -> completed') WHERE OLD.status = 'awaiting_clarification' AND NEW.status = 'completed';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition awaiting_approval -> started') WHERE OLD.status = 'awaiting_approval' AND NEW.status = 'started';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition awaiting_approval -> awaiting_clarification') WHERE OLD.status = 'awaiting_approval' AND NEW.status = 'awaiting_clarification';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition awaiting_approval -> completed') WHERE OLD.status = 'awaiting_approval' AND NEW.status = 'completed';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition processing -> started') WHERE OLD.status = 'processing' AND NEW.status = 'started';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition completed -> started') WHERE OLD.status = 'completed' AND NEW.status = 'started';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition completed -> awaiting_clarification') WHERE OLD.status = 'completed' AND NEW.status = 'awaiting_clarification';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition completed -> awaiting_approval') WHERE OLD.status = 'completed' AND NEW.status = 'awaiting_approval';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition completed -> processing') WHERE OLD.status = 'completed' AND NEW.status = 'processing';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition completed -> failed') WHERE OLD.status = 'completed' AND NEW.status = 'failed';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition completed -> cancelled') WHERE OLD.status = 'completed' AND NEW.status = 'cancelled';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition failed -> started') WHERE OLD.status = 'failed' AND NEW.status = 'started';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition failed -> awaiting_clarification') WHERE OLD.status = 'failed' AND NEW.status = 'awaiting_clarification';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition failed -> awaiting_approval') WHERE OLD.status = 'failed' AND NEW.status = 'awaiting_approval';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition failed -> processing') WHERE OLD.status = 'failed' AND NEW.status = 'processing';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition failed -> completed') WHERE OLD.status = 'failed' AND NEW.status = 'completed';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition failed -> cancelled') WHERE OLD.status = 'failed' AND NEW.status = 'cancelled';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition cancelled -> started') WHERE OLD.status = 'cancelled' AND NEW.status = 'started';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition cancelled -> awaiting_clarification') WHERE OLD.status = 'cancelled' AND NEW.status = 'awaiting_clarification';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition cancelled -> awaiting_approval') WHERE OLD.status = 'cancelled' AND NEW.status = 'awaiting_approval';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition cancelled -> processing') WHERE OLD.status = 'cancelled' AND NEW.status = 'processing';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition cancelled -> completed') WHERE OLD.status = 'cancelled' AND NEW.status = 'completed';
  SELECT RAISE(ABORT, 'chatflow: invalid run transition cancelled -> failed') WHERE OLD.status = 'cancelled' AND NEW.status = 'failed';
  SELECT RAISE(ABORT, 'chatflow: current_step is not a step of the run''s workflow')
   WHERE NEW.current_step IS NOT OLD.current_step
     AND NOT EXISTS (SELECT 1 FROM workflow_definitions AS d, json_each(d.steps) AS s
                      WHERE d.name = NEW.workflow
                        AND json_extract(s.value, '$.name') = NEW.current_step);
END;

CREATE TRIGGER workflow_runs_changed
AFTER UPDATE OF status, current_step ON workflow_runs
WHEN NEW.status IS NOT OLD.status
  OR (OLD.current_step IS NOT NULL AND NEW.current_step IS NOT OLD.current_step)
BEGIN
  INSERT INTO workflow_run_events (run_id, from_status, to_status, from_step, to_step, detail, created_at)
  VALUES (NEW.id, OLD.status, NEW.status, OLD.current_step, NEW.current_step,
          CASE WHEN NEW.error IS NOT NULL AND NEW.status = 'failed'
               THEN json_object('error', NEW.error) END,
          coalesce((SELECT now FROM chatflow_statement_clock),
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;

-- A run that ends gets completed_at, loses its lease and its interrupt.
CREATE TRIGGER workflow_runs_ended
AFTER UPDATE OF status ON workflow_runs
WHEN NEW.status IN ('completed', 'failed', 'cancelled')
 AND OLD.status NOT IN ('completed', 'failed', 'cancelled')
BEGIN
  UPDATE workflow_runs
     SET completed_at = coalesce(NEW.completed_at,
                                 (SELECT now FROM chatflow_statement_clock),
                                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
         lease_expires_at = NULL
   WHERE id = NEW.id;
  DELETE FROM workflow_interrupts WHERE workflow_id = 'run_' || NEW.id;
END;

CREATE TRIGGER workflow_runs_touch
AFTER UPDATE ON workflow_runs
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE workflow_runs
     SET updated_at = coalesce((SELECT now FROM chatflow_statement_clock),
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE id = NEW.id;
END;

CREATE TRIGGER workflow_runs_cascade
AFTER DELETE ON workflow_runs
BEGIN
  DELETE FROM chat_messages WHERE run_id = OLD.id;
  DELETE FROM workflow_proposals WHERE run_id = OLD.id;
  DELETE FROM workflow_run_events WHERE run_id = OLD.id;
  DELETE FROM workflow_interrupts WHERE workflow_id = 'run_' || OLD.id;
END;

-- ---------------------------------------------------------------------------
-- Run children: references checked by trigger (foreign_keys may be off).

CREATE TRIGGER workflow_proposals_check_insert
BEFORE INSERT ON workflow_proposals
WHEN NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: unknown run for proposal');
END;

CREATE TRIGGER workflow_run_events_check_insert
BEFORE INSERT ON workflow_run_events
WHEN NOT EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.run_id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: unknown run for event');
END;

CREATE TRIGGER workflow_run_events_append_only
BEFORE UPDATE ON workflow_run_events
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_events is append-only');
END;

CREATE TRIGGER workflow_interrupts_touch
AFTER UPDATE OF data ON workflow_interrupts
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE workflow_interrupts
     SET updated_at = coalesce((SELECT now FROM chatflow_statement_clock),
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE workflow_id = NEW.workflow_id;
END;
