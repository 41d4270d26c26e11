/**
 * The book's kvs walkthrough (Programming Erlang, ch. 14, phase 1–2) with two in-process
 * nodes joined by an in-memory network: gandalf runs kvs, bilbo stores and looks up by rpc.
 *
 *   npx tsx examples/kvs-walkthrough.ts
 */
import { MemoryNetwork, startNode, formatTerm } from '../src/core/index.js';

const net = new MemoryNetwork();
const gandalf = await startNode({ sname: 'gandalf@localhost', cookie: 'abc', transport: net.transport() });
const bilbo = await startNode({ sname: 'bilbo@localhost', cookie: 'abc', transport: net.transport() });

const show = (expr: string, v: unknown) => console.log(`(${bilbo.name})> ${expr}\n${formatTerm(v)}`);

show(`rpc.call('${gandalf.name}', 'kvs', 'start', [])`, await bilbo.rpc.call(gandalf.name, 'kvs', 'start', []));
show(`rpc.call('${gandalf.name}', 'kvs', 'store', ['weather', 'fine'])`, await bilbo.rpc.call(gandalf.name, 'kvs', 'store', ['weather', 'fine']));
show(`rpc.call('${gandalf.name}', 'kvs', 'lookup', ['weather'])`, await bilbo.rpc.call(gandalf.name, 'kvs', 'lookup', ['weather']));
show(`nodes()`, bilbo.nodes());

// On gandalf itself, the value bilbo stored (kvs.lookup run in a process on gandalf):
const seen = await gandalf.rpc.call(gandalf.name, 'kvs', 'lookup', ['weather']);
console.log(`(${gandalf.name})> kvs.lookup('weather')\n${formatTerm(seen)}`);

await bilbo.stop();
await gandalf.stop();
