-- 05_runs: the run state machine (all 7x7 status pairs, through
-- set_run_status and through raw UPDATEs), one active run per
-- conversation, on_active cancel, fail_run, run_status, merge_run_state,
-- interrupts removed when a run ends, the run events log.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.bail off
-- Pair k uses conversation k and run k.  Setting a non-terminal run to the
-- status it has is allowed (it may move the step).
-- every pair through set_run_status(run, status)
SELECT create_conversation('acme'), start_run(1, 'topical_map');
SELECT 'started -> started', set_run_status(1, 'started');
SELECT create_conversation('acme'), start_run(2, 'topical_map');
SELECT 'started -> awaiting_clarification', set_run_status(2, 'awaiting_clarification');
SELECT create_conversation('acme'), start_run(3, 'topical_map');
SELECT 'started -> awaiting_approval', set_run_status(3, 'awaiting_approval');
SELECT create_conversation('acme'), start_run(4, 'topical_map');
SELECT 'started -> processing', set_run_status(4, 'processing');
SELECT create_conversation('acme'), start_run(5, 'topical_map');
SELECT 'started -> completed', set_run_status(5, 'completed');
SELECT create_conversation('acme'), start_run(6, 'topical_map');
SELECT 'started -> failed', set_run_status(6, 'failed');
SELECT create_conversation('acme'), start_run(7, 'topical_map');
SELECT 'started -> cancelled', set_run_status(7, 'cancelled');
SELECT create_conversation('acme'), start_run(8, 'topical_map'), set_run_status(8, 'awaiting_clarification');
SELECT 'awaiting_clarification -> started', set_run_status(8, 'started'); -- error
SELECT create_conversation('acme'), start_run(9, 'topical_map'), set_run_status(9, 'awaiting_clarification');
SELECT 'awaiting_clarification -> awaiting_clarification', set_run_status(9, 'awaiting_clarification');
SELECT create_conversation('acme'), start_run(10, 'topical_map'), set_run_status(10, 'awaiting_clarification');
SELECT 'awaiting_clarification -> awaiting_approval', set_run_status(10, 'awaiting_approval'); -- error
SELECT create_conversation('acme'), start_run(11, 'topical_map'), set_run_status(11, 'awaiting_clarification');
SELECT 'awaiting_clarification -> processing', set_run_status(11, 'processing');
SELECT create_conversation('acme'), start_run(12, 'topical_map'), set_run_status(12, 'awaiting_clarification');
SELECT 'awaiting_clarification -> completed', set_run_status(12, 'completed'); -- error
SELECT create_conversation('acme'), start_run(13, 'topical_map'), set_run_status(13, 'awaiting_clarification');
SELECT 'awaiting_clarification -> failed', set_run_status(13, 'failed');
SELECT create_conversation('acme'), start_run(14, 'topical_map'), set_run_status(14, 'awaiting_clarification');
SELECT 'awaiting_clarification -> cancelled', set_run_status(14, 'cancelled');
SELECT create_conversation('acme'), start_run(15, 'topical_map'), set_run_status(15, 'awaiting_approval');
SELECT 'awaiting_approval -> started', set_run_status(15, 'started'); -- error
SELECT create_conversation('acme'), start_run(16, 'topical_map'), set_run_status(16, 'awaiting_approval');
SELECT 'awaiting_approval -> awaiting_clarification', set_run_status(16, 'awaiting_clarification'); -- error
SELECT create_conversation('acme'), start_run(17, 'topical_map'), set_run_status(17, 'awaiting_approval');
SELECT 'awaiting_approval -> awaiting_approval', set_run_status(17, 'awaiting_approval');
SELECT create_conversation('acme'), start_run(18, 'topical_map'), set_run_status(18, 'awaiting_approval');
SELECT 'awaiting_approval -> processing', set_run_status(18, 'processing');
SELECT create_conversation('acme'), start_run(19, 'topical_map'), set_run_status(19, 'awaiting_approval');
SELECT 'awaiting_approval -> completed', set_run_status(19, 'completed'); -- error
SELECT create_conversation('acme'), start_run(20, 'topical_map'), set_run_status(20, 'awaiting_approval');
SELECT 'awaiting_approval -> failed', set_run_status(20, 'failed');
SELECT create_conversation('acme'), start_run(21, 'topical_map'), set_run_status(21, 'awaiting_approval');
SELECT 'awaiting_approval -> cancelled', set_run_status(21, 'cancelled');
SELECT create_conversation('acme'), start_run(22, 'topical_map'), set_run_status(22, 'processing');
SELECT 'processing -> started', set_run_status(22, 'started'); -- error
SELECT create_conversation('acme'), start_run(23, 'topical_map'), set_run_status(23, 'processing');
SELECT 'processing -> awaiting_clarification', set_run_status(23, 'awaiting_clarification');
SELECT create_conversation('acme'), start_run(24, 'topical_map'), set_run_status(24, 'processing');
SELECT 'processing -> awaiting_approval', set_run_status(24, 'awaiting_approval');
SELECT create_conversation('acme'), start_run(25, 'topical_map'), set_run_status(25, 'processing');
SELECT 'processing -> processing', set_run_status(25, 'processing');
SELECT create_conversation('acme'), start_run(26, 'topical_map'), set_run_status(26, 'processing');
SELECT 'processing -> completed', set_run_status(26, 'completed');
SELECT create_conversation('acme'), start_run(27, 'topical_map'), set_run_status(27, 'processing');
SELECT 'processing -> failed', set_run_status(27, 'failed');
SELECT create_conversation('acme'), start_run(28, 'topical_map'), set_run_status(28, 'processing');
SELECT 'processing -> cancelled', set_run_status(28, 'cancelled');
SELECT create_conversation('acme'), start_run(29, 'topical_map'), complete_run(29);
SELECT 'completed -> started', set_run_status(29, 'started'); -- error
SELECT create_conversation('acme'), start_run(30, 'topical_map'), complete_run(30);
SELECT 'completed -> awaiting_clarification', set_run_status(30, 'awaiting_clarification'); -- error
SELECT create_conversation('acme'), start_run(31, 'topical_map'), complete_run(31);
SELECT 'completed -> awaiting_approval', set_run_status(31, 'awaiting_approval'); -- error
SELECT create_conversation('acme'), start_run(32, 'topical_map'), complete_run(32);
SELECT 'completed -> processing', set_run_status(32, 'processing'); -- error
SELECT create_conversation('acme'), start_run(33, 'topical_map'), complete_run(33);
SELECT 'completed -> completed', set_run_status(33, 'completed'); -- error
SELECT create_conversation('acme'), start_run(34, 'topical_map'), complete_run(34);
SELECT 'completed -> failed', set_run_status(34, 'failed'); -- error
SELECT create_conversation('acme'), start_run(35, 'topical_map'), complete_run(35);
SELECT 'completed -> cancelled', set_run_status(35, 'cancelled'); -- error
SELECT create_conversation('acme'), start_run(36, 'topical_map'), fail_run(36, 'setup');
SELECT 'failed -> started', set_run_status(36, 'started'); -- error
SELECT create_conversation('acme'), start_run(37, 'topical_map'), fail_run(37, 'setup');
SELECT 'failed -> awaiting_clarification', set_run_status(37, 'awaiting_clarification'); -- error
SELECT create_conversation('acme'), start_run(38, 'topical_map'), fail_run(38, 'setup');
SELECT 'failed -> awaiting_approval', set_run_status(38, 'awaiting_approval'); -- error
SELECT create_conversation('acme'), start_run(39, 'topical_map'), fail_run(39, 'setup');
SELECT 'failed -> processing', set_run_status(39, 'processing'); -- error
SELECT create_conversation('acme'), start_run(40, 'topical_map'), fail_run(40, 'setup');
SELECT 'failed -> completed', set_run_status(40, 'completed'); -- error
SELECT create_conversation('acme'), start_run(41, 'topical_map'), fail_run(41, 'setup');
SELECT 'failed -> failed', set_run_status(41, 'failed'); -- error
SELECT create_conversation('acme'), start_run(42, 'topical_map'), fail_run(42, 'setup');
SELECT 'failed -> cancelled', set_run_status(42, 'cancelled'); -- error
SELECT create_conversation('acme'), start_run(43, 'topical_map'), cancel_run(43);
SELECT 'cancelled -> started', set_run_status(43, 'started'); -- error
SELECT create_conversation('acme'), start_run(44, 'topical_map'), cancel_run(44);
SELECT 'cancelled -> awaiting_clarification', set_run_status(44, 'awaiting_clarification'); -- error
SELECT create_conversation('acme'), start_run(45, 'topical_map'), cancel_run(45);
SELECT 'cancelled -> awaiting_approval', set_run_status(45, 'awaiting_approval'); -- error
SELECT create_conversation('acme'), start_run(46, 'topical_map'), cancel_run(46);
SELECT 'cancelled -> processing', set_run_status(46, 'processing'); -- error
SELECT create_conversation('acme'), start_run(47, 'topical_map'), cancel_run(47);
SELECT 'cancelled -> completed', set_run_status(47, 'completed'); -- error
SELECT create_conversation('acme'), start_run(48, 'topical_map'), cancel_run(48);
SELECT 'cancelled -> failed', set_run_status(48, 'failed'); -- error
SELECT create_conversation('acme'), start_run(49, 'topical_map'), cancel_run(49);
SELECT 'cancelled -> cancelled', set_run_status(49, 'cancelled'); -- error
-- every pair through a raw UPDATE (the schema's trigger; no run id in the text)
SELECT create_conversation('acme'), start_run(50, 'topical_map');
UPDATE workflow_runs SET status = 'started' WHERE id = 50;
SELECT create_conversation('acme'), start_run(51, 'topical_map');
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 51;
SELECT create_conversation('acme'), start_run(52, 'topical_map');
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 52;
SELECT create_conversation('acme'), start_run(53, 'topical_map');
UPDATE workflow_runs SET status = 'processing' WHERE id = 53;
SELECT create_conversation('acme'), start_run(54, 'topical_map');
UPDATE workflow_runs SET status = 'completed' WHERE id = 54;
SELECT create_conversation('acme'), start_run(55, 'topical_map');
UPDATE workflow_runs SET status = 'failed' WHERE id = 55;
SELECT create_conversation('acme'), start_run(56, 'topical_map');
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 56;
SELECT create_conversation('acme'), start_run(57, 'topical_map'), set_run_status(57, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'started' WHERE id = 57; -- error
SELECT create_conversation('acme'), start_run(58, 'topical_map'), set_run_status(58, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 58;
SELECT create_conversation('acme'), start_run(59, 'topical_map'), set_run_status(59, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 59; -- error
SELECT create_conversation('acme'), start_run(60, 'topical_map'), set_run_status(60, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'processing' WHERE id = 60;
SELECT create_conversation('acme'), start_run(61, 'topical_map'), set_run_status(61, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'completed' WHERE id = 61; -- error
SELECT create_conversation('acme'), start_run(62, 'topical_map'), set_run_status(62, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'failed' WHERE id = 62;
SELECT create_conversation('acme'), start_run(63, 'topical_map'), set_run_status(63, 'awaiting_clarification');
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 63;
SELECT create_conversation('acme'), start_run(64, 'topical_map'), set_run_status(64, 'awaiting_approval');
UPDATE workflow_runs SET status = 'started' WHERE id = 64; -- error
SELECT create_conversation('acme'), start_run(65, 'topical_map'), set_run_status(65, 'awaiting_approval');
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 65; -- error
SELECT create_conversation('acme'), start_run(66, 'topical_map'), set_run_status(66, 'awaiting_approval');
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 66;
SELECT create_conversation('acme'), start_run(67, 'topical_map'), set_run_status(67, 'awaiting_approval');
UPDATE workflow_runs SET status = 'processing' WHERE id = 67;
SELECT create_conversation('acme'), start_run(68, 'topical_map'), set_run_status(68, 'awaiting_approval');
UPDATE workflow_runs SET status = 'completed' WHERE id = 68; -- error
SELECT create_conversation('acme'), start_run(69, 'topical_map'), set_run_status(69, 'awaiting_approval');
UPDATE workflow_runs SET status = 'failed' WHERE id = 69;
SELECT create_conversation('acme'), start_run(70, 'topical_map'), set_run_status(70, 'awaiting_approval');
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 70;
SELECT create_conversation('acme'), start_run(71, 'topical_map'), set_run_status(71, 'processing');
UPDATE workflow_runs SET status = 'started' WHERE id = 71; -- error
SELECT create_conversation('acme'), start_run(72, 'topical_map'), set_run_status(72, 'processing');
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 72;
SELECT create_conversation('acme'), start_run(73, 'topical_map'), set_run_status(73, 'processing');
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 73;
SELECT create_conversation('acme'), start_run(74, 'topical_map'), set_run_status(74, 'processing');
UPDATE workflow_runs SET status = 'processing' WHERE id = 74;
SELECT create_conversation('acme'), start_run(75, 'topical_map'), set_run_status(75, 'processing');
UPDATE workflow_runs SET status = 'completed' WHERE id = 75;
SELECT create_conversation('acme'), start_run(76, 'topical_map'), set_run_status(76, 'processing');
UPDATE workflow_runs SET status = 'failed' WHERE id = 76;
SELECT create_conversation('acme'), start_run(77, 'topical_map'), set_run_status(77, 'processing');
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 77;
SELECT create_conversation('acme'), start_run(78, 'topical_map'), complete_run(78);
UPDATE workflow_runs SET status = 'started' WHERE id = 78; -- error
SELECT create_conversation('acme'), start_run(79, 'topical_map'), complete_run(79);
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 79; -- error
SELECT create_conversation('acme'), start_run(80, 'topical_map'), complete_run(80);
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 80; -- error
SELECT create_conversation('acme'), start_run(81, 'topical_map'), complete_run(81);
UPDATE workflow_runs SET status = 'processing' WHERE id = 81; -- error
SELECT create_conversation('acme'), start_run(82, 'topical_map'), complete_run(82);
UPDATE workflow_runs SET status = 'completed' WHERE id = 82;
SELECT create_conversation('acme'), start_run(83, 'topical_map'), complete_run(83);
UPDATE workflow_runs SET status = 'failed' WHERE id = 83; -- error
SELECT create_conversation('acme'), start_run(84, 'topical_map'), complete_run(84);
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 84; -- error
SELECT create_conversation('acme'), start_run(85, 'topical_map'), fail_run(85, 'setup');
UPDATE workflow_runs SET status = 'started' WHERE id = 85; -- error
SELECT create_conversation('acme'), start_run(86, 'topical_map'), fail_run(86, 'setup');
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 86; -- error
SELECT create_conversation('acme'), start_run(87, 'topical_map'), fail_run(87, 'setup');
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 87; -- error
SELECT create_conversation('acme'), start_run(88, 'topical_map'), fail_run(88, 'setup');
UPDATE workflow_runs SET status = 'processing' WHERE id = 88; -- error
SELECT create_conversation('acme'), start_run(89, 'topical_map'), fail_run(89, 'setup');
UPDATE workflow_runs SET status = 'completed' WHERE id = 89; -- error
SELECT create_conversation('acme'), start_run(90, 'topical_map'), fail_run(90, 'setup');
UPDATE workflow_runs SET status = 'failed' WHERE id = 90;
SELECT create_conversation('acme'), start_run(91, 'topical_map'), fail_run(91, 'setup');
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 91; -- error
SELECT create_conversation('acme'), start_run(92, 'topical_map'), cancel_run(92);
UPDATE workflow_runs SET status = 'started' WHERE id = 92; -- error
SELECT create_conversation('acme'), start_run(93, 'topical_map'), cancel_run(93);
UPDATE workflow_runs SET status = 'awaiting_clarification' WHERE id = 93; -- error
SELECT create_conversation('acme'), start_run(94, 'topical_map'), cancel_run(94);
UPDATE workflow_runs SET status = 'awaiting_approval' WHERE id = 94; -- error
SELECT create_conversation('acme'), start_run(95, 'topical_map'), cancel_run(95);
UPDATE workflow_runs SET status = 'processing' WHERE id = 95; -- error
SELECT create_conversation('acme'), start_run(96, 'topical_map'), cancel_run(96);
UPDATE workflow_runs SET status = 'completed' WHERE id = 96; -- error
SELECT create_conversation('acme'), start_run(97, 'topical_map'), cancel_run(97);
UPDATE workflow_runs SET status = 'failed' WHERE id = 97; -- error
SELECT create_conversation('acme'), start_run(98, 'topical_map'), cancel_run(98);
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 98;
-- the statuses reached: a refused transition changed nothing
SELECT group_concat(id || ':' || status, ' ') FROM workflow_runs WHERE id <= 49;
SELECT group_concat(id || ':' || status, ' ') FROM workflow_runs WHERE id > 49;
-- one event per change: the start, the setup move, the allowed move
SELECT count(*), count(DISTINCT run_id) FROM workflow_run_events;
SELECT run_id, from_status, to_status, from_step, to_step, detail, created_at
  FROM workflow_run_events WHERE run_id IN (1, 8, 12, 40) ORDER BY id;
-- completed_at is set when (and only when) a run ends
SELECT count(*) FROM workflow_runs
 WHERE (completed_at IS NOT NULL) <> (status IN ('completed', 'failed', 'cancelled'));

-- start_run: status started, step = the workflow's first, input becomes state
SELECT chatflow_clock('2026-02-01T00:00:00.000Z');
SELECT create_conversation('acme', 'runs', '{"uid": "r1"}');
SELECT start_run(99, 'topical_map', '{"seed": "bakery", "geo": {"city": "Lyon"}}');
SELECT id, conversation_id, workflow, status, current_step, state, business_context, clarifications,
       error, started_at, completed_at, created_at, updated_at FROM workflow_runs WHERE id = 99;
SELECT active_run(99), run_workflow_id(99);
SELECT run_status(99);
-- one active run per conversation
SELECT start_run(99, 'topical_map'); -- error
SELECT set_run_status(99, 'awaiting_approval', 'pillar_proposal');
SELECT start_run(99, 'topical_map'); -- error
SELECT start_run(99, 'topical_map', NULL, '{"on_active": "reject"}'); -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (99, 'topical_map'); -- error
SELECT count(*) FROM workflow_runs WHERE conversation_id = 99;
-- a finished run is not in the way; a run in another conversation neither
SELECT create_conversation('acme', 'other', '{"uid": "r2"}');
SELECT start_run(100, 'topical_map');
-- on_active cancel: cancels the active run and starts the new one atomically
SELECT chatflow_clock('2026-02-01T00:05:00.000Z');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_99', x'c0ffee');
SELECT start_run(99, 'topical_map', '{}', '{"on_active": "cancel"}');
SELECT id, status, current_step, completed_at FROM workflow_runs WHERE conversation_id = 99 ORDER BY id;
SELECT active_run(99);
-- the cancelled run's interrupt went with it
SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'run_99';
SELECT run_id, from_status, to_status, from_step, to_step, detail, created_at
  FROM workflow_run_events WHERE run_id IN (99, 101) ORDER BY id;
-- on_active cancel with nothing active simply starts
SELECT cancel_run(100);
SELECT start_run(100, 'topical_map', NULL, '{"on_active": "cancel"}');

-- steps: set_run_status may move the step, to a step of the workflow only
SELECT set_run_status(101, 'processing', 'context_ingestion');
SELECT set_run_status(101, 'awaiting_clarification', 'clarification');
SELECT set_run_status(101, 'awaiting_clarification', 'pillar_proposal');
SELECT set_run_status(101, 'processing', 'no_such_step'); -- error
SELECT set_run_status(101, 'processing', 'pillar_validation');
SELECT set_run_status(101, 'processing', 'cluster_generation');
SELECT status, current_step FROM workflow_runs WHERE id = 101;
UPDATE workflow_runs SET current_step = 'bogus' WHERE id = 101; -- error
UPDATE workflow_runs SET status = 'paused' WHERE id = 101; -- error
UPDATE workflow_runs SET conversation_id = 100 WHERE id = 101; -- error
SELECT set_run_status(101, 'paused'); -- error
SELECT run_id, from_status, to_status, from_step, to_step FROM workflow_run_events WHERE run_id = 101 ORDER BY id;

-- merge_run_state: RFC 7396 merge patch (null removes a key)
SELECT merge_run_state(101, '{"pillars": ["bread", "cakes"], "geo": {"city": "Lyon", "zip": "69001"}}');
SELECT merge_run_state(101, '{"geo": {"zip": null, "country": "FR"}, "pillars": ["bread"], "done": false}');
SELECT state FROM workflow_runs WHERE id = 101;
SELECT merge_run_state(101, '{}');
SELECT merge_run_state(101, '[1]'); -- error
SELECT merge_run_state(101, 'null'); -- error
SELECT merge_run_state(101, '{"a": '); -- error

-- fail_run records the error; the event carries it
SELECT chatflow_clock('2026-02-01T00:10:00.000Z');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_101', 'serialised state');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_102', 'serialised state');
SELECT fail_run(101, 'SERP API returned 503');
SELECT run_status(101);
SELECT workflow_id FROM workflow_interrupts ORDER BY 1;
SELECT from_status, to_status, detail, created_at FROM workflow_run_events WHERE run_id = 101 ORDER BY id DESC LIMIT 1;
-- a finished run cannot move, and its state is frozen
SELECT fail_run(101, 'again'); -- error
SELECT cancel_run(101); -- error
SELECT complete_run(101); -- error
SELECT merge_run_state(101, '{"x": 1}'); -- error
-- complete_run ends a run and removes its interrupt too
SELECT complete_run(102);
SELECT run_status(102);
SELECT count(*) FROM workflow_interrupts;
SELECT active_run(99), active_run(100);
-- a raw UPDATE that ends a run removes the interrupt in the same statement
SELECT start_run(99, 'topical_map');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_103', x'01');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('not_a_run', x'02');
BEGIN;
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 103;
SELECT workflow_id FROM workflow_interrupts ORDER BY 1;
SELECT status, completed_at IS NOT NULL FROM workflow_runs WHERE id = 103;
ROLLBACK;
SELECT workflow_id FROM workflow_interrupts ORDER BY 1;
SELECT status FROM workflow_runs WHERE id = 103;
-- ... a run that has ended takes no checkpoint, and a refused transition
-- changes nothing
SELECT set_run_status(103, 'completed');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_103', x'03'); -- error
SELECT set_run_status(103, 'processing'); -- error
SELECT workflow_id FROM workflow_interrupts ORDER BY 1;

-- errors of the run functions
SELECT start_run(99, 'no_such_workflow'); -- error
SELECT start_run(999, 'topical_map'); -- error
SELECT start_run(99, 'topical_map', '[]'); -- error
SELECT start_run(99, 'topical_map', '{"a": 1}', '{"on_active": "wait"}'); -- error
SELECT start_run(99, 'topical_map', '{"a": 1}', '{"mode": "x"}'); -- error
SELECT delete_conversation(100);
SELECT start_run(100, 'topical_map'); -- error
SELECT set_run_status(999, 'processing'); -- error
SELECT cancel_run(999); -- error
SELECT complete_run(999); -- error
SELECT fail_run(999, 'x'); -- error
SELECT fail_run(103, ''); -- error
SELECT fail_run(103, NULL); -- error
SELECT run_status(999); -- error
SELECT active_run(999); -- error
SELECT merge_run_state(999, '{}'); -- error
SELECT run_workflow_id(0); -- error
-- the log is append-only
UPDATE workflow_run_events SET to_status = 'completed' WHERE id = 1; -- error
