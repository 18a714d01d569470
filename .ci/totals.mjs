// Totals the runners' own reports — vitest's JSON, node:test's TAP (the browser suite) — into the one line CI ends
// with; fails when a report is missing or anything failed.
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let missing = 0;
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    missing++;
    continue;
  }
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.tap')) {
    // node:test ends its TAP with summary lines such as "# pass 7" and "# fail 0".
    const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    passed += count('pass');
    failed += count('fail') + count('cancelled');
    continue;
  }
  const report = JSON.parse(text);
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  if (!report.success && report.numFailedTests === 0) failed++; // a suite that failed to load counts too
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || missing > 0 || passed === 0 ? 1 : 0);
