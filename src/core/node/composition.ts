import type { ErlModule } from '../modules/module.js';
import type { Erpc } from '../rpc/erpc.js';
import type { Rpc } from '../rpc/rpc.js';
import type { Global } from '../global/global.js';
import type { Pg } from '../pg/pg.js';
import type { NodeServiceHost } from './service-host.js';

/**
 * The services and modules a node starts with: node/start-node.ts lists the defaults (the
 * composition root, as OTP's kernel lists its children).
 */
export interface NodeComposition {
  /** Loaded before `opts.modules`, in this order. */
  readonly modules: readonly ErlModule[];
  rpc(host: NodeServiceHost): Rpc;
  erpc(host: NodeServiceHost, rpc: Rpc): Erpc;
  /** A factory over the host (`globalService()`). */
  global(host: NodeServiceHost): Global;
  /** A factory over the host (`pgService()`). */
  pg(host: NodeServiceHost): Pg;
}

