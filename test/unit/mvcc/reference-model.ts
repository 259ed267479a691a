import type {
  Bytes,
  Change,
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
  TxnRequest,
  TxnResult,
} from '../../../server/mvcc/index.js';
import { SynodError } from '../../../server/errors.js';

type Snapshot = ReadonlyMap<Bytes, KeyValue>;

/** What a model write returns: the same shape as the store's WriteOutcome. */
export interface ModelOutcome<T> {
  readonly result: T;
  readonly revision: number;
  readonly changes: Change[];
}

/**
 * A deliberately naive model of etcd's KV semantics, written from the etcd documentation and the
 * behaviours checked against etcd 3.4, sharing no code with server/mvcc: a full copy of the key space
 * for every revision. Slow and obviously right, so the store can be compared with it.
 */
export class ReferenceModel {
  /** snapshots[r] is the key space at revision r; revision 0 is unused and 1 is the empty store. */
  private readonly snapshots: Snapshot[] = [new Map(), new Map()];
  compactRevision = 0;

  constructor(private readonly leases: LeaseLookup) {}

  get currentRevision(): number {
    return this.snapshots.length - 1;
  }

  range(request: RangeRequest): RangeResult {
    return readSnapshot(this.snapshotAt(request.revision), request);
  }

  put(request: PutRequest): ModelOutcome<PutResult> {
    if (request.lease !== 0n && !this.leases.leaseExists(request.lease)) throw new SynodError('lease_not_found');
    return this.write([request], (run) => run.put(request));
  }

  deleteRange(request: DeleteRangeRequest): ModelOutcome<DeleteRangeResult> {
    return this.write([], (run) => run.deleteRange(request));
  }

  txn(request: TxnRequest): ModelOutcome<TxnResult> {
    const before = this.latest();
    const puts: [PutRequest, Snapshot][] = [];
    const reads: RangeRequest[] = [];
    collectTakenPath(before, request, new Map(before), puts, reads);
    // Every put on the taken path is checked, against the keys as they will be when it runs, before
    // any read revision.
    for (const [put, state] of puts) this.checkPut(state, put);
    for (const read of reads) {
      // etcd checks any nonzero read revision in a txn: a negative one fails once anything was compacted.
      if (read.revision < 0 && this.compactRevision > 0) throw this.compacted();
      if (read.revision > 0) this.snapshotAt(read.revision);
    }
    return this.write([], (run) => run.txn(request));
  }

  compact(revision: number): void {
    if (revision <= this.compactRevision) throw this.compacted();
    if (revision > this.currentRevision) throw new SynodError('future_revision');
    this.compactRevision = revision;
  }

  private latest(): Snapshot {
    return this.snapshots[this.currentRevision]!;
  }

  private snapshotAt(revision: number): Snapshot {
    if (revision <= 0) return this.latest();
    if (revision > this.currentRevision) throw new SynodError('future_revision');
    if (revision < this.compactRevision) throw this.compacted();
    return this.snapshots[revision]!;
  }

  private compacted(): SynodError {
    return new SynodError('compacted', undefined, { compact_revision: String(this.compactRevision) });
  }

  private checkPut(state: Snapshot, put: PutRequest): void {
    if ((put.ignoreValue || put.ignoreLease) && !state.has(put.key)) throw new SynodError('key_not_found');
    if (put.lease !== 0n && !this.leases.leaseExists(put.lease)) throw new SynodError('lease_not_found');
  }

  private write<T>(puts: PutRequest[], body: (run: Run) => T): ModelOutcome<T> {
    for (const put of puts) this.checkPut(this.latest(), put);
    // A txn's reads at a revision see the snapshots before it: its own is pushed only at the end.
    const run = new Run(this.latest(), this.currentRevision + 1, (request) => this.range(request));
    const result = body(run);
    if (run.changes.length > 0) this.snapshots.push(run.state);
    return { result, revision: this.currentRevision, changes: run.changes };
  }
}

/** One write request being applied to a copy of the latest snapshot. */
class Run {
  readonly state: Map<Bytes, KeyValue>;
  readonly changes: Change[] = [];

  constructor(
    private readonly before: Snapshot,
    private readonly main: number,
    private readonly readPast: (request: RangeRequest) => RangeResult,
  ) {
    this.state = new Map(before);
  }

  put(request: PutRequest): PutResult {
    const old = this.state.get(request.key) ?? null;
    const kv: KeyValue = {
      key: request.key,
      value: request.ignoreValue ? old!.value : request.value,
      createRevision: old === null ? this.main : old.createRevision,
      modRevision: this.main,
      version: old === null ? 1 : old.version + 1,
      lease: request.ignoreLease ? old!.lease : request.lease,
    };
    this.state.set(request.key, kv);
    this.changes.push({ revision: { main: this.main, sub: this.changes.length }, key: request.key, kv, prevKv: old });
    return { prevKv: request.prevKv ? old : null };
  }

  deleteRange(request: DeleteRangeRequest): DeleteRangeResult {
    const doomed = sortedKvs(this.state).filter((kv) => inRange(request.key, request.rangeEnd, kv.key));
    for (const kv of doomed) {
      this.state.delete(kv.key);
      this.changes.push({ revision: { main: this.main, sub: this.changes.length }, key: kv.key, kv: null, prevKv: kv });
    }
    return { deleted: doomed.length, prevKvs: request.prevKv ? doomed : [] };
  }

