import { applyConfChangeTo, Changer } from './confchange/changer.js';
import { decodeConfChange, isLeaveJoint } from './confchange/codec.js';
import { ConfChangeError, ProposalDroppedError, raftAssert } from './errors.js';
import { jointVoteResult } from './quorum/joint.js';
import type { Raft } from './raft.js';
import {
  bcastAppend,
  bcastHeartbeat,
  maybeCommitAndBroadcast,
  maybeSendAppend,
  respondToReadIndex,
  sendAppend,
  sendReadIndexResponse,
} from './replication.js';
import { isJoint } from './tracker/tracker.js';
import { dropIfForwardedInOtherTerm } from './step-follower.js';
import { NO_NODE, makeMessage, type Entry, type Message } from './types.js';

/** The leader's handling of a message that passed the term checks. */
export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case 'beat':
      bcastHeartbeat(r, r.readOnly.lastPendingRequestContext());
      return;
    case 'checkQuorum':
      checkQuorum(r);
      return;
    case 'prop':
      propose(r, m);
      return;
    case 'readIndex':
      readIndex(r, m);
      return;
    case 'forgetLeader':
      return;
    default:
      stepLeaderPeerMessage(r, m);
  }
}

function checkQuorum(r: Raft): void {
  if (!r.trk.quorumActive()) {
    r.logAt('warn', `${r.id} stepped down to follower since quorum is not active`);
    r.becomeFollower(r.term, NO_NODE);
    return;
  }
  // Everyone but us must prove again during the next election timeout that they are alive.
  r.trk.visit((id, pr) => {
    if (id !== r.id) pr.recentActive = false;
  });
}

function propose(r: Raft, m: Message): void {
  raftAssert(m.entries.length > 0, `${r.id} stepped empty proposal`);
  dropIfForwardedInOtherTerm(r, m);
  if (!r.trk.progress.has(r.id)) {
    throw new ProposalDroppedError('notInConfiguration', `${r.id} is no longer in the configuration`);
  }
  if (r.leadTransferee !== NO_NODE) {
    throw new ProposalDroppedError(
      'leaderTransferInProgress',
      `${r.id} [term ${r.term}] transfer leadership to ${r.leadTransferee} is in progress`,
    );
  }
  if (leavingWithLeavePending(r) && m.entries.some((e) => e.type === 'normal')) {
    throw new ProposalDroppedError('notInConfiguration', `${r.id} [term ${r.term}] is leaving the configuration (conf change at ${r.pendingConfIndex} not applied yet)`);
  }
  m.entries.forEach((e, i) => {
    if (e.type === 'confChange') checkConfChangeProposal(r, e, r.log.lastIndex() + i + 1);
  });
  if (!r.appendEntry(m.entries)) {
    throw new ProposalDroppedError('uncommittedSizeCap', `uncommitted entries exceed ${r.cfg.maxUncommittedEntriesBytes} bytes`);
  }
  for (let i = 0; i < m.entries.length; i++) {
    if (m.entries[i]!.type === 'confChange') r.pendingConfIndex = r.log.lastIndex() - m.entries.length + 1 + i;
  }
  bcastAppend(r);
}

/**
 * True when this leader is on its way out (a joint configuration whose incoming half lacks it) and the
 * entry leaving the joint configuration is in its log but not applied. It then takes no new entries:
 * it steps down when it applies the leave-joint, and members that have not applied it yet still need its
 * vote; with entries past the leave-joint in its log it would refuse them all and the cluster could
 * never elect a leader again (found by the simulator). Once the leave-joint commits, a majority of the
 * new configuration holds its whole log.
 */
function leavingWithLeavePending(r: Raft): boolean {
  return isJoint(r.trk.config) && !r.trk.config.voters[0].has(r.id) && r.pendingConfIndex > r.log.applied;
}

/**
 * Refuses a conf change the leader knows cannot be applied: one while another is unapplied (only one
 * pending change at a time), a simple change inside a joint config, leaving a config that is not joint,
 * or a change the changer rejects against the current (and thus apply-time) configuration.
 */
function checkConfChangeProposal(r: Raft, e: Entry, index: number): void {
  const cc = decodeConfChange(e.data);
  if (r.pendingConfIndex > r.log.applied) {
    throw new ProposalDroppedError(
      'confChangePending',
      `possible unapplied conf change at index ${r.pendingConfIndex} (applied to ${r.log.applied}); refusing conf change at ${index}`,
    );
  }
  const joint = isJoint(r.trk.config);
  if (joint && !isLeaveJoint(cc)) throw new ProposalDroppedError('confChangeInvalid', 'must transition out of joint config first');
  if (!joint && isLeaveJoint(cc)) throw new ProposalDroppedError('confChangeInvalid', 'not in joint state; refusing empty conf change');
  try {
    applyConfChangeTo(new Changer({ config: r.trk.config, progress: r.trk.progress }, r.changerContext()), cc);
  } catch (err) {
    if (err instanceof ConfChangeError) throw new ProposalDroppedError('confChangeInvalid', err.message);
    throw err;
  }
}

function readIndex(r: Raft, m: Message): void {
  // A fresh leader's commit index may lag the cluster's until it commits an entry of its own term.
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  sendReadIndexResponse(r, m);
}

