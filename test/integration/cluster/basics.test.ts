import assert from 'node:assert/strict';
import { TestCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait-for.js';

describe('cluster: three members replicate (real processes)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
  });
  after(async () => {
    await cluster.cleanup();
  });

  it('accepts writes through any member and every member reads them', async () => {
    for (let i = 0; i < 3; i++) {
      const client = cluster.client([i]);
      await client.put(`any/${i}`, `from m${i + 1}`);
      await client.close();
    }
    for (let i = 0; i < 3; i++) {
      const client = cluster.client([i]);
      const { kvs } = await client.get('any/', { prefix: true });
      assert.deepEqual(kvs.map((kv) => kv.value.toString()), ['from m1', 'from m2', 'from m3']);
      await client.close();
    }
  });

  it('lists the members with the names and client URLs they published', async () => {
    const client = cluster.client([0]);
    const { members } = await waitFor('every member published', async () => {
      const list = await client.cluster.memberList();
      return list.members.every((m) => m.clientURLs.length > 0) ? list : undefined;
    });
    assert.deepEqual(members.map((m) => m.name).sort(), ['m1', 'm2', 'm3']);
    assert.deepEqual(members.map((m) => m.clientURLs[0]).sort(), cluster.endpoints.map((e) => `http://${e}`).sort());
    await client.close();
  });

  it('holds the same state on every member: hashkv at one revision is equal', async () => {
    const writer = cluster.client();
    let last = 0n;
    for (let i = 0; i < 50; i++) last = (await writer.put(`hash/${i % 7}`, String(i))).header.revision;
    await writer.delete('hash/3');
    await writer.close();
    const hashes = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const client = cluster.client([i]);
        // A linearizable read first, so the member has applied everything up to `last`.
        await client.get('hash/0');
        const result = await client.cluster.hashKv(last);
        await client.close();
        return result.hash;
      }),
    );
    assert.equal(new Set(hashes).size, 1, `hashes differ: ${hashes.join(', ')}`);
    assert.notEqual(hashes[0], 0);
  });
});
