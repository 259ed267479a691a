import assert from 'node:assert/strict';
import { Network, type NetNode } from '../../harness/network.js';
import { ProposalDroppedError, seededRng, type Message } from './imports.js';

const te = new TextEncoder();
const role = (n: NetNode): string => n.rawNode.status().softState.raftState;
const termOf = (n: NetNode): number => n.rawNode.status().hardState.term;

/** Runs Readies and delivers only the messages `pass` accepts (the rest are lost) until quiet. */
function runFiltered(net: Network, pass: (m: Message) => boolean): void {
  for (let i = 0; i < 200; i++) {
    const moved = net.processReadies();
    const batch = net.queue.filter(pass);
    net.queue = [];
    for (const m of batch) net.node(m.to).rawNode.step(m);
    if (!moved && batch.length === 0) return;
  }
  throw new Error('did not settle');
}

const between = (ids: string[]) => (m: Message): boolean => ids.includes(m.from) && ids.includes(m.to);

/** Replaces a node by a fresh RawNode over the same storage: volatile state is lost. */
function restart(net: Network, id: string, options: ConstructorParameters<typeof Network>[1] = {}): NetNode {
  const old = net.node(id);
  net.queue = net.queue.filter((m) => m.to !== id && m.from !== id);
  const fresh = net.addNode(id, old.storage, options, 1);
  return fresh;
}

