/** Where the CLI writes: text is written as UTF-8, Buffers byte for byte (keys and values are bytes). */
export interface Output {
  write(chunk: string | Uint8Array): void;
}

/** Bounds what `put` and `txn` read from stdin, so a runaway pipe cannot exhaust memory. */
export const STDIN_BYTES_MAX = 64 * 1024 * 1024;

/**
 * Reads stdin on demand, the way etcdctl's bufio.Reader does: `readLine` returns one line with its
 * newline, or null when the input ends before a newline (Go's ReadString returning io.EOF, which
 * etcdctl treats as an error even if a partial line was read). Reading lazily lets `txn -i` prompt
 * before each section.
 */
export class StdinReader {
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  private bytesRead = 0;
  private chunks: AsyncIterator<Buffer | string> | null = null;

  constructor(private readonly stream: AsyncIterable<Buffer | string>) {}

  async readLine(): Promise<Buffer | null> {
    for (;;) {
      const newline = this.pending.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.pending.subarray(0, newline + 1);
        this.pending = this.pending.subarray(newline + 1);
        return line;
      }
      if (!(await this.fill())) return null;
    }
  }

  /** Everything not read yet, up to the end of the input. */
  async readAll(): Promise<Buffer> {
    while (await this.fill());
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    this.chunks ??= this.stream[Symbol.asyncIterator]();
    const next = await this.chunks.next();
    if (next.done === true) {
      this.ended = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.bytesRead += chunk.length;
    if (this.bytesRead > STDIN_BYTES_MAX) throw new Error(`stdin is larger than ${STDIN_BYTES_MAX} bytes`);
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    return true;
  }
}

/** Everything a command touches outside itself; tests could supply their own. */
export interface CtlIo {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly stdin: StdinReader;
  readonly env: NodeJS.ProcessEnv;
}
