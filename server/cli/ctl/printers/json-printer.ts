import type { DeleteResult, GetResult, KeyValue, Member, PutResult, ResponseHeader, StatusResult, TxnOpResult, TxnResult } from '../../../../client-sdk/index.js';
import type { Output } from '../io.js';
import { goJson, nonZero, type GoJson } from './go-json.js';
import { txnOpRevisions, type PrintFunctions, type WatchedChange, type WatchResponse } from './printer.js';

type JsonObject = { readonly [name: string]: GoJson | undefined };

/** etcd's ResponseHeader as json.Marshal writes it: zero fields left out, ids as exact numbers. */
function headerJson(header: Pick<ResponseHeader, 'clusterId' | 'memberId' | 'revision' | 'raftTerm'>): JsonObject {
  return {
    cluster_id: nonZero(header.clusterId),
    member_id: nonZero(header.memberId),
    revision: nonZero(header.revision),
    raft_term: nonZero(header.raftTerm),
  };
}

function kvJson(kv: KeyValue): JsonObject {
  return {
    key: kv.key.length > 0 ? kv.key : undefined,
    create_revision: nonZero(kv.createRevision),
    mod_revision: nonZero(kv.modRevision),
    version: nonZero(kv.version),
    value: kv.value.length > 0 ? kv.value : undefined,
    lease: nonZero(kv.lease),
  };
}

function kvsJson(kvs: readonly KeyValue[]): GoJson | undefined {
  return kvs.length > 0 ? kvs.map(kvJson) : undefined;
}

function getJson(result: Omit<GetResult, 'header'>, header: JsonObject): JsonObject {
  return { header, kvs: kvsJson(result.kvs), more: result.more ? true : undefined, count: nonZero(result.count) };
}

function putJson(result: Omit<PutResult, 'header'>, header: JsonObject): JsonObject {
  return { header, prev_kv: result.prevKv === null ? undefined : kvJson(result.prevKv) };
}

function delJson(result: Omit<DeleteResult, 'header'>, header: JsonObject): JsonObject {
  return { header, deleted: nonZero(result.deleted), prev_kvs: kvsJson(result.prevKvs) };
}

function txnJson(result: Omit<TxnResult, 'header'>, header: JsonObject, revision: bigint): JsonObject {
  const revisions = txnOpRevisions(result.responses, revision);
  const responses = result.responses.map((op, index): GoJson => {
    const opHeader = headerJson({ clusterId: 0n, memberId: 0n, revision: revisions[index]!, raftTerm: 0n });
    return { Response: responseJson(op, opHeader, revisions[index]!) };
  });
  return { header, succeeded: result.succeeded ? true : undefined, responses: responses.length > 0 ? responses : undefined };
}

/** A txn response op as Go marshals the protobuf oneof: {"Response":{"ResponsePut":{...}}}. */
function responseJson(op: TxnOpResult, header: JsonObject, revision: bigint): JsonObject {
  switch (op.type) {
    case 'get':
      return { ResponseRange: getJson(op, header) };
    case 'put':
      return { ResponsePut: putJson(op, header) };
    case 'delete':
      return { ResponseDeleteRange: delJson(op, header) };
    case 'txn':
      return { ResponseTxn: txnJson(op, header, revision) };
  }
}

/** `omitempty` for a list or a string: left out when empty. */
function nonEmpty<T extends GoJson>(value: readonly T[] | string): GoJson | undefined {
  return value.length === 0 ? undefined : (value as GoJson);
}

/** etcd's Member message: ID as an exact number, empty names and lists and a false isLearner left out. */
function memberJson(member: Member): JsonObject {
  return {
    ID: nonZero(member.id),
    name: nonEmpty(member.name),
    peerURLs: nonEmpty(member.peerURLs),
    clientURLs: nonEmpty(member.clientURLs),
    isLearner: member.isLearner ? true : undefined,
  };
}

function membersJson(members: readonly Member[]): GoJson | undefined {
  return members.length > 0 ? members.map(memberJson) : undefined;
}

