-- 31_search_scripts: search_messages in scripts written without spaces and
-- emoji (the trigram indexes of migration 005): substrings of 1, 2 and 3+
-- characters in Chinese, Japanese and Thai, emoji, titles, a match at the
-- very end of a text, case folding beyond ASCII, how a query is routed
-- (each term by itself: a character from U+0E00 on goes to the trigram
-- index) in fts5 and plain syntax, the filters (owner, deleted, titles,
-- order, limit), rank and snippets, and grapheme-safe snippets on both
-- paths (ZWJ sequences, flags, skin tones, combining accents); the trigram
-- index follows raw INSERTs and DELETEs, title changes, retention and
-- purges (schema triggers).
.bail off
.mode list
.headers off

SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
-- c1 acme "面包店的计划" (a Chinese title), c2 acme "Trip", c3 other "東京"
SELECT create_conversation('acme', '面包店的计划', '{"uid": "z1", "created_at": "2025-12-01T00:00:00Z"}');
SELECT create_conversation('acme', 'Trip', '{"uid": "z2", "created_at": "2025-12-02T00:00:00Z"}');
SELECT create_conversation('other', '東京', '{"uid": "z3", "created_at": "2025-12-03T00:00:00Z"}');
SELECT add_message(1, 'user', '我们的面包店在里昂开业了', '{"created_at": "2025-12-01T01:00:00Z"}');
SELECT add_message(1, 'assistant', '恭喜！面包是每天早上烤的吗？面包和咖啡一起卖吗？', '{"created_at": "2025-12-01T02:00:00Z"}');
SELECT add_message(1, 'user', 'I love fresh 🍞 every morning with butter and jam from the market', '{"created_at": "2025-12-01T03:00:00Z"}');
SELECT add_message(1, 'user', 'Plain bread, no emoji here', '{"created_at": "2025-12-01T04:00:00Z"}');
SELECT add_message(2, 'user', '東京タワーに行きました', '{"created_at": "2025-12-02T01:00:00Z"}');
SELECT add_message(2, 'assistant', 'ร้านขนมปังของเราเปิดแล้ว', '{"created_at": "2025-12-02T02:00:00Z"}');
SELECT add_message(3, 'user', '東京で面包を買った', '{"created_at": "2025-12-03T01:00:00Z"}');

-- what the trigram indexes hold: the texts with a code point >= U+0E00
-- (messages reach the indexes in batches: the 6 wait above the mark)
SELECT 'not indexed yet', count(*) FROM chat_messages WHERE id > (SELECT indexed_upto FROM chatflow_search_state);
SELECT 'indexed', chatflow_index();
SELECT 'indexed messages', count(*) FROM chat_messages_trigram_docsize;
SELECT 'indexed titles', count(*) FROM chat_titles_trigram_docsize;

.headers on
-- ---------------------------------------------------------------- substrings
-- two characters, three, one: every one found inside a sentence
SELECT kind, conversation_id, message_id, snippet FROM search_messages('面包', 'acme');
.headers off
SELECT '面包店', kind, conversation_id, message_id, snippet FROM search_messages('面包店', 'acme');
SELECT '包', kind, conversation_id, message_id, snippet FROM search_messages('包', 'acme');
-- an emoji in an English sentence
SELECT '🍞', kind, message_id, snippet FROM search_messages('🍞');
-- Japanese and Thai
SELECT '東京', kind, conversation_id, message_id, snippet FROM search_messages('東京');
SELECT 'タワー', kind, message_id, snippet FROM search_messages('タワー');
SELECT 'ขนมปัง', kind, message_id, snippet FROM search_messages('ขนมปัง');
SELECT 'ปัง', kind, message_id, snippet FROM search_messages('ปัง');
-- a title in Chinese, alone
SELECT 'title', kind, conversation_id, message_id, snippet FROM search_messages('计划');
SELECT 'title', kind, conversation_id, snippet FROM search_messages('的计', 'acme', '{"titles": true}');
-- at the very end of a text: one, two and three characters
SELECT 'end 1', message_id, snippet FROM search_messages('了');
SELECT 'end 2', message_id, snippet FROM search_messages('业了');
SELECT 'end 3', message_id, snippet FROM search_messages('开业了');
SELECT 'end title', kind, snippet FROM search_messages('计划');
-- the first character, and the whole text
SELECT 'start', message_id, snippet FROM search_messages('我');
SELECT 'whole', message_id, snippet FROM search_messages('我们的面包店在里昂开业了');
-- no match: nothing, silently
SELECT 'none', count(*) FROM search_messages('面条');
SELECT 'none', count(*) FROM search_messages('🥐');
SELECT 'none', count(*) FROM search_messages('里昂开业了吗');

