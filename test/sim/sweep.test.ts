import assert from 'node:assert/strict';
import type { SimOptions } from './params.js';
import { defaultWorkers, runSeeds } from './pool.js';
import { runSeed, type SeedResult } from './run.js';

/** Seeds of the sweep; each runs once with 3 members and once with 5. */
const SWEEP_SEEDS = 500;

function sum(results: readonly SeedResult[], pick: (r: SeedResult) => number): number {
  return results.reduce((total, r) => total + pick(r), 0);
}

describe('sim: seed sweep', function () {
  this.timeout(300_000);

  it(`${2 * SWEEP_SEEDS} seeds (3 and 5 members, swarm faults) keep every invariant, settle after healing and are linearizable`, async () => {
    const seeds: SimOptions[] = [];
    for (let seed = 1; seed <= SWEEP_SEEDS; seed++) seeds.push({ seed, members: 3 }, { seed, members: 5 });
    const results = await runSeeds(seeds, defaultWorkers());
    assert.equal(results.length, seeds.length);
    const failures = results.filter((r) => r.violation !== null).map((r) => `${r.violation!.kind}: ${r.violation!.detail.split('\n')[0]}\n    replay: ${r.replay}`);
    assert.deepEqual(failures, [], `failing seeds:\n${failures.join('\n')}`);
    // The sweep must actually exercise what it claims to: faults, snapshots, membership, unknown outcomes.
    assert.ok(sum(results, (r) => r.faults.crashes) > 1000, 'crashes');
    assert.ok(sum(results, (r) => r.faults.partitions) > 1000, 'partitions');
    assert.ok(sum(results, (r) => r.faults.transfers) > 100, 'leader transfers');
    assert.ok(sum(results, (r) => r.membership.changes) > 100, 'membership changes');
    assert.ok(sum(results, (r) => r.network.snapshots) > 100, 'snapshots sent');
    assert.ok(sum(results, (r) => r.network.duplicated) > 1000, 'duplicated messages');
    assert.ok(sum(results, (r) => r.clients.abandoned) > 100, 'operations with unknown outcome');
    assert.ok(sum(results, (r) => r.clients.lostInLeaderChange) > 100, 'writes declared lost in a leader change (checked never applied)');
    assert.ok(sum(results, (r) => r.failovers.length) > 500, 'failovers measured');
    assert.ok(sum(results, (r) => r.clients.completed) > 20_000, 'completed client operations');
  });

  it('a seed replays exactly', () => {
    const a = runSeed({ seed: 7, members: 5 });
    const b = runSeed({ seed: 7, members: 5 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(runSeed({ seed: 8, members: 5 }).network, a.network, 'another seed is another run');
  });
});
