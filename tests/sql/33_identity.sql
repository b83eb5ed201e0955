-- 33_identity: identity and integrity rules of migration 005 on a new
-- database, through the functions and through raw SQL alike: ids never
-- reused (conversations, messages, runs, proposals, events), run_<n>
-- checkpoints only while run n is active, deleted conversations take no
-- writes and deleting cancels the active run, text without NUL and JSON
-- without \u0000 or lone surrogates.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();

-- ---------------------------------------------------------------- ids
-- tenant A's conversation, run, message, proposal and events are purged;
-- tenant B gets new ids, and tenant A's late writer finds nothing
SELECT create_conversation('tenant_a', 'A');
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'user', 'from A');
SELECT add_proposal(1, 'pillar', 'Bread');
SELECT purge_conversation(1);
SELECT create_conversation('tenant_b', 'B');
SELECT start_run(2, 'topical_map');
SELECT add_message(2, 'user', 'from B');
SELECT add_proposal(2, 'pillar', 'Cake');
SELECT group_concat(id) FROM (SELECT id FROM workflow_run_events ORDER BY id);
SELECT add_message(1, 'assistant', 'late answer for A'); -- error
SELECT advance_run(1); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01'); -- error
SELECT owner, (SELECT group_concat(content) FROM chat_messages WHERE conversation_id = 2)
  FROM chat_conversations;
-- raw INSERTs: no id given takes the next one; an id that was used before
-- is refused, also when its row is gone
INSERT INTO chat_conversations (owner) VALUES ('raw');
SELECT max(id) FROM chat_conversations;
INSERT INTO chat_conversations (id, owner) VALUES (1, 'raw'); -- error
INSERT INTO chat_conversations (id, owner) VALUES (2, 'raw'); -- error
INSERT INTO chat_messages (id, conversation_id, role, content) VALUES (1, 2, 'user', 'x'); -- error
INSERT INTO workflow_runs (id, conversation_id, workflow) VALUES (1, 3, 'topical_map'); -- error
INSERT INTO workflow_proposals (id, run_id, kind, proposed_name) VALUES (1, 2, 'pillar', 'x'); -- error
INSERT INTO workflow_run_events (id, run_id, to_status) VALUES (1, 2, 'started'); -- error
-- an id above every one given is accepted and moves the sequence
INSERT INTO chat_conversations (id, owner) VALUES (100, 'raw');
INSERT INTO chat_conversations (owner) VALUES ('raw');
SELECT group_concat(id) FROM (SELECT id FROM chat_conversations ORDER BY id);
SELECT name, seq FROM sqlite_sequence ORDER BY name;
-- retention deleting the newest message does not free its id
SELECT add_message(2, 'user', 'newest');
DELETE FROM chat_messages WHERE id = (SELECT max(id) FROM chat_messages);
SELECT add_message(2, 'user', 'after retention');

-- ---------------------------------------------------------------- checkpoints
-- run_<n>: only while run n exists and is active, through the virtual
-- table and the table alike; other names are free
SELECT create_conversation('acme', 'C');
SELECT start_run(102, 'topical_map');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_3', x'03');
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_99', x'99'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_99', x'99'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_2', x'02');
-- run_03 is not how a run is named (a leading zero): free-form, like thread-1
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_03', x'03');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_x', x'aa');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('thread-1', x'bb');
SELECT cancel_run(3);
SELECT group_concat(workflow_id, ' ') FROM (SELECT workflow_id FROM workflow_interrupts ORDER BY 1);
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_3', x'03'); -- error
UPDATE workflow_interrupts SET workflow_id = 'run_3' WHERE workflow_id = 'run_x'; -- error
UPDATE workflow_interrupts SET data = x'22' WHERE workflow_id = 'run_2';
-- a new run never inherits a checkpoint saved under its name (one written
-- before these rules, here with the rule lifted for the demonstration)
DROP TRIGGER workflow_interrupts_check_update;
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('stale-4', x'44');
UPDATE workflow_interrupts SET workflow_id = 'run_4' WHERE workflow_id = 'stale-4';
SELECT start_run(102, 'topical_map');
SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'run_4';

