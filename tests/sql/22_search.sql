-- 22_search: search_messages (ext/search_vtab.c) over message content and
-- conversation titles — matches and highlighted snippets, rank vs newest
-- order, the owner filter, deleted conversations, titles:false, plain vs
-- fts5 syntax and its errors, limit; the index follows raw INSERTs,
-- delete_old_messages, purges and title changes (schema triggers).
.bail off
.mode list
.headers off

-- before chatflow_init() it refuses
SELECT * FROM search_messages('x'); -- error

SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
-- c1 acme "Sourdough baking", c2 acme "Winter garden", c3 other "Bread for others"
SELECT create_conversation('acme', 'Sourdough baking', '{"uid": "s1", "created_at": "2025-12-01T00:00:00Z"}');
SELECT create_conversation('acme', 'Winter garden', '{"uid": "s2", "created_at": "2025-12-02T00:00:00Z"}');
SELECT create_conversation('other', 'Bread for others', '{"uid": "s3", "created_at": "2025-12-03T00:00:00Z"}');
SELECT add_message(1, 'user', 'How do I feed a sourdough starter every day with flour and water and keep it warm in the winter months of the year?', '{"created_at": "2025-12-01T01:00:00Z"}');
SELECT add_message(1, 'assistant', 'Sourdough, sourdough, sourdough: discard half, then feed.', '{"created_at": "2025-12-01T02:00:00Z"}');
SELECT add_message(2, 'user', 'Which vegetables grow in winter? Kale and leeks, maybe sourdough is not a vegetable.', '{"created_at": "2025-12-02T01:00:00Z"}');
SELECT add_message(2, 'assistant', 'Kale, leeks and winter spinach. Crème fraîche is not a vegetable either.', '{"created_at": "2025-12-02T02:00:00Z"}');
SELECT add_message(3, 'user', 'My sourdough bread is flat.', '{"created_at": "2025-12-03T01:00:00Z"}');

.headers on
-- content and title matches, highlighted; rank (bm25, lower is better)
-- first: the message saying sourdough three times beats the others
SELECT conversation_id, message_id, seq, role, kind, snippet, created_at, title
  FROM search_messages('sourdough', 'acme');
.headers off
-- rank is ascending, and the hidden columns echo the arguments
SELECT count(*), sum(rank < 0), min(rank) = (SELECT rank FROM search_messages('sourdough', 'acme') LIMIT 1)
  FROM search_messages('sourdough', 'acme');
SELECT DISTINCT query, owner, options FROM search_messages('sourdough', 'acme', '{"limit": 2}');
-- newest first: by created_at, the title matches at their conversation's creation
SELECT kind, conversation_id, message_id, created_at FROM search_messages('sourdough', 'acme', '{"order": "newest"}');
SELECT kind, conversation_id, message_id FROM search_messages('sourdough', 'acme', '{"order": "rank"}');
-- a long message: the snippet is at most 12 tokens around the match, with "…"
SELECT snippet FROM search_messages('months', 'acme');
-- several terms are all highlighted; diacritics are folded both ways
SELECT snippet FROM search_messages('kale leeks', 'acme');
SELECT snippet FROM search_messages('creme fraiche', 'acme');
SELECT snippet FROM search_messages('crème', 'acme');
-- case-insensitive
SELECT kind, conversation_id FROM search_messages('WINTER', 'acme') ORDER BY kind, conversation_id, message_id;

-- ---------------------------------------------------------------- owner filter
SELECT 'other', kind, conversation_id, message_id FROM search_messages('sourdough', 'other');
SELECT 'nobody', count(*) FROM search_messages('sourdough', 'nobody');
-- NULL (or no) owner: every owner
SELECT 'all', kind, conversation_id, message_id FROM search_messages('sourdough', NULL) ORDER BY 2, 3, 4;
SELECT 'all', count(*) FROM search_messages('sourdough');
-- a title of another owner is not found through acme
SELECT count(*) FROM search_messages('bread', 'acme');
SELECT kind, conversation_id FROM search_messages('bread', 'other') ORDER BY 1, 2;

-- ---------------------------------------------------------------- titles: false
SELECT kind, conversation_id, message_id FROM search_messages('garden', 'acme');
SELECT count(*) FROM search_messages('garden', 'acme', '{"titles": false}');
SELECT kind, count(*) FROM search_messages('sourdough', 'acme', '{"titles": false}') GROUP BY kind;
SELECT kind, count(*) FROM search_messages('sourdough', 'acme', '{"titles": true}') GROUP BY kind;

