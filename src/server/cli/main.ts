/**
 * The `erlmesh` command line (bin/erlmesh.js runs this module):
 *
 * ```
 * erlmesh relay [--port 4367] [--host 127.0.0.1] [--cookie C] [--cert FILE --key FILE] [--busy-wait MS]
 *               [--redis redis://HOST:PORT [--redis-lease MS] [--advertise ws://HOST:PORT] [--no-relay-links]]
 * erlmesh relay --stop [--port 4367] [--host 127.0.0.1] [--cookie C]
 * erlmesh names [--relay URL] [--cookie C]
 * erlmesh node (--sname N | --name N) [--cookie C | --ticket T] [--relay URL[,URL…]] [--hidden] [--no-connect-all] [--no-direct]
 *              [--ticktime SECONDS] [--eval CODE] [--noshell] [--remsh NODE] [--capabilities FILE] [--busy-wait MS]
 * erlmesh demo [--port 8080] [--host 127.0.0.1] [--cookie C] [--verbose] [--busy-wait MS]
 * erlmesh observer [--relay URL] [--cookie C | --ticket T] [--port 8081] [--host 127.0.0.1] [--sname N | --name N]
 * erlmesh ticket --role R --prefix P [--ttl SECONDS] [--cookie C]
 * ```
 *
 * The cookie is `--cookie`, else $ERLMESH_COOKIE, else ~/.erlang.cookie (created when missing).
 * The relay's default port is 4367 (epmd keeps 4369), or $ERLMESH_RELAY_PORT when set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BUSY_WAIT_MS, setBusyWait } from '../busy-wait.js';
import { collectRelays, messageOf, packageRoot, parsePort } from './common.js';
import { runNames } from './admin-command.js';
import { runDemo } from './demo-command.js';
import { runNode } from './node-command.js';
import { runObserver } from './observer-command.js';
import { runRelay } from './relay-command.js';
import { runTicket } from './ticket-command.js';

/** A lease in milliseconds (at least 100). */
function parseLease(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 100) throw new InvalidArgumentError('a whole number of milliseconds, at least 100');
  return n;
}

/**
 * A commander parser for a number above `min` (at least `min` with `orEqual`); anything else,
 * an empty string included, is refused with `message`.
 */
function numberOver(min: number, message: string, orEqual = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || (orEqual ? n < min : n <= min)) throw new InvalidArgumentError(message);
    return n;
  };
}

/** `--cookie ""` is a slip (an unset shell variable), never a cookie: refuse it. */
function parseCookie(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('the cookie must not be empty (leave --cookie out to use $ERLMESH_COOKIE or ~/.erlang.cookie)');
  return value;
}

const parseTicktime = numberOver(1, 'net_ticktime must be a number of seconds, at least 1 (as in Erlang)', true);
const parseSeconds = numberOver(0, 'a lifetime must be a number of seconds > 0');
const parseBusyWait = numberOver(0, 'busy wait must be a number of milliseconds >= 0', true);

/** `--busy-wait <ms>`, shared by every command that runs sockets (see busy-wait.ts). */
function busyWaitOption(): Option {
  return new Option(
    '--busy-wait <ms>',
    `poll the event loop for this long after each message instead of sleeping (lower latency, more CPU; 0: off; default $ERLMESH_BUSY_WAIT_MS, else ${DEFAULT_BUSY_WAIT_MS})`,
  ).argParser(parseBusyWait);
}

