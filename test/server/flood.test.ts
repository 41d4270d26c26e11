/**
 * Issue 17 point 5, with real processes: a trusted node floods a process on another node for
 * 10 s while two honest nodes exchange sequenced messages and rpc with the victim and with
 * each other. No honest nodedown, no honest message lost or reordered, every rpc answered,
 * and the victim's memory bounded: its mailbox pauses the flooder (src/core/net/inbound-flow.ts)
 * instead of growing without end (before that: 3,000,000 queued messages in 529 MB through the
 * relay after 10 s, and still growing).
 *
 * Four node processes (test/support/flood-node.ts) and a relay in this process, on loopback.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startRelay, type Relay } from '../../src/server/relay/index.js';
import { MAILBOX_HIGH_WATER } from '../../src/core/net/inbound-flow.js';

const FLOOD_MS = 10_000;
const TICK_MS = 1_000; // a silent peer is dropped after 4–5 s: a stalled victim would show
const CHILD = resolve('test/support/flood-node.ts');
/** Bounds the victim must stay under (without back-pressure it passed both within seconds). */
const MAX_QUEUED = 1_000_000;
const MAX_RSS = 512 * 2 ** 20;

type Msg = { role: string; ev: string; [k: string]: unknown };
const kids: ChildProcess[] = [];
let relay: Relay | undefined;
afterAll(async () => {
  for (const k of kids) k.kill('SIGKILL');
  await relay?.close();
});

function start(role: string, url: string, seen: Msg[]): Promise<{ child: ChildProcess; name: string }> {
  const child = fork(CHILD, [], {
    env: { ...process.env, FLOOD_ROLE: role, FLOOD_RELAY: url, FLOOD_TICK_MS: String(TICK_MS) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  kids.push(child);
  child.on('message', (m: Msg) => seen.push(m));
  return new Promise((res, rej) => {
    child.on('exit', (code) => rej(new Error(`${role} exited with ${String(code)}`)));
    child.on('message', (m: Msg) => m.ev === 'ready' && res({ child, name: m.name as string }));
  });
}

function next(seen: Msg[], pred: (m: Msg) => boolean, ms: number): Promise<Msg> {
  return new Promise((res, rej) => {
    const end = Date.now() + ms;
    const look = (): void => {
      const m = seen.find(pred);
      if (m) return res(m);
      if (Date.now() > end) return rej(new Error(`no such message within ${ms} ms`));
      setTimeout(look, 50);
    };
    look();
  });
}

describe('a mailbox flood from a trusted node (real processes)', () => {
  it('pauses the flooder: honest nodes keep every connection, message and rpc, and the victim stays bounded', { timeout: 90_000 }, async () => {
    relay = await startRelay({ port: 0, host: '127.0.0.1', cookie: 'flood-cookie', logger: false });
    const seen: Msg[] = [];
    const victim = await start('victim', relay.url, seen);
    const [a, b, flooder] = await Promise.all(['honest-a', 'honest-b', 'flooder'].map((r) => start(r, relay!.url, seen)));
    a!.child.send({ cmd: 'run', peer: b!.name });
    b!.child.send({ cmd: 'run', peer: a!.name });
    flooder!.child.send({ cmd: 'flood', ms: FLOOD_MS });
    const flooded = await next(seen, (m) => m.ev === 'flooded', FLOOD_MS + 30_000);
    a!.child.send({ cmd: 'stop' });
    b!.child.send({ cmd: 'stop' });
    const ra = await next(seen, (m) => m.role === 'honest-a' && m.ev === 'result', 30_000);
    const rb = await next(seen, (m) => m.role === 'honest-b' && m.ev === 'result', 30_000);

    const stats = seen.filter((m) => m.ev === 'stats');
    const peakQueued = Math.max(...stats.map((m) => m.queued as number));
    const peakRss = Math.max(...stats.map((m) => m.rss as number));
    const honest = new Set([victim.name, a!.name, b!.name]);
    const honestDowns = seen.filter((m) => m.ev === 'nodedown' && m.role !== 'flooder' && honest.has(m.node as string));
    console.log(
      `flood: ${String(flooded.n)} sent in ${FLOOD_MS / 1000} s; victim peak queue ${peakQueued}, peak RSS ${Math.round(peakRss / 2 ** 20)} MB; ` +
        `honest sent ${String(ra.sent)}/${String(rb.sent)}, rpc ok ${String((ra.rpc as { ok: number }).ok + (rb.rpc as { ok: number }).ok)}; ` +
        `flooder nodedowns ${JSON.stringify(seen.filter((m) => m.ev === 'nodedown').map((m) => `${m.role}:${String(m.node)}:${String(m.reason)}`))}`,
    );

    expect(flooded.n as number).toBeGreaterThan(MAILBOX_HIGH_WATER); // it did flood
    expect(peakQueued).toBeGreaterThanOrEqual(MAILBOX_HIGH_WATER); // the victim's mailbox did fill
    expect(honestDowns).toEqual([]);
    for (const [r, other] of [[ra, rb], [rb, ra]] as const) {
      const n = r.sent as number;
      const upTo = (k: number): number[] => Array.from({ length: k }, (_, i) => i);
      expect(n).toBeGreaterThan(50); // every 50 ms for 10 s
      expect(r.echo).toEqual(upTo(n)); // through the victim, every one, in order
      expect(r.seq).toEqual(upTo(other.sent as number)); // from the other honest node
      expect(r.rpc).toEqual({ ok: 2 * n, failed: [] });
    }
    expect(peakQueued).toBeLessThan(MAX_QUEUED);
    expect(peakRss).toBeLessThan(MAX_RSS);
  });
});
