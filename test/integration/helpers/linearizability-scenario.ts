import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '../../../client-sdk/index.js';
import { HistoryRecorder } from '../../checker/recorder.js';
import { checkKvHistory, type KvHistoryRecord } from '../../checker/history.js';
import type { CheckResult } from '../../checker/checker.js';
import type { KvInput, KvOutput } from '../../checker/kv-model.js';
import { SimRng } from '../../sim/rng.js';
import { TestCluster } from './cluster.js';
import { describeKvWorkloadStats, emptyKvWorkloadStats, runKvClient, type KvWorkloadStats } from './kv-workload.js';
import { Nemesis, type FaultKind } from './nemesis.js';
import { sleep } from '../../../client-sdk/sleep.js';
import { readHistory } from './watch-recorder.js';
import { buildReference, type ReferenceRevision } from '../../checker/watch-checker.js';

export interface LinearizabilityScenarioOptions {
  /** Seeds the workload's choices and the nemesis' schedule (not the timing of real processes). */
  readonly seed: number;
  /** How long clients run while the nemesis injects faults. */
  readonly trafficMs: number;
  readonly keys?: number;
  /** Clients pinned to one member each, round robin over the members. */
  readonly pinnedClients?: number;
  /** Clients given every endpoint (they fail over). */
  readonly roamingClients?: number;
  readonly faults?: readonly FaultKind[];
  /** SDK request timeout of the workload's clients. */
  readonly requestTimeoutMs?: number;
  /** Extra server flags (e.g. a low --snapshot-count). */
  readonly serverArgs?: readonly string[];
}

export interface LinearizabilityOutcome {
  readonly seed: number;
  readonly history: KvHistoryRecord[];
  readonly result: CheckResult<KvInput, KvOutput>;
  readonly checkMs: number;
  readonly stats: KvWorkloadStats;
  readonly faultsInjected: number;
  /** Every revision of the keys as the cluster applied them (read by a watch from revision 1). */
  readonly applied: readonly ReferenceRevision[];
  /** hashkv of every member at one revision, after the final reads. */
  readonly hashes: readonly number[];
  readonly nemesisLog: string;
  /** Every member process' log, the replaced ones included: "m2#1" is m2's first process. */
  readonly memberLogs: ReadonlyMap<string, readonly string[]>;
  /** Problems besides the checker's verdict (untyped SDK errors, hashkv disagreement). */
  readonly problems: readonly string[];
}

const MEMBERS = 3;
const KEY_PREFIX = 'lin/';

/**
 * The multi-process linearizability scenario: a 3-member cluster on real processes, clients doing put /
 * get / cas / delete on a few keys (some pinned to one member, some with every endpoint) recorded in
 * one history, a nemesis killing, pausing and restarting members and cutting links meanwhile, then a
 * final phase that heals everything and reads every key through every member. The history is checked
 * for linearizability and every member's hashkv at one revision is compared.
 */
