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
