-- A bad argument is named with what was given: "chatflow: <what> must be
-- <rule>, got <value>", the value described by one function (cfValueDesc):
-- an integer out of range as itself, "real 1.5", "text '1'", "text of N
-- characters", "text that is not valid UTF-8", "text with a NUL
-- character", "blob", "NULL".  The other files pin most of these; here
-- the ones they do not reach.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
-- how an id is described when it is text
SELECT delete_conversation('12345678901234567890123456789012345678901234567890123456789012345'); -- error
SELECT delete_conversation('1' || char(0) || '2'); -- error
-- chatflow_index(max_messages)
SELECT chatflow_index(0); -- error
SELECT chatflow_index(10000001); -- error
SELECT chatflow_index('100'); -- error
SELECT chatflow_index(2.5); -- error
SELECT chatflow_index(NULL); -- error
SELECT chatflow_index(x'01'); -- error
SELECT chatflow_index(100.0);
-- langgraph_prune_checkpoints(keep, batch), langgraph_put_write's idx
SELECT langgraph_prune_checkpoints(1000001); -- error
SELECT langgraph_prune_checkpoints('2'); -- error
SELECT langgraph_prune_checkpoints(2, 0); -- error
SELECT langgraph_prune_checkpoints(2, NULL); -- error
SELECT langgraph_prune_checkpoints(2, 1e300); -- error
SELECT langgraph_put_write('t', 'c', 'task', 9007199254740992, 'ch', x'00'); -- error
SELECT langgraph_put_write('t', 'c', 'task', '1', 'ch', x'00'); -- error
-- the table-valued functions: what the first argument was
SELECT * FROM conversation_list(CAST(x'ff' AS TEXT)); -- error
SELECT * FROM conversation_list(1.5); -- error
SELECT * FROM conversation_messages(NULL); -- error
SELECT * FROM conversation_messages(x'01'); -- error
SELECT * FROM conversation_messages(1.5); -- error
SELECT * FROM conversation_messages(-2.0); -- error
SELECT * FROM message_siblings('1'); -- error
SELECT * FROM message_siblings(0); -- error
SELECT * FROM langgraph_list(x'01'); -- error
SELECT * FROM langgraph_get(printf('%.65c', 't')); -- error
SELECT * FROM langgraph_get('t', 'a' || char(0) || 'b'); -- error
SELECT * FROM langgraph_channel_values('t', 1.5); -- error
SELECT * FROM langgraph_pending_writes('t', 'c', CAST(x'ff' AS TEXT)); -- error
-- without the first argument: the usage, as before
SELECT * FROM conversation_messages; -- error
-- options_json that is not text: named by its function, as "must be a
-- JSON object" errors are
SELECT chatflow_init(1); -- error
SELECT chatflow_init(CAST(x'ff' AS TEXT)); -- error
SELECT expire_stale_runs(5); -- error
SELECT expire_stale_runs('{"now": "2026-01-01T00:00:00Z"}' || char(0)); -- error
SELECT heartbeat_run(1, 60, x'01'); -- error
SELECT delete_messages(1, 2.5); -- error
SELECT finish_message(1, 7); -- error
SELECT fork_conversation(1, NULL, 7); -- error
SELECT langgraph_put('t', 'c', x'00', '{}', 7); -- error
SELECT langgraph_put_write('t', 'c', 'task', 0, 'ch', x'00', 7); -- error
SELECT generate_title(1, 7); -- error
SELECT * FROM conversation_messages(1, x'01'); -- error
SELECT * FROM langgraph_list(NULL, 7); -- error
SELECT * FROM search_messages('bread', NULL, CAST(x'ff' AS TEXT)); -- error
-- the JSON text null as a whole options_json (JSON.stringify(null),
-- json.dumps(None)) is no options, exactly as SQL NULL: every function
SELECT chatflow_init('null');
SELECT create_conversation('acme', 'Nulls', 'null');
SELECT find_or_create_conversation('acme', 'k1', NULL, ' null ');
SELECT add_message(1, 'user', 'hello there', 'null');
SELECT begin_message(1, 'assistant', 'null');
SELECT append_message(2, 'hi', 'null');
SELECT finish_message(2, 'null');
SELECT edit_message(1, 'hello again', 'null');
SELECT id, seq, role, content, parts, metadata, tokens FROM chat_messages ORDER BY id;
SELECT start_run(1, 'topical_map', NULL, 'null');
SELECT heartbeat_run(1, 60, 'null');
SELECT cancel_run(1, 'null');
SELECT expire_stale_runs('null');
SELECT archive_old_conversations(30, 100, 'null');
SELECT id, role FROM conversation_messages(1, 'null');
SELECT id, title FROM conversation_list('acme', 'null');
SELECT count(*) FROM search_messages('hello', NULL, 'null');
SELECT delete_messages(1, 'null'); -- error
SELECT delete_messages(1, NULL); -- error
SELECT langgraph_put('t', 'c1', x'00', '{}', 'null');
SELECT langgraph_put_write('t', 'c1', 'task', 0, 'ch', x'01', 'null');
SELECT thread_id, checkpoint_id FROM langgraph_list('t', 'null');
SELECT thread_id, checkpoint_id FROM langgraph_get('t', NULL, NULL, 'null');
SELECT fork_conversation(1, NULL, 'null');
-- only the JSON text null: anything else that is not an object is refused
SELECT add_message(1, 'user', 'x', 'NULL'); -- error
SELECT add_message(1, 'user', 'x', 'null null'); -- error
SELECT add_message(1, 'user', 'x', '[null]'); -- error
SELECT add_message(1, 'user', 'x', '"null"'); -- error
-- a patch is not options: update_conversation's is required (SQL NULL too)
SELECT update_conversation(1, 'null'); -- error
SELECT update_conversation(1, NULL); -- error
-- an integer option given as a JSON number: why it is not one
SELECT add_message(1, 'user', 'x', '{"tokens": 1.5}'); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": 1e21}'); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": -1e300}'); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": 1e17}'); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": 99999999999999999999}'); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": 3e2}');
SELECT import_conversation('acme', json_set(export_conversation(1), '$.messages[0].seq', json('1e21'))); -- error
SELECT import_conversation('acme', json_set(export_conversation(1), '$.messages[0].tokens', json('4.5e16'))); -- error
-- a bare word that is not true, false or null is named, whatever it
-- starts like; a literal the end cuts short is the end of input
SELECT advance_run(1, 'nope'); -- error
SELECT advance_run(1, '{"done": trUe}'); -- error
SELECT advance_run(1, '{"done": falsy}'); -- error
SELECT advance_run(1, '{"done": NaN}'); -- error
SELECT advance_run(1, '{"done": fals'); -- error
-- add_ui_message and chat_ui_messages read their options as every other
-- function: the JSON text null is no options, a number is named
SELECT add_ui_message(1, '{"id": "ui-null", "role": "user", "parts": [{"type": "text", "text": "hi"}]}', 'null');
SELECT json_array_length(chat_ui_messages(1, ' null '));
SELECT add_ui_message(1, '{"id": "ui-5", "role": "user", "parts": [{"type": "text", "text": "hi"}]}', 5); -- error
SELECT chat_ui_messages(1, x'00'); -- error
-- a text argument of another type: what it was, as the others say it
-- (cfTextCheck), for the functions and the virtual tables alike
SELECT create_conversation(42); -- error
SELECT add_message(1, 'user', 2.5); -- error
SELECT add_message(1, 'user', x'68'); -- error
SELECT start_run(1, 1e300); -- error
SELECT count(*) FROM search_messages(-7); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (1.5, x'00'); -- error
-- chat_history (and chat_history_json): what the conversation id,
-- max_tokens and run_id were
SELECT * FROM chat_history(x'01'); -- error
SELECT * FROM chat_history(-3); -- error
SELECT * FROM chat_history(1, 1e300); -- error
SELECT * FROM chat_history(1, NULL, 1.5); -- error
SELECT chat_history_json(1, -2); -- error
SELECT chat_history_json(1, 10, x'00'); -- error
-- chatflow_snippet's column and max_tokens (the messages indexed first:
-- they wait for a batch of 100), fork_conversation's at_seq,
-- add_clarification's question_id
SELECT chatflow_index(100) > 0;
SELECT chatflow_snippet(chat_messages_fts, x'00', '[', ']', '…', 12) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'hello'; -- error
SELECT chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 'many') FROM chat_messages_fts WHERE chat_messages_fts MATCH 'hello'; -- error
SELECT fork_conversation(1, x'02'); -- error
SELECT fork_conversation(1, 2.5); -- error
SELECT add_clarification(1, 7.25, 'Which city?', 'Lyon'); -- error
SELECT add_clarification(1, x'01', 'Which city?', 'Lyon'); -- error
-- a blob of the langgraph writers, workflow_interrupt's data
SELECT langgraph_put('t', 'c2', '{"v": 4}', '{}'); -- error
SELECT langgraph_put_blob('t', 'messages', '1', 7); -- error
SELECT langgraph_put_write('t', 'c1', 'task', 0, 'ch', NULL); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('w', 2.5); -- error
-- complete_chat's number options out of range: which one, and what it was
SELECT complete_chat(1, '{"temperature": 2.5}'); -- error
SELECT complete_chat(1, '{"temperature": -1}'); -- error
SELECT complete_chat(1, '{"max_tokens": 100, "history_tokens": 0}'); -- error
SELECT complete_chat(1, '{"timeout_ms": 3600001}'); -- error
-- workflow_interrupt's timestamps: what was given
INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('w', x'00', 1.5); -- error
INSERT INTO workflow_interrupt (workflow_id, data, updated_at) VALUES ('w', x'00', CAST(x'ff' AS TEXT)); -- error
INSERT INTO workflow_interrupt (workflow_id, data, created_at) VALUES ('w', x'00', '2026-02-30T00:00:00.000Z'); -- error
-- complete_chat's tool_choice and a tool result's metadata.tool_call_id:
-- what they were
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": "any"}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": 1}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": "f"}}], "tool_choice": {"type": "function"}}'); -- error
SELECT add_message(1, 'tool', 'r', '{"metadata": {"tool_call_id": 5}}'); -- error
SELECT add_message(1, 'tool', 'r', '{"metadata": {"tool_call_id": null}}'); -- error
-- the uid option of fork_conversation and import_conversation: its length
SELECT fork_conversation(1, NULL, json_object('uid', printf('%.65c', 'u'))); -- error
SELECT import_conversation('acme', export_conversation(1), json_object('uid', printf('%.70c', 'u'))); -- error
