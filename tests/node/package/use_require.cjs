// The installed package from CommonJS, in a fresh process: chatflow loaded
// into a better-sqlite3 Database, a short session with the ids as plain
// JavaScript numbers.  Prints one JSON object (tests/node/test_package.mjs).
const Database = require('better-sqlite3');
const chatflow = require('chatflow');

const db = new Database(':memory:');
chatflow.load(db);
const value = (sql, ...args) => db.prepare(sql).pluck().get(...args);

const schema = value('SELECT chatflow_init()');
const conversation = value("SELECT create_conversation('acme', 'From the package')");
const user = value("SELECT add_message(?, 'user', ?)", conversation, 'Hello from require');
const assistant = value("SELECT add_message(?, 'assistant', ?)", conversation, 'Hi! The id came as a number.');
let fraction;
try {
  value("SELECT add_message(?, 'user', 'never stored')", 1.5);
} catch (err) {
  fraction = err.message;
}
console.log(
  JSON.stringify({
    exports: Object.keys(chatflow).sort(),
    path: chatflow.getLoadablePath(),
    version: value('SELECT chatflow_version()'),
    schema,
    boundAs: value('SELECT typeof(?)', conversation),
    ids: [conversation, user, assistant],
    types: [conversation, user, assistant].map((id) => typeof id),
    fraction,
    history: JSON.parse(value('SELECT chat_history_json(?)', conversation)),
  }),
);
