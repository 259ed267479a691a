/**
 * Seeded generation of realistic concurrent KV histories that are linearizable by construction,
 * for the checker's own tests (and usable as a load model elsewhere).
 *
 * Clients run one operation at a time. Each operation takes effect at one instant between its call
 * and its return; effects are applied to a reference store in time order, so that order is a valid
 * linearization. Some operations time out: the client records an unknown outcome and moves on,
 * while the store applies the operation later or never.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { KvHistoryRecord } from './history.js';
import type { KvInput, KvOutput } from './kv-model.js';

/** Shape of a generated history. Times are integer ticks. */
export interface GeneratorOptions {
  readonly seed: number;
  readonly operations: number;
  readonly clients: number;
  readonly keys: number;
  /** Upper bound of each of the two delays call→effect and effect→return. */
  readonly latencyTicksMax: number;
  /** Upper bound of the pause between a client's return and its next call. */
  readonly thinkTicksMax: number;
  /** Chance, in thousandths, that an operation times out with an unknown outcome. */
  readonly unknownPerMille: number;
  /** Relative weights of get, put, cas and delete. */
  readonly mix: { readonly get: number; readonly put: number; readonly cas: number; readonly delete: number };
}

/** Sensible defaults: 8 clients on 10 keys, about 1 % timeouts. */
export const defaultGeneratorOptions: GeneratorOptions = {
  seed: 1,
  operations: 1000,
  clients: 8,
  keys: 10,
  latencyTicksMax: 20,
  thinkTicksMax: 5,
  unknownPerMille: 10,
  mix: { get: 40, put: 30, cas: 20, delete: 10 },
};

/** A deterministic integer source: `next(min, max)` is uniform over `min..max` inclusive. */
export interface Random {
  next(min: number, max: number): number;
}

/** A seeded `Random` (xoroshiro128+ from pure-rand). */
export function seededRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed);
  return { next: (min, max) => uniformInt(generator, min, max) };
}

interface Event {
  readonly time: number;
  readonly order: number;
  readonly run: () => void;
}

/** A binary min-heap of events by (time, insertion order), so the simulation is deterministic. */
class EventQueue {
  private readonly heap: Event[] = [];
  private inserted = 0;

  push(time: number, run: () => void): void {
    this.heap.push({ time, order: this.inserted++, run });
    for (let i = this.heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): Event | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined || this.heap.length === 0) return top;
    this.heap[0] = last;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const smallest = [left, left + 1].reduce((best, child) => (child < this.heap.length && this.less(child, best) ? child : best), i);
      if (smallest === i) return top;
      this.swap(i, smallest);
      i = smallest;
    }
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a]!;
    const y = this.heap[b]!;
    return x.time !== y.time ? x.time < y.time : x.order < y.order;
  }

  private swap(a: number, b: number): void {
    [this.heap[a], this.heap[b]] = [this.heap[b]!, this.heap[a]!];
  }
}

/** Applies `input` to `store` and returns its output; the store is mutated. */
export function applyToStore(store: Map<string, string>, input: KvInput): KvOutput {
  const current = store.get(input.key) ?? null;
  switch (input.op) {
    case 'get':
      return { value: current };
    case 'put':
      store.set(input.key, input.value);
      return {};
    case 'delete':
      store.delete(input.key);
      return { deleted: current !== null };
    case 'cas':
      if (current !== input.expected) return { ok: false };
      store.set(input.key, input.value);
      return { ok: true };
  }
}

/**
 * Generates a linearizable history (records in call order). The same options always give the same
 * history. Written values are unique (`c<client>-<n>`); a cas expects the value its client last saw.
 */
export function generateLinearizableHistory(overrides: Partial<GeneratorOptions> = {}): KvHistoryRecord[] {
  const options = { ...defaultGeneratorOptions, ...overrides };
  const random = seededRandom(options.seed);
  const queue = new EventQueue();
  const store = new Map<string, string>();
  const records: KvHistoryRecord[] = [];
  const seen = Array.from({ length: options.clients }, () => new Map<string, string | null>());
  const { get, put, cas } = options.mix;
  const weightTotal = get + put + cas + options.mix.delete;
  let started = 0;

  const chooseInput = (client: number, sequence: number): KvInput => {
    const key = `k${random.next(0, options.keys - 1)}`;
    const value = `c${client}-${sequence}`;
    const roll = random.next(1, weightTotal);
    if (roll <= get) return { op: 'get', key };
    if (roll <= get + put) return { op: 'put', key, value };
    if (roll <= get + put + cas) return { op: 'cas', key, expected: seen[client]!.get(key) ?? null, value };
    return { op: 'delete', key };
  };

  const startOperation = (client: number, now: number): void => {
    if (started >= options.operations) return;
    const sequence = started++;
    const input = chooseInput(client, sequence);
    const call = now;
    const effectAt = call + random.next(0, options.latencyTicksMax);
    const returnAt = effectAt + random.next(0, options.latencyTicksMax);
    const timesOut = random.next(1, 1000) <= options.unknownPerMille;
    if (timesOut) {
      // The client gives up at returnAt (recorded, or lost with the client as null); the store
      // applies the operation much later, or never.
      const applyLate = random.next(0, 1) === 1;
      if (applyLate) queue.push(returnAt + random.next(0, 10 * options.latencyTicksMax), () => applyToStore(store, input));
      const recordedReturn = random.next(0, 1) === 1 ? returnAt : null;
      records.push({ clientId: client, ...input, call, return: recordedReturn, output: { unknown: true } });
      const next = returnAt + random.next(0, options.thinkTicksMax);
      queue.push(next, () => startOperation(client, next));
      return;
    }
    let output: KvOutput = {};
    queue.push(effectAt, () => {
      output = applyToStore(store, input);
      if (input.op === 'get') seen[client]!.set(input.key, output.value ?? null);
      if (input.op === 'put' || (input.op === 'cas' && output.ok === true)) seen[client]!.set(input.key, input.value);
      if (input.op === 'delete') seen[client]!.set(input.key, null);
    });
    queue.push(returnAt, () => {
      records.push({ clientId: client, ...input, call, return: returnAt, output });
      const next = returnAt + random.next(0, options.thinkTicksMax);
      queue.push(next, () => startOperation(client, next));
    });
  };

  for (let client = 0; client < options.clients; client += 1) {
    const first = random.next(0, options.thinkTicksMax);
    queue.push(first, () => startOperation(client, first));
  }
  for (let event = queue.pop(); event !== undefined; event = queue.pop()) event.run();
  return records.sort((a, b) => a.call - b.call);
}
