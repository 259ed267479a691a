import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { TransportError } from '../../../server/transport/errors.js';
import { SnapshotChunkStream } from '../../../server/transport/snapshot-chunks.js';

/** Records the pause/resume calls a stream makes. */
function flowLog(): { calls: string[]; pause: () => void; resume: () => void } {
  const calls: string[] = [];
  return { calls, pause: () => calls.push('pause'), resume: () => calls.push('resume') };
}

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);

async function assertRejectsWith(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TransportError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('transport/snapshot-chunks', () => {
  it('pauses the producer at bufferBytesMax and resumes it once half is read', async () => {
    const flow = flowLog();
    const stream = new SnapshotChunkStream(flow, 100);
    const iterator = stream[Symbol.asyncIterator]();
    stream.push(bytes(40, 1));
    stream.push(bytes(40, 2));
    assert.deepEqual(flow.calls, []);
    stream.push(bytes(40, 3));
    assert.deepEqual(flow.calls, ['pause']);
    assert.equal(stream.bufferedBytes, 120);
    stream.push(bytes(40, 4)); // what the socket had already read still lands, without a second pause
    assert.deepEqual(flow.calls, ['pause']);
    await iterator.next();
    await iterator.next();
    assert.deepEqual(flow.calls, ['pause'], 'still 80 bytes buffered: above half');
    await iterator.next();
    assert.deepEqual(flow.calls, ['pause', 'resume']);
    assert.equal(stream.bufferedBytes, 40);
  });

  it('yields the chunks in order and ends when the checksum matches', async () => {
    const stream = new SnapshotChunkStream(flowLog(), 1000);
    const chunks = [bytes(3, 1), bytes(0, 0), bytes(5, 2)];
    const read = (async () => {
      const seen: number[] = [];
      for await (const chunk of stream) seen.push(...chunk);
      return seen;
    })();
    for (const chunk of chunks) stream.push(chunk);
    stream.end(8, sha256(...chunks));
    assert.deepEqual(await read, [1, 1, 1, 2, 2, 2, 2, 2]);
    assert.equal(stream.outcome, 'verified');
    assert.equal(stream.receivedBytes, 8);
  });

  it('throws a checksum error after the last chunk when the sha256 or the byte count differ', async () => {
    const wrongHash = new SnapshotChunkStream(flowLog(), 1000);
    const iterator = wrongHash[Symbol.asyncIterator]();
    wrongHash.push(bytes(4, 7));
    wrongHash.end(4, sha256(bytes(4, 8)));
    assert.deepEqual([...((await iterator.next()).value as Uint8Array)], [7, 7, 7, 7], 'the chunks come first');
    await assertRejectsWith(iterator.next(), 'snapshot_checksum_mismatch', /sha256 does not match/);
    assert.equal(wrongHash.outcome, 'failed');
    await assertRejectsWith(iterator.next(), 'snapshot_checksum_mismatch', /sha256/);

    const wrongCount = new SnapshotChunkStream(flowLog(), 1000);
    wrongCount.push(bytes(4, 7));
    wrongCount.end(5, sha256(bytes(4, 7)));
    await assertRejectsWith((async () => { for await (const _ of wrongCount); })(), 'snapshot_checksum_mismatch', /has 4 bytes, the sender sent 5/);
  });

  it('throws the failure to a reader waiting for more, and ignores chunks pushed after it', async () => {
    const stream = new SnapshotChunkStream(flowLog(), 1000);
    const iterator = stream[Symbol.asyncIterator]();
    const waiting = iterator.next();
    stream.fail(new TransportError('snapshot_aborted', 'connection closed'));
    stream.push(bytes(3, 1));
    await assertRejectsWith(waiting, 'snapshot_aborted', /connection closed/);
    assert.equal(stream.outcome, 'failed');
  });

  it('ignores a failure once the end frame arrived: the reader still verifies what it has', async () => {
    const stream = new SnapshotChunkStream(flowLog(), 1000);
    stream.push(bytes(2, 9));
    stream.end(2, sha256(bytes(2, 9)));
    stream.fail(new TransportError('snapshot_aborted', 'closed after the end frame'));
    for await (const _ of stream);
    assert.equal(stream.outcome, 'verified');
  });

  it('is abandoned when the reader breaks out early, and can be iterated only once', async () => {
    const stream = new SnapshotChunkStream(flowLog(), 1000);
    stream.push(bytes(2, 1));
    stream.push(bytes(2, 2));
    for await (const _ of stream) break;
    assert.equal(stream.outcome, 'abandoned');
    assert.equal(stream.bufferedBytes, 0);
    assert.throws(() => stream[Symbol.asyncIterator](), /only once/);
  });
});