export async function runLinearizabilityScenario(options: LinearizabilityScenarioOptions): Promise<LinearizabilityOutcome> {
  const rng = new SimRng(options.seed);
  const workloadRng = rng.fork();
  const nemesisRng = rng.fork();
  const keys = Array.from({ length: options.keys ?? 4 }, (_, i) => `${KEY_PREFIX}k${i}`);
  const recorder = new HistoryRecorder();
  const stats = emptyKvWorkloadStats();
  const problems: string[] = [];
  const cluster = await TestCluster.start({ size: MEMBERS, ...(options.serverArgs === undefined ? {} : { args: options.serverArgs }) });
  const members = [0, 1, 2];
  const nemesis = new Nemesis({ cluster, members, rng: nemesisRng, ...(options.faults === undefined ? {} : { faults: options.faults }) });
  const clients: Client[] = [];
  try {
    const requestTimeoutMs = options.requestTimeoutMs ?? 3000;
    const specs = [
      ...Array.from({ length: options.pinnedClients ?? 3 }, (_, i) => ({ id: `p${i + 1}@m${(i % MEMBERS) + 1}`, endpoints: [i % MEMBERS] })),
      ...Array.from({ length: options.roamingClients ?? 3 }, (_, i) => ({ id: `r${i + 1}`, endpoints: rotate(members, i) })),
    ];
    const stopTraffic = new AbortController();
    const runs = specs.map((spec) => {
      const client = cluster.client(spec.endpoints, { requestTimeoutMs, dialTimeoutMs: 1000 });
      clients.push(client);
      return runKvClient({ clientId: spec.id, client, keys, recorder, rng: workloadRng.fork(), stats, stop: stopTraffic.signal });
    });
    const stopNemesis = new AbortController();
    const nemesisDone = nemesis.run(stopNemesis.signal).catch((error: unknown) => {
      // A healed cluster that elects no leader is a liveness failure; the traffic runs on to the end.
      problems.push(`nemesis: ${(error as Error).message}`);
    });
    await sleep(options.trafficMs);
    stopNemesis.abort();
    await nemesisDone;
    stopTraffic.abort();
    await Promise.all(runs);
    let hashes: number[] = [];
    let applied: ReferenceRevision[] = [];
    try {
      await nemesis.awaitLeader();
      const final = await finalReads(cluster, keys, recorder);
      hashes = final.hashes;
      if (new Set(hashes).size !== 1) problems.push(`hashkv differs between members: ${hashes.join(', ')}`);
      const reader = cluster.client();
      clients.push(reader);
      applied = await readHistory(reader, KEY_PREFIX, final.revision);
      problems.push(...checkWriteOutcomes(recorder.records(), applied));
    } catch (error) {
      problems.push(`final phase: ${(error as Error).message}`);
    }
    problems.push(...stats.untyped.map((text) => `untyped error: ${text}`));
    const history = recorder.records();
    const started = performance.now();
    const result = checkKvHistory(history);
    const checkMs = Math.round(performance.now() - started);
    return {
      seed: options.seed,
      history,
      result,
      checkMs,
      stats,
      faultsInjected: nemesis.faultsInjected,
      applied,
      hashes,
      nemesisLog: nemesis.describe(),
      memberLogs: collectLogs(cluster, nemesis),
      problems,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
    await cluster.cleanup();
  }
}

/**
 * Reads every key through every member (recorded, so the final state is checked too), then compares
 * every member's hashkv at one revision that all of them have applied.
 */
async function finalReads(cluster: TestCluster, keys: readonly string[], recorder: HistoryRecorder): Promise<{ hashes: number[]; revision: number }> {
  let revision = 0n;
  for (const i of [0, 1, 2]) {
    const client = cluster.client([i], { requestTimeoutMs: 10_000 });
    try {
      for (const key of keys) {
        const pending = recorder.invoke(`final@m${i + 1}`, { op: 'get', key });
        const result = await client.get(key);
        pending.ok({ value: result.kvs[0]?.value.toString() ?? null });
        if (result.header.revision > revision) revision = result.header.revision;
      }
    } finally {
      await client.close();
    }
  }
  const hashes: number[] = [];
  for (const i of [0, 1, 2]) {
    const client = cluster.client([i], { requestTimeoutMs: 10_000 });
    try {
      // A linearizable read first, so this member has applied at least `revision`.
      await client.get(keys[0]!);
      hashes.push((await client.cluster.hashKv(revision)).hash);
    } finally {
      await client.close();
    }
  }
  return { hashes, revision: Number(revision) };
}

/**
 * Checks each write's recorded outcome against what the cluster applied (every revision of the keys,
 * read by a watch from revision 1). Values are unique, so each value names its write: a value applied
 * twice is a write applied twice (a retry of a write that had been applied), a write recorded as
 * definitely failed must never appear, and one recorded as done must appear exactly once.
 */
export function checkWriteOutcomes(history: readonly KvHistoryRecord[], applied: readonly ReferenceRevision[]): string[] {
  const problems = buildReference(applied).problems.map((problem) => `applied history: ${problem.message}`);
  const appliedAt = new Map<string, number[]>();
  for (const { revision, events } of applied) {
    for (const event of events) {
      if (event.type === 'put') appliedAt.set(`${event.key}=${event.value}`, [...(appliedAt.get(`${event.key}=${event.value}`) ?? []), revision]);
    }
  }
  for (const [write, revisions] of appliedAt) {
    if (revisions.length > 1) problems.push(`${write} was applied ${revisions.length} times (revisions ${revisions.join(', ')})`);
  }
  for (const record of history) {
    if (record.op !== 'put' && record.op !== 'cas') continue;
    const revisions = appliedAt.get(`${record.key}=${record.value!}`) ?? [];
    const output = record.output as { failed?: true; unknown?: true; ok?: boolean };
    const claimed = output.failed === true ? 'definitely failed' : output.unknown === true ? null : record.op === 'put' || output.ok === true ? 'done' : 'not swapped';
    if ((claimed === 'definitely failed' || claimed === 'not swapped') && revisions.length > 0) {
      problems.push(`${record.op} ${record.key}=${record.value!} by ${String(record.clientId)} was recorded as ${claimed} but applied at ${revisions.join(', ')}`);
    }
    if (claimed === 'done' && revisions.length === 0) problems.push(`${record.op} ${record.key}=${record.value!} by ${String(record.clientId)} was acknowledged but never applied`);
  }
  return problems;
}

function collectLogs(cluster: TestCluster, nemesis: Nemesis): Map<string, readonly string[]> {
  const logs = new Map<string, readonly string[]>();
  const counts = new Map<string, number>();
  const add = (member: string, lines: readonly string[]): void => {
    const n = (counts.get(member) ?? 0) + 1;
    counts.set(member, n);
    logs.set(`${member}#${n}`, lines);
  };
  for (const { member, lines } of nemesis.retiredLogs) add(member, lines);
  cluster.members.forEach((member) => {
    if (member.process !== null) add(member.name, member.process.logLines);
  });
  return logs;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length]!);
}

