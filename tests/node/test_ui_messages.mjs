// The Vercel AI SDK's UIMessages through chatflow, in Node: dist/chatflow.so
// loaded into better-sqlite3, and the "ai" package itself checking what
// comes back (make test-node; tests/mk/node.mk installs the exact versions
// of tests/node/package.json into dist/node-test).
//
//   - realistic UIMessages (a user message with text and file parts; an
//     assistant message with step-start, reasoning, a tool-<name> part with
//     its output, a dynamic-tool part that failed, source-url,
//     source-document, data-<name> and text parts and usage metadata; tool
//     parts waiting for input and for an approval) stored with
//     add_ui_message and read back with chat_ui_messages: deep-equal to
//     what was sent;
//   - the package's validateUIMessages accepts what chat_ui_messages
//     returns, and convertToModelMessages turns it into model messages whose
//     tool calls, results and approval request carry the right ids;
//   - ids as JavaScript numbers (bound as REAL by better-sqlite3) work;
//   - the retry rule (the UIMessage id is the uid): the same message again
//     returns its id and writes nothing, different content is refused;
//   - malformed UIMessages refused with their exact error, nothing written;
//   - chat_history_json of the same conversation is an OpenAI messages
//     array (each tool message right after the assistant message that
//     calls it, arguments as strings; the user's image as an image_url
//     content item after the text);
//   - messages added with add_message (OpenAI tool_calls and a tool result)
//     read back as a tool-<name> part with its output, which the package
//     validates;
//   - docs/ai-sdk.md's route handler run with the package's mock model:
//     streamText(...).toUIMessageStreamResponse({ originalMessages,
//     generateMessageId, onFinish }) stores the answer (without
//     generateMessageId the id is "" and the refusal says so); onFinish
//     saving the whole list again writes nothing; regenerate() stores the
//     new answer under the question (parent_id).
//
// Environment: CHATFLOW_EXT (the extension, path without .so; default
// dist/chatflow), NODE_TEST_MODULES (the folder whose node_modules hold the
// packages; default dist/node-test).  Run it with make test-node.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXT = path.resolve(process.env.CHATFLOW_EXT || path.join(ROOT, 'dist/chatflow'));
const MODULES = path.resolve(process.env.NODE_TEST_MODULES || path.join(ROOT, 'dist/node-test'));
const requireFromModules = createRequire(path.join(MODULES, 'package.json'));
const Database = requireFromModules('better-sqlite3');
const { validateUIMessages, convertToModelMessages, streamText, createIdGenerator } = await import(
  pathToFileURL(requireFromModules.resolve('ai')).href
);
const { MockLanguageModelV3, convertArrayToReadableStream } = await import(
  pathToFileURL(path.join(path.dirname(requireFromModules.resolve('ai')), 'test/index.js')).href
);

// A fresh in-memory database with chatflow loaded and initialised.
function openDb() {
  const db = new Database(':memory:');
  db.loadExtension(EXT);
  db.prepare('SELECT chatflow_init()').get();
  return db;
}

// The single value of a one-column query.
function value(db, sql, ...args) {
  return db.prepare(sql).pluck().get(...args);
}

function addUi(db, conversationId, message) {
  return value(db, 'SELECT add_ui_message(?, ?)', conversationId, JSON.stringify(message));
}

function uiMessages(db, conversationId) {
  return JSON.parse(value(db, 'SELECT chat_ui_messages(?)', conversationId));
}

// What a failed write must leave unchanged.
function counts(db, conversationId) {
  return {
    rows: value(db, 'SELECT count(*) FROM chat_messages'),
    conversation: db
      .prepare('SELECT message_count, last_seq, total_tokens FROM chat_conversations WHERE id = ?')
      .get(conversationId),
  };
}

// UIMessages as useChat hands them to onFinish (the shapes of ai's
// UIMessage, UIMessagePart and UIToolInvocation types).
const USER_1 = {
  id: 'msg-user-1',
  role: 'user',
  parts: [
    { type: 'text', text: 'What is the weather in Lyon? Here is the sky right now.' },
    {
      type: 'file',
      mediaType: 'image/png',
      filename: 'sky.png',
      url: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    },
  ],
};

