import assert from 'node:assert/strict';
import fc from 'fast-check';
import { makeMessage, type Message } from '../../../server/raft/index.js';
import { AssertionFailure } from '../../../server/errors.js';
import { TransportError } from '../../../server/transport/errors.js';
import { decodeMessageBatch, encodeMessageBatch, messageBytes } from '../../../server/transport/message-codec.js';
import { anyBatch, anyMessage } from './arbitraries.js';

/** Asserts `run` throws a malformed-frame TransportError whose message matches `pattern`. */
function assertMalformed(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof TransportError, `expected a TransportError, got ${String(error)}`);
    assert.equal(error.code, 'frame_malformed');
    assert.match(error.message, pattern);
    return true;
  });
}

/** Decoding either refuses the bytes as malformed or accepts exactly the bytes its result re-encodes to. */
function assertRejectedOrCanonical(bytes: Uint8Array): boolean {
  let decoded: Message[];
  try {
    decoded = decodeMessageBatch(bytes);
  } catch (error) {
    assert.ok(error instanceof TransportError && error.code === 'frame_malformed', `unexpected error ${String(error)}`);
    return false;
  }
  assert.deepEqual(encodeMessageBatch(decoded), Buffer.from(bytes));
  return true;
}

const heartbeat = (): Message => makeMessage({ type: 'heartbeat', from: '1', to: '2', term: 3, commit: 7 });

describe('transport/message-codec', () => {
  it('round-trips every generated batch exactly, bytes, strings and 2^53 - 1 included', () => {
    fc.assert(
      fc.property(anyBatch, (messages) => {
        const encoded = encodeMessageBatch(messages);
        assert.equal(encoded.byteLength, 4 + messages.reduce((sum, m) => sum + messageBytes(m), 0));
        const decoded = decodeMessageBatch(encoded);
        assert.deepStrictEqual(decoded, messages);
        for (const m of decoded) for (const e of m.entries) assert.equal(Object.getPrototypeOf(e.data), Uint8Array.prototype);
      }),
      { numRuns: 300 },
    );
  });

  it('copies byte fields out of the frame, so a decoded entry does not change with the buffer', () => {
    const encoded = encodeMessageBatch([makeMessage({ type: 'app', entries: [{ term: 1, index: 2, type: 'normal', data: Uint8Array.of(9, 9) }] })]);
    const decoded = decodeMessageBatch(encoded);
    encoded.fill(0);
    assert.deepEqual([...decoded[0]!.entries[0]!.data], [9, 9]);
  });

  it('rejects every truncation of a valid batch', () => {
    fc.assert(
      fc.property(anyBatch, fc.nat(), (messages, cut) => {
        const encoded = encodeMessageBatch(messages);
        const length = cut % encoded.byteLength;
        assertMalformed(() => decodeMessageBatch(encoded.subarray(0, length)), /truncated|empty batch|does not fit/);
      }),
      { numRuns: 300 },
    );
  });

  it('never accepts a garbled batch except as the exact encoding of what it decodes to', () => {
    fc.assert(
      fc.property(anyBatch, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (messages, flips) => {
        const garbled = Buffer.from(encodeMessageBatch(messages));
        for (const [position, mask] of flips) garbled[position % garbled.byteLength]! ^= mask;
        assertRejectedOrCanonical(garbled);
      }),
      { numRuns: 500 },
    );
  });

  it('never crashes on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void assertRejectedOrCanonical(bytes)), { numRuns: 500 });
  });

  it('names the field of each structural problem', () => {
    const good = encodeMessageBatch([heartbeat()]);
    const at = (offset: number, value: number): Buffer => {
      const copy = Buffer.from(good);
      copy[offset] = value;
      return copy;
    };
    // Layout of the batch: count(4) type(1) from(2+1) to(2+1) term... so the type byte is at 4.
    assertMalformed(() => decodeMessageBatch(at(4, 0)), /message type at byte 5: unknown code 0/);
    assertMalformed(() => decodeMessageBatch(at(4, 99)), /message type .*unknown code 99/);
    assertMalformed(() => decodeMessageBatch(at(7, 0xff)), /from .*not valid UTF-8/);
    assertMalformed(() => decodeMessageBatch(at(11, 0x00 + 0x20)), /term .*not a safe integer/);
    assertMalformed(() => decodeMessageBatch(at(11 + 32, 2)), /reject .*not a boolean/);
    assertMalformed(() => decodeMessageBatch(Buffer.concat([good, Buffer.of(0)])), /message batch .*1 trailing bytes/);
    assertMalformed(() => decodeMessageBatch(Buffer.of(0, 0, 0, 0)), /message count .*an empty batch/);
    assertMalformed(() => decodeMessageBatch(Buffer.of(0xff, 0xff, 0xff, 0xff, 1)), /message count .*does not fit/);
  });

  it('refuses an entry count the frame cannot hold, before allocating anything', () => {
    const encoded = Buffer.from(encodeMessageBatch([heartbeat()]));
    // The entry count follows type, ids (2 x 3 bytes), four u64, reject and rejectHint.
    const entryCountOffset = 4 + 1 + 3 + 3 + 32 + 1 + 8;
    encoded.writeUInt32BE(0xffff_ffff, entryCountOffset);
    assertMalformed(() => decodeMessageBatch(encoded), /entry count .*4294967295 does not fit/);
  });

  it('refuses to encode numbers that are not non-negative safe integers, and lone surrogates', () => {
    for (const term of [-1, 2 ** 53, 1.5, Number.NaN]) {
      assert.throws(() => encodeMessageBatch([{ ...heartbeat(), term }]), AssertionFailure);
    }
    assert.throws(() => encodeMessageBatch([{ ...heartbeat(), context: 'a\uD800b' }]), AssertionFailure);
  });

  it('keeps a leading byte order mark and NUL characters in strings', () => {
    const message = { ...heartbeat(), from: '\uFEFFx', context: '\u0000\uFEFF' };
    assert.deepStrictEqual(decodeMessageBatch(encodeMessageBatch([message])), [message]);
  });

  it('encodes a single message in any batch position identically (sizes add up)', () => {
    fc.assert(
      fc.property(anyMessage, anyMessage, (a, b) => {
        const both = encodeMessageBatch([a, b]);
        const alone = encodeMessageBatch([b]);
        assert.deepEqual(both.subarray(4 + messageBytes(a)), alone.subarray(4));
      }),
    );
  });
});
