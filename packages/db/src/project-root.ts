import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The workspace root (the folder holding pnpm-workspace.yaml) above `from`, or `from` itself when there is none. */
export function findProjectRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from);
    dir = parent;
  }
}
