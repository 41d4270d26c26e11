/**
 * A `<select>` of the nodes this tab knows (itself included). The chosen node stays chosen
 * when it goes down, marked "(down)", so calls to it show what Erlang would say.
 */
import { h } from './dom.js';
import { KIND_LABEL } from './format.js';
import type { NodeDirectory } from './node-directory.js';

export class NodePicker {
  readonly select: HTMLSelectElement;

  constructor(
    private readonly dir: NodeDirectory,
    testid: string,
    initial: string,
  ) {
    this.select = h('select', { 'data-testid': testid });
    this.render(initial);
    dir.subscribe(() => this.render(this.select.value || initial));
  }

  get value(): string {
    return this.select.value;
  }

  private render(chosen: string): void {
    const opts = this.dir.list().map((n) =>
      h('option', { value: n.name }, `${n.name} — ${KIND_LABEL[n.kind]}${n.hidden ? ', hidden' : ''}`),
    );
    if (chosen && !this.dir.has(chosen)) opts.push(h('option', { value: chosen }, `${chosen} (down)`));
    this.select.replaceChildren(...opts);
    this.select.value = chosen && opts.some((o) => o.value === chosen) ? chosen : this.dir.self;
  }
}
