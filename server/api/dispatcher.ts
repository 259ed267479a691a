import { Ajv, type ValidateFunction } from 'ajv';
import { methodSchemas, sharedSchemas, type Method } from './schemas.js';
import type { KvService } from './kv-service.js';
import type { ClusterService } from './cluster-service.js';
import type { LeaseService } from './lease-service.js';
import { ANSWERED, type CallContext } from './call-context.js';
import { SynodError } from '../errors.js';

/** Routes a method call to its handler after validating its params against the method's schema. */
export class Dispatcher {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    private readonly kv: KvService,
    private readonly cluster: ClusterService,
    private readonly lease: LeaseService,
    /** Told the method, result code ("ok" or the error code) and duration of every call. */
    private readonly observe?: (method: string, code: string, seconds: number) => void,
  ) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    for (const schema of sharedSchemas) ajv.addSchema(schema);
    for (const [method, schema] of Object.entries(methodSchemas)) this.validators.set(method, ajv.compile(schema));
  }

  /** Every method this server answers. */
  get methods(): string[] {
    return [...this.validators.keys()];
  }

  /**
   * Validates and runs one call; throws a SynodError for every expected failure. Resolves with the
   * result to answer, or ANSWERED when the handler already sent its answer.
   */
  async dispatch(method: string, params: unknown, context: CallContext): Promise<object | typeof ANSWERED> {
    if (this.observe === undefined) return this.validateAndRoute(method, params, context);
    // Unknown methods share one label, so a client cannot grow the metric without bound.
    const label = this.validators.has(method) ? method : 'unknown';
    const started = performance.now();
    try {
      const result = await this.validateAndRoute(method, params, context);
      this.observe(label, 'ok', (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.observe(label, error instanceof SynodError ? error.code : 'internal', (performance.now() - started) / 1000);
      throw error;
    }
  }

  private async validateAndRoute(method: string, params: unknown, context: CallContext): Promise<object | typeof ANSWERED> {
    const validate = this.validators.get(method);
    if (validate === undefined) throw new SynodError('unknown_method', `unknown method ${JSON.stringify(method)}`);
    const input = params ?? {};
    if (!validate(input)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || 'params'} ${e.message ?? 'is invalid'}`);
      throw new SynodError('invalid_argument', `invalid params for ${method}: ${[...new Set(problems)].join('; ')}`);
    }
    return this.route(method as Method, input as never, context);
  }

  private async route(method: Method, params: never, context: CallContext): Promise<object | typeof ANSWERED> {
    const signal = context.signal;
    switch (method) {
      case 'kv.range':
        return this.kv.range(params, signal);
      case 'kv.put':
        return this.kv.put(params, signal);
      case 'kv.deleterange':
        return this.kv.deleteRange(params, signal);
      case 'kv.txn':
        return this.kv.txn(params, signal);
      case 'kv.compaction':
        return this.kv.compaction(params, signal);
      case 'maintenance.status':
        return this.cluster.status();
      case 'maintenance.hashkv':
        return this.cluster.hashKv(params);
      case 'maintenance.moveleader':
        return this.cluster.moveLeader(params, signal);
      case 'cluster.member.list':
        return this.cluster.list(params, signal);
      case 'cluster.member.add':
        return this.cluster.add(params, signal);
      case 'cluster.member.remove':
        return this.cluster.remove(params, signal);
      case 'cluster.member.update':
        return this.cluster.update(params, signal);
      case 'cluster.member.promote':
        return this.cluster.promote(params, signal);
      case 'lease.grant':
        return this.lease.grant(params, signal);
      case 'lease.revoke':
        return this.lease.revoke(params, signal);
      case 'lease.keepalive':
        return this.lease.keepAlive(params, signal);
      case 'lease.timetolive':
        return this.lease.timeToLive(params, signal);
      case 'lease.leases':
        return this.lease.leases(signal);
      case 'watch.create':
        return context.session.watches().create(params, context);
      case 'watch.cancel':
        return context.session.watches().cancelById(params);
      case 'watch.progress':
        return context.session.watches().requestProgress(context);
    }
  }
}
