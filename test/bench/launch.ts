import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { SYNOD_BIN, removeDir, tempDir } from '../integration/helpers/server-process.js';
import { freePort } from '../integration/helpers/cluster.js';

/** Raft timing both stores run with (etcd's defaults, which Synod's flags share). */
export const HEARTBEAT_MS = 100;
export const ELECTION_MS = 1000;
/** Applied entries between snapshots, the same on both sides (etcd 3.4 would default to 100,000). */
export const SNAPSHOT_COUNT = 10_000;
/** How long a member may take to serve clients before the launch fails. */
const MEMBER_START_TIMEOUT_MS = 30_000;
/** How long a member may take to exit after SIGTERM before it is killed. */
const MEMBER_STOP_TIMEOUT_MS = 10_000;
/** Log lines kept per member for a failure message. */
const LOG_LINES_KEPT_MAX = 50;

/** Which store a launch runs. */
export type TargetName = 'synod' | 'etcd';

/** Members of one store running on loopback, each on fresh data in one temporary directory. */
export interface RunningStore {
  readonly target: TargetName;
  /** Client endpoints as `127.0.0.1:port`, member i first. */
  readonly endpoints: readonly string[];
  /** Process ids of the members (to read their CPU time). */
  readonly pids: readonly number[];
  /** Stops every member (SIGTERM, so a profiled member writes its profile) and removes the data. */
  stop(): Promise<void>;
}

export interface LaunchOptions {
  readonly members: number;
  /** Node flags for Synod members (e.g. --cpu-prof); ignored for etcd. */
  readonly nodeFlags?: readonly string[];
}

interface PortPlan {
  readonly name: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

async function planPorts(prefix: string, members: number): Promise<PortPlan[]> {
  const taken = new Set<number>();
  const next = async (): Promise<number> => {
    // freePort binds port 0, so the kernel hands out ports nobody (another session's etcd included) holds.
    for (;;) {
      const port = await freePort();
      if (!taken.has(port)) {
        taken.add(port);
        return port;
      }
    }
  };
  const plan: PortPlan[] = [];
  for (let i = 0; i < members; i++) plan.push({ name: `${prefix}${i + 1}`, clientPort: await next(), peerPort: await next() });
  return plan;
}

const peerUrl = (member: PortPlan): string => `http://127.0.0.1:${member.peerPort}`;
const clientUrl = (member: PortPlan): string => `http://127.0.0.1:${member.clientPort}`;

/** One member process; `serving` resolves once its JSON log says it serves clients. */
interface MemberProcess {
  readonly child: ChildProcess;
  readonly serving: Promise<void>;
  readonly exited: Promise<void>;
}

function spawnMember(name: string, command: string, args: readonly string[], isServingLine: (msg: string) => boolean): MemberProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  const serving = new Promise<void>((resolve, reject) => {
    const reader = createInterface({ input: child.stderr! });
    reader.on('line', (line) => {
      lines.push(line);
      if (lines.length > LOG_LINES_KEPT_MAX) lines.shift();
      try {
        const entry = JSON.parse(line) as { msg?: unknown };
        if (typeof entry.msg === 'string' && isServingLine(entry.msg)) resolve();
      } catch {
        // Not a JSON log line (a crash trace, say); kept for the failure message.
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before serving:\n${lines.join('\n')}`)));
  });
  serving.catch(() => undefined);
  return { child, serving, exited };
}

/**
 * Waits until every member serves clients, or stops them all and throws. The store's `stop` sends
 * SIGTERM (a Synod member under --cpu-prof then writes its profile) and removes the data directory.
 */
async function awaitMembers(target: TargetName, plan: readonly PortPlan[], members: readonly MemberProcess[], root: string): Promise<RunningStore> {
  const stop = async (): Promise<void> => {
    await Promise.all(members.map(async ({ child, exited }) => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), MEMBER_STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }));
    await removeDir(root);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${target} did not serve within ${MEMBER_START_TIMEOUT_MS} ms`)), MEMBER_START_TIMEOUT_MS);
    });
    await Promise.race([Promise.all(members.map((m) => m.serving)), timeout]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return { target, endpoints: plan.map((m) => `127.0.0.1:${m.clientPort}`), pids: members.map((m) => m.child.pid!), stop };
}

/** Flags of one member that Synod and etcd spell the same way. */
function commonFlags(member: PortPlan, root: string, initialCluster: string, token: string): string[] {
  return [
    '--name', member.name,
    '--data-dir', join(root, member.name),
    '--listen-client-urls', clientUrl(member),
    '--listen-peer-urls', peerUrl(member),
    '--initial-advertise-peer-urls', peerUrl(member),
    '--initial-cluster', initialCluster,
    '--initial-cluster-token', token,
    '--heartbeat-interval', String(HEARTBEAT_MS),
    '--election-timeout', String(ELECTION_MS),
    '--snapshot-count', String(SNAPSHOT_COUNT),
  ];
}

async function startMembers(target: TargetName, options: LaunchOptions, spawnOne: (member: PortPlan, flags: string[]) => MemberProcess): Promise<RunningStore> {
  const root = await tempDir(`${target}-bench-`);
  const plan = await planPorts(target === 'synod' ? 's' : 'e', options.members);
  const initialCluster = plan.map((m) => `${m.name}=${peerUrl(m)}`).join(',');
  const token = `bench-${process.pid}-${plan[0]!.peerPort}`;
  return awaitMembers(target, plan, plan.map((member) => spawnOne(member, commonFlags(member, root, initialCluster, token))), root);
}

/** Starts `members` Synod members on fixed free loopback ports, without fault proxies. */
export function startSynod(options: LaunchOptions): Promise<RunningStore> {
  return startMembers('synod', options, (member, flags) =>
    spawnMember(member.name, process.execPath, [...(options.nodeFlags ?? []), SYNOD_BIN, ...flags, '--log-level', 'info'], (msg) => msg === 'serving client requests'),
  );
}

/** Starts `members` etcd members on fixed free loopback ports (needs `etcd` on PATH). */
export function startEtcd(options: LaunchOptions): Promise<RunningStore> {
  return startMembers('etcd', options, (member, flags) =>
    spawnMember(
      member.name,
      'etcd',
      [...flags, '--advertise-client-urls', clientUrl(member), '--initial-cluster-state', 'new', '--logger', 'zap', '--log-outputs', 'stderr'],
      (msg) => msg.startsWith('serving client traffic'),
    ),
  );
}

/** True when an `etcd` binary answers `etcd --version`. */
export async function etcdAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('etcd', ['--version'], { stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

/** Starts the named store. */
export function startStore(target: TargetName, options: LaunchOptions): Promise<RunningStore> {
  return target === 'synod' ? startSynod(options) : startEtcd(options);
}
