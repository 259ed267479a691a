import { ZERO_BYTE, rangeContains, type Bytes, type KeyRange } from './bytes.js';
import type { DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from './types.js';
import { SynodError } from '../errors.js';

/**
 * Request checks done before a request is proposed, with etcd's errors. A request that passes them can
 * still fail at apply time only for reasons that depend on state (missing lease, missing key for
 * ignore_*, compacted or future read revision).
 */
export function checkRange(request: RangeRequest): void {
  if (request.key.length === 0) throw new SynodError('empty_key');
}

export function checkPut(request: PutRequest): void {
  if (request.key.length === 0) throw new SynodError('empty_key');
  if (request.ignoreValue && request.value.length > 0) throw new SynodError('value_provided');
  if (request.ignoreLease && request.lease !== 0n) throw new SynodError('lease_provided');
}

export function checkDeleteRange(request: DeleteRangeRequest): void {
  if (request.key.length === 0) throw new SynodError('empty_key');
}

/**
 * Checks a txn: no branch (and no compare list) longer than `opsMax`, nested txns within what is left of
 * the budget, no empty key anywhere, and etcd's duplicate-key rule.
 */
export function checkTxn(request: TxnRequest, opsMax: number): void {
  checkTxnShape(request, opsMax);
  checkDuplicates(request.success);
  checkDuplicates(request.failure);
}

function checkTxnShape(request: TxnRequest, opsMax: number): void {
  const longest = Math.max(request.compare.length, request.success.length, request.failure.length);
  if (longest > opsMax) {
    throw new SynodError('too_many_ops', `too many operations in txn request (${longest} > ${opsMax})`);
  }
  for (const compare of request.compare) {
    if (compare.key.length === 0) throw new SynodError('empty_key');
  }
  // As in etcd, a nested txn gets what the longest list of its parent leaves of the budget.
  const opsLeft = opsMax - longest;
  for (const op of request.success) checkOp(op, opsLeft);
  for (const op of request.failure) checkOp(op, opsLeft);
}

function checkOp(op: RequestOp, opsLeft: number): void {
  if ('range' in op) checkRange(op.range);
  else if ('put' in op) checkPut(op.put);
  else if ('deleteRange' in op) checkDeleteRange(op.deleteRange);
  else checkTxnShape(op.txn, opsLeft);
}

interface Writes {
  readonly puts: Set<Bytes>;
  readonly deletes: KeyRange[];
}

/**
 * The duplicate-key rule for one branch: two puts of the same key, or a put inside a deleted range, are
 * refused, counting the writes of nested txns; a nested txn may write the same key in its then and its
 * else branch, since only one runs. Overlapping deletes are allowed. A nested txn's puts are checked
 * against the deletes of this branch and of the nested txns before it, not after it, as in etcd.
 */
function checkDuplicates(ops: readonly RequestOp[]): Writes {
  const puts = new Set<Bytes>();
  const deletes: KeyRange[] = [];
  for (const op of ops) {
    // etcd reads a from-key delete (end "\x00") as the interval [key, "\x00"), which holds no key, so
    // no put conflicts with it (checked against etcd 3.4: see README.md). applyTxn handles the one
    // case this lets through that could fail: an ignore_* put of a key such a delete removed.
    if ('deleteRange' in op && op.deleteRange.rangeEnd !== ZERO_BYTE) {
      deletes.push({ key: op.deleteRange.key, end: op.deleteRange.rangeEnd });
    }
  }
  const inDeleted = (key: Bytes): boolean => deletes.some((range) => rangeContains(range, key));
  const refuse = (): never => {
    throw new SynodError('duplicate_key');
  };
  for (const op of ops) {
    if (!('txn' in op)) continue;
    const thenWrites = checkDuplicates(op.txn.success);
    const elseWrites = checkDuplicates(op.txn.failure);
    for (const key of thenWrites.puts) {
      if (puts.has(key) || inDeleted(key)) refuse();
      puts.add(key);
    }
    for (const key of elseWrites.puts) {
      if ((puts.has(key) && !thenWrites.puts.has(key)) || inDeleted(key)) refuse();
      puts.add(key);
    }
    deletes.push(...thenWrites.deletes, ...elseWrites.deletes);
  }
  for (const op of ops) {
    if (!('put' in op)) continue;
    if (puts.has(op.put.key) || inDeleted(op.put.key)) refuse();
    puts.add(op.put.key);
  }
  return { puts, deletes };
}
