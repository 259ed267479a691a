import type { BenchWatch, StoreClient } from './store-client.js';
import { forEachBounded, latencyHistogram, type Workload, type WorkloadOptions } from './workload.js';

/** How long the watch workload waits, after the writers stop, for events still on their way. */
const DELIVERY_WAIT_MS = 10_000;
/** The send time (performance.now(), ms) is the first bytes of each watched value. */
const TIMESTAMP_BYTES = 8;
const WATCH_ROOT = 'bench-watch/';
/**
 * Watchers per connection unless --watch-connections says otherwise. Both clients multiplex watchers
 * on one connection (etcd3: one gRPC watch stream per client), but etcd3 finds a watcher by a linear
 * search per response, so thousands on one client would measure etcd3's search rather than etcd.
 */
export const WATCHERS_PER_CONNECTION_DEFAULT = 500;
/** Watch creations (and cancels) pending at once per connection. */
const WATCH_SETUP_IN_FLIGHT_PER_CONNECTION = 64;

function watchedKey(prefixIndex: number, seq: number, options: WorkloadOptions): string {
  return `${WATCH_ROOT}p${prefixIndex}/${seq % options.keySpace}`;
}

function stampedValue(options: WorkloadOptions): Buffer {
  const value = Buffer.alloc(Math.max(TIMESTAMP_BYTES, options.valueBytes), 'v');
  value.writeDoubleLE(performance.now(), 0);
  return value;
}

/** How the watchers of a run are laid out. */
export interface WatchLayout {
  readonly watchers: number;
  /** Watchers of the prefix every put falls under. */
  readonly shared: number;
  /** Watchers of a prefix each; the puts cycle over these prefixes. */
  readonly distinct: number;
  readonly connections: number;
  /** Events one put produces: one per shared watcher, plus the one watcher of its own prefix. */
  readonly eventsPerPut: number;
}

/** The layout the options ask for, clamped to sense (at least one watcher and one connection). */
export function watchLayout(options: WorkloadOptions): WatchLayout {
  const watchers = Math.max(1, options.watchers);
  const shared = Math.min(watchers, options.sharedWatchers ?? Math.ceil(watchers / 2));
  const distinct = watchers - shared;
  const connections = Math.max(1, Math.min(watchers, options.watchConnections ?? Math.ceil(watchers / WATCHERS_PER_CONNECTION_DEFAULT)));
  return { watchers, shared, distinct, connections, eventsPerPut: shared + (distinct > 0 ? 1 : 0) };
}

/**
 * Watch fan-out: `--watchers` watchers, `--shared-watchers` of them (default half) on one prefix
 * shared by every put and the others on a prefix each, multiplexed over `--watch-connections`
 * connections of their own; the workers put keys cycling over the distinct prefixes, each value
 * carrying its send time. Every watcher that receives a put records now minus that time, so the
 * headline figures are events delivered per second and delivery latency (put sent to event received,
 * one process, one clock); put latency is reported beside them.
 */
export const watchWorkload: Workload = {
  name: 'watch',
  description: 'event delivery latency to --watchers watchers (shared and distinct prefixes) of timestamped puts',
  unavailableOn: () => null,
  prepare: async () => undefined,
  begin: async ({ driver, options }) => {
    const layout = watchLayout(options);
    const prefixes = Math.max(1, layout.distinct);
    const histogram = latencyHistogram();
    let delivered = 0;
    let expected = 0;
    let allDelivered: (() => void) | null = null;
    const onPut = (_key: Buffer, value: Buffer): void => {
      if (value.length < TIMESTAMP_BYTES) return;
      histogram.recordValue(Math.max(1, Math.round((performance.now() - value.readDoubleLE(0)) * 1000)));
      delivered++;
      if (allDelivered !== null && delivered >= expected) allDelivered();
    };
    const watchClients: StoreClient[] = Array.from({ length: layout.connections }, (_, i) => driver.connect(i));
    const watches: BenchWatch[] = [];
    const setupStarted = performance.now();
    try {
      await forEachBounded(layout.watchers, WATCH_SETUP_IN_FLIGHT_PER_CONNECTION * layout.connections, async (w) => {
        const prefix = w < layout.shared ? WATCH_ROOT : `${WATCH_ROOT}p${w - layout.shared}/`;
        watches.push(await watchClients[w % layout.connections]!.watchPrefix(prefix, onPut));
      });
    } catch (error) {
      await Promise.all(watchClients.map((client) => client.close()));
      throw error;
    }
    const setupSeconds = Number(((performance.now() - setupStarted) / 1000).toFixed(2));
    let puts = 0;
    return {
      operation: async (client, seq) => {
        await client.put(watchedKey(seq % prefixes, seq, options), stampedValue(options));
        puts++;
        expected += layout.eventsPerPut;
      },
      finish: async () => {
        let timer: NodeJS.Timeout | undefined;
        if (delivered < expected) {
          await new Promise<void>((resolve) => {
            allDelivered = resolve;
            timer = setTimeout(resolve, DELIVERY_WAIT_MS);
          });
          clearTimeout(timer);
        }
        const measured = { count: delivered, errors: Math.max(0, expected - delivered), histogram };
        await forEachBounded(watches.length, WATCH_SETUP_IN_FLIGHT_PER_CONNECTION * layout.connections, (i) => watches[i]!.close());
        await Promise.all(watchClients.map((client) => client.close()));
        return {
          extra: {
            puts,
            watchers: layout.watchers,
            sharedWatchers: layout.shared,
            watchConnections: layout.connections,
            expectedEvents: expected,
            watchSetupSeconds: setupSeconds,
          },
          measured,
        };
      },
    };
  },
};
