import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { RawNode, seededRng } from '../raft/index.js';
import { RaftStorage } from '../storage/raft-storage.js';
import { Applier } from '../apply/applier.js';
import { StateMachine } from './state-machine.js';
import { applyHooks } from './conf-changes.js';
import { idToHex, type MemberIdentity } from './identity.js';
import { STATE_DIR_PREFIX, initializeDataDir, removeStaleStateDirs } from './data-dir.js';
import { RaftMember, type RaftMemberOptions } from './raft-member.js';

/**
 * Opens a member's data directory (bootstrapping it when new), loads the Raft log and the state
 * machine, and starts the member. A restart ignores the bootstrap flags: the data directory says who
 * the member is.
 */
export async function openRaftMember(options: RaftMemberOptions): Promise<RaftMember> {
  const raftStorage = await RaftStorage.open(options.dataDir);
  raftStorage.onSynced = options.onLogSync ?? null;
  try {
    let raftState = await raftStorage.load();
    if (raftState.identity === undefined) {
      await initializeDataDir(options.dataDir, raftStorage, options.bootstrap, options.fetchMembers);
      raftState = await raftStorage.load();
    }
    const identity = raftState.identity as MemberIdentity;
    const stateDir = raftState.stateDir ?? `${STATE_DIR_PREFIX}0`;
    await removeStaleStateDirs(options.dataDir, stateDir);
    const { machine, appliedIndex } = await StateMachine.open(join(options.dataDir, stateDir));
    const memoryStorage = RaftStorage.mirror(raftState);
    const node = new RawNode({
      id: idToHex(identity.memberId),
      storage: memoryStorage,
      rng: seededRng(randomInt(2 ** 31)),
      // Entries after the snapshot are handed out again: the applier skips what the state already
      // holds, but conf changes among them must reach Raft again.
      applied: memoryStorage.snapshot().metadata.index,
      electionTicks: Math.max(2, Math.round(options.electionMs / options.heartbeatMs)),
      heartbeatTicks: 1,
    });
    const holder: { member?: RaftMember } = {};
    const applier = new Applier(machine.store, machine.state, machine.lessor, appliedIndex, applyHooks(() => holder.member!));
    const member = new RaftMember(identity, options, raftStorage, memoryStorage, machine, node, applier, stateDir);
    holder.member = member;
    await member.start();
    return member;
  } catch (error) {
    await raftStorage.close().catch(() => undefined);
    throw error;
  }
}
