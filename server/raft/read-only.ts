import type { Message, NodeId } from './types.js';

/** A ReadIndex request the leader is confirming: the commit index when it arrived, and who acked. */
interface PendingRead {
  index: number;
  request: Message;
  acks: Map<NodeId, boolean>;
}

/** A confirmed read: the request and the index at which it may be served. */
export interface ConfirmedRead {
  index: number;
  request: Message;
}

/**
 * The leader's ReadIndex bookkeeping (read-only "safe" mode). Each request has a unique context that
 * rides on one heartbeat round; once a quorum acks that context, it and every earlier request are
 * released in arrival order (an ack for a later round proves leadership at every earlier one).
 * A request whose context is already pending is ignored.
 */
export class ReadOnly {
  private pending = new Map<string, PendingRead>();
  private queue: string[] = [];

  /** Queues a request that arrived when the commit index was `index`. Returns false for a duplicate context. */
  addRequest(index: number, request: Message): boolean {
    if (this.pending.has(request.context)) return false;
    this.pending.set(request.context, { index, request, acks: new Map() });
    this.queue.push(request.context);
    return true;
  }

  /** Records a heartbeat ack for `context`; returns the acks so far, or null for an unknown context. */
  recvAck(id: NodeId, context: string): ReadonlyMap<NodeId, boolean> | null {
    const read = this.pending.get(context);
    if (read === undefined) return null;
    read.acks.set(id, true);
    return read.acks;
  }

  /** Releases the request with `context` and every request queued before it, in order. */
  advance(context: string): ConfirmedRead[] {
    const at = this.queue.indexOf(context);
    if (at < 0) return [];
    const released = this.queue.slice(0, at + 1);
    this.queue = this.queue.slice(at + 1);
    return released.map((ctx) => {
      const read = this.pending.get(ctx)!;
      this.pending.delete(ctx);
      return { index: read.index, request: read.request };
    });
  }

  /** The context of the newest pending request ('' if none): heartbeats carry it. */
  lastPendingRequestContext(): string {
    return this.queue[this.queue.length - 1] ?? '';
  }

  /** Number of pending requests. */
  size(): number {
    return this.queue.length;
  }
}
