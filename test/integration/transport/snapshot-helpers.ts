import net from 'node:net';
import { makeMessage, type Message } from '../../../server/raft/index.js';

/* Helpers shared by the snapshot tests. */

/** One mebibyte. */
export const MIB = 1024 * 1024;

/** A 'snap' message from `from` to `to` carrying the metadata of a snapshot at index 50. */
export function snapMessage(from: string, to: string, data: Uint8Array = new Uint8Array(0)): Message {
  return makeMessage({
    type: 'snap',
    from,
    to,
    term: 4,
    snapshot: { metadata: { index: 50, term: 3, confState: { voters: ['a', 'b'], votersOutgoing: [], learners: ['c'], learnersNext: [], autoLeave: false } }, data },
  });
}

/** Yields `bytes` in pieces of the given sizes (cycling), counting what was pulled and whether it was closed. */
export class Source implements AsyncIterable<Uint8Array> {
  pulledBytes = 0;
  closed = false;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly pieceSizes: readonly number[],
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      let offset = 0;
      for (let i = 0; offset < this.bytes.byteLength; i++) {
        const size = this.pieceSizes[i % this.pieceSizes.length]!;
        const piece = this.bytes.subarray(offset, offset + size);
        offset += piece.byteLength;
        this.pulledBytes += piece.byteLength;
        yield piece;
      }
    } finally {
      this.closed = true;
    }
  }
}

/** A source that never ends (a fresh 64 KiB piece each time), for stall tests. */
export class EndlessSource implements AsyncIterable<Uint8Array> {
  pulledBytes = 0;
  closed = false;
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        this.pulledBytes += 64 * 1024;
        yield new Uint8Array(64 * 1024);
      }
    } finally {
      this.closed = true;
    }
  }
}

/** A promise the test resolves by hand. */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** A TCP proxy that flips one bit of the byte at `offset` of the client-to-target stream. */
export async function startBitFlipProxy(targetPort: number, offset: number): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    let seen = 0;
    client.on('data', (chunk: Buffer) => {
      if (offset >= seen && offset < seen + chunk.byteLength) chunk[offset - seen]! ^= 0x01;
      seen += chunk.byteLength;
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