-- ---------------------------------------------------------------- deleted
SELECT create_conversation('acme', 'D', '{"uid": "d"}');
SELECT add_message(103, 'user', 'hello');
SELECT start_run(103, 'topical_map');
SELECT add_proposal(5, 'pillar', 'Rye');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_5', x'55');
SELECT delete_conversation(103);
-- the active run is cancelled (with its event), its checkpoint gone
SELECT status, error, completed_at FROM workflow_runs WHERE id = 5;
SELECT transition, at FROM run_events WHERE run_id = 5;
SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'run_5';
-- no writes: functions and raw DML
SELECT add_message(103, 'user', 'ghost'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (103, 'user', 'ghost'); -- error
SELECT start_run(103, 'topical_map'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (103, 'topical_map'); -- error
SELECT advance_run(5); -- error
UPDATE workflow_runs SET state = '{"x": 1}' WHERE id = 5; -- error
UPDATE chat_conversations SET title = 'renamed' WHERE id = 103; -- error
UPDATE chat_conversations SET pinned_at = '2026-01-01T00:00:00.000Z' WHERE id = 103; -- error
UPDATE chat_conversations SET metadata = '{"a": 1}' WHERE id = 103; -- error
UPDATE chat_messages SET tokens = 99 WHERE conversation_id = 103; -- error
UPDATE workflow_proposals SET user_approved = 1 WHERE run_id = 5; -- error
SELECT generate_title(103); -- error
SELECT title, message_count, (SELECT tokens FROM chat_messages WHERE conversation_id = 103)
  FROM chat_conversations WHERE id = 103;
-- restoring lets it take writes again; a raw soft delete cancels too
SELECT restore_conversation(103);
SELECT add_message(103, 'user', 'back');
SELECT start_run(103, 'topical_map');
UPDATE chat_conversations SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 103;
SELECT id, status, error FROM workflow_runs WHERE conversation_id = 103 ORDER BY id;
-- purge and retention still delete
SELECT delete_old_messages(0);
SELECT purge_conversation(103);
SELECT count(*) FROM chat_conversations WHERE id = 103;

-- ---------------------------------------------------------------- text
-- NUL: a function names it; a raw INSERT is refused by the schema (also a
-- leading one, which length() would count as empty)
SELECT add_message(2, 'user', 'a' || char(0) || 'b'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (2, 'user', 'a' || char(0) || 'b'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (2, 'user', char(0) || 'secret'); -- error
INSERT INTO chat_conversations (owner, title) VALUES ('raw', 'a' || char(0) || 'b'); -- error
UPDATE chat_conversations SET title = char(0) WHERE id = 2; -- error
-- JSON written by raw SQL: \u0000 and lone surrogates refused; an escaped
-- backslash before u0000 is text, a surrogate pair an emoji
INSERT INTO chat_messages (conversation_id, role, content, parts) VALUES (2, 'user', 'p', '[{"type": "text", "text": "a\u0000b"}]'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"note": "a\ud800b"}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"note": "\udc00"}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"\ud800": 1}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"note": "\\u0000 is how JSON writes NUL", "emoji": "\ud83d\ude00"}');
SELECT json_extract(metadata, '$.note'), json_extract(metadata, '$.emoji') FROM chat_messages WHERE id = last_insert_rowid();
INSERT INTO chat_conversations (owner, context) VALUES ('raw', '{"a": "\u0000"}'); -- error
UPDATE chat_conversations SET metadata = '{"a": "\ud800"}' WHERE id = 2; -- error
UPDATE workflow_runs SET state = '{"a": "\u0000"}' WHERE id = 2; -- error
INSERT INTO workflow_runs (conversation_id, workflow, state) VALUES (101, 'topical_map', '{"a": "\udbff"}'); -- error
SELECT count(*) FROM chat_messages WHERE conversation_id = 2;

-- ---------------------------------------------------------------- numbers from JavaScript
-- better-sqlite3 binds every JavaScript number as a REAL: an integral REAL
-- is the integer (ids, token budgets, days, batches, seconds, at_seq,
-- question ids); 1.5, a huge value or a negative id stay errors
SELECT create_conversation('js', 'numbers', '{"uid": "js"}');
SELECT add_message(CAST(id AS REAL), 'user', 'from node') FROM chat_conversations WHERE uid = 'js';
SELECT start_run(CAST(id AS REAL), 'topical_map') FROM chat_conversations WHERE uid = 'js';
SELECT heartbeat_run(7.0, 30.0);
SELECT add_clarification(7.0, 9.0, 'Audience?', 'locals');
SELECT json_extract(clarifications, '$[0].question_id'), json_type(clarifications, '$[0].question_id') FROM workflow_runs WHERE id = 7;
SELECT count(*) FROM chat_history(104.0, 100.0);
SELECT chat_history_json(104.0, 100.0);
SELECT fork_conversation(104.0, 1.0);
SELECT delete_old_messages(30.0, 5.0), archive_old_conversations(90.0, 10.0), purge_deleted(30.0, 1.0);
SELECT add_message(104.5, 'user', 'x'); -- error
SELECT add_message(-104.0, 'user', 'x'); -- error
SELECT add_message(1e19, 'user', 'x'); -- error
SELECT heartbeat_run(7.0, 30.5); -- error
SELECT delete_old_messages(30.5); -- error
SELECT count(*) FROM chat_history(104.5, 100.0); -- error
SELECT add_clarification(7.0, 9.5, 'Audience?', 'locals'); -- error

-- ---------------------------------------------------------------- every write of a deleted conversation
SELECT create_conversation('acme', 'E', '{"uid": "e"}');
SELECT start_run(id, 'topical_map') FROM chat_conversations WHERE uid = 'e';
SELECT add_proposal(max(id), 'pillar', 'Spelt') FROM workflow_runs;
SELECT delete_conversation(id) FROM chat_conversations WHERE uid = 'e';
CREATE TEMP VIEW e_run AS SELECT max(id) AS id FROM workflow_runs;
INSERT INTO workflow_run_events (run_id, to_status) SELECT id, 'started' FROM e_run; -- error
UPDATE workflow_runs SET error = 'hack' WHERE id = (SELECT id FROM e_run); -- error
UPDATE workflow_runs SET lease_expires_at = '2030-01-01T00:00:00.000Z' WHERE id = (SELECT id FROM e_run); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) SELECT id, 'pillar', 'x' FROM e_run; -- error
UPDATE chat_conversations SET created_at = '2020-01-01T00:00:00.000Z' WHERE uid = 'e'; -- error
UPDATE chat_conversations SET deleted_at = '2026-06-01T00:00:00.000Z' WHERE uid = 'e'; -- error
-- what follows the messages still moves (retention deletes them)
UPDATE chat_conversations SET updated_at = '2026-01-03T00:00:00.000Z' WHERE uid = 'e';
SELECT status, error, (SELECT count(*) FROM workflow_run_events WHERE run_id = e_run.id)
  FROM workflow_runs JOIN e_run USING (id);

