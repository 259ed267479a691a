import type { DeleteResult, GetResult, KeyValue, PutResult, ResponseHeader, TxnResult } from '../../../../client-sdk/index.js';
import type { Output } from '../io.js';
import { goQuote } from '../go-strconv.js';
import { txnOpRevisions, type Printer } from './printer.js';

/**
 * `-w fields`: etcdctl's `"Name" : value` lines, strings quoted as Go's %q, so scripts can pick a
 * field with grep. Inside a txn each response gets its own header, as in etcdctl (only its
 * revision is set). Member lists and endpoint results end each entry with a blank line; etcdctl
 * 3.4 prints no membership change and no move-leader in this format. A watch response is its
 * header, then each event's type, previous key-value and key-value.
 */
export function fieldsPrinter(out: Output): Printer {
  const line = (name: string, value: string | bigint | boolean): void => out.write(`"${name}" : ${String(value)}\n`);
  const header = (h: ResponseHeader): void => {
    line('ClusterID', h.clusterId);
    line('MemberID', h.memberId);
    line('Revision', h.revision);
    line('RaftTerm', h.raftTerm);
  };
  const kv = (prefix: string, keyValue: KeyValue): void => {
    line(`${prefix}Key`, goQuote(keyValue.key));
    line(`${prefix}CreateRevision`, keyValue.createRevision);
    line(`${prefix}ModRevision`, keyValue.modRevision);
    line(`${prefix}Version`, keyValue.version);
    line(`${prefix}Value`, goQuote(keyValue.value));
    line(`${prefix}Lease`, keyValue.lease);
  };
  const put = (result: Omit<PutResult, 'header'>, h: ResponseHeader): void => {
    header(h);
    if (result.prevKv !== null) kv('Prev', result.prevKv);
  };
  const get = (result: Omit<GetResult, 'header'>, h: ResponseHeader): void => {
    header(h);
    for (const keyValue of result.kvs) kv('', keyValue);
    line('More', result.more);
    line('Count', result.count);
  };
  const del = (result: Omit<DeleteResult, 'header'>, h: ResponseHeader): void => {
    header(h);
    line('Deleted', result.deleted);
    for (const keyValue of result.prevKvs) kv('Prev', keyValue);
  };
  const txn = (result: TxnResult): void => {
    header(result.header);
    line('Succeeded', result.succeeded);
    const revisions = txnOpRevisions(result.responses, result.header.revision);
    result.responses.forEach((op, index) => {
      const opHeader: ResponseHeader = { clusterId: 0n, memberId: 0n, revision: revisions[index]!, raftTerm: 0n };
      if (op.type === 'put') put(op, opHeader);
      else if (op.type === 'get') get(op, opHeader);
      else if (op.type === 'delete') del(op, opHeader);
      else line('Unknown', goQuote(op.type));
    });
  };
  const leaseTtl = (h: ResponseHeader, id: bigint, ttlSeconds: number): void => {
    header(h);
    line('ID', id);
    line('TTL', BigInt(ttlSeconds));
  };
  return {
    put: (result) => put(result, result.header),
    get: (result) => get(result, result.header),
    del: (result) => del(result, result.header),
    txn,
    memberList: (result) => {
      header(result.header);
      for (const member of result.members) {
        line('ID', member.id);
        line('Name', goQuote(member.name));
        for (const url of member.peerURLs) line('PeerURL', goQuote(url));
        for (const url of member.clientURLs) line('ClientURL', goQuote(url));
        line('IsLearner', member.isLearner);
        out.write('\n');
      }
    },
    endpointStatus: (statuses) => {
      for (const { endpoint, status } of statuses) {
        header(status.header);
        line('Version', goQuote(status.version));
        line('DBSize', status.dbSize);
        line('Leader', status.leader);
        line('IsLearner', status.isLearner);
        line('RaftIndex', status.raftIndex);
        line('RaftTerm', status.raftTerm);
        line('RaftAppliedIndex', status.raftAppliedIndex);
        // Go's %v of an empty []string: Synod reports no member errors.
        line('Errors', '[]');
        line('Endpoint', goQuote(endpoint));
        out.write('\n');
      }
    },
    endpointHealth: (probes) => {
      for (const probe of probes) {
        line('Endpoint', goQuote(probe.endpoint));
        line('Health', probe.healthy);
        line('Took', probe.took);
        line('Error', probe.error);
        out.write('\n');
      }
    },
    endpointHashKv: (hashes) => {
      for (const { endpoint, hashKv } of hashes) {
        header(hashKv.header);
        line('Endpoint', goQuote(endpoint));
        line('Hash', String(hashKv.hash));
        out.write('\n');
      }
    },
    watch: (response) => {
      header(response.header);
      for (const event of response.events) {
        line('Type', event.type === 'put' ? 'PUT' : 'DELETE');
        if (event.prevKv !== null) kv('Prev', event.prevKv);
        kv('', event.kv);
      }
    },
    leaseGrant: ({ header: h, id, ttlSeconds }) => leaseTtl(h, id, ttlSeconds),
    leaseRevoke: ({ header: h }) => header(h),
    leaseTimeToLive: ({ result }) => {
      leaseTtl(result.header, result.id, result.ttlSeconds);
      line('GrantedTTL', BigInt(result.grantedTtlSeconds));
      for (const key of result.keys) line('Key', goQuote(key));
    },
    leaseList: ({ header: h, ids }) => {
      header(h);
      for (const id of ids) line('ID', id);
    },
    leaseKeepAlive: ({ header: h, id, ttlSeconds }) => leaseTtl(h, id, ttlSeconds),
  };
}
