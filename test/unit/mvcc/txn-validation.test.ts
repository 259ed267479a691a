import assert from 'node:assert/strict';
import { checkRange, checkTxn, rangeRequest, type Compare, type RequestOp } from '../../../server/mvcc/index.js';
import { cmp, codeOf, op, synodError, txn } from './helpers.js';

const check = (success: RequestOp[], opsMax = 128): string => codeOf(() => checkTxn(txn({ success }), opsMax));
const nested = (success: RequestOp[], failure: RequestOp[] = []): RequestOp => op.txn({ success, failure });
const puts = (n: number): RequestOp[] => Array.from({ length: n }, (_, i) => op.put(`k${i}`, 'v'));
const compares = (n: number): Compare[] => Array.from({ length: n }, (_, i) => cmp.version(`k${i}`, 'EQUAL', 0));

describe('mvcc txn validation: duplicate keys', () => {
  // Every verdict below is what etcd 3.4 answered for the same ops (see server/mvcc/README.md).
  const cases: [string, RequestOp[], string][] = [
    ['two puts of one key', [op.put('k', '1'), op.put('k', '2')], 'duplicate_key'],
    ['put, then delete of the key', [op.put('k', '1'), op.del('k')], 'duplicate_key'],
    ['delete of the key, then put', [op.del('k'), op.put('k', '1')], 'duplicate_key'],
    ['put inside a deleted range', [op.del('a', 'c'), op.put('b', '1')], 'duplicate_key'],
    ['put at the (excluded) end of a deleted range', [op.del('a', 'c'), op.put('c', '1')], 'ok'],
    ['put inside a from-key delete', [op.del('a', '\x00'), op.put('b', '1')], 'ok'],
    ['put, then from-key delete', [op.put('b', '1'), op.del('a', '\x00')], 'ok'],
    ['put inside a delete of every key', [op.del('\x00', '\x00'), op.put('zz', '1'), op.put('\x00', '1')], 'ok'],
    ['put inside a reversed (empty) delete range', [op.del('c', 'a'), op.put('b', '1')], 'ok'],
    ['overlapping deletes', [op.del('a', 'c'), op.del('b', 'd'), op.del('a')], 'ok'],
    ['nested txn putting one key in then and else', [nested([op.put('k', '1')], [op.put('k', '2')])], 'ok'],
    ['nested then put vs outer put', [nested([op.put('k', '1')]), op.put('k', '2')], 'duplicate_key'],
    ['outer put vs nested else put', [op.put('k', '2'), nested([], [op.put('k', '1')])], 'duplicate_key'],
    ['outer delete vs nested put', [op.del('k'), nested([op.put('k', '1')])], 'duplicate_key'],
    ['nested delete vs later outer put', [nested([op.del('k')]), op.put('k', '1')], 'duplicate_key'],
    ['nested put, then a later nested delete', [nested([op.put('k', '1')]), nested([op.del('k')])], 'ok'],
    ['nested delete, then a later nested put', [nested([op.del('k')]), nested([op.put('k', '1')])], 'duplicate_key'],
    ['nested put in then, later nested put in else', [nested([op.put('k', '1')]), nested([], [op.put('k', '1')])], 'duplicate_key'],
    ['nested then put, else delete of the key', [nested([op.put('k', '1')], [op.del('k')])], 'ok'],
    ['nested then delete, else put of the key', [nested([op.del('k')], [op.put('k', '1')])], 'ok'],
    ['deeply nested put vs outer deleted range', [op.del('j', 'l'), nested([nested([op.put('k', '1')])])], 'duplicate_key'],
    ['nested from-key delete vs outer put', [nested([op.del('a', '\x00')]), op.put('z', '1')], 'ok'],
    ['put and range of one key', [op.put('k', '1'), op.get('k'), op.put('j', '1')], 'ok'],
  ];
  for (const [name, success, expected] of cases) {
    it(`${expected === 'ok' ? 'allows' : 'refuses'} ${name}`, () => {
      assert.equal(check(success), expected);
    });
  }

  it('checks the success and the failure branch, each on its own', () => {
    assert.equal(codeOf(() => checkTxn(txn({ success: [op.put('k', '1')], failure: [op.put('k', '2')] }), 128)), 'ok');
    assert.equal(codeOf(() => checkTxn(txn({ failure: [op.put('k', '1'), op.put('k', '2')] }), 128)), 'duplicate_key');
  });
});

