import { describe, expect, it } from 'vitest';
import { explainFailure } from '../src/embedded/explain-failure.js';
import { PostgresProgramError } from '../src/embedded/postgres-process.js';

const failedStart = { what: 'start' as const, dataDir: '/srv/reelpost/.data/pg', port: 5544, binDir: '/opt/pg/bin', lines: [] };

// What each failure to start says: one or two lines, what happened and what to do.
describe('explaining why the embedded Postgres did not start', () => {
  it('a build that may not be run', () => {
    const error = new PostgresProgramError('postgres: spawn EACCES', [], 'EACCES');
    expect(explainFailure({ ...failedStart, error }).split('\n')).toEqual([
      'Cannot run the embedded Postgres in /opt/pg/bin (permission denied).',
      'Install again (npm start does it), or set DATABASE_URL to a Postgres server of your own.',
    ]);
  });

  it('a build that is missing', () => {
    const error = new PostgresProgramError('initdb: spawn ENOENT', [], 'ENOENT');
    expect(explainFailure({ ...failedStart, error })).toMatch(/^Cannot run the embedded Postgres in \/opt\/pg\/bin \(not found\)\.\n/);
  });

  it('a data folder Postgres finds with the wrong owner', () => {
    const lines = ['FATAL:  data directory "/srv/reelpost/.data/pg" has wrong ownership', 'HINT:  The server must be started by the user that owns the data directory.'];
    expect(explainFailure({ ...failedStart, error: new PostgresProgramError('postgres ended with code 1', lines), lines }).split('\n')).toEqual([
      'The embedded Postgres may not use /srv/reelpost/.data/pg: FATAL:  data directory "/srv/reelpost/.data/pg" has wrong ownership',
      'Give it a folder of its own (DATA_DIR), or set DATABASE_URL to a Postgres server of your own.',
    ]);
  });

  it('anything else keeps the server’s last lines and the way out', () => {
    const lines = ['LOG:  something unforeseen'];
    expect(explainFailure({ ...failedStart, error: new Error('boom'), lines }).split('\n')).toEqual([
      'Could not start the embedded Postgres in /srv/reelpost/.data/pg on port 5544.',
      '  LOG:  something unforeseen',
      'Set DATABASE_URL to use another Postgres, or remove that folder to start with a fresh one.',
    ]);
  });
});
