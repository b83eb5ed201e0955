-- 42_call_time: the option now, the time of one call, on every writing
-- function that stamps a time, without chatflow_clock: each call below
-- gives its own time (one minute of 2030 each) and every column it stamps
-- shows exactly that time, triggers' stamps included.  A malformed now is
-- refused with the created_at wording and writes nothing; the time lasts
-- one call (the next call without now takes the wall clock, or the pin);
-- now wins over a pinned clock for its call; created_at, where it exists,
-- stays the row's time.  tests/scale/replay.py replays a statement log
-- made of such calls on two databases and compares them.
.bail off
.mode list
.headers off
SELECT chatflow_init('{"now": "2030-01-01T00:00:00Z"}');
SELECT 'init', (SELECT group_concat(DISTINCT applied_at) FROM chatflow_migrations),
       (SELECT group_concat(DISTINCT created_at) FROM workflow_definitions);
INSERT INTO workflow_definitions (name, steps, created_at)
VALUES ('review', '[{"name": "draft", "awaits": null}, {"name": "approval", "awaits": "approval"}]',
        '2030-01-01T00:00:00.000Z');
SELECT chatflow_config('limits.max_content_chars', '50000', '{"now": "2030-01-01T00:01:00Z"}');
SELECT 'config', updated_at FROM chatflow_settings WHERE key = 'limits.max_content_chars';

-- conversations
SELECT create_conversation('acme', 'One', '{"now": "2030-01-01T00:02:00Z"}');
SELECT find_or_create_conversation('acme', 'k-2', 'Two', '{"now": "2030-01-01T00:03:00Z"}');
-- created_at is the row's; now is the call's (updated_at)
SELECT create_conversation('acme', 'Three', '{"created_at": "2029-06-01T00:00:00Z", "now": "2030-01-01T00:04:00Z"}');
SELECT 'conv', id, created_at, updated_at FROM chat_conversations ORDER BY id;
SELECT update_conversation(1, '{"pinned": true, "archived": true}', '{"now": "2030-01-01T00:05:00Z"}');
SELECT 'update', pinned_at, archived_at, updated_at FROM chat_conversations WHERE id = 1;
SELECT update_conversation(1, '{"archived": false}', '{"now": "2030-01-01T00:06:00Z"}');
SELECT delete_conversation(3, '{"now": "2030-01-01T00:07:00Z"}');
SELECT 'delete', deleted_at, updated_at FROM chat_conversations WHERE id = 3;
SELECT restore_conversation(3, '{"now": "2030-01-01T00:08:00Z"}');
SELECT 'restore', deleted_at, updated_at FROM chat_conversations WHERE id = 3;
-- a call whose time is behind the conversation's updated_at (a writer
-- whose clock lags) leaves it: never backwards, by the functions or raw SQL
SELECT update_conversation(3, '{"title": "Three b"}', '{"now": "2030-01-01T00:01:00Z"}');
SELECT 'behind', title, updated_at FROM chat_conversations WHERE id = 3;
SELECT chatflow_clock('2030-01-01T00:01:30.000Z');
UPDATE chat_conversations SET title = 'Three c' WHERE id = 3;
SELECT 'behind raw', title, updated_at FROM chat_conversations WHERE id = 3;
-- ... written once: the touch trigger does not write the same stamp again
CREATE TEMP TABLE writes (n INTEGER);
CREATE TEMP TRIGGER count_writes AFTER UPDATE ON chat_conversations BEGIN INSERT INTO writes VALUES (1); END;
UPDATE chat_conversations SET title = 'Three d' WHERE id = 3;
SELECT 'writes', count(*) FROM writes;
DROP TRIGGER count_writes;
-- archive_old_conversations with the clock behind (conversation 3 has no
-- message: its activity is its creation, 2029-06-01)
SELECT chatflow_clock('2030-01-01T00:05:00.000Z');
SELECT archive_old_conversations(30) >= 1;
SELECT 'archived behind', archived_at, updated_at FROM chat_conversations WHERE id = 3;
SELECT update_conversation(3, '{"archived": false}');
SELECT 'unpinned', chatflow_clock(NULL) IS NOT NULL;

