/**
 * Terse constructors for hand-written KV history records, used by the checker's tests:
 * `put('x', 'a', [0, 10])` is a put of "a" to "x" called at 0 that returned at 10.
 */
import type { KvHistoryRecord } from './history.js';

/** `[call, return]`; a `null` return marks an operation whose outcome is unknown. */
export type Times = readonly [call: number, ret: number | null];

let nextClientId = 0;

/** Each record gets its own client id unless one is given, like independent sessions. */
function client(clientId: number | string | undefined): number | string {
  if (clientId !== undefined) return clientId;
  nextClientId += 1;
  return nextClientId;
}

function outputFor<T extends object>(times: Times, known: T): T | { unknown: true } {
  return times[1] === null ? { unknown: true } : known;
}

/** A put; unknown outcome if `times[1]` is null. */
export function put(key: string, value: string, times: Times, clientId?: number | string): KvHistoryRecord {
  return { clientId: client(clientId), op: 'put', key, value, call: times[0], return: times[1], output: outputFor(times, {}) };
}

/** A get that returned `value` (null: absent). */
export function get(key: string, value: string | null, times: Times, clientId?: number | string): KvHistoryRecord {
  return { clientId: client(clientId), op: 'get', key, call: times[0], return: times[1], output: outputFor(times, { value }) };
}

/** A compare-and-swap from `expected` to `value` that answered `ok` (ignored if the outcome is unknown). */
export function cas(
  key: string,
  expected: string | null,
  value: string,
  ok: boolean,
  times: Times,
  clientId?: number | string,
): KvHistoryRecord {
  return {
    clientId: client(clientId),
    op: 'cas',
    key,
    expected,
    value,
    call: times[0],
    return: times[1],
    output: outputFor(times, { ok }),
  };
}

/** A delete; `deleted` (whether the key existed) is only checked when given. */
export function del(key: string, times: Times, deleted?: boolean, clientId?: number | string): KvHistoryRecord {
  const output = deleted === undefined ? {} : { deleted };
  return { clientId: client(clientId), op: 'delete', key, call: times[0], return: times[1], output: outputFor(times, output) };
}

/** The same operation, but the client got an error saying it was definitely not applied. */
export function failed(record: KvHistoryRecord): KvHistoryRecord {
  return { ...record, output: { failed: true } };
}

/** The same operation, but the client gave up at its return time without learning the outcome. */
export function timedOut(record: KvHistoryRecord): KvHistoryRecord {
  return { ...record, output: { unknown: true } };
}
