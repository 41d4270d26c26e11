/**
 * The code server of one node: the loaded modules, `apply`, shipping modules to other nodes
 * (`nl`), and turning a spawn spec (module function or shipped source) into a process body.
 */
import { badarg } from '../base/errors.js';
import type { SpawnSpec } from '../net/frames.js';
import type { ProcessContext, ProcessFn } from '../process/context.js';
import type { Resolved } from '../process/runtime.js';
import { UndefinedFunction } from '../process/unwind.js';
import type { RpcApi } from '../interfaces/rpc-api.js';
import { compileFunction, moduleFunction, moduleSources, type ErlModule } from './module.js';

export class CodeServer {
  private readonly modulesByName = new Map<string, ErlModule>();

  /** Make a module's functions spawnable and rpc-callable on this node (replaces an older version). */
  load(mod: ErlModule): true {
    if (!mod || typeof mod.name !== 'string' || typeof mod.functions !== 'object') throw badarg('load: not a module (use defineModule)');
    this.modulesByName.set(mod.name, mod);
    return true;
  }

  /** The loaded module called `name`. */
  module(name: string): ErlModule | undefined {
    return this.modulesByName.get(name);
  }

  /** Names of loaded modules. */
  loadedModules(): string[] {
    return [...this.modulesByName.keys()];
  }

  /**
   * Load `mod` here and on `peers`, shipping its functions as source (Erlang's `nl/1`) with
   * `code:loadSources` over rpc.
   */
  async nl(mod: ErlModule, peers: string[], rpc: Pick<RpcApi, 'multicall'>): Promise<{ nodes: string[]; badNodes: string[] }> {
    this.load(mod);
    const sources = moduleSources(mod);
    const { results, badNodes } = await rpc.multicall(peers, 'code', 'loadSources', [mod.name, sources]);
    const good = peers.filter((n) => !badNodes.includes(n));
    const failed = good.filter((_, i) => results[i] !== true);
    return { nodes: good.filter((n) => !failed.includes(n)), badNodes: [...badNodes, ...failed] };
  }

  /** Call `module.fun(self, ...args)`; a missing module or function throws `UndefinedFunction`. */
  apply(self: ProcessContext, module: string, fun: string, args: unknown[] = []): unknown {
    const fn = moduleFunction(this.modulesByName.get(module), fun);
    if (fn === undefined) throw new UndefinedFunction(module, fun, args);
    return fn(self, ...args);
  }

  /** What a spawn request runs here: the module function, or the shipped function compiled. */
  resolveSpec(spec: SpawnSpec): Resolved<ProcessContext> {
    if (spec.kind === 'mfa') {
      const fn = moduleFunction(this.modulesByName.get(spec.module), spec.fun);
      const initialCall = [spec.module, spec.fun, spec.args.length] as const;
      if (fn === undefined) return { fail: ['undef', [spec.module, spec.fun, spec.args]], initialCall };
      return { body: (self) => fn(self, ...spec.args), initialCall };
    }
    try {
      const fn = compileFunction(spec.source) as ProcessFn;
      return { body: fn };
    } catch (e) {
      return { fail: ['badfun', e instanceof Error ? `${e.name}: ${e.message}` : String(e)] };
    }
  }
}
