/**
 * The `user` io server: the group leader of the processes started on this node. It prints
 * each `['io_request', from, 'put_chars', text]` it receives to the node's output.
 */
import type { Pid } from '../terms/pid.js';
import type { ProcessContext } from '../process/context.js';
import type { ProcessRuntime } from '../process/runtime.js';

/** Start the `user` process of `runtime`, registered as `user`, as every process's default group leader. */
export function startUserIo(runtime: ProcessRuntime<ProcessContext>, output: (text: string) => void): Pid {
  const userProc = runtime.start(
    {
      body: async (self: ProcessContext) => {
        for (;;) {
          const m = (await self.receive()) as unknown[];
          if (Array.isArray(m) && m[0] === 'io_request' && m[2] === 'put_chars') output(String(m[3]));
        }
      },
    },
    { groupLeader: undefined as unknown as Pid },
  );
  runtime.setDefaultGroupLeader(userProc.pid);
  userProc.groupLeader = userProc.pid;
  runtime.registry.register('user', userProc.pid);
  return userProc.pid;
}
