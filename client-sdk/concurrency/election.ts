import type { Client } from '../client.js';
import { compare, op, type Compare } from '../txn.js';
import { prefixRangeEnd, toBuffer, type BytesInput } from '../codec.js';
import { SynodError } from '../errors.js';
import type { KeyValue } from '../kv-types.js';
import type { Session } from './session.js';
import { LockLostError, waitForTurn } from './queue.js';
import { abortError, anySignal, waitForDelete } from './waiting.js';

/** The current leader of an election, as observers see it. */
export interface LeaderInfo {
  readonly key: Buffer;
  readonly value: Buffer;
  /** The create revision of the leader's key: its fencing token. */
  readonly fencingToken: bigint;
  readonly lease: bigint;
  /** The leader's key-value as stored. */
  readonly kv: KeyValue;
  /** The revision at which this was the leader (a read's or an event's). */
  readonly revision: bigint;
}

/** Thrown by `proclaim` or `resign` when this leadership has already ended. */
export class NotLeaderError extends SynodError {
  constructor(message: string) {
    super('not_leader', message, { outcomeUnknown: false });
    this.name = 'NotLeaderError';
  }
}

/**
 * This process's leadership. `fencingToken` grows with every new leader; `signal` aborts when the
 * leadership ends (session lost, key deleted, resigned), and `guard()` is a txn compare that holds only
 * while it is current.
 */
export class Leadership implements AsyncDisposable {
  private readonly controller = new AbortController();
  /** Resolves (never rejects) with the reason once this leadership has ended: lost, or resigned. */
  readonly lost: Promise<LockLostError>;

  constructor(
    private readonly session: Session,
    /** The leader's key, `<name>/<lease hex>`. */
    readonly key: Buffer,
    /** The create revision of the key: larger than every earlier leader's of this election. */
    readonly fencingToken: bigint,
  ) {
    this.lost = new Promise((resolve) => this.controller.signal.addEventListener('abort', () => resolve(this.controller.signal.reason as LockLostError), { once: true }));
    if (session.signal.aborted) this.end(new LockLostError(`leadership ${key} lost: its session ended`, { cause: session.signal.reason }));
    session.signal.addEventListener('abort', () => this.end(new LockLostError(`leadership ${key} lost: its session ended`, { cause: session.signal.reason })), { once: true });
    waitForDelete(session.client, key, fencingToken, anySignal([session.signal, this.controller.signal])).then(
      () => this.end(new LockLostError(`leadership ${key} lost: its key was deleted`)),
      () => undefined,
    );
  }

  /** Aborted (reason: LockLostError) when the leadership ends: session lost, key deleted, or resigned. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * True until this process knows the leadership ended. A paused process learns it late, so act on
   * shared state only through `guard()` or a resource that checks `fencingToken`.
   */
  get isLeader(): boolean {
    return !this.controller.signal.aborted;
  }

  /** A compare that holds only while this leadership is current: put it in the `if` of a guarded txn. */
  guard(): Compare {
    return compare.createRevision(this.key, '=', this.fencingToken);
  }

  /** Publishes a new value as the leader; fails with NotLeaderError if leadership was lost. */
  async proclaim(value: BytesInput): Promise<void> {
    const result = await this.session.client.txn().if(this.guard()).then(op.put(this.key, value, { lease: this.session.leaseId })).commit();
    if (!result.succeeded) {
      this.end(new LockLostError(`leadership ${this.key} lost`));
      throw new NotLeaderError(`cannot proclaim: ${this.key} is no longer the leader`);
    }
  }

  /** Gives leadership up (deletes the key only if it is still this leadership's). */
  async resign(): Promise<void> {
    this.end(new LockLostError(`leadership ${this.key} resigned`));
    await this.session.client.txn().if(this.guard()).then(op.delete(this.key)).commit();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.resign();
  }

  private end(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}

/**
 * Leader election with etcd's key layout (`<name>/<lease hex>`, value = the candidate's proposal; the
 * leader is the candidate with the lowest create revision), so `synodctl elect` and SDK campaigns meet.
 */
export class Election {
  private readonly prefix: Buffer;

  constructor(
    private readonly session: Session,
    readonly name: string,
  ) {
    this.prefix = Buffer.from(`${name}/`);
  }

