import assert from 'node:assert/strict';
import { Client, LeaseLostError, SynodError, type WatchEvent } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { waitFor } from './helpers/wait-for.js';

describe('leases (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;

  before(async () => {
    // A 500 ms election timeout makes the smallest TTL 1 s.
    server = await ServerProcess.start({ args: ['--heartbeat-interval', '50', '--election-timeout', '500'] });
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('grants a lease, attaches keys, and reports time to live with the keys', async () => {
    const before = await client.get('lease1/');
    await using lease = await client.lease.grant(30);
    assert.equal(lease.ttlSeconds, 30);
    // A grant changes no key: its header carries the store's revision, from the member that answered.
    assert.deepEqual(lease.header, before.header);
    await client.put('lease1/a', '1', { lease: lease.id });
    await client.put('lease1/b', '2', { lease: lease.id });
    const got = await client.get('lease1/a');
    assert.equal(got.kvs[0]?.lease, lease.id);
    const ttl = await client.lease.timeToLive(lease.id, { keys: true });
    assert.equal(ttl.grantedTtlSeconds, 30);
    assert.ok(ttl.ttlSeconds > 25 && ttl.ttlSeconds <= 30, `ttl ${ttl.ttlSeconds}`);
    assert.deepEqual(ttl.keys.map(String), ['lease1/a', 'lease1/b']);
    assert.ok((await client.lease.list()).ids.includes(lease.id));
  });

  it('raises a TTL below the minimum (1.5 election timeouts) to the minimum', async () => {
    await using lease = await client.lease.grant(0);
    assert.equal(lease.ttlSeconds, 1);
  });

  it('deletes every attached key in one revision when revoked, seen by a watcher as one message', async () => {
    const lease = await client.lease.grant(60);
    for (const key of ['lease2/x', 'lease2/y', 'lease2/z']) await client.put(key, 'v', { lease: lease.id });
    const watch = client.watch('lease2/', { prefix: true });
    await watch.ready();
    await lease.close();
    const events: WatchEvent[] = [];
    for await (const event of watch) {
      events.push(event);
      if (events.length === 3) break;
    }
    assert.deepEqual(events.map((e) => e.type), ['delete', 'delete', 'delete']);
    assert.equal(new Set(events.map((e) => e.revision)).size, 1, 'one revision');
    assert.equal((await client.get('lease2/', { prefix: true })).count, 0n);
    assert.equal((await lease.lost).reason, 'closed');
  });

  it('answers lease_not_found for a missing lease, and TTL -1 for its time to live', async () => {
    await assert.rejects(client.lease.revoke(123456789n), (error: unknown) => error instanceof SynodError && error.code === 'lease_not_found');
    assert.equal((await client.lease.timeToLive(123456789n)).ttlSeconds, -1);
    assert.equal(await client.lease.keepAliveOnce(123456789n), 0);
    const renewed = await client.lease.renew(123456789n);
    assert.deepEqual([renewed.id, renewed.ttlSeconds, renewed.header.memberId > 0n], [123456789n, 0, true]);
    await assert.rejects(client.put('k', 'v', { lease: 123456789n }), (error: unknown) => error instanceof SynodError && error.code === 'lease_not_found');
  });

  it('refuses a lease id that exists, and a TTL that is too large', async () => {
    await using lease = await client.lease.grant(10, { id: 4242n });
    assert.equal(lease.id, 4242n);
    await assert.rejects(client.lease.grant(10, { id: 4242n }), (error: unknown) => error instanceof SynodError && error.code === 'lease_exists');
    await assert.rejects(client.lease.grant(9_000_000_001), (error: unknown) => error instanceof SynodError && error.code === 'lease_ttl_too_large');
  });

  it('keeps a short lease alive past several TTLs, then expires it about one TTL after keepalive stops', async () => {
    const lease = await client.lease.grant(1);
    await client.put('lease3/k', 'v', { lease: lease.id });
    const start = performance.now();
    await waitFor('three TTLs to pass', () => (performance.now() - start > 3000 ? true : undefined), 10_000, 100);
    assert.ok(lease.alive, 'kept alive');
    assert.equal((await client.get('lease3/k')).count, 1n);
    lease.release();
    const released = performance.now();
    await waitFor('the key to vanish with the expired lease', async () => ((await client.get('lease3/k')).count === 0n ? true : undefined), 10_000);
    const expiredAfterMs = performance.now() - released;
    assert.ok(expiredAfterMs >= 600, `expired too early: ${expiredAfterMs} ms after the last renewal`);
    assert.ok(expiredAfterMs < 1000 + 2 * 500 + 1500, `expired too late: ${expiredAfterMs} ms`);
  });

  it('reports the lease lost when the server no longer has it', async () => {
    const lease = await client.lease.grant(30);
    await client.lease.revoke(lease.id);
    await assert.rejects(lease.keepAliveOnce(), (error: unknown) => error instanceof LeaseLostError && error.reason === 'revoked');
    assert.equal(lease.signal.aborted, true);
  });
});
