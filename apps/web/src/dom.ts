// Building the page with the DOM, never with HTML strings.
//
// The gateway's CSP ends with `require-trusted-types-for 'script'; trusted-types 'none'`: every API that
// parses a string as HTML or runs it as code (the HTML-parsing properties and methods, writing into the
// document, string timers, the Function constructor) throws. That is a safety net; these helpers are the
// habit that never reaches it. Text goes in through `textContent` (or a string child, which becomes a Text
// node), so a run titled `<img src=x onerror=alert(1)>` is shown as those characters and never becomes an
// element. Attributes are set one by one, and the dangerous ones are refused outright.

/** What can be a child: a node, text (a Text node, never parsed), or nothing. */
export type Child = Node | string | null | undefined | false;

export interface Props {
  /** CSS classes, space-separated. Styling is by class only: the CSP refuses inline styles. */
  class?: string;
  /** The element's whole text (set with textContent). */
  text?: string;
  /** The `data-test` hook that browser tests select on. */
  test?: string;
  /** Other attributes, as text. `style`, `on*` event handlers, `srcdoc` and URL attributes are refused. */
  attrs?: Record<string, string | number | boolean | undefined>;
}

// `style` would be blocked by the CSP anyway, handler attributes are code, `srcdoc` is HTML, and URLs must
// go through `link` (router.ts), which only accepts paths on this site.
const REFUSED_ATTRIBUTE = /^(?:on|style$|srcdoc$|href$|src$|action$|formaction$|xlink:href$)/i;

function applyProps(element: Element, props: Props): void {
  if (props.class) element.setAttribute('class', props.class);
  if (props.test) element.setAttribute('data-test', props.test);
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (REFUSED_ATTRIBUTE.test(name)) throw new Error(`dom.ts refuses to set the ${name} attribute`);
    // Boolean attributes: present when true, absent when false; undefined means "leave it out".
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  if (props.text !== undefined) element.textContent = props.text;
}

function appendChildren(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    // A string becomes a Text node: whatever it contains, it is displayed, not parsed.
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** `el('p', {class: 'notice', text: message})`, or with children: `el('li', {}, title, ' ', meta)`. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  applyProps(element, props);
  appendChildren(element, children);
  return element;
}

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/** SVG elements need their namespace: `document.createElement('rect')` would make an unknown HTML element. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NAMESPACE, tag);
  applyProps(element, props);
  appendChildren(element, children);
  return element;
}

/** A labelled form field: `<label>Text <input …></label>`, with an optional hint below the control. */
export function field(
  label: string,
  control: HTMLInputElement | HTMLTextAreaElement,
  hint?: string,
): HTMLLabelElement {
  return el(
    'label',
    { class: 'field' },
    el('span', { class: 'field-label', text: label }),
    control,
    hint ? el('span', { class: 'field-hint', text: hint }) : null,
  );
}
