import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { RaftMember } from '../../../server/member/raft-member.js';
import { openRaftMember } from '../../../server/member/open-member.js';
import { idToHex } from '../../../server/member/identity.js';
import type { Applied } from '../../../server/apply/applier.js';
import { rangeRequest } from '../../../server/mvcc/types.js';
import { bytesFromUtf8, bytesToUtf8 } from '../../../server/mvcc/bytes.js';
import { MemoryNetwork } from '../helpers/memory-transport.js';
import { removeDir, tempDir } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

const HEARTBEAT_MS = 50;

function putParams(key: string, value: string): object {
  return { key: Buffer.from(key).toString('base64'), value: Buffer.from(value).toString('base64') };
}

/** The value of `key` in `member`'s store, or null. */
async function stored(member: RaftMember, key: string): Promise<string | null> {
  const { kvs } = await member.store.range(rangeRequest({ key: bytesFromUtf8(key) }));
  return kvs[0] === undefined ? null : bytesToUtf8(kvs[0].value);
}

/** Resolves with what became of a proposal: applied, or the error code it failed with. */
function outcomeOf(proposal: Promise<Applied>): Promise<{ applied: Applied } | { code: string }> {
  return proposal.then(
    (applied) => ({ applied }),
    (error: unknown) => ({ code: (error as { code?: string }).code ?? String(error) }),
  );
}

