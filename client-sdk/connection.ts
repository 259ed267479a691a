import WebSocket from 'ws';
import { CanceledError, ConnectionLostError, SynodError, TimeoutError, UnavailableError, errorFromWire } from './errors.js';

/** The ws subprotocol of the client protocol. */
export const PROTOCOL_NAME = 'synod.v1';

/** Receives the frames of one stream (opened by a request whose id becomes the stream id). */
export interface StreamHandler {
  /** A stream frame; `end` is true on the last one. */
  onFrame(result: Record<string, unknown>, end: boolean): void;
  /** The connection dropped; no more frames will come. */
  onLost(error: SynodError): void;
}

interface Pending {
  readonly resolve: (result: Record<string, unknown>) => void;
  readonly reject: (error: SynodError) => void;
}

/**
 * One ws connection to one member: many calls in flight, each matched to its answer by id. When the
 * connection drops every pending call fails with ConnectionLostError.
 */
export class Connection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly streams = new Map<number, StreamHandler>();
  private lostError: SynodError | null = null;
  private closingWhenIdle = false;
  private readonly lostListeners = new Set<(error: SynodError) => void>();

  private constructor(
    private readonly socket: WebSocket,
    readonly endpoint: string,
  ) {
    socket.on('message', (data) => this.onMessage(data.toString()));
    socket.on('close', (code, reason) => this.lose(new ConnectionLostError(`connection to ${endpoint} closed (${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`)));
    socket.on('error', (error) => this.lose(new ConnectionLostError(`connection to ${endpoint} failed: ${error.message}`, { cause: error })));
  }

  /** Opens a connection, failing with UnavailableError if it is not up within `dialTimeoutMs`. */
  static open(endpoint: string, dialTimeoutMs: number, signal?: AbortSignal): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(endpoint, PROTOCOL_NAME, { handshakeTimeout: dialTimeoutMs, perMessageDeflate: false });
      const fail = (error: SynodError): void => {
        cleanup();
        // terminate() on a socket still connecting emits 'error' on the next tick; without a listener
        // that error would be uncaught and end the caller's process.
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      };
      const onAbort = (): void => fail(new CanceledError(`dial to ${endpoint} canceled`, { cause: signal?.reason, outcomeUnknown: false }));
      const timer = setTimeout(() => fail(new UnavailableError(`no answer from ${endpoint} within ${dialTimeoutMs} ms`)), dialTimeoutMs);
      const onError = (error: Error): void => fail(new UnavailableError(`cannot connect to ${endpoint}: ${error.message}`, { cause: error }));
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('open', () => {
        cleanup();
        resolve(new Connection(socket, endpoint));
      });
    });
  }

  /** True until the connection drops or is closed. */
  get isOpen(): boolean {
    return this.lostError === null;
  }

  /**
   * Opens a stream: sends the request, resolves with its first answer, and hands every later frame
   * carrying this request's id as `stream` to `handler` until the last one (or a lost connection).
   */
  async openStream(method: string, params: object, handler: StreamHandler, options: { signal?: AbortSignal; timeoutMs: number }): Promise<{ streamId: number; first: Record<string, unknown> }> {
    const streamId = this.nextId;
    this.streams.set(streamId, handler);
    try {
      const first = await this.call(method, params, options, streamId);
      return { streamId, first };
    } catch (error) {
      this.streams.delete(streamId);
      throw error;
    }
  }

  /** Forgets a stream (its frames are dropped from now on). */
  closeStream(streamId: number): void {
    this.streams.delete(streamId);
    this.maybeCloseIdle();
  }

  /** Runs one call to its answer. Rejects with the server's typed error, or timeout/cancel/lost. */
  call(method: string, params: object, options: { signal?: AbortSignal; timeoutMs: number }, presetId?: number): Promise<Record<string, unknown>> {
    if (this.lostError !== null) return Promise.reject(this.lostError);
    const id = presetId ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.pending.delete(id);
        queueMicrotask(() => this.maybeCloseIdle());
      };
      const timer = setTimeout(() => {
        finish();
        reject(new TimeoutError(`${method} got no answer within ${options.timeoutMs} ms`, { outcomeUnknown: true }));
      }, options.timeoutMs);
      const onAbort = (): void => {
        finish();
        reject(new CanceledError(`${method} canceled`, { cause: options.signal?.reason, outcomeUnknown: true }));
      };
      if (options.signal?.aborted) {
        finish();
        reject(new CanceledError(`${method} canceled`, { cause: options.signal.reason, outcomeUnknown: false }));
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result) => {
          finish();
          resolve(result);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Calls `listener` once when the connection drops. */
  onLost(listener: (error: SynodError) => void): void {
    this.lostListeners.add(listener);
  }

  /** Closes the connection once no call or stream uses it any more (new calls should go elsewhere). */
  closeWhenIdle(): void {
    this.closingWhenIdle = true;
    this.maybeCloseIdle();
  }

  private maybeCloseIdle(): void {
    if (this.closingWhenIdle && this.pending.size === 0 && this.streams.size === 0 && this.lostError === null) this.close();
  }

  /** Closes the connection; pending calls fail with ConnectionLostError. */
  close(): void {
    this.lose(new ConnectionLostError(`connection to ${this.endpoint} closed by the client`));
    this.socket.close(1000);
  }

  private lose(error: SynodError): void {
    if (this.lostError !== null) return;
    this.lostError = error;
    for (const pending of [...this.pending.values()]) pending.reject(error);
    this.pending.clear();
    for (const stream of [...this.streams.values()]) stream.onLost(error);
    this.streams.clear();
    for (const listener of this.lostListeners) listener(error);
  }

  private onMessage(text: string): void {
    let message: { id?: unknown; result?: unknown; error?: unknown; stream?: unknown; end?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (typeof message.stream === 'number') {
      const stream = this.streams.get(message.stream);
      if (stream === undefined) return;
      if (message.end === true) this.streams.delete(message.stream);
      stream.onFrame((message.result ?? {}) as Record<string, unknown>, message.end === true);
      if (message.end === true) this.maybeCloseIdle();
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    if (message.error !== undefined) pending.reject(errorFromWire(message.error as Record<string, unknown>));
    else pending.resolve((message.result ?? {}) as Record<string, unknown>);
  }
}
