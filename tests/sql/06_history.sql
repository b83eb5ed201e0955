-- 06_history: chat_history(conversation_id [, max_tokens [, run_id]]) and
-- chat_history_json: the newest messages that fit the budget, oldest
-- first, system messages always kept (and paid for first).
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT create_conversation('acme', 'history', '{"uid": "h1"}');
SELECT create_conversation('acme', 'empty', '{"uid": "h2"}');
SELECT add_message(1, 'system', 'Be brief.', '{"tokens": 10}');
SELECT add_message(1, 'user', 'q1', '{"tokens": 5}');
SELECT add_message(1, 'assistant', 'a1', '{"tokens": 20}');
SELECT add_message(1, 'user', 'q2', '{"tokens": 5}');
SELECT add_message(1, 'system', 'Now in French.', '{"tokens": 3}');
SELECT add_message(1, 'assistant', 'a2', '{"tokens": 30}');
SELECT add_message(1, 'user', 'q3', '{"tokens": 5}');
.headers on
-- every column, no budget
SELECT * FROM chat_history(1);
.headers off
-- NULL budget = no budget; a budget above the total takes everything
SELECT group_concat(seq, ',') FROM chat_history(1, NULL);
SELECT group_concat(seq, ',') FROM chat_history(1, 1000);
SELECT group_concat(seq, ',') FROM chat_history(1, 78);
-- system messages cost 13; 48 leaves 35 = q3 (5) + a2 (30) exactly
SELECT group_concat(seq, ',') FROM chat_history(1, 48);
-- 47 leaves 34: a2 no longer fits, and the walk stops there (q2 is not taken)
SELECT group_concat(seq, ',') FROM chat_history(1, 47);
SELECT group_concat(seq, ',') FROM chat_history(1, 18);
SELECT group_concat(seq, ',') FROM chat_history(1, 17);
-- a budget below the system messages keeps the system messages only
SELECT group_concat(seq, ',') FROM chat_history(1, 13);
SELECT group_concat(seq, ',') FROM chat_history(1, 5);
SELECT group_concat(seq, ',') FROM chat_history(1, 0);
-- rows come oldest first with and without ORDER BY; the sum is what was kept
SELECT seq, role, content, tokens FROM chat_history(1, 48);
SELECT sum(tokens) FROM chat_history(1, 48);
SELECT seq FROM chat_history(1, 48) ORDER BY seq DESC;
-- hidden argument columns, and the named form
SELECT DISTINCT conversation_id, max_tokens, in_run FROM chat_history(1, 48);
SELECT group_concat(seq, ',') FROM chat_history WHERE conversation_id = 1 AND max_tokens = 48;
-- an empty conversation
SELECT count(*) FROM chat_history(2);
SELECT chat_history_json(2);
-- one history per conversation in a join
SELECT c.id, count(h.seq) FROM chat_conversations AS c LEFT JOIN chat_history(c.id, 20) AS h GROUP BY c.id;

-- chat_history_json: the same window in OpenAI chat format
SELECT chat_history_json(1);
SELECT chat_history_json(1, 48);
SELECT chat_history_json(1, 0);
SELECT chat_history_json(1, NULL);
-- content is JSON-escaped
SELECT add_message(2, 'user', 'say "hi"' || char(10) || 'tab' || char(9) || 'end \ é');
SELECT chat_history_json(2);
SELECT json_valid(chat_history_json(2)), chat_history_json(2) ->> '$[0].content' = (SELECT content FROM chat_messages WHERE conversation_id = 2);

-- run filter: the run's messages (plus every system message of the conversation)
SELECT start_run(1, 'topical_map');
SELECT add_message(1, 'user', 'r1', '{"tokens": 7}');
SELECT add_message(1, 'assistant', 'r2', '{"tokens": 8}');
SELECT cancel_run(1);
SELECT add_message(1, 'user', 'after', '{"tokens": 1}');
SELECT seq, role, content, run_id FROM chat_history(1, NULL, 1);
SELECT group_concat(seq, ',') FROM chat_history(1, 21, 1);
SELECT group_concat(seq, ',') FROM chat_history(1, 20, 1);
SELECT chat_history_json(1, 21, 1);
SELECT group_concat(seq, ',') FROM chat_history(1, 14);

.bail off
-- errors
SELECT * FROM chat_history; -- error
SELECT * FROM chat_history(NULL); -- error
SELECT * FROM chat_history('1'); -- error
SELECT * FROM chat_history(1e300); -- error
SELECT * FROM chat_history(0); -- error
SELECT * FROM chat_history(99); -- error
SELECT * FROM chat_history(1, -1); -- error
SELECT * FROM chat_history(1, 2.5); -- error
SELECT * FROM chat_history(1, '10'); -- error
SELECT * FROM chat_history(1, 10, 'run'); -- error
SELECT * FROM chat_history(1, 10, 0); -- error
SELECT * FROM chat_history(1, 10, 99); -- error
SELECT start_run(2, 'topical_map');
SELECT * FROM chat_history(1, 10, 2); -- error
SELECT * FROM chat_history(1, 10, 1, 4); -- error
SELECT chat_history_json(NULL); -- error
SELECT chat_history_json('1'); -- error
SELECT chat_history_json(0); -- error
SELECT chat_history_json(99); -- error
SELECT chat_history_json(1, -5); -- error
SELECT chat_history_json(1, 'lots'); -- error
SELECT chat_history_json(1, NULL, 2); -- error
SELECT chat_history_json(1, NULL, 99); -- error
SELECT chat_history_json(); -- error