const ASSISTANT_1 = {
  id: 'msg-assistant-1',
  role: 'assistant',
  metadata: {
    model: 'gpt-4o-mini',
    createdAt: 1767225600000,
    finishReason: 'stop',
    usage: { inputTokens: 812, outputTokens: 95, totalTokens: 907, reasoningTokens: 31 },
  },
  parts: [
    { type: 'step-start' },
    { type: 'reasoning', text: 'The user wants the current weather: call getWeather.', state: 'done' },
    {
      type: 'tool-getWeather',
      toolCallId: 'call_weather_1',
      state: 'output-available',
      input: { city: 'Lyon', unit: 'celsius' },
      output: { temperature: 21.5, conditions: 'sunny', humidity: 0.4, alerts: [] },
    },
    { type: 'step-start' },
    {
      type: 'dynamic-tool',
      toolName: 'searchDocs',
      toolCallId: 'call_search_1',
      state: 'output-error',
      input: { query: 'Lyon climate normals', limit: 3 },
      errorText: 'search index unavailable',
    },
    { type: 'source-url', sourceId: 'src-1', url: 'https://weather.example/lyon', title: 'Lyon forecast' },
    {
      type: 'source-document',
      sourceId: 'src-2',
      mediaType: 'application/pdf',
      title: 'Climate report 2025',
      filename: 'climate-2025.pdf',
    },
    { type: 'data-weather', id: 'weather-1', data: { city: 'Lyon', temperature: 21.5, unit: 'C' } },
    { type: 'step-start' },
    { type: 'text', text: 'It is 21.5 °C and sunny in Lyon — no alerts. ☀️', state: 'done' },
  ],
};

const USER_2 = {
  id: 'msg-user-2',
  role: 'user',
  parts: [{ type: 'text', text: 'Find me a flight to Paris and cancel booking BK-7.' }],
};

// A client-side tool waiting for its result, and a tool waiting for the
// user's approval (approval: {id}, as streamed by tool-approval-request).
const ASSISTANT_2 = {
  id: 'msg-assistant-2',
  role: 'assistant',
  metadata: { model: 'gpt-4o-mini' },
  parts: [
    { type: 'step-start' },
    { type: 'text', text: 'Searching flights; cancelling needs your approval.', state: 'done' },
    {
      type: 'tool-searchFlights',
      toolCallId: 'call_flights_1',
      state: 'input-available',
      input: { from: 'LYS', to: 'CDG', date: '2026-02-01' },
    },
    {
      type: 'tool-cancelBooking',
      toolCallId: 'call_cancel_1',
      state: 'approval-requested',
      input: { bookingId: 'BK-7' },
      approval: { id: 'approval_cancel_1' },
    },
  ],
};

const SENT = [USER_1, ASSISTANT_1, USER_2, ASSISTANT_2];

// A conversation holding SENT; returns its id and the message ids.
function storeSent(db) {
  const conversationId = value(db, "SELECT create_conversation('acme')");
  const ids = SENT.map((m) => addUi(db, conversationId, m));
  return { conversationId, ids };
}

test("the fixtures pass the package's own validateUIMessages", async () => {
  await assert.doesNotReject(validateUIMessages({ messages: SENT }));
});

test('add_ui_message then chat_ui_messages gives back what was sent', () => {
  const db = openDb();
  const { conversationId, ids } = storeSent(db);
  assert.deepEqual(ids, [1, 2, 3, 4]);
  assert.deepEqual(uiMessages(db, conversationId), SENT);
  // the assistant's tokens come from its usage metadata (outputTokens)
  assert.equal(value(db, "SELECT tokens FROM chat_messages WHERE uid = 'msg-assistant-1'"), 95);
  // content is the text parts, for search and titles
  assert.equal(
    value(db, "SELECT content FROM chat_messages WHERE uid = 'msg-user-1'"),
    USER_1.parts[0].text,
  );
  assert.equal(
    value(db, 'SELECT message_count FROM chat_conversations WHERE id = ?', conversationId),
    SENT.length,
  );
});

test('validateUIMessages accepts what chat_ui_messages returns', async () => {
  const db = openDb();
  const { conversationId } = storeSent(db);
  const back = uiMessages(db, conversationId);
  const validated = await validateUIMessages({ messages: back });
  assert.deepEqual(validated, SENT);
});

