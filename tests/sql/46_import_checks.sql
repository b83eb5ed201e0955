-- 46_import_checks: what an import document and the JSON options may hold
-- (found by an adversarial review).  Each refused document leaves nothing
-- behind (the count of conversations after each group).
--   * JSON numbers: an integer-valued real (4.0, what SQLite's json_object
--     writes for a number a JavaScript binding bound) counts as the
--     integer, in import documents and in options; 4.5 is refused; an
--     integer beyond 64 bits is refused by name, never clamped to
--     9223372036854775807.
--   * a field given twice in one object is refused (RFC 8259 leaves it to
--     the reader; chatflow's options refuse it too).
--   * conversation.key, title, model and agent have the limits
--     create_conversation applies.
--   * a run's exported events keep the log's rules: not empty, run
--     statuses, a creation event (from_status null), moves of the state
--     machine, and last the move to the run's status.
--   * the argument columns of the table-valued functions take "=" only;
--     the first argument may come from an OR; an empty search owner is
--     refused.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Sourdough');
SELECT add_message(1, 'user', 'sourdough first');
SELECT add_message(1, 'assistant', 'second');
SELECT add_message(1, 'user', 'third');
-- numbers
SELECT add_message(1, 'user', 'real tokens', json_object('tokens', 4.0));
SELECT add_message(1, 'user', 'x', json_object('tokens', 4.5)); -- error
SELECT add_message(1, 'user', 'x', '{"tokens": 1e20}'); -- error
SELECT id, tokens FROM chat_messages WHERE id = 4;
SELECT count(*) FROM conversation_list('acme', json_object('limit', 2.0));
SELECT import_conversation('b', json_set(export_conversation(1), '$.messages[0].tokens', 7.0, '$.messages[0].seq', 1.0));
SELECT seq, tokens FROM chat_messages WHERE conversation_id = 2 ORDER BY seq LIMIT 1;
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[0].tokens', 7.5)); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[2].parent_id', json('100000000000000000000'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[2].parent_id', json('-9223372036854775809'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[2].tokens', json('9223372036854775808'))); -- error
SELECT count(*) FROM chat_conversations;
-- a field twice
SELECT import_conversation('c', replace(export_conversation(1), '"role":"user"', '"role":"user","role":"system"')); -- error
SELECT import_conversation('c', replace(export_conversation(1), '"title":"Sourdough"', '"title":"Sourdough","title":"Evil"')); -- error
SELECT import_conversation('c', replace(export_conversation(1), '"format":', '"format":"chatflow.conversation.v1","format":')); -- error
-- a key twice inside a JSON field, at any depth (add_message and
-- create_conversation refuse it in their options; raw SQL may have stored
-- it, and the export writes it as it is); keys compared decoded
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.metadata', json('{"x": 1, "x": 2}'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[0].metadata', json('{"a": {"b": 1, "b": 2}}'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[0].parts', json('[{"type": "text", "text": "a", "text": "b"}]'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.context', json('{"p\u0061rts": 1, "parts": 2}'))); -- error
SELECT count(*) FROM chat_conversations;
-- the conversation's fields
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.model', printf('%.201c', 'm'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.agent', '')); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.title', printf('%.201c', 't'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.key', '')); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.key', printf('%.201c', 'k'))); -- error
SELECT count(*) FROM chat_conversations;
SELECT import_conversation('c', json_set(export_conversation(1), '$.conversation.model', printf('%.200c', 'm'), '$.conversation.title', ''));
SELECT length(model), quote(title) FROM chat_conversations WHERE id = 3;
-- a stored JSON value nests 32 levels at most, as a JSON argument; the
-- document's own levels (messages, runs, events) do not count
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[1].metadata', json('{"a": ' || printf('%.32c', '[') || printf('%.32c', ']') || '}'))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[1].parts', json(printf('%.33c', '[') || printf('%.33c', ']')))); -- error
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[0].uid', 'm-1', '$.messages[2].uid', 'm-1')); -- error
SELECT count(*) FROM chat_conversations;
SELECT import_conversation('c', json_set(export_conversation(1), '$.messages[1].metadata', json('{"a": ' || printf('%.31c', '[') || printf('%.31c', ']') || '}')));
SELECT length(metadata) FROM chat_messages WHERE conversation_id = 4 AND seq = 2;
-- a run's events
SELECT start_run(1, 'topical_map');
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events', json('[]'))); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[0].to_status', 'weird')); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[0].from_status', 'bogus')); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[0].from_status', 'queued')); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].state', json('{"a": ' || printf('%.32c', '[') || printf('%.32c', ']') || '}'))); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[0].detail', json(printf('%.33c', '[') || printf('%.33c', ']')))); -- error
SELECT cancel_run(1);
SELECT import_conversation('d', json_remove(export_conversation(1), '$.runs[0].events[1]')); -- error
-- the log is a chain from the creation (the schema's rule: workflow_run_events_check_insert)
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[1].from_status', json('null'))); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[1].from_status', 'processing')); -- error
SELECT import_conversation('d', json_set(export_conversation(1), '$.runs[0].events[1].created_at', 'yesterday')); -- error
-- and moves as the state machine does (workflow_run_transitions): not
-- started -> completed -> cancelled
WITH d(x) AS (SELECT export_conversation(1)) SELECT import_conversation('d', json_set(x, '$.runs[0].events[1].to_status', 'completed', '$.runs[0].events[2]', json_set(json_extract(x, '$.runs[0].events[1]'), '$.from_status', 'completed'))) FROM d; -- error
SELECT count(*) FROM chat_conversations;
SELECT import_conversation('d', export_conversation(1));
SELECT import_conversation('e', json_remove(export_conversation(1), '$.runs[0].events'));
SELECT r.conversation_id, r.status, group_concat(coalesce(e.from_status, '-') || '>' || e.to_status, ' ')
  FROM workflow_runs AS r JOIN workflow_run_events AS e ON e.run_id = r.id
 WHERE r.conversation_id > 1 GROUP BY r.id ORDER BY r.id;
