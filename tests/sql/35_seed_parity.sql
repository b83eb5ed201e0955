-- 35_seed_parity: the calls that give each method of the seed services
-- one chatflow call (docs/conversations.md): update_conversation and
-- conversation_by_uid, conversation_messages, and the schema's rule that a conversation's owner
-- and uid never change.  Every bad input is refused with its exact text
-- and writes nothing.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Pricing', '{"uid": "c-1", "model": "gpt-4o", "agent": "sales"}');
SELECT create_conversation('globex', 'Other', '{"uid": "c-2"}');

-- -------------------------------------------------- update_conversation
SELECT chatflow_clock('2026-01-02T00:00:00.000Z');
SELECT update_conversation(1, '{"title": "Pricing 2027", "model": "gpt-4.1", "agent": "support",
  "visibility": "public", "context": {"plan": "pro"}, "metadata": {"tag": 1}, "pinned": true}');
SELECT title, model, agent, visibility, context, metadata, pinned_at, archived_at, updated_at
  FROM chat_conversations WHERE id = 1;
-- members left out (or null) keep their value; pinned false unpins
SELECT chatflow_clock('2026-01-03T00:00:00.000Z');
SELECT update_conversation(1, '{"pinned": false, "archived": true, "title": null}');
SELECT title, model, pinned_at, archived_at, updated_at FROM chat_conversations WHERE id = 1;
-- an empty patch touches updated_at (the seed's touchChat)
SELECT chatflow_clock('2026-01-04T00:00:00.000Z');
SELECT update_conversation(1, '{}');
SELECT updated_at FROM chat_conversations WHERE id = 1;
-- an empty title is allowed, as at creation
SELECT update_conversation(2, '{"title": ""}');
SELECT quote(title) FROM chat_conversations WHERE id = 2;

-- bad input: nothing is written
SELECT chatflow_clock('2026-01-05T00:00:00.000Z');
SELECT update_conversation(1, '{"owner": "evil"}'); -- error
SELECT update_conversation(1, '{"uid": "x"}'); -- error
SELECT update_conversation(1, '{"title": 5}'); -- error
SELECT update_conversation(1, '{"pinned": "yes"}'); -- error
SELECT update_conversation(1, '{"archived": 1}'); -- error
SELECT update_conversation(1, '{"context": []}'); -- error
SELECT update_conversation(1, '{"visibility": "team"}'); -- error
SELECT update_conversation(1, '{"model": ""}'); -- error
SELECT update_conversation(1, '{"agent": ""}'); -- error
SELECT update_conversation(1, json_object('title', printf('%.201c', 'x'))); -- error
SELECT update_conversation(1, '[]'); -- error
SELECT update_conversation(1, '{"title": "x"'); -- error
SELECT update_conversation(1, NULL); -- error
SELECT update_conversation(NULL, '{}'); -- error
SELECT update_conversation(99, '{"title": "x"}'); -- error
SELECT delete_conversation(2);
SELECT update_conversation(2, '{"title": "x"}'); -- error
SELECT id, title, model, agent, visibility, pinned_at, archived_at, updated_at
  FROM chat_conversations ORDER BY id;
SELECT restore_conversation(2);

-- inside the caller's transaction, rolled back with it
BEGIN;
SELECT update_conversation(1, '{"title": "in a transaction"}');
ROLLBACK;
SELECT title FROM chat_conversations WHERE id = 1;

-- ------------------------------------------- owner and uid never change
UPDATE chat_conversations SET owner = 'globex' WHERE id = 1; -- error
UPDATE chat_conversations SET uid = 'c-9' WHERE id = 1; -- error
UPDATE chat_conversations SET uid = 'c-2' WHERE id = 1; -- error
-- a key stays unique per owner and may change
SELECT create_conversation('acme', 'Keyed', '{"key": "k-1", "uid": "c-3"}');
UPDATE chat_conversations SET key = 'k-1' WHERE id = 1; -- error
UPDATE chat_conversations SET key = 'k-2' WHERE id = 1;
-- setting them to their own values is no change
UPDATE chat_conversations SET owner = owner, uid = uid WHERE id = 1;
SELECT id, owner, uid, key FROM chat_conversations ORDER BY id;

-- -------------------------------------------------- conversation_by_uid
SELECT conversation_by_uid('c-1');
SELECT conversation_by_uid('c-1', 'acme');
SELECT quote(conversation_by_uid('c-1', 'globex'));
SELECT quote(conversation_by_uid('nope'));
SELECT quote(conversation_by_uid('nope', 'acme'));
SELECT delete_conversation(2);
SELECT quote(conversation_by_uid('c-2', 'globex'));
SELECT conversation_by_uid(NULL); -- error
SELECT conversation_by_uid('c-1', NULL); -- error
SELECT conversation_by_uid(5); -- error

-- ------------------------------------------------ conversation_messages
SELECT create_conversation('acme', 'Pages', '{"uid": "c-4"}');
SELECT count(add_message(4, iif(value % 2, 'user', 'assistant'), 'm' || value,
                         '{"tokens": 1}')) FROM generate_series(1, 7);
SELECT add_message(4, 'assistant', '', '{"parts": [{"type": "text", "text": "p"}], "metadata": {"k": 1}}');
SELECT group_concat(seq || ':' || content || ':' || has_more, ' ')
  FROM conversation_messages(4, '{"limit": 3}');
SELECT group_concat(seq || ':' || has_more, ' ') FROM conversation_messages(4, '{"limit": 3, "after_seq": 3}');
SELECT group_concat(seq || ':' || has_more, ' ') FROM conversation_messages(4, '{"limit": 3, "after_seq": 5}');
SELECT group_concat(seq || ':' || has_more, ' ') FROM conversation_messages(4, '{"limit": 3, "order": "desc"}');
SELECT group_concat(seq || ':' || has_more, ' ')
  FROM conversation_messages(4, '{"limit": 3, "order": "desc", "before_seq": 6}');
SELECT group_concat(seq || ':' || has_more, ' ')
  FROM conversation_messages(4, '{"limit": 3, "order": "desc", "before_seq": 3}');
SELECT group_concat(seq || ':' || has_more, ' ') FROM conversation_messages(4, '{"limit": 2, "before_seq": 6}');
SELECT count(*), max(has_more) FROM conversation_messages(4);
SELECT count(*), max(has_more) FROM conversation_messages(4, '{"limit": 8}');
SELECT count(*) FROM conversation_messages(4, '{"after_seq": 8}');
SELECT count(*) FROM conversation_messages(2);
SELECT id, seq, role, quote(type), quote(content), parts, quote(attachments), metadata, tokens, created_at, has_more
  FROM conversation_messages(4, '{"order": "desc", "limit": 1}');
SELECT count(*) FROM conversation_messages(4, NULL);
-- bad input
SELECT * FROM conversation_messages(4, '{"before_seq": 5, "after_seq": 2}'); -- error
SELECT * FROM conversation_messages(4, '{"after_seq": -1}'); -- error
SELECT * FROM conversation_messages(4, '{"before_seq": -5}'); -- error
SELECT count(*) FROM conversation_messages(4, '{"before_seq": 0}');
SELECT * FROM conversation_messages(4, '{"limit": 0}'); -- error
SELECT * FROM conversation_messages(4, '{"limit": 501}'); -- error
SELECT * FROM conversation_messages(4, '{"limit": "5"}'); -- error
SELECT * FROM conversation_messages(4, '{"order": "newest"}'); -- error
SELECT * FROM conversation_messages(4, '{"page": 2}'); -- error
SELECT * FROM conversation_messages(4, '{"limit": 5'); -- error
SELECT * FROM conversation_messages(4, 5); -- error
SELECT * FROM conversation_messages(99); -- error
SELECT * FROM conversation_messages(0); -- error
SELECT * FROM conversation_messages('4'); -- error
SELECT * FROM conversation_messages; -- error
-- one index range: the plan reads chat_messages by (conversation_id, seq)
EXPLAIN QUERY PLAN SELECT id, seq, role, type, content, parts, attachments, metadata, tokens, created_at
  FROM chat_messages WHERE conversation_id = 4 AND seq < 5 ORDER BY seq DESC LIMIT 4;

-- ------------------------------------ conversation_list: has_more, filters
SELECT count(create_conversation('lister', 'L' || value, json_object('uid', 'l-' || value,
         'model', iif(value % 2, 'gpt-4o', 'claude'), 'agent', iif(value % 3, 'sales', 'support'),
         'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-02-01', '+' || value || ' days'))))
  FROM generate_series(1, 7);
