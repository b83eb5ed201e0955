-- 51_search_edge: search_messages edge cases found by review.
--  1. A query that starts with '*' is an FTS5 "special query" ('*reads',
--     '*id'): no search at all. It must be refused as an invalid query —
--     not return nothing silently, nor fail with FTS5's "no such cursor"
--     when messages wait for the index.
--  2. A message not indexed yet is ranked as it will be once indexed, also
--     when the newest indexed message starts with a word that is not plain
--     ASCII ("Café"): the statistics are read through a whole ASCII word of
--     it, not the "Caf" of "Café", which the index does not hold.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'T');
SELECT add_message(1, 'user', 'hello bread');

-- 1. special queries: refused, whether messages wait for the index or not
SELECT * FROM search_messages('*reads'); -- error
SELECT * FROM search_messages('*id'); -- error
SELECT * FROM search_messages('*reads', NULL, '{"titles": false}'); -- error
SELECT chatflow_index();
SELECT * FROM search_messages('*reads'); -- error
SELECT * FROM search_messages('*id'); -- error
SELECT * FROM search_messages('*'); -- error
-- as plain text, '*' is taken literally (a word without a token)
SELECT count(*) FROM search_messages('*reads', NULL, '{"syntax": "plain"}');

-- 2. the rank of a waiting message equals its rank once indexed
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
SELECT count(add_message(1, 'user', 'bread number ' || i)) FROM n;
SELECT add_message(1, 'user', 'Café au lait');
SELECT chatflow_index() > 0;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'bread cake');
CREATE TEMP TABLE before AS
  SELECT message_id, rank FROM search_messages('bread cake', NULL, '{"titles": false}');
SELECT chatflow_index();
SELECT b.message_id, abs(b.rank - a.rank) < 1e-9
  FROM before AS b JOIN search_messages('bread cake', NULL, '{"titles": false}') AS a
    ON a.message_id = b.message_id;

-- 3. plain syntax: the invisible characters of pasted text (U+200B, U+2060,
--    U+FEFF, every format character but the joiners) separate words like a space; they do not send the word to the
--    substring index, where no text holds "bread" + U+200B
SELECT add_message(1, 'user', 'fresh rye today');
SELECT count(*) FROM search_messages('rye' || char(8203), NULL, '{"syntax": "plain", "titles": false}');
SELECT count(*) FROM search_messages(char(65279) || 'rye', NULL, '{"syntax": "plain", "titles": false}');
SELECT count(*) FROM search_messages('fresh' || char(8288) || 'today', NULL, '{"syntax": "plain", "titles": false}');
SELECT count(*) FROM search_messages('fresh' || char(8203) || 'zzz', NULL, '{"syntax": "plain", "titles": false}');
-- and every other format character that ends a word for unicode61: a
-- right-to-left mark, a soft hyphen
SELECT count(*) FROM search_messages('rye' || char(8207), NULL, '{"syntax": "plain", "titles": false}');
SELECT count(*) FROM search_messages('fresh' || char(173) || 'rye', NULL, '{"syntax": "plain", "titles": false}');
-- a plain query of invisible characters only looks for nothing
SELECT count(*) FROM search_messages(char(8203), NULL, '{"syntax": "plain"}');
-- ZWJ stays: it joins an emoji
SELECT add_message(1, 'user', 'family 👨‍👩‍👧 photo');
SELECT message_id FROM search_messages('👨‍👩‍👧', NULL, '{"syntax": "plain", "titles": false}');
