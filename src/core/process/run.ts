/**
 * Run a function in a throwaway process and settle a promise with its outcome: how a call made
 * from outside any process (an API call on the node) gets a `self` to receive with.
 */

/**
 * Spawn (with `spawn`) a process that runs `fn(self)` and settles with what it returns or
 * throws; the process then exits `normal` (or with the reason `fn` exited with).
 *
 * @example
 * const v = await runInProcess((b) => node.spawn(b), async (self) => self.receive(undefined, 10));
 */
export function runInProcess<S, T>(spawn: (body: (self: S) => Promise<void>) => unknown, fn: (self: S) => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    spawn(async (self) => {
      try {
        resolve(await fn(self));
      } catch (e) {
        reject(e);
      }
    });
  });
}
