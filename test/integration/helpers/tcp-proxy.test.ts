import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { resetSocket, TcpProxy } from './tcp-proxy.js';

/**
 * How long a test watches for something that must NOT happen (bytes crossing a blackhole). An absence
 * cannot be awaited as an event; a broken proxy would forward within a few milliseconds on loopback.
 */
const QUIET_WINDOW_MS = 150;

/** An echo server that records what it received per connection. */
class EchoServer {
  readonly received: Buffer[] = [];
  readonly sockets = new Set<net.Socket>();
  readonly ends: net.Socket[] = [];
  /** When false, a half-closed connection stays half-open (the server never ends its side). */
  endOnEnd = true;
  private constructor(
    readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(): Promise<EchoServer> {
    const server = net.createServer({ allowHalfOpen: true });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const echo = new EchoServer(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => {
      echo.sockets.add(socket);
      socket.on('data', (chunk: Buffer) => {
        echo.received.push(chunk);
        socket.write(chunk);
      });
      socket.on('end', () => {
        echo.ends.push(socket);
        if (echo.endOnEnd) socket.end();
      });
      socket.on('error', () => {});
      socket.on('close', () => echo.sockets.delete(socket));
    });
    return echo;
  }

  receivedText(): string {
    return Buffer.concat(this.received).toString();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A client of the proxy that collects what it reads and how it ended. */
class Client {
  private readonly chunks: Buffer[] = [];
  private readonly waiters: (() => void)[] = [];
  readonly closed: Promise<{ error: NodeJS.ErrnoException | undefined }>;

  private constructor(readonly socket: net.Socket) {
    let error: NodeJS.ErrnoException | undefined;
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      for (const wake of this.waiters.splice(0)) wake();
    });
    socket.on('error', (cause) => (error = cause));
    this.closed = new Promise((resolve) => socket.on('close', () => resolve({ error })));
  }

  static async connect(port: number): Promise<Client> {
    const client = Client.open(port);
    await once(client.socket, 'connect');
    return client;
  }

  /** Starts connecting without waiting (the connection may be reset before it completes). */
  static open(port: number): Client {
    return new Client(net.connect({ port, host: '127.0.0.1' }));
  }

  text(): string {
    return Buffer.concat(this.chunks).toString();
  }

  /** Resolves once `expected` has been read in full (fails after 5 s with what was read). */
  async read(expected: string): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (this.text() !== expected) {
      assert.ok(this.text().length < expected.length && expected.startsWith(this.text()), `read ${JSON.stringify(this.text())}, expected ${JSON.stringify(expected)}`);
      const left = deadline - Date.now();
      assert.ok(left > 0, `timed out reading ${JSON.stringify(expected)}; got ${JSON.stringify(this.text())}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

const quietWindow = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));

describe('test helper: TcpProxy', () => {
  let echo: EchoServer;
  let proxy: TcpProxy;
  const clients: Client[] = [];

  beforeEach(async () => {
    echo = await EchoServer.start();
    proxy = await TcpProxy.start(echo.port);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await proxy.close();
    await echo.close();
  });

  const connect = async (): Promise<Client> => {
    const client = await Client.connect(proxy.port);
    clients.push(client);
    return client;
  };

  it('forwards both directions on a free port and counts the bytes', async () => {
    assert.notEqual(proxy.port, echo.port);
    assert.equal(proxy.url, `http://127.0.0.1:${proxy.port}`);
    const client = await connect();
    client.socket.write('hello');
    await client.read('hello');
    client.socket.write(' world');
    await client.read('hello world');
    assert.deepEqual(proxy.bytesForwarded, { toTarget: 11, toClient: 11 });
    assert.equal(proxy.openConnections, 1);
  });

  it('passes a half-close on to the target', async () => {
    const client = await connect();
    client.socket.end('bye');
    await client.read('bye');
    assert.deepEqual(await client.closed, { error: undefined });
    assert.equal(echo.ends.length, 1);
  });

  it('blackhole holds every byte in both directions without closing anything; heal delivers them in order', async () => {
    const client = await connect();
    client.socket.write('a');
    await client.read('a');
    proxy.blackhole();
    client.socket.write('b');
    client.socket.write('c');
    const late = await connect();
    late.socket.write('new');
    await quietWindow();
    assert.equal(client.text(), 'a');
    assert.equal(echo.receivedText(), 'a');
    assert.deepEqual(proxy.bytesForwarded, { toTarget: 1, toClient: 1 });
    assert.equal(client.socket.destroyed, false);
    assert.equal(late.socket.destroyed, false);
    proxy.heal();
    await client.read('abc');
    await late.read('new');
  });

  it('refuse resets open connections and new ones until accept', async () => {
    const client = await connect();
    client.socket.write('x');
    await client.read('x');
    proxy.refuse();
    assert.equal((await client.closed).error?.code, 'ECONNRESET');
    const refused = Client.open(proxy.port);
    clients.push(refused);
    assert.equal((await refused.closed).error?.code, 'ECONNRESET');
    proxy.accept();
    const accepted = await connect();
    accepted.socket.write('back');
    await accepted.read('back');
  });

  it('resets a socket whose write side is still shutting down by destroying it (it closes)', async () => {
    // Regression: resetAndDestroy() right after end() fails with EINVAL in libuv, and Node 20 then
    // drops the handle without closing it: the socket never closes and the event loop spins.
    const client = await connect();
    client.socket.end('x');
    resetSocket(client.socket);
    await client.closed;
  });

  it('heal also ends a refusal', async () => {
    proxy.refuse();
    proxy.heal();
    const client = await connect();
    client.socket.write('ok');
    await client.read('ok');
  });

  it('delays one direction only, keeping the order of chunks', async () => {
    const client = await connect();
    proxy.delay(200, 'toTarget');
    const startedAt = Date.now();
    client.socket.write('1');
    client.socket.write('2');
    client.socket.write('3');
    await client.read('123');
    const tookMs = Date.now() - startedAt;
    assert.ok(tookMs >= 195, `round trip took ${tookMs} ms with a 200 ms delay`);
    proxy.delay(0, 'toTarget');
    proxy.delay(200, 'toClient');
    const again = Date.now();
    client.socket.write('4');
    await client.read('1234');
    assert.ok(Date.now() - again >= 195);
    assert.equal(echo.receivedText(), '1234');
    proxy.heal();
    const healedAt = Date.now();
    client.socket.write('5');
    await client.read('12345');
    assert.ok(Date.now() - healedAt < 150, 'heal() clears the delays');
  });

  it('refuses a negative delay', () => {
    assert.throws(() => proxy.delay(-1), RangeError);
  });

  it('resets the client when the target is down', async () => {
    await echo.close();
    const client = Client.open(proxy.port);
    clients.push(client);
    assert.equal((await client.closed).error?.code, 'ECONNRESET');
  });

  it('close destroys every connection and stops listening', async () => {
    const client = await connect();
    client.socket.write('x');
    await client.read('x');
    await proxy.close();
    await client.closed;
    const socket = net.connect({ port: proxy.port, host: '127.0.0.1' });
    const [error] = (await once(socket, 'error')) as [NodeJS.ErrnoException];
    assert.equal(error.code, 'ECONNREFUSED');
    proxy = await TcpProxy.start(echo.port); // afterEach closes a fresh one
  });
});
