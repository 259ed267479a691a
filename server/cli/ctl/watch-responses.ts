import type { Watch, WatchEvent } from '../../../client-sdk/index.js';
import type { WatchedChange, WatchResponse } from './printers/index.js';

const IDLE = Symbol('idle');

/** Resolves after the events already queued have been taken (setImmediate runs after every microtask). */
function nextTurn(): Promise<typeof IDLE> {
  return new Promise((resolve) => setImmediate(() => resolve(IDLE)));
}

function changes(events: readonly WatchedChange[]): WatchResponse {
  return { header: events[0]!.header, events, compactRevision: 0n, canceled: false };
}

/**
 * Regroups a watch's events into the responses the member sent, which is what etcdctl prints one at
 * a time: the SDK gives the events of one response one header object, and queues them all at once,
 * so a group is complete when the next event has another header or none is queued any more. A
 * progress notification is a response with no events. The iteration ends with the watch and throws
 * what the watch throws (after the last complete group); leaving it early cancels the watch.
 */
export async function* watchResponses(watch: Watch): AsyncGenerator<WatchResponse> {
  const events = watch[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<WatchEvent>> | null = null;
  let group: WatchedChange[] = [];
  try {
    for (;;) {
      pending ??= events.next();
      let next: IteratorResult<WatchEvent> | typeof IDLE;
      try {
        next = group.length === 0 ? await pending : await Promise.race([pending, nextTurn()]);
      } catch (error) {
        if (group.length > 0) yield changes(group);
        throw error;
      }
      if (next === IDLE) {
        // Nothing more is queued: the response is whole. The pending read carries over.
        yield changes(group);
        group = [];
        continue;
      }
      pending = null;
      if (next.done === true) {
        if (group.length > 0) yield changes(group);
        return;
      }
      const event = next.value;
      if (group.length > 0 && (event.type === 'progress' || event.type === 'resync' || event.header !== group[0]!.header)) {
        yield changes(group);
        group = [];
      }
      if (event.type === 'put' || event.type === 'delete') group.push(event);
      else if (event.type === 'progress') yield { header: event.header, events: [], compactRevision: 0n, canceled: false };
    }
  } finally {
    // Not events.return(): it would wait behind the pending read, which may never settle.
    await watch.cancel();
  }
}
