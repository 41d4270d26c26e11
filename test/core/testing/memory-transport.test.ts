import { describe, expect, it } from 'vitest';
import { MemoryNetwork } from '../../../src/core/testing/memory-network.js';
import type { MemoryNetworkOptions } from '../../../src/core/testing/memory-network.js';
import { runTransportConformance } from '../../../src/core/testing/transport-conformance.js';
import { itConformsToTransport } from '../../support/conformance.js';
import type { TransportHarness } from '../../../src/core/testing/transport-conformance.js';
import type { Channel, Frame, Transport } from '../../../src/core/net/transport.js';

/** A fresh network per case; cleanup closes every transport the case made. */
function harness(options: MemoryNetworkOptions): TransportHarness {
  let net = new MemoryNetwork(options);
  let made: Transport[] = [];
  let seq = 0;
  return {
    newTransport: () => {
      const t = net.transport();
      made.push(t);
      return t;
    },
    uniqueName: (base) => `${base}-${++seq}@mem`,
    cleanup: async () => {
      for (const t of made) await t.close();
      made = [];
      net = new MemoryNetwork(options);
    },
  };
}

const configurations: Array<[string, MemoryNetworkOptions]> = [
  ['latency 0', { latencyMs: 0 }],
  ['latency 5 ms, real clock', { latencyMs: 5 }],
];

describe.each(configurations)('MemoryNetwork transport conformance (%s)', (_label, options) => {
  itConformsToTransport(harness(options), 15_000);
});

/**
 * The suite must have teeth: sabotaged transports fail the cases that guard the broken
 * invariant (and this also exercises `runTransportConformance` and its filter).
 */
describe('transport conformance suite catches broken transports', () => {
  type Sabotage = (t: Transport) => Transport;

  function sabotagedHarness(sabotage: Sabotage): TransportHarness {
    const net = new MemoryNetwork();
    const made: Transport[] = [];
    let seq = 0;
    return {
      newTransport: () => {
        const t = sabotage(net.transport());
        made.push(t);
        return t;
      },
      uniqueName: (base) => `${base}-${++seq}@bad`,
      cleanup: async () => {
        for (const t of made.splice(0)) await t.close();
      },
    };
  }

  it('a channel that swaps adjacent frames fails the ordering case', async () => {
    const swapping = (ch: Channel): Channel => {
      let held: Frame | undefined;
      return {
        attach: (hs) => ch.attach(hs),
        send: (f) => {
          if (held === undefined) {
            held = f;
          } else {
            ch.send(f);
            ch.send(held);
            held = undefined;
          }
        },
        close: (r) => ch.close(r),
        get isOpen() {
          return ch.isOpen;
        },
      };
    };
    const h = sabotagedHarness((t) => ({
      listen: (n, cb) => t.listen(n, (ch) => cb(swapping(ch))),
      close: () => t.close(),
      connect: async (peer) => swapping(await t.connect(peer)),
    }));
    const r = await runTransportConformance(h, (name) => name.startsWith('1,000 string frames'));
    expect(r.passed).toEqual([]);
    expect(r.failed).toHaveLength(1);
    expect(r.failed[0]?.error).toContain('frame #0: expected "up 0", got "up 1"');
  });

  it('a connect that rejects without the nodedown code fails the unknown-name case', async () => {
    const h = sabotagedHarness((t) => ({
      listen: (n, cb) => t.listen(n, cb),
      close: () => t.close(),
      connect: (peer) => t.connect(peer).catch(() => Promise.reject(new Error('nope'))),
    }));
    const r = await runTransportConformance(h, (name) => name.includes('unknown name'));
    expect(r.failed.map((f) => f.name)).toEqual(['connect to an unknown name rejects with code nodedown']);
    expect(r.failed[0]?.error).toContain('code nodedown');
  });

  it('a channel whose onClose fires twice fails the close cases', async () => {
    const doubleClose = (ch: Channel): Channel => ({
      attach: (hs) => ch.attach({ onFrame: hs.onFrame, onClose: (r) => (hs.onClose(r), hs.onClose(r)) }),
      send: (f) => ch.send(f),
      close: (r) => ch.close(r),
      get isOpen() {
        return ch.isOpen;
      },
    });
    const h = sabotagedHarness((t) => ({
      listen: (n, cb) => t.listen(n, (ch) => cb(doubleClose(ch))),
      close: () => t.close(),
      connect: async (peer) => doubleClose(await t.connect(peer)),
    }));
    const r = await runTransportConformance(h, (name) => name.startsWith('close from the'));
    expect(r.passed).toEqual([]);
    expect(r.failed).toHaveLength(2);
    expect(r.failed[0]?.error).toContain('onClose calls');
  });

  it('a transport that turns bytes into strings fails the frame-type case, and the others pass', async () => {
    const stringly = (ch: Channel): Channel => ({
      attach: (hs) =>
        ch.attach({
          onFrame: (f) => hs.onFrame(typeof f === 'string' ? f : Array.from(f).join(',')),
          onClose: hs.onClose,
        }),
      send: (f) => ch.send(f),
      close: (r) => ch.close(r),
      get isOpen() {
        return ch.isOpen;
      },
    });
    const h = sabotagedHarness((t) => ({
      listen: (n, cb) => t.listen(n, (ch) => cb(stringly(ch))),
      close: () => t.close(),
      connect: async (peer) => stringly(await t.connect(peer)),
    }));
    const r = await runTransportConformance(h, (name) => name.startsWith('Uint8Array') || name.startsWith('listen returns'));
    expect(r.passed).toEqual(['listen returns a numeric creation']);
    expect(r.failed.map((f) => f.name)).toEqual([
      'Uint8Array frames arrive as Uint8Array with identical bytes, strings as strings',
    ]);
  });
});
