import { nanoid } from 'nanoid';
import type { RaftMember } from './raft-member.js';
import type { MemberInfo } from './membership.js';
import { hexToId, idToHex } from './identity.js';
import { randomId } from './random-id.js';
import { SynodError } from '../errors.js';

/** A learner may be promoted once its log has reached this share of the leader's. */
const LEARNER_READY_SHARE = 0.9;

function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

/**
 * Membership administration with etcd's rules: member add / remove / promote / update and leader
 * transfer. Every change goes through the Raft log; each call resolves once the change is applied on
 * this member.
 */
export class ClusterAdmin {
  constructor(
    private readonly member: RaftMember,
    private readonly maxLearners: number,
  ) {}

  list(): MemberInfo[] {
    return this.member.membership.list();
  }

  async add(peerURLs: readonly string[], isLearner: boolean, signal?: AbortSignal): Promise<MemberInfo> {
    checkUrls(peerURLs);
    const members = this.list();
    const taken = new Set(members.flatMap((m) => m.peerURLs));
    const clash = peerURLs.find((url) => taken.has(url));
    if (clash !== undefined) throw new SynodError('peer_url_exists', `peer URL ${clash} already exists`);
    if (isLearner && members.filter((m) => m.isLearner).length >= this.maxLearners) {
      throw new SynodError('too_many_learners', `too many learner members in cluster (--max-learners ${this.maxLearners})`);
    }
    if (!isLearner) this.checkEnoughStarted(members.filter((m) => !m.isLearner), +1, null);
    let id = randomId();
    while (members.some((m) => m.id === id)) id = randomId();
    const added: MemberInfo = { id, name: '', peerURLs: [...peerURLs].sort(), clientURLs: [], isLearner };
    await this.change(isLearner ? 'addLearner' : 'addNode', id, added, signal);
    return added;
  }

  async remove(id: string, signal?: AbortSignal): Promise<void> {
    const target = this.find(id);
    if (!target.isLearner) this.checkEnoughStarted(this.list().filter((m) => !m.isLearner), -1, id);
    await this.change('removeNode', id, undefined, signal);
  }

  async promote(id: string, signal?: AbortSignal): Promise<void> {
    const target = this.find(id);
    if (!target.isLearner) throw new SynodError('member_not_learner');
    if (!this.member.leading) throw new SynodError('not_leader', 'promote must be sent to the leader (it alone knows whether the learner caught up)');
    const status = this.member.raftStatus();
    const progress = status.progress[idToHex(id)];
    if (progress === undefined || progress.match < LEARNER_READY_SHARE * status.lastIndex) {
      throw new SynodError('learner_not_ready', `learner ${id} has ${progress?.match ?? 0} of ${status.lastIndex} entries; promote it once it caught up`);
    }
    this.checkEnoughStarted(this.list().filter((m) => !m.isLearner), +1, null);
    await this.change('addNode', id, target, signal);
  }

  async update(id: string, peerURLs: readonly string[], signal?: AbortSignal): Promise<void> {
    checkUrls(peerURLs);
    this.find(id);
    const clash = this.list().find((m) => m.id !== id && m.peerURLs.some((url) => peerURLs.includes(url)));
    if (clash !== undefined) throw new SynodError('peer_url_exists', `member ${clash.id} already uses one of these peer URLs`);
    const applied = await this.member.propose('member.update', { id, peerURLs: [...peerURLs].sort() }, signal);
    if (!applied.outcome.ok) throw applied.outcome.error;
  }

  /** Hands leadership to `targetId` and resolves once it leads. Must be sent to the leader. */
  async moveLeader(targetId: string, signal?: AbortSignal): Promise<void> {
    if (!this.member.leading) throw new SynodError('not_leader', 'move-leader must be sent to the leader');
    const voters = this.member.configuration.voters.map(hexToId);
    if (!voters.includes(targetId)) throw new SynodError('bad_leader_transferee', `member ${targetId} is not a voting member`);
    if (targetId === this.member.identity.memberId) return;
    const moved = new Promise<void>((resolve, reject) => {
      const onLeader = (leader: string | null): void => {
        if (leader !== targetId) return;
        this.member.off('leader', onLeader);
        resolve();
      };
      this.member.on('leader', onLeader);
      signal?.addEventListener('abort', () => {
        this.member.off('leader', onLeader);
        reject(new SynodError('timeout', `leadership did not move to ${targetId} in time`));
      }, { once: true });
    });
    this.member.transferLeadership(targetId);
    await moved;
  }

  private find(id: string): MemberInfo {
    const member = this.member.membership.get(id);
    if (member === undefined) throw new SynodError('member_not_found', `member ${id} not found`);
    return member;
  }

  /** etcd's strict reconfiguration check: after the change, the started voters must still form a quorum. */
  private checkEnoughStarted(voters: readonly MemberInfo[], delta: number, removed: string | null): void {
    const after = voters.length + delta;
    const started = voters.filter((m) => m.name !== '' && m.id !== removed).length;
    if (after > 0 && started < quorum(after)) {
      throw new SynodError('not_enough_started', `re-configuration failed due to not enough started members (${started} started of ${after})`);
    }
  }

  private async change(type: 'addNode' | 'addLearner' | 'removeNode', id: string, member: MemberInfo | undefined, signal?: AbortSignal): Promise<void> {
    const proposalId = `${this.member.bootId}.c${nanoid(8)}`;
    const context = JSON.stringify(member === undefined ? { proposalId } : { member, proposalId });
    await this.member.proposeConfChange({ transition: 'auto', changes: [{ type, nodeId: idToHex(id) }], context }, proposalId, signal);
  }
}

function checkUrls(urls: readonly string[]): void {
  if (urls.length === 0) throw new SynodError('invalid_argument', 'at least one peer URL is needed');
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SynodError('invalid_argument', `"${url}" is not a URL`);
    }
    if (parsed.protocol !== 'http:' || parsed.port === '') throw new SynodError('invalid_argument', `"${url}" must be http://host:port`);
  }
}
