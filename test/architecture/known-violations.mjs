// Known violations of the architecture rules on main, each removed by a step of issue 11.
// This list may only shrink: test/architecture/imports.test.ts fails on a violation that is
// not listed here AND on an entry that is no longer a violation. The `erlmesh/layers` lint
// rule (eslint.config.js) reads KNOWN_LAYER_VIOLATIONS too. Plain JavaScript so that
// eslint.config.js can import it; types in known-violations.d.mts.

/**
 * Import cycles (type imports count), each the full set of files of one strongly connected
 * component. A smaller cycle inside an entry is accepted; an entry whose files are no longer
 * all on a cycle is stale: remove the files that left it.
 */
export const KNOWN_CYCLES = [
  // removed by issue 11 step 2 (interfaces/ in place of `import type { Node }`,
  // UndefinedFunction to process/) and step 4 (book/ and behaviours/ loaded by node/).
  [
    'src/core/behaviours/gen-server.ts',
    'src/core/behaviours/supervisor.ts',
    'src/core/book/dist-demo.ts',
    'src/core/book/kvs-server.ts',
    'src/core/book/kvs.ts',
    'src/core/global/global.ts',
    'src/core/global/locks.ts',
    'src/core/global/name-server.ts',
    'src/core/modules/builtins.ts',
    'src/core/modules/module.ts',
    'src/core/node/node.ts',
    'src/core/pg/pg.ts',
    'src/core/process/context.ts',
    'src/core/rpc/erpc.ts',
    'src/core/rpc/rpc.ts',
  ],
];

/** Source files over 400 lines. */
export const KNOWN_BIG_FILES = [
  // removed by issue 11 step 4/5 (global as a gen_server service, protocol.ts, split)
  'src/core/global/name-server.ts',
  // removed by issue 11 step 5 (gen-server/{types,client,loop,define}.ts)
  'src/core/behaviours/gen-server.ts',
  // removed by issue 11 step 3 (BIFs to process/bifs.ts, code server to modules/code-server.ts)
  'src/core/node/node.ts',
  // removed by issue 11 step 4/5 (pg as a service, protocol.ts, split)
  'src/core/pg/pg.ts',
  // removed by issue 11 step 5 (split: writer/reader)
  'src/core/codec/binary.ts',
  // removed by issue 11 step 5 (supervisor/{spec,children,callbacks,client}.ts)
  'src/core/behaviours/supervisor.ts',
  // removed by issue 11 step 5 (split)
  'src/core/testing/memory-network.ts',
  // removed by issue 11 step 5 (split)
  'src/core/testing/transport-conformance.ts',
  // removed by issue 11 step 3 (BIFs out of the runtime's neighbourhood, split)
  'src/core/process/runtime.ts',
  // removed by issue 11 step 5 (split)
  'src/server/relay/router.ts',
  // removed by issue 11 step 5 (split)
  'src/core/relay-client/relay-transport.ts',
];

/** Imports against the layer table (scripts/layers.mjs): [importing file, imported file]. */
export const KNOWN_LAYER_VIOLATIONS = [
  // removed by issue 11 step 2 (the nine `import type { Node }` become NodeApi/ServiceHost)
  ['src/core/behaviours/gen-server.ts', 'src/core/node/node.ts'],
  ['src/core/behaviours/supervisor.ts', 'src/core/node/node.ts'],
  ['src/core/global/global.ts', 'src/core/node/node.ts'],
  ['src/core/global/locks.ts', 'src/core/node/node.ts'],
  ['src/core/global/name-server.ts', 'src/core/node/node.ts'],
  ['src/core/pg/pg.ts', 'src/core/node/node.ts'],
  ['src/core/process/context.ts', 'src/core/node/node.ts'],
  ['src/core/rpc/erpc.ts', 'src/core/node/node.ts'],
  ['src/core/rpc/rpc.ts', 'src/core/node/node.ts'],
  // removed by issue 11 step 2 (UndefinedFunction to process/unwind.ts)
  ['src/core/process/context.ts', 'src/core/modules/module.ts'],
  // removed by issue 11 step 4 (book/ and behaviours/ modules listed by node/start-node.ts)
  ['src/core/modules/builtins.ts', 'src/core/book/dist-demo.ts'],
  ['src/core/modules/builtins.ts', 'src/core/book/kvs.ts'],
  ['src/core/modules/builtins.ts', 'src/core/book/kvs-server.ts'],
  ['src/core/modules/builtins.ts', 'src/core/behaviours/gen-server.ts'],
  ['src/core/modules/builtins.ts', 'src/core/behaviours/supervisor.ts'],
  // removed by issue 11 step 2 (SignalFrame to process/signals.ts; node names and the
  // attestation/proof types below net/)
  ['src/core/process/runtime.ts', 'src/core/net/frames.ts'],
  ['src/core/terms/node-names.ts', 'src/core/net/frames.ts'],
  ['src/core/trust/attestation.ts', 'src/core/net/transport.ts'],
  ['src/core/trust/capabilities.ts', 'src/core/net/frames.ts'],
  ['src/core/trust/guard.ts', 'src/core/net/node-events.ts'],
  ['src/core/trust/guard.ts', 'src/core/net/frames.ts'],
  ['src/core/trust/ticket.ts', 'src/core/net/proofs.ts'],
  // removed by issue 11 step 4 (the DemoConfig type moves to a file both sides may import)
  ['src/browser/demo/config.ts', 'src/server/cli/demo-config.ts'],
];
