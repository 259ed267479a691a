import {
  MemoryStorage,
  RawNode,
  makeMessage,
  type Entry,
  type Message,
  type NodeOptions,
  type RaftConfig,
} from './imports.js';
import { handleReady, type NetNode } from '../../harness/network.js';

/** Election timeouts equal electionTicks exactly: every draw is 0. */
export const zeroRng = { nextInt: (): number => 0 };

/** A log entry with term `term` at `index` (payload optional). */
export function ent(term: number, index: number, data = ''): Entry {
  return { term, index, type: 'normal', data: new TextEncoder().encode(data) };
}

/** A message with zero values for every field not given. */
export function msg(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return makeMessage(fields);
}

/**
 * A single node built from a hand-made state: voters, log entries (from index 1), term, vote, commit.
 * PreVote and CheckQuorum are off unless asked for, as the paper's algorithm has neither.
 */
export function newNode(
  id: string,
  voters: string[],
  state: { terms?: number[]; term?: number; vote?: string; commit?: number; learners?: string[]; votersOutgoing?: string[] } = {},
  options: NodeOptions & { rng?: RaftConfig['rng'] } = {},
): NetNode {
  const storage = new MemoryStorage();
  storage.applySnapshot({
    metadata: { index: 0, term: 0, confState: { voters, votersOutgoing: state.votersOutgoing ?? [], learners: state.learners ?? [], learnersNext: [], autoLeave: false } },
    data: new Uint8Array(0),
  });
  const terms = state.terms ?? [];
  storage.append(terms.map((t, i) => ent(t, i + 1)));
  const lastTerm = terms[terms.length - 1] ?? 0;
  storage.setHardState({ term: Math.max(state.term ?? 0, lastTerm), vote: state.vote ?? '', commit: state.commit ?? 0 });
  const rawNode = new RawNode({ preVote: false, checkQuorum: false, electionTicks: 10, heartbeatTicks: 1, rng: zeroRng, ...options, id, storage });
  return { id, storage, rawNode, appliedEntries: [], readStates: [], readies: [] };
}

/** Handles every pending Ready of `node` and returns the messages it sent. */
export function readMessages(node: NetNode): Message[] {
  const out: Message[] = [];
  while (node.rawNode.hasReady()) out.push(...handleReady(node));
  return out;
}

/** Ticks `node` `n` times. */
export function tickN(node: NetNode, n: number): void {
  for (let i = 0; i < n; i++) node.rawNode.tick();
}

/** Messages reduced to the fields a test usually checks, sorted by recipient. */
export function summary(msgs: Message[]): string[] {
  return msgs
    .map((m) => `${m.from}->${m.to} ${m.type} t${m.term} ${m.logTerm}/${m.index} c${m.commit}${m.reject ? ' reject' : ''}${m.entries.length > 0 ? ` [${m.entries.map((e) => `${e.term}/${e.index}`).join(',')}]` : ''}`)
    .sort();
}

/** Makes `node` (PreVote off) leader by campaigning and granting it the votes of `peers`. */
export function makeLeader(node: NetNode, peers: string[]): void {
  node.rawNode.campaign();
  readMessages(node);
  const term = node.rawNode.status().hardState.term;
  for (const p of peers) node.rawNode.step(msg({ type: 'voteResp', from: p, to: node.id, term }));
  readMessages(node);
}

/** Makes `node` leader and has every peer acknowledge the no-op, so all are in replicate state. */
export function makeSteadyLeader(node: NetNode, peers: string[]): void {
  makeLeader(node, peers.slice(0, 1));
  const st = node.rawNode.status();
  for (const p of peers) node.rawNode.step(msg({ type: 'appResp', from: p, to: node.id, term: st.hardState.term, index: st.progress[node.id]!.match }));
  readMessages(node);
}
