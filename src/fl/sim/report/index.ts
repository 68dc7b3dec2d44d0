/** The HTML report of a `weft fl` run (`--report`, `--svg`), built on `weft bench`'s report helpers. */
export { ROUND_PHASES, accuracyChart, flCharts, roundTimeChart, roundTimeRows } from './charts.js';
export { toFlHtml } from './page.js';
export { configTable, failuresSection, roundsTable } from './tables.js';
export { writeFlReport, type FlReportPaths } from './write.js';
