/**
 * erlmesh: Erlang/OTP's distribution for JavaScript. This entry is platform-free (Node and
 * browsers); `erlmesh/server` and `erlmesh/browser` add transports and platform defaults.
 */
export { startNode } from './node/start-node.js';
export { Node } from './node/node.js';
export type { NodeOptions } from './node/options.js';
export type { LogEntry, LogLevel } from './interfaces/log.js';
export { defineModule } from './modules/module.js';
export { UndefinedFunction } from './process/unwind.js';
export type { ErlModule, ModuleFunction } from './modules/module.js';
export { ProcessContext } from './process/context.js';
export type { Dest, MonitorTarget, ProcessFn } from './process/context.js';
export { TIMEOUT } from './base/timeout.js';
export type { Timeout } from './base/timeout.js';
export type { Matcher } from './interfaces/self.js';
export { Pid } from './terms/pid.js';
export { Ref } from './terms/ref.js';
export type { Term } from './terms/term.js';
export { encodeTerm, decodeTerm } from './codec/superjson.js';
export { formatTerm } from './terms/format.js';
// Erlang's External Term Format and the BEAM-side values (docs/beam-interop.md).
export { encodeEtf } from './etf/writer.js';
export type { EncodeEtfOptions } from './etf/writer.js';
export { decodeEtf, decodeEtfAt, decodeBareTermAt } from './etf/reader.js';
export type { DecodeEtfOptions } from './etf/reader.js';
export { etfEquals } from './etf/equal.js';
export { AtomBudget } from './etf/atom-budget.js';
export { List, list, charlist, ImproperList, improper } from './terms/beam-list.js';
export { Float, float } from './terms/beam-float.js';
export { Bitstring, bitstring, binary } from './terms/beam-binary.js';
export { BeamRef } from './terms/beam-ref.js';
export { BeamPort, BeamFun, BeamExport, exportFun } from './terms/beam-opaque.js';
export { attachBeamProxy } from './node/beam-proxy.js';
export { joinBeamGateway, type BeamGatewayJoined } from './node/beam-gateway-join.js';
export { ioFormat } from './terms/io-format.js';
export { ErlmeshError, BadRpcError, AuthError } from './base/errors.js';
export type { ErlmeshErrorCode } from './base/errors.js';
export type { Rpc } from './rpc/rpc.js';
export { ErpcError } from './rpc/erpc.js';
export type { Erpc } from './rpc/erpc.js';
export type { RpcApi, RpcKey, ErpcApi, ErpcRow, ErpcClass } from './interfaces/rpc-api.js';
export type { NodeApi, ModuleDef, ModuleFn } from './interfaces/node-api.js';
export type { Self, Body, SendOptions } from './interfaces/self.js';
export type { GlobalApi, GlobalResolve, GlobalResolveFn, GlobalLockId, NameService } from './interfaces/global-api.js';
export type { PgApi } from './interfaces/pg-api.js';
export type { MonitorNodesOptions, NodeEvent, NodeEventInfo, NodedownReason, NodesKind } from './interfaces/node-events.js';
export type { Transport, Channel, ChannelHandlers, Frame, Registration } from './net/transport.js';
export type { DistCrypto } from './base/crypto.js';
export { realClock } from './base/clock.js';
export type { Clock, TimerHandle } from './base/clock.js';
export { kvs } from './book/kvs.js';
export { distDemo } from './book/dist-demo.js';
export { MemoryNetwork } from './testing/memory-network.js';
export { SimulatedClock } from './testing/simulated-clock.js';
export { transportConformanceCases, runTransportConformance } from './testing/transport-conformance.js';
export type { TransportHarness } from './testing/transport-conformance.js';
export { genServer, defineGenServer, genServerModule, CallError, isNormalExit, supervisor, supervisorModule } from './behaviours/index.js';
export type {
  Action,
  CallResult,
  ChildStartOptions,
  Ctx,
  From,
  GenServerCallbacks,
  InitResult,
  NoReplyResult,
  ServerName,
  ServerRef,
  StartOptions,
  StartResult,
  ChildCounts,
  ChildInfo,
  ChildSpec,
  ChildStart,
  ChildType,
  NodeChoice,
  RestartType,
  Strategy,
  SupervisorSpec,
} from './behaviours/index.js';
export { kvsServer } from './book/kvs-server.js';
export { Global } from './global/global.js';
export { Pg } from './pg/pg.js';
export type { PgEvent, PgListener, PgScopeSubscription, PgGroupSubscription } from './pg/pg.js';
export type { Capabilities, RolePolicy, Allowlist, PeerRole } from './interfaces/trust.js';
export type { SendRefusedNotice, ExitRefusedNotice } from './trust/guard.js';
export type { ProcessInfo } from './interfaces/process-info.js';
export { observer } from './node/observer/module.js';
export type { NodeStats, PlatformMemory, ProcessRow, ProcessList, ProcessDetail, NamesView, InitialCall } from './node/observer/types.js';
export type { LinkStats } from './net/connection-stats.js';
export type { Via } from './net/carrier.js';
export type { TicketClaims } from './interfaces/trust.js';
export { mintTicket, parseTicket, checkClaims, ticketKey } from './trust/ticket.js';
export type { TicketOption, ParsedTicket, MintTicketOptions } from './trust/ticket.js';
