import type { KeyValue } from '../kv-types.js';

/** Where registrations live unless the registry is given another prefix: `synod/services/<service>/<id>`. */
export const SERVICES_PREFIX_DEFAULT = 'synod/services/';
/** Longest service name or instance id, in UTF-8 bytes. */
export const NAME_BYTES_MAX = 256;
/** Largest stored registration (the JSON value), in bytes. */
export const INSTANCE_BYTES_MAX = 64 * 1024;

/** What an instance registers. `service` and `id` name its key; the rest is its JSON value. */
export interface ServiceInstanceSpec {
  readonly service: string;
  /** Unique within the service (a host name, a pod name, a random id). */
  readonly id: string;
  /** Host name or IP address clients connect to. */
  readonly address: string;
  /** TCP port, 1 to 65535. */
  readonly port: number;
  /** Free-form string attributes (version, zone, weight...). */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tags?: readonly string[];
}

/** A registered instance as discovery sees it. */
export interface ServiceInstance {
  readonly service: string;
  readonly id: string;
  readonly address: string;
  readonly port: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly string[];
  /** The key it is stored under. */
  readonly key: string;
  /** The lease that keeps it registered (it disappears when the lease ends). */
  readonly lease: bigint;
  /** Revision of its last write; a re-registration or an update changes it. */
  readonly modRevision: bigint;
}

/** Checks a service name or an instance id: not empty, no `/`, no control characters, bounded. */
export function checkName(what: 'service' | 'id', name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${what} must be a non-empty string`);
  if (name.includes('/')) throw new TypeError(`${what} must not contain "/": ${JSON.stringify(name)}`);
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new TypeError(`${what} must not contain control characters: ${JSON.stringify(name)}`);
  if (Buffer.byteLength(name) > NAME_BYTES_MAX) throw new TypeError(`${what} is longer than ${NAME_BYTES_MAX} bytes`);
  return name;
}

/** The prefix of one service's instances. */
export function servicePrefix(prefix: string, service: string): string {
  return `${prefix}${checkName('service', service)}/`;
}

/** Validates a spec and encodes its stored value (JSON); throws TypeError naming the bad field. */
export function encodeInstance(spec: ServiceInstanceSpec): string {
  checkName('service', spec.service);
  checkName('id', spec.id);
  if (typeof spec.address !== 'string' || spec.address.length === 0) throw new TypeError('address must be a non-empty string');
  if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65_535) throw new TypeError(`port must be an integer from 1 to 65535, got ${spec.port}`);
  const metadata = spec.metadata ?? {};
  for (const [name, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new TypeError(`metadata.${name} must be a string`);
  }
  const tags = spec.tags ?? [];
  if (!Array.isArray(tags) || tags.some((tag) => typeof tag !== 'string')) throw new TypeError('tags must be an array of strings');
  const value = JSON.stringify({ service: spec.service, id: spec.id, address: spec.address, port: spec.port, metadata, tags });
  if (Buffer.byteLength(value) > INSTANCE_BYTES_MAX) throw new TypeError(`the registration is larger than ${INSTANCE_BYTES_MAX} bytes`);
  return value;
}

/**
 * Decodes a stored registration; null when the value is not one (such keys are left out of discovery).
 * The key decides service and id; the value's own copies are not trusted.
 */
export function decodeInstance(prefix: string, kv: KeyValue): ServiceInstance | null {
  const key = kv.key.toString();
  if (!key.startsWith(prefix)) return null;
  const [service, id, ...rest] = key.slice(prefix.length).split('/');
  if (service === undefined || id === undefined || service === '' || id === '' || rest.length > 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(kv.value.toString());
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const fields = value as Record<string, unknown>;
  const { address, port } = fields;
  if (typeof address !== 'string' || typeof port !== 'number' || !Number.isInteger(port)) return null;
  const metadata: Record<string, string> = {};
  if (typeof fields['metadata'] === 'object' && fields['metadata'] !== null) {
    for (const [name, entry] of Object.entries(fields['metadata'] as Record<string, unknown>)) if (typeof entry === 'string') metadata[name] = entry;
  }
  const tags = Array.isArray(fields['tags']) ? fields['tags'].filter((tag): tag is string => typeof tag === 'string') : [];
  return Object.freeze({ service, id, address, port, metadata: Object.freeze(metadata), tags: Object.freeze(tags), key, lease: kv.lease, modRevision: kv.modRevision });
}
