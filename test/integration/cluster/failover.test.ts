import assert from 'node:assert/strict';
import { SynodError } from '../../../client-sdk/index.js';
import { TestCluster } from '../helpers/cluster.js';

interface Acked {
  readonly key: string;
  readonly value: string;
  readonly revision: bigint;
}

describe('cluster: failover under write load (real processes, SIGKILL)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
  });
  after(async () => {
    await cluster.cleanup();
  });

  it('elects a new leader within about two election timeouts after the leader is killed, and loses no acknowledged write', async () => {
    const leader = await cluster.waitForLeader();
    const others = [0, 1, 2].filter((i) => i !== leader);
    const acked: Acked[] = [];
    let failures = 0;
    let stop = false;
    const client = cluster.client(others, { requestTimeoutMs: 5000 });
    const writer = async (id: number): Promise<void> => {
      for (let seq = 0; !stop; seq++) {
        const key = `failover/${id}/${seq}`;
        try {
          const result = await client.put(key, `v${seq}`);
          acked.push({ key, value: `v${seq}`, revision: result.header.revision });
        } catch (error) {
          assert.ok(error instanceof SynodError, String(error));
          failures++;
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, i) => writer(i));
    while (acked.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
    const killedAt = Date.now();
    await cluster.kill(leader);
    const newLeader = await cluster.waitForLeader([leader]);
    const failoverMs = Date.now() - killedAt;
    const ackedAtFailover = acked.length;
    while (acked.length < ackedAtFailover + 300) await new Promise((resolve) => setTimeout(resolve, 20));
    stop = true;
    await Promise.all(writers);
    assert.notEqual(newLeader, leader);
    assert.ok(failoverMs < 4 * cluster.electionMs + 2000, `failover took ${failoverMs} ms`);
    // Every acknowledged write is on the surviving members, with its revision.
    await cluster.startMember(leader);
    for (const i of [0, 1, 2]) {
      const reader = cluster.client([i]);
      const { kvs } = await reader.get('failover/', { prefix: true });
      const stored = new Map(kvs.map((kv) => [kv.key.toString(), kv]));
      for (const write of acked) {
        const kv = stored.get(write.key);
        assert.ok(kv, `acknowledged ${write.key} missing on m${i + 1}`);
        assert.equal(kv.modRevision, write.revision);
      }
      await reader.close();
    }
    await client.close();
    console.log(`      failover ${failoverMs} ms; ${acked.length} writes acknowledged, ${failures} failed with a typed error`);
  });
});
