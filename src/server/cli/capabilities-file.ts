/**
 * `erlmesh node --capabilities FILE`: what ticket holders may do on this node (the node option
 * `capabilities`, docs/security.md). FILE is JSON (`*.json`), or a JavaScript module (`*.js`,
 * `*.mjs`) whose default export (or export `capabilities`) is the object:
 *
 * ```json
 * { "guest": { "rpc": { "kvs": ["lookup"] }, "send": ["kvs"], "maxMessagesPerSecond": 200 } }
 * ```
 *
 * The object is checked at once, so a typo stops the command with the reason.
 */
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Capabilities } from '../../core/interfaces/trust.js';
import { checkCapabilities } from '../../core/trust/capabilities.js';

export async function loadCapabilities(file: string): Promise<Capabilities> {
  const path = resolve(file);
  let caps: unknown;
  if (extname(path).toLowerCase() === '.json') {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as Error).message}`);
    }
    try {
      caps = JSON.parse(text);
    } catch (e) {
      throw new Error(`${file} is not JSON: ${(e as Error).message}`);
    }
  } else {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; capabilities?: unknown };
    caps = mod.default ?? mod.capabilities;
    if (caps === undefined) throw new Error(`${file} exports no capabilities (a default export, or one named capabilities)`);
  }
  try {
    return checkCapabilities(caps);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
}
