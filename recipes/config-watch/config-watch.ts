import { op, type Client, type KeyValue } from '../../client-sdk/index.js';
import { log, parseLine } from '../shared/log.js';
import { clientFor, parseOptions, shutdownSignal, sleep, stringOption, type OptionSpec } from '../shared/options.js';
import { startRole, type Recipe } from '../shared/recipe.js';

const PREFIX_DEFAULT = 'synod/config/';

/**
 * An application's configuration as a JSON object, stored one top-level field per key:
 * `<prefix><app>/<field>` holds the field's JSON value. Every state it takes is the whole prefix read
 * at one revision (so a txn that changes several fields is applied at once), and a field whose stored
 * value is not valid JSON keeps its last valid value.
 */
export class ConfigView {
  private readonly fields = new Map<string, unknown>();
  private revisionValue = 0n;
  /** null until the first load, so the first configuration always counts as a change. */
  private rendered: string | null = null;

  constructor(private readonly prefix: string) {}

  get revision(): bigint {
    return this.revisionValue;
  }

  /** The configuration as JSON text, fields sorted. */
  get json(): string {
    return this.rendered ?? '{}';
  }

  /**
   * Replaces the view with the prefix's contents at `revision`. Returns the fields whose value was
   * invalid (each keeps its previous value) and whether the configuration changed.
   */
  load(kvs: readonly KeyValue[], revision: bigint): { changed: boolean; invalid: { field: string; error: string }[] } {
    const invalid: { field: string; error: string }[] = [];
    const next = new Map<string, unknown>();
    for (const kv of kvs) {
      const field = kv.key.toString().slice(this.prefix.length);
      if (field === '' || field.includes('/')) continue;
      try {
        next.set(field, JSON.parse(kv.value.toString()));
      } catch (error) {
        invalid.push({ field, error: (error as Error).message });
        if (this.fields.has(field)) next.set(field, this.fields.get(field));
      }
    }
    this.fields.clear();
    for (const [field, value] of next) this.fields.set(field, value);
    this.revisionValue = revision;
    const rendered = JSON.stringify(Object.fromEntries([...this.fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
    const changed = rendered !== this.rendered;
    this.rendered = rendered;
    return { changed, invalid };
  }
}

const watchOptions: OptionSpec = {
  app: { type: 'string', default: 'demo', description: 'application name: its config lives under synod/config/<app>/' },
};

/**
 * `watch`: loads the configuration, then reloads it on every change (prints `config revision=...
 * config={...}`), resyncing by itself if the history it needs was compacted (`resynced=true`).
 */
async function runWatch(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, watchOptions);
  const prefix = `${PREFIX_DEFAULT}${stringOption(values, 'app')}/`;
  const stop = shutdownSignal();
  const client = clientFor(values);
  try {
    await watchConfig(client, prefix, stop);
  } finally {
    await client.close();
  }
}

/** The watch loop of `watch`, printing each new configuration. */
export async function watchConfig(client: Client, prefix: string, signal: AbortSignal): Promise<void> {
  const view = new ConfigView(prefix);
  const report = (kvs: readonly KeyValue[], revision: bigint, resynced: boolean): void => {
    const { changed, invalid } = view.load(kvs, revision);
    for (const { field, error } of invalid) log('invalid', { field, error, note: 'kept its previous value' });
    if (changed || resynced) log('config', { revision, resynced, config: view.json });
  };
  const initial = await client.get(prefix, { prefix: true, signal });
  report(initial.kvs, initial.header.revision, false);
  const watch = client.watch(prefix, { prefix: true, startRevision: initial.header.revision + 1n, onCompacted: 'resync', signal });
  for await (const event of watch) {
    if (event.type === 'resync') {
      report(event.kvs, event.revision, true);
    } else if ((event.type === 'put' || event.type === 'delete') && event.revision > view.revision) {
      // Re-read the whole prefix, so every change of the txn behind this event is applied together.
      const current = await client.get(prefix, { prefix: true, signal });
      report(current.kvs, current.header.revision, false);
    }
  }
}

const setOptions: OptionSpec = {
  app: { type: 'string', default: 'demo', description: 'application name' },
  delete: { type: 'string', description: 'comma-separated fields to delete (in the same txn)' },
  raw: { type: 'boolean', default: false, description: 'store values as given, without checking they are JSON' },
};

/** `set field=json ...`: writes fields (and deletes `--delete` ones) in one txn. */
async function runSet(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseOptions(argv, setOptions);
  const prefix = `${PREFIX_DEFAULT}${stringOption(values, 'app')}/`;
  const ops = positionals.map((assignment) => {
    const equals = assignment.indexOf('=');
    if (equals <= 0) throw new Error(`expected field=<json>, got ${JSON.stringify(assignment)}`);
    const value = assignment.slice(equals + 1);
    if (values['raw'] !== true) JSON.parse(value);
    return op.put(`${prefix}${assignment.slice(0, equals)}`, value);
  });
  const deletes = typeof values['delete'] === 'string' ? values['delete'].split(',').filter((f) => f !== '') : [];
  for (const field of deletes) ops.push(op.delete(`${prefix}${field}`));
  if (ops.length === 0) throw new Error('nothing to set');
  const client = clientFor(values);
  try {
    const result = await client.txn().then(...ops).commit();
    log('set', { revision: result.header.revision, fields: ops.length });
  } finally {
    await client.close();
  }
}

/** `demo`: a watcher process, then a few changes: one field, two fields in one txn, invalid JSON, a delete. */
async function runDemo(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, {});
  const app = `demo-${process.pid}`;
  const endpoints = ['--endpoints', String(values['endpoints'])];
  const watcher = startRole('config-watch', 'watch', [...endpoints, '--app', app], 'watch');
  const configs = (expected: string): Promise<true> => watcher.waitFor((line) => (parseLine(line).fields['config'] === expected ? true : undefined));
  await configs('{}');
  const client = clientFor(values);
  const prefix = `${PREFIX_DEFAULT}${app}/`;
  try {
    log('step', { note: 'set one field' });
    await client.put(`${prefix}port`, '8080');
    await configs('{"port":8080}');
    log('step', { note: 'set two fields in one txn: the watcher applies them together' });
    await client.txn().then(op.put(`${prefix}port`, '9090'), op.put(`${prefix}features`, '{"search":true}')).commit();
    await configs('{"features":{"search":true},"port":9090}');
    log('step', { note: 'store invalid JSON: the field keeps its last valid value' });
    await client.put(`${prefix}port`, '90 90');
    await watcher.waitFor((line) => (parseLine(line).event === 'invalid' ? true : undefined));
    log('step', { note: 'delete a field' });
    await client.delete(`${prefix}features`);
    await configs('{"port":9090}');
    await client.delete(prefix, { prefix: true });
    await sleep(300);
  } finally {
    watcher.child.kill('SIGTERM');
    await watcher.exited();
    await client.close();
  }
}

export const configWatchRecipe: Recipe = {
  name: 'config-watch',
  summary: 'hot reload of a JSON config stored under a key prefix, with resync after compaction',
  roles: {
    demo: { summary: 'a watcher and a few changes', options: {}, run: runDemo },
    watch: { summary: 'prints the configuration each time it changes', options: watchOptions, run: runWatch },
    set: { summary: 'sets fields (field=<json> ...) and deletes --delete ones, in one txn', options: setOptions, run: runSet },
  },
};
