import assert from 'node:assert/strict';
import { applyTxn, checkTxn } from '../../../server/mvcc/index.js';
import { AssertionFailure } from '../../../server/errors.js';
import { Harness, cmp, codeOfAsync, kv, op, synodError, txn } from './helpers.js';

/** Every live key=value at the latest revision, to show that a failed txn changed nothing. */
async function dump(h: Harness): Promise<string> {
  const all = await h.get('\x00', { rangeEnd: '\x00' });
  return all.kvs.map((k) => `${k.key}=${k.value}@${k.modRevision}`).join(' ');
}

describe('mvcc txn: branches and order', () => {
  it('runs the success ops when the compares hold and the failure ops otherwise, answering op by op', async () => {
    const h = new Harness();
    h.put('a', '1'); // 2
    const failed = await h.txn({
      compare: [cmp.value('a', 'EQUAL', 'nope')],
      success: [op.put('s', '1')],
      failure: [op.put('f', '1', { prevKv: true }), op.get('f'), op.del('a', '', { prevKv: true })],
    });
    assert.equal(failed.revision, 3);
    assert.deepEqual(failed.result, {
      succeeded: false,
      responses: [
        { put: { prevKv: null } },
        { range: { kvs: [kv('f', '1', 3, 3, 1)], more: false, count: 1 } },
        { deleteRange: { deleted: 1, prevKvs: [kv('a', '1', 2, 2, 1)] } },
      ],
    });
    assert.equal(h.store.current('s'), null);
  });

  it('lets later ops see earlier writes of the same txn', async () => {
    const h = new Harness();
    h.put('a', '1'); // 2
    h.put('b', '2'); // 3
    const outcome = await h.txn({
      success: [op.put('p', '1'), op.get('p'), op.del('b'), op.get('b'), op.get('\x00', { rangeEnd: '\x00', countOnly: true })],
    });
    const responses = outcome.result.responses;
    assert.deepEqual(responses[1], { range: { kvs: [kv('p', '1', 4, 4, 1)], more: false, count: 1 } });
    assert.deepEqual(responses[3], { range: { kvs: [], more: false, count: 0 } });
    assert.deepEqual(responses[4], { range: { kvs: [], more: false, count: 2 } });
  });

  it('evaluates nested compares against the store before the txn runs, as etcd does', async () => {
    const h = new Harness();
    const outcome = await h.txn({
      success: [
        op.put('n', '1'),
        op.txn({ compare: [cmp.version('n', 'EQUAL', 0)], success: [op.put('nt', 'then')], failure: [op.put('nt', 'else')] }),
      ],
    });
    assert.deepEqual(outcome.result.responses[1], { txn: { succeeded: true, responses: [{ put: { prevKv: null } }] } });
    assert.equal(await h.value('nt'), 'then');
  });

  it('runs nested txns on the taken path only, to any depth', async () => {
    const h = new Harness();
    h.put('k', 'v'); // 2
    const inner = op.txn({ compare: [cmp.create('k', 'GREATER', 0)], success: [op.put('deep', 'yes')], failure: [op.put('deep', 'no')] });
    const outcome = await h.txn({
      compare: [cmp.version('k', 'EQUAL', 1)],
      success: [op.txn({ compare: [cmp.value('k', 'EQUAL', 'x')], success: [op.put('mid', 'then')], failure: [inner] })],
      failure: [op.put('never', '1')],
    });
    assert.deepEqual(outcome.result, {
      succeeded: true,
      responses: [{ txn: { succeeded: false, responses: [{ txn: { succeeded: true, responses: [{ put: { prevKv: null } }] } }] } }],
    });
    assert.deepEqual([await h.value('deep'), await h.value('mid'), await h.value('never')], ['yes', null, null]);
    assert.equal(outcome.revision, 3);
  });

  it('reads a range with a revision as the store was then, even after writes earlier in the txn', async () => {
    const h = new Harness();
    h.put('a', '1'); // 2
    h.put('a', '2'); // 3
    const outcome = await h.txn({
      success: [op.put('a', 'new'), op.get('a', { revision: 3 }), op.get('a'), op.get('a', { revision: 2 })],
    });
    const values = outcome.result.responses.slice(1).map((r) => ('range' in r ? r.range.kvs[0]?.value : '?'));
    assert.deepEqual(values, ['2', 'new', '1']);
  });

  it('refuses a range at the txn\'s own revision (future) and below the compact revision, applying nothing', async () => {
    const h = new Harness();
    h.putMany('a', 3); // 2..4
    h.compact(3);
    await assert.rejects(h.txn({ success: [op.put('a', 'x'), op.get('a', { revision: 5 })] }), synodError('future_revision'));
    const compacted = synodError('compacted', { compact_revision: '3' });
    await assert.rejects(h.txn({ success: [op.put('a', 'x'), op.get('a', { revision: 2 })] }), compacted);
    assert.equal(h.store.currentRevision, 4);
    const atCompact = await h.txn({ success: [op.get('a', { revision: 3 })] });
    assert.deepEqual(atCompact.result.responses, [{ range: { kvs: [kv('a', '2', 2, 3, 2)], more: false, count: 1 } }]);
  });
});

