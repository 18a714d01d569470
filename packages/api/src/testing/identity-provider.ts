import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, exportSPKI, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import type { Clock } from '../deps.js';

// `@reelpost/api/testing/identity-provider`, for the auth tests and the server's security suites: a fixed clock, token
// signing, and a tiny local OpenID provider (discovery + JWKS over node:http).

export const NOW = new Date('2026-11-27T12:00:00Z');
export const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
export const fixedClock: Clock = { now: () => NOW };

export function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** An HS256 token with the given claims (iat = now, exp = now + 1 h unless given). */
export async function signHs256(claims: JWTPayload, secret: string, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iat: NOW_SECONDS, exp: NOW_SECONDS + 3600, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(secretKey(secret));
}

/** `alg: none`: a header, the claims and an empty signature. */
export function unsignedToken(claims: JWTPayload): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ iat: NOW_SECONDS, exp: NOW_SECONDS + 3600, ...claims })}.`;
}

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** The public key as PEM: what an attacker would try as an HMAC secret. */
  publicPem: string;
}

export async function newSigningKey(kid: string, alg = 'RS256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

export async function signWith(key: SigningKey, claims: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ iat: NOW_SECONDS, exp: NOW_SECONDS + 3600, ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

export interface LocalOidcProvider {
  issuer: string;
  jwksUri: string;
  /** The keys the JWKS endpoint publishes from now on. */
  publish(keys: SigningKey[]): void;
  /** Replaces the discovery document (e.g. another issuer), or null for the real one. */
  discoveryOverride: Record<string, unknown> | null;
  /** When set, both endpoints answer this status. */
  failWith: number | null;
  requests: { discovery: number; jwks: number };
  close(): Promise<void>;
}

export async function startOidcProvider(keys: SigningKey[] = []): Promise<LocalOidcProvider> {
  let published = keys;
  const state: Pick<LocalOidcProvider, 'discoveryOverride' | 'failWith' | 'requests'> = {
    discoveryOverride: null,
    failWith: null,
    requests: { discovery: 0, jwks: 0 },
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/.well-known/openid-configuration') {
      state.requests.discovery += 1;
      if (state.failWith) return send(state.failWith, { error: 'down' });
      return send(200, state.discoveryOverride ?? { issuer: provider.issuer, jwks_uri: provider.jwksUri });
    }
    if (request.url === '/jwks') {
      state.requests.jwks += 1;
      if (state.failWith) return send(state.failWith, { error: 'down' });
      return send(200, { keys: published.map((key) => key.publicJwk) });
    }
    send(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  const provider: LocalOidcProvider = Object.assign(state, {
    issuer: `${base}/`,
    jwksUri: `${base}/jwks`,
    publish: (next: SigningKey[]) => {
      published = next;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  });
  return provider;
}

export interface BearerCase {
  label: string;
  /** The `Authorization` header to send; undefined sends none. */
  authorization: string | undefined;
  /** The `data.details.reason` the 401 carries (null without a token: protectedProcedure's own 401). */
  reason: string | null;
}

/**
 * The token half of the auth matrix, for any procedure: no token, a bad signature, an expired token and `alg: none`
 * must each answer 401 UNAUTHORIZED. `claims` should otherwise be valid for the mode under test (e.g. for Supabase
 * mode `{ aud: 'authenticated', sub }`), so only the named defect is wrong.
 */
export async function unauthorizedBearers(claims: JWTPayload, secret: string): Promise<BearerCase[]> {
  return [
    { label: 'no token', authorization: undefined, reason: null },
    { label: 'bad signature', authorization: `Bearer ${await signHs256(claims, `${secret}-but-not-quite`)}`, reason: 'bad_signature' },
    { label: 'expired', authorization: `Bearer ${await signHs256({ ...claims, exp: NOW_SECONDS - 3600 }, secret)}`, reason: 'expired' },
    { label: 'alg: none', authorization: `Bearer ${unsignedToken(claims)}`, reason: 'algorithm_not_allowed' },
  ];
}
