-- chatflow demo session: `make demo` runs it in the sqlite3 shell on the
-- default database dist/demo.db (recreated each time).
.headers on
.mode box --wrap 100
.print '== chatflow' 
SELECT chatflow_version() AS version, chatflow_init() AS schema_version;

.print ''
.print '== A conversation for tenant acme (key: the caller-side id)'
SELECT find_or_create_conversation('acme', 'ticket-42', NULL,
         '{"model": "gpt-4o-mini", "metadata": {"channel": "web"}}') AS conversation_id;
SELECT add_message(1, 'system', 'You are an SEO strategist. Be concise.') AS message_id;
SELECT add_message(1, 'user',
         'Build a topical map for our artisan bakery in Lyon: sourdough, viennoiserie and classes.') AS message_id;

.print ''
.print '== A topical_map run starts; messages now attach to it'
SELECT start_run(1, 'topical_map', '{"seed": "artisan bakery Lyon"}') AS run_id;
SELECT add_message(1, 'assistant', 'Before I start: who are your main customers, locals or tourists?',
         '{"type": "clarification_request",
           "metadata": {"model": "gpt-4o-mini", "tokens": {"input": 120, "output": 18, "total": 138},
                        "duration_ms": 840, "finish_reason": "stop"}}') AS message_id;
SELECT set_run_status(1, 'awaiting_clarification', 'clarification') AS ok;

.print ''
.print '== The run waits for the user'
SELECT status, current_step,
       CASE WHEN is_awaiting_input THEN 'waiting for your input' ELSE '' END AS note
  FROM (SELECT run_status(1) ->> 'status' AS status,
               run_status(1) ->> 'current_step' AS current_step,
               run_status(1) ->> 'is_awaiting_input' AS is_awaiting_input);

.print ''
.print '== A second run for the same conversation is refused by the database'
SELECT start_run(1, 'topical_map');

.print ''
.print '== The user answers; the engine checkpoints and moves on'
SELECT add_message(1, 'user', 'Mostly locals, and a few tourists in summer.',
         '{"type": "clarification_answer"}') AS message_id;
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id(1), x'636865636b706f696e74');
SELECT set_run_status(1, 'processing', 'pillar_proposal') AS ok;
SELECT merge_run_state(1, '{"audience": "locals", "pillars": ["sourdough", "viennoiserie", "baking classes"]}') AS state;
SELECT workflow_id, length(data) AS checkpoint_bytes FROM workflow_interrupt;

.print ''
.print '== The run completes; its checkpoint is removed with it'
SELECT complete_run(1) AS ok;
SELECT key, value FROM json_each(run_status(1));
SELECT count(*) AS checkpoints_left FROM workflow_interrupt;

.print ''
.print '== Replay: the whole history, then a 40-token window for the model'
SELECT seq, role, type, tokens, workflow_step, substr(content, 1, 50) AS content
  FROM chat_history(1);
SELECT seq, role, tokens FROM chat_history(1, 40);
SELECT chat_history_json(1, 40) AS openai_messages;

.print ''
.print '== The conversation row: title from the first user message, maintained counters'
SELECT id, owner, key, title, message_count, last_seq, total_tokens FROM chat_conversations;

.print ''
.print '== The event log of run 1'
SELECT from_status, to_status, from_step, to_step FROM workflow_run_events WHERE run_id = 1 ORDER BY id;
