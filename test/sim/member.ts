import {
  ConfChangeError,
  MemoryStorage,
  ProposalDroppedError,
  RawNode,
  ReadIndexDroppedError,
  decodeConfChange,
  describeReady,
  seededRng,
  type ConfState,
  type Message,
  type NodeId,
  type RaftStateType,
  type Ready,
} from '../../server/raft/index.js';
import { SimDisk } from './disk.js';
import type { InvariantChecker } from './invariants.js';
import { KvStateMachine, decodeCommand, encodeCommand, type KvCommand, type KvResult } from './kv.js';
import type { SimParams } from './params.js';
import type { SimRng } from './rng.js';

/** A member's answer to a client attempt. `dropped`: refused right now (no leader...), try again. */
export type MemberReply =
  | { readonly kind: 'written'; readonly result: KvResult }
  | { readonly kind: 'read'; readonly value: string | null }
  | { readonly kind: 'dropped'; readonly lead: NodeId }
  /** The write certainly was not applied: a leader change lost it (retried like a dropped one). */
  | { readonly kind: 'lost'; readonly lead: NodeId };

/** What a member tells the rest of the simulation. */
export interface MemberHooks {
  readonly invariants: InvariantChecker;
  /** Sends a message on the network (the member's current incarnation travels with it). */
  send(member: SimMember, msg: Message): void;
  /** A leader committed an entry of its own term (failover measurement). */
  leaderCommitted(member: SimMember, term: number): void;
  /** A conf change was applied at `index`, giving `confState`. */
  confApplied(member: SimMember, index: number, confState: ConfState): void;
  /** Receives trace lines when tracing is on (null: off, and nothing is formatted). */
  readonly trace: ((line: string) => void) | null;
}

/** Where a member is in its life. `stopped`: removed from the cluster, never restarted. */
export type MemberState = 'running' | 'crashed' | 'stopped';

/** Where a Ready handler may be cut short by a crash. */
type CrashPoint = 'none' | 'afterPersist' | 'afterSend' | 'afterApply';

/**
 * One simulated member: a RawNode over a simulated disk, a KV state machine, and the Ready loop of the
 * contract (persist, sync when `mustSync`, send, apply, advance). A crash drops the RawNode, the state
 * machine and every pending client request; a restart rebuilds them from the durable disk image (the
 * state machine from the latest durable snapshot, then the log is re-applied).
 */
export class SimMember {
  state: MemberState = 'running';
  incarnation = 0;
  node: RawNode | null = null;
  raftState: RaftStateType = 'follower';
  lead: NodeId = '';
  term = 0;
  appliedIndex = 0;
  private kv = new KvStateMachine();
  private confState: ConfState;
  private snapshotIndex = 0;
  /** A conf change was applied since the last snapshot. */
  private confChangedSinceSnapshot = false;
  /**
   * Writes proposed here, by (clientId:seq), with the term they were proposed in: once an entry of a
   * later term is applied, one still pending certainly was not applied (the rule of the real member's
   * ProposalTracker), and the client is told so at once.
   */
  private readonly pendingWrites = new Map<string, { reply: (reply: MemberReply) => void; term: number; tag: string }>();
  private proposalSeq = 0;
  private readonly pendingReads = new Map<string, { key: string; index: number | null; reply: (r: MemberReply) => void }>();
  readonly disk: SimDisk;

  constructor(
    readonly id: NodeId,
    storage: MemoryStorage,
    private readonly params: SimParams,
    private readonly rng: SimRng,
    private readonly hooks: MemberHooks,
  ) {
    this.disk = new SimDisk(storage);
    this.confState = storage.initialState().confState;
    this.start();
  }

  /** The live log (for checks). */
  get live(): MemoryStorage {
    return this.disk.live;
  }

  /** The durable image (for checks). */
  get durable(): MemoryStorage {
    return this.disk.durable;
  }

  /** True while the member runs. */
  get running(): boolean {
    return this.state === 'running';
  }

  private start(): void {
    const storage = this.disk.live;
    const snap = storage.snapshot();
    this.kv = new KvStateMachine();
    this.kv.restore(snap.data);
    this.confState = storage.initialState().confState;
    this.appliedIndex = snap.metadata.index;
    this.snapshotIndex = snap.metadata.index;
    const r = this.params.raft;
    this.node = new RawNode({
      id: this.id,
      storage,
      rng: seededRng(this.rng.seed()),
      applied: this.appliedIndex,
      electionTicks: r.electionTicks,
      heartbeatTicks: r.heartbeatTicks,
      preVote: r.preVote,
      checkQuorum: r.checkQuorum,
      maxSizePerMsgBytes: r.maxSizePerMsgBytes,
      maxInflightMsgs: r.maxInflightMsgs,
      maxUncommittedEntriesBytes: r.maxUncommittedEntriesBytes,
      unsafeCommitOldTermEntries: this.params.bug === 'commitOldTermEntries',
      unsafeAppendForwardedInAnyTerm: this.params.bug === 'forwardedAnyTerm',
    });
    const st = this.node.status();
    this.raftState = st.softState.raftState;
    this.lead = st.softState.lead;
    this.term = st.hardState.term;
    this.state = 'running';
  }

