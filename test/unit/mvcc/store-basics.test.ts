import assert from 'node:assert/strict';
import {
  MemoryHistory,
  MvccStore,
  applyDeleteRange,
  applyPut,
  applyTxn,
  bytesFromUtf8 as b,
  deleteRangeRequest,
  putRequest,
  rangeRequest,
  type LeaseLookup,
} from '../../../server/mvcc/index.js';

const noLeases: LeaseLookup = { leaseExists: () => false };

function newStore(): { store: MvccStore; history: MemoryHistory } {
  const history = new MemoryHistory();
  return { store: new MvccStore(history), history };
}

describe('mvcc store basics', () => {
  it('starts at revision 1 and gives each put one revision with etcd metadata', async () => {
    const { store, history } = newStore();
    assert.equal(store.currentRevision, 1);
    const first = applyPut(store, noLeases, putRequest({ key: b('a'), value: b('1') }));
    history.record(first.changes);
    assert.equal(first.revision, 2);
    const second = applyPut(store, noLeases, putRequest({ key: b('a'), value: b('2'), prevKv: true }));
    history.record(second.changes);
    assert.equal(second.revision, 3);
    assert.equal(second.result.prevKv?.value, b('1'));
    const now = store.rangeLatest(rangeRequest({ key: b('a') }));
    assert.deepEqual(now.kvs, [{ key: b('a'), value: b('2'), createRevision: 2, modRevision: 3, version: 2, lease: 0n }]);
    const past = await store.range(rangeRequest({ key: b('a'), revision: 2 }));
    assert.equal(past.kvs[0]?.value, b('1'));
  });

  it('starts a new generation after delete, and a read-only txn does not advance the revision', async () => {
    const { store, history } = newStore();
    history.record(applyPut(store, noLeases, putRequest({ key: b('k'), value: b('v') })).changes);
    const deleted = applyDeleteRange(store, noLeases, deleteRangeRequest({ key: b('k') }));
    history.record(deleted.changes);
    assert.equal(deleted.revision, 3);
    const nothing = applyDeleteRange(store, noLeases, deleteRangeRequest({ key: b('k') }));
    assert.equal(nothing.revision, 3);
    assert.equal(nothing.result.deleted, 0);
    history.record(applyPut(store, noLeases, putRequest({ key: b('k'), value: b('w') })).changes);
    const kv = store.current(b('k'));
    assert.equal(kv?.createRevision, 4);
    assert.equal(kv?.version, 1);
    const readOnly = await applyTxn(store, noLeases, { compare: [], success: [{ range: rangeRequest({ key: b('k') }) }], failure: [] });
    assert.equal(readOnly.revision, 4);
    assert.equal(readOnly.changes.length, 0);
  });
});
