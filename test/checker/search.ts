/**
 * Linearizability of one partition: Wing & Gong's depth-first search with Lowe's just-in-time
 * linearization and memoization.
 *
 * The search walks the entry list from its head. At a call entry it tries to linearize that
 * operation now: if the model accepts it and the resulting configuration (linearized set, branch
 * set) is new, it lifts the operation out of the list, pushes a backtrack frame and restarts from
 * the head. Reaching a return entry means the operation it closes can no longer be placed before
 * its own return, so the search pops the last frame, unlifts that operation and tries the next
 * candidate after it. Only calls that precede the first remaining return are ever candidates, which
 * is exactly the real-time order constraint.
 *
 * Two kinds of candidate are "forced": taking them dominates every alternative, so they are taken
 * first and, when the search backtracks into them, no alternative is tried there.
 * - An operation with an unknown outcome is deferred (see `branch-set.ts`): it may then fire before
 *   any later operation, or never, which covers every place it could have been put.
 * - A read-only operation (per `Model.readOnly`) that leaves the (closed) branch set as it is, for
 *   example a read of the current value while timed-out writes may still fire. Any linearization
 *   that places it later can move it to the front: there it changes nothing, and where it was it
 *   could only narrow the branch set, and a larger set never makes a later operation illegal.
 * Without them the search would branch on every subset of pending timeouts and every order of
 * concurrent reads, which is what makes long histories with faults expensive.
 */
import { Bitset } from './bitset.js';
import {
  branchSetsEqual,
  BudgetExhausted,
  closeBranches,
  deferOperation,
  initialBranches,
  stepBranches,
  type BranchContext,
  type BranchSet,
} from './branch-set.js';
import { EntryList, type Entry } from './entry-list.js';
import { MemoCache } from './memo-cache.js';
import type { Model, Operation } from './model.js';

/** The deepest point the search reached: a linearizable prefix that could not be extended. */
export interface DeepestPoint<State> {
  /** Indices (into the searched array) of the prefix in linearization order, deferred ones included. */
  readonly order: readonly number[];
  /** The branches after the prefix. */
  readonly branches: BranchSet<State>;
}

/**
 * Result of searching one partition. `steps` counts list entries visited plus model steps taken,
 * the unit of the budget.
 */
export type SearchOutcome<State> =
  | { readonly kind: 'linearizable'; readonly steps: number; readonly order: readonly number[] }
  | {
      readonly kind: 'violation';
      readonly steps: number;
      readonly deepest: DeepestPoint<State> | null;
      /**
       * Index of the operation whose return stopped the deepest path explored: the first operation
       * that could not be placed in time. A minimised witness keeps it, so that it shows the same
       * failure rather than another one created by dropping operations.
       */
      readonly stuckAt: number;
    }
  | { readonly kind: 'unknown'; readonly steps: number };

/** Options of `searchPartition`. */
export interface SearchOptions {
  /** The search gives up with `unknown` once it has taken this many steps. */
  readonly stepsMax: number;
  /** Record the deepest point for explanations (costs a copy of the stack at each new depth). */
  readonly traceDeepest?: boolean;
  /**
   * How operations with an unknown outcome are placed. `defer` (default): linearized as deferred
   * when first possible, never branched on (see the module comment). `enumerate`: like any other
   * operation, with the model's nondeterministic step (applied or not); the search may then branch on
   * where to put each of them, which is cheap when a history is linearizable and has few of them.
   */
  readonly unknownOutcomes?: 'defer' | 'enumerate';
}

interface Frame<State> {
  readonly call: Entry;
  readonly branchesBefore: BranchSet<State>;
  readonly forced: boolean;
  readonly deferral: boolean;
}

/** A candidate evaluated against the current branches: where it leads, and whether it is forced. */
interface Attempt<State> {
  readonly entry: Entry;
  /** The branch set to memoize (before closing, which is determined by it). */
  readonly key: BranchSet<State>;
  /** The closed branch set, when already computed. */
  readonly closed: BranchSet<State> | null;
  readonly forced: boolean;
  readonly deferral: boolean;
}

/**
 * Decides whether `operations` (all of one partition) are linearizable with respect to `model`.
 * Deterministic: the same input always takes the same steps, never more than `stepsMax`.
 */
export function searchPartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  options: SearchOptions,
): SearchOutcome<State> {
  const search = new PartitionSearch(model, operations, options);
  try {
    return search.run();
  } catch (error) {
    if (error instanceof BudgetExhausted) return { kind: 'unknown', steps: search.steps };
    throw error;
  }
}

/** The state of one search: the entry list, the backtrack stack and the memo cache. */
class PartitionSearch<State, Input, Output> {
  private readonly list: EntryList;
  private readonly linearized: Bitset;
  private readonly cache: MemoCache<State>;
  private readonly context: BranchContext<State, Input, Output>;
  /** Operations deferred along the current path, in order. */
  private readonly deferred: number[] = [];
  private readonly stack: Frame<State>[] = [];
  private branches: BranchSet<State>;
  private deepest: DeepestPoint<State> | null;
  private visits = 0;
  private stuckDepth = -1;
  private stuckAt = -1;

  constructor(
    private readonly model: Model<State, Input, Output>,
    private readonly operations: readonly Operation<Input, Output>[],
    private readonly options: SearchOptions,
  ) {
    this.list = EntryList.fromIntervals(operations);
    this.linearized = new Bitset(operations.length);
    this.cache = new MemoCache<State>(model);
    this.context = { model, operations, work: 0, stepsLeft: () => options.stepsMax - this.steps };
    this.branches = initialBranches<State>(model);
    this.deepest = options.traceDeepest === true ? { order: [], branches: this.branches } : null;
  }

