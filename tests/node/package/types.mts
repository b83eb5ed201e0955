// index.d.ts under tsc --strict, from ESM: named and default imports and
// the ExtensionLoadable type.
import Database from 'better-sqlite3';
import { DatabaseSync } from 'node:sqlite';
import chatflow, { getLoadablePath, load, type ExtensionLoadable } from 'chatflow';

const connections: ExtensionLoadable[] = [
  new Database(':memory:'),
  new DatabaseSync(':memory:', { allowExtension: true }),
];
for (const db of connections) load(db);
chatflow.load(new Database(':memory:'));
const file: string = getLoadablePath();

// @ts-expect-error: an object without loadExtension
load({ exec(sql: string) {} });
// @ts-expect-error: null is not a database
load(null);

export { file };
