import { ACCOUNT_STATES } from '@reelpost/db';
import { PRIVACY_LEVELS } from '@reelpost/tiktok';
import { z } from 'zod';
import { inputText } from '../input-text.js';

/** A connected TikTok account as callers see it: who it is and whether it can post. Never its tokens. */
export const tiktokAccountSchema = z.object({
  id: z.uuid(),
  instanceId: z.uuid(),
  openId: z.string(),
  username: z.string().nullable(),
  displayName: z.string().nullable(),
  avatarUrl: z.string().nullable(),
  scopes: z.array(z.string()),
  state: z.enum(ACCOUNT_STATES),
  isDefault: z.boolean(),
  connectedAt: z.date(),
  lastUsedAt: z.date().nullable(),
});
export type TikTokAccountView = z.infer<typeof tiktokAccountSchema>;

export const accountsInputSchema = z.object({ instanceId: z.uuid().optional() }).default({});
export const accountIdInputSchema = z.object({ accountId: z.uuid() });

/** True when the path, as a browser resolves it (dot segments removed), does not start with `//`. */
function staysOnTheApp(path: string): boolean {
  try {
    return !new URL(path, 'https://app.invalid').pathname.startsWith('//');
  } catch {
    // Runs even when the checks above failed: "//[" is not even a URL.
    return false;
  }
}

export const connectInputSchema = z.object({
  instanceId: z.uuid(),
  /** Where the browser lands after TikTok: a path on this app (e.g. `/tasks/123`), never another site. */
  redirectTo: inputText()
    .max(2000)
    .regex(/^\/(?![/\\])/, 'must be a path on this site, starting with a single /')
    // URL parsers drop tabs and newlines and read `\` as `/`: "/\t/evil.example" would become "//evil.example".
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
    .regex(/^[^\u0000-\u001f\u007f\\]*$/, 'must not contain control characters or backslashes')
    // Dot segments can normalise a path into one starting `//` ("/.//evil.example"): another host to a browser.
    .refine(staysOnTheApp, 'must not normalise to a path starting with //')
    .optional(),
});
export const connectResultSchema = z.object({ authorizeUrl: z.url(), expiresAt: z.date() });

/** What the TikTok callback hands the app page (as `tiktok_state` and `tiktok_code`) to finish connecting. */
export const completeConnectInputSchema = z.object({ state: inputText().min(1).max(200), code: inputText().min(1).max(2000) });
export const completeConnectResultSchema = z.object({
  account: tiktokAccountSchema,
  instanceId: z.uuid(),
  /** The app path the connect was started from, to return to. */
  redirectTo: z.string().nullable(),
});

export const disconnectResultSchema = z.object({
  account: tiktokAccountSchema,
  /** False when TikTok could not be reached to revoke; our copy of the tokens is wiped either way. */
  revokedAtTikTok: z.boolean(),
  /** The account that became the instance's default, if the disconnected one was it. */
  newDefaultAccountId: z.uuid().nullable(),
});

export const creatorInfoInputSchema = z.object({ accountId: z.uuid().optional() }).default({});
export const creatorInfoSchema = z.object({
  accountId: z.uuid(),
  nickname: z.string(),
  username: z.string(),
  avatarUrl: z.string(),
  privacyLevelOptions: z.array(z.enum(PRIVACY_LEVELS)),
  commentDisabled: z.boolean(),
  duetDisabled: z.boolean(),
  stitchDisabled: z.boolean(),
  maxVideoPostDurationSec: z.number().int(),
});
export type CreatorInfoView = z.infer<typeof creatorInfoSchema>;
