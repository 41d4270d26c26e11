/**
 * The shell of `erlmesh node`: node:repl dressed as erl's shell.
 *
 * - Prompt `(gandalf@host)1> `; the number goes up after each evaluated input (a syntax error
 *   or an unfinished input does not count, as in erl).
 * - Top-level `await` works (the REPL's own eval), and a returned promise is awaited too
 *   (`rpc.call(...)` prints the reply, not `Promise { <pending> }`).
 * - Results print with formatTerm; failures print as erl prints them (`** exception error:
 *   badarg (...)`), never a stack trace, and the shell goes on.
 * - Output of the node's group leader and its log lines are written above the prompt on a TTY.
 * - Piped stdin (tests, scripts): prompts are still printed, and each line is handed to the
 *   REPL only once the previous one has finished, so answers come in order.
 * - Erlang habits are translated first (shell-erlang-syntax.ts): `kvs:start().` works.
 * - Tab completion evaluates what precedes the dot: that is not an input, and does not count.
 * - On a TTY, entered lines are appended to ~/.erlmesh_history (shell-history.ts).
 * - With `remote`, each input is evaluated on another node (`--remsh`, shell-remote.ts).
 *
 * Two REPL internals are used, both guarded: the domain whose 'error' event carries
 * synchronous exceptions (to print them Erlang-style), and `_ttyWrite` (to hold keys, and take
 * Ctrl+C, while a returned promise is awaited, as the REPL does for its own top-level await).
 */
