/**
 * Errors of the Raft core. Expected failures are `RaftError`s with a stable `code` and a `retryable`
 * flag; broken invariants throw `RaftAssertionError`, which the member must treat as fatal.
 */

/** Base of every expected error raised by the Raft core. `code` is stable and safe to switch on. */
export class RaftError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
  }
}

/** Why a proposal was not accepted. */
export type ProposalDropReason =
  | 'noLeader'
  | 'leaderTransferInProgress'
  | 'uncommittedSizeCap'
  | 'notInConfiguration'
  | 'confChangePending'
  | 'confChangeInvalid'
  | 'notLeader'
  /** A forwarded proposal reached a node whose term is not the one it was forwarded in. */
  | 'termChanged';

/**
 * A proposal could not be accepted by this node right now. It was not appended anywhere; the caller
 * may retry (after a leader is known, the transfer finished or the log drained).
 */
export class ProposalDroppedError extends RaftError {
  readonly reason: ProposalDropReason;
  constructor(reason: ProposalDropReason, detail: string) {
    super('RAFT_PROPOSAL_DROPPED', `raft proposal dropped (${reason}): ${detail}`, reason !== 'confChangeInvalid');
    this.reason = reason;
  }
}

/** A ReadIndex request was dropped (no known leader); no ReadState will be produced for its context. */
export class ReadIndexDroppedError extends RaftError {
  constructor(detail: string) {
    super('RAFT_READ_INDEX_DROPPED', `raft read index dropped: ${detail}`, true);
  }
}

/** The requested index is below the first index still held by storage (compacted away). */
export class CompactedError extends RaftError {
  constructor(index: number, firstIndex: number) {
    super('RAFT_COMPACTED', `requested index ${index} is unavailable due to compaction (first index ${firstIndex})`, false);
  }
}

/** The requested index is beyond the last index held by storage. */
export class UnavailableError extends RaftError {
  constructor(index: number) {
    super('RAFT_UNAVAILABLE', `requested entry at index ${index} is unavailable`, false);
  }
}

/** Storage cannot produce a snapshot right now; the leader retries later. */
export class SnapshotTemporarilyUnavailableError extends RaftError {
  constructor() {
    super('RAFT_SNAPSHOT_TEMPORARILY_UNAVAILABLE', 'snapshot is temporarily unavailable', true);
  }
}

/** A snapshot older than the one storage already holds was offered. */
export class SnapshotOutOfDateError extends RaftError {
  constructor(index: number, current: number) {
    super('RAFT_SNAPSHOT_OUT_OF_DATE', `snapshot at index ${index} is older than the current snapshot at ${current}`, false);
  }
}

/** The configuration given to `RawNode` is invalid; `problems` lists every problem found. */
export class ConfigError extends RaftError {
  readonly problems: readonly string[];
  constructor(problems: string[]) {
    super('RAFT_CONFIG_INVALID', `invalid raft config: ${problems.join('; ')}`, false);
    this.problems = problems;
  }
}

/** A membership change is invalid (for example, it would remove every voter). */
export class ConfChangeError extends RaftError {
  constructor(detail: string) {
    super('RAFT_CONF_CHANGE_INVALID', `invalid conf change: ${detail}`, false);
  }
}

/** A message that must not reach `RawNode.step` (a local type, or from a node it cannot belong to). */
export class StepRefusedError extends RaftError {
  constructor(detail: string) {
    super('RAFT_STEP_REFUSED', `raft step refused: ${detail}`, false);
  }
}

/** A broken invariant of the core (term going back, commit past the log). The node must stop. */
export class RaftAssertionError extends Error {
  constructor(message: string) {
    super(`raft invariant violated: ${message}`);
    this.name = 'RaftAssertionError';
  }
}

/** Throws `RaftAssertionError` when `condition` is false. */
export function raftAssert(condition: boolean, message: string | (() => string)): asserts condition {
  if (!condition) throw new RaftAssertionError(typeof message === 'string' ? message : message());
}

/** Asserts that `n` is a non-negative safe integer (an index or a term). */
export function assertSafeIndex(n: number, what: string): void {
  raftAssert(Number.isSafeInteger(n) && n >= 0, () => `${what} must be a non-negative safe integer, got ${n}`);
}
