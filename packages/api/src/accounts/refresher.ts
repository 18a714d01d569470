import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { type AnyJobRegistration, defineJob, register } from '../jobs/queue.js';
import { getAccessToken } from './access-token.js';

/** Every minute: renew access tokens about to expire, so a post never waits on a refresh (and rarely meets an expired one). */
export const refreshExpiringTokensJob = defineJob('tiktok:refresh-expiring-tokens', z.object({}).loose());

export interface RefreshReport {
  refreshed: number;
  failed: number;
}

export async function refreshExpiringTokens(deps: Pick<AppDeps, 'db' | 'clock' | 'tiktok' | 'tokens' | 'settings'>): Promise<RefreshReport> {
  const within = deps.settings.tiktok.proactiveRefreshWithinMs;
  const due = await deps.db
    .selectFrom('instance_tiktok_credentials')
    .select('id')
    .where('state', '=', 'active')
    .where('access_token_expires_at', '<', new Date(deps.clock.now().getTime() + within))
    .orderBy('access_token_expires_at')
    .execute();
  const report: RefreshReport = { refreshed: 0, failed: 0 };
  for (const { id } of due) {
    try {
      // The same single-flight refresh requests use; an account another worker just renewed is left alone.
      await getAccessToken(deps, id, { marginMs: within });
      report.refreshed++;
    } catch {
      // needs_reauth is recorded on the account; a transient failure is tried again next minute.
      report.failed++;
    }
  }
  return report;
}

/** The account jobs for a worker: the minute refresher. */
export function accountJobs(deps: Pick<AppDeps, 'db' | 'clock' | 'tiktok' | 'tokens' | 'settings'>): AnyJobRegistration[] {
  return [register(refreshExpiringTokensJob, async () => void (await refreshExpiringTokens(deps)), '* * * * *')];
}
