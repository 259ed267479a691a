import assert from 'node:assert/strict';
import { Client, ServiceRegistry, type Discovery, type DiscoveryChange, type ServiceInstance } from '../../../client-sdk/index.js';
import { ServerProcess } from '../helpers/server-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Reads discovery changes until `done` holds for the set; returns every change seen. */
async function until(discovery: Discovery, done: (instances: readonly ServiceInstance[]) => boolean): Promise<DiscoveryChange[]> {
  const seen: DiscoveryChange[] = [];
  for await (const change of discovery.changes()) {
    seen.push(change);
    if (done(change.instances)) return seen;
  }
  throw new Error('discovery ended first');
}

const ids = (instances: readonly ServiceInstance[]): string[] => instances.map((instance) => instance.id);

describe('ServiceRegistry (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;
  let registry: ServiceRegistry;

  before(async () => {
    server = await ServerProcess.start();
    client = new Client({ endpoints: [server.endpoint] });
    registry = new ServiceRegistry(client);
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('registers an instance under synod/services/<service>/<id> as JSON bound to a lease, and deregisters it', async () => {
    const registration = await registry.register({ service: 'api', id: 'a1', address: '10.0.0.1', port: 8080, metadata: { zone: 'z1' }, tags: ['v2'] }, { ttlSeconds: 5 });
    assert.equal(registration.state, 'registered');
    const { kvs } = await client.get('synod/services/api/a1');
    assert.deepEqual(JSON.parse(kvs[0]!.value.toString()), { service: 'api', id: 'a1', address: '10.0.0.1', port: 8080, metadata: { zone: 'z1' }, tags: ['v2'] });
    assert.equal(kvs[0]!.lease, registration.leaseId);
    const listed = await registry.list('api');
    assert.deepEqual(listed.map((i) => [i.id, i.address, i.port, i.metadata['zone'], i.tags[0]]), [['a1', '10.0.0.1', 8080, 'z1', 'v2']]);
    assert.deepEqual(await registry.services(), ['api']);
    const leaseId = registration.leaseId;
    await registration.deregister();
    assert.equal(registration.state, 'deregistered');
    assert.equal((await client.get('synod/services/api/a1')).count, 0n);
    assert.equal((await client.lease.timeToLive(leaseId)).ttlSeconds, -1, 'the lease is revoked');
    await assert.rejects(registry.register({ service: 'a/b', id: 'x', address: 'h', port: 1 }), TypeError);
    await assert.rejects(registry.register({ service: 'api', id: 'x', address: 'h', port: 70_000 }), TypeError);
  });

  it('discover() is a live set: the current instances first, then additions, updates and removals; pickers rotate over it', async () => {
    await using discovery = await registry.discover('live');
    const changes = discovery.changes();
    const first = await changes.next();
    assert.deepEqual(first.value?.instances, [], 'the current (empty) set comes first');
    const regs = await Promise.all(['c', 'a', 'b'].map((id, i) => registry.register({ service: 'live', id, address: '127.0.0.1', port: 9000 + i }, { ttlSeconds: 5 })));
    for (;;) {
      const next = await changes.next();
      if (next.value !== undefined && next.value.instances.length === 3) break;
    }
    assert.deepEqual(ids(discovery.instances()), ['a', 'b', 'c']);
    const picker = discovery.picker('round-robin');
    assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => picker.pick()?.id), ['a', 'b', 'c', 'a', 'b', 'c']);
    const random = discovery.picker('random');
    for (let i = 0; i < 20; i++) assert.ok(['a', 'b', 'c'].includes(random.pick()!.id));
    await regs[1]!.deregister(); // 'a'
    const removal = await changes.next();
    assert.deepEqual(ids(removal.value!.removed), ['a']);
    assert.deepEqual(ids(removal.value!.instances), ['b', 'c']);
    await Promise.all(regs.map((r) => r.deregister()));
    await changes.return(undefined);
  });

  it('puts itself back when its key is deleted, and re-registers with a new lease when its lease is lost', async () => {
    const registration = await registry.register({ service: 'heal', id: 'h1', address: '127.0.0.1', port: 7000 }, { ttlSeconds: 5 });
    const states = registration.states();
    assert.equal((await states.next()).value?.state, 'registered');
    await client.delete('synod/services/heal/h1');
    assert.equal((await states.next()).value?.state, 'registering');
    const back = (await states.next()).value!;
    assert.equal(back.state, 'registered');
    assert.equal(back.leaseId, registration.leaseId);
    assert.equal((await client.get('synod/services/heal/h1')).kvs[0]?.lease, back.leaseId);
    const oldLease = back.leaseId;
    await client.lease.revoke(oldLease);
    const lost = (await states.next()).value!;
    assert.equal(lost.state, 'registering');
    let again = (await states.next()).value!;
    while (again.state !== 'registered') again = (await states.next()).value!;
    assert.notEqual(again.leaseId, oldLease);
    assert.equal((await client.get('synod/services/heal/h1')).kvs[0]?.lease, again.leaseId);
    await registration.deregister();
    assert.equal((await states.next()).value?.state, 'deregistered');
    assert.equal((await states.next()).done, true);
  });

  it('drops an instance whose process stopped renewing within its TTL', async () => {
    await using discovery = await registry.discover('crash');
    const doomedClient = new Client({ endpoints: [server.endpoint] });
    await new ServiceRegistry(doomedClient).register({ service: 'crash', id: 'gone', address: '127.0.0.1', port: 7001 }, { ttlSeconds: 2 });
    await until(discovery, (instances) => instances.length === 1);
    // Closing a client stops its keepalives without revoking anything, as a crash would.
    await doomedClient.close();
    const closedAt = performance.now();
    await until(discovery, (instances) => instances.length === 0);
    const goneAfterMs = performance.now() - closedAt;
    assert.ok(goneAfterMs <= 2000 + 1500, `dropped ${goneAfterMs.toFixed(0)} ms after the last renewal could have happened`);
  });

  it('discovery survives a compaction of the history it missed while disconnected (it re-reads: a resynced change)', async () => {
    const proxy = await TcpProxy.start(server.port);
    const viaProxy = new Client({ endpoints: [`127.0.0.1:${proxy.port}`], dialTimeoutMs: 500 });
    try {
      const regs = [await registry.register({ service: 'resync', id: 'r1', address: '127.0.0.1', port: 7100 }, { ttlSeconds: 10 })];
      await using discovery = await new ServiceRegistry(viaProxy).discover('resync');
      assert.deepEqual(ids(discovery.instances()), ['r1']);
      const changes = discovery.changes();
      await changes.next();
      proxy.refuse();
      regs.push(await registry.register({ service: 'resync', id: 'r2', address: '127.0.0.1', port: 7101 }, { ttlSeconds: 10 }));
      await regs[0]!.deregister();
      const { header } = await client.put('unrelated', 'x');
      await client.compact(header.revision);
      proxy.accept();
      const change = (await changes.next()).value!;
      assert.equal(change.resynced, true);
      assert.deepEqual(ids(change.instances), ['r2']);
      assert.deepEqual(ids(change.added), ['r2']);
      assert.deepEqual(ids(change.removed), ['r1']);
      await changes.return(undefined);
      await Promise.all(regs.map((r) => r.deregister()));
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });
});