  /** Power loss: volatile state and unsynced writes are lost. */
  crash(): void {
    if (this.state !== 'running') return;
    this.hooks.trace?.(`${this.id} CRASH (${this.disk.unsyncedWrites()} unsynced writes)`);
    this.node = null;
    this.state = 'crashed';
    this.raftState = 'follower';
    this.lead = '';
    this.disk.crash(this.rng);
    this.pendingWrites.clear();
    this.pendingReads.clear();
  }

  /** Starts a new incarnation from the durable image. */
  restart(): void {
    if (this.state !== 'crashed') return;
    this.incarnation++;
    this.start();
    this.hooks.trace?.(`${this.id} RESTART incarnation ${this.incarnation} term ${this.term} applied ${this.appliedIndex} last ${this.live.lastIndex()}`);
  }

  /** Stops a member removed from the cluster for good (its disk is never read again). */
  stop(): void {
    this.crash();
    this.state = 'stopped';
  }

  /** One Raft tick. */
  tick(): void {
    if (this.node === null) return;
    this.node.tick();
    this.drain();
  }

  /** Feeds a message from the network. */
  receive(msg: Message): void {
    if (this.node === null) return;
    this.node.step(msg);
    this.drain();
  }

  /** Runs `fn` against the RawNode (transfers, conf changes, reports), then handles the Readies. */
  withNode(fn: (node: RawNode) => void): void {
    if (this.node === null) return;
    fn(this.node);
    this.drain();
  }

  /** A client write: proposed here (forwarded by Raft when this member follows). */
  submitWrite(cmd: KvCommand, reply: (r: MemberReply) => void): void {
    if (this.node === null) return;
    try {
      const tag = `${this.id}.${++this.proposalSeq}`;
      this.node.propose(encodeCommand({ ...cmd, tag }));
      this.pendingWrites.set(`${cmd.clientId}:${cmd.seq}`, { reply, term: this.node.term(), tag });
    } catch (err) {
      if (!(err instanceof ProposalDroppedError)) throw err;
      reply({ kind: 'dropped', lead: this.lead });
    }
    this.drain();
  }

  /** A client read: through ReadIndex (context `ctx`, unique per attempt), served once applied >= index. */
  submitRead(key: string, ctx: string, reply: (r: MemberReply) => void): void {
    if (this.node === null) return;
    if (this.params.bug === 'leaderLocalReads' && this.raftState === 'leader') {
      reply({ kind: 'read', value: this.kv.get(key) });
      return;
    }
    try {
      this.node.readIndex(ctx);
      this.pendingReads.set(ctx, { key, index: null, reply });
    } catch (err) {
      if (!(err instanceof ReadIndexDroppedError)) throw err;
      reply({ kind: 'dropped', lead: this.lead });
    }
    this.drain();
  }

  private chooseCrashPoint(): CrashPoint {
    if (!this.rng.chance(this.params.crash.inReadyChance)) return 'none';
    return this.rng.pick(['afterPersist', 'afterSend', 'afterApply'] as const);
  }

  /** The Ready loop: handle Readies until there is none (or a crash cuts one short). */
  private drain(): void {
    while (this.node !== null && this.node.hasReady()) {
      const node = this.node;
      const rd = node.ready();
      const crashPoint = this.allowCrashInReady ? this.chooseCrashPoint() : 'none';
      this.persist(rd);
      if (crashPoint === 'afterPersist') return this.crash();
      for (const m of rd.messages) {
        this.hooks.invariants.onSend(this, m);
        this.hooks.send(this, m);
      }
      if (crashPoint === 'afterSend') return this.crash();
      this.apply(node, rd);
      if (crashPoint === 'afterApply') return this.crash();
      node.advance(rd);
      this.serveReads();
      this.maybeSnapshot();
    }
  }

  /** Crashes inside a Ready happen only during the safety phase. */
  allowCrashInReady = true;

