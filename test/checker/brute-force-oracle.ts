/**
 * A deliberately naive linearizability decision for tiny KV histories, written independently of the
 * checker (no shared model, list, cache or partitioning) so that property tests can compare the two.
 *
 * It enumerates every order of the operations that respects real time, with every choice of
 * "applied" or "not applied" for operations whose outcome is unknown. Exponential: keep histories
 * to a handful of operations.
 */
import type { KvHistoryRecord } from './history.js';

interface OracleOp {
  readonly record: KvHistoryRecord;
  readonly unknown: boolean;
  /** Return time, Infinity when unknown. */
  readonly end: number;
}

/** Applies a known operation; returns false if its output is impossible from `store`. */
function applyKnown(store: Map<string, string>, record: KvHistoryRecord): boolean {
  const current = store.get(record.key) ?? null;
  const output = record.output as { value?: string | null; ok?: boolean; deleted?: boolean };
  switch (record.op) {
    case 'get':
      return output.value === current;
    case 'put':
      store.set(record.key, record.value!);
      return true;
    case 'delete':
      if (output.deleted !== undefined && output.deleted !== (current !== null)) return false;
      store.delete(record.key);
      return true;
    case 'cas':
      if (output.ok !== (current === record.expected)) return false;
      if (output.ok) store.set(record.key, record.value!);
      return true;
  }
}

/** Applies an operation with unknown outcome as if it took effect (a cas only if it matches). */
function applyUnknown(store: Map<string, string>, record: KvHistoryRecord): void {
  const current = store.get(record.key) ?? null;
  if (record.op === 'put' || (record.op === 'cas' && current === record.expected)) store.set(record.key, record.value!);
  if (record.op === 'delete') store.delete(record.key);
}

function search(remaining: readonly OracleOp[], store: Map<string, string>): boolean {
  if (remaining.length === 0) return true;
  const deadline = Math.min(...remaining.map((op) => op.end));
  return remaining.some((op, index) => {
    if (op.record.call > deadline) return false;
    const rest = remaining.filter((_, other) => other !== index);
    if (op.unknown) {
      const applied = new Map(store);
      applyUnknown(applied, op.record);
      return search(rest, applied) || search(rest, store);
    }
    const next = new Map(store);
    return applyKnown(next, op.record) && search(rest, next);
  });
}

/** True when the records (validated, any number of keys) have a linearization. */
export function bruteForceLinearizable(records: readonly KvHistoryRecord[]): boolean {
  const ops: OracleOp[] = records
    .filter((record) => !('failed' in record.output))
    .map((record) => {
      const unknown = 'unknown' in record.output;
      return { record, unknown, end: unknown || record.return === null ? Infinity : record.return };
    });
  return search(ops, new Map());
}
