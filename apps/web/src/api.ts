// The one door to the server. Every request goes through `send`, so the rules are written once:
// - same origin only (relative `/api/...` paths; the CSP's `connect-src 'self'` would refuse others anyway);
// - `credentials: 'same-origin'`: the browser attaches the HttpOnly refresh cookie to our own requests and
//   never to anyone else's;
// - the CSRF header on every request. A cross-site form or image cannot set a custom header, and a
//   cross-site fetch that sets one needs a CORS preflight the gateway refuses, so the gateway can trust that
//   a request carrying it came from a page of its own origin;
// - the access token, when there is one, as `Authorization: Bearer`, read from memory (session.ts).
import {
  accessTokenLifetimeLeft,
  clearSession,
  getAccessToken,
  setAccessToken,
  setCurrentUser,
  type CurrentUser,
} from './session.js';

/** The header the gateway requires on browser requests (value `1`): see the first comment. */
export const CSRF_HEADER = 'x-runnerly-csrf';

/** An error the API answered with (`{statusCode, error, message, requestId, details?}`), or a network error (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    readonly requestId: string | null = null,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

interface RequestOptions {
  body?: unknown;
  /** Send the access token (and, on a 401, refresh it once and retry once). */
  auth?: boolean;
  signal?: AbortSignal;
}

// ---------------------------------------------------------------------------------------------------------
// Transport

async function send(
  method: Method,
  path: string,
  body: unknown,
  bearer: string | null,
  signal?: AbortSignal,
): Promise<Response> {
  // Paths are written in this file, with identifiers passed through encodeURIComponent; this guard makes
  // sure nothing ever turns one into another origin (`//evil.example/...`).
  if (!path.startsWith('/api/')) throw new Error(`Refusing to call ${path}: not an /api/ path`);
  const headers: Record<string, string> = { accept: 'application/json', [CSRF_HEADER]: '1' };
  // Only with a body: the server refuses a JSON content type with an empty body (a DELETE) as malformed.
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (bearer !== null) headers['authorization'] = `Bearer ${bearer}`;
  try {
    return await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      credentials: 'same-origin',
      // Answers hold personal data: do not keep them in the HTTP cache.
      cache: 'no-store',
      signal: signal ?? null,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Could not reach the server. Check your connection and try again.');
  }
}

/** The body of a successful answer: parsed JSON, or undefined when there is none (204). */
async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  if (!(response.headers.get('content-type') ?? '').includes('json')) {
    throw new ApiError(response.status, 'The server sent an unexpected answer.');
  }
  return JSON.parse(text) as unknown;
}

const FALLBACK_MESSAGES: Record<number, string> = {
  400: 'The request was refused.',
  401: 'Please sign in again.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That conflicts with existing data.',
  429: 'Too many attempts.',
};

