/**
 * The physical floor of the browser rows: a bare WebSocket forwarder with no erlmesh on it.
 * Two pages connect (`?side=a`, `?side=b`); once both are in, each gets the text 'ready', and
 * every message of one is sent as it is to the other. It runs in the relay's process with the
 * relay's busy wait (each message kicks it, as the relay's sockets do), so that a round trip
 * tab → floor → tab → floor → tab is what a relay could at best be.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { busyWaitKick } from '../../src/server/busy-wait.js';

/** Start the forwarder on an ephemeral loopback port; resolves its ws:// URL. */
export async function startWsFloor(): Promise<{ url: string; close(): void }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise<void>((ok, fail) => {
    wss.once('listening', () => ok());
    wss.once('error', fail);
  });
  const sides = new Map<string, WebSocket>();
  wss.on('connection', (ws, req) => {
    const side = new URL(req.url ?? '/', 'http://x').searchParams.get('side');
    if (side !== 'a' && side !== 'b') return ws.close(4400, 'side must be a or b');
    sides.get(side)?.close(4409, 'replaced');
    sides.set(side, ws);
    (ws as unknown as { _socket?: { setNoDelay(on: boolean): void } })._socket?.setNoDelay(true);
    ws.on('message', (data, isBinary) => {
      busyWaitKick();
      sides.get(side === 'a' ? 'b' : 'a')?.send(data, { binary: isBinary });
    });
    ws.on('close', () => {
      if (sides.get(side) === ws) sides.delete(side);
    });
    if (sides.size === 2) for (const s of sides.values()) s.send('ready');
  });
  const port = (wss.address() as { port: number }).port;
  return { url: `ws://127.0.0.1:${port}/floor`, close: () => wss.close() };
}
