import type { Raft } from './raft.js';
import type { ProgressState } from './tracker/progress.js';
import type { ConfState, HardState, NodeId, SoftState } from './types.js';

/** The leader's view of one member's replication, as reported by `RawNode.status()`. */
export interface ProgressStatus {
  match: number;
  next: number;
  state: ProgressState;
  recentActive: boolean;
  isLearner: boolean;
  paused: boolean;
  inflightMsgs: number;
}

/**
 * A point-in-time copy of a node's state. `progress` is filled only on the leader (it is meaningless
 * elsewhere). Plain data: safe to keep, compare and serialise.
 */
export interface Status {
  id: NodeId;
  hardState: HardState;
  softState: SoftState;
  applied: number;
  /** Index of the last entry in the log (persisted or not). */
  lastIndex: number;
  leadTransferee: NodeId;
  config: ConfState;
  progress: Record<NodeId, ProgressStatus>;
}

/** Builds a Status from the internal state of `r`. */
export function statusOf(r: Raft): Status {
  const progress: Record<NodeId, ProgressStatus> = {};
  if (r.state === 'leader') {
    r.trk.visit((id, pr) => {
      progress[id] = {
        match: pr.match,
        next: pr.next,
        state: pr.state,
        recentActive: pr.recentActive,
        isLearner: pr.isLearner,
        paused: pr.isPaused(),
        inflightMsgs: pr.inflights.count(),
      };
    });
  }
  return {
    id: r.id,
    hardState: r.hardState(),
    softState: r.softState(),
    applied: r.log.applied,
    lastIndex: r.log.lastIndex(),
    leadTransferee: r.leadTransferee,
    config: r.trk.confState(),
    progress,
  };
}
