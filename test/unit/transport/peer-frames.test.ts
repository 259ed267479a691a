import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeMessage, type Message } from '../../../server/raft/index.js';
import { TransportError } from '../../../server/transport/errors.js';
import { decodeFrame, encodeFrame, packMessageFrames, type PeerFrame } from '../../../server/transport/peer-frames.js';
import { anyBatch, anyMessage, anyString, safeNumber } from './arbitraries.js';

const plain = { noNullPrototype: true } as const;

const anyFrame: fc.Arbitrary<PeerFrame> = fc.oneof(
  fc.record({ kind: fc.constant('hello' as const), connection: fc.constantFrom('stream' as const, 'snapshot' as const), clusterId: anyString(10), from: anyString(6), to: anyString(6) }, plain),
  fc.record({ kind: fc.constant('helloOk' as const), clusterId: anyString(10), id: anyString(6) }, plain),
  fc.record({ kind: fc.constant('messages' as const), messages: anyBatch }, plain),
  fc.record({ kind: fc.constant('snapshotHeader' as const), message: anyMessage }, plain),
  fc.record({ kind: fc.constant('snapshotEnd' as const), totalBytes: safeNumber, sha256: fc.uint8Array({ minLength: 32, maxLength: 32 }) }, plain),
  fc.record({ kind: fc.constant('snapshotAck' as const), ok: fc.boolean(), reason: anyString(20) }, plain),
);

const app = (index: number, dataBytes: number): Message =>
  makeMessage({ type: 'app', from: '1', to: '2', term: 1, index, entries: [{ term: 1, index: index + 1, type: 'normal', data: new Uint8Array(dataBytes) }] });

describe('transport/peer-frames', () => {
  it('round-trips every frame kind exactly', () => {
    fc.assert(fc.property(anyFrame, (frame) => assert.deepStrictEqual(decodeFrame(encodeFrame(frame)), frame)), { numRuns: 300 });
  });

  it('carries snapshot chunk bytes as they are, as a view of the received frame', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (data) => {
        const encoded = encodeFrame({ kind: 'snapshotChunk', data });
        const decoded = decodeFrame(encoded);
        assert.equal(decoded.kind, 'snapshotChunk');
        assert.deepEqual(decoded.kind === 'snapshotChunk' && [...decoded.data], [...data]);
        assert.equal(decoded.kind === 'snapshotChunk' && decoded.data.buffer, encoded.buffer);
      }),
    );
  });

  it('rejects every truncation and accepts garbled frames only as canonical encodings', () => {
    fc.assert(
      fc.property(anyFrame, fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, cut, position, mask) => {
        const encoded = encodeFrame(frame);
        assert.throws(() => decodeFrame(encoded.subarray(0, cut % encoded.byteLength)), TransportError);
        const garbled = Buffer.from(encoded);
        garbled[position % garbled.byteLength]! ^= mask;
        let decoded: PeerFrame;
        try {
          decoded = decodeFrame(garbled);
        } catch (error) {
          assert.ok(error instanceof TransportError && error.code === 'frame_malformed', String(error));
          return;
        }
        if (decoded.kind !== 'snapshotChunk') assert.deepEqual(encodeFrame(decoded), garbled);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses unknown frame and connection kinds', () => {
    assert.throws(() => decodeFrame(Buffer.of(0x7f)), /frame kind at byte 1: unknown code 127/);
    assert.throws(() => decodeFrame(Buffer.of(0x01, 9, 0, 0, 0, 0, 0, 0)), /connection kind .*unknown code 9/);
    assert.throws(() => decodeFrame(Buffer.alloc(0)), /frame kind .*truncated/);
  });

  it('packs messages produced together into one frame when they fit', () => {
    const messages = [app(1, 10), app(2, 10), makeMessage({ type: 'heartbeat', from: '1', to: '2' })];
    const packed = packMessageFrames(messages, 1 << 20);
    assert.equal(packed.frames.length, 1);
    assert.deepEqual(packed.oversized, []);
    const frame = decodeFrame(packed.frames[0]!);
    assert.deepStrictEqual(frame, { kind: 'messages', messages });
  });

  it('splits a batch over frames no larger than frameBytesMax, in order, and reports messages that cannot fit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 200, max: 4000 }), (sizes, frameBytesMax) => {
        const messages = sizes.map((size, i) => app(i, size));
        const packed = packMessageFrames(messages, frameBytesMax);
        const delivered: Message[] = [];
        for (const frame of packed.frames) {
          assert.ok(frame.byteLength <= frameBytesMax, `frame of ${frame.byteLength} bytes over ${frameBytesMax}`);
          const decoded = decodeFrame(frame);
          assert.equal(decoded.kind, 'messages');
          if (decoded.kind === 'messages') delivered.push(...decoded.messages);
        }
        const fits = (m: Message): boolean => encodeFrame({ kind: 'messages', messages: [m] }).byteLength <= frameBytesMax;
        assert.deepStrictEqual(delivered, messages.filter(fits));
        assert.deepStrictEqual(packed.oversized, messages.filter((m) => !fits(m)));
      }),
    );
  });
});
