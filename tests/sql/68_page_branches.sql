-- conversation_messages (docs/history.md) pages through every message of
-- every branch, drafts included; its hidden columns status, parent_id and
-- uid, read from the same row of chat_messages, tell a regenerated answer,
-- an edited question and an aborted draft apart without a join, while
-- SELECT * stays the eleven columns of the page.  A view of the current
-- branch reads chat_history / chat_ui_messages, and message_siblings.
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT create_conversation('acme', 'Bread');
-- 1 a question, 2 its answer, 3 a regenerated answer, 4 the question edited,
-- 5 an answer to it aborted while it streamed, 6 that answer regenerated,
-- 7 a question that still streams
SELECT add_message(1, 'user', 'Name a French bread.', '{"uid": "q1"}');
SELECT add_message(1, 'assistant', 'Baguette.', '{"uid": "a1"}');
SELECT add_message(1, 'assistant', 'Pain de campagne.', '{"parent_id": 1, "uid": "a2"}');
SELECT edit_message(1, 'Name a German bread.', '{"uid": "q2"}');
SELECT begin_message(1, 'assistant', '{"uid": "d1"}');
SELECT append_message(5, 'Pumper');
SELECT abort_message(5, 'user pressed stop');
SELECT add_message(1, 'assistant', 'Pumpernickel.', '{"parent_id": 4, "uid": "a3"}');
SELECT begin_message(1, 'user', '{"uid": "d2"}');
SELECT append_message(7, 'And rye');
-- the reproducer: one linear list, nothing tells the rows apart
SELECT seq, role, content FROM conversation_messages(1);
-- the hidden columns, by name
SELECT seq, role, content, status, quote(parent_id), uid, has_more FROM conversation_messages(1);
SELECT seq, status, quote(parent_id), uid, has_more
  FROM conversation_messages(1, '{"limit": 3, "order": "desc"}');
SELECT seq, status, quote(parent_id), uid, has_more
  FROM conversation_messages(1, '{"limit": 3, "order": "desc", "before_seq": 5}');
SELECT seq, status, quote(parent_id), uid FROM conversation_messages(1, '{"after_seq": 5}');
-- SELECT * is the eleven columns it always was
.headers on
SELECT * FROM conversation_messages(1, '{"limit": 1}');
.headers off
SELECT group_concat(name || ':' || hidden, ' ') FROM pragma_table_xinfo('conversation_messages');
-- typeof: status and uid text, parent_id an integer or NULL
SELECT seq, typeof(status), typeof(parent_id), typeof(uid) FROM conversation_messages(1, '{"limit": 2}');
-- what a UI asks of them: the drafts, the first messages, an answer's siblings,
-- the messages that follow a given one
SELECT seq, status FROM conversation_messages(1) WHERE status <> 'complete';
SELECT seq, content FROM conversation_messages(1) WHERE parent_id IS NULL;
SELECT group_concat(seq, ',') FROM conversation_messages(1) WHERE parent_id = 1;
SELECT group_concat(seq, ',') FROM conversation_messages(1) WHERE parent_id = 4;
-- a WHERE filters the page (here of 2), it does not page through what it keeps
SELECT seq, has_more FROM conversation_messages(1, '{"limit": 2, "order": "desc"}') WHERE status = 'complete';
-- as hidden columns they are arguments to SQLite: a third argument is status = it
SELECT group_concat(seq, ',') FROM conversation_messages(1, NULL, 'aborted');
SELECT group_concat(seq, ',') FROM conversation_messages(1, NULL, 'complete', 4);
SELECT group_concat(seq, ',') FROM conversation_messages(1, NULL, NULL, NULL, 'a3');  -- status = NULL: none
-- the values are chat_messages' own
SELECT count(*) FROM conversation_messages(1) AS p JOIN chat_messages AS m ON m.id = p.id
 WHERE m.status = p.status AND m.parent_id IS p.parent_id AND m.uid = p.uid;
-- the current branch: the leaf is the streaming question, the histories
-- give the complete messages of the branch, message_siblings the arrows
SELECT current_leaf_id, branched FROM chat_conversations WHERE id = 1;
SELECT seq, role, content FROM chat_history(1);
SELECT json_group_array(json_extract(value, '$.id')) FROM json_each(chat_ui_messages(1));
SELECT id, content, is_current FROM message_siblings(1);
SELECT id, content, is_current FROM message_siblings(6);
-- a conversation that never branched: each message follows the one before
SELECT create_conversation('acme', 'Chain');
SELECT add_message(2, 'user', 'Hi', '{"uid": "h1"}');
SELECT add_message(2, 'assistant', 'Hello', '{"uid": "h2"}');
SELECT seq, status, quote(parent_id), uid FROM conversation_messages(2);
