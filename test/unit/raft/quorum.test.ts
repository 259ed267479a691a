import assert from 'node:assert/strict';
import fc from 'fast-check';
import { jointCommittedIndex, jointVoteResult } from '../../../server/raft/quorum/joint.js';
import {
  UNBOUNDED_INDEX,
  majorityCommittedIndex,
  majorityVoteResult,
  type VoteResult,
} from '../../../server/raft/quorum/majority.js';

/** Naive committed index: the largest index that at least a majority has acknowledged. */
function naiveCommitted(voters: string[], acked: Map<string, number>): number {
  if (voters.length === 0) return UNBOUNDED_INDEX;
  const candidates = new Set([0, ...voters.map((v) => acked.get(v) ?? 0)]);
  let best = 0;
  for (const idx of candidates) {
    const count = voters.filter((v) => (acked.get(v) ?? 0) >= idx).length;
    if (count * 2 > voters.length) best = Math.max(best, idx);
  }
  return best;
}

/** Naive vote result: won if a strict majority said yes, lost if yes plus undecided cannot reach one. */
function naiveVote(voters: string[], votes: Map<string, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  const yes = voters.filter((v) => votes.get(v) === true).length;
  const open = voters.filter((v) => !votes.has(v)).length;
  if (yes * 2 > voters.length) return 'won';
  if ((yes + open) * 2 > voters.length) return 'pending';
  return 'lost';
}

const ids = fc.uniqueArray(fc.integer({ min: 1, max: 9 }).map(String), { maxLength: 7 });
const ackMap = fc.dictionary(fc.integer({ min: 1, max: 9 }).map(String), fc.integer({ min: 0, max: 20 }));
const voteMap = fc.dictionary(fc.integer({ min: 1, max: 9 }).map(String), fc.boolean());

describe('quorum', () => {
  it('majority committed index equals the naive "largest index a majority acked"', () => {
    fc.assert(
      fc.property(ids, ackMap, (voters, acks) => {
        const acked = new Map(Object.entries(acks));
        assert.equal(majorityCommittedIndex(new Set(voters), (id) => acked.get(id)), naiveCommitted(voters, acked));
      }),
      { numRuns: 500 },
    );
  });

  it('majority vote result equals the naive count, and ignores votes from non-voters', () => {
    fc.assert(
      fc.property(ids, voteMap, (voters, vs) => {
        const votes = new Map(Object.entries(vs));
        assert.equal(majorityVoteResult(new Set(voters), votes), naiveVote(voters, votes));
      }),
      { numRuns: 500 },
    );
  });

  it('joint committed index is the minimum of both halves; an empty half does not constrain', () => {
    fc.assert(
      fc.property(ids, ids, ackMap, (incoming, outgoing, acks) => {
        const acked = new Map(Object.entries(acks));
        const want = Math.min(naiveCommitted(incoming, acked), naiveCommitted(outgoing, acked));
        assert.equal(jointCommittedIndex([new Set(incoming), new Set(outgoing)], (id) => acked.get(id)), want);
      }),
      { numRuns: 500 },
    );
  });

  it('joint vote is won only when both halves win and lost as soon as one half loses', () => {
    fc.assert(
      fc.property(ids, ids, voteMap, (incoming, outgoing, vs) => {
        const votes = new Map(Object.entries(vs));
        const a = naiveVote(incoming, votes);
        const b = naiveVote(outgoing, votes);
        const want: VoteResult = a === 'won' && b === 'won' ? 'won' : a === 'lost' || b === 'lost' ? 'lost' : 'pending';
        assert.equal(jointVoteResult([new Set(incoming), new Set(outgoing)], votes), want);
      }),
      { numRuns: 500 },
    );
  });

  it('committed index is monotonic in the acks (raising an ack never lowers it)', () => {
    fc.assert(
      fc.property(ids, ackMap, fc.integer({ min: 1, max: 9 }).map(String), fc.integer({ min: 0, max: 5 }), (voters, acks, who, bump) => {
        const before = new Map(Object.entries(acks));
        const after = new Map(before);
        after.set(who, (after.get(who) ?? 0) + bump);
        const vs = new Set(voters);
        assert.ok(majorityCommittedIndex(vs, (id) => after.get(id)) >= majorityCommittedIndex(vs, (id) => before.get(id)));
      }),
      { numRuns: 300 },
    );
  });

  it('worked examples: 3 voters, 4 voters, empty config', () => {
    const acked = new Map([['1', 5], ['2', 3], ['3', 1], ['4', 4]]);
    assert.equal(majorityCommittedIndex(new Set(['1', '2', '3']), (id) => acked.get(id)), 3);
    assert.equal(majorityCommittedIndex(new Set(['1', '2', '3', '4']), (id) => acked.get(id)), 3);
    assert.equal(majorityCommittedIndex(new Set(), (id) => acked.get(id)), UNBOUNDED_INDEX);
    assert.equal(majorityVoteResult(new Set(['1', '2']), new Map([['1', true]])), 'pending');
    assert.equal(majorityVoteResult(new Set(['1', '2']), new Map([['1', true], ['2', false]])), 'lost');
  });
});
