-- Text whole and identity (0.2): NUL named, grapheme-safe titles, the
-- pinned clock in chatflow_init, find_or_create on a deleted conversation.
.headers off
.mode list
.bail off
-- chatflow_init stamps the rows it creates with the pinned clock.
SELECT chatflow_clock('2026-01-02T03:04:05Z');
SELECT chatflow_init();
SELECT name, created_at FROM workflow_definitions;
SELECT version, applied_at FROM chatflow_migrations ORDER BY version LIMIT 1;
SELECT chatflow_clock(NULL) IS NOT NULL;

-- NUL is valid UTF-8 but never stored: named in the error.
SELECT create_conversation('acme');
SELECT add_message(1, 'user', 'a' || char(0) || 'b'); -- error
SELECT add_message(1, 'user', char(0) || 'secret'); -- error
SELECT create_conversation('ac' || char(0) || 'me'); -- error
SELECT add_message(1, 'user', cast(x'61ff62' AS TEXT)); -- error
SELECT count(*) FROM chat_messages;

-- Auto titles cut at 80 characters never split a grapheme cluster.
-- 77 letters + a family emoji (man ZWJ woman ZWJ girl: 5 code points).
SELECT add_message(1, 'user', printf('%.77c', 'a') || char(0x1F468, 0x200D, 0x1F469, 0x200D, 0x1F467) || 'b');
SELECT title, length(title) FROM chat_conversations WHERE id = 1;
-- 78 letters + a flag (two regional indicators).
SELECT create_conversation('acme');
SELECT add_message(2, 'user', printf('%.78c', 'b') || char(0x1F1EB, 0x1F1F7) || 'xyz');
SELECT title, length(title) FROM chat_conversations WHERE id = 2;
-- 78 letters + a thumbs-up with a skin tone.
SELECT create_conversation('acme');
SELECT add_message(3, 'user', printf('%.78c', 'c') || char(0x1F44D, 0x1F3FD) || 'xyz');
SELECT title, length(title) FROM chat_conversations WHERE id = 3;
-- 78 letters + e and a combining acute accent.
SELECT create_conversation('acme');
SELECT add_message(4, 'user', printf('%.78c', 'd') || 'e' || char(0x301) || 'xyz');
SELECT title, length(title) FROM chat_conversations WHERE id = 4;
-- A word boundary still wins when there is one.
SELECT create_conversation('acme');
SELECT add_message(5, 'user', 'Plan ' || printf('%.90c', 'e'));
SELECT title, length(title) FROM chat_conversations WHERE id = 5;

-- find_or_create_conversation never returns a deleted conversation.
SELECT find_or_create_conversation('acme', 'ticket-1');
SELECT delete_conversation(6);
SELECT find_or_create_conversation('acme', 'ticket-1'); -- error
SELECT restore_conversation(6);
SELECT find_or_create_conversation('acme', 'ticket-1');

-- An option name spelled with escapes would be missed when the option is
-- read ('$.parts' does not match "p\u0061rts" in SQLite 3.40): refused.
SELECT add_message(6, 'user', 'x', '{"p\u0061rts": [{"type": "text", "text": "hi"}]}'); -- error
SELECT count(*) FROM chat_messages WHERE conversation_id = 6;
