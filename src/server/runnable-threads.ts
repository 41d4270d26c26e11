/**
 * How many threads of the whole machine want a CPU right now: the busy waiter's measure of
 * whether its spinning takes a core from someone (src/server/busy-wait.ts).
 *
 * Linux publishes it as the fourth field of /proc/loadavg (`running/total`: the kernel's
 * count of runnable scheduling entities at the moment of the read, the reader included).
 * The file stays open and is read with one `pread` at offset 0, which regenerates it: about
 * 4 µs a read on the 2-core bench machine, parse included. Elsewhere (macOS, Windows, a
 * sandbox without /proc) there is no such probe and the waiter falls back to watching its own
 * CPU time.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { cpus } from 'node:os';
import { decimalAt, digitsEnd, pastSpaces } from './proc-text.js';

/** A reader of the machine's runnable-thread count. */
export interface RunnableThreads {
  /** Threads runnable on the machine now (running or waiting for a CPU), the caller included. */
  read(): number;
  /** The machine's CPUs (the count the kernel's runnable threads share). */
  readonly cpus: number;
}

/**
 * The running count in the text of /proc/loadavg (`0.08 0.03 0.01 2/84 17616` → 2), from
 * its bytes; -1 if the text is not of that form.
 *
 * @example
 * parseRunnable(Buffer.from('0.00 0.00 0.08 2/84 17616\n')); // 2
 */
export function parseRunnable(bytes: Uint8Array, length = bytes.length): number {
  const i = pastSpaces(bytes, 0, length, 3);
  if (i < 0) return -1;
  const end = digitsEnd(bytes, i, length);
  return end < length && bytes[end] === 0x2f ? decimalAt(bytes, i, length) : -1;
}

/**
 * Open the probe, or undefined where the platform has none (no /proc/loadavg, or one whose
 * text does not parse).
 */
export function openRunnableThreads(path = '/proc/loadavg'): RunnableThreads | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(128);
  const read = (): number => parseRunnable(buf, readSync(fd, buf, 0, buf.length, 0));
  let first = -1;
  try {
    first = read();
  } catch {
    // not readable as a file: no probe
  }
  if (first < 1) {
    closeSync(fd);
    return undefined;
  }
  return { read, cpus: Math.max(1, cpus().length) };
}
