-- resume_run's answer read in one pass: clarifications appended after the
-- ones the run holds, in order; ids written as integer-valued reals (what
-- json_object writes for a number better-sqlite3 binds, json.dumps for a
-- float) taken as the integers; other reals refused.
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme');
SELECT start_run(1, 'topical_map');
SELECT advance_run(1);
SELECT add_clarification(1, 'q0', 'First?', 'yes');
SELECT add_proposal(1, 'pillar', 'Rye');
SELECT add_proposal(1, 'pillar', 'Spelt');
SELECT resume_run(1, json_object(
  'clarifications', json_array(
    json_object('question_id', CAST(7 AS REAL), 'question', 'Seven?', 'answer', 'a'),
    json_object('question_id', 'q8', 'question', 'Eight?', 'answer', 'b'),
    json_object('question_id', 9, 'question', 'Nine?', 'answer', 'c')),
  'approvals', json_array(json_object('proposal_id', CAST(2 AS REAL), 'approved_name', 'Spelt bread'),
                          json_object('proposal_id', 1))));
SELECT key, json_extract(value, '$.question_id'), typeof(json_extract(value, '$.question_id')),
       json_extract(value, '$.question'), json_extract(value, '$.answered_at') IS NOT NULL
  FROM workflow_runs AS r, json_each(r.clarifications) WHERE r.id = 1;
SELECT id, user_approved, approved_name FROM workflow_proposals ORDER BY id;
SELECT set_run_status(1, 'awaiting_approval', 'pillar_proposal');
SELECT resume_run(1, '{"clarifications": [{"question_id": 1e1, "question": "Ten?", "answer": "d"}]}');
SELECT json_extract(clarifications, '$[#-1].question_id') FROM workflow_runs WHERE id = 1;
.bail off
SELECT set_run_status(1, 'awaiting_approval', 'pillar_proposal');
SELECT resume_run(1, '{"approvals": [{"proposal_id": 2.5}]}'); -- error
SELECT resume_run(1, '{"approvals": [{"proposal_id": 9007199254740992.0}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": 0.5, "question": "?", "answer": "!"}]}'); -- error
SELECT json_array_length(clarifications) FROM workflow_runs WHERE id = 1;
-- entries raw SQL (or an import, which checks only for an array) left in
-- the run's clarifications stay as they are when answers are appended
SELECT resume_run(1, '{}');
UPDATE workflow_runs SET clarifications = '["s", true, 1.0, {"question_id": "q", "answer": "x"}]' WHERE id = 1;
SELECT set_run_status(1, 'awaiting_clarification', 'clarification');
SELECT resume_run(1, '{"clarifications": [{"question_id": "a", "question": "A?", "answer": "1"}, {"question_id": "b", "question": "B?", "answer": "2"}]}');
SELECT json_remove(clarifications, '$[4].answered_at', '$[5].answered_at') FROM workflow_runs WHERE id = 1;
SELECT set_run_status(1, 'awaiting_clarification', 'clarification');
SELECT resume_run(1, '{"clarifications": [{"question_id": "c", "question": "C?", "answer": "3"}]}');
SELECT json_array_length(clarifications), json_extract(clarifications, '$[0]'), json_type(clarifications, '$[1]'), json_extract(clarifications, '$[6].question_id') FROM workflow_runs WHERE id = 1;
-- a run's updated_at: year 0000 only as import's placeholder
UPDATE workflow_runs SET updated_at = '0000-06-15T12:00:00.000Z' WHERE id = 1; -- error
