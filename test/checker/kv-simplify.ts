/**
 * A verdict-preserving simplification of KV histories: writes whose outcome is unknown and whose
 * effect no operation could have observed are dropped before the search.
 *
 * Why it is sound. Such a write u (value v, or absence for a delete) is either not applied (then
 * dropping it changes nothing) or applied at some point p of a linearization. Until the next state
 * change after p, every operation sees u's value; by the conditions below none of them can be a known
 * read of it, a cas comparing with it, a cas that failed, or a delete reporting what it found, so they
 * are writes or unknown-outcome operations that stay legal from any state. Removing u therefore
 * leaves a valid linearization. Conversely, a linearization without u extends to one with u placed
 * last, since u's return is at infinity. Dropping one write can make another droppable (an unknown
 * cas was the only observer), so the rule is applied until nothing changes.
 */
import type { KvOperation } from './kv-model.js';

/** The value a write leaves (null for delete), tagged with its key; undefined for reads. */
function writtenValueKey(operation: KvOperation): string | undefined {
  const { input } = operation;
  if (input.op === 'get') return undefined;
  return JSON.stringify([input.key, input.op === 'delete' ? null : input.value]);
}

/** Keys whose history contains an operation that observes "some other value" rather than a value. */
function keysWithBlindObservers(operations: readonly KvOperation[]): Set<string> {
  const keys = new Set<string>();
  for (const { input, output } of operations) {
    if (output.unknown === true) continue;
    if (input.op === 'cas' && output.ok === false) keys.add(input.key);
    if (input.op === 'delete' && output.deleted !== undefined) keys.add(input.key);
  }
  return keys;
}

/** (key, value) pairs that some operation observes: a known read of it, or any cas expecting it. */
function observedValueKeys(operations: readonly KvOperation[]): Set<string> {
  const observed = new Set<string>();
  for (const { input, output } of operations) {
    if (input.op === 'get' && output.unknown !== true) observed.add(JSON.stringify([input.key, output.value ?? null]));
    if (input.op === 'cas') observed.add(JSON.stringify([input.key, input.expected]));
  }
  return observed;
}

/** Drops unknown-outcome writes that nothing could have observed; see the module comment. */
export function dropUnobservableUnknownWrites(operations: readonly KvOperation[]): KvOperation[] {
  let current = [...operations];
  for (;;) {
    const blind = keysWithBlindObservers(current);
    const observed = observedValueKeys(current);
    const kept = current.filter((operation) => {
      const written = writtenValueKey(operation);
      if (operation.output.unknown !== true || written === undefined) return true;
      return blind.has(operation.input.key) || observed.has(written);
    });
    if (kept.length === current.length) return kept;
    current = kept;
  }
}
