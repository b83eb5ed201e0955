-- 43_drafts: streaming drafts (issue 16, docs/drafts.md).  begin_message,
-- append_message, finish_message, abort_message and every transition; the
-- counters and tokens (a draft counts 0 until it stops); the readers that
-- leave drafts out (chat_history, chat_history_json, chat_ui_messages,
-- export 'openai') and the reader's resume by offset; search (a draft is
-- indexed when it finishes, an aborted one never); the tree (a draft is the
-- leaf at begin), tool calls, edits, delete_messages, delete_conversation,
-- retention; expire_stale_runs with a pinned clock; export, import (a
-- streaming draft comes in aborted) and fork; raw UPDATEs and INSERTs held
-- to the same rules; every refusal writing nothing; the migration from a
-- 0.1 database.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Drafts');
SELECT add_message(1, 'system', 'Be brief.', '{"uid": "s1"}');
SELECT add_message(1, 'user', 'Name a bread.', '{"uid": "u1"}');
-- what a refusal must leave as it was
CREATE TEMP VIEW state AS
SELECT (SELECT group_concat(id || ':' || status || ':' || length(content) || ':' || tokens
                            || ':' || coalesce(streamed_at, '-'), ' ')
          FROM (SELECT * FROM chat_messages ORDER BY id))
       || ' | ' || (SELECT group_concat(message_count || '/' || total_tokens || '/' || coalesce(current_leaf_id, '-'), ' ')
                      FROM chat_conversations);

-- ------------------------------------------------ begin: a message with empty content
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT begin_message(1, 'assistant');
SELECT id, seq, role, type, status, content, tokens, parent_id, created_at, streamed_at
  FROM chat_messages WHERE id = 3;
-- counted at once (message_count, the leaf), with 0 tokens
SELECT message_count, total_tokens, current_leaf_id, last_message_at FROM chat_conversations WHERE id = 1;

-- ------------------------------------------------ append: the length after the append
SELECT chatflow_clock('2026-01-01T00:01:01.000Z');
SELECT append_message(3, 'Sour');
SELECT chatflow_clock('2026-01-01T00:01:02.000Z');
SELECT append_message(3, 'dough, ');
SELECT append_message(3, 'crème ');
SELECT append_message(3, '');
SELECT id, status, content, tokens, streamed_at FROM chat_messages WHERE id = 3;
-- a reader that had 11 characters resumes from there
SELECT substr(content, 11 + 1), status, length(content) FROM chat_messages WHERE id = 3;
SELECT substr(content, 17 + 1) = '', status FROM chat_messages WHERE id = 3;

-- ------------------------------------------------ readers leave the draft out
SELECT seq, role, content FROM chat_history(1);
SELECT chat_history_json(1);
SELECT chat_history_json(1, 3);
SELECT chat_ui_messages(1);
SELECT export_conversation(1, 'openai') = chat_history_json(1);
-- conversation_messages (a page of every message) shows it, growing
SELECT seq, role, content FROM conversation_messages(1);
-- search does not find it, above or below the index mark
SELECT count(*) FROM search_messages('sourdough');
SELECT chatflow_index();
SELECT indexed_upto FROM chatflow_search_state;
SELECT count(*) FROM search_messages('sourdough');
SELECT "check", ok, detail FROM chatflow_check() WHERE "check" IN ('search_index', 'search_trigram', 'drafts');

-- ------------------------------------------------ finish: complete, counted, indexed
SELECT chatflow_clock('2026-01-01T00:01:05.000Z');
SELECT append_message(3, 'or rye.');
SELECT finish_message(3, '{"metadata": {"model": "m-1", "finish_reason": "stop"}}');
SELECT id, status, content, tokens, metadata, streamed_at FROM chat_messages WHERE id = 3;
SELECT message_count, total_tokens FROM chat_conversations WHERE id = 1;
SELECT seq, role, content FROM chat_history(1);
SELECT chat_history_json(1);
-- indexed at once (its id is below the mark), in both indexes (not plain ASCII)
SELECT message_id, snippet FROM search_messages('sourdough');
SELECT message_id, snippet FROM search_messages('crème');
SELECT * FROM chatflow_check() WHERE NOT ok;
-- immutable from then on
SELECT append_message(3, 'more'); -- error
SELECT finish_message(3); -- error
SELECT abort_message(3); -- error
UPDATE chat_messages SET content = content || '!' WHERE id = 3; -- error
UPDATE chat_messages SET status = 'streaming' WHERE id = 3; -- error
UPDATE chat_messages SET streamed_at = '2026-01-01T00:09:00.000Z' WHERE id = 3; -- error
SELECT * FROM state;

