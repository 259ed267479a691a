import assert from 'node:assert/strict';
import { applyConfChangeTo, Changer, type ConfigAndProgress } from '../../../server/raft/confchange/changer.js';
import { decodeConfChange, encodeConfChange, enterJointMode } from '../../../server/raft/confchange/codec.js';
import { restoreConfig } from '../../../server/raft/confchange/restore.js';
import { describeTrackerConfig } from '../../../server/raft/tracker/tracker.js';
import { ConfChangeError, type ConfChange, type ConfChangeSingle, type ConfState } from './imports.js';

const ctx = { lastIndex: 10, maxInflight: 8, maxInflightBytes: 0 };

function fromState(cs: Partial<ConfState>): ConfigAndProgress {
  return restoreConfig({ voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false, ...cs }, ctx);
}

function change(from: ConfigAndProgress, cc: string, transition: ConfChange['transition'] = 'auto'): ConfigAndProgress {
  const changes: ConfChangeSingle[] = cc
    .split(' ')
    .filter((t) => t !== '')
    .map((t) => ({ type: t[0] === 'v' ? 'addNode' : t[0] === 'l' ? 'addLearner' : 'removeNode', nodeId: t.slice(1) }));
  return applyConfChangeTo(new Changer(from, ctx), { transition, changes, context: '' });
}

const show = (c: ConfigAndProgress): string => describeTrackerConfig(c.config);

describe('confchange', () => {
  it('simple changes add, promote, demote and remove one voter at a time', () => {
    let c = fromState({ voters: ['1'] });
    c = change(c, 'l2');
    assert.equal(show(c), 'voters=(1) learners=(2)');
    c = change(c, 'v2');
    assert.equal(show(c), 'voters=(1 2)');
    c = change(c, 'l2');
    assert.equal(show(c), 'voters=(1) learners=(2)');
    c = change(c, 'r2');
    assert.equal(show(c), 'voters=(1)');
    assert.deepEqual([...c.progress.keys()], ['1']);
  });

  it('refuses a simple change that alters more than one voter', () => {
    const c = fromState({ voters: ['1', '2'] });
    assert.throws(() => new Changer(c, ctx).simple([{ type: 'addNode', nodeId: '3' }, { type: 'removeNode', nodeId: '2' }]), /more than one voter changed/);
  });

  it('refuses to remove every voter', () => {
    assert.throws(() => change(fromState({ voters: ['1'] }), 'r1'), ConfChangeError);
    assert.throws(() => change(fromState({ voters: ['1', '2'] }), 'r1 r2'), /removed all voters/);
  });

  it('enters and leaves a joint config; a demoted voter waits in learnersNext until leaving', () => {
    let c = fromState({ voters: ['1', '2', '3'] });
    c = change(c, 'v4 l3');
    assert.equal(show(c), 'voters=(1 2 4)&&(1 2 3) learners_next=(3) autoleave');
    assert.equal(c.progress.get('3')!.isLearner, false, 'still votes in the outgoing half');
    c = new Changer(c, ctx).leaveJoint();
    assert.equal(show(c), 'voters=(1 2 4) learners=(3)');
    assert.equal(c.progress.get('3')!.isLearner, true);
  });

  it('refuses joint-state misuse: entering twice, leaving when not joint, simple change while joint', () => {
    const joint = change(fromState({ voters: ['1', '2'] }), 'v3', 'explicit');
    assert.equal(show(joint), 'voters=(1 2 3)&&(1 2)');
    assert.throws(() => new Changer(joint, ctx).enterJoint(false, [{ type: 'addNode', nodeId: '4' }]), /already joint/);
    assert.throws(() => new Changer(joint, ctx).simple([{ type: 'addNode', nodeId: '4' }]), /in joint config/);
    assert.throws(() => new Changer(fromState({ voters: ['1'] }), ctx).leaveJoint(), /non-joint/);
  });

  it('never mutates the configuration it starts from (proposals are validated as dry runs)', () => {
    const joint = change(fromState({ voters: ['1', '2', '3'] }), 'l2', 'explicit');
    const before = show(joint);
    const learnerFlags = [...joint.progress.values()].map((p) => p.isLearner);
    new Changer(joint, ctx).leaveJoint();
    new Changer(joint, ctx).leaveJoint();
    assert.equal(show(joint), before);
    assert.deepEqual([...joint.progress.values()].map((p) => p.isLearner), learnerFlags);
  });

  it('keeps the Progress of members that stay, so replication state survives a change', () => {
    const c = fromState({ voters: ['1', '2'] });
    c.progress.get('2')!.match = 7;
    const next = change(c, 'v3');
    assert.equal(next.progress.get('2')!.match, 7);
    assert.equal(next.progress.get('3')!.next, 10, 'a new member is probed from the last index');
  });

  it('restore rejects inconsistent ConfStates', () => {
    assert.throws(() => fromState({ voters: ['1'], learners: ['1'] }), /both a learner and a voter/);
    assert.throws(() => fromState({ voters: ['1'], learnersNext: ['2'] }), /learnersNext/);
    assert.throws(() => fromState({ voters: ['1'], autoLeave: true }), /autoLeave/);
  });

  it('transition modes: auto is simple for one change, joint otherwise; explicit never auto-leaves', () => {
    const one = [{ type: 'addNode' as const, nodeId: '2' }];
    const two = [...one, { type: 'addNode' as const, nodeId: '3' }];
    assert.deepEqual(enterJointMode({ transition: 'auto', changes: one, context: '' }), { joint: false, autoLeave: false });
    assert.deepEqual(enterJointMode({ transition: 'auto', changes: two, context: '' }), { joint: true, autoLeave: true });
    assert.deepEqual(enterJointMode({ transition: 'implicit', changes: one, context: '' }), { joint: true, autoLeave: true });
    assert.deepEqual(enterJointMode({ transition: 'explicit', changes: one, context: '' }), { joint: true, autoLeave: false });
  });

  it('the conf change codec round-trips and rejects garbage', () => {
    const cc: ConfChange = { transition: 'implicit', changes: [{ type: 'addLearner', nodeId: 'n-7' }], context: 'ctx' };
    assert.deepEqual(decodeConfChange(encodeConfChange(cc)), cc);
    assert.throws(() => decodeConfChange(new TextEncoder().encode('{"t":"nope","c":[],"x":""}')), ConfChangeError);
    assert.throws(() => decodeConfChange(new Uint8Array([0xff, 0xfe])), ConfChangeError);
  });
});
