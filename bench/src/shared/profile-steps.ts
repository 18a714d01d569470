import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { markdownTable } from './table.js';

// Where a read's time goes, step by step (issue 23): every sample of a server's V8 CPU profile is given to the step
// of the innermost frame on its stack that names a step of ours — so the pg driver's socket write counts as SQL, zod's
// frames as validation, the log normalisation under getTaskDetail as shaping — and
// only a sample under none of them to the layer it ran in (tRPC, our bundle, Hono, Node). Each step's share of the
// busy samples, times the CPU per request measured from /proc in the same run, is its cost per request.

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

interface Frame {
  functionName: string;
  url: string;
}

type Rule = { step: string; names: (frame: Frame) => boolean };

/** The steps, each with what names it; a frame is tested against them in this order. */
const STEPS: readonly Rule[] = [
  { step: 'garbage collection', names: (f) => f.functionName === '(garbage collector)' },
  { step: 'SQL: pg and Kysely (query, socket, row parsing)', names: (f) => /\/(kysely|pg|pg-pool|pg-protocol|pg-types|postgres-date|postgres-array)\//.test(f.url) },
  { step: 'logging (pino)', names: (f) => /\/(pino|sonic-boom|@pinojs\/[^/]+)\//.test(f.url) },
  { step: 'metrics and tracing (OpenTelemetry)', names: (f) => f.url.includes('/@opentelemetry/') },
  { step: 'superjson writer', names: (f) => f.functionName === 'serializeOutput' },
  // zod's own frames, not tRPC's validator middlewares: everything tRPC runs below them (the rest of its chain, the
  // procedure) would count as validation.
  { step: 'validation (zod: input and output)', names: (f) => f.url.includes('/zod/') },
  { step: 'reading the input (JSON, superjson)', names: (f) => f.functionName === 'readInputs' },
  { step: 'sign-in (bearer token, session)', names: (f) => f.functionName === 'createContext' },
  { step: 'rate limit', names: (f) => f.functionName === 'consume' },
  { step: 'shaping (logs, planning, media, output)', names: (f) => ['getTaskDetail', 'listTasks', 'getPostStatus', 'readPostStatus'].includes(f.functionName) },
];

/** The layers a sample under no step ran in. */
const LAYERS: readonly Rule[] = [
  { step: 'tRPC (procedure chain, error and response shape)', names: (f) => f.url.includes('/@trpc/server/') },
  { step: 'our request handling (batch answer, JSON text, request scope)', names: (f) => f.url.includes('/apps/server/dist/') },
  { step: 'Hono and its node adapter', names: (f) => /\/(hono|@hono\/node-server)\//.test(f.url) },
  { step: 'node:http, sockets and the event loop', names: (f) => f.url.startsWith('node:') || ['writev', 'runMicrotasks', '(program)'].includes(f.functionName) },
];
const OTHER = 'other';

export function profileSteps(dir: string): Map<string, number> {
  const shares = new Map<string, number>();
  let busy = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = profileSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
    // The step of each profile node, found once: the nearest frame, itself or an ancestor, that names one.
    const nearest = (rules: readonly Rule[]) => {
      const memo = new Map<number, string | null>();
      const find = (id: number): string | null => {
        const known = memo.get(id);
        if (known !== undefined) return known;
        const node = byId.get(id);
        const own = node ? rules.find(({ names }) => names(node.callFrame))?.step : undefined;
        const parent = parentOf.get(id);
        const step = own ?? (parent === undefined ? null : find(parent));
        memo.set(id, step);
        return step;
      };
      return find;
    };
    const stepOf = nearest(STEPS);
    const layerOf = nearest(LAYERS);
    const resolve = (id: number): string => stepOf(id) ?? layerOf(id) ?? OTHER;
    profile.samples.forEach((id, index) => {
      const name = byId.get(id)?.callFrame.functionName;
      if (name === '(idle)' || name === '(root)') return;
      const micros = profile.timeDeltas[index] ?? 0;
      busy += micros;
      const step = resolve(id);
      shares.set(step, (shares.get(step) ?? 0) + micros);
    });
  }
  for (const [step, micros] of shares) shares.set(step, busy > 0 ? micros / busy : 0);
  return shares;
}

/** The steps' shares of a profiled server, as µs per request given its measured CPU per request. */
export function stepsTable(dir: string, cpuMicrosPerRequest: number | null): string {
  const rows = [...profileSteps(dir)]
    .sort((a, b) => b[1] - a[1])
    .map(([step, share]) => [step, `${(share * 100).toFixed(1)} %`, cpuMicrosPerRequest === null ? '?' : (share * cpuMicrosPerRequest).toFixed(0)]);
  return markdownTable(['step', 'share of busy samples', 'µs per request'], rows);
}
