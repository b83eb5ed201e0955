// A chatflow session from Node's own node:sqlite with the chatflow package.
import { DatabaseSync } from 'node:sqlite';
import { load } from 'chatflow';

// Extensions load only into a database opened with allowExtension; load()
// switches loading on for the call and off again after it.
const db = new DatabaseSync(':memory:', { allowExtension: true });
load(db);

const value = (sql, ...args) => Object.values(db.prepare(sql).get(...args))[0];
value('SELECT chatflow_init()');
const conv = value('SELECT create_conversation(?, ?)', 'acme', 'Languages');
console.log('conversation', conv);

// The id bound as a BigInt (INTEGER), then as a plain number (REAL).
const add = 'SELECT add_message(?, ?, ?)';
console.log('message', value(add, BigInt(conv), 'user', 'Hello from node:sqlite'));
console.log('message', value(add, conv, 'assistant', 'Hi! The id came as a number.'));

// A fractional id is refused with chatflow's error.
try {
  value(add, 1.5, 'user', 'never stored');
} catch (err) {
  console.log('error:', err.message);
}

console.log(value('SELECT chat_history_json(?)', conv));

// Without allowExtension, load() says what to do.
try {
  load(new DatabaseSync(':memory:'));
} catch (err) {
  console.log(err.message);
}
