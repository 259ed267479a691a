import { applyDeleteRange, applyPut, applyTxn } from '../mvcc/txn.js';
import type { MvccStore } from '../mvcc/store.js';
import type { Change, DeleteRangeResult, PutResult, Revision, TxnResult } from '../mvcc/types.js';
import type { StateStore, StoredLease } from '../storage/state-store.js';
import type { Lessor } from '../lease/lessor.js';
import { applyLeaseEntry, type LeaseResult } from './lease-apply.js';
import type { Entry } from '../raft/index.js';
import { decodeDeleteRange, decodePut, decodeTxn, int64ToNumber } from './kv-requests.js';
import { decodeProposal, type Proposal, type WriteMethod } from './entry.js';
import type { WireCompactionRequest, WireDeleteRangeRequest, WirePutRequest, WireTxnRequest } from './wire-types.js';
import { SynodError } from '../errors.js';

/** The result of one applied write, as the proposer's waiter receives it. */
export type WriteResult =
  | { readonly method: 'kv.put'; readonly result: PutResult }
  | { readonly method: 'kv.deleterange'; readonly result: DeleteRangeResult }
  | { readonly method: 'kv.txn'; readonly result: TxnResult }
  | { readonly method: 'kv.compaction'; readonly result: null }
  | { readonly method: 'member.publish' | 'member.update'; readonly result: unknown }
  | LeaseResult;

/** One applied entry: its proposal id, the store revision after it, its term, and a result or an error. */
export interface Applied {
  readonly index: number;
  readonly proposalId: string | null;
  readonly revision: number;
  readonly term: number;
  readonly outcome: { readonly ok: true; readonly value: WriteResult } | { readonly ok: false; readonly error: SynodError };
  readonly changes: readonly Change[];
}

/** Collects the lease records a batch of entries writes. */
interface LeaseRecords {
  put(records: readonly StoredLease[]): void;
  delete(ids: readonly bigint[]): void;
}

/**
 * How the member takes part in applying what is not KV: conf change entries and the membership
 * proposals. Each returns meta fields to write in the same batch as the entry's applied index.
 * Both must be deterministic: every member applies the same entries to the same state.
 */
export interface ApplyHooks {
  /**
   * A committed conf change. `inState` is true when the state already reflects it (it is at or below
   * the applied index, e.g. replayed after a restart or a snapshot): Raft must still apply it.
   */
  confChange(entry: Entry, inState: boolean): Record<string, unknown>;
  membership(method: 'member.publish' | 'member.update', params: unknown): { result: unknown; meta: Record<string, unknown> };
}

/**
 * The one deterministic path from committed entries to state: each entry is applied to the store in
 * index order, and a batch of entries is written to LevelDB as one atomic batch together with the
 * applied index. An entry whose request fails (e.g. a missing lease) still advances the applied index.
 * Entries at or below the applied index (already in the state, e.g. after a snapshot) are skipped.
 */
export class Applier {
  /** The apply batch being written, if any (it never rejects: a failure is kept in writeError). */
  private writing: Promise<void> = Promise.resolve();
  private writeError: Error | null = null;

  constructor(
    private readonly store: MvccStore,
    private readonly state: StateStore,
    private readonly leases: Lessor,
    private appliedIndexValue: number,
    private readonly hooks: ApplyHooks,
  ) {}

  get appliedIndex(): number {
    return this.appliedIndexValue;
  }

  /** Resets the applied index after the state was replaced by a snapshot. */
  resetAppliedIndex(index: number): void {
    this.appliedIndexValue = index;
  }

