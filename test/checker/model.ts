/**
 * The generic vocabulary of the linearizability checker: operations with call and return times,
 * and the sequential specification (`Model`) they are checked against.
 *
 * Nothing here knows about keys or values; `kv-model.ts` is one instance of `Model`.
 */

/**
 * One completed (or possibly completed) operation of a concurrent history.
 *
 * Invariant: `call <= return`. Intervals are closed, so two operations whose intervals merely touch
 * (`a.return === b.call`) are concurrent and may be linearized in either order. An operation whose
 * outcome is unknown has `return === Infinity`: it may take effect at any point after its call, or
 * never (see the contract on `Model`).
 */
export interface Operation<Input, Output> {
  /** Position of the operation in the history it came from; reports refer to it as `#id`. */
  readonly id: number;
  /** The client (process, session) that issued the operation; only used in reports. */
  readonly clientId: number | string;
  readonly input: Input;
  readonly output: Output;
  /** Time of invocation on a monotonic clock. */
  readonly call: number;
  /** Time of the response on the same clock, or `Infinity` when the outcome is unknown. */
  readonly return: number;
}

/**
 * What a model says about one operation applied to one state.
 *
 * `{ ok: false }`: the output is impossible from that state. `{ ok: true, state }`: the
 * operation is legal and leads to `state`. `{ ok: true, states }`: a nondeterministic model
 * (for example a write whose outcome is unknown) lists every state the operation may lead to;
 * an empty list means the same as `{ ok: false }`.
 */
export type StepResult<State> =
  | { readonly ok: false }
  | { readonly ok: true; readonly state: State }
  | { readonly ok: true; readonly states: readonly State[] };

/**
 * A sequential specification. Every function must be pure: the search calls them many times, in
 * any order, and caches on their results.
 *
 * Contract: `equal(a, b)` implies `hash(a) === hash(b)`. States must be treated as immutable.
 * Operations with `return === Infinity` have an unknown outcome: `step` must accept their output from
 * any state in which they can take effect, and the checker also lets them never take effect.
 */
export interface Model<State, Input, Output> {
  /** The state before any operation. */
  init(): State;
  /** Applies `input` with observed `output` to `state`. */
  step(state: State, input: Input, output: Output): StepResult<State>;
  /**
   * Optional P-compositionality: operations with different partition keys never interact, so each
   * partition is checked on its own (Horn & Kroening). Without it the history is one partition, `""`.
   */
  partition?(input: Input): string;
  equal(a: State, b: State): boolean;
  /** A string that equal states share; collisions are allowed and resolved with `equal`. */
  hash(state: State): string;
  /** A short human-readable form of an operation, e.g. `get("x") -> "a"`. */
  describeOperation(input: Input, output: Output): string;
  /** A short human-readable form of a state, e.g. `"a"` or `absent`. */
  describeState(state: State): string;
  /**
   * Optional: true when the operation never changes the state, whatever the state: from any state it
   * is either illegal or leaves that state as it is (a read, a compare-and-swap that reported
   * failure). When such an operation leaves the set of possible states unchanged, the search takes
   * it at once and never tries alternatives to that choice (see `search.ts`), so a wrong `true` makes
   * the checker unsound; when in doubt, return false.
   */
  readOnly?(input: Input, output: Output): boolean;
  /**
   * Optional: returns a sub-history of one partition with the same verdict that is cheaper to search.
   * The KV model drops writes with an unknown outcome that no operation could have observed, since
   * each of them pends until the end of the history and multiplies the search space.
   */
  simplify?(operations: readonly Operation<Input, Output>[]): Operation<Input, Output>[];
  /**
   * Optional filter used while minimising a violation: a candidate sub-history is only kept when this
   * returns true. The KV model uses it so that a stale read is not reduced to a read of a value that
   * nobody in the sub-history wrote.
   */
  admissibleWitness?(
    candidate: readonly Operation<Input, Output>[],
    original: readonly Operation<Input, Output>[],
  ): boolean;
  /**
   * Optional, also for minimising: operations of `original` to add to `candidate` so that it becomes
   * admissible (for the KV model, the writer of each value read). The minimiser grows small windows
   * around the failure with it before it starts dropping operations.
   */
  witnessSupport?(
    candidate: readonly Operation<Input, Output>[],
    original: readonly Operation<Input, Output>[],
  ): Operation<Input, Output>[];
}
