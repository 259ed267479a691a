import assert from 'node:assert/strict';
import type { Client } from '../../../client-sdk/index.js';
import {
  buildReference,
  checkAcknowledgedDelivered,
  checkAcknowledgedInReference,
  checkWatchStreams,
  formatWatchViolations,
  type WatchStream,
} from '../../checker/watch-checker.js';
import { SimRng } from '../../sim/rng.js';
import { TestCluster } from '../helpers/cluster.js';
import { readHistory, recordWatch, type RecordedWatch, type RecordWatchOptions } from '../helpers/watch-recorder.js';
import { AckLog, runWatchWriter } from '../helpers/watch-writers.js';
import { waitFor } from '../helpers/wait-for.js';

const SEED = Number(process.env['SYNOD_SEED'] ?? 20_260_505);
const MEMBERS = [0, 1, 2];
const PREFIX = 'wf/';
const KEYS = ['wf/a', 'wf/b', 'wf/p/c', 'wf/p/d'];
/** What the watchers watch, round robin: single keys, a sub-prefix and the whole prefix, some with prevKv. */
const WATCH_SPECS: readonly { key: string; options: RecordWatchOptions }[] = [
  { key: 'wf/a', options: {} },
  { key: 'wf/p/c', options: {} },
  { key: 'wf/p/', options: { prefix: true, prevKv: true } },
  { key: 'wf/', options: { prefix: true, prevKv: true } },
  { key: 'wf/b', options: { prevKv: true } },
];
const WATCHERS = 20;
const WRITERS = 3;
/** Who is SIGKILLed and restarted, in order (the follower serving the most watchers). */
const KILLS: readonly ('leader' | 'follower')[] = ['leader', 'follower', 'leader', 'leader'];
/** Writes acknowledged while a member is down, and after it is back, in each round. */
const ACKS_PER_PHASE = 40;

function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}

