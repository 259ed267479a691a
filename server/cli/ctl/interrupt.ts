/**
 * The signals that end a long-running command (`lock`, `elect`) cleanly, as in etcdctl: SIGINT and
 * SIGTERM. While a command listens, these signals no longer kill the process by themselves.
 */
const INTERRUPTS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** An AbortSignal that aborts (reason: the signal's name) on SIGINT or SIGTERM, until disposed. */
export function listenForInterrupt(): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => controller.abort(name);
  for (const name of INTERRUPTS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of INTERRUPTS) process.off(name, onSignal);
    },
  };
}

/** Resolves when `signal` aborts (at once if it already has). */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** How Go's os/exec names a child's death by signal ("signal: killed"), as etcdctl reports it. */
export function goSignalText(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGHUP: 'hangup',
    SIGINT: 'interrupt',
    SIGQUIT: 'quit',
    SIGILL: 'illegal instruction',
    SIGABRT: 'aborted',
    SIGBUS: 'bus error',
    SIGFPE: 'floating point exception',
    SIGKILL: 'killed',
    SIGUSR1: 'user defined signal 1',
    SIGSEGV: 'segmentation fault',
    SIGUSR2: 'user defined signal 2',
    SIGPIPE: 'broken pipe',
    SIGALRM: 'alarm clock',
    SIGTERM: 'terminated',
  };
  return `signal: ${names[signal] ?? signal}`;
}
