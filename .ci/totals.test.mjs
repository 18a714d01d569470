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
