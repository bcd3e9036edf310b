// Sign-in, in one or two steps. The password step answers either with an access token (kept in memory by
// api.ts; the gateway puts the refresh token in its HttpOnly cookie), or, for an account with two-factor
// authentication, with a short-lived login token that only the code step accepts. That login token lives
// in this function's closure: it is never stored and never put in the URL.
import { completeSecondFactor, loadCurrentUser, signIn, type SecondFactorProof } from '../api.js';
import { el, field } from '../dom.js';
import { link, navigate, type Page, type PageContext } from '../router.js';
import { messageArea, onSubmit, type Messages } from '../ui.js';

function passwordStep(context: PageContext, messages: Messages): HTMLFormElement {
  const email = el('input', {
    test: 'email',
    attrs: { type: 'email', name: 'email', autocomplete: 'username', required: true },
  });
  const password = el('input', {
    test: 'password',
    attrs: { type: 'password', name: 'password', autocomplete: 'current-password', required: true },
  });
  const form = el(
    'form',
    { class: 'form', test: 'sign-in-form' },
    field('Email', email),
    field('Password', password),
    el('button', { test: 'submit', text: 'Sign in', attrs: { type: 'submit' } }),
  );
  onSubmit(form, context, messages, async () => {
    const result = await signIn(email.value, password.value);
    // Do not keep the password in the page longer than needed.
    password.value = '';
    if (!result.secondFactorRequired) return finishSignIn(context);
    form.replaceWith(codeStep(context, messages, result.loginToken));
    messages.notice('Enter the six-digit code from your authenticator app.');
  });
  return form;
}

function codeStep(context: PageContext, messages: Messages, loginToken: string): HTMLFormElement {
  const code = el('input', {
    test: 'code',
    attrs: {
      type: 'text',
      name: 'code',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
      pattern: '[0-9]{6}',
      maxlength: 6,
      required: true,
    },
  });
  const recoveryCode = el('input', {
    test: 'recovery-code',
    attrs: { type: 'text', name: 'recoveryCode', autocomplete: 'off', spellcheck: 'false' },
  });
  const codeField = field('Code', code);
  const recoveryField = field(
    'Recovery code',
    recoveryCode,
    'One of the codes you saved when you set up two-factor.',
  );
  recoveryField.hidden = true;

  // A phone lost: sign in with a recovery code instead (each works once).
  let useRecoveryCode = false;
  const toggle = el('button', {
    class: 'link-button',
    test: 'use-recovery-code',
    text: 'Use a recovery code instead',
    attrs: { type: 'button' },
  });
  toggle.addEventListener('click', () => {
    useRecoveryCode = !useRecoveryCode;
    codeField.hidden = useRecoveryCode;
    recoveryField.hidden = !useRecoveryCode;
    code.required = !useRecoveryCode;
    recoveryCode.required = useRecoveryCode;
    toggle.textContent = useRecoveryCode ? 'Use a code from the app instead' : 'Use a recovery code instead';
  });

  const form = el(
    'form',
    { class: 'form', test: 'second-factor-form' },
    codeField,
    recoveryField,
    el('button', { test: 'submit', text: 'Verify', attrs: { type: 'submit' } }),
    toggle,
  );
  onSubmit(form, context, messages, async () => {
    const proof: SecondFactorProof = useRecoveryCode
      ? { recoveryCode: recoveryCode.value.trim() }
      : { code: code.value.trim() };
    await completeSecondFactor(loginToken, proof);
    await finishSignIn(context);
  });
  return form;
}

async function finishSignIn(context: PageContext): Promise<void> {
  await loadCurrentUser(context.signal);
  navigate('/runs');
}

export const signInPage: Page = {
  name: 'sign-in',
  title: 'Sign in',
  access: 'signed-out',
  render(context) {
    const messages = messageArea();
    if (context.notice !== null) messages.notice(context.notice);
    context.root.append(
      el('h1', { text: 'Sign in' }),
      messages.element,
      passwordStep(context, messages),
      el(
        'p',
        { class: 'links' },
        link('/sign-up', { test: 'sign-up-link', text: 'Create an account' }),
        link('/reset-password', { test: 'forgot-password-link', text: 'Forgot your password?' }),
      ),
    );
  },
};
