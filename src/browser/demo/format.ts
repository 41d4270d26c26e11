/**
 * How the demo page prints things: terms as Erlang users expect (formatTerm), errors plainly
 * (`badrpc: nodedown`, `badrpc: ['EXIT', …]`, an ErlmeshError by its code), node kinds.
 */
import { BadRpcError, ErlmeshError, formatTerm } from '../index.js';

export { formatTerm };

/** Terms in the page: one line, bounded. */
export function show(term: unknown): string {
  return formatTerm(term, { maxDepth: 6, maxLength: 30 });
}

/** A string argument as it appears in a call: `'weather'`. */
export function quoted(s: string): string {
  return formatTerm(s);
}

export interface ShownError {
  /** The short, plain form: `badrpc: nodedown`, `badarg`, … */
  text: string;
  /** The longer explanation, when there is one. */
  detail?: string;
}

/** An error as the page shows it. */
export function describeError(e: unknown): ShownError {
  if (e instanceof BadRpcError) {
    const r = e.reason;
    return { text: `badrpc: ${typeof r === 'string' ? r : show(r)}` };
  }
  if (e instanceof ErlmeshError) {
    return { text: e.code, detail: e.message && e.message !== e.code ? e.message : undefined };
  }
  if (e instanceof Error) return { text: e.name || 'Error', detail: e.message };
  return { text: show(e) };
}

export type NodeKind = 'this' | 'server' | 'tab';

/** Tab-nodes have generated names `tab-<random>@host`; everything else is a server-node. */
export function nodeKind(name: string, self: string): NodeKind {
  if (name === self) return 'this';
  return name.startsWith('tab-') ? 'tab' : 'server';
}

export const KIND_LABEL: Record<NodeKind, string> = { this: 'this tab', server: 'server', tab: 'tab' };

/** `14:03:27` */
export function clockTime(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}