-- ---------------------------------------------------------------- case folding
-- the trigram tokenizer folds case (not diacritics) beyond ASCII: Cyrillic,
-- Greek, fullwidth Latin; the query is folded the same way for 1, 2 and 3+
SELECT add_message(2, 'user', 'ПРИВЕТ🍞МИР, ＡＢＣ and ΣΟΦΙΑ☕', '{"created_at": "2025-12-02T03:00:00Z"}');
SELECT 'fold', snippet FROM search_messages('привет🍞мир');
SELECT 'fold', snippet FROM search_messages('ａｂｃ');
SELECT 'fold', snippet FROM search_messages('ａ');
SELECT 'fold', snippet FROM search_messages('Ｂｃ');
SELECT 'fold', snippet FROM search_messages('σοφια☕');
SELECT 'fold', snippet FROM search_messages('α☕', NULL, '{"syntax": "plain"}');
-- (σοφια and мир, without a script character, are words of the unicode61
-- index, where 🍞 and ☕ separate words)
SELECT 'word', snippet FROM search_messages('σοφια');
SELECT 'word', snippet FROM search_messages('мир');

-- ---------------------------------------------------------------- routing
-- a query without a character from U+0E00 on is unchanged: words of the
-- unicode61 index (ASCII, Latin with accents, Greek, Cyrillic)
SELECT 'words', message_id, snippet FROM search_messages('bread');
-- fts5 syntax: each term by itself; "bread 🍞" needs both (no message has)
SELECT 'and', count(*) FROM search_messages('bread 🍞');
SELECT 'and', message_id, snippet FROM search_messages('fresh 🍞');
SELECT 'and', message_id, snippet FROM search_messages('fresh AND 🍞 AND butt*');
SELECT 'or', message_id, snippet FROM search_messages('bread OR 🍞') ORDER BY message_id;
SELECT 'not', kind, message_id, snippet FROM search_messages('面包 NOT 咖啡', 'acme');
SELECT 'not', kind, message_id FROM search_messages('面包 NOT (咖啡 OR 里昂)', 'acme');
SELECT 'nest', message_id FROM search_messages('(bread OR 🍞) AND (plain OR fresh) NOT jam') ORDER BY 1;
-- a quoted string with a script character is one substring, spaces included
SELECT 'phrase', message_id, snippet FROM search_messages('"fresh 🍞 every"');
SELECT 'phrase', count(*) FROM search_messages('"fresh  🍞"');
-- a prefix star on a script term changes nothing (a substring already)
SELECT 'star', message_id FROM search_messages('面包*', 'acme', '{"titles": false}') ORDER BY 1;
-- plain syntax: words by white space, all must occur; a word with a script
-- character is cut at punctuation and white space (U+3000 too)
SELECT 'plain', message_id, snippet FROM search_messages('fresh 🍞', NULL, '{"syntax": "plain"}');
SELECT 'plain', message_id FROM search_messages('「面包」。咖啡？', NULL, '{"syntax": "plain"}');
SELECT 'plain', message_id FROM search_messages('面包　里昂', NULL, '{"syntax": "plain"}');
SELECT 'plain', count(*) FROM search_messages('bread OR 🍞', NULL, '{"syntax": "plain"}');
SELECT 'plain', count(*) FROM search_messages('。、！', NULL, '{"syntax": "plain"}');
-- a word term without a token (only punctuation) constrains nothing, as in
-- FTS5's implicit AND: left out of AND, OR and NOT alike
SELECT 'empty', message_id FROM search_messages('面包店 ?', NULL, '{"syntax": "plain"}');
SELECT 'empty', message_id FROM search_messages('面包店 "?"', NULL, '{"titles": false}');
SELECT 'empty', message_id FROM search_messages('"?" OR 面包店', NULL, '{"titles": false}');
SELECT 'empty', message_id FROM search_messages('面包店 NOT "!"', NULL, '{"titles": false}');
SELECT 'empty', count(*) FROM search_messages('"?" NOT 面包店');
-- errors: FTS5's own syntax errors first, then what this path cannot do
SELECT * FROM search_messages('面包 AND'); -- error
SELECT * FROM search_messages('"面包'); -- error
SELECT * FROM search_messages('(面包'); -- error
SELECT * FROM search_messages('NEAR(面包 店)'); -- error
SELECT * FROM search_messages('content:面包'); -- error
SELECT * FROM search_messages('^面包'); -- error
SELECT * FROM search_messages('面包 + 店'); -- error
SELECT * FROM search_messages('bread NEAR(fresh 🍞)'); -- error
-- ... the same text as plain is fine
SELECT 'plain ok', count(*) FROM search_messages('NEAR(面包 店)', NULL, '{"syntax": "plain"}');
SELECT 'plain ok', count(*) FROM search_messages('content:面包', NULL, '{"syntax": "plain"}');