/** Turns an error answer into an ApiError whose message is plain text, ready for `textContent`. */
async function toApiError(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.json();
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page, say): fall back to a message of our own.
  }
  const raw = body['message'];
  let message =
    typeof raw === 'string'
      ? raw
      : Array.isArray(raw)
        ? raw.filter((part): part is string => typeof part === 'string').join('; ')
        : '';
  if (message === '') {
    message =
      FALLBACK_MESSAGES[response.status] ??
      (response.status >= 500 ? 'The server had a problem. Please try again.' : 'The request failed.');
  }
  if (response.status === 429) {
    const seconds = retryAfterSeconds(response.headers.get('retry-after'));
    if (seconds !== null) message += ` Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  }
  const requestId = typeof body['requestId'] === 'string' ? body['requestId'] : null;
  return new ApiError(response.status, message, requestId, body['details']);
}

/** Retry-After is either a number of seconds or an HTTP date. */
function retryAfterSeconds(header: string | null): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * One API call. With `auth`, a 401 means the access token expired or was revoked: refresh once and retry
 * once. If the refresh fails too, the session is over: forget it and let the app go to sign-in.
 */
async function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  const { body, auth = false, signal } = options;
  const sentWith = auth ? getAccessToken() : null;
  let response = await send(method, path, body, sentWith, signal);
  if (auth && response.status === 401) {
    // Another request may have refreshed while this one was on its way: then just use the new token.
    const current = getAccessToken();
    const renewed = (current !== null && current !== sentWith) || (await refreshSession());
    if (!renewed) {
      endSession();
      throw await toApiError(response);
    }
    response = await send(method, path, body, getAccessToken(), signal);
  }
  if (!response.ok) throw await toApiError(response);
  return (await readBody(response)) as T;
}

// ---------------------------------------------------------------------------------------------------------
// Tokens: the access token comes from the gateway's browser endpoints and goes into memory (session.ts).
// The refresh token never reaches this code: it travels in the HttpOnly cookie, set and read by the gateway.

interface TokenAnswer {
  accessToken: string;
  tokenType: string;
  expiresIn: number;
}

function isTokenAnswer(value: unknown): value is TokenAnswer {
  const answer = value as Partial<TokenAnswer> | null;
  return (
    typeof answer?.accessToken === 'string' &&
    answer.tokenType === 'Bearer' &&
    typeof answer.expiresIn === 'number' &&
    answer.expiresIn > 0
  );
}

/** Bumped whenever the session ends here, so that a refresh answering late cannot bring it back. */
let sessionGeneration = 0;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshInFlight: Promise<boolean> | null = null;
let sessionEndedHandler: (() => void) | null = null;

/** What to do when the session ends without the user asking (refresh refused): main.ts goes to sign-in. */
export function whenSessionEnds(handler: () => void): void {
  sessionEndedHandler = handler;
}

function acceptTokens(answer: unknown): void {
  if (!isTokenAnswer(answer)) throw new ApiError(0, 'The server sent an unexpected answer.');
  setAccessToken(answer.accessToken, answer.expiresIn);
  scheduleRefresh(answer.expiresIn);
}

/** Forgets the session in this tab, without telling anyone (sign-out and the end of a failed refresh). */
function forgetSession(): void {
  sessionGeneration += 1;
  clearTimeout(refreshTimer);
  clearSession();
}

/** The session is over though the user did not sign out: forget it and let the app react. */
function endSession(): void {
  forgetSession();
  sessionEndedHandler?.();
}

const REFRESH_RETRY_MS = 15_000;

/** Refresh shortly before the access token expires: a minute early, or at 80 % of a short lifetime. */
function scheduleRefresh(expiresInSeconds: number): void {
  clearTimeout(refreshTimer);
  const lead = Math.min(60, expiresInSeconds * 0.2);
  const delay = Math.min(2 ** 31 - 1, Math.max(1, expiresInSeconds - lead) * 1000);
  refreshTimer = setTimeout(refreshOnTimer, delay);
}

function refreshOnTimer(): void {
  refreshSession().then(
    (renewed) => {
      if (!renewed) endSession();
    },
    () => {
      // The network or the server failed, which says nothing about the session: try again while the token
      // still works. Once it has expired, the next API call's 401 tries once more.
      if (accessTokenLifetimeLeft() > REFRESH_RETRY_MS)
        refreshTimer = setTimeout(refreshOnTimer, REFRESH_RETRY_MS);
    },
  );
}

/**
 * Exchanges the refresh cookie for a new access token (and a new cookie). Resolves true when signed in,
 * false when there is no session (401); throws ApiError on other failures.
 *
 * The refresh token is single-use: presented twice, the server takes it for a stolen copy and revokes the
 * whole session. So calls that overlap share one request (`refreshInFlight`), and, where the browser has
 * the Web Locks API, tabs of this origin take turns (the second tab then sends the cookie the first one
 * just received).
 */
export function refreshSession(): Promise<boolean> {
  refreshInFlight ??= lockedRefresh().finally(() => {
    refreshInFlight = null;
  });
  return refreshInFlight;
}

function lockedRefresh(): Promise<boolean> {
  const locks = (navigator as Partial<Navigator>).locks;
  return locks ? locks.request('runnerly-refresh', performRefresh) : performRefresh();
}

async function performRefresh(): Promise<boolean> {
  const generation = sessionGeneration;
  const response = await send('POST', '/api/auth/browser/refresh', {}, null);
  if (response.status === 401) {
    forgetSession();
    return false;
  }
  if (!response.ok) throw await toApiError(response);
  const answer = await readBody(response);
  // Signed out while the refresh was on its way: do not bring the session back.
  if (generation !== sessionGeneration) return false;
  acceptTokens(answer);
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Signing in and out (the gateway's browser endpoints: JSON in, access token out, refresh token in the cookie)

export type SignInResult =
  { secondFactorRequired: false } | { secondFactorRequired: true; loginToken: string; expiresIn: number };

export async function signIn(email: string, password: string): Promise<SignInResult> {
  const answer = await request<Record<string, unknown>>('POST', '/api/auth/browser/login', {
    body: { email, password },
  });
  if (answer['secondFactorRequired'] === true && typeof answer['loginToken'] === 'string') {
    // The login token only proves the password step; it stays in the sign-in page's closure, in memory.
    return {
      secondFactorRequired: true,
      loginToken: answer['loginToken'],
      expiresIn: Number(answer['expiresIn']),
    };
  }
  acceptTokens(answer);
  return { secondFactorRequired: false };
}

/** The second step: a six-digit code from the authenticator app, or one of the recovery codes. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

export async function completeSecondFactor(loginToken: string, proof: SecondFactorProof): Promise<void> {
  const answer = await request<unknown>('POST', '/api/auth/browser/login/second-factor', {
    body: { loginToken, ...proof },
  });
  acceptTokens(answer);
}

/**
 * Ends the session on the server (which clears the cookie) and forgets it here. It is forgotten here even
 * when the server cannot be reached; the error is then thrown for the caller to show.
 */
export async function signOut(): Promise<void> {
  try {
    const response = await send('POST', '/api/auth/browser/logout', {}, null);
    if (!response.ok && response.status !== 401) throw await toApiError(response);
  } finally {
    forgetSession();
  }
}

/** Loads the signed-in account into session.ts (for the header's display name). */
export async function loadCurrentUser(signal?: AbortSignal): Promise<CurrentUser> {
  const user = await request<CurrentUser>('GET', '/api/users/me', { auth: true, signal });
  setCurrentUser(user);
  return user;
}

// ---------------------------------------------------------------------------------------------------------
// Sign-in with an OpenID provider. The flow itself is top-level navigations (to OIDC_START_PATH, then the
// provider, then the gateway's callback, which sets the refresh cookie): no token passes through this code.

/** Where the sign-in button sends the browser: the gateway redirects it to the provider. */
export const OIDC_START_PATH = '/api/auth/oidc/start';

export interface OidcStatus {
  enabled: boolean;
  providerName: string | null;
}

export function oidcStatus(signal?: AbortSignal): Promise<OidcStatus> {
  return request('GET', '/api/auth/oidc', { signal });
}

/**
 * Starts linking an identity at the provider to this account (the gateway keeps the binding in its cookie);
 * answers the provider's URL, where the page then navigates. Needs a recent sign-in.
 */
export async function startOidcLink(): Promise<string> {
  const { authorizationUrl } = await request<{ authorizationUrl: string }>(
    'POST',
    '/api/users/me/identities/oidc',
    {
      body: {},
      auth: true,
    },
  );
  return authorizationUrl;
}

// ---------------------------------------------------------------------------------------------------------
// Accounts without a session: sign-up and the links sent by email

export interface RegisteredAccount {
  id: string;
  email: string;
  displayName: string;
  createdAt: string;
}

export function register(email: string, password: string, displayName: string): Promise<RegisteredAccount> {
  return request('POST', '/api/auth/register', { body: { email, password, displayName } });
}

export function completeEmailVerification(token: string): Promise<void> {
  return request('POST', '/api/auth/email-verification/complete', { body: { token } });
}

export function requestPasswordReset(email: string): Promise<void> {
  return request('POST', '/api/auth/password-reset', { body: { email } });
}

export function completePasswordReset(token: string, newPassword: string): Promise<void> {
  return request('POST', '/api/auth/password-reset/complete', { body: { token, newPassword } });
}

// ---------------------------------------------------------------------------------------------------------
// Runs

export interface Run {
  id: string;
  userId: string;
  title: string;
  notes: string | null;
  distanceMeters: number;
  durationSeconds: number;
  startedAt: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewRun {
  title: string;
  distanceMeters: number;
  durationSeconds: number;
  /** ISO 8601 with a zone (`toISOString()`): the server refuses a local time it would have to guess about. */
  startedAt: string;
  notes?: string;
}

export interface RunPage {
  items: Run[];
  nextCursor: string | null;
}

export interface WeekTotals {
  /** The Monday (UTC) the week starts on, `YYYY-MM-DD`. */
  weekStart: string;
  runs: number;
  distanceMeters: number;
  durationSeconds: number;
}

export function listRuns(cursor: string | null, signal?: AbortSignal): Promise<RunPage> {
  const query = new URLSearchParams({ limit: '20' });
  if (cursor !== null) query.set('cursor', cursor);
  return request('GET', `/api/runs?${query}`, { auth: true, signal });
}

export function recordRun(run: NewRun): Promise<Run> {
  return request('POST', '/api/runs', { body: run, auth: true });
}

export function deleteRun(id: string): Promise<void> {
  return request('DELETE', `/api/runs/${encodeURIComponent(id)}`, { auth: true });
}

export async function weeklyStats(weeks: number, signal?: AbortSignal): Promise<WeekTotals[]> {
  const query = new URLSearchParams({ weeks: String(weeks) });
  const answer = await request<{ weeks: WeekTotals[] }>('GET', `/api/runs/stats/weekly?${query}`, {
    auth: true,
    signal,
  });
  return answer.weeks;
}

// ---------------------------------------------------------------------------------------------------------
// Sessions: the account's signed-in devices

export interface AccountSession {
  id: string;
  /** The User-Agent sent at sign-in, as the client chose to send it: a hint, shown as text, never trusted. */
  client: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  current: boolean;
}

export async function listSessions(signal?: AbortSignal): Promise<AccountSession[]> {
  const answer = await request<{ items: AccountSession[] }>('GET', '/api/users/me/sessions', {
    auth: true,
    signal,
  });
  return answer.items;
}

export function endAccountSession(id: string): Promise<void> {
  return request('DELETE', `/api/users/me/sessions/${encodeURIComponent(id)}`, { auth: true });
}

export function endOtherSessions(): Promise<void> {
  return request('DELETE', '/api/users/me/sessions/others', { auth: true });
}
