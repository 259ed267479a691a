import assert from 'node:assert/strict';
import { StateStore } from '../../../server/storage/state-store.js';
import { tempDir, removeDir } from '../../integration/helpers/server-process.js';
import type { Change, KeyValue } from '../../../server/mvcc/types.js';

function kv(key: string, value: string, main: number): KeyValue {
  return { key, value, createRevision: main, modRevision: main, version: 1, lease: 0n };
}

function putChange(key: string, value: string, main: number): Change {
  return { revision: { main, sub: 0 }, key, kv: kv(key, value, main), prevKv: null };
}

describe('state store (real LevelDB)', () => {
  let dir: string;
  let state: StateStore;

  beforeEach(async () => {
    dir = await tempDir();
    state = await StateStore.open(`${dir}/state`);
  });
  afterEach(async () => {
    await state.close();
    await removeDir(dir);
  });

  it('writes changes with the applied index atomically and serves history from them', async () => {
    await state.writeApply({ appliedIndex: 7, changes: [putChange('a', '1', 2), putChange('b', '2', 3)], dropped: [] });
    assert.equal(await state.getMeta<number>('applied'), 7);
    assert.deepEqual(await state.read([{ main: 3, sub: 0 }, { main: 9, sub: 0 }]), [kv('b', '2', 3), null]);
    await state.writeApply({ appliedIndex: 8, changes: [], dropped: [{ main: 2, sub: 0 }] });
    assert.equal(await state.countChanges(), 1);
  });

  it('serves staged changes to history reads and replays before their batch is written', async () => {
    state.stageChanges([putChange('s', 'staged', 4)]);
    assert.deepEqual(await state.read([{ main: 4, sub: 0 }]), [kv('s', 'staged', 4)]);
    assert.deepEqual((await state.readChanges(4, 4)).map((c) => c.change.kv?.value), ['staged']);
    assert.equal(await state.countChanges(), 0);
  });

  it('never misses a staged change whose batch lands while a history scan or hash runs', async () => {
    // Many rounds: the scan's iterator snapshot is taken before the batch lands, and the batch lands
    // before the scan ends, so a scan that consulted the staged changes only after reading the
    // database lost the change (a watch that started at the current revision missed its event).
    const before = putChange('h', 'base', 2);
    await state.writeApply({ appliedIndex: 1, changes: [before], dropped: [] });
    const reference = await StateStore.open(`${dir}/reference`);
    await reference.writeApply({ appliedIndex: 1, changes: [before], dropped: [] });
    for (let main = 3; main < 103; main++) {
      const change = putChange(`k${main}`, `v${main}`, main);
      state.stageChanges([change]);
      const scan = state.readChanges(main, main);
      const hash = state.hashKv(main);
      await state.writeApply({ appliedIndex: main, changes: [change], dropped: [] });
      assert.deepEqual((await scan).map((c) => c.change.kv?.value), [`v${main}`], `revision ${main}`);
      await reference.writeApply({ appliedIndex: main, changes: [change], dropped: [] });
      assert.equal(await hash, await reference.hashKv(main), `hash at revision ${main}`);
    }
    await reference.close();
  });

  it('exports a consistent copy that imports into an identical database with the same hash', async () => {
    const changes = Array.from({ length: 300 }, (_, i) => putChange(`k${i}`, 'x'.repeat(i), i + 2));
    await state.writeApply({ appliedIndex: 42, changes, dropped: [], meta: { members: [{ id: '1' }] } });
    await StateStore.importChunks(`${dir}/copy`, state.exportChunks(4096));
    const copy = await StateStore.open(`${dir}/copy`);
    assert.equal(await copy.getMeta<number>('applied'), 42);
    assert.deepEqual(await copy.getMeta('members'), [{ id: '1' }]);
    assert.equal(await copy.countChanges(), 300);
    assert.equal(await copy.hashKv(301), await state.hashKv(301));
    assert.notEqual(await copy.hashKv(100), await state.hashKv(301));
    await copy.close();
  });

  it('refuses a truncated snapshot stream', async () => {
    await state.writeApply({ appliedIndex: 1, changes: [putChange('a', 'value', 2)], dropped: [] });
    async function* truncated(): AsyncGenerator<Uint8Array> {
      for await (const chunk of state.exportChunks()) yield chunk.subarray(0, chunk.length - 3);
    }
    await assert.rejects(StateStore.importChunks(`${dir}/bad`, truncated()), /ends inside a record/);
  });
});
