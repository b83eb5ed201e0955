-- Budgeted windows that lost messages they had room for.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT create_conversation('acme');
SELECT create_conversation('acme');
.headers off
-- 1. A branched conversation, windowed per run: the way up the branch must
--    count only the run's tokens.  Run 1 owns seq 1-4, run 2 seq 5-14; a
--    regenerated answer makes the conversation branched.
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'user', 'run one, message ' || value, '{"tokens": 8}') FROM generate_series(1, 4);
SELECT complete_run(1);
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'user', 'run two, message ' || value, '{"tokens": 8}') FROM generate_series(1, 10);
SELECT add_message(1, 'assistant', 'regenerated', '{"tokens": 8, "parent_id": 13}');
SELECT branched FROM chat_conversations WHERE id = 1;
SELECT group_concat(seq) FROM chat_history(1, 20, 1);
SELECT group_concat(seq) FROM chat_history(1, NULL, 1);
SELECT chat_history_json(1, 20, 1);
-- 2. An assistant message whose parts carry a toolCallId the replay does
--    not take as a call (a provider-executed "tool-result" part), answered
--    by a tool message: the older messages still fit.
SELECT add_message(2, 'user', 'older ' || value, '{"tokens": 4}') FROM generate_series(1, 3);
SELECT add_message(2, 'assistant', 'Searched.',
         '{"tokens": 4, "parts": [{"type": "tool-result", "toolCallId": "ws_1", "output": "x"}]}');
SELECT add_message(2, 'tool', 'result', '{"tool_call_id": "ws_1", "tokens": 4}');
SELECT add_message(2, 'user', 'newest', '{"tokens": 4}');
SELECT group_concat(seq) FROM chat_history(2, 1000);
SELECT group_concat(seq) FROM chat_history(2, 12);
SELECT chat_history_json(2, 1000);
-- 3. A tool result stored with parts only (content ''): the model gets the
--    text of its text parts, as for user and system messages, not "".
SELECT create_conversation('acme');
SELECT add_message(3, 'user', 'Weather?');
SELECT add_message(3, 'assistant', '',
         '{"tool_calls": [{"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]}');
SELECT add_message(3, 'tool', '', '{"tool_call_id": "c1", "parts": [{"type": "text", "text": "21 degrees"}, {"type": "text", "text": "sunny"}]}');
SELECT add_message(3, 'user', '', '{"parts": [{"type": "text", "text": "Thanks"}]}');
SELECT chat_history_json(3);
