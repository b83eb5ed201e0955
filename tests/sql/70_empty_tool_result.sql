-- A tool result that answers a call may be empty (a tool run for its side
-- effect): the one rule, chat_messages' CHECK, lets a complete message
-- have empty content when it has parts or is a tool message with
-- metadata.tool_call_id; add_message and finish_message say its refusal
-- in their words.  Replayed as "content": "", an AI SDK output "".
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Side effects');
SELECT add_message(1, 'user', 'Clear the cache and ping the server.');
SELECT add_message(1, 'assistant', '', '{"tool_calls": [
  {"id": "e1", "type": "function", "function": {"name": "noop", "arguments": "{}"}},
  {"id": "e2", "type": "function", "function": {"name": "ping", "arguments": "{}"}}]}');
-- the option, metadata.tool_call_id, and a NULL content (stored as '')
SELECT add_message(1, 'tool', '', '{"tool_call_id": "e1"}');
SELECT add_message(1, 'tool', NULL, '{"metadata": {"tool_call_id": "e2"}}');
SELECT id, seq, role, quote(content), tokens, metadata FROM chat_messages WHERE role = 'tool';
SELECT chat_history_json(1);
SELECT json_extract(chat_ui_messages(1), '$[1].parts');
-- every other empty message is refused: a tool message without a call,
-- a tool_call_id that is no string, any other role
SELECT add_message(1, 'tool', ''); -- error
SELECT add_message(1, 'tool', NULL, '{"metadata": {"note": 1}}'); -- error
SELECT add_message(1, 'tool', '', '{"metadata": {"tool_call_id": 7}}'); -- error
SELECT add_message(1, 'user', '', '{"metadata": {"tool_call_id": "e1"}}'); -- error
SELECT add_message(1, 'assistant', NULL); -- error
-- the call must still be one of the conversation's
SELECT add_message(1, 'tool', '', '{"tool_call_id": "nope"}'); -- error
-- a new version of an empty result, and a retry of one by uid
SELECT edit_message(3, '');
SELECT add_message(1, 'tool', '', '{"tool_call_id": "e1", "uid": "r1"}');
SELECT add_message(1, 'tool', '', '{"tool_call_id": "e1", "uid": "r1"}');
SELECT add_message(1, 'tool', 'x', '{"tool_call_id": "e1", "uid": "r1"}'); -- error
-- raw SQL keeps the same rule
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (1, 'tool', '', '{"tool_call_id": "e2"}');
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (1, 'tool', '', '{"call": "e2"}'); -- error
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'tool', ''); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (1, 'assistant', '', '{"tool_call_id": "e2"}'); -- error
INSERT INTO chat_messages (conversation_id, role, content, metadata) VALUES (1, 'tool', '', '{"tool_call_id": ""}'); -- error
-- drafts: an empty tool result finishes, any other empty draft does not
SELECT begin_message(1, 'tool', '{"tool_call_id": "e2"}');
SELECT finish_message(8);
SELECT begin_message(1, 'assistant');
SELECT finish_message(9); -- error
SELECT abort_message(9);
SELECT id, seq, role, quote(content), status FROM chat_messages WHERE id >= 7 ORDER BY id;
-- a round trip: export, import, the same history; nothing to report
SELECT import_conversation('acme', export_conversation(1));
SELECT chat_history_json(2) = chat_history_json(1);
SELECT count(*) FROM chat_messages WHERE conversation_id = 2 AND role = 'tool' AND content = '';
SELECT "check", ok, detail FROM chatflow_check() WHERE NOT ok;
