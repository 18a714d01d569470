import type { z } from 'zod';
import type { TikTokPrivacyLevel } from '@reelpost/tiktok';
import type { IdSource } from './ids.js';
import { emulatorUserSchema } from './options.js';

// A test user as the emulator keeps it: the profile user info answers with, and the posting settings creator
// info and the inits obey.

export interface EmulatorUser {
  openId: string;
  unionId: string;
  username: string;
  displayName: string;
  avatarUrl: string;
  bioDescription: string;
  isVerified: boolean;
  followerCount: number;
  followingCount: number;
  likesCount: number;
  videoCount: number;
  accountPrivate: boolean;
  privacyLevelOptions: TikTokPrivacyLevel[];
  commentDisabled: boolean;
  duetDisabled: boolean;
  stitchDisabled: boolean;
  maxVideoPostDurationSec: number;
  bannedFromPosting: boolean;
  dailyPostCap: number;
  pendingInboxLimit: number;
  inboxAppOutdated: boolean;
}

/** Two accounts unless configured: a public one, and a private one with a short maximum duration. */
export const DEFAULT_USERS = [
  { username: 'reelpost.creator', displayName: 'Reelpost Creator' },
  { username: 'quiet.studio', displayName: 'Quiet Studio', accountPrivate: true, maxVideoPostDurationSec: 180 },
];

/** What creator info offers a public or a private account (Query Creator Info reference). */
export function privacyOptionsFor(accountPrivate: boolean): TikTokPrivacyLevel[] {
  return accountPrivate ? ['FOLLOWER_OF_CREATOR', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'] : ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'];
}

/** A complete user from the configured (partial) one; missing ids come from the seed. */
export function createEmulatorUser(input: z.input<typeof emulatorUserSchema>, ids: IdSource): EmulatorUser {
  const parsed = emulatorUserSchema.parse(input);
  return {
    openId: parsed.openId ?? `-000${ids.hex(28)}`,
    unionId: parsed.unionId ?? `u${ids.hex(31)}`,
    username: parsed.username,
    displayName: parsed.displayName ?? parsed.username,
    avatarUrl: parsed.avatarUrl ?? `https://p16-sign.tiktokcdn.com/emulator/${parsed.username}.jpeg`,
    bioDescription: parsed.bioDescription,
    isVerified: parsed.isVerified,
    followerCount: parsed.followerCount,
    followingCount: parsed.followingCount,
    likesCount: parsed.likesCount,
    videoCount: parsed.videoCount,
    accountPrivate: parsed.accountPrivate,
    privacyLevelOptions: parsed.privacyLevelOptions ?? privacyOptionsFor(parsed.accountPrivate),
    commentDisabled: parsed.commentDisabled,
    // Query Creator Info: duet_disabled and stitch_disabled are true "if the creator account is private".
    duetDisabled: parsed.duetDisabled ?? parsed.accountPrivate,
    stitchDisabled: parsed.stitchDisabled ?? parsed.accountPrivate,
    maxVideoPostDurationSec: parsed.maxVideoPostDurationSec,
    bannedFromPosting: parsed.bannedFromPosting,
    dailyPostCap: parsed.dailyPostCap,
    pendingInboxLimit: parsed.pendingInboxLimit,
    inboxAppOutdated: parsed.inboxAppOutdated,
  };
}
