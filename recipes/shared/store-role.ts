import { FencedStore } from './fenced-store.js';
import { log } from './log.js';
import { intOption, parseOptions, shutdownSignal, type OptionSpec } from './options.js';
import type { Role } from './recipe.js';

const storeOptions: OptionSpec = {
  port: { type: 'string', default: '0', description: 'port of the store on 127.0.0.1 (0: any free port)' },
};

/** The `store` role: a FencedStore that prints `store url=...` and serves until SIGINT/SIGTERM. */
export const storeRole: Role = {
  summary: 'the fenced store (HTTP on 127.0.0.1): refuses requests with a token below the highest seen',
  options: storeOptions,
  async run(argv) {
    const { values } = parseOptions(argv, storeOptions);
    const stop = shutdownSignal();
    const store = await FencedStore.start(intOption(values, 'port'));
    log('store', { url: store.url });
    await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
    await store.close();
  },
};
