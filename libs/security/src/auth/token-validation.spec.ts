import { UnauthorizedException } from '@nestjs/common';
import { toServicePrincipal, toUserPrincipal } from './token-validation';

const now = Math.floor(Date.now() / 1000);
const registered = { iss: 'https://users.test', sub: 'subject-1', jti: 'token-1', iat: now, exp: now + 900 };
const userClaims = { ...registered, aud: 'runnerly-api', typ: 'access', role: 'user', sid: 'session-1' };
const serviceClaims = {
  ...registered,
  aud: 'runnerly-services',
  typ: 'service',
  scope: 'runs:purge runs:read',
};

describe('token validation (after the signature was verified)', () => {
  describe('toUserPrincipal', () => {
    it('turns the claims of a user access token into a UserPrincipal', () => {
      expect(toUserPrincipal({ ...userClaims, role: 'admin' })).toEqual({
        kind: 'user',
        id: 'subject-1',
        role: 'admin',
        sessionId: 'session-1',
        tokenId: 'token-1',
      });
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
