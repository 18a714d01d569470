/**
 * Request rate limits on — counted as in production — but higher than any test sends: the suites send thousands of
 * requests as one user. apps/server/test/security/rate-limits.test.ts sets its own, to be reached.
 */
export const UNREACHED_RATE_LIMITS: Record<string, string> = Object.fromEntries(
  ['READS', 'READS_PER_IP', 'POSTS', 'POSTS_PER_IP', 'CONNECTS', 'CONNECTS_PER_IP', 'DEV_TOKEN_PER_IP'].map((name) => [`RATE_LIMIT_${name}`, '1000000']),
);
