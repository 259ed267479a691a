import assert from 'node:assert/strict';
import { checkDeleteRange, deleteRangeRequest, prefixEnd } from '../../../server/mvcc/index.js';
import { Harness, kv, synodError } from './helpers.js';

/** Keys a, a\xff, b, b\x00, c, \xff at revisions 2..7. */
function keySpace(): Harness {
  const h = new Harness();
  for (const key of ['a', 'a\xff', 'b', 'b\x00', 'c', '\xff']) h.put(key, `v(${key})`);
  return h;
}

const live = (h: Harness): Promise<string> => h.keys('\x00', { rangeEnd: '\x00' });

describe('mvcc delete range', () => {
  it('deletes a single key and counts it', async () => {
    const h = keySpace();
    const outcome = h.del('b');
    assert.deepEqual(outcome.result, { deleted: 1, prevKvs: [] });
    assert.equal(outcome.revision, 8);
    assert.equal(await live(h), 'a,a\xff,b\x00,c,\xff');
  });

  it('follows the range rules: [key, end), from key, all keys, prefix, reversed', async () => {
    const cases: [string, string, number, string][] = [
      ['a\xff', 'b\x00', 2, 'a,b\x00,c,\xff'],
      ['b', '\x00', 4, 'a,a\xff'],
      ['\x00', '\x00', 6, ''],
      ['a', prefixEnd('a'), 2, 'b,b\x00,c,\xff'],
      ['\xff', prefixEnd('\xff'), 1, 'a,a\xff,b,b\x00,c'],
      ['c', 'a', 0, 'a,a\xff,b,b\x00,c,\xff'],
      ['bb', '', 0, 'a,a\xff,b,b\x00,c,\xff'],
    ];
    for (const [key, end, deleted, left] of cases) {
      const h = keySpace();
      const outcome = h.del(key, end);
      assert.equal(outcome.result.deleted, deleted, `deleted for [${key}, ${end})`);
      assert.equal(outcome.revision, deleted > 0 ? 8 : 7);
      assert.equal(await live(h), left, `left after [${key}, ${end})`);
    }
  });

  it('returns the deleted kvs in key order with prev_kv', () => {
    const h = keySpace();
    h.put('b', 'second'); // 8
    const outcome = h.del('b', 'c', { prevKv: true });
    assert.deepEqual(outcome.result, {
      deleted: 2,
      prevKvs: [kv('b', 'second', 4, 8, 2), kv('b\x00', 'v(b\x00)', 5, 5, 1)],
    });
  });

  it('records one delete change per key at one revision, each with the value it removed', () => {
    const h = keySpace();
    const outcome = h.del('a', 'b');
    assert.deepEqual(outcome.changes, [
      { revision: { main: 8, sub: 0 }, key: 'a', kv: null, prevKv: kv('a', 'v(a)', 2, 2, 1) },
      { revision: { main: 8, sub: 1 }, key: 'a\xff', kv: null, prevKv: kv('a\xff', 'v(a\xff)', 3, 3, 1) },
    ]);
  });

  it('skips keys already deleted and leaves their history readable', async () => {
    const h = keySpace();
    h.del('b'); // 8
    const outcome = h.del('a', 'c', { prevKv: true }); // 9
    assert.deepEqual(outcome.result.prevKvs.map((k) => k.key), ['a', 'a\xff', 'b\x00']);
    assert.equal(await h.value('b', 7), 'v(b)');
    assert.equal(await h.value('b', 8), null);
  });

  it('refuses an empty key in validation', () => {
    assert.throws(() => checkDeleteRange(deleteRangeRequest({ key: '' })), synodError('empty_key'));
    assert.throws(() => checkDeleteRange(deleteRangeRequest({ key: '', rangeEnd: '\x00' })), synodError('empty_key'));
    assert.doesNotThrow(() => checkDeleteRange(deleteRangeRequest({ key: '\x00', rangeEnd: '\x00' })));
  });
});
