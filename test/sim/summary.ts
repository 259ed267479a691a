import { formatTickStats, tickStats } from './metrics.js';
import type { SeedResult } from './run.js';

/** Aggregates seed results into the campaign report (the figures the README quotes). */
export class Summary {
  seeds = 0;
  readonly failures: SeedResult[] = [];
  private readonly failovers = { 3: [] as number[], 5: [] as number[] };
  private readonly cleanFailovers = { 3: [] as number[], 5: [] as number[] };
  private readonly settle = { 3: [] as number[], 5: [] as number[] };
  private completedOps = 0;
  private abandonedOps = 0;
  private lostWrites = 0;
  private crashes = 0;
  private partitions = 0;
  private transfers = 0;
  private membershipChanges = 0;
  private messages = 0;
  private snapshots = 0;

  /** Adds one seed's result. */
  add(r: SeedResult): void {
    this.seeds++;
    if (r.violation !== null) this.failures.push(r);
    for (const f of r.failovers) {
      this.failovers[r.members].push(f.ticks);
      if (f.clean) this.cleanFailovers[r.members].push(f.ticks);
    }
    if (r.livenessTicks !== null) this.settle[r.members].push(r.livenessTicks);
    this.completedOps += r.clients.completed;
    this.abandonedOps += r.clients.abandoned;
    this.lostWrites += r.clients.lostInLeaderChange;
    this.crashes += r.faults.crashes;
    this.partitions += r.faults.partitions;
    this.transfers += r.faults.transfers;
    this.membershipChanges += r.membership.changes;
    this.messages += r.network.sent;
    this.snapshots += r.network.snapshots;
  }

  /** The report printed at the end of a campaign. */
  render(seconds: number, workers: number): string {
    const lines = [
      `seeds run: ${this.seeds}, failed: ${this.failures.length}, ${seconds.toFixed(1)} s, ${(this.seeds / seconds).toFixed(1)} seeds/s on ${workers} worker${workers === 1 ? '' : 's'}`,
      `work: ${this.completedOps} client ops completed (${this.abandonedOps} abandoned, outcome unknown; ${this.lostWrites} write attempts failed fast as lost in a leader change), ${this.messages} messages, ` +
        `${this.crashes} crashes, ${this.partitions} partitions, ${this.transfers} transfers, ${this.membershipChanges} membership changes`,
    ];
    for (const n of [3, 5] as const) {
      lines.push(`failover, ${n} members, all:   ${formatTickStats(tickStats(this.failovers[n]))}`);
      lines.push(`failover, ${n} members, clean: ${formatTickStats(tickStats(this.cleanFailovers[n]))}`);
      lines.push(`settle after healing, ${n} members: ${formatTickStats(tickStats(this.settle[n]))}`);
    }
    for (const f of this.failures) lines.push(`FAILED seed ${f.seed}: ${f.violation!.kind}; replay: ${f.replay}`);
    return `${lines.join('\n')}\n`;
  }
}
