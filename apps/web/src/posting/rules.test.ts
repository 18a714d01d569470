import { describe, expect, it } from 'vitest';
import { creatorInfo, TASK_ID, ACCOUNT_ID } from '../../test/fixtures.js';
import {
  blockingReason,
  commercialContentLabel,
  initialPostFormValues,
  MAX_TITLE_LENGTH,
  toPostInput,
  validatePostForm,
} from './rules.js';

const now = new Date('2026-11-27T10:00:00Z');
const valid = { ...initialPostFormValues('caption'), privacyLevel: 'PUBLIC_TO_EVERYONE' as const };

describe('post form rules', () => {
  it('starts with no privacy level, interactions off, no disclosure, direct, now', () => {
    expect(initialPostFormValues('hello')).toMatchObject({
      title: 'hello',
      privacyLevel: '',
      allowComment: false,
      allowDuet: false,
      allowStitch: false,
      disclose: false,
      yourBrand: false,
      brandedContent: false,
      schedule: false,
      mode: 'direct',
    });
  });

  it('counts the title in UTF-16 code units, as TikTok does', () => {
    const emoji = '😀'.repeat(MAX_TITLE_LENGTH / 2);
    expect(validatePostForm({ ...valid, title: emoji }, creatorInfo(), now).title).toBeUndefined();
    expect(validatePostForm({ ...valid, title: `${emoji}a` }, creatorInfo(), now).title).toBe(
      'The title is 1 character too long: TikTok allows 2,200.',
    );
  });

  it('labels the disclosure: branded content wins when both are chosen', () => {
    expect(commercialContentLabel({ disclose: false, yourBrand: true, brandedContent: true })).toBeNull();
    expect(commercialContentLabel({ disclose: true, yourBrand: false, brandedContent: false })).toBeNull();
    expect(commercialContentLabel({ disclose: true, yourBrand: true, brandedContent: false })).toBe('Promotional content');
    expect(commercialContentLabel({ disclose: true, yourBrand: false, brandedContent: true })).toBe('Paid partnership');
    expect(commercialContentLabel({ disclose: true, yourBrand: true, brandedContent: true })).toBe('Paid partnership');
  });

  it('refuses branded content that is private, and interactions the creator turned off', () => {
    const errors = validatePostForm(
      { ...valid, privacyLevel: 'SELF_ONLY', disclose: true, brandedContent: true, allowDuet: true },
      creatorInfo({ duetDisabled: true }),
      now,
    );
    expect(errors.privacyLevel).toMatch(/Branded content cannot be private/);
    expect(errors.interactions).toBe('This account has turned off duets.');
  });

  it('stops before the form when the video is longer than the creator may post', () => {
    expect(blockingReason(creatorInfo({ maxVideoPostDurationSec: 180 }), 180)).toBeNull();
    expect(blockingReason(creatorInfo({ maxVideoPostDurationSec: 180, nickname: 'Quiet Studio' }), 180.2)).toBe(
      'This video is 181 s long, and Quiet Studio can post videos of at most 180 s. Trim the video, or post from another account.',
    );
    expect(blockingReason(creatorInfo(), null)).toBeNull();
  });

  it('checks the schedule: in the future, at most 30 days ahead', () => {
    const at = (iso: string) => validatePostForm({ ...valid, schedule: true, scheduledAt: iso }, creatorInfo(), now).scheduledAt;
    expect(at('')).toBe('Choose the date and time to post at.');
    expect(at('2026-11-27T09:00:00Z')).toMatch(/already passed/);
    expect(at('2027-01-10T10:00:00Z')).toBe('Posts can be scheduled at most 30 days ahead.');
    expect(at('2026-11-28T10:00:00Z')).toBeUndefined();
  });

  it('sends interactions as disabled unless turned on, and the disclosure only when it is on', () => {
    expect(toPostInput({ ...valid, allowComment: true, yourBrand: true, brandedContent: true }, TASK_ID, ACCOUNT_ID)).toEqual({
      taskId: TASK_ID,
      accountId: ACCOUNT_ID,
      title: 'caption',
      privacyLevel: 'PUBLIC_TO_EVERYONE',
      disableComment: false,
      disableDuet: true,
      disableStitch: true,
      brandOrganicToggle: false,
      brandContentToggle: false,
      isAigc: true,
      mode: 'direct',
    });
  });
});
