-- chatflow schema migration 004: hardening raw SQL — no INSERT OR REPLACE
-- behind the triggers' backs, ids that never change, message runs checked
-- on UPDATE too, and timestamps in the one sortable format.

-- INSERT OR REPLACE deletes the row it replaces without firing delete
-- triggers, which would orphan messages and runs, skip the counters and
-- leave the search index stale: a row that exists is changed with UPDATE.
CREATE TRIGGER chat_conversations_no_replace
BEFORE INSERT ON chat_conversations
WHEN EXISTS (SELECT 1 FROM chat_conversations WHERE id = NEW.id)
  OR EXISTS (SELECT 1 FROM chat_conversations WHERE uid = NEW.uid)
  OR (NEW.key IS NOT NULL
      AND EXISTS (SELECT 1 FROM chat_conversations WHERE owner = NEW.owner AND key = NEW.key))
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a conversation with this id, uid or (owner, key) already exists; change it with UPDATE');
END;

CREATE TRIGGER chat_messages_no_replace
BEFORE INSERT ON chat_messages
WHEN EXISTS (SELECT 1 FROM chat_messages WHERE id = NEW.id)
BEGIN
  SELECT RAISE(ABORT, 'chatflow: a message with this id already exists; messages are immutable');
END;

CREATE TRIGGER workflow_runs_no_replace
BEFORE INSERT ON workflow_runs
WHEN EXISTS (SELECT 1 FROM workflow_runs WHERE id = NEW.id)
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
WHEN EXISTS (SELECT 1 FROM workflow_run_events WHERE id = NEW.id)
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
WHEN NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR (NEW.pinned_at IS NOT NULL AND NEW.pinned_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.archived_at IS NOT NULL AND NEW.archived_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.deleted_at IS NOT NULL AND NEW.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.last_message_at IS NOT NULL AND NEW.last_message_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
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
WHEN NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
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
WHEN NEW.started_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR NEW.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR NEW.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z'
   OR (NEW.completed_at IS NOT NULL AND NEW.completed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
   OR (NEW.lease_expires_at IS NOT NULL AND NEW.lease_expires_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z')
BEGIN
  SELECT RAISE(ABORT, 'chatflow: timestamps must be UTC text YYYY-MM-DDTHH:MM:SS.sssZ');
END;
