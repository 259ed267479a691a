import { Client, compare, op } from '../../client-sdk/index.js';
import type { BenchWatch, CasOutcome, LeaseCalls, StoreClient, StoreDriver, StoredValue } from './store-client.js';

/** Generous, so a slow run shows up as latency rather than as timeouts. */
const REQUEST_TIMEOUT_MS = 30_000;

class SynodStoreClient implements StoreClient {
  readonly lease: LeaseCalls;

  constructor(private readonly client: Client) {
    this.lease = {
      grant: async (ttlSeconds) => {
        // Kept alive by the workload's own keepalives only, so each one is measured.
        const lease = await client.lease.grant(ttlSeconds, { keepAlive: false });
        return {
          keepAliveOnce: async () => {
            await lease.keepAliveOnce();
          },
          revoke: () => lease.close(),
        };
      },
    };
  }

  async put(key: string, value: Buffer): Promise<void> {
    await this.client.put(key, value);
  }

  async get(key: string, serializable: boolean): Promise<StoredValue | null> {
    const result = await this.client.get(key, { serializable });
    const kv = result.kvs[0];
    return kv === undefined ? null : { value: kv.value, modRevision: kv.modRevision };
  }

  async compareAndSwap(key: string, expectedModRevision: bigint, value: Buffer): Promise<CasOutcome> {
    const result = await this.client.txn().if(compare.modRevision(key, '=', expectedModRevision)).then(op.put(key, value)).else(op.get(key)).commit();
    if (result.succeeded) return { succeeded: true };
    const read = result.responses[0];
    const kv = read?.type === 'get' ? read.kvs[0] : undefined;
    return { succeeded: false, current: kv === undefined ? null : { value: kv.value, modRevision: kv.modRevision } };
  }

  async watchPrefix(prefix: string, onPut: (key: Buffer, value: Buffer) => void): Promise<BenchWatch> {
    const watch = this.client.watch(prefix, { prefix: true });
    await watch.ready();
    const consumed = (async () => {
      for await (const event of watch) if (event.type === 'put') onPut(event.kv.key, event.kv.value);
    })();
    consumed.catch(() => undefined);
    return {
      close: async () => {
        await watch.cancel();
        await consumed.catch(() => undefined);
      },
    };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** Drives Synod members through the SDK: one `Client` (one WebSocket) per connection. */
export function synodDriver(endpoints: readonly string[]): StoreDriver {
  return {
    target: 'synod',
    leaseUnavailableReason: null,
    connect: (index) => {
      // Member index % n first, the others as failover, so connections spread over the members.
      const first = index % endpoints.length;
      const ordered = [...endpoints.slice(first), ...endpoints.slice(0, first)];
      return new SynodStoreClient(new Client({ endpoints: ordered, requestTimeoutMs: REQUEST_TIMEOUT_MS }));
    },
  };
}
