-- A member of a JSON argument refused for its kind or value is named with
-- what it was (cfJsonValueDesc), as an argument is (cfValueDesc): "got
-- none" when absent, "got null", "got true", "got false", "got object",
-- "got array", "got integer 5", "got real 1.5", "got text 'x'" (quotes
-- doubled), "got text of N characters" past 60 bytes: the message parts,
-- add_message's tool_calls, complete_chat's tools, add_ui_message's
-- UIMessage.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('u');
-- message parts (add_message, finish_message, add_ui_message, imports)
SELECT add_message(1, 'user', 'x', '{"parts": [7]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": ["it''s"]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"text": "no type"}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": 5}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": ""}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "text", "text": 5}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "text", "text": null}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "text", "text": {"a": 1}}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-call", "id": 1, "name": "f"}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-call", "id": "' || printf('%.129c', 'c') || '", "name": "f"}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-call", "id": "c1", "name": true}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-call", "id": "c1", "name": "f", "arguments": 1.5}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-weather", "toolCallId": null, "state": "input-available"}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-weather", "toolCallId": "c", "state": false}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-weather", "toolCallId": "c", "state": "it''s"}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "dynamic-tool", "toolCallId": "c", "state": "input-available", "toolName": ""}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "file", "mediaType": 1, "url": "u"}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "file", "mediaType": "a", "url": ["u"]}]}'); -- error
SELECT add_message(1, 'user', 'x', '{"parts": [{"type": "file", "mediaType": "a", "url": "u", "filename": 12345678901234567890123}]}'); -- error
-- add_message's tool_calls
SELECT add_message(1, 'assistant', '', '{"tool_calls": ["call_1"]}'); -- error
SELECT add_message(1, 'assistant', '', '{"tool_calls": [{"id": 5, "function": {"name": "f"}}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"tool_calls": [{"id": "c", "type": "tool", "function": {"name": "f"}}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"tool_calls": [{"id": "c", "function": 3}]}'); -- error
SELECT add_message(1, 'assistant', '', '{"tool_calls": [{"id": "c", "function": {"name": "f", "arguments": [1]}}]}'); -- error
-- complete_chat's tools (checked before any network call)
SELECT complete_chat(1, '{"tools": [5]}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "retrieval", "function": {"name": "f"}}]}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": "f"}]}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": 12}}]}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": "it''s"}}]}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": "f", "description": false}}]}'); -- error
SELECT complete_chat(1, '{"tools": [{"type": "function", "function": {"name": "f", "parameters": "city"}}]}'); -- error
-- add_ui_message's UIMessage
SELECT add_ui_message(1, '{"id": 7, "role": "user", "parts": [{"type": "text", "text": "hi"}]}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": 5, "parts": [{"type": "text", "text": "hi"}]}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": "ad''min", "parts": [{"type": "text", "text": "hi"}]}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "parts": [{"type": "text", "text": "hi"}]}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": "user", "parts": "hi"}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": "user", "parts": {}}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "hi"}], "metadata": [1]}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": "user", "parts": [{"type": "text", "text": "hi"}], "metadata": true}'); -- error
SELECT add_ui_message(1, '{"id": "m1", "role": "user", "parts": [{"type": "text", "text": 4.5}]}'); -- error
-- nothing was written
SELECT count(*) FROM chat_messages;
