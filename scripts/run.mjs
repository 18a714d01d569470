#!/usr/bin/env node
// `npm start` / `npm test` on a machine that has only Node and npm: install the workspace with the pinned pnpm
// (through npx) when node_modules is missing or older than the lockfile, then run the pnpm script of the same name.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pnpm = ['-y', packageManager];
const [script, ...args] = process.argv.slice(2);

function run(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

// pnpm keeps a copy of the lockfile it installed from; when it matches, the install is current.
const installedLock = join(root, 'node_modules', '.pnpm', 'lock.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
const upToDate = existsSync(installedLock) && readFileSync(installedLock, 'utf8') === readFileSync(lockfile, 'utf8');
if (!upToDate) {
  console.log(`Installing dependencies with ${packageManager}…`);
  const status = run('npx', [...pnpm, 'install', '--frozen-lockfile']);
  if (status !== 0) process.exit(status);
}
// `npm test -- <file or filter>` reaches vitest: turbo hands what follows its own `--` on to the task.
const passed = script === 'test:all' && args.length > 0 ? ['--', ...args] : args;
process.exit(run('npx', [...pnpm, 'run', script, ...passed]));
