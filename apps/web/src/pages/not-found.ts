import { el } from '../dom.js';
import { link, type Page } from '../router.js';

export const notFoundPage: Page = {
  name: 'not-found',
  title: 'Not found',
  access: 'anyone',
  render(context) {
    context.root.append(
      el('h1', { text: 'Page not found' }),
      el('p', {}, 'There is nothing at this address. ', link('/', { test: 'home-link', text: 'Go home' })),
    );
  },
};
