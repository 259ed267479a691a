/**
 * The watch-guarantee checker: checks what watchers received against the store's history (the
 * reference), for the guarantees etcd states for watch (reference notes, etcd API section 2):
 *
 * - ordered: events by revision, and within a revision in the order of the txn's operations;
 * - unique: no event twice;
 * - reliable (no gap): every event of the watched range from the start revision up to what the stream
 *   covers is delivered;
 * - atomic: a revision's events (of the watched range) are all delivered, and, where the recorder knows
 *   which delivery unit (response) each item came in, in one unit;
 * - resumable: a watcher asked to start at revision r gets exactly the events from r on (and one that
 *   resumed after a failover shows neither a gap nor a repeat, which the rules above catch);
 * - bookmarks: a progress notification at revision p comes after every event up to p and before any
 *   event after p, never goes behind an event already delivered, and never names a revision the
 *   history does not have;
 * - content: key, type, value, create revision and version as in the reference, and with prevKv the
 *   key's previous value (absent for a creation).
 *
 * Pure: no I/O, no SDK. Keys are compared as strings (byte order for the ASCII keys tests use).
 */

/** One change in the reference history. A delete has `value` '' and create revision / version 0. */
export interface ReferenceEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly version: number;
}

/** The events one revision made, in operation order. */
export interface ReferenceRevision {
  readonly revision: number;
  readonly events: readonly ReferenceEvent[];
}

/** A key's state before an event, as prevKv reports it. */
export interface PrevKv {
  readonly value: string;
  readonly modRevision: number;
  readonly createRevision: number;
  readonly version: number;
}

/** An event as a watcher received it. `prevKv` is checked when the watcher asked for it. */
export interface StreamEvent extends ReferenceEvent {
  readonly kind: 'event';
  readonly revision: number;
  readonly prevKv?: PrevKv | null;
  /** The delivery unit (e.g. the response) it arrived in, when the recorder knows it. */
  readonly batch?: number;
}

/** A bookmark: everything up to `revision` has been delivered. */
export interface StreamProgress {
  readonly kind: 'progress';
  readonly revision: number;
  readonly batch?: number;
}

export type StreamItem = StreamEvent | StreamProgress;

/** A watched range: one key (`end` undefined), [key, end), or every key from `key` on (`end` '\0'). */
export interface WatchRange {
  readonly key: string;
  readonly end?: string;
}

/** Everything one watcher received, in arrival order. */
export interface WatchStream {
  readonly id: string;
  readonly range: WatchRange;
  /** The first revision the watcher had to deliver (its start revision, or its created revision + 1). */
  readonly startRevision: number;
  /** The watcher asked for prevKv. */
  readonly prevKv: boolean;
  readonly items: readonly StreamItem[];
  /**
   * The stream must be complete up to this revision (the recorder waited for it). Default: the highest
   * revision of its items.
   */
  readonly coveredRevision?: number;
}

export type WatchViolationKind =
  | 'reference'
  | 'out-of-range'
  | 'before-start'
  | 'unknown-event'
  | 'mismatch'
  | 'bad-prev-kv'
  | 'reordered'
  | 'duplicate'
  | 'gap'
  | 'split-revision'
  | 'bad-bookmark';

export interface WatchViolation {
  readonly kind: WatchViolationKind;
  /** The stream's id ('reference' for problems of the reference itself). */
  readonly stream: string;
  /** Index of the offending item in the stream, when one is to blame. */
  readonly index?: number;
  readonly revision?: number;
  readonly message: string;
}

interface IndexedEvent extends ReferenceEvent {
  readonly revision: number;
  /** Position in the whole history: orders events by (revision, operation). */
  readonly position: number;
  /** The key's state before this event; null when the key did not exist. */
  readonly prev: PrevKv | null;
}

