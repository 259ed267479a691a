import { EMPTY, ZERO_BYTE, bytesFromBase64, type KeyRange } from '../mvcc/bytes.js';
import { int64ToNumber } from '../apply/kv-requests.js';
import type { MvccStore } from '../mvcc/store.js';
import type { WatchHub } from '../watch/hub.js';
import { Watcher, type CancelReason, type WatchEvent, type WatchSink } from '../watch/watcher.js';
import { encodeKeyValue } from './kv-responses.js';
import type { WireHeader } from '../apply/wire-types.js';
import { ANSWERED, type CallContext, type ConnectionSession, type RequestId } from './call-context.js';
import { SynodError } from '../errors.js';

/** Limits of one connection's watches. */
export interface WatchLimits {
  readonly watchersPerConnectionMax: number;
  /** A watcher with this many bytes sent but not yet written to the socket is parked. */
  readonly watcherPendingBytesMax: number;
  /** Watchers of a connection whose socket has this many bytes queued are parked. */
  readonly connectionPendingBytesMax: number;
  /** A message above this size is split into fragments when the watcher allows it. */
  readonly fragmentBytes: number;
}

export interface WireWatchCreate {
  key?: string;
  range_end?: string;
  start_revision?: string | number;
  progress_notify?: boolean;
  filters?: (string | number)[];
  prev_kv?: boolean;
  watch_id?: string | number;
  fragment?: boolean;
}

interface Entry {
  readonly watcher: Watcher;
  readonly streamId: RequestId;
  readonly fragment: boolean;
  pendingBytes: number;
}

/**
 * The watches of one client connection: it creates watchers in the hub and is their sink, encoding
 * events as etcd's WatchResponse on the stream opened by the `watch.create` request (frames
 * `{stream: <that request's id>, result: {...}}`). It parks its watchers when the socket backs up,
 * and resumes them when the socket drains.
 */
export class WatchSession implements WatchSink {
  private readonly entries = new Map<number, Entry>();
  private nextServerId = 1;

  constructor(
    private readonly hub: WatchHub,
    private readonly store: MvccStore,
    private readonly header: (revision: number) => WireHeader,
    private readonly connection: ConnectionSession,
    private readonly limits: WatchLimits,
    /** False while the member has been without a leader too long: new watches go elsewhere. */
    private readonly canServe: () => boolean = () => true,
  ) {
    connection.closedSignal.addEventListener('abort', () => this.close(), { once: true });
  }

  /** `watch.create`: answers `{header, watch_id, created: true}`, then streams the watcher's events. */
  create(params: WireWatchCreate, context: CallContext): typeof ANSWERED {
    if (!this.canServe()) throw new SynodError('no_leader', 'this member has no leader; watch from another member');
    if (this.entries.size >= this.limits.watchersPerConnectionMax) {
      throw new SynodError('too_many_requests', `more than ${this.limits.watchersPerConnectionMax} watchers on this connection`);
    }
    const range = watchRange(params);
    const startRevision = int64ToNumber(params.start_revision, 'start_revision');
    if (startRevision < 0) throw new SynodError('invalid_argument', 'start_revision must not be negative');
    const filters = (params.filters ?? []).map((filter) => (filter === 0 || filter === 'NOPUT' ? 'NOPUT' : filter === 1 || filter === 'NODELETE' ? 'NODELETE' : null));
    if (filters.includes(null)) throw new SynodError('invalid_argument', 'filters must be NOPUT or NODELETE');
    const id = this.chooseId(params.watch_id);
    const current = this.store.currentRevision;
    const watcher = new Watcher({
      id,
      range,
      startRevision: startRevision === 0 ? current + 1 : startRevision,
      noPut: filters.includes('NOPUT'),
      noDelete: filters.includes('NODELETE'),
      prevKv: params.prev_kv ?? false,
      progressNotify: params.progress_notify ?? false,
      sink: this,
    });
    this.entries.set(id, { watcher, streamId: context.requestId, fragment: params.fragment ?? false, pendingBytes: 0 });
    // The created answer goes out before the hub can deliver anything to the watcher.
    this.connection.send({ id: context.requestId, result: { header: this.header(current), watch_id: String(id), created: true } });
    this.hub.add(watcher);
    return ANSWERED;
  }

  /** `watch.cancel`: ends the watcher; an unknown id is an error (etcd ignores it silently). */
  cancelById(params: { watch_id?: string | number }): object {
    const id = int64ToNumber(params.watch_id, 'watch_id');
    const entry = this.entries.get(id);
    if (entry === undefined) throw new SynodError('invalid_argument', `no watcher ${id} on this connection`);
    this.hub.remove(entry.watcher);
    this.cancelWatcher(entry, { kind: 'canceled' });
    return { header: this.header(this.store.currentRevision), watch_id: String(id), canceled: true };
  }

  /**
   * `watch.progress`: answers `{header, watch_id: "-1"}` once every watcher of the connection is synced,
   * so the revision in it is a bookmark: every event up to it has already been sent on this connection.
   */
  async requestProgress(context: CallContext): Promise<object> {
    const allSynced = (): boolean => [...this.entries.values()].every((entry) => entry.watcher.state !== 'unsynced');
    if (!allSynced()) {
      await new Promise<void>((resolve, reject) => {
        const unsubscribe = this.hub.onSynced(() => {
          if (!allSynced()) return;
          unsubscribe();
          resolve();
        });
        context.signal.addEventListener('abort', () => {
          unsubscribe();
          reject(new SynodError('canceled', 'progress request canceled'));
        }, { once: true });
      });
    }
    return { header: this.header(this.store.currentRevision), watch_id: '-1' };
  }

