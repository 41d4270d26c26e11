/**
 * Real Erlang as the test oracle for the ETF codec: one long-lived `erl -noshell` per test
 * file (no -sname, so no epmd and no distribution), driven by lines on stdin, one answer line
 * per request, in order:
 *   `R <hex>`    binary_to_term, then term_to_binary(T, [{minor_version, 2}]) → `OK <hex>`
 *   `E <hex> <hex>`  are the two decoded terms =:= ?           → `OK true` / `OK false`
 *   `X <hex>`    evaluate the UTF-8 Erlang expression (final dot added) → `OK <hex>` of its encoding
 * and `ERR <class>:<reason>` when Erlang raises. `minor_version 2` is what the distribution
 * writes (UTF-8 atoms); OTP 25's term_to_binary default (1) writes Latin-1 atoms.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Where erl is, or undefined (the suites then skip, saying why). */
export const ERL: string | undefined = (() => {
  const r = spawnSync('sh', ['-c', 'command -v erl'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
})();

export const NO_ERL = 'erl is not installed (scripts/ensure-erlang.sh installs erlang-nox in npm test)';

const SCRIPT = `
io:setopts(standard_io, [binary]),
Hex = fun(B) -> binary:encode_hex(B) end,
Unhex = fun(H) -> binary:decode_hex(H) end,
Enc = fun(T) -> term_to_binary(T, [{minor_version, 2}]) end,
Handle = fun
  (<<"R ", H/binary>>) -> <<"OK ", (Hex(Enc(binary_to_term(Unhex(H)))))/binary>>;
  (<<"E ", Rest/binary>>) ->
    [A, B] = binary:split(Rest, <<" ">>),
    <<"OK ", (atom_to_binary(binary_to_term(Unhex(A)) =:= binary_to_term(Unhex(B))))/binary>>;
  (<<"X ", H/binary>>) ->
    {ok, Toks, _} = erl_scan:string(unicode:characters_to_list(Unhex(H))),
    {ok, Exprs} = erl_parse:parse_exprs(Toks),
    {value, V, _} = erl_eval:exprs(Exprs, []),
    <<"OK ", (Hex(Enc(V)))/binary>>
end,
Loop = fun L() ->
  case io:get_line(<<>>) of
    eof -> halt(0);
    Line ->
      Reply = try Handle(string:trim(Line)) catch C:E -> iolist_to_binary(io_lib:format("ERR ~p:~p", [C, E])) end,
      io:put_chars([Reply, $\\n]),
      L()
  end
end,
Loop().
`;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

/** One erl process answering requests in order. */
export class ErlOracle {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly waiting: ((line: string) => void)[] = [];
  private exited = false;

  constructor(erl: string) {
    this.proc = spawn(erl, ['-noshell', '-eval', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.proc.stdout }).on('line', (line) => this.waiting.shift()?.(line));
    this.proc.stderr.on('data', (d: Buffer) => process.stderr.write(`erl: ${d.toString()}`));
    this.proc.on('exit', () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w('ERR erl exited');
    });
  }

  private ask(line: string): Promise<string> {
    if (this.exited) return Promise.resolve('ERR erl exited');
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.proc.stdin.write(`${line}\n`);
    });
  }

  private static ok(reply: string): string {
    if (!reply.startsWith('OK ')) throw new Error(`erl: ${reply}`);
    return reply.slice(3);
  }

  /** `term_to_binary(binary_to_term(bytes))`: what BEAM sends back for the term we sent. */
  async roundTrip(bytes: Uint8Array): Promise<Uint8Array> {
    return unhex(ErlOracle.ok(await this.ask(`R ${hex(bytes)}`)));
  }

  /** Does BEAM decode the two encodings to `=:=` terms? */
  async same(a: Uint8Array, b: Uint8Array): Promise<boolean> {
    return ErlOracle.ok(await this.ask(`E ${hex(a)} ${hex(b)}`)) === 'true';
  }

  /** The encoding (minor_version 2) of the value of an Erlang expression, e.g. `{ok, 1}`. */
  async eval(expr: string): Promise<Uint8Array> {
    return unhex(ErlOracle.ok(await this.ask(`X ${hex(Buffer.from(`${expr}.`, 'utf8'))}`)));
  }

  /** The raw reply to `R`, for bytes BEAM may refuse (`ERR …`). */
  async tryRoundTrip(bytes: Uint8Array): Promise<string> {
    return this.ask(`R ${hex(bytes)}`);
  }

  /** Closes stdin (erl halts) and waits for the process to end; kills it after 5 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.proc.once('exit', () => r()));
    this.proc.stdin.end();
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  }
}
