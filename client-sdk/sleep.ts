/**
 * Resolves after `ms`, or as soon as `signal` aborts (never rejects), leaving no listener behind:
 * for backoffs and pacing loops that must stop promptly when their owner closes.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
