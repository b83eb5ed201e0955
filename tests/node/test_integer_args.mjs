// Integer arguments from JavaScript: every chatflow function that takes an
// integer (ids, token budgets, days, batches, seconds, seq, question ids,
// snippet columns) called through better-sqlite3 with plain JS numbers,
// which it binds as REAL (1 arrives as 1.0), in a realistic database.
//
//   - the functions come from the connection itself: pragma_function_list
//     and pragma_module_list with chatflow loaded, less those of a
//     connection without it (table-valued functions: their hidden columns,
//     from pragma_table_xinfo).  INTEGER_ARGS and MODULE_ARGS below say
//     which arguments are integers (MODULE_HIDDEN: the hidden columns of
//     the rows, after the arguments); a function, an arity or a hidden
//     column they do not list fails the test, and so does one they list
//     that is gone;
//   - every signature with integer arguments has a call in CALLS: with JS
//     numbers it gives the exact expected result (and, where the argument
//     is a count or a time, the exact state it leaves), and the same as
//     with the integers bound as INTEGER (BigInt) on another copy of the
//     database; with 1.5 at each integer argument in turn it fails with
//     the exact error and writes nothing (total_changes() unchanged).
//
// complete_chat and generate_title talk to tests/provider/fake_openai.py,
// started on a loopback port for the file.
// Environment: CHATFLOW_EXT (the extension, path without .so; default
// dist/chatflow), NODE_TEST_MODULES (the folder whose node_modules hold
// better-sqlite3; default dist/node-test).  Run it with make test-node.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXT = path.resolve(process.env.CHATFLOW_EXT || path.join(ROOT, 'dist/chatflow'));
const MODULES = path.resolve(process.env.NODE_TEST_MODULES || path.join(ROOT, 'dist/node-test'));
const Database = createRequire(path.join(MODULES, 'package.json'))('better-sqlite3');

// Every chatflow SQL function, as name/narg (-1: any number, FTS5's
// auxiliary functions), with the positions (from 0) of its integer
// arguments.  The others take text (JSON included) or nothing.
const INTEGER_ARGS = {
  'abort_message/1': [0], // message_id (streaming drafts)
  'abort_message/2': [0],
  'append_message/2': [0],
  'append_message/3': [0], // ... and options_json (now)
  'begin_message/2': [0], // conversation_id
  'begin_message/3': [0],
  'finish_message/1': [0],
  'finish_message/2': [0],
  'active_run/1': [0],
  'add_clarification/4': [0, 1], // run_id, question_id (text or an integer)
  'add_clarification/5': [0, 1], // ... and options_json (now)
  'add_message/3': [0],
  'add_message/4': [0],
  'add_proposal/3': [0],
  'add_proposal/4': [0],
  'add_proposal/5': [0], // ... and options_json (now)
  'add_ui_message/2': [0],
  'add_ui_message/3': [0],
  'approve_proposal/1': [0],
  'approve_proposal/2': [0],
  'approve_proposal/3': [0], // ... and options_json (now)
  'advance_run/1': [0],
  'advance_run/2': [0],
  'advance_run/3': [0], // ... and options_json (now)
  'archive_old_conversations/1': [0], // days
  'archive_old_conversations/2': [0, 1], // days, batch
  'archive_old_conversations/3': [0, 1], // ... and options_json (now)
  'cancel_run/1': [0],
  'cancel_run/2': [0], // ... and options_json (now)
  'chat_history_json/1': [0],
  'chat_history_json/2': [0, 1], // conversation_id, max_tokens
  'chat_history_json/3': [0, 1, 2], // ..., run_id
  'chat_ui_messages/1': [0],
  'chat_ui_messages/2': [0],
  'chatflow_base64/1': [],
  'chatflow_clock/0': [],
  'chatflow_clock/1': [], // a timestamp (text)
  'chatflow_config/1': [],
  'chatflow_config/2': [], // values are text, numbers too: '600'
  'chatflow_config/3': [], // ... and options_json (now)
  'chatflow_debug/0': [],
  'chatflow_fts_stats/-1': [], // FTS5 auxiliary: (table)
  'chatflow_index/0': [],
  'chatflow_index/1': [0], // max_messages
  'chatflow_init/0': [],
  'chatflow_init/1': [], // ... and options_json (now)
  'chatflow_preview/1': [],
  'chatflow_snippet/-1': [1, 5], // FTS5 auxiliary: (table, column, open, close, ellipsis, max_tokens)
  'chatflow_stats/0': [],
  'chatflow_stats/1': [],
  'chatflow_version/0': [],
  'complete_chat/1': [0],
  'complete_chat/2': [0],
  'complete_run/1': [0],
  'complete_run/2': [0], // ... and options_json (now)
  'conversation_by_uid/1': [], // the uid is text
  'conversation_by_uid/2': [],
  'create_conversation/1': [],
  'create_conversation/2': [],
  'create_conversation/3': [],
  'delete_conversation/1': [0],
  'delete_conversation/2': [0], // ... and options_json (now)
  'delete_messages/1': [0],
  'delete_messages/2': [0],
  'delete_old_messages/1': [0], // days
  'delete_old_messages/2': [0, 1], // days, batch
  'delete_old_messages/3': [0, 1], // ... and options_json (now)
  'expire_stale_runs/0': [],
  'expire_stale_runs/1': [], // ... and options_json (now)
  'export_conversation/1': [0],
  'export_conversation/2': [0],
  'fail_run/2': [0],
  'fail_run/3': [0], // ... and options_json (now)
  'find_or_create_conversation/2': [], // the key is text
  'find_or_create_conversation/3': [],
  'find_or_create_conversation/4': [],
  'edit_message/2': [0], // message_id
  'edit_message/3': [0],
  'fork_conversation/1': [0],
  'fork_conversation/2': [0, 1], // conversation_id, at_seq
  'fork_conversation/3': [0, 1],
  'generate_title/1': [0],
  'generate_title/2': [0], // ... and options_json (now)
  'heartbeat_run/1': [0],
  'heartbeat_run/2': [0, 1], // run_id, seconds
  'heartbeat_run/3': [0, 1], // ... and options_json (now)
  'import_conversation/2': [],
  'import_conversation/3': [],
  'langgraph_delete_thread/1': [], // the thread id is text
  'langgraph_delete_thread/2': [], // ... and options_json (now, owner)
  'langgraph_prune_checkpoints/1': [0], // keep
  'langgraph_prune_checkpoints/2': [0, 1], // keep, batch
  'langgraph_put/4': [],
  'langgraph_put/5': [],
  'langgraph_put_blob/4': [],
  'langgraph_put_blob/5': [],
  'langgraph_put_write/6': [3], // idx
  'langgraph_put_write/7': [3],
  'merge_run_state/2': [0],
  'merge_run_state/3': [0], // ... and options_json (now)
  'purge_conversation/1': [0],
  'reject_proposal/1': [0],
  'reject_proposal/2': [0],
  'reject_proposal/3': [0], // ... and options_json (now)
  'purge_deleted/1': [0], // days
  'purge_deleted/2': [0, 1], // days, batch
  'purge_deleted/3': [0, 1], // ... and options_json (now)
  'restore_conversation/1': [0],
  'restore_conversation/2': [0], // ... and options_json (now)
  'resume_run/2': [0],
  'resume_run/3': [0], // ... and options_json (now)
  'run_status/1': [0],
  'run_usage/1': [0],
  'run_workflow_id/1': [0],
  'set_business_context/2': [0],
  'set_business_context/3': [0], // ... and options_json (now)
  'set_run_status/2': [0],
  'set_run_status/3': [0],
  'set_run_status/4': [0], // ... and options_json (now)
  'switch_branch/1': [0], // message_id
  'switch_branch/2': [0], // ... and options_json (now)
  'start_run/2': [0],
  'start_run/3': [0],
  'start_run/4': [0],
  'update_conversation/2': [0],
  'update_conversation/3': [0], // ... and options_json (now)
  'validate_proposal/2': [0],
  'validate_proposal/3': [0], // ... and options_json (now)
};

