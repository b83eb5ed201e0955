-- 23_stats_retention: chatflow_stats (with and without an owner, every
-- field checked by hand and against an independent recount, the 90- and
-- 30-day boundaries), the batched retention functions looped until they
-- return 0 (archive_old_conversations, purge_deleted, delete_old_messages),
-- counters, previews and the search index equal a recount afterwards, the
-- purge cascade to runs/events/proposals/interrupts, the plans of the batch
-- statements, and bad arguments leaving the database unchanged.
.bail off
.mode list
.headers off

-- before chatflow_init() they refuse
SELECT chatflow_stats(); -- error
SELECT delete_old_messages(30); -- error

-- "now" is 2026-06-01: 90 days back is 2026-03-03, 60 days 2026-04-02,
-- 30 days 2026-05-02
SELECT chatflow_clock('2026-06-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT strftime('%Y-%m-%dT%H:%M:%fZ', '2026-06-01T00:00:00.000Z', '-' || value || ' days')
  FROM generate_series(30, 90, 30);

-- acme:
--  c1 recent: messages at 30 days + 1 ms before, exactly 30 days, 1 day ago
--  c2 last message exactly 90 days ago (not old)
--  c3 last message 90 days and 1 ms ago (old)
--  c4 no message, created long ago (old by its creation)
--  c5 archived, old messages (old: archived counts, deleted does not)
--  c6 soft-deleted 2026-04-01 (purged at 30 days), a run with events, a
--     proposal and an interrupt, 5 messages
--  c7 soft-deleted 2026-05-25 (kept at 30 days), a recent message
-- other:
--  c8 a recent message; c9 an old one
SELECT create_conversation('acme', 'recent', '{"uid": "r1", "created_at": "2026-01-01T00:00:00Z"}');
SELECT add_message(1, 'user', 'just before the 30 days', '{"created_at": "2026-05-01T23:59:59.999Z", "tokens": 10}');
SELECT add_message(1, 'assistant', 'exactly 30 days', '{"created_at": "2026-05-02T00:00:00.000Z", "tokens": 20}');
SELECT add_message(1, 'user', 'yesterday', '{"created_at": "2026-05-31T00:00:00.000Z", "tokens": 30}');
SELECT create_conversation('acme', 'ninety', '{"uid": "r2", "created_at": "2025-12-01T00:00:00Z"}');
SELECT add_message(2, 'user', 'long ago', '{"created_at": "2026-01-01T00:00:00.000Z", "tokens": 1}');
SELECT add_message(2, 'user', 'exactly 90 days', '{"created_at": "2026-03-03T00:00:00.000Z", "tokens": 2}');
SELECT create_conversation('acme', 'old', '{"uid": "r3", "created_at": "2025-11-01T00:00:00Z"}');
SELECT add_message(3, 'user', 'older', '{"created_at": "2026-02-01T00:00:00.000Z", "tokens": 4}');
SELECT add_message(3, 'assistant', '90 days and 1 ms', '{"created_at": "2026-03-02T23:59:59.999Z", "tokens": 8}');
SELECT create_conversation('acme', 'empty old', '{"uid": "r4", "created_at": "2025-10-01T00:00:00Z"}');
SELECT create_conversation('acme', 'archived', '{"uid": "r5", "created_at": "2025-09-01T00:00:00Z"}');
SELECT add_message(5, 'user', 'archived talk', '{"created_at": "2025-09-02T00:00:00.000Z", "tokens": 16}');
UPDATE chat_conversations SET archived_at = '2025-10-01T00:00:00.000Z', updated_at = '2025-10-01T00:00:00.000Z' WHERE id = 5;
SELECT create_conversation('acme', 'deleted long ago', '{"uid": "r6", "created_at": "2026-03-01T00:00:00Z"}');
SELECT add_message(6, 'user', 'doomed ' || value, json_object('created_at',
         printf('2026-03-%02dT00:00:00.000Z', 10 + value), 'tokens', 100))
  FROM generate_series(1, 5);
SELECT start_run(6, 'topical_map');
SELECT set_run_status(1, 'awaiting_approval', 'pillar_proposal');
SELECT add_proposal(1, 'pillar', 'Doomed pillar');
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_1', x'01');
SELECT chatflow_clock('2026-04-01T00:00:00.000Z');
SELECT delete_conversation(6);
SELECT create_conversation('acme', 'deleted recently', '{"uid": "r7", "created_at": "2026-05-01T00:00:00Z"}');
SELECT add_message(7, 'user', 'kept for now', '{"created_at": "2026-05-20T00:00:00.000Z", "tokens": 1000}');
SELECT chatflow_clock('2026-05-25T00:00:00.000Z');
SELECT delete_conversation(7);
SELECT chatflow_clock('2026-06-01T00:00:00.000Z');
SELECT create_conversation('other', 'other recent', '{"uid": "r8", "created_at": "2026-05-01T00:00:00Z"}');
SELECT add_message(8, 'user', 'other recent', '{"created_at": "2026-05-30T00:00:00.000Z", "tokens": 5000}');
SELECT create_conversation('other', 'other old', '{"uid": "r9", "created_at": "2025-06-01T00:00:00Z"}');
SELECT add_message(9, 'user', 'other old', '{"created_at": "2025-07-01T00:00:00.000Z", "tokens": 7000}');
-- a second run of c8 (kept everywhere) to show the purge touches only c6's
SELECT start_run(8, 'topical_map');
SELECT add_proposal(2, 'pillar', 'Kept pillar');
INSERT INTO workflow_interrupts (workflow_id, data) VALUES ('run_2', x'02');

-- ---------------------------------------------------------------- chatflow_stats
-- acme by hand: 7 conversations; active c1 c2 c3 c4; archived c5; deleted
-- c6 c7; messages 3+2+2+1+5+1 = 14; tokens 60+3+12+16+500+1000 = 1591;
-- old c3 c4 c5; last 30 days: c1's 2 (exactly 30 days counts) + c7's 1
SELECT chatflow_stats('acme');
-- other: 2, both active, c9 old, 1 message in the last 30 days
SELECT chatflow_stats('other');
-- the whole database
SELECT chatflow_stats();
SELECT chatflow_stats(NULL);
-- an unknown owner: zeros
SELECT chatflow_stats('nobody');
-- the result is a JSON object with exactly these keys, all integers
SELECT group_concat(key || ':' || type, ' ') FROM json_each(chatflow_stats());

-- an independent recount from the rows (not the counters), for any owner
-- or all (who.owner NULL)
CREATE TEMP TABLE who (owner TEXT);
CREATE TEMP VIEW recount AS
WITH c AS (SELECT * FROM chat_conversations
            WHERE (SELECT owner FROM who) IS NULL OR owner = (SELECT owner FROM who)),
     m AS (SELECT m.* FROM chat_messages AS m JOIN c ON c.id = m.conversation_id),
     now AS (SELECT chatflow_clock() AS t)
SELECT json_object(
  'total_conversations', (SELECT count(*) FROM c),
  'active_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NULL AND archived_at IS NULL),
  'archived_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NULL AND archived_at IS NOT NULL),
  'deleted_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NOT NULL),
  'total_messages', (SELECT count(*) FROM m),
  'total_tokens', (SELECT coalesce(sum(tokens), 0) FROM m),
  'old_conversations', (SELECT count(*) FROM c WHERE deleted_at IS NULL
      AND coalesce((SELECT max(created_at) FROM m WHERE m.conversation_id = c.id), c.created_at)
          < strftime('%Y-%m-%dT%H:%M:%fZ', (SELECT t FROM now), '-90 days')),
  'messages_last_30_days', (SELECT count(*) FROM m
      WHERE created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', (SELECT t FROM now), '-30 days'))) AS j;
-- every conversation's counters against its messages (0 rows = all exact);
-- last_seq never decreases, so it is checked against the seq recorded before
CREATE TEMP TABLE seq_before AS SELECT id, last_seq FROM chat_conversations;
CREATE TEMP VIEW counter_problems AS
SELECT c.id, c.message_count, c.total_tokens, c.last_seq, c.last_message_at
  FROM chat_conversations AS c
 WHERE c.message_count IS NOT (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id)
    OR c.total_tokens IS NOT (SELECT coalesce(sum(tokens), 0) FROM chat_messages WHERE conversation_id = c.id)
    OR c.last_seq IS NOT (SELECT last_seq FROM seq_before WHERE id = c.id)
    OR c.last_seq < coalesce((SELECT max(seq) FROM chat_messages WHERE conversation_id = c.id), 0)
    OR c.last_message_at IS NOT (SELECT created_at FROM chat_messages WHERE conversation_id = c.id
                                  ORDER BY seq DESC LIMIT 1);
-- the search index holds exactly the messages (and titles) there are
CREATE TEMP VIEW fts_check AS
SELECT (SELECT count(*) FROM chat_messages_fts_docsize)
       = (SELECT count(*) FROM chat_messages WHERE id <= (SELECT indexed_upto FROM chatflow_search_state))
   AND (SELECT count(*) FROM chat_messages_fts_docsize AS d LEFT JOIN chat_messages AS m ON m.id = d.id
         WHERE m.id IS NULL) = 0
   AND (SELECT count(*) FROM chat_titles_fts_docsize)
       = (SELECT count(*) FROM chat_conversations WHERE title IS NOT NULL) AS ok;

SELECT 'recount all', chatflow_stats() = (SELECT j FROM recount);
INSERT INTO who VALUES ('acme');
SELECT 'recount acme', chatflow_stats('acme') = (SELECT j FROM recount);
UPDATE who SET owner = 'other';
SELECT 'recount other', chatflow_stats('other') = (SELECT j FROM recount);
UPDATE who SET owner = NULL;
SELECT 'counters', count(*) FROM counter_problems;
-- 1 ms later the message at exactly 30 days drops out of the last 30
-- days and c2 (exactly 90 days) becomes old
SELECT chatflow_clock('2026-06-01T00:00:00.001Z');
SELECT json_extract(chatflow_stats('acme'), '$.messages_last_30_days'), json_extract(chatflow_stats('acme'), '$.old_conversations');
UPDATE who SET owner = 'acme';
SELECT 'recount acme at +1 ms', chatflow_stats('acme') = (SELECT j FROM recount);
UPDATE who SET owner = NULL;
SELECT chatflow_clock('2026-06-01T00:00:00.000Z');

-- ---------------------------------------------------------------- archive_old_conversations
-- old, neither archived nor deleted: c9 (2025-07-01), c4 (created
-- 2025-10-01), c3 (2026-03-02T23:59:59.999), oldest first; c2 is exactly at
-- the cutoff and stays.  Batch 1: 1, 1, 1, 0.
WITH RECURSIVE loop(n, done) AS (
  SELECT 1, archive_old_conversations(90, 1)
  UNION ALL
  SELECT n + 1, archive_old_conversations(90, 1) FROM loop WHERE done > 0)
SELECT group_concat(done, ' ') FROM loop;
SELECT id, archived_at, updated_at FROM chat_conversations WHERE archived_at IS NOT NULL ORDER BY id;
-- archived conversations still count as old (not deleted); none is active-old
SELECT chatflow_stats('acme');
SELECT 'recount all', chatflow_stats() = (SELECT j FROM recount);
-- nothing more to do, also with a larger batch
SELECT archive_old_conversations(90);
-- days 0: everything not archived whose last activity is before now
SELECT archive_old_conversations(0, 10000);
SELECT group_concat(id, ' ') FROM chat_conversations WHERE archived_at IS NULL AND deleted_at IS NULL;
-- undo for the rest of the test (raw SQL, a new updated_at)
UPDATE chat_conversations SET archived_at = NULL, updated_at = '2026-06-01T00:00:00.001Z'
 WHERE archived_at = '2026-06-01T00:00:00.000Z' AND id IN (1, 2, 8);

-- ---------------------------------------------------------------- purge_deleted
SELECT 'before purge', (SELECT count(*) FROM workflow_runs), (SELECT count(*) FROM workflow_run_events),
       (SELECT count(*) FROM workflow_proposals), (SELECT count(*) FROM workflow_interrupts),
       (SELECT count(*) FROM chat_messages WHERE conversation_id = 6);
-- c6 (deleted 2026-04-01, before the cutoff 2026-05-02): 5 messages, 2 a
-- call, then the emptied conversation in the call with room left: 2 2 2 0;
-- c7 (deleted 2026-05-25) stays
WITH RECURSIVE loop(n, done) AS (
  SELECT 1, purge_deleted(30, 2)
  UNION ALL
  SELECT n + 1, purge_deleted(30, 2) FROM loop WHERE done > 0)
SELECT group_concat(done, ' ') FROM loop;
SELECT group_concat(id, ' ') FROM chat_conversations;
-- c6's run, its events, its proposal and its interrupt are gone; c8's stay
SELECT 'after purge', (SELECT count(*) FROM workflow_runs), (SELECT count(*) FROM workflow_run_events),
       (SELECT count(*) FROM workflow_proposals), (SELECT count(*) FROM workflow_interrupts),
       (SELECT count(*) FROM chat_messages WHERE conversation_id = 6);
SELECT 'left', (SELECT group_concat(id || ':' || conversation_id, ' ') FROM workflow_runs),
       (SELECT group_concat(DISTINCT run_id) FROM workflow_run_events),
       (SELECT group_concat(proposed_name) FROM workflow_proposals),
       (SELECT group_concat(workflow_id) FROM workflow_interrupts);
SELECT 'counters', count(*) FROM counter_problems;
SELECT 'fts', ok FROM fts_check;
-- purging the recent one takes days 0 (one call: 1 message + 1 conversation)
SELECT purge_deleted(0);
SELECT purge_deleted(0);
SELECT group_concat(id, ' ') FROM chat_conversations;
SELECT chatflow_stats('acme');
SELECT 'recount all', chatflow_stats() = (SELECT j FROM recount);

-- ---------------------------------------------------------------- delete_old_messages
-- cutoff 60 days (2026-04-02): c1's three messages (May) stay; c2's 2,
-- c3's 2, c5's 1 and c9's 1 go: 6, 4 a call: 4 2 0
SELECT 'before', count(*), sum(created_at < '2026-04-02T00:00:00.000Z') FROM chat_messages;
WITH RECURSIVE loop(n, done) AS (
  SELECT 1, delete_old_messages(60, 4)
  UNION ALL
  SELECT n + 1, delete_old_messages(60, 4) FROM loop WHERE done > 0)
SELECT group_concat(done, ' ') FROM loop;
SELECT 'after', count(*), sum(created_at < '2026-04-02T00:00:00.000Z') FROM chat_messages;
-- counters, previews, last_message_at exact; last_seq unchanged
SELECT 'counters', count(*) FROM counter_problems;
SELECT 'fts', ok FROM fts_check;
SELECT id, message_count, last_seq, total_tokens, quote(last_message_at),
       quote(chatflow_preview((SELECT content FROM chat_messages WHERE conversation_id = c.id
                               ORDER BY seq DESC LIMIT 1)))
  FROM chat_conversations AS c ORDER BY id;
-- the conversations emptied are now old by their creation date
SELECT chatflow_stats();
SELECT 'recount all', chatflow_stats() = (SELECT j FROM recount);
-- days 0, batch 1: one message at a time, oldest first (by created_at, not seq)
SELECT delete_old_messages(0, 1), (SELECT group_concat(conversation_id || '.' || seq, ' ') FROM chat_messages);
SELECT delete_old_messages(0, 1), (SELECT group_concat(conversation_id || '.' || seq, ' ') FROM chat_messages);
SELECT delete_old_messages(0, 1), (SELECT group_concat(conversation_id || '.' || seq, ' ') FROM chat_messages);
SELECT delete_old_messages(0, 1), (SELECT group_concat(conversation_id || '.' || seq, ' ') FROM chat_messages);
SELECT delete_old_messages(0, 1), (SELECT count(*) FROM chat_messages);
SELECT 'counters', count(*) FROM counter_problems;
SELECT 'fts', ok FROM fts_check;
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');
INSERT INTO chat_titles_fts (chat_titles_fts) VALUES ('integrity-check');
-- a new message continues after the old last_seq
SELECT add_message(1, 'user', 'after the cleanup');
SELECT seq FROM chat_messages WHERE conversation_id = 1;
SELECT 'recount all', chatflow_stats() = (SELECT j FROM recount);

-- ---------------------------------------------------------------- plans
-- the batch statements of ext/retention.c find their rows by index
EXPLAIN QUERY PLAN SELECT id FROM chat_conversations
 WHERE deleted_at IS NULL AND archived_at IS NULL AND coalesce(last_message_at, created_at) < '2026-01-01'
 ORDER BY coalesce(last_message_at, created_at) LIMIT 500;
EXPLAIN QUERY PLAN SELECT id FROM chat_messages WHERE created_at < '2026-01-01' ORDER BY created_at LIMIT 500;
EXPLAIN QUERY PLAN SELECT m.id FROM chat_conversations AS c JOIN chat_messages AS m ON m.conversation_id = c.id
  WHERE c.deleted_at IS NOT NULL AND c.deleted_at < '2026-01-01' LIMIT 500;
EXPLAIN QUERY PLAN SELECT id FROM chat_conversations WHERE deleted_at IS NOT NULL AND deleted_at < '2026-01-01'
    AND message_count = 0 LIMIT 500;

-- ---------------------------------------------------------------- bad arguments
-- the fingerprint: every row of every chatflow table, and the schema
CREATE TEMP TABLE fp_query AS SELECT
 'SELECT * FROM chat_conversations; SELECT * FROM chat_messages; SELECT * FROM workflow_runs;
  SELECT * FROM workflow_run_events; SELECT * FROM workflow_interrupts; SELECT * FROM workflow_proposals;
  SELECT * FROM workflow_definitions; SELECT * FROM chatflow_settings; SELECT * FROM chatflow_statement_clock;
  SELECT * FROM chatflow_migrations; SELECT type, name, sql FROM sqlite_schema' AS q;
-- make old data again, so that a wrongly accepted call would change something
SELECT add_message(1, 'user', 'old again', '{"created_at": "2020-01-01T00:00:00Z"}');
SELECT delete_conversation(9);
CREATE TEMP TABLE fp AS SELECT hex(sha3_query(q)) AS h FROM fp_query;
SELECT delete_old_messages(NULL); -- error
SELECT delete_old_messages(-1); -- error
SELECT delete_old_messages(36501); -- error
SELECT delete_old_messages(9223372036854775807); -- error
SELECT delete_old_messages('30'); -- error
SELECT delete_old_messages(30.5); -- error
SELECT delete_old_messages(x'1e'); -- error
SELECT delete_old_messages(30, NULL); -- error
SELECT delete_old_messages(30, 0); -- error
SELECT delete_old_messages(30, -5); -- error
SELECT delete_old_messages(30, 10001); -- error
SELECT delete_old_messages(30, '5'); -- error
SELECT delete_old_messages(30, 2.5); -- error
SELECT archive_old_conversations(NULL); -- error
SELECT archive_old_conversations(-1); -- error
SELECT archive_old_conversations(36501); -- error
SELECT archive_old_conversations('90'); -- error
SELECT archive_old_conversations(90, 0); -- error
SELECT archive_old_conversations(90, 10001); -- error
SELECT purge_deleted(NULL); -- error
SELECT purge_deleted(-1); -- error
SELECT purge_deleted(36501); -- error
SELECT purge_deleted('30'); -- error
SELECT purge_deleted(30, 0); -- error
SELECT purge_deleted(30, 'all'); -- error
SELECT delete_old_messages(); -- error
SELECT delete_old_messages(1, 2, '{}', 3); -- error
SELECT chatflow_stats(''); -- error
SELECT chatflow_stats(5); -- error
SELECT chatflow_stats(x'61636d65'); -- error
SELECT chatflow_stats(printf('%.201c', 'a')); -- error
SELECT chatflow_stats('a', 'b'); -- error
SELECT 'unchanged', h = (SELECT hex(sha3_query(q)) FROM fp_query) FROM fp;
-- the limits themselves are accepted (nothing that old or that deleted: 0)
SELECT delete_old_messages(36500, 10000), archive_old_conversations(36500, 1), purge_deleted(36500, 1);
SELECT 'unchanged', h = (SELECT hex(sha3_query(q)) FROM fp_query) FROM fp;
-- the functions write, so they are DIRECTONLY; chatflow_stats only reads
SELECT name, narg, iif(flags & 0x80000, 'DIRECTONLY', '') || iif(flags & 0x200000, 'INNOCUOUS', '')
  FROM pragma_function_list
 WHERE name IN ('chatflow_stats', 'archive_old_conversations', 'delete_old_messages', 'purge_deleted')
 ORDER BY 1, 2;
-- inside a caller's transaction, rolled back with it
BEGIN;
SELECT delete_old_messages(30), purge_deleted(0);
ROLLBACK;
SELECT 'unchanged', h = (SELECT hex(sha3_query(q)) FROM fp_query) FROM fp;
