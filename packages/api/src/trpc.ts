import { initTRPC } from '@trpc/server';
import { z } from 'zod';
import type { OpenApiMeta } from 'trpc-to-openapi';
import type { AppDeps } from './deps.js';
import { LIVE_HEARTBEAT_MS } from './live/events.js';
import { AppErrorCause, appCodeOf, appError, asDatabaseUnavailable } from './errors.js';
import { observeProcedure } from './observability/procedures.js';
import { bucketOf } from './limits.js';
import { transformer } from './transformer.js';

/** Who is calling: a person signed in with the app's identity provider, or an internal service acting for one. */
export interface Session {
  userId: string;
  sub: string;
  email: string | null;
  actor: 'user' | 'service';
  /** For actor 'service': which internal service is acting for the user (a service token's `act.sub`). */
  service?: string;
}

export interface Context extends AppDeps {
  session: Session | null;
  requestId: string | null;
  /** The caller's address, for per-address rate limits; null when unknown (in-process callers). */
  clientIp?: string | null;
  /** When the caller's token stops being valid (its `exp`), read on demand: a live stream is closed then. */
  tokenExpiresAt?: () => Date | null;
}

export interface InputIssue {
  path: string;
  message: string;
  code: string | null;
}

interface IssueLike {
  path?: readonly PropertyKey[] | readonly { key: PropertyKey }[];
  message?: unknown;
  code?: unknown;
}

function issuesOf(cause: unknown): InputIssue[] | null {
  if (typeof cause !== 'object' || cause === null || !('issues' in cause) || !Array.isArray(cause.issues)) return null;
  return (cause.issues as IssueLike[]).map((issue) => ({
    path: (issue.path ?? []).map((part) => String(typeof part === 'object' ? part.key : part)).join('.'),
    message: typeof issue.message === 'string' ? issue.message : 'Invalid value',
    code: typeof issue.code === 'string' ? issue.code : null,
  }));
}

export function describeIssues(issues: InputIssue[]): string {
  const first = issues[0];
  if (!first) return 'Invalid input';
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return `Invalid input: ${first.path ? `${first.path}: ` : ''}${first.message}${more}`;
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    transformer,
    // Live status streams (tiktok.watch): a ping keeps proxies from closing an idle stream, and a client that hears
    // nothing for 10 s past one reconnects (with its last event id).
    sse: { ping: { enabled: true, intervalMs: LIVE_HEARTBEAT_MS }, client: { reconnectAfterInactivityMs: LIVE_HEARTBEAT_MS + 10_000 } },
    // One error shape for every surface: tRPC's code and status, plus our stable code, hint, TikTok's code and log
    // id, and zod's issues. Stacks and internal messages (SQL, file paths) never leave the server.
    errorFormatter({ shape, error }) {
      const appCode = appCodeOf(error);
      const extra = error.cause instanceof AppErrorCause ? error.cause.extra : {};
      const issues = error.code === 'BAD_REQUEST' ? issuesOf(error.cause) : null;
      const message =
        appCode === 'INTERNAL'
          ? 'Something went wrong on our side. Try again; if it keeps happening, contact support with the request id.'
          : issues
            ? describeIssues(issues)
            : error.message;
      return {
        message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path ?? null,
          appCode,
          hint: extra.hint ?? null,
          tiktok: extra.tiktok ?? null,
          retryAfterMs: extra.retryAfterMs ?? null,
          details: extra.details ?? null,
          issues,
        },
      };
    },
  });

export const router = t.router;
export const middleware = t.middleware;
export const createCallerFactory = t.createCallerFactory;
/**
 * What every procedure runs around its work, in one middleware (each level of tRPC's chain copies its options and
 * context, so ours are folded into one): its span and duration (observeProcedure), and a database that is away
 * answering 503 DATABASE_UNAVAILABLE wherever it was met (tRPC wraps what a procedure throws; what is thrown before
 * the procedure runs — by the sign-in check or the rate limit — is mapped here).
 */
function around<R extends { ok: boolean; error?: { cause?: unknown } }>(path: string, run: () => Promise<R>): Promise<R> {
  return observeProcedure(path, async () => {
    let result: R;
    try {
      result = await run();
    } catch (cause) {
      throw asDatabaseUnavailable(cause);
    }
    if (!result.ok) {
      const mapped = asDatabaseUnavailable(result.error?.cause);
      if (mapped !== result.error?.cause) throw mapped;
    }
    return result;
  });
}

/** The verified caller, counted against their rate limit; refused when there is none or the budget is spent. */
async function admit(ctx: Context, path: string): Promise<Session> {
  const session = ctx.session;
  if (!session) {
    throw appError('UNAUTHORIZED', 'Sign in first: this call needs a valid bearer token.', {
      hint: 'Send `Authorization: Bearer <token>` with a token from your identity provider.',
    });
  }
  // Counted after sign-in, so a budget is keyed by a verified user (a forged `sub` cannot spend someone else's).
  const limited = await ctx.limiter?.consume(bucketOf(path), { userId: session.userId, ip: ctx.clientIp ?? null });
  if (limited) {
    throw appError('RATE_LIMITED', 'Too many requests: slow down.', {
      hint: `Try again in ${Math.ceil(limited.retryAfterMs / 1000)} s (the Retry-After header).`,
      retryAfterMs: limited.retryAfterMs,
    });
  }
  return session;
}

export const publicProcedure = t.procedure.use(({ path, next }) => around(path, next));

export const protectedProcedure = t.procedure.use(({ ctx, path, next }) =>
  // Only what changes: tRPC merges it into the context itself (a spread of the whole context here would be a second).
  around(path, async () => next({ ctx: { session: await admit(ctx, path) } })),
);

/**
 * An output schema as every procedure declares it: the same zod schema (OpenAPI and the client's types read it), its
 * check compiled by zod (`z.compile`) into generated code that builds the output in one pass — validated, not
 * skipped, at a fraction of the interpreted parse. `strict`: a schema zod cannot compile fails at start-up rather
 * than quietly running slow.
 */
export function compiledOutput<T extends z.ZodType>(schema: T): T {
  return z.compile(schema, { strict: true });
}
