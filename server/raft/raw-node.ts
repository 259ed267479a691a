import type { RaftConfig } from './config.js';
import { applyConfChangeTo, Changer } from './confchange/changer.js';
import { encodeConfChange } from './confchange/codec.js';
import {
  ProposalDroppedError,
  RaftAssertionError,
  ReadIndexDroppedError,
  StepRefusedError,
  raftAssert,
} from './errors.js';
import { Raft } from './raft.js';
import { maybeCommitAndBroadcast } from './replication.js';
import { statusOf, type Status } from './status.js';
import {
  hardStateEqual,
  isLocalMessageType,
  isResponseMessageType,
  makeMessage,
  payloadSizeBytes,
  type ConfChange,
  type ConfState,
  type HardState,
  type Message,
  type NodeId,
  type Ready,
  type SoftState,
} from './types.js';

/**
 * The public, synchronous API of one Raft node. Single-threaded: call it from one place only.
 * Drive it with `tick()` on a timer, `step()` for every peer message, and the Ready loop:
 * `if (hasReady()) { rd = ready(); persist; send; apply; advance(rd); }`. See server/raft/README.md.
 */
export class RawNode {
  private readonly raft: Raft;
  private prevSoftState: SoftState;
  private prevHardState: HardState;
  private outstanding: Ready | null = null;

  /** Creates a node from `config`; its state is loaded from `config.storage`. Throws ConfigError. */
  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  /** This node's id. */
  get id(): NodeId {
    return this.raft.id;
  }

  /** Index of the last entry in the log, persisted or not (cheaper than `status().lastIndex`). */
  lastIndex(): number {
    return this.raft.log.lastIndex();
  }

  /**
   * The current term (after every step so far). A proposal made now is appended in this term or not
   * at all, even when forwarded.
   */
  term(): number {
    return this.raft.term;
  }

  /** True while this node is the leader now (after every step so far, not as of the last Ready). */
  isLeader(): boolean {
    return this.raft.state === 'leader';
  }

  /** Advances logical time by one tick (election timeout, heartbeats, CheckQuorum, transfer abort). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (with a PreVote round when enabled). A learner or removed node does nothing. */
  campaign(): void {
    this.raft.step(makeMessage({ type: 'hup', from: this.raft.id }));
  }

  /**
   * Proposes `data` for the log. On a follower it is forwarded to the leader (and may still be lost).
   * Throws ProposalDroppedError when this node cannot accept it right now.
   */
  propose(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('propose needs a Uint8Array');
    this.raft.step(makeMessage({ type: 'prop', from: this.raft.id, entries: [{ term: 0, index: 0, type: 'normal', data }] }));
  }

  /**
   * Proposes a membership change. It takes effect on each node when the app applies the committed
   * entry with `applyConfChange`. Throws ProposalDroppedError (another change pending, invalid change...).
   */
  proposeConfChange(cc: ConfChange): void {
    if (!Array.isArray(cc.changes) || typeof cc.transition !== 'string') throw new TypeError('malformed ConfChange');
    const data = encodeConfChange(cc);
    this.raft.step(makeMessage({ type: 'prop', from: this.raft.id, entries: [{ term: 0, index: 0, type: 'confChange', data }] }));
  }

  /**
   * Applies a committed conf change entry (decode it with `decodeConfChange`) and returns the new
   * ConfState, which the app records with its snapshot. Throws ConfChangeError for a change the current
   * configuration refuses; every member refuses it identically, so the app may skip it.
   */
  applyConfChange(cc: ConfChange): ConfState {
    const changer = new Changer({ config: this.raft.trk.config, progress: this.raft.trk.progress }, this.raft.changerContext());
    return this.raft.switchToConfig(applyConfChangeTo(changer, cc));
  }

