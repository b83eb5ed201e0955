-- 02_query_plans: point lookups stay point lookups.  The statements below
-- are the ones the C code runs (ext/history_vtab.c, ext/messages.c,
-- ext/runs.c), with literals for the parameters.
SELECT chatflow_init();

-- workflow_interrupt: WHERE workflow_id = ? is the "eq" plan (idxNum 1) ...
EXPLAIN QUERY PLAN SELECT data FROM workflow_interrupt WHERE workflow_id = 'run_1';
-- ... which reads workflow_interrupts by its primary key
EXPLAIN QUERY PLAN SELECT workflow_id, data, created_at, updated_at, rowid
  FROM workflow_interrupts WHERE workflow_id = 'run_1';
-- without a constraint it is a scan in workflow_id order (ORDER BY consumed)
EXPLAIN QUERY PLAN SELECT workflow_id FROM workflow_interrupt ORDER BY workflow_id;
-- DELETE by workflow_id finds the row through the same lookup
EXPLAIN QUERY PLAN DELETE FROM workflow_interrupt WHERE workflow_id = 'run_1';

-- chat_history: the arguments are constraints of the table-valued function;
-- rows come by seq, so ORDER BY seq costs no sort
EXPLAIN QUERY PLAN SELECT * FROM chat_history(1, 100);
EXPLAIN QUERY PLAN SELECT * FROM chat_history(1, 100, 2) ORDER BY seq;
-- checks: conversation by primary key, run by primary key, system tokens by
-- the partial index chat_messages_system
EXPLAIN QUERY PLAN SELECT (SELECT conversation_id FROM workflow_runs WHERE id = 2),
 (SELECT coalesce(sum(tokens), 0) FROM chat_messages
   WHERE conversation_id = 1 AND role = 'system')
 FROM chat_conversations WHERE id = 1;
-- the budget walk reads the (conversation_id, seq) index backwards, no sort
EXPLAIN QUERY PLAN SELECT seq, tokens FROM chat_messages
 WHERE conversation_id = 1 AND role <> 'system' ORDER BY seq DESC;
-- ... and for one run, the (run_id, seq) index
EXPLAIN QUERY PLAN SELECT seq, tokens FROM chat_messages
 WHERE run_id = 2 AND conversation_id = 1 AND role <> 'system' ORDER BY seq DESC;
-- the window: a range of the (conversation_id, seq) index plus the system messages
EXPLAIN QUERY PLAN SELECT id, seq, role FROM chat_messages
 WHERE conversation_id = 1 AND seq >= 40 AND role <> 'system'
 UNION ALL
 SELECT id, seq, role FROM chat_messages WHERE conversation_id = 1 AND role = 'system'
 ORDER BY seq;
EXPLAIN QUERY PLAN SELECT id, seq, role FROM chat_messages
 WHERE conversation_id = 1 AND seq >= 40 AND role <> 'system' AND run_id = 2
 UNION ALL
 SELECT id, seq, role FROM chat_messages WHERE conversation_id = 1 AND role = 'system'
 ORDER BY seq;

-- add_message: the conversation and its active run (no scan of runs)
EXPLAIN QUERY PLAN SELECT c.deleted_at IS NOT NULL, c.title IS NULL, r.id, r.current_step
  FROM chat_conversations AS c
  LEFT JOIN workflow_runs AS r ON r.conversation_id = c.id
   AND (r.status = 'started' OR r.status = 'awaiting_clarification' OR r.status = 'awaiting_approval' OR r.status = 'processing')
 WHERE c.id = 1;
-- the next seq is read from the conversation row by primary key
EXPLAIN QUERY PLAN SELECT last_seq + 1 FROM chat_conversations WHERE id = 1;
-- active_run(conversation_id)
EXPLAIN QUERY PLAN SELECT (SELECT r.id FROM workflow_runs AS r WHERE r.conversation_id = c.id
          AND (r.status = 'started' OR r.status = 'awaiting_clarification' OR r.status = 'awaiting_approval' OR r.status = 'processing'))
  FROM chat_conversations AS c WHERE c.id = 1;
-- a run by id (set_run_status, run_status, ...)
EXPLAIN QUERY PLAN SELECT conversation_id, current_step, status, workflow FROM workflow_runs WHERE id = 1;
-- find_or_create_conversation: (owner, key) is a unique index lookup
EXPLAIN QUERY PLAN SELECT id FROM chat_conversations WHERE owner = 'acme' AND key = 'k';
-- a run's events in order
EXPLAIN QUERY PLAN SELECT * FROM workflow_run_events WHERE run_id = 1 ORDER BY id;
