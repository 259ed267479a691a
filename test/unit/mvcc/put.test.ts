import assert from 'node:assert/strict';
import { checkPut, putRequest } from '../../../server/mvcc/index.js';
import { Harness, kv, synodError } from './helpers.js';

describe('mvcc put', () => {
  it('creates a key at version 1 and reports the change with no previous value', () => {
    const h = new Harness();
    const outcome = h.put('k', 'v');
    assert.deepEqual(outcome.result, { prevKv: null });
    assert.deepEqual(outcome.changes, [{ revision: { main: 2, sub: 0 }, key: 'k', kv: kv('k', 'v', 2, 2, 1), prevKv: null }]);
  });

  it('returns the previous kv only when prev_kv is set, and the change always carries it', () => {
    const h = new Harness();
    h.put('k', 'v1');
    const quiet = h.put('k', 'v2');
    assert.equal(quiet.result.prevKv, null);
    assert.deepEqual(quiet.changes[0]?.prevKv, kv('k', 'v1', 2, 2, 1));
    const told = h.put('k', 'v3', { prevKv: true });
    assert.deepEqual(told.result.prevKv, kv('k', 'v2', 2, 3, 2));
    assert.equal(h.put('new', 'v', { prevKv: true }).result.prevKv, null, 'no previous value for a new key');
  });

  it('stores an empty value as a real value', async () => {
    const h = new Harness();
    h.put('k', '');
    assert.deepEqual((await h.get('k')).kvs, [kv('k', '', 2, 2, 1)]);
  });

  it('keeps the value with ignore_value while bumping mod and version', async () => {
    const h = new Harness();
    h.put('k', 'kept');
    const outcome = h.put('k', '', { ignoreValue: true, prevKv: true });
    assert.deepEqual(outcome.result.prevKv, kv('k', 'kept', 2, 2, 1));
    assert.deepEqual((await h.get('k')).kvs, [kv('k', 'kept', 2, 3, 2)]);
  });

  it('fails at apply with key_not_found for ignore_value or ignore_lease on a missing key, changing nothing', () => {
    const h = new Harness();
    h.put('gone', 'v');
    h.del('gone');
    for (const fields of [{ ignoreValue: true }, { ignoreLease: true }, { ignoreValue: true, ignoreLease: true }]) {
      assert.throws(() => h.put('missing', '', fields), synodError('key_not_found'));
      assert.throws(() => h.put('gone', '', fields), synodError('key_not_found'), 'a deleted key is missing');
    }
    assert.equal(h.store.currentRevision, 3);
  });

  it('refuses in validation a value with ignore_value, a lease with ignore_lease, and an empty key', () => {
    assert.throws(() => checkPut(putRequest({ key: 'k', value: 'v', ignoreValue: true })), synodError('value_provided'));
    assert.throws(() => checkPut(putRequest({ key: 'k', lease: 5n, ignoreLease: true })), synodError('lease_provided'));
    assert.throws(() => checkPut(putRequest({ key: '', value: 'v' })), synodError('empty_key'));
    assert.doesNotThrow(() => checkPut(putRequest({ key: 'k', ignoreValue: true, ignoreLease: true })));
    assert.doesNotThrow(() => checkPut(putRequest({ key: 'k', value: 'v', lease: 5n })));
  });
});

describe('mvcc put: leases', () => {
  it('fails with lease_not_found when the lease does not exist, changing nothing', () => {
    const h = new Harness();
    assert.throws(() => h.put('k', 'v', { lease: 7n }), synodError('lease_not_found'));
    assert.equal(h.store.currentRevision, 1);
    assert.equal(h.store.current('k'), null);
  });

  it('checks a lone put\'s lease before the key ignore_value needs, as etcd does', () => {
    const h = new Harness();
    assert.throws(() => h.put('missing', '', { ignoreValue: true, lease: 7n }), synodError('lease_not_found'));
  });

  it('attaches a lease, keeps it with ignore_lease, moves it, and detaches it with lease 0', async () => {
    const h = new Harness();
    h.leases.ids.add(7n);
    h.leases.ids.add(8n);
    h.put('k', 'v1', { lease: 7n });
    assert.equal(h.store.current('k')?.lease, 7n);
    h.put('k', 'v2', { ignoreLease: true });
    assert.deepEqual(h.store.current('k'), kv('k', 'v2', 2, 3, 2, 7n));
    h.put('k', '', { ignoreLease: true, ignoreValue: true });
    assert.deepEqual(h.store.current('k'), kv('k', 'v2', 2, 4, 3, 7n));
    h.put('k', 'v3', { lease: 8n });
    assert.equal(h.store.current('k')?.lease, 8n);
    const detached = h.put('k', '', { ignoreValue: true, prevKv: true });
    assert.equal(detached.result.prevKv?.lease, 8n);
    assert.deepEqual(h.store.current('k'), kv('k', 'v3', 2, 6, 5, 0n));
    assert.equal((await h.get('k', { revision: 3 })).kvs[0]?.lease, 7n, 'history keeps each revision\'s lease');
  });

  it('starts a recreated key with the lease its new put names, not the old one', () => {
    const h = new Harness();
    h.leases.ids.add(7n);
    h.put('k', 'v', { lease: 7n });
    h.del('k');
    h.put('k', 'v');
    assert.deepEqual(h.store.current('k'), kv('k', 'v', 4, 4, 1));
  });
});
