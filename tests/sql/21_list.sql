-- 21_list: conversation_list (ext/list_vtab.c) — previews of the last
-- message (also one written by raw SQL), cut at a grapheme boundary, the order (pinned first, then
-- updated_at newest first, ties by id newest first), the deleted/archived
-- options, limit bounds, keyset pagination (a walk returns every row once,
-- also while conversations change between pages), invalid cursors, owner
-- isolation, and the query plans of the generated arms.
.bail off
.mode list
.headers off

-- before chatflow_init() it refuses
SELECT * FROM conversation_list('acme'); -- error

SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
-- the list's columns next to the table's, for the preview checks below
CREATE TEMP VIEW cl AS
SELECT c.*, l.last_message_preview FROM chat_conversations AS c JOIN conversation_list('acme') AS l USING (id);

-- ---------------------------------------------------------------- previews
-- c1 (acme): a message of 130 two-byte characters: the preview is its first
-- 120 characters (characters, not bytes)
SELECT create_conversation('acme', 'preview', '{"uid": "u1", "created_at": "2025-11-01T00:00:00Z"}');
SELECT add_message(1, 'user', 'first message', '{"created_at": "2025-11-01T01:00:00Z"}');
SELECT last_message_preview FROM cl WHERE id = 1;
SELECT add_message(1, 'assistant', replace(printf('%.130c', 'x'), 'x', 'é'),
                   '{"created_at": "2025-11-01T02:00:00Z"}');
SELECT length(content), length(CAST(content AS BLOB)) FROM chat_messages WHERE conversation_id = 1 AND seq = 2;
SELECT length(last_message_preview), length(CAST(last_message_preview AS BLOB)),
       last_message_preview = replace(printf('%.120c', 'x'), 'x', 'é')
  FROM cl WHERE id = 1;
SELECT length(last_message_preview), last_message_preview FROM conversation_list('acme');
-- exactly 120 characters stay whole; 121 are cut to 120
SELECT add_message(1, 'user', printf('%.120c', 'a'), '{"created_at": "2025-11-01T03:00:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.120c', 'a') FROM cl WHERE id = 1;
SELECT add_message(1, 'user', printf('%.121c', 'b'), '{"created_at": "2025-11-01T04:00:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.120c', 'b') FROM cl WHERE id = 1;
-- a raw INSERT moves the preview like add_message does
INSERT INTO chat_messages (conversation_id, role, content, created_at)
VALUES (1, 'assistant', 'raw insert', '2025-11-01T05:00:00.000Z');
SELECT message_count, last_seq, last_message_preview FROM cl WHERE id = 1;
-- deleting the last message (raw SQL) falls back to the one before it
DELETE FROM chat_messages WHERE conversation_id = 1 AND seq = 5;
SELECT message_count, last_seq, length(last_message_preview), substr(last_message_preview, 1, 3)
  FROM cl WHERE id = 1;
-- deleting an older message leaves the preview
DELETE FROM chat_messages WHERE conversation_id = 1 AND seq = 1;
SELECT message_count, length(last_message_preview), substr(last_message_preview, 1, 3)
  FROM cl WHERE id = 1;
-- deleting all of them clears it
DELETE FROM chat_messages WHERE conversation_id = 1;
SELECT message_count, last_seq, quote(last_message_preview), quote(last_message_at) FROM cl WHERE id = 1;
-- the next message (seq goes on from last_seq) is the preview again
SELECT add_message(1, 'user', 'again', '{"created_at": "2025-11-01T06:00:00Z"}');
SELECT seq, last_message_preview FROM chat_messages JOIN cl AS c ON c.id = conversation_id
 WHERE conversation_id = 1;
-- a message with parts and no content previews as its text parts joined
SELECT add_message(1, 'assistant', NULL, '{"parts": [{"type": "text", "text": "in parts"}], "created_at": "2025-11-01T07:00:00Z"}');
SELECT quote(last_message_preview) FROM cl WHERE id = 1;
DELETE FROM chat_messages WHERE conversation_id = 1 AND content = '';
SELECT quote(last_message_preview) FROM cl WHERE id = 1;

-- ---------------------------------------------------------------- order
-- acme: c2..c9 at distinct times, c10 and c11 tied with c9 on updated_at;
-- c12 belongs to another owner with the newest time of all
SELECT create_conversation('acme', 'c' || value, json_object('uid', 'u' || value,
         'created_at', printf('2025-12-%02dT00:00:00.000Z', value)))
  FROM generate_series(2, 9);
