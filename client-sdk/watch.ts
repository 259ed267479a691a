import type { Connection, StreamHandler } from './connection.js';
import { CanceledError, CompactedError, SynodError } from './errors.js';
import { int64, type BytesInput } from './codec.js';
import { rangeParams, type RangeSelector } from './kv-requests.js';
import { decodeHeader, decodeKeyValue, type GetResult, type KeyValue, type ResponseHeader } from './kv-types.js';
import { sleep } from './sleep.js';

export interface WatchOptions extends RangeSelector {
  /** First revision to receive; default: changes after the watch starts. */
  readonly startRevision?: bigint | number;
  /** Attach the previous value to each event. */
  readonly prevKv?: boolean;
  /** Leave out put events. */
  readonly noPut?: boolean;
  /** Leave out delete events. */
  readonly noDelete?: boolean;
  /** Ask the member for periodic progress events while the watch is idle. */
  readonly progressNotify?: boolean;
  /**
   * What to do when the history the watch needs was compacted: `'error'` (default) ends the iteration
   * with CompactedError; `'resync'` reads the range afresh, yields a `resync` event holding it, and
   * carries on from there.
   */
  readonly onCompacted?: 'error' | 'resync';
  /** Stops the watch; the iteration then ends quietly. */
  readonly signal?: AbortSignal;
}

/**
 * What a watch yields, in revision order; a revision's events are consecutive and never split. Each
 * event carries the header of the member's response that delivered it (which member and Raft term;
 * its revision is the member's revision when it sent the response, at least the event's own). The
 * events of one response share one header object, so `a.header === b.header` regroups them into the
 * responses the member sent (as etcdctl prints them).
 */
export type WatchEvent =
  | { readonly type: 'put'; readonly kv: KeyValue; readonly prevKv: KeyValue | null; readonly revision: bigint; readonly header: ResponseHeader }
  | { readonly type: 'delete'; readonly kv: KeyValue; readonly prevKv: KeyValue | null; readonly revision: bigint; readonly header: ResponseHeader }
  /** Every event up to `revision` has been yielded. */
  | { readonly type: 'progress'; readonly revision: bigint; readonly header: ResponseHeader }
  /** History was compacted: `kvs` is the whole range at `revision`; events continue after it. */
  | { readonly type: 'resync'; readonly revision: bigint; readonly kvs: KeyValue[]; readonly header: ResponseHeader };

/** What a Watch needs from its client. */
export interface WatchHost {
  connect(signal?: AbortSignal): Promise<Connection>;
  /** Moves the client off `connection` (closing it once idle with `close`); resolves when done. */
  dropConnection(connection: Connection, close?: boolean): Promise<void>;
  get(key: BytesInput, options: RangeSelector & { signal?: AbortSignal }): Promise<GetResult>;
  readonly requestTimeoutMs: number;
  /** Told once the watch has ended, so the client forgets it. */
  onClosed(watch: Watch): void;
}

/** Events queued for the consumer before the watch pauses its server side (it resumes without loss). */
const QUEUED_EVENTS_MAX = 10_000;
const RECONNECT_BACKOFF_MS_MAX = 2000;
/** A member that refuses a watch with one of these codes cannot serve it now: try the next one. */
const MOVE_ON_CODES = new Set(['no_leader', 'stopped']);

/**
 * A watch: `for await (const event of client.watch(key, options))`. It resumes by itself after a lost
 * connection or a member that stops serving it, from the revision after the last one it received, so
 * no event is lost or repeated. Breaking out of the loop, `cancel()`, the signal or `await using`
 * cancel it on the server.
 */
export class Watch implements AsyncIterable<WatchEvent>, AsyncDisposable {
  private readonly queue: WatchEvent[] = [];
  private wake: (() => void) | null = null;
  private failure: SynodError | null = null;
  private done = false;
  /** Every event below this revision has been queued. */
  private nextRevision: bigint;
  private connection: Connection | null = null;
  private streamId: number | null = null;
  private watchId: string | null = null;
  private paused = false;
  private fragments: Record<string, unknown>[] = [];
  private running: Promise<void> | null = null;
  private readonly stop = new AbortController();
  private readonly created: Promise<bigint>;
  private resolveCreated!: (revision: bigint) => void;
  private rejectCreated!: (error: unknown) => void;

  constructor(
    private readonly host: WatchHost,
    private readonly key: BytesInput,
    private readonly options: WatchOptions,
  ) {
    this.nextRevision = BigInt(options.startRevision ?? 0);
    this.created = new Promise((resolve, reject) => {
      this.resolveCreated = resolve;
      this.rejectCreated = reject;
    });
    this.created.catch(() => undefined);
    options.signal?.addEventListener('abort', () => void this.cancel(), { once: true });
  }

