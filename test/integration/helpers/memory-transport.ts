import type { Message, NodeId } from '../../../server/raft/index.js';
import type { PeerTransport, TransportHandlers, TransportOptions } from '../../../server/transport/types.js';

/**
 * An in-process network for RaftMembers in one test process: each member's transport delivers to the
 * others' handlers on the next turn of the event loop. Any directed link can be held: its messages are
 * queued until released, and a test can take one held message and deliver it at the exact moment it
 * wants. Snapshots are refused (sendSnapshot resolves false).
 */
export class MemoryNetwork {
  private readonly handlers = new Map<NodeId, TransportHandlers>();
  private readonly heldLinks = new Set<string>();
  private readonly heldMessages = new Map<string, Message[]>();

  /** A `createTransport` for RaftMemberOptions. */
  readonly createTransport = (options: TransportOptions, handlers: TransportHandlers): PeerTransport => {
    const self = options.id;
    return {
      start: async () => {
        this.handlers.set(self, handlers);
        return [];
      },
      setPeer: () => undefined,
      removePeer: () => undefined,
      send: (messages) => {
        for (const message of messages) this.route(message);
      },
      sendSnapshot: async () => false,
      close: async () => {
        this.handlers.delete(self);
      },
    };
  };

  /** Holds every message from `from` to `to` until `release`. */
  hold(from: NodeId, to: NodeId): void {
    this.heldLinks.add(link(from, to));
  }

  /** Holds every link to and from `id`. */
  isolate(id: NodeId): void {
    for (const other of this.handlers.keys()) {
      if (other === id) continue;
      this.hold(id, other);
      this.hold(other, id);
    }
  }

  /** Stops holding every link and delivers what was held, in order. */
  releaseAll(): void {
    this.heldLinks.clear();
    const held = [...this.heldMessages.values()].flat();
    this.heldMessages.clear();
    for (const message of held) this.route(message);
  }

  /** Removes and returns the held messages from `from` to `to` that match. */
  takeHeld(from: NodeId, to: NodeId, match: (message: Message) => boolean): Message[] {
    const queue = this.heldMessages.get(link(from, to)) ?? [];
    const taken = queue.filter(match);
    this.heldMessages.set(link(from, to), queue.filter((message) => !match(message)));
    return taken;
  }

  /** Hands `message` to its recipient now, synchronously. */
  deliverNow(message: Message): void {
    this.handlers.get(message.to)?.onMessage(message);
  }

  private route(message: Message): void {
    const key = link(message.from, message.to);
    if (this.heldLinks.has(key)) {
      this.heldMessages.set(key, [...(this.heldMessages.get(key) ?? []), message]);
      return;
    }
    setImmediate(() => this.handlers.get(message.to)?.onMessage(message));
  }
}

function link(from: NodeId, to: NodeId): string {
  return `${from}>${to}`;
}