describe('mvcc txn: negative read revisions', () => {
  it('reads the latest for a negative revision until the store is compacted, then fails, as etcd does', async () => {
    const h = new Harness();
    h.put('a', '1'); // 2
    h.put('a', '2'); // 3
    const negative = { success: [op.get('a', { revision: -1 })] };
    const before = await h.txn(negative);
    assert.deepEqual(before.result.responses, [{ range: { kvs: [kv('a', '2', 2, 3, 2)], more: false, count: 1 } }]);
    h.compact(2);
    await assert.rejects(h.txn(negative), synodError('compacted', { compact_revision: '2' }));
    await assert.rejects(h.txn({ success: [op.txn({ success: [op.get('a', { revision: -5 })] })] }), synodError('compacted'));
    assert.equal((await h.txn({ success: [op.get('a', { revision: 0 })] })).result.succeeded, true, 'revision 0 is fine');
    assert.equal(await h.value('a', -1), '2', 'a range outside a txn still reads the latest');
  });
});

describe('mvcc txn: atomicity', () => {
  it('applies nothing and takes no revision when any op on the taken path fails at apply time', async () => {
    const h = new Harness();
    h.leases.ids.add(1n);
    h.put('a', '1'); // 2
    h.put('b', '1'); // 3
    const before = await dump(h);
    const failing = [
      [op.put('a', '2'), op.del('b'), op.put('missing', '', { ignoreValue: true })],
      [op.put('a', '2'), op.txn({ success: [op.put('c', '1', { lease: 2n })] })],
      [op.del('a'), op.txn({ compare: [cmp.version('a', 'EQUAL', 99)], failure: [op.put('missing', '', { ignoreLease: true })] })],
      [op.put('a', '2', { lease: 1n }), op.get('a', { revision: 99 })],
    ];
    const codes = [];
    for (const success of failing) {
      codes.push(await codeOfAsync(() => h.txn({ success })));
      assert.equal(h.store.currentRevision, 3);
      assert.equal(await dump(h), before);
    }
    assert.deepEqual(codes, ['key_not_found', 'lease_not_found', 'key_not_found', 'future_revision']);
    assert.equal(h.history.size, 2, 'nothing reached history');
  });

  it('ignores ops on the branch not taken, even ones that would fail', async () => {
    const h = new Harness();
    const outcome = await h.txn({
      compare: [cmp.version('a', 'EQUAL', 99)],
      success: [op.put('r', '', { lease: 999n }), op.get('r', { revision: 99 })],
      failure: [op.get('r')],
    });
    assert.equal(outcome.result.succeeded, false);
  });

  it('checks every put on the taken path before any range revision, in op order, as etcd does', async () => {
    const h = new Harness();
    h.putMany('a', 3); // 2..4
    h.compact(3);
    const bad = {
      future: op.get('a', { revision: 100 }),
      compacted: op.get('a', { revision: 2 }),
      lease: op.put('q', '1', { lease: 999n }),
      missing: op.put('q', '', { ignoreValue: true }),
      both: op.put('missing', '', { ignoreValue: true, lease: 999n }),
    };
    const cases: [string, Parameters<typeof h.txn>[0], string][] = [
      ['future range, then bad lease', { success: [bad.future, bad.lease] }, 'lease_not_found'],
      ['nested future range, then bad lease', { success: [op.txn({ success: [bad.future] }), bad.lease] }, 'lease_not_found'],
      ['compacted range, then missing key', { success: [bad.compacted, bad.missing] }, 'key_not_found'],
      ['missing key, then bad lease', { success: [bad.missing, op.put('r', '', { lease: 999n })] }, 'key_not_found'],
      ['bad lease, then missing key', { success: [bad.lease, op.put('r', '', { ignoreValue: true })] }, 'lease_not_found'],
      ['nested bad lease, then missing key', { success: [op.txn({ success: [bad.lease] }), bad.missing] }, 'lease_not_found'],
      ['missing key, then nested bad lease', { success: [bad.missing, op.txn({ success: [bad.lease] })] }, 'key_not_found'],
      ['compacted range, then future range', { success: [bad.compacted, bad.future] }, 'compacted'],
      ['one put, missing key and bad lease (key first in a txn)', { success: [bad.both] }, 'key_not_found'],
    ];
    for (const [name, request, code] of cases) assert.equal(await codeOfAsync(() => h.txn(request)), code, name);
  });
});

