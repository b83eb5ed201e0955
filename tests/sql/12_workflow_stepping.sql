-- 12_workflow_stepping: the shipped topical_map workflow stepped end to end
-- with advance_run / resume_run (status and step at every point), output
-- and answers merged into state (RFC 7396), clarifications, approvals,
-- proposals, validation, business context, terminal runs, and custom
-- workflows added with a plain INSERT.
SELECT chatflow_init();
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.bail off
CREATE TEMP VIEW r AS SELECT id, status, current_step, state FROM workflow_runs;
-- the fingerprint of every table (used around refused calls)
CREATE TEMP TABLE fp_query AS SELECT
 'SELECT * FROM chat_conversations; SELECT * FROM chat_messages; SELECT * FROM workflow_runs;
  SELECT * FROM workflow_run_events; SELECT * FROM workflow_interrupts; SELECT * FROM workflow_proposals;
  SELECT * FROM workflow_definitions; SELECT * FROM chatflow_settings; SELECT * FROM chatflow_statement_clock;
  SELECT * FROM chatflow_migrations; SELECT type, name, sql FROM sqlite_schema' AS q;
CREATE TEMP TABLE fp (label TEXT, h TEXT);

SELECT create_conversation('acme', 'bakery', '{"uid": "c1"}');
SELECT create_conversation('acme', 'other', '{"uid": "c2"}');

-- step 1 of 6: context_ingestion, status started
SELECT start_run(1, 'topical_map', '{"seed": "bakery", "draft": true, "geo": {"city": "Lyon", "zip": "69001"}}');
SELECT * FROM r WHERE id = 1;
-- a started run is not awaiting input: nothing to resume
SELECT resume_run(1, '{}'); -- error
-- advance: the output merges into state (null deletes a key, objects merge
-- recursively, arrays replace); clarification awaits input
SELECT advance_run(1, '{"draft": null, "geo": {"zip": null, "country": "FR"}, "offerings": ["bread", "cakes"]}');
SELECT * FROM r WHERE id = 1;
-- an awaiting run cannot advance, with or without output; nothing written
SELECT advance_run(1); -- error
SELECT advance_run(1, '{"sneaky": 1}'); -- error
SELECT advance_run(1, NULL); -- error
SELECT * FROM r WHERE id = 1;
-- add_clarification appends one entry, text or integer question_id
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT add_clarification(1, 'q0', 'Budget?', 'small');
SELECT add_clarification(1, 7, 'Open on Sundays?', 'yes');
SELECT clarifications FROM workflow_runs WHERE id = 1;
SELECT status FROM workflow_runs WHERE id = 1;

-- step 2 of 6: the answers; other keys merge into state
SELECT chatflow_clock('2026-01-01T00:02:00.000Z');
SELECT resume_run(1, '{"clarifications": [{"question_id": "q1", "question": "Who buys?", "answer": "locals"},
                                           {"question_id": 2, "question": "Where?", "answer": "Lyon \"centre\""}],
                       "tone": "warm", "geo": {"city": null, "district": "Presqu''île"}}');
SELECT * FROM r WHERE id = 1;
SELECT json_array_length(clarifications) FROM workflow_runs WHERE id = 1;
SELECT j.key, j.value FROM workflow_runs AS w, json_each(w.clarifications) AS j WHERE w.id = 1;
-- a second resume of the same wait fails and writes nothing
INSERT INTO fp SELECT 'before', hex(sha3_query(q)) FROM fp_query;
SELECT resume_run(1, '{"clarifications": [{"question_id": "q1", "question": "Who buys?", "answer": "locals"}]}'); -- error
SELECT resume_run(1, '{}'); -- error
SELECT 'unchanged', (SELECT h FROM fp WHERE label = 'before') = hex(sha3_query(q)) FROM fp_query;
DELETE FROM fp;

