-- 04_messages: add_message — seq, auto title, token estimate, type
-- defaults, parts/attachments/metadata, run attachment, content limit,
-- immutability.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT create_conversation('acme', NULL, '{"uid": "c1"}');
SELECT create_conversation('acme', NULL, '{"uid": "c2"}');
SELECT create_conversation('acme', 'Given title', '{"uid": "c3"}');
.headers on

-- seq counts 1, 2, 3 ... per conversation, whatever the interleaving
SELECT add_message(1, 'system', 'You are terse.') AS id;
SELECT add_message(1, 'user', '  Plan   a topical' || char(9) || 'map' || char(10) || 'for a bakery ') AS id;
SELECT add_message(2, 'user', 'hello') AS id;
SELECT add_message(1, 'assistant', 'Sure.') AS id;
SELECT add_message(2, 'assistant', 'héllo wörld') AS id;
SELECT add_message(1, 'tool', '{"ok":true}') AS id;
SELECT add_message(3, 'user', 'this does not replace the title') AS id;
SELECT id, conversation_id, seq, role, type, content, tokens, run_id, workflow_step, created_at
  FROM chat_messages ORDER BY id;
-- counters and the auto title (whitespace collapsed; a system message never titles)
SELECT id, title, message_count, last_seq, total_tokens, last_message_at, updated_at
  FROM chat_conversations ORDER BY id;

-- tokens: ceil(characters / 4) when not given; the option wins
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT add_message(3, 'user', 'a') AS id;
SELECT add_message(3, 'user', 'abcd') AS id;
SELECT add_message(3, 'user', 'abcde') AS id;
SELECT add_message(3, 'user', 'éééééééé') AS id;
SELECT add_message(3, 'assistant', 'counted by the model', '{"tokens": 0}') AS id;
SELECT add_message(3, 'assistant', 'counted by the model', '{"tokens": 1234}') AS id;
SELECT seq, content, tokens FROM chat_messages WHERE conversation_id = 3 AND seq > 1 ORDER BY seq;
SELECT message_count, last_seq, total_tokens, last_message_at, updated_at FROM chat_conversations WHERE id = 3;

-- types default by role; any a-z0-9_.- type up to 64 characters may be given
SELECT add_message(3, 'assistant', 'Which city?', '{"type": "clarification_request"}') AS id;
SELECT add_message(3, 'user', 'Lyon', '{"type": "clarification_answer"}') AS id;
SELECT add_message(3, 'tool', 'called', '{"type": "tool_call"}') AS id;
SELECT add_message(3, 'user', 'x', json_object('type', printf('%.64c', 'z'))) AS id;
SELECT seq, role, type FROM chat_messages WHERE conversation_id = 3 AND seq > 7 ORDER BY seq;

-- parts, attachments, metadata are stored as minified JSON
SELECT add_message(3, 'assistant', 'Here is the map.', '{
  "parts": [{"type": "reasoning", "text": "think"}, {"type": "text", "text": "Here is the map."},
            {"type": "tool-call", "id": "t1", "name": "serp", "arguments": "{}"}, {"type": "tool-result", "id": "t1"},
            {"type": "file", "mediaType": "text/csv", "url": "f"}, {"type": "data-chart", "data": [1, 2]}],
  "attachments": [{"name": "map.csv", "size": 12}],
  "metadata": {"model": "gpt-4o", "tokens": {"input": 10, "output": 5, "total": 15},
               "duration_ms": 812, "finish_reason": "stop"}}') AS id;
SELECT parts, attachments, metadata FROM chat_messages WHERE id = last_insert_rowid();
-- content may be empty (or NULL, stored as '') when parts are given; tokens
-- then estimate the parts JSON
SELECT add_message(3, 'assistant', '', '{"parts": [{"type": "text", "text": "only parts"}]}') AS id;
SELECT add_message(3, 'assistant', NULL, '{"parts": [{"type": "data-x"}]}') AS id;
SELECT seq, quote(content), parts, length(parts), tokens FROM chat_messages WHERE conversation_id = 3 AND seq > 12 ORDER BY seq;
-- options given as null count as absent
SELECT add_message(3, 'user', 'nulls', '{"type": null, "parts": null, "tokens": null, "run_id": null}') AS id;
SELECT seq, type, parts, tokens FROM chat_messages WHERE id = last_insert_rowid();
-- created_at may be given (imports, replays)
SELECT add_message(3, 'user', 'backfilled', '{"created_at": "2025-06-01T12:00:00Z"}') AS id;
SELECT seq, created_at FROM chat_messages WHERE id = last_insert_rowid();
SELECT last_message_at, updated_at FROM chat_conversations WHERE id = 3;

-- auto title: at most 80 characters, cut at a word boundary with "…"
SELECT create_conversation('acme', NULL, '{"uid": "t1"}') AS id;
SELECT add_message(4, 'user', 'aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh iiiiiiiii jjjjjjjjj') AS id;
SELECT create_conversation('acme', NULL, '{"uid": "t2"}') AS id;
SELECT add_message(5, 'user', printf('%.80c', 'x')) AS id;
SELECT create_conversation('acme', NULL, '{"uid": "t3"}') AS id;
SELECT add_message(5 + 1, 'user', printf('%.81c', 'y')) AS id;
SELECT create_conversation('acme', NULL, '{"uid": "t4"}') AS id;
SELECT add_message(7, 'user', replace(printf('%100s', ''), ' ', 'é')) AS id;
SELECT create_conversation('acme', NULL, '{"uid": "t5"}') AS id;
SELECT add_message(8, 'user', 'short first ' || printf('%.90c', 'w')) AS id;
-- whitespace only or parts only: no title yet; the next user message gives it
SELECT create_conversation('acme', NULL, '{"uid": "t6"}') AS id;
SELECT add_message(9, 'user', '   ') AS id;
SELECT add_message(9, 'user', '', '{"parts": [{"type": "text", "text": "p"}]}') AS id;
SELECT add_message(9, 'assistant', 'not me') AS id;
SELECT add_message(9, 'user', 'Now a title') AS id;
SELECT id, title, length(title) FROM chat_conversations WHERE id >= 4 ORDER BY id;

