/**
 * The cluster graph: nodes on a circle (the observer's own node in the top-left corner, out
 * of the way of the lines between the others: in the middle it hid every edge between two
 * opposite nodes), a line per connection, thicker the busier it is, labelled with its rate
 * (frames a second both ways, rates.ts) while it carries any; the observer's own (dashed)
 * lines carry its polling, so their rate is only in their tooltip.
 */
import { formatRate, type EdgeRate } from './rates.js';

const SVG = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface GraphNode {
  name: string;
  kind: string;
  self: boolean;
}

/** A line's width for `rate`: 1.5 idle, growing with the logarithm of the rate, at most 7. */
function width(rate: EdgeRate | undefined): number {
  const v = rate ? (rate.unit === 'bytes' ? rate.perSecond / 100 : rate.perSecond) : 0;
  return Math.min(7, 1.5 + 1.4 * Math.log10(1 + v));
}

export function renderGraph(svg: SVGSVGElement, nodes: GraphNode[], edges: Array<{ a: string; b: string; rate?: EdgeRate }>, selected: string | undefined, select: (n: string) => void): void {
  const W = 360;
  const H = 260;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const others = nodes.filter((n) => !n.self);
  const pos = new Map<string, [number, number]>();
  const r = Math.min(W, H) / 2 - 34;
  others.forEach((n, i) => {
    const a = (2 * Math.PI * i) / Math.max(others.length, 1) - Math.PI / 2;
    pos.set(n.name, [W / 2 + r * 1.25 * Math.cos(a), H / 2 + r * Math.sin(a)]);
  });
  for (const n of nodes) if (n.self) pos.set(n.name, [30, 18]);
  const self = nodes.find((n) => n.self)?.name;
  const parts: SVGElement[] = [];
  const labels: SVGElement[] = [];
  for (const e of edges) {
    const p = pos.get(e.a);
    const q = pos.get(e.b);
    if (!p || !q) continue;
    const observerEdge = e.a === self || e.b === self;
    const key = `${e.a} ${e.b}`;
    const line = el('line', { x1: p[0], y1: p[1], x2: q[0], y2: q[1], class: observerEdge ? 'edge edge-observer' : 'edge', 'data-edge': key, style: `stroke-width: ${width(e.rate).toFixed(2)}` });
    parts.push(line);
    if (!e.rate) continue;
    const text = formatRate(e.rate);
    line.append(el('title', {}, `${e.a} – ${e.b} via ${e.rate.via}: ${text}`));
    // The observer's own edges carry its polling: their rate is in the tooltip, not on the graph.
    if (observerEdge || e.rate.perSecond < 0.05) continue;
    const attrs = { x: (p[0] + q[0]) / 2, y: (p[1] + q[1]) / 2 - 3, 'text-anchor': 'middle', class: 'edge-rate' };
    labels.push(el('text', { ...attrs, 'data-testid': 'edge-rate', 'data-edge': key, 'data-rate': e.rate.perSecond.toFixed(2), 'data-via': e.rate.via }, text));
  }
  parts.push(...labels);
  for (const n of nodes) {
    const [x, y] = pos.get(n.name)!;
    const g = el('g', { class: `gnode gnode-${n.kind}${n.name === selected ? ' selected' : ''}`, 'data-node': n.name, tabindex: 0 });
    g.addEventListener('click', () => select(n.name));
    g.append(el('circle', { cx: x, cy: y, r: n.self ? 9 : 12 }), el('text', { x, y: y + 26, 'text-anchor': 'middle' }, n.name.split('@')[0]!));
    parts.push(g);
  }
  svg.replaceChildren(...parts);
}
