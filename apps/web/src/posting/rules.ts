// TikTok's Content Sharing Guidelines as plain functions: what the post form starts with, what it may offer, and
// what it must refuse before anything is sent. The components render these; the tests pin them.
import type { CreatorInfo, PostInput, PostMode, PrivacyLevel } from '@reelpost/client';

/** TikTok counts a title in UTF-16 code units, as JavaScript's `length` does. */
export const MAX_TITLE_LENGTH = 2200;
/** How far ahead the API accepts a schedule (tiktok.post: at most 30 days). */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000;

export const PRIVACY_LABELS: Record<PrivacyLevel, string> = {
  PUBLIC_TO_EVERYONE: 'Everyone',
  MUTUAL_FOLLOW_FRIENDS: 'Friends (followers you follow back)',
  FOLLOWER_OF_CREATOR: 'Followers',
  SELF_ONLY: 'Only me',
};

export const MUSIC_USAGE_URL = 'https://www.tiktok.com/legal/page/global/music-usage-confirmation/en';
export const BRANDED_CONTENT_POLICY_URL = 'https://www.tiktok.com/legal/page/global/bc-policy/en';

export interface PostFormValues {
  title: string;
  /** Empty until the person chooses: there is no default. */
  privacyLevel: PrivacyLevel | '';
  allowComment: boolean;
  allowDuet: boolean;
  allowStitch: boolean;
  /** "Disclose commercial content". */
  disclose: boolean;
  /** "Your brand": brand_organic_toggle. */
  yourBrand: boolean;
  /** "Branded content": brand_content_toggle. */
  brandedContent: boolean;
  isAigc: boolean;
  schedule: boolean;
  /** A `datetime-local` value (the browser's time zone), when scheduling. */
  scheduledAt: string;
  mode: PostMode;
}

export type PostFormField = 'title' | 'privacyLevel' | 'interactions' | 'disclosure' | 'scheduledAt';
export type PostFormErrors = Partial<Record<PostFormField, string>>;

export function initialPostFormValues(suggestedCaption: string | null | undefined): PostFormValues {
  return {
    title: (suggestedCaption ?? '').slice(0, MAX_TITLE_LENGTH),
    privacyLevel: '',
    allowComment: false,
    allowDuet: false,
    allowStitch: false,
    disclose: false,
    yourBrand: false,
    brandedContent: false,
    isAigc: true,
    schedule: false,
    scheduledAt: '',
    mode: 'direct',
  };
}

export function titleLength(title: string): number {
  return title.length;
}

/** The label TikTok shows on the post: branded content wins when both are chosen. */
export function commercialContentLabel(values: Pick<PostFormValues, 'disclose' | 'yourBrand' | 'brandedContent'>): string | null {
  if (!values.disclose) return null;
  if (values.brandedContent) return 'Paid partnership';
  if (values.yourBrand) return 'Promotional content';
  return null;
}

/** Why the person cannot post with this account at all (checked before the form is shown), or null. */
export function blockingReason(creator: CreatorInfo, videoDurationSeconds: number | null): string | null {
  if (videoDurationSeconds !== null && videoDurationSeconds > creator.maxVideoPostDurationSec) {
    return (
      `This video is ${Math.ceil(videoDurationSeconds)} s long, and ${creator.nickname} can post videos of at most ` +
      `${creator.maxVideoPostDurationSec} s. Trim the video, or post from another account.`
    );
  }
  return null;
}

/** Whether the privacy option can be chosen given the other choices (branded content cannot be private). */
export function privacyOptionDisabled(level: PrivacyLevel, values: Pick<PostFormValues, 'disclose' | 'brandedContent'>): boolean {
  return level === 'SELF_ONLY' && values.disclose && values.brandedContent;
}

/** True when the disclosure is on but says nothing yet: TikTok's guidelines keep the button disabled then. */
export function disclosureIncomplete(values: Pick<PostFormValues, 'disclose' | 'yourBrand' | 'brandedContent'>): boolean {
  return values.disclose && !values.yourBrand && !values.brandedContent;
}

export function parseScheduledAt(value: string): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function validatePostForm(values: PostFormValues, creator: CreatorInfo, now: Date): PostFormErrors {
  const errors: PostFormErrors = {};
  const length = titleLength(values.title);
  if (length > MAX_TITLE_LENGTH) {
    const over = length - MAX_TITLE_LENGTH;
    errors.title = `The title is ${over.toLocaleString('en')} character${over === 1 ? '' : 's'} too long: TikTok allows ${MAX_TITLE_LENGTH.toLocaleString('en')}.`;
  }

  if (values.privacyLevel === '') {
    errors.privacyLevel = 'Choose who can see this video.';
  } else if (!creator.privacyLevelOptions.includes(values.privacyLevel)) {
    errors.privacyLevel = `${PRIVACY_LABELS[values.privacyLevel]} is not offered for this account; choose one of the options.`;
  } else if (values.disclose && values.brandedContent && values.privacyLevel === 'SELF_ONLY') {
    errors.privacyLevel = 'Branded content cannot be private: choose who else can see it, or turn branded content off.';
  }

  const refused = [
    values.allowComment && creator.commentDisabled ? 'comments' : null,
    values.allowDuet && creator.duetDisabled ? 'duets' : null,
    values.allowStitch && creator.stitchDisabled ? 'stitches' : null,
  ].filter((name): name is string => name !== null);
  if (refused.length > 0) errors.interactions = `This account has turned off ${refused.join(' and ')}.`;

  if (disclosureIncomplete(values)) {
    errors.disclosure = 'You need to indicate if your content promotes yourself, a third party, or both.';
  }

  if (values.schedule) {
    const at = parseScheduledAt(values.scheduledAt);
    if (!at) errors.scheduledAt = 'Choose the date and time to post at.';
    else if (at.getTime() <= now.getTime()) errors.scheduledAt = 'That time has already passed: choose a time in the future.';
    else if (at.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) errors.scheduledAt = 'Posts can be scheduled at most 30 days ahead.';
  }
  return errors;
}

/** The tiktok.post input for valid values; interactions not turned on stay disabled. */
export function toPostInput(values: PostFormValues, taskId: string, accountId: string): PostInput {
  if (values.privacyLevel === '') throw new Error('toPostInput: choose a privacy level first');
  const scheduledAt = values.schedule ? parseScheduledAt(values.scheduledAt) : null;
  return {
    taskId,
    accountId,
    title: values.title,
    privacyLevel: values.privacyLevel,
    disableComment: !values.allowComment,
    disableDuet: !values.allowDuet,
    disableStitch: !values.allowStitch,
    brandOrganicToggle: values.disclose && values.yourBrand,
    brandContentToggle: values.disclose && values.brandedContent,
    isAigc: values.isAigc,
    mode: values.mode,
    ...(scheduledAt && { scheduledAt }),
  };
}
