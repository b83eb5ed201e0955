-- 47_drafts_timestamps: a retry of begin_message (its uid) answers only a
-- draft that still streams; a raw INSERT gets the timestamp rule for
-- chat_messages.streamed_at and langgraph_checkpoints.created_at, as for
-- created_at (a malformed streamed_at kept a draft from ever expiring).
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'A');
SELECT begin_message(1, 'assistant', '{"uid": "d1"}');
SELECT begin_message(1, 'assistant', '{"uid": "d1"}');
SELECT abort_message(1);
SELECT begin_message(1, 'assistant', '{"uid": "d1"}'); -- error
SELECT add_message(1, 'assistant', '', '{"uid": "u2", "parts": [{"type": "text", "text": "hi"}]}');
SELECT begin_message(1, 'assistant', '{"uid": "u2", "parts": [{"type": "text", "text": "hi"}]}'); -- error
SELECT id, status FROM chat_messages ORDER BY id;
-- raw timestamps
INSERT INTO chat_messages (conversation_id, role, status, streamed_at) VALUES (1, 'assistant', 'streaming', 'garbage'); -- error
INSERT INTO chat_messages (conversation_id, role, content, streamed_at) VALUES (1, 'user', 'hi', 'not a time'); -- error
INSERT INTO chat_messages (conversation_id, role, status, streamed_at) VALUES (1, 'assistant', 'streaming', '2026-01-01T00:00:00.000Z');
SELECT id, status, streamed_at FROM chat_messages WHERE id > 2;
-- an UPDATE too: a time that does not exist (month 19) passes the pattern
UPDATE chat_messages SET streamed_at = '2026-19-39T29:59:59.999Z' WHERE id = (SELECT max(id) FROM chat_messages); -- error
UPDATE chat_messages SET streamed_at = '2026-02-30T00:00:00.000Z' WHERE id = (SELECT max(id) FROM chat_messages); -- error
UPDATE chat_messages SET streamed_at = '2026-01-01T00:00:01.000Z' WHERE id = (SELECT max(id) FROM chat_messages);
SELECT streamed_at FROM chat_messages WHERE id = (SELECT max(id) FROM chat_messages);
SELECT langgraph_put('thread-1', 'c1', x'00', '{}');
UPDATE langgraph_checkpoints SET created_at = 'garbage'; -- error
UPDATE langgraph_checkpoints SET created_at = '2026-01-02T00:00:00.000Z';
INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_ns, checkpoint_id, checkpoint, metadata, created_at) VALUES (2, '', 'c2', x'00', '{}', 'garbage'); -- error
SELECT checkpoint_id, created_at FROM langgraph_checkpoints;
SELECT "check", detail FROM chatflow_check() WHERE NOT ok;
