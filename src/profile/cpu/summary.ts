/**
 * Self time per function from `.cpuprofile` files (V8's format: a node tree with call frames,
 * plus the sampled node of each tick and the time since the previous tick), per worker and merged.
 */

/** The parts of a V8 CPU profile that the summary reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number }; hitCount?: number; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** One function's share of a profile. */
export interface HotFunction {
  /** `name (file:line)`: the same function in different workers merges under this key. */
  key: string;
  name: string;
  url: string;
  line: number;
  /** `src/tasks.ts:12`, or `(native)` for built-ins and V8's buckets. */
  where: string;
  selfMs: number;
  /** selfMs / the profile's sampled time. */
  share: number;
}

/** A profile's summary. */
export interface ProfileSummary {
  /** The lane it belongs to: `main`, or the pool worker's name. */
  name: string;
  file?: string;
  sampledMs: number;
  /** Functions by self time, most first. */
  functions: HotFunction[];
  /** The first function that is real code, not a V8 bucket like `(program)`, `(idle)` or `(garbage collector)`. */
  hottest: string | null;
}

const BUCKET = /^\(.*\)$/;

/** Self time per function of `profile`, keeping the `top` heaviest. */
export function summarise(name: string, profile: CpuProfile, top = 25, file?: string): ProfileSummary {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, { name: string; url: string; line: number; us: number }>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  let total = 0;
  // timeDeltas[i] is the time before sample i; the time up to the next sample is what sample i stands for.
  for (let i = 0; i < samples.length; i++) {
    const node = byNode.get(samples[i]);
    if (!node) continue;
    const us = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
    const f = node.callFrame;
    if (f.functionName === '(idle)' || f.functionName === '(root)') continue;
    const label = f.functionName || '(anonymous)';
    const key = `${label} ${where(f.url, f.lineNumber + 1)}`;
    const entry = selfUs.get(key) ?? { name: label, url: f.url, line: f.lineNumber + 1, us: 0 };
    entry.us += us;
    selfUs.set(key, entry);
    total += us;
  }
  const functions = rank(selfUs, total, top);
  return { name, file, sampledMs: total / 1000, functions, hottest: functions.find((f) => !BUCKET.test(f.name))?.name ?? null };
}

/** The summaries added together (every worker, or every worker and the main thread). */
export function merge(name: string, parts: readonly ProfileSummary[], top = 25): ProfileSummary {
  const selfUs = new Map<string, { name: string; url: string; line: number; us: number }>();
  let total = 0;
  for (const p of parts) {
    total += p.sampledMs * 1000;
    for (const f of p.functions) {
      const entry = selfUs.get(f.key) ?? { name: f.name, url: f.url, line: f.line, us: 0 };
      entry.us += f.selfMs * 1000;
      selfUs.set(f.key, entry);
    }
  }
  const functions = rank(selfUs, total, top);
  return { name, sampledMs: total / 1000, functions, hottest: functions.find((f) => !BUCKET.test(f.name))?.name ?? null };
}

function rank(selfUs: Map<string, { name: string; url: string; line: number; us: number }>, totalUs: number, top: number): HotFunction[] {
  return [...selfUs]
    .map(([key, e]) => ({ key, name: e.name, url: e.url, line: e.line, where: where(e.url, e.line), selfMs: e.us / 1000, share: totalUs > 0 ? e.us / totalUs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top);
}

/** `file:///a/b/src/tasks.ts?x=1`, line 12 → `src/tasks.ts:12`: enough to tell functions apart in a table. */
function where(url: string, line: number): string {
  return url ? `${shortUrl(url)}:${line}` : '(native)';
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '').replace(/\?.*$/, '');
  return path.split('/').slice(-2).join('/');
}
