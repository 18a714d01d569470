import type { PostStatus } from '@reelpost/db';
import type { PublishRecord } from '@reelpost/tiktok-emulator';
import type { PostAnswer } from './poster.js';

// How a fault run ended, post by post, and the table it prints. Every post must end in one of three explained
// states — published; failed with a reason (TikTok's fail_reason, ours such as processing_timeout, or the API's
// refusal code when no post was created); or unknown-and-reported (the init may have reached TikTok, and the caller
// was told so) — and TikTok must have been asked to create it at most once.

export type Outcome = 'published' | 'failed' | 'unknown' | 'lost' | 'stuck';

export interface PostRow {
  task_id: string;
  status: PostStatus;
  fail_reason: string | null;
}

export interface PostResult {
  index: number;
  outcome: Outcome;
  /** Why it failed, why it is unknown, or what is missing. */
  reason: string | null;
  /** TikTok publishes created for this post (inits that reached TikTok). */
  publishes: number;
}

const PUBLISHED: readonly PostStatus[] = ['PUBLISHED', 'SENT_TO_INBOX'];
const IN_FLIGHT: readonly PostStatus[] = ['SCHEDULED', 'RESERVED', 'PROCESSING'];

export function isFinal(status: PostStatus): boolean {
  return !IN_FLIGHT.includes(status);
}

/** One post's outcome from its row (if any), the API's final answer to its request, and TikTok's publishes. */
export function classify(index: number, row: PostRow | undefined, answer: PostAnswer, publishes: number): PostResult {
  const result = (outcome: Outcome, reason: string | null): PostResult => ({ index, outcome, reason, publishes });
  if (row) {
    if (PUBLISHED.includes(row.status)) return result('published', null);
    if (IN_FLIGHT.includes(row.status)) return result('stuck', row.status);
    if (row.status === 'UNKNOWN') return result('unknown', row.fail_reason ?? 'outcome_unknown');
    if (row.status === 'CANCELLED') return result('failed', 'cancelled');
    return row.fail_reason ? result('failed', row.fail_reason) : result('lost', 'FAILED without a reason');
  }
  // No post row: the request was refused before anything reached TikTok — explained only by a typed answer.
  if (answer.postId) return result('lost', `answered ${answer.httpStatus} with post ${answer.postId}, but no row`);
  if (answer.httpStatus >= 400 && answer.httpStatus < 500 && answer.code && answer.code !== 'INTERNAL') return result('failed', answer.code);
  return result('lost', `no post; the last answer was ${answer.httpStatus || 'none'} ${answer.code ?? ''}`.trim());
}

/** Publishes TikTok created, per post title. */
export function publishesByTitle(publishes: readonly PublishRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const publish of publishes) {
    const title = typeof publish.postInfo?.title === 'string' ? publish.postInfo.title : '(none)';
    counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  return counts;
}

export interface RunFacts {
  posts: number;
  faultsInjected: number;
  workersKilled: number;
  postgresRestarts: number | string;
  durationMs: number;
}

export interface Summary {
  published: number;
  failed: number;
  unknown: number;
  lost: number;
  duplicated: number;
  stuck: number;
}

export function summarize(results: readonly PostResult[]): Summary {
  const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
  return {
    published: count('published'),
    failed: count('failed'),
    unknown: count('unknown'),
    lost: count('lost'),
    duplicated: results.filter((result) => result.publishes > 1).length,
    stuck: count('stuck'),
  };
}

function tally(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).map(([value, n]) => `${value} ${n}`).join(', ') || '—';
}

/** The result table (Markdown), then the reasons behind the failed and unknown posts. */
export function resultTable(results: readonly PostResult[], facts: RunFacts, faultKinds: readonly string[]): string {
  const s = summarize(results);
  const reasons = (outcome: Outcome) => tally(results.filter((result) => result.outcome === outcome).map((result) => result.reason ?? '?'));
  return [
    '| posts | published | failed (with reason) | unknown (reported) | lost | duplicated | stuck | faults injected | workers killed | Postgres restarts | duration |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${facts.posts} | ${s.published} | ${s.failed} | ${s.unknown} | ${s.lost} | ${s.duplicated} | ${s.stuck} | ${facts.faultsInjected} | ${facts.workersKilled} | ${facts.postgresRestarts} | ${Math.round(facts.durationMs / 1000)} s |`,
    '',
    `faults: ${tally(faultKinds)}`,
    `failed: ${reasons('failed')}`,
    // Whether TikTok has it is what the person checking their profile will find out.
    `unknown: ${tally(results.filter((result) => result.outcome === 'unknown').map((result) => (result.publishes > 0 ? 'at TikTok after all' : 'never reached TikTok')))}`,
    ...(s.lost > 0 ? [`lost: ${reasons('lost')}`] : []),
    ...(s.stuck > 0 ? [`stuck: ${reasons('stuck')}`] : []),
  ].join('\n');
}
