import type { Client } from '../client.js';
import { compare, op } from '../txn.js';
import type { Lease } from '../lease.js';
import { CanceledError, SynodError } from '../errors.js';
import { abortError, anySignal, timeoutSignal } from '../concurrency/waiting.js';
import { Feed } from './feed.js';
import { sleep } from '../sleep.js';

/**
 * Where a registration stands. `registering`: not (or no longer known to be) in the registry, and
 * working on it; `registered`: its key is stored under its live lease; `deregistered`: stopped for good
 * (deregister(), dispose, or its client closed).
 */
export type RegistrationState = 'registering' | 'registered' | 'deregistered';

/** One state change of a registration. */
export interface RegistrationStatus {
  readonly state: RegistrationState;
  /** The lease the key is (or will be) bound to; 0n before the first grant. */
  readonly leaseId: bigint;
  /** Revision of the write that registered it (`registered` only; else the last one, or 0n). */
  readonly revision: bigint;
  /** Why it left `registered` (lease lost, key deleted, an error), when it did. */
  readonly reason?: string;
}

export interface RegisterOptions {
  /** TTL of the registration's lease: how long a crashed instance stays listed. Default 10 s. */
  readonly ttlSeconds?: number;
  /** Aborting it deregisters (and rejects `register` if still waiting for the first registration). */
  readonly signal?: AbortSignal;
  /** Bounds the wait for the first registration (then it stops and rejects with TimeoutError). */
  readonly timeoutMs?: number;
}

const RETRY_MS_MIN = 100;
const RETRY_MS_MAX = 5000;
const TTL_SECONDS_DEFAULT = 10;

/**
 * A live registration: the instance's key `<prefix><service>/<id>` bound to a lease kept alive by this
 * process. It keeps itself registered until `deregister()` (or `await using`): when its lease is lost
 * (a long partition or pause) it grants a new lease and writes the key again, and when the key is
 * deleted (by an operator, or while this process was disconnected; the watch on it resumes after a
 * reconnect) it writes it back. `state` and `states()` say where it stands. Two live registrations of
 * one id share the key (the last write wins); each puts it back only when it is deleted.
 */
export class Registration implements AsyncDisposable {
  private readonly stop = new AbortController();
  private readonly feed = new Feed<RegistrationStatus>();
  private current: RegistrationStatus = { state: 'registering', leaseId: 0n, revision: 0n };
  private lease: Lease | null = null;
  private running: Promise<void> | null = null;
  private firstRegistered!: { resolve: () => void; reject: (error: unknown) => void };
  private readonly first: Promise<void>;
  private registeredOnce = false;

  constructor(
    private readonly client: Client,
    /** The instance's key. */
    readonly key: string,
    private readonly value: string,
    readonly ttlSeconds: number = TTL_SECONDS_DEFAULT,
  ) {
    this.first = new Promise((resolve, reject) => (this.firstRegistered = { resolve, reject }));
    this.first.catch(() => undefined);
  }

  /** @internal Starts keeping the registration and resolves once it is first registered. */
  async start(options: RegisterOptions): Promise<void> {
    const giveUp = anySignal([options.signal, timeoutSignal(options.timeoutMs, `registering ${this.key}`)]);
    const onGiveUp = (): void => this.firstRegistered.reject(abortError(giveUp, `registering ${this.key}`));
    giveUp.addEventListener('abort', onGiveUp, { once: true });
    options.signal?.addEventListener('abort', () => void this.deregister(), { once: true });
    this.running = this.run();
    try {
      if (giveUp.aborted) onGiveUp();
      await this.first;
    } catch (error) {
      await this.deregister();
      throw error;
    } finally {
      giveUp.removeEventListener('abort', onGiveUp);
    }
  }

  /** Where the registration stands now. */
  get state(): RegistrationState {
    return this.current.state;
  }

  /** The current state with its lease and revision. */
  get status(): RegistrationStatus {
    return this.current;
  }

