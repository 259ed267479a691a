import type { Client, KeyValue, Watch, WatchEvent } from '../../../client-sdk/index.js';
import { prefixRange, type ReferenceRevision, type StreamItem, type WatchRange, type WatchStream } from '../../checker/watch-checker.js';

/**
 * Numbers the event-loop turns in which watch events reach the consumer. The SDK hands over the events
 * of one response in one turn (the consumer takes them in microtasks before the next I/O callback), so
 * a revision whose events carry two turn numbers was split across responses. Several responses read in
 * one turn share a number: this can hide a split, never invent one.
 */
class TurnCounter {
  private turn = 0;
  private open = false;

  current(): number {
    if (!this.open) {
      this.open = true;
      this.turn++;
      setImmediate(() => (this.open = false));
    }
    return this.turn;
  }
}

const turns = new TurnCounter();

export interface RecordWatchOptions {
  readonly prefix?: boolean;
  readonly prevKv?: boolean;
  readonly startRevision?: bigint;
  readonly progressNotify?: boolean;
}

/** A watch being recorded: its stream grows as events arrive. */
export interface RecordedWatch {
  readonly id: string;
  readonly watch: Watch;
  readonly range: WatchRange;
  readonly prevKv: boolean;
  readonly items: StreamItem[];
  /** The first revision it must deliver (known once `created` resolved). */
  startRevision: number;
  readonly created: Promise<void>;
  /** Settles when the iteration ends: the watch was canceled, or it failed (then `error` is set). */
  readonly ended: Promise<void>;
  error: unknown;
  /** The highest revision it has received an event or bookmark of. */
  readonly revision: number;
  /** The recorded stream, for the checker, complete up to `coveredRevision`. */
  stream(coveredRevision?: number): WatchStream;
}

/** Starts a watch on `client` and records everything it yields, as the watch checker reads it. */
export function recordWatch(client: Client, id: string, key: string, options: RecordWatchOptions = {}): RecordedWatch {
  const watch = client.watch(key, {
    ...(options.prefix === true ? { prefix: true } : {}),
    ...(options.prevKv === true ? { prevKv: true } : {}),
    ...(options.startRevision === undefined ? {} : { startRevision: options.startRevision }),
    ...(options.progressNotify === true ? { progressNotify: true } : {}),
  });
  const items: StreamItem[] = [];
  const recorded: RecordedWatch = {
    id,
    watch,
    range: options.prefix === true ? prefixRange(key) : { key },
    prevKv: options.prevKv === true,
    items,
    startRevision: Number(options.startRevision ?? 0n),
    created: watch.ready().then((first) => {
      if (options.startRevision === undefined) recorded.startRevision = Number(first);
    }),
    ended: Promise.resolve(),
    error: undefined,
    get revision() {
      return Number(watch.revision);
    },
    stream: (coveredRevision) => ({
      id,
      range: recorded.range,
      startRevision: recorded.startRevision,
      prevKv: recorded.prevKv,
      items: [...items],
      ...(coveredRevision === undefined ? {} : { coveredRevision }),
    }),
  };
  (recorded as { ended: Promise<void> }).ended = (async () => {
    try {
      for await (const event of watch) {
        const item = toStreamItem(event, turns.current());
        if (item !== null) items.push(item);
      }
    } catch (error) {
      recorded.error = error;
    }
  })();
  return recorded;
}

/** An SDK watch event as the checker's stream item (a resync has no place in a checked stream). */
export function toStreamItem(event: WatchEvent, batch: number): StreamItem | null {
  switch (event.type) {
    case 'progress':
      return { kind: 'progress', revision: Number(event.revision), batch };
    case 'resync':
      return null;
    case 'put':
    case 'delete':
      return {
        kind: 'event',
        type: event.type,
        key: event.kv.key.toString(),
        value: event.kv.value.toString(),
        revision: Number(event.revision),
        createRevision: Number(event.kv.createRevision),
        version: Number(event.kv.version),
        prevKv: event.prevKv === null ? null : prevOf(event.prevKv),
        batch,
      };
  }
}

function prevOf(kv: KeyValue): { value: string; modRevision: number; createRevision: number; version: number } {
  return { value: kv.value.toString(), modRevision: Number(kv.modRevision), createRevision: Number(kv.createRevision), version: Number(kv.version) };
}

/**
 * The history of every key under `prefix` from revision 1 to `untilRevision` (all of that revision's
 * events included), read by a watch from revision 1 through `client`: the reference the watch checker
 * compares streams with.
 */
export async function readHistory(client: Client, prefix: string, untilRevision: number, timeoutMs = 30_000): Promise<ReferenceRevision[]> {
  const revisions: ReferenceRevision[] = [];
  if (untilRevision <= 1) return revisions;
  const signal = AbortSignal.timeout(timeoutMs);
  const watch = client.watch(prefix, { prefix: true, startRevision: 1n, signal });
  const iterator = watch[Symbol.asyncIterator]();
  let reached = false;
  try {
    for (;;) {
      // Once the last revision has begun, its other events are handed over in the same turn (see
      // TurnCounter): wait for the next event only until the next turn.
      const next = reached ? await Promise.race([iterator.next(), new Promise<null>((resolve) => setImmediate(() => resolve(null)))]) : await iterator.next();
      if (next === null || next.done === true) break;
      const event = next.value;
      if (event.type !== 'put' && event.type !== 'delete') continue;
      const revision = Number(event.revision);
      if (revision > untilRevision) break;
      let last = revisions.at(-1);
      if (last === undefined || last.revision !== revision) revisions.push((last = { revision, events: [] }));
      (last.events as ReferenceRevision['events'][number][]).push({
        type: event.type,
        key: event.kv.key.toString(),
        value: event.kv.value.toString(),
        createRevision: Number(event.kv.createRevision),
        version: Number(event.kv.version),
      });
      if (revision === untilRevision) reached = true;
    }
  } finally {
    await watch.cancel();
  }
  if (!reached) throw new Error(`reading the history up to ${untilRevision} ended at ${revisions.at(-1)?.revision ?? 0}${signal.aborted ? ` after ${timeoutMs} ms` : ''}`);
  return revisions;
}
