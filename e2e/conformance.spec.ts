/**
 * The transport conformance suite (src/core/testing/transport-conformance.ts) run INSIDE a
 * real page, on the browser's own WebSocket through the relay: `RelayTransport` as tab-nodes
 * use it; and again with the tabs' BroadcastChannel links (`LocalLinks`), where every channel
 * opens through the relay and moves onto a BroadcastChannel before `connect` resolves.
 */
import { test, expect } from '../src/playwright/index.js';

for (const local of [false, true]) {
  test(`transport conformance: ${local ? 'BroadcastChannel links (relayed channels moved off the relay)' : 'browser WebSocket through the relay'}`, async ({ cluster }) => {
    test.setTimeout(120_000);
    const page = await cluster.page();
    const routedBefore = cluster.relay.stats().framesRouted;
    const result = await page.evaluate(async ({ url, cookie, host, local }) => {
      const { RelayTransport, LocalLinks, runTransportConformance, transportConformanceCases } = window.erlmesh;
      const links: InstanceType<typeof LocalLinks>[] = [];
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
          const l = local ? new LocalLinks({ scope: `conformance-${run}`, BroadcastChannel: BroadcastChannel as never }) : undefined;
          if (l) links.push(l);
          const t = new AutoRegistering(new RelayTransport({ url, cookie, WebSocket: WebSocket as never, ...(l ? { local: l } : {}) })) as unknown as Transport;
          open.push(t);
          return t;
        },
        uniqueName,
        async cleanup() {
          await Promise.all(open.splice(0).map((t) => t.close()));
        },
      });
      const localFrames = links.reduce((n, l) => n + l.framesSent, 0);
      return { ...r, total: transportConformanceCases.length, ms: Math.round(performance.now() - t0), ua: navigator.userAgent, localFrames };
    }, { url: cluster.relayUrl, cookie: cluster.cookie, host: cluster.host, local });

    const routed = cluster.relay.stats().framesRouted - routedBefore;
    console.log(`conformance in ${result.ua.match(/(Headless)?Chrome\/[\d.]+/)?.[0]}${local ? ' over BroadcastChannel' : ''}: ${result.passed.length}/${result.total} passed in ${result.ms} ms; frames: ${result.localFrames} on local links, ${routed} through the relay`);
    for (const f of result.failed) console.log(`  FAILED: ${f.name}\n    ${f.error}`);
    expect(result.failed, result.failed.map((f) => `${f.name}: ${f.error}`).join('\n')).toEqual([]);
    expect(result.passed).toHaveLength(result.total);
    expect(result.total).toBeGreaterThan(0);
    // The local run really ran on BroadcastChannel: most frames went there, not through the relay.
    if (local) expect(result.localFrames).toBeGreaterThan(routed);
    else expect(result.localFrames).toBe(0);
  });
}
