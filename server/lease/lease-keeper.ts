import { randomBytes } from 'node:crypto';
import type { RaftMember } from '../member/raft-member.js';
import type { Applied } from '../apply/applier.js';
import type { LeaseResult } from '../apply/lease-apply.js';
import { SynodError } from '../errors.js';

export interface LeaseKeeperOptions {
  /** Smallest TTL granted (etcd: ceil(1.5 x election timeout)); shorter requests are raised to it. */
  readonly minTtlSeconds: number;
  /** How often the leader looks for expired leases. */
  readonly expiryCheckIntervalMs: number;
  /** Most expiries proposed per second (etcd: 1000). */
  readonly expiriesPerSecondMax: number;
  /**
   * How stale the replicated time left of a lease may get: a lease is checkpointed once its time left
   * is this much below what was last replicated (so it survives restarts).
   */
  readonly checkpointIntervalMs: number;
  /** Most leases per checkpoint entry; the leader proposes at most one such entry per expiry check. */
  readonly checkpointsPerEntryMax: number;
}

/** The largest TTL accepted (etcd's limit). */
export const LEASE_TTL_SECONDS_MAX = 9_000_000_000;

/**
 * The lease operations of a member. Grants, revokes and renewals go through the log; renewals that
 * arrive together ride in one entry. The leader (once it has applied everything before its term)
 * proposes expiries for leases past their deadline, rate-limited, each carrying the renewal count it
 * saw so a renewal that wins the race cancels the expiry, and it checkpoints the time left of leases.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | null = null;
  private readonly expiring = new Set<bigint>();
  /** A checkpoint entry is proposed and not yet applied (its leases would be picked again). */
  private checkpointing = false;
  /** Renewals asked for and not yet applied here, by lease. */
  private readonly waitingRenewals = new Map<bigint, { resolve: (ttl: number) => void; reject: (error: Error) => void }[]>();
  /** Leases with a renewal asked for since the last entry was proposed. */
  private readonly unsent = new Set<bigint>();
  private flushScheduled = false;
  private readonly leaderListener = (leader: string | null): void => this.onLeader(leader);

  constructor(
    private readonly member: RaftMember,
    private readonly options: LeaseKeeperOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.expiryCheckIntervalMs);
    this.timer.unref();
    this.member.on('leader', this.leaderListener);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.member.off('leader', this.leaderListener);
  }

  /** Grants a lease; `id` 0 picks a random positive id. Returns the id and the TTL granted. */
  async grant(ttlSeconds: number, id: bigint, signal?: AbortSignal): Promise<{ id: bigint; ttlSeconds: number }> {
    if (ttlSeconds > LEASE_TTL_SECONDS_MAX) throw new SynodError('lease_ttl_too_large');
    if (id < 0n) throw new SynodError('invalid_argument', 'lease ID must not be negative');
    const chosen = id === 0n ? randomLeaseId() : id;
    const ttl = Math.max(this.options.minTtlSeconds, Math.ceil(ttlSeconds));
    const applied = await this.member.propose('lease.grant', { ID: chosen.toString(), TTL: ttl }, signal);
    leaseResult(applied, 'lease.grant');
    return { id: chosen, ttlSeconds: ttl };
  }

  /** Revokes a lease, deleting its keys in one revision. Returns the applied entry (for the header). */
  async revoke(id: bigint, signal?: AbortSignal): Promise<Applied> {
    const applied = await this.member.propose('lease.revoke', { ID: id.toString() }, signal);
    leaseResult(applied, 'lease.revoke');
    return applied;
  }

  /**
   * Renews a lease; resolves with its full TTL once a renewal is applied, or 0 if the lease is gone.
   * Renewals are idempotent, so the ones still waiting when the leader changes are proposed again
   * (a renewal forwarded to a leader that died is otherwise lost silently).
   */
  renew(id: bigint, signal?: AbortSignal): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const waiter = { resolve, reject };
      const waiters = this.waitingRenewals.get(id) ?? [];
      waiters.push(waiter);
      this.waitingRenewals.set(id, waiters);
      this.unsent.add(id);
      signal?.addEventListener('abort', () => {
        const list = this.waitingRenewals.get(id);
        const i = list?.indexOf(waiter) ?? -1;
        if (i >= 0) list!.splice(i, 1);
        if (list?.length === 0) this.waitingRenewals.delete(id);
        reject(new SynodError('canceled', 'keepalive canceled; the renewal may still apply'));
      }, { once: true });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushRenewals());
      }
    });
  }

  /** Time left in whole seconds (-1 for an unknown lease), as this member reckons it. */
  timeToLive(id: bigint): { ttlSeconds: number; grantedTtlSeconds: number; keys: string[] } {
    const lessor = this.member.lessor;
    const record = lessor.get(id);
    if (record === undefined) return { ttlSeconds: -1, grantedTtlSeconds: 0, keys: [] };
    return { ttlSeconds: Math.floor((lessor.remainingMs(id) ?? 0) / 1000), grantedTtlSeconds: record.ttlSeconds, keys: lessor.keys(id) };
  }

  /** Proposes one renewal entry for every lease waiting to be sent. */
  private flushRenewals(): void {
    this.flushScheduled = false;
    const ids = [...this.unsent].filter((id) => this.waitingRenewals.has(id));
    this.unsent.clear();
    if (ids.length > 0) this.proposeRenewals(ids);
  }

  private proposeRenewals(ids: readonly bigint[]): void {
    this.member
      .propose('lease.renew', { IDs: ids.map((id) => id.toString()) })
      .then((applied) => {
        const { ttls } = leaseResult(applied, 'lease.renew') as { ttls: number[] };
        ids.forEach((id, i) => {
          const waiters = this.waitingRenewals.get(id);
          this.waitingRenewals.delete(id);
          waiters?.forEach((waiter) => waiter.resolve(ttls[i] ?? 0));
        });
      })
      .catch(() => {
        // Not applied (no leader) or unknown (lost with a leader): the next leader change proposes
        // the still-waiting renewals again, and each caller's own timeout bounds the wait.
      });
  }

  /** A new leader: re-propose every renewal still waiting, since it may have died with the old one. */
  private onLeader(leader: string | null): void {
    if (leader === null || this.waitingRenewals.size === 0) return;
    this.proposeRenewals([...this.waitingRenewals.keys()]);
  }

  private tick(): void {
    if (!this.member.leaderReady) {
      this.expiring.clear();
      return;
    }
    const budget = Math.max(1, Math.floor((this.options.expiriesPerSecondMax * this.options.expiryCheckIntervalMs) / 1000));
    const due = this.member.lessor.expired(budget + this.expiring.size, (id) => this.waitingRenewals.has(id) || this.expiring.has(id));
    for (const candidate of due.slice(0, budget)) {
      this.expiring.add(candidate.id);
      this.member
        .propose('lease.expire', { ID: candidate.id.toString(), renewals: candidate.renewals })
        .catch(() => undefined)
        .finally(() => this.expiring.delete(candidate.id));
    }
    // Every check rather than once an interval: small entries spread out, stalest leases first.
    if (this.checkpointing) return;
    const checkpoints = this.member.lessor.checkpointsDue(this.options.checkpointIntervalMs, this.options.checkpointsPerEntryMax);
    if (checkpoints.length === 0) return;
    const params = { checkpoints: checkpoints.map((c) => ({ ID: c.id.toString(), remainingMs: Math.floor(c.remainingMs) })) };
    this.checkpointing = true;
    this.member
      .propose('lease.checkpoint', params)
      .catch(() => undefined)
      .finally(() => (this.checkpointing = false));
  }
}

function randomLeaseId(): bigint {
  let id = 0n;
  // Positive signed 64-bit, as etcd's lease ids.
  while (id === 0n) id = randomBytes(8).readBigUInt64BE(0) >> 1n;
  return id;
}

function leaseResult(applied: Applied, method: LeaseResult['method']): unknown {
  if (!applied.outcome.ok) throw applied.outcome.error;
  const value = applied.outcome.value;
  if (value.method !== method) throw new SynodError('internal', `expected a ${method} result, got ${value.method}`);
  return value.result;
}
