/*
** bench.mjs — `make bench-peers`: chatflow against the stores it replaces,
** in one Node process on one SQLite (better-sqlite3's bundled SQLite, with
** dist/chatflow.so loaded into it by db.loadExtension).
**
**   1. Saving a chat message.
**      chatflow:  SELECT add_message(conv, 'user', content, options), the
**                 options a JSON object with a `parts` array and a `metadata`
**                 object; chatflow writes the message (seq, token estimate,
**                 search index) and moves the conversation's counters.
**                 The conversation id is passed as a plain JavaScript
**                 number, which reaches SQLite as an integral REAL.
**      drizzle:   a Drizzle ORM service in the style of the Next.js chat
**                 apps: tables chat (id, userId, title, createdAt, updatedAt,
**                 messageCount) and message (id, chatId, role, parts,
**                 metadata, createdAt), indexes on chat (userId, updatedAt)
**                 and message (chatId, createdAt); saveMessage = INSERT the
**                 message + UPDATE chat SET updatedAt, messageCount + 1,
**                 built with the query builder at every call.
**      plain:     the same two statements on the same tables, prepared once
**                 with better-sqlite3, no ORM.
**      Every peer makes the JSON of the parts and metadata at each call.
**      The peers' ids are INTEGER PRIMARY KEYs (their cheapest layout; text
**      UUID keys would add an index write per row) and they keep no search
**      index.  Two modes: each message its own transaction (autocommit for
**      chatflow, whose call is its own transaction; db.transaction per
**      message for the others), and --per-txn messages (500) per
**      BEGIN ... COMMIT.
**   2. A checkpoint put then get, each in its own transaction, of the same
**      state (a LangGraph checkpoint object of about 2 KiB of JSON) under
**      one thread.
**      chatflow:  INSERT INTO workflow_interrupt (workflow_id, data) (which
**                 replaces the saved one), then SELECT data FROM
**                 workflow_interrupt WHERE workflow_id = ?; JSON.stringify
**                 before, JSON.parse after.
**      plain:     INSERT ... ON CONFLICT DO UPDATE and SELECT on a plain
**                 table (thread_id TEXT PRIMARY KEY, data, timestamps).
**      langgraph: @langchain/langgraph-checkpoint-sqlite's SqliteSaver,
**                 put then getTuple of the latest, each put a new checkpoint
**                 id whose parent is the one before (how a graph saves its
**                 steps: the history is kept); its methods are async, and
**                 their awaits are part of its figure.  Also printed: the
**                 same with one checkpoint id replaced at each put, as
**                 chatflow does.
**   3. A chat graph's checkpointer: a real LangGraph StateGraph with
**      MessagesAnnotation (one node answering each user message) run for
**      --turns turns (1000) on one thread, once with SqliteSaver and once
**      with chatflow's ChatflowSaver (bindings/node/langgraph.js, staged
**      into the modules folder by make bench-peers), each on a database file
**      of its own.  The savers' put and getTuple calls are timed where the
**      graph calls them (mean µs per call, overall and over the last 100
**      turns, when the history is longest); the bytes are the database
**      file's after a checkpoint of the WAL (chatflow's includes its search
**      indexes of the messages), and the history read back at the end is
**      checked to be the same in both.
**
** Method: each peer on a database file of its own in one temporary
** directory, all with journal_mode=WAL and synchronous=NORMAL (the other
** settings are better-sqlite3's defaults, printed at the top).  --rounds
** rounds (5) after one uncounted warm-up round; in a round each peer
** appends to a fresh conversation of its own, in blocks of --per-txn
** messages (500), the peers taking turns block by block in an order that
** rotates from block to block, so that all see the same background load
** and file growth.  A round's figure is a peer's summed block time / its
** operations; the figure printed is the median of the rounds, in µs per
** message or per put+get, with each peer's figure ÷ chatflow's.  The own
** transaction case writes --n messages a round (3000), the batched case
** 5 x --n, the checkpoint case --n put+get pairs.  After the run every
** conversation is checked in every peer (row count = messageCount =
** messages written, parts and metadata as given, updatedAt moved), each
** block's last checkpoint loaded against the one saved, and the
** checkpoints kept (one, or one per put for LangGraph's history), so that
** no peer is measured doing less work.
**
** Usage: node scripts/bench/peers/bench.mjs [--rounds N] [--n N] [--per-txn N]
**            [--turns N] [--modules DIR] [--ext PATH]
** --modules is the folder whose node_modules holds the peers' packages
** (default dist/peers, where `make bench-peers` installs
** scripts/bench/peers/package.json); --ext the chatflow extension (default
** dist/chatflow.so).  Errors exit with status 2.  The temporary directory
** is removed at the end.
*/
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/* ------------------------------------------------------------- options */

