import type { Client } from '../client.js';
import type { CallOptions } from '../kv-requests.js';
import { Discovery } from './discovery.js';
import { SERVICES_PREFIX_DEFAULT, checkName, decodeInstance, encodeInstance, servicePrefix, type ServiceInstance, type ServiceInstanceSpec } from './instance.js';
import { Registration, type RegisterOptions } from './registration.js';

export interface ServiceRegistryOptions {
  /** Key prefix of every registration (default `synod/services/`); must end with `/`. */
  readonly prefix?: string;
}

/**
 * A service registry on Synod's key space: each instance is the key `<prefix><service>/<id>` holding
 * its JSON registration, bound to a lease, so a crashed instance drops out one TTL after its last
 * renewal. Registrations keep themselves in place; discovery is a watched, cached set.
 */
export class ServiceRegistry {
  readonly prefix: string;

  constructor(
    readonly client: Client,
    options: ServiceRegistryOptions = {},
  ) {
    const prefix = options.prefix ?? SERVICES_PREFIX_DEFAULT;
    if (!prefix.endsWith('/')) throw new TypeError(`the registry prefix must end with "/": ${JSON.stringify(prefix)}`);
    this.prefix = prefix;
  }

  /**
   * Registers an instance and resolves once it is stored (bound to a new lease of `ttlSeconds`, default
   * 10). From then on it keeps itself registered until `deregister()` (see Registration). Rejects with
   * TypeError for an invalid spec, with the server's error if it refuses the registration, and with
   * TimeoutError/CanceledError if `timeoutMs`/`signal` end the wait for the first registration.
   */
  async register(spec: ServiceInstanceSpec, options: RegisterOptions = {}): Promise<Registration> {
    const value = encodeInstance(spec);
    const ttlSeconds = options.ttlSeconds ?? 10;
    if (!(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) throw new TypeError(`ttlSeconds must be a positive number, got ${ttlSeconds}`);
    const registration = new Registration(this.client, `${servicePrefix(this.prefix, spec.service)}${spec.id}`, value, ttlSeconds);
    await registration.start(options);
    return registration;
  }

  /**
   * A live view of `service`'s instances: resolves once the current set is loaded (so `instances()` is
   * meaningful at once), then follows every change. Close it when done.
   */
  async discover(service: string, options: { signal?: AbortSignal } = {}): Promise<Discovery> {
    checkName('service', service);
    return Discovery.open(this.client, this.prefix, service, options);
  }

  /** `service`'s instances now (one linearizable read), sorted by id. */
  async list(service: string, options: CallOptions = {}): Promise<ServiceInstance[]> {
    const result = await this.client.get(servicePrefix(this.prefix, service), { prefix: true, ...options });
    return result.kvs.flatMap((kv) => decodeInstance(this.prefix, kv) ?? []).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Names of the services with at least one instance now, sorted. */
  async services(options: CallOptions = {}): Promise<string[]> {
    const result = await this.client.get(this.prefix, { prefix: true, keysOnly: true, ...options });
    const names = new Set(result.kvs.map((kv) => kv.key.toString().slice(this.prefix.length).split('/')[0] ?? '').filter((name) => name !== ''));
    return [...names].sort();
  }
}
