import { TIKTOK_RATE_LIMITS_PER_MINUTE } from '@reelpost/tiktok';

/**
 * The shortest drain TikTok's per-token limits allow: every post of an account needs one creator_info and one init,
 * and a sliding window of `windowMs` lets `limit` calls per endpoint through, so the n-th call of an account can go
 * out no earlier than floor((n - 1) / limit) windows after the first. Accounts are independent; the slowest endpoint
 * decides. (20 posts: inits 6 + 6 + 6 + 2, so the last goes 3 windows in.)
 */
export function theoreticalMinimumMs(postsPerAccount: number, windowMs: number): number {
  const perEndpoint = [TIKTOK_RATE_LIMITS_PER_MINUTE['video.init'], TIKTOK_RATE_LIMITS_PER_MINUTE['creator_info.query']];
  return Math.max(...perEndpoint.map((limit) => Math.floor((postsPerAccount - 1) / limit) * windowMs));
}
