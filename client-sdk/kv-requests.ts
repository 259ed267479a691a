import { int64, prefixRangeEnd, toBase64, toBuffer, type BytesInput } from './codec.js';

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call; for a write already sent, the outcome is then unknown. */
  readonly signal?: AbortSignal;
  /** Overrides the client's request timeout for this call. */
  readonly timeoutMs?: number;
}

/** Which keys an operation covers: one key (default), a prefix, every key from `key` on, or [key, rangeEnd). */
export interface RangeSelector {
  readonly prefix?: boolean;
  readonly fromKey?: boolean;
  readonly rangeEnd?: BytesInput;
}

export type SortTarget = 'key' | 'version' | 'create' | 'mod' | 'value';
export type SortOrder = 'none' | 'ascend' | 'descend';

export interface GetOptions extends RangeSelector {
  readonly limit?: number | bigint;
  /** Read the key space as it was at this revision. */
  readonly revision?: number | bigint;
  readonly sortTarget?: SortTarget;
  readonly sortOrder?: SortOrder;
  readonly keysOnly?: boolean;
  readonly countOnly?: boolean;
  /** Answer from the member's local state without a consensus round: faster, possibly stale. */
  readonly serializable?: boolean;
  readonly minModRevision?: number | bigint;
  readonly maxModRevision?: number | bigint;
  readonly minCreateRevision?: number | bigint;
  readonly maxCreateRevision?: number | bigint;
}

export interface PutOptions {
  /** Attach the key to this lease (0 detaches it). */
  readonly lease?: bigint;
  /** Return the previous value. */
  readonly prevKv?: boolean;
  /** Keep the current value (the key must exist); pass an empty value. */
  readonly ignoreValue?: boolean;
  /** Keep the current lease (the key must exist). */
  readonly ignoreLease?: boolean;
}

export interface DeleteOptions extends RangeSelector {
  /** Return the deleted key-values. */
  readonly prevKv?: boolean;
}

type Params = Record<string, unknown>;

function rangeEndParam(key: BytesInput, selector: RangeSelector): string | undefined {
  const chosen = [selector.prefix === true, selector.fromKey === true, selector.rangeEnd !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new TypeError('choose at most one of prefix, fromKey and rangeEnd');
  if (selector.prefix === true) return prefixRangeEnd(toBuffer(key)).toString('base64');
  if (selector.fromKey === true) return Buffer.of(0).toString('base64');
  if (selector.rangeEnd !== undefined) return toBase64(selector.rangeEnd);
  return undefined;
}

function setIf(params: Params, name: string, value: unknown): void {
  if (value !== undefined && value !== false && value !== 0 && value !== 0n) params[name] = value;
}

function int64If(params: Params, name: string, value: number | bigint | undefined): void {
  if (value !== undefined && value !== 0 && value !== 0n) params[name] = int64(value);
}

/** The wire params of a range read. */
export function rangeParams(key: BytesInput, options: GetOptions = {}): Params {
  const params: Params = { key: toBase64(key) };
  setIf(params, 'range_end', rangeEndParam(key, options));
  int64If(params, 'limit', options.limit);
  int64If(params, 'revision', options.revision);
  if (options.sortTarget !== undefined) params['sort_target'] = options.sortTarget.toUpperCase();
  if (options.sortOrder !== undefined) params['sort_order'] = options.sortOrder.toUpperCase();
  setIf(params, 'keys_only', options.keysOnly);
  setIf(params, 'count_only', options.countOnly);
  setIf(params, 'serializable', options.serializable);
  int64If(params, 'min_mod_revision', options.minModRevision);
  int64If(params, 'max_mod_revision', options.maxModRevision);
  int64If(params, 'min_create_revision', options.minCreateRevision);
  int64If(params, 'max_create_revision', options.maxCreateRevision);
  return params;
}

/** The wire params of a put. */
export function putParams(key: BytesInput, value: BytesInput, options: PutOptions = {}): Params {
  const params: Params = { key: toBase64(key) };
  const encodedValue = toBase64(value);
  if (encodedValue !== '') params['value'] = encodedValue;
  int64If(params, 'lease', options.lease);
  setIf(params, 'prev_kv', options.prevKv);
  setIf(params, 'ignore_value', options.ignoreValue);
  setIf(params, 'ignore_lease', options.ignoreLease);
  return params;
}

/** The wire params of a delete. */
export function deleteParams(key: BytesInput, options: DeleteOptions = {}): Params {
  const params: Params = { key: toBase64(key) };
  setIf(params, 'range_end', rangeEndParam(key, options));
  setIf(params, 'prev_kv', options.prevKv);
  return params;
}
