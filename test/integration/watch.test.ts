import assert from 'node:assert/strict';
import { Client, CompactedError, type WatchEvent } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { RawClient, b64 } from './helpers/raw-client.js';

/** Collects `count` events from a watch (the iteration ends the watch). */
async function take(iterable: AsyncIterable<WatchEvent>, count: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  if (count === 0) return events;
  for await (const event of iterable) {
    events.push(event);
    if (events.length === count) break;
  }
  return events;
}

/** Reads events one by one from a single iteration of a watch. */
function reader(iterable: AsyncIterable<WatchEvent>): () => Promise<WatchEvent> {
  const iterator = iterable[Symbol.asyncIterator]();
  return async () => {
    const next = await iterator.next();
    assert.ok(!next.done, 'the watch ended');
    return next.value;
  };
}

const describeEvent = (event: WatchEvent): string =>
  event.type === 'put' || event.type === 'delete' ? `${event.revision}:${event.type}:${event.kv.key.toString()}=${event.kv.value.toString()}` : `${event.type}:${event.revision}`;

describe('watch (real server process)', function () {
  this.timeout(60_000);
  let server: ServerProcess;
  let client: Client;

  before(async () => {
    server = await ServerProcess.start({ args: ['--watch-progress-notify-interval-ms', '100', '--max-request-bytes', '4096'] });
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    await client.close();
    await server.cleanup();
  });

  it('streams puts and deletes of a prefix from the moment it is ready, with prev_kv', async () => {
    const watch = client.watch('w1/', { prefix: true, prevKv: true });
    await watch.ready();
    await client.put('w1/a', '1');
    await client.put('w1/a', '2');
    await client.put('other', 'x');
    await client.delete('w1/a');
    const events = await take(watch, 3);
    assert.deepEqual(events.map(describeEvent).map((text) => text.replace(/^\d+:/, '')), ['put:w1/a=1', 'put:w1/a=2', 'delete:w1/a=']);
    assert.equal(events[1]!.type === 'put' && events[1]!.prevKv?.value.toString(), '1');
    assert.equal(events[2]!.type === 'delete' && events[2]!.prevKv?.value.toString(), '2');
  });

  it('replays history from a start revision and keeps the events of one txn together and in order', async () => {
    const first = await client.put('w2/a', '1');
    await client.txn().then(...['b', 'c', 'd'].map((k) => ({ wire: { request_put: { key: b64(`w2/${k}`), value: b64(k) } } }))).commit();
    await client.delete('w2/', { prefix: true });
    const events = await take(client.watch('w2/', { prefix: true, startRevision: first.header.revision }), 8);
    const revisions = events.map((event) => event.revision);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    assert.deepEqual(events.map((e) => e.type), ['put', 'put', 'put', 'put', 'delete', 'delete', 'delete', 'delete']);
    assert.equal(new Set(events.slice(1, 4).map((e) => e.revision)).size, 1, 'the txn is one revision');
  });

  it('replays more than one catch-up batch of history (1000 revisions) without a gap', async () => {
    const start = await client.put('w3/k', '0');
    for (let batch = 0; batch < 12; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => client.put('w3/k', String(batch * 100 + i + 1))));
    }
    const events = await take(client.watch('w3/k', { startRevision: start.header.revision }), 1201);
    const revisions = events.map((event) => event.revision);
    for (let i = 1; i < revisions.length; i++) assert.equal(revisions[i], revisions[i - 1]! + 1n, `gap after ${revisions[i - 1]}`);
  });

  it('filters puts or deletes on the server', async () => {
    const ready = await client.get('w4');
    const start = ready.header.revision + 1n;
    await client.put('w4', 'a');
    await client.delete('w4');
    await client.put('w4', 'b');
    const deletes = await take(client.watch('w4', { startRevision: start, noPut: true }), 1);
    assert.deepEqual(deletes.map((e) => e.type), ['delete']);
    const puts = await take(client.watch('w4', { startRevision: start, noDelete: true }), 2);
    assert.deepEqual(puts.map((e) => e.type), ['put', 'put']);
  });

  it('answers a progress request with a bookmark after every earlier event', async () => {
    const watch = client.watch('w5/', { prefix: true });
    await watch.ready();
    const written = await client.put('w5/x', '1');
    const bookmark = await watch.requestProgress();
    assert.ok(bookmark >= written.header.revision);
    const events = await take(watch, 2);
    assert.deepEqual(events.map((e) => e.type), ['put', 'progress']);
  });

  it('sends progress notifications to an idle watch that asked for them', async () => {
    const watch = client.watch('w6/idle', { progressNotify: true });
    const [event] = await take(watch, 1);
    assert.equal(event?.type, 'progress');
  });

  it('gives each event the header of the response that delivered it (member, cluster, term, revision)', async () => {
    const watch = client.watch('w9/', { prefix: true });
    await watch.ready();
    const put = await client.put('w9/a', '1');
    const next = reader(watch);
    const event = await next();
    const bookmark = await watch.requestProgress();
    const progress = await next();
    const status = await client.status();
    assert.equal(event.type, 'put');
    assert.deepEqual(event.header, { ...status.header, revision: put.header.revision });
    assert.equal(progress.type, 'progress');
    assert.deepEqual(progress.header, { ...status.header, revision: bookmark });
    // The events of one response share its header object; the next response brings another.
    await client.txn().then(...['b', 'c'].map((k) => ({ wire: { request_put: { key: b64(`w9/${k}`), value: b64(k) } } }))).commit();
    await client.put('w9/d', '4');
    const [b, c, d] = [await next(), await next(), await next()];
    assert.deepEqual([b, c, d].map(describeEvent).map((text) => text.replace(/^\d+:/, '')), ['put:w9/b=b', 'put:w9/c=c', 'put:w9/d=4']);
    assert.ok(b.header === c.header, 'one response, one header');
    assert.ok(c.header !== d.header, 'another response, another header');
    await watch.cancel();
  });

  it('ends with CompactedError (with the cancel header) when its history is compacted, or resyncs when asked to', async () => {
    const first = await client.put('w7/k', '1');
    const second = await client.put('w7/k', '2');
    await client.compact(second.header.revision);
    await assert.rejects(take(client.watch('w7/k', { startRevision: first.header.revision }), 1), (error: unknown) => {
      assert.ok(error instanceof CompactedError);
      assert.equal(error.compactRevision, second.header.revision);
      // The cancel message's header says which member ended the watch, at the store's revision.
      assert.deepEqual(error.header, second.header);
      return true;
    });
    const resynced = client.watch('w7/', { prefix: true, startRevision: first.header.revision, onCompacted: 'resync' });
    const next = reader(resynced);
    const resync = await next();
    assert.equal(resync.type, 'resync');
    assert.deepEqual(resync.type === 'resync' && resync.kvs.map((kv) => kv.value.toString()), ['2']);
    const after = await client.put('w7/k', '3');
    assert.equal((await next()).revision, after.header.revision);
    await resynced.cancel();
  });

  it('fragments a revision larger than the request limit and the SDK stitches it back', async () => {
    const start = (await client.get('w8')).header.revision + 1n;
    // 4 x 900 bytes fits the 4096-byte request limit, but the four events encode to more than it.
    const value = 'x'.repeat(900);
    await client.txn().then(...Array.from({ length: 4 }, (_, i) => ({ wire: { request_put: { key: b64(`w8/${i}`), value: b64(value) } } }))).commit();
    const raw = await RawClient.connect(server.endpoint);
    const created = await raw.ok('watch.create', { key: b64('w8/'), range_end: b64('w80'), start_revision: String(start), fragment: true });
    assert.equal(created['created'], true);
    const frames: Record<string, any>[] = [];
    while (frames.length === 0 || frames.at(-1)!['result'].fragment === true) {
      frames.push(await raw.next((frame) => frame['stream'] !== undefined));
    }
    assert.ok(frames.length > 1, 'the revision was split');
    assert.equal(frames.flatMap((frame) => frame['result'].events).length, 4);
    raw.close();
    const events = await take(client.watch('w8/', { prefix: true, startRevision: start }), 4);
    assert.equal(new Set(events.map((e) => e.revision)).size, 1);
  });

  it('honours client-chosen watch ids, refuses duplicates, and cancels by id', async () => {
    const raw = await RawClient.connect(server.endpoint);
    const created = await raw.ok('watch.create', { key: b64('w9'), watch_id: 42 });
    assert.equal(created['watch_id'], '42');
    const duplicate = await raw.request('watch.create', { key: b64('w9'), watch_id: 42 });
    assert.equal((duplicate['error'] as { code: string }).code, 'invalid_argument');
    const canceled = await raw.ok('watch.cancel', { watch_id: 42 });
    assert.equal(canceled['canceled'], true);
    const empty = await raw.request('watch.create', { key: b64('b'), range_end: b64('a') });
    assert.match((empty['error'] as { message: string }).message, /range is empty/);
    raw.close();
  });

  it('resumes after the member restarts, without losing or repeating an event', async () => {
    const watch = client.watch('w10/', { prefix: true });
    await watch.ready();
    const writes: bigint[] = [];
    for (let i = 0; i < 5; i++) writes.push((await client.put(`w10/${i}`, String(i))).header.revision);
    server = await server.restart();
    for (let i = 5; i < 10; i++) writes.push((await client.put(`w10/${i}`, String(i))).header.revision);
    const events = await take(watch, 10);
    assert.deepEqual(events.map((e) => e.revision), writes);
  });
});