  private persist(rd: Ready): void {
    const inv = this.hooks.invariants;
    inv.beforePersist(this, rd.entries);
    if (rd.snapshot !== null) this.disk.write({ kind: 'snapshot', snapshot: rd.snapshot });
    if (rd.entries.length > 0) this.disk.write({ kind: 'append', entries: rd.entries });
    if (rd.hardState !== null) this.disk.write({ kind: 'hardState', hardState: rd.hardState });
    // The planted bug syncs only for new entries or a snapshot: a new term or vote may stay volatile.
    const mustSync = this.params.bug === 'voteNotPersisted' ? rd.entries.length > 0 || rd.snapshot !== null : rd.mustSync;
    if (mustSync) this.disk.sync();
    if (this.hooks.trace !== null) this.hooks.trace(`${this.id} ready (${this.disk.unsyncedWrites()} unsynced)\n${describeReady(rd, '    ').join('\n')}`);
    if (rd.hardState !== null) this.term = rd.hardState.term;
    if (rd.softState !== null) {
      this.raftState = rd.softState.raftState;
      this.lead = rd.softState.lead;
    }
    inv.onPersisted(this, rd.entries, rd.hardState, rd.snapshot);
    if (rd.softState?.raftState === 'leader') inv.onLeader(this, this.term);
    if (this.raftState === 'leader' && rd.hardState !== null) {
      const commitTerm = this.live.term(rd.hardState.commit);
      if (commitTerm === this.term) this.hooks.leaderCommitted(this, this.term);
      // Only possible with the planted Figure 8 bug: a commit index that lands on an older term's entry.
      else this.hooks.trace?.(`${this.id} LEADER COMMITTED ${rd.hardState.commit} OF OLDER TERM ${commitTerm} by counting replicas`);
    }
  }

  private apply(node: RawNode, rd: Ready): void {
    const inv = this.hooks.invariants;
    if (rd.snapshot !== null) {
      this.kv.restore(rd.snapshot.data);
      this.confState = rd.snapshot.metadata.confState;
      this.appliedIndex = rd.snapshot.metadata.index;
      this.snapshotIndex = this.appliedIndex;
      inv.onSnapshotApplied(this, this.appliedIndex, this.kv.digest());
      // A write of the snapshot's term or earlier may be inside it: its fate is unknown here.
      for (const pending of this.pendingWrites.values()) if (pending.term <= rd.snapshot.metadata.term) pending.term = Infinity;
    }
    for (const e of rd.committedEntries) {
      inv.onApply(this, e);
      this.appliedIndex = e.index;
      if (e.type === 'confChange') {
        try {
          this.confState = node.applyConfChange(decodeConfChange(e.data));
          this.confChangedSinceSnapshot = true;
          this.hooks.confApplied(this, e.index, this.confState);
        } catch (err) {
          // Every member refuses the same change identically; it is skipped everywhere.
          if (!(err instanceof ConfChangeError)) throw err;
        }
        continue;
      }
      if (e.data.byteLength === 0) continue;
      const cmd = decodeCommand(e.data);
      if (cmd.tag !== undefined) inv.onWriteApplied(this, cmd.tag);
      const result = this.kv.apply(cmd);
      const key = `${cmd.clientId}:${cmd.seq}`;
      const pending = this.pendingWrites.get(key);
      if (pending !== undefined) {
        this.pendingWrites.delete(key);
        if (result !== null) pending.reply({ kind: 'written', result });
      }
    }
    const lastTerm = rd.committedEntries.at(-1)?.term ?? 0;
    for (const [key, pending] of this.pendingWrites) {
      if (pending.term >= lastTerm) continue;
      this.pendingWrites.delete(key);
      inv.onWriteDeclaredLost(this, pending.tag);
      pending.reply({ kind: 'lost', lead: this.lead });
    }
    for (const rs of rd.readStates) {
      const read = this.pendingReads.get(rs.requestCtx);
      if (read !== undefined) read.index = rs.index;
    }
  }

  private serveReads(): void {
    for (const [ctx, read] of this.pendingReads) {
      if (read.index === null || read.index > this.appliedIndex) continue;
      this.pendingReads.delete(ctx);
      read.reply({ kind: 'read', value: this.kv.get(read.key) });
    }
  }

  /**
   * Snapshots the state machine and compacts the log every `snapshotEveryEntries` applied entries, and
   * after every applied conf change. The latter is what etcd achieves by sending a fresh snapshot at its
   * applied index: the leader sends `storage.snapshot()`, and a member that joined after the snapshot
   * was taken refuses one whose ConfState does not contain it, so it would never catch up.
   */
  private maybeSnapshot(): void {
    if (this.appliedIndex === this.snapshotIndex) return;
    if (this.appliedIndex - this.snapshotIndex < this.params.snapshotEveryEntries && !this.confChangedSinceSnapshot) return;
    this.confChangedSinceSnapshot = false;
    const index = this.appliedIndex;
    this.disk.write({ kind: 'createSnapshot', index, confState: this.confState, data: this.kv.snapshot() });
    this.hooks.invariants.onStateDigest(this, index, this.kv.digest());
    this.snapshotIndex = index;
    const compactIndex = index - this.params.snapshotKeepEntries;
    if (compactIndex > this.live.firstIndex() - 1) this.disk.write({ kind: 'compact', index: compactIndex });
  }
}
