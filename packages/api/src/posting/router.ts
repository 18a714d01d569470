import { protectedProcedure } from '../trpc.js';
import { postInputSchema, postStatusSchema, postTargetInputSchema } from './schemas.js';
import { cancelPost, getPostStatus, postTaskToTikTok } from './service.js';

/** Publishing a task's video to TikTok and following it to the end. */
export const postingProcedures = {
  /** Posts (or schedules) the task's video to one of the instance's TikTok accounts; exactly once per account. */
  post: protectedProcedure
    .input(postInputSchema)
    .output(postStatusSchema)
    .mutation(({ ctx, input }) => postTaskToTikTok(ctx, ctx.session, input)),

  /** Where the post stands; refreshed from TikTok when not final, within TikTok's rate limits. */
  status: protectedProcedure
    .input(postTargetInputSchema)
    .output(postStatusSchema)
    .query(({ ctx, input }) => getPostStatus(ctx, ctx.session, input)),

  /** Cancels a scheduled post that has not been sent yet. */
  cancel: protectedProcedure
    .input(postTargetInputSchema)
    .output(postStatusSchema)
    .mutation(({ ctx, input }) => cancelPost(ctx, ctx.session, input)),
};
