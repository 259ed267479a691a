import {
  describeEntry,
  type ConfChangeSingle,
  type ConfChangeTransition,
  type LogLevel,
  type RaftConfig,
} from '../../server/raft/index.js';
import { argValues, bareArgs, type TestCase } from './datadriven.js';
import { EnvStorage, InteractionEnv } from './interaction-env.js';

/**
 * The commands of the interaction transcripts (test/harness/testdata/*.txt). Each returns nothing and
 * writes to `env.output`. See test/harness/README.md for the list.
 */

function flag(tc: TestCase, key: string): boolean | undefined {
  const v = argValues(tc, key)?.[0];
  return v === undefined ? undefined : v === 'true';
}

function int(tc: TestCase, key: string): number | undefined {
  const v = argValues(tc, key)?.[0];
  return v === undefined ? undefined : Number(v);
}

function firstId(tc: TestCase): string {
  const id = bareArgs(tc)[0];
  if (id === undefined) throw new Error(`${tc.command} needs a node id`);
  return id;
}

function addNodes(env: InteractionEnv, tc: TestCase): void {
  const count = Number(bareArgs(tc)[0]);
  const voters = argValues(tc, 'voters');
  const learners = argValues(tc, 'learners') ?? [];
  const index = int(tc, 'index') ?? 1;
  const options: Omit<RaftConfig, 'id' | 'storage' | 'rng' | 'logger' | 'applied'> = {
    electionTicks: int(tc, 'election-ticks') ?? 10,
    heartbeatTicks: int(tc, 'heartbeat-ticks') ?? 1,
    preVote: flag(tc, 'prevote') ?? true,
    checkQuorum: flag(tc, 'checkquorum') ?? true,
    maxSizePerMsgBytes: int(tc, 'max-size-per-msg') ?? 1024 * 1024,
    maxInflightMsgs: int(tc, 'max-inflight') ?? 256,
    maxUncommittedEntriesBytes: int(tc, 'max-uncommitted-size') ?? 64 * 1024 * 1024,
    maxCommittedSizePerReadyBytes: int(tc, 'max-committed-size-per-ready') ?? 1024 * 1024,
    unsafeCommitOldTermEntries: flag(tc, 'unsafe-commit-old-term-entries') ?? false,
  };
  for (let i = 0; i < count; i++) {
    const id = String(env.nodes.length + 1);
    const storage = new EnvStorage();
    if (voters !== undefined) {
      storage.applySnapshot({
        metadata: { index, term: 1, confState: { voters, votersOutgoing: [], learners, learnersNext: [], autoLeave: false } },
        data: new Uint8Array(0),
      });
      storage.setHardState({ term: 1, vote: '', commit: index });
    }
    env.startNode({ id, storage, options, applied: [] }, voters !== undefined ? index : 0);
  }
}

function parseChanges(tc: TestCase): ConfChangeSingle[] {
  const tokens = tc.input.join(' ').split(/\s+/).filter((t) => t !== '');
  return tokens.map((t) => {
    const kind = t[0];
    const nodeId = t.slice(1);
    if (kind === 'v') return { type: 'addNode', nodeId };
    if (kind === 'l') return { type: 'addLearner', nodeId };
    if (kind === 'r') return { type: 'removeNode', nodeId };
    throw new Error(`unknown conf change token ${t}`);
  });
}

function raftLog(env: InteractionEnv, id: string): void {
  const { storage } = env.node(id);
  const first = storage.firstIndex();
  const last = storage.lastIndex();
  if (last < first) {
    env.output.push(`log is empty: first index=${first}, last index=${last}`);
    return;
  }
  for (const e of storage.entries(first, last + 1, Number.MAX_SAFE_INTEGER)) env.output.push(describeEntry(e));
}

function raftState(env: InteractionEnv): void {
  for (const n of env.nodes) {
    const st = n.rawNode.status();
    const role = st.config.voters.includes(n.id) || st.config.votersOutgoing.includes(n.id)
      ? 'Voter'
      : st.config.learners.includes(n.id)
        ? 'Learner'
        : 'Non-Voter';
    const isolated = env.isolated.has(n.id) ? ' (isolated)' : '';
    env.output.push(`${n.id}: ${st.softState.raftState} (${role}) Term:${st.hardState.term} Lead:${st.softState.lead || '0'}${isolated}`);
  }
}

