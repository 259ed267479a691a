import { int64, toBase64, type BytesInput } from './codec.js';
import { deleteParams, putParams, rangeParams, type DeleteOptions, type GetOptions, type PutOptions, type RangeSelector } from './kv-requests.js';
import type { TxnResult } from './kv-types.js';

/** Comparison operators of a txn compare. */
export type CompareOperator = '=' | '!=' | '<' | '>';

const RESULTS: Record<CompareOperator, string> = { '=': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' };

/** One condition of a txn. Over a range (prefix/fromKey/rangeEnd) it must hold for every key in it. */
export interface Compare {
  readonly wire: Record<string, unknown>;
}

function makeCompare(target: string, field: string, key: BytesInput, operator: CompareOperator, operand: string, range: RangeSelector): Compare {
  if (!(operator in RESULTS)) throw new TypeError(`unknown compare operator ${operator}`);
  const keyParams = rangeParams(key, range);
  const wire: Record<string, unknown> = { result: RESULTS[operator], target, key: keyParams['key'] };
  if (keyParams['range_end'] !== undefined) wire['range_end'] = keyParams['range_end'];
  wire[field] = operand;
  return { wire };
}

/**
 * Builders of txn compares, as etcd defines them: a missing key has version, create and mod revision 0
 * (so `createRevision(k, '=', 0n)` means "k does not exist"), and a value compare on a missing key is false.
 */
export const compare = {
  value: (key: BytesInput, operator: CompareOperator, value: BytesInput, range: RangeSelector = {}): Compare =>
    makeCompare('VALUE', 'value', key, operator, toBase64(value), range),
  version: (key: BytesInput, operator: CompareOperator, version: bigint | number, range: RangeSelector = {}): Compare =>
    makeCompare('VERSION', 'version', key, operator, int64(version), range),
  createRevision: (key: BytesInput, operator: CompareOperator, revision: bigint | number, range: RangeSelector = {}): Compare =>
    makeCompare('CREATE', 'create_revision', key, operator, int64(revision), range),
  modRevision: (key: BytesInput, operator: CompareOperator, revision: bigint | number, range: RangeSelector = {}): Compare =>
    makeCompare('MOD', 'mod_revision', key, operator, int64(revision), range),
  lease: (key: BytesInput, operator: CompareOperator, lease: bigint | number, range: RangeSelector = {}): Compare =>
    makeCompare('LEASE', 'lease', key, operator, int64(lease), range),
};

/** One operation of a txn branch. */
export interface Op {
  readonly wire: Record<string, unknown>;
}

/** Builders of txn operations; a read inside a txn sees the txn's earlier writes. */
export const op = {
  get: (key: BytesInput, options: GetOptions = {}): Op => ({ wire: { request_range: rangeParams(key, options) } }),
  put: (key: BytesInput, value: BytesInput, options: PutOptions = {}): Op => ({ wire: { request_put: putParams(key, value, options) } }),
  delete: (key: BytesInput, options: DeleteOptions = {}): Op => ({ wire: { request_delete_range: deleteParams(key, options) } }),
  txn: (nested: { if?: Compare[]; then?: Op[]; else?: Op[] }): Op => ({
    wire: { request_txn: txnParams(nested.if ?? [], nested.then ?? [], nested.else ?? []) },
  }),
};

/** The wire params of a txn. */
export function txnParams(compares: readonly Compare[], thenOps: readonly Op[], elseOps: readonly Op[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (compares.length > 0) params['compare'] = compares.map((c) => c.wire);
  if (thenOps.length > 0) params['success'] = thenOps.map((o) => o.wire);
  if (elseOps.length > 0) params['failure'] = elseOps.map((o) => o.wire);
  return params;
}

/**
 * A txn under construction: `client.txn().if(...).then(...).else(...).commit()`. The whole txn is atomic
 * and takes one revision (none if it changes nothing).
 */
export class TxnBuilder {
  private readonly compares: Compare[] = [];
  private readonly thenOps: Op[] = [];
  private readonly elseOps: Op[] = [];

  constructor(private readonly run: (params: Record<string, unknown>, options: { signal?: AbortSignal; timeoutMs?: number }) => Promise<TxnResult>) {}

  if(...compares: Compare[]): this {
    this.compares.push(...compares);
    return this;
  }

  then(...ops: Op[]): this {
    // A builder is not a promise: `await builder` lands here with two functions, so say what to do.
    if (ops.some((o) => typeof o === 'function')) throw new TypeError('a txn builder is not a promise: call .commit() to send it');
    this.thenOps.push(...ops);
    return this;
  }

  else(...ops: Op[]): this {
    this.elseOps.push(...ops);
    return this;
  }

  /** Sends the txn. */
  commit(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<TxnResult> {
    return this.run(txnParams(this.compares, this.thenOps, this.elseOps), options);
  }
}
