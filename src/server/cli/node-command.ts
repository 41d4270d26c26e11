/**
 * `erlmesh node`: a server-node with a shell (erl), or with `--noshell` a node that runs
 * until SIGINT/SIGTERM or `halt()`. When nothing listens at the default relay URL (no
 * `--relay`), a relay daemon is started (detached, as erl starts epmd) and the node tries once
 * more; an explicit `--relay` that does not answer is an error naming the URL and the cause.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErlmeshError } from '../../core/base/errors.js';
import type { LogEntry, Node } from '../../core/node/node.js';
import { loadServerModules } from '../modules.js';
import { defaultRelayUrl, relayUrl, shortHostname, startNode, type ServerNodeOptions } from '../start-node.js';
import { checkRelayUrls } from '../../core/relay-client/relay-urls.js';
import { evaluate, ShellBindings } from './bindings.js';
import { loadCapabilities } from './capabilities-file.js';
import { exitAfter, fatal, messageOf, normalizeRelayUrl, packageRoot, resolveCookie } from './common.js';
import { formatException } from './exceptions.js';
import { isLoopbackUrl, startRelayDaemon } from './relay-daemon.js';
import { evalOn, shellModule } from './shell-remote.js';
import { ShellConsole, startShell, type Shell } from './shell.js';

export interface NodeCommandOptions {
  sname?: string;
  name?: string;
  cookie?: string;
  /** Join with this ticket instead of the cookie (an untrusted node). */
  ticket?: string;
  /** The relays, in failover order (`--relay a,b` or `--relay a --relay b`). */
  relay?: string[];
  hidden?: boolean;
  connectAll: boolean;
  /** Direct links to other server-nodes (default true). */
  direct?: boolean;
  /** net_ticktime in seconds. */
  ticktime?: number;
  eval?: string;
  noshell?: boolean;
  /** A shell evaluating on this node (`erl -remsh`); the local node is hidden. */
  remsh?: string;
  /** A JSON file or JS module: what ticket holders may do here (capabilities-file.ts). */
  capabilities?: string;
  /** Also speak Erlang distribution (startNode's `beam`; hidden to BEAM too when `hidden`). */
  beam?: boolean;
  /** Only these BEAM peers (startNode's `beam.allow`); implies `beam`. */
  beamAllow?: string[];
  /** Serve BEAM gateways to cookie-holder tabs (startNode's `beam.gateway`); implies `beam`. */
  beamGateway?: boolean;
}

