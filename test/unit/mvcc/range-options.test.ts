import assert from 'node:assert/strict';
import type { RangeRequest, SortOrder, SortTarget } from '../../../server/mvcc/index.js';
import { Harness } from './helpers.js';

/**
 * The data set of the etcd 3.4 session recorded in server/mvcc/README.md: the expected answers below are
 * what etcd returned for the same requests. Puts a=z b=y c=x a=w c=v a=u d=t at revisions 2..8 give
 * a: v3 create 2 mod 7, value u; b: v1 create 3 mod 3, value y; c: v2 create 4 mod 6, value v;
 * d: v1 create 8 mod 8, value t.
 */
function etcdSample(): Harness {
  const h = new Harness();
  for (const [key, value] of [['a', 'z'], ['b', 'y'], ['c', 'x'], ['a', 'w'], ['c', 'v'], ['a', 'u'], ['d', 't']] as const) {
    h.put(key, value);
  }
  return h;
}

/** "a3,b1" (key then version), plus count and more, for a read of every key. */
async function summary(h: Harness, fields: Partial<RangeRequest>): Promise<string> {
  const result = await h.get('\x00', { rangeEnd: '\x00', ...fields });
  const keys = result.kvs.map((kv) => `${kv.key}${kv.version}`).join(',');
  return `${keys} count=${result.count}${result.more ? ' more' : ''}`;
}

describe('mvcc range: sort', () => {
  const sorted = (sortTarget: SortTarget, sortOrder: SortOrder, limit = 0): Partial<RangeRequest> => ({ sortTarget, sortOrder, limit });

  it('sorts by every target in both orders (ties keep key order), as etcd 3.4 does', async () => {
    const h = etcdSample();
    const cases: [Partial<RangeRequest>, string][] = [
      [{}, 'a3,b1,c2,d1 count=4'],
      [sorted('KEY', 'ASCEND'), 'a3,b1,c2,d1 count=4'],
      [sorted('KEY', 'DESCEND'), 'd1,c2,b1,a3 count=4'],
      [sorted('VERSION', 'ASCEND'), 'b1,d1,c2,a3 count=4'],
      [sorted('VERSION', 'DESCEND'), 'a3,c2,b1,d1 count=4'],
      [sorted('CREATE', 'ASCEND'), 'a3,b1,c2,d1 count=4'],
      [sorted('CREATE', 'DESCEND'), 'd1,c2,b1,a3 count=4'],
      [sorted('MOD', 'ASCEND'), 'b1,c2,a3,d1 count=4'],
      [sorted('MOD', 'DESCEND'), 'd1,a3,c2,b1 count=4'],
      [sorted('VALUE', 'ASCEND'), 'd1,a3,c2,b1 count=4'],
      [sorted('VALUE', 'DESCEND'), 'b1,c2,a3,d1 count=4'],
    ];
    for (const [fields, expected] of cases) {
      assert.equal(await summary(h, fields), expected, JSON.stringify(fields));
    }
  });

  it('sorts ascending when the order is NONE and the target is not KEY', async () => {
    const h = etcdSample();
    for (const target of ['VERSION', 'CREATE', 'MOD', 'VALUE'] as const) {
      assert.equal(await summary(h, sorted(target, 'NONE')), await summary(h, sorted(target, 'ASCEND')), target);
    }
  });

  it('applies the limit after a full sort when an order is given', async () => {
    const h = etcdSample();
    assert.equal(await summary(h, sorted('VERSION', 'ASCEND', 2)), 'b1,d1 count=4 more');
    assert.equal(await summary(h, sorted('VERSION', 'DESCEND', 2)), 'a3,c2 count=4 more');
    assert.equal(await summary(h, sorted('KEY', 'DESCEND', 2)), 'd1,c2 count=4 more');
    assert.equal(await summary(h, sorted('KEY', 'ASCEND', 2)), 'a3,b1 count=4 more');
    assert.equal(await summary(h, sorted('VALUE', 'ASCEND', 3)), 'd1,a3,c2 count=4 more');
    assert.equal(await summary(h, sorted('MOD', 'ASCEND', 1)), 'b1 count=4 more');
  });

  it('with order NONE, sorts only the first limit+1 keys, exactly as etcd does', async () => {
    const h = etcdSample();
    // etcd pushes the limit down (fetching a, b, c), then sorts those by version and truncates:
    // b1,c2, where a full sort would give b1,d1.
    assert.equal(await summary(h, sorted('VERSION', 'NONE', 2)), 'b1,c2 count=4 more');
    assert.equal(await summary(h, sorted('MOD', 'NONE', 1)), 'b1 count=4 more');
    assert.equal(await summary(h, { ...sorted('VERSION', 'NONE', 1), revision: 4 }), 'a1 count=3 more');
    // A revision filter disables the push-down again.
    assert.equal(await summary(h, { ...sorted('VERSION', 'NONE', 2), minModRevision: 1 }), 'b1,d1 count=4 more');
  });
});

