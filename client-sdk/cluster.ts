import { decodeHeader, type ResponseHeader } from './kv-types.js';
import type { CallOptions } from './kv-requests.js';

/** A member of the cluster. Ids are bigint (64-bit). */
export interface Member {
  readonly id: bigint;
  /** Empty until the member has started and published itself. */
  readonly name: string;
  readonly peerURLs: string[];
  /** Empty until the member has started and published itself. */
  readonly clientURLs: string[];
  readonly isLearner: boolean;
}

export interface MemberListResult {
  readonly header: ResponseHeader;
  readonly members: Member[];
}

export interface MemberAddResult extends MemberListResult {
  readonly member: Member;
}

export interface HashKvResult {
  readonly header: ResponseHeader;
  /** CRC-32 of the member's history up to `hashRevision`: equal on members that applied the same writes. */
  readonly hash: number;
  readonly compactRevision: bigint;
  readonly hashRevision: bigint;
}

type Call = (method: string, params: object, options: CallOptions & { idempotent: boolean }) => Promise<Record<string, unknown>>;

function decodeMember(wire: unknown): Member {
  const member = wire as Record<string, unknown>;
  return {
    id: BigInt(String(member['ID'] ?? '0')),
    name: String(member['name'] ?? ''),
    peerURLs: (member['peerURLs'] as string[] | undefined) ?? [],
    clientURLs: (member['clientURLs'] as string[] | undefined) ?? [],
    isLearner: member['isLearner'] === true,
  };
}

function decodeMembers(result: Record<string, unknown>): MemberListResult {
  return { header: decodeHeader(result['header']), members: ((result['members'] as unknown[]) ?? []).map(decodeMember) };
}

/**
 * Membership and maintenance calls (etcd's Cluster and Maintenance services). Changes go through the
 * Raft log and resolve once applied on the member that took them. Calls that only the leader can answer
 * (promote, moveLeader) move between endpoints until they find it.
 */
export class Cluster {
  constructor(private readonly call: Call) {}

  /** The members; `linearizable` first confirms this member's view is current. */
  async memberList(options: CallOptions & { linearizable?: boolean } = {}): Promise<MemberListResult> {
    return decodeMembers(await this.call('cluster.member.list', options.linearizable === true ? { linearizable: true } : {}, { ...options, idempotent: true }));
  }

  /** Adds a member (a learner with `isLearner`); start it afterwards with --initial-cluster-state existing. */
  async memberAdd(peerURLs: readonly string[], options: CallOptions & { isLearner?: boolean } = {}): Promise<MemberAddResult> {
    const params: Record<string, unknown> = { peerURLs: [...peerURLs] };
    if (options.isLearner === true) params['isLearner'] = true;
    const result = await this.call('cluster.member.add', params, { ...options, idempotent: false });
    return { ...decodeMembers(result), member: decodeMember(result['member']) };
  }

  async memberRemove(id: bigint, options: CallOptions = {}): Promise<MemberListResult> {
    return decodeMembers(await this.call('cluster.member.remove', { ID: id.toString() }, { ...options, idempotent: false }));
  }

  async memberUpdate(id: bigint, peerURLs: readonly string[], options: CallOptions = {}): Promise<MemberListResult> {
    return decodeMembers(await this.call('cluster.member.update', { ID: id.toString(), peerURLs: [...peerURLs] }, { ...options, idempotent: false }));
  }

  /** Promotes a learner to a voter once it has caught up (`learner_not_ready` until then). */
  async memberPromote(id: bigint, options: CallOptions = {}): Promise<MemberListResult> {
    return decodeMembers(await this.call('cluster.member.promote', { ID: id.toString() }, { ...options, idempotent: false }));
  }

  /** Hands leadership to a voting member and resolves once it leads. */
  async moveLeader(targetId: bigint, options: CallOptions = {}): Promise<{ header: ResponseHeader }> {
    const result = await this.call('maintenance.moveleader', { targetID: targetId.toString() }, { ...options, idempotent: false });
    return { header: decodeHeader(result['header']) };
  }

  /** Hash of the member's history up to `revision` (0: the latest). */
  async hashKv(revision: bigint | number = 0, options: CallOptions = {}): Promise<HashKvResult> {
    const result = await this.call('maintenance.hashkv', revision === 0 || revision === 0n ? {} : { revision: revision.toString() }, { ...options, idempotent: true });
    return {
      header: decodeHeader(result['header']),
      hash: Number(result['hash'] ?? 0),
      compactRevision: BigInt(String(result['compact_revision'] ?? '0')),
      hashRevision: BigInt(String(result['hash_revision'] ?? '0')),
    };
  }
}
