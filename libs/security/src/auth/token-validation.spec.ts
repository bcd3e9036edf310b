import { UnauthorizedException } from '@nestjs/common';
import { keyIdOf, toServicePrincipal, toUserPrincipal } from './token-validation';

const now = Math.floor(Date.now() / 1000);
const registered = { iss: 'https://users.test', sub: 'subject-1', jti: 'token-1', iat: now, exp: now + 900 };
const userClaims = { ...registered, aud: 'runnerly-api', typ: 'access', role: 'user', sid: 'session-1' };
const serviceClaims = {
  ...registered,
  aud: 'runnerly-services',
  typ: 'service',
  scope: 'runs:purge runs:read',
};

const KID = 'uN1Qp4Hq0m7Wv5yXkzL2bT9cR3sE8fA6dG1hJ0iK4oM';
const part = (json: string) => Buffer.from(json).toString('base64url');
const tokenWithHeader = (json: string, signature = 'c2lnbmF0dXJl') =>
  `${part(json)}.${part('{}')}.${signature}`;
const issuerHeader = `{"alg":"RS256","typ":"JWT","kid":"${KID}"}`;

describe('token header (before any key lookup)', () => {
  it('gives the kid of a header as the issuer writes it', () => {
    expect(keyIdOf(tokenWithHeader(issuerHeader))).toBe(KID);
  });

  it.each([
    ['an empty signature', tokenWithHeader(issuerHeader, '')],
    ['two parts', `${part(issuerHeader)}.${part('{}')}`],
    ['five parts', `${tokenWithHeader(issuerHeader)}.a.b`],
    ['padding', `${tokenWithHeader(issuerHeader)}=`],
    ['a header that is not JSON', tokenWithHeader('{"alg":')],
    ['a header that is a JSON array', tokenWithHeader('["RS256"]')],
    ['a header that is JSON null', tokenWithHeader('null')],
    ['a payload that is not JSON', `${part(issuerHeader)}.${part('not json')}.c2ln`],
    ['a payload that is JSON null', `${part(issuerHeader)}.${part('null')}.c2ln`],
  ])('refuses a token with %s as not a compact JWS', (_case, token) => {
    expect(() => keyIdOf(token)).toThrow('Token is not a compact JWS of JSON objects');
  });

  it.each([
    [
      'a member twice',
      'each member once, as compact JSON',
      `{"alg":"RS256","typ":"JWT","kid":"${KID}","kid":"${KID}"}`,
    ],
    ['whitespace', 'each member once, as compact JSON', `{"alg": "RS256","typ":"JWT","kid":"${KID}"}`],
    [
      'a jku member',
      'no member but alg, typ and kid',
      `{"alg":"RS256","typ":"JWT","kid":"${KID}","jku":"http://x"}`,
    ],
    ['alg RS384', 'alg is RS256', `{"alg":"RS384","typ":"JWT","kid":"${KID}"}`],
    ['typ at+jwt', 'typ is JWT', `{"alg":"RS256","typ":"at+jwt","kid":"${KID}"}`],
    [
      'a kid of 65 characters',
      'kid is a key id of at most 64 characters',
      `{"alg":"RS256","typ":"JWT","kid":"${'k'.repeat(65)}"}`,
    ],
    [
      'a kid holding a slash',
      'kid is a key id of at most 64 characters',
      `{"alg":"RS256","typ":"JWT","kid":"a/b"}`,
    ],
  ])('refuses a header with %s, breaking the rule: %s', (_case, rule, header) => {
    expect(() => keyIdOf(tokenWithHeader(header))).toThrow(`Token header breaks the rule: ${rule}`);
  });
});

describe('token validation (after the signature was verified)', () => {
  describe('toUserPrincipal', () => {
    it('turns the claims of a user access token into a UserPrincipal', () => {
      expect(toUserPrincipal({ ...userClaims, role: 'admin' })).toEqual({
        kind: 'user',
        id: 'subject-1',
        role: 'admin',
        sessionId: 'session-1',
        tokenId: 'token-1',
        secondFactor: false,
      });
    });

    it('reads a second factor from amr (RFC 8176) only when it names mfa', () => {
      expect(toUserPrincipal({ ...userClaims, amr: ['pwd', 'otp', 'mfa'] }).secondFactor).toBe(true);
      expect(toUserPrincipal({ ...userClaims, amr: ['pwd'] }).secondFactor).toBe(false);
    });

    it('accepts claims issued in the future within the clock tolerance, or the one configured', () => {
      expect(toUserPrincipal({ ...userClaims, iat: now + 25 })).toMatchObject({ kind: 'user' });
      expect(() => toUserPrincipal({ ...userClaims, iat: now + 25 }, 5)).toThrow(UnauthorizedException);
    });

    it.each([
      ['without exp (it would never expire)', { exp: undefined }],
      ['with exp as a string', { exp: String(now + 900) }],
      ['without iat', { iat: undefined }],
      ['without sub', { sub: undefined }],
      ['with an empty sub', { sub: '' }],
      ['without jti', { jti: undefined }],
      ['typed as a service token', { typ: 'service' }],
      ['without typ', { typ: undefined }],
      ['with an unknown role', { role: 'root' }],
      ['without role', { role: undefined }],
      ['without sid', { sid: undefined }],
      ['issued an hour from now, beyond the clock tolerance', { iat: now + 3600 }],
      ['with aud as an array, even of the right audience only', { aud: ['runnerly-api'] }],
      ['with a __proto__ member', JSON.parse('{"__proto__":{"role":"admin"}}') as object],
      ['with amr as a string', { amr: 'mfa' }],
      ['with amr holding a number', { amr: ['pwd', 2] }],
      ['with amr of 9 methods', { amr: Array.from({ length: 9 }, () => 'mfa') }],
    ])('refuses claims %s', (_case, change) => {
      expect(() => toUserPrincipal({ ...userClaims, ...change })).toThrow(UnauthorizedException);
    });
  });

  describe('toServicePrincipal', () => {
    it('turns the claims of a service token into a ServicePrincipal with its scopes', () => {
      expect(toServicePrincipal(serviceClaims)).toEqual({
        kind: 'service',
        clientId: 'subject-1',
        scopes: ['runs:purge', 'runs:read'],
        tokenId: 'token-1',
      });
    });

    it('reads extra spaces and an empty scope as no scope', () => {
      expect(toServicePrincipal({ ...serviceClaims, scope: ' runs:read  ' }).scopes).toEqual(['runs:read']);
      expect(toServicePrincipal({ ...serviceClaims, scope: '' }).scopes).toEqual([]);
    });

    it.each([
      ['without exp', { exp: undefined }],
      ['without jti', { jti: undefined }],
      ['typed as a user access token', { typ: 'access' }],
      ['without scope', { scope: undefined }],
      ['with scopes as an array', { scope: ['runs:purge'] }],
    ])('refuses claims %s', (_case, change) => {
      expect(() => toServicePrincipal({ ...serviceClaims, ...change })).toThrow(UnauthorizedException);
    });
  });
});
