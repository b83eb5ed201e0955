-- 40_branches: message trees.  add_message's option parent_id (regenerate),
-- edit_message, switch_branch, message_siblings; the histories following
-- the current branch root to leaf (system messages and the token window
-- included); raw INSERTs with and without parent_id; what deletes and
-- retention do to a tree; export/import and fork keeping the whole tree;
-- the migration from a 0.1 database; every refusal writing nothing.
.bail off
.mode list
.headers off
SELECT chatflow_clock('2026-01-01T00:00:00.000Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Trees');

-- ------------------------------------------------ a conversation that never branches
SELECT add_message(1, 'system', 'Be brief.');
SELECT add_message(1, 'user', 'Name a bread.');
SELECT add_message(1, 'assistant', 'Sourdough.');
SELECT id, seq, parent_id FROM chat_messages WHERE conversation_id = 1 ORDER BY seq;
SELECT current_leaf_id, branched FROM chat_conversations WHERE id = 1;

-- ------------------------------------------------ regenerate: a sibling of the answer
SELECT chatflow_clock('2026-01-01T00:01:00.000Z');
SELECT add_message(1, 'assistant', 'Baguette.', '{"parent_id": 2}');
SELECT id, seq, parent_id FROM chat_messages WHERE id = 4;
SELECT current_leaf_id, branched, message_count, updated_at FROM chat_conversations WHERE id = 1;
SELECT seq, role, content FROM chat_history(1);
SELECT chat_history_json(1);
SELECT * FROM message_siblings(3);
SELECT * FROM message_siblings(4);
-- the first message's siblings are the conversation's first messages
SELECT id, is_current FROM message_siblings(1);
SELECT add_message(1, 'assistant', 'Rye.', '{"parent_id": 2}');
SELECT id, parent_id FROM chat_messages WHERE id = 5;
SELECT id, is_current FROM message_siblings(3);

-- ------------------------------------------------ switch_branch
SELECT chatflow_clock('2026-01-01T00:02:00.000Z');
SELECT switch_branch(3);
SELECT current_leaf_id, updated_at FROM chat_conversations WHERE id = 1;
SELECT seq, content FROM chat_history(1);
SELECT id, is_current FROM message_siblings(5);
-- the conversation goes on from the chosen branch
SELECT add_message(1, 'user', 'Why sourdough?');
SELECT add_message(1, 'assistant', 'Flavour.');
SELECT id, parent_id FROM chat_messages WHERE id IN (6, 7);
SELECT seq, content FROM chat_history(1);
-- switching to the user message: the newest message under it (7, not 5)
SELECT switch_branch(2);
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
-- to Rye's branch and back to the newest under Sourdough
SELECT switch_branch(5);
SELECT seq, content FROM chat_history(1);
SELECT switch_branch(3);
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
-- the system message alone: its subtree's newest message
SELECT switch_branch(1);
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
-- a switch to where the leaf already is writes nothing, not even updated_at
SELECT chatflow_clock('2026-01-01T00:02:30.000Z');
SELECT switch_branch(7);
SELECT current_leaf_id, updated_at FROM chat_conversations WHERE id = 1;

-- ------------------------------------------------ edit_message: a sibling with new content
SELECT chatflow_clock('2026-01-01T00:03:00.000Z');
SELECT edit_message(2, 'Name a French bread.');
SELECT id, seq, parent_id, role, type, content FROM chat_messages WHERE id = 8;
SELECT seq, content FROM chat_history(1);
SELECT id, is_current FROM message_siblings(2);
SELECT add_message(1, 'assistant', 'Baguette, again.');
SELECT seq, content FROM chat_history(1);
-- options as add_message's: uid (a retry returns the same id), metadata
SELECT edit_message(2, 'Name a German bread.', '{"uid": "e2", "metadata": {"edited": true}}');
SELECT edit_message(2, 'Name a German bread.', '{"uid": "e2", "metadata": {"edited": true}}');
SELECT id, parent_id, uid, metadata FROM chat_messages WHERE uid = 'e2';
-- editing the first message: a new first message (no parent)
SELECT edit_message(1, 'Be very brief.');
SELECT id, parent_id, role FROM chat_messages WHERE id = last_insert_rowid();
SELECT id, is_current FROM message_siblings(1);
SELECT seq, content FROM chat_history(1);
SELECT switch_branch(1);
SELECT seq, content FROM chat_history(1);

