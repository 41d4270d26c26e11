/**
 * The `user` io server: the group leader of the processes started on this node. It prints
 * each `['io_request', from, 'put_chars', text]` it receives to the node's output. And where
 * that output and the node's log go unless the options say otherwise.
 */
import type { Emitter } from '../base/emitter.js';
import type { LogEntry } from '../interfaces/log.js';
import type { NodeOptions } from './options.js';
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
      initialCall: ['user', 'server', 0],
    },
    { groupLeader: undefined as unknown as Pid },
  );
  runtime.setDefaultGroupLeader(userProc.pid);
  userProc.groupLeader = userProc.pid;
  runtime.registry.register('user', userProc.pid);
  return userProc.pid;
}

/** Output to `opts.output` (default: console.log), log lines to `opts.logger` (default: warnings and errors to console.error); `false` drops them. */
export function attachDefaultOutput(opts: NodeOptions, outputs: Emitter<string>, logs: Emitter<LogEntry>): void {
  if (opts.output !== false) outputs.on(opts.output ?? ((t) => console.log(t.endsWith('\n') ? t.slice(0, -1) : t)));
  if (opts.logger !== false) {
    logs.on(opts.logger ?? ((e) => (e.level === 'info' ? undefined : console.error(`[${e.node}] ${e.text}`))));
  }
}
