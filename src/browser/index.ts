/**
 * erlmesh/browser: tab-nodes. Everything of `erlmesh` plus a `startNode` that connects the
 * tab to the relay with the browser's WebSocket and wires the page lifecycle.
 *
 * @module erlmesh/browser
 */
export {
  Node, defineModule, UndefinedFunction, ProcessContext, TIMEOUT, Pid, Ref, encodeTerm,
  decodeTerm, formatTerm, ioFormat, ErlmeshError, BadRpcError, AuthError, ErpcError, realClock,
  kvs, distDemo, MemoryNetwork, SimulatedClock, transportConformanceCases,
  runTransportConformance, genServer, defineGenServer, genServerModule, CallError, isNormalExit,
  supervisor, supervisorModule, kvsServer, Global, Pg, mintTicket, parseTicket, checkClaims,
  ticketKey,
} from '../core/index.js';
export type {
  NodeOptions, LogEntry, LogLevel, ErlModule, ModuleFunction, Dest, MonitorTarget, ProcessFn,
  Timeout, Matcher, Term, ErlmeshErrorCode, RpcApi, RpcKey, ErpcApi, ErpcRow, ErpcClass, NodeApi,
  ModuleDef, ModuleFn, Self, Body, SendOptions, GlobalApi, GlobalResolve, GlobalResolveFn,
  GlobalLockId, NameService, PgApi, MonitorNodesOptions, NodeEvent, NodeEventInfo, NodedownReason,
  NodesKind, Transport, Channel, ChannelHandlers, Frame, Registration, DistCrypto, Clock,
  TimerHandle, TransportHarness, Action, CallResult, ChildStartOptions, Ctx, From,
  GenServerCallbacks, InitResult, NoReplyResult, ServerName, ServerRef, StartOptions, StartResult,
  ChildCounts, ChildInfo, ChildSpec, ChildStart, ChildType, NodeChoice, RestartType, Strategy,
  SupervisorSpec, PgEvent, PgListener, PgScopeSubscription, PgGroupSubscription, Capabilities,
  RolePolicy, Allowlist, PeerRole, SendRefusedNotice, ExitRefusedNotice, ProcessInfo,
  TicketClaims, TicketOption, ParsedTicket, MintTicketOptions, Rpc, Erpc,
} from '../core/index.js';
export { startNode } from './tab-node.js';
export type { TabNodeOptions } from './tab-node.js';
