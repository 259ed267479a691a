import { KeyIndex, type KeyHistory } from './key-index.js';
import { finishRange, needsFullScan } from './range.js';
import type { Bytes, KeyRange } from './bytes.js';
import type {
  Change,
  DeleteRangeRequest,
  DeleteRangeResult,
  KeyValue,
  LeaseLookup,
  PutRequest,
  PutResult,
  RangeRequest,
  RangeResult,
  Revision,
} from './types.js';
import { SynodError, assert } from '../errors.js';

/**
 * Reads stored values of past revisions. Storage implements it over LevelDB (including writes not yet
 * flushed); unit tests use an in-memory twin.
 */
export interface HistoryReader {
  /** The value stored at each revision, or null where the revision is no longer stored. */
  read(revisions: readonly Revision[]): Promise<(KeyValue | null)[]>;
}

/** What a mutating request did: the revision it produced (or the unchanged current one) and its changes. */
export interface WriteOutcome<T> {
  readonly result: T;
  readonly revision: number;
  readonly changes: readonly Change[];
}

/**
 * The revisioned key space. The live state is in memory (the key index and each key's current value),
 * so every mutation is synchronous and deterministic; older values are read through a HistoryReader.
 * Invariants: the current revision only increases, by exactly one per request that changes something;
 * reads below the compact revision fail with `compacted`, above the current one with `future_revision`.
 */
/** Called synchronously when a write commits a new revision, before anything else can run. */
export type CommitListener = (revision: number, changes: readonly Change[]) => void;

export class MvccStore {
  readonly index = new KeyIndex();
  private currentRevisionValue = 1;
  private compactRevisionValue = 0;
  private readonly commitListeners: CommitListener[] = [];

  constructor(private readonly history: HistoryReader) {}

  /** The revision of the last change; a new store is at 1. */
  get currentRevision(): number {
    return this.currentRevisionValue;
  }

  /** Reads below this revision fail with `compacted`; 0 when nothing was compacted. */
  get compactRevision(): number {
    return this.compactRevisionValue;
  }

  /** Forgets everything (before rebuilding from a snapshot installed under the store). */
  clear(): void {
    this.index.clear();
    this.currentRevisionValue = 1;
    this.compactRevisionValue = 0;
  }

  /** Rebuilds state from stored changes, in revision order (used on start-up). */
  restoreChange(revision: Revision, key: Bytes, kv: KeyValue | null): void {
    assert(revision.main >= 1, `restored revision ${revision.main} is not positive`);
    if (kv === null) this.index.restoreDelete(key, revision.main, revision.sub);
    else this.index.recordPut(kv, revision.sub);
    if (revision.main > this.currentRevisionValue) this.currentRevisionValue = revision.main;
  }

  /** Sets the revisions recorded in storage when nothing in the kv records says more. */
  restoreRevisions(currentRevision: number, compactRevision: number): void {
    this.currentRevisionValue = Math.max(this.currentRevisionValue, currentRevision);
    this.compactRevisionValue = compactRevision;
    if (compactRevision > 0) this.index.compact(compactRevision);
  }

  /** Throws `compacted` or `future_revision` when `revision` (> 0) cannot be read. */
  checkReadable(revision: number): void {
    if (revision <= 0) return;
    if (revision > this.currentRevisionValue) throw new SynodError('future_revision');
    if (revision < this.compactRevisionValue) {
      throw new SynodError('compacted', undefined, { compact_revision: String(this.compactRevisionValue) });
    }
  }

  /** A range read at the latest revision or, with `revision`, at a past one. */
  async range(request: RangeRequest): Promise<RangeResult> {
    if (request.revision <= 0 || request.revision === this.currentRevisionValue) return this.rangeLatest(request);
    this.checkReadable(request.revision);
    return this.rangeAt(request, request.revision);
  }

  /** A range read of the live state, answered from memory. */
  rangeLatest(request: RangeRequest): RangeResult {
    const range: KeyRange = { key: request.key, end: request.rangeEnd };
    const fullScan = needsFullScan(request);
    const wanted = request.countOnly ? 0 : fullScan || request.limit <= 0 ? Infinity : request.limit + 1;
    const candidates: KeyValue[] = [];
    let count = 0;
    for (const history of this.index.histories(range)) {
      const current = history.current;
      if (current === null) continue;
      count++;
      if (candidates.length < wanted) candidates.push(current);
    }
    return finishRange(candidates, count, request);
  }

