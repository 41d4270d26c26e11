/**
 * The transport conformance suite (src/core/testing/transport-conformance.ts) run INSIDE a
 * real page, on the browser's own WebSocket through the relay: `RelayTransport` as tab-nodes
 * use it.
 */
import { test, expect } from '../src/playwright/index.js';

test('transport conformance: browser WebSocket through the relay', async ({ cluster }) => {
  test.setTimeout(120_000);
  const page = await cluster.page();
  const result = await page.evaluate(async ({ url, cookie, host }) => {
    const { RelayTransport, runTransportConformance, transportConformanceCases } = window.erlmesh;
    type Transport = Awaited<ReturnType<Parameters<typeof runTransportConformance>[0]['newTransport']>>;
    const run = Math.random().toString(36).slice(2, 8);
    let seq = 0;
    const uniqueName = (base: string) => `${base.replace(/[^a-z0-9_-]/gi, '')}-${run}-${++seq}@${host}`;
    // A relay transport dials only once registered (every node is). The suite also dials
    // from transports that never call listen, so this wrapper registers those first.
    class AutoRegistering {
      private listening: Promise<unknown> | undefined;
      constructor(readonly inner: InstanceType<typeof RelayTransport>) {}
      listen(...args: Parameters<InstanceType<typeof RelayTransport>['listen']>) {
        const p = this.inner.listen(...args);
        this.listening = p.catch(() => undefined);
        return p;
      }
      async connect(peer: string) {
        if (!this.listening) this.listening = this.inner.listen(uniqueName('dialer'), (ch) => ch.close('unexpected'));
        await this.listening;
        return this.inner.connect(peer);
      }
      close() {
        return this.inner.close();
      }
    }
    const open: Transport[] = [];
    const t0 = performance.now();
    const r = await runTransportConformance({
      newTransport() {
        const t = new AutoRegistering(new RelayTransport({ url, cookie, WebSocket: WebSocket as never })) as unknown as Transport;
        open.push(t);
        return t;
      },
      uniqueName,
      async cleanup() {
        await Promise.all(open.splice(0).map((t) => t.close()));
      },
    });
    return { ...r, total: transportConformanceCases.length, ms: Math.round(performance.now() - t0), ua: navigator.userAgent };
  }, { url: cluster.relayUrl, cookie: cluster.cookie, host: cluster.host });

  console.log(`conformance in ${result.ua.match(/(Headless)?Chrome\/[\d.]+/)?.[0]}: ${result.passed.length}/${result.total} passed in ${result.ms} ms`);
  for (const f of result.failed) console.log(`  FAILED: ${f.name}\n    ${f.error}`);
  expect(result.failed, result.failed.map((f) => `${f.name}: ${f.error}`).join('\n')).toEqual([]);
  expect(result.passed).toHaveLength(result.total);
  expect(result.total).toBeGreaterThan(0);
});
