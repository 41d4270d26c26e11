/**
 * Whether a process this one just wrote to waits for this process's CPU: the busy waiter's
 * check that its spinning holds back the very peer it is waiting for (src/server/busy-wait.ts).
 *
 * A socket write wakes the reader with the kernel's "sync" hint (the writer is about to
 * sleep), and when the writer is alone on its CPU the kernel queues the reader on the writer's
 * CPU, even when another is idle (Linux's `wake_affine_idle`; on a virtual machine whose vCPUs
 * share no cache it does not look for the idle one). A spinning writer breaks the hint: the
 * reader waits until the spin ends (0.5 ms). The probe reads the peer's state and CPU and this
 * process's CPU (`/proc/<pid>/stat`, fields 3 and 39): the peer runnable (`R`) on this CPU is
 * held back by us.
 *
 * Peers are known by a host process id that a direct link's upgrade carries
 * (`x-erlmesh-host-process`: boot id, pid namespace and pid, src/server/transports/direct-links.ts):
 * a pid is only read when both ends share the boot and the pid namespace. Elsewhere (macOS,
 * Windows, another container) there is no id and no check. The id is not authenticated (it
 * comes before the cookie is proven): a peer that lies about it changes nothing but when this
 * process stops spinning, and reads only what /proc shows any process.
 */
import { closeSync, openSync, readFileSync, readSync, readlinkSync } from 'node:fs';
import { decimalAt, pastSpaces } from './proc-text.js';

/** The header of a direct link's upgrade (request and 101 answer) that carries {@link hostProcessId}. */
export const HOST_PROCESS_HEADER = 'x-erlmesh-host-process';

/**
 * This process as `<boot id>/<pid namespace>/<pid>` (Linux), or undefined where there is no
 * /proc to say it.
 *
 * @example
 * hostProcessId(); // 'b3c1…-…/pid:[4026531836]/4242'
 */
export function hostProcessId(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    const ns = readlinkSync('/proc/self/ns/pid');
    return boot !== '' && ns !== '' ? `${boot}/${ns}/${process.pid}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid of the peer that sent `theirs`, if it runs beside this process (same boot, same pid
 * namespace) and is another process; else undefined.
 *
 * @example
 * peerPidOnThisHost('b3c1…/pid:[4026531836]/4243', hostProcessId()); // 4243
 */
export function peerPidOnThisHost(theirs: unknown, mine: string | undefined): number | undefined {
  if (typeof theirs !== 'string' || mine === undefined) return undefined;
  const cut = theirs.lastIndexOf('/');
  const myCut = mine.lastIndexOf('/');
  if (cut < 0 || theirs.slice(0, cut) !== mine.slice(0, myCut)) return undefined;
  const digits = theirs.slice(cut + 1);
  if (!/^[1-9][0-9]{0,9}$/.test(digits)) return undefined;
  const pid = Number(digits);
  return pid !== process.pid ? pid : undefined;
}

/**
 * State letter (as its char code) and CPU of a `/proc/<pid>/stat` text in `b[0, n)`; undefined
 * if it is not of that form. The command name, field 2, may hold spaces and parentheses: the
 * fields after it start after its last `)`.
 *
 * @example
 * statStateAndCpu(Buffer.from('42 (node) R 1 … 0 1 0 …'), n); // { state: 82, cpu: 1 }
 */
export function statStateAndCpu(b: Uint8Array, n: number): { state: number; cpu: number } | undefined {
  const at = b.lastIndexOf(0x29, n - 1) + 2; // after ') '
  if (at < 2 || at >= n) return undefined;
  // The CPU is field 39, the state field 3: 36 spaces on.
  const i = pastSpaces(b, at, n, 36);
  const cpu = i < 0 ? -1 : decimalAt(b, i, n);
  return cpu < 0 ? undefined : { state: b[at]!, cpu };
}

/** The check itself: one open file per process read (the last peer asked about, and this process). */
export interface CoLocationProbe {
  /** True if `pid` is runnable and queued on (or running on) this process's CPU. */
  heldBack(pid: number): boolean;
}

const R = 0x52;

/** Open the probe, or undefined where there is no /proc/self/stat to read. */
export function openCoLocationProbe(): CoLocationProbe | undefined {
  let self: number;
  try {
    self = openSync('/proc/self/stat', 'r');
  } catch {
    return undefined;
  }
  const buf = Buffer.alloc(1024);
  const read = (fd: number) => statStateAndCpu(buf, readSync(fd, buf, 0, buf.length, 0));
  if (read(self) === undefined) {
    closeSync(self);
    return undefined;
  }
  let peer = -1;
  let peerPid = 0;
  return {
    heldBack(pid) {
      try {
        if (pid !== peerPid) {
          if (peer >= 0) closeSync(peer);
          peer = -1;
          peerPid = pid;
          peer = openSync(`/proc/${pid}/stat`, 'r');
        }
        if (peer < 0) return false;
        const theirs = read(peer);
        if (theirs === undefined || theirs.state !== R) return false;
        return read(self)?.cpu === theirs.cpu;
      } catch {
        // The peer is gone (its pid no longer names a process): nothing to hold back.
        return false;
      }
    },
  };
}
