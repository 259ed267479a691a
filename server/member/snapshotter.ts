import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import type { ConfState, MemoryStorage, Message, Snapshot } from '../raft/index.js';
import type { RaftStorage } from '../storage/raft-storage.js';
import { StateStore } from '../storage/state-store.js';
import type { StateMachine } from './state-machine.js';
import { STATE_DIR_PREFIX } from './data-dir.js';

export interface SnapshotterOptions {
  readonly dataDir: string;
  readonly snapshotCount: number;
  readonly snapshotCatchUpEntries: number;
  readonly memoryStorage: MemoryStorage;
  readonly raftStorage: RaftStorage;
  readonly machine: StateMachine;
  readonly log: Logger;
  /** Waits until every applied batch is written to the state database. */
  readonly flushApplied: () => Promise<void>;
}

/**
 * Snapshots of a member. The state machine lives in its own LevelDB, so taking a snapshot only records
 * its Raft metadata (after syncing the state) and truncates the log behind it; sending one streams the
 * whole state database; receiving one writes a new state directory, which Raft then installs.
 */
export class Snapshotter {
  /** Index of the latest snapshot. */
  snapshotIndex: number;
  private confChanged = false;

  constructor(private readonly options: SnapshotterOptions) {
    this.snapshotIndex = options.memoryStorage.snapshot().metadata.index;
  }

  /**
   * A membership change was applied. The next snapshot must include it: a member added after the
   * latest snapshot would refuse that snapshot (it is not in its configuration).
   */
  noteConfChange(): void {
    this.confChanged = true;
  }

  /** Takes a snapshot at `applied` when `--snapshot-count` entries passed (or a conf change is pending). */
  async maybeTake(applied: number, confState: ConfState): Promise<void> {
    const due = applied - this.snapshotIndex >= this.options.snapshotCount || (this.confChanged && applied > this.snapshotIndex);
    if (!due) return;
    this.confChanged = false;
    const { memoryStorage, raftStorage } = this.options;
    // The log behind the snapshot goes away, so the state it produced must be on disk first.
    await this.options.flushApplied();
    await this.options.machine.state.sync();
    const snapshot = memoryStorage.createSnapshot(applied, confState, new Uint8Array(0));
    await raftStorage.saveSnapshotMetadata(snapshot.metadata);
    this.snapshotIndex = applied;
    const compactTo = applied - this.options.snapshotCatchUpEntries;
    if (compactTo > memoryStorage.firstIndex()) {
      memoryStorage.compact(compactTo);
      await raftStorage.compact(compactTo);
    }
    this.options.log.info({ index: applied, compactTo }, 'took a snapshot');
  }

  /** The chunks of the whole state database, for a 'snap' message. */
  exportChunks(): AsyncIterable<Uint8Array> {
    return this.options.machine.state.exportChunks();
  }

  /** Stores an incoming snapshot in a new state directory; returns the message to step into Raft. */
  async receive(message: Message, chunks: AsyncIterable<Uint8Array>): Promise<Message> {
    const dir = `${STATE_DIR_PREFIX}${nanoid(8)}`;
    try {
      await StateStore.importChunks(join(this.options.dataDir, dir), chunks);
    } catch (error) {
      await rm(join(this.options.dataDir, dir), { recursive: true, force: true });
      throw error;
    }
    const snapshot: Snapshot = { metadata: message.snapshot!.metadata, data: Buffer.from(dir, 'utf8') };
    return { ...message, snapshot };
  }

  /** The state directory a received snapshot names. */
  static directoryOf(snapshot: Snapshot): string {
    return Buffer.from(snapshot.data).toString('utf8');
  }

  /**
   * Switches the state machine to the snapshot's directory (Raft already recorded the switch) and
   * removes the previous one. Returns the applied index of the new state.
   */
  async install(snapshot: Snapshot, previousDir: string): Promise<number> {
    const dir = Snapshotter.directoryOf(snapshot);
    await this.options.flushApplied();
    const appliedIndex = await this.options.machine.replace(join(this.options.dataDir, dir));
    this.snapshotIndex = snapshot.metadata.index;
    this.options.log.info({ index: snapshot.metadata.index, appliedIndex }, 'installed a snapshot');
    await rm(join(this.options.dataDir, previousDir), { recursive: true, force: true });
    return appliedIndex;
  }
}
