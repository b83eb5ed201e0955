// chatflow/langgraph's declarations under tsc --strict, from an ES module
// (types_esm.mts: langgraph.d.mts) and from CommonJS (types_cjs.cts:
// langgraph.d.ts): ChatflowSaver is a BaseCheckpointSaver that LangGraph's
// compile() takes, over a better-sqlite3 Database, with typed options.
// (--skipLibCheck: the packages' own declarations are not ours to check.)
import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';

test('the declarations type-check from ESM and from CommonJS', () => {
  let out = '';
  try {
    execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '--strict', '--noEmit', '--skipLibCheck',
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'esnext',
      '--types', 'node', 'types_esm.mts', 'types_cjs.cts'], { encoding: 'utf8' });
  } catch (err) {
    out = `${err.stdout}${err.stderr}`;
  }
  expect(out).toBe('');
}, 120000);
