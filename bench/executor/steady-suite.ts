/**
 * The steady-state suite: throughput and round-trip latency of a pool that has been warmed up
 * long (10,000 untimed calls before the latency case), measured by runner.mjs, one process per
 * (pool, backend) and repeat.
 */
import { fileURLToPath } from 'node:url';
import {
  cell,
  spawnMeasurement,
  spreadOf,
  table,
  verdict,
  verdictRow,
  weftEntry,
  type Backend,
  type FigureSpec,
  type Measured,
  type Spread,
  type Verdict,
} from './common.js';

export type SteadyFigure = 'tiny' | 'factorial' | 'p50' | 'p99' | 'copy' | 'transfer';
export type CaseName = 'tiny' | 'factorial' | 'latency' | 'copy' | 'transfer';
export const CASES: CaseName[] = ['tiny', 'factorial', 'latency', 'copy', 'transfer'];

export type RunnerResult = Measured<SteadyFigure>;

export const FIGURES: FigureSpec<SteadyFigure>[] = [
  { key: 'tiny', label: 'tiny tasks/s', lowerIsBetter: false, digits: 0 },
  { key: 'factorial', label: 'factorial(1000)/s', lowerIsBetter: false, digits: 0 },
  { key: 'p50', label: 'p50 µs', lowerIsBetter: true, digits: 1 },
  { key: 'p99', label: 'p99 µs', lowerIsBetter: true, digits: 1 },
  { key: 'copy', label: '8 MB copied/s', lowerIsBetter: false, digits: 1 },
  { key: 'transfer', label: '8 MB transferred/s', lowerIsBetter: false, digits: 1 },
];

/** Issue 2's targets: weft / best peer (best peer / weft for latencies). */
export const TARGETS: Record<Backend, Record<SteadyFigure, number>> = {
  thread: { tiny: 3, factorial: 1, p50: 1, p99: 1, copy: 1, transfer: 1 },
  process: { tiny: 1.5, factorial: 1, p50: 1, p99: 1, copy: 1, transfer: 1 },
};

export const SIZES = { tiny: 20_000, factorial: 5_000, latency: 2_000, latencyWarmUp: 10_000, bigArg: 200, arrayLength: 1 << 20 };
const CASE_TIMEOUT_MS = 60_000;
/** A runner gets this long in all before its process group is killed. */
const RUNNER_TIMEOUT_MS = 180_000;
const RUNNER = fileURLToPath(new URL('./runner.mjs', import.meta.url));

/** The cases asked for (default all) that `backend` has: processes have no transfer. */
export function casesFor(backend: Backend, selected: CaseName[] | undefined): CaseName[] {
  const all = backend === 'thread' ? CASES : CASES.filter((c) => c !== 'transfer');
  return selected ? all.filter((c) => selected.includes(c)) : all;
}

/** Runs runner.mjs for one (pool, backend) in a fresh process. */
export async function runSteady(pool: string, backend: Backend, weft: 'src' | 'dist', workers: number, cases: CaseName[]): Promise<RunnerResult> {
  const config = { pool, backend, workers, cases, sizes: SIZES, caseTimeoutMs: CASE_TIMEOUT_MS, weftEntry: weftEntry(weft) };
  const { result, failure } = await spawnMeasurement<RunnerResult>(RUNNER, config, weft, RUNNER_TIMEOUT_MS);
  return result ?? { pool, backend, ok: false, notes: [], figures: {}, extra: {}, errors: { runner: failure ?? 'no result' } };
}

/** The case that measures `figure`. */
function caseOf(figure: SteadyFigure): CaseName {
  return figure === 'p50' || figure === 'p99' ? 'latency' : figure;
}

export interface SteadySummary {
  pool: string;
  stats: Spread<SteadyFigure>;
  runs: RunnerResult[];
}

/** Prints one backend's table and verdicts; returns the verdicts. */
export function printSteady(backend: Backend, cases: CaseName[], summaries: SteadySummary[], repeat: number): Verdict<SteadyFigure>[] {
  const figures = FIGURES.filter((f) => cases.includes(caseOf(f.key)));
  const title = backend === 'thread' ? 'Thread backends (worker_threads)' : 'Process backends (child processes, V8 serialization)';
  console.log(`\n## Steady state (10,000-call warm-up). ${title}: medians (range) of ${repeat} run${repeat > 1 ? 's' : ''}\n`);
  console.log(table(['pool', ...figures.map((f) => f.label)], summaries.map((s) => [s.pool, ...figures.map((f) => cell(s.stats, f, s.runs.length))])));
  const vs = figures.map((f) => verdict(f, TARGETS[backend][f.key], summaries));
  console.log(`\nweft / best peer (latencies: best peer / weft, so > 1 means weft is faster):\n`);
  console.log(table(['figure', 'weft', 'best peer', 'ratio', 'target', 'verdict'], vs.map((v, i) => verdictRow(figures[i], v))));
  printNotes(summaries);
  return vs;
}

/** The notes and errors of every pool's runs, once each. */
export function printNotes(summaries: { pool: string; runs: { notes: string[]; errors: Record<string, string> }[] }[]): void {
  const notes: string[] = [];
  for (const s of summaries) {
    const seen = new Set<string>();
    for (const [i, r] of s.runs.entries()) {
      for (const n of r.notes) seen.add(n);
      for (const [where, message] of Object.entries(r.errors)) seen.add(`repeat ${i + 1}, ${where}: ${message.split('\n')[0]}`);
    }
    for (const n of seen) notes.push(`${s.pool}: ${n}`);
  }
  if (notes.length) console.log('\n' + notes.map((n) => `- ${n}`).join('\n'));
}

export function summariseSteady(pool: string, runs: RunnerResult[]): SteadySummary {
  return { pool, stats: spreadOf(FIGURES, runs), runs };
}
