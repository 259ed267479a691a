import { Connection } from './connection.js';
import { SynodError, UnavailableError, TimeoutError, CanceledError } from './errors.js';
import { int64, type BytesInput } from './codec.js';
import { deleteParams, putParams, rangeParams, type CallOptions, type DeleteOptions, type GetOptions, type PutOptions } from './kv-requests.js';
import {
  decodeDelete,
  decodeGet,
  decodeHeader,
  decodePut,
  decodeTxn,
  type DeleteResult,
  type GetResult,
  type PutResult,
  type ResponseHeader,
  type TxnResult,
} from './kv-types.js';
import { TxnBuilder } from './txn.js';
import { Watch, type WatchHost, type WatchOptions } from './watch.js';
import { Cluster } from './cluster.js';
import { Leases } from './lease.js';

export interface ClientOptions {
  /** Members to talk to, as `host:port`, `http://host:port` or `ws://host:port`. Default 127.0.0.1:2379. */
  readonly endpoints?: readonly string[];
  /** How long to wait for a connection to an endpoint. Default 5000 ms. */
  readonly dialTimeoutMs?: number;
  /** Default deadline of every call (retries included). Default 10000 ms. */
  readonly requestTimeoutMs?: number;
}

/** What maintenance.status reports about the member that answered. */
export interface StatusResult {
  readonly header: ResponseHeader;
  readonly version: string;
  readonly dbSize: bigint;
  /** Bytes of the database holding live data (etcd's dbSizeInUse). */
  readonly dbSizeInUse: bigint;
  readonly leader: bigint;
  readonly raftIndex: bigint;
  readonly raftTerm: bigint;
  readonly raftAppliedIndex: bigint;
  readonly isLearner: boolean;
}

