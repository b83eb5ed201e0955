-- 36_run_usage: what a run cost in tokens.  Each message counts its
-- metadata's tokens (chatflow's {input, output, total}, then the AI SDK's
-- usage / totalUsage, integers or integer-valued reals), else the assistant's tokens as
-- output; by step in the order the steps first appear; other runs' and
-- unattached messages not counted.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme');
SELECT add_message(1, 'user', 'before any run', '{"tokens": 50}');
SELECT start_run(1, 'topical_map');
SELECT run_usage(1);
SELECT add_message(1, 'user', 'Plan a topical map', '{"tokens": 9}');
SELECT add_message(1, 'assistant', 'Who?', '{"tokens": 6, "metadata": {"tokens": {"input": 120, "output": 6, "total": 126}}}');
SELECT advance_run(1);
SELECT add_message(1, 'assistant', 'Noted.', '{"tokens": 2}');
SELECT add_message(1, 'assistant', 'Pillars.', '{"metadata": {"usage": {"inputTokens": 150, "outputTokens": 40, "totalTokens": 190}}}');
SELECT add_message(1, 'assistant', 'More.', '{"tokens": 3, "metadata": {"totalUsage": {"inputTokens": 10, "outputTokens": 5}}}');
-- a value that is not an integer is not usage: the message's own tokens count
SELECT add_message(1, 'assistant', 'Odd.', '{"tokens": 7, "metadata": {"tokens": {"output": "many"}}}');
SELECT add_message(1, 'tool', 'result', '{"tokens": 4}');
SELECT run_usage(1);
SELECT cancel_run(1);
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'assistant', 'Second run.', '{"tokens": 11}');
SELECT run_usage(2);
SELECT run_usage(1) ->> '$.total_tokens';
SELECT run_usage(99); -- error
SELECT run_usage(0); -- error
SELECT run_usage('1'); -- error
SELECT run_usage(NULL); -- error
-- both of the AI SDK's forms: totalUsage (every step) before usage (the
-- last step), for run_usage and for add_ui_message's tokens alike
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "cancel"}');
SELECT add_ui_message(1, '{"id": "both", "role": "assistant", "parts": [{"type": "text", "text": "Two steps."}],
  "metadata": {"usage": {"inputTokens": 30, "outputTokens": 6, "totalTokens": 36},
               "totalUsage": {"inputTokens": 70, "outputTokens": 14, "totalTokens": 84}}}');
SELECT tokens FROM chat_messages WHERE uid = 'both';
SELECT run_usage(3) ->> '$.input_tokens', run_usage(3) ->> '$.output_tokens', run_usage(3) ->> '$.total_tokens';
-- metadata built by json_object from numbers bound as REAL (10.0, what a
-- JavaScript binding sends): counted as integers; 10.5 is no count
SELECT create_conversation('acme', 'Reals');
SELECT start_run((SELECT max(id) FROM chat_conversations), 'topical_map');
SELECT add_message((SELECT max(id) FROM chat_conversations), 'assistant', 'real counts', json_object('metadata', json_object('usage', json_object('inputTokens', 10.0, 'outputTokens', 20.0, 'totalTokens', 30.0))));
SELECT add_message((SELECT max(id) FROM chat_conversations), 'assistant', 'half', json_object('metadata', json_object('usage', json_object('inputTokens', 10.5))));
SELECT add_ui_message((SELECT max(id) FROM chat_conversations), json_object('id', 'real-ui', 'role', 'assistant', 'parts', json_array(json_object('type', 'text', 'text', 'x')), 'metadata', json_object('usage', json_object('outputTokens', 7.0))));
SELECT tokens, typeof(tokens) FROM chat_messages WHERE uid = 'real-ui';
SELECT run_usage(active_run((SELECT max(id) FROM chat_conversations)));
