import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Client } from '../../client-sdk/index.js';
import { ServerProcess } from './helpers/server-process.js';
import { b64 } from './helpers/raw-client.js';
import { memoryOf, mib, resetPeak } from './helpers/process-memory.js';

const VALUE_BYTES = 256 * 1024;
const REQUESTS = 2000;
/** The client sends this many requests per timer turn: a steady stream that a loaded member reads in bursts. */
const REQUESTS_PER_TURN = 10;
const MiB = 1024 * 1024;

describe('client connection: a client that sends requests but does not read the answers (real server process)', function () {
  this.timeout(120_000);
  let server: ServerProcess;
  let client: Client;
  let socket: WebSocket | undefined;

  before(async () => {
    server = await ServerProcess.start();
    client = new Client({ endpoints: [server.endpoint] });
  });
  after(async () => {
    socket?.terminate();
    await client?.close();
    await server?.cleanup();
  });

  it('is no longer read once its answers back up, so the member does not hold them all, keeps serving others, and answers every request once the client reads again', async function () {
    if (process.platform !== 'linux') this.skip();
    const pid = server.child.pid!;
    await client.put('big', 'x'.repeat(VALUE_BYTES));
    socket = new WebSocket(`ws://${server.endpoint}`, ['synod.v1']);
    await new Promise<void>((resolve, reject) => {
      socket!.once('open', () => resolve());
      socket!.once('error', reject);
    });
    let answers = 0;
    const answeredIds = new Set<number>();
    let allAnswered: () => void = () => undefined;
    const answered = new Promise<void>((resolve) => (allAnswered = resolve));
    socket.on('message', (data) => {
      const { id, result } = JSON.parse(String(data)) as { id: number; result?: unknown };
      assert.ok(result !== undefined, `request ${id} failed: ${String(data).slice(0, 200)}`);
      answeredIds.add(id);
      if (++answers === REQUESTS) allAnswered();
    });
    socket.pause();
    const before = (await memoryOf(pid)).rssBytes;
    await resetPeak(pid);
    const request = JSON.stringify({ method: 'kv.range', params: { key: b64('big'), serializable: true } });
    for (let id = 1; id <= REQUESTS; id++) {
      socket.send(`{"id":${id},${request.slice(1)}`);
      if (id % REQUESTS_PER_TURN === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The member answers as fast as it can; once it stops reading this client (or has answered every
    // request), its memory stops growing. No event says so: watch its peak until flat for a second.
    let peak = before;
    for (let flatSinceMs = Date.now(); Date.now() - flatSinceMs < 1000; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const { peakBytes } = await memoryOf(pid);
      if (peakBytes > peak + MiB) flatSinceMs = Date.now();
      peak = Math.max(peak, peakBytes);
    }
    const dueBytes = REQUESTS * VALUE_BYTES * (4 / 3);
    const health = await client.get('big', { keysOnly: true, timeoutMs: 2000 });
    assert.equal(health.count, 1n, 'the member serves other clients meanwhile');
    socket.resume();
    await answered;
    console.log(`      member RSS grew by ${mib(peak - before)} while ${mib(dueBytes)} of answers were due to a client that did not read; it got all ${answers} once it did`);
    assert.equal(answeredIds.size, REQUESTS, 'every request is answered exactly once');
    // 45 to 60 MiB observed, with or without both cores busy (16 MiB of answers, the kernel's share,
    // and the garbage of making them). Holding every answer took 580 MiB; answering every request
    // already read when the socket stopped being read took 100 to 300 MiB, the more the busier the machine.
    assert.ok(peak - before < dueBytes / 5, `the member grew by ${mib(peak - before)} holding answers`);
  });
});