-- ------------------------------------------------ bad input: nothing written
SELECT create_conversation('acme', 'Other');
SELECT add_message(2, 'user', 'In another conversation');
CREATE TEMP VIEW other AS SELECT id FROM chat_messages WHERE conversation_id = 2;
CREATE TEMP TABLE before AS SELECT count(*) AS n, (SELECT current_leaf_id FROM chat_conversations WHERE id = 1) AS leaf,
  (SELECT updated_at FROM chat_conversations WHERE id = 1) AS at FROM chat_messages;
SELECT add_message(1, 'assistant', 'x', '{"parent_id": ' || (SELECT id FROM other) || '}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": 999}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": 0}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": -3}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": "2"}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": 2.5}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": 9007199254740993.0}'); -- error
SELECT add_message(1, 'assistant', 'x', '{"parent_id": 99999999999999999999}'); -- error
-- a uid retried under another parent is no retry
SELECT add_message(1, 'user', 'Name a German bread.', '{"uid": "e2", "parent_id": 2}'); -- error
SELECT add_message(1, 'assistant', 'Name a German bread.', '{"uid": "e2", "parent_id": 1}'); -- error
SELECT edit_message(999, 'x'); -- error
SELECT edit_message(NULL, 'x'); -- error
SELECT edit_message('two', 'x'); -- error
SELECT edit_message(2, NULL); -- error
SELECT edit_message(2, ''); -- error
SELECT edit_message(2, 'x', '{"parent_id": 1}'); -- error
SELECT edit_message(2, 'x', '{"colour": 1}'); -- error
SELECT edit_message(2, 'x' || char(0) || 'y'); -- error
SELECT switch_branch(999); -- error
SELECT switch_branch(NULL); -- error
SELECT switch_branch(1.5); -- error
SELECT * FROM message_siblings(999); -- error
SELECT * FROM message_siblings(NULL); -- error
SELECT * FROM message_siblings(); -- error
SELECT (SELECT count(*) FROM chat_messages) - n, (SELECT current_leaf_id FROM chat_conversations WHERE id = 1) IS leaf,
       (SELECT updated_at FROM chat_conversations WHERE id = 1) IS at FROM before;
-- a deleted conversation: no branch started, none switched, none edited
SELECT add_message(2, 'assistant', 'Second in another conversation');
SELECT delete_conversation(2);
SELECT add_message(2, 'user', 'x', '{"parent_id": ' || (SELECT id FROM other) || '}'); -- error
SELECT edit_message((SELECT id FROM other), 'x'); -- error
SELECT switch_branch((SELECT id FROM other)); -- error
UPDATE chat_conversations SET current_leaf_id = (SELECT id FROM other) WHERE id = 2; -- error
SELECT restore_conversation(2);