-- ------------------------------------------------ finish options: tokens, parts, metadata merged
SELECT add_message(1, 'user', 'And a pastry?');
SELECT begin_message(1, 'assistant', '{"metadata": {"model": "m-2", "trace": "t1"}, "uid": "reply-2"}');
SELECT append_message(5, 'Croissant.');
SELECT finish_message(5, '{"tokens": 42, "parts": [{"type": "reasoning", "text": "french"}, {"type": "text", "text": "Croissant."}], "metadata": {"trace": null, "finish_reason": "stop"}}');
SELECT status, tokens, parts, metadata, uid FROM chat_messages WHERE id = 5;
-- tokens 0 given: 0 (not the estimate)
SELECT add_message(1, 'user', 'Thanks.');
SELECT begin_message(1, 'assistant');
SELECT append_message(7, 'You are welcome.');
SELECT finish_message(7, '{"tokens": 0}');
SELECT status, tokens FROM chat_messages WHERE id = 7;
SELECT total_tokens = (SELECT sum(tokens) FROM chat_messages WHERE conversation_id = 1) FROM chat_conversations WHERE id = 1;
-- a draft of parts only finishes; one with neither content nor parts does not
SELECT begin_message(1, 'assistant', '{"metadata": {"kept": true}}');
SELECT finish_message(8, '{"parts": [{"type": "data-chart", "data": {"x": 1}}], "metadata": null}');
SELECT status, content, tokens, metadata FROM chat_messages WHERE id = 8;

-- ------------------------------------------------ abort: the text kept, the reason in metadata
SELECT chatflow_clock('2026-01-01T00:02:00.000Z');
SELECT add_message(1, 'user', 'Tell me a long story.');
SELECT begin_message(1, 'assistant', '{"metadata": {"model": "m-3"}}');
SELECT append_message(10, 'Once upon a time');
SELECT abort_message(10, 'user pressed stop');
SELECT status, content, tokens, metadata FROM chat_messages WHERE id = 10;
SELECT count(*) FROM search_messages('upon');
SELECT chat_history_json(1);
-- an abort without a reason
SELECT begin_message(1, 'assistant');
SELECT abort_message(11);
SELECT status, content, tokens, metadata FROM chat_messages WHERE id = 11;
-- an aborted draft takes nothing more
SELECT append_message(10, 'x'); -- error
SELECT finish_message(10); -- error
SELECT abort_message(10, 'again'); -- error
UPDATE chat_messages SET status = 'complete' WHERE id = 10; -- error
UPDATE chat_messages SET content = 'Once upon a time, twice' WHERE id = 10; -- error
SELECT "check", ok FROM chatflow_check() WHERE "check" IN ('total_tokens', 'search_index', 'drafts');

-- ------------------------------------------------ the tree: the draft is the leaf from begin
SELECT chatflow_clock('2026-01-01T00:03:00.000Z');
SELECT begin_message(1, 'assistant');
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
-- a message added while it streams follows it (it is the leaf)
SELECT add_message(1, 'user', 'Hello?');
SELECT id, parent_id FROM chat_messages WHERE id = 13;
SELECT append_message(12, 'Sorry, ');
-- the history runs through the draft, leaving it out
SELECT seq, content FROM chat_history(1) WHERE seq >= 9;
-- edit_message of a draft: a complete sibling, the draft keeps streaming
SELECT edit_message(12, 'Here I am.');
SELECT id, parent_id, status, content FROM chat_messages WHERE id IN (12, 14) ORDER BY seq;
SELECT current_leaf_id, branched FROM chat_conversations WHERE id = 1;
SELECT seq, content FROM chat_history(1) WHERE seq >= 9;
SELECT append_message(12, 'late.');
-- a regenerated answer as a draft (parent_id), and switch_branch to the draft
SELECT begin_message(1, 'assistant', '{"parent_id": 9}');
SELECT id, parent_id FROM chat_messages WHERE id = 15;
SELECT seq, content FROM chat_history(1) WHERE seq >= 9;
SELECT switch_branch(12);
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
SELECT seq, content FROM chat_history(1) WHERE seq >= 9;
SELECT switch_branch(15);
SELECT append_message(15, 'A regenerated story.');
SELECT finish_message(15);
SELECT seq, content FROM chat_history(1) WHERE seq >= 9;
SELECT abort_message(12, 'replaced by a regenerated answer');
SELECT * FROM chatflow_check() WHERE NOT ok;

