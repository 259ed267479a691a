import { compareBytes, rangeContains, type KeyRange } from './bytes.js';
import type { MvccStore, WriteOutcome, WriteTxn } from './store.js';
import type {
  Compare,
  DeleteRangeRequest,
  DeleteRangeResult,
  KeyValue,
  LeaseLookup,
  OpResult,
  PutRequest,
  PutResult,
  RangeRequest,
  RangeResult,
  RequestOp,
  TxnRequest,
  TxnResult,
} from './types.js';
import { AssertionFailure, SynodError, assert } from '../errors.js';

/**
 * Which branch every txn (the top one and each nested one on the taken path) takes. As in etcd, all
 * compares are evaluated against the state before the txn runs, nested ones included.
 */
interface TxnPath {
  readonly succeeded: boolean;
  /** For each op of the taken branch that is a nested txn, its own path. */
  readonly nested: ReadonlyMap<number, TxnPath>;
}

/** Put as a whole request: one revision. */
export function applyPut(store: MvccStore, leases: LeaseLookup, request: PutRequest): WriteOutcome<PutResult> {
  // etcd checks a lone put's lease before ignore_*'s need for the key; inside a txn it is the reverse.
  if (request.lease !== 0n && !leases.leaseExists(request.lease)) throw new SynodError('lease_not_found');
  const write = store.beginWrite(leases);
  const result = write.put(request);
  return { result, revision: write.end(), changes: write.changes };
}

/** DeleteRange as a whole request: one revision if anything was deleted, none otherwise. */
export function applyDeleteRange(
  store: MvccStore,
  leases: LeaseLookup,
  request: DeleteRangeRequest,
): WriteOutcome<DeleteRangeResult> {
  const write = store.beginWrite(leases);
  const result = write.deleteRange(request);
  return { result, revision: write.end(), changes: write.changes };
}

/**
 * Runs a txn: evaluate every compare on the taken path first, check every op that could fail (leases,
 * ignore_* on missing keys, read revisions), read past revisions, and only then change anything, so
 * the txn either applies whole or not at all, as one revision (none if it changed nothing).
 */
export async function applyTxn(
  store: MvccStore,
  leases: LeaseLookup,
  request: TxnRequest,
): Promise<WriteOutcome<TxnResult>> {
  const path = evaluatePath(store, request);
  const write = store.beginWrite(leases);
  checkPuts(write, request, path);
  checkRanges(store, request, path);
  const pastReads = await readPast(store, request, path);
  // Writes are applied one at a time: the compares above still describe the store.
  assert(store.currentRevision === write.main - 1, 'another write ran while a txn read past revisions');
  // From here on nothing awaits: no other request can observe a half-applied txn. Nothing may fail
  // either: the checks above cover every failure, and a half-applied txn must stop the member.
  let result: TxnResult;
  try {
    result = execute(write, request, path, pastReads);
  } catch (error) {
    throw new AssertionFailure(`txn failed after it began changing the store: ${String(error)}`);
  }
  return { result, revision: write.end(), changes: write.changes };
}

function evaluatePath(store: MvccStore, request: TxnRequest): TxnPath {
  const succeeded = request.compare.every((compare) => evaluateCompare(store, compare));
  const nested = new Map<number, TxnPath>();
  const branch = succeeded ? request.success : request.failure;
  branch.forEach((op, i) => {
    if ('txn' in op) nested.set(i, evaluatePath(store, op.txn));
  });
  return { succeeded, nested };
}

/** etcd's compare rule: over a range every key must satisfy it; a VALUE compare on no key is false. */
export function evaluateCompare(store: MvccStore, compare: Compare): boolean {
  const kvs: KeyValue[] = [];
  for (const history of store.histories({ key: compare.key, end: compare.rangeEnd })) {
    if (history.current !== null) kvs.push(history.current);
  }
  if (kvs.length === 0) {
    if (compare.target === 'VALUE') return false;
    return compareOne(compare, null);
  }
  return kvs.every((kv) => compareOne(compare, kv));
}

