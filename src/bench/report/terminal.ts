/** The plain-text table printed at the end of a run, one block per case, then the findings. */
import type { StudyResult } from '../result.js';
import type { CaseResult, SeriesResult } from '../types.js';
import { formatMb, formatPercent, formatTime } from './format.js';
import { formatLoad, loadNote } from './load.js';
import { ROUNDS_CAPTION, roundsTable, torchNote } from './rounds.js';

/** Aligns columns: the first `leftColumns` (and the last, when `leftLast`) to the left, the rest to the right. */
function pad(cells: string[][], leftColumns = 3, leftLast = false): string {
  const widths = cells[0].map((_, i) => Math.max(...cells.map((row) => row[i].length)));
  const left = (i: number, n: number): boolean => i < leftColumns || (leftLast && i === n - 1);
  return cells.map((row) => row.map((cell, i) => (left(i, row.length) ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd()).join('\n');
}

function row(c: CaseResult, s: SeriesResult): string[] {
  const metric = c.metrics[0];
  return [
    s.label,
    String(s.workers),
    s.error ? `ERROR: ${s.error.split('\n')[0].slice(0, 60)}` : s.ok ? 'ok' : `WRONG: ${s.check?.actual ?? '?'} != ${s.check?.expected ?? '?'}`,
    s.time ? formatTime(s.time) : '-',
    s.speedup ? `${s.speedup.median.toFixed(2)}x` : '-',
    s.efficiency !== undefined ? formatPercent(s.efficiency) : '-',
    ...(c.series.some((x) => x.throughput) ? [s.throughput ? s.throughput.median.toFixed(1) : '-'] : []),
    ...(metric ? [s.metrics?.[metric.key] ? `${Math.max(...s.metrics[metric.key]).toFixed(1)}` : '-'] : []),
    s.memory ? formatMb(s.memory.peak) : '-',
    s.memory ? `+${formatMb(s.memory.peak - s.memory.baseline)}` : '-',
    formatLoad(s),
  ];
}

/** One case as a table. */
export function caseTable(c: CaseResult): string {
  const metric = c.metrics[0];
  const header = [
    'series',
    'W',
    'check',
    'time: median (min–max)',
    'speedup',
    'eff.',
    ...(c.series.some((x) => x.throughput) ? ['GB/s'] : []),
    ...(metric ? [`${metric.label} (max ${metric.unit})`] : []),
    'peak mem',
    'over idle',
    'others (cores)',
  ];
  return pad([header, ...c.series.map((s) => row(c, s))]);
}

/** The whole report as text. */
export function terminalReport(result: StudyResult): string {
  const m = result.machine;
  const lines: string[] = [];
  lines.push(
    `weft bench · ${m.cpuModel}, ${m.cores} cores, ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB · Node ${m.node} · ${result.size} sizes · median of ${result.repeat}`,
  );
  if (result.python.available) {
    lines.push(`Python peers: ${result.python.path} ${result.python.version}, numpy ${result.python.numpy}, GIL ${result.python.gil === false ? 'off' : 'on'}`);
    if (result.python.torch) lines.push(torchNote(result.python));
  }
  for (const note of result.skipped) lines.push(note);
  if (result.bandwidth) {
    lines.push(
      `Memory read bandwidth (probe, ${formatMb(result.bandwidth.bytes)}): ` +
        result.bandwidth.points.map((p) => `best ${p.gbps.max.toFixed(1)} (median ${p.gbps.median.toFixed(1)}) GB/s on ${p.workers} thread${p.workers > 1 ? 's' : ''}`).join(', '),
    );
  }
  lines.push(loadNote(result));
  for (const c of result.cases) {
    lines.push('', `${c.title}: ${c.sizeLabel}`, caseTable(c));
    const rounds = roundsTable(c);
    if (rounds) lines.push('', `${ROUNDS_CAPTION}:`, pad([rounds.head, ...rounds.rows], 2, true));
  }
  lines.push('', 'Findings');
  for (const f of result.findings) {
    lines.push(`  [${f.verdict}] ${f.claim}${f.target ? ` Target: ${f.target}.` : ''}`, `      ${f.evidence}`);
  }
  return lines.join('\n');
}