-- step 3 of 6: pillar_proposal awaits approval
SELECT chatflow_clock('2026-01-01T00:03:00.000Z');
SELECT advance_run(1, '{"questions_done": true}');
SELECT * FROM r WHERE id = 1;
SELECT advance_run(1); -- error
SELECT add_proposal(1, 'pillar', 'Bread', 'core offering');
SELECT add_proposal(1, 'pillar', 'Cakes');
SELECT add_proposal(1, 'pillar', 'Coffee', NULL);
-- a proposal of another run (conversation 2)
SELECT start_run(2, 'topical_map');
SELECT add_proposal(2, 'pillar', 'Foreign');
-- approving another run's proposal or an unknown one is refused, even
-- together with valid entries and clarifications: nothing is written
INSERT INTO fp SELECT 'before', hex(sha3_query(q)) FROM fp_query;
SELECT resume_run(1, '{"approvals": [{"proposal_id": 1}, {"proposal_id": 4}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q9", "question": "?", "answer": "!"}], "approvals": [{"proposal_id": 2, "approved_name": "Gateaux"}, {"proposal_id": 999}], "extra": 1}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1}]}'); -- error
SELECT 'unchanged', (SELECT h FROM fp WHERE label = 'before') = hex(sha3_query(q)) FROM fp_query;
DELETE FROM fp;
SELECT * FROM r WHERE id = 1;
SELECT id, user_approved, approved_name, approved_at FROM workflow_proposals ORDER BY id;
-- approvals: approved_name defaults to proposed_name; one renamed
SELECT chatflow_clock('2026-01-01T00:04:00.000Z');
SELECT resume_run(1, '{"approvals": [{"proposal_id": 1}, {"proposal_id": 2, "approved_name": "Pâtisserie"}],
                       "note": "coffee left out"}');
SELECT * FROM r WHERE id = 1;
SELECT id, run_id, kind, proposed_name, approved_name, rationale, user_approved, approved_at,
       validated, validated_at, validation, created_at FROM workflow_proposals ORDER BY id;
SELECT resume_run(1, '{"approvals": [{"proposal_id": 3}]}'); -- error
SELECT user_approved FROM workflow_proposals WHERE id = 3;

-- step 4 of 6: pillar_validation (validation data per proposal)
SELECT chatflow_clock('2026-01-01T00:05:00.000Z');
SELECT advance_run(1);
SELECT * FROM r WHERE id = 1;
SELECT validate_proposal(1, '{"competition_level": "low", "intent_match": 0.9, "top_competitors": ["a.fr", "b.fr"]}');
SELECT validate_proposal(2, '{"competition_level": "high"}');
-- validating again replaces the data
SELECT validate_proposal(2, '{"competition_level": "medium", "intent_match": 0.5}');
SELECT id, validated, validated_at, validation FROM workflow_proposals WHERE run_id = 1 ORDER BY id;
-- business context: set, then replaced as a whole
SELECT set_business_context(1, '{"offerings": ["bread"], "icp": "locals", "geo": "Lyon"}');
SELECT set_business_context(1, '{"offerings": ["bread", "cakes"], "icp": "locals", "geo": "Lyon", "monetization": "shop"}');
SELECT business_context FROM workflow_runs WHERE id = 1;
SELECT resume_run(1, '{}'); -- error

-- steps 5 and 6, then completed (the step stays the last one)
SELECT chatflow_clock('2026-01-01T00:06:00.000Z');
SELECT advance_run(1, '{"validated": 2}');
SELECT * FROM r WHERE id = 1;
SELECT advance_run(1, '{"clusters": {"Bread": ["sourdough", "baguette"]}}');
SELECT * FROM r WHERE id = 1;
SELECT chatflow_clock('2026-01-01T00:07:00.000Z');
SELECT advance_run(1, '{"summary": "done", "offerings": null}');
SELECT * FROM r WHERE id = 1;
SELECT run_status(1);
SELECT lease_expires_at, updated_at FROM workflow_runs WHERE id = 1;