SELECT group_concat(title || ':' || has_more, ' ') FROM conversation_list('lister', '{"limit": 3}');
SELECT group_concat(title || ':' || has_more, ' ')
  FROM conversation_list('lister', json_object('limit', 3, 'after',
         (SELECT cursor FROM conversation_list('lister', '{"limit": 3}') LIMIT 1 OFFSET 2)));
SELECT group_concat(title || ':' || has_more, ' ') FROM conversation_list('lister', '{"limit": 7}');
SELECT group_concat(title || ':' || has_more, ' ')
  FROM conversation_list('lister', '{"updated_since": "2026-02-05T00:00:00.000Z"}');
SELECT group_concat(title || ':' || has_more, ' ')
  FROM conversation_list('lister', '{"updated_since": "2026-02-05T00:00:00Z", "limit": 2}');
SELECT group_concat(title || ':' || has_more, ' ') FROM conversation_list('lister', '{"model": "gpt-4o"}');
SELECT group_concat(title || ':' || has_more, ' ') FROM conversation_list('lister', '{"agent": "support"}');
SELECT group_concat(title || ':' || has_more, ' ')
  FROM conversation_list('lister', '{"model": "gpt-4o", "agent": "sales", "limit": 2}');
SELECT group_concat(title || ':' || has_more, ' ')
  FROM conversation_list('lister', '{"model": "claude", "updated_since": "2026-02-05T00:00:00.000Z"}');