test('convertToModelMessages turns it into model messages with the tool call ids', async () => {
  const db = openDb();
  const { conversationId } = storeSent(db);
  const model = await convertToModelMessages(uiMessages(db, conversationId));
  assert.deepEqual(
    model.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'user', 'assistant'],
  );
  const partsOf = (type) =>
    model.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((p) => p.type === type);
  assert.deepEqual(
    partsOf('tool-call').map((p) => [p.toolCallId, p.toolName, p.input]),
    [
      ['call_weather_1', 'getWeather', { city: 'Lyon', unit: 'celsius' }],
      ['call_search_1', 'searchDocs', { query: 'Lyon climate normals', limit: 3 }],
      ['call_flights_1', 'searchFlights', { from: 'LYS', to: 'CDG', date: '2026-02-01' }],
      ['call_cancel_1', 'cancelBooking', { bookingId: 'BK-7' }],
    ],
  );
  assert.deepEqual(
    partsOf('tool-result').map((p) => [p.toolCallId, p.output.type, p.output.value]),
    [
      ['call_weather_1', 'json', ASSISTANT_1.parts[2].output],
      ['call_search_1', 'error-text', 'search index unavailable'],
    ],
  );
  assert.deepEqual(
    partsOf('tool-approval-request').map((p) => [p.approvalId, p.toolCallId]),
    [['approval_cancel_1', 'call_cancel_1']],
  );
  // each tool message comes right after the assistant message that calls
  for (let i = 0; i < model.length; i++) {
    if (model[i].role !== 'tool') continue;
    const callIds = model[i - 1].content.filter((p) => p.type === 'tool-call').map((p) => p.toolCallId);
    for (const r of model[i].content) assert.ok(callIds.includes(r.toolCallId), r.toolCallId);
  }
  // the user's file goes to the model
  assert.equal(model[0].content.find((p) => p.type === 'file')?.mediaType, 'image/png');
});

test('an empty tool result (a side-effect tool) is a valid UIMessage output "" and a model tool result', async () => {
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  value(db, "SELECT add_message(?, 'user', 'Clear the cache.')", conversationId);
  value(
    db,
    "SELECT add_message(?, 'assistant', '', ?)",
    conversationId,
    JSON.stringify({
      tool_calls: [{ id: 'call_clear_1', type: 'function', function: { name: 'clearCache', arguments: '{}' } }],
    }),
  );
  value(db, "SELECT add_message(?, 'tool', '', '{\"tool_call_id\": \"call_clear_1\"}')", conversationId);
  const back = uiMessages(db, conversationId);
  const validated = await validateUIMessages({ messages: back });
  assert.deepEqual(validated[1].parts, [
    { type: 'tool-clearCache', toolCallId: 'call_clear_1', state: 'output-available', input: {}, output: '' },
  ]);
  const model = await convertToModelMessages(validated);
  assert.deepEqual(
    model.map((m) => m.role),
    ['user', 'assistant', 'tool'],
  );
  const result = model[2].content.find((p) => p.type === 'tool-result');
  assert.equal(result.toolCallId, 'call_clear_1');
  assert.equal(result.output.value, '');
});

test('ids as JavaScript numbers (bound as REAL) are accepted', () => {
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  assert.equal(typeof conversationId, 'number');
  assert.equal(value(db, 'SELECT typeof(?)', conversationId), 'real');
  const id = addUi(db, conversationId, USER_1);
  assert.equal(typeof id, 'number');
  assert.deepEqual(uiMessages(db, conversationId), [USER_1]);
  // with options, and with a BigInt id (bound as INTEGER): the same
  assert.equal(
    value(db, 'SELECT chat_ui_messages(?, ?)', conversationId, '{"max_tokens": 1000}'),
    value(db, 'SELECT chat_ui_messages(?)', BigInt(conversationId)),
  );
  assert.throws(() => addUi(db, conversationId + 0.5, USER_2), {
    name: 'SqliteError',
    message: 'chatflow: conversation id must be an integer id, got real 1.5',
  });
});

test('the UIMessage id is the retry key', () => {
  const db = openDb();
  const { conversationId, ids } = storeSent(db);
  const before = counts(db, conversationId);
  // onFinish saving the whole conversation again: the same ids, nothing written
  assert.deepEqual(SENT.map((m) => addUi(db, conversationId, m)), ids);
  assert.equal(addUi(db, conversationId, structuredClone(ASSISTANT_1)), ids[1]);
  assert.deepEqual(counts(db, conversationId), before);
  // the same id with other parts is refused, and writes nothing
  const changed = { ...USER_1, parts: [{ type: 'text', text: 'What is the weather in Paris?' }] };
  assert.throws(() => addUi(db, conversationId, changed), {
    name: 'SqliteError',
    message: `chatflow: message uid 'msg-user-1' already exists in conversation ${conversationId} with different content`,
  });
  assert.deepEqual(counts(db, conversationId), before);
  assert.deepEqual(uiMessages(db, conversationId), SENT);
});

