import assert from 'node:assert/strict';
import { CompactedError, MemoryStorage, RaftAssertionError, SnapshotOutOfDateError, UnavailableError, bootstrap } from './imports.js';
import { ent } from './helpers.js';

const cs = { voters: ['1'], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

function storageWith(lastIndex: number): MemoryStorage {
  const s = new MemoryStorage();
  s.append(Array.from({ length: lastIndex }, (_, i) => ent(1 + Math.floor(i / 2), i + 1, `e${i + 1}`)));
  return s;
}

describe('MemoryStorage', () => {
  it('starts empty: first index 1, last index 0, term 0 at index 0', () => {
    const s = new MemoryStorage();
    assert.equal(s.firstIndex(), 1);
    assert.equal(s.lastIndex(), 0);
    assert.equal(s.term(0), 0);
    assert.throws(() => s.term(1), UnavailableError);
  });

  it('returns entries in [lo, hi), cut by size but never empty', () => {
    const s = storageWith(5);
    assert.deepEqual(s.entries(2, 5, Infinity).map((e) => e.index), [2, 3, 4]);
    assert.deepEqual(s.entries(2, 5, 0).map((e) => e.index), [2], 'at least one entry');
    assert.deepEqual(s.entries(2, 5, 2 * (16 + 2)).map((e) => e.index), [2, 3]);
    assert.throws(() => s.entries(2, 7, Infinity), RaftAssertionError);
  });

  it('append overwrites a suffix and refuses gaps', () => {
    const s = storageWith(5);
    s.append([ent(9, 4), ent(9, 5), ent(9, 6)]);
    assert.deepEqual(s.entries(1, 7, Infinity).map((e) => e.term), [1, 1, 2, 9, 9, 9]);
    assert.throws(() => s.append([ent(9, 9)]), /missing log entry/);
  });

  it('compaction keeps the term of the compaction point and refuses to pass the snapshot', () => {
    const s = storageWith(6);
    assert.throws(() => s.compact(3), /createSnapshot first/);
    s.createSnapshot(4, cs, new Uint8Array([1]));
    s.compact(3);
    assert.equal(s.firstIndex(), 4);
    assert.equal(s.term(3), 2);
    assert.throws(() => s.term(2), CompactedError);
    assert.throws(() => s.entries(3, 5, Infinity), CompactedError);
    assert.throws(() => s.compact(3), CompactedError);
  });

  it('applySnapshot replaces the log and refuses older snapshots', () => {
    const s = storageWith(3);
    s.applySnapshot({ metadata: { index: 10, term: 4, confState: cs }, data: new Uint8Array(0) });
    assert.equal(s.firstIndex(), 11);
    assert.equal(s.lastIndex(), 10);
    assert.equal(s.term(10), 4);
    assert.deepEqual(s.initialState().confState.voters, ['1']);
    assert.throws(() => s.applySnapshot({ metadata: { index: 9, term: 4, confState: cs }, data: new Uint8Array(0) }), SnapshotOutOfDateError);
  });

  it('entries already covered by a snapshot are ignored on append', () => {
    const s = new MemoryStorage();
    s.applySnapshot({ metadata: { index: 5, term: 2, confState: cs }, data: new Uint8Array(0) });
    s.append([ent(2, 4), ent(2, 5), ent(2, 6)]);
    assert.deepEqual(s.entries(6, 7, Infinity).map((e) => e.index), [6]);
  });

  it('bootstrap writes a snapshot at index 1, term 1 and a HardState at term 1; only on an empty storage', () => {
    const s = new MemoryStorage();
    bootstrap(s, { voters: ['1', '2'], learners: ['3'] });
    assert.deepEqual(s.initialState().hardState, { term: 1, vote: '', commit: 1 });
    assert.deepEqual(s.initialState().confState.learners, ['3']);
    assert.throws(() => bootstrap(s, { voters: ['1'] }), /empty storage/);
  });
});
