// Small pieces every page uses: a message box (errors and notices, always as text) and the way a form or
// button runs its work (no double submission, `data-ready` for tests, errors shown instead of lost).
import { ApiError } from './api.js';
import { el } from './dom.js';
import type { PageContext } from './router.js';

export interface Messages {
  readonly element: HTMLElement;
  /** Shows an error: an ApiError's message, a string as given, anything else as a generic message. */
  error(error: unknown): void;
  notice(text: string): void;
  clear(): void;
}

/** Where a page says what happened. One message at a time; a new one replaces the last. */
export function messageArea(): Messages {
  const element = el('div', { class: 'messages' });
  return {
    element,
    error(error: unknown) {
      if (error instanceof DOMException && error.name === 'AbortError') return;
      // The server's message is shown as text, whatever it contains (it may echo what the user typed).
      const text =
        typeof error === 'string'
          ? error
          : error instanceof ApiError
            ? error.message
            : 'Something went wrong. Please try again.';
      const box = el('p', { class: 'error', test: 'error', text, attrs: { role: 'alert' } });
      if (error instanceof ApiError && error.requestId) box.dataset['requestId'] = error.requestId;
      element.replaceChildren(box);
      // A bug, not an answer from the server: let the browser's console show it.
      if (typeof error !== 'string' && !(error instanceof ApiError)) reportError(error);
    },
    notice(text: string) {
      element.replaceChildren(el('p', { class: 'notice', test: 'notice', text, attrs: { role: 'status' } }));
    },
    clear() {
      element.replaceChildren();
    },
  };
}

/**
 * Runs `work` for a button or a form: clears the last message, disables the buttons until it is done (a
 * second click would send a single-use code twice), and shows the error if it fails.
 */
export function runAction(
  context: PageContext,
  messages: Messages,
  control: HTMLFormElement | HTMLButtonElement,
  work: () => Promise<void>,
): void {
  const buttons = control instanceof HTMLFormElement ? [...control.querySelectorAll('button')] : [control];
  if (buttons.some((button) => button.disabled)) return;
  messages.clear();
  context.busy();
  for (const button of buttons) button.disabled = true;
  work()
    .catch((error: unknown) => messages.error(error))
    .finally(() => {
      for (const button of buttons) button.disabled = false;
      context.ready();
    })
    .catch(reportError);
}

/** Submits a form through `runAction` instead of letting the browser post it. */
export function onSubmit(
  form: HTMLFormElement,
  context: PageContext,
  messages: Messages,
  work: () => Promise<void>,
): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    runAction(context, messages, form, work);
  });
}
