/**
 * JSON Schemas of every method's params, compiled once by ajv. Unknown fields are refused, so a typo
 * is an error rather than a silently ignored option.
 */
const int64 = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]{1,20}$' }] } as const;
const bytes = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' } as const;
const enumOf = (names: readonly string[]) => ({ anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', enum: names }] });

const rangeRequest = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: bytes,
    range_end: bytes,
    limit: int64,
    revision: int64,
    sort_order: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    sort_target: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    serializable: { type: 'boolean' },
    keys_only: { type: 'boolean' },
    count_only: { type: 'boolean' },
    min_mod_revision: int64,
    max_mod_revision: int64,
    min_create_revision: int64,
    max_create_revision: int64,
  },
} as const;

const putRequest = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: bytes,
    value: bytes,
    lease: int64,
    prev_kv: { type: 'boolean' },
    ignore_value: { type: 'boolean' },
    ignore_lease: { type: 'boolean' },
  },
} as const;

const deleteRangeRequest = {
  type: 'object',
  additionalProperties: false,
  properties: { key: bytes, range_end: bytes, prev_kv: { type: 'boolean' } },
} as const;

const compare = {
  type: 'object',
  additionalProperties: false,
  properties: {
    result: enumOf(['EQUAL', 'GREATER', 'LESS', 'NOT_EQUAL']),
    target: enumOf(['VERSION', 'CREATE', 'MOD', 'VALUE', 'LEASE']),
    key: bytes,
    range_end: bytes,
    version: int64,
    create_revision: int64,
    mod_revision: int64,
    value: bytes,
    lease: int64,
  },
} as const;

const txnRequest = {
  $id: 'synod:txn',
  type: 'object',
  additionalProperties: false,
  properties: {
    compare: { type: 'array', items: compare },
    success: { type: 'array', items: { $ref: 'synod:op' } },
    failure: { type: 'array', items: { $ref: 'synod:op' } },
  },
} as const;

const requestOp = {
  $id: 'synod:op',
  type: 'object',
  additionalProperties: false,
  maxProperties: 1,
  properties: {
    request_range: rangeRequest,
    request_put: putRequest,
    request_delete_range: deleteRangeRequest,
    request_txn: { $ref: 'synod:txn' },
  },
} as const;

const compactionRequest = {
  type: 'object',
  additionalProperties: false,
  properties: { revision: int64, physical: { type: 'boolean' } },
} as const;

const empty = { type: 'object', additionalProperties: false, properties: {} } as const;

const watchCreateRequest = {
  type: 'object',
  additionalProperties: false,
  properties: {
    key: bytes,
    range_end: bytes,
    start_revision: int64,
    progress_notify: { type: 'boolean' },
    filters: { type: 'array', maxItems: 2, items: { anyOf: [{ type: 'integer' }, { type: 'string' }] } },
    prev_kv: { type: 'boolean' },
    watch_id: int64,
    fragment: { type: 'boolean' },
  },
} as const;

const watchCancelRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['watch_id'],
  properties: { watch_id: int64 },
} as const;

const memberId = { anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: '^[0-9]{1,20}$' }] } as const;
const peerUrls = { type: 'array', minItems: 1, maxItems: 16, items: { type: 'string', minLength: 1, maxLength: 2048 } } as const;

const memberListRequest = { type: 'object', additionalProperties: false, properties: { linearizable: { type: 'boolean' } } } as const;
const memberAddRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['peerURLs'],
  properties: { peerURLs: peerUrls, isLearner: { type: 'boolean' } },
} as const;
const memberIdRequest = { type: 'object', additionalProperties: false, required: ['ID'], properties: { ID: memberId } } as const;
const memberUpdateRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['ID', 'peerURLs'],
  properties: { ID: memberId, peerURLs: peerUrls },
} as const;
const moveLeaderRequest = { type: 'object', additionalProperties: false, required: ['targetID'], properties: { targetID: memberId } } as const;
const hashKvRequest = { type: 'object', additionalProperties: false, properties: { revision: int64 } } as const;

const leaseGrantRequest = { type: 'object', additionalProperties: false, properties: { TTL: int64, ID: int64 } } as const;
const leaseIdRequest = { type: 'object', additionalProperties: false, required: ['ID'], properties: { ID: int64 } } as const;
const leaseTimeToLiveRequest = {
  type: 'object',
  additionalProperties: false,
  required: ['ID'],
  properties: { ID: int64, keys: { type: 'boolean' } },
} as const;

/** Shared sub-schemas, registered with ajv before the method schemas that refer to them. */
export const sharedSchemas = [requestOp, txnRequest] as const;

/** The params schema of every method. */
export const methodSchemas = {
  'kv.range': rangeRequest,
  'kv.put': putRequest,
  'kv.deleterange': deleteRangeRequest,
  'kv.txn': { $ref: 'synod:txn' },
  'kv.compaction': compactionRequest,
  'maintenance.status': empty,
  'watch.create': watchCreateRequest,
  'watch.cancel': watchCancelRequest,
  'watch.progress': empty,
  'cluster.member.list': memberListRequest,
  'cluster.member.add': memberAddRequest,
  'cluster.member.remove': memberIdRequest,
  'cluster.member.update': memberUpdateRequest,
  'cluster.member.promote': memberIdRequest,
  'maintenance.hashkv': hashKvRequest,
  'maintenance.moveleader': moveLeaderRequest,
  'lease.grant': leaseGrantRequest,
  'lease.revoke': leaseIdRequest,
  'lease.keepalive': leaseIdRequest,
  'lease.timetolive': leaseTimeToLiveRequest,
  'lease.leases': empty,
} as const;

export type Method = keyof typeof methodSchemas;
