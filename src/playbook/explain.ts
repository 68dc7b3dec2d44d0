/** `pool.explain()`: per task function, the figures the auto backend measured and what it chose. */
import type { LocalBackendKind as BackendKind } from '../pool/backends/types.js';
import type { ResolvedSampling } from './auto-options.js';
import type { BackendFigure } from './choose.js';
import { formatMs } from './format.js';
import { CHEAP_SAMPLING_MS, maxRounds } from './samples.js';

/** One task function's measurements and choice. */
export interface TaskExplanation {
  task: string;
  /** `'sampling'` while its first calls are still being measured. */
  state: 'sampling' | 'chosen';
  /** The backend its calls go to now that sampling is over. */
  backend?: BackendKind;
  reason: string;
  figures: BackendFigure[];
  /** Milliseconds spent in sampled calls. */
  sampledMs: number;
  /** Sampled calls that failed (errors are not timed). */
  failures: number;
}

/** What `pool.explain()` returns; `text` is the same as a table for people. */
export interface Explanation {
  rule: string;
  tasks: TaskExplanation[];
  text: string;
}

export function ruleText(s: ResolvedSampling): string {
  return (
    `Each task function's first calls go round-robin to inline, thread and process (${s.rounds} per backend, ` +
    `up to ${maxRounds(s.rounds)} while they total under ${formatMs(CHEAP_SAMPLING_MS)}, fewer once ${formatMs(s.budgetMs)} of calls is spent), ` +
    `one at a time, timed from submit to settle. ` +
    `The overhead (end to end minus the task's own run time, the smallest seen) is counted whole; the work (median run time) is divided by the parallelism ` +
    `(inline 1, thread and process ${s.parallelism} = min(workers, cores)): cost per call in a burst = work / parallelism + overhead; the lowest wins. ` +
    `Inline is ruled out above ${formatMs(s.inlineLimitMs)} a call (it blocks the event loop); ` +
    `process must beat thread by more than ${Math.round(s.processMargin * 100)}%.`
  );
}

export function explanationText(rule: string, tasks: TaskExplanation[]): string {
  const lines = [rule, ''];
  if (tasks.length === 0) lines.push('No task has been called yet.');
  for (const t of tasks) {
    lines.push(`${t.task}: ${t.state === 'chosen' ? `-> ${t.backend}` : 'sampling'} (${formatMs(t.sampledMs)} sampled${t.failures ? `, ${t.failures} failed calls` : ''})`);
    lines.push(`  ${'backend'.padEnd(8)} ${'calls'.padStart(5)} ${'median'.padStart(10)} ${'fastest'.padStart(10)} ${'work'.padStart(10)} ${'overhead'.padStart(10)} ${'parallel'.padStart(8)} ${'per call'.padStart(10)}`);
    for (const f of t.figures) {
      const cells = [f.medianMs, f.minMs, f.workMs, f.overheadMs].map((ms) => formatMs(ms).padStart(10)).join(' ');
      const row = `  ${f.backend.padEnd(8)} ${String(f.samples).padStart(5)} ${cells} ${String(f.parallelism).padStart(8)} ${formatMs(f.perCallMs).padStart(10)}`;
      lines.push(f.ruledOut && f.samples > 0 ? `${row}  (ruled out)` : row);
    }
    lines.push(`  why: ${t.reason}`);
  }
  return lines.join('\n');
}
