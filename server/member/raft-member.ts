import { EventEmitter } from 'node:events';
import { nanoid } from 'nanoid';
import type { ConfState, MemoryStorage, Message, RawNode, Ready, Snapshot } from '../raft/index.js';
import type { RaftStorage } from '../storage/raft-storage.js';
import { directorySizeBytes } from '../storage/disk-usage.js';
import type { Applier, Applied } from '../apply/applier.js';
import { encodeProposal, type WriteMethod } from '../apply/entry.js';
import type { PeerTransport, TransportHandlers } from '../transport/types.js';
import type { StateMachine } from './state-machine.js';
import { ProposalTracker, dropError } from './proposals.js';
import { ReadIndexBatcher } from './read-index.js';
import { ConfChangeWaiters } from './conf-changes.js';
import { hexToId, idToHex, type MemberIdentity } from './identity.js';
import { Snapshotter } from './snapshotter.js';
import { handOverLeadership, sendMessages } from './messaging.js';
import type { MemberApi, MemberStatus, RaftMemberOptions } from './member-api.js';
import { Membership, SelfPublisher } from './membership.js';
import { SynodError } from '../errors.js';

export type { RaftMemberOptions };

/**
 * One cluster member: it drives the Raft core through the Ready loop (persist in one synced batch, then
 * send, then apply, then advance), replicates writes, serves linearizable reads by ReadIndex, takes and
 * installs snapshots, and applies membership changes. Writes resolve once applied on this member.
 * Emits 'fatal' (error) on a broken invariant and 'removed' when this member was removed from the cluster.
 */
export class RaftMember extends EventEmitter implements MemberApi {
  readonly bootId = nanoid(10);
  private readonly proposals = new ProposalTracker();
  private readonly reads: ReadIndexBatcher;
  private readonly confWaiters = new ConfChangeWaiters();
  private transport!: PeerTransport;
  private peerPorts: readonly { host: string; port: number }[] = [];
  private tickTimer: NodeJS.Timeout | null = null;
  private proposalSeq = 0;
  private draining = false;
  private drainAgain = false;
  private drainIdle: Promise<void> = Promise.resolve();
  private stopped = false;
  private fatalError: Error | null = null;
  private leaderId = '';
  private termValue = 0;
  /** The vote of the persisted hard state. */
  private voteValue = '';
  private isLeader = false;
  /** Index of this leader's first entry: it acts on leases only once everything before it is applied. */
  private leaderStartIndex = Number.POSITIVE_INFINITY;
  private leaderlessSinceMs: number | null = null;
  private raftApplied: number;
  private confState: ConfState;
  private readonly snapshots: Snapshotter;
  private removalAnnounced = false;
  private readonly publisher: SelfPublisher;

  /** Internal: use `openRaftMember`, which loads everything this needs from the data directory. */
  constructor(
    readonly identity: MemberIdentity,
    private readonly options: RaftMemberOptions,
    private readonly raftStorage: RaftStorage,
    private readonly memoryStorage: MemoryStorage,
    private readonly machine: StateMachine,
    private readonly node: RawNode,
    private readonly applier: Applier,
    private stateDir: string,
  ) {
    super();
    const snapshot = memoryStorage.snapshot().metadata;
    this.raftApplied = snapshot.index;
    this.snapshots = new Snapshotter({
      dataDir: options.dataDir,
      snapshotCount: options.snapshotCount,
      snapshotCatchUpEntries: options.snapshotCatchUpEntries,
      memoryStorage,
      raftStorage,
      machine,
      log: options.log,
      flushApplied: () => this.applier.flush(),
    });
    this.confState = memoryStorage.initialState().confState;
    const { hardState } = memoryStorage.initialState();
    this.termValue = hardState.term;
    this.voteValue = hardState.vote;
    const published = { id: identity.memberId, name: identity.name, clientURLs: [...options.advertiseClientUrls] };
    this.publisher = new SelfPublisher(() => this.propose('member.publish', published, AbortSignal.timeout(5 * options.electionMs)), options.log);
    this.reads = new ReadIndexBatcher(this.bootId, (ctx) => this.node.readIndex(ctx), () => this.applier.appliedIndex, () => Date.now(), Math.max(2 * options.heartbeatMs, 200));
  }

