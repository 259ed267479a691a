import { bytesToBase64 } from '../mvcc/bytes.js';
import type { DeleteRangeResult, KeyValue, OpResult, PutResult, RangeResult, TxnResult } from '../mvcc/types.js';
import type {
  WireDeleteRangeResponse,
  WireHeader,
  WireKeyValue,
  WirePutResponse,
  WireRangeResponse,
  WireResponseOp,
  WireTxnResponse,
} from '../apply/wire-types.js';

/**
 * Encoding of KV results into etcd's JSON shapes: base64 bytes, decimal-string integers, and zero
 * fields left out. Inside a txn the per-op headers are left out, as only the txn's header means anything.
 */
export function encodeKeyValue(kv: KeyValue): WireKeyValue {
  const wire: WireKeyValue = { key: bytesToBase64(kv.key) };
  if (kv.createRevision !== 0) wire.create_revision = String(kv.createRevision);
  if (kv.modRevision !== 0) wire.mod_revision = String(kv.modRevision);
  if (kv.version !== 0) wire.version = String(kv.version);
  if (kv.value.length > 0) wire.value = bytesToBase64(kv.value);
  if (kv.lease !== 0n) wire.lease = kv.lease.toString();
  return wire;
}

export function encodeRange(result: RangeResult, header?: WireHeader): WireRangeResponse {
  const wire: WireRangeResponse = header === undefined ? {} : { header };
  if (result.kvs.length > 0) wire.kvs = result.kvs.map(encodeKeyValue);
  if (result.more) wire.more = true;
  if (result.count !== 0) wire.count = String(result.count);
  return wire;
}

export function encodePut(result: PutResult, header?: WireHeader): WirePutResponse {
  const wire: WirePutResponse = header === undefined ? {} : { header };
  if (result.prevKv !== null) wire.prev_kv = encodeKeyValue(result.prevKv);
  return wire;
}

export function encodeDeleteRange(result: DeleteRangeResult, header?: WireHeader): WireDeleteRangeResponse {
  const wire: WireDeleteRangeResponse = header === undefined ? {} : { header };
  if (result.deleted !== 0) wire.deleted = String(result.deleted);
  if (result.prevKvs.length > 0) wire.prev_kvs = result.prevKvs.map(encodeKeyValue);
  return wire;
}

export function encodeTxn(result: TxnResult, header?: WireHeader): WireTxnResponse {
  const wire: WireTxnResponse = header === undefined ? {} : { header };
  if (result.succeeded) wire.succeeded = true;
  if (result.responses.length > 0) wire.responses = result.responses.map(encodeResponseOp);
  return wire;
}

function encodeResponseOp(op: OpResult): WireResponseOp {
  if ('range' in op) return { response_range: encodeRange(op.range) };
  if ('put' in op) return { response_put: encodePut(op.put) };
  if ('deleteRange' in op) return { response_delete_range: encodeDeleteRange(op.deleteRange) };
  return { response_txn: encodeTxn(op.txn) };
}
