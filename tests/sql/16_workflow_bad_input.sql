-- 16_workflow_bad_input: every workflow function with NULL, wrong types,
-- unknown ids, malformed JSON, wrong JSON shapes, invalid UTF-8 and wrong
-- argument counts: exact errors, and a fingerprint of every table shows
-- the database unchanged afterwards.
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'one', '{"uid": "b1"}');
SELECT create_conversation('acme', 'two', '{"uid": "b2"}');
SELECT create_conversation('acme', 'three', '{"uid": "b3"}');
SELECT create_conversation('acme', 'four', '{"uid": "b4"}');
-- run 1 awaiting_clarification, run 2 awaiting_approval with proposals 1
-- and 2, run 3 completed with proposal 3, run 4 processing
SELECT start_run(1, 'topical_map', '{"seed": "x"}'), advance_run(1);
SELECT start_run(2, 'topical_map'), add_proposal(2, 'pillar', 'Bread'), add_proposal(2, 'pillar', 'Cakes');
SELECT set_run_status(2, 'awaiting_approval', 'pillar_proposal');
SELECT start_run(3, 'topical_map'), add_proposal(3, 'pillar', 'Old'), complete_run(3);
SELECT start_run(4, 'topical_map'), set_run_status(4, 'processing');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'01'), ('run_4', x'04');
-- the fingerprint: every row of every chatflow table, and the schema
CREATE TEMP TABLE fp_query AS SELECT
 'SELECT * FROM chat_conversations; SELECT * FROM chat_messages; SELECT * FROM workflow_runs;
  SELECT * FROM workflow_run_events; SELECT * FROM workflow_interrupts; SELECT * FROM workflow_proposals;
  SELECT * FROM workflow_definitions; SELECT * FROM chatflow_settings; SELECT * FROM chatflow_statement_clock;
  SELECT * FROM chatflow_migrations; SELECT type, name, sql FROM sqlite_schema' AS q;
CREATE TEMP TABLE fp AS SELECT hex(sha3_query(q)) AS h FROM fp_query;
SELECT id, status, current_step, lease_expires_at FROM workflow_runs ORDER BY id;