-- messages
SELECT add_message(2, 'user', 'Plan a map for a bakery', '{"now": "2030-01-01T00:09:00Z"}');
SELECT add_message(2, 'assistant', 'Sure', '{"now": "2030-01-01T00:10:00Z"}');
SELECT add_message(2, 'user', 'Older', '{"created_at": "2029-06-02T00:00:00Z", "now": "2030-01-01T00:11:00Z"}');
SELECT edit_message(3, 'Edited', '{"now": "2030-01-01T00:12:00Z"}');
SELECT add_ui_message(2, '{"id": "ui-1", "role": "user", "parts": [{"type": "text", "text": "From the UI"}]}',
                      '{"now": "2030-01-01T00:13:00Z"}');
SELECT 'msg', id, created_at FROM chat_messages ORDER BY id;
SELECT 'conv 2', title, updated_at, last_message_at FROM chat_conversations WHERE id = 2;
SELECT switch_branch(3, '{"now": "2030-01-01T00:14:00Z"}');
SELECT 'switch', current_leaf_id, updated_at FROM chat_conversations WHERE id = 2;
SELECT generate_title(2, '{"now": "2030-01-01T00:15:00Z"}');
SELECT 'title', title, updated_at FROM chat_conversations WHERE id = 2;

-- runs
SELECT start_run(2, 'topical_map', NULL, '{"now": "2030-01-01T00:17:00Z"}');
SELECT 'run', started_at, created_at, updated_at, lease_expires_at FROM workflow_runs WHERE id = 1;
SELECT heartbeat_run(1, 60, '{"now": "2030-01-01T00:18:00Z"}');
SELECT 'heartbeat', lease_expires_at, updated_at FROM workflow_runs WHERE id = 1;
SELECT set_business_context(1, '{"business": "bakery"}', '{"now": "2030-01-01T00:19:00Z"}');
SELECT merge_run_state(1, '{"k": 1}', '{"now": "2030-01-01T00:20:00Z"}');
SELECT 'state', updated_at FROM workflow_runs WHERE id = 1;
SELECT advance_run(1, NULL, '{"now": "2030-01-01T00:21:00Z"}');
SELECT add_clarification(1, 'q1', 'Which city?', 'Paris', '{"now": "2030-01-01T00:22:00Z"}');
SELECT resume_run(1, '{"q1": "Paris"}', '{"now": "2030-01-01T00:23:00Z"}');
SELECT add_proposal(1, 'topic', 'Bread', NULL, '{"now": "2030-01-01T00:24:00Z"}');
SELECT add_proposal(1, 'topic', 'Cakes', 'sweet', '{"now": "2030-01-01T00:25:00Z"}');
SELECT validate_proposal(1, '{"ok": true}', '{"now": "2030-01-01T00:26:00Z"}');
SELECT approve_proposal(1, NULL, '{"now": "2030-01-01T00:27:00Z"}');
SELECT reject_proposal(2, NULL, '{"now": "2030-01-01T00:28:00Z"}');
SELECT 'proposal', id, created_at, validated_at, approved_at, rejected_at FROM workflow_proposals ORDER BY id;
SELECT set_run_status(1, 'processing', NULL, '{"now": "2030-01-01T00:29:00Z"}');
SELECT complete_run(1, '{"now": "2030-01-01T00:30:00Z"}');
SELECT start_run(2, 'review', NULL, '{"now": "2030-01-01T00:31:00Z"}');
SELECT fail_run(2, 'boom', '{"now": "2030-01-01T00:32:00Z"}');
SELECT start_run(2, 'review', NULL, '{"now": "2030-01-01T00:33:00Z"}');
SELECT cancel_run(3, '{"now": "2030-01-01T00:34:00Z"}');
SELECT start_run(1, 'topical_map', NULL, '{"ttl_seconds": 60, "now": "2030-01-01T00:35:00Z"}');
SELECT advance_run(4, NULL, '{"now": "2030-01-01T00:36:00Z"}');
SELECT 'ttl', status, expires_at, lease_expires_at FROM workflow_runs WHERE id = 4;
-- at a time past its TTL the waiting run expires
SELECT expire_stale_runs('{"now": "2030-01-01T00:38:00Z"}');
SELECT 'run', id, status, started_at, updated_at, completed_at FROM workflow_runs ORDER BY id;
SELECT 'event', id, run_id, to_status, created_at FROM workflow_run_events ORDER BY id;

