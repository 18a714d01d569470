// What a fault run does, decided up front from a seed: which posts are scheduled and for when, which of them meet
// which TikTok fault, and when workers die. The same seed gives the same plan; the processes' timing still varies.

import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** Every fault the emulator offers that a post can meet, in the order the plan hands them out. */
export const FAULT_KINDS = [
  'tiktok-5xx',
  'tiktok-429',
  'timeout',
  'dropped-after-accept',
  'invalid-grant-on-refresh',
  'slow-processing',
  'failed-processing',
  'duplicate-webhook',
  'late-webhook',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type Random = () => number;

/** pure-rand's xoroshiro128+ (fast-check's generator): the same sequence on every machine for a seed. */
export function seededRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed);
  return () => uniformFloat64(generator);
}

export const between = (random: Random, min: number, max: number) => min + Math.floor(random() * (max - min + 1));

export interface PlannedPost {
  index: number;
  /** Null: posted now; else scheduled this far after the request. */
  scheduleInMs: number | null;
  fault: FaultKind | null;
}

export interface PlanOptions {
  posts: number;
  seed: number;
  /** Share of posts that meet a fault (0.1 = 10 %). */
  faultRate: number;
  /** Share of posts scheduled rather than posted at once. */
  scheduledRate: number;
  /** Scheduled posts go out this long after their request, at most. */
  maxScheduleAheadMs: number;
}

/**
 * Exactly round(posts × faultRate) posts meet a fault, chosen by the seed; the kinds go round in FAULT_KINDS'
 * order, so every kind is met as soon as there are as many faulty posts as kinds.
 */
export function planRun(options: PlanOptions): PlannedPost[] {
  const random = seededRandom(options.seed);
  const order = Array.from({ length: options.posts }, (_, index) => index);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const faulty = new Map(order.slice(0, Math.round(options.posts * options.faultRate)).map((index, k) => [index, FAULT_KINDS[k % FAULT_KINDS.length]!]));
  return Array.from({ length: options.posts }, (_, index) => ({
    index,
    scheduleInMs: random() < options.scheduledRate ? between(random, 3_000, options.maxScheduleAheadMs) : null,
    fault: faulty.get(index) ?? null,
  }));
}