-- ------------------------------------------------ raw SQL
-- no parent given: the current leaf; 0: a new first message
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
INSERT INTO chat_messages (conversation_id, role, content) VALUES (1, 'user', 'Raw follows the leaf');
SELECT id, parent_id, seq FROM chat_messages WHERE id = last_insert_rowid();
INSERT INTO chat_messages (conversation_id, role, content, parent_id) VALUES (1, 'assistant', 'Raw regenerate', 2);
SELECT id, parent_id FROM chat_messages WHERE id = last_insert_rowid();
SELECT current_leaf_id FROM chat_conversations WHERE id = 1;
INSERT INTO chat_messages (conversation_id, role, content, parent_id) VALUES (1, 'system', 'Raw root', 0);
SELECT id, parent_id FROM chat_messages WHERE id = last_insert_rowid();
SELECT seq, content FROM chat_history(1);
-- the parent must be a message of the conversation, and stays
INSERT INTO chat_messages (conversation_id, role, content, parent_id) VALUES (1, 'user', 'x', (SELECT id FROM other)); -- error
INSERT INTO chat_messages (conversation_id, role, content, parent_id) VALUES (1, 'user', 'x', 9999); -- error
INSERT INTO chat_messages (conversation_id, role, content, parent_id) VALUES (1, 'user', 'x', -1); -- error
INSERT INTO chat_messages (conversation_id, role, content, parent_id) VALUES (1, 'user', 'x', 'two'); -- error
UPDATE chat_messages SET parent_id = 1 WHERE id = 3; -- error
UPDATE chat_messages SET parent_id = NULL WHERE id = 3; -- error
-- a first message takes no parent either: no cycle, no other conversation's
UPDATE chat_messages SET parent_id = 3 WHERE id = 1; -- error
UPDATE chat_messages SET parent_id = 1 WHERE id = 1; -- error
UPDATE chat_messages SET parent_id = (SELECT id FROM other) WHERE id = 1; -- error
UPDATE chat_messages SET parent_id = 0 WHERE id = 1; -- error
UPDATE chat_messages SET parent_id = (SELECT current_leaf_id FROM chat_conversations WHERE id = 1) WHERE id = 1; -- error
SELECT parent_id IS NULL FROM chat_messages WHERE id = 1;
-- the leaf may be set to any message of the conversation, and to nothing else
UPDATE chat_conversations SET current_leaf_id = 5 WHERE id = 1;
SELECT seq, content FROM chat_history(1);
UPDATE chat_conversations SET current_leaf_id = (SELECT id FROM other) WHERE id = 1; -- error
UPDATE chat_conversations SET current_leaf_id = NULL WHERE id = 1; -- error
UPDATE chat_conversations SET current_leaf_id = 9999 WHERE id = 1; -- error
UPDATE chat_conversations SET current_leaf_id = (SELECT id FROM other), counter_stamp = counter_stamp + 1 WHERE id = 1; -- error
UPDATE chat_conversations SET current_leaf_id = NULL, counter_stamp = counter_stamp + 1 WHERE id = 1; -- error
UPDATE chat_conversations SET branched = 0 WHERE id = 1; -- error
UPDATE chat_conversations SET branched = 0, counter_stamp = counter_stamp + 1 WHERE id = 1; -- error
INSERT INTO chat_conversations (owner, current_leaf_id) VALUES ('acme', 1); -- error
INSERT INTO chat_conversations (owner, branched) VALUES ('acme', 1); -- error
-- a raw UPDATE of the leaf to an earlier message of a chain: history ends there
SELECT create_conversation('acme', 'Chain');
SELECT add_message(3, 'user', 'one'), add_message(3, 'assistant', 'two'), add_message(3, 'user', 'three');
UPDATE chat_conversations SET current_leaf_id = (SELECT id FROM chat_messages WHERE conversation_id = 3 AND seq = 2) WHERE id = 3;
SELECT seq, content FROM chat_history(3);
SELECT branched FROM chat_conversations WHERE id = 3;
-- and a message added there starts a branch
SELECT add_message(3, 'user', 'three, again');
SELECT branched FROM chat_conversations WHERE id = 3;
SELECT seq, content FROM chat_history(3);

-- ------------------------------------------------ windows along the branch
SELECT create_conversation('acme', 'Window');
SELECT add_message(4, 'system', 'S1', '{"tokens": 1}');
SELECT add_message(4, 'user', 'U1', '{"tokens": 10}');
SELECT add_message(4, 'assistant', 'A1', '{"tokens": 10}');
SELECT add_message(4, 'system', 'S2 only on the old branch', '{"tokens": 1}');
SELECT add_message(4, 'user', 'U2 old', '{"tokens": 10}');
-- regenerate A1's answer... and a new turn on the new branch
SELECT add_message(4, 'assistant', 'A1 again', '{"tokens": 10, "parent_id": ' || (SELECT id FROM chat_messages WHERE conversation_id = 4 AND seq = 2) || '}');
SELECT add_message(4, 'user', 'U2 new', '{"tokens": 10}');
SELECT add_message(4, 'assistant', '', '{"tokens": 10, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]}');
SELECT add_message(4, 'tool', 'result', '{"tokens": 10, "tool_call_id": "c1"}');
-- a result answers a call of its own branch only
SELECT add_message(4, 'tool', 'result', '{"tool_call_id": "c1", "parent_id": ' || (SELECT id FROM chat_messages WHERE conversation_id = 4 AND seq = 5) || '}'); -- error
SELECT add_message(4, 'tool', 'result', '{"tool_call_id": "c404"}'); -- error
SELECT seq, role, content, tokens FROM chat_history(4);
-- S2 is not on the branch: its token does not count, and it is not sent
SELECT seq, content FROM chat_history(4, 31);
SELECT seq, content FROM chat_history(4, 21);
SELECT seq, content FROM chat_history(4, 20);
SELECT chat_history_json(4, 21);
-- back on the old branch, S2 is sent
SELECT switch_branch((SELECT id FROM chat_messages WHERE conversation_id = 4 AND seq = 3));
SELECT seq, content FROM chat_history(4);
SELECT seq, content FROM chat_history(4, 12);
SELECT json_array_length(chat_ui_messages(4)), chat_ui_messages(4) ->> '$[3].parts[0].text';
SELECT export_conversation(4, 'openai') = chat_history_json(4);

