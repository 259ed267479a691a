import { bytesFromBase64, type Bytes } from '../mvcc/bytes.js';
import type {
  Compare,
  CompareResult,
  DeleteRangeRequest,
  PutRequest,
  RangeRequest,
  RequestOp,
  SortOrder,
  SortTarget,
  TxnRequest,
} from '../mvcc/types.js';
import type {
  WireCompare,
  WireDeleteRangeRequest,
  WireInt64,
  WirePutRequest,
  WireRangeRequest,
  WireRequestOp,
  WireTxnRequest,
} from './wire-types.js';
import { SynodError } from '../errors.js';

/**
 * Decoding of the KV methods' wire params into the store's requests. The api calls it to validate a
 * request before proposing it, and apply calls it again on the committed entry (which carries the wire
 * params), so both sides agree by construction.
 */

const SORT_ORDERS: readonly SortOrder[] = ['NONE', 'ASCEND', 'DESCEND'];
const SORT_TARGETS: readonly SortTarget[] = ['KEY', 'VERSION', 'CREATE', 'MOD', 'VALUE'];
const COMPARE_RESULTS: readonly CompareResult[] = ['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL'];
const COMPARE_TARGETS = ['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE'] as const;

/** A 64-bit integer field as a JS number; refuses values past 2^53 instead of rounding them. */
export function int64ToNumber(value: WireInt64 | undefined, field: string): number {
  if (value === undefined) return 0;
  const parsed = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(parsed)) throw new SynodError('invalid_argument', `${field} is not an integer below 2^53`);
  return parsed;
}

/** A 64-bit integer field as a bigint (lease ids use the whole signed 64-bit range). */
export function int64ToBigint(value: WireInt64 | undefined, field: string): bigint {
  if (value === undefined) return 0n;
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new SynodError('invalid_argument', `${field} must be an integer; send large values as a decimal string`);
  }
  const parsed = BigInt(value);
  if (parsed < -(2n ** 63n) || parsed >= 2n ** 63n) throw new SynodError('invalid_argument', `${field} does not fit in 64 bits`);
  return parsed;
}

function bytes(value: string | undefined): Bytes {
  return value === undefined || value === '' ? '' : bytesFromBase64(value);
}

function enumValue<T extends string>(value: string | number | undefined, names: readonly T[], onUnknown: () => never): T {
  if (value === undefined) return names[0]!;
  const name = typeof value === 'number' ? names[value] : names.find((candidate) => candidate === value);
  return name ?? onUnknown();
}

const invalidSort = (): never => {
  throw new SynodError('invalid_sort_option');
};

export function decodeRange(wire: WireRangeRequest): RangeRequest {
  return {
    key: bytes(wire.key),
    rangeEnd: bytes(wire.range_end),
    limit: int64ToNumber(wire.limit, 'limit'),
    revision: int64ToNumber(wire.revision, 'revision'),
    sortOrder: enumValue(wire.sort_order, SORT_ORDERS, invalidSort),
    sortTarget: enumValue(wire.sort_target, SORT_TARGETS, invalidSort),
    serializable: wire.serializable ?? false,
    keysOnly: wire.keys_only ?? false,
    countOnly: wire.count_only ?? false,
    minModRevision: int64ToNumber(wire.min_mod_revision, 'min_mod_revision'),
    maxModRevision: int64ToNumber(wire.max_mod_revision, 'max_mod_revision'),
    minCreateRevision: int64ToNumber(wire.min_create_revision, 'min_create_revision'),
    maxCreateRevision: int64ToNumber(wire.max_create_revision, 'max_create_revision'),
  };
}

export function decodePut(wire: WirePutRequest): PutRequest {
  return {
    key: bytes(wire.key),
    value: bytes(wire.value),
    lease: int64ToBigint(wire.lease, 'lease'),
    prevKv: wire.prev_kv ?? false,
    ignoreValue: wire.ignore_value ?? false,
    ignoreLease: wire.ignore_lease ?? false,
  };
}

export function decodeDeleteRange(wire: WireDeleteRangeRequest): DeleteRangeRequest {
  return { key: bytes(wire.key), rangeEnd: bytes(wire.range_end), prevKv: wire.prev_kv ?? false };
}

export function decodeCompare(wire: WireCompare): Compare {
  const invalid = (): never => {
    throw new SynodError('invalid_argument', 'unknown compare result or target');
  };
  const base = {
    result: enumValue(wire.result, COMPARE_RESULTS, invalid),
    key: bytes(wire.key),
    rangeEnd: bytes(wire.range_end),
  };
  const target = enumValue(wire.target, COMPARE_TARGETS, invalid);
  switch (target) {
    case 'VALUE':
      return { ...base, target, value: bytes(wire.value) };
    case 'VERSION':
      return { ...base, target, version: int64ToNumber(wire.version, 'version') };
    case 'CREATE':
      return { ...base, target, createRevision: int64ToNumber(wire.create_revision, 'create_revision') };
    case 'MOD':
      return { ...base, target, modRevision: int64ToNumber(wire.mod_revision, 'mod_revision') };
    case 'LEASE':
      return { ...base, target, lease: int64ToBigint(wire.lease, 'lease') };
  }
}

export function decodeRequestOp(wire: WireRequestOp): RequestOp {
  if (wire.request_range !== undefined) return { range: decodeRange(wire.request_range) };
  if (wire.request_put !== undefined) return { put: decodePut(wire.request_put) };
  if (wire.request_delete_range !== undefined) return { deleteRange: decodeDeleteRange(wire.request_delete_range) };
  if (wire.request_txn !== undefined) return { txn: decodeTxn(wire.request_txn) };
  // etcd answers an empty RequestOp this way.
  throw new SynodError('key_not_found', 'key not found (empty request op)');
}

export function decodeTxn(wire: WireTxnRequest): TxnRequest {
  return {
    compare: (wire.compare ?? []).map(decodeCompare),
    success: (wire.success ?? []).map(decodeRequestOp),
    failure: (wire.failure ?? []).map(decodeRequestOp),
  };
}
