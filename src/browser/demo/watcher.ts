/**
 * The watcher: a long-lived process of this tab that traps exits. It spawns printers with
 * spawnLink and monitors them, so when one dies it receives both signals,
 * `['EXIT', Pid, Reason]` and `['DOWN', Ref, 'process', Pid, Reason]`, and reports them.
 */
import type { Node, Pid, Ref } from '../index.js';
import { printer } from './printer.js';

export interface WatcherHooks {
  spawned(target: string, pid: Pid, ref: Ref): void;
  spawnFailed(target: string, error: unknown): void;
  /** Any other message: the EXIT and DOWN signals. */
  message(msg: unknown): void;
}

const SPAWN = '$demo_spawn';

export class Watcher {
  readonly pid: Pid;

  constructor(
    private readonly node: Node,
    hooks: WatcherHooks,
  ) {
    this.pid = node.spawn(async (self) => {
      self.trapExit(true);
      for (;;) {
        const m: unknown = await self.receive();
        if (Array.isArray(m) && m[0] === SPAWN && typeof m[1] === 'string') {
          const target = m[1];
          try {
            const pid = await self.spawnLink(target, printer);
            hooks.spawned(target, pid, self.monitor(pid));
          } catch (e) {
            hooks.spawnFailed(target, e);
          }
        } else {
          hooks.message(m);
        }
      }
    });
  }

  /** Spawn a printer on `target`, linked to and monitored by the watcher. */
  spawnOn(target: string): void {
    this.node.send(this.pid, [SPAWN, target]);
  }
}