const opt = {
  rounds: 5,
  n: 3000,
  perTxn: 500,
  turns: 1000,
  modules: path.join(ROOT, 'dist/peers'),
  ext: path.join(ROOT, 'dist/chatflow.so'),
};

function usage(message) {
  console.error(`bench-peers: ${message}\n` +
    'usage: node scripts/bench/peers/bench.mjs [--rounds N] [--n N] [--per-txn N] [--turns N]' +
    ' [--modules DIR] [--ext PATH]');
  process.exit(2);
}

for (let i = 2; i < process.argv.length; i += 2) {
  const name = process.argv[i], value = process.argv[i + 1];
  if (value === undefined) usage(`${name} needs a value`);
  if (name === '--modules' || name === '--ext') {
    opt[name.slice(2)] = path.resolve(value);
  } else if (name === '--rounds' || name === '--n' || name === '--per-txn' || name === '--turns') {
    const v = Number(value);
    if (!Number.isInteger(v) || v < 1) usage(`${name} wants a positive integer`);
    opt[name === '--per-txn' ? 'perTxn' : name.slice(2)] = v;
  } else {
    usage(`unknown option ${name}`);
  }
}

/* The peers' packages, from the folder make bench-peers installed them in
** (an ES module does not search NODE_PATH). */
const require = createRequire(path.join(opt.modules, 'package.json'));
let Database, drizzle, orm, sqliteCore, SqliteSaver, checkpointLib, ChatflowSaver, langgraph, lcMessages;
try {
  Database = require('better-sqlite3');
  ({ drizzle } = require('drizzle-orm/better-sqlite3'));
  orm = require('drizzle-orm');
  sqliteCore = require('drizzle-orm/sqlite-core');
  ({ SqliteSaver } = require('@langchain/langgraph-checkpoint-sqlite'));
  checkpointLib = require('@langchain/langgraph-checkpoint');
  ({ ChatflowSaver } = require('chatflow/langgraph'));
  langgraph = require('@langchain/langgraph');
  lcMessages = require('@langchain/core/messages');
} catch (e) {
  usage(`cannot load the peers' packages from ${opt.modules} (run make bench-peers): ${e.message}`);
}
const { eq, sql } = orm;
const { sqliteTable, integer, text } = sqliteCore;
const { uuid6, emptyCheckpoint } = checkpointLib;

