// docs/langgraph.md shows tests/langgraph/example.mjs and what it prints
// verbatim (each block after its "<!-- file: ... -->" line), and the
// example prints that when run (with the packages of this folder).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';

const ROOT = process.env.CHATFLOW_ROOT;

// The fenced block that follows <!-- file: name --> on the page.
function shown(page, name) {
  const lines = page.split('\n');
  const at = lines.indexOf(`<!-- file: ${name} -->`);
  expect(at, `docs/langgraph.md shows ${name}`).toBeGreaterThanOrEqual(0);
  expect(lines[at + 1]).toMatch(/^```[a-z]+$/);
  const end = lines.indexOf('```', at + 2);
  return lines.slice(at + 2, end).join('\n') + '\n';
}

test('docs/langgraph.md shows the example and its output as they are', () => {
  const page = readFileSync(path.join(ROOT, 'docs/langgraph.md'), 'utf8');
  for (const name of ['tests/langgraph/example.mjs', 'tests/langgraph/example.expected']) {
    expect(shown(page, name)).toBe(readFileSync(path.join(ROOT, name), 'utf8'));
  }
});

test('the example prints what the page says', () => {
  const out = execFileSync(process.execPath, ['example.mjs'], { encoding: 'utf8' });
  expect(out).toBe(readFileSync(path.join(ROOT, 'tests/langgraph/example.expected'), 'utf8'));
});
