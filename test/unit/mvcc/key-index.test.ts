import assert from 'node:assert/strict';
import { KeyIndex, type KeyHistory } from '../../../server/mvcc/index.js';
import { AssertionFailure } from '../../../server/errors.js';
import { kv } from './helpers.js';

function history(index: KeyIndex, key: string): KeyHistory {
  const found = index.get(key);
  assert.ok(found !== undefined, `no history for ${key}`);
  return found;
}

/** What the index says about a key at every revision from 1 to `last`: "-" none, "x" deleted, else main.sub. */
function timeline(index: KeyIndex, key: string, last: number): string {
  const cells: string[] = [];
  for (let atMain = 1; atMain <= last; atMain++) {
    const at = index.revisionAt(history(index, key), atMain);
    cells.push(at === null ? '-' : at.tombstone ? 'x' : `${at.revision.main}.${at.revision.sub}`);
  }
  return cells.join(' ');
}

/** Key "k": put at 2, put at 3, deleted at 4, put at 6 (sub 1), deleted at 7, put at 9. */
function sampleIndex(): KeyIndex {
  const index = new KeyIndex();
  index.recordPut(kv('k', 'a', 2, 2, 1), 0);
  index.recordPut(kv('k', 'b', 2, 3, 2), 0);
  index.recordDelete('k', 4, 0);
  index.recordPut(kv('k', 'c', 6, 6, 1), 1);
  index.recordDelete('k', 7, 0);
  index.recordPut(kv('k', 'd', 9, 9, 1), 0);
  return index;
}

