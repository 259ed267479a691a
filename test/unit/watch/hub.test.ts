import assert from 'node:assert/strict';
import { MemoryHistory, MvccStore, applyDeleteRange, applyPut, applyTxn, deleteRangeRequest, prefixEnd, putRequest, type LeaseLookup } from '../../../server/mvcc/index.js';
import { WatchHub, type WatchHubLimits } from '../../../server/watch/hub.js';
import { Watcher, type CancelReason, type WatchEvent, type WatchSink } from '../../../server/watch/watcher.js';

const noLeases: LeaseLookup = { leaseExists: () => false };

/** A sink that records what it gets and can be made to refuse (a slow consumer). */
class RecordingSink implements WatchSink {
  readonly messages: { watcher: number; events: WatchEvent[]; revision: number }[] = [];
  readonly progress_: { watcher: number; revision: number }[] = [];
  readonly canceled: { watcher: number; reason: CancelReason }[] = [];
  full = false;
  /** Messages it takes before it is full (a consumer that reads a little, then stalls). */
  roomForMessages = Number.POSITIVE_INFINITY;
  hasRoom(): boolean {
    return !this.full && this.roomForMessages > 0;
  }
  deliver(watcher: Watcher, events: readonly WatchEvent[], revision: number): void {
    this.messages.push({ watcher: watcher.id, events: [...events], revision });
    this.roomForMessages--;
  }
  progress(watcher: Watcher, revision: number): void {
    this.progress_.push({ watcher: watcher.id, revision });
  }
  cancel(watcher: Watcher, reason: CancelReason): void {
    this.canceled.push({ watcher: watcher.id, reason });
  }
  /** Every event delivered to a watcher as "rev:TYPE:key". */
  seen(watcher: number): string[] {
    return this.messages.filter((m) => m.watcher === watcher).flatMap((m) => m.events.map((e) => `${e.kv.modRevision}:${e.type}:${e.kv.key}`));
  }
}

