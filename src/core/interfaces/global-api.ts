/**
 * The public API of global (`node.global`), Erlang's cluster-wide names and locks; global/
 * implements it. Types only.
 */
import type { Pid } from '../terms/pid.js';

/**
 * Picks the winner of a name clash (`pid1`, `pid2`, or undefined for neither).
 *
 * @example
 * const preferLocal: GlobalResolveFn = (_name, pid1, pid2) => (pid1.node === node.name ? pid1 : pid2);
 */
export type GlobalResolveFn = (name: string, pid1: Pid, pid2: Pid) => Pid | undefined | Promise<Pid | undefined>;

/**
 * How a name clash is resolved: one of OTP's three, or a function.
 *
 * @example
 * await node.global.registerName('leader', self.pid, 'notify_all');
 */
export type GlobalResolve = 'random_exit' | 'random_notify' | 'notify_all' | GlobalResolveFn;

/**
 * A lock id: `[resourceId, requesterId]`.
 *
 * @example
 * const id: GlobalLockId = ['accounts', self.pid];
 * await node.global.trans(id, () => transfer(100));
 */
export type GlobalLockId = readonly [resourceId: unknown, requesterId: unknown];

/**
 * Cluster-wide names and locks (`node.global`, Erlang's global).
 *
 * @example
 * await node.global.registerName('leader', pid); // 'yes' or 'no'
 * node.global.send('leader', ['hello', node.name]);
 * node.global.whereisName('leader');             // the pid, on every node
 */
export interface GlobalApi {
  registerName(name: string, pid: Pid, resolve?: GlobalResolve): Promise<'yes' | 'no'>;
  reRegisterName(name: string, pid: Pid, resolve?: GlobalResolve): Promise<'yes'>;
  unregisterName(name: string): Promise<'ok'>;
  whereisName(name: string): Pid | undefined;
  send(name: string, msg: unknown): Pid;
  registeredNames(): string[];
  sync(): Promise<'ok'>;
  setLock(id: GlobalLockId, nodes?: string[], retries?: number): Promise<boolean>;
  delLock(id: GlobalLockId, nodes?: string[]): Promise<true>;
  trans<T>(id: GlobalLockId, fn: () => T | Promise<T>, nodes?: string[], retries?: number): Promise<T | 'aborted'>;
}

/**
 * The part of global the behaviours use for `['global', name]` server names.
 *
 * @example
 * const names: NameService = node.global;
 * names.whereisName('leader');
 */
export type NameService = Pick<GlobalApi, 'registerName' | 'whereisName' | 'unregisterName' | 'send'>;
