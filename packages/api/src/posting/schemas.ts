import { POST_MEDIA_TYPES, POST_MODES } from '@reelpost/db';
import { PRIVACY_LEVELS } from '@reelpost/tiktok';
import { z } from 'zod';
import { inputText } from '../input-text.js';
import { CONTRACT_POST_STATUSES } from '../tasks/schemas.js';

/** TikTok counts a title in UTF-16 code units, as JavaScript's `length` does. */
export const MAX_TITLE_LENGTH = 2200;

/** `tiktok.post`: what to publish where, and how. Field names follow TikTok's post_info in camelCase. */
export const postInputSchema = z.object({
  taskId: z.uuid(),
  /** The instance's default account when omitted. */
  accountId: z.uuid().optional(),
  /** Caption with #hashtags and @mentions. */
  title: inputText().max(MAX_TITLE_LENGTH),
  /** Must be one of the creator's current privacy options (tiktok.creatorInfo); there is no default. */
  privacyLevel: z.enum(PRIVACY_LEVELS),
  /**
   * Default true: comments are off unless the caller allows them (`false`), as TikTok's Content Sharing Guidelines
   * ask (nothing checked by default); allowing one the creator has disabled is refused (INTERACTION_DISABLED).
   */
  disableComment: z.boolean().default(true).describe('Default true (comments off) unless the caller allows them.'),
  /** Default true: duets are off unless the caller allows them (`false`). Not for photo posts. */
  disableDuet: z.boolean().default(true).describe('Default true (duets off) unless the caller allows them.'),
  /** Default true: stitches are off unless the caller allows them (`false`). Not for photo posts. */
  disableStitch: z.boolean().default(true).describe('Default true (stitches off) unless the caller allows them.'),
  /** Which frame (ms from the start) becomes the cover. */
  videoCoverTimestampMs: z.number().int().min(0).max(3_600_000).optional(),
  /** "Branded content": a paid partnership; cannot be private. */
  brandContentToggle: z.boolean().default(false),
  /** "Your brand": promoting the creator's own business. */
  brandOrganicToggle: z.boolean().default(false),
  /** Label the video as AI-generated; Reelpost's videos are, so this defaults to true. */
  isAigc: z.boolean().default(true),
  /**
   * What to post: the task's video, or its images as a photo post. Defaults to what the task is postable as
   * (tasks.detail's `output.postable`: the video when there is one); give it only for a task that has both.
   */
  mediaType: z.enum(['video', 'photo']).optional(),
  /** Photo posts only: the caption with #hashtags and @mentions, at most 4,000 characters (the title is ≤ 90). */
  description: z.string().max(4000).optional(),
  /** Photo posts only: which image (0-based, in the task's order) is the cover. Default 0. */
  photoCoverIndex: z.number().int().min(0).max(34).optional(),
  /** Photo posts only: let TikTok add music to the carousel. Default true. */
  autoAddMusic: z.boolean().optional(),
  /** Publish later (at most 30 days ahead); the post is SCHEDULED until then. */
  scheduledAt: z.coerce.date<Date | string>().optional(),
  /** `direct` publishes; `inbox` sends a draft the creator finishes in the TikTok app. */
  mode: z.enum(POST_MODES).default('direct'),
  /**
   * Makes retries safe: the same key returns the same post. Derived from the parameters when omitted, so an
   * identical repeat is recognised; a new key is the explicit way to try again after an unknown outcome.
   */
  idempotencyKey: inputText().min(8).max(200).optional(),
});
export type PostInput = z.infer<typeof postInputSchema>;

export const postTargetInputSchema = z.object({ taskId: z.uuid(), accountId: z.uuid().optional() });
export type PostTargetInput = z.infer<typeof postTargetInputSchema>;

/** A post's state as callers see it, from `tiktok.post`, `tiktok.status` and `tiktok.cancel` alike. */
export const postStatusSchema = z.object({
  postId: z.uuid(),
  taskId: z.uuid(),
  accountId: z.uuid(),
  status: z.enum(CONTRACT_POST_STATUSES),
  /** TikTok's own status (PROCESSING_DOWNLOAD, PUBLISH_COMPLETE, …) when known. */
  tiktokStatus: z.string().nullable(),
  publishId: z.string().nullable(),
  /** The video's page once TikTok made it public; the creator's profile for private posts. */
  publicUrl: z.string().nullable(),
  /** TikTok's fail_reason (or our own code for failures before TikTok) when FAILED. */
  failReason: z.string().nullable(),
  /** One sentence for a person about where the post stands. */
  message: z.string(),
  hint: z.string().nullable(),
  /** True when an init may or may not have reached TikTok: check the profile before posting again. */
  outcomeUnknown: z.boolean(),
  mode: z.enum(POST_MODES),
  /** A video, or a photo post (a carousel of images). */
  mediaType: z.enum(POST_MEDIA_TYPES),
  privacyLevel: z.enum(PRIVACY_LEVELS),
  /** The app is unaudited (sandbox): TikTok only accepts SELF_ONLY, so the post was sent private. */
  sandboxForcedPrivate: z.boolean(),
  uploadedBytes: z.number().nullable(),
  downloadedBytes: z.number().nullable(),
  scheduledAt: z.date().nullable(),
  lastCheckedAt: z.date().nullable(),
  /**
   * When TikTok said a PUBLISHED post is no longer publicly available (taken down, or made private); the status
   * stays PUBLISHED and `message` and `hint` say so. Null otherwise.
   */
  takenDownAt: z.date().nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type PostStatusView = z.infer<typeof postStatusSchema>;

/**
 * Statuses after which nothing more will happen to a post by itself. SENT_TO_INBOX is not one: the creator may
 * post the draft later (→ PUBLISHED), or never; see WAITING_CONTRACT_STATUSES.
 */
export const FINAL_CONTRACT_STATUSES = ['PUBLISHED', 'FAILED', 'CANCELLED'] as const;

/** Statuses that wait on a person, not on TikTok or us: they may last days, or for ever. */
export const WAITING_CONTRACT_STATUSES = ['SENT_TO_INBOX'] as const;
