import { z } from 'zod';
import { type AddressRange, parseAddressRanges } from './address.js';

/** TikTok accepts videos up to 4 GB (Media requirements); we read that as 4 GiB. */
export const TIKTOK_MAX_VIDEO_BYTES = 4 * 1024 ** 3;

/** A prefix the TikTok app verified, parsed once so every check compares normalised parts, never raw strings. */
export interface AllowedPrefix {
  /** The prefix as configured, normalised by the URL parser (lower-case host, default port dropped, IDNA applied). */
  readonly href: string;
  readonly protocol: 'https:' | 'http:';
  readonly hostname: string;
  /** The port as the URL parser keeps it: '' for the scheme's default port. */
  readonly port: string;
  /** The path the URL must sit under, on a segment boundary (`/videos` matches `/videos` and `/videos/…`). */
  readonly pathname: string;
}

export interface VideoUrlPolicy {
  readonly allowedPrefixes: readonly AllowedPrefix[];
  /** Connect to private, loopback, link-local, unique-local and CGNAT addresses. Off in production. */
  readonly allowPrivateAddresses: boolean;
  /** Private addresses or CIDR ranges that may be reached even with `allowPrivateAddresses` off (demo, tests). */
  readonly privateAddressAllowList: readonly AddressRange[];
  /** Accept `http:` URLs (and prefixes). Off in production. */
  readonly allowHttp: boolean;
  readonly maxBytes: number;
  /** Probe deadline (DNS, connect, TLS, every redirect hop, response headers) and the idle limit while reading. */
  readonly timeoutMs: number;
  /** Deadline for one whole `openVideoRange` read, from the request to the last byte. */
  readonly readTimeoutMs: number;
  readonly maxRedirects: number;
}

const policyInput = z.object({
  allowedPrefixes: z.array(z.string()).min(1, 'configure at least one verified video URL prefix'),
  allowPrivateAddresses: z.boolean().default(false),
  privateAddressAllowList: z.array(z.string()).default([]),
  allowHttp: z.boolean().default(false),
  maxBytes: z.number().int().positive().default(TIKTOK_MAX_VIDEO_BYTES),
  timeoutMs: z.number().int().positive().default(10_000),
  readTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  maxRedirects: z.number().int().min(0).max(10).default(3),
});

export type VideoUrlPolicyInput = z.input<typeof policyInput>;

/**
 * Builds a policy from configuration. Throws (at start-up, not per request) when a prefix is not a plain http(s) URL
 * prefix, when an http prefix is configured without `allowHttp`, or when an allow-list entry is not an address.
 */
export function createVideoUrlPolicy(input: VideoUrlPolicyInput): VideoUrlPolicy {
  const config = policyInput.parse(input);
  return {
    allowedPrefixes: config.allowedPrefixes.map((prefix) => parsePrefix(prefix, config.allowHttp)),
    allowPrivateAddresses: config.allowPrivateAddresses,
    privateAddressAllowList: parseAddressRanges(config.privateAddressAllowList),
    allowHttp: config.allowHttp,
    maxBytes: config.maxBytes,
    timeoutMs: config.timeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    maxRedirects: config.maxRedirects,
  };
}

function parsePrefix(text: string, allowHttp: boolean): AllowedPrefix {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`video URL prefix "${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowHttp)) {
    throw new Error(`video URL prefix "${text}" must be https${url.protocol === 'http:' ? ' (or set allowHttp)' : ''}`);
  }
  if (url.username !== '' || url.password !== '') throw new Error('a video URL prefix must not carry credentials');
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#')) {
    throw new Error(`video URL prefix "${text}" must not have a query or fragment`);
  }
  return {
    href: url.href,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port,
    pathname: url.pathname,
  };
}
