-- 48_migration_tokens: 0.2 bounds a message's tokens (0 to 1000000000,
-- CF_MAX_TOKENS) in the schema; migration 005 brings a 0.1 message that
-- counts more down to the bound, and the conversation's total with it.
.bail off
.mode list
.headers off
.restore tests/fixtures/chatflow-0.1.db
UPDATE chat_messages SET tokens = 5000000000 WHERE id = (SELECT min(id) FROM chat_messages WHERE conversation_id = 1);
SELECT id, tokens FROM chat_messages WHERE conversation_id = 1 ORDER BY id;
SELECT total_tokens FROM chat_conversations WHERE id = 1;
SELECT chatflow_clock('2026-02-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT id, tokens FROM chat_messages WHERE conversation_id = 1 ORDER BY id;
SELECT total_tokens FROM chat_conversations WHERE id = 1;
SELECT "check", detail FROM chatflow_check() WHERE NOT ok;
-- from now on the schema refuses more
UPDATE chat_messages SET tokens = 1000000001 WHERE id = (SELECT min(id) FROM chat_messages WHERE conversation_id = 1); -- error
