import {
  expiredOidcBindingCookie,
  OIDC_BINDING_COOKIE,
  oidcBindingCookie,
  oidcBindingFromCookies,
} from './oidc-binding-cookie';

const BINDING = 'q2R8vYk3Jd0-Zp_1xWm4Tn6Ls9Ae5Hc7q2R8vYk3Jd0';

describe('the cookie that binds an OpenID Connect sign-in to its browser', () => {
  it('is a __Host- cookie for the whole site, Secure, HttpOnly, SameSite=Lax, for the ten minutes of a sign-in', () => {
    const attributes = oidcBindingCookie(BINDING).split('; ');

    expect(attributes[0]).toBe(`${OIDC_BINDING_COOKIE}=${BINDING}`);
    expect(OIDC_BINDING_COOKIE.startsWith('__Host-')).toBe(true);
    // Lax: the provider's redirect back is a top-level navigation another site starts; Strict would drop it.
    expect(attributes.slice(1).sort()).toEqual([
      'HttpOnly',
      'Max-Age=600',
      'Path=/',
      'SameSite=Lax',
      'Secure',
    ]);
  });

  it('is cleared with the same attributes and Max-Age=0', () => {
    expect(expiredOidcBindingCookie()).toBe(
      `${OIDC_BINDING_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`,
    );
  });

  it.each([
    ['a value with a semicolon, which would add attributes', `${BINDING.slice(0, 30)}; Domain=evil.example`],
    ['an empty value', ''],
    ['a value of the wrong length', BINDING.slice(1)],
  ])('refuses to write %s', (_case, value) => {
    expect(() => oidcBindingCookie(value)).toThrow('Not a sign-in binding');
  });

  it.each([
    ['the one cookie', `${OIDC_BINDING_COOKIE}=${BINDING}`, BINDING],
    ['it among others', `theme=dark; ${OIDC_BINDING_COOKIE}=${BINDING}; lang=en`, BINDING],
    ['no Cookie header', undefined, undefined],
    ['no binding cookie', 'theme=dark', undefined],
    ['a cookie whose name only ends like it', `x${OIDC_BINDING_COOKIE}=${BINDING}`, undefined],
    [
      'two binding cookies (one planted)',
      `${OIDC_BINDING_COOKIE}=${BINDING}; ${OIDC_BINDING_COOKIE}=${BINDING}`,
      undefined,
    ],
    ['a value that is not a binding', `${OIDC_BINDING_COOKIE}=<script>`, undefined],
  ])('reads %s', (_case, header, expected) => {
    expect(oidcBindingFromCookies(header)).toBe(expected);
  });
});
