/**
 * How a node wires its parts: the net kernel from its options, the capability guard over the
 * process runtime, the `nodes()` list, and the (bounded) wait for the first connections the
 * transport's rendezvous lists.
 */
import type { Clock } from '../base/clock.js';
import { badarg } from '../base/errors.js';
import type { LogLevel } from '../interfaces/log.js';
import type { NodesKind } from '../interfaces/node-events.js';
import type { Capabilities } from '../interfaces/trust.js';
import type { ProcessRuntime } from '../process/runtime.js';
import { Guard } from '../trust/guard.js';
import { checkEncodings } from '../net/encodings.js';
import { checkMaxMessageBytes } from '../net/fragments.js';
import { NetKernel, type NetKernelEnv } from '../net/net-kernel.js';
import { InboundFlow } from '../net/inbound-flow.js';
import { webCrypto } from '../base/crypto.js';
import { NOT_ALIVE_NAME, parseNodeName } from '../terms/node-names.js';
import type { TicketSource } from '../trust/ticket.js';
import type { NodeOptions } from './options.js';

/** What the net kernel calls back into the node for. */
export type NetHooks = Pick<NetKernelEnv, 'cookieFor' | 'isAllowed' | 'onSignal' | 'onNodeDown' | 'onChange' | 'log'>;

/** The net kernel of a named node with a transport; undefined for `nonode@nohost`. */
export function startNetKernel(
  opts: NodeOptions,
  name: string,
  clock: Clock,
  tickets: TicketSource | undefined,
  runtime: ProcessRuntime<unknown>,
  membership: boolean,
  hooks: NetHooks,
): NetKernel | undefined {
  if (name === NOT_ALIVE_NAME || !opts.transport) return undefined;
  // With membership, the relay vouches for cookie holders that registered with this cookie.
  const vouchCookie = membership && !tickets && typeof opts.cookie === 'string' ? opts.cookie : undefined;
  // Back-pressure from a filling mailbox to the connection that fills it (inbound-flow.ts).
  const flow = new InboundFlow({
    clock,
    queued: (to) => {
      const pid = typeof to === 'string' ? runtime.registry.whereis(to) : to;
      return pid && runtime.local(pid)?.length;
    },
    setPeerFlow: (peer, hold) => kernel.setPeerFlow(peer, hold),
    isConnected: (peer) => kernel.isConnected(peer),
  });
  const kernel: NetKernel = new NetKernel({
    name,
    // The runtime's: a relay failover renews it (ListenOptions.onCreation, start-node.ts).
    get creation() {
      return runtime.creation;
    },
    flags: {
      hidden: !!opts.hidden,
      connectAll: opts.connectAll ?? true,
      mode: parseNodeName(name)?.mode ?? 'short',
      ...(opts.encodings !== undefined ? { encodings: checkEncodings(opts.encodings) } : {}),
      ...(opts.maxMessageBytes !== undefined ? { maxMessageBytes: checkMaxMessageBytes(opts.maxMessageBytes) } : {}),
    },
    transport: opts.transport,
    clock,
    crypto: opts.crypto ?? webCrypto,
    tickMs: opts.tickMs ?? 15_000,
    setupTimeoutMs: opts.setupTimeoutMs ?? 7_000,
    ...(tickets ? { ticket: () => tickets.get() } : {}),
    ...(vouchCookie !== undefined ? { vouchCookie } : {}),
    ...hooks,
    onSignal: (s, peer, role) => {
      hooks.onSignal(s, peer, role);
      flow.delivered(s, peer);
    },
    onPeerHolding: (peer) => flow.holding(peer),
  });
  return kernel;
}

/** Resolve once every connection attempt has settled, or after `waitMs`, whichever comes first. */
export function waitForAttempts(clock: Clock, attempts: Promise<unknown>[], waitMs: number): Promise<void> {
  if (waitMs <= 0 || attempts.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, waitMs);
    void Promise.all(attempts).then(() => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}

/** The capability guard of a node (trust/guard.ts): what ticket holders may do to it. */
export function startGuard<C>(
  capabilities: Capabilities | undefined,
  runtime: ProcessRuntime<C>,
  clock: Clock,
  net: () => NetKernel | undefined,
  isService: (name: string) => boolean,
  log: (level: LogLevel, text: string) => void,
): Guard {
  return new Guard(capabilities, {
    name: runtime.name,
    clock,
    log,
    route: (s) => runtime.route(s),
    roleOf: (peer) => {
      const n = net();
      return n ? n.roleOf(peer) : null;
    },
    disconnect: (peer, reason) => net()?.disconnect(peer, reason) ?? false,
    isService,
    nameOf: (pid) => runtime.registry.nameOf(pid),
    watchersFrom: (peer) => runtime.watchersFrom(peer),
    awaitedFrom: (to, ref) => runtime.local(to)?.monitorsIfAny?.get(ref.key)?.node ?? runtime.pendingSpawnNode(ref),
  });
}

/**
 * `node.nodes(kind)`: visible peers by default; also `'hidden'`, `'connected'` (all),
 * `'this'`, `'known'`, or a list of kinds.
 */
export function listNodes(name: string, net: Pick<NetKernel, 'peers'> | undefined, kind: NodesKind | NodesKind[]): string[] {
  const kinds = Array.isArray(kind) ? kind : [kind];
  const out: string[] = [];
  if (kinds.includes('this')) out.push(name);
  for (const k of kinds) {
    if (k === 'this') continue;
    else if (k === 'known') out.push(name, ...(net?.peers('connected') ?? []));
    else if (k === 'visible' || k === 'hidden' || k === 'connected') out.push(...(net?.peers(k) ?? []));
    else throw badarg(`nodes: unknown kind ${String(k)}`);
  }
  return [...new Set(out)];
}
