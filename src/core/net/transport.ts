/**
 * Transport: how a node reaches other nodes, and is reached by them.
 *
 * A transport stands in for Erlang's epmd + carrier (TCP): `listen` registers a node name and
 * hands out its creation number; `connect` opens a `Channel` to a named peer. The
 * distribution handshake and everything after it run over channels and never learn which
 * transport carries them (memory pair in tests, `ws` in Node, the browser WebSocket in tabs).
 *
 * Invariants every implementation keeps (checked by `transportConformanceCases`):
 * - frames on one channel arrive in the order sent, whole, each exactly once, until close;
 * - a frame (string or Uint8Array) arrives as the same type with the same content;
 * - `close()` on either end makes the other end's `onClose` fire exactly once; the local
 *   `onClose` fires too (exactly once); `send` after close is a silent no-op, never a throw;
 * - frames received before `attach` are buffered and delivered, in order, on `attach`;
 * - `connect` to a name nobody listens on rejects with an `ErlmeshError` whose code is
 *   `nodedown`; a transport that cannot reach its rendezvous rejects with
 *   `relay_unreachable`;
 * - `listen` of a name already held rejects with code `name_taken`; once the holder's
 *   transport is closed, the name is free again and the next `listen` gets a greater creation.
 */

/**
 * One message on a channel: text or binary, delivered as the same type.
 *
 * @example
 * channel.send('hello' satisfies Frame);
 * channel.send(new Uint8Array([1, 2, 3]));
 */
export type Frame = string | Uint8Array;

/**
 * What the owner of a channel attaches to it.
 *
 * @example
 * const handlers: ChannelHandlers = { onFrame: (f) => console.log('got', f), onClose: (r) => console.log('closed:', r) };
 * channel.attach(handlers);
 */
export interface ChannelHandlers {
  onFrame(frame: Frame): void;
  onClose(reason: string): void;
}

/**
 * One ordered, reliable, message-framed, bidirectional link to one peer.
 *
 * @example
 * const ch: Channel = await transport.connect('b@host');
 * ch.attach({ onFrame: (f) => console.log(f), onClose: () => {} });
 * ch.send('hello');
 * ch.close();
 */
export interface Channel {
  /** Attach the owner's handlers; frames that arrived earlier are delivered now, in order. */
  attach(handlers: ChannelHandlers): void;
  /** Queue one frame. After close: a silent no-op. */
  send(frame: Frame): void;
  /** Close both ends. Idempotent. */
  close(reason?: string): void;
  /** True until closed (by either end). */
  readonly isOpen: boolean;
  /**
   * Optional: run `fn` later in the turn of the event loop, where the owner sends what it has
   * gathered, so that frames sent together leave in one write. A transport whose every send
   * costs a system call offers it: `ws` channels in Node at the end of the loop's turn
   * (`setImmediate`), direct TCP links as soon as the sending code is done
   * (`process.nextTick`: right after a callback's own code, or once the microtask queue is
   * empty when a microtask sent, as a process's reply is). Without it, a microtask.
   */
  afterTurn?(fn: () => void): void;
}

/**
 * What a successful `listen` returns.
 *
 * @example
 * const { creation }: Registration = await transport.listen('a@host', (ch) => ch.close());
 */
export interface Registration {
  /** Incarnation number of this name; grows each time the name registers again. */
  creation: number;
  /** The rendezvous reports membership (`ListenOptions.onMembers`) instead of `onPeers`. */
  membership?: boolean;
}

/**
 * A node the rendezvous (the relay) has admitted, as it reports it (issue 13: the relay as
 * introducer; src/core/relay-client/protocol.ts "Membership").
 *
 * @example
 * const m: Member = { name: 'b@host', creation: 3, hidden: false, connectAll: true, relayed: true, vouched: true };
 */
export interface Member {
  name: string;
  creation: number;
  hidden: boolean;
  connectAll: boolean;
  /** Its ticket role; absent for a cookie holder. */
  role?: string;
  /** A connection to it goes through the rendezvous (false: over a direct link, with its own handshake and ticks). */
  relayed: boolean;
  /** The rendezvous vouches for it (a cookie holder taking part in membership). */
  vouched: boolean;
}

/**
 * One change of the membership, in the order the rendezvous saw them. `left` has a nodedown
 * reason: `connection_closed`, or `net_tick_timeout` for a node that stopped answering.
 *
 * @example
 * const changes: MembershipChange[] = [{ joined: m }, { left: 'c@host', reason: 'net_tick_timeout' }];
 */
export type MembershipChange = { joined: Member } | { left: string; reason: string };

/** What a node tells its transport when it starts listening. */
export interface ListenOptions {
  /** The node is hidden (a relay lists it as such to others). */
  hidden?: boolean;
  /**
   * Called by a transport with a rendezvous (the relay) each time this node (re)registers,
   * with the visible nodes already there: the node connects to them to form the mesh.
   */
  onPeers?(peers: string[]): void;
  /**
   * Membership (issue 13): when given and the rendezvous offers it, the transport reports every
   * admitted node here (the snapshot on registration, then the changes) instead of calling
   * `onPeers`, and ticks with the rendezvous every `tickMs`. When the rendezvous is lost, every
   * member leaves (`connection_closed`, or `net_tick_timeout` when it stopped answering).
   */
  onMembers?(changes: MembershipChange[], snapshot: boolean): void;
  /**
   * Called by a transport whose registration was renewed with another creation than the one
   * `listen` returned (a relay failover: the node is back as a new incarnation of its name),
   * before the peers of the new registration are reported.
   */
  onCreation?(creation: number): void;
  /** With `onMembers`: the node's tick interval (default 15 000 ms). */
  tickMs?: number;
  /** With `onMembers`: the node takes part in the mesh (connect_all; default true). */
  connectAll?: boolean;
}

/**
 * How a node reaches other nodes (the invariants above); `startNode({ transport })` takes one.
 *
 * @example
 * const transport: Transport = new MemoryNetwork().transport();
 * const node = await startNode({ sname: 'a', cookie: 'secret', transport });
 */
export interface Transport {
  /** Register `name` and start accepting inbound channels. */
  listen(name: string, onInbound: (channel: Channel) => void, opts?: ListenOptions): Promise<Registration>;
  /** Open a channel to the node registered as `peer`. */
  connect(peer: string): Promise<Channel>;
  /** Unregister, close every channel of this transport and stop accepting. Idempotent. */
  close(): Promise<void>;
}