  /**
   * Campaigns with `value` and resolves once this session leads. A session that already campaigned
   * here keeps its place (its value is updated). After waiting it re-checks its own key, so a lost
   * session fails the campaign instead of winning it. Aborting the wait withdraws the candidacy.
   */
  async campaign(value: BytesInput, options: { signal?: AbortSignal } = {}): Promise<Leadership> {
    const key = Buffer.from(`${this.name}/${this.session.leaseHex}`);
    const client = this.session.client;
    const signal = anySignal([options.signal, this.session.signal]);
    const result = await client
      .txn()
      .if(compare.createRevision(key, '=', 0n))
      .then(op.put(key, value, { lease: this.session.leaseId }))
      .else(op.get(key))
      .commit();
    let myRevision = result.header.revision;
    if (!result.succeeded) {
      const existing = result.responses[0]?.type === 'get' ? result.responses[0].kvs[0] : undefined;
      myRevision = existing?.createRevision ?? myRevision;
      if (existing !== undefined && !existing.value.equals(toBuffer(value))) {
        await client.txn().if(compare.createRevision(key, '=', myRevision)).then(op.put(key, value, { lease: this.session.leaseId })).commit();
      }
    }
    try {
      await waitForTurn(this.session, this.prefix, key, myRevision, signal, `campaign in "${this.name}"`);
      return new Leadership(this.session, key, myRevision);
    } catch (error) {
      await client.txn().if(compare.createRevision(key, '=', myRevision)).then(op.delete(key)).commit().catch(() => undefined);
      if (error instanceof LockLostError) throw error;
      if (signal.aborted) throw abortError(signal, `campaign in "${this.name}"`);
      throw error;
    }
  }

  /** The current leader, or null when nobody leads. */
  async leader(options: { signal?: AbortSignal } = {}): Promise<LeaderInfo | null> {
    return electionLeader(this.session.client, this.name, options);
  }

  /** See `observeElection`. */
  observe(options: { signal?: AbortSignal } = {}): AsyncGenerator<LeaderInfo | null> {
    return observeElection(this.session.client, this.name, options);
  }
}

/** The current leader of election `name` (the candidate with the lowest create revision), or null. Needs no session. */
export async function electionLeader(client: Client, name: string, options: { signal?: AbortSignal } = {}): Promise<LeaderInfo | null> {
  const prefix = Buffer.from(`${name}/`);
  const result = await client.get(prefix, { rangeEnd: prefixRangeEnd(prefix), sortTarget: 'create', sortOrder: 'ascend', limit: 1, ...options });
  return result.kvs[0] === undefined ? null : leaderOf(result.kvs[0], result.header.revision);
}

/**
 * Every change of leader of election `name`, and every write of the leader's key (a proclamation, even
 * of an unchanged value, as etcd's Observe reports it), starting with the current leader; `null` means
 * the leadership is vacant. Each state held at its `revision`, and states come in revision
 * order, every one of them (a compaction of history the observer still needed is the exception: it
 * re-reads and yields the state at that moment). Keeps going across reconnects and failover; breaking
 * out of the loop or the signal ends it. Needs no session.
 */
export async function* observeElection(client: Client, name: string, options: { signal?: AbortSignal } = {}): AsyncGenerator<LeaderInfo | null> {
  const prefix = Buffer.from(`${name}/`);
  const candidates = new Map<string, KeyValue>();
  const initial = await client.get(prefix, { rangeEnd: prefixRangeEnd(prefix), ...options });
  for (const kv of initial.kvs) candidates.set(kv.key.toString('latin1'), kv);
  let last = describe(lowest(candidates, initial.header.revision));
  yield lowest(candidates, initial.header.revision);
  const watch = client.watch(prefix, { rangeEnd: prefixRangeEnd(prefix), startRevision: initial.header.revision + 1n, onCompacted: 'resync', ...options });
  for await (const event of watch) {
    if (event.type === 'put') candidates.set(event.kv.key.toString('latin1'), event.kv);
    else if (event.type === 'delete') candidates.delete(event.kv.key.toString('latin1'));
    else if (event.type === 'resync') {
      candidates.clear();
      for (const kv of event.kvs) candidates.set(kv.key.toString('latin1'), kv);
    } else continue;
    const current = lowest(candidates, event.revision);
    if (describe(current) !== last) {
      last = describe(current);
      yield current;
    }
  }
}

function lowest(candidates: Map<string, KeyValue>, revision: bigint): LeaderInfo | null {
  let best: KeyValue | undefined;
  for (const kv of candidates.values()) if (best === undefined || kv.createRevision < best.createRevision) best = kv;
  return best === undefined ? null : leaderOf(best, revision);
}

function leaderOf(kv: KeyValue, revision: bigint): LeaderInfo {
  return { key: kv.key, value: kv.value, fencingToken: kv.createRevision, lease: kv.lease, kv, revision };
}

function describe(leader: LeaderInfo | null): string {
  return leader === null ? '' : `${leader.key.toString('hex')}:${leader.fencingToken}:${leader.kv.modRevision}`;
}
