/**
 * The page shell every weft report shares: one self-contained HTML file with the shared stylesheet, the report's
 * data embedded as JSON, and Vega, Vega-Lite and vega-embed inlined to draw its charts, so it opens offline. The
 * study, the FL report and the profile report each supply only their own title, rules, body and charts.
 */
import type { Chart } from './charts.js';
import { esc, scriptSafe } from './escape.js';
import { inlineLibraries } from './libraries.js';
import { STYLE } from './style.js';

/** The placeholder a chart is drawn into by {@link chartScripts}. */
export function chartDiv(chart: Chart): string {
  return `<div class="chart" id="chart-${esc(chart.id)}" data-chart="${esc(chart.id)}"></div>`;
}

/** The charts' placeholders side by side, wrapping. */
export function chartGrid(charts: readonly Chart[]): string {
  return `<div class="charts">${charts.map(chartDiv).join('')}</div>`;
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

/** What a report supplies to {@link page}. */
export interface PageParts {
  /** The page's title, as text. */
  title: string;
  /** Rules appended to the shared stylesheet. */
  style?: string;
  /** The page's content (HTML), placing its charts with {@link chartDiv} or {@link chartGrid}. */
  body: string;
  /** Embedded as JSON in `<script type="application/json" id="results">`. */
  data: unknown;
  /** The charts to draw. */
  charts: readonly Chart[];
}

/** A whole report page. */
export function page({ title, style = '', body, data, charts }: PageParts): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}${style}</style></head>
<body>
${body}
<script type="application/json" id="results">${scriptSafe(JSON.stringify(data))}</script>
${chartScripts(charts)}
</body></html>
`;
}
