-- 39_check: chatflow_check() verifies every invariant of a database in one
-- read.  A healthy database: every row ok.  Then each invariant broken with
-- raw SQL that bypasses the schema's triggers (the trigger dropped inside a
-- transaction that is rolled back after the check), and the one failing
-- row shown.  Legitimate gaps in seq (deleted messages) are not flagged.
-- Last, the 0.1 fixture migrated by chatflow_init().
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
-- an empty database
SELECT count(*) FROM chatflow_check() WHERE NOT ok;
.headers on
SELECT name FROM pragma_table_xinfo('chatflow_check');
.headers off

-- two conversations with messages (one not plain ASCII), runs: one active
-- with a checkpoint, one queued behind it, one ended
SELECT create_conversation('acme', 'First');
SELECT create_conversation('acme', 'Second');
SELECT add_message(1, 'user', 'Hello there');
SELECT add_message(1, 'assistant', 'Grüß dich', '{"tokens": 5}');
SELECT add_message(1, 'user', 'Third');
SELECT add_message(2, 'user', '日本語のメッセージ');
SELECT start_run(1, 'topical_map');
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT start_run(2, 'topical_map');
SELECT cancel_run(3);
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(1), x'01');
SELECT chatflow_index();
SELECT add_message(2, 'assistant', 'not indexed yet');
SELECT * FROM chatflow_check();
-- a gap left by a deleted message is no fault
DELETE FROM chat_messages WHERE conversation_id = 1 AND seq = 2;
SELECT count(*) FROM chatflow_check() WHERE NOT ok;
-- nothing in it writes: it runs in a read-only transaction
PRAGMA query_only = ON;
SELECT count(*) FROM chatflow_check() WHERE ok;
PRAGMA query_only = OFF;

-- each invariant broken: the failing rows
-- counters set by hand (the guard dropped)
BEGIN;
DROP TRIGGER chat_conversations_counters_guard;
UPDATE chat_conversations SET message_count = 7 WHERE id = 1;
UPDATE chat_conversations SET total_tokens = 1 WHERE id = 2;
UPDATE chat_conversations SET last_seq = 1, last_message_at = '2025-01-01T00:00:00.000Z' WHERE id = 2;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a message without seq, and one whose seq is below an older message's
BEGIN;
DROP TRIGGER chat_messages_check_update;
UPDATE chat_messages SET seq = NULL WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
BEGIN;
DROP TRIGGER chat_messages_check_update;
UPDATE chat_messages SET seq = 2 WHERE id = 3;
UPDATE chat_messages SET seq = 3 WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- two active runs in one conversation (the unique index and the insert check dropped)
BEGIN;
DROP INDEX workflow_runs_one_active;
DROP TRIGGER workflow_runs_check_insert;
INSERT INTO workflow_runs (conversation_id, workflow, status) VALUES (1, 'topical_map', 'processing');
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- the active run ends and its queued run is not started
BEGIN;
DROP TRIGGER workflow_runs_dequeue;
SELECT cancel_run(1);
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a started run without a lease; an ended run without completed_at (what
-- the schema refuses, with its triggers dropped)
BEGIN;
DROP TRIGGER workflow_runs_after_update;
DROP TRIGGER workflow_runs_check_update;
UPDATE workflow_runs SET lease_expires_at = NULL WHERE id = 1;
UPDATE workflow_runs SET completed_at = NULL WHERE id = 3;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a run's first event gone; a run whose status is not its last event's
BEGIN;
DROP TRIGGER workflow_run_events_check_insert;
DROP TRIGGER workflow_run_events_keep;
DELETE FROM workflow_run_events WHERE run_id = 3 AND from_status IS NULL;
INSERT INTO workflow_run_events (run_id, from_status, to_status) VALUES (1, 'started', 'processing');
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- forged events (as a 0.1 database may hold them): a status that is no
-- run status, a second creation, a move that does not follow the last
-- event, a created_at that is no timestamp; each run's log ends with its status
BEGIN;
DROP TRIGGER workflow_run_events_check_insert;
INSERT INTO workflow_run_events (run_id, from_status, to_status) VALUES (1, 'bogus', 'nonsense');
INSERT INTO workflow_run_events (run_id, from_status, to_status) VALUES (1, 'nonsense', (SELECT status FROM workflow_runs WHERE id = 1));
INSERT INTO workflow_run_events (run_id, from_status, to_status) VALUES (2, NULL, (SELECT status FROM workflow_runs WHERE id = 2));
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at)
  SELECT 3, status, status, 'yesterday' FROM workflow_runs WHERE id = 3;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a log that chains but skips the state machine (completed -> back): run 1
