-- 37_run_queue: start_run's on_active strategies enqueue and rollback, the
-- queued and expired statuses, awaiting_ttl_seconds and expires_at, and
-- start_run ending a stale active run before it decides.  Every function
-- path here, and the same moves by raw SQL; refusals leave nothing behind.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Queue');
SELECT add_message(1, 'user', 'Hello, no run yet');

-- enqueue behind an active run: queued, no lease, first in first out
SELECT start_run(1, 'topical_map', '{"n": 1}', '{"on_active": "enqueue"}');
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT start_run(1, 'topical_map', '{"n": 2}', '{"on_active": "enqueue"}');
SELECT start_run(1, 'topical_map', '{"n": 3}', '{"on_active": "enqueue"}');
SELECT id, status, lease_expires_at, started_at, created_at FROM workflow_runs ORDER BY id;
SELECT run_status(2) ->> 'queue_position', run_status(3) ->> 'queue_position',
       run_status(1) ->> 'queue_position', run_status(3) ->> 'is_active';
SELECT * FROM run_queue;
SELECT active_run(1);
-- a queued run takes no work
SELECT advance_run(2);  -- error
SELECT resume_run(2, '{}');  -- error
SELECT heartbeat_run(2);  -- error
SELECT merge_run_state(2, '{"x": 1}');  -- error
SELECT add_proposal(2, 'pillar', 'Bread');  -- error
SELECT set_run_status(2, 'processing');  -- error
SELECT set_run_status(2, 'started');  -- error
SELECT set_run_status(2, 'queued');  -- error
SELECT set_run_status(1, 'queued');  -- error
-- the active run ends: the oldest queued run starts now, with its lease
SELECT chatflow_clock('2026-01-01T00:02:00.000Z');
SELECT complete_run(1);
SELECT id, status, lease_expires_at, started_at FROM workflow_runs ORDER BY id;
SELECT * FROM run_queue;
SELECT run_id, transition, at FROM run_events WHERE event_id > 3 ORDER BY event_id;
-- cancelling a queued run takes it out of the queue
SELECT cancel_run(3);
SELECT * FROM run_queue;
SELECT id, status, completed_at FROM workflow_runs WHERE id = 3;
-- failing, and a raw UPDATE, end the active run just the same
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT fail_run(2, 'model down');
SELECT id, status FROM workflow_runs WHERE id >= 2 ORDER BY id;
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
UPDATE workflow_runs SET status = 'cancelled' WHERE id = 4;
SELECT id, status, lease_expires_at IS NOT NULL FROM workflow_runs WHERE id >= 4 ORDER BY id;
-- enqueue with no active run just starts
SELECT cancel_run(5);
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT status FROM workflow_runs WHERE id = 6;

-- cancel: the queue and the active run are cancelled, the new run starts
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "cancel"}');
SELECT id, status FROM workflow_runs WHERE id >= 6 ORDER BY id;

-- rollback: the active run and everything it wrote go (the messages added
-- while it was active, its proposals, events and checkpoint; the counters
-- and the search index follow); the queued run is cancelled, keeping its
-- events; the message from before any run stays
SELECT chatflow_clock('2026-01-01T00:03:00.000Z');
SELECT add_message(1, 'user', 'Map for the bakery, please');
SELECT add_message(1, 'assistant', 'Working on sourdough pillars');
SELECT advance_run(8);
SELECT add_proposal(8, 'pillar', 'Sourdough');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_8', x'0102');
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT message_count, last_seq, total_tokens FROM chat_conversations WHERE id = 1;
SELECT count(*) FROM search_messages('sourdough');
SELECT start_run(1, 'topical_map', '{"seed": "coffee"}', '{"on_active": "rollback"}');
SELECT id, status, state FROM workflow_runs WHERE id >= 8 ORDER BY id;
SELECT (SELECT count(*) FROM chat_messages WHERE run_id = 8),
       (SELECT count(*) FROM workflow_run_events WHERE run_id = 8),
       (SELECT count(*) FROM workflow_proposals WHERE run_id = 8),
       (SELECT count(*) FROM workflow_interrupts WHERE workflow_id = 'run_8');
SELECT message_count, last_seq, total_tokens FROM chat_conversations WHERE id = 1;
SELECT count(*) FROM search_messages('sourdough');
SELECT seq, content, run_id FROM chat_messages WHERE conversation_id = 1 ORDER BY seq;
-- rollback without an active run starts the run and touches no finished one
SELECT complete_run(10);
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "rollback"}');
SELECT id, status FROM workflow_runs WHERE id >= 10 ORDER BY id;
SELECT cancel_run(11);