// Every chatflow module, with its hidden columns (the arguments of a
// table-valued function, in order) and whether each is an integer.
const MODULE_ARGS = {
  chat_history: { conversation_id: 'integer', max_tokens: 'integer', in_run: 'integer' },
  conversation_list: { owner: 'text', options: 'text' },
  conversation_messages: { conversation_id: 'integer', options: 'text' },
  search_messages: { query: 'text', owner: 'text', options: 'text' },
  workflow_interrupt: {}, // a writable table (workflow_id is text), not table-valued
  chatflow_statement_cache: {}, // the connection's own state
  langgraph_get: { thread: 'text', ns: 'text', id: 'text', options: 'text' },
  langgraph_list: { thread: 'text', options: 'text' },
  langgraph_channel_values: { thread_id: 'text', checkpoint_id: 'text', checkpoint_ns: 'text' },
  langgraph_pending_writes: { thread_id: 'text', checkpoint_id: 'text', checkpoint_ns: 'text' },
  chatflow_check: {}, // no arguments
  message_siblings: { message_id: 'integer' },
};

// Hidden columns that are columns of the rows, not arguments (declared after
// the arguments, left out of SELECT *): not called with numbers here.
const MODULE_HIDDEN = {
  conversation_messages: ['status', 'parent_id', 'uid'],
};

const CLOCK = '2026-01-02T03:04:05.000Z';
const LATER = '2026-02-11T03:04:05.000Z'; // 40 days on

// The database every call starts from: two conversations of acme, the
// first with a system prompt, a question and its answer, then a
// topical_map run (step context_ingestion) with a message and a proposal;
// the second with one message.  The clock is pinned and every generated
// value supplied, so two copies are identical.
function fixture() {
  const db = new Database(':memory:');
  db.loadExtension(EXT);
  const run = (sql, ...args) => db.prepare(sql).pluck().get(...args);
  run('SELECT chatflow_clock(?)', CLOCK);
  run('SELECT chatflow_init()');
  run(`SELECT create_conversation('acme', 'Sourdough', '{"uid": "conv-sourdough"}')`);
  run(`SELECT add_message(1, 'system', 'You are a baker.', '{"uid": "m1"}')`);
  run(`SELECT add_message(1, 'user', 'How long does sourdough proof?', '{"uid": "m2", "tokens": 8}')`);
  run(`SELECT add_message(1, 'assistant', 'About 4 to 12 hours.', '{"uid": "m3", "tokens": 7}')`);
  run(`SELECT start_run(1, 'topical_map')`);
  run(`SELECT add_message(1, 'user', 'Plan a topical map for our bakery', '{"uid": "m4", "tokens": 9}')`);
  run(`SELECT add_proposal(1, 'pillar', 'Sourdough starters')`);
  run(`SELECT create_conversation('acme', 'Rye', '{"uid": "conv-rye"}')`);
  run(`SELECT add_message(2, 'user', 'Is rye flour different?', '{"uid": "m5", "tokens": 5}')`);
  return db;
}

const UI_MESSAGE = JSON.stringify({
  id: 'ui-1',
  role: 'user',
  parts: [{ type: 'text', text: 'And the starter?' }],
});

// The calls.  fn: the signature of INTEGER_ARGS / MODULE_ARGS it covers
// (name/number of arguments given); sql with one ? per entry of args;
// ints: the positions in args of the integer arguments, in the order of
// the signature's integer positions; setup: SQL run first; want: the
// exact result (rows for a table-valued function: all: true); state: a
// query and the exact value it gives afterwards; errors: the exact error
// with 1.5 at each integer argument, in the order of ints.
const ID_ERR = (what) => `chatflow: ${what} must be an integer id, got real 1.5`;
const CONV = ID_ERR('conversation id');
const RUN = ID_ERR('run id');
const MSG = ID_ERR('message id');
const DAYS = 'chatflow: days must be an integer from 0 to 36500, got real 1.5';
const BATCH = 'chatflow: batch must be an integer from 1 to 10000, got real 1.5';
const IDX = "chatflow: idx must be an integer from -9007199254740991 to 9007199254740991, got real 1.5";
const KEEP = 'chatflow: keep must be an integer from 1 to 1000000, got real 1.5';
const HISTORY = [
  { role: 'system', content: 'You are a baker.' },
  { role: 'user', content: 'How long does sourdough proof?' },
  { role: 'assistant', content: 'About 4 to 12 hours.' },
  { role: 'user', content: 'Plan a topical map for our bakery' },
];
const AWAITING = { status: 'awaiting_clarification', current_step: 'clarification' };

