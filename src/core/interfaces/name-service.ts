/**
 * `NameService`: the part of cluster-wide names (Erlang's `global`, `node.global`) that the
 * behaviours use, to register a server under `['global', name]` and to find one. Types only.
 */
import type { Pid } from '../terms/pid.js';

export interface NameService {
  /** Register `name` for `pid` cluster-wide: `'no'` when the name is taken or the pid has a global name. */
  registerName(name: string, pid: Pid): Promise<'yes' | 'no'>;
  /** The pid registered under `name`, as this node's table knows it. */
  whereisName(name: string): Pid | undefined;
}
