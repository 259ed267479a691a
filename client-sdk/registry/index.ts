export { ServiceRegistry, type ServiceRegistryOptions } from './registry.js';
export { Registration, type RegisterOptions, type RegistrationState, type RegistrationStatus } from './registration.js';
export { Discovery, type DiscoveryChange } from './discovery.js';
export { RoundRobinPicker, RandomPicker, type Picker, type InstanceSource } from './pickers.js';
export { SERVICES_PREFIX_DEFAULT, INSTANCE_BYTES_MAX, NAME_BYTES_MAX, type ServiceInstance, type ServiceInstanceSpec } from './instance.js';