-- ------------------------------------------------ runs: a message on a branch joins the active run
SELECT start_run(4, 'topical_map');
SELECT edit_message((SELECT id FROM chat_messages WHERE conversation_id = 4 AND seq = 5), 'U2 edited');
SELECT run_id, workflow_step FROM chat_messages WHERE id = last_insert_rowid();
SELECT run_id, workflow_step FROM chat_messages WHERE conversation_id = 4 AND content = 'U2 edited';
SELECT cancel_run(active_run(4));

-- ------------------------------------------------ deletes keep the tree whole
SELECT create_conversation('acme', 'Deletes');
SELECT add_message(5, 'user', 'q1');
SELECT add_message(5, 'assistant', 'a1');
SELECT add_message(5, 'user', 'q2');
SELECT add_message(5, 'assistant', 'a2');
SELECT add_message(5, 'assistant', 'a2 again', '{"parent_id": ' || (SELECT id FROM chat_messages WHERE conversation_id = 5 AND seq = 3) || '}');
CREATE TEMP VIEW tree5 AS SELECT group_concat(seq || '<' || coalesce((SELECT seq FROM chat_messages AS p WHERE p.id = m.parent_id), '-'), ' ')
  FROM (SELECT * FROM chat_messages WHERE conversation_id = 5 ORDER BY seq) AS m;
SELECT * FROM tree5;
-- a middle message: its children follow its parent
DELETE FROM chat_messages WHERE conversation_id = 5 AND seq = 2;
SELECT * FROM tree5;
SELECT seq, content FROM chat_history(5);
-- the leaf: its parent becomes the leaf
DELETE FROM chat_messages WHERE conversation_id = 5 AND seq = 5;
SELECT * FROM tree5;
SELECT (SELECT seq FROM chat_messages WHERE id = current_leaf_id) FROM chat_conversations WHERE id = 5;
-- the first message: its child becomes a first message
DELETE FROM chat_messages WHERE conversation_id = 5 AND seq = 1;
SELECT * FROM tree5;
SELECT seq, content FROM chat_history(5);
-- delete_messages after a seq, across branches
SELECT add_message(5, 'assistant', 'a2 third', '{"parent_id": ' || (SELECT id FROM chat_messages WHERE conversation_id = 5 AND seq = 3) || '}');
SELECT add_message(5, 'user', 'q3');
SELECT * FROM tree5;
SELECT delete_messages(5, '{"after_seq": 4}');
SELECT * FROM tree5;
SELECT (SELECT seq FROM chat_messages WHERE id = current_leaf_id), message_count FROM chat_conversations WHERE id = 5;
-- every message gone: no leaf
DELETE FROM chat_messages WHERE conversation_id = 5;
SELECT current_leaf_id IS NULL, message_count FROM chat_conversations WHERE id = 5;
SELECT count(*) FROM chat_history(5);
SELECT add_message(5, 'user', 'again');
SELECT parent_id IS NULL, (SELECT current_leaf_id FROM chat_conversations WHERE id = 5) = id FROM chat_messages WHERE conversation_id = 5;
-- retention deletes the oldest messages of every branch
SELECT create_conversation('acme', 'Retention');
SELECT chatflow_clock('2025-01-01T00:00:00.000Z');
SELECT add_message(6, 'user', 'old q');
SELECT add_message(6, 'assistant', 'old a');
SELECT add_message(6, 'assistant', 'old a again', '{"parent_id": ' || (SELECT id FROM chat_messages WHERE conversation_id = 6 AND seq = 1) || '}');
SELECT chatflow_clock('2026-01-01T00:10:00.000Z');
SELECT add_message(6, 'user', 'new q');
SELECT switch_branch((SELECT id FROM chat_messages WHERE conversation_id = 6 AND seq = 2));
SELECT add_message(6, 'user', 'new q on the first answer');
SELECT delete_old_messages(30);
SELECT seq, parent_id IS NULL, content FROM chat_messages WHERE conversation_id = 6 ORDER BY seq;
SELECT seq, content FROM chat_history(6);
SELECT id, is_current FROM message_siblings((SELECT id FROM chat_messages WHERE conversation_id = 6 AND seq = 4));

