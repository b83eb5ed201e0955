-- 27_search_long: search_messages over long messages (ext/snippet.c) — the
-- snippet of a 100,000-character message (match in the middle, at the end,
-- on every word), a 400,000-character message, cuts that keep grapheme
-- clusters whole, chatflow_snippet against FTS5's snippet(), its errors.
-- (The cost is measured by make bench, not here.)
.bail off
.mode list
.headers off

SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Long messages');
-- c1 m1: 100,000 characters, "needle" once in the middle of a sentence
SELECT add_message(1, 'user',
  replace(hex(zeroblob(8333)), '00', 'lorem ') || 'Here is the needle we want to find. '
  || substr(replace(hex(zeroblob(8333)), '00', 'ipsum '), 1, 100000 - 49998 - 36));
SELECT length(content) FROM chat_messages WHERE id = 1;
SELECT message_id, snippet FROM search_messages('needle');
-- the same message found by a word that occurs 8,333 times: the first window wins
SELECT message_id, snippet FROM search_messages('ipsum');
-- m2: "needle" as the last word: no ellipsis after it
SELECT add_message(1, 'user', replace(hex(zeroblob(16665)), '00', 'dolor ') || 'needle');
SELECT length(content) FROM chat_messages WHERE id = 2;
SELECT message_id, snippet FROM search_messages('needle', NULL, '{"titles": false}') ORDER BY 1;
-- m3: 99,999 characters, every one of its 50,000 words matches
SELECT add_message(1, 'user', rtrim(replace(hex(zeroblob(50000)), '00', 'a ')));
SELECT length(content) FROM chat_messages WHERE id = 3;
SELECT message_id, snippet, round(rank, 8) FROM search_messages('a');
SELECT message_id, snippet FROM search_messages('"a a a"');
-- m4: 400,000 characters (limit raised), matches at the start and the end
SELECT chatflow_config('limits.max_content_chars', '400000');
SELECT add_message(1, 'user', 'Start: ' || replace(hex(zeroblob(99996)), '00', 'sit ') || 'finish');
SELECT length(content) FROM chat_messages WHERE id = 4;
SELECT message_id, snippet FROM search_messages('start OR finish');
SELECT message_id, snippet FROM search_messages('finish');

-- ---------------------------------------------------------------- grapheme clusters
-- A cut after the window's last token takes the marks that belong to it:
-- keycap 1 (1 U+FE0F U+20E3) and a letter with U+20DD (enclosing circle);
-- FTS5's snippet() cuts them off.
SELECT create_conversation('acme', 'Clusters');
SELECT add_message(2, 'user', 'kiwi two three four five six seven eight nine ten eleven 1' || char(0xFE0F, 0x20E3) || ' twelve thirteen');
SELECT add_message(2, 'user', 'fig two three four five six seven eight nine ten eleven x' || char(0x20DD) || ' twelve thirteen');
SELECT add_message(2, 'user', 'Plain ' || char(0x1F469, 0x200D, 0x1F4BB) || ' kiwi and fig ' || char(0x1F44D, 0x1F3FD) || ' end');
SELECT message_id, snippet FROM search_messages('kiwi OR fig', NULL, '{"titles": false}') ORDER BY 1;
SELECT 'indexed', chatflow_index();
SELECT 'fts5 snippet()', rowid, snippet(chat_messages_fts, 0, '[', ']', '…', 12)
  FROM chat_messages_fts WHERE chat_messages_fts MATCH 'kiwi OR fig' ORDER BY rowid;
-- the cut bytes: U+FE0F U+20E3 and U+20DD kept whole
SELECT message_id, hex(substr(snippet, length(snippet) - 3, 3)) FROM search_messages('kiwi OR fig', NULL, '{"titles": false}') WHERE message_id IN (5, 6) ORDER BY 1;

-- ---------------------------------------------------------------- the same window as snippet()
-- On ordinary messages chatflow_snippet gives what FTS5's snippet() of
-- SQLite 3.40 gives, for every window size.
SELECT create_conversation('acme', 'Ordinary');
SELECT add_message(3, 'user', 'How do I feed a sourdough starter? Mine smells of acetone after two days. The starter is hungry: feed it twice a day with equal weights of flour and water.');
SELECT add_message(3, 'assistant', 'Pillars: Sourdough, Viennoiserie, Celebration cakes. The sourdough pillar covers starters, hydration, scoring and baking schedules for home bakers.');
SELECT add_message(3, 'user', 'Flour, water, salt. Flour again: water again. Salt, salt, salt and flour.');
SELECT 'indexed', chatflow_index();
WITH n(tokens) AS (VALUES (2), (5), (12), (20), (64)),
     q(query) AS (VALUES ('sourdough'), ('starter OR flour'), ('"flour and water"'), ('salt'),
                         ('NEAR(flour water, 3)'), ('feed OR hungry OR bakers'), ('starter*'))
SELECT sum((SELECT count(*) FROM chat_messages_fts
             WHERE chat_messages_fts MATCH q.query AND rowid > 7)),
       sum((SELECT count(*) FROM chat_messages_fts
             WHERE chat_messages_fts MATCH q.query AND rowid > 7
               AND snippet(chat_messages_fts, 0, '[', ']', '…', n.tokens)
                   = chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', n.tokens)))
  FROM q, n;

-- ---------------------------------------------------------------- chatflow_snippet errors
SELECT chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 0) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 65) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet(chat_messages_fts, 1, '[', ']', '…', 12) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet(chat_messages_fts, 0, '[', ']') FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet('x', 0, '[', ']', '…', 12); -- error
-- column and max_tokens: integer-valued REALs count (what JavaScript sends), nothing else
SELECT chatflow_snippet(chat_messages_fts, 0.0, '[', ']', '…', 3.0) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt';
SELECT chatflow_snippet(chat_messages_fts, 0.5, '[', ']', '…', 12) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet(chat_messages_fts, 0, '[', ']', '…', 1.5) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet(chat_messages_fts, '0', '[', ']', '…', 12) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
SELECT chatflow_snippet(chat_messages_fts, NULL, '[', ']', '…', 12) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt'; -- error
-- NULL markers are empty text, as in snippet()
SELECT chatflow_snippet(chat_messages_fts, 0, NULL, NULL, NULL, 3) FROM chat_messages_fts WHERE chat_messages_fts MATCH 'salt';
