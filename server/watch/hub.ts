import type { MvccStore } from '../mvcc/store.js';
import type { Change, KeyValue, Revision } from '../mvcc/types.js';
import type { StoredChange } from '../storage/encoding.js';
import { WatcherIndex } from './watcher-index.js';
import type { CancelReason, WatchEvent, Watcher } from './watcher.js';

/** Where the hub reads history from (the Backend, or a twin in tests). */
export interface WatchHistory {
  readChanges(fromMain: number, toMain: number): Promise<{ revision: Revision; change: StoredChange }[]>;
  read(revisions: readonly Revision[]): Promise<(KeyValue | null)[]>;
}

export interface WatchHubLimits {
  /** Revisions read from history per catch-up round. */
  readonly catchUpRevisionsMax: number;
  /**
   * A catch-up message holds whole revisions until their keys and values pass this many bytes, and a
   * watcher gets another one only while its sink has room: what a slow watcher has queued stays within
   * its sink's limit plus one message, however much history it is behind.
   */
  readonly catchUpMessageBytesMax: number;
}

/** The fewest revisions a catch-up round reads. */
const CATCH_UP_WINDOW_MIN = 16;

export const DEFAULT_WATCH_HUB_LIMITS: WatchHubLimits = Object.freeze({ catchUpRevisionsMax: 1000, catchUpMessageBytesMax: 256 * 1024 });

/**
 * The watch hub. Live events go from the store's commit hook to the synced watchers that match each
 * changed key (found through an index, so a write costs in proportion to its watchers). A watcher that
 * starts in the past, or whose consumer is too slow, is unsynced: a catch-up loop replays history to it
 * in batches of whole revisions and moves it back to the synced set once it has reached the current
 * revision. Invariant: a watcher receives every matching event with revision >= its start, once, in
 * (main, sub) order, with all events of a revision in one message.
 */
export class WatchHub {
  private readonly synced = new WatcherIndex();
  private readonly unsynced = new Set<Watcher>();
  private readonly all = new Set<Watcher>();
  private readonly progressWatchers = new Set<Watcher>();
  private catchingUp = false;
  private kickedWhileRunning = false;
  private readonly syncedListeners = new Set<() => void>();
  private readonly limits: WatchHubLimits;
  /** Revisions the next catch-up round reads (at most `catchUpRevisionsMax`). */
  private catchUpWindow: number;
  /** Told when reading history fails; the unsynced watchers are then canceled with `stopped`. */
  onError: (error: unknown) => void = () => undefined;

  constructor(
    private readonly store: MvccStore,
    private readonly history: WatchHistory,
    limits: Partial<WatchHubLimits> = {},
  ) {
    this.limits = Object.freeze({ ...DEFAULT_WATCH_HUB_LIMITS, ...limits });
    this.catchUpWindow = this.limits.catchUpRevisionsMax;
    store.onCommit((revision, changes) => this.notify(revision, changes));
  }

  /** Number of active watchers (synced and unsynced). */
  get size(): number {
    return this.all.size;
  }

  /** Watchers waiting to be caught up from history. */
  get unsyncedCount(): number {
    return this.unsynced.size;
  }

  /**
   * Starts a watcher at its `nextRevision`: one in the past is replayed from history (or canceled with
   * `compacted` if that history is gone); one at or past the next revision waits for live events.
   */
  add(watcher: Watcher): void {
    this.all.add(watcher);
    if (watcher.progressNotify) this.progressWatchers.add(watcher);
    if (watcher.nextRevision < this.store.compactRevision) {
      this.cancel(watcher, { kind: 'compacted', compactRevision: this.store.compactRevision });
      return;
    }
    if (watcher.nextRevision > this.store.currentRevision) this.promote(watcher);
    else {
      watcher.state = 'unsynced';
      this.unsynced.add(watcher);
      this.kick();
    }
  }

  /** Stops a watcher without telling its sink (the caller does). */
  remove(watcher: Watcher): void {
    this.synced.remove(watcher);
    this.unsynced.delete(watcher);
    this.all.delete(watcher);
    this.progressWatchers.delete(watcher);
    watcher.state = 'canceled';
  }

  /** Ends every watcher with `reason` (e.g. the member lost its leader, or is shutting down). */
  cancelAll(reason: CancelReason): void {
    for (const watcher of [...this.all]) this.cancel(watcher, reason);
  }

