import { z } from 'zod';
import { defineJob } from '../jobs/queue.js';

const postRef = z.object({ postId: z.uuid() });

/** Sends a reserved or due scheduled post to TikTok. */
export const publishPostJob = defineJob('post:publish', postRef);
/** Streams a FILE_UPLOAD post's video to TikTok's upload URL, resuming where TikTok's byte count says. */
export const uploadPostJob = defineJob('post:upload', postRef);
/** Asks TikTok where a post stands and schedules the next check. */
export const checkPostStatusJob = defineJob('post:check-status', postRef);
/** Every minute (or every sweepIntervalMs): finds work whose job was lost (a crashed worker) and posts past their deadline. */
export const sweepPostsJob = defineJob('posts:sweep', z.object({}).loose());

export const publishJobKey = (postId: string) => `post:${postId}`;
export const uploadJobKey = (postId: string) => `post-upload:${postId}`;
export const statusJobKey = (postId: string) => `post-status:${postId}`;
/** The next sweep when sweeps come more often than the minute cron: one pending at a time. */
export const nextSweepJobKey = 'posts:sweep:next';
