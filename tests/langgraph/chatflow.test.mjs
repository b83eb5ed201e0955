// What chatflow adds to a LangGraph checkpointer, seen through
// ChatflowSaver and a real StateGraph: writes from an ended run or to a
// deleted thread are refused (no resurrection), retention keeps the newest
// checkpoints, the one-active-run rule holds for graph runs, and a chat
// graph's messages are stored once, as the thread's chat_messages.
import Database from 'better-sqlite3';
import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { ChatflowSaver } from 'chatflow/langgraph';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';

let db;
let saver;
const sql = (q, ...args) => db.prepare(q).pluck().get(...args);
const rows = (q, ...args) => db.prepare(q).all(...args);

beforeEach(() => {
  db = new Database(':memory:');
  saver = new ChatflowSaver(db, { owner: 'acme' });
  saver.setup();
  sql("SELECT chatflow_clock('2026-01-01T00:00:00.000Z')");
});
afterEach(() => db.close());

// A chat graph: the bot answers each user message with its length.
function chatGraph(checkpointer) {
  return new StateGraph(MessagesAnnotation)
    .addNode('bot', (state) => {
      const last = state.messages[state.messages.length - 1];
      return { messages: [new AIMessage(`you said ${String(last.content).length} characters`)] };
    })
    .addEdge(START, 'bot')
    .addEdge('bot', END)
    .compile({ checkpointer });
}

function put(threadId, config = {}) {
  const checkpoint = { ...emptyCheckpoint(), id: uuid6(0) };
  return saver.put({ configurable: { thread_id: threadId, checkpoint_ns: '', ...config } }, checkpoint,
    { source: 'input', step: -1, parents: {} }, {});
}

