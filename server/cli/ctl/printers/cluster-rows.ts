import type { MemberListResult } from '../../../../client-sdk/index.js';
import type { EndpointHashKv, EndpointHealth, EndpointStatus } from './printer.js';

/**
 * The rows etcdctl builds for member and endpoint results; `-w simple` joins each row with ", " and
 * `-w table` lays the same rows out under the headers. Ids are lowercase hex (Go's %x).
 */
export interface Rows {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function hexId(id: bigint): string {
  return id.toString(16);
}

const SIZE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];

/**
 * go-humanize's Bytes (SI units, as etcdctl's DB SIZE column): "9 B", "1.9 kB", "20 kB", "1.2 MB".
 * One decimal below 10, none above, Go's round-half-to-even on the exact tie.
 */
export function humanizeBytes(bytes: bigint): string {
  if (bytes < 10n) return `${bytes} B`;
  const size = Number(bytes);
  const exponent = Math.floor(Math.log(size) / Math.log(1000));
  const suffix = SIZE_UNITS[exponent] ?? '?';
  // The value in tenths, rounded as Go's math.Floor(x*10+0.5).
  const tenths = Math.floor((size / 1000 ** exponent) * 10 + 0.5);
  if (tenths < 100) return `${Math.floor(tenths / 10)}.${tenths % 10} ${suffix}`;
  let whole = Math.floor(tenths / 10);
  const rest = tenths % 10;
  if (rest > 5 || (rest === 5 && whole % 2 === 1)) whole++;
  return `${whole} ${suffix}`;
}

export function memberRows(result: MemberListResult): Rows {
  return {
    headers: ['ID', 'STATUS', 'NAME', 'PEER ADDRS', 'CLIENT ADDRS', 'IS LEARNER'],
    rows: result.members.map((member) => [
      hexId(member.id),
      member.name === '' ? 'unstarted' : 'started',
      member.name,
      member.peerURLs.join(','),
      member.clientURLs.join(','),
      String(member.isLearner),
    ]),
  };
}

export function statusRows(statuses: readonly EndpointStatus[]): Rows {
  return {
    headers: ['ENDPOINT', 'ID', 'VERSION', 'DB SIZE', 'IS LEADER', 'IS LEARNER', 'RAFT TERM', 'RAFT INDEX', 'RAFT APPLIED INDEX', 'ERRORS'],
    rows: statuses.map(({ endpoint, status }) => [
      endpoint,
      hexId(status.header.memberId),
      status.version,
      humanizeBytes(status.dbSize),
      String(status.leader === status.header.memberId),
      String(status.isLearner),
      String(status.raftTerm),
      String(status.raftIndex),
      String(status.raftAppliedIndex),
      // Synod reports no member errors (etcd lists its alarms here).
      '',
    ]),
  };
}

export function healthRows(probes: readonly EndpointHealth[]): Rows {
  return {
    headers: ['ENDPOINT', 'HEALTH', 'TOOK', 'ERROR'],
    rows: probes.map((probe) => [probe.endpoint, String(probe.healthy), probe.took, probe.error]),
  };
}

export function hashKvRows(hashes: readonly EndpointHashKv[]): Rows {
  return {
    headers: ['ENDPOINT', 'HASH'],
    rows: hashes.map(({ endpoint, hashKv }) => [endpoint, String(hashKv.hash)]),
  };
}
