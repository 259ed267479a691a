import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { etcdAvailable } from './launch.js';

const BENCH_CLI = fileURLToPath(new URL('./cli.js', import.meta.url));

interface BenchLine {
  target: string;
  workload: string;
  inFlight?: number;
  ops?: number;
  errors?: number;
  unavailable?: string;
  memberCpuPercent?: number[] | null;
  extra?: Record<string, unknown>;
}

interface CompareLine {
  workload: string;
  members: number;
  inFlight: number;
  synod: { opsPerSecond: number; errors: number } | null;
  etcd: { opsPerSecond: number; errors: number } | null;
  ratio: Record<string, number | null>;
}

/** Runs the bench CLI to completion; resolves with its exit code and output. */
function runBench(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BENCH_CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function jsonLines<K extends string>(stdout: string, kind: K): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as Record<string, unknown>)[kind])
    .filter((value) => value !== undefined);
}

const benchLines = (stdout: string): BenchLine[] => jsonLines(stdout, 'bench') as BenchLine[];

/** Options of a run too short to measure anything: the tests check counts, never timing. */
const TINY = ['--duration', '1s', '--warm-up', '0', '--key-space', '50'];

describe('npm run bench (tiny runs against real members)', function () {
  // One-second runs plus member starts; no timing is asserted.
  this.timeout(60_000);

  it('prints one parsable JSON line per workload and in-flight, each with operations counted and none failed', async () => {
    // Three CLIs (each with its own member) at once keep the test near five seconds.
    const [kv, watchLease, paced] = await Promise.all([
      runBench(['put,get-serializable,txn-cas', ...TINY, '--in-flight', '1,4']),
      runBench(['watch,lease-keepalive', ...TINY, '--in-flight', '1,4', '--watchers', '5', '--shared-watchers', '2', '--watch-connections', '2', '--leases', '6', '--connections', '2']),
      runBench(['put', ...TINY, '--in-flight', '3', '--rate', '40']),
    ]);
    for (const run of [kv, watchLease, paced]) assert.equal(run.code, 0, run.stderr);
    const runs = [...benchLines(kv.stdout), ...benchLines(watchLease.stdout)];
    assert.deepEqual(
      runs.map((r) => `${r.workload}@${r.inFlight ?? r.unavailable}`),
      ['put@1', 'put@4', 'get-serializable@1', 'get-serializable@4', 'txn-cas@1', 'txn-cas@4', 'watch@1', 'watch@4', 'lease-keepalive@1', 'lease-keepalive@4'],
    );
    for (const run of runs) {
      assert.equal(run.target, 'synod');
      assert.ok(run.ops! > 0, `${run.workload}@${run.inFlight} counted no operation`);
      assert.equal(run.errors, 0, `${run.workload}@${run.inFlight} had errors`);
      assert.equal(run.memberCpuPercent?.length, 1, 'one CPU figure per member');
    }
    for (const cas of runs.filter((r) => r.workload === 'txn-cas')) assert.equal(cas.extra?.['countersConsistent'], true, 'counters grew by the successful increments');
    for (const watch of runs.filter((r) => r.workload === 'watch')) {
      assert.equal(watch.extra?.['watchConnections'], 2);
      // Each put reaches the two shared watchers and the one watcher of its own prefix.
      assert.equal(watch.extra?.['expectedEvents'], 3 * (watch.extra?.['puts'] as number));
      assert.equal(watch.ops, watch.extra?.['expectedEvents'], 'every watcher got every event meant for it');
    }
    for (const lease of runs.filter((r) => r.workload === 'lease-keepalive')) assert.equal(lease.extra?.['leases'], 6);
    // Operation i of a paced run is due i / rate seconds in, and none is due after the run: at most 40 in 1 s.
    const [pacedRun] = benchLines(paced.stdout);
    assert.ok(pacedRun!.ops! > 0 && pacedRun!.ops! <= 40, `a run paced at 40/s for 1 s did ${pacedRun!.ops} operations`);
  });

  it('compares Synod and etcd with one command: a JSON line and a table row per workload and in-flight', async function () {
    if (!(await etcdAvailable())) {
      // The only reason to skip: compare mode needs an etcd binary, which a clean CI machine may lack.
      process.stderr.write('      compare mode not run: no etcd binary on PATH (Debian: apt-get install etcd-server)\n');
      this.skip();
    }
    const { code, stdout, stderr } = await runBench(['compare', ...TINY, '--workloads', 'put,lease-keepalive', '--members', '1', '--in-flight', '2', '--leases', '4']);
    assert.equal(code, 0, stderr);
    const runs = benchLines(stdout);
    assert.deepEqual(runs.map((r) => `${r.target} ${r.workload}`), ['synod put', 'etcd put', 'synod lease-keepalive', 'etcd lease-keepalive']);
    for (const run of runs) assert.equal(run.errors, 0, `${run.target} ${run.workload} had errors`);
    const rows = jsonLines(stdout, 'compare') as CompareLine[];
    assert.deepEqual(rows.map((row) => `${row.workload}@${row.members}@${row.inFlight}`), ['put@1@2', 'lease-keepalive@1@2']);
    for (const row of rows) {
      assert.deepEqual(Object.keys(row.ratio), ['opsPerSecond', 'p50', 'p90', 'p99', 'max', 'memberCpuPerOp']);
      assert.equal(row.ratio['opsPerSecond'], Number((row.synod!.opsPerSecond / row.etcd!.opsPerSecond).toFixed(3)));
    }
    assert.match(stdout, /\| workload +\| members \| in-flight \| Synod ops\/s \| etcd ops\/s \| ops\/s \|/);
  });

  it('refuses an unknown workload with the list of known ones, and a bad option with its problem', async () => {
    const { code, stderr } = await runBench(['no-such-workload', '--duration', 'soon']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown workload "no-such-workload" \(known: put, get, get-serializable, txn-cas, watch, lease-keepalive\)/);
    assert.match(stderr, /--duration wants a positive time such as 5s or 500ms, got "soon"/);
  });
});
