import type { OpenApiMeta } from 'trpc-to-openapi';

type OpenApi = NonNullable<OpenApiMeta['openapi']>;

/** What each error status means on the REST surface; every body is `{ error: { code, message, hint?, tiktok? } }`. */
const ERROR_RESPONSES = {
  400: 'Invalid input (with the zod issues), or a request the rules refuse (the error code says which)',
  401: 'No bearer token, or one that does not verify',
  403: 'The task, instance or account belongs to another user',
  404: 'No such task, instance, account or post',
  409: 'Already posted, in progress with other parameters, an unknown outcome, or not cancellable',
  429: 'Rate limited (TikTok’s per-account budget); see Retry-After',
  500: 'Our failure; the body carries a request id',
  502: 'TikTok refused or failed after retries; the body carries TikTok’s code and log_id',
  503: 'TikTok or the identity provider could not be reached; try again',
} as const;

/** The REST route of a procedure, with the contract's error responses. */
export function rest(method: OpenApi['method'], path: `/${string}`, tag: string, summary: string): OpenApiMeta {
  return { openapi: { method, path, tags: [tag], summary, protect: true, errorResponses: ERROR_RESPONSES } };
}
