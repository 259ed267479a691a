import { pino, type Logger } from 'pino';
import type { Message, NodeId } from '../raft/index.js';
import { resolveLimits, type PeerTransportLimits } from './limits.js';
import { PeerLink } from './peer-link.js';
import { PeerListener } from './peer-listener.js';
import { sendSnapshotTo } from './snapshot-sender.js';
import type { PeerTransport, TransportHandlers, TransportOptions } from './types.js';
import { parseListenUrl } from './ws-util.js';

/** Smallest `frameBytesMax` accepted: a hello with long ids and a few messages must fit. */
const FRAME_BYTES_MIN = 64 * 1024;

/** Throws a RangeError listing every problem of `options`. */
function validateOptions(options: TransportOptions): void {
  const problems: string[] = [];
  if (options.id === '') problems.push('id must not be empty');
  if (!/^\d+$/.test(options.clusterId)) problems.push(`clusterId must be a decimal string (got ${JSON.stringify(options.clusterId)})`);
  if (!Number.isSafeInteger(options.frameBytesMax) || options.frameBytesMax < FRAME_BYTES_MIN) problems.push(`frameBytesMax must be an integer >= ${FRAME_BYTES_MIN}`);
  if (!Number.isSafeInteger(options.queuedMessagesPerPeerMax) || options.queuedMessagesPerPeerMax < 1) problems.push('queuedMessagesPerPeerMax must be a positive integer');
  for (const url of options.listenUrls) {
    try {
      parseListenUrl(url);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  for (const [advertised, override] of Object.entries(options.dialOverrides ?? {})) {
    if (!URL.canParse(override)) problems.push(`dial override for ${advertised} is not a URL: ${override}`);
  }
  if (problems.length > 0) throw new RangeError(`invalid transport options: ${problems.join('; ')}`);
}

/**
 * Creates the peer transport of member `options.id` (see `PeerTransport` for the contract and
 * `server/transport/README.md` for the frames and failure behaviour). `limits` overrides the timeouts
 * and buffer bounds of PEER_TRANSPORT_DEFAULTS (tests shorten them). Throws a RangeError listing every
 * invalid option.
 */
export function createPeerTransport(options: TransportOptions, handlers: TransportHandlers, logger?: Logger, limits?: Partial<PeerTransportLimits>): PeerTransport {
  validateOptions(options);
  return new WsPeerTransport(options, handlers, (logger ?? pino({ level: 'silent' })).child({ component: 'transport', member: options.id }), resolveLimits(limits));
}

class WsPeerTransport implements PeerTransport {
  private readonly links = new Map<NodeId, PeerLink>();
  private readonly listener: PeerListener;
  /** Snapshots being sent: their peer, aborted by close() or removePeer(), and their outcome. */
  private readonly snapshotSends = new Map<AbortController, { peer: NodeId; done: Promise<boolean> }>();
  private state: 'new' | 'started' | 'closed' = 'new';

  constructor(
    private readonly options: TransportOptions,
    private readonly handlers: TransportHandlers,
    private readonly log: Logger,
    private readonly limits: PeerTransportLimits,
  ) {
    this.listener = new PeerListener({
      selfId: options.id,
      clusterId: options.clusterId,
      frameBytesMax: options.frameBytesMax,
      limits,
      log,
      onMessage: (message) => {
        if (this.state !== 'closed') handlers.onMessage(message);
      },
      onSnapshot: (message, chunks) => handlers.onSnapshot(message, chunks),
      ...(options.httpRoutes === undefined ? {} : { httpRoutes: options.httpRoutes }),
    });
  }

  async start(): Promise<readonly { host: string; port: number }[]> {
    if (this.state !== 'new') throw new Error(`the peer transport cannot start: it is ${this.state}`);
    this.state = 'started';
    try {
      return await this.listener.listen(this.options.listenUrls);
    } catch (error) {
      await this.listener.close();
      throw error;
    }
  }

  setPeer(id: NodeId, urls: readonly string[]): void {
    if (this.state === 'closed') return;
    if (urls.length === 0 || urls.some((url) => !URL.canParse(url))) {
      this.log.error({ peer: id, urls }, 'setPeer needs at least one valid URL: peer ignored');
      return;
    }
    const existing = this.links.get(id);
    if (existing !== undefined && existing.urls.length === urls.length && existing.urls.every((url, i) => url === urls[i])) return;
    if (existing !== undefined) void existing.close('peer URLs changed');
    this.links.set(
      id,
      new PeerLink(id, [...urls], {
        selfId: this.options.id,
        clusterId: this.options.clusterId,
        frameBytesMax: this.options.frameBytesMax,
        queuedMessagesMax: this.options.queuedMessagesPerPeerMax,
        limits: this.limits,
        log: this.log,
        dialUrl: (url) => this.dialUrl(url),
        reportUnreachable: (peer) => this.reportUnreachable(peer),
        random: Math.random,
      }),
    );
    this.log.info({ peer: id, urls }, existing === undefined ? 'peer added' : 'peer URLs updated');
  }

  removePeer(id: NodeId): void {
    const link = this.links.get(id);
    this.links.delete(id);
    if (link !== undefined) void link.close('peer removed');
    for (const [abort, send] of this.snapshotSends) if (send.peer === id) abort.abort();
    this.log.info({ peer: id }, 'peer removed');
  }

  send(messages: readonly Message[]): void {
    if (this.state === 'closed') return;
    try {
      const byPeer = new Map<NodeId, Message[]>();
      for (const message of messages) {
        if (message.type === 'snap') {
          this.log.error({ peer: message.to }, 'a snap message was passed to send(): use sendSnapshot; dropped');
          continue;
        }
        const batch = byPeer.get(message.to);
        if (batch === undefined) byPeer.set(message.to, [message]);
        else batch.push(message);
      }
      for (const [peer, batch] of byPeer) {
        const link = this.links.get(peer);
        if (link !== undefined) link.send(batch);
        else {
          this.log.debug({ peer, count: batch.length }, 'messages to an unknown peer dropped');
          this.reportUnreachable(peer);
        }
      }
    } catch (error) {
      this.log.error({ err: error }, 'send failed; messages dropped');
    }
  }

  async sendSnapshot(message: Message, source: AsyncIterable<Uint8Array>): Promise<boolean> {
    const link = this.links.get(message.to);
    if (this.state === 'closed' || link === undefined || message.type !== 'snap' || message.snapshot === null) {
      this.log.warn({ peer: message.to, type: message.type, state: this.state }, 'snapshot not sent: unknown peer, transport closed or not a snap message');
      return false;
    }
    const abort = new AbortController();
    const done = sendSnapshotTo(this.dialUrl(link.currentUrl), message, source, {
      selfId: this.options.id,
      clusterId: this.options.clusterId,
      frameBytesMax: this.options.frameBytesMax,
      limits: this.limits,
      log: this.log,
      signal: abort.signal,
    }).catch((error: unknown) => {
      this.log.error({ err: error, peer: message.to }, 'snapshot send failed unexpectedly');
      return false;
    });
    this.snapshotSends.set(abort, { peer: message.to, done });
    try {
      return await done;
    } finally {
      this.snapshotSends.delete(abort);
    }
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasStarted = this.state === 'started';
    this.state = 'closed';
    const sends = [...this.snapshotSends.entries()];
    for (const [abort] of sends) abort.abort();
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all([...links.map((link) => link.close('member shutting down')), ...sends.map(([, send]) => send.done)]);
    if (wasStarted) await this.listener.close();
    this.log.info('peer transport closed');
  }

  private dialUrl(advertisedUrl: string): string {
    return this.options.dialOverrides?.[advertisedUrl] ?? advertisedUrl;
  }

  /** Calls onUnreachable outside the caller's stack, so the member never re-enters itself from send(). */
  private reportUnreachable(id: NodeId): void {
    queueMicrotask(() => {
      if (this.state === 'closed') return;
      try {
        this.handlers.onUnreachable(id);
      } catch (error) {
        this.log.error({ err: error, peer: id }, 'onUnreachable threw');
      }
    });
  }
}
