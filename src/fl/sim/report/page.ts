/**
 * The FL report page, on the page shell of src/report/ (the study's stylesheet, Vega libraries inlined so it
 * opens offline): the run's outcome, its configuration, the charts, the per-round table and the failed client
 * attempts, with the JSON report (as `weft fl --json` writes it) embedded.
 */
import type { Chart } from '../../../report/charts.js';
import { esc } from '../../../report/escape.js';
import { chartGrid, page } from '../../../report/page.js';
import type { FlReport } from '../report.js';
import { configTable, failuresSection, roundsTable } from './tables.js';

// The shared stylesheet left-aligns columns 1 and 3 (its tables' text columns); these tables want other alignments.
const FL_STYLE = `
table.config td:nth-child(2){text-align:left}table.rounds td:nth-child(3),table.failures td:nth-child(3){text-align:right}
table.config th,table.failures td:last-child,table.failures th:last-child{text-align:left}`;

function outcome(report: FlReport): string {
  const acc = report.accuracy === null ? 'not evaluated' : `<b>${(100 * report.accuracy).toFixed(2)}%</b>`;
  const s = report.startup;
  return `<p>Test accuracy ${acc}, loss ${report.loss === null ? '–' : report.loss.toFixed(4)} after round ${report.rounds.length}${report.resumedFrom === null ? '' : ` (resumed after round ${report.resumedFrom})`}.
Mean <b>${report.meanSecondsPerRound.toFixed(3)} s</b> per round, of which training ${report.meanTrainSecondsPerRound.toFixed(3)} s.
Start-up ${(s.totalMs / 1000).toFixed(2)} s <small>(data ${(s.dataMs / 1000).toFixed(2)} s, workers ${(s.poolMs / 1000).toFixed(2)} s, first use ${(s.prepareMs / 1000).toFixed(2)} s)</small>.<br>
<code>paramsHash</code> <code>${esc(report.paramsHash)}</code></p>`;
}

/** The report page for `report`, drawing `charts` (see `flCharts`). */
export function toFlHtml(report: FlReport, charts: readonly Chart[]): string {
  const c = report.config;
  const m = report.machine;
  const title = `weft fl: ${c.algorithm} ${c.model} on ${c.backend} (${c.workers} worker${c.workers === 1 ? '' : 's'})`;
  const body = `<h1>${esc(title)}</h1>
<p>${esc(m.cpuModel)} · ${m.cpus} CPUs · Node ${esc(m.node)}<br>${esc(report.createdAt)} · ${c.clients} clients, ${c.partition} partition, ${Math.round(c.fraction * 100)}% per round, ${c.rounds} rounds, seed ${c.seed}</p>
${outcome(report)}
<h2>Charts</h2>
${chartGrid(charts)}
<h2>Rounds</h2>
<p>Seconds; <i>compute</i> sums local training inside the workers, <i>critical</i> is the busiest worker's share (the training phase can take no less), <i>dispatch</i> = train − critical (messages, scheduling, imbalance).</p>
${roundsTable(report.rounds)}
<h2>Client failures</h2>
${failuresSection(report.failures)}
<h2>Configuration</h2>
${configTable(c)}`;
  return page({ title, style: FL_STYLE, body, data: report, charts });
}
