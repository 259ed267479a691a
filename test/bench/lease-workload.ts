import type { BenchLease, StoreClient } from './store-client.js';
import { forEachBounded, type Workload } from './workload.js';

/** Grants (and revokes) pending at once per connection while a run sets up (and tears down) its leases. */
const LEASE_SETUP_IN_FLIGHT_PER_CONNECTION = 64;

/**
 * Lease keepalives: `--leases` leases of `--lease-ttl` seconds, granted before the run and spread over
 * its connections; each operation is one keepalive of the connection's next lease in turn (one round
 * trip, as the SDK's own renewal and etcd's benchmark do it). A keepalive that finds its lease gone is
 * an error. With `--rate` R each lease is renewed every leases / R seconds: leases × 3 / TTL is the
 * steady load of a client keeping every lease alive at the SDK's pace (TTL/3). Every lease must get its
 * first keepalive within its TTL of being granted, so granting must take well under the TTL.
 */
export const leaseKeepAlive: Workload = {
  name: 'lease-keepalive',
  description: 'keepalives of --leases leases, in turn (with --rate leases*3/TTL: the SDK\'s own pace)',
  unavailableOn: (driver) => driver.leaseUnavailableReason,
  prepare: async () => undefined,
  begin: async ({ clients, options }) => {
    const owned = new Map<StoreClient, BenchLease[]>(clients.map((client) => [client, []]));
    const cursor = new Map<StoreClient, number>(clients.map((client) => [client, 0]));
    const setupStarted = performance.now();
    const all: BenchLease[] = [];
    const release = (): Promise<void> =>
      forEachBounded(all.length, LEASE_SETUP_IN_FLIGHT_PER_CONNECTION * clients.length, (i) => all[i]!.revoke().catch(() => undefined));
    try {
      await forEachBounded(options.leases, LEASE_SETUP_IN_FLIGHT_PER_CONNECTION * clients.length, async (i) => {
        const client = clients[i % clients.length]!;
        if (client.lease === null) throw new Error('this store has no lease calls');
        const lease = await client.lease.grant(options.leaseTtlSeconds);
        all.push(lease);
        owned.get(client)!.push(lease);
      });
    } catch (error) {
      await release();
      throw error;
    }
    const setupSeconds = Number(((performance.now() - setupStarted) / 1000).toFixed(2));
    if (setupSeconds > options.leaseTtlSeconds / 2) {
      // The first leases granted then wait more than half their TTL for their first keepalive.
      process.stderr.write(`lease-keepalive: granting ${all.length} leases took ${setupSeconds} s, over half their TTL of ${options.leaseTtlSeconds} s; some may expire before their turn (raise --lease-ttl)\n`);
    }
    return {
      operation: async (client) => {
        const own = owned.get(client)!;
        // A worker whose connection got no lease (more connections than leases) renews another's.
        const leases = own.length > 0 ? own : all;
        const turn = cursor.get(client)!;
        cursor.set(client, turn + 1);
        await leases[turn % leases.length]!.keepAliveOnce();
      },
      finish: async () => {
        await release();
        return { extra: { leases: all.length, leaseTtlSeconds: options.leaseTtlSeconds, leaseGrantSeconds: setupSeconds } };
      },
    };
  },
};
