-- 30_text_gate: every JSON text that enters through a chatflow function
-- passes one gate (json.c): a string, value or key, written with \u0000 or
-- an unpaired surrogate escape (\ud800 alone or before a non-low escape,
-- \udc00 alone) is refused with an error that names the problem and the
-- path of the value, and nothing is written (the fingerprint of every
-- table is the same after each group of refusals); a surrogate pair is
-- stored as the one character it stands for (F09F9880).  Raw bytes are
-- checked before the JSON is read: a NUL byte is named as a NUL.
-- chatflow_config values are plain text, not JSON; workflow_definitions
-- rows come only from raw SQL (the schema's business).
.headers off
.mode list
SELECT chatflow_init() > 0;
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
.bail off
CREATE TEMP TABLE fp_query AS SELECT
 'SELECT * FROM chat_conversations; SELECT * FROM chat_messages; SELECT * FROM workflow_runs;
  SELECT * FROM workflow_run_events; SELECT * FROM workflow_interrupts; SELECT * FROM workflow_proposals;
  SELECT * FROM workflow_definitions; SELECT * FROM chatflow_settings; SELECT * FROM chatflow_statement_clock;
  SELECT * FROM chat_messages_fts_data; SELECT * FROM chat_titles_fts_data;
  SELECT * FROM chatflow_migrations; SELECT type, name, sql FROM sqlite_schema' AS q;
CREATE TEMP TABLE fp (h TEXT);
CREATE TEMP VIEW unchanged AS SELECT 'unchanged', (SELECT h FROM fp) = hex(sha3_query(q)) FROM fp_query;

-- conversation 1 with a message, run 1 started (with proposal 1);
-- conversation 2 with run 2 awaiting clarification; conversation 3 free
SELECT create_conversation('acme');
SELECT add_message(1, 'user', 'hello');
SELECT start_run(1, 'topical_map', '{"seed": "bakery"}');
SELECT add_proposal(1, 'pillar', 'Bread');
SELECT create_conversation('acme');
SELECT start_run(2, 'topical_map');
SELECT advance_run(2) ->> 'status';
SELECT create_conversation('acme');
-- a later clock: a write that got through would show in updated_at
SELECT chatflow_clock('2026-01-02T00:00:00.000Z');

-- add_message: parts, attachments, metadata, a string option, a key
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT add_message(1, 'user', 'hi', '{"parts": [{"type": "text", "text": "a\u0000b"}]}'); -- error
SELECT add_message(1, 'user', 'hi', '{"parts": [{"type": "text", "text": "a\ud800b"}]}'); -- error
SELECT add_message(1, 'user', 'hi', '{"parts": [{"type": "text", "text": "\udc00"}]}'); -- error
SELECT add_message(1, 'user', 'hi', '{"parts": [{"type": "text", "text": "\ud800\u0041"}]}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT add_message(1, 'user', 'hi', '{"attachments": [{"name": "x.pdf"}, {"name": "a\u0000b"}]}'); -- error
SELECT add_message(1, 'user', 'hi', '{"attachments": [{"name": "x.pdf"}, {"name": "a\ud800b"}]}'); -- error
SELECT add_message(1, 'user', 'hi', '{"attachments": [{"name": "x.pdf"}, {"name": "\udc00"}]}'); -- error
SELECT add_message(1, 'user', 'hi', '{"attachments": [{"name": "x.pdf"}, {"name": "\ud800\u0041"}]}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT add_message(1, 'user', 'hi', '{"metadata": {"client": {"name": "a\u0000b"}}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"client": {"name": "a\ud800b"}}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"client": {"name": "\udc00"}}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"client": {"name": "\ud800\u0041"}}}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT add_message(1, 'user', 'hi', '{"type": "a\u0000b"}'); -- error
SELECT add_message(1, 'user', 'hi', '{"type": "a\ud800b"}'); -- error
SELECT add_message(1, 'user', 'hi', '{"type": "\udc00"}'); -- error
SELECT add_message(1, 'user', 'hi', '{"type": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT add_message(1, 'user', 'hi', '{"metadata": {"a\u0000b": 1}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"a\ud800b": 1}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"\udc00": 1}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"\ud800\u0041": 1}}'); -- error
SELECT * FROM unchanged;
-- raw bytes: a NUL byte is named as a NUL, other bad bytes as bad UTF-8
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT add_message(1, 'user', 'hi', '{"metadata": {"k": "a' || char(0) || 'b"}}'); -- error
SELECT add_message(1, 'user', 'hi', '{"metadata": {"k": "' || CAST(x'ff' AS TEXT) || '"}}'); -- error
SELECT * FROM unchanged;
-- a pair is one character
SELECT add_message(1, 'user', 'pair', '{"parts": [{"type": "text", "text": "\ud83d\ude00"}], "attachments": [{"name": "\ud83d\ude00"}], "metadata": {"k": "\ud83d\ude00"}}');
SELECT hex(json_extract(parts, '$[0].text')), hex(json_extract(attachments, '$[0].name')), hex(json_extract(metadata, '$.k')) FROM chat_messages WHERE content = 'pair';