-- ---------------------------------------------------------------- NUL in the other text columns
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('x' || char(0) || 'y', x'00'); -- error
UPDATE workflow_runs SET error = 'e' || char(0) || 'f' WHERE id = 2; -- error
INSERT INTO chat_messages (conversation_id, role, content, workflow_step) VALUES (2, 'user', 's', 'a' || char(0)); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (2, 'pillar', 'a' || char(0) || 'b'); -- error
UPDATE workflow_proposals SET rationale = char(0) WHERE run_id = 2; -- error
INSERT INTO workflow_run_events (run_id, to_status, detail) VALUES (2, 'processing', '{"a": "\u0000"}'); -- error
-- an escaped U+FFFD, a pair in upper case and a lone surrogate after an
-- escaped backslash are text, not lone surrogates
INSERT INTO chat_messages (conversation_id, role, content, metadata)
VALUES (2, 'user', 'ok', '{"a": "\ufffd", "b": "\uD83D\uDE00", "c": "\\ud800"}');
SELECT json_extract(metadata, '$.a'), json_extract(metadata, '$.b'), json_extract(metadata, '$.c')
  FROM chat_messages WHERE id = last_insert_rowid();
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"a": "\ud83d\ud83d\ude00"}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"a": "\ud83d\ude00\ude00"}'); -- error

-- ---------------------------------------------------------------- review cases
-- an even number of escaped backslashes between two escapes does not make
-- them a pair
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"a": "\ud83d\\\ude00"}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (2, 'user', 'p', '{"a": "x\\\u0000"}'); -- error
-- ids stop at 2^53 - 1 (exact in JavaScript); the sequence is not moved
INSERT INTO chat_conversations (id, owner) VALUES (9223372036854775807, 'o'); -- error
INSERT INTO chat_messages (id, conversation_id, role, content) VALUES (9007199254740992, 2, 'user', 'x'); -- error
SELECT seq FROM sqlite_sequence WHERE name = 'chat_conversations';
-- INSERT OR REPLACE of an existing message is refused whatever the sequence says
UPDATE sqlite_sequence SET seq = 0 WHERE name = 'chat_messages';
INSERT OR REPLACE INTO chat_messages (id, conversation_id, role, content) VALUES (2, 2, 'user', 'replaced'); -- error
UPDATE sqlite_sequence SET seq = (SELECT max(id) FROM chat_messages) WHERE name = 'chat_messages';
-- checkpoint names: only run_ + an id as run_workflow_id writes it is a run's
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_0', x'00');
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_99999999999999999999', x'00');
INSERT INTO workflow_interrupts (workflow_id, data) VALUES (CAST('run_2' AS BLOB), x'00'); -- error
-- a NUL left in a row written before these rules (the rule lifted here to
-- make one) does not block changes to its other columns
DROP TRIGGER workflow_proposals_text_insert;
INSERT INTO workflow_proposals (run_id, kind, proposed_name, rationale) VALUES (2, 'pillar', 'Legacy', 'a' || char(0) || 'b');
SELECT validate_proposal(max(id), '{"ok": true}') FROM workflow_proposals;
UPDATE workflow_proposals SET ref = 'r1' WHERE proposed_name = 'Legacy';
UPDATE workflow_proposals SET ref = 'r' || char(0) WHERE proposed_name = 'Legacy'; -- error
-- an import whose active run comes before a finished one in the document:
-- run ids are given in the order the runs are written (finished first)
SELECT create_conversation('imp', 'runs in any order', '{"uid": "imp"}');
SELECT start_run(id, 'topical_map') FROM chat_conversations WHERE uid = 'imp';
SELECT cancel_run(max(id)) FROM workflow_runs;
SELECT start_run(id, 'topical_map') FROM chat_conversations WHERE uid = 'imp';
SELECT add_message(id, 'user', 'in the active run') FROM chat_conversations WHERE uid = 'imp';
CREATE TEMP TABLE doc AS
SELECT json_set(d, '$.runs', json_array(json_extract(d, '$.runs[1]'), json_extract(d, '$.runs[0]'))) AS d
  FROM (SELECT export_conversation(id) AS d FROM chat_conversations WHERE uid = 'imp');
