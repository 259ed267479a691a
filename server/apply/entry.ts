import { SynodError } from '../errors.js';

/** Methods whose requests go through the log. */
export const WRITE_METHODS = [
  'kv.put',
  'kv.deleterange',
  'kv.txn',
  'kv.compaction',
  'member.publish',
  'member.update',
  'lease.grant',
  'lease.revoke',
  'lease.renew',
  'lease.checkpoint',
  'lease.expire',
] as const;
export type WriteMethod = (typeof WRITE_METHODS)[number];

/**
 * What a log entry carries: the method, its wire params (already validated by the api), and the
 * proposal id that lets the proposing member match the applied entry to its waiter.
 */
export interface Proposal {
  readonly method: WriteMethod;
  readonly params: unknown;
  readonly proposalId: string;
}

/** Encodes a proposal as the data of a log entry. */
export function encodeProposal(proposal: Proposal): Uint8Array {
  return Buffer.from(JSON.stringify({ m: proposal.method, p: proposal.params, i: proposal.proposalId }), 'utf8');
}

/** Decodes the data of a log entry. An empty entry (a leader's no-op) decodes to null. */
export function decodeProposal(data: Uint8Array): Proposal | null {
  if (data.byteLength === 0) return null;
  const parsed = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as {
    m: unknown;
    p: unknown;
    i: unknown;
  };
  if (!(WRITE_METHODS as readonly unknown[]).includes(parsed.m) || typeof parsed.i !== 'string') {
    throw new SynodError('internal', `log entry holds an unknown proposal ${String(parsed.m)}`);
  }
  return { method: parsed.m as WriteMethod, params: parsed.p, proposalId: parsed.i };
}
