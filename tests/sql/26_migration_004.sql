-- 26_migration_004: a database at schema version 3 whose raw writers stored
-- timestamps as datetime('now') does (allowed before migration 004) is
-- migrated to 4 by chatflow_init(): those values are brought to the one
-- format, and the rows can be written again.  Then the second review's
-- cases: ids must be positive, UPDATE OR REPLACE cannot drop a row, keys
-- with \u0000 and unpaired surrogates in JSON.
.bail off
.mode list
.headers off
.read sql/001_core.sql
.read sql/002_workflow.sql
.read sql/003_chat_management.sql
CREATE TABLE IF NOT EXISTS chatflow_migrations ( version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;
INSERT INTO chatflow_migrations (version, name, applied_at) VALUES
  (1, '001_core', '2025-06-01T00:00:00.000Z'), (2, '002_workflow', '2025-06-01T00:00:00.000Z'),
  (3, '003_chat_management', '2025-06-01T00:00:00.000Z');
INSERT INTO chat_conversations (id, uid, owner, key, title, created_at, updated_at)
VALUES (1, 'l1', 'acme', 'k1', 'Legacy', '2025-07-01 10:00:00', '2025-07-01 10:00:00');
INSERT INTO chat_conversations (id, uid, owner, key, title, created_at, updated_at)
VALUES (2, 'l2', 'acme', 'k2', 'Other', '2025-07-02T00:00:00.000Z', '2025-07-02T00:00:00.000Z');
INSERT INTO chat_messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'old', '2025-07-01 10:01:00');
INSERT INTO workflow_runs (id, conversation_id, workflow, created_at, started_at, updated_at)
VALUES (1, 1, 'topical_map', '2025-07-01 10:02:00', '2025-07-01 10:02:00', '2025-07-01 10:02:00');
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT id, created_at, last_message_at FROM chat_conversations ORDER BY id;
SELECT created_at FROM chat_messages;
SELECT created_at, started_at FROM workflow_runs;
-- the legacy rows take writes again
SELECT add_message(1, 'user', 'new');
SELECT advance_run(1);
SELECT delete_conversation(1);
SELECT restore_conversation(1);
-- ids are positive: a row with id -1 would collide with every new one
INSERT INTO chat_conversations (id, owner) VALUES (-1, 'x'); -- error
INSERT INTO chat_conversations (id, owner) VALUES (0, 'x'); -- error
SELECT create_conversation('acme', 'after');
-- UPDATE OR REPLACE cannot move onto another row's unique values
UPDATE OR REPLACE chat_conversations SET key = 'k1' WHERE id = 2; -- error
UPDATE OR REPLACE chat_conversations SET uid = 'l1' WHERE id = 2; -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('other', '[{"name": "a"}]');
UPDATE OR REPLACE workflow_definitions SET name = 'topical_map' WHERE name = 'other'; -- error
SELECT count(*) FROM chat_conversations;
-- JSON keys that readers disagree on (\u0000, a lone surrogate) are refused
SELECT add_message(2, 'assistant', '', '{"parts": [{"type": "bogus", "type\u0000": "text"}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"metadata": {"\ud800": 1, "\udbff": 2}}'); -- error
SELECT add_message(2, 'user', 'x', '{"metadata": {"\ud83d\ude00": 1}}');
SELECT metadata FROM chat_messages WHERE id = last_insert_rowid();
-- with recursive triggers on and a pinned clock, runs still move
-- (run 1 was cancelled when conversation 1 was deleted above: a new one)
PRAGMA recursive_triggers = ON;
SELECT start_run(1, 'topical_map');
SELECT advance_run(run_id) FROM (SELECT max(id) AS run_id FROM workflow_runs);
SELECT resume_run(run_id, '{}') FROM (SELECT max(id) AS run_id FROM workflow_runs);
SELECT advance_run(run_id) FROM (SELECT max(id) AS run_id FROM workflow_runs);
