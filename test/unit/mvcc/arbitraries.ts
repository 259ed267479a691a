import fc from 'fast-check';
import {
  deleteRangeRequest,
  putRequest,
  rangeRequest,
  type Compare,
  type DeleteRangeRequest,
  type PutRequest,
  type RangeRequest,
  type RequestOp,
  type TxnRequest,
} from '../../../server/mvcc/index.js';

/**
 * Random requests over a small key space, so that keys collide, ranges overlap, keys die and come back,
 * and nested txns put and delete the same key. Leases: 1 exists, 2 does not.
 */
export const keys = ['a', 'a\x00', 'b', 'b\xff', 'c', '\xff'] as const;
const ends = ['', '', 'b', 'b\xff', 'c', 'd', '\x00'] as const;
const values = ['', 'x', 'y', '\x00\xff'] as const;
const filterBounds = [0, 0, 0, 0, 3, 6, -1] as const;

const key = fc.constantFrom(...keys);
const end = fc.constantFrom(...ends);
const lease = fc.constantFrom(0n, 0n, 0n, 1n, 2n);

export const put: fc.Arbitrary<PutRequest> = fc
  .record({ key, value: fc.constantFrom(...values), lease, prevKv: fc.boolean(), ignore: fc.nat(7) })
  .map(({ key, value, lease, prevKv, ignore }) => {
    // ignore_value/ignore_lease only in valid combinations (validation refuses the others).
    const ignoreValue = ignore === 1 || ignore === 3;
    const ignoreLease = ignore === 2 || ignore === 3;
    return putRequest({ key, value: ignoreValue ? '' : value, lease: ignoreLease ? 0n : lease, prevKv, ignoreValue, ignoreLease });
  });

export const deleteRange: fc.Arbitrary<DeleteRangeRequest> = fc
  .record({ key, rangeEnd: end, prevKv: fc.boolean() })
  .map((fields) => deleteRangeRequest(fields));

/** A range read; `revision` is drawn by the caller (inside txns: a small number, maybe future or compacted). */
export function range(revision: fc.Arbitrary<number>): fc.Arbitrary<RangeRequest> {
  return fc
    .record({
      key: fc.constantFrom(...keys, '\x00'),
      rangeEnd: end,
      limit: fc.constantFrom(0, 0, 1, 2, 3),
      revision,
      sortOrder: fc.constantFrom('NONE', 'NONE', 'ASCEND', 'DESCEND'),
      sortTarget: fc.constantFrom('KEY', 'KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'),
      keysOnly: fc.boolean(),
      countOnly: fc.constantFrom(false, false, false, true),
      minModRevision: fc.constantFrom(...filterBounds),
      maxModRevision: fc.constantFrom(...filterBounds),
      minCreateRevision: fc.constantFrom(...filterBounds),
      maxCreateRevision: fc.constantFrom(...filterBounds),
    })
    .map((fields) => rangeRequest(fields));
}

const txnReadRevision = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -1, max: 12 }) });

const result = fc.constantFrom('EQUAL', 'NOT_EQUAL', 'GREATER', 'LESS');
const compareRange = { key, rangeEnd: fc.constantFrom('', '', '', 'c', '\x00'), result };

export const compare: fc.Arbitrary<Compare> = fc.oneof(
  fc.record({ ...compareRange, target: fc.constant('VALUE' as const), value: fc.constantFrom(...values) }),
  fc.record({ ...compareRange, target: fc.constant('VERSION' as const), version: fc.nat(3) }),
  fc.record({ ...compareRange, target: fc.constant('CREATE' as const), createRevision: fc.nat(8) }),
  fc.record({ ...compareRange, target: fc.constant('MOD' as const), modRevision: fc.nat(8) }),
  fc.record({ ...compareRange, target: fc.constant('LEASE' as const), lease: fc.constantFrom(0n, 1n) }),
);

function requestOp(depth: number): fc.Arbitrary<RequestOp> {
  const leaves: fc.Arbitrary<RequestOp>[] = [
    put.map((request) => ({ put: request })),
    deleteRange.map((request) => ({ deleteRange: request })),
    range(txnReadRevision).map((request) => ({ range: request })),
  ];
  if (depth === 0) return fc.oneof(...leaves);
  return fc.oneof(...leaves, txnRequest(depth - 1).map((request) => ({ txn: request })));
}

/** A txn with nested txns up to `depth` levels below it. */
export function txnRequest(depth: number): fc.Arbitrary<TxnRequest> {
  const ops = fc.array(requestOp(depth), { maxLength: 3 });
  return fc.record({ compare: fc.array(compare, { maxLength: 2 }), success: ops, failure: ops });
}

/** One step of a random history; a compaction or read picks its revision as a fraction of what exists. */
export type Action =
  | { readonly kind: 'put'; readonly request: PutRequest }
  | { readonly kind: 'del'; readonly request: DeleteRangeRequest }
  | { readonly kind: 'txn'; readonly request: TxnRequest }
  | { readonly kind: 'compact'; readonly at: number }
  | { readonly kind: 'read'; readonly request: RangeRequest; readonly at: number };

const fraction = fc.double({ min: 0, max: 1, noNaN: true });

export const write: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: put.map((request) => ({ kind: 'put' as const, request })) },
  { weight: 2, arbitrary: deleteRange.map((request) => ({ kind: 'del' as const, request })) },
  { weight: 3, arbitrary: txnRequest(2).map((request) => ({ kind: 'txn' as const, request })) },
);

export const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 9, arbitrary: write },
  { weight: 1, arbitrary: fraction.map((at) => ({ kind: 'compact' as const, at })) },
  { weight: 4, arbitrary: fc.record({ request: range(fc.constant(0)), at: fraction }).map((r) => ({ kind: 'read' as const, ...r })) },
);

/** A revision in [low, high] picked by a fraction in [0, 1]. */
export function pick(at: number, low: number, high: number): number {
  return Math.min(high, low + Math.floor(at * (high - low + 1)));
}
