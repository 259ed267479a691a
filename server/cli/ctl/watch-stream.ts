import { CompactedError, errorCatalog, type Watch } from '../../../client-sdk/index.js';
import { CtlError } from './exit-codes.js';
import type { CtlIo } from './io.js';
import type { WatchResponse } from './printers/index.js';
import { runForEvent } from './watch-exec.js';
import { watchResponses } from './watch-responses.js';

/** How one watch's responses are shown, and the command run for each event. */
export interface WatchRun {
  readonly print: (response: WatchResponse) => void;
  readonly io: CtlIo;
  readonly exec: readonly string[];
  readonly signal: AbortSignal;
}

/**
 * Prints a watch's responses (a progress notification first as `progress notify: <revision>`), runs
 * the exec command per event, until the watch ends. Resolves null when `signal` stopped it; otherwise
 * reports the cancel as etcdctl does (stderr, then the canceled response) and resolves with it.
 */
export async function streamWatch(watch: Watch, run: WatchRun): Promise<Error | null> {
  try {
    for await (const response of watchResponses(watch)) {
      if (response.events.length === 0) run.io.stdout.write(`progress notify: ${response.header.revision}\n`);
      run.print(response);
      for (const event of response.events) await runForEvent(run.exec, response.header.revision, event, run.io, run.signal);
    }
  } catch (error) {
    if (run.signal.aborted) return null;
    if (error instanceof CtlError) throw error;
    // etcd's error for a compacted watch, in the catalog's words (the server's adds the revision).
    const message = error instanceof CompactedError ? errorCatalog.compacted.message : (error as Error).message;
    run.io.stderr.write(`watch was canceled (${message})\n`);
    if (error instanceof CompactedError) {
      const header = error.header ?? { clusterId: 0n, memberId: 0n, revision: 0n, raftTerm: 0n };
      run.print({ header, events: [], compactRevision: error.compactRevision, canceled: true });
    }
    return error as Error;
  }
  return run.signal.aborted ? null : new Error('the watch ended');
}
