import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (as `node --cpu-prof` writes it) the summary reads. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Time attributed to one function or file, in milliseconds. */
export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

export interface ProfileSummary {
  readonly sampledMs: number;
  /** Time the thread was idle (waiting for I/O or timers). */
  readonly idleMs: number;
  readonly functions: ProfileEntry[];
  readonly files: ProfileEntry[];
}

/** `file:///…/dist/server/x.js` → `server/x.js`; node internals keep their `node:` names. */
function shortUrl(url: string): string {
  if (url === '') return '';
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length);
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + 1);
  return url;
}

/**
 * Self and total (inclusive) time per function and per file. Self time is the sampled time spent in
 * the function's own code; total adds the functions it called (counted once per sample, so recursion
 * does not inflate it).
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const functionOf = (id: number): string => {
    const frame = byId.get(id)!.callFrame;
    const file = shortUrl(frame.url);
    return file === '' ? frame.functionName || '(anonymous)' : `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
  };
  const fileOf = (id: number): string => shortUrl(byId.get(id)!.callFrame.url) || `(${byId.get(id)!.callFrame.functionName})`;
  const functions = new Map<string, { selfMs: number; totalMs: number }>();
  const files = new Map<string, { selfMs: number; totalMs: number }>();
  const add = (table: Map<string, { selfMs: number; totalMs: number }>, name: string, self: number, total: number): void => {
    const entry = table.get(name) ?? { selfMs: 0, totalMs: 0 };
    entry.selfMs += self;
    entry.totalMs += total;
    table.set(name, entry);
  };
  let sampledMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    // timeDeltas[i] is the time before sample i; it is charged to the sample, as DevTools does.
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    sampledMs += ms;
    if (byId.get(id)?.callFrame.functionName === '(idle)') idleMs += ms;
    add(functions, functionOf(id), ms, 0);
    add(files, fileOf(id), ms, 0);
    const seenFunctions = new Set<string>();
    const seenFiles = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const fn = functionOf(node);
      const file = fileOf(node);
      if (!seenFunctions.has(fn)) add(functions, fn, 0, ms);
      if (!seenFiles.has(file)) add(files, file, 0, ms);
      seenFunctions.add(fn);
      seenFiles.add(file);
    }
  });
  const sorted = (table: Map<string, { selfMs: number; totalMs: number }>): ProfileEntry[] =>
    [...table.entries()].map(([name, t]) => ({ name, selfMs: t.selfMs, totalMs: t.totalMs })).sort((a, b) => b.selfMs - a.selfMs);
  return { sampledMs, idleMs, functions: sorted(functions), files: sorted(files) };
}

/** The summary as text: the top `top` functions and files by self time, with % of busy (non-idle) time. */
export function profileText(summary: ProfileSummary, top: number): string {
  const busyMs = summary.sampledMs - summary.idleMs;
  const pct = (ms: number): string => `${((ms / busyMs) * 100).toFixed(1).padStart(5)}%`;
  const rows = (entries: readonly ProfileEntry[]): string[] =>
    entries
      .filter((e) => e.name !== '(idle)' && e.name !== '((idle))' && e.name !== '(root)' && e.name !== '((root))')
      .slice(0, top)
      .map((e) => `${e.selfMs.toFixed(0).padStart(8)} ${pct(e.selfMs)} ${e.totalMs.toFixed(0).padStart(8)} ${pct(e.totalMs)}  ${e.name}`);
  return [
    `sampled ${(summary.sampledMs / 1000).toFixed(1)} s, idle ${(summary.idleMs / 1000).toFixed(1)} s, busy ${(busyMs / 1000).toFixed(1)} s (percentages are of busy time)`,
    '',
    ` self ms  self %  total ms total %  function`,
    ...rows(summary.functions),
    '',
    ` self ms  self %  total ms total %  file`,
    ...rows(summary.files),
  ].join('\n');
}

/** Reads a `.cpuprofile` file. */
export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}
