import {
  expiredRefreshCookie,
  REFRESH_COOKIE,
  refreshCookie,
  refreshTokenFromCookies,
} from './refresh-cookie';

const TOKEN = 'q2R8vYk3Jd0-Zp_1xWm4Tn6Ls9Ae5Hc7';

describe('the refresh cookie of a browser session', () => {
  it('is a __Host- cookie for the whole site, Secure, HttpOnly, SameSite=Strict, ending with the browser session', () => {
    const attributes = refreshCookie(TOKEN).split('; ');

    expect(attributes[0]).toBe(`${REFRESH_COOKIE}=${TOKEN}`);
    expect(REFRESH_COOKIE.startsWith('__Host-')).toBe(true);
    expect(attributes.slice(1).sort()).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
  });

  it('is cleared with the same attributes and Max-Age=0, so the browser replaces and drops it', () => {
    expect(expiredRefreshCookie()).toBe(
      `${REFRESH_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`,
    );
  });

  it.each([
    ['a value with a semicolon, which would add attributes', `${TOKEN}; Domain=evil.example`],
    ['an empty value', ''],
    ['a value too short to be a token', 'abc'],
  ])('refuses to write %s', (_case, value) => {
    expect(() => refreshCookie(value)).toThrow('Not a refresh token');
  });

  it.each([
    ['the one cookie', `${REFRESH_COOKIE}=${TOKEN}`, TOKEN],
    ['it among others', `theme=dark; ${REFRESH_COOKIE}=${TOKEN}; lang=en`, TOKEN],
    ['no Cookie header', undefined, undefined],
    ['no refresh cookie', 'theme=dark', undefined],
    ['a cookie whose name only ends like it', `x${REFRESH_COOKIE}=${TOKEN}`, undefined],
    [
      'two refresh cookies (one planted)',
      `${REFRESH_COOKIE}=${TOKEN}; ${REFRESH_COOKIE}=${TOKEN}x`,
      undefined,
    ],
    ['a value that is not a token', `${REFRESH_COOKIE}=<script>`, undefined],
  ])('reads %s', (_case, header, expected) => {
    expect(refreshTokenFromCookies(header)).toBe(expected);
  });
});
