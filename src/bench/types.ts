/**
 * The study's vocabulary: a case (what work, at which sizes, checked how), a variant (how the work
 * is run: one loop, the event loop, threads, processes, Python), a series (a variant with an
 * optional case-specific mode, e.g. the primes split), and the measurements they produce.
 */
import type { VariantName } from './variants.js';
import type { ForeignLoad } from './load.js';
import type { PythonInfo } from './python/detect.js';

export type { VariantName } from './variants.js';

/** The three sizes every case declares: `tiny` for tests, `quick` by default, `full` for the talk's sizes. */
export interface SizeSet<P> {
  tiny: P;
  quick: P;
  full: P;
}

/** Name of a size. */
export type SizeName = keyof SizeSet<unknown>;

/** One line of a case: a variant, and a case-specific mode such as `'balanced'` or `'mutex'`. */
export interface SeriesSpec {
  variant: VariantName;
  mode?: string;
}

/** What a case needs to set up one series at one worker count. */
export interface PrepareContext<P> {
  params: P;
  variant: VariantName;
  mode?: string;
  workers: number;
  /** The Python interpreter for peer variants (`py-*`), when one is usable. */
  python?: string;
  /** What was found about that Python (PyTorch, the BLAS folders), for the PyTorch peers. */
  pythonInfo?: PythonInfo;
}

/** What one timed run produced. */
export interface RunOutput<V> {
  value: V;
  /**
   * Milliseconds measured by the run itself. Only peers in another runtime set it (they time the
   * same section with their own clock); otherwise the runner times the `run()` call.
   */
  ms?: number;
}

/** A series ready to run: everything outside the timed section (pools started, data in place) is done. */
export interface Prepared<V> {
  /** One timed run: the parallel section only. */
  run(): Promise<RunOutput<V>>;
  /** Stops workers and frees the data. */
  dispose(): Promise<void>;
}

/** The verdict on one run's answer. */
export interface CheckResult {
  ok: boolean;
  expected: string;
  actual: string;
  /** Case-specific numbers for this run, by {@link MetricSpec.key} (e.g. lost updates). */
  metrics?: Record<string, number>;
  /** The FL cases: each round's training + aggregation time and the test accuracy after it. */
  rounds?: readonly RoundFigure[];
  /** What the series ran with, for the reports (the PyTorch peers' BLAS and version). */
  note?: string;
}

/** One FL round of one run. */
export interface RoundFigure {
  ms: number;
  /** Test accuracy after the round, 0..1. */
  accuracy: number;
  /** Milliseconds to evaluate the test set after the round (not in `ms`). */
  evalMs: number;
}

/** One FL round over a series' repeats. */
export interface SeriesRound {
  round: number;
  /** Its time in each repeat. */
  timesMs: number[];
  medianMs: number;
  /** Test accuracy after it (the last repeat's; every repeat trains the same model). */
  accuracy: number;
  /** Median milliseconds of the evaluation after it. */
  evalMedianMs: number;
}

/** A case-specific number recorded per run, shown in tables and charted. */
export interface MetricSpec {
  key: string;
  label: string;
  unit: string;
}

/**
 * A case of the study. One file each under `cases/`; the runner and the reports only use this
 * interface, so adding a case never touches them.
 * @typeParam P - the size parameters, e.g. `{ n: number }`
 * @typeParam V - the value a run produces and `check` verifies
 */
export interface BenchCase<P = unknown, V = unknown> {
  /** Short name used on the command line and in files, e.g. `'primes'`. */
  name: string;
  /** Title for reports. */
  title: string;
  /** One sentence: what the work is and how it is checked. */
  summary: string;
  sizes: SizeSet<P>;
  /** The size in words, e.g. `'N = 10,000,000'`. */
  describeSize(params: P): string;
  /** Every series this case can run, in display order. */
  series: readonly SeriesSpec[];
  /**
   * `'strong'`: the total work is fixed, so time falls with workers and speedup/efficiency are
   * computed against the sequential series. `'weak'`: each worker does a fixed amount (the race),
   * so there is no speedup.
   */
  scaling: 'strong' | 'weak';
  /** Bytes of input data, for comparing peak memory with it. */
  dataBytes?(params: P): number;
  /** Bytes read per run, for a throughput (GB/s) column. */
  throughputBytes?(params: P): number;
  /** Extra per-run numbers that `check` reports. */
  metrics?: readonly MetricSpec[];
  /** Sets one series up at one worker count. */
  prepare(context: PrepareContext<P>): Promise<Prepared<V>>;
  /** Verifies one run's value. */
  check(value: V, params: P, series: SeriesSpec, workers: number): CheckResult;
}

/** A case with its types erased, as the registry holds it. */
export type AnyCase = BenchCase<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Declares a case with full typing inside and an erased type for the registry. */
export function defineCase<P, V>(definition: BenchCase<P, V>): AnyCase {
  return definition as AnyCase;
}

/** Median and range of a list of numbers. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Memory seen while a series ran, in bytes. */
export interface MemoryUse {
  /** Resident memory of this process and its descendants just before the series was set up. */
  baseline: number;
  /**
   * Highest resident memory sampled while the series was set up and run, counting pages shared
   * between processes once (sum of private anonymous memory, plus the largest shared-memory and
   * file-backed residency of any one process).
   */
  peak: number;
  /** Highest plain sum of every process's VmRSS (counts shared pages once per process that touched them). */
  peakRssSum: number;
  /** Number of samples taken. */
  samples: number;
}

/** The measurements of one series at one worker count. */
export interface SeriesResult {
  case: string;
  variant: VariantName;
  mode?: string;
  /** Display name, e.g. `'thread (balanced)'`. */
  label: string;
  runtime: 'node' | 'python';
  workers: number;
  /** Milliseconds of each timed repeat. */
  timesMs: number[];
  time?: Spread;
  /** Baseline median over this series' times (strong-scaling cases only). */
  speedup?: Spread;
  /** Median speedup divided by workers. */
  efficiency?: number;
  /** GB/s (1e9 bytes) from `throughputBytes`. */
  throughput?: Spread;
  /** True when every repeat's answer checked out. */
  ok: boolean;
  /** The check of the last repeat (or of the first failing one). */
  check?: CheckResult;
  /** Case metrics per repeat. */
  metrics?: Record<string, number[]>;
  /** Per-round time and accuracy (the FL cases). */
  rounds?: SeriesRound[];
  /** What the series ran with (the PyTorch peers' BLAS). */
  note?: string;
  memory?: MemoryUse;
  /** Milliseconds to set the series up (start workers, load modules, place data): not in the timings. */
  setupMs?: number;
  /** Why the series did not run or failed. */
  error?: string;
  /** CPU other processes took while the series ran (its kept try), on Linux. */
  load?: ForeignLoad;
  /** How many times the series ran: more than 1 when the machine was busy. */
  tries?: number;
  /** True when other processes took more than BUSY_CORES (load.ts) cores in every try. */
  busy?: boolean;
  /**
   * Why this series' speedup cannot be trusted: its baseline came out slower than a variant doing the same
   * work (an efficiency above 110%), the sign of a baseline measured while something else ran.
   */
  baselineSuspect?: string;
}

/** One case's results. */
export interface CaseResult {
  name: string;
  title: string;
  summary: string;
  size: SizeName;
  params: unknown;
  sizeLabel: string;
  scaling: 'strong' | 'weak';
  dataBytes?: number;
  metrics: MetricSpec[];
  series: SeriesResult[];
}