  private async rangeAt(request: RangeRequest, atMain: number): Promise<RangeResult> {
    const range: KeyRange = { key: request.key, end: request.rangeEnd };
    const fullScan = needsFullScan(request);
    const wanted = request.countOnly ? 0 : fullScan || request.limit <= 0 ? Infinity : request.limit + 1;
    const revisions: Revision[] = [];
    let count = 0;
    for (const history of this.index.histories(range)) {
      const at = this.index.revisionAt(history, atMain);
      if (at === null || at.tombstone) continue;
      count++;
      if (revisions.length < wanted) revisions.push(at.revision);
    }
    const stored = revisions.length === 0 ? [] : await this.history.read(revisions);
    const candidates: KeyValue[] = [];
    for (const kv of stored) {
      // A revision vanishing between the index walk and the read means a compaction ran meanwhile.
      if (kv === null) throw new SynodError('compacted', undefined, { compact_revision: String(this.compactRevisionValue) });
      candidates.push(kv);
    }
    return finishRange(candidates, count, request);
  }

  /** Starts a mutating request; every change made through it shares one revision. */
  beginWrite(leases: LeaseLookup): WriteTxn {
    return new WriteTxn(this, leases, this.currentRevisionValue + 1);
  }

  /**
   * Registers a listener for every committed revision. Listeners run synchronously inside the commit,
   * so no reader can see the new revision before they have (storage staging, the watch hub).
   */
  onCommit(listener: CommitListener): void {
    this.commitListeners.push(listener);
  }

  /** Called by WriteTxn.end: the request's revision becomes current if it changed anything. */
  commitWrite(main: number, changes: readonly Change[]): number {
    if (changes.length > 0) {
      assert(main === this.currentRevisionValue + 1, `write at ${main} does not follow ${this.currentRevisionValue}`);
      this.currentRevisionValue = main;
      for (const listener of this.commitListeners) listener(main, changes);
    }
    return this.currentRevisionValue;
  }

  /** Live value of a key, or null. */
  current(key: Bytes): KeyValue | null {
    return this.index.get(key)?.current ?? null;
  }

  /**
   * Compacts history at `revision`: reads below it will fail, and the dropped revisions are returned
   * so storage removes them. Fails with `compacted` at or below the compact revision and with
   * `future_revision` above the current revision.
   */
  compact(revision: number): Revision[] {
    if (revision <= this.compactRevisionValue) {
      throw new SynodError('compacted', undefined, { compact_revision: String(this.compactRevisionValue) });
    }
    if (revision > this.currentRevisionValue) throw new SynodError('future_revision');
    const dropped = this.index.compact(revision);
    this.compactRevisionValue = revision;
    return dropped;
  }

  /** Every key history inside a range (for compares and deletes). */
  histories(range: KeyRange): Iterable<KeyHistory> {
    return this.index.histories(range);
  }
}

/**
 * One mutating request in progress. Changes are applied to the store as they are made (so later ops of
 * a txn see earlier ones); callers check everything that can fail before the first change.
 */
export class WriteTxn {
  private sub = 0;
  private readonly changesValue: Change[] = [];

  constructor(
    private readonly store: MvccStore,
    private readonly leases: LeaseLookup,
    readonly main: number,
  ) {}

  /** Throws the error a put would fail with, without changing anything. */
  checkPut(request: PutRequest): void {
    const current = this.store.current(request.key);
    if ((request.ignoreValue || request.ignoreLease) && current === null) throw new SynodError('key_not_found');
    const lease = request.ignoreLease ? (current?.lease ?? 0n) : request.lease;
    if (lease !== 0n && !this.leases.leaseExists(lease)) throw new SynodError('lease_not_found');
  }

  put(request: PutRequest): PutResult {
    this.checkPut(request);
    const current = this.store.current(request.key);
    const kv: KeyValue = {
      key: request.key,
      value: request.ignoreValue && current !== null ? current.value : request.value,
      createRevision: current?.createRevision ?? this.main,
      modRevision: this.main,
      version: (current?.version ?? 0) + 1,
      lease: request.ignoreLease && current !== null ? current.lease : request.lease,
    };
    this.store.index.recordPut(kv, this.sub);
    this.changesValue.push({ revision: { main: this.main, sub: this.sub }, key: kv.key, kv, prevKv: current });
    this.sub++;
    return { prevKv: request.prevKv ? current : null };
  }

  deleteRange(request: DeleteRangeRequest): DeleteRangeResult {
    const live: KeyValue[] = [];
    for (const history of this.store.histories({ key: request.key, end: request.rangeEnd })) {
      if (history.current !== null) live.push(history.current);
    }
    for (const kv of live) {
      this.store.index.recordDelete(kv.key, this.main, this.sub);
      this.changesValue.push({ revision: { main: this.main, sub: this.sub }, key: kv.key, kv: null, prevKv: kv });
      this.sub++;
    }
    return { deleted: live.length, prevKvs: request.prevKv ? live : [] };
  }

  /** Reads the live state, including this request's own earlier changes. */
  rangeLatest(request: RangeRequest): RangeResult {
    return this.store.rangeLatest(request);
  }

  get changes(): readonly Change[] {
    return this.changesValue;
  }

  /** Finishes the request; returns the revision it produced, or the unchanged current revision. */
  end(): number {
    return this.store.commitWrite(this.main, this.changesValue);
  }
}
