import WebSocket from 'ws';

/** A bare protocol client for tests: sends frames and awaits answers by id, keeping every frame seen. */
export class RawClient {
  readonly received: Record<string, unknown>[] = [];
  /** Frames no `next` call has claimed yet. */
  private readonly unclaimed: Record<string, unknown>[] = [];
  private readonly waiters: { match: (frame: Record<string, unknown>) => boolean; resolve: (frame: Record<string, unknown>) => void }[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private nextId = 1;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      this.received.push(frame);
      const i = this.waiters.findIndex((waiter) => waiter.match(frame));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(frame);
      else this.unclaimed.push(frame);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static async connect(endpoint: string, protocol: string | undefined = 'synod.v1'): Promise<RawClient> {
    const socket = new WebSocket(`ws://${endpoint}`, protocol === undefined ? [] : [protocol]);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  /** Resolves with the next frame that matches (or one already received and not yet claimed). */
  next(match: (frame: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const i = this.unclaimed.findIndex(match);
    if (i >= 0) return Promise.resolve(this.unclaimed.splice(i, 1)[0]!);
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** Sends a request and resolves with its answer frame ({id, result} or {id, error}). */
  async request(method: string, params?: unknown): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answer = this.next((frame) => frame['id'] === id);
    this.socket.send(JSON.stringify(params === undefined ? { id, method } : { id, method, params }));
    return answer;
  }

  /** Sends a request and returns its result, failing the test on an error answer. */
  async ok(method: string, params?: unknown): Promise<Record<string, any>> {
    const answer = await this.request(method, params);
    if (answer['error'] !== undefined) throw new Error(`${method} failed: ${JSON.stringify(answer['error'])}`);
    return answer['result'] as Record<string, any>;
  }

  /** Sends a raw text or binary frame. */
  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  close(): void {
    this.socket.close();
  }
}

/** base64 of a UTF-8 string. */
export function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
