import type { Lessor, LeaseRecord } from '../lease/lessor.js';
import type { MvccStore } from '../mvcc/store.js';
import type { Change } from '../mvcc/types.js';
import type { StoredLease } from '../storage/state-store.js';

/** The params of the lease entries in the log (ids as decimal strings). */
export interface LeaseGrantEntry {
  readonly ID: string;
  readonly TTL: number;
}
export interface LeaseRevokeEntry {
  readonly ID: string;
}
export interface LeaseRenewEntry {
  readonly IDs: readonly string[];
}
export interface LeaseCheckpointEntry {
  readonly checkpoints: readonly { readonly ID: string; readonly remainingMs: number }[];
}
/** An expiry decided by the leader: it applies only if the lease was not renewed since (`renewals`). */
export interface LeaseExpireEntry {
  readonly ID: string;
  readonly renewals: number;
}

export type LeaseResult =
  | { readonly method: 'lease.grant'; readonly result: LeaseRecord }
  | { readonly method: 'lease.revoke'; readonly result: { readonly deleted: number } }
  | { readonly method: 'lease.renew'; readonly result: { readonly ttls: readonly number[] } }
  | { readonly method: 'lease.checkpoint'; readonly result: null }
  | { readonly method: 'lease.expire'; readonly result: { readonly expired: boolean } };

/** What a lease entry did: its result, the store changes (deleted keys) and the lease records to persist. */
export interface LeaseApplied {
  readonly value: LeaseResult;
  readonly revision: number;
  readonly changes: readonly Change[];
  readonly puts: readonly StoredLease[];
  readonly deletes: readonly bigint[];
}

/**
 * Applies the lease entries. A revoke (or an expiry that still holds) deletes every attached key in one
 * revision, so watchers see one message, and removes the lease in the same batch.
 */
export function applyLeaseEntry(store: MvccStore, lessor: Lessor, method: LeaseResult['method'], params: unknown): LeaseApplied {
  const unchanged = { revision: store.currentRevision, changes: [], deletes: [] as bigint[] };
  switch (method) {
    case 'lease.grant': {
      const entry = params as LeaseGrantEntry;
      const record = lessor.grant(BigInt(entry.ID), entry.TTL);
      return { ...unchanged, value: { method, result: record }, puts: [record] };
    }
    case 'lease.revoke': {
      const id = BigInt((params as LeaseRevokeEntry).ID);
      return revoke(store, lessor, id, { method, result: { deleted: 0 } });
    }
    case 'lease.expire': {
      const entry = params as LeaseExpireEntry;
      const id = BigInt(entry.ID);
      if (lessor.get(id)?.renewals !== entry.renewals) return { ...unchanged, value: { method, result: { expired: false } }, puts: [] };
      return revoke(store, lessor, id, { method, result: { expired: true } });
    }
    case 'lease.renew': {
      const ids = (params as LeaseRenewEntry).IDs.map((id) => BigInt(id));
      const ttls = ids.map((id) => lessor.renew(id));
      const puts = ids.flatMap((id) => {
        const record = lessor.get(id);
        return record === undefined ? [] : [record];
      });
      return { ...unchanged, value: { method, result: { ttls } }, puts };
    }
    case 'lease.checkpoint': {
      const puts: StoredLease[] = [];
      for (const checkpoint of (params as LeaseCheckpointEntry).checkpoints) {
        const id = BigInt(checkpoint.ID);
        lessor.checkpoint(id, checkpoint.remainingMs);
        const record = lessor.get(id);
        if (record !== undefined) puts.push(record);
      }
      return { ...unchanged, value: { method, result: null }, puts };
    }
  }
}

function revoke<T extends LeaseResult>(store: MvccStore, lessor: Lessor, id: bigint, value: T): LeaseApplied {
  const keys = lessor.revoke(id);
  const write = store.beginWrite(lessor);
  for (const key of keys) write.deleteRange({ key, rangeEnd: '', prevKv: false });
  const revision = write.end();
  const deleted = write.changes.length;
  const result = value.method === 'lease.revoke' ? { method: 'lease.revoke' as const, result: { deleted } } : value;
  return { value: result, revision, changes: write.changes, puts: [], deletes: [id] };
}