describe('cluster: watches across member kills and restarts (real processes, watch-guarantee checker)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;
  /** Closed after the test even when it fails, so that no reconnecting watch keeps mocha running. */
  const clients: Client[] = [];

  before(async () => {
    cluster = await TestCluster.start({ size: 3 });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await cluster.cleanup();
  });

  /** A client of every member, the first one `first`: the watch on it fails over to the others. */
  function clientStartingAt(first: number): Client {
    const client = cluster.client(rotate(MEMBERS, first), { requestTimeoutMs: 3000, dialTimeoutMs: 1000 });
    clients.push(client);
    return client;
  }

  /** Which member each watcher's connection is on now (null when it is between members). */
  async function watcherMembers(watchers: readonly { client: Client }[]): Promise<(bigint | null)[]> {
    return Promise.all(watchers.map(async ({ client }) => (await client.status({ timeoutMs: 1000 }).catch(() => null))?.header.memberId ?? null));
  }

  it(`${WATCHERS} SDK watchers spread over the members, while writers put / delete / txn and members (the leader too) are SIGKILLed and restarted, receive every revision of their keys ordered, once, without a gap, each revision whole, and every acknowledged write exactly once`, async () => {
    const rng = new SimRng(SEED);
    const watchers = Array.from({ length: WATCHERS }, (_, i) => {
      const spec = WATCH_SPECS[i % WATCH_SPECS.length]!;
      const client = clientStartingAt(i % MEMBERS.length);
      return { client, recorded: recordWatch(client, `w${i + 1}:${spec.key}${spec.options.prefix === true ? '*' : ''}`, spec.key, spec.options) };
    });
    await Promise.all(watchers.map(({ recorded }) => recorded.created));
    const memberIds = await Promise.all(MEMBERS.map(async (i) => (await cluster.status(i))!.memberId));
    const startedOn = await watcherMembers(watchers);
    for (const id of memberIds) assert.ok(startedOn.includes(id), 'every member serves some watchers');

    const log = new AckLog();
    const stopWriters = new AbortController();
    const writers = Array.from({ length: WRITERS }, (_, i) =>
      runWatchWriter({ writerId: `c${i + 1}`, client: clientStartingAt(i), keys: KEYS, rng: rng.fork(), log, stop: stopWriters.signal }),
    );
    const late: RecordedWatch[] = [];
    const rounds: string[] = [];
    let failovers = 0;
    try {
      await log.reached(ACKS_PER_PHASE);
      for (const [round, kind] of KILLS.entries()) {
        const leader = await cluster.waitForLeader();
        const on = await watcherMembers(watchers);
        const watching = (i: number): number => on.filter((id) => id === memberIds[i]).length;
        // The follower that serves the most watchers, so that the kill makes them fail over.
        const target = kind === 'leader' ? leader : MEMBERS.filter((i) => i !== leader).sort((x, y) => watching(y) - watching(x))[0]!;
        const moved = watching(target);
        failovers += moved;
        const killedAtMs = Date.now();
        await cluster.kill(target);
        await log.reached(log.count + ACKS_PER_PHASE);
        const servedAfterMs = Date.now() - killedAtMs;
        if (round === 1) {
          // Two watchers that start in the past, replaying history while the cluster is degraded.
          const from = BigInt(log.writes[Math.floor(log.count / 4)]!.revision);
          for (const [j, spec] of [WATCH_SPECS[3]!, WATCH_SPECS[2]!].entries()) {
            const client = clientStartingAt(target + j + 1);
            late.push(recordWatch(client, `late${j + 1}:${spec.key}*@${from}`, spec.key, { ...spec.options, startRevision: from }));
          }
        }
        await cluster.startMember(target);
        await cluster.waitForLeader();
        await log.reached(log.count + ACKS_PER_PHASE);
        rounds.push(`SIGKILL m${target + 1} (${kind}, ${moved} watchers on it; ${ACKS_PER_PHASE} writes acknowledged ${servedAfterMs} ms later), restarted`);
      }
    } finally {
      stopWriters.abort();
      await Promise.all(writers);
    }

    // The final revision, read linearizably; then every watcher's bookmark must reach it.
    const reader = clientStartingAt(0);
    const finalRevision = Number((await reader.get(PREFIX, { prefix: true })).header.revision);
    const all = [...watchers.map(({ recorded }) => recorded), ...late];
    await Promise.all(
      all.map((recorded) =>
        waitFor(`${recorded.id} to be covered up to ${finalRevision}`, async () => {
          if (recorded.error !== undefined) throw new Error(`${recorded.id} failed: ${String(recorded.error)}`);
          return (await recorded.watch.requestProgress()) >= BigInt(finalRevision) ? true : undefined;
        }, 20_000),
      ),
    );
    const reference = buildReference(await readHistory(reader, PREFIX, finalRevision));
    const streams: WatchStream[] = all.map((recorded) => recorded.stream(finalRevision));
    const violations = [
      ...checkWatchStreams(reference, streams),
      ...checkAcknowledgedInReference(reference, log.writes),
      ...streams.flatMap((stream) => checkAcknowledgedDelivered(stream, log.writes)),
    ];
    const events = streams.reduce((sum, stream) => sum + stream.items.filter((item) => item.kind === 'event').length, 0);
    const summary = `${log.count} writes acknowledged up to revision ${finalRevision} (errors: ${log.describeErrors()}); ${all.length} watchers received ${events} events; ${failovers} watcher failovers forced by kills`;
    console.log(`      ${summary}\n${rounds.map((line) => `        ${line}`).join('\n')}`);
    assert.deepEqual(log.untyped, [], 'every write error is a typed SynodError');
    assert.equal(violations.length, 0, `${summary}\n${formatWatchViolations(violations)}`);
    for (const recorded of all) assert.equal(recorded.error, undefined, `${recorded.id} ended with ${String(recorded.error)}`);
    // The run must have done something worth checking.
    assert.ok(failovers >= KILLS.length, `only ${failovers} watchers had to fail over`);
    assert.ok(streams.every((stream) => stream.items.some((item) => item.kind === 'event')), 'every watcher received events');
    assert.ok(reference.events.some((event, i) => reference.events[i + 1]?.revision === event.revision), 'some revisions have two events');
  });
});
