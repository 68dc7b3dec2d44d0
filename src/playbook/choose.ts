/**
 * The auto backend's rule, as a pure function of what was measured. Per task function:
 *
 * 1. Each sampled call gives two times: end to end (submit to settle, so message passing and
 *    serialisation count; worker start-up does not, it is paid once per pool) and the task's own
 *    run time inside the worker. Their difference is the overhead of getting the call there and back;
 *    its smallest value is taken, since noise (other processes, GC, a cold first call) only adds to it.
 * 2. A burst of calls runs one at a time inline, but `parallelism` at a time on threads or
 *    processes (min(workers, cores)). The work divides among the workers; the overhead is counted
 *    whole (it is mostly paid on the caller's thread, which is one). So the cost per call in a
 *    burst is `work / parallelism + overhead` on thread and process, and `work + overhead` inline
 *    (work: the median run time). The lowest wins: a parallel backend wins when the work parallelism saves,
 *    `work * (1 - 1/parallelism)`, exceeds the extra overhead of a message round trip. A trivial
 *    task stays inline; a heavy one goes parallel.
 * 3. Inline is out when its median call exceeds `inlineLimitMs`: every call would block the
 *    caller's event loop that long (this also decides heavy tasks on a one-core machine).
 * 4. Processes must beat threads by more than `processMargin`: threads are cheaper to keep and can
 *    share memory, and a smaller gap is within run-to-run noise.
 */
import type { LocalBackendKind as BackendKind } from '../pool/backends/types.js';
import type { ResolvedSampling } from './auto-options.js';
import { formatMs } from './format.js';
import { median, SAMPLED_BACKENDS, type TaskSamples } from './samples.js';

/** What was measured on one backend for one task function. */
export interface BackendFigure {
  backend: BackendKind;
  /** Successful sampled calls. */
  samples: number;
  /** Median submit-to-settle time, ms (NaN without samples). */
  medianMs: number;
  /** Fastest sampled call, ms. */
  minMs: number;
  /** Median time the task function itself ran, ms. */
  workMs: number;
  /** Smallest end-to-end minus run time of a call: messages, serialisation, scheduling, ms. */
  overheadMs: number;
  /** Calls that run at once on this backend. */
  parallelism: number;
  /** Expected cost per call in a burst: workMs / parallelism + overheadMs. */
  perCallMs: number;
  /** Why this backend was not a candidate, if it was not. */
  ruledOut?: string;
}

/** The backend chosen for a task function, and why. */
export interface Choice {
  backend: BackendKind;
  reason: string;
  figures: BackendFigure[];
}

export function figuresOf(samples: TaskSamples, sampling: ResolvedSampling): BackendFigure[] {
  return SAMPLED_BACKENDS.map((backend) => {
    const times = samples.times[backend];
    const runs = samples.runTimes[backend];
    const medianMs = median(times);
    const workMs = median(runs);
    // Noise (other processes, GC, a cold first call) only ever adds to the overhead: its floor is its cost.
    const overheadMs = times.length ? Math.min(...times.map((t, i) => Math.max(0, t - runs[i]))) : NaN;
    const parallelism = backend === 'inline' ? 1 : sampling.parallelism;
    const figure: BackendFigure = {
      backend,
      samples: times.length,
      medianMs,
      minMs: times.length ? Math.min(...times) : NaN,
      workMs,
      overheadMs,
      parallelism,
      perCallMs: workMs / parallelism + overheadMs,
    };
    const excluded = samples.excluded[backend];
    if (excluded !== undefined) figure.ruledOut = excluded;
    else if (times.length === 0) figure.ruledOut = 'no successful sampled call';
    else if (backend === 'inline' && medianMs > sampling.inlineLimitMs) {
      figure.ruledOut = `a call takes ${formatMs(medianMs)}, over the ${formatMs(sampling.inlineLimitMs)} it may block the event loop`;
    }
    return figure;
  });
}

export function choose(samples: TaskSamples, sampling: ResolvedSampling): Choice {
  const figures = figuresOf(samples, sampling);
  const by = (b: BackendKind): BackendFigure => figures.find((f) => f.backend === b)!;
  const candidates = figures.filter((f) => f.ruledOut === undefined).sort((a, b) => a.perCallMs - b.perCallMs);
  if (candidates.length === 0) {
    // Only an over-the-limit inline, or nothing at all, ran: take what works.
    const inline = by('inline');
    if (inline.samples > 0 && samples.excluded.inline === undefined && samples.eligible().length === 1) {
      return { backend: 'inline', figures, reason: `inline is the only backend that can carry this task (${otherReasons(figures)})` };
    }
    return { backend: 'thread', figures, reason: 'no sampled call succeeded, so the default backend (thread) is used' };
  }
  let best = candidates[0];
  const thread = by('thread');
  if (best.backend === 'process' && thread.ruledOut === undefined && best.perCallMs > thread.perCallMs * (1 - sampling.processMargin)) {
    best = thread;
  }
  return { backend: best.backend, figures, reason: reasonFor(best, figures, sampling) };
}

function reasonFor(best: BackendFigure, figures: BackendFigure[], sampling: ResolvedSampling): string {
  const others = figures.filter((f) => f !== best && f.ruledOut === undefined);
  const against = others.map((f) => `${f.backend} ${formatMs(f.perCallMs)}`).join(', ');
  const ruled = figures.filter((f) => f.ruledOut !== undefined).map((f) => `${f.backend} ruled out: ${f.ruledOut}`);
  let why: string;
  if (best.backend === 'inline') {
    const fastest = others.filter((f) => f.backend !== 'inline').sort((a, b) => a.perCallMs - b.perCallMs)[0];
    why = `the task runs ${formatMs(best.workMs)}; sending it to a worker costs ${fastest ? formatMs(fastest.overheadMs) : 'more'} a call, more than ${sampling.parallelism} workers save`;
  } else if (best.backend === 'thread') {
    const process = figures.find((f) => f.backend === 'process')!;
    why = `${formatMs(best.workMs)} of work per call divides over ${best.parallelism} worker threads, for ${formatMs(best.overheadMs)} of overhead a call`;
    if (process.ruledOut === undefined && process.perCallMs < best.perCallMs) {
      why += `; processes were ${pct(1 - process.perCallMs / best.perCallMs)} faster, within the ${pct(sampling.processMargin)} margin that keeps threads`;
    }
  } else {
    why = `${formatMs(best.workMs)} of work per call divides over ${best.parallelism} processes, more than ${pct(sampling.processMargin)} faster than threads`;
  }
  const costs = [`${best.backend} ${formatMs(best.perCallMs)}`, ...(against ? [against] : [])].join(', ');
  return [`${best.backend}: ${why} (cost per call in a burst: ${costs})`, ...ruled].join('; ');
}

function otherReasons(figures: BackendFigure[]): string {
  return figures.filter((f) => f.backend !== 'inline' && f.ruledOut).map((f) => `${f.backend}: ${f.ruledOut}`).join('; ');
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
