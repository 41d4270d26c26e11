/**
 * Modules: named sets of functions that other nodes may `spawn` and `rpc` into. Every
 * function gets the calling process's context first, then the arguments.
 */
import { badarg } from '../base/errors.js';
import type { ProcessContext } from '../process/context.js';
import { markModuleFunction } from '../process/initial-call.js';

export { UndefinedFunction } from '../process/unwind.js';

/**
 * A function of a module: the calling process's context first, then the arguments.
 *
 * @example
 * const hello: ModuleFunction = (self, who: string) => `hello ${who} from ${self.node.name}`;
 * node.load(defineModule('greeter', { hello }));
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ModuleFunction = (self: ProcessContext, ...args: any[]) => unknown;

/**
 * A module: a name and its functions (what `defineModule` returns, `node.load` takes).
 *
 * @example
 * const greeter: ErlModule = defineModule('greeter', { hello: (self, who: string) => `hello ${who}` });
 * node.load(greeter);
 */
export interface ErlModule<F extends Record<string, ModuleFunction> = Record<string, ModuleFunction>> {
  readonly name: string;
  readonly functions: Readonly<F>;
}

/**
 * Define a module.
 *
 * @example
 * export const greeter = defineModule('greeter', {
 *   hello: (self, who: string) => `hello ${who} from ${self.node.name}`,
 * });
 * node.load(greeter);
 * await other.rpc.call(node.name, 'greeter', 'hello', ['joe']); // 'hello joe from a@host'
 */
export function defineModule<F extends Record<string, ModuleFunction>>(name: string, functions: F): ErlModule<F> {
  if (typeof name !== 'string' || name.length === 0) throw badarg('defineModule: the name must be a non-empty string');
  for (const [k, v] of Object.entries(functions)) {
    if (typeof v !== 'function') throw badarg(`defineModule: ${name}.${k} is not a function`);
    markModuleFunction(v, name, k);
  }
  return Object.freeze({ name, functions: Object.freeze({ ...functions }) });
}

/**
 * The function `fun` of `mod`: only its own functions, never what a plain object inherits
 * (`constructor`, `toString`, `__proto__`, …), which a peer could otherwise name in an rpc
 * or spawn and have run as `Object(self)` and the like.
 *
 * @example
 * moduleFunction(kvs, 'lookup');       // the function
 * moduleFunction(kvs, 'constructor');  // undefined
 */
export function moduleFunction(mod: ErlModule | undefined, fun: string): ModuleFunction | undefined {
  if (mod === undefined || !Object.prototype.hasOwnProperty.call(mod.functions, fun)) return undefined;
  const fn: unknown = mod.functions[fun];
  return typeof fn === 'function' ? (fn as ModuleFunction) : undefined;
}

/**
 * Compile a function from its source text (as produced by `fn.toString()`): arrow functions,
 * function expressions, and method shorthand (`name(self) { … }`, `async name(self) { … }`).
 * Throws SyntaxError when the text is not a function.
 */
export function compileFunction(source: string): (...args: unknown[]) => unknown {
  let f: unknown;
  try {
    f = new Function(`"use strict"; return (${source});`)();
  } catch (e) {
    if (!(e instanceof SyntaxError)) throw e;
    // Method shorthand: wrap in an object literal and take its only property.
    f = new Function(`"use strict"; const o = ({ ${source} }); return o[Object.keys(o)[0]];`)();
  }
  if (typeof f !== 'function') throw new SyntaxError('not a function');
  return f as (...args: unknown[]) => unknown;
}

/** The sources of a module's functions, for shipping (`nl`). */
export function moduleSources(mod: ErlModule): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, fn] of Object.entries(mod.functions)) out[k] = fn.toString();
  return out;
}

/** Rebuild a module from shipped sources. */
export function moduleFromSources(name: string, sources: Record<string, string>): ErlModule {
  const fns: Record<string, ModuleFunction> = {};
  for (const [k, src] of Object.entries(sources)) fns[k] = compileFunction(src) as ModuleFunction;
  return defineModule(name, fns);
}