const CALLS = [
  { fn: 'active_run/1', sql: 'SELECT active_run(?)', args: [1], want: 1, errors: [CONV] },
  {
    fn: 'add_clarification/4',
    sql: 'SELECT add_clarification(?, ?, ?, ?)',
    args: [1, 7, 'Which city?', 'Berlin'],
    ints: [0, 1],
    want: 1,
    state: [`SELECT json_extract(clarifications, '$[0].question_id') FROM workflow_runs WHERE id = 1`, 7],
    errors: [RUN, 'chatflow: question_id must be text or an integer, got real 1.5'],
  },
  {
    fn: 'add_message/3',
    sql: `SELECT add_message(?, 'user', 'And the starter?')`,
    args: [1],
    want: 6,
    state: ['SELECT message_count FROM chat_conversations WHERE id = 1', 5],
    errors: [CONV],
  },
  {
    fn: 'add_message/4',
    sql: `SELECT add_message(?, 'user', 'And the starter?', '{"tokens": 4}')`,
    args: [1],
    want: 6,
    state: ['SELECT conversation_id || \'/\' || seq || \'/\' || run_id FROM chat_messages WHERE id = 6', '1/5/1'],
    errors: [CONV],
  },
  {
    fn: 'add_proposal/3',
    sql: `SELECT add_proposal(?, 'pillar', 'Rye breads')`,
    args: [1],
    want: 2,
    errors: [RUN],
  },
  {
    fn: 'add_proposal/4',
    sql: `SELECT add_proposal(?, 'pillar', 'Rye breads', 'asked for twice')`,
    args: [1],
    want: 2,
    errors: [RUN],
  },
  { fn: 'add_ui_message/2', sql: 'SELECT add_ui_message(?, ?)', args: [1, UI_MESSAGE], want: 6, errors: [CONV] },
  {
    fn: 'add_ui_message/3',
    sql: `SELECT add_ui_message(?, ?, '{"tokens": 4}')`,
    args: [1, UI_MESSAGE],
    want: 6,
    state: ['SELECT tokens FROM chat_messages WHERE id = 6', 4],
    errors: [CONV],
  },
  { fn: 'advance_run/1', sql: 'SELECT advance_run(?)', args: [1], json: true, want: AWAITING, errors: [RUN] },
  {
    fn: 'advance_run/2',
    sql: `SELECT advance_run(?, '{"pages": 12}')`,
    args: [1],
    json: true,
    want: AWAITING,
    state: [`SELECT state FROM workflow_runs WHERE id = 1`, '{"pages":12}'],
    errors: [RUN],
  },
  {
    fn: 'archive_old_conversations/1',
    setup: [`SELECT chatflow_clock('${LATER}')`],
    sql: 'SELECT archive_old_conversations(?)',
    args: [30],
    want: 2,
    errors: [DAYS],
  },
  {
    fn: 'archive_old_conversations/2',
    setup: [`SELECT chatflow_clock('${LATER}')`],
    sql: 'SELECT archive_old_conversations(?, ?)',
    args: [30, 1],
    ints: [0, 1],
    want: 1, // one of the two: the batch was 1
    state: ['SELECT count(*) FROM chat_conversations WHERE archived_at IS NOT NULL', 1],
    errors: [DAYS, BATCH],
  },
  { fn: 'cancel_run/1', sql: 'SELECT cancel_run(?)', args: [1], want: 1, errors: [RUN] },
  {
    fn: 'langgraph_put_write/6',
    setup: [`SELECT langgraph_put('conv-rye', 'c-1', x'7b7d', '{}')`],
    sql: `SELECT langgraph_put_write('conv-rye', 'c-1', 'task', ?, 'answer', x'3432')`,
    args: [-1],
    want: 1,
    state: ['SELECT idx FROM langgraph_writes', -1],
    errors: [IDX],
  },
  {
    fn: 'langgraph_put_write/7',
    setup: [`SELECT langgraph_put('conv-rye', 'c-1', x'7b7d', '{}')`],
    sql: `SELECT langgraph_put_write('conv-rye', 'c-1', 'task', ?, 'answer', x'3432', '{"replace": true}')`,
    args: [2],
    want: 1,
    state: ['SELECT idx FROM langgraph_writes', 2],
    errors: [IDX],
  },
  {
    fn: 'langgraph_prune_checkpoints/1',
    setup: [
      `SELECT langgraph_put('conv-rye', 'c-1', x'7b7d', '{}')`,
      `SELECT langgraph_put('conv-rye', 'c-2', x'7b7d', '{}')`,
      `SELECT langgraph_put('conv-rye', 'c-3', x'7b7d', '{}')`,
    ],
    sql: 'SELECT langgraph_prune_checkpoints(?)',
    args: [2],
    want: 1,
    state: ['SELECT group_concat(checkpoint_id) FROM langgraph_checkpoints', 'c-2,c-3'],
    errors: [KEEP],
  },
  {
    fn: 'langgraph_prune_checkpoints/2',
    setup: [
      `SELECT langgraph_put('conv-rye', 'c-1', x'7b7d', '{}')`,
      `SELECT langgraph_put('conv-rye', 'c-2', x'7b7d', '{}')`,
      `SELECT langgraph_put('conv-rye', 'c-3', x'7b7d', '{}')`,
    ],
    sql: 'SELECT langgraph_prune_checkpoints(?, ?)',
    args: [1, 1],
    ints: [0, 1],
    want: 1, // one of the two: the batch was 1
    state: ['SELECT count(*) FROM langgraph_checkpoints', 2],
    errors: [KEEP, BATCH],
  },
  { fn: 'chat_history_json/1', sql: 'SELECT chat_history_json(?)', args: [1], json: true, want: HISTORY, errors: [CONV] },
  {
    fn: 'chat_history_json/2',
    sql: 'SELECT chat_history_json(?, ?)',
    args: [1, 13],
    ints: [0, 1],
    json: true,
    want: [HISTORY[0], HISTORY[3]], // the system prompt (4 tokens) and the newest (9) fill 13
    errors: [CONV, 'chatflow: max_tokens must be a non-negative integer or NULL, got real 1.5'],
  },
  {
    fn: 'chat_history_json/3',
    sql: 'SELECT chat_history_json(?, ?, ?)',
    args: [1, 1000, 1],
    ints: [0, 1, 2],
    json: true,
    want: [HISTORY[0], HISTORY[3]], // run 1's message, and the system prompt
    errors: [
      CONV,
      'chatflow: max_tokens must be a non-negative integer or NULL, got real 1.5',
      'chatflow: run_id must be a positive integer id or NULL, got real 1.5',
    ],
  },
  {
    fn: 'chat_ui_messages/1',
    sql: 'SELECT chat_ui_messages(?)',
    args: [2],
    json: true,
    want: [{ id: 'm5', role: 'user', parts: [{ type: 'text', text: 'Is rye flour different?' }] }],
    errors: [CONV],
  },
  {
    fn: 'chat_ui_messages/2',
    sql: `SELECT chat_ui_messages(?, '{"max_tokens": 100}')`,
    args: [2],
    json: true,
    want: [{ id: 'm5', role: 'user', parts: [{ type: 'text', text: 'Is rye flour different?' }] }],
    errors: [CONV],
  },
  {
    fn: 'chatflow_index/1',
    sql: 'SELECT chatflow_index(?)',
    args: [2],
    want: 2, // the two oldest of the five waiting
    state: ['SELECT indexed_upto FROM chatflow_search_state', 2],
    errors: ['chatflow: max_messages must be an integer from 1 to 10000000, got real 1.5'],
  },
  {
    fn: 'chatflow_snippet/-1',
    setup: ['SELECT chatflow_index()'],
    sql: `SELECT chatflow_snippet(chat_messages_fts, ?, '[', ']', '…', ?) FROM chat_messages_fts
           WHERE chat_messages_fts MATCH 'sourdough'`,
    args: [0, 3],
    ints: [0, 1],
    want: '…does [sourdough] proof?', // 3 tokens, the text's end
    errors: [
      'chatflow: chatflow_snippet column must be an integer, got real 1.5',
      'chatflow: chatflow_snippet max_tokens must be an integer, got real 1.5',
    ],
  },
  {
    fn: 'complete_chat/1',
    provider: 'gpt-test',
    sql: 'SELECT complete_chat(?)',
    args: [2],
    want: 6,
    state: ['SELECT content FROM chat_messages WHERE id = 6', 'echo: Is rye flour different?'],
    errors: [CONV],
  },
  {
    fn: 'complete_chat/2',
    provider: 'gpt-test',
    sql: `SELECT complete_chat(?, '{"model": "gpt-other"}')`,
    args: [2],
    want: 6,
    state: [`SELECT json_extract(metadata, '$.model') FROM chat_messages WHERE id = 6`, 'gpt-other'],
    errors: [CONV],
  },
  { fn: 'complete_run/1', sql: 'SELECT complete_run(?)', args: [1], want: 1, errors: [RUN] },
  {
    fn: 'delete_conversation/1',
    sql: 'SELECT delete_conversation(?)',
    args: [1],
    want: 1,
    state: ['SELECT status FROM workflow_runs WHERE id = 1', 'cancelled'],
    errors: [CONV],
  },
  {
    fn: 'delete_old_messages/1',
    setup: [`SELECT chatflow_clock('${LATER}')`],
    sql: 'SELECT delete_old_messages(?)',
    args: [30],
    want: 5,
    errors: [DAYS],
  },
  {
    fn: 'delete_old_messages/2',
    setup: [`SELECT chatflow_clock('${LATER}')`],
    sql: 'SELECT delete_old_messages(?, ?)',
    args: [30, 2],
    ints: [0, 1],
    want: 2,
    state: ['SELECT count(*) FROM chat_messages', 3],
    errors: [DAYS, BATCH],
  },
  {
    fn: 'export_conversation/1',
    sql: 'SELECT export_conversation(?)',
    args: [2],
    json: true,
    pick: (e) => [e.conversation.uid, e.messages.map((m) => m.content)],
    want: ['conv-rye', ['Is rye flour different?']],
    errors: [CONV],
  },
  {
    fn: 'export_conversation/2',
    sql: `SELECT export_conversation(?, 'openai')`,
    args: [1],
    json: true,
    want: HISTORY,
    errors: [CONV],
  },
  {
    fn: 'fail_run/2',
    sql: `SELECT fail_run(?, 'oven on fire')`,
    args: [1],
    want: 1,
    state: ['SELECT status || \': \' || error FROM workflow_runs WHERE id = 1', 'failed: oven on fire'],
    errors: [RUN],
  },
  {
    fn: 'fork_conversation/1',
    sql: 'SELECT fork_conversation(?)',
    args: [1],
    want: 3,
    state: ['SELECT message_count FROM chat_conversations WHERE id = 3', 4],
    errors: [CONV],
  },
  {
    fn: 'fork_conversation/2',
    sql: 'SELECT fork_conversation(?, ?)',
    args: [1, 2],
    ints: [0, 1],
    want: 3,
    state: ['SELECT message_count FROM chat_conversations WHERE id = 3', 2],
    errors: [CONV, 'chatflow: at_seq must be an integer or NULL, got real 1.5'],
  },
  {
    fn: 'fork_conversation/3',
    sql: `SELECT fork_conversation(?, ?, '{"uid": "conv-fork"}')`,
    args: [1, 3],
    ints: [0, 1],
    want: 3,
    state: [`SELECT uid || ' ' || message_count FROM chat_conversations WHERE id = 3`, 'conv-fork 3'],
    errors: [CONV, 'chatflow: at_seq must be an integer or NULL, got real 1.5'],
  },
  {
    fn: 'generate_title/1',
    provider: 'mode-title',
    sql: 'SELECT generate_title(?)',
    args: [2],
    want: 'Bakery topical map',
    state: ['SELECT title FROM chat_conversations WHERE id = 2', 'Bakery topical map'],
    errors: [CONV],
  },
  {
    fn: 'heartbeat_run/1',
    sql: 'SELECT heartbeat_run(?)',
    args: [1],
    want: 1,
    state: ['SELECT lease_expires_at FROM workflow_runs WHERE id = 1', '2026-01-02T03:09:05.000Z'],
    errors: [RUN],
  },
  {
    fn: 'heartbeat_run/2',
    sql: 'SELECT heartbeat_run(?, ?)',
    args: [1, 600],
    ints: [0, 1],
    want: 1,
    state: ['SELECT lease_expires_at FROM workflow_runs WHERE id = 1', '2026-01-02T03:14:05.000Z'],
    errors: [RUN, 'chatflow: lease seconds must be an integer from 1 to 86400, got real 1.5'],
  },
  {
    fn: 'merge_run_state/2',
    sql: `SELECT merge_run_state(?, '{"pages": 12}')`,
    args: [1],
    want: '{"pages":12}',
    errors: [RUN],
  },
  {
    fn: 'purge_conversation/1',
    sql: 'SELECT purge_conversation(?)',
    args: [2],
    want: 1,
    state: ['SELECT count(*) FROM chat_messages WHERE conversation_id = 2', 0],
    errors: [CONV],
  },
  {
    fn: 'purge_deleted/1',
    setup: ['SELECT delete_conversation(2)', `SELECT chatflow_clock('${LATER}')`],
    sql: 'SELECT purge_deleted(?)',
    args: [30],
    want: 2, // its message and itself
    errors: [DAYS],
  },
  {
    fn: 'purge_deleted/2',
    setup: ['SELECT delete_conversation(2)', `SELECT chatflow_clock('${LATER}')`],
    sql: 'SELECT purge_deleted(?, ?)',
    args: [30, 1],
    ints: [0, 1],
    want: 1, // the message only: the batch was 1
    state: ['SELECT count(*) FROM chat_conversations WHERE id = 2', 1],
    errors: [DAYS, BATCH],
  },
  {
    fn: 'restore_conversation/1',
    setup: ['SELECT delete_conversation(2)'],
    sql: 'SELECT restore_conversation(?)',
    args: [2],
    want: 1,
    state: ['SELECT deleted_at FROM chat_conversations WHERE id = 2', null],
    errors: [CONV],
  },
  {
    fn: 'resume_run/2',
    setup: ['SELECT advance_run(1)'],
    sql: `SELECT resume_run(?, '{"clarifications": [{"question_id": "city", "question": "Which city?", "answer": "Berlin"}]}')`,
    args: [1],
    json: true,
    want: { status: 'processing', current_step: 'clarification' },
    errors: [RUN],
  },
  {
    fn: 'run_status/1',
    sql: 'SELECT run_status(?)',
    args: [1],
    json: true,
    want: {
      id: 1,
      conversation_id: 1,
      workflow: 'topical_map',
      status: 'started',
      current_step: 'context_ingestion',
      is_active: true,
      is_awaiting_input: false,
      started_at: CLOCK,
      completed_at: null,
      error: null,
      expires_at: null,
      queue_position: null,
    },
    errors: [RUN],
  },
  { fn: 'run_workflow_id/1', sql: 'SELECT run_workflow_id(?)', args: [7], want: 'run_7', errors: [RUN] },
  {
    fn: 'set_business_context/2',
    sql: `SELECT set_business_context(?, '{"geo": "DE"}')`,
    args: [1],
    want: 1,
    state: ['SELECT business_context FROM workflow_runs WHERE id = 1', '{"geo":"DE"}'],
    errors: [RUN],
  },
  {
    fn: 'set_run_status/2',
    sql: `SELECT set_run_status(?, 'processing')`,
    args: [1],
    want: 1,
    state: ['SELECT status FROM workflow_runs WHERE id = 1', 'processing'],
    errors: [RUN],
  },
  {
    fn: 'set_run_status/3',
    sql: `SELECT set_run_status(?, 'awaiting_approval', 'pillar_proposal')`,
    args: [1],
    want: 1,
    state: [`SELECT status || ' ' || current_step FROM workflow_runs WHERE id = 1`, 'awaiting_approval pillar_proposal'],
    errors: [RUN],
  },
  { fn: 'start_run/2', sql: `SELECT start_run(?, 'topical_map')`, args: [2], want: 2, errors: [CONV] },
  {
    fn: 'start_run/3',
    sql: `SELECT start_run(?, 'topical_map', '{"topic": "rye"}')`,
    args: [2],
    want: 2,
    state: ['SELECT state FROM workflow_runs WHERE id = 2', '{"topic":"rye"}'],
    errors: [CONV],
  },
  {
    fn: 'start_run/4',
    sql: `SELECT start_run(?, 'topical_map', NULL, '{"on_active": "cancel"}')`,
    args: [1],
    want: 2,
    state: ['SELECT status FROM workflow_runs WHERE id = 1', 'cancelled'],
    errors: [CONV],
  },
  {
    fn: 'validate_proposal/2',
    sql: `SELECT validate_proposal(?, '{"competition_level": "low"}')`,
    args: [1],
    want: 1,
    state: ['SELECT validated || \' \' || validation FROM workflow_proposals WHERE id = 1', '1 {"competition_level":"low"}'],
    errors: [ID_ERR('proposal id')],
  },
  {
    fn: 'approve_proposal/1',
    sql: 'SELECT approve_proposal(?)',
    args: [1],
    want: 1,
    state: ['SELECT user_approved FROM workflow_proposals WHERE id = 1', 1],
    errors: [ID_ERR('proposal id')],
  },
  {
    fn: 'approve_proposal/2',
    sql: `SELECT approve_proposal(?, 'Starters')`,
    args: [1],
    want: 1,
    state: ['SELECT approved_name FROM workflow_proposals WHERE id = 1', 'Starters'],
    errors: [ID_ERR('proposal id')],
  },
  {
    fn: 'reject_proposal/1',
    sql: 'SELECT reject_proposal(?)',
    args: [1],
    want: 1,
    state: ['SELECT rejected_at FROM workflow_proposals WHERE id = 1', CLOCK],
    errors: [ID_ERR('proposal id')],
  },
  {
    fn: 'reject_proposal/2',
    sql: `SELECT reject_proposal(?, 'too broad')`,
    args: [1],
    want: 1,
    state: ['SELECT rejection_reason FROM workflow_proposals WHERE id = 1', 'too broad'],
    errors: [ID_ERR('proposal id')],
  },
  {
    fn: 'update_conversation/2',
    sql: `SELECT update_conversation(?, '{"title": "Rye breads"}')`,
    args: [1],
    want: 1,
    state: ['SELECT title FROM chat_conversations WHERE id = 1', 'Rye breads'],
    errors: [CONV],
  },
  {
    // without an option it deletes nothing and says what to give
    fn: 'delete_messages/1',
    sql: 'SELECT delete_messages(?)',
    args: [1],
    throws: true,
    want: {
      error:
        "chatflow: delete_messages needs after_seq (the messages after it) or run_id (a run's messages);" +
        ' to delete them all, after_seq 0',
    },
    errors: [CONV],
  },
  {
    fn: 'delete_messages/2',
    sql: `SELECT delete_messages(?, '{"after_seq": 2}')`,
    args: [1],
    want: 2,
    state: ['SELECT message_count FROM chat_conversations WHERE id = 1', 2],
    errors: [CONV],
  },
  {
    fn: 'run_usage/1',
    sql: 'SELECT run_usage(?)',
    args: [1],
    json: true,
    want: {
      messages: 1,
      input_tokens: 0,
      output_tokens: 0,
      total_tokens: 0,
      by_step: { context_ingestion: { messages: 1, total_tokens: 0 } },
    },
    errors: [RUN],
  },
  {
    fn: 'edit_message/2',
    sql: `SELECT edit_message(?, 'How long does rye proof?')`,
    args: [2],
    want: 6,
    state: ['SELECT parent_id FROM chat_messages WHERE id = 6', 1],
    errors: [MSG],
  },
  {
    fn: 'edit_message/3',
    sql: `SELECT edit_message(?, 'Between 4 and 12 hours.', '{"uid": "m3-edited"}')`,
    args: [3],
    want: 6,
    state: ['SELECT current_leaf_id FROM chat_conversations WHERE id = 1', 6],
    errors: [MSG],
  },
  {
    fn: 'switch_branch/1',
    setup: [`SELECT add_message(1, 'assistant', 'Regenerated.', '{"parent_id": 2}')`],
    sql: 'SELECT switch_branch(?)',
    args: [3],
    want: 1,
    state: ['SELECT current_leaf_id FROM chat_conversations WHERE id = 1', 4],
    errors: [MSG],
  },
  {
    fn: 'begin_message/2',
    sql: `SELECT begin_message(?, 'assistant')`,
    args: [2],
    want: 6,
    state: ['SELECT status FROM chat_messages WHERE id = 6', 'streaming'],
    errors: [CONV],
  },
  {
    fn: 'begin_message/3',
    sql: `SELECT begin_message(?, 'assistant', '{"uid": "d-1"}')`,
    args: [1],
    want: 6,
    state: ['SELECT current_leaf_id FROM chat_conversations WHERE id = 1', 6],
    errors: [CONV],
  },
  {
    fn: 'append_message/2',
    setup: [`SELECT begin_message(1, 'assistant')`],
    sql: `SELECT append_message(?, 'Rye, ')`,
    args: [6],
    want: 5,
    state: ['SELECT content FROM chat_messages WHERE id = 6', 'Rye, '],
    errors: [MSG],
  },
  {
    fn: 'finish_message/1',
    setup: [`SELECT begin_message(1, 'assistant')`, `SELECT append_message(6, 'Rye.')`],
    sql: 'SELECT finish_message(?)',
    args: [6],
    want: 1,
    state: ['SELECT status || tokens FROM chat_messages WHERE id = 6', 'complete1'],
    errors: [MSG],
  },
  {
    fn: 'finish_message/2',
    setup: [`SELECT begin_message(1, 'assistant')`, `SELECT append_message(6, 'Rye.')`],
    sql: `SELECT finish_message(?, '{"tokens": 2}')`,
    args: [6],
    want: 1,
    state: ['SELECT status || tokens FROM chat_messages WHERE id = 6', 'complete2'],
    errors: [MSG],
  },
  {
    fn: 'abort_message/1',
    setup: [`SELECT begin_message(1, 'assistant')`],
    sql: 'SELECT abort_message(?)',
    args: [6],
    want: 1,
    state: ['SELECT status FROM chat_messages WHERE id = 6', 'aborted'],
    errors: [MSG],
  },
  {
    fn: 'abort_message/2',
    setup: [`SELECT begin_message(1, 'assistant')`],
    sql: `SELECT abort_message(?, 'stopped')`,
    args: [6],
    want: 1,
    state: [`SELECT json_extract(metadata, '$.abort_reason') FROM chat_messages WHERE id = 6`, 'stopped'],
    errors: [MSG],
  },
  {
    fn: 'message_siblings/1',
    setup: [`SELECT add_message(1, 'assistant', 'Regenerated.', '{"parent_id": 2}')`],
    sql: `SELECT id || ':' || is_current FROM message_siblings(?)`,
    args: [3],
    all: true,
    want: ['3:0', '6:1'],
    errors: ['chatflow: message_siblings needs a positive integer message id, got real 1.5'],
  },
  {
    fn: 'conversation_messages/1',
    sql: 'SELECT id FROM conversation_messages(?)',
    args: [1],
    all: true,
    want: [1, 2, 3, 4],
    errors: ['chatflow: conversation_messages needs a positive integer conversation id, got real 1.5'],
  },
  {
    fn: 'conversation_messages/2',
    sql: `SELECT id FROM conversation_messages(?, '{"limit": 2}')`,
    args: [1],
    all: true,
    want: [1, 2],
    errors: ['chatflow: conversation_messages needs a positive integer conversation id, got real 1.5'],
  },
  {
    fn: 'chat_history/1',
    sql: 'SELECT id FROM chat_history(?)',
    args: [1],
    all: true,
    want: [1, 2, 3, 4],
    errors: ['chatflow: chat_history needs a positive integer conversation id, got real 1.5'],
  },
  {
    fn: 'chat_history/2',
    sql: 'SELECT id FROM chat_history(?, ?)',
    args: [1, 20],
    ints: [0, 1],
    all: true,
    want: [1, 3, 4], // 4 + 7 + 9 tokens fill 20; the next one has 8
    errors: [
      'chatflow: chat_history needs a positive integer conversation id, got real 1.5',
      'chatflow: max_tokens must be a non-negative integer or NULL, got real 1.5',
    ],
  },
  {
    fn: 'chat_history/3',
    sql: 'SELECT id FROM chat_history(?, ?, ?)',
    args: [1, 1000, 1],
    ints: [0, 1, 2],
    all: true,
    want: [1, 4],
    errors: [
      'chatflow: chat_history needs a positive integer conversation id, got real 1.5',
      'chatflow: max_tokens must be a non-negative integer or NULL, got real 1.5',
      'chatflow: run_id must be a positive integer id or NULL, got real 1.5',
    ],
  },
];

