import type { NodeId } from '../types.js';

/** The outcome of counting votes: decided either way, or still open. */
export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * Stands for "no constraint" when a configuration is empty: the committed index of an empty majority
 * config, so that `min()` over a joint config ignores an empty half.
 */
export const UNBOUNDED_INDEX = Number.MAX_SAFE_INTEGER;

/** How a voter acknowledged an index: returns the index, or undefined when nothing is known. */
export type AckedIndexer = (id: NodeId) => number | undefined;

/** Number of voters that make a majority of `size`. */
export function majoritySize(size: number): number {
  return Math.floor(size / 2) + 1;
}

/**
 * The largest index acknowledged by a majority of `voters` (missing acks count as 0).
 * An empty config returns `UNBOUNDED_INDEX`.
 */
export function majorityCommittedIndex(voters: ReadonlySet<NodeId>, acked: AckedIndexer): number {
  if (voters.size === 0) return UNBOUNDED_INDEX;
  const indexes: number[] = [];
  for (const id of voters) indexes.push(acked(id) ?? 0);
  indexes.sort((a, b) => b - a);
  return indexes[majoritySize(voters.size) - 1]!;
}

/**
 * Counts `votes` (true = granted) among `voters`; votes from non-voters are ignored.
 * Won once a majority granted, lost once a majority can no longer be reached, else pending.
 * An empty config wins, so a joint config with an empty half behaves like the other half.
 */
export function majorityVoteResult(voters: ReadonlySet<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.size === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const quorum = majoritySize(voters.size);
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}
