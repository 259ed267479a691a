import * as hdr from 'hdr-histogram-js';
import type { StoreClient, StoreDriver } from './store-client.js';

/** Sizes and counts every workload reads. */
export interface WorkloadOptions {
  readonly keySpace: number;
  readonly keyBytes: number;
  readonly valueBytes: number;
  /** Keys the txn-cas workload contends on. */
  readonly hotKeys: number;
  /** Watchers of the watch workload. */
  readonly watchers: number;
  /** Of those, watchers on the one prefix every put falls under (default: half, rounded up); the rest watch a prefix each. */
  readonly sharedWatchers?: number;
  /** Connections the watchers share (default: one per WATCHERS_PER_CONNECTION_DEFAULT watchers). */
  readonly watchConnections?: number;
  /** Leases the lease-keepalive workload keeps alive, spread over the run's connections. */
  readonly leases: number;
  /** TTL of those leases, in seconds. */
  readonly leaseTtlSeconds: number;
}

/** What a run of a workload has to work with. */
export interface RunContext {
  readonly driver: StoreDriver;
  readonly options: WorkloadOptions;
  /** The workers' connections; worker w uses clients[w % clients.length]. */
  readonly clients: readonly StoreClient[];
}

/** A workload's own figures, added to the run's result. */
export interface WorkloadFigures {
  readonly extra?: Readonly<Record<string, number | boolean>>;
  /**
   * When the workload measures something other than the operations themselves (watch: delivery of
   * events), that count and latency histogram (µs) are the run's headline figures.
   */
  readonly measured?: { readonly count: number; readonly errors: number; readonly histogram: hdr.Histogram };
}

/** One measured run: the operation the workers repeat, and what to do once they stop. */
export interface WorkloadRun {
  /** Issues one operation; `seq` counts operations across all workers. Throws when it failed. */
  operation(client: StoreClient, seq: number): Promise<void>;
  /** Runs after the workers stopped: waits for stragglers, releases resources, reports figures. */
  finish(): Promise<WorkloadFigures>;
}

/** One benchmark workload, runnable against any store. */
export interface Workload {
  readonly name: string;
  readonly description: string;
  /** Why this workload cannot run against the driver's store, or null when it can. */
  unavailableOn(driver: StoreDriver): string | null;
  /** Runs once per fresh store before the measured runs (e.g. loads keys to read). */
  prepare(client: StoreClient, options: WorkloadOptions): Promise<void>;
  /** Sets up one measured run. */
  begin(context: RunContext): Promise<WorkloadRun>;
}

/** Latency histogram in microseconds, up to one minute, three significant digits. */
export function latencyHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
}

/** The key of operation `seq`: --key-bytes long, cycling over --key-space keys. */
export function keyFor(seq: number, options: WorkloadOptions): string {
  return `bench/${String(seq % options.keySpace).padStart(Math.max(1, options.keyBytes - 6), '0')}`;
}

/** A value of --value-bytes bytes. */
export function valueOf(options: WorkloadOptions): Buffer {
  return Buffer.alloc(options.valueBytes, 'v');
}

/**
 * Calls `task(i)` for i in [0, count) with at most `concurrency` calls pending at once (so setting up
 * thousands of watchers or leases neither runs one round trip at a time nor floods a connection past
 * the server's limit of requests in flight). Rejects with the first failure, after the pending calls end.
 */
export async function forEachBounded(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | null = null;
  const lane = async (): Promise<void> => {
    while (failure === null && next < count) {
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  if (failure !== null) throw (failure as { error: unknown }).error;
}
