/**
 * The CSV file: one row per timed run (every measurement), with its series' summary and the
 * machine repeated on each row so the file stands alone in a spreadsheet.
 */
import type { StudyResult } from '../result.js';

/** Column names, in order. */
export const CSV_COLUMNS = [
  'case',
  'size',
  'variant',
  'mode',
  'runtime',
  'workers',
  'repeat',
  'ms',
  'ok',
  'median_ms',
  'min_ms',
  'max_ms',
  'speedup',
  'efficiency',
  'gbps',
  'metric',
  'metric_value',
  'peak_bytes',
  'baseline_bytes',
  'setup_ms',
  'others_cores',
  'tries',
  'busy',
  'error',
  'cpu_model',
  'cores',
  'memory_bytes',
  'node',
] as const;

function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : value.toPrecision(6)) : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(result: StudyResult): string {
  const m = result.machine;
  const rows: string[] = [CSV_COLUMNS.join(',')];
  for (const c of result.cases) {
    const metric = c.metrics[0];
    for (const s of c.series) {
      const repeats = s.timesMs.length > 0 ? s.timesMs : [undefined];
      repeats.forEach((ms, i) => {
        const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
          case: c.name,
          size: c.size,
          variant: s.variant,
          mode: s.mode,
          runtime: s.runtime,
          workers: s.workers,
          repeat: ms === undefined ? undefined : i + 1,
          ms,
          ok: s.ok,
          median_ms: s.time?.median,
          min_ms: s.time?.min,
          max_ms: s.time?.max,
          speedup: s.speedup?.median,
          efficiency: s.efficiency,
          gbps: ms === undefined || !s.throughput ? undefined : (s.throughput.median * s.time!.median) / ms,
          metric: metric?.key,
          metric_value: metric ? s.metrics?.[metric.key]?.[i] : undefined,
          peak_bytes: s.memory?.peak,
          baseline_bytes: s.memory?.baseline,
          setup_ms: s.setupMs,
          others_cores: s.load?.cores,
          tries: s.tries,
          busy: s.busy,
          error: s.error,
          cpu_model: m.cpuModel,
          cores: m.cores,
          memory_bytes: m.memoryBytes,
          node: m.node,
        };
        rows.push(CSV_COLUMNS.map((k) => cell(values[k])).join(','));
      });
    }
  }
  return `${rows.join('\n')}\n`;
}
