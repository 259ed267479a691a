/** Values queued per subscriber before the oldest are dropped. */
export const FEED_QUEUE_MAX = 64;

interface Subscriber<T> {
  readonly queue: T[];
  wake: (() => void) | null;
}

/**
 * A small broadcast of values to async-iterator subscribers. Each subscriber has its own bounded queue:
 * a reader that falls more than FEED_QUEUE_MAX values behind loses the oldest ones, never the latest.
 */
export class Feed<T> {
  private readonly subscribers = new Set<Subscriber<T>>();
  private closed = false;

  publish(value: T): void {
    if (this.closed) return;
    for (const subscriber of this.subscribers) {
      subscriber.queue.push(value);
      if (subscriber.queue.length > FEED_QUEUE_MAX) subscriber.queue.shift();
      subscriber.wake?.();
      subscriber.wake = null;
    }
  }

  /** Ends every subscription once its queue is drained. */
  close(): void {
    this.closed = true;
    for (const subscriber of this.subscribers) {
      subscriber.wake?.();
      subscriber.wake = null;
    }
  }

  /** Values published from now on (after `initial`, if given), until the feed closes or `signal` aborts. */
  async *subscribe(initial: T | undefined, signal?: AbortSignal): AsyncGenerator<T> {
    const subscriber: Subscriber<T> = { queue: initial === undefined ? [] : [initial], wake: null };
    this.subscribers.add(subscriber);
    const onAbort = (): void => {
      subscriber.wake?.();
      subscriber.wake = null;
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (signal?.aborted === true) return;
        const value = subscriber.queue.shift();
        if (value !== undefined) {
          yield value;
          continue;
        }
        if (this.closed) return;
        await new Promise<void>((resolve) => (subscriber.wake = resolve));
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.subscribers.delete(subscriber);
    }
  }
}
