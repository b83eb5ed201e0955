-- 41_run_uid: start_run's option uid, the retry key of a run: a start_run
-- with a uid the conversation has returns that run and writes nothing
-- (whatever the run became since), with another workflow it fails; the
-- uid is unique per conversation, never changes, and travels with export
-- and import.  Every refusal leaves nothing behind.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
INSERT INTO workflow_definitions (name, steps) VALUES ('other', '[{"name": "only", "awaits": null}]');
SELECT create_conversation('acme', 'Runs');
SELECT create_conversation('acme', 'More runs');
SELECT start_run(1, 'topical_map', '{"seed": "bakery"}', '{"uid": "req-1"}');
-- the same call again (a client that lost the answer of its commit): the same run
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT start_run(1, 'topical_map', '{"seed": "bakery"}', '{"uid": "req-1"}');
SELECT count(*), max(id) FROM workflow_runs;
SELECT count(*) FROM workflow_run_events;
-- also once the run moved on or ended, and whatever on_active says
SELECT advance_run(1);
SELECT start_run(1, 'topical_map', NULL, '{"uid": "req-1", "on_active": "rollback"}');
SELECT cancel_run(1);
SELECT start_run(1, 'topical_map', NULL, '{"uid": "req-1", "on_active": "cancel"}');
SELECT id, status, uid FROM workflow_runs;
-- another uid is another run; the same uid in another conversation too
SELECT start_run(1, 'topical_map', NULL, '{"uid": "req-2"}');
SELECT start_run(2, 'topical_map', NULL, '{"uid": "req-1"}');
SELECT id, conversation_id, status, uid FROM workflow_runs ORDER BY id;
-- with the other options: the retry of an enqueued run
SELECT start_run(1, 'topical_map', NULL, '{"uid": "req-3", "on_active": "enqueue", "ttl_seconds": 60}');
SELECT start_run(1, 'topical_map', NULL, '{"uid": "req-3", "on_active": "enqueue", "ttl_seconds": 60}');
SELECT id, status, awaiting_ttl_seconds, uid FROM workflow_runs WHERE id = 4;

-- ------------------------------------------------ refusals: nothing written
CREATE TEMP TABLE before AS SELECT (SELECT count(*) FROM workflow_runs) AS runs, (SELECT count(*) FROM workflow_run_events) AS events;
SELECT start_run(1, 'other', NULL, '{"uid": "req-1"}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"uid": ""}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"uid": 7}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"uid": "' || printf('%.129c', 'u') || '"}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"uid": "a\u0000b"}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"uid": "req-9"}'); -- error
SELECT start_run(9, 'topical_map', NULL, '{"uid": "req-1"}'); -- error
SELECT (SELECT count(*) FROM workflow_runs) - runs, (SELECT count(*) FROM workflow_run_events) - events FROM before;
-- a deleted conversation: its runs are still found by uid, no new one starts
SELECT delete_conversation(2);
SELECT start_run(2, 'topical_map', NULL, '{"uid": "req-1"}');
SELECT start_run(2, 'topical_map', NULL, '{"uid": "req-new"}'); -- error
SELECT restore_conversation(2);

-- ------------------------------------------------ raw SQL
INSERT INTO workflow_runs (conversation_id, workflow, status, uid, completed_at) VALUES (1, 'topical_map', 'completed', 'req-2', '2026-01-01T00:06:00.000Z'); -- error
-- REPLACE would delete the run without its DELETE triggers (recursive_triggers off)
INSERT OR REPLACE INTO workflow_runs (conversation_id, workflow, status, uid, completed_at) VALUES (1, 'topical_map', 'completed', 'req-2', '2026-01-01T00:06:00.000Z'); -- error
INSERT INTO workflow_runs (conversation_id, workflow, status, uid, completed_at) VALUES (1, 'topical_map', 'completed', '', '2026-01-01T00:06:00.000Z'); -- error
INSERT INTO workflow_runs (conversation_id, workflow, status, uid, completed_at) VALUES (1, 'topical_map', 'completed', 'a' || char(0) || 'b', '2026-01-01T00:06:00.000Z'); -- error
INSERT INTO workflow_runs (conversation_id, workflow, status, uid, created_at, updated_at, completed_at)
VALUES (1, 'topical_map', 'completed', 'raw-1', '2026-01-01T00:05:00.000Z', '2026-01-01T00:06:00.000Z', '2026-01-01T00:06:00.000Z');
SELECT start_run(1, 'topical_map', NULL, '{"uid": "raw-1"}');
UPDATE workflow_runs SET uid = 'changed' WHERE id = 1; -- error
UPDATE workflow_runs SET uid = NULL WHERE id = 1; -- error
SELECT start_run(2, 'topical_map');
UPDATE workflow_runs SET uid = 'given-late' WHERE uid IS NULL; -- error

-- ------------------------------------------------ export and import keep it
SELECT json_extract(export_conversation(1), '$.runs[0].uid'), json_extract(export_conversation(1), '$.runs[1].uid');
SELECT import_conversation('other', export_conversation(1));
SELECT group_concat(uid, ',') FROM (SELECT uid FROM workflow_runs WHERE conversation_id = 3 ORDER BY id);
SELECT start_run(3, 'topical_map', NULL, '{"uid": "req-1"}') = (SELECT id FROM workflow_runs WHERE conversation_id = 3 AND uid = 'req-1');
SELECT "check", detail FROM chatflow_check() WHERE NOT ok;
