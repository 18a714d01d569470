import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { parseJsonKeepingLargeIntegers } from './json.js';
import { int64IdSchema } from './schemas.js';

// TikTok signs each webhook delivery with `TikTok-Signature: t=<unix seconds>,s=<hex>`, where
// s = HMAC-SHA256(client_secret, "<t>.<raw body>") (Webhooks → "Check the signature"). Deliveries are at least once,
// so handlers must be idempotent; a replay guard can additionally refuse a byte-identical delivery seen before.

export const TIKTOK_SIGNATURE_HEADER = 'TikTok-Signature';
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

export type TikTokWebhookErrorCode =
  | 'signature_missing'
  | 'signature_malformed'
  | 'signature_mismatch'
  | 'timestamp_out_of_tolerance'
  | 'replayed'
  | 'payload_invalid';

const WEBHOOK_HINTS: Record<TikTokWebhookErrorCode, { message: string; hint: string }> = {
  signature_missing: {
    message: 'The webhook has no TikTok-Signature header.',
    hint: 'Only TikTok’s deliveries are accepted; answer 401 and ignore it.',
  },
  signature_malformed: {
    message: 'The TikTok-Signature header is not of the form t=<seconds>,s=<hex>.',
    hint: 'Answer 401 and ignore it; TikTok always sends both parts.',
  },
  signature_mismatch: {
    message: 'The webhook signature does not match its body.',
    hint: 'Check that the client secret is this app’s and that the raw body is verified before any parsing or re-encoding.',
  },
  timestamp_out_of_tolerance: {
    message: 'The webhook’s signed timestamp is too far from the current time.',
    hint: 'It may be a replay; if all deliveries fail this way, check the server clock.',
  },
  replayed: {
    message: 'This exact signed webhook delivery was already received.',
    hint: 'Answer 200 so TikTok stops retrying, and do not process it again.',
  },
  payload_invalid: {
    message: 'The webhook is signed correctly but its body is not a TikTok event.',
    hint: 'Answer 200 so TikTok stops retrying, and log it for investigation.',
  },
};

export class TikTokWebhookError extends Error {
  override readonly name = 'TikTokWebhookError';
  readonly code: TikTokWebhookErrorCode;
  readonly hint: string;

  constructor(code: TikTokWebhookErrorCode, detail?: string) {
    const { message, hint } = WEBHOOK_HINTS[code];
    super(detail ? `${message} (${detail})` : message);
    this.code = code;
    this.hint = hint;
  }
}

/** Remembers signatures until they could no longer pass the tolerance check anyway. */
export interface WebhookReplayGuard {
  /** Records the signature; returns true when it had been recorded before. */
  seenBefore(signature: string, forgetAfterMs: number): boolean;
}

export function createInMemoryReplayGuard(now: () => number = Date.now): WebhookReplayGuard {
  const seen = new Map<string, number>();
  return {
    seenBefore(signature, forgetAfterMs) {
      const current = now();
      for (const [key, until] of seen) if (until <= current) seen.delete(key);
      if (seen.has(signature)) return true;
      seen.set(signature, forgetAfterMs);
      return false;
    },
  };
}

function toBytes(body: string | Uint8Array): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function hmacHex(secret: string, timestamp: string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export interface SignTikTokWebhookInput {
  rawBody: string | Uint8Array;
  clientSecret: string;
  /** Unix seconds; now by default. */
  timestamp?: number;
}

/** The TikTok-Signature header value for a body: used by the emulator and by tests that play TikTok. */
export function signTikTokWebhook({ rawBody, clientSecret, timestamp }: SignTikTokWebhookInput): string {
  const t = String(timestamp ?? Math.floor(Date.now() / 1000));
  return `t=${t},s=${hmacHex(clientSecret, t, toBytes(rawBody))}`;
}

const publishTypeSchema = z.union([z.enum(['DIRECT_PUBLISH', 'INBOX_SHARE']), z.string()]);

const webhookEnvelopeSchema = z.object({
  client_key: z.string(),
  event: z.string().min(1),
  create_time: z.coerce.number().int(),
  user_openid: z.string(),
  content: z.string(),
});

const publishContent = z.object({ publish_id: z.string().min(1), publish_type: publishTypeSchema.optional() });

const contentSchemas = {
  'post.publish.complete': publishContent,
  'post.publish.inbox_delivered': publishContent,
  'post.publish.failed': publishContent.extend({ reason: z.string() }),
  'post.publish.publicly_available': publishContent.extend({ post_id: int64IdSchema }),
  // TikTok's spelling ("publicaly"); the post taken down or made private is named by post_id.
  'post.publish.no_longer_publicaly_available': publishContent.partial({ publish_id: true }).extend({ post_id: int64IdSchema }),
  // Webhook Events page: the content names the upload by share_id only ({"share_id":"video.6974…"}).
  'video.upload.failed': z.object({
    share_id: z.string().optional(),
    publish_id: z.string().optional(),
    reason: z.union([z.string(), z.number()]).optional(),
  }),
  'authorization.removed': z.object({ reason: z.union([z.number(), z.string()]).optional() }),
} as const;

export type TikTokWebhookEventName = keyof typeof contentSchemas;
export const TIKTOK_WEBHOOK_EVENTS = Object.keys(contentSchemas) as TikTokWebhookEventName[];

interface EventBase {
  clientKey: string;
  userOpenId: string;
  /** Unix seconds, as TikTok sends it. */
  createTime: number;
}

export type TikTokWebhookEvent = EventBase &
  (
    | { event: 'post.publish.complete' | 'post.publish.inbox_delivered'; content: { publishId: string; publishType?: string | undefined } }
    | { event: 'post.publish.failed'; content: { publishId: string; publishType?: string | undefined; reason: string } }
    | { event: 'post.publish.publicly_available'; content: { publishId: string; publishType?: string | undefined; postId: string } }
    | { event: 'post.publish.no_longer_publicaly_available'; content: { publishId?: string | undefined; publishType?: string | undefined; postId: string } }
    | {
        event: 'video.upload.failed';
        content: { shareId?: string | undefined; publishId?: string | undefined; reason?: string | number | undefined };
      }
    | { event: 'authorization.removed'; content: { reason?: string | number | undefined } }
    /** An event this package does not know yet; kept so new TikTok events are acknowledged, not rejected. */
    | { event: 'unknown'; rawEvent: string; content: unknown }
  );

function camelize(content: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(content).map(([key, value]) => [key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), value]));
}

