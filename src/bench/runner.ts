/**
 * Runs the study: for every selected case, series and worker count, set up (untimed), run the
 * timed section `repeat` times, check every answer, and record time, memory and case metrics.
 * Knows cases only through the {@link BenchCase} interface.
 */
import { performance } from 'node:perf_hooks';
import { machineInfo } from './machine.js';
import { collectGarbage } from './memory/gc.js';
import { MemorySampler } from './memory/sampler.js';
import { probeBandwidth, type BandwidthProbe } from './probe/bandwidth.js';
import { isBusy, startLoadWindow } from './load.js';
import { evaluateFindings } from './report/findings.js';
import type { PythonInfo } from './python/detect.js';
import { peerUnavailable } from './python/availability.js';
import type { StudyResult } from './result.js';
import { invert, spread } from './stats.js';
import type { AnyCase, CaseResult, CheckResult, RoundFigure, SeriesResult, SeriesRound, SeriesSpec, SizeName } from './types.js';
import { seriesLabel, VARIANTS, type VariantName } from './variants.js';

export type { StudyResult } from './result.js';

/** What to run. */
export interface StudyOptions {
  cases: readonly AnyCase[];
  size: SizeName;
  /** Worker counts for the parallel variants (single-worker variants always run at 1). */
  workers: readonly number[];
  /** Only these variants; default all. */
  variants?: readonly VariantName[];
  /** Timed repeats per series and worker count. */
  repeat: number;
  /** The Python found for the peers (peers are skipped when it is not available). */
  python: PythonInfo;
  /** Untimed warm-up runs of Node series before the timed ones: 0 or 1 (default 1). */
  warmup?: number;
  /** Probe memory bandwidth (for cases that report throughput). Default true. */
  probe?: boolean;
  /** Pause before a series is run again on a busy machine, in ms (default 1000). */
  busyPauseMs?: number;
  /** Progress callback. */
  onEvent?: (event: StudyEvent) => void;
}

/** Progress of a study, for live views. */
export type StudyEvent =
  | { kind: 'plan'; runs: number }
  | { kind: 'probe'; workers: number }
  | { kind: 'series'; case: string; label: string; workers: number }
  | { kind: 'run'; case: string; label: string; workers: number; repeat: number; ms: number; ok: boolean }
  | { kind: 'error'; case: string; label: string; workers: number; message: string }
  | { kind: 'skip'; message: string }
  /** Other processes took `cores` while a series ran; it runs `runs` more times (0: no tries left, kept as busy). */
  | { kind: 'busy'; case: string; label: string; workers: number; cores: number; runs: number };

/** One unit of work for the runner. */
interface Job {
  spec: SeriesSpec;
  workers: number;
}

function jobsFor(c: AnyCase, options: StudyOptions, skipped: Set<string>): Job[] {
  const jobs: Job[] = [];
  for (const spec of c.series) {
    if (options.variants && !options.variants.includes(spec.variant)) continue;
    const unavailable = peerUnavailable(spec, options.python);
    if (unavailable) {
      skipped.add(unavailable);
      continue;
    }
    const counts = VARIANTS[spec.variant].singleWorker ? [1] : options.workers;
    for (const workers of counts) jobs.push({ spec, workers });
  }
  return jobs;
}

/** Bytes the bandwidth probe reads: well beyond any cache, and at least the largest case array. */
export function probeBytes(options: Pick<StudyOptions, 'cases' | 'size'>): number {
  const largest = Math.max(0, ...options.cases.map((c) => c.dataBytes?.(c.sizes[options.size]) ?? 0));
  return options.size === 'tiny' ? 16e6 : Math.max(256e6, largest);
}