-- ---------------------------------------------------------------- filters, order, rank
-- owner
SELECT 'owner acme', kind, conversation_id, message_id FROM search_messages('面包', 'acme') ORDER BY 2, 3, 4;
SELECT 'owner other', kind, conversation_id, message_id FROM search_messages('面包', 'other');
SELECT 'owner nobody', count(*) FROM search_messages('面包', 'nobody');
SELECT 'all owners', kind, conversation_id, message_id FROM search_messages('面包') ORDER BY 2, 3, 4;
-- titles: false
SELECT 'no titles', kind, message_id FROM search_messages('面包', NULL, '{"titles": false}') ORDER BY 3;
-- rank: lower is better; the message that says 面包 twice in a short text
-- beats a longer one that says it once; the columns are those of the word path
SELECT 'rank', kind, message_id, round(rank, 3) FROM search_messages('面包', 'acme', '{"titles": false}');
SELECT 'rank', count(*), sum(rank < 0), typeof(rank), typeof(message_id), typeof(seq), typeof(created_at)
  FROM search_messages('面包', 'acme', '{"titles": false}');
SELECT DISTINCT 'hidden', query, owner, options FROM search_messages('面包', 'acme', '{"limit": 2}');
-- newest first, and limit
SELECT 'newest', kind, conversation_id, message_id, created_at FROM search_messages('面包', NULL, '{"order": "newest"}');
SELECT 'limit', kind, message_id FROM search_messages('面包', NULL, '{"order": "newest", "limit": 2}');
SELECT 'limit', kind, message_id FROM search_messages('面包', NULL, '{"limit": 1}');
SELECT count(add_message(2, 'user', '第' || value || '个面包', json_object('created_at',
         strftime('%Y-%m-%dT%H:%M:%fZ', '2025-12-10', '+' || value || ' minutes'))))
  FROM generate_series(1, 60);
SELECT 'limit', count(*) FROM search_messages('个面包');
SELECT 'limit', count(*) FROM search_messages('个面包', NULL, '{"limit": 500}');
SELECT 'limit', group_concat(snippet, ' ') FROM search_messages('个面包', NULL, '{"limit": 3, "order": "newest"}');
-- rank order over many rows equals sorting all of them (ties: newest first)
SELECT 'rank order', count(*) FROM (
  SELECT message_id, rank, row_number() OVER () AS k FROM search_messages('面包', NULL, '{"limit": 500}')) AS a
  JOIN (SELECT message_id, row_number() OVER (ORDER BY rank, created_at DESC, message_id DESC NULLS LAST, conversation_id DESC) AS k
          FROM search_messages('面包', NULL, '{"limit": 500}')) AS b USING (k)
 WHERE a.message_id IS b.message_id;
