import assert from 'node:assert/strict';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { waitFor } from './helpers/wait-for.js';

describe('leases survive a restart with their time left (real server process)', function () {
  this.timeout(60_000);

  it('keeps the checkpointed time left across a restart instead of resetting it to the TTL', async () => {
    let server = await ServerProcess.start({ args: ['--lease-checkpoint-interval-ms', '200'] });
    try {
      let client = new Client({ endpoints: [server.endpoint] });
      const lease = await client.lease.grant(20, { keepAlive: false });
      await client.put('restart/k', 'v', { lease: lease.id });
      const granted = performance.now();
      // Let a few seconds pass so a checkpoint records less than the full TTL.
      await waitFor('3 s to pass', () => (performance.now() - granted > 3000 ? true : undefined), 10_000, 100);
      await client.close();
      server = await server.restart();
      client = new Client({ endpoints: [server.endpoint] });
      const ttl = await client.lease.timeToLive(lease.id, { keys: true });
      assert.ok(ttl.ttlSeconds <= 17, `time left ${ttl.ttlSeconds} s was reset towards the TTL of 20 s`);
      assert.ok(ttl.ttlSeconds >= 14, `time left ${ttl.ttlSeconds} s is shorter than the lease can have used`);
      assert.deepEqual(ttl.keys.map(String), ['restart/k']);
      await client.close();
    } finally {
      await server.cleanup();
    }
  });
});
