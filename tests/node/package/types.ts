// index.d.ts under tsc --strict, from CommonJS: the package's functions
// with better-sqlite3's and node:sqlite's own types, and what they refuse
// (each @ts-expect-error must meet an error, or tsc fails).
import Database = require('better-sqlite3');
import chatflow = require('chatflow');
import { DatabaseSync } from 'node:sqlite';

const db = new Database(':memory:');
chatflow.load(db);
chatflow.load(new DatabaseSync(':memory:', { allowExtension: true }));
const file: string = chatflow.getLoadablePath();
const nothing: void = chatflow.load(db);

// @ts-expect-error: a path is not a database
chatflow.load(file);
// @ts-expect-error: a statement cannot load extensions
chatflow.load(db.prepare('SELECT 1'));
// @ts-expect-error: load returns nothing
const id: number = chatflow.load(db);
// @ts-expect-error: getLoadablePath takes no argument
chatflow.getLoadablePath(file);

export { nothing, id };
