/**
 * Issue 3 acceptance: the book's walkthrough and Erlang's failure semantics across real OS
 * processes (an `erlmesh relay` and several `erlmesh node` shells on 127.0.0.1), driven
 * through their shells' stdin as a user types.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErlmeshProcess, freePort, killAll, sandboxHome, SHORT_HOST } from '../support/os-processes.js';

const COOKIE = 'cluster-cookie';
let home: string;

afterEach(async () => killAll());

async function relay(port?: number): Promise<{ p: ErlmeshProcess; url: string; port: number }> {
  port ??= await freePort();
  home ??= sandboxHome();
  const p = new ErlmeshProcess(['relay', '--port', String(port), '--cookie', COOKIE], { HOME: home });
  const m = await p.waitFor(/listening on (ws:\/\/\S+)/);
  return { p, url: m[1]!, port };
}

async function shell(name: string, url: string, ...extra: string[]): Promise<ErlmeshProcess> {
  const long = name.includes('@');
  const p = new ErlmeshProcess(['node', long ? '--name' : '--sname', name, '--cookie', COOKIE, '--relay', url, ...extra], {
    HOME: home,
  });
  await p.prompt();
  return p;
}

/** Evaluate `expr` in a shell until its output matches (bounded). */
const until = (p: ErlmeshProcess, expr: string, re: RegExp, ms = 15_000): Promise<string> => p.evalUntil(expr, re, ms);

const G = `gandalf@${SHORT_HOST}`;
const B = `bilbo@${SHORT_HOST}`;

