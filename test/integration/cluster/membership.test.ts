import assert from 'node:assert/strict';
import { SynodError, type Client } from '../../../client-sdk/index.js';
import { TestCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait-for.js';

interface Ack {
  readonly key: string;
  readonly value: string;
  readonly revision: bigint;
  readonly atMs: number;
}

/** Writers putting unique keys one at a time, each through its own client, recording what was acknowledged. */
class Writers {
  readonly acks: Ack[] = [];
  readonly errors = new Map<string, number>();
  private readonly stopped = new AbortController();
  private readonly runs: Promise<void>[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  start(name: string, client: Client): void {
    this.runs.push(this.run(name, client));
  }

  /** Resolves once `more` further writes have been acknowledged. */
  acknowledged(more: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ count: this.acks.length + more, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped.abort();
    await Promise.all(this.runs);
  }

  /** Longest time without any acknowledged write between `fromMs` and `toMs`. */
  longestSilenceMs(fromMs: number, toMs: number): number {
    const times = [fromMs, ...this.acks.map((ack) => ack.atMs).filter((t) => t > fromMs && t < toMs).sort((a, b) => a - b), toMs];
    return Math.max(...times.slice(1).map((t, i) => t - times[i]!));
  }

  private async run(name: string, client: Client): Promise<void> {
    for (let seq = 0; !this.stopped.signal.aborted; seq++) {
      const key = `mem/${name}/${seq}`;
      try {
        const result = await client.put(key, `${name}.${seq}`);
        this.acks.push({ key, value: `${name}.${seq}`, revision: result.header.revision, atMs: Date.now() });
        for (const waiter of this.waiters.filter((w) => this.acks.length >= w.count)) waiter.resolve();
      } catch (error) {
        assert.ok(error instanceof SynodError, `a write failed with an untyped error: ${String(error)}`);
        this.errors.set(error.code, (this.errors.get(error.code) ?? 0) + 1);
        // A member that is gone refuses at once; do not spin on it.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  }
}

/** Runs a membership call, retrying while it answers `retryOn`; an unknown outcome is settled by `done`. */
async function settle(what: string, call: () => Promise<unknown>, done: () => Promise<boolean>, retryOn: readonly string[]): Promise<void> {
  await waitFor(what, async () => {
    try {
      await call();
      return true;
    } catch (error) {
      if (!(error instanceof SynodError)) throw error;
      if (await done().catch(() => false)) return true;
      if (retryOn.includes(error.code) || error.outcomeUnknown) return undefined;
      throw error;
    }
  }, 60_000, 200);
}

describe('cluster: a member added with memberAdd joins with --initial-cluster-state existing (real processes)', function () {
  this.timeout(60_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ size: 3, spareMembers: 1 });
  });
  after(async () => {
    await cluster.cleanup();
  });

  it('receives the state from the leader and serves it (a joining member used to drop its replies: it knew no peer)', async () => {
    const client = cluster.client([0, 1, 2]);
    try {
      const written = await client.put('join/k', 'before the join');
      const added = await client.cluster.memberAdd([cluster.peerUrl(3)], { isLearner: true });
      await cluster.startMember(3, cluster.joinArgs(3));
      await waitFor('the new member to apply the write made before it joined', async () => {
        const status = await cluster.status(3);
        return status !== null && status.appliedIndex > 0n ? true : undefined;
      });
      const joined = cluster.client([3]);
      const { kvs } = await joined.get('join/k', { serializable: true });
      await joined.close();
      assert.equal(kvs[0]?.value.toString(), 'before the join');
      assert.equal(kvs[0]?.modRevision, written.header.revision);
      const listed = (await client.cluster.memberList()).members.find((m) => m.id === added.member.id);
      assert.equal(listed?.isLearner, true);
    } finally {
      await client.close();
    }
  });
});

describe('cluster: membership changes under load (real processes)', function () {
  this.timeout(240_000);
  let cluster: TestCluster;
  const clients: Client[] = [];
  const writers = new Writers();

  before(async () => {
    // Slot 4 (index 3) is reserved: proxied from the start, joined later.
    cluster = await TestCluster.start({ size: 3, spareMembers: 1, args: ['--snapshot-count', '300', '--snapshot-catchup-entries', '50'] });
  });
  after(async () => {
    await writers.stop();
    await Promise.all(clients.map((client) => client.close()));
    await cluster.cleanup();
  });

  function client(indexes: readonly number[]): Client {
    const created = cluster.client(indexes, { requestTimeoutMs: 5000 });
    clients.push(created);
    return created;
  }

  it('adds a learner, lets it catch up, promotes it and removes an original member (the leader) while writers run; the cluster serves throughout and keeps every acknowledged write', async () => {
    const startedMs = Date.now();
    writers.start('all', client([0, 1, 2, 3]));
    for (const i of [0, 1, 2]) writers.start(`m${i + 1}`, client([i]));
    await writers.acknowledged(300);
    const admin = client([0, 1, 2]);

    // 1. Add m4 as a learner and start its process against the running cluster.
    const added = await admin.cluster.memberAdd([cluster.peerUrl(3)], { isLearner: true });
    assert.equal(added.member.isLearner, true);
    const newId = added.member.id;
    await cluster.startMember(3, cluster.joinArgs(3));
    const m4 = client([3]);
    writers.start('m4', client([3]));

    // 2. It catches up: its applied index reaches what the leader had applied when it started.
    const leader = await cluster.waitForLeader([3]);
    const target = (await cluster.status(leader))!.appliedIndex;
    await waitFor('the learner to catch up', async () => {
      const status = await cluster.status(3);
      return status !== null && status.appliedIndex >= target ? true : undefined;
    }, 60_000);
    await writers.acknowledged(100);

    // 3. Promote it: only the leader answers, and only once the learner is close enough (learner_not_ready).
    const isVoter = async (): Promise<boolean> => (await admin.cluster.memberList({ linearizable: true })).members.some((m) => m.id === newId && !m.isLearner);
    await settle('the learner to be promoted', () => admin.cluster.memberPromote(newId), isVoter, ['learner_not_ready', 'not_leader', 'no_leader']);
    assert.equal(await isVoter(), true);
    await waitFor('m4 to report itself a voter', async () => ((await m4.status()).isLearner ? undefined : true));
    await writers.acknowledged(100);

    // 4. Remove the leader (an original member); the other three elect a leader among themselves.
    const removed = await cluster.waitForLeader();
    assert.notEqual(removed, 3, 'the new member should not lead yet');
    const removedId = (await cluster.status(removed))!.memberId;
    const remaining = [0, 1, 2, 3].filter((i) => i !== removed);
    const survivorAdmin = client(remaining);
    const isGone = async (): Promise<boolean> => !(await survivorAdmin.cluster.memberList({ linearizable: true })).members.some((m) => m.id === removedId);
    const removalStartedMs = Date.now();
    await settle('the leader to be removed', () => survivorAdmin.cluster.memberRemove(removedId), isGone, ['no_leader', 'not_enough_started']);
    const newLeader = await cluster.waitForLeader([removed]);
    assert.ok(remaining.includes(newLeader));
    await cluster.kill(removed);
    await writers.acknowledged(200);
    const endMs = Date.now();
    await writers.stop();

    // Served throughout: no long silence, before or after the removal.
    const silenceMs = writers.longestSilenceMs(startedMs, endMs);
    const removalSilenceMs = writers.longestSilenceMs(removalStartedMs, endMs);
    console.log(`      ${writers.acks.length} writes acknowledged; longest silence ${silenceMs} ms (${removalSilenceMs} ms around the removal); errors: ${[...writers.errors].map(([code, n]) => `${code} ${n}`).join(', ') || 'none'}`);
    assert.ok(silenceMs < 10 * cluster.electionMs, `no write was acknowledged for ${silenceMs} ms`);

    // Every acknowledged write is on every remaining member, at its revision, and their hashes agree.
    let revision = 0n;
    for (const i of remaining) {
      const reader = client([i]);
      const { kvs, header } = await reader.get('mem/', { prefix: true });
      if (header.revision > revision) revision = header.revision;
      const stored = new Map(kvs.map((kv) => [kv.key.toString(), kv]));
      for (const ack of writers.acks) {
        const kv = stored.get(ack.key);
        assert.ok(kv !== undefined, `acknowledged ${ack.key} is missing on m${i + 1}`);
        assert.equal(kv.value.toString(), ack.value);
        assert.equal(kv.modRevision, ack.revision, `${ack.key} has another revision on m${i + 1}`);
      }
    }
    const hashes = await Promise.all(remaining.map(async (i) => {
      const reader = client([i]);
      await reader.get('mem/none');
      return (await reader.cluster.hashKv(revision)).hash;
    }));
    assert.equal(new Set(hashes).size, 1, `hashkv differs: ${hashes.join(', ')}`);
    const members = (await survivorAdmin.cluster.memberList({ linearizable: true })).members;
    assert.deepEqual(members.map((m) => m.name).sort(), remaining.map((i) => `m${i + 1}`).sort());
    assert.ok(members.every((m) => !m.isLearner));
  });
});
