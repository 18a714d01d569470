import { SignJWT } from 'jose';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { appError } from '../errors.js';
import { isSafeText, UNSAFE_TEXT_MESSAGE } from '../input-text.js';
import type { Authenticator } from './authenticator.js';
import { createHs256Authenticator, MIN_SECRET_LENGTH, secretBytes } from './hs256.js';

// Demo mode (nothing configured, one machine): tokens are HS256 JWTs we sign ourselves with a demo secret, for any
// email asked for at `POST /dev/token`. Never mounted outside demo mode, and its issuer and audience differ from every
// real mode's, so a demo token is refused anywhere else.

export const DEMO_TOKEN_ISSUER = 'reelpost-demo';
export const DEMO_TOKEN_AUDIENCE = 'reelpost-demo';
const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

/** The body of `POST /dev/token`. */
export const demoTokenRequestSchema = z.object({ email: z.email().max(320).refine(isSafeText, { message: UNSAFE_TEXT_MESSAGE }) });
export type DemoTokenRequest = z.infer<typeof demoTokenRequestSchema>;

export interface DemoToken {
  token: string;
  userId: string;
  /** True when this call created the user (and its empty instance). */
  created: boolean;
  expiresAt: Date;
}

export interface DemoAuth {
  authenticator: Authenticator;
  /**
   * A token for the demo user with this email (`sub` = `demo|<email>`); a new email gets a user and an empty instance
   * first. Users outside the demo namespace are never found here, whatever their email.
   */
  issueDemoToken(request: DemoTokenRequest): Promise<DemoToken>;
}

export interface DemoAuthOptions extends Pick<AppDeps, 'db' | 'clock'> {
  secret: string;
  ttlSeconds?: number;
}

/** Every user demo mode creates has a `sub` in this namespace, and demo tokens are only ever minted for those. */
export const DEMO_SUB_PREFIX = 'demo|';

/** The `sub` of a user created by demo mode. */
export function demoSubFor(email: string): string {
  return `${DEMO_SUB_PREFIX}${email}`;
}

export function createDemoAuth({ db, clock, secret, ttlSeconds = DEFAULT_TTL_SECONDS }: DemoAuthOptions): DemoAuth {
  if (secret.length < MIN_SECRET_LENGTH) throw new RangeError(`The demo secret must be at least ${MIN_SECRET_LENGTH} characters.`);
  const authenticator = createHs256Authenticator({
    secret,
    audience: DEMO_TOKEN_AUDIENCE,
    issuer: DEMO_TOKEN_ISSUER,
    clock,
    label: 'demo tokens',
    source: '`POST /dev/token` (demo mode)',
  });

  // Found by its demo `sub` only, never by email: a real user sharing the email (demo mode refuses to start on such a
  // database, but one could be added while it runs) is never signed in by `POST /dev/token`.
  async function findOrCreateUser(email: string): Promise<{ id: string; sub: string; created: boolean }> {
    const sub = demoSubFor(email);
    return db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('users').select(['id', 'sub']).where('sub', '=', sub).executeTakeFirst();
      if (existing) return { ...existing, created: false };
      // A concurrent request for the same new email waits here for ours and then finds the row.
      const inserted = await trx
        .insertInto('users')
        .values({ sub, email })
        .onConflict((conflict) => conflict.column('sub').doNothing())
        .returning(['id', 'sub'])
        .executeTakeFirst();
      if (!inserted) {
        const user = await trx.selectFrom('users').select(['id', 'sub']).where('sub', '=', sub).executeTakeFirstOrThrow();
        return { ...user, created: false };
      }
      await trx.insertInto('instances').values({ owner_id: inserted.id, name: `${email.split('@')[0] ?? 'My'}'s instance` }).execute();
      return { ...inserted, created: true };
    });
  }

  return {
    authenticator,
    async issueDemoToken(request) {
      const parsed = demoTokenRequestSchema.safeParse({ email: request.email.trim().toLowerCase() });
      if (!parsed.success) {
        throw appError('INVALID_INPUT', 'That is not an email address.', { hint: 'Send `{"email": "you@example.com"}`.' });
      }
      const email = parsed.data.email;
      const user = await findOrCreateUser(email);
      const now = Math.floor(clock.now().getTime() / 1000);
      const token = await new SignJWT({ email })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(DEMO_TOKEN_ISSUER)
        .setAudience(DEMO_TOKEN_AUDIENCE)
        .setSubject(user.sub)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(secretBytes(secret));
      return { token, userId: user.id, created: user.created, expiresAt: new Date((now + ttlSeconds) * 1000) };
    },
  };
}
