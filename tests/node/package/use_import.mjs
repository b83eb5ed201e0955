// The installed package from ESM, in a fresh process: named and default
// imports, import(), all the same functions as require() gives, and chatflow
// loaded into a better-sqlite3 Database.  Prints one JSON object
// (tests/node/test_package.mjs).
import Database from 'better-sqlite3';
import chatflow, { getLoadablePath, load } from 'chatflow';
import { createRequire } from 'node:module';

const required = createRequire(import.meta.url)('chatflow');
const imported = await import('chatflow');

const db = new Database(':memory:');
load(db);
console.log(
  JSON.stringify({
    named: [typeof load, typeof getLoadablePath],
    defaultIsRequire: chatflow === required,
    sameFunctions:
      load === required.load &&
      getLoadablePath === required.getLoadablePath &&
      imported.load === load &&
      imported.getLoadablePath === getLoadablePath &&
      imported.default === required,
    path: getLoadablePath(),
    version: db.prepare('SELECT chatflow_version()').pluck().get(),
  }),
);