  /** Starts the transport, the tick timer and the Ready loop (openRaftMember calls it once). */
  async start(): Promise<void> {
    const handlers: TransportHandlers = {
      onMessage: (message) => this.step(message),
      onUnreachable: (id) => {
        this.node.reportUnreachable(id);
        this.kick();
      },
      onSnapshot: async (message, chunks) => this.step(await this.snapshots.receive(message, chunks)),
    };
    this.transport = this.options.createTransport(
      {
        id: this.node.id,
        clusterId: this.identity.clusterId,
        listenUrls: this.options.listenPeerUrls,
        frameBytesMax: 64 * 1024 * 1024,
        httpRoutes: { '/synod/peer/members': () => ({ clusterId: this.identity.clusterId, members: this.membership.list() }) },
        queuedMessagesPerPeerMax: 4096,
        ...(this.options.dialOverrides === undefined ? {} : { dialOverrides: this.options.dialOverrides }),
      },
      handlers,
    );
    this.syncPeers();
    this.peerPorts = await this.transport.start();
    this.tickTimer = setInterval(() => this.tick(), this.options.heartbeatMs);
    // A member alone in its configuration need not wait an election timeout to lead.
    if (this.confState.voters.length === 1 && this.confState.voters[0] === this.node.id) this.node.campaign();
    this.kick();
  }

  get store() {
    return this.machine.store;
  }

  get watchHub() {
    return this.machine.watchHub;
  }

  get membership(): Membership {
    return this.machine.membership;
  }

  get appliedIndex(): number {
    return this.applier.appliedIndex;
  }

  /** The Raft term of the latest hard state (answers are stamped with it). */
  get raftTerm(): number {
    return this.termValue;
  }

  /** The ports the peer listeners bound (tests start members on port 0). */
  get boundPeerPorts(): readonly { host: string; port: number }[] {
    return this.peerPorts;
  }

  /** Writes proposed through this member and not yet applied or failed. */
  get pendingProposals(): number {
    return this.proposals.size;
  }

  /** The current leader's member id, or null while there is none. */
  get leader(): string | null {
    return this.leaderId === '' ? null : hexToId(this.leaderId);
  }

  /** True while this member has known no leader for longer than `ms`. */
  leaderlessFor(ms: number): boolean {
    return this.leaderlessSinceMs !== null && Date.now() - this.leaderlessSinceMs >= ms;
  }

  /**
   * Proposes a validated write; resolves once it is committed, durable and applied here. Fails at once
   * with `no_leader` (certainly not applied) when no leader is known.
   */
  propose(method: WriteMethod, params: unknown, signal?: AbortSignal): Promise<Applied> {
    this.checkRunning();
    signal?.throwIfAborted();
    const proposalId = `${this.bootId}.${++this.proposalSeq}`;
    const applied = this.proposals.wait(proposalId, signal);
    try {
      this.node.propose(encodeProposal({ method, params, proposalId }));
      // Ask Raft itself, not `this.isLeader` (updated only by the next Ready): a message stepped since
      // then may have made this member a follower, which forwarded the proposal (no index is its own).
      this.proposals.placed(proposalId, this.node.term(), this.node.isLeader() ? this.node.lastIndex() : null);
    } catch (error) {
      this.proposals.fail(proposalId, dropError(error));
    }
    this.kick();
    return applied;
  }

  readBarrier(signal?: AbortSignal): Promise<void> {
    this.checkRunning();
    const done = this.reads.wait(signal);
    this.kick();
    return done;
  }

  async status(): Promise<MemberStatus> {
    const status = this.node.status();
    return {
      leaderId: this.leader ?? '0',
      raftIndex: status.lastIndex,
      raftTerm: status.hardState.term,
      raftAppliedIndex: this.applier.appliedIndex,
      dbSizeBytes: await directorySizeBytes(this.machine.state.location).catch(() => 0),
      isLearner: this.confState.learners.includes(this.node.id),
    };
  }

  /** etcd's HashKV of this member's history up to `revision`. */
  hashKv(revision: number): Promise<number> {
    return this.machine.state.hashKv(revision);
  }

  /** The Raft status (the leader's view includes every follower's progress). */
  raftStatus() {
    return this.node.status();
  }

  /** True when this member is the leader. */
  get leading(): boolean {
    return this.isLeader;
  }