-- the active run is attached and its step copied; run_id names one explicitly
SELECT start_run(1, 'topical_map') AS run;
SELECT add_message(1, 'user', 'during the run') AS id;
SELECT set_run_status(1, 'awaiting_clarification', 'clarification');
SELECT add_message(1, 'assistant', 'a question', '{"type": "clarification_request"}') AS id;
SELECT cancel_run(1);
SELECT add_message(1, 'user', 'after the run') AS id;
SELECT add_message(1, 'user', 'late answer', '{"run_id": 1}') AS id;
SELECT seq, content, run_id, workflow_step FROM chat_messages WHERE conversation_id = 1 AND seq > 4 ORDER BY seq;

-- the content limit is a setting (characters, not bytes)
SELECT chatflow_config('limits.max_content_chars', '10');
SELECT add_message(2, 'user', '0123456789') AS id;
SELECT add_message(2, 'user', 'éééééééééé') AS id;
.headers off
.bail off
SELECT add_message(2, 'user', '0123456789A'); -- error
SELECT add_message(2, 'user', 'ééééééééééé'); -- error
SELECT chatflow_config('limits.max_content_chars', NULL);
SELECT chatflow_config('limits.max_content_chars');
SELECT add_message(2, 'user', '0123456789A') > 0;
SELECT add_message(2, 'user', printf('%.100000c', 'm')) > 0;
SELECT add_message(2, 'user', printf('%.100001c', 'm')); -- error

-- errors of add_message
SELECT add_message(2, 'admin', 'x'); -- error
SELECT add_message(2, 'User', 'x'); -- error
SELECT add_message(2, 'user', ''); -- error
SELECT add_message(2, 'user', NULL); -- error
SELECT add_message(2, 'user', NULL, '{"parts": []}'); -- error
SELECT add_message(2, 'user', 'x', '{"type": "Bad Type"}'); -- error
SELECT add_message(2, 'user', 'x', json_object('type', printf('%.65c', 'z'))); -- error
SELECT add_message(2, 'user', 'x', '{"type": ""}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": {}}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [1]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"text": "no type"}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"type": "tool-weather", "state": "input-available"}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"type": "tool-call", "id": "t9"}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"type": "data-"}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"type": "file", "url": "https://x.example/a.png"}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"type": "text", "text": "x"}, {"type": "file", "mediaType": "image/png", "url": 42}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"parts": [{"type": "file", "mediaType": "image/png", "url": "u", "filename": null}]}'); -- error
SELECT add_message(2, 'user', 'x', '{"attachments": {}}'); -- error
SELECT add_message(2, 'user', 'x', '{"metadata": []}'); -- error
SELECT add_message(2, 'user', 'x', '{"metadata": "m"}'); -- error
SELECT add_message(2, 'user', 'x', '{"tokens": -1}'); -- error
SELECT add_message(2, 'user', 'x', '{"tokens": 1.5}'); -- error
SELECT add_message(2, 'user', 'x', '{"tokens": "3"}'); -- error
SELECT add_message(2, 'user', 'x', '{"tokens": 1000000001}'); -- error
SELECT add_message(2, 'user', 'x', '{"run_id": 0}'); -- error
SELECT add_message(2, 'user', 'x', '{"run_id": 99}'); -- error
SELECT add_message(2, 'user', 'x', '{"run_id": 1}'); -- error
SELECT add_message(2, 'user', 'x', '{"created_at": "2026-02-30T00:00:00Z"}'); -- error
SELECT add_message(2, 'user', 'x', '{"seq": 7}'); -- error
SELECT add_message(2, 'user', 'x', '{"type": "a",'); -- error
SELECT add_message(99, 'user', 'x'); -- error
SELECT delete_conversation(2);
SELECT add_message(2, 'user', 'x'); -- error
SELECT restore_conversation(2);

-- messages are immutable: content, parts, role, seq and conversation
UPDATE chat_messages SET content = 'changed' WHERE id = 1; -- error
UPDATE chat_messages SET parts = '[]' WHERE id = 1; -- error
UPDATE chat_messages SET role = 'user' WHERE id = 1; -- error
UPDATE chat_messages SET seq = 99 WHERE id = 1; -- error
UPDATE chat_messages SET conversation_id = 2 WHERE id = 1; -- error
UPDATE chat_messages SET content = content WHERE id = 1;
-- other columns may change; tokens keep the conversation's total right
UPDATE chat_messages SET metadata = '{"reviewed": true}', type = 'system_prompt' WHERE id = 1;
SELECT total_tokens FROM chat_conversations WHERE id = 1;
UPDATE chat_messages SET tokens = tokens + 100 WHERE id = 1;
SELECT total_tokens, (SELECT sum(tokens) FROM chat_messages WHERE conversation_id = 1) FROM chat_conversations WHERE id = 1;
SELECT id, seq, role, type, content, metadata FROM chat_messages WHERE id = 1;
-- the counters match the rows everywhere
SELECT count(*) FROM chat_conversations AS c
 WHERE message_count <> (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)
    OR last_seq <> (SELECT coalesce(max(seq), 0) FROM chat_messages WHERE conversation_id = c.id)
    OR total_tokens <> (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id);