test('malformed UIMessages are refused with their error and write nothing', () => {
  const db = openDb();
  const { conversationId } = storeSent(db);
  const text = [{ type: 'text', text: 'Hi' }];
  const cases = [
    [{ role: 'user', parts: text }, 'chatflow: UIMessage id must be a string of 1 to 128 characters, got none'],
    [
      { id: '', role: 'user', parts: text },
      "chatflow: UIMessage id must be a string of 1 to 128 characters, got text '' (the AI SDK leaves it empty without generateMessageId)",
    ],
    [{ id: 'x'.repeat(129), role: 'user', parts: text }, 'chatflow: UIMessage id must be a string of 1 to 128 characters, got 129 characters'],
    [{ id: 'm-tool', role: 'tool', parts: text }, "chatflow: UIMessage role must be system, user or assistant, got text 'tool'"],
    [{ id: 'm-norole', parts: text }, 'chatflow: UIMessage role must be system, user or assistant, got none'],
    [{ id: 'm-obj', role: 'user', parts: text[0] }, 'chatflow: UIMessage parts must be an array, got object'],
    [{ id: 'm-str', role: 'user', parts: 'Hi' }, "chatflow: UIMessage parts must be an array, got text 'Hi'"],
    [{ id: 'm-none', role: 'user' }, 'chatflow: UIMessage parts must be an array, got none'],
    [{ id: 'm-empty', role: 'user', parts: [] }, 'chatflow: UIMessage parts must not be empty'],
    [
      { id: 'm-meta', role: 'user', parts: text, metadata: ['gpt-4o'] },
      'chatflow: UIMessage metadata must be an object, got array',
    ],
    [
      {
        id: 'm-call',
        role: 'assistant',
        parts: [
          { type: 'step-start' },
          { type: 'tool-getWeather', state: 'output-available', input: { city: 'Lyon' }, output: 21 },
        ],
      },
      'chatflow: parts[1] (tool-getWeather) needs a "toolCallId": a string of 1 to 128 characters, got none',
    ],
    [
      {
        id: 'm-dyn',
        role: 'assistant',
        parts: [{ type: 'dynamic-tool', toolCallId: 'c1', state: 'input-available', input: {} }],
      },
      'chatflow: parts[0] (dynamic-tool) needs a "toolName": a string of 1 to 128 characters, got none',
    ],
    [
      {
        id: 'm-state',
        role: 'assistant',
        parts: [{ type: 'tool-getWeather', toolCallId: 'c1', state: 'done', input: {} }],
      },
      "chatflow: parts[0] (tool-getWeather) has the unknown state 'done' (expected input-streaming, " +
        'input-available, approval-requested, approval-responded, output-available, output-error, output-denied)',
    ],
    [['msg-user-1'], 'chatflow: UIMessage must be a JSON object {"id", "role", "parts", "metadata"?}'],
  ];
  const before = counts(db, conversationId);
  for (const [message, error] of cases) {
    assert.throws(() => addUi(db, conversationId, message), { name: 'SqliteError', message: error });
    assert.deepEqual(counts(db, conversationId), before, error);
  }
  assert.throws(() => value(db, 'SELECT add_ui_message(?, ?)', conversationId, '{"id": "m-cut", "role":'), {
    name: 'SqliteError',
    message: 'chatflow: UIMessage is not valid JSON at offset 23: unexpected end of input',
  });
  assert.deepEqual(counts(db, conversationId), before);
  assert.deepEqual(uiMessages(db, conversationId), SENT);
});

// Checks what an OpenAI-compatible server checks: every tool message
// follows (after other tool messages at most) an assistant message whose
// tool_calls hold its tool_call_id, each call is answered, and arguments
// are JSON text.
function assertOpenAiMessages(messages) {
  assert.ok(Array.isArray(messages));
  let open = null; // ids of the last assistant message's calls not answered yet
  for (const [i, m] of messages.entries()) {
    assert.ok(['system', 'user', 'assistant', 'tool'].includes(m.role), `message ${i}: role ${m.role}`);
    if (m.role === 'user' && Array.isArray(m.content)) {
      // a user's text, images and PDFs as content items
      assert.ok(m.content.length > 0, `message ${i}: empty content array`);
      for (const item of m.content) {
        if (item.type === 'text') assert.equal(typeof item.text, 'string', `message ${i}: text item`);
        else if (item.type === 'image_url') assert.match(item.image_url.url, /^(https?:\/\/|data:image\/[^,]*;base64,)/i);
        else if (item.type === 'file') {
          assert.equal(typeof item.file.filename, 'string', `message ${i}: file item`);
          assert.match(item.file.file_data, /^data:application\/pdf[^,]*;base64,/i);
        } else assert.fail(`message ${i}: content item of type ${item.type}`);
      }
    } else {
      assert.equal(typeof m.content, 'string', `message ${i}: content`);
    }
    if (m.role === 'tool') {
      assert.ok(open?.has(m.tool_call_id), `message ${i}: tool_call_id ${m.tool_call_id} answers no call`);
      open.delete(m.tool_call_id);
      continue;
    }
    assert.ok(open === null || open.size === 0, `message ${i}: calls left unanswered: ${[...(open ?? [])]}`);
    open = null;
    if (m.role === 'assistant' && m.tool_calls) {
      open = new Set();
      for (const call of m.tool_calls) {
        assert.equal(call.type, 'function');
        assert.equal(typeof call.id, 'string');
        assert.equal(typeof call.function.name, 'string');
        assert.equal(typeof call.function.arguments, 'string', `arguments of ${call.id}`);
        JSON.parse(call.function.arguments);
        open.add(call.id);
      }
    }
  }
  assert.ok(open === null || open.size === 0, `calls left unanswered at the end: ${[...(open ?? [])]}`);
}

