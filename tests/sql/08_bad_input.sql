-- 08_bad_input: every function of issue 2 called with NULL, wrong types,
-- unknown ids, malformed or oversized JSON, invalid UTF-8, huge values and
-- invalid transitions.  Each gets its exact "chatflow: ..." error, and a
-- fingerprint of every table shows the database unchanged afterwards.
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'one', '{"uid": "b1", "key": "k1"}');
SELECT create_conversation('acme', 'two', '{"uid": "b2"}');
SELECT add_message(1, 'system', 'sys');
SELECT add_message(1, 'user', 'hello');
SELECT start_run(1, 'topical_map', '{"seed": "x"}');
SELECT set_run_status(1, 'awaiting_approval', 'pillar_proposal');
SELECT add_message(1, 'assistant', 'approve?');
SELECT start_run(2, 'topical_map');
SELECT complete_run(2);
SELECT chatflow_config('llm.model', 'qwen3');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'0102');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('other', 'text data');

-- the fingerprint: every row of every chatflow table, and the schema
CREATE TEMP TABLE fp_query AS SELECT
 'SELECT * FROM chat_conversations; SELECT * FROM chat_messages; SELECT * FROM workflow_runs;
  SELECT * FROM workflow_run_events; SELECT * FROM workflow_interrupts; SELECT * FROM workflow_proposals;
  SELECT * FROM workflow_definitions; SELECT * FROM chatflow_settings; SELECT * FROM chatflow_statement_clock;
  SELECT * FROM chatflow_migrations; SELECT type, name, sql FROM sqlite_schema' AS q;
CREATE TEMP TABLE fp AS SELECT hex(sha3_query(q)) AS h FROM fp_query;
SELECT 'rows', (SELECT count(*) FROM chat_conversations), (SELECT count(*) FROM chat_messages),
       (SELECT count(*) FROM workflow_runs), (SELECT count(*) FROM workflow_run_events),
       (SELECT count(*) FROM workflow_interrupts), (SELECT count(*) FROM chatflow_settings);
SELECT 'state', (SELECT group_concat(id || ':' || status || ':' || current_step, ' ') FROM workflow_runs),
       (SELECT group_concat(id || ':' || message_count || ':' || last_seq || ':' || total_tokens, ' ') FROM chat_conversations);