BEGIN;
DROP TRIGGER workflow_run_events_check_insert;
INSERT INTO workflow_run_events (run_id, from_status, to_status) SELECT 1, status, 'completed' FROM workflow_runs WHERE id = 1;
INSERT INTO workflow_run_events (run_id, from_status, to_status) SELECT 1, 'completed', status FROM workflow_runs WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- the search indexes: an indexed message taken out, a stray row put in
BEGIN;
INSERT INTO chat_messages_fts (chat_messages_fts, rowid, content) VALUES ('delete', 1, 'Hello there');
INSERT INTO chat_messages_fts (rowid, content) VALUES (99, 'ghost');
INSERT INTO chat_messages_trigram (chat_messages_trigram, rowid, content)
  VALUES ('delete', 4, '日本語のメッセージ' || char(1, 1));
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- the title indexes: a title taken out of both
BEGIN;
SELECT create_conversation('acme', 'Café');
INSERT INTO chat_titles_fts (chat_titles_fts, rowid, title) VALUES ('delete', 3, 'Café');
INSERT INTO chat_titles_trigram (chat_titles_trigram, rowid, title) VALUES ('delete', 3, 'Café' || char(1, 1));
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- more than five offenders: the first five, then the count
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 101 UNION ALL SELECT i + 1 FROM n WHERE i < 107)
INSERT INTO chat_messages_fts (rowid, content) SELECT i, 'ghost' FROM n;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a checkpoint of an ended run
BEGIN;
DROP TRIGGER workflow_interrupts_check_insert;
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_3', x'01');
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_007', x'01');
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a message naming a run of another conversation
BEGIN;
DROP TRIGGER chat_messages_check_update;
UPDATE chat_messages SET run_id = 3 WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- LangGraph rows: a pending write whose checkpoint an INSERT OR REPLACE
-- on its id took away, a channel value moved to a run of another thread
BEGIN;
SELECT langgraph_put('th-1', 'c-1', x'7b7d', '{}', '{"owner": "acme"}') > 0;
SELECT langgraph_put_write('th-1', 'c-1', 't', 0, 'x', x'00');
SELECT langgraph_put_blob('th-1', 'x', '1', x'00');
DROP TRIGGER langgraph_checkpoints_insert;
DROP TRIGGER langgraph_blobs_update;
INSERT OR REPLACE INTO langgraph_checkpoints (id, conversation_id, checkpoint_id, checkpoint)
  SELECT id, conversation_id, 'c-2', x'00' FROM langgraph_checkpoints WHERE checkpoint_id = 'c-1';