-- import, fork, export: the copy's own stamps take now
SELECT import_conversation('beta', export_conversation(1), '{"now": "2030-01-01T00:39:00Z"}');
SELECT fork_conversation(2, 2, '{"now": "2030-01-01T00:40:00Z"}');
SELECT 'copy', id, owner, created_at, updated_at, forked_at_seq FROM chat_conversations WHERE id > 3 ORDER BY id;

-- retention: now is also the time the days count back from
SELECT archive_old_conversations(30, 100, '{"now": "2030-03-01T00:00:00Z"}');
SELECT 'archived', id, archived_at, updated_at FROM chat_conversations WHERE archived_at IS NOT NULL ORDER BY id;
SELECT delete_old_messages(3650, 100, '{"now": "2030-03-01T00:01:00Z"}');
SELECT delete_conversation(4, '{"now": "2030-03-01T00:02:00Z"}');
SELECT purge_deleted(1, 100, '{"now": "2030-03-01T00:03:00Z"}');
SELECT purge_deleted(1, 10, '{"now": "2030-03-03T00:00:00Z"}');
SELECT 'purged', count(*) FROM chat_conversations WHERE id = 4;

-- LangGraph checkpoints
SELECT langgraph_put('t-1', 'c-1', x'7b7d', '{"source": "input"}', '{"now": "2030-03-04T00:00:00Z"}');
SELECT langgraph_put_blob('t-1', 'messages', '1', x'00', '{"now": "2030-03-04T00:01:00Z"}');
SELECT langgraph_put_write('t-1', 'c-1', 'task-1', 0, 'messages', x'01', '{"now": "2030-03-04T00:02:00Z"}');
SELECT 'checkpoint', checkpoint_id, created_at FROM langgraph_checkpoints;
SELECT 'lg conv', id, created_at, updated_at FROM chat_conversations WHERE owner = 'langgraph' OR id = 6;
SELECT langgraph_delete_thread('t-1', '{"now": "2030-03-04T00:03:00Z"}');
SELECT 'lg conv', id, deleted_at, updated_at FROM chat_conversations WHERE id = 6;

-- no column anywhere holds another time than a now of this script
SELECT 'not from now', count(*) FROM (
  SELECT created_at AS t FROM chat_conversations UNION ALL SELECT updated_at FROM chat_conversations
  UNION ALL SELECT pinned_at FROM chat_conversations UNION ALL SELECT archived_at FROM chat_conversations
  UNION ALL SELECT deleted_at FROM chat_conversations UNION ALL SELECT last_message_at FROM chat_conversations
  UNION ALL SELECT created_at FROM chat_messages UNION ALL SELECT applied_at FROM chatflow_migrations
  UNION ALL SELECT updated_at FROM chatflow_settings WHERE key = 'limits.max_content_chars'
  UNION ALL SELECT created_at FROM workflow_definitions UNION ALL SELECT created_at FROM workflow_proposals
  UNION ALL SELECT validated_at FROM workflow_proposals UNION ALL SELECT approved_at FROM workflow_proposals
  UNION ALL SELECT rejected_at FROM workflow_proposals UNION ALL SELECT created_at FROM workflow_run_events
  UNION ALL SELECT started_at FROM workflow_runs UNION ALL SELECT created_at FROM workflow_runs
  UNION ALL SELECT updated_at FROM workflow_runs UNION ALL SELECT completed_at FROM workflow_runs
  UNION ALL SELECT expires_at FROM workflow_runs UNION ALL SELECT lease_expires_at FROM workflow_runs
  UNION ALL SELECT created_at FROM langgraph_checkpoints)
 WHERE t IS NOT NULL AND t NOT GLOB '2029-06-0[12]T00:00:00.000Z' AND t NOT GLOB '2030-*';
