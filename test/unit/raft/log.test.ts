import assert from 'node:assert/strict';
import { RaftLog } from '../../../server/raft/log.js';
import { Unstable } from '../../../server/raft/unstable.js';
import { MemoryStorage, RaftAssertionError } from './imports.js';
import { ent } from './helpers.js';

const snap = (index: number, term: number) => ({
  metadata: { index, term, confState: { voters: ['1'], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false } },
  data: new Uint8Array(0),
});

function logWith(terms: number[]): RaftLog {
  const s = new MemoryStorage();
  s.append(terms.map((t, i) => ent(t, i + 1)));
  return new RaftLog(s, Infinity);
}

describe('Unstable', () => {
  it('truncateAndAppend appends, replaces everything, or truncates a suffix', () => {
    const u = new Unstable(5);
    u.truncateAndAppend([ent(1, 5), ent(1, 6), ent(1, 7)]);
    u.truncateAndAppend([ent(2, 8)]);
    assert.deepEqual(u.entries.map((e) => `${e.term}/${e.index}`), ['1/5', '1/6', '1/7', '2/8']);
    u.truncateAndAppend([ent(3, 7)]);
    assert.deepEqual(u.entries.map((e) => `${e.term}/${e.index}`), ['1/5', '1/6', '3/7']);
    u.truncateAndAppend([ent(4, 4)]);
    assert.equal(u.offset, 4);
    assert.deepEqual(u.entries.map((e) => `${e.term}/${e.index}`), ['4/4']);
  });

  it('stableTo ignores an acknowledgement whose term no longer matches (the entry was overwritten)', () => {
    const u = new Unstable(1);
    u.truncateAndAppend([ent(1, 1), ent(1, 2)]);
    u.acceptInProgress();
    u.truncateAndAppend([ent(2, 2)]);
    u.stableTo(1, 2);
    assert.equal(u.offset, 1, 'stale ack for 1/2 ignored');
    u.stableTo(2, 2);
    assert.equal(u.offset, 3);
    assert.deepEqual(u.entries, []);
  });

  it('hands out each entry for persistence once, and again after it is overwritten', () => {
    const u = new Unstable(1);
    u.truncateAndAppend([ent(1, 1), ent(1, 2)]);
    assert.equal(u.nextEntries().length, 2);
    u.acceptInProgress();
    assert.equal(u.nextEntries().length, 0);
    u.truncateAndAppend([ent(2, 2)]);
    assert.deepEqual(u.nextEntries().map((e) => `${e.term}/${e.index}`), ['2/2']);
  });

  it('restore holds a snapshot whose index/term answer firstIndex, lastIndex and term', () => {
    const u = new Unstable(3);
    u.restore(snap(9, 3));
    assert.equal(u.maybeFirstIndex(), 10);
    assert.equal(u.maybeLastIndex(), 9);
    assert.equal(u.maybeTerm(9), 3);
    assert.equal(u.maybeTerm(8), null);
    assert.equal(u.nextSnapshot()?.metadata.index, 9);
    u.acceptInProgress();
    assert.equal(u.nextSnapshot(), null);
  });
});

describe('RaftLog', () => {
  it('findConflict returns the first mismatching index, 0 when all match', () => {
    const l = logWith([1, 2, 3]);
    assert.equal(l.findConflict([ent(1, 1), ent(2, 2)]), 0);
    assert.equal(l.findConflict([ent(2, 2), ent(4, 3)]), 3);
    assert.equal(l.findConflict([ent(3, 3), ent(3, 4)]), 4, 'a missing entry counts as a conflict');
  });

  it('findConflictByTerm skips back to the last index whose term is <= the given term', () => {
    const l = logWith([1, 1, 2, 2, 5, 5]);
    assert.deepEqual(l.findConflictByTerm(6, 4), [4, 2]);
    assert.deepEqual(l.findConflictByTerm(6, 5), [6, 5]);
    assert.deepEqual(l.findConflictByTerm(3, 1), [2, 1]);
    assert.deepEqual(l.findConflictByTerm(6, 0), [0, 0]);
    assert.deepEqual(l.findConflictByTerm(10, 2), [4, 2], 'an index past the end starts from the last entry');
  });

  it('maybeAppend refuses a mismatch, truncates a conflicting suffix, and commits up to the new last index', () => {
    const l = logWith([1, 1, 2]);
    assert.equal(l.maybeAppend(3, 1, 3, [ent(3, 4)]), null);
    assert.equal(l.maybeAppend(2, 1, 10, [ent(3, 3), ent(3, 4)]), 4);
    assert.equal(l.committed, 4, 'commit is capped by the last new index');
    assert.deepEqual(l.slice(1, 5, Infinity).map((e) => e.term), [1, 1, 3, 3]);
  });

  it('asserts instead of truncating a committed entry or committing past the log', () => {
    const l = logWith([1, 1, 2]);
    l.commitTo(3);
    assert.throws(() => l.maybeAppend(1, 1, 3, [ent(5, 2)]), RaftAssertionError);
    assert.throws(() => l.commitTo(4), RaftAssertionError);
    assert.throws(() => l.appliedTo(4), RaftAssertionError);
  });

  it('hands out committed entries only once they are durable (below the unstable offset)', () => {
    const l = logWith([1, 1]);
    l.append([ent(1, 3), ent(1, 4)]);
    l.commitTo(4);
    assert.deepEqual(l.nextCommittedEntries().map((e) => e.index), [1, 2]);
    const toPersist = l.nextUnstableEntries();
    l.unstable.acceptInProgress();
    (l.storage as MemoryStorage).append(toPersist);
    l.unstable.stableTo(1, 4);
    assert.deepEqual(l.nextCommittedEntries().map((e) => e.index), [1, 2, 3, 4]);
  });

  it('maybeCommit refuses an index of an older term unless the unsafe switch is on', () => {
    const l = logWith([1, 2, 3]);
    assert.equal(l.maybeCommit(2, 3, false), false);
    assert.equal(l.maybeCommit(3, 3, false), true);
    const unsafe = logWith([1, 2, 3]);
    assert.equal(unsafe.maybeCommit(2, 3, true), true);
  });

  it('isUpToDate compares last terms first, then last indexes (§5.4.1)', () => {
    const l = logWith([1, 2, 2]);
    assert.equal(l.isUpToDate(3, 2), true);
    assert.equal(l.isUpToDate(2, 2), false);
    assert.equal(l.isUpToDate(1, 3), true);
    assert.equal(l.isUpToDate(9, 1), false);
  });

  it('slice spans storage and unstable and cuts to the byte limit', () => {
    const l = logWith([1, 1]);
    l.append([ent(2, 3), ent(2, 4)]);
    assert.deepEqual(l.slice(1, 5, Infinity).map((e) => e.index), [1, 2, 3, 4]);
    assert.deepEqual(l.slice(2, 5, 2 * 16).map((e) => e.index), [2, 3]);
  });
});
