// The entry point, loaded by index.html's one script tag (`<script type="module" nonce=…>`). Under
// `script-src 'nonce-…' 'strict-dynamic'` that nonce is what lets this module run, and 'strict-dynamic'
// extends the trust to the modules it imports (each a file of this app, from /assets/). Nothing else runs:
// no inline script, no handler attribute, no third-party script.
//
// Boot order matters:
// 1. take any email-link token out of the URL (link-token.ts), before anything else can read or log it;
// 2. ask the gateway whether this browser has a session (refresh: the HttpOnly cookie decides);
// 3. start the router, which renders the page for the current path.
import { ApiError, loadCurrentUser, refreshSession, whenSessionEnds } from './api.js';
import { el } from './dom.js';
import { renderHeader } from './layout.js';
import { captureLinkToken } from './link-token.js';
import { notFoundPage } from './pages/not-found.js';
import { resetPasswordPage } from './pages/reset-password.js';
import { runsPage } from './pages/runs.js';
import { sessionsPage } from './pages/sessions.js';
import { signInPage } from './pages/sign-in.js';
import { signUpPage } from './pages/sign-up.js';
import { verifyEmailPage } from './pages/verify-email.js';
import { navigate, startRouter, type Page } from './router.js';
import { messageArea } from './ui.js';

const routes: Record<string, Page> = {
  '/sign-in': signInPage,
  '/sign-up': signUpPage,
  '/runs': runsPage,
  '/sessions': sessionsPage,
  '/verify-email': verifyEmailPage,
  '/reset-password': resetPasswordPage,
};

function showError(root: HTMLElement, error: unknown): void {
  const messages = messageArea();
  messages.error(error);
  root.append(messages.element);
}

async function boot(): Promise<void> {
  captureLinkToken();
  document.body.dataset['ready'] = 'false';
  const outlet = document.getElementById('app');
  if (outlet === null) throw new Error('index.html has no <main id="app">');

  // A session that ends by itself (its refresh refused: revoked elsewhere, expired, reused) leads here.
  whenSessionEnds(() =>
    navigate('/sign-in', { replace: true, notice: 'Your session has ended. Please sign in again.' }),
  );

  let bootError: unknown = null;
  try {
    if (await refreshSession()) await loadCurrentUser();
  } catch (error) {
    // The server could not be asked (offline, 5xx, 429): carry on signed out and say why.
    bootError = error;
  }

  startRouter({ routes, notFound: notFoundPage, outlet, onNavigate: renderHeader, renderError: showError });
  // An email link opened in a tab already on its page changes only the fragment: no reload, so no boot.
  window.addEventListener('hashchange', () => {
    if (!location.hash.includes('token=')) return;
    captureLinkToken();
    navigate(location.pathname, { replace: true });
  });
  if (bootError !== null) {
    const notice = bootError instanceof ApiError ? bootError.message : 'The app could not start properly.';
    outlet.prepend(el('p', { class: 'error', test: 'error', text: notice, attrs: { role: 'alert' } }));
  }
}

boot().catch((error: unknown) => {
  document
    .getElementById('app')
    ?.replaceChildren(
      el('p', { class: 'error', test: 'error', text: 'Runnerly could not start. Please reload the page.' }),
    );
  reportError(error);
});
