/**
 * The sequential specification of Synod's single-key operations: put, get, compare-and-swap and
 * delete on string keys, where an absent key reads as null.
 *
 * Operations whose outcome is unknown (timeout, crash, lost connection) carry `{ unknown: true }`
 * as output: a read is then accepted from any state and changes nothing, and a write may or may not
 * have been applied, so the step returns both states (a nondeterministic step).
 */
import { dropUnobservableUnknownWrites } from './kv-simplify.js';
import { kvWitnessIsFaithful, kvWitnessSupport } from './kv-witness.js';
import type { Model, Operation, StepResult } from './model.js';

/** One operation's input. `cas` with `expected: null` means "only if the key is absent". */
export type KvInput =
  | { readonly op: 'put'; readonly key: string; readonly value: string }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'cas'; readonly key: string; readonly expected: string | null; readonly value: string }
  | { readonly op: 'delete'; readonly key: string };

/**
 * One operation's observed output. By operation: `get` has `value`; `cas` has `ok` (true when the
 * swap happened); `delete` may have `deleted` (whether the key existed), checked when present;
 * `put` has nothing. `unknown: true` replaces all of them when the client never learned the outcome.
 */
export interface KvOutput {
  readonly unknown?: true;
  readonly value?: string | null;
  readonly ok?: boolean;
  readonly deleted?: boolean;
}

/** The store: key to value; absent keys are not in the map. Never mutated once created. */
export type KvState = ReadonlyMap<string, string>;

/** An operation of a KV history as the generic checker sees it. */
export type KvOperation = Operation<KvInput, KvOutput>;

const emptyState: KvState = new Map();

/** `hash` results, cached per state object: states are immutable and hashed again and again. */
const hashes = new WeakMap<KvState, string>();

function read(state: KvState, key: string): string | null {
  return state.get(key) ?? null;
}

function write(state: KvState, key: string, value: string | null): KvState {
  if (read(state, key) === value) return state;
  const next = new Map(state);
  if (value === null) next.delete(key);
  else next.set(key, value);
  return next;
}

/** The state `input` leads to when it is applied, or null when its precondition (cas) fails. */
function applied(state: KvState, input: KvInput): KvState | null {
  switch (input.op) {
    case 'get':
      return state;
    case 'put':
      return write(state, input.key, input.value);
    case 'delete':
      return write(state, input.key, null);
    case 'cas':
      return read(state, input.key) === input.expected ? write(state, input.key, input.value) : null;
  }
}

function stepKnown(state: KvState, input: KvInput, output: KvOutput): StepResult<KvState> {
  const current = read(state, input.key);
  switch (input.op) {
    case 'get':
      return output.value === current ? { ok: true, state } : { ok: false };
    case 'put':
      return { ok: true, state: write(state, input.key, input.value) };
    case 'delete':
      if (output.deleted !== undefined && output.deleted !== (current !== null)) return { ok: false };
      return { ok: true, state: write(state, input.key, null) };
    case 'cas':
      if (output.ok !== (current === input.expected)) return { ok: false };
      return { ok: true, state: output.ok ? write(state, input.key, input.value) : state };
  }
}

function quote(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** A short form such as `cas("k", "a" -> "b") -> true`; see `Model.describeOperation`. */
export function describeKvOperation(input: KvInput, output: KvOutput): string {
  const key = JSON.stringify(input.key);
  let call: string;
  let result: string;
  switch (input.op) {
    case 'get':
      call = `get(${key})`;
      result = quote(output.value ?? null);
      break;
    case 'put':
      call = `put(${key}, ${quote(input.value)})`;
      result = 'ok';
      break;
    case 'delete':
      call = `delete(${key})`;
      result = output.deleted === undefined ? 'ok' : output.deleted ? 'deleted' : 'not found';
      break;
    case 'cas':
      call = `cas(${key}, ${quote(input.expected)} -> ${quote(input.value)})`;
      result = String(output.ok);
      break;
  }
  return `${call} -> ${output.unknown === true ? 'unknown' : result}`;
}

/** The KV model, partitioned by key (operations on different keys never interact). */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  init: () => emptyState,
  step(state, input, output) {
    if (output.unknown !== true) return stepKnown(state, input, output);
    const after = applied(state, input);
    return { ok: true, states: after === null || after === state ? [state] : [state, after] };
  },
  partition: (input) => input.key,
  readOnly(input, output) {
    if (output.unknown === true) return false;
    return input.op === 'get' || (input.op === 'cas' && output.ok === false) || (input.op === 'delete' && output.deleted === false);
  },
  equal(a, b) {
    if (a.size !== b.size) return false;
    for (const [key, value] of a) if (b.get(key) !== value) return false;
    return true;
  },
  hash(state) {
    // Collisions (a NUL inside a key or value) are allowed by the contract: `equal` resolves them.
    if (state.size === 0) return '';
    let hash = hashes.get(state);
    if (hash === undefined) {
      const entries = [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      hash = entries.map(([key, value]) => `${key}\u0000${value}`).join('\u0000');
      hashes.set(state, hash);
    }
    return hash;
  },
  describeOperation: describeKvOperation,
  describeState(state) {
    if (state.size === 0) return 'every key absent';
    return [...state.entries()].map(([key, value]) => `${JSON.stringify(key)} = ${JSON.stringify(value)}`).join(', ');
  },
  simplify: dropUnobservableUnknownWrites,
  admissibleWitness: kvWitnessIsFaithful,
  witnessSupport: kvWitnessSupport,
};
