// Sign-in, in one or two steps. The password step answers either with an access token (kept in memory by
// api.ts; the gateway puts the refresh token in its HttpOnly cookie), or, for an account with two-factor
// authentication, with a short-lived login token that only the code step accepts. That login token lives
// in this function's closure: it is never stored and never put in the URL.
//
// With an OpenID provider configured, a button sends the browser to the provider (a top-level navigation);
// a failed sign-in there comes back here as `/sign-in#error=<code>`, shown as text and removed from the URL.
import {
  completeSecondFactor,
  loadCurrentUser,
  OIDC_START_PATH,
  oidcStatus,
  signIn,
  type SecondFactorProof,
} from '../api.js';
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

/** What a failed sign-in at the provider came back with: only our own codes, each with its own words. */
const OIDC_ERRORS: Readonly<Record<string, string>> = {
  'AUTH.OIDC_FAILED': 'The sign-in with the provider did not complete. Please try again.',
  'AUTH.OIDC_LINK_REQUIRED':
    'No Runnerly account is linked to that identity yet. Sign in with your password; you can link it afterwards.',
  'AUTH.OIDC_SECOND_FACTOR_ACCOUNT':
    'This account uses two-factor authentication: sign in with your password and your code.',
  'SERVICE.UNAVAILABLE': 'The sign-in provider cannot be reached right now. Please try again later.',
};

/** Takes `#error=<code>` out of the URL (history.replaceState) and answers the message to show, if any. */
function takeOidcError(): string | null {
  if (!location.hash.startsWith('#error=')) return null;
  const code = new URLSearchParams(location.hash.slice(1)).get('error') ?? '';
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return OIDC_ERRORS[code] ?? 'The sign-in with the provider failed. Please try again.';
}

/** The "Sign in with <provider>" button, once the gateway says a provider is configured. */
function oidcButton(context: PageContext, slot: HTMLElement): void {
  oidcStatus(context.signal)
    .then((status) => {
      if (!status.enabled || status.providerName === null) return;
      const button = el('button', {
        test: 'oidc-sign-in',
        text: `Sign in with ${status.providerName}`,
        attrs: { type: 'button' },
      });
      // A real navigation, not the router's: the gateway answers with a redirect to the provider.
      button.addEventListener('click', () => location.assign(OIDC_START_PATH));
      slot.replaceChildren(button);
    })
    // No provider, or the API is down: the password form is still there.
    .catch(() => undefined);
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
    const oidcError = takeOidcError();
    if (oidcError !== null) messages.error(oidcError);
    const oidcSlot = el('div', { class: 'oidc' });
    oidcButton(context, oidcSlot);
    context.root.append(
      el('h1', { text: 'Sign in' }),
      messages.element,
      passwordStep(context, messages),
      oidcSlot,
      el(
        'p',
        { class: 'links' },
        link('/sign-up', { test: 'sign-up-link', text: 'Create an account' }),
        link('/reset-password', { test: 'forgot-password-link', text: 'Forgot your password?' }),
      ),
    );
  },
};
