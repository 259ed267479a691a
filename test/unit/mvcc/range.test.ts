import assert from 'node:assert/strict';
import { bytesFromBuffer, prefixEnd, rangeRequest } from '../../../server/mvcc/index.js';
import { Harness, kv, synodError } from './helpers.js';

/** Keys a, a\xff, a\xff\xff, b, b\x00, c, \xff, \xff\xff put in that order at revisions 2..9. */
function keySpace(): Harness {
  const h = new Harness();
  for (const key of ['a', 'a\xff', 'a\xff\xff', 'b', 'b\x00', 'c', '\xff', '\xff\xff']) h.put(key, `v(${key})`);
  return h;
}

describe('mvcc range: which keys', () => {
  it('reads a single key with an empty range end', async () => {
    const h = keySpace();
    const result = await h.get('b');
    assert.deepEqual(result, { kvs: [kv('b', 'v(b)', 5, 5, 1)], more: false, count: 1 });
    assert.deepEqual(await h.get('bb'), { kvs: [], more: false, count: 0 });
  });

  it('reads the half-open interval [key, end) in byte order', async () => {
    const h = keySpace();
    assert.equal(await h.keys('a\xff', { rangeEnd: 'b\x00' }), 'a\xff,a\xff\xff,b');
    assert.equal(await h.keys('b', { rangeEnd: 'b' }), '', 'key == end selects nothing');
    assert.equal(await h.keys('c', { rangeEnd: 'a' }), '', 'key > end selects nothing');
  });

  it('reads every key from `key` on when the end is "\\x00"', async () => {
    const h = keySpace();
    assert.equal(await h.keys('b\x00', { rangeEnd: '\x00' }), 'b\x00,c,\xff,\xff\xff');
    assert.equal(await h.keys('\xff\xff\x00', { rangeEnd: '\x00' }), '');
  });

  it('reads every key when key and end are both "\\x00", including the key "\\x00" itself', async () => {
    const h = keySpace();
    h.put('\x00', 'zero');
    assert.equal(await h.keys('\x00', { rangeEnd: '\x00' }), '\x00,a,a\xff,a\xff\xff,b,b\x00,c,\xff,\xff\xff');
    assert.equal(await h.keys('\x00'), '\x00', 'the key "\\x00" alone is a point read');
  });

  it('reads a prefix through prefixEnd, also for prefixes ending in 0xff or made of 0xff only', async () => {
    const h = keySpace();
    const prefix = (p: string): Promise<string> => h.keys(p, { rangeEnd: prefixEnd(p) });
    assert.equal(await prefix('a'), 'a,a\xff,a\xff\xff');
    assert.equal(await prefix('a\xff'), 'a\xff,a\xff\xff');
    assert.equal(await prefix('b'), 'b,b\x00');
    assert.equal(await prefix('\xff'), '\xff,\xff\xff');
    assert.equal(await prefix('\xff\xff'), '\xff\xff');
  });

  it('keeps arbitrary bytes intact and orders all 256 byte values as unsigned bytes', async () => {
    const h = new Harness();
    const singles = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i));
    const order = [...singles.keys()].sort((x, y) => ((x * 97) % 256) - ((y * 97) % 256));
    for (const i of order) h.put(singles[i]!, singles[255 - i]! + '\x00\xff');
    const all = await h.get('\x00', { rangeEnd: '\x00' });
    assert.equal(all.count, 256);
    assert.deepEqual(all.kvs.map((k) => k.key), singles);
    all.kvs.forEach((k, i) => assert.equal(k.value, singles[255 - i]! + '\x00\xff'));
    const fromBuffer = bytesFromBuffer(Buffer.from([0x80, 0x00, 0xff]));
    h.put(fromBuffer, 'x');
    assert.equal(await h.keys('\x80', { rangeEnd: '\x81' }), '\x80,' + fromBuffer);
  });
});

describe('mvcc range: limit, count and more', () => {
  it('returns at most `limit` kvs, with `more` when the range holds more and `count` for all of it', async () => {
    const h = keySpace();
    const range = { rangeEnd: '\x00' };
    const cases: [number, string, boolean][] = [
      [0, 'a,a\xff,a\xff\xff,b,b\x00,c,\xff,\xff\xff', false],
      [3, 'a,a\xff,a\xff\xff', true],
      [7, 'a,a\xff,a\xff\xff,b,b\x00,c,\xff', true],
      [8, 'a,a\xff,a\xff\xff,b,b\x00,c,\xff,\xff\xff', false],
      [100, 'a,a\xff,a\xff\xff,b,b\x00,c,\xff,\xff\xff', false],
      [-1, 'a,a\xff,a\xff\xff,b,b\x00,c,\xff,\xff\xff', false],
    ];
    for (const [limit, keys, more] of cases) {
      const result = await h.get('a', { ...range, limit });
      assert.equal(result.kvs.map((k) => k.key).join(','), keys, `limit ${limit}`);
      assert.equal(result.more, more, `more for limit ${limit}`);
      assert.equal(result.count, 8, `count for limit ${limit}`);
    }
  });

  it('counts only live keys at the read revision', async () => {
    const h = keySpace();
    h.del('a', 'b');
    assert.deepEqual(await h.get('\x00', { rangeEnd: '\x00', limit: 1 }).then((r) => [r.count, r.more]), [5, true]);
    assert.equal((await h.get('\x00', { rangeEnd: '\x00', revision: 9 })).count, 8);
  });

  it('pages through a range by pinning the revision and restarting after the last key', async () => {
    const h = keySpace();
    const pinned = h.store.currentRevision;
    h.put('b', 'changed after the first page');
    h.put('a\x00', 'created after the first page');
    const seen: string[] = [];
    let key = '\x00';
    for (;;) {
      const page = await h.get(key, { rangeEnd: '\x00', limit: 3, revision: pinned });
      seen.push(...page.kvs.map((k) => `${k.key}=${k.value}`));
      if (!page.more) break;
      key = page.kvs.at(-1)!.key + '\x00';
    }
    assert.equal(seen.length, 8);
    assert.ok(seen.includes('b=v(b)'));
  });
});

describe('mvcc range: revision', () => {
  it('reads the latest state for revision 0 or below, and the store at a past revision otherwise', async () => {
    const h = new Harness();
    h.put('k', 'one'); // 2
    h.put('k', 'two'); // 3
    assert.equal(await h.value('k', 0), 'two');
    assert.equal(await h.value('k', -5), 'two');
    assert.equal(await h.value('k', 3), 'two');
    assert.equal(await h.value('k', 2), 'one');
    assert.equal(await h.value('k', 1), null);
  });

  it('refuses a revision above the current one with future_revision', async () => {
    const h = new Harness();
    h.put('k', 'one');
    await assert.rejects(h.get('k', { revision: 3 }), synodError('future_revision'));
    await assert.rejects(h.store.range(rangeRequest({ key: 'k', revision: 1000 })), synodError('future_revision'));
  });

  it('refuses a revision below the compact revision with compacted', async () => {
    const h = new Harness();
    h.putMany('k', 4); // 2..5
    h.compact(4);
    await assert.rejects(h.get('k', { revision: 3 }), synodError('compacted', { compact_revision: '4' }));
    assert.equal(await h.value('k', 4), '3');
  });
});
