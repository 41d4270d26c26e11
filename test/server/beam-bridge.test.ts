/**
 * The BEAM bridge (src/server/beam/bridge.ts) at the byte level, with a raw Erlang
 * distribution connection from the test standing in for a BEAM node (no erl needed, only a
 * private epmd): what a frame from BEAM does, what comes back, and what closes the connection.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeEtf } from '../../src/core/etf/writer.js';
import { CTL } from '../../src/core/net/beam-control.js';
import type { LogEntry, Node } from '../../src/core/node/node.js';
import { MemoryNetwork } from '../../src/core/testing/memory-network.js';
import { BeamRef } from '../../src/core/terms/beam-ref.js';
import { Pid } from '../../src/core/terms/pid.js';
import type { BeamConnection } from '../../src/server/beam/connection.js';
import { connectBeam } from '../../src/server/beam/dial.js';
import { decodeDistFrame } from '../../src/server/beam/dist-frame.js';
import { startNode } from '../../src/server/start-node.js';
import { beamMissing, SHORT_HOST, startEpmd, stopAll } from '../support/beam.js';

const missing = beamMissing();
const COOKIE = 'beam-bridge-cookie';
const JS = `js@${SHORT_HOST}`;
const RAW = `raw@${SHORT_HOST}`;
let epmdPort: number;
let node: Node;
const logs: LogEntry[] = [];
const conns: BeamConnection[] = [];

/** A "BEAM node" of our own, connected to the js node, with its frames decoded. */
async function rawPeer(): Promise<{ c: BeamConnection; frames: unknown[][]; closed: Promise<string> }> {
  const c = await connectBeam({ localName: RAW, peer: JS, cookie: COOKIE, epmdPort, creation: 77 });
  conns.push(c);
  const frames: unknown[][] = [];
  c.onFrame((frame) => {
    const { control, message } = decodeDistFrame(frame);
    frames.push(message === undefined ? [control] : [control, message]);
  });
  const closed = new Promise<string>((resolve) => c.onClose(resolve));
  return { c, frames, closed };
}

/** A frame's terms, each encoded with its 131 (BeamConnection.send writes the header). */
const frame = (...terms: unknown[]): Uint8Array[] => terms.map((t) => encodeEtf(t));

async function until<T>(f: () => T | undefined, what: string, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(!!missing)('the BEAM bridge, frame by frame', () => {
  beforeAll(async () => {
    epmdPort = await startEpmd();
    node = await startNode({ sname: 'js', cookie: COOKIE, transport: new MemoryNetwork().transport(), beam: { epmdPort, host: '127.0.0.1' }, logger: (e) => logs.push(e) });
    await node.rpc.call(JS, 'kvs', 'start', []);
  });
  afterEach(() => {
    for (const c of conns.splice(0)) c.close();
  });
  afterAll(async () => {
    await node?.stop();
    await stopAll();
  });

  it('a REG_SEND to kvs is answered with a SEND to the sender; the peer is a hidden node while connected', async () => {
    const { c, frames } = await rawPeer();
    const me = new Pid(RAW, 1, 0, 77);
    c.send(...frame([CTL.REG_SEND, me, '', 'kvs'], [me, ['store', 'k', 'v']]));
    const reply = await until(() => frames.find((f) => Array.isArray(f[0]) && f[0][0] === CTL.SEND), 'reply');
    expect(reply).toEqual([[CTL.SEND, '', me], ['kvs', true]]);
    expect(node.nodes('hidden')).toEqual([RAW]);
    expect(node.nodes()).toEqual([]);
  });

  it('a frame that is no control message, and one naming a sender on another node, close the connection with bad_frame', async () => {
    for (const bad of [frame(['not', 'a', 'control']), frame([CTL.REG_SEND, new Pid('spoof@elsewhere', 1, 0, 1), '', 'kvs'], 'x'), [Uint8Array.of(131, 255)]]) {
      const { c, closed } = await rawPeer();
      c.send(...bad);
      expect(await closed).toBe('connection_closed');
      await until(() => (node.nodes('hidden').includes(RAW) ? undefined : true), 'nodedown');
    }
    expect(logs.filter((e) => /Bad frame from BEAM node raw@/.test(e.text))).toHaveLength(3);
  });

  it('a message with no Erlang form throws at the sender (not_etf_encodable) and nothing is sent; an exit reason with none still arrives, repaired', async () => {
    const { c, frames } = await rawPeer();
    const watcher = new Pid(RAW, 2, 0, 77);
    const thrown = await node.run(async (self) => {
      let code: unknown;
      try {
        self.send(watcher, ['set', new Set([1])]);
      } catch (e) {
        code = (e as { code?: unknown }).code;
      }
      self.send(watcher, 'after');
      return code;
    });
    expect(thrown).toBe('not_etf_encodable');
    const after = await until(() => frames.find((f) => f[1] === 'after'), 'the next message');
    expect(frames.indexOf(after)).toBe(0);
    expect(logs.some((e) => /has no Erlang form/.test(e.text))).toBe(false);
    // raw links to a process that exits with an Error: the EXIT comes, with the reason repaired.
    const pid = node.spawn(async (self) => {
      await self.receive((m) => m === 'die');
      self.exit(new Error('boom'));
    });
    c.send(...frame([CTL.LINK, watcher, pid]));
    c.send(...frame([CTL.SEND, '', pid], 'die')); // after the LINK: one connection keeps the order
    const exit = await until(() => frames.find((f) => Array.isArray(f[0]) && f[0][0] === CTL.EXIT), 'EXIT');
    expect((exit[0] as unknown[]).slice(0, 3)).toEqual([CTL.EXIT, pid, watcher]);
    expect(((exit[0] as unknown[])[3] as unknown[])[0]).toBe('unencodable');
  });

  it('UNLINK_ID removes the link and is answered by UNLINK_ID_ACK; the process then dies without an EXIT to the peer', async () => {
    const { c, frames } = await rawPeer();
    const watcher = new Pid(RAW, 3, 0, 77);
    const pid = node.spawn((self) => self.receive((m) => m === 'die').then(() => self.exit('boom')));
    c.send(...frame([CTL.LINK, watcher, pid]));
    c.send(...frame([CTL.UNLINK_ID, 9, watcher, pid]));
    const ack = await until(() => frames.find((f) => Array.isArray(f[0]) && f[0][0] === CTL.UNLINK_ID_ACK), 'UNLINK_ID_ACK');
    expect(ack).toEqual([[CTL.UNLINK_ID_ACK, 9, pid, watcher]]);
    const ref = new BeamRef(RAW, 77, [0x3_ffff, 1, 0xffff_ffff]);
    c.send(...frame([CTL.SEND, '', pid], 'die'));
    c.send(...frame([CTL.MONITOR_P, watcher, pid, ref])); // its DOWN comes after any EXIT the death sent
    const down = await until(() => frames.find((f) => Array.isArray(f[0]) && f[0][0] === CTL.MONITOR_P_EXIT), 'DOWN');
    expect(['boom', 'noproc']).toContain((down[0] as unknown[])[4]); // monitored before or after it died
    expect(frames.some((f) => Array.isArray(f[0]) && f[0][0] === CTL.EXIT)).toBe(false);
  });
});