SELECT count(*) FROM conversation_list('lister', '{"model": "none"}');
-- pinned and archived classes merge into one page; has_more counts them all
SELECT update_conversation(conversation_by_uid('l-1'), '{"pinned": true}');
SELECT update_conversation(conversation_by_uid('l-2'), '{"archived": true}');
SELECT group_concat(title || ':' || has_more, ' ') FROM conversation_list('lister', '{"limit": 6, "archived": "all"}');
SELECT group_concat(title || ':' || has_more, ' ') FROM conversation_list('lister', '{"limit": 7, "archived": "all"}');
SELECT * FROM conversation_list('lister', '{"updated_since": "yesterday"}'); -- error
SELECT * FROM conversation_list('lister', '{"model": 4}'); -- error
SELECT * FROM conversation_list('lister', '{"agent": ["a"]}'); -- error

-- ------------------------------------------------------ delete_messages
SELECT create_conversation('acme', 'Deleting', '{"uid": "c-del"}');
SELECT conversation_by_uid('c-del');
SELECT count(add_message(conversation_by_uid('c-del'), 'user', 'zebra question ' || value, '{"tokens": 2}'))
  FROM generate_series(1, 3);
-- messages 1-3 indexed, 4-6 (the run's) not yet: they wait for the next index batch
SELECT chatflow_index();
SELECT start_run(conversation_by_uid('c-del'), 'topical_map');
SELECT count(add_message(conversation_by_uid('c-del'), 'assistant', 'zebra answer ' || value,
                         json_object('tokens', 3, 'run_id', (SELECT max(id) FROM workflow_runs))))
  FROM generate_series(1, 3);
SELECT message_count, total_tokens, last_message_at, last_seq FROM chat_conversations WHERE uid = 'c-del';
SELECT count(*) FROM search_messages('zebra') WHERE conversation_id = conversation_by_uid('c-del');
-- a run's messages (the seed's flushAll): the three not yet indexed
SELECT delete_messages(conversation_by_uid('c-del'), json_object('run_id', (SELECT max(id) FROM workflow_runs)));
SELECT message_count, total_tokens, last_seq FROM chat_conversations WHERE uid = 'c-del';
SELECT count(*) FROM search_messages('answer') WHERE conversation_id = conversation_by_uid('c-del');
SELECT count(*) FROM search_messages('zebra') WHERE conversation_id = conversation_by_uid('c-del');
-- after a seq: the indexed ones
SELECT chatflow_clock('2026-01-06T00:00:00.000Z');
SELECT add_message(conversation_by_uid('c-del'), 'user', 'late zebra', '{"tokens": 5}');
SELECT delete_messages(conversation_by_uid('c-del'), '{"after_seq": 1}');
SELECT message_count, total_tokens, last_message_at, last_seq FROM chat_conversations WHERE uid = 'c-del';
SELECT group_concat(seq || ':' || content) FROM chat_messages WHERE conversation_id = conversation_by_uid('c-del');
SELECT count(*) FROM search_messages('zebra') WHERE conversation_id = conversation_by_uid('c-del');
SELECT chatflow_index();
SELECT count(*) FROM search_messages('late') WHERE conversation_id = conversation_by_uid('c-del');
SELECT last_message_preview FROM conversation_list('acme') WHERE uid = 'c-del';
-- seq is never reused: the next message follows the highest seq ever given
SELECT add_message(conversation_by_uid('c-del'), 'user', 'next');
SELECT max(seq) FROM chat_messages WHERE conversation_id = conversation_by_uid('c-del');
SELECT delete_messages(conversation_by_uid('c-del'), '{"after_seq": 100}');
SELECT delete_messages(conversation_by_uid('c-del'), '{"after_seq": 0}');
SELECT message_count, total_tokens, quote(last_message_at) FROM chat_conversations WHERE uid = 'c-del';
INSERT INTO chat_messages_fts (chat_messages_fts) VALUES ('integrity-check');
-- bad input: nothing is written
SELECT add_message(conversation_by_uid('c-del'), 'user', 'kept');
SELECT delete_messages(conversation_by_uid('c-del')); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{}'); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{"after_seq": 1, "run_id": 1}'); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{"after_seq": -1}'); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{"after_seq": "1"}'); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{"run_id": 0}'); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{"run_id": 999}'); -- error
SELECT delete_messages(conversation_by_uid('c-del'), '{"before_seq": 1}'); -- error
SELECT delete_messages(99, '{"after_seq": 0}'); -- error
SELECT delete_messages(NULL, '{"after_seq": 0}'); -- error
SELECT start_run(1, 'topical_map');
SELECT delete_messages(conversation_by_uid('c-del'), json_object('run_id', (SELECT max(id) FROM workflow_runs))); -- error
SELECT delete_conversation(conversation_by_uid('c-del'));
SELECT delete_messages((SELECT id FROM chat_conversations WHERE uid = 'c-del'), '{"after_seq": 0}'); -- error
SELECT count(*) FROM chat_messages WHERE conversation_id = (SELECT id FROM chat_conversations WHERE uid = 'c-del');

