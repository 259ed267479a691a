import { fromBase64, toBigint } from './codec.js';

/** etcd's response header: which cluster and member answered, at which revision and Raft term. */
export interface ResponseHeader {
  readonly clusterId: bigint;
  readonly memberId: bigint;
  readonly revision: bigint;
  readonly raftTerm: bigint;
}

/** A key's value with its revision metadata. Keys and values are Buffers (call `.toString()` for text). */
export interface KeyValue {
  readonly key: Buffer;
  readonly value: Buffer;
  /** Revision of the put that created this generation of the key. */
  readonly createRevision: bigint;
  /** Revision of the last change to the key. */
  readonly modRevision: bigint;
  /** Puts since creation (1 after create). */
  readonly version: bigint;
  /** Attached lease id, 0n for none. */
  readonly lease: bigint;
}

export interface GetResult {
  readonly header: ResponseHeader;
  readonly kvs: KeyValue[];
  /** True when the range held more keys than the limit. */
  readonly more: boolean;
  /** Keys in the range (not reduced by the limit). */
  readonly count: bigint;
}

export interface PutResult {
  readonly header: ResponseHeader;
  /** The value before the put, when asked for with `prevKv` and the key existed. */
  readonly prevKv: KeyValue | null;
}

export interface DeleteResult {
  readonly header: ResponseHeader;
  readonly deleted: bigint;
  readonly prevKvs: KeyValue[];
}

export type TxnOpResult =
  | ({ readonly type: 'get' } & Omit<GetResult, 'header'>)
  | ({ readonly type: 'put' } & Omit<PutResult, 'header'>)
  | ({ readonly type: 'delete' } & Omit<DeleteResult, 'header'>)
  | ({ readonly type: 'txn' } & Omit<TxnResult, 'header'>);

export interface TxnResult {
  readonly header: ResponseHeader;
  /** True when every compare held and the `then` branch ran. */
  readonly succeeded: boolean;
  /** One result per op of the branch that ran, in order. */
  readonly responses: TxnOpResult[];
}

type Wire = Record<string, unknown>;

export function decodeHeader(wire: unknown): ResponseHeader {
  const header = (wire ?? {}) as Wire;
  return {
    clusterId: toBigint(header['cluster_id']),
    memberId: toBigint(header['member_id']),
    revision: toBigint(header['revision']),
    raftTerm: toBigint(header['raft_term']),
  };
}

export function decodeKeyValue(wire: unknown): KeyValue {
  const kv = wire as Wire;
  return {
    key: fromBase64(kv['key']),
    value: fromBase64(kv['value']),
    createRevision: toBigint(kv['create_revision']),
    modRevision: toBigint(kv['mod_revision']),
    version: toBigint(kv['version']),
    lease: toBigint(kv['lease']),
  };
}

function decodeKvs(wire: unknown): KeyValue[] {
  return Array.isArray(wire) ? wire.map(decodeKeyValue) : [];
}

export function decodeGet(wire: Wire): Omit<GetResult, 'header'> {
  return { kvs: decodeKvs(wire['kvs']), more: wire['more'] === true, count: toBigint(wire['count']) };
}

export function decodePut(wire: Wire): Omit<PutResult, 'header'> {
  return { prevKv: wire['prev_kv'] === undefined ? null : decodeKeyValue(wire['prev_kv']) };
}

export function decodeDelete(wire: Wire): Omit<DeleteResult, 'header'> {
  return { deleted: toBigint(wire['deleted']), prevKvs: decodeKvs(wire['prev_kvs']) };
}

export function decodeTxn(wire: Wire): Omit<TxnResult, 'header'> {
  const responses = Array.isArray(wire['responses']) ? (wire['responses'] as Wire[]) : [];
  return {
    succeeded: wire['succeeded'] === true,
    responses: responses.map((op): TxnOpResult => {
      if (op['response_range'] !== undefined) return { type: 'get', ...decodeGet(op['response_range'] as Wire) };
      if (op['response_put'] !== undefined) return { type: 'put', ...decodePut(op['response_put'] as Wire) };
      if (op['response_delete_range'] !== undefined) return { type: 'delete', ...decodeDelete(op['response_delete_range'] as Wire) };
      return { type: 'txn', ...decodeTxn((op['response_txn'] ?? {}) as Wire) };
    }),
  };
}
