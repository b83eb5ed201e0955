-- 09_raw_sql: raw DML is a real interface.  INSERTs that omit derived
-- columns get them filled as the functions fill them; counters follow raw
-- inserts and deletes; raw edits that break an invariant are refused;
-- workflow definitions are validated; deletes cascade by trigger.
-- (Raw statements stamp the real time: those columns are only checked for
-- their form, never printed.)
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.headers on

-- conversations: uid, visibility, JSON defaults and timestamps are filled
INSERT INTO chat_conversations (owner) VALUES ('acme');
SELECT id, owner, key, title, visibility, context, metadata, message_count, last_seq, total_tokens,
       length(uid) = 32 AND uid NOT GLOB '*[^0-9a-f]*' AS uid_ok,
       created_at GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9].[0-9][0-9][0-9]Z' AS created_ok,
       updated_at = created_at AS updated_ok
  FROM chat_conversations;
SELECT create_conversation('acme', NULL, '{"uid": "c2"}') AS id;

-- messages: seq, tokens and type are filled exactly as add_message fills them
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'hello there, world');
SELECT add_message(2, 'user', 'hello there, world') AS id;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'assistant', 'é');
SELECT add_message(2, 'assistant', 'é') AS id;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'tool', 'ok');
SELECT add_message(2, 'tool', 'ok') AS id;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'system', 'sys');
SELECT add_message(2, 'system', 'sys') AS id;
INSERT INTO chat_messages (conversation_id, role, parts) VALUES (1, 'assistant', '[{"type":"text","text":"only parts"}]');
SELECT add_message(2, 'assistant', '', '{"parts": [{"type": "text", "text": "only parts"}]}') AS id;
INSERT INTO chat_messages (conversation_id, role, content, type, tokens) VALUES (1, 'user', 'given', 'proposal', 42);
SELECT add_message(2, 'user', 'given', '{"type": "proposal", "tokens": 42}') AS id;
SELECT conversation_id, seq, role, type, content, parts, tokens, run_id, workflow_step,
       length(created_at) AS created_len
  FROM chat_messages ORDER BY conversation_id, seq;
-- the two conversations hold the same derived values
SELECT count(*) AS differing FROM chat_messages AS a JOIN chat_messages AS b
    ON a.conversation_id = 1 AND b.conversation_id = 2 AND a.seq = b.seq
 WHERE a.role IS NOT b.role OR a.type IS NOT b.type OR a.content IS NOT b.content
    OR a.parts IS NOT b.parts OR a.tokens IS NOT b.tokens;
SELECT id, message_count, last_seq, total_tokens, last_message_at IS NOT NULL AS has_last FROM chat_conversations;
-- an explicit seq must move forward; gaps are allowed and never refilled
INSERT INTO chat_messages (conversation_id, seq, role, content) VALUES (1, 10, 'user', 'jump');
SELECT add_message(1, 'user', 'after the jump') AS id;
SELECT seq, content FROM chat_messages WHERE conversation_id = 1 AND seq > 5 ORDER BY seq;

-- counters follow raw deletes; a deleted seq is not reused
DELETE FROM chat_messages WHERE conversation_id = 1 AND seq = 11;
SELECT message_count, last_seq, total_tokens FROM chat_conversations WHERE id = 1;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'next');
SELECT max(seq) FROM chat_messages WHERE conversation_id = 1;
DELETE FROM chat_messages WHERE conversation_id = 1 AND role = 'user';
SELECT message_count, last_seq, total_tokens FROM chat_conversations WHERE id = 1;
SELECT count(*) AS wrong_counters FROM chat_conversations AS c
 WHERE message_count <> (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)
    OR total_tokens <> (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id)
    OR last_message_at IS NOT (SELECT created_at FROM chat_messages WHERE conversation_id = c.id ORDER BY seq DESC LIMIT 1);
DELETE FROM chat_messages WHERE conversation_id = 1;
SELECT message_count, last_seq, total_tokens, last_message_at FROM chat_conversations WHERE id = 1;

-- runs: status and current_step are filled, and the start is logged
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map');
SELECT id, status, current_step, state, clarifications, completed_at FROM workflow_runs;
SELECT run_id, from_status, to_status, from_step, to_step FROM workflow_run_events;
SELECT active_run(1) AS active;
-- a raw UPDATE that ends the run stamps completed_at and logs the change
UPDATE workflow_runs SET status = 'completed' WHERE id = 1;
SELECT status, completed_at IS NOT NULL AS has_completed_at, updated_at >= created_at AS touched FROM workflow_runs WHERE id = 1;
SELECT run_id, from_status, to_status, from_step, to_step FROM workflow_run_events ORDER BY id;
INSERT INTO workflow_runs (conversation_id, workflow, current_step) VALUES (1, 'topical_map', 'clarification');
SELECT id, status, current_step FROM workflow_runs WHERE id = 2;

