import assert from 'node:assert/strict';
import { RaftStorage } from '../../../server/storage/raft-storage.js';
import { tempDir, removeDir } from '../../integration/helpers/server-process.js';
import type { Entry, Snapshot } from '../../../server/raft/index.js';

const entry = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: Buffer.from(`e${index}t${term}`) });
const confState = { voters: ['a'], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

describe('raft storage (real LevelDB)', () => {
  let dir: string;
  let storage: RaftStorage;

  beforeEach(async () => {
    dir = await tempDir();
    storage = await RaftStorage.open(dir);
  });
  afterEach(async () => {
    await storage.close();
    await removeDir(dir);
  });

  async function reopen(): Promise<ReturnType<RaftStorage['load']>> {
    await storage.close();
    storage = await RaftStorage.open(dir);
    return storage.load();
  }

  it('persists entries and hard state together and reloads them into the mirror', async () => {
    await storage.load();
    await storage.save({ snapshot: null, entries: [entry(1, 1), entry(2, 1)], hardState: { term: 1, vote: 'a', commit: 1 } });
    const state = await reopen();
    assert.deepEqual(state.hardState, { term: 1, vote: 'a', commit: 1 });
    const mirror = RaftStorage.mirror(state);
    assert.equal(mirror.lastIndex(), 2);
    assert.equal(mirror.term(2), 1);
  });

  it('syncs a batch with entries, a term or a vote, and writes a commit-only hard state without a sync (still there after a restart)', async () => {
    await storage.load();
    const synced: number[] = [];
    storage.onSynced = (seconds) => synced.push(seconds);
    await storage.save({ snapshot: null, entries: [entry(1, 1)], hardState: { term: 1, vote: 'a', commit: 0 }, mustSync: true });
    assert.equal(synced.length, 1);
    await storage.save({ snapshot: null, entries: [], hardState: { term: 1, vote: 'a', commit: 1 }, mustSync: false });
    assert.equal(synced.length, 1, 'the commit-only batch was not synced');
    await storage.save({ snapshot: null, entries: [], hardState: { term: 2, vote: '', commit: 1 } });
    assert.equal(synced.length, 2, 'without mustSync a batch is synced');
    const state = await reopen();
    assert.deepEqual(state.hardState, { term: 2, vote: '', commit: 1 });
  });

  it('replaces a conflicting suffix: entries past the new last index are gone after a restart', async () => {
    await storage.load();
    await storage.save({ snapshot: null, entries: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)], hardState: null });
    await storage.save({ snapshot: null, entries: [entry(2, 2)], hardState: { term: 2, vote: '', commit: 1 } });
    const state = await reopen();
    assert.deepEqual(state.entries.map((e) => [e.index, e.term]), [[1, 1], [2, 2]]);
  });

  it('installs a received snapshot, the log it covers and the state directory in one batch', async () => {
    await storage.load();
    await storage.save({ snapshot: null, entries: [entry(1, 1), entry(2, 1), entry(3, 1)], hardState: null });
    const snapshot: Snapshot = { metadata: { index: 10, term: 3, confState }, data: new Uint8Array(0) };
    await storage.save({ snapshot, entries: [], hardState: { term: 3, vote: '', commit: 10 } }, 'state-xyz');
    const state = await reopen();
    assert.deepEqual(state.entries, []);
    assert.equal(state.stateDir, 'state-xyz');
    assert.equal(state.snapshot?.index, 10);
    assert.equal(RaftStorage.mirror(state).firstIndex(), 11);
  });

  it('compacts the head of the log behind a snapshot of its own state', async () => {
    await storage.load();
    await storage.save({ snapshot: null, entries: [1, 2, 3, 4, 5].map((i) => entry(i, 1)), hardState: null });
    await storage.saveSnapshotMetadata({ index: 4, term: 1, confState });
    await storage.compact(2);
    const state = await reopen();
    assert.deepEqual(state.entries.map((e) => e.index), [3, 4, 5]);
    assert.deepEqual(RaftStorage.mirror(state).entries(5, 6, Infinity).map((e) => e.index), [5]);
  });
});
