/**
 * The demo page's DOM-free helpers: the relay URL from the served config, how errors and
 * node kinds are shown.
 */
import { describe, expect, it } from 'vitest';
import { relayUrl } from '../../src/browser/demo/config.js';
import { describeError, nodeKind, show } from '../../src/browser/demo/format.js';
import { BadRpcError, ErlmeshError } from '../../src/core/index.js';

describe('demo page helpers', () => {
  it('takes a relay path on the page origin, with the WebSocket scheme', () => {
    expect(relayUrl('/erlmesh', 'http://127.0.0.1:8080/')).toBe('ws://127.0.0.1:8080/erlmesh');
    expect(relayUrl('/erlmesh', 'https://demo.example.com/index.html')).toBe('wss://demo.example.com/erlmesh');
    expect(relayUrl('ws://10.0.0.5:4369/erlmesh', 'http://127.0.0.1:8080/')).toBe('ws://10.0.0.5:4369/erlmesh');
  });

  it('shows errors plainly', () => {
    expect(describeError(new BadRpcError('nodedown')).text).toBe('badrpc: nodedown');
    expect(describeError(new BadRpcError(['EXIT', ['undef', ['m', 'f', []]]])).text).toBe("badrpc: ['EXIT', ['undef', ['m', 'f', []]]]");
    expect(describeError(new ErlmeshError('badarg', 'send: no process'))).toEqual({ text: 'badarg', detail: 'send: no process' });
    expect(describeError(new ErlmeshError('notalive'))).toEqual({ text: 'notalive', detail: undefined });
    expect(describeError('boom').text).toBe("'boom'");
  });

  it('prints terms as the shell does, and tells tabs from servers', () => {
    expect(show(['ok', 'fine'])).toBe("['ok', 'fine']");
    expect(show(undefined)).toBe('undefined');
    expect(show(true)).toBe('true');
    expect(nodeKind('tab-k3x9q2@vm', 'tab-k3x9q2@vm')).toBe('this');
    expect(nodeKind('tab-aaaaaa@vm', 'tab-k3x9q2@vm')).toBe('tab');
    expect(nodeKind('demo@vm', 'tab-k3x9q2@vm')).toBe('server');
  });
});
