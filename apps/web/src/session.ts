// Who is signed in, and the access token that proves it: held in this module's variables and nowhere else.
//
// Why only in memory: anything a script can read, an injected script can read too. Web Storage and
// script-readable cookies outlive the page and are readable by any script on the origin; a module variable
// dies with the tab and is reachable only through this module's exports. The price is that a reload loses
// the token: the page then asks the gateway for a new one (POST /api/auth/browser/refresh), which works
// because the refresh token sits in an HttpOnly `__Host-` cookie that JavaScript can neither read nor write.
// The token is never put in the URL either (URLs end up in history, logs and Referer headers).

/** The signed-in account, as `GET /api/users/me` describes it (the fields this client uses). */
export interface CurrentUser {
  id: string;
  email: string;
  displayName: string;
  role: string;
}

let accessToken: string | null = null;
/** When the token stops being accepted, by this browser's clock (milliseconds since the epoch). */
let accessTokenExpiresAt = 0;
let currentUser: CurrentUser | null = null;

export function getAccessToken(): string | null {
  return accessToken;
}

export function setAccessToken(value: string, expiresInSeconds: number): void {
  accessToken = value;
  accessTokenExpiresAt = Date.now() + expiresInSeconds * 1000;
}

/** Milliseconds left before the token expires; 0 when there is none. */
export function accessTokenLifetimeLeft(): number {
  return accessToken === null ? 0 : Math.max(0, accessTokenExpiresAt - Date.now());
}

export function isSignedIn(): boolean {
  return accessToken !== null;
}

export function getCurrentUser(): CurrentUser | null {
  return currentUser;
}

export function setCurrentUser(user: CurrentUser): void {
  currentUser = user;
}

/** Forgets everything about the session held by this tab. The cookie is the gateway's to clear (logout). */
export function clearSession(): void {
  accessToken = null;
  accessTokenExpiresAt = 0;
  currentUser = null;
}
