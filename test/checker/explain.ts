/**
 * Turns a (preferably minimised) violating sub-history into a readable explanation: the
 * operations with their intervals, the longest prefix that has a legal linearization, and why none
 * of the operations that could come next fits.
 */
import { stepBranches, type BranchSet } from './branch-set.js';
import type { Model, Operation } from './model.js';
import { decidePartition } from './search.js';

/** Upper bound on the steps spent re-running the search for the explanation. */
export const explainStepsMax = 1_000_000;

/** One line per operation: `#id client c [call, return] description`. */
export function formatOperations<Input, Output>(
  model: Model<unknown, Input, Output>,
  operations: readonly Operation<Input, Output>[],
): string {
  const rows = operations.map((operation) => [
    `#${operation.id}`,
    `client ${String(operation.clientId)}`,
    operation.return === Infinity ? `[${operation.call}, unknown outcome]` : `[${operation.call}, ${operation.return}]`,
    model.describeOperation(operation.input, operation.output),
  ]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => '  ' + row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}

/**
 * Explains why `operations` (non-linearizable, from partition `partitionKey`) have no linearization.
 * Runs a traced search, so keep the input small (a minimised violation).
 */
export function explainViolation<State, Input, Output>(
  model: Model<State, Input, Output>,
  operations: readonly Operation<Input, Output>[],
  partitionKey: string,
): string {
  const lines = [
    `Partition ${JSON.stringify(partitionKey)}: these ${operations.length} operations have no linearization.`,
    formatOperations(model, operations),
  ];
  const outcome = decidePartition(model, operations, { stepsMax: explainStepsMax, traceDeepest: true });
  if (outcome.kind !== 'violation' || outcome.deepest === null) {
    lines.push(`(No further detail: the traced search ended with "${outcome.kind}".)`);
    return lines.join('\n');
  }
  const name = (index: number): string => `#${operations[index]!.id}`;
  const describe = (index: number): string => {
    const operation = operations[index]!;
    return `${name(index)} ${model.describeOperation(operation.input, operation.output)}`;
  };
  const states = (branches: BranchSet<State>): string => {
    const described = branches.map((branch) => {
      const fired = branch.fired.length === 0 ? '' : ` (if ${branch.fired.map(name).join(', ')} took effect)`;
      return model.describeState(branch.state) + fired;
    });
    return described.length === 1 ? described[0]! : `one of {${described.join(' | ')}}`;
  };
  const { order, branches } = outcome.deepest;
  lines.push(
    order.length === 0
      ? `No operation can be linearized first; the initial state is ${states(branches)}.`
      : `Longest legal prefix (${order.length} of ${operations.length}): ${order.map(describe).join(', then ')}; ` +
          `it leaves ${states(branches)}.`,
  );
  const pending = order.filter((index) => operations[index]!.return === Infinity);
  if (pending.length > 0) {
    lines.push(`Operations with an unknown outcome (${pending.map(name).join(', ')}) may take effect at any later point, or never.`);
  }
  const placed = new Set(order);
  const remaining = operations.map((_, index) => index).filter((index) => !placed.has(index));
  const deadline = Math.min(...remaining.map((index) => operations[index]!.return));
  const urgent = remaining.find((index) => operations[index]!.return === deadline)!;
  lines.push(`Next, ${describe(urgent)} must take effect by time ${deadline}, its return. Candidates:`);
  const context = { model, operations, work: 0, stepsLeft: () => explainStepsMax };
  for (const index of remaining.filter((i) => operations[i]!.call <= deadline)) {
    const next = stepBranches(context, branches, index);
    lines.push(
      next === null
        ? `  ${describe(index)} is illegal from ${states(branches)}.`
        : `  ${describe(index)} is legal (leaving ${states(next.branches)}) but no linearization of the rest follows.`,
    );
  }
  return lines.join('\n');
}
