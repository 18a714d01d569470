import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';

// What a client of TikTok installs: the packed package's own package.json, read from the tarball npm makes. The
// emulator (hono, its Node adapter, mp4box) is @reelpost/tiktok-emulator, so none of it comes along.
const SERVER_PACKAGES = ['hono', '@hono/node-server', 'mp4box', 'express', 'fastify', 'koa', '@reelpost/tiktok-emulator'];

it('packs with the client’s dependencies only: no server framework, no emulator', () => {
  const work = mkdtempSync(join(tmpdir(), 'reelpost-tiktok-pack-'));
  try {
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: join(import.meta.dirname, '..'), encoding: 'utf8' }),
    ) as { filename: string; files: { path: string }[] }[];
    const tarball = join(work, packed[0]!.filename);
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as Record<string, Record<string, string> | undefined>;
    const declared = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));

    expect(declared.filter((name) => SERVER_PACKAGES.includes(name))).toEqual([]);
    expect(declared.sort()).toEqual(['openid-client', 'zod']);
    expect(packed[0]!.files.map((file) => file.path).filter((path) => !path.startsWith('src/') && path !== 'package.json' && path !== 'README.md')).toEqual([]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 60_000);