function status(env: InteractionEnv, id: string): void {
  const st = env.node(id).rawNode.status();
  for (const [peer, pr] of Object.entries(st.progress)) {
    let s = `${peer}: ${pr.state} match=${pr.match} next=${pr.next}`;
    if (pr.isLearner) s += ' learner';
    if (pr.paused) s += ' paused';
    if (!pr.recentActive) s += ' inactive';
    if (pr.inflightMsgs > 0) s += ` inflight=${pr.inflightMsgs}`;
    env.output.push(s);
  }
  if (Object.keys(st.progress).length === 0) env.output.push(`${id} is not the leader (${st.softState.raftState})`);
}

function compact(env: InteractionEnv, tc: TestCase): void {
  const [id, indexArg] = bareArgs(tc);
  const n = env.node(id!);
  const index = Number(indexArg);
  const st = n.rawNode.status();
  if (index > st.applied) throw new Error(`cannot compact ${index} past applied ${st.applied}`);
  // The app snapshots its state machine at `index` (here: the config and the applied payloads).
  n.storage.createSnapshot(index, st.config, new TextEncoder().encode(`snap@${index}`));
  n.storage.compact(index);
  raftLog(env, id!);
}

/** Runs one transcript command against `env` and returns the output lines. */
export function runCommand(env: InteractionEnv, tc: TestCase): string[] {
  env.output = [];
  const ids = bareArgs(tc);
  switch (tc.command) {
    case 'add-nodes':
      addNodes(env, tc);
      break;
    case 'campaign':
      env.node(firstId(tc)).rawNode.campaign();
      break;
    case 'propose': {
      const [id, data] = ids;
      env.tolerate(() => env.node(id!).rawNode.propose(new TextEncoder().encode(data ?? '')));
      break;
    }
    case 'propose-conf-change': {
      const transition = (argValues(tc, 'transition')?.[0] ?? 'auto') as ConfChangeTransition;
      const cc = { transition, changes: parseChanges(tc), context: '' };
      env.tolerate(() => env.node(firstId(tc)).rawNode.proposeConfChange(cc));
      break;
    }
    case 'tick-election':
    case 'tick-heartbeat': {
      const n = env.node(firstId(tc));
      const ticks = tc.command === 'tick-election' ? (n.options.electionTicks ?? 10) : (n.options.heartbeatTicks ?? 1);
      for (let i = 0; i < ticks; i++) n.rawNode.tick();
      break;
    }
    case 'tick': {
      const n = env.node(firstId(tc));
      for (let i = 0; i < Number(ids[1] ?? 1); i++) n.rawNode.tick();
      break;
    }
    case 'deliver-msgs': {
      const types = argValues(tc, 'type');
      env.deliver(ids, new Set(argValues(tc, 'drop') ?? []), types === undefined ? null : new Set(types));
      break;
    }
    case 'process-ready':
      for (const id of ids.length > 0 ? ids : env.nodes.map((n) => n.id)) env.processReady(id);
      break;
    case 'stabilize':
      env.stabilize(ids);
      break;
    case 'compact':
      compact(env, tc);
      break;
    case 'transfer-leadership': {
      const from = argValues(tc, 'from')![0]!;
      env.node(from).rawNode.transferLeadership(argValues(tc, 'to')![0]!);
      break;
    }
    case 'read-index': {
      const [id, ctx] = ids;
      env.tolerate(() => env.node(id!).rawNode.readIndex(ctx!));
      break;
    }
    case 'forget-leader':
      env.node(firstId(tc)).rawNode.forgetLeader();
      break;
    case 'report-unreachable':
      env.node(ids[0]!).rawNode.reportUnreachable(ids[1]!);
      break;
    case 'report-snapshot':
      env.node(ids[0]!).rawNode.reportSnapshot(ids[1]!, flag(tc, 'ok') ?? true);
      break;
    case 'isolate':
      env.isolated.add(firstId(tc));
      break;
    case 'recover':
      env.recover();
      break;
    case 'restart': {
      // Crash and restart: volatile state is lost, storage survives; the state machine is rebuilt from the snapshot.
      const n = env.node(firstId(tc));
      env.inFlight = env.inFlight.filter((m) => m.to !== n.id && m.from !== n.id);
      env.startNode({ id: n.id, storage: n.storage, options: n.options, applied: [] }, n.storage.storedSnapshot().metadata.index);
      break;
    }
    case 'raft-log':
      raftLog(env, firstId(tc));
      break;
    case 'raft-state':
      raftState(env);
      break;
    case 'status':
      status(env, firstId(tc));
      break;
    case 'applied':
      for (const n of env.nodes) env.output.push(`${n.id}: [${n.applied.join(' ')}]`);
      break;
    case 'log-level':
      env.minLevel = firstId(tc) as LogLevel;
      break;
    default:
      throw new Error(`unknown command ${tc.command}`);
  }
  return env.output;
}
