// Totals the passes' own reports — vitest's JSON, node:test's TAP — into the one line CI ends with. Each argument is
// NAME=FILE for a pass CI ran: a pass whose report is missing or unfinished (its runner died before reporting), that
// ran no test, or that failed to load counts as failed, and is named, so the closing line can never look healthy
// while a whole pass is missing. Each failed test is named under its pass (file, name, the message's first line), so
// the tail of a CI log says what failed even when the rest of the log is cut away.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const NAMED_FAILURES = 20;

function firstLine(message) {
  const line = String(message ?? '').split('\n').find((text) => text.trim() !== '') ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** The failed tests of a vitest JSON report, as "file > test — first line of its message". */
function vitestFailures(report) {
  return (report.testResults ?? []).flatMap((file) => {
    const where = relative(process.cwd(), file.name ?? '');
    const failed = (file.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (failed.length === 0 && file.status === 'failed') return [`${where} — ${firstLine(file.message)}`];
    return failed.map((test) => `${where} > ${test.fullName} — ${firstLine(test.failureMessages?.[0])}`);
  });
}

/** The failed tests of a node:test TAP report (subtests too: their lines are indented). */
function tapFailures(text) {
  return [...text.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((match) => match[1]);
}

/** One pass's outcome: its counts, and why it counts as failed beyond them (null when it does not). */
export function readReport(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0, problem: 'runner exited before reporting' };
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.tap')) {
    // node:test ends its TAP with summary lines ("# tests 7", "# pass 7", "# fail 0"); without them it died first.
    const count = (name) => new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1];
    if (count('tests') === undefined) return { passed: 0, failed: 0, problem: 'runner exited before reporting' };
    const passed = Number(count('pass') ?? 0);
    const failed = Number(count('fail') ?? 0) + Number(count('cancelled') ?? 0);
    return { passed, failed, problem: passed + failed === 0 ? 'ran no test' : null, failures: tapFailures(text) };
  }
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    return { passed: 0, failed: 0, problem: 'report is not JSON (runner died while writing it)' };
  }
  if (report.skipped) return { passed: 0, failed: 0, problem: null, skipped: report.skipped };
  const passed = report.numPassedTests ?? 0;
  const failed = report.numFailedTests ?? 0;
  const failures = vitestFailures(report);
  if (passed + failed === 0) return { passed, failed, problem: 'ran no test', failures };
  if (!report.success && failed === 0) return { passed, failed, problem: 'a suite failed to load or the run was cut short', failures };
  return { passed, failed, problem: null, failures };
}

export function totals(passes) {
  let passed = 0;
  let failed = 0;
  const lines = [];
  for (const { name, file } of passes) {
    const result = readReport(file);
    passed += result.passed;
    failed += result.failed + (result.problem ? 1 : 0);
    if (result.skipped) lines.push(`${name} pass: skipped (${result.skipped})`);
    else lines.push(`${name} pass: ${result.passed} passed, ${result.failed} failed${result.problem ? ` — ${result.problem}` : ''}`);
    const failures = result.failures ?? [];
    for (const failure of failures.slice(0, NAMED_FAILURES)) lines.push(`  ✗ ${failure}`);
    if (failures.length > NAMED_FAILURES) lines.push(`  … and ${failures.length - NAMED_FAILURES} more`);
  }
  if (passes.length === 0) failed++;
  lines.push(`${passed} passed, ${failed} failed`);
  return { passed, failed, lines };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const passes = process.argv.slice(2).map((argument) => {
    const at = argument.indexOf('=');
    return { name: argument.slice(0, at), file: argument.slice(at + 1) };
  });
  const { passed, failed, lines } = totals(passes);
  for (const line of lines) console.log(line);
  process.exit(failed > 0 || passed === 0 ? 1 : 0);
}
