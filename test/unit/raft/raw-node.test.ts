import assert from 'node:assert/strict';
import {
  ConfigError,
  MemoryStorage,
  ProposalDroppedError,
  RaftAssertionError,
  RawNode,
  ReadIndexDroppedError,
  StepRefusedError,
  bootstrap,
  makeMessage,
  resolveConfig,
  seededRng,
} from './imports.js';
import { Network } from '../../harness/network.js';

describe('RawNode', () => {
  it('validates its config and reports every problem at once', () => {
    const storage = new MemoryStorage();
    assert.throws(
      () => new RawNode({ id: '', storage, rng: seededRng(1), electionTicks: 1, heartbeatTicks: 1, maxInflightMsgs: 0 }),
      (err: unknown) => err instanceof ConfigError && err.problems.length === 3,
    );
    const cfg = resolveConfig({ id: '1', storage, rng: seededRng(1) });
    assert.equal(cfg.preVote, true);
    assert.equal(cfg.checkQuorum, true);
    assert.equal(cfg.unsafeCommitOldTermEntries, false);
    assert.equal(Object.isFrozen(cfg), true);
  });

  it('refuses to start from a log newer than its HardState term (a HardState that was not persisted)', () => {
    const storage = new MemoryStorage();
    storage.applySnapshot({ metadata: { index: 1, term: 3, confState: { voters: ['1'], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false } }, data: new Uint8Array(0) });
    assert.throws(() => new RawNode({ id: '1', storage, rng: seededRng(1) }), RaftAssertionError);
  });

  it('enforces ready() -> advance(ready) alternation', () => {
    const storage = new MemoryStorage();
    bootstrap(storage, { voters: ['1'] });
    const rn = new RawNode({ id: '1', storage, rng: seededRng(1), applied: 1 });
    rn.campaign();
    const rd = rn.ready();
    assert.equal(rn.hasReady(), false, 'nothing new while a Ready is outstanding');
    assert.throws(() => rn.ready(), RaftAssertionError);
    assert.throws(() => rn.advance({ ...rd }), RaftAssertionError);
    storage.append(rd.entries);
    rn.advance(rd);
    assert.equal(rn.hasReady(), true);
  });

  it('refuses local message types and malformed messages from the network', () => {
    const storage = new MemoryStorage();
    bootstrap(storage, { voters: ['1', '2'] });
    const rn = new RawNode({ id: '1', storage, rng: seededRng(1), applied: 1 });
    assert.throws(() => rn.step(makeMessage({ type: 'hup', from: '2', to: '1' })), StepRefusedError);
    assert.throws(() => rn.step(makeMessage({ type: 'app', from: '2', to: '3' })), StepRefusedError);
    assert.throws(() => rn.step(makeMessage({ type: 'app', from: '2', to: '1', term: 1.5 })), StepRefusedError);
    assert.throws(() => rn.step(makeMessage({ type: 'app', from: '2', to: '1', index: 2 ** 60 })), StepRefusedError);
  });

  it('throws typed errors when a proposal or read cannot be accepted', () => {
    const net = new Network(['1', '2', '3']);
    assert.throws(() => net.node('1').rawNode.propose(new Uint8Array([1])), (e: unknown) => e instanceof ProposalDroppedError && e.reason === 'noLeader' && e.code === 'RAFT_PROPOSAL_DROPPED');
    assert.throws(() => net.node('1').rawNode.readIndex('r'), ReadIndexDroppedError);
    assert.throws(() => net.node('1').rawNode.readIndex(''), TypeError);
  });

  it('a given seed and input sequence replays exactly', () => {
    const run = (): string => {
      const net = new Network(['1', '2', '3'], {}, 42);
      net.drop('1', '2', 0.3);
      const trace: string[] = [];
      for (let t = 0; t < 300; t++) {
        for (const n of net.nodes.values()) n.rawNode.tick();
        net.stabilize();
        const leader = net.leaders()[0];
        if (leader !== undefined && t % 7 === 0) {
          try {
            net.node(leader.id).rawNode.propose(new TextEncoder().encode(`v${t}`));
          } catch {
            /* dropped proposals are part of the trace too */
          }
        }
        trace.push(JSON.stringify([...net.nodes.values()].map((n) => n.rawNode.status().hardState)));
      }
      return trace.join('\n');
    };
    assert.equal(run(), run());
  });
});