/** Runs the study. Failures of one series are recorded in its result; the study goes on. */
export async function runStudy(options: StudyOptions): Promise<StudyResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const emit = options.onEvent ?? (() => {});
  const unavailable = new Set<string>();
  const plan = options.cases.map((c) => ({ c, jobs: jobsFor(c, options, unavailable) }));
  const skipped = [...unavailable];
  for (const message of skipped) emit({ kind: 'skip', message });
  emit({ kind: 'plan', runs: plan.reduce((sum, p) => sum + p.jobs.length * options.repeat, 0) });

  let bandwidth: BandwidthProbe | undefined;
  const wantsProbe = (options.probe ?? true) && options.cases.some((c) => c.throughputBytes);
  if (wantsProbe) {
    for (const workers of options.workers) emit({ kind: 'probe', workers });
    bandwidth = await probeBandwidth(options.workers, probeBytes(options));
    collectGarbage();
  }

  const sampler = await MemorySampler.start();
  const loadState: LoadState = { stayedBusy: false };
  const cases: CaseResult[] = [];
  try {
    for (const { c, jobs } of plan) {
      const params = c.sizes[options.size];
      const series: SeriesResult[] = [];
      for (const job of jobs) series.push(await runUntilQuiet(c, params, job, options, sampler, emit, loadState));
      markSuspectBaselines(addSpeedups(c, series));
      cases.push({
        name: c.name,
        title: c.title,
        summary: c.summary,
        size: options.size,
        params,
        sizeLabel: c.describeSize(params),
        scaling: c.scaling,
        dataBytes: c.dataBytes?.(params),
        metrics: [...(c.metrics ?? [])],
        series,
      });
    }
  } finally {
    await sampler.stop();
  }
  const result: StudyResult = {
    schema: 'weft.bench/1',
    startedAt,
    durationMs: performance.now() - started,
    size: options.size,
    repeat: options.repeat,
    workers: [...options.workers],
    machine: machineInfo(),
    python: options.python,
    bandwidth,
    cases,
    skipped,
    findings: [],
  };
  result.findings = evaluateFindings(result);
  return result;
}

/** Tries per series when other processes keep the machine busy: the first and up to two more. */
const MAX_TRIES = 3;

/** Whether the machine stayed busy through the last series' tries, carried from series to series. */
interface LoadState {
  stayedBusy: boolean;
}

/**
 * Runs a series; while other processes keep the machine busy (see {@link isBusy}), runs it again (after a
 * pause, as a passing load may end), up to {@link MAX_TRIES} times. Keeps the least disturbed try, marked
 * busy if even that one was.
 */
async function runUntilQuiet(
  c: AnyCase,
  params: unknown,
  job: Job,
  options: StudyOptions,
  sampler: MemorySampler,
  emit: (event: StudyEvent) => void,
  state: LoadState,
): Promise<SeriesResult> {
  let kept: SeriesResult | undefined;
  let tries = 0;
  // A load that outlasted the last series' tries is not passing: try once until a series runs quiet again.
  const maxTries = state.stayedBusy ? 1 : MAX_TRIES;
  while (tries < maxTries) {
    tries++;
    const window = startLoadWindow();
    const result = await runSeries(c, params, job, options, sampler, emit);
    result.load = window.stop();
    const cores = result.load?.cores ?? 0;
    if (!kept || cores < (kept.load?.cores ?? 0)) kept = result;
    if (!isBusy(result.load) || result.error !== undefined) break;
    const again = tries < maxTries;
    emit({ kind: 'busy', case: c.name, label: result.label, workers: job.workers, cores, runs: again ? options.repeat : 0 });
    if (again) await new Promise((resolve) => setTimeout(resolve, options.busyPauseMs ?? 1000));
  }
  kept!.tries = tries;
  kept!.busy = isBusy(kept!.load);
  state.stayedBusy = kept!.busy;
  return kept!;
}

/**
 * A baseline is suspect when a series doing the same work beats it by more than the workers explain (an
 * efficiency above 110%, or a one-worker variant more than 10% faster): the sign of a baseline slowed by
 * something else. Every series whose speedup rests on it is marked.
 */
function markSuspectBaselines(baseOf: Map<SeriesResult, SeriesResult>): void {
  for (const base of new Set(baseOf.values())) {
    const resting = [...baseOf].filter(([, b]) => b === base).map(([s]) => s);
    const worst = resting.reduce<SeriesResult | undefined>((w, s) => (s.efficiency! > (w?.efficiency ?? 1.1) ? s : w), undefined);
    if (!worst) continue;
    const reason = `baseline suspect: ${worst.label} at W = ${worst.workers} ran at ${(worst.efficiency! * 100).toFixed(0)}% efficiency against ${base.label}, more than its workers can give`;
    for (const s of resting) s.baselineSuspect = reason;
  }
}