-- expiry: ttl_seconds, then the setting; expires_at set when the run
-- starts to wait, cleared when it stops
SELECT create_conversation('acme', 'Expiry');
SELECT chatflow_clock('2026-01-02T00:00:00.000Z');
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": 3600}');
SELECT awaiting_ttl_seconds, expires_at FROM workflow_runs WHERE id = 12;
SELECT advance_run(12);
SELECT status, expires_at, lease_expires_at FROM workflow_runs WHERE id = 12;
SELECT run_status(12) ->> 'expires_at';
SELECT resume_run(12, '{}');
SELECT status, expires_at FROM workflow_runs WHERE id = 12;
SELECT advance_run(12);
SELECT chatflow_clock('2026-01-02T00:30:00.000Z');
SELECT advance_run(12);  -- error
SELECT status, expires_at FROM workflow_runs WHERE id = 12;
SELECT start_run(2, 'topical_map', NULL, '{"on_active": "enqueue"}');
-- not stale before its expires_at, nor at it: refused, nothing expired
SELECT chatflow_clock('2026-01-02T01:00:00.000Z');
SELECT start_run(2, 'topical_map');  -- error
SELECT expire_stale_runs();
-- stale one millisecond later: start_run expires it, the queue goes
-- first (run 13 starts), so it still refuses, and the refusal undoes it all
SELECT chatflow_clock('2026-01-02T01:00:00.001Z');
SELECT start_run(2, 'topical_map');  -- error
SELECT id, status FROM workflow_runs WHERE id >= 12 ORDER BY id;
-- expire_stale_runs expires it, and the queued run starts
SELECT expire_stale_runs();
SELECT expire_stale_runs();
SELECT id, status, error, completed_at, expires_at, lease_expires_at FROM workflow_runs WHERE id >= 12 ORDER BY id;
SELECT run_id, transition, detail FROM run_events WHERE run_id >= 12 ORDER BY event_id DESC LIMIT 2;
SELECT resume_run(12, '{}');  -- error
SELECT set_run_status(12, 'processing');  -- error
-- the setting applies to runs started without ttl_seconds; 0 means none
SELECT chatflow_config('runs.awaiting_ttl_seconds', '60');
SELECT cancel_run(13);
SELECT start_run(2, 'topical_map');
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": 0}');  -- error
SELECT advance_run(14);
SELECT id, awaiting_ttl_seconds, expires_at FROM workflow_runs WHERE id = 14;
SELECT cancel_run(14);
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": 0}');
SELECT advance_run(15);
SELECT id, awaiting_ttl_seconds, expires_at FROM workflow_runs WHERE id = 15;
-- start_run ends a stale active run itself before deciding: an awaiting
-- run past its expiry, and a run whose lease has passed
SELECT cancel_run(15);
SELECT start_run(2, 'topical_map');
SELECT advance_run(16);
SELECT chatflow_clock('2026-01-02T01:01:00.002Z');
SELECT start_run(2, 'topical_map');
SELECT id, status FROM workflow_runs WHERE id >= 16 ORDER BY id;
SELECT chatflow_clock('2026-01-02T01:06:00.003Z');
SELECT start_run(2, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT id, status, error FROM workflow_runs WHERE id >= 17 ORDER BY id;
SELECT chatflow_config('runs.awaiting_ttl_seconds', NULL);

-- a deleted conversation: its queue is cancelled with its active run, and
-- it takes no run of any strategy
SELECT create_conversation('acme', 'Deleted');
SELECT start_run(3, 'topical_map');
SELECT start_run(3, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT delete_conversation(3);
SELECT id, status, error FROM workflow_runs WHERE conversation_id = 3 ORDER BY id;
SELECT start_run(3, 'topical_map', NULL, '{"on_active": "enqueue"}');  -- error
SELECT start_run(3, 'topical_map', NULL, '{"on_active": "rollback"}');  -- error

-- bad input: named, nothing written
SELECT count(*), max(id) FROM workflow_runs;
SELECT start_run(2, 'topical_map', NULL, '{"on_active": "queue"}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"on_active": "ENQUEUE"}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"on_active": 1}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": -1}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": 31536001}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": 1e300}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": 1.5}');  -- error
SELECT start_run(2, 'topical_map', NULL, '{"ttl_seconds": "60"}');  -- error
SELECT start_run(99, 'topical_map', NULL, '{"on_active": "rollback"}');  -- error
SELECT chatflow_config('runs.awaiting_ttl_seconds', '0');
SELECT chatflow_config('runs.awaiting_ttl_seconds', '31536001');  -- error
SELECT chatflow_config('runs.awaiting_ttl_seconds', NULL);
SELECT set_run_status(18, 'expired');  -- error
SELECT set_run_status(17, 'bogus');  -- error
SELECT count(*), max(id) FROM workflow_runs;

-- raw SQL: the same moves and refusals
SELECT create_conversation('acme', 'Raw');
INSERT INTO workflow_runs (conversation_id, workflow, status) VALUES (4, 'topical_map', 'queued');  -- error
INSERT INTO workflow_runs (conversation_id, workflow) VALUES (4, 'topical_map');
INSERT INTO workflow_runs (conversation_id, workflow, status, lease_expires_at)
VALUES (4, 'topical_map', 'queued', '2026-01-03T00:00:00.000Z');
SELECT id, status, lease_expires_at IS NOT NULL FROM workflow_runs WHERE conversation_id = 4 ORDER BY id;
UPDATE workflow_runs SET status = 'started' WHERE id = 22;  -- error
UPDATE workflow_runs SET status = 'processing' WHERE id = 22;  -- error
UPDATE workflow_runs SET status = 'queued' WHERE id = 21;  -- error
UPDATE workflow_runs SET status = 'expired' WHERE id = 21;  -- error
UPDATE workflow_runs SET expires_at = 'tomorrow' WHERE id = 21;  -- error
UPDATE workflow_runs SET awaiting_ttl_seconds = -5 WHERE id = 21;  -- error
UPDATE workflow_runs SET awaiting_ttl_seconds = 120 WHERE id = 21;
UPDATE workflow_runs SET status = 'awaiting_approval', current_step = 'pillar_proposal' WHERE id = 21;
SELECT status, expires_at IS NOT NULL, lease_expires_at FROM workflow_runs WHERE id = 21;
UPDATE workflow_runs SET status = 'expired' WHERE id = 21;
SELECT id, status, completed_at IS NOT NULL, lease_expires_at IS NOT NULL FROM workflow_runs WHERE conversation_id = 4 ORDER BY id;
UPDATE workflow_runs SET status = 'started' WHERE id = 21;  -- error
-- a raw DELETE of the active run starts the next queued one too
INSERT INTO workflow_runs (conversation_id, workflow, status) VALUES (4, 'topical_map', 'queued');
DELETE FROM workflow_runs WHERE id = 22;
SELECT id, status FROM workflow_runs WHERE conversation_id = 4 ORDER BY id;

-- export / import keep queued and expired runs with their columns
SELECT start_run(4, 'topical_map', NULL, '{"on_active": "enqueue", "ttl_seconds": 90}');
SELECT import_conversation('copy', export_conversation(2)), import_conversation('copy', export_conversation(4));
SELECT conversation_id, status, awaiting_ttl_seconds, expires_at FROM workflow_runs
 WHERE conversation_id IN (2, 4) EXCEPT
SELECT CASE conversation_id WHEN 5 THEN 2 ELSE 4 END, status, awaiting_ttl_seconds, expires_at
  FROM workflow_runs WHERE conversation_id IN (5, 6);
SELECT conversation_id, status, awaiting_ttl_seconds FROM workflow_runs WHERE conversation_id = 6 ORDER BY id;
SELECT * FROM run_queue WHERE conversation_id = 6;

-- rollback of a stale active run deletes it too (what a dead worker half
-- wrote); a queued run holds no lease, also after a raw UPDATE gives it one
SELECT create_conversation('acme', 'Stale');
SELECT chatflow_clock('2026-01-03T00:00:00.000Z');
SELECT start_run(7, 'topical_map');
SELECT add_message(7, 'assistant', 'half an answer');
SELECT start_run(7, 'topical_map', NULL, '{"on_active": "enqueue"}');
UPDATE workflow_runs SET lease_expires_at = '2025-01-01T00:00:00.000Z' WHERE conversation_id = 7 AND status = 'queued';
SELECT status, lease_expires_at FROM workflow_runs WHERE conversation_id = 7 ORDER BY id;
SELECT chatflow_clock('2026-01-03T00:06:00.000Z');
SELECT start_run(7, 'topical_map', NULL, '{"on_active": "rollback"}');
SELECT status, error FROM workflow_runs WHERE conversation_id = 7 ORDER BY id;
SELECT message_count, (SELECT count(*) FROM chat_messages WHERE conversation_id = 7) FROM chat_conversations WHERE id = 7;
-- a ttl_seconds beyond 64 bits is named as such
SELECT start_run(7, 'topical_map', NULL, '{"ttl_seconds": 99999999999999999999}');  -- error
-- import keeps an expired run's expires_at as exported, with proposals too
SELECT chatflow_config('runs.awaiting_ttl_seconds', '60');
SELECT import_conversation('acme', '{"format": "chatflow.conversation.v1", "conversation": {"title": "t"},
  "messages": [], "runs": [{"id": 5, "workflow": "topical_map", "status": "expired",
  "current_step": "clarification", "proposals": [{"kind": "pillar", "proposed_name": "x"}]}]}');
SELECT status, expires_at, (SELECT count(*) FROM workflow_proposals WHERE run_id = r.id)
  FROM workflow_runs AS r WHERE conversation_id = 8;
SELECT chatflow_config('runs.awaiting_ttl_seconds', NULL);
-- a message given to a queued run (its input) belongs to it: rolled back
-- with it once it runs, as LangGraph's rollback drops the run's input
SELECT create_conversation('acme', 'Input');
SELECT start_run(9, 'topical_map');
SELECT start_run(9, 'topical_map', NULL, '{"on_active": "enqueue"}');
SELECT add_message(9, 'user', 'second request',
                   json_object('run_id', (SELECT max(id) FROM workflow_runs WHERE conversation_id = 9)));
SELECT complete_run((SELECT min(id) FROM workflow_runs WHERE conversation_id = 9));
SELECT start_run(9, 'topical_map', NULL, '{"on_active": "rollback"}');
SELECT id, status FROM workflow_runs WHERE conversation_id = 9 ORDER BY id;
SELECT message_count, (SELECT count(*) FROM chat_messages WHERE conversation_id = 9) FROM chat_conversations WHERE id = 9;
PRAGMA integrity_check;