-- ------------------------------------ approve_proposal / reject_proposal
SELECT create_conversation('acme', 'Proposals', '{"uid": "c-prop"}');
SELECT start_run(conversation_by_uid('c-prop'), 'topical_map');
SELECT chatflow_clock('2026-01-07T00:00:00.000Z');
SELECT add_proposal(3, 'pillar', 'Bread');
SELECT add_proposal(3, 'pillar', 'Cakes');
SELECT add_proposal(3, 'pillar', 'Pastry');
SELECT approve_proposal(1);
SELECT approve_proposal(2, 'Cakes and tarts');
SELECT reject_proposal(3, 'out of scope');
SELECT proposed_name, user_approved, quote(approved_name), quote(approved_at), quote(rejected_at), quote(rejection_reason)
  FROM workflow_proposals WHERE run_id = 3 ORDER BY id;
-- the last decision stands
SELECT chatflow_clock('2026-01-08T00:00:00.000Z');
SELECT reject_proposal(1);
SELECT approve_proposal(3);
SELECT proposed_name, user_approved, quote(approved_name), quote(approved_at), quote(rejected_at), quote(rejection_reason)
  FROM workflow_proposals WHERE run_id = 3 ORDER BY id;
-- both ways survive export and import
SELECT reject_proposal(2, 'too broad');
SELECT json_extract(export_conversation(conversation_by_uid('c-prop')), '$.runs[0].proposals[1].rejection_reason');
SELECT import_conversation('imported', export_conversation(conversation_by_uid('c-prop')));
SELECT proposed_name, user_approved, quote(approved_name), quote(rejected_at), quote(rejection_reason)
  FROM workflow_proposals WHERE run_id = (SELECT max(id) FROM workflow_runs) ORDER BY id;
