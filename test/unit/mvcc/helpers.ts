import assert from 'node:assert/strict';
import {
  MemoryHistory,
  MvccStore,
  applyDeleteRange,
  applyPut,
  applyTxn,
  deleteRangeRequest,
  putRequest,
  rangeRequest,
  type Bytes,
  type Change,
  type Compare,
  type CompareResult,
  type DeleteRangeRequest,
  type DeleteRangeResult,
  type KeyValue,
  type LeaseLookup,
  type PutRequest,
  type PutResult,
  type RangeRequest,
  type RangeResult,
  type RequestOp,
  type TxnRequest,
  type TxnResult,
  type WriteOutcome,
} from '../../../server/mvcc/index.js';
import { SynodError } from '../../../server/errors.js';
import type { ErrorCode } from '../../../client-sdk/error-codes.js';

/** A lease lookup over a mutable set, standing in for the lessor. */
export class LeaseSet implements LeaseLookup {
  readonly ids = new Set<bigint>();

  constructor(...ids: bigint[]) {
    for (const id of ids) this.ids.add(id);
  }

  leaseExists(id: bigint): boolean {
    return this.ids.has(id);
  }
}

/**
 * A store wired to an in-memory history the way storage wires it: every write's changes are recorded
 * and every compaction's dropped revisions forgotten. Failed writes record nothing.
 */
export class Harness {
  readonly history = new MemoryHistory();
  readonly store = new MvccStore(this.history);
  readonly leases = new LeaseSet();
  /** The changes storage would hold, in revision order: recorded, minus those compaction dropped. */
  private readonly stored = new Map<string, Change>();

  put(key: Bytes, value: Bytes, fields: Partial<PutRequest> = {}): WriteOutcome<PutResult> {
    return this.record(applyPut(this.store, this.leases, putRequest({ key, value, ...fields })));
  }

  del(key: Bytes, rangeEnd: Bytes = '', fields: Partial<DeleteRangeRequest> = {}): WriteOutcome<DeleteRangeResult> {
    return this.record(applyDeleteRange(this.store, this.leases, deleteRangeRequest({ key, rangeEnd, ...fields })));
  }

  async txn(request: Partial<TxnRequest>): Promise<WriteOutcome<TxnResult>> {
    return this.record(await applyTxn(this.store, this.leases, txn(request)));
  }

  compact(revision: number): number {
    const dropped = this.store.compact(revision);
    this.history.forget(dropped);
    for (const revision of dropped) this.stored.delete(`${revision.main}.${revision.sub}`);
    return dropped.length;
  }

  /** The changes storage would hold now, in revision order. */
  get storedChanges(): Change[] {
    return [...this.stored.values()];
  }

  /** A second store rebuilt from what storage holds, as on a restart. */
  restore(): MvccStore {
    const restored = new MvccStore(this.history);
    for (const change of this.stored.values()) restored.restoreChange(change.revision, change.key, change.kv);
    restored.restoreRevisions(this.store.currentRevision, this.store.compactRevision);
    return restored;
  }

  private record<T>(outcome: WriteOutcome<T>): WriteOutcome<T> {
    this.history.record(outcome.changes);
    for (const change of outcome.changes) this.stored.set(`${change.revision.main}.${change.revision.sub}`, change);
    return outcome;
  }

  get(key: Bytes, fields: Partial<RangeRequest> = {}): Promise<RangeResult> {
    return this.store.range(rangeRequest({ key, ...fields }));
  }

  /** Keys (as one comma-separated string) a range returns: compact to assert on. */
  async keys(key: Bytes, fields: Partial<RangeRequest> = {}): Promise<string> {
    return (await this.get(key, fields)).kvs.map((kv) => kv.key).join(',');
  }

  /** The live value of a key, or null. */
  async value(key: Bytes, revision = 0): Promise<Bytes | null> {
    return (await this.get(key, { revision })).kvs[0]?.value ?? null;
  }

  /** Writes `count` puts of the given key (values "1", "2", ...). */
  putMany(key: Bytes, count: number): void {
    for (let i = 1; i <= count; i++) this.put(key, String(i));
  }
}

/** A KeyValue with etcd's metadata. */
export function kv(key: Bytes, value: Bytes, createRevision: number, modRevision: number, version: number, lease = 0n): KeyValue {
  return { key, value, createRevision, modRevision, version, lease };
}

export function txn(request: Partial<TxnRequest>): TxnRequest {
  return { compare: [], success: [], failure: [], ...request };
}

/** Request ops, named as etcdctl names them. */
export const op = {
  get: (key: Bytes, fields: Partial<RangeRequest> = {}): RequestOp => ({ range: rangeRequest({ key, ...fields }) }),
  put: (key: Bytes, value: Bytes, fields: Partial<PutRequest> = {}): RequestOp => ({ put: putRequest({ key, value, ...fields }) }),
  del: (key: Bytes, rangeEnd: Bytes = '', fields: Partial<DeleteRangeRequest> = {}): RequestOp => ({
    deleteRange: deleteRangeRequest({ key, rangeEnd, ...fields }),
  }),
  txn: (request: Partial<TxnRequest>): RequestOp => ({ txn: txn(request) }),
};

/** Compares, one builder per target. */
type CompareBuilder<T> = (key: Bytes, result: CompareResult, against: T, rangeEnd?: Bytes) => Compare;
const value: CompareBuilder<Bytes> = (key, result, against, rangeEnd = '') =>
  ({ target: 'VALUE', key, rangeEnd, result, value: against });
const version: CompareBuilder<number> = (key, result, against, rangeEnd = '') =>
  ({ target: 'VERSION', key, rangeEnd, result, version: against });
const create: CompareBuilder<number> = (key, result, against, rangeEnd = '') =>
  ({ target: 'CREATE', key, rangeEnd, result, createRevision: against });
const mod: CompareBuilder<number> = (key, result, against, rangeEnd = '') =>
  ({ target: 'MOD', key, rangeEnd, result, modRevision: against });
const lease: CompareBuilder<bigint> = (key, result, against, rangeEnd = '') =>
  ({ target: 'LEASE', key, rangeEnd, result, lease: against });
export const cmp = { value, version, create, mod, lease };

/** A predicate for assert.throws / assert.rejects: a SynodError with this code (and these details). */
export function synodError(code: ErrorCode, details?: Record<string, string>): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof SynodError, `expected a SynodError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    if (details !== undefined) assert.deepEqual(error.details, details);
    return true;
  };
}

/** The error code a synchronous call throws, or 'ok'. */
export function codeOf(call: () => unknown): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (error instanceof SynodError) return error.code;
    throw error;
  }
}

/** The error code an async call rejects with, or 'ok'. */
export async function codeOfAsync(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (error instanceof SynodError) return error.code;
    throw error;
  }
}
