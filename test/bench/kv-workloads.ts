import type { StoreClient, StoredValue } from './store-client.js';
import { keyFor, valueOf, type Workload, type WorkloadOptions } from './workload.js';

/** Puts over the key space. */
export const put: Workload = {
  name: 'put',
  description: 'puts of --value-bytes values over --key-space keys',
  unavailableOn: () => null,
  prepare: async () => undefined,
  begin: async ({ options }) => {
    const value = valueOf(options);
    return { operation: (client, seq) => client.put(keyFor(seq, options), value), finish: async () => ({}) };
  },
};

/** Keys loaded per batch of concurrent puts while preparing reads. */
const PRELOAD_BATCH = 256;

/** Single-key reads of preloaded keys, linearizable or serializable. */
export function getWorkload(serializable: boolean): Workload {
  return {
    name: serializable ? 'get-serializable' : 'get',
    description: `${serializable ? 'serializable' : 'linearizable'} single-key reads over --key-space preloaded keys`,
    unavailableOn: () => null,
    prepare: async (client, options) => {
      const value = valueOf(options);
      for (let start = 0; start < options.keySpace; start += PRELOAD_BATCH) {
        const batch = [];
        for (let seq = start; seq < Math.min(options.keySpace, start + PRELOAD_BATCH); seq++) batch.push(client.put(keyFor(seq, options), value));
        await Promise.all(batch);
      }
    },
    begin: async ({ options }) => ({
      operation: async (client, seq) => {
        if ((await client.get(keyFor(seq, options), serializable)) === null) throw new Error(`${keyFor(seq, options)} is missing`);
      },
      finish: async () => ({}),
    }),
  };
}

/** A CAS loop that has not succeeded after this many attempts fails (a livelock would show here). */
const CAS_ATTEMPTS_MAX = 10_000;

/** Spreads consecutive operations over the hot keys irregularly, so concurrent ones collide. */
function scatter(seq: number): number {
  return Math.imul(seq + 1, 2_654_435_761) >>> 0;
}

function hotKey(index: number): string {
  return `bench-hot/${index}`;
}

/** A counter value: its decimal digits, then padding up to the value size. */
function counterValue(counter: number, options: WorkloadOptions): Buffer {
  const digits = `${counter};`;
  return Buffer.concat([Buffer.from(digits), Buffer.alloc(Math.max(0, options.valueBytes - digits.length), 'v')]);
}

function counterOf(stored: StoredValue | null): number {
  if (stored === null) return 0;
  const text = stored.value.toString('latin1');
  return Number(text.slice(0, text.indexOf(';')));
}

async function sumOfCounters(client: StoreClient, options: WorkloadOptions): Promise<number> {
  const values = await Promise.all(Array.from({ length: options.hotKeys }, (_, i) => client.get(hotKey(i), false)));
  return values.reduce((sum, value) => sum + counterOf(value), 0);
}

/**
 * Read-modify-write increments of a few hot counters: read, then a txn that puts the increment if the
 * key's mod revision is unchanged, and else reads the new value to try again. One operation is one
 * increment that succeeded; the conflicts it met are counted. At the end the counters must have grown
 * by exactly the number of increments (a lost update would show).
 */
export const txnCas: Workload = {
  name: 'txn-cas',
  description: 'compare-and-swap increments of --hot-keys counters (counts successes and conflicts)',
  unavailableOn: () => null,
  prepare: async (client, options) => {
    await Promise.all(Array.from({ length: options.hotKeys }, (_, i) => client.put(hotKey(i), counterValue(0, options))));
  },
  begin: async ({ clients, options }) => {
    const before = await sumOfCounters(clients[0]!, options);
    let successes = 0;
    let conflicts = 0;
    return {
      operation: async (client, seq) => {
        const key = hotKey(scatter(seq) % options.hotKeys);
        let current = await client.get(key, false);
        for (let attempt = 0; attempt < CAS_ATTEMPTS_MAX; attempt++) {
          const outcome = await client.compareAndSwap(key, current?.modRevision ?? 0n, counterValue(counterOf(current) + 1, options));
          if (outcome.succeeded) {
            successes++;
            return;
          }
          conflicts++;
          current = outcome.current;
        }
        throw new Error(`${key}: no successful compare-and-swap in ${CAS_ATTEMPTS_MAX} attempts`);
      },
      finish: async () => {
        const increase = (await sumOfCounters(clients[0]!, options)) - before;
        return {
          extra: {
            successes,
            conflicts,
            conflictsPerSuccess: Number((conflicts / Math.max(1, successes)).toFixed(3)),
            counterIncrease: increase,
            countersConsistent: increase === successes,
          },
        };
      },
    };
  },
};

