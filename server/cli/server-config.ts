import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Ajv } from 'ajv';
import { parse as parseYaml } from 'yaml';

/** The server's configuration, validated and frozen. Names follow etcd's flags. */
export interface ServerConfig {
  readonly name: string;
  readonly dataDir: string;
  readonly listenClientUrls: readonly URL[];
  readonly advertiseClientUrls: readonly URL[];
  readonly listenPeerUrls: readonly URL[];
  readonly initialAdvertisePeerUrls: readonly URL[];
  readonly initialCluster: string;
  readonly initialClusterState: 'new' | 'existing';
  readonly initialClusterToken: string;
  readonly heartbeatIntervalMs: number;
  readonly electionTimeoutMs: number;
  readonly snapshotCount: number;
  readonly snapshotCatchUpEntries: number;
  readonly maxLearners: number;
  readonly leaseCheckpointIntervalMs: number;
  readonly maxRequestBytes: number;
  readonly maxTxnOps: number;
  readonly requestTimeoutMs: number;
  readonly watchProgressNotifyIntervalMs: number;
  readonly logLevel: string;
  readonly configFile: string | undefined;
}

interface OptionSpec {
  readonly schema: Record<string, unknown>;
  readonly default?: unknown;
  readonly help: string;
}

/** Every server option: flag `--name`, environment `SYNOD_NAME`, config-file key `name`. */
export const SERVER_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  name: { schema: { type: 'string', minLength: 1 }, default: 'default', help: 'human-readable name of this member' },
  'data-dir': { schema: { type: 'string', minLength: 1 }, default: './synod-data', help: 'path to the data directory' },
  'listen-client-urls': {
    schema: { type: 'string', minLength: 1 },
    default: 'http://127.0.0.1:2379',
    help: 'comma-separated URLs to listen on for client traffic (ws and HTTP on the same port)',
  },
  'advertise-client-urls': {
    schema: { type: 'string' },
    default: '',
    help: 'comma-separated client URLs to advertise (default: the listen URLs)',
  },
  'listen-peer-urls': {
    schema: { type: 'string', minLength: 1 },
    default: 'http://127.0.0.1:2380',
    help: 'comma-separated URLs to listen on for peer traffic',
  },
  'initial-advertise-peer-urls': {
    schema: { type: 'string' },
    default: '',
    help: "this member's peer URLs to advertise to the cluster (default: the listen peer URLs)",
  },
  'initial-cluster': {
    schema: { type: 'string' },
    default: '',
    help: 'initial cluster configuration, name=peer-url,... (default: this member alone)',
  },
  'initial-cluster-state': {
    schema: { type: 'string', enum: ['new', 'existing'] },
    default: 'new',
    help: '"new" to bootstrap a cluster, "existing" to join one (after synodctl member add)',
  },
  'initial-cluster-token': {
    schema: { type: 'string', minLength: 1 },
    default: 'synod-cluster',
    help: 'initial cluster token; keeps member and cluster ids unique across clusters',
  },
  'heartbeat-interval': { schema: { type: 'integer', minimum: 1 }, default: 100, help: 'time of a heartbeat interval, in ms' },
  'election-timeout': { schema: { type: 'integer', minimum: 1 }, default: 1000, help: 'time of an election timeout, in ms' },
  'snapshot-count': {
    schema: { type: 'integer', minimum: 1 },
    default: 10_000,
    help: 'applied entries between two snapshots (the log is truncated behind each)',
  },
  'snapshot-catchup-entries': {
    schema: { type: 'integer', minimum: 0 },
    default: 5000,
    help: 'entries kept behind a snapshot so a slow follower catches up from the log',
  },
  'lease-checkpoint-interval-ms': {
    schema: { type: 'integer', minimum: 100 },
    help: 'how often the leader replicates the time left of leases that are not being renewed; a member that restarts may let an un-renewed lease outlive its TTL by about this much (default 2 x --election-timeout)',
  },
  'max-learners': { schema: { type: 'integer', minimum: 0 }, default: 1, help: 'most learners in the cluster' },
  'max-request-bytes': {
    schema: { type: 'integer', minimum: 1, maximum: 64 * 1024 * 1024 },
    default: 1.5 * 1024 * 1024,
    help: 'largest request accepted, counting key, value and range bytes',
  },
  'max-txn-ops': { schema: { type: 'integer', minimum: 1, maximum: 100_000 }, default: 128, help: 'most operations in a txn branch' },
  'request-timeout-ms': {
    schema: { type: 'integer', minimum: 1 },
    default: 7000,
    help: 'how long a request may take before it fails with `timeout`',
  },
  'watch-progress-notify-interval-ms': {
    schema: { type: 'integer', minimum: 1 },
    default: 600_000,
    help: 'how often idle watchers that asked for progress notifications get one',
  },
  'log-level': {
    schema: { type: 'string', enum: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] },
    default: 'info',
    help: 'log level (logs are JSON lines on stderr)',
  },
  'config-file': { schema: { type: 'string', minLength: 1 }, help: 'YAML or JSON file with any of these options (flag names as keys)' },
};

/** A configuration problem; every problem found is listed at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function envName(option: string): string {
  return `SYNOD_${option.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Builds the configuration: flags over `SYNOD_*` environment variables over the config file over
 * defaults. Validates everything with one JSON Schema and reports every problem at once.
 */
