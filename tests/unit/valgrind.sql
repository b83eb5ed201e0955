-- valgrind.sql: one pass over every function, module and error path of
-- chatflow, for the memory checkers (make valgrind, make asan).  Its output
-- is not compared: the checkers' reports are the result.  Errors are
-- expected, so bail is off.  make valgrind and make asan run it twice on one
-- connection, loading the extension again in between.
.bail off
.headers off
SELECT create_conversation('acme');                          -- error: not initialised
SELECT * FROM chat_history(1);                               -- error: not initialised
SELECT * FROM chatflow_check();                              -- error: not initialised
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('x', x'00');  -- error
SELECT chatflow_init();
SELECT chatflow_init();
SELECT chatflow_version(), length(chatflow_debug()) > 0;
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_clock('2026-02-30T00:00:00Z');               -- error
SELECT chatflow_clock(NULL) IS NOT NULL;
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_config('llm.model'), chatflow_config('llm.model', 'qwen3'), chatflow_config('llm.model');
SELECT chatflow_config('llm.model', NULL);
SELECT chatflow_config('llm.bogus');                         -- error
SELECT chatflow_config('llm.timeout_ms', 'abc');             -- error
SELECT chatflow_config('llm.base_url', 'ftp://x');           -- error
SELECT chatflow_config('llm.api_key_env', '9X');             -- error
SELECT chatflow_config(NULL);                                -- error
SELECT create_conversation('acme', 'Pricing', '{"key": "t-1", "uid": "u-1", "visibility": "public", "model": "m", "agent": "a", "context": {"x": 1}, "metadata": {"y": [1, 2]}}');
SELECT create_conversation('acme', NULL, '{"key": "t-1"}');   -- error: duplicate key
SELECT create_conversation('acme', NULL, '{"uid": "u-1"}');   -- error: duplicate uid
SELECT create_conversation('acme', NULL, '{"uid": "a b"}');   -- error
SELECT create_conversation('acme', NULL, '{"visibility": "x"}');  -- error
SELECT create_conversation('acme', NULL, '{"bogus": 1}');     -- error
SELECT create_conversation('acme', NULL, '{"key": ');         -- error
SELECT create_conversation('acme', NULL, '{''key'': "k"}');   -- error (single quotes)
SELECT create_conversation('acme', NULL, '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]');  -- error
SELECT create_conversation(NULL), create_conversation(''), create_conversation(1);  -- error
SELECT create_conversation(CAST(x'ff' AS TEXT));             -- error
SELECT create_conversation('acme', printf('%.201c', 'x'));   -- error
SELECT find_or_create_conversation('acme', 't-1'), find_or_create_conversation('acme', 't-2', 'T2');
SELECT find_or_create_conversation('acme', 'k', NULL, '{"key": "k"}');  -- error
SELECT delete_conversation(2), delete_conversation(2);       -- error: already deleted
SELECT restore_conversation(2), restore_conversation(2);     -- error: not deleted
SELECT delete_conversation(99), restore_conversation('x'), purge_conversation(NULL);  -- error
SELECT add_message(1, 'system', 'You are terse.');
SELECT add_message(1, 'user', '  Plan   a topical map for our bakery, which sells sourdough, pastries and cakes in Lyon and Paris  ');
SELECT add_message(1, 'assistant', 'Sure.', '{"tokens": 12, "type": "proposal", "metadata": {"model": "m"}, "parts": [{"type": "text", "text": "Sure."}], "attachments": [{"n": 1}]}');
SELECT add_message(1, 'tool', NULL, '{"parts": [{"type": "tool-result", "r": 1}]}');
SELECT add_message(1, 'user', 'h' || char(233) || 'llo w' || char(246) || 'rld');
SELECT add_message(1, 'admin', 'x');                         -- error
SELECT add_message(1, 'user', '');                           -- error
SELECT add_message(1, 'user', NULL);                         -- error
SELECT add_message(1, 'user', x'00');                        -- error
SELECT add_message(1, 'user', CAST(x'eda080' AS TEXT));      -- error
SELECT add_message('1', 'user', 'x'), add_message(1.5, 'user', 'x');  -- error
SELECT add_message(99, 'user', 'x');                         -- error
SELECT add_message(1, 'user', 'x', '{"run_id": 99}');        -- error
SELECT add_message(1, 'user', 'x', '{"tokens": -1}');        -- error
SELECT add_message(1, 'user', 'x', '{"type": "Bad"}');       -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "image"}]}');  -- error
SELECT add_message(1, 'user', 'x', '{"parts": [1]}');        -- error
SELECT add_message(1, 'user', 'x', '{"tokens": }');          -- error
SELECT add_message(1, 'user', 'x', '{''tokens'': 1}');       -- error
SELECT add_message(1, 'user', 'x', '{"created_at": "bad"}'); -- error
SELECT chatflow_config('limits.max_content_chars', '5');
SELECT add_message(1, 'user', 'too long');                   -- error
SELECT chatflow_config('limits.max_content_chars', NULL);
SELECT add_message(1, 'user', printf('%.100001c', 'x'));     -- error
SELECT start_run(1, 'topical_map', '{"seed": "bakery"}');
SELECT start_run(1, 'topical_map');                          -- error: active run
SELECT start_run(1, 'nope'), start_run(99, 'topical_map');   -- error
SELECT start_run(1, 'topical_map', '[1]');                   -- error
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "queue"}');  -- error
SELECT active_run(1), active_run(99);                        -- error
SELECT run_status(1), run_status(99);                        -- error
SELECT set_run_status(1, 'awaiting_clarification', 'clarification');
SELECT add_message(1, 'user', 'Lyon and Paris');
SELECT set_run_status(1, 'completed');                       -- error: transition
SELECT set_run_status(1, 'done');                            -- error
SELECT set_run_status(1, 'processing', 'nostep');            -- error
SELECT set_run_status(1, 'processing', 'pillar_proposal');
SELECT merge_run_state(1, '{"seed": null, "pillars": ["bread", "cakes"]}');
SELECT merge_run_state(1, '[1]'), merge_run_state(1, '{bad'), merge_run_state(1, NULL);  -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(1), x'0001000200ff');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', zeroblob(100000));
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('other', 'text data');
SELECT workflow_id, length(data), created_at, updated_at FROM workflow_interrupt;
SELECT length(data) FROM workflow_interrupt WHERE workflow_id = 'run_1';
UPDATE workflow_interrupt SET data = x'00' WHERE workflow_id = 'other';
UPDATE workflow_interrupt SET workflow_id = 'y' WHERE workflow_id = 'other';  -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('x', NULL);   -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('', x'00');   -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('x', 5);      -- error
INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('x', x'00', 'now');  -- error
DELETE FROM workflow_interrupt WHERE workflow_id = 'other';
SELECT seq, role, tokens FROM chat_history(1);
SELECT seq FROM chat_history(1, 20);
SELECT seq FROM chat_history(1, 0);
SELECT seq FROM chat_history(1, NULL, 1);
SELECT chat_history_json(1), chat_history_json(1, 30), chat_history_json(1, NULL, 1);
SELECT * FROM chat_history;                                  -- error
SELECT * FROM chat_history(99);                              -- error
SELECT * FROM chat_history(1, -1);                           -- error
SELECT * FROM chat_history(1, NULL, 99);                     -- error
SELECT chat_history_json(1, 'x'), chat_history_json(NULL);   -- error
SELECT h.seq FROM chat_conversations AS c, chat_history(c.id, 50) AS h WHERE c.owner = 'acme';
SELECT complete_run(1);
SELECT complete_run(1), cancel_run(1), fail_run(1, 'x');     -- error
SELECT count(*) FROM workflow_interrupt;
SELECT start_run(1, 'topical_map');
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "cancel"}');
SELECT fail_run(3, NULL), fail_run(3, '');                   -- error
SELECT fail_run(3, 'boom');
SELECT merge_run_state(3, '{"a": 1}');                       -- error: terminal
UPDATE workflow_runs SET status = 'processing' WHERE id = 3; -- error
UPDATE chat_messages SET content = 'edited' WHERE id = 1;    -- error
BEGIN;
SELECT create_conversation('tx'), add_message(3, 'user', 'in tx'), start_run(3, 'topical_map');
SELECT add_message(3, 'admin', 'x');                         -- error
ROLLBACK;
SAVEPOINT chatflow;
SELECT add_message(1, 'user', 'in savepoint');
ROLLBACK TO chatflow;
RELEASE chatflow;
-- streaming drafts
SELECT begin_message(1, 'assistant', '{"uid": "d-1", "metadata": {"m": 1}}');
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'Sour'),
       append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'dough é');
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 42);    -- error
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), CAST(x'c328' AS TEXT));  -- error
SELECT finish_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), '{"bogus": 1}');  -- error
SELECT finish_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), '{"metadata": {"m": null, "n": 2}, "parts": [{"type": "text", "text": "x"}], "tokens": 0}');
SELECT finish_message((SELECT id FROM chat_messages WHERE uid = 'd-1'));        -- error: twice
SELECT append_message(99999, 'x');                                               -- error
SELECT begin_message(1, 'assistant', '{"tokens": 1}');                          -- error
SELECT begin_message(1, 'assistant', '{"uid": "d-2"}');
SELECT abort_message((SELECT id FROM chat_messages WHERE uid = 'd-2'), printf('%.2001c', 'x'));  -- error
SELECT abort_message((SELECT id FROM chat_messages WHERE uid = 'd-2'), 'stopped');
SELECT begin_message(1, 'assistant', '{"uid": "d-3"}');
SELECT chatflow_config('limits.max_content_chars', '5');
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-3'), 'too long');  -- error
SELECT chatflow_config('limits.max_content_chars', NULL);
SELECT chatflow_clock('2026-06-01T00:00:00.000Z'), expire_stale_runs();
SELECT substr(content, 3), status FROM chat_messages WHERE uid IN ('d-1', 'd-2', 'd-3');
SELECT export_conversation(1) IS NOT NULL, import_conversation('copy', export_conversation(1)) > 0;
-- LangGraph checkpoints
SELECT langgraph_put_blob('t-1', 'messages', '1', x'5b5d', '{"owner": "acme"}');
SELECT langgraph_put('t-1', 'c-1', x'7b7d', '{"source": "input"}', '{"channel_versions": {"messages": "1"}}');
SELECT langgraph_put('t-1', 'c-2', x'7b7d', '{"source": "loop"}', '{"parent_checkpoint_id": "c-1"}');
SELECT langgraph_put_write('t-1', 'c-2', 'task', 0, 'x', x'00'), langgraph_put_write('t-1', 'c-2', 'task', 0, 'x', x'01', '{"replace": true}');
SELECT langgraph_put_write('t-1', 'c-9', 'task', 0, 'x', x'00');   -- error
SELECT langgraph_put('t-1', 'c-3', 'text', '{}');                  -- error
SELECT langgraph_put('t-1', 'c-3', x'00', '{}', '{"bogus": 1}');   -- error
SELECT langgraph_put('t-1', 'c-3', x'00', '{}', '{"run_id": 99}'); -- error
SELECT count(*) FROM langgraph_list('t-1', '{"filter": {"source": "loop"}, "limit": 5, "before": "c-9"}');
SELECT count(*) FROM langgraph_list(NULL, '{"limit": 0}');         -- error
SELECT count(*) FROM langgraph_get('t-1'), langgraph_channel_values('t-1', 'c-1'), langgraph_pending_writes('t-1', 'c-2');
SELECT count(*) FROM langgraph_get(NULL);                          -- error
SELECT (SELECT count(*) FROM langgraph_get('t-1', NULL, NULL, '{"owner": "acme"}')), (SELECT count(*) FROM langgraph_get('t-1', '', 'c-1', '{"owner": "beta"}'));
SELECT count(*) FROM langgraph_get('t-1', NULL, NULL, '{"owner": ""}');    -- error
SELECT count(*) FROM langgraph_get('t-1', NULL, NULL, '{"ownr": "acme"}'); -- error
SELECT langgraph_prune_checkpoints(1), langgraph_prune_checkpoints(0); -- error
SELECT langgraph_delete_thread('t-1'), langgraph_delete_thread('t-1');
SELECT langgraph_put('t-1', 'c-4', x'00', '{}');                   -- error: deleted
SELECT "check", ok, detail FROM chatflow_check();
SELECT purge_conversation(1), purge_conversation(2);
SELECT count(*) FROM chat_messages;