  /**
   * True when this member leads and has applied every entry committed before its term, so its view of
   * the leases includes every renewal acknowledged by earlier leaders.
   */
  get leaderReady(): boolean {
    return this.isLeader && this.applier.appliedIndex >= this.leaderStartIndex;
  }

  /** The lessor of the replicated state. */
  get lessor() {
    return this.machine.lessor;
  }

  /** The voter and learner ids (hex) of the configuration in force. */
  get configuration(): ConfState {
    return this.confState;
  }

  /** Asks Raft to hand leadership to `memberId`. */
  transferLeadership(memberId: string): void {
    this.node.transferLeadership(idToHex(memberId));
    this.kick();
  }

  /** Proposes a membership change and resolves when it is applied here. */
  proposeConfChange(change: Parameters<RawNode['proposeConfChange']>[0], proposalId: string, signal?: AbortSignal): Promise<void> {
    this.checkRunning();
    const applied = this.confWaiters.wait(proposalId, signal);
    try {
      this.node.proposeConfChange(change);
    } catch (error) {
      this.confWaiters.fail(proposalId, dropError(error));
    }
    this.kick();
    return applied;
  }

  /** Stops: hands leadership over first when there is another voter, then closes everything. */
  async close(): Promise<void> {
    if (this.stopped) return;
    await this.handOverLeadership();
    this.stopped = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.machine.watchHub.cancelAll({ kind: 'stopped' });
    this.failWaiters(new SynodError('stopped', 'member stopped'));
    await this.transport.close();
    await this.drainIdle;
    await this.applier.flush().catch(() => undefined);
    await this.machine.state.close();
    await this.raftStorage.close();
  }

  // ---- internals used by the apply hooks (conf-changes.ts) ----

  /** Applies a committed conf change to Raft and to the transport's peer list. */
  applyConfChangeToRaft(change: Parameters<RawNode['applyConfChange']>[0]): ConfState {
    this.confState = this.node.applyConfChange(change);
    this.snapshots.noteConfChange();
    return this.confState;
  }

  resolveConfChange(proposalId: string | undefined): void {
    if (proposalId !== undefined) this.confWaiters.applied(proposalId);
  }

  /** Re-reads the member list into the transport; emits 'removed' when this member is gone. */
  syncPeers(): void {
    const self = this.identity.memberId;
    for (const member of this.membership.list()) {
      if (member.id !== self) this.transport?.setPeer(idToHex(member.id), member.peerURLs);
    }
    // A removed member keeps running a little: members that have not applied its removal yet may
    // still need its vote to commit it.
    if (this.knownRemoved() && !this.removalAnnounced) {
      this.removalAnnounced = true;
      setTimeout(() => this.emit('removed'), 5 * this.options.electionMs).unref();
    }
  }

  forgetPeer(memberId: string): void {
    this.transport.removePeer(idToHex(memberId));
  }

  // ---- the Ready loop ----

  private step(message: Message): void {
    if (this.stopped) return;
    try {
      this.node.step(message);
    } catch (error) {
      this.options.log.warn({ err: error, type: message.type, from: message.from }, 'refused a peer message');
      return;
    }
    this.kick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.node.tick();
    this.reads.tick();
    if (this.leaderlessFor(3 * this.options.electionMs) && this.machine.watchHub.size > 0) {
      this.machine.watchHub.cancelAll({ kind: 'no_leader' });
    }
    this.kick();
  }

