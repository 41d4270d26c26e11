/**
 * `Tab`: a browser tab running a tab-node, driven from the test (Node side).
 *
 * The node lives in the page (`window.node`); the test reaches it through `evaluate` and the
 * helpers below. Values cross the page boundary as erlmesh terms (encodeTerm / decodeTerm),
 * so a `Pid` returned from the page is a real `Pid` in the test and can be sent to from a
 * server-node, and vice versa.
 */
import type { BrowserContext, Page } from '@playwright/test';
import type { Node } from '../core/node/node.js';
import type { Pid } from '../core/terms/pid.js';
import type { NodeEvent } from '../core/net/node-events.js';
import { decodeTerm, encodeTerm } from '../core/codec/superjson.js';
import { formatTerm } from '../core/terms/format.js';
import type { ErlmeshGlobal, WireError, WireResult } from '../browser/harness/api.js';

/** How often page-side waits look again. */
const POLL_MS = 20;
const DEFAULT_WAIT_MS = 5_000;

/**
 * What `waitForMessage` looks for: a pattern (a term; arrays match element by element,
 * plain objects match the keys they name, `ANY` matches anything, pids/refs by `equals`,
 * other values by equality), or a predicate `(msg, erlmesh) => boolean` that runs in the
 * page (self-contained: it cannot use the test's variables).
 *
 * @example
 * await tab.waitForMessage('probe', ['hello', ANY]);
 * await tab.waitForMessage('probe', (m, erlmesh) => Array.isArray(m) && m[1] instanceof erlmesh.Pid);
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a predicate inspects arbitrary terms
export type MessageMatcher = ((msg: any, erlmesh: ErlmeshGlobal) => unknown) | MessagePattern;
/**
 * A term to match messages against (see `MessageMatcher`).
 *
 * @example
 * const pattern: MessagePattern = ['EXIT', ANY, 'noconnection'];
 * await tab.waitForMessage('probe', pattern);
 */
export type MessagePattern = unknown;

/**
 * Bounds of a wait: `timeoutMs` (default 5 000), and `from`, the index to look from (default
 * 0: everything recorded).
 *
 * @example
 * const from = (await tab.messages('probe')).length;
 * await tab.waitForMessage('probe', 'again', { timeoutMs: 10_000, from });
 */
export interface WaitOptions {
  timeoutMs?: number;
  from?: number;
}

/**
 * A node event seen by a tab-node, with the page's `Date.now()` when it was seen.
 *
 * @example
 * const seen: SeenNodeEvent = await tab.waitForNodeEvent('nodedown', 'srv@erlmesh');
 * console.log(seen.event, new Date(seen.at));
 */
export interface SeenNodeEvent {
  event: NodeEvent;
  at: number;
}

/**
 * An error thrown in the page, rebuilt in the test: `code` (ErlmeshError), `reason` (BadRpcError).
 *
 * @example
 * const e = (await tab.rpc('nobody@erlmesh', 'kvs', 'lookup', ['k']).catch((e) => e)) as TabError;
 * expect(e.reason).toBe('nodedown');
 */
export interface TabError extends Error {
  code?: string;
  reason?: unknown;
}

/**
 * Rebuild a page-side error in the test process. `here` (made where the test called in)
 * supplies the test-side stack; the page's stack follows it.
 */
export function fromWireError(w: WireError, context: string, here: Error = new Error()): TabError {
  const e = here as TabError;
  e.message = `${context}: ${w.message}`;
  e.name = w.name;
  if (w.code !== undefined) e.code = w.code;
  if (w.reason !== undefined) e.reason = decodeTerm(w.reason);
  const testSide = (here.stack ?? '').split('\n').slice(1).join('\n');
  const pageSide = (w.stack ?? '').split('\n').slice(1).join('\n');
  e.stack = `${e.name}: ${e.message}\n${testSide}${pageSide ? `\n    --- in the page ---\n${pageSide}` : ''}`;
  return e;
}

function unwrap(r: WireResult, context: string, here: Error): unknown {
  if (r.ok) return decodeTerm(r.value);
  throw fromWireError(r.error, context, here);
}

/** Term text as Erlang-like text, for messages. */
function show(text: string): string {
  try {
    return formatTerm(decodeTerm(text));
  } catch {
    return text;
  }
}

/** A function's source, for running it in the page. */
function sourceOf(fn: (...args: never[]) => unknown): string {
  const s = fn.toString();
  // Arrow functions and function expressions are expressions already; ask the parser rather
  // than guess (`async (a, b) => …` looks like a method named `async`).
  try {
    new Function(`return (${s});`);
    return s;
  } catch {
    // A method shorthand (`f(node) { … }`, `async f(node) { … }`) is not an expression; make it one.
    return s.startsWith('async') ? `async function ${s.slice(5).trimStart()}` : `function ${s}`;
  }
}

