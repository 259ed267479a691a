import type { Client } from '../client.js';
import type { Lease, LeaseLostError } from '../lease.js';
import type { CallOptions } from '../kv-requests.js';

export interface SessionOptions extends CallOptions {
  /** Lease TTL in seconds (default 60): how long the session's keys outlive this process. */
  readonly ttlSeconds?: number;
}

/**
 * A session: one lease kept alive for the lifetime of a process (or until closed). Locks, elections
 * and registrations made through it vanish when it ends. `signal` aborts and `lost` resolves as soon as
 * the session can no longer be trusted (see Lease); `close()` (or `await using`) revokes its lease, so
 * everything it held is released at once.
 */
export class Session implements AsyncDisposable {
  private constructor(
    readonly client: Client,
    readonly lease: Lease,
  ) {}

  /** Grants the session's lease and starts keeping it alive. */
  static async create(client: Client, options: SessionOptions = {}): Promise<Session> {
    const lease = await client.lease.grant(options.ttlSeconds ?? 60, options);
    return new Session(client, lease);
  }

  /** The session's lease id: every key made through the session is bound to it. */
  get leaseId(): bigint {
    return this.lease.id;
  }

  /** The lease id in hex, as etcd names session keys (`<prefix>/<lease hex>`). */
  get leaseHex(): string {
    return this.lease.id.toString(16);
  }

  /** Aborted (reason: LeaseLostError) when the session is lost or closed. */
  get signal(): AbortSignal {
    return this.lease.signal;
  }

  /** Resolves when the session is lost or closed. */
  get lost(): Promise<LeaseLostError> {
    return this.lease.lost;
  }

  /** True until the session is lost or closed. */
  get alive(): boolean {
    return this.lease.alive;
  }

  /** Revokes the lease: every key of the session is deleted in one revision. */
  async close(): Promise<void> {
    await this.lease.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