/** Normalises an endpoint to a ws URL. */
export function endpointUrl(endpoint: string): string {
  const trimmed = endpoint.trim();
  if (/^wss?:\/\//.test(trimmed)) return trimmed;
  if (/^https?:\/\//.test(trimmed)) return trimmed.replace(/^http/, 'ws');
  return `ws://${trimmed}`;
}

const RETRY_BACKOFF_MS = 50;
const MOVE_ON_CODES = new Set(['no_leader', 'not_leader', 'stopped', 'learner_not_ready']);

/**
 * A Synod client. Connects lazily to the first reachable endpoint and moves to the next one when a
 * connection drops. Reads are retried on another connection when that is safe; a write is retried
 * only when it certainly was not applied, and otherwise fails with `outcomeUnknown` set.
 * Release it with `close()` or `await using`.
 */
export class Client implements AsyncDisposable {
  readonly endpoints: readonly string[];
  private readonly dialTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly watches = new Set<Watch>();
  /** Membership and maintenance calls. */
  readonly cluster: Cluster = new Cluster((method, params, options) => this.call(method, params, options));
  /** Lease calls: `client.lease.grant(ttl)`. */
  readonly lease: Leases = new Leases((method, params, options) => this.call(method, params, options));
  private connection: Promise<Connection> | null = null;
  private endpointIndex = 0;
  private closed = false;

  constructor(options: ClientOptions = {}) {
    const endpoints = options.endpoints ?? ['127.0.0.1:2379'];
    if (endpoints.length === 0) throw new TypeError('at least one endpoint is needed');
    this.endpoints = endpoints.map(endpointUrl);
    this.dialTimeoutMs = options.dialTimeoutMs ?? 5000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Reads one key, or a range of keys with `prefix`, `fromKey` or `rangeEnd`. */
  async get(key: BytesInput, options: GetOptions & CallOptions = {}): Promise<GetResult> {
    const result = await this.call('kv.range', rangeParams(key, options), { ...options, idempotent: true });
    return { header: decodeHeader(result['header']), ...decodeGet(result) };
  }

  /** Writes a key; one new revision. */
  async put(key: BytesInput, value: BytesInput, options: PutOptions & CallOptions = {}): Promise<PutResult> {
    const result = await this.call('kv.put', putParams(key, value, options), { ...options, idempotent: false });
    return { header: decodeHeader(result['header']), ...decodePut(result) };
  }

  /** Deletes one key or a range; one new revision if anything was deleted. */
  async delete(key: BytesInput, options: DeleteOptions & CallOptions = {}): Promise<DeleteResult> {
    const result = await this.call('kv.deleterange', deleteParams(key, options), { ...options, idempotent: false });
    return { header: decodeHeader(result['header']), ...decodeDelete(result) };
  }

  /** Starts a txn: `client.txn().if(compare...).then(op...).else(op...).commit()`. */
  txn(): TxnBuilder {
    return new TxnBuilder(async (params, options) => {
      const result = await this.call('kv.txn', params, { ...options, idempotent: false });
      return { header: decodeHeader(result['header']), ...decodeTxn(result) } satisfies TxnResult;
    });
  }

  /** Discards history below `revision`; reads and watches below it then fail with CompactedError. */
  async compact(revision: bigint | number, options: CallOptions & { physical?: boolean } = {}): Promise<{ header: ResponseHeader }> {
    const params: Record<string, unknown> = { revision: int64(revision) };
    if (options.physical === true) params['physical'] = true;
    const result = await this.call('kv.compaction', params, { ...options, idempotent: false });
    return { header: decodeHeader(result['header']) };
  }

  /** Status of the member this client is connected to. */
  async status(options: CallOptions = {}): Promise<StatusResult> {
    const result = await this.call('maintenance.status', {}, { ...options, idempotent: true });
    return {
      header: decodeHeader(result['header']),
      version: String(result['version'] ?? ''),
      dbSize: BigInt(String(result['dbSize'] ?? '0')),
      dbSizeInUse: BigInt(String(result['dbSizeInUse'] ?? '0')),
      leader: BigInt(String(result['leader'] ?? '0')),
      raftIndex: BigInt(String(result['raftIndex'] ?? '0')),
      raftTerm: BigInt(String(result['raftTerm'] ?? '0')),
      raftAppliedIndex: BigInt(String(result['raftAppliedIndex'] ?? '0')),
      isLearner: result['isLearner'] === true,
    };
  }

  /**
   * Watches a key or range: `for await (const event of client.watch('svc/', { prefix: true }))`.
   * The watch survives reconnects and failover without losing or repeating an event.
   */
  watch(key: BytesInput, options: WatchOptions = {}): Watch {
    if (this.closed) throw new CanceledError('client is closed', { outcomeUnknown: false });
    const host: WatchHost = {
      connect: (signal) => this.connect(signal),
      dropConnection: (connection, close) => this.dropConnection(connection, close),
      get: (rangeKey, rangeOptions) => this.get(rangeKey, rangeOptions),
      requestTimeoutMs: this.requestTimeoutMs,
      onClosed: (closed) => this.watches.delete(closed),
    };
    const watch = new Watch(host, key, options);
    this.watches.add(watch);
    watch.ready().catch(() => undefined);
    return watch;
  }

  /** Closes the connection and every watch; calls made afterwards fail. */
  async close(): Promise<void> {
    this.closed = true;
    this.lease.releaseAll();
    await Promise.all([...this.watches].map((watch) => watch.cancel()));
    this.watches.clear();
    const connection = this.connection;
    this.connection = null;
    if (connection !== null) (await connection.catch(() => null))?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * Sends one call, failing over between endpoints. `idempotent` calls are retried after a lost
   * connection; other calls only when the failure proves they were not applied.
   */
  private async call(
    method: string,
    params: object,
    options: CallOptions & { idempotent: boolean },
  ): Promise<Record<string, unknown>> {
    const timeoutMs = options.timeoutMs ?? this.requestTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let lastError: SynodError | null = null;
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new CanceledError('client is closed', { outcomeUnknown: false });
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        throw lastError ?? new TimeoutError(`${method} got no answer within ${timeoutMs} ms`, { outcomeUnknown: !options.idempotent });
      }
      let connection: Connection;
      try {
        connection = await this.connect(options.signal);
      } catch (error) {
        // Never sent: always safe to try again until the deadline.
        lastError = error as SynodError;
        if (error instanceof CanceledError) throw error;
        await delay(Math.min(RETRY_BACKOFF_MS * (attempt + 1), Math.max(0, deadline - Date.now())));
        continue;
      }
      try {
        return await connection.call(method, params, { signal: options.signal, timeoutMs: remainingMs });
      } catch (error) {
        if (!(error instanceof SynodError)) throw error;
        // A member that cannot serve (no leader, not the leader, stopping) sends us to the next endpoint.
        if (!connection.isOpen || MOVE_ON_CODES.has(error.code)) void this.dropConnection(connection, error.code !== 'connection_lost');
        const safeToRetry = options.idempotent ? error.retryable : error.retryable && !error.outcomeUnknown;
        if (!safeToRetry || error instanceof CanceledError) throw error;
        lastError = error;
        await delay(Math.min(RETRY_BACKOFF_MS * (attempt + 1), Math.max(0, deadline - Date.now())));
      }
    }
  }

  private connect(signal?: AbortSignal): Promise<Connection> {
    if (this.connection === null) {
      const attempt = this.dial(signal);
      this.connection = attempt;
      attempt.then(
        (connection) => connection.onLost(() => void this.dropConnection(connection)),
        () => {
          if (this.connection === attempt) this.connection = null;
        },
      );
    }
    return this.connection;
  }

  private async dial(signal?: AbortSignal): Promise<Connection> {
    const problems: string[] = [];
    for (let tried = 0; tried < this.endpoints.length; tried++) {
      const endpoint = this.endpoints[this.endpointIndex % this.endpoints.length]!;
      try {
        return await Connection.open(endpoint, this.dialTimeoutMs, signal);
      } catch (error) {
        if (error instanceof CanceledError) throw error;
        problems.push((error as Error).message);
        this.endpointIndex++;
      }
    }
    throw new UnavailableError(`no endpoint is reachable: ${problems.join('; ')}`);
  }

  /**
   * Forgets `connection` if it is the current one, so that the next call dials the next endpoint.
   * Resolves once that is done: a caller that reconnects at once must await it, or it gets `connection`
   * back.
   */
  private async dropConnection(connection: Connection, close = false): Promise<void> {
    await this.connection?.then((current) => {
      if (current === connection) {
        this.connection = null;
        this.endpointIndex++;
        if (close) connection.closeWhenIdle();
      }
    }, () => undefined);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
