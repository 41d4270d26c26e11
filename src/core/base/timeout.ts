/** The value a receive resolves to when its timeout passes (Erlang's `after`). */
export const TIMEOUT: unique symbol = Symbol.for('erlmesh.TIMEOUT');
export type Timeout = typeof TIMEOUT;
