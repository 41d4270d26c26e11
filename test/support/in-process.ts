/**
 * Test helpers for erlmesh processes: run a body in a process, record messages, match signals.
 * (OS processes running the erlmesh CLI are in os-processes.ts.)
 */
import type { Node } from '../../src/core/node/node.js';
import type { ProcessContext } from '../../src/core/process/context.js';
import type { Pid } from '../../src/core/terms/pid.js';
import { within } from './real-time.js';

/** Run `body` in a fresh process on `node` (`node.run`); resolve with what it returns, reject with what it throws (or after `ms` real ms). */
export function runIn<T>(node: Node, body: (self: ProcessContext) => T | Promise<T>, ms = 2000): Promise<T> {
  return within(node.run(body), ms, 'the process body');
}

/** What {@link recorder} returns. */
export interface Recorder<T> {
  pid: Pid;
  /** Every message the process has received, in order. */
  got: unknown[];
  /** The process's context, once `setup` has run. */
  self: Promise<ProcessContext>;
  /** What `setup` returned. */
  init: Promise<T>;
}

/** A process on `node` that runs `setup` (if given), then records every message it receives in `got`. */
export function recorder<T = void>(node: Node, setup?: (self: ProcessContext) => T): Recorder<T> {
  const got: unknown[] = [];
  let resolveSelf!: (s: ProcessContext) => void;
  let resolveInit!: (v: T) => void;
  const self = new Promise<ProcessContext>((r) => (resolveSelf = r));
  const init = new Promise<T>((r) => (resolveInit = r));
  const pid = node.spawn(async (s) => {
    const v = setup?.(s) as T;
    resolveInit(v);
    resolveSelf(s);
    for (;;) got.push(await s.receive());
  });
  return { pid, got, self, init };
}

/** A `recorder` setup: trap exits (EXIT signals arrive as messages). */
export const trapExits = (self: ProcessContext): void => {
  self.trapExit(true);
};

/** A process body that waits forever for a message it never gets. */
export const idle = async (self: ProcessContext): Promise<void> => {
  await self.receive(() => false);
};

/** A process on `node` that waits forever for a message it never gets ({@link idle}). */
export function idler(node: Node): Pid {
  return node.spawn(idle);
}

/** Whether `m` is an ['EXIT', pid, reason] message. */
export const isExit = (m: unknown): boolean => Array.isArray(m) && m[0] === 'EXIT';

/** Whether `m` is a ['DOWN', ref, type, what, reason] message. */
export const isDown = (m: unknown): boolean => Array.isArray(m) && m[0] === 'DOWN';

/** What {@link linkAndMonitor} returns. */
export interface LinkAndMonitor {
  /** Resolves once the watcher has linked to and monitors the target. */
  ready: Promise<void>;
  /** The watcher's EXIT message, then the DOWN message's reason (each awaited up to `ms`). */
  seen: Promise<[unknown, unknown]>;
}

/**
 * A process on `node` that traps exits, links to and monitors `target`, then waits for the
 * EXIT and for that monitor's DOWN (for faults that end a connection: both say `noconnection`).
 */
export function linkAndMonitor(node: Node, target: Pid, ms = 20_000): LinkAndMonitor {
  let watching!: () => void;
  const ready = new Promise<void>((r) => (watching = r));
  const seen = node.run(async (self): Promise<[unknown, unknown]> => {
    self.trapExit(true);
    self.link(target);
    const ref = self.monitor(target);
    watching();
    const exit = await self.receive(isExit, ms);
    const down = await self.receive((m) => isDown(m) && ref.equals((m as unknown[])[1]), ms);
    return [exit, (down as unknown[])[4]];
  });
  return { ready, seen };
}
