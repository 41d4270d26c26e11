/**
 * `erlmesh/testing`: what erlmesh's own tests run on, for yours. `MemoryNetwork` is an
 * in-memory network (names, connections, partitions, frozen and killed nodes) whose
 * `transport()` any `startNode` takes instead of a relay; `SimulatedClock` drives ticks and
 * timeouts without sleeping; the conformance suite checks a `Transport` of your own.
 *
 * @module erlmesh/testing
 */
export { MemoryNetwork } from './memory-network.js';
export type { MemoryNetworkOptions, MemoryTransport, TapFn } from './memory-network.js';
export { SimulatedClock } from './simulated-clock.js';
export { transportConformanceCases, runTransportConformance } from './transport-conformance.js';
export type { TransportConformanceCase, TransportHarness } from './transport-conformance.js';