SELECT 'rank order', count(*) FROM search_messages('面包', NULL, '{"limit": 500}');
-- the best 5 of rank order are the first 5 of the whole order
SELECT 'top 5', group_concat(ifnull(message_id, 't'), ' ') FROM search_messages('面包', NULL, '{"limit": 5}');
SELECT 'top 5', group_concat(ifnull(message_id, 't'), ' ') FROM (SELECT message_id FROM search_messages('面包', NULL, '{"limit": 500}') LIMIT 5);

-- ---------------------------------------------------------------- snippets
-- around the hit in a long Chinese text: at most 32 grapheme clusters
SELECT add_message(2, 'assistant', '这是一段很长的中文文本，用来测试摘要功能是否正确。我们在文本的中间提到了法棍面包，然后继续写很多别的内容，直到文本结束为止。', '{"created_at": "2025-12-20T00:00:00Z"}');
SELECT 'long', snippet, length(replace(replace(replace(snippet, '…', ''), '[', ''), ']', '')) FROM search_messages('法棍');
-- every occurrence in the window is marked; distinct terms preferred
SELECT 'marks', snippet FROM search_messages('面包 咖啡', 'acme');
-- in text with spaces the window's edges move to white space
SELECT 'words', snippet FROM search_messages('🍞');
-- never inside a grapheme cluster: a part of a ZWJ sequence, of a flag, an
-- emoji without its skin tone, a base letter without its accent
SELECT add_message(2, 'user', 'Our family 👨‍👩‍👧 went to Paris 🇫🇷🇩🇪 and then gave a thumbs up 👍🏽 to the café ' || 'cafe' || char(769) || ' 🎉 at the end of a trip that lasted long', '{"created_at": "2025-12-21T00:00:00Z"}');
SELECT 'zwj', snippet FROM search_messages('👩');
SELECT 'zwj', snippet FROM search_messages('👨‍👩‍👧');
SELECT 'flag', snippet FROM search_messages('🇷');
SELECT 'flags', snippet FROM search_messages('🇷🇩');
SELECT 'skin', snippet FROM search_messages('👍');
SELECT 'skin', snippet FROM search_messages('🏽');
-- (quoted: one substring, the space included)
SELECT 'accent', snippet FROM search_messages('"e' || char(769) || ' 🎉"');
SELECT 'accent', snippet FROM search_messages('"' || char(769) || ' 🎉"');
-- in bytes: the mark opens before the e, not between e and its accent
SELECT 'accent hex', instr(hex(snippet), '5B65CC8120F09F8E895D') > 0, instr(hex(snippet), '655BCC81') = 0
  FROM search_messages('"' || char(769) || ' 🎉"');