  /**
   * Feeds a message from a peer. Refuses local message types and malformed numbers (StepRefusedError).
   * Responses from nodes outside the configuration are ignored; proposals and reads forwarded by a
   * follower that this node cannot serve are dropped silently (the follower's caller times out).
   */
  step(m: Message): void {
    if (isLocalMessageType(m.type)) throw new StepRefusedError(`local message type ${m.type} cannot be stepped`);
    if (m.to !== this.raft.id) throw new StepRefusedError(`message for ${m.to} stepped into ${this.raft.id}`);
    if (typeof m.from !== 'string' || m.from === '') throw new StepRefusedError('message without a sender');
    for (const [name, v] of [['term', m.term], ['logTerm', m.logTerm], ['index', m.index], ['commit', m.commit], ['rejectHint', m.rejectHint]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new StepRefusedError(`message ${name} ${String(v)} is not a safe non-negative integer`);
    }
    for (const e of m.entries) {
      if (!Number.isSafeInteger(e.index) || !Number.isSafeInteger(e.term)) throw new StepRefusedError('entry index/term is not a safe integer');
    }
    if (isResponseMessageType(m.type) && !this.raft.trk.progress.has(m.from)) {
      this.raft.logAt('debug', `${this.raft.id} ignoring ${m.type} from unknown peer ${m.from}`);
      return;
    }
    try {
      this.raft.step(m);
    } catch (err) {
      if (err instanceof ProposalDroppedError || err instanceof ReadIndexDroppedError) {
        this.raft.logAt('debug', `${this.raft.id} dropped ${m.type} from ${m.from}: ${err.message}`);
        return;
      }
      throw err;
    }
  }

  /**
   * Requests a linearizable read point. `ctx` must be unique per request (a retry needs a new ctx): a
   * ReadState with the same `requestCtx` appears in a later Ready once leadership is confirmed. Throws
   * ReadIndexDroppedError when no leader is known.
   */
  readIndex(ctx: string): void {
    if (typeof ctx !== 'string' || ctx === '') throw new TypeError('readIndex needs a non-empty context');
    this.raft.step(makeMessage({ type: 'readIndex', from: this.raft.id, context: ctx }));
  }

  /** Asks the leader to hand leadership to `to` (forwarded when called on a follower). */
  transferLeadership(to: NodeId): void {
    this.raft.step(makeMessage({ type: 'transferLeader', from: to }));
  }

  /** A follower forgets its leader, so it may grant votes at once (use when the leader is known dead). */
  forgetLeader(): void {
    this.raft.step(makeMessage({ type: 'forgetLeader', from: this.raft.id }));
  }

  /** The transport failed to reach `id`; the leader stops pipelining to it and probes instead. */
  reportUnreachable(id: NodeId): void {
    this.raft.step(makeMessage({ type: 'unreachable', from: id }));
  }

  /** Outcome of sending a snapshot to `id`. Must be called after every `snap` message sent. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step(makeMessage({ type: 'snapStatus', from: id, reject: !ok }));
  }

  /** True when `ready()` has something for the app. False while a Ready is outstanding. */
  hasReady(): boolean {
    if (this.outstanding !== null) return false;
    const r = this.raft;
    if (!softStateEqual(r.softState(), this.prevSoftState)) return true;
    if (!hardStateEqual(r.hardState(), this.prevHardState)) return true;
    if (r.log.nextUnstableSnapshot() !== null) return true;
    if (r.log.nextUnstableEntries().length > 0 || r.log.hasNextCommittedEntries()) return true;
    return r.msgs.length > 0 || r.readStates.length > 0;
  }

  /**
   * Hands out the next batch of work. The caller must finish it and call `advance(ready)` before
   * calling `ready()` again. Committed entries in it are already durable locally.
   */
  ready(): Ready {
    if (this.outstanding !== null) throw new RaftAssertionError('ready() called before advance() of the previous Ready');
    const r = this.raft;
    const softState = r.softState();
    const hardState = r.hardState();
    const softChanged = !softStateEqual(softState, this.prevSoftState);
    const hardChanged = !hardStateEqual(hardState, this.prevHardState);
    const entries = r.log.nextUnstableEntries();
    const snapshot = r.log.nextUnstableSnapshot();
    const committedEntries = r.log.nextCommittedEntries();
    const rd: Ready = {
      softState: softChanged ? softState : null,
      hardState: hardChanged ? hardState : null,
      entries,
      snapshot,
      committedEntries,
      messages: r.msgs,
      readStates: r.readStates,
      mustSync:
        entries.length > 0 ||
        snapshot !== null ||
        (hardChanged && (hardState.term !== this.prevHardState.term || hardState.vote !== this.prevHardState.vote)),
    };
    if (softChanged) this.prevSoftState = softState;
    if (hardChanged) this.prevHardState = hardState;
    r.msgs = [];
    r.readStates = [];
    r.log.unstable.acceptInProgress();
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted !== undefined) r.log.acceptApplying(lastCommitted.index);
    this.outstanding = rd;
    return rd;
  }

  /**
   * Acknowledges that `ready` was fully handled: its entries, HardState and snapshot are durable and its
   * committed entries applied. The leader counts its own log as replicated only from here.
   */
  advance(ready: Ready): void {
    raftAssert(this.outstanding === ready, 'advance() must be called with the Ready returned by the last ready()');
    this.outstanding = null;
    const r = this.raft;
    const lastEntry = ready.entries[ready.entries.length - 1];
    if (lastEntry !== undefined) r.log.unstable.stableTo(lastEntry.term, lastEntry.index);
    if (ready.snapshot !== null) {
      r.log.unstable.stableSnapTo(ready.snapshot.metadata.index);
      r.log.appliedTo(ready.snapshot.metadata.index);
    }
    const lastApplied = ready.committedEntries[ready.committedEntries.length - 1];
    if (lastApplied !== undefined) {
      r.log.appliedTo(lastApplied.index);
      r.reduceUncommittedSize(payloadSizeBytes(ready.committedEntries));
      this.maybeAutoLeave();
    }
    if (r.state === 'leader') {
      const self = r.trk.progress.get(r.id);
      if (self !== undefined && self.maybeUpdate(r.durableLastIndex())) maybeCommitAndBroadcast(r);
    }
  }

  /** A copy of this node's state (progress per member on the leader). */
  status(): Status {
    return statusOf(this.raft);
  }

  private maybeAutoLeave(): void {
    const r = this.raft;
    if (!r.trk.config.autoLeave || r.log.applied < r.pendingConfIndex || r.state !== 'leader') return;
    r.logAt('info', `${r.id} initiating automatic transition out of joint configuration`);
    try {
      this.proposeConfChange({ transition: 'auto', changes: [], context: '' });
    } catch (err) {
      if (!(err instanceof ProposalDroppedError)) throw err;
      r.logAt('info', `${r.id} not initiating automatic transition out of joint configuration: ${err.message}`);
    }
  }
}

function softStateEqual(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.raftState === b.raftState;
}
