/** The public surface under test, re-exported for the unit tests. */
export * from '../../../server/raft/index.js';
export type { NodeOptions } from '../../harness/network.js';
