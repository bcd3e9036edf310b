import { soleCookieValue } from './sole-cookie-value';

/**
 * The cookie that binds an OpenID Connect sign-in to the browser that started it. `users` keeps only its
 * SHA-256 digest with the transaction; the callback completes only when the same browser brings it back with
 * the provider's answer. A code and state stolen or planted by someone else (login CSRF: a victim signed into
 * the attacker's account, OAuth 2.0 Security BCP, RFC 9700 §4.7) do not come with this cookie, so they fail.
 *
 * - `HttpOnly`, `Secure`, `__Host-` (so `Path=/` and no `Domain`): as the refresh cookie, and for the same
 *   reasons (no script reads it, no sibling subdomain plants one).
 * - `SameSite=Lax`, not `Strict`: the callback is a top-level navigation that the provider's site starts (a
 *   302 back to us). A browser sends a `Strict` cookie on no request another site starts, so the binding
 *   would never arrive and every sign-in would fail. `Lax` sends it on top-level GET navigations only; no
 *   cross-site POST, frame or image carries it.
 * - `Max-Age=600`: the transaction's own lifetime in `users`.
 */
export const OIDC_BINDING_COOKIE = '__Host-runnerly-oidc';

/** How long a sign-in at the provider may take, in seconds: the transaction and the cookie end together. */
export const OIDC_BINDING_MAX_AGE_SECONDS = 600;

/** Bindings are 256 random bits, base64url. */
const BINDING_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const ATTRIBUTES = 'Path=/; Secure; HttpOnly; SameSite=Lax';

/** The `Set-Cookie` value that gives the browser the binding of the sign-in it is starting. */
export function oidcBindingCookie(binding: string): string {
  if (!BINDING_SHAPE.test(binding)) throw new Error('Not a sign-in binding: refusing to put it in a cookie');
  return `${OIDC_BINDING_COOKIE}=${binding}; ${ATTRIBUTES}; Max-Age=${OIDC_BINDING_MAX_AGE_SECONDS}`;
}

/** The `Set-Cookie` value that makes the browser forget it (the sign-in is over, whatever its outcome). */
export function expiredOidcBindingCookie(): string {
  return `${OIDC_BINDING_COOKIE}=; ${ATTRIBUTES}; Max-Age=0`;
}

/** The binding in a request's `Cookie` header, if there is exactly one well-formed one. */
export function oidcBindingFromCookies(cookieHeader: string | undefined): string | undefined {
  return soleCookieValue(cookieHeader, OIDC_BINDING_COOKIE, BINDING_SHAPE);
}
