-- 14_leases: run leases with a pinned clock.  start_run and every move to
-- started/processing give a lease of runs.lease_seconds (default 300);
-- heartbeat_run extends it; awaiting runs hold none; expire_stale_runs()
-- fails exactly the started/processing runs whose lease has passed.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.bail off
CREATE TEMP VIEW l AS SELECT id, status, current_step, lease_expires_at FROM workflow_runs;
SELECT create_conversation('acme', 'c' || value, json_object('uid', 'c' || value))
  FROM generate_series(1, 8);

-- start_run: lease = now + 300 s by default
SELECT chatflow_config('runs.lease_seconds');
SELECT start_run(1, 'topical_map');
SELECT * FROM l WHERE id = 1;
-- runs.lease_seconds changes it for runs started afterwards
SELECT chatflow_config('runs.lease_seconds', '60');
SELECT chatflow_config('runs.lease_seconds');
SELECT start_run(2, 'topical_map');
SELECT * FROM l ORDER BY id;
SELECT chatflow_config('runs.lease_seconds', '0'); -- error
SELECT chatflow_config('runs.lease_seconds', '86401'); -- error
SELECT chatflow_config('runs.lease_seconds', 'soon'); -- error
SELECT chatflow_config('runs.lease_seconds');

-- heartbeat_run: from now, by runs.lease_seconds or the given seconds
SELECT chatflow_clock('2026-01-01T00:00:30.000Z');
SELECT heartbeat_run(1);
SELECT heartbeat_run(2, 600);
SELECT heartbeat_run(2, 1);
SELECT heartbeat_run(2, 86400);
SELECT * FROM l ORDER BY id;
-- bounds and types of seconds; nothing written
SELECT heartbeat_run(1, 0); -- error
SELECT heartbeat_run(1, -5); -- error
SELECT heartbeat_run(1, 86401); -- error
SELECT heartbeat_run(1, 9223372036854775807); -- error
SELECT heartbeat_run(1, 1.5); -- error
SELECT heartbeat_run(1, '60'); -- error
SELECT heartbeat_run(1, NULL); -- error
SELECT heartbeat_run(1, x'3c'); -- error
SELECT heartbeat_run(99); -- error
SELECT * FROM l ORDER BY id;
-- a heartbeat moves neither status nor step: no event
SELECT run_id, count(*) FROM workflow_run_events GROUP BY run_id ORDER BY run_id;

-- an awaiting run holds no lease (by function or raw UPDATE), and
-- heartbeat_run refuses it
SELECT advance_run(1);
SELECT * FROM l WHERE id = 1;
SELECT heartbeat_run(1); -- error
SELECT heartbeat_run(1, 60); -- error
SELECT set_run_status(2, 'awaiting_approval', 'pillar_proposal');
SELECT * FROM l WHERE id = 2;
SELECT start_run(3, 'topical_map');
UPDATE workflow_runs SET status = 'awaiting_approval', current_step = 'pillar_proposal' WHERE id = 3;
SELECT * FROM l WHERE id = 3;
SELECT heartbeat_run(3); -- error
-- resume renews the lease (processing), from the time of the resume
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT resume_run(1, '{"clarifications": []}');
SELECT * FROM l WHERE id = 1;
-- advance to a step that does not wait renews it too
SELECT advance_run(1);
SELECT resume_run(1, '{}');
SELECT chatflow_clock('2026-01-01T00:01:10.000Z');
SELECT advance_run(1);
SELECT * FROM l WHERE id = 1;
-- set_run_status to processing renews; to awaiting drops
SELECT set_run_status(2, 'processing');
SELECT * FROM l WHERE id = 2;
-- ended runs hold no lease and heartbeat_run refuses them
SELECT start_run(4, 'topical_map'), complete_run(4);
SELECT start_run(5, 'topical_map'), cancel_run(5);
SELECT * FROM l WHERE id IN (4, 5) ORDER BY id;
SELECT heartbeat_run(4); -- error
SELECT heartbeat_run(5, 10); -- error

-- expire_stale_runs: runs at 00:01:10 —
--   1 processing, lease 00:02:10   2 processing, lease 00:02:10
--   3 awaiting_approval, no lease  6 started (lease set below)
--   7 started, lease renewed       8 awaiting_clarification
SELECT chatflow_clock('2026-01-01T00:01:30.000Z');
SELECT start_run(6, 'topical_map');
SELECT start_run(7, 'topical_map');
SELECT start_run(8, 'topical_map'), advance_run(8);
SELECT heartbeat_run(2, 30);
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01'), ('run_2', x'02'), ('run_3', x'03'), ('run_6', x'06'), ('ext_9', x'09');
SELECT * FROM l WHERE status IN ('started', 'processing', 'awaiting_clarification', 'awaiting_approval') ORDER BY id;
-- nothing has expired yet; exactly at the lease time nothing has either
SELECT expire_stale_runs();
SELECT chatflow_clock('2026-01-01T00:02:00.000Z');
SELECT expire_stale_runs();
SELECT * FROM l WHERE id = 2;
-- one millisecond later run 2 has
SELECT chatflow_clock('2026-01-01T00:02:00.001Z');
SELECT heartbeat_run(7);
SELECT expire_stale_runs();
SELECT id, status, error, completed_at, lease_expires_at FROM workflow_runs WHERE id = 2;
SELECT run_status(2);
-- the event records it
SELECT run_id, transition, step, detail, at FROM run_events WHERE run_id = 2 ORDER BY event_id DESC LIMIT 1;
SELECT from_status, to_status, from_step, to_step, detail, created_at
  FROM workflow_run_events WHERE run_id = 2 ORDER BY id DESC LIMIT 1;
-- its interrupt is gone, the others stay
SELECT workflow_id FROM workflow_interrupts ORDER BY 1;
-- a failed run refuses a late heartbeat
SELECT heartbeat_run(2); -- error
-- at 00:10 runs 1, 6 and 7 have expired; the awaiting runs 3 and 8 never do
SELECT chatflow_clock('2026-01-01T00:10:00.000Z');
SELECT expire_stale_runs();
SELECT id, status, error FROM workflow_runs ORDER BY id;
SELECT run_id, transition, step, detail, at FROM run_events
 WHERE detail IS NOT NULL ORDER BY event_id;
SELECT workflow_id FROM workflow_interrupts ORDER BY 1;
SELECT expire_stale_runs();
SELECT chatflow_clock('2027-01-01T00:00:00.000Z');
SELECT expire_stale_runs();
SELECT id, status FROM workflow_runs WHERE id IN (3, 8) ORDER BY id;
-- the conversations of the expired runs are free for a new run
SELECT active_run(1), active_run(2), active_run(3);
SELECT start_run(1, 'topical_map'), start_run(2, 'topical_map');
SELECT start_run(3, 'topical_map'); -- error
SELECT id, conversation_id, status, lease_expires_at FROM workflow_runs WHERE id > 8 ORDER BY id;
-- an expiry inside a caller's transaction is undone with it
BEGIN;
SELECT chatflow_clock('2028-01-01T00:00:00.000Z');
SELECT expire_stale_runs();
SELECT id, status FROM workflow_runs WHERE id > 8 ORDER BY id;
ROLLBACK;
SELECT id, status FROM workflow_runs WHERE id > 8 ORDER BY id;
