import type { Socket } from 'node:net';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from 'pino';
import type { Dispatcher } from './dispatcher.js';
import { SynodError } from '../errors.js';
import type { ErrorCode } from '../../client-sdk/error-codes.js';
import { ANSWERED, type ConnectionSession, type RequestId } from './call-context.js';
import type { WatchSession } from './watch-session.js';

/** Limits of one client connection. */
export interface ConnectionLimits {
  /** Requests answered concurrently on one connection before more get `too_many_requests`. */
  readonly requestsInFlightMax: number;
  /** How long a request may take before it fails with `timeout` (its outcome is then unknown). */
  readonly requestTimeoutMs: number;
  /**
   * What one connection may hold in answers: the bytes waiting to be written to the socket plus the
   * expected size of the answers still being made. A client that sends requests but does not read the
   * answers reaches it; the connection then stops reading and starting requests (those already read
   * wait, unparsed) until it is back under half. See {@link AnswerBudget}.
   */
  readonly sendBufferBytesMax: number;
}

const REQUEST_ID_CHARS_MAX = 64;
/**
 * What a new connection expects an answer to weigh until it has sent one: with the default 16 MiB
 * budget, 256 requests start at once before the first answer tells their real size.
 */
const INITIAL_ANSWER_BYTES_ESTIMATE = 64 * 1024;

/**
 * One client connection: JSON text frames carrying `{id, method, params}`, answered by `{id, result}` or
 * `{id, error: {code, message, details?}}`, many in flight and answered as each completes. Bad frames
 * get an error answer (with `id: null` when no id could be read); the connection stays up.
 */
export class ClientConnection implements ConnectionSession {
  private inFlight = 0;
  private readonly closed = new AbortController();
  /** Controllers of the requests in flight; all are aborted when the connection closes. */
  private readonly requests = new Set<AbortController>();
  private watchSession: WatchSession | null = null;
  private corked = false;
  /** True while the socket is not read because too much waits to be written. */
  private readingPaused = false;
  /** Frames read but not started while paused (at most what one socket read held), handled on resume. */
  private deferred: { data: RawData; isBinary: boolean }[] = [];
  /** Expected bytes of one answer: jumps up to a bigger answer at once, comes down slowly. */
  private answerBytesEstimate = INITIAL_ANSWER_BYTES_ESTIMATE;

