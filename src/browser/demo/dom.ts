/**
 * A tiny DOM helper for the demo page: `h('button', { class: 'btn', onclick }, 'Store')`.
 * Attributes are set with setAttribute (so `for`, `aria-*` and `data-testid` work as
 * written); `on<event>` keys with a function value become listeners; text children are
 * text nodes (never parsed as HTML).
 */
type Child = Node | string | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((ev: Event) => void);

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, AttrValue> | null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false && v !== null && v !== undefined) el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
}

let ids = 0;
/** A unique element id, for label/input pairs. */
export function uid(prefix: string): string {
  return `${prefix}-${++ids}`;
}

/** A labelled form control: `<div class="field"><label for=id>text</label>control</div>`. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLDivElement {
  if (!control.id) control.id = uid('f');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('span', { class: 'hint' }, hint) : null);
}

/** A panel: a titled section; `body` goes under the heading. */
export function panel(id: string, title: string, subtitle: string | null, ...body: Child[]): HTMLElement {
  const headingId = `${id}-title`;
  return h(
    'section',
    { class: `panel panel-${id}`, 'aria-labelledby': headingId, 'data-testid': `${id}-panel` },
    h('header', { class: 'panel-head' }, h('h2', { id: headingId }, title), subtitle ? h('p', { class: 'panel-sub' }, subtitle) : null),
    ...body,
  );
}
