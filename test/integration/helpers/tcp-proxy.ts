import net from 'node:net';

/** A direction of traffic through the proxy: from the dialing client to the target, or back. */
export type ProxyDirection = 'toTarget' | 'toClient';

/** Bytes the proxy delivered in each direction (counted when written to the far side). */
export interface ProxyByteCounts {
  toTarget: number;
  toClient: number;
}

/**
 * Closes a socket with a TCP RST when it can. A socket whose write side is already shut down cannot be
 * reset (libuv refuses, and Node 20 then never closes the handle, which spins the event loop): those
 * are destroyed plainly.
 */
export function resetSocket(socket: net.Socket): void {
  if (socket.destroyed) return;
  if (socket.writableEnded || socket.connecting) socket.destroy();
  else socket.resetAndDestroy();
}

/** One direction of one proxied connection: reads `from`, writes `to`, after the configured delay. */
class Pipe {
  private readonly queue: { chunk: Buffer; dueAtMs: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private ended = false;

  constructor(
    private readonly proxy: TcpProxy,
    readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly direction: ProxyDirection,
  ) {
    from.on('data', (chunk: Buffer) => {
      const delayMs = proxy.delayMsOf(direction);
      const lastDueAtMs = this.queue.at(-1)?.dueAtMs ?? 0;
      this.queue.push({ chunk, dueAtMs: Math.max(Date.now() + delayMs, lastDueAtMs) });
      this.pump();
    });
    from.on('end', () => {
      this.ended = true;
      this.pump();
    });
  }

  /** Writes every chunk that is due (nothing while blackholed), then ends `to` if `from` ended. */
  pump(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.proxy.isBlackholed || this.to.destroyed) return;
    const now = Date.now();
    while (this.queue.length > 0 && this.queue[0]!.dueAtMs <= now) {
      const { chunk } = this.queue.shift()!;
      this.proxy.count(this.direction, chunk.byteLength);
      // Backpressure: stop reading until the far side drains.
      if (!this.to.write(chunk) && !this.from.isPaused()) {
        this.from.pause();
        this.to.once('drain', () => {
          if (!this.proxy.isBlackholed) this.from.resume();
        });
      }
    }
    const head = this.queue[0];
    if (head !== undefined) this.timer = setTimeout(() => this.pump(), head.dueAtMs - now);
    else if (this.ended) this.to.end();
  }

  /** Stops any pending timer (the connection is going away). */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
  }
}

/** A client connection and its connection to the target. */
interface Connection {
  readonly client: net.Socket;
  upstream: net.Socket | null;
  pipes: Pipe[];
}

/**
 * A TCP proxy on 127.0.0.1 for fault tests: it listens on a free port and forwards every connection to
 * `targetPort`. Put one on each directed member-to-member link (via the transport's `dialOverrides`) and
 * break that link alone:
 *
 * - `blackhole()`: nothing is delivered in either direction and nothing is closed: the sockets stay open
 *   and the bytes are held (like a partition during which TCP keeps retransmitting). New connections
 *   are accepted but not forwarded. The peers only notice through their own timeouts.
 * - `refuse()`: every open connection is reset (RST) and new ones are reset as soon as they arrive, until
 *   `accept()` (or `heal()`).
 * - `delay(ms, direction)`: each chunk is delivered `ms` after it was read, order preserved.
 * - `heal()`: back to normal: held bytes and connections flow again, delays are cleared, new connections
 *   are accepted.
 * - `close()`: stops listening and destroys every connection.
 *
 * `bytesForwarded` counts the bytes delivered in each direction.
 */
