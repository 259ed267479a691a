/**
 * The history as one doubly linked list of call and return entries in time order, with the two
 * operations the search needs: `lift` (take an operation's call and return out of the list once it
 * is linearized) and `unlift` (put them back on backtrack), both O(1).
 *
 * Order: by time; at equal times calls come before returns, so touching intervals are concurrent;
 * ties among calls or among returns are broken by operation index to stay deterministic.
 * Returns at `Infinity` (unknown outcome) sort last.
 */

/** One node of the list. `match` links a call to its return entry. */
export interface Entry {
  readonly kind: 'head' | 'call' | 'return';
  /** Index of the operation in the array the list was built from; -1 for the head. */
  readonly opIndex: number;
  readonly time: number;
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** Interval of one operation; `call <= return`, `return` may be `Infinity`. */
export interface Interval {
  readonly call: number;
  readonly return: number;
}

/**
 * Invariant: lifts and unlifts are strictly LIFO (the search's backtracking stack), which is what
 * makes re-insertion with the removed nodes' own `prev`/`next` pointers correct.
 */
export class EntryList {
  /** Sentinel before the first entry; never lifted. */
  readonly head: Entry;
  /** The call entry of each operation, by operation index. */
  readonly calls: readonly Entry[];
  private readonly liftStack: Entry[] = [];

  private constructor(head: Entry, calls: Entry[]) {
    this.head = head;
    this.calls = calls;
  }

  /** Builds the list for `intervals`; throws if some interval has `return < call` or is NaN. */
  static fromIntervals(intervals: readonly Interval[]): EntryList {
    const entries: Entry[] = [];
    const calls: Entry[] = [];
    intervals.forEach((interval, opIndex) => {
      if (!(interval.call <= interval.return) || !Number.isFinite(interval.call)) {
        throw new RangeError(`operation ${opIndex}: bad interval [${interval.call}, ${interval.return}]`);
      }
      const ret: Entry = { kind: 'return', opIndex, time: interval.return, match: null, prev: null, next: null };
      const call: Entry = { kind: 'call', opIndex, time: interval.call, match: ret, prev: null, next: null };
      entries.push(call, ret);
      calls.push(call);
    });
    entries.sort(compareEntries);
    const head: Entry = { kind: 'head', opIndex: -1, time: -Infinity, match: null, prev: null, next: null };
    let previous = head;
    for (const entry of entries) {
      previous.next = entry;
      entry.prev = previous;
      previous = entry;
    }
    return new EntryList(head, calls);
  }

  /** The first entry still in the list, or null when every operation is lifted. */
  get first(): Entry | null {
    return this.head.next;
  }

  /** Number of operations currently lifted. */
  get liftedCount(): number {
    return this.liftStack.length;
  }

  /** Removes the call entry `call` and its return entry from the list. */
  lift(call: Entry): void {
    const ret = call.match;
    if (call.kind !== 'call' || ret === null) throw new Error('lift expects a call entry');
    unlink(call);
    unlink(ret);
    this.liftStack.push(call);
  }

  /** Re-inserts the most recently lifted operation, which must be `call`. */
  unlift(call: Entry): void {
    if (this.liftStack[this.liftStack.length - 1] !== call || call.match === null) {
      throw new Error('unlift out of LIFO order');
    }
    this.liftStack.pop();
    relink(call.match);
    relink(call);
  }
}

function unlink(entry: Entry): void {
  entry.prev!.next = entry.next;
  if (entry.next !== null) entry.next.prev = entry.prev;
}

function relink(entry: Entry): void {
  entry.prev!.next = entry;
  if (entry.next !== null) entry.next.prev = entry;
}

function compareEntries(a: Entry, b: Entry): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.kind !== b.kind) return a.kind === 'call' ? -1 : 1;
  return a.opIndex - b.opIndex;
}
