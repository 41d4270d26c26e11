/**
 * global: cluster-wide names (Erlang's `global`). STUB — being implemented.
 */
import type { Node } from '../node.js';

export class Global {
  constructor(readonly node: Node) {}
}
