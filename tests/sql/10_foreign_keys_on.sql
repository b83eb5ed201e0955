-- 10_foreign_keys_on: the key checks of 05_runs and 09_raw_sql again with
-- PRAGMA foreign_keys = ON (better-sqlite3's default).  Cascades and
-- reference checks are triggers, so they behave the same either way, and
-- the real foreign keys never disagree with them.
PRAGMA foreign_keys = ON;
PRAGMA foreign_keys;
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT create_conversation('acme', 'one', '{"uid": "f1"}');
SELECT create_conversation('acme', 'two', '{"uid": "f2"}');
SELECT add_message(1, 'user', 'before the run');
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'assistant', 'in the run');
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (1, 'pillar', 'Bread');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01');
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'raw, in the run');
SELECT seq, run_id, workflow_step, tokens, type FROM chat_messages WHERE conversation_id = 1 ORDER BY seq;

-- transitions: a few allowed and refused ones, both ways
SELECT set_run_status(1, 'awaiting_approval', 'pillar_proposal');
SELECT set_run_status(1, 'processing', 'pillar_validation');
.bail off
SELECT set_run_status(1, 'started'); -- error
UPDATE workflow_runs SET status = 'started' WHERE id = 1; -- error
-- one active run per conversation
SELECT start_run(1, 'topical_map'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "cancel"}');
SELECT id, status, current_step FROM workflow_runs ORDER BY id;
SELECT workflow_id FROM workflow_interrupts;
SELECT set_run_status(1, 'processing'); -- error
UPDATE workflow_runs SET status = 'processing' WHERE id = 1; -- error
SELECT fail_run(2, 'boom');
SELECT run_id, from_status, to_status, from_step, to_step, detail FROM workflow_run_events ORDER BY id;

-- reference checks: the triggers' messages come first
INSERT INTO chat_messages (conversation_id, role, content) VALUES (99, 'user', 'x'); -- error
INSERT INTO chat_messages (conversation_id, role, content, run_id) VALUES (2, 'user', 'x', 1); -- error
INSERT INTO chat_messages (conversation_id, role, content, run_id) VALUES (1, 'user', 'x', 99); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (99, 'topical_map'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (2, 'nope'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (99, 'pillar', 'x'); -- error
INSERT INTO workflow_run_events (run_id, to_status) VALUES (99, 'started'); -- error
DELETE FROM workflow_definitions WHERE name = 'topical_map'; -- error
UPDATE chat_messages SET content = 'edit' WHERE id = 1; -- error
UPDATE chat_messages SET conversation_id = 2 WHERE id = 1; -- error
SELECT add_message(2, 'user', 'x', '{"run_id": 1}'); -- error
PRAGMA foreign_key_check;

-- raw inserts fill derived columns the same way
INSERT INTO chat_conversations (owner, uid) VALUES ('acme', 'f3');
INSERT INTO chat_messages (conversation_id, role, content) VALUES (3, 'user', 'hello there');
SELECT id, message_count, last_seq, total_tokens FROM chat_conversations WHERE id = 3;
SELECT seq, type, tokens FROM chat_messages WHERE conversation_id = 3;

-- cascades
SELECT start_run(2, 'topical_map');
SELECT add_message(2, 'user', 'in run 3');
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (3, 'pillar', 'Cake');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_3', x'03');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('unrelated', x'04');
CREATE TEMP VIEW counts AS SELECT
  (SELECT count(*) FROM chat_conversations) || ' conv, ' ||
  (SELECT count(*) FROM chat_messages) || ' msg, ' ||
  (SELECT count(*) FROM workflow_runs) || ' runs, ' ||
  (SELECT count(*) FROM workflow_run_events) || ' events, ' ||
  (SELECT count(*) FROM workflow_proposals) || ' proposals, ' ||
  (SELECT group_concat(workflow_id, ' ') FROM (SELECT workflow_id FROM workflow_interrupts ORDER BY 1)) AS c;
SELECT * FROM counts;
-- a run: its messages, proposals, events, interrupt
DELETE FROM workflow_runs WHERE id = 1;
SELECT * FROM counts;
SELECT id, message_count, last_seq, total_tokens FROM chat_conversations WHERE id = 1;
-- purge_conversation
SELECT purge_conversation(2);
SELECT * FROM counts;
-- a raw DELETE of a conversation
DELETE FROM chat_conversations WHERE id = 1;
SELECT * FROM counts;
PRAGMA foreign_key_check;
PRAGMA foreign_keys;