test('chat_history_json of the conversation is an OpenAI messages array', () => {
  const db = openDb();
  const { conversationId } = storeSent(db);
  const history = JSON.parse(value(db, 'SELECT chat_history_json(?)', conversationId));
  assertOpenAiMessages(history);
  // the user's image goes with the text, as the AI SDK's OpenAI provider sends it
  assert.deepEqual(history[0], {
    role: 'user',
    content: [
      { type: 'text', text: USER_1.parts[0].text },
      { type: 'image_url', image_url: { url: USER_1.parts[1].url } },
    ],
  });
  // calls with a result in the window are sent, one assistant message per step
  assert.deepEqual(
    history.flatMap((m) => (m.tool_calls ?? []).map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)])),
    [
      ['call_weather_1', 'getWeather', { city: 'Lyon', unit: 'celsius' }],
      ['call_search_1', 'searchDocs', { query: 'Lyon climate normals', limit: 3 }],
    ],
  );
  assert.deepEqual(
    history.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]),
    [
      ['call_weather_1', JSON.stringify(ASSISTANT_1.parts[2].output)],
      ['call_search_1', 'search index unavailable'],
    ],
  );
});

test('add_message tool calls and results read back as AI SDK tool parts', async () => {
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  const add = db.prepare('SELECT add_message(?, ?, ?, ?)').pluck();
  add.get(conversationId, 'user', 'Weather in Lyon and Paris?', JSON.stringify({ uid: 'u-1' }));
  add.get(
    conversationId,
    'assistant',
    'Let me check.',
    JSON.stringify({
      uid: 'a-1',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'getWeather', arguments: '{"city":"Lyon"}' } },
        { id: 'call_2', type: 'function', function: { name: 'getWeather', arguments: '{"city":"Paris"}' } },
      ],
    }),
  );
  add.get(conversationId, 'tool', '{"temp_c":21,"sky":"clear"}', JSON.stringify({ tool_call_id: 'call_1' }));
  add.get(conversationId, 'tool', '{"temp_c":9,"sky":"rain"}', JSON.stringify({ tool_call_id: 'call_2' }));
  add.get(conversationId, 'assistant', 'Lyon: 21 °C, clear. Paris: 9 °C, rain.', JSON.stringify({ uid: 'a-2' }));

  const back = uiMessages(db, conversationId);
  assert.deepEqual(back, [
    { id: 'u-1', role: 'user', parts: [{ type: 'text', text: 'Weather in Lyon and Paris?' }] },
    {
      id: 'a-1',
      role: 'assistant',
      parts: [
        { type: 'text', text: 'Let me check.' },
        {
          type: 'tool-getWeather',
          toolCallId: 'call_1',
          state: 'output-available',
          input: { city: 'Lyon' },
          output: { temp_c: 21, sky: 'clear' },
        },
        {
          type: 'tool-getWeather',
          toolCallId: 'call_2',
          state: 'output-available',
          input: { city: 'Paris' },
          output: { temp_c: 9, sky: 'rain' },
        },
      ],
    },
    { id: 'a-2', role: 'assistant', parts: [{ type: 'text', text: 'Lyon: 21 °C, clear. Paris: 9 °C, rain.' }] },
  ]);
  await assert.doesNotReject(validateUIMessages({ messages: back }));
  const model = await convertToModelMessages(back);
  assert.deepEqual(
    model.map((m) => m.role),
    ['user', 'assistant', 'tool', 'assistant'],
  );
  assert.deepEqual(
    model[2].content.map((p) => [p.type, p.toolCallId, p.output]),
    [
      ['tool-result', 'call_1', { type: 'json', value: { temp_c: 21, sky: 'clear' } }],
      ['tool-result', 'call_2', { type: 'json', value: { temp_c: 9, sky: 'rain' } }],
    ],
  );
  assertOpenAiMessages(JSON.parse(value(db, 'SELECT chat_history_json(?)', conversationId)));

  // a call not answered yet is a tool part in state input-available
  add.get(
    conversationId,
    'assistant',
    '',
    JSON.stringify({
      uid: 'a-3',
      tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'getWeather', arguments: '{"city":"Nice"}' } }],
    }),
  );
  const waiting = uiMessages(db, conversationId).at(-1);
  assert.deepEqual(waiting, {
    id: 'a-3',
    role: 'assistant',
    parts: [{ type: 'tool-getWeather', toolCallId: 'call_3', state: 'input-available', input: { city: 'Nice' } }],
  });
  await assert.doesNotReject(validateUIMessages({ messages: uiMessages(db, conversationId) }));
});