function stepLeaderPeerMessage(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from);
  if (pr === undefined) {
    r.logAt('debug', `${r.id} no progress available for ${m.from}`);
    return;
  }
  switch (m.type) {
    case 'appResp':
      handleAppendResponse(r, m);
      return;
    case 'heartbeatResp':
      handleHeartbeatResponse(r, m);
      return;
    case 'snapStatus':
      if (pr.state !== 'snapshot') return;
      if (m.reject) pr.pendingSnapshot = 0;
      pr.becomeProbe();
      // Whether it worked or not, wait for the next heartbeat response before probing again.
      pr.msgAppFlowPaused = true;
      r.logAt('info', `${r.id} snapshot ${m.reject ? 'failed' : 'succeeded'}, resumed sending replication messages to ${m.from} [${pr.toString()}]`);
      return;
    case 'unreachable':
      if (pr.state === 'replicate') pr.becomeProbe();
      r.logAt('debug', `${r.id} failed to send message to ${m.from} because it is unreachable [${pr.toString()}]`);
      return;
    case 'transferLeader':
      handleTransferLeader(r, m);
      return;
    default:
      return;
  }
}

function handleAppendResponse(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from)!;
  pr.recentActive = true;
  if (m.reject) {
    r.logAt('debug', `${r.id} received appResp(rejected, hint: (index ${m.rejectHint}, term ${m.logTerm})) from ${m.from} for index ${m.index}`);
    // The follower told us the last index that may match (rejectHint) and its term there. Skip every
    // entry of ours with a larger term: they cannot match either.
    let nextProbeIndex = m.rejectHint;
    if (m.logTerm > 0) nextProbeIndex = r.log.findConflictByTerm(m.rejectHint, m.logTerm)[0];
    if (pr.maybeDecrTo(m.index, nextProbeIndex)) {
      r.logAt('debug', `${r.id} decreased progress of ${m.from} to [${pr.toString()}]`);
      if (pr.state === 'replicate') pr.becomeProbe();
      sendAppend(r, m.from);
    }
    return;
  }
  const wasProbing = pr.state === 'probe';
  if (!pr.maybeUpdate(m.index) && !(pr.match === m.index && wasProbing)) return;
  if (pr.state === 'probe') pr.becomeReplicate();
  else if (pr.state === 'snapshot' && pr.match + 1 >= r.log.firstIndex()) {
    // The follower caught up past our log start (by snapshot or otherwise): replicate from the log.
    r.logAt('info', `${r.id} recovered from needing snapshot, resumed sending replication messages to ${m.from} [${pr.toString()}]`);
    pr.becomeProbe();
    pr.becomeReplicate();
  } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
  if (!maybeCommitAndBroadcast(r)) {
    // Keep the pipeline full: send as many appends as flow control allows.
    let sent = false;
    while (maybeSendAppend(r, m.from, false)) sent = true;
    // A follower that was paused when the commit index moved has not heard of it yet.
    if (!sent && pr.canBumpCommit(r.log.committed)) sendAppend(r, m.from);
  }
  if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
    r.logAt('info', `${r.id} sent timeoutNow to ${m.from} after received appResp`);
    r.send(makeMessage({ type: 'timeoutNow', to: m.from }));
  }
}

function handleHeartbeatResponse(r: Raft, m: Message): void {
  const pr = r.trk.progress.get(m.from)!;
  pr.recentActive = true;
  pr.msgAppFlowPaused = false;
  if (pr.match < r.log.lastIndex() || pr.state === 'probe') sendAppend(r, m.from);
  if (m.context === '') return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (acks === null || jointVoteResult(r.trk.jointConfig(), acks) !== 'won') return;
  for (const read of r.readOnly.advance(m.context)) respondToReadIndex(r, read.request, read.index);
}

function handleTransferLeader(r: Raft, m: Message): void {
  const transferee = m.from;
  const pr = r.trk.progress.get(transferee)!;
  if (pr.isLearner) {
    r.logAt('debug', `${r.id} is learner. Ignored transferring leadership`);
    return;
  }
  if (r.leadTransferee !== NO_NODE) {
    if (r.leadTransferee === transferee) {
      r.logAt('info', `${r.id} [term ${r.term}] transfer leadership to ${transferee} is in progress, ignores request to same node ${transferee}`);
      return;
    }
    r.logAt('info', `${r.id} [term ${r.term}] abort previous transferring leadership to ${r.leadTransferee}`);
    r.abortLeaderTransfer();
  }
  if (transferee === r.id) {
    r.logAt('debug', `${r.id} is already leader. Ignored transferring leadership to self`);
    return;
  }
  r.logAt('info', `${r.id} [term ${r.term}] starts to transfer leadership to ${transferee}`);
  // The transfer must finish within one election timeout, or it is aborted (tickHeartbeat).
  r.electionElapsed = 0;
  r.leadTransferee = transferee;
  if (pr.match === r.log.lastIndex()) {
    r.logAt('info', `${r.id} sends timeoutNow to ${transferee} immediately as ${transferee} already has up-to-date log`);
    r.send(makeMessage({ type: 'timeoutNow', to: transferee }));
  } else {
    sendAppend(r, transferee);
  }
}
