import assert from 'node:assert/strict';
import { Network } from '../../harness/network.js';
import { makeSteadyLeader, msg, newNode, readMessages } from './helpers.js';
import { MemoryStorage, ProposalDroppedError } from './imports.js';

const te = new TextEncoder();

/**
 * Bugs the cluster simulator (test/sim) found in the core, each reduced to the smallest input that
 * shows it. The seeds that found them are replayed in test/sim/regressions.test.ts.
 */
describe('raft: bugs found by the simulator', () => {
  it('a heartbeat response to a follower whose inflights are full sends an empty append, not entries (sim seeds 2/3, 1/5)', () => {
    const leader = newNode('1', ['1', '2', '3'], {}, { maxInflightMsgs: 1 });
    makeSteadyLeader(leader, ['2', '3']);
    const term = leader.rawNode.status().hardState.term;
    leader.rawNode.propose(new TextEncoder().encode('a'));
    const sent = readMessages(leader).filter((m) => m.to === '2' && m.type === 'app');
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.entries.length, 1);
    assert.equal(leader.rawNode.status().progress['2']!.inflightMsgs, 1, 'the window of 1 is full');
    // A second entry waits behind the full window.
    leader.rawNode.propose(new TextEncoder().encode('b'));
    assert.deepEqual(readMessages(leader).filter((m) => m.to === '2' && m.type === 'app'), []);
    // The append was lost; the follower answers a heartbeat. This used to throw "cannot add into a
    // full inflights": the response unpaused the follower and the leader sent entries into the window.
    leader.rawNode.step(msg({ type: 'heartbeatResp', from: '2', to: '1', term }));
    const probe = readMessages(leader).filter((m) => m.to === '2' && m.type === 'app');
    assert.equal(probe.length, 1);
    assert.equal(probe[0]!.entries.length, 0, 'an empty append, whose answer frees the window');
    // The follower rejects it (it lacks the entry); the leader probes back and resends the entry.
    leader.rawNode.step(msg({ type: 'appResp', from: '2', to: '1', term, index: probe[0]!.index, reject: true, rejectHint: probe[0]!.index - 1, logTerm: term }));
    const resent = readMessages(leader).filter((m) => m.to === '2' && m.type === 'app');
    assert.equal(resent.length, 1);
    assert.ok(resent[0]!.entries.length >= 1);
  });

  it('a leader replaced through a joint configuration takes no new entries while its leave-joint is pending (sim seed 576/3)', () => {
    const net = new Network(['1', '2', '3']);
    net.addNode('4', new MemoryStorage(), {}, 1);
    net.elect('1');
    const leader = net.node('1').rawNode;
    leader.proposeConfChange({ transition: 'auto', changes: [{ type: 'addNode', nodeId: '4' }, { type: 'removeNode', nodeId: '1' }], context: '' });
    // Run until the leader applied the joint configuration (and so proposed leaving it), not further.
    for (let i = 0; i < 100 && leader.status().config.votersOutgoing.length === 0; i++) {
      net.processReadies();
      net.deliverAll();
    }
    assert.deepEqual(leader.status().config.votersOutgoing, ['1', '2', '3']);
    assert.equal(leader.status().softState.raftState, 'leader');
    // Its log must end at the leave-joint: with later entries only it holds, it would refuse its vote to
    // members that have not applied the leave-joint yet, while they cannot be elected without it.
    assert.throws(() => leader.propose(te.encode('x')), (e: unknown) => e instanceof ProposalDroppedError && e.reason === 'notInConfiguration');
    net.stabilize();
    assert.deepEqual(leader.status().config.voters, ['2', '3', '4']);
    assert.notEqual(leader.status().softState.raftState, 'leader', 'the removed leader stepped down');
    net.tickAll(30);
    const leaders = net.leaders();
    assert.equal(leaders.length, 1);
    net.propose(leaders[0]!.id, 'after');
    for (const id of ['2', '3']) assert.ok(net.appliedData(id).includes('after'), `${id} applied the new leader's entry`);
  });
});
