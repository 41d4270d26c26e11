/**
 * The relay, in its own OS process (as in production): src/server/relay's `startRelay` on an
 * ephemeral loopback port. With `pages`, it also serves that directory (the built tab page)
 * on the same http server, as the Playwright fixture does, with the cross-origin isolation
 * headers that give pages a 5 µs `performance.now()` instead of Chromium's coarse 100 µs,
 * and runs the bare WebSocket forwarder of the browser rows' floor (ws-floor.ts).
 *
 *   options (argv[2]): { cookie, pages?, authTimeoutMs?, redis?, links? } (redis: a redis:// URL, the
 *   relay then joins the cluster of the relays on that Redis)
 *   commands: stats → relay.stats() + the warnings it logged (the last 20, and a count of each kind); memory → process.memoryUsage()
 *   after gc (--expose-gc) + the same; cpu → process.cpuUsage() (µs) and the RSS now;
 *   names → how many names it knows, its own nodes and the other relays' (relay.names());
 *   profile_start / profile_stop { path } → a V8 CPU profile of the relay written to path
 *   (the same as --cpu-prof, which a child killed with SIGKILL never writes)
 */
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Session as Inspector } from 'node:inspector/promises';
import { normalize } from 'node:path';
import { staticHandler } from '../../src/server/cli/static-files.js';
import { startRelay, type Relay, type RelayLogLine } from '../../src/server/relay/index.js';
import { childOptions, measuredMemory, serve } from './ipc.js';
import { startWsFloor } from './ws-floor.js';

interface RelayProcOptions {
  cookie: string;
  pages?: string;
  /** The relay's authTimeoutMs (default its own). */
  authTimeoutMs?: number;
  /** A redis:// URL: the relay is one of a cluster on that Redis. */
  redis?: string;
  /** With redis: false turns the relay-to-relay links off (every message through Redis pub/sub). */
  links?: boolean;
}

/** The built pages, cross-origin isolated so that the pages' timers have µs resolution. */
function pageServer(root: string): Server {
  return createServer(
    staticHandler(root, {
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
    }),
  );
}

const o = childOptions<RelayProcOptions>();
let inspector: Inspector | undefined;
let relay!: Relay;
/** The relay's warnings and errors (e.g. a slow consumer it closed) and departures, for the bench's report. */
const problems: string[] = [];
/** How many of each (event and close code): the last 20 lines alone hide a cause among thousands of `left`. */
const problemCounts: Record<string, number> = {};
const logger = (l: RelayLogLine): void => {
  if (l.level === 'info' && l.event !== 'left' && l.event !== 'kicked') return;
  const kind = `${l.event}${l.code ? ` (${l.code})` : ''}`;
  problemCounts[kind] = (problemCounts[kind] ?? 0) + 1;
  problems.push(`${l.event}${l.name ? ` ${l.name}` : ''}${l.code ? ` (${l.code})` : ''}${l.detail ? `: ${l.detail}` : ''}`);
  if (problems.length > 20) problems.shift();
};

await serve(
  async () => {
    if (o.pages === undefined) {
      relay = await startRelay({
        port: 0,
        host: '127.0.0.1',
        cookie: o.cookie,
        logger,
        ...(o.authTimeoutMs ? { authTimeoutMs: o.authTimeoutMs } : {}),
        ...(o.redis ? { redis: { url: o.redis, links: o.links } } : {}),
      });
      return { url: relay.url, port: relay.port };
    }
    const server = pageServer(normalize(o.pages));
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => ok());
    });
    const port = (server.address() as { port: number }).port;
    relay = await startRelay({ server, cookie: o.cookie, logger });
    const floor = await startWsFloor();
    return { url: `ws://127.0.0.1:${port}/erlmesh`, port, http: `http://127.0.0.1:${port}`, floor: floor.url };
  },
  {
    stats: () => ({ ...relay.stats(), problems, problemCounts }),
    names: () => relay.names().length,
    profile_start: async () => {
      inspector ??= new Inspector();
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
      return true;
    },
    profile_stop: async (a) => {
      const { profile } = await inspector!.post('Profiler.stop');
      writeFileSync(String(a.path), JSON.stringify(profile));
      inspector!.disconnect();
      return a.path;
    },
    cpu: () => ({ ...process.cpuUsage(), rss: process.memoryUsage().rss, stats: relay.stats() }),
    memory: async () => ({ ...(await measuredMemory()), stats: relay.stats(), problems }),
  },
);