describe('threads are conversations', () => {
  test('the first put creates the conversation, owned as the saver says', async () => {
    await put('support-1');
    expect(rows("SELECT uid, owner FROM chat_conversations")).toEqual([{ uid: 'support-1', owner: 'acme' }]);
  });

  test('a put, a blob or a write to a deleted thread is refused, and leaves nothing', async () => {
    const config = await put('support-1');
    sql('SELECT delete_conversation(1)');
    await expect(put('support-1')).rejects.toThrow(
      "chatflow: thread 'support-1' (conversation 1) is deleted; it takes no checkpoints until restore_conversation(1)");
    await expect(saver.putWrites(config, [['answer', 42]], 'task-1')).rejects.toThrow(/is deleted/);
    expect(sql('SELECT count(*) FROM langgraph_checkpoints')).toBe(1);
    expect(sql('SELECT count(*) FROM langgraph_writes')).toBe(0);
    sql('SELECT restore_conversation(1)');
    await put('support-1');
    expect(sql('SELECT count(*) FROM langgraph_checkpoints')).toBe(2);
  });

  test('deleteThread: the checkpoints go, the conversation is deleted, a late write does not bring it back', async () => {
    const config = await put('support-1');
    sql("SELECT start_run(1, 'topical_map')");
    await saver.deleteThread('support-1');
    expect(await saver.getTuple({ configurable: { thread_id: 'support-1' } })).toBeUndefined();
    expect(rows('SELECT status, error FROM workflow_runs')).toEqual([{ status: 'cancelled', error: 'conversation deleted' }]);
    await expect(put('support-1')).rejects.toThrow(/is deleted/);
    await expect(saver.putWrites(config, [['answer', 42]], 'task-1')).rejects.toThrow(/is deleted/);
    expect(sql('SELECT count(*) FROM chat_conversations')).toBe(1);
    expect(sql('SELECT count(*) FROM langgraph_checkpoints')).toBe(0);
  });

  test("a saver with an owner sees only that owner's threads", async () => {
    const other = new ChatflowSaver(db, { owner: 'other' });
    const config = await put('support-1');
    await expect(
      other.put({ configurable: { thread_id: 'support-1', checkpoint_ns: '' } }, { ...emptyCheckpoint(), id: uuid6(0) },
        { source: 'input', step: -1, parents: {} }, {}),
    ).rejects.toThrow("chatflow: thread 'support-1' belongs to another owner, not 'other'");
    await expect(other.putWrites(config, [['answer', 42]], 'task-1')).rejects.toThrow(
      "chatflow: thread 'support-1' belongs to another owner, not 'other'");
    expect(await other.getTuple({ configurable: { thread_id: 'support-1' } })).toBeUndefined();
    expect(await other.getTuple(config)).toBeUndefined();
    const listed = [];
    for await (const t of other.list({ configurable: {} })) listed.push(t);
    expect(listed).toEqual([]);
    await other.deleteThread('support-1');
    expect(sql('SELECT count(*) FROM langgraph_checkpoints')).toBe(1);
    expect(sql('SELECT deleted_at FROM chat_conversations')).toBe(null);
    // the owner's saver still reads it, by id and as the newest
    expect((await saver.getTuple(config)).config.configurable.checkpoint_id).toBe(config.configurable.checkpoint_id);
    expect((await saver.getTuple({ configurable: { thread_id: 'support-1' } })).config.configurable.checkpoint_id)
      .toBe(config.configurable.checkpoint_id);
    // a null namespace is the root one, with an owner as without (not the
    // newest checkpoint of any namespace)
    const sub = await saver.put({ configurable: { thread_id: 'support-1', checkpoint_ns: 'sub:1' } },
      { ...emptyCheckpoint(), id: uuid6(0) }, { source: 'loop', step: 0, parents: {} }, {});
    expect((await saver.getTuple({ configurable: { thread_id: 'support-1', checkpoint_ns: null } })).config.configurable)
      .toEqual(config.configurable);
    // another namespace, newest or by id: the owner's saver reads it, the
    // other's finds nothing
    expect((await saver.getTuple({ configurable: { thread_id: 'support-1', checkpoint_ns: 'sub:1' } })).config.configurable)
      .toEqual(sub.configurable);
    expect((await saver.getTuple(sub)).config.configurable).toEqual(sub.configurable);
    expect(await saver.getTuple({ configurable: { ...sub.configurable, checkpoint_ns: '' } })).toBeUndefined();
    expect(await other.getTuple({ configurable: { thread_id: 'support-1', checkpoint_ns: 'sub:1' } })).toBeUndefined();
    expect(await other.getTuple(sub)).toBeUndefined();
    expect(await other.getTuple({ configurable: { thread_id: 'support-1', checkpoint_ns: null } })).toBeUndefined();
    // an owner chatflow refuses is refused by getTuple too
    await expect(new ChatflowSaver(db, { owner: '' }).getTuple(config)).rejects.toThrow(
      'chatflow: owner must not be empty');
    // a saver without an owner checks nothing
    const any = new ChatflowSaver(db);
    expect((await any.getTuple({ configurable: { thread_id: 'support-1' } })).config.configurable.checkpoint_id)
      .toBe(config.configurable.checkpoint_id);
  });

  test('bad input is refused with an error that names it', async () => {
    await expect(put('x'.repeat(65))).rejects.toThrow(
      'chatflow: thread_id is 65 characters, longer than the limit of 64');
    await expect(saver.putWrites({ configurable: { thread_id: 'nope', checkpoint_id: 'c' } }, [['a', 1]], 't'))
      .rejects.toThrow("chatflow: unknown thread 'nope'");
    await put('support-1');
    await expect(saver.putWrites({ configurable: { thread_id: 'support-1', checkpoint_id: 'c-9' } }, [['a', 1]], 't'))
      .rejects.toThrow("chatflow: unknown checkpoint 'c-9' in thread 'support-1' (namespace '')");
  });
});

describe('the database', () => {
  test('a node:sqlite DatabaseSync is refused when the saver is made, not at its first put', async () => {
    const refused = 'chatflow: ChatflowSaver needs a better-sqlite3 Database, not a node:sqlite DatabaseSync ' +
      '(load(db) takes one, ChatflowSaver does not): open the file with better-sqlite3';
    // node:sqlite is Node 22's; under Node 20 an object of that class name,
    // with prepare() and no transaction(), as a DatabaseSync has
    let sync;
    try {
      const { DatabaseSync } = await import('node:sqlite');
      sync = new DatabaseSync(':memory:', { allowExtension: true });
    } catch {
      sync = new (class DatabaseSync { prepare() {} })();
    }
    expect(() => new ChatflowSaver(sync)).toThrow(refused);
    expect(() => new ChatflowSaver({ prepare() {} })).toThrow(
      'chatflow: ChatflowSaver needs a better-sqlite3 Database, got an object without transaction()');
    expect(() => new ChatflowSaver(null)).toThrow('chatflow: ChatflowSaver needs a better-sqlite3 Database');
  });
});