function packageVersion(name) {
  const file = path.join(opt.modules, 'node_modules', name, 'package.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).version;
}

/* ---------------------------------------------------------------- data */

/* The message of bench.c: ~100 characters, a plausible chat message. */
const CONTENT =
  "Can you propose three pillar topics for our bakery's blog, with a short rationale for each?";
const PARTS = [{ type: 'text', text: CONTENT }];
const METADATA = { model: 'gpt-4o-mini', tokens: { input: 23, output: 0, total: 23 }, client: 'web' };
const THREAD = 'thread-bench';

/* A LangGraph checkpoint of a chat graph a few steps in: the workflow's
** own channels and the messages so far, as many as make 2 KiB of JSON. */
function makeState() {
  const state = emptyCheckpoint();
  const messages = [];
  state.channel_values = {
    step: 'pillar_topics',
    business: { name: 'Boulangerie Martin', city: 'Lyon', audience: 'locals' },
    topics: ['sourdough', 'viennoiserie', 'seasonal bakes'],
    messages,
  };
  state.channel_versions = { __start__: 1, messages: 6, step: 6, business: 2, topics: 5 };
  state.versions_seen = { __input__: {}, agent: { messages: 5, step: 5 }, tools: { topics: 4 } };
  while (JSON.stringify(state).length < 2048) {
    const i = messages.length;
    messages.push({ role: i % 2 ? 'assistant' : 'user', content: `${CONTENT} (${i + 1})` });
  }
  return state;
}
const STATE = makeState();

/* ------------------------------------------------------------ plumbing */

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chatflow-peers-'));
const dbs = [];

/* Errors exit with status 2; the temporary directory goes in any case. */
process.on('uncaughtException', (e) => {
  console.error(`bench-peers: ${e.stack ?? e}`);
  process.exit(2);
});
process.on('exit', () => {
  for (const db of dbs) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function open(name) {
  const db = new Database(path.join(dir, `${name}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  dbs.push(db);
  return db;
}

function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/* The figures of the rounds: peer -> [µs per operation]. */
function newTimes(peers) {
  return Object.fromEntries(peers.map((p) => [p, []]));
}

/* The order of the peers in block k of round r: rotated, so that none
** always goes first. */
function order(peers, k, r) {
  return peers.map((_, j) => peers[(k + j + r) % peers.length]);
}

/* ------------------------------------------------------- message peers */

/* chatflow: one call; the message and the counters are chatflow's work. */
const cf = open('chatflow');
cf.loadExtension(opt.ext);
cf.prepare('SELECT chatflow_init()').get();
const cfNew = cf.prepare("SELECT create_conversation('bench', ?)").pluck();
const cfAdd = cf.prepare("SELECT add_message(?, 'user', ?, ?)").pluck();
const cfBatch = cf.transaction((conv, n) => {
  for (let i = 0; i < n; i++) cfSave(conv);
});

function cfSave(conv) {
  return cfAdd.get(conv, CONTENT, JSON.stringify({ parts: PARTS, metadata: METADATA }));
}

/* chatflow again on a connection with temp_store = MEMORY, the setting
** docs/operations.md recommends for many messages per transaction: SQLite
** then keeps the statement journal of a long transaction in memory instead
** of a temporary file once one call changed more than 15 pages (reported
** on a line of its own; the table's chatflow is the default setting). */
const cfm = open('chatflow-mem');
cfm.pragma('temp_store = MEMORY');
cfm.loadExtension(opt.ext);
cfm.prepare('SELECT chatflow_init()').get();
const cfmNew = cfm.prepare("SELECT create_conversation('bench', ?)").pluck();
const cfmAdd = cfm.prepare("SELECT add_message(?, 'user', ?, ?)").pluck();
function cfmSave(conv) {
  return cfmAdd.get(conv, CONTENT, JSON.stringify({ parts: PARTS, metadata: METADATA }));
}
const cfmBatch = cfm.transaction((conv, n) => {
  for (let i = 0; i < n; i++) cfmSave(conv);
});

/* The service schema of the Drizzle and plain peers, as drizzle-kit would
** generate it from the tables below and their two indexes. */
const SERVICE_DDL = `
CREATE TABLE chat (
  id           INTEGER PRIMARY KEY,
  userId       TEXT NOT NULL,
  title        TEXT NOT NULL,
  createdAt    INTEGER NOT NULL,
  updatedAt    INTEGER NOT NULL,
  messageCount INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX chat_user_updated ON chat (userId, updatedAt);
CREATE TABLE message (
  id        INTEGER PRIMARY KEY,
  chatId    INTEGER NOT NULL REFERENCES chat (id),
  role      TEXT NOT NULL,
  parts     TEXT NOT NULL,
  metadata  TEXT,
  createdAt INTEGER NOT NULL
);
CREATE INDEX message_chat_created ON message (chatId, createdAt);`;

/* Drizzle: the schema module and saveMessage of a chat service. */
const chat = sqliteTable('chat', {
  id: integer('id').primaryKey(),
  userId: text('userId').notNull(),
  title: text('title').notNull(),
  createdAt: integer('createdAt', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updatedAt', { mode: 'timestamp_ms' }).notNull(),
  messageCount: integer('messageCount').notNull().default(0),
});
const message = sqliteTable('message', {
  id: integer('id').primaryKey(),
  chatId: integer('chatId').notNull().references(() => chat.id),
  role: text('role').notNull(),
  parts: text('parts', { mode: 'json' }).notNull(),
  metadata: text('metadata', { mode: 'json' }),
  createdAt: integer('createdAt', { mode: 'timestamp_ms' }).notNull(),
});

const drClient = open('drizzle');
drClient.exec(SERVICE_DDL);
const dr = drizzle(drClient);

function drCreateChat(title) {
  const now = new Date();
  return dr.insert(chat).values({ userId: 'bench', title, createdAt: now, updatedAt: now })
    .returning({ id: chat.id }).get().id;
}

/* q is the database or a transaction. */
function drSave(q, chatId) {
  const now = new Date();
  q.insert(message)
    .values({ chatId, role: 'user', parts: PARTS, metadata: METADATA, createdAt: now })
    .run();
  q.update(chat)
    .set({ updatedAt: now, messageCount: sql`${chat.messageCount} + 1` })
    .where(eq(chat.id, chatId))
    .run();
}

/* Plain better-sqlite3: the same statements, prepared once. */
const pl = open('plain');
pl.exec(SERVICE_DDL);
const plNewChat = pl.prepare(
  "INSERT INTO chat (userId, title, createdAt, updatedAt) VALUES ('bench', ?, ?, ?)");
const plMsg = pl.prepare(
  "INSERT INTO message (chatId, role, parts, metadata, createdAt) VALUES (?, 'user', ?, ?, ?)");
const plChat = pl.prepare(
  'UPDATE chat SET updatedAt = ?, messageCount = messageCount + 1 WHERE id = ?');

function plSave(chatId) {
  const now = Date.now();
  plMsg.run(chatId, JSON.stringify(PARTS), JSON.stringify(METADATA), now);
  plChat.run(now, chatId);
}
const plOwn = pl.transaction(plSave);
const plBatch = pl.transaction((chatId, n) => {
  for (let i = 0; i < n; i++) plSave(chatId);
});

/* Each peer: a new conversation, one message in its own transaction, n
** messages in one transaction. */
const MESSAGE_PEERS = {
  chatflow: {
    create: (title) => cfNew.get(title),
    own: cfSave,
    batch: cfBatch,
  },
  'chatflow, temp_store=MEMORY': {
    create: (title) => cfmNew.get(title),
    own: cfmSave,
    batch: cfmBatch,
  },
  drizzle: {
    create: drCreateChat,
    own: (chatId) => dr.transaction((tx) => drSave(tx, chatId)),
    batch: (chatId, n) => dr.transaction((tx) => {
      for (let i = 0; i < n; i++) drSave(tx, chatId);
    }),
  },
  plain: {
    create: (title) => {
      const now = Date.now();
      return Number(plNewChat.run(title, now, now).lastInsertRowid);
    },
    own: plOwn,
    batch: plBatch,
  },
};
const written = Object.fromEntries(Object.keys(MESSAGE_PEERS).map((p) => [p, new Map()]));

/* One block of n messages to conversation conv: each its own transaction,
** or all in one; returns the wall time in µs. */
function messageBlock(peer, batched, conv, n) {
  const p = MESSAGE_PEERS[peer];
  const t0 = performance.now();
  if (batched) {
    p.batch(conv, n);
  } else {
    for (let i = 0; i < n; i++) p.own(conv);
  }
  const t = (performance.now() - t0) * 1000;
  written[peer].set(conv, (written[peer].get(conv) ?? 0) + n);
  return t;
}

/* Rounds of nBlocks blocks of perBlock messages; µs per message. */
function benchMessages(batched, nBlocks, perBlock) {
  const peers = Object.keys(MESSAGE_PEERS);
  const times = newTimes(peers);
  for (let r = -1; r < opt.rounds; r++) { /* round -1 warms up and is not counted */
    const conv = {}, sum = {};
    for (const p of peers) {
      conv[p] = MESSAGE_PEERS[p].create(`${batched ? 'batched' : 'own'} ${r}`);
      sum[p] = 0;
    }
    const nB = r < 0 ? 1 : nBlocks;
    for (let k = 0; k < nB; k++) {
      for (const p of order(peers, k, Math.max(r, 0))) {
        sum[p] += messageBlock(p, batched, conv[p], perBlock);
      }
    }
    if (r >= 0) for (const p of peers) times[p].push(sum[p] / (nB * perBlock));
  }
  return times;
}

/* Every conversation of every peer holds the messages written to it, with
** the parts and metadata given, and its counters and time moved with them. */
function checkMessages() {
  const parts = JSON.stringify(PARTS), metadata = JSON.stringify(METADATA);
  const cfCheck = cf.prepare(`
    SELECT c.message_count, c.last_seq, count(m.id),
           count(*) FILTER (WHERE m.role = 'user' AND m.content = ? AND m.parts = json(?)
                              AND m.metadata = json(?)),
           c.last_message_at = max(m.created_at)
    FROM chat_conversations c JOIN chat_messages m ON m.conversation_id = c.id
    WHERE c.id = ?`).raw();
  for (const [peer, db] of [['chatflow', cf], ['chatflow, temp_store=MEMORY', cfm]]) {
    const check = db === cf ? cfCheck : db.prepare(cfCheck.source).raw();
    for (const [conv, n] of written[peer]) {
      assert.deepEqual(check.get(CONTENT, parts, metadata, conv), [n, n, n, n, 1],
        `${peer} conversation ${conv}: message_count, last_seq, rows, rows as given, last_message_at`);
    }
  }
  for (const [peer, db] of [['drizzle', drClient], ['plain', pl]]) {
    const check = db.prepare(`
      SELECT c.messageCount, count(m.id),
             count(*) FILTER (WHERE m.role = 'user' AND m.parts = ? AND m.metadata = ?),
             c.updatedAt = max(m.createdAt)
      FROM chat c JOIN message m ON m.chatId = c.id
      WHERE c.id = ?`).raw();
    for (const [conv, n] of written[peer]) {
      assert.deepEqual(check.get(parts, metadata, conv), [n, n, n, 1],
        `${peer} chat ${conv}: messageCount, rows, rows as given, updatedAt`);
    }
  }
  const totals = Object.keys(written).map((p) => [...written[p].values()].reduce((a, b) => a + b));
  assert.ok(totals.every((t) => t === totals[0]), `messages written differ: ${totals}`);
  return totals[0];
}

/* --------------------------------------------------------- checkpoints */

const cfSaveCk = cf.prepare('INSERT INTO workflow_interrupt (workflow_id, data) VALUES (?, ?)');
const cfLoadCk = cf.prepare('SELECT data FROM workflow_interrupt WHERE workflow_id = ?').pluck();

pl.exec(`CREATE TABLE checkpoint (thread_id TEXT PRIMARY KEY, data TEXT NOT NULL,
                                  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
const plSaveCk = pl.prepare(`
  INSERT INTO checkpoint (thread_id, data, created_at, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (thread_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`);
const plLoadCk = pl.prepare('SELECT data FROM checkpoint WHERE thread_id = ?').pluck();

const lgDb = open('langgraph');
const saver = new SqliteSaver(lgDb);

/* The state of step i: a new checkpoint id, as a graph's step makes. */
function stepState(i) {
  return { ...STATE, id: uuid6(i), ts: new Date().toISOString() };
}

let lgConfig = { configurable: { thread_id: THREAD } };
let lgSteps = 0;

/* Each does n put+get pairs and returns the last state saved and the one
** loaded back after it. */
const CHECKPOINT_PEERS = {
  chatflow: (n) => {
    let saved, loaded;
    for (let i = 0; i < n; i++) {
      saved = stepState(i);
      cfSaveCk.run(THREAD, JSON.stringify(saved));
      loaded = JSON.parse(cfLoadCk.get(THREAD));
    }
    return [saved, loaded];
  },
  plain: (n) => {
    let saved, loaded;
    for (let i = 0; i < n; i++) {
      saved = stepState(i);
      const now = Date.now();
      plSaveCk.run(THREAD, JSON.stringify(saved), now, now);
      loaded = JSON.parse(plLoadCk.get(THREAD));
    }
    return [saved, loaded];
  },
  langgraph: async (n) => {
    let saved, tuple;
    for (let i = 0; i < n; i++) {
      saved = stepState(i);
      lgConfig = await saver.put(lgConfig, saved, { source: 'loop', step: lgSteps++, parents: {} }, {});
      tuple = await saver.getTuple({ configurable: { thread_id: THREAD } });
    }
    return [saved, tuple.checkpoint];
  },
  /* The same id replaced at every put: no history, as chatflow keeps. */
  'langgraph, one id': async (n) => {
    const config = { configurable: { thread_id: `${THREAD}-replaced` } };
    let saved, tuple;
    for (let i = 0; i < n; i++) {
      saved = { ...STATE, ts: new Date().toISOString() };
      await saver.put(config, saved, { source: 'loop', step: i, parents: {} }, {});
      tuple = await saver.getTuple(config);
    }
    return [saved, tuple.checkpoint];
  },
};

/* Rounds of nBlocks blocks of perBlock put+get pairs; µs per pair.  Every
** block's last load is checked against the state saved. */
async function benchCheckpoints(nBlocks, perBlock) {
  const peers = Object.keys(CHECKPOINT_PEERS);
  const times = newTimes(peers);
  for (let r = -1; r < opt.rounds; r++) {
    const sum = Object.fromEntries(peers.map((p) => [p, 0]));
    const nB = r < 0 ? 1 : nBlocks;
    for (let k = 0; k < nB; k++) {
      for (const p of order(peers, k, Math.max(r, 0))) {
        const t0 = performance.now();
        const [saved, loaded] = await CHECKPOINT_PEERS[p](perBlock);
        sum[p] += (performance.now() - t0) * 1000;
        assert.deepEqual(loaded, saved, `${p}: the checkpoint loaded is not the last one saved`);
      }
    }
    if (r >= 0) for (const p of peers) times[p].push(sum[p] / (nB * perBlock));
  }
  return times;
}

/* One saved checkpoint in chatflow and plain; LangGraph kept one per put
** in the thread with history, one in the other.  Returns what one save
** stores: chatflow's bytes, LangGraph's checkpoint and metadata bytes. */
function checkCheckpoints() {
  assert.equal(cf.prepare('SELECT count(*) FROM workflow_interrupts').pluck().get(), 1);
  assert.equal(pl.prepare('SELECT count(*) FROM checkpoint').pluck().get(), 1);
  const count = lgDb.prepare('SELECT count(*) FROM checkpoints WHERE thread_id = ?').pluck();
  assert.equal(count.get(THREAD), lgSteps);
  assert.equal(count.get(`${THREAD}-replaced`), 1);
  return [cf.prepare('SELECT length(CAST(data AS BLOB)) FROM workflow_interrupts').pluck().get(),
    ...lgDb.prepare(`SELECT length(checkpoint), length(metadata) FROM checkpoints
                     WHERE thread_id = ?`).raw().get(`${THREAD}-replaced`)];
}

/* --------------------------------------------------- a chat graph's saver */

const ANSWER = 'Here are three pillar topics for your bakery blog: sourdough (the craft and the starter),' +
  ' viennoiserie (butter, lamination, the morning batch) and seasonal bakes (what the market brings),' +
  ' each with room for how-tos, stories and recipes your customers can try at home.';

/* Runs opt.turns turns of a chat graph with saver, timing its put and
** getTuple where the graph calls them.  Returns the timings, the file's
** bytes and the messages of the final state. */
async function chatGraphRun(name, makeSaver) {
  const file = path.join(dir, `graph-${name}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  dbs.push(db);
  const saver = makeSaver(db);
  const t = { put: [], get: [] };
  for (const [method, key] of [['put', 'put'], ['getTuple', 'get']]) {
    const orig = saver[method].bind(saver);
    saver[method] = async (...args) => {
      const t0 = performance.now();
      const r = await orig(...args);
      t[key].push({ turn: turn, us: (performance.now() - t0) * 1000 });
      return r;
    };
  }
  const { StateGraph, MessagesAnnotation, START, END } = langgraph;
  const { AIMessage, HumanMessage } = lcMessages;
  const graph = new StateGraph(MessagesAnnotation)
    .addNode('bot', () => ({ messages: [new AIMessage(ANSWER)] }))
    .addEdge(START, 'bot')
    .addEdge('bot', END)
    .compile({ checkpointer: saver });
  const config = { configurable: { thread_id: `chat-${name}` } };
  let turn = 0;
  const t0 = performance.now();
  for (; turn < opt.turns; turn++) {
    await graph.invoke({ messages: [new HumanMessage(`${CONTENT} (${turn + 1})`)] }, config);
  }
  const ms = performance.now() - t0;
  const state = await graph.getState(config);
  db.pragma('wal_checkpoint(TRUNCATE)');
  const bytes = fs.statSync(file).size;
  return { t, ms, bytes, messages: state.values.messages.map((m) => [m.getType(), m.content]) };
}

function mean(a) {
  return a.reduce((x, y) => x + y, 0) / a.length;
}

async function benchChatGraph() {
  const peers = {
    langgraph: (db) => new SqliteSaver(db),
    chatflow: (db) => new ChatflowSaver(db),
  };
  const out = {};
  for (const [name, make] of Object.entries(peers)) out[name] = await chatGraphRun(name, make);
  assert.deepEqual(out.chatflow.messages, out.langgraph.messages, 'the two savers end with different histories');
  assert.equal(out.chatflow.messages.length, 2 * opt.turns);
  const last = Math.max(0, opt.turns - 100);
  console.log(`chat graph, ${opt.turns} turns (StateGraph with MessagesAnnotation, one thread):`);
  console.log('saver'.padEnd(12) + 'put us'.padStart(10) + 'getTuple us'.padStart(13) +
    'put us, last 100'.padStart(18) + 'getTuple, last 100'.padStart(20) + 'ms/turn'.padStart(10) +
    'bytes'.padStart(13) + 'bytes/turn'.padStart(12));
  for (const [name, r] of Object.entries(out)) {
    const late = (a) => a.filter((x) => x.turn >= last).map((x) => x.us);
    console.log(name.padEnd(12) + mean(r.t.put.map((x) => x.us)).toFixed(1).padStart(10) +
      mean(r.t.get.map((x) => x.us)).toFixed(1).padStart(13) + mean(late(r.t.put)).toFixed(1).padStart(18) +
      mean(late(r.t.get)).toFixed(1).padStart(20) + (r.ms / opt.turns).toFixed(2).padStart(10) +
      String(r.bytes).padStart(13) + Math.round(r.bytes / opt.turns).toString().padStart(12));
  }
  const lg = out.langgraph, cf2 = out.chatflow;
  console.log(`  langgraph/chatflow: put ${(mean(lg.t.put.map((x) => x.us)) / mean(cf2.t.put.map((x) => x.us))).toFixed(2)} x,` +
    ` getTuple ${(mean(lg.t.get.map((x) => x.us)) / mean(cf2.t.get.map((x) => x.us))).toFixed(2)} x,` +
    ` bytes ${(lg.bytes / cf2.bytes).toFixed(1)} x` +
    ` (${lg.t.put.length} and ${cf2.t.put.length} puts, ${lg.t.get.length} and ${cf2.t.get.length} getTuples)`);
  console.log(`  checked: both read back the same ${2 * opt.turns} messages`);
}

/* -------------------------------------------------------------- report */

function header() {
  const cpus = os.cpus();
  const pragma = (name) => cf.pragma(name, { simple: true });
  console.log(`chatflow bench-peers: chatflow ${cf.prepare('SELECT chatflow_version()').pluck().get()},` +
    ` SQLite ${cf.prepare('SELECT sqlite_version()').pluck().get()} (better-sqlite3's own),` +
    ` Node ${process.version}, ${cpus.length} x ${cpus[0].model.trim()}`);
  console.log('packages: ' + ['better-sqlite3', 'drizzle-orm', '@langchain/langgraph-checkpoint-sqlite',
    '@langchain/langgraph-checkpoint', '@langchain/core', '@langchain/langgraph'].map((p) => `${p} ${packageVersion(p)}`).join(', '));
  console.log(`databases: a file per peer in a temporary directory, journal_mode=${pragma('journal_mode')},` +
    ` synchronous=${pragma('synchronous') === 1 ? 'NORMAL' : pragma('synchronous')},` +
    ` foreign_keys=${pragma('foreign_keys')}, recursive_triggers=${pragma('recursive_triggers')}` +
    ' (the first two set, the others as better-sqlite3 leaves them)');
  console.log(`method: ${opt.rounds} rounds after a warm-up, median of the rounds, µs per operation;` +
    ` peers taking turns in blocks of ${opt.perTxn}`);
  console.log(`message: ${CONTENT.length} characters, parts ${JSON.stringify(PARTS).length} and` +
    ` metadata ${JSON.stringify(METADATA).length} bytes of JSON;` +
    ` checkpoint state: ${JSON.stringify(stepState(0)).length} bytes of JSON`);
  console.log('');
}

function fmt(v, w) {
  return (v === undefined ? '-' : v.toFixed(2)).padStart(w);
}

function table(rows) {
  const cols = ['drizzle', 'plain', 'langgraph'];
  console.log('case'.padEnd(34) + 'chatflow us'.padStart(12) +
    cols.map((c) => `${c} us`.padStart(13)).join('') +
    cols.map((c) => `${c}/cf`.padStart(13)).join(''));
  for (const [name, times] of rows) {
    const m = Object.fromEntries(Object.entries(times).map(([p, a]) => [p, median(a)]));
    console.log(name.padEnd(34) + fmt(m.chatflow, 12) +
      cols.map((c) => fmt(m[c], 13)).join('') +
      cols.map((c) => fmt(m[c] === undefined ? undefined : m[c] / m.chatflow, 13)).join(''));
  }
}

function spread(rows) {
  console.log('spread over the rounds, min..max us:');
  for (const [name, times] of rows) {
    console.log('  ' + name.padEnd(32) + Object.entries(times).map(([p, a]) =>
      `${p} ${Math.min(...a).toFixed(2)}..${Math.max(...a).toFixed(2)}`).join(', '));
  }
}

/* ---------------------------------------------------------------- main */

header();
const ownBlock = Math.min(opt.perTxn, opt.n);
const ownBlocks = Math.max(1, Math.round(opt.n / ownBlock));
const batchBlocks = Math.max(1, Math.round((5 * opt.n) / opt.perTxn));
const rows = [];
rows.push(['save message, own txn', benchMessages(false, ownBlocks, ownBlock)]);
rows.push([`save message, ${opt.perTxn} per txn`, benchMessages(true, batchBlocks, opt.perTxn)]);
const messages = checkMessages();
const ck = await benchCheckpoints(ownBlocks, ownBlock);
const [cfBytes, lgBytes, lgMetaBytes] = checkCheckpoints();
rows.push([`checkpoint put+get, ${(JSON.stringify(STATE).length / 1024).toFixed(0)} KiB`, ck]);
table(rows);
for (const [name, times] of rows.slice(0, 2)) {
  const mem = median(times['chatflow, temp_store=MEMORY']);
  console.log(`  chatflow with temp_store=MEMORY, ${name.replace('save message, ', '')}: ${mem.toFixed(2)} us,` +
    ` drizzle/that ${(median(times.drizzle) / mem).toFixed(2)}, plain/that ${(median(times.plain) / mem).toFixed(2)}`);
}
const lgOne = median(ck['langgraph, one id']);
console.log('  peer/cf: the peer\'s time / chatflow\'s (below 1: the peer is faster)');
console.log('  langgraph with one checkpoint id replaced at each put (no history, as chatflow):' +
  ` ${lgOne.toFixed(2)} us, ${(lgOne / median(ck.chatflow)).toFixed(2)} x chatflow`);
console.log(`  per round: ${ownBlocks * ownBlock} messages each in its own transaction,` +
  ` ${batchBlocks * opt.perTxn} batched, ${ownBlocks * ownBlock} put+get pairs`);
console.log(`  a save stores: chatflow ${cfBytes} bytes, langgraph ${lgBytes} bytes of checkpoint` +
  ` and ${lgMetaBytes} of metadata`);
console.log(`  checked: ${messages} messages per peer (rows, counters, parts, metadata),` +
  ' every block\'s last checkpoint loaded, the checkpoints kept');
console.log('');
spread(rows);
console.log('');
await benchChatGraph();