/** The reference history, indexed for the checks. Build it with `buildReference`. */
export interface WatchReference {
  readonly events: readonly IndexedEvent[];
  readonly firstRevision: number;
  readonly lastRevision: number;
  /** Built with `complete`: create revisions, versions and prevKv can be checked. */
  readonly complete: boolean;
  /** Problems of the reference itself (non-increasing revisions, inconsistent versions...). */
  readonly problems: readonly WatchViolation[];
  /** Finds the event of `revision` on `key`. */
  find(revision: number, key: string): IndexedEvent | undefined;
}

/**
 * Indexes a history. With `complete` (the default) it must start from the empty store and hold every
 * revision from its first to its last (a watch of every key from revision 1 gives that): revisions are
 * then checked to be contiguous, and create revisions, versions and prevKv are checked by replaying it.
 */
export function buildReference(revisions: readonly ReferenceRevision[], options: { complete?: boolean } = {}): WatchReference {
  const complete = options.complete ?? true;
  const problems: WatchViolation[] = [];
  const problem = (revision: number, message: string): void => {
    problems.push({ kind: 'reference', stream: 'reference', revision, message });
  };
  const events: IndexedEvent[] = [];
  const byKey = new Map<string, IndexedEvent>();
  const state = new Map<string, PrevKv>();
  let previous = 0;
  for (const { revision, events: changes } of revisions) {
    if (revision <= previous) problem(revision, `revision ${revision} follows ${previous}`);
    else if (complete && previous !== 0 && revision !== previous + 1) problem(revision, `revisions ${previous + 1}..${revision - 1} are missing`);
    if (changes.length === 0) problem(revision, `revision ${revision} has no event`);
    const keys = new Set<string>();
    for (const change of changes) {
      if (keys.has(change.key)) problem(revision, `revision ${revision} changes ${change.key} twice`);
      keys.add(change.key);
      const prev = state.get(change.key) ?? null;
      if (complete) {
        const expected = change.type === 'delete' ? { createRevision: 0, version: 0 } : { createRevision: prev?.createRevision ?? revision, version: (prev?.version ?? 0) + 1 };
        if (change.createRevision !== expected.createRevision || change.version !== expected.version) {
          problem(revision, `${change.type} of ${change.key} at ${revision} has create revision ${change.createRevision} and version ${change.version}; the history before it gives ${expected.createRevision} and ${expected.version}`);
        }
        if (change.type === 'delete' && prev === null) problem(revision, `delete of ${change.key} at ${revision}, which did not exist`);
      }
      const indexed: IndexedEvent = { ...change, revision, position: events.length, prev: complete ? prev : null };
      events.push(indexed);
      byKey.set(`${revision}\u0000${change.key}`, indexed);
      if (change.type === 'delete') state.delete(change.key);
      else state.set(change.key, { value: change.value, modRevision: revision, createRevision: change.createRevision, version: change.version });
    }
    previous = Math.max(previous, revision);
  }
  return {
    events,
    firstRevision: revisions[0]?.revision ?? 0,
    lastRevision: previous,
    complete,
    problems,
    find: (revision, key) => byKey.get(`${revision}\u0000${key}`),
  };
}

/** True when `key` is in `range`. */
export function inRange(range: WatchRange, key: string): boolean {
  if (range.end === undefined) return key === range.key;
  if (key < range.key) return false;
  return range.end === '\u0000' || key < range.end;
}

