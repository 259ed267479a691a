import {
  MemoryStorage,
  ProposalDroppedError,
  RawNode,
  ReadIndexDroppedError,
  ConfChangeError,
  decodeConfChange,
  describeMessage,
  describeReady,
  type LogLevel,
  type Message,
  type RaftConfig,
  type Rng,
  type Snapshot,
} from '../../server/raft/index.js';

/**
 * The "disk" of a harness node. Like a real member, it can snapshot the state machine on demand: the
 * snapshot sent to a lagging follower is taken at the applied index, with the configuration in force.
 */
export class EnvStorage extends MemoryStorage {
  snapshotSource: (() => Snapshot) | null = null;

  /** The snapshot actually stored (what a restart recovers the state machine from). */
  storedSnapshot(): Snapshot {
    return super.snapshot();
  }

  override snapshot(): Snapshot {
    const stored = super.snapshot();
    const fresh = this.snapshotSource?.() ?? null;
    return fresh !== null && fresh.metadata.index > stored.metadata.index ? fresh : stored;
  }
}

/** Election timeouts are not randomized in transcripts: every draw is 0, so the timeout is electionTicks. */
export const zeroRng: Rng = { nextInt: () => 0 };

/** One node of the environment: its storage (the "disk") and its RawNode. */
export interface EnvNode {
  id: string;
  storage: EnvStorage;
  rawNode: RawNode;
  /** Options it was created with, reused on restart. */
  options: Omit<RaftConfig, 'id' | 'storage' | 'rng' | 'logger' | 'applied'>;
  /** Payloads applied so far (normal entries), for assertions. */
  applied: string[];
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * An in-process cluster driven step by step: nothing happens unless a command asks for it, so the
 * transcript of every Ready, message and log line is deterministic.
 */
export class InteractionEnv {
  readonly nodes: EnvNode[] = [];
  /** Messages sent and not yet delivered, in send order. */
  inFlight: Message[] = [];
  readonly isolated = new Set<string>();
  output: string[] = [];
  minLevel: LogLevel = 'info';

  node(id: string): EnvNode {
    const n = this.nodes.find((x) => x.id === id);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  logger(): (level: LogLevel, message: string) => void {
    return (level, message) => {
      if (LEVELS.indexOf(level) >= LEVELS.indexOf(this.minLevel)) this.output.push(`${level.toUpperCase()} ${message}`);
    };
  }

  /** Creates a RawNode over an existing storage (new node or restart). */
  startNode(node: Omit<EnvNode, 'rawNode'>, applied: number): EnvNode {
    const rawNode = new RawNode({ ...node.options, id: node.id, storage: node.storage, rng: zeroRng, logger: this.logger(), applied });
    const full = { ...node, rawNode };
    node.storage.snapshotSource = () => {
      const st = rawNode.status();
      return {
        metadata: { index: st.applied, term: node.storage.term(st.applied), confState: st.config },
        data: new TextEncoder().encode(`snap@${st.applied}`),
      };
    };
    const at = this.nodes.findIndex((x) => x.id === node.id);
    if (at >= 0) this.nodes[at] = full;
    else this.nodes.push(full);
    return full;
  }

  /** Runs `fn`, turning expected refusals into an output line instead of a failure. */
  tolerate(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof ProposalDroppedError || err instanceof ReadIndexDroppedError || err instanceof ConfChangeError) {
        this.output.push(`error: ${err.message}`);
        return;
      }
      throw err;
    }
  }

  /** Handles one Ready of `id` following the contract: persist, send, apply, advance. */
  processReady(id: string): boolean {
    const n = this.node(id);
    if (!n.rawNode.hasReady()) return false;
    const rd = n.rawNode.ready();
    this.output.push(`> ${id} handling Ready`);
    this.output.push(...describeReady(rd, '  '));
    // 1. Persist: snapshot, entries, hard state.
    if (rd.snapshot !== null) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState !== null) n.storage.setHardState(rd.hardState);
    // 2. Send.
    this.inFlight.push(...rd.messages);
    // 3. Apply.
    for (const e of rd.committedEntries) {
      if (e.type === 'confChange') {
        this.tolerate(() => n.rawNode.applyConfChange(decodeConfChange(e.data)));
      } else if (e.data.byteLength > 0) {
        n.applied.push(new TextDecoder().decode(e.data));
      }
    }
    // 4. Advance.
    n.rawNode.advance(rd);
    return true;
  }

  /** True when the message must be dropped because an endpoint is isolated. */
  private cut(m: Message): boolean {
    return this.isolated.has(m.from) || this.isolated.has(m.to);
  }

  /**
   * Delivers the in-flight messages addressed to `ids` (all nodes if empty), except those of a type
   * not in `types` (when given); messages to a node in `drop` are discarded.
   */
  deliver(ids: string[], drop: Set<string>, types: Set<string> | null): boolean {
    const targets = ids.length > 0 ? ids : this.nodes.map((n) => n.id);
    let any = false;
    for (const to of targets) {
      const mine = this.inFlight.filter((m) => m.to === to && (types === null || types.has(m.type)));
      if (mine.length === 0) continue;
      any = true;
      this.inFlight = this.inFlight.filter((m) => !mine.includes(m));
      const dropAll = drop.has(to);
      this.output.push(`> ${to} receiving messages`);
      for (const m of mine) {
        if (dropAll || this.cut(m)) {
          this.output.push(`  dropped: ${describeMessage(m)}`);
          continue;
        }
        this.output.push(`  ${describeMessage(m)}`);
        this.node(to).rawNode.step(m);
      }
    }
    return any;
  }

  /** Heals every partition. Messages still in flight across it were lost with it, and are dropped. */
  recover(): void {
    const lost = this.inFlight.filter((m) => this.cut(m));
    this.inFlight = this.inFlight.filter((m) => !this.cut(m));
    for (const m of lost) this.output.push(`dropped: ${describeMessage(m)}`);
    this.isolated.clear();
  }

  /** Processes Readies and delivers messages until nothing moves. */
  stabilize(ids: string[]): void {
    const targets = ids.length > 0 ? ids : this.nodes.map((n) => n.id);
    for (let round = 0; round < 1000; round++) {
      let moved = false;
      for (const id of targets) moved = this.processReady(id) || moved;
      moved = this.deliver(targets, new Set(), null) || moved;
      if (!moved) return;
    }
    throw new Error('stabilize did not converge in 1000 rounds');
  }
}
