/**
 * A service's server process (node/service-host.ts `startService`: global's name server, pg's
 * scope servers) is a gen_server: `genServer.call`, `cast` and `stop` reach it as any
 * gen_server; an unexpected call is logged and not answered, a cast is dropped, a stop (or a
 * `self.exit` in `handle`) ends it with the "Generic server terminating" report when abnormal,
 * and it is restarted. A ticket holder cannot stop it (its system message is refused as forged).
 */
import { describe, expect } from 'vitest';
import { it } from '../../fixtures.js';
import { eventually } from '../../support/cluster.js';
import { forceRole } from '../../support/forced-role.js';
import { CallError, genServer, type Node, type Pid } from '../../../src/core/index.js';

const idle = (n: Node): Pid =>
  n.spawn(async (self) => {
    await self.receive(() => false);
  });

async function callError(p: Promise<unknown>): Promise<CallError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof CallError) return e;
    throw e;
  }
  throw new Error('the call did not fail');
}

/** Wait until `name` on `n` is registered to a pid other than `old`; that pid. */
async function restarted(n: Node, name: string, old: Pid): Promise<Pid> {
  await eventually(() => n.whereis(name) !== undefined && !n.whereis(name)!.equals(old));
  return n.whereis(name)!;
}

describe('a service server is a gen_server', () => {
  it('startService: call (logged, no reply), cast (dropped), self.exit in handle and stop (restart, report)', async ({ cluster: c }) => {
    const [a] = await c.startNodes('a');
    const seen: unknown[] = [];
    const starts: boolean[] = [];
    const h = a.host.startService({
      name: 'echo_srv',
      handle: (msg, self) => {
        seen.push(msg);
        if (msg === 'die') self.exit('died');
      },
      started: (_self, restart) => void starts.push(restart),
    });
    const first = h.pid();
    const e = await callError(genServer.call(a, 'echo_srv', 'which', 20));
    expect(e.code).toBe('timeout');
    expect(c.logs(a)).toContain("echo_srv: the server got an unexpected call 'which' from");
    genServer.cast(a, 'echo_srv', 'hello');
    a.send('echo_srv', 'info');
    await eventually(() => seen.length === 1);
    expect(seen).toEqual(['info']);
    expect(a.isProcessAlive(first)).toBe(true);
    // self.exit in handle ends the server (as before), now with the gen_server report.
    a.send('echo_srv', 'die');
    expect(await a.exitReason(first)).toBe('died');
    const second = await restarted(a, 'echo_srv', first);
    expect(c.output(a)).toContain("** Generic server 'echo_srv' terminating");
    expect(c.output(a)).toContain("** Last message in was 'die'");
    expect(c.output(a)).toContain("** Reason for termination ==\n** 'died'");
    // A normal stop: no report, restarted all the same (the restart intensity is unlimited).
    const before = c.output(a);
    await genServer.stop(a, 'echo_srv');
    const third = await restarted(a, 'echo_srv', second);
    expect(c.output(a)).toBe(before);
    expect(starts).toEqual([false, true, true]);
    expect(h.pid().equals(third)).toBe(true);
    h.stop();
  });

  it('global: a remote call to global_name_server is logged and not answered; a stop restarts it with its names', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    const p = idle(a);
    expect(await a.global.registerName('keep', p)).toBe('yes');
    await Promise.all([a.global.sync(), b.global.sync()]);
    const server = b.whereis('global_name_server')!;
    const e = await callError(genServer.call(a, ['global_name_server', b.name], 'which_names', 50));
    expect(e.code).toBe('timeout');
    expect(c.logs(b)).toContain("global_name_server: the server got an unexpected call 'which_names'");
    expect(b.whereis('global_name_server')!.equals(server)).toBe(true);
    await genServer.stop(a, ['global_name_server', b.name], 'crash');
    await restarted(b, 'global_name_server', server);
    expect(c.output(b)).toContain("** Generic server 'global_name_server' terminating");
    expect(c.output(b)).toContain("** Reason for termination ==\n** 'crash'");
    expect(b.global.whereisName('keep')?.equals(p)).toBe(true);
    expect(await b.global.registerName('after', idle(b))).toBe('yes');
    await Promise.all([a.global.sync(), b.global.sync()]);
    expect(a.global.registeredNames().sort()).toEqual(['after', 'keep']);
  });

  it('pg: genServer.stop on a scope server restarts it, keeping its members', async ({ cluster: c }) => {
    const [a, b] = await c.startNodes('a', 'b');
    expect(await a.ping(b.name)).toBe('pong');
    const ap = idle(a);
    a.pg.join('g', ap);
    await eventually(() => b.pg.getMembers('g').length === 1);
    const old = a.whereis('pg')!;
    await genServer.stop(b, ['pg', a.name]);
    await restarted(a, 'pg', old);
    expect(a.pg.getMembers('g').map((x) => x.key)).toEqual([ap.key]);
    const ap2 = idle(a);
    a.pg.join('g', ap2);
    await eventually(() => b.pg.getMembers('g').length === 2);
  });

  it('a ticket holder cannot stop or call a name service (refused as forged); its cast is dropped', async ({ cluster: c }) => {
    const b = await c.node('b', { capabilities: { guest: {} } });
    const a = await c.node('a');
    forceRole(b, a.name, 'guest');
    expect(await a.ping(b.name)).toBe('pong');
    const server = b.whereis('global_name_server')!;
    expect((await callError(genServer.stop(a, ['global_name_server', b.name], 'crash', 50))).code).toBe('timeout');
    expect((await callError(genServer.call(a, ['pg', b.name], 'x', 50))).code).toBe('timeout');
    // A cast that names the holder as its sender gets through, and is dropped.
    genServer.cast(a, ['global_name_server', b.name], a.name);
    genServer.cast(a, ['pg', b.name], a.name);
    expect(await b.global.registerName('still', idle(b))).toBe('yes');
    expect(b.whereis('global_name_server')!.equals(server)).toBe(true);
    expect(c.logs(b)).toContain("capabilities: refused a forged message to 'global_name_server'");
    expect(c.logs(b)).toContain("capabilities: refused a forged message to 'pg'");
    expect(c.logs(b)).not.toContain('unexpected call');
  });
});
