import assert from 'node:assert/strict';
import { ServiceRegistry } from '../../../client-sdk/index.js';
import { ProcessGroup, type ScenarioContext } from './context.js';

const TTL_SECONDS = 4;
const SLACK_MS = 1500;

/** Registry, through the service-registry recipe (recipes/service-registry/README.md). */
export function serviceRegistryScenario(context: () => ScenarioContext): void {
  const group = new ProcessGroup();
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(group.transcripts());
    await group.stopAll();
  });

  it('instances stay registered while a cluster member restarts; a killed instance leaves discover() within its TTL', async () => {
    const { cluster } = context();
    const leader = await cluster.waitForLeader();
    // The leader first: the recipes' clients connect to it, so its restart moves them too.
    const endpoints = [leader, ...[0, 1, 2].filter((i) => i !== leader)].map((i) => cluster.endpoint(i)).join(',');
    const common = ['--endpoints', endpoints, '--service', 'echo'];
    const instances = ['a', 'b', 'c'].map((id) => group.start('service-registry', 'instance', [...common, '--id', id, '--ttl', String(TTL_SECONDS)], id));
    await Promise.all(instances.map((instance) => instance.waitFor('state', (f) => f['state'] === 'registered')));
    const caller = group.start('service-registry', 'client', [...common, '--interval-ms', '100'], 'client');
    await caller.waitFor('instances', (f) => f['ids'] === 'a,b,c');
    await Promise.all(['a', 'b', 'c'].map((id) => caller.waitFor('called', (f) => f['id'] === id)));
    const client = cluster.client();
    const registry = new ServiceRegistry(client);
    try {
      const before = await registry.list('echo');

      // Restart the leader (SIGKILL, then start it again): nothing may change for the registrations.
      const linesBefore = { client: caller.lines.length, instances: instances.map((i) => i.lines.length) };
      await cluster.kill(leader);
      await cluster.waitForLeader([leader]);
      await cluster.startMember(leader);
      await cluster.waitForLeader();
      const calledFrom = caller.lines.length;
      await Promise.all(['a', 'b', 'c'].map((id) => caller.waitFor('called', (f) => f['id'] === id, { from: calledFrom })));
      assert.deepEqual(caller.events('instances', linesBefore.client), [], 'the discovered set did not change');
      instances.forEach((instance, i) => assert.deepEqual(instance.events('state', linesBefore.instances[i]), [], `${instance.label} did not re-register`));
      const after = await registry.list('echo');
      assert.deepEqual(after.map((i) => [i.id, i.lease, i.modRevision]), before.map((i) => [i.id, i.lease, i.modRevision]), 'same keys, leases and revisions');

      // Kill b: no deregistration; it must drop out when its lease expires.
      instances[1]!.kill('SIGKILL');
      const killedAt = performance.now();
      const changeFrom = caller.lines.length;
      await caller.waitFor('instances', (f) => f['ids'] === 'a,c', { from: changeFrom });
      const goneAfterMs = performance.now() - killedAt;
      console.log(`      drop-out: b left discover() ${goneAfterMs.toFixed(0)} ms after SIGKILL (TTL ${TTL_SECONDS * 1000} ms)`);
      assert.ok(goneAfterMs <= TTL_SECONDS * 1000 + SLACK_MS, `b left discovery ${goneAfterMs.toFixed(0)} ms after it was killed`);
      const dropped = caller.lines.length;
      await Promise.all(['a', 'c'].map((id) => caller.waitFor('called', (f) => f['id'] === id, { from: dropped })));
      assert.deepEqual(caller.events('called', dropped).filter((line) => line.fields['id'] === 'b'), [], 'b is not called once it left');
      assert.deepEqual((await registry.list('echo')).map((i) => i.id), ['a', 'c']);
    } finally {
      await client.close();
    }
  });
}
