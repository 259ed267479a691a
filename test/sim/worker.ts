import { parentPort } from 'node:worker_threads';
import type { SimOptions } from './params.js';
import { runSeed } from './run.js';

/** A pool worker: runs the seeds it is sent and posts each result back (see pool.ts). */
if (parentPort === null) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
port.on('message', (options: SimOptions | null) => {
  if (options === null) {
    port.close();
    return;
  }
  port.postMessage(runSeed(options));
});
