import type { TikTokTokenSet } from '@reelpost/tiktok';
import { sql } from 'kysely';
import type { AppDeps } from '../deps.js';
import { ACCOUNT_COLUMNS, type AccountRow } from './views.js';

/** What TikTok's user info says of the person who connected, kept beside the tokens. */
export interface ConnectedProfile {
  unionId?: string | null;
  username?: string | null;
  displayName?: string | null;
  avatarUrl?: string | null;
}

export interface ConnectedAccountInput {
  instanceId: string;
  tokens: TikTokTokenSet;
  profile: ConnectedProfile;
  /** Left out: the account becomes the instance's default when the instance has none (the connect flow's rule). */
  isDefault?: boolean;
}

/**
 * Stores a connected TikTok account with its tokens sealed: a new `open_id` is inserted, a known one (a reconnect)
 * gets the new tokens and profile and is active again. The connect flow ends here, and so do the demo's, the
 * benchmarks' and the tests' accounts, so every account is stored the one way.
 */
export async function storeConnectedAccount(
  deps: Pick<AppDeps, 'db' | 'tokens' | 'clock'>,
  input: ConnectedAccountInput,
): Promise<AccountRow> {
  const { instanceId, tokens, profile } = input;
  return deps.db.transaction().execute(async (trx) => {
    // One connect at a time per instance, so two first accounts cannot both become its default.
    await trx.selectFrom('instances').select('id').where('id', '=', instanceId).forUpdate().executeTakeFirstOrThrow();
    const hasDefault = await trx
      .selectFrom('instance_tiktok_credentials')
      .select('id')
      .where('instance_id', '=', instanceId)
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
      union_id: profile.unionId ?? null,
      username: profile.username ?? null,
      display_name: profile.displayName ?? null,
      avatar_url: profile.avatarUrl ?? null,
      connected_at: now,
      updated_at: now,
    };
    return trx
      .insertInto('instance_tiktok_credentials')
      .values({ instance_id: instanceId, open_id: tokens.openId, is_default: input.isDefault ?? !hasDefault, ...sealed })
      .onConflict((oc) =>
        oc.columns(['instance_id', 'open_id']).doUpdateSet({
          ...sealed,
          // A reconnected account becomes the default only when the instance has none.
          is_default: input.isDefault ?? (hasDefault ? sql<boolean>`instance_tiktok_credentials.is_default` : true),
        }),
      )
      .returning(ACCOUNT_COLUMNS)
      .executeTakeFirstOrThrow();
  });
}
