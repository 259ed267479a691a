import assert from 'node:assert/strict';
import net from 'node:net';
import { Client, UnavailableError } from '../../client-sdk/index.js';

describe('SDK dialing a member that accepts TCP but never answers (e.g. a paused process)', function () {
  this.timeout(20_000);
  let server: net.Server;
  const held: net.Socket[] = [];
  let endpoint: string;

  before(async () => {
    // A SIGSTOPped member looks like this: the kernel completes the TCP handshake, nobody answers the upgrade.
    server = net.createServer((socket) => {
      held.push(socket);
      // Read (and drop) what arrives, so the client's close is seen.
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    endpoint = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails the call with UnavailableError after the dial timeout, and the abandoned socket does not crash the process', async () => {
    const client = new Client({ endpoints: [endpoint], dialTimeoutMs: 200, requestTimeoutMs: 1000 });
    const closedByClient = new Promise<void>((resolve) => server.once('connection', (socket) => socket.once('close', () => resolve())));
    await assert.rejects(client.get('k'), (error: unknown) => error instanceof UnavailableError);
    // The client has dropped the half-open connection; the error ws emits for it (on the next tick) had
    // no listener, an uncaught exception that killed the caller's process.
    await closedByClient;
    await new Promise((resolve) => setImmediate(resolve));
    await client.close();
  });
});