export async function runNode(o: NodeCommandOptions): Promise<void> {
  if (o.sname !== undefined && o.name !== undefined) fatal('erlmesh node: give either --sname or --name, not both');
  const remsh = o.remsh === undefined ? undefined : o.remsh.includes('@') ? o.remsh : `${o.remsh}@${shortHostname()}`;
  if (remsh !== undefined) {
    if (o.noshell) fatal('erlmesh node: --remsh is a shell: not with --noshell');
    // As erl -remsh: a hidden node, named when no name is given.
    o = { ...o, hidden: true, ...(o.sname ?? o.name ? {} : { sname: `remsh${process.pid}` }) };
  }
  const raw = o.sname ?? o.name;
  const named = raw !== undefined;
  const fullName = raw === undefined ? 'nonode@nohost' : raw.includes('@') || o.name !== undefined ? raw : `${raw}@${shortHostname()}`;
  const con = new ShellConsole();
  let urls: string[];
  let cookie: string | undefined;
  try {
    urls = checkRelayUrls((o.relay ?? [defaultRelayUrl()]).map((u) => relayUrl(normalizeRelayUrl(u))));
    if (o.ticket !== undefined && o.cookie !== undefined) throw new Error('give either --cookie or --ticket, not both');
    if (named && o.ticket === undefined) cookie = resolveCookie(o.cookie);
  } catch (e) {
    fatal(`erlmesh node: ${messageOf(e)}`);
  }
  let capabilities: ServerNodeOptions['capabilities'];
  try {
    if (o.capabilities !== undefined) capabilities = await loadCapabilities(o.capabilities);
  } catch (e) {
    fatal(`erlmesh node: --capabilities: ${messageOf(e)}`);
  }
  const opts: ServerNodeOptions = {
    capabilities,
    sname: o.sname,
    name: o.name,
    ...(o.ticket !== undefined ? { ticket: o.ticket } : { cookie }),
    relay: urls,
    startRelay: false,
    hidden: o.hidden,
    connectAll: o.connectAll,
    direct: o.direct !== false,
    tickMs: o.ticktime === undefined ? undefined : (o.ticktime * 1000) / 4,
    ...(o.beam || o.beamAllow || o.beamGateway
      ? { beam: { ...(o.ticktime === undefined ? {} : { netTicktime: o.ticktime }), ...(o.beamAllow ? { allow: o.beamAllow } : {}), ...(o.beamGateway ? { gateway: true } : {}) } }
      : {}),
    output: (text) => con.out(text),
    logger: (e) => {
      if (e.level !== 'info') con.err(formatLog(e));
    },
  };

  const url = urls.join(' or ');
  let node: Node;
  try {
    node = await startNode(opts);
  } catch (e) {
    // A daemon only for the default URL, and only when nothing listens there (not epmd's port).
    const nobody = e instanceof ErlmeshError && e.code === 'relay_unreachable' && (e.details as { holder?: string })?.holder === 'none';
    if (!(nobody && o.relay === undefined && isLoopbackUrl(url) && cookie !== undefined)) {
      fatal(startFailure(e, fullName, url));
    }
    try {
      const daemon = await startRelayDaemon(url, cookie);
      con.err(`erlmesh: started a relay at ${url} (pid ${daemon.pid}, log ${daemon.log})\n`);
      node = await startNode(opts);
    } catch (e2) {
      // (startRelayDaemon's errors say what happened, with the end of the daemon's log.)
      fatal(startFailure(e2, fullName, url));
    }
  }
  // A node without a name gets the core node only; it still wants the Node-only modules.
  if (!node.module('file')) loadServerModules(node);
  // shell:eval, for the --remsh shells of other nodes (cookie holders; see shell-remote.ts).
  node.load(shellModule(() => bindings));

  let shell: Shell | undefined;
  let halting = false;
  const halt = (status: number) => {
    if (halting) return;
    halting = true;
    bindings.stopping();
    // On the next turn: the REPL first records the `halt()` line in the history.
    setImmediate(() =>
      void exitAfter(async () => {
        await shell?.close();
        await node.stop();
      }, status),
    );
  };
  const bindings = await ShellBindings.start(node, {
    print: (text) => con.out(text),
    halt,
    died: (pid, reason) => shell?.died(pid, reason),
  });
  process.on('SIGINT', () => halt(0));
  process.on('SIGTERM', () => halt(0));

  if (o.eval !== undefined) {
    try {
      await evaluate(o.eval);
    } catch (e) {
      con.err(`Error! Failed to eval: ${o.eval}\n${formatException(e)}\n`);
      return halt(1);
    }
    bindings.refresh();
  }
  if (o.noshell) {
    // Run until a signal or halt(), whatever the node's sockets and timers do.
    setInterval(() => {}, 1 << 30);
    return;
  }
  let remote: Parameters<typeof startShell>[0]['remote'];
  if (remsh !== undefined) {
    if ((await node.ping(remsh)) !== 'pong') {
      con.err(`Could not connect to "${remsh}"${node.lastConnectError(remsh) ? ` (${node.lastConnectError(remsh)})` : ''}\n`);
      return halt(1);
    }
    remote = { name: remsh, eval: (code) => evalOn(node, remsh, code) };
  }
  shell = startShell({ node, bindings, console: con, banner: banner(), onExit: () => halt(0), remote });
}

/** Why the node could not start, as a one-line message (Erlang's wording for a taken name). */
export function startFailure(e: unknown, name: string, url: string): string {
  const code = e instanceof ErlmeshError ? e.code : undefined;
  switch (code) {
    case 'name_taken':
      return `Protocol 'erlmesh': the name ${name} seems to be in use by another erlmesh node`;
    case 'bad_cookie':
      return `erlmesh: the relay at ${url} refused ${name}: bad cookie (this node's cookie differs from the relay's; see --cookie, $ERLMESH_COOKIE and ~/.erlang.cookie)`;
    case 'relay_unreachable':
      return `erlmesh: ${messageOf(e)} (is a relay running there? \`erlmesh relay\` starts one)`;
    case 'relay_port_in_use':
      return `erlmesh: ${messageOf(e)}`;
    case 'ticket_expired':
    case 'ticket_forged':
    case 'ticket_malformed':
    case 'name_not_allowed':
      return `erlmesh: the relay at ${url} refused ${name}: ${code} (${messageOf(e)})`;
    default:
      return `erlmesh: cannot start ${name}: ${messageOf(e)}`;
  }
}

/** A node log line, as Erlang's logger prints reports. */
function formatLog(e: LogEntry): string {
  return `=${e.level.toUpperCase()} REPORT==== ${new Date().toISOString()} ===\n${e.text.endsWith('\n') ? e.text : `${e.text}\n`}`;
}

function banner(): string {
  let version = '';
  try {
    version = ` V${(JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version}`;
  } catch {}
  return `Erlmesh shell${version} (help() lists the shell functions; halt() or Ctrl+D to quit)\n`;
}
