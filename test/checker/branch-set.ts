/**
 * What the search knows about the object after a linearized prefix: a set of branches, each a
 * model state plus the deferred operations that have already fired on the way to it.
 *
 * Two ideas meet here. Nondeterministic models are made deterministic by the powerset construction
 * (carry every state the object may be in; an operation is legal if it is legal in one of them).
 * And an operation with an unknown outcome (return at Infinity) is linearized as soon as it becomes
 * a candidate, as *deferred*: from then on it may fire (take effect) before any later operation, or
 * never. That one choice covers every position the operation could have taken, so the search never
 * branches on where, or whether, a timed-out write landed.
 *
 * Invariants: a set is closed (every branch reachable by firing deferred operations is in it, or
 * dominated) and domination-free (no two branches with equal states where one has fired a subset of
 * what the other fired: the one that fired less can still do everything the other can).
 */
import type { Model, Operation } from './model.js';

/** One possibility: a state and the (sorted) deferred operations that fired to reach it. */
export interface Branch<State> {
  readonly state: State;
  /** `model.hash(state)`, cached. */
  readonly stateHash: string;
  readonly fired: readonly number[];
  /** A 32-bit hash of state and fired set, for the memo cache. */
  readonly code: number;
}

/** FNV-1a over the characters of `text`, continued from `seed`. */
function hashString(text: string, seed = 0x811c9dc5): number {
  let hash = seed;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

function makeBranch<State>(state: State, stateHash: string, fired: readonly number[]): Branch<State> {
  let code = hashString(stateHash);
  for (const opIndex of fired) code = Math.imul(code ^ (opIndex + 1), 0x01000193) >>> 0;
  return { state, stateHash, fired, code };
}

/** A closed, domination-free set of branches. */
export type BranchSet<State> = readonly Branch<State>[];

/** Thrown inside a closure when the step budget runs out; the search turns it into `unknown`. */
export class BudgetExhausted extends Error {}

/** What the branch functions need: the model, the partition and a work budget. */
export interface BranchContext<State, Input, Output> {
  readonly model: Model<State, Input, Output>;
  readonly operations: readonly Operation<Input, Output>[];
  /** Model steps taken so far; the search charges them to its step budget. */
  work: number;
  /** Steps left in the caller's budget; `BudgetExhausted` is thrown instead of taking a step beyond it. */
  readonly stepsLeft: () => number;
}

function isSubset(small: readonly number[], large: readonly number[]): boolean {
  if (small.length > large.length) return false;
  let j = 0;
  for (const value of small) {
    while (j < large.length && large[j]! < value) j += 1;
    if (large[j] !== value) return false;
    j += 1;
  }
  return true;
}

function withFired(fired: readonly number[], opIndex: number): number[] {
  const next = [...fired, opIndex];
  for (let i = next.length - 1; i > 0 && next[i - 1]! > next[i]!; i -= 1) [next[i - 1], next[i]] = [next[i]!, next[i - 1]!];
  return next;
}

/** Collects branches, keeping the set domination-free; buckets by state hash keep it cheap. */
class BranchCollector<State> {
  private readonly buckets = new Map<string, Branch<State>[]>();

  constructor(private readonly model: Model<State, unknown, unknown>) {}

  /** Adds `candidate` unless dominated, dropping what it dominates; true if it was added. */
  add(candidate: Branch<State>): boolean {
    const bucket = this.buckets.get(candidate.stateHash);
    if (bucket === undefined) {
      this.buckets.set(candidate.stateHash, [candidate]);
      return true;
    }
    for (let i = bucket.length - 1; i >= 0; i -= 1) {
      const other = bucket[i]!;
      if (!this.model.equal(other.state, candidate.state)) continue;
      if (isSubset(other.fired, candidate.fired)) return false;
      if (isSubset(candidate.fired, other.fired)) bucket.splice(i, 1);
    }
    bucket.push(candidate);
    return true;
  }

  has(branch: Branch<State>): boolean {
    return this.buckets.get(branch.stateHash)?.includes(branch) ?? false;
  }

  toArray(): Branch<State>[] {
    return [...this.buckets.values()].flat();
  }
}

function successors<State, Input, Output>(
  context: BranchContext<State, Input, Output>,
  state: State,
  opIndex: number,
): readonly State[] {
  if (context.stepsLeft() <= 0) throw new BudgetExhausted();
  context.work += 1;
  const operation = context.operations[opIndex]!;
  const result = context.model.step(state, operation.input, operation.output);
  if (!result.ok) return [];
  return 'states' in result ? result.states : [result.state];
}

/** The branches reached by firing `opIndex` from `branch` (firing without effect is dominated, so skipped). */
function fire<State, Input, Output>(
  context: BranchContext<State, Input, Output>,
  branch: Branch<State>,
  opIndex: number,
): Branch<State>[] {
  const { model } = context;
  return successors(context, branch.state, opIndex)
    .filter((state) => !model.equal(state, branch.state))
    .map((state) => makeBranch(state, model.hash(state), withFired(branch.fired, opIndex)));
}

/** Adds `seeds` to the closed `existing` branches and closes the result under firing `deferred`. */
function close<State, Input, Output>(
  context: BranchContext<State, Input, Output>,
  existing: BranchSet<State>,
  seeds: readonly Branch<State>[],
  deferred: readonly number[],
): BranchSet<State> {
  const collector = new BranchCollector<State>(context.model);
  existing.forEach((branch) => collector.add(branch));
  const pending = seeds.filter((seed) => collector.add(seed));
  for (let branch = pending.pop(); branch !== undefined; branch = pending.pop()) {
    if (!collector.has(branch)) continue;
    for (const opIndex of deferred) {
      if (branch.fired.includes(opIndex)) continue;
      for (const next of fire(context, branch, opIndex)) if (collector.add(next)) pending.push(next);
    }
  }
  return collector.toArray();
}

/** The initial, trivially closed, set. */
export function initialBranches<State>(model: Model<State, unknown, unknown>): BranchSet<State> {
  const state = model.init();
  return [makeBranch(state, model.hash(state), [])];
}

/**
 * Applies operation `opIndex` (known outcome) to each branch, without closing: null when it is illegal
 * in every branch. `legalEverywhere` tells whether no branch was lost.
 */
export function stepBranches<State, Input, Output>(
  context: BranchContext<State, Input, Output>,
  branches: BranchSet<State>,
  opIndex: number,
): { branches: BranchSet<State>; legalEverywhere: boolean } | null {
  const collector = new BranchCollector<State>(context.model);
  let legal = 0;
  for (const branch of branches) {
    const states = successors(context, branch.state, opIndex);
    if (states.length > 0) legal += 1;
    for (const state of states) collector.add(makeBranch(state, context.model.hash(state), branch.fired));
  }
  return legal === 0 ? null : { branches: collector.toArray(), legalEverywhere: legal === branches.length };
}

/** Closes branches returned by `stepBranches` under firing `deferred`. */
export function closeBranches<State, Input, Output>(
  context: BranchContext<State, Input, Output>,
  branches: BranchSet<State>,
  deferred: readonly number[],
): BranchSet<State> {
  return deferred.length === 0 ? branches : close(context, [], branches, deferred);
}

/**
 * Defers operation `opIndex` (unknown outcome), given closed `branches` and the operations deferred
 * before it: the result is closed under firing all of them.
 */
export function deferOperation<State, Input, Output>(
  context: BranchContext<State, Input, Output>,
  branches: BranchSet<State>,
  opIndex: number,
  deferredBefore: readonly number[],
): BranchSet<State> {
  const seeds = branches.flatMap((branch) => fire(context, branch, opIndex));
  return close(context, branches, seeds, [...deferredBefore, opIndex]);
}

/** An order-independent 32-bit hash of a branch set, consistent with `branchSetsEqual`. */
export function branchSetHash<State>(branches: BranchSet<State>): number {
  let sum = 0;
  for (const branch of branches) sum = (sum + branch.code) | 0;
  return sum >>> 0;
}

/** True when both sets hold the same branches. */
export function branchSetsEqual<State>(model: Model<State, unknown, unknown>, a: BranchSet<State>, b: BranchSet<State>): boolean {
  if (a.length !== b.length) return false;
  const same = (x: Branch<State>, y: Branch<State>): boolean =>
    x.code === y.code &&
    x.stateHash === y.stateHash &&
    x.fired.length === y.fired.length &&
    x.fired.every((value, i) => y.fired[i] === value) &&
    model.equal(x.state, y.state);
  return a.every((left) => b.some((right) => same(left, right)));
}