describe('raft scenarios', () => {
  describe('Figure 8 (§5.4.2)', () => {
    /**
     * The paper's Figure 8 on five nodes, with one entry per message so the leader of term 4 can
     * replicate the old entry without its own no-op. Returns every (index -> terms applied) seen.
     */
    function figure8(unsafe: boolean): Map<number, Set<number>> {
      const opts = { preVote: false, checkQuorum: false, maxSizePerMsgBytes: 1, unsafeCommitOldTermEntries: unsafe };
      const net = new Network(['1', '2', '3', '4', '5'], opts);
      net.elect('1'); // term 2, no-op at index 2 committed everywhere
      // (a) S1 replicates "x" at index 3 (term 2) to S2 only.
      net.node('1').rawNode.propose(te.encode('x'));
      runFiltered(net, between(['1', '2']));
      // (b) S5 wins term 3 with S3 and S4, appends its no-op at index 3, which reaches nobody.
      net.node('5').rawNode.campaign();
      runFiltered(net, (m) => between(['3', '4', '5'])(m) && (m.type === 'vote' || m.type === 'voteResp'));
      assert.equal(role(net.node('5')), 'leader');
      // (c) S1 restarts and wins term 4 with S2 and S3 (two rounds: S3 already voted in term 3).
      restart(net, '1', opts).rawNode.campaign();
      runFiltered(net, (m) => between(['1', '2', '3'])(m) && (m.type === 'vote' || m.type === 'voteResp'));
      net.node('1').rawNode.campaign();
      runFiltered(net, (m) => between(['1', '2', '3'])(m) && (m.type === 'vote' || m.type === 'voteResp'));
      assert.equal(role(net.node('1')), 'leader');
      assert.equal(termOf(net.node('1')), 4);
      // S1 replicates to S2 and S3 (a heartbeat restarts the probes its election appends never
      // delivered), but once S3 holds index 3 it never receives the term-4 no-op: index 3 (term 2) is
      // then on a majority (S1, S2, S3) while index 4 (term 4) is only on S1 and S2.
      net.node('1').rawNode.tick();
      const s3HasIndex3 = (): boolean => net.node('3').storage.lastIndex() >= 3;
      runFiltered(net, (m) => between(['1', '2', '3'])(m) && !(m.to === '3' && s3HasIndex3() && m.entries.some((e) => e.index === 4)));
      assert.equal(net.node('3').storage.term(3), 2);
      // (d) S1 and S2 go away; S5 restarts and wins term 5 with S3 and S4, then replicates its log.
      const live = (m: Message): boolean => ['3', '4', '5'].includes(m.from) && ['3', '4', '5'].includes(m.to);
      restart(net, '5', opts).rawNode.campaign();
      runFiltered(net, live);
      net.node('5').rawNode.campaign();
      runFiltered(net, live);
      assert.equal(role(net.node('5')), 'leader');
      assert.equal(net.node('3').storage.term(3), 3, 'S3 now holds S5\'s entry at index 3');
      const applied = new Map<number, Set<number>>();
      for (const n of net.nodes.values()) {
        for (const e of n.appliedEntries) {
          if (!applied.has(e.index)) applied.set(e.index, new Set());
          applied.get(e.index)!.add(e.term);
        }
      }
      return applied;
    }

    it('with the current-term commit rule, no index is ever applied with two different terms', () => {
      for (const [index, terms] of figure8(false)) assert.equal(terms.size, 1, `index ${index} applied as terms ${[...terms]}`);
    });

    it('with unsafeCommitOldTermEntries, index 3 is applied as term 2 by S1 and S2 but as term 3 by the rest (the planted bug is caught)', () => {
      const applied = figure8(true);
      assert.deepEqual([...(applied.get(3) ?? [])].sort(), [2, 3]);
    });
  });

  describe('elections under disruption', () => {
    it('with PreVote, a rejoining partitioned node neither bumps terms nor deposes the leader', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      const term = termOf(net.node('1'));
      net.isolate('3');
      net.tickAll(100);
      assert.equal(termOf(net.node('3')), term, 'isolated node stayed at the leader term');
      net.recover();
      net.tickAll(5);
      assert.deepEqual(net.leaders(), [{ id: '1', term }]);
    });

    it('without PreVote and CheckQuorum, the same rejoin forces a new election (what PreVote prevents)', () => {
      const net = new Network(['1', '2', '3'], { preVote: false, checkQuorum: false });
      net.elect('1');
      const term = termOf(net.node('1'));
      net.isolate('3');
      net.tickAll(100);
      assert.ok(termOf(net.node('3')) > term + 3);
      net.recover();
      net.tickAll(30);
      const leaders = net.leaders();
      assert.equal(leaders.length, 1);
      assert.ok(leaders[0]!.term > term, 'the old leader was deposed by the inflated term');
    });

    it('CheckQuorum: a leader cut off from the majority steps down, the majority elects another, and it follows on return', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.isolate('1');
      net.tickAll(40);
      // It stepped down; cut off, it keeps timing out, but PreVote keeps its term where it was.
      assert.notEqual(role(net.node('1')), 'leader');
      const others = net.leaders();
      assert.equal(others.length, 1);
      assert.notEqual(others[0]!.id, '1');
      net.recover();
      net.tickAll(5);
      assert.equal(net.node('1').rawNode.status().softState.lead, others[0]!.id);
    });

    it('a leader in a minority partition cannot commit; its entries are replaced after healing', () => {
      const net = new Network(['1', '2', '3', '4', '5']);
      net.elect('1');
      net.isolate('1');
      net.cut('2', '3');
      net.cut('2', '4');
      net.cut('2', '5');
      net.node('1').rawNode.propose(te.encode('lost'));
      net.stabilize();
      assert.equal(net.appliedData('1').includes('lost'), false);
      net.recover();
      net.isolate('1');
      net.tickAll(40);
      const leader = net.leaders().find((l) => l.id !== '1')!;
      net.propose(leader.id, 'kept');
      net.recover();
      net.tickAll(10);
      for (const n of net.nodes.values()) {
        assert.deepEqual(net.appliedData(n.id), ['kept'], n.id);
      }
    });
  });

  describe('leader transfer edge cases', () => {
    it('transfer to self, to a non-member and to a learner are ignored; proposals keep working', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      for (const target of ['1', '9']) {
        net.node('1').rawNode.transferLeadership(target);
        net.stabilize();
        assert.equal(net.node('1').rawNode.status().leadTransferee, '');
      }
      net.propose('1', 'ok');
      assert.deepEqual(net.appliedData('3'), ['ok']);
    });

    it('a second transfer to another node replaces the first; only the latest transferee campaigns', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.isolate('2');
      net.node('1').rawNode.transferLeadership('2');
      net.stabilize();
      assert.equal(net.node('1').rawNode.status().leadTransferee, '2');
      net.node('1').rawNode.transferLeadership('3');
      net.stabilize();
      assert.deepEqual(net.leaders().map((l) => l.id), ['3']);
    });

    it('a lagging transferee is caught up first, and proposals are refused until the transfer ends', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.isolate('3');
      net.propose('1', 'a');
      net.propose('1', 'b');
      net.recover();
      net.node('1').rawNode.transferLeadership('3');
      assert.throws(() => net.node('1').rawNode.propose(te.encode('c')), (e: unknown) => e instanceof ProposalDroppedError && e.reason === 'leaderTransferInProgress');
      net.stabilize();
      net.tickAll(2);
      assert.deepEqual(net.leaders().map((l) => l.id), ['3']);
      assert.deepEqual(net.appliedData('3'), ['a', 'b']);
    });

    it('a transfer that cannot finish is aborted after an election timeout', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.isolate('2');
      net.node('1').rawNode.transferLeadership('2');
      net.stabilize();
      for (let i = 0; i < 10; i++) net.node('1').rawNode.tick();
      assert.equal(net.node('1').rawNode.status().leadTransferee, '');
      net.node('1').rawNode.propose(te.encode('after'));
    });

    it('a transfer is abandoned when the transferee is removed from the configuration', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.cut('1', '3');
      net.node('1').rawNode.transferLeadership('3');
      net.stabilize();
      net.node('1').rawNode.applyConfChange({ transition: 'auto', changes: [{ type: 'removeNode', nodeId: '3' }], context: '' });
      assert.equal(net.node('1').rawNode.status().leadTransferee, '');
    });
  });

  describe('flow control reports', () => {
    it('a failed snapshot send drops the follower back to probing, and the next heartbeat retries it', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.isolate('3');
      for (let i = 0; i < 5; i++) net.propose('1', `e${i}`);
      const leader = net.node('1');
      const applied = leader.rawNode.status().applied;
      leader.storage.createSnapshot(applied, leader.rawNode.status().config, new Uint8Array(0));
      leader.storage.compact(applied);
      net.recover();
      net.ignore('snap');
      net.tickAll(1);
      assert.equal(leader.rawNode.status().progress['3']!.state, 'snapshot');
      leader.rawNode.reportSnapshot('3', false);
      const pr = leader.rawNode.status().progress['3']!;
      assert.equal(pr.state, 'probe');
      assert.equal(pr.paused, true, 'waits for the next heartbeat response before retrying');
      net.recover();
      net.tickAll(2);
      assert.equal(leader.rawNode.status().progress['3']!.state, 'replicate');
      assert.deepEqual(net.appliedData('3'), [], 'the snapshot replaced the entries 3 never applied one by one');
      assert.equal(net.node('3').rawNode.status().applied, leader.rawNode.status().applied);
    });

    it('reportUnreachable stops pipelining to a follower: replicate falls back to probe', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.propose('1', 'x');
      assert.equal(net.node('1').rawNode.status().progress['2']!.state, 'replicate');
      net.node('1').rawNode.reportUnreachable('2');
      assert.equal(net.node('1').rawNode.status().progress['2']!.state, 'probe');
      net.tickAll(1);
      assert.equal(net.node('1').rawNode.status().progress['2']!.state, 'replicate');
    });
  });

  describe('ReadIndex', () => {
    it('a fresh leader after failover answers a read only at an index that includes the previous term', () => {
      const net = new Network(['1', '2', '3']);
      net.elect('1');
      net.propose('1', 'w1');
      net.isolate('1');
      net.tickAll(30);
      const leader = net.leaders().find((l) => l.id !== '1')!;
      const node = net.node(leader.id);
      const lastIndex = node.storage.lastIndex();
      node.rawNode.readIndex('after-failover');
      net.stabilize();
      assert.equal(node.readStates.length, 1);
      assert.ok(node.readStates[0]!.index >= lastIndex, 'read index covers every entry the new leader holds');
    });

    it('a deposed leader cut off from the majority never confirms a read', () => {
      const net = new Network(['1', '2', '3'], { checkQuorum: false });
      net.elect('1');
      net.isolate('1');
      net.node('1').rawNode.readIndex('stale');
      net.stabilize();
      net.node('2').rawNode.campaign();
      net.stabilize();
      net.propose('2', 'newer');
      for (let i = 0; i < 50; i++) net.node('1').rawNode.tick();
      net.stabilize();
      assert.deepEqual(net.node('1').readStates, []);
    });
  });

  describe('forwarded proposals are appended only in the term they were forwarded in', () => {
    const opts = { preVote: false, checkQuorum: false };
    const logHas = (net: Network, id: string, data: string): boolean => {
      const storage = net.node(id).storage;
      return storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Number.MAX_SAFE_INTEGER).some((e) => new TextDecoder().decode(e.data) === data);
    };
    /** Proposes on follower 2 and returns the forwarded message, held back from the network. */
    function forwardHeld(net: Network, data: string): Message {
      net.node('2').rawNode.propose(te.encode(data));
      net.processReadies();
      const held = net.queue.find((m) => m.type === 'prop' && m.from === '2');
      assert.ok(held !== undefined, 'follower 2 forwarded the proposal');
      net.queue = net.queue.filter((m) => m !== held);
      return held;
    }

    it('a follower stamps a forwarded proposal with its term, and the leader of that term appends it', () => {
      const net = new Network(['1', '2', '3'], opts);
      net.elect('1');
      const held = forwardHeld(net, 'same-term');
      assert.equal(held.logTerm, termOf(net.node('2')));
      net.node('1').rawNode.step(held);
      net.stabilize();
      for (const id of ['1', '2', '3']) assert.ok(logHas(net, id, 'same-term'), `node ${id} has the entry`);
    });

    it('a proposal reaching a deposed leader is dropped, not passed on to the new leader', () => {
      const net = new Network(['1', '2', '3'], opts);
      net.elect('1');
      const held = forwardHeld(net, 'to-deposed');
      net.elect('3');
      assert.equal(role(net.node('1')), 'follower');
      assert.equal(net.node('1').rawNode.status().softState.lead, '3');
      net.node('1').rawNode.step(held);
      net.stabilize();
      for (const id of ['1', '2', '3']) assert.ok(!logHas(net, id, 'to-deposed'), `node ${id} never appended it`);
      // A proposal made now is forwarded in the new term and appended.
      net.node('2').rawNode.propose(te.encode('after'));
      net.stabilize();
      assert.ok(logHas(net, '3', 'after'));
    });

    it('a leader re-elected in a later term drops a proposal forwarded to it in the earlier one', () => {
      const net = new Network(['1', '2', '3'], opts);
      net.elect('1');
      const forwardedIn = termOf(net.node('2'));
      const held = forwardHeld(net, 'old-term');
      net.elect('3');
      net.elect('1');
      assert.ok(termOf(net.node('1')) > forwardedIn);
      assert.equal(role(net.node('1')), 'leader');
      net.node('1').rawNode.step(held);
      net.stabilize();
      for (const id of ['1', '2', '3']) assert.ok(!logHas(net, id, 'old-term'), `node ${id} never appended it`);
    });
  });

  describe('durability', () => {
    it('a single-node cluster never hands out an entry as committed in the Ready that persists it', () => {
      const net = new Network(['1']);
      net.elect('1');
      for (let i = 0; i < 20; i++) net.propose('1', `v${i}`);
      const persistedBefore = new Set<number>();
      for (const rd of net.node('1').readies) {
        for (const e of rd.committedEntries) assert.ok(persistedBefore.has(e.index), `entry ${e.index} committed before it was durable`);
        for (const e of rd.entries) persistedBefore.add(e.index);
      }
      assert.equal(net.appliedData('1').length, 20);
    });
  });

  describe('randomized safety (seeded)', () => {
    /**
     * Random partitions, drops, proposals, transfers, restarts and compactions on 3 or 5 nodes. After
     * every step: at most one leader per term; no index applied with two different entries; terms and
     * commit indexes never go back. A failing seed is printed and replays exactly.
     */
    function runSeed(seed: number, steps: number): void {
      const rng = seededRng(seed);
      const ids = rng.nextInt(2) === 0 ? ['1', '2', '3'] : ['1', '2', '3', '4', '5'];
      const net = new Network(ids, {}, seed);
      const leaderOfTerm = new Map<number, string>();
      const appliedAt = new Map<number, string>();
      const lastTerm = new Map<string, number>();
      const lastCommit = new Map<string, number>();
      const seenApplied = new Map<string, number>();
      for (let step = 0; step < steps; step++) {
        const dice = rng.nextInt(100);
        if (dice < 4) {
          net.recover();
          const victim = ids[rng.nextInt(ids.length)]!;
          net.isolate(victim);
        } else if (dice < 8) {
          net.recover();
          for (const a of ids) for (const b of ids) if (a < b && rng.nextInt(4) === 0) net.drop(a, b, 0.5);
        } else if (dice < 10) {
          net.recover();
        } else if (dice < 11) {
          const id = ids[rng.nextInt(ids.length)]!;
          restart(net, id);
          seenApplied.set(id, 0);
        } else if (dice < 12) {
          const n = net.node(ids[rng.nextInt(ids.length)]!);
          const st = n.rawNode.status();
          if (st.applied > n.storage.snapshot().metadata.index + 2) {
            n.storage.createSnapshot(st.applied, st.config, new Uint8Array(0));
            n.storage.compact(st.applied);
          }
        }
        const leader = net.leaders()[0];
        if (leader !== undefined && rng.nextInt(3) === 0) {
          try {
            if (rng.nextInt(20) === 0) net.node(leader.id).rawNode.transferLeadership(ids[rng.nextInt(ids.length)]!);
            else net.node(leader.id).rawNode.propose(te.encode(`s${seed}-${step}`));
          } catch (err) {
            if (!(err instanceof ProposalDroppedError)) throw err;
          }
        }
        for (const n of net.nodes.values()) n.rawNode.tick();
        net.stabilize();
        for (const n of net.nodes.values()) {
          const st = n.rawNode.status();
          const where = `seed ${seed} step ${step} node ${n.id}`;
          if (st.softState.raftState === 'leader') {
            const prev = leaderOfTerm.get(st.hardState.term);
            assert.ok(prev === undefined || prev === n.id, `${where}: two leaders in term ${st.hardState.term}`);
            leaderOfTerm.set(st.hardState.term, n.id);
          }
          assert.ok(st.hardState.term >= (lastTerm.get(n.id) ?? 0), `${where}: term went back`);
          assert.ok(st.hardState.commit >= (lastCommit.get(n.id) ?? 0), `${where}: commit went back`);
          lastTerm.set(n.id, st.hardState.term);
          lastCommit.set(n.id, st.hardState.commit);
          const from = seenApplied.get(n.id) ?? 0;
          for (const e of n.appliedEntries.slice(from)) {
            const key = `${e.term}:${new TextDecoder().decode(e.data)}`;
            const prev = appliedAt.get(e.index);
            assert.ok(prev === undefined || prev === key, `${where}: index ${e.index} applied as ${key}, elsewhere ${prev}`);
            appliedAt.set(e.index, key);
          }
          seenApplied.set(n.id, n.appliedEntries.length);
        }
      }
      // The run did real work: several terms and many applied entries (so the checks were not vacuous).
      assert.ok(leaderOfTerm.size >= 2, `seed ${seed}: only ${leaderOfTerm.size} term(s) had a leader`);
      assert.ok(appliedAt.size >= 20, `seed ${seed}: only ${appliedAt.size} indexes applied`);
      // Liveness once healed: a single leader emerges and accepts writes.
      net.recover();
      net.tickAll(60);
      assert.equal(net.leaders().length, 1, `seed ${seed}: no single leader after healing`);
      process.env['RAFT_SIM_STATS'] === '1' && console.log(`seed ${seed}: ${ids.length} nodes, ${leaderOfTerm.size} leader terms, ${appliedAt.size} indexes applied`);
    }

    for (let seed = 1; seed <= 12; seed++) {
      it(`seed ${seed}: election safety and state-machine safety hold under faults`, () => runSeed(seed, 400));
    }
  });
});
