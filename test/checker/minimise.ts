/**
 * Shrinks a non-linearizable history to a small sub-history that still fails, so that a report
 * shows the handful of operations that matter instead of thousands.
 *
 * Two phases. First, windows of 4, 8, 16, ... operations ending at the operation the search got
 * stuck at (plus what the model's `witnessSupport` says they need, such as the writer of a value
 * read long before) are tried; a violation is usually local, so a small window that still fails
 * saves most of the work. Then delta debugging: try dropping chunks of half the operations, then
 * quarters, and so on down to single operations, keeping every removal after which the rest is still
 * a definite violation that the model's `admissibleWitness` accepts. The result is 1-minimal (no
 * single operation can be dropped) unless the step budget runs out first; it is not necessarily the
 * smallest violating subset, which would need an exponential search.
 */
import type { Model, Operation } from './model.js';
import { decidePartition } from './search.js';

function byCall(a: Operation<unknown, unknown>, b: Operation<unknown, unknown>): number {
  return a.call - b.call || a.id - b.id;
}

/** Result of `minimiseViolation`. */
export interface MinimiseResult<Input, Output> {
  /** A sub-history that is still not linearizable, sorted by call time. */
  readonly operations: readonly Operation<Input, Output>[];
  /** Search steps spent on the candidates. */
  readonly steps: number;
  /** True when every single-operation removal was tried (the result is 1-minimal). */
  readonly complete: boolean;
}

/**
 * Returns a sub-history of `violating` (which must be non-linearizable) that is still non-linearizable
 * and still contains `stuck` (the operation the search of `violating` got stuck at, so the witness
 * shows that failure and not one made up by dropping its causes). Spends at most `stepsMax` search
 * steps; if they run out, returns the smallest failing set found so far.
 */
export function minimiseViolation<State, Input, Output>(
  model: Model<State, Input, Output>,
  violating: readonly Operation<Input, Output>[],
  stuck: Operation<Input, Output> | undefined,
  stepsMax: number,
): MinimiseResult<Input, Output> {
  let current = [...violating].sort(byCall);
  let steps = 0;
  const stillFails = (candidate: Operation<Input, Output>[]): boolean | 'budget' => {
    if (candidate.length === 0) return false;
    if (stuck !== undefined && !candidate.includes(stuck)) return false;
    if (model.admissibleWitness !== undefined && !model.admissibleWitness(candidate, violating)) return false;
    const outcome = decidePartition(model, candidate, { stepsMax: stepsMax - steps });
    steps += outcome.steps;
    if (outcome.kind === 'unknown') return 'budget';
    return outcome.kind === 'violation';
  };
  if (stuck !== undefined) {
    const stuckIndex = current.indexOf(stuck);
    for (let width = 4; width < current.length; width *= 2) {
      const window = current.filter(
        (operation, i) => (i >= stuckIndex - width && i <= stuckIndex) || (i > stuckIndex && operation.call <= stuck.return),
      );
      const support = model.witnessSupport?.(window, violating) ?? [];
      const candidate = [...window, ...support.filter((operation) => !window.includes(operation))].sort(byCall);
      if (candidate.length >= current.length) break;
      const verdict = stillFails(candidate);
      if (verdict === 'budget') return { operations: current, steps, complete: false };
      if (verdict) {
        current = candidate;
        break;
      }
    }
  }
  // Halve the chunk size after each pass; passes of single operations repeat until nothing changes,
  // because dropping one operation can make an earlier one droppable.
  for (let chunk = Math.max(1, Math.floor(current.length / 2)); ; chunk = Math.max(1, Math.floor(chunk / 2))) {
    let removed = false;
    for (let start = 0; start < current.length; ) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      const verdict = stillFails(candidate);
      if (verdict === 'budget') return { operations: current, steps, complete: false };
      if (verdict) {
        current = candidate;
        removed = true;
      } else {
        start += chunk;
      }
    }
    if (chunk === 1 && !removed) return { operations: current, steps, complete: true };
  }
}
