import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { isLocalMessageType, type Message, type NodeId } from '../raft/index.js';
import { CLOSE_CODES } from './errors.js';
import type { PeerTransportLimits } from './limits.js';
import { decodeFrame, encodeFrame, PEER_HEALTH_PATH, PEER_PATH, PEER_SUBPROTOCOL, type PeerFrame } from './peer-frames.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import { closeSoon, parseListenUrl, rawDataBytes } from './ws-util.js';

/** What the listener needs from the transport. */
export interface ListenerContext {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly frameBytesMax: number;
  readonly limits: PeerTransportLimits;
  readonly log: Logger;
  /** Delivers one validated inbound message. */
  onMessage(message: Message): void;
  /** The member's snapshot handler. */
  onSnapshot(message: Message, chunks: AsyncIterable<Uint8Array>): Promise<void>;
  /** Extra `GET` paths answered with JSON. */
  readonly httpRoutes?: Readonly<Record<string, () => unknown>>;
}

/** The state of one inbound connection. */
type Inbound =
  | { phase: 'hello'; timer: NodeJS.Timeout }
  | { phase: 'stream'; from: NodeId; lastHeardAtMs: number }
  | { phase: 'snapshot'; from: NodeId; receiver: SnapshotReceiver };

/**
 * The peer listener: HTTP servers on the listen URLs that answer `GET /synod/peer/health` and upgrade
 * `/synod/peer` to ws (subprotocol `synod-peer.v1`). Inbound connections only receive: a stream
 * connection delivers message batches, a snapshot connection one snapshot. The first frame must be a
 * hello for this cluster and this member; anything else closes the connection with a close code from
 * CLOSE_CODES and a reason, logged here. Invariant: every message handed to `onMessage` is addressed to
 * this member and is neither a local type nor 'snap'. `from` is Raft's business, not checked against the
 * hello: a follower forwards a leader transfer to the leader with the transferee as `from`.
 */
