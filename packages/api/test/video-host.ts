import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fixturePhotos, fixtureVideos, type FixturePhotoName, type FixtureVideoName } from '@reelpost/tiktok-emulator/testing';
import { afterAll, beforeAll } from 'vitest';

export interface VideoHost {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** The prefix under which videos are served: what TikTok (the emulator) and our policy allow. */
  prefix: string;
  urlOf(name: FixtureVideoName): string;
  /** A URL under the prefix that answers 302 to `urlOf(name)`, as a storage host moving a file would. */
  redirectingUrlOf(name: FixtureVideoName): string;
  /** A fixture photo under the prefix (/videos/photos/<name>.<ext>), served with its own type. */
  photoUrlOf(name: FixturePhotoName): string;
  /** How many GET requests reached the host (the emulator pulling, our chunked upload reading). */
  downloads(): number;
}

/** Serves the fixture videos over plain http on 127.0.0.1 (as storage would, with ranges), for the calling file. */
export function useVideoHost(): () => VideoHost {
  const files = Object.fromEntries(Object.entries(fixtureVideos).map(([name, path]) => [name, readFileSync(path)]));
  const photos = Object.fromEntries(Object.entries(fixturePhotos).map(([name, path]) => [name, { body: readFileSync(path), ext: path.split('.').pop()! }]));
  const photoTypes: Record<string, string> = { jpg: 'image/jpeg', webp: 'image/webp', png: 'image/png' };
  let gets = 0;
  const server = createServer((req, res) => {
    const photo = photos[/^\/videos\/photos\/(\w+)\.\w+$/.exec(new URL(req.url ?? '/', 'http://host').pathname)?.[1] ?? ''];
    if (photo) {
      res.writeHead(200, { 'content-type': photoTypes[photo.ext]!, 'content-length': photo.body.length }).end(req.method === 'HEAD' ? undefined : photo.body);
      return;
    }
    const moved = /^\/videos\/redirect\/(\w+)\.mp4$/.exec(new URL(req.url ?? '/', 'http://host').pathname)?.[1];
    if (moved) {
      res.writeHead(302, { location: `/videos/${moved}.mp4` }).end();
      return;
    }
    const name = /^\/videos\/(\w+)\.mp4$/.exec(new URL(req.url ?? '/', 'http://host').pathname)?.[1];
    const body = name ? files[name] : undefined;
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    if (req.method === 'GET') gets++;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, {
        'content-type': 'video/mp4',
        'accept-ranges': 'bytes',
        'content-range': `bytes ${start}-${end}/${body.length}`,
        'content-length': end - start + 1,
      });
      res.end(req.method === 'HEAD' ? undefined : body.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  let host: VideoHost | undefined;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    host = { url, prefix: `${url}/videos/`, urlOf: (name) => `${url}/videos/${name}.mp4`,
      redirectingUrlOf: (name) => `${url}/videos/redirect/${name}.mp4`,
      photoUrlOf: (name) => `${url}/videos/photos/${name}.${photos[name]!.ext}`,
      downloads: () => gets };
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return () => {
    if (!host) throw new Error('useVideoHost(): only available inside tests and hooks');
    return host;
  };
}