  private kick(): void {
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    if (this.stopped && this.fatalError !== null) return;
    this.drainIdle = this.drain();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      do {
        this.drainAgain = false;
        while (this.node.hasReady()) {
          await this.handleReady(this.node.ready());
          if (!this.stopped) await this.snapshots.maybeTake(this.raftApplied, this.confState);
        }
      } while (this.drainAgain);
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.draining = false;
    }
  }

  private async handleReady(rd: Ready): Promise<void> {
    if (rd.softState !== null) this.onSoftState(rd.softState.lead, rd.softState.raftState === 'leader');
    // A leader sends before its own sync (Raft thesis 10.2.1): followers never rely on its copy, and
    // the core counts its entries toward commit only once advance() says they are durable. Not with a
    // new term or vote in this Ready: after a crash that forgot it, a second leader of that term could be.
    const sendEarly = this.isLeader && rd.snapshot === null && (rd.hardState === null || (rd.hardState.term === this.termValue && rd.hardState.vote === this.voteValue));
    if (sendEarly) this.send(rd.messages);
    const installDir = rd.snapshot === null ? undefined : Snapshotter.directoryOf(rd.snapshot);
    const saved = this.raftStorage.save(rd, installDir);
    // Committed entries are already durable here (the core hands out nothing else), so applying them
    // overlaps this Ready's log sync; a snapshot must be on disk before it is installed, though.
    const applied = rd.snapshot === null ? this.applyCommitted(rd.committedEntries) : null;
    await saved;
    if (rd.snapshot !== null) this.memoryStorage.applySnapshot(rd.snapshot);
    if (rd.entries.length > 0) this.memoryStorage.append(rd.entries);
    if (rd.hardState !== null) {
      this.memoryStorage.setHardState(rd.hardState);
      this.termValue = rd.hardState.term;
      this.voteValue = rd.hardState.vote;
    }
    if (!sendEarly) this.send(rd.messages);
    if (rd.snapshot !== null) {
      await this.installSnapshot(rd.snapshot);
      await this.applyCommitted(rd.committedEntries);
    } else {
      await applied;
    }
    for (const readState of rd.readStates) this.reads.onReadState(readState.requestCtx, readState.index);
    this.reads.release();
    this.node.advance(rd);
    if (this.leaderId !== '' && !this.stopped) this.publisher.publishOnce();
  }

  private async applyCommitted(entries: Ready['committedEntries']): Promise<void> {
    if (entries.length === 0) return;
    this.proposals.appliedEntries(entries, await this.applier.applyEntries(entries));
    this.raftApplied = entries.at(-1)!.index;
  }

  private onSoftState(lead: string, isLeader: boolean): void {
    if (lead !== this.leaderId) {
      this.options.log.info({ leader: lead === '' ? null : hexToId(lead), term: this.termValue }, lead === '' ? 'lost the leader' : 'leader changed');
    }
    const changed = lead !== this.leaderId;
    if (isLeader && !this.isLeader) this.leaderStartIndex = this.node.status().lastIndex;
    this.leaderId = lead;
    this.isLeader = isLeader;
    if (changed) this.emit('leader', this.leader);
    this.leaderlessSinceMs = lead === '' ? (this.leaderlessSinceMs ?? Date.now()) : null;
  }

  private send(messages: readonly Message[]): void {
    sendMessages(messages, this.transport, this.snapshots, this.options.log, (to, ok) => {
      if (this.stopped) return;
      this.node.reportSnapshot(to, ok);
      this.kick();
    });
  }

  private async installSnapshot(snapshot: Snapshot): Promise<void> {
    const appliedIndex = await this.snapshots.install(snapshot, this.stateDir);
    this.stateDir = Snapshotter.directoryOf(snapshot);
    this.applier.resetAppliedIndex(appliedIndex);
    this.proposals.snapshotInstalled(snapshot.metadata.term);
    this.confState = snapshot.metadata.confState;
    this.raftApplied = snapshot.metadata.index;
    this.syncPeers();
  }

  private async handOverLeadership(): Promise<void> {
    if (!this.isLeader || this.confState.voters.length < 2) return;
    await handOverLeadership(this.node, this, this.options.electionMs, () => this.kick(), this.options.log);
  }

  private knownRemoved(): boolean {
    return this.membership.list().length > 0 && this.membership.get(this.identity.memberId) === undefined && this.applier.appliedIndex > 0;
  }

  private checkRunning(): void {
    if (this.fatalError !== null) throw new SynodError('stopped', `member stopped: ${this.fatalError.message}`);
    if (this.stopped) throw new SynodError('stopped');
  }

  private fail(error: Error): void {
    if (this.fatalError !== null) return;
    this.fatalError = error;
    this.options.log.fatal({ err: error }, 'member stopped on a broken invariant');
    this.stopped = true;
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    this.failWaiters(new SynodError('stopped', `member stopped: ${error.message}`));
    this.emit('fatal', error);
  }

  private failWaiters(error: SynodError): void {
    this.proposals.failAll(error);
    this.reads.failAll(error);
    this.confWaiters.failAll(error);
  }
}
