/**
 * The starter side of the start exchange: spawn `gen_server.init_it` on the target node
 * (linked or not), monitor it, and wait for its `['$gen_ack', pid, result]`, its DOWN, or the
 * timeout. A failed start returns only after the server has exited.
 */
import { badarg } from '../../base/errors.js';
import type { ErlModule } from '../../modules/module.js';
import { ProcessContext } from '../../process/context.js';
import { TIMEOUT } from '../../process/mailbox.js';
import { Pid } from '../../terms/pid.js';
import type { Ref } from '../../terms/ref.js';
import { inCallerProcess } from '../caller.js';
import { initIt } from './loop.js';
import { isDown, isExitFrom } from './messages.js';
import { checkServerName, checkTimeoutMs } from './refs.js';
import type { Caller, StartOptions, StartResult } from './types.js';

let spawnSeq = 0;

/**
 * The starter side of the start exchange, in process `self`. A `ProcessContext`: on its own
 * node it spawns the server body as a closure, and the body runs callbacks.
 */
async function startIn(self: ProcessContext, module: string, args: unknown, opts: StartOptions): Promise<StartResult> {
  const clock = self.node.clock;
  const t0 = clock.now();
  const timeoutMs = checkTimeoutMs(opts.timeoutMs ?? Infinity, 'genServer.start');
  const left = (): number => (timeoutMs === Infinity ? Infinity : Math.max(0, timeoutMs - (clock.now() - t0)));
  const link = !!opts.link;
  const node = opts.node ?? self.node.name;
  const initArgs = [self.pid, link ? self.pid : undefined, module, args, opts.name] as const;
  let pid: Pid;
  let mref: Ref;
  if (node === self.node.name) {
    // Spawned as a closure: arguments need not be sendable terms on the caller's own node.
    const body = (s: ProcessContext): Promise<void> => initIt(s, ...initArgs);
    if (link) {
      pid = self.spawnLink(body);
      mref = self.monitor(pid);
    } else {
      [pid, mref] = self.spawnMonitor(body);
    }
  } else {
    const spawning: Promise<Pid | [Pid, Ref]> = link
      ? self.spawnLink(node, 'gen_server', 'init_it', [...initArgs])
      : self.spawnMonitor(node, 'gen_server', 'init_it', [...initArgs]);
    const tok = ++spawnSeq;
    let abandoned = false;
    void spawning.then((r) => {
      if (!abandoned) return void self.send(self.pid, ['$gen_spawned', tok, r]);
      // The spawn request got no reply in time: the server it started late goes.
      const p = r instanceof Pid ? r : r[0];
      if (link) self.unlink(p);
      self.node.exit(p, 'kill');
    });
    const sp = await self.receive((m) => Array.isArray(m) && m[0] === '$gen_spawned' && m[1] === tok, left());
    if (sp === TIMEOUT) {
      abandoned = true;
      return ['error', 'timeout'];
    }
    const r = (sp as [string, number, Pid | [Pid, Ref]])[2];
    if (r instanceof Pid) {
      pid = r;
      mref = self.monitor(pid);
    } else {
      [pid, mref] = r;
    }
  }
  const m = await self.receive(
    (x) => (Array.isArray(x) && x[0] === '$gen_ack' && pid.equals(x[1])) || isDown(x, mref),
    left(),
  );
  const dropExit = async (): Promise<void> => {
    if (link) await self.receive((x) => isExitFrom(x, pid), 0);
  };
  if (m === TIMEOUT) {
    if (link) self.unlink(pid);
    self.exit(pid, 'kill');
    self.demonitor(mref, { flush: true });
    await dropExit();
    return ['error', 'timeout'];
  }
  if ((m as unknown[])[0] === '$gen_ack') {
    const result = (m as [string, Pid, StartResult])[2];
    if (Array.isArray(result) && result[0] === 'ok') {
      self.demonitor(mref, { flush: true });
      return result;
    }
    // The server exits right after a failed init: return once it is gone.
    await self.receive((x) => isDown(x, mref));
    await dropExit();
    return result;
  }
  let reason = (m as unknown[])[4];
  if (link) {
    const ex = await self.receive((x) => isExitFrom(x, pid), 0);
    if (ex !== TIMEOUT && reason === 'noproc') reason = (ex as unknown[])[2];
  }
  return ['error', reason];
}

/**
 * Start a server running `module`'s callbacks with `init(self, args)`; resolves when init has
 * returned: `['ok', pid]`, `['error', reason]` (init's stop/error reason, a crash reason,
 * `['already_started', pid]` when the name is taken, `'timeout'`), or `'ignore'`.
 *
 * With `link`, a non-trapping caller dies with the server's exit reason when init returns
 * `['stop', reason]` (as in Erlang); `['error', reason]` fails the start without that.
 *
 * @example
 * const [, pid] = await genServer.start(node, counter, 0, { name: 'counter' });   // ['ok', pid]
 * await genServer.start(node, counter, 0, { name: 'counter' });   // ['error', ['already_started', pid]]
 * await genServer.start(self, 'counter', 0, { node: 'b@host', link: true, name: ['global', 'c'] });
 */
export async function start(ctx: Caller, module: string | ErlModule, args?: unknown, opts: StartOptions = {}): Promise<StartResult> {
  const modName = typeof module === 'string' ? module : module?.name;
  if (typeof modName !== 'string' || modName.length === 0) throw badarg('genServer.start: module must be a module or its name');
  if (opts === null || typeof opts !== 'object') throw badarg('genServer.start: opts must be an object');
  checkServerName(opts.name);
  if (opts.node !== undefined && typeof opts.node !== 'string') throw badarg('genServer.start: node must be a node name');
  // A link needs a process to link to: the check is on the class.
  if (opts.link && !(ctx instanceof ProcessContext)) throw badarg('genServer.start: link needs a calling process (pass self)');
  checkTimeoutMs(opts.timeoutMs ?? Infinity, 'genServer.start');
  return inCallerProcess(ctx, (self) => startIn(self, modName, args, opts));
}
