import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { makeMessage } from '../../../server/raft/index.js';
import { TransportError } from '../../../server/transport/errors.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { assertSameBytes, EVENT_TIMEOUT_MS, RawPeer, TestMember, type TestMemberOptions } from './harness.js';
import { gate, MIB, snapMessage, Source, startBitFlipProxy } from './snapshot-helpers.js';

describe('transport: snapshot streaming', function () {
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

  it('streams a few MB in bounded chunks; the receiver gets the exact bytes and message, then acknowledges', async () => {
    const chunkSizes: number[] = [];
    const a = await member('a');
    const b = await member('b', {
      limits: { snapshotChunkBytesMax: 256 * 1024 },
      onSnapshot: async (message, chunks) => {
        const parts: Buffer[] = [];
        for await (const chunk of chunks) {
          chunkSizes.push(chunk.byteLength);
          parts.push(Buffer.from(chunk));
        }
        b.snapshots.push({ message, bytes: Buffer.concat(parts), error: null });
      },
    });
    TestMember.connectAll(a, b);
    const state = randomBytes(6 * MIB + 123);
    // Irregular pieces: an empty one, small ones, and one larger than a chunk.
    const source = new Source(state, [0, 1000, 700 * 1024, 3, 64 * 1024]);
    const message = snapMessage('a', 'b', Uint8Array.of(1, 2, 3));
    assert.equal(await a.transport.sendSnapshot(message, source), true);
    const receipt = await b.snapshots.next('the stored snapshot');
    assert.deepStrictEqual(receipt.message, message);
    assertSameBytes(receipt.bytes, state, 'received snapshot');
    assert.ok(chunkSizes.every((size) => size > 0 && size <= 256 * 1024), `chunk sizes ${chunkSizes.join(',')}`);
    assert.ok(source.closed);
    await a.logs.next(/snapshot sent and acknowledged/);
  });

  it('takes the dial override for the snapshot connection too', async () => {
    const b = await member('b');
    const proxy = await TcpProxy.start(b.port);
    cleanup.push(() => proxy.close());
    const a = await member('a', { dialOverrides: { [b.url]: proxy.url } });
    TestMember.connectAll(a, b);
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b'), new Source(randomBytes(MIB), [MIB])), true);
    assert.ok(proxy.bytesForwarded.toTarget > MIB);
  });

  it('rejects a stream corrupted in flight: the iterator throws a checksum error and the sender gets false', async () => {
    // One 3 MiB chunk frame: a flip 1 MiB into the stream lands in its payload, past every header.
    const limits = { snapshotChunkBytesMax: 4 * MIB };
    const b = await member('b', { limits, frameBytesMax: 8 * MIB });
    const flipper = await startBitFlipProxy(b.port, MIB);
    cleanup.push(flipper.close);
    const a = await member('a', { limits, frameBytesMax: 8 * MIB, dialOverrides: { [b.url]: flipper.url } });
    TestMember.connectAll(a, b);
    assert.equal(await a.transport.sendSnapshot(snapMessage('a', 'b'), new Source(randomBytes(3 * MIB), [3 * MIB])), false);
    const receipt = await b.snapshots.next('the failed snapshot');
    assert.ok(receipt.error instanceof TransportError, String(receipt.error));
    assert.equal(receipt.error.code, 'snapshot_checksum_mismatch');
    await a.logs.next(/snapshot refused by the receiver: the member failed to store the snapshot: snapshot sha256 does not match/);
  });

  it('refuses an end frame whose checksum or byte count is wrong (raw sender)', async () => {
    const b = await member('b');
    for (const [end, pattern] of [
      [{ totalBytes: 3, sha256: new Uint8Array(32) }, /sha256 does not match/],
      [{ totalBytes: 4, sha256: createHash('sha256').update(Uint8Array.of(1, 2, 3)).digest() }, /has 3 bytes, the sender sent 4/],
    ] as const) {
      const raw = await RawPeer.connect(b.url);
      await raw.hello({ connection: 'snapshot', from: 'x', to: 'b' });
      raw.send({ kind: 'snapshotHeader', message: snapMessage('x', 'b') });
      raw.send({ kind: 'snapshotChunk', data: Uint8Array.of(1, 2, 3) });
      raw.send({ kind: 'snapshotEnd', ...end });
      const ack = await raw.frames.next('the acknowledgement');
      assert.equal(ack.kind === 'snapshotAck' && ack.ok, false);
      assert.match(ack.kind === 'snapshotAck' ? ack.reason : '', pattern);
      const receipt = await b.snapshots.next('the failed snapshot');
      assert.ok(receipt.error instanceof TransportError && receipt.error.code === 'snapshot_checksum_mismatch');
      assert.equal((await raw.closed).code, 1000);
    }
  });

  it('refuses a snapshot header addressed to another member, or one that is not a snap message', async () => {
    const b = await member('b');
    const wrongTarget = await RawPeer.connect(b.url);
    await wrongTarget.hello({ connection: 'snapshot', from: 'x', to: 'b' });
    wrongTarget.send({ kind: 'snapshotHeader', message: snapMessage('x', 'c') });
    assert.equal((await wrongTarget.closed).code, 4002);
    const notSnap = await RawPeer.connect(b.url);
    await notSnap.hello({ connection: 'snapshot', from: 'x', to: 'b' });
    notSnap.send({ kind: 'snapshotHeader', message: makeMessage({ type: 'app', from: 'x', to: 'b' }) });
    assert.equal((await notSnap.closed).code, 4003);
    assert.deepEqual(b.snapshots.all, []);
  });

  it('applies backpressure: a slow member pauses the socket, so the sender stops reading its source', async function () {
    const total = 64 * MIB;
    const reading = gate();
    const firstChunk = gate();
    const digest = createHash('sha256');
    let receivedBytes = 0;
    const b = await member('b', {
      onSnapshot: async (_message, chunks) => {
        for await (const chunk of chunks) {
          if (receivedBytes === 0) {
            firstChunk.open();
            await reading.opened;
          }
          receivedBytes += chunk.byteLength;
          digest.update(chunk);
        }
      },
    });
    const a = await member('a');
    TestMember.connectAll(a, b);
    const block = randomBytes(MIB);
    const expected = createHash('sha256');
    for (let i = 0; i < total / MIB; i++) expected.update(block);
    // A lazy 256 MiB source: the same random MiB again and again.
    const source = {
      pulledBytes: 0,
      async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < total / MIB; i++) {
          this.pulledBytes += MIB;
          yield block;
        }
      },
    };
    const sent = a.transport.sendSnapshot(snapMessage('a', 'b'), source);
    await firstChunk.opened;
    // The sender must come to a halt while the member holds the first chunk. Absence of progress is
    // not an event: sample the source until it stops moving (bounded), then check where it stopped.
    const deadline = Date.now() + EVENT_TIMEOUT_MS * 2;
    let still = 0;
    for (let last = -1; still < 10; ) {
      assert.ok(Date.now() < deadline, `the sender never stalled (pulled ${source.pulledBytes / MIB} MiB)`);
      await new Promise((resolve) => setTimeout(resolve, 25));
      still = source.pulledBytes === last ? still + 1 : 0;
      last = source.pulledBytes;
    }
    assert.ok(source.pulledBytes < total / 2, `the sender read ${source.pulledBytes / MIB} MiB of ${total / MIB} while the member held one chunk`);
    reading.open();
    assert.equal(await sent, true);
    assert.equal(receivedBytes, total);
    assert.deepEqual(digest.digest(), expected.digest());
  });
});
