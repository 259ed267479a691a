import type { NodeId } from '../../server/raft/index.js';
import type { KvInput, KvOutput } from '../checker/kv-model.js';
import type { HistoryRecorder, PendingOperation } from '../checker/recorder.js';
import type { KvCommand } from './kv.js';
import type { MemberReply, SimMember } from './member.js';
import { SLOTS_PER_TICK, type ClientParams } from './params.js';
import type { SimRng } from './rng.js';
import type { Scheduler } from './scheduler.js';

/** What clients need from the cluster. */
export interface ClientEnv {
  readonly scheduler: Scheduler;
  readonly recorder: HistoryRecorder;
  /** Members a client may contact: those of the configuration (a crashed one refuses the connection). */
  members(): SimMember[];
  member(id: NodeId): SimMember | undefined;
}

interface Operation {
  readonly seq: number;
  readonly input: KvInput;
  readonly cmd: KvCommand | null;
  readonly handle: PendingOperation;
  attempt: number;
}

/** Counters of the client workload. */
export interface ClientStats {
  completed: number;
  abandoned: number;
  attempts: number;
  dropped: number;
  /** Write attempts their member declared lost in a leader change (retried at once, not timed out). */
  lostInLeaderChange: number;
  timeouts: number;
}

/**
 * A client issuing one operation at a time (put, get, cas, delete on a few shared keys) to the member it
 * believes leads. Each attempt has a timeout; a timed-out or refused attempt is retried, at another
 * member if needed. Writes keep their (clientId, seq) across retries, so the state machine applies
 * them once; a read gets a fresh ReadIndex context per attempt. During the safety phase a client may
 * abandon a timed-out operation, whose outcome is then recorded as unknown (maybe applied).
 */
export class SimClient {
  private seq = 0;
  private op: Operation | null = null;
  private nextStartTick = 0;
  private leaderHint: NodeId = '';
  private readonly lastSeen = new Map<string, string | null>();
  /** False once the liveness phase starts: finish the current operation, start no new one. */
  startingNewOps = true;

  constructor(
    readonly id: number,
    private readonly params: ClientParams,
    private readonly rng: SimRng,
    private readonly env: ClientEnv,
    private readonly stats: ClientStats,
  ) {}

  /** True when no operation is in progress. */
  get idle(): boolean {
    return this.op === null;
  }

  /** Describes the operation in progress (for liveness reports). */
  describe(): string {
    return this.op === null ? `client ${this.id} idle` : `client ${this.id} ${this.op.input.op}(${this.op.input.key}) attempt ${this.op.attempt}`;
  }

  /** Called once per tick: starts the next operation when it is time. */
  tick(tick: number): void {
    if (this.op !== null || !this.startingNewOps || tick < this.nextStartTick) return;
    this.startOperation();
  }

  private startOperation(): void {
    const seq = ++this.seq;
    const key = `k${this.rng.nextInt(this.params.keys)}`;
    const value = `${this.id}.${seq}`;
    const roll = this.rng.nextInt(100);
    let input: KvInput;
    if (roll < 30) input = { op: 'put', key, value };
    else if (roll < 60) input = { op: 'get', key };
    else if (roll < 85) {
      const seen = this.lastSeen.get(key) ?? null;
      input = { op: 'cas', key, expected: this.rng.chance(0.75) ? seen : null, value };
    } else input = { op: 'delete', key };
    const cmd: KvCommand | null =
      input.op === 'get'
        ? null
        : { clientId: this.id, seq, op: input.op, key, ...(input.op !== 'delete' ? { value } : {}), ...(input.op === 'cas' ? { expected: input.expected } : {}) };
    const handle = this.env.recorder.invoke(this.id, input);
    this.op = { seq, input, cmd, handle, attempt: 0 };
    this.attempt();
  }

  private pickMember(): SimMember | undefined {
    const hinted = this.leaderHint === '' ? undefined : this.env.member(this.leaderHint);
    const members = this.env.members();
    if (hinted !== undefined && members.includes(hinted) && this.rng.chance(0.9)) return hinted;
    return members.length === 0 ? undefined : this.rng.pick(members);
  }

  private attempt(): void {
    const op = this.op;
    if (op === null) return;
    const attempt = ++op.attempt;
    this.stats.attempts++;
    const member = this.pickMember();
    const sched = this.env.scheduler;
    sched.after(this.params.attemptTimeoutTicks * SLOTS_PER_TICK, () => this.onTimeout(op.seq, attempt));
    if (member === undefined) return;
    const reply = (r: MemberReply): void => sched.after(this.rng.range(1, 3), () => this.onReply(op.seq, attempt, r));
    sched.after(this.rng.range(1, 3), () => {
      if (!member.running) {
        // Connection refused: try elsewhere after a short backoff.
        this.leaderHint = '';
        sched.after(this.backoffSlots(), () => this.retry(op.seq, attempt));
        return;
      }
      if (op.cmd !== null) member.submitWrite(op.cmd, reply);
      else member.submitRead(op.input.key, `c${this.id}.${op.seq}.${attempt}`, reply);
    });
  }

  private backoffSlots(): number {
    return this.rng.range(SLOTS_PER_TICK, 3 * SLOTS_PER_TICK);
  }

  private retry(seq: number, attempt: number): void {
    if (this.op?.seq === seq && this.op.attempt === attempt) this.attempt();
  }

  private onReply(seq: number, attempt: number, r: MemberReply): void {
    const op = this.op;
    if (op === null || op.seq !== seq) return;
    if (r.kind === 'dropped' || r.kind === 'lost') {
      if (op.attempt !== attempt) return;
      if (r.kind === 'lost') this.stats.lostInLeaderChange++;
      else this.stats.dropped++;
      this.leaderHint = r.lead;
      this.env.scheduler.after(this.backoffSlots(), () => this.retry(seq, attempt));
      return;
    }
    // Any attempt's answer is valid: writes are deduplicated by (clientId, seq), and a read answered
    // by an earlier attempt still happened within this operation's interval.
    let output: KvOutput;
    const input = op.input;
    if (r.kind === 'read') {
      output = { value: r.value };
      this.lastSeen.set(input.key, r.value);
    } else if (input.op === 'cas') {
      output = { ok: r.result.ok === true };
      if (output.ok === true) this.lastSeen.set(input.key, input.value);
    } else if (input.op === 'delete') {
      output = { deleted: r.result.deleted === true };
      this.lastSeen.set(input.key, null);
    } else {
      output = {};
      if (input.op === 'put') this.lastSeen.set(input.key, input.value);
    }
    op.handle.ok(output);
    this.finish();
    this.stats.completed++;
  }

  private onTimeout(seq: number, attempt: number): void {
    const op = this.op;
    if (op === null || op.seq !== seq || op.attempt !== attempt) return;
    this.stats.timeouts++;
    this.leaderHint = '';
    if (this.startingNewOps && this.rng.chance(this.params.abandonChance)) {
      op.handle.unknown();
      this.stats.abandoned++;
      this.finish();
      return;
    }
    this.attempt();
  }

  private finish(): void {
    this.op = null;
    this.nextStartTick = Math.floor(this.env.scheduler.now / SLOTS_PER_TICK) + this.rng.range(0, this.params.thinkTicksMax);
  }
}
