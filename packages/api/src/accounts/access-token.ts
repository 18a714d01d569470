import { isTikTokError, type TikTokError } from '@reelpost/tiktok';
import { TokenCodecError } from '../crypto/fernet.js';
import type { AppDeps } from '../deps.js';
import { appError } from '../errors.js';

export interface AccessToken {
  accountId: string;
  openId: string;
  accessToken: string;
  expiresAt: Date;
}

interface TokenRow {
  id: string;
  open_id: string;
  state: string;
  access_token_encrypted: string | null;
  refresh_token_encrypted: string | null;
  access_token_expires_at: Date | null;
  refresh_token_expires_at: Date | null;
}

const TOKEN_COLUMNS = [
  'id',
  'open_id',
  'state',
  'access_token_encrypted',
  'refresh_token_encrypted',
  'access_token_expires_at',
  'refresh_token_expires_at',
] as const;

export function needsReauthError(tiktok?: TikTokError) {
  return appError('ACCOUNT_NEEDS_REAUTH', 'This TikTok account must be connected again before it can post.', {
    hint: 'Reconnect the account (tiktok.connect): TikTok no longer accepts its authorization.',
    ...(tiktok && { tiktok: { code: tiktok.code, logId: tiktok.logId ?? null } }),
  });
}

/**
 * A sealed token none of ENCRYPTION_KEYS opens (a key dropped too early, a damaged row) cannot be used, but the
 * account is left as it is: if the keys are wrong, every account would otherwise be marked for reconnection at once.
 * Reconnecting seals fresh tokens with the current key.
 */
function unseal(deps: Pick<AppDeps, 'tokens'>, sealed: string): string {
  try {
    return deps.tokens.decrypt(sealed);
  } catch (error) {
    if (!(error instanceof TokenCodecError)) throw error;
    throw appError('ACCOUNT_NEEDS_REAUTH', 'This TikTok account’s stored authorization cannot be read.', {
      hint: 'Reconnect the account (tiktok.connect). Operators: check that ENCRYPTION_KEYS still holds the key these tokens were sealed with.',
    });
  }
}

function usableRow(row: TokenRow | undefined): TokenRow & { access_token_encrypted: string; refresh_token_encrypted: string } {
  if (!row) throw appError('ACCOUNT_NOT_FOUND', 'No TikTok account with that id.', { hint: 'List accounts with tiktok.accounts.' });
  if (row.state !== 'active' || !row.access_token_encrypted || !row.refresh_token_encrypted) throw needsReauthError();
  return row as TokenRow & { access_token_encrypted: string; refresh_token_encrypted: string };
}

function freshEnough(row: TokenRow, deps: Pick<AppDeps, 'clock'>, marginMs: number): boolean {
  const expiresAt = row.access_token_expires_at?.getTime() ?? 0;
  return expiresAt - deps.clock.now().getTime() > marginMs;
}

function tokenOf(deps: Pick<AppDeps, 'tokens'>, row: TokenRow & { access_token_encrypted: string }): AccessToken {
  return {
    accountId: row.id,
    openId: row.open_id,
    accessToken: unseal(deps, row.access_token_encrypted),
    expiresAt: row.access_token_expires_at ?? new Date(0),
  };
}

type RefreshOutcome = { kind: 'token'; token: AccessToken } | { kind: 'needs_reauth'; tiktok?: TikTokError };

/**
 * A live access token for the account. While the stored one has more than the safety margin left it is returned
 * as is; otherwise it is refreshed **once across all processes**: the account row is locked, expiry re-checked
 * under the lock (another process may just have refreshed), and the new tokens — TikTok rotates the refresh
 * token — are stored in the same transaction. `invalid_grant` marks the account `needs_reauth`; a transient
 * failure leaves the stored tokens as they were.
 *
 * `marginMs` widens the margin, e.g. for the proactive refresher.
 */
export async function getAccessToken(
  deps: Pick<AppDeps, 'db' | 'clock' | 'tiktok' | 'tokens' | 'settings'>,
  accountId: string,
  options: { marginMs?: number } = {},
): Promise<AccessToken> {
  const marginMs = options.marginMs ?? deps.settings.tiktok.refreshMarginMs;
  const row = usableRow(
    await deps.db.selectFrom('instance_tiktok_credentials').select(TOKEN_COLUMNS).where('id', '=', accountId).executeTakeFirst(),
  );
  if (freshEnough(row, deps, marginMs)) return tokenOf(deps, row);

  let outcome: RefreshOutcome;
  try {
    outcome = await deps.db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
      const locked = usableRow(
        await trx
          .selectFrom('instance_tiktok_credentials')
          .select(TOKEN_COLUMNS)
          .where('id', '=', accountId)
          .forUpdate()
          .executeTakeFirst(),
      );
      if (freshEnough(locked, deps, marginMs)) return { kind: 'token', token: tokenOf(deps, locked) };

      const markNeedsReauth = () =>
        trx
          .updateTable('instance_tiktok_credentials')
          .set({ state: 'needs_reauth', updated_at: deps.clock.now() })
          .where('id', '=', accountId)
          .execute();
      const refreshExpiresAt = locked.refresh_token_expires_at?.getTime();
      if (refreshExpiresAt !== undefined && refreshExpiresAt <= deps.clock.now().getTime()) {
        await markNeedsReauth();
        return { kind: 'needs_reauth' };
      }

      let refreshed;
      try {
        refreshed = await deps.tiktok.refreshAccessToken(unseal(deps, locked.refresh_token_encrypted));
      } catch (error) {
        if (isTikTokError(error) && (error.code === 'invalid_grant' || error.action === 'reauthorize')) {
          await markNeedsReauth();
          return { kind: 'needs_reauth', tiktok: error };
        }
        throw error;
      }
      const updated = await trx
        .updateTable('instance_tiktok_credentials')
        .set({
          access_token_encrypted: deps.tokens.encrypt(refreshed.accessToken),
          refresh_token_encrypted: deps.tokens.encrypt(refreshed.refreshToken),
          access_token_expires_at: refreshed.accessTokenExpiresAt,
          refresh_token_expires_at: refreshed.refreshTokenExpiresAt,
          scopes: refreshed.scopes,
          updated_at: deps.clock.now(),
        })
        .where('id', '=', accountId)
        .returning(TOKEN_COLUMNS)
        .executeTakeFirstOrThrow();
      return { kind: 'token', token: { ...tokenOf(deps, usableRow(updated)), accessToken: refreshed.accessToken } };
    });
  } catch (error) {
    // Any other TikTok failure (after the client's own retries) rolls back: the stored tokens stay as they were.
    if (isTikTokError(error)) {
      throw appError('TIKTOK_UNAVAILABLE', 'TikTok could not renew this account’s access right now.', {
        hint: 'Try again in a minute; nothing was lost.',
        tiktok: { code: error.code, logId: error.logId ?? null },
      });
    }
    throw error;
  }
  if (outcome.kind === 'needs_reauth') throw needsReauthError(outcome.tiktok);
  return outcome.token;
}
