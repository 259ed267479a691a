import type { Bytes } from './bytes.js';

/**
 * A revision: `main` is the store revision of the request that made the change, `sub` orders the
 * changes inside that request (0, 1, 2, ...). Revisions are JS numbers; they stay below 2^53.
 */
export interface Revision {
  readonly main: number;
  readonly sub: number;
}

/** A key's value at one revision, with etcd's metadata. */
export interface KeyValue {
  readonly key: Bytes;
  readonly value: Bytes;
  /** Revision of the put that created this generation of the key. */
  readonly createRevision: number;
  /** Revision of the last change to the key. */
  readonly modRevision: number;
  /** Number of puts since creation: 1 after create. */
  readonly version: number;
  /** Attached lease id, 0n for none. */
  readonly lease: bigint;
}

export type SortTarget = 'KEY' | 'VERSION' | 'CREATE' | 'MOD' | 'VALUE';
export type SortOrder = 'NONE' | 'ASCEND' | 'DESCEND';

/** A range read, normalised (bytes decoded, defaults filled). */
export interface RangeRequest {
  readonly key: Bytes;
  /** Empty: the single key; "\x00": every key >= key; otherwise [key, rangeEnd). */
  readonly rangeEnd: Bytes;
  /** Maximum number of kvs returned; 0 means no limit. */
  readonly limit: number;
  /** Revision to read at; 0 (or less) means the latest. */
  readonly revision: number;
  readonly sortOrder: SortOrder;
  readonly sortTarget: SortTarget;
  readonly serializable: boolean;
  readonly keysOnly: boolean;
  readonly countOnly: boolean;
  readonly minModRevision: number;
  readonly maxModRevision: number;
  readonly minCreateRevision: number;
  readonly maxCreateRevision: number;
}

export interface PutRequest {
  readonly key: Bytes;
  readonly value: Bytes;
  readonly lease: bigint;
  readonly prevKv: boolean;
  readonly ignoreValue: boolean;
  readonly ignoreLease: boolean;
}

export interface DeleteRangeRequest {
  readonly key: Bytes;
  readonly rangeEnd: Bytes;
  readonly prevKv: boolean;
}

export type CompareResult = 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL';

/** One compare of a txn; over a range it must hold for every key in it. */
export type Compare = {
  readonly result: CompareResult;
  readonly key: Bytes;
  readonly rangeEnd: Bytes;
} & (
  | { readonly target: 'VALUE'; readonly value: Bytes }
  | { readonly target: 'VERSION'; readonly version: number }
  | { readonly target: 'CREATE'; readonly createRevision: number }
  | { readonly target: 'MOD'; readonly modRevision: number }
  | { readonly target: 'LEASE'; readonly lease: bigint }
);

export type RequestOp =
  | { readonly range: RangeRequest }
  | { readonly put: PutRequest }
  | { readonly deleteRange: DeleteRangeRequest }
  | { readonly txn: TxnRequest };

export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly RequestOp[];
  readonly failure: readonly RequestOp[];
}

export interface RangeResult {
  readonly kvs: KeyValue[];
  readonly more: boolean;
  /** Keys in the range at the read revision; neither the limit nor the revision filters reduce it. */
  readonly count: number;
}

export interface PutResult {
  readonly prevKv: KeyValue | null;
}

export interface DeleteRangeResult {
  readonly deleted: number;
  readonly prevKvs: KeyValue[];
}

export type OpResult =
  | { readonly range: RangeResult }
  | { readonly put: PutResult }
  | { readonly deleteRange: DeleteRangeResult }
  | { readonly txn: TxnResult };

export interface TxnResult {
  readonly succeeded: boolean;
  readonly responses: OpResult[];
}

/**
 * One change inside a revision, in (main, sub) order: the new value for a put, or `kv === null` for
 * a delete. `prevKv` is the value it replaced (null when the key did not exist), which the watch hub
 * uses for prev_kv without another read.
 */
export interface Change {
  readonly revision: Revision;
  readonly key: Bytes;
  readonly kv: KeyValue | null;
  readonly prevKv: KeyValue | null;
}

/** Answers whether a lease exists; the lessor implements it, tests use a set. */
export interface LeaseLookup {
  leaseExists(id: bigint): boolean;
}

/** Defaults for a range request, so callers name only what they set. */
export function rangeRequest(fields: Partial<RangeRequest> & { key: Bytes }): RangeRequest {
  return {
    rangeEnd: '',
    limit: 0,
    revision: 0,
    sortOrder: 'NONE',
    sortTarget: 'KEY',
    serializable: false,
    keysOnly: false,
    countOnly: false,
    minModRevision: 0,
    maxModRevision: 0,
    minCreateRevision: 0,
    maxCreateRevision: 0,
    ...fields,
  };
}

/** Defaults for a put request. */
export function putRequest(fields: Partial<PutRequest> & { key: Bytes }): PutRequest {
  return { value: '', lease: 0n, prevKv: false, ignoreValue: false, ignoreLease: false, ...fields };
}

/** Defaults for a delete-range request. */
export function deleteRangeRequest(fields: Partial<DeleteRangeRequest> & { key: Bytes }): DeleteRangeRequest {
  return { rangeEnd: '', prevKv: false, ...fields };
}
