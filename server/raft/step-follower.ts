import { restoreConfig } from './confchange/restore.js';
import { ProposalDroppedError, ReadIndexDroppedError } from './errors.js';
import type { Raft } from './raft.js';
import { bcastAppend } from './replication.js';
import { emptySnapshot, makeMessage, NO_NODE, type Message, type Snapshot } from './types.js';

/**
 * A proposal forwarded in term T (its `logTerm`) may be appended only in term T. So once a node applies
 * an entry of a later term, every entry of the proposals it forwarded that will ever commit has been
 * applied: the rest are certainly lost, and the app can say so instead of waiting for a timeout.
 */
export function dropIfForwardedInOtherTerm(r: Raft, m: Message): void {
  if (m.logTerm !== 0 && m.logTerm !== r.term && !r.cfg.unsafeAppendForwardedInAnyTerm) {
    throw new ProposalDroppedError('termChanged', `${r.id} [term ${r.term}] dropping proposal forwarded in term ${m.logTerm}`);
  }
}

/** A (pre-)candidate's handling of a message that passed the term checks. */
export function stepCandidate(r: Raft, m: Message): void {
  // Only responses of our own round count: a preVoteResp is stale once we became a real candidate.
  const myVoteResp = r.state === 'preCandidate' ? 'preVoteResp' : 'voteResp';
  switch (m.type) {
    case 'prop':
      throw new ProposalDroppedError('noLeader', `${r.id} no leader at term ${r.term}; dropping proposal`);
    case 'readIndex':
      throw new ReadIndexDroppedError(`${r.id} no leader at term ${r.term}; dropping index reading msg`);
    case 'app':
    case 'heartbeat':
    case 'snap':
      // A leader of our term exists: the election is over.
      r.becomeFollower(m.term, m.from);
      handleLeaderMessage(r, m);
      return;
    case 'timeoutNow':
      r.logAt('debug', `${r.id} [term ${r.term} state ${r.state}] ignored timeoutNow from ${m.from}`);
      return;
    default:
      if (m.type !== myVoteResp) return;
  }
  const { granted, rejected, result } = r.poll(m.from, myVoteResp, !m.reject);
  r.logAt('info', `${r.id} has received ${granted} ${myVoteResp} votes and ${rejected} vote rejections`);
  if (result === 'won') {
    if (r.state === 'preCandidate') r.campaign('election');
    else {
      r.becomeLeader();
      // Sends the new leader's empty entry to everyone.
      bcastAppend(r);
    }
  } else if (result === 'lost') {
    // A preVoteResp rejection carries a term we may not have; becoming follower at our term is enough.
    r.becomeFollower(r.term, NO_NODE);
  }
}

/** A follower's handling of a message that passed the term checks. */
export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case 'prop':
      if (r.lead === NO_NODE) throw new ProposalDroppedError('noLeader', `${r.id} no leader at term ${r.term}; dropping proposal`);
      dropIfForwardedInOtherTerm(r, m);
      // Stamped with the term it is forwarded in: only the leader of that term may append it.
      r.send({ ...m, to: r.lead, logTerm: r.term });
      return;
    case 'app':
    case 'heartbeat':
    case 'snap':
      // Hearing from the leader restarts the election timeout (and the leader's lease on our vote).
      r.electionElapsed = 0;
      r.lead = m.from;
      handleLeaderMessage(r, m);
      return;
    case 'transferLeader':
      if (r.lead === NO_NODE) {
        r.logAt('info', `${r.id} no leader at term ${r.term}; dropping leader transfer msg`);
        return;
      }
      r.send({ ...m, to: r.lead, term: 0 });
      return;
    case 'forgetLeader':
      if (r.lead !== NO_NODE) {
        r.logAt('info', `${r.id} forgetting leader ${r.lead} at term ${r.term}`);
        r.lead = NO_NODE;
      }
      return;
    case 'timeoutNow':
      r.logAt('info', `${r.id} [term ${r.term}] received timeoutNow from ${m.from} and starts an election to get leadership`);
      // Leadership transfers never use PreVote: the old leader asked for this election.
      r.hup('transfer');
      return;
    case 'readIndex':
      if (r.lead === NO_NODE) throw new ReadIndexDroppedError(`${r.id} no leader at term ${r.term}; dropping index reading msg`);
      r.send({ ...m, to: r.lead });
      return;
    case 'readIndexResp':
      r.readStates.push({ index: m.index, requestCtx: m.context });
      return;
    default:
      return;
  }
}

