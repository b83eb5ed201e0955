// The node:test reporter of make test-node (tests/mk/node.mk): one line per
// top-level test (a skipped one with its reason), the error of each
// failure, and last the line "node: N passed, M failed" that tests/run-all
// adds up.
// A todo test (a known extension bug, described above the test) that fails
// counts as neither, and shows only its assertion; one that passes is
// flagged so its todo mark can go.  A cancelled test counts as failed.
import { inspect } from 'node:util';

function indent(text) {
  return text.replace(/^/gm, '    ');
}

export default async function* reporter(source) {
  let passed = 0;
  let failed = 0;
  let todo = 0;
  for await (const { type, data } of source) {
    if ((type !== 'test:pass' && type !== 'test:fail') || data.nesting !== 0) continue;
    const ms = `(${Math.round(data.details.duration_ms)} ms)`;
    if (data.skip) {
      yield `skip  ${data.name}${typeof data.skip === 'string' ? `: ${data.skip}` : ''}\n`;
    } else if (data.todo && type === 'test:fail') {
      todo++;
      const error = data.details.error?.cause ?? data.details.error;
      yield `todo  ${data.name}: fails as expected, ${data.todo}\n${indent(String(error?.message ?? error))}\n`;
    } else if (data.todo) {
      todo++;
      yield `todo  ${data.name} ${ms}: passes now, remove its todo mark\n`;
    } else if (type === 'test:pass') {
      passed++;
      yield `ok    ${data.name} ${ms}\n`;
    } else {
      failed++;
      const error = data.details.error?.cause ?? data.details.error;
      yield `FAIL  ${data.name} ${ms}\n${indent(inspect(error, { depth: 6 }))}\n`;
    }
  }
  if (todo) yield `(${todo} todo: known extension bugs, not counted)\n`;
  yield `node: ${passed} passed, ${failed} failed\n`;
}