describe('mvcc key index', () => {
  it('keeps one generation per life of a key and answers which change was in effect at each revision', () => {
    const index = sampleIndex();
    const k = history(index, 'k');
    assert.equal(k.generations.length, 3);
    assert.deepEqual(k.current, kv('k', 'd', 9, 9, 1));
    assert.equal(timeline(index, 'k', 10), '- 2.0 3.0 x x 6.1 x x 9.0 9.0');
    assert.equal(index.revisionAt(k, 6)?.createRevision, 6);
    assert.equal(index.revisionAt(k, 3)?.createRevision, 2);
  });

  it('refuses a delete of a key that is not live, and a revision that does not follow the last', () => {
    const index = sampleIndex();
    index.recordDelete('k', 10, 0);
    assert.throws(() => index.recordDelete('k', 11, 0), AssertionFailure);
    assert.throws(() => index.recordDelete('nothing', 11, 0), AssertionFailure);
    assert.throws(() => index.recordPut(kv('k', 'e', 10, 10, 1), 0), AssertionFailure, 'same main, same sub');
    assert.throws(() => index.recordPut(kv('k', 'e', 9, 9, 1), 5), AssertionFailure, 'older main');
  });

  it('accepts a put and a delete of one key in the same revision, ordered by sub', () => {
    const index = new KeyIndex();
    index.recordPut(kv('t', 'v', 2, 2, 1), 0);
    index.recordPut(kv('t', 'w', 2, 5, 2), 0);
    index.recordDelete('t', 5, 1);
    assert.equal(timeline(index, 't', 6), '- 2.0 2.0 2.0 x x');
    assert.equal(history(index, 't').current, null);
  });

  it('lists histories in byte order for a point, a half-open range, from a key, and all keys', () => {
    const index = new KeyIndex();
    for (const [i, key] of ['\xff', 'b', 'a', 'b\x00', '\x00', 'c'].entries()) index.recordPut(kv(key, '', i + 2, i + 2, 1), 0);
    const keys = (key: string, end: string): string => [...index.histories({ key, end })].map((h) => h.key).join(',');
    assert.equal(keys('b', ''), 'b');
    assert.equal(keys('zz', ''), '');
    assert.equal(keys('a', 'c'), 'a,b,b\x00');
    assert.equal(keys('b', '\x00'), 'b,b\x00,c,\xff');
    assert.equal(keys('\x00', '\x00'), '\x00,a,b,b\x00,c,\xff');
    assert.equal(keys('c', 'a'), '', 'a reversed range is empty');
    assert.equal(index.size, 6);
  });

  it('compacts to what reads at the compact revision or later need, returning the dropped revisions', () => {
    const index = sampleIndex();
    const dropped = index.compact(5);
    // Revisions 2, 3 and the delete at 4 (older than 5) go; everything from 6 on stays.
    assert.deepEqual(dropped, [{ main: 2, sub: 0 }, { main: 3, sub: 0 }, { main: 4, sub: 0 }]);
    assert.equal(timeline(index, 'k', 10), '- - - - - 6.1 x x 9.0 9.0');
    assert.deepEqual(index.compact(8), [{ main: 6, sub: 1 }, { main: 7, sub: 0 }]);
    assert.equal(history(index, 'k').generations.length, 1);
  });

  it('keeps the put in effect at the compact revision, drops what it superseded', () => {
    const index = new KeyIndex();
    index.recordPut(kv('k', 'a', 2, 2, 1), 0);
    index.recordPut(kv('k', 'b', 2, 3, 2), 0);
    index.recordPut(kv('k', 'c', 2, 5, 3), 0);
    assert.deepEqual(index.compact(4), [{ main: 2, sub: 0 }]);
    assert.equal(timeline(index, 'k', 5), '- - 3.0 3.0 5.0');
  });

  it('keeps a delete made exactly at the compact revision, and drops it at the next compaction', () => {
    const index = new KeyIndex();
    index.recordPut(kv('k', 'a', 2, 2, 1), 0);
    index.recordDelete('k', 3, 0);
    assert.deepEqual(index.compact(3), [{ main: 2, sub: 0 }]);
    assert.equal(index.size, 1);
    assert.equal(index.revisionAt(history(index, 'k'), 3)?.tombstone, true);
    assert.deepEqual(index.compact(4), [{ main: 3, sub: 0 }]);
    assert.equal(index.size, 0, 'a key with no kept revision leaves the index');
  });

  it('keeps both changes when a key is put and deleted in the txn at the compact revision', () => {
    const index = new KeyIndex();
    index.recordPut(kv('t', 'a', 2, 2, 1), 0);
    index.recordPut(kv('t', 'b', 2, 3, 2), 0);
    index.recordDelete('t', 3, 1);
    assert.deepEqual(index.compact(3), [{ main: 2, sub: 0 }]);
    assert.deepEqual(history(index, 't').generations[0]?.subs, [0, 1]);
  });

  it('keeps a delete at the compact revision even when the same txn recreated the key after it', () => {
    const index = new KeyIndex();
    index.recordPut(kv('b', 'a', 2, 2, 1), 0);
    index.recordDelete('b', 3, 0);
    index.recordPut(kv('b', 'c', 3, 3, 1), 1);
    assert.equal(timeline(index, 'b', 3), '- 2.0 3.1');
    assert.deepEqual(index.compact(3), [{ main: 2, sub: 0 }]);
    assert.deepEqual(history(index, 'b').generations.map((g) => g.mains.map((m, i) => `${m}.${g.subs[i]}`)), [['3.0'], ['3.1']]);
    index.recordPut(kv('b', 'd', 3, 4, 2), 0);
    assert.deepEqual(index.compact(4), [{ main: 3, sub: 0 }, { main: 3, sub: 1 }]);
  });

  it('restores a lone delete (its put compacted away) as a generation of its own', () => {
    const index = new KeyIndex();
    index.restoreDelete('k', 3, 0);
    index.recordPut(kv('k', 'v', 4, 4, 1), 0);
    assert.equal(timeline(index, 'k', 4), '- - x 4.0');
    assert.throws(() => index.restoreDelete('k', 4, 0), AssertionFailure, 'a delete must follow the last revision');
    index.restoreDelete('k', 5, 0);
    assert.equal(history(index, 'k').current, null);
  });

  it('drops nothing for a key created after the compact revision', () => {
    const index = new KeyIndex();
    index.recordPut(kv('late', 'a', 7, 7, 1), 0);
    assert.deepEqual(index.compact(5), []);
    assert.equal(index.revisionAt(history(index, 'late'), 7)?.revision.main, 7);
  });
});