-- ---------------------------------------------------------------- syntax
-- fts5 (the default): operators, phrases, prefixes
SELECT 'or', message_id FROM search_messages('kale OR flat') ORDER BY 2;
SELECT 'not', message_id FROM search_messages('sourdough NOT starter', NULL, '{"titles": false}') ORDER BY 2;
SELECT 'phrase', message_id FROM search_messages('"discard half"') ORDER BY 2;
SELECT 'prefix', message_id FROM search_messages('veget*') ORDER BY 2;
-- a column filter: only with titles: false (the title index has no column
-- "content")
SELECT 'column', message_id FROM search_messages('content:flat', NULL, '{"titles": false}') ORDER BY 2;
-- plain: every word literally, all of them must occur; operators and
-- quotes are just words
SELECT 'plain', message_id FROM search_messages('kale OR flat', NULL, '{"syntax": "plain"}') ORDER BY 2;
SELECT 'plain', message_id FROM search_messages('kale   leeks', NULL, '{"syntax": "plain"}') ORDER BY 2;
SELECT 'plain', count(*) FROM search_messages('veget*', NULL, '{"syntax": "plain"}');
SELECT 'plain', message_id FROM search_messages('"sourdough starter', NULL, '{"syntax": "plain", "titles": false}') ORDER BY 2;
SELECT 'plain', message_id FROM search_messages('AND (flour', NULL, '{"syntax": "plain"}') ORDER BY 2;
SELECT 'plain', message_id FROM search_messages('content:flat', NULL, '{"syntax": "plain"}') ORDER BY 2;
SELECT 'explicit fts5', count(*) FROM search_messages('kale OR flat', NULL, '{"syntax": "fts5"}');
-- FTS5 cannot parse these: a chatflow error naming the query
SELECT * FROM search_messages('"unterminated'); -- error
SELECT * FROM search_messages('AND'); -- error
SELECT * FROM search_messages('kale OR'); -- error
SELECT * FROM search_messages('(kale'); -- error
SELECT * FROM search_messages('x.y'); -- error
SELECT * FROM search_messages('foo:bar'); -- error
SELECT * FROM search_messages('content:flat'); -- error
SELECT * FROM search_messages('*'); -- error
-- ... the same text as plain is fine
SELECT count(*) FROM search_messages('"unterminated', NULL, '{"syntax": "plain"}');
SELECT count(*) FROM search_messages('AND', NULL, '{"syntax": "plain"}');
SELECT count(*) FROM search_messages('x.y', NULL, '{"syntax": "plain"}');

-- ---------------------------------------------------------------- bad arguments
SELECT * FROM search_messages(''); -- error
SELECT * FROM search_messages('   '); -- error
SELECT * FROM search_messages(NULL); -- error
SELECT * FROM search_messages(42); -- error
SELECT * FROM search_messages(x'6b616c65'); -- error
SELECT * FROM search_messages(printf('%.1001c', 'a')); -- error
SELECT * FROM search_messages(CAST(x'6bff' AS TEXT)); -- error
SELECT * FROM search_messages('ka' || char(0) || 'le'); -- error
SELECT count(*) FROM search_messages(printf('%.1000c', 'a'));
SELECT * FROM search_messages('kale', 5); -- error
SELECT * FROM search_messages('kale', x'61636d65'); -- error
SELECT * FROM search_messages('kale', 'acme', 5); -- error
SELECT * FROM search_messages('kale', 'acme', 'nope'); -- error
SELECT * FROM search_messages('kale', 'acme', '[1]'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"order": "oldest"}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"order": 1}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"syntax": "regex"}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"titles": "no"}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"deleted": 1}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"limit": 0}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"limit": 501}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"limit": "5"}'); -- error
SELECT * FROM search_messages('kale', 'acme', '{"unknown": 1}'); -- error
SELECT * FROM search_messages; -- error
-- NULL options are no options
SELECT count(*) FROM search_messages('kale', 'acme', NULL);

-- ---------------------------------------------------------------- limit
SELECT count(add_message(2, 'user', 'limit test number ' || value, json_object('created_at',
         strftime('%Y-%m-%dT%H:%M:%fZ', '2025-12-10', '+' || value || ' minutes'))))
  FROM generate_series(1, 60);
SELECT count(*) FROM search_messages('limit test');
SELECT count(*) FROM search_messages('limit test', 'acme', '{"limit": 500}');
SELECT group_concat(seq, ' ') FROM search_messages('limit test', 'acme', '{"limit": 3, "order": "newest"}');
SELECT count(*) FROM search_messages('limit test', 'acme', '{"limit": 1}');