-- ------------------------------------------------ tool calls: finished drafts only
SELECT create_conversation('acme', 'Tools');
SELECT add_message(2, 'user', 'Weather in Paris?');
SELECT begin_message(2, 'assistant');
-- its calls are not there until it finishes with them
SELECT add_message(2, 'tool', '18C', '{"tool_call_id": "call_1"}'); -- error
SELECT finish_message(17, '{"parts": [{"type": "tool-call", "id": "call_1", "name": "weather", "arguments": "{}"}]}');
SELECT add_message(2, 'tool', '18C', '{"tool_call_id": "call_1"}');
SELECT chat_history_json(2);
-- a draft begun with tool_calls keeps them out of the history until it finishes
SELECT begin_message(2, 'assistant', '{"tool_calls": [{"id": "call_2", "type": "function", "function": {"name": "time", "arguments": "{}"}}]}');
SELECT parts FROM chat_messages WHERE id = 19;
SELECT add_message(2, 'tool', 'noon', '{"tool_call_id": "call_2"}');
SELECT chat_history_json(2);
SELECT finish_message(19);
SELECT chat_history_json(2);

-- ------------------------------------------------ export and import keep complete and aborted messages
SELECT import_conversation('other', export_conversation(1));
SELECT (SELECT group_concat(status || ':' || tokens || ':' || content, ' ') FROM (SELECT * FROM chat_messages WHERE conversation_id = 1 ORDER BY seq))
     = (SELECT group_concat(status || ':' || tokens || ':' || content, ' ') FROM (SELECT * FROM chat_messages WHERE conversation_id = 3 ORDER BY seq));
SELECT seq, status, json_extract(metadata, '$.abort_reason') FROM chat_messages WHERE conversation_id = 3 AND status <> 'complete' ORDER BY seq;
SELECT chat_history_json(1) = chat_history_json(3);

-- ------------------------------------------------ expire_stale_runs: drafts whose writer stopped
SELECT create_conversation('acme', 'Abandoned');
SELECT chatflow_clock('2026-01-01T01:00:00.000Z');
SELECT begin_message(4, 'assistant');
SELECT append_message(36, 'half an ans');
SELECT chatflow_clock('2026-01-01T01:03:00.000Z');
SELECT begin_message(4, 'assistant', '{"parent_id": 36}');
SELECT chatflow_config('messages.draft_timeout_seconds');
-- 4 min 59.999 s after the last append: still alive
SELECT chatflow_clock('2026-01-01T01:04:59.999Z');
SELECT expire_stale_runs();
-- 5 min 0.001 s: aborted, its text kept
SELECT chatflow_clock('2026-01-01T01:05:00.001Z');
SELECT expire_stale_runs();
SELECT id, status, content, tokens, metadata FROM chat_messages WHERE id IN (36, 37) ORDER BY seq;
-- a shorter timeout catches the other one (an append keeps a draft alive)
SELECT chatflow_config('messages.draft_timeout_seconds', '60');
SELECT chatflow_clock('2026-01-01T01:03:30.000Z');
SELECT append_message(37, 'alive');
SELECT chatflow_clock('2026-01-01T01:04:30.000Z');
SELECT expire_stale_runs();
SELECT chatflow_clock('2026-01-01T01:04:30.001Z');
SELECT expire_stale_runs();
SELECT id, status, content, metadata FROM chat_messages WHERE id = 37;
SELECT chatflow_config('messages.draft_timeout_seconds', '0'); -- error
SELECT chatflow_config('messages.draft_timeout_seconds', NULL);

-- ------------------------------------------------ delete_messages, retention, delete_conversation
SELECT chatflow_clock('2026-01-01T02:00:00.000Z');
SELECT begin_message(4, 'assistant');
SELECT append_message(38, 'going');
SELECT delete_messages(4, '{"after_seq": 2}');
SELECT count(*), current_leaf_id FROM chat_messages, chat_conversations AS c WHERE conversation_id = 4 AND c.id = 4;
SELECT begin_message(4, 'assistant');
SELECT append_message(39, 'to be deleted with the conversation');
SELECT delete_conversation(4);
SELECT id, status, content, metadata FROM chat_messages WHERE id = 39;
SELECT restore_conversation(4);
SELECT append_message(39, 'x'); -- error
-- retention sees drafts like any message
SELECT begin_message(4, 'assistant');
SELECT chatflow_clock('2026-03-01T00:00:00.000Z');
SELECT delete_old_messages(30);
SELECT count(*) FROM chat_messages WHERE conversation_id = 4;
SELECT * FROM chatflow_check() WHERE NOT ok;

