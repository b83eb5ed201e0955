-- 20_export_import_fork: export_conversation (chatflow and openai formats),
-- import_conversation (round trip identical apart from ids and uid, remapped
-- runs, events and proposals, counters rebuilt by the schema, one active
-- run still enforced), fork_conversation (at a seq, everything, gaps), and
-- bad input everywhere with an unchanged-database fingerprint.
.headers on
.mode list
SELECT name, narg, enc,
       trim(iif(flags & 0x800, 'DETERMINISTIC ', '') || iif(flags & 0x80000, 'DIRECTONLY ', '')
            || iif(flags & 0x200000, 'INNOCUOUS ', '')) AS flags
  FROM pragma_function_list
 WHERE name IN ('export_conversation', 'import_conversation', 'fork_conversation')
 ORDER BY 1, 2;
.headers off
SELECT chatflow_init();

-- ---------------------------------------------------------------- a source
-- Every kind of row, each stamped with its own time.
SELECT chatflow_clock('2026-01-01T10:00:00.000Z');
SELECT create_conversation('acme', 'Bakery plan', '{"uid": "src", "key": "k1", "model": "gpt-4o",
  "agent": "planner", "visibility": "public", "context": {"site": "bakery.example", "n": [1, 2.5, true, null]},
  "metadata": {"tags": ["a"]}}');
SELECT add_message(1, 'system', 'Be brief.', '{"uid": "m1"}');
SELECT chatflow_clock('2026-01-01T10:01:00.000Z');
SELECT add_message(1, 'user', 'Plan a topical map', '{"attachments": [{"name": "brief.pdf", "size": 3}],
  "metadata": {"client": "web"}, "uid": "m2"}');
SELECT start_run(1, 'topical_map', '{"seed": "bakery"}');
SELECT chatflow_clock('2026-01-01T10:02:00.000Z');
SELECT advance_run(1, '{"context": "done"}');
SELECT add_message(1, 'assistant', 'Who is the audience?', '{"type": "clarification_request",
  "metadata": {"model": "gpt-4o", "tokens": {"input": 10, "output": 5, "total": 15}}, "tokens": 5, "uid": "m3"}');
SELECT chatflow_clock('2026-01-01T10:03:00.000Z');
SELECT resume_run(1, '{"clarifications": [{"question_id": "q1", "question": "Audience?", "answer": "locals"}]}');
SELECT set_business_context(1, '{"offerings": ["bread"], "geo": "Lyon"}');
SELECT advance_run(1);
SELECT add_proposal(1, 'pillar', 'Sourdough', 'core product');
SELECT add_proposal(1, 'pillar', 'Cakes');
SELECT chatflow_clock('2026-01-01T10:04:00.000Z');
SELECT validate_proposal(1, '{"competition_level": "low", "top_competitors": ["x.fr"]}');
SELECT resume_run(1, '{"approvals": [{"proposal_id": 1, "approved_name": "Sourdough bread"}]}');
SELECT chatflow_clock('2026-01-01T10:05:00.000Z');
SELECT complete_run(1);
SELECT start_run(1, 'topical_map');
SELECT chatflow_clock('2026-01-01T10:06:00.000Z');
SELECT fail_run(2, 'model timeout');
SELECT chatflow_clock('2026-01-01T10:07:00.000Z');
SELECT start_run(1, 'topical_map');
SELECT advance_run(3);
SELECT resume_run(3, '{"clarifications": [{"question_id": "q2", "question": "Budget?", "answer": "small"}]}');
SELECT advance_run(3);
SELECT add_proposal(3, 'pillar', 'Pastry');
SELECT chatflow_clock('2026-01-01T10:08:00.000Z');
SELECT add_message(1, 'assistant', '', '{"parts": [{"type": "reasoning", "text": "thinking"},
  {"type": "data-pillars", "data": {"names": ["Pastry"]}}], "uid": "m4"}');