-- create_conversation / find_or_create_conversation: context, metadata, string options
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT create_conversation('acme', 't', '{"context": {"site": ["a\u0000b"]}}'); -- error
SELECT create_conversation('acme', 't', '{"context": {"site": ["a\ud800b"]}}'); -- error
SELECT create_conversation('acme', 't', '{"context": {"site": ["\udc00"]}}'); -- error
SELECT create_conversation('acme', 't', '{"context": {"site": ["\ud800\u0041"]}}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT create_conversation('acme', 't', '{"metadata": {"m": "a\u0000b"}}'); -- error
SELECT create_conversation('acme', 't', '{"metadata": {"m": "a\ud800b"}}'); -- error
SELECT create_conversation('acme', 't', '{"metadata": {"m": "\udc00"}}'); -- error
SELECT create_conversation('acme', 't', '{"metadata": {"m": "\ud800\u0041"}}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT create_conversation('acme', 't', '{"model": "a\u0000b"}'); -- error
SELECT create_conversation('acme', 't', '{"model": "a\ud800b"}'); -- error
SELECT create_conversation('acme', 't', '{"model": "\udc00"}'); -- error
SELECT create_conversation('acme', 't', '{"model": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT find_or_create_conversation('acme', 'k1', 't', '{"context": {"a b": "a\u0000b"}}'); -- error
SELECT find_or_create_conversation('acme', 'k1', 't', '{"context": {"a b": "a\ud800b"}}'); -- error
SELECT find_or_create_conversation('acme', 'k1', 't', '{"context": {"a b": "\udc00"}}'); -- error
SELECT find_or_create_conversation('acme', 'k1', 't', '{"context": {"a b": "\ud800\u0041"}}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT create_conversation('acme', 'a' || char(0), '{"context": {}}'); -- error
SELECT create_conversation('acme', 't', '{"context": {"k": "' || char(0) || '"}}'); -- error
SELECT * FROM unchanged;
SELECT create_conversation('acme', 'pair', '{"context": {"k": "\ud83d\ude00"}, "metadata": {"k": "\ud83d\ude00"}, "model": "\ud83d\ude00"}');
SELECT hex(json_extract(context, '$.k')), hex(json_extract(metadata, '$.k')), hex(model) FROM chat_conversations WHERE title = 'pair';
SELECT find_or_create_conversation('acme', 'k1', 'pair2', '{"metadata": {"k": "\ud83d\ude00"}}');
SELECT hex(json_extract(metadata, '$.k')) FROM chat_conversations WHERE key = 'k1';

-- start_run: run input and options (conversation 3 has no run)
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT start_run(3, 'topical_map', '{"seed": "a\u0000b"}'); -- error
SELECT start_run(3, 'topical_map', '{"seed": "a\ud800b"}'); -- error
SELECT start_run(3, 'topical_map', '{"seed": "\udc00"}'); -- error
SELECT start_run(3, 'topical_map', '{"seed": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT start_run(3, 'topical_map', '{}', '{"on_active": "a\u0000b"}'); -- error
SELECT start_run(3, 'topical_map', '{}', '{"on_active": "a\ud800b"}'); -- error
SELECT start_run(3, 'topical_map', '{}', '{"on_active": "\udc00"}'); -- error
SELECT start_run(3, 'topical_map', '{}', '{"on_active": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT start_run(3, 'topical_map', '{"seed": "' || char(0) || '"}'); -- error
SELECT * FROM unchanged;
SELECT start_run(3, 'topical_map', '{"seed": "\ud83d\ude00"}');
SELECT hex(json_extract(state, '$.seed')) FROM workflow_runs WHERE conversation_id = 3;

-- merge_run_state: the state patch
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT merge_run_state(1, '{"geo": {"city": "a\u0000b"}}'); -- error
SELECT merge_run_state(1, '{"geo": {"city": "a\ud800b"}}'); -- error
SELECT merge_run_state(1, '{"geo": {"city": "\udc00"}}'); -- error
SELECT merge_run_state(1, '{"geo": {"city": "\ud800\u0041"}}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT merge_run_state(1, '"a\u0000b"'); -- error
SELECT merge_run_state(1, '"a\ud800b"'); -- error
SELECT merge_run_state(1, '"\udc00"'); -- error
SELECT merge_run_state(1, '"\ud800\u0041"'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT merge_run_state(1, '{"k": "a' || char(0) || 'b"}'); -- error
SELECT * FROM unchanged;
SELECT hex(merge_run_state(1, '{"geo": {"city": "\ud83d\ude00"}}') ->> '$.geo.city');

-- set_business_context: the business context
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT set_business_context(1, '{"brand": {"name": "a\u0000b"}}'); -- error
SELECT set_business_context(1, '{"brand": {"name": "a\ud800b"}}'); -- error
SELECT set_business_context(1, '{"brand": {"name": "\udc00"}}'); -- error
SELECT set_business_context(1, '{"brand": {"name": "\ud800\u0041"}}'); -- error
SELECT * FROM unchanged;
SELECT set_business_context(1, '{"brand": {"name": "\ud83d\ude00"}}');
SELECT hex(json_extract(business_context, '$.brand.name')) FROM workflow_runs WHERE id = 1;

-- validate_proposal: the validation
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT validate_proposal(1, '{"checks": [{"note": "a\u0000b"}]}'); -- error
SELECT validate_proposal(1, '{"checks": [{"note": "a\ud800b"}]}'); -- error
SELECT validate_proposal(1, '{"checks": [{"note": "\udc00"}]}'); -- error
SELECT validate_proposal(1, '{"checks": [{"note": "\ud800\u0041"}]}'); -- error
SELECT * FROM unchanged;
SELECT validate_proposal(1, '{"checks": [{"note": "\ud83d\ude00"}]}');
SELECT hex(json_extract(validation, '$.checks[0].note')) FROM workflow_proposals WHERE id = 1;

-- advance_run: the step output
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT advance_run(1, '{"summary": "a\u0000b"}'); -- error
SELECT advance_run(1, '{"summary": "a\ud800b"}'); -- error
SELECT advance_run(1, '{"summary": "\udc00"}'); -- error
SELECT advance_run(1, '{"summary": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
SELECT advance_run(1, '{"summary": "\ud83d\ude00"}') ->> 'status';
SELECT hex(json_extract(state, '$.summary')) FROM workflow_runs WHERE id = 1;

-- resume_run: the answer (run 2 awaits clarification)
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT resume_run(2, '{"clarifications": [{"question_id": "q1", "question": "Who?", "answer": "a\u0000b"}]}'); -- error
SELECT resume_run(2, '{"clarifications": [{"question_id": "q1", "question": "Who?", "answer": "a\ud800b"}]}'); -- error
SELECT resume_run(2, '{"clarifications": [{"question_id": "q1", "question": "Who?", "answer": "\udc00"}]}'); -- error
SELECT resume_run(2, '{"clarifications": [{"question_id": "q1", "question": "Who?", "answer": "\ud800\u0041"}]}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT resume_run(2, '{"tone": "a\u0000b"}'); -- error
SELECT resume_run(2, '{"tone": "a\ud800b"}'); -- error
SELECT resume_run(2, '{"tone": "\udc00"}'); -- error
SELECT resume_run(2, '{"tone": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT resume_run(2, '{"tone": "' || char(0) || '"}'); -- error
SELECT * FROM unchanged;
SELECT resume_run(2, '{"clarifications": [{"question_id": "q1", "question": "Who?", "answer": "\ud83d\ude00"}], "tone": "\ud83d\ude00"}') ->> 'status';
SELECT hex(json_extract(clarifications, '$[0].answer')), hex(json_extract(state, '$.tone')) FROM workflow_runs WHERE id = 2;

-- complete_chat: its options are read before any network call (a pair
-- passes the gate and meets the next check, on max_tokens)
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT complete_chat(1, '{"model": "a\u0000b"}'); -- error
SELECT complete_chat(1, '{"model": "a\ud800b"}'); -- error
SELECT complete_chat(1, '{"model": "\udc00"}'); -- error
SELECT complete_chat(1, '{"model": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
SELECT complete_chat(1, '{"model": "\ud83d\ude00", "max_tokens": -1}'); -- error

-- import_conversation: every string of the document, text fields and
-- JSON ones alike, and its options
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a\u0000b"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a\ud800b"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "\udc00"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "\ud800\u0041"}]}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "a\u0000b"}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "a\ud800b"}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "\udc00"}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "\ud800\u0041"}, "messages": []}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"metadata": {"tags": ["a", "a\u0000b"]}}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"metadata": {"tags": ["a", "a\ud800b"]}}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"metadata": {"tags": ["a", "\udc00"]}}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"metadata": {"tags": ["a", "\ud800\u0041"]}}, "messages": []}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "x", "parts": [{"type": "text", "text": "a\u0000b"}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "x", "parts": [{"type": "text", "text": "a\ud800b"}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "x", "parts": [{"type": "text", "text": "\udc00"}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "x", "parts": [{"type": "text", "text": "\ud800\u0041"}]}]}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"context": {"a\u0000b": 1}}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"context": {"a\ud800b": 1}}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"context": {"\udc00": 1}}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"context": {"\ud800\u0041": 1}}, "messages": []}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": []}', '{"uid": "a\u0000b"}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": []}', '{"uid": "a\ud800b"}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": []}', '{"uid": "\udc00"}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": []}', '{"uid": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a' || char(0) || 'b"}]}'); -- error
SELECT * FROM unchanged;
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "\ud83d\ude00", "metadata": {"k": "\ud83d\ude00"}}, "messages": [{"role": "user", "content": "\ud83d\ude00"}]}');
SELECT hex(c.title), hex(json_extract(c.metadata, '$.k')), hex(m.content) FROM chat_conversations AS c JOIN chat_messages AS m ON m.conversation_id = c.id WHERE c.owner = 'zeta';