-- a raw message INSERT attaches the active run and copies its step, like add_message
SELECT set_run_status(2, 'awaiting_clarification') AS moved;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'raw, in the run');
SELECT add_message(1, 'user', 'function, in the run') AS id;
INSERT INTO chat_messages (conversation_id, role, content, run_id) VALUES (1, 'user', 'raw, run named', 1);
SELECT add_message(1, 'user', 'function, run named', '{"run_id": 1}') AS id;
SELECT seq, content, run_id, workflow_step FROM chat_messages WHERE conversation_id = 1 ORDER BY seq;
DELETE FROM chat_messages WHERE conversation_id = 1;

-- workflow definitions are validated
INSERT INTO workflow_definitions (name, steps) VALUES ('two_step',
  '[{"name": "draft", "awaits": null}, {"name": "review", "awaits": "approval"}]');
INSERT INTO workflow_definitions (name, steps) VALUES ('no_awaits', '[{"name": "only"}]');
SELECT name, steps FROM workflow_definitions WHERE name <> 'topical_map' ORDER BY name;
SELECT cancel_run(2) AS cancelled;
SELECT start_run(1, 'two_step') AS run;
SELECT id, workflow, status, current_step FROM workflow_runs WHERE id = 3;
.headers off
.bail off
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '{}'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', 'not json'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '["draft"]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"awaits": null}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": ""}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": 5}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": "a", "awaits": "input"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": "a", "timeout": 5}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('w', '[{"name": "a"}, {"name": "a"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('', '[{"name": "a"}]'); -- error
INSERT INTO workflow_definitions (name, steps) VALUES ('topical_map', '[{"name": "a"}]'); -- error
-- a definition in use can neither change nor go
UPDATE workflow_definitions SET steps = '[{"name": "x"}]' WHERE name = 'two_step'; -- error
DELETE FROM workflow_definitions WHERE name = 'two_step'; -- error
UPDATE workflow_definitions SET name = 'renamed' WHERE name = 'topical_map'; -- error
-- one not in use can, with the same validation
UPDATE workflow_definitions SET steps = '[]' WHERE name = 'no_awaits'; -- error
UPDATE workflow_definitions SET steps = '[{"name": "first"}, {"name": "second", "awaits": "clarification"}]' WHERE name = 'no_awaits';
SELECT steps FROM workflow_definitions WHERE name = 'no_awaits';
DELETE FROM workflow_definitions WHERE name = 'no_awaits';
SELECT count(*) FROM workflow_definitions;

-- raw inserts and edits that would break an invariant are refused
INSERT INTO chat_conversations (owner, message_count) VALUES ('acme', 3); -- error
INSERT INTO chat_conversations (owner, last_message_at) VALUES ('acme', '2026-01-01T00:00:00.000Z'); -- error
INSERT INTO chat_conversations (owner) VALUES (''); -- error
INSERT INTO chat_conversations (owner) VALUES (NULL); -- error
INSERT INTO chat_conversations (owner, uid) VALUES ('acme', 'c2'); -- error
INSERT INTO chat_conversations (owner, visibility) VALUES ('acme', 'secret'); -- error
INSERT INTO chat_conversations (owner, context) VALUES ('acme', '[1]'); -- error
INSERT INTO chat_conversations (owner, metadata) VALUES ('acme', '{bad'); -- error
INSERT INTO chat_conversations (owner, title) VALUES ('acme', printf('%.201c', 't')); -- error
INSERT INTO chat_conversations (owner, key) VALUES ('acme', 'k'), ('acme', 'k'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (99, 'user', 'x'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'admin', 'x'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', ''); -- error
INSERT INTO chat_messages (conversation_id, seq, role, content) VALUES (2, 3, 'user', 'x'); -- error
INSERT INTO chat_messages (conversation_id, seq, role, content) VALUES (2, 0, 'user', 'x'); -- error
INSERT INTO chat_messages (conversation_id, role, content, run_id) VALUES (2, 'user', 'x', 3); -- error
INSERT INTO chat_messages (conversation_id, role, content, type) VALUES (1, 'user', 'x', 'Bad Type'); -- error
INSERT INTO chat_messages (conversation_id, role, content, parts) VALUES (1, 'user', 'x', '{}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (1, 'user', 'x', '[]'); -- error
INSERT INTO chat_messages (conversation_id, role, content, tokens) VALUES (1, 'user', 'x', -1); -- error
-- (each CHECK is named: the refusal names the field, not SQLite's expression)
INSERT INTO chat_messages (conversation_id, role, content, tokens) VALUES (1, 'user', 'x', 1000000001); -- error
INSERT INTO chat_messages (conversation_id, role, content, tokens) VALUES (1, 'user', 'x', 9000000000000000000); -- error
INSERT INTO chat_messages (conversation_id, role, content, attachments) VALUES (1, 'user', 'x', '{"a": 1}'); -- error
UPDATE chat_messages SET tokens = -1 WHERE id = (SELECT min(id) FROM chat_messages); -- error
UPDATE chat_messages SET metadata = '[]' WHERE id = (SELECT min(id) FROM chat_messages); -- error
UPDATE chat_messages SET type = 'Bad Type' WHERE id = (SELECT min(id) FROM chat_messages); -- error
SELECT chatflow_config('limits.max_content_chars', '5');
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', '123456'); -- error
SELECT chatflow_config('limits.max_content_chars', NULL);
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (99, 'topical_map'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'nope'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map'); -- error
INSERT INTO workflow_runs (conversation_id, workflow, status) VALUES (1, 'topical_map', 'paused'); -- error
INSERT INTO workflow_runs (conversation_id, workflow, current_step) VALUES (2, 'topical_map', 'draft'); -- error
INSERT INTO workflow_runs (conversation_id, workflow, state) VALUES (2, 'topical_map', '[]'); -- error
UPDATE workflow_runs SET workflow = 'two_step' WHERE id = 1; -- error
UPDATE workflow_runs SET state = 'x' WHERE id = 3; -- error
UPDATE workflow_runs SET business_context = '[]' WHERE id = 3; -- error
UPDATE workflow_runs SET clarifications = '{}' WHERE id = 3; -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (99, 'pillar', 'Bread'); -- error
INSERT INTO workflow_run_events (run_id, to_status) VALUES (99, 'started'); -- error
UPDATE workflow_run_events SET detail = '{}' WHERE id = 1; -- error
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('x', NULL); -- error
SELECT count(*) FROM chat_conversations;

-- deletes cascade by trigger (PRAGMA foreign_keys is off here)
PRAGMA foreign_keys;
SELECT add_message(1, 'user', 'in run 3') AS id;
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (3, 'pillar', 'Bread');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_3', x'01');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01'); -- error: run 1 has ended
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('unrelated', x'01');
SELECT start_run(2, 'topical_map');
SELECT add_message(2, 'user', 'in run 4');
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (4, 'pillar', 'Cake');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_4', x'02');
CREATE TEMP VIEW counts AS SELECT
  (SELECT count(*) FROM chat_conversations) || ' conv, ' ||
  (SELECT count(*) FROM chat_messages) || ' msg, ' ||
  (SELECT count(*) FROM workflow_runs) || ' runs, ' ||
  (SELECT count(*) FROM workflow_run_events) || ' events, ' ||
  (SELECT count(*) FROM workflow_proposals) || ' proposals, ' ||
  (SELECT group_concat(workflow_id, ' ') FROM (SELECT workflow_id FROM workflow_interrupts ORDER BY 1)) AS c;
SELECT * FROM counts;
-- deleting a run removes its messages, proposals, events and interrupt
DELETE FROM workflow_runs WHERE id = 3;
SELECT * FROM counts;
SELECT count(*) FROM chat_messages WHERE run_id = 3;
SELECT message_count FROM chat_conversations WHERE id = 1;
-- purge_conversation removes everything of the conversation
SELECT purge_conversation(2);
SELECT * FROM counts;
-- a raw DELETE of a conversation does the same
DELETE FROM chat_conversations WHERE id = 1;
SELECT * FROM counts;
-- last_seq never goes down (a lower value would collide with existing seqs)
SELECT create_conversation('acme', 'seq guard', '{"uid": "seq-guard"}') AS id;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (last_insert_rowid(), 'user', 'one');
UPDATE chat_conversations SET last_seq = 0 WHERE uid = 'seq-guard'; -- error
SELECT last_seq, message_count FROM chat_conversations WHERE uid = 'seq-guard';
