import assert from 'node:assert/strict';
import type { Lease } from '../../../client-sdk/index.js';
import { TestCluster } from '../helpers/cluster.js';

describe('cluster: leases across leader changes (real processes, SIGKILL)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
  });
  after(async () => {
    await cluster.cleanup();
  });

  it('never expires a kept-alive lease while leaders are killed, and expires un-renewed ones within TTL + 2 election timeouts', async () => {
    const ttlSeconds = 3;
    const client = cluster.client(undefined, { requestTimeoutMs: 5000 });
    const kept: Lease[] = [];
    for (let i = 0; i < 10; i++) {
      const lease = await client.lease.grant(ttlSeconds);
      await client.put(`kept/${i}`, 'alive', { lease: lease.id });
      kept.push(lease);
    }
    // Leases nobody renews: each must expire between TTL and TTL + 2 election timeouts after its grant.
    const watch = client.watch('dropped/', { prefix: true, noPut: true });
    await watch.ready();
    const grantedAt = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      const sentAt = performance.now();
      const lease = await client.lease.grant(ttlSeconds, { keepAlive: false });
      await client.put(`dropped/${i}`, 'v', { lease: lease.id });
      grantedAt.set(`dropped/${i}`, sentAt);
    }
    const expiredAfterMs = new Map<string, number>();
    const watching = (async () => {
      for await (const event of watch) {
        if (event.type !== 'delete') continue;
        const key = event.kv.key.toString();
        expiredAfterMs.set(key, performance.now() - grantedAt.get(key)!);
        if (expiredAfterMs.size === grantedAt.size) break;
      }
    })();
    for (let round = 0; round < 3; round++) {
      const leader = await cluster.waitForLeader();
      await cluster.kill(leader);
      await cluster.waitForLeader([leader]);
      await cluster.startMember(leader);
    }
    await watching;
    const boundMs = ttlSeconds * 1000 + 2 * cluster.electionMs + 1500;
    const seen = [...expiredAfterMs.values()].map((ms) => ms.toFixed(0)).join(', ');
    console.log(`      expired after ${seen} ms (TTL ${ttlSeconds * 1000} ms, bound ${boundMs} ms)`);
    for (const [key, afterMs] of expiredAfterMs) {
      assert.ok(afterMs >= ttlSeconds * 1000, `${key} expired ${afterMs.toFixed(0)} ms after its grant, before its TTL`);
      assert.ok(afterMs <= boundMs, `${key} expired ${afterMs.toFixed(0)} ms after its grant`);
    }
    const lost = kept.filter((lease) => !lease.alive);
    assert.deepEqual(lost.map((lease) => lease.id), [], 'no kept-alive lease was lost');
    const { count } = await client.get('kept/', { prefix: true });
    assert.equal(count, 10n, 'every key of a kept-alive lease is still there');
    await client.close();
  });
});
