import type { ClusterAdmin } from '../member/cluster-admin.js';
import type { MemberInfo } from '../member/membership.js';
import type { RaftMember } from '../member/raft-member.js';
import type { WireHeader } from '../apply/wire-types.js';
import { int64ToNumber } from '../apply/kv-requests.js';
import { SYNOD_VERSION } from '../version.js';
import { SynodError } from '../errors.js';

/** etcd's JSON Member: ID as a decimal string, names and URLs, isLearner left out when false. */
export function encodeMember(member: MemberInfo): Record<string, unknown> {
  const wire: Record<string, unknown> = { ID: member.id, name: member.name, peerURLs: [...member.peerURLs], clientURLs: [...member.clientURLs] };
  if (member.isLearner) wire['isLearner'] = true;
  return wire;
}

function memberId(value: string | number | undefined, field = 'ID'): string {
  if (value === undefined) throw new SynodError('invalid_argument', `${field} is required`);
  const id = BigInt(value);
  if (id <= 0n || id >= 2n ** 64n) throw new SynodError('invalid_argument', `${field} must be an unsigned 64-bit member id`);
  return id.toString();
}

/** The Cluster and Maintenance methods (etcd's MemberList/Add/Remove/Update/Promote, Status, HashKV, MoveLeader). */
export class ClusterService {
  constructor(
    private readonly member: RaftMember,
    private readonly admin: ClusterAdmin,
    private readonly header: (revision: number) => WireHeader,
  ) {}

  private now(): WireHeader {
    return this.header(this.member.store.currentRevision);
  }

  private members(): Record<string, unknown>[] {
    return this.admin.list().map(encodeMember);
  }

  async list(params: { linearizable?: boolean }, signal: AbortSignal): Promise<object> {
    if (params.linearizable === true) await this.member.readBarrier(signal);
    return { header: this.now(), members: this.members() };
  }

  async add(params: { peerURLs?: string[]; isLearner?: boolean }, signal: AbortSignal): Promise<object> {
    const added = await this.admin.add(params.peerURLs ?? [], params.isLearner ?? false, signal);
    return { header: this.now(), member: encodeMember(added), members: this.members() };
  }

  async remove(params: { ID?: string | number }, signal: AbortSignal): Promise<object> {
    await this.admin.remove(memberId(params.ID), signal);
    return { header: this.now(), members: this.members() };
  }

  async update(params: { ID?: string | number; peerURLs?: string[] }, signal: AbortSignal): Promise<object> {
    await this.admin.update(memberId(params.ID), params.peerURLs ?? [], signal);
    return { header: this.now(), members: this.members() };
  }

  async promote(params: { ID?: string | number }, signal: AbortSignal): Promise<object> {
    await this.admin.promote(memberId(params.ID), signal);
    return { header: this.now(), members: this.members() };
  }

  async moveLeader(params: { targetID?: string | number }, signal: AbortSignal): Promise<object> {
    await this.admin.moveLeader(memberId(params.targetID, 'targetID'), signal);
    return { header: this.now() };
  }

  async status(): Promise<object> {
    const status = await this.member.status();
    return {
      header: this.now(),
      version: SYNOD_VERSION,
      dbSize: String(status.dbSizeBytes),
      leader: status.leaderId,
      raftIndex: String(status.raftIndex),
      raftTerm: String(status.raftTerm),
      raftAppliedIndex: String(status.raftAppliedIndex),
      dbSizeInUse: String(status.dbSizeBytes),
      isLearner: status.isLearner,
    };
  }

  async hashKv(params: { revision?: string | number }): Promise<object> {
    const store = this.member.store;
    const asked = int64ToNumber(params.revision, 'revision');
    const revision = asked <= 0 ? store.currentRevision : asked;
    store.checkReadable(revision);
    const hash = await this.member.hashKv(revision);
    return { header: this.now(), hash: String(hash), compact_revision: String(store.compactRevision), hash_revision: String(revision) };
  }
}
