import { rest } from '../openapi.js';
import { protectedProcedure } from '../trpc.js';
import { postInputSchema, postStatusSchema, postTargetInputSchema } from './schemas.js';
import { cancelPost, getPostStatus, postTaskToTikTok } from './service.js';

/** Publishing a task's video to TikTok and following it to the end. */
export const postingProcedures = {
  /** Posts (or schedules) the task's video to one of the instance's TikTok accounts; exactly once per account. */
  post: protectedProcedure
    .meta(rest('POST', '/tasks/{taskId}/post-to-tiktok', 'posting', 'Post (or schedule) the task’s video to TikTok, exactly once per account'))
    .input(postInputSchema)
    .output(postStatusSchema)
    .mutation(({ ctx, input }) => postTaskToTikTok(ctx, ctx.session, input)),

  /** Where the post stands; refreshed from TikTok when not final, within TikTok's rate limits. */
  status: protectedProcedure
    .meta(rest('GET', '/tasks/{taskId}/post-status', 'posting', 'Where the task’s TikTok post stands'))
    .input(postTargetInputSchema)
    .output(postStatusSchema)
    .query(({ ctx, input }) => getPostStatus(ctx, ctx.session, input)),

  /** Cancels a scheduled post that has not been sent yet. */
  cancel: protectedProcedure
    .meta(rest('POST', '/tasks/{taskId}/cancel-tiktok-post', 'posting', 'Cancel a scheduled post'))
    .input(postTargetInputSchema)
    .output(postStatusSchema)
    .mutation(({ ctx, input }) => cancelPost(ctx, ctx.session, input)),
};
