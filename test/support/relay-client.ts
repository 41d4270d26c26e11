/**
 * A raw relay-protocol client for tests of the relay (no erlmesh node code): an inbox of
 * decoded messages, the close code and reason, and the steps of the protocol (register, open,
 * ping). Binary messages are kept as `{ t: 'bin', bytes }`.
 */
import WebSocket from 'ws';
import { webCrypto } from '../../src/core/net/proofs.js';
import { RELAY_PROTOCOL_VERSION, relayProofInput, type FromRelay } from '../../src/core/relay-client/protocol.js';

/** Poll `cond` every 5 ms; fail after `ms` (a bound, not a timing assertion). */
export async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export type Msg = FromRelay & Record<string, unknown>;

/** A raw protocol client: an inbox of decoded messages and the close code/reason. */
export class RelayClient {
  readonly inbox: Msg[] = [];
  closeInfo: { code: number; reason: string } | undefined;
  nonce = '';
  /** `cookie`: what `register` proves by default. */
  constructor(
    readonly ws: WebSocket,
    private readonly cookie: string,
  ) {
    // Binary messages (channel data from `bin` peers) are kept as { t: 'bin', bytes }.
    ws.on('message', (d, isBinary) =>
      this.inbox.push(isBinary ? ({ t: 'bin', bytes: Buffer.from(d as Buffer) } as unknown as Msg) : (JSON.parse(String(d)) as Msg)),
    );
    ws.on('close', (code, reason) => (this.closeInfo = { code, reason: String(reason) }));
    ws.on('error', () => {});
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  /** Remove and return the first message matching `pred`, waiting for it if needed. */
  async take(pred: (m: Msg) => boolean, what = 'message', ms = 5000): Promise<Msg> {
    let i = -1;
    await until(() => (i = this.inbox.findIndex(pred)) >= 0 || this.closeInfo !== undefined, what, ms);
    if (i < 0) i = this.inbox.findIndex(pred);
    if (i < 0) throw new Error(`closed (${JSON.stringify(this.closeInfo)}) while waiting for ${what}`);
    return this.inbox.splice(i, 1)[0] as Msg;
  }

  tag(t: FromRelay['t'] | 'bin', extra: (m: Msg) => boolean = () => true): Promise<Msg> {
    return this.take((m) => m.t === t && extra(m), t);
  }

  /** How many messages of type `t` are in the inbox. */
  count(t: string): number {
    return this.inbox.filter((m) => m.t === t).length;
  }

  async closed(ms = 5000): Promise<{ code: number; reason: string }> {
    await until(() => this.closeInfo !== undefined, 'close', ms);
    return this.closeInfo as { code: number; reason: string };
  }

  /** Answer the challenge; resolves with `welcome` or `refused`. */
  async register(
    name: string,
    o: { cookie?: string; hidden?: boolean; creation?: number; direct?: string; v?: number; bin?: unknown; members?: unknown; connectAll?: unknown } = {},
  ): Promise<Msg> {
    const proof = await webCrypto.hmacSha256Hex(o.cookie ?? this.cookie, relayProofInput(this.nonce, name));
    const { cookie: _c, v, ...rest } = o;
    this.send({ t: 'register', v: v ?? RELAY_PROTOCOL_VERSION, name, proof, hidden: false, ...rest });
    return this.take((m) => m.t === 'welcome' || m.t === 'refused', `welcome/refused for ${name}`);
  }

  /** Open a channel to `to`; returns the channel id. */
  async open(to: string, req = Math.floor(Math.random() * 1e9)): Promise<number> {
    this.send({ t: 'open', req, to });
    const m = await this.take((x) => (x.t === 'opened' || x.t === 'open_failed') && x.req === req, `opened ${to}`);
    if (m.t !== 'opened') throw new Error(`open ${to}: ${JSON.stringify(m)}`);
    return m.ch;
  }

  /** Ping the relay and wait for the pong: proves this socket is still served. */
  async roundTrip(): Promise<void> {
    this.send({ t: 'ping' });
    await this.tag('pong');
  }
}

