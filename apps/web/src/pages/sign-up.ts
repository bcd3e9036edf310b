// Creating an account. The password policy (12 characters at least, not a known-breached password, …) is
// the server's: this page does not guess at it, it shows the server's message, as text.
import { register } from '../api.js';
import { el, field } from '../dom.js';
import { link, navigate, type Page } from '../router.js';
import { messageArea, onSubmit } from '../ui.js';

export const signUpPage: Page = {
  name: 'sign-up',
  title: 'Create an account',
  access: 'signed-out',
  render(context) {
    const messages = messageArea();
    const displayName = el('input', {
      test: 'display-name-input',
      attrs: { type: 'text', name: 'displayName', autocomplete: 'nickname', required: true },
    });
    const email = el('input', {
      test: 'email',
      attrs: { type: 'email', name: 'email', autocomplete: 'email', required: true },
    });
    const password = el('input', {
      test: 'password',
      attrs: { type: 'password', name: 'password', autocomplete: 'new-password', required: true },
    });
    const form = el(
      'form',
      { class: 'form', test: 'sign-up-form' },
      field('Display name', displayName, 'Shown to you in the header.'),
      field('Email', email),
      field('Password', password, 'At least 12 characters. A long passphrase is best.'),
      el('button', { test: 'submit', text: 'Create account', attrs: { type: 'submit' } }),
    );
    onSubmit(form, context, messages, async () => {
      const account = await register(email.value, password.value, displayName.value);
      navigate('/sign-in', {
        notice: `Account created. We sent an email to ${account.email}: open its link to verify your address, then sign in.`,
      });
    });
    context.root.append(
      el('h1', { text: 'Create an account' }),
      messages.element,
      form,
      el(
        'p',
        { class: 'links' },
        link('/sign-in', { test: 'sign-in-link', text: 'Already registered? Sign in' }),
      ),
    );
  },
};
