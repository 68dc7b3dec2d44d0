/**
 * The HTML report: one self-contained page (Vega, Vega-Lite and vega-embed inlined from
 * node_modules, so it opens offline) with the machine, the findings, a table and charts per case,
 * and the method. The results are embedded as JSON too.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { StudyResult } from '../runner.js';
import type { CaseResult } from '../types.js';
import { VARIANTS } from '../variants.js';
import type { Chart } from './charts.js';
import { formatMb, formatPercent, formatTime } from './format.js';

const require = createRequire(import.meta.url);

/** The browser (UMD) builds, found next to each package's main file. */
function browserBuild(pkg: string, file: string): string {
  return readFileSync(join(dirname(require.resolve(pkg)), file), 'utf8');
}

let libraries: string | undefined;
/** Vega, Vega-Lite and vega-embed as inline `<script>` elements, so a page that draws charts opens offline. */
export function inlineLibraries(): string {
  libraries ??= [
    browserBuild('vega', 'vega.min.js'),
    browserBuild('vega-lite', 'vega-lite.min.js'),
    browserBuild('vega-embed', 'vega-embed.min.js'),
  ]
    .map((code) => `<script>${scriptSafe(code)}</script>`)
    .join('\n');
  return libraries;
}

/** Text that cannot end the <script> element it sits in. */
export function scriptSafe(code: string): string {
  return code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

/** Text escaped for HTML content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function caseTable(c: CaseResult): string {
  const metric = c.metrics[0];
  const hasThroughput = c.series.some((s) => s.throughput);
  const head = ['series', 'W', 'check', 'time: median (min–max)', 'speedup', 'efficiency', ...(hasThroughput ? ['GB/s'] : []), ...(metric ? [`${metric.label} (${metric.unit}, worst)`] : []), 'peak memory', 'over idle', 'set-up'];
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
    ];
    return `<tr>${cells.map((x) => `<td>${x}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The reports' stylesheet (shared with the FL report, so both look alike). */
export const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1180px;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.3em .5em;text-align:right;vertical-align:top}
td:first-child,th:first-child,td:nth-child(3){text-align:left}th{background:#f5f5f5}
.good{color:#176317;font-weight:600}.bad{color:#b00020;font-weight:600}small{color:#666}
.verdict{display:inline-block;padding:.05em .5em;border-radius:.8em;font-size:.85em;font-weight:600;white-space:nowrap}
.confirmed{background:#d9f2d9}.not-confirmed{background:#f8d7da}.mixed{background:#fff3cd}.not-measured{background:#e9ecef}
.findings td{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:1.5em}.chart{min-height:200px}
code{background:#f3f3f3;padding:0 .2em}`;

/** The placeholder a chart is drawn into by {@link chartScripts}. */
export function chartDiv(chart: Chart): string {
  return `<div class="chart" id="chart-${esc(chart.id)}" data-chart="${esc(chart.id)}"></div>`;
}

/**
 * The inlined libraries and the script that draws every chart into its {@link chartDiv}, then sets
 * `body[data-charts-rendered]` to the number drawn (what the headless-browser tests wait for).
 */
export function chartScripts(charts: readonly Chart[]): string {
  const specs = Object.fromEntries(charts.map((ch) => [ch.id, ch.spec]));
  return `${inlineLibraries()}
<script>
const specs = ${scriptSafe(JSON.stringify(specs))};
const jobs = Object.entries(specs).map(([id, spec]) =>
  vegaEmbed('#chart-' + id, spec, { renderer: 'svg', actions: false }).catch((error) => { console.error('chart ' + id + ': ' + error); throw error; }));
Promise.allSettled(jobs).then((all) => { document.body.dataset.chartsRendered = String(all.filter((r) => r.status === 'fulfilled').length); });
</script>`;
}

/** The report page. */
export function toHtml(result: StudyResult, charts: readonly Chart[]): string {
  const m = result.machine;
  const py = result.python;
  const findings = result.findings
    .map(
      (f) =>
        `<tr><td><span class="verdict ${f.verdict.replace(' ', '-')}">${esc(f.verdict)}</span></td><td>${esc(f.claim)}${f.target ? `<br><small>Target: ${esc(f.target)}</small>` : ''}</td><td>${esc(f.evidence)}</td></tr>`,
    )
    .join('');
  const sections = result.cases
    .map((c) => {
      const own = charts.filter((ch) => ch.caseName === c.name);
      return `<section><h2>${esc(c.title)}</h2><p>${esc(c.summary)} Size: <b>${esc(c.sizeLabel)}</b>.</p>${caseTable(c)}
<div class="charts">${own.map(chartDiv).join('')}</div></section>`;
    })
    .join('\n');
  const bandwidth = result.bandwidth
    ? `<p>Memory read bandwidth probed on this machine (${esc(result.bandwidth.method)}; ${formatMb(result.bandwidth.bytes)}, ${result.bandwidth.repeats} passes): ${result.bandwidth.points
        .map((p) => `best <b>${p.gbps.max.toFixed(1)} GB/s</b> <small>(median ${p.gbps.median.toFixed(1)}, worst ${p.gbps.min.toFixed(1)})</small> on ${p.workers} thread${p.workers > 1 ? 's' : ''}`)
        .join(', ')}.</p>`
    : '';
  const pythonNote = py.available
    ? `Python peers: <code>${esc(py.path)}</code> ${esc(py.version ?? '')} with numpy ${esc(py.numpy ?? '')}, GIL ${py.gil === false ? 'off' : 'on'}${py.freeThreadedBuild ? '' : ' (no free-threaded build is installed, so the talk\'s free-threaded side is not reproduced here)'}.`
    : `Python peers skipped: ${esc(py.reason ?? 'no usable Python')}.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>weft bench: threads or processes on ${esc(m.cpuModel)}</title><style>${STYLE}</style></head>
<body>
<h1>Threads or processes? The free-threading talk's study, on this machine</h1>
<p>${esc(m.cpuModel)} · ${m.cores} cores (${m.logicalCpus} logical) · ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB · ${esc(m.os)} ${esc(m.arch)} · Node ${esc(m.node)} (V8 ${esc(m.v8)})<br>
${esc(result.startedAt)} · ${esc(result.size)} sizes · median of ${result.repeat} repeats · workers ${result.workers.join(', ')} · took ${(result.durationMs / 1000).toFixed(0)} s</p>
<p>${pythonNote}</p>${result.skipped.map((s) => `<p class="bad">${esc(s)}</p>`).join('')}
<h2>Findings</h2>
<table class="findings"><thead><tr><th>verdict</th><th>claim</th><th>this run</th></tr></thead><tbody>${findings}</tbody></table>
${bandwidth}
${sections}
<h2>Method</h2>
<ul>
<li>Each series is set up first (workers started and ready, data allocated and filled), untimed; then the parallel section is timed ${result.repeat} times with <code>performance.now()</code> and each answer checked. Python peers time the same section with <code>time.perf_counter()</code>.</li>
<li>Speedup = median time of the sequential series ÷ median time (Python: ÷ its own one-worker time); efficiency = speedup ÷ W. Ranges come from the fastest and slowest repeat.</li>
<li>Peak memory: resident memory of this process and all its descendants, sampled from <code>/proc</code> every 5 ms while a series is set up and run; pages shared between processes counted once. “Over idle” subtracts the memory just before the series. Spikes shorter than the interval can be missed.</li>
<li>Variants: ${Object.values(VARIANTS).map((v) => `<b>${esc(v.name)}</b>: ${esc(v.description)}`).join('; ')}.</li>
</ul>
<script type="application/json" id="results">${scriptSafe(JSON.stringify(result))}</script>
${chartScripts(charts)}
</body></html>
`;
}
