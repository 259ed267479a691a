import { Client } from '../../../client-sdk/index.js';
import { ServerProcess, type ServerOptions } from './server-process.js';

/**
 * Registers the usual suite hooks: before, start a real server and a client on it, and hand both to
 * `use`; after, close the client and stop the server (removing its data).
 */
export function serverForSuite(use: (server: ServerProcess, client: Client) => void, options: ServerOptions = {}): void {
  let server: ServerProcess | undefined;
  let client: Client | undefined;
  before(async () => {
    server = await ServerProcess.start(options);
    client = new Client({ endpoints: [server.endpoint] });
    use(server, client);
  });
  after(async () => {
    await client?.close();
    await server?.cleanup();
  });
}
