-- 01_functions: the registered functions and modules with their flags,
-- chatflow_version(), chatflow_init() (idempotent), the uninitialised guard.
-- Flags: pure = DETERMINISTIC INNOCUOUS; readers = INNOCUOUS; writers =
-- DIRECTONLY (every one UTF8).  chatflow_snippet and chatflow_fts_stats are
-- FTS5 auxiliary functions: FTS5 lists them with narg -1 and no flags (outside
-- an FTS5 query they only error).
.headers on
.mode list
SELECT name, narg, enc,
       trim(iif(flags & 0x800, 'DETERMINISTIC ', '') || iif(flags & 0x80000, 'DIRECTONLY ', '')
            || iif(flags & 0x200000, 'INNOCUOUS ', '') || iif(flags & 0x100000, 'SUBTYPE', '')) AS flags
  FROM pragma_function_list
 WHERE name IN ('chatflow_version', 'chatflow_debug', 'chatflow_init', 'chatflow_config',
                'chatflow_clock', 'chatflow_snippet', 'chatflow_fts_stats', 'chatflow_base64', 'create_conversation', 'find_or_create_conversation',
                'delete_conversation', 'restore_conversation', 'purge_conversation',
                'update_conversation', 'conversation_by_uid', 'delete_messages',
                'add_message', 'chat_history_json', 'start_run', 'set_run_status',
                'cancel_run', 'fail_run', 'complete_run', 'active_run', 'run_status',
                'run_workflow_id', 'merge_run_state', 'advance_run', 'resume_run',
                'add_clarification', 'set_business_context', 'add_proposal',
                'validate_proposal', 'approve_proposal', 'reject_proposal', 'heartbeat_run', 'expire_stale_runs',
                'complete_chat', 'generate_title', 'chatflow_stats',
                'archive_old_conversations', 'delete_old_messages', 'purge_deleted',
                'export_conversation', 'import_conversation', 'fork_conversation', 'chatflow_index',
                'add_ui_message', 'chat_ui_messages', 'run_usage', 'edit_message', 'switch_branch',
                'begin_message', 'append_message', 'finish_message', 'abort_message',
                'langgraph_put', 'langgraph_put_blob', 'langgraph_put_write', 'langgraph_delete_thread',
                'langgraph_prune_checkpoints')
 ORDER BY 1, 2;
-- every function whose name looks like chatflow's is in the list above
SELECT count(*) AS unlisted FROM pragma_function_list
 WHERE (name GLOB 'chatflow*' OR name GLOB '*conversation*' OR name GLOB '*_run*'
        OR name GLOB '*message*' OR name GLOB 'chat_*' OR name GLOB '*interrupt*' OR name GLOB '*_chat' OR name GLOB '*title*' OR name GLOB '*old*'
        OR name GLOB '*purge*' OR name GLOB '*stats*' OR name GLOB 'langgraph*' OR name GLOB '*branch*')
   AND name NOT IN ('chatflow_version', 'chatflow_debug', 'chatflow_init', 'chatflow_config',
                'chatflow_clock', 'chatflow_snippet', 'chatflow_fts_stats', 'chatflow_base64', 'create_conversation', 'find_or_create_conversation',
                'delete_conversation', 'restore_conversation', 'purge_conversation',
                'update_conversation', 'conversation_by_uid', 'delete_messages',
                'add_message', 'chat_history_json', 'start_run', 'set_run_status',
                'cancel_run', 'fail_run', 'complete_run', 'active_run', 'run_status',
                'run_workflow_id', 'merge_run_state', 'advance_run', 'resume_run',
                'add_clarification', 'set_business_context', 'add_proposal',
                'validate_proposal', 'approve_proposal', 'reject_proposal', 'heartbeat_run', 'expire_stale_runs',
                'complete_chat', 'generate_title', 'chatflow_stats',
                'archive_old_conversations', 'delete_old_messages', 'purge_deleted',
                'export_conversation', 'import_conversation', 'fork_conversation', 'chatflow_index',
                'add_ui_message', 'chat_ui_messages', 'run_usage', 'edit_message', 'switch_branch',
                'begin_message', 'append_message', 'finish_message', 'abort_message',
                'langgraph_put', 'langgraph_put_blob', 'langgraph_put_write', 'langgraph_delete_thread',
                'langgraph_prune_checkpoints');
