/** summary.json: the profile's figures without the raw records (what tests, CI and the report's tables read). */
import type { TelemetrySnapshot, LockSummary, WorkerSummary } from './recorder.js';
import type { ProfileSummary } from './cpu/summary.js';

/** Percentiles of a list of durations in ms. */
export interface Distribution {
  count: number;
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

/** What summary.json holds. */
export interface ProfileReport {
  createdAt: string;
  /** Wall time of the profiled block or program, ms. */
  wallMs: number;
  tasks: { count: number; failed: number; byName: Record<string, number>; queueWaitMs: Distribution; runMs: Distribution };
  messages: { sends: number; sendMs: number; receives: number; receiveMs: number };
  workers: WorkerSummary[];
  locks: LockSummary[];
  cpu: { overall: ProfileSummary | null; main: ProfileSummary | null; workers: ProfileSummary[] };
  files: Record<string, string>;
}

/** The distribution of `values` (ms). */
export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, mean: 0, p50: 0, p95: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { count: sorted.length, mean: sorted.reduce((s, x) => s + x, 0) / sorted.length, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] };
}

/** The report's figures from the telemetry and the CPU summaries. */
export function buildReport(data: TelemetrySnapshot, cpu: ProfileReport['cpu'], wallMs: number, files: Record<string, string>): ProfileReport {
  const byName: Record<string, number> = {};
  for (const t of data.tasks) byName[t.name] = (byName[t.name] ?? 0) + 1;
  return {
    createdAt: new Date().toISOString(),
    wallMs,
    tasks: {
      count: data.tasks.length,
      failed: data.failures.length + data.tasks.filter((t) => t.outcome === 'threw').length,
      byName,
      // Start (worker clock) minus enqueue (pool clock): both epoch times, comparable across threads and processes.
      queueWaitMs: distribution(data.tasks.map((t) => Math.max(0, t.startedAt - t.enqueuedAt))),
      runMs: distribution(data.tasks.map((t) => t.runMs)),
    },
    messages: {
      sends: data.sends.length,
      sendMs: data.sends.reduce((s, m) => s + m.ms, 0),
      receives: data.receives.length,
      receiveMs: data.receives.reduce((s, m) => s + m.ms, 0),
    },
    workers: data.workers,
    locks: data.locks,
    cpu,
    files,
  };
}
