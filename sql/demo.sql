-- chatflow demo: one full topical-map session in the sqlite3 shell.
-- `make demo` runs it on the default database dist/demo.db (recreated each
-- time).  The clock is pinned with chatflow_clock and moved along by hand,
-- so the output is the same on every run.  One statement is refused on
-- purpose (step 5): a second run while the first one is still active.
-- Each part says in words what it shows before the tables that show it.
.headers on
.mode box --wrap 100
.print 'chatflow demo: one topical_map session of a chat assistant, from the first'
.print 'message to the completed run, on the database dist/demo.db.  Each part says what'
.print 'it shows, then the tables show it.  The clock is pinned (chatflow_clock), so every'
.print 'run of the demo prints exactly this.  Part 5 ends in an error on purpose.'
.print ''
.print '== chatflow'
.print '   The extension is loaded; chatflow_init() creates the schema in this database'
.print '   (tables, triggers, indexes) and returns its version.'
SELECT chatflow_version() AS version, chatflow_init() AS schema_version;

.print ''
.print '== The topical_map workflow, shipped with the schema'
.print '   A workflow is a list of steps stored in the database.  Two of them wait for the'
.print '   user: clarification (answers to questions) and pillar_proposal (an approval).'
SELECT s.key + 1 AS n, s.value ->> 'name' AS step, coalesce(s.value ->> 'awaits', '') AS awaits
  FROM workflow_definitions AS d, json_each(d.steps) AS s WHERE d.name = 'topical_map';

.print ''
.print '== 1. The user asks for a topical map'
.print '   find_or_create_conversation makes conversation 1 for the tenant acme under the'
.print '   caller key ticket-42; add_message stores a system and a user message (ids 1, 2).'
SELECT chatflow_clock('2026-03-02T09:00:00.000Z') AS at,
       find_or_create_conversation('acme', 'ticket-42', NULL, '{"model": "gpt-4o-mini"}')
         AS conversation_id,
       add_message(1, 'system', 'You are an SEO strategist. Be concise.') AS system_message,
       add_message(1, 'user', 'Build a topical map for our artisan bakery in Lyon: '
                              || 'sourdough, viennoiserie and classes.') AS user_message;

.print ''
.print '== 2. A topical_map run starts at its first step'
.print '   start_run creates run 1 with status started at context_ingestion, keeps the'
.print '   input as its state and gives it a lease (a worker must heartbeat before it ends).'
SELECT start_run(1, 'topical_map', '{"seed": "artisan bakery Lyon"}') AS run_id;
SELECT id, status, current_step, state, lease_expires_at FROM workflow_runs WHERE id = 1;

.print ''
.print '== 3. Context ingested: the run moves to clarification, which awaits the user; the assistant asks'
.print '   advance_run finishes the step and merges its output into the state; the next step'
.print '   awaits a clarification, so the status becomes awaiting_clarification.  The two'
.print '   questions are messages that attach to the active run and record its step.'
SELECT chatflow_clock('2026-03-02T09:00:20.000Z') AS at,
       advance_run(1, '{"site": {"url": "https://boulangerie.example", "pages": 14}}') AS advance_run;
SELECT add_message(1, 'assistant', column1,
         json_object('type', 'clarification_request',
                     'metadata', json_object('model', 'gpt-4o-mini', 'tokens', json(column2))))
         AS message_id, column1 AS question
  FROM (VALUES ('Q1: Who are your main customers: locals, tourists, or both?',
                '{"input": 310, "output": 16, "total": 326}'),
               ('Q2: Do you sell online, or only in the shop and at classes?',
                '{"input": 326, "output": 15, "total": 341}'));

.print ''
.print '== 4. The run waits for the user (run_status)'
.print '   run_status reports the run as waiting for input: a UI would show the questions.'
SELECT s ->> 'status' AS status, s ->> 'current_step' AS current_step,
       CASE WHEN s ->> 'is_awaiting_input' THEN 'waiting for your input' ELSE '' END AS note
  FROM (SELECT run_status(1) AS s);

.print ''
.print '== 5. Meanwhile a second run on the same conversation is refused by the database'
.print '   A conversation has at most one active run.  The next statement tries to start a'
.print '   second run while run 1 waits, so the error printed below is the expected refusal,'
.print '   not a failure of the demo.  The database itself enforces the rule (a partial unique'
.print '   index and triggers), so raw SQL from any language is refused the same way.'
SELECT start_run(1, 'topical_map');
.print '   Refused as expected; run 1 is still the active run and nothing was written:'
SELECT active_run(1) AS active_run, (SELECT count(*) FROM workflow_runs) AS runs;