describe('mvcc range: filters, keys_only, count_only', () => {
  it('filters on mod and create revision after the read, without reducing count', async () => {
    const h = etcdSample();
    assert.equal(await summary(h, { minModRevision: 6 }), 'a3,c2,d1 count=4');
    assert.equal(await summary(h, { maxModRevision: 6 }), 'b1,c2 count=4');
    assert.equal(await summary(h, { minModRevision: 6, maxModRevision: 7 }), 'a3,c2 count=4');
    assert.equal(await summary(h, { minCreateRevision: 3, maxCreateRevision: 4 }), 'b1,c2 count=4');
    assert.equal(await summary(h, { minCreateRevision: 4 }), 'c2,d1 count=4');
    assert.equal(await summary(h, { maxCreateRevision: 2 }), 'a3 count=4');
    assert.equal(await summary(h, { minModRevision: 100 }), ' count=4');
  });

  it('computes more after filtering: it says more filtered kvs exist than the limit', async () => {
    const h = etcdSample();
    assert.equal(await summary(h, { minModRevision: 6, limit: 1 }), 'a3 count=4 more');
    assert.equal(await summary(h, { maxModRevision: 4, limit: 1 }), 'b1 count=4');
    assert.equal(await summary(h, { minModRevision: 6, limit: 3 }), 'a3,c2,d1 count=4');
  });

  it('treats any nonzero bound as a bound: a negative maximum keeps nothing, a negative minimum everything', async () => {
    const h = etcdSample();
    assert.equal(await summary(h, { maxModRevision: -1 }), ' count=4');
    assert.equal(await summary(h, { maxCreateRevision: -1 }), ' count=4');
    assert.equal(await summary(h, { minModRevision: -1 }), 'a3,b1,c2,d1 count=4');
    assert.equal(await summary(h, { minCreateRevision: -1, limit: 2 }), 'a3,b1 count=4 more');
  });

  it('filters a past revision by the metadata it had then', async () => {
    const h = etcdSample();
    assert.equal(await summary(h, { revision: 5, minModRevision: 4 }), 'a2,c1 count=3');
    assert.equal(await summary(h, { revision: 5, sortTarget: 'MOD', sortOrder: 'DESCEND' }), 'a2,c1,b1 count=3');
  });

  it('returns keys with empty values for keys_only, metadata intact', async () => {
    const h = etcdSample();
    const result = await h.get('a', { keysOnly: true });
    assert.deepEqual(result.kvs, [{ key: 'a', value: '', createRevision: 2, modRevision: 7, version: 3, lease: 0n }]);
    assert.equal((await h.get('a')).kvs[0]?.value, 'u', 'keys_only does not change the stored value');
    const past = await h.get('a', { keysOnly: true, revision: 3 });
    assert.deepEqual([past.kvs[0]?.value, past.kvs[0]?.version], ['', 1]);
  });

  it('returns only the count for count_only: no kvs, no more, limit and filters ignored', async () => {
    const h = etcdSample();
    assert.equal(await summary(h, { countOnly: true }), ' count=4');
    assert.equal(await summary(h, { countOnly: true, limit: 1 }), ' count=4');
    assert.equal(await summary(h, { countOnly: true, minModRevision: 6 }), ' count=4');
    assert.equal(await summary(h, { countOnly: true, revision: 3 }), ' count=2');
  });
});
