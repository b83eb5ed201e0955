-- 32_migration_005: a database written by chatflow 0.1.0 (schema version 4,
-- tests/fixtures/chatflow-0.1.db from tests/fixtures/chatflow-0.1.sql:
-- three tenants, runs with events, proposals and checkpoints, a deleted
-- conversation whose run was still active, stale checkpoints, a message
-- deleted by retention, the highest ids purged) is migrated to 5 by
-- chatflow_init(): every row, id and counter kept, ids never reused from
-- then on, the deleted conversation's run cancelled, stale checkpoints
-- gone, search working in both indexes.
.bail off
.mode list
.headers off
.restore tests/fixtures/chatflow-0.1.db
SELECT max(version) FROM chatflow_migrations;
SELECT add_message(1, 'user', 'before init'); -- error
-- the rows as 0.1 left them, to compare after
CREATE TEMP TABLE v4_conv AS
SELECT id, uid, owner, key, title, visibility, model, agent, context, metadata, pinned_at,
       archived_at, deleted_at, created_at, updated_at, message_count, last_seq, total_tokens,
       last_message_at, forked_from_id, forked_at_seq FROM chat_conversations;
CREATE TEMP TABLE v4_msg AS SELECT * FROM chat_messages;
CREATE TEMP TABLE v4_run AS SELECT * FROM workflow_runs;
CREATE TEMP TABLE v4_event AS SELECT * FROM workflow_run_events;
CREATE TEMP TABLE v4_prop AS SELECT * FROM workflow_proposals;
SELECT 'v4', (SELECT count(*) FROM v4_conv), (SELECT count(*) FROM v4_msg), (SELECT count(*) FROM v4_run),
       (SELECT count(*) FROM v4_event), (SELECT count(*) FROM v4_prop);
SELECT 'v4 checkpoints', group_concat(workflow_id, ' ') FROM (SELECT workflow_id FROM workflow_interrupts ORDER BY 1);
SELECT 'v4 runs', group_concat(id || ':' || status, ' ') FROM workflow_runs;