describe('erlmesh across OS processes', () => {
  it("the book's phase 2 walkthrough: gandalf runs kvs, bilbo stores and looks up by rpc, gandalf sees the value", async () => {
    const r = await relay();
    const gandalf = await shell('gandalf', r.url);
    expect(await gandalf.eval('kvs.start()')).toBe('true');
    const bilbo = await shell('bilbo', r.url);
    expect(await bilbo.eval(`rpc.call('${G}', 'kvs', 'store', ['weather', 'fine'])`)).toBe('true');
    expect(await bilbo.eval(`rpc.call('${G}', 'kvs', 'lookup', ['weather'])`)).toBe("['ok', 'fine']");
    expect(await gandalf.eval("kvs.lookup('weather')")).toBe("['ok', 'fine']");
    // the book's remote spawn: list gandalf's directory from bilbo
    expect(await bilbo.eval(`pid = await dist_demo.start('${G}')`)).toMatch(/^<gandalf@/);
    expect(await bilbo.eval("dist_demo.rpc(pid, 'file', 'list_dir', ['bin'])")).toBe("['ok', ['erlmesh.js']]");
  });

  it('transitive mesh over three processes; long names work together and refuse short-name peers', async () => {
    const r = await relay();
    const a = await shell('a@127.0.0.1', r.url);
    await shell('b@127.0.0.1', r.url);
    const c = await shell('c@127.0.0.1', r.url);
    expect(await c.eval('nodes().sort()')).toBe("['a@127.0.0.1', 'b@127.0.0.1']");
    expect(await until(a, 'nodes().sort()', /'b@127.0.0.1', 'c@127.0.0.1'/)).toBe("['b@127.0.0.1', 'c@127.0.0.1']");
    const s = await shell('s', r.url);
    expect(await s.eval("ping('a@127.0.0.1')")).toBe("'pang'");
    expect(await s.eval("node.lastConnectError('a@127.0.0.1')")).toBe("'name_mode_mismatch'");
    expect(s.stderr).toMatch(/Hostname 127\.0\.0\.1 is illegal/);
    expect(await a.eval(`ping('s@${SHORT_HOST}')`)).toBe("'pang'");
    expect(await s.eval('nodes()')).toBe('[]');
  });

  it('a wrong cookie: the relay refuses the node (bad_cookie, logged); between admitted nodes, pang + bad_cookie', async () => {
    const r = await relay();
    const intruder = new ErlmeshProcess(['node', '--sname', 'intruder', '--cookie', 'wrong', '--relay', r.url, '--noshell'], { HOME: home });
    expect(await intruder.exited).toBe(1);
    expect(intruder.stderr).toMatch(/bad_cookie|cookie/i);
    await r.p.waitFor(/intruder@\S+.*bad_cookie|bad_cookie.*intruder@/, 5_000, 'stderr');

    const gandalf = await shell('gandalf', r.url, '--no-connect-all');
    const bilbo = await shell('bilbo', r.url, '--no-connect-all');
    await bilbo.eval(`node.setCookie('${G}', 'not-the-cookie')`);
    expect(await bilbo.eval(`ping('${G}')`)).toBe("'pang'");
    expect(await bilbo.eval(`node.lastConnectError('${G}')`)).toBe("'bad_cookie'");
    await gandalf.waitFor(/Invalid challenge reply/, 5_000, 'stderr');
  });

  it('a duplicate name is refused with name_taken and an Erlang-like message', async () => {
    const r = await relay();
    await shell('gandalf', r.url);
    const dup = new ErlmeshProcess(['node', '--sname', 'gandalf', '--cookie', COOKIE, '--relay', r.url, '--noshell'], { HOME: home });
    expect(await dup.exited).toBe(1);
    expect(dup.stderr).toContain(`the name ${G} seems to be in use by another erlmesh node`);
  });

  it("kill -9 of a node: nodedown, and ['EXIT', pid, 'noconnection'] at a linked process elsewhere", async () => {
    const r = await relay();
    const gandalf = await shell('gandalf', r.url);
    const bilbo = await shell('bilbo', r.url);
    await bilbo.eval("evs = []; node.monitorNodes((e) => evs.push(e), { nodedownReason: true }); 'ok'");
    expect(await bilbo.eval(`p = await spawn('${G}', 'dist_demo', 'loop', [])`)).toMatch(/^<gandalf@/);
    await bilbo.eval('self.trapExit(true); self.link(p)');
    gandalf.kill('SIGKILL');
    await gandalf.exited;
    expect(await bilbo.eval("receive((m) => m[0] === 'EXIT', 10000)")).toMatch(/^\['EXIT', <gandalf@[^>]+>, 'noconnection'\]$/);
    expect(await until(bilbo, 'evs', /nodedown/)).toContain(`['nodedown', '${G}', { nodedownReason: 'connection_closed' }]`);
  });

  it('SIGSTOP: a frozen peer is reported down with net_tick_timeout', async () => {
    const r = await relay();
    const gandalf = await shell('gandalf', r.url, '--ticktime', '2');
    const bilbo = await shell('bilbo', r.url, '--ticktime', '2');
    await bilbo.eval("evs = []; node.monitorNodes((e) => evs.push(e), { nodedownReason: true }); 'ok'");
    expect(await bilbo.eval(`ping('${G}')`)).toBe("'pong'");
    process.kill(gandalf.pid, 'SIGSTOP');
    try {
      const out = await until(bilbo, 'evs', /nodedown/, 20_000);
      expect(out).toContain(`['nodedown', '${G}', { nodedownReason: 'net_tick_timeout' }]`);
      expect(bilbo.stderr).toContain(`Node ${G} not responding`);
    } finally {
      process.kill(gandalf.pid, 'SIGCONT');
    }
  });

  it('relay restart: relayed links go down with noconnection, the mesh comes back and rpc works again', async () => {
    const r = await relay();
    const gandalf = await shell('gandalf', r.url, '--no-direct');
    const bilbo = await shell('bilbo', r.url, '--no-direct');
    expect(await gandalf.eval('kvs.start()')).toBe('true');
    expect(await bilbo.eval(`rpc.call('${G}', 'kvs', 'store', ['weather', 'fine'])`)).toBe('true');
    r.p.kill('SIGTERM');
    await r.p.exited;
    await until(bilbo, 'nodes()', /^\[\]$/);
    expect(await bilbo.eval(`rpc.call('${G}', 'kvs', 'lookup', ['weather']).catch((e) => e.reason)`)).toBe("'nodedown'");
    await relay(r.port);
    await until(bilbo, 'nodes()', new RegExp(`'${G}'`), 20_000);
    expect(await bilbo.eval(`rpc.call('${G}', 'kvs', 'lookup', ['weather'])`)).toBe("['ok', 'fine']");
    expect(await until(gandalf, 'nodes()', new RegExp(`'${B}'`))).toBe(`['${B}']`);
  });

  it('direct server-to-server links keep carrying traffic when the relay is stopped after they formed', async () => {
    const r = await relay();
    const gandalf = await shell('gandalf', r.url);
    const bilbo = await shell('bilbo', r.url);
    expect(await bilbo.eval(`rpc.call('${G}', 'erlang', 'node', [])`)).toBe(`'${G}'`);
    r.p.kill('SIGTERM');
    await r.p.exited;
    expect(await bilbo.eval(`rpc.call('${G}', 'math', 'sqrt', [16])`)).toBe('4');
    expect(await bilbo.eval('nodes()')).toBe(`['${G}']`);
    expect(await gandalf.eval(`rpc.call('${B}', 'erlang', 'node', [])`)).toBe(`'${B}'`);
  });
});
