/**
 * A real `redis-server` for the relay-cluster scenarios (as test/support/redis-server.ts does
 * for the tests): a free loopback port, no persistence, tracked like every other child so that
 * it is killed when its scenario ends, fails or times out, and when the bench exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Tail, type Scope, track } from './children.js';

/** Why the cluster scenarios cannot run here, or undefined when redis-server is installed. */
export function redisUnavailable(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? undefined : 'redis-server not installed (apt-get install redis-server)';
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      res(d.toString().startsWith('+PONG'));
    });
    s.once('error', () => res(false));
  });
}

/** Start redis-server in `scope`; resolves with its URL once it answers PING. */
export async function startRedis(scope: Scope): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const tail = new Tail();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => tail.push(d));
  child.stderr?.on('data', (d: Buffer) => tail.push(d));
  const kill = (): void => {
    untrack();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const untrack = track({ kill });
  scope.add({ kill });
  const end = Date.now() + 10_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > end) {
      kill();
      throw new Error(`redis-server did not start on ${port}:\n${tail.toString()}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? -1 };
}
