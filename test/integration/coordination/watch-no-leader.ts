import assert from 'node:assert/strict';
import type { Client } from '../../../client-sdk/index.js';
import { RawClient, b64 } from '../helpers/raw-client.js';
import { waitFor } from '../helpers/wait-for.js';
import type { ScenarioContext } from './context.js';

/**
 * Regression: a member that has had no leader for three election timeouts refuses `watch.create` with
 * `no_leader` (retryable). The SDK's Watch took any refusal of its create call as final, so a watch
 * (and every registration, discovery and election observer built on one) died instead of moving to
 * another member, e.g. when it reconnected to a member that had just restarted.
 */
export function watchNoLeaderScenario(context: () => ScenarioContext): void {
  it('a watch created through a member without a leader moves to another member instead of failing', async () => {
    const { cluster } = context();
    const leader = await cluster.waitForLeader();
    const isolated = (leader + 1) % 3;
    const other = (leader + 2) % 3;
    cluster.isolate(isolated);
    const client = cluster.client([isolated, other], { requestTimeoutMs: 5000 });
    const writer = cluster.client([leader]);
    const raw = await RawClient.connect(cluster.endpoint(isolated));
    try {
      // Wait until the isolated member refuses new watches (asked on the wire: the SDK now retries).
      await waitFor('the isolated member to refuse watches', async () => {
        const answer = await raw.request('watch.create', { key: b64('regression/probe') });
        const error = answer['error'] as { code?: string } | undefined;
        if (error?.code === 'no_leader') return true;
        const result = answer['result'] as { watch_id?: unknown } | undefined;
        if (result?.watch_id !== undefined) await raw.request('watch.cancel', { watch_id: result.watch_id });
        return undefined;
      }, 20_000, 200);
      const watch = client.watch('regression/key');
      await watch.ready();
      await writer.put('regression/key', 'seen');
      for await (const event of watch) {
        assert.equal(event.type, 'put');
        if (event.type === 'put') assert.equal(event.kv.value.toString(), 'seen');
        break;
      }
    } finally {
      cluster.heal();
      raw.close();
      await Promise.all([client, writer].map((c: Client) => c.close()));
      await cluster.waitForLeader();
    }
  });
}
