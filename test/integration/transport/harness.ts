import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import WebSocket, { WebSocketServer } from 'ws';
import { makeMessage, type Message, type NodeId } from '../../../server/raft/index.js';
import type { PeerTransportLimits } from '../../../server/transport/limits.js';
import { decodeFrame, encodeFrame, PEER_SUBPROTOCOL, type PeerFrame } from '../../../server/transport/peer-frames.js';
import { createPeerTransport } from '../../../server/transport/peer-transport.js';
import type { PeerTransport, TransportOptions } from '../../../server/transport/types.js';

/** Short timeouts so failure paths run in milliseconds. */
export const FAST_LIMITS: Partial<PeerTransportLimits> = Object.freeze({
  dialTimeoutMs: 1_000,
  handshakeTimeoutMs: 1_000,
  keepaliveIntervalMs: 50,
  keepaliveTimeoutMs: 300,
  redialBackoffMsMin: 10,
  redialBackoffMsMax: 100,
  closeGraceMs: 200,
  snapshotStallTimeoutMs: 3_000,
});

/** The longest a test waits for an event before failing with what it saw instead. */
export const EVENT_TIMEOUT_MS = 5_000;

/** Items arriving over time; `next` awaits the first unclaimed one that matches, with a bound. */
export class Inbox<T> {
  /** Everything ever pushed, claimed or not. */
  readonly all: T[] = [];
  private readonly unclaimed: T[] = [];
  private readonly waiters: { match: (item: T) => boolean; resolve: (item: T) => void }[] = [];

  push(item: T): void {
    this.all.push(item);
    const i = this.waiters.findIndex((waiter) => waiter.match(item));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(item);
    else this.unclaimed.push(item);
  }

