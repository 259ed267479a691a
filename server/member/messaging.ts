import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Message, RawNode } from '../raft/index.js';
import type { PeerTransport } from '../transport/types.js';
import type { Snapshotter } from './snapshotter.js';
import { hexToId } from './identity.js';

/**
 * Sends one Ready's messages: regular ones in one call (the transport batches them per peer), each
 * 'snap' as a stream of the whole state, reporting its outcome to `onSnapshotSent` (Raft must hear it).
 */
export function sendMessages(
  messages: readonly Message[],
  transport: PeerTransport,
  snapshots: Snapshotter,
  log: Logger,
  onSnapshotSent: (to: string, ok: boolean) => void,
): void {
  const regular: Message[] = [];
  for (const message of messages) {
    if (message.type !== 'snap') {
      regular.push(message);
      continue;
    }
    log.info({ to: hexToId(message.to), index: message.snapshot?.metadata.index }, 'sending a snapshot');
    void transport.sendSnapshot(message, snapshots.exportChunks()).then((ok) => {
      log.info({ to: hexToId(message.to), ok }, 'snapshot sent');
      onSnapshotSent(message.to, ok);
    });
  }
  if (regular.length > 0) transport.send(regular);
}

/**
 * Before a leader stops, hands leadership to its most caught-up voter and waits (at most one election
 * timeout) for the member to report a new leader, so clients see a planned restart as a short blip.
 */
export async function handOverLeadership(node: RawNode, member: EventEmitter, electionMs: number, kick: () => void, log: Logger): Promise<void> {
  const status = node.status();
  const best = Object.entries(status.progress)
    .filter(([id, progress]) => id !== node.id && !progress.isLearner)
    .sort((a, b) => b[1].match - a[1].match)[0];
  if (best === undefined) return;
  log.info({ to: hexToId(best[0]) }, 'handing leadership over before stopping');
  const moved = new Promise<void>((resolve) => {
    const timer = setTimeout(done, electionMs);
    function done(): void {
      clearTimeout(timer);
      member.off('leader', done);
      resolve();
    }
    member.once('leader', done);
  });
  node.transferLeadership(best[0]);
  kick();
  await moved;
}
