-- 24_migration: a database made by chatflow at schema version 2 (the
-- migration files 001 and 002 and the two chatflow_migrations rows exactly
-- as chatflow_init() writes them, ext/schema.c), holding conversations and
-- messages, is migrated to 3 by chatflow_init(): existing messages and
-- titles become searchable, previews are filled, counters and timestamps
-- are left as they were, the new triggers work from then on.
.bail off
.mode list
.headers off

-- ---------------------------------------------------------------- a version 2 database
.read sql/001_core.sql
.read sql/002_workflow.sql
CREATE TABLE IF NOT EXISTS chatflow_migrations ( version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;
INSERT INTO chatflow_migrations (version, name, applied_at) VALUES (1, '001_core', '2025-06-01T00:00:00.000Z');
INSERT INTO chatflow_migrations (version, name, applied_at) VALUES (2, '002_workflow', '2025-06-01T00:00:00.000Z');
-- the version-2 data, written by raw SQL as an older chatflow's users did
INSERT INTO chat_conversations (id, uid, owner, title, created_at, updated_at) VALUES
  (1, 'm1', 'acme', 'Sourdough baking', '2025-07-01T00:00:00.000Z', '2025-07-01T00:00:00.000Z'),
  (2, 'm2', 'acme', 'Crème brûlée', '2025-07-02T00:00:00.000Z', '2025-07-02T00:00:00.000Z'),
  (3, 'm3', 'acme', NULL, '2025-07-03T00:00:00.000Z', '2025-07-03T00:00:00.000Z'),
  (4, 'm4', 'other', 'Other bread', '2025-07-04T00:00:00.000Z', '2025-07-04T00:00:00.000Z'),
  (5, 'm5', 'acme', 'Deleted sourdough', '2025-07-05T00:00:00.000Z', '2025-07-05T00:00:00.000Z');
INSERT INTO chat_messages (conversation_id, role, content, parts, created_at) VALUES
  (1, 'user', 'How do I feed a sourdough starter?', NULL, '2025-07-01T01:00:00.000Z'),
  (1, 'assistant', 'Feed it flour and water every day; ' || printf('%.150c', 'z'), NULL, '2025-07-01T02:00:00.000Z'),
  (2, 'user', 'A custard question about caramel', NULL, '2025-07-02T01:00:00.000Z'),
  (2, 'assistant', '', '[{"type": "text", "text": "parts only"}]', '2025-07-02T02:00:00.000Z'),
  (4, 'user', 'Other owner sourdough', NULL, '2025-07-04T01:00:00.000Z'),
  (5, 'user', 'sourdough in a deleted conversation', NULL, '2025-07-05T01:00:00.000Z');
-- a run with a message of its own
INSERT INTO workflow_runs (id, conversation_id, workflow, created_at, started_at, updated_at)
VALUES (1, 1, 'topical_map', '2025-07-01T03:00:00.000Z', '2025-07-01T03:00:00.000Z', '2025-07-01T03:00:00.000Z');
INSERT INTO chat_messages (conversation_id, role, content, created_at)
VALUES (1, 'assistant', 'Run step output about rye', '2025-07-01T04:00:00.000Z');
UPDATE chat_conversations SET deleted_at = '2025-08-01T00:00:00.000Z', updated_at = '2025-08-01T00:00:00.000Z' WHERE id = 5;
SELECT version, name, applied_at FROM chatflow_migrations;
-- chatflow's functions refuse a database that is not at the current version
SELECT create_conversation('acme'); -- error
SELECT * FROM conversation_list('acme'); -- error
SELECT * FROM search_messages('sourdough'); -- error
SELECT chatflow_stats(); -- error
-- the state before: every column of every conversation and message
CREATE TEMP TABLE conv_before AS SELECT * FROM chat_conversations;
CREATE TEMP TABLE msg_before AS SELECT * FROM chat_messages;
CREATE TEMP TABLE run_before AS SELECT * FROM workflow_runs;
SELECT id, message_count, last_seq, total_tokens, last_message_at, updated_at FROM chat_conversations ORDER BY id;

-- ---------------------------------------------------------------- migrate
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT version, name, applied_at FROM chatflow_migrations;
-- again: nothing to do
SELECT chatflow_init();
SELECT count(*) FROM chatflow_migrations;
-- the objects of migration 003
SELECT type, name FROM sqlite_schema
 WHERE name IN ('chat_conversations_list', 'chat_conversations_deleted', 'chat_conversations_activity',
                'chat_messages_created', 'chat_messages_fts', 'chat_titles_fts')
    OR (type = 'trigger' AND (name GLOB '*_fts_*' OR name GLOB '*_preview_*'))
 ORDER BY 1, 2;
SELECT name FROM pragma_table_info('chat_conversations') WHERE cid >= 19 ORDER BY cid;

-- existing rows unchanged (the old columns, compared whole); the new columns
SELECT 'conversations unchanged', count(*) FROM conv_before AS b JOIN chat_conversations AS c USING (id)
 WHERE c.uid IS b.uid AND c.owner IS b.owner AND c.key IS b.key AND c.title IS b.title
   AND c.visibility IS b.visibility AND c.model IS b.model AND c.agent IS b.agent
   AND c.context IS b.context AND c.metadata IS b.metadata AND c.pinned_at IS b.pinned_at
   AND c.archived_at IS b.archived_at AND c.deleted_at IS b.deleted_at
   AND c.created_at IS b.created_at AND c.updated_at IS b.updated_at
   AND c.message_count IS b.message_count AND c.last_seq IS b.last_seq
   AND c.total_tokens IS b.total_tokens AND c.last_message_at IS b.last_message_at;
SELECT 'messages unchanged', (SELECT count(*) FROM chat_messages), (SELECT count(*) FROM msg_before),
       (SELECT count(*) FROM (SELECT id, conversation_id, seq, run_id, role, type, content, parts, attachments, workflow_step, metadata, tokens, created_at FROM chat_messages EXCEPT SELECT * FROM msg_before)),
       (SELECT count(*) FROM (SELECT * FROM msg_before EXCEPT SELECT id, conversation_id, seq, run_id, role, type, content, parts, attachments, workflow_step, metadata, tokens, created_at FROM chat_messages));
-- every message got a uid of its own (the random default)
SELECT 'message uids', count(DISTINCT uid), min(length(uid)), max(length(uid)) FROM chat_messages;
SELECT 'runs unchanged', (SELECT count(*) FROM workflow_runs),
       (SELECT count(*) FROM (SELECT id, conversation_id, workflow, status, current_step, state, business_context, clarifications, error, lease_expires_at, started_at, completed_at, created_at, updated_at FROM workflow_runs EXCEPT SELECT * FROM run_before)),
       (SELECT count(*) FROM (SELECT * FROM run_before EXCEPT SELECT id, conversation_id, workflow, status, current_step, state, business_context, clarifications, error, lease_expires_at, started_at, completed_at, created_at, updated_at FROM workflow_runs));
-- the columns of runs that wait: none set
SELECT 'runs new columns', count(awaiting_ttl_seconds), count(expires_at) FROM workflow_runs;
-- previews: the last message's first 120 characters ('' for a parts-only
-- message, NULL without messages), computed when read since migration 005
CREATE TEMP VIEW pv AS
SELECT c.*, chatflow_preview((SELECT content FROM chat_messages WHERE conversation_id = c.id
                              ORDER BY seq DESC LIMIT 1)) AS last_message_preview
  FROM chat_conversations AS c;
