import { op, SynodError, type Client } from '../../../client-sdk/index.js';
import type { AcknowledgedWrite } from '../../checker/watch-checker.js';
import type { SimRng } from '../../sim/rng.js';

type AckedEvent = AcknowledgedWrite['events'][number];

/**
 * The writes acknowledged to the writers of a watch test, each with the revision the member answered
 * and the events it made (what every watcher of those keys must receive exactly once), plus the
 * failures, by error code. Lets a test await a number of acknowledgements instead of sleeping.
 */
export class AckLog {
  readonly writes: AcknowledgedWrite[] = [];
  readonly errorCodes = new Map<string, number>();
  /** Errors that were not a typed SynodError (an SDK bug). */
  readonly untyped: string[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  get count(): number {
    return this.writes.length;
  }

  add(write: AcknowledgedWrite): void {
    this.writes.push(write);
    for (const waiter of [...this.waiters]) {
      if (this.writes.length < waiter.count) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }

  fail(error: unknown): void {
    if (!(error instanceof SynodError)) {
      this.untyped.push(String(error));
      return;
    }
    this.errorCodes.set(error.code, (this.errorCodes.get(error.code) ?? 0) + 1);
  }

  /** Resolves once `count` writes in all have been acknowledged, or fails after `timeoutMs`. */
  reached(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.writes.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`only ${this.writes.length} of ${count} writes acknowledged after ${timeoutMs} ms (errors: ${this.describeErrors()})`));
      }, timeoutMs);
      const waiter = {
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  /** "timeout 3, no_leader 12", or "none". */
  describeErrors(): string {
    const codes = [...this.errorCodes.entries()].sort((a, b) => b[1] - a[1]).map(([code, count]) => `${code} ${count}`);
    return codes.length === 0 ? 'none' : codes.join(', ');
  }
}

export interface WatchWriterOptions {
  readonly writerId: string;
  readonly client: Client;
  readonly keys: readonly string[];
  readonly rng: SimRng;
  readonly log: AckLog;
  /** The loop ends (after its current write) once this is aborted. */
  readonly stop: AbortSignal;
}

/**
 * One writer of a watch test: one write at a time on a few keys, each value unique
 * (`<writer>.<seq>`): a put, a delete, or a txn of two operations (put and put, or put and delete) that
 * makes one revision with two events, so that watchers can be checked to get a revision's events
 * together. Each acknowledged write goes to the log with the events it made (a delete that found
 * nothing makes none); a failed one is only counted: its outcome may be unknown, and the watch checker
 * compares watchers with the history the cluster applied, not with the writers' view.
 */
export async function runWatchWriter(options: WatchWriterOptions): Promise<void> {
  const { writerId, client, keys, rng, log, stop } = options;
  for (let seq = 1; !stop.aborted; seq++) {
    const key = rng.pick(keys);
    const other = rng.pick(keys.filter((candidate) => candidate !== key));
    const value = `${writerId}.${seq}`;
    const roll = rng.nextInt(100);
    try {
      if (roll < 50) {
        const result = await client.put(key, value);
        log.add({ revision: Number(result.header.revision), events: [{ type: 'put', key, value }] });
      } else if (roll < 65) {
        const result = await client.delete(key);
        if (result.deleted > 0n) log.add({ revision: Number(result.header.revision), events: [{ type: 'delete', key, value: '' }] });
      } else {
        const withDelete = roll < 80;
        const second = withDelete ? op.delete(other) : op.put(other, `${value}b`);
        const result = await client.txn().then(op.put(key, value), second).commit();
        const events: AckedEvent[] = [{ type: 'put', key, value }];
        const secondResult = result.responses[1];
        if (!withDelete) events.push({ type: 'put', key: other, value: `${value}b` });
        else if (secondResult?.type === 'delete' && secondResult.deleted > 0n) events.push({ type: 'delete', key: other, value: '' });
        log.add({ revision: Number(result.header.revision), events });
      }
    } catch (error) {
      log.fail(error);
    }
  }
}
