import { isTikTokError } from '@reelpost/tiktok';
import { TokenCodecError } from '../crypto/fernet.js';
import { requireOwned } from '../auth/ownership.js';
import type { AppDeps } from '../deps.js';
import { appError } from '../errors.js';
import type { Session } from '../trpc.js';
import { takeTikTokCall, type TikTokBudgetedEndpoint, tikTokCallWait } from '../tiktok/call-budget.js';
import { tikTokAppError } from '../tiktok/errors.js';
import { getAccessToken, needsReauthError } from './access-token.js';
import type { CreatorInfoView, TikTokAccountView } from './schemas.js';
import { ACCOUNT_COLUMNS, type AccountRow, toAccountView } from './views.js';

type Deps = Pick<AppDeps, 'db' | 'clock' | 'tiktok' | 'tokens' | 'settings'>;

const ACCOUNT_NOT_FOUND = { code: 'ACCOUNT_NOT_FOUND', what: 'TikTok account' } as const;

function accountWithOwner(db: AppDeps['db'], accountId: string) {
  return db
    .selectFrom('instance_tiktok_credentials as a')
    .innerJoin('instances as i', 'i.id', 'a.instance_id')
    .select(ACCOUNT_COLUMNS.map((column) => `a.${column}` as const))
    .select('i.owner_id')
    .where('a.id', '=', accountId)
    .executeTakeFirst();
}

/** The caller's own account by id: unknown → 404, someone else's → 403. */
export async function findOwnedAccount(deps: Pick<AppDeps, 'db'>, session: Session, accountId: string): Promise<AccountRow> {
  return requireOwned(await accountWithOwner(deps.db, accountId), session, ACCOUNT_NOT_FOUND);
}

/**
 * The account to use: the one named, or the default of the given instance (or of the caller's oldest instance
 * that has one). No account at all → 404 NO_TIKTOK_ACCOUNT with a hint to connect one.
 */
export async function resolveAccount(
  deps: Pick<AppDeps, 'db'>,
  session: Session,
  input: { accountId?: string | undefined; instanceId?: string | undefined },
): Promise<AccountRow> {
  if (input.accountId) {
    const account = await findOwnedAccount(deps, session, input.accountId);
    if (input.instanceId && account.instance_id !== input.instanceId) {
      throw appError('FORBIDDEN', 'That TikTok account is connected to another instance.', {
        hint: 'Use an account connected to the task’s instance, or connect this one there.',
      });
    }
    return account;
  }
  let query = deps.db
    .selectFrom('instance_tiktok_credentials as a')
    .innerJoin('instances as i', 'i.id', 'a.instance_id')
    .select(ACCOUNT_COLUMNS.map((column) => `a.${column}` as const))
    .where('i.owner_id', '=', session.userId)
    .where('a.is_default', '=', true)
    .orderBy('i.created_at')
    .limit(1);
  if (input.instanceId) query = query.where('a.instance_id', '=', input.instanceId);
  const account = await query.executeTakeFirst();
  if (!account) {
    throw appError('NO_TIKTOK_ACCOUNT', 'No TikTok account is connected to post with.', {
      hint: 'Connect one with tiktok.connect, then try again.',
    });
  }
  return account;
}

export async function listAccounts(deps: Pick<AppDeps, 'db'>, session: Session, instanceId?: string): Promise<TikTokAccountView[]> {
  if (instanceId) {
    requireOwned(
      await deps.db.selectFrom('instances').select(['id', 'owner_id']).where('id', '=', instanceId).executeTakeFirst(),
      session,
      { code: 'INSTANCE_NOT_FOUND', what: 'instance' },
    );
  }
  let query = deps.db
    .selectFrom('instance_tiktok_credentials as a')
    .innerJoin('instances as i', 'i.id', 'a.instance_id')
    .select(ACCOUNT_COLUMNS.map((column) => `a.${column}` as const))
    .where('i.owner_id', '=', session.userId)
    .orderBy('a.is_default', 'desc')
    .orderBy('a.connected_at', 'desc')
    .orderBy('a.id');
  if (instanceId) query = query.where('a.instance_id', '=', instanceId);
  return (await query.execute()).map(toAccountView);
}

/** Makes the account its instance's default; the database holds every instance to at most one. */
export async function setDefaultAccount(deps: Pick<AppDeps, 'db' | 'clock'>, session: Session, accountId: string): Promise<TikTokAccountView> {
  const account = await findOwnedAccount(deps, session, accountId);
  if (account.state !== 'active') throw needsReauthError();
  return deps.db.transaction().execute(async (trx) => {
    await trx.selectFrom('instances').select('id').where('id', '=', account.instance_id).forUpdate().executeTakeFirstOrThrow();
    // Two statements: the partial unique index is checked row by row, so the old default must go first.
    await trx
      .updateTable('instance_tiktok_credentials')
      .set({ is_default: false, updated_at: deps.clock.now() })
      .where('instance_id', '=', account.instance_id)
      .where('is_default', '=', true)
      .where('id', '<>', accountId)
      .execute();
    const updated = await trx
      .updateTable('instance_tiktok_credentials')
      .set({ is_default: true, updated_at: deps.clock.now() })
      .where('id', '=', accountId)
      .where('state', '=', 'active')
      .returning(ACCOUNT_COLUMNS)
      .executeTakeFirst();
    if (!updated) throw needsReauthError();
    return toAccountView(updated);
  });
}