import type { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as readline from 'node:readline';
import * as repl from 'node:repl';
import { PassThrough } from 'node:stream';
import type { Node } from '../../core/node/node.js';
import { ExitSignal } from '../../core/process/unwind.js';
import { formatTerm } from '../../core/terms/format.js';
import type { Pid } from '../../core/terms/pid.js';
import type { ShellBindings } from './bindings.js';
import { formatException } from './exceptions.js';
import { referenceHint, translateErlang } from './shell-erlang-syntax.js';
import { formatResult } from './shell-facades.js';
import { ShellHistory } from './shell-history.js';
import type { RemoteAnswer } from './shell-remote.js';

/** Where the CLI writes: straight to stdout/stderr, or above the shell's prompt once there is one. */
export class ShellConsole {
  private writer: ((stream: NodeJS.WriteStream, text: string) => void) | undefined;

  out(text: string): void {
    this.write(process.stdout, text);
  }

  err(text: string): void {
    this.write(process.stderr, text);
  }

  /** @internal the shell takes over the writing */
  attach(writer: (stream: NodeJS.WriteStream, text: string) => void): void {
    this.writer = writer;
  }

  private write(stream: NodeJS.WriteStream, text: string): void {
    if (this.writer) this.writer(stream, text);
    else stream.write(text);
  }
}

export interface ShellOptions {
  node: Node;
  bindings: ShellBindings;
  console: ShellConsole;
  /** Printed before the first prompt. */
  banner: string;
  /** The input ended (Ctrl+D, end of piped stdin, `.exit`). */
  onExit: () => void;
  /** Evaluate each input on this node instead (`--remsh`). */
  remote?: { name: string; eval(code: string): Promise<RemoteAnswer> };
}

/** Text a remote node already printed: shown as it is. */
class Printed {
  constructor(readonly text: string) {}
}

/** An exception a remote node already printed. */
class RemoteFailure extends Error {}

/** The code of the REPL's own Ctrl+C interruption, also used for the promises awaited here. */
const INTERRUPTED = 'ERR_SCRIPT_EXECUTION_INTERRUPTED';

type Key = { ctrl?: boolean; name?: string } | undefined;
type TtyWrite = (d: string, key: Key) => void;
type EvalCallback = (err: Error | null, result?: unknown) => void;

export interface Shell {
  /** The shell process `pid` died with `reason` (a new one has taken over). */
  died(pid: Pid, reason: unknown): void;
  /** Close the REPL (restoring the terminal, after the history is written). */
  close(): Promise<void>;
}

export function startShell(o: ShellOptions): Shell {
  const { node, bindings, console: con } = o;
  const tty = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  let count = 1;
  const promptText = () => `(${o.remote?.name ?? node.name})${count}> `;
  let evaluating = false;
  /** Shell processes whose death was already reported by an evaluation. */
  const reported = new Set<string>();
  const deferredDeaths: Array<[Pid, unknown]> = [];
  /** Keys typed while a returned promise was awaited, replayed at the next prompt. */
  let heldKeys: Array<[string, Key]> = [];

  process.stdout.write(o.banner);
  const gate = tty ? undefined : gatedInput(process.stdin);
  const server = repl.start({
    prompt: promptText(),
    input: gate ? gate.stream : process.stdin,
    output: process.stdout,
    terminal: tty,
    useGlobal: true,
    writer: (v: unknown) => (v instanceof Printed ? v.text : formatResult(v)),
    preview: false,
    breakEvalOnSigint: tty,
  });
  const internals = server as unknown as { _domain?: EventEmitter; _ttyWrite?: TtyWrite };

  con.attach((stream, text) => {
    if (!tty || evaluating) return void stream.write(text);
    // Idle at the prompt: clear the line, print, and redraw the prompt with what was typed.
    readline.clearLine(process.stdout, 0);
    readline.cursorTo(process.stdout, 0);
    stream.write(text.endsWith('\n') ? text : `${text}\n`);
    server.prompt(true);
  });

  const reportDeath = (pid: Pid, reason: unknown) => {
    if (reported.delete(pid.key)) return;
    con.out(`** exception exit: ${formatTerm(reason)}\n`);
  };

  /**
   * A failed evaluation in shell process `evalPid`: note at once whether it ended that process
   * (so its death is not reported twice), and return how to print it.
   */
  const failure = (e: unknown, evalPid: Pid): (() => void) => {
    if ((e as { code?: unknown })?.code === INTERRUPTED) {
      // As erl's Ctrl+G `i`: the evaluator is killed (it may be stuck in a receive) and replaced.
      reported.add(evalPid.key);
      if (bindings.self.pid.equals(evalPid)) bindings.killShellProcess();
      return () => con.out('** exception exit: killed\n');
    }
    if (e instanceof ExitSignal) reported.add(evalPid.key);
    const text = e instanceof RemoteFailure ? e.message : (referenceHint(e, lastCode) ?? formatException(e));
    return () => con.out(`${text}\n`);
  };

  /** After an evaluation: let pending group-leader output print first, then answer. */
  const settle = (answer: () => void) =>
    setImmediate(() => {
      bindings.refresh();
      for (const [pid, reason] of deferredDeaths.splice(0)) reportDeath(pid, reason);
      answer();
    });

  const bump = () => {
    count++;
    server.setPrompt(promptText());
  };

  let evalPid: Pid = bindings.self.pid;
  /** The code of the current evaluation, as evaluated (for referenceHint). */
  let lastCode = '';
  /** Tab completion is evaluating an expression: not an input. */
  let completing = false;
  const evalSlot = server as unknown as { eval: repl.REPLEval; completer: (line: string, cb: (...a: unknown[]) => void) => void };
  const localEval = evalSlot.eval;
  const innerEval: repl.REPLEval = o.remote ? remoteEval(o.remote) : localEval;
  evalSlot.eval = (code: string, context: object, file: string, cb: EvalCallback) => {
    if (completing) return localEval.call(server, code, context, file, cb);
    code = translateErlang(code);
    lastCode = code;
    evaluating = true;
    evalPid = bindings.self.pid;
    const pid = evalPid;
    const fail = (e: unknown, counts = true) => {
      const print = failure(e, pid);
      settle(() => {
        print();
        if (counts) bump();
        cb(null);
      });
    };
    const succeed = (v: unknown) =>
      settle(() => {
        bump();
        cb(null, v);
      });
    innerEval.call(server, code, context, file, (err: Error | null, ...rest: unknown[]) => {
      if (err) {
        if (err instanceof repl.Recoverable) return cb(err);
        return fail(err, err.name !== 'SyntaxError');
      }
      if (rest.length === 0) return cb(null); // blank input: nothing evaluated
      const value = rest[0];
      if (!isThenable(value)) return succeed(value);
      awaitHoldingKeys(value).then(succeed, (e: unknown) => fail(e));
    });
  };

  const completer = evalSlot.completer;
  evalSlot.completer = function (this: unknown, line, cb) {
    completing = true;
    try {
      return completer.call(this, line, cb);
    } finally {
      completing = false;
    }
  };

  // Synchronous exceptions reach the REPL's domain, not the eval callback.
  if (internals._domain) {
    internals._domain.removeAllListeners('error');
    internals._domain.on('error', (e: unknown) => {
      const print = failure(e, evalPid);
      settle(() => {
        print();
        bump();
        server.clearBufferedCommand();
        server.displayPrompt();
      });
    });
  }

  /** Await `p`; on a TTY hold typed keys meanwhile and let Ctrl+C interrupt. */
  const awaitHoldingKeys = (p: PromiseLike<unknown>): Promise<unknown> => {
    const ttyWrite = internals._ttyWrite;
    if (!tty || !ttyWrite) return Promise.resolve(p);
    return new Promise((resolve, reject) => {
      const restore = () => {
        internals._ttyWrite = ttyWrite;
      };
      internals._ttyWrite = (d, key) => {
        if (key?.ctrl && key.name === 'c') {
          restore();
          reject(Object.assign(new Error('interrupted'), { code: INTERRUPTED }));
        } else heldKeys.push([d, key]);
      };
      Promise.resolve(p).then(
        (v) => (restore(), resolve(v)),
        (e: unknown) => (restore(), reject(e)),
      );
    });
  };

  const displayPrompt = server.displayPrompt.bind(server);
  server.displayPrompt = (preserveCursor?: boolean) => {
    evaluating = false;
    displayPrompt(preserveCursor);
    if (heldKeys.length && internals._ttyWrite) {
      const keys = heldKeys;
      heldKeys = [];
      const write = internals._ttyWrite;
      setImmediate(() => keys.forEach(([d, k]) => write.call(server, d, k)));
    }
    gate?.next();
  };
  gate?.next();

  let history: ShellHistory | undefined;
  if (tty) {
    try {
      history = ShellHistory.open(join(homedir(), '.erlmesh_history'));
      (server as unknown as { history: string[] }).history = history.entries;
      server.on('line', (line: string) => history?.add(line));
    } catch (e) {
      con.err(`erlmesh: no shell history: ${(e as Error).message}\n`);
    }
  }
  let closed = false;
  server.on('close', () => {
    closed = true;
    history?.close();
  });
  server.on('exit', o.onExit);

  return {
    died: (pid, reason) => {
      if (evaluating) deferredDeaths.push([pid, reason]);
      else reportDeath(pid, reason);
    },
    close: () =>
      closed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            server.once('close', () => resolve());
            server.close();
          }),
  };
}

