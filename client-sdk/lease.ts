import { SynodError } from './errors.js';
import { decodeHeader, type ResponseHeader } from './kv-types.js';
import type { CallOptions } from './kv-requests.js';

type Call = (method: string, params: object, options: CallOptions & { idempotent: boolean }) => Promise<Record<string, unknown>>;

/** The lease is gone, or can no longer be known to exist: whatever it protected must stop. */
export class LeaseLostError extends SynodError {
  readonly leaseId: bigint;
  /** `expired`: not renewed within its TTL (cut off, or the member answered too late); `revoked`: the server no longer has it; `closed`: released by this process. */
  readonly reason: 'expired' | 'revoked' | 'closed';
  constructor(leaseId: bigint, reason: 'expired' | 'revoked' | 'closed', message: string) {
    super('lease_not_found', message, { outcomeUnknown: false });
    this.name = 'LeaseLostError';
    this.leaseId = leaseId;
    this.reason = reason;
  }
}

export interface LeaseTimeToLive {
  readonly header: ResponseHeader;
  readonly id: bigint;
  /** Whole seconds left as the member reckons it; -1 for a lease that does not exist. */
  readonly ttlSeconds: number;
  readonly grantedTtlSeconds: number;
  readonly keys: Buffer[];
}

/** One renewal's answer (etcd's LeaseKeepAliveResponse). */
export interface LeaseKeepAlive {
  readonly header: ResponseHeader;
  readonly id: bigint;
  /** The TTL the lease was renewed to; 0 when it no longer exists. */
  readonly ttlSeconds: number;
}

export interface GrantOptions extends CallOptions {
  /** Choose the lease id (default: the server picks one). */
  readonly id?: bigint;
  /** Keep the lease alive until it is closed (default true). */
  readonly keepAlive?: boolean;
}

const RETRY_MS_MIN = 50;

/**
 * A granted lease. While kept alive it is renewed every TTL/3 (retrying on failure, on any endpoint);
 * `lost` resolves and `signal` aborts as soon as this process can no longer be sure the lease exists:
 * one TTL after the send time of the last renewal the server acknowledged (never later than the
 * server expires it, and also when the connection is silently dead), or when the server says it is gone.
 * `await using` (or `close()`) revokes it.
 */
export class Lease implements AsyncDisposable {
  private readonly controller = new AbortController();
  private lostResolve!: (error: LeaseLostError) => void;
  /** Resolves with the reason once the lease is lost; never rejects. */
  readonly lost: Promise<LeaseLostError>;
  private deadlineMs: number;
  private renewTimer: NodeJS.Timeout | null = null;
  private lostTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly call: Call,
    readonly id: bigint,
    readonly ttlSeconds: number,
    grantSentAtMs: number,
    keepAlive: boolean,
    /** The header of the grant's response. */
    readonly header: ResponseHeader,
  ) {
    this.lost = new Promise((resolve) => (this.lostResolve = resolve));
    this.deadlineMs = grantSentAtMs + ttlSeconds * 1000;
    this.armLostTimer();
    if (keepAlive) this.scheduleRenewal(this.ttlSeconds * 1000 / 3);
  }

  /** Aborted (with a LeaseLostError as reason) when the lease is lost. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True until the lease is lost or closed. */
  get alive(): boolean {
    return !this.controller.signal.aborted;
  }

  /** Milliseconds until this process must consider the lease lost, if no renewal succeeds meanwhile. */
  get remainingMs(): number {
    return Math.max(0, this.deadlineMs - performance.now());
  }

  /** Renews once now; resolves with the TTL, or fails (and marks the lease lost) if it is gone. */
  async keepAliveOnce(options: CallOptions = {}): Promise<number> {
    const sentAt = performance.now();
    const result = await this.call('lease.keepalive', { ID: this.id.toString() }, { ...options, idempotent: true });
    const ttl = Number(result['TTL'] ?? 0);
    if (ttl <= 0) {
      this.markLost('revoked', `lease ${this.id} no longer exists on the server`);
      throw await this.lost;
    }
    if (this.alive) {
      this.deadlineMs = Math.max(this.deadlineMs, sentAt + ttl * 1000);
      this.armLostTimer();
    }
    return ttl;
  }

  /** Stops renewing and revokes the lease (its keys are deleted). */
  async close(options: CallOptions = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const wasAlive = this.alive;
    this.stopTimers();
    this.markLost('closed', `lease ${this.id} was closed`);
    if (!wasAlive) return;
    try {
      await this.call('lease.revoke', { ID: this.id.toString() }, { ...options, idempotent: true });
    } catch (error) {
      if (!(error instanceof SynodError && error.code === 'lease_not_found')) throw error;
    }
  }

  /** Stops renewing without revoking: the lease expires by itself one TTL later. */
  release(): void {
    this.closed = true;
    this.stopTimers();
  }

  /** The client is closing: stop renewing and report the lease lost (this process can no longer keep it). */
  abandon(): void {
    this.closed = true;
    this.markLost('closed', `lease ${this.id} is no longer kept alive: its client was closed`);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private scheduleRenewal(delayMs: number): void {
    if (!this.alive || this.closed) return;
    this.renewTimer = setTimeout(() => void this.renew(), delayMs);
    this.renewTimer.unref();
  }

  private async renew(): Promise<void> {
    if (!this.alive || this.closed) return;
    const intervalMs = (this.ttlSeconds * 1000) / 3;
    try {
      // A renewal that cannot come back before the deadline is useless: bound it by the time left.
      await this.keepAliveOnce({ timeoutMs: Math.max(RETRY_MS_MIN, Math.min(intervalMs, this.remainingMs)) });
      this.scheduleRenewal(intervalMs);
    } catch (error) {
      if (!this.alive) return;
      void error;
      this.scheduleRenewal(Math.min(intervalMs / 4, Math.max(RETRY_MS_MIN, this.remainingMs / 4)));
    }
  }

  private armLostTimer(): void {
    if (this.lostTimer !== null) clearTimeout(this.lostTimer);
    this.lostTimer = setTimeout(() => {
      if (performance.now() >= this.deadlineMs) this.markLost('expired', `lease ${this.id} was not renewed within its TTL of ${this.ttlSeconds} s`);
      else this.armLostTimer();
    }, Math.max(0, this.deadlineMs - performance.now()));
    this.lostTimer.unref();
  }

  private markLost(reason: LeaseLostError['reason'], message: string): void {
    if (!this.alive) return;
    this.stopTimers();
    const error = new LeaseLostError(this.id, reason, message);
    this.controller.abort(error);
    this.lostResolve(error);
  }

  private stopTimers(): void {
    if (this.renewTimer !== null) clearTimeout(this.renewTimer);
    if (this.lostTimer !== null) clearTimeout(this.lostTimer);
    this.renewTimer = null;
    this.lostTimer = null;
  }
}

