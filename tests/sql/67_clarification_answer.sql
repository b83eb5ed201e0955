-- A clarification's answer is the user's text: at most
-- limits.max_content_chars characters, as a message's content, in
-- add_clarification and in resume_run's clarifications (one check,
-- cfClarifyAnswerCheck); the first answer over it is named with its length.
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Answers');
SELECT start_run(1, 'topical_map');
SELECT advance_run(1);
-- the default limit, 100,000 characters (not bytes)
SELECT add_clarification(1, 'q1', 'Who?', printf('%.*c', 2000000, 'x')); -- error
SELECT add_clarification(1, 'q1', 'Who?', printf('%.*c', 100001, 'x')); -- error
SELECT add_clarification(1, 'q1', 'Who?', printf('%.*c', 100000, 'é'));
SELECT add_clarification(1, 'q2', 'Skipped?', '');
SELECT resume_run(1, json_object('clarifications', json_array( -- error
  json_object('question_id', 'q3', 'question', 'Where?', 'answer', 'Berlin'),
  json_object('question_id', 'q4', 'question', 'When?', 'answer', printf('%.*c', 100001, 'x')))));
SELECT resume_run(1, json_object('clarifications', json_array( -- error
  json_object('question_id', 'q3', 'question', 'Where?', 'answer', printf('%.*c', 100001, 'x')))));
-- nothing written by the refused calls
SELECT status, json_array_length(clarifications), json_extract(clarifications, '$[#-1].question_id'),
       length(json_extract(clarifications, '$[0].answer')) FROM workflow_runs WHERE id = 1;
-- the setting moves the limit for both
SELECT chatflow_config('limits.max_content_chars', '5');
SELECT add_clarification(1, 'q5', 'Budget?', '123456'); -- error
SELECT add_clarification(1, 'q5', 'Budget?', 'ünf€5');
SELECT resume_run(1, '{"clarifications": [{"question_id": "q6", "question": "Tone?", "answer": "casual"}]}'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q6", "question": "Tone?", "answer": "calm"}, {"question_id": "q7", "question": "?", "answer": ""}]}');
SELECT json_array_length(clarifications), json_extract(clarifications, '$[#-3].answer'),
       json_extract(clarifications, '$[#-2].answer'), json_extract(clarifications, '$[#-1].answer')
  FROM workflow_runs WHERE id = 1;
-- the run's existence and state come first
SELECT add_clarification(9, 'q', 'Q?', '123456'); -- error
SELECT resume_run(1, '{"clarifications": [{"question_id": "q8", "question": "?", "answer": "123456"}]}'); -- error
SELECT chatflow_config('limits.max_content_chars', NULL);
