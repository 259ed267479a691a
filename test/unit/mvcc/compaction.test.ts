import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyPut, checkTxn, putRequest, rangeRequest, type MvccStore, type RangeResult } from '../../../server/mvcc/index.js';
import { SynodError } from '../../../server/errors.js';
import { keys, pick, write, type Action } from './arbitraries.js';
import { Harness, kv, op, synodError } from './helpers.js';

describe('mvcc compaction: errors and boundaries', () => {
  it('refuses to compact at or below the compact revision, and above the current one', () => {
    const h = new Harness();
    h.putMany('k', 4); // 2..5
    h.compact(3);
    assert.throws(() => h.compact(3), synodError('compacted', { compact_revision: '3' }));
    assert.throws(() => h.compact(2), synodError('compacted', { compact_revision: '3' }));
    assert.throws(() => h.compact(6), synodError('future_revision'));
    h.compact(5);
    assert.equal(h.store.compactRevision, 5, 'compacting at the current revision is allowed');
  });

  it('compacts a new store at revision 1, but not at 0 (which etcd accepts as a no-op)', () => {
    const h = new Harness();
    assert.throws(() => h.compact(0), synodError('compacted', { compact_revision: '0' }));
    assert.equal(h.compact(1), 0);
    assert.throws(() => h.compact(1), synodError('compacted', { compact_revision: '1' }));
  });

  it('fails reads below the compact revision, serves them at it and above, fails them above current', async () => {
    const h = new Harness();
    h.putMany('k', 5); // 2..6
    h.compact(4);
    for (const revision of [1, 2, 3]) {
      await assert.rejects(h.get('k', { revision }), synodError('compacted', { compact_revision: '4' }), `at ${revision}`);
    }
    assert.deepEqual((await h.get('k', { revision: 4 })).kvs, [kv('k', '3', 2, 4, 3)]);
    assert.deepEqual((await h.get('k', { revision: 6 })).kvs, [kv('k', '5', 2, 6, 5)]);
    assert.equal(await h.value('k', 0), '5');
    await assert.rejects(h.get('k', { revision: 7 }), synodError('future_revision'));
  });

  it('drops superseded versions and deletes older than the compact revision, keeping the live ones', async () => {
    const h = new Harness();
    h.putMany('a', 3); // 2, 3, 4
    h.put('b', '1'); // 5
    h.del('b'); // 6
    h.put('c', '1'); // 7
    assert.equal(h.history.size, 6);
    assert.equal(h.compact(5), 2, 'a@2 and a@3 are superseded by a@4');
    assert.equal(h.history.size, 4);
    assert.equal(h.compact(7), 2, 'b@5 and its delete at 6 are no longer needed');
    assert.equal(h.history.size, 2);
    assert.equal(h.store.index.size, 2, 'b left the index');
    assert.equal(await h.keys('\x00', { rangeEnd: '\x00', revision: 7 }), 'a,c');
  });

  it('keeps a delete made exactly at the compact revision, so a watch from there can see it', async () => {
    const h = new Harness();
    h.put('k', 'v'); // 2
    h.del('k'); // 3
    h.compact(3);
    assert.equal(h.history.size, 1, 'the put is gone, the delete at 3 stays');
    assert.deepEqual(h.storedChanges.map((c) => [c.key, c.revision.main, c.kv]), [['k', 3, null]]);
    assert.equal(await h.value('k', 3), null);
    h.put('other', 'v'); // 4
    assert.equal(h.compact(4), 1, 'the next compaction drops it');
    assert.deepEqual(h.storedChanges.map((c) => [c.key, c.revision.main]), [['other', 4]]);
  });

  it('keeps every change of a txn at the compact revision, even a put and a delete of one key', async () => {
    const h = new Harness();
    h.put('t', 'old'); // 2
    await h.txn({ success: [op.txn({ success: [op.put('t', 'new')] }), op.txn({ success: [op.del('t')] })] }); // 3
    assert.equal(h.compact(3), 1);
    assert.equal(h.history.size, 2);
  });

  it('restarts from storage holding a delete whose put was compacted away', async () => {
    const h = new Harness();
    h.put('k', 'v'); // 2
    h.put('j', 'v'); // 3
    h.del('k'); // 4
    h.compact(4);
    const restored = h.restore();
    assert.deepEqual([restored.currentRevision, restored.compactRevision], [4, 4]);
    const all = await restored.range(rangeRequest({ key: '\x00', rangeEnd: '\x00', revision: 4 }));
    assert.deepEqual(all.kvs.map((k) => k.key), ['j']);
    assert.equal(restored.current('k'), null);
    // The restored store writes on, and drops the lone delete at its next compaction like any other.
    applyPut(restored, h.leases, putRequest({ key: 'k', value: 'w' }));
    assert.deepEqual(restored.current('k'), kv('k', 'w', 5, 5, 1));
    assert.deepEqual(restored.compact(5), [{ main: 4, sub: 0 }]);
  });
});

