// Two steps on one page. Without a token: ask for a reset link by email (the answer is the same whether or
// not the address has an account, so this form cannot be used to find out who is registered). With the
// token from that email's link (moved out of the URL at boot, link-token.ts): choose a new password.
import { completePasswordReset, requestPasswordReset } from '../api.js';
import { el, field } from '../dom.js';
import { link, navigate, type Page, type PageContext } from '../router.js';
import { takeLinkToken } from '../link-token.js';
import { messageArea, onSubmit, type Messages } from '../ui.js';

function requestForm(context: PageContext, messages: Messages): HTMLFormElement {
  const email = el('input', {
    test: 'email',
    attrs: { type: 'email', name: 'email', autocomplete: 'email', required: true },
  });
  const form = el(
    'form',
    { class: 'form', test: 'forgot-password-form' },
    field('Email', email),
    el('button', { test: 'submit', text: 'Send me a reset link', attrs: { type: 'submit' } }),
  );
  onSubmit(form, context, messages, async () => {
    await requestPasswordReset(email.value);
    form.reset();
    messages.notice(
      'If an account uses that address, we sent it a link to reset the password. Check your mail.',
    );
  });
  return form;
}

function newPasswordForm(context: PageContext, messages: Messages, token: string): HTMLFormElement {
  const password = el('input', {
    test: 'new-password',
    attrs: { type: 'password', name: 'newPassword', autocomplete: 'new-password', required: true },
  });
  const form = el(
    'form',
    { class: 'form', test: 'reset-password-form' },
    field('New password', password, 'At least 12 characters. A long passphrase is best.'),
    el('button', { test: 'submit', text: 'Change password', attrs: { type: 'submit' } }),
  );
  onSubmit(form, context, messages, async () => {
    await completePasswordReset(token, password.value);
    navigate('/sign-in', { notice: 'Your password is changed. Sign in with the new one.' });
  });
  return form;
}

export const resetPasswordPage: Page = {
  name: 'reset-password',
  title: 'Reset your password',
  access: 'anyone',
  render(context) {
    const messages = messageArea();
    const token = takeLinkToken();
    const withToken = token !== null && token !== '';
    context.root.append(
      el('h1', { text: withToken ? 'Choose a new password' : 'Forgot your password?' }),
      messages.element,
      withToken ? newPasswordForm(context, messages, token) : requestForm(context, messages),
      el('p', { class: 'links' }, link('/sign-in', { test: 'sign-in-link', text: 'Back to sign-in' })),
    );
  },
};