-- ------------------------------------------------ export, import, fork: the whole tree
SELECT chatflow_clock('2026-01-01T00:20:00.000Z');
SELECT switch_branch(5);
SELECT json_extract(export_conversation(1), '$.conversation.current_leaf_id', '$.conversation.branched');
-- the chat list previews the current leaf, not the newest message
SELECT last_message_preview, json_extract(export_conversation(1), '$.conversation.last_message_preview')
  FROM conversation_list('acme') WHERE id = 1;
CREATE TEMP TABLE made (what TEXT PRIMARY KEY, id INTEGER);
SELECT import_conversation('bob', export_conversation(1));
INSERT INTO made SELECT 'copy', max(id) FROM chat_conversations;
CREATE TEMP VIEW copy AS SELECT id FROM made WHERE what = 'copy';
SELECT count(*) FROM chat_messages WHERE conversation_id = (SELECT id FROM copy);
-- the same tree (parents by seq), the same leaf, the same history
SELECT count(*) FROM (
  SELECT m.seq, p.seq FROM chat_messages AS m LEFT JOIN chat_messages AS p ON p.id = m.parent_id WHERE m.conversation_id = 1
  EXCEPT SELECT m.seq, p.seq FROM chat_messages AS m LEFT JOIN chat_messages AS p ON p.id = m.parent_id WHERE m.conversation_id = (SELECT id FROM copy));
SELECT (SELECT seq FROM chat_messages WHERE id = current_leaf_id), branched FROM chat_conversations WHERE id IN (1, (SELECT id FROM copy));
SELECT chat_history_json((SELECT id FROM copy)) = chat_history_json(1);
-- export, import, export: equal apart from ids and *_id fields
SELECT json_remove(export_conversation((SELECT id FROM copy)) -> '$.conversation', '$.id', '$.uid', '$.owner', '$.current_leaf_id')
     = json_remove(export_conversation(1) -> '$.conversation', '$.id', '$.uid', '$.owner', '$.current_leaf_id');
SELECT (SELECT json_group_array(json_remove(value, '$.id', '$.conversation_id', '$.parent_id')) FROM json_each(export_conversation((SELECT id FROM copy)), '$.messages'))
     = (SELECT json_group_array(json_remove(value, '$.id', '$.conversation_id', '$.parent_id')) FROM json_each(export_conversation(1), '$.messages'));
-- a document of 0.1 (no parent_id, no current_leaf_id): one chain
SELECT import_conversation('bob', json_remove(json_remove(export_conversation(3), '$.conversation.current_leaf_id'),
  '$.messages[0].parent_id', '$.messages[1].parent_id', '$.messages[2].parent_id', '$.messages[3].parent_id'));
INSERT INTO made SELECT 'old', max(id) FROM chat_conversations;
SELECT group_concat(coalesce((SELECT seq FROM chat_messages AS p WHERE p.id = m.parent_id), '-'), ' '),
       (SELECT branched FROM chat_conversations WHERE id = (SELECT id FROM made WHERE what = 'old'))
  FROM (SELECT * FROM chat_messages WHERE conversation_id = (SELECT id FROM made WHERE what = 'old') ORDER BY seq) AS m;