.bail off
-- ids: NULL, text, blob, real, zero, negative, invalid UTF-8, unknown, huge
SELECT delete_conversation(NULL); -- error
SELECT delete_conversation('1'); -- error
SELECT delete_conversation('abc'); -- error
SELECT delete_conversation(x'01'); -- error
SELECT delete_conversation(1.5); -- error
SELECT delete_conversation(1e300); -- error
SELECT delete_conversation(0); -- error
SELECT delete_conversation(-1); -- error
SELECT delete_conversation(CAST(x'ff' AS TEXT)); -- error
SELECT delete_conversation(99); -- error
SELECT delete_conversation(9223372036854775807); -- error
SELECT restore_conversation(NULL); -- error
SELECT restore_conversation('1'); -- error
SELECT restore_conversation('abc'); -- error
SELECT restore_conversation(x'01'); -- error
SELECT restore_conversation(1.5); -- error
SELECT restore_conversation(1e300); -- error
SELECT restore_conversation(0); -- error
SELECT restore_conversation(-1); -- error
SELECT restore_conversation(CAST(x'ff' AS TEXT)); -- error
SELECT restore_conversation(99); -- error
SELECT restore_conversation(9223372036854775807); -- error
SELECT purge_conversation(NULL); -- error
SELECT purge_conversation('1'); -- error
SELECT purge_conversation('abc'); -- error
SELECT purge_conversation(x'01'); -- error
SELECT purge_conversation(1.5); -- error
SELECT purge_conversation(1e300); -- error
SELECT purge_conversation(0); -- error
SELECT purge_conversation(-1); -- error
SELECT purge_conversation(CAST(x'ff' AS TEXT)); -- error
SELECT purge_conversation(99); -- error
SELECT purge_conversation(9223372036854775807); -- error
SELECT add_message(NULL, 'user', 'x'); -- error
SELECT add_message('1', 'user', 'x'); -- error
SELECT add_message('abc', 'user', 'x'); -- error
SELECT add_message(x'01', 'user', 'x'); -- error
SELECT add_message(1.5, 'user', 'x'); -- error
SELECT add_message(1e300, 'user', 'x'); -- error
SELECT add_message(0, 'user', 'x'); -- error
SELECT add_message(-1, 'user', 'x'); -- error
SELECT add_message(CAST(x'ff' AS TEXT), 'user', 'x'); -- error
SELECT add_message(99, 'user', 'x'); -- error
SELECT add_message(9223372036854775807, 'user', 'x'); -- error
SELECT start_run(NULL, 'topical_map'); -- error
SELECT start_run('1', 'topical_map'); -- error
SELECT start_run('abc', 'topical_map'); -- error
SELECT start_run(x'01', 'topical_map'); -- error
SELECT start_run(1.5, 'topical_map'); -- error
SELECT start_run(1e300, 'topical_map'); -- error
SELECT start_run(0, 'topical_map'); -- error
SELECT start_run(-1, 'topical_map'); -- error
SELECT start_run(CAST(x'ff' AS TEXT), 'topical_map'); -- error
SELECT start_run(99, 'topical_map'); -- error
SELECT start_run(9223372036854775807, 'topical_map'); -- error
SELECT set_run_status(NULL, 'processing'); -- error
SELECT set_run_status('1', 'processing'); -- error
SELECT set_run_status('abc', 'processing'); -- error
SELECT set_run_status(x'01', 'processing'); -- error
SELECT set_run_status(1.5, 'processing'); -- error
SELECT set_run_status(1e300, 'processing'); -- error
SELECT set_run_status(0, 'processing'); -- error
SELECT set_run_status(-1, 'processing'); -- error
SELECT set_run_status(CAST(x'ff' AS TEXT), 'processing'); -- error
SELECT set_run_status(99, 'processing'); -- error
SELECT set_run_status(9223372036854775807, 'processing'); -- error
SELECT cancel_run(NULL); -- error
SELECT cancel_run('1'); -- error
SELECT cancel_run('abc'); -- error
SELECT cancel_run(x'01'); -- error
SELECT cancel_run(1.5); -- error
SELECT cancel_run(1e300); -- error
SELECT cancel_run(0); -- error
SELECT cancel_run(-1); -- error
SELECT cancel_run(CAST(x'ff' AS TEXT)); -- error
SELECT cancel_run(99); -- error
SELECT cancel_run(9223372036854775807); -- error
SELECT complete_run(NULL); -- error
SELECT complete_run('1'); -- error
SELECT complete_run('abc'); -- error
SELECT complete_run(x'01'); -- error
SELECT complete_run(1.5); -- error
SELECT complete_run(1e300); -- error
SELECT complete_run(0); -- error
SELECT complete_run(-1); -- error
SELECT complete_run(CAST(x'ff' AS TEXT)); -- error
SELECT complete_run(99); -- error
SELECT complete_run(9223372036854775807); -- error
SELECT fail_run(NULL, 'boom'); -- error
SELECT fail_run('1', 'boom'); -- error
SELECT fail_run('abc', 'boom'); -- error
SELECT fail_run(x'01', 'boom'); -- error
SELECT fail_run(1.5, 'boom'); -- error
SELECT fail_run(1e300, 'boom'); -- error
SELECT fail_run(0, 'boom'); -- error
SELECT fail_run(-1, 'boom'); -- error
SELECT fail_run(CAST(x'ff' AS TEXT), 'boom'); -- error
SELECT fail_run(99, 'boom'); -- error
SELECT fail_run(9223372036854775807, 'boom'); -- error
SELECT active_run(NULL); -- error
SELECT active_run('1'); -- error
SELECT active_run('abc'); -- error
SELECT active_run(x'01'); -- error
SELECT active_run(1.5); -- error
SELECT active_run(1e300); -- error
SELECT active_run(0); -- error
SELECT active_run(-1); -- error
SELECT active_run(CAST(x'ff' AS TEXT)); -- error
SELECT active_run(99); -- error
SELECT active_run(9223372036854775807); -- error
SELECT run_status(NULL); -- error
SELECT run_status('1'); -- error
SELECT run_status('abc'); -- error
SELECT run_status(x'01'); -- error
SELECT run_status(1.5); -- error
SELECT run_status(1e300); -- error
SELECT run_status(0); -- error
SELECT run_status(-1); -- error
SELECT run_status(CAST(x'ff' AS TEXT)); -- error
SELECT run_status(99); -- error
SELECT run_status(9223372036854775807); -- error
SELECT run_workflow_id(NULL); -- error
SELECT run_workflow_id('1'); -- error
SELECT run_workflow_id('abc'); -- error
SELECT run_workflow_id(x'01'); -- error
SELECT run_workflow_id(1.5); -- error
SELECT run_workflow_id(1e300); -- error
SELECT run_workflow_id(0); -- error
SELECT run_workflow_id(-1); -- error
SELECT run_workflow_id(CAST(x'ff' AS TEXT)); -- error
SELECT run_workflow_id(99);
SELECT run_workflow_id(9223372036854775807);
SELECT merge_run_state(NULL, '{}'); -- error
SELECT merge_run_state('1', '{}'); -- error
SELECT merge_run_state('abc', '{}'); -- error
SELECT merge_run_state(x'01', '{}'); -- error
SELECT merge_run_state(1.5, '{}'); -- error
SELECT merge_run_state(1e300, '{}'); -- error
SELECT merge_run_state(0, '{}'); -- error
SELECT merge_run_state(-1, '{}'); -- error
SELECT merge_run_state(CAST(x'ff' AS TEXT), '{}'); -- error
SELECT merge_run_state(99, '{}'); -- error
SELECT merge_run_state(9223372036854775807, '{}'); -- error
SELECT chat_history_json(NULL); -- error
SELECT chat_history_json('1'); -- error
SELECT chat_history_json('abc'); -- error
SELECT chat_history_json(x'01'); -- error
SELECT chat_history_json(1.5); -- error
SELECT chat_history_json(1e300); -- error
SELECT chat_history_json(0); -- error
SELECT chat_history_json(-1); -- error
SELECT chat_history_json(CAST(x'ff' AS TEXT)); -- error
SELECT chat_history_json(99); -- error
SELECT chat_history_json(9223372036854775807); -- error
SELECT * FROM chat_history(NULL); -- error
SELECT * FROM chat_history('1'); -- error
SELECT * FROM chat_history('abc'); -- error
SELECT * FROM chat_history(x'01'); -- error
SELECT * FROM chat_history(1.5); -- error
SELECT * FROM chat_history(1e300); -- error
SELECT * FROM chat_history(0); -- error
SELECT * FROM chat_history(-1); -- error
SELECT * FROM chat_history(CAST(x'ff' AS TEXT)); -- error
SELECT * FROM chat_history(99); -- error
SELECT * FROM chat_history(9223372036854775807); -- error

