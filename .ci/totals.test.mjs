import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { totals } from './totals.mjs';

const folder = mkdtempSync(join(tmpdir(), 'reelpost-totals-'));
after(() => rmSync(folder, { recursive: true, force: true }));

function file(name, text) {
  const path = join(folder, name);
  writeFileSync(path, text);
  return path;
}

const vitestReport = (passed, failed, success = failed === 0) =>
  JSON.stringify({ numPassedTests: passed, numFailedTests: failed, success });
const tap = (passed, failed) => `TAP version 13\nok 1 - a\n1..1\n# tests ${passed + failed}\n# pass ${passed}\n# fail ${failed}\n`;

test('adds up every pass and ends with the plain closing line', () => {
  const result = totals([
    { name: 'embedded', file: file('embedded.json', vitestReport(10, 0)) },
    { name: 'browser', file: file('browser.tap', tap(3, 0)) },
  ]);
  assert.deepEqual(result.lines, ['embedded pass: 10 passed, 0 failed', 'browser pass: 3 passed, 0 failed', '13 passed, 0 failed']);
});

test('names a pass whose runner died before reporting, and counts it as failed', () => {
  const result = totals([
    { name: 'embedded', file: join(folder, 'never-written.json') },
    { name: 'system', file: file('system.json', vitestReport(5, 0)) },
  ]);
  assert.equal(result.lines[0], 'embedded pass: 0 passed, 0 failed — runner exited before reporting');
  assert.equal(result.lines.at(-1), '5 passed, 1 failed');
});

test('names a TAP report cut off before its summary', () => {
  const result = totals([{ name: 'newcomer', file: file('cut.tap', 'TAP version 13\nok 1 - started\n') }]);
  assert.equal(result.lines[0], 'newcomer pass: 0 passed, 0 failed — runner exited before reporting');
  assert.equal(result.failed, 1);
});

test('counts a run that ran no test as failed', () => {
  const result = totals([{ name: 'embedded', file: file('empty.json', vitestReport(0, 0)) }]);
  assert.equal(result.lines[0], 'embedded pass: 0 passed, 0 failed — ran no test');
  assert.equal(result.failed, 1);
});

test('counts a run whose suite failed to load as failed', () => {
  const result = totals([{ name: 'embedded', file: file('load.json', vitestReport(7, 0, false)) }]);
  assert.equal(result.failed, 1);
});

test('reports a pass skipped for a reason without failing the run', () => {
  const result = totals([
    { name: 'system', file: file('skipped.json', JSON.stringify({ skipped: 'no PostgreSQL answers' })) },
    { name: 'embedded', file: file('ok.json', vitestReport(2, 0)) },
  ]);
  assert.deepEqual(result.lines, ['system pass: skipped (no PostgreSQL answers)', 'embedded pass: 2 passed, 0 failed', '2 passed, 0 failed']);
});

test('names each failed vitest test under its pass: file, name and the first line of its message', () => {
  const report = {
    numPassedTests: 1,
    numFailedTests: 1,
    success: false,
    testResults: [
      {
        name: join(process.cwd(), 'apps/server/src/app.test.ts'),
        status: 'failed',
        assertionResults: [
          { fullName: 'app answers', status: 'passed', failureMessages: [] },
          { fullName: 'app refuses a bad token', status: 'failed', failureMessages: ['AssertionError: expected 401\n    at stack'] },
        ],
      },
    ],
  };
  const result = totals([{ name: 'embedded', file: file('failed.json', JSON.stringify(report)) }]);
  assert.deepEqual(result.lines.slice(0, 2), [
    'embedded pass: 1 passed, 1 failed',
    '  ✗ apps/server/src/app.test.ts > app refuses a bad token — AssertionError: expected 401',
  ]);
});

test('names a vitest file that failed to load', () => {
  const report = {
    numPassedTests: 3,
    numFailedTests: 0,
    success: false,
    testResults: [{ name: join(process.cwd(), 'a.test.ts'), status: 'failed', message: 'Error: Cannot find module x', assertionResults: [] }],
  };
  const result = totals([{ name: 'system', file: file('load-named.json', JSON.stringify(report)) }]);
  assert.equal(result.lines[1], '  ✗ a.test.ts — Error: Cannot find module x');
});

test('names each failed node:test test, subtests included', () => {
  const text = 'TAP version 13\n# Subtest: page\n    not ok 1 - posts the video\n    ok 2 - lists tasks\nnot ok 1 - page\n1..1\n# tests 2\n# pass 1\n# fail 1\n';
  const result = totals([{ name: 'browser', file: file('failed.tap', text) }]);
  assert.deepEqual(result.lines.slice(1, 3), ['  ✗ posts the video', '  ✗ page']);
});
