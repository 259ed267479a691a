import type { CommandContext, CommandSpec } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import type { FlagSpec } from './flags.js';
import { formatGoDuration } from './go-duration.js';
import type { EndpointHealth } from './printers/index.js';

const CLUSTER_FLAG: FlagSpec = { name: 'cluster', kind: 'bool', defaultText: 'false', description: 'use all endpoints from the cluster member list' };

/** The key `endpoint health` reads: any answer to a linearizable read proves the member can serve. */
const HEALTH_KEY = 'health';

/**
 * The endpoints a command reports on: --endpoints as given, or with --cluster every client URL that
 * the members published (from the member list of the first endpoint that answers), as etcdctl does.
 */
async function targetEndpoints(context: CommandContext): Promise<string[]> {
  if (!context.flags.bool('cluster')) return [...context.flags.strings('endpoints')];
  try {
    const { members } = await context.client().cluster.memberList();
    return members.flatMap((member) => member.clientURLs);
  } catch (error) {
    throw new CtlError(ExitCode.error, `failed to fetch endpoints from synod cluster member list: ${(error as Error).message}`);
  }
}

type Outcome<T> = { readonly endpoint: string; readonly value: T } | { readonly endpoint: string; readonly error: Error };

/** Runs `ask` against every endpoint at once, each through its own client; results in endpoint order. */
function askEach<T>(endpoints: readonly string[], ask: (endpoint: string) => Promise<T>): Promise<Outcome<T>[]> {
  return Promise.all(
    endpoints.map((endpoint) =>
      ask(endpoint).then(
        (value): Outcome<T> => ({ endpoint, value }),
        (error: unknown): Outcome<T> => ({ endpoint, error: error instanceof Error ? error : new Error(String(error)) }),
      ),
    ),
  );
}

/** Reports each failure on stderr as etcdctl does ("Failed to get the <what> of endpoint ..."). */
function reportFailures<T>(context: CommandContext, outcomes: readonly Outcome<T>[], what: string): { endpoint: string; value: T }[] {
  const answered: { endpoint: string; value: T }[] = [];
  for (const outcome of outcomes) {
    if ('error' in outcome) context.io.stderr.write(`Failed to get the ${what} of endpoint ${outcome.endpoint} (${outcome.error.message})\n`);
    else answered.push(outcome);
  }
  return answered;
}

export const endpointStatusCommand: CommandSpec = {
  name: 'endpoint status',
  usage: '',
  summary: 'Prints out the status of endpoints specified in `--endpoints` flag',
  description: `When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.`,
  flags: [CLUSTER_FLAG],
  async run(context) {
    context.client();
    const print = context.printer('endpointStatus');
    const endpoints = await targetEndpoints(context);
    const outcomes = await askEach(endpoints, (endpoint) => context.clientFor([endpoint]).status());
    const answered = reportFailures(context, outcomes, 'status');
    print(answered.map(({ endpoint, value }) => ({ endpoint, status: value })));
    // etcdctl exits 1 after the failures it reported, without an "Error:" line.
    if (answered.length < outcomes.length) throw new CtlError(ExitCode.error, 'some endpoints did not answer', { reported: true });
  },
};

export const endpointHashKvCommand: CommandSpec = {
  name: 'endpoint hashkv',
  usage: '',
  summary: 'Prints the KV history hash for each endpoint in --endpoints',
  flags: [CLUSTER_FLAG, { name: 'rev', kind: 'int64', defaultText: '0', description: 'maximum revision to hash (default: all revisions)' }],
  async run(context) {
    context.client();
    const print = context.printer('endpointHashKv');
    const revision = context.flags.int64('rev');
    const endpoints = await targetEndpoints(context);
    const outcomes = await askEach(endpoints, (endpoint) => context.clientFor([endpoint]).cluster.hashKv(revision));
    const answered = reportFailures(context, outcomes, 'hash');
    print(answered.map(({ endpoint, value }) => ({ endpoint, hashKv: value })));
    // etcdctl ends with the last failure as its error.
    const last = outcomes.filter((outcome) => 'error' in outcome).at(-1);
    if (last !== undefined && 'error' in last) throw new CtlError(ExitCode.error, last.error.message);
  },
};

/** One health probe: a linearizable read through a client of that endpoint alone, timed. */
async function probe(context: CommandContext, endpoint: string): Promise<EndpointHealth> {
  const client = context.clientFor([endpoint]);
  const started = process.hrtime.bigint();
  let error = '';
  try {
    await client.get(HEALTH_KEY);
  } catch (failure) {
    error = (failure as Error).message;
  }
  return { endpoint, healthy: error === '', took: formatGoDuration(process.hrtime.bigint() - started), error };
}

export const endpointHealthCommand: CommandSpec = {
  name: 'endpoint health',
  usage: '',
  summary: 'Checks the healthiness of endpoints specified in `--endpoints` flag',
  flags: [CLUSTER_FLAG],
  async run(context) {
    context.client();
    const print = context.printer('endpointHealth');
    const endpoints = await targetEndpoints(context);
    const probes = await Promise.all(endpoints.map((endpoint) => probe(context, endpoint)));
    print(probes);
    if (probes.some((result) => !result.healthy)) throw new CtlError(ExitCode.error, 'unhealthy cluster');
  },
};

export const ENDPOINT_COMMANDS: readonly CommandSpec[] = [endpointHashKvCommand, endpointHealthCommand, endpointStatusCommand];