-- text arguments: NULL, integer, real, blob, empty, invalid UTF-8, embedded NUL
SELECT create_conversation(NULL); -- error
SELECT create_conversation(7); -- error
SELECT create_conversation(7.5); -- error
SELECT create_conversation(x'61'); -- error
SELECT create_conversation(''); -- error
SELECT create_conversation(CAST(x'ff' AS TEXT)); -- error
SELECT create_conversation(CAST(x'610062' AS TEXT)); -- error
SELECT create_conversation(CAST(zeroblob(4) AS TEXT)); -- error
SELECT create_conversation(printf('%.201c', 'o')); -- error
SELECT create_conversation('acme', 7); -- error
SELECT create_conversation('acme', x'61'); -- error
SELECT create_conversation('acme', CAST(x'c328' AS TEXT)); -- error
SELECT create_conversation('acme', printf('%.201c', 't')); -- error
SELECT create_conversation('acme', printf('%.1000000c', 't')); -- error
SELECT create_conversation('acme', 'ok', 7); -- error
SELECT create_conversation('acme', 'ok', x'7b7d'); -- error
SELECT find_or_create_conversation(NULL, 'k'); -- error
SELECT find_or_create_conversation('acme', NULL); -- error
SELECT find_or_create_conversation('acme', 7); -- error
SELECT find_or_create_conversation('acme', ''); -- error
SELECT find_or_create_conversation('acme', CAST(x'eda080' AS TEXT)); -- error
SELECT find_or_create_conversation('acme', printf('%.201c', 'k')); -- error
SELECT find_or_create_conversation('acme', 'k1', 'retitled', '{"uid": "b1"}');
SELECT add_message(1, NULL, 'x'); -- error
SELECT add_message(1, 7, 'x'); -- error
SELECT add_message(1, x'75736572', 'x'); -- error
SELECT add_message(1, '', 'x'); -- error
SELECT add_message(1, 'user ', 'x'); -- error
SELECT add_message(1, 'user', 7); -- error
SELECT add_message(1, 'user', 7.5); -- error
SELECT add_message(1, 'user', x'68656c6c6f'); -- error
SELECT add_message(1, 'user', CAST(x'68ff' AS TEXT)); -- error
SELECT add_message(1, 'user', CAST(x'f4908080' AS TEXT)); -- error
SELECT add_message(1, 'user', CAST(x'c0af' AS TEXT)); -- error
SELECT add_message(1, 'user', CAST(x'6100' AS TEXT)); -- error
SELECT add_message(1, 'user', printf('%.100001c', 'h')); -- error
SELECT add_message(1, 'user', printf('%.5000000c', 'h')); -- error
SELECT start_run(1, NULL); -- error
SELECT start_run(1, 7); -- error
SELECT start_run(1, ''); -- error
SELECT start_run(1, CAST(x'ff' AS TEXT)); -- error
SELECT start_run(1, printf('%.101c', 'w')); -- error
SELECT set_run_status(1, NULL); -- error
SELECT set_run_status(1, 3); -- error
SELECT set_run_status(1, ''); -- error
SELECT set_run_status(1, 'PROCESSING'); -- error
SELECT set_run_status(1, 'processing', 7); -- error
SELECT set_run_status(1, 'processing', ''); -- error
SELECT set_run_status(1, 'processing', 'nope'); -- error
SELECT fail_run(1, NULL); -- error
SELECT fail_run(1, 7); -- error
SELECT fail_run(1, ''); -- error
SELECT fail_run(1, CAST(x'ff' AS TEXT)); -- error
SELECT fail_run(1, printf('%.10001c', 'e')); -- error
SELECT chatflow_config(NULL); -- error
SELECT chatflow_config(7); -- error
SELECT chatflow_config(''); -- error
SELECT chatflow_config('llm.nope'); -- error
SELECT chatflow_config('llm.model', 7); -- error
SELECT chatflow_config('llm.model', ''); -- error
SELECT chatflow_config('llm.model', CAST(x'ff' AS TEXT)); -- error
SELECT chatflow_config('llm.model', printf('%.1001c', 'm')); -- error
SELECT chatflow_config('llm.base_url', 'ftp://example.com'); -- error
SELECT chatflow_config('llm.base_url', 'http://exa mple.com'); -- error
SELECT chatflow_config('llm.api_key_env', '1KEY'); -- error
SELECT chatflow_config('llm.api_key_env', 'MY-KEY'); -- error
SELECT chatflow_config('llm.timeout_ms', '0'); -- error
SELECT chatflow_config('llm.timeout_ms', '-5'); -- error
SELECT chatflow_config('llm.timeout_ms', '12ms'); -- error
SELECT chatflow_config('llm.timeout_ms', '3600001'); -- error
SELECT chatflow_config('limits.max_content_chars', '10000001'); -- error
SELECT chatflow_config('limits.max_content_chars', '99999999999999'); -- error
SELECT chatflow_clock(7); -- error
SELECT chatflow_clock(''); -- error
SELECT chatflow_clock('2026-01-01'); -- error
SELECT chatflow_clock('2026-01-01 00:00:00'); -- error
SELECT chatflow_clock('2026-13-01T00:00:00Z'); -- error
SELECT chatflow_clock('2025-02-29T00:00:00Z'); -- error
SELECT chatflow_clock('2026-01-01T24:00:00Z'); -- error
SELECT chatflow_clock('2026-01-01T00:00:00'); -- error
SELECT chatflow_clock(CAST(x'ff' AS TEXT)); -- error
SELECT chatflow_clock();
-- wrong numbers of arguments
SELECT chatflow_version(1); -- error
SELECT chatflow_init(NULL, 1); -- error
SELECT chatflow_config(); -- error
SELECT create_conversation(); -- error
SELECT add_message(1, 'user'); -- error
SELECT start_run(1); -- error
SELECT fail_run(1); -- error
SELECT merge_run_state(1); -- error