-- a message outside the active run (run_id NULL is kept by the import,
-- although the schema would attach a raw INSERT to the active run)
INSERT INTO chat_messages (conversation_id, role, content, run_id, workflow_step, created_at, uid)
VALUES (1, 'tool', 'lookup: ok', 3, 'pillar_proposal', '2026-01-01T10:09:00.000Z', 'm5');
UPDATE chat_messages SET run_id = NULL, workflow_step = NULL WHERE conversation_id = 1 AND seq = 5;
SELECT chatflow_clock('2026-01-01T10:10:00.000Z');
SELECT add_message(1, 'user', 'Approve Pastry?', '{"uid": "m6"}');
SELECT add_message(1, 'user', 'this one is deleted by retention');
-- retention removed the newest message: last_seq stays 7, seq is never reused
DELETE FROM chat_messages WHERE conversation_id = 1 AND seq = 7;
UPDATE chat_conversations SET pinned_at = '2026-01-01T11:00:00.000Z',
       updated_at = '2026-01-01T11:00:00.000Z' WHERE id = 1;
SELECT 'source', id, message_count, last_seq, total_tokens, last_message_at,
       chatflow_preview((SELECT content FROM chat_messages WHERE conversation_id = chat_conversations.id ORDER BY seq DESC LIMIT 1))
  FROM chat_conversations;

-- ---------------------------------------------------------------- export
-- the whole document: every column, JSON embedded, ordered by seq / id
SELECT export_conversation(1);
SELECT 'same with format chatflow', export_conversation(1, 'chatflow') = export_conversation(1),
       export_conversation(1, NULL) = export_conversation(1);
-- openai: every message by seq, like chat_history_json without a budget
SELECT export_conversation(1, 'openai');
SELECT 'openai = history', export_conversation(1, 'openai') = chat_history_json(1);

