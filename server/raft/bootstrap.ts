import { raftAssert } from './errors.js';
import type { MemoryStorage } from './storage.js';
import type { NodeId } from './types.js';

/** Index of the bootstrap snapshot written by `bootstrap`. */
export const BOOTSTRAP_INDEX = 1;
/** Term of the bootstrap snapshot and of a bootstrapped node's initial HardState. */
export const BOOTSTRAP_TERM = 1;

/**
 * Prepares an empty storage to start a brand-new cluster: writes a snapshot at index 1, term 1 whose
 * ConfState holds the initial members, and a HardState at term 1 (so the first election is at term 2 and
 * the bootstrap entry can never pass for an entry of a leader's own term). Every initial member must be
 * bootstrapped with the same peers;
 * a node joining later starts from an empty storage and receives a snapshot from the leader.
 * The app should treat the bootstrap snapshot as an empty state machine (applied index 1).
 */
export function bootstrap(storage: MemoryStorage, peers: { voters: NodeId[]; learners?: NodeId[] }): void {
  raftAssert(storage.lastIndex() === 0 && storage.initialState().hardState.term === 0, 'bootstrap needs an empty storage');
  raftAssert(peers.voters.length > 0, 'bootstrap needs at least one voter');
  storage.applySnapshot({
    metadata: {
      index: BOOTSTRAP_INDEX,
      term: BOOTSTRAP_TERM,
      confState: { voters: [...peers.voters], votersOutgoing: [], learners: [...(peers.learners ?? [])], learnersNext: [], autoLeave: false },
    },
    data: new Uint8Array(0),
  });
  storage.setHardState({ term: BOOTSTRAP_TERM, vote: '', commit: BOOTSTRAP_INDEX });
}