-- JSON arguments: malformed, not an object, invalid UTF-8, a blob, an
-- integer, nested deeper than 32, larger than 1 MiB
SELECT create_conversation('acme', 'x', '{'); -- error
SELECT create_conversation('acme', 'x', '{"a": }'); -- error
SELECT create_conversation('acme', 'x', '{"uid": "u1"} x'); -- error
SELECT create_conversation('acme', 'x', '{"uid": "u1"}{}'); -- error
SELECT create_conversation('acme', 'x', CAST(x'7bff7d' AS TEXT)); -- error
SELECT create_conversation('acme', 'x', 'true'); -- error
SELECT create_conversation('acme', 'x', '"str"'); -- error
SELECT create_conversation('acme', 'x', '{"uid": "a", "uid": "b", "colour": 1}'); -- error
SELECT create_conversation('acme', 'x', '{"context": ' || replace(printf('%.32c', 'x'), 'x', '{"a": ') || '1' || printf('%.32c', '}') || '}'); -- error
SELECT create_conversation('acme', 'x', '{"metadata": {"x": "' || printf('%.1048576c', 'b') || '"}}'); -- error
SELECT add_message(1, 'user', 'x', '{'); -- error
SELECT add_message(1, 'user', 'x', '[1, 2'); -- error
SELECT add_message(1, 'user', 'x', 'nul'); -- error
SELECT add_message(1, 'user', 'x', 42); -- error
SELECT add_message(1, 'user', 'x', x'7b7d'); -- error
SELECT add_message(1, 'user', 'x', '{"metadata": {"note": "' || CAST(x'ff' AS TEXT) || '"}}'); -- error
SELECT add_message(1, 'user', 'x', '{"metadata": ' || replace(printf('%.32c', 'x'), 'x', '{"a": ') || '1' || printf('%.32c', '}') || '}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": ' || replace(printf('%.40c', 'x'), 'x', '[') || printf('%.40c', ']') || '}'); -- error
SELECT add_message(1, 'user', 'x', '{"attachments": [' || printf('%.1048576c', '0') || ']}'); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": 99999999999999999999999}'); -- error
SELECT add_message(1, 'user', 'x', '{"run_id": "1"}'); -- error
SELECT add_message(1, 'user', 'x', '{"run_id": 2}'); -- error
SELECT add_message(1, 'user', 'x', '{"run_id": 1.5}'); -- error
SELECT start_run(2, 'topical_map', '{'); -- error
SELECT start_run(2, 'topical_map', '[]'); -- error
SELECT start_run(2, 'topical_map', '5'); -- error
SELECT start_run(2, 'topical_map', x'7b7d'); -- error
SELECT start_run(2, 'topical_map', replace(printf('%.33c', 'x'), 'x', '{"a": ') || '1' || printf('%.33c', '}')); -- error
SELECT start_run(2, 'topical_map', '{}', '{"on_active": 1}'); -- error
SELECT start_run(2, 'topical_map', '{}', '{"on_active": "cancel"'); -- error
SELECT start_run(2, 'topical_map', '{}', 7); -- error
SELECT merge_run_state(1, NULL); -- error
SELECT merge_run_state(1, 7); -- error
SELECT merge_run_state(1, ''); -- error
SELECT merge_run_state(1, '{"a": }'); -- error
SELECT merge_run_state(1, '[]'); -- error
SELECT merge_run_state(1, 'null'); -- error
SELECT merge_run_state(1, x'7b7d'); -- error
SELECT merge_run_state(1, CAST(x'7b22a2223a317d' AS TEXT)); -- error
SELECT merge_run_state(1, replace(printf('%.40c', 'x'), 'x', '{"a": ') || '1' || printf('%.40c', '}')); -- error
SELECT merge_run_state(1, '{"big": "' || printf('%.1048576c', 's') || '"}'); -- error

