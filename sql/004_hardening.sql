-- chatflow schema migration 004: hardening raw SQL — no INSERT OR REPLACE
-- behind the triggers' backs, ids that never change, message runs checked
-- on UPDATE too, and timestamps in the one sortable format.

-- INSERT OR REPLACE (and UPDATE OR REPLACE) deletes the row it replaces
-- without firing delete triggers, which would orphan messages and runs,
-- skip the counters and leave the search index stale: a row that exists is
-- changed with UPDATE.  A trigger cannot see the conflict clause, so
-- INSERT OR IGNORE and INSERT ... ON CONFLICT of an existing row are
-- refused too: write INSERT ... SELECT ... WHERE NOT EXISTS (...) instead.
-- (In a BEFORE INSERT trigger an id not given yet reads -1: only positive
-- ids are looked up, and ids must be positive.)
CREATE TRIGGER chat_conversations_no_replace
BEFORE INSERT ON chat_conversations
WHEN (NEW.id > 0 AND EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.id))
  OR EXISTS (SELECT 1 FROM chat_conversations WHERE uid = NEW.uid)
  OR (NEW.key IS NOT NULL
      AND EXISTS (SELECT 1 FROM chat_conversations WHERE owner = NEW.owner AND key = NEW.key))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a conversation with this id, uid or (owner, key) already exists; change it with UPDATE');
END;

CREATE TRIGGER chat_messages_no_replace
BEFORE INSERT ON chat_messages
WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM chat_messages WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a message with this id already exists; messages are immutable');
END;

CREATE TRIGGER workflow_runs_no_replace
BEFORE INSERT ON workflow_runs
WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a run with this id already exists; change it with UPDATE');
END;

CREATE TRIGGER workflow_definitions_no_replace
BEFORE INSERT ON workflow_definitions
WHEN EXISTS (SELECT 1 FROM workflow_definitions WHERE name = NEW.name)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a workflow with this name already exists; change it with UPDATE');
END;

CREATE TRIGGER workflow_run_events_no_replace
BEFORE INSERT ON workflow_run_events
WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM workflow_run_events WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: workflow_run_events is append-only');
END;

