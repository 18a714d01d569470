import { decodeJwt } from 'jose';
import type { AppDeps } from '../deps.js';
import { type AppError, appError, asDatabaseUnavailable } from '../errors.js';
import type { Context, Session } from '../trpc.js';
import { type Authenticator, AuthenticationError } from './authenticator.js';
import { findUserBySub, RecentUsers, type UserRef, upsertUserBySub } from './users.js';
import { rememberVerifiedTokens } from './verified-tokens.js';

/** What the context factory reads of a request, whatever the transport (the server builds it from a Hono request). */
export interface ContextInput {
  /** The request's headers: a fetch `Headers` (Hono, the fetch adapter) or a plain record (node:http). */
  headers?: Headers | Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The `Authorization` header's value, for callers that have it at hand rather than the headers. */
  authorization?: string | null;
  /** Defaults to the `x-request-id` header. */
  requestId?: string | null;
  /** The caller's address, for per-address rate limits. */
  clientIp?: string | null;
}

export type CreateContext = (request?: ContextInput) => Promise<Context>;

export interface ContextDeps extends AppDeps {
  authenticator: Authenticator;
}

function header(headers: ContextInput['headers'], name: string): string | null {
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return (Array.isArray(entry) ? (entry[0] as string | undefined) : (entry as string | undefined)) ?? null;
}

const BEARER = /^Bearer +(\S+) *$/i;

/** A minute spares each busy user's requests a read of `users`; 10,000 entries stay within a few megabytes. */
const RECENT_USERS = { ttlMs: 60_000, maxEntries: 10_000 };

/** Half a minute spares a session's requests the signature check; 10,000 tokens are a few megabytes. */
const VERIFIED_TOKENS = { ttlMs: 30_000, maxEntries: 10_000 };

/**
 * The token from an `Authorization` value: null when there is none (an anonymous call), a 401 when there is one
 * that is not `Bearer <token>` (a caller who meant to sign in must hear that it did not work).
 */
export function bearerTokenFrom(authorization: string | null | undefined): string | null {
  if (authorization === null || authorization === undefined || authorization.trim() === '') return null;
  const match = BEARER.exec(authorization.trim());
  if (!match?.[1]) {
    throw appError('UNAUTHORIZED', 'The Authorization header is not a bearer token.', {
      hint: 'Send `Authorization: Bearer <token>` with a token from your identity provider.',
    });
  }
  return match[1];
}

/** The API error for a refused token; it carries the reason's message and hint, never the token. */
export function authenticationAppError(error: AuthenticationError): AppError {
  const code = error.reason === 'provider_unavailable' ? 'AUTH_UNAVAILABLE' : 'UNAUTHORIZED';
  return appError(code, error.message, { hint: error.hint, details: { reason: error.reason } });
}

/**
 * The session for an `Authorization` value: null without one; for a valid token, the user (upserted by `sub` on
 * first sight, email kept current) or, for a service token, the existing user it acts for; otherwise an AppError
 * (401 UNAUTHORIZED, or 503 AUTH_UNAVAILABLE when the identity provider's keys cannot be fetched).
 */
export async function sessionFromAuthorization(
  deps: ContextDeps,
  authorization: string | null | undefined,
  recentUsers?: RecentUsers,
): Promise<Session | null> {
  const token = bearerTokenFrom(authorization);
  if (token === null) return null;
  let identity;
  try {
    identity = await deps.authenticator.verify(token);
  } catch (error) {
    if (error instanceof AuthenticationError) throw authenticationAppError(error);
    throw error;
  }
  const recent = recentUsers?.get(identity.sub);
  if (identity.actor === 'service') {
    const user = recent ?? (await findUserBySub(deps.db, identity.sub));
    if (!user) {
      throw authenticationAppError(
        new AuthenticationError(
          'unknown_user',
          'The service token acts for a user who has never signed in.',
          'A service can act only for a user who has signed in to Reelpost at least once; check the token\'s `sub`.',
        ),
      );
    }
    recentUsers?.remember(user);
    return { userId: user.id, sub: user.sub, email: user.email, actor: 'service', service: identity.service };
  }
  const unchanged = recent && (identity.email === null || identity.email === recent.email);
  const user: UserRef = unchanged ? recent : await upsertUserBySub(deps, identity);
  recentUsers?.remember(user);
  return { userId: user.id, sub: user.sub, email: user.email, actor: 'user' };
}

/** A verified token's `exp` (every authenticator requires one). */
function expiryOf(token: string | null): Date | null {
  const exp = token === null ? undefined : decodeJwt(token).exp;
  return exp === undefined ? null : new Date(exp * 1000);
}

/**
 * The tRPC context factory. Mount it as the adapter's `createContext`:
 *   fetchRequestHandler({ ..., createContext: ({ req }) => createContext({ headers: req.headers }) })
 * A present but invalid token fails the request with 401 (the error formatter shapes it like every other error);
 * only a request without a token is anonymous.
 */
export function createContextFactory(deps: ContextDeps): CreateContext {
  const { authenticator, ...appDeps } = deps;
  const sessionDeps = { ...deps, authenticator: rememberVerifiedTokens(authenticator, { ...VERIFIED_TOKENS, clock: deps.clock }) };
  const recentUsers = new RecentUsers(RECENT_USERS);
  return async (request = {}) => {
    const authorization = request.authorization !== undefined ? request.authorization : header(request.headers, 'authorization');
    // Signing in upserts the user: a database that is away is a 503 here too, before any procedure runs.
    const session = await sessionFromAuthorization(sessionDeps, authorization, recentUsers).catch((error: unknown) => {
      throw asDatabaseUnavailable(error);
    });
    const requestId = request.requestId !== undefined ? request.requestId : header(request.headers, 'x-request-id');
    const tokenExpiresAt = () => expiryOf(session ? bearerTokenFrom(authorization) : null);
    return { ...appDeps, session, requestId, clientIp: request.clientIp ?? null, tokenExpiresAt };
  };
}