SELECT chatflow_clock('2026-02-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT version, name, applied_at FROM chatflow_migrations WHERE version = 5;

-- ---------------------------------------------------------------- kept
SELECT 'conversations differ', count(*) FROM (
  SELECT * FROM v4_conv EXCEPT
  SELECT id, uid, owner, key, title, visibility, model, agent, context, metadata, pinned_at,
         archived_at, deleted_at, created_at, updated_at, message_count, last_seq, total_tokens,
         last_message_at, forked_from_id, forked_at_seq FROM chat_conversations);
SELECT 'messages differ', count(*) FROM (SELECT * FROM v4_msg EXCEPT SELECT id, conversation_id, seq, run_id, role, type, content, parts, attachments, workflow_step, metadata, tokens, created_at FROM chat_messages),
       (SELECT count(*) FROM (SELECT id, conversation_id, seq, run_id, role, type, content, parts, attachments, workflow_step, metadata, tokens, created_at FROM chat_messages EXCEPT SELECT * FROM v4_msg));
SELECT 'message uids', count(*), count(DISTINCT uid), min(length(uid)), max(length(uid)) FROM chat_messages;
SELECT 'proposals differ', count(*) FROM (SELECT * FROM v4_prop EXCEPT
  SELECT id, run_id, kind, proposed_name, approved_name, rationale, user_approved, approved_at,
         validated, validated_at, validation, ref, created_at FROM workflow_proposals);
SELECT 'proposals not rejected', count(*) FROM workflow_proposals
 WHERE rejected_at IS NULL AND rejection_reason IS NULL;
-- runs and events: all kept; run 2 (its conversation deleted while it was
-- active) is cancelled now, with its event
SELECT 'runs differ', group_concat(id, ' ') FROM (SELECT * FROM v4_run EXCEPT SELECT id, conversation_id, workflow, status, current_step, state, business_context, clarifications, error, lease_expires_at, started_at, completed_at, created_at, updated_at FROM workflow_runs);
SELECT 'events kept', count(*) FROM (SELECT * FROM v4_event EXCEPT SELECT * FROM workflow_run_events);
SELECT id, status, error, completed_at FROM workflow_runs ORDER BY id;
SELECT run_id, transition, at FROM run_events WHERE event_id > (SELECT max(id) FROM v4_event);
-- checkpoints: run_1 (active) and thread-x kept; run_2 (cancelled now),
-- run_3 (a cancelled run's) and run_9 (no such run) were stale
SELECT 'checkpoints', group_concat(workflow_id, ' ') FROM (SELECT workflow_id FROM workflow_interrupts ORDER BY 1);
SELECT hex(data) FROM workflow_interrupts WHERE workflow_id = 'run_1';
-- the tables are AUTOINCREMENT now, their sequences at the highest id
SELECT name, seq FROM sqlite_sequence ORDER BY name;
SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name LIKE 'chatflow_v4_%';
SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%' ORDER BY name;
PRAGMA integrity_check;
PRAGMA foreign_key_check;
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');
INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check');

-- ---------------------------------------------------------------- working
SELECT conversation_id, seq, snippet FROM search_messages('customers', 'tenant_a');
SELECT rowid FROM chat_messages_trigram WHERE chat_messages_trigram MATCH '面包店';
SELECT rowid FROM chat_titles_trigram WHERE chat_titles_trigram MATCH '面包店';
SELECT id, title, message_count, last_message_preview FROM conversation_list('tenant_a');
SELECT id, last_message_preview FROM conversation_list('tenant_a', '{"deleted": true}');
-- conversation 5 was purged under 0.1, which kept no record of it: the next
-- id is 5; from here on no id comes back
SELECT create_conversation('tenant_d', 'New');
SELECT add_message(5, 'user', 'new tenant');
SELECT start_run(5, 'topical_map');
SELECT purge_conversation(5);
SELECT create_conversation('tenant_e', 'Newer');
SELECT add_message(6, 'user', 'newer tenant');
SELECT start_run(6, 'topical_map');
SELECT id, conversation_id FROM chat_messages WHERE conversation_id = 6;
-- a late writer of the purged conversation 5 (and its run 4) finds nothing
-- to write to
SELECT add_message(5, 'assistant', 'late'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_4', x'04'); -- error
SELECT advance_run(4); -- error
-- the legacy run 1 moves on; the restored conversation 3 takes writes again
SELECT resume_run(1, '{"approvals": [{"proposal_id": 1}]}');
SELECT restore_conversation(3);
SELECT add_message(3, 'user', 'back');
SELECT start_run(3, 'topical_map');
-- counters exact everywhere
SELECT 'counters', count(*) FROM chat_conversations AS c
 WHERE message_count IS NOT (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)
    OR total_tokens IS NOT (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id)
    OR last_seq < coalesce((SELECT max(seq) FROM chat_messages WHERE conversation_id = c.id), 0);
-- the legacy run 1 takes a queue behind it; a rollback removes it with the
-- messages it wrote, the counters follow
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT id, status FROM workflow_runs WHERE conversation_id = 1 ORDER BY id;
SELECT (SELECT count(*) FROM chat_messages WHERE run_id = 1), message_count FROM chat_conversations WHERE id = 1;
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "rollback"}');
SELECT id, status FROM workflow_runs WHERE conversation_id = 1 ORDER BY id;
SELECT (SELECT count(*) FROM chat_messages WHERE run_id = 1), message_count FROM chat_conversations WHERE id = 1;
SELECT 'counters', count(*) FROM chat_conversations AS c
 WHERE message_count IS NOT (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)
    OR total_tokens IS NOT (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id);
PRAGMA integrity_check;

-- ---------------------------------------------------------------- the caller's own schema
-- The 0.1 database again, with the caller's table referencing chatflow's
-- (ON DELETE CASCADE, SET NULL), an index and a trigger on a rebuilt
-- table and a view over it, foreign keys on: the rebuild keeps them all
.restore tests/fixtures/chatflow-0.1.db
PRAGMA foreign_keys = ON;
CREATE TABLE notes (id INTEGER PRIMARY KEY,
                    conversation_id INTEGER REFERENCES chat_conversations (id) ON DELETE CASCADE,
                    message_id INTEGER REFERENCES chat_messages (id) ON DELETE SET NULL, body TEXT);
INSERT INTO notes (conversation_id, message_id, body) SELECT conversation_id, id, 'note ' || id FROM chat_messages;
CREATE INDEX my_messages_role ON chat_messages (role);
CREATE TABLE audit (message_id INTEGER);
CREATE TRIGGER my_audit AFTER INSERT ON chat_messages BEGIN INSERT INTO audit VALUES (NEW.id); END;
CREATE VIEW my_view AS SELECT c.owner, count(*) AS n FROM chat_conversations AS c JOIN chat_messages AS m ON m.conversation_id = c.id GROUP BY 1;
-- triggers named like chatflow's index and table (triggers have a namespace
-- of their own)
CREATE TRIGGER chat_messages_created AFTER INSERT ON chat_messages BEGIN INSERT INTO audit VALUES (-NEW.id); END;
CREATE TRIGGER chat_messages_fts AFTER DELETE ON chat_messages BEGIN INSERT INTO audit VALUES (0); END;
-- inside a transaction SQLite cannot turn foreign keys off: a clear refusal
BEGIN;
SELECT chatflow_init(); -- error
ROLLBACK;
SELECT max(version) FROM chatflow_migrations;
SELECT chatflow_init();
PRAGMA foreign_keys;
SELECT count(*), count(message_id), count(conversation_id) FROM notes;
SELECT type, name FROM sqlite_schema WHERE name IN ('my_messages_role', 'my_audit', 'my_view')
    OR (type = 'trigger' AND name IN ('chat_messages_created', 'chat_messages_fts')) ORDER BY name;
SELECT * FROM my_view ORDER BY 1;
SELECT add_message(1, 'user', 'audited');
SELECT message_id = (SELECT max(id) FROM chat_messages), abs(message_id) = (SELECT max(id) FROM chat_messages) FROM audit ORDER BY 1;
PRAGMA foreign_key_check;
-- an object of the caller that the new schema cannot take is named
.restore tests/fixtures/chatflow-0.1.db
CREATE INDEX my_preview ON chat_conversations (last_message_preview);
SELECT chatflow_init(); -- error
SELECT max(version) FROM chatflow_migrations;
