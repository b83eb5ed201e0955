-- A rollback deletes what the run saved, but a channel value that a
-- checkpoint of no run (LangGraph's updateState after the run) also names
-- stays, untagged: with foreign_keys off (the trigger) and on (the
-- foreign key's cascade comes after the BEFORE DELETE trigger).
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT langgraph_put('t', 'c0', x'00', '{}');
SELECT start_run(1, 'topical_map');
SELECT langgraph_put_blob('t', 'topic', '2', CAST('"rye"' AS BLOB), '{"run_id": 1}');
SELECT langgraph_put_blob('t', 'draft', '1', CAST('"only the run"' AS BLOB), '{"run_id": 1}');
SELECT langgraph_put('t', 'c1', x'00', '{}', '{"run_id": 1, "parent_checkpoint_id": "c0", "channel_versions": {"topic": "2", "draft": "1"}}');
SELECT langgraph_put('t', 'c2', x'00', '{"source": "update"}', '{"parent_checkpoint_id": "c1", "channel_versions": {"topic": "2"}}');
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "rollback"}');
SELECT group_concat(checkpoint_id) FROM langgraph_checkpoints;
SELECT channel, CAST(value AS TEXT) FROM langgraph_channel_values('t', 'c2');
SELECT channel, version, run_id IS NULL FROM langgraph_blobs ORDER BY channel;
SELECT count(*) FROM chatflow_check() WHERE ok = 0;

PRAGMA foreign_keys = ON;
SELECT langgraph_put('u', 'd0', x'00', '{}');
SELECT start_run(conversation_by_uid('u'), 'topical_map');
SELECT langgraph_put_blob('u', 'topic', '7', CAST('"spelt"' AS BLOB), '{"run_id": 3}');
SELECT langgraph_put_blob('u', 'draft', '7', CAST('"gone"' AS BLOB), '{"run_id": 3}');
SELECT langgraph_put('u', 'd1', x'00', '{}', '{"run_id": 3, "channel_versions": {"topic": "7", "draft": "7"}}');
SELECT langgraph_put('u', 'd2', x'00', '{}', '{"channel_versions": {"topic": "7"}}');
SELECT start_run(conversation_by_uid('u'), 'topical_map', NULL, '{"on_active": "rollback"}');
SELECT channel, CAST(value AS TEXT) FROM langgraph_channel_values('u', 'd2');
SELECT count(*) FROM langgraph_blobs WHERE channel = 'draft' AND version = '7';
PRAGMA foreign_keys = OFF;

-- a value's run may be cleared by hand, never moved to another run
.bail off
UPDATE langgraph_blobs SET run_id = 4 WHERE channel = 'topic' AND version = '7'; -- error
SELECT langgraph_put_blob('u', 'note', '1', CAST('"n"' AS BLOB), '{"run_id": 4}');
UPDATE langgraph_blobs SET run_id = NULL WHERE channel = 'note';
SELECT run_id IS NULL FROM langgraph_blobs WHERE channel = 'note';
