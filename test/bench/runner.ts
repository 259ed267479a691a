import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import type * as hdr from 'hdr-histogram-js';
import type { TargetName } from './launch.js';
import type { StoreDriver } from './store-client.js';
import { latencyHistogram, type Workload, type WorkloadOptions } from './workload.js';

/** Default client connections: one per request in flight, up to this many. */
export const CONNECTIONS_DEFAULT_MAX = 16;
/** Linux reports process CPU time in ticks of 1/100 s. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface LatencyFigures {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** What one measured run found; one JSON line. */
export interface RunResult {
  readonly target: TargetName;
  readonly members: number;
  readonly workload: string;
  readonly inFlight: number;
  readonly connections: number;
  /** Operations completed (watch: events delivered). */
  readonly ops: number;
  readonly errors: number;
  readonly seconds: number;
  readonly opsPerSecond: number;
  /** Latency of each operation (watch: of each event's delivery), in milliseconds. */
  readonly latencyMs: LatencyFigures;
  /** Operations per second the workers were held to (--rate), or null for a closed loop. */
  readonly rate: number | null;
  /** CPU used during the run, in % of one core: the bench process, and the members together. */
  readonly cpuPercent: { readonly client: number; readonly members: number | null };
  /** CPU used during the run by each member, in % of one core, member 1 first. */
  readonly memberCpuPercent: readonly number[] | null;
  /** CPU time per operation (watch: per event delivered), in µs: the bench process, and the members together. */
  readonly cpuMicrosPerOp: { readonly client: number; readonly members: number | null };
  /**
   * The machine's one-minute load average at the end of the run: well above the bench's own share
   * (about 1 + members) means something else competed for the CPU.
   */
  readonly loadAverage: number;
  readonly firstError?: string;
  /** The workload's own figures (conflicts, puts behind the watch events, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** A workload the store cannot run (yet), reported instead of a result. */
export interface Unavailable {
  readonly target: TargetName;
  readonly members: number;
  readonly workload: string;
  readonly unavailable: string;
}

export interface RunParameters {
  readonly inFlight: number;
  /** Client connections; default min(inFlight, CONNECTIONS_DEFAULT_MAX). */
  readonly connections: number | undefined;
  readonly durationSeconds: number;
  /**
   * Operations per second across all workers, or undefined for a closed loop. Operation i is due at
   * start + i / rate; its latency counts from then, so a store that falls behind shows it as latency
   * instead of quietly lowering the load (coordinated omission).
   */
  readonly ratePerSecond?: number;
  readonly options: WorkloadOptions;
  readonly members: number;
  /** Member processes whose CPU time the run reports (none when benchmarking given endpoints). */
  readonly memberPids: readonly number[];
  /** Marks the progress line of an unrecorded warm-up run. */
  readonly warmUp?: boolean;
}

function latencyFigures(histogram: hdr.Histogram): LatencyFigures {
  const ms = (micros: number): number => Number((micros / 1000).toFixed(3));
  return {
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    max: ms(histogram.maxValue),
  };
}

/** CPU seconds used so far by each of these processes, or null where /proc cannot tell. */
function cpuSecondsOf(pids: readonly number[]): number[] | null {
  if (pids.length === 0) return null;
  try {
    return pids.map((pid) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    });
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `workload` for `durationSeconds` with `inFlight` workers, each issuing its next operation as
 * soon as the previous one completes (or, with a rate, once the next operation is due). Writes a
 * progress line to stderr while it runs.
 */
export async function runWorkload(workload: Workload, driver: StoreDriver, parameters: RunParameters): Promise<RunResult> {
  const { inFlight, durationSeconds, members } = parameters;
  const connections = Math.max(1, Math.min(inFlight, parameters.connections ?? CONNECTIONS_DEFAULT_MAX));
  const clients = Array.from({ length: connections }, (_, i) => driver.connect(i));
  try {
    const run = await workload.begin({ driver, options: parameters.options, clients });
    const histogram = latencyHistogram();
    let seq = 0;
    let ops = 0;
    let errors = 0;
    let firstError: string | undefined;
    const label = `${parameters.warmUp === true ? 'warm-up ' : ''}${driver.target} members=${members} ${workload.name} in-flight=${inFlight}`;
    const clientCpuStart = process.cpuUsage();
    const membersCpuStart = cpuSecondsOf(parameters.memberPids);
    const started = performance.now();
    const deadline = started + durationSeconds * 1000;
    const rate = parameters.ratePerSecond;
    // With a rate, operation i is due at started + i * interval, and none is due at the deadline or later.
    const intervalMs = rate === undefined ? 0 : 1000 / rate;
    let scheduled = 0;
    const nextStart = async (): Promise<number | null> => {
      if (rate === undefined) return performance.now() < deadline ? performance.now() : null;
      const due = started + scheduled++ * intervalMs;
      if (due >= deadline) return null;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      return due;
    };
    // On a terminal the progress line rewrites itself; in a log it is one line every two seconds.
    const tty = process.stderr.isTTY;
    const progress = setInterval(() => {
      const elapsed = (performance.now() - started) / 1000;
      const line = `${label}: ${ops} ops, ${(ops / elapsed).toFixed(0)} ops/s, p99 ${(histogram.getValueAtPercentile(99) / 1000).toFixed(2)} ms, ${errors} errors`;
      process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    }, tty ? 500 : 2000);
    const worker = async (w: number): Promise<void> => {
      const client = clients[w % connections]!;
      for (let begin = await nextStart(); begin !== null; begin = await nextStart()) {
        try {
          await run.operation(client, seq++);
          histogram.recordValue(Math.max(1, Math.round((performance.now() - begin) * 1000)));
          ops++;
        } catch (error) {
          errors++;
          firstError ??= (error as Error).message ?? String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: inFlight }, (_, w) => worker(w)));
    const seconds = (performance.now() - started) / 1000;
    const clientCpu = process.cpuUsage(clientCpuStart);
    const membersCpuEnd = cpuSecondsOf(parameters.memberPids);
    clearInterval(progress);
    if (tty) process.stderr.write('\r\x1b[K');
    const figures = await run.finish();
    const measured = figures.measured;
    const count = measured?.count ?? ops;
    const clientCpuSeconds = (clientCpu.user + clientCpu.system) / 1e6;
    const memberCpuSeconds = membersCpuStart === null || membersCpuEnd === null ? null : membersCpuEnd.map((end, i) => end - membersCpuStart[i]!);
    const membersCpuSeconds = memberCpuSeconds === null ? null : memberCpuSeconds.reduce((sum, x) => sum + x, 0);
    const percent = (cpuSeconds: number): number => Math.round((cpuSeconds / seconds) * 100);
    const perOp = (cpuSeconds: number): number => Math.round((cpuSeconds * 1e6) / Math.max(1, count));
    return {
      target: driver.target,
      members,
      workload: workload.name,
      inFlight,
      connections,
      ops: count,
      errors: errors + (measured?.errors ?? 0),
      seconds: Number(seconds.toFixed(2)),
      opsPerSecond: Math.round(count / seconds),
      rate: rate ?? null,
      latencyMs: latencyFigures(measured?.histogram ?? histogram),
      cpuPercent: { client: percent(clientCpuSeconds), members: membersCpuSeconds === null ? null : percent(membersCpuSeconds) },
      memberCpuPercent: memberCpuSeconds === null ? null : memberCpuSeconds.map(percent),
      cpuMicrosPerOp: { client: perOp(clientCpuSeconds), members: membersCpuSeconds === null ? null : perOp(membersCpuSeconds) },
      loadAverage: Number(loadavg()[0]!.toFixed(2)),
      ...(firstError === undefined ? {} : { firstError }),
      ...(figures.extra === undefined && measured === undefined
        ? {}
        : {
            extra: {
              ...figures.extra,
              ...(measured === undefined ? {} : { operations: ops, operationsPerSecond: Math.round(ops / seconds), operationLatencyMs: latencyFigures(histogram) }),
            },
          }),
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}