-- fork_conversation: its options (a pair passes the gate, then the uid rule refuses it)
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT fork_conversation(1, NULL, '{"uid": "a\u0000b"}'); -- error
SELECT fork_conversation(1, NULL, '{"uid": "a\ud800b"}'); -- error
SELECT fork_conversation(1, NULL, '{"uid": "\udc00"}'); -- error
SELECT fork_conversation(1, NULL, '{"uid": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
SELECT fork_conversation(1, NULL, '{"uid": "\ud83d\ude00"}'); -- error

-- the virtual tables' options (a pair passes the gate, then the cursor
-- and order rules refuse it)
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT count(*) FROM conversation_list('acme', '{"after": "a\u0000b"}'); -- error
SELECT count(*) FROM conversation_list('acme', '{"after": "a\ud800b"}'); -- error
SELECT count(*) FROM conversation_list('acme', '{"after": "\udc00"}'); -- error
SELECT count(*) FROM conversation_list('acme', '{"after": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
SELECT count(*) FROM conversation_list('acme', '{"after": "\ud83d\ude00"}'); -- error
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT count(*) FROM search_messages('hello', NULL, '{"order": "a\u0000b"}'); -- error
SELECT count(*) FROM search_messages('hello', NULL, '{"order": "a\ud800b"}'); -- error
SELECT count(*) FROM search_messages('hello', NULL, '{"order": "\udc00"}'); -- error
SELECT count(*) FROM search_messages('hello', NULL, '{"order": "\ud800\u0041"}'); -- error
SELECT * FROM unchanged;
SELECT count(*) FROM search_messages('hello', NULL, '{"order": "\ud83d\ude00"}'); -- error

-- chatflow_config takes plain text: a NUL is refused, an escape is text
DELETE FROM fp; INSERT INTO fp SELECT hex(sha3_query(q)) FROM fp_query;
SELECT chatflow_config('llm.model', 'm' || char(0)); -- error
SELECT * FROM unchanged;
SELECT chatflow_config('llm.model', 'm\u0000');


-- invalid UTF-8 that raw SQL stored (undetectable in SQL) leaves the JSON
-- outputs as U+FFFD (EF BF BD): they stay UTF-8, as JSON must be
SELECT create_conversation('raw-bytes', 'raw');
INSERT INTO chat_messages (conversation_id, role, content)
VALUES ((SELECT id FROM chat_conversations WHERE owner = 'raw-bytes'), 'user', 'caf' || CAST(x'e9' AS TEXT) || ' au lait');
SELECT hex(chat_history_json(id, 1000)) FROM chat_conversations WHERE owner = 'raw-bytes';
SELECT hex(json_extract(chat_ui_messages(id), '$[0].parts[0].text')) FROM chat_conversations WHERE owner = 'raw-bytes';
SELECT hex(json_extract(export_conversation(id, 'openai'), '$[0].content')) FROM chat_conversations WHERE owner = 'raw-bytes';
SELECT hex(json_extract(export_conversation(id), '$.messages[0].content')) FROM chat_conversations WHERE owner = 'raw-bytes';
-- and run_status: a run whose error a raw INSERT stored with a bad byte
INSERT INTO workflow_runs (conversation_id, workflow, status, error)
VALUES ((SELECT id FROM chat_conversations WHERE owner = 'raw-bytes'), 'topical_map', 'failed', 'A' || CAST(x'ff' AS TEXT) || 'B');
SELECT hex(json_extract(run_status(id), '$.error')), json_valid(run_status(id)) FROM workflow_runs WHERE error GLOB 'A*B';
-- and merge_run_state's result: a state a raw UPDATE stored with a bad byte
SELECT start_run(id, 'topical_map') FROM chat_conversations WHERE owner = 'raw-bytes';
UPDATE workflow_runs SET state = CAST(x'7b2261223a22ff227d' AS TEXT)
 WHERE conversation_id = (SELECT id FROM chat_conversations WHERE owner = 'raw-bytes') AND status = 'started';
SELECT hex(merge_run_state(id, '{"b": 1}')) FROM workflow_runs
 WHERE conversation_id = (SELECT id FROM chat_conversations WHERE owner = 'raw-bytes') AND status = 'started';
