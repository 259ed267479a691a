import type { WatchSession } from './watch-session.js';

export type RequestId = number | string;

/** One client connection as handlers see it. */
export interface ConnectionSession {
  /** Sends a frame; `onWritten` runs once it has been handed to the socket. */
  send(frame: object, onWritten?: () => void): void;
  /** Sends a frame already serialized as JSON text. */
  sendText(text: string, onWritten?: () => void): void;
  /** Bytes queued on the socket and not yet written (a slow reader makes this grow). */
  readonly bufferedBytes: number;
  /** Aborted when the connection closes. */
  readonly closedSignal: AbortSignal;
  /** The connection's watches (created on first use). */
  watches(): WatchSession;
}

/** What a handler gets besides its params. */
export interface CallContext {
  readonly requestId: RequestId;
  /** Aborted when the request times out or the connection closes. */
  readonly signal: AbortSignal;
  readonly session: ConnectionSession;
}

/** Returned by a handler that already sent its answer itself (e.g. to order it before stream messages). */
export const ANSWERED: unique symbol = Symbol('answered');
