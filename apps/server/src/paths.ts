import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The server package's folder, found from wherever this code runs (src/ under tsx and vitest, dist/ when bundled),
 * for the files that ship beside the code rather than in it.
 */
function serverPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@reelpost/server') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the @reelpost/server package folder');
    dir = parent;
  }
}

const root = serverPackageRoot();

/** The sample video (and script) the demo serves. */
export const demoMediaDirectory = join(root, 'demo-media');
/** The reference web page's build, served in demo mode when it has been built. */
export const webDistDirectory = join(root, '..', 'web', 'dist');
