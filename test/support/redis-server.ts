/**
 * A real `redis-server` (Debian's; scripts/test.sh installs it) on a free loopback port, for
 * the relay-cluster tests: no persistence, killed by `stop()`; `kill()` + `start()` again
 * simulate a Redis crash and restart on the same port (its data is gone, as after a crash).
 *
 * ```ts
 * const redis = await RedisServer.start();
 * afterAll(() => redis.stop());
 * startRelay({ cookie, redis: redis.url });
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './os-processes.js';

export class RedisServer {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(readonly port: number) {}

  /** A new server on a free port, answering. */
  static async start(): Promise<RedisServer> {
    const r = new RedisServer(await freePort());
    await r.start();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)start on the same port; resolves once it accepts connections. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (this.output += d));
    const end = Date.now() + 10_000;
    while (!(await answers(this.port))) {
      if (child.exitCode !== null || Date.now() > end) throw new Error(`redis-server did not start on ${this.port}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** kill -9 (a crash); resolves once the process is gone. */
  async kill(): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }

  stop(): Promise<void> {
    return this.kill();
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.write('PING\r\n');
    });
    s.once('data', (d) => {
      s.destroy();
      res(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => res(false));
  });
}