  txn(request: TxnRequest): TxnResult {
    // Compares, nested ones too, see the store as it was before the txn.
    const succeeded = request.compare.every((compare) => compareHolds(this.before, compare));
    const responses = (succeeded ? request.success : request.failure).map((op): OpResult => {
      if ('put' in op) return { put: this.put(op.put) };
      if ('deleteRange' in op) return { deleteRange: this.deleteRange(op.deleteRange) };
      if ('txn' in op) return { txn: this.txn(op.txn) };
      return { range: this.read(op.range) };
    });
    return { succeeded, responses };
  }

  private read(request: RangeRequest): RangeResult {
    return request.revision <= 0 ? readSnapshot(this.state, request) : this.readPast(request);
  }
}

/** The puts (each with the keys as they will be when it runs) and reads of a txn's taken path. */
function collectTakenPath(
  before: Snapshot,
  request: TxnRequest,
  scratch: Map<Bytes, KeyValue>,
  puts: [PutRequest, Snapshot][],
  reads: RangeRequest[],
): void {
  const succeeded = request.compare.every((compare) => compareHolds(before, compare));
  for (const op of succeeded ? request.success : request.failure) {
    if ('put' in op) {
      puts.push([op.put, new Map(scratch)]);
      scratch.set(op.put.key, { key: op.put.key, value: '', createRevision: 0, modRevision: 0, version: 0, lease: 0n });
    } else if ('deleteRange' in op) {
      for (const key of [...scratch.keys()]) if (inRange(op.deleteRange.key, op.deleteRange.rangeEnd, key)) scratch.delete(key);
    } else if ('range' in op) reads.push(op.range);
    else collectTakenPath(before, op.txn, scratch, puts, reads);
  }
}

function inRange(key: Bytes, rangeEnd: Bytes, candidate: Bytes): boolean {
  if (rangeEnd === '') return candidate === key;
  if (rangeEnd === '\x00') return candidate >= key;
  return candidate >= key && candidate < rangeEnd;
}

function sortedKvs(state: Snapshot): KeyValue[] {
  return [...state.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function compareHolds(state: Snapshot, compare: Compare): boolean {
  const kvs = sortedKvs(state).filter((kv) => inRange(compare.key, compare.rangeEnd, kv.key));
  if (kvs.length === 0 && compare.target === 'VALUE') return false;
  const absent: KeyValue = { key: compare.key, value: '', createRevision: 0, modRevision: 0, version: 0, lease: 0n };
  return (kvs.length === 0 ? [absent] : kvs).every((kv) => {
    const [mine, theirs]: [Bytes | number | bigint, Bytes | number | bigint] =
      compare.target === 'VALUE' ? [kv.value, compare.value]
      : compare.target === 'VERSION' ? [kv.version, compare.version]
      : compare.target === 'CREATE' ? [kv.createRevision, compare.createRevision]
      : compare.target === 'MOD' ? [kv.modRevision, compare.modRevision]
      : [kv.lease, compare.lease];
    const order = mine < theirs ? -1 : mine > theirs ? 1 : 0;
    return { EQUAL: order === 0, NOT_EQUAL: order !== 0, GREATER: order > 0, LESS: order < 0 }[compare.result];
  });
}

/** etcd's range, step by step as its applier does it. */
function readSnapshot(state: Snapshot, request: RangeRequest): RangeResult {
  let kvs = sortedKvs(state).filter((kv) => inRange(request.key, request.rangeEnd, kv.key));
  const count = kvs.length;
  if (request.countOnly) return { kvs: [], more: false, count };
  const { minModRevision, maxModRevision, minCreateRevision, maxCreateRevision } = request;
  const filtered = minModRevision !== 0 || maxModRevision !== 0 || minCreateRevision !== 0 || maxCreateRevision !== 0;
  // The limit (plus one, for `more`) is pushed down unless a sort order or a filter is set.
  if (request.sortOrder === 'NONE' && !filtered && request.limit > 0) kvs = kvs.slice(0, request.limit + 1);
  kvs = kvs.filter(
    (kv) =>
      (minModRevision === 0 || kv.modRevision >= minModRevision) &&
      (maxModRevision === 0 || kv.modRevision <= maxModRevision) &&
      (minCreateRevision === 0 || kv.createRevision >= minCreateRevision) &&
      (maxCreateRevision === 0 || kv.createRevision <= maxCreateRevision),
  );
  const order = request.sortOrder === 'NONE' && request.sortTarget !== 'KEY' ? 'ASCEND' : request.sortOrder;
  if (order !== 'NONE') {
    const field = (kv: KeyValue): Bytes | number =>
      ({ KEY: kv.key, VERSION: kv.version, CREATE: kv.createRevision, MOD: kv.modRevision, VALUE: kv.value })[request.sortTarget];
    const ascending = (a: KeyValue, b: KeyValue): number => (field(a) < field(b) ? -1 : field(a) > field(b) ? 1 : 0);
    // Stable both ways: ties keep key order, as etcd's sort does on small ranges.
    kvs.sort(order === 'ASCEND' ? ascending : (a, b) => ascending(b, a));
  }
  let more = false;
  if (request.limit > 0 && kvs.length > request.limit) {
    kvs = kvs.slice(0, request.limit);
    more = true;
  }
  return { kvs: request.keysOnly ? kvs.map((kv) => ({ ...kv, value: '' })) : kvs, more, count };
}
