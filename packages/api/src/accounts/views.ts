import type { TikTokAccount } from '@reelpost/db';
import type { TikTokAccountView } from './schemas.js';

/** The columns an account view needs; tokens are never among them. */
export const ACCOUNT_COLUMNS = [
  'id',
  'instance_id',
  'open_id',
  'username',
  'display_name',
  'avatar_url',
  'scopes',
  'state',
  'is_default',
  'connected_at',
  'last_used_at',
] as const satisfies readonly (keyof TikTokAccount)[];

export type AccountRow = Pick<TikTokAccount, (typeof ACCOUNT_COLUMNS)[number]>;

export function toAccountView(row: AccountRow): TikTokAccountView {
  return {
    id: row.id,
    instanceId: row.instance_id,
    openId: row.open_id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    scopes: row.scopes,
    state: row.state,
    isDefault: row.is_default,
    connectedAt: row.connected_at,
    lastUsedAt: row.last_used_at,
  };
}
