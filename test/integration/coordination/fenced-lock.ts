import assert from 'node:assert/strict';
import { FencedStoreClient } from '../../../recipes/shared/fenced-store.js';
import { ProcessGroup, startStore, type ScenarioContext } from './context.js';

const WORKERS = 3;
const INCREMENTS = 4;
const TTL_SECONDS = 3;

/** Lock safety, through the fenced-lock recipe's worker processes (recipes/fenced-lock/README.md). */
export function fencedLockScenario(context: () => ScenarioContext): void {
  const group = new ProcessGroup();
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(group.transcripts());
    await group.stopAll();
  });

  it('N worker processes count exactly under the lock; one paused (SIGSTOP) past its TTL has its stale write refused', async () => {
    const { endpoints } = context();
    const storeUrl = await startStore(group, 'fenced-lock');
    const store = new FencedStoreClient(storeUrl);
    const common = ['--endpoints', endpoints, '--store', storeUrl, '--increments', String(INCREMENTS), '--ttl', String(TTL_SECONDS), '--lock', 'test/fenced-lock'];
    // w1 goes first and spends long enough between its read and its write for the SIGSTOP to land there.
    const paused = group.start('fenced-lock', 'worker', [...common, '--id', 'w1', '--work-ms', '1500'], 'w1');
    const staleToken = (await paused.waitFor('read')).fields['token']!;
    paused.kill('SIGSTOP');
    const others = [2, 3].map((n) => group.start('fenced-lock', 'worker', [...common, '--id', `w${n}`, '--work-ms', '10'], `w${n}`));
    // Resume it only once a newer holder has used the store (its read was accepted, so the store's
    // highest token is now above w1's): w1's lease expired and the lock moved on.
    const newer = await Promise.any(others.map((worker) => worker.waitFor('read')));
    assert.ok(BigInt(newer.fields['token']!) > BigInt(staleToken));
    paused.kill('SIGCONT');
    const rejected = await paused.waitFor('rejected', (f) => f['token'] === staleToken);
    assert.equal(rejected.fields['op'], 'write');
    const exits = await Promise.all([paused, ...others].map((worker) => worker.exited()));
    assert.deepEqual(exits.map((exit) => exit.code), [0, 0, 0]);
    for (const worker of [paused, ...others]) assert.equal((await worker.waitFor('done')).fields['increments'], String(INCREMENTS));

    const state = await store.state('counter');
    assert.equal(state.value, WORKERS * INCREMENTS, 'the count is exact');
    assert.equal(state.log.length, WORKERS * INCREMENTS, 'one accepted write per increment');
    const tokens = state.log.map((record) => BigInt(record.token));
    assert.deepEqual(tokens, [...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'accepted writes carry non-decreasing tokens');
    assert.ok(state.rejected.some((record) => record.writer === 'w1' && record.token === staleToken && record.op === 'write'), 'the store refused the stale write');
    assert.ok(!state.log.some((record) => record.token === staleToken), 'nothing was accepted from the stale hold');
  });
}
