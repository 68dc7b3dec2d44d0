/**
 * The study's HTML report: the machine, the findings, a table and charts per case, and the method, on the page
 * shell of src/report/. The results are embedded as JSON too.
 */
import type { Chart } from '../../report/charts.js';
import { esc } from '../../report/escape.js';
import { chartGrid, page } from '../../report/page.js';
import { table } from '../../report/table.js';
import type { StudyResult } from '../result.js';
import type { CaseResult } from '../types.js';
import { VARIANTS } from '../variants.js';
import { formatMb, formatPercent, formatTime } from './format.js';
import { formatLoad, loadNote } from './load.js';
import { ROUNDS_CAPTION, roundsTable, torchNote } from './rounds.js';

function caseTable(c: CaseResult): string {
  const metric = c.metrics[0];
  const hasThroughput = c.series.some((s) => s.throughput);
  const head = ['series', 'W', 'check', 'time: median (min–max)', 'speedup', 'efficiency', ...(hasThroughput ? ['GB/s'] : []), ...(metric ? [`${metric.label} (${metric.unit}, worst)`] : []), 'peak memory', 'over idle', 'set-up', 'others (cores)'];
  const rows = c.series.map((s) => {
    const check = s.error ? `<span class="bad">error: ${esc(s.error)}</span>` : s.ok ? `<span class="good">ok</span> <small>${esc(s.check?.actual ?? '')}</small>` : `<span class="bad">wrong: ${esc(s.check?.actual ?? '')} ≠ ${esc(s.check?.expected ?? '')}</span>`;
    const cells = [
      `<span title="${esc(VARIANTS[s.variant].description)}">${esc(s.label)}</span>`,
      String(s.workers),
      check,
      s.time ? formatTime(s.time) : '–',
      s.speedup ? `${s.speedup.median.toFixed(2)}x <small>(${s.speedup.min.toFixed(2)}–${s.speedup.max.toFixed(2)})</small>` : '–',
      s.efficiency !== undefined ? formatPercent(s.efficiency) : '–',
      ...(hasThroughput ? [s.throughput ? `${s.throughput.median.toFixed(1)} <small>(${s.throughput.min.toFixed(1)}–${s.throughput.max.toFixed(1)})</small>` : '–'] : []),
      ...(metric ? [s.metrics?.[metric.key] ? Math.max(...s.metrics[metric.key]).toFixed(1) : '–'] : []),
      s.memory ? formatMb(s.memory.peak) : '–',
      s.memory ? formatMb(s.memory.peak - s.memory.baseline) : '–',
      s.setupMs !== undefined ? `${s.setupMs.toFixed(0)} ms` : '–',
      s.busy ? `<span class="bad">${esc(formatLoad(s))}</span>` : esc(formatLoad(s)),
    ];
    return cells;
  });
  return table(head, rows);
}

/** The report page. */
export function toHtml(result: StudyResult, charts: readonly Chart[]): string {
  const m = result.machine;
  const py = result.python;
  const findings = result.findings.map((f) => [
    `<span class="verdict ${f.verdict.replace(' ', '-')}">${esc(f.verdict)}</span>`,
    `${esc(f.claim)}${f.target ? `<br><small>Target: ${esc(f.target)}</small>` : ''}`,
    esc(f.evidence),
  ]);
  const sections = result.cases
    .map((c) => {
      const own = charts.filter((ch) => ch.caseName === c.name);
      const rounds = roundsTable(c);
      const roundsHtml = rounds ? `<p>${esc(ROUNDS_CAPTION)}.</p>${table(rounds.head, rounds.rows.map((row) => row.map(esc)))}` : '';
      return `<section><h2>${esc(c.title)}</h2><p>${esc(c.summary)} Size: <b>${esc(c.sizeLabel)}</b>.</p>${caseTable(c)}
${roundsHtml}${chartGrid(own)}</section>`;
    })
    .join('\n');
  const bandwidth = result.bandwidth
    ? `<p>Memory read bandwidth probed on this machine (${esc(result.bandwidth.method)}; ${formatMb(result.bandwidth.bytes)}, ${result.bandwidth.repeats} passes): ${result.bandwidth.points
        .map((p) => `best <b>${p.gbps.max.toFixed(1)} GB/s</b> <small>(median ${p.gbps.median.toFixed(1)}, worst ${p.gbps.min.toFixed(1)})</small> on ${p.workers} thread${p.workers > 1 ? 's' : ''}`)
        .join(', ')}.</p>`
    : '';
  const pythonNote = py.available
    ? `Python peers: <code>${esc(py.path)}</code> ${esc(py.version ?? '')} with numpy ${esc(py.numpy ?? '')}, GIL ${py.gil === false ? 'off' : 'on'}${py.freeThreadedBuild ? '' : ' (no free-threaded build is installed, so the talk\'s free-threaded side is not reproduced here)'}.${py.torch ? ` ${esc(torchNote(py))}` : ''}`
    : `Python peers skipped: ${esc(py.reason ?? 'no usable Python')}.`;
  const body = `<h1>Threads or processes? The free-threading talk's study, on this machine</h1>
<p>${esc(m.cpuModel)} · ${m.cores} cores (${m.logicalCpus} logical) · ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB · ${esc(m.os)} ${esc(m.arch)} · Node ${esc(m.node)} (V8 ${esc(m.v8)})<br>
${esc(result.startedAt)} · ${esc(result.size)} sizes · median of ${result.repeat} repeats · workers ${result.workers.join(', ')} · took ${(result.durationMs / 1000).toFixed(0)} s</p>
<p>${pythonNote}</p>${result.skipped.map((s) => `<p class="bad">${esc(s)}</p>`).join('')}
<h2>Findings</h2>
${table(['verdict', 'claim', 'this run'], findings, 'findings')}
<p>${esc(loadNote(result))}</p>
${bandwidth}
${sections}
<h2>Method</h2>
<ul>
<li>Each series is set up first (workers started and ready, data allocated and filled), untimed; then the parallel section is timed ${result.repeat} times with <code>performance.now()</code> and each answer checked. Python peers time the same section with <code>time.perf_counter()</code>.</li>
<li>Speedup = median time of the sequential series ÷ median time (Python: ÷ its own one-worker time); efficiency = speedup ÷ W. Ranges come from the fastest and slowest repeat.</li>
<li>Peak memory: resident memory of this process and all its descendants, sampled from <code>/proc</code> every 5 ms while a series is set up and run; pages shared between processes counted once. “Over idle” subtracts the memory just before the series. Spikes shorter than the interval can be missed.</li>
<li>Variants: ${Object.values(VARIANTS).map((v) => `<b>${esc(v.name)}</b>: ${esc(v.description)}`).join('; ')}.</li>
</ul>`;
  return page({ title: `weft bench: threads or processes on ${m.cpuModel}`, body, data: result, charts });
}
