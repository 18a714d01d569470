import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newSigningKey, signWith } from '@reelpost/api/testing/identity-provider';
import { bearer, type SecurityServer, useSecurityServer } from './harness.js';
import { listProcedures, type ProcedureInfo, SURFACES, call } from './procedures.js';
import { nowSeconds, OIDC_AUDIENCE, useProductionLikeServer } from './production.js';
import { type Claims, hs256, unsigned, withSwappedClaims } from './tokens.js';

// Issue 5's auth matrix: every procedure — read from the router, so a new one is in the matrix without being listed
// — × every way a bearer credential can be wrong → 401 UNAUTHORIZED, over tRPC and over REST, in the two ways the
// server signs people in that differ most: demo mode's HS256 tokens, and production's OpenID Connect (RS256 keys
// from the provider's JWKS).

const procedures = listProcedures();

interface BadCredential {
  label: string;
  /** The Authorization header, or undefined for none. */
  authorization: () => Promise<string | undefined> | string | undefined;
}

/** An input every procedure accepts as well-formed, so a 401 cannot be a 400 in disguise. */
function wellFormedInput(procedure: ProcedureInfo): Record<string, unknown> {
  const values: Record<string, unknown> = { title: 'Matrix #ai', privacyLevel: 'SELF_ONLY' };
  return Object.fromEntries(procedure.fields.flatMap((field) => (procedure.idFields.includes(field) ? [[field, randomUUID()]] : field in values ? [[field, values[field]]] : [])));
}

/** The header forms that are not `Bearer <one token>`. */
const MALFORMED_HEADERS = ['Basic dXNlcjpwYXNzd29yZA==', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc.def.ghi', 'Bearer not.a.jwt', 'Bearer ....', `Bearer ${'x'.repeat(20_000)}`];

async function expectEveryProcedureRefuses(server: SecurityServer, authorization: string | undefined) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  for (const procedure of procedures) {
    for (const surface of SURFACES) {
      const answer = await call(server, surface, procedure, wellFormedInput(procedure), headers);
      expect({ procedure: procedure.path, surface, status: answer.status, code: answer.code }).toEqual({
        procedure: procedure.path,
        surface,
        status: 401,
        code: 'UNAUTHORIZED',
      });
    }
  }
}

async function expectEveryProcedureAccepts(server: SecurityServer, token: string) {
  for (const procedure of procedures) {
    for (const surface of SURFACES) {
      const answer = await call(server, surface, procedure, wellFormedInput(procedure), bearer(token));
      // Unknown ids give 404s and the like: anything but a 401 shows the token itself was accepted.
      expect({ procedure: procedure.path, surface, status: answer.status }).not.toEqual({ procedure: procedure.path, surface, status: 401 });
      expect(answer.status).toBeLessThan(500);
    }
  }
}

it('the router has procedures, each with a REST route (the matrix below covers them all)', () => {
  expect(procedures.length).toBeGreaterThanOrEqual(10);
  expect(procedures.map((procedure) => procedure.path)).toEqual(expect.arrayContaining(['tasks.list', 'tasks.detail', 'tiktok.post', 'tiktok.status']));
});

describe('demo mode (HS256 tokens from POST /dev/token)', () => {
  const server = useSecurityServer();
  let claims: Claims;
  let secret: string;
  beforeAll(() => {
    secret = server().env.DEMO_JWT_SECRET!;
    // The claims of a real demo token (issuer, audience, the demo user's sub), so each case changes one thing only.
    const payload = JSON.parse(Buffer.from(server().runtime.demo!.token.split('.')[1]!, 'base64url').toString()) as Claims;
    claims = { ...payload, iat: nowSeconds(), exp: nowSeconds() + 3600 };
  });

  const cases: BadCredential[] = [
    { label: 'no token', authorization: () => undefined },
    { label: 'bad signature (another secret)', authorization: () => `Bearer ${hs256(claims, `${secret}-not-quite`)}` },
    { label: 'a valid token with its claims swapped (another user’s sub)', authorization: () => `Bearer ${withSwappedClaims(server().runtime.demo!.token, { ...claims, sub: 'demo|victim@example.com' })}` },
    { label: 'expired', authorization: () => `Bearer ${hs256({ ...claims, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }, secret)}` },
    { label: 'alg: none', authorization: () => `Bearer ${unsigned(claims)}` },
    { label: 'alg: none with the real signature kept', authorization: () => `Bearer ${unsigned(claims)}${server().runtime.demo!.token.split('.')[2]}` },
    { label: 'RS256 where HS256 is pinned', authorization: async () => `Bearer ${await signWith(await newSigningKey('attacker'), claims)}` },
    { label: 'wrong issuer', authorization: () => `Bearer ${hs256({ ...claims, iss: 'https://elsewhere.example/' }, secret)}` },
    { label: 'wrong audience', authorization: () => `Bearer ${hs256({ ...claims, aud: 'another-api' }, secret)}` },
    { label: 'no sub', authorization: () => `Bearer ${hs256({ ...claims, sub: undefined }, secret)}` },
    { label: 'no exp', authorization: () => `Bearer ${hs256({ ...claims, exp: undefined }, secret)}` },
    { label: 'not valid yet (nbf in an hour)', authorization: () => `Bearer ${hs256({ ...claims, nbf: nowSeconds() + 3600 }, secret)}` },
    ...MALFORMED_HEADERS.map((header) => ({ label: `malformed header "${header.slice(0, 24)}"`, authorization: () => header })),
  ];

  it.each(cases)('$label → 401 UNAUTHORIZED from every procedure, over tRPC and REST', async ({ authorization }) => {
    await expectEveryProcedureRefuses(server(), await authorization());
  });

  it('control: the demo token itself is accepted by every procedure', async () => {
    await expectEveryProcedureAccepts(server(), server().runtime.demo!.token);
  });
});

