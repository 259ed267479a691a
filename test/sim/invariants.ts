import type { Entry, HardState, MemoryStorage, Message, NodeId, Snapshot } from '../../server/raft/index.js';
import { fnv1a } from './kv.js';

/** The property a violation breaks. */
export type ViolationKind =
  | 'electionSafety'
  | 'doubleVote'
  | 'logMatching'
  | 'leaderCompleteness'
  | 'committedOverwritten'
  | 'stateMachineSafety'
  | 'monotonicity'
  /** A write its proposer declared certainly not applied (a leader change lost it) was applied. */
  | 'lostWriteApplied'
  | 'durability'
  | 'raftAssertion'
  | 'liveness'
  | 'linearizability'
  | 'checkerBudget'
  | 'exception';

/** A broken property, found at simulated time `tick`. Thrown out of the run and reported with the seed. */
export class SimViolation extends Error {
  constructor(
    readonly kind: ViolationKind,
    readonly detail: string,
    readonly tick: number,
  ) {
    super(`${kind} at tick ${tick}: ${detail}`);
    this.name = 'SimViolation';
  }
}

/** What the checker reads from a member: identity, incarnation, disk images. */
export interface CheckedMember {
  readonly id: NodeId;
  readonly incarnation: number;
  readonly live: MemoryStorage;
  readonly durable: MemoryStorage;
}

const decoder = new TextDecoder();

/** A digest identifying an entry's content (type and payload). */
export function entryDigest(e: Entry): string {
  return e.data.byteLength === 0 ? `${e.type}:` : `${e.type}:${fnv1a(decoder.decode(e.data))}`;
}

interface IncarnationState {
  incarnation: number;
  commit: number;
  applied: number;
  /** Commit index up to which this incarnation's committed entries were recorded. */
  commitRecorded: number;
}

/** Term of `index` in `storage`, or null when compacted or absent. */
function termAt(storage: MemoryStorage, index: number): number | null {
  if (index < storage.firstIndex() - 1 || index > storage.lastIndex()) return null;
  return storage.term(index);
}

/**
 * The safety checks, run at every step where the state they watch can change (so, in effect, after
 * every step): a member persisting a Ready, sending a message, applying an entry or a snapshot.
 * Each check keeps a cluster-wide record, so it also holds across crashes and restarts:
 *
 * - election safety: at most one leader per term; no member votes for two candidates in one term.
 * - log matching: entries with the same (index, term) have the same content and the same previous term,
 *   so logs that share an entry share the whole prefix before it.
 * - leader completeness: a new leader holds every entry known committed.
 * - committed entries are never overwritten (with a different term) in any member's log.
 * - state-machine safety: every member applies the same entry at each index, in order; snapshots taken
 *   at the same index have the same digest.
 * - monotonicity: within an incarnation, commit and applied never go back.
 * - durability: a message leaves only after the term, vote and entries it depends on are durable.
 */
export class InvariantChecker {
  tick = 0;
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly votes = new Map<string, NodeId>();
  private readonly appliedTags = new Set<string>();
  private readonly declaredLost = new Set<string>();
  /** `${index}/${term}` -> entry digest and previous term. */
  private readonly entries = new Map<string, { digest: string; prevTerm: number | null }>();
  /** index -> term, for every index known committed. */
  private readonly committedTerms = new Map<number, number>();
  private committedMax = 0;
  private readonly appliedDigests = new Map<number, string>();
  private readonly snapshotDigests = new Map<number, string>();
  private readonly members = new Map<NodeId, IncarnationState>();
  readonly durabilityCheck: boolean;

  constructor(options: { durabilityCheck: boolean }) {
    this.durabilityCheck = options.durabilityCheck;
  }

  /** Highest index known committed anywhere. */
  get highestCommitted(): number {
    return this.committedMax;
  }

  private fail(kind: ViolationKind, detail: string): never {
    throw new SimViolation(kind, detail, this.tick);
  }

