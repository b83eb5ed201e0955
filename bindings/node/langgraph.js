'use strict';
// chatflow/langgraph: ChatflowSaver, a LangGraph checkpointer (a
// BaseCheckpointSaver of @langchain/langgraph-checkpoint) that keeps its
// checkpoints in chatflow, on a better-sqlite3 Database.
//
//   const Database = require('better-sqlite3');
//   const { ChatflowSaver } = require('chatflow/langgraph');
//   const saver = new ChatflowSaver(new Database('app.db'));
//   const graph = builder.compile({ checkpointer: saver });
//   await graph.invoke(input, { configurable: { thread_id: conversationUid } });
//
// A thread is a chatflow conversation: thread_id is its uid, and the first
// put of an unknown thread creates the conversation (owner: the option
// `owner`, default 'langgraph').  With the option `owner`, the saver sees
// only that owner's threads: another owner's reads as unknown (getTuple,
// list, deleteThread) and a write to it is refused.  Channel values are stored once per
// (channel, version), so a checkpoint costs what changed; with the option
// `messages` (a channel name, default 'messages'), a channel holding
// LangChain messages is stored as the conversation's chat_messages, each
// message once, and the checkpoint keeps only how many of them it holds
// (see docs/langgraph.md).  configurable.chatflow_run_id names the chatflow
// run a graph run belongs to: its checkpoints and writes are refused once
// that run has ended.  deleteThread deletes the thread's checkpoints and
// soft-deletes its conversation, so a late write cannot bring it back.
//
// Every call runs the langgraph_* SQL functions of chatflow; errors are
// chatflow's (`chatflow: ...`).

const {
  BaseCheckpointSaver,
  TASKS,
  WRITES_IDX_MAP,
  copyCheckpoint,
  maxChannelVersion,
} = require('@langchain/langgraph-checkpoint');
const { load } = require('./index.js');

const MESSAGES_TYPE = 'chatflow-messages';

