'use strict';
// chatflow for Node: the loadable extension, bundled, and load(db) to load
// it into a better-sqlite3 Database or a node:sqlite DatabaseSync.
//
//   const Database = require('better-sqlite3');
//   const chatflow = require('chatflow');   // or: import { load } from 'chatflow'
//
//   const db = new Database('app.db');
//   chatflow.load(db);
//   db.prepare('SELECT chatflow_init()').get();
//
// Loading registers chatflow's functions on that connection only; the
// schema is created (or migrated) by SELECT chatflow_init(), which is the
// caller's to run.  CommonJS; ESM imports it by name (import { load,
// getLoadablePath } from 'chatflow') or as the default export.

const fs = require('node:fs');
const path = require('node:path');

// The absolute path of the bundled loadable, chatflow.so, suffix included:
// the file itself, which every SQLite loader accepts (better-sqlite3's and
// node:sqlite's loadExtension, the sqlite3 shell's .load), and which can be
// checked or copied.  Throws when the file is missing: the package's
// source folder (bindings/node of the repository) has none, only the
// packed package does.
function getLoadablePath() {
  const file = path.join(__dirname, 'chatflow.so');
  if (!fs.existsSync(file)) {
    throw new Error(
      `chatflow: the loadable ${file} is missing: install chatflow from its package ` +
        '(make node-package in the chatflow repository builds dist/chatflow-<version>.tgz); ' +
        'the source folder has no chatflow.so',
    );
  }
  return file;
}

// What an argument is, for an error message: "null", "string", "an object",
// "a Statement".
function describe(value) {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  if (Array.isArray(value)) return 'an array';
  const name = value.constructor && value.constructor.name;
  if (!name || name === 'Object') return 'an object';
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

// Loads chatflow into db and does nothing else.
//   - better-sqlite3: db.loadExtension(file) (a Database always may).
//   - node:sqlite (Node 22.13 or later): the DatabaseSync must have been
//     opened with { allowExtension: true }; loading is switched on for the
//     call and off again after it (enableLoadExtension), so SQL on that
//     connection cannot load libraries through load_extension() later.
// Throws a TypeError for anything that cannot load extensions, and an
// Error naming the fix for a DatabaseSync opened without allowExtension, or
// closed (checked first: Node 22's enableLoadExtension crashes the process
// on a closed DatabaseSync).
function load(db) {
  if (db === null || typeof db !== 'object' || typeof db.loadExtension !== 'function') {
    if (describe(db) === 'a DatabaseSync') {
      throw new TypeError(
        'chatflow: this DatabaseSync has no loadExtension: node:sqlite loads extensions ' +
          `from Node 22.13 on, this is Node ${process.versions.node}`,
      );
    }
    throw new TypeError(
      `chatflow: load(db) needs a better-sqlite3 Database or a node:sqlite DatabaseSync, got ${describe(db)}`,
    );
  }
  const file = getLoadablePath();
  if (typeof db.enableLoadExtension !== 'function') {
    db.loadExtension(file);
    return;
  }
  if (db.isOpen === false) {
    throw new Error('chatflow: this DatabaseSync is closed');
  }
  try {
    db.enableLoadExtension(true);
  } catch (err) {
    if (!/extension/i.test(String(err && err.message))) throw err;
    throw new Error(
      'chatflow: this DatabaseSync cannot load extensions: open it with ' +
        'new DatabaseSync(path, { allowExtension: true })',
      { cause: err },
    );
  }
  try {
    db.loadExtension(file);
  } finally {
    db.enableLoadExtension(false);
  }
}

exports.getLoadablePath = getLoadablePath;
exports.load = load;
