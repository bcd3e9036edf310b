// The token in an email link (`/verify-email#token=…`, `/reset-password#token=…`).
//
// It is in the fragment, not the query string, because browsers never send the fragment to any server:
// not to ours (no access log holds it), not to a proxy, not in a Referer header. It is still in the address
// bar and the history, though, so it is read once, as the very first thing the app does, and removed from
// the URL with history.replaceState. The page that needs it takes it from here, once.

const PAGES_WITH_LINK_TOKENS = ['/verify-email', '/reset-password'];

let captured: string | null = null;

/** Called first thing at boot: moves a `#token=…` out of the URL into memory (for the pages that use one). */
export function captureLinkToken(): void {
  if (!location.hash.includes('token=')) return;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (PAGES_WITH_LINK_TOKENS.includes(location.pathname)) captured = token;
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
}

/** The captured token, handed over once: a second call returns null. */
export function takeLinkToken(): string | null {
  const value = captured;
  captured = null;
  return value;
}