  private stateOf(m: CheckedMember): IncarnationState {
    let st = this.members.get(m.id);
    if (st === undefined || st.incarnation !== m.incarnation) {
      const first = m.live.firstIndex() - 1;
      st = { incarnation: m.incarnation, commit: 0, applied: first, commitRecorded: first };
      this.members.set(m.id, st);
    }
    return st;
  }

  /** A member became leader of `term` (seen in a Ready's SoftState, after persisting it). */
  onLeader(m: CheckedMember, term: number): void {
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== m.id) this.fail('electionSafety', `${m.id} and ${other} both led term ${term}`);
    this.leaderOfTerm.set(term, m.id);
    // Leader completeness: every entry known committed is in the new leader's log.
    const first = m.live.firstIndex() - 1;
    if (m.live.lastIndex() < this.committedMax) {
      this.fail('leaderCompleteness', `${m.id} leads term ${term} with last index ${m.live.lastIndex()} < committed ${this.committedMax}`);
    }
    for (let i = Math.max(first, 1); i <= this.committedMax; i++) {
      const want = this.committedTerms.get(i);
      if (want !== undefined && m.live.term(i) !== want) {
        this.fail('leaderCompleteness', `${m.id} leads term ${term} with term ${m.live.term(i)} at committed index ${i} (committed term ${want})`);
      }
    }
  }

  /** A member persisted a Ready's snapshot, entries and HardState (they are now in `live`). */
  onPersisted(m: CheckedMember, entries: readonly Entry[], hs: HardState | null, snapshot: Snapshot | null): void {
    const st = this.stateOf(m);
    if (snapshot !== null) st.commitRecorded = Math.max(st.commitRecorded, snapshot.metadata.index);
    for (const e of entries) this.checkEntry(m, e);
    if (hs === null) return;
    if (hs.vote !== '') {
      const key = `${m.id}@${hs.term}`;
      const prior = this.votes.get(key);
      if (prior !== undefined && prior !== hs.vote) this.fail('doubleVote', `${m.id} voted for ${prior} and then ${hs.vote} in term ${hs.term}`);
      this.votes.set(key, hs.vote);
    }
    if (hs.commit < st.commit) this.fail('monotonicity', `${m.id} commit went back from ${st.commit} to ${hs.commit}`);
    st.commit = hs.commit;
    this.recordCommitted(m, st, hs.commit);
  }

  /**
   * A member is about to persist `entries`: none may replace an entry it holds that is known committed.
   * (A stale leader may still append a different entry at a committed index it never held: that entry
   * is not committed and will be overwritten.)
   */
  beforePersist(m: CheckedMember, entries: readonly Entry[]): void {
    for (const e of entries) {
      const committed = this.committedTerms.get(e.index);
      if (committed === undefined || committed === e.term) continue;
      if (termAt(m.live, e.index) === committed) {
        this.fail('committedOverwritten', `${m.id} overwrote committed entry ${committed}/${e.index} with term ${e.term}`);
      }
    }
  }

  private checkEntry(m: CheckedMember, e: Entry): void {
    const key = `${e.index}/${e.term}`;
    const digest = entryDigest(e);
    const prevTerm = termAt(m.live, e.index - 1);
    const known = this.entries.get(key);
    if (known === undefined) {
      this.entries.set(key, { digest, prevTerm });
      return;
    }
    if (known.digest !== digest) this.fail('logMatching', `${m.id} holds a different entry at index ${e.index} term ${e.term}`);
    if (known.prevTerm !== null && prevTerm !== null && known.prevTerm !== prevTerm) {
      this.fail('logMatching', `${m.id} holds index ${e.index} term ${e.term} after term ${prevTerm}, elsewhere after term ${known.prevTerm}`);
    }
    if (known.prevTerm === null) known.prevTerm = prevTerm;
  }

  private recordCommitted(m: CheckedMember, st: IncarnationState, commit: number): void {
    const from = Math.max(st.commitRecorded + 1, m.live.firstIndex());
    for (let i = from; i <= commit; i++) {
      const term = m.live.term(i);
      const known = this.committedTerms.get(i);
      if (known === undefined) this.committedTerms.set(i, term);
      else if (known !== term) this.fail('stateMachineSafety', `${m.id} committed term ${term} at index ${i}, elsewhere term ${known}`);
    }
    st.commitRecorded = Math.max(st.commitRecorded, commit);
    if (commit > this.committedMax) this.committedMax = commit;
  }

  /** A message is about to leave `m`: what it depends on must already be durable. */
  onSend(m: CheckedMember, msg: Message): void {
    if (!this.durabilityCheck || msg.type === 'preVote' || msg.type === 'preVoteResp' || msg.term === 0) return;
    const hs = m.durable.initialState().hardState;
    if (hs.term < msg.term) this.fail('durability', `${m.id} sent ${msg.type} at term ${msg.term} with durable term ${hs.term}`);
    if (msg.type === 'vote' && hs.term === msg.term && hs.vote !== m.id) {
      this.fail('durability', `${m.id} asked for votes in term ${msg.term} before its own vote was durable`);
    }
    if (msg.type === 'voteResp' && !msg.reject && (hs.term !== msg.term || hs.vote !== msg.to)) {
      this.fail('durability', `${m.id} granted its term-${msg.term} vote to ${msg.to}, durable is term ${hs.term} vote '${hs.vote}'`);
    }
    if (msg.type === 'appResp' && !msg.reject && msg.index > 0) {
      const durableTerm = termAt(m.durable, msg.index);
      const compacted = msg.index < m.durable.firstIndex() - 1;
      if (!compacted && (durableTerm === null || durableTerm !== termAt(m.live, msg.index))) {
        this.fail('durability', `${m.id} acknowledged index ${msg.index} before it was durable`);
      }
    }
  }

  /** A member applies committed entry `e`. */
  onApply(m: CheckedMember, e: Entry): void {
    const st = this.stateOf(m);
    if (e.index !== st.applied + 1) this.fail('monotonicity', `${m.id} applied index ${e.index} after ${st.applied}`);
    st.applied = e.index;
    const digest = `${e.term}:${entryDigest(e)}`;
    const known = this.appliedDigests.get(e.index);
    if (known === undefined) this.appliedDigests.set(e.index, digest);
    else if (known !== digest) this.fail('stateMachineSafety', `${m.id} applied a different entry at index ${e.index}`);
  }

  /** A member applied the write proposed as `tag` (see KvCommand.tag). */
  onWriteApplied(m: CheckedMember, tag: string): void {
    if (this.declaredLost.has(tag)) this.fail('lostWriteApplied', `${m.id} applied write ${tag}, which its proposer had declared not applied`);
    this.appliedTags.add(tag);
  }

  /** Member `m` declared the write it proposed as `tag` lost in a leader change: certainly not applied. */
  onWriteDeclaredLost(m: CheckedMember, tag: string): void {
    if (this.appliedTags.has(tag)) this.fail('lostWriteApplied', `${m.id} declared write ${tag} not applied, but it was applied`);
    this.declaredLost.add(tag);
  }

  /** A member restored its state machine from a snapshot received from the leader. */
  onSnapshotApplied(m: CheckedMember, index: number, stateDigest: string): void {
    const st = this.stateOf(m);
    if (index < st.applied) this.fail('monotonicity', `${m.id} applied a snapshot at ${index} behind applied ${st.applied}`);
    st.applied = index;
    this.onStateDigest(m, index, stateDigest);
  }

  /** A member's state machine at `index` has digest `stateDigest` (snapshot taken or installed). */
  onStateDigest(m: CheckedMember, index: number, stateDigest: string): void {
    const known = this.snapshotDigests.get(index);
    if (known === undefined) this.snapshotDigests.set(index, stateDigest);
    else if (known !== stateDigest) this.fail('stateMachineSafety', `${m.id} state at index ${index} differs from another member's`);
  }

  /** Reports a broken property found outside these checks (liveness, linearizability, an assertion). */
  report(kind: ViolationKind, detail: string): never {
    this.fail(kind, detail);
  }
}
