import assert from 'node:assert/strict';
import { FencedStoreClient } from '../../../recipes/shared/fenced-store.js';
import { waitFor } from '../helpers/wait-for.js';
import { ProcessGroup, startStore, type ScenarioContext } from './context.js';

const TTL_SECONDS = 3;
/** Room for process scheduling on a loaded 2-core machine, on top of TTL + election timeout. */
const SLACK_MS = 1500;

/** Election, through the leader-elected scheduler recipe (recipes/scheduler/README.md). */
export function schedulerScenario(context: () => ScenarioContext): void {
  const group = new ProcessGroup();
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(group.transcripts());
    await group.stopAll();
  });

  it('a killed leader process is replaced within TTL + election timeout; a paused leader cannot act once deposed', async () => {
    const { cluster, endpoints } = context();
    const storeUrl = await startStore(group, 'scheduler');
    const store = new FencedStoreClient(storeUrl);
    const election = 'test/scheduler';
    const client = cluster.client();
    const candidates = async (count: number): Promise<void> => {
      await waitFor(`${count} candidates`, async () => ((await client.get(`${election}/`, { prefix: true, countOnly: true })).count >= BigInt(count) ? true : undefined), 20_000);
    };
    const common = ['--endpoints', endpoints, '--store', storeUrl, '--ttl', String(TTL_SECONDS), '--interval-ms', '100', '--election', election];
    try {
      // Candidates queue in start order: s1 leads, then s2, then s3.
      const s1 = group.start('scheduler', 'scheduler', [...common, '--id', 's1', '--job-ms', '20'], 's1');
      await s1.waitFor('job-done');
      const s2 = group.start('scheduler', 'scheduler', [...common, '--id', 's2', '--job-ms', '1500'], 's2');
      await candidates(2);
      const s3 = group.start('scheduler', 'scheduler', [...common, '--id', 's3', '--job-ms', '20'], 's3');
      await candidates(3);

      s1.kill('SIGKILL');
      const killedAt = performance.now();
      const s2Lead = await s2.waitFor('leader');
      const failoverMs = performance.now() - killedAt;
      const boundMs = TTL_SECONDS * 1000 + cluster.electionMs + SLACK_MS;
      console.log(`      failover: the next leader led ${failoverMs.toFixed(0)} ms after the kill (TTL ${TTL_SECONDS * 1000} ms, bound ${boundMs} ms)`);
      assert.ok(failoverMs <= boundMs, `the next leader took ${failoverMs.toFixed(0)} ms`);

      // s2 is paused in the middle of its first job (1.5 s of work), past its TTL: s3 takes over.
      const jobStart = await s2.waitFor('job-start');
      s2.kill('SIGSTOP');
      const s2Token = jobStart.fields['token']!;
      await s3.waitFor('job-done');
      s2.kill('SIGCONT');
      await s2.waitFor('job-rejected', (f) => f['token'] === s2Token);
      await s2.waitFor('follower');
      await s3.waitFor('job-done', () => true, { from: s3.lines.length });

      const state = await store.state('jobs');
      const tokens = state.log.map((record) => BigInt(record.token));
      assert.deepEqual(tokens, [...tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'accepted jobs carry non-decreasing tokens');
      // One token per leader, and leaders act one after the other: their accepted jobs never interleave.
      const blocks = state.log.map((record) => `${record.writer}@${record.token}`).filter((run, i, all) => i === 0 || all[i - 1] !== run);
      assert.deepEqual(blocks.map((run) => run.split('@')[0]), ['s1', 's3'], `leaders acting in order: ${blocks.join(' ')}`);
      assert.equal(new Set(blocks).size, blocks.length, 'no leader acted again after another one did');
      assert.ok(state.rejected.some((record) => record.writer === 's2' && record.token === s2Token), 'the deposed leader\'s job was refused');
      assert.ok(BigInt(s2Lead.fields['token']!) > tokens[0]!, 'each new leader has a larger fencing token');
    } finally {
      await client.close();
    }
  });
}
