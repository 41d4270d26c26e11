import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import type { Self } from '../../../src/core/interfaces/self.js';
import { Pid } from '../../../src/core/terms/pid.js';

describe('ServiceHost (node/service-host.ts)', () => {
  it('startService: registers the server, hands it each message, restarts it when it exits', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    const seen: unknown[] = [];
    const starts: boolean[] = [];
    const h = a.host.startService({
      name: 'echo_srv',
      handle: (msg, self) => {
        seen.push(msg);
        if (Array.isArray(msg) && msg[0] === 'ping') self.send(msg[1] as Pid, ['pong', self.pid]);
        if (msg === 'boom') throw new Error('bad message');
      },
      started: (self, restart) => {
        starts.push(restart);
        expect(a.whereis('echo_srv')?.equals(self.pid)).toBe(true);
      },
    });
    const first = h.pid();
    expect(a.whereis('echo_srv')?.equals(first)).toBe(true);
    const reply = await a.host.run(async (self) => {
      self.send('echo_srv', ['ping', self.pid]);
      return self.receive((m) => m[0] === 'pong', 1_000);
    });
    expect((reply as [string, Pid])[1].equals(first)).toBe(true);
    // A throw in `handle` is logged, not fatal.
    a.send('echo_srv', 'boom');
    await new Promise((r) => setTimeout(r, 10));
    expect(c.logs(a)).toContain('echo_srv: the server failed on a message');
    expect(a.isProcessAlive(first)).toBe(true);
    // Killed: started again under the same name.
    a.exit(first, 'kill');
    await a.exitReason(first);
    await new Promise((r) => setTimeout(r, 0));
    expect(starts).toEqual([false, true]);
    const second = h.pid();
    expect(second.equals(first)).toBe(false);
    expect(a.whereis('echo_srv')?.equals(second)).toBe(true);
    // Every role may send to a service's name (it checks its own capability).
    expect(a.host.serviceNames.has('echo_srv')).toBe(true);
    h.stop();
    await a.exitReason(second);
    await new Promise((r) => setTimeout(r, 0));
    expect(a.whereis('echo_srv')).toBeUndefined();
    expect(a.host.serviceNames.has('echo_srv')).toBe(false);
  });

  it('startService gives up quietly when the node stops, and calls gaveUp', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    const gaveUp: unknown[] = [];
    a.host.startService({ name: 'quiet_srv', handle: () => {}, started: () => {}, gaveUp: (reason) => gaveUp.push(reason) });
    await a.stop();
    await new Promise((r) => setTimeout(r, 0));
    expect(gaveUp).toEqual(['shutdown']);
    expect(c.logs(a)).not.toContain('quiet_srv');
    expect(() => a.host.startService({ name: 'late', handle: () => {}, started: () => {} })).toThrow(/notalive|stopped/);
  });

  it('run settles with the value or the error; the process then ends', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    let pid: Pid | undefined;
    expect(
      await a.host.run((self: Self) => {
        pid = self.pid;
        return 42;
      }),
    ).toBe(42);
    await expect(a.host.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await new Promise((r) => setTimeout(r, 0));
    expect(a.isProcessAlive(pid!)).toBe(false);
  });

  it('send with noconnect drops a message to a node that is not connected, and sets up no connection', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    a.disconnect(b.name);
    await new Promise((r) => setTimeout(r, 10));
    expect(a.nodes()).toEqual([]);
    a.host.send(['nobody', b.name], 'hi', { noconnect: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(a.nodes()).toEqual([]);
    // Without noconnect the send connects (Erlang's auto-connect).
    const got = b.spawn(async (self) => self.receive(undefined, 1_000));
    b.register('inbox', got);
    a.host.send(['inbox', b.name], 'hello');
    expect(await b.exitReason(got)).toBe('normal');
    expect(a.nodes()).toEqual([b.name]);
  });

  it('policyOf: everything (undefined) for a cookie holder and for the node itself, null when not connected', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    expect(a.host.policyOf(a.name)).toBeUndefined();
    expect(a.host.policyOf(b.name)).toBeUndefined();
    expect(a.host.policyOf('zz@vm')).toBeNull();
    expect(a.host.whereis('user')).toBeInstanceOf(Pid);
    expect(a.host.isLocalAlive(a.host.whereis('user')!)).toBe(true);
    expect(await a.host.exitReason(new Pid('zz@vm', 1, 0, 1))).toBe('noproc');
  });
});