/** Lease calls: `client.lease.grant(ttl)` gives a Lease kept alive until closed. */
export class Leases {
  private readonly live = new Set<Lease>();

  constructor(private readonly call: Call) {}

  /** Stops keeping every lease alive (the client is closing): each is marked lost, none is revoked. */
  releaseAll(): void {
    for (const lease of this.live) lease.abandon();
    this.live.clear();
  }

  /** Grants a lease of at least `ttlSeconds` (the server may raise it to its minimum) and keeps it alive. */
  async grant(ttlSeconds: number, options: GrantOptions = {}): Promise<Lease> {
    const params: Record<string, unknown> = { TTL: String(Math.ceil(ttlSeconds)) };
    if (options.id !== undefined) params['ID'] = options.id.toString();
    const sentAt = performance.now();
    const result = await this.call('lease.grant', params, { ...options, idempotent: false });
    const lease = new Lease(this.call, BigInt(String(result['ID'])), Number(result['TTL']), sentAt, options.keepAlive ?? true, decodeHeader(result['header']));
    this.live.add(lease);
    void lease.lost.then(() => this.live.delete(lease));
    return lease;
  }

  /** Revokes a lease by id (its keys are deleted in one revision). */
  async revoke(id: bigint, options: CallOptions = {}): Promise<{ header: ResponseHeader }> {
    const result = await this.call('lease.revoke', { ID: id.toString() }, { ...options, idempotent: false });
    return { header: decodeHeader(result['header']) };
  }

  /** Renews a lease by id once; resolves with its TTL (0 if it no longer exists). */
  async keepAliveOnce(id: bigint, options: CallOptions = {}): Promise<number> {
    return (await this.renew(id, options)).ttlSeconds;
  }

  /** Renews a lease by id once; resolves with the whole answer (TTL 0 if it no longer exists). */
  async renew(id: bigint, options: CallOptions = {}): Promise<LeaseKeepAlive> {
    const result = await this.call('lease.keepalive', { ID: id.toString() }, { ...options, idempotent: true });
    return { header: decodeHeader(result['header']), id, ttlSeconds: Number(result['TTL'] ?? 0) };
  }

  async timeToLive(id: bigint, options: CallOptions & { keys?: boolean } = {}): Promise<LeaseTimeToLive> {
    const result = await this.call('lease.timetolive', options.keys === true ? { ID: id.toString(), keys: true } : { ID: id.toString() }, { ...options, idempotent: true });
    return {
      header: decodeHeader(result['header']),
      id,
      ttlSeconds: Number(result['TTL'] ?? -1),
      grantedTtlSeconds: Number(result['grantedTTL'] ?? 0),
      keys: ((result['keys'] as string[] | undefined) ?? []).map((key) => Buffer.from(key, 'base64')),
    };
  }

  /** Every lease id. */
  async list(options: CallOptions = {}): Promise<{ header: ResponseHeader; ids: bigint[] }> {
    const result = await this.call('lease.leases', {}, { ...options, idempotent: true });
    return { header: decodeHeader(result['header']), ids: ((result['leases'] as { ID: string }[] | undefined) ?? []).map((lease) => BigInt(lease.ID)) };
  }
}