SELECT create_conversation('acme', 'c10', '{"uid": "u10", "created_at": "2025-12-09T00:00:00.000Z"}');
SELECT create_conversation('acme', 'c11', '{"uid": "u11", "created_at": "2025-12-09T00:00:00.000Z"}');
SELECT create_conversation('other', 'c12', '{"uid": "u12", "created_at": "2025-12-31T00:00:00.000Z"}');
SELECT add_message(12, 'user', 'not yours', '{"created_at": "2025-12-31T00:00:00Z"}');
-- pin c3 and c5 (raw SQL giving updated_at a new value too, so the touch
-- trigger does not stamp the real time)
UPDATE chat_conversations SET pinned_at = '2025-12-20T00:00:00.000Z', updated_at = '2025-12-03T12:00:00.000Z' WHERE id = 3;
UPDATE chat_conversations SET pinned_at = '2025-12-20T00:00:00.000Z', updated_at = '2025-12-05T12:00:00.000Z' WHERE id = 5;
.headers on
SELECT id, uid, title, pinned_at, updated_at, message_count, last_message_preview, cursor
  FROM conversation_list('acme');
.headers off
-- the whole row of one conversation, including the hidden columns
.headers on
SELECT * , owner, options FROM conversation_list('acme', '{"limit": 1}');
.headers off
-- another owner sees only their own; an unknown owner nothing
SELECT id, title, last_message_preview FROM conversation_list('other');
SELECT count(*) FROM conversation_list('nobody');
-- owners are exact (no case folding, no patterns)
SELECT count(*) FROM conversation_list('ACME');
SELECT count(*) FROM conversation_list('acm%');
-- a new message moves its conversation to the top of the unpinned ones
SELECT add_message(2, 'user', 'bump c2', '{"created_at": "2025-12-15T00:00:00Z"}');
SELECT group_concat(id, ' ') FROM conversation_list('acme');
-- an empty owner, NULL, a number: errors
SELECT * FROM conversation_list(''); -- error
SELECT * FROM conversation_list(NULL); -- error
SELECT * FROM conversation_list(7); -- error
SELECT * FROM conversation_list(x'61636d65'); -- error
SELECT * FROM conversation_list; -- error

-- ---------------------------------------------------------------- deleted and archived
SELECT delete_conversation(4);
UPDATE chat_conversations SET archived_at = '2025-12-21T00:00:00.000Z', updated_at = '2025-12-06T06:00:00.000Z' WHERE id = 6;
UPDATE chat_conversations SET archived_at = '2025-12-21T00:00:00.000Z', pinned_at = '2025-12-21T00:00:00.000Z',
       updated_at = '2025-12-07T06:00:00.000Z' WHERE id = 7;
-- c8 both archived and deleted
UPDATE chat_conversations SET archived_at = '2025-12-21T00:00:00.000Z', updated_at = '2025-12-08T06:00:00.000Z' WHERE id = 8;
SELECT delete_conversation(8);
SELECT id, pinned_at, archived_at, deleted_at, updated_at FROM chat_conversations WHERE id IN (4, 6, 7, 8) ORDER BY id;
SELECT 'default', group_concat(id, ' ') FROM conversation_list('acme');
SELECT 'archived false', group_concat(id, ' ') FROM conversation_list('acme', '{"archived": false}');
SELECT 'archived true', group_concat(id, ' ') FROM conversation_list('acme', '{"archived": true}');
SELECT 'archived all', group_concat(id, ' ') FROM conversation_list('acme', '{"archived": "all"}');
SELECT 'deleted false', group_concat(id, ' ') FROM conversation_list('acme', '{"deleted": false}');
-- deleted: true lists only soft-deleted ones, by the same archived rule
SELECT 'deleted', group_concat(id, ' ') FROM conversation_list('acme', '{"deleted": true}');
SELECT 'deleted archived', group_concat(id, ' ') FROM conversation_list('acme', '{"deleted": true, "archived": true}');
SELECT 'deleted all', group_concat(id, ' ') FROM conversation_list('acme', '{"deleted": true, "archived": "all"}');
SELECT id, deleted_at, archived_at, updated_at FROM conversation_list('acme', '{"deleted": true, "archived": "all"}');
-- a NULL options argument is no options
SELECT group_concat(id, ' ') FROM conversation_list('acme', NULL);
-- restored, it is back in place
SELECT restore_conversation(4);
SELECT group_concat(id, ' ') FROM conversation_list('acme');
SELECT count(*) FROM conversation_list('acme', '{"deleted": true, "archived": "all"}');
-- bad option values
SELECT * FROM conversation_list('acme', '{"archived": "some"}'); -- error
SELECT * FROM conversation_list('acme', '{"archived": 1}'); -- error
SELECT * FROM conversation_list('acme', '{"deleted": "yes"}'); -- error
SELECT * FROM conversation_list('acme', '{"bogus": 1}'); -- error
SELECT * FROM conversation_list('acme', '[]'); -- error
SELECT * FROM conversation_list('acme', 'not json'); -- error
SELECT * FROM conversation_list('acme', 42); -- error
SELECT * FROM conversation_list('acme', x'7b7d'); -- error
-- a JSON null option is the option's default
SELECT group_concat(id, ' ') FROM conversation_list('acme', '{"deleted": null, "archived": null, "limit": null, "after": null}');

