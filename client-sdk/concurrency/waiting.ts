import type { Client } from '../client.js';
import type { BytesInput } from '../codec.js';
import { CanceledError, SynodError, TimeoutError } from '../errors.js';

/**
 * Resolves when `key` is deleted after `afterRevision` (the revision of the read that saw it alive),
 * so a delete that happens between that read and this watch is not missed.
 */
export async function waitForDelete(client: Client, key: BytesInput, afterRevision: bigint, signal: AbortSignal): Promise<void> {
  const watch = client.watch(key, { startRevision: afterRevision + 1n, noPut: true, signal });
  for await (const event of watch) {
    if (event.type === 'delete') return;
  }
  signal.throwIfAborted();
  throw new SynodError('canceled', 'the watch ended before the key was deleted');
}

/** One signal that aborts when any of `signals` does, with that signal's reason. */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined));
}

/** The signal of a wait bounded by `timeoutMs`, whose reason is a TimeoutError naming `what`. */
export function timeoutSignal(timeoutMs: number | undefined, what: string): AbortSignal | undefined {
  if (timeoutMs === undefined) return undefined;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutError(`${what} did not succeed within ${timeoutMs} ms`, { outcomeUnknown: false })), timeoutMs);
  timer.unref();
  return controller.signal;
}

/** The error to throw when a wait was aborted: the signal's reason if it is one of ours, else CanceledError. */
export function abortError(signal: AbortSignal, what: string): SynodError {
  const reason: unknown = signal.reason;
  if (reason instanceof SynodError) return reason;
  return new CanceledError(`${what} canceled`, { cause: reason, outcomeUnknown: false });
}