UPDATE langgraph_blobs SET run_id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- text the schema's text triggers refuse, as a 0.1 database may hold it
-- (written before migration 005): a NUL in a title and in a message's
-- step, \u0000 and a lone surrogate escape in JSON columns, a NUL in a
-- proposal and in a checkpoint's id; an escaped backslash (\\u0000, the
-- text \u0000) and a surrogate pair are fine.  The check does not need the
-- view chatflow_lone_surrogate_globs (dropped here: the schema row names it)
BEGIN;
SELECT add_proposal(1, 'pillar', 'Bread');
DROP TRIGGER chat_conversations_text_update;
DROP TRIGGER chat_messages_check_update;
DROP TRIGGER chat_messages_draft_update;
DROP TRIGGER workflow_runs_check_update;
DROP TRIGGER workflow_proposals_text_update;
DROP TRIGGER workflow_interrupts_check_insert;
UPDATE chat_conversations SET title = 'Fir' || char(0) || 'st' WHERE id = 1;
UPDATE chat_conversations SET metadata = '{"a": "\\u0000 \ud83d\ude00"}' WHERE id = 2;
UPDATE chat_messages SET workflow_step = 'st' || char(0) || 'ep' WHERE id = 1;
UPDATE chat_messages SET metadata = '{"k": "\u0000"}' WHERE id = 3;
UPDATE chat_messages SET parts = '[{"type": "text", "text": "\uDC00"}]' WHERE id = 4;
UPDATE workflow_runs SET state = '{"s": "x\ud800y"}' WHERE id = 1;
UPDATE workflow_proposals SET rationale = 'a' || char(0) WHERE id = 1;
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('ext' || char(0) || 'x', x'01');
DROP VIEW chatflow_lone_surrogate_globs;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a key twice in one object, as raw SQL can store it (the schema does not
-- look; import refuses it): at the top of a conversation's metadata, deep
-- in a message's metadata, in a run's state, in an event's object of 17 keys
-- (more than the scanner compares itself); the same key in two objects is
-- fine, and an escaped key equal to another once decoded ("\u0061" is "a")
-- is found too
BEGIN;
UPDATE chat_conversations SET metadata = '{"a": 1, "b": 2, "a": 3}' WHERE id = 1;
UPDATE chat_conversations SET metadata = '{"a": {"a": 1}, "b": {"a": 2}}' WHERE id = 2;
UPDATE chat_messages SET metadata = '{"usage": [{"k": 1, "k": 2}]}' WHERE id = 4;
UPDATE chat_messages SET metadata = '{"a": 1, "\u0061": 2}' WHERE id = 3;
DROP TRIGGER workflow_run_events_append_only;
UPDATE workflow_run_events SET detail = '{"k1": 1,"k2": 2,"k3": 3,"k4": 4,"k5": 5,"k6": 6,"k7": 7,"k8": 8,"k9": 9,"k10": 10,"k11": 11,"k12": 12,"k13": 13,"k14": 14,"k15": 15,"k16": 16, "k1": 0}' WHERE id = 1;
DROP TRIGGER workflow_runs_check_update;
UPDATE workflow_runs SET state = '{"s": [{"x": 1, "x": 1}]}' WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
-- the export writes such a row; the import refuses it; json_remove of the
-- key takes out its first occurrence, which mends the row (the last value,
-- what JavaScript and Python read, stays)
SELECT json_extract(export_conversation(1), '$.conversation.metadata');
SELECT import_conversation('copy', export_conversation(1)); -- error
UPDATE chat_conversations SET metadata = json_remove(metadata, '$.a') WHERE id = 1;
SELECT metadata FROM chat_conversations WHERE id = 1;
SELECT "check", detail FROM chatflow_check() WHERE "check" = 'json_keys';
ROLLBACK;
-- parts that the writers refuse now, stored by raw SQL (as 0.1 and 0.2
-- before their checks could): a text part without its text, a file part
-- without a media type, a tool call without its id; a message whose parts
-- pass is not named.  The export of such a message does not import
BEGIN;
INSERT INTO chat_messages (conversation_id, role, content, parts)
VALUES (1, 'user', 'no text', '[{"type": "text"}]'),
       (1, 'user', 'a file', '[{"type": "text", "text": "see"}, {"type": "file", "url": "https://x.example/a.png"}]'),
       (1, 'user', 'fine', '[{"type": "text", "text": "fine"}]'),
       (1, 'assistant', 'a call', '[{"type": "tool-call", "name": "f", "arguments": "{}"}]');