.print ''
.print '== 6. The user answers; resume_run records the answers and the run continues'
.print '   The answers are stored as messages, then resume_run appends them to the run'
.print '   clarifications (stamped with the time) and moves the run to processing.'
SELECT chatflow_clock('2026-03-02T09:04:00.000Z') AS at,
       add_message(1, 'user', 'Mostly locals; tourists in summer.',
                   '{"type": "clarification_answer"}') AS answer_1,
       add_message(1, 'user', 'Shop and classes only; we would like to sell class vouchers online.',
                   '{"type": "clarification_answer"}') AS answer_2;
SELECT resume_run(1, '{"clarifications": [
         {"question_id": "q1", "question": "Who are your main customers?",
          "answer": "Mostly locals; tourists in summer."},
         {"question_id": "q2", "question": "Do you sell online?",
          "answer": "Shop and classes only; class vouchers online."}]}') AS resume_run;
SELECT c.value ->> 'question_id' AS question_id, c.value ->> 'question' AS question,
       c.value ->> 'answer' AS answer, c.value ->> 'answered_at' AS answered_at
  FROM workflow_runs AS r, json_each(r.clarifications) AS c WHERE r.id = 1;

.print ''
.print '== 7. The business context distilled from the answers'
.print '   set_business_context stores what the worker concluded (offerings, audience,'
.print '   place, revenue) as JSON on the run.'
SELECT set_business_context(1, '{"offerings": ["sourdough", "viennoiserie", "baking classes"],
         "icp": "Lyon locals, 25-55, food lovers", "geo": "Lyon, France",
         "monetization": "shop sales and class vouchers"}') AS set_business_context;
SELECT key, value FROM workflow_runs AS r, json_each(r.business_context) WHERE r.id = 1;

.print ''
.print '== 8. Clarification done: pillar_proposal proposes three pillars and awaits approval'
.print '   advance_run moves to pillar_proposal, which awaits an approval.  add_proposal'
.print '   records each proposed pillar with its rationale; an assistant message asks the user.'
SELECT chatflow_clock('2026-03-02T09:04:30.000Z') AS at,
       advance_run(1, '{"audience": "locals"}') AS advance_run;
SELECT add_proposal(1, 'pillar', column1, column2) AS proposal_id, column1 AS pillar,
       column2 AS rationale
  FROM (VALUES ('Sourdough bread', 'Core product; "pain au levain Lyon" has steady local demand'),
               ('Viennoiserie', 'Croissants drive morning foot traffic'),
               ('Baking classes', 'Highest margin; vouchers can be sold online'));
SELECT add_message(1, 'assistant', 'I propose three pillars: Sourdough bread, Viennoiserie, '
                                   || 'Baking classes. Approve or rename them.',
         '{"type": "proposal",
           "metadata": {"model": "gpt-4o-mini", "tokens": {"input": 520, "output": 24, "total": 544}}}')
         AS message_id;
SELECT s ->> 'status' AS status, s ->> 'current_step' AS current_step,
       CASE WHEN s ->> 'is_awaiting_input' THEN 'waiting for your input' ELSE '' END AS note
  FROM (SELECT run_status(1) AS s);

.print ''
.print '== 9. The user approves all three, renaming one'
.print '   resume_run with approvals marks the proposals approved; the second one under the'
.print '   name the user chose, the others under their proposed names.'
SELECT chatflow_clock('2026-03-02T09:07:00.000Z') AS at,
       add_message(1, 'user', 'Approved, but call the second one "Croissants & viennoiserie".',
                   '{"type": "approval_decision"}') AS message_id;
SELECT resume_run(1, '{"approvals": [{"proposal_id": 1},
                                      {"proposal_id": 2, "approved_name": "Croissants & viennoiserie"},
                                      {"proposal_id": 3}]}') AS resume_run;
SELECT id, proposed_name, approved_name, user_approved, approved_at
  FROM workflow_proposals WHERE run_id = 1 ORDER BY id;

