import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeChange, encodeChange, kvKey, revisionOfKvKey, readUint64, writeUint64, logKey, indexOfLogKey } from '../../../server/storage/encoding.js';
import type { KeyValue } from '../../../server/mvcc/types.js';

const bytes = fc.uint8Array({ maxLength: 64 }).map((array) => Buffer.from(array).toString('latin1'));
const revisionNumber = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });

describe('storage encoding', () => {
  it('round-trips every put record exactly, whatever the bytes', () => {
    fc.assert(
      fc.property(bytes, bytes, revisionNumber, revisionNumber, fc.integer({ min: 1, max: 2 ** 40 }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (key, value, main, create, version, lease) => {
        const kv: KeyValue = { key, value, createRevision: create, modRevision: main, version, lease };
        const decoded = decodeChange({ main, sub: 0 }, encodeChange(key, kv));
        assert.deepEqual(decoded, { key, kv });
      }),
    );
  });

  it('round-trips delete records', () => {
    fc.assert(fc.property(bytes, (key) => assert.deepEqual(decodeChange({ main: 5, sub: 1 }, encodeChange(key, null)), { key, kv: null })));
  });

  it('orders kv keys by (main, sub) in plain byte order', () => {
    fc.assert(
      fc.property(revisionNumber, fc.nat(2 ** 32 - 1), revisionNumber, fc.nat(2 ** 32 - 1), (mainA, subA, mainB, subB) => {
        const byRevision = mainA === mainB ? Math.sign(subA - subB) : Math.sign(mainA - mainB);
        assert.equal(Math.sign(Buffer.compare(kvKey({ main: mainA, sub: subA }), kvKey({ main: mainB, sub: subB }))), byRevision);
        assert.deepEqual(revisionOfKvKey(kvKey({ main: mainA, sub: subA })), { main: mainA, sub: subA });
      }),
    );
  });

  it('writes 64-bit integers up to 2^53 and refuses anything else', () => {
    const buffer = Buffer.alloc(8);
    for (const value of [0, 1, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      writeUint64(buffer, value, 0);
      assert.equal(readUint64(buffer, 0), value);
    }
    assert.throws(() => writeUint64(buffer, -1, 0));
    assert.throws(() => writeUint64(buffer, 1.5, 0));
    assert.equal(indexOfLogKey(logKey(123456789)), 123456789);
  });
});
