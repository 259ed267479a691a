import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** Largest request body the store reads. */
export const REQUEST_BYTES_MAX = 64 * 1024;
/** Most resources one store keeps. */
export const RESOURCES_MAX = 1000;
/** Most log entries (accepted appends) and rejections a resource keeps; older ones are dropped. */
export const ENTRIES_MAX = 10_000;

/** One operation a holder sends, with the fencing token of its hold. */
export interface FencedRequest {
  readonly op: 'read' | 'write' | 'append';
  /** The holder's fencing token (a decimal string: tokens are 64-bit). */
  readonly token: string;
  /** Who sends it (for the record only). */
  readonly writer?: string;
  /** `write`: the new value. `append`: the entry added to the log. */
  readonly value?: unknown;
}

export interface FencedAnswer {
  readonly ok: boolean;
  readonly value: unknown;
  readonly highestToken: string;
}

export interface FencedRecord {
  readonly op: string;
  readonly token: string;
  readonly writer: string;
  readonly value?: unknown;
}

/** What GET /resources/<name> reports. */
export interface ResourceState {
  readonly value: unknown;
  readonly highestToken: string;
  readonly accepted: number;
  readonly log: readonly FencedRecord[];
  readonly rejected: readonly FencedRecord[];
}

interface Resource {
  value: unknown;
  highestToken: bigint;
  accepted: number;
  log: FencedRecord[];
  rejected: FencedRecord[];
}

/**
 * The "guarded resource" of Kleppmann's fencing argument, as a tiny HTTP server: every request carries
 * the sender's fencing token, and a request whose token is lower than the highest one the resource has
 * seen is refused (409), reads included, so a holder that was paused past its lease cannot act on
 * state a newer holder already touched. In memory only; for the recipes and their tests.
 *
 * POST /resources/<name> {op, token, writer, value} -> 200 {ok: true, value, highestToken} | 409 {ok: false, ...}
 * GET  /resources/<name> -> ResourceState
 */
export class FencedStore {
  private readonly resources = new Map<string, Resource>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(port = 0): Promise<FencedStore> {
    let store: FencedStore | null = null;
    const server = createServer((request, response) => void store?.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    store = new FencedStore(server, (server.address() as { port: number }).port);
    return store;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Applies one request: refused if its token is below the highest seen, else it raises the highest. */
  apply(name: string, request: FencedRequest): FencedAnswer {
    const resource = this.resource(name);
    const token = BigInt(request.token);
    const record: FencedRecord = { op: request.op, token: request.token, writer: request.writer ?? '', ...(request.value === undefined ? {} : { value: request.value }) };
    if (token < resource.highestToken) {
      keep(resource.rejected, record);
      return { ok: false, value: resource.value, highestToken: resource.highestToken.toString() };
    }
    resource.highestToken = token;
    resource.accepted++;
    if (request.op === 'write') resource.value = request.value;
    if (request.op !== 'read') keep(resource.log, record);
    return { ok: true, value: resource.value, highestToken: token.toString() };
  }

  state(name: string): ResourceState {
    const resource = this.resource(name);
    return { value: resource.value, highestToken: resource.highestToken.toString(), accepted: resource.accepted, log: [...resource.log], rejected: [...resource.rejected] };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private resource(name: string): Resource {
    let resource = this.resources.get(name);
    if (resource === undefined) {
      if (this.resources.size >= RESOURCES_MAX) throw new Error(`the store keeps at most ${RESOURCES_MAX} resources`);
      resource = { value: null, highestToken: 0n, accepted: 0, log: [], rejected: [] };
      this.resources.set(name, resource);
    }
    return resource;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/resources\/([A-Za-z0-9._-]+)$/.exec(request.url ?? '');
    try {
      if (match === null) return reply(response, 404, { error: 'no such path' });
      const name = match[1]!;
      if (request.method === 'GET') return reply(response, 200, this.state(name));
      if (request.method !== 'POST') return reply(response, 405, { error: 'GET or POST' });
      const body = JSON.parse(await readBody(request)) as FencedRequest;
      if (!['read', 'write', 'append'].includes(body.op) || typeof body.token !== 'string' || !/^\d+$/.test(body.token)) {
        return reply(response, 400, { error: 'expected {op: read|write|append, token: "<decimal>"}' });
      }
      const answer = this.apply(name, body);
      reply(response, answer.ok ? 200 : 409, answer);
    } catch (error) {
      reply(response, 400, { error: (error as Error).message });
    }
  }
}

function keep(list: FencedRecord[], record: FencedRecord): void {
  list.push(record);
  if (list.length > ENTRIES_MAX) list.shift();
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > REQUEST_BYTES_MAX) throw new Error(`request body larger than ${REQUEST_BYTES_MAX} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A client of a FencedStore over HTTP. */
export class FencedStoreClient {
  constructor(readonly url: string) {}

  /** Sends one fenced request; resolves with the answer whether accepted (ok) or refused as stale. */
  async send(resource: string, request: FencedRequest): Promise<FencedAnswer> {
    const response = await fetch(`${this.url}/resources/${resource}`, { method: 'POST', body: JSON.stringify(request), headers: { 'content-type': 'application/json' } });
    if (response.status !== 200 && response.status !== 409) throw new Error(`store answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as FencedAnswer;
  }

  async state(resource: string): Promise<ResourceState> {
    const response = await fetch(`${this.url}/resources/${resource}`);
    if (response.status !== 200) throw new Error(`store answered ${response.status}`);
    return (await response.json()) as ResourceState;
  }
}
