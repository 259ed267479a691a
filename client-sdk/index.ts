/**
 * Synod's TypeScript client. Start with `new Client({ endpoints })`; every call returns a promise and
 * takes `{ signal, timeoutMs }`; failures are SynodError subclasses with a stable `code`.
 */
export { Client, endpointUrl, type ClientOptions, type StatusResult } from './client.js';
export { compare, op, TxnBuilder, type Compare, type CompareOperator, type Op } from './txn.js';
export type { CallOptions, DeleteOptions, GetOptions, PutOptions, RangeSelector, SortOrder, SortTarget } from './kv-requests.js';
export type { DeleteResult, GetResult, KeyValue, PutResult, ResponseHeader, TxnOpResult, TxnResult } from './kv-types.js';
export type { BytesInput } from './codec.js';
export { Watch, type WatchEvent, type WatchOptions } from './watch.js';
export { Lease, Leases, LeaseLostError, type GrantOptions, type LeaseKeepAlive, type LeaseTimeToLive } from './lease.js';
export { Cluster, type Member, type MemberListResult, type MemberAddResult, type HashKvResult } from './cluster.js';
export {
  SynodError,
  CompactedError,
  TimeoutError,
  ConnectionLostError,
  UnavailableError,
  CanceledError,
  errorCatalog,
  type ErrorCode,
} from './errors.js';
export {
  Session,
  Mutex,
  LockGuard,
  LockLostError,
  Semaphore,
  SEMAPHORE_PERMITS_MAX,
  ReadWriteLock,
  Election,
  Leadership,
  NotLeaderError,
  electionLeader,
  observeElection,
  type SessionOptions,
  type LockOptions,
  type SemaphoreOptions,
  type LeaderInfo,
} from './concurrency/index.js';
export {
  ServiceRegistry,
  Registration,
  Discovery,
  RoundRobinPicker,
  RandomPicker,
  SERVICES_PREFIX_DEFAULT,
  INSTANCE_BYTES_MAX,
  NAME_BYTES_MAX,
  type ServiceRegistryOptions,
  type RegisterOptions,
  type RegistrationState,
  type RegistrationStatus,
  type DiscoveryChange,
  type Picker,
  type InstanceSource,
  type ServiceInstance,
  type ServiceInstanceSpec,
} from './registry/index.js';