describe('runs', () => {
  test('a put or a write from a run that ended is refused', async () => {
    await put('support-1');
    const run = sql("SELECT start_run(1, 'topical_map')");
    const config = await put('support-1', { chatflow_run_id: run });
    expect(sql('SELECT run_id FROM langgraph_checkpoints ORDER BY id DESC LIMIT 1')).toBe(run);
    sql('SELECT complete_run(?)', run);
    await expect(put('support-1', { chatflow_run_id: run })).rejects.toThrow(
      "chatflow: run 1 is completed; thread 'support-1' takes no more checkpoints from it");
    await expect(saver.putWrites({ configurable: { ...config.configurable, chatflow_run_id: run } }, [['a', 1]], 't'))
      .rejects.toThrow(/run 1 is completed/);
    expect(sql('SELECT count(*) FROM langgraph_checkpoints')).toBe(2);
  });

  test('the one-active-run rule, through graph runs', async () => {
    const graph = chatGraph(saver);
    const thread = { thread_id: 'support-1' };
    // the first turn creates the thread's conversation; each graph run after
    // it is a chatflow run of that conversation
    await graph.invoke({ messages: [new HumanMessage('hello')] }, { configurable: thread });
    const conv = sql("SELECT conversation_by_uid('support-1')");
    const run = sql("SELECT start_run(?, 'topical_map')", conv);
    await graph.invoke({ messages: [new HumanMessage('second')] }, { configurable: { ...thread, chatflow_run_id: run } });
    // a second graph run on the thread while the first is active: refused
    expect(() => sql("SELECT start_run(?, 'topical_map')", conv)).toThrow(
      `chatflow: conversation ${conv} already has an active run ${run} (started)`);
    sql('SELECT complete_run(?)', run);
    // the ended run cannot write any more; a new one can
    await expect(graph.invoke({ messages: [new HumanMessage('late')] }, { configurable: { ...thread, chatflow_run_id: run } }))
      .rejects.toThrow(`chatflow: run ${run} is completed`);
    const next = sql("SELECT start_run(?, 'topical_map')", conv);
    const out = await graph.invoke({ messages: [new HumanMessage('third')] }, { configurable: { ...thread, chatflow_run_id: next } });
    expect(out.messages.map((m) => m.content)).toEqual([
      'hello', 'you said 5 characters', 'second', 'you said 6 characters', 'third', 'you said 5 characters',
    ]);
    expect(rows('SELECT run_id, count(*) AS n FROM chat_messages GROUP BY run_id ORDER BY run_id')).toEqual([
      { run_id: null, n: 2 }, { run_id: run, n: 2 }, { run_id: next, n: 2 },
    ]);
  });
});

