import { CompactedError, SnapshotTemporarilyUnavailableError, UnavailableError, raftAssert } from './errors.js';
import { entriesSizeBytes } from './log.js';
import type { Raft } from './raft.js';
import { isEmptySnapshot, makeMessage, type Entry, type Message, type NodeId } from './types.js';

/**
 * Leader-side sending: appends, snapshots, heartbeats, and committing. Every function assumes `r` is
 * the leader and respects flow control (Progress pausing, inflights, maxSizePerMsgBytes).
 */

/**
 * Sends a MsgApp to `to` when its Progress is not paused. With `sendIfEmpty` false, nothing is sent
 * when there are no new entries. Falls back to a snapshot when the needed entries are compacted.
 * Returns true if a message was sent.
 */
export function maybeSendAppend(r: Raft, to: NodeId, sendIfEmpty: boolean): boolean {
  const pr = r.trk.progress.get(to);
  if (pr === undefined || pr.isPaused()) return false;
  const prevIndex = pr.next - 1;
  let prevTerm: number;
  let entries: Entry[] = [];
  try {
    prevTerm = r.log.term(prevIndex);
    // A heartbeat response unpauses a follower whose inflights are full (every append in flight may
    // have been lost): send it an empty append then, whose ack or rejection frees the window.
    if (pr.state !== 'replicate' || !pr.inflights.full()) entries = r.log.entries(pr.next, r.cfg.maxSizePerMsgBytes);
  } catch (err) {
    if (err instanceof CompactedError || err instanceof UnavailableError) return maybeSendSnapshot(r, to);
    throw err;
  }
  if (entries.length === 0 && !sendIfEmpty) return false;
  r.send(makeMessage({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit: r.log.committed }));
  pr.sentEntries(entries.length, entriesSizeBytes(entries));
  pr.sentCommitTo(r.log.committed);
  return true;
}

/** Sends an append (even an empty one, to carry the commit index) to `to`. */
export function sendAppend(r: Raft, to: NodeId): void {
  maybeSendAppend(r, to, true);
}

function maybeSendSnapshot(r: Raft, to: NodeId): boolean {
  const pr = r.trk.progress.get(to)!;
  if (!pr.recentActive) {
    r.logAt('debug', `${r.id} ignore sending snapshot to ${to} since it is not recently active`);
    return false;
  }
  let snapshot;
  try {
    snapshot = r.log.snapshot();
  } catch (err) {
    if (err instanceof SnapshotTemporarilyUnavailableError) {
      r.logAt('debug', `${r.id} failed to send snapshot to ${to} because snapshot is temporarily unavailable`);
      return false;
    }
    throw err;
  }
  raftAssert(!isEmptySnapshot(snapshot), 'need non-empty snapshot');
  const { index, term } = snapshot.metadata;
  r.logAt('info', `${r.id} [firstindex: ${r.log.firstIndex()}, commit: ${r.log.committed}] sent snapshot[index: ${index}, term: ${term}] to ${to} [${pr.toString()}]`);
  pr.becomeSnapshot(index);
  r.logAt('info', `${r.id} paused sending replication messages to ${to} [${pr.toString()}]`);
  r.send(makeMessage({ type: 'snap', to, snapshot }));
  return true;
}

/** Sends appends to every other member. */
export function bcastAppend(r: Raft, sendIfEmpty = true): void {
  r.trk.visit((id) => {
    if (id !== r.id) maybeSendAppend(r, id, sendIfEmpty);
  });
}

/** Sends a heartbeat carrying `context` (a ReadIndex round, or '') to every other member. */
export function bcastHeartbeat(r: Raft, context: string): void {
  r.trk.visit((id, pr) => {
    if (id === r.id) return;
    // Never tell a follower to commit past what it is known to hold.
    const commit = Math.min(pr.match, r.log.committed);
    pr.sentCommitTo(commit);
    r.send(makeMessage({ type: 'heartbeat', to: id, commit, context }));
  });
}

/**
 * Advances the commit index to what a quorum holds (current-term entries only, §5.4.2). On progress,
 * releases ReadIndex requests held for the first commit of the term and broadcasts the new commit.
 */
export function maybeCommitAndBroadcast(r: Raft): boolean {
  if (!r.log.maybeCommit(r.trk.committed(), r.term, r.cfg.unsafeCommitOldTermEntries)) return false;
  releasePendingReadIndexMessages(r);
  bcastAppend(r);
  return true;
}

/** Answers (or starts confirming) a ReadIndex request at the current commit index. */
export function sendReadIndexResponse(r: Raft, m: Message): void {
  if (r.trk.isSingleton()) {
    respondToReadIndex(r, m, r.log.committed);
    return;
  }
  if (!r.readOnly.addRequest(r.log.committed, m)) {
    r.logAt('warn', `${r.id} ignoring read index request with duplicate context ${JSON.stringify(m.context)}`);
    return;
  }
  r.readOnly.recvAck(r.id, m.context);
  bcastHeartbeat(r, m.context);
}

/** Delivers a confirmed read: a local ReadState, or a readIndexResp to the follower that asked. */
export function respondToReadIndex(r: Raft, req: Message, index: number): void {
  if (req.from === '' || req.from === r.id) {
    r.readStates.push({ index, requestCtx: req.context });
    return;
  }
  r.send(makeMessage({ type: 'readIndexResp', to: req.from, index, context: req.context }));
}

function releasePendingReadIndexMessages(r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0 || !r.committedEntryInCurrentTerm()) return;
  const held = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of held) sendReadIndexResponse(r, m);
}
