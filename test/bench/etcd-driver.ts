import { Etcd3, type IKeyValue } from 'etcd3';
import { EtcdKeepAliveStream } from './etcd-keepalive-stream.js';
import type { BenchWatch, CasOutcome, LeaseCalls, StoreClient, StoreDriver, StoredValue } from './store-client.js';

function stored(kv: IKeyValue | undefined): StoredValue | null {
  return kv === undefined ? null : { value: kv.value, modRevision: BigInt(kv.mod_revision) };
}

class EtcdStoreClient implements StoreClient {
  readonly lease: LeaseCalls;
  private readonly keepAlives: EtcdKeepAliveStream;

  constructor(private readonly client: Etcd3) {
    const keepAlives = (this.keepAlives = new EtcdKeepAliveStream(client));
    this.lease = {
      grant: async (ttlSeconds) => {
        const { ID } = await client.leaseClient.leaseGrant({ TTL: ttlSeconds });
        return {
          keepAliveOnce: () => keepAlives.keepAlive(ID),
          revoke: async () => {
            await client.leaseClient.leaseRevoke({ ID });
          },
        };
      },
    };
  }

  async put(key: string, value: Buffer): Promise<void> {
    await this.client.put(key).value(value).exec();
  }

  async get(key: string, serializable: boolean): Promise<StoredValue | null> {
    const result = await this.client.get(key).serializable(serializable).exec();
    return stored(result.kvs[0]);
  }

  async compareAndSwap(key: string, expectedModRevision: bigint, value: Buffer): Promise<CasOutcome> {
    const result = await this.client
      .if(key, 'Mod', '==', expectedModRevision.toString())
      .then(this.client.put(key).value(value))
      .else(this.client.get(key))
      .commit();
    if (result.succeeded) return { succeeded: true };
    return { succeeded: false, current: stored(result.responses[0]?.response_range.kvs[0]) };
  }

  async watchPrefix(prefix: string, onPut: (key: Buffer, value: Buffer) => void): Promise<BenchWatch> {
    const watcher = await this.client.watch().prefix(prefix).create();
    watcher.on('put', (kv) => onPut(kv.key, kv.value));
    return { close: () => watcher.cancel() };
  }

  async close(): Promise<void> {
    this.keepAlives.close();
    this.client.close();
  }
}

/**
 * Drives etcd members through the etcd3 package: one `Etcd3` per connection, each on its own HTTP/2
 * connection (a local subchannel pool, since grpc-js would otherwise share one between clients).
 */
export function etcdDriver(endpoints: readonly string[]): StoreDriver {
  return {
    target: 'etcd',
    leaseUnavailableReason: null,
    connect: (index) =>
      new EtcdStoreClient(
        new Etcd3({
          hosts: `http://${endpoints[index % endpoints.length]!}`,
          grpcOptions: { 'grpc.use_local_subchannel_pool': 1 },
        }),
      ),
  };
}
