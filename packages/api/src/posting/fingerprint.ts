import { createHash } from 'node:crypto';
import type { PostInput } from './schemas.js';

/**
 * A digest of everything that makes two post requests "the same post": repeating a request gives the same
 * fingerprint, changing any parameter gives another. Key order and defaults are fixed here, so callers that
 * spell the same request differently still match.
 */
export function postFingerprint(input: PostInput, accountId: string): string {
  const canonical = [
    input.taskId,
    accountId,
    input.mode,
    input.title,
    input.privacyLevel,
    input.disableComment,
    input.disableDuet,
    input.disableStitch,
    input.videoCoverTimestampMs ?? null,
    input.brandContentToggle,
    input.brandOrganicToggle,
    input.isAigc,
    input.scheduledAt?.toISOString() ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

/** The idempotency key of a request that brought none: the fingerprint, marked so it is never mistaken for a caller's key. */
export function derivedIdempotencyKey(fingerprint: string): string {
  return `derived:${fingerprint}`;
}
