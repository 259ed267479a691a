import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { makeMessage } from '../../../server/raft/index.js';
import { TransportError } from '../../../server/transport/errors.js';
import { TestMember, type TestMemberOptions } from './harness.js';
import { EndlessSource, gate, MIB, snapMessage, Source } from './snapshot-helpers.js';

describe('transport: snapshot failures (every one ends in false, never a hang)', function () {
  this.timeout(30_000);
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  async function member(id: string, options?: TestMemberOptions): Promise<TestMember> {
    const started = await TestMember.start(id, options);
    cleanup.push(() => started.transport.close());
    return started;
  }

  it('answers false when the member fails to store the snapshot, or returns without reading it all', async () => {
    const b = await member('b', { onSnapshot: async () => Promise.reject(new Error('disk full')) });
    const c = await member('c', {
      onSnapshot: async (_message, chunks) => {
        for await (const chunk of chunks) if (chunk.byteLength > 0) break;
      },
    });
    const a = await member('a');
    TestMember.connectAll(a, b, c);
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b'), new Source(randomBytes(2 * MIB), [64 * 1024])), false);
    await a.logs.next(/snapshot refused by the receiver: the member failed to store the snapshot: disk full|snapshot not sent: the receiver refused the snapshot: the member failed to store the snapshot: disk full/);
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'c'), new Source(randomBytes(2 * MIB), [64 * 1024])), false);
    await c.logs.next(/snapshot not acknowledged: the member resolved but the stream is abandoned/);
  });

  it('fails both sides when the sender goes away mid-stream', async () => {
    const started = gate();
    const b = await member('b', {
      onSnapshot: async (message, chunks) => {
        try {
          for await (const _chunk of chunks) started.open();
        } catch (error) {
          b.snapshots.push({ message, bytes: null, error });
          throw error;
        }
      },
    });
    const a = await new TestMember('a').start();
    TestMember.connectAll(a, b);
    const source = new EndlessSource();
    const sent = a.transport.sendSnapshot(snapMessage('a', 'b'), source);
    await started.opened;
    await a.transport.close();
    assert.equal(await sent, false);
    assert.ok(source.closed, 'the source iterator was closed');
    const receipt = await b.snapshots.next('the aborted snapshot');
    assert.ok(receipt.error instanceof TransportError && receipt.error.code === 'snapshot_aborted', String(receipt.error));
  });

  it('fails the sender when the receiver goes away mid-stream', async () => {
    const started = gate();
    const b = await new TestMember('b', {
      onSnapshot: async (_message, chunks) => {
        for await (const _chunk of chunks) started.open();
      },
    }).start();
    const a = await member('a');
    TestMember.connectAll(a, b);
    const sent = a.transport.sendSnapshot(snapMessage('a', 'b'), new EndlessSource());
    await started.opened;
    await b.transport.close();
    assert.equal(await sent, false);
  });

  it('gives up after snapshotStallTimeoutMs when the receiver stops reading, and closes the source', async () => {
    const release = gate();
    const b = await member('b', {
      onSnapshot: async () => {
        await release.opened;
        throw new Error('never read');
      },
    });
    cleanup.push(async () => release.open());
    const a = await member('a', { limits: { snapshotStallTimeoutMs: 300 } });
    TestMember.connectAll(a, b);
    const source = new EndlessSource();
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b'), source), false);
    assert.ok(source.closed);
    await a.logs.next(/snapshot not sent: the receiver stopped reading for 300 ms/);
  });

  it('refuses more than snapshotsInFlightMax snapshots at once with 4006', async () => {
    const release = gate();
    const holding = gate();
    const b = await member('b', {
      limits: { snapshotsInFlightMax: 1 },
      onSnapshot: async (_message, chunks) => {
        holding.open();
        await release.opened;
        for await (const _chunk of chunks);
      },
    });
    const a = await member('a');
    TestMember.connectAll(a, b);
    const first = a.transport.sendSnapshot(snapMessage('a', 'b'), new Source(randomBytes(1000), [1000]));
    await holding.opened;
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b'), new Source(randomBytes(1000), [1000])), false);
    await a.logs.next(/snapshot not sent: peer closed the connection: 4006 already receiving 1 snapshots/);
    release.open();
    assert.equal(await first, true);
  });

  it('answers false when the source fails, and closes a source it never started when the dial fails', async () => {
    const a = await member('a');
    const b = await member('b');
    TestMember.connectAll(a, b);
    const failing = {
      async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(10);
        throw new Error('read error on the snapshot file');
      },
    };
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b'), failing), false);
    await a.logs.next(/snapshot not sent: read error on the snapshot file/);
    const receipt = await b.snapshots.next('the aborted snapshot');
    assert.ok(receipt.error instanceof TransportError && receipt.error.code === 'snapshot_aborted', String(receipt.error));

    const ghost = await member('ghost');
    const ghostUrl = ghost.url;
    await ghost.transport.close();
    a.transport.setPeer('ghost', [ghostUrl]);
    let returned = false;
    const unstarted: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => assert.fail('the source must not be read when the peer cannot be dialed'),
        return: async () => {
          returned = true;
          return { value: undefined, done: true };
        },
      }),
    };
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'ghost'), unstarted), false);
    assert.ok(returned, 'the source iterator was closed');
  });

  it('does not wait for a source that hangs once the connection is gone', async () => {
    const started = gate();
    const b = await new TestMember('b', {
      onSnapshot: async (_message, chunks) => {
        for await (const _chunk of chunks) started.open();
      },
    }).start();
    const a = await member('a');
    TestMember.connectAll(a, b);
    const hanging = {
      async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
        yield new Uint8Array(10);
        await new Promise(() => {});
      },
    };
    const sent = a.transport.sendSnapshot(snapMessage('a', 'b'), hanging);
    await started.opened;
    await b.transport.close();
    assert.equal(await sent, false);
  });

  it('answers false at once for an unknown peer, a message that is not a snap, or a header over frameBytesMax', async () => {
    const a = await member('a', { frameBytesMax: 64 * 1024 });
    const b = await member('b');
    TestMember.connectAll(a, b);
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'nobody'), new Source(new Uint8Array(1), [1])), false);
    assert.equal(await a.transport.sendSnapshot(makeMessage({ type: 'app', from: 'a', to: 'b' }), new Source(new Uint8Array(1), [1])), false);
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b', new Uint8Array(100 * 1024)), new Source(new Uint8Array(1), [1])), false);
    await a.logs.next(/snapshot header larger than frameBytesMax/);
    assert.deepEqual(b.snapshots.all, []);
  });
});
