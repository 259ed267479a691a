import type { RunResult } from './runner.js';
import type { Outcome } from './session.js';

function isResult(outcome: Outcome): outcome is RunResult {
  return !('unavailable' in outcome);
}

const num = (value: number, digits = 2): string => value.toFixed(digits);

/**
 * Every run as a Markdown table: ops/s, latency, errors, CPU (% of one core: the bench process, then
 * each member) and CPU per operation (µs: the bench process, the members together), and the load average.
 */
export function resultsTable(outcomes: readonly Outcome[]): string {
  const header = ['target', 'members', 'workload', 'in-flight', 'ops/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'CPU % bench, members', 'CPU µs/op bench/members', 'load'];
  const rows = outcomes.map((o) => {
    const lead = [o.target, String(o.members), o.workload];
    if (!isResult(o)) return [...lead, '-', 'n/a', '', '', '', '', '', o.unavailable, '', ''];
    const l = o.latencyMs;
    return [
      ...lead,
      `${o.inFlight}${o.rate === null ? '' : ` @${o.rate}/s`}`,
      String(o.opsPerSecond),
      num(l.p50),
      num(l.p90),
      num(l.p99),
      num(l.max),
      String(o.errors),
      `${o.cpuPercent.client}, ${o.memberCpuPercent?.join('+') ?? '?'}`,
      `${o.cpuMicrosPerOp.client}/${o.cpuMicrosPerOp.members ?? '?'}`,
      o.loadAverage.toFixed(1),
    ];
  });
  return markdownTable(header, rows, (c) => c === 1 || (c >= 3 && c !== 10));
}

/** Synod's figure over etcd's, or null when either is missing or etcd's is zero. */
function ratio(synod: number | null | undefined, etcd: number | null | undefined): number | null {
  if (synod === undefined || synod === null || etcd === undefined || etcd === null || etcd === 0) return null;
  return Number((synod / etcd).toFixed(3));
}

/** Synod / etcd for each figure of one comparison row. */
export interface Ratios {
  /** Above 1: Synod is faster. */
  readonly opsPerSecond: number | null;
  /** Latencies and CPU per operation, above 1: Synod is slower or costlier. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  /** CPU time of the members per operation. */
  readonly memberCpuPerOp: number | null;
}

/** One row of the comparison: the same workload, members and in-flight on both stores. */
export interface ComparisonRow {
  readonly workload: string;
  readonly members: number;
  readonly inFlight: number | null;
  readonly synod: Outcome | undefined;
  readonly etcd: Outcome | undefined;
  readonly ratio: Ratios;
}

/**
 * Pairs Synod's and etcd's outcomes by workload, members and in-flight, in the order they ran. A store
 * that cannot run a workload pairs its "unavailable" with each of the other store's runs of it.
 */
export function compareOutcomes(outcomes: readonly Outcome[]): ComparisonRow[] {
  const rows = new Map<string, { synod?: Outcome; etcd?: Outcome; sample: Outcome }>();
  const place = (key: string, outcome: Outcome): void => {
    const entry = rows.get(key) ?? { sample: outcome };
    entry[outcome.target] = outcome;
    rows.set(key, entry);
  };
  for (const outcome of outcomes) if (isResult(outcome)) place(`${outcome.workload}|${outcome.members}|${outcome.inFlight}`, outcome);
  for (const outcome of outcomes) {
    if (isResult(outcome)) continue;
    const paired = [...rows.entries()].filter(([, row]) => row.sample.workload === outcome.workload && row.sample.members === outcome.members);
    if (paired.length === 0) place(`${outcome.workload}|${outcome.members}|-`, outcome);
    for (const [key] of paired) place(key, outcome);
  }
  return [...rows.values()].map(({ synod, etcd, sample }) => {
    const s = synod !== undefined && isResult(synod) ? synod : undefined;
    const e = etcd !== undefined && isResult(etcd) ? etcd : undefined;
    return {
      workload: sample.workload,
      members: sample.members,
      inFlight: isResult(sample) ? sample.inFlight : null,
      synod,
      etcd,
      ratio: {
        opsPerSecond: ratio(s?.opsPerSecond, e?.opsPerSecond),
        p50: ratio(s?.latencyMs.p50, e?.latencyMs.p50),
        p90: ratio(s?.latencyMs.p90, e?.latencyMs.p90),
        p99: ratio(s?.latencyMs.p99, e?.latencyMs.p99),
        max: ratio(s?.latencyMs.max, e?.latencyMs.max),
        memberCpuPerOp: ratio(s?.cpuMicrosPerOp.members, e?.cpuMicrosPerOp.members),
      },
    };
  });
}

/** A comparison row as one JSON-ready object: each store's headline figures and the ratios. */
export function comparisonJson(row: ComparisonRow): object {
  const figures = (o: Outcome | undefined): object | null =>
    o === undefined
      ? null
      : isResult(o)
        ? { opsPerSecond: o.opsPerSecond, latencyMs: o.latencyMs, errors: o.errors, memberCpuMicrosPerOp: o.cpuMicrosPerOp.members, loadAverage: o.loadAverage }
        : { unavailable: o.unavailable };
  return { workload: row.workload, members: row.members, inFlight: row.inFlight, synod: figures(row.synod), etcd: figures(row.etcd), ratio: row.ratio };
}

/** A Markdown table whose columns are padded, so it reads in a terminal as well as rendered. */
function markdownTable(header: readonly string[], rows: readonly string[][], rightAligned: (column: number) => boolean): string {
  const widths = header.map((title, c) => Math.max(title.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string =>
    `| ${cells.map((cell, c) => (rightAligned(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (rightAligned(c) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/**
 * The comparison as a Markdown table: each store's ops/s, then Synod / etcd for every figure (ops/s,
 * p50, p90, p99, max latency, members' CPU per operation), and the load average during each store's run.
 */
export function comparisonTable(rows: readonly ComparisonRow[]): string {
  const cell = (o: Outcome | undefined, pick: (r: RunResult) => string): string => (o === undefined ? '-' : isResult(o) ? pick(o) : 'n/a');
  const r = (value: number | null): string => (value === null ? 'n/a' : num(value));
  const header = ['workload', 'members', 'in-flight', 'Synod ops/s', 'etcd ops/s', 'ops/s', 'p50', 'p90', 'p99', 'max', 'member CPU/op', 'load S/e'];
  const cells = rows.map((row) => [
    row.workload,
    String(row.members),
    row.inFlight === null ? '-' : String(row.inFlight),
    cell(row.synod, (x) => String(x.opsPerSecond)),
    cell(row.etcd, (x) => String(x.opsPerSecond)),
    r(row.ratio.opsPerSecond),
    r(row.ratio.p50),
    r(row.ratio.p90),
    r(row.ratio.p99),
    r(row.ratio.max),
    r(row.ratio.memberCpuPerOp),
    `${cell(row.synod, (x) => x.loadAverage.toFixed(1))}/${cell(row.etcd, (x) => x.loadAverage.toFixed(1))}`,
  ]);
  const notes = [...new Set(rows.flatMap((row) =>
    [row.synod, row.etcd].flatMap((o) => (o !== undefined && !isResult(o) ? [`${o.target} ${o.workload} (${o.members} members): ${o.unavailable}`] : [])),
  ))];
  return [
    'Synod / etcd (ops/s above 1: Synod is faster; latency and member CPU per operation above 1: Synod is slower or costlier)',
    '',
    markdownTable(header, cells, (c) => c >= 1),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