SELECT "check", detail FROM chatflow_check() WHERE NOT ok;
-- argument columns
SELECT create_conversation('zeta', 'Sourdough too');
SELECT count(*) FROM search_messages WHERE query = 'sourdough' AND owner LIKE 'acme'; -- error
SELECT count(*) FROM conversation_list WHERE owner > 'a'; -- error
SELECT count(*) FROM conversation_list('acme') WHERE owner IS NOT NULL; -- error
SELECT count(*) FROM search_messages WHERE query = 'sourdough' AND (owner = 'acme' OR owner = 'zeta');
SELECT count(*) FROM search_messages WHERE query = 'sourdough' AND owner = 'zeta';
SELECT count(*) FROM conversation_list WHERE owner = 'acme' OR owner = 'zeta';
SELECT count(*) FROM search_messages WHERE query = 'sourdough' OR query = 'third';
SELECT count(*) FROM search_messages; -- error
SELECT count(*) FROM search_messages('sourdough', ''); -- error

-- a JSON field larger than an argument may be (a run's state grows by
-- merges past 1 MiB) imports, and a key twice in it is found too
SELECT create_conversation('big', 'Big state');
SELECT start_run(last_insert_rowid(), 'topical_map');
SELECT length(merge_run_state((SELECT max(id) FROM workflow_runs), json_object('a', printf('%.700000c', 'x'))));
SELECT length(merge_run_state((SELECT max(id) FROM workflow_runs), json_object('b', printf('%.700000c', 'y'))));
SELECT import_conversation('big2', export_conversation((SELECT id FROM chat_conversations WHERE owner = 'big'))) > 0;
SELECT length(state) FROM workflow_runs WHERE conversation_id = (SELECT id FROM chat_conversations WHERE owner = 'big2');
SELECT import_conversation('big3', replace(export_conversation(8), '"state":{"a"', '"state":{"dup":1,"dup":2,"a"')); -- error
SELECT count(*) FROM chat_conversations WHERE owner = 'big3';

-- forked_at_seq is a seq, as fork_conversation writes it (0: the fork of
-- a conversation without messages)
SELECT create_conversation('fk0', 'Empty');
SELECT fork_conversation(last_insert_rowid()) > 0;
SELECT import_conversation('fk1', export_conversation((SELECT id FROM chat_conversations WHERE owner = 'fk0' AND forked_at_seq = 0))) > 0;
SELECT forked_at_seq FROM chat_conversations WHERE owner = 'fk1';
SELECT import_conversation('fk', json_set(export_conversation(1), '$.conversation.key', NULL, '$.conversation.forked_at_seq', -5)); -- error
SELECT import_conversation('fk', json_set(export_conversation(1), '$.conversation.key', NULL, '$.conversation.forked_at_seq', 9007199254740992)); -- error
SELECT import_conversation('fk', json_set(export_conversation(1), '$.conversation.key', NULL, '$.conversation.forked_at_seq', 9007199254740991)) > 0;
SELECT forked_at_seq FROM chat_conversations WHERE owner = 'fk';
