/** The supervisor's state (the gen_server state of the `supervisor` callback module). */
import type { Pid } from '../../terms/pid.js';
import type { CheckedSpec, Strategy } from './spec.js';

/** One child: its spec and what runs it now. */
export interface ChildEntry {
  /** Unique within this supervisor; names the child in `$sup_try_again`. */
  key: number;
  id: string | undefined;
  spec: CheckedSpec;
  pid: Pid | 'restarting' | undefined;
  /** simple_one_for_one: the extra arguments this child was started with. */
  extra?: unknown[];
}

export interface SupervisorState {
  strategy: Strategy;
  intensity: number;
  period: number;
  /** In start order. */
  children: ChildEntry[];
  /** simple_one_for_one: the one spec. */
  template: CheckedSpec | undefined;
  /** Times of recent restarts, newest first. */
  restarts: number[];
  nextKey: number;
}

export const isSimple = (st: SupervisorState): boolean => st.strategy === 'simple_one_for_one';
