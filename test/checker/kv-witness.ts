/**
 * Keeps minimised KV violations faithful. Dropping a write from a violating history can create a
 * new, unrelated failure: without the put, the delete that reported "deleted" becomes impossible.
 * Such a sub-history still fails, but it blames the wrong operations. This filter only admits a
 * candidate sub-history in which every observation that the original history could explain by some
 * other operation can still be explained by one; `kvWitnessSupport` adds what a candidate lacks.
 */
import type { KvOperation } from './kv-model.js';

/** What an operation saw about its key: a value, absence, or "anything but X" (X null = present). */
type Observation =
  | { readonly kind: 'is'; readonly value: string | null }
  | { readonly kind: 'not'; readonly value: string | null };

function observationsOf(operation: KvOperation): Observation[] {
  const { input, output } = operation;
  // A cas with an unknown outcome observes nothing, but can only have written if its expected value was there.
  if (output.unknown === true) return input.op === 'cas' ? [{ kind: 'is', value: input.expected }] : [];
  switch (input.op) {
    case 'get':
      return [{ kind: 'is', value: output.value ?? null }];
    case 'cas':
      return [{ kind: output.ok === true ? 'is' : 'not', value: input.expected }];
    case 'delete':
      return output.deleted === undefined ? [] : [{ kind: output.deleted ? 'not' : 'is', value: null }];
    case 'put':
      return [];
  }
}

/** The value an operation may leave behind (null: absent), or undefined if it never writes. */
function producedValue(operation: KvOperation): string | null | undefined {
  const { input, output } = operation;
  if (input.op === 'get') return undefined;
  if (input.op === 'delete') return null;
  if (input.op === 'cas' && output.unknown !== true && output.ok === false) return undefined;
  return input.value;
}

/** The operations that may leave a value, by key and by (key, value), sorted by call time. */
class Producers {
  private readonly byValue = new Map<string, KvOperation[]>();
  private readonly byKey = new Map<string, KvOperation[]>();

  constructor(operations: readonly KvOperation[]) {
    const writers = operations.filter((operation) => producedValue(operation) !== undefined);
    // A cas with an unknown outcome only counts if something could have left its expected value;
    // admitting such casts can admit more, so repeat until nothing changes.
    const conditional = (operation: KvOperation): boolean => operation.input.op === 'cas' && operation.output.unknown === true;
    let usable = writers.filter((operation) => !conditional(operation));
    for (let changed = true; changed; ) {
      const values = new Set(usable.map((operation) => JSON.stringify([operation.input.key, producedValue(operation)])));
      const next = writers.filter((operation) => {
        if (!conditional(operation) || operation.input.op !== 'cas') return true;
        return operation.input.expected === null || values.has(JSON.stringify([operation.input.key, operation.input.expected]));
      });
      changed = next.length !== usable.length;
      usable = next;
    }
    for (const operation of usable.sort((a, b) => a.call - b.call)) {
      push(this.byValue, JSON.stringify([operation.input.key, producedValue(operation)]), operation);
      push(this.byKey, operation.input.key, operation);
    }
  }

  /**
   * True when some operation other than `observer`, called no later than `observer` returned (so it
   * could have taken effect first), can leave what `observer` saw.
   */
  canExplain(observer: KvOperation, observation: Observation): boolean {
    return this.explainers(observer, observation, true).length > 0;
  }

  /** The explaining operation called last (closest to the observer), if any. */
  latestExplainer(observer: KvOperation, observation: Observation): KvOperation | undefined {
    return this.explainers(observer, observation, false).at(-1);
  }

  private explainers(observer: KvOperation, observation: Observation, firstOnly: boolean): KvOperation[] {
    const candidates =
      observation.kind === 'is'
        ? this.byValue.get(JSON.stringify([observer.input.key, observation.value]))
        : this.byKey.get(observer.input.key);
    const found: KvOperation[] = [];
    for (const producer of candidates ?? []) {
      if (producer.call > observer.return) break;
      if (producer === observer) continue;
      if (observation.kind === 'not' && producedValue(producer) === observation.value) continue;
      found.push(producer);
      if (firstOnly) break;
    }
    return found;
  }
}

function push(map: Map<string, KvOperation[]>, key: string, operation: KvOperation): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [operation]);
  else list.push(operation);
}

/** Model hook `admissibleWitness` of the KV model; see the module comment. */
export function kvWitnessIsFaithful(candidate: readonly KvOperation[], original: readonly KvOperation[]): boolean {
  const before = new Producers(original);
  const after = new Producers(candidate);
  return candidate.every((operation) =>
    observationsOf(operation).every(
      (observation) => !before.canExplain(operation, observation) || after.canExplain(operation, observation),
    ),
  );
}

/**
 * Model hook `witnessSupport` of the KV model: for each observation in `candidate` that `original`
 * could explain but `candidate` cannot, the explaining operation of `original` called last.
 * Added operations can need support in turn, so this repeats until nothing is missing.
 */
export function kvWitnessSupport(candidate: readonly KvOperation[], original: readonly KvOperation[]): KvOperation[] {
  const before = new Producers(original);
  const added = new Set<KvOperation>();
  for (let current = [...candidate]; ; ) {
    const after = new Producers(current);
    const missing = new Set<KvOperation>();
    for (const operation of current) {
      for (const observation of observationsOf(operation)) {
        if (after.canExplain(operation, observation)) continue;
        const producer = before.latestExplainer(operation, observation);
        if (producer !== undefined && !current.includes(producer)) missing.add(producer);
      }
    }
    if (missing.size === 0) return [...added];
    missing.forEach((operation) => added.add(operation));
    current = [...current, ...missing];
  }
}
