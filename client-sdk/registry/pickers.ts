import type { ServiceInstance } from './instance.js';

/** Anything that can list instances now (a Discovery, or a fixed list in tests). */
export interface InstanceSource {
  /** The current set, sorted by id. */
  instances(): readonly ServiceInstance[];
}

/** Chooses an instance for the next call; undefined when there is none. */
export interface Picker {
  /** An instance of the current set (no call to the cluster), or undefined when the set is empty. */
  pick(): ServiceInstance | undefined;
}

/**
 * Round-robin over the source's current set, in id order. When the set changes, the rotation carries on
 * from the same position, so every instance keeps getting its turn.
 */
export class RoundRobinPicker implements Picker {
  private position = 0;

  constructor(private readonly source: InstanceSource) {}

  pick(): ServiceInstance | undefined {
    const instances = this.source.instances();
    if (instances.length === 0) return undefined;
    const chosen = instances[this.position % instances.length];
    this.position = (this.position + 1) % Number.MAX_SAFE_INTEGER;
    return chosen;
  }
}

/** A uniformly random instance of the source's current set. */
export class RandomPicker implements Picker {
  constructor(
    private readonly source: InstanceSource,
    private readonly random: () => number = Math.random,
  ) {}

  pick(): ServiceInstance | undefined {
    const instances = this.source.instances();
    if (instances.length === 0) return undefined;
    return instances[Math.min(instances.length - 1, Math.floor(this.random() * instances.length))];
  }
}