-- ---------------------------------------------------------------- limit
SELECT count(*) FROM conversation_list('acme', '{"limit": 1}');
SELECT group_concat(id, ' ') FROM conversation_list('acme', '{"limit": 3}');
SELECT count(*) FROM conversation_list('acme', '{"limit": 500}');
SELECT * FROM conversation_list('acme', '{"limit": 0}'); -- error
SELECT * FROM conversation_list('acme', '{"limit": -1}'); -- error
SELECT * FROM conversation_list('acme', '{"limit": 501}'); -- error
SELECT * FROM conversation_list('acme', '{"limit": 9223372036854775807}'); -- error
SELECT * FROM conversation_list('acme', '{"limit": "5"}'); -- error
SELECT * FROM conversation_list('acme', '{"limit": 2.5}'); -- error
-- the default is 50: 60 more conversations for owner bulk
SELECT count(create_conversation('bulk', 'b' || value, json_object('uid', 'bulk' || value,
         'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', '2025-10-01', '+' || value || ' minutes'))))
  FROM generate_series(1, 60);
SELECT count(*) FROM conversation_list('bulk');
SELECT count(*) FROM conversation_list('bulk', '{}');
SELECT count(*) FROM conversation_list('bulk', '{"limit": 500}');

-- ---------------------------------------------------------------- keyset pagination
-- a walk page by page with limit 1 (each row's cursor is the next "after")
-- gives the same rows in the same order as one big page
WITH RECURSIVE walk(n, id, cur) AS (
  SELECT 1, id, cursor FROM conversation_list('acme', '{"limit": 1, "archived": "all"}')
  UNION ALL
  SELECT n + 1, l.id, l.cursor
    FROM walk, conversation_list('acme', json_object('limit', 1, 'archived', 'all', 'after', walk.cur)) AS l)
SELECT group_concat(id, ' '), count(*), count(DISTINCT id) FROM walk;
SELECT group_concat(id, ' '), count(*) FROM conversation_list('acme', '{"archived": "all"}');
-- bulk: pages of 7 (ties on updated_at included: 15 pinned, 10 archived,
-- 5 archived and pinned, and 20 sharing one updated_at), every row exactly once
UPDATE chat_conversations SET pinned_at = '2025-12-01T00:00:00.000Z',
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+1 seconds')
 WHERE owner = 'bulk' AND uid IN (SELECT 'bulk' || value FROM generate_series(1, 60, 4));
UPDATE chat_conversations SET archived_at = '2025-12-01T00:00:00.000Z',
       updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+2 seconds')
 WHERE owner = 'bulk' AND uid IN (SELECT 'bulk' || value FROM generate_series(1, 60, 6));
UPDATE chat_conversations SET updated_at = '2025-11-11T11:11:11.111Z'
 WHERE owner = 'bulk' AND uid IN (SELECT 'bulk' || value FROM generate_series(3, 60, 3));
SELECT sum(pinned_at IS NOT NULL), sum(archived_at IS NOT NULL), sum(pinned_at IS NOT NULL AND archived_at IS NOT NULL),
       sum(updated_at = '2025-11-11T11:11:11.111Z') FROM chat_conversations WHERE owner = 'bulk';
WITH RECURSIVE pages(n, ids, cur, cnt) AS (
  SELECT 1, (SELECT group_concat(id, ' ') FROM conversation_list('bulk', '{"limit": 7, "archived": "all"}')),
            (SELECT cursor FROM conversation_list('bulk', '{"limit": 7, "archived": "all"}') LIMIT 1 OFFSET 6),
            (SELECT count(*) FROM conversation_list('bulk', '{"limit": 7, "archived": "all"}'))
  UNION ALL
  SELECT n + 1,
         (SELECT group_concat(id, ' ') FROM conversation_list('bulk', json_object('limit', 7, 'archived', 'all', 'after', cur))),
         (SELECT cursor FROM conversation_list('bulk', json_object('limit', 7, 'archived', 'all', 'after', cur)) LIMIT 1 OFFSET 6),
         (SELECT count(*) FROM conversation_list('bulk', json_object('limit', 7, 'archived', 'all', 'after', cur)))
    FROM pages WHERE cur IS NOT NULL)
SELECT n, cnt, ids FROM pages;
CREATE TEMP TABLE bulk_walk (n INTEGER PRIMARY KEY, id INTEGER);
WITH RECURSIVE walk(n, id, cur) AS (
  SELECT 1, id, cursor FROM conversation_list('bulk', '{"limit": 1, "archived": "all"}')
  UNION ALL
  SELECT n + 1, l.id, l.cursor
    FROM walk, conversation_list('bulk', json_object('limit', 1, 'archived', 'all', 'after', walk.cur)) AS l)
INSERT INTO bulk_walk SELECT n, id FROM walk;
-- 60 rows, 60 distinct, all of bulk, in list order (checked against a plain ORDER BY)
SELECT count(*), count(DISTINCT id), (SELECT count(*) FROM chat_conversations WHERE owner = 'bulk'),
       (SELECT count(*) FROM bulk_walk AS w JOIN chat_conversations AS c ON c.id = w.id AND c.owner = 'bulk')
  FROM bulk_walk;
SELECT (SELECT group_concat(id, ' ') FROM (SELECT id FROM bulk_walk ORDER BY n))
     = (SELECT group_concat(id, ' ') FROM (SELECT id FROM chat_conversations WHERE owner = 'bulk'
                                           ORDER BY pinned_at IS NOT NULL DESC, updated_at DESC, id DESC));
-- the unarchived-only walk also gives each unarchived row once
WITH RECURSIVE walk(n, id, cur) AS (
  SELECT 1, id, cursor FROM conversation_list('bulk', '{"limit": 1}')
  UNION ALL
  SELECT n + 1, l.id, l.cursor FROM walk, conversation_list('bulk', json_object('limit', 1, 'after', walk.cur)) AS l)
SELECT count(*), count(DISTINCT id) FROM walk;
-- after the last row: an empty page
SELECT count(*) FROM conversation_list('bulk', json_object('archived', 'all',
        'after', (SELECT cursor FROM conversation_list('bulk', '{"limit": 500, "archived": "all"}') LIMIT 1 OFFSET 59)));
-- a cursor is "<pinned>|<updated_at>|<id>"; one naming no existing row still
-- positions the page (keyset, not an offset)
SELECT group_concat(id, ' ') FROM conversation_list('acme', '{"after": "0|2025-12-05T12:00:00.000Z|999"}');
SELECT group_concat(id, ' ') FROM conversation_list('acme', '{"after": "1|2000-01-01T00:00:00.000Z|1"}');
SELECT group_concat(id, ' ') FROM conversation_list('acme', '{"after": "0|2999-01-01T00:00:00.000Z|1"}');
SELECT count(*) FROM conversation_list('acme', '{"after": "0|2000-01-01T00:00:00.000Z|1"}');
-- the largest 19-digit id is accepted
SELECT count(*) FROM conversation_list('acme', '{"after": "0|2999-01-01T00:00:00.000Z|9223372036854775807"}');

-- ---------------------------------------------------------------- pagination under updates
-- The guarantee (list_vtab.c): no conversation appears twice in one walk,
-- and every conversation not updated during the walk appears exactly once;
-- one updated meanwhile moves to the top and shows on a fresh first page
-- (the walk in progress misses it if it had not reached it yet).
-- acme, unarchived, in list order now: 5 3 4 | 2 11 10 | 9 1  (pages of 3)
CREATE TEMP TABLE pg (page INTEGER, pos INTEGER, id INTEGER, cursor TEXT);
INSERT INTO pg SELECT 1, row_number() OVER (), id, cursor FROM conversation_list('acme', '{"limit": 3}');
SELECT page, group_concat(id, ' ') FROM pg GROUP BY page;
-- between pages, a day later: c3 (already seen, pinned) and c9 (not
-- reached yet) get a message, c10 (not reached) is soft-deleted, and c1
-- (not reached) is pinned
SELECT chatflow_clock('2026-01-02T00:00:00.000Z');
SELECT add_message(3, 'user', 'seen one changes');
SELECT add_message(9, 'user', 'unseen one changes');
SELECT delete_conversation(10);
UPDATE chat_conversations SET pinned_at = '2026-01-02T00:00:00.000Z', updated_at = '2026-01-02T00:00:00.000Z' WHERE id = 1;
SELECT id, pinned_at, updated_at FROM chat_conversations WHERE id IN (1, 3, 9, 10) ORDER BY id;
INSERT INTO pg SELECT 2, row_number() OVER (), id, cursor FROM conversation_list('acme',
  json_object('limit', 3, 'after', (SELECT cursor FROM pg WHERE page = 1 ORDER BY pos DESC LIMIT 1)));
INSERT INTO pg SELECT 3, row_number() OVER (), id, cursor FROM conversation_list('acme',
  json_object('limit', 3, 'after', (SELECT cursor FROM pg WHERE page = 2 ORDER BY pos DESC LIMIT 1)));
SELECT page, group_concat(id, ' ') FROM pg GROUP BY page;
-- no row twice; the untouched ones (5 4 2 11) exactly once, c3 (changed
-- after it was seen) once; the changed unreached ones (9 moved above the
-- cursor, 1 pinned) were missed; the deleted one is gone
SELECT count(*), count(DISTINCT id) FROM pg;
SELECT value, (SELECT count(*) FROM pg WHERE pg.id = value) FROM generate_series(1, 11)
 WHERE value IN (1, 2, 3, 4, 5, 9, 10, 11);
-- a fresh first page shows the changed ones at the top of their class
SELECT group_concat(id, ' ') FROM conversation_list('acme', '{"limit": 4}');

-- ---------------------------------------------------------------- invalid cursors
SELECT * FROM conversation_list('acme', '{"after": ""}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "x"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "2|2025-12-05T00:00:00.000Z|1"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00Z|1"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05 00:00:00.000|1"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-13-05T00:00:00.000Z|1"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|0"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|-1"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|01"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|1x"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|12345678901234567890"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": "0|2025-12-05T00:00:00.000Z|1|2"}'); -- error
SELECT * FROM conversation_list('acme', '{"after": 5}'); -- error

-- ---------------------------------------------------------------- query plans
-- The statement conversation_list runs (traced here, so this file pins its
-- text) is the UNION ALL of one arm per (archived class, pinned flag); every
-- arm is a range of the index chat_conversations_list, read in order (no
-- SCAN of chat_conversations, no temp b-tree inside an arm); only the outer
-- merge of at most 4 pages of "limit" rows sorts.
.trace stdout --stmt
SELECT count(*) FROM conversation_list('acme', '{"archived": "all", "after": "0|2025-12-05T00:00:00.000Z|5"}');
.trace off
EXPLAIN QUERY PLAN SELECT * FROM (SELECT * FROM (SELECT id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at, message_count, chatflow_preview((SELECT content FROM chat_messages AS m   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))   AS last_message_preview, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor FROM chat_conversations WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 0 AND (archived_at IS NOT NULL) = 0 AND (pinned_at IS NOT NULL) = 0 AND (updated_at, id) < (?3, ?4) ORDER BY updated_at DESC, id DESC LIMIT ?2) UNION ALL SELECT * FROM (SELECT id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at, message_count, chatflow_preview((SELECT content FROM chat_messages AS m   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))   AS last_message_preview, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor FROM chat_conversations WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 0 AND (archived_at IS NOT NULL) = 1 AND (pinned_at IS NOT NULL) = 0 AND (updated_at, id) < (?3, ?4) ORDER BY updated_at DESC, id DESC LIMIT ?2)) ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2;
.trace stdout --stmt
SELECT count(*) FROM conversation_list('acme', '{"deleted": true}');
.trace off
EXPLAIN QUERY PLAN SELECT * FROM (SELECT * FROM (SELECT id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at, message_count, chatflow_preview((SELECT content FROM chat_messages AS m   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))   AS last_message_preview, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor FROM chat_conversations WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 1 AND (archived_at IS NOT NULL) = 0 AND (pinned_at IS NOT NULL) = 1 ORDER BY updated_at DESC, id DESC LIMIT ?2) UNION ALL SELECT * FROM (SELECT id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at, message_count, chatflow_preview((SELECT content FROM chat_messages AS m   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))   AS last_message_preview, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor FROM chat_conversations WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 1 AND (archived_at IS NOT NULL) = 0 AND (pinned_at IS NOT NULL) = 0 ORDER BY updated_at DESC, id DESC LIMIT ?2)) ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2;
-- after a cursor in the pinned class, the pinned arm starts at the cursor
.trace stdout --stmt
SELECT count(*) FROM conversation_list('acme', '{"after": "1|2025-12-05T00:00:00.000Z|5"}');
.trace off
EXPLAIN QUERY PLAN SELECT * FROM (SELECT * FROM (SELECT id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at, message_count, chatflow_preview((SELECT content FROM chat_messages AS m   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))   AS last_message_preview, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor FROM chat_conversations WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 0 AND (archived_at IS NOT NULL) = 0 AND (pinned_at IS NOT NULL) = 1 AND (updated_at, id) < (?3, ?4) ORDER BY updated_at DESC, id DESC LIMIT ?2) UNION ALL SELECT * FROM (SELECT id, uid, key, title, pinned_at, archived_at, deleted_at, updated_at, last_message_at, message_count, chatflow_preview((SELECT content FROM chat_messages AS m   WHERE m.conversation_id = chat_conversations.id ORDER BY m.seq DESC LIMIT 1))   AS last_message_preview, (pinned_at IS NOT NULL) || '|' || updated_at || '|' || id AS cursor FROM chat_conversations WHERE owner = ?1 AND (deleted_at IS NOT NULL) = 0 AND (archived_at IS NOT NULL) = 0 AND (pinned_at IS NOT NULL) = 0 ORDER BY updated_at DESC, id DESC LIMIT ?2)) ORDER BY (pinned_at IS NOT NULL) DESC, updated_at DESC, id DESC LIMIT ?2;
-- and the function itself is one virtual-table scan with owner and options consumed
EXPLAIN QUERY PLAN SELECT * FROM conversation_list('acme', '{"limit": 5}');

-- ---------------------------------------------------------------- graphemes
SELECT create_conversation('graph', 'graphemes', '{"uid": "g1"}');
CREATE TEMP VIEW gl AS SELECT last_message_preview FROM conversation_list('graph');
-- cuts never split a grapheme cluster: a family emoji (a ZWJ sequence of
-- 5 code points), a flag (2), a skin tone (2) or an accent (2) that would
-- cross the 120th character is left out whole
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'g1'), 'user', printf('%.118c', 'a') || '👨‍👩‍👧' || ' tail', '{"created_at": "2025-11-01T08:00:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.118c', 'a') FROM gl;
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'g1'), 'user', printf('%.119c', 'a') || '🇫🇷' || ' tail', '{"created_at": "2025-11-01T08:01:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.119c', 'a') FROM gl;
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'g1'), 'user', printf('%.118c', 'a') || '🇫🇷' || ' tail', '{"created_at": "2025-11-01T08:02:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.118c', 'a') || '🇫🇷' FROM gl;
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'g1'), 'user', printf('%.119c', 'a') || '👍🏽', '{"created_at": "2025-11-01T08:03:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.119c', 'a') FROM gl;
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'g1'), 'user', printf('%.119c', 'a') || 'e' || char(769) || 'z', '{"created_at": "2025-11-01T08:04:00Z"}');
SELECT length(last_message_preview), last_message_preview = printf('%.119c', 'a') FROM gl;
-- one cluster longer than the preview (a letter with 200 combining marks)
-- is cut inside it rather than leaving the preview empty
SELECT add_message((SELECT id FROM chat_conversations WHERE uid = 'g1'), 'user', 'x' || replace(printf('%.200c', '~'), '~', char(769)), '{"created_at": "2025-11-01T08:05:00Z"}');
SELECT length(last_message_preview) FROM gl;
-- the same function is callable: chatflow_preview(text)
SELECT length(chatflow_preview(printf('%.118c', 'a') || '👨‍👩‍👧')), quote(chatflow_preview(NULL)), chatflow_preview('short');
-- text that is not UTF-8 (only raw SQL can store it) shows U+FFFD per bad byte
SELECT hex(chatflow_preview(CAST(x'61ff62' AS TEXT)));

