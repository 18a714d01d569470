import { POST_STATUSES } from '@reelpost/db';
import { z } from 'zod';
import { CONTRACT_POST_STATUSES } from '../tasks/schemas.js';
import { postTargetInputSchema } from '../posting/schemas.js';

/** tiktok.watch's input: the post tiktok.status answers for, and the last event a reconnecting watcher saw. */
export const watchInputSchema = postTargetInputSchema.extend({
  /** `${postId}:${seq}` of the last event received (tRPC fills it in from tracked events on a reconnect). */
  lastEventId: z.string().max(100).nullish(),
});
export type WatchInput = z.infer<typeof watchInputSchema>;

/** One change of a post as a watcher sees it; `seq` increases with each change of that post. */
export const postEventSchema = z.object({
  postId: z.uuid(),
  taskId: z.uuid(),
  accountId: z.uuid(),
  status: z.enum(CONTRACT_POST_STATUSES),
  publicUrl: z.string().nullable(),
  failReason: z.string().nullable(),
  message: z.string(),
  hint: z.string().nullable(),
  takenDownAt: z.date().nullable(),
  /** When the change was written. */
  at: z.date(),
  seq: z.number().int().min(0),
});
export type PostEvent = z.infer<typeof postEventSchema>;

/** What the database's trigger announces (migration 2026-12-06T0300-post-events): the row's fields an event shows. */
export const postNotificationSchema = z.object({
  postId: z.string(),
  taskId: z.string(),
  accountId: z.string(),
  status: z.enum(POST_STATUSES),
  seq: z.number().int(),
  publicUrl: z.string().nullable(),
  publicPostCount: z.number().int().nullable(),
  failReason: z.string().nullable(),
  privacyLevel: z.string(),
  sandboxForcedPrivate: z.boolean(),
  takenDownAt: z.coerce.date().nullable(),
  at: z.coerce.date(),
});
export type PostNotification = z.infer<typeof postNotificationSchema>;
