import { createServer } from 'node:http';
import { openFloorStatement } from './floor-statement.js';

// The floor: the least any server could do for tasks.detail — node:http and pg, no framework, no auth, no
// validation, no shaping — running the very SQL the real procedure runs (compiled from its Kysely query by the
// benchmark and handed over here), with the same pool size. The real server's distance from this is its overhead.

const { pool, readDetail } = openFloorStatement('reelpost-bench-floor');
const DETAIL_PATH = /^\/detail\/([0-9a-f-]{36})$/;

const server = createServer((request, response) => {
  const taskId = DETAIL_PATH.exec(request.url ?? '')?.[1];
  if (!taskId) {
    response.writeHead(404).end();
    return;
  }
  readDetail(taskId).then(
    (row) => {
      if (row === undefined) response.writeHead(404).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(row));
    },
    (error: unknown) => response.writeHead(500).end(String(error)),
  );
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address) console.log(`floor listening on http://127.0.0.1:${address.port}`);
});

process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
