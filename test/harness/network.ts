import {
  MemoryStorage,
  RawNode,
  bootstrap,
  decodeConfChange,
  seededRng,
  type Entry,
  type Message,
  type MessageType,
  type RaftConfig,
  type Ready,
} from '../../server/raft/index.js';

/** Options every node of a test network is built with (id, storage, rng are filled in). */
export type NodeOptions = Omit<RaftConfig, 'id' | 'storage' | 'rng'>;

/** A node of the network, with the app-side state the tests look at. */
export interface NetNode {
  id: string;
  storage: MemoryStorage;
  rawNode: RawNode;
  /** Every entry applied, in order (normal and conf change). */
  appliedEntries: Entry[];
  readStates: { index: number; requestCtx: string }[];
  /** Every Ready handed out, for tests that inspect them. */
  readies: Ready[];
}

/** Persists, sends, applies and advances one Ready following the contract; returns the messages. */
export function handleReady(node: NetNode): Message[] {
  const rd = node.rawNode.ready();
  node.readies.push(rd);
  if (rd.snapshot !== null) node.storage.applySnapshot(rd.snapshot);
  node.storage.append(rd.entries);
  if (rd.hardState !== null) node.storage.setHardState(rd.hardState);
  for (const e of rd.committedEntries) {
    node.appliedEntries.push(e);
    if (e.type === 'confChange') node.rawNode.applyConfChange(decodeConfChange(e.data));
  }
  node.readStates.push(...rd.readStates);
  node.rawNode.advance(rd);
  return rd.messages;
}

/**
 * An in-process network of RawNodes with a controllable transport: links can be cut, nodes isolated,
 * message types ignored, and each message dropped with a seeded probability. Nothing runs by itself.
 */
export class Network {
  readonly nodes = new Map<string, NetNode>();
  private readonly cutLinks = new Set<string>();
  private readonly ignored = new Set<MessageType>();
  private readonly dropRates = new Map<string, number>();
  private readonly dropRng;
  queue: Message[] = [];

  constructor(ids: string[], options: NodeOptions = {}, seed = 1) {
    this.dropRng = seededRng(seed * 7919 + 1);
    for (const id of ids) {
      const storage = new MemoryStorage();
      bootstrap(storage, { voters: ids });
      this.addNode(id, storage, options, seed);
    }
  }

  /** Adds (or restarts) a node over `storage`. The applied index resumes at the storage's snapshot. */
  addNode(id: string, storage: MemoryStorage, options: NodeOptions, seed: number): NetNode {
    const rawNode = new RawNode({
      electionTicks: 10,
      heartbeatTicks: 1,
      ...options,
      id,
      storage,
      rng: seededRng(seed * 31 + Number.parseInt(id, 36)),
      applied: storage.snapshot().metadata.index,
    });
    const node: NetNode = { id, storage, rawNode, appliedEntries: [], readStates: [], readies: [] };
    this.nodes.set(id, node);
    return node;
  }

  node(id: string): NetNode {
    const n = this.nodes.get(id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  /** Cuts the link between a and b in both directions. */
  cut(a: string, b: string): void {
    this.cutLinks.add(`${a}->${b}`);
    this.cutLinks.add(`${b}->${a}`);
  }

  /** Cuts every link of `id`. */
  isolate(id: string): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
  }

  /** Drops messages from `from` to `to` with probability `rate` (seeded). */
  drop(from: string, to: string, rate: number): void {
    this.dropRates.set(`${from}->${to}`, rate);
  }

  /** Drops every message of type `t`. */
  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  /** Heals every cut, drop rate and ignored type. */
  recover(): void {
    this.cutLinks.clear();
    this.ignored.clear();
    this.dropRates.clear();
  }

  private delivers(m: Message): boolean {
    const link = `${m.from}->${m.to}`;
    if (this.cutLinks.has(link) || this.ignored.has(m.type) || !this.nodes.has(m.to)) return false;
    const rate = this.dropRates.get(link) ?? 0;
    return rate === 0 || this.dropRng.nextInt(1000) >= rate * 1000;
  }

  /** Hands every pending Ready to its node's app and queues the messages it sends. */
  processReadies(): boolean {
    let any = false;
    for (const node of this.nodes.values()) {
      while (node.rawNode.hasReady()) {
        any = true;
        for (const m of handleReady(node)) if (this.delivers(m)) this.queue.push(m);
      }
    }
    return any;
  }

  /** Delivers every queued message once (messages sent in response are queued for later). */
  deliverAll(): boolean {
    const batch = this.queue;
    this.queue = [];
    for (const m of batch) this.node(m.to).rawNode.step(m);
    return batch.length > 0;
  }

  /** Runs Ready handling and delivery until nothing moves. */
  stabilize(maxRounds = 1000): void {
    for (let i = 0; i < maxRounds; i++) {
      const moved = this.processReadies();
      if (!this.deliverAll() && !moved) return;
    }
    throw new Error('network did not stabilize');
  }

  /** Ticks every node `n` times, stabilizing after each tick. */
  tickAll(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const node of this.nodes.values()) node.rawNode.tick();
      this.stabilize();
    }
  }

  /** Campaigns on `id` and stabilizes. */
  elect(id: string): void {
    this.node(id).rawNode.campaign();
    this.stabilize();
  }

  /** Ids of nodes that currently believe they lead, with their terms. */
  leaders(): { id: string; term: number }[] {
    const out: { id: string; term: number }[] = [];
    for (const n of this.nodes.values()) {
      const st = n.rawNode.status();
      if (st.softState.raftState === 'leader') out.push({ id: n.id, term: st.hardState.term });
    }
    return out;
  }

  /** Proposes a UTF-8 payload on `id` and stabilizes. */
  propose(id: string, data: string): void {
    this.node(id).rawNode.propose(new TextEncoder().encode(data));
    this.stabilize();
  }

  /** The normal payloads applied by `id`, as strings. */
  appliedData(id: string): string[] {
    return this.node(id)
      .appliedEntries.filter((e) => e.type === 'normal' && e.data.byteLength > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }
}
