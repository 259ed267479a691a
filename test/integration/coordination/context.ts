import type { TestCluster } from '../helpers/cluster.js';
import { RecipeProcess } from '../helpers/recipe-process.js';

/** What every scenario of the shared-cluster suite gets: the cluster (started once for all of them). */
export interface ScenarioContext {
  readonly cluster: TestCluster;
  /** Every member, comma-separated, as recipes take `--endpoints`. */
  readonly endpoints: string;
}

/** Recipe processes a scenario started; `stopAll` ends the ones still running (SIGTERM, then SIGKILL). */
export class ProcessGroup {
  private readonly processes: RecipeProcess[] = [];

  start(recipe: string, role: string, args: readonly string[], label: string): RecipeProcess {
    const started = RecipeProcess.start(recipe, role, args, label);
    this.processes.push(started);
    return started;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    this.processes.length = 0;
  }

  transcripts(): string {
    return this.processes.map((p) => p.transcript()).join('\n');
  }
}

/** The store a fenced recipe writes to: started as the recipe's `store` role; resolves with its URL. */
export async function startStore(group: ProcessGroup, recipe: string): Promise<string> {
  const store = group.start(recipe, 'store', [], 'store');
  return (await store.waitFor('store')).fields['url']!;
}
