/**
 * erl's shell commands that erlmesh's shell also answers: `i()` (the node's processes),
 * `regs()` (its registered names), and the call behind `mod:fun(Args)` (shell-erlang-syntax.ts),
 * which raises erl's `undefined function mod:fun/N` for a module or function not loaded.
 */
import type { Node } from '../../core/node/node.js';
import { UndefinedFunction, type ModuleFunction } from '../../core/modules/module.js';
import type { ProcessContext } from '../../core/process/context.js';
import type { Pid } from '../../core/terms/pid.js';

/** `mod:fun` as a function of its arguments, run with the shell process as `self`. */
export function erlCall(node: Node, self: () => ProcessContext, mod: string, fun: string): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const f = node.module(mod)?.functions[fun] as ModuleFunction | undefined;
    if (typeof f !== 'function') throw new UndefinedFunction(mod, fun, args);
    return f(self(), ...args);
  };
}

const pad = (s: string, n: number) => (s.length >= n ? `${s} ` : s.padEnd(n));

/** erl's `i()`: one line per process of this node. */
export function processTable(node: Node): string {
  const pids: Pid[] = node.runtime.processes().map((p) => p.pid);
  let out = `${pad('Pid', 24)}${pad('Registered', 24)}${pad('Msgs', 6)}Links\n`;
  let msgs = 0;
  for (const pid of pids) {
    const info = node.processInfo(pid);
    if (!info) continue;
    msgs += info.messageQueueLen;
    out += `${pad(pid.toString(), 24)}${pad(info.registeredName ?? '', 24)}${pad(String(info.messageQueueLen), 6)}${info.links.length}\n`;
  }
  return `${out}Total: ${pids.length} processes, ${msgs} messages queued\n`;
}

/** erl's `regs()`: the names registered on this node. */
export function registeredTable(node: Node): string {
  let out = `\n** Registered procs on node ${node.name} **\n${pad('Name', 24)}${pad('Pid', 24)}Msgs\n`;
  for (const name of [...node.registered()].sort()) {
    const pid = node.whereis(name);
    if (!pid) continue;
    out += `${pad(name, 24)}${pad(pid.toString(), 24)}${node.processInfo(pid)?.messageQueueLen ?? 0}\n`;
  }
  return out;
}
