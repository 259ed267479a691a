import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { b64 } from './helpers/raw-client.js';
import { memoryOf, mib, resetPeak } from './helpers/process-memory.js';

const WATCHERS = 100;
const VALUE_BYTES = 16 * 1024;
const PUTS_PER_PHASE = 600;
const PUTS_IN_FLIGHT = 8;
/** Stalled watchers that read again at the end, to be checked for what they missed. */
const RESUMED = 10;
const KEYS = 20;
const PREFIX = 'mem/';
const MiB = 1024 * 1024;

/**
 * A watcher on a raw ws connection that can stop reading for real: `pause()` stops reading the socket,
 * so the member's writes back up through TCP into its own send buffer. It keeps only what the test
 * checks (event revisions, the last header revision, the largest frame), not the frames.
 */
class RawWatcher {
  readonly revisions: number[] = [];
  headerRevision = 0;
  largestFrameBytes = 0;
  private waiters: { revision: number; resolve: () => void }[] = [];

  private constructor(private readonly socket: WebSocket) {}

  static async open(endpoint: string): Promise<RawWatcher> {
    const socket = new WebSocket(`ws://${endpoint}`, ['synod.v1']);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const watcher = new RawWatcher(socket);
    const created = new Promise<void>((resolve, reject) => {
      socket.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString()) as { id?: number; stream?: number; result?: Record<string, any>; error?: unknown };
        if (frame.id === 1) return frame.error === undefined ? resolve() : reject(new Error(JSON.stringify(frame.error)));
        if (frame.stream !== 1 || frame.result === undefined) return;
        watcher.largestFrameBytes = Math.max(watcher.largestFrameBytes, data.length);
        for (const event of (frame.result['events'] ?? []) as { kv: { mod_revision: string } }[]) watcher.revisions.push(Number(event.kv.mod_revision));
        watcher.headerRevision = Number(frame.result['header'].revision);
        watcher.waiters = watcher.waiters.filter((waiter) => (watcher.headerRevision >= waiter.revision ? (waiter.resolve(), false) : true));
      });
    });
    socket.send(JSON.stringify({ id: 1, method: 'watch.create', params: { key: b64(PREFIX), range_end: b64('mem0') } }));
    await created;
    return watcher;
  }

  /** Stops reading the socket (the kernel buffers fill, then the member's). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves once a response covering `revision` has arrived. */
  reached(revision: number): Promise<void> {
    if (this.headerRevision >= revision) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ revision, resolve }));
  }

  close(): void {
    this.socket.terminate();
  }
}

interface PhaseResult {
  readonly latenciesMs: number[];
  readonly lastRevision: number;
}