  /** Steps taken so far: entries visited plus model steps. */
  get steps(): number {
    return this.visits + this.context.work;
  }

  run(): SearchOutcome<State> {
    let entry = this.list.first;
    let fresh = true;
    while (entry !== null) {
      let candidate: Attempt<State> | null | undefined;
      if (fresh) {
        fresh = false;
        candidate = this.findForced();
        if (candidate !== null) entry = candidate.entry;
      }
      if (this.steps >= this.options.stepsMax) return { kind: 'unknown', steps: this.steps };
      this.visits += 1;
      if (entry.kind === 'call') {
        candidate ??= this.attempt(entry);
        if (candidate !== null && this.take(candidate)) {
          entry = this.list.first;
          fresh = true;
          continue;
        }
        if (candidate === null || !candidate.forced) {
          entry = entry.next;
          continue;
        }
        // A forced candidate leads to a configuration explored before, which failed; it dominates
        // every alternative here, so this configuration fails too.
      } else if (this.stack.length > this.stuckDepth) {
        this.stuckDepth = this.stack.length;
        this.stuckAt = entry.opIndex;
      }
      entry = this.backtrack();
      if (entry === null) {
        return { kind: 'violation', steps: this.steps, deepest: this.deepest, stuckAt: this.stuckAt };
      }
    }
    return { kind: 'linearizable', steps: this.steps, order: this.stack.map((frame) => frame.call.opIndex) };
  }

  private defers(operation: Operation<Input, Output>): boolean {
    return operation.return === Infinity && this.options.unknownOutcomes !== 'enumerate';
  }

  private isReadOnly(operation: Operation<Input, Output>): boolean {
    return this.model.readOnly?.(operation.input, operation.output) === true;
  }

  /** Evaluates linearizing `entry` now; null when it is illegal. */
  private attempt(entry: Entry): Attempt<State> | null {
    const operation = this.operations[entry.opIndex]!;
    if (this.defers(operation)) return { entry, key: this.branches, closed: null, forced: true, deferral: true };
    const stepped = stepBranches(this.context, this.branches, entry.opIndex);
    if (stepped === null) return null;
    if (!this.isReadOnly(operation)) return { entry, key: stepped.branches, closed: null, forced: false, deferral: false };
    const closed = stepped.legalEverywhere ? this.branches : closeBranches(this.context, stepped.branches, this.deferred);
    const forced = closed === this.branches || branchSetsEqual(this.model, closed, this.branches);
    const key = forced ? this.branches : stepped.branches;
    return { entry, key, closed: forced ? this.branches : closed, forced, deferral: false };
  }

  /** Scans the candidates of a configuration reached for the first time for a forced one. */
  private findForced(): Attempt<State> | null {
    for (let entry = this.list.first; entry !== null && entry.kind === 'call'; entry = entry.next) {
      if (this.steps >= this.options.stepsMax) return null;
      this.visits += 1;
      const operation = this.operations[entry.opIndex]!;
      if (!this.defers(operation) && !this.isReadOnly(operation)) continue;
      const candidate = this.attempt(entry);
      if (candidate?.forced === true) return candidate;
    }
    return null;
  }

  /** Linearizes the candidate if its configuration is new: lifts it and pushes a frame. */
  private take(candidate: Attempt<State>): boolean {
    const { entry } = candidate;
    this.linearized.set(entry.opIndex);
    if (!this.cache.addIfNew(this.linearized, candidate.key)) {
      this.linearized.clear(entry.opIndex);
      return false;
    }
    const next = candidate.deferral
      ? deferOperation(this.context, this.branches, entry.opIndex, this.deferred)
      : (candidate.closed ?? closeBranches(this.context, candidate.key, this.deferred));
    if (candidate.deferral) this.deferred.push(entry.opIndex);
    this.stack.push({ call: entry, branchesBefore: this.branches, forced: candidate.forced, deferral: candidate.deferral });
    this.branches = next;
    this.list.lift(entry);
    if (this.deepest !== null && this.stack.length > this.deepest.order.length) {
      this.deepest = { order: this.stack.map((frame) => frame.call.opIndex), branches: next };
    }
    return true;
  }

  /** Undoes frames through forced ones; returns the entry to try next, or null when none is left. */
  private backtrack(): Entry | null {
    for (;;) {
      const frame = this.stack.pop();
      if (frame === undefined) return null;
      this.linearized.clear(frame.call.opIndex);
      this.list.unlift(frame.call);
      this.branches = frame.branchesBefore;
      if (frame.deferral) this.deferred.pop();
      if (!frame.forced) return frame.call.next;
    }
  }
}

/** Share of the budget `decidePartition` gives to the enumerating search before it defers instead. */
export const enumerateBudgetShare = 0.2;

/**
 * Decides one partition with a small portfolio, as Lowe suggests running algorithms in competition:
 * if there are operations with unknown outcomes, first the enumerating search with a fifth of the
 * budget (fast when the history is linearizable), then the deferring search with the rest (it does
 * not grow exponentially with the number of timeouts when it has to prove a violation). Both are
 * exact; `steps` adds up the two.
 */
export function decidePartition<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  options: SearchOptions,
): SearchOutcome<State> {
  if (options.unknownOutcomes !== undefined || !operations.some((operation) => operation.return === Infinity)) {
    return searchPartition(model, operations, options);
  }
  const enumerateStepsMax = Math.floor(options.stepsMax * enumerateBudgetShare);
  const first = searchPartition(model, operations, { ...options, stepsMax: enumerateStepsMax, unknownOutcomes: 'enumerate' });
  if (first.kind !== 'unknown') return first;
  const second = searchPartition(model, operations, { ...options, stepsMax: options.stepsMax - first.steps, unknownOutcomes: 'defer' });
  return { ...second, steps: first.steps + second.steps };
}
