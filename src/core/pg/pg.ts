/**
 * pg: process groups (Erlang's `pg`). STUB — being implemented.
 */
import type { Node } from '../node.js';

export class Pg {
  constructor(readonly node: Node) {}
}
