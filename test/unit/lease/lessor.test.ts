import assert from 'node:assert/strict';
import { Lessor } from '../../../server/lease/lessor.js';
import type { Change, KeyValue } from '../../../server/mvcc/types.js';

function fakeClock(start = 1_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

function put(key: string, lease: bigint, prevLease: bigint | null): Change {
  const kv = (l: bigint): KeyValue => ({ key, value: 'v', createRevision: 2, modRevision: 2, version: 1, lease: l });
  return { revision: { main: 2, sub: 0 }, key, kv: kv(lease), prevKv: prevLease === null ? null : kv(prevLease) };
}

describe('lessor', () => {
  it('expires a lease one TTL after its grant, in deadline order, and not before', () => {
    const clock = fakeClock();
    const lessor = new Lessor(clock.now);
    lessor.grant(1n, 10);
    clock.advance(1000);
    lessor.grant(2n, 5);
    clock.advance(4999);
    assert.deepEqual(lessor.expired(10), []);
    clock.advance(1);
    assert.deepEqual(lessor.expired(10), [{ id: 2n, renewals: 0 }]);
    clock.advance(4000);
    assert.deepEqual(lessor.expired(10).map((c) => c.id), [2n, 1n], 'the earliest deadline first');
    assert.deepEqual(lessor.expired(1).map((c) => c.id), [2n]);
  });

  it('a renewal restarts the whole TTL and bumps the renewal count', () => {
    const clock = fakeClock();
    const lessor = new Lessor(clock.now);
    lessor.grant(7n, 3);
    clock.advance(2500);
    assert.equal(lessor.renew(7n), 3);
    clock.advance(2999);
    assert.deepEqual(lessor.expired(10), []);
    clock.advance(1);
    assert.deepEqual(lessor.expired(10), [{ id: 7n, renewals: 1 }]);
    assert.equal(lessor.renew(99n), 0, 'renewing an unknown lease answers TTL 0');
  });

  it('skips leases with a renewal in flight', () => {
    const clock = fakeClock();
    const lessor = new Lessor(clock.now);
    lessor.grant(1n, 1);
    clock.advance(1000);
    assert.deepEqual(lessor.expired(10, (id) => id === 1n), []);
  });

  it('a checkpoint carries the time left to members that promote later, and across restarts', () => {
    const leaderClock = fakeClock();
    const followerClock = fakeClock(50_000);
    const leader = new Lessor(leaderClock.now);
    const follower = new Lessor(followerClock.now);
    leader.grant(5n, 60);
    follower.grant(5n, 60);
    leaderClock.advance(45_000);
    followerClock.advance(45_000);
    const due = leader.checkpointsDue(1000, 100);
    assert.deepEqual(due, [{ id: 5n, remainingMs: 15_000 }]);
    followerClock.advance(20);
    follower.checkpoint(5n, due[0]!.remainingMs);
    assert.equal(follower.remainingMs(5n), 15_000, 'the follower counts the time left from when it applied the checkpoint');
    // A restart loads the record: the time left counts from the restart, it does not reset to the TTL.
    const restarted = new Lessor(fakeClock(0).now);
    restarted.restore(follower.get(5n)!);
    assert.equal(restarted.remainingMs(5n), 15_000);
    assert.deepEqual(leader.checkpointsDue(1000, 100), [{ id: 5n, remainingMs: 15_000 }]);
    leader.checkpoint(5n, 15_000);
    assert.deepEqual(leader.checkpointsDue(1000, 100), [], 'nothing new to checkpoint right after one');
  });

  it('checkpoints the stalest leases first when more are due than fit in one entry, so none starves', () => {
    const clock = fakeClock();
    const lessor = new Lessor(clock.now);
    for (const id of [1n, 2n, 3n, 4n]) lessor.grant(id, 60);
    clock.advance(10_000);
    lessor.renew(1n);
    lessor.renew(2n);
    clock.advance(3_000);
    // 3 and 4 lost 13 s, 1 and 2 only 3 s: the entry takes 3 and 4, though 1 and 2 come first.
    const first = lessor.checkpointsDue(2_000, 2);
    assert.deepEqual(first.map((c) => c.id).sort(), [3n, 4n]);
    for (const c of first) lessor.checkpoint(c.id, c.remainingMs);
    clock.advance(2_500);
    // Now 1 and 2 have lost 5.5 s since their renewal and 3 and 4 only 2.5 s since their checkpoint.
    assert.deepEqual(lessor.checkpointsDue(2_000, 2).map((c) => c.id).sort(), [1n, 2n]);
  });

  it('tracks attached keys from committed changes and hands them over on revoke, sorted', () => {
    const lessor = new Lessor(fakeClock().now);
    lessor.grant(1n, 10);
    lessor.grant(2n, 10);
    lessor.onChanges([put('b', 1n, null), put('a', 1n, null), put('c', 2n, null)]);
    lessor.onChanges([put('c', 1n, 2n)]);
    lessor.onChanges([{ revision: { main: 3, sub: 0 }, key: 'a', kv: null, prevKv: { key: 'a', value: 'v', createRevision: 2, modRevision: 2, version: 1, lease: 1n } }]);
    assert.deepEqual(lessor.keys(2n), []);
    assert.deepEqual(lessor.revoke(1n), ['b', 'c']);
    assert.equal(lessor.leaseExists(1n), false);
    assert.throws(() => lessor.revoke(1n), { code: 'lease_not_found' });
    assert.throws(() => lessor.grant(2n, 5), { code: 'lease_exists' });
  });
});
