import type { Client } from '../../../client-sdk/index.js';

/** Resolves once at least `count` keys exist under `prefix` (waiting on a watch, not a timer). */
export async function waitForKeys(client: Client, prefix: string, count: number): Promise<void> {
  const watch = client.watch(prefix, { prefix: true });
  await watch.ready();
  try {
    if ((await client.get(prefix, { prefix: true, countOnly: true })).count >= BigInt(count)) return;
    for await (const event of watch) {
      void event;
      if ((await client.get(prefix, { prefix: true, countOnly: true })).count >= BigInt(count)) return;
    }
  } finally {
    await watch.cancel();
  }
}