-- the schema: approved and rejected at once is refused
UPDATE workflow_proposals SET user_approved = 1 WHERE id = 1; -- error
-- bad input: nothing is written
SELECT approve_proposal(999); -- error
SELECT approve_proposal(NULL); -- error
SELECT approve_proposal(1, ''); -- error
SELECT approve_proposal(1, printf('%.501c', 'x')); -- error
SELECT reject_proposal(1, printf('%.2001c', 'x')); -- error
SELECT reject_proposal(1, 5); -- error
SELECT reject_proposal('1'); -- error
-- a run that ended takes no decisions
SELECT cancel_run(3);
SELECT approve_proposal(1); -- error
SELECT reject_proposal(3, 'late'); -- error
SELECT proposed_name, user_approved, quote(approved_name), quote(approved_at), quote(rejected_at), quote(rejection_reason)
  FROM workflow_proposals WHERE run_id = 3 ORDER BY id;

-- -------------------------------- the preview of a message of parts only
SELECT create_conversation('acme', 'Parts', '{"uid": "c-parts"}');
SELECT add_message(conversation_by_uid('c-parts'), 'assistant', '', '{"parts": [{"type": "step-start"},
  {"type": "text", "text": "First part."}, {"type": "tool-f", "toolCallId": "c1", "state": "output-available",
  "input": {}, "output": 1}, {"type": "text", "text": "Second part."}]}');
SELECT last_message_preview FROM conversation_list('acme') WHERE uid = 'c-parts';
SELECT json_extract(export_conversation(conversation_by_uid('c-parts')), '$.conversation.last_message_preview');
-- no text part: no preview
SELECT add_message(conversation_by_uid('c-parts'), 'assistant', '', '{"parts": [{"type": "step-start"}]}');
SELECT quote(last_message_preview) FROM conversation_list('acme') WHERE uid = 'c-parts';
-- content wins over parts
SELECT add_message(conversation_by_uid('c-parts'), 'assistant', 'The content.', '{"parts": [{"type": "text", "text": "x"}]}');
SELECT last_message_preview FROM conversation_list('acme') WHERE uid = 'c-parts';

-- --------------------------------- a waiting run's checkpoint in export
SELECT chatflow_base64(x''), chatflow_base64(x'00'), chatflow_base64(x'0001'), chatflow_base64(x'000102'),
       chatflow_base64('Man'), quote(chatflow_base64(NULL)), chatflow_base64(x'fbff');
SELECT create_conversation('acme', 'Checkpoint', '{"uid": "c-ckpt"}');
SELECT start_run(conversation_by_uid('c-ckpt'), 'topical_map');
SELECT advance_run((SELECT max(id) FROM workflow_runs), '{}');
INSERT INTO workflow_interrupt (workflow_id, data) VALUES (run_workflow_id((SELECT max(id) FROM workflow_runs)), x'00ff10fe7f');
CREATE TEMP TABLE doc AS SELECT export_conversation(conversation_by_uid('c-ckpt')) AS d;
SELECT json_extract(d, '$.runs[0].status'), json_extract(d, '$.runs[0].checkpoint') FROM doc;
SELECT import_conversation('acme2', (SELECT d FROM doc));
SELECT w.workflow_id = run_workflow_id(r.id), hex(w.data), w.created_at
  FROM workflow_interrupts AS w JOIN workflow_runs AS r ON w.workflow_id = 'run_' || r.id
 WHERE r.conversation_id = (SELECT max(id) FROM chat_conversations);
