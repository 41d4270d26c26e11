/**
 * The cluster graph: nodes on a circle (the observer's own node in the top-left corner, out
 * of the way of the lines between the others: in the middle it hid every edge between two
 * opposite nodes), a line per
 * connection. No message rates: erlmesh does not count frames per connection (it would cost
 * every frame), so the edges show that two nodes are connected, not how busy the link is.
 */
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

export function renderGraph(svg: SVGSVGElement, nodes: GraphNode[], edges: Array<{ a: string; b: string }>, selected: string | undefined, select: (n: string) => void): void {
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
  for (const e of edges) {
    const p = pos.get(e.a);
    const q = pos.get(e.b);
    if (!p || !q) continue;
    const observerEdge = e.a === self || e.b === self;
    parts.push(el('line', { x1: p[0], y1: p[1], x2: q[0], y2: q[1], class: observerEdge ? 'edge edge-observer' : 'edge', 'data-edge': `${e.a} ${e.b}` }));
  }
  for (const n of nodes) {
    const [x, y] = pos.get(n.name)!;
    const g = el('g', { class: `gnode gnode-${n.kind}${n.name === selected ? ' selected' : ''}`, 'data-node': n.name, tabindex: 0 });
    g.addEventListener('click', () => select(n.name));
    g.append(el('circle', { cx: x, cy: y, r: n.self ? 9 : 12 }), el('text', { x, y: y + 26, 'text-anchor': 'middle' }, n.name.split('@')[0]!));
    parts.push(g);
  }
  svg.replaceChildren(...parts);
}
