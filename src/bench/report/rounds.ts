/**
 * The FL cases' round-by-round view, shared by the terminal and HTML reports: for every series, each round's
 * time (training + aggregation, median over the repeats) and the test accuracy after it, with what the series
 * ran on (the PyTorch peers' BLAS), so weft and PyTorch read side by side.
 */
import type { PythonInfo } from '../python/detect.js';
import type { CaseResult } from '../types.js';
import { formatMs, formatPercent } from './format.js';

/** Header and text cells, or undefined for a case without rounds. */
export function roundsTable(c: CaseResult): { head: string[]; rows: string[][] } | undefined {
  const withRounds = c.series.filter((s) => s.rounds && s.rounds.length > 0);
  if (withRounds.length === 0) return undefined;
  const count = Math.max(...withRounds.map((s) => s.rounds!.length));
  const head = ['series', 'W'];
  for (let r = 1; r <= count; r++) head.push(`round ${r}`, 'accuracy', 'test set');
  head.push('ran on');
  const rows = withRounds.map((s) => {
    const cells = [s.label, String(s.workers)];
    for (let r = 0; r < count; r++) {
      const round = s.rounds![r];
      cells.push(round ? formatMs(round.medianMs) : '-', round ? formatPercent(round.accuracy, 1) : '-', round ? formatMs(round.evalMedianMs) : '-');
    }
    cells.push(s.note ?? (s.runtime === 'node' ? 'weft' : ''));
    return cells;
  });
  return { head, rows };
}

/** The line above the table. */
export const ROUNDS_CAPTION = 'Per round: training + aggregation (median over the repeats), the test accuracy after the round, and the time to evaluate the test set (not in the round)';

/** `PyTorch peers: torch 1.13.0, BLAS openblas (/usr/lib/...), reference (...)`. */
export function torchNote(python: PythonInfo): string {
  const blas = Object.entries(python.blas ?? {}).map(([name, dir]) => `${name} (${dir})`);
  return `PyTorch peers: torch ${python.torch}, one thread per process, BLAS ${blas.length > 0 ? blas.join(', ') : 'none found'}`;
}
