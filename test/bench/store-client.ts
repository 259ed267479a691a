import type { TargetName } from './launch.js';

/** A key's value and the revision of its last change. */
export interface StoredValue {
  readonly value: Buffer;
  readonly modRevision: bigint;
}

/** The outcome of a compare-and-swap: on a conflict, the key's current value (read in the same txn). */
export type CasOutcome = { readonly succeeded: true } | { readonly succeeded: false; readonly current: StoredValue | null };

/** A running watch; `close` cancels it on the server. */
export interface BenchWatch {
  close(): Promise<void>;
}

/** A granted lease, renewed only by explicit keepalives. */
export interface BenchLease {
  /** One keepalive round trip; throws when the lease is gone. */
  keepAliveOnce(): Promise<void>;
  revoke(): Promise<void>;
}

/** Lease calls, where the store's client has them. */
export interface LeaseCalls {
  /** Grants a lease of `ttlSeconds` that nothing but `keepAliveOnce` renews. */
  grant(ttlSeconds: number): Promise<BenchLease>;
}

/**
 * One client connection to a store, with the few calls the workloads make, so the same workload
 * drives Synod (through its SDK) and etcd (through the etcd3 package) alike.
 */
export interface StoreClient {
  put(key: string, value: Buffer): Promise<void>;
  get(key: string, serializable: boolean): Promise<StoredValue | null>;
  /** Puts `value` if the key's mod revision is `expectedModRevision` (0n: the key is absent); one txn. */
  compareAndSwap(key: string, expectedModRevision: bigint, value: Buffer): Promise<CasOutcome>;
  /** Watches every key under `prefix`, calling `onPut` for each put; resolves once the watch is created. */
  watchPrefix(prefix: string, onPut: (key: Buffer, value: Buffer) => void): Promise<BenchWatch>;
  /** Lease calls, or null while this store's client has none. */
  readonly lease: LeaseCalls | null;
  close(): Promise<void>;
}

/** Makes connections to one running store. */
export interface StoreDriver {
  readonly target: TargetName;
  /** Connection `index` prefers member `index % endpoints.length`, like etcd's benchmark tool. */
  connect(index: number): StoreClient;
  /** Why the lease workload cannot run against this store, or null when it can. */
  readonly leaseUnavailableReason: string | null;
}