/** An eval that sends each complete input to `remote` (blank input evaluates nothing). */
function remoteEval(remote: NonNullable<ShellOptions['remote']>): repl.REPLEval {
  return (code, _context, _file, done) => {
    const cb = done as EvalCallback;
    if (code.trim() === '') return cb(null);
    remote.eval(code).then(
      ([tag, text]) => (tag === 'ok' ? cb(null, new Printed(text)) : cb(new RemoteFailure(text))),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
  };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Piped input, one line at a time: `next()` (called at each prompt) releases the next line,
 * and the end of the input once every line has been taken.
 */
function gatedInput(source: NodeJS.ReadableStream): { stream: PassThrough; next(): void } {
  const stream = new PassThrough();
  const lines: string[] = [];
  let ended = false;
  let ready = false;
  const pump = () => {
    if (!ready) return;
    const line = lines.shift();
    if (line !== undefined) {
      ready = false;
      stream.write(`${line}\n`);
    } else if (ended) {
      ready = false;
      stream.end();
    }
  };
  const rl = readline.createInterface({ input: source, crlfDelay: Infinity, terminal: false });
  rl.on('line', (line) => {
    lines.push(line);
    pump();
  });
  rl.on('close', () => {
    ended = true;
    pump();
  });
  return {
    stream,
    next: () => {
      ready = true;
      setImmediate(pump);
    },
  };
}
