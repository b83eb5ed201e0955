// Usage: node tests/langgraph/summary.mjs results.json
// The summary of a vitest JSON report for make test-langgraph: each failed
// test, the skipped and todo counts, and "langgraph: N passed, M failed"
// last (a test file that failed before running any test counts as one
// failure).
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
let broken = 0;
for (const f of r.testResults) {
  if (f.status === 'failed' && f.assertionResults.length === 0) {
    broken++;
    console.log(`FAIL ${f.name}: ${f.message}`);
  }
  for (const t of f.assertionResults) {
    if (t.status === 'failed') console.log(`FAIL ${t.fullName}\n  ${(t.failureMessages || []).join('\n  ')}`);
  }
}
console.log(`langgraph: ${r.numPendingTests} skipped, ${r.numTodoTests} todo`);
console.log(`langgraph: ${r.numPassedTests} passed, ${r.numFailedTests + broken} failed`);