  /** Applies committed entries in order and persists them atomically; returns what each produced. */
  async applyEntries(entries: readonly Entry[]): Promise<Applied[]> {
    const applied: Applied[] = [];
    const changes: Change[] = [];
    const dropped: Revision[] = [];
    const leasePuts = new Map<bigint, StoredLease>();
    const leaseDeletes = new Set<bigint>();
    const leaseRecords = {
      put: (records: readonly StoredLease[]) => {
        for (const record of records) {
          leasePuts.set(record.id, record);
          leaseDeletes.delete(record.id);
        }
      },
      delete: (ids: readonly bigint[]) => {
        for (const id of ids) {
          leasePuts.delete(id);
          leaseDeletes.add(id);
        }
      },
    };
    let meta: Record<string, unknown> = {};
    for (const entry of entries) {
      if (entry.index <= this.appliedIndexValue) {
        if (entry.type === 'confChange') this.hooks.confChange(entry, true);
        continue;
      }
      if (entry.index !== this.appliedIndexValue + 1) {
        throw new SynodError('internal', `entry ${entry.index} does not follow applied index ${this.appliedIndexValue}`);
      }
      this.appliedIndexValue = entry.index;
      if (entry.type === 'confChange') {
        meta = { ...meta, ...this.hooks.confChange(entry, false) };
        continue;
      }
      const proposal = decodeProposal(entry.data);
      if (proposal === null) continue;
      const before = this.store.compactRevision;
      const result = await this.applyProposal(proposal, dropped, (fields) => (meta = { ...meta, ...fields }), leaseRecords);
      if (this.store.compactRevision !== before) meta['compactRevision'] = this.store.compactRevision;
      changes.push(...result.changes);
      applied.push({ ...result, index: entry.index, term: entry.term, proposalId: proposal.proposalId });
    }
    if (entries.length > 0) {
      const batch = {
        appliedIndex: this.appliedIndexValue,
        changes,
        dropped,
        meta: { ...meta, revision: this.store.currentRevision },
        leasePuts: [...leasePuts.values()],
        leaseDeletes: [...leaseDeletes],
      };
      // Writes land in order, each after the previous one; the caller does not wait for this one (the
      // Raft log already holds these entries durably, and history reads see the staged changes), so
      // the write overlaps the next log sync. `flush()` waits for it.
      const previous = this.writing;
      await previous;
      this.throwIfWriteFailed();
      this.writing = this.state.writeApply(batch).catch((error: unknown) => {
        this.writeError ??= error as Error;
      });
    }
    return applied;
  }

  /** Resolves once every apply batch handed out so far is written (before a snapshot, or closing). */
  async flush(): Promise<void> {
    await this.writing;
    this.throwIfWriteFailed();
  }

  private throwIfWriteFailed(): void {
    if (this.writeError !== null) throw new SynodError('internal', `writing applied state failed: ${this.writeError.message}`, undefined, { cause: this.writeError });
  }

  private async applyProposal(
    proposal: Proposal,
    dropped: Revision[],
    addMeta: (fields: Record<string, unknown>) => void,
    leaseRecords: LeaseRecords,
  ): Promise<Pick<Applied, 'revision' | 'outcome' | 'changes'>> {
    try {
      const outcome = await this.execute(proposal, dropped, addMeta, leaseRecords);
      return { revision: outcome.revision, changes: outcome.changes, outcome: { ok: true, value: outcome.value } };
    } catch (error) {
      if (!(error instanceof SynodError)) throw error;
      return { revision: this.store.currentRevision, changes: [], outcome: { ok: false, error } };
    }
  }

  private async execute(
    proposal: Proposal,
    dropped: Revision[],
    addMeta: (fields: Record<string, unknown>) => void,
    leaseRecords: LeaseRecords,
  ): Promise<{ value: WriteResult; revision: number; changes: readonly Change[] }> {
    const method: WriteMethod = proposal.method;
    switch (method) {
      case 'kv.put': {
        const outcome = applyPut(this.store, this.leases, decodePut(proposal.params as WirePutRequest));
        return { ...outcome, value: { method, result: outcome.result } };
      }
      case 'kv.deleterange': {
        const outcome = applyDeleteRange(this.store, this.leases, decodeDeleteRange(proposal.params as WireDeleteRangeRequest));
        return { ...outcome, value: { method, result: outcome.result } };
      }
      case 'kv.txn': {
        const outcome = await applyTxn(this.store, this.leases, decodeTxn(proposal.params as WireTxnRequest));
        return { ...outcome, value: { method, result: outcome.result } };
      }
      case 'kv.compaction': {
        const revision = int64ToNumber((proposal.params as WireCompactionRequest).revision, 'revision');
        dropped.push(...this.store.compact(revision));
        return { revision: this.store.currentRevision, changes: [], value: { method, result: null } };
      }
      case 'member.publish':
      case 'member.update': {
        const { result, meta } = this.hooks.membership(method, proposal.params);
        addMeta(meta);
        return { revision: this.store.currentRevision, changes: [], value: { method, result } };
      }
      case 'lease.grant':
      case 'lease.revoke':
      case 'lease.renew':
      case 'lease.checkpoint':
      case 'lease.expire': {
        const applied = applyLeaseEntry(this.store, this.leases, method, proposal.params);
        leaseRecords.put(applied.puts);
        leaseRecords.delete(applied.deletes);
        return { value: applied.value, revision: applied.revision, changes: applied.changes };
      }
    }
  }
}
