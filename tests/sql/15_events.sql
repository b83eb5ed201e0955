-- 15_events: every status or step change, by a function or by a raw
-- UPDATE, appends exactly one row to workflow_run_events (shown by the
-- run_events view); refused changes append nothing; the log is append-only.
-- start_run on_active: 'reject' (default) and 'cancel'.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.bail off
.headers on
-- the view's columns
SELECT name, type FROM pragma_table_info('run_events') ORDER BY cid;
.headers off
CREATE TEMP TABLE seen (n INTEGER);
INSERT INTO seen VALUES (0);
-- new events since the last look, then remember where we are
CREATE TEMP VIEW new_events AS
  SELECT run_id, event_id, at, transition, step, from_status, to_status, from_step, to_step, detail
    FROM run_events WHERE event_id > (SELECT n FROM seen) ORDER BY event_id;
SELECT create_conversation('acme', 'c' || value, json_object('uid', 'c' || value))
  FROM generate_series(1, 4);

-- by function: one event each
SELECT start_run(1, 'topical_map', '{"seed": 1}');
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT advance_run(1);
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT resume_run(1, '{"clarifications": [{"question_id": 1, "question": "q", "answer": "a"}], "k": 1}');
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT advance_run(1, '{"k": 2}');
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT resume_run(1, '{}');
SELECT advance_run(1);
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
-- set_run_status: same status, new step (one event); same status and step (none)
SELECT set_run_status(1, 'processing', 'cluster_generation');
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT set_run_status(1, 'processing', 'cluster_generation');
SELECT set_run_status(1, 'processing');
SELECT * FROM new_events;
-- writes that change neither status nor step append nothing
SELECT merge_run_state(1, '{"x": 1}');
SELECT heartbeat_run(1);
SELECT set_business_context(1, '{"icp": "locals"}');
SELECT add_clarification(1, 'q2', 'more?', 'no');
SELECT add_proposal(1, 'pillar', 'Bread');
SELECT validate_proposal(1, '{}');
SELECT * FROM new_events;
-- fail_run carries the error in detail; the end is one event
SELECT chatflow_clock('2026-01-01T00:02:00.000Z');
SELECT fail_run(1, 'model timeout');
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT start_run(1, 'topical_map'), complete_run(2);
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT start_run(1, 'topical_map'), cancel_run(3);
SELECT * FROM new_events; UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);

-- refused changes append nothing
SELECT advance_run(1); -- error
SELECT resume_run(1, '{}'); -- error
SELECT set_run_status(1, 'processing'); -- error
SELECT cancel_run(3); -- error
SELECT start_run(4, 'topical_map'), advance_run(4);
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
SELECT advance_run(4); -- error
SELECT resume_run(4, '{"approvals": [{"proposal_id": 1}]}'); -- error
SELECT set_run_status(4, 'awaiting_approval'); -- error
SELECT set_run_status(4, 'processing', 'nope'); -- error
UPDATE workflow_runs SET status = 'completed' WHERE id = 4; -- error
UPDATE workflow_runs SET current_step = 'nope' WHERE id = 4; -- error
UPDATE workflow_runs SET status = 'processing', current_step = 'nope' WHERE id = 4; -- error
SELECT count(*) FROM new_events;

-- raw UPDATEs: one event per changed row, stamped with the real time
-- (so the time is not shown here)
UPDATE workflow_runs SET status = 'processing' WHERE id = 4;
SELECT run_id, transition, step, from_status, to_status, from_step, to_step, detail FROM new_events;
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
UPDATE workflow_runs SET current_step = 'pillar_proposal' WHERE id = 4;
SELECT run_id, transition, step, detail FROM new_events;
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
UPDATE workflow_runs SET status = 'awaiting_approval', current_step = 'pillar_validation' WHERE id = 4;
SELECT run_id, transition, step, detail FROM new_events;
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
-- an UPDATE that sets the same values, or other columns, appends nothing
UPDATE workflow_runs SET status = status, current_step = current_step WHERE id = 4;
UPDATE workflow_runs SET state = '{"raw": true}' WHERE id = 4;
SELECT count(*) FROM new_events;
-- a raw failure carries its error in detail
UPDATE workflow_runs SET status = 'failed', error = 'raw stop' WHERE id = 4;
SELECT run_id, transition, step, detail FROM new_events;
-- one statement, several rows: one event each
SELECT start_run(4, 'topical_map');
SELECT start_run(2, 'topical_map');
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
UPDATE workflow_runs SET status = 'cancelled' WHERE status = 'started';
SELECT run_id, transition, step, detail FROM new_events;
SELECT run_id, transition, step, detail FROM run_events WHERE run_id = 4 ORDER BY event_id DESC LIMIT 1;
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
-- a raw INSERT of a run appends its start event
INSERT INTO workflow_runs (id, conversation_id, workflow) VALUES (20, 2, 'topical_map');
SELECT run_id, transition, step, detail FROM new_events;
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
-- a rolled-back change leaves no event
BEGIN;
SELECT advance_run(20);
SELECT count(*) FROM new_events;
ROLLBACK;
SELECT count(*) FROM new_events;

