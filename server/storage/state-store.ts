import { ClassicLevel } from 'classic-level';
import { mkdir } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { HistoryReader } from '../mvcc/store.js';
import type { Change, KeyValue, Revision } from '../mvcc/types.js';
import {
  PREFIX,
  decodeChange,
  encodeChange,
  kvKey,
  leaseKey,
  metaKey,
  revisionOfKvKey,
  type StoredChange,
} from './encoding.js';


type Db = ClassicLevel<Buffer, Buffer>;
type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

/** What one apply batch writes: state changes plus the applied index, atomically. */
export interface ApplyBatch {
  readonly appliedIndex: number;
  readonly changes: readonly Change[];
  readonly dropped: readonly Revision[];
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Lease records to write (grants, renewals, checkpoints) and lease ids to delete (revokes). */
  readonly leasePuts?: readonly StoredLease[];
  readonly leaseDeletes?: readonly bigint[];
}

/** A lease record as stored. */
export interface StoredLease {
  readonly id: bigint;
  readonly ttlSeconds: number;
  readonly remainingMs: number | null;
  readonly renewals: number;
}

/**
 * The state machine's LevelDB (one directory inside the data dir): the MVCC changes by revision and
 * the meta fields (applied index, revision, compact revision, members). Apply batches are not synced:
 * the synced Raft log replays them after a crash, and the applied index lives in the same batch as the
 * changes it covers. A snapshot install replaces the whole database with another directory (`reopen`).
 */
export class StateStore implements HistoryReader {
  /** Changes committed in memory but not yet written, so history reads see them meanwhile. */
  private readonly unwritten = new Map<string, Change>();

  private constructor(
    private db: Db,
    private locationValue: string,
  ) {}

  /** Where the database lives. */
  get location(): string {
    return this.locationValue;
  }

  /** Opens (creating if needed) the database at `location`. */
  static async open(location: string): Promise<StateStore> {
    return new StateStore(await openDb(location), location);
  }