/** `count` puts of VALUE_BYTES over KEYS keys, PUTS_IN_FLIGHT at a time; returns each put's latency (ms) and the last revision. */
async function putPhase(client: Client, count: number, tag: string): Promise<PhaseResult> {
  const latenciesMs: number[] = [];
  let lastRevision = 0;
  let next = 0;
  const value = (i: number): string => `${tag}.${i}.`.padEnd(VALUE_BYTES, 'x');
  await Promise.all(
    Array.from({ length: PUTS_IN_FLIGHT }, async () => {
      for (let i = next++; i < count; i = next++) {
        const started = performance.now();
        const result = await client.put(`${PREFIX}${i % KEYS}`, value(i));
        latenciesMs.push(performance.now() - started);
        lastRevision = Math.max(lastRevision, Number(result.header.revision));
      }
    }),
  );
  return { latenciesMs, lastRevision };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

describe('watch: stalled watchers and a member\'s memory and write latency (real server process)', function () {
  this.timeout(180_000);
  let server: ServerProcess;
  let client: Client;
  const watchers: RawWatcher[] = [];

  before(async () => {
    server = await ServerProcess.start();
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    for (const watcher of watchers) watcher.close();
    await client?.close();
    await server?.cleanup();
  });

  it(`${WATCHERS} watchers that stop reading are parked: the member holds far less than their events, and no more as writes go on; puts are as fast as without them; resumed, they are caught up from history in small messages, without a gap`, async function () {
    if (process.platform !== 'linux') this.skip();
    const pid = server.child.pid!;
    /** Runs a phase and measures the member's peak resident memory above where it started. */
    const measure = async <T>(run: () => Promise<T>): Promise<T & { growthBytes: number; peakBytes: number }> => {
      const start = await memoryOf(pid);
      await resetPeak(pid);
      const result = await run();
      const end = await memoryOf(pid);
      return { ...result, growthBytes: end.peakBytes - start.rssBytes, peakBytes: end.peakBytes };
    };
    await putPhase(client, 200, 'warm');
    const baseline = await measure(() => putPhase(client, PUTS_PER_PHASE, 'base'));

    for (let i = 0; i < WATCHERS; i++) watchers.push(await RawWatcher.open(server.endpoint));
    const startRevision = Number((await client.get(PREFIX, { prefix: true, countOnly: true })).header.revision);
    for (const watcher of watchers) watcher.pause();
    // While the stalled watchers fill their sockets and get parked (the member may hold about
    // watcherPendingBytesMax, 1 MiB, for each), then once they are parked.
    const parking = await measure(() => putPhase(client, PUTS_PER_PHASE, 'parking'));
    const parked = await measure(() => putPhase(client, PUTS_PER_PHASE, 'parked'));
    const phaseDueBytes = PUTS_PER_PHASE * VALUE_BYTES * (4 / 3) * WATCHERS;
    const baselineMs = median(baseline.latenciesMs);
    const stalledMs = median([...parking.latenciesMs, ...parked.latenciesMs]);
    console.log(
      `      member RSS growth: ${mib(baseline.growthBytes)} for ${PUTS_PER_PHASE} puts of ${VALUE_BYTES / 1024} KiB without watchers; with ${WATCHERS} stalled watchers ` +
        `${mib(parking.growthBytes)} while they were parked, then ${mib(parked.growthBytes)} for ${PUTS_PER_PHASE} more puts (peak RSS ${mib(parked.peakBytes)}); ` +
        `buffering their events would take ${mib(2 * phaseDueBytes)}\n` +
        `      put median ${baselineMs.toFixed(1)} ms without watchers; with stalled ones ${median(parking.latenciesMs).toFixed(1)} ms while parking them, ${median(parked.latenciesMs).toFixed(1)} ms after`,
    );
    assert.ok(parking.growthBytes + parked.growthBytes < (2 * phaseDueBytes) / 8, `the member grew by ${mib(parking.growthBytes + parked.growthBytes)} for stalled watchers due ${mib(2 * phaseDueBytes)}`);
    assert.ok(parked.growthBytes < phaseDueBytes / 16, `once parked, ${mib(phaseDueBytes)} more of events for them grew the member by ${mib(parked.growthBytes)}`);
    assert.ok(stalledMs < 3 * baselineMs, `put median ${stalledMs.toFixed(1)} ms with stalled watchers, ${baselineMs.toFixed(1)} ms without`);
    const parkedMs = median(parked.latenciesMs);
    assert.ok(parkedMs < 3 * baselineMs, `put median ${parkedMs.toFixed(1)} ms with parked watchers, ${baselineMs.toFixed(1)} ms without`);

    // Resumed, parked watchers are caught up from history: every revision once, in order, in messages
    // near the hub's catch-up message size, and the member does not hold their backlog. (The whole
    // backlog of 1000 revisions used to go out in one 20 MiB frame per watcher, all held at once.)
    const resumed = watchers.slice(0, RESUMED);
    const catchUp = await measure(async () => {
      for (const watcher of resumed) watcher.resume();
      await Promise.all(resumed.map((watcher) => watcher.reached(parked.lastRevision)));
    });
    const expected = Array.from({ length: parked.lastRevision - startRevision }, (_, i) => startRevision + 1 + i);
    for (const watcher of resumed) assert.deepEqual(watcher.revisions, expected);
    const largestFrameBytes = Math.max(...resumed.map((watcher) => watcher.largestFrameBytes));
    console.log(`      ${RESUMED} resumed watchers caught up over ${expected.length} revisions: largest frame ${mib(largestFrameBytes)}, member RSS growth ${mib(catchUp.growthBytes)}`);
    const sentBytes = RESUMED * expected.length * VALUE_BYTES * (4 / 3);
    assert.ok(largestFrameBytes < MiB, `a catch-up frame of ${mib(largestFrameBytes)}`);
    // Generous (garbage makes RSS noisy: 110 to 220 MiB here); holding every backlog took 560 MiB.
    assert.ok(catchUp.growthBytes < 1.5 * sentBytes, `the member grew by ${mib(catchUp.growthBytes)} catching up watchers sent ${mib(sentBytes)}`);
  });
});