SELECT id, length(last_message_preview), quote(substr(last_message_preview, 1, 30)), quote(forked_from_id), quote(forked_at_seq)
  FROM pv ORDER BY id;
-- every preview against a recount
SELECT 'previews', count(*) FROM pv AS c
 WHERE last_message_preview IS NOT (SELECT substr(content, 1, 120) FROM chat_messages
                                     WHERE conversation_id = c.id ORDER BY seq DESC LIMIT 1);

-- ---------------------------------------------------------------- searchable
SELECT kind, conversation_id, message_id, snippet FROM search_messages('sourdough', 'acme') ORDER BY 2, 3;
SELECT kind, conversation_id, message_id, snippet FROM search_messages('sourdough', NULL, '{"deleted": true}') ORDER BY 2, 3;
SELECT kind, conversation_id, snippet FROM search_messages('creme brulee') ORDER BY 1;
SELECT kind, conversation_id, message_id FROM search_messages('rye') ORDER BY 1;
SELECT count(*) FROM search_messages('zzz*');
SELECT 'indexed', chatflow_index();
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');
INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check');
SELECT (SELECT count(*) FROM chat_messages_fts_docsize), (SELECT count(*) FROM chat_messages),
       (SELECT count(*) FROM chat_titles_fts_docsize), (SELECT count(*) FROM chat_conversations WHERE title IS NOT NULL);

-- ---------------------------------------------------------------- listed, counted
SELECT id, title, message_count, last_message_preview IS NOT NULL, cursor FROM conversation_list('acme');
SELECT chatflow_stats('acme');

-- ---------------------------------------------------------------- and working from here on
SELECT add_message(3, 'user', 'A first message for the untitled one about pumpernickel');
SELECT seq, (SELECT title FROM chat_conversations WHERE id = 3), (SELECT last_message_preview FROM pv WHERE id = 3)
  FROM chat_messages WHERE conversation_id = 3;
SELECT kind, conversation_id, snippet FROM search_messages('pumpernickel') ORDER BY 1;
-- the untitled conversation got its title: indexed once (the migration
-- indexed only the conversations that had a title)
SELECT (SELECT count(*) FROM chat_titles_fts_docsize), (SELECT count(*) FROM chat_conversations WHERE title IS NOT NULL);
SELECT add_message(1, 'user', 'And spelt?');
SELECT message_count, last_seq, last_message_preview FROM pv WHERE id = 1;
SELECT conversation_id, seq FROM search_messages('spelt');
SELECT 'purged', purge_deleted(0);
SELECT count(*) FROM search_messages('sourdough', NULL, '{"deleted": true}');
SELECT 'indexed', chatflow_index();
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');
INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check');
SELECT (SELECT count(*) FROM chat_messages_fts_docsize), (SELECT count(*) FROM chat_messages),
       (SELECT count(*) FROM chat_titles_fts_docsize), (SELECT count(*) FROM chat_conversations WHERE title IS NOT NULL);
