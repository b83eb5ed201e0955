-- 03_conversations: create, find-or-create, soft delete, restore, purge.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.headers on

-- create_conversation(owner [, title [, options]]) returns the id
SELECT create_conversation('acme') AS id;
SELECT create_conversation('acme', 'Pricing') AS id;
SELECT create_conversation('acme', 'Plan', '{"key": "t-1", "uid": "conv-3", "visibility": "public",
  "model": "gpt-4o", "agent": "planner", "context": {"site": "bakery.example"},
  "metadata": {"source": "web"}, "created_at": "2025-12-31T23:59:59Z"}') AS id;
SELECT create_conversation('globex', NULL, '{"key": "t-1", "uid": "conv-4"}') AS id;
-- options given as null count as absent
SELECT create_conversation('acme', NULL, '{"key": null, "uid": "conv-5", "model": null}') AS id;
.mode line
SELECT * FROM chat_conversations WHERE id = 3;
.mode list
SELECT id, owner, key, title, visibility, context, metadata, created_at, updated_at, message_count, last_seq, total_tokens, last_message_at
  FROM chat_conversations WHERE id <> 3 ORDER BY id;
-- generated uids: 32 lowercase hex characters, all different
SELECT id, length(uid), uid GLOB '[0-9a-f]*' AND uid NOT GLOB '*[^0-9a-f]*' FROM chat_conversations WHERE id IN (1, 2);
SELECT count(DISTINCT uid) FROM chat_conversations;
-- a title of exactly 200 characters is fine (characters, not bytes)
SELECT length(title), length(CAST(title AS BLOB)) FROM chat_conversations
 WHERE id = create_conversation('acme', replace(printf('%200s', ''), ' ', 'é'));

-- find_or_create_conversation(owner, key [, title [, options]]) is idempotent
SELECT find_or_create_conversation('acme', 'support-42', 'Support') AS id;
SELECT find_or_create_conversation('acme', 'support-42', 'Another title') AS same_id;
SELECT find_or_create_conversation('acme', 't-1') AS existing_created_with_option;
SELECT find_or_create_conversation('initech', 'support-42') AS other_owner;
SELECT id, owner, key, title FROM chat_conversations WHERE key = 'support-42' ORDER BY id;
-- inside a caller's transaction
BEGIN;
SELECT find_or_create_conversation('acme', 'tx-1', NULL, '{"model": "m"}') AS id;
SELECT find_or_create_conversation('acme', 'tx-1') AS same_id;
COMMIT;
SELECT count(*) FROM chat_conversations;

-- delete_conversation / restore_conversation: soft delete, 1 each
SELECT chatflow_clock('2026-01-02T00:00:00.000Z');
SELECT delete_conversation(2) AS deleted;
SELECT id, deleted_at, updated_at FROM chat_conversations WHERE id = 2;
SELECT chatflow_clock('2026-01-03T00:00:00.000Z');
SELECT restore_conversation(2) AS restored;
SELECT id, deleted_at, updated_at FROM chat_conversations WHERE id = 2;

.headers off
.bail off
-- errors
SELECT create_conversation('acme', 'x', '{"key": "t-1"}'); -- error
SELECT create_conversation('acme', 'x', '{"uid": "conv-3"}'); -- error
SELECT create_conversation('acme', 'x', '{"uid": "has space"}'); -- error
SELECT create_conversation('acme', 'x', '{"uid": ""}'); -- error
SELECT create_conversation('acme', 'x', '{"visibility": "secret"}'); -- error
SELECT create_conversation('acme', 'x', '{"colour": "blue"}'); -- error
SELECT create_conversation('acme', 'x', '{"context": [1]}'); -- error
SELECT create_conversation('acme', 'x', '{"model": 4}'); -- error
SELECT create_conversation('acme', 'x', '{"created_at": "yesterday"}'); -- error
SELECT create_conversation('acme', 'x', '[]'); -- error
SELECT create_conversation('acme', 'x', '{"key": "k",}'); -- error
SELECT create_conversation('acme', printf('%201s', 'x')); -- error
SELECT create_conversation(''); -- error
SELECT create_conversation(printf('%201s', 'o')); -- error
SELECT create_conversation(NULL); -- error
SELECT find_or_create_conversation('acme', NULL); -- error
SELECT find_or_create_conversation('acme', ''); -- error
SELECT find_or_create_conversation('acme', 'k', NULL, '{"key": "k"}'); -- error
SELECT delete_conversation(2);
SELECT delete_conversation(2); -- error
SELECT restore_conversation(2);
SELECT restore_conversation(2); -- error
SELECT delete_conversation(99); -- error
SELECT restore_conversation(99); -- error
SELECT purge_conversation(99); -- error
SELECT count(*) FROM chat_conversations;

-- purge_conversation: the row is gone (cascades are in 09_raw_sql)
SELECT purge_conversation(1);
SELECT count(*), min(id) FROM chat_conversations;
SELECT purge_conversation(1); -- error
-- a purged conversation's key is free again
SELECT find_or_create_conversation('acme', 't-1') = 3;
SELECT purge_conversation(3);
SELECT find_or_create_conversation('acme', 't-1') > 3;
