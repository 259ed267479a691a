import type { HistoryReader } from './store.js';
import type { Change, KeyValue, Revision } from './types.js';

/** A stored change as history readers return it. */
export interface RecordedChange {
  readonly revision: Revision;
  readonly change: { readonly key: string; readonly kv: KeyValue | null };
}

/** The in-memory twin of stored history, for unit tests and the simulator. */
export class MemoryHistory implements HistoryReader {
  private readonly stored = new Map<string, Change>();

  /** Stores the changes of one write, as storage would. */
  record(changes: readonly Change[]): void {
    for (const change of changes) this.stored.set(revisionKey(change.revision), change);
  }

  /** Removes revisions dropped by a compaction. */
  forget(revisions: readonly Revision[]): void {
    for (const revision of revisions) this.stored.delete(revisionKey(revision));
  }

  /** Number of stored revisions (tombstones included). */
  get size(): number {
    return this.stored.size;
  }

  async read(revisions: readonly Revision[]): Promise<(KeyValue | null)[]> {
    return revisions.map((revision) => this.stored.get(revisionKey(revision))?.kv ?? null);
  }

  /** The stored changes of revisions [fromMain, toMain] in (main, sub) order. */
  async readChanges(fromMain: number, toMain: number): Promise<RecordedChange[]> {
    return [...this.stored.values()]
      .filter((change) => change.revision.main >= fromMain && change.revision.main <= toMain)
      .sort((a, b) => a.revision.main - b.revision.main || a.revision.sub - b.revision.sub)
      .map((change) => ({ revision: change.revision, change: { key: change.key, kv: change.kv } }));
  }
}

function revisionKey(revision: Revision): string {
  return `${revision.main}.${revision.sub}`;
}