-- the source's checkpoint stays where it was
SELECT hex(data) FROM workflow_interrupts WHERE workflow_id = run_workflow_id((SELECT max(id) FROM workflow_runs WHERE conversation_id = conversation_by_uid('c-ckpt')));
-- bad checkpoints: nothing is written
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].checkpoint', 'not base64!')); -- error
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].checkpoint', 'QUJD=')); -- error
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].checkpoint', 5)); -- error
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].status', 'completed', '$.runs[0].completed_at', '2026-01-09T00:00:00.000Z')); -- error
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].checkpoint_type', 'json')); -- error
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].checkpoint_type', 5)); -- error
SELECT count(*) FROM chat_conversations WHERE owner = 'acme3';
-- a checkpoint set to null by hand: the run comes without one, whatever
-- checkpoint_type says
SELECT import_conversation('acme3', json_set((SELECT d FROM doc), '$.runs[0].checkpoint', NULL));
SELECT count(*) FROM workflow_interrupts WHERE workflow_id = run_workflow_id(active_run((SELECT id FROM chat_conversations WHERE owner = 'acme3')));
SELECT purge_conversation((SELECT id FROM chat_conversations WHERE owner = 'acme3'));
-- a text checkpoint (a serialised string) comes back as text, a blob as a
-- blob; a document without checkpoint_type (written before it) gives a blob
SELECT json_extract(d, '$.runs[0].checkpoint_type') FROM doc;
UPDATE workflow_interrupt SET data = '{"step":2}'
 WHERE workflow_id = run_workflow_id((SELECT max(id) FROM workflow_runs WHERE conversation_id = conversation_by_uid('c-ckpt')));
SELECT json_extract(export_conversation(conversation_by_uid('c-ckpt')), '$.runs[0].checkpoint', '$.runs[0].checkpoint_type');
SELECT import_conversation('acme4', export_conversation(conversation_by_uid('c-ckpt')));
SELECT import_conversation('acme5', json_remove(export_conversation(conversation_by_uid('c-ckpt')), '$.runs[0].checkpoint_type'));
SELECT r.conversation_id = conversation_by_uid('c-ckpt'), typeof(w.data), quote(w.data)
  FROM workflow_interrupts AS w JOIN workflow_runs AS r ON w.workflow_id = 'run_' || r.id
 WHERE r.conversation_id IN (conversation_by_uid('c-ckpt'), (SELECT max(id) - 1 FROM chat_conversations),
                             (SELECT max(id) FROM chat_conversations))
 ORDER BY r.id;

-- ------------------------- updated_at is never set far past the clock
SELECT create_conversation('acme', 'Future', '{"uid": "c-future"}');
UPDATE chat_conversations SET updated_at = '2999-01-01T00:00:00.000Z' WHERE uid = 'c-future'; -- error
UPDATE chat_conversations SET title = 'x', updated_at = '2999-01-01T00:00:00.000Z' WHERE uid = 'c-future'; -- error
UPDATE chat_conversations SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+30 seconds') WHERE uid = 'c-future';
UPDATE chat_conversations SET updated_at = '2000-01-01T00:00:00.000Z' WHERE uid = 'c-future';
SELECT updated_at FROM chat_conversations WHERE uid = 'c-future';
-- a message's own time moves it, but never past the clock (a message dated
-- in the future moves it to the time of the call)
SELECT add_message(conversation_by_uid('c-future'), 'user', 'from the future', '{"created_at": "2999-01-01T00:00:00.000Z"}');
SELECT updated_at FROM chat_conversations WHERE uid = 'c-future';
