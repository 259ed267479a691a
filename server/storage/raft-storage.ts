import { ClassicLevel } from 'classic-level';
import { mkdir } from 'node:fs/promises';
import type { Entry, HardState, Snapshot, SnapshotMetadata } from '../raft/index.js';
import { MemoryStorage } from '../raft/index.js';
import { indexOfLogKey, logKey, readUint64, writeUint64 } from './encoding.js';
import { assert } from '../errors.js';

type Db = ClassicLevel<Buffer, Buffer>;
type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

const KEY_HARD_STATE = Buffer.from('h');
const KEY_SNAPSHOT = Buffer.from('s');
const KEY_STATE_DIR = Buffer.from('d');
const KEY_IDENTITY = Buffer.from('i');
const LOG_START = logKey(0);
const LOG_END = Buffer.of(0x66);

const TYPE_NORMAL = 0;
const TYPE_CONF_CHANGE = 1;

/** What survives a restart of the Raft side of a member. */
export interface RaftState {
  readonly hardState: HardState | null;
  readonly snapshot: SnapshotMetadata | null;
  readonly entries: Entry[];
  /** The directory (inside the data dir) of the state machine database in use. */
  readonly stateDir: string | null;
  readonly identity: unknown;
}

/**
 * The member's Raft log on disk: entries by index, the hard state, the latest snapshot's metadata, the
 * member's identity, and which state-machine directory is current. Every write is one LevelDB batch,
 * synced whenever it holds entries, a snapshot, a term or a vote, so they land together or not at all,
 * before any message that depends on them is sent. Switching the state directory happens in the same
 * batch as the snapshot metadata it belongs to, so a crash never pairs a snapshot with the wrong state.
 */
export class RaftStorage {
  private lastIndexValue = 0;
  /** Told how long each synced batch of `save` took (seconds), for the fsync metric. */
  onSynced: ((seconds: number) => void) | null = null;

  private constructor(private readonly db: Db) {}