SELECT name FROM pragma_module_list
 WHERE name IN ('chat_history', 'workflow_interrupt', 'chatflow_statement_cache',
                'conversation_list', 'conversation_messages', 'search_messages',
                'langgraph_get', 'langgraph_list', 'langgraph_channel_values', 'langgraph_pending_writes',
                'chatflow_check', 'message_siblings')
 ORDER BY 1;
.headers off

-- the version is semantic and equals the VERSION file
SELECT chatflow_version() = trim(CAST(readfile('VERSION') AS TEXT), ' ' || char(10));
SELECT chatflow_version() GLOB '[0-9]*.[0-9]*.[0-9]*';
SELECT chatflow_debug() LIKE 'chatflow ' || chatflow_version() || ' (commit %';
SELECT instr(chatflow_debug(), char(10) || 'sqlite ' || sqlite_version()) > 0;

-- before chatflow_init() every other function refuses
.bail off
SELECT create_conversation('acme'); -- error
SELECT add_message(1, 'user', 'hi'); -- error
SELECT start_run(1, 'topical_map'); -- error
SELECT active_run(1); -- error
SELECT run_status(1); -- error
SELECT chatflow_config('llm.model'); -- error
SELECT * FROM chat_history(1); -- error
SELECT chat_history_json(1); -- error
SELECT * FROM workflow_interrupt; -- error
SELECT langgraph_put('t', 'c', x'00', '{}'); -- error
SELECT * FROM langgraph_get('t'); -- error
SELECT * FROM chatflow_check(); -- error
INSERT INTO workflow_interrupt (workflow_id, data) VALUES ('run_1', x'00'); -- error
-- pure functions and the clock work without a schema
SELECT run_workflow_id(7);
SELECT chatflow_clock('2026-01-01T00:00:00Z');
-- nothing was created by the refusals
SELECT count(*) FROM sqlite_schema;

-- chatflow_init() creates the schema once and returns its version
SELECT chatflow_init();
CREATE TEMP TABLE objects AS SELECT count(*) AS n FROM sqlite_schema;
SELECT chatflow_init();
SELECT version, name FROM chatflow_migrations;
SELECT (SELECT count(*) FROM sqlite_schema) = (SELECT n FROM objects), (SELECT count(*) FROM workflow_definitions);
-- inside a caller's transaction it neither commits nor breaks the transaction
BEGIN;
SELECT chatflow_init();
SELECT create_conversation('acme', 'in a transaction');
ROLLBACK;
SELECT count(*) FROM chat_conversations;

-- the tables of the contract
SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY 1;
-- the indexes
SELECT name, tbl_name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY 1;
-- the triggers
SELECT name, tbl_name FROM sqlite_schema WHERE type = 'trigger' ORDER BY 2, 1;
-- the shipped workflow
SELECT name, json_array_length(steps) FROM workflow_definitions;
SELECT key, json_extract(value, '$.name'), json_extract(value, '$.awaits')
  FROM workflow_definitions, json_each(steps) WHERE name = 'topical_map';

-- writing functions are refused where DIRECTONLY says so (views, triggers)
CREATE VIEW v_create AS SELECT create_conversation('acme') AS id;
SELECT * FROM v_create; -- error
CREATE VIEW v_version AS SELECT chatflow_version() GLOB '*.*.*' AS v;
SELECT * FROM v_version;
CREATE TRIGGER t_conv AFTER INSERT ON chatflow_settings BEGIN SELECT create_conversation('x'); END;
INSERT INTO chatflow_settings (key, value) VALUES ('x', 'y'); -- error
DROP TRIGGER t_conv;
CREATE VIEW v_interrupts AS SELECT * FROM workflow_interrupt;
SELECT * FROM v_interrupts; -- error
-- readers are allowed there
SELECT count(*) FROM chat_conversations;
SELECT chatflow_clock('2026-01-01T00:00:00Z');
SELECT create_conversation('acme', NULL, '{"uid": "c1"}');
SELECT add_message(1, 'user', 'hello');
CREATE VIEW v_history AS SELECT seq, role, content FROM chat_history(1);
SELECT * FROM v_history;
CREATE VIEW v_reads AS SELECT active_run(1) AS a, run_workflow_id(2) AS w, chat_history_json(1) AS h,
                              chatflow_config('llm.base_url') AS u;
SELECT * FROM v_reads;