  /**
   * Puts every watcher back to catching up from history, because the store under it was replaced (a
   * snapshot install). Synced watchers have seen everything up to `deliveredRevision`. Call `kick()`
   * once the new store is loaded.
   */
  resyncAll(deliveredRevision: number): void {
    for (const watcher of this.all) {
      if (watcher.state !== 'synced') continue;
      this.synced.remove(watcher);
      watcher.state = 'unsynced';
      watcher.nextRevision = Math.max(watcher.nextRevision, deliveredRevision + 1);
      this.unsynced.add(watcher);
    }
  }

  /** Sends a progress notification to every synced, idle watcher that asked for them. */
  notifyProgress(): void {
    const revision = this.store.currentRevision;
    for (const watcher of this.progressWatchers) {
      if (watcher.state === 'synced' && !watcher.sentSinceProgress && watcher.sink.hasRoom(watcher)) {
        watcher.sink.progress(watcher, revision);
      }
      watcher.sentSinceProgress = false;
    }
  }

  /** True when the watcher is synced (everything up to the current revision has been sent to it). */
  isSynced(watcher: Watcher): boolean {
    return watcher.state === 'synced';
  }

  /** Calls `listener` whenever a watcher becomes synced; returns a function that unsubscribes. */
  onSynced(listener: () => void): () => void {
    this.syncedListeners.add(listener);
    return () => this.syncedListeners.delete(listener);
  }

  /** Resumes catching up parked watchers, e.g. when a slow consumer's buffer drained. */
  kick(): void {
    if (this.catchingUp) {
      // The running round may already have decided it had nothing to do: make it look again.
      this.kickedWhileRunning = true;
      return;
    }
    if (this.unsynced.size === 0) return;
    this.catchingUp = true;
    this.kickedWhileRunning = false;
    this.catchUp()
      .catch((error: unknown) => {
        for (const watcher of [...this.unsynced]) this.cancel(watcher, { kind: 'stopped' });
        this.onError(error);
      })
      .finally(() => {
        this.catchingUp = false;
        if (this.kickedWhileRunning) this.kick();
      });
  }

  /** The store's commit hook: hands the revision's events to every synced watcher that matches. */
  private notify(revision: number, changes: readonly Change[]): void {
    if (this.synced.size === 0) return;
    const batches = new Map<Watcher, WatchEvent[]>();
    for (const change of changes) {
      const event = eventOf(change.key, change.kv, change.prevKv, revision);
      // One object per variant, shared by every watcher it goes to (the session encodes it once).
      const bare = event.prevKv === null ? event : { ...event, prevKv: null };
      this.synced.forEachMatch(change.key, (watcher) => {
        if (watcher.nextRevision > revision || !watcher.wants(event)) return;
        let events = batches.get(watcher);
        if (events === undefined) batches.set(watcher, (events = []));
        events.push(watcher.prevKv ? event : bare);
      });
    }
    for (const [watcher, events] of batches) {
      if (watcher.sink.hasRoom(watcher)) {
        watcher.sink.deliver(watcher, events, revision);
        watcher.nextRevision = revision + 1;
        watcher.sentSinceProgress = true;
      } else {
        this.park(watcher, revision);
      }
    }
  }

  /** A slow consumer leaves the synced set and will be caught up from `fromRevision` later. */
  private park(watcher: Watcher, fromRevision: number): void {
    this.synced.remove(watcher);
    watcher.state = 'unsynced';
    watcher.nextRevision = fromRevision;
    this.unsynced.add(watcher);
    this.kick();
  }

  private promote(watcher: Watcher): void {
    this.unsynced.delete(watcher);
    watcher.state = 'synced';
    this.synced.add(watcher);
    for (const listener of this.syncedListeners) listener();
  }

  private cancel(watcher: Watcher, reason: CancelReason): void {
    this.remove(watcher);
    watcher.sink.cancel(watcher, reason);
  }

