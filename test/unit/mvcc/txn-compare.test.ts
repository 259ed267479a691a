import assert from 'node:assert/strict';
import { evaluateCompare, type Compare, type CompareResult } from '../../../server/mvcc/index.js';
import { Harness, cmp, op } from './helpers.js';

/**
 * a: value "m", version 2, create 2, mod 3, lease 7; b: value "", version 1, create 4, mod 4, no lease.
 * "gone" existed and was deleted; "x" never existed.
 */
function sample(): Harness {
  const h = new Harness();
  h.leases.ids.add(7n);
  h.put('a', 'l'); // 2
  h.put('a', 'm', { lease: 7n }); // 3
  h.put('b', ''); // 4
  h.put('gone', 'v'); // 5
  h.del('gone'); // 6
  return h;
}

const results: CompareResult[] = ['EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS'];

/** Which of EQUAL, NOT_EQUAL, GREATER, LESS hold, as a string like "=!><" with "." for false. */
function holds(h: Harness, make: (result: CompareResult) => Compare): string {
  const symbols = ['=', '!', '>', '<'];
  return results.map((result, i) => (evaluateCompare(h.store, make(result)) ? symbols[i] : '.')).join('');
}

describe('mvcc txn compare', () => {
  it('compares every target of a live key with all four results', () => {
    const h = sample();
    const cases: [string, (r: CompareResult) => Compare, string][] = [
      ['value equal', (r) => cmp.value('a', r, 'm'), '=...'],
      ['value below', (r) => cmp.value('a', r, 'l'), '.!>.'],
      ['value above', (r) => cmp.value('a', r, 'm\x00'), '.!.<'],
      ['value bytes unsigned', (r) => cmp.value('a', r, '\x80'), '.!.<'],
      ['empty value', (r) => cmp.value('b', r, ''), '=...'],
      ['version', (r) => cmp.version('a', r, 2), '=...'],
      ['version below', (r) => cmp.version('a', r, 1), '.!>.'],
      ['create', (r) => cmp.create('a', r, 2), '=...'],
      ['create above', (r) => cmp.create('a', r, 3), '.!.<'],
      ['mod', (r) => cmp.mod('a', r, 3), '=...'],
      ['mod below', (r) => cmp.mod('a', r, 2), '.!>.'],
      ['lease', (r) => cmp.lease('a', r, 7n), '=...'],
      ['lease above', (r) => cmp.lease('a', r, 8n), '.!.<'],
      ['no lease', (r) => cmp.lease('b', r, 0n), '=...'],
    ];
    for (const [name, make, expected] of cases) assert.equal(holds(h, make), expected, name);
  });

  it('fails every VALUE compare on an absent key, even NOT_EQUAL and an empty value', () => {
    const h = sample();
    for (const key of ['x', 'gone']) {
      assert.equal(holds(h, (r) => cmp.value(key, r, '')), '....', key);
      assert.equal(holds(h, (r) => cmp.value(key, r, 'q')), '....', key);
    }
  });

  it('compares VERSION, CREATE, MOD and LEASE of an absent key as 0', () => {
    const h = sample();
    for (const key of ['x', 'gone']) {
      assert.equal(holds(h, (r) => cmp.version(key, r, 0)), '=...', `${key} version`);
      assert.equal(holds(h, (r) => cmp.create(key, r, 0)), '=...', `${key} create`);
      assert.equal(holds(h, (r) => cmp.mod(key, r, 1)), '.!.<', `${key} mod`);
      assert.equal(holds(h, (r) => cmp.lease(key, r, 0n)), '=...', `${key} lease`);
    }
  });

  it('requires a compare over a range to hold for every key in it', () => {
    const h = sample();
    h.put('c', 'z'); // 7: keys a(mod 3), b(mod 4), c(mod 7)
    assert.equal(holds(h, (r) => cmp.mod('a', r, 2, 'c')), '.!>.', '[a, c): mods 3 and 4');
    assert.equal(holds(h, (r) => cmp.mod('a', r, 3, 'c')), '....', 'a is not > 3, b is not = 3');
    assert.equal(holds(h, (r) => cmp.mod('a', r, 8, '\x00')), '.!.<', 'from a: every mod < 8');
    assert.equal(holds(h, (r) => cmp.value('a', r, 'n', 'd')), '.!..', '"" and "m" are < "n" but "z" is not');
    assert.equal(holds(h, (r) => cmp.value('a', r, 'zz', 'd')), '.!.<');
    assert.equal(holds(h, (r) => cmp.create('\x00', r, 0, '\x00')), '.!>.', 'all keys exist');
  });

  it('treats an empty range like an absent key: VALUE false, other targets compare 0', () => {
    const h = sample();
    for (const [key, end] of [['m', 'n'], ['c', 'a'], ['zz', '\x00']] as const) {
      assert.equal(holds(h, (r) => cmp.value(key, r, '', end)), '....');
      assert.equal(holds(h, (r) => cmp.version(key, r, 0, end)), '=...');
      assert.equal(holds(h, (r) => cmp.create(key, r, 0, end)), '=...');
    }
    assert.equal(holds(h, (r) => cmp.version('gone', r, 0, 'gone\x00')), '=...', 'only deleted keys in range');
  });

  it('takes the success branch only when every compare holds', async () => {
    const h = sample();
    const both = [cmp.version('a', 'EQUAL', 2), cmp.create('x', 'EQUAL', 0)];
    const outcome = await h.txn({ compare: both, success: [op.get('a', { keysOnly: true })], failure: [op.get('b')] });
    assert.equal(outcome.result.succeeded, true);
    const oneFails = [...both, cmp.value('b', 'NOT_EQUAL', '')];
    const failed = await h.txn({ compare: oneFails, success: [op.get('a')], failure: [op.get('b')] });
    assert.equal(failed.result.succeeded, false);
    assert.deepEqual(failed.result.responses, [{ range: { kvs: [(await h.get('b')).kvs[0]], more: false, count: 1 } }]);
    assert.equal((await h.txn({ compare: [] })).result.succeeded, true, 'no compare: success');
  });
});
