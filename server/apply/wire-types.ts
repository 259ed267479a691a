/**
 * The JSON shapes of the client protocol's KV methods, named as in etcd's JSON API: bytes are base64
 * strings, 64-bit integers are decimal strings (numbers are accepted on input), enums are names (their
 * etcd numbers are accepted on input). Every field is optional on input, as in proto3 JSON.
 */
export type WireInt64 = string | number;
export type WireBytes = string;

export interface WireRangeRequest {
  key?: WireBytes;
  range_end?: WireBytes;
  limit?: WireInt64;
  revision?: WireInt64;
  sort_order?: string | number;
  sort_target?: string | number;
  serializable?: boolean;
  keys_only?: boolean;
  count_only?: boolean;
  min_mod_revision?: WireInt64;
  max_mod_revision?: WireInt64;
  min_create_revision?: WireInt64;
  max_create_revision?: WireInt64;
}

export interface WirePutRequest {
  key?: WireBytes;
  value?: WireBytes;
  lease?: WireInt64;
  prev_kv?: boolean;
  ignore_value?: boolean;
  ignore_lease?: boolean;
}

export interface WireDeleteRangeRequest {
  key?: WireBytes;
  range_end?: WireBytes;
  prev_kv?: boolean;
}

export interface WireCompare {
  result?: string | number;
  target?: string | number;
  key?: WireBytes;
  range_end?: WireBytes;
  version?: WireInt64;
  create_revision?: WireInt64;
  mod_revision?: WireInt64;
  value?: WireBytes;
  lease?: WireInt64;
}

export interface WireRequestOp {
  request_range?: WireRangeRequest;
  request_put?: WirePutRequest;
  request_delete_range?: WireDeleteRangeRequest;
  request_txn?: WireTxnRequest;
}

export interface WireTxnRequest {
  compare?: WireCompare[];
  success?: WireRequestOp[];
  failure?: WireRequestOp[];
}

export interface WireCompactionRequest {
  revision?: WireInt64;
  physical?: boolean;
}

/** etcd's ResponseHeader. */
export interface WireHeader {
  cluster_id: string;
  member_id: string;
  revision: string;
  raft_term: string;
}

/** A KeyValue; zero fields are left out, as etcd's JSON does. */
export interface WireKeyValue {
  key: WireBytes;
  create_revision?: string;
  mod_revision?: string;
  version?: string;
  value?: WireBytes;
  lease?: string;
}

export interface WireRangeResponse {
  header?: WireHeader;
  kvs?: WireKeyValue[];
  more?: boolean;
  count?: string;
}

export interface WirePutResponse {
  header?: WireHeader;
  prev_kv?: WireKeyValue;
}

export interface WireDeleteRangeResponse {
  header?: WireHeader;
  deleted?: string;
  prev_kvs?: WireKeyValue[];
}

export interface WireResponseOp {
  response_range?: WireRangeResponse;
  response_put?: WirePutResponse;
  response_delete_range?: WireDeleteRangeResponse;
  response_txn?: WireTxnResponse;
}

export interface WireTxnResponse {
  header?: WireHeader;
  succeeded?: boolean;
  responses?: WireResponseOp[];
}

export interface WireCompactionResponse {
  header?: WireHeader;
}