-- bad trees in a document: nothing written
SELECT count(*) FROM chat_conversations;
SELECT import_conversation('bob', json_set(export_conversation(1), '$.messages[1].parent_id', 999)); -- error
SELECT import_conversation('bob', json_set(export_conversation(1), '$.messages[1].parent_id', json_extract(export_conversation(1), '$.messages[3].id'))); -- error
SELECT import_conversation('bob', json_set(export_conversation(1), '$.messages[1].parent_id', 'x')); -- error
SELECT import_conversation('bob', json_set(export_conversation(1), '$.conversation.current_leaf_id', 999)); -- error
SELECT import_conversation('bob', json_set(export_conversation(1), '$.messages[2].id', json_extract(export_conversation(1), '$.messages[0].id'))); -- error
SELECT count(*) FROM chat_conversations;
-- fork: every branch up to at_seq; the leaf on the source's current branch
SELECT fork_conversation(1);
INSERT INTO made SELECT 'fork', max(id) FROM chat_conversations;
SELECT (SELECT seq FROM chat_messages WHERE id = current_leaf_id), branched, message_count FROM chat_conversations
 WHERE id = (SELECT id FROM made WHERE what = 'fork');
SELECT chat_history_json((SELECT id FROM made WHERE what = 'fork')) = chat_history_json(1);
SELECT fork_conversation(1, 4);
INSERT INTO made SELECT 'fork at 4', max(id) FROM chat_conversations;
SELECT group_concat(seq || '<' || coalesce((SELECT seq FROM chat_messages AS p WHERE p.id = m.parent_id), '-'), ' '),
       (SELECT (SELECT seq FROM chat_messages WHERE id = current_leaf_id) FROM chat_conversations
         WHERE id = (SELECT id FROM made WHERE what = 'fork at 4'))
  FROM (SELECT * FROM chat_messages WHERE conversation_id = (SELECT id FROM made WHERE what = 'fork at 4') ORDER BY seq) AS m;
SELECT seq, content FROM chat_history((SELECT id FROM made WHERE what = 'fork at 4'));

-- ------------------------------------------------ windows that stop early
-- A window stops reading the branch where the budget ends; a tool result
-- whose call lies further up still takes the call's whole unit into account
SELECT create_conversation('acme', 'Long way up');
SELECT add_message(last_insert_rowid(), 'user', 'U1', '{"tokens": 10}');
CREATE TEMP TABLE lw AS SELECT max(id) AS conv FROM chat_conversations;
SELECT add_message((SELECT conv FROM lw), 'assistant', 'A old', '{"tokens": 10}');
SELECT add_message((SELECT conv FROM lw), 'assistant', '', '{"tokens": 10, "tool_calls": [{"id": "c9", "type": "function", "function": {"name": "f", "arguments": "{}"}}], "parent_id": '
                   || (SELECT id FROM chat_messages WHERE conversation_id = (SELECT conv FROM lw) AND seq = 1) || '}');
SELECT add_message((SELECT conv FROM lw), 'user', 'U2', '{"tokens": 10}');
SELECT add_message((SELECT conv FROM lw), 'user', 'U3', '{"tokens": 10}');
SELECT add_message((SELECT conv FROM lw), 'tool', 'late result', '{"tokens": 10, "tool_call_id": "c9"}');
SELECT branched FROM chat_conversations WHERE id = (SELECT conv FROM lw);
SELECT count(*) FROM chat_history((SELECT conv FROM lw), 25);
SELECT seq, content FROM chat_history((SELECT conv FROM lw), 45);
SELECT seq, content FROM chat_history((SELECT conv FROM lw), 55);
SELECT chat_history_json((SELECT conv FROM lw), 45);