  /** The lease currently keeping the key (0n before the first grant). */
  get leaseId(): bigint {
    return this.current.leaseId;
  }

  /**
   * The current status, then every change, until it is deregistered. A reader more than 64 changes
   * behind loses the oldest ones, never the latest.
   */
  states(options: { signal?: AbortSignal } = {}): AsyncGenerator<RegistrationStatus> {
    return this.feed.subscribe(this.current, options.signal);
  }

  /**
   * Stops keeping the registration and removes it: deletes the key if it is still bound to this
   * registration's lease, and revokes the lease. Idempotent.
   */
  async deregister(): Promise<void> {
    if (this.stop.signal.aborted) {
      await this.running;
      return;
    }
    this.stop.abort();
    await this.running;
    const lease = this.lease;
    this.lease = null;
    this.setStatus({ state: 'deregistered', leaseId: this.current.leaseId, revision: this.current.revision, reason: 'deregistered' });
    this.feed.close();
    if (lease !== null) {
      await this.client.txn().if(compare.lease(this.key, '=', lease.id)).then(op.delete(this.key)).commit().catch(() => undefined);
      await lease.close().catch(() => undefined);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.deregister();
  }

  /** The keeping loop: (re)grant when needed, write the key, then wait for a reason to do it again. */
  private async run(): Promise<void> {
    let retryMs = RETRY_MS_MIN;
    while (!this.stop.signal.aborted) {
      try {
        if (this.lease === null || !this.lease.alive) {
          this.lease = await this.client.lease.grant(this.ttlSeconds, { signal: this.stop.signal });
        }
        const lease = this.lease;
        const put = await this.client.put(this.key, this.value, { lease: lease.id, signal: this.stop.signal });
        this.setStatus({ state: 'registered', leaseId: lease.id, revision: put.header.revision });
        this.registeredOnce = true;
        this.firstRegistered.resolve();
        retryMs = RETRY_MS_MIN;
        const reason = await this.untilGone(lease, put.header.revision);
        if (reason !== null) this.setStatus({ state: 'registering', leaseId: lease.id, revision: put.header.revision, reason });
      } catch (error) {
        if (this.stop.signal.aborted) break;
        if (error instanceof CanceledError) {
          // Not our signal: the client was closed, so nothing can be kept any more.
          this.firstRegistered.reject(error);
          this.stop.abort();
          break;
        }
        if (error instanceof SynodError && error.code === 'lease_not_found') {
          this.lease?.release();
          this.lease = null;
        } else if (!this.registeredOnce && error instanceof SynodError && !error.retryable) {
          this.firstRegistered.reject(error);
          this.stop.abort();
          break;
        }
        const reason = `${(error as Error).message}; retrying in ${retryMs} ms`;
        if (this.current.state === 'registered' || this.current.reason !== reason) this.setStatus({ ...this.current, state: 'registering', reason });
        await sleep(retryMs, this.stop.signal);
        retryMs = Math.min(retryMs * 2, RETRY_MS_MAX);
      }
    }
  }

  /**
   * Resolves with why the key must be written again (its lease was lost, or the key was deleted), or
   * null once stopped. Watches the key from after the registering write, so a delete while this
   * process was disconnected is seen when the watch resumes (or at its resync after a compaction).
   */
  private async untilGone(lease: Lease, revision: bigint): Promise<string | null> {
    const signal = anySignal([this.stop.signal, lease.signal]);
    const watch = this.client.watch(this.key, { startRevision: revision + 1n, onCompacted: 'resync', signal });
    for await (const event of watch) {
      if (event.type === 'delete') return 'its key was deleted';
      if (event.type === 'resync' && !event.kvs.some((kv) => kv.lease === lease.id)) return 'its key was gone after a resync';
    }
    if (this.stop.signal.aborted) return null;
    if (lease.signal.aborted) return `its lease was lost: ${(lease.signal.reason as Error).message}`;
    return 'its watch ended';
  }

  private setStatus(status: RegistrationStatus): void {
    this.current = status;
    this.feed.publish(status);
  }
}