/** etcd's StatusResponse, in its field order; Synod reports no errors (etcd's alarms). */
function statusJson(status: StatusResult): JsonObject {
  return {
    header: headerJson(status.header),
    version: nonEmpty(status.version),
    dbSize: nonZero(status.dbSize),
    leader: nonZero(status.leader),
    raftIndex: nonZero(status.raftIndex),
    raftTerm: nonZero(status.raftTerm),
    raftAppliedIndex: nonZero(status.raftAppliedIndex),
    dbSizeInUse: nonZero(status.dbSizeInUse),
    isLearner: status.isLearner ? true : undefined,
  };
}

/** An mvccpb.Event: `type` 1 for DELETE (PUT, 0, is left out), the key-value and the previous one. */
function eventJson(event: WatchedChange): JsonObject {
  return { type: event.type === 'delete' ? 1n : undefined, kv: kvJson(event.kv), prev_kv: event.prevKv === null ? undefined : kvJson(event.prevKv) };
}

/**
 * clientv3's WatchResponse struct as etcdctl marshals it: capitalised names, nothing left out, and an
 * empty (not nil) event list. synodctl never prints a `Created` response, as etcdctl does not.
 */
function watchJson(response: WatchResponse): JsonObject {
  return {
    Header: headerJson(response.header),
    Events: response.events.map(eventJson),
    CompactRevision: response.compactRevision,
    Canceled: response.canceled,
    Created: false,
  };
}

/**
 * `-w json`: the response exactly as etcdctl prints it (Go's json.Marshal of the protobuf message),
 * one line per response.
 */
export function jsonPrinter(out: Output): PrintFunctions {
  const print = (value: GoJson): void => out.write(`${goJson(value)}\n`);
  return {
    put: (result) => print(putJson(result, headerJson(result.header))),
    get: (result) => print(getJson(result, headerJson(result.header))),
    del: (result) => print(delJson(result, headerJson(result.header))),
    txn: (result) => print(txnJson(result, headerJson(result.header), result.header.revision)),
    memberList: (result) => print({ header: headerJson(result.header), members: membersJson(result.members) }),
    memberAdd: ({ result }) => print({ header: headerJson(result.header), member: memberJson(result.member), members: membersJson(result.members) }),
    memberRemove: ({ result }) => print({ header: headerJson(result.header), members: membersJson(result.members) }),
    memberUpdate: ({ result }) => print({ header: headerJson(result.header), members: membersJson(result.members) }),
    memberPromote: ({ result }) => print({ header: headerJson(result.header), members: membersJson(result.members) }),
    moveLeader: ({ header }) => print({ header: headerJson(header) }),
    // etcdctl's own structs for endpoint results: capitalised names, except health's json tags.
    endpointStatus: (statuses) => print(statuses.map(({ endpoint, status }) => ({ Endpoint: endpoint, Status: statusJson(status) }))),
    endpointHealth: (probes) =>
      print(probes.map((probe) => ({ endpoint: probe.endpoint, health: probe.healthy, took: probe.took, error: nonEmpty(probe.error) }))),
    endpointHashKv: (hashes) =>
      print(
        hashes.map(({ endpoint, hashKv }) => ({
          Endpoint: endpoint,
          HashKV: {
            header: headerJson(hashKv.header),
            hash: nonZero(BigInt(hashKv.hash)),
            compact_revision: nonZero(hashKv.compactRevision),
            hash_revision: nonZero(hashKv.hashRevision),
          },
        })),
      ),
    watch: (response) => print(watchJson(response)),
    // etcdctl 3.4 marshals clientv3's lease structs, which embed the header: its fields come first, flat.
    leaseGrant: ({ header, id, ttlSeconds }) => print({ ...headerJson(header), ID: id, TTL: BigInt(ttlSeconds), Error: '' }),
    leaseRevoke: ({ header }) => print({ header: headerJson(header) }),
    leaseTimeToLive: ({ result }) =>
      print({
        ...headerJson(result.header),
        id: result.id,
        ttl: BigInt(result.ttlSeconds),
        'granted-ttl': BigInt(result.grantedTtlSeconds),
        keys: result.keys.length > 0 ? result.keys : null,
      }),
    leaseList: ({ header, ids }) => print({ ...headerJson(header), leases: ids.map((id) => ({ id })) }),
    leaseKeepAlive: ({ header, id, ttlSeconds }) => print({ ...headerJson(header), ID: id, TTL: BigInt(ttlSeconds) }),
  };
}
