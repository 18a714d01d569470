import { createHmac } from 'node:crypto';

// Bearer tokens as an attacker builds them: by hand, with no JOSE library to stop a bad idea.

export type Claims = Record<string, unknown>;

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 JWT over these claims, signed with `secret` (a string, or the bytes of a public key). */
export function hs256(claims: Claims, secret: string | Buffer, header: Claims = {}): string {
  const signingInput = `${part({ alg: 'HS256', typ: 'JWT', ...header })}.${part(claims)}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}

/** `alg: none`: header, claims, and an empty signature. */
export function unsigned(claims: Claims): string {
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** The token with its claims replaced and its signature kept (e.g. someone else's `sub`). */
export function withSwappedClaims(token: string, claims: Claims): string {
  const [header, , signature] = token.split('.');
  return `${header}.${part(claims)}.${signature}`;
}
