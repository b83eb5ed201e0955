// The installed package with node:sqlite (Node 22.13 or later), in a fresh
// process: chatflow loaded into a DatabaseSync opened with allowExtension,
// a short session with the ids as plain JavaScript numbers, loading
// switched off again afterwards, and the errors for a DatabaseSync opened
// without allowExtension and for a closed one.  Prints one JSON object
// (tests/node/test_package.mjs).
import { DatabaseSync } from 'node:sqlite';
import { getLoadablePath, load } from 'chatflow';

function attempt(fn) {
  try {
    fn();
    return 'no error';
  } catch (err) {
    return [err.constructor.name, err.message, err.cause ? err.cause.message : null];
  }
}

const db = new DatabaseSync(':memory:', { allowExtension: true });
load(db);
const value = (sql, ...args) => Object.values(db.prepare(sql).get(...args))[0];

const schema = value('SELECT chatflow_init()');
const conversation = value("SELECT create_conversation('acme', 'From node:sqlite')");
const user = value("SELECT add_message(?, 'user', ?)", conversation, 'Hello from node:sqlite');
const assistant = value("SELECT add_message(?, 'assistant', ?)", conversation, 'Hi! The id came as a number.');
const closed = new DatabaseSync(':memory:', { allowExtension: true });
closed.close();
console.log(
  JSON.stringify({
    version: value('SELECT chatflow_version()'),
    schema,
    boundAs: value('SELECT typeof(?)', conversation),
    ids: [conversation, user, assistant],
    types: [conversation, user, assistant].map((id) => typeof id),
    fraction: attempt(() => value("SELECT add_message(?, 'user', 'never stored')", 1.5)),
    history: JSON.parse(value('SELECT chat_history_json(?)', conversation)),
    sqlLoadAfterwards: attempt(() => value('SELECT load_extension(?)', getLoadablePath())),
    withoutAllowExtension: attempt(() => load(new DatabaseSync(':memory:'))),
    closed: attempt(() => load(closed)),
  }),
);
