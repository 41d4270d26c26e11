/**
 * Issue 13 point 3, relay failover, across real OS processes: two independent relays with the
 * same cookie; xavier is given [r1, r2], yara [r2] only, zed [r1] only. When r1 is killed (-9),
 * what xavier had across r1 fires `noconnection` (a link and a monitor on a process of zed),
 * and xavier comes back on r2 under the same name with a greater creation: yara sees its
 * nodeup and an rpc from xavier to yara works. Relayed only (`--no-direct`): a direct link
 * between server-nodes would survive the relay.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErlmeshProcess, freePort, killAll, sandboxHome, SHORT_HOST } from '../support/os-processes.js';

const COOKIE = 'failover-cookie';
let home: string;

afterEach(async () => killAll());

async function relay(): Promise<{ p: ErlmeshProcess; url: string }> {
  home ??= sandboxHome();
  const p = new ErlmeshProcess(['relay', '--port', String(await freePort()), '--cookie', COOKIE], { HOME: home });
  const m = await p.waitFor(/listening on (ws:\/\/\S+)/);
  return { p, url: m[1]! };
}

async function shell(name: string, ...relays: string[]): Promise<ErlmeshProcess> {
  const p = new ErlmeshProcess(['node', '--sname', name, '--cookie', COOKIE, ...relays.flatMap((r) => ['--relay', r]), '--no-direct'], { HOME: home });
  await p.prompt();
  return p;
}

/** Evaluate `expr` in a shell until its output matches (bounded). */
const until = (p: ErlmeshProcess, expr: string, re: RegExp, ms = 20_000): Promise<string> => p.evalUntil(expr, re, ms);

const X = `xavier@${SHORT_HOST}`;
const Y = `yara@${SHORT_HOST}`;
const Z = `zed@${SHORT_HOST}`;

describe('relay failover', () => {
  it('kill -9 of the relay: noconnection for what went across it, back on the next relay with a greater creation, mesh re-formed', async () => {
    const r1 = await relay();
    const r2 = await relay();
    await shell('zed', r1.url);
    const xavier = await shell('xavier', `${r1.url},${r2.url}`);
    const yara = await shell('yara', r2.url);
    expect(await xavier.eval('nodes()')).toBe(`['${Z}']`);
    expect(await yara.eval('nodes()')).toBe('[]'); // another relay, another cluster
    await yara.eval("evs = []; node.monitorNodes((e) => evs.push(e)); 'ok'");
    expect(await xavier.eval('c0 = node.creation; c0 > 0')).toBe('true');
    expect(await xavier.eval(`p = await spawn('${Z}', 'dist_demo', 'loop', [])`)).toMatch(/^<zed@/);
    await xavier.eval("self.trapExit(true); self.link(p); ref = self.monitor(p); 'ok'");

    r1.p.kill('SIGKILL');
    await r1.p.exited;
    expect(await xavier.eval("receive((m) => m[0] === 'EXIT', 10000)")).toMatch(/^\['EXIT', <zed@[^>]+>, 'noconnection'\]$/);
    expect(await xavier.eval("receive((m) => m[0] === 'DOWN', 10000)")).toMatch(/^\['DOWN', #Ref<[^>]+>, 'process', <zed@[^>]+>, 'noconnection'\]$/);

    expect(await until(yara, 'evs', new RegExp(`nodeup', '${X}'`))).toContain(`['nodeup', '${X}']`);
    expect(await xavier.eval('node.creation > c0')).toBe('true');
    expect(await until(xavier, 'nodes()', new RegExp(`^\\['${Y}'\\]$`))).toBe(`['${Y}']`);
    expect(await xavier.eval(`rpc.call('${Y}', 'erlang', 'node', [])`)).toBe(`'${Y}'`);
    expect(await yara.eval(`rpc.call('${X}', 'erlang', 'node', [])`)).toBe(`'${X}'`);
    // A process started after the failover carries the new creation.
    expect(await xavier.eval('q = spawn((s) => s.receive()); q.creation === node.creation && q.creation > c0')).toBe('true');
  });
});
