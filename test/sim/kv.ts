/**
 * The simulated members' state machine: a deterministic string KV store with client sessions.
 * Every write carries (clientId, seq); a session remembers each client's latest seq and its result,
 * so a retried or duplicated command is applied once and answered with the first result (Raft
 * dissertation §6.3), and a command older than the session's seq is skipped.
 */

/** A write command as it travels in a log entry. */
export interface KvCommand {
  readonly clientId: number;
  readonly seq: number;
  readonly op: 'put' | 'cas' | 'delete';
  readonly key: string;
  /** put and cas: the new value. */
  readonly value?: string;
  /** cas: the value compared against (null: the key must be absent). */
  readonly expected?: string | null;
  /** The proposal (member and attempt) that carried it; not part of the command's effect. */
  readonly tag?: string;
}

/** What applying a write produced: put `{}`, cas `{ ok }`, delete `{ deleted }`. */
export interface KvResult {
  readonly ok?: boolean;
  readonly deleted?: boolean;
}

interface Session {
  seq: number;
  result: KvResult;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a command as the payload of a normal log entry. */
export function encodeCommand(cmd: KvCommand): Uint8Array {
  return encoder.encode(JSON.stringify(cmd));
}

/** Decodes a log entry payload written by `encodeCommand`. */
export function decodeCommand(data: Uint8Array): KvCommand {
  return JSON.parse(decoder.decode(data)) as KvCommand;
}

/** FNV-1a over a string, as 8 hex digits: a cheap digest for comparing states across members. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The state machine of one member incarnation. Invariant: its content is a pure function of the
 * sequence of commands applied (from the snapshot it was restored from), so two members that applied
 * the same log prefix hold equal states with equal digests.
 */
export class KvStateMachine {
  private data = new Map<string, string>();
  private sessions = new Map<number, Session>();

  /** The current value of `key` (null when absent). */
  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** Applies a command; returns its result (the remembered one for a duplicate), or null if it is stale. */
  apply(cmd: KvCommand): KvResult | null {
    const session = this.sessions.get(cmd.clientId);
    if (session !== undefined) {
      if (cmd.seq === session.seq) return session.result;
      if (cmd.seq < session.seq) return null;
    }
    const result = this.execute(cmd);
    this.sessions.set(cmd.clientId, { seq: cmd.seq, result });
    return result;
  }

  private execute(cmd: KvCommand): KvResult {
    const current = this.get(cmd.key);
    switch (cmd.op) {
      case 'put':
        this.data.set(cmd.key, cmd.value!);
        return {};
      case 'delete':
        this.data.delete(cmd.key);
        return { deleted: current !== null };
      case 'cas': {
        const ok = current === (cmd.expected ?? null);
        if (ok) this.data.set(cmd.key, cmd.value!);
        return { ok };
      }
    }
  }

  /** Serialises the whole state (data and sessions) with sorted keys, so equal states encode equally. */
  snapshot(): Uint8Array {
    return encoder.encode(this.canonical());
  }

  /** Replaces the state with a snapshot written by `snapshot()`; empty data is the empty state. */
  restore(data: Uint8Array): void {
    this.data = new Map();
    this.sessions = new Map();
    if (data.byteLength === 0) return;
    const parsed = JSON.parse(decoder.decode(data)) as { d: [string, string][]; s: [number, number, KvResult][] };
    for (const [k, v] of parsed.d) this.data.set(k, v);
    for (const [c, seq, result] of parsed.s) this.sessions.set(c, { seq, result });
  }

  /** A digest of the whole state. */
  digest(): string {
    return fnv1a(this.canonical());
  }

  private canonical(): string {
    const d = [...this.data.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const s = [...this.sessions.entries()].sort(([a], [b]) => a - b).map(([c, v]) => [c, v.seq, v.result]);
    return JSON.stringify({ d, s });
  }
}