.bail off
-- ids: NULL, text, blob, real, zero, negative, invalid UTF-8, unknown, huge
SELECT advance_run(NULL); -- error
SELECT advance_run('1'); -- error
SELECT advance_run('abc'); -- error
SELECT advance_run(x'01'); -- error
SELECT advance_run(1.5); -- error
SELECT advance_run(1e300); -- error
SELECT advance_run(0); -- error
SELECT advance_run(-1); -- error
SELECT advance_run(CAST(x'ff' AS TEXT)); -- error
SELECT advance_run(99); -- error
SELECT advance_run(9223372036854775807); -- error
SELECT advance_run(NULL, '{}'); -- error
SELECT advance_run('1', '{}'); -- error
SELECT advance_run('abc', '{}'); -- error
SELECT advance_run(x'01', '{}'); -- error
SELECT advance_run(1.5, '{}'); -- error
SELECT advance_run(1e300, '{}'); -- error
SELECT advance_run(0, '{}'); -- error
SELECT advance_run(-1, '{}'); -- error
SELECT advance_run(CAST(x'ff' AS TEXT), '{}'); -- error
SELECT advance_run(99, '{}'); -- error
SELECT advance_run(9223372036854775807, '{}'); -- error
SELECT resume_run(NULL, '{}'); -- error
SELECT resume_run('1', '{}'); -- error
SELECT resume_run('abc', '{}'); -- error
SELECT resume_run(x'01', '{}'); -- error
SELECT resume_run(1.5, '{}'); -- error
SELECT resume_run(1e300, '{}'); -- error
SELECT resume_run(0, '{}'); -- error
SELECT resume_run(-1, '{}'); -- error
SELECT resume_run(CAST(x'ff' AS TEXT), '{}'); -- error
SELECT resume_run(99, '{}'); -- error
SELECT resume_run(9223372036854775807, '{}'); -- error
SELECT add_clarification(NULL, 'q', 'question', 'answer'); -- error
SELECT add_clarification('1', 'q', 'question', 'answer'); -- error
SELECT add_clarification('abc', 'q', 'question', 'answer'); -- error
SELECT add_clarification(x'01', 'q', 'question', 'answer'); -- error
SELECT add_clarification(1.5, 'q', 'question', 'answer'); -- error
SELECT add_clarification(1e300, 'q', 'question', 'answer'); -- error
SELECT add_clarification(0, 'q', 'question', 'answer'); -- error
SELECT add_clarification(-1, 'q', 'question', 'answer'); -- error
SELECT add_clarification(CAST(x'ff' AS TEXT), 'q', 'question', 'answer'); -- error
SELECT add_clarification(99, 'q', 'question', 'answer'); -- error
SELECT add_clarification(9223372036854775807, 'q', 'question', 'answer'); -- error
SELECT set_business_context(NULL, '{}'); -- error
SELECT set_business_context('1', '{}'); -- error
SELECT set_business_context('abc', '{}'); -- error
SELECT set_business_context(x'01', '{}'); -- error
SELECT set_business_context(1.5, '{}'); -- error
SELECT set_business_context(1e300, '{}'); -- error
SELECT set_business_context(0, '{}'); -- error
SELECT set_business_context(-1, '{}'); -- error
SELECT set_business_context(CAST(x'ff' AS TEXT), '{}'); -- error
SELECT set_business_context(99, '{}'); -- error
SELECT set_business_context(9223372036854775807, '{}'); -- error
SELECT add_proposal(NULL, 'pillar', 'Bread'); -- error
SELECT add_proposal('1', 'pillar', 'Bread'); -- error
SELECT add_proposal('abc', 'pillar', 'Bread'); -- error
SELECT add_proposal(x'01', 'pillar', 'Bread'); -- error
SELECT add_proposal(1.5, 'pillar', 'Bread'); -- error
SELECT add_proposal(1e300, 'pillar', 'Bread'); -- error
SELECT add_proposal(0, 'pillar', 'Bread'); -- error
SELECT add_proposal(-1, 'pillar', 'Bread'); -- error
SELECT add_proposal(CAST(x'ff' AS TEXT), 'pillar', 'Bread'); -- error
SELECT add_proposal(99, 'pillar', 'Bread'); -- error
SELECT add_proposal(9223372036854775807, 'pillar', 'Bread'); -- error
SELECT add_proposal(NULL, 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal('1', 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal('abc', 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(x'01', 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(1.5, 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(1e300, 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(0, 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(-1, 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(CAST(x'ff' AS TEXT), 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(99, 'pillar', 'Bread', 'why'); -- error
SELECT add_proposal(9223372036854775807, 'pillar', 'Bread', 'why'); -- error
SELECT validate_proposal(NULL, '{}'); -- error
SELECT validate_proposal('1', '{}'); -- error
SELECT validate_proposal('abc', '{}'); -- error
SELECT validate_proposal(x'01', '{}'); -- error
SELECT validate_proposal(1.5, '{}'); -- error
SELECT validate_proposal(1e300, '{}'); -- error
SELECT validate_proposal(0, '{}'); -- error
SELECT validate_proposal(-1, '{}'); -- error
SELECT validate_proposal(CAST(x'ff' AS TEXT), '{}'); -- error
SELECT validate_proposal(99, '{}'); -- error
SELECT validate_proposal(9223372036854775807, '{}'); -- error
SELECT heartbeat_run(NULL); -- error
SELECT heartbeat_run('1'); -- error
SELECT heartbeat_run('abc'); -- error
SELECT heartbeat_run(x'01'); -- error
SELECT heartbeat_run(1.5); -- error
SELECT heartbeat_run(1e300); -- error
SELECT heartbeat_run(0); -- error
SELECT heartbeat_run(-1); -- error
SELECT heartbeat_run(CAST(x'ff' AS TEXT)); -- error
SELECT heartbeat_run(99); -- error
SELECT heartbeat_run(9223372036854775807); -- error
SELECT heartbeat_run(NULL, 60); -- error
SELECT heartbeat_run('1', 60); -- error
SELECT heartbeat_run('abc', 60); -- error
SELECT heartbeat_run(x'01', 60); -- error
SELECT heartbeat_run(1.5, 60); -- error
SELECT heartbeat_run(1e300, 60); -- error
SELECT heartbeat_run(0, 60); -- error
SELECT heartbeat_run(-1, 60); -- error
SELECT heartbeat_run(CAST(x'ff' AS TEXT), 60); -- error
SELECT heartbeat_run(99, 60); -- error
SELECT heartbeat_run(9223372036854775807, 60); -- error

-- advance_run output: malformed, not an object, invalid UTF-8, a blob,
-- a number, too deep, too large (run 4 is processing, so only the
-- argument is wrong)
SELECT advance_run(4, ''); -- error
SELECT advance_run(4, '{'); -- error
SELECT advance_run(4, '{"a": }'); -- error
SELECT advance_run(4, '{"a": 1} x'); -- error
SELECT advance_run(4, '[]'); -- error
SELECT advance_run(4, '"done"'); -- error
SELECT advance_run(4, 'null'); -- error
SELECT advance_run(4, 'true'); -- error
SELECT advance_run(4, 7); -- error
SELECT advance_run(4, 7.5); -- error
SELECT advance_run(4, x'7b7d'); -- error
SELECT advance_run(4, CAST(x'7bff7d' AS TEXT)); -- error
SELECT advance_run(4, '{"a": "' || CAST(x'c328' AS TEXT) || '"}'); -- error
SELECT advance_run(4, replace(printf('%.33c', 'x'), 'x', '{"a": ') || '1' || printf('%.33c', '}')); -- error
SELECT advance_run(4, '{"big": "' || printf('%.1048576c', 's') || '"}'); -- error
-- resume_run answer: NULL, not JSON, not an object
SELECT resume_run(1, NULL); -- error
SELECT resume_run(1, 7); -- error
SELECT resume_run(1, x'7b7d'); -- error
SELECT resume_run(1, ''); -- error
SELECT resume_run(1, '{'); -- error
SELECT resume_run(1, '[]'); -- error
SELECT resume_run(1, 'null'); -- error
SELECT resume_run(1, '"yes"'); -- error
SELECT resume_run(1, CAST(x'7bff7d' AS TEXT)); -- error
SELECT resume_run(1, '{"note": "' || CAST(x'ff' AS TEXT) || '"}'); -- error
SELECT resume_run(1, replace(printf('%.33c', 'x'), 'x', '{"a": ') || '1' || printf('%.33c', '}')); -- error
SELECT resume_run(1, '{"big": "' || printf('%.1048576c', 's') || '"}'); -- error
-- clarifications: not an array, entries not objects, keys missing or mistyped
SELECT resume_run(1, '{"clarifications": {"question_id": "q", "question": "?", "answer": "!"}}'); -- error
SELECT resume_run(1, '{"clarifications": "q"}'); -- error
SELECT resume_run(1, '{"clarifications": null}'); -- error
SELECT resume_run(1, '{"clarifications": 5}'); -- error
SELECT resume_run(1, '{"clarifications": ["q"]}'); -- error
SELECT resume_run(1, '{"clarifications": [null]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question": "?", "answer": "!"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q", "answer": "!"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q", "question": "?"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q", "question": "?", "answer": "!"}, {}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": 1.5, "question": "?", "answer": "!"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": null, "question": "?", "answer": "!"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q", "question": 1, "answer": "!"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q", "question": "?", "answer": null}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q", "question": "?", "answer": ["!"]}]}'); -- error
-- approvals: not an array, entries without a positive integer proposal_id,
-- approved_name empty, too long or not text
SELECT resume_run(2, '{"approvals": {"proposal_id": 1}}'); -- error
SELECT resume_run(2, '{"approvals": 1}'); -- error
SELECT resume_run(2, '{"approvals": [1]}'); -- error
SELECT resume_run(2, '{"approvals": [{}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"approved_name": "Bread"}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": "1"}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1.5}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 0}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": -1}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": null}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1}, {"proposal_id": 2, "approved_name": ""}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1, "approved_name": 5}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1, "approved_name": ["a"]}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1, "approved_name": "' || printf('%.501c', 'n') || '"}]}'); -- error
-- approvals of an unknown proposal, of another run, of an ended run's
SELECT resume_run(2, '{"approvals": [{"proposal_id": 1}, {"proposal_id": 99}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 9223372036854775807}]}'); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 3}]}'); -- error
SELECT resume_run(1, '{"approvals": [{"proposal_id": 1}]}'); -- error
-- resume of a run that does not wait, or has ended
SELECT resume_run(4, '{}'); -- error
SELECT resume_run(3, '{}'); -- error
-- advance of a waiting or ended run
SELECT advance_run(1); -- error
SELECT advance_run(2, '{}'); -- error
SELECT advance_run(3); -- error

-- add_clarification: question_id integer or text (1 to 200 characters);
-- question and answer text
SELECT add_clarification(1, NULL, 'q', 'a'); -- error
SELECT add_clarification(1, 1.5, 'q', 'a'); -- error
SELECT add_clarification(1, x'01', 'q', 'a'); -- error
SELECT add_clarification(1, '', 'q', 'a'); -- error
SELECT add_clarification(1, printf('%.201c', 'i'), 'q', 'a'); -- error
SELECT add_clarification(1, CAST(x'ff' AS TEXT), 'q', 'a'); -- error
SELECT add_clarification(1, 'q1', NULL, 'a'); -- error
SELECT add_clarification(1, 'q1', 7, 'a'); -- error
SELECT add_clarification(1, 'q1', '', 'a'); -- error
SELECT add_clarification(1, 'q1', x'71', 'a'); -- error
SELECT add_clarification(1, 'q1', CAST(x'71ff' AS TEXT), 'a'); -- error
SELECT add_clarification(1, 'q1', printf('%.10001c', 'q'), 'a'); -- error
SELECT add_clarification(1, 'q1', 'q', NULL); -- error
SELECT add_clarification(1, 'q1', 'q', 7); -- error
SELECT add_clarification(1, 'q1', 'q', x'61'); -- error
SELECT add_clarification(1, 'q1', 'q', CAST(x'61ff' AS TEXT)); -- error
SELECT add_clarification(1, 'q1', 'q', printf('%.10000001c', 'a')); -- error
SELECT add_clarification(3, 'q1', 'q', 'a'); -- error
-- set_business_context: a JSON object
SELECT set_business_context(1, NULL); -- error
SELECT set_business_context(1, 7); -- error
SELECT set_business_context(1, x'7b7d'); -- error
SELECT set_business_context(1, ''); -- error
SELECT set_business_context(1, '{"icp": '); -- error
SELECT set_business_context(1, '["bread"]'); -- error
SELECT set_business_context(1, 'null'); -- error
SELECT set_business_context(1, CAST(x'7b22a2223a317d' AS TEXT)); -- error
SELECT set_business_context(1, replace(printf('%.33c', 'x'), 'x', '{"a": ') || '1' || printf('%.33c', '}')); -- error
SELECT set_business_context(3, '{}'); -- error
-- add_proposal: kind 1 to 64 characters, proposed_name 1 to 500, rationale text or NULL
SELECT add_proposal(2, NULL, 'Bread'); -- error
SELECT add_proposal(2, 7, 'Bread'); -- error
SELECT add_proposal(2, '', 'Bread'); -- error
SELECT add_proposal(2, printf('%.65c', 'k'), 'Bread'); -- error
SELECT add_proposal(2, CAST(x'ff' AS TEXT), 'Bread'); -- error
SELECT add_proposal(2, 'pillar', NULL); -- error
SELECT add_proposal(2, 'pillar', 7); -- error
SELECT add_proposal(2, 'pillar', ''); -- error
SELECT add_proposal(2, 'pillar', x'42'); -- error
SELECT add_proposal(2, 'pillar', printf('%.501c', 'p')); -- error
SELECT add_proposal(2, 'pillar', CAST(x'42ff' AS TEXT)); -- error
SELECT add_proposal(2, 'pillar', 'Bread', 7); -- error
SELECT add_proposal(2, 'pillar', 'Bread', x'77'); -- error
SELECT add_proposal(2, 'pillar', 'Bread', CAST(x'77ff' AS TEXT)); -- error
SELECT add_proposal(2, 'pillar', 'Bread', printf('%.10001c', 'r')); -- error
SELECT add_proposal(3, 'pillar', 'Bread'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (99, 'pillar', 'Bread'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (3, 'pillar', 'Bread'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (2, '', 'Bread'); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name) VALUES (2, 'pillar', ''); -- error
INSERT INTO workflow_proposals (run_id, kind, proposed_name, validation) VALUES (2, 'pillar', 'x', '{'); -- error
-- validate_proposal: a JSON object; the proposal's run must not have ended
SELECT validate_proposal(1, NULL); -- error
SELECT validate_proposal(1, 7); -- error
SELECT validate_proposal(1, x'7b7d'); -- error
SELECT validate_proposal(1, ''); -- error
SELECT validate_proposal(1, '{"competition_level": }'); -- error
SELECT validate_proposal(1, '[]'); -- error
SELECT validate_proposal(1, '"low"'); -- error
SELECT validate_proposal(1, CAST(x'7bff7d' AS TEXT)); -- error
SELECT validate_proposal(1, '{"big": "' || printf('%.1048576c', 's') || '"}'); -- error
SELECT validate_proposal(3, '{}'); -- error
-- heartbeat_run: waiting and ended runs hold no lease
SELECT heartbeat_run(1); -- error
SELECT heartbeat_run(2, 60); -- error
SELECT heartbeat_run(3); -- error
SELECT heartbeat_run(4, 0); -- error
SELECT heartbeat_run(4, 86401); -- error
SELECT heartbeat_run(4, '60'); -- error
SELECT heartbeat_run(4, 60.5); -- error
SELECT heartbeat_run(4, NULL); -- error
-- wrong numbers of arguments
SELECT advance_run(); -- error
SELECT advance_run(4, '{}', '{}', '{}'); -- error
SELECT resume_run(1); -- error
SELECT resume_run(1, '{}', '{}', '{}'); -- error
SELECT add_clarification(1, 'q', 'a'); -- error
SELECT add_clarification(1, 'q', 'a', 'b', '{}', 'c'); -- error
SELECT set_business_context(1); -- error
SELECT add_proposal(2, 'pillar'); -- error
SELECT add_proposal(2, 'pillar', 'a', 'b', '{}', 'c'); -- error
SELECT validate_proposal(1); -- error
SELECT heartbeat_run(); -- error
SELECT heartbeat_run(4, 60, '{}', 60); -- error
SELECT expire_stale_runs('{}', 1); -- error
-- start_run options
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "wait"}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"on_active": 1}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "cancel", "x": 1}'); -- error
SELECT start_run(1, 'topical_map', NULL, '{"on_active": "cancel"'); -- error
SELECT start_run(1, 'topical_map', NULL, '[]'); -- error
SELECT start_run(1, 'topical_map', NULL, x'7b7d'); -- error
SELECT start_run(1, 'topical_map', NULL, CAST(x'7bff7d' AS TEXT)); -- error
SELECT start_run(1, 'no_such_flow', NULL, '{"on_active": "cancel"}'); -- error
SELECT start_run(1, 'topical_map'); -- error
-- a failing call inside a caller's transaction leaves the transaction usable
BEGIN;
SELECT merge_run_state(4, '{"in_tx": 1}');
SELECT advance_run(1); -- error
SELECT resume_run(2, '{"approvals": [{"proposal_id": 3}]}'); -- error
SELECT json_extract(state, '$.in_tx') FROM workflow_runs WHERE id = 4;
ROLLBACK;
-- nothing expired: the clock has not moved
SELECT expire_stale_runs();

-- the database is unchanged
SELECT id, status, current_step, lease_expires_at FROM workflow_runs ORDER BY id;
SELECT 'unchanged', (SELECT h FROM fp) = hex(sha3_query(q)) FROM fp_query;
