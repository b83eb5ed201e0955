// A chatflow session from Node with better-sqlite3 and the chatflow package.
import Database from 'better-sqlite3';
import { getLoadablePath, load } from 'chatflow';
import path from 'node:path';

const db = new Database(':memory:');
load(db); // the package's own chatflow.so
console.log('loaded', path.relative(process.cwd(), getLoadablePath()));

const value = (sql, ...args) => db.prepare(sql).pluck().get(...args);
value('SELECT chatflow_init()');
const conv = value('SELECT create_conversation(?, ?)', 'acme', 'Languages');
console.log('conversation', conv);

// The id bound as a BigInt (INTEGER), then as a plain number: better-sqlite3
// binds every number as a REAL, accepted when it is a whole number.
const add = 'SELECT add_message(?, ?, ?)';
console.log('message', value(add, BigInt(conv), 'user', 'Hello from Node'));
console.log('message', value(add, conv, 'assistant', 'Hi! The id came as a number.'));

// A fractional id is refused with chatflow's error.
try {
  value(add, 1.5, 'user', 'never stored');
} catch (err) {
  console.log('error:', err.message);
}

console.log(value('SELECT chat_history_json(?)', conv));
