// The account's sessions: one per signed-in device or browser. Ending one revokes its refresh token, so
// that device is signed out when its access token next expires (within minutes). The `client` string is
// the User-Agent that device sent: anyone can send anything there, so it is shown as text, nothing more.
import {
  endAccountSession,
  endOtherSessions,
  listSessions,
  oidcStatus,
  startOidcLink,
  type AccountSession,
} from '../api.js';
import { el } from '../dom.js';
import { formatDateTime } from '../format.js';
import type { Page, PageContext } from '../router.js';
import { messageArea, runAction, type Messages } from '../ui.js';

function sessionItem(
  session: AccountSession,
  context: PageContext,
  messages: Messages,
  reload: () => Promise<void>,
): HTMLLIElement {
  const details = [
    `Signed in ${formatDateTime(session.createdAt)}`,
    `last used ${formatDateTime(session.lastUsedAt)}`,
    `expires ${formatDateTime(session.expiresAt)}`,
  ].join(' · ');
  let revoke: HTMLButtonElement | null = null;
  if (!session.current) {
    const button = el('button', {
      class: 'danger',
      test: 'revoke-session',
      text: 'Sign out',
      attrs: { type: 'button' },
    });
    button.addEventListener('click', () =>
      runAction(context, messages, button, async () => {
        await endAccountSession(session.id);
        await reload();
        messages.notice('That session is signed out.');
      }),
    );
    revoke = button;
  }
  return el(
    'li',
    {
      class: session.current ? 'session-item current' : 'session-item',
      test: 'session-item',
      attrs: { 'data-session-id': session.id, 'data-current': String(session.current) },
    },
    el(
      'div',
      { class: 'session-main' },
      el(
        'p',
        { class: 'session-client' },
        el('span', { test: 'session-client', text: session.client ?? 'Unknown device' }),
        // The session this page is using: signing it out is the header's "Sign out".
        session.current ? el('span', { class: 'badge', test: 'current-session', text: 'This device' }) : null,
      ),
      el('p', { class: 'session-meta', test: 'session-meta', text: details }),
    ),
    revoke,
  );
}

export const sessionsPage: Page = {
  name: 'sessions',
  title: 'Sessions',
  access: 'signed-in',
  async render(context) {
    const messages = messageArea();
    const list = el('ul', { class: 'session-list', test: 'session-list' });
    const revokeOthers = el('button', {
      class: 'danger',
      test: 'revoke-others',
      text: 'Sign out everywhere else',
      attrs: { type: 'button' },
    });

    const reload = async () => {
      const sessions = await listSessions(context.signal);
      list.replaceChildren(...sessions.map((session) => sessionItem(session, context, messages, reload)));
    };
    revokeOthers.addEventListener('click', () =>
      runAction(context, messages, revokeOthers, async () => {
        await endOtherSessions();
        await reload();
        messages.notice('Every other session is signed out.');
      }),
    );

    // With an OpenID provider configured: link an identity there to this account, so that it signs in here too.
    const linkSlot = el('p', { class: 'oidc' });
    oidcStatus(context.signal)
      .then((status) => {
        if (!status.enabled || status.providerName === null) return;
        const linkButton = el('button', {
          test: 'oidc-link',
          text: `Link your ${status.providerName} account`,
          attrs: { type: 'button' },
        });
        linkButton.addEventListener('click', () =>
          runAction(context, messages, linkButton, async () => {
            // The provider's address comes from our own API, over our own origin.
            location.assign(await startOidcLink());
          }),
        );
        linkSlot.replaceChildren(linkButton);
      })
      .catch(() => undefined);

    context.root.append(
      el('h1', { text: 'Sessions' }),
      el('p', {
        class: 'lead',
        text: 'Where your account is signed in. Sign out any device you do not recognise, then change your password.',
      }),
      messages.element,
      list,
      el('p', {}, revokeOthers),
      linkSlot,
    );
    await reload();
  },
};