-- ---------------------------------------------------------------- import
SELECT chatflow_clock('2026-02-01T00:00:00.000Z');
SELECT import_conversation('beta', export_conversation(1)) AS imported;
SELECT import_conversation('gamma', export_conversation(2), '{"uid": "third"}') AS reimported;
-- the document without ids and uid ("id", "uid", "owner", every *_id)
CREATE TEMP VIEW doc_norm AS
SELECT c.id AS cid,
       (SELECT group_concat(fullkey || '=' || quote(atom), char(10)) FROM json_tree(export_conversation(c.id))
         WHERE type NOT IN ('object', 'array') AND key NOT IN ('id', 'uid', 'owner')
           AND key NOT LIKE '%\_id' ESCAPE '\') AS doc,
       -- messages[i].run_id as the index of that run in runs
       (SELECT group_concat(coalesce((SELECT r.key FROM json_each(export_conversation(c.id), '$.runs') AS r
                                       WHERE json_extract(r.value, '$.id') = json_extract(m.value, '$.run_id')),
                                     '-'), ' ')
          FROM json_each(export_conversation(c.id), '$.messages') AS m) AS runs_of_messages
  FROM chat_conversations AS c;
SELECT 'round trip', b.cid, a.doc = b.doc AS same_doc, a.runs_of_messages, b.runs_of_messages
  FROM doc_norm AS a, doc_norm AS b WHERE a.cid = 1 AND b.cid IN (2, 3);
SELECT 'documents differ only in ids',
       length(export_conversation(1)) - length(replace(export_conversation(1), '"id"', '')) =
       length(export_conversation(2)) - length(replace(export_conversation(2), '"id"', ''));
-- the imported rows: new ids and uid, same key (another owner), counters by the triggers
SELECT 'conv', id, owner, uid = 'src' AS same_uid, length(uid), key, title, pinned_at, created_at, updated_at,
       message_count, last_seq, total_tokens, last_message_at,
       chatflow_preview((SELECT content FROM chat_messages WHERE conversation_id = chat_conversations.id ORDER BY seq DESC LIMIT 1))
  FROM chat_conversations ORDER BY id;
SELECT 'counters recount', c.id,
       c.message_count = (SELECT count(*) FROM chat_messages WHERE conversation_id = c.id),
       c.total_tokens = (SELECT sum(tokens) FROM chat_messages WHERE conversation_id = c.id)
  FROM chat_conversations AS c ORDER BY c.id;
SELECT 'msg', conversation_id, id, seq, run_id, role, type, workflow_step, tokens, created_at
  FROM chat_messages WHERE conversation_id = 2 ORDER BY seq;
SELECT 'run', id, conversation_id, status, current_step, lease_expires_at, completed_at, updated_at
  FROM workflow_runs ORDER BY id;
-- the exported events replace the "(new) -> status" event of the insert
SELECT 'events', run_id, group_concat(transition || ' @' || substr(at, 12, 5), ', ')
  FROM (SELECT * FROM run_events ORDER BY run_id, event_id) GROUP BY run_id;
SELECT 'proposals', run_id, group_concat(proposed_name || ':' || user_approved || validated, ' ')
  FROM workflow_proposals GROUP BY run_id;
-- the imported active run is the conversation's active run; the rule holds
SELECT 'active', active_run(1), active_run(2), active_run(3);
-- (from here on errors are expected: the shell cannot turn bail back on)
.bail off
SELECT start_run(2, 'topical_map'); -- error

-- a deleted conversation exports too; imported, it stays deleted
SELECT delete_conversation(3);
SELECT import_conversation('delta', export_conversation(3), '{"uid": "fourth"}') AS deleted_copy;
SELECT 'deleted copy', id, deleted_at FROM chat_conversations WHERE id = 4;

-- a hand-written document: only what is required; the rest is defaulted
-- like a raw INSERT (times from the clock, seq, type, tokens by the schema)
SELECT chatflow_clock('2026-03-01T00:00:00.000Z');
SELECT import_conversation('acme', '{"format": "chatflow.conversation.v1", "conversation": {"title": "Hand"},
  "messages": [{"role": "user", "content": "hi there"},
               {"role": "assistant", "content": "", "parts": [{"type": "text", "text": "hello"}], "seq": 5},
               {"role": "user", "content": "later", "created_at": "2026-03-02T00:00:00Z"}],
  "runs": [{"workflow": "topical_map", "status": "completed",
            "proposals": [{"kind": "pillar", "proposed_name": "P", "user_approved": true}]}]}') AS hand;
SELECT 'hand', id, owner, key, title, visibility, context, metadata, created_at, updated_at,
       message_count, last_seq, total_tokens, last_message_at
  FROM chat_conversations WHERE id = 5;
SELECT 'hand msg', seq, role, type, content, parts, tokens, run_id, created_at
  FROM chat_messages WHERE conversation_id = 5 ORDER BY seq;
-- no "events" in the document: the run keeps the events its import made
SELECT 'hand run', r.status, r.current_step, r.completed_at, r.updated_at,
       (SELECT group_concat(transition, ', ') FROM run_events WHERE run_id = r.id),
       (SELECT group_concat(proposed_name || ':' || user_approved) FROM workflow_proposals WHERE run_id = r.id)
  FROM workflow_runs AS r WHERE conversation_id = 5;
SELECT 'empty', import_conversation('acme', '{"format": "chatflow.conversation.v1", "conversation": {}}', '{"uid": "empty"}');
SELECT 'empty doc', export_conversation(6);

-- ------------------------------------------------------------------ fork
SELECT chatflow_clock('2026-04-01T00:00:00.000Z');
SELECT fork_conversation(1, 3) AS fork_at_3;
SELECT fork_conversation(1) AS fork_all;
SELECT fork_conversation(1, NULL, '{"uid": "forked"}') AS fork_all_uid;
-- at a seq whose message retention deleted, the copy ends before it
SELECT fork_conversation(1, 7) AS fork_at_gap;
SELECT fork_conversation(6) AS fork_empty;
SELECT 'fork', id, owner, uid = 'forked', key, title, visibility, model, agent, context, metadata,
       pinned_at, created_at, updated_at, forked_from_id, forked_at_seq,
       message_count, last_seq, total_tokens, last_message_at,
       chatflow_preview((SELECT content FROM chat_messages WHERE conversation_id = chat_conversations.id ORDER BY seq DESC LIMIT 1))
  FROM chat_conversations WHERE id >= 7 ORDER BY id;
SELECT 'fork msg', conversation_id, seq, role, type, run_id, workflow_step, tokens, created_at,
       parts IS NOT NULL, attachments, metadata
  FROM chat_messages WHERE conversation_id IN (7, 8) ORDER BY conversation_id, seq;
SELECT 'fork copies', count(*) FROM chat_messages AS f JOIN chat_messages AS s
    ON s.conversation_id = 1 AND f.conversation_id = 8 AND s.seq = f.seq
 WHERE s.role IS f.role AND s.type IS f.type AND s.content IS f.content AND s.parts IS f.parts
   AND s.attachments IS f.attachments AND s.metadata IS f.metadata AND s.tokens IS f.tokens
   AND s.created_at IS f.created_at;
SELECT 'fork has no runs', count(*) FROM workflow_runs WHERE conversation_id >= 7;
-- the fork goes on on its own
SELECT add_message(7, 'user', 'edited question') AS next_in_fork;
SELECT 'fork next', seq FROM chat_messages WHERE id = last_insert_rowid();
SELECT 'fork export', json_extract(export_conversation(7), '$.conversation.forked_from_id'),
       json_extract(export_conversation(7), '$.conversation.forked_at_seq');
-- a fork's copy keeps forked_at_seq; forked_from_id names a row of the
-- exporting database and is not carried over
SELECT import_conversation('beta', export_conversation(7)) AS fork_copy;
SELECT 'fork round trip', a.doc = b.doc, c.forked_from_id, c.forked_at_seq
  FROM doc_norm AS a, doc_norm AS b, chat_conversations AS c WHERE a.cid = 7 AND b.cid = 12 AND c.id = 12;

-- -------------------------------------------------------------- bad input
-- the fingerprint: every row of every chatflow table, and the schema
CREATE TEMP TABLE fp_query AS SELECT
 'SELECT * FROM chat_conversations; SELECT * FROM chat_messages; SELECT * FROM workflow_runs;
  SELECT * FROM workflow_run_events; SELECT * FROM workflow_interrupts; SELECT * FROM workflow_proposals;
  SELECT * FROM workflow_definitions; SELECT * FROM chatflow_settings; SELECT * FROM chatflow_statement_clock;
  SELECT * FROM chatflow_migrations; SELECT type, name, sql FROM sqlite_schema' AS q;
CREATE TEMP TABLE fp AS SELECT hex(sha3_query(q)) AS h FROM fp_query;
CREATE TEMP TABLE good AS SELECT export_conversation(1) AS d;
-- export
SELECT export_conversation(NULL); -- error
SELECT export_conversation('1'); -- error
SELECT export_conversation(1.5); -- error
SELECT export_conversation(0); -- error
SELECT export_conversation(99); -- error
SELECT export_conversation(1, 'xml'); -- error
SELECT export_conversation(1, 42); -- error
SELECT export_conversation(1, 'OpenAI'); -- error
-- import: arguments
SELECT import_conversation(NULL, (SELECT d FROM good)); -- error
SELECT import_conversation('', (SELECT d FROM good)); -- error
SELECT import_conversation(7, (SELECT d FROM good)); -- error
SELECT import_conversation('zeta', NULL); -- error
SELECT import_conversation('zeta', 42); -- error
SELECT import_conversation('zeta', X'7B7D'); -- error
SELECT import_conversation('zeta', (SELECT d FROM good), '{"uid": "a b"}'); -- error
SELECT import_conversation('zeta', (SELECT d FROM good), '{"key": "x"}'); -- error
SELECT import_conversation('zeta', (SELECT d FROM good), '{"uid": "src"}'); -- error
SELECT import_conversation('zeta', (SELECT d FROM good), 'nope'); -- error
-- import: the document
SELECT import_conversation('zeta', ''); -- error
SELECT import_conversation('zeta', 'not json'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {'); -- error
SELECT import_conversation('zeta', '[{"role": "user", "content": "hi"}]'); -- error
SELECT import_conversation('zeta', '{}'); -- error
SELECT import_conversation('zeta', '{"format": 1}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v2", "conversation": {}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1"}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "extra": 1}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": {}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": null}'); -- error
-- import: the conversation
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"titel": "x"}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": 5}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"context": "{}"}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"visibility": "team"}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"created_at": "yesterday"}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"created_at": null}}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "' || printf('%.201c', 'x') || '"}}'); -- error
-- the key is taken for this owner (the same document imports fine under another owner above)
SELECT import_conversation('acme', (SELECT d FROM good)); -- error
-- import: messages
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [1]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"content": "hi"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a"}, {"role": 1, "content": "b"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "admin", "content": "hi"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "hi", "colour": "red"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "seq": 2}, {"role": "user", "content": "b", "seq": 2}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "seq": 0}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "seq": 1.5}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "run_id": 7}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": ""}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "parts": {}}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "type": "Bad Type"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "assistant", "content": "", "parts": [{"type": "tool-call", "name": "f"}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "assistant", "content": "", "parts": [{"type": "tool-call", "id": "c", "name": "f"}, {"type": "dynamic-tool", "toolName": "g", "toolCallId": "c", "state": "input-available"}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "tokens": -1}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a", "created_at": "2026-02-30T00:00:00.000Z"}]}'); -- error
-- a bad last message after everything else was written: nothing stays
SELECT import_conversation('zeta', json_set((SELECT d FROM good), '$.messages[#]', json('{"role": "user"}'))); -- error
-- import: runs, events, proposals
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": ["x"]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"status": "started"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "paused"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "nope", "status": "started"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "started", "current_step": "nope"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "started"}, {"workflow": "topical_map", "status": "processing"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"id": 1, "workflow": "topical_map", "status": "failed"}, {"id": 1, "workflow": "topical_map", "status": "completed"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "started", "state": []}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "started", "events": [{"from_status": null}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "completed", "proposals": [{"kind": "pillar"}]}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "runs": [{"workflow": "topical_map", "status": "completed", "proposals": [{"kind": "pillar", "proposed_name": "P", "user_approved": 2}]}]}'); -- error
SELECT import_conversation('zeta', json_set((SELECT d FROM good), '$.runs[0].proposals[0].validated', 'yes')); -- error
-- text fields are decoded JSON strings: \u0000 and lone surrogates are refused, never truncated
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "a\u0000b"}]}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {"title": "\ud800"}, "messages": []}'); -- error
SELECT import_conversation('zeta', '{"format": "chatflow.conversation.v1", "conversation": {}, "messages": [{"role": "user", "content": "x\udc00"}]}'); -- error
-- fork
SELECT fork_conversation(NULL); -- error
SELECT fork_conversation('1'); -- error
SELECT fork_conversation(99); -- error
SELECT fork_conversation(3); -- error
SELECT fork_conversation(1, 0); -- error
SELECT fork_conversation(1, 8); -- error
SELECT fork_conversation(6, 1); -- error
SELECT fork_conversation(1, '2'); -- error
SELECT fork_conversation(1, 2.5); -- error
SELECT fork_conversation(1, 2, '{"uid": "src"}'); -- error
SELECT fork_conversation(1, 2, '{"uid": ""}'); -- error
SELECT fork_conversation(1, 2, '{"title": "x"}'); -- error
-- the database is unchanged
SELECT 'rows', (SELECT count(*) FROM chat_conversations), (SELECT count(*) FROM chat_messages),
       (SELECT count(*) FROM workflow_runs), (SELECT count(*) FROM workflow_run_events),
       (SELECT count(*) FROM workflow_proposals);
SELECT 'unchanged', (SELECT h FROM fp) = hex(sha3_query(q)) FROM fp_query;
-- a copied row whose JSON fails its CHECK (JSON5 that SQLite 3.42-3.44's
-- json_valid() let in; written here past the CHECK): the fork is refused
-- with the CHECK's message, after a second attempt (the first failure may
-- be json_valid() out of memory), and nothing of it stays
PRAGMA ignore_check_constraints = ON;
UPDATE chat_messages SET metadata = '{a: 1}' WHERE id = (SELECT min(id) FROM chat_messages WHERE conversation_id = 1);
PRAGMA ignore_check_constraints = OFF;
SELECT 'before', (SELECT count(*) FROM chat_conversations), (SELECT count(*) FROM chat_messages);
SELECT fork_conversation(1); -- error
SELECT 'after', (SELECT count(*) FROM chat_conversations), (SELECT count(*) FROM chat_messages);
