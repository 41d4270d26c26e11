/**
 * Formatting: the side-by-side table (plain text for stdout, Markdown for docs/benchmarks.md)
 * and the whole docs page, generated from the results JSON (bench/results/latest.json).
 */

export interface Row {
  id: string;
  scenario: string;
  /** 'higher' or 'lower' is better, for the figure and its ratio. */
  better: 'higher' | 'lower';
  erlmesh: string;
  erlang: string;
  /** erlmesh ÷ Erlang/OTP, when both sides have the figure. */
  ratio: number | null;
  target: string;
  /** null: no target, or the target could not be checked (an error, a scaled run). */
  met: boolean | null;
  notes: string[];
}

export interface MachineFacts {
  cpus: number;
  cpuModel: string;
  memoryGB: number;
  os: string;
  node: string;
  v8: string;
  otp: string | null;
  erts: string | null;
  chromium: string | null;
  commit: string | null;
  dirty: boolean | null;
  /** 1-minute load average when the run started and ended (other work on the machine). */
  loadAverage?: { start: number; end: number };
}

export interface Results {
  date: string;
  durationSeconds: number;
  scale: number;
  capSeconds: number;
  /** Runs per side of each timing scenario (the best is reported). */
  runs: number;
  erlang: string;
  machine: MachineFacts;
  /** How the children ran and where the tab page came from. */
  setup: { children: string; pages: string | null };
  rows: Row[];
  scenarios: Record<string, unknown>;
}

export const fmt = {
  rate(x: number, unit = 'msg/s'): string {
    if (!Number.isFinite(x)) return '?';
    if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M ${unit}`;
    if (x >= 1e5) return `${(x / 1e3).toFixed(0)}k ${unit}`;
    if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k ${unit}`;
    return `${x.toFixed(0)} ${unit}`;
  },
  us(x: number): string {
    if (!Number.isFinite(x)) return '?';
    if (x >= 1e4) return `${(x / 1e3).toFixed(1)} ms`;
    if (x >= 1e3) return `${(x / 1e3).toFixed(2)} ms`;
    if (x >= 100) return `${x.toFixed(0)} µs`;
    if (x >= 10) return `${x.toFixed(1)} µs`;
    if (x >= 1) return `${x.toFixed(2)} µs`;
    return `${(x * 1000).toFixed(0)} ns`;
  },
  /** Bytes, in MB of 10^6 bytes above 1 MB. */
  bytes(x: number): string {
    if (!Number.isFinite(x)) return '?';
    if (x >= 1e6) return `${(x / 1e6).toFixed(1)} MB`;
    if (x >= 1e4) return `${(x / 1e3).toFixed(0)} kB`;
    return `${x.toFixed(0)} B`;
  },
  ratio(r: number | null): string {
    if (r === null || !Number.isFinite(r)) return '';
    return r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
  },
  met(m: boolean | null): string {
    return m === null ? '' : m ? 'yes' : 'NO';
  },
};

const HEADER = ['scenario', 'erlmesh', 'Erlang/OTP', 'ratio', 'target', 'met?'];

function cells(r: Row, maxCell: number): string[] {
  const cut = (s: string): string => (s.length > maxCell ? `${s.slice(0, maxCell - 1)}…` : s);
  const arrow = r.better === 'higher' ? '↑' : '↓';
  return [`${r.scenario} ${arrow}`, cut(r.erlmesh), cut(r.erlang), fmt.ratio(r.ratio), r.target, fmt.met(r.met)];
}

/** The table as aligned plain text, with the notes under it. */
export function textTable(rows: Row[]): string {
  const body = rows.map((r) => cells(r, 44));
  const widths = HEADER.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const line = (c: string[]): string => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  const sep = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  const out = [line(HEADER), sep, ...body.map(line)];
  const notes = notesOf(rows);
  if (notes.length) out.push('', ...notes.map((n, i) => `[${i + 1}] ${n}`));
  out.push('', 'ratio = erlmesh ÷ Erlang/OTP; ↑ higher is better, ↓ lower is better.');
  return out.join('\n');
}