  /**
   * Starts the watch if it is not running and resolves once the member has created it, with the first
   * revision it will deliver. A watch without `startRevision` sees every change after this point.
   */
  ready(): Promise<bigint> {
    this.start();
    return this.created;
  }

  /** The revision after the last one this watch has received (0 before it started). */
  get revision(): bigint {
    return this.nextRevision === 0n ? 0n : this.nextRevision - 1n;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent> {
    this.start();
    try {
      for (;;) {
        const event = this.queue.shift();
        if (event !== undefined) {
          if (this.paused && this.queue.length < QUEUED_EVENTS_MAX / 2) this.resume();
          yield event;
          continue;
        }
        if (this.failure !== null) throw this.failure;
        if (this.done) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      await this.cancel();
    }
  }

  /**
   * Asks the member for a bookmark: resolves with a revision up to which every event of this watch has
   * been received, and queues a `progress` event for it.
   */
  async requestProgress(): Promise<bigint> {
    const connection = this.connection ?? (await this.host.connect(this.stop.signal));
    const result = await connection.call('watch.progress', {}, { signal: this.stop.signal, timeoutMs: this.host.requestTimeoutMs });
    const header = decodeHeader(result['header']);
    const revision = header.revision;
    if (revision + 1n >= this.nextRevision) {
      this.nextRevision = revision + 1n;
      this.push({ type: 'progress', revision, header });
    }
    return revision;
  }

  /** Stops the watch; a pending iteration ends quietly. */
  async cancel(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.stop.abort();
    this.rejectCreated(new CanceledError('watch canceled before it was created', { outcomeUnknown: false }));
    await this.cancelOnServer();
    this.wakeConsumer();
    this.host.onClosed(this);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.cancel();
  }

  private start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      if (!this.done) this.failure = error instanceof SynodError ? error : new SynodError('internal', String(error), { cause: error });
      this.rejectCreated(this.failure ?? error);
      this.wakeConsumer();
    });
  }

  /** Keeps one server-side watcher open, recreating it after every interruption. */
  private async run(): Promise<void> {
    let backoffMs = 50;
    while (!this.done) {
      if (this.paused) {
        await new Promise<void>((resolve) => (this.resumeWaiter = resolve));
        continue;
      }
      let connection: Connection;
      try {
        connection = await this.host.connect(this.stop.signal);
      } catch (error) {
        if (this.done) return;
        if (error instanceof SynodError && !error.retryable) throw error;
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, RECONNECT_BACKOFF_MS_MAX);
        continue;
      }
      const ended = await this.openOnce(connection);
      this.connection = null;
      if (ended.kind === 'lost' || ended.kind === 'refused') {
        await this.host.dropConnection(connection, ended.kind === 'refused');
        await this.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, RECONNECT_BACKOFF_MS_MAX);
        continue;
      }
      backoffMs = 50;
      if (ended.kind === 'compacted') await this.handleCompaction(ended.error);
      else if (ended.kind === 'moved') await this.host.dropConnection(connection, true);
    }
  }

  private resumeWaiter: (() => void) | null = null;

  /**
   * Runs one server-side watcher on `connection` until it ends: `lost` (the connection), `refused` (the
   * member cannot serve watches now), `moved` (it stopped serving this one), `paused`, `canceled` or
   * `compacted`.
   */
  private openOnce(connection: Connection): Promise<{ kind: 'lost' | 'refused' | 'moved' | 'paused' | 'canceled' } | { kind: 'compacted'; error: CompactedError }> {
    return new Promise((resolve, reject) => {
      const handler: StreamHandler = {
        onFrame: (result, end) => {
          if (end) {
            this.streamId = null;
            const code = result['cancel_code'];
            if (code === 'compacted') {
              const details = { compact_revision: String(result['compact_revision'] ?? '0') };
              resolve({ kind: 'compacted', error: new CompactedError(String(result['cancel_reason'] ?? ''), details, decodeHeader(result['header'])) });
            } else if (code === 'no_leader' || code === 'stopped') resolve({ kind: 'moved' });
            else resolve({ kind: this.paused ? 'paused' : 'canceled' });
            return;
          }
          this.onResponse(result);
        },
        onLost: () => resolve({ kind: 'lost' }),
      };
      const params: Record<string, unknown> = rangeParams(this.key, this.options);
      delete params['limit'];
      if (this.nextRevision > 0n) params['start_revision'] = int64(this.nextRevision);
      if (this.options.prevKv === true) params['prev_kv'] = true;
      if (this.options.progressNotify === true) params['progress_notify'] = true;
      const filters = [...(this.options.noPut === true ? ['NOPUT'] : []), ...(this.options.noDelete === true ? ['NODELETE'] : [])];
      if (filters.length > 0) params['filters'] = filters;
      params['fragment'] = true;
      connection
        .openStream('watch.create', params, handler, { signal: this.stop.signal, timeoutMs: this.host.requestTimeoutMs })
        .then(({ streamId, first }) => {
          this.connection = connection;
          this.streamId = streamId;
          this.watchId = String(first['watch_id']);
          const header = first['header'] as Record<string, unknown> | undefined;
          if (this.nextRevision === 0n) this.nextRevision = BigInt(String(header?.['revision'] ?? '0')) + 1n;
          this.resolveCreated(this.nextRevision);
          if (this.done || this.paused) void this.cancelOnServer();
        })
        .catch((error: unknown) => {
          if (error instanceof SynodError && (error.code === 'connection_lost' || error.code === 'timeout')) resolve({ kind: 'lost' });
          else if (this.done) resolve({ kind: 'canceled' });
          // A member that cannot serve it now (no leader, stopping): the next member will.
          else if (error instanceof SynodError && MOVE_ON_CODES.has(error.code)) resolve({ kind: 'refused' });
          // Any other refusal for now (overloaded, say) is retried after the backoff, not the end of the watch.
          else if (error instanceof SynodError && error.retryable) resolve({ kind: 'lost' });
          else reject(error);
        });
    });
  }

  private onResponse(result: Record<string, unknown>): void {
    if (result['fragment'] === true) {
      this.fragments.push(result);
      return;
    }
    const parts = [...this.fragments, result];
    this.fragments = [];
    const header = decodeHeader(result['header']);
    const revision = header.revision;
    const events = parts.flatMap((part) => (Array.isArray(part['events']) ? (part['events'] as Record<string, unknown>[]) : []));
    if (events.length === 0) {
      // A progress notification: everything up to `revision` has been sent.
      if (revision + 1n >= this.nextRevision) {
        this.nextRevision = revision + 1n;
        this.push({ type: 'progress', revision, header });
      }
      return;
    }
    let last = this.nextRevision - 1n;
    for (const wire of events) {
      const kv = decodeKeyValue(wire['kv']);
      // Skip anything already delivered (a resumed watcher never repeats an event).
      if (kv.modRevision < this.nextRevision) continue;
      const prevKv = wire['prev_kv'] === undefined ? null : decodeKeyValue(wire['prev_kv']);
      this.push({ type: wire['type'] === 'DELETE' ? 'delete' : 'put', kv, prevKv, revision: kv.modRevision, header });
      if (kv.modRevision > last) last = kv.modRevision;
    }
    const covered = revision > last ? revision : last;
    if (covered >= this.nextRevision) this.nextRevision = covered + 1n;
    if (this.queue.length >= QUEUED_EVENTS_MAX && !this.paused) {
      this.paused = true;
      void this.cancelOnServer();
    }
  }

  private async handleCompaction(error: CompactedError): Promise<void> {
    if (this.options.onCompacted !== 'resync') throw error;
    const snapshot = await this.host.get(this.key, { ...pickRange(this.options), signal: this.stop.signal });
    this.push({ type: 'resync', revision: snapshot.header.revision, kvs: snapshot.kvs, header: snapshot.header });
    this.nextRevision = snapshot.header.revision + 1n;
  }

  private resume(): void {
    this.paused = false;
    this.resumeWaiter?.();
    this.resumeWaiter = null;
  }

  private async cancelOnServer(): Promise<void> {
    const connection = this.connection;
    const watchId = this.watchId;
    if (connection === null || watchId === null || this.streamId === null) return;
    this.watchId = null;
    try {
      await connection.call('watch.cancel', { watch_id: watchId }, { timeoutMs: this.host.requestTimeoutMs });
    } catch {
      // The connection may be gone; the server drops the watcher with it.
    }
  }

  private push(event: WatchEvent): void {
    this.queue.push(event);
    this.wakeConsumer();
  }

  private wakeConsumer(): void {
    this.wake?.();
    this.wake = null;
  }

  private sleep(ms: number): Promise<void> {
    return sleep(ms, this.stop.signal);
  }
}

function pickRange(options: RangeSelector): RangeSelector {
  const range: { prefix?: boolean; fromKey?: boolean; rangeEnd?: BytesInput } = {};
  if (options.prefix !== undefined) range.prefix = options.prefix;
  if (options.fromKey !== undefined) range.fromKey = options.fromKey;
  if (options.rangeEnd !== undefined) range.rangeEnd = options.rangeEnd;
  return range;
}
