import { createHash } from 'node:crypto';
import { createAuthorizationSecrets, isTikTokError } from '@reelpost/tiktok';
import { requireOwned } from '../auth/ownership.js';
import type { AppDeps } from '../deps.js';
import type { Session } from '../trpc.js';
import { appError } from '../errors.js';
import { tikTokAppError } from '../tiktok/errors.js';
import { storeConnectedAccount } from './store.js';
import { toAccountView } from './views.js';
import type { TikTokAccountView } from './schemas.js';

type ConnectDeps = Pick<AppDeps, 'db' | 'clock' | 'tiktok' | 'tokens' | 'settings'>;

const BASIC_FIELDS = ['open_id', 'union_id', 'avatar_url', 'display_name'] as const;
const PROFILE_FIELDS = [...BASIC_FIELDS, 'username'] as const;

const hashState = (state: string) => createHash('sha256').update(state).digest('hex');

/**
 * Begins connecting a TikTok account to an instance: a single-use `state` bound to this user and instance (only
 * its hash is stored), a PKCE verifier sealed at rest, and TikTok's authorize URL to send the browser to.
 */
export async function startTikTokConnect(
  deps: ConnectDeps,
  session: Session,
  input: { instanceId: string; redirectTo?: string | undefined },
): Promise<{ authorizeUrl: string; expiresAt: Date }> {
  requireOwned(
    await deps.db.selectFrom('instances').select(['id', 'owner_id']).where('id', '=', input.instanceId).executeTakeFirst(),
    session,
    { code: 'INSTANCE_NOT_FOUND', what: 'instance' },
  );
  const now = deps.clock.now();
  // Old states are useless after they expire; clearing them here keeps the table small without a job.
  await deps.db.deleteFrom('tiktok_oauth_states').where('expires_at', '<', new Date(now.getTime() - 86_400_000)).execute();
  await refuseTooManyPendingConnects(deps, session.userId, now);
  const { state, codeVerifier } = createAuthorizationSecrets();
  const expiresAt = new Date(now.getTime() + deps.settings.tiktok.connectStateTtlMs);
  await deps.db
    .insertInto('tiktok_oauth_states')
    .values({
      state_hash: hashState(state),
      user_id: session.userId,
      instance_id: input.instanceId,
      code_verifier_encrypted: deps.tokens.encrypt(codeVerifier),
      redirect_to: input.redirectTo ?? null,
      expires_at: expiresAt,
    })
    .execute();
  try {
    const authorizeUrl = await deps.tiktok.buildAuthorizeUrl({ state, codeVerifier, scopes: [...deps.settings.tiktok.scopes] });
    return { authorizeUrl, expiresAt };
  } catch (error) {
    throw isTikTokError(error) ? tikTokAppError(error) : error;
  }
}

/**
 * Each connect stores a state row for its 10 minutes: unbounded, one user could fill the table. A user with
 * `pendingConnectsPerUser` connects started and neither finished nor expired is told to wait for the oldest to expire.
 */
async function refuseTooManyPendingConnects(deps: Pick<AppDeps, 'db' | 'settings'>, userId: string, now: Date): Promise<void> {
  const limit = deps.settings.tiktok.pendingConnectsPerUser;
  const pending = await deps.db
    .selectFrom('tiktok_oauth_states')
    .select('expires_at')
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('expires_at', 'desc')
    .limit(limit)
    .execute();
  if (pending.length < limit) return;
  // The earliest of the newest `limit` states to expire frees a place.
  const freedAt = pending[pending.length - 1]!.expires_at.getTime();
  throw appError('RATE_LIMITED', `You have ${limit} TikTok connects started and not finished.`, {
    hint: 'Finish one of them, or try again when the oldest link expires.',
    retryAfterMs: Math.max(1_000, freedAt - now.getTime()),
  });
}

/** What the callback page tells the person; `reason` is stable for programs, the page words it for people. */
export type ConnectOutcome =
  | { ok: true; account: TikTokAccountView; instanceId: string; redirectTo: string | null }
  | {
      ok: false;
      reason:
        | 'missing_state'
        | 'unknown_state'
        | 'state_reused'
        | 'state_expired'
        | 'foreign_state'
        | 'access_denied'
        | 'missing_code'
        | 'tiktok_failed';
      redirectTo: string | null;
      tiktok?: { code: string; logId: string | null };
    };

export interface CallbackParams {
  state?: string | null | undefined;
  code?: string | null | undefined;
  error?: string | null | undefined;
}

/** What the HTTP callback may know before anyone is signed in: whether the state is ours and where to go next. */
export type ConnectStateCheck =
  | { known: false }
  | { known: true; used: boolean; expired: boolean; redirectTo: string | null };

