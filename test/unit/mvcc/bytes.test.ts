import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  bytesFromBase64,
  bytesFromBuffer,
  bytesFromUtf8,
  bytesToBase64,
  bytesToBuffer,
  bytesToUtf8,
  compareBytes,
  isSingleKey,
  prefixEnd,
  rangeContains,
} from '../../../server/mvcc/index.js';

const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
const byteArray = fc.uint8Array({ maxLength: 6 }).map((array) => Buffer.from(array));

describe('mvcc bytes', () => {
  it('round-trips every byte value through buffers and base64', () => {
    const bytes = bytesFromBuffer(everyByte);
    assert.equal(bytes.length, 256);
    for (let i = 0; i < 256; i++) assert.equal(bytes.charCodeAt(i), i);
    assert.deepEqual(bytesToBuffer(bytes), Buffer.from(everyByte));
    assert.equal(bytesToBase64(bytes), Buffer.from(everyByte).toString('base64'));
    assert.equal(bytesFromBase64(bytesToBase64(bytes)), bytes);
  });

  it('reads only the viewed part of a buffer', () => {
    const view = everyByte.subarray(65, 68);
    assert.equal(bytesFromBuffer(view), 'ABC');
  });

  it('encodes text as UTF-8 bytes and back', () => {
    const bytes = bytesFromUtf8('é€');
    assert.deepEqual([...bytesToBuffer(bytes)], [0xc3, 0xa9, 0xe2, 0x82, 0xac]);
    assert.equal(bytesToUtf8(bytes), 'é€');
  });

  it('compares as unsigned bytes, like Buffer.compare (and etcd)', () => {
    fc.assert(
      fc.property(byteArray, byteArray, (a, b) => {
        assert.equal(compareBytes(bytesFromBuffer(a), bytesFromBuffer(b)), Buffer.compare(a, b));
      }),
    );
    assert.ok(compareBytes('\x7f', '\x80') < 0, '0x80 sorts after 0x7f (unsigned)');
    assert.ok(compareBytes('\xff', '\x00\x00') > 0);
    assert.ok(compareBytes('a', 'a\x00') < 0, 'a prefix sorts first');
    assert.equal(compareBytes('ab', 'ab'), 0);
  });

  it('computes the prefix range end, dropping trailing 0xff bytes', () => {
    assert.equal(prefixEnd('aa'), 'ab');
    assert.equal(prefixEnd('a\xfe'), 'a\xff');
    assert.equal(prefixEnd('a\xff'), 'b');
    assert.equal(prefixEnd('a\xff\xff'), 'b');
    assert.equal(prefixEnd('\x00'), '\x01');
    assert.equal(prefixEnd('a\x00\xff'), 'a\x01');
  });

  it('turns an all-0xff (or empty) prefix into "\\x00", meaning from the key on', () => {
    assert.equal(prefixEnd('\xff'), '\x00');
    assert.equal(prefixEnd('\xff\xff\xff'), '\x00');
    assert.equal(prefixEnd(''), '\x00');
  });

  it('selects exactly the keys that start with the prefix', () => {
    fc.assert(
      fc.property(byteArray.filter((p) => p.length > 0), byteArray, (prefixBuffer, keyBuffer) => {
        const prefix = bytesFromBuffer(prefixBuffer);
        const key = bytesFromBuffer(keyBuffer);
        const range = { key: prefix, end: prefixEnd(prefix) };
        assert.equal(rangeContains(range, key), key.startsWith(prefix));
        assert.equal(rangeContains(range, prefix + key), true);
      }),
      { numRuns: 500 },
    );
  });

  it('follows the range encoding: point, half-open, from key, all keys, reversed', () => {
    assert.equal(rangeContains({ key: 'b', end: '' }, 'b'), true);
    assert.equal(rangeContains({ key: 'b', end: '' }, 'b\x00'), false);
    assert.equal(isSingleKey({ key: 'b', end: '' }), true);
    assert.equal(isSingleKey({ key: 'b', end: 'c' }), false);
    const halfOpen = { key: 'b', end: 'd' };
    assert.deepEqual(['a', 'b', 'c\xff', 'd', 'd\x00'].map((k) => rangeContains(halfOpen, k)), [false, true, true, false, false]);
    const fromKey = { key: 'b', end: '\x00' };
    assert.deepEqual(['a\xff', 'b', '\xff\xff'].map((k) => rangeContains(fromKey, k)), [false, true, true]);
    const all = { key: '\x00', end: '\x00' };
    assert.deepEqual(['\x00', '\x01', '\xff'].map((k) => rangeContains(all, k)), [true, true, true]);
    const reversed = { key: 'd', end: 'b' };
    assert.deepEqual(['a', 'c', 'd', 'e'].map((k) => rangeContains(reversed, k)), [false, false, false, false]);
  });
});
