import { ConfChangeError, decodeConfChange } from '../raft/index.js';
import type { ApplyHooks } from '../apply/applier.js';
import type { ConfChangeContext } from './membership.js';
import { hexToId } from './identity.js';
import { SynodError } from '../errors.js';
import type { RaftMember } from './raft-member.js';

/** The context a conf change proposed by Synod carries: the member it is about and who waits for it. */
export interface ProposedConfChangeContext extends ConfChangeContext {
  readonly proposalId: string;
}

/**
 * The member's part in applying entries: conf changes go to Raft (always) and to the membership
 * registry (unless the state already has them); membership proposals update the registry.
 */
export function applyHooks(member: () => RaftMember): ApplyHooks {
  return {
    confChange(entry, inState) {
      const self = member();
      const change = decodeConfChange(entry.data);
      let context: Partial<ProposedConfChangeContext> = {};
      try {
        context = change.context === '' ? {} : (JSON.parse(change.context) as ProposedConfChangeContext);
      } catch {
        // A context Synod did not write: the change still applies to Raft.
      }
      try {
        self.applyConfChangeToRaft(change);
      } catch (error) {
        // Every member refuses an invalid change the same way, so skipping it keeps them identical.
        if (!(error instanceof ConfChangeError)) throw error;
        self.resolveConfChange(context.proposalId);
        return {};
      }
      if (!inState) self.membership.applyConfChange(change);
      for (const single of change.changes) {
        if (single.type === 'removeNode') self.forgetPeer(hexToId(single.nodeId));
      }
      self.syncPeers();
      self.resolveConfChange(context.proposalId);
      return inState ? {} : { members: self.membership.toJSON() };
    },
    membership(method, params) {
      const self = member();
      if (method === 'member.publish') self.membership.publish(params as { id: string; name: string; clientURLs: string[] });
      else self.membership.update(params as { id: string; peerURLs: string[] });
      self.syncPeers();
      return { result: null, meta: { members: self.membership.toJSON() } };
    },
  };
}

/** Callers waiting for their conf change to be applied on this member. */
export class ConfChangeWaiters {
  private readonly waiters = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();

  wait(proposalId: string, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      signal?.addEventListener('abort', () => {
        this.waiters.delete(proposalId);
        reject(new SynodError('canceled', 'membership change canceled; it may still be applied'));
      }, { once: true });
      this.waiters.set(proposalId, { resolve, reject });
    });
  }

  applied(proposalId: string): void {
    this.waiters.get(proposalId)?.resolve();
    this.waiters.delete(proposalId);
  }

  fail(proposalId: string, error: Error): void {
    this.waiters.get(proposalId)?.reject(error);
    this.waiters.delete(proposalId);
  }

  failAll(error: Error): void {
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