  hasRoom(watcher: Watcher): boolean {
    const entry = this.entries.get(watcher.id);
    if (entry === undefined) return false;
    return entry.pendingBytes < this.limits.watcherPendingBytesMax && this.connection.bufferedBytes < this.limits.connectionPendingBytesMax;
  }

  deliver(watcher: Watcher, events: readonly WatchEvent[], revision: number): void {
    const entry = this.entries.get(watcher.id);
    if (entry === undefined) return;
    // Each event is encoded once for all the watchers it goes to; the frame is put together as text.
    const texts = events.map(eventText);
    const head = `{"stream":${JSON.stringify(entry.streamId)},"result":{"header":${JSON.stringify(this.header(revision))},"watch_id":"${watcher.id}","events":[`;
    const bytes = texts.reduce((sum, text) => sum + text.length + 1, head.length + 3);
    if (!entry.fragment || bytes <= this.limits.fragmentBytes || texts.length < 2) {
      this.sendTracked(entry, `${head}${texts.join(',')}]}}`);
      return;
    }
    for (const chunk of chunkBySize(texts, this.limits.fragmentBytes)) {
      this.sendTracked(entry, `${head}${chunk.texts.join(',')}],"fragment":${!chunk.last}}}`);
    }
  }

  progress(watcher: Watcher, revision: number): void {
    const entry = this.entries.get(watcher.id);
    if (entry === undefined) return;
    this.sendTracked(entry, JSON.stringify({ stream: entry.streamId, result: { header: this.header(revision), watch_id: String(watcher.id) } }));
  }

  cancel(watcher: Watcher, reason: CancelReason): void {
    const entry = this.entries.get(watcher.id);
    if (entry !== undefined) this.cancelWatcher(entry, reason);
  }

  private cancelWatcher(entry: Entry, reason: CancelReason): void {
    this.entries.delete(entry.watcher.id);
    const result: Record<string, unknown> = {
      header: this.header(this.store.currentRevision),
      watch_id: String(entry.watcher.id),
      canceled: true,
      cancel_code: reason.kind,
      cancel_reason: cancelMessage(reason),
    };
    if (reason.kind === 'compacted') result['compact_revision'] = String(reason.compactRevision);
    this.connection.send({ stream: entry.streamId, result, end: true });
  }

  private sendTracked(entry: Entry, text: string): void {
    const bytes = text.length;
    entry.pendingBytes += bytes;
    this.connection.sendText(text, () => {
      entry.pendingBytes -= bytes;
      if (this.hub.unsyncedCount > 0) this.hub.kick();
    });
  }

  private chooseId(requested: string | number | undefined): number {
    const wanted = int64ToNumber(requested, 'watch_id');
    if (wanted < 0) throw new SynodError('invalid_argument', 'watch_id must not be negative');
    if (wanted > 0) {
      if (this.entries.has(wanted)) throw new SynodError('invalid_argument', 'duplicate watch ID provided on the connection');
      return wanted;
    }
    while (this.entries.has(this.nextServerId)) this.nextServerId++;
    return this.nextServerId++;
  }

  private close(): void {
    for (const entry of this.entries.values()) this.hub.remove(entry.watcher);
    this.entries.clear();
  }
}

function watchRange(params: WireWatchCreate): KeyRange {
  const key = params.key === undefined || params.key === '' ? ZERO_BYTE : bytesFromBase64(params.key);
  const end = params.range_end === undefined ? EMPTY : bytesFromBase64(params.range_end);
  if (end !== EMPTY && end !== ZERO_BYTE && key >= end) throw new SynodError('invalid_argument', 'watcher range is empty');
  return { key, end };
}

/** The JSON text of each event, kept while the event object lives (the hub hands one object to every watcher). */
const eventTexts = new WeakMap<WatchEvent, string>();

function eventText(event: WatchEvent): string {
  let text = eventTexts.get(event);
  if (text === undefined) {
    const wire: Record<string, unknown> = { type: event.type, kv: encodeKeyValue(event.kv) };
    if (event.prevKv !== null) wire['prev_kv'] = encodeKeyValue(event.prevKv);
    text = JSON.stringify(wire);
    eventTexts.set(event, text);
  }
  return text;
}

function chunkBySize(texts: readonly string[], bytesMax: number): { texts: string[]; last: boolean }[] {
  const chunks: { texts: string[]; last: boolean }[] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const text of texts) {
    if (current.length > 0 && bytes + text.length > bytesMax) {
      chunks.push({ texts: current, last: false });
      current = [];
      bytes = 0;
    }
    current.push(text);
    bytes += text.length;
  }
  chunks.push({ texts: current, last: true });
  return chunks;
}

function cancelMessage(reason: CancelReason): string {
  switch (reason.kind) {
    case 'canceled':
      return 'watch canceled';
    case 'compacted':
      return `mvcc: required revision has been compacted (compact revision ${reason.compactRevision})`;
    case 'no_leader':
      return 'no leader: this member lost its leader; watch from another member';
    case 'stopped':
      return 'server stopped';
  }
}
