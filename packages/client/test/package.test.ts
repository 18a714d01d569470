import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// The pack-and-install test (scripts/verify-package.mjs): builds and packs the package, installs the tarball from
// the npm registry into a project in the temp folder, typechecks a frontend file against it and checks that no
// server code came along. Needs the npm registry; takes 10-60 s.
it('installs from its tarball alone, typechecks in a strict frontend, and brings no server code', () => {
  const result = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'scripts', 'verify-package.mjs')], {
    encoding: 'utf8',
  });
  expect(result.stderr + result.stdout).toContain('verify-package: OK');
  expect(result.status).toBe(0);
}, 300_000);
