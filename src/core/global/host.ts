import type { ServiceHost } from '../interfaces/service-host.js';

/** What the global service uses of its node. */
export type GlobalHost = Pick<
  ServiceHost,
  | 'name'
  | 'creation'
  | 'role'
  | 'log'
  | 'nodes'
  | 'isConnected'
  | 'isVouched'
  | 'monitorNodes'
  | 'startService'
  | 'run'
  | 'send'
  | 'isLocalAlive'
  | 'policyOf'
  | 'refused'
>;