-- the word path's snippets keep clusters whole too (chatflow_snippet):
-- the accent stays with its e, the skin tone with its hand
INSERT INTO chat_messages (conversation_id, role, content, created_at)
VALUES (2, 'user', 'one two three four five six seven eight nine ten eleven twelve👍🏽 thirteen', '2025-12-22T00:00:00.000Z'),
       (2, 'user', 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda cafe' || char(769) || char(769) || ' mu nu', '2025-12-22T00:00:01.000Z'),
       (2, 'user', 'cafe' || char(769) || ' au lait', '2025-12-22T00:00:02.000Z');
SELECT 'word path', snippet FROM search_messages('one');
SELECT 'word path', hex(substr(snippet, -3)) FROM search_messages('alpha');
SELECT 'word path', snippet, hex(snippet) FROM search_messages('cafe au');

-- ---------------------------------------------------------------- the index follows every write
-- raw INSERT: found at once; raw DELETE: gone at once
INSERT INTO chat_messages (conversation_id, role, content, created_at)
VALUES (2, 'tool', '生のSQLで挿入した報告書', '2025-12-23T00:00:00.000Z');
SELECT 'raw insert', conversation_id, role, snippet FROM search_messages('報告');
SELECT 'raw insert', conversation_id, role, snippet FROM search_messages('書');
DELETE FROM chat_messages WHERE content = '生のSQLで挿入した報告書';
SELECT 'raw delete', count(*) FROM search_messages('報告');
SELECT 'raw delete', count(*) FROM search_messages('書');
SELECT 'raw delete', count(*) FROM search_messages('生のSQLで');
-- the trigram index agrees with the tables: one row per text that is not
-- plain ASCII (which includes every text with a script character), and
-- every indexed id exists
SELECT 'indexed', chatflow_index();
INSERT INTO chat_messages_trigram (chat_messages_trigram) VALUES ('integrity-check');
SELECT 'agrees', (SELECT count(*) FROM chat_messages_trigram_docsize),
       (SELECT count(*) FROM chat_messages WHERE length(CAST(content AS BLOB)) > length(content)),
       (SELECT count(*) FROM chat_messages_trigram_docsize WHERE id NOT IN (SELECT id FROM chat_messages));
-- a title: raw insert, update, cleared, back
INSERT INTO chat_conversations (uid, owner, title, created_at, updated_at)
VALUES ('z4', 'acme', '🍰 Cake ideas', '2025-12-21T00:00:00.000Z', '2025-12-21T00:00:00.000Z');
SELECT 'title', kind, conversation_id, snippet FROM search_messages('🍰');
UPDATE chat_conversations SET title = '🧁 Cupcake ideas' WHERE id = 4;
SELECT 'title', count(*) FROM search_messages('🍰');
SELECT 'title', kind, snippet FROM search_messages('🧁 cupcake');
UPDATE chat_conversations SET title = 'Cupcakes' WHERE id = 4;
SELECT 'title', count(*) FROM search_messages('🧁');
SELECT 'title', kind, snippet FROM search_messages('cupcakes');
UPDATE chat_conversations SET title = '🧁' WHERE id = 4;
SELECT 'title', kind, snippet FROM search_messages('🧁');
-- deleted conversations are left out unless asked
SELECT delete_conversation(2);
SELECT 'deleted', count(*) FROM search_messages('東京');
SELECT 'deleted', kind, conversation_id, message_id FROM search_messages('東京', NULL, '{"deleted": true}') ORDER BY 2, 3, 4;
SELECT restore_conversation(2);
SELECT 'restored', count(*) FROM search_messages('東京');
-- retention: delete_old_messages removes old messages from the index
SELECT 'before retention', count(*) FROM search_messages('面包', NULL, '{"titles": false, "limit": 500}');
SELECT delete_old_messages(25, 100);
SELECT 'after retention', count(*) FROM search_messages('面包', NULL, '{"titles": false, "limit": 500}');
SELECT 'after retention', count(*) FROM search_messages('東京タワー');
-- purge: its messages and title leave the index
SELECT delete_conversation(3);
SELECT 'purge', purge_conversation(3);
SELECT 'after purge', count(*) FROM search_messages('東京', NULL, '{"deleted": true}');
SELECT 'after purge', count(*) FROM search_messages('東', NULL, '{"deleted": true}');
SELECT delete_conversation(2);
SELECT chatflow_clock('2026-06-01T00:00:00.000Z');
SELECT 'purge_deleted', purge_deleted(30, 10000);
SELECT 'after purge_deleted', count(*) FROM search_messages('个面包', NULL, '{"deleted": true}');
SELECT 'after purge_deleted', count(*) FROM search_messages('👍', NULL, '{"deleted": true}');
-- and at the end
SELECT 'indexed', chatflow_index();
INSERT INTO chat_messages_trigram (chat_messages_trigram) VALUES ('integrity-check');
INSERT INTO chat_titles_trigram (chat_titles_trigram) VALUES ('integrity-check');
SELECT 'agrees', (SELECT count(*) FROM chat_messages_trigram_docsize),
       (SELECT count(*) FROM chat_messages WHERE length(CAST(content AS BLOB)) > length(content)),
       (SELECT count(*) FROM chat_messages_trigram_docsize WHERE id NOT IN (SELECT id FROM chat_messages)),
       (SELECT count(*) FROM chat_titles_trigram_docsize),
       (SELECT count(*) FROM chat_conversations WHERE length(CAST(title AS BLOB)) > length(title));
