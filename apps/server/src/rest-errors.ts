import { describeIssues } from '@reelpost/api';
import { z } from 'zod';

// trpc-to-openapi answers errors with the tRPC error shape (our formatter's `data` inside); REST callers get the
// contract's `{ error: { code, message, hint?, tiktok?, issues? } }` instead, with the same HTTP status.
const trpcErrorBody = z.object({
  message: z.string().optional(),
  code: z.string().optional(),
  data: z
    .object({
      appCode: z.string().optional(),
      hint: z.string().nullish(),
      tiktok: z.object({ code: z.string(), logId: z.string().nullable() }).nullish(),
      retryAfterMs: z.number().nullish(),
      details: z.record(z.string(), z.unknown()).nullish(),
      issues: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().nullable() })).nullish(),
    })
    .optional(),
});

export async function restErrorResponse(response: Response, requestId: string): Promise<Response> {
  const parsed = trpcErrorBody.safeParse(await response.json().catch(() => null));
  const body = parsed.success ? parsed.data : {};
  const data = body.data;
  const error = {
    code: data?.appCode ?? body.code ?? 'INTERNAL',
    // trpc-to-openapi replaces our message for input errors with a generic one; rebuild ours from the issues.
    message: data?.issues?.length ? describeIssues(data.issues) : (body.message ?? 'Request failed.'),
    ...(data?.hint && { hint: data.hint }),
    ...(data?.tiktok && { tiktok: data.tiktok }),
    ...(data?.details && { details: data.details }),
    ...(data?.issues && { issues: data.issues }),
    requestId,
  };
  const headers = new Headers({ 'content-type': 'application/json' });
  if (data?.retryAfterMs) headers.set('retry-after', String(Math.ceil(data.retryAfterMs / 1000)));
  return new Response(JSON.stringify({ error }), { status: response.status, headers });
}
