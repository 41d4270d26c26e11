/**
 * Server references and names: checking them, resolving a reference to where a message goes,
 * and the cluster-wide name service behind `['global', name]`.
 */
import { badarg, ErlmeshError } from '../../base/errors.js';
import type { NameService } from '../../interfaces/name-service.js';
import { formatTerm } from '../../terms/format.js';
import { isNameNode } from '../../terms/guards.js';
import { Pid } from '../../terms/pid.js';
import type { HostNode, ServerName, ServerRef } from './types.js';

/** The global-name service of `node` (its `global`). */
export function nameService(node: HostNode): NameService {
  const names: NameService | undefined = node.global;
  if (!names) throw new ErlmeshError('badarg', 'global names are not available on this node');
  return names;
}

export function isGlobalRef(x: unknown): x is readonly ['global', string] {
  return Array.isArray(x) && x.length === 2 && x[0] === 'global' && typeof x[1] === 'string';
}

export function checkServerName(name: unknown): asserts name is ServerName | undefined {
  if (name === undefined) return;
  if (isGlobalRef(name) && name[1].length > 0) return;
  if (typeof name === 'string' && name.length > 0 && name !== 'undefined') return;
  throw badarg(`genServer: bad name ${formatTerm(name)} (a non-empty string or ['global', name])`);
}

export function checkServerRef(ref: unknown): asserts ref is ServerRef {
  if (ref instanceof Pid || (typeof ref === 'string' && ref.length > 0) || isNameNode(ref)) return;
  throw badarg(`genServer: bad server reference ${formatTerm(ref)} (a pid, a name, [name, node] or ['global', name])`);
}

export { checkTimeoutMs } from '../../base/timeout.js';

/** Where to send: a pid, or `[name, node]`; undefined when a local or global name is not registered. */
export function resolveRef(node: HostNode, ref: ServerRef): Pid | readonly [string, string] | undefined {
  if (ref instanceof Pid) return ref;
  if (typeof ref === 'string') return node.whereis(ref);
  if (isGlobalRef(ref)) return nameService(node).whereisName(ref[1]);
  return ref;
}

export function targetNode(t: Pid | readonly [string, string]): string {
  return t instanceof Pid ? t.node : t[1];
}
