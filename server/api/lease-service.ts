import type { LeaseKeeper } from '../lease/lease-keeper.js';
import type { RaftMember } from '../member/raft-member.js';
import type { WireHeader } from '../apply/wire-types.js';
import { int64ToBigint, int64ToNumber } from '../apply/kv-requests.js';
import { bytesToBase64 } from '../mvcc/bytes.js';

type Int64 = string | number | undefined;

/** The Lease methods (etcd's LeaseGrant, LeaseRevoke, LeaseKeepAlive, LeaseTimeToLive, LeaseLeases). */
export class LeaseService {
  constructor(
    private readonly member: RaftMember,
    private readonly keeper: LeaseKeeper,
    private readonly header: (revision: number, raftTerm?: number) => WireHeader,
  ) {}

  private now(): WireHeader {
    return this.header(this.member.store.currentRevision);
  }

  async grant(params: { TTL?: Int64; ID?: Int64 }, signal: AbortSignal): Promise<object> {
    const granted = await this.keeper.grant(int64ToNumber(params.TTL, 'TTL'), int64ToBigint(params.ID, 'ID'), signal);
    return { header: this.now(), ID: granted.id.toString(), TTL: String(granted.ttlSeconds) };
  }

  async revoke(params: { ID?: Int64 }, signal: AbortSignal): Promise<object> {
    const applied = await this.keeper.revoke(int64ToBigint(params.ID, 'ID'), signal);
    return { header: this.header(applied.revision, applied.term) };
  }

  /** Renews the lease; TTL "0" means the lease no longer exists (the caller should stop). */
  async keepAlive(params: { ID?: Int64 }, signal: AbortSignal): Promise<object> {
    const id = int64ToBigint(params.ID, 'ID');
    const ttl = await this.keeper.renew(id, signal);
    return { header: this.now(), ID: id.toString(), TTL: String(ttl) };
  }

  async timeToLive(params: { ID?: Int64; keys?: boolean }, signal: AbortSignal): Promise<object> {
    await this.member.readBarrier(signal);
    const id = int64ToBigint(params.ID, 'ID');
    const answer = this.keeper.timeToLive(id);
    const result: Record<string, unknown> = { header: this.now(), ID: id.toString(), TTL: String(answer.ttlSeconds), grantedTTL: String(answer.grantedTtlSeconds) };
    if (params.keys === true) result['keys'] = answer.keys.map(bytesToBase64);
    return result;
  }

  async leases(signal: AbortSignal): Promise<object> {
    await this.member.readBarrier(signal);
    return { header: this.now(), leases: this.member.lessor.ids().map((id) => ({ ID: id.toString() })) };
  }
}
