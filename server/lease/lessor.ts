import type { Bytes } from '../mvcc/bytes.js';
import type { Change, LeaseLookup } from '../mvcc/types.js';
import { SynodError } from '../errors.js';

/** A lease as replicated: the same on every member that applied the same entries. */
export interface LeaseRecord {
  readonly id: bigint;
  readonly ttlSeconds: number;
  /**
   * Time left when the last checkpoint was taken, in ms; null right after a grant or a renewal, which
   * means "the whole TTL from when this member applied it".
   */
  readonly remainingMs: number | null;
  /** Increments on every renewal: an expiry decided before a renewal is ignored when applied after it. */
  readonly renewals: number;
}

interface LeaseState {
  record: LeaseRecord;
  /** This member's monotonic clock when it applied the grant, renewal or checkpoint that set `record`. */
  stampMs: number;
  readonly keys: Set<Bytes>;
}

/** A lease the leader should expire: proposed as an expiry carrying the renewal count it saw. */
export interface ExpiryCandidate {
  readonly id: bigint;
  readonly renewals: number;
}

/**
 * The lessor: leases, their attached keys, and each member's own view of when each lease expires.
 * Replicated facts (grant, renewal, checkpoint, revoke) change only by applied entries; time enters only
 * as the local clock reading taken when an entry is applied. A lease expires `remainingMs` (or the
 * whole TTL) after this member applied its last renewal or checkpoint, which is never earlier than the
 * leader acknowledged that renewal: a new leader never expires a lease early, and it expires an
 * un-renewed lease about one TTL after its last renewal. Only the leader acts on expiries.
 */
export class Lessor implements LeaseLookup {
  private readonly leases = new Map<bigint, LeaseState>();

  constructor(private readonly nowMs: () => number) {}

  get size(): number {
    return this.leases.size;
  }

  leaseExists(id: bigint): boolean {
    return this.leases.has(id);
  }

  /** Every lease id, ascending. */
  ids(): bigint[] {
    return [...this.leases.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  get(id: bigint): LeaseRecord | undefined {
    return this.leases.get(id)?.record;
  }

  /** Keys attached to a lease, in byte order. */
  keys(id: bigint): Bytes[] {
    return [...(this.leases.get(id)?.keys ?? [])].sort();
  }

  /** Applies a grant (the TTL was already clamped by the member that proposed it). */
  grant(id: bigint, ttlSeconds: number): LeaseRecord {
    if (this.leases.has(id)) throw new SynodError('lease_exists');
    const record: LeaseRecord = { id, ttlSeconds, remainingMs: null, renewals: 0 };
    this.leases.set(id, { record, stampMs: this.nowMs(), keys: new Set() });
    return record;
  }

  /** Applies a renewal: the whole TTL counts again from now. Returns the TTL, or 0 if the lease is gone. */
  renew(id: bigint): number {
    const state = this.leases.get(id);
    if (state === undefined) return 0;
    state.record = { ...state.record, remainingMs: null, renewals: state.record.renewals + 1 };
    state.stampMs = this.nowMs();
    return state.record.ttlSeconds;
  }

  /** Applies a checkpoint: the time left that the leader measured, so it survives a leader change or restart. */
  checkpoint(id: bigint, remainingMs: number): void {
    const state = this.leases.get(id);
    if (state === undefined) return;
    state.record = { ...state.record, remainingMs: Math.max(0, remainingMs) };
    state.stampMs = this.nowMs();
  }

  /** Removes a lease; returns the keys that were attached to it (the caller deletes them in one revision). */
  revoke(id: bigint): Bytes[] {
    const state = this.leases.get(id);
    if (state === undefined) throw new SynodError('lease_not_found');
    this.leases.delete(id);
    return [...state.keys].sort();
  }

  /** Loads a persisted lease at start-up or after a snapshot: its time left counts from now. */
  restore(record: LeaseRecord): void {
    this.leases.set(record.id, { record, stampMs: this.nowMs(), keys: new Set() });
  }

  /** Forgets everything (before a snapshot replaces the state). */
  clear(): void {
    this.leases.clear();
  }

  /** Keeps key attachments in step with committed changes (the store's commit hook calls it). */
  onChanges(changes: readonly Change[]): void {
    for (const change of changes) {
      const before = change.prevKv?.lease ?? 0n;
      const after = change.kv?.lease ?? 0n;
      if (before === after) continue;
      if (before !== 0n) this.leases.get(before)?.keys.delete(change.key);
      if (after !== 0n) this.leases.get(after)?.keys.add(change.key);
    }
  }

  /** Attaches a key while rebuilding attachments from the store. */
  attach(key: Bytes, id: bigint): void {
    this.leases.get(id)?.keys.add(key);
  }

  /** When this member reckons the lease expires, on its monotonic clock. */
  deadlineMs(id: bigint): number | null {
    const state = this.leases.get(id);
    if (state === undefined) return null;
    return state.stampMs + (state.record.remainingMs ?? state.record.ttlSeconds * 1000);
  }

  /** Time left in ms (0 once past the deadline), or null for an unknown lease. */
  remainingMs(id: bigint): number | null {
    const deadline = this.deadlineMs(id);
    return deadline === null ? null : Math.max(0, deadline - this.nowMs());
  }

  /** Leases past their deadline, earliest first, at most `max`, skipping those `busy` says are being renewed. */
  expired(max: number, busy: (id: bigint) => boolean = () => false): ExpiryCandidate[] {
    const now = this.nowMs();
    const due: { id: bigint; deadline: number; renewals: number }[] = [];
    for (const [id, state] of this.leases) {
      const deadline = state.stampMs + (state.record.remainingMs ?? state.record.ttlSeconds * 1000);
      if (deadline <= now && !busy(id)) due.push({ id, deadline, renewals: state.record.renewals });
    }
    return due.sort((a, b) => a.deadline - b.deadline).slice(0, max).map(({ id, renewals }) => ({ id, renewals }));
  }

  /**
   * Checkpoints worth replicating: leases whose time left is below what a new leader would assume by
   * at least `minGainMs` (so a lease renewed since the last checkpoint is not checkpointed again), the
   * stalest first, at most `max`. Stalest first, so that with more due than fit, none is starved.
   */
  checkpointsDue(minGainMs: number, max: number): { id: bigint; remainingMs: number }[] {
    const now = this.nowMs();
    const due: { id: bigint; remainingMs: number; gainMs: number }[] = [];
    for (const [id, state] of this.leases) {
      const assumed = state.record.remainingMs ?? state.record.ttlSeconds * 1000;
      const remaining = Math.max(0, state.stampMs + assumed - now);
      if (assumed - remaining >= minGainMs) due.push({ id, remainingMs: remaining, gainMs: assumed - remaining });
    }
    if (due.length > max) due.sort((a, b) => b.gainMs - a.gainMs);
    return due.slice(0, max).map(({ id, remainingMs }) => ({ id, remainingMs }));
  }
}
