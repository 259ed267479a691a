import { createHash } from 'node:crypto';

/** Who this member is: ids are unsigned 64-bit, kept as decimal strings (as etcd prints them). */
export interface MemberIdentity {
  readonly name: string;
  readonly memberId: string;
  readonly clusterId: string;
}

/** The member id as 16 hex digits, as etcd writes member ids; Raft uses it as the node id. */
export function idToHex(id: string): string {
  return BigInt(id).toString(16).padStart(16, '0');
}

/** The decimal member id of a Raft node id. */
export function hexToId(hex: string): string {
  return BigInt(`0x${hex}`).toString();
}

function first64Bits(hash: Buffer): string {
  const id = hash.readBigUInt64BE(0);
  return (id === 0n ? 1n : id).toString();
}

/**
 * A member's id, derived (as etcd does) from its sorted peer URLs and the cluster token, so every member
 * computes the same id for the same member without talking to it.
 */
export function computeMemberId(peerUrls: readonly string[], token: string): string {
  return first64Bits(createHash('sha1').update([...peerUrls].sort().join(',')).update(token).digest());
}

/** The cluster id, derived from the sorted ids of the initial members and the token. */
export function computeClusterId(memberIds: readonly string[], token: string): string {
  const hash = createHash('sha1');
  for (const id of [...memberIds].sort()) {
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt(id));
    hash.update(bytes);
  }
  return first64Bits(hash.update(token).digest());
}