-- Ids are referenced by children (and runs by their interrupt's name).
CREATE TRIGGER chat_conversations_id_fixed
BEFORE UPDATE OF id ON chat_conversations WHEN NEW.id IS NOT OLD.id
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a conversation id cannot change');
END;

CREATE TRIGGER chat_messages_id_fixed
BEFORE UPDATE OF id ON chat_messages WHEN NEW.id IS NOT OLD.id
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a message id cannot change');
END;

CREATE TRIGGER workflow_runs_id_fixed
BEFORE UPDATE OF id ON workflow_runs WHEN NEW.id IS NOT OLD.id
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a run id cannot change');
END;

-- A message's run is one of its conversation's, on UPDATE as on INSERT.
CREATE TRIGGER chat_messages_run_update
BEFORE UPDATE OF run_id ON chat_messages
WHEN NEW.run_id IS NOT NULL AND NEW.run_id IS NOT OLD.run_id
 AND NOT EXISTS (SELECT 1 FROM workflow_runs
                  WHERE id = NEW.run_id AND conversation_id = NEW.conversation_id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: message run_id names no run of this conversation');
END;

-- Ids are positive (a row with id -1 would collide with every new row).
CREATE TRIGGER chat_conversations_id_positive AFTER INSERT ON chat_conversations WHEN NEW.id <= 0
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive');
END;
CREATE TRIGGER chat_messages_id_positive AFTER INSERT ON chat_messages WHEN NEW.id <= 0
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive');
END;
CREATE TRIGGER workflow_runs_id_positive AFTER INSERT ON workflow_runs WHEN NEW.id <= 0
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive');
END;
CREATE TRIGGER workflow_run_events_id_positive AFTER INSERT ON workflow_run_events WHEN NEW.id <= 0
BEGIN
  SELECT RAISE(ABORT, 'chatflow: ids must be positive');
END;

-- UPDATE OR REPLACE onto another row's unique values would delete that row
-- without its triggers.
CREATE TRIGGER chat_conversations_unique_update
BEFORE UPDATE OF owner, key, uid ON chat_conversations
WHEN EXISTS (SELECT 1 FROM chat_conversations WHERE uid = NEW.uid AND id <> NEW.id)
  OR (NEW.key IS NOT NULL
      AND EXISTS (SELECT 1 FROM chat_conversations
                   WHERE owner = NEW.owner AND key = NEW.key AND id <> NEW.id))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: another conversation has this uid or (owner, key)');
END;

CREATE TRIGGER workflow_definitions_rename
BEFORE UPDATE OF name ON workflow_definitions
WHEN NEW.name IS NOT OLD.name
 AND EXISTS (SELECT 1 FROM workflow_definitions WHERE name = NEW.name)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a workflow with this name already exists; change it with UPDATE');
END;

-- With PRAGMA recursive_triggers on, the touch of 001 re-fired itself when
-- the stamp did not change (a pinned clock): it now writes only a new value.
DROP TRIGGER workflow_runs_touch;
CREATE TRIGGER workflow_runs_touch
AFTER UPDATE ON workflow_runs
WHEN NEW.updated_at IS OLD.updated_at
BEGIN
  UPDATE workflow_runs
     SET updated_at = coalesce((SELECT now FROM chatflow_statement_clock),
                               strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
   WHERE id = NEW.id
     AND updated_at IS NOT coalesce((SELECT now FROM chatflow_statement_clock),
                                    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
END;

-- Values written by raw SQL in another form before this migration are
-- brought to the one format (those SQLite cannot read stay as they are).
UPDATE chat_conversations
   SET created_at = CASE WHEN created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN created_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at) END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN updated_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at) END,
       pinned_at = CASE WHEN pinned_at IS NULL OR pinned_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN pinned_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', pinned_at), pinned_at) END,
       archived_at = CASE WHEN archived_at IS NULL OR archived_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN archived_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', archived_at), archived_at) END,
       deleted_at = CASE WHEN deleted_at IS NULL OR deleted_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN deleted_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at), deleted_at) END,
       last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN last_message_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', last_message_at), last_message_at) END
 WHERE (created_at IS NOT NULL AND created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (updated_at IS NOT NULL AND updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (pinned_at IS NOT NULL AND pinned_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (archived_at IS NOT NULL AND archived_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (deleted_at IS NOT NULL AND deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (last_message_at IS NOT NULL AND last_message_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z');
UPDATE chat_messages
   SET created_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at)
 WHERE created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z';
UPDATE workflow_runs
   SET started_at = CASE WHEN started_at IS NULL OR started_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN started_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', started_at), started_at) END,
       created_at = CASE WHEN created_at IS NULL OR created_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN created_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at) END,
       updated_at = CASE WHEN updated_at IS NULL OR updated_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN updated_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at) END,
       completed_at = CASE WHEN completed_at IS NULL OR completed_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN completed_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', completed_at), completed_at) END,
       lease_expires_at = CASE WHEN lease_expires_at IS NULL OR lease_expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' THEN lease_expires_at ELSE coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', lease_expires_at), lease_expires_at) END
 WHERE (started_at IS NOT NULL AND started_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (created_at IS NOT NULL AND created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (updated_at IS NOT NULL AND updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (completed_at IS NOT NULL AND completed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z') OR (lease_expires_at IS NOT NULL AND lease_expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z');

-- Timestamps sort as text, so they have one format: UTC
-- YYYY-MM-DDTHH:MM:SS.sssZ (a datetime('now') value would sort wrong).
CREATE TRIGGER chat_conversations_time_insert
BEFORE INSERT ON chat_conversations
WHEN NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR (NEW.pinned_at IS NOT NULL AND NEW.pinned_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.archived_at IS NOT NULL AND NEW.archived_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.deleted_at IS NOT NULL AND NEW.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.last_message_at IS NOT NULL AND NEW.last_message_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;

CREATE TRIGGER chat_conversations_time_update
BEFORE UPDATE OF created_at, updated_at, pinned_at, archived_at, deleted_at, last_message_at
ON chat_conversations
WHEN (NEW.created_at IS NOT OLD.created_at AND NEW.created_at IS NOT NULL AND NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.updated_at IS NOT OLD.updated_at AND NEW.updated_at IS NOT NULL AND NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.pinned_at IS NOT OLD.pinned_at AND NEW.pinned_at IS NOT NULL AND NEW.pinned_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.archived_at IS NOT OLD.archived_at AND NEW.archived_at IS NOT NULL AND NEW.archived_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.deleted_at IS NOT OLD.deleted_at AND NEW.deleted_at IS NOT NULL AND NEW.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.last_message_at IS NOT OLD.last_message_at AND NEW.last_message_at IS NOT NULL AND NEW.last_message_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;

CREATE TRIGGER chat_messages_time
BEFORE INSERT ON chat_messages
WHEN NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;

CREATE TRIGGER chat_messages_time_update
BEFORE UPDATE OF created_at ON chat_messages
WHEN (NEW.created_at IS NOT OLD.created_at AND NEW.created_at IS NOT NULL AND NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;

CREATE TRIGGER workflow_runs_time_insert
BEFORE INSERT ON workflow_runs
WHEN NEW.started_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR (NEW.completed_at IS NOT NULL AND NEW.completed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.lease_expires_at IS NOT NULL AND NEW.lease_expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;

CREATE TRIGGER workflow_runs_time_update
BEFORE UPDATE OF started_at, created_at, updated_at, completed_at, lease_expires_at ON workflow_runs
WHEN (NEW.started_at IS NOT OLD.started_at AND NEW.started_at IS NOT NULL AND NEW.started_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.created_at IS NOT OLD.created_at AND NEW.created_at IS NOT NULL AND NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.updated_at IS NOT OLD.updated_at AND NEW.updated_at IS NOT NULL AND NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.completed_at IS NOT OLD.completed_at AND NEW.completed_at IS NOT NULL AND NEW.completed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.lease_expires_at IS NOT OLD.lease_expires_at AND NEW.lease_expires_at IS NOT NULL AND NEW.lease_expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;

-- The counters move only with the messages: the triggers that maintain
-- them open this guard around their UPDATE (inside the same statement, so
-- no other connection ever sees the row); any other UPDATE of a counter
-- is refused.  (last_seq is covered by chat_conversations_last_seq: it may
-- only grow, which import_conversation uses.)
CREATE TABLE chatflow_counter_guard (
  id INTEGER PRIMARY KEY CHECK (id = 1)
) STRICT;

CREATE TRIGGER chat_conversations_counters_guard
BEFORE UPDATE OF message_count, total_tokens, last_message_at, last_message_preview
ON chat_conversations
WHEN (NEW.message_count IS NOT OLD.message_count OR NEW.total_tokens IS NOT OLD.total_tokens
      OR NEW.last_message_at IS NOT OLD.last_message_at
      OR NEW.last_message_preview IS NOT OLD.last_message_preview)
 AND NOT EXISTS (SELECT 1 FROM chatflow_counter_guard)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: message_count, total_tokens, last_message_at and last_message_preview follow the messages; they cannot be set by hand');
END;

DROP TRIGGER chat_messages_after_insert;
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
  INSERT OR IGNORE INTO chatflow_counter_guard (id) VALUES (1);
  UPDATE chat_conversations
     SET message_count = message_count + 1,
         last_seq = (SELECT seq FROM chat_messages WHERE id = NEW.id),
         total_tokens = total_tokens + (SELECT tokens FROM chat_messages WHERE id = NEW.id),
         last_message_at = NEW.created_at,
         updated_at = max(updated_at, NEW.created_at),
         last_message_preview = CASE WHEN NOT EXISTS (SELECT 1 FROM chat_messages
                                                       WHERE conversation_id = NEW.conversation_id
                                                         AND seq > (SELECT seq FROM chat_messages
                                                                     WHERE id = NEW.id))
                                     THEN substr(NEW.content, 1, 120)
                                     ELSE last_message_preview END
   WHERE id = NEW.conversation_id;
  DELETE FROM chatflow_counter_guard;
END;

-- (the preview now moves with the counters, in the trigger above and below)
DROP TRIGGER chat_messages_preview_insert;
DROP TRIGGER chat_messages_preview_delete;

DROP TRIGGER chat_messages_counters_delete;
CREATE TRIGGER chat_messages_counters_delete
AFTER DELETE ON chat_messages
BEGIN
  INSERT OR IGNORE INTO chatflow_counter_guard (id) VALUES (1);
  UPDATE chat_conversations
     SET message_count = message_count - 1,
         total_tokens = total_tokens - coalesce(OLD.tokens, 0),
         last_message_at = (SELECT created_at FROM chat_messages
                             WHERE conversation_id = OLD.conversation_id
                             ORDER BY seq DESC LIMIT 1),
         last_message_preview = (SELECT substr(content, 1, 120) FROM chat_messages
                                  WHERE conversation_id = OLD.conversation_id
                                  ORDER BY seq DESC LIMIT 1)
   WHERE id = OLD.conversation_id;
  DELETE FROM chatflow_counter_guard;
END;

DROP TRIGGER chat_messages_tokens_update;
CREATE TRIGGER chat_messages_tokens_update
AFTER UPDATE OF tokens ON chat_messages
WHEN OLD.tokens IS NOT NULL AND NEW.tokens IS NOT OLD.tokens
BEGIN
  INSERT OR IGNORE INTO chatflow_counter_guard (id) VALUES (1);
  UPDATE chat_conversations
     SET total_tokens = total_tokens - coalesce(OLD.tokens, 0) + coalesce(NEW.tokens, 0)
   WHERE id = NEW.conversation_id;
  DELETE FROM chatflow_counter_guard;
END;