SELECT 'statement clock rows', count(*) FROM chatflow_statement_clock;

-- the time lasts one call: the next call without now takes the wall clock
SELECT create_conversation('acme', 'Wall', '{"key": "wall"}');
SELECT 'wall', created_at > '2030-03-05' OR created_at < '2030-01-01' FROM chat_conversations WHERE key = 'wall';
-- now wins over a pinned clock, for its call only
SELECT chatflow_clock('2031-01-01T00:00:00Z');
SELECT create_conversation('acme', 'Pinned', '{"key": "pin-1", "now": "2030-04-01T00:00:00Z"}');
SELECT create_conversation('acme', 'Pinned', '{"key": "pin-2"}');
SELECT 'pin', key, created_at, updated_at FROM chat_conversations WHERE key LIKE 'pin-%' ORDER BY key;
SELECT chatflow_clock(NULL) IS NOT NULL;

-- refusals: the created_at wording, and nothing written
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM chat_conversations) AS c,
  (SELECT count(*) FROM chat_messages) AS m, (SELECT count(*) FROM workflow_run_events) AS e,
  (SELECT group_concat(updated_at) FROM chat_conversations) AS u;
SELECT add_message(2, 'user', 'x', '{"now": "2030-02-30T00:00:00Z"}'); -- error
SELECT add_message(2, 'user', 'x', '{"now": "2030-01-01 00:00:00"}'); -- error
SELECT add_message(2, 'user', 'x', '{"now": 1893456000}'); -- error
SELECT add_message(2, 'user', 'x', '{"now": "2030-01-01T00:00:00Z\u0000"}'); -- error
SELECT create_conversation('acme', 'x', '{"now": ""}'); -- error
SELECT delete_conversation(2, '{"now": "yesterday"}'); -- error
SELECT delete_conversation(2, '{"now": true}'); -- error
SELECT delete_conversation(2, '{"when": "2030-01-01T00:00:00Z"}'); -- error
SELECT delete_conversation(2, '[]'); -- error
SELECT delete_conversation(2, 'now'); -- error
SELECT delete_conversation(2, 42); -- error
SELECT delete_conversation(2, CAST('{"now": "2030-01-01T00:00:00Z"}' || char(0) AS TEXT)); -- error
SELECT switch_branch(4, '{"now": "2030-13-01T00:00:00Z"}'); -- error
SELECT start_run(2, 'topical_map', NULL, '{"now": "2030-01-01T24:00:00Z"}'); -- error
SELECT expire_stale_runs('{"now": "0000-01-01T00:00:00Z"}'); -- error
SELECT archive_old_conversations(1, 100, '{"now": "2030-01-01T00:00:00.Z"}'); -- error
SELECT import_conversation('beta', export_conversation(1), '{"now": "x"}'); -- error
SELECT fork_conversation(2, NULL, '{"now": "x"}'); -- error
SELECT langgraph_put('t-2', 'c-1', x'7b7d', '{}', '{"now": "x"}'); -- error
SELECT complete_chat(2, '{"now": "x"}'); -- error
SELECT chatflow_config('limits.max_content_chars', '40000', '{"now": "x"}'); -- error
SELECT 'unchanged', (SELECT count(*) FROM chat_conversations) = c, (SELECT count(*) FROM chat_messages) = m,
       (SELECT count(*) FROM workflow_run_events) = e,
       (SELECT group_concat(updated_at) FROM chat_conversations) = u,
       chatflow_config('limits.max_content_chars') FROM before;
