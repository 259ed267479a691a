import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SimOptions } from './params.js';
import { runSeed, type SeedResult } from './run.js';

/** Default number of worker threads: one per core, at most 8. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * Runs seeds on `workers` threads (in this thread when 1) and returns the results in input order.
 * Each seed is independent and deterministic, so the results do not depend on the number of workers.
 * `onResult` sees every result as it arrives; returning false from it stops handing out new seeds.
 */
export async function runSeeds(
  seeds: readonly SimOptions[],
  workers: number,
  onResult: (result: SeedResult) => boolean | void = () => true,
): Promise<SeedResult[]> {
  const results: SeedResult[] = new Array<SeedResult>(seeds.length);
  if (workers <= 1) {
    for (let i = 0; i < seeds.length; i++) {
      results[i] = runSeed(seeds[i]!);
      if (onResult(results[i]!) === false) return results.slice(0, i + 1);
    }
    return results;
  }
  let next = 0;
  let stopped = false;
  const run = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url));
      let current = -1;
      const feed = (): void => {
        if (stopped || next >= seeds.length) {
          worker.postMessage(null);
          return;
        }
        current = next++;
        worker.postMessage(seeds[current]);
      };
      worker.on('message', (result: SeedResult) => {
        results[current] = result;
        if (onResult(result) === false) stopped = true;
        feed();
      });
      worker.on('error', reject);
      worker.on('exit', () => resolve());
      feed();
    });
  await Promise.all(Array.from({ length: Math.min(workers, seeds.length) }, run));
  return results.filter((r) => r !== undefined);
}