  private cancelCompacted(watchers: Iterable<Watcher>): void {
    const compactRevision = this.store.compactRevision;
    for (const watcher of watchers) {
      if (watcher.state === 'unsynced' && watcher.nextRevision < compactRevision) {
        this.cancel(watcher, { kind: 'compacted', compactRevision });
      }
    }
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      this.cancelCompacted([...this.unsynced]);
      const ready = [...this.unsynced].filter((watcher) => watcher.sink.hasRoom(watcher));
      if (ready.length === 0) return;
      const from = Math.min(...ready.map((watcher) => watcher.nextRevision));
      const current = this.store.currentRevision;
      if (from > current) {
        for (const watcher of ready) this.promote(watcher);
        continue;
      }
      const window = this.catchUpWindow;
      const to = Math.min(current, from + window - 1);
      const changes = await this.history.readChanges(from, to);
      const prevKvs = await this.readPrevKvs(changes, ready);
      // A compaction that passed a watcher's revision while we read makes its replay incomplete.
      this.cancelCompacted(ready);
      let furthest = from;
      for (const watcher of ready) {
        if (watcher.state !== 'unsynced' || watcher.nextRevision > to) continue;
        const complete = this.replay(watcher, changes, prevKvs, to);
        furthest = Math.max(furthest, watcher.nextRevision);
        // Nothing can commit between this check and the promotion: both run in this synchronous block.
        if (complete && watcher.nextRevision > this.store.currentRevision) this.promote(watcher);
      }
      // Slow watchers take a few revisions per round: reading the full window for them would read
      // (and throw away) most of it again and again. Read about twice what they took next time.
      const taken = furthest - from;
      const next = taken >= window ? 2 * window : Math.max(CATCH_UP_WINDOW_MIN, 2 * taken);
      this.catchUpWindow = Math.min(this.limits.catchUpRevisionsMax, next);
    }
  }

  /**
   * Sends a watcher its events among `changes` (the history from its next revision to `to`): whole
   * revisions, in messages of about `catchUpMessageBytesMax`, while its sink has room. Returns true
   * when it has everything up to `to`; otherwise its next revision is the first one it still needs,
   * and it stays parked until its sink drains.
   */
  private replay(watcher: Watcher, changes: readonly { revision: Revision; change: StoredChange }[], prevKvs: readonly (KeyValue | null)[], to: number): boolean {
    let message: WatchEvent[] = [];
    let messageBytes = 0;
    let messageRevision = 0;
    const send = (coveredRevision: number): void => {
      watcher.sink.deliver(watcher, message, coveredRevision);
      watcher.sentSinceProgress = true;
      watcher.nextRevision = coveredRevision + 1;
      message = [];
      messageBytes = 0;
    };
    for (let i = 0; i < changes.length; i++) {
      const { revision, change } = changes[i]!;
      if (revision.main < watcher.nextRevision) continue;
      if (message.length > 0 && revision.main !== messageRevision && messageBytes >= this.limits.catchUpMessageBytesMax) {
        send(messageRevision);
        if (!watcher.sink.hasRoom(watcher)) return false;
      }
      if (!watcher.matches(change.key)) continue;
      const event = eventOf(change.key, change.kv, watcher.prevKv ? (prevKvs[i] ?? null) : null, revision.main);
      if (!watcher.wants(event)) continue;
      message.push(event);
      messageBytes += eventBytes(event);
      messageRevision = revision.main;
    }
    if (message.length > 0) send(to);
    else watcher.nextRevision = to + 1;
    return true;
  }

  /** The value each change replaced, for watchers that asked for prev_kv (null where compacted). */
  private async readPrevKvs(changes: readonly { revision: Revision; change: StoredChange }[], ready: readonly Watcher[]): Promise<(KeyValue | null)[]> {
    const wanting = ready.filter((watcher) => watcher.prevKv);
    if (wanting.length === 0) return [];
    const lookups: { at: number; revision: Revision }[] = [];
    changes.forEach(({ revision, change }, i) => {
      if (!wanting.some((watcher) => watcher.matches(change.key))) return;
      const history = this.store.index.get(change.key);
      const before = history === undefined ? null : this.store.index.revisionAt(history, revision.main - 1);
      if (before !== null && !before.tombstone) lookups.push({ at: i, revision: before.revision });
    });
    const values = lookups.length === 0 ? [] : await this.history.read(lookups.map((lookup) => lookup.revision));
    const prevKvs: (KeyValue | null)[] = new Array(changes.length).fill(null);
    lookups.forEach((lookup, j) => (prevKvs[lookup.at] = values[j] ?? null));
    return prevKvs;
  }
}

/** About what an event weighs in a message: its keys and values. */
function eventBytes(event: WatchEvent): number {
  const prev = event.prevKv === null ? 0 : event.prevKv.key.length + event.prevKv.value.length;
  return event.kv.key.length + event.kv.value.length + prev;
}

function eventOf(key: string, kv: KeyValue | null, prevKv: KeyValue | null, revision: number): WatchEvent {
  if (kv !== null) return { type: 'PUT', kv, prevKv };
  return { type: 'DELETE', kv: { key, value: '', createRevision: 0, modRevision: revision, version: 0, lease: 0n }, prevKv };
}
