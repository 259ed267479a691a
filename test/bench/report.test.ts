import { strict as assert } from 'node:assert';
import { compareOutcomes, comparisonTable, resultsTable } from './report.js';
import type { RunResult } from './runner.js';
import { watchLayout } from './watch-workload.js';
import { forEachBounded, type WorkloadOptions } from './workload.js';

function result(target: 'synod' | 'etcd', inFlight: number, opsPerSecond: number, p99: number, memberMicros: number): RunResult {
  return {
    target, members: 1, workload: 'put', inFlight, connections: inFlight, ops: opsPerSecond, errors: 0, seconds: 1, opsPerSecond, rate: null,
    latencyMs: { p50: p99 / 4, p90: p99 / 2, p99, max: p99 * 2 },
    cpuPercent: { client: 10, members: 20 }, memberCpuPercent: [20], cpuMicrosPerOp: { client: 5, members: memberMicros }, loadAverage: 1.5,
  };
}

const OPTIONS: WorkloadOptions = { keySpace: 10, keyBytes: 16, valueBytes: 8, hotKeys: 1, watchers: 10, leases: 1, leaseTtlSeconds: 60 };

describe('bench report', () => {
  it('pairs runs by workload, members and in-flight and divides Synod by etcd for every figure', () => {
    const rows = compareOutcomes([result('synod', 1, 200, 8, 300), result('etcd', 1, 400, 4, 100), result('synod', 16, 900, 20, 50), result('etcd', 16, 600, 40, 100)]);
    assert.deepEqual(rows.map((row) => [row.inFlight, row.ratio]), [
      [1, { opsPerSecond: 0.5, p50: 2, p90: 2, p99: 2, max: 2, memberCpuPerOp: 3 }],
      [16, { opsPerSecond: 1.5, p50: 0.5, p90: 0.5, p99: 0.5, max: 0.5, memberCpuPerOp: 0.5 }],
    ]);
    const table = comparisonTable(rows).split('\n');
    assert.match(table[2]!, /^\| workload \| members \| in-flight \| Synod ops\/s \| etcd ops\/s \| ops\/s \| +p50 \| +p90 \| +p99 \| +max \| member CPU\/op \| load S\/e \|$/);
    assert.match(table[4]!, /^\| put +\| +1 \| +1 \| +200 \| +400 \| +0\.50 \| +2\.00 \| +2\.00 \| +2\.00 \| +2\.00 \| +3\.00 \| +1\.5\/1\.5 \|$/);
    // Every row of the padded table is as wide as its header.
    assert.equal(new Set(table.slice(2).map((line) => line.length)).size, 1);
  });

  it('pairs a workload one store cannot run with each run of the other, and leaves its ratios empty', () => {
    const rows = compareOutcomes([result('synod', 1, 200, 8, 300), { target: 'etcd', members: 1, workload: 'put', unavailable: 'not here' }]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.ratio.opsPerSecond, null);
    assert.match(comparisonTable(rows), /etcd put \(1 members\): not here/);
    assert.match(resultsTable(rows.flatMap((row) => [row.synod!, row.etcd!])), /\| etcd +\| +1 \| put .*not here/);
  });

  it('lays out watchers: half shared by default, a connection per 500, clamped to the watchers', () => {
    assert.deepEqual(watchLayout({ ...OPTIONS, watchers: 10_000 }), { watchers: 10_000, shared: 5000, distinct: 5000, connections: 20, eventsPerPut: 5001 });
    assert.deepEqual(watchLayout({ ...OPTIONS, watchers: 3, sharedWatchers: 0, watchConnections: 8 }), { watchers: 3, shared: 0, distinct: 3, connections: 3, eventsPerPut: 1 });
    assert.deepEqual(watchLayout({ ...OPTIONS, watchers: 2, sharedWatchers: 5 }), { watchers: 2, shared: 2, distinct: 0, connections: 1, eventsPerPut: 2 });
  });

  it('runs every task once with at most the given number pending, and rejects with the first failure', async () => {
    let pending = 0;
    let pendingMax = 0;
    const seen: number[] = [];
    await forEachBounded(50, 4, async (i) => {
      pendingMax = Math.max(pendingMax, ++pending);
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(i);
      pending--;
    });
    assert.deepEqual(seen.sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.equal(pendingMax, 4);
    await assert.rejects(forEachBounded(10, 3, async (i) => {
      if (i === 5) throw new Error('task 5 failed');
    }), /task 5 failed/);
  });
});