function compareOne(compare: Compare, kv: KeyValue | null): boolean {
  let order: number;
  switch (compare.target) {
    case 'VALUE':
      order = compareBytes(kv?.value ?? '', compare.value);
      break;
    case 'VERSION':
      order = Math.sign((kv?.version ?? 0) - compare.version);
      break;
    case 'CREATE':
      order = Math.sign((kv?.createRevision ?? 0) - compare.createRevision);
      break;
    case 'MOD':
      order = Math.sign((kv?.modRevision ?? 0) - compare.modRevision);
      break;
    case 'LEASE': {
      const lease = kv?.lease ?? 0n;
      order = lease < compare.lease ? -1 : lease > compare.lease ? 1 : 0;
      break;
    }
  }
  switch (compare.result) {
    case 'EQUAL':
      return order === 0;
    case 'NOT_EQUAL':
      return order !== 0;
    case 'GREATER':
      return order > 0;
    case 'LESS':
      return order < 0;
  }
}

/**
 * As in etcd, every put on the taken path is checked (in op order) before any range revision. An
 * ignore_* put also needs its key to survive the deletes that run before it: the duplicate-key rule lets
 * a from-key delete precede a put of a key inside it (etcd 3.4 accepts such a txn, then panics applying
 * it); here the txn fails whole with key_not_found.
 */
function checkPuts(write: WriteTxn, request: TxnRequest, path: TxnPath, deleted: KeyRange[] = []): void {
  const branch = path.succeeded ? request.success : request.failure;
  branch.forEach((op, i) => {
    if ('put' in op) {
      const needsKey = op.put.ignoreValue || op.put.ignoreLease;
      if (needsKey && deleted.some((range) => rangeContains(range, op.put.key))) throw new SynodError('key_not_found');
      write.checkPut(op.put);
    } else if ('deleteRange' in op) {
      deleted.push({ key: op.deleteRange.key, end: op.deleteRange.rangeEnd });
    } else if ('txn' in op) {
      checkPuts(write, op.txn, path.nested.get(i)!, deleted);
    }
  });
}

/**
 * etcd checks every nonzero read revision of a txn against the compact revision, so inside a txn (only
 * there) a negative revision fails with `compacted` once the store was compacted (checked against etcd
 * 3.4; a range request on its own reads the latest revision).
 */
function checkRanges(store: MvccStore, request: TxnRequest, path: TxnPath): void {
  const branch = path.succeeded ? request.success : request.failure;
  branch.forEach((op, i) => {
    if ('range' in op) {
      if (op.range.revision < 0 && store.compactRevision > 0) {
        throw new SynodError('compacted', undefined, { compact_revision: String(store.compactRevision) });
      }
      store.checkReadable(op.range.revision);
    } else if ('txn' in op) checkRanges(store, op.txn, path.nested.get(i)!);
  });
}

/** Ranges that name a revision read the store as it was before the txn: read them all up front. */
async function readPast(store: MvccStore, request: TxnRequest, path: TxnPath): Promise<Map<RangeRequest, RangeResult>> {
  const reads = new Map<RangeRequest, RangeResult>();
  const collect = async (txn: TxnRequest, txnPath: TxnPath): Promise<void> => {
    const branch = txnPath.succeeded ? txn.success : txn.failure;
    for (const [i, op] of branch.entries()) {
      if ('range' in op && op.range.revision > 0) reads.set(op.range, await store.range(op.range));
      else if ('txn' in op) await collect(op.txn, txnPath.nested.get(i)!);
    }
  };
  await collect(request, path);
  return reads;
}

function execute(write: WriteTxn, request: TxnRequest, path: TxnPath, pastReads: Map<RangeRequest, RangeResult>): TxnResult {
  const branch = path.succeeded ? request.success : request.failure;
  const responses = branch.map((op: RequestOp, i): OpResult => {
    if ('range' in op) {
      const past = pastReads.get(op.range);
      return { range: past ?? write.rangeLatest(op.range) };
    }
    if ('put' in op) return { put: write.put(op.put) };
    if ('deleteRange' in op) return { deleteRange: write.deleteRange(op.deleteRange) };
    const nestedPath = path.nested.get(i);
    assert(nestedPath !== undefined, 'nested txn without an evaluated path');
    return { txn: execute(write, op.txn, nestedPath, pastReads) };
  });
  return { succeeded: path.succeeded, responses };
}
