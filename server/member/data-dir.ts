import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MemoryStorage, bootstrap } from '../raft/index.js';
import type { RaftStorage } from '../storage/raft-storage.js';
import { StateMachine } from './state-machine.js';
import { idToHex } from './identity.js';
import { joinExistingCluster, newClusterBootstrap, type BootstrapConfig, type PeerMembersAnswer } from './bootstrap.js';

/** State databases live in `<data dir>/state-<suffix>`; a snapshot install switches to a new one. */
export const STATE_DIR_PREFIX = 'state-';

/**
 * Fills an empty data directory: a new cluster's member bootstraps the initial configuration (a Raft
 * snapshot at index 1 and the initial members in the state); a member joining an existing cluster
 * learns its identity from the others and starts empty, to receive a snapshot from the leader.
 */
export async function initializeDataDir(
  dataDir: string,
  raftStorage: RaftStorage,
  config: BootstrapConfig,
  fetchMembers: (peerUrl: string) => Promise<PeerMembersAnswer>,
): Promise<void> {
  const initial = config.initialClusterState === 'new' ? newClusterBootstrap(config) : await joinExistingCluster(config, fetchMembers);
  const stateDir = `${STATE_DIR_PREFIX}0`;
  if (initial.joining) {
    // It starts with the member list the cluster gave it, so its transport knows the peers it must
    // answer: with no peers it could not reply to the leader and would never receive the snapshot.
    await StateMachine.initialize(join(dataDir, stateDir), 0, initial.members);
  } else {
    const storage = new MemoryStorage();
    bootstrap(storage, { voters: initial.members.map((member) => idToHex(member.id)) });
    const snapshot = storage.snapshot();
    await StateMachine.initialize(join(dataDir, stateDir), snapshot.metadata.index, initial.members);
    await raftStorage.save({ snapshot, entries: [], hardState: storage.initialState().hardState }, stateDir);
  }
  await raftStorage.saveStateDir(stateDir);
  await raftStorage.saveIdentity(initial.identity);
}

/** Removes state directories left by an interrupted snapshot install. */
export async function removeStaleStateDirs(dataDir: string, current: string): Promise<void> {
  for (const name of await readdir(dataDir)) {
    if (name.startsWith(STATE_DIR_PREFIX) && name !== current) await rm(join(dataDir, name), { recursive: true, force: true });
  }
}
