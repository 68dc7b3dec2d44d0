/** The profile report's charts as Vega-Lite specs, on the reports' base spec. */
import { baseSpec, type Chart } from '../../report/charts.js';
import type { TelemetrySnapshot } from '../recorder.js';

/** More slices than this make the page slow to draw; the timeline then shows the first ones and says so. */
export const TIMELINE_LIMIT = 4000;

/** Timeline, utilisation, queue-wait and run-time histograms. */
export function profileCharts(data: TelemetrySnapshot): Chart[] {
  const charts: Chart[] = [];
  const ms = (t: number): number => Math.round((t - data.origin) * 1000) / 1000;
  const slices = [...data.tasks].sort((a, b) => a.startedAt - b.startedAt).slice(0, TIMELINE_LIMIT);
  if (slices.length > 0) {
    const rows = slices.map((t) => ({ worker: t.worker, task: t.name, start: ms(t.startedAt), end: ms(t.startedAt + Math.max(t.runMs, 0.001)), runMs: t.runMs }));
    const spec = baseSpec(data.tasks.length > TIMELINE_LIMIT ? `Tasks per worker (first ${TIMELINE_LIMIT} of ${data.tasks.length})` : 'Tasks per worker', rows);
    Object.assign(spec, {
      width: 980,
      height: Math.max(80, 28 * data.workers.length),
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'worker', type: 'nominal', title: null },
        x: { field: 'start', type: 'quantitative', title: 'ms since start' },
        x2: { field: 'end' },
        color: { field: 'task', type: 'nominal', title: 'task' },
        tooltip: [{ field: 'task' }, { field: 'worker' }, { field: 'start', title: 'start ms' }, { field: 'runMs', title: 'run ms' }],
      },
    });
    charts.push({ id: 'timeline', title: 'Timeline', spec });
  }
  if (data.workers.length > 0) {
    const rows = data.workers.map((w) => ({ worker: w.name, utilisation: w.utilisation, busyMs: w.busyMs, idleMs: w.idleMs }));
    const spec = baseSpec('Utilisation per worker (busy / alive)', rows);
    Object.assign(spec, {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'worker', type: 'nominal', title: null, sort: null },
        y: { field: 'utilisation', type: 'quantitative', title: 'busy share', axis: { format: '%' }, scale: { domain: [0, 1] } },
        tooltip: [{ field: 'worker' }, { field: 'busyMs', title: 'busy ms' }, { field: 'idleMs', title: 'idle ms' }],
      },
    });
    charts.push({ id: 'utilisation', title: 'Utilisation', spec });
  }
  if (data.tasks.length > 0) {
    charts.push(histogram('queue-wait', 'Queue wait (enqueue → start)', data.tasks.map((t) => ({ ms: Math.max(0, t.startedAt - t.enqueuedAt) }))));
    charts.push(histogram('run-time', 'Run time in the worker', data.tasks.map((t) => ({ ms: t.runMs }))));
  }
  return charts;
}

function histogram(id: string, title: string, rows: { ms: number }[]): Chart {
  const spec = baseSpec(title, rows);
  Object.assign(spec, {
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'ms', type: 'quantitative', bin: { maxbins: 40 }, title: 'ms' },
      y: { aggregate: 'count', type: 'quantitative', title: 'tasks' },
    },
  });
  return { id, title, spec };
}
