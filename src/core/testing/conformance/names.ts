/**
 * Transport conformance cases for names and creations: `listen` registers a name with a
 * creation that grows on re-registration, a taken name is refused (`name_taken`), and an
 * unknown name cannot be dialled (`nodedown`).
 */
import {
  assert,
  assertEqual,
  expectRejectCode,
  show,
  type TransportConformanceCase,
  waitFor,
  within,
  withScope,
} from './kit.js';

export const listenCreation: TransportConformanceCase = {
  name: 'listen returns a numeric creation',
  run: (h) =>
    withScope(h, async (s) => {
      const { reg } = await s.listener('creation');
      assertEqual(typeof reg.creation, 'number', 'typeof creation');
      assert(Number.isInteger(reg.creation) && reg.creation >= 1, `creation is a positive integer (got ${show(reg.creation)})`);
    }),
};

export const connectUnknown: TransportConformanceCase = {
  name: 'connect to an unknown name rejects with code nodedown',
  run: (h) =>
    withScope(h, async (s) => {
      const client = await s.transport();
      await expectRejectCode(client.connect(h.uniqueName('nobody')), 'nodedown', 'connect to an unknown name');
      // also from a transport that listens itself
      const { t } = await s.listener('lonely');
      await expectRejectCode(t.connect(h.uniqueName('nobody')), 'nodedown', 'connect to an unknown name from a listener');
    }),
};

export const listenTaken: TransportConformanceCase = {
  name: 'listen of a taken name rejects with code name_taken',
  run: (h) =>
    withScope(h, async (s) => {
      const { name, inbound } = await s.listener('taken');
      const other = await s.transport();
      await expectRejectCode(other.listen(name, () => {}), 'name_taken', `second listen(${name})`);
      // the holder is undisturbed
      const client = await s.transport();
      await s.connect(client, name);
      await waitFor(() => inbound.length === 1, 'the original holder still accepts');
    }),
};

export const listenAgain: TransportConformanceCase = {
  name: "after the holder's transport is closed, listen again succeeds with a greater creation",
  run: (h) =>
    withScope(h, async (s) => {
      const first = await s.listener('reuse');
      await within(first.t.close(), 'close of the holder');
      const again = await s.transport();
      const reg = await within(again.listen(first.name, () => {}), `listen(${first.name}) again`);
      assert(reg.creation > first.reg.creation, `creation should grow: first ${first.reg.creation}, then ${reg.creation}`);
    }),
};
