/**
 * The profile report page, on the page shell of src/report/ (the study's stylesheet and inlined Vega
 * libraries): charts, then the worker, lock and hot-function tables, with summary.json embedded.
 */
import type { Chart } from '../../report/charts.js';
import { esc } from '../../report/escape.js';
import { chartGrid, page } from '../../report/page.js';
import { table } from '../../report/table.js';
import type { ProfileSummary } from '../cpu/summary.js';
import type { ProfileReport } from '../summary.js';

// The shared stylesheet left-aligns column 3 for its own tables; these want numbers right-aligned there.
const PROFILE_STYLE = `table.num td:nth-child(3){text-align:right}table.hot td:nth-child(2){text-align:left}`;

const f1 = (x: number): string => x.toFixed(1);
const f3 = (x: number): string => x.toFixed(3);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** A table, or a line saying there is nothing to show. */
function tableOrNone(cls: string, head: string[], rows: string[][]): string {
  return rows.length === 0 ? '<p><small>none</small></p>' : table(head, rows, cls);
}

function workersTable(r: ProfileReport): string {
  return tableOrNone('num workers', ['worker', 'tasks', 'busy ms', 'idle ms', 'utilisation'], r.workers.map((w) => [esc(w.name), String(w.tasks), f1(w.busyMs), f1(w.idleMs), pct(w.utilisation)]));
}

function locksTable(r: ProfileReport): string {
  return tableOrNone('num locks', ['lock', 'acquisitions', 'contended', 'contended share', 'total wait ms', 'mean wait ms', 'worst wait ms'], r.locks.map((l) => [
    esc(l.name), String(l.acquisitions), String(l.contended), l.acquisitions > 0 ? pct(l.contended / l.acquisitions) : '–', f3(l.totalWaitMs), f3(l.meanWaitMs), f3(l.worstWaitMs),
  ]));
}

function hotTable(s: ProfileSummary, top = 12): string {
  return tableOrNone('hot', ['self ms', 'function', 'share', 'where'], s.functions.slice(0, top).map((f) => [f1(f.selfMs), `<code>${esc(f.name)}</code>`, pct(f.share), `<small>${esc(f.where)}</small>`]));
}

function cpuSection(r: ProfileReport): string {
  const { overall, main, workers } = r.cpu;
  if (!overall && !main && workers.length === 0) return '<p><small>CPU profiling was off.</small></p>';
  const parts: string[] = [];
  if (overall) parts.push(`<h3>All threads (${f1(overall.sampledMs)} ms sampled)</h3>${hotTable(overall)}`);
  if (main) parts.push(`<h3>main (${f1(main.sampledMs)} ms sampled)</h3>${hotTable(main)}`);
  for (const w of workers) parts.push(`<h3>${esc(w.name)} (${f1(w.sampledMs)} ms sampled${w.hottest ? `, hottest <code>${esc(w.hottest)}</code>` : ''})</h3>${hotTable(w)}`);
  return parts.join('\n');
}

function files(r: ProfileReport): string {
  return `<ul>${Object.entries(r.files).map(([what, path]) => `<li>${esc(what)}: <code>${esc(path)}</code></li>`).join('')}</ul>`;
}

/** The report page for `report`, drawing `charts` (see `profileCharts`). */
export function toProfileHtml(report: ProfileReport, charts: readonly Chart[], title = 'weft profile'): string {
  const t = report.tasks;
  const m = report.messages;
  const body = `<h1>${esc(title)}</h1>
<p>${esc(report.createdAt)} · wall ${f1(report.wallMs)} ms · ${t.count} tasks${t.failed ? `, <span class="bad">${t.failed} failed</span>` : ''} on ${report.workers.length} worker${report.workers.length === 1 ? '' : 's'}<br>
Queue wait p50 ${f3(t.queueWaitMs.p50)} ms, p95 ${f3(t.queueWaitMs.p95)} ms · run time p50 ${f3(t.runMs.p50)} ms, p95 ${f3(t.runMs.p95)} ms<br>
Messages: ${m.sends} sends (${f1(m.sendMs)} ms serialising and posting), ${m.receives} receives (${f1(m.receiveMs)} ms handling)</p>
<h2>Charts</h2>
${chartGrid(charts)}
<h2>Workers</h2>
<p><i>busy</i> sums the run times of the worker's tasks; <i>idle</i> is the rest of its life from ready to exit (or the end of the profile).</p>
${workersTable(report)}
<h2>Lock contention</h2>
${locksTable(report)}
<h2>Hot functions (self time)</h2>
${cpuSection(report)}
<h2>Files</h2>
${files(report)}
<p>Open <code>trace.json</code> in <a href="https://ui.perfetto.dev">Perfetto</a> or chrome://tracing, and the <code>.cpuprofile</code> files in Chrome DevTools (Performance) or <a href="https://www.speedscope.app">speedscope</a>.</p>`;
  return page({ title, style: PROFILE_STYLE, body, data: report, charts });
}