-- ---------------------------------------------------------------- deleted conversations
SELECT delete_conversation(1);
SELECT 'deleted hidden', count(*) FROM search_messages('sourdough', 'acme');
SELECT 'deleted hidden', kind, conversation_id FROM search_messages('sourdough', 'acme');
SELECT 'deleted false', count(*) FROM search_messages('sourdough', 'acme', '{"deleted": false}');
SELECT 'deleted asked', kind, conversation_id, message_id FROM search_messages('sourdough', 'acme', '{"deleted": true}')
 ORDER BY 2, 3, 4;
SELECT restore_conversation(1);
SELECT 'restored', count(*) FROM search_messages('sourdough', 'acme');

-- ---------------------------------------------------------------- raw SQL stays searchable
INSERT INTO chat_messages (conversation_id, role, content, created_at)
VALUES (2, 'tool', 'raw inserted zucchini report', '2025-12-20T00:00:00.000Z');
SELECT conversation_id, seq, role, snippet FROM search_messages('zucchini');
-- a raw INSERT of a conversation with a title
INSERT INTO chat_conversations (uid, owner, title, created_at, updated_at)
VALUES ('s4', 'acme', 'Rhubarb jam', '2025-12-21T00:00:00.000Z', '2025-12-21T00:00:00.000Z');
SELECT kind, conversation_id, snippet FROM search_messages('rhubarb');
-- raw DELETE of a message
DELETE FROM chat_messages WHERE content = 'raw inserted zucchini report';
SELECT 'after raw delete', count(*) FROM search_messages('zucchini');

-- ---------------------------------------------------------------- title changes
-- (raw UPDATEs stamp updated_at with the real time: not printed)
UPDATE chat_conversations SET title = 'Rhubarb and ginger jam' WHERE id = 4;
SELECT kind, snippet FROM search_messages('ginger');
SELECT count(*) FROM search_messages('rhubarb');
UPDATE chat_conversations SET title = 'Plum jam' WHERE id = 4;
SELECT 'old title', count(*) FROM search_messages('rhubarb OR ginger');
SELECT 'new title', kind, snippet FROM search_messages('plum');
UPDATE chat_conversations SET title = NULL WHERE id = 4;
SELECT 'no title', count(*) FROM search_messages('plum OR jam');
UPDATE chat_conversations SET title = 'Quince paste' WHERE id = 4;
SELECT 'title again', snippet FROM search_messages('quince');
-- an update of other columns leaves the title indexed once
UPDATE chat_conversations SET model = 'm' WHERE id = 4;
SELECT 'once', count(*) FROM search_messages('quince');

-- ---------------------------------------------------------------- retention and purge
-- delete_old_messages(20, 3) at 2026-01-01: messages created before
-- 2025-12-12 go, oldest first, 3 a call: 9 in three calls (the 5 of
-- December 1-3, then "limit test number 1".."4"); the index follows
SELECT 'before', (SELECT count(*) FROM chat_messages), (SELECT count(*) FROM search_messages('sourdough', NULL, '{"titles": false}'));
SELECT delete_old_messages(20, 3);
SELECT delete_old_messages(20, 3);
SELECT delete_old_messages(20, 3);
SELECT 'after', (SELECT count(*) FROM chat_messages), (SELECT count(*) FROM search_messages('sourdough', NULL, '{"titles": false}')),
       (SELECT min(created_at) FROM chat_messages);
-- the titles are still found
SELECT kind, conversation_id FROM search_messages('sourdough') ORDER BY 2;
SELECT count(*) FROM search_messages('limit test', NULL, '{"limit": 500}');
-- purge: soft-delete c2 and purge it; its messages and title leave the index
SELECT delete_conversation(2);
SELECT chatflow_clock('2026-03-01T00:00:00.000Z');
SELECT 'purged rows', purge_deleted(30, 10000);
SELECT count(*) FROM chat_conversations WHERE id = 2;
SELECT 'after purge', count(*) FROM search_messages('limit test OR winter OR kale', NULL, '{"deleted": true}');
-- purge_conversation too
SELECT purge_conversation(3);
SELECT 'after purge_conversation', count(*) FROM search_messages('bread OR flat', NULL, '{"deleted": true}');
-- the index agrees with its content tables
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');
INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check');
SELECT (SELECT count(*) FROM chat_messages_fts_docsize), (SELECT count(*) FROM chat_messages),
       (SELECT count(*) FROM chat_titles_fts_docsize), (SELECT count(*) FROM chat_conversations WHERE title IS NOT NULL);