-- ------------------------------------------------ every invariant holds
SELECT "check", detail FROM chatflow_check() WHERE NOT ok;
-- and a broken tree is found (triggers dropped in a transaction rolled back)
BEGIN;
DROP TRIGGER chat_messages_parent_update;
DROP TRIGGER chat_conversations_counters_guard;
UPDATE chat_messages SET parent_id = (SELECT id FROM other) WHERE id = 3;
UPDATE chat_conversations SET current_leaf_id = NULL WHERE id = 3;
UPDATE chat_conversations SET branched = 0 WHERE id = 1;
SELECT "check", detail FROM chatflow_check() WHERE NOT ok;
-- a cycle: the history says so, and does not loop
UPDATE chat_conversations SET branched = 1 WHERE id = 1;
UPDATE chat_messages SET parent_id = (SELECT current_leaf_id FROM chat_conversations WHERE id = 1) WHERE id = 2;
SELECT count(*) FROM chat_history(1); -- error
ROLLBACK;
SELECT count(*) FROM chatflow_check() WHERE NOT ok;

-- ------------------------------------------------ a 0.1 database, migrated
.restore tests/fixtures/chatflow-0.1.db
SELECT chatflow_clock('2026-02-01T00:00:00.000Z');
SELECT chatflow_init();
-- each message follows the one before; the leaf is the last; nothing branched
SELECT conversation_id, group_concat(seq || '<' || coalesce((SELECT seq FROM chat_messages AS p WHERE p.id = m.parent_id), '-'), ' ')
  FROM (SELECT * FROM chat_messages ORDER BY conversation_id, seq) AS m GROUP BY conversation_id;
SELECT id, (SELECT seq FROM chat_messages WHERE id = current_leaf_id), last_seq, branched FROM chat_conversations ORDER BY id;
SELECT count(*) FROM chatflow_check() WHERE NOT ok;
-- the histories read as in 0.1
SELECT seq, content FROM chat_history(1);
-- and the trees work on the migrated rows
SELECT edit_message((SELECT id FROM chat_messages WHERE conversation_id = 1 AND seq = 1), 'Edited after the migration');
SELECT seq, content FROM chat_history(1);
SELECT id, is_current FROM message_siblings((SELECT id FROM chat_messages WHERE conversation_id = 1 AND seq = 1));
SELECT switch_branch((SELECT id FROM chat_messages WHERE conversation_id = 1 AND seq = 1));
SELECT seq, content FROM chat_history(1);
SELECT count(*) FROM chatflow_check() WHERE NOT ok;
-- a tool result's new version answers the call the old one answered: its
-- tool_call_id is kept unless the options name one (the replay keeps it)
SELECT create_conversation('tools', 'edit a result') > 0;
SELECT add_message(last_insert_rowid(), 'user', 'weather?') > 0;
SELECT add_message((SELECT id FROM chat_conversations WHERE owner = 'tools'), 'assistant', '',
  '{"tool_calls": [{"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}}]}') > 0;
SELECT add_message((SELECT id FROM chat_conversations WHERE owner = 'tools'), 'tool', '18C', '{"tool_call_id": "c1"}') > 0;
SELECT edit_message((SELECT max(id) FROM chat_messages), '19C', '{"metadata": {"source": "recheck"}}') > 0;
SELECT content, metadata FROM chat_messages WHERE role = 'tool' AND conversation_id = (SELECT id FROM chat_conversations WHERE owner = 'tools') ORDER BY id;
SELECT chat_history_json((SELECT id FROM chat_conversations WHERE owner = 'tools')) ->> '$[2]';
SELECT edit_message((SELECT max(id) FROM chat_messages), '20C', '{"tool_call_id": "c9"}'); -- error
SELECT count(*) FROM chatflow_check() WHERE NOT ok;
-- a uid retried under a parent is no retry of a stored first message: an
-- edit of a first message is one (no parent), so the same uid asked as an
-- edit of the second message is refused, naming that
SELECT create_conversation('acme', 'Roots') > 0;
SELECT add_message((SELECT max(id) FROM chat_conversations), 'user', 'Root Q1') > 0;
SELECT add_message((SELECT max(id) FROM chat_conversations), 'user', 'Root Q2') > 0;
SELECT edit_message((SELECT id FROM chat_messages WHERE content = 'Root Q1'), 'Root Q1 edited', '{"uid": "u-root"}') > 0;
SELECT edit_message((SELECT id FROM chat_messages WHERE content = 'Root Q2'), 'Root Q1 edited', '{"uid": "u-root"}'); -- error
SELECT parent_id IS NULL FROM chat_messages WHERE uid = 'u-root';
