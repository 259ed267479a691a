import type WebSocket from 'ws';
import type { Logger } from 'pino';
import type { Message, NodeId } from '../raft/index.js';
import { Backoff } from './backoff.js';
import { dialPeer, DialFailure } from './dial.js';
import { CLOSE_CODES } from './errors.js';
import type { PeerTransportLimits } from './limits.js';
import { packMessageFrames } from './peer-frames.js';
import { closeSoon } from './ws-util.js';

/** What a link needs from the transport. */
export interface LinkContext {
  readonly selfId: NodeId;
  readonly clusterId: string;
  readonly frameBytesMax: number;
  readonly queuedMessagesMax: number;
  readonly limits: PeerTransportLimits;
  readonly log: Logger;
  /** The URL to dial for an advertised peer URL (the dial override, or the URL itself). */
  dialUrl(advertisedUrl: string): string;
  /** Reports the peer unreachable (the transport defers the handler call). */
  reportUnreachable(id: NodeId): void;
  /** Randomness for the backoff jitter. */
  readonly random: () => number;
}

/**
 * - idle: no connection, none wanted until something is sent;
 * - connecting: dialing; messages queue (bounded, oldest dropped);
 * - open: handshake done; messages are written at once;
 * - backoff: the last attempt failed; messages are dropped (and reported) until the redial delay passes;
 * - closed: the peer was removed or the transport closed.
 */
type LinkState = 'idle' | 'connecting' | 'open' | 'backoff' | 'closed';

/** Refusals worth a warning every time (a configuration problem, not a peer being down). */
const REFUSAL_CODES: ReadonlySet<number | undefined> = new Set([
  CLOSE_CODES.clusterMismatch,
  CLOSE_CODES.wrongMember,
  CLOSE_CODES.protocolViolation,
  CLOSE_CODES.overloaded,
]);

/**
 * The outbound stream connection to one peer: dialed lazily on the first send, redialed after a failure
 * with capped exponential backoff and jitter, kept alive with pings. Only this side writes messages; the
 * peer only answers hello and pings. Invariants: at most one socket per link; at most
 * `queuedMessagesMax` messages queued; `onUnreachable` at most once per failed attempt.
 */
export class PeerLink {
  private state: LinkState = 'idle';
  private queue: Message[] = [];
  private socket: WebSocket | null = null;
  private dialAbort: AbortController | null = null;
  private redialTimer: NodeJS.Timeout | null = null;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private lastHeardAtMs = 0;
  private urlIndex = 0;
  private unreachableReported = false;
  private failuresInARow = 0;
  private readonly backoff: Backoff;
  private readonly log: Logger;

  constructor(
    readonly peerId: NodeId,
    readonly urls: readonly string[],
    private readonly context: LinkContext,
  ) {
    this.backoff = new Backoff(context.limits.redialBackoffMsMin, context.limits.redialBackoffMsMax, context.random);
    this.log = context.log.child({ peer: peerId });
  }

  /** The advertised URL to use for a new connection to this peer (the one that last worked). */
  get currentUrl(): string {
    return this.urls[this.urlIndex % this.urls.length]!;
  }

  /** Queues or writes messages to this peer, or drops them while it is unreachable. Never throws. */
  send(messages: Message[]): void {
    switch (this.state) {
      case 'closed':
        return;
      case 'backoff':
        return this.drop(messages, 'the peer is unreachable (waiting to redial)');
      case 'open':
        return this.write(messages);
      case 'idle':
        this.enqueue(messages);
        void this.dial();
        return;
      case 'connecting':
        return this.enqueue(messages);
    }
  }

