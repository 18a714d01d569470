import { tracked } from '@trpc/server';
import { eventIdOf } from '../live/events.js';
import { type PostEvent, watchInputSchema } from '../live/schemas.js';
import { openPostWatch } from '../live/watch.js';
import { rest } from '../openapi.js';
import { compiledOutput, protectedProcedure } from '../trpc.js';
import { postInputSchema, postStatusSchema, postTargetInputSchema } from './schemas.js';
import { cancelPost, getPostStatus, postTaskToTikTok } from './service.js';

/** Publishing a task's video to TikTok and following it to the end. */
export const postingProcedures = {
  /** Posts (or schedules) the task's video, or its images as a photo post, to one of the instance's TikTok accounts; exactly once per account. */
  post: protectedProcedure
    .meta(rest('POST', '/tasks/{taskId}/post-to-tiktok', 'posting', 'Post (or schedule) the task’s video, or its images as a photo post, to TikTok, exactly once per account'))
    .input(postInputSchema)
    .output(compiledOutput(postStatusSchema))
    .mutation(({ ctx, input }) => postTaskToTikTok(ctx, ctx.session, input)),

  /** Where the post stands; refreshed from TikTok when not final, within TikTok's rate limits. */
  status: protectedProcedure
    .meta(rest('GET', '/tasks/{taskId}/post-status', 'posting', 'Where the task’s TikTok post stands'))
    .input(postTargetInputSchema)
    .output(compiledOutput(postStatusSchema))
    .query(({ ctx, input }) => getPostStatus(ctx, ctx.session, input)),

  /** Cancels a scheduled post that has not been sent yet. */
  cancel: protectedProcedure
    .meta(rest('POST', '/tasks/{taskId}/cancel-tiktok-post', 'posting', 'Cancel a scheduled post'))
    .input(postTargetInputSchema)
    .output(compiledOutput(postStatusSchema))
    .mutation(({ ctx, input }) => cancelPost(ctx, ctx.session, input)),

  /**
   * Follows the post live (issue 20): its current state, then every change as it is written, ending after
   * PUBLISHED with its link, FAILED or CANCELLED. Events are tracked by `${postId}:${seq}`: a reconnect resumes
   * after the last one received. Over SSE (httpSubscriptionLink); REST callers use GET /tasks/{taskId}/post-events.
   */
  watch: protectedProcedure.input(watchInputSchema).subscription(async ({ ctx, input, signal }) => {
    const events = await openPostWatch(ctx, ctx.session, input, { signal, expiresAt: ctx.tokenExpiresAt?.() ?? undefined });
    const tracking = (async function* () {
      for await (const event of events) yield tracked(eventIdOf(event), event);
    })();
    // Typed as what a client receives for each tracked envelope (tRPC's TrackedData, spelled out, `id` being what a
    // reconnect resumes after), so the generated client contract names nothing of tRPC's internals.
    return tracking as unknown as AsyncIterable<{ id: string; data: PostEvent }, void, unknown>;
  }),
};
