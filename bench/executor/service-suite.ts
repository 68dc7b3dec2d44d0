/**
 * The service suite (issue 14): a pool as a service meets it soon after it starts. For every
 * (pool, backend, condition) and repeat, service.mjs runs in a fresh process: time to the first
 * result, the p50/p99 of 2,000 sequential tiny calls after only 200 warm-up calls, the CPU an
 * idle pool burns, and the time from close() to the process's end (measured here, from the
 * outside). Conditions: `idle` machine; `hog`, one other process spinning on a core for the whole
 * run (started and stopped here); `oversubscribed`, twice as many workers as cores; `mixed`,
 * tiny calls awaited one by one while 50 ms tasks keep the other workers busy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  cell,
  killGroup,
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
import { printNotes } from './steady-suite.js';

export type Condition = 'idle' | 'hog' | 'oversubscribed' | 'mixed';
export const CONDITIONS: Condition[] = ['idle', 'hog', 'oversubscribed', 'mixed'];
export type ServiceFigure = 'p50' | 'p99' | 'firstResult' | 'closeToExit' | 'idleCpu';

export interface ServiceResult extends Measured<ServiceFigure> {
  condition: Condition;
  workers: number;
  /** Wall-clock time (ms) at which close() was called, to time the process's end from outside. */
  closeStartedAt?: number;
}

export const SERVICE_FIGURES: FigureSpec<ServiceFigure>[] = [
  { key: 'p50', label: 'p50 µs', lowerIsBetter: true, digits: 1 },
  { key: 'p99', label: 'p99 µs', lowerIsBetter: true, digits: 1 },
  { key: 'firstResult', label: 'first result ms', lowerIsBetter: true, digits: 1 },
  { key: 'closeToExit', label: 'close → exit ms', lowerIsBetter: true, digits: 1 },
  { key: 'idleCpu', label: 'idle CPU % of a core', lowerIsBetter: true, digits: 2 },
];

export const SERVICE_SIZES = { serviceWarmUp: 200, latency: 2_000, longTaskMs: 50, idleSettleMs: 1_000, idleMeasureMs: 2_000 };
const CASE_TIMEOUT_MS = 60_000;
const SERVICE_TIMEOUT_MS = 120_000;
const SERVICE = fileURLToPath(new URL('./service.mjs', import.meta.url));
/** Issue 14's bound on the CPU an idle pool may use. */
export const IDLE_CPU_LIMIT = 1;

/** A process spinning on one core, in its own process group, until stopped. */
export function startHog(): ChildProcess {
  return spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true });
}

export function stopHog(hog: ChildProcess): void {
  killGroup(hog.pid);
}

/** Runs service.mjs for one (pool, backend, condition), with the hog beside it for `hog`. */
export async function runService(pool: string, backend: Backend, condition: Condition, weft: 'src' | 'dist', cores: number): Promise<ServiceResult> {
  const workers = condition === 'oversubscribed' ? 2 * cores : cores;
  const config = { pool, backend, workers, condition, sizes: SERVICE_SIZES, caseTimeoutMs: CASE_TIMEOUT_MS, weftEntry: weftEntry(weft) };
  const hog = condition === 'hog' ? startHog() : undefined;
  try {
    const { result, exitedAt, failure } = await spawnMeasurement<ServiceResult>(SERVICE, config, weft, SERVICE_TIMEOUT_MS);
    if (!result) return { pool, backend, condition, workers, ok: false, notes: [], figures: {}, extra: {}, errors: { runner: failure ?? 'no result' } };
    if (result.ok && result.closeStartedAt !== undefined && failure === undefined) result.figures.closeToExit = exitedAt - result.closeStartedAt;
    if (failure) result.errors.exit = failure;
    return result;
  } finally {
    if (hog) stopHog(hog);
  }
}

export interface ServiceSummary {
  pool: string;
  stats: Spread<ServiceFigure>;
  runs: ServiceResult[];
}

export function summariseService(pool: string, runs: ServiceResult[]): ServiceSummary {
  return { pool, stats: spreadOf(SERVICE_FIGURES, runs), runs };
}

const CONDITION_TITLES: Record<Condition, string> = {
  idle: 'idle machine',
  hog: 'one other process spinning on a core',
  oversubscribed: 'workers = 2x cores',
  mixed: 'tiny calls while 50 ms tasks keep the other workers busy',
};

/** The figures each condition reports: idle CPU where the pool idles, first result and exit everywhere. */
function figuresFor(condition: Condition): FigureSpec<ServiceFigure>[] {
  return SERVICE_FIGURES.filter((f) => f.key !== 'idleCpu' || condition === 'idle' || condition === 'oversubscribed');
}

/** Prints one (backend, condition) table and its verdicts. Idle CPU is judged against 1% of a core, not a peer. */
export function printService(backend: Backend, condition: Condition, summaries: ServiceSummary[], repeat: number): Verdict<ServiceFigure>[] {
  const figures = figuresFor(condition);
  const kind = backend === 'thread' ? 'threads' : 'processes';
  console.log(`\n## Fresh pool, 200-call warm-up, ${kind}, ${CONDITION_TITLES[condition]}: medians (range) of ${repeat} run${repeat > 1 ? 's' : ''}\n`);
  console.log(table(['pool', ...figures.map((f) => f.label)], summaries.map((s) => [s.pool, ...figures.map((f) => cell(s.stats, f, s.runs.length))])));
  const judged = figures.filter((f) => f.key !== 'idleCpu');
  const vs = judged.map((f) => verdict(f, 1, summaries));
  const rows = vs.map((v, i) => verdictRow(judged[i], v));
  const idle = figures.find((f) => f.key === 'idleCpu');
  if (idle) {
    const w = summaries.find((s) => s.pool === 'weft')?.stats.medians.idleCpu;
    rows.push([idle.label, w === undefined ? '—' : w.toFixed(2), '—', '—', `< ${IDLE_CPU_LIMIT}%`, w === undefined ? 'n/a' : w < IDLE_CPU_LIMIT ? 'met' : 'MISSED']);
  }
  console.log(`\nweft against the best peer (best peer / weft, so > 1 means weft is better):\n`);
  console.log(table(['figure', 'weft', 'best peer', 'ratio', 'target', 'verdict'], rows));
  printNotes(summaries);
  return vs;
}
