-- 25_hardening: raw SQL that would break invariants behind the triggers'
-- backs is refused (migration 004): INSERT OR REPLACE of existing rows,
-- id changes, message runs of another conversation, timestamps in another
-- format; and the review fixes: an add_message with run_id before
-- advance_run (separate cached statements), a run at a step its workflow
-- does not have, purge_deleted after tampered counters.
SELECT chatflow_init();
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT create_conversation('acme', 'one', '{"uid": "u1", "key": "k1"}');
SELECT create_conversation('acme', 'two', '{"uid": "u2"}');
SELECT add_message(1, 'user', 'hello');
SELECT start_run(1, 'topical_map');
SELECT start_run(2, 'topical_map');
CREATE TEMP VIEW fp AS SELECT
  (SELECT group_concat(id || ':' || uid || ':' || coalesce(key, '') || ':' || message_count, ' ') FROM chat_conversations) AS c,
  (SELECT group_concat(id || ':' || conversation_id || ':' || seq || ':' || coalesce(run_id, '-') || ':' || content, ' ') FROM chat_messages) AS m,
  (SELECT group_concat(id || ':' || status || ':' || current_step, ' ') FROM workflow_runs) AS r,
  (SELECT count(*) FROM workflow_run_events) AS e,
  (SELECT count(*) FROM search_messages('hello', NULL, '{"titles": false}')) AS s;
SELECT * FROM fp;
-- INSERT OR REPLACE of an existing row
INSERT OR REPLACE INTO chat_conversations (owner, key) VALUES ('acme', 'k1'); -- error
INSERT OR REPLACE INTO chat_conversations (id, owner) VALUES (1, 'acme'); -- error
INSERT OR REPLACE INTO chat_conversations (owner, uid) VALUES ('other', 'u2'); -- error
INSERT OR REPLACE INTO chat_messages (id, conversation_id, role, content) VALUES (1, 1, 'user', 'EDITED'); -- error
INSERT OR REPLACE INTO workflow_runs (id, conversation_id, workflow, status) VALUES (1, 1, 'topical_map', 'processing'); -- error
INSERT OR REPLACE INTO workflow_definitions (name, steps) VALUES ('topical_map', '[{"name": "x"}]'); -- error
INSERT OR REPLACE INTO workflow_run_events (id, run_id, to_status) VALUES (1, 1, 'failed'); -- error
-- ids never change
UPDATE chat_conversations SET id = 50 WHERE id = 1; -- error
UPDATE chat_messages SET id = 50 WHERE id = 1; -- error
UPDATE workflow_runs SET id = 50 WHERE id = 1; -- error
-- a message's run is one of its conversation's
UPDATE chat_messages SET run_id = 2 WHERE id = 1; -- error
UPDATE chat_messages SET run_id = 999 WHERE id = 1; -- error
UPDATE chat_messages SET run_id = 1 WHERE id = 1;
UPDATE chat_messages SET run_id = NULL WHERE id = 1;
-- timestamps in the one format
INSERT INTO chat_conversations (owner, created_at, updated_at) VALUES ('acme', datetime('now'), datetime('now')); -- error
UPDATE chat_conversations SET pinned_at = '2026-01-01 00:00:00' WHERE id = 1; -- error
UPDATE chat_conversations SET archived_at = 5 WHERE id = 1; -- error
INSERT INTO chat_messages (conversation_id, role, content, created_at) VALUES (1, 'user', 'x', '2026-01-01'); -- error
UPDATE workflow_runs SET lease_expires_at = 'soon' WHERE id = 1; -- error
UPDATE chat_conversations SET pinned_at = '2026-01-02T00:00:00.000Z' WHERE id = 1;
SELECT * FROM fp;
-- add_message with a run_id first, then advance_run: the run's workflow is read right
SELECT add_message(1, 'user', 'for the run', '{"run_id": 1}');
SELECT advance_run(1);
-- a run whose step its workflow no longer has cannot advance ("last step" would complete it)
INSERT INTO workflow_definitions (name, steps) VALUES ('two', '[{"name": "a"}, {"name": "b"}]');
SELECT start_run(2, 'two', NULL, '{"on_active": "cancel"}');
DROP TRIGGER workflow_runs_check_update;
UPDATE workflow_runs SET current_step = 'gone' WHERE id = 3;
SELECT advance_run(3); -- error
SELECT status, current_step FROM workflow_runs WHERE id = 3;
-- purge_deleted does not trust message_count
SELECT delete_conversation(2);
UPDATE chat_conversations SET message_count = 7 WHERE id = 2; -- error
UPDATE chat_conversations SET last_message_at = '2026-01-01T00:00:00.000Z', total_tokens = 0 WHERE id = 1; -- error
SELECT chatflow_clock('2026-03-01T00:00:00.000Z');
SELECT purge_deleted(30);
SELECT count(*) FROM chat_conversations WHERE id = 2;
-- duplicate JSON keys are found through escapes too (json-c keeps the last,
-- SQLite reads the first)
SELECT add_message(1, 'user', '', '{"parts": [{"type": "evil"}], "p\u0061rts": [{"type": "text", "text": "ok"}]}'); -- error
SELECT create_conversation('acme', 'x', '{"metadata": {"\u00e9": 1, "é": 2}}'); -- error
SELECT create_conversation('acme', 'x', '{"uid": "esc", "metadata": {"a\nb": 1, "a\\nb": 2}}');
SELECT metadata FROM chat_conversations WHERE uid = 'esc';
