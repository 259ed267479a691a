import { compare, op, SynodError, type Client } from '../../../client-sdk/index.js';
import type { HistoryRecorder, PendingOperation } from '../../checker/recorder.js';
import type { KvInput } from '../../checker/kv-model.js';
import type { SimRng } from '../../sim/rng.js';

/** Shares of each operation in the mix, in percent (the rest are gets). */
export interface KvMix {
  readonly putPercent: number;
  readonly casPercent: number;
  readonly deletePercent: number;
}

export const DEFAULT_KV_MIX: KvMix = Object.freeze({ putPercent: 30, casPercent: 25, deletePercent: 5 });

/** Counters of one workload, summed over its clients. */
export interface KvWorkloadStats {
  ok: number;
  /** Definitely not applied (the SDK error said so: `outcomeUnknown` false). */
  failed: number;
  /** The SDK error said the outcome is unknown (timeout, lost connection, member stopped). */
  unknown: number;
  casSucceeded: number;
  /** Error codes seen, with counts. */
  readonly errorCodes: Map<string, number>;
  /** Errors that were not a typed SynodError: an SDK bug, reported by the caller. */
  readonly untyped: string[];
}

export function emptyKvWorkloadStats(): KvWorkloadStats {
  return { ok: 0, failed: 0, unknown: 0, casSucceeded: 0, errorCodes: new Map(), untyped: [] };
}

export interface KvClientOptions {
  readonly clientId: string;
  readonly client: Client;
  readonly keys: readonly string[];
  readonly recorder: HistoryRecorder;
  readonly rng: SimRng;
  readonly stats: KvWorkloadStats;
  /** The loop ends (after its current operation) once this is aborted. */
  readonly stop: AbortSignal;
  readonly mix?: KvMix;
}

/**
 * One client of the linearizability workload: one operation at a time (put, get, cas, delete) on a few
 * shared keys, each recorded in the history just around the SDK call. Every value written is unique
 * (`<client>.<seq>`), so a read names the write it saw. A cas is a txn "if value(k) = expected (or k is
 * absent) then put k else get k"; `expected` is the value this client last saw, and a failed cas
 * learns the current value from its else branch. A failed call is recorded as definitely not applied
 * or as unknown exactly as the SDK's typed error says (`outcomeUnknown`): the test checks that claim.
 */
export async function runKvClient(options: KvClientOptions): Promise<void> {
  const { clientId, client, keys, recorder, rng, stats, stop } = options;
  const mix = options.mix ?? DEFAULT_KV_MIX;
  const lastSeen = new Map<string, string | null>();
  for (let seq = 1; !stop.aborted; seq++) {
    const key = rng.pick(keys);
    const value = `${clientId}.${seq}`;
    const roll = rng.nextInt(100);
    if (roll < mix.putPercent) {
      await record(options, { op: 'put', key, value }, async (pending) => {
        await client.put(key, value);
        pending.ok({});
        lastSeen.set(key, value);
      });
    } else if (roll < mix.putPercent + mix.casPercent) {
      const expected = lastSeen.get(key) ?? null;
      await record(options, { op: 'cas', key, expected, value }, async (pending) => {
        const held = expected === null ? compare.createRevision(key, '=', 0) : compare.value(key, '=', expected);
        const result = await client.txn().if(held).then(op.put(key, value)).else(op.get(key)).commit();
        pending.ok({ ok: result.succeeded });
        if (result.succeeded) {
          stats.casSucceeded++;
          lastSeen.set(key, value);
        } else {
          const read = result.responses[0];
          lastSeen.set(key, read?.type === 'get' ? (read.kvs[0]?.value.toString() ?? null) : null);
        }
      });
    } else if (roll < mix.putPercent + mix.casPercent + mix.deletePercent) {
      await record(options, { op: 'delete', key }, async (pending) => {
        const result = await client.delete(key);
        pending.ok({ deleted: result.deleted > 0n });
        lastSeen.set(key, null);
      });
    } else {
      await record(options, { op: 'get', key }, async (pending) => {
        const result = await client.get(key);
        const read = result.kvs[0]?.value.toString() ?? null;
        pending.ok({ value: read });
        lastSeen.set(key, read);
      });
    }
  }
}

/** Invokes `input` in the history, runs it, and settles it from the SDK's answer or typed error. */
async function record(options: KvClientOptions, input: KvInput, run: (pending: PendingOperation) => Promise<void>): Promise<void> {
  const { stats } = options;
  const pending = options.recorder.invoke(options.clientId, input);
  try {
    await run(pending);
    stats.ok++;
  } catch (error) {
    if (!(error instanceof SynodError)) {
      pending.unknown();
      stats.unknown++;
      stats.untyped.push(`${input.op} by ${options.clientId}: ${String(error)}`);
      return;
    }
    stats.errorCodes.set(error.code, (stats.errorCodes.get(error.code) ?? 0) + 1);
    if (error.outcomeUnknown) {
      pending.unknown();
      stats.unknown++;
    } else {
      pending.fail();
      stats.failed++;
    }
  }
}

/** One line: "12034 ok, 41 failed, 17 unknown (cas 2210 succeeded); errors: timeout 17, no_leader 30". */
export function describeKvWorkloadStats(stats: KvWorkloadStats): string {
  const codes = [...stats.errorCodes.entries()].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`);
  return `${stats.ok} ok, ${stats.failed} definitely failed, ${stats.unknown} unknown (cas ${stats.casSucceeded} succeeded)` +
    (codes.length > 0 ? `; errors: ${codes.join(', ')}` : '');
}
