import { createServer } from 'node:http';
import { ServiceRegistry, type ServiceInstance } from '../../client-sdk/index.js';
import { log, parseLine } from '../shared/log.js';
import { clientFor, intOption, parseOptions, shutdownSignal, sleep, stringOption, type OptionSpec } from '../shared/options.js';
import { startRole, type Recipe, type RoleProcess } from '../shared/recipe.js';

const CALL_TIMEOUT_MS = 1000;

const instanceOptions: OptionSpec = {
  service: { type: 'string', default: 'echo', description: 'service name' },
  id: { type: 'string', default: `i${process.pid}`, description: 'instance id' },
  port: { type: 'string', default: '0', description: 'HTTP port on 127.0.0.1 (0: any free port)' },
  ttl: { type: 'string', default: '5', description: 'registration TTL in seconds: how long a crashed instance stays listed' },
};

/**
 * `instance`: an HTTP server on 127.0.0.1 that answers `{"service","id","served"}`, registered in the
 * registry until SIGINT/SIGTERM (then deregistered). Prints every registration state change.
 */
async function runInstance(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, instanceOptions);
  const service = stringOption(values, 'service');
  const id = stringOption(values, 'id');
  const stop = shutdownSignal();
  let served = 0;
  const server = createServer((_request, response) => {
    served++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ service, id, served }));
  });
  await new Promise<void>((resolve) => server.listen(intOption(values, 'port'), '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  log('listening', { service, id, url: `http://127.0.0.1:${port}` });
  const client = clientFor(values);
  try {
    const registration = await new ServiceRegistry(client).register({ service, id, address: '127.0.0.1', port, metadata: { pid: String(process.pid) } }, { ttlSeconds: intOption(values, 'ttl', 1), signal: stop });
    for await (const status of registration.states({ signal: stop })) {
      log('state', { service, id, state: status.state, lease: status.leaseId.toString(16), ...(status.reason === undefined ? {} : { reason: status.reason }) });
    }
    await registration.deregister();
    log('deregistered', { service, id });
  } finally {
    server.closeAllConnections();
    server.close();
    await client.close();
  }
}

const clientOptions: OptionSpec = {
  service: { type: 'string', default: 'echo', description: 'service to call' },
  'interval-ms': { type: 'string', default: '200', description: 'time between calls' },
  strategy: { type: 'string', default: 'round-robin', description: 'round-robin or random' },
};

/**
 * `client`: discovers the service and calls one instance every `--interval-ms`, chosen by the picker;
 * prints the set each time it changes, and each call's outcome. A failed call (an instance that died
 * and is not expired yet) is retried once on the next instance.
 */
async function runClient(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, clientOptions);
  const service = stringOption(values, 'service');
  const strategy = stringOption(values, 'strategy');
  if (strategy !== 'round-robin' && strategy !== 'random') throw new Error('--strategy must be round-robin or random');
  const intervalMs = intOption(values, 'interval-ms');
  const stop = shutdownSignal();
  const client = clientFor(values);
  try {
    await using discovery = await new ServiceRegistry(client).discover(service);
    const following = (async () => {
      for await (const change of discovery.changes({ signal: stop })) {
        log('instances', { service, ids: change.instances.map((i) => i.id).join(','), revision: change.revision, resynced: change.resynced });
      }
    })();
    const picker = discovery.picker(strategy);
    while (!stop.aborted) {
      for (let attempt = 0; attempt < 2; attempt++) {
        const instance = picker.pick();
        if (instance === undefined) {
          log('no-instance', { service });
          break;
        }
        if (await call(instance)) break;
      }
      await sleep(intervalMs, stop);
    }
    await following;
  } finally {
    await client.close();
  }
}

async function call(instance: ServiceInstance): Promise<boolean> {
  try {
    const response = await fetch(`http://${instance.address}:${instance.port}/`, { signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
    const body = (await response.json()) as { id: string; served: number };
    log('called', { id: body.id, served: body.served });
    return true;
  } catch (error) {
    log('call-failed', { id: instance.id, error: (error as Error).message });
    return false;
  }
}

const demoOptions: OptionSpec = {
  instances: { type: 'string', default: '3', description: 'how many instances' },
  ttl: { type: 'string', default: '3', description: 'registration TTL in seconds' },
};

/** `demo`: several instances and a client; one instance is killed (SIGKILL) and drops out within its TTL. */
async function runDemo(argv: readonly string[]): Promise<void> {
  const { values } = parseOptions(argv, demoOptions);
  const count = intOption(values, 'instances', 2);
  const ttl = String(intOption(values, 'ttl', 1));
  const service = `demo-${process.pid}`;
  const common = ['--endpoints', String(values['endpoints']), '--service', service];
  const instances: RoleProcess[] = [];
  for (let i = 1; i <= count; i++) instances.push(startRole('service-registry', 'instance', [...common, '--id', `i${i}`, '--ttl', ttl], `i${i}`));
  await Promise.all(instances.map((instance) => instance.waitFor((line) => (parseLine(line).fields['state'] === 'registered' ? true : undefined))));
  const caller = startRole('service-registry', 'client', [...common, '--interval-ms', '300'], 'client');
  const all = Array.from({ length: count }, (_, i) => `i${i + 1}`).join(',');
  await caller.waitFor((line) => (parseLine(line).fields['ids'] === all ? true : undefined));
  await sleep(1500);
  const victim = instances[0]!;
  log('killing', { id: 'i1', note: `SIGKILL: no deregistration; it drops out when its lease expires (TTL ${ttl} s)` });
  const killedAt = performance.now();
  victim.child.kill('SIGKILL');
  const rest = Array.from({ length: count - 1 }, (_, i) => `i${i + 2}`).join(',');
  await caller.waitFor((line) => (parseLine(line).fields['ids'] === rest ? true : undefined));
  log('dropped', { id: 'i1', afterMs: Math.round(performance.now() - killedAt) });
  await sleep(1500);
  for (const child of [caller, ...instances.slice(1)]) child.child.kill('SIGTERM');
  await Promise.all([caller, ...instances].map((child) => child.exited()));
}

export const serviceRegistryRecipe: Recipe = {
  name: 'service-registry',
  summary: 'instances register themselves; a client discovers and calls them; dead ones drop out',
  roles: {
    demo: { summary: 'several instances and a client; one instance is killed', options: demoOptions, run: runDemo },
    instance: { summary: 'an HTTP server registered under the service', options: instanceOptions, run: runInstance },
    client: { summary: 'discovers the service and calls its instances in turn', options: clientOptions, run: runClient },
  },
};
