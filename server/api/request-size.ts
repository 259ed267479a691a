import type { RequestOp, TxnRequest } from '../mvcc/types.js';

/** Per-op overhead counted on top of key and value bytes, like the framing of an encoded request. */
const OP_OVERHEAD_BYTES = 16;

/**
 * The size of a KV request as etcd would count it (raw key, value and range-end bytes plus a little per
 * op), independent of base64 and JSON overhead, so `--max-request-bytes` means what it means in etcd.
 */
export function txnRequestBytes(request: TxnRequest): number {
  let total = OP_OVERHEAD_BYTES;
  for (const compare of request.compare) {
    total += OP_OVERHEAD_BYTES + compare.key.length + compare.rangeEnd.length;
    if (compare.target === 'VALUE') total += compare.value.length;
  }
  for (const op of [...request.success, ...request.failure]) total += opBytes(op);
  return total;
}

export function opBytes(op: RequestOp): number {
  if ('range' in op) return OP_OVERHEAD_BYTES + op.range.key.length + op.range.rangeEnd.length;
  if ('put' in op) return OP_OVERHEAD_BYTES + op.put.key.length + op.put.value.length;
  if ('deleteRange' in op) return OP_OVERHEAD_BYTES + op.deleteRange.key.length + op.deleteRange.rangeEnd.length;
  return txnRequestBytes(op.txn);
}