  /** Resolves with the next matching item; fails after `timeoutMs` naming `what` and what was seen. */
  next(what: string, match: (item: T) => boolean = () => true, timeoutMs = EVENT_TIMEOUT_MS): Promise<T> {
    const i = this.unclaimed.findIndex(match);
    if (i >= 0) return Promise.resolve(this.unclaimed.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen ${this.all.length} items: ${describe(this.all.slice(-5))}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Items pushed and not claimed by `next`. */
  get pending(): readonly T[] {
    return this.unclaimed;
  }
}

function describe(items: unknown[]): string {
  return JSON.stringify(items, (_, value: unknown) => (value instanceof Uint8Array ? `<${value.byteLength} bytes>` : value)).slice(0, 500);
}

/** A pino logger that keeps every line as an object. */
export class LogCapture {
  readonly lines = new Inbox<Record<string, unknown>>();
  readonly logger: Logger = pino({ level: 'debug' }, { write: (line: string) => this.lines.push(JSON.parse(line) as Record<string, unknown>) });

  /** Resolves with the next line whose msg matches `pattern`. */
  next(pattern: RegExp, timeoutMs?: number): Promise<Record<string, unknown>> {
    return this.lines.next(`a log line matching ${pattern}`, (line) => pattern.test(String(line['msg'])), timeoutMs);
  }
}

/** What a member's default onSnapshot saw. */
export interface SnapshotReceipt {
  readonly message: Message;
  readonly bytes: Buffer | null;
  readonly error: unknown;
}

export interface TestMemberOptions {
  readonly clusterId?: string;
  readonly port?: number;
  readonly limits?: Partial<PeerTransportLimits>;
  readonly dialOverrides?: Record<string, string>;
  readonly frameBytesMax?: number;
  readonly queuedMessagesPerPeerMax?: number;
  /** Replaces the default handler (read everything, record a receipt). */
  readonly onSnapshot?: (message: Message, chunks: AsyncIterable<Uint8Array>) => Promise<void>;
}

/** A transport on 127.0.0.1 with inboxes for everything its handlers receive. */
export class TestMember {
  readonly messages = new Inbox<Message>();
  readonly unreachable = new Inbox<NodeId>();
  readonly snapshots = new Inbox<SnapshotReceipt>();
  readonly logs = new LogCapture();
  readonly transport: PeerTransport;
  url = '';

  constructor(
    readonly id: NodeId,
    readonly options: TestMemberOptions = {},
  ) {
    const transportOptions: TransportOptions = {
      id,
      clusterId: options.clusterId ?? '1001',
      listenUrls: [`http://127.0.0.1:${options.port ?? 0}`],
      frameBytesMax: options.frameBytesMax ?? 4 * 1024 * 1024,
      queuedMessagesPerPeerMax: options.queuedMessagesPerPeerMax ?? 1024,
      ...(options.dialOverrides === undefined ? {} : { dialOverrides: options.dialOverrides }),
    };
    this.transport = createPeerTransport(
      transportOptions,
      {
        onMessage: (message) => this.messages.push(message),
        onUnreachable: (peer) => this.unreachable.push(peer),
        onSnapshot: options.onSnapshot ?? ((message, chunks) => this.storeSnapshot(message, chunks)),
      },
      this.logs.logger,
      { ...FAST_LIMITS, ...options.limits },
    );
  }

  /** Creates and starts a member. */
  static async start(id: NodeId, options: TestMemberOptions = {}): Promise<TestMember> {
    return new TestMember(id, options).start();
  }

  /** Starts the transport and records its URL. */
  async start(): Promise<this> {
    const [bound] = await this.transport.start();
    this.url = `http://127.0.0.1:${bound!.port}`;
    return this;
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Makes every member in `members` a peer of every other. */
  static connectAll(...members: TestMember[]): void {
    for (const member of members) for (const peer of members) if (peer !== member) member.transport.setPeer(peer.id, [peer.url]);
  }

  private async storeSnapshot(message: Message, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    const parts: Uint8Array[] = [];
    try {
      for await (const chunk of chunks) parts.push(Buffer.from(chunk));
    } catch (error) {
      this.snapshots.push({ message, bytes: null, error });
      throw error;
    }
    this.snapshots.push({ message, bytes: Buffer.concat(parts), error: null });
  }
}

/** A heartbeat from `from` to `to`, numbered by `commit` so tests can tell messages apart. */
export function heartbeat(from: NodeId, to: NodeId, commit: number): Message {
  return makeMessage({ type: 'heartbeat', from, to, term: 2, commit });
}

/** An append with one entry of `dataBytes` bytes. */
export function append(from: NodeId, to: NodeId, index: number, dataBytes: number): Message {
  const data = new Uint8Array(dataBytes).map((_, i) => (i * 31 + index) & 0xff);
  return makeMessage({ type: 'app', from, to, term: 2, logTerm: 2, index, commit: index, entries: [{ term: 2, index: index + 1, type: 'normal', data }] });
}

/** A bare peer-protocol client: sends frames and records what comes back. */
export class RawPeer {
  readonly frames = new Inbox<PeerFrame>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.frames.push(decodeFrame(data)));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a ws connection to a member's peer URL (`protocols` defaults to the peer subprotocol). */
  static async connect(url: string, protocols: string[] = [PEER_SUBPROTOCOL]): Promise<RawPeer> {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/synod/peer`, protocols);
    const peer = new RawPeer(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return peer;
  }

  send(frame: PeerFrame | Buffer): void {
    this.socket.send(Buffer.isBuffer(frame) ? frame : encodeFrame(frame));
  }

  /** Sends a hello and returns the answer (fails if the connection closes first). */
  async hello(fields: { connection?: 'stream' | 'snapshot'; clusterId?: string; from?: NodeId; to: NodeId }): Promise<PeerFrame> {
    this.send({ kind: 'hello', connection: fields.connection ?? 'stream', clusterId: fields.clusterId ?? '1001', from: fields.from ?? 'raw', to: fields.to });
    return this.frames.next('hello-ok');
  }
}

/** A ws server speaking just enough of the peer protocol to record the frames a transport sends it. */
export class FakePeer {
  readonly frames = new Inbox<PeerFrame>();
  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(id: NodeId, clusterId = '1001'): Promise<FakePeer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/synod/peer', handleProtocols: () => PEER_SUBPROTOCOL });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const fake = new FakePeer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => {
      socket.on('message', (data: Buffer) => {
        const frame = decodeFrame(data);
        fake.frames.push(frame);
        if (frame.kind === 'hello') socket.send(encodeFrame({ kind: 'helloOk', clusterId, id }));
      });
    });
    return fake;
  }

  async close(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Asserts two byte sequences are equal without printing megabytes on failure. */
export function assertSameBytes(actual: Uint8Array | null, expected: Uint8Array, what: string): void {
  assert.ok(actual !== null, `${what}: no bytes`);
  assert.equal(actual.byteLength, expected.byteLength, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)), `${what}: content differs`);
}
