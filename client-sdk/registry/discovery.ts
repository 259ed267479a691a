import type { Client } from '../client.js';
import { SynodError } from '../errors.js';
import type { KeyValue } from '../kv-types.js';
import type { Watch } from '../watch.js';
import { decodeInstance, type ServiceInstance } from './instance.js';
import { RandomPicker, RoundRobinPicker, type Picker } from './pickers.js';

/** What changed in a discovered set since the reader's previous change (or since it subscribed). */
export interface DiscoveryChange {
  readonly added: readonly ServiceInstance[];
  readonly removed: readonly ServiceInstance[];
  /** Instances still there whose registration was rewritten (new lease, new address, metadata...). */
  readonly updated: readonly ServiceInstance[];
  /** The whole set after the change, sorted by id. */
  readonly instances: readonly ServiceInstance[];
  /** The revision the set reflects. */
  readonly revision: bigint;
  /** True when history was compacted since the previous change and the set was re-read whole. */
  readonly resynced: boolean;
}

/**
 * A live, cached view of one service's instances, fed by one watch of its prefix. `instances()` is
 * always the set as of `revision` (no call to the cluster). The watch resumes across reconnects and
 * failover without missing a change, and after a compaction it re-reads the whole prefix (a `resynced`
 * change). A value that is not a valid registration is left out. Close it (or `await using`) to stop
 * the watch.
 */
export class Discovery implements AsyncIterable<DiscoveryChange>, AsyncDisposable {
  private readonly byKey = new Map<string, ServiceInstance>();
  private sorted: ServiceInstance[] = [];
  private revisionValue: bigint;
  /** Bumped on every change of the set; readers compare it with what they saw. */
  private version = 0;
  private resyncs = 0;
  private failure: SynodError | null = null;
  private closed = false;
  private readonly waiters = new Set<() => void>();
  private readonly watch: Watch;
  private readonly loop: Promise<void>;

  private constructor(
    client: Client,
    private readonly prefix: string,
    readonly service: string,
    initial: { kvs: KeyValue[]; revision: bigint },
  ) {
    for (const kv of initial.kvs) this.apply(kv);
    this.revisionValue = initial.revision;
    this.refresh();
    this.watch = client.watch(`${prefix}${service}/`, { prefix: true, startRevision: initial.revision + 1n, onCompacted: 'resync' });
    this.loop = this.follow();
  }

  /** @internal Reads the current set, then follows changes. */
  static async open(client: Client, prefix: string, service: string, options: { signal?: AbortSignal } = {}): Promise<Discovery> {
    const initial = await client.get(`${prefix}${service}/`, { prefix: true, ...options });
    const discovery = new Discovery(client, prefix, service, { kvs: initial.kvs, revision: initial.header.revision });
    options.signal?.addEventListener('abort', () => void discovery.close(), { once: true });
    return discovery;
  }

  /** The instances now, sorted by id (a snapshot: later changes do not alter the array). */
  instances(): readonly ServiceInstance[] {
    return this.sorted;
  }

  /** The revision the cached set reflects. */
  get revision(): bigint {
    return this.revisionValue;
  }

  /** A picker over the live set: `round-robin` (in id order) or `random`. */
  picker(strategy: 'round-robin' | 'random' = 'round-robin'): Picker {
    return strategy === 'random' ? new RandomPicker(this) : new RoundRobinPicker(this);
  }

  /**
   * The current set first (as `added`), then one change per update of the set. Changes that arrive
   * while the reader is busy are merged into one (so a slow reader costs no memory and always gets the
   * latest set). Ends when the discovery is closed or `signal` aborts; throws if its watch failed for
   * good (e.g. the client was closed).
   */
  async *changes(options: { signal?: AbortSignal } = {}): AsyncGenerator<DiscoveryChange> {
    let seen: Map<string, ServiceInstance> | null = null;
    let seenVersion = -1;
    let seenResyncs = this.resyncs;
    const signal = options.signal;
    while (signal?.aborted !== true) {
      if (seenVersion !== this.version) {
        seenVersion = this.version;
        const change = this.diff(seen, seen !== null && this.resyncs !== seenResyncs);
        seenResyncs = this.resyncs;
        seen = new Map(this.byKey);
        if (change !== null) yield change;
        continue;
      }
      if (this.failure !== null) throw this.failure;
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
  }

  [Symbol.asyncIterator](): AsyncGenerator<DiscoveryChange> {
    return this.changes();
  }

  /** Stops following; readers end after their last change. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watch.cancel();
    await this.loop;
    this.wakeAll();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async follow(): Promise<void> {
    try {
      for await (const event of this.watch) {
        if (event.type === 'put') this.apply(event.kv);
        else if (event.type === 'delete') this.byKey.delete(event.kv.key.toString());
        else if (event.type === 'resync') {
          this.byKey.clear();
          for (const kv of event.kvs) this.apply(kv);
          this.resyncs++;
        } else continue;
        this.revisionValue = event.revision;
        this.refresh();
      }
    } catch (error) {
      this.failure = error instanceof SynodError ? error : new SynodError('internal', String(error), { cause: error });
    }
    this.closed = true;
    this.wakeAll();
  }

  private apply(kv: KeyValue): void {
    const instance = decodeInstance(this.prefix, kv);
    if (instance === null || instance.service !== this.service) this.byKey.delete(kv.key.toString());
    else this.byKey.set(instance.key, instance);
  }

  private refresh(): void {
    this.sorted = [...this.byKey.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.version++;
    this.wakeAll();
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }

  /** The change from `seen` (null: nothing yielded yet) to the current set; null if nothing differs. */
  private diff(seen: Map<string, ServiceInstance> | null, resynced: boolean): DiscoveryChange | null {
    const added: ServiceInstance[] = [];
    const updated: ServiceInstance[] = [];
    const removed: ServiceInstance[] = [];
    for (const instance of this.sorted) {
      const before = seen?.get(instance.key);
      if (before === undefined) added.push(instance);
      else if (before.modRevision !== instance.modRevision) updated.push(instance);
    }
    for (const [key, instance] of seen ?? []) if (!this.byKey.has(key)) removed.push(instance);
    if (seen !== null && added.length === 0 && updated.length === 0 && removed.length === 0) return null;
    return { added, removed, updated, instances: this.sorted, revision: this.revisionValue, resynced };
  }
}