describe('a chat graph', () => {
  test('three turns: the state round-trips, the messages are chat_messages, stored once', async () => {
    const graph = chatGraph(saver);
    const config = { configurable: { thread_id: 'support-1' } };
    for (const text of ['Hi', 'What is sourdough?', 'Thanks!']) {
      await graph.invoke({ messages: [new HumanMessage(text)] }, config);
    }
    const state = await graph.getState(config);
    expect(state.values.messages.map((m) => [m.getType(), m.content])).toEqual([
      ['human', 'Hi'], ['ai', 'you said 2 characters'],
      ['human', 'What is sourdough?'], ['ai', 'you said 18 characters'],
      ['human', 'Thanks!'], ['ai', 'you said 7 characters'],
    ]);
    // readable as chatflow history, with the messages' own ids as uids
    const history = rows('SELECT role, content FROM chat_history(1)');
    expect(history).toEqual([
      { role: 'user', content: 'Hi' }, { role: 'assistant', content: 'you said 2 characters' },
      { role: 'user', content: 'What is sourdough?' }, { role: 'assistant', content: 'you said 18 characters' },
      { role: 'user', content: 'Thanks!' }, { role: 'assistant', content: 'you said 7 characters' },
    ]);
    expect(rows('SELECT uid FROM chat_messages ORDER BY seq').map((r) => r.uid))
      .toEqual(state.values.messages.map((m) => m.id));
    // every version of the messages channel is a reference, not a copy
    const blobs = rows("SELECT type, CAST(value AS TEXT) AS value FROM langgraph_blobs WHERE channel = 'messages' ORDER BY version");
    expect(blobs.every((b) => b.type === 'chatflow-messages')).toBe(true);
    expect(blobs.map((b) => JSON.parse(b.value).chatflow_messages)).toContain(6);
    // a new saver (another process) reads the same state from the database
    const other = new ChatflowSaver(db);
    const again = await chatGraph(other).getState(config);
    expect(again.values.messages.map((m) => m.content)).toEqual(state.values.messages.map((m) => m.content));
    // and history from an earlier checkpoint is the prefix it had
    const history3 = [];
    for await (const s of graph.getStateHistory(config)) history3.push(s.values.messages?.length ?? 0);
    expect(history3.slice(0, 3)).toEqual([6, 5, 4]);
  });

  test('tool calls and their results are chatflow tool calls, and chat_history_json an OpenAI array', async () => {
    // the bot asks a tool, the tool answers, the bot answers the user
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('bot', (state) => {
        const last = state.messages[state.messages.length - 1];
        if (last.getType() === 'tool') return { messages: [new AIMessage(`It is ${last.content}.`)] };
        return {
          messages: [new AIMessage({ content: '', tool_calls: [{ id: 'call-1', name: 'clock', args: { tz: 'UTC' } }] })],
        };
      })
      .addNode('tools', () => ({ messages: [new ToolMessage({ content: '12:00', tool_call_id: 'call-1' })] }))
      .addEdge(START, 'bot')
      .addConditionalEdges('bot', (state) => (state.messages.at(-1).tool_calls?.length ? 'tools' : END))
      .addEdge('tools', 'bot')
      .compile({ checkpointer: saver });
    const config = { configurable: { thread_id: 'support-1' } };
    await graph.invoke({ messages: [new HumanMessage('What time is it?')] }, config);
    const state = await graph.getState(config);
    expect(state.values.messages.map((m) => m.getType())).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(state.values.messages[1].tool_calls).toMatchObject([{ id: 'call-1', name: 'clock', args: { tz: 'UTC' } }]);
    expect(JSON.parse(sql('SELECT chat_history_json(1)'))).toEqual([
      { role: 'user', content: 'What time is it?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call-1', type: 'function', function: { name: 'clock', arguments: '{"tz":"UTC"}' } }] },
      { role: 'tool', content: '12:00', tool_call_id: 'call-1' },
      { role: 'assistant', content: 'It is 12:00.' },
    ]);
    const types = rows("SELECT DISTINCT type FROM langgraph_blobs WHERE channel = 'messages'").map((r) => r.type);
    expect(types).toEqual(['chatflow-messages']);
  });

  test("a message's text blocks are its content as LangChain's message.text joins them", async () => {
    // Anthropic's answer with citations: one sentence cut into text blocks
    const answer = new AIMessage({
      content: [
        { type: 'text', text: 'The sourdough needs ' },
        { type: 'text', text: '12 hours', citations: [{ type: 'char_location', cited_text: 'rest 12 hours' }] },
        { type: 'text', text: ' to rise.' },
      ],
    });
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('bot', () => ({ messages: [answer] }))
      .addEdge(START, 'bot')
      .addEdge('bot', END)
      .compile({ checkpointer: saver });
    const config = { configurable: { thread_id: 'support-1' } };
    await graph.invoke({ messages: [new HumanMessage({ content: [{ type: 'text', text: 'How long' }, { type: 'text', text: ' does it rise?' }] })] }, config);
    const state = await graph.getState(config);
    expect(state.values.messages.map((m) => m.text)).toEqual(['How long does it rise?', 'The sourdough needs 12 hours to rise.']);
    expect(rows('SELECT role, content FROM chat_history(1)')).toEqual([
      { role: 'user', content: 'How long does it rise?' },
      { role: 'assistant', content: 'The sourdough needs 12 hours to rise.' },
    ]);
  });

  test('a message list that is not the conversation history is stored whole, and still round-trips', async () => {
    const graph = chatGraph(saver);
    const config = { configurable: { thread_id: 'support-1' } };
    await graph.invoke({ messages: [new HumanMessage('Hi')] }, config);
    // someone else writes to the conversation: the graph's list is no longer its history
    sql("SELECT add_message(1, 'user', 'from another app')");
    await graph.invoke({ messages: [new HumanMessage('Again')] }, config);
    const state = await graph.getState(config);
    expect(state.values.messages.map((m) => m.content)).toEqual(['Hi', 'you said 2 characters', 'Again', 'you said 5 characters']);
    const last = rows("SELECT type FROM langgraph_blobs WHERE channel = 'messages'");
    expect(last.some((b) => b.type === 'json')).toBe(true);
  });

  test('retention keeps the newest checkpoints, and the graph goes on from them', async () => {
    const graph = chatGraph(saver);
    const config = { configurable: { thread_id: 'support-1' } };
    for (const text of ['one', 'two', 'three']) await graph.invoke({ messages: [new HumanMessage(text)] }, config);
    const before = sql('SELECT count(*) FROM langgraph_checkpoints');
    expect(before).toBeGreaterThan(2);
    const blobs = sql('SELECT count(*) FROM langgraph_blobs');
    let deleted = 0;
    for (let n; (n = sql('SELECT langgraph_prune_checkpoints(2, 1)')) > 0;) deleted += n;
    expect(sql('SELECT count(*) FROM langgraph_checkpoints')).toBe(2);
    // the rows deleted: checkpoints, and the channel values only they named
    expect(deleted).toBe(before - 2 + blobs - sql('SELECT count(*) FROM langgraph_blobs'));
    expect(sql('SELECT count(*) FROM langgraph_blobs')).toBeLessThan(blobs);
    const state = await graph.getState(config);
    expect(state.values.messages).toHaveLength(6);
    await graph.invoke({ messages: [new HumanMessage('four')] }, config);
    expect((await graph.getState(config)).values.messages).toHaveLength(8);
    expect(sql('SELECT count(*) FROM chat_messages')).toBe(8);
  });
});

