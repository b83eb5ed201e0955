-- 38_langgraph: LangGraph checkpoints on chatflow threads.  A put creates
-- the thread's conversation (thread_id = its uid); channel values are
-- blobs per (channel, version), named by a checkpoint's channel_versions;
-- pending writes belong to an existing checkpoint; a deleted thread and an
-- ended run take nothing (raw SQL too); delete_thread, prune, purge.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();

-- a put with two channel values, then a second checkpoint that changes one
SELECT langgraph_put_blob('thread-1', 'messages', '1', CAST('["hi"]' AS BLOB));
SELECT langgraph_put_blob('thread-1', 'topic', '1', CAST('"cats"' AS BLOB));
SELECT langgraph_put('thread-1', 'c-01', CAST('{"v":4,"id":"c-01"}' AS BLOB), '{"source": "input", "step": -1}',
                     '{"channel_versions": {"messages": 1, "topic": "1"}}');
SELECT langgraph_put_blob('thread-1', 'messages', '2', CAST('["hi","hello"]' AS BLOB));
-- the same version again: the first value is kept
SELECT langgraph_put_blob('thread-1', 'messages', '2', CAST('["other"]' AS BLOB));
SELECT langgraph_put('thread-1', 'c-02', CAST('{"v":4,"id":"c-02"}' AS BLOB), '{"source": "loop", "step": 0}',
                     '{"parent_checkpoint_id": "c-01", "channel_versions": {"messages": 2, "topic": "1"}}');
SELECT id, uid, owner, message_count FROM chat_conversations;
SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, CAST(checkpoint AS TEXT), metadata
  FROM langgraph_get('thread-1');
SELECT checkpoint_id FROM langgraph_get('thread-1', '', 'c-01');
SELECT count(*) FROM langgraph_get('thread-1', '', 'c-99');
SELECT count(*) FROM langgraph_get('no-such-thread');
SELECT channel, version, type, CAST(value AS TEXT) FROM langgraph_channel_values('thread-1', 'c-02');
SELECT channel, version, CAST(value AS TEXT) FROM langgraph_channel_values('thread-1', 'c-01');

-- list: newest first, before, limit, filter, every thread
SELECT langgraph_put('thread-2', 'c-03', x'7b7d', '{"source": "input", "parents": {}}', '{"checkpoint_ns": "child", "owner": "acme"}');
SELECT group_concat(checkpoint_id) FROM langgraph_list('thread-1');
SELECT group_concat(checkpoint_id) FROM langgraph_list('thread-1', '{"before": "c-02"}');
SELECT group_concat(checkpoint_id) FROM langgraph_list('thread-1', '{"limit": 1}');
SELECT group_concat(checkpoint_id) FROM langgraph_list(NULL, '{"filter": {"source": "input"}}');
SELECT group_concat(checkpoint_id) FROM langgraph_list(NULL, '{"filter": {"source": "input", "step": -1}}');
SELECT group_concat(checkpoint_id) FROM langgraph_list(NULL, '{"filter": {"parents": {}}}');
SELECT group_concat(checkpoint_id) FROM langgraph_list(NULL, '{"checkpoint_ns": "child"}');
SELECT count(*) FROM langgraph_list(NULL, '{"filter": {"a\"b": 1}}');
SELECT owner FROM chat_conversations WHERE uid = 'thread-2';

