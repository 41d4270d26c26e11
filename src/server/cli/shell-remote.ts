/**
 * `erlmesh node --remsh other@host`, as `erl -remsh`: the local node is a hidden node, and each
 * line typed is evaluated on `other@host` by the `shell` module every `erlmesh node` loads
 * (`shell:eval(Code)`), with that node's shell bindings; the answer comes back as the text that
 * node's shell would print. Output the code writes with io.format goes to that node's group
 * leader (its own console), not here.
 *
 * Only cookie holders may call it: a ticket role needs `shell: ['eval']` in its capabilities
 * (docs/security.md), and that is a grant of running any code on the node.
 */
import { defineModule } from '../../core/modules/module.js';
import type { Node } from '../../core/node/node.js';
import { evaluate, type ShellBindings } from './bindings.js';
import { formatException } from './exceptions.js';
import { referenceHint, translateErlang } from './shell-erlang-syntax.js';
import { formatResult } from './shell-facades.js';

/** What `shell:eval` answers: the printed result, or the printed exception. */
export type RemoteAnswer = ['ok', string] | ['error', string];

/** The `shell` module: `eval(code)` with this node's shell bindings. */
export function shellModule(bindings: () => ShellBindings | undefined) {
  return defineModule('shell', {
    eval: async (_self, code: unknown): Promise<RemoteAnswer> => {
      if (typeof code !== 'string') return ['error', '** exception error: badarg (shell:eval wants a string)'];
      const js = translateErlang(code);
      try {
        const v = await evaluate(js);
        bindings()?.refresh();
        return ['ok', formatResult(v)];
      } catch (e) {
        return ['error', referenceHint(e, js) ?? formatException(e)];
      }
    },
  });
}

/** Evaluate `code` on `target` (rejects when the call itself fails: nodedown, not allowed, …). */
export async function evalOn(node: Node, target: string, code: string): Promise<RemoteAnswer> {
  return (await node.erpc.call(target, 'shell', 'eval', [code])) as RemoteAnswer;
}