describe('mvcc txn validation: operation limit', () => {
  // Verdicts from etcd 3.4 started with --max-txn-ops 4.
  const withOps = (request: Parameters<typeof txn>[0]): string => codeOf(() => checkTxn(txn(request), 4));
  const cases: [string, Parameters<typeof txn>[0], string][] = [
    ['4 compares', { compare: compares(4) }, 'ok'],
    ['5 compares', { compare: compares(5) }, 'too_many_ops'],
    ['4 success ops', { success: puts(4) }, 'ok'],
    ['5 failure ops', { failure: puts(5) }, 'too_many_ops'],
    ['4 ops in each list', { compare: compares(4), success: puts(4), failure: puts(4) }, 'ok'],
    ['1 op holding a nested txn of 3', { success: [nested(puts(3))] }, 'ok'],
    ['1 op holding a nested txn of 4', { success: [nested(puts(4))] }, 'too_many_ops'],
    ['3 compares and a nested txn of 1', { compare: compares(3), success: [nested(puts(1))] }, 'ok'],
    ['3 compares and a nested txn of 2', { compare: compares(3), success: [nested(puts(2))] }, 'too_many_ops'],
    ['3 failure ops and a success nested txn of 2', { failure: puts(3), success: [nested(puts(2))] }, 'too_many_ops'],
    ['2 failure ops and a success nested txn of 2', { failure: puts(2), success: [nested(puts(2))] }, 'ok'],
    ['a nested txn of 3 compares', { success: [op.txn({ compare: compares(3) })] }, 'ok'],
    ['a nested txn of 4 compares', { success: [op.txn({ compare: compares(4) })] }, 'too_many_ops'],
    ['two levels deep, 2 ops', { success: [nested([nested(puts(2))])] }, 'ok'],
    ['two levels deep, 3 ops', { success: [nested([nested(puts(3))])] }, 'too_many_ops'],
  ];
  for (const [name, request, expected] of cases) {
    it(`${expected === 'ok' ? 'allows' : 'refuses'} ${name}`, () => {
      assert.equal(withOps(request), expected);
    });
  }

  it('reports too_many_ops before an empty key, and an empty key before a duplicate', () => {
    assert.equal(withOps({ success: [...puts(4), op.put('', 'x')] }), 'too_many_ops');
    assert.equal(withOps({ success: [op.put('k', '1'), op.put('k', '2'), nested(puts(4))] }), 'too_many_ops');
    assert.equal(withOps({ success: [op.put('k', '1'), op.put('k', '2'), op.put('', '1')] }), 'empty_key');
  });
});

describe('mvcc txn validation: empty keys', () => {
  it('refuses an empty key in a compare, a range, a put or a delete, at any depth', () => {
    const cases: [string, Parameters<typeof txn>[0]][] = [
      ['compare', { compare: [cmp.version('', 'EQUAL', 0)] }],
      ['range', { success: [op.get('')] }],
      ['put', { failure: [op.put('', 'v')] }],
      ['delete', { success: [op.del('', '\x00')] }],
      ['nested compare', { success: [op.txn({ compare: [cmp.value('', 'EQUAL', '')] })] }],
      ['nested delete in else', { success: [nested([], [op.del('')])] }],
    ];
    for (const [name, request] of cases) assert.equal(codeOf(() => checkTxn(txn(request), 128)), 'empty_key', name);
    assert.throws(() => checkRange(rangeRequest({ key: '' })), synodError('empty_key'));
    assert.throws(() => checkRange(rangeRequest({ key: '', rangeEnd: '\x00' })), synodError('empty_key'));
    assert.doesNotThrow(() => checkTxn(txn({ compare: [cmp.version('\x00', 'EQUAL', 0, '\x00')], success: [op.get('\x00')] }), 128));
  });
});