-- ------------------------------------------------ export, import, fork
SELECT chatflow_clock('2026-03-01T00:01:00.000Z');
SELECT create_conversation('acme', 'Copy me');
SELECT add_message(5, 'user', 'Hi');
SELECT begin_message(5, 'assistant', '{"uid": "d1"}');
SELECT append_message(42, 'Hel');
SELECT json_extract(export_conversation(5), '$.messages[1]');
-- imported: the streaming draft as aborted (nobody appends to the copy)
SELECT import_conversation('other', export_conversation(5));
SELECT seq, role, status, content, tokens, metadata, streamed_at FROM chat_messages WHERE conversation_id = 6 ORDER BY seq;
-- forked: likewise
SELECT fork_conversation(5);
SELECT seq, status, content, json_extract(metadata, '$.abort_reason') FROM chat_messages WHERE conversation_id = 7 ORDER BY seq;
SELECT import_conversation('other', json_set(export_conversation(5), '$.messages[1].status', 'draft')); -- error
SELECT import_conversation('other', json_set(export_conversation(5), '$.messages[1].status', 1)); -- error
SELECT * FROM chatflow_check() WHERE NOT ok;

-- ------------------------------------------------ bad input: an error naming it, nothing written
SELECT chatflow_clock('2026-03-01T00:02:00.000Z');
SELECT begin_message(5, 'assistant');
SELECT * FROM state;
SELECT append_message(99, 'x'); -- error
SELECT append_message(NULL, 'x'); -- error
SELECT append_message(47, NULL); -- error
SELECT append_message(47, 42); -- error
SELECT append_message(47, x'41'); -- error
SELECT append_message(47, 'a' || char(0) || 'b'); -- error
SELECT append_message(47, CAST(x'c328' AS TEXT)); -- error
SELECT finish_message(99); -- error
SELECT finish_message(47); -- error
SELECT finish_message(47, '{"tokens": -1}'); -- error
SELECT finish_message(47, '{"parts": [1]}'); -- error
SELECT finish_message(47, '{"metadata": []}'); -- error
SELECT finish_message(47, '{"colour": "red"}'); -- error
SELECT abort_message(99); -- error
SELECT abort_message(47, ''); -- error
SELECT abort_message(47, 42); -- error
SELECT abort_message(47, printf('%.2001c', 'x')); -- error
SELECT begin_message(99, 'assistant'); -- error
SELECT begin_message(5, 'robot'); -- error
SELECT begin_message(5, 'assistant', '{"tokens": 3}'); -- error
SELECT begin_message(5, 'assistant', '{"parent_id": 1}'); -- error
SELECT delete_conversation(2);
SELECT begin_message(2, 'assistant'); -- error
SELECT restore_conversation(2);
-- over the content limit in total
SELECT chatflow_config('limits.max_content_chars', '20');
SELECT append_message(47, '0123456789');
SELECT append_message(47, '0123456789');
SELECT append_message(47, 'x'); -- error
UPDATE chat_messages SET content = content || 'x' WHERE id = 47; -- error
SELECT chatflow_config('limits.max_content_chars', NULL);
SELECT abort_message(47);
SELECT * FROM state;

