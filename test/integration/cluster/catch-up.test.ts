import assert from 'node:assert/strict';
import { TestCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait-for.js';

describe('cluster: a killed member restarts and catches up (real processes)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    // A low snapshot count and a short catch-up tail, so a member that misses a few hundred entries
    // can only catch up through a snapshot.
    cluster = await TestCluster.start({ size: 3, args: ['--snapshot-count', '100', '--snapshot-catchup-entries', '20'] });
  });
  after(async () => {
    await cluster.cleanup();
  });

  async function writeMany(prefix: string, count: number): Promise<bigint> {
    const client = cluster.client();
    let revision = 0n;
    for (let start = 0; start < count; start += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, count - start) }, (_, i) => client.put(`${prefix}/${start + i}`, String(start + i))));
      revision = batch.reduce((max, r) => (r.header.revision > max ? r.header.revision : max), revision);
    }
    await client.close();
    return revision;
  }

  async function caughtUp(i: number, prefix: string, count: number): Promise<void> {
    const reader = cluster.client([i]);
    await waitFor(`m${i + 1} to hold all ${count} keys`, async () => {
      const result = await reader.get(`${prefix}/`, { prefix: true, countOnly: true, serializable: true });
      return result.count === BigInt(count) ? true : undefined;
    });
    await reader.close();
  }

  it('catches up from the log after a short absence', async () => {
    const leader = await cluster.waitForLeader();
    const follower = (leader + 1) % 3;
    await cluster.kill(follower);
    await writeMany('short', 10);
    await cluster.startMember(follower);
    await caughtUp(follower, 'short', 10);
  });

  it('catches up through a snapshot when the log it missed was truncated', async () => {
    const leader = await cluster.waitForLeader();
    const follower = (leader + 2) % 3;
    await cluster.kill(follower);
    const last = await writeMany('long', 600);
    const restarted = await cluster.startMember(follower);
    await caughtUp(follower, 'long', 600);
    // Its log says so (the line may reach us just after the data does).
    await waitFor('the restarted member to log its snapshot install', () => (restarted.logLines.some((line) => line.includes('"installed a snapshot"')) ? true : undefined), 5000);
    const hashes = await Promise.all([0, 1, 2].map(async (i) => {
      const client = cluster.client([i]);
      await client.get('long/0');
      const { hash } = await client.cluster.hashKv(last);
      await client.close();
      return hash;
    }));
    assert.equal(new Set(hashes).size, 1, `hashkv differs after a snapshot install: ${hashes.join(', ')}`);
  });
});