export class PeerListener {
  private readonly servers: Server[] = [];
  private readonly wss: WebSocketServer;
  private readonly inbound = new Map<WebSocket, Inbound>();
  /** The newest stream connection of each peer; an older one is closed when a newer one says hello. */
  private readonly streamsByPeer = new Map<NodeId, WebSocket>();
  private snapshotsInFlight = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(private readonly context: ListenerContext) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: context.frameBytesMax,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(PEER_SUBPROTOCOL) ? PEER_SUBPROTOCOL : false),
    });
  }

  /** Listens on every URL; resolves with the bound addresses in the same order. */
  async listen(urls: readonly string[]): Promise<{ host: string; port: number }[]> {
    const bound: { host: string; port: number }[] = [];
    for (const url of urls) {
      const { host, port } = parseListenUrl(url);
      const server = createServer((request, response) => this.onHttp(request, response));
      server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(request, socket, head));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
      const address = server.address() as AddressInfo;
      bound.push({ host, port: address.port });
      this.context.log.info({ url, port: address.port }, 'listening for peers');
    }
    this.sweepTimer = setInterval(() => this.sweepSilentStreams(), this.context.limits.keepaliveIntervalMs);
    return bound;
  }

  /** Closes every inbound connection and the servers; resolves when all are closed. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    const closed = [...this.wss.clients].map((socket) => {
      const done = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      closeSoon(socket, CLOSE_CODES.goingAway, 'member shutting down', this.context.limits.closeGraceMs);
      return done;
    });
    await Promise.all(closed);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await Promise.all(
      this.servers.map((server) => {
        server.closeAllConnections();
        return new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  private onHttp(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    const route = path === undefined ? undefined : this.context.httpRoutes?.[path];
    if (route !== undefined && request.method === 'GET' && !this.closing) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(route()));
      return;
    }
    const healthy = path === PEER_HEALTH_PATH && request.method === 'GET' && !this.closing;
    response.writeHead(healthy ? 200 : path === PEER_HEALTH_PATH ? 503 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(healthy ? { health: 'true', id: this.context.selfId } : { error: 'not found', paths: [PEER_HEALTH_PATH, PEER_PATH] }));
  }

  private onUpgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    const path = (request.url ?? '/').split('?')[0];
    const refusal =
      path !== PEER_PATH ? '404 Not Found' : this.closing ? '503 Service Unavailable' : this.wss.clients.size >= this.context.limits.inboundConnectionsMax ? '503 Service Unavailable' : null;
    if (refusal !== null) {
      this.context.log.warn({ path, remote: socket.remoteAddress, refusal }, 'refused peer upgrade');
      socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, socket.remoteAddress));
  }

  private onConnection(socket: WebSocket, remote: string | undefined): void {
    const log = this.context.log.child({ remote });
    socket.on('error', (error) => log.debug({ err: error }, 'inbound peer connection error'));
    if (socket.protocol !== PEER_SUBPROTOCOL) {
      return this.refuse(socket, log, CLOSE_CODES.protocolViolation, `subprotocol ${PEER_SUBPROTOCOL} required`);
    }
    const timer = setTimeout(() => this.refuse(socket, log, CLOSE_CODES.handshakeTimeout, `no hello within ${this.context.limits.handshakeTimeoutMs} ms`), this.context.limits.handshakeTimeoutMs);
    this.inbound.set(socket, { phase: 'hello', timer });
    socket.on('ping', () => this.heard(socket));
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return this.refuse(socket, log, CLOSE_CODES.protocolViolation, 'text frames are not part of the peer protocol');
      let frame: PeerFrame;
      try {
        frame = decodeFrame(rawDataBytes(data));
      } catch (error) {
        return this.refuse(socket, log, CLOSE_CODES.protocolViolation, (error as Error).message);
      }
      this.onFrame(socket, log, frame);
    });
    socket.on('close', (code) => {
      const state = this.inbound.get(socket);
      this.inbound.delete(socket);
      if (state?.phase === 'hello') clearTimeout(state.timer);
      if (state?.phase === 'snapshot') state.receiver.onClose(code);
      if (state?.phase === 'stream' && this.streamsByPeer.get(state.from) === socket) this.streamsByPeer.delete(state.from);
    });
  }

  private onFrame(socket: WebSocket, log: Logger, frame: PeerFrame): void {
    const state = this.inbound.get(socket);
    if (state === undefined) return; // refused already; frames still in flight are ignored
    if (state.phase === 'hello') return this.onHello(socket, log, state.timer, frame);
    if (state.phase === 'snapshot') return state.receiver.onFrame(frame);
    state.lastHeardAtMs = Date.now();
    if (frame.kind !== 'messages') return this.refuse(socket, log, CLOSE_CODES.protocolViolation, `unexpected ${frame.kind} frame on a stream connection`);
    // Check the whole frame before delivering any of it: a refused frame delivers nothing.
    for (const message of frame.messages) {
      if (message.to !== this.context.selfId) {
        return this.refuse(socket, log, CLOSE_CODES.wrongMember, `message addressed to member ${message.to}, this is ${this.context.selfId}`);
      }
      if (message.type === 'snap' || isLocalMessageType(message.type)) {
        return this.refuse(socket, log, CLOSE_CODES.protocolViolation, `a ${message.type} message does not travel on a stream connection`);
      }
    }
    for (const message of frame.messages) {
      try {
        this.context.onMessage(message);
      } catch (error) {
        log.error({ err: error, type: message.type }, 'onMessage threw; message dropped');
      }
    }
  }

  private onHello(socket: WebSocket, log: Logger, timer: NodeJS.Timeout, frame: PeerFrame): void {
    clearTimeout(timer);
    const { selfId, clusterId } = this.context;
    if (frame.kind !== 'hello') return this.refuse(socket, log, CLOSE_CODES.protocolViolation, `expected hello, got ${frame.kind}`);
    if (frame.clusterId !== clusterId) {
      return this.refuse(socket, log, CLOSE_CODES.clusterMismatch, `cluster id mismatch: this member is in cluster ${clusterId}, the peer in ${frame.clusterId}`);
    }
    if (frame.to !== selfId) return this.refuse(socket, log, CLOSE_CODES.wrongMember, `hello addressed to member ${frame.to}, this is ${selfId}`);
    if (frame.from === '') return this.refuse(socket, log, CLOSE_CODES.protocolViolation, 'hello without a sender id');
    const peerLog = log.child({ peer: frame.from });
    if (frame.connection === 'snapshot') {
      if (this.snapshotsInFlight >= this.context.limits.snapshotsInFlightMax) {
        return this.refuse(socket, peerLog, CLOSE_CODES.overloaded, `already receiving ${this.snapshotsInFlight} snapshots (snapshotsInFlightMax)`);
      }
      this.snapshotsInFlight += 1;
      const receiver = new SnapshotReceiver(socket, {
        selfId,
        peerId: frame.from,
        limits: this.context.limits,
        log: peerLog,
        onSnapshot: (message, chunks) => this.context.onSnapshot(message, chunks),
        onDone: () => (this.snapshotsInFlight -= 1),
      });
      this.inbound.set(socket, { phase: 'snapshot', from: frame.from, receiver });
    } else {
      const previous = this.streamsByPeer.get(frame.from);
      if (previous !== undefined) closeSoon(previous, CLOSE_CODES.goingAway, 'superseded by a newer connection', this.context.limits.closeGraceMs);
      this.streamsByPeer.set(frame.from, socket);
      this.inbound.set(socket, { phase: 'stream', from: frame.from, lastHeardAtMs: Date.now() });
      peerLog.info('inbound peer stream connected');
    }
    socket.send(encodeFrame({ kind: 'helloOk', clusterId, id: selfId }));
  }

  private heard(socket: WebSocket): void {
    const state = this.inbound.get(socket);
    if (state?.phase === 'stream') state.lastHeardAtMs = Date.now();
  }

  /** Destroys stream connections silent past keepaliveTimeoutMs (the dialer pings every keepaliveIntervalMs). */
  private sweepSilentStreams(): void {
    const now = Date.now();
    for (const [socket, state] of this.inbound) {
      if (state.phase !== 'stream' || now - state.lastHeardAtMs <= this.context.limits.keepaliveTimeoutMs) continue;
      this.context.log.warn({ peer: state.from, silentMs: now - state.lastHeardAtMs }, 'inbound peer stream silent past keepaliveTimeoutMs: destroying it');
      socket.terminate();
    }
  }

  private refuse(socket: WebSocket, log: Logger, code: number, reason: string): void {
    const state = this.inbound.get(socket);
    this.inbound.delete(socket);
    if (state?.phase === 'hello') clearTimeout(state.timer);
    if (state?.phase === 'snapshot') return state.receiver.refuse(code, reason);
    if (state?.phase === 'stream' && this.streamsByPeer.get(state.from) === socket) this.streamsByPeer.delete(state.from);
    log.warn({ code }, `refused peer connection: ${reason}`);
    closeSoon(socket, code, reason, this.context.limits.closeGraceMs);
  }
}
