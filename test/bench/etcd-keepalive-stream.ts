import type { Etcd3, IDuplexStream, ILeaseKeepAliveRequest, ILeaseKeepAliveResponse } from 'etcd3';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * One LeaseKeepAlive stream per etcd connection, carrying the keepalives of every lease on it, as
 * etcd's Go client and its benchmark tool do. (etcd3's `keepaliveOnce` opens a stream per call,
 * which would measure stream setup rather than the keepalive.) etcd answers each request on the
 * stream with the lease's id, so answers are matched by id, first come first served.
 */
export class EtcdKeepAliveStream {
  private stream: Promise<IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>> | null = null;
  private readonly waiting = new Map<string, Waiter[]>();

  constructor(private readonly client: Etcd3) {}

  /** One keepalive of `leaseId`; rejects when etcd says the lease is gone or the stream fails. */
  async keepAlive(leaseId: string): Promise<void> {
    const stream = await this.open();
    await new Promise<void>((resolve, reject) => {
      const queue = this.waiting.get(leaseId) ?? [];
      queue.push({ resolve, reject });
      this.waiting.set(leaseId, queue);
      stream.write({ ID: leaseId });
    });
  }

  /** Ends the stream; keepalives still waiting fail. */
  close(): void {
    const stream = this.stream;
    this.stream = null;
    if (stream !== null) void stream.then((s) => s.end(), () => undefined);
    this.failAll(new Error('keepalive stream closed'));
  }

  private open(): Promise<IDuplexStream<ILeaseKeepAliveRequest, ILeaseKeepAliveResponse>> {
    if (this.stream !== null) return this.stream;
    const opened = this.client.leaseClient.leaseKeepAlive().then((stream) => {
      stream.on('data', (response) => this.answer(response));
      stream.on('error', (error) => {
        if (this.stream === opened) this.stream = null;
        this.failAll(error);
      });
      return stream;
    });
    opened.catch(() => {
      if (this.stream === opened) this.stream = null;
    });
    this.stream = opened;
    return opened;
  }

  private answer(response: ILeaseKeepAliveResponse): void {
    const queue = this.waiting.get(response.ID);
    const waiter = queue?.shift();
    if (queue !== undefined && queue.length === 0) this.waiting.delete(response.ID);
    if (waiter === undefined) return;
    if (Number(response.TTL) <= 0) waiter.reject(new Error(`lease ${response.ID} expired or was revoked`));
    else waiter.resolve();
  }

  private failAll(error: Error): void {
    const waiters = [...this.waiting.values()].flat();
    this.waiting.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
