import { MvccStore } from '../mvcc/store.js';
import { StateStore } from '../storage/state-store.js';
import { WatchHub } from '../watch/hub.js';
import { Membership, type MemberInfo } from './membership.js';
import { Lessor } from '../lease/lessor.js';

/**
 * The replicated state of a member: the MVCC store over its state database, the watch hub fed by it,
 * and the membership registry. It loads from the state database at start-up and reloads when a
 * snapshot replaces that database.
 */
export class StateMachine {
  readonly store: MvccStore;
  readonly watchHub: WatchHub;
  readonly membership = new Membership();
  /** Leases; time is this process's monotonic clock (ms). */
  readonly lessor = new Lessor(() => performance.now());

  private constructor(readonly state: StateStore) {
    this.store = new MvccStore(state);
    this.store.onCommit((_revision, changes) => {
      state.stageChanges(changes);
      this.lessor.onChanges(changes);
    });
    this.watchHub = new WatchHub(this.store, state);
  }

  /** Opens the state database at `location` and loads it. */
  static async open(location: string): Promise<{ machine: StateMachine; appliedIndex: number }> {
    const machine = new StateMachine(await StateStore.open(location));
    const appliedIndex = await machine.load();
    return { machine, appliedIndex };
  }

  /**
   * Switches to the state database at `location` (just filled from a snapshot) and reloads everything;
   * watchers are caught up from the new history (or canceled as compacted). Returns its applied index.
   */
  async replace(location: string): Promise<number> {
    this.watchHub.resyncAll(this.store.currentRevision);
    await this.state.reopen(location);
    this.store.clear();
    this.lessor.clear();
    const applied = await this.load();
    this.watchHub.kick();
    return applied;
  }

  /** Writes the initial state of a brand-new member: its applied index and the initial members. */
  static async initialize(location: string, appliedIndex: number, members: readonly MemberInfo[]): Promise<void> {
    const state = await StateStore.open(location);
    try {
      await state.writeApply({ appliedIndex, changes: [], dropped: [], meta: { members, revision: 1, compactRevision: 0 } });
      await state.sync();
    } finally {
      await state.close();
    }
  }

  private async load(): Promise<number> {
    for await (const { revision, change } of this.state.scanChanges()) this.store.restoreChange(revision, change.key, change.kv);
    this.store.restoreRevisions((await this.state.getMeta<number>('revision')) ?? 1, (await this.state.getMeta<number>('compactRevision')) ?? 0);
    this.membership.reset((await this.state.getMeta<MemberInfo[]>('members')) ?? []);
    for (const lease of await this.state.scanLeases()) this.lessor.restore(lease);
    // Attachments are not stored apart: they are the leases of the live keys.
    for (const history of this.store.histories({ key: '\x00', end: '\x00' })) {
      if (history.current !== null && history.current.lease !== 0n) this.lessor.attach(history.key, history.current.lease);
    }
    return (await this.state.getMeta<number>('applied')) ?? 0;
  }
}
