/**
 * Node-only built-in modules. `file`, as the book uses it across nodes:
 * `dist_demo.rpc(pid, 'file', 'list_dir', ['.'])` lists the remote node's directory.
 * Results follow Erlang's shapes: `['ok', value]` or `['error', posixCode]`; file contents
 * arrive as Uint8Array (an Erlang binary).
 */
import { readdir, readFile } from 'node:fs/promises';
import { defineModule } from '../core/modules/module.js';
import type { NodeApi } from '../core/interfaces/node-api.js';

function posix(e: unknown): ['error', string] {
  const code = (e as { code?: unknown })?.code;
  return ['error', typeof code === 'string' ? code.toLowerCase() : 'einval'];
}

/**
 * The `file` module (server-nodes load it): `get_cwd`, `list_dir(dir)`, `read_file(path)`,
 * answering `['ok', value]` or `['error', posixCode]`.
 *
 * @example
 * await node.rpc.call('srv@host', 'file', 'list_dir', ['.']); // ['ok', ['README.md', …]]
 */
export const file = defineModule('file', {
  get_cwd: () => ['ok', process.cwd()],
  list_dir: async (_self, dir: string) => {
    try {
      return ['ok', (await readdir(String(dir))).sort()];
    } catch (e) {
      return posix(e);
    }
  },
  read_file: async (_self, path: string) => {
    try {
      const b = await readFile(String(path));
      return ['ok', new Uint8Array(b.buffer, b.byteOffset, b.byteLength)];
    } catch (e) {
      return posix(e);
    }
  },
});

/**
 * Load the Node-only built-in modules (`file`) into a node; the server `startNode` does.
 *
 * @example
 * loadServerModules(node);
 * await node.rpc.call(node.name, 'file', 'list_dir', ['.']);   // ['ok', [...]]
 */
export function loadServerModules(node: Pick<NodeApi, 'load'>): void {
  node.load(file);
}