-- pending writes: kept unless replace; idx may be negative (LangGraph's special channels)
SELECT langgraph_put_write('thread-1', 'c-02', 'task-a', 0, 'answer', CAST('42' AS BLOB));
SELECT langgraph_put_write('thread-1', 'c-02', 'task-a', 0, 'answer', CAST('43' AS BLOB));
SELECT langgraph_put_write('thread-1', 'c-02', 'task-a', -1, '__error__', CAST('"boom"' AS BLOB), '{"replace": true}');
SELECT langgraph_put_write('thread-1', 'c-02', 'task-a', -1, '__error__', CAST('"bang"' AS BLOB), '{"replace": true}');
SELECT langgraph_put_write('thread-1', 'c-02', 'task-b', 0, 'answer', CAST('7' AS BLOB), '{"task_path": "p"}');
SELECT task_id, idx, channel, CAST(value AS TEXT), task_path FROM langgraph_pending_writes('thread-1', 'c-02');
SELECT langgraph_put_write('thread-1', 'c-99', 'task-a', 0, 'answer', x'00'); -- error
SELECT langgraph_put_write('thread-9', 'c-02', 'task-a', 0, 'answer', x'00'); -- error
SELECT langgraph_put_write('thread-1', 'c-02', 'task-a', 1.5, 'answer', x'00'); -- error

-- bad input: clear errors naming the field, nothing written
SELECT langgraph_put(NULL, 'c', x'00', '{}'); -- error
SELECT langgraph_put('', 'c', x'00', '{}'); -- error
SELECT langgraph_put(printf('%.65c', 'x'), 'c', x'00', '{}'); -- error
SELECT langgraph_put('t' || char(0) || 'x', 'c', x'00', '{}'); -- error
SELECT langgraph_put(CAST(x'ff' AS TEXT), 'c', x'00', '{}'); -- error
SELECT langgraph_put('thread-1', NULL, x'00', '{}'); -- error
SELECT langgraph_put('thread-1', 'c', 'text', '{}'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '[1]'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{"a": "\u0000"}'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{bad'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{}', '{"colour": 1}'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{}', '{"type": ""}'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{}', '{"channel_versions": []}'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{}', '{"run_id": 0}'); -- error
SELECT langgraph_put('thread-1', 'c', x'00', '{}', '{"run_id": 99}'); -- error
SELECT langgraph_put_blob('thread-1', 'messages', 3, x'00'); -- error
SELECT langgraph_put_blob('thread-1', 'messages', '3', NULL); -- error
SELECT * FROM langgraph_list(NULL, '{"limit": 0}'); -- error
SELECT * FROM langgraph_list(1); -- error
SELECT * FROM langgraph_get(NULL); -- error
SELECT * FROM langgraph_pending_writes('thread-1'); -- error
SELECT langgraph_prune_checkpoints(0); -- error
SELECT (SELECT count(*) FROM langgraph_checkpoints), (SELECT count(*) FROM langgraph_blobs),
       (SELECT count(*) FROM langgraph_writes), (SELECT count(*) FROM chat_conversations);

-- runs: a put from the thread's active run is stamped with it; once the
-- run ended, or from another conversation's run, refused
SELECT start_run(1, 'topical_map');
SELECT langgraph_put('thread-1', 'c-04', x'00', '{}', '{"run_id": 1}');
SELECT langgraph_put_write('thread-1', 'c-04', 't', 0, 'x', x'00', '{"run_id": 1}');
SELECT run_id FROM langgraph_get('thread-1');
SELECT complete_run(1);
SELECT langgraph_put('thread-1', 'c-05', x'00', '{}', '{"run_id": 1}'); -- error
SELECT langgraph_put_blob('thread-1', 'messages', '9', x'00', '{"run_id": 1}'); -- error
SELECT langgraph_put_write('thread-1', 'c-04', 't', 1, 'x', x'00', '{"run_id": 1}'); -- error
SELECT start_run(2, 'topical_map');
SELECT langgraph_put('thread-1', 'c-05', x'00', '{}', '{"run_id": 2}'); -- error
-- raw SQL keeps the rule
INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, run_id, checkpoint) VALUES (1, 'c-05', 1, x'00'); -- error
INSERT INTO langgraph_writes (conversation_id, checkpoint_id, task_id, idx, channel, run_id, value) VALUES (1, 'c-04', 't', 5, 'x', 1, x'00'); -- error
INSERT INTO langgraph_writes (conversation_id, checkpoint_id, task_id, idx, channel, value) VALUES (1, 'c-77', 't', 5, 'x', x'00'); -- error
INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint) VALUES (1, 'c' || char(0), x'00'); -- error
INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint) VALUES (77, 'c-77', x'00'); -- error
UPDATE langgraph_blobs SET value = x'01' WHERE channel = 'topic'; -- error
INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint, metadata) VALUES (1, 'c-06', x'00', '{"by": "raw"}');
SELECT checkpoint_id, type, metadata FROM langgraph_get('thread-1');

-- a deleted thread takes nothing, from functions or raw SQL, until restored
SELECT delete_conversation(1);
SELECT langgraph_put('thread-1', 'c-07', x'00', '{}'); -- error
SELECT langgraph_put_blob('thread-1', 'messages', '9', x'00'); -- error
SELECT langgraph_put_write('thread-1', 'c-06', 't', 0, 'x', x'00'); -- error
INSERT INTO langgraph_checkpoints (conversation_id, checkpoint_id, checkpoint) VALUES (1, 'c-07', x'00'); -- error
INSERT INTO langgraph_blobs (conversation_id, channel, version, value) VALUES (1, 'x', '1', x'00'); -- error
SELECT count(*) FROM langgraph_list('thread-1');
SELECT restore_conversation(1);
SELECT langgraph_put('thread-1', 'c-07', x'00', '{}');

-- retention: the newest 2 of each thread and namespace stay, with the
-- channel values they name; the others' writes and unnamed blobs go
SELECT group_concat(checkpoint_id) FROM langgraph_list('thread-1');
SELECT langgraph_prune_checkpoints(2, 1);
SELECT langgraph_prune_checkpoints(2);
SELECT langgraph_prune_checkpoints(2);
SELECT group_concat(checkpoint_id) FROM langgraph_list(NULL);
SELECT channel, version FROM langgraph_blobs ORDER BY 1, 2;
SELECT count(*) FROM langgraph_writes;

-- delete_thread: checkpoints, blobs and writes go, the conversation is
-- deleted (its active run cancelled); a late put is refused
SELECT start_run(1, 'topical_map');
SELECT langgraph_put_write('thread-1', 'c-07', 't', 0, 'x', x'00');
SELECT langgraph_delete_thread('thread-1');
SELECT status, error FROM workflow_runs WHERE id = 3;
SELECT deleted_at IS NOT NULL FROM chat_conversations WHERE id = 1;
SELECT count(*) FROM langgraph_get('thread-1');
SELECT langgraph_put('thread-1', 'c-08', x'00', '{}', '{"run_id": 3}'); -- error
SELECT langgraph_put('thread-1', 'c-08', x'00', '{}'); -- error
SELECT langgraph_delete_thread('thread-1');
SELECT langgraph_delete_thread('never-seen');
SELECT (SELECT count(*) FROM langgraph_checkpoints WHERE conversation_id = 1),
       (SELECT count(*) FROM langgraph_blobs WHERE conversation_id = 1),
       (SELECT count(*) FROM langgraph_writes WHERE conversation_id = 1);

-- purging a conversation takes its checkpoints along
SELECT langgraph_put_write('thread-2', 'c-03', 't', 0, 'x', x'00', '{"checkpoint_ns": "child"}');
SELECT purge_conversation(2);
SELECT count(*) FROM langgraph_checkpoints, langgraph_writes, langgraph_blobs;
