/**
 * The process the spawn panel starts on other nodes. It is shipped as source
 * (`spawn(node, fn)`), so it must be self-contained: no imports, no closures, only `self`.
 * It prints (io.format, i.e. on its group leader: this tab) when it starts and for every
 * message it receives.
 */
import type { ProcessContext } from '../index.js';

export async function printer(self: ProcessContext): Promise<void> {
  await self.node.apply(self, 'io', 'format', ['~p started on ~s~n', [self.pid, self.node.name]]);
  for (;;) {
    const msg: unknown = await self.receive();
    await self.node.apply(self, 'io', 'format', ['~p got ~p~n', [self.pid, msg]]);
  }
}