/**
 * Revokes the account's authorization at TikTok (best effort: our copy of the tokens is wiped whatever TikTok
 * answers), keeps its post history, and promotes the most recently used remaining account when it was the default.
 */
export async function disconnectAccount(deps: Deps, session: Session, accountId: string) {
  const account = await findOwnedAccount(deps, session, accountId);
  let revokedAtTikTok = false;
  const sealed = await deps.db
    .selectFrom('instance_tiktok_credentials')
    .select(['access_token_encrypted'])
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (sealed.access_token_encrypted) {
    try {
      await deps.tiktok.revokeToken(deps.tokens.decrypt(sealed.access_token_encrypted));
      revokedAtTikTok = true;
    } catch (error) {
      // Tokens no key opens cannot be revoked, but the account is still disconnected here.
      if (!isTikTokError(error) && !(error instanceof TokenCodecError)) throw error;
    }
  }
  return deps.db.transaction().execute(async (trx) => {
    await trx.selectFrom('instances').select('id').where('id', '=', account.instance_id).forUpdate().executeTakeFirstOrThrow();
    const now = deps.clock.now();
    const updated = await trx
      .updateTable('instance_tiktok_credentials')
      .set({
        state: 'revoked',
        is_default: false,
        access_token_encrypted: null,
        refresh_token_encrypted: null,
        access_token_expires_at: null,
        refresh_token_expires_at: null,
        updated_at: now,
      })
      .where('id', '=', accountId)
      .returning(ACCOUNT_COLUMNS)
      .executeTakeFirstOrThrow();
    let newDefaultAccountId: string | null = null;
    if (account.is_default) {
      const next = await trx
        .selectFrom('instance_tiktok_credentials')
        .select('id')
        .where('instance_id', '=', account.instance_id)
        .where('state', '=', 'active')
        .where('id', '<>', accountId)
        .orderBy((eb) => eb.fn.coalesce('last_used_at', 'connected_at'), 'desc')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      if (next) {
        await trx.updateTable('instance_tiktok_credentials').set({ is_default: true, updated_at: now }).where('id', '=', next.id).execute();
        newDefaultAccountId = next.id;
      }
    }
    return { account: toAccountView(updated), revokedAtTikTok, newDefaultAccountId };
  });
}

function rateLimitedError(retryAfterMs: number) {
  return appError('RATE_LIMITED', 'TikTok allows only a few of these calls per minute for one account.', {
    hint: `Try again in ${Math.ceil(retryAfterMs / 1000)} s.`,
    retryAfterMs,
  });
}

/** Refuses a TikTok call that would exceed the account's per-minute budget, saying when to try again. */
export async function spendTikTokCall(
  deps: Pick<AppDeps, 'db' | 'settings'>,
  accountId: string,
  endpoint: TikTokBudgetedEndpoint,
): Promise<void> {
  const decision = await takeTikTokCall(deps.db, accountId, endpoint, { windowMs: deps.settings.tiktok.rateLimitWindowMs });
  if (!decision.granted) throw rateLimitedError(decision.retryAfterMs);
}

/** The same refusal, before the work that leads up to the call is done: nothing is spent either way. */
export async function requireTikTokCallBudget(deps: Pick<AppDeps, 'db' | 'settings'>, accountId: string, endpoint: TikTokBudgetedEndpoint): Promise<void> {
  const waitMs = await tikTokCallWait(deps.db, accountId, endpoint, { windowMs: deps.settings.tiktok.rateLimitWindowMs });
  if (waitMs > 0) throw rateLimitedError(waitMs);
}

/** What TikTok says this creator may do right now: the basis of every posting form (and of every post). */
export async function queryCreatorInfo(deps: Deps, account: AccountRow): Promise<CreatorInfoView> {
  const { accessToken } = await getAccessToken(deps, account.id);
  await spendTikTokCall(deps, account.id, 'creator_info');
  try {
    const info = await deps.tiktok.queryCreatorInfo(accessToken);
    return {
      accountId: account.id,
      nickname: info.nickname,
      username: info.username,
      avatarUrl: info.avatarUrl,
      privacyLevelOptions: info.privacyLevelOptions,
      commentDisabled: info.commentDisabled,
      duetDisabled: info.duetDisabled,
      stitchDisabled: info.stitchDisabled,
      maxVideoPostDurationSec: info.maxVideoPostDurationSec,
    };
  } catch (error) {
    throw isTikTokError(error) ? tikTokAppError(error) : error;
  }
}