/** The range of every key starting with `prefix` (etcd's prefix rule, for ASCII prefixes). */
export function prefixRange(prefix: string): WatchRange {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { key: prefix, end: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

/** Violations reported per stream before the rest are only counted. */
const VIOLATIONS_PER_STREAM_MAX = 20;

/** Checks one stream against the reference; returns every violation found (capped per stream). */
export function checkWatchStream(reference: WatchReference, stream: WatchStream): WatchViolation[] {
  const violations: WatchViolation[] = [];
  let dropped = 0;
  const report = (kind: WatchViolationKind, message: string, index?: number, revision?: number): void => {
    if (violations.length >= VIOLATIONS_PER_STREAM_MAX) {
      dropped++;
      return;
    }
    violations.push({ kind, stream: stream.id, message, ...(index === undefined ? {} : { index }), ...(revision === undefined ? {} : { revision }) });
  };
  const wanted = reference.events.filter((event) => inRange(stream.range, event.key) && event.revision >= stream.startRevision);
  const seen = new Set<number>();
  const batchesOf = new Map<number, Set<number>>();
  let lastPosition = -1;
  let lastEventRevision = 0;
  let bookmark = 0;
  let highest = 0;
  stream.items.forEach((item, index) => {
    highest = Math.max(highest, item.revision);
    if (item.kind === 'progress') {
      if (item.revision < lastEventRevision) report('bad-bookmark', `progress at ${item.revision} after an event of revision ${lastEventRevision}`, index, item.revision);
      if (item.revision > reference.lastRevision) report('bad-bookmark', `progress at ${item.revision}, beyond the last revision ${reference.lastRevision} of the history`, index, item.revision);
      const missing = wanted.filter((event) => event.revision <= item.revision && !seen.has(event.position));
      if (missing.length > 0) {
        report('bad-bookmark', `progress at ${item.revision} before ${missing.length} event(s) up to it were delivered (first: ${describe(missing[0]!)})`, index, item.revision);
      }
      bookmark = Math.max(bookmark, item.revision);
      return;
    }
    if (!inRange(stream.range, item.key)) return report('out-of-range', `${describe(item)} is outside the watched range`, index, item.revision);
    if (item.revision < stream.startRevision) return report('before-start', `${describe(item)} is before the start revision ${stream.startRevision}`, index, item.revision);
    const expected = reference.find(item.revision, item.key);
    if (expected === undefined) {
      report('unknown-event', `${describe(item)} is not in the history`, index, item.revision);
      return;
    }
    const differs = contentDifference(expected, item);
    if (differs !== null) report('mismatch', `${describe(item)} differs from the history: ${differs}`, index, item.revision);
    if (stream.prevKv && reference.complete && !samePrev(expected.prev, item.prevKv ?? null)) {
      report('bad-prev-kv', `${describe(item)} has prevKv ${JSON.stringify(item.prevKv ?? null)}; the history gives ${JSON.stringify(expected.prev)}`, index, item.revision);
    }
    if (seen.has(expected.position)) {
      report('duplicate', `${describe(item)} was delivered before`, index, item.revision);
      return;
    }
    if (expected.position < lastPosition) report('reordered', `${describe(item)} arrived after a later event`, index, item.revision);
    if (item.revision <= bookmark) report('bad-bookmark', `${describe(item)} arrived after a progress notification at ${bookmark}`, index, item.revision);
    seen.add(expected.position);
    lastPosition = Math.max(lastPosition, expected.position);
    lastEventRevision = Math.max(lastEventRevision, item.revision);
    if (item.batch !== undefined) {
      const batches = batchesOf.get(item.revision) ?? new Set<number>();
      batches.add(item.batch);
      batchesOf.set(item.revision, batches);
    }
  });
  const covered = stream.coveredRevision ?? highest;
  const missingByRevision = new Map<number, IndexedEvent[]>();
  for (const event of wanted) {
    if (event.revision > covered || seen.has(event.position)) continue;
    missingByRevision.set(event.revision, [...(missingByRevision.get(event.revision) ?? []), event]);
  }
  for (const [revision, missing] of missingByRevision) {
    const delivered = wanted.filter((event) => event.revision === revision && seen.has(event.position)).length;
    if (delivered > 0) report('split-revision', `revision ${revision}: ${delivered} event(s) delivered, ${missing.length} missing (first: ${describe(missing[0]!)})`, undefined, revision);
    else report('gap', `revision ${revision} is missing: ${missing.map(describe).join(', ')}`, undefined, revision);
  }
  for (const [revision, batches] of batchesOf) {
    if (batches.size > 1) report('split-revision', `revision ${revision} arrived in ${batches.size} deliveries`, undefined, revision);
  }
  if (dropped > 0) violations.push({ kind: violations.at(-1)!.kind, stream: stream.id, message: `... and ${dropped} more violation(s)` });
  return violations;
}

/** Checks the reference itself and every stream against it. */
export function checkWatchStreams(reference: WatchReference, streams: readonly WatchStream[]): WatchViolation[] {
  return [...reference.problems, ...streams.flatMap((stream) => checkWatchStream(reference, stream))];
}

/** A write the client saw acknowledged: the events it made at `revision`, in operation order. */
export interface AcknowledgedWrite {
  readonly revision: number;
  readonly events: readonly { readonly type: 'put' | 'delete'; readonly key: string; readonly value: string }[];
}

/** Checks that every acknowledged write is in the reference at its revision, with exactly its events. */
export function checkAcknowledgedInReference(reference: WatchReference, writes: readonly AcknowledgedWrite[]): WatchViolation[] {
  const violations: WatchViolation[] = [];
  for (const write of writes) {
    const made = reference.events.filter((event) => event.revision === write.revision);
    const same = made.length === write.events.length && made.every((event, i) => event.type === write.events[i]!.type && event.key === write.events[i]!.key && event.value === write.events[i]!.value);
    if (!same) {
      violations.push({
        kind: 'reference',
        stream: 'reference',
        revision: write.revision,
        message: `acknowledged write at ${write.revision} (${write.events.map(describe).join(', ')}) is ${made.length === 0 ? 'missing' : `different: ${made.map(describe).join(', ')}`} in the history`,
      });
    }
  }
  return violations;
}

/**
 * Checks the brief's statement directly: every acknowledged write's events in the stream's range, from
 * its start revision up to what it covers, were delivered exactly once.
 */
export function checkAcknowledgedDelivered(stream: WatchStream, writes: readonly AcknowledgedWrite[]): WatchViolation[] {
  const covered = stream.coveredRevision ?? Math.max(0, ...stream.items.map((item) => item.revision));
  const counts = new Map<string, number>();
  for (const item of stream.items) {
    if (item.kind === 'event') counts.set(`${item.revision}\u0000${item.key}`, (counts.get(`${item.revision}\u0000${item.key}`) ?? 0) + 1);
  }
  const violations: WatchViolation[] = [];
  for (const write of writes) {
    if (write.revision < stream.startRevision || write.revision > covered) continue;
    for (const event of write.events) {
      if (!inRange(stream.range, event.key)) continue;
      const count = counts.get(`${write.revision}\u0000${event.key}`) ?? 0;
      if (count !== 1) {
        violations.push({ kind: count === 0 ? 'gap' : 'duplicate', stream: stream.id, revision: write.revision, message: `acknowledged ${describe({ ...event, revision: write.revision })} delivered ${count} times` });
      }
    }
  }
  return violations;
}

/** One line per violation. */
export function formatWatchViolations(violations: readonly WatchViolation[]): string {
  return violations.map((v) => `  [${v.kind}] ${v.stream}${v.index === undefined ? '' : ` item ${v.index}`}: ${v.message}`).join('\n');
}

function describe(event: { type: string; key: string; value: string; revision?: number }): string {
  return `${event.type} ${event.key}${event.type === 'put' ? `=${event.value}` : ''}${event.revision === undefined ? '' : `@${event.revision}`}`;
}

function contentDifference(expected: IndexedEvent, got: StreamEvent): string | null {
  const fields: (keyof ReferenceEvent)[] = ['type', 'value', 'createRevision', 'version'];
  const wrong = fields.filter((field) => expected[field] !== got[field]);
  return wrong.length === 0 ? null : wrong.map((field) => `${field} ${JSON.stringify(got[field])}, expected ${JSON.stringify(expected[field])}`).join('; ');
}

function samePrev(expected: PrevKv | null, got: PrevKv | null): boolean {
  if (expected === null || got === null) return expected === got;
  return expected.value === got.value && expected.modRevision === got.modRevision && expected.createRevision === got.createRevision && expected.version === got.version;
}