/** Parses a (verified) webhook body into the event union. Throws TikTokWebhookError("payload_invalid"). */
export function parseTikTokWebhookEvent(rawBody: string | Uint8Array): TikTokWebhookEvent {
  const text = typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8');
  let json: unknown;
  try {
    json = parseJsonKeepingLargeIntegers(text);
  } catch {
    throw new TikTokWebhookError('payload_invalid', 'the body is not JSON');
  }
  const envelope = webhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) throw new TikTokWebhookError('payload_invalid', 'the body is not a TikTok event envelope');
  const { client_key: clientKey, user_openid: userOpenId, create_time: createTime, event, content } = envelope.data;
  let contentJson: unknown;
  try {
    contentJson = parseJsonKeepingLargeIntegers(content);
  } catch {
    throw new TikTokWebhookError('payload_invalid', 'content is not a JSON string');
  }
  const base = { clientKey, userOpenId, createTime };
  if (!Object.hasOwn(contentSchemas, event)) return { ...base, event: 'unknown', rawEvent: event, content: contentJson };
  const known = event as TikTokWebhookEventName;
  const parsed = contentSchemas[known].safeParse(contentJson);
  if (!parsed.success) throw new TikTokWebhookError('payload_invalid', `content does not fit ${event}`);
  return { ...base, event: known, content: camelize(parsed.data) } as TikTokWebhookEvent;
}

export interface VerifyTikTokWebhookInput {
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string | Uint8Array;
  signatureHeader: string | null | undefined;
  clientSecret: string;
  /** Current time in milliseconds (or a Date); Date.now() by default. */
  now?: number | Date;
  toleranceSeconds?: number;
  replayGuard?: WebhookReplayGuard;
}

/** Checks signature and freshness in constant time, then parses the event. Throws TikTokWebhookError. */
export function verifyTikTokWebhook(input: VerifyTikTokWebhookInput): TikTokWebhookEvent {
  const header = input.signatureHeader?.trim();
  if (!header) throw new TikTokWebhookError('signature_missing');
  const parts = new Map<string, string>();
  for (const element of header.split(',')) {
    const at = element.indexOf('=');
    if (at > 0) parts.set(element.slice(0, at).trim(), element.slice(at + 1).trim());
  }
  const timestamp = parts.get('t');
  const signature = parts.get('s');
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || !signature || !/^[0-9a-fA-F]{64}$/.test(signature)) {
    throw new TikTokWebhookError('signature_malformed');
  }
  const expected = Buffer.from(hmacHex(input.clientSecret, timestamp, toBytes(input.rawBody)), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new TikTokWebhookError('signature_mismatch');

  const nowMs = input.now === undefined ? Date.now() : Number(input.now);
  const tolerance = input.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  const ageSeconds = nowMs / 1000 - Number(timestamp);
  if (Math.abs(ageSeconds) > tolerance) {
    throw new TikTokWebhookError('timestamp_out_of_tolerance', `signed ${Math.round(ageSeconds)} s from now`);
  }
  if (input.replayGuard?.seenBefore(signature.toLowerCase(), (Number(timestamp) + tolerance) * 1000 + 1)) {
    throw new TikTokWebhookError('replayed');
  }
  return parseTikTokWebhookEvent(input.rawBody);
}
