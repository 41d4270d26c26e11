/**
 * OTP behaviours: genServer (gen_server) and supervisor, built from ordinary processes and
 * two built-in modules (`gen_server`, `supervisor`) that every node loads.
 */
export { genServer, defineGenServer, enterLoop, genServerModule, CallError, isNormalExit } from './gen-server/index.js';
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
} from './gen-server/index.js';
export { supervisor, supervisorModule } from './supervisor/index.js';
export type {
  ChildCounts,
  ChildInfo,
  ChildSpec,
  ChildStart,
  ChildType,
  NodeChoice,
  RestartType,
  Strategy,
  SupervisorSpec,
} from './supervisor/index.js';