// The signatures that gained a trailing options_json for the option now
// (the time of one call): each is called as the one before it with now
// added -- LATER in place of the pinned clock where that call pins it
// (so the result shows the call's time was used), else the fixture's
// CLOCK -- and gives the same results.
const NOW_SIGNATURES = {
  'add_clarification/5': 'add_clarification/4',
  'add_proposal/5': 'add_proposal/4',
  'advance_run/3': 'advance_run/2',
  'approve_proposal/3': 'approve_proposal/2',
  'append_message/3': 'append_message/2',
  'archive_old_conversations/3': 'archive_old_conversations/2',
  'cancel_run/2': 'cancel_run/1',
  'complete_run/2': 'complete_run/1',
  'delete_conversation/2': 'delete_conversation/1',
  'delete_old_messages/3': 'delete_old_messages/2',
  'fail_run/3': 'fail_run/2',
  'generate_title/2': 'generate_title/1',
  'heartbeat_run/3': 'heartbeat_run/2',
  'merge_run_state/3': 'merge_run_state/2',
  'purge_deleted/3': 'purge_deleted/2',
  'reject_proposal/3': 'reject_proposal/2',
  'restore_conversation/2': 'restore_conversation/1',
  'resume_run/3': 'resume_run/2',
  'set_business_context/3': 'set_business_context/2',
  'set_run_status/4': 'set_run_status/3',
  'switch_branch/2': 'switch_branch/1',
  'update_conversation/3': 'update_conversation/2',
  'validate_proposal/3': 'validate_proposal/2',
};
for (const [sig, from] of Object.entries(NOW_SIGNATURES)) {
  const c = CALLS.find((x) => x.fn === from);
  const pin = `SELECT chatflow_clock('${LATER}')`;
  const setup = (c.setup || []).filter((q) => q !== pin);
  const now = c.setup && setup.length !== c.setup.length ? LATER : CLOCK;
  CALLS.push({ ...c, fn: sig, sql: c.sql.replace(/\)$/, `, '{"now": "${now}"}')`), setup });
}

