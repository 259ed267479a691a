import type WebSocket from 'ws';
import type { RawData } from 'ws';
import { PEER_PATH } from './peer-frames.js';

/** A host and port to listen on, parsed from a listen URL. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `http://host:port` (port required; 0 picks a free port). Throws a RangeError naming the URL. */
export function parseListenUrl(url: string): ListenAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`peer listen URL is not a URL: ${url}`);
  }
  if (parsed.protocol !== 'http:') throw new RangeError(`peer listen URL must be http://host:port: ${url}`);
  // URL drops the scheme's default port, so ':80' reads as ''; accept it only when written out.
  const port = parsed.port === '' ? (/:80\/?$/.test(url) ? 80 : undefined) : Number(parsed.port);
  if (port === undefined) throw new RangeError(`peer listen URL needs an explicit port: ${url}`);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** The ws URL of a peer's advertised (or overriding) http URL. */
export function peerWsUrl(httpUrl: string): string {
  const parsed = new URL(httpUrl);
  parsed.protocol = parsed.protocol === 'https:' ? 'wss:' : 'ws:';
  parsed.pathname = PEER_PATH;
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString();
}

/** The bytes of a binary ws message as one Buffer (ws hands out a Buffer with the default binaryType). */
export function rawDataBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Closes with a code and reason and destroys the socket if the closing handshake has not finished within
 * `graceMs` (a dead or blackholed peer never answers a close frame).
 */
export function closeSoon(socket: WebSocket, code: number, reason: string, graceMs: number): void {
  if (socket.readyState === socket.CLOSED || socket.readyState === socket.CLOSING) return;
  if (socket.readyState === socket.CONNECTING) {
    socket.terminate();
    return;
  }
  socket.close(code, closeReason(reason));
  const timer = setTimeout(() => socket.terminate(), graceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** A close reason cut to the 123 bytes a close frame allows (whole characters only). */
export function closeReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text, 'utf8') > 123) text = text.slice(0, -1);
  return text;
}
