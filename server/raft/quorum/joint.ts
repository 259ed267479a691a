import type { NodeId } from '../types.js';
import {
  majorityCommittedIndex,
  majorityVoteResult,
  type AckedIndexer,
  type VoteResult,
} from './majority.js';

/**
 * A voter configuration: `[incoming, outgoing]`. Outside joint consensus the outgoing set is empty,
 * which makes every decision that of the incoming majority alone.
 */
export type JointConfig = readonly [ReadonlySet<NodeId>, ReadonlySet<NodeId>];

/** Every voter of either half. */
export function jointIds(config: JointConfig): Set<NodeId> {
  return new Set([...config[0], ...config[1]]);
}

/** The index acknowledged by a majority of both halves (the smaller of the two). */
export function jointCommittedIndex(config: JointConfig, acked: AckedIndexer): number {
  return Math.min(majorityCommittedIndex(config[0], acked), majorityCommittedIndex(config[1], acked));
}

/** Won only if both halves won; lost if either lost; otherwise pending. */
export function jointVoteResult(config: JointConfig, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  const r1 = majorityVoteResult(config[0], votes);
  const r2 = majorityVoteResult(config[1], votes);
  if (r1 === r2) return r1;
  if (r1 === 'lost' || r2 === 'lost') return 'lost';
  return 'pending';
}