describe('member: proposals on a leader that was just deposed (three in-process members)', function () {
  this.timeout(60_000);
  const network = new MemoryNetwork();
  const members: RaftMember[] = [];
  let root: string;

  before(async () => {
    root = await tempDir('synod-deposed-');
    const urls = [1, 2, 3].map((n) => `http://127.0.0.1:${20_000 + n}`);
    const initialCluster = urls.map((url, i) => `m${i + 1}=${url}`).join(',');
    for (let i = 0; i < 3; i++) {
      members.push(
        await openRaftMember({
          dataDir: `${root}/m${i + 1}`,
          bootstrap: { name: `m${i + 1}`, initialAdvertisePeerUrls: [urls[i]!], initialCluster, initialClusterState: 'new', initialClusterToken: 'deposed' },
          listenPeerUrls: [urls[i]!],
          advertiseClientUrls: [`http://127.0.0.1:${21_000 + i}`],
          heartbeatMs: HEARTBEAT_MS,
          // m1 never times out on its own: it leads only when handed leadership, and its check-quorum
          // (once per election timeout) does not depose it while the test runs.
          electionMs: i === 0 ? 600_000 : 500,
          snapshotCount: 10_000,
          snapshotCatchUpEntries: 5000,
          maxLearners: 1,
          log: pino({ level: 'silent' }),
          createTransport: network.createTransport,
          fetchMembers: () => Promise.reject(new Error('not joining')),
        }),
      );
    }
  });
  after(async () => {
    network.releaseAll();
    await Promise.all(members.map((member) => member.close()));
    await removeDir(root);
  });

  it('a write proposed after the new leader was heard, before this member saw it step down, is forwarded and resolves once applied (it was failed as "not applied" by no_leader and applied anyway)', async () => {
    const [m1, m2, m3] = members as [RaftMember, RaftMember, RaftMember];
    const first = await waitFor('a first leader', () => members.find((member) => member.leading));
    if (first !== m1) first.transferLeadership(m1.identity.memberId);
    await waitFor('m1 to lead', () => (m1.leading ? true : undefined));
    await m1.propose('kv.put', putParams('deposed/warm', '1'));

    // Cut m1 off; m2 and m3 elect a new leader. m1 still believes it leads.
    const m1Id = idToHex(m1.identity.memberId);
    network.isolate(m1Id);
    const next = await waitFor('m2 or m3 to lead', () => [m2, m3].find((member) => member.leading), 20_000);
    const nextId = idToHex(next.identity.memberId);
    assert.equal(m1.leading, true);
    const fromNewLeader = network.takeHeld(nextId, m1Id, (message) => (message.type === 'heartbeat' || message.type === 'app') && message.term > m1.raftTerm);
    assert.ok(fromNewLeader.length > 0, 'the new leader has sent m1 something');

    // One synchronous block: a write makes m1 persist a Ready (its drain is now awaiting the disk); the
    // new leader's message arrives meanwhile, so m1's Raft follows it; and another write comes in.
    const lost = outcomeOf(m1.propose('kv.put', putParams('deposed/lost', 'x'), AbortSignal.timeout(20_000)));
    network.deliverNow(fromNewLeader.at(-1)!);
    const forwarded = outcomeOf(m1.propose('kv.put', putParams('deposed/forwarded', 'y'), AbortSignal.timeout(20_000)));
    network.releaseAll();

    // The forwarded write reaches the new leader and is applied there, and on m1.
    await waitFor('the forwarded write to be applied by the new leader', async () => ((await stored(next, 'deposed/forwarded')) === 'y' ? true : undefined));
    await waitFor('m1 to apply it too', async () => ((await stored(m1, 'deposed/forwarded')) === 'y' ? true : undefined));
    const forwardedOutcome = await forwarded;
    if (!('applied' in forwardedOutcome)) assert.fail(`the write is applied, but its caller was told ${forwardedOutcome.code} (not applied)`);
    assert.equal(forwardedOutcome.applied.outcome.ok, true);
    // The write m1 appended as leader was overwritten by the new leader's log: failing it is right.
    const lostOutcome = await lost;
    assert.deepEqual(lostOutcome, { code: 'leader_changed' });
    assert.equal(await stored(next, 'deposed/lost'), null);
  });
  it('a write forwarded to a leader that is then cut off fails with leader_changed once the next leader\'s entries are applied (not at its timeout), and its forwarded proposal, delivered late to the deposed leader, is never applied', async () => {
    // m1 leads (m2 and m3 grant no vote while they heard from a leader within m1's 600 s timeout).
    const [leader, follower, third] = members as [RaftMember, RaftMember, RaftMember];
    const current = await waitFor('a leader', () => members.find((member) => member.leading));
    if (current !== leader) current.transferLeadership(leader.identity.memberId);
    await waitFor('m1 to lead', () => (leader.leading ? true : undefined));
    const leaderId = idToHex(leader.identity.memberId);
    const followerId = idToHex(follower.identity.memberId);
    await follower.propose('kv.put', putParams('forwarded/warm', '1'));

    network.isolate(leaderId);
    // The old member layer waited for this signal (20 s) and failed with `canceled`, outcome unknown.
    const lost = outcomeOf(follower.propose('kv.put', putParams('forwarded/lost', 'z'), AbortSignal.timeout(20_000)));
    const next = await waitFor('the other two to elect a leader', () => [follower, third].find((member) => member.leading), 20_000);
    assert.deepEqual(await lost, { code: 'leader_changed' });

    // The forwarded proposal was held on its way to the old leader. Heal, let the old leader learn it
    // was deposed, then hand it the proposal: it must drop it, not pass it on to the new leader.
    const forwarded = network.takeHeld(followerId, leaderId, (message) => message.type === 'prop');
    assert.ok(forwarded.length > 0, 'the follower forwarded the write to the old leader');
    network.releaseAll();
    await waitFor('the old leader to follow the new one', () => (leader.leader === next.identity.memberId ? true : undefined));
    for (const message of forwarded) network.deliverNow(message);
    await next.propose('kv.put', putParams('forwarded/after', '2'));
    for (const member of members) {
      await waitFor('every member to apply the later write', async () => ((await stored(member, 'forwarded/after')) === '2' ? true : undefined));
      assert.equal(await stored(member, 'forwarded/lost'), null, 'a write reported as not applied was applied');
    }
  });
});
