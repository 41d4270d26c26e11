/**
 * A process's initial call, as the observer shows it (Erlang's `process_info(P, initial_call)`,
 * translated as `proc_lib:translate_initial_call/1` does for behaviours): stored once, when the
 * process starts; nothing on the message path.
 *
 * - `spawn(node, module, fun, args)` (and `spawn(module, fun, args)`): `[module, fun, args.length]`.
 * - A function that belongs to a module (`defineModule`; kvs's `loop`): `[module, name, 0]`,
 *   as `spawn(fun kvs:loop/0)`. Erlang says `{erlang, apply, 2}` for every fun; erlmesh names it.
 * - Any other function: its JS name, or `'anonymous'`.
 * - A gen_server (and a node's services, which are gen_servers): `[module, 'init', 1]`, its
 *   callback module's, as proc_lib's `$initial_call` makes Erlang's observer show.
 *
 * What is stored is a string or a shared tuple (module functions'), in the slot the process
 * record keeps for its links and monitors (process/proc.ts), so an idle process is no bigger;
 * only a spawn by module function name makes a tuple of its own.
 */
import type { InitialCall } from '../interfaces/process-info.js';

export type { InitialCall };

/** The initial call of each module function (filled by defineModule; shared tuples). */
const moduleFunctions = new WeakMap<object, InitialCall>();

/** @internal `fn` is `module:fun` (defineModule): a process started with it shows `[module, fun, 0]`. The first module wins. */
export function markModuleFunction(fn: object, module: string, fun: string): void {
  if (!moduleFunctions.has(fn)) moduleFunctions.set(fn, Object.freeze([module, fun, 0] as const));
}

/** The initial call of a process started with the function `fn`. */
export function initialCallOf(fn: { readonly name: string }): InitialCall {
  return moduleFunctions.get(fn) ?? (fn.name || 'anonymous');
}

/** `['kvs', 'loop', 0]` → `'kvs:loop/0'`; a name as it is. */
export function formatInitialCall(call: InitialCall): string {
  return typeof call === 'string' ? call : `${call[0]}:${call[1]}/${call[2]}`;
}
