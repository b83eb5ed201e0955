-- 69_search_spaces: search_messages separates words at white space of every
-- kind, as at an ASCII space: Unicode's White_Space — U+00A0 NO-BREAK SPACE,
-- U+3000 IDEOGRAPHIC SPACE (what an IME types for a space), U+2003, U+202F,
-- U+1680, U+2028, U+0085 NEXT LINE, \v and \f — in the default (FTS5) syntax
-- and in plain, between Latin words (the word index) and between CJK words
-- (the trigram index).  In the default syntax a "quoted string" is a phrase
-- of words when it holds no other character from U+0E00 on, so
-- "jam<U+3000>morning" is "jam morning"; a string with CJK is a substring,
-- its white space as typed.  A query of white space only is empty; errors
-- show the query as written.
.bail off
.mode list
.headers off

SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Bread' || char(12288) || 'notes');
-- 1 the words apart; 2 the words side by side; 3 and 4 Chinese, the words
-- apart and separated by U+3000; 5 separated by an ASCII space
SELECT add_message(1, 'user', 'I love fresh 🍞 every morning with jam');
SELECT add_message(1, 'user', 'jam morning toast');
SELECT add_message(1, 'user', '我们的面包店在里昂开业了');
SELECT add_message(1, 'user', '面包' || char(12288) || '里昂');
SELECT add_message(1, 'user', '面包 里昂');

-- the default syntax: each kind of white space between two Latin words is
-- an ASCII space (1 and 2 hold both words)
SELECT 'ascii', group_concat(message_id) FROM search_messages('jam morning');
SELECT 'U+3000', group_concat(message_id) FROM search_messages('jam' || char(12288) || 'morning');
SELECT 'U+00A0', group_concat(message_id) FROM search_messages('jam' || char(160) || 'morning');
SELECT 'U+2003', group_concat(message_id) FROM search_messages('jam' || char(8195) || 'morning');
SELECT 'U+202F', group_concat(message_id) FROM search_messages('jam' || char(8239) || 'morning');
SELECT 'U+1680', group_concat(message_id) FROM search_messages('jam' || char(5760) || 'morning');
SELECT 'U+2028', group_concat(message_id) FROM search_messages('jam' || char(8232) || 'morning');
SELECT 'U+0085', group_concat(message_id) FROM search_messages('jam' || char(133) || 'morning');
SELECT '\v \f', group_concat(message_id) FROM search_messages('jam' || char(11) || 'morning' || char(12) || 'love');
SELECT 'two', group_concat(message_id) FROM search_messages(char(12288) || 'jam' || char(160, 12288) || 'morning' || char(12288));
-- with the operators, prefixes and an emoji (the scripts path)
SELECT 'OR', group_concat(message_id) FROM search_messages('toast' || char(12288) || 'OR' || char(160) || 'love');
SELECT 'NOT', group_concat(message_id) FROM search_messages('jam' || char(12288) || 'NOT' || char(12288) || 'toast');
SELECT 'prefix', group_concat(message_id) FROM search_messages('mor*' || char(12288) || 'ja*');
SELECT 'emoji', group_concat(message_id) FROM search_messages('🍞' || char(12288) || 'jam');
-- between CJK words: two substrings, as with an ASCII space
SELECT 'cjk ascii', group_concat(message_id) FROM search_messages('面包 里昂');
SELECT 'cjk U+3000', group_concat(message_id) FROM search_messages('面包' || char(12288) || '里昂');
SELECT 'cjk U+00A0', group_concat(message_id) FROM search_messages('面包' || char(160) || '里昂');
-- the snippet marks both words; a title is searched the same way
SELECT kind, message_id, snippet FROM search_messages('fresh' || char(12288) || 'jam');
SELECT kind, snippet FROM search_messages('bread' || char(12288) || 'notes', NULL, '{"order": "newest"}');

-- quoted strings: without another character from U+0E00 on, a phrase of
-- words (its white space any kind): "jam morning" side by side, in 2 only
SELECT 'q ascii', group_concat(message_id) FROM search_messages('"jam morning"');
SELECT 'q U+3000', group_concat(message_id) FROM search_messages('"jam' || char(12288) || 'morning"');
SELECT 'q U+00A0', group_concat(message_id) FROM search_messages('"jam' || char(160) || 'morning"');
SELECT 'q ""', group_concat(message_id) FROM search_messages('"jam' || char(12288) || '""morning"');
-- with CJK, a substring: its white space as typed
SELECT 'q cjk U+3000', group_concat(message_id) FROM search_messages('"面包' || char(12288) || '里昂"');
SELECT 'q cjk ascii', group_concat(message_id) FROM search_messages('"面包 里昂"');
-- a string and words in one query, each as it is
SELECT 'mixed', group_concat(message_id) FROM search_messages('"面包' || char(12288) || '里昂"' || char(12288) || 'OR' || char(12288) || 'jam' || char(12288) || 'toast');

-- plain: the same words, the same rows
SELECT 'plain U+3000', group_concat(message_id) FROM search_messages('jam' || char(12288) || 'morning', NULL, '{"syntax": "plain"}');
SELECT 'plain U+00A0', group_concat(message_id) FROM search_messages('jam' || char(160) || 'morning', NULL, '{"syntax": "plain"}');
SELECT 'plain U+0085', group_concat(message_id) FROM search_messages('jam' || char(133) || 'morning', NULL, '{"syntax": "plain"}');
SELECT 'plain \f', group_concat(message_id) FROM search_messages('jam' || char(12) || 'morning', NULL, '{"syntax": "plain"}');
SELECT 'plain cjk U+3000', group_concat(message_id) FROM search_messages('面包' || char(12288) || '里昂', NULL, '{"syntax": "plain"}');
SELECT 'plain cjk U+00A0', group_concat(message_id) FROM search_messages('面包' || char(160) || '里昂', NULL, '{"syntax": "plain"}');
-- plain takes quotes as characters: "jam<U+3000>morning" is the words "jam and morning"
SELECT 'plain q', group_concat(message_id) FROM search_messages('"jam' || char(12288) || 'morning"', NULL, '{"syntax": "plain"}');

-- white space only is an empty query, in both syntaxes
SELECT * FROM search_messages(char(12288)); -- error
SELECT * FROM search_messages(char(160, 12288, 32, 133)); -- error
SELECT * FROM search_messages(char(12288), NULL, '{"syntax": "plain"}'); -- error
SELECT * FROM search_messages(char(11, 12)); -- error
-- an error shows the query as it was written
SELECT * FROM search_messages('jam' || char(12288) || 'AND'); -- error
SELECT * FROM search_messages('面包' || char(12288) || 'AND'); -- error
SELECT * FROM search_messages('"jam' || char(12288) || 'morning'); -- error