-- the log is append-only: no UPDATE; no INSERT for an unknown run
UPDATE workflow_run_events SET detail = '{}' WHERE id = 1; -- error
UPDATE workflow_run_events SET to_status = 'completed'; -- error
INSERT INTO workflow_run_events (run_id, to_status) VALUES (999, 'started'); -- error
-- nor a forged event: a status that is no run status, a second creation
-- (from_status NULL), a move from anywhere but the last event's to_status,
-- a created_at that is no timestamp; the move that continues the chain passes
SELECT to_status FROM workflow_run_events WHERE run_id = 20 ORDER BY id DESC LIMIT 1;
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at) VALUES (20, 'started', 'nonsense', '2026-01-01T00:00:00.000Z'); -- error
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at) VALUES (20, 'bogus', 'started', '2026-01-01T00:00:00.000Z'); -- error
INSERT INTO workflow_run_events (run_id, from_status, to_status) VALUES (20, NULL, 'started'); -- error
INSERT INTO workflow_run_events (run_id, from_status, to_status) VALUES (20, 'processing', 'completed'); -- error
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at) VALUES (20, 'started', 'completed', 'yesterday'); -- error
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at) VALUES (20, 'started', 'completed', '2026-01-01 00:00:00'); -- error
-- a move that continues the chain to another status than the run's (the
-- run is started: no change of it logged this)
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at) VALUES (20, 'started', 'completed', '2026-01-01T00:00:00.000Z'); -- error
SELECT count(*) FROM new_events;
INSERT INTO workflow_run_events (run_id, from_status, to_status, created_at) VALUES (20, 'started', 'started', '2026-01-01T00:00:00.000Z');
SELECT run_id, transition, step, detail FROM new_events;
-- no DELETE while the run exists: not one event, not the log
DELETE FROM workflow_run_events WHERE id = (SELECT max(id) FROM workflow_run_events WHERE run_id = 1); -- error
DELETE FROM workflow_run_events WHERE run_id = 1; -- error
SELECT count(*) FROM workflow_run_events WHERE run_id = 1;
-- events go with their run when it is purged
SELECT count(*) FROM workflow_run_events WHERE run_id IN (1, 2, 3);
SELECT purge_conversation(1);
SELECT count(*) FROM workflow_run_events WHERE run_id IN (1, 2, 3);
SELECT count(*) = (SELECT count(*) FROM workflow_run_events) FROM run_events;

-- start_run on_active: reject (the default) refuses with the active run named
SELECT chatflow_clock('2026-01-01T00:03:00.000Z');
SELECT start_run(3, 'topical_map');
SELECT advance_run(last_insert_rowid());
SELECT start_run(3, 'topical_map'); -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": "reject"}'); -- error
SELECT start_run(3, 'topical_map', '{}', '{}'); -- error
SELECT id, status FROM workflow_runs WHERE conversation_id = 3 ORDER BY id;
-- invalid on_active values
SELECT start_run(3, 'topical_map', NULL, '{"on_active": "wait"}'); -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": ""}'); -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": "CANCEL"}'); -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": null}'); -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": true}'); -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": ["cancel"]}'); -- error
-- cancel: the active run is cancelled and the new one started atomically;
-- the events of both, at the same time
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_21', x'21');
SELECT chatflow_clock('2026-01-01T00:04:00.000Z');
SELECT start_run(3, 'topical_map', '{"retry": true}', '{"on_active": "cancel"}');
SELECT * FROM new_events;
SELECT id, status, current_step, state, completed_at FROM workflow_runs WHERE conversation_id = 3 ORDER BY id;
SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'run_21';
UPDATE seen SET n = (SELECT max(id) FROM workflow_run_events);
-- a cancel whose new run fails (unknown workflow) cancels nothing
SELECT start_run(3, 'no_such_flow', NULL, '{"on_active": "cancel"}'); -- error
SELECT count(*) FROM new_events;
SELECT id, status FROM workflow_runs WHERE conversation_id = 3 ORDER BY id;
