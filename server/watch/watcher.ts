import { EMPTY, ZERO_BYTE, rangeContains, type KeyRange } from '../mvcc/bytes.js';
import type { KeyValue } from '../mvcc/types.js';

/** One event as a watcher sees it. A DELETE's kv holds only the key and the delete's revision. */
export interface WatchEvent {
  readonly type: 'PUT' | 'DELETE';
  readonly kv: KeyValue;
  readonly prevKv: KeyValue | null;
}

/** Why a watcher ended. */
export type CancelReason =
  | { readonly kind: 'canceled' }
  | { readonly kind: 'compacted'; readonly compactRevision: number }
  | { readonly kind: 'no_leader' }
  | { readonly kind: 'stopped' };

/**
 * Where a watcher's output goes (the client connection's watch session). The hub asks before sending
 * so that a slow consumer is parked instead of buffered without bound.
 */
export interface WatchSink {
  /** True while the sink has room for this watcher's next message. */
  hasRoom(watcher: Watcher): boolean;
  /** Sends the events of one or more whole revisions; `revision` is the last revision they cover. */
  deliver(watcher: Watcher, events: readonly WatchEvent[], revision: number): void;
  /** Tells the client that everything up to `revision` has been delivered to this watcher. */
  progress(watcher: Watcher, revision: number): void;
  /** Ends the watcher. */
  cancel(watcher: Watcher, reason: CancelReason): void;
}

export interface WatcherOptions {
  readonly id: number;
  readonly range: KeyRange;
  /** First revision to deliver. */
  readonly startRevision: number;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly prevKv: boolean;
  readonly progressNotify: boolean;
  readonly sink: WatchSink;
}

/**
 * A watcher: a key range, the next revision it must receive, its filters, and its state. A synced
 * watcher is in the hub's index and receives live events; an unsynced one (new with a past start
 * revision, or parked because its consumer was slow) is caught up from history.
 */
export class Watcher {
  readonly id: number;
  readonly range: KeyRange;
  readonly noPut: boolean;
  readonly noDelete: boolean;
  readonly prevKv: boolean;
  readonly progressNotify: boolean;
  readonly sink: WatchSink;
  /** Every revision below this one has been delivered (or had nothing for this watcher). */
  nextRevision: number;
  state: 'synced' | 'unsynced' | 'canceled' = 'unsynced';
  /** Set when a message went out since the last progress notification. */
  sentSinceProgress = false;

  constructor(options: WatcherOptions) {
    this.id = options.id;
    this.range = options.range;
    this.noPut = options.noPut;
    this.noDelete = options.noDelete;
    this.prevKv = options.prevKv;
    this.progressNotify = options.progressNotify;
    this.sink = options.sink;
    this.nextRevision = options.startRevision;
  }

  /** True when the key is inside the watched range. */
  matches(key: string): boolean {
    return rangeContains(this.range, key);
  }

  /** True when the filters let this event through. */
  wants(event: WatchEvent): boolean {
    return event.type === 'PUT' ? !this.noPut : !this.noDelete;
  }

  /** True for a watcher on one key (indexed by key rather than by interval). */
  get isSingleKey(): boolean {
    return this.range.end === EMPTY;
  }

  /** The range as a closed interval for the interval index: [key, end] with "\x00" meaning no end. */
  get intervalHigh(): string {
    // 0x100 sorts above every byte, so it bounds "every key from here on".
    return this.range.end === ZERO_BYTE ? '\u0100' : this.range.end;
  }
}
