import { firstMissingChunk, planChunks } from '@reelpost/tiktok';
import { sql } from 'kysely';
import { getAccessToken } from '../accounts/access-token.js';
import { takeTikTokCall } from '../tiktok/call-budget.js';
import { openVideoRange } from '../video/range.js';
import { probeVideoUrl } from '../video/probe.js';
import { videoUrlOf } from './dispatch.js';
import type { PostingDeps } from './publish.js';
import { applyTikTokUpdate } from './transitions.js';

export type UploadOutcome = 'done' | 'not_needed' | 'busy' | { retryAfterMs: number };

async function readRange(deps: PostingDeps, url: string, start: number, endExclusive: number): Promise<Uint8Array> {
  const range = await openVideoRange(url, deps.settings.video, { start, end: endExclusive - 1 });
  const parts: Buffer[] = [];
  for await (const part of range.body) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * Streams a FILE_UPLOAD post's video from its URL (through the video guard, a chunk at a time) to TikTok's upload
 * URL. Resumable: TikTok's uploaded_bytes says where to continue, so a worker that died mid-upload costs at most
 * the chunk it was sending. One worker at a time (the post's lease).
 */
export async function uploadPostVideo(deps: PostingDeps, postId: string): Promise<UploadOutcome> {
  const post = await deps.db
    .updateTable('tiktok_posts')
    .set({ lease_until: sql<Date>`now() + ${sql.lit(`${deps.settings.posting.leaseMs} milliseconds`)}::interval` })
    .where('id', '=', postId)
    .where('source', '=', 'FILE_UPLOAD')
    .where('upload_completed_at', 'is', null)
    .where('upload_url_encrypted', 'is not', null)
    .where('status', '=', 'PROCESSING')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
    .returningAll()
    .executeTakeFirst();
  if (!post) {
    const exists = await deps.db.selectFrom('tiktok_posts').select('upload_completed_at').where('id', '=', postId).executeTakeFirst();
    return exists?.upload_completed_at === null ? 'busy' : 'not_needed';
  }
  const release = () => deps.db.updateTable('tiktok_posts').set({ lease_until: null }).where('id', '=', postId).execute();
  try {
    const { accessToken } = await getAccessToken(deps, post.account_id);
    const budget = await takeTikTokCall(deps.db, post.account_id, 'status', { windowMs: deps.settings.tiktok.rateLimitWindowMs });
    if (!budget.granted) {
      await release();
      return { retryAfterMs: budget.retryAfterMs };
    }
    const status = await deps.tiktok.fetchPostStatus(accessToken, post.publish_id!);
    const size = post.video_size_bytes!;
    const plan = planChunks(size, post.upload_chunk_size ?? undefined);
    const fromChunk = firstMissingChunk(plan, status.uploadedBytes ?? 0);
    if (fromChunk < plan.totalChunkCount) {
      const { contentType } = await probeVideoUrl(videoUrlOf(post), deps.settings.video);
      await deps.tiktok.uploadChunks({
        uploadUrl: deps.tokens.decrypt(post.upload_url_encrypted!),
        size,
        contentType,
        chunkSize: plan.chunkSize,
        fromChunk,
        readChunk: (start, end) => readRange(deps, videoUrlOf(post), start, end),
        onProgress: ({ uploadedBytes }) => {
          void deps.db
            .updateTable('tiktok_posts')
            .set({ uploaded_bytes: sql<number>`greatest(coalesce(uploaded_bytes, 0), ${uploadedBytes})` })
            .where('id', '=', postId)
            .execute();
        },
      });
    }
    await deps.db
      .updateTable('tiktok_posts')
      .set({ upload_completed_at: deps.clock.now(), upload_url_encrypted: null, lease_until: null, uploaded_bytes: size })
      .where('id', '=', postId)
      .execute();
    await applyTikTokUpdate(deps.db, deps, postId, { uploadedBytes: size });
    return 'done';
  } catch (error) {
    // The job is retried (with backoff) and resumes from TikTok's byte count.
    await release();
    throw error;
  }
}