function notesOf(rows: Row[]): string[] {
  const out: string[] = [];
  for (const r of rows) for (const n of r.notes) if (!out.includes(`${r.scenario}: ${n}`)) out.push(`${r.scenario}: ${n}`);
  return out;
}

const md = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(rows: Row[]): string {
  const align = ['---', '---:', '---:', '---:', '---', '---'];
  const out = [`| ${HEADER.join(' | ')} |`, `|${align.join('|')}|`];
  for (const r of rows) out.push(`| ${cells(r, 200).map(md).join(' | ')} |`);
  return out.join('\n');
}

export function markdownDoc(res: Results): string {
  const m = res.machine;
  const notes = notesOf(res.rows);
  const facts: Array<[string, string]> = [
    ['date', res.date],
    ['commit', m.commit ? `${m.commit.slice(0, 12)}${m.dirty ? ' (with uncommitted changes)' : ''}` : 'unknown'],
    ['CPU', `${m.cpus} × ${m.cpuModel}`],
    ['memory', `${m.memoryGB.toFixed(0)} GB`],
    ['OS', m.os],
    ['Node.js', `${m.node} (V8 ${m.v8})`],
    ['Erlang/OTP', m.otp ? `OTP ${m.otp}, ERTS ${m.erts ?? '?'}` : res.erlang],
    ['Chromium', m.chromium ?? 'not run'],
    ['erlmesh processes', res.setup.children],
    ['tab page', res.setup.pages ?? 'not used'],
    ['scale', `BENCH_SCALE=${res.scale}${res.scale === 1 ? ' (the issue\'s counts)' : ''}; stream cap ${res.capSeconds} s`],
    ['runs', `best of ${res.runs} per side (BENCH_RUNS), sides alternating; browser and memory scenarios run once`],
    ['load average', m.loadAverage ? `${m.loadAverage.start.toFixed(2)} at the start, ${m.loadAverage.end.toFixed(2)} at the end (1 minute)` : 'unknown'],
    ['whole run', `${res.durationSeconds.toFixed(0)} s`],
  ];
  return `# Benchmarks

erlmesh against Erlang/OTP, the same workloads on the same machine in the same run.
This page is generated by \`npm run bench\` from \`bench/results/latest.json\`; do not edit it by
hand (\`npx tsx bench/render-docs.ts\` regenerates it from the JSON).

## Latest results

${markdownTable(res.rows)}

ratio = erlmesh ÷ Erlang/OTP; ↑ higher is better, ↓ lower is better. MB = 10^6 bytes.
${notes.length ? `\nNotes:\n\n${notes.map((n, i) => `${i + 1}. ${md(n)}`).join('\n')}\n` : ''}
| machine | |
|---|---|
${facts.map(([k, v]) => `| ${k} | ${md(v)} |`).join('\n')}

## Reproduce

\`\`\`sh
npm run bench                       # the issue's counts; one to three minutes on 2 cores
BENCH_SCALE=0.1 npm run bench       # every count × 0.1, for a quick look
BENCH_NO_ERL=1 npm run bench        # skip the Erlang side even when erl is installed
BENCH_ONLY=rpc,local npm run bench  # some scenarios only (ids below)
BENCH_RUNS=3 npm run bench          # runs per side of each timing scenario (default 2)
\`\`\`

- The Erlang side runs when \`erl\` and \`erlc\` are on PATH (Debian: \`apt-get install -y
  erlang-nox\`); without them the Erlang column says so and the run still completes.
- Browser rows need Chromium (\`/usr/bin/chromium\`, \`chromium\` on PATH, or \`ERLMESH_CHROMIUM\`). The bench builds the
  tab page from the current sources with \`vite build\` into its own directory
  (\`node_modules/.cache/erlmesh-bench/pages\`, leaving \`dist/public\` alone), and falls back to
  \`dist/public\` if that build fails; without Chromium or a page the rows say why.
- \`BENCH_CAP_S\` (default 60) caps the time of the stream scenarios: a run that has not
  finished by then reports the rate reached with the count reached, and says so.
  \`BENCH_BUDGET_S\` (default 540) bounds the whole run: no run is repeated once 60% of it is
  spent, and no run may take longer than what is left (15 s at least). A default run takes
  one to three minutes on 2 cores.
- A scaled run (\`BENCH_SCALE\` < 1) also warms up less: its figures, erlmesh's especially
  (V8's JIT), are not comparable to a full run's; memory targets are checked only at scale 1.
- Only a full-scale run of every scenario rewrites \`bench/results/latest.json\` and this page
  (\`BENCH_WRITE=1\` forces it); other runs write \`bench/results/partial.json\`.
  \`BENCH_MERGE=1\` with \`BENCH_ONLY\` at full scale replaces only those scenarios' rows here,
  each noting the run it came from.
- Everything runs on loopback with ephemeral ports; the Erlang VMs use a private epmd on a
  free port (\`ERL_EPMD_PORT\`), killed at the end, never one on 4369. Every child process is killed at the end and on failure.

## Scenarios

| id | what runs |
|---|---|
| \`local\` | One process sends 1M \`['msg', i, <64-byte Uint8Array>]\` (\`{msg, I, <<0:512>>}\`) to a counting process on the same node; time until the counter has them all. |
| \`stream\` | The same 1M messages from a process of node A to a counting process on node B (spawned there with \`spawn(B, bench, counter, …)\`); the counter reports every 5% and at the end; rate = count ÷ time of the last report. |
| \`stream-relay\` | \`stream\` with \`direct: false\` on both erlmesh nodes: every frame goes through the relay process. Target: ≥ 0.5× erlmesh's direct figure. |
| \`pingpong\` | A process sends \`[self, i]\` to an echo process on the remote node and waits for \`['pong', i]\`; 10,000 timed round trips after 10,000 warm-up. |
| \`rpc\` | \`rpc.call(B, 'kvs', 'lookup', ['weather'])\` (the book's kvs, \`weather = fine\` stored) back to back: 10,000 timed after 10,000 warm-up. |
| \`pingpong-nobw\`, \`rpc-nobw\` | \`pingpong\` and \`rpc\` again with \`ERLMESH_BUSY_WAIT_MS=0\` in every erlmesh process (see Fairness: busy wait). |
| \`rpc-concurrent\` | 32 callers, each 500 sequential \`rpc.call\`s after a warm-up of 2,000 each: calls/s over the whole round. The first 500 of each caller's warm-up are timed too ("cold" in the cell). |
| \`spawn\` | \`spawn(B, bench, noop, [])\` back to back (each awaits the pid, as Erlang's \`spawn/4\` does): 5,000 timed after 5,000. |
| \`global\` | \`global.registerName(name, pid)\` for 1,000 fresh names, each for a fresh local process (spawned outside the timing), after 100 warm-up; then 100,000 \`whereisName\` over those names. |
| \`browser\` | Four tab-nodes in headless Chromium (one browser context) and one server-node, with the relay (which also serves the page). Tab A times round trips to an echo on tab B and on the server-node, both through the relay (A and B start with \`broadcast: false\`); tab C to tab D with the default, so over BroadcastChannel; all inside the page (\`performance.now()\`, 5 µs resolution thanks to cross-origin isolation headers), 2,000 after 200 warm-up each. The floors, with no erlmesh: 48 bytes from tab A through a bare WebSocket forwarder (bench/proc/ws-floor.ts, in the relay's process, with its busy wait) to tab B and back, and on a bare BroadcastChannel from C to D. Every kind runs in 4 rounds, the kinds taking turns, so that a change of load hits all alike. No Erlang counterpart: each row is held against the WebSocket floor of the same run (targets: tab → tab via the relay ≤ 1.5×, over BroadcastChannel ≤ 0.5×). |
| \`idle-memory\` | 100,000 processes blocked in \`receive\`, on a node of its own: (heap after − heap before) ÷ 100,000 with full GCs (\`--expose-gc\`) before each reading. Erlang: \`erlang:memory(processes)\` before and after. Target: the whole heap of that process, baseline included, ≤ 100 MB. |
| \`relay-memory\` | A relay process with 1,000 registered nodes (bare RelayTransports over isomorphic-ws, from two client processes): its RSS and heapUsed after GC, read inside the relay process. Target: RSS ≤ 150 MB. No Erlang counterpart (epmd holds no connections). |
| \`mesh-join-N\` | N nodes (40, 400, 1,000; \`BENCH_MESH_SIZES\`) through one relay, as tabs are (the core \`startNode\` over a RelayTransport, cookie holders, no direct links), started 6 at a time in each of 4 processes (bench/proc/mesh-nodes.ts); time from the start until every node lists all the others in \`nodes()\`, then, 15 s later, the relay's CPU (share of one core) over 10 s with the nodes idle. Targets (issue 13): 400 nodes within 20 s with the idle relay under 10% of a core, 1,000 within 60 s. History of the 400-node figure: 77.6 s before global and pg stopped asking every relay-introduced peer for its names and members on nodeup (a relayed channel and ~10 frames per pair of nodes, N² work; commit 69a5a77: they announce what they hold instead, and only when they hold something); the run just before that change on the loaded machine of this page's mesh rows failed after 150 s (load average 15); after it, two runs of the same code (4a3ccf8) on that machine gave 39.2 s and 11.9 s (load average 11–14): the spread is the machine's, other work shared its 2 cores. |
| \`cluster-join-N\` | \`mesh-join-N\` with 3 relays on one redis-server (the bench starts its own, bench/lib/redis.ts, and kills it after): the nodes of each process spread evenly over the relays, every node relayed. Time until every node lists all others; then, with the nodes idle, the relays' CPU (summed, and the busiest one) and RSS, and redis-server's (from /proc). No target of its own; held against the \`mesh-join-N\` row of the same size. |
| \`tcp-floor\` | No erlmesh: 60 bytes over loopback TCP (TCP_NODELAY) from one Node process to an echo in another and back (bench/proc/tcp-floor.ts), erlmesh's busy wait kicked on every read as its sockets do; \`pingpong\`'s counts; then the same pair with \`ERLMESH_BUSY_WAIT_MS=0\`. The floor under \`pingpong\` and \`pingpong-nobw\`: the note gives erlmesh's ratio to it. |
| \`cross-relay\` | Two relays on one redis-server; the peer node on relay 1, one client node on relay 1 and one on relay 2, all relayed (no direct links between nodes). Each client runs \`pingpong\` and \`rpc\` (10,000 after warm-up) against the peer, the two clients taking turns over 2 rounds; the best p50 of each is kept. Then the cross-relay ping-pong again on two relays with their links off (every frame through Redis pub/sub), and a bare pub/sub echo through one redis-server between two processes (bench/proc/redis-echo.ts). Target (issue 13): cross-relay ping-pong p50 ≤ 2× same-relay. History: with frames between relays through Redis pub/sub it was not met (3.04×, 280 µs against 92 µs, 2026-12-03): a bare pub/sub echo alone took 145 µs p50 against 38 µs for a bare TCP echo between the same two processes. Since the relay-to-relay links (src/server/relay/cluster/links.ts), Redis keeps the names, leases and membership and the frames go over a WebSocket between the two relays: 1.57–1.66× on the same machine (the note gives the pub/sub figure of the same run). |
| \`cluster-memory\` | 10,000 simulated nodes (\`BENCH_CLUSTER_NODES\`) over 4 relays on one redis-server, 2,500 per relay from one process each: bare WebSockets that register by hand asking for membership (connectAll false) and then read nothing (bench/proc/relay-clients.ts \`raw\`), so that the relays do what they do for real nodes (welcome snapshots, members batches, the cluster's Redis traffic) while the clients keep no membership view. Time until every relay knows all 10,000 names, then each relay's RSS after GC. Target (issue 13): within 2 minutes, each relay under 500 MB RSS. Capped at 180 s (\`BENCH_CLUSTER_CAP_S\`). First run at full scale (commit 6e0cab4, load average 3.8 → 9.3 on 2 cores): not met, 7,752 of 10,000 names known on every relay at the cap (2,923 after 30 s, then ~1,000 per 30 s, slowing), each relay at ≤ 137 MB RSS. Why, from the relays' CPU profiles (\`BENCH_PROFILE_DIR\`): every relay was saturated (2% idle); ~45% went to socket writes (\`writev\`, ws send, flow-control checks): a members batch every 50 ms to each of a relay's 2,500 sessions, ~50,000 writes a second per relay; ~11% to welcome snapshots (every name known, per join); ~8% to scanning the sessions for ones without membership on each of the 10,000 joins. All are the introducer's fan-out, O(n) per join or per batch, as on a single relay; what the cluster adds (a Redis publish per join, ioredis under 1% of the profile) does not show. 4 relays, 4 client processes and redis-server shared the 2 cores with other work. A second run with the cap at 420 s (same commit, load average 2.5 → 7.1; the row above): 7,638 known everywhere at 180 s, then at ~210 s one relay's view fell to a single name and its 2,500 clients were gone for good (bare clients do not reconnect), so the others stayed at 7,500 with relays at ≤ 137 MB RSS; that relay's CPU profile has the cluster's \`nameLost\` path in it and goes idle from then on, while the profiles show every relay 98–99% busy for the 3.5 minutes before: saturated, it lost the leases of its names (5 s by default) and closed its nodes, as a relay frozen past its lease does (docs/architecture.md). The relay's log lines were not kept by the bench, so the exact sequence is not recorded. Before those runs, a relay also sent every members batch to the other relays' nodes, whose Conn parsed it to drop it (15% of a relay's CPU at 2,000 nodes); fixed in 6e0cab4. Then: batches encoded once and an interval that grows with the member sessions (174.4 s → 127.1 s); member and plain sessions kept in sets instead of a scan of the name table per join and per batch, and the welcome's snapshot kept as JSON text (commit 7aa07af): 79.9 s on a quiet machine, 94.0 s in the run of the row (load average up to 7), largest relay RSS 140 MB — met. With the relay-to-relay links (efca9b9; the joins' messages between relays on the links instead of pub/sub): 88.3 s at load average 1.3 → 7.5, largest relay RSS 140 MB. |

## Fairness

- **Same machine, same run.** Both columns of a row come from one \`npm run bench\`; the
  ratio is only meaningful within a run (absolute figures drift from run to run, more so when
  other work shares the machine).
- **One OS process per node.** Erlang's node-to-node scenarios use two VMs; erlmesh's use
  two Node.js processes (bench/proc/client.ts drives, bench/proc/peer.ts is the remote node),
  plus the relay in a third process, as in production. Every scenario gets fresh processes on
  both sides, so a backlog or a crash in one cannot slow the next.
- **Same code shape.** bench/erlang/erlmesh_bench.erl and bench/proc/*.ts are twins: the
  same messages, the same counter/echo/noop processes, the same warm-up and timed counts,
  the book's kvs on both sides, the same nearest-rank percentiles. Erlang's sender
  loops freely (the VM preempts and applies distribution back-pressure); erlmesh's yields to
  the event loop every 1,024 messages (JavaScript has no preemption; without yielding no I/O
  happens), and both check the time cap at that point.
- **Direct vs relay.** "Direct" is erlmesh's default for server-nodes (they find each other
  through the relay, then link over their own TCP socket: an HTTP upgrade to \`erlmesh-direct\`,
  then 5-byte-header records, as Erlang frames its packets; over a WebSocket until
  2026-12-03); the bench reads the relay's routed
  frame count after each direct scenario to confirm the traffic did not go through it.
- **Best of N, alternating.** Each timing scenario runs \`BENCH_RUNS\` times per side (default
  2), erlmesh and Erlang taking turns, and each side reports its best run (all runs are in the
  JSON); a run that hit the time cap is not repeated. On a shared machine this keeps a passing
  disturbance from deciding a ratio; the load average at start and end is recorded above.
- **Compiled, not interpreted TypeScript.** The erlmesh children run as esbuild bundles of
  the current sources under plain \`node\` (no loader in the process, so the relay's memory
  is the relay's); if bundling fails they run under tsx, and the machine table says which.
- **Steady state, not start-up.** Process start-up, bundling, connection set-up and the remote
  spawn of the counter or echo are outside every timing; Erlang VM start-up likewise. The
  latency scenarios warm up as long as they time (ping-pong and rpc 10,000 round trips,
  spawn 5,000; 2,000 calls per caller before the concurrent round, 300 until 2026-12-04),
  on both sides. Until
  2026-12-03 they warmed up 1,000 / 500 / 500 / 50, and erlmesh's p99 measured start-up:
  V8 compiles the hot paths on a background thread over the first few thousand round trips,
  and on 2 cores that thread takes a core from one of the two busy processes, so round trips
  come in bursts of 10–20 at 0.3–2 ms each (seen with no erlmesh at all: the \`tcp-floor\`
  pair with busy wait always on has a p99 of 0.85–1.03 ms over 10,000 round trips after 1,000
  warm-up, and 83 µs over 30,000 after 3,000). Same machine, same hour, old warm-ups → new:
  ping-pong p99 410 µs → 154 µs (Erlang 110 → 95 µs), rpc.call p99 1.09 ms → 300 µs (Erlang
  127 → 113 µs), remote spawn 6.6k → 13.2k spawns/s (Erlang 21.4k → 21.2k).
- **The floor of a round trip.** The \`tcp-floor\` row is a bare TCP echo between two Node
  processes with erlmesh's busy wait and nothing else: what any Node.js implementation pays on
  this machine, against which erlmesh's own ping-pong is held in that row's note.
- **Busy wait.** A Node process asleep in epoll pays a kernel wake-up per message (the
  \`tcp-floor\` row: a bare two-process TCP ping-pong in Node takes 35-41 µs p50 sleeping on
  this virtual machine, 22-23 µs spinning). BEAM's schedulers spin briefly before sleeping
  (\`+sbwt\`, on by default); erlmesh does the same for the event loop: for 0.5 ms after a
  socket message (\`--busy-wait\`, \`ERLMESH_BUSY_WAIT_MS\`, \`setBusyWait\`), the loop polls
  instead of sleeping (src/server/busy-wait.ts). That is erlmesh's default, so the main rows
  use it; the \`…, busy wait off\` rows show the same workloads with it off. Its cost: a core
  stays busy while messages keep coming. A Node loop cannot \`sched_yield\` as BEAM's
  spinning schedulers do, so every 0.5 ms of spinning it checks whether it takes a core from
  someone, and sleeps in the kernel instead if so: when more than half of its recent checks
  found more runnable threads on the machine than it has CPUs (the kernel's count in
  /proc/loadavg; back off 5 ms, doubling to 40 ms while that lasts), and for 1 ms when it got
  0.2 ms less CPU than wall time since the last check (another thread had its core: typically
  the peer it just woke, which the kernel queues on the writer's core). Until 2026-12-04 the
  only rule was the second, with a back-off of 10 ms doubling to 1 s: it fired 6-11 times
  per 30,000 round trips on the idle machine (a V8 helper thread's moment on a core), and much
  of a busy exchange then ran as if busy wait were off (bare TCP echo p50 28-33 µs, against
  22.6-22.8 µs now and 22.5 µs spinning with no check at all). With five spinning processes
  on the 2 cores (the \`cross-relay\` scenario: two relays, a peer, two clients) the crowd
  check keeps them asleep most of the time: in this session's runs, same relay 78-117 µs and
  across 151-267 µs p50 (off: 83-109 and 140-180 µs). Spinning shortens the same-relay round
  trip (three processes) more than the one across (four), so the row's ratio is 1.93-2.28×
  with busy wait against 1.62-1.69× with it off: the target of ≤ 2× was missed in one of two
  full runs (2026-12-04, 267 µs across against 117 µs), with the absolute round trip across
  the relays no slower than with busy wait off in the runs alone (151-183 µs).
- **What is left in the tails.** Two causes, from timelines of the rpc.call scenario (each
  round trip over 250 µs against the GC events of both processes, three runs): about half of
  the round trips over 250 µs (0.25-0.3% of all) overlap a scavenge of 0.6-0.9 ms in one of
  the two processes. Spinning allocates: each \`setImmediate\` turn of the loop costs Node
  about 560 bytes of young heap (an idle spin fills the 8 MB semi-space in about 25 ms of
  spinning), about half of what an rpc-bound process allocates; there is no cheaper way in
  Node to keep libuv polling. The rest come in runs of 2-10 round trips of 1.08 ms each: both
  processes on one core, taking turns at the kernel's 1 ms tick, until a check sees the lost
  core (before the lost-core back-off was 1 ms, such runs lasted up to 10 ms). Remote spawn
  shows the same stalls more often: 30-56 of 5,000 spawns took over 250 µs (8 of them during
  a GC), together 17-51 ms of the ~175-190 ms timed, in runs of 0.55 ms and 1.06 ms each;
  without them spawns/s would be 10-25% higher, which is why erlmesh's spawn p50 is at or
  below Erlang's while its spawns/s is not. Reading both processes' CPU (\`/proc/<pid>/stat\`)
  and their \`/proc/<pid>/schedstat\` at every stall (2026-12-04, two processes, 30,000
  spawns): in the 1.06 ms stalls the two are on one vCPU 82 times in 93 (against 5 in 26 of
  ordinary spawns), and the time splits as client runs 556 µs, waits 499; peer runs 528,
  waits 497: each spins through a whole busy-wait period (0.5 ms) while the other waits on
  the same run queue, then sleeps and lets it run. The kernel puts it there: a socket write
  wakes the reader with the "sync" hint (the waker is about to sleep), and with the waker
  alone on its CPU the wake-up goes to the waker's CPU (\`wake_affine_idle\`); this
  virtual machine's kernel (6.18) is told of no cache shared by its 2 vCPUs, so it does not
  look for the idle one. A spinning waker breaks the hint, and a Node process can neither
  yield nor pin itself, but it can see it: since 2026-12-04 direct links between processes
  on one host exchange their pids, and 50 µs after a write with nothing received the spinner
  reads the peer's \`/proc/<pid>/stat\`; a peer runnable on the spinner's own CPU makes it
  sleep at once (src/server/co-location.ts). Two processes, 20 rounds of 10,000 remote
  spawns interleaved with and without: time in stalls 30.0 against 56.6 ms per 10,000, mean
  42.3 against 44.7 µs, p99 109 against 116 µs, p50 the same. Tried and dropped: the kernel's CPU pressure (\`/proc/pressure/cpu\`,
  the time tasks waited) does not move while a task waits, only when it is switched (read
  every 50 µs beside a busy task on the same CPU: 0 µs, then 4.4 ms at once), so a spinner
  cannot see the waiting peer through it; a busy-wait period that halves whenever a message
  comes within 0.15 ms after a spell ran out (the sign of a peer held back) cut the stall time
  by a quarter (17 against 23 ms per 5,000 spawns, 16 rounds each) but not the mean (36.1
  against 34.6 µs): the shorter spells make ordinary spawns pay more wake-ups. Spinning less
  after every write (a fifth of the period) made each stall shorter but five times as frequent
  (ping-pong p99 61-70 → 250 µs), so the period stays.
- **Busy wait off.** Each process then sleeps between messages, and one write, one read and
  one epoll wait per message remain (strace: the same three calls per round trip as the bare
  floor). The rows compare with Erlang as it ships, spinning; their notes give Erlang with
  its busy wait off as well (\`+sbwt none\` and the dirty schedulers' likewise, both VMs;
  since 2026-12-04). Run back to back, it made no difference to Erlang's ping-pong (43.0
  against 42.9 µs p50) or rpc (56.6 against 56.7 µs): the gap is erlmesh's own work, not the
  spinning. In full runs the two are minutes apart and the machine's mode can change between
  (off 42.1 against on 43.1 µs in one run, 39.8 against 47.3 in another). The bare Node floor
  with busy wait off (the \`tcp-floor\` row) is 35-38 µs p50 in most runs on this machine
  (27.6 µs in some minutes, 44 µs in others: the virtual machine's wake-ups vary more than
  anything erlmesh does), against Erlang's ping-pong at 31.6-47.3 µs in the same runs: what
  is left for erlmesh's work on both sides is 0-8 µs per round trip, and in a run where
  Erlang's ping-pong is 31.6 µs (2026-12-04) the floor itself (36.8 µs) is above it. In a
  slow hour the same JavaScript takes longer too: erlmesh's ping-pong with busy wait off was
  4.2 µs above the floor in one full run (42.4 against 38.2 µs) and 11 µs in the next (54.8
  against 43.8 µs), same code. erlmesh's work is 6-7 µs: two server-nodes in one process over a
  real direct TCP link, where a round trip is all CPU, take 29-30 µs against 20.5 µs for a
  bare TCP echo in one process read the same way (below); the same pair over a bare channel
  with no connection, codec or processes takes 21.6 µs, and the whole pipeline between two
  nodes over an in-memory transport 2.6-3.2 µs per round trip, so most of the difference is
  the same JavaScript run between system calls with cold caches. A \`perf\` profile of
  the pair puts 14% of the samples in erlmesh's JavaScript (the socket record parse, the
  connection's frame checks, the codec, the flush), 44% in Node's stream code and the system
  calls it makes, and 42% outside JavaScript (epoll, libuv, V8's promise and callback
  machinery, GC); the codec is 0.4 µs of a hop (a one-send batch: encode 0.22 µs, decode
  0.16 µs). Since 2026-12-04 a direct link reads its socket through Node's \`onread\`
  (src/server/transports/socket-reads.ts: no readable stream, no per-read allocation), which
  Node offers only to sockets that \`net.connect\` makes; both sockets of a direct link come
  out of an HTTP upgrade, so the module gives them the two fields the option sets. A bare echo
  in one process: 24.5 → 20.5 µs per round trip; the direct-link pair 32.8 → 29.2 µs; between
  two processes with busy wait off, 44.2 → 43.1-43.7 µs (part of the stream's work came after
  the read's callback, off the round trip's path). Since 2026-12-04 too, a direct link
  writes a turn's batch from \`process.nextTick\` (after the callback's microtasks) instead of
  the loop's next check phase: ping-pong with busy wait off 46 → 37-45 µs p50 in partial runs.
- **Concurrent rpc and remote spawn.** Both are round-trip chains through two processes on
  two cores. With 32 callers the round measured a warm-up until 2026-12-04: after 300 calls
  per caller erlmesh did 33-46k calls/s against Erlang's 35-63k, and a two-process run of
  five rounds of 16,000 calls showed why: 21-26k, 43-47k, 42-52k, then 60-80k calls/s from
  the fourth round on (client CPU per call 27-33 → 9-12 µs), when V8's log
  (\`--trace-opt\`) shows TurboFan finishing Node's stream write path (\`writeOrBuffer\`,
  \`onwrite\`) and erlmesh's flush: code that runs once per batch (one socket write per
  ~9 calls here), so it gets hot ~9 times later than the code run per call. Both sides now
  warm up with 2,000 calls per caller; the first 500 per caller are timed as well and shown
  as "cold" (Erlang gains from its warm-up too, 36k cold → 46k in the first run of the
  change). Remote spawn: 30-56 of 5,000 spawns take over 250 µs, only 8 of them during
  garbage collection, together 37-51 ms of the ~190 ms timed; without them spawns/s would be
  about a quarter higher (the p50 beats Erlang's). A longer warm-up (20,000) does not change
  it. Below the stalls, 6-14% of spawns take 60-150 µs (most 60-80), in runs of up to
  hundreds in a row, and these are the same placement: reading both processes' CPU after
  every spawn of 30,000 (2026-12-04), the two shared one vCPU after 1,531 of 3,169 such
  spawns against 93 of 26,564 fast ones. Once together they stay together: the spinner that
  finds its peer waiting sleeps, the peer runs on the same vCPU, and the peer's reply wakes
  the spinner there again (the same "sync" wake-up); only the kernel's load balancing parts
  them. With both processes pinned to one vCPU (\`taskset\`) a spawn takes 78 µs p50 with busy
  wait off and 90 µs with it on, against 32-42 µs apart, so the time is in sharing the vCPU
  (every hop a context switch, all the work of both serialized), not in the check. Checking
  at once after writes for a while after a co-located back-off, or backing off for less,
  moved nothing beyond the spread of runs (mean 42.1-52.0 µs either way in 8 runs).
- **What is not compared.** Browser round trips and relay memory have no Erlang counterpart
  (browser rows are held against the bare WebSocket floor of their own run instead);
  their Erlang cells say so.
`;
}
