import { appRouter } from '@reelpost/api';
import superjson from 'superjson';
import type { SecurityServer } from './harness.js';

// Every procedure of the router, read from the router itself — so a procedure added tomorrow is in every matrix and
// the fuzz without anyone listing it — and a way to call each one over both surfaces: tRPC (superjson) and REST.

export type Surface = 'trpc' | 'rest';
export const SURFACES: readonly Surface[] = ['trpc', 'rest'];

export interface ProcedureInfo {
  /** `tasks.detail` */
  path: string;
  type: 'query' | 'mutation';
  /** Its REST route (every procedure has one: the contract's parity rule). */
  rest: { method: string; path: string };
  /** Top-level input fields, and among them the ones that name an object (`taskId`, `instanceId`, `accountId`). */
  fields: string[];
  idFields: string[];
}

interface ZodLike {
  _zod: { def: { type: string; shape?: Record<string, unknown>; innerType?: ZodLike } };
}

function objectFields(schema: ZodLike | undefined): string[] {
  let current = schema;
  while (current && (current._zod.def.type === 'default' || current._zod.def.type === 'optional' || current._zod.def.type === 'nullable')) {
    current = current._zod.def.innerType;
  }
  return current?._zod.def.type === 'object' ? Object.keys(current._zod.def.shape ?? {}) : [];
}

interface ProcedureDef {
  _def: { type: string; meta?: { openapi?: { method: string; path: string } }; inputs: ZodLike[] };
}

export function listProcedures(): ProcedureInfo[] {
  // Subscriptions (tiktok.watch) stream over SSE; their 401/403/404 before any event are specified by the live-status
  // suites (packages/api/src/live, apps/server's post-events tests), not by these request/answer matrices.
  const calls = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).filter(([, procedure]) => procedure._def.type !== 'subscription');
  return calls.map(([path, procedure]) => {
    const { type, meta, inputs } = procedure._def;
    if (type !== 'query' && type !== 'mutation') throw new Error(`${path}: a ${type} — the security suites know queries and mutations only`);
    if (!meta?.openapi) throw new Error(`${path} has no REST route`);
    const fields = inputs.flatMap(objectFields);
    return { path, type, rest: { method: meta.openapi.method, path: meta.openapi.path }, fields, idFields: fields.filter((field) => /Id$/.test(field)) };
  });
}

export interface Answer {
  status: number;
  text: string;
  /** The stable error code: REST's `error.code`, tRPC's `error.data.appCode`; null on success. */
  code: string | null;
  /** The error's `details` (REST) / `data.details` (tRPC), when it has any. */
  details: Record<string, unknown> | null;
  /** The successful result (tRPC: deserialized by superjson; REST: the JSON body). */
  data: unknown;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

interface TrpcBody {
  result?: { data: Parameters<typeof superjson.deserialize>[0] };
  error?: { json?: { data?: { appCode?: string; details?: Record<string, unknown> | null } } };
}

interface RestBody {
  error?: { code?: string; details?: Record<string, unknown> };
}

export async function answerOf(surface: Surface, response: Response): Promise<Answer> {
  const text = await response.text();
  const body = parse(text);
  if (surface === 'trpc') {
    const trpc = (body ?? {}) as TrpcBody;
    return {
      status: response.status,
      text,
      code: trpc.error?.json?.data?.appCode ?? null,
      details: trpc.error?.json?.data?.details ?? null,
      data: trpc.result ? superjson.deserialize(trpc.result.data) : undefined,
    };
  }
  const rest = (body ?? {}) as RestBody;
  return { status: response.status, text, code: rest.error?.code ?? null, details: rest.error?.details ?? null, data: response.ok ? body : undefined };
}

/**
 * superjson's envelope of the input. superjson refuses to serialize `__proto__`, `constructor` and `prototype` keys
 * (a well-behaved client cannot send them); an attacker sends them anyway, as the plain envelope built here.
 */
function superjsonPayload(input: unknown): string {
  try {
    return JSON.stringify(superjson.serialize(input));
  } catch {
    return JSON.stringify({ json: input }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)) ?? '{}';
  }
}

/** The request that calls a procedure over tRPC with this input (already-serialized raw input when `raw`). */
export function trpcRequest(procedure: ProcedureInfo, input: unknown, headers: Record<string, string> = {}, raw?: string): [string, RequestInit] {
  const payload = raw ?? superjsonPayload(input);
  if (procedure.type === 'query') return [`/trpc/${procedure.path}?input=${encodeURIComponent(payload)}`, { headers }];
  return [`/trpc/${procedure.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload }];
}

/** A value as query or path text; lone UTF-16 surrogates (which no URL can carry) become U+FFFD. */
function queryValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/**
 * The request that calls a procedure over REST: path parameters from the input's fields of the same name, the rest in
 * the query (GET, DELETE) or as the JSON body (POST). `raw` replaces the body as sent.
 */
export function restRequest(procedure: ProcedureInfo, input: unknown, headers: Record<string, string> = {}, raw?: string): [string, RequestInit] {
  const rest: Record<string, unknown> = input !== null && typeof input === 'object' && !Array.isArray(input) ? { ...(input as Record<string, unknown>) } : {};
  const path = procedure.rest.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = rest[name];
    delete rest[name];
    return encodeURIComponent(value === undefined ? 'missing' : queryValue(value));
  });
  const method = procedure.rest.method;
  if (method === 'GET' || method === 'DELETE') {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(rest)) if (value !== undefined) query.set(key, queryValue(value));
    const search = query.toString();
    return [`/api/v1${path}${search ? `?${search}` : ''}`, { method, headers }];
  }
  return [`/api/v1${path}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: raw ?? JSON.stringify(input) ?? 'null' }];
}

export async function call(
  server: SecurityServer,
  surface: Surface,
  procedure: ProcedureInfo,
  input: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const [path, init] = surface === 'trpc' ? trpcRequest(procedure, input, headers) : restRequest(procedure, input, headers);
  return answerOf(surface, await server.request(path, init));
}
