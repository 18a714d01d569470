/**
 * The security headers of every response: Hono's `secureHeaders()` defaults, written out once. A response built with
 * them already (the tRPC query path writes them into its plain header record, so no fetch Headers object is made
 * for it) is marked and left alone; every other response gets them after its handler, as Hono's middleware did.
 */
export const SECURE_HEADERS: Readonly<Record<string, string>> = {
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-frame-options': 'SAMEORIGIN',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

const SECURE_HEADER_ENTRIES = Object.entries(SECURE_HEADERS);

const secured = new WeakSet<Response>();

/** Marks a response whose headers already include SECURE_HEADERS. */
export function markSecured(response: Response): Response {
  secured.add(response);
  return response;
}

/** Sets SECURE_HEADERS on a response (and drops X-Powered-By), unless it was built with them. */
export function applySecureHeaders(response: Response): void {
  if (secured.has(response)) return;
  const headers = response.headers;
  for (const [name, value] of SECURE_HEADER_ENTRIES) headers.set(name, value);
  headers.delete('x-powered-by');
}
