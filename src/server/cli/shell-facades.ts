/**
 * What the shell binds as `node` and `self`: callable facades, so erl's habits work —
 * `node()` is this node's name, `self()` the shell process's pid — while `node.rpc.call(...)`,
 * `node.nodes()`, `self.pid`, `self.monitor(...)` keep working as the API objects.
 *
 * A facade shows only the public API: the node's internals (its transport, net kernel, cookie
 * store…) are neither printed, nor listed by Tab completion, nor reachable through it, so the
 * cluster cookie never appears on the screen unless asked for with `node.getCookie()`.
 */
import { inspect } from 'node:util';
import type { Node } from '../../core/node/node.js';
import type { ProcessContext } from '../../core/process/context.js';
import { formatTerm } from '../../core/terms/format.js';
import type { Pid } from '../../core/terms/pid.js';

/** The public members of Node the shell's `node` shows (compile-checked against Node). */
export const NODE_API = [
  'name', 'creation', 'role', 'rpc', 'erpc', 'global', 'pg',
  'roleOf', 'isAlive', 'nodes', 'ping', 'lastConnectError', 'disconnect', 'monitorNodes', 'allow',
  'setCookie', 'getCookie', 'onOutput', 'onLog', 'log', 'load', 'module', 'loadedModules', 'nl',
  'apply', 'spawn', 'run', 'send', 'exit', 'register', 'unregister', 'whereis', 'registered',
  'isProcessAlive', 'exitReason', 'processInfo', 'stop',
] as const satisfies readonly (keyof Node)[];

/** Members of a process context that are not for the shell user. */
const CONTEXT_HIDDEN = new Set(['constructor', 'proc', 'bifs', 'putChars', 'crash', 'spawnMonitorErrorOnly']);

/** Marks the facades so the shell's printer can tell them apart. */
const FACADE = Symbol('erlmesh shell facade');

export type NodeFacade = (() => string) & Node;
export type SelfFacade = (() => Pid) & ProcessContext;

/** `node`: `node()` is the name, `node.x` the node's public `x`. */
export function nodeFacade(node: Node): NodeFacade {
  const fn = () => node.name;
  const names = new Set<string>(NODE_API);
  return facade(fn, () => node, () => names, `#Node<${node.name}>`) as NodeFacade;
}

/** `self`: `self()` is the pid of the current shell process, `self.x` its context's `x`. */
export function selfFacade(ctx: () => ProcessContext, nodeView: NodeFacade): SelfFacade {
  const fn = () => ctx().pid;
  // The members of the context's class chain, found on first use (the context is made later).
  let names: Set<string> | undefined;
  const members = () => {
    if (names) return names;
    names = new Set<string>(['node']);
    for (let o: object | null = ctx(); o && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
      for (const k of Object.getOwnPropertyNames(o)) if (!k.startsWith('_') && !CONTEXT_HIDDEN.has(k)) names.add(k);
    }
    return names;
  };
  return facade(fn, ctx, members, () => `#Self<${ctx().pid.toString()}>`, { node: nodeView }) as SelfFacade;
}

/** Is `v` a facade? Then `describe(v)` is what the shell prints for it. */
export function isFacade(v: unknown): v is { [FACADE]: () => string } {
  return typeof v === 'function' && FACADE in v;
}

export function describe(v: { [FACADE]: () => string }): string {
  return v[FACADE]();
}

function facade(
  fn: () => unknown,
  target: () => object,
  names: () => Set<string>,
  label: string | (() => string),
  overrides: Record<string, unknown> = {},
): unknown {
  const text = typeof label === 'string' ? () => label : label;
  const own = (k: string | symbol): k is string => typeof k === 'string' && names().has(k);
  const get = (k: string): unknown => {
    if (Object.hasOwn(overrides, k)) return overrides[k];
    const t = target();
    const v = (t as Record<string, unknown>)[k];
    return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
  };
  const special: Record<symbol, unknown> = {
    [FACADE]: text,
    [inspect.custom]: text,
    [Symbol.toPrimitive]: text,
  };
  return new Proxy(fn, {
    get: (f, k) => {
      if (own(k)) return get(k);
      if (typeof k === 'symbol') return k in special ? special[k] : undefined;
      if (k === 'toJSON') return text;
      if (k === 'toString') return text;
      // Function.prototype's call/apply/bind stay usable; everything else is hidden.
      return k === 'call' || k === 'apply' || k === 'bind' ? (f as unknown as Record<string, unknown>)[k] : undefined;
    },
    has: (_f, k) => own(k) || (typeof k === 'symbol' && k in special),
    ownKeys: (f) => [...names(), ...Reflect.ownKeys(f).filter((k) => !Reflect.getOwnPropertyDescriptor(f, k)?.configurable)],
    getOwnPropertyDescriptor: (f, k) => {
      if (own(k)) return { value: get(k), enumerable: true, configurable: true, writable: false };
      const d = Reflect.getOwnPropertyDescriptor(f, k);
      return d && !d.configurable ? d : undefined;
    },
    getPrototypeOf: () => null,
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}

/** How the shell prints a result: formatTerm, with the facades as their one-line labels. */
export function formatResult(v: unknown): string {
  return isFacade(v) ? describe(v) : formatTerm(v);
}