async function runSeries(
  c: AnyCase,
  params: unknown,
  { spec, workers }: Job,
  options: StudyOptions,
  sampler: MemorySampler,
  emit: (event: StudyEvent) => void,
): Promise<SeriesResult> {
  const label = seriesLabel(spec.variant, spec.mode);
  const result: SeriesResult = {
    case: c.name,
    variant: spec.variant,
    mode: spec.mode,
    label,
    runtime: VARIANTS[spec.variant].runtime,
    workers,
    timesMs: [],
    ok: false,
  };
  emit({ kind: 'series', case: c.name, label, workers });
  collectGarbage(); // the previous series' data must not count in this one's memory
  sampler.begin();
  const metrics: Record<string, number[]> = {};
  const rounds: (readonly RoundFigure[])[] = [];
  let failed: CheckResult | undefined;
  let last: CheckResult | undefined;
  try {
    const setupStart = performance.now();
    const python = options.python.available ? options.python.path : undefined;
    const prepared = await c.prepare({ params, variant: spec.variant, mode: spec.mode, workers, python, pythonInfo: options.python });
    result.setupMs = performance.now() - setupStart;
    try {
      // One untimed run first for Node series: V8 compiles the loops and the pages get mapped,
      // so the repeats measure the steady state. (CPython has no JIT; its peers run cold, and the
      // talk's numbers are cold too.)
      if (result.runtime === 'node' && (options.warmup ?? 1) > 0) {
        const warm = await prepared.run();
        const verdict = c.check(warm.value, params, spec, workers);
        if (!verdict.ok) failed ??= verdict;
      }
      for (let repeat = 0; repeat < options.repeat; repeat++) {
        const t0 = performance.now();
        const output = await prepared.run();
        const ms = output.ms ?? performance.now() - t0;
        last = c.check(output.value, params, spec, workers);
        if (!last.ok) failed ??= last;
        for (const [key, value] of Object.entries(last.metrics ?? {})) (metrics[key] ??= []).push(value);
        if (last.rounds) rounds.push(last.rounds);
        result.timesMs.push(ms);
        emit({ kind: 'run', case: c.name, label, workers, repeat, ms, ok: last.ok });
      }
    } finally {
      await prepared.dispose();
    }
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
    emit({ kind: 'error', case: c.name, label, workers, message: result.error });
  }
  result.memory = sampler.end();
  result.ok = result.error === undefined && failed === undefined && result.timesMs.length === options.repeat;
  result.check = failed ?? last;
  if (Object.keys(metrics).length > 0) result.metrics = metrics;
  if (rounds.length > 0) result.rounds = roundsOverRepeats(rounds);
  if (last?.note) result.note = last.note;
  if (result.timesMs.length > 0) {
    result.time = spread(result.timesMs);
    const bytes = c.throughputBytes?.(params);
    if (bytes !== undefined) result.throughput = invert(result.time, (ms) => bytes / (ms * 1e6));
  }
  return result;
}

/**
 * Speedup = baseline median time / this series' time, for strong-scaling cases. The baseline is
 * the sequential series of the same runtime and mode (array-sum's SIMD threads against the SIMD loop
 * on one thread), else the plain sequential series, else (Python, which has no sequential series
 * here) the same series with one worker.
 */
function addSpeedups(c: AnyCase, series: SeriesResult[]): Map<SeriesResult, SeriesResult> {
  const baseOf = new Map<SeriesResult, SeriesResult>();
  if (c.scaling !== 'strong') return baseOf;
  for (const s of series) {
    if (!s.time) continue;
    const single = (b: SeriesResult): boolean => b.runtime === s.runtime && VARIANTS[b.variant].singleWorker && b.time !== undefined;
    const base =
      series.find((b) => single(b) && b.mode === s.mode) ??
      series.find((b) => single(b) && b.mode === undefined) ??
      series.find((b) => b.variant === s.variant && b.mode === s.mode && b.workers === 1 && b.time);
    if (!base?.time) continue;
    const baseMs = base.time.median;
    s.speedup = invert(s.time, (ms) => baseMs / ms);
    s.efficiency = s.speedup.median / s.workers;
    baseOf.set(s, base);
  }
  return baseOf;
}

/** Each round's times across the repeats, with the last repeat's accuracy. */
function roundsOverRepeats(repeats: (readonly RoundFigure[])[]): SeriesRound[] {
  const last = repeats[repeats.length - 1];
  return last.map((figure, i) => {
    const same = repeats.map((r) => r[i]).filter((f): f is RoundFigure => f !== undefined);
    const timesMs = same.map((f) => f.ms);
    return { round: i + 1, timesMs, medianMs: spread(timesMs).median, accuracy: figure.accuracy, evalMedianMs: spread(same.map((f) => f.evalMs)).median };
  });
}
