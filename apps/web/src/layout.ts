// The site header: the name, and once signed in, the display name (as text: it is whatever the user typed,
// `<script>` included), the navigation and the sign-out button. Redrawn at every navigation.
import { ApiError, signOut } from './api.js';
import { el } from './dom.js';
import { link, navigate } from './router.js';
import { getCurrentUser, isSignedIn } from './session.js';

let header: HTMLElement | null = null;

function navLink(href: string, text: string, test: string): HTMLAnchorElement {
  const here = location.pathname === href;
  return link(href, { test, text, attrs: { 'aria-current': here ? 'page' : undefined } });
}

function signOutButton(): HTMLButtonElement {
  const button = el('button', {
    class: 'link-button',
    test: 'sign-out',
    text: 'Sign out',
    attrs: { type: 'button' },
  });
  button.addEventListener('click', () => {
    button.disabled = true;
    document.body.dataset['ready'] = 'false';
    // Signed out here whatever the server says (api.ts forgets the token in any case); if the server could
    // not be told, say so: the session then ends when its refresh token expires.
    signOut().then(
      () => navigate('/sign-in', { notice: 'You are signed out.' }),
      (error: unknown) => {
        const reason = error instanceof ApiError ? ` (${error.message})` : '';
        navigate('/sign-in', {
          notice: `You are signed out on this device, but the server could not be told${reason}.`,
        });
      },
    );
  });
  return button;
}

export function renderHeader(): void {
  if (header === null) {
    header = el('header', { class: 'site-header' });
    document.body.prepend(header);
  }
  const brand = link('/', { class: 'brand', test: 'brand', text: 'Runnerly' });
  if (!isSignedIn()) {
    header.replaceChildren(brand);
    return;
  }
  header.replaceChildren(
    brand,
    el(
      'nav',
      { class: 'site-nav', attrs: { 'aria-label': 'Main' } },
      navLink('/runs', 'Runs', 'nav-runs'),
      navLink('/sessions', 'Sessions', 'nav-sessions'),
    ),
    el(
      'div',
      { class: 'account' },
      el('span', { class: 'display-name', test: 'display-name', text: getCurrentUser()?.displayName ?? '' }),
      signOutButton(),
    ),
  );
}