/**
 * A tab-node in a browser page, as `cluster.tab()` resolves it.
 *
 * @example
 * const tab: Tab = await cluster.tab();
 * expect(await tab.ping('srv@erlmesh')).toBe('pong');
 * await tab.close();
 */
export class Tab {
  /** The tab-node's name, e.g. `tab-k3x9q2@erlmesh`. */
  readonly name: string;
  /** The Playwright page of this tab. */
  readonly page: Page;
  /** The browser context the page lives in. */
  readonly context: BrowserContext;
  private closing: Promise<void> | undefined;

  /** @internal made by `cluster.tab()` */
  constructor(page: Page, context: BrowserContext, name: string) {
    this.page = page;
    this.context = context;
    this.name = name;
  }

  /** True once `close()` was called or the page closed. */
  get closed(): boolean {
    return this.closing !== undefined || this.page.isClosed();
  }

  /**
   * Run `fn(node, arg, erlmesh)` in the page, with the tab's node and the browser entry;
   * resolves with its (awaited) result. `fn` must be self-contained (it is shipped as
   * source); `arg` and the result are terms. A throw in the page rejects here with the
   * same `name`, `message`, `code` (ErlmeshError) and `reason` (BadRpcError).
   *
   * @example
   * const pid = await tab.evaluate((node) => node.spawn(async (self) => { await self.receive(); }));
   * const n = await tab.evaluate((node, key) => node.rpc.call('srv@erlmesh', 'kvs', 'lookup', [key]), 'weather');
   */
  evaluate<R, A = undefined>(fn: (node: Node, arg: A, erlmesh: ErlmeshGlobal) => R | Promise<R>, arg?: A): Promise<Awaited<R>> {
    return this.run(fn, arg, 'evaluate', new Error());
  }

  private async run<R, A>(fn: (node: Node, arg: A, erlmesh: ErlmeshGlobal) => R | Promise<R>, arg: A | undefined, what: string, here: Error): Promise<Awaited<R>> {
    const argText = arg === undefined ? undefined : encodeTerm(arg);
    const r = await this.page.evaluate(([src, a]) => window.erlmeshHarness.run(src, a), [sourceOf(fn), argText] as const);
    return unwrap(r, `${this.name}: ${what}`, here) as Awaited<R>;
  }

  /** `node.rpc.call(node, module, fun, args, timeoutMs?)` from this tab. Rejects with `code` 'badrpc' and `reason`. */
  rpc(node: string, module: string, fun: string, args: unknown[] = [], timeoutMs?: number): Promise<unknown> {
    return this.run(
      (n, [to, m, f, a, t]) => (t === undefined ? n.rpc.call(to, m, f, a) : n.rpc.call(to, m, f, a, t)),
      [node, module, fun, args, timeoutMs] as [string, string, string, unknown[], number | undefined],
      `rpc(${node}, ${module}, ${fun})`,
      new Error(),
    );
  }

  /** `node.nodes()` of this tab (visible peers), sorted. */
  async nodes(): Promise<string[]> {
    const ns = await this.evaluate((n) => n.nodes());
    return [...ns].sort();
  }

  /** `node.ping(other)`: 'pong' | 'pang'. */
  ping(other: string): Promise<'pong' | 'pang'> {
    return this.evaluate((n, o) => n.ping(o), other);
  }

  /**
   * Start a process in the tab, registered as `name`, that records every message it gets;
   * read them with `messages(name)` / `waitForMessage(name, …)`. Resolves with its pid.
   */
  async inbox(name: string): Promise<Pid> {
    const here = new Error();
    const r = await this.page.evaluate((n) => window.erlmeshHarness.inbox(n), name);
    return unwrap(r, `${this.name}: inbox(${name})`, here) as Pid;
  }

  /** Every message the inbox `name` has received so far, oldest first. */
  async messages(name: string): Promise<unknown[]> {
    return decodeTerm(await this.page.evaluate((n) => window.erlmeshHarness.messages(n), name)) as unknown[];
  }

