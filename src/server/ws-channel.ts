/**
 * One `ws` WebSocket carrying exactly one channel (a direct link between two server-nodes).
 * Text messages are string frames, binary messages Uint8Array frames.
 */
import type WebSocket from 'ws';
import { BaseChannel } from '../core/relay/base-channel.js';

export function wsChannel(ws: WebSocket): BaseChannel {
  const ch = new BaseChannel(
    (f) => ws.send(f),
    (reason) => ws.close(1000, reason.slice(0, 120)),
  );
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      ch.deliver(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength).slice());
    } else {
      ch.deliver(data.toString());
    }
  });
  ws.on('close', (code, reason) => ch.ended(code === 1000 && reason.length ? reason.toString() : 'connection_closed'));
  ws.on('error', () => ch.ended('connection_closed'));
  return ch;
}
