import type { DeleteResult, GetResult, KeyValue, PutResult, TxnOpResult, TxnResult } from '../../../../client-sdk/index.js';
import { goQuote } from '../go-strconv.js';
import type { Output } from '../io.js';
import { hexId, memberRows, statusRows, type Rows } from './cluster-rows.js';
import { leaseHex, type EndpointHealth, type LeaseTimeToLiveShown, type MemberAdded, type PrintFunctions, type PrinterOptions } from './printer.js';

/** etcdctl's --hex form of a byte string: every byte as \xNN. */
export function hexEscaped(bytes: Buffer): string {
  let text = '';
  for (const byte of bytes) text += `\\x${byte.toString(16).padStart(2, '0')}`;
  return text;
}

/** Go's %16x: hex, padded with spaces to 16 columns (etcdctl's member messages). */
function paddedId(id: bigint): string {
  return hexId(id).padStart(16, ' ');
}

/**
 * What `member add` prints after its first line: the settings the new member starts with, as
 * etcdctl's ETCD_* lines but named for Synod's server environment (SYNOD_NAME, ...). Every peer URL
 * of the cluster appears as name=url, the new member under the name given; an unstarted member has
 * no name yet.
 */
function newMemberSettings({ name, peerURLs, result }: MemberAdded): string {
  const initialCluster = result.members.flatMap((member) =>
    member.peerURLs.map((url) => `${member.id === result.member.id ? name : member.name}=${url}`),
  );
  return [
    '',
    `SYNOD_NAME=${goQuote(name)}`,
    `SYNOD_INITIAL_CLUSTER=${goQuote(initialCluster.join(','))}`,
    `SYNOD_INITIAL_ADVERTISE_PEER_URLS=${goQuote(peerURLs.join(','))}`,
    'SYNOD_INITIAL_CLUSTER_STATE="existing"',
    '',
  ].join('\n');
}

/**
 * etcdctl's `lease timetolive` line: "already expired" for a lease the member does not know, else the
 * granted and remaining TTL, and with --keys the attached keys as Go's %v of a []string: [a b].
 */
function timeToLiveLine({ result, withKeys }: LeaseTimeToLiveShown): Buffer {
  const id = leaseHex(result.id);
  if (result.grantedTtlSeconds === 0 && result.ttlSeconds === -1) return Buffer.from(`lease ${id} already expired\n`);
  const parts: Uint8Array[] = [Buffer.from(`lease ${id} granted with TTL(${result.grantedTtlSeconds}s), remaining(${result.ttlSeconds}s)`)];
  if (withKeys) {
    const keys = result.keys.flatMap((key, index): Uint8Array[] => (index === 0 ? [key] : [Buffer.from(' '), key]));
    parts.push(Buffer.from(', attached keys(['), ...keys, Buffer.from('])'));
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

function healthLine(probe: EndpointHealth): string {
  return probe.error === ''
    ? `${probe.endpoint} is healthy: successfully committed proposal: took = ${probe.took}\n`
    : `${probe.endpoint} is unhealthy: failed to commit proposal: ${probe.error}\n`;
}

/**
 * `-w simple`, etcdctl's default: a key-value is its key line then its value line (raw bytes, or \x..
 * with --hex), put says OK, delete prints the count, txn prints SUCCESS or FAILURE and then each
 * response after a blank line. Member and endpoint results are etcdctl's table rows joined by ", ";
 * `endpoint health` goes to `err`, as etcdctl prints it on stderr.
 */
export function simplePrinter(out: Output, options: PrinterOptions, err: Output = out): PrintFunctions {
  const printBytes = (bytes: Buffer): void => {
    out.write(options.hex ? hexEscaped(bytes) : bytes);
    out.write('\n');
  };
  const printKv = (kv: KeyValue): void => {
    if (!options.valueOnly) printBytes(kv.key);
    printBytes(kv.value);
  };
  const put = (result: Pick<PutResult, 'prevKv'>): void => {
    out.write('OK\n');
    if (result.prevKv !== null) printKv(result.prevKv);
  };
  const get = (result: Pick<GetResult, 'kvs'>): void => {
    for (const kv of result.kvs) printKv(kv);
  };
  const del = (result: Pick<DeleteResult, 'deleted' | 'prevKvs'>): void => {
    out.write(`${result.deleted}\n`);
    for (const kv of result.prevKvs) printKv(kv);
  };
  const txnOp = (op: TxnOpResult): void => {
    out.write('\n');
    if (op.type === 'put') put(op);
    else if (op.type === 'get') get(op);
    else if (op.type === 'delete') del(op);
    else out.write(`unexpected response ${op.type}\n`);
  };
  const txn = (result: TxnResult): void => {
    out.write(result.succeeded ? 'SUCCESS\n' : 'FAILURE\n');
    for (const op of result.responses) txnOp(op);
  };
  const rows = ({ rows: lines }: Rows): void => {
    for (const row of lines) out.write(`${row.join(', ')}\n`);
  };
  const memberMessage = (verb: string, id: bigint, clusterId: bigint): void =>
    out.write(`Member ${paddedId(id)} ${verb} cluster ${paddedId(clusterId)}\n`);
  return {
    put,
    get,
    del,
    txn,
    memberList: (result) => rows(memberRows(result)),
    memberAdd: (added) => {
      memberMessage('added to', added.result.member.id, added.result.header.clusterId);
      out.write(newMemberSettings(added));
    },
    memberRemove: ({ id, result }) => memberMessage('removed from', id, result.header.clusterId),
    memberUpdate: ({ id, result }) => memberMessage('updated in', id, result.header.clusterId),
    memberPromote: ({ id, result }) => memberMessage('promoted in', id, result.header.clusterId),
    moveLeader: (moved) => out.write(`Leadership transferred from ${hexId(moved.from)} to ${hexId(moved.to)}\n`),
    endpointStatus: (statuses) => rows(statusRows(statuses)),
    endpointHealth: (probes) => {
      for (const probe of probes) err.write(healthLine(probe));
    },
    endpointHashKv: (hashes) => {
      for (const { endpoint, hashKv } of hashes) out.write(`${endpoint}, ${hashKv.hash}\n`);
    },
    // etcdctl: the event type, then the previous key-value (with --prev-kv), then the key-value.
    watch: ({ events }) => {
      for (const event of events) {
        out.write(event.type === 'put' ? 'PUT\n' : 'DELETE\n');
        if (event.prevKv !== null) printKv(event.prevKv);
        printKv(event.kv);
      }
    },
    leaseGrant: ({ id, ttlSeconds }) => out.write(`lease ${leaseHex(id)} granted with TTL(${ttlSeconds}s)\n`),
    leaseRevoke: ({ id }) => out.write(`lease ${leaseHex(id)} revoked\n`),
    leaseTimeToLive: (shown) => out.write(timeToLiveLine(shown)),
    leaseList: ({ ids }) => {
      out.write(`found ${ids.length} leases\n`);
      for (const id of ids) out.write(`${leaseHex(id)}\n`);
    },
    leaseKeepAlive: ({ id, ttlSeconds }) => out.write(`lease ${leaseHex(id)} keepalived with TTL(${ttlSeconds})\n`),
  };
}
