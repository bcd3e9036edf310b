// The page the verification email links to. The link's token was moved out of the URL at boot
// (link-token.ts); it is sent to the server once, here.
import { completeEmailVerification } from '../api.js';
import { el } from '../dom.js';
import { link, type Page } from '../router.js';
import { isSignedIn } from '../session.js';
import { messageArea } from '../ui.js';
import { takeLinkToken } from '../link-token.js';

export const verifyEmailPage: Page = {
  name: 'verify-email',
  title: 'Verify your email',
  access: 'anyone',
  async render(context) {
    const messages = messageArea();
    const next = isSignedIn()
      ? link('/runs', { test: 'continue-link', text: 'Go to your runs' })
      : link('/sign-in', { test: 'continue-link', text: 'Sign in' });
    context.root.append(
      el('h1', { text: 'Verify your email' }),
      messages.element,
      el('p', { class: 'links' }, next),
    );

    const token = takeLinkToken();
    if (token === null || token === '') {
      messages.error(
        'This page needs the link from your email. Open the link again, or sign in to ask for a new one.',
      );
      return;
    }
    try {
      await completeEmailVerification(token);
      messages.notice('Your email address is verified. Thank you!');
    } catch (error) {
      messages.error(error);
    }
  },
};