.print ''
.print '== 10. pillar_validation: SERP data for each approved pillar'
.print '   validate_proposal attaches the search-results data the worker gathered to each'
.print '   approved pillar.'
SELECT chatflow_clock('2026-03-02T09:07:10.000Z') AS at, advance_run(1) AS advance_run;
SELECT validate_proposal(column1, column2) AS validated, column1 AS proposal_id
  FROM (VALUES (1, '{"competition_level": "medium", "intent_match": 0.86,
                     "top_competitors": ["painlevain.example", "boulangerie-lyon.example"]}'),
               (2, '{"competition_level": "high", "intent_match": 0.74,
                     "top_competitors": ["paul.example", "marie-blachere.example"]}'),
               (3, '{"competition_level": "low", "intent_match": 0.91,
                     "top_competitors": ["atelier-cuisine-lyon.example"]}'));
SELECT approved_name AS pillar, validation ->> 'competition_level' AS competition,
       validation ->> 'intent_match' AS intent_match,
       (SELECT group_concat(value, ', ') FROM json_each(validation, '$.top_competitors'))
         AS top_competitors, validated_at
  FROM workflow_proposals WHERE run_id = 1 AND validated ORDER BY id;

.print ''
.print '== 11. The worker is interrupted: it saves a checkpoint for the run (workflow_interrupt)'
.print '   The worker stops mid-step.  Before it goes, it saves its own state as a blob under'
.print '   the run workflow id run_1 in the workflow_interrupt table.'
INSERT INTO workflow_interrupt (workflow_id, data)
VALUES (run_workflow_id(1),
        CAST('{"node": "cluster_generation", "done": ["Sourdough bread"]}' AS BLOB));
SELECT workflow_id, typeof(data) AS type, length(data) AS bytes, CAST(data AS TEXT) AS checkpoint,
       created_at
  FROM workflow_interrupt WHERE workflow_id = run_workflow_id(1);

.print ''
.print '== 12. A new worker takes the lease, resumes from the checkpoint and finishes the run'
.print '   heartbeat_run renews the lease for another worker, which reads the checkpoint back,'
.print '   generates the clusters and advances to the end: the run is completed, no run is'
.print '   active any more, and the checkpoint was removed when the run ended.'
SELECT chatflow_clock('2026-03-02T09:09:00.000Z') AS at, heartbeat_run(1, 120) AS heartbeat,
       (SELECT lease_expires_at FROM workflow_runs WHERE id = 1) AS lease_expires_at,
       (SELECT CAST(data AS TEXT) FROM workflow_interrupt WHERE workflow_id = run_workflow_id(1))
         AS checkpoint;
SELECT advance_run(1, '{"validated": 3}') AS advance_run;
SELECT add_message(1, 'assistant',
         'Clusters: sourdough (starter care, levain vs yeast), croissants (lamination), classes (kids, gifts).',
         '{"metadata": {"model": "gpt-4o-mini", "tokens": {"input": 700, "output": 48, "total": 748}}}')
         AS message_id;
SELECT advance_run(1, '{"clusters": 6}') AS advance_run;
SELECT chatflow_clock('2026-03-02T09:09:30.000Z') AS at,
       advance_run(1, '{"map_url": "https://app.example/maps/42"}') AS advance_run;
SELECT s ->> 'status' AS status, s ->> 'current_step' AS current_step,
       s ->> 'started_at' AS started_at, s ->> 'completed_at' AS completed_at,
       coalesce(active_run(1), 'none') AS active_run,
       (SELECT count(*) FROM workflow_interrupt WHERE workflow_id = run_workflow_id(1))
         AS checkpoints_left
  FROM (SELECT run_status(1) AS s);
SELECT state AS final_state FROM workflow_runs WHERE id = 1;

.print ''
.print '== 13. Replay: the whole conversation, as stored (chat_history)'
.print '   Every message in seq order, with the type and the run step it was written at,'
.print '   and its token count.'
SELECT seq, role, type, workflow_step, tokens, content FROM chat_history(1);

.print ''
.print '== 14. Replay for the model: the newest messages within 100 tokens, system message kept'
.print '   chat_history_json gives the messages array an OpenAI-compatible model takes: the'
.print '   newest messages that fit the budget, oldest first, and always the system message.'
SELECT chat_history_json(1, 100) AS openai_messages;

.print ''
.print "== 15. The run's event log (run_events view)"
.print '   Every status and step change was logged by the schema, in order: the audit trail'
.print '   of the run.'
SELECT substr(at, 12, 8) AS at, transition, step
  FROM run_events WHERE run_id = 1 ORDER BY event_id;

.print ''
.print 'End of the demo.  The database is dist/demo.db: open it with'
.print "  sqlite3 dist/demo.db -cmd '.load dist/chatflow'"
