import WebSocket from 'ws';
import type { NodeId } from '../raft/index.js';
import { CLOSE_CODES } from './errors.js';
import { decodeFrame, encodeFrame, PEER_SUBPROTOCOL, type ConnectionKind } from './peer-frames.js';
import { closeSoon, peerWsUrl, rawDataBytes } from './ws-util.js';

/** What one dial needs. */
export interface DialRequest {
  /** The http URL to dial (a dial override already applied). */
  readonly url: string;
  readonly connection: ConnectionKind;
  readonly clusterId: string;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly frameBytesMax: number;
  readonly dialTimeoutMs: number;
  readonly closeGraceMs: number;
  readonly signal?: AbortSignal;
}

/**
 * A dial that did not end with a verified hello-ok. `closeCode` is the code of the close frame when the
 * peer or we refused the connection (see CLOSE_CODES), undefined when the connection merely failed.
 */
export class DialFailure extends Error {
  constructor(
    message: string,
    readonly closeCode: number | undefined,
  ) {
    super(message);
    this.name = 'DialFailure';
  }
}

/**
 * Opens a peer connection: ws upgrade with the peer subprotocol, our hello, and the peer's hello-ok,
 * whose cluster id and member id must be the ones we expect (else we close with 4001 / 4002).
 * Resolves with the open socket, its dial-time listeners removed (the caller attaches its own at once);
 * rejects with a DialFailure after terminating or closing the socket.
 */
export function dialPeer(request: DialRequest): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(peerWsUrl(request.url), PEER_SUBPROTOCOL, {
      maxPayload: request.frameBytesMax,
      perMessageDeflate: false,
      handshakeTimeout: request.dialTimeoutMs,
      // An all-zero mask makes ws skip masking on both ends. Masking guards browsers' intermediaries
      // against cache poisoning; between members it only costs two passes over every snapshot byte.
      generateMask: (mask) => void mask.fill(0),
    });
    let settled = false;
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      socket.off('open', onOpen);
      socket.off('message', onMessage);
      socket.off('close', onClose);
    };
    /** `closeCode`: we close with it; `peerCloseCode`: the peer closed with it. */
    const fail = (message: string, closeCode?: number, peerCloseCode?: number): void => {
      if (settled) return;
      cleanup();
      // Keep an error listener: the socket may still report the failure that ended it.
      socket.on('error', () => {});
      if (closeCode !== undefined) closeSoon(socket, closeCode, message, request.closeGraceMs);
      else socket.terminate();
      reject(new DialFailure(message, closeCode ?? peerCloseCode));
    };
    const onAbort = (): void => fail('dial aborted (transport closing or peer removed)', CLOSE_CODES.goingAway);
    const onOpen = (): void => {
      if (socket.protocol !== PEER_SUBPROTOCOL) return fail(`peer did not accept subprotocol ${PEER_SUBPROTOCOL}`, CLOSE_CODES.protocolViolation);
      const { connection, clusterId, from, to } = request;
      socket.send(encodeFrame({ kind: 'hello', connection, clusterId, from, to }));
    };
    const onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
      if (!isBinary) return fail('peer sent a text frame', CLOSE_CODES.protocolViolation);
      let frame;
      try {
        frame = decodeFrame(rawDataBytes(data));
      } catch (error) {
        return fail(`peer sent a malformed hello-ok: ${(error as Error).message}`, CLOSE_CODES.protocolViolation);
      }
      if (frame.kind !== 'helloOk') return fail(`peer sent ${frame.kind} instead of hello-ok`, CLOSE_CODES.protocolViolation);
      if (frame.clusterId !== request.clusterId) {
        return fail(`cluster id mismatch: peer is in cluster ${frame.clusterId}, this member in ${request.clusterId}`, CLOSE_CODES.clusterMismatch);
      }
      if (frame.id !== request.to) return fail(`the member at ${request.url} is ${frame.id}, not ${request.to}`, CLOSE_CODES.wrongMember);
      cleanup();
      resolve(socket);
    };
    const onClose = (code: number, reason: Buffer): void => {
      const text = reason.toString();
      if (code === 1006) fail('connection lost before hello-ok');
      else fail(`peer closed the connection: ${code}${text === '' ? '' : ` ${text}`}`, undefined, code);
    };
    const timer = setTimeout(() => fail(`no hello-ok within ${request.dialTimeoutMs} ms`, CLOSE_CODES.handshakeTimeout), request.dialTimeoutMs);
    socket.on('open', onOpen);
    socket.on('message', onMessage);
    socket.on('close', onClose);
    socket.on('error', (error) => fail(error.message));
    if (request.signal?.aborted) onAbort();
    else request.signal?.addEventListener('abort', onAbort);
  });
}
