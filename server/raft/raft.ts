import { resolveConfig, type LogLevel, type RaftConfig, type ResolvedRaftConfig } from './config.js';
import { checkConfigInvariants, type ConfigAndProgress } from './confchange/changer.js';
import { restoreConfig } from './confchange/restore.js';
import { raftAssert } from './errors.js';
import { RaftLog } from './log.js';
import { ReadOnly } from './read-only.js';
import { bcastAppend, maybeCommitAndBroadcast } from './replication.js';
import { stepCandidate, stepFollower } from './step-follower.js';
import { stepLeader } from './step-leader.js';
import { stepCampaignMessage, stepStaleTerm, stepVoteRequest } from './step-term.js';
import { Inflights } from './tracker/inflights.js';
import { Progress } from './tracker/progress.js';
import { confStateOf, describeTrackerConfig, ProgressTracker } from './tracker/tracker.js';
import {
  CAMPAIGN_TRANSFER,
  NO_NODE,
  isEmptyHardState,
  makeMessage,
  payloadSizeBytes,
  type ConfState,
  type Entry,
  type HardState,
  type Message,
  type NodeId,
  type RaftStateType,
  type ReadState,
  type SoftState,
} from './types.js';

/** How an election is started: a PreVote round, a real election, or one forced by a leader transfer. */
export type CampaignKind = 'preElection' | 'election' | 'transfer';

/**
 * The protocol state machine of one node. Internal: the public surface is `RawNode`. The step logic
 * lives in step-term.ts (term rules), step-leader.ts and step-follower.ts; replication.ts sends.
 * Invariants: the term never decreases; at most one vote per term; commit <= lastIndex.
 */
