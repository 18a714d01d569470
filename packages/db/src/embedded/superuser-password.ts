import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Each cluster has a superuser password of its own, kept in a file inside the cluster's folder (mode 0600, readable
 * by the person who started it — or root — alone): a fixed password would let any local process that can reach
 * 127.0.0.1 in as superuser.
 */
const PASSWORD_FILE = 'reelpost-superuser-password';
/** What clusters made before per-cluster passwords were given; replaced on their next start. */
const LEGACY_PASSWORD = 'reelpost-embedded';

export const newSuperuserPassword = (): string => randomBytes(24).toString('base64url');

export async function storeSuperuserPassword(dataDir: string, password: string): Promise<void> {
  await writeFile(join(dataDir, PASSWORD_FILE), `${password}\n`, { mode: 0o600 });
}

/** The cluster's password, or null for a cluster made with the old fixed one. */
export async function storedSuperuserPassword(dataDir: string): Promise<string | null> {
  try {
    return (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim();
  } catch {
    return null;
  }
}

/** A running cluster still on the fixed password gets a password of its own; returns it. */
export async function replaceLegacyPassword(dataDir: string, urlWith: (password: string) => string): Promise<string> {
  const password = newSuperuserPassword();
  const client = new pg.Client({ connectionString: urlWith(LEGACY_PASSWORD) });
  await client.connect();
  try {
    await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
  await storeSuperuserPassword(dataDir, password);
  return password;
}