describe('production (OpenID Connect, RS256 keys from the provider’s JWKS)', () => {
  const production = useProductionLikeServer();
  const sub = 'oidc|matrix-user';
  let claims: Claims;
  beforeAll(() => {
    claims = { iss: production.provider().issuer, aud: OIDC_AUDIENCE, sub, iat: nowSeconds(), exp: nowSeconds() + 3600 };
  });
  const kid = () => production.key().kid;

  const cases: BadCredential[] = [
    { label: 'no token', authorization: () => undefined },
    {
      label: 'bad signature (another RSA key under the published kid)',
      authorization: async () => `Bearer ${await signWith({ ...(await newSigningKey(kid())) }, claims)}`,
    },
    { label: 'a valid token with its claims swapped (another user’s sub)', authorization: async () => `Bearer ${withSwappedClaims(await production.userToken(sub), { ...claims, sub: 'oidc|victim' })}` },
    { label: 'expired', authorization: async () => `Bearer ${await production.userToken(sub, { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })}` },
    { label: 'alg: none', authorization: () => `Bearer ${unsigned(claims)}` },
    { label: 'HS256 signed with the RS public key (PEM)', authorization: () => `Bearer ${hs256(claims, production.key().publicPem, { kid: kid() })}` },
    {
      label: 'HS256 signed with the RS public key (JWK JSON)',
      authorization: () => `Bearer ${hs256(claims, JSON.stringify(production.key().publicJwk), { kid: kid() })}`,
    },
    { label: 'wrong issuer', authorization: async () => `Bearer ${await production.userToken(sub, { iss: 'https://id.elsewhere.example/' })}` },
    { label: 'wrong audience', authorization: async () => `Bearer ${await production.userToken(sub, { aud: 'another-api' })}` },
    { label: 'a key the provider does not publish (unknown kid)', authorization: async () => `Bearer ${await signWith(await newSigningKey('not-published'), claims)}` },
    {
      label: 'the attacker’s own key embedded in the header (jwk)',
      authorization: async () => {
        const attacker = await newSigningKey(kid());
        return `Bearer ${await signWith(attacker, claims, { jwk: attacker.publicJwk })}`;
      },
    },
    {
      label: 'the attacker’s key set named in the header (jku)',
      authorization: async () => `Bearer ${await signWith(await newSigningKey(kid()), claims, { jku: 'http://127.0.0.1:9/jwks' })}`,
    },
    { label: 'no sub', authorization: async () => `Bearer ${await production.userToken(sub, { sub: undefined })}` },
    ...MALFORMED_HEADERS.map((header) => ({ label: `malformed header "${header.slice(0, 24)}"`, authorization: () => header })),
  ];

  it.each(cases)('$label → 401 UNAUTHORIZED from every procedure, over tRPC and REST', async ({ authorization }) => {
    await expectEveryProcedureRefuses(production.server(), await authorization());
  });

  it('control: a token from the provider is accepted by every procedure', async () => {
    await expectEveryProcedureAccepts(production.server(), await production.userToken(sub));
  });

  it('demo sign-in does not exist outside demo mode: POST /dev/token is a 404', async () => {
    const response = await production.server().request('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'demo@reelpost.dev' }),
    });
    expect(response.status).toBe(404);
  });

  it('refused tokens created no user; the accepted one created exactly one', async () => {
    const users = await production.server().runtime.deps.db.selectFrom('users').select('sub').execute();
    expect(users.map((user) => user.sub)).toEqual([sub]);
  });
});
