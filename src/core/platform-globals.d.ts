/**
 * The only globals src/core may use besides ES2022 — the ones every supported platform
 * (Node >= 20, browsers) provides with the same behaviour.
 *
 * Loaded ONLY by tsconfig.core.json (lib ES2022, no DOM, no @types/node). tsconfig.json and
 * tsconfig.build.json exclude it on purpose: it does not clash with lib.dom + @types/node
 * (tested), but its looser overloads (e.g. `clearTimeout(handle: unknown)`) would merge into
 * theirs and hide real errors there. `npm run typecheck` runs both configs, so core code
 * must satisfy both: these stand-ins and the real platform types.
 *
 * Every declaration is deliberately a SUBSET of the DOM and Node types: code that
 * type-checks against this file also type-checks against DOM + Node
 * (test/tooling/core-typecheck.test.ts checks this).
 *
 * Rules of thumb for core code:
 * - Timer handles are opaque (`unknown`): store them, hand them back to `clearTimeout`
 *   with `h as ReturnType<typeof setTimeout>`, never call methods on them (`unref` is Node-only).
 * - Binary data handed to crypto is `Uint8Array<ArrayBuffer>` / `ArrayBuffer` (what
 *   `TextEncoder.encode` and `new Uint8Array(n)` produce), as in the DOM's `BufferSource`.
 * - Anything else platform-specific is injected from src/server or src/browser.
 *
 * This file must stay a global script: no top-level import or export.
 */

// ---- timers -------------------------------------------------------------------------------

/** Schedules `callback` after `ms` milliseconds. The handle is opaque. */
declare function setTimeout(callback: () => void, ms?: number): unknown;
/** Cancels a timer made by `setTimeout`. */
declare function clearTimeout(handle: unknown): void;
/** Runs `callback` as a microtask. */
declare function queueMicrotask(callback: () => void): void;

// ---- console ------------------------------------------------------------------------------

interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
  debug(...data: unknown[]): void;
}
declare var console: Console;

// ---- text encoding ------------------------------------------------------------------------

interface TextEncoder {
  readonly encoding: string;
  /** UTF-8 bytes of `input`. */
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare var TextEncoder: {
  prototype: TextEncoder;
  new (): TextEncoder;
};

interface TextDecoderOptions {
  fatal?: boolean;
  ignoreBOM?: boolean;
}
interface TextDecodeOptions {
  stream?: boolean;
}
interface TextDecoder {
  readonly encoding: string;
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBuffer | ArrayBufferView<ArrayBuffer>, options?: TextDecodeOptions): string;
}
declare var TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: TextDecoderOptions): TextDecoder;
};

/** Base64 of a binary (Latin-1) string. */
declare function btoa(data: string): string;
/** Binary (Latin-1) string of base64 `data`. */
declare function atob(data: string): string;

// ---- performance --------------------------------------------------------------------------

interface Performance {
  /** Milliseconds since the time origin; monotonic. */
  now(): number;
}
declare var performance: Performance;

// ---- web crypto (the subset erlmesh needs: HMAC-SHA-256, SHA-256, random bytes) -----------

/** An opaque key handle made by `crypto.subtle.importKey`. */
interface CryptoKey {
  readonly type: 'private' | 'public' | 'secret';
}

interface SubtleCrypto {
  importKey(
    format: 'raw',
    keyData: ArrayBuffer | ArrayBufferView<ArrayBuffer>,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: false,
    keyUsages: readonly ('sign' | 'verify')[],
  ): Promise<CryptoKey>;
  sign(
    algorithm: 'HMAC',
    key: CryptoKey,
    data: ArrayBuffer | ArrayBufferView<ArrayBuffer>,
  ): Promise<ArrayBuffer>;
  digest(
    algorithm: 'SHA-256',
    data: ArrayBuffer | ArrayBufferView<ArrayBuffer>,
  ): Promise<ArrayBuffer>;
}

interface Crypto {
  readonly subtle: SubtleCrypto;
  /** Fills `array` with cryptographically strong random bytes and returns it. */
  getRandomValues<T extends Uint8Array<ArrayBuffer>>(array: T): T;
}
declare var crypto: Crypto;