export class TcpProxy {
  private readonly connections = new Set<Connection>();
  private readonly counts: ProxyByteCounts = { toTarget: 0, toClient: 0 };
  private readonly delaysMs: Record<ProxyDirection, number> = { toTarget: 0, toClient: 0 };
  private blackholed = false;
  private refusing = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    readonly targetPort: number,
    private readonly targetHost: string,
  ) {
    server.on('connection', (client) => this.onConnection(client));
  }

  /** Starts a proxy on 127.0.0.1 (a free port) that forwards to `targetHost:targetPort`. */
  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as net.AddressInfo;
    return new TcpProxy(server, port, targetPort, targetHost);
  }

  /** The proxy as an http URL, for `dialOverrides`. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Bytes delivered so far in each direction (a snapshot of the counters). */
  get bytesForwarded(): Readonly<ProxyByteCounts> {
    return { ...this.counts };
  }

  /** Client connections currently open through the proxy. */
  get openConnections(): number {
    return this.connections.size;
  }

  /** True while blackholed. */
  get isBlackholed(): boolean {
    return this.blackholed;
  }

  /** Holds every byte in both directions; sockets stay open. */
  blackhole(): void {
    this.blackholed = true;
    for (const connection of this.connections) {
      connection.client.pause();
      connection.upstream?.pause();
    }
  }

  /** Resets every open connection and resets new ones on arrival, until accept() or heal(). */
  refuse(): void {
    this.refusing = true;
    for (const connection of [...this.connections]) this.reset(connection);
  }

  /** Accepts new connections again after refuse(). */
  accept(): void {
    this.refusing = false;
  }

  /** Delays delivery by `ms` in one direction or both (0 removes the delay). */
  delay(ms: number, direction: ProxyDirection | 'both' = 'both'): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`delay must be a non-negative number of ms, got ${ms}`);
    if (direction !== 'toClient') this.delaysMs.toTarget = ms;
    if (direction !== 'toTarget') this.delaysMs.toClient = ms;
  }

  /** Ends every fault: no blackhole, no refusal, no delay. Held bytes and connections flow again. */
  heal(): void {
    this.refusing = false;
    this.delaysMs.toTarget = 0;
    this.delaysMs.toClient = 0;
    if (!this.blackholed) return;
    this.blackholed = false;
    for (const connection of [...this.connections]) {
      // A side that went away during the blackhole takes the other with it now.
      if (connection.client.destroyed || connection.upstream?.destroyed === true) this.reset(connection);
      else if (connection.upstream === null) this.connectUpstream(connection);
      else {
        connection.client.resume();
        connection.upstream.resume();
        for (const pipe of connection.pipes) pipe.pump();
      }
    }
  }

  /** Stops listening and destroys every connection; resolves when the listener is closed. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of [...this.connections]) this.destroy(connection);
    await closed;
  }

  /** @internal The delay currently applied to `direction`. */
  delayMsOf(direction: ProxyDirection): number {
    return this.delaysMs[direction];
  }

  /** @internal Counts delivered bytes. */
  count(direction: ProxyDirection, bytes: number): void {
    this.counts[direction] += bytes;
  }

  private onConnection(client: net.Socket): void {
    const connection: Connection = { client, upstream: null, pipes: [] };
    this.connections.add(connection);
    client.on('error', () => this.abort(connection));
    client.on('close', () => this.onSideClosed(connection));
    if (this.refusing) return this.reset(connection);
    if (!this.blackholed) this.connectUpstream(connection);
  }

  private connectUpstream(connection: Connection): void {
    const upstream = net.connect({ port: this.targetPort, host: this.targetHost, allowHalfOpen: true });
    upstream.pause();
    connection.upstream = upstream;
    upstream.on('error', () => this.abort(connection));
    upstream.on('close', () => this.onSideClosed(connection));
    upstream.once('connect', () => {
      connection.pipes = [new Pipe(this, connection.client, upstream, 'toTarget'), new Pipe(this, upstream, connection.client, 'toClient')];
      if (this.blackholed) return;
      connection.client.resume();
      upstream.resume();
    });
  }

  /**
   * A side failed (reset, refused, write after end): the other side is reset too, as a router would
   * pass the RST on; while blackholed the RST is held like everything else (see heal()).
   */
  private abort(connection: Connection): void {
    if (!this.blackholed) this.reset(connection);
  }

  /** A side closed. A graceful end travels through its Pipe; once both sides are closed we forget them. */
  private onSideClosed(connection: Connection): void {
    const { client, upstream } = connection;
    if (client.destroyed && (upstream === null || upstream.destroyed)) this.destroy(connection);
  }

  private reset(connection: Connection): void {
    for (const pipe of connection.pipes) pipe.stop();
    resetSocket(connection.client);
    if (connection.upstream !== null) resetSocket(connection.upstream);
    this.connections.delete(connection);
  }

  private destroy(connection: Connection): void {
    for (const pipe of connection.pipes) pipe.stop();
    connection.client.destroy();
    connection.upstream?.destroy();
    this.connections.delete(connection);
  }
}