  /** Switches to the database at `location` (a snapshot just installed there). */
  async reopen(location: string): Promise<void> {
    await this.db.close();
    this.unwritten.clear();
    this.db = await openDb(location);
    this.locationValue = location;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Makes every write so far durable (before the Raft log is truncated past them). */
  async sync(): Promise<void> {
    await this.db.put(metaKey('synced'), Buffer.from('true'), { sync: true });
  }

  /**
   * The whole database as a stream of chunks of `[key length u32][key][value length u32][value]`
   * records, read from one consistent LevelDB snapshot (the applied index inside matches the data).
   */
  async *exportChunks(chunkBytes = 1024 * 1024): AsyncGenerator<Uint8Array> {
    let parts: Buffer[] = [];
    let size = 0;
    for await (const [key, value] of this.db.iterator()) {
      const header = Buffer.allocUnsafe(4);
      header.writeUInt32BE(key.length, 0);
      const valueHeader = Buffer.allocUnsafe(4);
      valueHeader.writeUInt32BE(value.length, 0);
      parts.push(header, key, valueHeader, value);
      size += 8 + key.length + value.length;
      if (size >= chunkBytes) {
        yield Buffer.concat(parts);
        parts = [];
        size = 0;
      }
    }
    if (size > 0) yield Buffer.concat(parts);
  }

  /**
   * Writes an exported stream into a new database at `location`, durably, and closes it. Throws (and
   * leaves a partial directory the caller removes) if the stream is malformed or fails.
   */
  static async importChunks(location: string, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const db = await openDb(location);
    try {
      let pending = Buffer.alloc(0);
      let ops: BatchOp[] = [];
      for await (const chunk of chunks) {
        pending = pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([pending, chunk]);
        let offset = 0;
        while (pending.length - offset >= 4) {
          const keyLength = pending.readUInt32BE(offset);
          if (pending.length - offset < 8 + keyLength) break;
          const valueLength = pending.readUInt32BE(offset + 4 + keyLength);
          const end = offset + 8 + keyLength + valueLength;
          if (pending.length < end) break;
          ops.push({ type: 'put', key: Buffer.from(pending.subarray(offset + 4, offset + 4 + keyLength)), value: Buffer.from(pending.subarray(offset + 8 + keyLength, end)) });
          offset = end;
        }
        pending = pending.subarray(offset);
        if (ops.length >= 4096) {
          await db.batch(ops);
          ops = [];
        }
      }
      if (pending.length > 0) throw new Error(`snapshot stream ends inside a record (${pending.length} bytes left)`);
      ops.push({ type: 'put', key: metaKey('synced'), value: Buffer.from('true') });
      await db.batch(ops, { sync: true });
    } finally {
      await db.close();
    }
  }

  /** A meta field, JSON-decoded, or undefined. */
  async getMeta<T>(name: string): Promise<T | undefined> {
    const value = await this.db.get(metaKey(name));
    return value === undefined ? undefined : (JSON.parse(value.toString('utf8')) as T);
  }

  /** Writes meta fields durably (sync). */
  async putMeta(fields: Readonly<Record<string, unknown>>): Promise<void> {
    await this.db.batch(metaOps(fields), { sync: true });
  }

  /**
   * Makes changes visible to history reads at once, before their apply batch is written. The apply
   * path calls it right after changing the in-memory store, so a later entry of the same batch (or a
   * concurrent read) can read them.
   */
  stageChanges(changes: readonly Change[]): void {
    for (const change of changes) this.unwritten.set(revisionId(change.revision), change);
  }

  /**
   * Writes one apply batch: the changes, the removal of compacted revisions, the applied index and any
   * meta fields, atomically. Staged changes stay readable from memory until the write lands.
   */
  async writeApply(batch: ApplyBatch): Promise<void> {
    const ops: BatchOp[] = [];
    for (const change of batch.changes) {
      this.unwritten.set(revisionId(change.revision), change);
      ops.push({ type: 'put', key: kvKey(change.revision), value: encodeChange(change.key, change.kv) });
    }
    for (const revision of batch.dropped) ops.push({ type: 'del', key: kvKey(revision) });
    for (const lease of batch.leasePuts ?? []) {
      const value = { ttlSeconds: lease.ttlSeconds, remainingMs: lease.remainingMs, renewals: lease.renewals };
      ops.push({ type: 'put', key: leaseKey(lease.id), value: Buffer.from(JSON.stringify(value), 'utf8') });
    }
    for (const id of batch.leaseDeletes ?? []) ops.push({ type: 'del', key: leaseKey(id) });
    ops.push(...metaOps({ ...batch.meta, applied: batch.appliedIndex }));
    try {
      await this.db.batch(ops);
    } finally {
      for (const change of batch.changes) {
        const id = revisionId(change.revision);
        if (this.unwritten.get(id) === change) this.unwritten.delete(id);
      }
    }
  }

  /** HistoryReader: the stored values at the given revisions (null where none is stored). */
  async read(revisions: readonly Revision[]): Promise<(KeyValue | null)[]> {
    const results: (KeyValue | null)[] = new Array(revisions.length).fill(null);
    const missing: number[] = [];
    revisions.forEach((revision, i) => {
      const pending = this.unwritten.get(revisionId(revision));
      if (pending !== undefined) results[i] = pending.kv;
      else missing.push(i);
    });
    if (missing.length > 0) {
      const values = await this.db.getMany(missing.map((i) => kvKey(revisions[i]!)));
      values.forEach((value, j) => {
        const i = missing[j]!;
        if (value !== undefined) results[i] = decodeChange(revisions[i]!, value).kv;
      });
    }
    return results;
  }

  /** Every stored MVCC change in revision order (start-up rebuilds the key index from it). */
  async *scanChanges(): AsyncGenerator<{ revision: Revision; change: StoredChange }> {
    for await (const [key, value] of this.db.iterator({ gte: Buffer.of(PREFIX.kv), lt: Buffer.of(PREFIX.kv + 1) })) {
      const revision = revisionOfKvKey(key);
      yield { revision, change: decodeChange(revision, value) };
    }
  }

  /**
   * The changes of revisions [fromMain, toMain], in (main, sub) order, whole revisions only, including
   * changes committed in memory and not yet written. The watch hub replays history with it.
   */
  async readChanges(fromMain: number, toMain: number): Promise<{ revision: Revision; change: StoredChange }[]> {
    // Copy the unwritten changes before reading the database: one whose batch lands during the scan
    // leaves `unwritten` and may be missing from the iterator's snapshot, but is in this copy; one
    // not in the copy was written before the iterator was created.
    const staged = [...this.unwritten].filter(([, change]) => change.revision.main >= fromMain && change.revision.main <= toMain);
    const found = new Map<string, { revision: Revision; change: StoredChange }>();
    const iterator = this.db.iterator({ gte: kvKey({ main: fromMain, sub: 0 }), lt: kvKey({ main: toMain + 1, sub: 0 }) });
    for await (const [key, value] of iterator) {
      const revision = revisionOfKvKey(key);
      found.set(revisionId(revision), { revision, change: decodeChange(revision, value) });
    }
    for (const [id, change] of staged) {
      if (!found.has(id)) found.set(id, { revision: change.revision, change: { key: change.key, kv: change.kv } });
    }
    return [...found.values()].sort((a, b) => a.revision.main - b.revision.main || a.revision.sub - b.revision.sub);
  }

  /**
   * A CRC-32 over every stored change with revision <= `revision`, in revision order (etcd's HashKV):
   * members that applied the same entries hold the same history, so their hashes match.
   */
  async hashKv(revision: number): Promise<number> {
    // As in readChanges: the unwritten changes are copied before the database is read.
    const staged = [...this.unwritten].filter(([, change]) => change.revision.main <= revision);
    const records = new Map<string, { key: Buffer; value: Buffer }>();
    for await (const [key, value] of this.db.iterator({ gte: Buffer.of(PREFIX.kv), lt: kvKey({ main: revision + 1, sub: 0 }) })) {
      records.set(revisionId(revisionOfKvKey(key)), { key, value });
    }
    for (const [id, change] of staged) records.set(id, { key: kvKey(change.revision), value: encodeChange(change.key, change.kv) });
    let hash = 0;
    for (const record of [...records.values()].sort((a, b) => Buffer.compare(a.key, b.key))) {
      hash = crc32(record.key, hash);
      hash = crc32(record.value, hash);
    }
    return hash >>> 0;
  }

  /** Every stored lease record. */
  async scanLeases(): Promise<StoredLease[]> {
    const leases: StoredLease[] = [];
    for await (const [key, value] of this.db.iterator({ gte: Buffer.of(PREFIX.lease), lt: Buffer.of(PREFIX.lease + 1) })) {
      const record = JSON.parse(value.toString('utf8')) as { ttlSeconds: number; remainingMs: number | null; renewals: number };
      leases.push({ id: key.readBigInt64BE(1), ...record });
    }
    return leases;
  }

  /** Number of stored MVCC change records (tests use it to prove compaction frees space). */
  async countChanges(): Promise<number> {
    let count = 0;
    for await (const _key of this.db.keys({ gte: Buffer.of(PREFIX.kv), lt: Buffer.of(PREFIX.kv + 1) })) count++;
    return count;
  }
}

function revisionId(revision: Revision): string {
  return `${revision.main}.${revision.sub}`;
}

function metaOps(fields: Readonly<Record<string, unknown>>): BatchOp[] {
  return Object.entries(fields).map(([name, value]) => ({
    type: 'put',
    key: metaKey(name),
    value: Buffer.from(JSON.stringify(value), 'utf8'),
  }));
}

async function openDb(location: string): Promise<Db> {
  await mkdir(location, { recursive: true });
  const db: Db = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    throw new Error(`cannot open the state database ${location}: ${cause.message}`, { cause: error });
  }
  return db;
}