-- chat_history arguments
SELECT * FROM chat_history(1, NULL, NULL);
SELECT * FROM chat_history(1, 'x'); -- error
SELECT * FROM chat_history(1, x'01'); -- error
SELECT * FROM chat_history(1, 1.5); -- error
SELECT * FROM chat_history(1, -1); -- error
SELECT * FROM chat_history(1, 10, 'x'); -- error
SELECT * FROM chat_history(1, 10, 2); -- error
SELECT chat_history_json(1, x'01'); -- error
SELECT chat_history_json(1, 10, -1); -- error

-- workflow_interrupt
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (NULL, x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (1, x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (x'72756e5f31', x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (CAST(x'ff' AS TEXT), x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (printf('%.201c', 'w'), x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', NULL); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', 1); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', zeroblob(16777217)); -- error
INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('run_1', x'00', x'00'); -- error
INSERT INTO workflow_interrupt (workflow_id, data, updated_at) VALUES ('run_1', x'00', '2026-01-01'); -- error
UPDATE workflow_interrupt SET workflow_id = 'run_2' WHERE workflow_id = 'run_1'; -- error
UPDATE workflow_interrupt SET data = NULL WHERE workflow_id = 'run_1'; -- error

-- unknown ids, deleted conversations, invalid transitions, frozen runs
SELECT add_message(99, 'user', 'x'); -- error
SELECT start_run(99, 'topical_map'); -- error
SELECT start_run(1, 'unknown_workflow'); -- error
SELECT start_run(1, 'topical_map'); -- error
SELECT set_run_status(1, 'started'); -- error
SELECT set_run_status(1, 'completed'); -- error
SELECT set_run_status(1, 'awaiting_clarification'); -- error
SELECT set_run_status(2, 'processing'); -- error
SELECT cancel_run(2); -- error
SELECT fail_run(2, 'late'); -- error
SELECT complete_run(2); -- error
SELECT merge_run_state(2, '{"a": 1}'); -- error
SELECT * FROM chat_history(99); -- error
SELECT chat_history_json(99); -- error
SELECT restore_conversation(1); -- error
UPDATE workflow_runs SET status = 'started' WHERE id = 1; -- error
UPDATE workflow_runs SET status = 'processing' WHERE id = 2; -- error
UPDATE workflow_runs SET status = 'bogus' WHERE id = 1; -- error
UPDATE workflow_runs SET current_step = 'nope' WHERE id = 1; -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (1, 'topical_map'); -- error
UPDATE chat_messages SET content = 'edited' WHERE id = 2; -- error
-- a failing call inside a caller's transaction leaves the transaction usable
BEGIN;
SELECT add_message(1, 'user', 'in tx');
SELECT add_message(1, 'robot', 'in tx'); -- error
SELECT start_run(1, 'topical_map'); -- error
SELECT count(*) FROM chat_messages WHERE content = 'in tx';
ROLLBACK;
-- the settings and clock are as before
SELECT chatflow_config('llm.model'), chatflow_clock();

-- the database is unchanged
SELECT 'rows', (SELECT count(*) FROM chat_conversations), (SELECT count(*) FROM chat_messages),
       (SELECT count(*) FROM workflow_runs), (SELECT count(*) FROM workflow_run_events),
       (SELECT count(*) FROM workflow_interrupts), (SELECT count(*) FROM chatflow_settings);
SELECT 'state', (SELECT group_concat(id || ':' || status || ':' || current_step, ' ') FROM workflow_runs),
       (SELECT group_concat(id || ':' || message_count || ':' || last_seq || ':' || total_tokens, ' ') FROM chat_conversations);
SELECT 'unchanged', (SELECT h FROM fp) = hex(sha3_query(q)) FROM fp_query;
