-- A window of one run, and a tool result whose call is in another run's
-- message (docs/history.md, rule 3): the result answers no call of the
-- window, so it stands alone in the rows; chat_history_json leaves it out
-- and still sends the run's messages before it.
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme');
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'user', 'Weather in Paris?');
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "tool-call", "id": "c1", "name": "weather", "arguments": {"city": "Paris"}}]}');
SELECT cancel_run(1);
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'user', 'And tomorrow?');
SELECT add_message(1, 'tool', 'sunny', '{"tool_call_id": "c1"}');
SELECT add_message(1, 'assistant', 'Sunny today, rain tomorrow.');
SELECT group_concat(seq || ':' || role || ':' || run_id, ' ') FROM chat_history(1, NULL, 2);
SELECT group_concat(seq || ':' || role, ' ') FROM chat_history(1, 7, 2);
SELECT chat_history_json(1, NULL, 2);
-- the whole conversation: the result is in with its call
SELECT group_concat(seq || ':' || role, ' ') FROM chat_history(1);
SELECT chat_history_json(1);