-- NULL options are none
SELECT delete_conversation(5, NULL);
SELECT 'null options', deleted_at IS NOT NULL FROM chat_conversations WHERE id = 5;
-- streaming drafts: begin_message in its options, append_message in a
-- trailing options_json (finish_message and abort_message stamp nothing)
SELECT create_conversation('acme', 'Drafts', '{"key": "drafts", "now": "2030-05-01T00:00:00Z"}');
SELECT begin_message((SELECT id FROM chat_conversations WHERE key = 'drafts'), 'assistant',
                     '{"uid": "d-1", "now": "2030-05-01T00:01:00Z"}');
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'Sour', '{"now": "2030-05-01T00:02:00Z"}');
SELECT 'draft', status, content, created_at, streamed_at FROM chat_messages WHERE uid = 'd-1';
SELECT 'drafts conv', updated_at, last_message_at FROM chat_conversations WHERE key = 'drafts';
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'dough', NULL);
SELECT 'wall again', streamed_at > '2030-06-01' OR streamed_at < '2030-05-01' FROM chat_messages WHERE uid = 'd-1';
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'x', '{"now": "2030-05-01 00:03:00"}'); -- error
SELECT append_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), 'x', '{"tokens": 1}'); -- error
SELECT 'unchanged draft', content FROM chat_messages WHERE uid = 'd-1';
SELECT finish_message((SELECT id FROM chat_messages WHERE uid = 'd-1'), '{"now": "2030-05-01T00:04:00Z"}'); -- error
-- a message dated in the future (created_at) keeps that date, but moves the
-- conversation's updated_at only to the time of the call: it does not pin
-- the conversation at the top of the list; a past date leaves it as it was
SELECT create_conversation('acme', 'Skewed', '{"now": "2030-06-01T00:00:00Z"}');
SELECT add_message(last_insert_rowid(), 'user', 'from a fast clock',
                   '{"created_at": "2031-01-01T00:00:00Z", "now": "2030-06-01T00:01:00Z"}');
SELECT 'future', c.updated_at, c.last_message_at, m.created_at
  FROM chat_conversations AS c JOIN chat_messages AS m ON m.conversation_id = c.id
 WHERE c.title = 'Skewed';
SELECT add_message((SELECT id FROM chat_conversations WHERE title = 'Skewed'), 'user', 'backfilled',
                   '{"created_at": "2020-01-01T00:00:00Z", "now": "2030-06-01T00:02:00Z"}');
SELECT 'past', updated_at, last_message_at FROM chat_conversations WHERE title = 'Skewed';
-- the same in a conversation without a title: the message's title stamp
-- follows the same rule (it failed the 60-second guard)
SELECT create_conversation('acme', NULL, '{"uid": "untitled-skew", "now": "2030-06-01T00:00:00Z"}') > 0;
SELECT add_message(conversation_by_uid('untitled-skew'), 'user', 'from a fast clock',
                   '{"created_at": "2031-01-01T00:00:00Z", "now": "2030-06-01T00:01:00Z"}') > 0;
SELECT 'untitled', title, updated_at, last_message_at FROM chat_conversations WHERE uid = 'untitled-skew';
-- the clock stops short of year 9999's end: a lease or a TTL counted from
-- it (at most a year) must still be a timestamp
SELECT chatflow_clock('9999-01-01T00:00:00Z'); -- error
SELECT add_message(1, 'user', 'late', '{"now": "9999-06-01T00:00:00Z"}'); -- error
SELECT chatflow_clock('9998-12-31T23:59:59.999Z');
SELECT start_run(create_conversation('late'), 'topical_map', NULL, '{"ttl_seconds": 31536000}') > 0;
SELECT lease_expires_at FROM workflow_runs WHERE conversation_id = (SELECT max(id) FROM chat_conversations);
SELECT chatflow_clock(NULL) IS NOT NULL;