SELECT "check", ok, detail FROM chatflow_check() WHERE "check" = 'parts';
SELECT import_conversation('copy', export_conversation(1)); -- error
SELECT count(*) FROM chat_conversations WHERE owner = 'copy';
ROLLBACK;
-- timestamps that name no time or are in year 0000, as a 0.1 database may
-- hold them (its triggers checked the form only): February 30 on a
-- conversation, month 13 on a run, year 0000 on a proposal; a leap day
-- and year 0001 are fine
BEGIN;
SELECT add_proposal(1, 'pillar', 'Bread');
DROP TRIGGER chat_conversations_time_update;
DROP TRIGGER workflow_runs_check_update;
DROP TRIGGER workflow_proposals_text_update;
UPDATE chat_conversations SET pinned_at = '2026-02-30T00:00:00.000Z' WHERE id = 1;
UPDATE chat_conversations SET archived_at = '2024-02-29T00:00:00.000Z' WHERE id = 2;
UPDATE workflow_runs SET lease_expires_at = '2026-13-01T00:00:00.000Z' WHERE id = 1;
UPDATE workflow_runs SET completed_at = '0001-01-01T00:00:00.000Z' WHERE id = 3;
UPDATE workflow_proposals SET created_at = '0000-01-01T00:00:00.000Z' WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
-- a run of a workflow that does not exist (foreign keys off)
BEGIN;
DROP TRIGGER workflow_runs_check_update;
UPDATE workflow_runs SET workflow = 'gone' WHERE id = 3;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;
SELECT count(*) FROM chatflow_check() WHERE NOT ok;

-- a dropped view and index are named too (the list comes from the
-- migrations, applied to a new in-memory database)
BEGIN;
DROP VIEW chatflow_lone_surrogate_globs;
DROP INDEX chat_messages_created;
SELECT * FROM chatflow_check() WHERE "check" = 'schema';
ROLLBACK;
SELECT * FROM chatflow_check() WHERE "check" = 'schema';
-- names compare without case, as SQLite's do
BEGIN;
DROP INDEX chat_messages_created;
CREATE INDEX Chat_Messages_Created ON chat_messages (created_at);
SELECT * FROM chatflow_check() WHERE "check" = 'schema';
ROLLBACK;
-- a trigger recreated under its name with a body that does nothing is a
-- rule that no longer holds: named as changed (its SQL is not the
-- migrations')
BEGIN;
DROP TRIGGER chat_conversations_counters_guard;
CREATE TRIGGER chat_conversations_counters_guard BEFORE UPDATE ON chat_conversations WHEN 0 BEGIN SELECT 1; END;
UPDATE chat_conversations SET message_count = 42 WHERE id = 1;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;

-- the trigger of a view counts too: the steps rules' trigger emptied
BEGIN;
DROP TRIGGER chatflow_workflow_steps_check_insert;
CREATE TRIGGER chatflow_workflow_steps_check_insert INSTEAD OF INSERT ON chatflow_workflow_steps_check BEGIN SELECT 1; END;
SELECT * FROM chatflow_check() WHERE NOT ok;
DROP TRIGGER chatflow_workflow_steps_check_insert;
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;

-- a row left in chatflow_statement_clock (raw SQL: a function fills and
-- empties it inside its savepoint) would stamp every trigger's writes
BEGIN;
INSERT INTO chatflow_statement_clock VALUES (1, '2000-01-01T00:00:00.000Z');
SELECT * FROM chatflow_check() WHERE NOT ok;
ROLLBACK;

-- a database of chatflow 0.1, migrated
.restore tests/fixtures/chatflow-0.1.db
SELECT * FROM chatflow_check(); -- error
SELECT chatflow_init();
SELECT (SELECT count(*) FROM chat_messages), (SELECT count(*) FROM workflow_runs);
SELECT * FROM chatflow_check();
-- it leaves the temp schema alone: a WAL this connection switches to can
-- still be checkpointed
PRAGMA journal_mode = WAL;
PRAGMA wal_checkpoint(TRUNCATE);
-- a workflow definition's created_at kept from an older database (the
-- triggers dropped to write it) is named by the timestamps row
DROP TRIGGER workflow_definitions_check_insert;
INSERT INTO workflow_definitions (name, steps, created_at) VALUES ('w_old', '[{"name": "a"}]', '2026-02-30T00:00:00.000Z');
SELECT ok, detail FROM chatflow_check() WHERE "check" = 'timestamps';