// The loopback OpenAI-compatible server of the provider tests.
let provider;
let providerUrl;

before(async () => {
  provider = spawn('/usr/bin/python3', [path.join(ROOT, 'tests/provider/fake_openai.py')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  provider.stdout.setEncoding('utf8');
  while (!/\n/.test(out)) {
    const [chunk] = await Promise.race([
      once(provider.stdout, 'data'),
      once(provider, 'exit').then(() => {
        throw new Error('tests/provider/fake_openai.py exited');
      }),
    ]);
    out += chunk;
  }
  const m = /^listening on (http:\/\/127\.0\.0\.1:\d+\/v1)$/m.exec(out);
  assert.ok(m, `fake_openai.py said: ${out}`);
  providerUrl = m[1];
});

after(() => {
  if (provider) provider.kill();
});

function value(db, sql, args, all) {
  const stmt = db.prepare(sql).pluck();
  return all ? stmt.all(...args) : stmt.get(...args);
}

// A fresh copy of the fixture, set up for the call.
function prepared(call) {
  const db = fixture();
  if (call.provider) {
    value(db, 'SELECT chatflow_config(?, ?)', ['llm.base_url', providerUrl]);
    value(db, 'SELECT chatflow_config(?, ?)', ['llm.model', call.provider]);
  }
  for (const sql of call.setup || []) value(db, sql, []);
  return db;
}

// What a call gives: its result (parsed, then picked) and the state after it.
function outcome(call, args) {
  const db = prepared(call);
  try {
    let result;
    try {
      result = value(db, call.sql, args, call.all);
    } catch (e) {
      if (!call.throws) throw e;
      return { result: { error: e.message }, state: undefined };
    }
    if (call.json) result = JSON.parse(result);
    if (call.pick) result = call.pick(result);
    const state = call.state ? value(db, call.state[0], []) : undefined;
    return { result, state };
  } finally {
    db.close();
  }
}

function intPositions(call) {
  return call.ints || [0];
}

test('better-sqlite3 binds a JS number as REAL and a BigInt as INTEGER', () => {
  const db = new Database(':memory:');
  assert.deepEqual(db.prepare('SELECT typeof(?), typeof(?), typeof(?)').raw().get(1, 1.5, 1n), [
    'real',
    'real',
    'integer',
  ]);
  db.close();
});

test('JSON options built with json_object from JS numbers: 4 (a REAL 4.0) counts as the integer, 4.5 is refused', () => {
  const db = fixture();
  try {
    const optsSql = "json_object('tokens', ?, 'parent_id', ?)";
    assert.equal(db.prepare(`SELECT ${optsSql}`).pluck().get(4, 3), '{"tokens":4.0,"parent_id":3.0}');
    const id = db.prepare(`SELECT add_message(1, 'assistant', 'Shorter in summer.', ${optsSql})`).pluck().get(4, 3);
    assert.deepEqual(db.prepare('SELECT tokens, parent_id, typeof(tokens) FROM chat_messages WHERE id = ?').raw().get(id),
                     [4, 3, 'integer']);
    assert.throws(() => db.prepare(`SELECT add_message(1, 'assistant', 'x', ${optsSql})`).get(4.5, 3),
                  { message: "chatflow: option 'tokens' of add_message must be an integer, got a number" });
    // an import document written by json_set from JS numbers
    const doc = db.prepare("SELECT json_set(export_conversation(2), '$.messages[0].tokens', ?, '$.messages[0].seq', ?)")
      .pluck().get(6, 1);
    const conv = db.prepare("SELECT import_conversation('globex', ?)").pluck().get(doc);
    assert.deepEqual(db.prepare('SELECT seq, tokens FROM chat_messages WHERE conversation_id = ?').raw().get(conv), [1, 6]);
  } finally {
    db.close();
  }
});

test("the tables cover every chatflow function, arity and table-valued function's argument", () => {
  // Two fresh connections, one with chatflow loaded, no SQL run on either
  // before (SQLite registers some of its own modules when first used).
  const plain = new Database(':memory:');
  const db = new Database(':memory:');
  db.loadExtension(EXT);
  const functions = (d) =>
    new Set(d.prepare('SELECT name, narg FROM pragma_function_list').raw().all().map(([n, a]) => `${n}/${a}`));
  const modules = (d) => new Set(d.prepare('SELECT name FROM pragma_module_list').pluck().all());
  const base = functions(plain);
  const ours = [...functions(db)].filter((f) => !base.has(f)).sort();
  assert.deepEqual(ours, Object.keys(INTEGER_ARGS).sort());
  const baseModules = modules(plain);
  const ourModules = [...modules(db)].filter((m) => !baseModules.has(m)).sort();
  assert.deepEqual(ourModules, Object.keys(MODULE_ARGS).sort());
  for (const name of ourModules) {
    const hidden = db
      .prepare('SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 1 ORDER BY cid')
      .pluck()
      .all(name);
    assert.deepEqual(hidden, [...Object.keys(MODULE_ARGS[name]), ...(MODULE_HIDDEN[name] || [])],
      `hidden columns of ${name}`);
  }
  plain.close();
  db.close();
});

// The signatures with integer arguments: name/narg with their positions;
// for a table-valued function, one per number of arguments given.
function integerSignatures() {
  const sigs = Object.entries(INTEGER_ARGS).filter(([, ints]) => ints.length > 0);
  for (const [name, args] of Object.entries(MODULE_ARGS)) {
    const kinds = Object.values(args);
    for (let n = 1; n <= kinds.length; n++) {
      const ints = kinds.slice(0, n).flatMap((k, i) => (k === 'integer' ? [i] : []));
      if (ints.length) sigs.push([`${name}/${n}`, ints]);
    }
  }
  return sigs;
}

test('every integer argument has a call', () => {
  const covered = Object.fromEntries(CALLS.map((c) => [c.fn, c]));
  assert.equal(CALLS.length, Object.keys(covered).length, 'one call per signature');
  const missing = [];
  for (const [sig, ints] of integerSignatures()) {
    const call = covered[sig];
    if (!call) {
      missing.push(sig);
      continue;
    }
    assert.equal(intPositions(call).length, ints.length, `${sig}: integer arguments ${ints}`);
    assert.equal(call.errors.length, ints.length, `${sig}: one error per integer argument`);
  }
  assert.deepEqual(missing, []);
  const known = new Set(integerSignatures().map(([sig]) => sig));
  assert.deepEqual(
    CALLS.map((c) => c.fn).filter((sig) => !known.has(sig)),
    [],
    'calls of signatures without integer arguments',
  );
});

// One test per function: each arity's call with JS numbers (REAL), equal
// to the expected result and to the call with BigInts (INTEGER); then 1.5
// at each integer argument.
const byName = new Map();
for (const call of CALLS) {
  const name = call.fn.split('/')[0];
  if (!byName.has(name)) byName.set(name, []);
  byName.get(name).push(call);
}

for (const [name, calls] of byName) {
  test(`${name}: integer arguments as JS numbers, 1.5 refused`, () => {
    for (const call of calls) {
      const got = outcome(call, call.args);
      assert.deepEqual(got.result, call.want, `${call.fn} with JS numbers`);
      if (call.state) assert.deepEqual(got.state, call.state[1], `${call.fn}: ${call.state[0]}`);
      const asIntegers = call.args.map((a, i) => (intPositions(call).includes(i) ? BigInt(a) : a));
      assert.deepEqual(outcome(call, asIntegers), got, `${call.fn}: the same with BigInts (INTEGER)`);
      intPositions(call).forEach((pos, k) => {
        const db = prepared(call);
        const changes = value(db, 'SELECT total_changes()', []);
        const args = call.args.map((a, i) => (i === pos ? 1.5 : a));
        assert.throws(
          () => value(db, call.sql, args, call.all),
          { name: 'SqliteError', message: call.errors[k] },
          `${call.fn} with 1.5 as argument ${pos}`,
        );
        assert.equal(value(db, 'SELECT total_changes()', []), changes, `${call.fn}: nothing written`);
        db.close();
      });
    }
  });
}
