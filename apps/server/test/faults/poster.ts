import { setTimeout as sleep } from 'node:timers/promises';
import type { PlannedPost } from './plan.js';
import type { SeededPost } from './seed.js';

// A well-behaved API caller: one idempotency key per post, and the same request again — same key, same body — when
// the answer says "try again" (503; 429 with a short Retry-After) or none came (the connection failed). What it
// finally hears is kept. A 429 asking for a long wait (TikTok's minute, after TikTok itself said 429) is taken as
// the answer: the post was refused with a reason and a time to come back, which is an explained outcome.

export interface PostAnswer {
  /** HTTP status of the final answer; 0 when none ever came. */
  httpStatus: number;
  /** The API's error code, for an error. */
  code: string | null;
  postId: string | null;
  /** The post's status in the answer (PROCESSING, SCHEDULED). */
  status: string | null;
  tries: number;
  answeredAt: number;
  scheduledAt: number | null;
}

const RETRY_STATUSES = new Set([429, 503]);
/** The longest Retry-After this caller waits out before trying again. */
const MAX_RETRY_AFTER_S = 10;

export function titleOf(index: number): string {
  return `Fault run #${index} #ai`;
}

export async function sendPost(serverUrl: string, post: SeededPost, planned: PlannedPost, giveUpAfterMs: number): Promise<PostAnswer> {
  const scheduledAt = planned.scheduleInMs === null ? null : Date.now() + planned.scheduleInMs;
  const body = JSON.stringify({
    title: titleOf(planned.index),
    privacyLevel: 'SELF_ONLY',
    accountId: post.accountId,
    idempotencyKey: `fault-run-post-${planned.index}`,
    ...(scheduledAt !== null && { scheduledAt: new Date(scheduledAt).toISOString() }),
  });
  const giveUpAt = Date.now() + giveUpAfterMs;
  let tries = 0;
  let last: Omit<PostAnswer, 'tries' | 'answeredAt' | 'scheduledAt'> = { httpStatus: 0, code: null, postId: null, status: null };
  while (Date.now() < giveUpAt) {
    tries += 1;
    try {
      const response = await fetch(`${serverUrl}/api/v1/tasks/${post.taskId}/post-to-tiktok`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${post.token}` },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      const json = (await response.json().catch(() => ({}))) as { postId?: string; status?: string; error?: { code?: string } };
      last = { httpStatus: response.status, code: json.error?.code ?? null, postId: json.postId ?? null, status: json.status ?? null };
      const retryAfter = Number(response.headers.get('retry-after') ?? '0');
      if (!RETRY_STATUSES.has(response.status) || retryAfter > MAX_RETRY_AFTER_S) break;
      await sleep(Math.max(500, retryAfter * 1000));
    } catch {
      last = { httpStatus: 0, code: 'NO_ANSWER', postId: null, status: null };
      await sleep(500);
    }
  }
  return { ...last, tries, answeredAt: Date.now(), scheduledAt };
}