function toBuffer(bytes) {
  if (Buffer.isBuffer(bytes)) return bytes;
  if (typeof bytes === 'string') return Buffer.from(bytes, 'utf8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBytes(buf) {
  return new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

// The role chatflow stores for a LangChain message type.
const ROLES = { human: 'user', ai: 'assistant', system: 'system', tool: 'tool', developer: 'system' };

function messageRole(m) {
  const t = typeof m._getType === 'function' ? m._getType() : m.type;
  return ROLES[t];
}

// The text chatflow stores for a message: its text blocks joined as they
// are, with nothing between them, as LangChain's own message.text joins
// them (consecutive blocks are one text: Anthropic's answer with citations
// is a sentence cut into blocks at each cited passage).
function messageText(m) {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) {
    return m.content
      .filter((p) => p && typeof p === 'object' && p.type === 'text' && typeof p.text === 'string')
      .map((p) => p.text)
      .join('');
  }
  return '';
}

class ChatflowSaver extends BaseCheckpointSaver {
  /**
   * @param db a better-sqlite3 Database (chatflow is loaded into it when it
   *   is not yet, and chatflow_init() is run once)
   * @param options { owner?, messages?: string | false, serde? }
   */
  constructor(db, options = {}) {
    super(options.serde);
    if (db === null || typeof db !== 'object' || typeof db.prepare !== 'function') {
      throw new TypeError('chatflow: ChatflowSaver needs a better-sqlite3 Database');
    }
    // a node:sqlite DatabaseSync has prepare() too, but no transaction():
    // refused here, not at the first put ('this.db.transaction is not a
    // function')
    if (typeof db.transaction !== 'function') {
      const name = db.constructor && db.constructor.name;
      throw new TypeError(
        'chatflow: ChatflowSaver needs a better-sqlite3 Database' +
          (name === 'DatabaseSync'
            ? ', not a node:sqlite DatabaseSync (load(db) takes one, ChatflowSaver does not): open the file with better-sqlite3'
            : ', got an object without transaction()'),
      );
    }
    this.db = db;
    this.owner = options.owner;
    this.messagesChannel = options.messages === undefined ? 'messages' : options.messages;
    this.isSetup = false;
    // message objects known to be stored unchanged: object -> uid
    this.storedMessages = new WeakMap();
  }

  setup() {
    if (this.isSetup) return;
    const db = this.db;
    try {
      db.prepare('SELECT chatflow_version()').get();
    } catch (err) {
      load(db);
    }
    db.prepare('SELECT chatflow_init()').get();
    this.sql = {
      put: db.prepare('SELECT langgraph_put(?, ?, ?, ?, ?) AS conversation_id'),
      blob: db.prepare('SELECT langgraph_put_blob(?, ?, ?, ?, ?)'),
      write: db.prepare('SELECT langgraph_put_write(?, ?, ?, ?, ?, ?, ?)'),
      get: db.prepare('SELECT * FROM langgraph_get(?, ?, ?, ?)'),
      list: db.prepare('SELECT * FROM langgraph_list(?, ?)'),
      deleteThreadOwned: db.prepare('SELECT langgraph_delete_thread(?, ?)'),
      values: db.prepare('SELECT channel, type, value FROM langgraph_channel_values(?, ?, ?)'),
      writes: db.prepare('SELECT task_id, channel, type, value FROM langgraph_pending_writes(?, ?, ?)'),
      deleteThread: db.prepare('SELECT langgraph_delete_thread(?)'),
      conversation: db.prepare(
        'SELECT id, last_seq FROM chat_conversations WHERE uid = ?',
      ),
      createConversation: db.prepare(
        "SELECT create_conversation(?, NULL, json_object('uid', ?)) AS id",
      ),
      messageAt: db.prepare(
        "SELECT uid, json_extract(metadata, '$.langgraph') AS message FROM chat_messages" +
          ' WHERE conversation_id = ? AND seq = ?',
      ),
      messagesUpTo: db.prepare(
        "SELECT seq, json_extract(metadata, '$.langgraph') AS message FROM chat_messages" +
          ' WHERE conversation_id = ? AND seq <= ? ORDER BY seq',
      ),
      addMessage: db.prepare('SELECT add_message(?, ?, ?, ?) AS id'),
    };
    this.isSetup = true;
  }

  async getTuple(config) {
    this.setup();
    const { thread_id, checkpoint_ns = '', checkpoint_id } = config.configurable ?? {};
    if (thread_id === undefined || thread_id === null) return undefined;
    // a null checkpoint_ns is the root namespace, as langgraph_get reads
    // a NULL one; with an owner, another owner's thread has no row
    const row = this.sql.get.get(
      String(thread_id),
      checkpoint_ns,
      checkpoint_id === undefined || checkpoint_id === null ? null : String(checkpoint_id),
      this.owner === undefined ? null : JSON.stringify({ owner: this.owner }),
    );
    if (row === undefined) return undefined;
    return this._tuple(row);
  }

  async *list(config, options) {
    this.setup();
    const { limit, before, filter } = options ?? {};
    const thread_id = config.configurable?.thread_id;
    const checkpoint_ns = config.configurable?.checkpoint_ns;
    const opts = {};
    if (this.owner !== undefined) opts.owner = this.owner;
    if (checkpoint_ns !== undefined && checkpoint_ns !== null) opts.checkpoint_ns = checkpoint_ns;
    // the checkpoint the config names, if any (as SqliteSaver and MemorySaver list)
    const checkpoint_id = config.configurable?.checkpoint_id;
    if (checkpoint_id !== undefined && checkpoint_id !== null) opts.checkpoint_id = String(checkpoint_id);
    if (before?.configurable?.checkpoint_id !== undefined) opts.before = before.configurable.checkpoint_id;
    if (limit) opts.limit = parseInt(limit, 10);
    if (filter) {
      const f = Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
      if (Object.keys(f).length > 0) opts.filter = f;
    }
    const rows = this.sql.list.all(
      thread_id === undefined || thread_id === null ? null : String(thread_id),
      JSON.stringify(opts),
    );
    for (const row of rows) yield await this._tuple(row);
  }

  async put(config, checkpoint, metadata, newVersions) {
    this.setup();
    if (!config.configurable) throw new Error('Empty configuration supplied.');
    const thread_id = config.configurable.thread_id;
    const checkpoint_ns = config.configurable.checkpoint_ns ?? '';
    const parent = config.configurable.checkpoint_id;
    const run_id = config.configurable.chatflow_run_id;
    if (!thread_id) throw new Error('Missing "thread_id" field in passed "config.configurable".');
    const thread = String(thread_id);
    const copy = copyCheckpoint(checkpoint);
    const values = copy.channel_values ?? {};
    delete copy.channel_values;
    const [type, bytes] = await this.serde.dumpsTyped(copy);
    const [metaType, metaBytes] = await this.serde.dumpsTyped(metadata ?? {});
    if (metaType !== 'json') throw new Error(`chatflow: metadata must serialize to JSON, got ${metaType}`);
    const blobs = [];
    for (const [channel, version] of Object.entries(newVersions ?? {})) {
      if (!(channel in values)) {
        blobs.push([channel, String(version), 'empty', Buffer.alloc(0)]);
      } else if (checkpoint_ns === '' && channel === this.messagesChannel && this._isMessageList(values[channel])) {
        blobs.push([channel, String(version), MESSAGES_TYPE, null, values[channel]]);
      } else {
        const [t, b] = await this.serde.dumpsTyped(values[channel]);
        blobs.push([channel, String(version), t, toBuffer(b)]);
      }
    }
    // serialized outside the transaction: the messages not stored yet
    const pending = [];
    for (const blob of blobs) {
      if (blob[2] !== MESSAGES_TYPE) continue;
      for (const m of blob[4]) {
        if (this.storedMessages.has(m)) continue;
        const [, b] = await this.serde.dumpsTyped(m);
        pending.push([m, Buffer.from(b).toString('utf8')]);
      }
    }
    const serialized = new Map(pending);
    const versions = JSON.stringify(copy.channel_versions ?? {});
    const opts = { checkpoint_ns, type };
    if (this.owner !== undefined) opts.owner = this.owner;
    if (run_id !== undefined && run_id !== null) opts.run_id = run_id;
    // a list that is not the conversation's history is stored whole: then
    // the transaction is tried again with the lists serialized
    let inline = null;
    for (;;) {
      try {
        this._putIn(thread, checkpoint.id, blobs, serialized, inline, bytes, metaBytes, parent, opts, versions);
        break;
      } catch (err) {
        if (!(err instanceof NeedInline) || inline !== null) throw err;
        inline = new Map();
        for (const blob of blobs) {
          if (blob[2] === MESSAGES_TYPE) inline.set(blob[4], await this.serde.dumpsTyped(blob[4]));
        }
      }
    }
    return { configurable: { thread_id, checkpoint_ns, checkpoint_id: checkpoint.id } };
  }

  // BEGIN IMMEDIATE (.immediate()): the transaction reads the thread's
  // messages before it writes, and a deferred transaction that has read
  // cannot wait for the write lock (SQLite fails the upgrade at once,
  // whatever the busy timeout); inside a caller's transaction it is a
  // SAVEPOINT, as any better-sqlite3 transaction.
  _putIn(thread, checkpointId, blobs, serialized, inline, bytes, metaBytes, parent, opts, versions) {
    this.db.transaction(() => {
      for (const [channel, version, t, b, list] of blobs) {
        let value = b;
        let blobType = t;
        if (t === MESSAGES_TYPE) {
          const ref = inline === null ? this._storeMessages(thread, list, serialized, opts) : null;
          if (ref === null) {
            if (inline === null) throw new NeedInline();
            const [t2, b2] = inline.get(list);
            value = toBuffer(b2);
            blobType = t2;
          } else {
            value = Buffer.from(JSON.stringify(ref));
          }
        }
        this.sql.blob.get(thread, channel, version, value, JSON.stringify({ ...opts, type: blobType }));
      }
      this.sql.put.get(
        thread,
        checkpointId,
        toBuffer(bytes),
        Buffer.from(metaBytes).toString('utf8'),
        JSON.stringify({ ...opts, parent_checkpoint_id: parent ?? null, channel_versions: JSON.parse(versions) }),
      );
    }).immediate();
  }

  async putWrites(config, writes, taskId) {
    this.setup();
    if (!config.configurable) throw new Error('Empty configuration supplied.');
    const { thread_id, checkpoint_ns = '', checkpoint_id, chatflow_run_id } = config.configurable;
    if (!thread_id) throw new Error('Missing thread_id field in config.configurable.');
    if (!checkpoint_id) throw new Error('Missing checkpoint_id field in config.configurable.');
    const replace = writes.every(([channel]) => channel in WRITES_IDX_MAP);
    const rows = await Promise.all(
      writes.map(async ([channel, value], idx) => {
        const [type, bytes] = await this.serde.dumpsTyped(value);
        return [channel, WRITES_IDX_MAP[channel] ?? idx, type, toBuffer(bytes)];
      }),
    );
    this.db.transaction(() => {
      for (const [channel, idx, type, value] of rows) {
        const opts = { checkpoint_ns, type, replace };
        if (this.owner !== undefined) opts.owner = this.owner;
        if (chatflow_run_id !== undefined && chatflow_run_id !== null) opts.run_id = chatflow_run_id;
        this.sql.write.get(String(thread_id), checkpoint_id, taskId, idx, channel, value, JSON.stringify(opts));
      }
    }).immediate(); // (see _putIn)
  }

  async deleteThread(threadId) {
    this.setup();
    if (this.owner === undefined) this.sql.deleteThread.get(String(threadId));
    else this.sql.deleteThreadOwned.get(String(threadId), JSON.stringify({ owner: this.owner }));
  }

  // ---- internals

  async _tuple(row) {
    const thread = row.thread_id;
    const ns = row.checkpoint_ns;
    const checkpoint = await this.serde.loadsTyped(row.type, toBytes(row.checkpoint));
    const values = {};
    for (const v of this.sql.values.all(thread, row.checkpoint_id, ns)) {
      if (v.type === 'empty') continue;
      if (v.type === MESSAGES_TYPE) {
        values[v.channel] = await this._loadMessages(row.conversation_id, JSON.parse(v.value.toString('utf8')));
      } else {
        values[v.channel] = await this.serde.loadsTyped(v.type, toBytes(v.value));
      }
    }
    checkpoint.channel_values = values;
    const pendingWrites = [];
    for (const w of this.sql.writes.all(thread, row.checkpoint_id, ns)) {
      pendingWrites.push([w.task_id, w.channel, await this.serde.loadsTyped(w.type, toBytes(w.value))]);
    }
    if (checkpoint.v < 4 && row.parent_checkpoint_id != null) {
      // before v4, sends were pending writes of the parent checkpoint
      const sends = [];
      for (const w of this.sql.writes.all(thread, row.parent_checkpoint_id, ns)) {
        if (w.channel === TASKS) sends.push(await this.serde.loadsTyped(w.type, toBytes(w.value)));
      }
      checkpoint.channel_values[TASKS] = sends;
      checkpoint.channel_versions[TASKS] =
        Object.keys(checkpoint.channel_versions).length > 0
          ? maxChannelVersion(...Object.values(checkpoint.channel_versions))
          : this.getNextVersion(undefined);
    }
    return {
      config: { configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: row.checkpoint_id } },
      checkpoint,
      metadata: await this.serde.loadsTyped('json', row.metadata),
      parentConfig: row.parent_checkpoint_id
        ? { configurable: { thread_id: thread, checkpoint_ns: ns, checkpoint_id: row.parent_checkpoint_id } }
        : undefined,
      pendingWrites,
    };
  }

  _isMessageList(value) {
    return (
      Array.isArray(value) &&
      value.length > 0 &&
      value.every(
        (m) =>
          m !== null &&
          typeof m === 'object' &&
          typeof m.id === 'string' &&
          m.id.length > 0 &&
          m.id.length <= 128 &&
          messageRole(m) !== undefined &&
          typeof m.lc_serializable === 'boolean',
      )
    );
  }

  // Stores the messages of list as the thread's chat_messages, once each,
  // when list is the conversation's history so far (its messages in seq
  // order, possibly followed by new ones).  Returns the reference kept in
  // the blob, { chatflow_messages: n } (the messages with seq 1..n), or null
  // when list is not that history (a message edited or removed, the
  // conversation holding other messages, a message chatflow refuses): the
  // blob then holds the list itself.  In a savepoint of its own, so that a
  // refusal leaves nothing behind.
  _storeMessages(thread, list, serialized, opts) {
    try {
      return this.db.transaction(() => this._storeMessagesIn(thread, list, serialized, opts))();
    } catch (err) {
      if (err instanceof NotHistory || /^chatflow: /.test(String(err && err.message))) return null;
      throw err;
    }
  }

  _storeMessagesIn(thread, list, serialized, opts) {
    let conv = this.sql.conversation.get(thread);
    if (conv === undefined) {
      conv = { id: this.sql.createConversation.get(opts.owner ?? 'langgraph', thread).id, last_seq: 0 };
    }
    // the first last_seq messages must be the stored ones, seq 1, 2, ...
    if (list.length < conv.last_seq) throw new NotHistory();
    for (let i = 0; i < conv.last_seq; i++) {
      const m = list[i];
      const key = `${conv.id}:${i + 1}`;
      if (this.storedMessages.get(m) === key) continue;
      const stored = this.sql.messageAt.get(conv.id, i + 1);
      const json = serialized.get(m);
      if (stored === undefined || stored.uid !== m.id || json === undefined) throw new NotHistory();
      if (typeof stored.message !== 'string') throw new NotHistory();
      if (stored.message !== json && JSON.stringify(JSON.parse(stored.message)) !== json) throw new NotHistory();
      this.storedMessages.set(m, key);
    }
    for (let i = conv.last_seq; i < list.length; i++) {
      const m = list[i];
      const json = serialized.get(m);
      if (json === undefined) throw new NotHistory(); // known stored, but not here
      const options = { uid: m.id, metadata: { langgraph: JSON.parse(json) } };
      if (opts.run_id !== undefined) options.run_id = opts.run_id;
      const role = messageRole(m);
      // tool calls and results as chatflow keeps them, so that
      // chat_history_json is an OpenAI messages array
      if (role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
        options.tool_calls = m.tool_calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: JSON.stringify(c.args ?? {}) },
        }));
      }
      if (role === 'tool' && typeof m.tool_call_id === 'string') options.tool_call_id = m.tool_call_id;
      const text = messageText(m);
      if (text === '' && !options.tool_calls) options.parts = [{ type: 'data-langgraph', data: null }];
      this.sql.addMessage.get(conv.id, role, text, JSON.stringify(options));
      const seq = this.sql.conversation.get(thread).last_seq;
      if (seq !== i + 1) throw new NotHistory();
      this.storedMessages.set(m, `${conv.id}:${seq}`);
    }
    return { chatflow_messages: list.length };
  }

  async _loadMessages(conversationId, ref) {
    // one message at a time: LangGraph's reviver is slower on one array
    // of them (measured)
    const out = [];
    for (const row of this.sql.messagesUpTo.all(conversationId, ref.chatflow_messages)) {
      if (row.message === null) continue; // not the graph's (cannot be in a reference)
      const m = await this.serde.loadsTyped('json', row.message);
      this.storedMessages.set(m, `${conversationId}:${row.seq}`);
      out.push(m);
    }
    return out;
  }
}

// list is not the conversation's history (see _storeMessages).
class NotHistory extends Error {}
// put: a list must be stored whole, and was not serialized.
class NeedInline extends Error {}

exports.ChatflowSaver = ChatflowSaver;
