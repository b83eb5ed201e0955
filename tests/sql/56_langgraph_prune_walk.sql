-- langgraph_prune_checkpoints walks the threads and namespaces one group at
-- a time (oldest checkpoints first), resumes where the connection's last
-- call stopped and wraps around; once a whole pass finds no checkpoint to
-- delete, it deletes the channel values no checkpoint of their group names
-- (put_blob without a put, rows deleted by hand, a null version). A call
-- returns 0 only when nothing is left to delete.
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
-- thread a: namespaces '', 'B' and 'a' (BINARY order: '', 'B', 'a'); thread b: ''
SELECT langgraph_put_blob('a', 'm', '1', x'01');
SELECT langgraph_put_blob('a', 'm', '2', x'02');
SELECT langgraph_put_blob('a', 'm', '3', x'03');
SELECT langgraph_put('a', 'c1', x'00', '{}', '{"channel_versions": {"m": "1"}}');
SELECT langgraph_put('a', 'c2', x'00', '{}', '{"channel_versions": {"m": "2"}}');
SELECT langgraph_put('a', 'c3', x'00', '{}', '{"channel_versions": {"m": "3"}}');
SELECT langgraph_put_write('a', 'c1', 'task', 0, 'x', x'00');
SELECT langgraph_put_write('a', 'c3', 'task', 0, 'x', x'00');
SELECT langgraph_put_blob('a', 'm', '1', x'11', '{"checkpoint_ns": "B"}');
SELECT langgraph_put('a', 'd1', x'00', '{}', '{"checkpoint_ns": "B", "channel_versions": {"m": "1"}}');
SELECT langgraph_put('a', 'd2', x'00', '{}', '{"checkpoint_ns": "B", "channel_versions": {"m": "1"}}');
SELECT langgraph_put('a', 'e1', x'00', '{}', '{"checkpoint_ns": "a"}');
SELECT langgraph_put('a', 'e2', x'00', '{}', '{"checkpoint_ns": "a"}');
SELECT langgraph_put('a', 'e3', x'00', '{}', '{"checkpoint_ns": "a"}');
SELECT langgraph_put_blob('b', 'm', '1', x'21');
SELECT langgraph_put_blob('b', 'm', '2', x'22');
SELECT langgraph_put('b', 'f1', x'00', '{}', '{"channel_versions": {"m": "1"}}');
SELECT langgraph_put('b', 'f2', x'00', '{}', '{"channel_versions": {"m": "2", "n": null}}');
-- a channel value of a thread without checkpoints (a put_blob whose put never came)
SELECT langgraph_put_blob('c', 'm', '1', x'31');
SELECT count(*) FROM langgraph_checkpoints;
SELECT count(*) FROM langgraph_blobs;

-- keep 1, batch 2: each call deletes at most 2 checkpoints (and at most 2
-- channel values of the groups it pruned)
SELECT langgraph_prune_checkpoints(1, 2);
SELECT group_concat(checkpoint_ns || '/' || checkpoint_id, ' ') FROM (SELECT * FROM langgraph_checkpoints ORDER BY id);
SELECT group_concat(conversation_id || checkpoint_ns || '/' || channel || version, ' ') FROM (SELECT * FROM langgraph_blobs ORDER BY 1, 2, 3, 4);
SELECT langgraph_prune_checkpoints(1, 2);
SELECT group_concat(checkpoint_ns || '/' || checkpoint_id, ' ') FROM (SELECT * FROM langgraph_checkpoints ORDER BY id);
SELECT langgraph_prune_checkpoints(1, 2);
SELECT group_concat(checkpoint_ns || '/' || checkpoint_id, ' ') FROM (SELECT * FROM langgraph_checkpoints ORDER BY id);
-- (the third call deleted b's m1 with f1: f2's null version names nothing)
-- no checkpoint left to delete: now the channel values no checkpoint names,
-- in every group (thread c's)
SELECT langgraph_prune_checkpoints(1, 2);
SELECT group_concat(conversation_id || checkpoint_ns || '/' || channel || version, ' ') FROM (SELECT * FROM langgraph_blobs ORDER BY 1, 2, 3, 4);
SELECT langgraph_prune_checkpoints(1, 2);
SELECT group_concat(conversation_id || checkpoint_ns || '/' || channel || version, ' ') FROM (SELECT * FROM langgraph_blobs ORDER BY 1, 2, 3, 4);
SELECT langgraph_prune_checkpoints(1, 2);
SELECT count(*) FROM langgraph_writes;

-- new checkpoints in a group before the one where the walk stopped, and a
-- value no longer named after a raw UPDATE: found on the way round
SELECT langgraph_put('b', 'f3', x'00', '{}', '{"channel_versions": {"m": "2"}}');
SELECT langgraph_prune_checkpoints(1, 1); -- b's f2: the walk stops in b
SELECT langgraph_put('a', 'c4', x'00', '{}', '{"channel_versions": {"m": "3"}}');
UPDATE langgraph_checkpoints SET channel_versions = '{}' WHERE checkpoint_id = 'd2';
SELECT langgraph_prune_checkpoints(1, 1); -- a's c3, after wrapping round
SELECT group_concat(checkpoint_ns || '/' || checkpoint_id, ' ') FROM (SELECT * FROM langgraph_checkpoints ORDER BY id);
SELECT langgraph_prune_checkpoints(1, 1); -- a pass without checkpoints to delete: B's m1
SELECT langgraph_prune_checkpoints(1, 1);
SELECT group_concat(conversation_id || checkpoint_ns || '/' || channel || version, ' ') FROM (SELECT * FROM langgraph_blobs ORDER BY 1, 2, 3, 4);

-- keep 2 keeps the newest two by checkpoint_id, whatever the insert order
SELECT langgraph_put('b', 'f0', x'00', '{}');
SELECT langgraph_put('b', 'f9', x'00', '{}');
SELECT langgraph_prune_checkpoints(2);
SELECT langgraph_prune_checkpoints(2);
SELECT group_concat(checkpoint_id) FROM langgraph_list('b');
SELECT count(*) FROM chatflow_check() WHERE ok = 0;