/** Applies a random write the way the apply layer would; failures of the request itself are fine. */
async function apply(h: Harness, next: Action): Promise<void> {
  try {
    if (next.kind === 'put') h.put(next.request.key, next.request.value, next.request);
    else if (next.kind === 'del') h.del(next.request.key, next.request.rangeEnd, next.request);
    else if (next.kind === 'txn') {
      checkTxn(next.request, 128);
      await h.txn(next.request);
    }
  } catch (error) {
    if (!(error instanceof SynodError)) throw error;
  }
}

const sweep = [
  rangeRequest({ key: '\x00', rangeEnd: '\x00' }),
  rangeRequest({ key: '\x00', rangeEnd: '\x00', sortTarget: 'VERSION', sortOrder: 'DESCEND', limit: 3 }),
  rangeRequest({ key: 'a', rangeEnd: 'c', countOnly: true }),
  ...keys.map((key) => rangeRequest({ key })),
];

/** Every sweep read at every revision from `from` to the current one. */
async function readsFrom(store: MvccStore, from: number): Promise<RangeResult[]> {
  const results: RangeResult[] = [];
  for (let revision = from; revision <= store.currentRevision; revision++) {
    for (const read of sweep) results.push(await store.range({ ...read, revision }));
  }
  return results;
}

/** Compacts at `revision`, checking reads, the history kept, and a restart from it. */
async function checkCompaction(h: Harness, revision: number): Promise<void> {
  const before = await readsFrom(h.store, revision);
  const liveThen = (await h.get('\x00', { rangeEnd: '\x00', revision })).kvs;
  // Kept: every change at or after the compact revision, plus each older put still in effect then.
  const expectedSize = h.storedChanges.filter((c) => c.revision.main >= revision).length
    + liveThen.filter((k) => k.modRevision < revision).length;
  const sizeBefore = h.history.size;
  const dropped = h.compact(revision);
  assert.equal(h.history.size, sizeBefore - dropped);
  assert.equal(h.history.size, expectedSize);
  assert.deepEqual(await readsFrom(h.store, revision), before);
  assert.deepEqual(await readsFrom(h.restore(), revision), before);
  if (revision > 1) {
    await assert.rejects(h.get('a', { revision: revision - 1 }), synodError('compacted', { compact_revision: String(revision) }));
  }
}

describe('mvcc compaction: property', () => {
  it('answers every read at or after the compact revision exactly as before, keeping only what they need', async () => {
    const fraction = fc.double({ min: 0, max: 1, noNaN: true });
    const writes = fc.array(write, { minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(writes, fc.boolean(), fraction, fraction, async (writes, atDelete, first, second) => {
        const h = new Harness();
        h.leases.ids.add(1n);
        for (const next of writes) await apply(h, next);
        const current = h.store.currentRevision;
        // Half the time compact exactly where a delete happened: the trickiest boundary.
        const deletes = h.storedChanges.filter((c) => c.kv === null).map((c) => c.revision.main);
        const firstRevision = atDelete && deletes.length > 0 ? deletes[pick(first, 0, deletes.length - 1)]! : pick(first, 1, current);
        await checkCompaction(h, firstRevision);
        if (firstRevision < current) await checkCompaction(h, pick(second, firstRevision + 1, current));
      }),
      { numRuns: 150 },
    );
  });
});
