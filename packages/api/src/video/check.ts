import ipaddr from 'ipaddr.js';
import { type AppError, appError } from '../errors.js';
import { type AddressVerdict, addressInRanges, classifyAddress } from './address.js';
import type { AllowedPrefix, VideoUrlPolicy } from './policy.js';

/** Longer URLs are refused: no storage URL we accept is near this, and other parsers may truncate them. */
export const MAX_VIDEO_URL_LENGTH = 2048;

/** Why a URL was refused; carried as `details.reason` so tests and clients can tell refusals apart. */
export type VideoUrlRefusal =
  | 'invalid_url'
  | 'too_long'
  | 'unsafe_characters'
  | 'scheme'
  | 'credentials'
  | 'encoded_separator'
  | 'private_address'
  | 'not_allowed_prefix'
  /** A redirect whose Location is not a URL (a redirect to a refused URL keeps that URL's own reason). */
  | 'redirect'
  /** Found by probing: the file is not served as a video TikTok accepts, or is empty. */
  | 'content_type'
  | 'empty';

/**
 * Decides, without any network I/O, whether a video URL may be handed to TikTok or fetched by us. Returns the URL as
 * parsed and normalised (fragment dropped): hand TikTok `href` of the result, never the raw input, so both sides
 * mean the same URL. Throws `VIDEO_URL_NOT_ALLOWED` with `details.reason` otherwise.
 *
 * Refused: anything the WHATWG parser rejects; over {@link MAX_VIDEO_URL_LENGTH}; whitespace, control characters or
 * backslashes (parsers disagree on them); schemes other than https (http only with `allowHttp`); a user name or
 * password; percent-encoded `/` or `\` in the path (a server may decode them into a traversal); an IP-literal host
 * that is not public (decimal, octal, hex and short IPv4 forms are normalised by the parser first, IPv6 forms that
 * embed IPv4 are judged by that IPv4); `localhost` names; and any URL not under an allowed prefix, compared on parsed
 * scheme, host, port and path segments.
 */
export function checkVideoUrl(input: string, policy: VideoUrlPolicy): URL {
  if (typeof input !== 'string' || input.length === 0) {
    throw videoUrlNotAllowed('invalid_url', 'The video URL is empty or not text.', 'Give the public https URL of the video file.');
  }
  if (input.length > MAX_VIDEO_URL_LENGTH) {
    throw videoUrlNotAllowed(
      'too_long',
      `The video URL is longer than ${MAX_VIDEO_URL_LENGTH} characters.`,
      'Use the plain public URL of the video file.',
    );
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u0020\u007f\\]/.test(input)) {
    throw videoUrlNotAllowed(
      'unsafe_characters',
      'The video URL contains spaces, control characters or backslashes.',
      'Percent-encode the URL (spaces as %20) and use forward slashes.',
    );
  }
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw videoUrlNotAllowed(
      'invalid_url',
      'The video URL is not a valid absolute URL.',
      'Give the public https URL of the video file.',
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    throw videoUrlNotAllowed(
      'scheme',
      `Video URLs must use https; this one uses ${url.protocol.slice(0, 20)}`,
      'Serve the video over https from the verified storage bucket.',
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw videoUrlNotAllowed(
      'credentials',
      'The video URL contains a user name or password before the host, which is not allowed.',
      'Remove the "user:password@" part; the video must be publicly readable without credentials.',
    );
  }
  if (/%(2f|5c)/i.test(url.pathname)) {
    throw videoUrlNotAllowed(
      'encoded_separator',
      `The video URL ${describeUrl(url)} has an encoded slash or backslash in its path.`,
      'Use the object URL exactly as the storage bucket gives it.',
    );
  }
  const literal = ipLiteral(url.hostname);
  if (literal !== null) {
    const verdict = addressVerdict(literal, policy);
    if (!verdict.allowed) {
      throw videoUrlNotAllowed(
        'private_address',
        `The video URL points at ${describeRange(verdict)} (${url.hostname}), which this server never fetches from.`,
        PRIVATE_HINT,
        {
          range: verdict.range,
        },
      );
    }
  } else if (
    isLocalhostName(url.hostname) &&
    !policy.allowPrivateAddresses &&
    policy.privateAddressAllowList.length === 0
  ) {
    throw videoUrlNotAllowed(
      'private_address',
      `The video URL points at this machine (${url.hostname}), which this server never fetches from.`,
      PRIVATE_HINT,
      {
        range: 'loopback',
      },
    );
  }
  if (!policy.allowedPrefixes.some((prefix) => isUnderPrefix(url, prefix))) {
    throw videoUrlNotAllowed(
      'not_allowed_prefix',
      `The video URL ${describeUrl(url)} is not under a URL prefix verified for TikTok.`,
      // The prefixes themselves are the operator's to know, not every caller's (issue 17, finding 8): they map the
      // storage layout. The operator's list is in VIDEO_URL_PREFIXES.
      'Store the video under a URL prefix this server is configured to allow (VIDEO_URL_PREFIXES) and that is verified with TikTok.',
    );
  }
  url.hash = '';
  return url;
}