describe('list', () => {
  test('a config that names a checkpoint lists that checkpoint (as MemorySaver and SqliteSaver do)', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const checkpoint = { ...emptyCheckpoint(), id: uuid6(i) };
      await saver.put({ configurable: { thread_id: 't1', checkpoint_ns: '' } }, checkpoint,
        { source: 'loop', step: i, parents: {} }, {});
      ids.push(checkpoint.id);
    }
    const listed = [];
    for await (const t of saver.list({ configurable: { thread_id: 't1', checkpoint_id: ids[1] } })) {
      listed.push(t.config.configurable.checkpoint_id);
    }
    expect(listed).toEqual([ids[1]]);
    const all = [];
    for await (const t of saver.list({ configurable: { thread_id: 't1' } })) all.push(t.config.configurable.checkpoint_id);
    expect(all).toEqual([...ids].reverse());
  });
});

describe('another connection holds the write lock', () => {
  // put and putWrites wait in the busy handler: their transaction reads the
  // thread's messages before it writes, so a deferred BEGIN could not wait
  // (SQLite fails the upgrade of a read transaction at once).
  test('put with messages and putWrites wait for it and succeed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chatflow-lg-lock-'));
    const file = join(dir, 'lock.db');
    const fileDb = new Database(file);
    try {
      fileDb.pragma('journal_mode = wal');
      fileDb.pragma('busy_timeout = 5000');
      const fileSaver = new ChatflowSaver(fileDb, { owner: 'acme' });
      fileSaver.setup();
      const config = { configurable: { thread_id: 'locked-1', checkpoint_ns: '' } };
      const first = { ...emptyCheckpoint(), id: uuid6(0) };
      first.channel_values = { messages: [new HumanMessage({ content: 'Hi', id: 'm-1' })] };
      first.channel_versions = { messages: 1 };
      await fileSaver.put(config, first, { source: 'input', step: -1, parents: {} }, { messages: 1 });
      // another process takes the write lock for 1.5 s (the writer here
      // blocks this thread while it waits, so the holder cannot be in it;
      // 1.5 s so that a loaded machine's delay between the holder's
      // "locked" and the put, which comes out of the measured wait, does
      // not bring the wait under 250 ms: with 400 ms it once measured 55)
      const holdLock = async () => {
        const holder = spawn(process.execPath, ['-e', `
          const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
          const db = new Database(${JSON.stringify(file)});
          db.exec('BEGIN IMMEDIATE');
          process.stdout.write('locked\\n');
          setTimeout(() => { db.exec('COMMIT'); db.close(); }, 1500);`]);
        await new Promise((resolve, reject) => {
          holder.stdout.once('data', resolve);
          holder.once('error', reject);
        });
        // (in an object: an async function's returned promise would be awaited with it)
        return { exited: new Promise((resolve) => holder.once('exit', resolve)) };
      };
      const second = { ...emptyCheckpoint(), id: uuid6(1) };
      second.channel_values = {
        messages: [new HumanMessage({ content: 'Hi', id: 'm-1' }), new AIMessage({ content: 'Hello', id: 'm-2' })],
      };
      second.channel_versions = { messages: 2 };
      let released = await holdLock();
      let t0 = Date.now();
      const saved = await fileSaver.put({ configurable: { ...config.configurable, checkpoint_id: first.id } }, second,
        { source: 'loop', step: 0, parents: {} }, { messages: 2 });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      await released.exited;
      released = await holdLock();
      t0 = Date.now();
      await fileSaver.putWrites(saved, [['answer', 42]], 'task-1');
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
      await released.exited;
      expect(fileDb.prepare('SELECT count(*) FROM langgraph_checkpoints').pluck().get()).toBe(2);
      expect(fileDb.prepare('SELECT count(*) FROM langgraph_writes').pluck().get()).toBe(1);
      expect(fileDb.prepare('SELECT group_concat(content, \'|\') FROM chat_messages').pluck().get()).toBe('Hi|Hello');
    } finally {
      fileDb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
