import assert from 'node:assert/strict';
import { TestCluster } from '../helpers/cluster.js';
import { RawClient, b64 } from '../helpers/raw-client.js';
import { recordWatch } from '../helpers/watch-recorder.js';
import { waitFor } from '../helpers/wait-for.js';

/** Resolves like `promise`, or fails with `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const PREFIX = 'nl/';
const WATCH_PARAMS = { key: b64(PREFIX), range_end: b64('nl0') };

describe('cluster: a member without a leader cancels its watches (real processes, proxies)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  /** Closed after the test even when it fails, so that no reconnecting watch keeps mocha running. */
  const clients: { close(): unknown }[] = [];

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster.cleanup();
  });

  it('a member cut off from the others cancels its watches with no_leader about three election timeouts after it lost its leader and refuses new ones; an SDK watch with every endpoint moves to another member without losing or repeating an event; once healed the member serves watches again', async () => {
    const leader = await cluster.waitForLeader();
    const cutOff = (leader + 1) % 3;
    const others = [0, 1, 2].filter((i) => i !== cutOff);
    const raw = await RawClient.connect(cluster.endpoint(cutOff));
    clients.push(raw);
    const created = await raw.request('watch.create', WATCH_PARAMS);
    assert.equal((created['result'] as { created?: boolean }).created, true);
    const streamId = created['id'];
    const canceled = raw.next((frame) => frame['stream'] === streamId && frame['end'] === true);
    // The SDK watch starts on the member that will be cut off, and knows the others.
    const watcherClient = cluster.client([cutOff, ...others]);
    clients.push(watcherClient);
    const watched = recordWatch(watcherClient, 'sdk', PREFIX, { prefix: true });
    await watched.created;
    const watcherMember = (await watcherClient.status()).header.memberId;
    assert.equal(watcherMember, (await cluster.status(cutOff))?.memberId, 'the SDK watch runs on the member to be cut off');
    const writer = cluster.client(others);
    clients.push(writer);
    const acked: { revision: number; value: string }[] = [];
    const put = async (value: string): Promise<void> => {
      acked.push({ revision: Number((await writer.put(`${PREFIX}k`, value)).header.revision), value });
    };
    for (let i = 0; i < 5; i++) await put(`before-${i}`);

    const cutAtMs = Date.now();
    cluster.isolate(cutOff);
    // Writes go on through the majority while the member is cut off.
    for (let i = 0; i < 5; i++) await put(`cut-${i}`);
    const end = await within(canceled, 10 * cluster.electionMs + 5000, 'the cut-off member to cancel its watch');
    const canceledAfterMs = Date.now() - cutAtMs;
    const result = end['result'] as { canceled?: boolean; cancel_code?: string };
    assert.equal(result.canceled, true);
    assert.equal(result.cancel_code, 'no_leader');
    // It knew its leader until the cut; it loses it within two election timeouts (its randomized
    // timer), then waits three more before canceling.
    assert.ok(canceledAfterMs >= 3 * cluster.electionMs, `canceled ${canceledAfterMs} ms after the cut, before three election timeouts`);
    assert.ok(canceledAfterMs <= 5 * cluster.electionMs + 2000, `canceled only ${canceledAfterMs} ms after the cut`);
    const refused = await raw.request('watch.create', WATCH_PARAMS);
    assert.equal((refused['error'] as { code?: string } | undefined)?.code, 'no_leader', 'a new watch is refused while leaderless');
    // A new SDK watch whose first endpoint is the leaderless member is refused there and goes on to
    // the next one (it used to end with the no_leader error), replaying from its start revision.
    const lateClient = cluster.client([cutOff, ...others]);
    clients.push(lateClient);
    const late = recordWatch(lateClient, 'late', PREFIX, { prefix: true, startRevision: BigInt(acked[0]!.revision) });
    for (let i = 0; i < 5; i++) await put(`after-cancel-${i}`);

    // The SDK watch went to another member and saw every write, once, in order.
    const lastRevision = acked.at(-1)!.revision;
    await waitFor('the SDK watch to receive every write', () => (watched.revision >= lastRevision ? true : undefined), 10_000);
    const movedTo = (await watcherClient.status()).header.memberId;
    assert.notEqual(movedTo, watcherMember, 'the SDK watch moved to another member');
    assert.equal(watched.error, undefined);
    const seen = watched.items.map((item) => (item.kind === 'event' ? { revision: item.revision, value: item.value } : null));
    assert.deepEqual(seen, acked);
    await waitFor('the late SDK watch to receive every write', () => (late.revision >= lastRevision || late.error !== undefined ? true : undefined), 10_000);
    assert.equal(late.error, undefined);
    assert.deepEqual(late.items.map((item) => (item.kind === 'event' ? { revision: item.revision, value: item.value } : null)), acked);

    cluster.heal();
    await cluster.waitForLeader();
    const again = await waitFor('the healed member to serve watches again', async () => {
      const answer = await raw.request('watch.create', WATCH_PARAMS);
      return answer['error'] === undefined ? answer : undefined;
    }, 10 * cluster.electionMs);
    assert.equal((again['result'] as { created?: boolean }).created, true);
    console.log(`      watch canceled with no_leader ${canceledAfterMs} ms after the cut (election timeout ${cluster.electionMs} ms)`);
  });
});
