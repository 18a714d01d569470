import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { markdownTable } from './table.js';

// Where a server's CPU time went, from the V8 profiles `node --cpu-prof` writes on exit: self time grouped by
// package (npm dependency, Node internals, our bundle, GC, idle) and the hottest functions.

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      hitCount: z.number().default(0),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
});

function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm?.[1]) return pnpm[1];
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (plain?.[1]) return plain[1];
  if (url.startsWith('node:')) return 'node internals';
  if (url.includes('/apps/server/dist/')) return 'reelpost (server bundle)';
  if (url.includes('/bench/') || url.includes('/packages/')) return 'reelpost (source)';
  return url;
}

export function summariseCpuProfiles(dir: string, top = 12): string {
  const selfMs = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = profileSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const sampleMs = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
    for (const node of profile.nodes) {
      if (node.hitCount === 0) continue;
      const ms = node.hitCount * sampleMs;
      const { functionName, url, lineNumber } = node.callFrame;
      const where = packageOf(url, functionName);
      selfMs.set(where, (selfMs.get(where) ?? 0) + ms);
      const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
      byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
      totalMs += ms;
    }
  }
  const busyMs = totalMs - (selfMs.get('(idle)') ?? 0);
  const rows = (entries: Map<string, number>) =>
    [...entries]
      .filter(([name]) => name !== '(idle)' && !name.startsWith('(idle) '))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => [name, `${(ms / 1000).toFixed(1)} s`, `${((100 * ms) / busyMs).toFixed(1)} %`]);
  return [
    `busy ${(busyMs / 1000).toFixed(1)} s of ${(totalMs / 1000).toFixed(1)} s sampled`,
    markdownTable(['where (self time)', 'time', 'share of busy'], rows(selfMs)),
    markdownTable(['hottest functions', 'time', 'share of busy'], rows(byFunction)),
  ].join('\n\n');
}