function setup(limits: Partial<WatchHubLimits> = {}) {
  const history = new MemoryHistory();
  const store = new MvccStore(history);
  store.onCommit((_revision, changes) => history.record(changes));
  const hub = new WatchHub(store, history, limits);
  const sink = new RecordingSink();
  const put = (key: string, value = 'v') => applyPut(store, noLeases, putRequest({ key, value }));
  const del = (key: string, end = '') => applyDeleteRange(store, noLeases, deleteRangeRequest({ key, rangeEnd: end }));
  let nextId = 1;
  const watch = (key: string, end: string, startRevision: number, extra: Partial<{ noPut: boolean; noDelete: boolean; prevKv: boolean; progressNotify: boolean }> = {}) => {
    const watcher = new Watcher({ id: nextId++, range: { key, end }, startRevision, noPut: false, noDelete: false, prevKv: false, progressNotify: false, sink, ...extra });
    hub.add(watcher);
    return watcher;
  };
  /** Resolves once the hub has caught up every unsynced watcher it can. */
  const settle = async () => {
    for (let i = 0; i < 100 && hub.unsyncedCount > 0 && !sink.full; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return { store, history, hub, sink, put, del, watch, settle };
}

describe('watch hub', () => {
  it('delivers live events of a key, a range and a prefix, each revision in one message', async () => {
    const { store, sink, put, watch } = setup();
    const single = watch('a', '', store.currentRevision + 1);
    const range = watch('a', 'c', store.currentRevision + 1);
    const prefix = watch('b', prefixEnd('b'), store.currentRevision + 1);
    put('a');
    put('b1');
    await applyTxn(store, noLeases, { compare: [], success: [{ put: putRequest({ key: 'b2' }) }, { put: putRequest({ key: 'c' }) }, { put: putRequest({ key: 'a' }) }], failure: [] });
    assert.deepEqual(sink.seen(single.id), ['2:PUT:a', '4:PUT:a']);
    assert.deepEqual(sink.seen(range.id), ['2:PUT:a', '3:PUT:b1', '4:PUT:b2', '4:PUT:a']);
    assert.deepEqual(sink.seen(prefix.id), ['3:PUT:b1', '4:PUT:b2']);
    const txnMessages = sink.messages.filter((m) => m.watcher === range.id && m.revision === 4);
    assert.equal(txnMessages.length, 1, 'a revision is never split across messages');
  });

  it('replays history from a past start revision, then continues live without a gap or a repeat', async () => {
    const { store, sink, put, del, watch, settle } = setup({ catchUpRevisionsMax: 3 });
    for (let i = 0; i < 10; i++) put(`k${i % 3}`);
    del('k1');
    const watcher = watch('k', prefixEnd('k'), 4);
    put('k9');
    await settle();
    put('k5');
    const revisions = sink.seen(watcher.id).map((event) => Number(event.split(':')[0]));
    assert.deepEqual(revisions, Array.from({ length: store.currentRevision - 3 }, (_, i) => i + 4));
    assert.ok(sink.seen(watcher.id).includes('12:DELETE:k1'));
    assert.equal(watcher.state, 'synced');
  });

  it('applies NOPUT / NODELETE filters and attaches prev_kv live and in replay', async () => {
    const { store, sink, put, del, watch, settle } = setup();
    put('x', 'one');
    const deletesOnly = watch('x', '', store.currentRevision + 1, { noPut: true, prevKv: true });
    const putsOnly = watch('x', '', store.currentRevision + 1, { noDelete: true, prevKv: true });
    put('x', 'two');
    del('x');
    assert.deepEqual(sink.seen(deletesOnly.id), ['4:DELETE:x']);
    assert.equal(sink.messages.find((m) => m.watcher === deletesOnly.id)?.events[0]?.prevKv?.value, 'two');
    assert.deepEqual(sink.seen(putsOnly.id), ['3:PUT:x']);
    assert.equal(sink.messages.find((m) => m.watcher === putsOnly.id)?.events[0]?.prevKv?.value, 'one');
    const replay = watch('x', '', 2, { prevKv: true });
    await settle();
    const replayed = sink.messages.filter((m) => m.watcher === replay.id).flatMap((m) => m.events);
    assert.deepEqual(replayed.map((e) => [e.type, e.kv.value, e.prevKv?.value ?? null]), [['PUT', 'one', null], ['PUT', 'two', 'one'], ['DELETE', '', 'two']]);
  });

  it('waits for a future start revision', () => {
    const { store, sink, put, watch } = setup();
    const watcher = watch('f', '', store.currentRevision + 3);
    put('f');
    put('f');
    assert.deepEqual(sink.seen(watcher.id), []);
    put('f');
    assert.deepEqual(sink.seen(watcher.id), ['4:PUT:f']);
  });

  it('cancels a watcher whose start revision was compacted, with the compact revision', () => {
    const { store, history, sink, put, watch } = setup();
    put('a');
    put('a');
    history.forget(store.compact(3));
    const watcher = watch('a', '', 2);
    assert.deepEqual(sink.canceled, [{ watcher: watcher.id, reason: { kind: 'compacted', compactRevision: 3 } }]);
  });

  it('parks a slow consumer instead of buffering, then catches it up from history without loss', async () => {
    const { store, sink, put, watch, settle, hub } = setup({ catchUpRevisionsMax: 4 });
    const watcher = watch('s', prefixEnd('s'), store.currentRevision + 1);
    put('s1');
    sink.full = true;
    for (let i = 0; i < 20; i++) put(`s${i}`);
    assert.equal(watcher.state, 'unsynced');
    assert.equal(sink.seen(watcher.id).length, 1, 'nothing is sent while the consumer is full');
    sink.full = false;
    hub.kick();
    await settle();
    const revisions = sink.seen(watcher.id).map((event) => Number(event.split(':')[0]));
    assert.deepEqual(revisions, Array.from({ length: 21 }, (_, i) => i + 2));
    assert.equal(watcher.state, 'synced');
  });

  it('catches a parked watcher up in messages of whole revisions of about catchUpMessageBytesMax, and sends no more once its sink is full', async () => {
    const { store, sink, put, watch, settle, hub } = setup({ catchUpMessageBytesMax: 100 });
    const watcher = watch('m', prefixEnd('m'), store.currentRevision + 1);
    sink.full = true;
    const value = 'v'.repeat(38);
    for (let i = 0; i < 20; i++) {
      // Every fifth revision is a txn of three puts: it must stay in one message.
      if (i % 5 === 4) await applyTxn(store, noLeases, { compare: [], success: ['m1', 'm2', 'm3'].map((key) => ({ put: putRequest({ key, value }) })), failure: [] });
      else put(`m${i % 3}`, value);
    }
    const last = store.currentRevision;
    // It reads two messages' worth, then stalls: the catch-up stops there, however far behind it is.
    sink.full = false;
    sink.roomForMessages = 2;
    hub.kick();
    await settle();
    const sent = sink.messages.filter((m) => m.watcher === watcher.id);
    assert.equal(sent.length, 2);
    for (const message of sent) {
      const revisions = message.events.map((event) => event.kv.modRevision);
      const bytes = message.events.reduce((sum, event) => sum + event.kv.key.length + event.kv.value.length, 0);
      assert.ok(bytes - 3 * 40 < 100, `a message of ${bytes} bytes passes the limit by more than one revision`);
      assert.equal(message.revision, Math.max(...revisions), 'a partial catch-up covers exactly the revisions it holds');
    }
    assert.equal(watcher.state, 'unsynced');
    assert.equal(watcher.nextRevision, sent[1]!.revision + 1);
    // Reading again, it gets the rest: every revision once, in order, each one whole.
    sink.roomForMessages = Number.POSITIVE_INFINITY;
    hub.kick();
    await settle();
    const all = sink.messages.filter((m) => m.watcher === watcher.id);
    const revisions = all.flatMap((m) => m.events.map((event) => event.kv.modRevision));
    assert.deepEqual([...new Set(revisions)], Array.from({ length: last - 1 }, (_, i) => i + 2));
    assert.equal(revisions.length, 16 + 4 * 3);
    for (const revision of new Set(revisions)) assert.equal(all.filter((m) => m.events.some((event) => event.kv.modRevision === revision)).length, 1, `revision ${revision} split`);
    assert.equal(watcher.state, 'synced');
  });

  it('reads about what a slow watcher takes per catch-up round, not the whole window every round', async () => {
    const { store, history, sink, put, watch, settle, hub } = setup({ catchUpRevisionsMax: 1000, catchUpMessageBytesMax: 400 });
    let revisionsRead = 0;
    const readChanges = history.readChanges.bind(history);
    history.readChanges = async (from: number, to: number) => {
      revisionsRead += to - from + 1;
      return readChanges(from, to);
    };
    const watcher = watch('s', prefixEnd('s'), store.currentRevision + 1);
    sink.full = true;
    for (let i = 0; i < 2000; i++) put(`s${i % 7}`, 'v'.repeat(38));
    sink.full = false;
    // It takes one message (about ten revisions) per round.
    for (let round = 0; round < 1000 && watcher.state !== 'synced'; round++) {
      sink.roomForMessages = 1;
      hub.kick();
      await settle();
    }
    assert.equal(watcher.state, 'synced');
    assert.equal(sink.seen(watcher.id).length, 2000);
    assert.ok(revisionsRead < 4 * 2000, `${revisionsRead} revisions read to deliver 2000`);
  });

  it('cancels a parked watcher that compaction overtakes', async () => {
    const { store, history, sink, put, watch, settle, hub } = setup();
    const watcher = watch('p', '', store.currentRevision + 1);
    sink.full = true;
    put('p');
    put('p');
    put('p');
    history.forget(store.compact(store.currentRevision));
    sink.full = false;
    hub.kick();
    await settle();
    assert.deepEqual(sink.canceled.map((c) => c.reason.kind), ['compacted']);
    assert.equal(watcher.state, 'canceled');
  });

  it('sends progress notifications only to idle synced watchers that asked', () => {
    const { store, sink, put, watch, hub } = setup();
    const asked = watch('a', '', store.currentRevision + 1, { progressNotify: true });
    const busy = watch('b', '', store.currentRevision + 1, { progressNotify: true });
    watch('c', '', store.currentRevision + 1);
    put('b');
    hub.notifyProgress();
    assert.deepEqual(sink.progress_, [{ watcher: asked.id, revision: store.currentRevision }]);
    hub.notifyProgress();
    assert.deepEqual(sink.progress_.map((p) => p.watcher), [asked.id, asked.id, busy.id]);
  });

  it('costs a write only the watchers that match it', () => {
    const { store, put, hub } = setup();
    let visits = 0;
    const counting: WatchSink = { hasRoom: () => true, deliver: () => visits++, progress: () => undefined, cancel: () => undefined };
    for (let i = 0; i < 2000; i++) {
      hub.add(new Watcher({ id: i, range: i % 2 === 0 ? { key: `key/${i}`, end: '' } : { key: `pre/${i}/`, end: prefixEnd(`pre/${i}/`) }, startRevision: store.currentRevision + 1, noPut: false, noDelete: false, prevKv: false, progressNotify: false, sink: counting }));
    }
    put('key/10');
    put('pre/11/x');
    put('unwatched');
    assert.equal(visits, 2);
  });
});
