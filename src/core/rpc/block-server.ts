/**
 * The callee side of `rpc.blockCall`: block calls to a node run one at a time, in the order
 * they arrive. OTP 25's rpc server (`rex`) runs each `block_call` itself, so one blocks the
 * next (and every other request to `rex`) until it returns, while `rpc:call` goes through erpc
 * and is never held up (checked on erl: three concurrent `block_call`s of a 200 ms function
 * take 600 ms, three `call`s 200 ms; a timed-out `block_call` keeps the server busy until the
 * function returns).
 *
 * Here the function runs in its erpc worker as for `call`, and a registered process `rex`,
 * started on the node's first block call, hands out turns: a worker asks for one, runs the
 * function once granted, and its end (a return, a throw, an exit signal) passes the turn on,
 * as the server monitors the holder. Only local pids may ask.
 */
import type { Self } from '../interfaces/self.js';
import type { ProcessContext } from '../process/context.js';
import { isDownFor } from '../terms/guards.js';
import { Pid } from '../terms/pid.js';
import { Ref } from '../terms/ref.js';

/** The registered name of the turn server (Erlang's rpc server). */
export const BLOCK_SERVER = 'rex';

/** Wait for this worker's turn on its node (see the file comment). */
export async function takeTurn(self: ProcessContext): Promise<void> {
  for (;;) {
    const server = blockServer(self);
    const ref = self.monitor(server);
    self.send(server, ['$block_turn', self.pid, ref]);
    const m = await self.receive((x) => isDownFor(x, ref) || (Array.isArray(x) && x[0] === '$block_go' && ref.equals(x[1])));
    if ((m as unknown[])[0] === '$block_go') {
      self.demonitor(ref, { flush: true });
      return;
    }
    // The server is gone (killed, as `rex` may be): ask its successor.
  }
}

/** This node's turn server, started if there is none. */
function blockServer(self: ProcessContext): Pid {
  const found = self.node.whereis(BLOCK_SERVER);
  if (found) return found;
  const here = self.node.name;
  const pid = self.node.spawn((s) => serveTurns(s, here));
  self.node.register(BLOCK_SERVER, pid);
  return pid;
}

/** The server's loop: a FIFO of workers; the holder's DOWN grants the next turn. */
async function serveTurns(self: Self, here: string): Promise<void> {
  const queue: Array<{ pid: Pid; tag: Ref }> = [];
  let holder: Ref | undefined;
  for (;;) {
    const m: unknown = await self.receive();
    if (Array.isArray(m) && m[0] === '$block_turn' && m[1] instanceof Pid && m[1].node === here && m[2] instanceof Ref) {
      queue.push({ pid: m[1], tag: m[2] });
    } else if (holder && isDownFor(m, holder)) holder = undefined;
    if (!holder) {
      const next = queue.shift();
      if (next) {
        // A worker that died while it waited is DOWN at once ('noproc'): the turn moves on.
        holder = self.monitor(next.pid);
        self.send(next.pid, ['$block_go', next.tag]);
      }
    }
  }
}
