// History API routing: real paths (`/runs`, `/sessions`), which the gateway answers with index.html, so a
// reload or a bookmark lands on the same page. In-app links are ordinary `<a href>` (open in a new tab,
// copy the address: all work) whose plain left click is turned into `history.pushState`, and the back and
// forward buttons come back through `popstate`.
//
// Browser tests wait on two attributes of <body>: `data-ready` turns 'false' when a navigation (or an
// in-page action) starts and 'true' once the page has rendered its data, and `data-page` names the page.
import { el, type Child, type Props } from './dom.js';
import { isSignedIn } from './session.js';

export interface PageContext {
  /** The page's own container: a fresh element for every navigation. */
  readonly root: HTMLElement;
  /** Aborted when the user navigates away: pass it to API calls, check it before touching the page. */
  readonly signal: AbortSignal;
  /** A message handed over by the page that navigated here ("Account created", "Signed out"). */
  readonly notice: string | null;
  /** Marks the page rendered (`data-ready='true'`), unless the user has already moved on. */
  ready(): void;
  /** Marks an in-page action under way (`data-ready='false'`). */
  busy(): void;
}

export interface Page {
  /** The value of `document.body.dataset.page`. */
  readonly name: string;
  readonly title: string;
  /** Who may see it: the router sends signed-out visitors to sign-in and signed-in ones to their runs. */
  readonly access: 'signed-in' | 'signed-out' | 'anyone';
  render(context: PageContext): Promise<void> | void;
}

export interface RouterOptions {
  routes: Record<string, Page>;
  notFound: Page;
  /** Where pages render (`<main id="app">`). */
  outlet: HTMLElement;
  /** Called at every navigation, before the page renders (the header follows the session). */
  onNavigate(): void;
  /** Shows an error the page's own render did not handle. */
  renderError(root: HTMLElement, error: unknown): void;
}

let options: RouterOptions | null = null;
let current: AbortController | null = null;
let pendingNotice: string | null = null;

export function startRouter(routerOptions: RouterOptions): void {
  options = routerOptions;
  window.addEventListener('popstate', () => {
    pendingNotice = null;
    renderCurrentPath();
  });
  renderCurrentPath();
}

export interface NavigateOptions {
  /** Replace the current history entry instead of adding one (redirects). */
  replace?: boolean;
  notice?: string | null;
}

export function navigate(path: string, { replace = false, notice = null }: NavigateOptions = {}): void {
  pendingNotice = notice;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  renderCurrentPath();
}

/** Only paths on this site: no `javascript:` URL, no other origin (`//host`), nothing to check twice. */
function isSitePath(href: string): boolean {
  return href.startsWith('/') && !href.startsWith('//') && !href.startsWith('/\\');
}

/** An in-app link: a real `<a href>`, whose plain left click navigates without reloading the page. */
export function link(href: string, props: Props = {}, ...children: Child[]): HTMLAnchorElement {
  if (!isSitePath(href)) throw new Error(`link() only takes paths on this site, not ${href}`);
  const anchor = el('a', props, ...children);
  anchor.href = href;
  anchor.addEventListener('click', (event) => {
    // Let the browser handle new-tab and new-window clicks (middle button, modifier keys).
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (`${location.pathname}${location.search}` !== href) navigate(href);
  });
  return anchor;
}

function setReady(ready: boolean, pageName?: string): void {
  if (pageName !== undefined) document.body.dataset['page'] = pageName;
  document.body.dataset['ready'] = String(ready);
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

function renderCurrentPath(): void {
  if (options === null) throw new Error('startRouter() was not called');
  const { routes, notFound, outlet, onNavigate, renderError } = options;
  const notice = pendingNotice;
  pendingNotice = null;

  // Whatever the previous page was still loading is abandoned: its requests are cancelled and its late
  // answers cannot write into this page or mark it ready.
  current?.abort();
  const controller = new AbortController();
  current = controller;
  setReady(false);

  const path = location.pathname;
  if (path === '/') return navigate(isSignedIn() ? '/runs' : '/sign-in', { replace: true, notice });
  const page = Object.hasOwn(routes, path) ? routes[path] : notFound;
  if (page.access === 'signed-in' && !isSignedIn()) return navigate('/sign-in', { replace: true, notice });
  if (page.access === 'signed-out' && isSignedIn()) return navigate('/runs', { replace: true, notice });

  document.title = `${page.title} · Runnerly`;
  onNavigate();
  const root = el('div', { class: `page page-${page.name}` });
  outlet.replaceChildren(root);

  const context: PageContext = {
    root,
    signal: controller.signal,
    notice,
    ready: () => {
      if (!controller.signal.aborted) setReady(true, page.name);
    },
    busy: () => {
      if (!controller.signal.aborted) setReady(false);
    },
  };
  Promise.resolve()
    .then(() => page.render(context))
    .catch((error: unknown) => {
      if (!controller.signal.aborted && !isAbort(error)) renderError(root, error);
    })
    .finally(() => context.ready())
    .catch(reportError);
}
