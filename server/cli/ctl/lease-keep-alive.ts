import { SynodError, type Client, type LeaseKeepAlive } from '../../../client-sdk/index.js';
import type { CommandContext } from './command.js';
import { CtlError, ExitCode } from './exit-codes.js';
import { listenForInterrupt } from './interrupt.js';
import { leaseHex } from './printers/index.js';
import { sleep } from '../../../client-sdk/sleep.js';

/** Pause between attempts when a renewal failed and the lease may still be alive. */
const RETRY_MS = 250;
/** How long the first renewal may take without a dial timeout (clientv3's default TTL). */
const FIRST_ANSWER_MS_DEFAULT = 5000;

/**
 * `lease keep-alive <id>` without --once, as clientv3's KeepAlive drives it: a renewal at once, then
 * one every third of the TTL the member answered, each printed. It ends when the member says the
 * lease is gone (TTL 0), or when no renewal succeeded before the lease's deadline (one TTL after the
 * last acknowledged renewal was sent; the dial timeout and a second for the first): the simple
 * format then prints "lease <id> expired or revoked." and the command succeeds, as etcdctl's does. SIGINT or
 * SIGTERM ends it quietly with exit 0; the lease is left to expire (etcdctl does not revoke it either).
 */
export async function keepLeaseAlive(context: CommandContext, client: Client, id: bigint, print: (renewed: LeaseKeepAlive) => void): Promise<void> {
  const interrupt = listenForInterrupt();
  try {
    await renewUntilGone(context, client, id, print, interrupt.signal);
  } finally {
    interrupt.dispose();
  }
}

async function renewUntilGone(
  context: CommandContext,
  client: Client,
  id: bigint,
  print: (renewed: LeaseKeepAlive) => void,
  interrupted: AbortSignal,
): Promise<void> {
  // clientv3 waits for the first answer the dial timeout and a second (5 s without a dial timeout).
  const dialTimeoutMs = context.flags.durationMs('dial-timeout');
  let deadlineMs = performance.now() + (dialTimeoutMs > 0 ? dialTimeoutMs + 1000 : FIRST_ANSWER_MS_DEFAULT);
  for (;;) {
    if (interrupted.aborted) return;
    const sentAtMs = performance.now();
    let renewed: LeaseKeepAlive;
    try {
      renewed = await client.lease.renew(id, { signal: interrupted, timeoutMs: Math.max(RETRY_MS, deadlineMs - sentAtMs) });
    } catch (error) {
      if (interrupted.aborted) return;
      if (!(error instanceof SynodError && error.retryable)) throw new CtlError(ExitCode.badConnection, (error as Error).message);
      if (performance.now() >= deadlineMs) break;
      await sleep(RETRY_MS, interrupted);
      continue;
    }
    if (renewed.ttlSeconds <= 0) break;
    print(renewed);
    deadlineMs = sentAtMs + renewed.ttlSeconds * 1000;
    await sleep((renewed.ttlSeconds * 1000) / 3, interrupted);
  }
  if (context.outputFormat === 'simple') context.io.stdout.write(`lease ${leaseHex(id)} expired or revoked.\n`);
}
