import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import { ClientConnection, type ConnectionLimits } from './client-connection.js';
import type { Dispatcher } from './dispatcher.js';
import type { ConnectionSession } from './call-context.js';
import type { WatchSession } from './watch-session.js';
import { API_VERSION, PROTOCOL_NAME, SYNOD_VERSION } from '../version.js';

export interface ClientServerOptions {
  readonly host: string;
  readonly port: number;
  /** Largest frame accepted; a bigger one closes the connection with code 1009. */
  readonly frameBytesMax: number;
  readonly connection: ConnectionLimits;
  /** The Prometheus text served at /metrics (404 without it). */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
}

/**
 * The client listener: one HTTP server that upgrades to ws (subprotocol `synod.v1`) for the client
 * protocol and answers the small HTTP endpoints (/health, /version, /metrics).
 */
export class ClientServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;

  constructor(
    private readonly options: ClientServerOptions,
    dispatcher: Dispatcher,
    private readonly log: Logger,
    private readonly healthy: () => boolean,
    createWatchSession: (session: ConnectionSession) => WatchSession,
  ) {
    this.http = createServer((request, response) => this.onHttp(request, response));
    this.wss = new WebSocketServer({
      server: this.http,
      maxPayload: options.frameBytesMax,
      perMessageDeflate: false,
      handleProtocols: (protocols) => (protocols.has(PROTOCOL_NAME) ? PROTOCOL_NAME : false),
    });
    this.wss.on('connection', (socket) => new ClientConnection(socket, dispatcher, options.connection, log, createWatchSession));
  }

  /** Open client connections. */
  get connectionCount(): number {
    return this.wss.clients.size;
  }

  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.http.address() as AddressInfo;
  }

  /** Stops accepting, closes every client connection, and resolves when the listener is closed. */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private onHttp(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    const reply = (status: number, body: object): void => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/health') {
      const health = this.healthy();
      reply(health ? 200 : 503, { health: String(health) });
    } else if (path === '/version') {
      reply(200, { synod: SYNOD_VERSION, api: API_VERSION });
    } else if (path === '/metrics' && this.options.metrics !== undefined) {
      this.options.metrics().then(
        ({ contentType, body }) => {
          response.writeHead(200, { 'content-type': contentType });
          response.end(body);
        },
        (error: unknown) => {
          this.log.warn({ err: error }, 'collecting metrics failed');
          reply(500, { error: 'collecting metrics failed' });
        },
      );
    } else {
      reply(404, { error: 'not found', paths: ['/health', '/version', '/metrics', `ws (subprotocol ${PROTOCOL_NAME})`] });
    }
  }
}
