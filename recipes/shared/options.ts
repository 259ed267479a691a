import { parseArgs } from 'node:util';
import { Client } from '../../client-sdk/index.js';

/** The endpoints of `npm run cluster`, every recipe's default. */
export const DEV_CLUSTER_ENDPOINTS = '127.0.0.1:2379,127.0.0.1:22379,127.0.0.1:32379';

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; default?: string | boolean; description: string }>;

/** Options every recipe role takes. */
export const COMMON_OPTIONS: OptionSpec = {
  endpoints: { type: 'string', default: DEV_CLUSTER_ENDPOINTS, description: 'cluster members, comma-separated host:port' },
  help: { type: 'boolean', default: false, description: 'show this help' },
};

/** Parses a role's options (its own plus the common ones); throws with a readable message on a bad one. */
export function parseOptions(argv: readonly string[], spec: OptionSpec): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const all = { ...COMMON_OPTIONS, ...spec };
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {};
  for (const [name, { type, default: fallback }] of Object.entries(all)) options[name] = fallback === undefined ? { type } : { type, default: fallback };
  const parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** Usage text of a role's options. */
export function optionsHelp(spec: OptionSpec): string {
  const all = { ...spec, ...COMMON_OPTIONS };
  return Object.entries(all)
    .map(([name, { type, default: fallback, description }]) => `  --${name}${type === 'string' ? ' <value>' : ''}`.padEnd(28) + `${description}${fallback === undefined || fallback === false ? '' : ` (default ${String(fallback)})`}`)
    .join('\n');
}

/** An integer option, checked. */
export function intOption(values: Record<string, string | boolean | undefined>, name: string, min = 0): number {
  const text = values[name];
  const value = Number(text);
  if (typeof text !== 'string' || !Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got ${String(text)}`);
  return value;
}

/** A string option that must be present. */
export function stringOption(values: Record<string, string | boolean | undefined>, name: string): string {
  const text = values[name];
  if (typeof text !== 'string' || text === '') throw new Error(`--${name} is required`);
  return text;
}

/** A client of the recipe's cluster (`--endpoints`). */
export function clientFor(values: Record<string, string | boolean | undefined>): Client {
  const endpoints = String(values['endpoints']).split(',').map((e) => e.trim()).filter((e) => e !== '');
  return new Client({ endpoints, dialTimeoutMs: 1000, requestTimeoutMs: 5000 });
}

/** Aborts on SIGINT or SIGTERM, so a recipe can release what it holds before it exits. */
export function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = (name: NodeJS.Signals): void => controller.abort(name);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

/** Sleeps `ms`, or less if `signal` aborts first. */
export { sleep } from '../../client-sdk/sleep.js';