  constructor(
    private readonly socket: WebSocket,
    private readonly dispatcher: Dispatcher,
    private readonly limits: ConnectionLimits,
    private readonly log: Logger,
    private readonly createWatchSession: (session: ConnectionSession) => WatchSession,
  ) {
    socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    socket.on('close', () => {
      const reason = new SynodError('canceled', 'connection closed');
      this.closed.abort(reason);
      for (const request of this.requests) request.abort(reason);
    });
    socket.on('error', (error) => this.log.debug({ err: error }, 'client socket error'));
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (!this.readingPaused && this.committedBytes() >= this.limits.sendBufferBytesMax) this.pauseReading();
    if (this.readingPaused) {
      this.deferred.push({ data, isBinary });
      return;
    }
    if (isBinary) return this.sendError(null, new SynodError('malformed_request', 'binary frames are not supported; send JSON text'));
    let frame: unknown;
    try {
      frame = JSON.parse(rawToString(data));
    } catch {
      return this.sendError(null, new SynodError('malformed_request', 'frame is not valid JSON'));
    }
    if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
      return this.sendError(null, new SynodError('malformed_request', 'frame must be a JSON object'));
    }
    const { id, method, params } = frame as { id?: unknown; method?: unknown; params?: unknown };
    if (!isRequestId(id)) {
      return this.sendError(null, new SynodError('malformed_request', `id must be a non-negative integer or a string of at most ${REQUEST_ID_CHARS_MAX} chars`));
    }
    if (typeof method !== 'string') return this.sendError(id, new SynodError('malformed_request', 'method must be a string'));
    if (this.inFlight >= this.limits.requestsInFlightMax) {
      return this.sendError(id, new SynodError('too_many_requests', `more than ${this.limits.requestsInFlightMax} requests in flight on this connection`));
    }
    void this.run(id, method, params);
  }

  private async run(id: RequestId, method: string, params: unknown): Promise<void> {
    this.inFlight++;
    // One controller per request, aborted by its timer or by the connection closing (cheaper than
    // composing AbortSignal.timeout with AbortSignal.any on every request).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new SynodError('timeout'));
    }, this.limits.requestTimeoutMs);
    this.requests.add(controller);
    try {
      const result = await this.dispatcher.dispatch(method, params, { requestId: id, signal: controller.signal, session: this });
      if (result !== ANSWERED) this.send({ id, result });
    } catch (error) {
      this.sendError(id, timedOut ? new SynodError('timeout', undefined, undefined, { cause: error }) : error);
    } finally {
      clearTimeout(timer);
      this.requests.delete(controller);
      this.inFlight--;
      this.resumeIfUnderHalf();
    }
  }

  private sendError(id: RequestId | null, error: unknown): void {
    if (error instanceof SynodError) {
      const body: { code: ErrorCode; message: string; details?: Record<string, string> } = { code: error.code, message: error.message };
      if (error.details !== undefined) body.details = { ...error.details };
      this.send({ id, error: body });
      return;
    }
    this.log.error({ err: error }, 'request failed with an unexpected error');
    this.send({ id, error: { code: 'internal', message: 'internal error' } });
  }

  send(message: object, onWritten?: () => void): void {
    this.sendText(JSON.stringify(message), onWritten);
  }

  sendText(text: string, onWritten?: () => void): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    // Lengths in UTF-16 units: bytes for the ASCII of JSON with base64 values, close enough otherwise.
    const estimate = this.answerBytesEstimate;
    this.answerBytesEstimate = text.length > estimate ? text.length : estimate - (estimate >> 4) + (text.length >> 4);
    this.corkUntilImmediate();
    this.socket.send(text, () => {
      onWritten?.();
      this.resumeIfUnderHalf();
    });
    if (!this.readingPaused && this.socket.bufferedAmount >= this.limits.sendBufferBytesMax) this.pauseReading();
  }

  /** Bytes this connection holds or is about to: unwritten answers plus those being made. */
  private committedBytes(): number {
    return this.socket.bufferedAmount + this.inFlight * this.answerBytesEstimate;
  }

  /** Its requests wait in TCP (and in the client) instead of their answers piling up here. */
  private pauseReading(): void {
    this.readingPaused = true;
    this.socket.pause();
  }

  private resumeIfUnderHalf(): void {
    if (this.readingPaused && this.committedBytes() < this.limits.sendBufferBytesMax / 2) this.resumeReading();
  }

  /**
   * Holds the socket's writes until the event loop's check phase, so every frame answered in this
   * turn (a batch of applied writes, a revision's events to many watchers) leaves in one write
   * instead of one system call each.
   */
  private corkUntilImmediate(): void {
    if (this.corked) return;
    // ws keeps the net.Socket in `_socket`; without it (never, in practice) frames go out uncorked.
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (raw === undefined) return;
    this.corked = true;
    raw.cork();
    setImmediate(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  private resumeReading(): void {
    this.readingPaused = false;
    while (this.deferred.length > 0) {
      // Checked before taking the frame off, so a frame put back never jumps behind later ones.
      if (this.committedBytes() >= this.limits.sendBufferBytesMax) {
        this.readingPaused = true;
        return;
      }
      const { data, isBinary } = this.deferred.shift()!;
      this.onMessage(data, isBinary);
      if (this.readingPaused) return;
    }
    this.socket.resume();
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  get closedSignal(): AbortSignal {
    return this.closed.signal;
  }

  watches(): WatchSession {
    this.watchSession ??= this.createWatchSession(this);
    return this.watchSession;
  }
}

function isRequestId(id: unknown): id is RequestId {
  if (typeof id === 'number') return Number.isSafeInteger(id) && id >= 0;
  return typeof id === 'string' && id.length <= REQUEST_ID_CHARS_MAX;
}

function rawToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
