/**
 * What the runtime does with each signal addressed to a local process: one handler per
 * `SignalFrame` tag (a table, not a switch).
 */
import type { SignalFrame, SignalTag } from './signals.js';
import type { Pid } from '../terms/pid.js';
import type { Proc } from './proc.js';
import type { Registry } from './registry.js';
import type { SpawnRequests } from './spawn-requests.js';

export type SignalHandlers = { [K in SignalTag]: (s: Extract<SignalFrame, { t: K }>) => void };

/** The runtime's parts the handlers use. */
export interface SignalEnv {
  readonly registry: Registry;
  /** Local processes watched, by monitor ref key. */
  readonly watchedBy: Map<string, Proc>;
  readonly spawns: SpawnRequests;
  local(pid: Pid): Proc | undefined;
  route(s: SignalFrame): void;
  applyExit(p: Proc, from: Pid, reason: unknown, viaLink: boolean): void;
  countWatcher(watcher: Pid, delta: 1 | -1): void;
  /** Start the process a spawn request asks for (or one that exits at once with the failure). */
  startRequested(s: Extract<SignalFrame, { t: 'spawn_request' }>): Proc;
}

export function signalHandlers(rt: SignalEnv): SignalHandlers {
  return {
    send: (s) => rt.local(s.to)?.mailbox.deliver(s.msg),
    reg_send: (s) => {
      const pid = rt.registry.whereis(s.to);
      if (pid) rt.local(pid)?.mailbox.deliver(s.msg);
    },
    link: (s) => {
      const p = rt.local(s.to);
      if (p) p.links.set(s.from.key, s.from);
      else rt.route({ t: 'exit', from: s.to, to: s.from, reason: 'noproc' });
    },
    unlink: (s) => {
      rt.local(s.to)?.linksIfAny?.delete(s.from.key);
    },
    exit: (s) => {
      const p = rt.local(s.to);
      if (!p || !p.linksIfAny?.delete(s.from.key)) return;
      rt.applyExit(p, s.from, s.reason, true);
    },
    exit2: (s) => {
      const p = rt.local(s.to);
      if (p) rt.applyExit(p, s.from, s.reason, false);
    },
    monitor: (s) => {
      const pid = typeof s.to === 'string' ? rt.registry.whereis(s.to) : s.to;
      const p = pid && rt.local(pid);
      if (!p) {
        rt.route({ t: 'down', from: s.to, to: s.from, ref: s.ref, reason: 'noproc' });
        return;
      }
      const key = s.ref.key;
      if (!p.watchers.has(key)) rt.countWatcher(s.from, 1);
      p.watchers.set(key, { ref: s.ref, watcher: s.from, byName: typeof s.to === 'string' ? s.to : undefined });
      rt.watchedBy.set(key, p);
    },
    demonitor: (s) => {
      const key = s.ref.key;
      const p = rt.watchedBy.get(key);
      if (!p || p.watchersIfAny?.get(key)?.watcher.equals(s.from) !== true) return;
      rt.watchedBy.delete(key);
      p.watchersIfAny?.delete(key);
      rt.countWatcher(s.from, -1);
    },
    down: (s) => {
      const p = rt.local(s.to);
      const monitors = p?.monitorsIfAny;
      const key = monitors === undefined ? undefined : s.ref.key;
      const m = key === undefined ? undefined : monitors!.get(key);
      if (!m) {
        rt.spawns.errorOnlyDown(s, p);
        return;
      }
      monitors!.delete(key!);
      p!.mailbox.deliver(['DOWN', s.ref, 'process', m.shownAs, s.reason]);
    },
    spawn_request: (s) => {
      const p = rt.startRequested(s);
      if (s.link) p.links.set(s.from.key, s.from);
      if (s.monitor) {
        const key = s.ref.key;
        p.watchers.set(key, { ref: s.ref, watcher: s.from, byName: undefined });
        rt.watchedBy.set(key, p);
        rt.countWatcher(s.from, 1);
      }
      if (s.reply !== 'error_only') rt.route({ t: 'spawn_reply', ref: s.ref, to: s.from, result: { ok: p.pid } });
    },
    spawn_reply: (s) => rt.spawns.reply(s),
  };
}

/**
 * `node` is unreachable, as seen by local process `p`: its links to it give `noconnection`,
 * its monitors on it a DOWN with `noconnection`, its monitorNodes a `['nodedown', node]`, and
 * monitors held on it from there are dropped.
 */
export function loseNode(p: Proc, node: string, rt: Pick<SignalEnv, 'watchedBy' | 'applyExit'>): void {
  const nodeMonitors = p.nodeMonitorsIfAny;
  const count = nodeMonitors?.get(node);
  if (nodeMonitors !== undefined && count !== undefined) {
    nodeMonitors.delete(node);
    for (let i = 0; i < count; i++) p.mailbox.deliver(['nodedown', node]);
  }
  const watchers = p.watchersIfAny;
  if (watchers !== undefined) {
    for (const [key, w] of [...watchers]) {
      if (w.watcher.node === node) {
        watchers.delete(key);
        rt.watchedBy.delete(key);
      }
    }
  }
  const monitors = p.monitorsIfAny;
  if (monitors !== undefined) {
    for (const [key, m] of [...monitors]) {
      if (m.node !== node || !p.alive) continue;
      monitors.delete(key);
      p.mailbox.deliver(['DOWN', m.ref, 'process', m.shownAs, 'noconnection']);
    }
  }
  const links = p.linksIfAny;
  if (links !== undefined) {
    for (const [key, pid] of [...links]) {
      if (pid.node !== node || !p.alive) continue;
      links.delete(key);
      rt.applyExit(p, pid, 'noconnection', true);
    }
  }
}
