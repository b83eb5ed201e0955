-- The option owner keeps a tenant's saver to its own threads: a write to
-- another owner's thread is refused (from put, put_blob and put_write),
-- langgraph_list with owner lists only that owner's, and delete_thread with
-- owner treats another owner's thread as unknown. Without the option,
-- nothing is checked (owner names only the owner of a new thread).
.bail off
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT chatflow_init();
SELECT langgraph_put('t-acme', 'c-1', x'00', '{}', '{"owner": "acme"}');
SELECT langgraph_put('t-other', 'c-1', x'00', '{}', '{"owner": "other"}');
SELECT langgraph_put('t-other', 'c-2', x'00', '{}', '{"owner": "acme"}'); -- error
SELECT langgraph_put_blob('t-other', 'm', '1', x'00', '{"owner": "acme"}'); -- error
SELECT langgraph_put_write('t-other', 'c-1', 'task', 0, 'x', x'00', '{"owner": "acme"}'); -- error
SELECT langgraph_put_write('t-other', 'c-1', 'task', 0, 'x', x'00', '{"owner": ""}'); -- error
SELECT langgraph_put_write('t-acme', 'c-1', 'task', 0, 'x', x'00', '{"owner": "acme"}');
SELECT langgraph_put_blob('t-acme', 'm', '1', x'00', '{"owner": "acme"}');
-- a new thread is created for the owner given
SELECT langgraph_put_blob('t-new', 'm', '1', x'00', '{"owner": "acme"}');
SELECT uid, owner FROM chat_conversations ORDER BY id;
-- nothing was written to t-other
SELECT count(*) FROM langgraph_checkpoints WHERE conversation_id = 2;
SELECT count(*) FROM langgraph_blobs WHERE conversation_id = 2;
SELECT count(*) FROM langgraph_writes WHERE conversation_id = 2;
-- without the option: no check (as before)
SELECT langgraph_put('t-other', 'c-2', x'00', '{}');
-- list and get
SELECT group_concat(thread_id || '/' || checkpoint_id, ' ') FROM langgraph_list(NULL, '{"owner": "acme"}');
SELECT count(*) FROM langgraph_list('t-other', '{"owner": "acme"}');
SELECT group_concat(checkpoint_id) FROM langgraph_list('t-other', '{"owner": "other"}');
SELECT group_concat(thread_id || '/' || checkpoint_id, ' ') FROM langgraph_list(NULL);
SELECT count(*) FROM langgraph_list(NULL, '{"owner": ""}'); -- error
-- delete_thread
SELECT langgraph_delete_thread('t-other', '{"owner": "acme"}');
SELECT count(*), deleted_at IS NULL FROM langgraph_checkpoints JOIN chat_conversations AS c ON c.id = conversation_id WHERE c.uid = 't-other';
SELECT langgraph_delete_thread('t-other', '{"owner": "other", "now": "2026-01-02T00:00:00Z"}');
SELECT deleted_at FROM chat_conversations WHERE uid = 't-other';
SELECT langgraph_delete_thread('t-acme', '{"owner": 5}'); -- error
SELECT langgraph_delete_thread('t-acme', '{"ownr": "acme"}'); -- error
SELECT langgraph_delete_thread('t-acme', '{"now": "yesterday"}'); -- error
SELECT count(*) FROM chat_conversations WHERE deleted_at IS NOT NULL;