  /** Closes the connection and stops redialing; resolves once the socket is closed. */
  async close(reason: string): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue = [];
    this.clearTimers();
    this.dialAbort?.abort();
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.readyState === socket.CLOSED) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    closeSoon(socket, CLOSE_CODES.goingAway, reason, this.context.limits.closeGraceMs);
    await closed;
  }

  private enqueue(messages: Message[]): void {
    this.queue.push(...messages);
    const excess = this.queue.length - this.context.queuedMessagesMax;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.log.debug({ dropped: excess }, 'peer queue full while connecting: dropped the oldest messages');
    }
  }

  private write(messages: Message[]): void {
    const socket = this.socket!;
    if (socket.bufferedAmount > this.context.limits.sendBufferBytesMax) {
      return this.drop(messages, `the peer is too slow (${socket.bufferedAmount} bytes unsent)`);
    }
    let packed;
    try {
      packed = packMessageFrames(messages, this.context.frameBytesMax);
    } catch (error) {
      this.log.error({ err: error }, 'cannot encode messages for peer: dropped');
      return;
    }
    if (packed.oversized.length > 0) {
      this.log.error({ count: packed.oversized.length, frameBytesMax: this.context.frameBytesMax }, 'message larger than frameBytesMax: dropped');
    }
    for (const frame of packed.frames) socket.send(frame);
    // The messages reached the socket: a later failure is a new one and will be reported again.
    this.unreachableReported = false;
  }

  private drop(messages: Message[], why: string): void {
    this.log.debug({ count: messages.length }, `dropped messages: ${why}`);
    if (this.unreachableReported) return;
    this.unreachableReported = true;
    this.context.reportUnreachable(this.peerId);
  }

  private async dial(): Promise<void> {
    this.state = 'connecting';
    this.unreachableReported = false;
    const target = this.context.dialUrl(this.currentUrl);
    const abort = new AbortController();
    this.dialAbort = abort;
    const { selfId, clusterId, frameBytesMax, limits } = this.context;
    let socket: WebSocket;
    try {
      socket = await dialPeer({
        url: target,
        connection: 'stream',
        clusterId,
        from: selfId,
        to: this.peerId,
        frameBytesMax,
        dialTimeoutMs: limits.dialTimeoutMs,
        closeGraceMs: limits.closeGraceMs,
        signal: abort.signal,
      });
    } catch (error) {
      if (this.state !== 'connecting') return;
      const failure = error as DialFailure;
      return this.onFailure(`dial ${target} failed: ${failure.message}`, failure.closeCode);
    } finally {
      if (this.dialAbort === abort) this.dialAbort = null;
    }
    if (this.state !== 'connecting') {
      socket.terminate();
      return;
    }
    this.onOpen(socket, target);
  }

  private onOpen(socket: WebSocket, target: string): void {
    this.state = 'open';
    this.socket = socket;
    this.backoff.reset();
    this.log.info({ url: target, failedAttempts: this.failuresInARow }, 'connected to peer');
    this.failuresInARow = 0;
    this.lastHeardAtMs = Date.now();
    socket.on('pong', () => (this.lastHeardAtMs = Date.now()));
    socket.on('error', (error) => this.log.debug({ err: error }, 'peer connection error'));
    socket.on('message', () => closeSoon(socket, CLOSE_CODES.protocolViolation, 'a stream listener sends nothing after hello-ok', this.context.limits.closeGraceMs));
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      const text = reason.toString();
      this.onFailure(`connection closed: ${code}${text === '' ? '' : ` ${text}`}`, code);
    });
    this.keepaliveTimer = setInterval(() => this.keepalive(socket), this.context.limits.keepaliveIntervalMs);
    const queued = this.queue;
    this.queue = [];
    if (queued.length > 0) this.write(queued);
  }

  private keepalive(socket: WebSocket): void {
    const silentMs = Date.now() - this.lastHeardAtMs;
    if (silentMs > this.context.limits.keepaliveTimeoutMs) {
      // A dead or blackholed peer cannot answer a close frame: destroy the socket at once.
      this.log.warn({ silentMs }, 'peer connection silent past keepaliveTimeoutMs: destroying it');
      socket.terminate();
      return;
    }
    socket.ping();
  }

  private onFailure(description: string, closeCode: number | undefined): void {
    this.clearTimers();
    this.socket = null;
    if (this.state === 'closed') return;
    const wasOpen = this.state === 'open';
    this.failuresInARow += 1;
    // The next attempt tries the peer's next URL (they may be different interfaces).
    this.urlIndex += 1;
    const dropped = this.queue;
    this.queue = [];
    if (dropped.length > 0) this.drop(dropped, description);
    const delayMs = this.backoff.nextDelayMs();
    const fields = { closeCode, redialInMs: delayMs, failedAttempts: this.failuresInARow };
    if (REFUSAL_CODES.has(closeCode) || wasOpen || this.failuresInARow === 1) this.log.warn(fields, description);
    else this.log.debug(fields, description);
    this.state = 'backoff';
    this.redialTimer = setTimeout(() => {
      this.redialTimer = null;
      if (this.state === 'backoff') this.state = 'idle';
    }, delayMs);
  }

  private clearTimers(): void {
    if (this.redialTimer !== null) clearTimeout(this.redialTimer);
    if (this.keepaliveTimer !== null) clearInterval(this.keepaliveTimer);
    this.redialTimer = null;
    this.keepaliveTimer = null;
  }
}