function handleLeaderMessage(r: Raft, m: Message): void {
  if (m.type === 'app') handleAppendEntries(r, m);
  else if (m.type === 'heartbeat') handleHeartbeat(r, m);
  else handleSnapshot(r, m);
}

/** §5.3: accept entries that extend a matching prefix; otherwise reject with a hint that skips a term. */
export function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    r.send(makeMessage({ type: 'appResp', to: m.from, index: r.log.committed }));
    return;
  }
  const lastNewIndex = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNewIndex !== null) {
    r.send(makeMessage({ type: 'appResp', to: m.from, index: lastNewIndex }));
    return;
  }
  // Our best guess of the last index that may match: the largest index <= m.index whose term is
  // <= m.logTerm. The leader then skips all of its entries with larger terms.
  const [hintIndex, hintTerm] = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.logAt(
    'debug',
    `${r.id} [logterm: ${r.log.termOrNull(m.index) ?? 0}, index: ${m.index}] rejected app [logterm: ${m.logTerm}, index: ${m.index}] from ${m.from}`,
  );
  r.send(makeMessage({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }));
}

/** A heartbeat carries a commit index capped by what we are known to hold, and maybe a read context. */
export function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  r.send(makeMessage({ type: 'heartbeatResp', to: m.from, context: m.context }));
}

/** Installs a snapshot from the leader when it is ahead of our commit index. */
export function handleSnapshot(r: Raft, m: Message): void {
  const snap = m.snapshot ?? emptySnapshot();
  const { index, term } = snap.metadata;
  if (restore(r, snap)) {
    r.logAt('info', `${r.id} [commit: ${r.log.committed}] restored snapshot [index: ${index}, term: ${term}]`);
    r.send(makeMessage({ type: 'appResp', to: m.from, index: r.log.lastIndex() }));
  } else {
    r.logAt('info', `${r.id} [commit: ${r.log.committed}] ignored snapshot [index: ${index}, term: ${term}]`);
    r.send(makeMessage({ type: 'appResp', to: m.from, index: r.log.committed }));
  }
}

function restore(r: Raft, snap: Snapshot): boolean {
  const { index, term, confState } = snap.metadata;
  if (index <= r.log.committed) return false;
  if (r.state !== 'follower') {
    // Only a leader of our term sends snapshots, and it made us a follower first. Defensive.
    r.logAt('warn', `${r.id} attempted to restore snapshot as ${r.state}; should never happen`);
    r.becomeFollower(r.term + 1, NO_NODE);
    return false;
  }
  const member = confState.voters.includes(r.id) || confState.learners.includes(r.id) || confState.votersOutgoing.includes(r.id);
  if (!member) {
    r.logAt('warn', `${r.id} attempted to restore snapshot but it is not in the ConfState; should never happen`);
    return false;
  }
  if (r.log.matchTerm(index, term)) {
    // We already hold the snapshot's last entry: just move the commit index.
    r.logAt('info', `${r.id} [commit: ${r.log.committed}, lastindex: ${r.log.lastIndex()}, lastterm: ${r.log.lastTerm()}] fast-forwarded commit to snapshot [index: ${index}, term: ${term}]`);
    r.log.commitTo(index);
    return false;
  }
  r.log.restore(snap);
  r.switchToConfig(restoreConfig(confState, r.changerContext()));
  const self = r.trk.progress.get(r.id)!;
  self.maybeUpdate(self.next - 1);
  return true;
}
