/**
 * The checker's entry point for any `Model`: split the history into partitions (P-compositionality),
 * search each one, and on the first violation minimise it and explain it.
 */
import { explainViolation } from './explain.js';
import { minimiseViolation } from './minimise.js';
import type { Model, Operation } from './model.js';
import { decidePartition } from './search.js';

/** Options of `checkOperations`; every field has a default. */
export interface CheckOptions {
  /** Search steps allowed over all partitions before the verdict is `unknown`. Default 10,000,000. */
  readonly stepsMax?: number;
  /** Shrink a violation before reporting it. Default true. */
  readonly minimise?: boolean;
  /** Search steps allowed for shrinking (on top of `stepsMax`). Default 2,000,000. */
  readonly minimiseStepsMax?: number;
  /** Use the model's partition function. Default true; false checks the history as one partition. */
  readonly partition?: boolean;
}

/** Default of `CheckOptions.stepsMax`. */
export const defaultStepsMax = 10_000_000;
/** Default of `CheckOptions.minimiseStepsMax`. */
export const defaultMinimiseStepsMax = 2_000_000;

/** Every operation was placed in a legal sequential order within its interval. */
export interface CheckOk {
  readonly ok: true;
  readonly verdict: 'ok';
  /** Search steps over all partitions. */
  readonly steps: number;
  readonly partitions: number;
}

/** Some partition has no linearization; `operations` is a small sub-history that shows it. */
export interface CheckViolation<Input, Output> {
  readonly ok: false;
  readonly verdict: 'violation';
  readonly partitionKey: string;
  /** The violating sub-history (minimised unless disabled), sorted by call time. */
  readonly operations: readonly Operation<Input, Output>[];
  /** True when no single operation of `operations` can be dropped with the history still failing. */
  readonly minimal: boolean;
  readonly explanation: string;
  /** Search steps spent on finding the violation (partitions checked before it included). */
  readonly steps: number;
  /** Search steps spent on minimising it. */
  readonly minimiseSteps: number;
}

/** The step budget ran out before a verdict; partitions checked so far were linearizable. */
export interface CheckUnknown {
  readonly ok: false;
  readonly verdict: 'unknown';
  /** The partition whose search was cut short. */
  readonly partitionKey: string;
  readonly steps: number;
  readonly reason: string;
}

/** Result of a check. `ok` is true only for a proven-linearizable history. */
export type CheckResult<Input, Output> = CheckOk | CheckViolation<Input, Output> | CheckUnknown;

/** Groups operations by `model.partition`, in ascending key order (the order partitions are checked). */
export function partitionOperations<Input, Output>(
  model: Model<unknown, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  usePartition = true,
): [string, Operation<Input, Output>[]][] {
  const partitions = new Map<string, Operation<Input, Output>[]>();
  for (const operation of operations) {
    const key = usePartition && model.partition !== undefined ? model.partition(operation.input) : '';
    const members = partitions.get(key);
    if (members === undefined) partitions.set(key, [operation]);
    else members.push(operation);
  }
  return [...partitions.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Checks `operations` for linearizability against `model`. Deterministic: the same history and
 * options always give the same result and step counts. Partitions are checked one after another in
 * key order, and the first violation found is the one reported.
 */
export function checkOperations<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  options: CheckOptions = {},
): CheckResult<Input, Output> {
  const stepsMax = options.stepsMax ?? defaultStepsMax;
  const partitions = partitionOperations(model, operations, options.partition ?? true);
  let steps = 0;
  for (const [partitionKey, all] of partitions) {
    const members = model.simplify?.(all) ?? all;
    const outcome = decidePartition(model, members, { stepsMax: stepsMax - steps });
    steps += outcome.steps;
    if (outcome.kind === 'unknown') {
      const reason = `search budget of ${stepsMax} steps exhausted in partition ${JSON.stringify(partitionKey)}`;
      return { ok: false, verdict: 'unknown', partitionKey, steps, reason };
    }
    if (outcome.kind === 'violation') {
      const shrunk =
        options.minimise === false
          ? { operations: [...members].sort((a, b) => a.call - b.call || a.id - b.id), steps: 0, complete: false }
          : minimiseViolation(model, members, members[outcome.stuckAt], options.minimiseStepsMax ?? defaultMinimiseStepsMax);
      return {
        ok: false,
        verdict: 'violation',
        partitionKey,
        operations: shrunk.operations,
        minimal: shrunk.complete,
        explanation: explainViolation(model, shrunk.operations, partitionKey),
        steps,
        minimiseSteps: shrunk.steps,
      };
    }
  }
  return { ok: true, verdict: 'ok', steps, partitions: partitions.length };
}
