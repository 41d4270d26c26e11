/**
 * The seam between the router (router.ts) and a relay cluster: what the router asks of the
 * cluster (`RelayCluster`: claim a name, say who joined and left) and what the cluster asks of
 * the router (`ClusterHost`: add and remove the nodes of other relays, feed their traffic in).
 * Without Redis the router runs on `LocalCluster`: names and creations live in this process
 * and every call answers at once, so a lone relay behaves as before clusters existed.
 *
 * Nodes of other relays are `Session`s with a `remote` relay id and a `Conn` that forwards to
 * that relay (remote-nodes.ts): the router routes to them as to local nodes, and a node cannot
 * tell a node of another relay from one of its own.
 */
import { nextCreation } from '../admission.js';
import type { Session } from '../session.js';

/** The outcome of claiming a name: its creation, or why not. */
export type ClaimResult =
  | { ok: true; creation: number }
  | { ok: false; code: 'name_taken' | 'cluster_unavailable'; message: string };

/** What the router asks of the cluster it is part of. */
export interface RelayCluster {
  /** Claim `name` for a registration asking for `requested`; at once (a lone relay) or later (Redis). */
  claim(name: string, requested: number | undefined): ClaimResult | Promise<ClaimResult>;
  /** A name claimed for a session that went away before its welcome: free it. */
  unclaim(name: string): void;
  /** A local node was welcomed: tell the other relays. */
  joined(s: Session): void;
  /** A local node is leaving with `reason` (before its channels end): tell the other relays, free its name. */
  leaving(name: string, reason: string): void;
}

/** What the cluster asks of the router. */
export interface ClusterHost {
  /** Register the node of another relay (a session with `remote` set); false if the name is held here. */
  addRemote(s: Session): boolean;
  /** That node of another relay is gone, with `reason` (its channels end, members hear `left`). */
  removeRemote(s: Session, reason: string): void;
  /** A text message (`open`, `d`, `close`) as if sent by `s`, a node of another relay. */
  onText(s: Session, data: Buffer): void;
  /** A binary data message as if sent by `s`, a node of another relay. */
  onBinary(s: Session, data: Buffer): void;
  /** Every registered local session. */
  locals(): Session[];
  /** Close a local session (e.g. its name was lost to another relay), logging `line`. */
  close(s: Session, code: number, reason: string, line: { level: 'warn'; event: string; detail: string }): void;
}

/**
 * Claim `name` for `s` and call `welcome` with the outcome — at once when the claim is
 * synchronous; else later, with `claiming` holding the name meanwhile (a second registration
 * of it is refused), and only if `s` is still waiting (else a won name is freed again).
 */
export function claimName(
  cluster: RelayCluster,
  claiming: Set<string>,
  s: Session,
  name: string,
  requested: number | undefined,
  welcome: (r: ClaimResult) => void,
): void {
  const claim = cluster.claim(name, requested);
  if (!(claim instanceof Promise)) return welcome(claim);
  claiming.add(name);
  s.claiming = name;
  const done = (r: ClaimResult): void => {
    claiming.delete(name);
    s.claiming = undefined;
    if (s.state === 'pending') welcome(r);
    else if (r.ok) cluster.unclaim(name);
  };
  claim.then(done, (e: unknown) => done({ ok: false, code: 'cluster_unavailable', message: String(e) }));
}

/** A lone relay: creations from this process's memory (with the clock floor), nothing to tell anyone. */
export class LocalCluster implements RelayCluster {
  private readonly lastCreation = new Map<string, number>();

  claim(name: string, requested: number | undefined): ClaimResult {
    const creation = nextCreation(this.lastCreation.get(name), requested);
    this.lastCreation.set(name, creation);
    return { ok: true, creation };
  }

  unclaim(): void {}
  joined(): void {}
  leaving(): void {}
}
