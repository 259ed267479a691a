import { getWorkload, put, txnCas } from './kv-workloads.js';
import { leaseKeepAlive } from './lease-workload.js';
import { watchWorkload } from './watch-workload.js';
import type { Workload } from './workload.js';

export type { Workload, WorkloadOptions } from './workload.js';

/** Every workload `npm run bench` accepts. */
export const WORKLOADS: readonly Workload[] = [put, getWorkload(false), getWorkload(true), txnCas, watchWorkload, leaseKeepAlive];

/** The workloads named in a comma-separated list; throws on an unknown name. */
export function workloadsNamed(list: string): Workload[] {
  return list.split(',').map((name) => {
    const workload = WORKLOADS.find((w) => w.name === name.trim());
    if (workload === undefined) throw new Error(`unknown workload "${name}" (known: ${WORKLOADS.map((w) => w.name).join(', ')})`);
    return workload;
  });
}
