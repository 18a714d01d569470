import type { PostStatus } from '@reelpost/db';
import type { ContractPostStatus } from './schemas.js';

/**
 * The status a caller sees for a stored post. RESERVED (the row exists, TikTok not called yet) and UNKNOWN (an init
 * may or may not have reached TikTok; the poller settles it) are both "in flight" to a person: PROCESSING.
 */
const CONTRACT_STATUS_OF: Record<PostStatus, ContractPostStatus> = {
  RESERVED: 'PROCESSING',
  SCHEDULED: 'SCHEDULED',
  PROCESSING: 'PROCESSING',
  SENT_TO_INBOX: 'SENT_TO_INBOX',
  PUBLISHED: 'PUBLISHED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
  UNKNOWN: 'PROCESSING',
};

export function toContractPostStatus(status: PostStatus): ContractPostStatus {
  return CONTRACT_STATUS_OF[status];
}