  /**
   * Wait until the inbox `name` has received a message matching `matcher` (see
   * `MessageMatcher`; `ANY` is the wildcard) and resolve with that message. Looks at every
   * message since the inbox started (or from index `from`). Fails after `timeoutMs` (default
   * 5 000) listing what did arrive.
   *
   * @example
   * await tab.waitForMessage('probe', ['EXIT', ANY, 'noconnection']);
   * await tab.waitForMessage('probe', (m) => Array.isArray(m) && m[0] === 'hello', 2_000);
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a predicate inspects arbitrary terms
  waitForMessage(name: string, predicate: (msg: any, erlmesh: ErlmeshGlobal) => unknown, timeoutOrOpts?: number | WaitOptions): Promise<unknown>;
  waitForMessage(name: string, pattern: MessagePattern, timeoutOrOpts?: number | WaitOptions): Promise<unknown>;
  async waitForMessage(name: string, matcher: MessageMatcher, timeoutOrOpts: number | WaitOptions = {}): Promise<unknown> {
    const o = typeof timeoutOrOpts === 'number' ? { timeoutMs: timeoutOrOpts } : timeoutOrOpts;
    const timeout = o.timeoutMs ?? DEFAULT_WAIT_MS;
    const isFn = typeof matcher === 'function';
    const args = [
      name,
      isFn ? null : encodeTerm(matcher),
      isFn ? sourceOf(matcher as (...a: never[]) => unknown) : null,
      o.from ?? 0,
    ] as const;
    try {
      const h = await this.page.waitForFunction(
        ([n, p, s, from]) => window.erlmeshHarness.findMessage(n, p, s, from),
        args,
        { polling: POLL_MS, timeout },
      );
      const [, msg] = decodeTerm((await h.jsonValue()) as string) as [number, unknown];
      await h.dispose();
      return msg;
    } catch (e) {
      if ((e as Error)?.name !== 'TimeoutError') throw e;
      const seen = this.page.isClosed()
        ? '(page closed)'
        : await this.page.evaluate((n) => window.erlmeshHarness.messages(n), name).then(show, () => '?');
      throw new Error(
        `${this.name}: no message matching ${isFn ? sourceOf(matcher as (...a: never[]) => unknown) : formatTerm(matcher)} ` +
          `reached inbox '${name}' within ${timeout} ms; it got: ${seen}`,
      );
    }
  }

  /**
   * The node events (nodeup / nodedown, with `nodedownReason`) this tab-node has seen since
   * it started, with the page's `Date.now()`. (The connections made while the node started
   * and joined the mesh come before the recording: their nodeups are not in it.)
   */
  async nodeEvents(): Promise<SeenNodeEvent[]> {
    return this.readEvents(0);
  }

  /**
   * Wait for a node event seen by this tab (kind 'nodeup' | 'nodedown', and the node's name),
   * since the node started (see `nodeEvents`) or since index `from`. Fails after `timeoutMs` (default 5 000).
   */
  async waitForNodeEvent(kind: 'nodeup' | 'nodedown', node: string, timeoutOrOpts: number | WaitOptions = {}): Promise<SeenNodeEvent> {
    const o = typeof timeoutOrOpts === 'number' ? { timeoutMs: timeoutOrOpts } : timeoutOrOpts;
    const timeout = o.timeoutMs ?? DEFAULT_WAIT_MS;
    try {
      const h = await this.page.waitForFunction(
        ([k, n, from]) => window.erlmeshHarness.findNodeEvent(k, n, from),
        [kind, node, o.from ?? 0] as const,
        { polling: POLL_MS, timeout },
      );
      const [, event, at] = decodeTerm((await h.jsonValue()) as string) as [number, NodeEvent, number];
      await h.dispose();
      return { event, at };
    } catch (e) {
      if ((e as Error)?.name !== 'TimeoutError') throw e;
      const seen = await this.readEvents(o.from ?? 0).catch(() => '?');
      const list = typeof seen === 'string' ? seen : formatTerm(seen.map((x) => x.event));
      throw new Error(`${this.name}: no ${kind} of ${node} within ${timeout} ms; events seen: ${list}`);
    }
  }

  /**
   * Start watching node events from now on: the returned monitor reads and waits for only
   * the events after this call (the page records every event; this is a window onto it).
   *
   * @example
   * const mon = await tab.monitorNodes();
   * cluster.partition([tab.name], ['srv']);
   * await mon.waitFor('nodedown', 'srv@erlmesh');
   */
  async monitorNodes(): Promise<NodeEventMonitor> {
    const from = await this.page.evaluate(() => window.__nodeEvents.length);
    return {
      events: () => this.readEvents(from),
      waitFor: (kind, node, timeoutMs) => this.waitForNodeEvent(kind, node, { timeoutMs, from }),
    };
  }

  /**
   * Close the tab as a user would: the page gets `pagehide` (which stops the tab-node, so
   * its peers see nodedown at once) and closes. Idempotent.
   */
  close(): Promise<void> {
    return (this.closing ??= (async () => {
      if (this.page.isClosed()) return;
      await this.page.close({ runBeforeUnload: false });
    })());
  }

  private async readEvents(from: number): Promise<SeenNodeEvent[]> {
    const rows = decodeTerm(await this.page.evaluate(() => window.erlmeshHarness.nodeEvents())) as Array<[NodeEvent, number]>;
    return rows.slice(from).map(([event, at]) => ({ event, at }));
  }
}

/**
 * What `tab.monitorNodes()` gives: the node events after the call.
 *
 * @example
 * const mon: NodeEventMonitor = await tab.monitorNodes();
 * cluster.kick('srv');
 * await mon.waitFor('nodedown', 'srv@erlmesh');
 */
export interface NodeEventMonitor {
  events(): Promise<SeenNodeEvent[]>;
  waitFor(kind: 'nodeup' | 'nodedown', node: string, timeoutMs?: number): Promise<SeenNodeEvent>;
}
