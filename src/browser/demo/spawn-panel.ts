/**
 * The remote-spawn panel: spawn a printer on any node (linked to and monitored by this tab's
 * watcher), send it messages and see what it prints come back here, kill it and see the
 * `['EXIT', …]` and `['DOWN', …]` signals the watcher receives.
 */
import { Pid, type Node, type Ref } from '../index.js';
import { field, h, panel, uid } from './dom.js';
import { describeError, show } from './format.js';
import type { EventLog } from './event-log.js';
import type { NodeDirectory } from './node-directory.js';
import { NodePicker } from './node-picker.js';
import { Watcher } from './watcher.js';

const MAX_PROCS = 6;
const CONSOLE_LINES = 60;

interface Proc {
  pid: Pid;
  ref: Ref;
  row: HTMLLIElement;
  status: HTMLElement;
  controls: HTMLElement;
  alive: boolean;
}

export function spawnPanel(node: Node, dir: NodeDirectory, log: EventLog, server: string): HTMLElement {
  const picker = new NodePicker(dir, 'spawn-node', dir.has(server) ? server : node.name);
  const procList = h('ul', { class: 'procs', 'data-testid': 'proc-list' });
  const consoleList = h('ol', { class: 'console', 'data-testid': 'spawn-console', 'aria-live': 'polite' });
  const consoleEmpty = h('li', { class: 'console-empty' }, 'Output and signals arrive here.');
  consoleList.append(consoleEmpty);
  const procs = new Map<string, Proc>();

  const consoleLine = (kind: 'print' | 'signal' | 'error', text: string) => {
    consoleEmpty.remove();
    consoleList.prepend(h('li', { class: `console-line console-${kind}` }, h('span', { class: 'tag' }, kind === 'print' ? 'output' : kind), h('span', { class: 'mono' }, text)));
    while (consoleList.childElementCount > CONSOLE_LINES) consoleList.lastElementChild!.remove();
  };

  const addProc = (target: string, pid: Pid, ref: Ref) => {
    const input = h('input', { type: 'text', name: 'message', value: 'hello', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'proc-message' });
    input.id = uid('msg');
    const status = h('span', { class: 'badge badge-running', 'data-testid': 'proc-status' }, 'running');
    const send = h('button', { type: 'submit', class: 'btn btn-small', 'data-testid': 'proc-send' }, 'Send');
    const kill = h('button', { type: 'button', class: 'btn btn-small btn-danger', 'data-testid': 'proc-kill' }, 'Kill');
    const controls = h(
      'form',
      {
        class: 'proc-controls',
        onsubmit: (ev: Event) => {
          ev.preventDefault();
          node.send(pid, input.value);
          log.add('info', `sent ${show(input.value)} to ${pid}`, true);
        },
      },
      h('label', { for: input.id, class: 'sr-only' }, `Message to ${pid}`),
      input,
      send,
      kill,
    );
    kill.addEventListener('click', () => {
      node.exit(pid, 'kill');
      log.add('info', `exit(${pid}, 'kill')`, true);
    });
    const row = h(
      'li',
      { class: 'proc', 'data-testid': 'proc', 'data-pid': String(pid) },
      h('div', { class: 'proc-head' }, h('span', { class: 'mono proc-pid' }, String(pid)), h('span', { class: 'proc-node' }, `on ${target}`), status),
      controls,
    );
    procs.set(String(pid), { pid, ref, row, status, controls, alive: true });
    procList.prepend(row);
    // Keep the list short: drop the oldest finished ones first.
    for (const p of [...procs.values()].reverse()) {
      if (procs.size <= MAX_PROCS) break;
      if (!p.alive) {
        p.row.remove();
        procs.delete(String(p.pid));
      }
    }
  };

  const exited = (pid: unknown, reason: unknown) => {
    const p = pid instanceof Pid ? procs.get(String(pid)) : undefined;
    if (!p) return;
    if (p.alive) {
      p.alive = false;
      p.row.classList.add('proc-dead');
      for (const el of p.controls.querySelectorAll<HTMLInputElement | HTMLButtonElement>('input, button')) el.disabled = true;
    }
    p.status.textContent = `exited: ${show(reason)}`;
    p.status.className = 'badge badge-exited';
  };

  const watcher = new Watcher(node, {
    spawned: (target, pid, ref) => {
      addProc(target, pid, ref);
      log.add('spawn', `spawned printer ${pid} on ${target}, linked and monitored by ${watcher.pid}`);
    },
    spawnFailed: (target, e) => {
      const err = describeError(e);
      consoleLine('error', `spawn on ${target}: ${err.text}`);
      log.add('error', `spawn on ${target}: ${err.text}${err.detail ? ` (${err.detail})` : ''}`);
    },
    message: (m) => {
      consoleLine('signal', show(m));
      log.add('signal', show(m), true);
      if (Array.isArray(m) && m[0] === 'EXIT') exited(m[1], m[2]);
      if (Array.isArray(m) && m[0] === 'DOWN') exited(m[3], m[4]);
    },
  });

  node.onOutput((text) => {
    for (const line of text.replace(/\n$/, '').split('\n')) {
      consoleLine('print', line);
      log.add('output', line, true);
    }
  });

  const spawnButton = h(
    'button',
    { type: 'button', class: 'btn btn-primary', 'data-testid': 'spawn-button', onclick: () => watcher.spawnOn(picker.value) },
    'Spawn printer',
  );

  return panel(
    'spawn',
    'Remote spawn',
    null,
    h(
      'p',
      { class: 'explain' },
      'Ships a small function to the node with ',
      h('code', null, 'spawn(node, fn)'),
      '. It prints every message it gets; the output comes back to this tab. This tab’s watcher ',
      h('code', { 'data-testid': 'watcher-pid' }, String(watcher.pid)),
      ' traps exits, links to it and monitors it.',
    ),
    h('div', { class: 'spawn-row' }, field('Node', picker.select), spawnButton),
    procList,
    h('h3', { class: 'sub-head' }, 'Output and signals, in this tab'),
    consoleList,
  );
}
