import { soleCookieValue } from './sole-cookie-value';

/**
 * The refresh token of a browser session, in a cookie that no script of any page can read (RFC 6265bis):
 *
 * - `HttpOnly`: `document.cookie` does not show it, so a script injected into the page (XSS) cannot send it
 *   away. It can still use the session while the page is open; keeping script out is the CSP's job.
 * - `Secure` and the `__Host-` prefix: sent over HTTPS only (and `http://localhost`, which browsers treat as
 *   secure), and the browser refuses the cookie unless it has `Path=/` and no `Domain`, so a sibling
 *   subdomain cannot plant its own (cookie tossing, a way to log a victim into the attacker's session).
 *   `__Host-` is why the path is `/` and not the refresh route: the prefix forbids any other path.
 * - `SameSite=Strict`: a request that another site starts does not carry it, not even a top-level link.
 * - No `Max-Age`: the cookie ends with the browser session; the server ends the session at its absolute
 *   lifetime whatever the browser keeps.
 *
 * The gateway never forwards cookies to a service: the token reaches `users` only in the JSON body of
 * the refresh or logout the gateway makes for the browser.
 */
export const REFRESH_COOKIE = '__Host-runnerly-refresh';

/** Refresh tokens are opaque base64url; anything else in the cookie is not one of ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,256}$/;

const ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Strict';

/** The `Set-Cookie` value that hands the browser a refresh token. */
export function refreshCookie(refreshToken: string): string {
  if (!TOKEN_SHAPE.test(refreshToken)) throw new Error('Not a refresh token: refusing to put it in a cookie');
  return `${REFRESH_COOKIE}=${refreshToken}; ${ATTRIBUTES}`;
}

/** The `Set-Cookie` value that makes the browser forget it (logout, or a token the server refused). */
export function expiredRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** The refresh token in a request's `Cookie` header, if there is exactly one well-formed one. */
export function refreshTokenFromCookies(cookieHeader: string | undefined): string | undefined {
  return soleCookieValue(cookieHeader, REFRESH_COOKIE, TOKEN_SHAPE);
}