/** Whether the guard may connect to this address under the policy, with ipaddr.js's name for its range. */
export function addressVerdict(address: string, policy: VideoUrlPolicy): AddressVerdict & { allowed: boolean } {
  const verdict = classifyAddress(address);
  switch (verdict.class) {
    case 'public':
      return { ...verdict, allowed: true };
    case 'never':
      return { ...verdict, allowed: false };
    case 'internal':
      return {
        ...verdict,
        allowed: policy.allowPrivateAddresses || addressInRanges(address, policy.privateAddressAllowList),
      };
  }
}

/** The URL without credentials, query or fragment, short enough for a message: safe to show and to log. */
export function describeUrl(url: URL): string {
  const text = `${url.protocol}//${url.host}${url.pathname}`;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

export const PRIVATE_HINT =
  'Video URLs must point at public storage (the verified bucket), never at internal, loopback or cloud-metadata addresses.';

export function describeRange(verdict: AddressVerdict): string {
  switch (verdict.range) {
    case 'loopback':
      return 'a loopback address';
    case 'private':
      return 'a private network address';
    case 'linkLocal':
      return 'a link-local address (such as a cloud metadata service)';
    case 'uniqueLocal':
      return 'a private (unique-local) IPv6 address';
    case 'carrierGradeNat':
      return 'a carrier-grade NAT address';
    case 'unspecified':
      return 'the unspecified address';
    case 'multicast':
      return 'a multicast address';
    case 'broadcast':
      return 'the broadcast address';
    default:
      return 'a reserved, non-public address';
  }
}

/** The guard's refusal: VIDEO_URL_NOT_ALLOWED with the reason in `details`, a message and a hint a person can act on. */
export function videoUrlNotAllowed(
  reason: VideoUrlRefusal,
  message: string,
  hint: string,
  details: Record<string, unknown> = {},
): AppError {
  return appError('VIDEO_URL_NOT_ALLOWED', message, { hint, details: { reason, ...details } });
}

function isUnderPrefix(url: URL, prefix: AllowedPrefix): boolean {
  if (url.protocol !== prefix.protocol || url.hostname !== prefix.hostname || url.port !== prefix.port) return false;
  if (prefix.pathname.endsWith('/')) return url.pathname.startsWith(prefix.pathname);
  return url.pathname === prefix.pathname || url.pathname.startsWith(`${prefix.pathname}/`);
}

/** The address when the (parsed, normalised) host is an IP literal; null for a name. */
function ipLiteral(hostname: string): string | null {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return ipaddr.IPv4.isValidFourPartDecimal(hostname) ? hostname : null;
}

function isLocalhostName(hostname: string): boolean {
  const name = hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
  return name === 'localhost' || name.endsWith('.localhost');
}