export function loadServerConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ServerConfig {
  const problems: string[] = [];
  let flags: Record<string, unknown> = {};
  try {
    const options = Object.fromEntries(Object.keys(SERVER_OPTIONS).map((name) => [name, { type: 'string' as const }]));
    flags = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([(error as Error).message]);
  }
  const fromEnv: Record<string, unknown> = {};
  for (const name of Object.keys(SERVER_OPTIONS)) {
    const value = env[envName(name)];
    if (value !== undefined) fromEnv[name] = value;
  }
  const configFile = (flags['config-file'] ?? fromEnv['config-file']) as string | undefined;
  let fromFile: Record<string, unknown> = {};
  if (configFile !== undefined) {
    try {
      const parsed: unknown = parseYaml(readFileSync(configFile, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) problems.push(`${configFile}: not a mapping of options`);
      else fromFile = parsed as Record<string, unknown>;
    } catch (error) {
      problems.push(`${configFile}: ${(error as Error).message}`);
    }
  }
  for (const key of Object.keys(fromFile)) {
    if (!(key in SERVER_OPTIONS)) problems.push(`${configFile}: unknown option "${key}"`);
  }
  const defaults = Object.fromEntries(
    Object.entries(SERVER_OPTIONS).filter(([, spec]) => spec.default !== undefined).map(([name, spec]) => [name, spec.default]),
  );
  const merged: Record<string, unknown> = { ...defaults, ...pick(fromFile), ...fromEnv, ...flags };
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, strict: true });
  const validate = ajv.compile({
    type: 'object',
    properties: Object.fromEntries(Object.entries(SERVER_OPTIONS).map(([name, spec]) => [name, spec.schema])),
  });
  if (!validate(merged)) {
    for (const error of validate.errors ?? []) problems.push(`--${error.instancePath.slice(1)} ${error.message ?? 'is invalid'}`);
  }
  const listenClientUrls = parseUrls(String(merged['listen-client-urls']), 'listen-client-urls', problems);
  const listenPeerUrls = parseUrls(String(merged['listen-peer-urls']), 'listen-peer-urls', problems);
  const advertisedPeers = String(merged['initial-advertise-peer-urls'] ?? '');
  const initialAdvertisePeerUrls = advertisedPeers === '' ? listenPeerUrls : parseUrls(advertisedPeers, 'initial-advertise-peer-urls', problems);
  const name = String(merged['name']);
  const initialCluster = String(merged['initial-cluster'] ?? '') || initialAdvertisePeerUrls.map((url) => `${name}=${urlText(url)}`).join(',');
  const heartbeat = Number(merged['heartbeat-interval']);
  const election = Number(merged['election-timeout']);
  if (election < 5 * heartbeat) problems.push(`--election-timeout (${election}) should be at least 5 times --heartbeat-interval (${heartbeat})`);
  const advertised = String(merged['advertise-client-urls'] ?? '');
  const advertiseClientUrls = advertised === '' ? listenClientUrls : parseUrls(advertised, 'advertise-client-urls', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    name,
    listenPeerUrls: Object.freeze(listenPeerUrls),
    initialAdvertisePeerUrls: Object.freeze(initialAdvertisePeerUrls),
    initialCluster,
    initialClusterState: merged['initial-cluster-state'] as 'new' | 'existing',
    initialClusterToken: merged['initial-cluster-token'] as string,
    heartbeatIntervalMs: heartbeat,
    electionTimeoutMs: election,
    snapshotCount: merged['snapshot-count'] as number,
    snapshotCatchUpEntries: merged['snapshot-catchup-entries'] as number,
    maxLearners: merged['max-learners'] as number,
    leaseCheckpointIntervalMs: (merged['lease-checkpoint-interval-ms'] as number | undefined) ?? 2 * election,
    dataDir: merged['data-dir'] as string,
    listenClientUrls: Object.freeze(listenClientUrls),
    advertiseClientUrls: Object.freeze(advertiseClientUrls),
    maxRequestBytes: merged['max-request-bytes'] as number,
    maxTxnOps: merged['max-txn-ops'] as number,
    requestTimeoutMs: merged['request-timeout-ms'] as number,
    watchProgressNotifyIntervalMs: merged['watch-progress-notify-interval-ms'] as number,
    logLevel: merged['log-level'] as string,
    configFile,
  });
}

function pick(fromFile: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fromFile).filter(([key]) => key in SERVER_OPTIONS).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}

/** A URL as written on the command line (without the trailing slash URL adds). */
export function urlText(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function parseUrls(list: string, option: string, problems: string[]): URL[] {
  const urls: URL[] = [];
  for (const text of list.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      problems.push(`--${option}: "${text}" is not a URL (write it as http://127.0.0.1:2379)`);
      continue;
    }
    if (url.protocol !== 'http:') problems.push(`--${option}: "${text}": only http:// URLs are supported so far`);
    else if (url.port === '') problems.push(`--${option}: "${text}" has no port`);
    else urls.push(url);
  }
  if (urls.length === 0 && problems.length === 0) problems.push(`--${option}: no URL given`);
  return urls;
}

/** The `synod --help` text, generated from the option table. */
export function serverHelp(): string {
  const lines = ['Usage: synod [flags]', '', 'Runs one Synod member. Every flag also reads from SYNOD_<FLAG> and from --config-file.', ''];
  for (const [name, spec] of Object.entries(SERVER_OPTIONS)) {
    const fallback = spec.default === undefined || spec.default === '' ? '' : ` (default ${JSON.stringify(spec.default)})`;
    lines.push(`  --${name.padEnd(24)} ${spec.help}${fallback}`);
  }
  lines.push('  --version                  print the version and exit', '  --help                     print this help and exit');
  return lines.join('\n');
}
