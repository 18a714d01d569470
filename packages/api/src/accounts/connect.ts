import { createHash } from 'node:crypto';
import { createAuthorizationSecrets, isTikTokError } from '@reelpost/tiktok';
import { sql } from 'kysely';
import { requireOwned } from '../auth/ownership.js';
import type { AppDeps } from '../deps.js';
import type { Session } from '../trpc.js';
import { tikTokAppError } from '../tiktok/errors.js';
import { ACCOUNT_COLUMNS, toAccountView } from './views.js';
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
  const { state, codeVerifier } = createAuthorizationSecrets();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.settings.tiktok.connectStateTtlMs);
  // Old states are useless after they expire; clearing them here keeps the table small without a job.
  await deps.db.deleteFrom('tiktok_oauth_states').where('expires_at', '<', new Date(now.getTime() - 86_400_000)).execute();
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

/** What the callback page tells the person; `reason` is stable for programs, the page words it for people. */
export type ConnectOutcome =
  | { ok: true; account: TikTokAccountView; instanceId: string; redirectTo: string | null }
  | {
      ok: false;
      reason: 'missing_state' | 'unknown_state' | 'state_reused' | 'state_expired' | 'access_denied' | 'missing_code' | 'tiktok_failed';
      redirectTo: string | null;
      tiktok?: { code: string; logId: string | null };
    };

export interface CallbackParams {
  state?: string | null | undefined;
  code?: string | null | undefined;
  error?: string | null | undefined;
}

/**
 * The OAuth callback: claims the state (once), exchanges the code with its PKCE verifier, reads who connected, and
 * upserts the account. Every failure is an outcome, never a thrown error, and none of them links an account.
 */
export async function completeTikTokConnect(deps: ConnectDeps, params: CallbackParams): Promise<ConnectOutcome> {
  if (!params.state) return { ok: false, reason: 'missing_state', redirectTo: null };
  const stateHash = hashState(params.state);
  const claimed = await deps.db
    .updateTable('tiktok_oauth_states')
    .set({ used_at: deps.clock.now() })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  if (!claimed) {
    const known = await deps.db.selectFrom('tiktok_oauth_states').select('state_hash').where('state_hash', '=', stateHash).executeTakeFirst();
    return { ok: false, reason: known ? 'state_reused' : 'unknown_state', redirectTo: null };
  }
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
    const account = await deps.db.transaction().execute(async (trx) => {
      // One connect at a time per instance, so two first accounts cannot both become its default.
      await trx.selectFrom('instances').select('id').where('id', '=', claimed.instance_id).forUpdate().executeTakeFirstOrThrow();
      const hasDefault = await trx
        .selectFrom('instance_tiktok_credentials')
        .select('id')
        .where('instance_id', '=', claimed.instance_id)
        .where('is_default', '=', true)
        .where('open_id', '<>', tokens.openId)
        .executeTakeFirst();
      const now = deps.clock.now();
      const sealed = {
        access_token_encrypted: deps.tokens.encrypt(tokens.accessToken),
        refresh_token_encrypted: deps.tokens.encrypt(tokens.refreshToken),
        access_token_expires_at: tokens.accessTokenExpiresAt,
        refresh_token_expires_at: tokens.refreshTokenExpiresAt,
        scopes: tokens.scopes,
        state: 'active' as const,
        union_id: user.unionId ?? null,
        username: user.username ?? null,
        display_name: user.displayName ?? null,
        avatar_url: user.avatarUrl ?? null,
        connected_at: now,
        updated_at: now,
      };
      return trx
        .insertInto('instance_tiktok_credentials')
        .values({ instance_id: claimed.instance_id, open_id: tokens.openId, is_default: !hasDefault, ...sealed })
        .onConflict((oc) =>
          oc.columns(['instance_id', 'open_id']).doUpdateSet({
            ...sealed,
            // A reconnected account becomes the default only when the instance has none.
            is_default: hasDefault ? sql<boolean>`instance_tiktok_credentials.is_default` : true,
          }),
        )
        .returning(ACCOUNT_COLUMNS)
        .executeTakeFirstOrThrow();
    });
    return { ok: true, account: toAccountView(account), instanceId: claimed.instance_id, redirectTo };
  } catch (error) {
    if (!isTikTokError(error)) throw error;
    return { ok: false, reason: 'tiktok_failed', redirectTo, tiktok: { code: error.code, logId: error.logId ?? null } };
  }
}