function program(): Command {
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const cli = new Command('erlmesh')
    .description("Erlang/OTP's distribution for Node.js processes and browser tabs")
    .version(version)
    .showHelpAfterError()
    .hook('preAction', (_cli, action) => {
      const ms = action.opts<{ busyWait?: number }>().busyWait;
      if (ms !== undefined) setBusyWait(ms);
    });
  const cookieHelp = 'the cluster cookie (default: $ERLMESH_COOKIE, else ~/.erlang.cookie)';

  cli
    .command('relay')
    .description('run a relay (the epmd of erlmesh) in the foreground; with --stop, stop the one running')
    .option('--port <port>', 'TCP port; 0 picks a free one (default: $ERLMESH_RELAY_PORT, else 4367)', parsePort)
    .option('--stop', 'stop the relay running at --host:--port (as `epmd -kill`; proves the cookie, loopback only)')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--cookie <cookie>', cookieHelp, parseCookie)
    .option('--cert <file>', 'TLS certificate (PEM): serve wss://')
    .option('--key <file>', 'TLS private key (PEM)')
    .option('--redis <url>', 'join the relay cluster on this Redis server (redis://host:port): relays sharing one Redis are one cluster')
    .option('--redis-lease <ms>', 'with --redis: a relay not heard from this long is down and its names free (default 5000)', parseLease)
    .option('--advertise <url>', 'with --redis: where the other relays reach this one (ws://host:port; default: its own URL, or this machine\'s first non-loopback IPv4 with --host 0.0.0.0)')
    .option('--no-relay-links', 'with --redis: no direct relay-to-relay links, every message through Redis pub/sub')
    .addOption(busyWaitOption())
    .action(runRelay);

  cli
    .command('node')
    .description('start a node with a shell (starts a relay daemon when none answers on this host)')
    .option('--sname <name>', 'short name: <name>@<short host name>')
    .option('--name <name>', 'long name: <name>@<fully qualified host>')
    .option('--cookie <cookie>', cookieHelp, parseCookie)
    .option(
      '--relay <urls>',
      'the relay (default ws://127.0.0.1:4367, or $ERLMESH_RELAY_PORT; a daemon is started there when nothing listens); several (a,b or repeated) fail over in that order',
      collectRelays,
    )
    .option('--ticket <ticket>', 'join with a join ticket instead of the cookie (an untrusted node; see `erlmesh ticket`)')
    .option('--hidden', 'a hidden node (not in the nodes() of others)')
    .option('--no-connect-all', 'do not join the full mesh (connect_all false)')
    .option('--no-direct', 'no direct links to other server-nodes: all traffic through the relay')
    .option('--ticktime <seconds>', 'net_ticktime: a silent peer is dropped after about this long', parseTicktime)
    .option('--eval <code>', 'evaluate code after start (shell bindings; await allowed; result not printed)')
    .option('--noshell', 'no shell: run until SIGINT/SIGTERM or halt()')
    .option('--remsh <node>', 'a shell evaluating on another erlmesh node (as erl -remsh); this node is hidden')
    .option('--capabilities <file>', 'what ticket holders may do here: a JSON file, or a JS module exporting them (docs/security.md)')
    .option('--beam', 'also an Erlang node: erl nodes ping, rpc, send, link and monitor it, and list it in nodes() (hidden with --hidden) (epmd, $ERL_EPMD_PORT; docs/beam-interop.md)')
    .option('--beam-allow <nodes>', 'with --beam (implied): only these Erlang nodes may connect, comma-separated full names (e@host,f@host); others are refused with not_allowed (docs/security.md)', (v: string) => v.split(',').map((n) => n.trim()).filter((n) => n !== ''))
    .option('--beam-gateway', "with --beam (implied): be the BEAM gateway of every cookie-holder tab that asks (joinBeamGateway), registering its name at epmd so erl reaches it; ticket holders are refused (docs/beam-interop.md)")
    .addOption(busyWaitOption())
    .action(runNode);

  cli
    .command('names')
    .description('list the nodes registered at the relay (as `epmd -names`; proves the cookie, loopback only)')
    .option('--relay <url>', 'the relay (default ws://127.0.0.1:4367, or $ERLMESH_RELAY_PORT)')
    .option('--cookie <cookie>', cookieHelp, parseCookie)
    .action(runNames);

  cli
    .command('demo')
    .description('serve the demo page, a relay on the same port, and a node demo@<host> running kvs')
    .option('--port <port>', 'HTTP port; 0 picks a free one', parsePort, 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--cookie <cookie>', cookieHelp, parseCookie)
    .option('--verbose', "also log the routine: each tab joining and leaving (the relay's info lines)")
    .addOption(busyWaitOption())
    .action(runDemo);

  cli
    .command('observer')
    .description('serve a live page of the whole cluster (nodes, processes, names, the relay) from a hidden node')
    .option('--relay <url>', 'the relay (default ws://127.0.0.1:4367, or $ERLMESH_RELAY_PORT)')
    .option('--cookie <cookie>', `${cookieHelp}; the page may then kill and send`, parseCookie)
    .option('--ticket <ticket>', 'join with a join ticket instead: read-only, each node answers what the role allows')
    .option('--port <port>', 'HTTP port of the page; 0 picks a free one', parsePort, 8081)
    .option('--host <host>', 'interface the page listens on', '127.0.0.1')
    .option('--sname <name>', 'short name of the hidden node (default observer<pid>)')
    .option('--name <name>', 'long name of the hidden node')
    .addOption(busyWaitOption())
    .action(runObserver);

  cli
    .command('ticket')
    .description('print a join ticket for an untrusted node (a tab) that never holds the cookie (docs/security.md)')
    .requiredOption('--role <role>', "the role it acts in (a key of the nodes' capabilities)")
    .requiredOption('--prefix <prefix>', "its node name must start with this, e.g. 'tab-'")
    .option('--ttl <seconds>', 'lifetime', parseSeconds, 600)
    .option('--cookie <cookie>', cookieHelp, parseCookie)
    .action(runTicket);

  return cli;
}

try {
  await program().parseAsync(process.argv);
} catch (e) {
  process.stderr.write(`erlmesh: ${messageOf(e)}\n`);
  process.exit(1);
}