-- ------------------------------------------------ raw SQL: the same rules
SELECT chatflow_clock('2026-03-01T00:03:00.000Z');
INSERT INTO chat_messages (conversation_id, role, status) VALUES (5, 'assistant', 'streaming');
SELECT id, seq, status, content, tokens, parent_id FROM chat_messages WHERE id = 48;
UPDATE chat_messages SET content = content || 'raw ', streamed_at = '2026-03-01T00:03:01.000Z' WHERE id = 48;
UPDATE chat_messages SET content = content || 'append' WHERE id = 48;
UPDATE chat_messages SET content = 'rewritten' WHERE id = 48; -- error
UPDATE chat_messages SET content = 'raw' WHERE id = 48; -- error
UPDATE chat_messages SET content = content || char(0) WHERE id = 48; -- error
UPDATE chat_messages SET streamed_at = 'yesterday' WHERE id = 48; -- error
UPDATE chat_messages SET status = 'done' WHERE id = 48; -- error
UPDATE chat_messages SET role = 'user' WHERE id = 48; -- error
-- a raw finish: tokens estimated, indexed (the mark has passed it)
SELECT chatflow_index();
UPDATE chat_messages SET status = 'complete' WHERE id = 48;
SELECT status, content, tokens FROM chat_messages WHERE id = 48;
SELECT message_id FROM search_messages('append');
-- a raw draft with tokens, a complete one without content, a status not known
INSERT INTO chat_messages (conversation_id, role, status, tokens) VALUES (5, 'assistant', 'streaming', 5); -- error
INSERT INTO chat_messages (conversation_id, role, status) VALUES (5, 'assistant', 'complete'); -- error
INSERT INTO chat_messages (conversation_id, role, content, status) VALUES (5, 'assistant', 'x', 'paused'); -- error
-- an aborted message inserted as such (an import does it)
INSERT INTO chat_messages (conversation_id, role, content, status) VALUES (5, 'assistant', 'partial', 'aborted');
SELECT status, content, tokens FROM chat_messages WHERE id = last_insert_rowid();
SELECT * FROM chatflow_check() WHERE NOT ok;
-- the check notices a draft that counts tokens (the triggers dropped)
INSERT INTO chat_messages (conversation_id, role, status) VALUES (5, 'assistant', 'streaming');
DROP TRIGGER chat_messages_check_update;
UPDATE chat_messages SET tokens = 9 WHERE id = (SELECT max(id) FROM chat_messages);
SELECT "check", ok, detail FROM chatflow_check() WHERE "check" IN ('drafts', 'total_tokens');

-- ------------------------------------------------ a 0.1 database: every message complete
.restore tests/fixtures/chatflow-0.1.db
SELECT chatflow_init();
SELECT status, count(*), count(streamed_at) FROM chat_messages GROUP BY status;
SELECT begin_message(1, 'assistant');
SELECT append_message((SELECT max(id) FROM chat_messages), 'after the migration');
SELECT status, content FROM chat_messages WHERE id = (SELECT max(id) FROM chat_messages);
SELECT * FROM chatflow_check() WHERE NOT ok;

-- ------------------------------------------------ an aborted draft's calls take no result (no history sends it)
SELECT create_conversation('acme', 'Aborted call') > 0;
SELECT add_message((SELECT max(id) FROM chat_conversations), 'user', 'Weather?') > 0;
SELECT begin_message((SELECT max(id) FROM chat_conversations), 'assistant',
       '{"tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "w", "arguments": "{}"}}]}') > 0;
SELECT abort_message((SELECT max(id) FROM chat_messages), 'client went away');
SELECT add_message((SELECT max(id) FROM chat_conversations), 'tool', '{"temp": 21}', '{"tool_call_id": "call_9"}'); -- error
SELECT count(*) FROM chat_messages WHERE conversation_id = (SELECT max(id) FROM chat_conversations);
-- the same id called again by a finished message: its result is taken
SELECT add_message((SELECT max(id) FROM chat_conversations), 'assistant', '',
       '{"tool_calls": [{"id": "call_9", "type": "function", "function": {"name": "w", "arguments": "{}"}}]}') > 0;
SELECT add_message((SELECT max(id) FROM chat_conversations), 'tool', '{"temp": 21}', '{"tool_call_id": "call_9"}') > 0;
SELECT chat_history_json((SELECT max(id) FROM chat_conversations));

-- ------------------------------------------------ add_message under a streaming draft's uid is no retry
SELECT create_conversation('acme', 'Draft uid') > 0;
SELECT begin_message((SELECT max(id) FROM chat_conversations), 'assistant', '{"uid": "dr-1"}') > 0;
SELECT add_message((SELECT max(id) FROM chat_conversations), 'assistant', '', '{"uid": "dr-1"}'); -- error
SELECT append_message((SELECT max(id) FROM chat_messages), 'Half') > 0;
SELECT add_message((SELECT max(id) FROM chat_conversations), 'assistant', 'Half', '{"uid": "dr-1"}'); -- error
SELECT add_ui_message((SELECT max(id) FROM chat_conversations), '{"id": "dr-1", "role": "assistant", "parts": [{"type": "text", "text": "Half"}]}'); -- error
SELECT status, content FROM chat_messages WHERE uid = 'dr-1';
-- once it has stopped, the same content under its uid is a retry again
SELECT abort_message((SELECT max(id) FROM chat_messages), 'stopped');
SELECT add_message((SELECT max(id) FROM chat_conversations), 'assistant', 'Half', '{"uid": "dr-1"}')
       = (SELECT id FROM chat_messages WHERE uid = 'dr-1');
SELECT count(*) FROM chat_messages WHERE conversation_id = (SELECT max(id) FROM chat_conversations);