SELECT json_extract(d, '$.runs[0].status'), json_extract(d, '$.runs[1].status') FROM doc;
SELECT import_conversation('imp2', d) FROM doc;
SELECT r.status, m.content IS NOT NULL FROM workflow_runs AS r
  LEFT JOIN chat_messages AS m ON m.run_id = r.id
 WHERE r.conversation_id = (SELECT max(id) FROM chat_conversations) ORDER BY r.id;
-- the counters' stamp moves only with the counters, by one
UPDATE chat_conversations SET counter_stamp = 9223372036854775807 WHERE id = 2; -- error
UPDATE chat_conversations SET message_count = 0, counter_stamp = counter_stamp + 2 WHERE id = 2; -- error
-- a run waiting for a person holds no lease, also when inserted with one;
-- a started one without a lease gets one, also when its status is not set
INSERT INTO workflow_runs (conversation_id, workflow, status, current_step, lease_expires_at)
VALUES (101, 'topical_map', 'awaiting_approval', 'pillar_proposal', '2030-01-01T00:00:00.000Z');
SELECT status, quote(lease_expires_at) FROM workflow_runs WHERE id = (SELECT max(id) FROM workflow_runs);
SELECT cancel_run(max(id)) FROM workflow_runs;
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (101, 'topical_map');
UPDATE workflow_runs SET lease_expires_at = NULL WHERE id = (SELECT max(id) FROM workflow_runs);
SELECT lease_expires_at IS NOT NULL FROM workflow_runs WHERE id = (SELECT max(id) FROM workflow_runs);
SELECT cancel_run(max(id)) FROM workflow_runs;

-- ---------------------------------------------------------- the last id
-- ids stop at 2^53 - 1 also when SQLite picks them: once a table's
-- sequence is there (an INSERT naming the last id), the next row of each
-- table is refused, through the functions and raw SQL, and nothing stays
INSERT INTO chat_conversations (id, owner, uid) VALUES (9007199254740991, 'last', 'last');
SELECT create_conversation('last', 'one more'); -- error
INSERT INTO chat_conversations (owner) VALUES ('last'); -- error
INSERT INTO chat_messages (id, conversation_id, role, content) VALUES (9007199254740991, 9007199254740991, 'user', 'last');
SELECT add_message(9007199254740991, 'user', 'one more'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (9007199254740991, 'user', 'one more'); -- error
-- the last run id taken: a queued run is refused (SQLite would give it 2^53)
INSERT INTO workflow_runs (id, conversation_id, workflow) VALUES (9007199254740991, 9007199254740991, 'topical_map');
SELECT start_run(2, 'topical_map', NULL, '{"on_active": "enqueue"}'); -- error
SELECT count(*) FROM workflow_runs WHERE status = 'queued';
-- the last proposal id, then the last event id: the run stays as it was
UPDATE sqlite_sequence SET seq = 9007199254740991 WHERE name = 'workflow_proposals';
SELECT add_proposal(9007199254740991, 'pillar', 'Rye'); -- error
UPDATE sqlite_sequence SET seq = 9007199254740991 WHERE name = 'workflow_run_events';
SELECT cancel_run(9007199254740991); -- error
SELECT status, (SELECT count(*) FROM workflow_proposals WHERE run_id = r.id),
       (SELECT count(*) FROM workflow_run_events WHERE run_id = r.id)
  FROM workflow_runs AS r WHERE id = 9007199254740991;
SELECT max(id) FROM chat_conversations;
SELECT max(id), (SELECT count(*) FROM chat_messages WHERE conversation_id = 9007199254740991) FROM chat_messages;
