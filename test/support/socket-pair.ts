/**
 * A connected pair of plain loopback sockets for transport tests: `a` dialled to a fresh
 * listener, `b` the socket it accepted; `stop` destroys both and closes the listener.
 */
import * as net from 'node:net';

export interface SocketPair {
  a: net.Socket;
  b: net.Socket;
  server: net.Server;
  stop(): void;
}

export async function socketPair(): Promise<SocketPair> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const a = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((r) => a.once('connect', r));
  const b = await accepted;
  return { a, b, server, stop: () => (a.destroy(), b.destroy(), server.close()) };
}
