-- chat_ui_messages folds a tool result into the call it answers even when a
-- message between them holds the call's id as some other value (a data
-- part's id, as the AI SDK's reconciled data parts carry): only a tool call
-- with that id takes the results after it, as in chat_history_json.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT create_conversation('acme');
SELECT add_message(1, 'user', 'Weather?', '{"uid": "u1"}');
SELECT add_message(1, 'assistant', '', '{"uid": "a1", "tool_calls": [{"id": "call_1", "type": "function",
         "function": {"name": "weather", "arguments": "{}"}}]}');
SELECT add_ui_message(1, '{"id": "a2", "role": "assistant", "parts": [
         {"type": "data-progress", "id": "call_1", "data": {"status": "loading"}},
         {"type": "text", "text": "Fetching..."}]}');
SELECT add_message(1, 'tool', '{"temp": 21}', '{"tool_call_id": "call_1"}');
SELECT json_extract(chat_ui_messages(1), '$[1].parts');
SELECT chat_history_json(1);
-- a later call with the same id still takes the results after it
SELECT add_message(1, 'assistant', '', '{"uid": "a3", "tool_calls": [{"id": "call_1", "type": "function",
         "function": {"name": "weather", "arguments": "{\"again\":1}"}}]}');
SELECT add_message(1, 'tool', '{"temp": 22}', '{"tool_call_id": "call_1"}');
SELECT json_extract(chat_ui_messages(1), '$[1].parts'), json_extract(chat_ui_messages(1), '$[3].parts');
-- a tool result stored with parts only shows the text of its text parts as
-- the output, as chat_history_json sends it
SELECT create_conversation('acme', 'Parts only');
SELECT add_message(2, 'user', 'Weather?');
SELECT add_message(2, 'assistant', '', '{"tool_calls": [{"id": "call_p", "type": "function",
         "function": {"name": "weather", "arguments": "{}"}}]}');
SELECT add_message(2, 'tool', '', '{"tool_call_id": "call_p", "parts": [{"type": "text", "text": "21 degrees"}, {"type": "text", "text": "sunny"}]}');
SELECT json_extract(chat_ui_messages(2), '$[1].parts[0].output');
SELECT json_extract(chat_history_json(2), '$[2].content');
