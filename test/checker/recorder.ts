/**
 * Records a KV history as clients run, in the file format of `history.ts`: call `invoke` just before
 * sending a request and settle the returned handle when the answer (or the lack of one) is known.
 */
import type { CheckOptions, CheckResult } from './checker.js';
import { checkKvHistory, toJsonLines, type KvHistoryRecord, type KvRecordOutput } from './history.js';
import type { KvInput, KvOutput } from './kv-model.js';

/** A monotonic clock returning integers; every time in one history must come from the same clock. */
export type Clock = () => number;

/** Microseconds from `process.hrtime` (monotonic, and exact as a `number` for centuries of uptime). */
export const monotonicMicroseconds: Clock = () => Number(process.hrtime.bigint() / 1000n);

/**
 * A clock that returns 1, 2, 3, ... on successive reads. Inside one process it orders events exactly
 * (no two events share a time), which makes recorded histories reproducible in tests.
 */
export function createLogicalClock(): Clock {
  let now = 0;
  return () => {
    now += 1;
    return now;
  };
}

/** How one invoked operation ended. Settling twice is a caller bug and throws. */
export interface PendingOperation {
  /** The operation returned this output (get: `{ value }`, cas: `{ ok }`, delete: `{ deleted? }`, put: `{}`). */
  ok(output?: KvOutput): void;
  /** The operation definitely did not take effect (e.g. rejected before being proposed). */
  fail(): void;
  /** The outcome is unknown (timeout, crash, connection lost): it may take effect at any later time. */
  unknown(): void;
}

/** Options of `HistoryRecorder`. */
export interface HistoryRecorderOptions {
  /** Default: `monotonicMicroseconds`. */
  readonly clock?: Clock;
  /** Invocations allowed before `invoke` throws, so a runaway test cannot grow memory forever. Default 1,000,000. */
  readonly operationsMax?: number;
}

interface MutableRecord {
  clientId: number | string;
  input: KvInput;
  call: number;
  return: number | null;
  output: KvRecordOutput | null;
}

/**
 * Collects invocations and their outcomes. Operations never settled appear in `records()` with
 * `return: null` and an unknown output, which is exactly what a crashed client leaves behind.
 */
export class HistoryRecorder {
  private readonly clock: Clock;
  private readonly operationsMax: number;
  private readonly entries: MutableRecord[] = [];

  constructor(options: HistoryRecorderOptions = {}) {
    this.clock = options.clock ?? monotonicMicroseconds;
    this.operationsMax = options.operationsMax ?? 1_000_000;
  }

  /** Number of operations invoked so far. */
  get size(): number {
    return this.entries.length;
  }

  /** Records the call of `input` by `clientId` now; settle the handle once the outcome is known. */
  invoke(clientId: number | string, input: KvInput): PendingOperation {
    if (this.entries.length >= this.operationsMax) {
      throw new RangeError(`history recorder is full (operationsMax ${this.operationsMax})`);
    }
    const entry: MutableRecord = { clientId, input, call: this.clock(), return: null, output: null };
    this.entries.push(entry);
    const settle = (output: KvRecordOutput): void => {
      if (entry.output !== null) throw new Error(`operation of client ${String(clientId)} settled twice`);
      entry.return = this.clock();
      entry.output = output;
    };
    return {
      ok: (output = {}) => settle(output),
      fail: () => settle({ failed: true }),
      unknown: () => settle({ unknown: true }),
    };
  }

  /** The history so far, in invocation order, as file-format records. */
  records(): KvHistoryRecord[] {
    return this.entries.map((entry) => ({
      clientId: entry.clientId,
      ...entry.input,
      call: entry.call,
      return: entry.output === null ? null : entry.return,
      output: entry.output ?? { unknown: true },
    }));
  }

  /** The history as JSON lines, ready to be written to a file for the CLI. */
  toJsonLines(): string {
    return toJsonLines(this.records());
  }

  /** Validates and checks the history recorded so far. */
  check(options?: CheckOptions): CheckResult<KvInput, KvOutput> {
    return checkKvHistory(this.records(), options);
  }
}
