/**
 * The floor of the ping-pong rows: a bare TCP echo between two Node processes over loopback,
 * 60 bytes each way with TCP_NODELAY, and nothing of erlmesh but its event-loop busy wait
 * (src/server/busy-wait.ts, kicked on every read as erlmesh's sockets kick it; off with
 * ERLMESH_BUSY_WAIT_MS=0 in both processes). Role `echo` listens and writes back what it
 * reads; role `measure` connects and times the round trips after a warm-up.
 *
 *   options (argv[2]): { role: 'echo' } → { port }, or { role: 'measure', port }
 *   commands (measure): pingpong { warm, n } → summarize() of the round trips (bench/lib/stats.ts) + p999_us
 */
import * as net from 'node:net';
import { busyWaitKick } from '../../src/server/busy-wait.js';
import { percentile, summarize } from '../lib/stats.js';
import { childOptions, serve } from './ipc.js';

const o = childOptions<{ role: 'echo' | 'measure'; port?: number }>();
let socket: net.Socket | undefined;

await serve(
  async () => {
    if (o.role === 'echo') {
      const server = net.createServer((s) => {
        s.setNoDelay(true);
        s.on('data', (d) => {
          busyWaitKick();
          s.write(d);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      return { port: (server.address() as net.AddressInfo).port };
    }
    socket = net.connect(o.port!, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((r) => socket!.once('connect', r));
    return {};
  },
  {
    pingpong: async (a) => {
      const { warm, n } = a as { warm: number; n: number };
      const s = socket!;
      const payload = Buffer.alloc(60);
      const us: number[] = [];
      let t0 = 0n;
      let i = 0;
      await new Promise<void>((done) => {
        s.on('data', () => {
          busyWaitKick();
          if (i++ >= warm) us.push(Number(process.hrtime.bigint() - t0) / 1000);
          if (i === warm + n) return done();
          t0 = process.hrtime.bigint();
          s.write(payload);
        });
        t0 = process.hrtime.bigint();
        s.write(payload);
      });
      s.removeAllListeners('data');
      return { ...summarize(us), p999_us: percentile([...us].sort((x, y) => x - y), 99.9) };
    },
  },
);
