import assert from 'node:assert/strict';
import { SynodError } from '../../../client-sdk/index.js';
import { TestCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait-for.js';

describe('cluster: a member cut off by the network (real processes, proxies)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
  });
  after(async () => {
    await cluster.cleanup();
  });

  /** A linearizable read on member i must fail or time out: it may never answer with stale data. */
  async function assertNoStaleRead(i: number, key: string, current: string): Promise<void> {
    const client = cluster.client([i], { requestTimeoutMs: 1500 });
    try {
      const result = await client.get(key);
      assert.equal(result.kvs[0]?.value.toString(), current, 'a linearizable read answered, so it must be current');
    } catch (error) {
      assert.ok(error instanceof SynodError, String(error));
      assert.ok(['timeout', 'no_leader', 'unavailable'].includes(error.code), `unexpected error ${error.code}`);
    } finally {
      await client.close();
    }
  }

  it('a cut-off follower never serves a stale linearizable read, and rejoins without deposing the leader', async () => {
    const leader = await cluster.waitForLeader();
    const follower = (leader + 1) % 3;
    const writer = cluster.client([leader]);
    await writer.put('part/k', 'old');
    const before = await cluster.status(leader);
    cluster.isolate(follower);
    await writer.put('part/k', 'new');
    for (let attempt = 0; attempt < 3; attempt++) await assertNoStaleRead(follower, 'part/k', 'new');
    // Long enough for the follower's election timer to fire several times while cut off.
    await new Promise((resolve) => setTimeout(resolve, 4 * cluster.electionMs));
    cluster.heal();
    const reader = cluster.client([follower]);
    await waitFor('the follower to catch up', async () => ((await reader.get('part/k')).kvs[0]?.value.toString() === 'new' ? true : undefined));
    const after = await cluster.status(leader);
    assert.equal(after?.leader, before?.leader, 'the leader is still the leader');
    assert.equal(after?.raftTerm, before?.raftTerm, 'the rejoining member did not raise the term (PreVote)');
    await reader.close();
    await writer.close();
  });

  it('a cut-off leader steps down; the majority elects another and keeps serving; the old one never serves stale reads', async () => {
    const leader = await cluster.waitForLeader();
    const others = [0, 1, 2].filter((i) => i !== leader);
    const writer = cluster.client(others);
    await writer.put('part/l', 'before');
    cluster.isolate(leader);
    const newLeader = await cluster.waitForLeader([leader]);
    assert.notEqual(newLeader, leader);
    await writer.put('part/l', 'after');
    await assertNoStaleRead(leader, 'part/l', 'after');
    cluster.heal();
    const reader = cluster.client([leader]);
    await waitFor('the old leader to catch up', async () => ((await reader.get('part/l')).kvs[0]?.value.toString() === 'after' ? true : undefined));
    await reader.close();
    await writer.close();
  });
});