export async function peekConnectState(deps: Pick<AppDeps, 'db' | 'clock'>, state: string | null | undefined): Promise<ConnectStateCheck> {
  if (!state) return { known: false };
  const row = await deps.db
    .selectFrom('tiktok_oauth_states')
    .select(['used_at', 'expires_at', 'redirect_to'])
    .where('state_hash', '=', hashState(state))
    .executeTakeFirst();
  if (!row) return { known: false };
  return {
    known: true,
    used: row.used_at !== null,
    expired: row.expires_at.getTime() <= deps.clock.now().getTime(),
    redirectTo: row.redirect_to,
  };
}

/**
 * Finishes connecting, for the signed-in user who started it: checks the state is this user's — so nobody can link
 * their TikTok account to someone else's instance by handing them a connect link (account linking CSRF) — and only
 * then claims it (once): someone else's attempt never spends the owner's state. Then it exchanges the code with its
 * PKCE verifier, reads who connected, and upserts the account. Every failure is an outcome, never a thrown error, and
 * none of them links an account.
 */
export async function completeTikTokConnect(deps: ConnectDeps, userId: string, params: CallbackParams): Promise<ConnectOutcome> {
  if (!params.state) return { ok: false, reason: 'missing_state', redirectTo: null };
  const stateHash = hashState(params.state);
  const found = await deps.db.selectFrom('tiktok_oauth_states').select(['user_id', 'used_at']).where('state_hash', '=', stateHash).executeTakeFirst();
  if (!found) return { ok: false, reason: 'unknown_state', redirectTo: null };
  if (found.user_id !== userId) return { ok: false, reason: 'foreign_state', redirectTo: null };
  const claimed = await deps.db
    .updateTable('tiktok_oauth_states')
    .set({ used_at: deps.clock.now() })
    .where('state_hash', '=', stateHash)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return { ok: false, reason: 'state_reused', redirectTo: null };
  const redirectTo = claimed.redirect_to;
  if (claimed.expires_at.getTime() <= deps.clock.now().getTime()) return { ok: false, reason: 'state_expired', redirectTo };
  if (params.error) return { ok: false, reason: 'access_denied', redirectTo };
  if (!params.code) return { ok: false, reason: 'missing_code', redirectTo };

  try {
    const tokens = await deps.tiktok.exchangeCode({
      code: params.code,
      state: params.state,
      codeVerifier: deps.tokens.decrypt(claimed.code_verifier_encrypted),
    });
    // The username (for public post URLs) needs user.info.profile; ask for it only when it was granted.
    const fields = tokens.scopes.includes('user.info.profile') ? PROFILE_FIELDS : BASIC_FIELDS;
    const user = await deps.tiktok.getUserInfo(tokens.accessToken, { fields });
    const account = await storeConnectedAccount(deps, { instanceId: claimed.instance_id, tokens, profile: user });
    return { ok: true, account: toAccountView(account), instanceId: claimed.instance_id, redirectTo };
  } catch (error) {
    if (!isTikTokError(error)) throw error;
    return { ok: false, reason: 'tiktok_failed', redirectTo, tiktok: { code: error.code, logId: error.logId ?? null } };
  }
}

const STATE_PROBLEMS = {
  missing_state: 'This connect link is incomplete.',
  unknown_state: 'This connect link was not started here.',
  state_reused: 'This connect link was already used.',
  state_expired: 'This connect link expired (they last 10 minutes).',
} as const;

/** completeTikTokConnect as a procedure: the same outcomes, as errors with stable codes. */
export async function finishTikTokConnect(deps: ConnectDeps, session: Session, input: { state: string; code: string }) {
  const outcome = await completeTikTokConnect(deps, session.userId, input);
  if (outcome.ok) return { account: outcome.account, instanceId: outcome.instanceId, redirectTo: outcome.redirectTo };
  switch (outcome.reason) {
    case 'missing_state':
    case 'unknown_state':
    case 'state_reused':
    case 'state_expired':
      throw appError('OAUTH_STATE_INVALID', STATE_PROBLEMS[outcome.reason], { hint: 'Start connecting the TikTok account again.' });
    case 'foreign_state':
      throw appError('FORBIDDEN', 'This connect link was started by another user.', {
        hint: 'Connect TikTok from your own account; nothing was linked.',
      });
    case 'access_denied':
    case 'missing_code':
      throw appError('INVALID_INPUT', 'TikTok did not send an authorization code.', { hint: 'Start connecting again.' });
    case 'tiktok_failed':
      throw appError('TIKTOK_ERROR', 'TikTok did not complete the connection.', {
        hint: 'Start connecting again; if it keeps failing, give support the log id.',
        ...(outcome.tiktok && { tiktok: outcome.tiktok }),
      });
  }
}