/** One paragraph for the test output: what ran and what the checker said. */
export function summarise(outcome: LinearizabilityOutcome): string {
  const verdict = outcome.result.ok ? `linearizable (${outcome.result.steps} search steps, ${outcome.checkMs} ms)` : `${outcome.result.verdict.toUpperCase()}`;
  return `seed ${outcome.seed}: ${outcome.history.length} operations, ${outcome.faultsInjected} faults; ${describeKvWorkloadStats(outcome.stats)}; ${verdict}`;
}

/**
 * Writes the history, the nemesis log and every member log of a failed run to a new directory and
 * returns a report naming it, with the command that re-checks the history.
 */
export function saveFailure(outcome: LinearizabilityOutcome, replay: string): string {
  const dir = mkdtempSync(join(tmpdir(), `synod-linearizability-${outcome.seed}-`));
  const historyFile = join(dir, 'history.jsonl');
  writeFileSync(historyFile, outcome.history.map((record) => JSON.stringify(record)).join('\n') + '\n');
  writeFileSync(join(dir, 'nemesis.log'), outcome.nemesisLog + '\n');
  for (const [name, lines] of outcome.memberLogs) writeFileSync(join(dir, `${name}.log`), lines.join('\n') + '\n');
  const verdict = outcome.result.verdict === 'violation' ? outcome.result.explanation : outcome.result.verdict === 'unknown' ? outcome.result.reason : 'checker: ok';
  return [
    summarise(outcome),
    verdict,
    ...outcome.problems,
    `nemesis:\n${outcome.nemesisLog}`,
    `saved to ${dir} (re-check: node dist/test/checker/cli.js ${historyFile})`,
    `replay: ${replay}`,
  ].join('\n');
}
