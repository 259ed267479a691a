import { createServer } from 'node:net';
import { Client } from '../../../client-sdk/index.js';
import { ServerProcess, removeDir, tempDir } from './server-process.js';
import { TcpProxy } from './tcp-proxy.js';
import { waitFor } from './wait-for.js';

/** A free TCP port on 127.0.0.1 (bound and released; fine for tests on one machine). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `count` distinct free ports on 127.0.0.1, held bound until `release()`. */
async function reservePorts(count: number): Promise<{ ports: number[]; release(): Promise<void> }> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return server;
    }),
  );
  return {
    ports: servers.map((server) => (server.address() as { port: number }).port),
    release: async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

export interface ClusterOptions {
  readonly size: number;
  /** Extra flags for every member (e.g. --snapshot-count). */
  readonly args?: readonly string[];
  readonly heartbeatMs?: number;
  readonly electionMs?: number;
  /**
   * Member slots reserved beyond `size` (default 0): their ports and proxies exist from the start, so
   * every member dials them through a proxy, but they are not in the initial cluster and are not
   * started. Add one with `memberAdd`, then `startMember(i, cluster.joinArgs(i))`.
   */
  readonly spareMembers?: number;
}

export interface ClusterMember {
  readonly name: string;
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
  process: ServerProcess | null;
}

/**
 * A cluster of real `synod` processes on 127.0.0.1. Every directed member-to-member link goes through
 * its own TCP proxy (the member dials the proxy instead of the peer), so tests can cut, delay or heal
 * any link, one-way or both ways.
 */
export class TestCluster {
  /** links[i][j]: the proxy member i dials to reach member j. */
  private constructor(
    readonly members: ClusterMember[],
    private readonly links: (TcpProxy | null)[][],
    private readonly options: ClusterOptions,
    private readonly root: string,
  ) {}

  get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 50;
  }

  get electionMs(): number {
    return this.options.electionMs ?? 500;
  }

  static async start(options: ClusterOptions): Promise<TestCluster> {
    const root = await tempDir('synod-cluster-');
    const slots = options.size + (options.spareMembers ?? 0);
    // The member ports stay bound until every proxy is listening, so that no two of them (nor a proxy)
    // get the same port.
    const reserved = await reservePorts(2 * slots);
    const members: ClusterMember[] = [];
    for (let i = 0; i < slots; i++) {
      members.push({ name: `m${i + 1}`, dataDir: `${root}/m${i + 1}`, clientPort: reserved.ports[2 * i]!, peerPort: reserved.ports[2 * i + 1]!, process: null });
    }
    const links: (TcpProxy | null)[][] = [];
    try {
      for (let i = 0; i < members.length; i++) {
        links.push(await Promise.all(members.map((target, j) => (i === j ? null : TcpProxy.start(target.peerPort)))));
      }
    } finally {
      await reserved.release();
    }
    const cluster = new TestCluster(members, links, options, root);
    const initial = members.slice(0, options.size);
    const initialCluster = initial.map((m) => `${m.name}=${peerUrl(m)}`).join(',');
    await Promise.all(initial.map((_, i) => cluster.startMember(i, ['--initial-cluster', initialCluster])));
    await cluster.waitForLeader();
    return cluster;
  }

  /** Starts (or restarts) member i on its ports and data directory. */
  async startMember(i: number, extraArgs: readonly string[] = []): Promise<ServerProcess> {
    const member = this.members[i]!;
    const overrides: Record<string, string> = {};
    this.members.forEach((target, j) => {
      if (j !== i) overrides[peerUrl(target)] = this.links[i]![j]!.url;
    });
    member.process = await ServerProcess.start({
      dataDir: member.dataDir,
      port: member.clientPort,
      args: [
        '--name', member.name,
        '--listen-peer-urls', peerUrl(member),
        '--initial-advertise-peer-urls', peerUrl(member),
        '--heartbeat-interval', String(this.heartbeatMs),
        '--election-timeout', String(this.electionMs),
        ...(this.options.args ?? []),
        ...extraArgs,
      ],
      env: { SYNOD_TEST_PEER_DIAL_MAP: JSON.stringify(overrides) },
    });
    return member.process;
  }

  /** The peer URL member i advertises (what `memberAdd` takes). */
  peerUrl(i: number): string {
    return peerUrl(this.members[i]!);
  }

  /**
   * The flags that make slot i join the running cluster (after `memberAdd` of its peer URL): an
   * `--initial-cluster` of every member started so far plus slot i, and `--initial-cluster-state existing`.
   */
  joinArgs(i: number): string[] {
    const listed = this.members.filter((member, j) => j === i || member.process !== null);
    return ['--initial-cluster', listed.map((m) => `${m.name}=${peerUrl(m)}`).join(','), '--initial-cluster-state', 'existing'];
  }

  /** True while member i's process runs. */
  isRunning(i: number): boolean {
    return this.members[i]?.process?.running === true;
  }

  /** Client endpoint of member i. */
  endpoint(i: number): string {
    return `127.0.0.1:${this.members[i]!.clientPort}`;
  }

  get endpoints(): string[] {
    return this.members.map((_, i) => this.endpoint(i));
  }

  /** Indexes of the members started at least once (spare slots join this list when started). */
  get startedIndexes(): number[] {
    return this.members.flatMap((member, i) => (member.process === null ? [] : [i]));
  }

  /** A client of every started member (or of the ones given). */
  client(indexes: readonly number[] = this.startedIndexes, options: { requestTimeoutMs?: number; dialTimeoutMs?: number } = {}): Client {
    return new Client({ endpoints: indexes.map((i) => this.endpoint(i)), dialTimeoutMs: options.dialTimeoutMs ?? 1000, requestTimeoutMs: options.requestTimeoutMs ?? 10_000 });
  }

  /** Status of member i, or null if it does not answer. */
  async status(i: number): Promise<{ memberId: bigint; leader: bigint; raftTerm: bigint; appliedIndex: bigint } | null> {
    if (this.members[i]?.process?.running !== true) return null;
    const client = this.client([i], { requestTimeoutMs: 1000, dialTimeoutMs: 500 });
    try {
      const status = await client.status();
      return { memberId: status.header.memberId, leader: status.leader, raftTerm: status.raftTerm, appliedIndex: status.raftAppliedIndex };
    } catch {
      return null;
    } finally {
      await client.close();
    }
  }

  /** Waits until the running members agree on a leader among them; returns its index. */
  async waitForLeader(excluding: readonly number[] = [], timeoutMs = 20 * this.electionMs): Promise<number> {
    return waitFor('a leader agreed on by the running members', async () => {
      const statuses = await Promise.all(this.members.map((_, i) => (excluding.includes(i) ? null : this.status(i))));
      const running = statuses.filter((s) => s !== null);
      if (running.length === 0) return undefined;
      const leader = running[0]!.leader;
      if (leader === 0n || !running.every((s) => s.leader === leader)) return undefined;
      const index = statuses.findIndex((s) => s?.memberId === leader);
      return index >= 0 ? index : undefined;
    }, timeoutMs);
  }

  /** Kills member i's process (SIGKILL by default). */
  async kill(i: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.members[i]!.process?.kill(signal);
  }

  /** Cuts every link to and from member i (the packets vanish; connections stay open). */
  isolate(i: number): void {
    this.links.forEach((row, from) =>
      row.forEach((proxy, to) => {
        if (proxy !== null && (from === i || to === i)) proxy.blackhole();
      }),
    );
  }

  /** Cuts the link from member `from` to member `to` only. */
  cut(from: number, to: number): void {
    this.links[from]![to]!.blackhole();
  }

  /** Heals every link. */
  heal(): void {
    for (const row of this.links) for (const proxy of row) proxy?.heal();
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.members.map((member) => member.process?.kill('SIGKILL')));
    await Promise.all(this.links.flat().map((proxy) => proxy?.close()));
    await removeDir(this.root);
  }
}

function peerUrl(member: ClusterMember): string {
  return `http://127.0.0.1:${member.peerPort}`;
}