export class Raft {
  readonly id: NodeId;
  readonly cfg: ResolvedRaftConfig;
  readonly log: RaftLog;
  trk: ProgressTracker;
  term = 0;
  vote: NodeId = NO_NODE;
  lead: NodeId = NO_NODE;
  state: RaftStateType = 'follower';
  /** Messages to send, handed out by the next Ready. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  readOnly = new ReadOnly();
  /** ReadIndex requests held until this leader commits an entry of its own term. */
  pendingReadIndexMessages: Message[] = [];
  /** The node leadership is being transferred to, or NO_NODE. */
  leadTransferee: NodeId = NO_NODE;
  /** Index of the latest conf change proposed (leader); a new one is refused until it is applied. */
  pendingConfIndex = 0;
  /** Payload bytes of uncommitted entries at the leader (the cap's counter). */
  uncommittedSizeBytes = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.log = new RaftLog(this.cfg.storage, this.cfg.maxCommittedSizePerReadyBytes);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.trk = new ProgressTracker(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes);
    const restored = restoreConfig(confState, this.changerContext());
    this.trk.config = restored.config;
    this.trk.progress = restored.progress;
    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    // Entries only come from leaders of terms we adopted, so no entry can be newer than our term.
    raftAssert(
      this.log.lastTerm() <= this.term,
      () => `${this.id} last log term ${this.log.lastTerm()} is above the current term ${this.term}: was the HardState persisted?`,
    );
    if (this.cfg.applied > 0) this.log.appliedTo(this.cfg.applied);
    this.becomeFollower(this.term, NO_NODE);
    this.logAt(
      'info',
      `newRaft ${this.id} [peers: [${this.trk.voterIds().join(',')}], term: ${this.term}, commit: ${this.log.committed}, applied: ${this.log.applied}, lastindex: ${this.log.lastIndex()}, lastterm: ${this.log.lastTerm()}]`,
    );
  }

  /** Emits a log line through the configured logger. */
  logAt(level: LogLevel, message: string): void {
    this.cfg.logger(level, message);
  }

  /** What the conf changer needs to create Progress for new members. */
  changerContext(): { lastIndex: number; maxInflight: number; maxInflightBytes: number } {
    return { lastIndex: this.log.lastIndex(), maxInflight: this.cfg.maxInflightMsgs, maxInflightBytes: this.cfg.maxInflightBytes };
  }

  /** Volatile state: leader and role. */
  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  /** The state to persist: term, vote, commit. */
  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  private loadState(hs: HardState): void {
    raftAssert(
      hs.commit >= this.log.committed && hs.commit <= this.log.lastIndex(),
      () => `${this.id} state.commit ${hs.commit} is out of range [${this.log.committed}, ${this.log.lastIndex()}]`,
    );
    this.log.committed = hs.commit;
    this.term = hs.term;
    this.vote = hs.vote;
  }

  /** Queues a message for the next Ready, stamping `from` and (for non-vote messages) the current term. */
  send(m: Message): void {
    raftAssert(m.to !== this.id, () => `${this.id} must not send ${m.type} to itself`);
    const msg = m.from === NO_NODE ? { ...m, from: this.id } : m;
    if (msg.type === 'vote' || msg.type === 'voteResp' || msg.type === 'preVote' || msg.type === 'preVoteResp') {
      raftAssert(msg.term !== 0, () => `term should be set when sending ${msg.type}`);
    } else {
      raftAssert(msg.term === 0, () => `term should not be set when sending ${msg.type} (was ${msg.term})`);
      // Proposals and read requests are forwarded without a term: they are not part of the protocol.
      if (msg.type !== 'prop' && msg.type !== 'readIndex') msg.term = this.term;
    }
    this.msgs.push(msg);
  }

  /** True when this node may campaign: a voter of its config with no snapshot pending. */
  promotable(): boolean {
    const pr = this.trk.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && !this.log.hasSnapshotPending();
  }

  /** The last index known to be durable locally: the leader's own "match". */
  durableLastIndex(): number {
    return this.log.hasSnapshotPending() ? 0 : this.log.unstable.offset - 1;
  }

  /** One unit of logical time: heartbeats and checks on a leader, election timeout elsewhere. */
  tick(): void {
    if (this.state === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(makeMessage({ type: 'hup', from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTicks) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(makeMessage({ type: 'checkQuorum', from: this.id }));
      if (this.state === 'leader' && this.leadTransferee !== NO_NODE) {
        this.logAt('info', `${this.id} [term ${this.term}] abort transferring leadership to ${this.leadTransferee} after an election timeout`);
        this.abortLeaderTransfer();
      }
    }
    if (this.state !== 'leader') return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.step(makeMessage({ type: 'beat', from: this.id }));
    }
  }

  private reset(term: number): void {
    if (this.term !== term) {
      raftAssert(term > this.term, () => `term must not go back: ${this.term} -> ${term}`);
      this.term = term;
      this.vote = NO_NODE;
    }
    this.lead = NO_NODE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.trk.resetVotes();
    const lastIndex = this.log.lastIndex();
    const fresh = new Map<NodeId, Progress>();
    for (const [id, pr] of this.trk.progress) {
      fresh.set(
        id,
        new Progress({
          match: id === this.id ? this.durableLastIndex() : 0,
          next: lastIndex + 1,
          inflights: new Inflights(this.cfg.maxInflightMsgs, this.cfg.maxInflightBytes),
          isLearner: pr.isLearner,
          recentActive: false,
        }),
      );
    }
    this.trk.progress = fresh;
    this.pendingConfIndex = 0;
    this.uncommittedSizeBytes = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  /** Draws a new election timeout in [electionTicks, 2*electionTicks). */
  resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTicks + this.cfg.rng.nextInt(this.cfg.electionTicks);
  }

  /** Becomes follower at `term` (never lower than the current one) following `lead`. */
  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.state = 'follower';
    this.logAt('info', `${this.id} became follower at term ${this.term}`);
  }

  /** Starts a real election: next term, vote for self. */
  becomeCandidate(): void {
    raftAssert(this.state !== 'leader', 'invalid transition [leader -> candidate]');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = 'candidate';
    this.logAt('info', `${this.id} became candidate at term ${this.term}`);
  }

  /** Starts a PreVote round without touching term or vote. */
  becomePreCandidate(): void {
    raftAssert(this.state !== 'leader', 'invalid transition [leader -> pre-candidate]');
    // A PreVote round changes neither the term nor the vote.
    this.trk.resetVotes();
    this.lead = NO_NODE;
    this.state = 'preCandidate';
    this.logAt('info', `${this.id} became pre-candidate at term ${this.term}`);
  }

  /** Takes leadership of the current term and appends the empty entry of the term (§8). */
  becomeLeader(): void {
    raftAssert(this.state !== 'follower', 'invalid transition [follower -> leader]');
    this.reset(this.term);
    this.lead = this.id;
    this.state = 'leader';
    const self = this.trk.progress.get(this.id)!;
    self.becomeReplicate();
    self.recentActive = true;
    // Conf changes in the log may be unapplied: refuse new ones until everything up to here is applied.
    this.pendingConfIndex = this.log.lastIndex();
    const appended = this.appendEntry([{ term: 0, index: 0, type: 'normal', data: new Uint8Array(0) }]);
    raftAssert(appended, 'the empty entry of a new leader was refused');
    this.logAt('info', `${this.id} became leader at term ${this.term}`);
  }

  /** Starts an election of `kind` if this node may campaign (a voter, no unapplied conf changes). */
  hup(kind: CampaignKind): void {
    if (this.state === 'leader') {
      this.logAt('debug', `${this.id} ignoring hup because already leader`);
      return;
    }
    if (!this.promotable()) {
      this.logAt('warn', `${this.id} is unpromotable and can not campaign`);
      return;
    }
    if (this.hasUnappliedConfChanges()) {
      this.logAt('warn', `${this.id} cannot campaign at term ${this.term} since there are still pending configuration changes to apply`);
      return;
    }
    this.logAt('info', `${this.id} is starting a new election at term ${this.term}`);
    this.campaign(kind);
  }

  /** Runs an election of `kind`: votes for itself and asks every other voter. */
  campaign(kind: CampaignKind): void {
    let voteType: 'vote' | 'preVote';
    let term: number;
    if (kind === 'preElection') {
      this.becomePreCandidate();
      voteType = 'preVote';
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      voteType = 'vote';
      term = this.term;
    }
    // Our own vote counts at once: no message can leave before this Ready's HardState is durable.
    const { result } = this.poll(this.id, voteType === 'vote' ? 'voteResp' : 'preVoteResp', true);
    if (result === 'won') {
      if (kind === 'preElection') this.campaign('election');
      else {
        this.becomeLeader();
        bcastAppend(this);
      }
      return;
    }
    const lastIndex = this.log.lastIndex();
    const lastTerm = this.log.lastTerm();
    for (const id of this.trk.voterIds()) {
      if (id === this.id) continue;
      this.logAt('info', `${this.id} [logterm: ${lastTerm}, index: ${lastIndex}] sent ${voteType} request to ${id} at term ${this.term}`);
      this.send(
        makeMessage({ type: voteType, to: id, term, index: lastIndex, logTerm: lastTerm, context: kind === 'transfer' ? CAMPAIGN_TRANSFER : '' }),
      );
    }
  }

  /** Records a vote and returns the tally. */
  poll(id: NodeId, type: 'voteResp' | 'preVoteResp', granted: boolean): ReturnType<ProgressTracker['tallyVotes']> {
    this.logAt('info', `${this.id} received ${type}${granted ? '' : ' rejection'} from ${id} at term ${this.term}`);
    this.trk.recordVote(id, granted);
    return this.trk.tallyVotes();
  }

  /** Feeds one message (local or from a peer) through the term rules, then the role's handler. */
  step(m: Message): void {
    if (m.term > this.term) {
      if (!stepCampaignMessage(this, m)) return;
    } else if (m.term !== 0 && m.term < this.term) {
      stepStaleTerm(this, m);
      return;
    }
    if (m.type === 'hup') {
      this.hup(m.context === CAMPAIGN_TRANSFER ? 'transfer' : this.cfg.preVote ? 'preElection' : 'election');
      return;
    }
    if (m.type === 'vote' || m.type === 'preVote') {
      stepVoteRequest(this, m);
      return;
    }
    if (this.state === 'leader') stepLeader(this, m);
    else if (this.state === 'follower') stepFollower(this, m);
    else stepCandidate(this, m);
  }

  /** Leader: appends entries with the current term. Returns false (nothing appended) over the uncommitted cap. */
  appendEntry(entries: readonly Entry[]): boolean {
    const lastIndex = this.log.lastIndex();
    const stamped = entries.map((e, i) => ({ ...e, term: this.term, index: lastIndex + 1 + i }));
    if (!this.increaseUncommittedSize(stamped)) {
      this.logAt('warn', `${this.id} appending new entries to log would exceed uncommitted entry size limit; dropping proposal`);
      return false;
    }
    this.log.append(stamped);
    return true;
  }

  private increaseUncommittedSize(entries: readonly Entry[]): boolean {
    const size = payloadSizeBytes(entries);
    // Empty entries (no-op, leave-joint) are never refused; one large entry is allowed into an empty budget.
    if (this.uncommittedSizeBytes > 0 && size > 0 && this.uncommittedSizeBytes + size > this.cfg.maxUncommittedEntriesBytes) {
      return false;
    }
    this.uncommittedSizeBytes += size;
    return true;
  }

  /** Frees uncommitted-cap budget for entries that were applied. */
  reduceUncommittedSize(sizeBytes: number): void {
    this.uncommittedSizeBytes = Math.max(0, this.uncommittedSizeBytes - sizeBytes);
  }

  /** Forgets any leadership transfer in progress. */
  abortLeaderTransfer(): void {
    this.leadTransferee = NO_NODE;
  }

  /** True once this leader committed an entry of its own term (ReadIndex may be served). */
  committedEntryInCurrentTerm(): boolean {
    return this.log.termOrNull(this.log.committed) === this.term;
  }

  /** True when a committed but unapplied conf change exists (campaigning is then refused). */
  hasUnappliedConfChanges(): boolean {
    if (this.log.applied >= this.log.committed) return false;
    let lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    const hi = this.log.committed + 1;
    while (lo < hi) {
      const page = this.log.slice(lo, hi, this.cfg.maxSizePerMsgBytes);
      if (page.some((e) => e.type === 'confChange')) return true;
      lo += page.length;
    }
    return false;
  }

  /** Installs a new configuration; a removed or demoted leader steps down. Returns the new ConfState. */
  switchToConfig(next: ConfigAndProgress): ConfState {
    checkConfigInvariants(next);
    this.trk.config = next.config;
    this.trk.progress = next.progress;
    this.logAt('info', `${this.id} switched to configuration ${describeTrackerConfig(this.trk.config)}`);
    const cs = confStateOf(this.trk.config);
    const self = this.trk.progress.get(this.id);
    if ((self === undefined || self.isLearner) && this.state === 'leader') {
      this.logAt('info', `${this.id} stepping down: removed from or demoted in the configuration`);
      this.becomeFollower(this.term, NO_NODE);
      return cs;
    }
    if (this.state !== 'leader' || cs.voters.length === 0) return cs;
    if (!maybeCommitAndBroadcast(this)) bcastAppend(this, false);
    if (this.leadTransferee !== NO_NODE && !this.trk.voterIds().includes(this.leadTransferee)) this.abortLeaderTransfer();
    return cs;
  }
}