describe('mvcc txn: one key written twice in one revision', () => {
  it('puts a key in one nested txn and deletes it in a later one (etcd accepts this)', async () => {
    const h = new Harness();
    h.put('other', '1'); // 2
    const request = txn({ success: [op.txn({ success: [op.put('t', '1')] }), op.txn({ success: [op.del('t', '', { prevKv: true })] })] });
    assert.doesNotThrow(() => checkTxn(request, 128));
    const outcome = await h.txn(request);
    assert.equal(outcome.revision, 3);
    assert.deepEqual(outcome.changes.map((c) => [c.key, c.revision.sub, c.kv?.value ?? 'deleted']), [['t', 0, '1'], ['t', 1, 'deleted']]);
    const deleted = { deleteRange: { deleted: 1, prevKvs: [kv('t', '1', 3, 3, 1)] } };
    assert.deepEqual(outcome.result.responses[1], { txn: { succeeded: true, responses: [deleted] } });
    assert.deepEqual([await h.value('t', 2), await h.value('t', 3), await h.value('t')], [null, null, null]);
    h.put('t', 'again'); // 4
    assert.deepEqual(h.store.current('t'), kv('t', 'again', 4, 4, 1));
  });

  it('updates an existing key and deletes it through a range in the same txn', async () => {
    const h = new Harness();
    h.put('t', 'old'); // 2
    const outcome = await h.txn({ success: [op.txn({ success: [op.put('t', 'new')] }), op.txn({ success: [op.del('s', 'u')] })] });
    assert.equal(outcome.revision, 3);
    assert.deepEqual(outcome.changes[1]?.prevKv, kv('t', 'new', 2, 3, 2));
    assert.deepEqual([await h.value('t', 2), await h.value('t', 3)], ['old', null]);
    assert.equal(h.history.size, 3);
  });

  it('deletes from a key on and recreates a key inside in the same txn (etcd accepts: a new life starts)', async () => {
    const h = new Harness();
    h.put('b', '1'); // 2
    const outcome = await h.txn({ success: [op.del('a', '\x00'), op.put('b', '2')] });
    assert.equal(outcome.revision, 3);
    assert.deepEqual(outcome.changes.map((c) => [c.key, c.revision.sub, c.kv?.value ?? 'deleted']), [['b', 0, 'deleted'], ['b', 1, '2']]);
    assert.deepEqual(h.store.current('b'), kv('b', '2', 3, 3, 1));
    assert.equal(await h.value('b', 2), '1');
    h.compact(3);
    assert.equal(h.history.size, 2, 'both changes at the compact revision stay');
    assert.deepEqual(h.restore().current('b'), kv('b', '2', 3, 3, 1));
  });

  it('fails whole with key_not_found an ignore_* put of a key an earlier from-key delete removes', async () => {
    // etcd 3.4 accepts this txn and then panics applying it.
    const h = new Harness();
    h.put('b', '1'); // 2
    const requests = [
      { success: [op.del('a', '\x00'), op.put('b', '', { ignoreValue: true })] },
      { success: [op.txn({ success: [op.del('\x00', '\x00')] }), op.put('b', 'v', { ignoreLease: true })] },
    ];
    for (const request of requests) await assert.rejects(h.txn(request), synodError('key_not_found'));
    assert.deepEqual([h.store.currentRevision, await dump(h)], [2, 'b=1@2']);
    await h.txn({ success: [op.put('b', '', { ignoreValue: true }), op.del('a', '\x00')] });
    assert.equal(h.store.current('b'), null, 'the other order is fine: the put runs first');
  });

  it('stops (assertion) rather than half-apply a txn when an op fails after changes began', async () => {
    const h = new Harness();
    let answers = 0;
    const fickle = { leaseExists: (): boolean => answers++ === 0 };
    const request = txn({ success: [op.put('a', '1'), op.put('b', '1', { lease: 5n })] });
    await assert.rejects(applyTxn(h.store, fickle, request), AssertionFailure);
  });
});

