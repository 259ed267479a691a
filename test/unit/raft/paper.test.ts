import assert from 'node:assert/strict';
import { seededRng, type Entry } from './imports.js';
import { ent, makeLeader, makeSteadyLeader, msg, newNode, readMessages, summary, tickN } from './helpers.js';
import type { NetNode } from '../../harness/network.js';

/**
 * One test per claim of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm (Extended Version)"), plus the thesis features we build on. Each test builds a node in a
 * known state, steps one input, and checks the output. PreVote and CheckQuorum are off unless the
 * claim is about them, because the paper's basic algorithm has neither.
 */

const te = new TextEncoder();
const state = (n: NetNode): string => n.rawNode.status().softState.raftState;
const term = (n: NetNode): number => n.rawNode.status().hardState.term;
const logTerms = (n: NetNode): number[] => {
  const s = n.storage;
  return s.lastIndex() < s.firstIndex() ? [] : s.entries(s.firstIndex(), s.lastIndex() + 1, Infinity).map((e) => e.term);
};

describe('Raft paper claims', () => {
  describe('§5.1 terms', () => {
    it('§5.1: a server that sees a larger term adopts it and reverts to follower (follower, candidate, leader)', () => {
      for (const role of ['follower', 'candidate', 'leader'] as const) {
        const n = newNode('1', ['1', '2', '3']);
        if (role === 'candidate') n.rawNode.campaign();
        if (role === 'leader') makeLeader(n, ['2']);
        readMessages(n);
        n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 5 }));
        assert.equal(term(n), 5, role);
        assert.equal(state(n), 'follower', role);
        assert.equal(n.rawNode.status().softState.lead, '2', role);
      }
    });

    it('§5.1: a request with a stale term is rejected and changes nothing', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 2], term: 2 });
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 1, index: 2, logTerm: 2, entries: [ent(1, 3)] }));
      assert.deepEqual(summary(readMessages(n)), []);
      assert.deepEqual(logTerms(n), [1, 2]);
      assert.equal(term(n), 2);
    });

    it('§5.1 with CheckQuorum/PreVote (thesis §9.6): a stale leader is told the newer term', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 2], term: 2 }, { preVote: true, checkQuorum: true });
      n.rawNode.step(msg({ type: 'heartbeat', from: '2', to: '1', term: 1 }));
      assert.deepEqual(summary(readMessages(n)), ['1->2 appResp t2 0/0 c0']);
    });
  });

  describe('§5.2 leader election', () => {
    it('§5.2: servers start up as followers', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1], term: 1 });
      assert.equal(state(n), 'follower');
      assert.equal(term(n), 1);
    });

    it('§5.2: a leader sends periodic heartbeats to all followers', () => {
      const n = newNode('1', ['1', '2', '3']);
      makeLeader(n, ['2']);
      tickN(n, 1);
      const hbs = readMessages(n).filter((m) => m.type === 'heartbeat');
      assert.deepEqual(summary(hbs), ['1->2 heartbeat t1 0/0 c0', '1->3 heartbeat t1 0/0 c0']);
    });

    it('§5.2: a follower hearing nothing for an election timeout becomes candidate, votes for itself, asks all', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 1], term: 1 });
      tickN(n, 9);
      assert.equal(state(n), 'follower');
      tickN(n, 1);
      assert.equal(state(n), 'candidate');
      assert.equal(term(n), 2);
      assert.equal(n.rawNode.status().hardState.vote, '1');
      assert.deepEqual(summary(readMessages(n)), ['1->2 vote t2 1/2 c0', '1->3 vote t2 1/2 c0']);
    });

    it('§5.2: a candidate wins with votes from a majority, loses on a majority of rejections, else waits', () => {
      const cases: { size: number; votes: Record<string, boolean>; want: string }[] = [
        { size: 1, votes: {}, want: 'leader' },
        { size: 3, votes: { '2': true }, want: 'leader' },
        { size: 3, votes: { '2': false }, want: 'candidate' },
        { size: 3, votes: { '2': false, '3': false }, want: 'follower' },
        { size: 5, votes: { '2': true, '3': true }, want: 'leader' },
        { size: 5, votes: { '2': true }, want: 'candidate' },
        { size: 5, votes: { '2': false, '3': false, '4': false }, want: 'follower' },
      ];
      for (const c of cases) {
        const ids = Array.from({ length: c.size }, (_, i) => String(i + 1));
        const n = newNode('1', ids);
        n.rawNode.campaign();
        for (const [from, granted] of Object.entries(c.votes)) {
          n.rawNode.step(msg({ type: 'voteResp', from, to: '1', term: 1, reject: !granted }));
        }
        assert.equal(state(n), c.want, JSON.stringify(c));
      }
    });

    it('§5.2: each server votes for at most one candidate per term, first come first served', () => {
      const n = newNode('1', ['1', '2', '3']);
      n.rawNode.step(msg({ type: 'vote', from: '2', to: '1', term: 1 }));
      n.rawNode.step(msg({ type: 'vote', from: '3', to: '1', term: 1 }));
      n.rawNode.step(msg({ type: 'vote', from: '2', to: '1', term: 1 }));
      assert.deepEqual(summary(readMessages(n)), ['1->2 voteResp t1 0/0 c0', '1->2 voteResp t1 0/0 c0', '1->3 voteResp t1 0/0 c0 reject']);
      assert.equal(n.storage.initialState().hardState.vote, '2');
    });

    it('§5.2: a candidate that hears from a leader of its own term returns to follower', () => {
      const n = newNode('1', ['1', '2', '3']);
      n.rawNode.campaign();
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 1 }));
      assert.equal(state(n), 'follower');
      assert.equal(n.rawNode.status().softState.lead, '2');
    });

    it('§5.2: a candidate whose election times out starts a new one in the next term', () => {
      const n = newNode('1', ['1', '2', '3']);
      n.rawNode.campaign();
      assert.equal(term(n), 1);
      tickN(n, 10);
      assert.equal(state(n), 'candidate');
      assert.equal(term(n), 2);
    });

    it('§5.2: election timeouts are random in [T, 2T) and rarely coincide between servers', () => {
      const timeoutOf = (seed: number): number => {
        const n = newNode('1', ['1', '2', '3'], {}, { rng: seededRng(seed) });
        let ticks = 0;
        while (state(n) === 'follower') {
          n.rawNode.tick();
          ticks++;
        }
        return ticks;
      };
      const seen = new Set<number>();
      let coincide = 0;
      for (let seed = 1; seed <= 200; seed++) {
        const a = timeoutOf(seed);
        const b = timeoutOf(seed + 1000);
        assert.ok(a >= 10 && a < 20, `timeout ${a} out of [10, 20)`);
        seen.add(a);
        if (a === b) coincide++;
      }
      assert.ok(seen.size >= 8, `only ${seen.size} distinct timeouts`);
      assert.ok(coincide < 200 * 0.3, `${coincide} of 200 pairs coincided`);
    });
  });

  describe('§5.3 log replication', () => {
    it('§5.3: the leader appends a command to its log, then sends AppendEntries to every follower', () => {
      const n = newNode('1', ['1', '2', '3']);
      makeSteadyLeader(n, ['2', '3']);
      n.rawNode.propose(te.encode('x'));
      const rd = n.rawNode.ready();
      assert.deepEqual(rd.entries.map((e) => `${e.term}/${e.index}`), ['1/2']);
      assert.deepEqual(summary(rd.messages), ['1->2 app t1 1/1 c1 [1/2]', '1->3 app t1 1/1 c1 [1/2]']);
    });

    it('§5.3: an entry is committed once on a majority, and the commit index reaches followers', () => {
      const n = newNode('1', ['1', '2', '3']);
      makeSteadyLeader(n, ['2', '3']);
      n.rawNode.propose(te.encode('x'));
      readMessages(n);
      assert.equal(n.rawNode.status().hardState.commit, 1, 'not before a majority has it');
      n.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 1, index: 2 }));
      assert.equal(n.rawNode.status().hardState.commit, 2);
      const out = readMessages(n);
      assert.ok(out.some((m) => m.to === '3' && m.type === 'app' && m.commit === 2), summary(out).join('\n'));
      assert.deepEqual(n.appliedEntries.map((e) => e.index), [1, 2]);
    });

    it('§5.3: a follower applies entries once it learns they are committed', () => {
      const n = newNode('1', ['1', '2', '3']);
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 1, index: 0, logTerm: 0, entries: [ent(1, 1, 'a'), ent(1, 2, 'b')], commit: 1 }));
      readMessages(n);
      assert.deepEqual(n.appliedEntries.map((e) => e.index), [1]);
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 1, index: 2, logTerm: 1, commit: 2 }));
      readMessages(n);
      assert.deepEqual(n.appliedEntries.map((e) => e.index), [1, 2]);
    });

    it('§5.3: a follower refuses entries unless its log holds the entry before them (consistency check)', () => {
      const cases: { index: number; logTerm: number; reject: boolean }[] = [
        { index: 0, logTerm: 0, reject: false },
        { index: 2, logTerm: 2, reject: false },
        { index: 3, logTerm: 2, reject: false },
        { index: 3, logTerm: 3, reject: true },
        { index: 4, logTerm: 2, reject: true },
      ];
      for (const c of cases) {
        const n = newNode('1', ['1', '2', '3'], { terms: [1, 2, 2], term: 2 });
        n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 2, index: c.index, logTerm: c.logTerm }));
        const [resp] = readMessages(n);
        assert.equal(resp?.reject, c.reject, JSON.stringify(c));
      }
    });

    it('§5.3: a conflicting entry and all that follow it are deleted, then the new entries appended', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 2, 2, 2], term: 2 });
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 3, index: 2, logTerm: 2, entries: [ent(3, 3), ent(3, 4), ent(3, 5)] }));
      readMessages(n);
      assert.deepEqual(logTerms(n), [1, 2, 3, 3, 3]);
    });

    it('§5.3 / Figure 7: the leader brings every kind of divergent follower log in line with its own', () => {
      const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
      const followers: number[][] = [
        [1, 1, 1, 4, 4, 5, 5, 6, 6],
        [1, 1, 1, 4],
        [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
        [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
        [1, 1, 1, 4, 4, 4, 4],
        [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
      ];
      for (const f of followers) {
        const nodes = new Map<string, NetNode>([
          ['1', newNode('1', ['1', '2', '3'], { terms: leaderLog, term: 7, commit: 3 })],
          ['2', newNode('2', ['1', '2', '3'], { terms: f, term: Math.max(...f), commit: 3 })],
          ['3', newNode('3', ['1', '2', '3'], { terms: leaderLog, term: 7, commit: 3 })],
        ]);
        nodes.get('1')!.rawNode.campaign();
        for (let round = 0; round < 100; round++) {
          const sent = [...nodes.values()].flatMap((n) => readMessages(n));
          if (sent.length === 0) break;
          for (const m of sent) nodes.get(m.to)!.rawNode.step(m);
        }
        assert.equal(state(nodes.get('1')!), 'leader', `follower ${f.join(',')}`);
        assert.deepEqual(logTerms(nodes.get('2')!), [...leaderLog, 8], `follower ${f.join(',')}`);
      }
    });

    it('§5.3 Leader Append-Only: a leader never overwrites or deletes entries in its own log', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 1], term: 1 });
      makeLeader(n, ['2']);
      const before = logTerms(n);
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 1, index: 1, logTerm: 1, entries: [ent(1, 2, 'other')] }));
      n.rawNode.step(msg({ type: 'app', from: '3', to: '1', term: 1, index: 0, logTerm: 0, entries: [ent(1, 1)] }));
      readMessages(n);
      assert.equal(state(n), 'leader');
      assert.deepEqual(logTerms(n), before);
    });
  });

  describe('§5.4 safety', () => {
    it('§5.4.1: a voter denies its vote to a candidate whose log is less up to date than its own', () => {
      // The voter's log ends with term 2 at index 2.
      const cases: { logTerm: number; index: number; grant: boolean }[] = [
        { logTerm: 1, index: 5, grant: false },
        { logTerm: 2, index: 1, grant: false },
        { logTerm: 2, index: 2, grant: true },
        { logTerm: 2, index: 3, grant: true },
        { logTerm: 3, index: 1, grant: true },
      ];
      for (const c of cases) {
        const n = newNode('1', ['1', '2', '3'], { terms: [1, 2], term: 2 });
        n.rawNode.step(msg({ type: 'vote', from: '2', to: '1', term: 3, logTerm: c.logTerm, index: c.index }));
        const [resp] = readMessages(n);
        assert.equal(resp?.reject, !c.grant, JSON.stringify(c));
      }
    });

    it('§5.4.1 Leader Completeness: a candidate missing a committed entry cannot be elected', () => {
      const nodes = new Map<string, NetNode>([
        ['1', newNode('1', ['1', '2', '3'], { terms: [1, 1], term: 1, commit: 2 })],
        ['2', newNode('2', ['1', '2', '3'], { terms: [1, 1], term: 1, commit: 2 })],
        ['3', newNode('3', ['1', '2', '3'], { terms: [1], term: 1, commit: 1 })],
      ]);
      nodes.get('3')!.rawNode.campaign();
      for (let round = 0; round < 10; round++) {
        for (const m of [...nodes.values()].flatMap((n) => readMessages(n))) nodes.get(m.to)!.rawNode.step(m);
      }
      assert.notEqual(state(nodes.get('3')!), 'leader');
    });

    it('§5.4.2 / Figure 8: a leader does not commit an entry of an older term by counting replicas', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 2], term: 2, commit: 1 });
      makeLeader(n, ['2']);
      assert.equal(term(n), 3);
      // Entry 2 (term 2) is now on a majority (1 and 2), but it is not of the current term.
      n.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 3, index: 2 }));
      readMessages(n);
      assert.equal(n.rawNode.status().hardState.commit, 1);
      // Once the leader's own no-op (index 3, term 3) is on a majority, both commit together.
      n.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 3, index: 3 }));
      readMessages(n);
      assert.equal(n.rawNode.status().hardState.commit, 3);
    });

    it('§5.4.2 / Figure 8 (planted bug): unsafeCommitOldTermEntries commits an old-term entry by counting', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1, 2], term: 2, commit: 1 }, { unsafeCommitOldTermEntries: true });
      makeLeader(n, ['2']);
      n.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 3, index: 2 }));
      readMessages(n);
      assert.equal(n.rawNode.status().hardState.commit, 2);
    });
  });

  describe('§6 cluster membership changes', () => {
    it('§6: in joint consensus, commitment needs a majority of both the old and the new configuration', () => {
      const n = newNode('1', ['1', '2', '3'], { votersOutgoing: ['1', '4', '5'] });
      makeLeader(n, ['2', '4']);
      assert.equal(state(n), 'leader');
      n.rawNode.propose(te.encode('x'));
      readMessages(n);
      n.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 1, index: 2 }));
      n.rawNode.step(msg({ type: 'appResp', from: '3', to: '1', term: 1, index: 2 }));
      assert.equal(n.rawNode.status().hardState.commit, 0, 'the new majority alone does not commit');
      n.rawNode.step(msg({ type: 'appResp', from: '4', to: '1', term: 1, index: 2 }));
      assert.equal(n.rawNode.status().hardState.commit, 2);
    });

    it('§6: in joint consensus, an election needs a majority of both configurations', () => {
      const n = newNode('1', ['1', '2', '3'], { votersOutgoing: ['1', '4', '5'] });
      n.rawNode.campaign();
      n.rawNode.step(msg({ type: 'voteResp', from: '2', to: '1', term: 1 }));
      n.rawNode.step(msg({ type: 'voteResp', from: '3', to: '1', term: 1 }));
      assert.equal(state(n), 'candidate');
      n.rawNode.step(msg({ type: 'voteResp', from: '5', to: '1', term: 1 }));
      assert.equal(state(n), 'leader');
    });

    it('§6 / thesis §4.2.1: new servers join as non-voting members whose acks do not count towards commitment', () => {
      const n = newNode('1', ['1', '2', '3'], { learners: ['4'] });
      makeLeader(n, ['2']);
      n.rawNode.propose(te.encode('x'));
      readMessages(n);
      n.rawNode.step(msg({ type: 'appResp', from: '4', to: '1', term: 1, index: 2 }));
      assert.equal(n.rawNode.status().hardState.commit, 0);
    });

    it('§6: a leader that is not part of the new configuration steps down once it is applied', () => {
      const n = newNode('1', ['1', '2', '3']);
      makeLeader(n, ['2']);
      n.rawNode.applyConfChange({ transition: 'auto', changes: [{ type: 'removeNode', nodeId: '1' }], context: '' });
      assert.equal(state(n), 'follower');
    });

    it('§6: servers disregard vote requests while they believe a current leader exists (CheckQuorum lease)', () => {
      const n = newNode('1', ['1', '2', '3'], {}, { checkQuorum: true });
      n.rawNode.step(msg({ type: 'app', from: '2', to: '1', term: 1 }));
      readMessages(n);
      n.rawNode.step(msg({ type: 'vote', from: '3', to: '1', term: 2, logTerm: 1, index: 5 }));
      assert.deepEqual(summary(readMessages(n)), []);
      assert.equal(term(n), 1);
      tickN(n, 10);
      readMessages(n);
      n.rawNode.step(msg({ type: 'vote', from: '3', to: '1', term: 3, logTerm: 1, index: 5 }));
      assert.ok(readMessages(n).some((m) => m.type === 'voteResp' && !m.reject && m.to === '3'));
    });
  });

  describe('§8 client interaction', () => {
    it('§8: a new leader commits a blank no-op entry at the start of its term', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1], term: 1 });
      makeLeader(n, ['2']);
      const appended: Entry[] = n.readies.flatMap((rd) => rd.entries);
      assert.deepEqual(appended.map((e) => [e.term, e.index, e.data.byteLength]), [[2, 2, 0]]);
    });

    it('§8: a read is answered only after the leader committed in its term and heard from a majority', () => {
      const n = newNode('1', ['1', '2', '3']);
      makeLeader(n, ['2']);
      n.rawNode.readIndex('r1');
      assert.deepEqual(readMessages(n).filter((m) => m.type === 'heartbeat'), [], 'no round before the no-op commits');
      n.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 1, index: 1 }));
      const hbs = readMessages(n).filter((m) => m.type === 'heartbeat');
      assert.deepEqual(hbs.map((m) => m.context), ['r1', 'r1']);
      assert.deepEqual(n.readStates, []);
      n.rawNode.step(msg({ type: 'heartbeatResp', from: '3', to: '1', term: 1, context: 'r1' }));
      readMessages(n);
      assert.deepEqual(n.readStates, [{ index: 1, requestCtx: 'r1' }]);
    });
  });

  describe('thesis extensions', () => {
    it('thesis §9.6 PreVote: a server that cannot win does not increase its term', () => {
      const n = newNode('1', ['1', '2', '3'], { terms: [1], term: 1 }, { preVote: true });
      tickN(n, 50);
      readMessages(n);
      assert.equal(state(n), 'preCandidate');
      assert.equal(term(n), 1);
    });

    it('thesis §3.10 leadership transfer: the transferee is told to time out at once and campaigns', () => {
      const leader = newNode('1', ['1', '2', '3']);
      makeLeader(leader, ['2']);
      leader.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term: 1, index: 1 }));
      readMessages(leader);
      leader.rawNode.transferLeadership('2');
      assert.deepEqual(summary(readMessages(leader).filter((m) => m.type === 'timeoutNow')), ['1->2 timeoutNow t1 0/0 c0']);
      const follower = newNode('2', ['1', '2', '3'], { terms: [1], term: 1 }, { preVote: true, checkQuorum: true });
      follower.rawNode.step(msg({ type: 'timeoutNow', from: '1', to: '2', term: 1 }));
      assert.equal(state(follower), 'candidate', 'no PreVote round on a transfer');
      const votes = readMessages(follower).filter((m) => m.type === 'vote');
      assert.ok(votes.every((m) => m.context === 'campaignTransfer'));
    });
  });
});
