/**
 * The floor of the cross-relay rows: a bare echo through redis-server between two processes,
 * with the client the relays use (ioredis), and nothing of erlmesh. This process subscribes to
 * `erlmesh-bench:ping` (role `echo`) and publishes each message back on `erlmesh-bench:pong`;
 * a second instance (role `measure`) times the round trips (publish → the echo process →
 * publish back → here), after a warm-up, as the relays' clients would see them.
 *
 *   options (argv[2]): { url, role: 'echo' | 'measure' }
 *   commands (measure): echo { warm, n } → summarize() of the round trips (bench/lib/stats.ts)
 */
import { Redis } from 'ioredis';
import { summarize } from '../lib/stats.js';
import { childOptions, serve } from './ipc.js';

const o = childOptions<{ url: string; role: 'echo' | 'measure' }>();
const PING = 'erlmesh-bench:ping';
const PONG = 'erlmesh-bench:pong';
const sub = new Redis(o.url, { lazyConnect: true });
const pub = new Redis(o.url, { lazyConnect: true });
let resolve: (() => void) | undefined;

await serve(
  async () => {
    await Promise.all([sub.connect(), pub.connect()]);
    await sub.subscribe(o.role === 'echo' ? PING : PONG);
    sub.on('messageBuffer', (_ch: Buffer, m: Buffer) => {
      if (o.role === 'echo') void pub.publish(PONG, m);
      else resolve?.();
    });
    return {};
  },
  {
    echo: async (a) => {
      const { warm, n } = a as { warm: number; n: number };
      const payload = Buffer.alloc(100);
      const us: number[] = [];
      for (let i = 0; i < warm + n; i++) {
        const t0 = process.hrtime.bigint();
        await new Promise<void>((r) => {
          resolve = r;
          void pub.publish(PING, payload);
        });
        if (i >= warm) us.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
      return summarize(us);
    },
  },
);
