import type { Logger } from 'pino';
import type { ConfChange } from '../raft/index.js';
import { hexToId, idToHex } from './identity.js';
import { SynodError } from '../errors.js';

/** A member of the cluster, as `member list` reports it. Ids are decimal strings. */
export interface MemberInfo {
  readonly id: string;
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}

/** The context a membership conf change carries: the member it adds or promotes. */
export interface ConfChangeContext {
  readonly member?: MemberInfo;
}

/**
 * The cluster's members: part of the replicated state (kept in the state meta `members`), changed only by
 * applied conf changes and membership proposals, identically on every member.
 */
export class Membership {
  private readonly members = new Map<string, MemberInfo>();

  constructor(members: readonly MemberInfo[] = []) {
    for (const member of members) this.members.set(member.id, member);
  }

  list(): MemberInfo[] {
    return [...this.members.values()].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  get(id: string): MemberInfo | undefined {
    return this.members.get(id);
  }

  /** The meta value to persist. */
  toJSON(): MemberInfo[] {
    return this.list();
  }

  /** Replaces the whole registry (after a snapshot install or at start-up). */
  reset(members: readonly MemberInfo[]): void {
    this.members.clear();
    for (const member of members) this.members.set(member.id, member);
  }

  /** Applies the membership side of a committed conf change (the Raft side is applied separately). */
  applyConfChange(cc: ConfChange): void {
    const context = cc.context === '' ? {} : (JSON.parse(cc.context) as ConfChangeContext);
    for (const change of cc.changes) {
      const id = hexToId(change.nodeId);
      const existing = this.members.get(id);
      switch (change.type) {
        case 'removeNode':
          this.members.delete(id);
          break;
        case 'addNode':
          this.members.set(id, { ...(existing ?? context.member ?? blankMember(id)), id, isLearner: false });
          break;
        case 'addLearner':
          this.members.set(id, { ...(existing ?? context.member ?? blankMember(id)), id, isLearner: true });
          break;
      }
    }
  }

  /** A member publishes its name and client URLs once it runs. */
  publish(params: { id: string; name: string; clientURLs: string[] }): void {
    const existing = this.members.get(params.id);
    if (existing === undefined) return;
    this.members.set(params.id, { ...existing, name: params.name, clientURLs: [...params.clientURLs] });
  }

  /** An operator changes a member's peer URLs. */
  update(params: { id: string; peerURLs: string[] }): void {
    const existing = this.members.get(params.id);
    if (existing === undefined) throw new SynodError('member_not_found', `member ${params.id} not found`);
    this.members.set(params.id, { ...existing, peerURLs: [...params.peerURLs] });
  }

  /** Raft node id of a member id. */
  static raftId(memberId: string): string {
    return idToHex(memberId);
  }
}

function blankMember(id: string): MemberInfo {
  return { id, name: '', peerURLs: [], clientURLs: [], isLearner: false };
}

/**
 * Publishes this member's name and client URLs to the replicated member list (etcd's publish), once:
 * retried each time it is asked until one proposal is applied.
 */
export class SelfPublisher {
  private published = false;
  private publishing = false;

  constructor(
    private readonly propose: () => Promise<unknown>,
    private readonly log: Logger,
  ) {}

  publishOnce(): void {
    if (this.published || this.publishing) return;
    this.publishing = true;
    this.propose()
      .then(() => (this.published = true))
      .catch((error: unknown) => this.log.debug({ err: error }, 'publishing this member failed; will retry'))
      .finally(() => (this.publishing = false));
  }
}