// Known extension bugs: these tests run, and are reported, but do not count.

// chat_ui_messages parses a tool message's content
// (and a call's arguments) with json-c's lenient parser: text after a JSON
// value is dropped ('12 degrees in Lyon' becomes 12), NaN and Infinity are
// accepted and written out bare (the whole result is then not JSON),
// comments and single quotes are accepted, and 'null' becomes the string
// "null".  Expected: the value when the whole text is JSON (JSON.parse's
// rule), else the text as a string.
test('tool output: the content parsed only when it is JSON', () => {
  const db = openDb();
  const texts = [
    '{"temp_c":21}', '12 degrees in Lyon', 'true story', '[1] and more',
    'null', 'NaN', 'Infinity', "'quoted'", '/* note */ 5',
  ];
  const wrong = [];
  for (const text of texts) {
    const conversationId = value(db, "SELECT create_conversation('acme')");
    value(
      db,
      'SELECT add_message(?, ?, ?, ?)',
      conversationId,
      'assistant',
      'Checking.',
      JSON.stringify({
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'calc', arguments: text } }],
      }),
    );
    value(db, 'SELECT add_message(?, ?, ?, ?)', conversationId, 'tool', text,
      JSON.stringify({ tool_call_id: 'call_1' }));
    let expected;
    try {
      expected = JSON.parse(text);
    } catch {
      expected = text;
    }
    const raw = value(db, 'SELECT chat_ui_messages(?)', conversationId);
    let part;
    try {
      part = JSON.parse(raw)[0].parts[1];
    } catch {
      wrong.push(`${JSON.stringify(text)}: chat_ui_messages is not JSON: ${raw}`);
      continue;
    }
    if (!isDeepStrictEqual(part.output, expected) || !isDeepStrictEqual(part.input, expected)) {
      wrong.push(`${JSON.stringify(text)}: input ${JSON.stringify(part.input)}, output ${JSON.stringify(part.output)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

// a tool message (add_message with tool_call_id) that
// answers an AI SDK tool part stored by add_ui_message is replayed by
// chat_history_json as the call's result, but chat_ui_messages drops it and
// leaves the part in state input-available: the UI never shows the result
// and convertToModelMessages sends the call unanswered.
test('a tool message answering an AI SDK tool part shows in chat_ui_messages', async () => {
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  addUi(db, conversationId, USER_2);
  addUi(db, conversationId, ASSISTANT_2);
  value(db, 'SELECT add_message(?, ?, ?, ?)', conversationId, 'tool', '{"flights":2}',
    JSON.stringify({ tool_call_id: 'call_flights_1' }));
  // chat_history_json sends the call with this result ...
  const history = JSON.parse(value(db, 'SELECT chat_history_json(?)', conversationId));
  assert.deepEqual(
    history.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]),
    [['call_flights_1', '{"flights":2}']],
  );
  // ... and chat_ui_messages should show it
  const part = uiMessages(db, conversationId)[1].parts.find((p) => p.toolCallId === 'call_flights_1');
  assert.deepEqual([part.state, part.output], ['output-available', { flights: 2 }]);
});

// A model that answers each call with the next text of answers.
function mockModel(answers) {
  let n = 0;
  return new MockLanguageModelV3({
    doStream: async () => {
      const text = answers[n++];
      return {
        stream: convertArrayToReadableStream([
          { type: 'stream-start', warnings: [] },
          { type: 'text-start', id: 't1' },
          { type: 'text-delta', id: 't1', delta: text },
          { type: 'text-end', id: 't1' },
          {
            type: 'finish',
            finishReason: { unified: 'stop', raw: 'stop' },
            usage: { inputTokens: { total: 3 }, outputTokens: { total: 2 } },
          },
        ]),
      };
    },
  });
}

// docs/ai-sdk.md's route handler: the request's messages (and trigger)
// in, the answer saved in onFinish; resolves with onFinish's error, if any.
async function routeHandler(db, conversationId, model, { messages, trigger }, options = {}) {
  let failure = null;
  const result = streamText({ model, messages: await convertToModelMessages(messages) });
  const finished = new Promise((resolve) => {
    const response = result.toUIMessageStreamResponse({
      originalMessages: messages,
      generateMessageId: createIdGenerator({ prefix: 'msg', size: 16 }),
      ...options,
      onFinish: ({ responseMessage }) => {
        try {
          const parent = trigger === 'regenerate-message'
            ? JSON.stringify({
              parent_id: value(db, 'SELECT id FROM chat_messages WHERE conversation_id = ? AND uid = ?',
                conversationId, messages.at(-1).id),
            })
            : null;
          value(db, 'SELECT add_ui_message(?, ?, ?)', conversationId, JSON.stringify(responseMessage), parent);
        } catch (e) {
          failure = e.message;
        }
        resolve();
      },
    });
    response.text();
  });
  await finished;
  return failure;
}

test("the docs' route handler stores the answer; regenerate() stores the new one under the question", async () => {
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  const question = { id: 'msg-u1', role: 'user', parts: [{ type: 'text', text: 'Hi' }] };
  addUi(db, conversationId, question);
  const model = mockModel(['Hello 1', 'Hello 2', 'Hello 3']);
  // without generateMessageId the AI SDK leaves the id empty
  assert.equal(
    await routeHandler(db, conversationId, model, { messages: [question] }, { generateMessageId: undefined }),
    "chatflow: UIMessage id must be a string of 1 to 128 characters, got text '' (the AI SDK leaves it empty without generateMessageId)",
  );
  assert.equal(await routeHandler(db, conversationId, model, { messages: [question] }), null);
  const first = uiMessages(db, conversationId);
  assert.deepEqual(first.map((m) => [m.role, m.parts.filter((p) => p.type === 'text').map((p) => p.text)]),
    [['user', ['Hi']], ['assistant', ['Hello 2']]]);
  assert.match(first[1].id, /^msg-\w{16}$/);
  // regenerate(): the client drops the answer and sends the list without it
  assert.equal(await routeHandler(db, conversationId, model, { messages: [question], trigger: 'regenerate-message' }),
    null);
  const second = uiMessages(db, conversationId);
  assert.deepEqual(second.map((m) => m.parts.filter((p) => p.type === 'text').map((p) => p.text)),
    [['Hi'], ['Hello 3']]);
  assert.notEqual(second[1].id, first[1].id);
  assert.equal(value(db, 'SELECT count(*) FROM chat_messages'), 3);
  await validateUIMessages({ messages: second });
});

test('onFinish saving the whole list again writes nothing, messages add_message wrote included', () => {
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  value(db, "SELECT add_message(?, 'user', 'Weather?')", conversationId);
  value(db, "SELECT add_message(?, 'assistant', '', ?)", conversationId, JSON.stringify({
    tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
  }));
  value(db, "SELECT add_message(?, 'tool', '{\"t\":21}', ?)", conversationId, JSON.stringify({ tool_call_id: 'call_1' }));
  value(db, "SELECT add_message(?, 'assistant', 'It is 21.')", conversationId);
  addUi(db, conversationId, { id: 'msg-u2', role: 'user', parts: [{ type: 'text', text: 'Thanks' }] });
  const before = counts(db, conversationId);
  const listed = uiMessages(db, conversationId);
  assert.deepEqual(listed.map((m) => addUi(db, conversationId, m)), [1, 2, 4, 5]);
  assert.deepEqual(counts(db, conversationId), before);
});

test('docs/ai-sdk.md: convertToModelMessages with ignoreIncompleteToolCalls sends what chat_history_json sends', async () => {
  // two parallel calls, one answered, then the user moves on: the other
  // call must not reach the model without a result
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  value(db, "SELECT add_message(?, 'user', 'Weather and time in Paris?')", conversationId);
  value(
    db,
    "SELECT add_message(?, 'assistant', '', ?)",
    conversationId,
    JSON.stringify({
      tool_calls: [
        { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } },
        { id: 'c2', type: 'function', function: { name: 'time', arguments: '{}' } },
      ],
    }),
  );
  value(db, "SELECT add_message(?, 'tool', '21C', '{\"tool_call_id\": \"c1\"}')", conversationId);
  value(db, "SELECT add_message(?, 'user', 'Never mind the time.')", conversationId);
  const callIds = (model) =>
    model.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((p) => p.type === 'tool-call')
      .map((p) => p.toolCallId);
  const history = JSON.parse(value(db, 'SELECT chat_history_json(?)', conversationId));
  assert.deepEqual(history.flatMap((m) => (m.tool_calls || []).map((c) => c.id)), ['c1']);
  // without the option the AI SDK keeps the unanswered call (an OpenAI 400)
  assert.deepEqual(callIds(await convertToModelMessages(uiMessages(db, conversationId))), ['c1', 'c2']);
  assert.deepEqual(
    callIds(await convertToModelMessages(uiMessages(db, conversationId), { ignoreIncompleteToolCalls: true })),
    ['c1'],
  );
});

test("a steering-message part is sent as the user message convertToModelMessages makes of it", async () => {
  // ai 7's steering-message: a user message added while the answer was
  // generated, inside the assistant UIMessage; chat_history_json left it
  // out, so the model never saw the user's correction
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  addUi(db, conversationId, { id: 'su1', role: 'user', parts: [{ type: 'text', text: 'Weather in Paris?' }] });
  addUi(db, conversationId, {
    id: 'sa1',
    role: 'assistant',
    parts: [
      { type: 'step-start' },
      { type: 'tool-getWeather', toolCallId: 'w1', state: 'output-available', input: { city: 'Paris' }, output: { t: 21 } },
      { type: 'steering-message', id: 'st1', parts: [{ type: 'text', text: 'Actually, in Fahrenheit please.' }] },
      { type: 'step-start' },
      { type: 'text', text: 'It is 70 °F.', state: 'done' },
    ],
  });
  const ui = uiMessages(db, conversationId);
  await validateUIMessages({ messages: ui });
  // the AI SDK's model messages, as role and text (or call ids)
  const sdk = (await convertToModelMessages(ui)).map((m) => [
    m.role,
    m.content.map((p) => (p.type === 'text' ? p.text : p.toolCallId)).join('|'),
  ]);
  const ours = JSON.parse(value(db, 'SELECT chat_history_json(?)', conversationId)).map((m) => [
    m.role,
    m.role === 'tool' ? m.tool_call_id : m.tool_calls ? m.tool_calls.map((c) => c.id).join('|') : m.content,
  ]);
  assert.deepEqual(ours, sdk);
  assert.deepEqual(ours, [
    ['user', 'Weather in Paris?'],
    ['assistant', 'w1'],
    ['tool', 'w1'],
    ['user', 'Actually, in Fahrenheit please.'],
    ['assistant', 'It is 70 °F.'],
  ]);
  db.close();
});

test("a user's images and PDFs are sent as the content items convertToModelMessages' file parts make", async () => {
  // the AI SDK hands a user's file parts to the provider as file parts;
  // its OpenAI chat provider sends an image as image_url, a PDF given as
  // data as file: chat_history_json sends the same items in the same order,
  // and leaves out what that provider refuses (here a text file)
  const db = openDb();
  const conversationId = value(db, "SELECT create_conversation('acme')");
  const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
  const pdf = 'data:application/pdf;base64,JVBERi0xLjQK';
  addUi(db, conversationId, {
    id: 'u-files',
    role: 'user',
    parts: [
      { type: 'text', text: 'Compare the photo,' },
      { type: 'file', mediaType: 'image/png', filename: 'sky.png', url: png },
      { type: 'text', text: 'the drawing' },
      { type: 'file', mediaType: 'image/jpeg', url: 'https://x.example/drawing.jpg' },
      { type: 'text', text: 'and the menu.' },
      { type: 'file', mediaType: 'application/pdf', filename: 'menu.pdf', url: pdf },
      { type: 'file', mediaType: 'text/plain', filename: 'notes.txt', url: 'data:text/plain;base64,aGk=' },
    ],
  });
  const ui = uiMessages(db, conversationId);
  await validateUIMessages({ messages: ui });
  const [model] = await convertToModelMessages(ui);
  const expected = model.content
    .filter((p) => p.type === 'text' || p.mediaType.startsWith('image/') || p.mediaType === 'application/pdf')
    .map((p) =>
      p.type === 'text'
        ? { type: 'text', text: p.text }
        : p.mediaType.startsWith('image/')
          ? { type: 'image_url', image_url: { url: p.data.url.href } }
          : { type: 'file', file: { filename: p.filename, file_data: p.data.url.href } },
    );
  const history = JSON.parse(value(db, 'SELECT chat_history_json(?)', conversationId));
  assertOpenAiMessages(history);
  assert.deepEqual(history, [{ role: 'user', content: expected }]);
  assert.equal(expected.length, 6);
  db.close();
});
