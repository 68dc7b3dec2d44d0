/**
 * The FL run's charts as Vega-Lite specs, built from the JSON report alone (the same specs feed the HTML report
 * and the standalone SVGs), in the style of `weft bench`'s charts: test accuracy and loss against the round, and
 * each round's seconds split into its phases.
 */
import { baseSpec, type Chart } from '../../../report/charts.js';
import type { FlReport } from '../report.js';

/** The phases of a round, in stacking order; `other` is what the three named phases leave (sampling, downlink). */
export const ROUND_PHASES = ['train', 'aggregate', 'eval', 'other'] as const;

const ACCURACY_COLOR = '#4c78a8';
const LOSS_COLOR = '#f58518';

/** The most round ticks an axis shows; longer runs get every k-th round. */
const MAX_ROUND_TICKS = 12;

/**
 * The round axis, ticked at whole rounds given explicitly: left to choose, Vega puts ticks at 1, 1.5, 2, ... for a
 * short run, and `format: 'd'` then labels them "1, 2, 2, 3, 3" (its `tickMinStep` did not stop it in a layered chart).
 */
function roundAxis(rounds: number[], title = 'round'): Record<string, unknown> {
  const step = Math.max(1, Math.ceil(rounds.length / MAX_ROUND_TICKS));
  const values = rounds.filter((_, i) => i % step === 0);
  return { field: 'round', type: 'quantitative', title, axis: { format: 'd', values } };
}

/** Test accuracy (left axis, %) and test loss (right axis) of the global model after each evaluated round. */
export function accuracyChart(report: FlReport): Chart {
  const rows = report.rounds
    .filter((r) => r.accuracy !== null && r.loss !== null)
    .map((r) => ({ round: r.round, accuracy: 100 * r.accuracy!, loss: r.loss! }));
  const rounds = rows.map((r) => r.round);
  const tooltip = [{ field: 'round' }, { field: 'accuracy', format: '.2f', title: 'accuracy (%)' }, { field: 'loss', format: '.4f' }];
  return {
    id: 'fl-accuracy',
    title: 'test accuracy and loss',
    spec: {
      ...baseSpec('Test accuracy (solid, left) and loss (dashed, right) vs round', rows),
      layer: [
        {
          mark: { type: 'line', point: true, color: ACCURACY_COLOR },
          encoding: { x: roundAxis(rounds), y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false }, axis: { titleColor: ACCURACY_COLOR } }, tooltip },
        },
        {
          mark: { type: 'line', point: true, color: LOSS_COLOR, strokeDash: [6, 4] },
          encoding: { x: roundAxis(rounds), y: { field: 'loss', type: 'quantitative', title: 'test loss', scale: { zero: false }, axis: { titleColor: LOSS_COLOR } }, tooltip },
        },
      ],
      // Accuracy and loss have unrelated ranges: one axis each, on either side.
      resolve: { scale: { y: 'independent' } },
    },
  };
}

/** One row per (round, phase): what the stacked bars draw. */
export function roundTimeRows(report: FlReport): { round: number; phase: (typeof ROUND_PHASES)[number]; seconds: number }[] {
  return report.rounds.flatMap((r) => {
    const train = r.trainMs / 1000;
    const aggregate = r.aggregateMs / 1000;
    const evaluate = r.evalMs / 1000;
    // Clamped: the phases are timed separately from the whole, so rounding can make their sum exceed it.
    const other = Math.max(0, r.seconds - train - aggregate - evaluate);
    return [
      { round: r.round, phase: 'train' as const, seconds: train },
      { round: r.round, phase: 'aggregate' as const, seconds: aggregate },
      { round: r.round, phase: 'eval' as const, seconds: evaluate },
      { round: r.round, phase: 'other' as const, seconds: other },
    ];
  });
}

/** Seconds per round as stacked bars: training, aggregation, evaluation and the rest. */
export function roundTimeChart(report: FlReport): Chart {
  const { backend, workers } = report.config;
  return {
    id: 'fl-round-time',
    title: 'seconds per round',
    spec: {
      ...baseSpec(`Seconds per round by phase (${backend}, ${workers} worker${workers === 1 ? '' : 's'})`, roundTimeRows(report)),
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'round', type: 'ordinal', title: 'round', axis: { labelAngle: 0 } },
        y: { field: 'seconds', type: 'quantitative', title: 'seconds', stack: 'zero' },
        color: { field: 'phase', type: 'nominal', title: 'phase', scale: { domain: [...ROUND_PHASES] }, sort: [...ROUND_PHASES] },
        order: { field: 'phaseOrder', type: 'quantitative' },
        tooltip: [{ field: 'round' }, { field: 'phase' }, { field: 'seconds', format: '.3f' }],
      },
      // Stack the phases in their fixed order (train at the bottom) whatever order the legend sorts them in.
      transform: [{ calculate: `indexof(${JSON.stringify([...ROUND_PHASES])}, datum.phase)`, as: 'phaseOrder' }],
    },
  };
}

/** Every chart of the FL report, in report order. */
export function flCharts(report: FlReport): Chart[] {
  const charts = [roundTimeChart(report)];
  // A run evaluated at no round (impossible today: the last round always is) would have an empty accuracy chart.
  if (report.rounds.some((r) => r.accuracy !== null)) charts.unshift(accuracyChart(report));
  return charts;
}
