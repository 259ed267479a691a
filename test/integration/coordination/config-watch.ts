import assert from 'node:assert/strict';
import { op } from '../../../client-sdk/index.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { ProcessGroup, type ScenarioContext } from './context.js';

/** Config watch, through the config-watch recipe (recipes/config-watch/README.md). */
export function configWatchScenario(context: () => ScenarioContext): void {
  const group = new ProcessGroup();
  let proxy: TcpProxy | null = null;
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.error(group.transcripts());
    await group.stopAll();
    await proxy?.close();
  });

  it('reloads on every change, applies a txn at once, keeps a broken field\'s last valid value, and resyncs after a compaction it missed', async () => {
    const { cluster } = context();
    // The watcher reaches the cluster only through this proxy, so the test can cut it off.
    proxy = await TcpProxy.start(cluster.members[0]!.clientPort);
    const watcher = group.start('config-watch', 'watch', ['--endpoints', `127.0.0.1:${proxy.port}`, '--app', 'test'], 'watch');
    const config = (json: string, from = 0) => watcher.waitFor('config', (f) => f['config'] === json, { from });
    await config('{}');
    const client = cluster.client();
    const prefix = 'synod/config/test/';
    try {
      await client.put(`${prefix}port`, '8080');
      await config('{"port":8080}');
      await client.txn().then(op.put(`${prefix}port`, '9090'), op.put(`${prefix}features`, '{"search":true}')).commit();
      await config('{"features":{"search":true},"port":9090}');
      assert.deepEqual(watcher.events('config').map((line) => line.fields['config']), ['{}', '{"port":8080}', '{"features":{"search":true},"port":9090}'], 'no half-applied txn');

      const beforeInvalid = watcher.lines.length;
      await client.put(`${prefix}port`, 'not json');
      await watcher.waitFor('invalid', (f) => f['field'] === 'port', { from: beforeInvalid });
      assert.deepEqual(watcher.events('config', beforeInvalid), [], 'a broken field changes nothing');

      // Cut the watcher off, change the config, compact past it, let it back: it must resync.
      proxy.refuse();
      await client.put(`${prefix}port`, '7070');
      const { header } = await client.delete(`${prefix}features`);
      await client.compact(header.revision);
      const beforeResync = watcher.lines.length;
      proxy.accept();
      const resynced = await config('{"port":7070}', beforeResync);
      assert.equal(resynced.fields['resynced'], 'true');
      assert.ok(BigInt(resynced.fields['revision']!) >= header.revision);

      await client.put(`${prefix}port`, '6060');
      assert.equal((await config('{"port":6060}', resynced.index)).fields['resynced'], 'false', 'it follows live changes again');
    } finally {
      await client.delete(prefix, { prefix: true });
      await client.close();
    }
  });
}
