/**
 * The study's charts as Vega-Lite specs, built from the results alone (the same specs feed the
 * HTML report and the standalone SVGs): per case, time and speedup against workers per series
 * (with the ideal line), throughput against the probed bandwidth, peak memory, and case metrics.
 */
import { WIDTH, baseSpec, type Chart } from '../../report/charts.js';
import type { StudyResult } from '../result.js';
import type { CaseResult } from '../types.js';

function workersAxis(workers: number[]): Record<string, unknown> {
  return { field: 'workers', type: 'quantitative', title: 'workers (W)', scale: { type: 'log', base: 2, domain: [Math.min(...workers), Math.max(...workers)] }, axis: { values: workers, format: 'd' } };
}

/**
 * Series colours from d3's category10, whose ten hues are all far apart (the default, tableau10, has a teal and a
 * green that read as one: py-threading beside py-processes), and legend labels at their full length (by default
 * Vega cuts them at 160 px: "py-processes (equa…").
 */
const series = { field: 'series', type: 'nominal', title: 'series', scale: { scheme: 'category10' }, legend: { labelLimit: 0 } };

function timeChart(c: CaseResult, workers: number[]): Chart {
  const rows = c.series.filter((s) => s.time).map((s) => ({ series: s.label, workers: s.workers, median: s.time!.median, min: s.time!.min, max: s.time!.max }));
  return {
    id: `${c.name}-time`,
    title: `${c.title}: time`,
    spec: {
      ...baseSpec(`${c.title}: time vs workers (median, bars = min–max)`, rows),
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x: workersAxis(workers), y: { field: 'median', type: 'quantitative', title: 'time (ms)', scale: { type: 'log' } }, color: series } },
        { mark: { type: 'rule' }, encoding: { x: workersAxis(workers), y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: series } },
      ],
    },
  };
}

function speedupChart(c: CaseResult, workers: number[]): Chart {
  const rows = c.series.filter((s) => s.speedup).map((s) => ({ series: s.label, workers: s.workers, median: s.speedup!.median, min: s.speedup!.min, max: s.speedup!.max }));
  const ideal = workers.map((w) => ({ workers: w, ideal: w }));
  return {
    id: `${c.name}-speedup`,
    title: `${c.title}: speedup`,
    spec: {
      ...baseSpec(`${c.title}: speedup over sequential (dashed: ideal)`, rows),
      layer: [
        { data: { values: ideal }, mark: { type: 'line', strokeDash: [6, 4], color: '#888' }, encoding: { x: workersAxis(workers), y: { field: 'ideal', type: 'quantitative' } } },
        { mark: { type: 'line', point: true }, encoding: { x: workersAxis(workers), y: { field: 'median', type: 'quantitative', title: 'speedup (x)' }, color: series } },
        { mark: { type: 'rule' }, encoding: { x: workersAxis(workers), y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: series } },
      ],
    },
  };
}

function throughputChart(c: CaseResult, workers: number[], result: StudyResult): Chart {
  const rows = c.series.filter((s) => s.throughput).map((s) => ({ series: s.label, workers: s.workers, median: s.throughput!.median, min: s.throughput!.min, max: s.throughput!.max }));
  const probe = (result.bandwidth?.points ?? []).map((p) => ({ series: 'bandwidth probe', workers: p.workers, median: p.gbps.max, min: p.gbps.min, max: p.gbps.max }));
  return {
    id: `${c.name}-throughput`,
    title: `${c.title}: throughput`,
    spec: {
      ...baseSpec(`${c.title}: GB/s read vs workers (black: the probe's best pass, the machine's read bandwidth)`, rows),
      layer: [
        { data: { values: probe }, mark: { type: 'line', point: true, color: 'black', strokeDash: [2, 2] }, encoding: { x: workersAxis(workers), y: { field: 'median', type: 'quantitative' } } },
        { mark: { type: 'line', point: true }, encoding: { x: workersAxis(workers), y: { field: 'median', type: 'quantitative', title: 'GB/s' }, color: series } },
        { mark: { type: 'rule' }, encoding: { x: workersAxis(workers), y: { field: 'min', type: 'quantitative' }, y2: { field: 'max' }, color: series } },
      ],
    },
  };
}

function memoryChart(c: CaseResult): Chart {
  const rows = c.series.filter((s) => s.memory).map((s) => ({ series: s.label, W: `W=${s.workers}`, mb: s.memory!.peak / 1e6, over: (s.memory!.peak - s.memory!.baseline) / 1e6 }));
  const layers: unknown[] = [
    {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'series', type: 'nominal', title: null, sort: null, axis: { labelAngle: -35 } },
        xOffset: { field: 'W', type: 'nominal' },
        y: { field: 'mb', type: 'quantitative', title: 'peak resident memory (MB)' },
        color: { field: 'W', type: 'nominal', title: 'workers' },
        tooltip: [{ field: 'series' }, { field: 'W' }, { field: 'mb', format: '.0f', title: 'peak MB' }, { field: 'over', format: '.0f', title: 'MB over idle' }],
      },
    },
  ];
  if (c.dataBytes) {
    layers.push({ data: { values: [{ mb: c.dataBytes / 1e6 }] }, mark: { type: 'rule', color: 'red', strokeDash: [4, 3] }, encoding: { y: { field: 'mb', type: 'quantitative' } } });
  }
  return {
    id: `${c.name}-memory`,
    title: `${c.title}: memory`,
    spec: { ...baseSpec(`${c.title}: peak memory, parent + children${c.dataBytes ? ' (red: the data size)' : ''}`, rows), width: WIDTH + 120, layer: layers },
  };
}

function metricCharts(c: CaseResult): Chart[] {
  return c.metrics.map((metric) => {
    const rows = c.series
      .filter((s) => s.metrics?.[metric.key])
      .map((s) => ({ series: s.label, W: `W=${s.workers}`, value: Math.max(...s.metrics![metric.key]) }));
    return {
      id: `${c.name}-${metric.key}`,
      title: `${c.title}: ${metric.label}`,
      spec: {
        ...baseSpec(`${c.title}: ${metric.label} (${metric.unit}, worst repeat)`, rows),
        width: WIDTH + 120,
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'series', type: 'nominal', title: null, sort: null, axis: { labelAngle: -35 } },
          xOffset: { field: 'W', type: 'nominal' },
          y: { field: 'value', type: 'quantitative', title: `${metric.label} (${metric.unit})` },
          color: { field: 'W', type: 'nominal', title: 'workers' },
        },
      },
    };
  });
}

/** Every chart of a study, in report order. */
export function chartsFor(result: StudyResult): Chart[] {
  const charts: Chart[] = [];
  for (const c of result.cases) {
    const workers = [...new Set(c.series.map((s) => s.workers))].sort((a, b) => a - b);
    if (c.series.every((s) => !s.time)) continue;
    const own: Chart[] = [timeChart(c, workers)];
    if (c.scaling === 'strong' && c.series.some((s) => s.speedup)) own.push(speedupChart(c, workers));
    if (c.series.some((s) => s.throughput)) own.push(throughputChart(c, workers, result));
    own.push(...metricCharts(c));
    if (c.series.some((s) => s.memory)) own.push(memoryChart(c));
    for (const chart of own) charts.push({ ...chart, caseName: c.name });
  }
  return charts;
}
