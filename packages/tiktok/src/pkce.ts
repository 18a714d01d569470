import { createHash } from 'node:crypto';

// TikTok's Login Kit documents PKCE with code_challenge = hex(SHA-256(code_verifier)) and code_challenge_method=S256
// — lowercase hex, 64 characters — rather than RFC 7636's base64url of the same digest. agoras (Python) sends hex
// "for TikTok"; a base64url challenge is reported to fail the exchange with invalid_request "Code verifier or code
// challenge is invalid.". openid-client computes the RFC's base64url, so the challenge is computed here instead.

/** How the client does PKCE: TikTok's hex S256, or not at all (the web flow works without it). */
export const PKCE_MODES = ['hex-s256', 'off'] as const;
export type PkceMode = (typeof PKCE_MODES)[number];

/** TikTok's code_challenge for a verifier: lowercase hex SHA-256. */
export function tikTokCodeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'utf8').digest('hex');
}
