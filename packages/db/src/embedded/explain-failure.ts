import { PostgresProgramError } from './postgres-process.js';

export interface FailedStart {
  what: 'initialise' | 'start';
  dataDir: string;
  port: number;
  binDir: string;
  error: unknown;
  /** What initdb or postgres wrote before failing. */
  lines: readonly string[];
}

const FALLBACK = 'Set DATABASE_URL to use another Postgres, or remove that folder to start with a fresh one.';

/**
 * One or two lines a person can act on, for the failures people meet: a build that cannot be run, a port taken, a
 * full disk, a folder Postgres may not use. Anything else keeps the server's last lines, which say it best.
 */
export function explainFailure({ what, dataDir, port, binDir, error, lines }: FailedStart): string {
  const text = lines.join('\n');
  const code = error instanceof PostgresProgramError ? error.code : undefined;
  if (code === 'EACCES' || code === 'ENOENT') {
    return (
      `Cannot run the embedded Postgres in ${binDir} (${code === 'EACCES' ? 'permission denied' : 'not found'}).\n` +
      'Install again (npm start does it), or set DATABASE_URL to a Postgres server of your own.'
    );
  }
  if (/No space left on device|could not extend file|disk full/i.test(text)) {
    return (
      `Out of disk space: the embedded Postgres could not write to ${dataDir}.\n` +
      'Free some space (or set DATA_DIR to a disk with room), then start again.'
    );
  }
  if (/could not bind .*Address already in use/i.test(text)) {
    return `Port ${port} is already in use, so the embedded Postgres cannot listen there; stop what uses it or choose another port.`;
  }
  if (/could not bind .*Permission denied/i.test(text)) {
    return `The embedded Postgres may not listen on port ${port} (ports below 1024 need privileges); choose a port above 1024.`;
  }
  if (/wrong ownership|Permission denied/i.test(text)) {
    return (
      `The embedded Postgres may not use ${dataDir}: ${lines.find((line) => /wrong ownership|Permission denied/i.test(line))?.trim()}\n` +
      'Give it a folder of its own (DATA_DIR), or set DATABASE_URL to a Postgres server of your own.'
    );
  }
  const tail = lines.slice(-8).join('\n  ');
  return `Could not ${what} the embedded Postgres in ${dataDir} on port ${port}.${tail ? `\n  ${tail}` : ''}\n${FALLBACK}`;
}
