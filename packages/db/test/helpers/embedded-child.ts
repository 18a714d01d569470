// Starts an embedded Postgres in the given folder and then waits to be killed: a stand-in for a server process
// that crashes (SIGKILL) and leaves its Postgres running behind it.
import { startEmbeddedPostgres } from '../../src/embedded-postgres.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: embedded-child <dataDir>');
const server = await startEmbeddedPostgres({ dataDir });
process.stdout.write(`ready ${server.port}\n`);
setInterval(() => undefined, 60_000);
