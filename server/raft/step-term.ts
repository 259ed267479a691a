import type { Raft } from './raft.js';
import { CAMPAIGN_TRANSFER, NO_NODE, makeMessage, type Message } from './types.js';

/**
 * Handles a message whose term is higher than ours (§5.1: a node that sees a higher term adopts it).
 * Returns false when the message is dropped. Exceptions: a vote request is ignored while we are inside
 * a live leader's lease (CheckQuorum stickiness, thesis §4.2.3) unless it is a leader-transfer campaign;
 * PreVote traffic never changes our term.
 */
export function stepCampaignMessage(r: Raft, m: Message): boolean {
  if (m.type === 'vote' || m.type === 'preVote') {
    const force = m.context === CAMPAIGN_TRANSFER;
    const inLease = r.cfg.checkQuorum && r.lead !== NO_NODE && r.electionElapsed < r.cfg.electionTicks;
    if (!force && inLease) {
      r.logAt(
        'info',
        `${r.id} [logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote || '0'}] ignored ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}: lease is not expired (remaining ticks: ${r.cfg.electionTicks - r.electionElapsed})`,
      );
      return false;
    }
  }
  if (m.type === 'preVote') return true;
  // A granted PreVote for term+1 does not move us: we bump the term only when we win the PreVote round.
  if (m.type === 'preVoteResp' && !m.reject) return true;
  r.logAt('info', `${r.id} [term: ${r.term}] received a ${m.type} message with higher term from ${m.from} [term: ${m.term}]`);
  const fromLeader = m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap';
  r.becomeFollower(m.term, fromLeader ? m.from : NO_NODE);
  return true;
}

/**
 * Handles a message whose term is lower than ours. With CheckQuorum or PreVote, a stale leader's
 * append/heartbeat is answered so it learns the new term (otherwise a node partitioned away while the
 * others moved on could stay stuck); a stale PreVote is rejected explicitly; the rest is ignored.
 */
export function stepStaleTerm(r: Raft, m: Message): void {
  if ((r.cfg.checkQuorum || r.cfg.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
    r.send(makeMessage({ type: 'appResp', to: m.from }));
  } else if (m.type === 'preVote') {
    r.logAt(
      'info',
      `${r.id} [logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote || '0'}] rejected ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}`,
    );
    r.send(makeMessage({ type: 'preVoteResp', to: m.from, term: r.term, reject: true }));
  } else {
    r.logAt('info', `${r.id} [term: ${r.term}] ignored a ${m.type} message with lower term from ${m.from} [term: ${m.term}]`);
  }
}

/**
 * §5.2/§5.4.1: grants a (pre)vote when we may vote for this candidate in its term and its log is at least
 * as up to date as ours. A real vote is recorded (and persisted before the response leaves).
 */
export function stepVoteRequest(r: Raft, m: Message): void {
  const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
  // We can vote again for the node we voted for; otherwise only when we have neither voted nor know
  // a leader in this term. A PreVote for a future term is always considered.
  const canVote =
    r.vote === m.from || (r.vote === NO_NODE && r.lead === NO_NODE) || (m.type === 'preVote' && m.term > r.term);
  const where = `[logterm: ${r.log.lastTerm()}, index: ${r.log.lastIndex()}, vote: ${r.vote || '0'}]`;
  if (canVote && r.log.isUpToDate(m.index, m.logTerm)) {
    r.logAt('info', `${r.id} ${where} cast ${m.type} for ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}`);
    r.send(makeMessage({ type: respType, to: m.from, term: m.term }));
    if (m.type === 'vote') {
      r.electionElapsed = 0;
      r.vote = m.from;
    }
  } else {
    r.logAt('info', `${r.id} ${where} rejected ${m.type} from ${m.from} [logterm: ${m.logTerm}, index: ${m.index}] at term ${r.term}`);
    r.send(makeMessage({ type: respType, to: m.from, term: r.term, reject: true }));
  }
}