-- a terminal run refuses every change, and nothing is written
INSERT INTO fp SELECT 'before', hex(sha3_query(q)) FROM fp_query;
SELECT advance_run(1); -- error
SELECT advance_run(1, '{"late": 1}'); -- error
SELECT resume_run(1, '{}'); -- error
SELECT resume_run(1, '{"approvals": [{"proposal_id": 3}]}'); -- error
SELECT add_clarification(1, 'q', 'late?', 'yes'); -- error
SELECT set_business_context(1, '{}'); -- error
SELECT validate_proposal(1, '{}'); -- error
SELECT add_proposal(1, 'pillar', 'Late'); -- error
SELECT add_proposal(1, 'pillar', 'Late', 'why'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (1, 'pillar', 'Late'); -- error
SELECT 'unchanged', (SELECT h FROM fp WHERE label = 'before') = hex(sha3_query(q)) FROM fp_query;
DELETE FROM fp;
-- a cancelled and a failed run too
SELECT cancel_run(2);
SELECT advance_run(2); -- error
SELECT resume_run(2, '{}'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (2, 'pillar', 'Late'); -- error
SELECT start_run(2, 'topical_map'), fail_run(3, 'crashed');
SELECT advance_run(3); -- error
SELECT resume_run(3, '{}'); -- error
SELECT add_proposal(3, 'pillar', 'Late'); -- error
-- a raw INSERT of a proposal on a live run is fine
SELECT start_run(2, 'topical_map');
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (4, 'pillar', 'Raw');
SELECT id, run_id, proposed_name, user_approved, validated FROM workflow_proposals WHERE run_id = 4;

-- the whole run, replayed from its event log
SELECT event_id, at, transition, step, detail FROM run_events WHERE run_id = 1 ORDER BY event_id;
SELECT state, clarifications FROM workflow_runs WHERE id = 1;

-- a custom workflow, added with a plain INSERT, stepped the same way
SELECT chatflow_clock('2026-01-02T00:00:00.000Z');
INSERT INTO workflow_definitions (name, steps)
VALUES ('review', '[{"name": "draft"}, {"name": "approve", "awaits": "approval"},
                    {"name": "publish", "awaits": null}]');
SELECT create_conversation('acme', 'review', '{"uid": "c3"}');
SELECT start_run(3, 'review', '{"doc": "v1"}');
SELECT * FROM r WHERE id = 5;
SELECT add_proposal(5, 'title', 'Spring menu');
SELECT advance_run(5, '{"doc": "v2"}');
SELECT resume_run(5, '{"approvals": [{"proposal_id": 6, "approved_name": "Spring menu 2026"}]}');
SELECT advance_run(5);
SELECT advance_run(5);
SELECT * FROM r WHERE id = 5;
SELECT approved_name FROM workflow_proposals WHERE id = 6;
SELECT transition, step FROM run_events WHERE run_id = 5 ORDER BY event_id;
-- a one-step workflow: the first advance completes the run
INSERT INTO workflow_definitions (name, steps) VALUES ('single', '[{"name": "only"}]');
SELECT create_conversation('acme', 'single', '{"uid": "c4"}');
SELECT start_run(4, 'single');
SELECT advance_run(6, '{"result": 42}');
SELECT * FROM r WHERE id = 6;
SELECT completed_at FROM workflow_runs WHERE id = 6;
SELECT advance_run(6); -- error
SELECT transition, step FROM run_events WHERE run_id = 6 ORDER BY event_id;
-- a last step that awaits input: resumed, then the advance completes
INSERT INTO workflow_definitions (name, steps)
VALUES ('confirm_last', '[{"name": "work"}, {"name": "confirm", "awaits": "clarification"}]');
SELECT start_run(4, 'confirm_last');
SELECT advance_run(7);
SELECT advance_run(7); -- error
SELECT resume_run(7, '{"clarifications": [{"question_id": 1, "question": "Ship it?", "answer": "yes"}]}');
SELECT advance_run(7);
SELECT transition, step FROM run_events WHERE run_id = 7 ORDER BY event_id;

-- current_step is always a step of the run's own workflow, for raw SQL too
SELECT start_run(3, 'review');
UPDATE workflow_runs SET current_step = 'clarification' WHERE id = 8; -- error
UPDATE workflow_runs SET current_step = NULL WHERE id = 8; -- error
UPDATE workflow_runs SET current_step = 'no_such_step' WHERE id = 8; -- error
UPDATE workflow_runs SET current_step = 'draft' WHERE id = 2; -- error
INSERT INTO workflow_runs (conversation_id, workflow, current_step) VALUES (1, 'review', 'completion'); -- error
UPDATE workflow_runs SET current_step = 'publish' WHERE id = 8;
SELECT * FROM r WHERE id IN (2, 8) ORDER BY id;
-- advance goes on from the step a raw UPDATE set: past publish, completed
SELECT advance_run(8);
SELECT transition, step FROM run_events WHERE run_id = 8 ORDER BY event_id;
-- messages added while a run is stepping carry its step
SELECT start_run(3, 'review');
SELECT add_message(3, 'user', 'draft please');
SELECT advance_run(9);
SELECT add_message(3, 'assistant', 'approve?', '{"type": "proposal"}');
SELECT seq, run_id, type, workflow_step FROM chat_messages WHERE conversation_id = 3 ORDER BY seq;
