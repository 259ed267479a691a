import assert from 'node:assert/strict';
import { Harness, cmp, kv, op, synodError } from './helpers.js';

describe('mvcc revisions', () => {
  it('starts a new store at revision 1 with nothing compacted', () => {
    const h = new Harness();
    assert.equal(h.store.currentRevision, 1);
    assert.equal(h.store.compactRevision, 0);
  });

  it('gives each put exactly one new revision, and reports it', () => {
    const h = new Harness();
    assert.deepEqual([h.put('a', '1'), h.put('b', '1'), h.put('a', '2')].map((o) => o.revision), [2, 3, 4]);
    assert.equal(h.store.currentRevision, 4);
  });

  it('gives a delete of several keys one revision, its changes ordered by key in sub', () => {
    const h = new Harness();
    h.put('c', '1');
    h.put('a', '1');
    h.put('b', '1');
    const deleted = h.del('a', 'z');
    assert.equal(deleted.revision, 5);
    assert.deepEqual(
      deleted.changes.map((c) => [c.key, c.revision.main, c.revision.sub, c.kv]),
      [['a', 5, 0, null], ['b', 5, 1, null], ['c', 5, 2, null]],
    );
  });

  it('does not advance for a delete that deletes nothing', () => {
    const h = new Harness();
    h.put('a', '1');
    const nothing = h.del('b', 'z');
    assert.equal(nothing.revision, 2);
    assert.equal(nothing.changes.length, 0);
    assert.equal(h.store.currentRevision, 2);
    assert.equal(h.put('b', '1').revision, 3, 'the next write takes the very next revision');
  });

  it('gives a whole txn one revision, its changes ordered by op in sub, nested txns included', async () => {
    const h = new Harness();
    h.put('x', '0');
    const outcome = await h.txn({
      success: [op.put('b', '1'), op.txn({ success: [op.put('a', '1'), op.del('x')] }), op.put('c', '1')],
    });
    assert.equal(outcome.revision, 3);
    assert.deepEqual(
      outcome.changes.map((c) => `${c.key}@${c.revision.main}.${c.revision.sub}${c.kv === null ? ' deleted' : ''}`),
      ['b@3.0', 'a@3.1', 'x@3.2 deleted', 'c@3.3'],
    );
    for (const key of ['a', 'b', 'c']) assert.equal((await h.get(key)).kvs[0]?.modRevision, 3);
  });

  it('does not advance for a read-only txn, an empty txn, or a txn that deletes nothing', async () => {
    const h = new Harness();
    h.put('a', '1');
    const outcomes = [
      await h.txn({ success: [op.get('a'), op.get('\x00', { rangeEnd: '\x00' })] }),
      await h.txn({}),
      await h.txn({ compare: [cmp.version('a', 'EQUAL', 5)], success: [op.put('a', '2')], failure: [op.del('zz')] }),
    ];
    assert.deepEqual(outcomes.map((o) => [o.revision, o.changes.length]), [[2, 0], [2, 0], [2, 0]]);
    assert.equal(h.store.currentRevision, 2);
  });

  it('does not advance for a request that fails', async () => {
    const h = new Harness();
    h.put('a', '1');
    assert.throws(() => h.put('missing', '', { ignoreValue: true }), synodError('key_not_found'));
    await assert.rejects(h.txn({ success: [op.put('b', '1'), op.put('c', '1', { lease: 9n })] }), synodError('lease_not_found'));
    assert.equal(h.store.currentRevision, 2);
    assert.equal(h.put('b', '1').revision, 3);
  });

  it('tracks create/mod/version through a key lifecycle, a delete starting a new generation', async () => {
    const h = new Harness();
    h.put('a', 'v1'); // 2
    assert.deepEqual((await h.get('a')).kvs, [kv('a', 'v1', 2, 2, 1)]);
    h.put('a', 'v2'); // 3
    assert.deepEqual((await h.get('a')).kvs, [kv('a', 'v2', 2, 3, 2)]);
    const deleted = h.del('a', '', { prevKv: true }); // 4
    assert.deepEqual(deleted.result.prevKvs, [kv('a', 'v2', 2, 3, 2)]);
    assert.deepEqual((await h.get('a')).kvs, []);
    h.put('a', 'v3'); // 5
    assert.deepEqual((await h.get('a')).kvs, [kv('a', 'v3', 5, 5, 1)]);
    h.put('a', 'v4'); // 6
    assert.deepEqual((await h.get('a')).kvs, [kv('a', 'v4', 5, 6, 2)]);
  });

  it('answers a read at every revision of a history as etcd does (time travel across delete and re-create)', async () => {
    const h = new Harness();
    h.put('a', 'v1'); // 2
    h.put('b', 'b1'); // 3
    h.put('a', 'v2'); // 4
    h.del('a'); // 5
    h.put('c', 'c1'); // 6
    h.put('a', 'v3'); // 7
    await h.txn({ success: [op.put('a', 'v4'), op.del('b')] }); // 8
    const expected: Record<number, string> = {
      1: '',
      2: 'a=v1(2,2,1)',
      3: 'a=v1(2,2,1) b=b1(3,3,1)',
      4: 'a=v2(2,4,2) b=b1(3,3,1)',
      5: 'b=b1(3,3,1)',
      6: 'b=b1(3,3,1) c=c1(6,6,1)',
      7: 'a=v3(7,7,1) b=b1(3,3,1) c=c1(6,6,1)',
      8: 'a=v4(7,8,2) c=c1(6,6,1)',
    };
    for (let revision = 1; revision <= 8; revision++) {
      const all = await h.get('\x00', { rangeEnd: '\x00', revision });
      const seen = all.kvs.map((k) => `${k.key}=${k.value}(${k.createRevision},${k.modRevision},${k.version})`).join(' ');
      assert.equal(seen, expected[revision], `at revision ${revision}`);
      assert.equal(all.count, all.kvs.length);
    }
    assert.equal(await h.value('a', 5), null, 'a point read of a deleted key finds nothing');
  });
});