  static async open(dir: string): Promise<RaftStorage> {
    await mkdir(dir, { recursive: true });
    const db: Db = new ClassicLevel<Buffer, Buffer>(`${dir}/raft`, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    try {
      await db.open();
    } catch (error) {
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      throw new Error(`cannot open the data directory ${dir}: ${cause.message}`, { cause: error });
    }
    return new RaftStorage(db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  /** Reads everything persisted. */
  async load(): Promise<RaftState> {
    const hardState = await this.getJson<HardState>(KEY_HARD_STATE);
    const snapshot = await this.getJson<SnapshotMetadata>(KEY_SNAPSHOT);
    const stateDir = await this.getJson<string>(KEY_STATE_DIR);
    const identity = await this.getJson<unknown>(KEY_IDENTITY);
    const entries: Entry[] = [];
    for await (const [key, value] of this.db.iterator({ gte: LOG_START, lt: LOG_END })) entries.push(decodeEntry(indexOfLogKey(key), value));
    this.lastIndexValue = entries.at(-1)?.index ?? snapshot?.index ?? 0;
    return { hardState: hardState ?? null, snapshot: snapshot ?? null, entries, stateDir: stateDir ?? null, identity };
  }

  /** Builds the in-memory mirror the Raft core reads from. */
  static mirror(state: RaftState): MemoryStorage {
    const storage = new MemoryStorage();
    if (state.snapshot !== null) storage.applySnapshot({ metadata: state.snapshot, data: new Uint8Array(0) });
    const entries = state.entries.filter((entry) => entry.index > (state.snapshot?.index ?? 0));
    if (entries.length > 0) storage.append(entries);
    if (state.hardState !== null) storage.setHardState(state.hardState);
    return storage;
  }

  /**
   * Persists one Ready's worth of Raft state in a single batch: a snapshot's metadata (dropping every
   * entry it covers, and switching to `stateDir` when given), new entries (replacing any stored suffix
   * from their first index on), and the hard state. The batch is synced unless the Ready says it need
   * not be (`mustSync` false: only the commit index moved, which Raft re-learns after a power loss;
   * the next synced batch makes it durable too, LevelDB's log being written in order).
   */
  async save(ready: { snapshot: Snapshot | null; entries: readonly Entry[]; hardState: HardState | null; mustSync?: boolean }, stateDir?: string): Promise<void> {
    const ops: BatchOp[] = [];
    if (ready.snapshot !== null) {
      ops.push({ type: 'put', key: KEY_SNAPSHOT, value: json(ready.snapshot.metadata) });
      ops.push(...(await this.deleteRange(0, Math.max(this.lastIndexValue, ready.snapshot.metadata.index))));
      this.lastIndexValue = ready.snapshot.metadata.index;
    }
    if (stateDir !== undefined) ops.push({ type: 'put', key: KEY_STATE_DIR, value: json(stateDir) });
    const first = ready.entries[0];
    if (first !== undefined) {
      const last = ready.entries.at(-1)!.index;
      if (last < this.lastIndexValue) ops.push(...(await this.deleteRange(last + 1, this.lastIndexValue)));
      for (const entry of ready.entries) ops.push({ type: 'put', key: logKey(entry.index), value: encodeEntry(entry) });
      this.lastIndexValue = last;
    }
    if (ready.hardState !== null) ops.push({ type: 'put', key: KEY_HARD_STATE, value: json(ready.hardState) });
    if (ops.length === 0) return;
    if (ready.mustSync === false && stateDir === undefined) {
      await this.db.batch(ops, { sync: false });
      return;
    }
    const started = performance.now();
    await this.db.batch(ops, { sync: true });
    this.onSynced?.((performance.now() - started) / 1000);
  }

  /** Records the metadata of a snapshot this member took of its own state (synced). */
  async saveSnapshotMetadata(metadata: SnapshotMetadata): Promise<void> {
    await this.db.put(KEY_SNAPSHOT, json(metadata), { sync: true });
  }

  /** Removes entries at or below `index` (covered by a snapshot); no sync needed, a replay tolerates them. */
  async compact(index: number): Promise<void> {
    await this.db.clear({ gte: LOG_START, lt: logKey(index + 1) });
  }

  /** Records the member's identity (written once, synced). */
  async saveIdentity(identity: unknown): Promise<void> {
    await this.db.put(KEY_IDENTITY, json(identity), { sync: true });
  }

  /** Records the state directory in use (synced). */
  async saveStateDir(stateDir: string): Promise<void> {
    await this.db.put(KEY_STATE_DIR, json(stateDir), { sync: true });
  }

  /** Deletions of every stored entry in [from, to], to put in the same batch as what replaces them. */
  private async deleteRange(from: number, to: number): Promise<BatchOp[]> {
    const ops: BatchOp[] = [];
    for await (const key of this.db.keys({ gte: logKey(from), lt: logKey(to + 1) })) ops.push({ type: 'del', key });
    return ops;
  }

  private async getJson<T>(key: Buffer): Promise<T | undefined> {
    const value = await this.db.get(key);
    return value === undefined ? undefined : (JSON.parse(value.toString('utf8')) as T);
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function encodeEntry(entry: Entry): Buffer {
  const record = Buffer.allocUnsafe(9 + entry.data.byteLength);
  writeUint64(record, entry.term, 0);
  record[8] = entry.type === 'normal' ? TYPE_NORMAL : TYPE_CONF_CHANGE;
  record.set(entry.data, 9);
  return record;
}

function decodeEntry(index: number, record: Buffer): Entry {
  assert(record.length >= 9, `log entry ${index} is truncated`);
  assert(record[8] === TYPE_NORMAL || record[8] === TYPE_CONF_CHANGE, `log entry ${index} has an unknown type ${record[8]}`);
  return { index, term: readUint64(record, 0), type: record[8] === TYPE_NORMAL ? 'normal' : 'confChange', data: new Uint8Array(record.subarray(9)) };
}
